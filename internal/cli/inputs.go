package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/dustin/go-humanize"
	"github.com/spf13/cobra"

	"github.com/aegisthus/aegisthus/internal/cql/cqlparse"
	"github.com/aegisthus/aegisthus/internal/discover"
	"github.com/aegisthus/aegisthus/internal/sstable"
	"github.com/aegisthus/aegisthus/internal/storage"
	s3store "github.com/aegisthus/aegisthus/internal/storage/s3"
)

// schemaSource holds --schema and picks the table definition for each table
// found (discover.SchemaSource); a --schema of one table defines whichever
// table a single-table command reads.
type schemaSource struct {
	path string
	src  *discover.SchemaSource
}

func (s *schemaSource) load(store storage.Store) error {
	s.src = &discover.SchemaSource{AnyName: true}
	if s.path == "" {
		return nil
	}
	src, err := discover.LoadSchema(s.path)
	if err != nil {
		return &UsageError{fmt.Errorf("--schema: %w", err)}
	}
	src.AnyName = true
	s.src = src
	return nil
}

// tableFor returns the CQL definition for t: from --schema (by name, or the only
// table it defines), else from a schema.cql found beside the SSTables, else nil.
func (s *schemaSource) tableFor(store storage.Store, t *discover.SSTableSet) (*cqlparse.Table, error) {
	tbl, _, err := s.src.TableFor(store, t)
	switch {
	case errors.Is(err, discover.ErrNotInSchema):
		return nil, &UsageError{fmt.Errorf("--schema %w", err)}
	case errors.Is(err, discover.ErrBadSchema):
		return nil, fmt.Errorf("%w: %w", ErrInput, err)
	}
	return tbl, err
}

// findTables discovers the SSTables under paths, mapping a missing path to a usage error.
func findTables(store storage.Store, paths []string) ([]*discover.SSTableSet, error) {
	if err := checkPaths(store, paths); err != nil {
		return nil, err
	}
	tables, err := discover.Find(store, paths)
	return tables, wordDiscover(err)
}

// scanBackup discovers every table under paths (discover.Scan).
func scanBackup(store storage.Store, paths []string) (*discover.Inventory, error) {
	if err := checkPaths(store, paths); err != nil {
		return nil, err
	}
	inv, err := discover.Scan(store, paths)
	return inv, wordDiscover(err)
}

// checkPaths fails on a local path that does not exist (a backup tool's
// objects shown at virtual paths exist).
func checkPaths(store storage.Store, paths []string) error {
	virtual, _ := store.(interface{ Virtual(string) bool })
	for _, p := range paths {
		if s3store.IsURL(p) || virtual != nil && virtual.Virtual(p) {
			continue // an empty prefix shows up as no sstables found
		}
		if _, err := os.Stat(p); err != nil && errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("%s: %w: no such file or directory", p, ErrInput)
		}
	}
	return nil
}

// wordDiscover classifies discovery errors: no SSTables, or S3 failing, is bad input.
func wordDiscover(err error) error {
	var se *s3store.Error
	if errors.Is(err, discover.ErrNoSSTables) || errors.As(err, &se) {
		return fmt.Errorf("%w: %w", ErrInput, err)
	}
	return err
}

// openSSTable opens one SSTable, classifying a missing component as bad input.
func openSSTable(store storage.Store, t *discover.SSTableSet, i int, opts sstable.Options) (*sstable.SSTable, error) {
	sst, err := sstable.Open(store, t.SSTables[i], opts)
	if err != nil {
		if errors.Is(err, sstable.ErrMissingComponent) || errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%w: %w", ErrInput, err)
		}
		return nil, err
	}
	return sst, nil
}

// parseNow reads --now: RFC 3339, a date, or seconds since the epoch; empty is now.
func parseNow(s string) (int64, error) {
	if s == "" {
		return time.Now().Unix(), nil
	}
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, s); err == nil {
			return t.Unix(), nil
		}
	}
	var secs int64
	if _, err := fmt.Sscanf(s, "%d", &secs); err == nil && fmt.Sprint(secs) == s {
		return secs, nil
	}
	return 0, &UsageError{fmt.Errorf("--now %q: want RFC 3339 (2024-01-02T15:04:05Z), a date, or seconds since the epoch", s)}
}

// runOn is the RunE of every command that reads SSTables: it resolves the
// arguments (local paths or s3:// URLs) into paths and a store, stores the paths,
// and runs. Output goes to stdout, or to stderr for commands whose stdout is data.
func runOn(s3 *s3Options, paths *[]string, run func(ctx context.Context, store storage.Store, w io.Writer) error, toStderr bool) func(*cobra.Command, []string) error {
	return func(cmd *cobra.Command, args []string) error {
		if s3.cfg.Log == nil { // the S3 client's and the SDK's lines, in the run's log format
			s3.cfg.Log = newLogger(logFormatOf(cmd), slog.LevelInfo, cmd.ErrOrStderr())
		}
		p, store, err := s3.inputs(cmd.Context(), args)
		if err != nil {
			return err
		}
		*paths = p
		w := cmd.OutOrStdout()
		if toStderr {
			w = cmd.ErrOrStderr()
		} else {
			growPipe(w)
		}
		return withHints(run(cmd.Context(), store, w))
	}
}

// withHints adds to err what the command line can do about it: the flag that
// gives what the input lacks. Lower packages say what is missing, not how to
// spell it on this command line.
func withHints(err error) error {
	if errors.Is(err, sstable.ErrNeedsSchema) && !errors.As(err, new(*rewordedError)) {
		return &rewordedError{msg: err.Error() + " (--schema FILE.cql)", err: err}
	}
	return err
}

// parseSize reads a size: IEC (256MiB, 1.5GiB, 16KiB) or SI (64MB, 1GB, 64k
// = 64,000), case-insensitive, fractional, or plain bytes (go-humanize's
// ParseBytes). A size is at least one byte and at most 2^62.
func parseSize(s string) (int64, error) {
	n, err := humanize.ParseBytes(strings.TrimSpace(s))
	if err != nil || n == 0 || n > 1<<62 {
		return 0, fmt.Errorf("%q is not a size (like 256MiB, 1.5GiB or 64MB)", s)
	}
	return int64(n), nil
}

// iec prints a byte count in IEC units (KiB, MiB), as every size aegisthus
// prints is.
func iec(n int64) string { return humanize.IBytes(uint64(max(n, 0))) }
