package cli

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/aegisthus/aegisthus/internal/sstable/wire"
	"github.com/aegisthus/aegisthus/internal/storage"
)

// sstable2jsonCorrupt are corrupt corpus SSTables that Cassandra 2.2's
// sstable2json printed anyway and dump refuses: Data.db failing its CRC.db
// checksums (sstable2json does not verify those of an uncompressed SSTable), and
// a Statistics.db whose tombstone histogram is out of order (it never reads it).
var sstable2jsonCorrupt = map[string]bool{
	"hex-bad_tombstone_histogram-la-1": true,
	"hex-bad_column_name-la-58":        true,
	"hex-broken_end_composite-la-76":   true,
	"hex-broken_start_composite-la-76": true,
	"hex-static_with_clustering-la-58": true,
}

// TestDumpSstable2JSON compares dump of legacy corpus SSTables, with and without
// --schema, against what Cassandra 2.2.19's sstable2json printed for them
// (testdata/sstable2json, made by interop/sstable2json/run.sh; jobs.tsv lists
// the SSTables, schemas and options).
func TestDumpSstable2JSON(t *testing.T) {
	corpus := filepath.Join(sharedDir(t), "corpus")
	jobs, err := os.ReadFile(filepath.Join("..", "..", "testdata", "sstable2json", "jobs.tsv"))
	if err != nil {
		t.Fatal(err)
	}
	same, refused := 0, 0
	for _, line := range strings.Split(string(jobs), "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		f := strings.Split(line, "\t")
		name, path, schema := f[0], f[1], f[2]
		want, err := os.ReadFile(filepath.Join("..", "..", "testdata", "sstable2json", name+".json"))
		if errors.Is(err, os.ErrNotExist) {
			continue // sstable2json failed on it (see interop/README.md)
		}
		t.Run(name, func(t *testing.T) {
			o := &dumpOptions{paths: []string{filepath.Join(corpus, path)}, now: "2026-01-01T00:00:00Z"}
			if schema != "-" {
				o.schema.path = filepath.Join(t.TempDir(), "s.cql")
				if err := os.WriteFile(o.schema.path, []byte(schema), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			for i := 3; i < len(f); i++ {
				switch f[i] {
				case "-e":
					o.keysOnly = true
				case "-k":
					i++
					o.keys = append(o.keys, f[i])
				case "-x":
					i++
					o.excludes = append(o.excludes, f[i])
				}
			}
			var out bytes.Buffer
			err := o.run(context.Background(), storage.Local{}, &out)
			if sstable2jsonCorrupt[name] {
				if !errors.Is(err, wire.ErrCorrupt) || !strings.Contains(err.Error(), filepath.Dir(path)) {
					t.Fatalf("want a corrupt error naming the file, got %v", err)
				}
				refused++
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(out.Bytes(), want) {
				t.Fatalf("differs from sstable2json:\n%s", firstDiff(out.Bytes(), want))
			}
			// Streaming (a write after every atom and key) changes no byte.
			o.spillAt = 1
			var streamed bytes.Buffer
			if err := o.run(context.Background(), storage.Local{}, &streamed); err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(streamed.Bytes(), want) {
				t.Fatalf("streamed output (spill after every atom) differs:\n%s", firstDiff(streamed.Bytes(), want))
			}
			same++
		})
	}
	t.Logf("%d legacy SSTable dumps identical to sstable2json's, %d corrupt ones refused", same, refused)
}

// firstDiff shows the first differing line of got and want.
func firstDiff(got, want []byte) string {
	g := bufio.NewScanner(bytes.NewReader(got))
	w := bufio.NewScanner(bytes.NewReader(want))
	g.Buffer(nil, 1<<24)
	w.Buffer(nil, 1<<24)
	for n := 1; ; n++ {
		gok, wok := g.Scan(), w.Scan()
		if !gok && !wok {
			return "(same lines; trailing bytes differ)"
		}
		if g.Text() != w.Text() || gok != wok {
			return "line " + strconv.Itoa(n) + ":\n got: " + g.Text() + "\nwant: " + w.Text()
		}
	}
}
