package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aegisthus/aegisthus/internal/inspect"
	"github.com/aegisthus/aegisthus/internal/sstable/format"
	"github.com/aegisthus/aegisthus/internal/storage"
)

// corpusManifest is the part of ../shared/corpus/manifest.json the tests use.
type corpusManifest struct {
	Datasets []struct {
		Folder   string `json:"folder"`
		Kind     string `json:"kind"` // valid, quirk, partial, schema-mismatch, corrupt
		SSTables []struct {
			Name   string `json:"name"`
			Format string `json:"format"`
		} `json:"sstables"`
	} `json:"datasets"`
}

func loadManifest(t *testing.T) (corpus string, m corpusManifest) {
	t.Helper()
	corpus = filepath.Join(sharedDir(t), "corpus")
	b, err := os.ReadFile(filepath.Join(corpus, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return corpus, m
}

// rowLevelCorruption lists corrupt datasets whose checksums, digest, Statistics.db
// and index are intact: the damage is in how rows are encoded, which verify does
// not decode (sstableverify finds it only with --extended).
var rowLevelCorruption = map[string]bool{
	"scylla/legacy/broken_non_compound_pi_and_range_tombstone/ks/test-1c6ace40fad111e7b9cf000000000002": true,
}

// eachCorpusSSTable calls fn in a subtest for every Cassandra SSTable of the
// corpus with its dataset's folder, kind and format.
func eachCorpusSSTable(t *testing.T, fn func(t *testing.T, corpus, folder, kind, format, path string)) {
	corpus, m := loadManifest(t)
	for _, ds := range m.Datasets {
		for _, s := range ds.SSTables {
			if s.Format == "ms" || s.Format == "mt" {
				continue // ScyllaDB-only formats, not Cassandra's
			}
			path := filepath.Join(corpus, ds.Folder, s.Name+"-Data.db")
			if _, err := os.Stat(path); err != nil {
				continue // removed from the corpus (license), see CORPUS.md
			}
			t.Run(ds.Folder+"/"+s.Name, func(t *testing.T) { fn(t, corpus, ds.Folder, ds.Kind, s.Format, path) })
		}
	}
}

// TestVerifyCorpus runs verify on every corpus SSTable: the intact ones pass, the
// corrupt and partial ones fail with exit code 1 and a line naming the file.
func TestVerifyCorpus(t *testing.T) {
	var passed, failed int
	eachCorpusSSTable(t, func(t *testing.T, corpus, folder, kind, _, path string) {
		var out bytes.Buffer
		o := &verifyOptions{paths: []string{path}}
		err := o.run(context.Background(), storage.Local{}, &out)
		wantFail := (kind == "corrupt" || kind == "partial") && !rowLevelCorruption[folder]
		if !wantFail {
			if err != nil {
				t.Fatalf("%s (%s): %v\n%s", path, kind, err, out.String())
			}
			if got := out.String(); !strings.HasPrefix(got, "verified 1 sstables, ") || !strings.HasSuffix(got, " 0 failures\n") {
				t.Errorf("output %q: want only the summary", got)
			}
			passed++
			return
		}
		if ExitCode(err) != ExitBadInput {
			t.Fatalf("%s (%s): exit code %d (err %v), want %d\n%s", path, kind, ExitCode(err), err, ExitBadInput, out.String())
		}
		lines := strings.Split(strings.TrimSpace(out.String()), "\n")
		if len(lines) < 2 || !strings.Contains(lines[0], filepath.Join(corpus, folder)) {
			t.Errorf("want failure lines naming the file, got:\n%s", out.String())
		}
		failed++
	})
	if passed < 100 || failed < 15 {
		t.Errorf("%d SSTables passed and %d failed: the corpus has more", passed, failed)
	}
}

// TestVerifyCorruptOffsets checks the deliberately corrupt checksum fixtures name
// the chunk, its offset, and both checksums.
func TestVerifyCorruptOffsets(t *testing.T) {
	corpus := filepath.Join(sharedDir(t), "corpus")
	tests := []struct {
		dir  string
		want []string
	}{
		{"scylla/3.x/lz4/integrity_check/invalid_checksums", []string{
			"me-1-big-Data.db: chunk 2 at offset 7851: checksum mismatch: want 0x23a2a1ff, got 0x3ff90653",
			"me-1-big-Data.db: Digest.crc32: crc32 digest of 20752 bytes mismatch: want 4106266112, got 405760124",
		}},
		{"scylla/3.x/uncompressed/integrity_check/invalid_checksums", []string{
			"me-1-big-Data.db: chunk 1 at offset 65536: checksum mismatch: want 0xbdd4bc26, got 0xa32fcb73 (CRC.db)",
		}},
		{"scylla/3.x/lz4/integrity_check/invalid_digest", []string{
			"Digest.crc32: crc32 digest of 299 bytes mismatch: want 2871736200, got 2871736199",
		}},
		{"scylla/3.x/uncompressed/integrity_check/invalid_digest", []string{
			"Digest.crc32: crc32 digest of 604 bytes mismatch: want 2974575252, got 2974575251",
		}},
		{"scylla/legacy/bad_tombstone_histogram", []string{
			"la-1-big-Statistics.db: component type 2 at offset 113: at offset 4457: tombstone histogram bin 1",
		}},
		{"scylla/legacy/empty_index", []string{"mc-36-big-Index.db: entry 0: at offset 0: u16: need 2 bytes, have 1"}},
		{"scylla/3.x/uncompressed/read_missing_summary", []string{"mc-1-big-Summary.db: listed in TOC.txt but missing"}},
		{"scylla/legacy/compression-premature-eof", []string{
			"mc-1-big-Data.db: chunk 0 at offset 0: chunk of 1864 bytes ending at 1864 does not fit",
		}},
	}
	for _, tt := range tests {
		t.Run(tt.dir, func(t *testing.T) {
			var out bytes.Buffer
			o := &verifyOptions{paths: []string{filepath.Join(corpus, tt.dir)}}
			err := o.run(context.Background(), storage.Local{}, &out)
			if code := ExitCode(err); code != ExitBadInput {
				t.Fatalf("exit code %d (%v), want %d", code, err, ExitBadInput)
			}
			for _, w := range tt.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, out.String())
				}
			}
			if !strings.Contains(out.String(), "verified 1 sstables, ") {
				t.Errorf("no summary line:\n%s", out.String())
			}
		})
	}
}

func TestVerifyExitCodes(t *testing.T) {
	corpus := filepath.Join(sharedDir(t), "corpus")
	good := filepath.Join(corpus, "scylla/3.x/zstd/multiple_chunks")
	bad := filepath.Join(corpus, "scylla/3.x/lz4/integrity_check/invalid_checksums")
	tests := []struct {
		name     string
		opts     verifyOptions
		code     int
		contains string // in the output
		empty    bool
	}{
		{"intact", verifyOptions{paths: []string{good}}, ExitOK, "verified 1 sstables, 6 chunks, 0 failures\n", false},
		{"quiet intact", verifyOptions{quiet: true, paths: []string{good}}, ExitOK, "", true},
		{"quiet corrupt", verifyOptions{quiet: true, paths: []string{bad}}, ExitBadInput, "1 sstables, 6 chunks, 2 failures", false},
		{"verbose", verifyOptions{verbose: true, paths: []string{good}}, ExitOK, "mc-1-big-Data.db: ok: 6 chunks, digest Digest.crc32", false},
		{"both", verifyOptions{paths: []string{good, bad}}, ExitBadInput, "verified 2 sstables, 12 chunks, 2 failures", false},
		{"missing path", verifyOptions{paths: []string{filepath.Join(corpus, "no/such/dir")}}, ExitBadInput, "", true},
		{"no sstables", verifyOptions{paths: []string{filepath.Join(corpus, "scylla/legacy/badtoc")}}, ExitBadInput, "", true},
		{"quiet and verbose", verifyOptions{quiet: true, verbose: true, paths: []string{good}}, ExitUsage, "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			err := tt.opts.run(context.Background(), storage.Local{}, &out)
			if got := ExitCode(err); got != tt.code {
				t.Fatalf("exit code %d (%v), want %d", got, err, tt.code)
			}
			if tt.empty && out.Len() != 0 {
				t.Errorf("output %q, want none", out.String())
			}
			if !strings.Contains(out.String(), tt.contains) {
				t.Errorf("output %q lacks %q", out.String(), tt.contains)
			}
		})
	}
}

func TestVerifyJSON(t *testing.T) {
	corpus := filepath.Join(sharedDir(t), "corpus")
	var out bytes.Buffer
	o := &verifyOptions{json: true, paths: []string{filepath.Join(corpus, "scylla/3.x/lz4/integrity_check/invalid_checksums")}}
	err := o.run(context.Background(), storage.Local{}, &out)
	if ExitCode(err) != ExitBadInput {
		t.Fatalf("err %v", err)
	}
	var rep inspect.VerifyReport
	if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
		t.Fatalf("%v\n%s", err, out.String())
	}
	if rep.Verified != 1 || rep.Failures != 2 || len(rep.SSTables) != 1 {
		t.Fatalf("report %+v", rep)
	}
	f := rep.SSTables[0].Failures[0]
	if f.Component != format.Data || f.Chunk != 2 || f.Offset != 7851 || !strings.HasSuffix(f.Path, "me-1-big-Data.db") {
		t.Errorf("failure %+v: want Data.db chunk 2 at offset 7851", f)
	}
	if d := rep.SSTables[0].Failures[1]; d.Component != format.DigestCRC32 || d.Chunk != -1 {
		t.Errorf("failure %+v: want the digest", d)
	}
}

// copySSTable copies every component of the SSTable prefix (dir/prefix*) to a new
// temporary directory, writable, and returns the copy's Data.db path.
func copySSTable(t *testing.T, dir, prefix string) string {
	t.Helper()
	tmp := t.TempDir()
	matches, err := filepath.Glob(filepath.Join(dir, prefix+"*"))
	if err != nil || len(matches) == 0 {
		t.Fatalf("no components for %s/%s: %v", dir, prefix, err)
	}
	for _, m := range matches {
		b, err := os.ReadFile(m)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(tmp, filepath.Base(m)), b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(tmp, prefix+format.Data)
}

// TestVerifyByteFlipSweep flips bytes of Data.db in a copy of a compressed and an
// uncompressed SSTable: every flip must be reported against the chunk holding it,
// with that chunk's stored offset, and the digest must fail too.
func TestVerifyByteFlipSweep(t *testing.T) {
	corpus := filepath.Join(sharedDir(t), "corpus")
	tests := []struct {
		name, dir string
		every     bool // flip every byte; else the first, middle and last of each chunk
	}{
		{"zstd", "scylla/3.x/zstd/multiple_chunks", true},
		{"lz4", "scylla/3.x/lz4/partition_key_with_values_of_different_types", true},
		{"uncompressed", "scylla/3.x/uncompressed/filtering_and_forwarding_range_tombstones", false},
		{"uncompressed small", "scylla/3.x/uncompressed/compound_static_row", true},
	}
	if testing.Short() {
		tests = tests[1:2]
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := copySSTable(t, filepath.Join(corpus, tt.dir), "mc-1-big-")
			d, _, err := format.ParseName(path)
			if err != nil {
				t.Fatal(err)
			}
			store := storage.Local{}
			data, err := store.Open(path)
			if err != nil {
				t.Fatal(err)
			}
			r, err := inspect.OpenChunks(store, d, data)
			if err != nil {
				t.Fatal(err)
			}
			type span struct{ off, n int64 }
			var spans []span
			for i := range r.NumChunks() {
				off, n := r.Span(i)
				spans = append(spans, span{off, n})
			}
			data.Close()
			if r.Unchecked() != "" {
				t.Fatalf("chunks unchecked: %s", r.Unchecked())
			}
			f, err := os.OpenFile(path, os.O_RDWR, 0)
			if err != nil {
				t.Fatal(err)
			}
			defer f.Close()
			flips := 0
			for i, s := range spans {
				positions := []int64{s.off, s.off + s.n/2, s.off + s.n - 1}
				if tt.every {
					positions = positions[:0]
					for p := s.off; p < s.off+s.n; p++ {
						positions = append(positions, p)
					}
				}
				for _, p := range positions {
					flipByte(t, f, p)
					res, err := inspect.Verify(context.Background(), store, d)
					flipByte(t, f, p)
					if err != nil {
						t.Fatalf("flip at %d: %v", p, err)
					}
					flips++
					var sawChunk, sawDigest bool
					for _, fl := range res.Failures {
						switch {
						case fl.Chunk == i && fl.Offset == s.off && fl.Component == format.Data &&
							strings.Contains(fl.Error, fmt.Sprintf("chunk %d at offset %d", i, s.off)):
							sawChunk = true
						case fl.Chunk >= 0:
							t.Errorf("flip at %d (chunk %d): also reported chunk %d: %s", p, i, fl.Chunk, fl.Error)
						case strings.HasPrefix(fl.Component, "Digest."):
							sawDigest = true
						}
					}
					if !sawChunk || !sawDigest {
						t.Fatalf("flip at %d (chunk %d at %d): chunk reported %v, digest reported %v: %+v", p, i, s.off, sawChunk, sawDigest, res.Failures)
					}
				}
			}
			// The copy is intact again.
			var out bytes.Buffer
			if err := (&verifyOptions{paths: []string{path}}).run(context.Background(), store, &out); err != nil {
				t.Fatalf("after the sweep: %v\n%s", err, out.String())
			}
			t.Logf("%d flips over %d chunks, each reported", flips, len(spans))
		})
	}
}

func flipByte(t *testing.T, f *os.File, off int64) {
	t.Helper()
	var b [1]byte
	if _, err := f.ReadAt(b[:], off); err != nil {
		t.Fatal(err)
	}
	b[0] ^= 0xff
	if _, err := f.WriteAt(b[:], off); err != nil {
		t.Fatal(err)
	}
}

// TestVerifyExtendedCorpus runs verify --extended on every corpus SSTable: the
// intact ones still pass (their every partition, row and cell read back), the
// corrupt and partial ones fail, and so do the copies whose checksums are valid
// but whose rows a writer bug broke (rowLevelCorruption: the mc and md copies;
// the me copy is clean, the 2.x ones are read only with a schema).
func TestVerifyExtendedCorpus(t *testing.T) {
	var passed, failed int
	eachCorpusSSTable(t, func(t *testing.T, corpus, folder, kind, format, path string) {
		var out bytes.Buffer
		o := &verifyOptions{paths: []string{path}, extended: true}
		err := o.run(context.Background(), storage.Local{}, &out)
		wantFail := kind == "corrupt" || kind == "partial"
		if rowLevelCorruption[folder] {
			wantFail = format == "mc" || format == "md"
		}
		if !wantFail {
			if err != nil {
				t.Fatalf("%s (%s): %v\n%s", path, kind, err, out.String())
			}
			passed++
			return
		}
		if ExitCode(err) != ExitBadInput {
			t.Fatalf("%s (%s): exit code %d (err %v), want %d\n%s", path, kind, ExitCode(err), err, ExitBadInput, out.String())
		}
		if !strings.Contains(out.String(), filepath.Join(corpus, folder)) {
			t.Errorf("want failure lines naming the file, got:\n%s", out.String())
		}
		failed++
	})
	if passed < 100 || failed < 17 {
		t.Errorf("%d SSTables passed and %d failed: the corpus has more", passed, failed)
	}
}

// TestExportVerify: export --verify refuses, before writing a part, an SSTable
// whose checksums hold but whose rows do not, naming its file and offset; it
// exports an intact one as without the flag.
func TestExportVerify(t *testing.T) {
	src := filepath.Join(sharedDir(t), "corpus", "scylla", "legacy", "broken_non_compound_pi_and_range_tombstone", "ks", "test-1c6ace40fad111e7b9cf000000000002")
	dir := filepath.Join(t.TempDir(), "ks", "test-1c6ace40fad111e7b9cf000000000002")
	os.MkdirAll(dir, 0o755)
	ents, _ := filepath.Glob(filepath.Join(src, "md-1-big-*"))
	for _, e := range ents {
		b, err := os.ReadFile(e)
		if err != nil {
			t.Fatal(err)
		}
		os.WriteFile(filepath.Join(dir, filepath.Base(e)), b, 0o644)
	}
	_, err := runExport(t, "--verify", dir)
	if ExitCode(err) != ExitBadInput || !strings.Contains(fmt.Sprint(err), filepath.Join(dir, "md-1-big-Data.db")+": --verify: 1 failures: unfiltered at 32: at offset 52: deletion timestamp") {
		t.Fatalf("export --verify of a broken SSTable: exit %d: %v", ExitCode(err), err)
	}
	fixture := filepath.Join(repoTestdata(t), "cassandra-5.0", "oa", "lz4", "edge")
	tables, _ := filepath.Glob(filepath.Join(fixture, "tombstones-*"))
	with, err := runExport(t, "--verify", tables[0])
	if err != nil {
		t.Fatal(err)
	}
	without, err := runExport(t, tables[0])
	if err != nil || strings.Join(with, "\n") != strings.Join(without, "\n") {
		t.Fatalf("export --verify of an intact table differs: %v", err)
	}
}
