package legacy

import (
	"github.com/aegisthus/aegisthus/internal/rows"
	"github.com/aegisthus/aegisthus/internal/sstable/format"
	"github.com/aegisthus/aegisthus/internal/sstable/row"
)

// Atom is one on-disk atom of a pre-3.0 partition as it was written: a cell
// (Column, DeletedColumn, ExpiringColumn, CounterColumn) or a RangeTombstone,
// with its name undecoded. It is what sstable2json and Netflix Aegisthus saw.
type Atom struct {
	Offset int64  // Data.db offset of the atom
	Name   []byte // cell name, or a range tombstone's start bound
	Mask   byte   // ColumnSerializer mask
	// A range tombstone has End and Deletion; a cell the other fields.
	End       []byte
	Deletion  rows.DeletionTime
	Timestamp int64
	// TTL is the TTL of an expiring cell (rows.NoTTL otherwise);
	// LocalDeletionTime its expiry, or a deleted cell's deletion time.
	TTL               int32
	LocalDeletionTime int64
	Value             []byte
}

// IsRangeTombstone reports whether a is a range tombstone.
func (a *Atom) IsRangeTombstone() bool { return a.Mask&maskRangeTombstone != 0 }

// IsDeleted reports whether a is a cell tombstone (DeletedColumn).
func (a *Atom) IsDeleted() bool {
	return a.Mask&maskDeleted != 0 && a.Mask&(maskCounter|maskExpiring|maskRangeTombstone) == 0
}

// IsExpiring reports whether a is an expiring cell.
func (a *Atom) IsExpiring() bool { return a.Mask&maskExpiring != 0 && a.Mask&maskRangeTombstone == 0 }

// IsCounter reports whether a is a counter cell.
func (a *Atom) IsCounter() bool { return a.Mask&maskCounter != 0 && a.Mask&maskRangeTombstone == 0 }

// AtomScanner iterates the partitions of a legacy Data.db and the atoms of each
// in on-disk order, without a schema: names stay raw bytes. Usage:
//
//	for s.NextPartition() {
//		p := s.Partition()
//		for s.NextAtom() { a := s.Atom(); ... }
//	}
//	if err := s.Err(); err != nil { ... }
//
// NextPartition skips the atoms the caller did not read. Atom's slices are valid
// until the next NextAtom or NextPartition; Partition().Key until the next
// NextPartition. Errors are *wire.FormatError values naming the file and offset.
// An AtomScanner is not safe for concurrent use.
type AtomScanner struct {
	s *Scanner
	a Atom
}

// NewAtomScanner returns a scanner over the partitions of src, a Data.db of
// version v, whose headers start in [start, end); start must be a partition
// boundary. path only labels errors.
func NewAtomScanner(v format.Version, src row.Source, path string, start, end int64) *AtomScanner {
	return &AtomScanner{s: NewScanner(&Layout{Version: v}, src, path, start, end)}
}

// NextPartition advances to the next partition; false at the end or on error.
func (r *AtomScanner) NextPartition() bool {
	for r.s.inPart {
		if !r.NextAtom() && r.s.err != nil {
			return false
		}
	}
	return r.s.NextPartition()
}

// Partition returns the current partition header.
func (r *AtomScanner) Partition() *rows.Partition { return &r.s.part }

// NextAtom advances to the next atom of the partition; false at its end or on error.
func (r *AtomScanner) NextAtom() bool {
	s := r.s
	if !s.inPart || s.done {
		return false
	}
	ok, err := s.readAtom(&s.scr)
	if err != nil {
		return s.fail(s.Offset(), err)
	}
	if !ok {
		s.inPart = false
		return false
	}
	a := &s.scr
	r.a = Atom{Offset: a.off, Name: a.name, Mask: a.mask, End: a.end, Deletion: a.del, Timestamp: a.ts,
		TTL: a.ttl, LocalDeletionTime: a.ldt, Value: a.value}
	if a.rt {
		r.a.Timestamp, r.a.TTL, r.a.LocalDeletionTime, r.a.Value = 0, rows.NoTTL, rows.NoDeletionTime, nil
	} else {
		r.a.End, r.a.Deletion = nil, rows.Live
	}
	return true
}

// Atom returns the current atom.
func (r *AtomScanner) Atom() *Atom { return &r.a }

// Err returns the first error met.
func (r *AtomScanner) Err() error { return r.s.err }

// Offset returns the Data.db offset of the next byte to decode.
func (r *AtomScanner) Offset() int64 { return r.s.Offset() }
