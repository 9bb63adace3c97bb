package render

import (
	"encoding/binary"
	"testing"

	"github.com/aegisthus/aegisthus/internal/cql"
	"github.com/aegisthus/aegisthus/internal/rows"
	"github.com/aegisthus/aegisthus/internal/schema"
)

// fakeStream replays one partition of rows n times (a sstable.Partitions).
type fakeStream struct {
	p    rows.Partition
	us   []rows.Unfiltered
	n, i int
}

func (s *fakeStream) NextPartition() bool          { s.n--; s.i = -1; return s.n >= 0 }
func (s *fakeStream) Partition() *rows.Partition   { return &s.p }
func (s *fakeStream) Next() bool                   { s.i++; return s.i < len(s.us) }
func (s *fakeStream) Unfiltered() *rows.Unfiltered { return &s.us[s.i] }
func (s *fakeStream) Err() error                   { return nil }
func (s *fakeStream) Offset() int64                { return int64(100 * (s.i + 1)) }

// BenchmarkDumpCellTimestamps renders rows written by UPDATE (no row
// liveness): every cell prints its own tstamp, the same for a row's cells.
//
//	go test -run='^$' -bench=DumpCellTimestamps ./internal/render
func BenchmarkDumpCellTimestamps(b *testing.B) {
	text := cql.TypeText
	cols := []schema.Column{{Name: "a", Type: text}, {Name: "b", Type: text}, {Name: "c", Type: text}, {Name: "d", Type: text}, {Name: "e", Type: text}, {Name: "f", Type: text}}
	s := &schema.Table{KeyType: text, Clustering: []schema.Column{{Name: "ck", Type: cql.TypeInt}}, Columns: cols}
	st := &fakeStream{p: rows.Partition{Key: []byte("key"), Deletion: rows.Live}}
	for r := range 20 {
		u := rows.Unfiltered{Kind: rows.KindRow, Offset: int64(100 * (r + 1)), Clustering: [][]byte{binary.BigEndian.AppendUint32(nil, uint32(r))},
			Liveness: rows.Liveness{Timestamp: rows.NoTimestamp, TTL: rows.NoTTL, LocalExpirationTime: rows.NoDeletionTime},
			Deletion: rows.Live, ShadowableDeletion: rows.Live}
		for c := range cols {
			u.Cells = append(u.Cells, rows.Cell{Column: c, Timestamp: 1_796_462_948_087_600 + int64(r), TTL: rows.NoTTL,
				LocalDeletionTime: rows.NoDeletionTime, Value: []byte("value")})
		}
		st.us = append(st.us, u)
	}
	d := NewDump(s, false, true, 1_800_000_000)
	var buf []byte
	b.ReportAllocs()
	for range b.N {
		st.n = 100
		buf = d.Begin(buf[:0])
		for st.NextPartition() {
			var err error
			if buf, err = d.AppendPartition(buf, st); err != nil {
				b.Fatal(err)
			}
		}
		buf = d.End(buf)
	}
	b.SetBytes(int64(len(buf)))
}
