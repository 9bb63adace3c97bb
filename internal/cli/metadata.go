package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/aegisthus/aegisthus/internal/cql/cqlparse"
	"github.com/aegisthus/aegisthus/internal/inspect"
	"github.com/aegisthus/aegisthus/internal/sstable/format"
	"github.com/aegisthus/aegisthus/internal/storage"
)

// metadataOptions are the flags of `aegisthus metadata`.
type metadataOptions struct {
	json     bool
	gcGrace  int
	now      string
	noSchema bool
	text     inspect.TextOptions // -c, -u, -t
	scan     bool                // -s
	schema   schemaSource
	paths    []string
	s3       s3Options
}

func (o *metadataOptions) AddFlags(fs *pflag.FlagSet) {
	o.s3.AddFlags(fs)
	o.s3.AddBackupFlags(fs)
	fs.BoolVar(&o.json, "json", false, "print one JSON object per SSTable instead of sstablemetadata's text")
	fs.IntVarP(&o.gcGrace, "gc-grace-seconds", "g", 0, "gc_grace_seconds for the estimated droppable tombstones (sstablemetadata -g)")
	fs.StringVar(&o.now, "now", "", "estimate droppable tombstones at this instant (RFC 3339, date or epoch seconds; default: now)")
	fs.BoolVar(&o.noSchema, "no-schema", false, "do not print the serialization header as CREATE TABLE")
	fs.StringVar(&o.schema.path, "schema", "", "CQL file with CREATE TYPE/TABLE statements naming key and clustering columns")
	// sstablemetadata's own flags, spelled as it spells them, for its scripts.
	fs.IntVar(&o.gcGrace, "gc_grace_seconds", 0, "sstablemetadata's spelling of --gc-grace-seconds")
	fs.BoolVarP(&o.scan, "scan", "s", false, "read all the data: partition, row, tombstone and cell counts, widest and largest partitions (sstablemetadata -s)")
	fs.StringVarP(&o.text.TimestampUnit, "timestamp_unit", "t", "MICROSECONDS", "TimeUnit cell timestamps are written in (sstablemetadata -t; it applies it to EncodingStats minTimestamp only)")
	fs.BoolVarP(&o.text.Unicode, "unicode", "u", false, "draw histogram bars and the scan's progress with Unicode blocks (sstablemetadata -u)")
	fs.BoolVarP(&o.text.Color, "colors", "c", false, "use ANSI colours (sstablemetadata -c)")
}

func (o *metadataOptions) validate() error {
	if o.text.TimestampUnit != "" && !slices.Contains(inspect.TimeUnits, o.text.TimestampUnit) {
		return &UsageError{fmt.Errorf("--timestamp_unit %q: want one of %s", o.text.TimestampUnit, strings.Join(inspect.TimeUnits, ", "))}
	}
	if o.gcGrace < 0 {
		return &UsageError{fmt.Errorf("--gc-grace-seconds %d: want >= 0", o.gcGrace)}
	}
	_, err := parseNow(o.now)
	return err
}

func newMetadataCmd() *cobra.Command {
	o := &metadataOptions{}
	cmd := &cobra.Command{
		Use:   "metadata PATH...",
		Short: "Print what sstablemetadata prints: Statistics.db, key range, histograms, header",
		Long: `metadata prints, for every SSTable found under the paths, the fields Cassandra 5.0's
sstablemetadata prints, with the same labels, followed by the serialization header as
a CREATE TABLE statement (placeholder names for key and clustering columns unless
--schema names them). Dates are printed in UTC.

sstablemetadata's flags do what they do there: -s/--scan reads all the data and
prints its size, partition, row, tombstone and cell counts and the widest, largest
and most deleted partitions; -c/--colors colours the labels; -u/--unicode draws bars
with Unicode blocks; -t/--timestamp_unit names the TimeUnit of cell timestamps
(sstablemetadata applies it to "EncodingStats minTimestamp" only);
-g/--gc_grace_seconds shifts the droppable-tombstone estimate.

--json prints one object per SSTable and line instead. Its fields: sstable, version,
partitioner, bloom_filter_fp_chance, min_timestamp, max_timestamp,
min_local_deletion_time, max_local_deletion_time (null: no tombstones), compressor,
compression_ratio, min_ttl, max_ttl, first_token, first_key, last_token, last_key,
min_clustering_values, max_clustering_values, covered_clusterings,
estimated_droppable_tombstones, sstable_level, repaired_at, originating_host_id,
pending_repair, replay_positions_covered, total_columns_set, total_rows,
tombstone_drop_times, partition_sizes, column_counts, estimated_cardinality,
encoding_stats, key_type, clustering_types, static_columns, regular_columns,
is_transient, create_table.`,
		Example: `  aegisthus metadata ks/t-1b2c.../nb-1-big-Data.db
  aegisthus metadata --json -g 864000 /var/lib/cassandra/data/ks/t-1b2c...
  aegisthus metadata -s -u ks/t-1b2c.../nb-1-big-Data.db`,
		Args:    usageArgs(cobra.MinimumNArgs(1)),
		PreRunE: func(*cobra.Command, []string) error { return o.validate() },
		RunE:    runOn(&o.s3, &o.paths, o.run, false),
	}
	o.AddFlags(cmd.Flags())
	completeValues(cmd, "timestamp_unit", inspect.TimeUnits...)
	return cmd
}

func (o *metadataOptions) run(ctx context.Context, store storage.Store, stdout io.Writer) error {
	if err := o.validate(); err != nil {
		return err
	}
	now, _ := parseNow(o.now)
	if err := o.schema.load(store); err != nil {
		return err
	}
	tables, err := findTables(store, o.paths)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(stdout)
	for _, t := range tables {
		var tbl *cqlparse.Table
		if !o.noSchema {
			if tbl, err = o.schema.tableFor(store, t); err != nil {
				return err
			}
		}
		for _, d := range t.SSTables {
			if err := ctx.Err(); err != nil {
				return err
			}
			m, err := inspect.ReadMetadata(store, d, tbl, now-int64(o.gcGrace))
			if err != nil {
				return err
			}
			if o.noSchema {
				m.CreateTable = ""
			}
			if o.json {
				b, err := json.Marshal(m)
				if err != nil {
					return err
				}
				w.Write(b)
				w.WriteByte('\n')
			} else {
				if err := o.writeText(w, store, d, m); err != nil {
					return err
				}
			}
		}
	}
	if err := w.Flush(); err != nil {
		return &OutputError{err}
	}
	return nil
}

// writeText prints m as sstablemetadata does with its flags; -s reads the data.
func (o *metadataOptions) writeText(w *bufio.Writer, store storage.Store, d format.Descriptor, m *inspect.Metadata) error {
	text := o.text
	if o.scan {
		s, err := inspect.ScanSSTable(store, d, m.TotalColumnsSet)
		if err != nil {
			return err
		}
		text.Scan = s
	}
	m.WriteTextWith(w, text)
	return nil
}
