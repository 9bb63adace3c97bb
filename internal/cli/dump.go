package cli

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/aegisthus/aegisthus/internal/pipeline"
	"github.com/aegisthus/aegisthus/internal/render"
	"github.com/aegisthus/aegisthus/internal/schema"
	"github.com/aegisthus/aegisthus/internal/sstable"
	"github.com/aegisthus/aegisthus/internal/sstable/format"
	"github.com/aegisthus/aegisthus/internal/storage"
)

// dumpOptions are the flags of `aegisthus dump`.
type dumpOptions struct {
	rows     bool
	now      string
	schema   schemaSource
	keys     []string // -k
	excludes []string // -x
	keysOnly bool     // -e
	debug    bool     // -d
	rawTime  bool     // -t
	lines    bool     // -l
	paths    []string
	s3       s3Options
	// spillAt is the renderers' StreamTo threshold (0: their default); tests
	// set it small to check that streaming changes no byte.
	spillAt int
}

func (o *dumpOptions) AddFlags(fs *pflag.FlagSet) {
	o.s3.AddFlags(fs)
	o.s3.AddBackupFlags(fs)
	fs.BoolVar(&o.rows, "rows", false, "print live CQL rows as SELECT JSON * does, one object per line")
	fs.StringVar(&o.now, "now", "", "evaluate TTLs at this instant (RFC 3339, date or epoch seconds; default: now)")
	fs.StringVar(&o.schema.path, "schema", "", "CQL file with CREATE TYPE/TABLE statements naming key and clustering columns")
	fs.StringArrayVarP(&o.keys, "key", "k", nil, "only this partition key (repeatable; as sstabledump prints it, components joined by ':')")
	fs.StringArrayVarP(&o.excludes, "exclude", "x", nil, "skip this partition key (repeatable)")
	fs.BoolVarP(&o.keysOnly, "enumerate-keys", "e", false, "print partition keys only")
	fs.BoolVarP(&o.debug, "debug", "d", false, "one line per row in Cassandra's internal form")
	fs.BoolVarP(&o.rawTime, "raw-timestamps", "t", false, "print raw timestamps instead of ISO-8601 dates")
	fs.BoolVarP(&o.lines, "lines", "l", false, "one JSON object per partition per line")
}

func (o *dumpOptions) validate() error {
	n := 0
	for _, b := range []bool{o.rows, o.keysOnly, o.debug, o.lines} {
		if b {
			n++
		}
	}
	if n > 1 {
		return &UsageError{fmt.Errorf("--rows, -e, -d and -l choose the output form: give at most one")}
	}
	return nil
}

func newDumpCmd() *cobra.Command {
	o := &dumpOptions{}
	cmd := &cobra.Command{
		Use:   "dump PATH...",
		Short: "Print SSTables as sstabledump does, or their live rows with --rows",
		Long: `dump prints each SSTable on its own, nothing merged: by default the JSON array
Cassandra's sstabledump prints (one array per SSTable), with --rows the live CQL
rows as SELECT JSON * returns them at --now. PATH is a Data.db file or any
directory holding SSTables (table, snapshot, backup, keyspace, data directory).`,
		Example: `  aegisthus dump ks/t-1b2c.../nb-1-big-Data.db
  aegisthus dump -l -k 42 ks/t-1b2c.../snapshots/nightly
  aegisthus dump --rows --schema t.cql --now 2024-06-01T00:00:00Z ks/t-1b2c.../snapshots/nightly`,
		Args:    usageArgs(cobra.MinimumNArgs(1)),
		PreRunE: func(*cobra.Command, []string) error { return o.validate() },
		RunE:    runOn(&o.s3, &o.paths, o.run, false),
	}
	o.AddFlags(cmd.Flags())
	return cmd
}

func (o *dumpOptions) run(ctx context.Context, store storage.Store, stdout io.Writer) error {
	if err := o.validate(); err != nil {
		return err
	}
	now, err := parseNow(o.now)
	if err != nil {
		return err
	}
	if err := o.schema.load(store); err != nil {
		return err
	}
	tables, err := findTables(store, o.paths)
	if err != nil {
		return err
	}
	w := bufio.NewWriterSize(stdout, 256<<10)
	// sstabledump ends its array, or its last line with -l, without a newline;
	// one goes between two SSTables' outputs.
	unterminated := false
	for _, t := range tables {
		tbl, err := o.schema.tableFor(store, t)
		if err != nil {
			return err
		}
		for i := range t.SSTables {
			if err := ctx.Err(); err != nil {
				return err
			}
			// sstable2json read a legacy SSTable's atoms without types; so does dump
			// when no schema is given (hex). --rows needs the schema.
			sst, err := openSSTable(store, t, i, sstable.Options{Table: tbl, Raw: !o.rows})
			if err != nil {
				return err
			}
			if unterminated {
				w.WriteByte('\n')
			}
			unterminated = !o.rows && !o.debug && !o.lines && !sst.Desc.Version.IsLegacy()
			wrote := false
			switch {
			case o.rows:
				if tbl == nil {
					nameKeyAsCassandra(sst.Schema)
				}
				err = dumpRows(ctx, w, stdout, sst, now)
			case sst.Desc.Version.IsLegacy():
				err = o.dumpLegacy(ctx, w, stdout, sst, now)
			default:
				wrote, err = o.dumpOne(ctx, w, stdout, sst, now)
				if o.lines {
					unterminated = wrote
				}
			}
			sst.Close()
			if err != nil {
				return err
			}
		}
	}
	if err := w.Flush(); err != nil {
		return &OutputError{err}
	}
	return nil
}

// dumpRows prints the SSTable's live rows as SELECT JSON * returns them
// (--rows), through the export's loop (pipeline.WriteRows).
func dumpRows(ctx context.Context, w *bufio.Writer, stdout io.Writer, sst *sstable.SSTable, now int64) error {
	out, err := direct(w, stdout)
	if err != nil {
		return err
	}
	err = pipeline.WriteRows(ctx, out, []*sstable.SSTable{sst}, now)
	if oe := (*OutputError)(nil); errors.As(err, &oe) {
		return oe // as the write failed, not wrapped in the pipeline's words
	}
	return err
}

// dumpOne prints one SSTable in sstabledump's form: pretty by default (its bytes,
// no newline after the closing bracket), one compact object per line with -l
// (its bytes too: Jackson's MinimalPrettyPrinter("\n") separates the partitions,
// so the last line has no newline). It reports whether it printed a partition.
func (o *dumpOptions) dumpOne(ctx context.Context, w *bufio.Writer, stdout io.Writer, sst *sstable.SSTable, now int64) (bool, error) {
	d := render.NewDump(sst.Schema, o.rawTime, !o.lines, now)
	// The renderer writes out as it goes: memory stays bounded by a row, not
	// by the partition (sstabledump's JSON generator streams too).
	out, err := direct(w, stdout)
	if err != nil {
		return false, err
	}
	d.StreamTo(out, o.spillAt)
	sc := sst.Scanner(0, sst.Chunks.Length())
	var buf []byte
	n := 0 // partitions printed
	if !o.lines && !o.debug {
		buf = d.Begin(buf)
	}
	for sc.NextPartition() {
		if err := ctx.Err(); err != nil {
			return false, err
		}
		key := sc.Partition().Key
		if len(o.keys) > 0 || len(o.excludes) > 0 {
			ks, err := d.KeyString(key)
			if err != nil {
				return false, sst.AtPartition(sc.Partition().Offset, err)
			}
			if !o.selected(ks) {
				continue
			}
		}
		var err error
		switch {
		case o.debug:
			buf, err = d.AppendDebugPartition(buf, sc)
		case o.keysOnly:
			buf, err = d.AppendKey(buf, key)
		default:
			if o.lines && n > 0 {
				buf = append(buf, '\n')
			}
			buf, err = d.AppendPartition(buf, sc)
		}
		if err != nil {
			return false, atPartition(sst, sc.Partition().Offset, err)
		}
		n++
	}
	if err := sc.Err(); err != nil {
		return false, err
	}
	if !o.lines && !o.debug {
		buf = d.End(buf)
	}
	if _, err := w.Write(buf); err != nil {
		return false, &OutputError{err}
	}
	return n > 0, nil
}

// selected applies -k and -x to a partition key as printed.
func (o *dumpOptions) selected(ks string) bool {
	return (len(o.keys) == 0 || slices.Contains(o.keys, ks)) && !slices.Contains(o.excludes, ks)
}

// atPartition names the partition in a rendering error; an error writing the
// output is not the SSTable's and stays as it is.
func atPartition(sst *sstable.SSTable, off int64, err error) error {
	var oe *OutputError
	if errors.As(err, &oe) {
		return err
	}
	return sst.AtPartition(off, err)
}

// direct flushes w and returns its underlying stdout for a renderer's
// StreamTo: the renderer buffers its blocks itself, and a copy through w
// would move every byte of a dump once more.
func direct(w *bufio.Writer, stdout io.Writer) (io.Writer, error) {
	if err := w.Flush(); err != nil {
		return nil, &OutputError{err}
	}
	return outputWriter{stdout}, nil
}

// outputWriter marks its writer's errors as output errors.
type outputWriter struct{ w io.Writer }

func (o outputWriter) Write(p []byte) (int, error) {
	n, err := o.w.Write(p)
	if err != nil {
		err = &OutputError{err}
	}
	return n, err
}

// dumpLegacy prints one pre-3.0 SSTable as Cassandra 2.x's sstable2json did
// (render.Sstable2JSON): every atom in on-disk order, -k and -x selecting
// partitions by their printed key, -e printing the keys one per line.
func (o *dumpOptions) dumpLegacy(ctx context.Context, w *bufio.Writer, stdout io.Writer, sst *sstable.SSTable, now int64) error {
	if o.debug || o.lines {
		return &UsageError{fmt.Errorf("%s: -d and -l are sstabledump's (3.0+); sstable2json, which dump follows for Cassandra 2.x SSTables, had only -k, -x and -e", sst.Path(format.Data))}
	}
	r := render.NewSstable2JSON(sst, now)
	out, err := direct(w, stdout)
	if err != nil {
		return err
	}
	r.StreamTo(out, o.spillAt)
	sc := sst.Atoms(0, sst.Chunks.Length())
	var buf []byte
	n := 0
	if !o.keysOnly {
		buf = append(buf, "[\n"...)
	}
	for sc.NextPartition() {
		if err := ctx.Err(); err != nil {
			return err
		}
		p := sc.Partition()
		ks, err := r.KeyString(p.Key)
		if err != nil {
			return sst.AtPartition(p.Offset, err)
		}
		if !o.selected(ks) {
			continue
		}
		if o.keysOnly {
			buf, err = r.AppendKey(buf, p.Key)
		} else {
			buf, err = r.AppendPartition(buf, sc, n == 0)
		}
		if err != nil {
			return atPartition(sst, p.Offset, err)
		}
		n++
	}
	if err := sc.Err(); err != nil {
		return err
	}
	if !o.keysOnly {
		buf = append(buf, "\n]\n"...)
	}
	if _, err := w.Write(buf); err != nil {
		return &OutputError{err}
	}
	return nil
}

// nameKeyAsCassandra names the key column of a schema read from an SSTable alone
// as Cassandra's tools do. Util.metadataFromSSTable adds it as "PartitionKey"
// through ColumnIdentifier.getInterned(name, false), which lowercases it: the
// column is partitionkey, and SELECT JSON prints it unquoted. The sstable
// package's placeholder keeps its case (the column name export writes).
func nameKeyAsCassandra(s *schema.Table) {
	if len(s.PartitionKey) == 1 && s.PartitionKey[0].Name == "PartitionKey" {
		s.PartitionKey[0].Name = "partitionkey"
	}
}
