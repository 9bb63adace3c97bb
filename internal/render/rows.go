// Package render turns merged rows into output lines. The rows layout is the JSON
// object Cassandra's SELECT JSON * returns for each live CQL row at one instant
// (SelectStatement.processPartition, Selection.rowToJson).
package render

import (
	"encoding/binary"
	"fmt"
	"strconv"

	"github.com/aegisthus/aegisthus/internal/cql"
	"github.com/aegisthus/aegisthus/internal/merge"
	"github.com/aegisthus/aegisthus/internal/render/cqljson"
	"github.com/aegisthus/aegisthus/internal/rows"
	"github.com/aegisthus/aegisthus/internal/schema"
)

// Rows renders the rows layout. Use one per goroutine:
//
//	r.StartPartition(key)
//	for each merged row: dst, _, err = r.AppendRow(dst, row)   (the static row first)
//	dst, _, err = r.EndPartition(dst)
//
// Like cqljson, AppendRow may write past the bytes it appends, within dst's
// capacity: that room is scratch until the next append.
type Rows struct {
	v   *Visible // which rows and cells are shown
	t   *schema.Table
	now int64 // seconds since the epoch
	// cols are the static and regular columns in output order, with what
	// appendColumns needs of each side by side (not spread over schema.Column
	// and the name tables): one row renders every entry.
	cols []outColumn
	// byID is every static and regular column by Table.Columns index, for the
	// static row (its name unset).
	byID []outColumn
	// pkApp and ckApp render the partition key and clustering columns.
	pkApp, ckApp []cqljson.Appender
	// Pre-encoded `"name": ` for every column.
	pkNames, ckNames, colNames [][]byte

	keyJSON   []byte // rendered partition key fields, with trailing ", " handling
	static    []byte // rendered static columns' values, concatenated
	staticOff []int  // per column id: offset range in static, -1 when null
	staticEnd []int
	hasStatic bool // the static row has live data
	// staticSet: staticOff, staticWT and staticTTL hold a static row's
	// entries, to be reset at the next partition (else they are all unset).
	staticSet bool
	emitted   int         // rows emitted for this partition
	live      []rows.Cell // a multi-cell column's live cells when some are not
	comps     [][]byte    // partition key components, scratch

	opts              RowsOptions
	wtNames, ttlNames [][]byte // `"writetime(c)": `, `"ttl(c)": `
	staticMeta        []byte   // rendered writetime and ttl fragments of static columns
	staticWT          [][2]int // per column id: range in staticMeta, or {-1,-1}
	staticTTL         [][2]int
	runs              [][2]int // per column id: its cells' range in the row being rendered
}

// RowsOptions adjust the rows layout.
type RowsOptions struct {
	// Columns, when set, limits the static and regular columns printed (the key
	// and clustering columns are always printed), as SELECT JSON k, c, a, b would.
	Columns []string
	// Writetime and TTL add "writetime(c)" and "ttl(c)" for every printed
	// non-key column, as SELECT JSON ..., WRITETIME(c), TTL(c) returns them: the
	// cell's timestamp, and its remaining seconds to live at now; null for a null
	// column or a cell without TTL; lists for non-frozen collections (one entry
	// per element, Cassandra 5.0).
	Writetime, TTL bool
}

// NewRows returns a renderer for t evaluating TTLs at now (seconds).
func NewRows(t *schema.Table, now int64) *Rows { return NewRowsWith(t, now, RowsOptions{}) }

// NewRowsWith is NewRows with options. Unknown names in opts.Columns are left to
// the caller to reject (see schema.Table.Column).
func NewRowsWith(t *schema.Table, now int64, opts RowsOptions) *Rows {
	v := NewVisible(t, now, opts.Columns)
	r := &Rows{v: v, t: t, now: now, opts: opts}
	name := func(n string) []byte { return append(cqljson.AppendColumnName(nil, n), ':', ' ') }
	for _, c := range t.PartitionKey {
		r.pkNames = append(r.pkNames, name(c.Name))
		r.pkApp = append(r.pkApp, cqljson.NewAppender(c.Type))
	}
	if !t.StaticCompact {
		for _, c := range t.Clustering {
			r.ckNames = append(r.ckNames, padName(name(c.Name)))
			r.ckApp = append(r.ckApp, cqljson.NewAppender(c.Type))
		}
	}
	for i, c := range t.Columns {
		r.colNames = append(r.colNames, name(c.Name))
		r.wtNames = append(r.wtNames, name("writetime("+c.Name+")"))
		r.ttlNames = append(r.ttlNames, name("ttl("+c.Name+")"))
		oc := outColumn{c: i, col: &t.Columns[i], app: cqljson.NewAppender(c.Type), kind: simpleColumn}
		switch {
		case c.Type.IsMultiCell():
			oc.kind = multiCellColumn
		case c.Type.Kind == cql.Counter:
			oc.kind = counterColumn
		}
		r.byID = append(r.byID, oc)
	}
	for k, c := range v.Order() {
		oc := r.byID[c]
		if t.Columns[c].Static {
			oc.kind = staticColumn
		}
		if k > 0 {
			oc.name = append(oc.name, ',', ' ')
		}
		oc.name = padName(append(oc.name, r.colNames[c]...))
		r.cols = append(r.cols, oc)
	}
	r.runs = make([][2]int, len(t.Columns))
	r.staticOff = make([]int, len(t.Columns))
	r.staticEnd = make([]int, len(t.Columns))
	r.staticWT = make([][2]int, len(t.Columns))
	r.staticTTL = make([][2]int, len(t.Columns))
	r.staticSet = true // reset by the first StartPartition
	return r
}

// appendMeta appends writetime (ttl false) or ttl (ttl true) of column c's live
// cells: a number or null for a simple column, a list for a non-frozen one.
func (r *Rows) appendMeta(dst []byte, c int, cells []rows.Cell, ttl bool) []byte {
	one := func(dst []byte, cell *rows.Cell) []byte {
		if !ttl {
			return strconv.AppendInt(dst, cell.Timestamp, 10)
		}
		ttl, ok := r.v.TTL(cell)
		if !ok {
			return append(dst, "null"...)
		}
		return strconv.AppendInt(dst, ttl, 10)
	}
	if !r.t.Columns[c].Type.IsMultiCell() {
		cell := r.v.Cell(cells)
		if cell == nil {
			return append(dst, "null"...)
		}
		return one(dst, cell)
	}
	n := 0
	for i := range cells {
		if !r.v.Live(&cells[i]) {
			continue
		}
		if n == 0 {
			dst = append(dst, '[')
		} else {
			dst = append(dst, ", "...)
		}
		dst = one(dst, &cells[i])
		n++
	}
	if n == 0 {
		return append(dst, "null"...)
	}
	return append(dst, ']')
}

// StartPartition renders the partition key.
func (r *Rows) StartPartition(key []byte) error {
	r.keyJSON = r.keyJSON[:0]
	r.static = r.static[:0]
	r.hasStatic = false
	r.emitted = 0
	r.staticMeta = r.staticMeta[:0]
	if r.staticSet {
		for i := range r.staticOff {
			r.staticOff[i] = -1
			r.staticWT[i] = [2]int{-1, -1}
			r.staticTTL[i] = [2]int{-1, -1}
		}
		r.staticSet = false
	}
	comps, err := r.v.KeyComponents(r.comps[:0], key)
	r.comps = comps
	if err != nil {
		return err
	}
	for i, c := range r.t.PartitionKey {
		r.keyJSON = append(r.keyJSON, r.pkNames[i]...)
		if r.keyJSON, err = r.pkApp[i].Append(r.keyJSON, comps[i]); err != nil {
			return fmt.Errorf("partition key %s: %w", c.Name, err)
		}
		r.keyJSON = append(r.keyJSON, ',', ' ')
	}
	return nil
}

// AppendRow appends the JSON line of row if it is visible at now; it reports
// whether it did. The static row is never printed itself: its live values go into
// every row of the partition.
func (r *Rows) AppendRow(dst []byte, m *merge.Row) ([]byte, bool, error) {
	if m.Static {
		var err error
		r.staticSet = true
		for i := 0; i < len(m.Cells); {
			j := i + 1
			for j < len(m.Cells) && m.Cells[j].Column == m.Cells[i].Column {
				j++
			}
			c := m.Cells[i].Column
			before := len(r.static)
			var ok bool
			if r.static, ok, err = r.appendColumnValue(r.static, &r.byID[c], m.Cells[i:j]); err != nil {
				return dst, false, err
			}
			if ok {
				r.staticOff[c], r.staticEnd[c] = before, len(r.static)
				if r.opts.Writetime {
					b := len(r.staticMeta)
					r.staticMeta = r.appendMeta(r.staticMeta, c, m.Cells[i:j], false)
					r.staticWT[c] = [2]int{b, len(r.staticMeta)}
				}
				if r.opts.TTL {
					b := len(r.staticMeta)
					r.staticMeta = r.appendMeta(r.staticMeta, c, m.Cells[i:j], true)
					r.staticTTL[c] = [2]int{b, len(r.staticMeta)}
				}
			} else {
				r.static = r.static[:before]
			}
			i = j
		}
		r.hasStatic = r.v.StaticLive(m)
		return dst, false, nil
	}
	if !r.v.ShowsRow(m) {
		return dst, false, nil
	}
	var err error
	dst = append(dst, '{')
	dst = append(dst, r.keyJSON...)
	for i := range r.ckApp {
		dst = appendName(dst, r.ckNames[i])
		if i < len(m.Clustering) && m.Clustering[i] != nil {
			if dst, err = r.ckApp[i].Append(dst, m.Clustering[i]); err != nil {
				return dst, false, fmt.Errorf("clustering %s: %w", r.t.Clustering[i].Name, err)
			}
		} else {
			dst = append(dst, "null"...)
		}
		dst = append(dst, ',', ' ')
	}
	// Cells are sorted by column id; walk the output order and find each column's run.
	if dst, err = r.appendColumns(dst, m.Cells, m.Runs); err != nil {
		return dst, false, err
	}
	dst = append(dst, '}', '\n')
	r.emitted++
	return dst, true, nil
}

// EndPartition appends the static-only row Cassandra returns for a partition with
// live static data and no live rows.
func (r *Rows) EndPartition(dst []byte) ([]byte, bool, error) {
	if !r.v.ShowsStaticOnly(r.emitted, r.hasStatic) {
		return dst, false, nil
	}
	dst = append(dst, '{')
	dst = append(dst, r.keyJSON...)
	for i := range r.ckNames {
		dst = append(dst, r.ckNames[i]...)
		dst = append(dst, "null, "...)
	}
	var err error
	if dst, err = r.appendColumns(dst, nil, nil); err != nil {
		return dst, false, err
	}
	dst = append(dst, '}', '\n')
	return dst, true, nil
}

// appendColumns appends the printed columns of a row with cells, whose runs by
// column (merge.Row.Runs) may be given, or nil.
func (r *Rows) appendColumns(dst []byte, cells []rows.Cell, given [][2]int) ([]byte, error) {
	// Index each column's run of cells once (cells are sorted by column; the
	// output order is not column order), unless the decoder did.
	runs := r.runs
	if len(given) == len(runs) {
		runs = given
	} else {
		ColumnRuns(runs, cells)
	}
	meta := r.opts.Writetime || r.opts.TTL
	var err error
	// The loop is kept small (the rare cases are calls that are not inlined)
	// so that its frame and its spills around each call stay small.
	// The run's slice is made only where it is used: as a variable of the
	// loop its three words were kept on the stack across every call.
	cols := r.cols
	for k := range cols {
		oc := &cols[k]
		dst = appendName(dst, oc.name)
		rg := runs[oc.c]
		if lo := rg[0]; oc.kind == simpleColumn && lo < rg[1] && r.v.Live(&cells[lo]) {
			// The common case, without a call of its own (r.v.Cell).
			if dst, err = oc.app.Append(dst, cells[lo].Value); err != nil {
				return dst, columnError(oc, err)
			}
		} else if run := cells[lo:rg[1]]; oc.kind == multiCellColumn && len(run) > 0 && r.v.AllLive(run) {
			// A collection without dead cells (LiveRun would return run).
			if dst, err = oc.app.AppendMultiCell(dst, run); err != nil {
				return dst, columnError(oc, err)
			}
		} else if oc.kind == staticColumn {
			dst = r.appendStatic(dst, oc.c)
		} else if dst, _, err = r.appendColumnValue(dst, oc, run); err != nil {
			return dst, err
		}
		if meta {
			dst = r.appendColumnMeta(dst, oc, cells[rg[0]:rg[1]])
		}
	}
	if len(r.cols) == 0 && len(dst) >= 2 && dst[len(dst)-2] == ',' {
		dst = dst[:len(dst)-2]
	}
	return dst, nil
}

// appendStatic appends static column c's value from the partition's static
// row, null when it has none.
func (r *Rows) appendStatic(dst []byte, c int) []byte {
	if off := r.staticOff[c]; off >= 0 {
		return append(dst, r.static[off:r.staticEnd[c]]...)
	}
	return append(dst, "null"...)
}

// appendColumnMeta appends a printed column's writetime and ttl as the options
// ask.
func (r *Rows) appendColumnMeta(dst []byte, oc *outColumn, cells []rows.Cell) []byte {
	c := oc.c
	if r.opts.Writetime {
		dst = append(dst, ", "...)
		dst = append(dst, r.wtNames[c]...)
		if oc.kind == staticColumn {
			dst = r.appendStaticMeta(dst, r.staticWT[c])
		} else {
			dst = r.appendMeta(dst, c, cells, false)
		}
	}
	if r.opts.TTL {
		dst = append(dst, ", "...)
		dst = append(dst, r.ttlNames[c]...)
		if oc.kind == staticColumn {
			dst = r.appendStaticMeta(dst, r.staticTTL[c])
		} else {
			dst = r.appendMeta(dst, c, cells, true)
		}
	}
	return dst
}

// columnError says which column's value could not be rendered.
func columnError(oc *outColumn, err error) error {
	return fmt.Errorf("column %s: %w", oc.col.Name, err)
}

// namePad is the room a short name is stored with, for appendName.
const namePad = 16

// padName returns name in a buffer of namePad bytes when it fits.
func padName(name []byte) []byte {
	if len(name) > namePad {
		return name
	}
	return append(make([]byte, 0, namePad), name...)
}

// appendName appends a name stored by padName: one of up to namePad bytes is
// copied whole, with two word loads and stores, where dst has room: cheaper
// than append's copy call for so few bytes. The bytes past the name are
// overwritten later.
func appendName(dst, name []byte) []byte {
	if l := len(dst); cap(dst)-l >= namePad && cap(name) == namePad {
		n := name[:namePad]
		w0, w1 := binary.LittleEndian.Uint64(n), binary.LittleEndian.Uint64(n[8:])
		out := dst[l : l+namePad]
		binary.LittleEndian.PutUint64(out, w0)
		binary.LittleEndian.PutUint64(out[8:], w1)
		return dst[:l+len(name)]
	}
	return append(dst, name...)
}

func (r *Rows) appendStaticMeta(dst []byte, rg [2]int) []byte {
	if rg[0] < 0 {
		return append(dst, "null"...)
	}
	return append(dst, r.staticMeta[rg[0]:rg[1]]...)
}

// outColumn is one static or regular column of the rows layout.
type outColumn struct {
	c    int            // Table.Columns index
	col  *schema.Column // the column
	name []byte         // `"name": `, after ", " but for the first column; printed columns only
	kind columnKind
	app  cqljson.Appender // the column type's
}

// columnKind is how a column's value is found and rendered.
type columnKind uint8

const (
	simpleColumn    columnKind = iota // one cell, its value
	counterColumn                     // one cell, its context's total
	multiCellColumn                   // the live cells of a non-frozen collection or UDT
	staticColumn                      // a printed static column: the partition's static row's value
)

// appendColumnValue appends the live value of a column from its merged cells;
// for a null column (no live cell) it appends null and ok is false.
func (r *Rows) appendColumnValue(dst []byte, oc *outColumn, cells []rows.Cell) ([]byte, bool, error) {
	var err error
	if oc.kind == multiCellColumn {
		live := r.v.LiveRun(&r.live, cells)
		if len(live) == 0 {
			return append(dst, "null"...), false, nil
		}
		if dst, err = oc.app.AppendMultiCell(dst, live); err != nil {
			return dst, false, columnError(oc, err)
		}
		return dst, true, nil
	}
	cell := r.v.Cell(cells)
	if cell == nil {
		return append(dst, "null"...), false, nil
	}
	if oc.kind == counterColumn {
		v, err := CounterTotal(cell)
		if err != nil {
			return dst, false, columnError(oc, err)
		}
		return strconv.AppendInt(dst, v, 10), true, nil
	}
	if dst, err = oc.app.Append(dst, cell.Value); err != nil {
		return dst, false, columnError(oc, err)
	}
	return dst, true, nil
}
