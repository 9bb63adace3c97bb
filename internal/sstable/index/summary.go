package index

import (
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
}

// SummaryEntry is one sampled Index.db entry.
type SummaryEntry struct {
	Key           []byte // raw partition key
	IndexPosition int64  // offset of the key's entry in Index.db
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
			s.Entries[i].IndexPosition = int64(binary.LittleEndian.Uint64(mem[end-8:]))
		}
	}
	s.FirstKey = c.Bytes32()
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
