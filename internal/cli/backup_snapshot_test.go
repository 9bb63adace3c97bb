package cli

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aegisthus/aegisthus/internal/pipeline"
)

// backupMeta is what testdata/backup-snapshot/expected/meta.json says of the
// whole-backup fixture (a 3-node cluster of two user keyspaces, a secondary
// index, a view, a dropped and recreated table, system keyspaces; written by
// Cassandra 5.0.9 through interop's gen backup).
type backupMeta struct {
	Now        string `json:"now"`
	CartsOldID string `json:"carts_old_id"`
	CartsNewID string `json:"carts_new_id"`
}

func backupSnapshot(t *testing.T) (nodes []string, meta backupMeta, expected string) {
	t.Helper()
	root := filepath.Join(repoTestdata(t), "backup-snapshot")
	b, err := os.ReadFile(filepath.Join(root, "expected", "meta.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &meta); err != nil {
		t.Fatal(err)
	}
	nodes, _ = filepath.Glob(filepath.Join(root, "node*"))
	if len(nodes) != 3 {
		t.Fatalf("%d node directories in %s", len(nodes), root)
	}
	return nodes, meta, filepath.Join(root, "expected")
}

// exportBackup runs export over args into a new directory and returns it.
func exportBackup(t *testing.T, args ...string) (string, error) {
	t.Helper()
	out := t.TempDir()
	r := NewRoot()
	r.SetArgs(append([]string{"export", "--out", out, "--split-size", "4KiB", "-q"}, args...))
	r.SetOut(io.Discard)
	r.SetErr(io.Discard)
	return out, r.Execute()
}

// sameAsCassandra checks the rows of one table's export against the rows of
// SELECT JSON * at ALL in file want.
func sameAsCassandra(t *testing.T, dir, want string) {
	t.Helper()
	var got []json.RawMessage
	for _, l := range readParts(t, dir) {
		got = append(got, json.RawMessage(l))
	}
	if err := compareRows(got, readJSONL(t, want), false); err != nil {
		t.Errorf("%s against %s: %v", dir, filepath.Base(want), err)
	}
}

// outcomes lists the top-level manifest's tables by outcome.
func outcomes(t *testing.T, out string) map[string][]string {
	t.Helper()
	m := readBatchManifest(t, out)
	by := map[string][]string{}
	for _, o := range m.Outcomes {
		by[o.Status] = append(by[o.Status], o.Table)
	}
	for _, v := range by {
		slices.Sort(v)
	}
	return by
}

// TestBackupSnapshotExport: one run over every node of a real 3-node backup
// exports every user table (and the view, when named) equal to Cassandra's
// SELECT JSON * at ALL, skips the system keyspaces, the older generation of
// the dropped and recreated table and the unnamed view, and says why.
func TestBackupSnapshotExport(t *testing.T) {
	nodes, meta, expected := backupSnapshot(t)
	args := append(slices.Clone(nodes), "--backup", "backup", "--now", meta.Now)
	out, err := exportBackup(t, args...)
	if err != nil {
		t.Fatal(err)
	}
	by := outcomes(t, out)
	if want := []string{"metrics.events", "metrics.hits", "shop.carts", "shop.customers", "shop.orders"}; !slices.Equal(by["ok"], want) {
		t.Fatalf("exported %v, want %v (outcomes %v)", by["ok"], want, by)
	}
	if _, err := os.Stat(filepath.Join(out, pipeline.SuccessFile)); err != nil {
		t.Fatal("no top-level _SUCCESS")
	}
	for _, tbl := range by["ok"] {
		ks, name, _ := strings.Cut(tbl, ".")
		sameAsCassandra(t, filepath.Join(out, ks, name), filepath.Join(expected, tbl+".select-json.jsonl"))
	}
	skipped := strings.Join(by["skipped"], " ")
	for _, s := range []string{"shop.orders_by_status", "shop.carts", "system.local", "system_schema.tables"} {
		if !strings.Contains(skipped, s) {
			t.Errorf("%s not reported as skipped: %s", s, skipped)
		}
	}
	if _, err := os.Stat(filepath.Join(out, "system")); err == nil {
		t.Error("a system keyspace was exported without being named")
	}
}

// TestBackupSnapshotSelect: the selection flags pick exactly what they name:
// a keyspace, an exclusion, a view by name (strict liveness: 54 rows, as
// Cassandra returns), the older generation of a table by its id, a system
// table by name.
func TestBackupSnapshotSelect(t *testing.T) {
	nodes, meta, expected := backupSnapshot(t)
	oldID := strings.ReplaceAll(meta.CartsOldID, "-", "")
	for _, tc := range []struct {
		name  string
		flags []string
		ok    []string
		check map[string]string // table dir → expected rows file
	}{
		{"keyspace", []string{"--keyspace", "metrics"}, []string{"metrics.events", "metrics.hits"},
			map[string]string{"metrics/hits": "metrics.hits"}},
		{"exclude", []string{"--keyspace", "shop", "--exclude", "shop.c*"}, []string{"shop.orders"}, nil},
		{"view by name", []string{"--table", "shop.orders_by_status"}, []string{"shop.orders_by_status"},
			map[string]string{"shop/orders_by_status": "shop.orders_by_status"}},
		{"older generation by id", []string{"--table", "shop.carts-" + oldID}, []string{"shop.carts"},
			map[string]string{"shop/carts": "shop.carts-" + oldID}},
		{"system table by name", []string{"--table", "system_schema.keyspaces"}, []string{"system_schema.keyspaces"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := append(slices.Clone(nodes), "--backup", "backup", "--now", meta.Now)
			out, err := exportBackup(t, append(args, tc.flags...)...)
			if err != nil {
				t.Fatal(err)
			}
			if got := outcomes(t, out)["ok"]; !slices.Equal(got, tc.ok) {
				t.Fatalf("exported %v, want %v", got, tc.ok)
			}
			for dir, want := range tc.check {
				sameAsCassandra(t, filepath.Join(out, filepath.FromSlash(dir)), filepath.Join(expected, want+".select-json.jsonl"))
			}
		})
	}
	_, err := exportBackup(t, append(slices.Clone(nodes), "--backup", "backup", "--table", "shop.nope")...)
	if ExitCode(err) != ExitUsage || !strings.Contains(err.Error(), "shop.nope") {
		t.Fatalf("a --table that matches nothing: %v (exit %d), want a usage error naming it", err, ExitCode(err))
	}
}

// TestBackupSnapshotNoKeyspaceLevel: Netflix Aegisthus's layout, each node's
// copy of a table as <node>/<table>-<id>/ without a keyspace level, is one
// table (the shared id says so), exported equal to SELECT JSON at ALL.
func TestBackupSnapshotNoKeyspaceLevel(t *testing.T) {
	nodes, meta, expected := backupSnapshot(t)
	tmp := t.TempDir()
	var args []string
	for i, n := range nodes {
		dirs, _ := filepath.Glob(filepath.Join(n, "shop", "orders-*", "snapshots", "backup"))
		if len(dirs) != 1 {
			t.Fatalf("%s: %v", n, dirs)
		}
		id := filepath.Base(filepath.Dir(filepath.Dir(dirs[0])))
		dst := filepath.Join(tmp, "host-"+string(rune('a'+i)), id)
		copyTree(t, dirs[0], dst, "")
		args = append(args, filepath.Dir(dst))
	}
	out, err := exportBackup(t, append(args, "--now", meta.Now)...)
	if err != nil {
		t.Fatal(err)
	}
	sameAsCassandra(t, out, filepath.Join(expected, "shop.orders.select-json.jsonl"))
}

// backupTrees lays the whole backup out as Medusa (<node>/<backup>/data/<ks>/
// <table>-<id>/) and Priam (<cluster>/<token>/<date>/SNAP/<ks>/<table>/,
// Snappy-framed; Priam's classic layout has no table id, and it backs up
// snapshots, not a dropped table's auto snapshot, so the dropped generation
// of shop.carts is not in it).
func backupTrees(t *testing.T, nodes []string, oldCarts string) (medusa, priam string) {
	tmp := t.TempDir()
	medusa, priam = filepath.Join(tmp, "medusa"), filepath.Join(tmp, "priam")
	for i, n := range nodes {
		dirs, _ := filepath.Glob(filepath.Join(n, "*", "*", "snapshots", "backup"))
		for _, d := range dirs {
			table := filepath.Base(filepath.Dir(filepath.Dir(d)))
			ks := filepath.Base(filepath.Dir(filepath.Dir(filepath.Dir(d))))
			copyTree(t, d, filepath.Join(medusa, filepath.Base(n), "nightly", "data", ks, table), "")
			if table != "carts-"+oldCarts {
				name, _, _ := strings.Cut(table, "-")
				copyTree(t, d, filepath.Join(priam, "prod", "tok"+string(rune('1'+i)), "202612050945", "SNAP", ks, name), "java")
			}
		}
	}
	return medusa, priam
}

// sameTrees checks that two many-table exports hold the same tables with
// byte-identical parts.
func sameTrees(t *testing.T, want, got string) {
	t.Helper()
	wm, gm := readBatchManifest(t, want), readBatchManifest(t, got)
	if wm.OK != gm.OK || wm.OK == 0 {
		t.Fatalf("%d tables exported, want %d", gm.OK, wm.OK)
	}
	for _, o := range wm.Outcomes {
		if o.Status != pipeline.StatusOK {
			continue
		}
		ks, name, _ := strings.Cut(o.Table, ".")
		for _, p := range readManifest(t, filepath.Join(want, ks, name)).Parts {
			a, _ := os.ReadFile(filepath.Join(want, ks, name, p.Name))
			b, err := os.ReadFile(filepath.Join(got, ks, name, p.Name))
			if err != nil || string(a) != string(b) {
				t.Errorf("%s %s: differs from the plain layout's (%v)", o.Table, p.Name, err)
			}
		}
	}
}

// TestBackupSnapshotLayouts: the same backup laid out as Medusa and as Priam
// gives byte-identical per-table outputs.
func TestBackupSnapshotLayouts(t *testing.T) {
	nodes, meta, _ := backupSnapshot(t)
	medusa, priam := backupTrees(t, nodes, strings.ReplaceAll(meta.CartsOldID, "-", ""))
	plain, err := exportBackup(t, append(slices.Clone(nodes), "--backup", "backup", "--now", meta.Now)...)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"medusa", []string{medusa, "--backup", "nightly"}},
		{"priam", []string{priam, "--backup-layout", "priam", "--backup", "202612050945"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			out, err := exportBackup(t, append(tc.args, "--now", meta.Now)...)
			if err != nil {
				t.Fatal(err)
			}
			sameTrees(t, plain, out)
		})
	}
}
