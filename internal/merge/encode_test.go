package merge

// A test-only Data.db encoder (FORMAT.md §5, UnfilteredSerializer) for the small
// fixed schema below, so the merge tests run real row.Scanners over bytes.
//
//	CREATE TABLE t (pk blob, ck1 int, ck2 int, s text static, a text, b text,
//	                m map<text,text>, PRIMARY KEY (pk, ck1, ck2))
//
// (ck2 is only used by the 2-column layout.) The counter layout is
// (pk blob, ck1 int, c counter). Every encoding-stats minimum is 0, so every
// delta-coded time is written raw.

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/aegisthus/aegisthus/internal/rows"
	"github.com/aegisthus/aegisthus/internal/sstable/format"
	"github.com/aegisthus/aegisthus/internal/sstable/row"
	"github.com/aegisthus/aegisthus/internal/sstable/wire"
	"github.com/aegisthus/aegisthus/internal/token"
)

// Table.Columns indexes of the test schema.
const (
	colS = 0 // static text
	colA = 1 // text
	colB = 2 // text
	colM = 3 // map<text,text>
	colC = 0 // counter (counter layout)
)

var colNames = []string{"s", "a", "b", "m"}

// memSource serves an uncompressed Data.db held in memory, in chunks of n bytes.
type memSource struct {
	b []byte
	n int
}

func (m *memSource) Length() int64    { return int64(len(m.b)) }
func (m *memSource) ChunkLength() int { return m.n }
func (m *memSource) ReadChunk(i int, dst []byte) ([]byte, error) {
	lo := i * m.n
	hi := min(lo+m.n, len(m.b))
	return append(dst[:0], m.b[lo:hi]...), nil
}

// schema is one test table: the on-disk layout and the merge's table.
type testSchema struct {
	layout *row.Layout
	table  *Table
	// onDisk[i] for the regular/static columns of the layout: Table.Columns index.
	staticMap, regularMap []int
}

func version(t testing.TB, v string) format.Version {
	ver, err := format.ParseVersion(v, format.Big)
	if err != nil {
		t.Fatal(err)
	}
	return ver
}

// intCompare compares 4-byte big-endian signed ints (Int32Type.compareCustom).
func intCompare(a, b []byte) int {
	return cmp.Compare(int(int32(binary.BigEndian.Uint32(a))), int(int32(binary.BigEndian.Uint32(b))))
}

// newSchema returns the regular test schema with nck clustering columns (1 or 2).
func newSchema(t testing.TB, nck int) *testSchema {
	l := &row.Layout{
		Version: version(t, "nb"),
		Static:  []row.Column{{Name: []byte("s"), FixedLen: -1}},
		Regular: []row.Column{
			{Name: []byte("a"), FixedLen: -1},
			{Name: []byte("b"), FixedLen: -1},
			{Name: []byte("m"), Complex: true, FixedLen: -1},
		},
	}
	tb := &Table{
		Columns: []Column{
			{Static: true},
			{},
			{},
			{Complex: true, PathCompare: bytes.Compare},
		},
		Partitioner: token.Murmur3{},
	}
	for range nck {
		l.ClusteringFixed = append(l.ClusteringFixed, 4)
		tb.Clustering.Types = append(tb.Clustering.Types, intCompare)
	}
	return &testSchema{layout: l, table: tb, staticMap: []int{colS}, regularMap: []int{colA, colB, colM}}
}

// newCounterSchema returns (pk blob, ck1 int, c counter).
func newCounterSchema(t testing.TB) *testSchema {
	l := &row.Layout{
		Version:         version(t, "nb"),
		ClusteringFixed: []int{4},
		Regular:         []row.Column{{Name: []byte("c"), FixedLen: -1}},
	}
	tb := &Table{
		Columns:     []Column{{Counter: true}},
		Clustering:  Comparator{Types: []func(a, b []byte) int{intCompare}},
		Partitioner: token.Murmur3{},
	}
	return &testSchema{layout: l, table: tb, regularMap: []int{colC}}
}

// Test data model. Column numbers in tCell/cdel are Table.Columns indexes.
type tCell struct {
	col  int
	ts   int64
	ttl  int32 // expiring when != 0
	ldt  int64 // expiry (expiring) or deletion (tombstone) time
	tomb bool
	path string
	val  string
}

type tRow struct {
	ck     []int32 // nil for the static row
	static bool
	live   rows.Liveness // zero value: use liveAt / EmptyLiveness
	del    rows.DeletionTime
	shadow rows.DeletionTime
	cells  []tCell
	cdels  []rows.ComplexDeletion
}

type tMarker struct {
	kind       rows.BoundKind
	ck         []int32
	end, start rows.DeletionTime // start for start bounds, end for end bounds, both for boundaries
}

type tPart struct {
	key    string
	del    rows.DeletionTime
	static *tRow
	items  []any // tRow or tMarker, in clustering order
}

// Constructors that keep the tables short.
func dt(mfda, ldt int64) rows.DeletionTime {
	return rows.DeletionTime{MarkedForDeleteAt: mfda, LocalDeletionTime: ldt}
}
func liveAt(ts int64) rows.Liveness {
	return rows.Liveness{Timestamp: ts, LocalExpirationTime: rows.NoDeletionTime}
}
func ttlLive(ts int64, ttl int32, exp int64) rows.Liveness {
	return rows.Liveness{Timestamp: ts, TTL: ttl, LocalExpirationTime: exp}
}
func cellv(col int, ts int64, v string) tCell { return tCell{col: col, ts: ts, val: v} }
func tomb(col int, ts, ldt int64) tCell       { return tCell{col: col, ts: ts, ldt: ldt, tomb: true} }
func expiring(col int, ts int64, ttl int32, exp int64, v string) tCell {
	return tCell{col: col, ts: ts, ttl: ttl, ldt: exp, val: v}
}
func mcell(ts int64, k, v string) tCell { return tCell{col: colM, ts: ts, path: k, val: v} }
func rowAt(ck ...int32) tRow {
	return tRow{ck: ck, del: rows.Live, shadow: rows.Live, live: rows.EmptyLiveness}
}
func (r tRow) L(l rows.Liveness) tRow          { r.live = l; return r }
func (r tRow) Del(d rows.DeletionTime) tRow    { r.del = d; return r }
func (r tRow) Shadow(d rows.DeletionTime) tRow { r.shadow = d; return r }
func (r tRow) C(cells ...tCell) tRow           { r.cells = append(slices.Clone(r.cells), cells...); return r }
func (r tRow) CDel(col int, d rows.DeletionTime) tRow {
	r.cdels = append(slices.Clone(r.cdels), rows.ComplexDeletion{Column: col, Deletion: d})
	return r
}
func staticRow() *tRow {
	r := rowAt()
	r.static = true
	return &r
}
func (r *tRow) SC(cells ...tCell) *tRow  { r.cells = append(r.cells, cells...); return r }
func (r *tRow) SL(l rows.Liveness) *tRow { r.live = l; return r }
func mk(kind rows.BoundKind, d rows.DeletionTime, ck ...int32) tMarker {
	m := tMarker{kind: kind, ck: ck, start: rows.Live, end: rows.Live}
	if kind.IsStart() {
		m.start = d
	} else {
		m.end = d
	}
	return m
}
func boundary(kind rows.BoundKind, end, start rows.DeletionTime, ck ...int32) tMarker {
	return tMarker{kind: kind, ck: ck, end: end, start: start}
}
func part(key string, items ...any) tPart      { return tPart{key: key, del: rows.Live, items: items} }
func (p tPart) PDel(d rows.DeletionTime) tPart { p.del = d; return p }
func (p tPart) Static(r *tRow) tPart           { p.static = r; return p }

// encoder writes one SSTable's Data.db.
type encoder struct {
	s *testSchema
	b []byte
	// inverse maps: Table.Columns index -> on-disk index
	staticIdx, regularIdx map[int]int
}

func (s *testSchema) encode(t testing.TB, parts ...tPart) []byte {
	e := &encoder{s: s, staticIdx: map[int]int{}, regularIdx: map[int]int{}}
	for i, c := range s.staticMap {
		e.staticIdx[c] = i
	}
	for i, c := range s.regularMap {
		e.regularIdx[c] = i
	}
	// Partitions in token order, as every SSTable stores them.
	ps := slices.Clone(parts)
	p := s.table.Partitioner
	slices.SortStableFunc(ps, func(a, b tPart) int {
		if c := bytes.Compare(p.AppendToken(nil, []byte(a.key)), p.AppendToken(nil, []byte(b.key))); c != 0 {
			return c
		}
		return strings.Compare(a.key, b.key)
	})
	for _, pt := range ps {
		e.partition(t, pt)
	}
	return e.b
}

func (e *encoder) partition(t testing.TB, p tPart) {
	e.b = binary.BigEndian.AppendUint16(e.b, uint16(len(p.key)))
	e.b = append(e.b, p.key...)
	// Legacy standalone DeletionTime (≤ nb): ldt i32, mfda i64.
	if p.del.IsLive() {
		e.b = binary.BigEndian.AppendUint32(e.b, math.MaxInt32)
		e.b = binary.BigEndian.AppendUint64(e.b, uint64(1)<<63)
	} else {
		e.b = binary.BigEndian.AppendUint32(e.b, uint32(e.ldt(p.del.LocalDeletionTime)))
		e.b = binary.BigEndian.AppendUint64(e.b, uint64(p.del.MarkedForDeleteAt))
	}
	if len(e.s.layout.Static) > 0 {
		st := p.static
		if st == nil {
			st = staticRow()
		}
		e.row(t, *st)
	}
	for _, it := range p.items {
		switch it := it.(type) {
		case tRow:
			e.row(t, it)
		case tMarker:
			e.marker(it)
		default:
			t.Fatalf("unexpected item %T", it)
		}
	}
	e.b = append(e.b, 0x01)
}

// ldt maps a test ldt to the ≤ nb 32-bit form.
func (e *encoder) ldt(v int64) uint64 {
	if v == rows.NoDeletionTime {
		return math.MaxInt32
	}
	return uint64(uint32(v))
}

func (e *encoder) clustering(dst []byte, ck []int32) []byte {
	if len(ck) == 0 {
		return dst
	}
	dst = wire.AppendUVint(dst, 0) // no empty/null values
	for _, v := range ck {
		dst = binary.BigEndian.AppendUint32(dst, uint32(v))
	}
	return dst
}

func (e *encoder) deltaDeletion(dst []byte, d rows.DeletionTime) []byte {
	dst = wire.AppendUVint(dst, uint64(d.MarkedForDeleteAt))
	return wire.AppendUVint(dst, e.ldt(d.LocalDeletionTime))
}

func (e *encoder) marker(m tMarker) {
	e.b = append(e.b, 0x02, byte(m.kind))
	e.b = binary.BigEndian.AppendUint16(e.b, uint16(len(m.ck)))
	e.b = e.clustering(e.b, m.ck)
	var body []byte
	body = wire.AppendUVint(body, 0) // previous unfiltered size
	switch {
	case m.kind.IsBoundary():
		body = e.deltaDeletion(body, m.end)
		body = e.deltaDeletion(body, m.start)
	case m.kind.IsStart():
		body = e.deltaDeletion(body, m.start)
	default:
		body = e.deltaDeletion(body, m.end)
	}
	e.b = wire.AppendUVint(e.b, uint64(len(body)))
	e.b = append(e.b, body...)
}

func (e *encoder) row(t testing.TB, r tRow) {
	cols := e.s.layout.Regular
	idx := e.regularIdx
	if r.static {
		cols = e.s.layout.Static
		idx = e.staticIdx
	}
	// Group cells and complex deletions by on-disk column.
	byCol := make([][]tCell, len(cols))
	for _, c := range r.cells {
		i, ok := idx[c.col]
		if !ok {
			t.Fatalf("column %d not in this layout", c.col)
		}
		byCol[i] = append(byCol[i], c)
	}
	cdel := make([]rows.DeletionTime, len(cols))
	for i := range cdel {
		cdel[i] = rows.Live
	}
	for _, cd := range r.cdels {
		cdel[idx[cd.Column]] = cd.Deletion
	}
	var flags, ext byte
	var body []byte
	body = wire.AppendUVint(body, 0) // previous unfiltered size
	if !r.live.IsEmpty() {
		flags |= 0x04
		body = wire.AppendUVint(body, uint64(r.live.Timestamp))
		if r.live.IsExpiring() {
			flags |= 0x08
			body = wire.AppendUVint(body, uint64(uint32(r.live.TTL)))
			body = wire.AppendUVint(body, e.ldt(r.live.LocalExpirationTime))
		}
	}
	switch {
	case !r.del.IsLive():
		flags |= 0x10
		body = e.deltaDeletion(body, r.del)
		if !r.shadow.IsLive() { // both: ScyllaDB's second, shadowable tombstone
			ext |= 0x80
			body = e.deltaDeletion(body, r.shadow)
		}
	case !r.shadow.IsLive():
		flags |= 0x10
		ext |= 0x02
		body = e.deltaDeletion(body, r.shadow)
	}
	hasCDel := false
	for _, d := range cdel {
		hasCDel = hasCDel || !d.IsLive()
	}
	if hasCDel {
		flags |= 0x40
	}
	var missing uint64
	for i := range cols {
		if len(byCol[i]) == 0 && (!cols[i].Complex || cdel[i].IsLive()) {
			missing |= 1 << uint(i)
		}
	}
	if missing == 0 {
		flags |= 0x20
	} else {
		body = wire.AppendUVint(body, missing)
	}
	for i, col := range cols {
		if missing&(1<<uint(i)) != 0 {
			continue
		}
		if !col.Complex {
			if len(byCol[i]) != 1 {
				t.Fatalf("simple column %s: %d cells", col.Name, len(byCol[i]))
			}
			body = e.cell(body, byCol[i][0], false)
			continue
		}
		if hasCDel {
			body = e.deltaDeletion(body, cdel[i])
		}
		cells := slices.Clone(byCol[i])
		slices.SortStableFunc(cells, func(a, b tCell) int { return strings.Compare(a.path, b.path) })
		body = wire.AppendUVint(body, uint64(len(cells)))
		for _, c := range cells {
			body = e.cell(body, c, true)
		}
	}
	if r.static {
		flags |= 0x80
		ext |= 0x01
	} else if ext != 0 {
		flags |= 0x80
	}
	e.b = append(e.b, flags)
	if flags&0x80 != 0 {
		e.b = append(e.b, ext)
	}
	if !r.static {
		e.b = e.clustering(e.b, r.ck)
	}
	e.b = wire.AppendUVint(e.b, uint64(len(body)))
	e.b = append(e.b, body...)
}

func (e *encoder) cell(dst []byte, c tCell, complex bool) []byte {
	var flags byte
	if c.tomb {
		flags |= 0x01
	}
	if c.ttl != 0 {
		flags |= 0x02
	}
	if c.val == "" {
		flags |= 0x04
	}
	dst = append(dst, flags)
	dst = wire.AppendUVint(dst, uint64(c.ts))
	if c.tomb || c.ttl != 0 {
		dst = wire.AppendUVint(dst, e.ldt(c.ldt))
	}
	if c.ttl != 0 {
		dst = wire.AppendUVint(dst, uint64(uint32(c.ttl)))
	}
	if complex {
		dst = wire.AppendUVint(dst, uint64(len(c.path)))
		dst = append(dst, c.path...)
	}
	if c.val != "" {
		dst = wire.AppendUVint(dst, uint64(len(c.val)))
		dst = append(dst, c.val...)
	}
	return dst
}

// input returns a merge input scanning data (chunks of 7 bytes, so rows straddle).
func (s *testSchema) input(data []byte) Input {
	return Input{
		Scanner:    row.NewScanner(s.layout, &memSource{data, 7}, "mem-Data.db", 0, int64(len(data))),
		StaticMap:  s.staticMap,
		RegularMap: s.regularMap,
	}
}

// sst encodes parts as one SSTable and returns its input.
func (s *testSchema) sst(t testing.TB, parts ...tPart) Input { return s.input(s.encode(t, parts...)) }

// run merges inputs and renders every partition and row as text (see fmtRow).
func run(t testing.TB, s *testSchema, inputs ...Input) []string {
	t.Helper()
	return runMerger(t, s, New(s.table, inputs))
}

// runMerger is run over the merger m.
func runMerger(t testing.TB, s *testSchema, m *Merger) []string {
	t.Helper()
	var out []string
	for m.NextPartition() {
		p := m.Partition()
		line := fmt.Sprintf("%s #%d", p.Key, p.Sources)
		if !p.Deletion.IsLive() {
			line += " " + fmtDel("P", p.Deletion)
		}
		out = append(out, line)
		for m.NextRow() {
			r := m.Row()
			// Row.Merger.merge returns null for a row left without liveness, row
			// deletion, cells and complex deletions: print only what Cassandra keeps.
			if r.Liveness.IsEmpty() && r.Deletion.IsLive() && len(r.Cells) == 0 && len(r.ComplexDeletions) == 0 {
				continue
			}
			out = append(out, "  "+fmtRow(s, r))
		}
		if err := m.Err(); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func fmtDel(tag string, d rows.DeletionTime) string {
	if d.LocalDeletionTime == rows.NoDeletionTime {
		return fmt.Sprintf("%s@%d", tag, d.MarkedForDeleteAt)
	}
	return fmt.Sprintf("%s@%d/%d", tag, d.MarkedForDeleteAt, d.LocalDeletionTime)
}

func fmtLiveness(l rows.Liveness) string {
	if l.IsEmpty() {
		return ""
	}
	if l.IsExpiring() {
		return fmt.Sprintf("L@%d~%d:%d", l.Timestamp, l.TTL, l.LocalExpirationTime)
	}
	return fmt.Sprintf("L@%d", l.Timestamp)
}

// fmtCell renders a cell as name[path]@ts=value, with ~ttl:exp for an expiring
// cell and x/ldt for a tombstone.
func fmtCell(s *testSchema, c rows.Cell) string {
	name := "c"
	if !s.table.Columns[c.Column].Counter {
		name = colNames[c.Column]
	}
	if c.Path != nil {
		name += "[" + string(c.Path) + "]"
	}
	switch {
	case c.Tombstone:
		return fmt.Sprintf("%s@%dx%d", name, c.Timestamp, c.LocalDeletionTime)
	case c.IsExpiring():
		return fmt.Sprintf("%s@%d=%s~%d:%d", name, c.Timestamp, c.Value, c.TTL, c.LocalDeletionTime)
	case s.table.Columns[c.Column].Counter:
		v, err := CounterValue(c.Value)
		if err != nil {
			return fmt.Sprintf("%s@%d=!%v", name, c.Timestamp, err)
		}
		return fmt.Sprintf("%s@%d=%d", name, c.Timestamp, v)
	}
	return fmt.Sprintf("%s@%d=%s", name, c.Timestamp, c.Value)
}

// fmtRow renders a merged row: clustering (or "static"), liveness, row deletion
// (D, or SD when shadowable), active deletion (A), cells, complex deletions.
func fmtRow(s *testSchema, r *Row) string {
	var f []string
	if r.Static {
		f = append(f, "static")
	} else {
		var ck []string
		for _, v := range r.Clustering {
			ck = append(ck, fmt.Sprint(int32(binary.BigEndian.Uint32(v))))
		}
		f = append(f, "["+strings.Join(ck, ":")+"]")
	}
	if l := fmtLiveness(r.Liveness); l != "" {
		f = append(f, l)
	}
	if !r.Deletion.IsLive() {
		tag := "D"
		if r.Shadowable {
			tag = "SD"
		}
		f = append(f, fmtDel(tag, r.Deletion))
	}
	if !r.Active.IsLive() {
		f = append(f, fmtDel("A", r.Active))
	}
	for _, c := range r.Cells {
		f = append(f, fmtCell(s, c))
	}
	for _, cd := range r.ComplexDeletions {
		f = append(f, fmtDel(colNames[cd.Column]+"!", cd.Deletion))
	}
	return strings.Join(f, " ")
}
