package index

import (
	"github.com/aegisthus/aegisthus/internal/sstable/format"
	"github.com/aegisthus/aegisthus/internal/sstable/wire"
)

// Source holds the index components of one SSTable, already read into memory:
// Index for BIG, Partitions and Rows for BTI. The paths only name files in errors.
type Source struct {
	Version        format.Version
	IndexPath      string
	Index          []byte
	PartitionsPath string
	Partitions     []byte
	RowsPath       string
	Rows           []byte
}

// Locate returns where entry e of s is, for an error to name: Index.db and
// the entry's offset (BIG), or Partitions.db and the entry's trie node (BTI).
func (s Source) Locate(e *Entry) (path, component string, offset int64) {
	if s.Version.Kind == format.BTI {
		return s.PartitionsPath, format.Partitions, e.TrieOffset
	}
	return s.IndexPath, format.Index, e.IndexedOffset
}

// Iterator is what IndexReader and BTIReader have in common.
type Iterator interface {
	Next() bool
	Entry() *Entry
	Err() error
}

var (
	_ Iterator = (*IndexReader)(nil)
	_ Iterator = (*BTIReader)(nil)
)

// Open returns an iterator over the partitions of s in Data.db order.
func Open(s Source, opts Options) (Iterator, error) {
	if s.Version.Kind == format.BTI {
		return NewBTIReader(s.PartitionsPath, s.Partitions, s.RowsPath, s.Rows, s.Version, opts)
	}
	if s.Index == nil {
		return nil, wire.Errorf(s.IndexPath, format.Index, -1, wire.ErrCorrupt, "no Index.db bytes")
	}
	return NewIndexReader(s.IndexPath, s.Index, s.Version, opts), nil
}

// Positions returns the Data.db start offset (uncompressed) of every partition of
// s, strictly increasing. The planner cuts Data.db at these offsets. It skips the
// promoted/row indexes without decoding them. The result is owned by the caller.
func Positions(s Source) ([]int64, error) {
	it, err := Open(s, Options{SkipBlocks: true})
	if err != nil {
		return nil, err
	}
	var out []int64
	for it.Next() {
		out = append(out, it.Entry().Position)
	}
	return out, it.Err()
}
