package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aegisthus/aegisthus/internal/storage"
)

var update = flag.Bool("update", false, "rewrite golden files under testdata/")

// dumpGoldens are corpus SSTables whose dump output is pinned: statics, collections,
// range tombstone bounds and boundaries, counters, TTLs, UDTs, shadowable deletions.
var dumpGoldens = []struct{ name, dir string }{
	{"compound_static_row", "scylla/3.x/uncompressed/compound_static_row"},
	{"collections", "scylla/3.x/uncompressed/collections"},
	{"range_tombstones_simple", "scylla/3.x/uncompressed/range_tombstones_simple"},
	{"counters", "scylla/3.x/uncompressed/counters"},
	{"write_ttled_row", "scylla/3.x/uncompressed/write_ttled_row"},
	{"write_user_defined_type_table", "scylla/3.x/uncompressed/write_user_defined_type_table"},
	{"write_regular_and_shadowable_deletion", "scylla/3.x/uncompressed/write_regular_and_shadowable_deletion"},
	{"lz4_types", "scylla/3.x/lz4/partition_key_with_values_of_different_types"},
}

// TestDumpGolden pins dump's output (default, -l, -d, -e, -t) for corpus SSTables,
// rendered whole and streamed row by row.
// Run with -update to rewrite, and review the diff against what sstabledump prints.
func TestDumpGolden(t *testing.T) {
	corpus := filepath.Join(sharedDir(t), "corpus")
	modes := []struct {
		suffix string
		opts   func(o *dumpOptions)
	}{
		{"json", func(o *dumpOptions) {}},
		{"lines.jsonl", func(o *dumpOptions) { o.lines = true }},
		{"debug.txt", func(o *dumpOptions) { o.debug = true }},
		{"keys.json", func(o *dumpOptions) { o.keysOnly = true }},
		{"raw.json", func(o *dumpOptions) { o.rawTime = true }},
	}
	for _, g := range dumpGoldens {
		for _, m := range modes {
			t.Run(g.name+"."+m.suffix, func(t *testing.T) {
				o := &dumpOptions{paths: []string{filepath.Join(corpus, g.dir)}, now: "2026-01-01T00:00:00Z"}
				m.opts(o)
				var out bytes.Buffer
				if err := o.run(context.Background(), storage.Local{}, &out); err != nil {
					t.Fatal(err)
				}
				if strings.HasSuffix(m.suffix, "json") && !json.Valid(out.Bytes()) {
					t.Fatalf("output is not valid JSON:\n%s", out.Bytes())
				}
				golden(t, filepath.Join("testdata", "dump", g.name+"."+m.suffix), out.Bytes())
				// Streaming (a write after every row) changes no byte.
				o.spillAt = 1
				var streamed bytes.Buffer
				if err := o.run(context.Background(), storage.Local{}, &streamed); err != nil {
					t.Fatal(err)
				}
				if !bytes.Equal(streamed.Bytes(), out.Bytes()) {
					t.Errorf("streamed output (spill after every row) differs:\n got: %.2000s\nwant: %.2000s", streamed.Bytes(), out.Bytes())
				}
			})
		}
	}
}

// golden compares got with the file at path, or rewrites it under -update.
func golden(t *testing.T, path string, got []byte) {
	t.Helper()
	if *update {
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test ./internal/cli -run %s -update to create it)", err, t.Name())
	}
	if !bytes.Equal(got, want) {
		t.Errorf("output differs from %s (rerun with -update and review the diff):\n got: %.2000s\nwant: %.2000s", path, got, want)
	}
}

// TestDumpRowsGolden pins dump --rows without a schema: placeholder names for the
// key and clustering columns, as Cassandra's tools use.
func TestDumpRowsGolden(t *testing.T) {
	corpus := filepath.Join(sharedDir(t), "corpus")
	for _, g := range dumpGoldens {
		t.Run(g.name, func(t *testing.T) {
			o := &dumpOptions{paths: []string{filepath.Join(corpus, g.dir)}, rows: true, now: "2026-01-01T00:00:00Z"}
			var out bytes.Buffer
			if err := o.run(context.Background(), storage.Local{}, &out); err != nil {
				t.Fatal(err)
			}
			golden(t, filepath.Join("testdata", "dump", g.name+".rows.jsonl"), out.Bytes())
		})
	}
}

// TestDumpErrors checks exit-code classes: usage errors, missing paths, corrupt data.
func TestDumpErrors(t *testing.T) {
	corpus := filepath.Join(sharedDir(t), "corpus")
	tests := []struct {
		name string
		o    dumpOptions
		code int
		msg  string
	}{
		{"two forms", dumpOptions{rows: true, lines: true, paths: []string{corpus}}, ExitUsage, "at most one"},
		{"bad now", dumpOptions{rows: true, now: "yesterday", paths: []string{corpus}}, ExitUsage, "--now"},
		{"missing path", dumpOptions{paths: []string{"/nonexistent/x"}}, ExitBadInput, "/nonexistent/x"},
		{"no sstables", dumpOptions{paths: []string{t.TempDir()}}, ExitBadInput, "no sstables"},
		{"bad checksums", dumpOptions{paths: []string{filepath.Join(corpus, "scylla/3.x/lz4/integrity_check/invalid_checksums")}}, ExitBadInput, "checksum mismatch"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.o.run(context.Background(), storage.Local{}, &bytes.Buffer{})
			if got := ExitCode(err); got != tt.code {
				t.Fatalf("exit code %d (%v), want %d", got, err, tt.code)
			}
			if !strings.Contains(err.Error(), tt.msg) {
				t.Errorf("error %q does not mention %q", err, tt.msg)
			}
			var ue *UsageError
			if tt.code == ExitBadInput && errors.As(err, &ue) {
				t.Errorf("bad input reported as usage: %v", err)
			}
		})
	}
}

// TestDumpRowsKeyName: without a schema the key column is named as Cassandra's
// tools name it (Util.metadataFromSSTable's "PartitionKey", lowercased by
// ColumnIdentifier): partitionkey, printed unquoted, not "\"PartitionKey\"".
func TestDumpRowsKeyName(t *testing.T) {
	dir := filepath.Join(sharedDir(t), "corpus", "scylla/3.x/uncompressed/counters")
	o := &dumpOptions{paths: []string{dir}, rows: true, now: "2026-01-01T00:00:00Z"}
	var out bytes.Buffer
	if err := o.run(context.Background(), storage.Local{}, &out); err != nil {
		t.Fatal(err)
	}
	first, _, _ := strings.Cut(out.String(), "\n")
	if !strings.HasPrefix(first, `{"partitionkey": `) || strings.Contains(out.String(), "PartitionKey") {
		t.Errorf("key column not named partitionkey: %s", first)
	}
}

// TestDumpLinesJoin checks dump -l over a directory of three SSTables: each
// SSTable's output is what sstabledump -l prints for it (partitions separated
// by a newline, none after the last: Jackson's MinimalPrettyPrinter("\n")),
// and the directory's output joins them with one newline, as dump joins
// sstabledump's pretty arrays.
func TestDumpLinesJoin(t *testing.T) {
	dirs, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "sample-snapshot", "node1", "demo", "events-*", "snapshots", "sample"))
	if len(dirs) != 1 {
		t.Fatalf("sample snapshot: want one node1 table directory, have %v", dirs)
	}
	datas, _ := filepath.Glob(filepath.Join(dirs[0], "*-Data.db"))
	if len(datas) < 2 {
		t.Fatalf("%s: want several SSTables, have %d", dirs[0], len(datas))
	}
	dump := func(path string) []byte {
		o := &dumpOptions{paths: []string{path}, lines: true}
		var out bytes.Buffer
		if err := o.run(context.Background(), storage.Local{}, &out); err != nil {
			t.Fatal(err)
		}
		return out.Bytes()
	}
	var each [][]byte
	for _, d := range datas {
		b := dump(d)
		if len(b) == 0 || b[len(b)-1] == '\n' || bytes.Contains(b, []byte("\n\n")) {
			t.Fatalf("%s: want lines separated by one newline and none at the end, got ...%q", d, b[max(0, len(b)-40):])
		}
		for _, line := range bytes.Split(b, []byte("\n")) {
			if !json.Valid(line) {
				t.Fatalf("%s: a line is not one JSON value: %.200s", d, line)
			}
		}
		each = append(each, b)
	}
	if got, want := dump(dirs[0]), bytes.Join(each, []byte("\n")); !bytes.Equal(got, want) {
		t.Errorf("dump -l of the directory is not its SSTables' outputs joined by a newline (%d bytes, want %d)", len(got), len(want))
	}
}

// failAfter accepts n bytes, then fails every write.
type failAfter struct{ n int }

func (f *failAfter) Write(p []byte) (int, error) {
	if len(p) > f.n {
		return 0, errors.New("broken pipe")
	}
	f.n -= len(p)
	return len(p), nil
}

// TestDumpOutputError: a write that fails while a partition streams out is
// reported as an output error, not as one of the SSTable's partitions, for
// 3.0+ and pre-3.0 SSTables alike.
func TestDumpOutputError(t *testing.T) {
	corpus := filepath.Join(sharedDir(t), "corpus")
	for _, c := range []struct {
		dir  string
		rows bool
	}{
		{"scylla/3.x/uncompressed/collections", false},
		{"scylla/3.x/uncompressed/collections", true},
		{"scylla/legacy/uncompressed/ks/uncompressed-1c6ace40fad111e7b9cf000000000002/la-1-big-Data.db", false},
	} {
		t.Run(fmt.Sprintf("%s/rows=%v", filepath.Base(c.dir), c.rows), func(t *testing.T) {
			o := &dumpOptions{paths: []string{filepath.Join(corpus, c.dir)}, now: "2026-01-01T00:00:00Z", spillAt: 1, rows: c.rows}
			err := o.run(context.Background(), storage.Local{}, &failAfter{n: 10})
			var oe *OutputError
			if !errors.As(err, &oe) || strings.Contains(err.Error(), "partition at") || strings.Contains(err.Error(), "Data.db") {
				t.Fatalf("want the output error alone, got %v", err)
			}
		})
	}
}
