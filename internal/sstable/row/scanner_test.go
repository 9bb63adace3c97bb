package row_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aegisthus/aegisthus/internal/corpustest"
	"github.com/aegisthus/aegisthus/internal/sstable/row/rowtest"

	"github.com/aegisthus/aegisthus/internal/sstable"
	"github.com/aegisthus/aegisthus/internal/sstable/format"
	"github.com/aegisthus/aegisthus/internal/sstable/row"
	"github.com/aegisthus/aegisthus/internal/sstable/wire"
	"github.com/aegisthus/aegisthus/internal/storage"
)

func corpusDir(t testing.TB) string { return corpustest.Dir(t) }

type memSource = rowtest.MemSource

// scanAll reads every partition and unfiltered, returning counts.
func scanAll(s rowtest.Partitions) (parts, unfiltered, cells int, err error) {
	return rowtest.ScanAll(s)
}

// seeds are uncompressed corpus SSTables of varied shape: statics, collections,
// range tombstones, counters, many columns, wide partitions.
var seeds = []string{
	"scylla/3.x/uncompressed/compound_static_row/mc-1-big",
	"scylla/3.x/uncompressed/collections/mc-1-big",
	"scylla/3.x/uncompressed/range_tombstones_simple/mc-1-big",
	"scylla/3.x/uncompressed/counters/mc-1-big",
	"scylla/3.x/uncompressed/large_subset_of_columns_sparse/mc-1-big",
	"scylla/3.x/uncompressed/write_user_defined_type_table/mc-1-big",
	"scylla/3.x/uncompressed/write_regular_and_shadowable_deletion/mc-1-big",
}

type seed struct {
	layout *row.Layout
	data   []byte
}

func loadSeeds(t testing.TB) []seed {
	dir := corpusDir(t)
	var out []seed
	for _, s := range seeds {
		d, _, err := format.ParseName(filepath.Join(dir, s+"-Data.db"))
		if err != nil {
			t.Fatal(err)
		}
		sst, err := sstable.Open(storage.Local{}, d, sstable.Options{})
		if err != nil {
			t.Fatal(err)
		}
		data, err := os.ReadFile(d.Path(format.Data))
		sst.Close()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, seed{sst.Layout, data})
	}
	return out
}

// TestChunkBoundaries decodes the same data with chunk sizes from 1 byte up: the
// result must not depend on where chunks split headers and
func TestChunkBoundaries(t *testing.T) {
	for _, sd := range loadSeeds(t) {
		p0, u0, c0, err := scanAll(row.NewScanner(sd.layout, &memSource{B: sd.data, N: 1 << 20}, "mem", 0, int64(len(sd.data))))
		if err != nil {
			t.Fatal(err)
		}
		for _, n := range []int{1, 2, 3, 7, 16, 61, 4096} {
			p, u, c, err := scanAll(row.NewScanner(sd.layout, &memSource{B: sd.data, N: n}, "mem", 0, int64(len(sd.data))))
			if err != nil || p != p0 || u != u0 || c != c0 {
				t.Errorf("chunk %d: %d/%d/%d, %v; want %d/%d/%d", n, p, u, c, err, p0, u0, c0)
			}
		}
	}
}

// TestTruncationSweep cuts each seed at every length: decoding must end in an
// ErrCorrupt naming the file, never a panic, and never claim success unless the
// cut falls on a partition boundary.
func TestTruncationSweep(t *testing.T) {
	for _, sd := range loadSeeds(t) {
		boundaries := map[int]bool{len(sd.data): true}
		s := row.NewScanner(sd.layout, &memSource{B: sd.data, N: 4096}, "mem", 0, int64(len(sd.data)))
		for s.NextPartition() {
			boundaries[int(s.Partition().Offset)] = true
		}
		for n := 0; n < len(sd.data); n++ {
			_, _, _, err := scanAll(row.NewScanner(sd.layout, &memSource{B: sd.data[:n], N: 64}, "cut-Data.db", 0, int64(n)))
			switch {
			case err == nil && !boundaries[n]:
				t.Fatalf("cut at %d (inside a partition) decoded without error", n)
			case err != nil && (!errors.Is(err, wire.ErrCorrupt) || !strings.Contains(err.Error(), "cut-Data.db")):
				t.Fatalf("cut at %d: %v", n, err)
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
			b[i] ^= 0xFF
			_, _, _, err := scanAll(row.NewScanner(sd.layout, &memSource{B: b, N: 4096}, "flip-Data.db", 0, int64(len(b))))
			if err != nil && (!errors.Is(err, wire.ErrCorrupt) || !strings.Contains(err.Error(), "flip-Data.db")) {
				t.Fatalf("flip at %d: %v", i, err)
			}
			b[i] ^= 0xFF
		}
	}
}

// FuzzScanner decodes arbitrary bytes with the layouts of real SSTables. The first
// byte picks the layout, the second the chunk size.
func FuzzScanner(f *testing.F) {
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
		n := 1 + int(in[1])*64
		_, _, _, err := scanAll(row.NewScanner(sd.layout, &memSource{B: data, N: n}, "fuzz-Data.db", 0, int64(len(data))))
		if err != nil && !errors.Is(err, wire.ErrCorrupt) {
			t.Fatalf("unclassified error: %v", err)
		}
	})
}
