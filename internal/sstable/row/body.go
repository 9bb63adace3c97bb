package row

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/bits"

	"github.com/aegisthus/aegisthus/internal/rows"
	"github.com/aegisthus/aegisthus/internal/sstable/wire"
)

// body decodes what the scanner holds in b: an unfiltered's header over the rest
// of the window, which may end too early (ranOut: Next loads more and decodes
// again), or a row body, whole in b (Next loads it before decoding). Its
// readers take and return a position instead of moving a wire.Cursor: the
// position stays in a register across a row, where a Cursor's offset is stored
// and loaded back for every primitive, each load waiting on the store before it.
//
// The first failure sticks: it is recorded with its position, and every reader
// then returns len(b)+1, which no reader accepts, so decoding runs out to the
// end of the row with zero values and Next reports the failure.
type body struct {
	b      []byte
	base   int64  // file offset of b[0], for bounds messages
	err    string // the first failure; "" while there is none
	errAt  int    // position of the first failure
	ranOut bool   // the failure was running out of bytes (wire.Cursor.Short)
}

// fail records a failure at p (unless one is recorded) and returns the position
// past the end every reader rejects. It is kept out of line: inlined, its
// formatting would weigh on every reader that can fail.
//
//go:noinline
func (r *body) fail(p int, format string, args ...any) int {
	if r.err == "" {
		r.err, r.errAt = fmt.Sprintf(format, args...), p
	}
	return len(r.b) + 1
}

// short fails a read of n bytes at p, unless p is already past the end.
//
//go:noinline
func (r *body) short(p, n int, what string) int {
	if p > len(r.b) {
		return p
	}
	r.ranOut = r.err == "" && n >= 0
	return r.fail(p, "%s: need %d bytes, have %d", what, n, len(r.b)-p)
}

func (r *body) u8(p int) (byte, int) {
	if uint(p) < uint(len(r.b)) {
		return r.b[p], p + 1
	}
	return 0, r.short(p, 1, "u8")
}

func (r *body) u16(p int) (int, int) {
	if p+2 <= len(r.b) {
		return int(binary.BigEndian.Uint16(r.b[p:])), p + 2
	}
	return 0, r.short(p, 2, "u16")
}

// error returns the recorded failure as wire.Cursor.Fail words it.
func (r *body) error() error {
	return fmt.Errorf("at offset %d: %s: %w", r.base+int64(r.errAt), r.err, wire.ErrCorrupt)
}

// uvint reads an unsigned vint (wire.Cursor.UVint): one byte inline, longer
// forms out of line.
func (r *body) uvint(p int) (uint64, int) {
	if uint(p) < uint(len(r.b)) && r.b[p] < 0x80 {
		return uint64(r.b[p]), p + 1
	}
	return r.uvintLong(p)
}

// uvintLong reads a vint of two bytes or more: one big-endian load while 8
// bytes remain, the length from its leading ones (an n-byte vint holds 7n
// value bits); the 9-byte form and the row's last bytes take uvintTail.
func (r *body) uvintLong(p int) (uint64, int) {
	if b := r.b; p+8 <= len(b) {
		v := binary.BigEndian.Uint64(b[p:])
		if extra := uint(bits.LeadingZeros64(^v)); extra < 8 {
			return v >> (56 - 8*extra) & (1<<(7+7*extra) - 1), p + 1 + int(extra)
		}
	}
	return r.uvintTail(p)
}

// twoVints reads the two unsigned vints at p where 16 bytes remain and each
// takes at most 8 bytes (ok); otherwise the caller reads them one by one,
// with the checks and errors of uvint. An n-byte vint (n <= 8) is the top n
// bytes of a big-endian load less its n-1 leading ones, whatever n is.
func twoVints(b []byte, p int) (v0, v1 uint64, q int, ok bool) {
	if p < 0 || p+16 > len(b) {
		return 0, 0, p, false
	}
	c := b[p : p+16]
	w0 := binary.BigEndian.Uint64(c)
	n0 := uint(bits.LeadingZeros64(^w0))
	k0 := n0 & 7 // the masks keep every index and shift in range without checks
	w1 := binary.BigEndian.Uint64(c[1+k0:])
	n1 := uint(bits.LeadingZeros64(^w1))
	k1 := n1 & 7
	v0 = w0 >> ((56 - 8*k0) & 63) & (1<<((7+7*k0)&63) - 1)
	v1 = w1 >> ((56 - 8*k1) & 63) & (1<<((7+7*k1)&63) - 1)
	return v0, v1, p + 2 + int(k0+k1), n0|n1 < 8
}

func (r *body) uvintTail(p int) (uint64, int) {
	if p >= len(r.b) {
		return 0, r.short(p, 1, "vint")
	}
	v, n := wire.UVint(r.b[p:])
	if n == 0 {
		r.ranOut = r.err == ""
		return 0, r.fail(p, "vint: need %d bytes, have %d", wire.VintSize(r.b[p]), len(r.b)-p)
	}
	return v, p + n
}

// uvint32 reads an unsigned vint Cassandra wrote from an int (wire.Cursor.UVint32).
func (r *body) uvint32(p int) (int, int) {
	v, q := r.uvint(p)
	if int64(v) > math.MaxInt32 || int64(v) < math.MinInt32 {
		return 0, r.fail(q, "vint %d does not fit in 32 bits", int64(v))
	}
	return int(int32(v)), q
}

// bytes returns n bytes at p, aliasing b.
func (r *body) bytes(p, n int) ([]byte, int) {
	if q := p + n; n >= 0 && q <= len(r.b) {
		return r.b[p:q:q], q
	}
	return nil, r.short(p, n, "bytes")
}

// vbytes reads a vint length and that many bytes.
func (r *body) vbytes(p int) ([]byte, int) {
	if b := r.b; uint(p) < uint(len(b)) {
		if n := int(b[p]); n < 0x80 && p+1+n <= len(b) {
			return b[p+1 : p+1+n : p+1+n], p + 1 + n
		}
	}
	n, q := r.uvint(p)
	if n > math.MaxInt32 {
		return nil, r.fail(q, "length %d too large", n)
	}
	return r.bytes(q, int(n))
}

// bodyTimestamp, bodyTTL and bodyLDT decode values delta-coded against the
// serialization header. With Layout.Bounds set (mc, md: no checksum covers the
// header or the stats) each value is also held to the stats' range; a deletion's
// timestamp may also be Long.MIN_VALUE, a live deletion, which the stats do not
// count.
func (s *Scanner) bodyTimestamp(r *body, p int, what string, deletion bool) (int64, int) {
	v, q := r.uvint(p)
	t := int64(v + uint64(s.l.MinTimestamp))
	if b := s.l.Bounds; b != nil && (t < b.MinTimestamp || t > b.MaxTimestamp) && !(deletion && t == math.MinInt64) {
		q = s.outOfBounds(r, p, q, what, t, b.MinTimestamp, b.MaxTimestamp, "minTimestamp", s.l.MinTimestamp)
	}
	return t, q
}

func (s *Scanner) bodyTTL(r *body, p int) (int32, int) {
	v, q := r.uvint(p)
	t := int32(uint32(v) + uint32(s.l.MinTTL))
	if b := s.l.Bounds; b != nil && (t < b.MinTTL || t > b.MaxTTL) {
		q = s.outOfBounds(r, p, q, "TTL", int64(t), int64(b.MinTTL), int64(b.MaxTTL), "minTTL", s.l.MinTTL)
	}
	return t, q
}

func (s *Scanner) bodyLDT(r *body, p int) (int64, int) {
	v, q := r.uvint(p)
	d := s.ldtOf(uint32(v))
	if b := s.l.Bounds; b != nil && (d < b.MinLDT || d > b.MaxLDT) {
		q = s.outOfBounds(r, p, q, "local deletion time", d, b.MinLDT, b.MaxLDT, "minLocalDeletionTime", s.l.MinLDT)
	}
	return d, q
}

// ldtOf maps a local deletion time, its delta added, to rows' form: signed
// 32-bit up to nb, unsigned 32-bit from oa (CASSANDRA-14227), the on-disk
// "none" sentinel to NoDeletionTime.
func (s *Scanner) ldtOf(v uint32) int64 {
	v += uint32(s.l.MinLDT)
	if s.uintLDT {
		if v == math.MaxUint32 {
			return rows.NoDeletionTime
		}
		return int64(v)
	}
	if v == math.MaxInt32 {
		return rows.NoDeletionTime
	}
	return int64(int32(v))
}

// bodyDeletion reads a DeletionTime delta-coded as rows and markers store it.
// Without stats bounds to check, its two vints are read by one call of
// twoVints (a row of a table with non-frozen collections holds one such
// deletion per collection); the general path took three calls.
func (s *Scanner) bodyDeletion(r *body, p int) (rows.DeletionTime, int) {
	if s.l.Bounds == nil {
		if a, l, q, ok := twoVints(r.b, p); ok {
			mfda := int64(a + uint64(s.l.MinTimestamp))
			if mfda == math.MinInt64 {
				return rows.Live, q // l: a live deletion's, which the stats do not count
			}
			return rows.DeletionTime{MarkedForDeleteAt: mfda, LocalDeletionTime: s.ldtOf(uint32(l))}, q
		}
	}
	mfda, p := s.bodyTimestamp(r, p, "deletion timestamp", true)
	if mfda == math.MinInt64 {
		_, p = r.uvint(p) // a live deletion's, which the stats do not count
		return rows.Live, p
	}
	ldt, p := s.bodyLDT(r, p)
	return rows.DeletionTime{MarkedForDeleteAt: mfda, LocalDeletionTime: ldt}, p
}

// outOfBounds fails the value read at p, ending at q: delta-coded against the
// serialization header, it decodes outside what StatsMetadata records for the
// SSTable.
func (s *Scanner) outOfBounds(r *body, p, q int, what string, v, lo, hi int64, base string, baseV int64) int {
	if q > len(r.b) {
		return q
	}
	return r.fail(q, "%s %d (read at %d) is outside [%d, %d], its range in the stats of %s: that file's serialization header (EncodingStats %s %d) or stats are corrupt",
		what, v, r.base+int64(p), lo, hi, s.l.Bounds.Stats, base, baseV)
}

// rowBody decodes the row body in r: liveness, deletions, the column subset
// and the cells.
func (s *Scanner) rowBody(r *body, flags, ext byte) int {
	u := &s.u
	// The previous unfiltered's size is never needed for reading: only its
	// length (its first byte's leading ones) is, where the body has room for
	// it; else uvint reports the short body.
	p := 0
	if b := r.b; len(b) > 9 {
		p = 1 + bits.LeadingZeros8(^b[0])
	} else {
		_, p = r.uvint(0)
	}
	u.Liveness = rows.EmptyLiveness
	if flags&flagHasTimestamp != 0 {
		u.Liveness.Timestamp, p = s.bodyTimestamp(r, p, "timestamp", false)
		if flags&flagHasTTL != 0 {
			u.Liveness.TTL, p = s.bodyTTL(r, p)
			u.Liveness.LocalExpirationTime, p = s.bodyLDT(r, p)
		}
	}
	u.Deletion = rows.Live
	u.ShadowableDeletion = rows.Live
	if flags&flagHasDeletion != 0 {
		if ext&extHasShadowable != 0 {
			u.ShadowableDeletion, p = s.bodyDeletion(r, p)
		} else {
			u.Deletion, p = s.bodyDeletion(r, p)
		}
	}
	if ext&extScyllaShadowable != 0 {
		u.ShadowableDeletion, p = s.bodyDeletion(r, p)
	}
	cols := s.l.Regular
	if u.Kind == rows.KindStatic {
		cols = s.l.Static
		s.static = false
	}
	present, p := s.readSubset(r, p, len(cols), flags&flagHasAllColumns != 0)
	return s.readCells(r, p, cols, present, flags&flagHasComplexDeletion != 0)
}

// readCells decodes the cells of the present columns (Cell.Serializer.deserialize
// for each; a complex column's deletion and cell count first). A simple
// column's one cell and a complex column's cells take separate paths, so that
// no branch inside a cell depends on which kind of column it is in (those
// branches, shared by every column of a row, were mispredicted as the row
// went from one kind to the other). Each cell is decoded in place in u.Cells'
// next slot (a Cell is 88 bytes: copying it in append showed in profiles).
func (s *Scanner) readCells(r *body, p int, cols []Column, present []int, hasComplexDeletion bool) int {
	u := &s.u
	b := r.b
	cells := u.Cells[:0]
	u.ComplexDeletions = u.ComplexDeletions[:0]
	if cap(s.runs) < len(cols) {
		s.runs = make([][2]int, len(cols))
	}
	runs := s.runs[:len(cols)]
	if len(present) < len(cols) {
		clear(runs)
	}
	deleted := 0 // cells with cellIsDeleted, counted without a branch
	for _, i := range present {
		col := &cols[i]
		start := len(cells)
		if !col.Complex {
			if uint(p) >= uint(len(b)) {
				p = r.short(p, 1, "u8")
				break
			}
			flags := b[p]
			p++
			if flags&^0x1F != 0 {
				p = r.fail(p, "cell flags 0x%02x: unknown bits", flags)
				break
			}
			cells = nextCell(cells)
			cell := &cells[len(cells)-1]
			cell.Column = i
			if flags&(cellUseRowTimestamp|cellUseRowTTL|cellIsDeleted|cellIsExpiring) == cellUseRowTimestamp {
				cell.Timestamp = u.Liveness.Timestamp // the common cell, written out
				cell.LocalDeletionTime, cell.TTL = rows.NoDeletionTime, rows.NoTTL
			} else {
				p = s.cellHead(r, p, flags, cell)
			}
			cell.Tombstone = flags&cellIsDeleted != 0
			deleted += int(flags & cellIsDeleted)
			var value []byte
			if flags&cellHasEmptyValue == 0 {
				if fixed := col.FixedLen; fixed >= 0 {
					if k := p + fixed; k <= len(b) {
						value, p = b[p:k:k], k
					} else {
						value, p = r.bytes(p, fixed)
					}
				} else if p < len(b) && b[p] < 0x80 && p+1+int(b[p]) <= len(b) {
					k := p + 1 + int(b[p])
					value, p = b[p+1:k:k], k
				} else {
					value, p = r.vbytes(p)
				}
			}
			cell.Path, cell.Value = nil, value
		} else {
			if hasComplexDeletion {
				var d rows.DeletionTime
				if d, p = s.bodyDeletion(r, p); !d.IsLive() {
					u.ComplexDeletions = append(u.ComplexDeletions, rows.ComplexDeletion{Column: i, Deletion: d})
				}
			}
			var n uint64
			if n, p = r.uvint(p); n > uint64(len(b)-p) { // every cell takes at least one byte
				p = r.fail(p, "complex column %q: %d cells in %d bytes", col.Name, n, len(b)-p)
				break
			}
			for ; n > 0; n-- {
				if uint(p) >= uint(len(b)) {
					p = r.short(p, 1, "u8")
					break
				}
				flags := b[p]
				p++
				if flags&^0x1F != 0 {
					p = r.fail(p, "cell flags 0x%02x: unknown bits", flags)
					break
				}
				cells = nextCell(cells)
				cell := &cells[len(cells)-1]
				cell.Column = i
				if flags&(cellUseRowTimestamp|cellUseRowTTL|cellIsDeleted|cellIsExpiring) == cellUseRowTimestamp {
					cell.Timestamp = u.Liveness.Timestamp // the common cell, written out
					cell.LocalDeletionTime, cell.TTL = rows.NoDeletionTime, rows.NoTTL
				} else {
					p = s.cellHead(r, p, flags, cell)
				}
				cell.Tombstone = flags&cellIsDeleted != 0
				deleted += int(flags & cellIsDeleted)
				var path, value []byte
				if p < len(b) && b[p] < 0x80 && p+1+int(b[p]) <= len(b) {
					k := p + 1 + int(b[p])
					path, p = b[p+1:k:k], k
				} else {
					path, p = r.vbytes(p)
				}
				if flags&cellHasEmptyValue == 0 {
					if p < len(b) && b[p] < 0x80 && p+1+int(b[p]) <= len(b) {
						k := p + 1 + int(b[p])
						value, p = b[p+1:k:k], k
					} else {
						value, p = r.vbytes(p)
					}
				}
				cell.Path, cell.Value = path, value
			}
		}
		runs[i] = [2]int{start, len(cells)}
		if p > len(b) {
			break
		}
	}
	u.Cells = cells
	u.Runs, u.TombstoneCells = runs, deleted
	return p
}

// nextCell returns cells with one more cell, the next of its buffer when it
// has room (that slot's old contents are overwritten by the caller).
func nextCell(cells []rows.Cell) []rows.Cell {
	if len(cells) == cap(cells) {
		return append(cells, rows.Cell{})
	}
	return cells[:len(cells)+1]
}

// cellHead decodes a cell's timestamp, local deletion time and TTL into c,
// taking the row's where flags say so (the caller sets Tombstone). readCells
// writes out the common cell (live, not expiring, with its row's timestamp)
// before calling it.
func (s *Scanner) cellHead(r *body, p int, flags byte, c *rows.Cell) int {
	if flags&cellUseRowTimestamp != 0 {
		c.Timestamp = s.u.Liveness.Timestamp
	} else {
		c.Timestamp, p = s.bodyTimestamp(r, p, "timestamp", false)
	}
	if flags&cellUseRowTTL != 0 {
		c.LocalDeletionTime = s.u.Liveness.LocalExpirationTime
		c.TTL = s.u.Liveness.TTL
	} else {
		c.LocalDeletionTime, c.TTL = rows.NoDeletionTime, rows.NoTTL
		if flags&(cellIsDeleted|cellIsExpiring) != 0 {
			c.LocalDeletionTime, p = s.bodyLDT(r, p)
			if flags&cellIsExpiring != 0 {
				c.TTL, p = s.bodyTTL(r, p)
			}
		}
	}
	return p
}

// readSubset returns the indexes of the columns the row holds
// (Columns.Serializer.deserializeSubset): all of them (s.all, which is never
// written), or those listed in s.present.
func (s *Scanner) readSubset(r *body, p, n int, all bool) ([]int, int) {
	if len(s.all) < n {
		s.all = make([]int, n)
		for i := range s.all {
			s.all[i] = i
		}
	}
	if all {
		return s.all[:n], p
	}
	encoded, p := r.uvint(p)
	if p > len(r.b) {
		return nil, p
	}
	s.present = s.present[:0]
	switch {
	case encoded == 0:
		return s.all[:n], p
	case n < 64:
		if encoded>>uint(n) != 0 {
			return nil, r.fail(p, "column subset bitmap 0x%x names columns past the header's %d", encoded, n)
		}
		for i := range n {
			if encoded&(1<<uint(i)) == 0 {
				s.present = append(s.present, i)
			}
		}
	default:
		if encoded > uint64(n) {
			return nil, r.fail(p, "column subset: %d missing of %d", encoded, n)
		}
		missing := int(encoded)
		count := n - missing
		if count < n/2 {
			prev := -1
			for range count {
				var idx int
				if idx, p = r.uvint32(p); p > len(r.b) {
					return nil, p
				}
				if idx <= prev || idx >= n {
					return nil, r.fail(p, "column subset index %d (previous %d, columns %d)", idx, prev, n)
				}
				s.present = append(s.present, idx)
				prev = idx
			}
		} else {
			idx := 0
			for range missing {
				var next int
				if next, p = r.uvint32(p); p > len(r.b) {
					return nil, p
				}
				if next < idx || next >= n {
					return nil, r.fail(p, "column subset missing index %d (at %d, columns %d)", next, idx, n)
				}
				for ; idx < next; idx++ {
					s.present = append(s.present, idx)
				}
				idx++
			}
			for ; idx < n; idx++ {
				s.present = append(s.present, idx)
			}
		}
	}
	return s.present, p
}
