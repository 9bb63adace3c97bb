package index

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aegisthus/aegisthus/internal/sstable/format"
	"github.com/aegisthus/aegisthus/internal/sstable/stats"
	"github.com/aegisthus/aegisthus/internal/sstable/wire"
)

// corpusDir is ../shared/corpus relative to the module root.
const corpusDir = "../../../../shared/corpus"

// harnessDir is where the Cassandra 5.0 harness writes its fixtures.
const harnessDir = "../../../testdata"

type sstableFiles struct {
	dir, prefix string
	kind        string // manifest kind of the dataset
	folder      string
	v           format.Version
}

func (s sstableFiles) path(c string) string { return filepath.Join(s.dir, s.prefix+c) }

func (s sstableFiles) read(t testing.TB, c string) []byte {
	t.Helper()
	b, err := os.ReadFile(s.path(c))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func (s sstableFiles) has(c string) bool {
	fi, err := os.Stat(s.path(c))
	return err == nil && fi.Mode().IsRegular()
}

// corpusSSTables lists every SSTable of the corpus whose version this build reads.
func corpusSSTables(t testing.TB) []sstableFiles {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(corpusDir, "manifest.json"))
	if errors.Is(err, os.ErrNotExist) {
		t.Skipf("corpus not found at %s (../shared relative to the module root); skipping corpus tests", corpusDir)
	}
	if err != nil {
		t.Fatal(err)
	}
	var m struct {
		Datasets []struct {
			Folder   string `json:"folder"`
			Kind     string `json:"kind"`
			SSTables []struct {
				Name string `json:"name"`
			} `json:"sstables"`
		} `json:"datasets"`
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	var out []sstableFiles
	for _, ds := range m.Datasets {
		for _, s := range ds.SSTables {
			d, _, err := format.ParseName(filepath.Join(corpusDir, ds.Folder, s.Name+"-Data.db"))
			if err != nil {
				continue // ScyllaDB-only versions, broken TOC-only fixtures
			}
			out = append(out, sstableFiles{dir: filepath.Join(corpusDir, ds.Folder), prefix: s.Name + "-", kind: ds.Kind, folder: ds.Folder, v: d.Version})
		}
	}
	return out
}

// dataLength returns the uncompressed Data.db length: CompressionInfo.db's
// data_length when the SSTable is compressed, else the file size. Only the few
// fields needed are parsed here (the chunk package owns CompressionInfo).
func dataLength(t testing.TB, s sstableFiles) (int64, bool) {
	if !s.has(format.CompressionInfo) {
		if toc, err := os.ReadFile(s.path(format.TOC)); err == nil && strings.Contains(string(toc), format.CompressionInfo) {
			return 0, false // compressed, but CompressionInfo.db is missing (partial fixture)
		}
		fi, err := os.Stat(s.path(format.Data))
		if err != nil {
			return 0, false
		}
		return fi.Size(), true
	}
	c := wire.NewCursor(s.read(t, format.CompressionInfo), 0)
	c.UTF()
	n := c.I32()
	for i := int32(0); i < n && c.Err() == nil; i++ {
		c.UTF()
		c.UTF()
	}
	c.I32() // chunk length
	if s.v.HasMaxCompressedLength() {
		c.I32()
	}
	l := c.I64()
	return l, c.Err() == nil
}

// clusteringTypes reads the header's clustering types (nil before ma).
func clusteringTypes(t testing.TB, s sstableFiles) []string {
	if !s.v.StoresRows() || !s.has(format.Statistics) {
		return nil
	}
	md, err := stats.Parse(s.path(format.Statistics), s.read(t, format.Statistics), s.v)
	if err != nil || md.Header == nil {
		return nil
	}
	return md.Header.ClusteringTypes
}

// corruptIndex lists datasets whose Index.db is broken on purpose.
var corruptIndex = map[string]bool{
	"scylla/legacy/empty_index": true, // Index.db is a single byte
}

func TestCorpusIndex(t *testing.T) {
	var files, entries, promoted, blocks int
	for _, s := range corpusSSTables(t) {
		if !s.has(format.Index) {
			continue
		}
		t.Run(s.folder+"/"+s.prefix, func(t *testing.T) {
			b := s.read(t, format.Index)
			if len(b) == 0 {
				t.Skip("empty Index.db (partial fixture)")
			}
			limit, haveLimit := dataLength(t, s)
			types := clusteringTypes(t, s)
			for _, skip := range []bool{false, true} {
				r := NewIndexReader(s.path(format.Index), b, s.v, Options{ClusteringTypes: types, SkipBlocks: skip})
				n := 0
				for r.Next() {
					e := r.Entry()
					if haveLimit && e.Position >= limit {
						t.Fatalf("entry %d: position %d >= Data.db length %d", n, e.Position, limit)
					}
					if !skip {
						entries++
						if e.HasRowIndex {
							promoted++
							blocks += len(e.Blocks)
							checkBlocks(t, e)
						}
					}
					n++
				}
				err := r.Err()
				if corruptIndex[s.folder] {
					if !errors.Is(err, wire.ErrCorrupt) || !strings.Contains(err.Error(), "offset") {
						t.Fatalf("want ErrCorrupt naming an offset, got %v", err)
					}
					var fe *wire.FormatError
					if !errors.As(err, &fe) || fe.Path != s.path(format.Index) {
						t.Fatalf("error %v does not name the file", err)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				if n == 0 {
					t.Fatal("no entries")
				}
			}
			files++
			pos, err := Positions(Source{Version: s.v, IndexPath: s.path(format.Index), Index: b})
			if err != nil || len(pos) == 0 {
				t.Fatalf("Positions: %d, %v", len(pos), err)
			}
		})
	}
	t.Logf("%d Index.db files, %d entries, %d promoted indexes with %d blocks", files, entries, promoted, blocks)
	if files == 0 {
		t.Fatal("no Index.db checked")
	}
}

func checkBlocks(t *testing.T, e *Entry) {
	t.Helper()
	if len(e.Blocks) == 0 {
		t.Fatalf("key %q: promoted index without blocks", e.Key)
	}
	var end int64
	for i, b := range e.Blocks {
		// ScyllaDB's ka/la writer with column_index_size_in_kb 0 leaves zero-width blocks.
		if b.Offset < end || b.Width < 0 {
			t.Fatalf("key %q block %d: offset %d width %d after end %d", e.Key, i, b.Offset, b.Width, end)
		}
		end = b.Offset + b.Width
	}
}

func TestCorpusSummary(t *testing.T) {
	var files, entries int
	for _, s := range corpusSSTables(t) {
		if !s.has(format.Summary) {
			continue
		}
		t.Run(s.folder+"/"+s.prefix, func(t *testing.T) {
			sum, err := ParseSummary(s.path(format.Summary), s.read(t, format.Summary), s.v)
			if err != nil {
				t.Fatal(err)
			}
			files++
			entries += len(sum.Entries)
			if len(sum.FirstKey) == 0 && len(sum.Entries) > 0 {
				t.Error("empty first key")
			}
			if !s.has(format.Index) {
				return
			}
			idx := s.read(t, format.Index)
			if len(idx) == 0 {
				return // bigsummary: Index.db emptied on purpose
			}
			// Every sampled entry must be the start of an Index.db entry with the same key.
			starts := map[int64][]byte{}
			r := NewIndexReader(s.path(format.Index), idx, s.v, Options{SkipBlocks: true})
			var last []byte
			first := true
			for r.Next() {
				e := r.Entry()
				starts[e.IndexedOffset] = e.Key
				if first {
					if string(e.Key) != string(sum.FirstKey) {
						t.Errorf("summary first key %q, index %q", sum.FirstKey, e.Key)
					}
					first = false
				}
				last = e.Key
			}
			if err := r.Err(); err != nil {
				if corruptIndex[s.folder] {
					return
				}
				t.Fatal(err)
			}
			if string(last) != string(sum.LastKey) {
				t.Errorf("summary last key %q, index %q", sum.LastKey, last)
			}
			for i, se := range sum.Entries {
				k, ok := starts[se.IndexPosition]
				if !ok || string(k) != string(se.Key) {
					t.Fatalf("summary entry %d (%q at %d) does not point to an Index.db entry (%q)", i, se.Key, se.IndexPosition, k)
				}
			}
		})
	}
	t.Logf("%d Summary.db files, %d entries", files, entries)
}

// TestCorruptIndexNoPanic truncates and flips bytes of real Index.db and Summary.db
// files: every failure must be ErrCorrupt, and nothing may panic.
func TestCorruptIndexNoPanic(t *testing.T) {
	n := 0
	for _, s := range corpusSSTables(t) {
		if !s.has(format.Index) || n > 40 {
			continue
		}
		n++
		b := s.read(t, format.Index)
		types := clusteringTypes(t, s)
		for cut := 0; cut < len(b) && cut < 200; cut++ {
			mut := append([]byte{}, b...)
			mut[cut] ^= 0xA5
			for _, in := range [][]byte{b[:cut], mut} {
				r := NewIndexReader("x", in, s.v, Options{ClusteringTypes: types})
				for r.Next() {
				}
				if err := r.Err(); err != nil && !errors.Is(err, wire.ErrCorrupt) {
					t.Fatalf("%s: %v", s.path(format.Index), err)
				}
			}
		}
	}
}

// le32/le64 build little-endian fields for the hand-made Summary below.
func TestSummaryHandMade(t *testing.T) {
	v, _ := format.ParseVersion("nb", format.Big)
	var b []byte
	b = binary.BigEndian.AppendUint32(b, 128)
	b = binary.BigEndian.AppendUint32(b, 2)
	entries := []struct {
		key string
		pos uint64
	}{{"ab", 0}, {"xyz", 77}}
	size := 8 + 2 + 8 + 3 + 8
	b = binary.BigEndian.AppendUint64(b, uint64(size))
	b = binary.BigEndian.AppendUint32(b, 128)
	b = binary.BigEndian.AppendUint32(b, 2)
	b = binary.LittleEndian.AppendUint32(b, 8)
	b = binary.LittleEndian.AppendUint32(b, 8+10)
	for _, e := range entries {
		b = append(b, e.key...)
		b = binary.LittleEndian.AppendUint64(b, e.pos)
	}
	b = binary.BigEndian.AppendUint32(b, 2)
	b = append(b, "ab"...)
	b = binary.BigEndian.AppendUint32(b, 1)
	b = append(b, "z"...)
	s, err := ParseSummary("s", b, v)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Entries) != 2 || string(s.Entries[1].Key) != "xyz" || s.Entries[1].IndexPosition != 77 || string(s.LastKey) != "z" {
		t.Fatalf("%+v", s)
	}
	for i := range b {
		if _, err := ParseSummary("s", b[:i], v); !errors.Is(err, wire.ErrCorrupt) {
			t.Fatalf("truncated at %d: %v", i, err)
		}
	}
}

// TestHarnessFixtures reads the Cassandra 5.0 fixtures (oa BIG and da BTI) written
// by the harness under testdata/ at the module root, when they exist.
func TestHarnessFixtures(t *testing.T) {
	var found int
	_ = filepath.WalkDir(harnessDir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, "-Data.db") {
			return nil
		}
		desc, _, err := format.ParseName(path)
		if err != nil || (desc.Version.S != "oa" && desc.Version.Kind != format.BTI) {
			return nil
		}
		found++
		t.Run(path, func(t *testing.T) { checkHarnessSSTable(t, desc) })
		return nil
	})
	if found == 0 {
		t.Skipf("no oa/da fixtures under %s yet", harnessDir)
	}
}

func checkHarnessSSTable(t *testing.T, d format.Descriptor) {
	read := func(c string) []byte {
		b, err := os.ReadFile(d.Path(c))
		if err != nil {
			return nil
		}
		return b
	}
	st := read(format.Statistics)
	md, err := stats.Parse(d.Path(format.Statistics), st, d.Version)
	if err != nil {
		t.Fatal(err)
	}
	src := Source{Version: d.Version, IndexPath: d.Path(format.Index), Index: read(format.Index),
		PartitionsPath: d.Path(format.Partitions), Partitions: read(format.Partitions),
		RowsPath: d.Path(format.Rows), Rows: read(format.Rows)}
	it, err := Open(src, Options{ClusteringTypes: md.Header.ClusteringTypes})
	if err != nil {
		t.Fatal(err)
	}
	var n int
	var firstKey, lastKey []byte
	for it.Next() {
		e := it.Entry()
		if n == 0 {
			firstKey = append([]byte{}, e.Key...)
		}
		lastKey = append(lastKey[:0], e.Key...)
		n++
	}
	if err := it.Err(); err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("no partitions")
	}
	if d.Version.Kind == format.BTI {
		p, err := OpenPartitionIndex(src.PartitionsPath, src.Partitions)
		if err != nil {
			t.Fatal(err)
		}
		if p.KeyCount != int64(n) {
			t.Errorf("footer key count %d, walked %d", p.KeyCount, n)
		}
		if string(p.FirstKey) != string(md.Stats.FirstKey) || string(p.LastKey) != string(md.Stats.LastKey) {
			t.Errorf("Partitions.db keys %q..%q, Statistics %q..%q", p.FirstKey, p.LastKey, md.Stats.FirstKey, md.Stats.LastKey)
		}
	} else if string(firstKey) != string(md.Stats.FirstKey) || string(lastKey) != string(md.Stats.LastKey) {
		t.Errorf("Index.db keys %q..%q, Statistics %q..%q", firstKey, lastKey, md.Stats.FirstKey, md.Stats.LastKey)
	}
	t.Logf("%s: %d partitions", d.Version, n)
}

// TestSummaryCheck: SummaryCheck passes the sample's real Summary.db against
// its Index.db, and fails on a sample key, a sample position, the first and
// the last key changed, naming Summary.db and the offset of what is wrong.
func TestSummaryCheck(t *testing.T) {
	dir, _ := filepath.Glob(filepath.Join(harnessDir, "sample-snapshot", "node1", "demo", "events-*", "snapshots", "sample"))
	if len(dir) != 1 {
		t.Fatalf("sample: %v", dir)
	}
	summaryPath, indexPath := filepath.Join(dir[0], "nb-1-big-Summary.db"), filepath.Join(dir[0], "nb-1-big-Index.db")
	v := format.Version{Kind: format.Big, S: "nb"}
	sb, err := os.ReadFile(summaryPath)
	if err != nil {
		t.Fatal(err)
	}
	idx, err := os.ReadFile(indexPath)
	if err != nil {
		t.Fatal(err)
	}
	check := func(s *Summary) error {
		k := s.Check(summaryPath, indexPath)
		r := NewIndexReader(indexPath, idx, v, Options{SkipBlocks: true})
		for r.Next() {
			if err := k.Entry(r.Entry()); err != nil {
				return err
			}
		}
		if r.Err() != nil {
			t.Fatal(r.Err())
		}
		return k.Done()
	}
	parse := func() *Summary {
		s, err := ParseSummary(summaryPath, sb, v)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	if s := parse(); len(s.Entries) < 3 {
		t.Fatalf("%d samples, want several", len(s.Entries))
	} else if err := check(s); err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name   string
		mutate func(s *Summary) int64 // the offset the error must name
		want   string
	}{
		{"sample key", func(s *Summary) int64 {
			s.Entries[1].Key = append(bytes.Clone(s.Entries[1].Key), 0)
			return s.Entries[1].Offset
		}, "sample 1: key"},
		{"sample position inside an entry", func(s *Summary) int64 { s.Entries[1].IndexPosition++; return s.Entries[1].Offset }, "is no entry of"},
		{"sample position on another entry", func(s *Summary) int64 {
			s.Entries[1].IndexPosition = s.Entries[2].IndexPosition
			s.Entries[1].Key = s.Entries[2].Key
			s.Entries[2].IndexPosition = s.Entries[1].IndexPosition + 1<<20
			return s.Entries[2].Offset
		}, "past the last entry"},
		{"first key", func(s *Summary) int64 { s.FirstKey = []byte("x"); return s.FirstKeyOffset }, "first key"},
		{"last key", func(s *Summary) int64 { s.LastKey = []byte("x"); return s.LastKeyOffset }, "last key"},
	} {
		s := parse()
		off := c.mutate(s)
		err := check(s)
		if err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), fmt.Sprintf("%s: offset %d: ", summaryPath, off)) {
			t.Errorf("%s: %v", c.name, err)
		}
	}
}
