// Package rowtest holds helpers for tests of Data.db decoders: an in-memory chunk
// source and a full scan, shared by the 3.0+ and the legacy decoders' tests.
package rowtest

import (
	"fmt"

	"github.com/aegisthus/aegisthus/internal/rows"
	"github.com/aegisthus/aegisthus/internal/sstable/row"
)

// MemSource serves an uncompressed Data.db held in memory, in chunks of N bytes
// (a row.Source). Small N makes every header and row straddle chunks.
type MemSource struct {
	B []byte
	N int
}

var _ row.Source = (*MemSource)(nil)

func (m *MemSource) Length() int64    { return int64(len(m.B)) }
func (m *MemSource) ChunkLength() int { return m.N }

// ReadChunk returns chunk i in dst[:0].
func (m *MemSource) ReadChunk(i int, dst []byte) ([]byte, error) {
	lo := i * m.N
	hi := min(lo+m.N, len(m.B))
	return append(dst[:0], m.B[lo:hi]...), nil
}

// Partitions is what both decoders' scanners offer.
type Partitions interface {
	NextPartition() bool
	Next() bool
	Unfiltered() *rows.Unfiltered
	Err() error
}

// ScanAll reads every partition and unfiltered, returning counts.
func ScanAll(s Partitions) (parts, unfiltered, cells int, err error) {
	for s.NextPartition() {
		parts++
		for s.Next() {
			unfiltered++
			u := s.Unfiltered()
			cells += len(u.Cells)
			if err := CheckRuns(u); err != nil {
				return parts, unfiltered, cells, err
			}
		}
	}
	return parts, unfiltered, cells, s.Err()
}

// CheckRuns reports an error unless u's Runs and TombstoneCells, when the
// decoder set them, index its Cells: each column's run holds exactly its cells,
// the runs hold every cell, and TombstoneCells counts the tombstones.
func CheckRuns(u *rows.Unfiltered) error {
	if u.Runs == nil || u.Kind == rows.KindMarker {
		return nil
	}
	n, tombs := 0, 0
	for c, rg := range u.Runs {
		if rg[0] > rg[1] || rg[1] > len(u.Cells) {
			return fmt.Errorf("row at %d: column %d's run %v outside its %d cells", u.Offset, c, rg, len(u.Cells))
		}
		for i := rg[0]; i < rg[1]; i++ {
			if u.Cells[i].Column != c {
				return fmt.Errorf("row at %d: cell %d of column %d in column %d's run %v", u.Offset, i, u.Cells[i].Column, c, rg)
			}
		}
		n += rg[1] - rg[0]
	}
	for i := range u.Cells {
		if u.Cells[i].Tombstone {
			tombs++
		}
	}
	if n != len(u.Cells) || tombs != u.TombstoneCells {
		return fmt.Errorf("row at %d: runs hold %d of %d cells, %d tombstones counted of %d", u.Offset, n, len(u.Cells), u.TombstoneCells, tombs)
	}
	return nil
}
