package discover

import (
	"cmp"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/aegisthus/aegisthus/internal/cql/cqlparse"
	"github.com/aegisthus/aegisthus/internal/sstable/format"
	"github.com/aegisthus/aegisthus/internal/storage"
)

// Inventory is what a backup holds, table by table.
type Inventory struct {
	// Tables holds one set per table: its current generation.
	Tables []*SSTableSet
	// Superseded holds the older generations of tables in Tables (a table
	// dropped and recreated under the same name has a new id).
	Superseded []*SSTableSet
	// Ambiguous holds every generation of a table none of whose generations is
	// known to be current; Select exports none of them unless one is named.
	Ambiguous []*SSTableSet
	// Notes say what discovery decided: replicas found under different
	// parent names, the keyspace kept, the generation taken as current.
	Notes []string
}

// Scan walks every path and groups what it finds into tables: by keyspace and
// name, and by table id where directories carry one (<table>-<id>). Directories
// that share a table id are replicas of one table even when their parents
// differ (node folders read as keyspaces); two ids for one keyspace.table are
// two generations of it, of which one is current.
//
// Below a path it skips snapshots/ and backups/ directories (they would repeat
// the live SSTables) and hidden directories (secondary indexes), unless the
// path itself is inside one. Temporary and unparsable file names, and SSTables
// of pre-2.1 secondary indexes (<table>.<index>), are skipped; a path without
// any SSTable is an error naming it.
func Scan(store storage.Store, paths []string) (*Inventory, error) {
	g := grouper{groups: map[string]*group{}, schemas: map[string][]string{}, seen: map[string]bool{}}
	for _, root := range paths {
		if err := g.walk(store, root); err != nil {
			return nil, err
		}
	}
	inv := &Inventory{}
	var sets []*group
	attached := map[string]bool{}
	for _, key := range sortedGroupKeys(g.groups) {
		gr := g.groups[key]
		for _, dir := range gr.set.Dirs {
			gr.set.SchemaFiles = appendNew(gr.set.SchemaFiles, g.schemas[dir]...)
			attached[dir] = true
		}
		if err := gr.resolve(store, inv); err != nil {
			return nil, err
		}
		sortSSTables(gr.set.SSTables)
		sets = append(sets, gr)
	}
	inv.generations(sets, g.looseIDs(store, attached, inv))
	return inv, nil
}

// group is one table id's (or, without ids, one ks.table's) SSTables while
// Scan collects them.
type group struct {
	set       *SSTableSet
	keyspaces map[string]bool // the keyspaces its directories read as
	schema    *schemaInfo     // from the first readable schema.cql, nil without
}

type grouper struct {
	groups  map[string]*group
	schemas map[string][]string // directory → its schema.cql
	seen    map[string]bool     // Data.db paths
}

func (g *grouper) walk(store storage.Store, root string) error {
	found := 0
	var skipped []string // snapshots/<tag> and backups directories passed over, for the error
	var why notTaken     // files that look like SSTable components but were not taken, for the error
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
		if filepath.Base(path) == "schema.cql" {
			dir := schemaDir(path)
			g.schemas[dir] = append(g.schemas[dir], path)
			return nil
		}
		d, comp, err := format.ParseName(path)
		if err != nil {
			why.unreadable(path, err)
			return nil
		}
		if comp != format.Data {
			why.component(d, comp)
			return nil
		}
		why.data(d)
		g.add(d, size)
		found++ // an SSTable another path named too still counts as found here
		return nil
	})
	if err != nil {
		return err
	}
	if found > 0 {
		return nil
	}
	// A single component of an SSTable names its SSTable.
	d, _, perr := format.ParseName(root)
	if perr == nil && store.Exists(d.Path(format.Data)) {
		var size int64
		_ = store.Walk(d.Path(format.Data), func(_ string, n int64) error { size = n; return nil })
		g.add(d, size)
		return nil
	}
	if len(skipped) > 0 {
		for i, d := range skipped {
			// Not filepath.Join: it would turn s3://b/x into s3:/b/x.
			skipped[i] = strings.TrimSuffix(root, "/") + "/" + d
		}
		return fmt.Errorf("%s: %w outside snapshots and backups; name the one to read: %s",
			root, ErrNoSSTables, strings.Join(skipped, ", "))
	}
	if perr != nil && strings.HasSuffix(root, ".db") {
		why.unreadable(root, perr)
	}
	if r := why.String(); r != "" {
		return fmt.Errorf("%s: %w: %s", root, ErrNoSSTables, r)
	}
	return fmt.Errorf("%s: %w", root, ErrNoSSTables)
}

// notTaken keeps, for the error of a path where no SSTable was found, why the
// files that look like SSTable components were not taken: a name that does
// not parse (an unsupported version, say), or components whose Data.db is not
// there.
type notTaken struct {
	reasons []string
	orphans map[string][]string // SSTable (Data.db path) → its components found
	order   []string
}

const maxReasons = 5

func (w *notTaken) unreadable(path string, err error) {
	if len(w.reasons) < maxReasons && strings.HasSuffix(path, "Data.db") && !slices.Contains(w.reasons, err.Error()) {
		w.reasons = append(w.reasons, err.Error())
	}
}

func (w *notTaken) component(d format.Descriptor, comp string) {
	if w.orphans == nil {
		w.orphans = map[string][]string{}
	}
	k := d.Path(format.Data)
	if _, ok := w.orphans[k]; !ok {
		w.order = append(w.order, k)
	}
	w.orphans[k] = append(w.orphans[k], comp)
}

func (w *notTaken) data(d format.Descriptor) {
	if w.orphans != nil {
		w.orphans[d.Path(format.Data)] = nil
	}
}

func (w *notTaken) String() string {
	r := slices.Clone(w.reasons)
	for _, k := range w.order {
		if comps := w.orphans[k]; len(comps) > 0 && len(r) < maxReasons {
			r = append(r, fmt.Sprintf("%s is missing (found %s)", k, strings.Join(comps, ", ")))
		}
	}
	return strings.Join(r, "; ")
}

// add puts one SSTable (by its Data.db) in its group; it reports whether the
// SSTable counts (false for one already seen, or one of a pre-2.1 index).
func (g *grouper) add(d format.Descriptor, size int64) bool {
	if g.seen[d.Path(format.Data)] {
		return false
	}
	g.seen[d.Path(format.Data)] = true
	if strings.Contains(d.Table, ".") {
		return false // <ks>-<table>.<index>-...: a legacy secondary index, not a table
	}
	id := tableID(d.Dir)
	key := tableKey(d)
	if id != "" && d.Table != "" {
		key = "id:" + d.Table + "-" + strings.ToLower(id)
	}
	gr := g.groups[key]
	if gr == nil {
		gr = &group{set: &SSTableSet{Name: d.Table, ID: strings.ToLower(id)}, keyspaces: map[string]bool{}}
		if id != "" {
			gr.set.IDs = []string{gr.set.ID}
		}
		g.groups[key] = gr
	}
	gr.keyspaces[d.Keyspace] = true
	gr.set.Dirs = appendNew(gr.set.Dirs, d.Dir)
	gr.set.SSTables = append(gr.set.SSTables, d)
	gr.set.DataBytes += size
	return true
}

// looseIDs reads the schema.cql files beside no SSTables (a cluster's schema
// put beside the backup): ks.table → the ids they name.
func (g *grouper) looseIDs(store storage.Store, attached map[string]bool, inv *Inventory) map[string][]schemaInfo {
	ids := map[string][]schemaInfo{}
	var dirs []string
	for dir := range g.schemas {
		if !attached[dir] {
			dirs = append(dirs, dir)
		}
	}
	slices.Sort(dirs)
	for _, dir := range dirs {
		for _, f := range g.schemas[dir] {
			b, err := store.ReadFile(f, MaxSchemaFile)
			if err == nil {
				var sc *cqlparse.Schema
				if sc, err = cqlparse.Parse(string(b)); err == nil {
					for _, t := range sc.Tables {
						if t.ID != "" {
							ids[t.Keyspace+"."+t.Name] = append(ids[t.Keyspace+"."+t.Name], schemaInfo{path: f, keyspace: t.Keyspace, name: t.Name, id: hexID(t.ID)})
						}
					}
					continue
				}
			}
			inv.Notes = append(inv.Notes, fmt.Sprintf("%s: not read: %v", f, err))
		}
	}
	return ids
}

// schemaDir is the directory of a schema.cql as a Descriptor in it spells it.
func schemaDir(path string) string {
	if d, _, err := format.ParseName(path[:len(path)-len("schema.cql")] + "nb-1-big-Data.db"); err == nil {
		return d.Dir
	}
	return filepath.Dir(path)
}

func sortedGroupKeys(m map[string]*group) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// resolve reads the group's schema.cql (the first that parses) and settles its
// keyspace and whether it is a view.
func (gr *group) resolve(store storage.Store, inv *Inventory) error {
	t := gr.set
	for _, f := range t.SchemaFiles {
		info, err := readSchemaInfo(store, f, t.Name)
		if err != nil {
			inv.Notes = append(inv.Notes, err.Error())
			continue
		}
		if info != nil {
			gr.schema = info
			break
		}
	}
	names := make([]string, 0, len(gr.keyspaces))
	for k := range gr.keyspaces {
		names = append(names, k)
	}
	slices.Sort(names) // the first name is kept when no schema.cql names one
	t.Keyspace = names[0]
	if gr.schema != nil {
		t.View = gr.schema.view
		if gr.schema.keyspace != "" {
			t.Keyspace = gr.schema.keyspace
		}
	}
	if len(names) == 1 && t.Keyspace == names[0] {
		return nil
	}
	what := fmt.Sprintf("%s (id %s): replicas found under %d parent names (%s)", t.Name, t.ID, len(names), strings.Join(names, ", "))
	if len(names) == 1 {
		what = fmt.Sprintf("%s (id %s): found under %s", t.Name, t.ID, names[0])
	}
	if gr.schema != nil && gr.schema.keyspace != "" {
		inv.Notes = append(inv.Notes, fmt.Sprintf("%s; keyspace %s from %s", what, t.Keyspace, gr.schema.path))
	} else {
		inv.Notes = append(inv.Notes, fmt.Sprintf("%s; no schema.cql names the keyspace, kept %s", what, t.Keyspace))
	}
	return nil
}

// generations sorts the groups into inv: one set per ks.table is current; the
// others are superseded, or all are ambiguous when nothing decides.
func (inv *Inventory) generations(groups []*group, loose map[string][]schemaInfo) {
	byName := map[string][]*group{}
	var names []string
	for _, gr := range groups {
		n := gr.set.String()
		if byName[n] == nil {
			names = append(names, n)
		}
		byName[n] = append(byName[n], gr)
	}
	slices.Sort(names)
	for _, n := range names {
		gens := byName[n]
		if len(gens) == 1 {
			inv.Tables = append(inv.Tables, gens[0].set)
			continue
		}
		slices.SortFunc(gens, func(a, b *group) int { return cmp.Compare(a.set.ID, b.set.ID) })
		ids := make([]string, len(gens))
		for i, gr := range gens {
			ids[i] = idOrNone(gr.set.ID)
		}
		cur, why := currentGeneration(gens, loose[n])
		if cur == nil {
			for _, gr := range gens {
				inv.Ambiguous = append(inv.Ambiguous, gr.set)
			}
			inv.Notes = append(inv.Notes, fmt.Sprintf("%s: %d generations (ids %s) and none is known current (%s); name one as %s-<id>",
				n, len(gens), strings.Join(ids, ", "), why, n))
			continue
		}
		inv.Tables = append(inv.Tables, cur.set)
		for _, gr := range gens {
			if gr != cur {
				inv.Superseded = append(inv.Superseded, gr.set)
			}
		}
		inv.Notes = append(inv.Notes, fmt.Sprintf("%s: %d generations (ids %s); current %s (%s)", n, len(gens), strings.Join(ids, ", "), cur.set.ID, why))
	}
}

func idOrNone(id string) string {
	if id == "" {
		return "none"
	}
	return id
}

// currentGeneration picks the current one of several generations of a table:
// the only one whose id a schema names, else the newest by the time in its id.
// It returns nil and why when neither decides. The schemas that count are
// those not beside the SSTables (loose: a cluster's schema kept with the
// backup) and a schema.cql naming another generation's id than its own: a
// schema.cql always names its own directory's id, which says nothing of which
// generation came last.
func currentGeneration(gens []*group, loose []schemaInfo) (*group, string) {
	named := map[string]bool{}
	var from []string
	for _, l := range loose {
		named[l.id] = true
		from = appendNew(from, l.path)
	}
	for _, gr := range gens {
		if gr.schema != nil && gr.schema.id != "" && gr.schema.id != gr.set.ID {
			named[gr.schema.id] = true
			from = appendNew(from, gr.schema.path)
		}
	}
	var match []*group
	for _, gr := range gens {
		if gr.set.ID != "" && named[gr.set.ID] {
			match = append(match, gr)
		}
	}
	if len(match) == 1 {
		return match[0], "the id " + strings.Join(from, ", ") + " names"
	}
	var best *group
	var bestAt uint64
	tie := false
	kind := -1
	for _, gr := range gens {
		k, at, ok := idTime(gr.set.ID)
		if !ok || kind >= 0 && k != kind {
			return nil, "the ids are not all time-based"
		}
		kind = k
		switch {
		case best == nil || at > bestAt:
			best, bestAt, tie = gr, at, false
		case at == bestAt:
			tie = true
		}
	}
	if tie {
		return nil, "the newest ids have the same time"
	}
	return best, "the newest id"
}

// tcmMagic is the high half of the table ids Cassandra assigns under
// transactional cluster metadata (TableId.MAGIC): the low half is the epoch.
const tcmMagic = 0x1b255f4def2540a6

// idTime returns the order in which a table id was made: the timestamp of a
// version 1 (time-based) UUID, as TableId.generate() makes them (Cassandra 3.0
// to 5.0), kind 1; or the epoch of a TCM id, kind 2. ok is false for other ids.
func idTime(id string) (kind int, at uint64, ok bool) {
	if len(id) != 32 || !isHex(id) {
		return 0, 0, false
	}
	var hi, lo uint64
	if _, err := fmt.Sscanf(id[:16], "%x", &hi); err != nil {
		return 0, 0, false
	}
	if _, err := fmt.Sscanf(id[16:], "%x", &lo); err != nil {
		return 0, 0, false
	}
	if hi == tcmMagic {
		return 2, lo, true
	}
	if hi>>12&0xf != 1 {
		return 0, 0, false
	}
	// time_low (32) | time_mid (16) | version (4) time_hi (12)
	return 1, (hi&0xfff)<<48 | (hi>>16&0xffff)<<32 | hi>>32, true
}
