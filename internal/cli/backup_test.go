package cli

import (
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aegisthus/aegisthus/internal/storage"
	"github.com/golang/snappy"
)

// copyTree copies the files of src into dst, each compressed as framing says:
// "" as is, "framed" in the Snappy framing format, "java" as one snappy-java
// SnappyOutputStream (what Priam's compress/ChunkedStream writes).
func copyTree(t *testing.T, src, dst string, framing string) {
	t.Helper()
	ents, err := os.ReadDir(src)
	if err != nil {
		t.Fatal(err)
	}
	os.MkdirAll(dst, 0o755)
	for _, e := range ents {
		if !e.Type().IsRegular() {
			continue
		}
		b, _ := os.ReadFile(filepath.Join(src, e.Name()))
		f, err := os.Create(filepath.Join(dst, e.Name()))
		if err != nil {
			t.Fatal(err)
		}
		var w io.WriteCloser = nopWriteCloser{f}
		switch framing {
		case "framed":
			w = snappy.NewBufferedWriter(f)
		case "java":
			w = storage.NewSnappyJavaWriter(f)
		}
		w.Write(b)
		w.Close()
		f.Close()
	}
}

type nopWriteCloser struct{ io.Writer }

func (nopWriteCloser) Close() error { return nil }

// runExport runs the export command and returns its sorted rows.
func runExport(t *testing.T, args ...string) ([]string, error) {
	t.Helper()
	out := t.TempDir()
	r := NewRoot()
	r.SetArgs(append([]string{"export", "--out", out, "--now", sampleNow, "--split-size", "8KiB", "-q"}, args...))
	r.SetOut(io.Discard)
	r.SetErr(io.Discard)
	if err := r.Execute(); err != nil {
		return nil, err
	}
	return readParts(t, out), nil
}

// layoutTrees lays the sample snapshot's replicas of demo.events out as plain
// snapshot copies (with a second snapshot of node1), a Medusa backup and a
// Priam backup, and returns them with the rows of all replicas and of node1.
func layoutTrees(t testing.TB) (plain, medusa, priam string, want, node1 []string) {
	root, rel := sampleInputs(t, "events")
	var inputs []string
	for _, r := range rel {
		inputs = append(inputs, filepath.Join(root, r))
	}
	tt := t.(*testing.T)
	want, _ = exportLines(tt, exportOptions{paths: inputs, now: sampleNow, splitSize: "8KiB"})
	node1, _ = exportLines(tt, exportOptions{paths: inputs[:1], now: sampleNow, splitSize: "8KiB"})
	if len(want) == 0 || len(node1) == 0 || len(node1) == len(want) {
		t.Fatalf("baselines: %d rows merged, %d from node1", len(want), len(node1))
	}
	tmp := t.TempDir()
	plain, medusa, priam = filepath.Join(tmp, "plain"), filepath.Join(tmp, "medusa"), filepath.Join(tmp, "priam")
	for i, r := range rel {
		parts := strings.Split(r, "/") // node/ks/table-id/snapshots/tag
		node, ks, table := parts[0], parts[1], parts[2]
		src := filepath.Join(root, r)
		copyTree(tt, src, filepath.Join(plain, node, ks, table, "snapshots", "sample"), "")
		if i == 0 {
			copyTree(tt, src, filepath.Join(plain, node, ks, table, "snapshots", "other"), "")
		}
		copyTree(tt, src, filepath.Join(medusa, node, "nightly", "data", ks, table), "")
		copyTree(tt, src, filepath.Join(priam, "demo-cluster", "tok"+string(rune('1'+i)), "202611220400", "SNAP", ks, strings.Split(table, "-")[0]), "java")
	}
	return plain, medusa, priam, want, node1
}

// TestBackupLayouts exports each backup layout of the sample snapshot.
func TestBackupLayouts(t *testing.T) {
	plain, medusa, priam, want, node1 := layoutTrees(t)
	diff, gen1 := medusaDifferential(t)
	for _, tc := range []exportCase{
		{"plain needs a choice", []string{plain}, nil, ExitUsage, "other, sample"},
		{"plain --backup", []string{plain, "--backup", "sample"}, want, 0, ""},
		{"plain --backup --nodes", []string{plain, "--backup-layout", "plain", "--backup", "other", "--nodes", "node1"}, node1, 0, ""},
		{"plain unknown node", []string{plain, "--backup", "sample", "--nodes", "node9"}, nil, ExitBadInput, "node9"},
		{"plain unknown backup", []string{plain, "--backup", "weekly"}, nil, ExitBadInput, "weekly"},
		{"medusa auto", []string{medusa}, want, 0, ""},
		{"medusa", []string{medusa, "--backup-layout", "medusa", "--backup", "nightly"}, want, 0, ""},
		{"priam auto", []string{priam}, want, 0, ""},
		{"priam --nodes", []string{priam, "--backup-layout", "priam", "--nodes", "tok1", "--backup", "202611220400"}, node1, 0, ""},
		{"layout mismatch", []string{medusa, "--backup-layout", "priam"}, nil, ExitBadInput, "no priam backup"},
		{"bad layout", []string{medusa, "--backup-layout", "tablesnap"}, nil, ExitUsage, "tablesnap"},
		{"medusa differential needs a choice", []string{diff}, nil, ExitUsage, "b1, b2"},
		{"medusa differential b2", []string{diff, "--backup", "b2"}, want, 0, ""},
		{"medusa differential b1", []string{diff, "--backup-layout", "medusa", "--backup", "b1"}, gen1, 0, ""},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.check(t, tc.args) })
	}
}

// exportCase is one export over a backup tree: its arguments, and the rows
// (code 0) or the exit code and a part of the message it should end with.
type exportCase struct {
	name string
	args []string
	want []string
	code int
	msg  string
}

func (tc exportCase) check(t *testing.T, args []string) {
	t.Helper()
	got, err := runExport(t, args...)
	if c := ExitCode(err); c != tc.code || (tc.msg != "" && !strings.Contains(err.Error(), tc.msg)) {
		t.Fatalf("exit code %d (%v), want %d and %q", c, err, tc.code, tc.msg)
	}
	if tc.code == 0 && !slices.Equal(got, tc.want) {
		t.Fatalf("%d rows differ from the %d wanted", len(got), len(tc.want))
	}
}

// medusaDifferential lays the sample's replicas of demo.events out as Medusa's
// differential mode does: every node's SSTables once under <node>/data, and two
// backups whose manifests list all of them (b2) or generation 1 only (b1). It
// returns the root and the rows of generation 1.
func medusaDifferential(t *testing.T) (string, []string) {
	root, rel := sampleInputs(t, "events")
	dir := filepath.Join(t.TempDir(), "medusa-diff")
	var gen1Paths []string
	for _, r := range rel {
		parts := strings.Split(r, "/")
		node, ks, table := parts[0], parts[1], parts[2]
		copyTree(t, filepath.Join(root, r), filepath.Join(dir, node, "data", ks, table), "")
		ents, _ := os.ReadDir(filepath.Join(root, r))
		type object struct {
			Path string `json:"path"`
			MD5  string `json:"MD5"`
			Size int64  `json:"size"`
		}
		var all, first []object
		for _, e := range ents {
			if !strings.HasPrefix(e.Name(), "nb-") {
				continue
			}
			fi, _ := e.Info()
			o := object{Path: "cluster-prefix/" + node + "/data/" + ks + "/" + table + "/" + e.Name(), Size: fi.Size()}
			all = append(all, o)
			if strings.HasPrefix(e.Name(), "nb-1-") {
				first = append(first, o)
				if strings.HasSuffix(e.Name(), "-Data.db") {
					gen1Paths = append(gen1Paths, filepath.Join(root, r, e.Name()))
				}
			}
		}
		for name, objs := range map[string][]object{"b1": first, "b2": all} {
			m := []map[string]any{{"keyspace": ks, "columnfamily": table, "objects": objs}}
			b, _ := json.Marshal(m)
			os.MkdirAll(filepath.Join(dir, node, name, "meta"), 0o755)
			os.WriteFile(filepath.Join(dir, node, name, "meta", "manifest.json"), b, 0o644)
		}
	}
	o := exportOptions{paths: gen1Paths, now: sampleNow, splitSize: "8KiB"}
	o.schema.path = filepath.Join(root, rel[0], "schema.cql")
	gen1, _ := exportLines(t, o)
	if len(gen1) == 0 {
		t.Fatal("generation 1 holds no rows")
	}
	return dir, gen1
}
