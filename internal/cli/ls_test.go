package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// lsTree lays the sample snapshot out as Netflix Aegisthus's integration data
// does, <node>/<table>-<id>/ without a keyspace level, and adds a system table
// and a materialized view.
func lsTree(t *testing.T) string {
	t.Helper()
	tmp := t.TempDir()
	for _, table := range []string{"events", "page_views"} {
		root, rel := sampleInputs(t, table)
		for i, r := range rel {
			parts := strings.Split(r, "/") // node/ks/table-id/snapshots/tag
			copyTree(t, filepath.Join(root, r), filepath.Join(tmp, "node"+string(rune('A'+i)), parts[2]), "")
		}
	}
	for _, f := range []string{
		"nodeA/system/local-7ad54392bcdd35a684174e047860b377/nb-1-big-Data.db",
		"nodeA/demo/by_kind-11111111e6b411f182511dc39b92446a/nb-1-big-Data.db",
	} {
		p := filepath.Join(tmp, f)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	view := "CREATE MATERIALIZED VIEW demo.by_kind AS SELECT * FROM demo.events WHERE kind IS NOT NULL PRIMARY KEY (kind, user_id, day, at)\n WITH ID = 11111111-e6b4-11f1-8251-1dc39b92446a;\n"
	if err := os.WriteFile(filepath.Join(tmp, "nodeA/demo/by_kind-11111111e6b411f182511dc39b92446a/schema.cql"), []byte(view), 0o644); err != nil {
		t.Fatal(err)
	}
	return tmp
}

func runLs(t *testing.T, args ...string) (string, error) {
	t.Helper()
	r := NewRoot()
	var out, errOut strings.Builder
	r.SetArgs(append([]string{"ls"}, args...))
	r.SetOut(&out)
	r.SetErr(&errOut)
	err := r.Execute()
	return out.String(), err
}

// TestLs: one line per table, replicas found by table id across node folders,
// the schema source and the status, stable from run to run.
func TestLs(t *testing.T) {
	root := lsTree(t)
	const ev, pv = "82ab9260e6b411f182511dc39b92446a", "84637b90e6b411f182511dc39b92446a"
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"all", nil, `
KEYSPACE  TABLE             ID                                NODES  SSTABLES  BYTES   FORMATS  SCHEMA                                                                    STATUS
demo      by_kind (view)    11111111e6b411f182511dc39b92446a  1      1         1       nb       ROOT/nodeA/demo/by_kind-11111111e6b411f182511dc39b92446a/schema.cql skipped: materialized view not named
demo      events            82ab9260e6b411f182511dc39b92446a  3      10        348202  nb       ROOT/nodeA/events-82ab9260e6b411f182511dc39b92446a/schema.cql      selected
demo      page_views        84637b90e6b411f182511dc39b92446a  3      10        9674    nb       ROOT/nodeA/page_views-84637b90e6b411f182511dc39b92446a/schema.cql  selected
system    local             7ad54392bcdd35a684174e047860b377  1      1         1       nb       none                                                                      skipped: system keyspace
note: events (id ` + ev + `): replicas found under 3 parent names (nodeA, nodeB, nodeC); keyspace demo from ROOT/nodeA/events-` + ev + `/schema.cql
note: page_views (id ` + pv + `): replicas found under 3 parent names (nodeA, nodeB, nodeC); keyspace demo from ROOT/nodeA/page_views-` + pv + `/schema.cql
`},
		{"selection", []string{"--keyspace", "demo", "--table", "demo.by_kind", "--table", "local", "--exclude", "*.page_views"}, `
KEYSPACE  TABLE             ID                                NODES  SSTABLES  BYTES   FORMATS  SCHEMA                                                                    STATUS
demo      by_kind (view)    11111111e6b411f182511dc39b92446a  1      1         1       nb       ROOT/nodeA/demo/by_kind-11111111e6b411f182511dc39b92446a/schema.cql selected
demo      events            82ab9260e6b411f182511dc39b92446a  3      10        348202  nb       ROOT/nodeA/events-82ab9260e6b411f182511dc39b92446a/schema.cql      selected
demo      page_views        84637b90e6b411f182511dc39b92446a  3      10        9674    nb       ROOT/nodeA/page_views-84637b90e6b411f182511dc39b92446a/schema.cql  skipped: excluded by *.page_views
system    local             7ad54392bcdd35a684174e047860b377  1      1         1       nb       none                                                                      skipped: system keyspace
`},
	} {
		t.Run(c.name, func(t *testing.T) {
			out, err := runLs(t, append(c.args, root)...)
			if err != nil {
				t.Fatal(err)
			}
			got := strings.ReplaceAll(out, root, "ROOT")
			want := strings.TrimPrefix(c.want, "\n")
			if c.name == "selection" {
				got = got[:strings.Index(got, "note:")]
			}
			if normSpace(got) != normSpace(want) {
				t.Errorf("got\n%s\nwant\n%s", got, want)
			}
		})
	}
}

// normSpace collapses runs of spaces: the columns' widths follow the temp dir's name.
func normSpace(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = strings.Join(strings.Fields(l), " ")
	}
	return strings.Join(lines, "\n")
}

// TestLsJSON: the listing for machines, and the usage errors of the selection.
func TestLsJSON(t *testing.T) {
	root := lsTree(t)
	out, err := runLs(t, "--json", "--schema", filepath.Join(root, "nodeB", "events-82ab9260e6b411f182511dc39b92446a", "schema.cql"), "--table", "demo.events", root)
	if err != nil {
		t.Fatal(err)
	}
	var got lsListing
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v in %s", err, out)
	}
	if len(got.Tables) != 4 || len(got.Notes) != 2 {
		t.Fatalf("%d tables, %d notes: %s", len(got.Tables), len(got.Notes), out)
	}
	ev := got.Tables[1]
	if ev.Keyspace != "demo" || ev.Table != "events" || len(ev.Dirs) != 3 || ev.SSTables != 10 || ev.Bytes != 348202 ||
		!ev.Selected || !strings.HasSuffix(ev.Schema, "nodeB/events-82ab9260e6b411f182511dc39b92446a/schema.cql") || len(ev.Formats) != 1 || ev.Formats[0] != "nb" {
		t.Errorf("events: %+v", ev)
	}
	// The --schema defines only demo.events: the others say so.
	if pv := got.Tables[2]; pv.Selected || pv.Reason != "not matched" || !strings.Contains(pv.SchemaError, "defines no table demo.page_views") {
		t.Errorf("page_views: %+v", pv)
	}
	for _, args := range [][]string{
		{"--table", "demo.nope", root},
		{"--keyspace", "demo.events", root},
		{"--exclude", "ks.[x", root},
	} {
		if _, err := runLs(t, args...); ExitCode(err) != ExitUsage {
			t.Errorf("%v: exit %d (%v), want usage", args, ExitCode(err), err)
		}
	}
}
