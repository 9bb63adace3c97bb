package legacy_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/aegisthus/aegisthus/internal/rows"
	"github.com/aegisthus/aegisthus/internal/sstable/legacy"
)

// TestRawScanner reads every seed without its schema: rows come in byte order
// of their names, one cell each (two for a tombstone), and the chunking of the
// source does not change the result.
func TestRawScanner(t *testing.T) {
	for _, sd := range loadSeeds(t) {
		scan := func(n int) (parts, nrows, markers int) {
			s := legacy.NewRawScanner(sd.layout.Version, &memSource{B: sd.data, N: n}, "mem", 0, int64(len(sd.data)))
			for s.NextPartition() {
				parts++
				var prev []byte
				for s.Next() {
					u := s.Unfiltered()
					if u.Kind == rows.KindMarker {
						markers++
						continue
					}
					nrows++
					if prev != nil && bytes.Compare(prev, u.Clustering[0]) >= 0 {
						t.Fatalf("%s: names out of byte order: %x after %x", sd.name, u.Clustering[0], prev)
					}
					prev = append(prev[:0], u.Clustering[0]...)
					if len(u.Cells) == 0 || len(u.Cells) > 2 {
						t.Fatalf("%s: row %x with %d cells", sd.name, prev, len(u.Cells))
					}
				}
			}
			if err := s.Err(); err != nil {
				t.Fatalf("%s: %v", sd.name, err)
			}
			return
		}
		p0, r0, m0 := scan(1 << 20)
		if p0 == 0 || r0+m0 == 0 {
			t.Fatalf("%s: %d partitions, %d rows", sd.name, p0, r0)
		}
		for _, n := range []int{1, 7, 4096} {
			if p, r, m := scan(n); p != p0 || r != r0 || m != m0 {
				t.Errorf("%s: chunk %d: %d/%d/%d, want %d/%d/%d", sd.name, n, p, r, m, p0, r0, m0)
			}
		}
	}
}

// TestRawScannerCap checks that a partition larger than MaxRawPartition fails
// with an error naming the file and the partition key.
func TestRawScannerCap(t *testing.T) {
	sd := loadSeeds(t)[0]
	defer func(v int64) { legacy.MaxRawPartition = v }(legacy.MaxRawPartition)
	legacy.MaxRawPartition = 8
	s := legacy.NewRawScanner(sd.layout.Version, &memSource{B: sd.data, N: 4096}, "cap-Data.db", 0, int64(len(sd.data)))
	for s.NextPartition() {
		for s.Next() {
		}
	}
	if err := s.Err(); err == nil || !strings.Contains(err.Error(), "cap-Data.db") || !strings.Contains(err.Error(), "partition key") {
		t.Fatalf("want an error naming file and key, got %v", err)
	}
}

func FuzzRawScanner(f *testing.F) {
	fuzzLegacy(f, func(sd seed, src *memSource, n int64) partitions {
		return legacy.NewRawScanner(sd.layout.Version, src, "fuzz-Data.db", 0, n)
	})
}
