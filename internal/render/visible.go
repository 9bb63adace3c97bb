package render

import (
	"fmt"

	"github.com/aegisthus/aegisthus/internal/cql"
	"github.com/aegisthus/aegisthus/internal/merge"
	"github.com/aegisthus/aegisthus/internal/rows"
	"github.com/aegisthus/aegisthus/internal/schema"
)

// Visible decides what the rows layout shows at one instant: which columns are
// printed, which rows are visible, which cells are live, when a partition
// yields its static-only row, and a cell's remaining TTL. Every renderer of
// the rows layout (JSON lines: Rows; Parquet: render/parquetrows) asks it, so
// that these decisions are made in this one place (SelectStatement.
// processPartition, Row.hasLiveData, Cell.isLive of Cassandra 5.0).
//
// A Visible only reads its table; it is safe for concurrent use once built.
type Visible struct {
	t      *schema.Table
	strict bool  // t.StrictLiveness(): only the primary key liveness keeps a row
	now    int64 // seconds since the epoch
	order  []int // printed static and regular column ids in output order
}

// NewVisible returns the visibility rules of t at now (seconds), printing the
// static and regular columns named in columns (all of them when empty) in
// SELECT * order. Unknown names are left to the caller to reject.
func NewVisible(t *schema.Table, now int64, columns []string) *Visible {
	v := &Visible{t: t, strict: t.StrictLiveness(), now: now, order: t.OutputOrder()}
	if len(columns) > 0 {
		keep := map[string]bool{}
		for _, c := range columns {
			keep[c] = true
		}
		order := v.order[:0:0]
		for _, i := range v.order {
			if keep[t.Columns[i].Name] {
				order = append(order, i)
			}
		}
		v.order = order
	}
	return v
}

// Table is the table whose rows are shown.
func (v *Visible) Table() *schema.Table { return v.t }

// Now is the instant TTLs are evaluated at, in seconds since the epoch.
func (v *Visible) Now() int64 { return v.now }

// Order is the printed static and regular column ids (Table.Columns indexes),
// in output order. The caller must not modify it.
func (v *Visible) Order() []int { return v.order }

// KeyComponents appends the partition key's components (one per
// Table.PartitionKey column) to dst.
func (v *Visible) KeyComponents(dst [][]byte, key []byte) ([][]byte, error) {
	if len(v.t.PartitionKey) <= 1 {
		return append(dst, key), nil
	}
	dst, err := cql.AppendComponents(dst, key)
	if err != nil {
		return dst, fmt.Errorf("partition key: %w", err)
	}
	if len(dst) != len(v.t.PartitionKey) {
		return dst, fmt.Errorf("partition key has %d components, table %d", len(dst), len(v.t.PartitionKey))
	}
	return dst, nil
}

// ShowsRow reports whether a merged non-static row is printed: Row.hasLiveData
// (its primary key liveness, or, unless the table enforces strict liveness, any
// live cell keeps it). A COMPACT STORAGE table without clustering shows no
// rows but its static-only ones; a static row is never printed itself.
func (v *Visible) ShowsRow(m *merge.Row) bool {
	if m.Static || v.t.StaticCompact {
		return false
	}
	if m.Liveness.IsLive(v.now) {
		return true
	}
	if v.strict {
		return false
	}
	for i := range m.Cells {
		if m.Cells[i].IsLive(v.now) {
			return true
		}
	}
	return false
}

// StaticLive reports whether a static row has live data: its liveness or any
// live cell. A partition whose static row is live and that shows no row yields
// one static-only row (ShowsStaticOnly).
func (v *Visible) StaticLive(m *merge.Row) bool {
	if m.Liveness.IsLive(v.now) {
		return true
	}
	for i := range m.Cells {
		if m.Cells[i].IsLive(v.now) {
			return true
		}
	}
	return false
}

// ShowsStaticOnly reports whether a partition that showed shown rows and whose
// static row is live or not (StaticLive) ends with its static-only row (key,
// null clustering, static columns).
func (v *Visible) ShowsStaticOnly(shown int, staticLive bool) bool {
	return shown == 0 && staticLive
}

// Live reports whether a cell is visible at now.
func (v *Visible) Live(c *rows.Cell) bool { return c.IsLive(v.now) }

// Cell returns the live cell of a simple (not multi-cell) column among its
// merged cells, or nil when the column is null.
func (v *Visible) Cell(cells []rows.Cell) *rows.Cell {
	if len(cells) == 0 || !cells[0].IsLive(v.now) {
		return nil
	}
	return &cells[0]
}

// LiveRun returns the live cells among cells, the merged cells of a
// multi-cell column, in path order: cells itself when all of them are live
// (the common case, no copy), else copies of the live ones in *scratch, which
// keeps its grown buffer for the next call (and is never cells' own). None
// means the column is null (Cassandra has no empty non-frozen collection).
func (v *Visible) LiveRun(scratch *[]rows.Cell, cells []rows.Cell) []rows.Cell {
	if v.AllLive(cells) {
		return cells
	}
	live := (*scratch)[:0]
	for i := range cells {
		if cells[i].IsLive(v.now) {
			live = append(live, cells[i])
		}
	}
	*scratch = live[:0]
	return live
}

// AllLive reports whether every cell of cells is live: LiveRun returns them
// as they are. Small enough to be inlined in a renderer's loop.
func (v *Visible) AllLive(cells []rows.Cell) bool {
	for i := range cells {
		if !cells[i].IsLive(v.now) {
			return false
		}
	}
	return true
}

// TTL returns a live cell's remaining seconds to live at now, and false for a
// cell written without a TTL (TTL(c) is null).
func (v *Visible) TTL(c *rows.Cell) (int64, bool) {
	if !c.IsExpiring() {
		return 0, false
	}
	return c.LocalDeletionTime - v.now, true
}

// ColumnRuns indexes each column's run of cells: runs[c] is the [lo, hi) range
// of column c's cells in cells (sorted by column, as merged rows are), {0, 0}
// for a column without cells. runs has one entry per table column.
func ColumnRuns(runs [][2]int, cells []rows.Cell) {
	clear(runs)
	for i := 0; i < len(cells); {
		c, j := cells[i].Column, i+1
		for j < len(cells) && cells[j].Column == c {
			j++
		}
		runs[c] = [2]int{i, j}
		i = j
	}
}

// CounterTotal is a counter cell's value: the total of its context
// (CounterContext.total), what SELECT shows.
func CounterTotal(c *rows.Cell) (int64, error) { return merge.CounterValue(c.Value) }
