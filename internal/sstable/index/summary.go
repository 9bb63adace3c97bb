package index

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"github.com/aegisthus/aegisthus/internal/sstable/format"
	"github.com/aegisthus/aegisthus/internal/sstable/wire"
)

// Summary is a decoded Summary.db (IndexSummary plus IndexSummaryComponent): a
// sample of Index.db keys with their Index.db offsets.
type Summary struct {
	MinIndexInterval   int32
	SamplingLevel      int32 // ka+; 128 (BASE_SAMPLING_LEVEL) = full sampling; 0 before
	SizeAtFullSampling int32 // ka+
	Entries            []SummaryEntry
	FirstKey, LastKey  []byte // first and last partition keys of the SSTable
	// FirstKeyOffset and LastKeyOffset are where those keys are in Summary.db.
	FirstKeyOffset, LastKeyOffset int64
}

// SummaryEntry is one sampled Index.db entry.
type SummaryEntry struct {
	Key           []byte // raw partition key
	IndexPosition int64  // offset of the key's entry in Index.db
	Offset        int64  // where the sample is in Summary.db, for errors
}

// ParseSummary decodes the Summary.db in b for version v (IndexSummarySerializer).
// Keys alias b. Errors are *wire.FormatError wrapping wire.ErrCorrupt. The segment
// boundaries that follow the last key before ma are not read.
func ParseSummary(path string, b []byte, v format.Version) (*Summary, error) {
	s, err := parseSummary(b, v)
	if err != nil {
		return nil, wire.Locate(path, format.Summary, 0, err)
	}
	return s, nil
}

func parseSummary(b []byte, v format.Version) (*Summary, error) {
	c := wire.NewCursor(b, 0)
	s := &Summary{MinIndexInterval: c.I32()}
	count := c.I32()
	if c.Err() != nil {
		return nil, c.Err()
	}
	if count < 0 {
		return nil, fmt.Errorf("at offset 4: entry count %d: %w", count, wire.ErrCorrupt)
	}
	if v.Kind == format.Big && v.S < "ja" {
		// ic: (i64 position, bytes32 key) * count, all big-endian.
		if int64(count)*12 > int64(c.Len()) {
			return nil, fmt.Errorf("at offset 4: entry count %d does not fit in %d bytes: %w", count, c.Len(), wire.ErrCorrupt)
		}
		s.Entries = make([]SummaryEntry, count)
		for i := range s.Entries {
			s.Entries[i].Offset = int64(c.Offset())
			s.Entries[i].IndexPosition = c.I64()
			s.Entries[i].Key = c.Bytes32()
		}
	} else {
		size := c.I64()
		if v.HasSamplingLevel() {
			s.SamplingLevel = c.I32()
			s.SizeAtFullSampling = c.I32()
		}
		if c.Err() != nil {
			return nil, c.Err()
		}
		base := c.Offset()
		if size < int64(count)*4 || size > int64(c.Len()) {
			return nil, fmt.Errorf("at offset 8: entries size %d for %d entries with %d bytes left: %w", size, count, c.Len(), wire.ErrCorrupt)
		}
		mem := c.Bytes(int(size))
		s.Entries = make([]SummaryEntry, count)
		for i := range s.Entries {
			off := int64(binary.LittleEndian.Uint32(mem[4*i:]))
			end := size
			if i+1 < int(count) {
				end = int64(binary.LittleEndian.Uint32(mem[4*i+4:]))
			}
			if off < int64(count)*4 || end-off < 8 || end > size {
				return nil, fmt.Errorf("at offset %d: summary entry %d spans [%d, %d) of %d: %w", base+4*i, i, off, end, size, wire.ErrCorrupt)
			}
			s.Entries[i].Key = mem[off : end-8 : end-8]
			s.Entries[i].Offset = int64(base) + off
			s.Entries[i].IndexPosition = int64(binary.LittleEndian.Uint64(mem[end-8:]))
		}
	}
	s.FirstKeyOffset = int64(c.Offset())
	s.FirstKey = c.Bytes32()
	s.LastKeyOffset = int64(c.Offset())
	s.LastKey = c.Bytes32()
	if c.Err() != nil {
		return nil, c.Err()
	}
	for i, e := range s.Entries {
		if e.IndexPosition < 0 || (i > 0 && e.IndexPosition <= s.Entries[i-1].IndexPosition) {
			return nil, fmt.Errorf("summary entry %d: index position %d out of order: %w", i, e.IndexPosition, wire.ErrCorrupt)
		}
	}
	return s, nil
}

// SummaryCheck holds a Summary.db to the Index.db it samples: every sample's
// index position is the offset of an Index.db entry whose key is the sample's,
// and the first and last keys are those of Index.db's first and last entries.
// Nothing else vouches for Summary.db (it has no checksum): a reader that
// trusted a sample would seek to the wrong partition, and sstablemetadata's
// first and last keys come from it. Feed it every Index.db entry in order
// (Entry), then call Done. Errors are *wire.FormatError naming Summary.db, the
// sample's offset in it and the Index.db entry.
type SummaryCheck struct {
	s         *Summary
	path      string // Summary.db
	indexPath string
	next      int // the next sample to meet
	n         int // entries seen
	last      []byte
	lastOff   int64
}

// Check returns a SummaryCheck of s, read from path, against the Index.db at
// indexPath.
func (s *Summary) Check(path, indexPath string) *SummaryCheck {
	return &SummaryCheck{s: s, path: path, indexPath: indexPath}
}

// Entry checks Index.db entry e (from IndexReader, so e.IndexedOffset is its
// offset). e.Key must stay valid until Done, as IndexReader's keys do (they
// alias Index.db's bytes).
func (k *SummaryCheck) Entry(e *Entry) error {
	s := k.s
	if k.n == 0 && !bytes.Equal(e.Key, s.FirstKey) {
		return wire.Errorf(k.path, format.Summary, s.FirstKeyOffset, wire.ErrCorrupt,
			"first key %x: the first entry of %s has key %x", s.FirstKey, k.indexPath, e.Key)
	}
	k.n++
	prev := k.lastOff
	k.last, k.lastOff = e.Key, e.IndexedOffset
	if k.next >= len(s.Entries) {
		return nil
	}
	se := &s.Entries[k.next]
	switch {
	case se.IndexPosition < e.IndexedOffset:
		return wire.Errorf(k.path, format.Summary, se.Offset, wire.ErrCorrupt,
			"sample %d: index position %d is no entry of %s (entries at %d and %d)", k.next, se.IndexPosition, k.indexPath, prev, e.IndexedOffset)
	case se.IndexPosition == e.IndexedOffset:
		if !bytes.Equal(se.Key, e.Key) {
			return wire.Errorf(k.path, format.Summary, se.Offset, wire.ErrCorrupt,
				"sample %d: key %x, the entry at offset %d of %s has key %x", k.next, se.Key, e.IndexedOffset, k.indexPath, e.Key)
		}
		k.next++
	}
	return nil
}

// Done checks what only the end of Index.db tells: every sample met, and the
// last key.
func (k *SummaryCheck) Done() error {
	s := k.s
	if k.next < len(s.Entries) {
		se := &s.Entries[k.next]
		return wire.Errorf(k.path, format.Summary, se.Offset, wire.ErrCorrupt,
			"sample %d: index position %d is past the last entry of %s (at %d)", k.next, se.IndexPosition, k.indexPath, k.lastOff)
	}
	if k.n > 0 && !bytes.Equal(k.last, s.LastKey) {
		return wire.Errorf(k.path, format.Summary, s.LastKeyOffset, wire.ErrCorrupt,
			"last key %x: the last entry of %s (at %d) has key %x", s.LastKey, k.indexPath, k.lastOff, k.last)
	}
	return nil
}
