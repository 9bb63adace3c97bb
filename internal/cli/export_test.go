package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"

	"github.com/aegisthus/aegisthus/internal/discover"
	"github.com/aegisthus/aegisthus/internal/pipeline"
	"github.com/aegisthus/aegisthus/internal/sink"
	"github.com/aegisthus/aegisthus/internal/storage"
)

// exportLines runs an export and returns its rows, sorted, plus the output dir.
func exportLines(t *testing.T, o exportOptions) ([]string, string) {
	t.Helper()
	if o.out == "" {
		o.out = t.TempDir()
	}
	if o.splitSize == "" {
		o.splitSize = "256MiB"
	}
	testDefaults(&o)
	if err := o.run(context.Background(), storage.Local{}, &bytes.Buffer{}); err != nil {
		t.Fatalf("export: %v", err)
	}
	return readParts(t, o.out), o.out
}

// testDefaults fills what the flags would: 2 workers, no compression, rows,
// quiet text logs.
func testDefaults(o *exportOptions) {
	if o.workers == 0 {
		o.workers = 2
	}
	if o.compress == "" {
		o.compress = "none"
	}
	if o.layout == "" {
		o.layout = "rows"
	}
	o.logFormat, o.quiet = "text", true
}

func readParts(t *testing.T, dir string) []string {
	t.Helper()
	if _, err := os.Stat(filepath.Join(dir, pipeline.SuccessFile)); err != nil {
		t.Fatalf("no %s: %v", pipeline.SuccessFile, err)
	}
	m := readManifest(t, dir)
	var lines []string
	var rows int64
	for _, p := range m.Parts {
		b, err := os.ReadFile(filepath.Join(dir, p.Name))
		if err != nil {
			t.Fatalf("manifest names %s: %v", p.Name, err)
		}
		if int64(len(b)) != p.Bytes {
			t.Fatalf("%s: %d bytes, manifest says %d", p.Name, len(b), p.Bytes)
		}
		switch filepath.Ext(p.Name) {
		case ".gz":
			zr, err := gzip.NewReader(bytes.NewReader(b))
			if err != nil {
				t.Fatalf("%s: %v", p.Name, err)
			}
			if b, err = io.ReadAll(zr); err != nil {
				t.Fatalf("%s: %v", p.Name, err)
			}
		case ".zst":
			zr, err := zstd.NewReader(bytes.NewReader(b))
			if err != nil {
				t.Fatalf("%s: %v", p.Name, err)
			}
			if b, err = io.ReadAll(zr); err != nil {
				t.Fatalf("%s: %v", p.Name, err)
			}
			zr.Close()
		}
		for _, l := range strings.Split(string(b), "\n") {
			if l != "" {
				lines = append(lines, l)
			}
		}
		rows += p.Rows
	}
	if rows != int64(len(lines)) || rows != m.Rows {
		t.Fatalf("manifest counts %d/%d rows, parts hold %d", rows, m.Rows, len(lines))
	}
	slices.Sort(lines)
	return lines
}

// TestExportCorpusMerged exports the corpus sets that must be merged and compares
// with their expected rows.
func TestExportCorpusMerged(t *testing.T) {
	shared := sharedDir(t)
	for _, name := range []string{"compact_deleted_row", "compact_deleted_cell"} {
		t.Run(name, func(t *testing.T) {
			var exp expectation
			b, err := os.ReadFile(filepath.Join(shared, "corpus/expected/scylla/3.x/uncompressed", name+".expected.json"))
			if err != nil {
				t.Fatal(err)
			}
			json.Unmarshal(b, &exp)
			schema := filepath.Join(t.TempDir(), "schema.cql")
			os.WriteFile(schema, []byte(exp.Schema), 0o644)
			o := exportOptions{paths: []string{filepath.Join(shared, "corpus", exp.Dataset)}, now: "2026-01-01"}
			o.schema.path = schema
			got, _ := exportLines(t, o)
			var gotRaw []json.RawMessage
			for _, l := range got {
				gotRaw = append(gotRaw, json.RawMessage(l))
			}
			if err := compareRows(gotRaw, exp.Rows, false); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestExportIndependentOfUnitsAndWorkers: the same export with one unit and with
// many, with 1 and with 2 workers, and with every codec, holds the same rows.
func TestExportIndependentOfUnitsAndWorkers(t *testing.T) {
	corpus := filepath.Join(sharedDir(t), "corpus")
	for _, ds := range []string{
		"scylla/3.x/uncompressed/filtering_and_forwarding_range_tombstones",
		"scylla/3.x/uncompressed/write_many_live_partitions",
		"scylla/3.x/uncompressed/skip_using_index_rows",
		"scylla/3.x/zstd/multiple_chunks",
		"scylla/3.x/uncompressed/compound_static_row",
	} {
		t.Run(filepath.Base(ds), func(t *testing.T) {
			base, _ := exportLines(t, exportOptions{paths: []string{filepath.Join(corpus, ds)}, now: "2026-01-01", workers: 1, splitSize: "1GiB"})
			for _, v := range []exportOptions{
				{splitSize: "64KiB", workers: 1},
				{splitSize: "64KiB", workers: 2},
				{splitSize: "4KiB", workers: 2, compress: "gzip"},
				{splitSize: "16KiB", workers: 2, compress: "zstd"},
			} {
				v.paths, v.now = []string{filepath.Join(corpus, ds)}, "2026-01-01"
				got, dir := exportLines(t, v)
				if strings.Join(got, "\n") != strings.Join(base, "\n") {
					t.Errorf("split %s workers %d %s: %d rows, want %d", v.splitSize, v.workers, v.compress, len(got), len(base))
				}
				if v.compress != "" {
					names, _ := filepath.Glob(filepath.Join(dir, "part-*"))
					for _, n := range names {
						if !strings.HasSuffix(n, map[string]string{"gzip": ".gz", "zstd": ".zst"}[v.compress]) {
							t.Errorf("part %s lacks the %s extension", n, v.compress)
						}
					}
				}
			}
		})
	}
}

// failingSink fails the commit of the nth part.
type failingSink struct {
	*sink.Local
	failAt, n int
}

type failingWriter struct {
	sink.Writer
	fail bool
}

func (w *failingWriter) Commit() error {
	if w.fail {
		w.Writer.Abort()
		return errors.New("injected failure")
	}
	return w.Writer.Commit()
}

func (s *failingSink) Create(ctx context.Context, name string) (sink.Writer, error) {
	w, err := s.Local.Create(ctx, name)
	if err != nil || !strings.HasPrefix(name, "part-") {
		return w, err
	}
	s.n++
	return &failingWriter{Writer: w, fail: s.n == s.failAt}, nil
}

// TestExportResume: a run whose sink fails leaves no _SUCCESS; --resume keeps the
// committed parts and the result equals an uninterrupted run.
func TestExportResume(t *testing.T) {
	corpus := filepath.Join(sharedDir(t), "corpus")
	ds := filepath.Join(corpus, "scylla/3.x/uncompressed/write_many_live_partitions")
	want, _ := exportLines(t, exportOptions{paths: []string{ds}, now: "2026-01-01", splitSize: "32KiB"})

	out := t.TempDir()
	tables, err := discover.Find(storage.Local{}, []string{ds})
	if err != nil {
		t.Fatal(err)
	}
	local, _ := sink.NewLocal(out)
	opts := pipeline.Options{Table: tables[0], Workers: 1, SplitSize: 32 << 10, Now: corpusNow, Compress: "none", Version: Version}
	if _, err := pipeline.Export(context.Background(), storage.Local{}, &failingSink{Local: local, failAt: 3}, opts); err == nil {
		t.Fatal("export with a failing sink succeeded")
	}
	if _, err := os.Stat(filepath.Join(out, pipeline.SuccessFile)); err == nil {
		t.Fatal("a failed run left _SUCCESS")
	}
	// Without --resume the directory is refused and left untouched.
	before, _ := os.ReadDir(out)
	err = (&exportOptions{paths: []string{ds}, out: out, workers: 1, splitSize: "32KiB", now: "2026-01-01", layout: "rows", logFormat: "text", compress: "none", quiet: true}).run(context.Background(), storage.Local{}, &bytes.Buffer{})
	if ExitCode(err) != ExitUsage {
		t.Fatalf("export into a non-empty dir: exit %d (%v), want usage", ExitCode(err), err)
	}
	after, _ := os.ReadDir(out)
	if len(before) != len(after) {
		t.Fatalf("refused run changed the directory: %d files, then %d", len(before), len(after))
	}
	got, _ := exportLines(t, exportOptions{paths: []string{ds}, out: out, now: "2026-01-01", splitSize: "32KiB", resume: true})
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("resumed export: %d rows, want %d", len(got), len(want))
	}
	// A resume with another split size exports something else: refused.
	err = (&exportOptions{paths: []string{ds}, out: out, workers: 1, splitSize: "64KiB", now: "2026-01-01", layout: "rows", logFormat: "text", compress: "none", quiet: true, resume: true}).run(context.Background(), storage.Local{}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "different") {
		t.Fatalf("resume with another plan: %v", err)
	}
}
