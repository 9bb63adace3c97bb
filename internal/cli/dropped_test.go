package cli

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// droppedFixtures lists the tables of testdata/cassandra-5.0/*/evolution/dropped.
func droppedFixtures(t *testing.T) []string {
	var out []string
	for _, dir := range fixtureTables(t) {
		if strings.Contains(dir, "/evolution/dropped/") {
			out = append(out, dir)
		}
	}
	if len(out) < 12 {
		t.Fatalf("%d dropped-column fixtures, want 4 tables in 3 formats", len(out))
	}
	return out
}

// TestDroppedIncremental: export(A+B) == export(B, --base export(A)) for the
// tables whose columns were dropped and added back, whichever side of the
// drop A and B are, in both layouts.
func TestDroppedIncremental(t *testing.T) {
	for _, dir := range droppedFixtures(t) {
		files := dataFiles(t, dir)
		m, schema := readFixtureMeta(t, dir)
		rel, _ := filepath.Rel(filepath.Join(repoTestdata(t), "cassandra-5.0"), dir)
		for k, sp := range [][2][]string{{files[:1], files[1:]}, {files[1:], files[:1]}} {
			for _, layout := range []string{"rows", "partitions"} {
				s := incremental{name: rel + "/" + layout, a: sp[0], b: sp[1], now: m.Now, schema: schema,
					baseSplit: "4KiB", split: "256MiB", baseCompress: "zstd", layout: layout}
				if k == 1 {
					s.baseSplit, s.split = "256MiB", "4KiB"
				}
				t.Run(s.name, func(t *testing.T) { s.run(t) })
			}
		}
	}
}

// TestDroppedBaseKeepsDrops: a base export records the drops it applied, so
// that a later run whose schema does not record them (a hand-written one)
// still discards what the drop hid when it reads the old SSTables again.
func TestDroppedBaseKeepsDrops(t *testing.T) {
	for _, dir := range droppedFixtures(t) {
		if !strings.Contains(dir, "/readd_same-") {
			continue
		}
		m, schema := readFixtureMeta(t, dir)
		files := dataFiles(t, dir)
		o := exportOptions{paths: files, now: m.Now, layout: "partitions"}
		o.schema.path = schema
		_, base := exportLines(t, o)
		if d := readManifest(t, base).Schema.Dropped; d["v"] == 0 {
			t.Fatalf("%s: the manifest records drops %v", base, d)
		}
		want, _ := exportLines(t, exportOptions{paths: files, now: m.Now, schema: o.schema})
		plain := filepath.Join(t.TempDir(), "plain.cql")
		os.WriteFile(plain, []byte("CREATE TABLE dropped.readd_same (pk int, ck int, w int, v text, PRIMARY KEY (pk, ck));\n"), 0o644)
		inc := exportOptions{paths: files, now: m.Now, base: base}
		inc.schema.path = plain
		got, _ := exportLines(t, inc)
		if !slices.Equal(got, want) {
			t.Errorf("%s: with the base's drops\n%s\nwant\n%s", dir, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
}

// TestDroppedUnknownColumn: with a schema that neither has a column the
// headers hold nor records its drop, the column is not exported and the
// manifest names it (the log warns).
func TestDroppedUnknownColumn(t *testing.T) {
	for _, dir := range droppedFixtures(t) {
		if !strings.Contains(dir, "/oa/") || !strings.Contains(dir, "/readd_same-") {
			continue
		}
		m, _ := readFixtureMeta(t, dir)
		plain := filepath.Join(t.TempDir(), "plain.cql")
		os.WriteFile(plain, []byte("CREATE TABLE dropped.readd_same (pk int, ck int, w int, PRIMARY KEY (pk, ck));\n"), 0o644)
		o := exportOptions{paths: []string{dir}, now: m.Now}
		o.schema.path = plain
		lines, out := exportLines(t, o)
		if got := readManifest(t, out).UnknownColumns; !slices.Equal(got, []string{"v"}) {
			t.Errorf("unknown columns %v, want [v]", got)
		}
		for _, l := range lines {
			if strings.Contains(l, `"v"`) {
				t.Errorf("exported %s", l)
			}
		}
	}
}
