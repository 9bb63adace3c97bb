package row

import (
	"fmt"
	"math"

	"github.com/aegisthus/aegisthus/internal/rows"
	"github.com/aegisthus/aegisthus/internal/sstable/format"
	"github.com/aegisthus/aegisthus/internal/sstable/wire"
)

// Source yields the uncompressed bytes of Data.db one chunk at a time. It is the
// only way the scanner reaches the file (chunk.Reader implements it through a
// small adapter in package sstable).
type Source interface {
	// Length is the uncompressed length of Data.db.
	Length() int64
	// ChunkLength is the uncompressed size of every chunk but the last.
	ChunkLength() int
	// ReadChunk returns chunk i's uncompressed, checksum-verified bytes in dst[:0],
	// growing dst if its capacity is too small.
	ReadChunk(i int, dst []byte) ([]byte, error)
}

// Unfiltered flags (UnfilteredSerializer).
const (
	flagEndOfPartition     = 0x01
	flagIsMarker           = 0x02
	flagHasTimestamp       = 0x04
	flagHasTTL             = 0x08
	flagHasDeletion        = 0x10
	flagHasAllColumns      = 0x20
	flagHasComplexDeletion = 0x40
	flagExtension          = 0x80

	extIsStatic      = 0x01
	extHasShadowable = 0x02
	// extScyllaShadowable is ScyllaDB's own flag: a shadowable deletion follows the
	// regular one (sstables/mx, HAS_SCYLLA_SHADOWABLE_DELETION). Cassandra never sets it.
	extScyllaShadowable = 0x80
)

const component = format.Data

// Scanner iterates the partitions whose headers start in [start, end) of one
// Data.db, and the unfiltereds inside each. Usage:
//
//	for s.NextPartition() {
//		p := s.Partition()
//		for s.Next() { u := s.Unfiltered(); ... }
//	}
//	if err := s.Err(); err != nil { ... }
//
// NextPartition skips whatever the caller did not read of the current partition.
// Returned slices are valid until the next call to Next or NextPartition, except
// Partition().Key, which stays valid until the next NextPartition.
// A Scanner is not safe for concurrent use; use one per goroutine.
type Scanner struct {
	l        *Layout
	src      Source
	path     string
	chunkLen int
	length   int64
	end      int64

	win      []byte
	winStart int64 // file offset of win[0]
	pos      int   // next byte of win to decode
	next     int64 // file offset of the first byte not yet in win

	part     rows.Partition
	key      []byte
	u        rows.Unfiltered
	inPart   bool
	static   bool     // the static row is still to be read
	present  []int    // the columns of a row with some missing
	all      []int    // 0, 1, 2, ...: the columns of a row with all of them
	runs     [][2]int // u.Runs' buffer
	clusterN int
	uintLDT  bool // local deletion times are unsigned (oa+)
	err      error
	done     bool
}

// NewScanner returns a scanner over the partitions of src whose headers start at
// or after start (which must be a partition boundary, e.g. 0 or an Index.db
// position) and before end. path only labels errors.
func NewScanner(l *Layout, src Source, path string, start, end int64) *Scanner {
	s := &Scanner{l: l, src: src, path: path, chunkLen: src.ChunkLength(), length: src.Length(),
		end: min(end, src.Length()), winStart: start, next: start, clusterN: len(l.ClusteringFixed),
		uintLDT: l.Version.HasUIntDeletionTime()}
	if s.chunkLen <= 0 {
		s.fail(start, fmt.Errorf("chunk length %d: %w", s.chunkLen, wire.ErrCorrupt))
	}
	s.u.Clustering = make([][]byte, 0, s.clusterN)
	return s
}

// Restart makes s a scanner over the partitions starting in [start, end), as
// NewScanner would, but keeps the bytes it holds: when start falls among them,
// nothing is read again. A reader checking positions in increasing order (an
// index against Data.db) so decodes each chunk about once.
func (s *Scanner) Restart(start, end int64) {
	s.end, s.err, s.done, s.inPart, s.static = min(end, s.length), nil, false, false, false
	if s.chunkLen <= 0 {
		s.fail(start, fmt.Errorf("chunk length %d: %w", s.chunkLen, wire.ErrCorrupt))
		return
	}
	if start >= s.winStart && start < s.winStart+int64(len(s.win)) {
		s.pos = int(start - s.winStart)
		return
	}
	s.win, s.winStart, s.pos, s.next = s.win[:0], start, 0, start
}

// Err returns the first error met. It is a *wire.FormatError naming the file.
func (s *Scanner) Err() error { return s.err }

// Partition returns the current partition header.
func (s *Scanner) Partition() *rows.Partition { return &s.part }

// Unfiltered returns the current row or marker.
func (s *Scanner) Unfiltered() *rows.Unfiltered { return &s.u }

// Offset returns the Data.db offset of the next byte to decode.
func (s *Scanner) Offset() int64 { return s.winStart + int64(s.pos) }

func (s *Scanner) fail(off int64, err error) bool {
	if s.err == nil {
		s.err = wire.Within(s.path, component, -1, err) // a chunk's error names the file once
		_ = off
	}
	s.done = true
	return false
}

// fill makes at least n bytes available from pos, reading chunks as needed.
func (s *Scanner) fill(n int) error {
	if len(s.win)-s.pos >= n {
		return nil
	}
	if s.pos > 0 {
		k := copy(s.win, s.win[s.pos:])
		s.win = s.win[:k]
		s.winStart += int64(s.pos)
		s.pos = 0
	}
	for len(s.win) < n {
		if s.next >= s.length {
			return fmt.Errorf("at offset %d: data ends at %d, need %d more bytes: %w",
				s.winStart+int64(len(s.win)), s.length, n-len(s.win), wire.ErrCorrupt)
		}
		ci := int(s.next / int64(s.chunkLen))
		skip := int(s.next - int64(ci)*int64(s.chunkLen))
		if need := len(s.win) + s.chunkLen; cap(s.win) < need {
			grown := make([]byte, len(s.win), max(2*cap(s.win), need, n+s.chunkLen))
			copy(grown, s.win)
			s.win = grown
		}
		tail := s.win[len(s.win):cap(s.win)]
		out, err := s.src.ReadChunk(ci, tail)
		if err != nil {
			return err
		}
		if skip > len(out) {
			return fmt.Errorf("chunk %d holds %d bytes, position %d is past it: %w", ci, len(out), s.next, wire.ErrCorrupt)
		}
		if len(out) > 0 && &out[0] == &tail[:1][0] {
			base := len(s.win)
			s.win = s.win[:base+len(out)]
			if skip > 0 {
				s.win = s.win[:base+copy(s.win[base:], s.win[base+skip:])]
			}
		} else {
			s.win = append(s.win, out[skip:]...)
		}
		s.next = int64(ci)*int64(s.chunkLen) + int64(len(out))
		if len(out) == 0 {
			return fmt.Errorf("chunk %d is empty: %w", ci, wire.ErrCorrupt)
		}
	}
	return nil
}

func (s *Scanner) cursor() wire.Cursor {
	return wire.NewCursor(s.win[s.pos:], s.winStart+int64(s.pos))
}

// settle finishes a decode attempt: on success it consumes what c read; when c ran
// out of bytes before the end of the file it loads another chunk and asks for a
// retry; otherwise it records the error.
func (s *Scanner) settle(c *wire.Cursor, what string, at int64) (retry bool) {
	if c.Err() == nil {
		s.pos += c.Offset()
		return false
	}
	if c.Short() && s.next < s.length {
		want := int(min(int64(len(s.win)-s.pos+s.chunkLen), s.length-s.Offset()))
		if err := s.fill(want); err != nil {
			s.fail(at, fmt.Errorf("%s at %d: %w", what, at, err))
			return false
		}
		return true
	}
	s.fail(at, fmt.Errorf("%s at %d: %w", what, at, c.Err()))
	return false
}

// NextPartition advances to the next partition header. It returns false at the end
// of the range or on error.
func (s *Scanner) NextPartition() bool {
	if s.done {
		return false
	}
	for s.inPart {
		if !s.Next() {
			if s.err != nil {
				return false
			}
		}
	}
	at := s.Offset()
	if at >= s.end {
		s.done = true
		return false
	}
	for {
		c := s.cursor()
		key := c.Bytes16()
		del := s.readStandaloneDeletion(&c)
		if c.Err() == nil {
			s.key = append(s.key[:0], key...)
			s.part = rows.Partition{Key: s.key, Deletion: del, Offset: at}
		}
		if !s.settle(&c, "partition", at) {
			break
		}
	}
	if s.err != nil {
		return false
	}
	s.inPart = true
	s.static = len(s.l.Static) > 0
	return true
}

// readStandaloneDeletion reads DeletionTime as Data.db partition headers and index
// entries store it (DeletionTime.Serializer / LegacySerializer).
func (s *Scanner) readStandaloneDeletion(c *wire.Cursor) rows.DeletionTime {
	return rows.ReadDeletionTime(c, s.l.Version)
}

// Next advances to the next unfiltered of the current partition (the static row
// first, when the SSTable has static columns). It returns false at the end of the
// partition or on error.
func (s *Scanner) Next() bool {
	if !s.inPart || s.done {
		return false
	}
	at := s.Offset()
	var flags, ext byte
	var p, bodyLen int
	for {
		r := body{b: s.win[s.pos:], base: at}
		p, flags, ext, bodyLen = s.readHeader(&r)
		if r.err == "" {
			if flags&(flagEndOfPartition|flagIsMarker) == 0 && len(r.b)-p < bodyLen {
				// Load the whole row behind its header before decoding it.
				if int64(bodyLen) > s.length-(at+int64(p)) {
					return s.fail(at, fmt.Errorf("row at %d: size %d runs past the end of the data (%d): %w", at, bodyLen, s.length, wire.ErrCorrupt))
				}
				if err := s.fill(p + bodyLen); err != nil {
					return s.fail(at, fmt.Errorf("row at %d: %w", at, err))
				}
				continue
			}
			break
		}
		if r.ranOut && s.next < s.length {
			// The header runs past the window: load another chunk and decode again.
			if err := s.fill(int(min(int64(len(s.win)-s.pos+s.chunkLen), s.length-at))); err != nil {
				return s.fail(at, fmt.Errorf("unfiltered at %d: %w", at, err))
			}
			continue
		}
		return s.fail(at, fmt.Errorf("unfiltered at %d: %w", at, r.error()))
	}
	if flags&flagEndOfPartition != 0 {
		s.pos += p
		s.inPart = false
		return false
	}
	if flags&flagIsMarker != 0 {
		s.pos += p
		return true // readHeader decoded the whole marker
	}
	r := body{b: s.win[s.pos+p : s.pos+p+bodyLen], base: at + int64(p)}
	if q := s.rowBody(&r, flags, ext); r.err == "" && q != bodyLen {
		r.fail(q, "row body: %d bytes left of its declared size %d", bodyLen-q, bodyLen)
	}
	if r.err != "" {
		return s.fail(at, fmt.Errorf("row at %d: %w", at, r.error()))
	}
	s.pos += p + bodyLen
	return true
}

// readHeader reads an unfiltered up to its body: flags, extended flags, clustering
// and row_size for a row (returning the body length); the whole of a marker.
// It returns the position after what it read.
func (s *Scanner) readHeader(r *body) (p int, flags, ext byte, size int) {
	u := &s.u
	u.Offset = r.base
	if len(r.b) == 0 {
		return r.short(0, 1, "u8"), 0, 0, 0
	}
	flags, p = r.b[0], 1
	if flags&flagEndOfPartition != 0 {
		return p, flags, 0, 0
	}
	if flags&flagExtension != 0 {
		if ext, p = r.u8(p); p > len(r.b) {
			return p, flags, 0, 0
		}
		if ext&^(extIsStatic|extHasShadowable|extScyllaShadowable) != 0 {
			return r.fail(p, "extended flags 0x%02x: unknown bits", ext), flags, ext, 0
		}
	}
	if s.static {
		if ext&extIsStatic == 0 || flags&flagIsMarker != 0 {
			return r.fail(p, "static row flags 0x%02x/0x%02x: want the static extension flag", flags, ext), flags, ext, 0
		}
		u.Kind = rows.KindStatic
		u.Bound = rows.StaticClustering
		u.Clustering = u.Clustering[:0]
	} else if ext&extIsStatic != 0 {
		return r.fail(p, "static row flag on a row after the static row"), flags, ext, 0
	} else if flags&flagIsMarker != 0 {
		u.Kind = rows.KindMarker
		var k byte
		var n int
		k, p = r.u8(p)
		n, p = r.u16(p)
		if p > len(r.b) {
			return p, flags, ext, 0
		}
		kind := rows.BoundKind(k)
		if kind > rows.ExclStartBound || kind == rows.StaticClustering || kind == rows.ClusteringKind {
			return r.fail(p, "range tombstone bound kind %d", kind), flags, ext, 0
		}
		if n > s.clusterN {
			return r.fail(p, "bound with %d clustering values, table has %d", n, s.clusterN), flags, ext, 0
		}
		u.Bound = kind
		p = s.readClustering(r, p, n)
		_, p = r.uvint(p) // marker size
		_, p = r.uvint(p) // previous unfiltered size
		if kind.IsBoundary() {
			u.EndDeletion, p = s.bodyDeletion(r, p)
			u.StartDeletion, p = s.bodyDeletion(r, p)
		} else if kind.IsStart() {
			u.StartDeletion, p = s.bodyDeletion(r, p)
			u.EndDeletion = rows.Live
		} else {
			u.EndDeletion, p = s.bodyDeletion(r, p)
			u.StartDeletion = rows.Live
		}
		return p, flags, ext, 0
	} else {
		u.Kind = rows.KindRow
		u.Bound = rows.ClusteringKind
		p = s.readClustering(r, p, s.clusterN)
	}
	v, p := r.uvint(p)
	if v > math.MaxInt32 {
		return r.fail(p, "row size %d", v), flags, ext, 0
	}
	return p, flags, ext, int(v)
}

// readClustering reads n clustering values in blocks of 32 behind a header vint of
// two bits per value: bit 2j = empty, bit 2j+1 = null (ClusteringPrefix.Serializer).
func (s *Scanner) readClustering(r *body, p, n int) int {
	u := &s.u
	u.Clustering = u.Clustering[:0]
	for off := 0; off < n; {
		var header uint64
		header, p = r.uvint(p)
		limit := min(n, off+32)
		for ; off < limit; off++ {
			j := uint(off % 32)
			switch {
			case header&(1<<(2*j+1)) != 0:
				u.Clustering = append(u.Clustering, nil)
			case header&(1<<(2*j)) != 0:
				u.Clustering = append(u.Clustering, []byte{})
			default:
				var v []byte
				if fixed := s.l.ClusteringFixed[off]; fixed >= 0 {
					v, p = r.bytes(p, fixed)
				} else {
					v, p = r.vbytes(p)
				}
				u.Clustering = append(u.Clustering, v)
			}
		}
		if p > len(r.b) {
			return p
		}
	}
	return p
}
