package index

import (
	"math"

	"github.com/aegisthus/aegisthus/internal/sstable/format"
	"github.com/aegisthus/aegisthus/internal/sstable/wire"
)

// DeletionTime is a standalone (not delta-encoded) DeletionTime as stored in index
// structures (DeletionTime.Serializer and LegacySerializer).
type DeletionTime struct {
	MarkedForDeleteAt int64 // microseconds; math.MinInt64 when live
	// LocalDeletionTime is seconds since the epoch: a signed 32-bit value before oa
	// (math.MaxInt32 when live), an unsigned one from oa on.
	LocalDeletionTime int64
}

// Live is the deletion time of something not deleted.
var Live = DeletionTime{MarkedForDeleteAt: math.MinInt64, LocalDeletionTime: math.MaxInt32}

// IsLive reports whether d deletes nothing.
func (d DeletionTime) IsLive() bool { return d.MarkedForDeleteAt == math.MinInt64 }

// readDeletionTime reads the standalone DeletionTime form of version v.
func readDeletionTime(c *wire.Cursor, v format.Version) DeletionTime {
	if !v.HasUIntDeletionTime() {
		ldt := c.I32()
		mfda := c.I64()
		if mfda == math.MinInt64 {
			return Live
		}
		return DeletionTime{MarkedForDeleteAt: mfda, LocalDeletionTime: int64(ldt)}
	}
	if c.Len() > 0 && c.Rest()[0]&0x80 != 0 {
		if f := c.U8(); f != 0x80 {
			c.Fail("deletion time flags %#x: only 0x80 (live) has the top bit set", f)
		}
		return Live
	}
	mfda := c.I64()
	ldt := c.U32()
	return DeletionTime{MarkedForDeleteAt: mfda, LocalDeletionTime: int64(ldt)}
}
