// Package parquetrows writes the rows layout (what SELECT JSON * shows for
// every live CQL row at one instant) as a Parquet file with typed columns:
// one column per printed CQL column, in SELECT * order, plus writetime(c) and
// ttl(c) when asked. docs/parquet.md maps every CQL type.
//
// Which rows and cells are shown is render.Visible's decision, the same one
// the JSON renderer asks; this package only turns the values into Parquet.
//
//	s, err := NewSchema(table, rowsOptions)
//	w, err := s.NewWriter(out, now, opts)
//	w.StartPartition(key); w.WriteRow(row)...; w.EndPartition()
//	w.Close()
package parquetrows

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"strings"
	"unicode/utf8"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress"
	"github.com/parquet-go/parquet-go/compress/gzip"
	"github.com/parquet-go/parquet-go/compress/snappy"
	"github.com/parquet-go/parquet-go/compress/uncompressed"
	"github.com/parquet-go/parquet-go/compress/zstd"

	"github.com/aegisthus/aegisthus/internal/cql"
	"github.com/aegisthus/aegisthus/internal/javafmt"
	"github.com/aegisthus/aegisthus/internal/merge"
	"github.com/aegisthus/aegisthus/internal/render"
	"github.com/aegisthus/aegisthus/internal/rows"
	"github.com/aegisthus/aegisthus/internal/schema"
	"github.com/aegisthus/aegisthus/internal/sstable/wire"
)

// DefaultRowGroupSize is the default Options.RowGroupSize: large enough for
// engines to skip by statistics, small enough that a worker's buffered row
// group stays a few tens of MB.
const DefaultRowGroupSize = 64 << 20

// Metadata keys of the file's key-value metadata.
const (
	MetaSchema = "aegisthus.schema" // JSON: the table (schema.Desc), its CQL and clustering order
	MetaCQL    = "aegisthus.cql"    // the table's CREATE TABLE statement
)

// Codecs names the column compression codecs: none, snappy, gzip, zstd.
var Codecs = []string{"none", "snappy", "gzip", "zstd"}

// Codec returns the Parquet codec called name (one of Codecs), or false.
func Codec(name string) (compress.Codec, bool) {
	switch name {
	case "none":
		return &uncompressed.Codec{}, true
	case "snappy":
		return &snappy.Codec{}, true
	case "gzip":
		// The zero Codec is level 0, gzip.NoCompression: stored blocks. The
		// default level is what the JSON export's gzip uses.
		return &gzip.Codec{Level: gzip.DefaultCompression}, true
	case "zstd":
		return &zstd.Codec{}, true
	}
	return nil, false
}

// Options adjust a Writer.
type Options struct {
	// Codec compresses every column (Codec); nil is zstd.
	Codec compress.Codec
	// RowGroupSize is the buffered (uncompressed) bytes at which a row group is
	// flushed; 0 is DefaultRowGroupSize.
	RowGroupSize int64
	// CreatedBy names the writing tool in the file's footer.
	CreatedBy string
}

// Schema is a table's Parquet schema and the nodes that write it. It is
// immutable: one Schema serves every Writer of an export, on any goroutine.
type Schema struct {
	t      *schema.Table
	opts   render.RowsOptions
	pq     *parquet.Schema
	keys   []*node // partition key components
	clus   []*node
	cols   []colNodes // printed columns, in output order
	ncols  int
	static bool // some printed column is static
	meta   map[string]string
}

// colNodes are the nodes of one printed column and its writetime and ttl.
type colNodes struct {
	c       int // Table.Columns index
	val     *node
	wt, ttl *node // nil unless asked
}

// NewSchema maps t (its printed columns as opts selects them) to Parquet. A
// type without a mapping is an error wrapping wire.ErrUnsupported that names
// the column.
func NewSchema(t *schema.Table, opts render.RowsOptions) (*Schema, error) {
	s := &Schema{t: t, opts: opts}
	var b builder
	root := &group{}
	add := func(name string, typ *cql.Type) (*node, error) {
		n, pn, err := b.column(name, typ)
		if err != nil {
			return nil, fmt.Errorf("table %s.%s column %s: %w", t.Keyspace, t.Name, name, err)
		}
		root.fields = append(root.fields, field{pn, name})
		return n, nil
	}
	for _, c := range t.PartitionKey {
		n, err := add(c.Name, c.Type)
		if err != nil {
			return nil, err
		}
		s.keys = append(s.keys, n)
	}
	if !t.StaticCompact {
		for _, c := range t.Clustering {
			n, err := add(c.Name, c.Type)
			if err != nil {
				return nil, err
			}
			s.clus = append(s.clus, n)
		}
	}
	v := render.NewVisible(t, 0, opts.Columns)
	for _, c := range v.Order() {
		col := &t.Columns[c]
		cn := colNodes{c: c}
		var err error
		if cn.val, err = add(col.Name, col.Type); err != nil {
			return nil, err
		}
		multi := col.Type.IsMultiCell()
		if opts.Writetime {
			name := "writetime(" + col.Name + ")"
			n, pn := b.meta(name, multi, convWritetime)
			cn.wt = n
			root.fields = append(root.fields, field{pn, name})
		}
		if opts.TTL {
			name := "ttl(" + col.Name + ")"
			n, pn := b.meta(name, multi, convTTL)
			cn.ttl = n
			root.fields = append(root.fields, field{pn, name})
		}
		s.static = s.static || col.Static
		s.cols = append(s.cols, cn)
	}
	s.ncols = b.cols
	s.pq = parquet.NewSchema(t.Name, root)
	if len(s.pq.Columns()) != s.ncols {
		return nil, fmt.Errorf("table %s.%s: %d Parquet columns, counted %d", t.Keyspace, t.Name, len(s.pq.Columns()), s.ncols)
	}
	s.meta = tableMeta(t)
	return s, nil
}

// Parquet is the file schema.
func (s *Schema) Parquet() *parquet.Schema { return s.pq }

// tableMeta is what the file's key-value metadata says about the table.
func tableMeta(t *schema.Table) map[string]string {
	type clus struct {
		Name  string `json:"name"`
		Order string `json:"order"`
	}
	d := struct {
		Table      string      `json:"table"`
		CQL        string      `json:"cql"`
		Key        []string    `json:"partition_key"`
		Clustering []clus      `json:"clustering"`
		Desc       interface{} `json:"desc,omitempty"`
	}{Table: t.Keyspace + "." + t.Name, CQL: createTable(t), Clustering: []clus{}}
	for _, c := range t.PartitionKey {
		d.Key = append(d.Key, c.Name)
	}
	for _, c := range t.Clustering {
		o := "ASC"
		if c.Type.Reversed {
			o = "DESC"
		}
		d.Clustering = append(d.Clustering, clus{c.Name, o})
	}
	if t.Partitioner != nil {
		d.Desc = t.Describe()
	}
	b, _ := json.Marshal(d)
	return map[string]string{MetaSchema: string(b), MetaCQL: d.CQL}
}

// createTable spells t as a CREATE TABLE statement.
func createTable(t *schema.Table) string {
	var sb strings.Builder
	fmt.Fprintf(&sb, "CREATE TABLE %s.%s (", cql.QuoteIdent(t.Keyspace), cql.QuoteIdent(t.Name))
	typ := func(c *schema.Column) string {
		ct := *c.Type
		ct.Reversed = false
		return ct.CQL()
	}
	for _, c := range t.PartitionKey {
		fmt.Fprintf(&sb, "%s %s, ", cql.QuoteIdent(c.Name), typ(&c))
	}
	for _, c := range t.Clustering {
		fmt.Fprintf(&sb, "%s %s, ", cql.QuoteIdent(c.Name), typ(&c))
	}
	for _, c := range t.Columns {
		if c.Hidden {
			continue
		}
		fmt.Fprintf(&sb, "%s %s", cql.QuoteIdent(c.Name), typ(&c))
		if c.Static {
			sb.WriteString(" static")
		}
		sb.WriteString(", ")
	}
	sb.WriteString("PRIMARY KEY ((")
	for i, c := range t.PartitionKey {
		if i > 0 {
			sb.WriteString(", ")
		}
		sb.WriteString(cql.QuoteIdent(c.Name))
	}
	sb.WriteString(")")
	for _, c := range t.Clustering {
		sb.WriteString(", ")
		sb.WriteString(cql.QuoteIdent(c.Name))
	}
	sb.WriteString("))")
	if len(t.Clustering) > 0 {
		sb.WriteString(" WITH CLUSTERING ORDER BY (")
		for i, c := range t.Clustering {
			if i > 0 {
				sb.WriteString(", ")
			}
			o := "ASC"
			if c.Type.Reversed {
				o = "DESC"
			}
			sb.WriteString(cql.QuoteIdent(c.Name) + " " + o)
		}
		sb.WriteString(")")
	}
	return sb.String()
}

// Writer writes one Parquet file of the rows layout. Use one per goroutine:
//
//	w.StartPartition(key)
//	for each merged row: ok, err = w.WriteRow(row)   (the static row first)
//	ok, err = w.EndPartition()
//	...
//	err = w.Close()
//
// Rows wait in a batch, their bytes copied, so the merged row's buffers may be
// reused after WriteRow returns. Errors name the column; the caller adds the
// partition and the file, and abandons it.
type Writer struct {
	s   *Schema
	v   *render.Visible
	pw  *parquet.Writer
	cws []*parquet.ColumnWriter
	row enc // the batch's rows, column by column (copies)
	st  enc // the partition's static columns, rendered once (copies)
	n   int // rows in the batch

	key       []byte
	comps     [][]byte
	staticSet bool // the partition has a static row
	staticOK  bool // ... with live data
	shown     int
	runs      [][2]int
	live      []rows.Cell // scratch: a multi-cell column's live cells (Visible.LiveRun)

	groupSize int64
	flushedAt int64
}

// NewWriter starts a Parquet file of s's rows on out, evaluating TTLs at now
// (seconds).
func (s *Schema) NewWriter(out io.Writer, now int64, o Options) *Writer {
	if o.Codec == nil {
		o.Codec = &zstd.Codec{}
	}
	if o.RowGroupSize <= 0 {
		o.RowGroupSize = DefaultRowGroupSize
	}
	opts := []parquet.WriterOption{s.pq, parquet.Compression(o.Codec)}
	if o.CreatedBy != "" {
		opts = append(opts, parquet.CreatedBy(o.CreatedBy, "", ""))
	}
	for k, v := range s.meta {
		opts = append(opts, parquet.KeyValueMetadata(k, v))
	}
	w := &Writer{s: s, v: render.NewVisible(s.t, now, s.opts.Columns), pw: parquet.NewWriter(out, opts...),
		groupSize: o.RowGroupSize, runs: make([][2]int, len(s.t.Columns))}
	w.cws = w.pw.ColumnWriters()
	w.row.cols = make([][]parquet.Value, s.ncols)
	w.row.copy = true // rows wait in a batch, after their merged row is gone
	w.st.cols = make([][]parquet.Value, s.ncols)
	w.st.copy = true
	return w
}

// StartPartition starts a partition of key (the stored key, all components).
func (w *Writer) StartPartition(key []byte) error {
	w.key = append(w.key[:0], key...)
	w.staticSet, w.staticOK, w.shown = false, false, 0
	var err error
	w.comps, err = w.v.KeyComponents(w.comps[:0], w.key)
	return err
}

// WriteRow writes row if it is shown at now, and reports whether it did. The
// static row is not a row itself: its columns go into every row of the
// partition.
func (w *Writer) WriteRow(m *merge.Row) (bool, error) {
	if m.Static {
		return false, w.setStatic(m)
	}
	if !w.v.ShowsRow(m) {
		return false, nil
	}
	if err := w.writeRow(m.Clustering, m.Cells); err != nil {
		return false, err
	}
	w.shown++
	return true, nil
}

// EndPartition writes the static-only row of a partition whose static row is
// live and that showed no row, and reports whether it did.
func (w *Writer) EndPartition() (bool, error) {
	if !w.v.ShowsStaticOnly(w.shown, w.staticOK) {
		return false, nil
	}
	return true, w.writeRow(nil, nil)
}

// Close flushes the last row group and writes the footer.
func (w *Writer) Close() error {
	if err := w.flushBatch(); err != nil {
		return err
	}
	return w.pw.Close()
}

// batchRows is how many rows go to the Parquet writer at once: one call per
// column per batch instead of per row.
const batchRows = 256

// flushBatch hands the batched rows to the Parquet writer, column by column
// (the values are already split by column: no parquet.Row is assembled and
// split again), and flushes a row group when it has grown to the row group
// size.
func (w *Writer) flushBatch() error {
	if w.n == 0 {
		return nil
	}
	for c, cw := range w.cws {
		if _, err := cw.WriteRowValues(w.row.cols[c]); err != nil {
			return err
		}
	}
	w.n = 0
	w.row.reset()
	w.row.arena = w.row.arena[:0]
	if size := w.pw.Size(); size-w.flushedAt >= w.groupSize {
		if err := w.pw.Flush(); err != nil {
			return err
		}
		w.flushedAt = w.pw.Size()
	}
	return nil
}

// setStatic renders the static columns once for the partition's rows.
func (w *Writer) setStatic(m *merge.Row) error {
	w.staticSet, w.staticOK = true, w.v.StaticLive(m)
	e := &w.st
	e.reset()
	// Batched rows may point into the static arena (earlier partitions'
	// statics): it is reused only with no row waiting, and a batch is written
	// early rather than let the arena grow past 1 MiB.
	if w.n > 0 && len(e.arena) > 1<<20 {
		if err := w.flushBatch(); err != nil {
			return err
		}
	}
	if w.n == 0 {
		e.arena = e.arena[:0]
	}
	render.ColumnRuns(w.runs, m.Cells)
	for _, cn := range w.s.cols {
		if !w.s.t.Columns[cn.c].Static {
			continue
		}
		rg := w.runs[cn.c]
		if err := w.column(e, cn, m.Cells[rg[0]:rg[1]]); err != nil {
			return err
		}
	}
	return nil
}

// writeRow writes one row: the partition key, clustering (nil: a static-only
// row, null clustering), the row's cells and the partition's static columns.
func (w *Writer) writeRow(clustering [][]byte, cells []rows.Cell) error {
	e := &w.row
	for i, n := range w.s.keys {
		if err := e.value(n, w.comps[i], 0); err != nil {
			return fmt.Errorf("partition key %s: %w", n.name, err)
		}
	}
	for i, n := range w.s.clus {
		if i >= len(clustering) || clustering[i] == nil {
			e.nulls(n, 0, 0)
			continue
		}
		if err := e.value(n, clustering[i], 0); err != nil {
			return fmt.Errorf("clustering %s: %w", n.name, err)
		}
	}
	render.ColumnRuns(w.runs, cells)
	for _, cn := range w.s.cols {
		if w.s.t.Columns[cn.c].Static {
			if w.staticSet {
				for col := cn.val.first; col < w.colEnd(cn); col++ {
					e.cols[col] = append(e.cols[col], w.st.cols[col]...)
				}
			} else {
				e.nullColumn(cn)
			}
			continue
		}
		rg := w.runs[cn.c]
		if err := w.column(e, cn, cells[rg[0]:rg[1]]); err != nil {
			return err
		}
	}
	w.n++
	if w.n == batchRows {
		return w.flushBatch()
	}
	return nil
}

// colEnd is one past the last leaf column of a printed column with its
// writetime and ttl.
func (w *Writer) colEnd(cn colNodes) int {
	switch {
	case cn.ttl != nil:
		return cn.ttl.end
	case cn.wt != nil:
		return cn.wt.end
	}
	return cn.val.end
}

// column writes a non-key column's value, writetime and ttl from its merged
// cells: only live cells count (render.Visible).
func (w *Writer) column(e *enc, cn colNodes, cells []rows.Cell) error {
	col := &w.s.t.Columns[cn.c]
	if !col.Type.IsMultiCell() {
		cell := w.v.Cell(cells)
		if cell == nil {
			e.nullColumn(cn)
			return nil
		}
		var err error
		if col.Type.Kind == cql.Counter {
			var total int64
			if total, err = render.CounterTotal(cell); err == nil {
				e.put(cn.val, parquet.Int64Value(total), 0)
			}
		} else {
			err = e.value(cn.val, cell.Value, 0)
		}
		if err != nil {
			return fmt.Errorf("column %s: %w", col.Name, err)
		}
		if cn.wt != nil {
			e.put(cn.wt, parquet.Int64Value(cell.Timestamp), 0)
		}
		if cn.ttl != nil {
			if ttl, ok := w.v.TTL(cell); ok {
				e.put(cn.ttl, parquet.Int32Value(int32(ttl)), 0)
			} else {
				e.nulls(cn.ttl, 0, 0)
			}
		}
		return nil
	}
	live := w.v.LiveRun(&w.live, cells)
	if len(live) == 0 {
		e.nullColumn(cn)
		return nil
	}
	if err := e.multiCell(cn.val, live); err != nil {
		return fmt.Errorf("column %s: %w", col.Name, err)
	}
	if cn.wt == nil && cn.ttl == nil {
		return nil
	}
	n := 0
	for i := range cells {
		c := &cells[i]
		if !w.v.Live(c) {
			continue
		}
		rep := 0
		if n > 0 {
			rep = 1
		}
		n++
		if cn.wt != nil {
			e.put(cn.wt.children[0], parquet.Int64Value(c.Timestamp), rep)
		}
		if cn.ttl != nil {
			if ttl, ok := w.v.TTL(c); ok {
				e.put(cn.ttl.children[0], parquet.Int32Value(int32(ttl)), rep)
			} else {
				e.nulls(cn.ttl.children[0], 2, rep)
			}
		}
	}
	return nil
}

// enc collects values per leaf column: a batch of rows, or a partition's
// static columns.
type enc struct {
	cols  [][]parquet.Value
	arena []byte // rendered and copied bytes the values point into
	copy  bool   // copy byte values into arena (they must outlive the merged row)
}

// reset clears the values; the arena they point into is the caller's to reset
// once they are written.
func (e *enc) reset() {
	for i := range e.cols {
		e.cols[i] = e.cols[i][:0]
	}
}

// put appends a present leaf value.
func (e *enc) put(n *node, v parquet.Value, rep int) {
	e.cols[n.col] = append(e.cols[n.col], v.Level(rep, n.def, n.col))
}

// nulls appends, to every leaf under n, a null defined up to level def.
func (e *enc) nulls(n *node, def, rep int) {
	for c := n.first; c < n.end; c++ {
		e.cols[c] = append(e.cols[c], parquet.NullValue().Level(rep, def, c))
	}
}

// nullColumn appends a null column and null writetime and ttl.
func (e *enc) nullColumn(cn colNodes) {
	e.nulls(cn.val, 0, 0)
	if cn.wt != nil {
		e.nulls(cn.wt, 0, 0)
	}
	if cn.ttl != nil {
		e.nulls(cn.ttl, 0, 0)
	}
}

// bytes returns v, or a copy of it in the arena when e keeps values.
func (e *enc) bytes(v []byte) []byte {
	if !e.copy {
		return v
	}
	n := len(e.arena)
	e.arena = append(e.arena, v...)
	return e.arena[n:len(e.arena):len(e.arena)]
}

// value appends v, one serialized value of n's type (not null), at rep.
func (e *enc) value(n *node, v []byte, rep int) error {
	switch n.shape {
	case listShape:
		return e.list(n, v, rep)
	case mapShape:
		return e.mapValue(n, v, rep)
	case groupShape:
		return e.group(n, v, rep)
	}
	if len(v) == 0 {
		switch n.conv {
		case convBytes, convText, convASCII:
		default:
			// An empty value of a type that has none (blobAsInt(0x)): SELECT
			// JSON prints "", Parquet has only null.
			if !n.optional {
				return fmt.Errorf("empty %s value where Parquet needs one: %w", n.typ.CQL(), wire.ErrUnsupported)
			}
			e.nulls(n, n.def-1, rep)
			return nil
		}
	}
	return e.leaf(n, v, rep)
}

func lengthError(t *cql.Type, want, have int) error {
	return fmt.Errorf("%s value: want %d bytes, have %d: %w", t.CQL(), want, have, wire.ErrCorrupt)
}

// leaf appends a non-empty value (or an empty text, ascii or blob) at rep.
// Each value is made and given its levels in one place: returning it to the
// caller first cost a stall per value (docs/parquet.md, Performance).
func (e *enc) leaf(n *node, v []byte, rep int) error {
	t := n.typ
	fixed := func(want int) error {
		if len(v) != want {
			return lengthError(t, want, len(v))
		}
		return nil
	}
	switch n.conv {
	case convBytes:
		e.put(n, parquet.ByteArrayValue(e.bytes(v)), rep)
		return nil
	case convText:
		if !utf8.Valid(v) {
			return fmt.Errorf("text value is not valid UTF-8: %w", wire.ErrCorrupt)
		}
		e.put(n, parquet.ByteArrayValue(e.bytes(v)), rep)
		return nil
	case convASCII:
		if i := cql.NonASCII(v); i >= 0 {
			return fmt.Errorf("ascii value has byte 0x%02x at %d: %w", v[i], i, wire.ErrCorrupt)
		}
		e.put(n, parquet.ByteArrayValue(e.bytes(v)), rep)
		return nil
	case convBool:
		if err := fixed(1); err != nil {
			return err
		}
		e.put(n, parquet.BooleanValue(v[0] != 0), rep)
		return nil
	case convInt32:
		w := t.Kind.IntWidth()
		if err := fixed(w); err != nil {
			return err
		}
		var x int32
		switch w {
		case 1:
			x = int32(int8(v[0]))
		case 2:
			x = int32(int16(binary.BigEndian.Uint16(v)))
		default:
			x = int32(binary.BigEndian.Uint32(v))
		}
		e.put(n, parquet.Int32Value(x), rep)
		return nil
	case convInt64, convTimestamp, convTime:
		if err := fixed(8); err != nil {
			return err
		}
		e.put(n, parquet.Int64Value(int64(binary.BigEndian.Uint64(v))), rep)
		return nil
	case convCounter:
		total, err := merge.CounterValue(v)
		if err != nil {
			return err
		}
		e.put(n, parquet.Int64Value(total), rep)
		return nil
	case convFloat:
		if err := fixed(4); err != nil {
			return err
		}
		e.put(n, parquet.FloatValue(math.Float32frombits(binary.BigEndian.Uint32(v))), rep)
		return nil
	case convDouble:
		if err := fixed(8); err != nil {
			return err
		}
		e.put(n, parquet.DoubleValue(math.Float64frombits(binary.BigEndian.Uint64(v))), rep)
		return nil
	case convDate:
		if err := fixed(4); err != nil {
			return err
		}
		e.put(n, parquet.Int32Value(int32(binary.BigEndian.Uint32(v)-1<<31)), rep)
		return nil
	case convUUID:
		if err := fixed(16); err != nil {
			return err
		}
		e.put(n, parquet.FixedLenByteArrayValue(e.bytes(v)), rep)
		return nil
	case convDecimal, convVarint, convInet:
		start := len(e.arena)
		var err error
		switch n.conv {
		case convDecimal:
			e.arena, err = javafmt.AppendDecimal(e.arena, v, false)
		case convVarint:
			e.arena = javafmt.AppendVarint(e.arena, v)
		default:
			e.arena, err = javafmt.AppendInet(e.arena, v)
		}
		if err != nil {
			return err
		}
		e.put(n, parquet.ByteArrayValue(e.arena[start:len(e.arena):len(e.arena)]), rep)
		return nil
	}
	return fmt.Errorf("no Parquet value for %s: %w", t.CQL(), wire.ErrUnsupported)
}

// list appends a frozen list or set, or a vector.
func (e *enc) list(n *node, v []byte, rep int) error {
	el := n.children[0]
	count := 0
	fn := func(i int, b []byte) error {
		r := rep
		if i > 0 {
			r = n.rep
		}
		count++
		if b == nil {
			e.nulls(el, n.def+1, r)
			return nil
		}
		return e.value(el, b, r)
	}
	var err error
	if n.typ.Kind == cql.Vector {
		err = n.typ.VectorElems(v, fn)
	} else {
		err = cql.Elems(v, 1, fn)
	}
	if err != nil {
		return err
	}
	if count == 0 {
		e.nulls(el, n.def, rep) // present and empty
	}
	return nil
}

// mapValue appends a frozen map.
func (e *enc) mapValue(n *node, v []byte, rep int) error {
	k, val := n.children[0], n.children[1]
	count := 0
	err := cql.Elems(v, 2, func(i int, b []byte) error {
		r := rep
		if i > 1 {
			r = n.rep
		}
		if i%2 == 0 {
			count++
			if b == nil {
				return fmt.Errorf("map key %d is null: %w", i/2, wire.ErrCorrupt)
			}
			return e.value(k, b, r)
		}
		if b == nil {
			e.nulls(val, n.def+1, r)
			return nil
		}
		return e.value(val, b, r)
	})
	if err != nil {
		return err
	}
	if count == 0 {
		e.nulls(n, n.def, rep)
	}
	return nil
}

// group appends a frozen UDT or tuple (i32 length and bytes per field, -1 for
// null, missing trailing fields null), or a duration.
func (e *enc) group(n *node, v []byte, rep int) error {
	if n.typ.Kind == cql.Duration {
		if len(v) == 0 {
			e.nulls(n, n.def-1, rep)
			return nil
		}
		m, d, ns, err := cql.DecodeDuration(v)
		if err != nil {
			return err
		}
		e.put(n.children[0], parquet.Int32Value(m), rep)
		e.put(n.children[1], parquet.Int32Value(d), rep)
		e.put(n.children[2], parquet.Int64Value(ns), rep)
		return nil
	}
	if len(v) == 0 {
		if !n.optional {
			return fmt.Errorf("empty %s value where Parquet needs one: %w", n.typ.CQL(), wire.ErrUnsupported)
		}
		e.nulls(n, n.def-1, rep)
		return nil
	}
	off := 0
	for i, f := range n.children {
		if off == len(v) {
			e.nulls(f, n.def, rep)
			continue
		}
		if len(v)-off < 4 {
			return fmt.Errorf("%s: field %d: need a 4-byte length at byte %d of %d: %w", n.typ.Kind, i, off, len(v), wire.ErrCorrupt)
		}
		l := int32(binary.BigEndian.Uint32(v[off:]))
		off += 4
		if l < 0 {
			e.nulls(f, n.def, rep)
			continue
		}
		if int(l) > len(v)-off {
			return fmt.Errorf("%s: field %d: length %d runs past the end (%d bytes left): %w", n.typ.Kind, i, l, len(v)-off, wire.ErrCorrupt)
		}
		if err := e.value(f, v[off:off+int(l)], rep); err != nil {
			return err
		}
		off += int(l)
	}
	if off != len(v) {
		return fmt.Errorf("%s: %d bytes after the last of %d fields: %w", n.typ.Kind, len(v)-off, len(n.children), wire.ErrCorrupt)
	}
	return nil
}

// multiCell appends a non-frozen collection or UDT from its live cells (at
// least one), in path order: list values, set paths, map paths and values,
// UDT field indexes and values.
func (e *enc) multiCell(n *node, cells []rows.Cell) error {
	switch n.typ.Kind {
	case cql.List, cql.Set:
		el := n.children[0]
		for i := range cells {
			r := 0
			if i > 0 {
				r = n.rep
			}
			b := cells[i].Value
			if n.typ.Kind == cql.Set {
				b = cells[i].Path
			}
			if err := e.value(el, b, r); err != nil {
				return err
			}
		}
		return nil
	case cql.Map:
		for i := range cells {
			r := 0
			if i > 0 {
				r = n.rep
			}
			if err := e.value(n.children[0], cells[i].Path, r); err != nil {
				return err
			}
			if err := e.value(n.children[1], cells[i].Value, r); err != nil {
				return err
			}
		}
		return nil
	case cql.UDT:
		c := 0
		for i, f := range n.children {
			if c < len(cells) {
				idx, err := cql.FieldIndex(cells[c].Path)
				if err != nil {
					return err
				}
				if idx < i || idx >= len(n.children) {
					return fmt.Errorf("udt %s: cell %d has field index %d, want %d..%d in order: %w", n.typ.Name, c, idx, i, len(n.children)-1, wire.ErrCorrupt)
				}
				if idx == i {
					if err := e.value(f, cells[c].Value, 0); err != nil {
						return err
					}
					c++
					continue
				}
			}
			e.nulls(f, n.def, 0)
		}
		if c != len(cells) {
			return fmt.Errorf("udt %s: %d cells left after %d fields: %w", n.typ.Name, len(cells)-c, len(n.children), wire.ErrCorrupt)
		}
		return nil
	}
	return fmt.Errorf("%v cannot be multi-cell: %w", n.typ.Kind, wire.ErrCorrupt)
}
