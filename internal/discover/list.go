package discover

import (
	"cmp"
	"slices"

	"github.com/aegisthus/aegisthus/internal/storage"
)

// Entry is one line of a backup's listing: a table (or one generation of it),
// what was found of it, and whether a selection takes it.
type Entry struct {
	Keyspace string   `json:"keyspace"`
	Table    string   `json:"table"`
	ID       string   `json:"id,omitempty"`
	View     bool     `json:"view,omitempty"`
	Dirs     []string `json:"dirs"`
	SSTables int      `json:"sstables"`
	Bytes    int64    `json:"bytes"`
	Formats  []string `json:"formats"` // SSTable versions (nb, oa, da, ...), sorted
	// Schema is where the table's CQL definition comes from: a schema file's
	// path, or "" when there is none (the SSTable headers are all there is).
	Schema      string `json:"schema"`
	SchemaError string `json:"schema_error,omitempty"`
	Selected    bool   `json:"selected"`
	Reason      string `json:"reason,omitempty"` // why not selected
}

// List describes every set of inv, the chosen and the skipped, in name order,
// with where its schema comes from (schemas may be nil: schema.cql only). The
// error is Select's; the entries are filled in with it.
func (inv *Inventory) List(store storage.Store, sel Selection, schemas *SchemaSource) ([]Entry, error) {
	chosen, skips, err := inv.Select(sel)
	if chosen == nil && skips == nil && err != nil {
		return nil, err
	}
	if schemas != nil && schemas.Bases == nil {
		schemas.Bases = inv.Lookup
	}
	var all []*SSTableSet
	for _, list := range [][]*SSTableSet{inv.Tables, inv.Superseded, inv.Ambiguous} {
		all = append(all, list...)
	}
	var out []Entry
	for _, t := range all {
		e := Entry{Keyspace: t.Keyspace, Table: t.Name, ID: t.ID, View: t.View, Dirs: t.Dirs,
			SSTables: len(t.SSTables), Bytes: t.DataBytes, Formats: []string{}}
		for _, d := range t.SSTables {
			e.Formats = appendNew(e.Formats, d.Version.String())
		}
		slices.Sort(e.Formats)
		e.Selected = slices.Contains(chosen, t)
		for _, s := range skips {
			if s.Table == t.String() && s.ID == t.ID {
				e.Reason = s.Reason
			}
		}
		if _, src, serr := schemas.TableFor(store, t); serr != nil {
			e.SchemaError = serr.Error()
		} else {
			e.Schema = src
		}
		out = append(out, e)
	}
	slices.SortStableFunc(out, func(a, b Entry) int {
		if a.Keyspace != b.Keyspace {
			return cmp.Compare(a.Keyspace, b.Keyspace)
		}
		if a.Table != b.Table {
			return cmp.Compare(a.Table, b.Table)
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return out, err
}
