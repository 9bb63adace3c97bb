package render

import (
	"encoding/binary"
	"fmt"
	"math"
	"strconv"
	"time"

	"github.com/aegisthus/aegisthus/internal/cql"
	"github.com/aegisthus/aegisthus/internal/javafmt"
	"github.com/aegisthus/aegisthus/internal/merge"
	"github.com/aegisthus/aegisthus/internal/render/cqljson"
	"github.com/aegisthus/aegisthus/internal/rows"
	"github.com/aegisthus/aegisthus/internal/schema"
	"github.com/aegisthus/aegisthus/internal/sstable"
)

// Dump renders one SSTable's partitions as Cassandra 5.0's sstabledump does
// (tools/JsonTransformer.java): every row, cell, tombstone and marker as stored,
// nothing merged or purged. Pretty (the default), the output is sstabledump's
// bytes: its Jackson pretty printer is reproduced by jsonGen, and the calls below
// are JsonTransformer's, in its order, with its indenter switches. Unpretty
// (dump -l), each partition is one compact JSON object.
type Dump struct {
	s *schema.Table
	// staticCols and regularCols are s.Static() and s.Regular(), taken once.
	staticCols, regularCols []schema.Column
	raw                     bool  // -t: raw timestamps instead of ISO-8601
	now                     int64 // for the "expired" flags (sstabledump uses the wall clock)
	// The "name" strings of the static and regular columns, JSON-encoded once:
	// quoting them per cell cost a twentieth of a dump.
	staticNames, regularNames [][]byte
	// staticRender and regularRender are how each column's cells render,
	// and clusteringRender each clustering column's values.
	staticRender, regularRender []colRender
	clusteringRender            []cqljson.Appender
	// pathValue is f.pathValue as a frag (at most 16 bytes: row stores its
	// first 16 inline).
	pathValue frag
	// f holds the constant pieces of a cell in the layout chosen, and
	// static and regular each column's cell openings: a cell is a few
	// appends, not a generator call per token.
	f               *cellFrags
	static, regular cellOpenings
	g               jsonGen
	// spiller writes a partition's bytes out while it is rendered (StreamTo).
	spiller
	// scratch and comps are reused per value and per key: a dump allocating
	// per cell ran the collector hundreds of times on a 4 MB heap, and its
	// write barriers cost a tenth of the CPU.
	scratch []byte
	comps   [][]byte
	// micros and secs are the last instant formatted in each unit: a row's
	// cells written by one UPDATE, or with one TTL, repeat it.
	micros, secs lastInstant
	// fields are the hot call sites' field caches, and rowOpens and
	// rowCloses what a row's opening and end wrote (rowOpen, rowClose).
	fields    [nFields]fieldCache
	rowOpens  [2][2]seqCache
	rowCloses [2]seqCache
	// partOpens and partRows are what a partition's opening up to its key
	// and the end of its "partition" object up to its rows array wrote
	// (partOpen, partRows), by whether an entry came before.
	partOpens, partRows [2]seqCache
	// del and live are the last deletion and liveness bodies rendered: a
	// row's complex deletions share one, and rows written together their
	// liveness.
	del  deletionBody
	live livenessBody
	// objEnd is f.end as a frag (at most 16 bytes: row stores its first 16
	// inline), as pathValue.
	objEnd frag
}

// The call sites of jsonGen.cachedField, one cache each.
const (
	fTableKind = iota
	fPartition
	fKey
	fPartitionPosition
	fRows
	fType
	fPosition
	fClustering
	fLiveness
	fDeletion
	fCells
	nFields
)

// colRender is how a column's cells are rendered, chosen once per column:
// the Appender of its values (a collection's elements or values), and
// whether its path is text, whose getString form is the path itself, so
// that its JSON string is Append's, escaped and validated in one pass.
type colRender struct {
	value, path cqljson.Appender
	textPath    bool
	// fast: row writes the column's common cells itself: not a counter
	// (its value is not Append's), not a UDT's field (of a type per field),
	// not a path of another type than text.
	fast bool
	// emptyOK: an empty value (a set's element cell) renders as
	// emptyValue, constant for the type; cellOpenings fold it with the
	// path's end and the cell's end into one piece.
	emptyOK    bool
	emptyValue []byte
	// textValue: the values are text (cqljson.AppendQuoted).
	textValue bool
}

func colRenders(cols []schema.Column) []colRender {
	out := make([]colRender, len(cols))
	for i := range cols {
		t := cols[i].Type
		if !t.IsMultiCell() {
			out[i].value = cqljson.NewAppender(t)
			out[i].fast = t.Kind != cql.Counter
			continue
		}
		if t.Kind == cql.UDT {
			continue // per field: cell uses Append
		}
		out[i].value = cqljson.NewAppender(t.CellValueType())
		out[i].textPath = t.PathType().Kind == cql.Text
		out[i].path = cqljson.NewAppender(t.PathType())
		out[i].fast = out[i].textPath && t.CellValueType().Kind != cql.Counter
	}
	for i := range out {
		out[i].textValue = out[i].value.Text()
		if out[i].fast {
			// What Append writes for an empty value depends on the type
			// alone: rendered once.
			v, err := out[i].value.Append(nil, nil)
			out[i].emptyOK, out[i].emptyValue = err == nil, v
		}
	}
	return out
}

type deletionBody struct {
	ok  bool
	of  rows.DeletionTime
	out frag
}

// livenessBody is the liveness_info field and its object: key is the
// generator's state before the field.
type livenessBody struct {
	ok  bool
	of  rows.Liveness
	key seqKey
	out frag
}

// cellOpenings are, per column, what opens its cells in a cells array at
// nesting (its entries' indentation): the separator from the entry before,
// the object up to its name, and the field that follows (path or value for
// a cell, deletion_info for a complex deletion): [1] with the separator,
// [0] without it, for the first entry of an array.
type cellOpenings struct {
	nesting int  // -1: not built
	compact bool // the array indenter's switch they were built for
	cols    []cellCol
}

// cellCol is one column's openings, with how its cells render: one index
// in the row's loop.
type cellCol struct {
	colRender
	cell, del [2]frag
	// emptyEnd is what follows a text path whose value is empty: the
	// path's end, the value field, emptyValue and the cell's end.
	emptyEnd frag
}

// openings returns the cell openings of cols at the generator's nesting and
// array indenter, building them when either changed (neither does within a
// dump: rows are all at the same depth, their cells arrays expanded).
func (d *Dump) openings(o *cellOpenings, cols []schema.Column, names [][]byte, render []colRender) *cellOpenings {
	g := &d.g
	if o.nesting == g.nesting && o.compact == g.arrCompact {
		return o
	}
	o.nesting, o.compact = g.nesting, g.arrCompact
	sep := []byte{','}
	switch {
	case !g.pretty:
	case g.arrCompact:
		sep = append(sep, ' ')
	default:
		sep = append(sep, '\n')
		for range g.nesting {
			sep = append(sep, ' ', ' ')
		}
	}
	o.cols = make([]cellCol, len(cols))
	for i := range cols {
		head := append(append(append([]byte(nil), sep...), d.f.head...), names[i]...)
		field := d.f.value
		if cols[i].Type.IsMultiCell() {
			field = d.f.path
		}
		cell := append(append([]byte(nil), head...), field...)
		del := append(head, d.f.deletionField...)
		oc := &o.cols[i]
		oc.colRender = render[i]
		oc.cell[0].set(cell[1:])
		oc.cell[1].set(cell)
		oc.del[0].set(del[1:])
		oc.del[1].set(del)
		if end := append(append([]byte(d.f.pathValue), oc.emptyValue...), d.f.end...); oc.textPath && oc.emptyOK && len(end) <= fragSize {
			oc.emptyEnd.set(end)
		} else {
			oc.emptyOK = false
		}
	}
	return o
}

// cellFrags are the constant pieces of a cell object after its name, and of
// a deletion's object, as JsonTransformer writes them with the object
// indenter compact.
type cellFrags struct {
	head                                         string // before the name
	value, path, tstamp, ttl, expiresAt, expired string
	pathValue                                    string // a path's end, then value
	deletionField                                string
	markedDeleted, localDeleteTime               string
	end                                          string
}

var prettyFrags = cellFrags{head: `{ "name" : `, value: `, "value" : `, path: `, "path" : [ `, pathValue: ` ], "value" : `,
	tstamp: `, "tstamp" : `, ttl: `, "ttl" : `, expiresAt: `, "expires_at" : `, expired: `, "expired" : `, deletionField: `, "deletion_info" : `,
	markedDeleted: `{ "marked_deleted" : `, localDeleteTime: `, "local_delete_time" : `, end: ` }`}

var compactFrags = cellFrags{head: `{"name":`, value: `,"value":`, path: `,"path":[`, pathValue: `],"value":`,
	tstamp: `,"tstamp":`, ttl: `,"ttl":`, expiresAt: `,"expires_at":`, expired: `,"expired":`, deletionField: `,"deletion_info":`,
	markedDeleted: `{"marked_deleted":`, localDeleteTime: `,"local_delete_time":`, end: `}`}

// lastInstant is an instant as appendTime wrote it (quotes included, at most
// 32 bytes: "yyyy-MM-ddTHH:mm:ss.nnnnnnnnnZ" or -t's digits), copied back
// with two 16-byte stores where formatting it again costs ~150 instructions.
type lastInstant struct {
	ok  bool
	v   int64
	n   int
	out [32]byte
}

// NewDump returns a renderer for SSTables with schema s. pretty selects
// sstabledump's layout (one document: Begin, partitions or keys, End); unset,
// each partition or key is compact JSON on its own.
func NewDump(s *schema.Table, rawTimestamps, pretty bool, now int64) *Dump {
	names := func(cols []schema.Column) [][]byte {
		out := make([][]byte, len(cols))
		for i := range cols {
			out[i] = cqljson.AppendJSONString(nil, []byte(cql.QuoteIdent(cols[i].Name)))
		}
		return out
	}
	d := &Dump{s: s, raw: rawTimestamps, now: now, staticCols: s.Static(), regularCols: s.Regular(),
		staticNames: names(s.Static()), regularNames: names(s.Regular()), f: &compactFrags,
		staticRender: colRenders(s.Static()), regularRender: colRenders(s.Regular())}
	for _, c := range s.Clustering {
		d.clusteringRender = append(d.clusteringRender, cqljson.NewAppender(c.Type))
	}
	if pretty {
		d.f = &prettyFrags
	}
	d.pathValue.set([]byte(d.f.pathValue))
	d.objEnd.set([]byte(d.f.end))
	d.static.nesting, d.regular.nesting = -1, -1
	d.g.pretty = pretty
	d.g.open = make([]genContext, 0, 16)
	return d
}

// Begin starts a pretty document (sstabledump's outer array) at dst.
func (d *Dump) Begin(dst []byte) []byte {
	d.g.reset(dst)
	if d.g.pretty {
		d.g.startArray()
	}
	return d.g.b
}

// End closes what Begin opened. sstabledump ends its output with the bracket:
// no newline.
func (d *Dump) End(dst []byte) []byte {
	d.g.b = dst
	if d.g.pretty {
		d.g.endArray()
	}
	return d.g.b
}

// AppendKey appends the partition key as sstabledump's key array (one string per
// component, each in its type's getString form): a key of -e, or the value of a
// partition's "key" field (JsonTransformer.serializePartitionKey).
func (d *Dump) AppendKey(dst, key []byte) ([]byte, error) {
	d.g.b = dst
	if err := d.key(key); err != nil {
		return d.g.b, err
	}
	return d.spill(d.g.b)
}

func (d *Dump) key(key []byte) error {
	g := &d.g
	g.objCompact = true
	g.arrCompact = true
	g.startArray()
	kt := d.s.KeyType
	if kt.Kind == cql.Composite {
		comps, err := cql.AppendComponents(d.comps[:0], key)
		d.comps = comps
		if err != nil {
			return fmt.Errorf("partition key: %w", err)
		}
		for i, c := range comps {
			if i >= len(kt.Params) {
				break
			}
			if err := d.stringOf(kt.Params[i], c); err != nil {
				return err
			}
		}
	} else if err := d.stringOf(kt, key); err != nil {
		return err
	}
	g.endArray()
	g.objCompact = false
	g.arrCompact = false
	return nil
}

// KeyString is the key as sstabledump's -x option compares it (type.getString of
// the whole key).
func (d *Dump) KeyString(key []byte) (string, error) {
	b, err := cqljson.AppendString(nil, d.s.KeyType, key)
	return string(b), err
}

// stringOf writes t's getString form of v as a JSON string.
func (d *Dump) stringOf(t *cql.Type, v []byte) error {
	if plainString(t, v) {
		// Text, int and bigint (a partition key's usual components) in one
		// pass: the general path below cost ~390 instructions a component,
		// a fifth of a partition's rendering on the benchmark table.
		g := &d.g
		at := len(g.b)
		g.value()
		if t.Kind != cql.Text {
			b := append(g.b, '"')
			if len(v) == 4 {
				b = javafmt.AppendInt(b, int64(int32(binary.BigEndian.Uint32(v))))
			} else {
				b = javafmt.AppendInt(b, int64(binary.BigEndian.Uint64(v)))
			}
			g.b = append(b, '"')
			return nil
		}
		var ok bool
		if g.b, ok = cqljson.AppendQuoted(g.b, v); ok {
			return nil
		}
		g.b = g.b[:at] // not UTF-8: the general path's error, nothing written
	}
	s, err := cqljson.AppendString(d.scratch[:0], t, v)
	d.scratch = s
	if err != nil {
		return fmt.Errorf("%s value: %w", t.CQL(), err)
	}
	d.g.value()
	d.g.b = cqljson.AppendJSONString(d.g.b, s)
	return nil
}

// plainString reports whether stringOf's one pass renders v of type t: text
// (its getString form is itself, escaped and checked as UTF-8 by
// cqljson.AppendQuoted), or an int or bigint of its width (getString is the
// number).
func plainString(t *cql.Type, v []byte) bool {
	switch t.Kind {
	case cql.Text:
		return true
	case cql.Int:
		return len(v) == 4
	case cql.Bigint:
		return len(v) == 8
	}
	return false
}

// AppendPartition renders the partition the scanner is on, reading all of it
// (JsonTransformer.serializePartition); after StreamTo, writing as it goes.
func (d *Dump) AppendPartition(dst []byte, sc sstable.Partitions) ([]byte, error) {
	d.g.b = dst
	if err := d.partition(sc); err != nil {
		return d.g.b, err
	}
	return d.spill(d.g.b)
}

func (d *Dump) partition(sc sstable.Partitions) error {
	g := &d.g
	p := sc.Partition()
	// Cassandra 5.0's scanner has read the key, the deletion and the static row by
	// the time sstabledump asks for its position: the partition and its static row
	// are both reported at the offset of the first unfiltered after them.
	more := sc.Next()
	u := sc.Unfiltered()
	pos := sc.Offset()
	switch {
	case !more:
		pos-- // the end-of-partition byte, not yet read in Cassandra's scanner
	case u.Kind != rows.KindStatic:
		pos = u.Offset
	}
	d.partOpen()
	if err := d.key(p.Key); err != nil {
		return err
	}
	g.cachedField(&d.fields[fPartitionPosition], "position")
	d.number(pos)
	if !p.Deletion.IsLive() {
		d.deletion(p.Deletion)
	}
	d.partRowsOpen()
	for ; more; more = sc.Next() {
		u := sc.Unfiltered()
		if u.Kind == rows.KindStatic && len(u.Cells) == 0 && len(u.ComplexDeletions) == 0 && u.Liveness.IsEmpty() {
			continue // an empty static row is not printed
		}
		if u.Kind == rows.KindMarker {
			d.marker(u)
		} else {
			if u.Kind == rows.KindStatic {
				u.Offset = pos
			}
			if err := d.row(u); err != nil {
				return fmt.Errorf("row at %d: %w", u.Offset, err)
			}
		}
		var err error
		if g.b, err = d.spill(g.b); err != nil {
			return err
		}
	}
	if err := sc.Err(); err != nil {
		return err
	}
	g.endArray()
	g.endObject()
	return nil
}

func (d *Dump) number(v int64) {
	d.g.value()
	d.g.b = javafmt.AppendInt(d.g.b, v)
}

func (d *Dump) boolean(v bool) {
	d.g.value()
	d.g.b = strconv.AppendBool(d.g.b, v)
}

func (d *Dump) time(v int64, unit time.Duration) {
	d.g.value()
	d.g.b = d.appendCachedTime(d.g.b, v, unit)
}

// appendCachedTime is appendTime through the last instant of the unit.
func (d *Dump) appendCachedTime(b []byte, v int64, unit time.Duration) []byte {
	c := &d.secs
	if unit == time.Microsecond {
		c = &d.micros
	}
	l := len(b)
	if cap(b)-l < 32 {
		b = growFragN(b, 32)
	}
	if c.ok && c.v == v {
		out := (*[32]byte)(b[l : l+32])
		*(*[16]byte)(out[:16]) = *(*[16]byte)(c.out[:16])
		*(*[16]byte)(out[16:]) = *(*[16]byte)(c.out[16:])
		return b[:l+c.n]
	}
	b = d.appendTime(b, v, unit)
	if n := len(b) - l; n <= 32 && cap(b)-l >= 32 {
		c.ok, c.v, c.n = true, v, n
		c.out = *(*[32]byte)(b[l : l+32]) // what appendTime wrote, and bytes past it
	}
	return b
}

// row is JsonTransformer.serializeRow.
func (d *Dump) row(u *rows.Unfiltered) error {
	g := &d.g
	d.rowOpen(u.Kind == rows.KindStatic)
	d.number(u.Offset)
	if u.Kind != rows.KindStatic {
		if err := d.clustering(u.Clustering); err != nil {
			return err
		}
	}
	li := u.Liveness
	if !li.IsEmpty() {
		g.objCompact = false
		if k := g.key(); d.live.ok && d.live.of == li && d.live.key == k {
			g.open[len(g.open)-1].n++ // the field's entry
			g.b = appendFrag(g.b, &d.live.out)
		} else {
			start := len(g.b)
			g.cachedField(&d.fields[fLiveness], "liveness_info")
			g.objCompact = true
			g.startObject()
			g.field("tstamp")
			d.time(li.Timestamp, time.Microsecond)
			if li.IsExpiring() {
				g.field("ttl")
				d.number(int64(li.TTL))
				g.field("expires_at")
				d.time(li.LocalExpirationTime, time.Second)
				g.field("expired")
				d.boolean(li.LocalExpirationTime < d.now)
			}
			g.endObject()
			d.live.ok, d.live.of, d.live.key = true, li, k
			d.live.out.set(g.b[start:])
		}
		g.objCompact = false
	}
	if !u.Deletion.IsLive() {
		d.deletion(u.Deletion)
	} else if !u.ShadowableDeletion.IsLive() {
		d.deletion(u.ShadowableDeletion)
	}
	g.cachedField(&d.fields[fCells], "cells")
	g.startArray()
	cols, names, open, render := d.regularCols, d.regularNames, &d.regular, d.regularRender
	if u.Kind == rows.KindStatic {
		cols, names, open, render = d.staticCols, d.staticNames, &d.static, d.staticRender
	}
	n := 0 // entries written: the cells array's count, kept here
	cd := 0
	o := d.openings(open, cols, names, render)
	// The common cell (live, no timestamp or TTL of its own, a value
	// Appender and at most a text path) is written here, in b: its opening,
	// path, value and end, with no call but the values'. The rest goes
	// through cell and cellSlow, in g.b.
	liEmpty := li.IsEmpty()
	cells, cds := u.Cells, u.ComplexDeletions
	nextCD := math.MaxInt // the column of cds[cd]
	if len(cds) > 0 {
		nextCD = cds[0].Column
	}
	ocols, pretty := o.cols, g.pretty
	later := 0 // 1 once the array has an entry: the openings' index
	b := g.b
	for i := range cells {
		c := &cells[i]
		if o.compact != g.arrCompact {
			o = d.openings(open, cols, names, render) // a path leaves the array expanded
			ocols = o.cols
		}
		// A complex column's deletion comes before its cells.
		for c.Column >= nextCD {
			if del, od := &cds[cd].Deletion, &ocols[nextCD].del[later]; d.del.ok && d.del.of == *del && od.n <= fragSize && d.del.out.n <= 2*fragSize {
				// complexDeletion with the last deletion's body: the
				// opening, the body (at most two stores) and the end.
				l := len(b)
				if cap(b)-l < 3*fragSize+16 {
					b = growFragN(b, 3*fragSize+16)
				}
				store64(b[l:l+fragSize], &od.b[0])
				l += od.n
				store64(b[l:l+fragSize], &d.del.out.b[0])
				if d.del.out.n > fragSize {
					store64(b[l+fragSize:l+2*fragSize], &d.del.out.b[1])
				}
				l += d.del.out.n
				*(*[16]byte)(b[l : l+16]) = *(*[16]byte)(d.objEnd.b[0][:16])
				b = b[:l+d.objEnd.n]
			} else {
				g.b = b
				d.complexDeletion(&ocols[nextCD].del, n == 0, *del)
				b = g.b
			}
			n, later = n+1, 1
			cd++
			nextCD = math.MaxInt
			if cd < len(cds) {
				nextCD = cds[cd].Column
			}
		}
		cr := &ocols[c.Column]
		if !cr.fast || c.Tombstone || liEmpty || c.Timestamp != li.Timestamp || c.IsExpiring() {
			g.b = b
			if c.Tombstone {
				g.open[len(g.open)-1].n = n
				if err := d.cellSlow(&cols[c.Column], names[c.Column], c, li); err != nil {
					return err
				}
			} else if err := d.cell(&cols[c.Column], &cr.colRender, &cr.cell, n == 0, c, li); err != nil {
				return err
			}
			b = g.b
			n, later = n+1, 1
			continue
		}
		fr := &cr.cell[later]
		if l := len(b); fr.n <= fragSize {
			if cap(b)-l < 2*fragSize {
				b = growFrag(b)
			}
			store64(b[l:l+fragSize], &fr.b[0])
			b = b[:l+fr.n]
		} else {
			b = appendFrag(b, fr)
		}
		var err error
		n, later = n+1, 1
		if cr.textPath {
			g.arrCompact = false
			var ok bool
			at := len(b)
			if b, ok = cqljson.AppendQuoted(b, c.Path); !ok {
				b, err = cr.path.Append(b[:at], c.Path)
				g.b = b
				return fmt.Errorf("%s value: %w", cols[c.Column].Type.PathType().CQL(), err)
			}
			l := len(b)
			if cap(b)-l < fragSize {
				b = growFrag(b)
			}
			if len(c.Value) == 0 && cr.emptyOK {
				// A set's element: path end, value and cell end are constant.
				store64(b[l:l+fragSize], &cr.emptyEnd.b[0])
				b = b[:l+cr.emptyEnd.n]
				continue
			}
			*(*[16]byte)(b[l : l+16]) = *(*[16]byte)(d.pathValue.b[0][:16])
			b = b[:l+d.pathValue.n]
		}
		if cr.textValue {
			var ok bool
			at := len(b)
			if b, ok = cqljson.AppendQuoted(b, c.Value); !ok {
				b, err = cr.value.Append(b[:at], c.Value)
			}
		} else {
			b, err = cr.value.Append(b, c.Value)
		}
		if err != nil {
			g.b = b
			return fmt.Errorf("column %s: %w", cols[c.Column].Name, err)
		}
		if pretty {
			b = append(b, ' ', '}')
		} else {
			b = append(b, '}')
		}
	}
	if n > 0 {
		g.objCompact = false // every cell leaves the object indenter expanded
	}
	g.b = b
	for ; cd < len(cds); cd++ {
		d.complexDeletion(&o.cols[cds[cd].Column].del, n == 0, cds[cd].Deletion)
		n++
	}
	d.rowClose(n)
	return nil
}

// partOpen writes a partition's object up to its key's value: its start,
// "table kind" and its value, and the "partition" object up to its "key"
// field, replaying what it wrote from the same generator state the last
// time.
func (d *Dump) partOpen() {
	g := &d.g
	k := g.key()
	c := &d.partOpens[b2i(k.later())]
	if c.ok && c.key == k {
		if k.open() && !k.object() {
			g.open[len(g.open)-1].n++ // startObject's value(): an entry of the array
		}
		g.b = appendFrag(g.b, &c.out)
		g.nesting += 2
		g.open = append(g.open, genContext{object: true, n: 2}, genContext{object: true, n: 1})
		return
	}
	start := len(g.b)
	g.startObject()
	g.cachedField(&d.fields[fTableKind], "table kind")
	g.rawString(`"REGULAR"`)
	g.cachedField(&d.fields[fPartition], "partition")
	g.startObject()
	g.cachedField(&d.fields[fKey], "key")
	c.ok, c.key = true, k
	c.out.set(g.b[start:])
}

// partRowsOpen ends the "partition" object and writes the "rows" field and
// its array's start, replaying what it wrote from the same state the last
// time.
func (d *Dump) partRowsOpen() {
	g := &d.g
	k := g.key()
	c := &d.partRows[b2i(k.later())]
	if c.ok && c.key == k && len(g.open) >= 2 {
		g.open = g.open[:len(g.open)-1]
		g.open[len(g.open)-1].n++
		g.open = append(g.open, genContext{})
		g.b = appendFrag(g.b, &c.out)
		return
	}
	start := len(g.b)
	g.endObject()
	g.cachedField(&d.fields[fRows], "rows")
	g.startArray()
	c.ok, c.key = true, k
	c.out.set(g.b[start:])
}

// rowOpen writes a row's object up to its position's value: the object's
// start, "type" and its value, and the position's field. It replays what
// it wrote from the same generator state the last time (one cache for a
// first row and one for the rows after it, static or not).
func (d *Dump) rowOpen(static bool) {
	g := &d.g
	k := g.key()
	c := &d.rowOpens[b2i(static)][b2i(k.later())]
	if c.ok && c.key == k {
		if !k.object() {
			g.open[len(g.open)-1].n++ // startObject's value(): an entry of the array
		}
		g.b = appendFrag(g.b, &c.out)
		g.nesting++
		g.open = append(g.open, genContext{object: true, n: 2})
		return
	}
	start := len(g.b)
	g.startObject()
	g.cachedField(&d.fields[fType], "type")
	if static {
		g.rawString(`"static_block"`)
	} else {
		g.rawString(`"row"`)
	}
	g.cachedField(&d.fields[fPosition], "position")
	if k.open() {
		c.ok, c.key = true, k
		c.out.set(g.b[start:])
	}
}

// rowClose ends a row's cells array, with n entries, and the row's object
// (which has entries: its type and position), replaying what it wrote from
// the same state the last time.
func (d *Dump) rowClose(n int) {
	g := &d.g
	g.open[len(g.open)-1].n = n
	k := g.key()
	c := &d.rowCloses[b2i(k.later())]
	if c.ok && c.key == k {
		g.nesting -= 2
		g.open = g.open[:len(g.open)-2]
		g.b = appendFrag(g.b, &c.out)
		return
	}
	start := len(g.b)
	g.endArray()
	g.endObject()
	c.ok, c.key = true, k
	c.out.set(g.b[start:])
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

// complexDeletion is the deletion branch of JsonTransformer.serializeColumnData.
// The object is compact throughout: its opening (o.del), the deletion, its
// end.
func (d *Dump) complexDeletion(open *[2]frag, first bool, del rows.DeletionTime) {
	g := &d.g
	if first {
		g.b = appendFrag(g.b, &open[0])
	} else {
		g.b = appendFrag(g.b, &open[1])
	}
	d.deletionBody(del)
	g.b = d.appendEnd(g.b)
	g.objCompact = false
}

// cell is JsonTransformer.serializeCell for a live or expiring cell: its
// object indenter stays compact, so the object is its opening (cellOpenings),
// constant pieces and values, appended in order.
func (d *Dump) cell(col *schema.Column, cr *colRender, open *[2]frag, first bool, c *rows.Cell, li rows.Liveness) error {
	g := &d.g
	f := d.f
	var b []byte
	if first {
		b = appendFrag(g.b, &open[0])
	} else {
		b = appendFrag(g.b, &open[1])
	}
	t := col.Type
	cellType := t
	if t.IsMultiCell() {
		if cr.textPath {
			var err error
			if b, err = cqljson.Append(b, t.PathType(), c.Path); err != nil {
				g.b = b
				return fmt.Errorf("%s value: %w", t.PathType().CQL(), err)
			}
			cellType = t.CellValueType()
		} else if t.Kind == cql.UDT {
			idx, err := cql.FieldIndex(c.Path)
			if err != nil || idx >= len(t.FieldNames) {
				g.b = b
				return fmt.Errorf("column %s: udt field path %x", col.Name, c.Path)
			}
			b = cqljson.AppendJSONString(b, []byte(t.FieldNames[idx]))
			cellType = t.FieldType(idx)
		} else {
			pt := t.PathType()
			s, err := cqljson.AppendString(d.scratch[:0], pt, c.Path)
			d.scratch = s
			if err != nil {
				g.b = b
				return fmt.Errorf("%s value: %w", pt.CQL(), err)
			}
			b = cqljson.AppendJSONString(b, s)
			cellType = t.CellValueType()
		}
		b = appendFrag(b, &d.pathValue)
		g.arrCompact = false
	}
	if cellType.Kind == cql.Counter {
		// sstabledump prints CounterColumnType.toJSONString of the raw counter
		// context: its first 8 bytes read as a long (header and shard id bytes),
		// not the counter's total. Reproduced here; dump --rows prints the total.
		// A context with no shard (ScyllaDB's write_empty_counter) is shorter than a
		// long, where sstabledump would fail: print its total, 0.
		if len(c.Value) >= 8 {
			b = strconv.AppendInt(b, int64(binary.BigEndian.Uint64(c.Value)), 10)
		} else if v, err := merge.CounterValue(c.Value); err == nil {
			b = strconv.AppendInt(b, v, 10)
		} else {
			g.b = b
			return fmt.Errorf("column %s: %w", col.Name, err)
		}
	} else {
		var err error
		if t.Kind == cql.UDT && t.IsMultiCell() {
			b, err = cqljson.Append(b, cellType, c.Value)
		} else {
			b, err = cr.value.Append(b, c.Value)
		}
		if err != nil {
			g.b = b
			return fmt.Errorf("column %s: %w", col.Name, err)
		}
	}
	if li.IsEmpty() || c.Timestamp != li.Timestamp {
		b = append(b, f.tstamp...)
		b = d.appendCachedTime(b, c.Timestamp, time.Microsecond)
	}
	if c.IsExpiring() && (li.IsEmpty() || c.TTL != li.TTL) {
		b = append(b, f.ttl...)
		b = strconv.AppendInt(b, int64(c.TTL), 10)
		b = append(b, f.expiresAt...)
		b = d.appendCachedTime(b, c.LocalDeletionTime, time.Second)
		b = append(b, f.expired...)
		b = strconv.AppendBool(b, !c.IsLive(d.now))
	}
	g.b = d.appendEnd(b)
	g.objCompact = false
	return nil
}

// appendEnd closes a compact object that has entries: cellFrags.end, as
// bytes (no copy call).
func (d *Dump) appendEnd(b []byte) []byte {
	if d.g.pretty {
		return append(b, ' ', '}')
	}
	return append(b, '}')
}

// cellSlow is JsonTransformer.serializeCell through the generator, for a
// cell tombstone: its deletion_info switches the object indenter back to
// expanded, so the fields after it are on lines of their own.
func (d *Dump) cellSlow(col *schema.Column, name []byte, c *rows.Cell, li rows.Liveness) error {
	g := &d.g
	g.startObject()
	g.objCompact = true
	g.field("name")
	g.raw(name)
	t := col.Type
	cellType := t
	if t.IsMultiCell() {
		g.field("path")
		g.arrCompact = true
		g.startArray()
		if t.Kind == cql.UDT {
			idx, err := cql.FieldIndex(c.Path)
			if err != nil || idx >= len(t.FieldNames) {
				return fmt.Errorf("column %s: udt field path %x", col.Name, c.Path)
			}
			g.value()
			g.b = cqljson.AppendJSONString(g.b, []byte(t.FieldNames[idx]))
			cellType = t.FieldType(idx)
		} else {
			if err := d.stringOf(t.PathType(), c.Path); err != nil {
				return err
			}
			cellType = t.CellValueType()
		}
		g.endArray()
		g.arrCompact = false
	}
	if c.Tombstone {
		g.field("deletion_info")
		g.objCompact = true
		g.startObject()
		g.field("local_delete_time")
		d.time(c.LocalDeletionTime, time.Second)
		g.endObject()
		g.objCompact = false
	} else {
		g.field("value")
		g.value()
		if cellType.Kind == cql.Counter {
			// sstabledump prints CounterColumnType.toJSONString of the raw counter
			// context: its first 8 bytes read as a long (header and shard id bytes),
			// not the counter's total. Reproduced here; dump --rows prints the total.
			// A context with no shard (ScyllaDB's write_empty_counter) is shorter than a
			// long, where sstabledump would fail: print its total, 0.
			if len(c.Value) >= 8 {
				g.b = strconv.AppendInt(g.b, int64(binary.BigEndian.Uint64(c.Value)), 10)
			} else if v, err := merge.CounterValue(c.Value); err == nil {
				g.b = strconv.AppendInt(g.b, v, 10)
			} else {
				return fmt.Errorf("column %s: %w", col.Name, err)
			}
		} else {
			var err error
			if g.b, err = cqljson.Append(g.b, cellType, c.Value); err != nil {
				return fmt.Errorf("column %s: %w", col.Name, err)
			}
		}
	}
	if li.IsEmpty() || c.Timestamp != li.Timestamp {
		g.field("tstamp")
		d.time(c.Timestamp, time.Microsecond)
	}
	if c.IsExpiring() && (li.IsEmpty() || c.TTL != li.TTL) {
		g.field("ttl")
		d.number(int64(c.TTL))
		g.field("expires_at")
		d.time(c.LocalDeletionTime, time.Second)
		g.field("expired")
		d.boolean(!c.IsLive(d.now))
	}
	g.endObject()
	g.objCompact = false
	return nil
}

// clustering writes "clustering":[...] when the prefix has values; missing
// trailing values of a bound print as "*" (JsonTransformer.serializeClustering).
func (d *Dump) clustering(vals [][]byte) error {
	if len(vals) == 0 {
		return nil
	}
	g := &d.g
	g.cachedField(&d.fields[fClustering], "clustering")
	// The array's indenter is compact from its first value on: "[", each
	// value after " " or ", " (pretty) or "," (after the first), then " ]"
	// or "]" (its object indenter, set here, writes nothing of it).
	b := append(g.b, '[')
	var err error
	for i, c := range d.s.Clustering {
		if g.pretty {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, ' ')
		} else if i > 0 {
			b = append(b, ',')
		}
		switch {
		case i >= len(vals):
			b = append(b, `"*"`...)
		case vals[i] == nil:
			b = append(b, "null"...)
		default:
			if b, err = d.clusteringRender[i].Append(b, vals[i]); err != nil {
				g.b = b
				return fmt.Errorf("clustering %s: %w", c.Name, err)
			}
		}
	}
	if g.pretty {
		b = append(b, ' ')
	}
	g.b = append(b, ']')
	g.objCompact = false
	g.arrCompact = false
	return nil
}

// marker is JsonTransformer.serializeTombstone.
func (d *Dump) marker(u *rows.Unfiltered) {
	g := &d.g
	bound := func(start, inclusive bool, del rows.DeletionTime) {
		if start {
			g.field("start")
		} else {
			g.field("end")
		}
		g.startObject()
		g.field("type")
		if inclusive {
			g.rawString(`"inclusive"`)
		} else {
			g.rawString(`"exclusive"`)
		}
		_ = d.clustering(u.Clustering)
		d.deletion(del)
		g.endObject()
	}
	g.startObject()
	g.field("type")
	switch u.Bound {
	case rows.ExclEndInclStartBoundary, rows.InclEndExclStartBoundary:
		openIncl := u.Bound == rows.ExclEndInclStartBoundary
		g.rawString(`"range_tombstone_boundary"`)
		bound(true, openIncl, u.StartDeletion)
		bound(false, !openIncl, u.EndDeletion)
	default:
		g.rawString(`"range_tombstone_bound"`)
		incl := u.Bound == rows.InclStartBound || u.Bound == rows.InclEndBound
		bound(u.Bound.IsStart(), incl, u.MarkerDeletion())
	}
	g.endObject()
	g.objCompact = false
}

// deletion is JsonTransformer.serializeDeletion.
func (d *Dump) deletion(del rows.DeletionTime) {
	d.g.cachedField(&d.fields[fDeletion], "deletion_info")
	d.deletionBody(del)
}

// deletionBody writes the deletion's object, the same wherever it is (its
// indenter is compact), and leaves the object indenter expanded.
func (d *Dump) deletionBody(del rows.DeletionTime) {
	g := &d.g
	if d.del.ok && d.del.of == del {
		g.b = appendFrag(g.b, &d.del.out)
		g.objCompact = false
		return
	}
	start := len(g.b)
	g.b = append(g.b, d.f.markedDeleted...)
	g.b = d.appendCachedTime(g.b, del.MarkedForDeleteAt, time.Microsecond)
	g.b = append(g.b, d.f.localDeleteTime...)
	g.b = d.appendCachedTime(g.b, del.LocalDeletionTime, time.Second)
	g.b = d.appendEnd(g.b)
	g.objCompact = false
	d.del.ok, d.del.of = true, del
	d.del.out.set(g.b[start:])
}

// appendTime renders a time as JsonTransformer.dateString: raw digits with -t,
// else java.time.Instant.toString (ISO-8601, fraction in groups of three digits).
func (d *Dump) appendTime(dst []byte, v int64, unit time.Duration) []byte {
	if v == rows.NoDeletionTime && unit == time.Second {
		v = int64(^uint32(0) >> 1) // what Cassandra prints for "no deletion time"
	}
	if d.raw {
		dst = append(dst, '"')
		dst = strconv.AppendInt(dst, v, 10)
		return append(dst, '"')
	}
	dst = append(dst, '"')
	if unit == time.Microsecond {
		dst = javafmt.AppendInstantMicros(dst, v)
	} else {
		dst = javafmt.AppendInstant(dst, v, 0)
	}
	return append(dst, '"')
}
