package cli

import (
	"bytes"

	"encoding/json"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aegisthus/aegisthus/internal/storage"
)

// TestExportTokenRange: exports of (-inf, T] and (T, +inf) split the rows of the
// full export between them, with nothing lost or repeated.
func TestExportTokenRange(t *testing.T) {
	root := filepath.Join(repoTestdata(t), "sample-snapshot")
	inputs, _ := filepath.Glob(filepath.Join(root, "node*", "demo", "events-*", "snapshots", "*"))
	full, _ := exportLines(t, exportOptions{paths: inputs, now: "2026-11-22T20:39:06Z"})
	lo, _ := exportLines(t, exportOptions{paths: inputs, now: "2026-11-22T20:39:06Z", tokenRange: ":0", splitSize: "16KiB"})
	hi, _ := exportLines(t, exportOptions{paths: inputs, now: "2026-11-22T20:39:06Z", tokenRange: "0:", splitSize: "16KiB"})
	if len(lo) == 0 || len(hi) == 0 {
		t.Fatalf("token split at 0 gave %d and %d rows", len(lo), len(hi))
	}
	both := append(append([]string{}, lo...), hi...)
	slices.Sort(both)
	if !slices.Equal(both, full) {
		t.Fatalf("(-inf,0] and (0,+inf) hold %d+%d rows, the full export %d", len(lo), len(hi), len(full))
	}
	mid, _ := exportLines(t, exportOptions{paths: inputs, now: "2026-11-22T20:39:06Z", tokenRange: "-4000000000000000000:4000000000000000000"})
	if len(mid) == 0 || len(mid) >= len(full) {
		t.Fatalf("a middle token range kept %d of %d rows", len(mid), len(full))
	}
}

// TestExportKeysColumnsWritetimeTTL checks --keys, --columns, --writetime, --ttl.
func TestExportKeysColumnsWritetimeTTL(t *testing.T) {
	dirs, _ := filepath.Glob(filepath.Join(repoTestdata(t), "cassandra-5.0", "oa", "lz4", "edge", "ttls-*"))
	if len(dirs) != 1 {
		t.Fatalf("no ttls fixture: %v", dirs)
	}
	m, schema := readFixtureMeta(t, dirs[0])
	base := exportOptions{paths: dirs, now: m.Now}
	base.schema.path = schema
	full, _ := exportLines(t, base)

	o := base
	o.writetime, o.ttl = true, true
	got, _ := exportLines(t, o)
	if len(got) != len(full) {
		t.Fatalf("--writetime --ttl changed the row count: %d, want %d", len(got), len(full))
	}
	var sawTTL bool
	for _, l := range got {
		var row map[string]any
		if err := json.Unmarshal([]byte(l), &row); err != nil {
			t.Fatal(err)
		}
		for k, v := range row {
			if !strings.HasPrefix(k, "writetime(") && !strings.HasPrefix(k, "ttl(") {
				continue
			}
			col := k[strings.IndexByte(k, '(')+1 : len(k)-1]
			if _, ok := row[col]; !ok {
				t.Errorf("%s without column %s", k, col)
			}
			if row[col] == nil && v != nil {
				t.Errorf("%s = %v for a null column", k, v)
			}
			if strings.HasPrefix(k, "ttl(") && v != nil {
				if n, ok := v.(float64); !ok || n <= 0 {
					t.Errorf("%s = %v, want seconds left", k, v)
				}
				sawTTL = true
			}
		}
	}
	if !sawTTL {
		t.Error("no live TTL seen in the ttls fixture")
	}

	var first map[string]any
	json.Unmarshal([]byte(full[0]), &first)
	keyCols := []string{}
	for _, stmt := range m.CQL {
		if strings.Contains(stmt, "CREATE TABLE") {
			keyCols = append(keyCols, "pk")
		}
	}
	o = base
	o.keys = []string{jsonScalar(first["pk"])}
	got, _ = exportLines(t, o)
	want := 0
	for _, l := range full {
		var row map[string]any
		json.Unmarshal([]byte(l), &row)
		if jsonScalar(row["pk"]) == o.keys[0] {
			want++
		}
	}
	if len(got) != want || want == 0 {
		t.Errorf("--keys %s: %d rows, want %d", o.keys[0], len(got), want)
	}
	_ = keyCols

	o = base
	o.columns = []string{"v"}
	got, _ = exportLines(t, o)
	for _, l := range got {
		var row map[string]any
		json.Unmarshal([]byte(l), &row)
		keys := make([]string, 0, len(row))
		for k := range row {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		if strings.Join(keys, ",") != "ck,pk,v" {
			t.Fatalf("--columns v: row has %v", keys)
		}
	}
	o.columns = []string{"nope"}
	o.out = t.TempDir()
	o.workers, o.splitSize, o.compress, o.layout, o.logFormat, o.quiet = 1, "1MiB", "none", "rows", "text", true
	if err := o.run(t.Context(), storage.Local{}, &bytes.Buffer{}); ExitCode(err) != ExitUsage {
		t.Errorf("--columns nope: exit %d (%v), want usage", ExitCode(err), err)
	}
}

func jsonScalar(v any) string {
	switch x := v.(type) {
	case string:
		return x
	default:
		b, _ := json.Marshal(x)
		return string(b)
	}
}
