package index

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/aegisthus/aegisthus/internal/rows"
	"github.com/aegisthus/aegisthus/internal/sstable/format"
	"github.com/aegisthus/aegisthus/internal/sstable/wire"
)

// PartitionIndex is an opened BTI Partitions.db (PartitionIndex.java).
// FirstKey and LastKey alias the bytes given to OpenPartitionIndex.
type PartitionIndex struct {
	path     string
	b        []byte
	Root     int64 // position of the trie root
	KeyCount int64 // number of partitions
	FirstKey []byte
	LastKey  []byte
}

const partitionFooter = 24 // first_key_pos, key_count, root: 3 x i64

// OpenPartitionIndex reads the footer and first/last keys of the Partitions.db in b.
func OpenPartitionIndex(path string, b []byte) (*PartitionIndex, error) {
	if len(b) < partitionFooter {
		return nil, wire.Errorf(path, format.Partitions, 0, wire.ErrCorrupt, "%d bytes, shorter than the %d-byte footer", len(b), partitionFooter)
	}
	foot := int64(len(b) - partitionFooter)
	firstPos := int64(binary.BigEndian.Uint64(b[foot:]))
	p := &PartitionIndex{path: path, b: b,
		KeyCount: int64(binary.BigEndian.Uint64(b[foot+8:])),
		Root:     int64(binary.BigEndian.Uint64(b[foot+16:])),
	}
	if firstPos < 0 || firstPos > foot {
		return nil, wire.Errorf(path, format.Partitions, foot, wire.ErrCorrupt, "first key position %d outside [0, %d]", firstPos, foot)
	}
	if p.Root < 0 || p.Root >= firstPos || p.KeyCount < 0 {
		return nil, wire.Errorf(path, format.Partitions, foot+8, wire.ErrCorrupt, "root %d (trie ends at %d), key count %d", p.Root, firstPos, p.KeyCount)
	}
	c := wire.NewCursor(b[firstPos:foot], firstPos)
	p.FirstKey = c.Bytes16()
	p.LastKey = c.Bytes16()
	if err := c.Err(); err != nil {
		return nil, wire.Locate(path, format.Partitions, firstPos, fmt.Errorf("first/last key: %w", err))
	}
	p.b = b[:firstPos] // the trie ends where the keys begin
	return p, nil
}

// PartitionIterator walks a partition trie in key (token) order.
// It is not safe for concurrent use; make one per goroutine.
type PartitionIterator struct {
	p   *PartitionIndex
	w   trieWalker
	pos int64
	h   int
	n   int64
	err error
}

// Iter returns an iterator over every partition of p, in key order.
func (p *PartitionIndex) Iter() *PartitionIterator {
	return &PartitionIterator{p: p, w: newTrieWalker(p.b, p.Root)}
}

// Next advances to the next partition. It returns false at the end or on error.
func (it *PartitionIterator) Next() bool {
	if it.err != nil || !it.w.next() {
		if it.err == nil && it.w.err != nil {
			it.err = wire.Locate(it.p.path, format.Partitions, int64(it.w.cur.pos), it.w.err)
		}
		return false
	}
	nd := it.w.cur
	ppos, bytes := nd.payloadPos, int(nd.pb)
	it.h = -1
	if bytes >= 8 { // hash byte first (PartitionIndex.FLAG_HAS_HASH_BYTE)
		if ppos >= len(it.p.b) {
			return it.fail(nd, "hash byte past the end")
		}
		it.h = int(it.p.b[ppos])
		ppos++
		bytes -= 7
	}
	if ppos+bytes > len(it.p.b) {
		return it.fail(nd, fmt.Sprintf("%d-byte payload past the end", bytes))
	}
	it.pos = readSigned(it.p.b[ppos:], bytes)
	it.n++
	return true
}

func (it *PartitionIterator) fail(nd trieNode, msg string) bool {
	it.err = wire.Errorf(it.p.path, format.Partitions, int64(nd.pos), wire.ErrCorrupt, "trie node at %d: %s", nd.pos, msg)
	return false
}

// Payload returns the current partition's index payload P: a Rows.db position when
// P >= 0, else ^P is the partition's Data.db position.
func (it *PartitionIterator) Payload() int64 { return it.pos }

// DataPosition returns ^P when the partition has no row index (ok), else ok is false
// and the position must be read from Rows.db at Payload().
func (it *PartitionIterator) DataPosition() (pos int64, ok bool) {
	if it.pos < 0 {
		return ^it.pos, true
	}
	return 0, false
}

// Path returns the transition bytes that led from the root to the current
// partition: the prefix of its key's byte-comparable form
// (DecoratedKey.asComparableBytes) that tells it from its neighbours
// (PartitionIndexBuilder). It is valid until the next call to Next.
func (it *PartitionIterator) Path() []byte { return it.w.path[:len(it.w.stack)-1] }

// Offset returns the Partitions.db offset of the current partition's trie node.
func (it *PartitionIterator) Offset() int64 { return int64(it.w.cur.pos) }

// HashByte returns the key-hash filter byte, or -1 if the payload has none.
func (it *PartitionIterator) HashByte() int { return it.h }

// Err returns the first error met, a *wire.FormatError wrapping wire.ErrCorrupt.
func (it *PartitionIterator) Err() error { return it.err }

// RowIndexEntry is the per-partition header stored in Rows.db (TrieIndexEntry).
type RowIndexEntry struct {
	Key          []byte // raw partition key; aliases the Rows.db bytes
	DataPosition int64  // partition start in the uncompressed Data.db
	Root         int64  // position of the partition's row index trie in Rows.db
	BlockCount   int32
	Deletion     rows.DeletionTime // partition-level deletion
}

// RowBlock is one row index block: where it starts and which range tombstone is
// open at its start (RowIndexReader.IndexInfo).
type RowBlock struct {
	Offset       int64 // relative to the partition start
	HasOpen      bool
	OpenDeletion rows.DeletionTime
}

// ReadRowIndexEntry reads the entry at pos in the Rows.db bytes b (the position a
// Partitions.db payload points to).
func ReadRowIndexEntry(path string, b []byte, pos int64, v format.Version) (RowIndexEntry, error) {
	if pos < 0 || pos >= int64(len(b)) {
		return RowIndexEntry{}, wire.Errorf(path, format.Rows, pos, wire.ErrCorrupt, "row index entry at %d outside [0, %d)", pos, len(b))
	}
	c := wire.NewCursor(b[pos:], pos)
	var e RowIndexEntry
	e.Key = c.Bytes16()
	base := c.FileOffset() // TrieIndexEntry.serialize: root is relative to just after the key
	dp := c.UVint()
	rd := c.Vint()
	bc := c.UVint()
	e.Deletion = rows.ReadDeletionTime(&c, v)
	if err := c.Err(); err != nil {
		return e, wire.Locate(path, format.Rows, pos, fmt.Errorf("row index entry at %d: %w", pos, err))
	}
	e.Root = base + rd
	if dp > math.MaxInt64 || bc > math.MaxInt32 || e.Root < 0 || e.Root >= pos {
		return e, wire.Errorf(path, format.Rows, pos, wire.ErrCorrupt,
			"row index entry at %d: data position %d, root %d (must precede the entry), %d blocks", pos, dp, e.Root, bc)
	}
	e.DataPosition, e.BlockCount = int64(dp), int32(bc)
	return e, nil
}

// RowBlocks appends to dst the blocks of the row index trie rooted at root, in
// clustering order (RowIndexReader payloads).
func RowBlocks(path string, b []byte, root int64, v format.Version, dst []RowBlock) ([]RowBlock, error) {
	w := newTrieWalker(b, root)
	for w.next() {
		nd := w.cur
		n := int(nd.pb &^ 8)
		c := wire.NewCursor(b[nd.payloadPos:], int64(nd.payloadPos))
		if n == 0 || c.Len() < n {
			return dst, wire.Errorf(path, format.Rows, int64(nd.pos), wire.ErrCorrupt, "row trie node at %d: payload flags %#x", nd.pos, nd.pb)
		}
		blk := RowBlock{Offset: readSigned(c.Bytes(n), n)}
		if nd.pb&8 != 0 {
			blk.HasOpen = true
			blk.OpenDeletion = rows.ReadDeletionTime(&c, v)
			if err := c.Err(); err != nil {
				return dst, wire.Locate(path, format.Rows, int64(nd.pos), err)
			}
		}
		dst = append(dst, blk)
	}
	if w.err != nil {
		return dst, wire.Locate(path, format.Rows, int64(w.cur.pos), w.err)
	}
	return dst, nil
}

// BTIReader iterates over the partitions of a BTI SSTable, joining Partitions.db
// and Rows.db into Entries. Like IndexReader, the Entry is valid until the next
// Next. Entry.Blocks stays empty; the row index is in Entry.RowBlocks unless
// Options.SkipBlocks is set.
type BTIReader struct {
	rowsPath string
	rows     []byte
	v        format.Version
	opts     Options
	it       *PartitionIterator
	e        Entry
	prev     int64
	err      error
}

// NewBTIReader opens the Partitions.db in partitions; rows is the Rows.db.
func NewBTIReader(partitionsPath string, partitions []byte, rowsPath string, rows []byte, v format.Version, opts Options) (*BTIReader, error) {
	p, err := OpenPartitionIndex(partitionsPath, partitions)
	if err != nil {
		return nil, err
	}
	return &BTIReader{rowsPath: rowsPath, rows: rows, v: v, opts: opts, it: p.Iter(), prev: -1}, nil
}

// Next advances to the next partition in token order.
func (r *BTIReader) Next() bool {
	if r.err != nil {
		return false
	}
	if !r.it.Next() {
		r.err = r.it.Err()
		if r.err == nil && r.it.n != r.it.p.KeyCount {
			// The footer's count is the only check on the trie's shape: a
			// pointer changed to skip a subtree still walks cleanly.
			r.err = wire.Errorf(r.it.p.path, format.Partitions, int64(len(r.it.p.b)), wire.ErrCorrupt,
				"the trie holds %d partitions, the footer says %d", r.it.n, r.it.p.KeyCount)
		}
		return false
	}
	e := &r.e
	*e = Entry{Deletion: rows.Live, IndexedOffset: -1, RowBlocks: e.RowBlocks[:0], KeyPrefix: r.it.Path(), TrieOffset: r.it.Offset(), HashByte: r.it.HashByte()}
	if pos, ok := r.it.DataPosition(); ok {
		e.Position = pos
	} else {
		re, err := ReadRowIndexEntry(r.rowsPath, r.rows, r.it.Payload(), r.v)
		if err != nil {
			r.err = err
			return false
		}
		e.Key, e.Position, e.Deletion, e.HasRowIndex, e.IndexedOffset = re.Key, re.DataPosition, re.Deletion, true, r.it.Payload()
		if !r.opts.SkipBlocks {
			e.RowBlocks, r.err = RowBlocks(r.rowsPath, r.rows, re.Root, r.v, e.RowBlocks)
			if r.err != nil {
				return false
			}
		}
	}
	if e.Position <= r.prev {
		r.err = wire.Errorf(r.it.p.path, format.Partitions, int64(r.it.w.cur.pos), wire.ErrCorrupt,
			"partition %d: data position %d not above previous %d", r.it.n-1, e.Position, r.prev)
		return false
	}
	r.prev = e.Position
	return true
}

// Entry returns the current partition, valid until the next call to Next.
func (r *BTIReader) Entry() *Entry { return &r.e }

// Err returns the first error met.
func (r *BTIReader) Err() error { return r.err }
