// Package rowtest holds helpers for tests of Data.db decoders: an in-memory chunk
// source and a full scan, shared by the 3.0+ and the legacy decoders' tests.
package rowtest

import (
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
			cells += len(s.Unfiltered().Cells)
		}
	}
	return parts, unfiltered, cells, s.Err()
}
