package partfile

import (
	"container/heap"
	"slices"

	"github.com/aegisthus/aegisthus/internal/merge"
	"github.com/aegisthus/aegisthus/internal/rows"
)

// Canonical returns the range deletions of a partition in their canonical form:
// the same deletion, point by point, as the union of in (where ranges overlap the
// newest deletion wins, as it does in Cassandra's RangeTombstoneList), written as
// maximal non-overlapping ranges in clustering order, adjacent ranges merged when
// their deletions are equal, and everything part (the partition deletion)
// supersedes left out.
//
// The form depends only on what is deleted, not on how the ranges were cut, so
// merging an export with newer SSTables gives the same ranges as exporting
// everything at once, and a record read back and written again is unchanged.
// Slices of the result alias in's clustering values. in is not modified.
func Canonical(c *merge.Comparator, part rows.DeletionTime, in []merge.RangeTombstone) []merge.RangeTombstone {
	if len(in) == 0 {
		return nil
	}
	cmpPos := func(a, b bound) int { return c.Compare(a.vals, a.kind(), b.vals, b.kind()) }
	type rng struct {
		start, end bound
		del        rows.DeletionTime
	}
	rs := make([]rng, 0, len(in))
	for _, r := range in {
		x := rng{bound{r.Start, r.StartKind == rows.ExclStartBound}, bound{r.End, r.EndKind == rows.InclEndBound}, r.Deletion}
		if !x.del.Supersedes(part) || cmpPos(x.start, x.end) >= 0 {
			continue // deletes nothing the partition deletion does not, or nothing at all
		}
		rs = append(rs, x)
	}
	if len(rs) == 0 {
		return nil
	}
	slices.SortStableFunc(rs, func(a, b rng) int { return cmpPos(a.start, b.start) })
	points := make([]bound, 0, 2*len(rs))
	for _, r := range rs {
		points = append(points, r.start, r.end)
	}
	slices.SortStableFunc(points, cmpPos)
	points = slices.CompactFunc(points, func(a, b bound) bool { return cmpPos(a, b) == 0 })

	var out []merge.RangeTombstone
	h := &delHeap{}
	next := 0
	for i := 0; i+1 < len(points); i++ {
		p := points[i]
		for next < len(rs) && cmpPos(rs[next].start, p) <= 0 {
			heap.Push(h, active{rs[next].del, rs[next].end})
			next++
		}
		for h.Len() > 0 && cmpPos(h.a[0].end, p) <= 0 {
			heap.Pop(h)
		}
		if h.Len() == 0 {
			continue
		}
		d := h.a[0].del
		q := points[i+1]
		if n := len(out); n > 0 && out[n-1].Deletion == d && cmpPos(bound{out[n-1].End, out[n-1].EndKind == rows.InclEndBound}, p) == 0 {
			out[n-1].End, out[n-1].EndKind = q.vals, endKind(q.after)
			continue
		}
		out = append(out, merge.RangeTombstone{Start: p.vals, StartKind: p.kind(), End: q.vals, EndKind: endKind(q.after), Deletion: d})
	}
	return out
}

func endKind(after bool) rows.BoundKind {
	if after {
		return rows.InclEndBound
	}
	return rows.ExclEndBound
}

// bound is a position between rows: before its values (an inclusive start or
// exclusive end) or after them (an exclusive start or inclusive end).
type bound struct {
	vals  [][]byte
	after bool
}

// kind is a bound kind the comparator orders at b's position.
func (b bound) kind() rows.BoundKind {
	if b.after {
		return rows.ExclStartBound
	}
	return rows.InclStartBound
}

// active is a range open at the sweep's position.
type active struct {
	del rows.DeletionTime
	end bound
}

// delHeap keeps the newest open deletion on top; ranges that ended are popped
// when they reach the top.
type delHeap struct{ a []active }

func (h *delHeap) Len() int           { return len(h.a) }
func (h *delHeap) Less(i, j int) bool { return h.a[i].del.Supersedes(h.a[j].del) }
func (h *delHeap) Swap(i, j int)      { h.a[i], h.a[j] = h.a[j], h.a[i] }
func (h *delHeap) Push(x any)         { h.a = append(h.a, x.(active)) }
func (h *delHeap) Pop() any {
	x := h.a[len(h.a)-1]
	h.a = h.a[:len(h.a)-1]
	return x
}
