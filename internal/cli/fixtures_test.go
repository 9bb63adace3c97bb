package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/aegisthus/aegisthus/internal/discover"
	"github.com/aegisthus/aegisthus/internal/sstable/format"
	"github.com/aegisthus/aegisthus/internal/storage"
)

// repoTestdata is the repository's testdata directory (fixtures written by a real
// Cassandra through interop/, see testdata/README.md).
func repoTestdata(t testing.TB) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "testdata")
}

type fixtureMeta struct {
	Format  string   `json:"format"`
	Now     string   `json:"now"`
	NowUnix int64    `json:"now_unix"`
	CQL     []string `json:"cql"`
	Note    string   `json:"note"`
}

// fixtureTables lists the table directories under testdata/cassandra-5.0.
func fixtureTables(t *testing.T) []string { return fixtureTablesIn(t, "cassandra-5.0") }

// fixtureTablesIn lists the table directories under testdata/<version>
// (<format>/<compression>/<keyspace>/<table>).
func fixtureTablesIn(t *testing.T, version string) []string {
	dirs, err := filepath.Glob(filepath.Join(repoTestdata(t), version, "*", "*", "*", "*"))
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "expected", "meta.json")); err == nil {
			out = append(out, d)
		}
	}
	if len(out) == 0 {
		t.Fatalf("no fixtures under testdata/%s (make testdata writes them)", version)
	}
	return out
}

func readFixtureMeta(t *testing.T, dir string) (fixtureMeta, string) {
	t.Helper()
	var m fixtureMeta
	b, err := os.ReadFile(filepath.Join(dir, "expected", "meta.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	schema := filepath.Join(t.TempDir(), "schema.cql")
	if err := os.WriteFile(schema, []byte(strings.Join(m.CQL, ";\n")+";\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	return m, schema
}

func readJSONL(t *testing.T, path string) []json.RawMessage {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return splitLines(b)
}

// TestFixturesExport: exporting every SSTable of a fixture table gives exactly
// the rows Cassandra's SELECT JSON * returned at CONSISTENCY ALL.
func TestFixturesExport(t *testing.T) { fixturesExport(t, "cassandra-5.0") }

// TestFixtures60Export: the same for the files Cassandra 6.0 wrote (nb, oa,
// pa, ea), testdata/cassandra-6.0.
func TestFixtures60Export(t *testing.T) { fixturesExport(t, "cassandra-6.0") }

func fixturesExport(t *testing.T, version string) {
	for _, dir := range fixtureTablesIn(t, version) {
		rel, _ := filepath.Rel(filepath.Join(repoTestdata(t), version), dir)
		t.Run(rel, func(t *testing.T) {
			m, schema := readFixtureMeta(t, dir)
			o := exportOptions{paths: []string{dir}, now: m.Now, splitSize: "16KiB"}
			o.schema.path = schema
			got, _ := exportLines(t, o)
			var gotRaw []json.RawMessage
			for _, l := range got {
				gotRaw = append(gotRaw, json.RawMessage(l))
			}
			want := readJSONL(t, filepath.Join(dir, "expected", "select-json.jsonl"))
			if err := compareRows(gotRaw, want, false); err != nil {
				t.Errorf("%s\n%v", m.Note, err)
			}
		})
	}
}

// TestSampleSnapshotExport: the 3-replica sample snapshot, merged, equals SELECT
// JSON * at ALL.
func TestSampleSnapshotExport(t *testing.T) {
	root := filepath.Join(repoTestdata(t), "sample-snapshot")
	metas, _ := filepath.Glob(filepath.Join(root, "expected", "*.meta.json"))
	if len(metas) == 0 {
		t.Fatal("no sample snapshot expectations")
	}
	for _, mf := range metas {
		name := strings.TrimSuffix(filepath.Base(mf), ".meta.json")
		t.Run(name, func(t *testing.T) {
			var m fixtureMeta
			b, _ := os.ReadFile(mf)
			json.Unmarshal(b, &m)
			inputs, _ := filepath.Glob(filepath.Join(root, "node*", "*", name+"-*", "snapshots", "*"))
			if len(inputs) != 3 {
				t.Fatalf("want 3 replicas of %s, found %v", name, inputs)
			}
			for _, w := range []int{1, 2} {
				got, _ := exportLines(t, exportOptions{paths: inputs, now: m.Now, splitSize: "8KiB", workers: w})
				var gotRaw []json.RawMessage
				for _, l := range got {
					gotRaw = append(gotRaw, json.RawMessage(l))
				}
				want := readJSONL(t, filepath.Join(root, "expected", name+".select-json.jsonl"))
				if err := compareRows(gotRaw, want, false); err != nil {
					t.Errorf("workers %d: %v", w, err)
				}
			}
		})
	}
}

// TestFixturesDump: dump prints what sstabledump printed for every fixture
// SSTable, byte for byte (layout, "expired" flags and positions included).
func TestFixturesDump(t *testing.T) { fixturesDump(t, "cassandra-5.0") }

// TestFixtures60Dump: the same for testdata/cassandra-6.0.
func TestFixtures60Dump(t *testing.T) { fixturesDump(t, "cassandra-6.0") }

func fixturesDump(t *testing.T, version string) {
	for _, f := range fixtureSSTablesIn(t, version) {
		d := f.sstable
		rel, _ := filepath.Rel(filepath.Join(repoTestdata(t), version), f.dir)
		t.Run(rel+"/"+d.Prefix(), func(t *testing.T) {
			m, _ := readFixtureMeta(t, f.dir)
			wb, err := os.ReadFile(f.sstabledump)
			if err != nil {
				t.Fatal(err)
			}
			o := &dumpOptions{now: m.Now, paths: []string{d.Path(format.Data)}}
			var out bytes.Buffer
			if err := o.run(context.Background(), storage.Local{}, &out); err != nil {
				t.Fatalf("%s: %v", d.Path(format.Data), err)
			}
			if bytes.Equal(out.Bytes(), wb) {
				return
			}
			if err := sameJSON(out.Bytes(), wb); err != nil {
				t.Error(err)
			}
			t.Errorf("%s: not the bytes sstabledump printed: %s", d.Path(format.Data), firstByteDiff(out.Bytes(), wb))
		})
	}
}

// fixtureSSTable is one SSTable of a Cassandra 5.0 fixture table and the file
// holding what sstabledump printed for it.
type fixtureSSTable struct {
	dir, sstabledump string
	sstable          format.Descriptor
}

// fixtureSSTables lists every SSTable of the Cassandra 5.0 fixtures.
func fixtureSSTables(t *testing.T) []fixtureSSTable { return fixtureSSTablesIn(t, "cassandra-5.0") }

// fixtureSSTablesIn lists every SSTable of the fixtures of one Cassandra version.
func fixtureSSTablesIn(t *testing.T, version string) []fixtureSSTable {
	var out []fixtureSSTable
	for _, dir := range fixtureTablesIn(t, version) {
		tables, err := discover.Find(storage.Local{}, []string{dir})
		if err != nil {
			t.Fatal(err)
		}
		for _, d := range tables[0].SSTables {
			out = append(out, fixtureSSTable{dir, filepath.Join(dir, "expected", strings.TrimSuffix(d.Prefix(), "-")+".sstabledump.json"), d})
		}
	}
	return out
}

// dumpedPartition is what a test reads from one partition sstabledump printed.
type dumpedPartition struct {
	Partition struct {
		Deletion json.RawMessage `json:"deletion_info"`
	} `json:"partition"`
	Rows []struct {
		Type     string          `json:"type"`
		Deletion json.RawMessage `json:"deletion_info"`
		Start    json.RawMessage `json:"start"`
		Cells    []struct {
			Path     json.RawMessage `json:"path"`
			Value    json.RawMessage `json:"value"`
			Deletion json.RawMessage `json:"deletion_info"`
		} `json:"cells"`
	} `json:"rows"`
}

// readSSTableDump reads an sstabledump golden.
func readSSTableDump(t *testing.T, path string) []dumpedPartition {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	var parts []dumpedPartition
	if err := json.Unmarshal(b, &parts); err != nil {
		t.Fatal(err)
	}
	return parts
}

// firstByteDiff shows where got and want part, with some context.
func firstByteDiff(got, want []byte) string {
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	from := max(i-120, 0)
	return fmt.Sprintf("at byte %d (lengths %d, %d):\n got  %q\n want %q", i, len(got), len(want),
		got[from:min(i+80, len(got))], want[from:min(i+80, len(want))])
}

// sameJSON compares two JSON documents as values and reports the first
// difference by path.
func sameJSON(got, want []byte) error {
	var g, w any
	dg := json.NewDecoder(bytes.NewReader(got))
	dg.UseNumber()
	if err := dg.Decode(&g); err != nil {
		return err
	}
	dw := json.NewDecoder(bytes.NewReader(want))
	dw.UseNumber()
	if err := dw.Decode(&w); err != nil {
		return err
	}
	return diffJSON("$", g, w)
}

func diffJSON(path string, g, w any) error {
	switch wv := w.(type) {
	case map[string]any:
		gv, ok := g.(map[string]any)
		if !ok {
			return jsonDiff(path, g, w)
		}
		keys := map[string]bool{}
		for k := range wv {
			keys[k] = true
		}
		for k := range gv {
			keys[k] = true
		}
		ks := make([]string, 0, len(keys))
		for k := range keys {
			ks = append(ks, k)
		}
		sort.Strings(ks)
		for _, k := range ks {
			if err := diffJSON(path+"."+k, gv[k], wv[k]); err != nil {
				return err
			}
		}
		return nil
	case []any:
		gv, ok := g.([]any)
		if !ok || len(gv) != len(wv) {
			return jsonDiff(path, g, w)
		}
		for i := range wv {
			if err := diffJSON(path+"["+strconvItoa(i)+"]", gv[i], wv[i]); err != nil {
				return err
			}
		}
		return nil
	}
	gs, _ := canonicalJSONValue(g)
	ws, _ := canonicalJSONValue(w)
	if gs != ws {
		return jsonDiff(path, g, w)
	}
	return nil
}

func canonicalJSONValue(v any) (string, error) {
	var sb strings.Builder
	writeCanonical(&sb, v)
	return sb.String(), nil
}

func jsonDiff(path string, g, w any) error {
	gb, _ := json.Marshal(g)
	wb, _ := json.Marshal(w)
	return &diffError{path, string(gb), string(wb)}
}

type diffError struct{ path, got, want string }

func (e *diffError) Error() string {
	return "at " + e.path + ":\n got  " + trunc(e.got) + "\n want " + trunc(e.want)
}

func trunc(s string) string {
	if len(s) > 600 {
		return s[:600] + "..."
	}
	return s
}

func strconvItoa(i int) string { return strconv.Itoa(i) }
