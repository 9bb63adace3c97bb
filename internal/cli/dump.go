package cli

import (
	"bufio"
	"context"
	"fmt"
	"io"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/aegisthus/aegisthus/internal/merge"
	"github.com/aegisthus/aegisthus/internal/render"
	"github.com/aegisthus/aegisthus/internal/sstable"
	"github.com/aegisthus/aegisthus/internal/storage"
	"github.com/aegisthus/aegisthus/internal/table"
)

// dumpOptions are the flags of `aegisthus dump`.
type dumpOptions struct {
	rows   bool
	now    string
	schema schemaSource
	paths  []string
}

func (o *dumpOptions) AddFlags(fs *pflag.FlagSet) {
	fs.BoolVar(&o.rows, "rows", false, "print live CQL rows as SELECT JSON * does, one object per line")
	fs.StringVar(&o.now, "now", "", "evaluate TTLs at this instant (RFC 3339, date or epoch seconds; default: now)")
	fs.StringVar(&o.schema.path, "schema", "", "CQL file with CREATE TYPE/TABLE statements naming key and clustering columns")
}

func newDumpCmd() *cobra.Command {
	o := &dumpOptions{}
	cmd := &cobra.Command{
		Use:   "dump PATH...",
		Short: "Print SSTables as sstabledump does, or their live rows with --rows",
		Example: `  aegisthus dump --rows --schema t.cql ks/t-1b2c.../nb-1-big-Data.db
  aegisthus dump --rows --now 2024-06-01T00:00:00Z ks/t-1b2c.../snapshots/nightly`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.paths = args
			return o.run(cmd.Context(), storage.Local{}, cmd.OutOrStdout())
		},
	}
	o.AddFlags(cmd.Flags())
	return cmd
}

func (o *dumpOptions) run(ctx context.Context, store storage.Store, stdout io.Writer) error {
	if !o.rows {
		return &UsageError{fmt.Errorf("dump without --rows (sstabledump output) is not implemented yet")}
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
	for _, t := range tables {
		tbl, err := o.schema.tableFor(store, t)
		if err != nil {
			return err
		}
		for i := range t.SSTables {
			if err := ctx.Err(); err != nil {
				return err
			}
			sst, err := openSSTable(store, t, i, tbl)
			if err != nil {
				return err
			}
			err = exportRows(w, []*sstable.SSTable{sst}, now)
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

// exportRows merges SSTables of one table and prints their live rows; with one
// SSTable it is dump --rows.
func exportRows(w *bufio.Writer, ssts []*sstable.SSTable, now int64) error {
	t, err := table.Build(ssts)
	if err != nil {
		return err
	}
	inputs := make([]merge.Input, len(ssts))
	for i, sst := range ssts {
		inputs[i] = t.Input(sst, 0, sst.Chunks.Length())
	}
	sst := ssts[0]
	m := merge.New(t.Merge(), inputs)
	r := render.NewRows(t, now)
	var line []byte
	for m.NextPartition() {
		if err := r.StartPartition(m.Partition().Key); err != nil {
			return fmt.Errorf("%s: partition key %x: %w", sst.Path("Data.db"), m.Partition().Key, err)
		}
		for m.NextRow() {
			if line, _, err = r.AppendRow(line[:0], m.Row()); err != nil {
				return fmt.Errorf("%s: %w", sst.Path("Data.db"), err)
			}
			if _, err := w.Write(line); err != nil {
				return &OutputError{err}
			}
		}
		if err := m.Err(); err != nil {
			return err
		}
		if line, _, err = r.EndPartition(line[:0]); err != nil {
			return err
		}
		if _, err := w.Write(line); err != nil {
			return &OutputError{err}
		}
	}
	return m.Err()
}
