package legacy_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aegisthus/aegisthus/internal/corpustest"
	"github.com/aegisthus/aegisthus/internal/cql/cqlparse"
	"github.com/aegisthus/aegisthus/internal/rows"
	"github.com/aegisthus/aegisthus/internal/sstable/row/rowtest"

	"github.com/aegisthus/aegisthus/internal/sstable"
	"github.com/aegisthus/aegisthus/internal/sstable/chunk"
	"github.com/aegisthus/aegisthus/internal/sstable/format"
	"github.com/aegisthus/aegisthus/internal/sstable/legacy"
	"github.com/aegisthus/aegisthus/internal/sstable/wire"
	"github.com/aegisthus/aegisthus/internal/storage"
)

func corpusDir(t testing.TB) string { return corpustest.Dir(t) }

type memSource = rowtest.MemSource

// scanAll reads every partition and unfiltered, returning counts.
func scanAll(s rowtest.Partitions) (parts, unfiltered, cells int, err error) {
	return rowtest.ScanAll(s)
}

// seeds are small legacy corpus SSTables of every shape, with their schemas.
var seeds = []struct{ path, schema string }{
	{"scylla/legacy/uncompressed/ks/uncompressed-1c6ace40fad111e7b9cf000000000002/la-1-big",
		"CREATE TABLE ks.uncompressed (name text PRIMARY KEY, col1 text, col2 int)"},
	{"scylla/legacy/sliced_mutation_reads/ks/sliced_mutation_reads_test-1c6ace40fad111e7b9cf000000000002/ks-sliced_mutation_reads_test-ka-1",
		"CREATE TABLE ks.sliced_mutation_reads_test (pk int, ck int, v1 int, v2 set<int>, PRIMARY KEY (pk, ck))"},
	{"scylla/legacy/complex/la-2-big", complexSchema},
	{"scylla/legacy/complex/la-3-big", complexSchema},
	{"scylla/legacy/counter_test/ks/counter_test-1c6ace40fad111e7b9cf000000000002/ks-counter_test-ka-5",
		"CREATE TABLE ks.counter_test (pk int, ck int, c1 counter, c2 counter, PRIMARY KEY (pk, ck))"},
	{"scylla/legacy/tombstone_overlap/try1-tab-ka-1",
		"CREATE TABLE try1.tab (pk text, ck1 text, ck2 text, data text, PRIMARY KEY (pk, ck1, ck2))"},
	{"scylla/legacy/tombstone_overlap/try1-tab2-ka-3",
		"CREATE TABLE try1.tab2 (pk text, ck1 text, ck2 text, ck3 text, data text, PRIMARY KEY (pk, ck1, ck2, ck3))"},
	{"scylla/legacy/wrong_range_tombstone_order/ks/wrong_range_tombstone_order-1c6ace40fad111e7b9cf000000000002/ks-wrong_range_tombstone_order-ka-1",
		"CREATE TABLE ks.wrong_range_tombstone_order (p int, a int, b int, c int, r int, PRIMARY KEY (p, a, b, c)) WITH COMPACT STORAGE"},
	{"scylla/legacy/broken_non_compound_pi_and_range_tombstone/ks/test-1c6ace40fad111e7b9cf000000000002/ks-test-ka-1",
		"CREATE TABLE ks.test (pk int, ck int, v int, PRIMARY KEY (pk, ck)) WITH COMPACT STORAGE"},
	{"scylla/legacy/compact_sparse/la-1-big",
		"CREATE TABLE tests.compact_sparse (ks blob PRIMARY KEY, cl1 blob, cl2 blob) WITH COMPACT STORAGE"},
	{"scylla/legacy/static_column/la-58-big",
		"CREATE TABLE ks.t (test_foo_bar_zed_baz_key text, test_foo_bar_zed_baz_val text, test_foo_bar_zed_baz_static text static, PRIMARY KEY (test_foo_bar_zed_baz_key, test_foo_bar_zed_baz_val))"},
	{"hadoop-sstable/Keyspace1/Standard1/Keyspace1-Standard1-ic-0",
		`CREATE TABLE "Keyspace1"."Standard1" (key blob, column1 blob, value blob, PRIMARY KEY (key, column1)) WITH COMPACT STORAGE`},
}

const complexSchema = "CREATE TABLE todata.complex_schema (key blob, clust1 blob, clust2 blob, reg_set set<blob>, reg_list list<blob>, " +
	"reg_map map<blob, blob>, reg_fset frozen<set<blob>>, reg blob, static_obj blob static, static_collection set<blob> static, " +
	"PRIMARY KEY (key, clust1, clust2))"

type seed struct {
	name   string
	layout *legacy.Layout
	data   []byte // uncompressed Data.db
}

func open(t testing.TB, prefix, schema string) *sstable.SSTable {
	t.Helper()
	sc, err := cqlparse.Parse(schema)
	if err != nil {
		t.Fatal(err)
	}
	d, _, err := format.ParseName(filepath.Join(corpusDir(t), prefix+"-Data.db"))
	if err != nil {
		t.Fatal(err)
	}
	sst, err := sstable.Open(storage.Local{}, d, sstable.Options{Table: sc.Tables[0]})
	if err != nil {
		t.Fatal(err)
	}
	return sst
}

func loadSeeds(t testing.TB) []seed {
	var out []seed
	for _, s := range seeds {
		sst := open(t, s.path, s.schema)
		var data []byte
		var buf chunk.Buf
		for i := range sst.Chunks.NumChunks() {
			b, err := sst.Chunks.Chunk(i, nil, &buf)
			if err != nil {
				t.Fatal(err)
			}
			data = append(data, b...)
		}
		sst.Close()
		out = append(out, seed{s.path, sst.Legacy, data})
	}
	return out
}

// TestCorpusDecode reads every seed through sstable.Open and checks that it yields
// partitions and that the chunking of the source does not change the result.
func TestCorpusDecode(t *testing.T) {
	for _, sd := range loadSeeds(t) {
		p0, u0, c0, err := scanAll(legacy.NewScanner(sd.layout, &memSource{B: sd.data, N: 1 << 20}, "mem", 0, int64(len(sd.data))))
		if err != nil || p0 == 0 {
			t.Fatalf("%s: %d partitions, %v", sd.name, p0, err)
		}
		for _, n := range []int{1, 2, 3, 7, 61, 4096} {
			p, u, c, err := scanAll(legacy.NewScanner(sd.layout, &memSource{B: sd.data, N: n}, "mem", 0, int64(len(sd.data))))
			if err != nil || p != p0 || u != u0 || c != c0 {
				t.Errorf("%s: chunk %d: %d/%d/%d, %v; want %d/%d/%d", sd.name, n, p, u, c, err, p0, u0, c0)
			}
		}
	}
}

// TestNoSchema checks that a legacy SSTable opened without a schema is refused as
// needing one (the command line adds the flag that gives it).
func TestNoSchema(t *testing.T) {
	d, _, err := format.ParseName(filepath.Join(corpusDir(t), seeds[0].path+"-Data.db"))
	if err != nil {
		t.Fatal(err)
	}
	_, err = sstable.Open(storage.Local{}, d, sstable.Options{})
	if !errors.Is(err, wire.ErrUnsupported) || !errors.Is(err, wire.ErrNeedsSchema) {
		t.Fatalf("open without schema: %v", err)
	}
}

// TestWrongSchema reads valid files with schemas that contradict them: a static
// column declared regular, a missing column. Both must fail as corrupt.
func TestWrongSchema(t *testing.T) {
	for _, c := range []struct{ path, schema string }{
		{"scylla/legacy/static_column/la-58-big",
			"CREATE TABLE ks.t (test_foo_bar_zed_baz_key text, test_foo_bar_zed_baz_val text, test_foo_bar_zed_baz_static text, PRIMARY KEY (test_foo_bar_zed_baz_key, test_foo_bar_zed_baz_val))"},
		{seeds[0].path, "CREATE TABLE ks.uncompressed (name text PRIMARY KEY, col1 text)"},
		{seeds[0].path, "CREATE TABLE ks.uncompressed (name text, col1 text, col2 int, PRIMARY KEY (name, col1))"},
	} {
		sst := open(t, c.path, c.schema)
		s := sst.Scanner(0, sst.Chunks.Length())
		for s.NextPartition() {
			for s.Next() {
			}
		}
		sst.Close()
		if err := s.Err(); !errors.Is(err, wire.ErrCorrupt) {
			t.Errorf("%s with %q: %v, want a corrupt error", c.path, c.schema, err)
		}
	}
}

// TestTruncationSweep cuts each seed at every length: decoding must end in an
// ErrCorrupt naming the file, never a panic, and never claim success unless the
// cut falls on a partition boundary.
func TestTruncationSweep(t *testing.T) {
	for _, sd := range loadSeeds(t) {
		boundaries := map[int]bool{len(sd.data): true}
		s := legacy.NewScanner(sd.layout, &memSource{B: sd.data, N: 4096}, "mem", 0, int64(len(sd.data)))
		for s.NextPartition() {
			boundaries[int(s.Partition().Offset)] = true
		}
		for n := 0; n < len(sd.data); n++ {
			_, _, _, err := scanAll(legacy.NewScanner(sd.layout, &memSource{B: sd.data[:n], N: 64}, "cut-Data.db", 0, int64(n)))
			switch {
			case err == nil && !boundaries[n]:
				t.Fatalf("%s: cut at %d (inside a partition) decoded without error", sd.name, n)
			case err != nil && (!errors.Is(err, wire.ErrCorrupt) || !strings.Contains(err.Error(), "cut-Data.db")):
				t.Fatalf("%s: cut at %d: %v", sd.name, n, err)
			}
		}
	}
}

// TestFlipSweep flips every byte of each seed in turn: any outcome but a panic is
// acceptable, and every error is classified and located.
func TestFlipSweep(t *testing.T) {
	for _, sd := range loadSeeds(t) {
		b := append([]byte(nil), sd.data...)
		for i := range b {
			for _, x := range []byte{0xFF, 0x01} {
				b[i] ^= x
				_, _, _, err := scanAll(legacy.NewScanner(sd.layout, &memSource{B: b, N: 4096}, "flip-Data.db", 0, int64(len(b))))
				if err != nil && (!errors.Is(err, wire.ErrCorrupt) || !strings.Contains(err.Error(), "flip-Data.db")) {
					t.Fatalf("%s: flip at %d: %v", sd.name, i, err)
				}
				b[i] ^= x
			}
		}
	}
}

// FuzzLegacyScanner decodes arbitrary bytes with the layouts of real legacy
// SSTables. The first byte picks the layout, the second the chunk size.
func FuzzLegacyScanner(f *testing.F) {
	fuzzLegacy(f, func(sd seed, src *memSource, n int64) partitions {
		return legacy.NewScanner(sd.layout, src, "fuzz-Data.db", 0, n)
	})
}

// partitions is what the legacy fuzz targets read of either scanner.
type partitions interface {
	NextPartition() bool
	Partition() *rows.Partition
	Next() bool
	Unfiltered() *rows.Unfiltered
	Err() error
}

// fuzzLegacy is the body of both legacy fuzz targets: open scans arbitrary
// bytes with a real seed's layout; partition offsets must advance, markers
// must be bounds, and any error must be ErrCorrupt naming the file.
func fuzzLegacy(f *testing.F, open func(sd seed, src *memSource, n int64) partitions) {
	sds := loadSeeds(f)
	for i, sd := range sds {
		f.Add(append([]byte{byte(i), 0}, sd.data...))
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) < 2 {
			return
		}
		sd := sds[int(in[0])%len(sds)]
		data := in[2:]
		s := open(sd, &memSource{B: data, N: 1 + int(in[1])*64}, int64(len(data)))
		var prev int64 = -1
		for s.NextPartition() {
			if s.Partition().Offset <= prev {
				t.Fatalf("partition offsets do not advance: %d after %d", s.Partition().Offset, prev)
			}
			prev = s.Partition().Offset
			for s.Next() {
				u := s.Unfiltered()
				if u.Kind == rows.KindMarker && !u.Bound.IsStart() && !u.Bound.IsEnd() {
					t.Fatalf("marker with bound kind %d", u.Bound)
				}
			}
		}
		if err := s.Err(); err != nil && (!errors.Is(err, wire.ErrCorrupt) || !strings.Contains(err.Error(), "fuzz-Data.db")) {
			t.Fatalf("unclassified error: %v", err)
		}
	})
}

// BenchmarkLegacyScanner decodes every seed, one core.
//
//	go test -run='^$' -bench=LegacyScanner -count=10 ./internal/sstable/legacy > new.txt && benchstat old.txt new.txt
func BenchmarkLegacyScanner(b *testing.B) {
	sds := loadSeeds(b)
	var total int64
	for _, sd := range sds {
		total += int64(len(sd.data))
	}
	b.SetBytes(total)
	b.ReportAllocs()
	for range b.N {
		for _, sd := range sds {
			if _, _, _, err := scanAll(legacy.NewScanner(sd.layout, &memSource{B: sd.data, N: 64 << 10}, "mem", 0, int64(len(sd.data)))); err != nil {
				b.Fatal(err)
			}
		}
	}
}

// TestCorruptSets reads the corpus's hand-broken legacy files past their CRC.db
// (which already rejects them): the decoder itself must find the damage.
func TestCorruptSets(t *testing.T) {
	const schema = "CREATE TABLE ks.t (test_foo_bar_zed_baz_key text, test_foo_bar_zed_baz_val text, " +
		"test_foo_bar_zed_baz_static text static, PRIMARY KEY (test_foo_bar_zed_baz_key, test_foo_bar_zed_baz_val))"
	const setSchema = "CREATE TABLE ks.t (test_key text PRIMARY KEY, test_val set<text>)"
	for _, c := range []struct{ path, schema, want string }{
		{"scylla/legacy/bad_column_name/la-58-big", schema, "components"},
		{"scylla/legacy/static_with_clustering/la-58-big", schema, "static name carries clustering value"},
		{"scylla/legacy/broken_start_composite/la-76-big", setSchema, "end-of-component byte 0x02"},
		{"scylla/legacy/broken_end_composite/la-76-big", setSchema, "end-of-component byte 0x03"},
	} {
		sst := open(t, c.path, c.schema)
		data, err := os.ReadFile(sst.Path(format.Data))
		sst.Close()
		if err != nil {
			t.Fatal(err)
		}
		_, _, _, err = scanAll(legacy.NewScanner(sst.Legacy, &memSource{B: data, N: 4096}, "bad-Data.db", 0, int64(len(data))))
		if !errors.Is(err, wire.ErrCorrupt) || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "bad-Data.db") {
			t.Errorf("%s: %v, want a corrupt error saying %q", c.path, err, c.want)
		}
	}
}
