package legacy

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"slices"

	"github.com/aegisthus/aegisthus/internal/rows"
	"github.com/aegisthus/aegisthus/internal/sstable/format"
	"github.com/aegisthus/aegisthus/internal/sstable/row"
	"github.com/aegisthus/aegisthus/internal/sstable/wire"
)

// Columns of the raw (schema-less) row model. A raw table has one blob
// clustering column holding the whole 2.x cell name and two regular columns:
// RawCounterColumn for counter cells, RawValueColumn for the others. A cell
// tombstone goes to both, so that it shadows a counter by Cassandra's counter
// rule (a deletion wins) and a regular cell by timestamp; the aegisthus layout
// prints one of them (render.RawNames).
const (
	RawCounterColumn = 0 // "counter"
	RawValueColumn   = 1 // "value"
)

// MaxRawPartition caps the bytes of names and values a RawScanner holds for one
// partition (it must hold a whole partition to sort it). A variable so that
// tests can lower it.
var MaxRawPartition int64 = 512 << 20

// RawScanner yields a pre-3.0 Data.db read without a schema in package row's
// model: each cell is a row whose one clustering value is its raw 2.x cell
// name, rows in unsigned byte order of those names (BytesType, the order Netflix
// Aegisthus sorted columns in without a configured comparator), and range
// tombstones as bound markers in that order. Without the comparator the on-disk
// order cannot be compared across SSTables, so a RawScanner reads each partition
// whole (up to MaxRawPartition bytes) and sorts it.
//
// Range tombstones are exact when they cover one clustering prefix or one name
// (every row, collection and prefix deletion Cassandra 2.x wrote for CQL): their
// bytes interval holds exactly the names with that prefix. Other ranges (from
// Thrift slices) are compared as bytes, as Aegisthus's BytesType tracker did;
// RangesByBytes counts them.
//
// Usage and ownership are row.Scanner's. Not safe for concurrent use.
type RawScanner struct {
	a     *AtomScanner
	path  string
	part  rows.Partition
	cells []rawCell
	buf   []byte
	tr    tracker
	q     []rows.Unfiltered
	qi    int
	u     rows.Unfiltered
	rc    []rows.Cell
	err   error
	ready bool
	// RangesByBytes counts range tombstones that were not prefix deletions.
	RangesByBytes int64
}

type rawCell struct {
	nameOff, nameLen int
	valOff, valLen   int
	off              int64
	counter, deleted bool
	ts               int64
	ttl              int32
	ldt              int64
}

// NewRawScanner returns a raw scanner over the partitions of src whose headers
// start in [start, end).
func NewRawScanner(v format.Version, src row.Source, path string, start, end int64) *RawScanner {
	r := &RawScanner{a: NewAtomScanner(v, src, path, start, end), path: path}
	r.tr.types = []func(a, b []byte) int{bytes.Compare}
	return r
}

// Err returns the first error met.
func (r *RawScanner) Err() error {
	if r.err != nil {
		return r.err
	}
	return r.a.Err()
}

// Offset returns the Data.db offset of the next byte to decode.
func (r *RawScanner) Offset() int64 { return r.a.Offset() }

// Partition returns the current partition header.
func (r *RawScanner) Partition() *rows.Partition { return &r.part }

// Unfiltered returns the current row or marker.
func (r *RawScanner) Unfiltered() *rows.Unfiltered { return &r.u }

// NextPartition reads the next partition whole and sorts it.
func (r *RawScanner) NextPartition() bool {
	if r.err != nil || !r.a.NextPartition() {
		return false
	}
	r.part = *r.a.Partition()
	r.cells, r.buf, r.q, r.qi = r.cells[:0], r.buf[:0], r.q[:0], 0
	r.tr.reset()
	var rts []rangeTombstone
	var held int64 // bytes held for this partition: cells, and range tombstone bounds (copied by rawRange)
	for r.a.NextAtom() {
		at := r.a.Atom()
		held += int64(len(at.Name) + len(at.End) + len(at.Value))
		if at.IsRangeTombstone() {
			held += int64(len(at.Name) + len(at.End)) // the single-component variant may copy them again
		}
		if held > MaxRawPartition {
			r.err = fmt.Errorf("%s: partition key %x at %d: more than %d bytes of cells; without a schema a partition is sorted in memory: %w",
				r.path, r.part.Key, r.part.Offset, MaxRawPartition, wire.ErrNeedsSchema)
			return false
		}
		if at.IsRangeTombstone() {
			rt, exact := rawRange(at.Name, at.End)
			if !exact {
				r.RangesByBytes++
			}
			rt.del = at.Deletion
			rts = append(rts, rt)
			if v, ok := singleComponent(at.Name); ok && exact {
				// Cassandra 2.x wrote some bounds of non-compound (COMPACT, one
				// clustering column) tables composite-encoded; there the name is
				// the raw value. A compound name never equals a bare component.
				one, _ := rawRange(v, v)
				one.del = at.Deletion
				rts = append(rts, one)
			}
			continue
		}
		c := rawCell{off: at.Offset, counter: at.IsCounter(), deleted: at.IsDeleted(), ts: at.Timestamp,
			ttl: at.TTL, ldt: at.LocalDeletionTime}
		c.nameOff, c.nameLen = len(r.buf), len(at.Name)
		r.buf = append(r.buf, at.Name...)
		c.valOff, c.valLen = len(r.buf), len(at.Value)
		r.buf = append(r.buf, at.Value...)
		r.cells = append(r.cells, c)
	}
	if r.a.Err() != nil {
		return false
	}
	slices.SortStableFunc(r.cells, func(x, y rawCell) int { return bytes.Compare(r.name(&x), r.name(&y)) })
	slices.SortStableFunc(rts, func(x, y rangeTombstone) int { return r.tr.cmp(x.start, y.start) })
	for _, rt := range rts {
		r.tr.add(rt)
	}
	r.ready = true
	return true
}

func (r *RawScanner) name(c *rawCell) []byte {
	return r.buf[c.nameOff : c.nameOff+c.nameLen : c.nameOff+c.nameLen]
}

// Next advances to the next row or marker of the partition.
func (r *RawScanner) Next() bool {
	for {
		if r.qi < len(r.q) {
			r.u = r.q[r.qi]
			r.qi++
			return true
		}
		r.q, r.qi = r.q[:0], 0
		if !r.ready {
			return false
		}
		if len(r.cells) == 0 {
			r.tr.flush(nil, r.emitMarker)
			r.ready = false
			continue
		}
		// All cells of one name (a file should hold one) make one row.
		name := r.name(&r.cells[0])
		n := 1
		for n < len(r.cells) && bytes.Equal(r.name(&r.cells[n]), name) {
			n++
		}
		p := position{vals: [][]byte{name}, side: atRow}
		r.tr.flush(&p, r.emitMarker)
		r.tr.passed(p)
		r.rc = r.rc[:0]
		for i := range n {
			r.addCell(&r.cells[i])
		}
		r.q = append(r.q, rows.Unfiltered{Kind: rows.KindRow, Offset: r.cells[0].off, Bound: rows.ClusteringKind,
			Clustering: [][]byte{name}, Liveness: rows.EmptyLiveness, Deletion: rows.Live, ShadowableDeletion: rows.Live,
			EndDeletion: rows.Live, StartDeletion: rows.Live, Cells: r.rc})
		r.cells = r.cells[n:]
	}
}

// addCell adds c to the row being built, keeping per column the newest version
// should a file hold a name twice.
func (r *RawScanner) addCell(c *rawCell) {
	cell := rows.Cell{Timestamp: c.ts, TTL: c.ttl, LocalDeletionTime: c.ldt, Tombstone: c.deleted,
		Value: r.buf[c.valOff : c.valOff+c.valLen : c.valOff+c.valLen]}
	if c.deleted {
		cell.Value, cell.TTL = nil, rows.NoTTL
	}
	put := func(col int) {
		cell.Column = col
		for i := range r.rc {
			if r.rc[i].Column == col {
				if cell.Timestamp > r.rc[i].Timestamp {
					r.rc[i] = cell
				}
				return
			}
		}
		r.rc = append(r.rc, cell)
		slices.SortFunc(r.rc, func(x, y rows.Cell) int { return x.Column - y.Column })
	}
	switch {
	case c.deleted:
		put(RawCounterColumn)
		put(RawValueColumn)
	case c.counter:
		put(RawCounterColumn)
	default:
		put(RawValueColumn)
	}
}

func (r *RawScanner) emitMarker(at position, from, to rows.DeletionTime) {
	r.q = append(r.q, marker(r.a.Offset(), at, from, to))
}

// rawRange turns a 2.x range tombstone's raw bounds into an interval of raw names
// in byte order. A prefix deletion (both bounds the same CompositeType prefix,
// differing only in the last end-of-component byte) covers exactly the names
// that start with the prefix's components, which in byte order are
// [prefix+00, prefix+01): exact. So is a non-composite tombstone whose bounds are
// equal (one name). Anything else is approximated: each bound's end-of-component
// byte is mapped to where it sorts (FF and 00 before the prefix's names, 01
// after) and the names between are compared as bytes.
func rawRange(start, end []byte) (rangeTombstone, bool) {
	var rt rangeTombstone
	if bytes.Equal(start, end) {
		v := bytes.Clone(start)
		rt.start = position{vals: [][]byte{v}, side: before}
		rt.end = position{vals: [][]byte{v}, side: after}
		return rt, true
	}
	ls, eocS, okS := compositeBound(start)
	le, eocE, okE := compositeBound(end)
	if okS && okE && ls == le && bytes.Equal(start[:ls], end[:le]) && eocS != 0x01 && eocE != 0xFF {
		lo := append(bytes.Clone(start[:ls]), 0x00)
		hi := append(bytes.Clone(start[:ls]), 0x01)
		rt.start = position{vals: [][]byte{lo}, side: before}
		rt.end = position{vals: [][]byte{hi}, side: before}
		return rt, true
	}
	rt.start = position{vals: [][]byte{boundBytes(start, okS, ls, eocS)}, side: before}
	rt.end = position{vals: [][]byte{boundBytes(end, okE, le, eocE)}, side: before}
	if !okE {
		rt.end.side = after // a raw end bound is inclusive
	}
	return rt, false
}

// boundBytes is the byte position a composite bound sorts at among names.
func boundBytes(b []byte, composite bool, l int, eoc byte) []byte {
	if !composite {
		return bytes.Clone(b)
	}
	v := append(bytes.Clone(b[:l]), 0x00)
	if eoc == 0x01 {
		v[l] = 0x01
	}
	return v
}

// compositeBound reports whether b is a CompositeType value (optionally with the
// FFFF static marker) and returns the length before its last end-of-component
// byte and that byte.
func compositeBound(b []byte) (int, byte, bool) {
	p := 0
	if len(b) >= 2 && b[0] == 0xFF && b[1] == 0xFF {
		p = 2
	}
	if p == len(b) {
		return 0, 0, false
	}
	for p < len(b) {
		if len(b)-p < 3 {
			return 0, 0, false
		}
		n := int(binary.BigEndian.Uint16(b[p:]))
		if len(b)-p < 2+n+1 {
			return 0, 0, false
		}
		p += 2 + n + 1
		eoc := b[p-1]
		if p == len(b) {
			return p - 1, eoc, true
		}
		if eoc != 0 {
			return 0, 0, false
		}
	}
	return 0, 0, false
}

// singleComponent returns the value of a one-component, non-static composite.
func singleComponent(b []byte) ([]byte, bool) {
	if len(b) < 3 || (b[0] == 0xFF && b[1] == 0xFF) {
		return nil, false
	}
	n := int(binary.BigEndian.Uint16(b))
	if len(b) != 2+n+1 || n == 0 {
		return nil, false
	}
	return b[2 : 2+n], true
}
