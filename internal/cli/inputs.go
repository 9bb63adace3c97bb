package cli

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/aegisthus/aegisthus/internal/cql"
	"github.com/aegisthus/aegisthus/internal/discover"
	"github.com/aegisthus/aegisthus/internal/sstable"
	"github.com/aegisthus/aegisthus/internal/storage"
	s3store "github.com/aegisthus/aegisthus/internal/storage/s3"
)

// maxSchemaFile bounds a --schema file.
const maxSchemaFile = 16 << 20

// schemaSource holds --schema and picks the table definition for each table found.
type schemaSource struct {
	path   string
	parsed *cql.Schema
}

func (s *schemaSource) load(store storage.Store) error {
	if s.path == "" {
		return nil
	}
	b, err := os.ReadFile(s.path)
	if err != nil {
		return &UsageError{fmt.Errorf("--schema: %w", err)}
	}
	if len(b) > maxSchemaFile {
		return &UsageError{fmt.Errorf("--schema %s: larger than %d bytes", s.path, maxSchemaFile)}
	}
	if s.parsed, err = cql.ParseSchema(string(b)); err != nil {
		return &UsageError{fmt.Errorf("--schema %s: %w", s.path, err)}
	}
	return nil
}

// tableFor returns the CQL definition for t: from --schema (by name, or the only
// table it defines), else from a schema.cql found beside the SSTables, else nil.
func (s *schemaSource) tableFor(store storage.Store, t *discover.SSTableSet) (*cql.Table, error) {
	if s.parsed != nil {
		if tbl := pickTable(s.parsed, t); tbl != nil {
			return tbl, nil
		}
		return nil, &UsageError{fmt.Errorf("--schema %s defines no table %s", s.path, t)}
	}
	for _, f := range t.SchemaFiles {
		b, err := store.ReadFile(f, maxSchemaFile)
		if err != nil {
			return nil, err
		}
		sc, err := cql.ParseSchema(string(b))
		if err != nil {
			return nil, fmt.Errorf("%s: %w: %w", f, ErrInput, err)
		}
		if tbl := pickTable(sc, t); tbl != nil {
			return tbl, nil
		}
	}
	return nil, nil
}

func pickTable(sc *cql.Schema, t *discover.SSTableSet) *cql.Table {
	if len(sc.Tables) == 1 {
		return sc.Tables[0]
	}
	for _, tbl := range sc.Tables {
		if tbl.Name == t.Name && (tbl.Keyspace == "" || tbl.Keyspace == t.Keyspace) {
			return tbl
		}
	}
	return nil
}

// findTables discovers the SSTables under paths, mapping a missing path to a usage error.
func findTables(store storage.Store, paths []string) ([]*discover.SSTableSet, error) {
	for _, p := range paths {
		if s3store.IsURL(p) {
			continue // an empty prefix shows up as no sstables found
		}
		if _, err := os.Stat(p); err != nil && errors.Is(err, fs.ErrNotExist) {
			return nil, fmt.Errorf("%s: %w: no such file or directory", p, ErrInput)
		}
	}
	tables, err := discover.Find(store, paths)
	var se *s3store.Error
	if errors.Is(err, discover.ErrNoSSTables) || errors.As(err, &se) {
		return nil, fmt.Errorf("%w: %w", ErrInput, err)
	}
	return tables, err
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
		p, store, err := s3.inputs(cmd.Context(), args)
		if err != nil {
			return err
		}
		*paths = p
		w := cmd.OutOrStdout()
		if toStderr {
			w = cmd.ErrOrStderr()
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

// parseSize reads sizes like 256MiB, 1GB, 1048576.
func parseSize(s string) (int64, error) {
	s = strings.TrimSpace(s)
	mult := int64(1)
	for _, u := range []struct {
		suffix string
		m      int64
	}{{"KiB", 1 << 10}, {"MiB", 1 << 20}, {"GiB", 1 << 30}, {"TiB", 1 << 40}, {"KB", 1e3}, {"MB", 1e6}, {"GB", 1e9}, {"TB", 1e12}, {"K", 1 << 10}, {"M", 1 << 20}, {"G", 1 << 30}, {"B", 1}} {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSpace(strings.TrimSuffix(s, u.suffix)), u.m
			break
		}
	}
	var n int64
	if _, err := fmt.Sscanf(s, "%d", &n); err != nil || fmt.Sprint(n) != s || n <= 0 {
		return 0, fmt.Errorf("%q is not a size (like 256MiB)", s)
	}
	return n * mult, nil
}
