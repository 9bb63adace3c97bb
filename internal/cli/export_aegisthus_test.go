package cli

import (
	"encoding/hex"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
)

// checkAegisthusLines checks that every line is "<hex key>\t<JSON>" and that the
// JSON is one object whose single key is that hex key, holding deletedAt and columns.
func checkAegisthusLines(t *testing.T, lines []string) {
	t.Helper()
	for _, l := range lines {
		key, js, ok := strings.Cut(l, "\t")
		if !ok {
			t.Fatalf("no tab: %q", l)
		}
		if _, err := hex.DecodeString(key); err != nil || key != strings.ToLower(key) {
			t.Fatalf("key %q is not lower-case hex", key)
		}
		var rec map[string]struct {
			DeletedAt *int64            `json:"deletedAt"`
			Columns   []json.RawMessage `json:"columns"`
		}
		if err := json.Unmarshal([]byte(js), &rec); err != nil {
			t.Fatalf("%s: %v", l, err)
		}
		if _, ok := rec[key]; len(rec) != 1 || !ok {
			t.Fatalf("%s: want one key %s", l, key)
		}
		if rec[key].DeletedAt == nil || rec[key].Columns == nil {
			t.Fatalf("%s: want deletedAt and columns", l)
		}
		for _, c := range rec[key].Columns {
			var col []any
			if err := json.Unmarshal(c, &col); err != nil || len(col) < 3 {
				t.Fatalf("%s: column %s", l, c)
			}
		}
	}
}

// TestExportAegisthusLayout exports the legacy corpus datasets (with their
// schemas) and the Cassandra 5.0 fixtures in the aegisthus layout and pins the
// output in testdata/aegisthus (-update rewrites it).
func TestExportAegisthusLayout(t *testing.T) {
	t.Run("fixtures", func(t *testing.T) {
		// The edge tables of the newest format cover collections, counters,
		// statics, tombstones and TTLs; the random ones would only add bulk.
		for _, dir := range fixtureTables(t) {
			rel, _ := filepath.Rel(filepath.Join(repoTestdata(t), "cassandra-5.0"), dir)
			parts := strings.Split(filepath.ToSlash(rel), "/")
			if parts[0] != "oa" || parts[2] != "edge" {
				continue
			}
			m, schema := readFixtureMeta(t, dir)
			name, _, _ := strings.Cut(parts[3], "-")
			t.Run(name, func(t *testing.T) {
				o := exportOptions{paths: []string{dir}, now: m.Now, layout: "aegisthus", splitSize: "8KiB"}
				o.schema.path = schema
				lines, _ := exportLines(t, o)
				checkAegisthusLines(t, lines)
				golden(t, filepath.Join("testdata", "aegisthus", "cassandra-5.0", name+".txt"), []byte(strings.Join(lines, "\n")+"\n"))
			})
		}
	})
	t.Run("legacy", func(t *testing.T) {
		exps := legacyExpectations(t)
		shared := sharedDir(t)
		for _, exp := range exps {
			name := exp.name
			t.Run(name, func(t *testing.T) {
				schema := exp.schemaFile(t)
				// Sets read "each" hold one SSTable per format (or per table) of the
				// same data: each is exported on its own, in the listed order.
				var groups [][]string
				for _, prefix := range exp.SSTables {
					if strings.HasPrefix(prefix, "ms-") || strings.HasPrefix(prefix, "mt-") {
						continue // ScyllaDB-only formats
					}
					p := filepath.Join(shared, "corpus", exp.Dataset, prefix+"-Data.db")
					if exp.ReadAs == "merged" && len(groups) > 0 {
						groups[0] = append(groups[0], p)
					} else {
						groups = append(groups, []string{p})
					}
				}
				var out strings.Builder
				for _, g := range groups {
					o := exportOptions{paths: g, now: "2026-01-01", layout: "aegisthus"}
					o.schema.path = schema
					lines, _ := exportLines(t, o)
					checkAegisthusLines(t, lines)
					for _, p := range g {
						rel, _ := filepath.Rel(filepath.Join(shared, "corpus"), p)
						out.WriteString("# " + filepath.ToSlash(rel) + "\n")
					}
					for _, l := range lines {
						out.WriteString(l + "\n")
					}
				}
				golden(t, filepath.Join("testdata", "aegisthus", "legacy", name+".txt"), []byte(out.String()))
			})
		}
	})
}
