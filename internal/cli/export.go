package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"runtime"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/aegisthus/aegisthus/internal/pipeline"
	"github.com/aegisthus/aegisthus/internal/sink"
	"github.com/aegisthus/aegisthus/internal/storage"
)

// exportOptions are the flags of `aegisthus export`.
type exportOptions struct {
	out       string
	workers   int
	splitSize string
	baseMax   string // --base-max-record
	now       string
	compress  string
	layout    string
	layoutSet bool // --layout given: no automatic choice
	resume    bool
	overwrite bool
	logFormat string        // the root's --log-format
	logw      *switchWriter // where the run's logs go: stderr, then above the bar
	progEvery time.Duration // --progress-interval
	quiet     bool
	schema    schemaSource
	sel       selectionFlags
	paths     []string
	s3        s3Options
	// filters and extra fields
	columns    []string
	writetime  bool
	ttl        bool
	tokenRange string
	keys       []string
	// incremental runs
	base string
	// many tables
	failFast  bool
	maxErrors int
	// Parquet output (--format parquet)
	format       string
	rowGroupSize string
	compressSet  bool // --compress given: else the format's default
	// a plan file's units (scale.go)
	scale  scaleOptions
	verify bool
}

func (o *exportOptions) AddFlags(fs *pflag.FlagSet) {
	o.s3.AddFlags(fs)
	o.s3.AddBackupFlags(fs)
	o.s3.AddSinkFlags(fs)
	fs.StringVarP(&o.out, "out", "o", "", "output directory or s3://bucket/prefix (required)")
	fs.IntVarP(&o.workers, "workers", "w", runtime.NumCPU(), "units decoded in parallel")
	fs.StringVar(&o.splitSize, "split-size", "256MiB", "target uncompressed SSTable bytes per unit (part file)")
	fs.StringVar(&o.now, "now", "", "evaluate TTLs at this instant (RFC 3339, date or epoch seconds; default: the run's start)")
	fs.StringVar(&o.compress, "compress", "none", "part file compression: none, gzip or zstd; with --format parquet the columns' codec: zstd (its default), snappy, gzip or none")
	fs.StringVar(&o.format, "format", "json", "part file format: json (JSON lines) or parquet (the rows layout as typed columns, docs/parquet.md)")
	fs.StringVar(&o.rowGroupSize, "row-group-size", "64MiB", "with --format parquet, buffered bytes per row group")
	fs.StringVar(&o.layout, "layout", "rows", "output layout: rows (SELECT JSON * per live CQL row), partitions (one lossless record per partition) or aegisthus (Netflix Aegisthus's line per partition)")
	fs.BoolVar(&o.resume, "resume", false, "finish an interrupted run in --out, keeping its committed parts")
	fs.BoolVar(&o.overwrite, "overwrite", false, "replace whatever --out holds")
	fs.BoolVarP(&o.quiet, "quiet", "q", false, "no progress and no summary on success")
	fs.DurationVar(&o.progEvery, "progress-interval", 30*time.Second, "when stderr is not a terminal (or with --log-format json), log a progress line this often (0: never)")
	o.sel.AddFlags(fs)
	fs.StringVar(&o.schema.path, "schema", "", "CQL file with CREATE TYPE/TABLE statements (default: schema.cql beside the SSTables)")
	fs.StringSliceVar(&o.columns, "columns", nil, "print only these non-key columns (comma-separated; key columns are always printed)")
	fs.BoolVar(&o.writetime, "writetime", false, `add "writetime(c)" for every printed non-key column`)
	fs.BoolVar(&o.ttl, "ttl", false, `add "ttl(c)" (seconds left at --now) for every printed non-key column`)
	fs.StringVar(&o.tokenRange, "token-range", "", "only partitions with LO < token <= HI, as LO:HI (either side may be empty)")
	fs.StringArrayVarP(&o.keys, "key", "k", nil, "only this partition key, as dump prints it (repeatable)")
	fs.StringArrayVar(&o.keys, "keys", nil, "only this partition key (deprecated: --key)")
	fs.MarkDeprecated("keys", "use --key")
	fs.StringVar(&o.base, "base", "", "a previous export of the table with --layout partitions (directory or s3:// prefix) to merge with the inputs: an incremental run; with many tables, the previous run's --out (each table pairs with BASE/<keyspace>/<table>/)")
	fs.StringVar(&o.baseMax, "base-max-record", "256MiB", "the most one partition's record in a --base part file may take uncompressed (it is held whole)")
	fs.BoolVar(&o.failFast, "fail-fast", false, "with many tables, stop at the first table that fails (default: finish the others and exit 5)")
	o.scale.AddFlags(fs)
	fs.BoolVar(&o.verify, "verify", false, "before exporting, check every SSTable as verify --extended does (checksums, digest, every partition, row and cell); a failing SSTable fails the table (or is left out under --max-errors)")
	fs.IntVar(&o.maxErrors, "max-errors", 0, "SSTables per table that may fail to open or decode and be left out, each recorded in _manifest.json and _errors.jsonl (0: none, the table fails)")
}

func (o *exportOptions) validate() error {
	if err := o.s3.validateSink(); err != nil {
		return err
	}
	switch {
	case o.out == "":
		return &UsageError{errors.New("--out is required")}
	case o.resume && o.overwrite:
		return &UsageError{errors.New("--resume and --overwrite exclude each other")}
	}
	layout, err := pipeline.ParseLayout(o.layout)
	var format pipeline.Format
	if err == nil {
		format, err = o.formatArg()
	}
	if err == nil && o.compressArg() != "" {
		err = pipeline.ParseFormatCompress(format, o.compressArg())
	}
	if err != nil {
		return &UsageError{wordPipeline(err)}
	}
	if format == pipeline.FormatParquet && o.layoutSet && layout != pipeline.LayoutRows {
		return &UsageError{fmt.Errorf("--format parquet writes the rows layout, not --layout %s", o.layout)}
	}
	if _, err := parseSize(o.rowGroupSize); err != nil && o.rowGroupSize != "" {
		return &UsageError{fmt.Errorf("--row-group-size: %w", err)}
	}
	switch {
	case layout != pipeline.LayoutRows && (len(o.columns) > 0 || o.writetime || o.ttl):
		return &UsageError{fmt.Errorf("--columns, --writetime and --ttl shape the rows layout; the %s layout keeps everything", o.layout)}
	case o.logFormat != "text" && o.logFormat != "json":
		return &UsageError{fmt.Errorf("--log-format %q: want text or json", o.logFormat)}
	case o.progEvery < 0:
		return &UsageError{fmt.Errorf("--progress-interval %s: want 0 or more", o.progEvery)}
	case o.maxErrors < 0:
		return &UsageError{fmt.Errorf("--max-errors %d: want 0 or more", o.maxErrors)}
	case o.workers < 1:
		return &UsageError{fmt.Errorf("--workers %d: want at least 1", o.workers)}
	case o.tokenRange != "" && strings.Count(o.tokenRange, ":") != 1:
		return &UsageError{fmt.Errorf("--token-range %q: want LO:HI", o.tokenRange)}
	case o.base != "" && samePlace(o.base, o.out):
		return &UsageError{fmt.Errorf("--base %s is --out: write the incremental run somewhere else", o.base)}
	}
	if _, err := parseSize(o.splitSize); err != nil {
		return &UsageError{fmt.Errorf("--split-size: %w", err)}
	}
	if n, err := parseSize(o.baseMax); o.baseMax != "" && (err != nil || n > 1<<40) {
		return &UsageError{fmt.Errorf("--base-max-record: %q: want a size up to 1TiB", o.baseMax)}
	}
	return nil
}

func newExportCmd() *cobra.Command {
	o := &exportOptions{}
	cmd := &cobra.Command{
		Use:   "export INPUT... --out DIR",
		Short: "Export a table from every replica's SSTables to JSON lines, merged like a read at ALL",
		Long: `export reads every SSTable of one table from any number of nodes (table,
snapshot or backup directories), cuts the token ring into units of balanced bytes,
merges every version of every cell as Cassandra does for a read at CONSISTENCY
ALL, and writes one JSON object per live CQL row (what SELECT JSON * returns) into
part files. _manifest.json and then _SUCCESS are written only when every part is.

Inputs holding one table are written into --out itself. Inputs holding many
tables (or any selection flag) are written one complete export per table into
--out/<keyspace>/<table>/, on one pool of workers, plus a top-level
_manifest.json with every table's outcome and a top-level _SUCCESS only when
every table succeeded. A table that fails does not stop the others (unless
--fail-fast): the run exits 5, and --resume finishes what is missing.`,
		Example: `  aegisthus export node1/ks/t-1b2c.../snapshots/s1 node2/ks/t-1b2c.../snapshots/s1 --out /tmp/t
  aegisthus export /backups/*/ks/t-* --out /tmp/t --compress zstd --now 2024-06-01T00:00:00Z
  aegisthus export ... --out /tmp/t --resume
  aegisthus export ... --out /tmp/t-parquet --format parquet
  aegisthus export ... --out /data/t-0601 --layout partitions
  aegisthus export node*/ks/t-*/backups --out /data/t-0602 --layout partitions --base /data/t-0601
  aegisthus export node*/data --out /data/all-0602 --layout partitions --base /data/all-0601 --max-errors 1`,
		Args: usageArgs(exportArgs),
		PreRunE: func(cmd *cobra.Command, _ []string) error {
			o.layoutSet = cmd.Flags().Changed("layout")
			o.logFormat = logFormatOf(cmd)
			o.logw = &switchWriter{w: cmd.ErrOrStderr()}
			o.s3.cfg.Log = o.logger(o.logw) // S3 and the SDK log as the export does
			o.compressSet = cmd.Flags().Changed("compress")
			return o.validate()
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.scale.plan != "" {
				return o.runPlan(cmd)
			}
			return runOn(&o.s3, &o.paths, o.run, true)(cmd, args)
		},
	}
	o.AddFlags(cmd.Flags())
	return cmd
}

func (o *exportOptions) logger(stderr io.Writer) *slog.Logger {
	if o.quiet {
		return newLogger(o.logFormat, slog.LevelWarn, stderr)
	}
	return newLogger(o.logFormat, slog.LevelInfo, stderr)
}

func (o *exportOptions) run(ctx context.Context, store storage.Store, stderr io.Writer) error {
	if err := o.validate(); err != nil {
		return err
	}
	if err := o.schema.load(store); err != nil {
		return err
	}
	sets, skipped, notes, err := o.schema.selectTables(store, o.paths, &o.sel)
	if err != nil {
		return err
	}
	if len(sets) > 1 || o.sel.given() {
		return o.runBatch(ctx, store, stderr, sets, skipped, notes)
	}
	tbl, err := o.schema.tableFor(store, sets[0])
	if err != nil {
		return err
	}
	po, out, prog, err := o.start(ctx, stderr)
	if err != nil {
		return err
	}
	po.Table, po.Schema = sets[0], tbl
	sum, err := o.export(ctx, store, out, po)
	prog.finish()
	if err != nil {
		return classifyPipeline(err)
	}
	o.summary(stderr, po.Log, sum)
	return nil
}

// start opens --out and the progress bar, and returns the options every
// table of the run shares, logging above the bar.
func (o *exportOptions) start(ctx context.Context, stderr io.Writer) (pipeline.Options, sink.Sink, *progress, error) {
	po, err := o.pipelineOptions(ctx)
	if err != nil {
		return po, nil, nil, err
	}
	out, err := o.s3.sink(ctx, o.out)
	if err != nil {
		return po, nil, nil, err
	}
	prog := newProgress(stderr, o.quiet || o.logFormat == "json")
	if o.logw == nil { // run without cobra (tests)
		o.logw = &switchWriter{}
	}
	o.logw.set(prog) // lines logged during the run print above the bar
	po.Log, po.Meter = o.logger(o.logw), &pipeline.Meter{}
	if !o.quiet {
		prog.watch(po.Meter, po.Log, o.progEvery)
	}
	return po, out, prog, nil
}

// export prepares the job and runs it, saying which layout it chose for
// legacy SSTables.
func (o *exportOptions) export(ctx context.Context, store storage.Store, out sink.Sink, po pipeline.Options) (*pipeline.Summary, error) {
	job, err := pipeline.Prepare(ctx, store, po)
	if err != nil {
		return nil, err
	}
	defer job.Close()
	if po.Layout == pipeline.LayoutAuto && job.Layout() == pipeline.LayoutAegisthus {
		po.Log.Info("pre-3.0 SSTables without a schema: exporting raw bytes as hex in the aegisthus layout; give --schema FILE.cql for CQL rows",
			"table", po.Table.String(), "layout", job.Layout().String())
	}
	return job.Run(ctx, out)
}
