package chunk

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/aegisthus/aegisthus/internal/corpustest"

	"github.com/aegisthus/aegisthus/internal/sstable/format"
	"github.com/aegisthus/aegisthus/internal/sstable/wire"
)

// corpusDir returns ../shared/corpus, or "" when absent (fuzz seeding must not skip).
func corpusDir(tb testing.TB) string {
	if !corpustest.Exists() {
		return ""
	}
	return corpustest.Dir(tb)
}

func needCorpus(t *testing.T) string {
	t.Helper()
	c := corpusDir(t)
	if c == "" {
		t.Skip("corpus not found: expected ../shared/corpus next to the module root (see /work/shared/corpus/CORPUS.md)")
	}
	return c
}

// corpusTable is one SSTable of the corpus with a Data.db.
type corpusTable struct {
	rel     string // Data.db path relative to the corpus
	dataset string // dataset folder
	kind    string // manifest kind: valid, corrupt, partial, quirk, schema-mismatch
	desc    format.Descriptor
}

// corpusTables lists every Data.db of a version this build reads.
func corpusTables(tb testing.TB, root string) []corpusTable {
	tb.Helper()
	var manifest struct {
		Datasets []struct {
			Folder string `json:"folder"`
			Kind   string `json:"kind"`
		} `json:"datasets"`
	}
	mb, err := os.ReadFile(filepath.Join(root, "manifest.json"))
	if err != nil {
		tb.Fatal(err)
	}
	if err := json.Unmarshal(mb, &manifest); err != nil {
		tb.Fatal(err)
	}
	var out []corpusTable
	err = filepath.WalkDir(root, func(p string, de os.DirEntry, err error) error {
		if err != nil || de.IsDir() || !strings.HasSuffix(p, "-"+format.Data) {
			return err
		}
		rel, _ := filepath.Rel(root, p)
		d, comp, err := format.ParseName(p)
		if err != nil || comp != format.Data {
			return nil // ms/mt (ScyllaDB-only) and other names this build does not read
		}
		ct := corpusTable{rel: rel, desc: d}
		for _, ds := range manifest.Datasets {
			if strings.HasPrefix(rel, ds.Folder+"/") && len(ds.Folder) > len(ct.dataset) {
				ct.dataset, ct.kind = ds.Folder, ds.Kind
			}
		}
		out = append(out, ct)
		return nil
	})
	if err != nil {
		tb.Fatal(err)
	}
	return out
}

// openCorpus opens the Reader for one corpus SSTable. missing is true when a listed
// component is absent (a "partial" fixture).
func openCorpus(t *testing.T, ct corpusTable) (r *Reader, data []byte, missing string, err error) {
	t.Helper()
	dataPath := ct.desc.Path(format.Data)
	data, rerr := os.ReadFile(dataPath)
	if rerr != nil {
		t.Fatal(rerr)
	}
	toc, _ := os.ReadFile(ct.desc.Path(format.TOC))
	ciPath := ct.desc.Path(format.CompressionInfo)
	ci, cerr := os.ReadFile(ciPath)
	switch {
	case cerr == nil:
		info, err := ParseCompressionInfo(ci, ct.desc.Version)
		if err != nil {
			return nil, data, "", wire.Locate(ciPath, format.CompressionInfo, -1, err)
		}
		r, err = NewCompressed(dataPath, bytes.NewReader(data), int64(len(data)), info, ct.desc.Version)
		return r, data, "", err
	case bytes.Contains(toc, []byte(format.CompressionInfo)):
		return nil, data, format.CompressionInfo, nil
	}
	crc, err := os.ReadFile(ct.desc.Path(format.CRC))
	if err != nil {
		crc = nil
	}
	r, err = NewUncompressed(dataPath, bytes.NewReader(data), int64(len(data)), crc, ct.desc.Version)
	return r, data, "", err
}

// Expected failures, by dataset.
var (
	corpusBadChunks = map[string]bool{
		"scylla/3.x/lz4/integrity_check/invalid_checksums":          true,
		"scylla/3.x/uncompressed/integrity_check/invalid_checksums": true,
	}
	corpusBadDigest = map[string]bool{
		"scylla/3.x/lz4/integrity_check/invalid_digest":             true,
		"scylla/3.x/uncompressed/integrity_check/invalid_digest":    true,
		"scylla/3.x/lz4/integrity_check/invalid_checksums":          true,
		"scylla/3.x/uncompressed/integrity_check/invalid_checksums": true,
	}
	// Data.db emptied on purpose while CompressionInfo.db still describes chunks.
	corpusBadLayout = map[string]bool{
		"scylla/legacy/compression-premature-eof": true,
		"scylla/legacy/bigsummary":                true,
	}
)

// TestCorpusChunks reads every chunk of every corpus SSTable and checks the
// concatenated length, and the whole-file digest where one exists.
func TestCorpusChunks(t *testing.T) {
	root := needCorpus(t)
	tables := corpusTables(t, root)
	if len(tables) < 100 {
		t.Fatalf("found only %d SSTables under %s", len(tables), root)
	}
	var compressed, uncompressed, withCRC, digests, unchecked int
	for _, ct := range tables {
		t.Run(ct.rel, func(t *testing.T) {
			r, data, missing, err := openCorpus(t, ct)
			if missing != "" {
				t.Skipf("%s listed in TOC but absent (%s fixture)", missing, ct.kind)
			}
			if corpusBadLayout[ct.dataset] {
				if !errors.Is(err, wire.ErrCorrupt) || !strings.Contains(err.Error(), ct.desc.Path(format.Data)) {
					t.Fatalf("open: got %v, want ErrCorrupt naming the Data.db path", err)
				}
				return
			}
			if err != nil {
				t.Fatalf("open: %v", err)
			}
			if r.Compressed() {
				compressed++
			} else {
				uncompressed++
				if r.sums != nil {
					withCRC++
				}
				if note := r.Unchecked(); note != "" && !strings.HasPrefix(note, "no ") {
					unchecked++
					t.Logf("unchecked: %s", note)
				}
			}
			var (
				dst   []byte
				buf   Buf
				total int64
				bad   []error
			)
			for i := 0; i < r.NumChunks(); i++ {
				dst, err = r.Chunk(i, dst, &buf)
				if err != nil {
					bad = append(bad, err)
					continue
				}
				if len(dst) != r.ChunkLen(i) {
					t.Fatalf("chunk %d: %d bytes, want %d", i, len(dst), r.ChunkLen(i))
				}
				total += int64(len(dst))
			}
			if corpusBadChunks[ct.dataset] {
				if len(bad) == 0 {
					t.Fatal("every chunk passed its checksum, want failures")
				}
				for _, err := range bad {
					checkChunkErr(t, err, ct.desc.Path(format.Data))
				}
				n, _ := r.VerifyAll(context.Background(), nil)
				if n != len(bad) {
					t.Errorf("VerifyAll found %d bad chunks, Chunk found %d", n, len(bad))
				}
				t.Logf("%d of %d chunks fail as expected; first: %v", len(bad), r.NumChunks(), bad[0])
			} else if len(bad) > 0 && ct.kind == "corrupt" {
				// Hand-edited Data.db whose CRC.db was not updated.
				for _, err := range bad {
					checkChunkErr(t, err, ct.desc.Path(format.Data))
				}
				t.Logf("corrupt fixture: %v", bad[0])
			} else if len(bad) > 0 {
				t.Fatalf("%d bad chunks, first: %v", len(bad), bad[0])
			} else if total != r.Length() {
				t.Fatalf("chunks hold %d bytes, want %d", total, r.Length())
			}
			if !r.Compressed() && r.Length() != int64(len(data)) {
				t.Fatalf("length %d, file %d", r.Length(), len(data))
			}

			for _, dc := range []string{format.DigestCRC32, format.DigestAdler32, format.DigestSHA1} {
				dig, err := os.ReadFile(ct.desc.Path(dc))
				if err != nil {
					continue
				}
				digests++
				err = r.VerifyDigest(dc, dig, ct.desc.Version)
				switch {
				case corpusBadDigest[ct.dataset]:
					if !errors.Is(err, wire.ErrCorrupt) || !strings.Contains(err.Error(), ct.desc.Path(format.Data)) {
						t.Fatalf("%s: got %v, want ErrCorrupt naming the path", dc, err)
					}
					t.Logf("digest fails as expected: %v", err)
				case ct.kind == "corrupt" && err != nil:
					// Hand-edited Data.db: the digest was not updated.
					t.Logf("%s (corrupt fixture): %v", dc, err)
				case err != nil:
					t.Fatalf("%s: %v", dc, err)
				}
				// The streaming function agrees wherever the file-as-stored digest applies.
				if err == nil && !(r.Compressed() && !ct.desc.Version.StoresRows()) {
					if err := VerifyDigest(ct.desc.Path(format.Data), bytes.NewReader(data), int64(len(data)), dc, dig, ct.desc.Version); err != nil {
						t.Fatalf("VerifyDigest: %v", err)
					}
				}
			}
		})
	}
	t.Logf("%d SSTables: %d compressed, %d uncompressed (%d with usable CRC.db, %d with unaligned CRC.db), %d digests",
		len(tables), compressed, uncompressed, withCRC, unchecked, digests)
	if compressed < 40 || withCRC < 20 {
		t.Errorf("too few SSTables exercised: %d compressed, %d with CRC.db", compressed, withCRC)
	}
}

// checkChunkErr asserts that err is a located chunk corruption error.
func checkChunkErr(t *testing.T, err error, path string) {
	t.Helper()
	var fe *wire.FormatError
	if !errors.Is(err, wire.ErrCorrupt) || !errors.As(err, &fe) {
		t.Fatalf("got %v, want a *wire.FormatError wrapping ErrCorrupt", err)
	}
	msg := err.Error()
	if fe.Path != path || !strings.Contains(msg, path) {
		t.Fatalf("%q does not name %s", msg, path)
	}
	if !strings.Contains(msg, "at offset "+strconv.FormatInt(fe.Offset, 10)+":") {
		t.Fatalf("%q does not name the chunk offset %d", msg, fe.Offset)
	}
}

// TestCorpusBadCompressionInfo: truncated and bit-flipped CompressionInfo.db files
// are refused; the intact copy beside them parses.
func TestCorpusBadCompressionInfo(t *testing.T) {
	root := needCorpus(t)
	dir := filepath.Join(root, "scylla", "legacy", "badcompression")
	la := format.Version{S: "la"}
	for _, name := range []string{"la-1-big-CompressionInfo.db", "la-2-big-CompressionInfo.db"} {
		b, err := os.ReadFile(filepath.Join(dir, name))
		if err != nil {
			t.Fatal(err)
		}
		info, err := ParseCompressionInfo(b, la)
		if err == nil {
			// A flipped byte may still parse; then the class name must be refused.
			_, err = NewCompressed(name, bytes.NewReader(nil), 0, info, la)
		}
		if !errors.Is(err, wire.ErrCorrupt) && !errors.Is(err, wire.ErrUnsupported) {
			t.Errorf("%s: got %v, want ErrCorrupt or ErrUnsupported", name, err)
		} else {
			t.Logf("%s: %v", name, err)
		}
	}
	b, err := os.ReadFile(filepath.Join(dir, "C"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := ParseCompressionInfo(b, la); err != nil {
		t.Errorf("intact copy: %v", err)
	}
}
