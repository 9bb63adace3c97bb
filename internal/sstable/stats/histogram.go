package stats

import (
	"math"

	"github.com/aegisthus/aegisthus/internal/sstable/format"
	"github.com/aegisthus/aegisthus/internal/sstable/wire"
)

// Histogram mirrors EstimatedHistogram. Counts[i] counts values in
// (Offsets[i-1], Offsets[i]] (Counts[0]: values <= Offsets[0]); the last count
// (len(Counts) == len(Offsets)+1) counts values above every offset ("overflow").
type Histogram struct {
	Offsets []int64
	Counts  []int64
}

// readHistogram reads EstimatedHistogram.serializer: i32 n, then n pairs
// (offset i64, count i64) where pair 0 repeats the first offset. n must be >= 1
// (Cassandra allocates n-1 offsets).
func readHistogram(c *wire.Cursor) Histogram {
	n := c.I32()
	if c.Err() != nil {
		return Histogram{}
	}
	if n < 1 || int64(n)*16 > int64(c.Len()) {
		c.Fail("estimated histogram size %d (need 1 to %d)", n, c.Len()/16)
		return Histogram{}
	}
	h := Histogram{Offsets: make([]int64, n-1), Counts: make([]int64, n)}
	for i := range h.Counts {
		off := c.I64()
		if i > 0 {
			h.Offsets[i-1] = off
		} else if n > 1 {
			h.Offsets[0] = off
		}
		h.Counts[i] = c.I64()
	}
	return h
}

// Count returns the number of values recorded, overflow included.
func (h Histogram) Count() int64 {
	var n int64
	for _, c := range h.Counts {
		n += c
	}
	return n
}

// Overflowed reports whether values above the largest offset were recorded; Mean
// and Percentile are then meaningless (Cassandra throws).
func (h Histogram) Overflowed() bool { return len(h.Counts) > 0 && h.Counts[len(h.Counts)-1] > 0 }

// Mean returns ceil(mean) over the non-overflow buckets, each value counted at its
// bucket's upper offset (EstimatedHistogram.mean). It returns 0 for an empty histogram.
func (h Histogram) Mean() int64 {
	var elements, sum int64
	for i := 0; i < len(h.Counts)-1; i++ {
		elements += h.Counts[i]
		sum += h.Counts[i] * h.Offsets[i]
	}
	if elements == 0 {
		return 0
	}
	return int64(math.Ceil(float64(sum) / float64(elements)))
}

// Percentile returns the upper offset of the bucket holding the p-th fraction
// (0 <= p <= 1) of values (EstimatedHistogram.percentile), or 0 if empty.
func (h Histogram) Percentile(p float64) int64 {
	pcount := int64(math.Ceil(float64(h.Count()) * p))
	if pcount == 0 {
		return 0
	}
	var elements int64
	for i := 0; i < len(h.Counts)-1; i++ {
		elements += h.Counts[i]
		if elements >= pcount {
			return h.Offsets[i]
		}
	}
	return 0
}

// Min returns the smallest possible recorded value (EstimatedHistogram.min).
func (h Histogram) Min() int64 {
	for i, c := range h.Counts {
		if c > 0 {
			if i == 0 {
				return 0
			}
			return 1 + h.Offsets[i-1]
		}
	}
	return 0
}

// Max returns the largest bucket offset with values (EstimatedHistogram.max), or
// math.MaxInt64 when overflowed.
func (h Histogram) Max() int64 {
	if h.Overflowed() {
		return math.MaxInt64
	}
	for i := len(h.Counts) - 2; i >= 0; i-- {
		if h.Counts[i] > 0 {
			return h.Offsets[i]
		}
	}
	return 0
}

// TombstoneHistogram mirrors TombstoneHistogram (StreamingHistogram before 3.11):
// bins of (local deletion time in seconds, tombstone count), sorted by point.
type TombstoneHistogram struct {
	MaxBins int32 // as stored; Cassandra writes the bin count here
	Bins    []TombstoneBin
}

// TombstoneBin is one histogram bin.
type TombstoneBin struct {
	Point int64 // local deletion time, seconds since epoch
	Count int64
}

// readTombstoneHistogram reads the legacy form (i32 max bins, i32 n, (f64, i64)*n)
// before oa and the oa form (i32 max bins, i32 n, (i64, i32)*n) from oa on
// (TombstoneHistogram.HistogramSerializer on cassandra-5.0).
func readTombstoneHistogram(c *wire.Cursor, v format.Version) TombstoneHistogram {
	h := TombstoneHistogram{MaxBins: c.I32()}
	n := c.I32()
	if c.Err() != nil {
		return h
	}
	width := int64(16)
	if v.HasUIntDeletionTime() {
		width = 12
	}
	if n < 0 || int64(n)*width > int64(c.Len()) {
		c.Fail("tombstone histogram size %d does not fit in %d bytes", n, c.Len())
		return h
	}
	// Bins are written from a sorted map with unique points; anything else is corrupt
	// (this is how ScyllaDB's bad_tombstone_histogram fixture is detected).
	h.Bins = make([]TombstoneBin, n)
	prev := math.Inf(-1)
	for i := range h.Bins {
		var p float64
		if v.HasUIntDeletionTime() {
			pt := c.I64()
			p = float64(pt)
			h.Bins[i] = TombstoneBin{Point: pt, Count: int64(c.I32())}
		} else {
			p = c.F64()
			if math.IsNaN(p) || math.IsInf(p, 0) {
				c.Fail("tombstone histogram bin %d: point %v", i, p)
				return h
			}
			h.Bins[i] = TombstoneBin{Point: int64(p), Count: c.I64()}
		}
		if c.Err() == nil && p <= prev {
			c.Fail("tombstone histogram bin %d: point %v not above previous %v", i, p, prev)
			return h
		}
		prev = p
	}
	return h
}

// Sum estimates how many tombstones have a deletion time <= b, interpolating inside
// the bin that straddles b (StreamingHistogram.sum).
func (h TombstoneHistogram) Sum(b int64) float64 {
	var sum float64
	for i, bin := range h.Bins {
		if bin.Point <= b {
			continue
		}
		// bin is the first point > b.
		if i == 0 {
			return 0
		}
		prev := h.Bins[i-1]
		for _, p := range h.Bins[:i-1] {
			sum += float64(p.Count)
		}
		weight := float64(b-prev.Point) / float64(bin.Point-prev.Point)
		mb := float64(prev.Count) + float64(bin.Count-prev.Count)*weight
		sum += (float64(prev.Count) + mb) * weight / 2
		sum += float64(prev.Count) / 2
		return sum
	}
	for _, p := range h.Bins {
		sum += float64(p.Count)
	}
	return sum
}

// EstimatedPartitionCount returns the number of partitions recorded in the
// partition size histogram (what sstablemetadata calls the estimated key count
// when no cardinality sketch is used).
func (s *Stats) EstimatedPartitionCount() int64 { return s.PartitionSizes.Count() }

// EstimatedCellCount returns mean cells per partition times partitions, the
// denominator Cassandra uses for the droppable tombstone ratio.
func (s *Stats) EstimatedCellCount() int64 { return s.CellCounts.Mean() * s.CellCounts.Count() }

// DroppableTombstonesBefore estimates how many tombstones have a local deletion time
// before gcBefore (seconds since epoch) (StatsMetadata.getDroppableTombstonesBefore).
func (s *Stats) DroppableTombstonesBefore(gcBefore int64) float64 {
	return s.TombstoneDropTimes.Sum(gcBefore)
}

// EstimatedDroppableTombstoneRatio is StatsMetadata.getEstimatedDroppableTombstoneRatio:
// droppable tombstones at gcBefore over the estimated cell count (0 when empty).
// sstablemetadata prints it with gcBefore = now - gc_grace_seconds.
func (s *Stats) EstimatedDroppableTombstoneRatio(gcBefore int64) float64 {
	cells := s.EstimatedCellCount()
	if cells <= 0 {
		return 0
	}
	return s.DroppableTombstonesBefore(gcBefore) / float64(cells)
}
