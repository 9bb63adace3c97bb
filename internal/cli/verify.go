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
	quiet   bool
	verbose bool
	json    bool
	paths   []string
	s3      s3Options
}

func (o *verifyOptions) AddFlags(fs *pflag.FlagSet) {
	o.s3.AddFlags(fs)
	o.s3.AddBackupFlags(fs)
	fs.BoolVarP(&o.quiet, "quiet", "q", false, "print nothing when every SSTable is intact (failures are still listed)")
	fs.BoolVarP(&o.verbose, "verbose", "v", false, "print one line per SSTable checked, and why chunks were not checked")
	fs.BoolVar(&o.json, "json", false, "print the report as one JSON object")
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
.sha1), that Statistics.db parses and matches its checksums (na and later), and that
every component TOC.txt lists exists. It lists every failure, one per line, and exits
with 1 when there is any.`,
		Example: `  aegisthus verify /var/lib/cassandra/data/ks
  aegisthus verify --json ks/t-1b2c.../nb-1-big-Data.db`,
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
	tables, err := findTables(store, o.paths)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(stdout)
	rep := &inspect.VerifyReport{SSTables: []*inspect.VerifyResult{}}
	for _, t := range tables {
		for _, d := range t.SSTables {
			if err := ctx.Err(); err != nil {
				return err
			}
			res, err := inspect.Verify(ctx, store, d)
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
