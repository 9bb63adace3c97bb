// Package discover turns the paths a user gives (Data.db files, table, snapshot,
// backup, keyspace or whole data directories) into SSTables grouped by table.
package discover

import (
	"cmp"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/aegisthus/aegisthus/internal/sstable/format"
	"github.com/aegisthus/aegisthus/internal/storage"
)

// ErrNoSSTables is returned when a path holds no SSTable.
var ErrNoSSTables = errors.New("no sstables found")

// SSTableSet is the SSTables of one table found on every path given: a set of
// files, not a schema (that is schema.Table).
type SSTableSet struct {
	Keyspace, Name string
	IDs            []string // table ids seen in directory names (ks/name-<id>)
	SSTables       []format.Descriptor
	// SchemaFiles are schema.cql files found beside the SSTables (snapshots have one).
	SchemaFiles []string
}

// String names the table as ks.name (or the first SSTable's directory).
func (t *SSTableSet) String() string {
	if t.Keyspace == "" && t.Name == "" {
		if len(t.SSTables) > 0 {
			return t.SSTables[0].Dir
		}
		return "?"
	}
	return t.Keyspace + "." + t.Name
}

// Find walks every path and groups what it finds. Below a path it skips
// snapshots/ and backups/ directories (they would repeat the live SSTables) and
// hidden directories (secondary indexes), unless the path itself is inside one.
// Temporary and unparsable file names are skipped; a path without any SSTable is
// an error naming it.
func Find(store storage.Store, paths []string) ([]*SSTableSet, error) {
	tables := map[string]*SSTableSet{}
	seen := map[string]bool{}
	for _, root := range paths {
		found := 0
		var skipped []string // snapshots/<tag> and backups directories passed over, for the error
		err := store.Walk(root, func(path string, size int64) error {
			rel, err := filepath.Rel(root, path)
			if err != nil {
				rel = path
			}
			parts := strings.Split(filepath.ToSlash(rel), "/")
			for i, p := range parts[:len(parts)-1] {
				if p == "snapshots" || p == "backups" || strings.HasPrefix(p, ".") {
					if p != "snapshots" && p != "backups" || !strings.HasSuffix(path, "-Data.db") {
						return nil
					}
					dir := strings.Join(parts[:i+1], "/")
					if p == "snapshots" && i+1 < len(parts)-1 {
						dir += "/" + parts[i+1]
					}
					if !slices.Contains(skipped, dir) && len(skipped) < 4 {
						skipped = append(skipped, dir)
					}
					return nil
				}
			}
			base := filepath.Base(path)
			if base == "schema.cql" {
				t := getTable(tables, dirKey(filepath.Dir(path)))
				t.SchemaFiles = append(t.SchemaFiles, path)
				return nil
			}
			d, comp, err := format.ParseName(path)
			if err != nil || comp != format.Data {
				return nil
			}
			if seen[d.Path(format.Data)] {
				return nil
			}
			seen[d.Path(format.Data)] = true
			found++
			t := getTable(tables, tableKey(d))
			t.Keyspace, t.Name = d.Keyspace, d.Table
			if id := tableID(d.Dir); id != "" && !slices.Contains(t.IDs, id) {
				t.IDs = append(t.IDs, id)
			}
			t.SSTables = append(t.SSTables, d)
			return nil
		})
		if err != nil {
			return nil, err
		}
		if found == 0 {
			// A single component of an SSTable names its SSTable.
			if d, _, err := format.ParseName(root); err == nil && store.Exists(d.Path(format.Data)) {
				if !seen[d.Path(format.Data)] {
					seen[d.Path(format.Data)] = true
					t := getTable(tables, tableKey(d))
					t.Keyspace, t.Name = d.Keyspace, d.Table
					t.SSTables = append(t.SSTables, d)
				}
				continue
			}
			if len(skipped) > 0 {
				for i, d := range skipped {
					// Not filepath.Join: it would turn s3://b/x into s3:/b/x.
					skipped[i] = strings.TrimSuffix(root, "/") + "/" + d
				}
				return nil, fmt.Errorf("%s: %w outside snapshots and backups; name the one to read: %s",
					root, ErrNoSSTables, strings.Join(skipped, ", "))
			}
			return nil, fmt.Errorf("%s: %w", root, ErrNoSSTables)
		}
	}
	var out []*SSTableSet
	for _, t := range tables {
		if len(t.SSTables) == 0 {
			continue
		}
		slices.SortFunc(t.SSTables, func(a, b format.Descriptor) int {
			if c := cmp.Compare(a.Dir, b.Dir); c != 0 {
				return c
			}
			if format.GenerationLess(a.Generation, b.Generation) {
				return -1
			}
			if format.GenerationLess(b.Generation, a.Generation) {
				return 1
			}
			return 0
		})
		out = append(out, t)
	}
	slices.SortFunc(out, func(a, b *SSTableSet) int { return cmp.Compare(a.String(), b.String()) })
	return out, nil
}

func getTable(m map[string]*SSTableSet, key string) *SSTableSet {
	t, ok := m[key]
	if !ok {
		t = &SSTableSet{}
		m[key] = t
	}
	return t
}

// tableKey groups SSTables of one table: keyspace and table name as the file name
// (legacy) or the directory layout (<ks>/<table>[-<id>]/...) give them.
func tableKey(d format.Descriptor) string {
	if d.Keyspace == "" || d.Table == "" {
		return "dir:" + d.Dir
	}
	return d.Keyspace + "." + d.Table
}

// dirKey is tableKey for a directory (where a schema.cql sits).
func dirKey(dir string) string {
	d, _, err := format.ParseName(filepath.Join(dir, "nb-1-big-Data.db"))
	if err != nil {
		return "dir:" + dir
	}
	return tableKey(d)
}

func tableID(dir string) string {
	parts := strings.Split(filepath.ToSlash(filepath.Clean(dir)), "/")
	for i := len(parts) - 1; i >= 0; i-- {
		p := parts[i]
		if j := strings.LastIndexByte(p, '-'); j > 0 && len(p)-j-1 == 32 {
			return p[j+1:]
		}
	}
	return ""
}
