package index

import (
	"fmt"
	"math"

	"github.com/aegisthus/aegisthus/internal/rows"
	"github.com/aegisthus/aegisthus/internal/sstable/format"
	"github.com/aegisthus/aegisthus/internal/sstable/stats"
	"github.com/aegisthus/aegisthus/internal/sstable/wire"
)

// Entry is one Index.db entry (RowIndexEntry), or one partition of a BTI index.
type Entry struct {
	// Key is the raw partition key. For BTI partitions without a row index the key
	// is not stored in any index and Key is nil.
	Key []byte
	// Position is the partition's offset in the uncompressed Data.db.
	Position int64
	// IndexedOffset is the file offset of this entry in Index.db (BTI: in Rows.db,
	// or -1 when the partition has no row index).
	IndexedOffset int64
	// KeyPrefix is, for BTI, the Partitions.db trie path that led to the entry
	// (PartitionIterator.Path): a prefix of the key's byte-comparable form.
	// Nil for BIG.
	KeyPrefix []byte
	// TrieOffset is, for BTI, the Partitions.db offset of the entry's trie
	// node; 0 for BIG.
	TrieOffset int64
	// HashByte is, for BTI, the key-hash filter byte of the trie payload
	// (PartitionIterator.HashByte), -1 when it has none; unused for BIG.
	HashByte int
	// Deletion is the partition-level deletion, known only when the partition has a
	// promoted (row) index; rows.Live otherwise, which does not mean "not deleted".
	Deletion rows.DeletionTime
	// HasRowIndex reports whether the entry carries a promoted index.
	HasRowIndex bool
	// HeaderLength is the size of the partition header and static row (ma+ only).
	HeaderLength int64
	// Blocks is the promoted row index, one IndexInfo per block; empty when the entry
	// has none or when blocks are skipped.
	Blocks []IndexInfo
	// RowBlocks is the BTI row index (Rows.db), in clustering order; BIG entries
	// use Blocks instead.
	RowBlocks []RowBlock
}

// IndexInfo describes one block of a wide partition (IndexInfo.java; IndexHelper
// before 3.0).
type IndexInfo struct {
	// First and Last are the serialized clustering prefixes of the block's first and
	// last unfiltered. From ma on each starts with the ClusteringPrefix.Kind byte,
	// followed by the values (a u16 size first unless the kind is CLUSTERING); before
	// ma they are composite cell names (without their u16 length).
	First, Last []byte
	Offset      int64 // block start relative to the partition start
	Width       int64 // block length in bytes
	// EndOpen is the range tombstone deletion open at the end of the block (ma+), nil
	// if none.
	EndOpen *rows.DeletionTime
}

// Options tune an IndexReader.
type Options struct {
	// ClusteringTypes are the clustering column types from the serialization header
	// (stats.Header.ClusteringTypes). They are needed to delimit the clustering
	// prefixes of ma+ promoted indexes; without them such blocks fail to decode.
	ClusteringTypes []string
	// SkipBlocks skips promoted indexes using their stored size, without decoding
	// them (cheap; all a split planner needs). Deletion, HeaderLength and Blocks are
	// then left empty.
	SkipBlocks bool
}

// IndexReader iterates over the entries of a BIG Index.db held in memory:
//
//	for r.Next() { e := r.Entry(); ... }
//	if err := r.Err(); err != nil { ... }
//
// The Entry and its Blocks slice are reused: they are valid until the next call to
// Next. Key, First and Last alias the bytes given to NewIndexReader. An IndexReader
// is not safe for concurrent use.
type IndexReader struct {
	path  string
	v     format.Version
	opts  Options
	c     wire.Cursor
	e     Entry
	prev  int64
	err   error
	count int
}

// NewIndexReader returns a reader over the whole Index.db in b for version v. path
// only names the file in errors.
func NewIndexReader(path string, b []byte, v format.Version, opts Options) *IndexReader {
	return &IndexReader{path: path, v: v, opts: opts, c: wire.NewCursor(b, 0), prev: -1}
}

// Next decodes the next entry. It returns false at the end of the file or on error;
// Err tells which.
func (r *IndexReader) Next() bool {
	if r.err != nil || r.c.Len() == 0 {
		return false
	}
	start := r.c.FileOffset()
	if err := r.decode(start); err != nil {
		where := fmt.Sprintf("entry %d at offset %d", r.count, start)
		if wire.NamesOffset(err.Error(), start) { // the cursor's "at offset N" says it
			where = fmt.Sprintf("entry %d", r.count)
		}
		r.err = wire.Locate(r.path, format.Index, start, fmt.Errorf("%s: %w", where, err))
		return false
	}
	if r.e.Position <= r.prev {
		r.err = wire.Errorf(r.path, format.Index, start, wire.ErrCorrupt,
			"entry %d at offset %d: data position %d not above previous %d", r.count, start, r.e.Position, r.prev)
		return false
	}
	r.prev = r.e.Position
	r.count++
	return true
}

// Entry returns the current entry, valid until the next call to Next.
func (r *IndexReader) Entry() *Entry { return &r.e }

// Err returns the first error met, a *wire.FormatError wrapping wire.ErrCorrupt.
func (r *IndexReader) Err() error { return r.err }

func (r *IndexReader) decode(start int64) error {
	c := &r.c
	e := &r.e
	*e = Entry{Blocks: e.Blocks[:0], Deletion: rows.Live, IndexedOffset: start}
	e.Key = c.Bytes16()
	var size int64
	if r.v.StoresRows() {
		pos := c.UVint()
		sz := c.UVint()
		if c.Err() == nil && (pos > math.MaxInt64 || sz > uint64(c.Len())) {
			return fmt.Errorf("position %d, promoted index size %d with %d bytes left: %w", pos, sz, c.Len(), wire.ErrCorrupt)
		}
		e.Position, size = int64(pos), int64(sz)
	} else {
		e.Position = c.I64()
		size = int64(c.I32())
		if c.Err() == nil && (e.Position < 0 || size < 0 || size > int64(c.Len())) {
			return fmt.Errorf("position %d, promoted index size %d with %d bytes left: %w", e.Position, size, c.Len(), wire.ErrCorrupt)
		}
	}
	if c.Err() != nil {
		return c.Err()
	}
	if size == 0 {
		return nil
	}
	e.HasRowIndex = true
	body := wire.NewCursor(c.Bytes(int(size)), c.FileOffset())
	if r.opts.SkipBlocks {
		return nil
	}
	if r.v.StoresRows() {
		return r.decodePromoted(&body)
	}
	return r.decodeLegacyPromoted(&body)
}

// decodePromoted follows RowIndexEntry.IndexedEntry (ma+).
func (r *IndexReader) decodePromoted(c *wire.Cursor) error {
	e := &r.e
	hl := c.UVint()
	e.Deletion = rows.ReadDeletionTime(c, r.v)
	n := c.UVint()
	if c.Err() != nil {
		return c.Err()
	}
	e.HeaderLength = int64(min(hl, math.MaxInt64))
	// Each IndexInfo takes at least 4+4 bytes (two kinds, offset, width, flag plus
	// its i32 offset); bound the count by what is left.
	if n > uint64(c.Len())/8 {
		return fmt.Errorf("promoted index block count %d does not fit in %d bytes: %w", n, c.Len(), wire.ErrCorrupt)
	}
	for i := uint64(0); i < n; i++ {
		var ii IndexInfo
		ii.First = readPrefix(c, r.opts.ClusteringTypes)
		ii.Last = readPrefix(c, r.opts.ClusteringTypes)
		ii.Offset = int64(min(c.UVint(), math.MaxInt64))
		ii.Width = c.Vint() + 65536
		if c.Bool() {
			d := rows.ReadDeletionTime(c, r.v)
			ii.EndOpen = &d
		}
		if err := c.Err(); err != nil {
			return fmt.Errorf("block %d: %w (clustering types %d)", i, err, len(r.opts.ClusteringTypes))
		}
		e.Blocks = append(e.Blocks, ii)
	}
	// The offsets table: i32 per block, relative to the first block.
	if int64(c.Len()) != int64(n)*4 {
		return fmt.Errorf("promoted index: %d bytes left for %d block offsets: %w", c.Len(), n, wire.ErrCorrupt)
	}
	return nil
}

// readPrefix delimits one serialized ClusteringPrefix and returns its bytes.
func readPrefix(c *wire.Cursor, types []string) []byte {
	rest := c.Rest()
	start := c.Offset()
	kind := c.U8()
	if c.Err() != nil {
		return nil
	}
	n := len(types)
	switch {
	case kind == 4: // CLUSTERING: every clustering column, no size
	case kind <= 7 && kind != 3:
		n = int(c.U16())
		if n > len(types) {
			c.Fail("clustering bound of %d values, table has %d clustering columns", n, len(types))
			return nil
		}
	default:
		c.Fail("clustering prefix kind %d", kind)
		return nil
	}
	skipClusteringValues(c, types[:n])
	if c.Err() != nil {
		return nil
	}
	return rest[: c.Offset()-start : c.Offset()-start]
}

// skipClusteringValues skips values written by serializeValuesWithoutSize (a uvint
// header per 32 values: bit 2j empty, bit 2j+1 null).
func skipClusteringValues(c *wire.Cursor, types []string) {
	var header uint64
	for i, t := range types {
		if i%32 == 0 {
			header = c.UVint()
		}
		j := uint(i % 32)
		if header&(3<<(2*j)) != 0 {
			continue
		}
		if n := stats.FixedValueLength(t); n >= 0 {
			c.Skip(n)
		} else {
			c.VBytes()
		}
		if c.Err() != nil {
			return
		}
	}
}

// decodeLegacyPromoted follows RowIndexEntry.IndexedEntry before 3.0. ic entries may
// carry more bytes after the blocks (a per-row bloom filter), which are ignored.
func (r *IndexReader) decodeLegacyPromoted(c *wire.Cursor) error {
	e := &r.e
	e.Deletion = rows.ReadDeletionTime(c, r.v)
	n := c.I32()
	if c.Err() != nil {
		return c.Err()
	}
	if n < 0 || int64(n) > int64(c.Len())/20 {
		return fmt.Errorf("promoted index block count %d does not fit in %d bytes: %w", n, c.Len(), wire.ErrCorrupt)
	}
	for i := int32(0); i < n; i++ {
		ii := IndexInfo{First: c.Bytes16(), Last: c.Bytes16(), Offset: c.I64(), Width: c.I64()}
		if err := c.Err(); err != nil {
			return fmt.Errorf("block %d: %w", i, err)
		}
		e.Blocks = append(e.Blocks, ii)
	}
	return nil
}
