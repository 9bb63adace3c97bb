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

// Atom masks (ColumnSerializer, OnDiskAtom).
const (
	maskDeleted        = 0x01
	maskExpiring       = 0x02
	maskCounter        = 0x04
	maskCounterUpdate  = 0x08
	maskRangeTombstone = 0x10
)

// Limits on what a file can make the scanner hold.
const (
	maxKey = 1 << 16
	// maxRowBytes caps the cells of one CQL row held at once (names and values).
	maxRowBytes = 1 << 30
)

const component = format.Data

// atom is one decoded cell or range tombstone. Its slices are its own.
type atom struct {
	off   int64
	name  []byte
	rt    bool
	end   []byte            // range tombstone end bound
	del   rows.DeletionTime // range tombstone deletion
	mask  byte
	ts    int64
	ttl   int32
	ldt   int64
	value []byte
}

// cellRef is a cell of the row being built, its path and value in rowAcc.buf.
type cellRef struct {
	cell          rows.Cell
	pathOff, pLen int
	valOff, vLen  int
	hasPath       bool
}

// rowAcc gathers the atoms of one CQL row.
type rowAcc struct {
	active     bool
	static     bool
	off        int64
	clustering [][]byte
	cbuf       []byte
	liveness   rows.Liveness
	deletion   rows.DeletionTime
	cells      []cellRef
	complex    []rows.ComplexDeletion
	buf        []byte
}

func (a *rowAcc) reset() {
	a.active, a.static = false, false
	a.clustering = a.clustering[:0]
	a.cbuf = a.cbuf[:0]
	a.liveness, a.deletion = rows.EmptyLiveness, rows.Live
	a.cells, a.complex = a.cells[:0], a.complex[:0]
	a.buf = a.buf[:0]
}

// Scanner iterates the partitions whose headers start in [start, end) of one legacy
// Data.db and yields each as package row's model: the static row first when the
// table has static columns, then rows and range tombstone markers in clustering
// order. Usage is row.Scanner's:
//
//	for s.NextPartition() {
//		p := s.Partition()
//		for s.Next() { u := s.Unfiltered(); ... }
//	}
//	if err := s.Err(); err != nil { ... }
//
// NextPartition skips whatever the caller did not read of the current partition.
// Returned slices are valid until the next call to Next or NextPartition, except
// Partition().Key, which stays valid until the next NextPartition. Errors are
// *wire.FormatError values naming the file and the offset. A Scanner is not safe
// for concurrent use; use one per goroutine.
type Scanner struct {
	l        *Layout
	src      row.Source
	path     string
	chunkLen int
	length   int64
	end      int64

	win      []byte
	winStart int64
	pos      int
	next     int64

	part      rows.Partition
	key       []byte
	inPart    bool
	partDone  bool // every atom of the partition has been read
	staticOut bool // the static row has been emitted (or the table has none)
	partEnd   int64
	atomsLeft int64 // ic: atoms still to read
	err       error
	done      bool

	la      atom // lookahead atom
	haveLA  bool
	scr     atom
	acc     rowAcc
	tr      tracker
	q       []rows.Unfiltered
	qi      int
	u       rows.Unfiltered
	dyn     []rowAcc // StaticCompact: dynamic cells, emitted after the static row
	ndyn    int
	scratch [][]byte
	chunk   []byte
	cells   []rows.Cell
}

// NewScanner returns a scanner over the partitions of src whose headers start at
// or after start (a partition boundary, e.g. 0 or an Index.db position) and before
// end. path only labels errors.
func NewScanner(l *Layout, src row.Source, path string, start, end int64) *Scanner {
	s := &Scanner{l: l, src: src, path: path, chunkLen: src.ChunkLength(), length: src.Length(),
		end: min(end, src.Length()), winStart: start, next: start}
	s.tr.types = l.Clustering
	if s.chunkLen <= 0 {
		s.fail(start, fmt.Errorf("chunk length %d: %w", s.chunkLen, wire.ErrCorrupt))
	}
	return s
}

// Err returns the first error met.
func (s *Scanner) Err() error { return s.err }

// Partition returns the current partition header.
func (s *Scanner) Partition() *rows.Partition { return &s.part }

// Unfiltered returns the current row or marker.
func (s *Scanner) Unfiltered() *rows.Unfiltered { return &s.u }

// Offset returns the Data.db offset of the next byte to decode.
func (s *Scanner) Offset() int64 { return s.winStart + int64(s.pos) }

func (s *Scanner) fail(off int64, err error) bool {
	if s.err == nil {
		s.err = wire.Within(s.path, component, off, err) // a chunk's error names the file once
	}
	s.done, s.inPart = true, false
	return false
}

func corrupt(format string, args ...any) error {
	return fmt.Errorf(format+": %w", append(args, wire.ErrCorrupt)...)
}

// ensure makes n bytes available from pos, reading chunks as needed.
func (s *Scanner) ensure(n int64) error {
	if int64(len(s.win)-s.pos) >= n {
		return nil
	}
	if n > s.length-s.Offset() {
		return corrupt("need %d bytes at offset %d, data ends at %d", n, s.Offset(), s.length)
	}
	if s.pos > 0 {
		k := copy(s.win, s.win[s.pos:])
		s.win = s.win[:k]
		s.winStart += int64(s.pos)
		s.pos = 0
	}
	for int64(len(s.win)) < n {
		if s.next >= s.length {
			return corrupt("data ends at %d", s.length)
		}
		ci := int(s.next / int64(s.chunkLen))
		skip := int(s.next - int64(ci)*int64(s.chunkLen))
		out, err := s.src.ReadChunk(ci, s.chunk[:0])
		if err != nil {
			return err
		}
		s.chunk = out
		if len(out) == 0 || skip >= len(out) {
			return corrupt("chunk %d holds %d bytes, position %d is past it", ci, len(out), s.next)
		}
		s.win = append(s.win, out[skip:]...)
		s.next = int64(ci)*int64(s.chunkLen) + int64(len(out))
	}
	return nil
}

// NextPartition advances to the next partition header. It returns false at the end
// of the range or on error.
func (s *Scanner) NextPartition() bool {
	if s.done {
		return false
	}
	for s.inPart {
		if !s.Next() && s.err != nil {
			return false
		}
	}
	at := s.Offset()
	if at >= s.end {
		s.done = true
		return false
	}
	if err := s.ensure(2); err != nil {
		return s.fail(at, fmt.Errorf("partition at %d: %w", at, err))
	}
	kl := int64(binary.BigEndian.Uint16(s.win[s.pos:]))
	hdr := 2 + kl + 12
	if s.l.Version.HasRowSizeAndColumnCount() {
		hdr += 8 + 4
	}
	if err := s.ensure(hdr); err != nil {
		return s.fail(at, fmt.Errorf("partition at %d: %w", at, err))
	}
	c := wire.NewCursor(s.win[s.pos:s.pos+int(hdr)], at)
	s.key = append(s.key[:0], c.Bytes16()...)
	s.partEnd = -1
	if s.l.Version.HasRowSizeAndColumnCount() {
		size := c.I64()
		if size < 12+4 || size > s.length-c.FileOffset() {
			return s.fail(at, corrupt("partition at %d: row size %d, data ends at %d", at, size, s.length))
		}
		s.partEnd = c.FileOffset() + size
	}
	del := rows.ReadDeletionTime(&c, s.l.Version)
	if s.l.Version.HasRowSizeAndColumnCount() {
		n := c.I32()
		if n < 0 {
			return s.fail(at, corrupt("partition at %d: atom count %d", at, n))
		}
		s.atomsLeft = int64(n)
	}
	if c.Err() != nil {
		return s.fail(at, fmt.Errorf("partition at %d: %w", at, c.Err()))
	}
	s.pos += int(hdr)
	s.part = rows.Partition{Key: s.key, Deletion: del, Offset: at}
	s.inPart, s.partDone, s.haveLA = true, false, false
	s.staticOut = len(s.l.Static) == 0
	s.q, s.qi = s.q[:0], 0
	s.dyn, s.ndyn = s.dyn[:0], 0
	s.tr.reset()
	return true
}

// Next advances to the next unfiltered of the current partition. It returns false
// at the end of the partition or on error.
func (s *Scanner) Next() bool {
	for {
		if !s.inPart || s.done {
			return false
		}
		if s.qi < len(s.q) {
			s.u = s.q[s.qi]
			s.qi++
			return true
		}
		s.q, s.qi = s.q[:0], 0
		if s.partDone {
			s.inPart = false
			return false
		}
		if err := s.advance(); err != nil {
			return s.fail(s.Offset(), err)
		}
	}
}

// readAtom reads the next atom into a; it returns false at the end of the partition.
func (s *Scanner) readAtom(a *atom) (bool, error) {
	at := s.Offset()
	if s.partEnd >= 0 {
		if s.atomsLeft == 0 {
			if at != s.partEnd {
				return false, corrupt("partition ends at %d, its row size says %d", at, s.partEnd)
			}
			return false, nil
		}
		if at >= s.partEnd {
			return false, corrupt("atom at %d: past the partition end %d (%d atoms left)", at, s.partEnd, s.atomsLeft)
		}
		s.atomsLeft--
	}
	if err := s.ensure(2); err != nil {
		return false, fmt.Errorf("atom at %d: %w", at, err)
	}
	nl := int64(binary.BigEndian.Uint16(s.win[s.pos:]))
	if nl == 0 {
		if s.partEnd >= 0 {
			return false, corrupt("atom at %d: empty name", at)
		}
		s.pos += 2
		return false, nil
	}
	need := 2 + nl + 1
	if err := s.ensure(need); err != nil {
		return false, fmt.Errorf("atom at %d: %w", at, err)
	}
	mask := s.win[s.pos+int(need)-1]
	if mask&^0x1F != 0 {
		return false, corrupt("atom at %d: mask 0x%02x has unknown bits", at, mask)
	}
	if mask&maskRangeTombstone != 0 {
		if err := s.ensure(need + 2); err != nil {
			return false, fmt.Errorf("range tombstone at %d: %w", at, err)
		}
		need += 2 + int64(binary.BigEndian.Uint16(s.win[s.pos+int(need):])) + 12
	} else {
		fixed := int64(8)
		if mask&(maskCounter|maskExpiring) != 0 {
			fixed = 16
		}
		need += fixed + 4
		if err := s.ensure(need); err != nil {
			return false, fmt.Errorf("cell at %d: %w", at, err)
		}
		vl := int64(int32(binary.BigEndian.Uint32(s.win[s.pos+int(need)-4:])))
		if vl < 0 || vl > s.length-at-need {
			return false, corrupt("cell at %d: value length %d, data ends at %d", at, vl, s.length)
		}
		need += vl
	}
	if err := s.ensure(need); err != nil {
		return false, fmt.Errorf("atom at %d: %w", at, err)
	}
	c := wire.NewCursor(s.win[s.pos:s.pos+int(need)], at)
	a.off = at
	a.name = append(a.name[:0], c.Bytes16()...)
	c.U8()
	a.mask = mask
	a.rt = mask&maskRangeTombstone != 0
	switch {
	case a.rt:
		a.end = append(a.end[:0], c.Bytes16()...)
		a.del = rows.ReadDeletionTime(&c, s.l.Version)
	case mask&maskCounterUpdate != 0 && mask&(maskCounter|maskExpiring) == 0:
		return false, corrupt("cell at %d: a counter update (mask 0x%02x) cannot be stored", at, mask)
	default:
		a.ttl, a.ldt = rows.NoTTL, rows.NoDeletionTime
		switch {
		case mask&maskCounter != 0:
			c.I64() // timestamp of last delete: unused since 2.1
			a.ts = c.I64()
		case mask&maskExpiring != 0:
			a.ttl = c.I32()
			a.ldt = int64(c.I32())
			a.ts = c.I64()
			if a.ttl <= 0 {
				return false, corrupt("cell at %d: ttl %d", at, a.ttl)
			}
		default:
			a.ts = c.I64()
		}
		a.value = append(a.value[:0], c.Bytes32()...)
		if mask&maskDeleted != 0 && mask&(maskCounter|maskExpiring) == 0 {
			if len(a.value) != 4 {
				return false, corrupt("deleted cell at %d: value of %d bytes, want the 4-byte deletion time", at, len(a.value))
			}
			a.ldt = int64(int32(binary.BigEndian.Uint32(a.value)))
		}
	}
	if c.Err() != nil || c.Len() != 0 {
		return false, corrupt("atom at %d: malformed (%v)", at, c.Err())
	}
	s.pos += int(need)
	return true, nil
}

// nextAtom returns the lookahead atom or reads one.
func (s *Scanner) nextAtom() (*atom, bool, error) {
	if s.haveLA {
		s.haveLA = false
		// Swap so that the returned atom stays valid while another is read ahead.
		s.la, s.scr = s.scr, s.la
		return &s.scr, true, nil
	}
	ok, err := s.readAtom(&s.scr)
	return &s.scr, ok, err
}

// unread keeps a (which must be &s.scr) for the next nextAtom.
func (s *Scanner) unread() {
	s.la, s.scr = s.scr, s.la
	s.haveLA = true
}

// name is a decoded cell name or bound.
type name struct {
	static     bool
	clustering [][]byte // N values (cells), or a prefix (bounds)
	hasColumn  bool     // a column-name component follows the clustering
	column     []byte
	path       []byte
	hasPath    bool
	eoc        byte
}

// splitComposite decodes a CompositeType name into out.
func splitComposite(b []byte, out [][]byte) (comps [][]byte, static bool, eoc byte, err error) {
	comps = out[:0]
	if len(b) >= 2 && b[0] == 0xFF && b[1] == 0xFF {
		static = true
		b = b[2:]
	}
	for len(b) > 0 {
		if len(b) < 3 {
			return nil, false, 0, corrupt("composite: %d bytes left, want a component", len(b))
		}
		n := int(binary.BigEndian.Uint16(b))
		if len(b) < 2+n+1 {
			return nil, false, 0, corrupt("composite component of %d bytes, %d left", n, len(b)-2)
		}
		comps = append(comps, b[2:2+n:2+n])
		eoc = b[2+n]
		if eoc != 0 && eoc != 1 && eoc != 0xFF {
			return nil, false, 0, corrupt("composite component %d: end-of-component byte 0x%02x", len(comps)-1, eoc)
		}
		b = b[3+n:]
		if eoc != 0 && len(b) > 0 {
			return nil, false, 0, corrupt("composite component %d: end-of-component byte 0x%02x before the last component", len(comps)-1, eoc)
		}
	}
	return comps, static, eoc, nil
}

// decodeName splits a cell name or bound by the table's comparator and checks the
// length of fixed-width clustering values.
func (s *Scanner) decodeName(b []byte, bound bool) (name, error) {
	n, err := s.splitName(b, bound)
	if err != nil {
		return n, err
	}
	for i, v := range n.clustering {
		if i < len(s.l.ClusteringFixed) && v != nil && len(v) != 0 {
			if f := s.l.ClusteringFixed[i]; f >= 0 && len(v) != f {
				return n, corrupt("clustering value %d of %d bytes, its type takes %d", i, len(v), f)
			}
		}
	}
	return n, nil
}

func (s *Scanner) splitName(b []byte, bound bool) (name, error) {
	var n name
	l := s.l
	nck := len(l.Clustering)
	if !l.compound() {
		if l.Kind == StaticCompact {
			n.clustering = append(s.scratch[:0], b)
			return n, nil
		}
		// Dense with one clustering column. Cassandra 2.x wrote some range tombstone
		// bounds of such tables composite-encoded (ScyllaDB's
		// test_old_format_non_compound_range_tombstone_is_read): accept those when the
		// raw bytes cannot be a value of a fixed-width type.
		if bound && nck == 1 && l.ClusteringFixed[0] >= 0 && len(b) != l.ClusteringFixed[0] {
			comps, static, eoc, err := splitComposite(b, s.scratch)
			if err == nil && !static && len(comps) == 1 && len(comps[0]) == l.ClusteringFixed[0] {
				n.clustering, n.eoc = comps, eoc
				s.scratch = comps
				return n, nil
			}
		}
		n.clustering = append(s.scratch[:0], b)
		s.scratch = n.clustering
		return n, nil
	}
	comps, static, eoc, err := splitComposite(b, s.scratch)
	if err != nil {
		return n, err
	}
	s.scratch = comps
	n.static, n.eoc = static, eoc
	if static {
		if l.Kind != Sparse || len(comps) < nck {
			return n, corrupt("static name with %d components, table has %d clustering columns", len(comps), nck)
		}
		for i := range nck {
			if len(comps[i]) != 0 {
				return n, corrupt("static name carries clustering value %x", comps[i])
			}
		}
	}
	if len(comps) <= nck {
		n.clustering = comps
		if l.Kind == Sparse && !bound {
			return n, corrupt("cell name with %d components, want %d clustering values and a column name", len(comps), nck)
		}
		if l.Kind == Dense && !bound {
			// Missing trailing clustering values of a compact table are nulls.
			for len(n.clustering) < nck {
				n.clustering = append(n.clustering, nil)
			}
			s.scratch = n.clustering
		}
		return n, nil
	}
	if l.Kind == Dense {
		return n, corrupt("name with %d components, table has %d clustering columns", len(comps), nck)
	}
	n.clustering = comps[:nck]
	n.hasColumn, n.column = true, comps[nck]
	switch {
	case len(comps) == nck+2:
		n.hasPath, n.path = true, comps[nck+1]
	case len(comps) > nck+2:
		return n, corrupt("name with %d components, table has %d clustering columns", len(comps), nck)
	}
	if static {
		n.clustering = nil
	}
	return n, nil
}

// boundPosition turns a decoded range tombstone bound into a position
// (LegacyLayout.decodeBound).
func (s *Scanner) boundPosition(n name, start bool) position {
	vals := make([][]byte, len(n.clustering), len(n.clustering)+1)
	for i, v := range n.clustering {
		vals[i] = bytes.Clone(v)
		if vals[i] == nil {
			vals[i] = []byte{}
		}
	}
	var inclusive bool
	if start {
		inclusive = n.eoc == 0 || n.eoc == 0xFF
	} else {
		inclusive = n.eoc == 0 || n.eoc == 1
		if n.eoc == 0 && len(vals) < len(s.l.Clustering) && s.l.compound() {
			// CASSANDRA-12423: the end of exactly the prefix.
			vals = append(vals, []byte{})
			inclusive = false
		}
	}
	p := position{vals: vals, side: after}
	if start == inclusive {
		p.side = before
	}
	return p
}

func sameClustering(a, b [][]byte) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if (a[i] == nil) != (b[i] == nil) || !bytes.Equal(a[i], b[i]) {
			return false
		}
	}
	return true
}

// start opens the accumulator on a row.
func (a *rowAcc) start(static bool, clustering [][]byte, off int64) {
	a.active, a.static, a.off = true, static, off
	a.cbuf = a.cbuf[:0]
	for _, v := range clustering {
		a.cbuf = append(a.cbuf, v...)
	}
	a.clustering = a.clustering[:0]
	p := 0
	for _, v := range clustering {
		if v == nil {
			a.clustering = append(a.clustering, nil)
			continue
		}
		a.clustering = append(a.clustering, a.cbuf[p:p+len(v):p+len(v)])
		p += len(v)
	}
}

// advance reads atoms until it has queued at least one unfiltered or reached the
// end of the partition.
func (s *Scanner) advance() error {
	if s.l.Kind == StaticCompact {
		return s.advanceStaticCompact()
	}
	if !s.staticOut {
		s.staticOut = true
		s.acc.reset()
		s.acc.start(true, nil, s.Offset())
		for {
			a, ok, err := s.nextAtom()
			if err != nil {
				return err
			}
			if !ok {
				s.partDone = true
				break
			}
			if st, err := s.isStatic(a); err != nil {
				return err
			} else if !st {
				s.unread()
				break
			}
			if err := s.addAtom(a); err != nil {
				return err
			}
		}
		s.pushRow(&s.acc)
		if s.partDone {
			s.flushAll()
		}
		return nil
	}
	s.acc.reset()
	for {
		a, ok, err := s.nextAtom()
		if err != nil {
			return err
		}
		if !ok {
			s.partDone = true
			break
		}
		if st, err := s.isStatic(a); err != nil {
			return err
		} else if st {
			return corrupt("static %s at %d after the partition's rows", atomWhat(a), a.off)
		}
		same, err := s.fits(a)
		if err != nil {
			return err
		}
		if !same {
			s.unread()
			break
		}
		if err := s.addAtom(a); err != nil {
			return err
		}
	}
	if s.acc.active {
		s.pushRow(&s.acc)
	}
	if s.partDone {
		s.flushAll()
	}
	return nil
}

// advanceStaticCompact reads a whole partition of a COMPACT STORAGE table without
// clustering columns. Its schema columns become the static row, which must come
// first, while on disk they sort among the dynamic (Thrift) cells: so the dynamic
// cells of the partition are held until its end. Tables written through CQL have
// none.
func (s *Scanner) advanceStaticCompact() error {
	s.acc.reset()
	s.acc.start(true, nil, s.part.Offset)
	for {
		a, ok, err := s.nextAtom()
		if err != nil {
			return err
		}
		if !ok {
			break
		}
		if err := s.addStaticCompact(a); err != nil {
			return err
		}
	}
	s.partDone = true
	if len(s.l.Static) > 0 {
		s.pushRow(&s.acc)
	}
	for i := range s.dyn[:s.ndyn] {
		s.pushRow(&s.dyn[i])
	}
	s.flushAll()
	return nil
}

func atomWhat(a *atom) string {
	if a.rt {
		return "range tombstone"
	}
	return "cell"
}

// isStatic reports whether a belongs to the static row.
func (s *Scanner) isStatic(a *atom) (bool, error) {
	if s.l.Kind != Sparse || len(a.name) < 2 || a.name[0] != 0xFF || a.name[1] != 0xFF {
		return false, nil
	}
	n, err := s.decodeName(a.name, a.rt)
	if err != nil {
		return false, fmt.Errorf("%s at %d: %w", atomWhat(a), a.off, err)
	}
	return n.static, nil
}

// rtKind classifies a range tombstone.
type rtKind uint8

const (
	rtGeneral rtKind = iota
	rtRow
	rtCollection
)

// classify decodes a range tombstone's bounds (LegacyRangeTombstone.isRowDeletion,
// isCollectionTombstone).
func (s *Scanner) classify(a *atom) (kind rtKind, rt rangeTombstone, col int, err error) {
	if len(a.name) == 0 || len(a.end) == 0 {
		// An empty bound is the start or end of the partition.
		rt.del = a.del
		if len(a.name) == 0 {
			rt.start = position{side: before}
		} else {
			n, err := s.decodeName(a.name, true)
			if err != nil {
				return 0, rt, 0, err
			}
			rt.start = s.boundPosition(n, true)
		}
		if len(a.end) == 0 {
			rt.end = position{side: after}
		} else {
			n, err := s.decodeName(a.end, true)
			if err != nil {
				return 0, rt, 0, err
			}
			rt.end = s.boundPosition(n, false)
		}
		return rtGeneral, rt, 0, nil
	}
	sn, err := s.decodeName(a.name, true)
	if err != nil {
		return 0, rt, 0, fmt.Errorf("start bound: %w", err)
	}
	if sn.hasPath {
		return 0, rt, 0, corrupt("range tombstone start bound names a collection element")
	}
	startStatic, startHasCol, startCol := sn.static, sn.hasColumn, bytes.Clone(sn.column)
	rt.start = s.boundPosition(sn, true)
	en, err := s.decodeName(a.end, true)
	if err != nil {
		return 0, rt, 0, fmt.Errorf("end bound: %w", err)
	}
	if en.hasPath {
		return 0, rt, 0, corrupt("range tombstone end bound names a collection element")
	}
	rt.end = s.boundPosition(en, false)
	rt.del = a.del
	nck := len(s.l.Clustering)
	if startHasCol || en.hasColumn {
		if !startHasCol || !en.hasColumn || !bytes.Equal(startCol, en.column) || startStatic != en.static ||
			(!startStatic && !sameClustering(rt.start.vals, rt.end.vals)) {
			return 0, rt, 0, corrupt("range tombstone over part of a column")
		}
		cols := s.l.Regular
		if startStatic {
			cols = s.l.Static
		}
		col = s.l.column(cols, startCol)
		if col < 0 || !cols[col].Complex {
			if s.l.Dropped[string(startCol)] {
				return rtCollection, rt, -1, nil
			}
			return 0, rt, 0, corrupt("collection tombstone for %q, not a collection column of the table", startCol)
		}
		return rtCollection, rt, col, nil
	}
	if startStatic || en.static {
		return 0, rt, 0, corrupt("static range tombstone without a column")
	}
	if len(rt.start.vals) == nck && len(rt.end.vals) == nck && sameClustering(rt.start.vals, rt.end.vals) && nck > 0 &&
		rt.start.side == before && rt.end.side == after {
		return rtRow, rt, 0, nil
	}
	return rtGeneral, rt, 0, nil
}

// fits reports whether atom a belongs to the row being built (or starts it, or is
// a range tombstone that does not belong to any row).
func (s *Scanner) fits(a *atom) (bool, error) {
	if !s.acc.active {
		return true, nil
	}
	var cl [][]byte
	if a.rt {
		kind, rt, _, err := s.classify(a)
		if err != nil {
			return false, fmt.Errorf("range tombstone at %d: %w", a.off, err)
		}
		if kind == rtGeneral {
			return true, nil
		}
		cl = rt.start.vals
		return sameClusteringLoose(s.acc.clustering, cl), nil
	}
	n, err := s.decodeName(a.name, false)
	if err != nil {
		return false, fmt.Errorf("cell at %d: %w", a.off, err)
	}
	return sameClustering(s.acc.clustering, n.clustering), nil
}

// sameClusteringLoose compares a row's clustering with a bound's, where bounds
// cannot carry nulls (a null is an empty value there).
func sameClusteringLoose(row, bound [][]byte) bool {
	if len(row) != len(bound) {
		return false
	}
	for i := range row {
		if !bytes.Equal(row[i], bound[i]) {
			return false
		}
	}
	return true
}

// addAtom adds a to the row being built (starting it if needed).
func (s *Scanner) addAtom(a *atom) error {
	acc := &s.acc
	if a.rt {
		kind, rt, col, err := s.classify(a)
		if err != nil {
			return fmt.Errorf("range tombstone at %d: %w", a.off, err)
		}
		switch kind {
		case rtGeneral:
			s.tr.add(rt)
		case rtRow:
			if !acc.active {
				acc.start(false, rt.start.vals, a.off)
			}
			if rt.del.Supersedes(acc.deletion) {
				acc.deletion = rt.del
			}
		case rtCollection:
			if !acc.active {
				acc.start(false, rt.start.vals, a.off)
			}
			if col >= 0 {
				s.addComplexDeletion(acc, col, rt.del)
			}
		}
		return nil
	}
	n, err := s.decodeName(a.name, false)
	if err != nil {
		return fmt.Errorf("cell at %d: %w", a.off, err)
	}
	if !acc.active {
		acc.start(n.static, n.clustering, a.off)
	}
	return s.addCell(acc, a, n)
}

func (s *Scanner) addComplexDeletion(acc *rowAcc, col int, d rows.DeletionTime) {
	for i := range acc.complex {
		if acc.complex[i].Column == col {
			if d.Supersedes(acc.complex[i].Deletion) {
				acc.complex[i].Deletion = d
			}
			return
		}
	}
	acc.complex = append(acc.complex, rows.ComplexDeletion{Column: col, Deletion: d})
}

// addCell adds a cell atom whose name decoded to n.
func (s *Scanner) addCell(acc *rowAcc, a *atom, n name) error {
	l := s.l
	col := -1
	var cols []row.Column
	switch l.Kind {
	case Dense:
		col, cols = l.ValueColumn, l.Regular
		if col < 0 {
			return fmt.Errorf("cell at %d: the table has no value column: %w", a.off, wire.ErrCorrupt)
		}
	default:
		if !n.hasColumn {
			return fmt.Errorf("cell at %d: no column name: %w", a.off, wire.ErrCorrupt)
		}
		if len(n.column) == 0 {
			if n.hasPath || len(a.value) != 0 || n.static {
				return fmt.Errorf("cell at %d: malformed row marker: %w", a.off, wire.ErrCorrupt)
			}
			acc.liveness = markerLiveness(a)
			return nil
		}
		cols = l.Regular
		if n.static {
			cols = l.Static
		}
		col = l.column(cols, n.column)
		if col < 0 {
			if l.Dropped[string(n.column)] {
				return nil
			}
			other := l.Static
			if n.static {
				other = l.Regular
			}
			if l.column(other, n.column) >= 0 {
				return fmt.Errorf("cell at %d: column %q is stored as %s but the schema says otherwise: %w",
					a.off, n.column, map[bool]string{true: "static", false: "regular"}[n.static], wire.ErrCorrupt)
			}
			return fmt.Errorf("cell at %d: column %q is not in the schema: %w", a.off, n.column, wire.ErrCorrupt)
		}
		if cols[col].Complex != n.hasPath {
			return fmt.Errorf("cell at %d: column %q: collection path present %t, collection column %t: %w",
				a.off, n.column, n.hasPath, cols[col].Complex, wire.ErrCorrupt)
		}
	}
	if len(acc.buf)+len(n.path)+len(a.value) > maxRowBytes {
		return fmt.Errorf("cell at %d: row holds more than %d bytes: %w", a.off, maxRowBytes, wire.ErrCorrupt)
	}
	if fl := cols[col].FixedLen; fl >= 0 && a.mask&(maskDeleted|maskCounter) == 0 && len(a.value) != fl && len(a.value) != 0 {
		return fmt.Errorf("cell at %d: column %q: value of %d bytes, the type takes %d: %w", a.off, cols[col].Name, len(a.value), fl, wire.ErrCorrupt)
	}
	r := cellRef{cell: rows.Cell{Column: col, Timestamp: a.ts, TTL: a.ttl, LocalDeletionTime: a.ldt}}
	if a.mask&maskDeleted != 0 && a.mask&maskCounter == 0 {
		r.cell.Tombstone = true
		r.cell.TTL = rows.NoTTL
	}
	if n.hasPath {
		r.hasPath, r.pathOff, r.pLen = true, len(acc.buf), len(n.path)
		acc.buf = append(acc.buf, n.path...)
	}
	if !r.cell.Tombstone {
		r.valOff, r.vLen = len(acc.buf), len(a.value)
		acc.buf = append(acc.buf, a.value...)
	}
	acc.cells = append(acc.cells, r)
	return nil
}

// markerLiveness turns a row marker cell into primary-key liveness. A deleted
// marker becomes a liveness that is a tombstone for the marker only (3.0 would make
// it live, which 2.x never meant).
func markerLiveness(a *atom) rows.Liveness {
	lv := rows.Liveness{Timestamp: a.ts, TTL: rows.NoTTL, LocalExpirationTime: rows.NoDeletionTime}
	switch {
	case a.mask&maskExpiring != 0:
		lv.TTL, lv.LocalExpirationTime = a.ttl, a.ldt
	case a.mask&maskDeleted != 0:
		lv.TTL, lv.LocalExpirationTime = rows.ExpiredLivenessTTL, a.ldt
	}
	return lv
}

// addStaticCompact routes an atom of a COMPACT STORAGE table without clustering:
// cells of schema columns go to the static row, others become dynamic rows.
func (s *Scanner) addStaticCompact(a *atom) error {
	l := s.l
	if a.rt {
		kind, rt, _, err := s.classify(a)
		if err != nil {
			return fmt.Errorf("range tombstone at %d: %w", a.off, err)
		}
		if kind == rtRow {
			// One dynamic cell's deletion: a row deletion of that clustering.
			d := s.dynRow(rt.start.vals, a.off)
			if rt.del.Supersedes(d.deletion) {
				d.deletion = rt.del
			}
			return nil
		}
		s.tr.add(rt)
		return nil
	}
	if col := l.column(l.Static, a.name); col >= 0 {
		return s.addCell(&s.acc, a, name{hasColumn: true, static: true, column: a.name})
	}
	if l.Dropped[string(a.name)] {
		return nil
	}
	if l.ValueColumn < 0 {
		return fmt.Errorf("cell at %d: column %q is not in the schema and the table has no value column: %w", a.off, a.name, wire.ErrCorrupt)
	}
	d := s.dynRow([][]byte{a.name}, a.off)
	return s.addDynamicCell(d, a)
}

// dynRow returns the dynamic row with clustering cl, appending one if it is new.
func (s *Scanner) dynRow(cl [][]byte, off int64) *rowAcc {
	if s.ndyn > 0 && sameClusteringLoose(s.dyn[s.ndyn-1].clustering, cl) {
		return &s.dyn[s.ndyn-1]
	}
	if s.ndyn == len(s.dyn) {
		s.dyn = append(s.dyn, rowAcc{})
	}
	d := &s.dyn[s.ndyn]
	s.ndyn++
	d.reset()
	d.start(false, cl, off)
	return d
}

func (s *Scanner) addDynamicCell(d *rowAcc, a *atom) error {
	r := cellRef{cell: rows.Cell{Column: s.l.ValueColumn, Timestamp: a.ts, TTL: a.ttl, LocalDeletionTime: a.ldt}}
	if a.mask&maskDeleted != 0 && a.mask&maskCounter == 0 {
		r.cell.Tombstone, r.cell.TTL = true, rows.NoTTL
	} else {
		r.valOff, r.vLen = len(d.buf), len(a.value)
		d.buf = append(d.buf, a.value...)
	}
	d.cells = append(d.cells, r)
	return nil
}

// pushRow queues the markers before acc's row, then the row.
func (s *Scanner) pushRow(acc *rowAcc) {
	u := rows.Unfiltered{Kind: rows.KindRow, Offset: acc.off, Bound: rows.ClusteringKind,
		Liveness: acc.liveness, Deletion: acc.deletion, ShadowableDeletion: rows.Live,
		EndDeletion: rows.Live, StartDeletion: rows.Live}
	if acc.static || !acc.active {
		u.Kind, u.Bound = rows.KindStatic, rows.StaticClustering
		if !acc.active {
			u.Liveness, u.Deletion = rows.EmptyLiveness, rows.Live
		}
	} else {
		u.Clustering = acc.clustering
		p := position{vals: acc.clustering, side: atRow}
		s.tr.flush(&p, s.emitMarker)
		s.tr.passed(p)
	}
	slices.SortStableFunc(acc.cells, func(x, y cellRef) int { return x.cell.Column - y.cell.Column })
	if s.l.Kind != StaticCompact {
		// One row per advance: the queue never holds two rows, so reuse the slice.
		u.Cells = s.cells[:0]
	}
	for i := range acc.cells {
		r := &acc.cells[i]
		if r.hasPath {
			r.cell.Path = acc.buf[r.pathOff : r.pathOff+r.pLen : r.pathOff+r.pLen]
		}
		if !r.cell.Tombstone {
			r.cell.Value = acc.buf[r.valOff : r.valOff+r.vLen : r.valOff+r.vLen]
		}
		u.Cells = append(u.Cells, r.cell)
	}
	if s.l.Kind != StaticCompact {
		s.cells = u.Cells
	}
	if len(acc.complex) > 0 {
		slices.SortFunc(acc.complex, func(x, y rows.ComplexDeletion) int { return x.Column - y.Column })
		u.ComplexDeletions = slices.Clone(acc.complex)
	}
	s.q = append(s.q, u)
}

func (s *Scanner) flushAll() { s.tr.flush(nil, s.emitMarker) }

func (s *Scanner) emitMarker(at position, from, to rows.DeletionTime) {
	s.q = append(s.q, marker(s.Offset(), at, from, to))
}

// marker is the range tombstone marker at a position where the open deletion
// changes from from to to (either may be Live): a bound or a boundary.
func marker(offset int64, at position, from, to rows.DeletionTime) rows.Unfiltered {
	u := rows.Unfiltered{Kind: rows.KindMarker, Offset: offset, Bound: markerKind(at.side, from, to),
		Clustering: at.vals, EndDeletion: rows.Live, StartDeletion: rows.Live}
	if u.Bound.IsEnd() {
		u.EndDeletion = from
	}
	if u.Bound.IsStart() {
		u.StartDeletion = to
	}
	return u
}
