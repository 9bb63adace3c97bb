// Package discover turns the paths a user gives (Data.db files, table, snapshot,
// backup, keyspace or whole data directories) into SSTables grouped by table.
package discover

import (
	"cmp"
	"errors"
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
	// ID is the table id (the 32 hex digits of a <table>-<id> directory), ""
	// when no directory names one.
	ID string
	// IDs are every table id seen (Find merges generations; Scan keeps one).
	IDs []string
	// Dirs are the directories its SSTables were found in (one per node and snapshot).
	Dirs     []string
	SSTables []format.Descriptor
	// SchemaFiles are schema.cql files found beside the SSTables (snapshots have one).
	SchemaFiles []string
	View        bool  // a materialized view (its schema.cql says CREATE MATERIALIZED VIEW)
	DataBytes   int64 // the sum of the Data.db sizes
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

// Find walks every path and groups what it finds by ks.table, as Scan does,
// except that every generation of a table (its ids) comes back as one set: the
// commands that read SSTables one by one (dump, verify, metadata, inspect) read
// what they are given.
func Find(store storage.Store, paths []string) ([]*SSTableSet, error) {
	inv, err := Scan(store, paths)
	if err != nil {
		return nil, err
	}
	byName := map[string]*SSTableSet{}
	var out []*SSTableSet
	for _, list := range [][]*SSTableSet{inv.Tables, inv.Superseded, inv.Ambiguous} {
		for _, t := range list {
			m := byName[t.String()]
			if m == nil {
				byName[t.String()] = t
				out = append(out, t)
				continue
			}
			m.IDs = appendNew(m.IDs, t.IDs...)
			m.Dirs = appendNew(m.Dirs, t.Dirs...)
			m.SSTables = append(m.SSTables, t.SSTables...)
			m.SchemaFiles = appendNew(m.SchemaFiles, t.SchemaFiles...)
			m.DataBytes += t.DataBytes
			m.View = m.View || t.View
			if m.ID != t.ID {
				m.ID = ""
			}
		}
	}
	for _, t := range out {
		sortSSTables(t.SSTables)
	}
	slices.SortFunc(out, func(a, b *SSTableSet) int { return cmp.Compare(a.String(), b.String()) })
	return out, nil
}

func sortSSTables(s []format.Descriptor) {
	slices.SortFunc(s, func(a, b format.Descriptor) int {
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
}

// appendNew appends the xs not already in s.
func appendNew(s []string, xs ...string) []string {
	for _, x := range xs {
		if !slices.Contains(s, x) {
			s = append(s, x)
		}
	}
	return s
}

// tableKey groups SSTables of one table: keyspace and table name as the file name
// (legacy) or the directory layout (<ks>/<table>[-<id>]/...) give them.
func tableKey(d format.Descriptor) string {
	if d.Keyspace == "" || d.Table == "" {
		return "dir:" + d.Dir
	}
	return d.Keyspace + "." + d.Table
}

func tableID(dir string) string {
	parts := strings.Split(filepath.ToSlash(filepath.Clean(dir)), "/")
	for i := len(parts) - 1; i >= 0; i-- {
		p := parts[i]
		if j := strings.LastIndexByte(p, '-'); j > 0 && len(p)-j-1 == 32 && isHex(p[j+1:]) {
			return p[j+1:]
		}
	}
	return ""
}

func isHex(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F') {
			return false
		}
	}
	return true
}
