package legacy

import (
	"slices"

	"github.com/aegisthus/aegisthus/internal/rows"
)

// Sides of a position: just before every name with a prefix, the row itself, just
// after every name with the prefix. They are ClusteringPrefix.Kind's comparison
// classes: an inclusive start and an exclusive end sit before their prefix, an
// exclusive start and an inclusive end after it.
const (
	before = -1
	atRow  = 0
	after  = 1
)

// position is a point of the clustering order: a prefix of clustering values (nil
// is a null value) and a side.
type position struct {
	vals [][]byte
	side int8
}

// rangeTombstone is one 2.x range tombstone as an interval of positions.
type rangeTombstone struct {
	start, end position
	del        rows.DeletionTime
}

// comparePositions orders positions as ClusteringComparator.compare orders
// prefixes of different kinds.
func comparePositions(types []func(a, b []byte) int, a, b position) int {
	n := min(len(a.vals), len(b.vals))
	for i := range n {
		x, y := a.vals[i], b.vals[i]
		var c int
		switch {
		case x == nil && y == nil:
		case x == nil:
			c = -1
		case y == nil:
			c = 1
		case i < len(types):
			c = types[i](x, y)
		}
		if c != 0 {
			return c
		}
	}
	switch {
	case len(a.vals) == len(b.vals):
		return int(a.side) - int(b.side)
	case len(a.vals) < len(b.vals):
		if a.side == atRow {
			return -1
		}
		return int(a.side)
	}
	if b.side == atRow {
		return 1
	}
	return -int(b.side)
}

// tracker turns range tombstones that arrive in (roughly) start order, possibly
// overlapping and repeated, into non-overlapping bound and boundary markers. It
// holds the tombstones that are open at the last emitted position and those read
// but not yet started; nothing else.
type tracker struct {
	types   []func(a, b []byte) int
	pending []rangeTombstone  // not started yet, by start
	open    []rangeTombstone  // started, not ended
	cur     rows.DeletionTime // deletion in force at last
	last    position
	hasLast bool
}

func (t *tracker) reset() {
	t.pending, t.open = t.pending[:0], t.open[:0]
	t.cur, t.hasLast = rows.Live, false
}

func (t *tracker) cmp(a, b position) int { return comparePositions(t.types, a, b) }

// passed records that output has reached p (a row was emitted there).
func (t *tracker) passed(p position) {
	if p.side == atRow {
		p.side = after
	}
	t.last, t.hasLast = p, true
}

// add takes a range tombstone. One that starts before what was already emitted (a
// copy repeated at an index block, or a writer's misordering) is clipped to start
// there; one that is then empty is dropped.
func (t *tracker) add(rt rangeTombstone) {
	if rt.del.IsLive() {
		return
	}
	if t.hasLast && t.cmp(rt.start, t.last) < 0 {
		rt.start = t.last
	}
	if t.cmp(rt.end, rt.start) <= 0 {
		return
	}
	i := len(t.pending)
	for i > 0 && t.cmp(t.pending[i-1].start, rt.start) > 0 {
		i--
	}
	t.pending = slices.Insert(t.pending, i, rt)
}

// flush emits, through emit, the markers for every change of deletion at positions
// before limit (all of them when limit is nil).
func (t *tracker) flush(limit *position, emit func(at position, from, to rows.DeletionTime)) {
	for {
		var p *position
		if len(t.pending) > 0 {
			p = &t.pending[0].start
		}
		for i := range t.open {
			if p == nil || t.cmp(t.open[i].end, *p) < 0 {
				p = &t.open[i].end
			}
		}
		if p == nil || (limit != nil && t.cmp(*p, *limit) >= 0) {
			return
		}
		at := *p
		t.open = slices.DeleteFunc(t.open, func(rt rangeTombstone) bool { return t.cmp(rt.end, at) == 0 })
		k := 0
		for k < len(t.pending) && t.cmp(t.pending[k].start, at) == 0 {
			k++
		}
		t.open = append(t.open, t.pending[:k]...)
		t.pending = slices.Delete(t.pending, 0, k)
		d := rows.Live
		for i := range t.open {
			if t.open[i].del.Supersedes(d) {
				d = t.open[i].del
			}
		}
		if d != t.cur {
			emit(at, t.cur, d)
		}
		t.cur, t.last, t.hasLast = d, at, true
	}
}

// markerKind is the bound kind of a change of deletion at a position's side.
func markerKind(side int8, from, to rows.DeletionTime) rows.BoundKind {
	switch {
	case from.IsLive():
		if side == before {
			return rows.InclStartBound
		}
		return rows.ExclStartBound
	case to.IsLive():
		if side == before {
			return rows.ExclEndBound
		}
		return rows.InclEndBound
	}
	if side == before {
		return rows.ExclEndInclStartBoundary
	}
	return rows.InclEndExclStartBoundary
}
