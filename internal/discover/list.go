package discover

import (
	"cmp"
	"encoding/json"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aegisthus/aegisthus/internal/sstable/format"
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

// Backup is one backup found under the roots: the tool that wrote it (its
// layout), its name, when it was taken (zero when the layout does not say),
// its nodes and its tables (ks.table).
type Backup struct {
	Tool   string    `json:"tool"`
	Name   string    `json:"name"`
	Time   time.Time `json:"time,omitzero"`
	Nodes  []string  `json:"nodes"`
	Tables []string  `json:"tables"`
}

// ListBackups lists the backups under roots of the layout f asks for, by
// tool and name.
func ListBackups(store storage.Store, roots []string, f BackupFilter) ([]Backup, error) {
	if f.Layout == "" {
		f.Layout = LayoutAuto
	}
	f.Nodes = []string{"*"} // keep backups beside live SSTables
	byKey := map[string]*Backup{}
	seen := map[string]bool{}
	for _, root := range roots {
		found, err := scanRoot(store, root, f, seen)
		if err != nil {
			return nil, err
		}
		for _, b := range found {
			k := b.layout + "\x00" + b.backup
			e := byKey[k]
			if e == nil {
				e = &Backup{Tool: b.layout, Name: b.backup, Nodes: []string{}, Tables: []string{}}
				byKey[k] = e
			}
			e.Nodes = appendNew(e.Nodes, b.node)
			if b.layout == LayoutMedusa {
				if t, ok := medusaStarted(store, b); ok && (e.Time.IsZero() || t.Before(e.Time)) {
					e.Time = t
				}
			}
			var tables []string
			switch {
			case b.priam != nil:
				e.Time = time.UnixMilli(b.priam.ms).UTC()
				if mf, err := b.priam.read(store); err == nil {
					for _, t := range mf.Data {
						tables = append(tables, t.Keyspace+"."+cutID(t.ColumnFamily))
					}
				}
			case b.esop != nil:
				e.Time = time.UnixMilli(b.esop.ms).UTC()
				if mf, err := b.esop.read(store); err == nil {
					for ks, k := range mf.Snapshot.Keyspaces {
						for t := range k.Tables {
							tables = append(tables, ks+"."+t)
						}
					}
				}
			case b.manifest != "":
				raw, err := store.ReadFile(b.manifest, maxManifest)
				var m medusaManifest
				if err == nil && json.Unmarshal(raw, &m) == nil {
					for _, t := range m {
						if len(t.Objects) > 0 {
							tables = append(tables, t.Keyspace+"."+cutID(t.ColumnFamily))
						}
					}
				}
			default:
				if d, _, err := format.ParseName(joinPath(b.dir, "nb-1-big-Data.db")); err == nil && d.Keyspace != "" {
					tables = append(tables, d.Keyspace+"."+d.Table)
				}
				if b.layout == LayoutPriam {
					if t, ok := priamTime(b.backup); ok {
						e.Time = t
					}
				}
			}
			e.Tables = appendNew(e.Tables, tables...)
		}
	}
	var out []Backup
	for _, e := range byKey {
		slices.Sort(e.Nodes)
		slices.Sort(e.Tables)
		out = append(out, *e)
	}
	slices.SortFunc(out, func(a, b Backup) int {
		return cmp.Or(cmp.Compare(a.Tool, b.Tool), a.Time.Compare(b.Time), cmp.Compare(a.Name, b.Name))
	})
	return out, nil
}

// cutID drops a table directory's -<id>.
func cutID(t string) string {
	if i := strings.LastIndexByte(t, '-'); i > 0 && len(t)-i-1 == 32 && isHex(t[i+1:]) {
		return t[:i]
	}
	return t
}

// medusaStarted is when Medusa started backup b on its node, from the marker
// it writes, index/backup_index/<backup>/started_<node>_<unix seconds>.timestamp
// (cassandra-medusa 0.31.0, medusa/storage/__init__.py).
func medusaStarted(store storage.Store, b backupDir) (time.Time, bool) {
	var at time.Time
	found := false
	store.Walk(joinPath(b.root, "index", "backup_index", b.backup), func(p string, _ int64) error {
		name := path.Base(p)
		rest, ok := strings.CutPrefix(name, "started_"+b.node+"_")
		if !ok || !strings.HasSuffix(rest, ".timestamp") {
			return nil
		}
		if secs, err := strconv.ParseInt(strings.TrimSuffix(rest, ".timestamp"), 10, 64); err == nil {
			at, found = time.Unix(secs, 0).UTC(), true
		}
		return nil
	})
	return at, found
}
