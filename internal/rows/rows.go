// Package rows is the row model every decoder produces and every consumer
// reads: partitions, rows, range tombstone markers, cells, liveness and
// deletion times, as Cassandra's db.rows and db.DeletionTime define them. The
// 3.0+ decoder (sstable/row), the pre-3.0 decoders (sstable/legacy) and the
// reader of a previous export (partfile) produce it; merge and render consume it.
// It does no I/O and holds no decoder state.
package rows

import (
	"math"

	"github.com/aegisthus/aegisthus/internal/sstable/format"
	"github.com/aegisthus/aegisthus/internal/sstable/wire"
)

// NoTimestamp marks an absent timestamp (LivenessInfo.NO_TIMESTAMP).
const NoTimestamp = math.MinInt64

// NoDeletionTime marks an absent local deletion time. The on-disk sentinels
// (0x7FFFFFFF up to nb, 0xFFFFFFFF from oa) are mapped to it.
const NoDeletionTime = math.MaxInt64

// NoTTL is the TTL of a cell or liveness that does not expire.
const NoTTL = 0

// ExpiredLivenessTTL marks a liveness that is a tombstone for the row marker only
// (LivenessInfo.EXPIRED_LIVENESS_TTL, written by materialized views).
const ExpiredLivenessTTL = math.MaxInt32

// DeletionTime is a tombstone: everything with timestamp <= MarkedForDeleteAt is
// deleted. LocalDeletionTime is seconds since the epoch.
type DeletionTime struct {
	MarkedForDeleteAt int64
	LocalDeletionTime int64
}

// Live is the absence of a deletion (DeletionTime.LIVE).
var Live = DeletionTime{MarkedForDeleteAt: math.MinInt64, LocalDeletionTime: NoDeletionTime}

// IsLive reports whether d deletes nothing.
func (d DeletionTime) IsLive() bool { return d.MarkedForDeleteAt == math.MinInt64 }

// Deletes reports whether d shadows data written at timestamp ts.
func (d DeletionTime) Deletes(ts int64) bool { return !d.IsLive() && ts <= d.MarkedForDeleteAt }

// Supersedes reports whether d wins over o (DeletionTime.supersedes).
func (d DeletionTime) Supersedes(o DeletionTime) bool {
	return d.MarkedForDeleteAt > o.MarkedForDeleteAt ||
		(d.MarkedForDeleteAt == o.MarkedForDeleteAt && d.LocalDeletionTime > o.LocalDeletionTime)
}

// Liveness is a row's primary-key liveness (LivenessInfo): the row marker of INSERT.
type Liveness struct {
	Timestamp int64 // NoTimestamp when the row has none
	TTL       int32 // NoTTL unless expiring
	// LocalExpirationTime is when an expiring liveness expires; NoDeletionTime otherwise.
	LocalExpirationTime int64
}

// EmptyLiveness is the liveness of a row written without a marker.
var EmptyLiveness = Liveness{Timestamp: NoTimestamp, LocalExpirationTime: NoDeletionTime}

// IsEmpty reports a row without primary-key liveness.
func (l Liveness) IsEmpty() bool { return l.Timestamp == NoTimestamp }

// IsExpiring reports a liveness with a TTL.
func (l Liveness) IsExpiring() bool { return l.TTL != NoTTL }

// IsLive reports whether the liveness keeps its row alive at now (seconds).
func (l Liveness) IsLive(now int64) bool {
	if l.IsEmpty() || l.TTL == ExpiredLivenessTTL {
		return false
	}
	return !l.IsExpiring() || now < l.LocalExpirationTime
}

// Cell is one value of one column. For a complex (non-frozen collection or UDT)
// column, Path identifies the element. Path and Value alias the scanner's buffer.
type Cell struct {
	Column            int // index into the row's column list (Layout.Static or Layout.Regular)
	Timestamp         int64
	TTL               int32 // NoTTL unless expiring
	LocalDeletionTime int64 // NoDeletionTime for a regular cell; deletion or expiry time otherwise
	Tombstone         bool  // cell deletion
	Path              []byte
	Value             []byte
}

// IsExpiring reports a cell written with a TTL.
func (c *Cell) IsExpiring() bool { return c.TTL != NoTTL }

// IsLive reports whether the cell is visible at now (seconds since the epoch).
func (c *Cell) IsLive(now int64) bool {
	if c.Tombstone {
		return false
	}
	return !c.IsExpiring() || now < c.LocalDeletionTime
}

// ComplexDeletion is the collection-level tombstone of one complex column in a row.
type ComplexDeletion struct {
	Column   int
	Deletion DeletionTime
}

// Kind is what an Unfiltered holds.
type Kind uint8

const (
	KindRow Kind = iota
	KindStatic
	KindMarker
)

// BoundKind is ClusteringPrefix.Kind: its ordinal is stored on disk.
type BoundKind uint8

const (
	ExclEndBound             BoundKind = 0
	InclStartBound           BoundKind = 1
	ExclEndInclStartBoundary BoundKind = 2
	StaticClustering         BoundKind = 3
	ClusteringKind           BoundKind = 4
	InclEndExclStartBoundary BoundKind = 5
	InclEndBound             BoundKind = 6
	ExclStartBound           BoundKind = 7
)

// IsBoundary reports a marker that closes one deletion and opens the next.
func (k BoundKind) IsBoundary() bool {
	return k == ExclEndInclStartBoundary || k == InclEndExclStartBoundary
}

// IsStart reports a bound that opens a deletion (boundaries open one too).
func (k BoundKind) IsStart() bool {
	return k == InclStartBound || k == ExclStartBound || k.IsBoundary()
}

// IsEnd reports a bound that closes a deletion (boundaries close one too).
func (k BoundKind) IsEnd() bool {
	return k == InclEndBound || k == ExclEndBound || k.IsBoundary()
}

// Unfiltered is a row, the static row or a range tombstone marker, as stored.
// Every slice in it aliases scanner-owned memory and is valid until the next call
// to Scanner.Next or Scanner.NextPartition.
type Unfiltered struct {
	Kind   Kind
	Offset int64 // Data.db (uncompressed) offset of the flags byte
	// Clustering values; a nil element is a null value (bounds carry only a prefix).
	Clustering [][]byte
	Bound      BoundKind // ClusteringKind for rows

	// Rows.
	Liveness Liveness
	Deletion DeletionTime // regular row deletion, Live if none
	// ShadowableDeletion is a row deletion that a newer row liveness cancels
	// (materialized views: Cassandra's extended flag 0x02, or ScyllaDB's 0x80 which
	// may come beside a regular deletion). Live if none.
	ShadowableDeletion DeletionTime
	Cells              []Cell // in column order, complex cells grouped by column in path order
	ComplexDeletions   []ComplexDeletion
	// Runs, when not nil, says where each column's cells are in Cells, as the
	// decoder found them: Runs[c] is the [lo, hi) range of column c's (an index
	// into the row's column list), {0, 0} for a column without cells; and
	// TombstoneCells is then how many of Cells are tombstones. The 3.0+
	// decoder sets both, so that the merge and the renderer need not walk the
	// cells again to find them; a decoder that leaves Runs nil leaves them to.
	Runs           [][2]int
	TombstoneCells int

	// Markers: a bound carries one deletion (the one it opens or closes); a boundary
	// closes EndDeletion and opens StartDeletion.
	EndDeletion, StartDeletion DeletionTime
}

// MarkerDeletion returns the deletion a non-boundary marker opens or closes.
func (u *Unfiltered) MarkerDeletion() DeletionTime {
	if u.Bound.IsStart() {
		return u.StartDeletion
	}
	return u.EndDeletion
}

// Partition is a partition header.
type Partition struct {
	Key      []byte // raw key (CompositeType-encoded for multi-column keys); valid until NextPartition
	Deletion DeletionTime
	Offset   int64 // Data.db (uncompressed) offset of the partition
}

// Stream is a stream of partitions and their unfiltereds in on-disk order. The
// 3.0+ scanner, the legacy scanners and the reader of a previous export all
// implement it; the merge and the dump renderers consume it. Partition and
// Unfiltered alias the stream's buffers until the next call to NextPartition or
// Next; Err reports why the stream ended early.
type Stream interface {
	NextPartition() bool
	Partition() *Partition
	Next() bool
	Unfiltered() *Unfiltered
	Err() error
}

// ReadDeletionTime reads a standalone DeletionTime as partition headers, index
// entries and BTI blocks store it (DeletionTime.Serializer / LegacySerializer):
// ldt i32 + mfda i64 up to nb; from oa a single 0x80 byte for "live", else mfda
// i64 (top bit clear) + ldt u32. The on-disk "no deletion time" sentinels map to
// NoDeletionTime. It is the one decoder of this form: every reader calls it.
func ReadDeletionTime(c *wire.Cursor, v format.Version) DeletionTime {
	if !v.HasUIntDeletionTime() {
		ldt := c.I32()
		mfda := c.I64()
		if ldt == math.MaxInt32 && mfda == math.MinInt64 {
			return Live
		}
		d := DeletionTime{MarkedForDeleteAt: mfda, LocalDeletionTime: int64(ldt)}
		if ldt == math.MaxInt32 {
			d.LocalDeletionTime = NoDeletionTime
		}
		return d
	}
	if c.Len() > 0 && c.Rest()[0]&0x80 != 0 {
		if b := c.U8(); b != 0x80 {
			c.Fail("deletion time flag byte 0x%02x: want 0x80 (live) or a timestamp's first byte", b)
		}
		return Live
	}
	mfda := c.I64()
	ldt := int64(c.U32())
	if ldt == math.MaxUint32 {
		ldt = NoDeletionTime
	}
	return DeletionTime{MarkedForDeleteAt: mfda, LocalDeletionTime: ldt}
}
