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

	"github.com/aegisthus/aegisthus/internal/pipeline"
	"github.com/aegisthus/aegisthus/internal/storage"
)

// aegisthusRecords maps each line's key to its deletedAt and its columns, sorted
// (the schema-less export orders columns by name bytes, the typed one by the
// comparator).
func aegisthusRecords(t *testing.T, lines []string) map[string]string {
	t.Helper()
	out := map[string]string{}
	for _, l := range lines {
		key, js, _ := strings.Cut(l, "\t")
		var rec map[string]struct {
			DeletedAt int64             `json:"deletedAt"`
			Columns   []json.RawMessage `json:"columns"`
		}
		if err := json.Unmarshal([]byte(js), &rec); err != nil {
			t.Fatalf("%s: %v", l, err)
		}
		var cols []string
		for _, c := range rec[key].Columns {
			cols = append(cols, string(c))
		}
		slices.Sort(cols)
		b, _ := json.Marshal(rec[key].DeletedAt)
		out[key] = string(b) + " " + strings.Join(cols, " ")
	}
	return out
}

// TestExportLegacyWithoutSchema exports the legacy corpus datasets without a
// schema: the layout becomes aegisthus by itself (and the manifest says so),
// and every partition holds the same columns, merged and shadowed the same
// way, as the export with the schema, whatever the unit size.
func TestExportLegacyWithoutSchema(t *testing.T) {
	exps := legacyExpectations(t)
	shared := sharedDir(t)
	compared := 0
	for _, exp := range exps {
		name := exp.name
		t.Run(name, func(t *testing.T) {
			schema := exp.schemaFile(t)
			var groups [][]string
			for _, prefix := range exp.SSTables {
				if !strings.Contains(prefix, "-ka-") && !strings.HasPrefix(prefix, "la-") && !strings.HasPrefix(prefix, "ka-") && !strings.Contains(prefix, "/ka-") && !strings.Contains(prefix, "/la-") {
					continue // 3.0+ twins: they have a header
				}
				p := filepath.Join(shared, "corpus", exp.Dataset, prefix+"-Data.db")
				if exp.ReadAs == "merged" && len(groups) > 0 {
					groups[0] = append(groups[0], p)
				} else {
					groups = append(groups, []string{p})
				}
			}
			for _, g := range groups {
				typed := exportOptions{paths: g, now: "2026-01-01", layout: "aegisthus"}
				typed.schema.path = schema
				want, _ := exportLines(t, typed)
				for _, split := range []string{"256MiB", "1KiB"} {
					raw := exportOptions{paths: g, now: "2026-01-01", splitSize: split, out: t.TempDir()}
					got, _ := exportLines(t, raw)
					checkAegisthusLines(t, got)
					mb, err := os.ReadFile(filepath.Join(raw.out, pipeline.ManifestFile))
					if err != nil || !bytes.Contains(mb, []byte(`"layout": "aegisthus"`)) {
						t.Fatalf("manifest does not record the aegisthus layout: %v", err)
					}
					gr, wr := aegisthusRecords(t, got), aegisthusRecords(t, want)
					for k, w := range wr {
						if gr[k] != w {
							t.Errorf("%v split %s: partition %s:\n got %s\nwant %s", g, split, k, gr[k], w)
						}
					}
					if len(gr) != len(wr) {
						t.Errorf("%v: %d partitions without schema, %d with", g, len(gr), len(wr))
					}
				}
				compared++
			}
		})
	}
	t.Logf("%d legacy SSTable sets export the same columns with and without a schema", compared)
}

// TestExportLegacyExplicitLayoutNeedsSchema: --layout rows (or partitions) of
// legacy SSTables without a schema is refused with a message naming --schema.
func TestExportLegacyExplicitLayoutNeedsSchema(t *testing.T) {
	dir := filepath.Join(sharedDir(t), "corpus", "scylla", "legacy", "complex")
	for _, layout := range []string{"rows", "partitions"} {
		o := exportOptions{paths: []string{dir}, layout: layout, layoutSet: true, out: t.TempDir(), workers: 1,
			splitSize: "256MiB", compress: "none", logFormat: "text", quiet: true}
		err := o.run(context.Background(), storage.Local{}, &bytes.Buffer{})
		if err == nil || !strings.Contains(err.Error(), "--schema") {
			t.Fatalf("--layout %s: want an error naming --schema, got %v", layout, err)
		}
		if errors.Is(err, ErrInput) {
			continue
		}
	}
}
