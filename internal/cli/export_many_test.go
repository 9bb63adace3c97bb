package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aegisthus/aegisthus/internal/corpustest"
	"github.com/aegisthus/aegisthus/internal/pipeline"
	"github.com/aegisthus/aegisthus/internal/storage"
)

// manyFixtures is testdata/cassandra-5.0/oa/lz4: tables of three keyspaces,
// with one schema file defining them all.
func manyFixtures(t *testing.T) (root, schema string, dirs []string) {
	root = filepath.Join(repoTestdata(t), "cassandra-5.0", "oa", "lz4")
	dirs, _ = filepath.Glob(filepath.Join(root, "*", "*"))
	var stmts []string
	for _, d := range dirs {
		m, _ := readFixtureMeta(t, d)
		for _, s := range m.CQL {
			if !slices.Contains(stmts, s) {
				stmts = append(stmts, s)
			}
		}
	}
	schema = filepath.Join(t.TempDir(), "schema.cql")
	if err := os.WriteFile(schema, []byte(strings.Join(stmts, ";\n")+";\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return root, schema, dirs
}

// runMany runs export with the test defaults and returns its error.
func runMany(o exportOptions) error {
	if o.splitSize == "" {
		o.splitSize = "16KiB"
	}
	testDefaults(&o)
	return o.run(context.Background(), storage.Local{}, &bytes.Buffer{})
}

func readBatchManifest(t *testing.T, dir string) pipeline.BatchManifest {
	t.Helper()
	return readJSONFile[pipeline.BatchManifest](t, filepath.Join(dir, pipeline.ManifestFile))
}

// tableOut is where a fixture table's export lands below a batch's --out.
func tableOut(out, fixture string) string {
	name, _, _ := strings.Cut(filepath.Base(fixture), "-")
	return filepath.Join(out, filepath.Base(filepath.Dir(fixture)), name)
}

// TestExportMany: one run over a whole tree of tables writes each table's
// complete export below --out, equal to SELECT JSON * of that table, and
// byte-identical to the single-table export of it.
func TestExportMany(t *testing.T) {
	root, schema, dirs := manyFixtures(t)
	now := "2026-11-22T20:43:25Z"
	o := exportOptions{paths: []string{root}, now: now, out: t.TempDir()}
	o.schema.path = schema
	if err := runMany(o); err != nil {
		t.Fatal(err)
	}
	m := readBatchManifest(t, o.out)
	if m.OK != len(dirs) || m.Failed != 0 {
		t.Fatalf("manifest: %d ok, %d failed, want %d ok: %+v", m.OK, m.Failed, len(dirs), m.Outcomes)
	}
	if _, err := os.Stat(filepath.Join(o.out, pipeline.SuccessFile)); err != nil {
		t.Fatal("no top-level _SUCCESS")
	}
	for _, d := range dirs {
		meta, _ := readFixtureMeta(t, d)
		tout := tableOut(o.out, d)
		got := readParts(t, tout)
		if meta.Now == now {
			var gotRaw []json.RawMessage
			for _, l := range got {
				gotRaw = append(gotRaw, json.RawMessage(l))
			}
			if err := compareRows(gotRaw, readJSONL(t, filepath.Join(d, "expected", "select-json.jsonl")), false); err != nil {
				t.Errorf("%s: %v", d, err)
			}
		}
		// The same table alone: byte-identical parts.
		one := exportOptions{paths: []string{d}, now: now, out: t.TempDir()}
		one.schema.path = schema
		if err := runMany(one); err != nil {
			t.Fatal(err)
		}
		for _, p := range readManifest(t, one.out).Parts {
			a, _ := os.ReadFile(filepath.Join(one.out, p.Name))
			b, _ := os.ReadFile(filepath.Join(tout, p.Name))
			if !bytes.Equal(a, b) {
				t.Errorf("%s: %s differs from the single-table run's", d, p.Name)
			}
		}
	}
}

// TestExportManySampleSnapshot: both tables of the 3-node sample snapshot in one run.
func TestExportManySampleSnapshot(t *testing.T) {
	root := filepath.Join(repoTestdata(t), "sample-snapshot")
	inputs, _ := filepath.Glob(filepath.Join(root, "node*", "*", "*", "snapshots", "*"))
	o := exportOptions{paths: inputs, now: "2026-11-22T20:39:06Z", out: t.TempDir(), splitSize: "8KiB"}
	if err := runMany(o); err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"events", "page_views"} {
		var meta fixtureMeta
		b, _ := os.ReadFile(filepath.Join(root, "expected", name+".meta.json"))
		json.Unmarshal(b, &meta)
		if meta.Now != o.now {
			continue
		}
		var got []json.RawMessage
		for _, l := range readParts(t, filepath.Join(o.out, "demo", name)) {
			got = append(got, json.RawMessage(l))
		}
		if err := compareRows(got, readJSONL(t, filepath.Join(root, "expected", name+".select-json.jsonl")), false); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

// copyTable copies a fixture table directory to dst/ks/<its dir name>.
func copyTable(t *testing.T, src, dst, ks string) string {
	to := filepath.Join(dst, ks, filepath.Base(src))
	corpustest.CopyFiles(t, src, to)
	return to
}

// TestExportManyFailure: a table with a corrupt chunk fails alone (exit 5, no
// top-level _SUCCESS, its error in the manifest); --resume after repairing it
// completes; --max-errors 1 leaves the SSTable out and says so; --fail-fast
// stops the run with the table's error.
func TestExportManyFailure(t *testing.T) {
	fx := filepath.Join(repoTestdata(t), "cassandra-5.0", "oa", "lz4", "edge")
	in := t.TempDir()
	wide, _ := filepath.Glob(filepath.Join(fx, "wide-*"))
	counters, _ := filepath.Glob(filepath.Join(fx, "counters-*"))
	bad := copyTable(t, wide[0], in, "edge")
	copyTable(t, counters[0], in, "edge")
	data := filepath.Join(bad, "oa-1-big-Data.db")
	orig, _ := os.ReadFile(data)
	broken := bytes.Clone(orig)
	broken[len(broken)/2] ^= 0xff
	os.WriteFile(data, broken, 0o644)
	now := "2026-11-22T20:43:25Z"

	out := t.TempDir()
	err := runMany(exportOptions{paths: []string{in}, now: now, out: out})
	if ExitCode(err) != ExitPartial {
		t.Fatalf("exit %d (%v), want %d", ExitCode(err), err, ExitPartial)
	}
	m := readBatchManifest(t, out)
	if m.OK != 1 || m.Failed != 1 {
		t.Fatalf("manifest %+v", m.Outcomes)
	}
	for _, r := range m.Outcomes {
		if r.Status == pipeline.StatusFailed && (!strings.Contains(r.Error, "edge.wide") || !strings.Contains(r.Error, "Data.db")) {
			t.Errorf("error names neither table nor file: %s", r.Error)
		}
	}
	if _, err := os.Stat(filepath.Join(out, pipeline.SuccessFile)); err == nil {
		t.Fatal("top-level _SUCCESS after a failure")
	}
	readParts(t, filepath.Join(out, "edge", "counters"))

	os.WriteFile(data, orig, 0o644)
	if err := runMany(exportOptions{paths: []string{in}, now: now, out: out, resume: true}); err != nil {
		t.Fatalf("resume: %v", err)
	}
	if _, err := os.Stat(filepath.Join(out, pipeline.SuccessFile)); err != nil {
		t.Fatal("no _SUCCESS after resume")
	}
	readParts(t, filepath.Join(out, "edge", "wide"))

	os.WriteFile(data, broken, 0o644)
	out2 := t.TempDir()
	if err := runMany(exportOptions{paths: []string{in}, now: now, out: out2, maxErrors: 1}); err != nil {
		t.Fatalf("--max-errors 1: %v", err)
	}
	wm := readManifest(t, filepath.Join(out2, "edge", "wide"))
	if !wm.Incomplete || len(wm.Skipped) != 1 || !strings.HasSuffix(wm.Skipped[0].File, "Data.db") {
		t.Fatalf("manifest does not record the skip: incomplete %v %+v", wm.Incomplete, wm.Skipped)
	}
	if _, err := os.Stat(filepath.Join(out2, "edge", "wide", pipeline.ErrorsFile)); err != nil {
		t.Fatal("no _errors.jsonl")
	}
	if bm := readBatchManifest(t, out2); bm.OK != 2 {
		t.Fatalf("top-level manifest %+v", bm.Outcomes)
	}

	out3 := t.TempDir()
	err = runMany(exportOptions{paths: []string{in}, now: now, out: out3, failFast: true, workers: 1})
	if err == nil || errors.Is(err, pipeline.ErrPartial) || !strings.Contains(err.Error(), "edge.wide") {
		t.Fatalf("--fail-fast: %v", err)
	}
}

// TestExportManyBase: --base pairs each table with BASE/<ks>/<table>/; a new
// table is exported in full, a table gone from the inputs is reported.
func TestExportManyBase(t *testing.T) {
	root := filepath.Join(repoTestdata(t), "sample-snapshot")
	all, _ := filepath.Glob(filepath.Join(root, "node*", "*", "*", "snapshots", "*"))
	events, _ := filepath.Glob(filepath.Join(root, "node*", "*", "events-*", "snapshots", "*"))
	counters, _ := filepath.Glob(filepath.Join(repoTestdata(t), "cassandra-5.0", "oa", "lz4", "edge", "counters-*"))
	now := "2026-11-22T20:43:25Z"
	base := t.TempDir()
	if err := runMany(exportOptions{paths: all, now: now, out: base, layout: "partitions"}); err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	if err := runMany(exportOptions{paths: append(events, counters...), now: now, out: out, layout: "partitions", base: base}); err != nil {
		t.Fatal(err)
	}
	m := readBatchManifest(t, out)
	byTable := map[string]pipeline.TableOutcome{}
	for _, r := range m.Outcomes {
		byTable[r.Table] = r
	}
	if r := byTable["demo.events"]; r.Status != pipeline.StatusOK || r.Base == "" {
		t.Errorf("events: %+v", r)
	}
	if r := byTable["edge.counters"]; r.Status != pipeline.StatusOK || r.Base != "" {
		t.Errorf("counters (new): %+v", r)
	}
	if r := byTable["demo.page_views"]; r.Status != pipeline.StatusGone || m.Gone != 1 {
		t.Errorf("page_views (gone): %+v", r)
	}
	// The incremental events equals the base's: nothing new was written.
	a := readParts(t, filepath.Join(base, "demo", "events"))
	b := readParts(t, filepath.Join(out, "demo", "events"))
	slices.Sort(a)
	slices.Sort(b)
	if !slices.Equal(a, b) {
		t.Errorf("events merged with its own base differs from the base")
	}
}

// TestExportManyOverwrite: --overwrite clears what exports wrote and refuses,
// naming it, a file no export wrote.
func TestExportManyOverwrite(t *testing.T) {
	root := filepath.Join(repoTestdata(t), "sample-snapshot")
	all, _ := filepath.Glob(filepath.Join(root, "node*", "*", "*", "snapshots", "*"))
	out := t.TempDir()
	if err := runMany(exportOptions{paths: all, out: out}); err != nil {
		t.Fatal(err)
	}
	if err := runMany(exportOptions{paths: all, out: out, overwrite: true}); err != nil {
		t.Fatalf("overwrite: %v", err)
	}
	os.WriteFile(filepath.Join(out, "demo", "events", "notes.txt"), []byte("mine"), 0o644)
	err := runMany(exportOptions{paths: all, out: out, overwrite: true})
	if ExitCode(err) != ExitUsage || !strings.Contains(err.Error(), "notes.txt") {
		t.Fatalf("overwrite over a foreign file: exit %d: %v", ExitCode(err), err)
	}
	if _, err := os.Stat(filepath.Join(out, "demo", "events", "notes.txt")); err != nil {
		t.Fatal("the foreign file is gone")
	}
}
