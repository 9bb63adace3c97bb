package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path"
	"path/filepath"
	"strings"

	"github.com/spf13/pflag"

	"github.com/aegisthus/aegisthus/internal/discover"
	"github.com/aegisthus/aegisthus/internal/pipeline"
	"github.com/aegisthus/aegisthus/internal/storage"
	s3store "github.com/aegisthus/aegisthus/internal/storage/s3"
)

// planFileOptions are the flags of `aegisthus plan --out`: every export flag
// that shapes the output, fixed in the plan.
type planFileOptions struct {
	out        string
	now        string
	compress   string
	layout     string
	layoutSet  bool
	columns    []string
	writetime  bool
	ttl        bool
	tokenRange string
	keys       []string
	shards     int
	// Parquet parts (--format parquet)
	format, rowGroupSize string
	compressSet          bool
}

func (o *planFileOptions) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.out, "out", "", "write a plan file here (local or s3://) for export --plan, instead of printing the units")
	fs.StringVar(&o.now, "now", "", "with --out: evaluate TTLs at this instant (default: when the plan is made)")
	fs.StringVar(&o.compress, "compress", "none", "with --out: part file compression: none, gzip or zstd")
	fs.StringVar(&o.layout, "layout", "rows", "with --out: output layout: rows, partitions or aegisthus")
	fs.StringSliceVar(&o.columns, "columns", nil, "with --out: print only these non-key columns")
	fs.BoolVar(&o.writetime, "writetime", false, `with --out: add "writetime(c)" for every printed non-key column`)
	fs.BoolVar(&o.ttl, "ttl", false, `with --out: add "ttl(c)" for every printed non-key column`)
	fs.StringVar(&o.tokenRange, "token-range", "", "with --out: only partitions with LO < token <= HI, as LO:HI")
	fs.StringArrayVar(&o.keys, "keys", nil, "with --out: only this partition key (repeatable)")
	fs.StringVar(&o.format, "format", "json", "with --out: part file format: json or parquet")
	fs.StringVar(&o.rowGroupSize, "row-group-size", "64MiB", "with --out and --format parquet: buffered bytes per row group")
	fs.IntVar(&o.shards, "shards", 0, "with --out: the number of shards export --plan assumes when the index comes from the environment (JOB_COMPLETION_INDEX, AWS_BATCH_JOB_ARRAY_INDEX)")
}

// writePlan plans every selected table as export would and writes the plan file.
func (o *planOptions) writePlan(ctx context.Context, store storage.Store, stdout io.Writer) error {
	f := &o.file
	if f.shards < 0 {
		return &UsageError{fmt.Errorf("--shards %d: want 1 or more", f.shards)}
	}
	if o.base != "" {
		return &UsageError{errors.New("--base: a plan file cannot pin a previous export yet; run the incremental export on one machine")}
	}
	eo := &exportOptions{out: f.out, workers: 1, splitSize: o.splitSize, now: f.now, compress: f.compress, layout: f.layout,
		layoutSet: f.layoutSet, logFormat: "text", columns: f.columns, writetime: f.writetime, ttl: f.ttl,
		tokenRange: f.tokenRange, keys: f.keys, format: f.format, rowGroupSize: f.rowGroupSize, compressSet: f.compressSet}
	if err := eo.validate(); err != nil {
		return err
	}
	po, err := eo.pipelineOptions(ctx)
	if err != nil {
		return err
	}
	if po.Now == 0 {
		if po.Now, err = parseNow(""); err != nil {
			return err
		}
	}
	po.Version = Version
	if err := o.schema.load(store); err != nil {
		return err
	}
	sets, skipped, _, err := o.schema.selectTables(store, o.paths, &o.sel)
	if err != nil {
		return err
	}
	tree := len(sets) > 1 || o.sel.given()
	if tree && len(f.keys) > 0 {
		return &UsageError{errors.New("--keys picks partitions of one table; the inputs hold " + fmt.Sprint(len(sets)) + " tables")}
	}
	o.schema.src.AnyName = len(sets) == 1
	specs := make([]pipeline.PlanSpec, len(sets))
	for i, t := range sets {
		tbl, err := o.schema.tableFor(store, t)
		if err != nil {
			return err
		}
		_, file, _ := o.schema.src.TableFor(store, t) // where tbl came from
		specs[i] = pipeline.PlanSpec{TableSpec: pipeline.TableSpec{Table: t, Schema: tbl}, SchemaFile: file}
		if file != "" {
			b, err := readSchemaText(store, file, o.schema.path)
			if err != nil {
				return err
			}
			specs[i].SchemaCQL = string(b)
		}
	}
	pin, framed := store, false
	if o.s3.lastSel != nil {
		pin, framed = o.s3.lastRaw, o.s3.lastSel.Framed
	}
	pf, err := pipeline.MakePlan(ctx, store, pipeline.PlanOptions{Options: po, Tables: specs, Skipped: skipped, Tree: tree,
		Inputs: o.paths, Framed: framed, Shards: f.shards, Pin: pin})
	if err != nil {
		return withHints(classifyPipeline(err))
	}
	b := pf.Marshal()
	if err := o.s3.writeFile(ctx, f.out, b); err != nil {
		return err
	}
	fmt.Fprintf(stdout, "plan %s: %d tables, %d units, %d bytes, now %s → %s\n", pf.ID(), len(pf.Tables), pf.Units, pf.Bytes, pf.NowUTC, f.out)
	return nil
}

// readSchemaText reads the CQL file a table's definition came from: --schema
// from the local disk, a schema.cql beside the SSTables from the store.
func readSchemaText(store storage.Store, file, given string) ([]byte, error) {
	if given != "" && file == given {
		return os.ReadFile(file)
	}
	return store.ReadFile(file, discover.MaxSchemaFile)
}

// absPaths makes local paths absolute: a plan is run from other directories
// and machines.
func absPaths(paths []string) []string {
	out := make([]string, len(paths))
	for i, p := range paths {
		out[i] = p
		if !s3store.IsURL(p) {
			if a, err := filepath.Abs(p); err == nil {
				out[i] = a
			}
		}
	}
	return out
}

// maxPlanFile bounds a plan file read into memory.
const maxPlanFile = 4 << 30

// readPlan reads a plan file, local or s3://.
func (o *s3Options) readPlan(ctx context.Context, file string) (*pipeline.PlanFile, error) {
	var b []byte
	var err error
	if s3store.IsURL(file) {
		var store storage.Store
		if store, err = o.store(ctx, []string{file}); err == nil {
			b, err = store.ReadFile(file, maxPlanFile)
		}
	} else {
		b, err = os.ReadFile(file)
	}
	if err != nil {
		return nil, &UsageError{fmt.Errorf("--plan: %w", err)}
	}
	pf, err := pipeline.ReadPlan(b)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrInput, file, err)
	}
	return pf, nil
}

// writeFile writes a small file, local (through a temporary file and a
// rename) or s3:// (one PUT).
func (o *s3Options) writeFile(ctx context.Context, file string, b []byte) error {
	if s3store.IsURL(file) {
		dir, name := path.Split(strings.TrimSuffix(file, "/"))
		s, err := o.sink(ctx, strings.TrimSuffix(dir, "/"))
		if err != nil {
			return err
		}
		if err := s.Put(ctx, name, b); err != nil {
			return &OutputError{err}
		}
		return nil
	}
	tmp, err := os.CreateTemp(filepath.Dir(file), ".tmp-"+filepath.Base(file)+"-*")
	if err != nil {
		return &OutputError{err}
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return &OutputError{err}
	}
	if err := tmp.Chmod(0o644); err == nil {
		err = tmp.Close()
	}
	if err := os.Rename(tmp.Name(), file); err != nil {
		os.Remove(tmp.Name())
		return &OutputError{err}
	}
	return nil
}
