package inspect

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/aegisthus/aegisthus/internal/cql"
	"github.com/aegisthus/aegisthus/internal/cql/cqlparse"
	"github.com/aegisthus/aegisthus/internal/merge"
	"github.com/aegisthus/aegisthus/internal/rows"
	"github.com/aegisthus/aegisthus/internal/schema"
	"github.com/aegisthus/aegisthus/internal/sstable"
	"github.com/aegisthus/aegisthus/internal/sstable/format"
	"github.com/aegisthus/aegisthus/internal/sstable/index"
	"github.com/aegisthus/aegisthus/internal/storage"
	"github.com/aegisthus/aegisthus/internal/token"
)

// VerifyOptions adjust Verify.
type VerifyOptions struct {
	// Extended also reads every partition, row and cell of Data.db (what
	// sstableverify -e does): partitions in token and key order and where the
	// partition index says they are, rows in clustering order, range tombstones
	// opened and closed in pairs with one deletion time, and every clustering
	// and cell value valid for its type.
	Extended bool
	// Table is the user's schema: needed to read a pre-3.0 SSTable, and it
	// decides the frozen-ness of header UDTs as an export does.
	Table *cqlparse.Table
	// MaxFailures bounds the content failures reported per SSTable (0: 20):
	// past the first few, a broken file says little more.
	MaxFailures int
}

// Extended is what the extended read of one SSTable covered.
type Extended struct {
	Partitions int64 `json:"partitions"`
	Rows       int64 `json:"rows"`
	Markers    int64 `json:"range_tombstone_markers"`
	Cells      int64 `json:"cells"`
	// Skipped says why Data.db was not read, "" when it was.
	Skipped string `json:"skipped,omitempty"`
}

// VerifyWith is Verify with options: with Extended, once the checksums and
// components are checked, Data.db is read through (extend).
func VerifyWith(ctx context.Context, store storage.Store, d format.Descriptor, o VerifyOptions) (*VerifyResult, error) {
	res, err := Verify(ctx, store, d)
	if err != nil || !o.Extended {
		return res, err
	}
	res.Extended = &Extended{}
	for _, f := range res.Failures {
		if f.Chunk >= 0 || f.Component == format.Statistics || f.Component == format.CompressionInfo || f.Component == format.CRC {
			res.Extended.Skipped = "the chunks or components it needs failed the checks above"
			return res, nil
		}
	}
	if d.Version.IsLegacy() && o.Table == nil {
		res.Extended.Skipped = "a pre-3.0 SSTable is read with its table's schema (--schema)"
		return res, nil
	}
	if err := extend(ctx, store, d, o, res); err != nil {
		return nil, err
	}
	return res, nil
}

// walker holds the state of one extended read.
type walker struct {
	res   *VerifyResult
	ext   *Extended
	path  string
	max   int
	fails int
	tbl   *schema.Table
	cmp   merge.Comparator
	part  token.Partitioner

	// the previous partition
	prevTok, prevKey []byte
	hasPrev          bool
	// the previous unfiltered of the current partition
	prevClust [][]byte
	prevBound rows.BoundKind
	arena     []byte // prevClust's bytes
	hasRow    bool
	open      rows.DeletionTime
	openAt    int64
}

func (w *walker) fail(offset int64, format_ string, args ...any) {
	w.fails++
	if w.fails > w.max {
		return
	}
	msg := fmt.Sprintf(format_, args...)
	w.res.Failures = append(w.res.Failures, VerifyFailure{Path: w.path, Component: format.Data, Chunk: -1, Offset: offset,
		Error: fmt.Sprintf("%s: offset %d: %s", w.path, offset, msg)})
}

func extend(ctx context.Context, store storage.Store, d format.Descriptor, o VerifyOptions, res *VerifyResult) error {
	w := &walker{res: res, ext: res.Extended, path: d.Path(format.Data), max: o.MaxFailures}
	if w.max <= 0 {
		w.max = 20
	}
	sst, err := sstable.Open(store, d, sstable.Options{Table: o.Table})
	if err != nil {
		res.fail(d.Path(format.Data), format.Data, -1, -1, err)
		return nil
	}
	defer sst.Close()
	w.tbl = sst.Schema
	for _, c := range sst.Schema.Clustering {
		w.cmp.Types = append(w.cmp.Types, c.Type.Compare)
	}
	if w.part, err = token.ForName(sst.Meta.Validation.Partitioner); err != nil {
		// LocalPartitioner (system tables, index tables) orders partitions
		// by the key type itself.
		w.part = nil
	}
	idx := openIndex(store, d, sst)
	sc := sst.Scanner(0, sst.Chunks.Length())
	n := 0
	for sc.NextPartition() {
		if n++; n&1023 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		p := sc.Partition()
		w.partition(p, idx)
		for sc.Next() {
			w.unfiltered(sc.Unfiltered())
		}
		if sc.Err() != nil {
			break
		}
		if !w.open.IsLive() {
			w.fail(w.openAt, "partition %s ends with the range tombstone opened here still open", w.keyString(p.Key))
		}
	}
	if err := sc.Err(); err != nil {
		if errors.Is(err, context.Canceled) {
			return err
		}
		res.fail(d.Path(format.Data), format.Data, -1, sc.Offset(), err)
	} else if idx != nil && idx.Next() {
		e := idx.Entry()
		w.fail(e.Position, "the partition index lists a partition at %d after the last one of Data.db", e.Position)
	}
	if w.fails > w.max {
		res.Failures = append(res.Failures, VerifyFailure{Path: w.path, Component: format.Data, Chunk: -1, Offset: -1,
			Error: fmt.Sprintf("%s: %d more content failures not listed", w.path, w.fails-w.max)})
	}
	return nil
}

// openIndex opens the partition index for the read to follow, or returns nil
// when the SSTable has none (the checks before report a broken one).
func openIndex(store storage.Store, d format.Descriptor, sst *sstable.SSTable) index.Iterator {
	src := sstable.IndexSource(d)
	var err error
	if d.Version.Kind == format.BTI {
		if !sst.Has(format.Partitions) {
			return nil
		}
		if src.Partitions, err = sstable.ReadComponent(store, d, format.Partitions); err != nil {
			return nil
		}
		if sst.Has(format.Rows) {
			if src.Rows, err = sstable.ReadComponent(store, d, format.Rows); err != nil {
				return nil
			}
		}
	} else {
		if !sst.Has(format.Index) {
			return nil
		}
		if src.Index, err = sstable.ReadComponent(store, d, format.Index); err != nil {
			return nil
		}
	}
	it, err := index.Open(src, index.Options{SkipBlocks: true})
	if err != nil {
		return nil
	}
	return it
}

func (w *walker) keyString(k []byte) string {
	return fmt.Sprintf("0x%x", k)
}

// partition checks a partition header: token and key order, and the index entry.
func (w *walker) partition(p *rows.Partition, idx index.Iterator) {
	w.ext.Partitions++
	var tok []byte
	if w.part != nil {
		tok = w.part.AppendToken(w.prevTok[:0:0], p.Key)
	}
	if w.hasPrev {
		c := bytes.Compare(w.prevTok, tok)
		if w.part == nil {
			c = w.tbl.KeyType.Compare(w.prevKey, p.Key)
		}
		if c == 0 {
			c = bytes.Compare(w.prevKey, p.Key)
		}
		if c >= 0 {
			w.fail(p.Offset, "partition %s is not after the previous one %s in token and key order", w.keyString(p.Key), w.keyString(w.prevKey))
		}
	}
	w.prevTok, w.prevKey, w.hasPrev = tok, append(w.prevKey[:0], p.Key...), true
	if idx != nil {
		if !idx.Next() {
			w.fail(p.Offset, "partition %s is not in the partition index", w.keyString(p.Key))
		} else if e := idx.Entry(); e.Position != p.Offset || e.Key != nil && !bytes.Equal(e.Key, p.Key) {
			w.fail(p.Offset, "the partition index has partition %s at %d, Data.db has %s here", w.keyString(e.Key), e.Position, w.keyString(p.Key))
		}
	}
	if k := w.tbl.KeyType; k != nil {
		if err := k.Validate(p.Key); err != nil {
			w.fail(p.Offset, "partition key %s: %v", w.keyString(p.Key), err)
		}
	}
	w.hasRow, w.open = false, rows.Live
}

// unfiltered checks one row or range tombstone marker.
func (w *walker) unfiltered(u *rows.Unfiltered) {
	if u.Kind == rows.KindStatic {
		w.ext.Rows++
		w.cells(u, true)
		return
	}
	if u.Kind == rows.KindMarker && (u.Bound == rows.StaticClustering || u.Bound == rows.ClusteringKind) {
		w.fail(u.Offset, "range tombstone marker with bound kind %d (a row's or the static row's)", u.Bound)
		return
	}
	for i, v := range u.Clustering {
		if i >= len(w.tbl.Clustering) {
			w.fail(u.Offset, "clustering with %d values, the table has %d clustering columns", len(u.Clustering), len(w.tbl.Clustering))
			break
		}
		if v == nil {
			continue
		}
		if err := w.tbl.Clustering[i].Type.Validate(v); err != nil {
			w.fail(u.Offset, "clustering value %d (%s): %v", i, w.tbl.Clustering[i].Name, err)
		}
	}
	if w.hasRow && w.cmp.Compare(w.prevClust, w.prevBound, u.Clustering, u.Bound) >= 0 {
		w.fail(u.Offset, "out of clustering order: not after the previous row or marker")
	}
	w.prevClust, w.arena = w.prevClust[:0], w.arena[:0]
	for _, v := range u.Clustering {
		if v == nil {
			w.prevClust = append(w.prevClust, nil)
			continue
		}
		n := len(w.arena)
		w.arena = append(w.arena, v...)
		w.prevClust = append(w.prevClust, w.arena[n:len(w.arena):len(w.arena)])
	}
	w.prevBound, w.hasRow = u.Bound, true
	if u.Kind == rows.KindRow {
		w.ext.Rows++
		w.cells(u, false)
		return
	}
	w.ext.Markers++
	switch {
	case u.Bound.IsBoundary():
		if w.open.IsLive() {
			w.fail(u.Offset, "range tombstone boundary closes a range that is not open")
		} else if u.EndDeletion != w.open {
			w.fail(u.Offset, "range tombstone boundary closes deletion %v, the range opened at %d has %v", u.EndDeletion, w.openAt, w.open)
		}
		w.open, w.openAt = u.StartDeletion, u.Offset
	case u.Bound.IsStart():
		if !w.open.IsLive() {
			w.fail(u.Offset, "range tombstone opened while the one opened at %d is still open", w.openAt)
		}
		w.open, w.openAt = u.StartDeletion, u.Offset
	default:
		if w.open.IsLive() {
			w.fail(u.Offset, "range tombstone closed without having been opened")
		} else if u.EndDeletion != w.open {
			w.fail(u.Offset, "range tombstone closed with deletion %v, opened at %d with %v", u.EndDeletion, w.openAt, w.open)
		}
		w.open = rows.Live
	}
}

// cells validates every cell value of a row against its column's type.
func (w *walker) cells(u *rows.Unfiltered, static bool) {
	cols := w.tbl.Regular()
	if static {
		cols = w.tbl.Static()
	}
	for i := range u.Cells {
		c := &u.Cells[i]
		w.ext.Cells++
		if c.Column < 0 || c.Column >= len(cols) {
			w.fail(u.Offset, "cell of column %d, the header has %d", c.Column, len(cols))
			continue
		}
		col := &cols[c.Column]
		if c.Tombstone || col.Type.Kind == cql.Counter {
			continue
		}
		t := col.Type
		if t.IsMultiCell() {
			if pt := t.PathType(); pt != nil {
				if err := pt.Validate(c.Path); err != nil {
					w.fail(u.Offset, "column %s: cell path: %v", col.Name, err)
					continue
				}
			}
			if t.Kind == cql.UDT || t.Kind == cql.Tuple {
				if len(c.Path) != 2 {
					continue
				}
				t = t.FieldType(int(binary.BigEndian.Uint16(c.Path)))
				if t == nil {
					w.fail(u.Offset, "column %s: field %d of a user type with %d fields", col.Name, binary.BigEndian.Uint16(c.Path), len(col.Type.Params))
					continue
				}
			} else {
				t = t.CellValueType()
			}
		}
		if err := t.Validate(c.Value); err != nil {
			w.fail(u.Offset, "column %s: %v", col.Name, err)
		}
	}
}
