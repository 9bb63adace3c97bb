// Package partfile reads the part files of the partitions layout
// (docs/layout-partitions.md) back into the model the SSTable decoders yield
// (rows.Partition, rows.Unfiltered), so that a previous export can be merged with
// newer SSTables as one more sorted source: incremental runs. It also defines the
// canonical form of a partition's range deletions, which the layout's writer uses.
//
// A part file is JSON lines, one partition per line, in token order:
//
//	record := {"token":T, "key_hex":K, "key":{...}, ["deletion":D,] "rows":[row...], ["range_deletions":[range...]]}
//	row    := {("static":true | "clustering":[hex|null...]), ["liveness":{ts[,ttl,exp]}],
//	           ["deletion":{ts,ldt[,shadowable]}], ["collection_deletions":[{column,deletion}...]], "cells":[cell...]}
//	cell   := {"column":name, ["path":hex,] "ts":n, ("tombstone":true,"ldt":n | [ttl,ldt,] "value":hex)}
//	range  := {"start":[hex...], "start_kind":K, "end":[hex...], "end_kind":K, "deletion":{ts,ldt}}
//
// Range deletions follow the rows, so a reader holds one record whole: memory is
// one partition's record (at most Config.MaxRecord bytes), not one part file.
package partfile

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"math"

	"github.com/aegisthus/aegisthus/internal/merge"
	"github.com/aegisthus/aegisthus/internal/rows"
	"github.com/aegisthus/aegisthus/internal/sstable/wire"
)

// DefaultMaxRecord bounds one record (one partition's line) unless Config says
// otherwise. A record is held whole (its range deletions follow its rows), so
// this is the memory one part file may take: a part whose compressed bytes
// inflate to one huge line stops here, not at the end of memory.
const DefaultMaxRecord = 256 << 20

// Config is what a Reader knows of the table its records belong to.
type Config struct {
	// Table orders clustering values and says which columns are static and complex.
	Table *merge.Table
	// Columns maps a column name to its Table.Columns index. Cells of the records
	// carry these indexes: as a merge input, both column maps are the identity.
	Columns map[string]int
	// Lo and Hi, when set, keep only partitions whose token t has Lo < t <= Hi
	// (byte-comparable tokens). Records before Lo are skipped with their header
	// read only; the first record after Hi ends the stream without reading on.
	Lo, Hi []byte
	// PartLo and PartHi are the token range the file holds (its unit's range in
	// the export's manifest): a record outside it is corrupt.
	PartLo, PartHi []byte
	// MaxRecord bounds a record's length; 0 means DefaultMaxRecord.
	MaxRecord int
}

// Error locates a bad record: the file, its line (from 1) and the offset of the
// record's first byte in the file's uncompressed bytes. Err wraps wire.ErrCorrupt.
type Error struct {
	Path   string
	Line   int64
	Offset int64
	Err    error
}

func (e *Error) Error() string {
	return fmt.Sprintf("%s: line %d (offset %d): %v", e.Path, e.Line, e.Offset, e.Err)
}

func (e *Error) Unwrap() error { return e.Err }

// Reader streams the partitions of one part file. It implements rows.Stream:
// NextPartition and Next report exhaustion, Err is checked afterwards.
// Everything it returns aliases its record buffer: a partition's key, rows and
// markers are valid until the next NextPartition, an Unfiltered until the next
// Next. It is not safe for concurrent use.
type Reader struct {
	cfg  Config
	path string
	br   *bufio.Reader
	err  error
	eof  bool // read to the end of the file
	done bool // stopped at a record past Hi

	top    keySet // the record's top-level keys
	line   []byte // the current record, without its newline
	own    []byte // line's buffer when the record is longer than br's
	lineNo int64
	off    int64 // offset of the current record
	next   int64 // offset of the next record

	c, rc   cursor // c reads the record's fields, rc its rows
	tokStr  []byte
	tok     []byte
	prevTok []byte
	prevKey []byte
	part    rows.Partition

	rowsAt   int  // index of the rows array in line
	rowN     int  // rows read from it
	rowsDone bool // the rows array is read
	haveRow  bool // row holds the next row, not yet returned
	prev     [][]byte
	havePrev bool // prev is a regular row's clustering
	row      rows.Unfiltered
	mark     rows.Unfiltered
	cur      *rows.Unfiltered

	ranges []merge.RangeTombstone
	vals   [][]byte
	marks  []merge.RangeTombstone // canonical ranges of the partition
	mi     int                    // next marker: 2i opens marks[i], 2i+1 closes it
}

// NewReader returns a reader of the part file r; path names it in errors. A
// *bufio.Reader is used as is.
func NewReader(r io.Reader, path string, cfg Config) *Reader {
	if cfg.MaxRecord <= 0 {
		cfg.MaxRecord = DefaultMaxRecord
	}
	br, ok := r.(*bufio.Reader)
	if !ok {
		br = bufio.NewReaderSize(r, 256<<10)
	}
	return &Reader{cfg: cfg, path: path, br: br}
}

// Err returns the first error.
func (r *Reader) Err() error { return r.err }

// EOF reports whether the reader has read its file to the end.
func (r *Reader) EOF() bool { return r.eof }

// Partition returns the current partition's header.
func (r *Reader) Partition() *rows.Partition { return &r.part }

// Unfiltered returns the current row or range tombstone marker.
func (r *Reader) Unfiltered() *rows.Unfiltered { return r.cur }

func (r *Reader) corrupt(format string, args ...any) {
	if r.err == nil {
		r.err = &Error{Path: r.path, Line: r.lineNo, Offset: r.off,
			Err: fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), wire.ErrCorrupt)}
	}
}

// syntax turns a cursor's error into the reader's.
func (r *Reader) syntax(c *cursor) bool {
	if c.err == nil {
		return false
	}
	var se *syntaxError
	if errors.As(c.err, &se) {
		r.corrupt("%s", se.msg)
		if e, ok := r.err.(*Error); ok && se.at >= 0 {
			e.Err = fmt.Errorf("byte %d: %w", se.at, e.Err)
		}
	} else {
		r.corrupt("%v", c.err)
	}
	return true
}

// readLine reads the next record into r.line; false at the end or on error.
func (r *Reader) readLine() bool {
	r.off = r.next
	r.lineNo++
	b, err := r.br.ReadSlice('\n')
	if err == nil {
		r.line = b[:len(b)-1] // consumed: br never serves these bytes again
		r.next += int64(len(b))
		return true
	}
	r.own = append(r.own[:0], b...)
	for errors.Is(err, bufio.ErrBufferFull) {
		if len(r.own) > r.cfg.MaxRecord {
			r.corrupt("record longer than %d bytes uncompressed, the limit on one partition's record", r.cfg.MaxRecord)
			return false
		}
		b, err = r.br.ReadSlice('\n')
		r.own = append(r.own, b...)
	}
	r.next += int64(len(r.own))
	switch {
	case err == nil:
		r.line = r.own[:len(r.own)-1]
		return true
	case err == io.EOF && len(r.own) == 0:
		r.eof = true
		return false
	case err == io.EOF:
		r.corrupt("truncated record: %d bytes without a newline at the end of the file", len(r.own))
		return false
	}
	r.err = &Error{Path: r.path, Line: r.lineNo, Offset: r.off, Err: err}
	return false
}

// NextPartition advances to the next partition in (Lo, Hi].
func (r *Reader) NextPartition() bool {
	r.cur = nil
	for r.err == nil && !r.done && !r.eof {
		if !r.readLine() {
			return false
		}
		switch skip, ok := r.header(); {
		case !ok:
			return false
		case skip:
			continue
		}
		if !r.body() {
			return false
		}
		return true
	}
	return false
}

// header reads the record up to its token and key and checks them; skip says the
// record comes before Lo. Past Hi, it sets done.
func (r *Reader) header() (skip, ok bool) {
	r.c = cursor{b: r.line, str: r.c.str}
	c := &r.c
	r.rowsAt = -1
	r.part = rows.Partition{Deletion: rows.Live, Offset: r.off}
	r.ranges, r.vals = r.ranges[:0], r.vals[:0]
	var haveTok, haveKey bool
	if !c.open('{', '}') {
		if !r.syntax(c) {
			r.corrupt("empty record")
		}
		return false, false
	}
	r.top = keySet{}
	for {
		k := c.key()
		if r.top.repeat(k) {
			r.corrupt("field %q appears twice", k)
			return false, false
		}
		switch string(k) {
		case "token":
			r.tokStr = append(r.tokStr[:0], c.string()...)
			haveTok = true
		case "key_hex":
			r.part.Key = c.hex()
			haveKey = true
		default:
			if !r.field(k) {
				return false, false
			}
		}
		if r.syntax(c) {
			return false, false
		}
		more := c.more('}')
		if r.syntax(c) {
			return false, false
		}
		if haveTok && haveKey {
			return r.place(more)
		}
		if !more {
			break
		}
	}
	if !haveTok {
		r.corrupt("no token")
	} else {
		r.corrupt("no key_hex")
	}
	return false, false
}

// place checks the record's token and order and places it against the range;
// more says fields follow.
func (r *Reader) place(more bool) (skip, ok bool) {
	p := r.cfg.Table.Partitioner
	r.tok = p.AppendToken(r.tok[:0], r.part.Key)
	if want := p.FormatToken(r.tok); want != string(r.tokStr) {
		r.corrupt("token %q is not the token of key %x (%s)", r.tokStr, r.part.Key, want)
		return false, false
	}
	if r.prevTok != nil {
		c := bytes.Compare(r.tok, r.prevTok)
		if c == 0 {
			c = bytes.Compare(r.part.Key, r.prevKey)
		}
		if c <= 0 {
			r.corrupt("partition %x is not after the previous record's %x in token order", r.part.Key, r.prevKey)
			return false, false
		}
	}
	r.prevTok = append(r.prevTok[:0], r.tok...)
	r.prevKey = append(r.prevKey[:0], r.part.Key...)
	if (r.cfg.PartLo != nil && bytes.Compare(r.tok, r.cfg.PartLo) <= 0) || (r.cfg.PartHi != nil && bytes.Compare(r.tok, r.cfg.PartHi) > 0) {
		r.corrupt("token %s is outside the part's token range", r.tokStr)
		return false, false
	}
	if r.cfg.Lo != nil && bytes.Compare(r.tok, r.cfg.Lo) <= 0 {
		return true, true
	}
	if r.cfg.Hi != nil && bytes.Compare(r.tok, r.cfg.Hi) > 0 {
		r.done = true
		return false, false
	}
	if more {
		c := &r.c
		for {
			k := c.key()
			if r.top.repeat(k) {
				r.corrupt("field %q appears twice", k)
				return false, false
			}
			if !r.field(k) || r.syntax(c) {
				return false, false
			}
			if !c.more('}') {
				break
			}
		}
		if r.syntax(c) {
			return false, false
		}
	}
	if c := &r.c; c.peek() != 0 {
		r.corrupt("data after the record at byte %d", c.i)
		return false, false
	}
	if r.rowsAt < 0 {
		r.corrupt("no rows")
		return false, false
	}
	return false, true
}

// field reads one top-level field other than token and key_hex.
func (r *Reader) field(k []byte) bool {
	c := &r.c
	switch string(k) {
	case "token", "key_hex":
		r.corrupt("%s appears twice", k)
		return false
	case "deletion":
		d, _ := r.deletion(c, false)
		r.part.Deletion = d
	case "rows":
		if r.rowsAt >= 0 {
			r.corrupt("rows appear twice")
			return false
		}
		c.peek()
		r.rowsAt = c.i
		c.skip()
	case "range_deletions":
		if c.open('[', ']') {
			for {
				r.rangeDeletion(c)
				if !c.more(']') {
					break
				}
			}
		}
	default:
		c.skip() // "key" (for people), or a field a later version adds
	}
	return r.err == nil
}

// deletion reads {"ts":n,"ldt":n[,"shadowable":true]}.
func (r *Reader) deletion(c *cursor, allowShadowable bool) (d rows.DeletionTime, shadowable bool) {
	var haveTS, haveLDT bool
	r.object(c, func(k []byte) {
		switch string(k) {
		case "ts":
			d.MarkedForDeleteAt, haveTS = c.int(), true
		case "ldt":
			d.LocalDeletionTime, haveLDT = c.int(), true
		case "shadowable":
			shadowable = c.bool()
			if !allowShadowable {
				r.corrupt("only a row deletion is shadowable")
			}
		default:
			c.skip()
		}
	})
	if c.err == nil && (!haveTS || !haveLDT) && r.err == nil {
		r.corrupt("a deletion needs ts and ldt")
	}
	return d, shadowable
}

// prefix reads a clustering prefix: hex values, null for a null value.
func (r *Reader) prefix(c *cursor, dst [][]byte) [][]byte {
	n := len(dst)
	if c.open('[', ']') {
		for {
			dst = append(dst, c.hexOrNull())
			if !c.more(']') {
				break
			}
		}
	}
	if len(dst)-n > len(r.cfg.Table.Clustering.Types) && r.err == nil {
		r.corrupt("%d clustering values, the table has %d clustering columns", len(dst)-n, len(r.cfg.Table.Clustering.Types))
	}
	return dst
}

func (r *Reader) kind(c *cursor, start bool) rows.BoundKind {
	switch k := string(c.string()); {
	case k == "inclusive" && start:
		return rows.InclStartBound
	case k == "exclusive" && start:
		return rows.ExclStartBound
	case k == "inclusive":
		return rows.InclEndBound
	case k == "exclusive":
		return rows.ExclEndBound
	case c.err == nil:
		r.corrupt("bound kind %q: want inclusive or exclusive", k)
	}
	return rows.InclStartBound
}

func (r *Reader) rangeDeletion(c *cursor) {
	var rt merge.RangeTombstone
	var have [5]bool
	r.object(c, func(k []byte) {
		switch string(k) {
		case "start":
			n := len(r.vals)
			r.vals = r.prefix(c, r.vals)
			rt.Start, have[0] = r.vals[n:len(r.vals):len(r.vals)], true
		case "start_kind":
			rt.StartKind, have[1] = r.kind(c, true), true
		case "end":
			n := len(r.vals)
			r.vals = r.prefix(c, r.vals)
			rt.End, have[2] = r.vals[n:len(r.vals):len(r.vals)], true
		case "end_kind":
			rt.EndKind, have[3] = r.kind(c, false), true
		case "deletion":
			rt.Deletion, _ = r.deletion(c, false)
			have[4] = true
		default:
			c.skip()
		}
	})
	if c.err == nil && r.err == nil && have != [5]bool{true, true, true, true, true} {
		r.corrupt("a range deletion needs start, start_kind, end, end_kind and deletion")
	}
	r.ranges = append(r.ranges, rt)
}

// body prepares the rows and markers of the partition placed by header.
func (r *Reader) body() bool {
	r.marks = Canonical(&r.cfg.Table.Clustering, r.part.Deletion, r.ranges)
	r.mi = 0
	r.rc = cursor{b: r.line, i: r.rowsAt, str: r.rc.str}
	r.rowN, r.rowsDone, r.haveRow = 0, false, false
	r.prev, r.havePrev = r.prev[:0], false
	return r.err == nil
}

// Next advances to the next row or range tombstone marker of the partition, in
// clustering order (the static row first).
func (r *Reader) Next() bool {
	r.cur = nil
	if r.err != nil || r.rowsAt < 0 {
		return false
	}
	if !r.haveRow && !r.rowsDone {
		r.readRow()
		if r.err != nil {
			return false
		}
	}
	if r.mi < 2*len(r.marks) {
		m := &r.marks[r.mi/2]
		vals, kind := m.Start, m.StartKind
		if r.mi%2 == 1 {
			vals, kind = m.End, m.EndKind
		}
		if !r.haveRow || r.cfg.Table.Clustering.Compare(vals, kind, r.row.Clustering, r.row.Bound) < 0 {
			r.mark = rows.Unfiltered{Kind: rows.KindMarker, Offset: r.off, Clustering: vals, Bound: kind,
				EndDeletion: rows.Live, StartDeletion: rows.Live, Deletion: rows.Live, ShadowableDeletion: rows.Live,
				Liveness: rows.EmptyLiveness}
			if r.mi%2 == 0 {
				r.mark.StartDeletion = m.Deletion
			} else {
				r.mark.EndDeletion = m.Deletion
			}
			r.mi++
			r.cur = &r.mark
			return true
		}
	}
	if r.haveRow {
		r.haveRow = false
		r.cur = &r.row
		return true
	}
	return false
}

// readRow reads the next element of the rows array into r.row.
func (r *Reader) readRow() {
	c := &r.rc
	if r.rowN == 0 {
		if !c.open('[', ']') {
			r.rowsDone = true
			r.syntax(c)
			return
		}
	} else if !c.more(']') {
		r.rowsDone = true
		r.syntax(c)
		return
	}
	r.prev = append(r.prev[:0], r.row.Clustering...)
	u := &r.row
	*u = rows.Unfiltered{Kind: rows.KindRow, Offset: r.off, Bound: rows.ClusteringKind, Clustering: u.Clustering[:0],
		Liveness: rows.EmptyLiveness, Deletion: rows.Live, ShadowableDeletion: rows.Live,
		EndDeletion: rows.Live, StartDeletion: rows.Live, Cells: u.Cells[:0], ComplexDeletions: u.ComplexDeletions[:0]}
	var haveClustering, haveCells bool
	r.object(c, func(k []byte) {
		switch string(k) {
		case "static":
			if c.bool() {
				u.Kind, u.Bound = rows.KindStatic, rows.StaticClustering
			}
		case "clustering":
			u.Clustering = r.prefix(c, u.Clustering)
			haveClustering = true
		case "liveness":
			r.liveness(c, &u.Liveness)
		case "deletion":
			d, sh := r.deletion(c, true)
			if sh {
				u.ShadowableDeletion = d
			} else {
				u.Deletion = d
			}
		case "collection_deletions":
			r.complexDeletions(c, u)
		case "cells":
			r.cells(c, u)
			haveCells = true
		default:
			c.skip()
		}
	})
	if r.syntax(c) || r.err != nil {
		return
	}
	switch {
	case !haveCells:
		r.corrupt("row %d has no cells", r.rowN)
	case u.Kind == rows.KindStatic && (haveClustering || r.rowN > 0):
		r.corrupt("row %d: a static row comes first and has no clustering", r.rowN)
	case u.Kind == rows.KindRow && !haveClustering:
		r.corrupt("row %d has no clustering", r.rowN)
	case u.Kind == rows.KindRow && r.havePrev &&
		r.cfg.Table.Clustering.Compare(r.prev, rows.ClusteringKind, u.Clustering, rows.ClusteringKind) >= 0:
		r.corrupt("row %d is not after the row before it in clustering order", r.rowN)
	}
	r.havePrev = u.Kind == rows.KindRow
	r.rowN++
	r.haveRow = r.err == nil
}

// liveness reads {"ts":n[,"ttl":n,"exp":n]}.
func (r *Reader) liveness(c *cursor, l *rows.Liveness) {
	var haveTS, haveTTL, haveExp bool
	r.object(c, func(k []byte) {
		switch string(k) {
		case "ts":
			l.Timestamp, haveTS = c.int(), true
		case "ttl":
			l.TTL, haveTTL = r.ttl(c), true
		case "exp":
			l.LocalExpirationTime, haveExp = c.int(), true
		default:
			c.skip()
		}
	})
	if c.err == nil && r.err == nil && (!haveTS || haveTTL != haveExp) {
		r.corrupt("row %d: a liveness needs ts, and exp with ttl", r.rowN)
	}
}

func (r *Reader) ttl(c *cursor) int32 {
	v := c.int()
	if c.err == nil && (v < 0 || v > math.MaxInt32) && r.err == nil {
		r.corrupt("row %d: ttl %d out of range", r.rowN, v)
	}
	return int32(v)
}

// column reads a column name and returns its index, checking that the column is
// static in a static row, regular otherwise.
func (r *Reader) column(c *cursor, u *rows.Unfiltered) int {
	name := c.string()
	if c.err != nil {
		return 0
	}
	i, ok := r.cfg.Columns[string(name)]
	if !ok {
		r.corrupt("row %d: the table has no column %q", r.rowN, name)
		return 0
	}
	if r.cfg.Table.Columns[i].Static != (u.Kind == rows.KindStatic) {
		r.corrupt("row %d: column %q is static in a regular row or regular in the static row", r.rowN, name)
	}
	return i
}

func (r *Reader) complexDeletions(c *cursor, u *rows.Unfiltered) {
	if !c.open('[', ']') {
		return
	}
	for {
		cd := rows.ComplexDeletion{Column: -1, Deletion: rows.Live}
		var haveDel bool
		r.object(c, func(k []byte) {
			switch string(k) {
			case "column":
				cd.Column = r.column(c, u)
			case "deletion":
				cd.Deletion, _ = r.deletion(c, false)
				haveDel = true
			default:
				c.skip()
			}
		})
		if c.err != nil || r.err != nil {
			return
		}
		switch n := len(u.ComplexDeletions); {
		case cd.Column < 0 || !haveDel:
			r.corrupt("row %d: a collection deletion needs column and deletion", r.rowN)
		case !r.cfg.Table.Columns[cd.Column].Complex:
			r.corrupt("row %d: collection deletion of column %d, which is not a collection", r.rowN, cd.Column)
		case n > 0 && u.ComplexDeletions[n-1].Column >= cd.Column:
			r.corrupt("row %d: collection deletions out of column order", r.rowN)
		}
		if r.err != nil {
			return
		}
		u.ComplexDeletions = append(u.ComplexDeletions, cd)
		if !c.more(']') {
			return
		}
	}
}

func (r *Reader) cells(c *cursor, u *rows.Unfiltered) {
	if !c.open('[', ']') {
		return
	}
	for {
		cell := rows.Cell{Column: -1, LocalDeletionTime: rows.NoDeletionTime}
		var haveTS, haveLDT, haveValue, havePath bool
		r.object(c, func(k []byte) {
			switch string(k) {
			case "column":
				cell.Column = r.column(c, u)
			case "path":
				cell.Path, havePath = c.hex(), true
			case "ts":
				cell.Timestamp, haveTS = c.int(), true
			case "tombstone":
				cell.Tombstone = c.bool()
			case "ttl":
				cell.TTL = r.ttl(c)
			case "ldt":
				cell.LocalDeletionTime, haveLDT = c.int(), true
			case "value":
				cell.Value, haveValue = c.hex(), true
			default:
				c.skip()
			}
		})
		if c.err != nil || r.err != nil {
			return
		}
		r.checkCell(u, &cell, haveTS, haveLDT, haveValue, havePath)
		if r.err != nil {
			return
		}
		u.Cells = append(u.Cells, cell)
		if !c.more(']') {
			return
		}
	}
}

func (r *Reader) checkCell(u *rows.Unfiltered, cell *rows.Cell, haveTS, haveLDT, haveValue, havePath bool) {
	if cell.Column < 0 || !haveTS {
		r.corrupt("row %d: a cell needs column and ts", r.rowN)
		return
	}
	col := &r.cfg.Table.Columns[cell.Column]
	switch {
	case col.Complex != havePath:
		r.corrupt("row %d: cell of column %d: a path belongs to the cells of non-frozen collections and UDTs only", r.rowN, cell.Column)
	case cell.Tombstone && (!haveLDT || haveValue || cell.TTL != rows.NoTTL):
		r.corrupt("row %d: a cell tombstone has ldt, and no ttl or value", r.rowN)
	case !cell.Tombstone && (!haveValue || (cell.TTL != rows.NoTTL) != haveLDT):
		r.corrupt("row %d: a live cell has a value, and ldt with ttl", r.rowN)
	}
	if r.err != nil {
		return
	}
	if n := len(u.Cells); n > 0 {
		p := &u.Cells[n-1]
		order := p.Column - cell.Column
		if order == 0 && col.Complex {
			order = col.PathCompare(p.Path, cell.Path)
		}
		if order >= 0 {
			r.corrupt("row %d: cells out of column and path order", r.rowN)
		}
	}
}

// object reads one JSON object, calling field with each key and the cursor at
// its value, which field must consume. A repeated key is corrupt: see keySet.
func (r *Reader) object(c *cursor, field func(k []byte)) {
	if !c.open('{', '}') {
		return
	}
	var seen keySet
	for {
		k := c.key()
		if seen.repeat(k) {
			r.corrupt("field %q appears twice", k)
			return
		}
		field(k)
		if !c.more('}') || r.err != nil {
			return
		}
	}
}

// keySet catches a key repeated within one JSON object. The writer never
// repeats one, and a reader that took either copy (or both) would give the same
// bytes two readings; FuzzReader found a record whose two "clustering" arrays
// were read as one, which did not read back.
type keySet struct {
	n    int
	keys [12][]byte // aliases the record's line, valid while its object is read
}

// repeat records k and reports whether it was seen before. Keys past the
// twelfth of an object are not tracked (no object of the layout has that many).
func (s *keySet) repeat(k []byte) bool {
	for _, seen := range s.keys[:s.n] {
		if bytes.Equal(seen, k) {
			return true
		}
	}
	if s.n < len(s.keys) {
		s.keys[s.n] = k
		s.n++
	}
	return false
}
