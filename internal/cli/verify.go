package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/aegisthus/aegisthus/internal/inspect"
	"github.com/aegisthus/aegisthus/internal/storage"
)

// verifyOptions are the flags of `aegisthus verify`.
type verifyOptions struct {
	quiet    bool
	verbose  bool
	json     bool
	extended bool
	schema   schemaSource
	paths    []string
	s3       s3Options
}

func (o *verifyOptions) AddFlags(fs *pflag.FlagSet) {
	o.s3.AddFlags(fs)
	o.s3.AddBackupFlags(fs)
	fs.BoolVarP(&o.quiet, "quiet", "q", false, "print nothing when every SSTable is intact (failures are still listed)")
	fs.BoolVarP(&o.verbose, "verbose", "v", false, "print one line per SSTable checked, and why chunks were not checked")
	fs.BoolVar(&o.json, "json", false, "print the report as one JSON object")
	fs.BoolVarP(&o.extended, "extended", "e", false, "also read every partition, row and cell (sstableverify -e): token, key and clustering order, index positions, range tombstone pairs, value widths")
	fs.StringVar(&o.schema.path, "schema", "", "CQL file with the table's CREATE TYPE/TABLE statements (--extended on pre-3.0 SSTables needs it)")
}

func (o *verifyOptions) validate() error {
	if o.quiet && o.verbose {
		return &UsageError{errors.New("--quiet and --verbose are mutually exclusive")}
	}
	return nil
}

func newVerifyCmd() *cobra.Command {
	o := &verifyOptions{}
	cmd := &cobra.Command{
		Use:   "verify PATH...",
		Short: "Check every chunk checksum, the Data.db digest, Statistics.db and TOC.txt of SSTables",
		Long: `verify checks, for every SSTable found under the paths, what sstableverify checks
without reading rows: every chunk checksum of Data.db (CompressionInfo.db chunks, or
CRC.db for an uncompressed Data.db), the whole-file digest (Digest.crc32, .adler32 or
.sha1), that Statistics.db parses and matches its checksums (na and later), that every
component TOC.txt lists exists, and that the partition index, which has no checksum,
points at the partitions it names: each Index.db entry's position holds a partition
with the entry's key, each Partitions.db position a partition whose key extends the
trie's path to it and has its hash byte (and equals Rows.db's key where Rows.db has
one), and each Summary.db sample an Index.db entry with the sample's key (its first
and last keys Index.db's). With --extended it also reads Data.db through, as
sstableverify -e does: every
partition in token and key order and at the position the partition index gives, every
row and range tombstone marker in clustering order, range tombstones opened and closed
in pairs with one deletion time, and every key, clustering and cell value valid for
its type. It lists every failure, one per line (file, offset, what was wrong), and
exits with 1 when there is any.`,
		Example: `  aegisthus verify /var/lib/cassandra/data/ks
  aegisthus verify --json ks/t-1b2c.../nb-1-big-Data.db
  aegisthus verify --extended /var/lib/cassandra/data/ks/t-1b2c.../snapshots/nightly`,
		Args:    usageArgs(cobra.MinimumNArgs(1)),
		PreRunE: func(*cobra.Command, []string) error { return o.validate() },
		RunE:    runOn(&o.s3, &o.paths, o.run, false),
	}
	o.AddFlags(cmd.Flags())
	return cmd
}

func (o *verifyOptions) run(ctx context.Context, store storage.Store, stdout io.Writer) error {
	if err := o.validate(); err != nil {
		return err
	}
	if err := o.schema.load(store); err != nil {
		return err
	}
	tables, err := findTables(store, o.paths)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(stdout)
	rep := &inspect.VerifyReport{SSTables: []*inspect.VerifyResult{}}
	for _, t := range tables {
		vo := inspect.VerifyOptions{Extended: o.extended}
		if o.extended {
			if vo.Table, err = o.schema.tableFor(store, t); err != nil {
				return err
			}
		}
		for _, d := range t.SSTables {
			if err := ctx.Err(); err != nil {
				return err
			}
			res, err := inspect.VerifyWith(ctx, store, d, vo)
			if err != nil {
				return err
			}
			rep.Add(res)
			if o.json {
				continue
			}
			for _, f := range res.Failures {
				fmt.Fprintln(w, f.Error)
			}
			if o.verbose {
				status := "ok"
				if len(res.Failures) > 0 {
					status = fmt.Sprintf("%d failures", len(res.Failures))
				}
				fmt.Fprintf(w, "%s: %s: %d chunks, digest %s\n", res.Path, status, res.Chunks, orDash(res.Digest))
				if res.Unchecked != "" {
					fmt.Fprintf(w, "%s: note: %s\n", res.Path, res.Unchecked)
				}
				if e := res.Extended; e != nil && e.Skipped != "" {
					fmt.Fprintf(w, "%s: note: not read through: %s\n", res.Path, e.Skipped)
				} else if e != nil {
					fmt.Fprintf(w, "%s: read %d partitions, %d rows, %d range tombstone markers, %d cells\n", res.Path, e.Partitions, e.Rows, e.Markers, e.Cells)
				}
			}
		}
	}
	if o.json {
		b, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			return err
		}
		w.Write(b)
		w.WriteByte('\n')
	} else if !o.quiet || rep.Failures > 0 {
		fmt.Fprintf(w, "verified %d sstables, %d chunks, %d failures\n", rep.Verified, rep.Chunks, rep.Failures)
	}
	if err := w.Flush(); err != nil {
		return &OutputError{err}
	}
	if rep.Failures > 0 {
		return fmt.Errorf("%w: verification failed: %d failures in %d sstables", ErrInput, rep.Failures, rep.Failed())
	}
	return nil
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
