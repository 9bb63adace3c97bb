package discover

import (
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aegisthus/aegisthus/internal/corpustest"
	"github.com/aegisthus/aegisthus/internal/cql/cqlparse"
	"github.com/aegisthus/aegisthus/internal/storage"
)

const (
	eventsID = "82ab9260e6b411f182511dc39b92446a" // v1, 2025-11
	viewsID  = "84637b90e6b411f182511dc39b92446a"
	olderID  = "11111111e6b411f182511dc39b92446a" // v1, earlier time_low, same day
	randomID = "0f1e2d3c4b5a49788796a5b4c3d2e1f0" // v4
)

// sampleDir is a table's snapshot directory of node n in testdata/sample-snapshot.
func sampleDir(t *testing.T, node, table string) string {
	t.Helper()
	m, err := filepath.Glob(filepath.Join(corpustest.ModuleRoot(), "testdata", "sample-snapshot", node, "demo", table+"-*", "snapshots", "sample"))
	if err != nil || len(m) != 1 {
		t.Fatalf("sample snapshot of %s on %s: %v %v", table, node, m, err)
	}
	return m[0]
}

// copyDir copies the files of src into dst; edit, when set, rewrites schema.cql.
func copyDir(t *testing.T, src, dst string, edit func(string) string) {
	t.Helper()
	if err := os.MkdirAll(dst, 0o755); err != nil {
		t.Fatal(err)
	}
	ents, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range ents {
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		if e.Name() == "schema.cql" && edit != nil {
			b = []byte(edit(string(b)))
		}
		if err := os.WriteFile(filepath.Join(dst, e.Name()), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// touch creates empty files under root.
func touch(t *testing.T, root string, files ...string) {
	t.Helper()
	for _, f := range files {
		p := filepath.Join(root, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func names(sets []*SSTableSet) []string {
	var out []string
	for _, s := range sets {
		out = append(out, s.String()+"-"+idOrNone(s.ID))
	}
	return out
}

// TestScanReplicasAcrossParents: Netflix Aegisthus's layout, <node>/<table>-<id>/
// without a keyspace level: the node folders read as keyspaces, and the shared
// table id makes the three one table, its keyspace from schema.cql.
func TestScanReplicasAcrossParents(t *testing.T) {
	for _, c := range []struct {
		name     string
		schema   bool
		keyspace string
		note     string
	}{
		{"with schema.cql", true, "demo", "keyspace demo from "},
		{"without schema.cql", false, "nodeA", "no schema.cql names the keyspace, kept nodeA"},
	} {
		t.Run(c.name, func(t *testing.T) {
			root := t.TempDir()
			for i, node := range []string{"node1", "node2", "node3"} {
				dst := filepath.Join(root, "node"+string(rune('A'+i)), "events-"+eventsID)
				copyDir(t, sampleDir(t, node, "events"), dst, nil)
				if !c.schema {
					os.Remove(filepath.Join(dst, "schema.cql"))
				}
			}
			inv, err := Scan(storage.Local{}, []string{root})
			if err != nil {
				t.Fatal(err)
			}
			if len(inv.Tables) != 1 || len(inv.Superseded)+len(inv.Ambiguous) != 0 {
				t.Fatalf("tables %v superseded %v ambiguous %v, want one table", names(inv.Tables), names(inv.Superseded), names(inv.Ambiguous))
			}
			tb := inv.Tables[0]
			if tb.Keyspace != c.keyspace || tb.Name != "events" || tb.ID != eventsID || len(tb.Dirs) != 3 {
				t.Errorf("got %s id %s dirs %v, want %s.events id %s in 3 dirs", tb, tb.ID, tb.Dirs, c.keyspace, eventsID)
			}
			if tb.DataBytes <= 0 || len(tb.SSTables) < 3 {
				t.Errorf("DataBytes %d, %d sstables", tb.DataBytes, len(tb.SSTables))
			}
			if len(inv.Notes) != 1 || !strings.Contains(inv.Notes[0], "replicas found under 3 parent names (nodeA, nodeB, nodeC)") || !strings.Contains(inv.Notes[0], c.note) {
				t.Errorf("notes %q, want the replicas and %q", inv.Notes, c.note)
			}
			// Find, for the single-table commands, sees the same one table.
			found, err := Find(storage.Local{}, []string{root})
			if err != nil || len(found) != 1 || len(found[0].SSTables) != len(tb.SSTables) {
				t.Fatalf("Find: %v %v", names(found), err)
			}
		})
	}
}

// TestScanGroupsByID: the sample snapshot's tables on three nodes are two
// tables, each with its id and three directories; no note for ordinary replicas.
func TestScanGroupsByID(t *testing.T) {
	var paths []string
	for _, n := range []string{"node1", "node2", "node3"} {
		paths = append(paths, sampleDir(t, n, "events"), sampleDir(t, n, "page_views"))
	}
	inv, err := Scan(storage.Local{}, paths)
	if err != nil {
		t.Fatal(err)
	}
	if got := names(inv.Tables); !slices.Equal(got, []string{"demo.events-" + eventsID, "demo.page_views-" + viewsID}) {
		t.Fatalf("tables %v", got)
	}
	for _, tb := range inv.Tables {
		if len(tb.Dirs) != 3 || len(tb.SchemaFiles) != 3 || tb.View {
			t.Errorf("%s: dirs %v schema files %v view %v", tb, tb.Dirs, tb.SchemaFiles, tb.View)
		}
		if !slices.Equal(tb.IDs, []string{tb.ID}) {
			t.Errorf("%s: IDs %v", tb, tb.IDs)
		}
	}
	if len(inv.Notes) != 0 {
		t.Errorf("notes %q", inv.Notes)
	}
}

// TestScanGenerations: one ks.table under two ids. The current one is named by
// a schema.cql, else the newer time-based id; otherwise both are ambiguous.
func TestScanGenerations(t *testing.T) {
	src := sampleDir(t, "node1", "events")
	noSchema := func(string) string { return "" }
	for _, c := range []struct {
		name      string
		otherID   string
		keepOld   bool   // the other generation keeps its schema.cql (naming eventsID)
		dropNew   bool   // events-<eventsID> loses its schema.cql
		loose     string // a schema.cql at the root naming this id
		current   string
		ambiguous bool
		why       string
	}{
		{"newest time uuid", olderID, false, false, "", eventsID, false, "the newest id"},
		{"schema.cql names it", olderID, true, true, "", eventsID, false, "the id "},
		{"random id", randomID, false, false, "", "", true, "not all time-based"},
		{"root schema names the older", olderID, false, false, olderID, olderID, false, "the id " + "ROOT/schema.cql names"},
	} {
		t.Run(c.name, func(t *testing.T) {
			root := t.TempDir()
			var edit func(string) string
			if c.dropNew {
				edit = noSchema
			}
			copyDir(t, src, filepath.Join(root, "demo", "events-"+eventsID), edit)
			other := func(s string) string {
				return strings.ReplaceAll(s, "82ab9260-e6b4-11f1-8251-1dc39b92446a", dashed(c.otherID))
			}
			if c.keepOld {
				other = nil
			}
			copyDir(t, src, filepath.Join(root, "demo", "events-"+c.otherID), other)
			if c.dropNew {
				os.Remove(filepath.Join(root, "demo", "events-"+eventsID, "schema.cql"))
			}
			c.why = strings.ReplaceAll(c.why, "ROOT", root)
			if c.loose != "" {
				b, err := os.ReadFile(filepath.Join(src, "schema.cql"))
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(root, "schema.cql"), []byte(strings.ReplaceAll(string(b), dashed(eventsID), dashed(c.loose))), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			inv, err := Scan(storage.Local{}, []string{root})
			if err != nil {
				t.Fatal(err)
			}
			if c.ambiguous {
				if len(inv.Tables) != 0 || len(inv.Ambiguous) != 2 {
					t.Fatalf("tables %v ambiguous %v, want 2 ambiguous", names(inv.Tables), names(inv.Ambiguous))
				}
				_, skips, err := inv.Select(Selection{})
				if !errors.Is(err, ErrAmbiguousGeneration) || !strings.Contains(err.Error(), c.otherID) || !strings.Contains(err.Error(), eventsID) || len(skips) != 2 {
					t.Fatalf("Select: %v, skips %v; want ErrAmbiguousGeneration naming both", err, skips)
				}
				got, skips, err := inv.Select(Selection{Include: []string{"demo.events-" + eventsID}})
				if err != nil || len(got) != 1 || got[0].ID != eventsID || len(skips) != 1 || !strings.HasPrefix(skips[0].Reason, ReasonOther) {
					t.Fatalf("choosing one: %v %v %v", names(got), skips, err)
				}
			} else {
				if got := names(inv.Tables); !slices.Equal(got, []string{"demo.events-" + c.current}) {
					t.Fatalf("tables %v, want current %s", got, c.current)
				}
				if len(inv.Superseded) != 1 || inv.Superseded[0].ID == c.current {
					t.Fatalf("superseded %v", names(inv.Superseded))
				}
				got, skips, err := inv.Select(Selection{})
				if err != nil || len(got) != 1 || got[0].ID != c.current {
					t.Fatalf("Select: %v %v", names(got), err)
				}
				want := Skip{Table: "demo.events", ID: inv.Superseded[0].ID, Reason: "older generation of demo.events (current: " + c.current + ")"}
				if !slices.Equal(skips, []Skip{want}) {
					t.Fatalf("skips %+v, want %+v", skips, want)
				}
			}
			if len(inv.Notes) != 1 || !strings.Contains(inv.Notes[0], c.why) {
				t.Errorf("notes %q, want %q", inv.Notes, c.why)
			}
			// Find merges the generations, as it always did.
			found, err := Find(storage.Local{}, []string{root})
			if err != nil || len(found) != 1 || len(found[0].IDs) != 2 {
				t.Fatalf("Find: %v %v", names(found), err)
			}
		})
	}
}

func dashed(id string) string {
	return id[:8] + "-" + id[8:12] + "-" + id[12:16] + "-" + id[16:20] + "-" + id[20:]
}

// TestIDTime: the order of time-based and TCM ids; others have none.
func TestIDTime(t *testing.T) {
	for _, c := range []struct {
		id   string
		kind int
		ok   bool
	}{
		{eventsID, 1, true},
		{randomID, 0, false},
		{"1b255f4def2540a60000000000000007", 2, true},
		{"xyz", 0, false},
	} {
		k, _, ok := idTime(c.id)
		if k != c.kind || ok != c.ok {
			t.Errorf("%s: kind %d ok %v, want %d %v", c.id, k, ok, c.kind, c.ok)
		}
	}
	_, a, _ := idTime(olderID)
	_, b, _ := idTime(eventsID)
	if a >= b {
		t.Errorf("%s not older than %s", olderID, eventsID)
	}
}

// backupTree is a data directory with user tables, system tables, a view, a
// legacy index directory, SAI files and a pre-2.1 index SSTable.
func backupTree(t *testing.T) string {
	root := t.TempDir()
	touch(t, root,
		"ks/events-"+eventsID+"/nb-1-big-Data.db",
		"ks/events-"+eventsID+"/nb-1-big-SAI+aa+events_kind_idx+ColumnComplete.db",
		"ks/events-"+eventsID+"/.events_kind_idx/nb-1-big-Data.db",
		"ks/users-"+viewsID+"/nb-1-big-Data.db",
		"ks/by_email-"+olderID+"/nb-1-big-Data.db",
		"other/events-"+randomID+"/nb-1-big-Data.db",
		"other/logs/other-logs-ka-1-Data.db",
		"other/logs/other-logs.logs_idx-ka-1-Data.db",
		"system/local-7ad54392bcdd35a684174e047860b377/nb-1-big-Data.db",
		"system_auth/roles-5bc52802de2535edaeab188eecebb090/nb-1-big-Data.db",
	)
	view := "CREATE MATERIALIZED VIEW ks.by_email AS\n    SELECT *\n    FROM ks.users\n    WHERE email IS NOT NULL AND id IS NOT NULL\n    PRIMARY KEY (email, id)\n WITH ID = " + dashed(olderID) + "\n    AND CLUSTERING ORDER BY (id ASC);\n"
	if err := os.WriteFile(filepath.Join(root, "ks", "by_email-"+olderID, "schema.cql"), []byte(view), 0o644); err != nil {
		t.Fatal(err)
	}
	return root
}

// TestSelect: globs, excludes, system keyspaces, views, and indexes that are
// never tables.
func TestSelect(t *testing.T) {
	inv, err := Scan(storage.Local{}, []string{backupTree(t)})
	if err != nil {
		t.Fatal(err)
	}
	all := []string{"ks.by_email", "ks.events", "ks.users", "other.events", "other.logs", "system.local", "system_auth.roles"}
	var got []string
	for _, tb := range inv.Tables {
		got = append(got, tb.String())
	}
	if !slices.Equal(got, all) {
		t.Fatalf("tables %v, want %v (no index, no SAI file)", got, all)
	}
	for _, c := range []struct {
		name    string
		sel     Selection
		want    []string
		skipped map[string]string // table → reason prefix
		errIs   error
	}{
		{"everything", Selection{}, []string{"ks.events", "ks.users", "other.events", "other.logs"},
			map[string]string{"ks.by_email": ReasonView, "system.local": ReasonSystem, "system_auth.roles": ReasonSystem}, nil},
		{"keyspace", Selection{Include: []string{"ks"}}, []string{"ks.events", "ks.users"},
			map[string]string{"ks.by_email": ReasonView, "other.events": ReasonNotMatched, "system.local": ReasonNotMatched}, nil},
		{"table glob", Selection{Include: []string{"*.events"}}, []string{"ks.events", "other.events"}, map[string]string{"ks.users": ReasonNotMatched}, nil},
		{"all globs skip system", Selection{Include: []string{"*.*"}}, []string{"ks.events", "ks.users", "other.events", "other.logs"},
			map[string]string{"system.local": ReasonSystem}, nil},
		{"system named", Selection{Include: []string{"system_auth.*", "ks.events"}}, []string{"ks.events", "system_auth.roles"},
			map[string]string{"system.local": ReasonNotMatched}, nil},
		{"view named", Selection{Include: []string{"ks.*", "ks.by_email"}}, []string{"ks.by_email", "ks.events", "ks.users"}, nil, nil},
		{"view glob is not naming", Selection{Include: []string{"ks.by_*"}}, nil, map[string]string{"ks.by_email": ReasonView}, nil},
		{"exclude", Selection{Exclude: []string{"other.*", "ks.u?ers"}}, []string{"ks.events"},
			map[string]string{"other.logs": ReasonExcluded + " other.*", "ks.users": ReasonExcluded + " ks.u?ers"}, nil},
		{"exclude wins", Selection{Include: []string{"ks.events"}, Exclude: []string{"*.events"}}, nil,
			map[string]string{"ks.events": ReasonExcluded}, nil},
		{"no match", Selection{Include: []string{"ks.nope"}}, nil, nil, ErrNoMatch},
	} {
		t.Run(c.name, func(t *testing.T) {
			chosen, skips, err := inv.Select(c.sel)
			if c.errIs != nil {
				if !errors.Is(err, c.errIs) || !strings.Contains(err.Error(), "ks.nope") {
					t.Fatalf("err %v, want %v", err, c.errIs)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, tb := range chosen {
				got = append(got, tb.String())
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("chosen %v, want %v", got, c.want)
			}
			if len(chosen)+len(skips) != len(all) {
				t.Errorf("%d chosen + %d skipped, want %d", len(chosen), len(skips), len(all))
			}
			for table, reason := range c.skipped {
				i := slices.IndexFunc(skips, func(s Skip) bool { return s.Table == table })
				if i < 0 || !strings.HasPrefix(skips[i].Reason, reason) {
					t.Errorf("skip of %s: %+v, want reason %q", table, skips, reason)
				}
			}
		})
	}
	if _, _, err := inv.Select(Selection{Include: []string{"ks.[x"}}); err == nil {
		t.Error("a bad glob is accepted")
	}
}

// TestSchemaFor: a schema of many tables gives each its own statements; an
// unqualified name matches only when unambiguous; a view's schema.cql parses
// and defines no table (its SSTable headers are the schema).
func TestSchemaFor(t *testing.T) {
	dump := `CREATE TABLE ks.events (id int PRIMARY KEY, a text);
CREATE TABLE other.events (id int PRIMARY KEY, b text);
CREATE TABLE users (id int PRIMARY KEY, c text);
CREATE TABLE logs (id int PRIMARY KEY, d text);
CREATE TABLE x.logs (id int PRIMARY KEY, e text);
CREATE MATERIALIZED VIEW ks.by_email AS SELECT * FROM ks.users WHERE c IS NOT NULL AND id IS NOT NULL PRIMARY KEY (c, id);`
	f := filepath.Join(t.TempDir(), "schema.cql")
	if err := os.WriteFile(f, []byte(dump), 0o644); err != nil {
		t.Fatal(err)
	}
	given, err := LoadSchema(f)
	if err != nil {
		t.Fatal(err)
	}
	inv, err := Scan(storage.Local{}, []string{backupTree(t)})
	if err != nil {
		t.Fatal(err)
	}
	byName := map[string]*SSTableSet{}
	for _, tb := range inv.Tables {
		byName[tb.String()] = tb
	}
	for _, c := range []struct {
		table  string
		src    *SchemaSource
		column string // a column only the right definition has; "" for none
		from   string
		errIs  error
	}{
		{"ks.events", given, "a", f, nil},
		{"other.events", given, "b", f, nil},
		{"ks.users", given, "c", f, nil},
		{"other.logs", given, "d", f, nil}, // unqualified logs; x.logs is another keyspace's
		{"system.local", given, "", "", ErrNotInSchema},
		{"ks.by_email", nil, "", "", nil},
		{"ks.by_email", &SchemaSource{}, "", "", nil},
	} {
		tbl, from, err := c.src.TableFor(storage.Local{}, byName[c.table])
		if c.errIs != nil {
			if !errors.Is(err, c.errIs) || !strings.Contains(err.Error(), f) || !strings.Contains(err.Error(), c.table) {
				t.Errorf("%s: err %v, want %v naming the file and the table", c.table, err, c.errIs)
			}
			continue
		}
		if err != nil || from != c.from || (c.column == "") != (tbl == nil) || tbl != nil && tbl.Column(c.column) == nil {
			t.Errorf("%s: %+v from %q err %v, want column %q from %q", c.table, tbl, from, err, c.column, c.from)
		}
	}
	// Two unqualified definitions of one name match neither.
	amb := &SchemaSource{Path: f, Given: given.Given}
	amb.Given.Tables = append(amb.Given.Tables, &cqlparse.Table{Name: "logs"})
	if _, _, err := amb.TableFor(storage.Local{}, byName["other.logs"]); !errors.Is(err, ErrNotInSchema) {
		t.Errorf("ambiguous unqualified name: %v", err)
	}
}
