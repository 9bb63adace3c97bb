// Package schema is the one model of a table's schema: its keyspace and name,
// partition key, clustering and regular/static columns with their types, the
// partitioner, and the user's CQL definition (with its dropped columns) when one
// was given. One SSTable's schema (what its serialization header and the CQL
// definition say) and the merged table of a whole export (the union of every
// SSTable's and a previous export's columns, Unify) are both a Table; the other
// shapes are views of it: Describe for an export's manifest, OutputOrder for
// SELECT *, Static and Regular for a header's two column lists, ColumnMaps for
// translating one SSTable's column indexes into the table's. The merge's own view
// (comparators per column) is merge.NewTable, kept there because merge sits above
// this package.
package schema

import (
	"slices"
	"strings"

	"github.com/aegisthus/aegisthus/internal/cql"
	"github.com/aegisthus/aegisthus/internal/cql/cqlparse"
	"github.com/aegisthus/aegisthus/internal/token"
)

// Column is one column of a table: a partition key or clustering column (in
// Table.PartitionKey, Table.Clustering) or a static or regular one (in
// Table.Columns).
type Column struct {
	Name string
	Type *cql.Type
	// Static marks a static column.
	Static bool
	// Hidden columns are decoded and merged but not printed: columns the user's
	// schema does not have (dropped), or the hidden value column of a compact table.
	Hidden bool
}

// Table is a table's schema. Columns holds the static columns and then the
// regular ones, each group in Cassandra's column order (ColumnMetadata.compareTo:
// simple before complex, then name bytes), which is also every serialization
// header's order: a column's index in Columns is the merge's column id, and a row
// read from one SSTable arrives in Table order.
type Table struct {
	Keyspace, Name string
	// KeyType is the stored key type: CompositeType for multi-column keys.
	KeyType *cql.Type
	// PartitionKey has one column per key component; names come from the CQL schema,
	// or the placeholder "PartitionKey" Cassandra's tools use.
	PartitionKey []Column
	// Clustering names default to "clustering", "clustering1", ... (as sstabledump).
	Clustering []Column
	Columns    []Column
	// Partitioner is set on a unified table (Unify, FromDesc); nil on one
	// SSTable's schema, whose partitioner is in its Statistics.db.
	Partitioner token.Partitioner
	// StaticCompact marks a COMPACT STORAGE table without clustering columns: the
	// header has one hidden clustering column and the CQL columns are stored as
	// static columns; CQL shows one row per partition, from its static row.
	StaticCompact bool
	// CQL is the user's table definition when one was given; its Dropped are the
	// table's dropped columns.
	CQL *cqlparse.Table
	// Dropped holds, per column name, the time (microseconds) the column was last
	// dropped: a cell of that name written at or before it is discarded, whatever
	// type its SSTable's header gives it, and so is a complex deletion
	// (DeserializationHelper.isDropped, isDroppedComplexDeletion). A column added
	// back after the drop keeps only newer cells. From the CQL definition's ALTER
	// TABLE … DROP … USING TIMESTAMP and a base export's manifest (Unify).
	Dropped map[string]int64
	// Unknown names the columns some SSTable's header holds that the user's CQL
	// definition neither has nor records as dropped: they are Hidden, and the
	// export reports them (Unify).
	Unknown []string

	byName map[string]int
}

// StrictLiveness reports a materialized view whose rows live only while their
// primary key liveness does, whatever their cells (TableMetadata.
// enforceStrictLiveness): a view keyed on a column that is not in its base
// table's key. Known from the view's CQL definition only.
func (t *Table) StrictLiveness() bool { return t.CQL != nil && t.CQL.StrictLiveness }

// Sort puts Columns in Cassandra's column order and indexes them by name. Call it
// after building or changing Columns.
func (t *Table) Sort() {
	slices.SortStableFunc(t.Columns, func(a, b Column) int {
		if a.Static != b.Static {
			if a.Static {
				return -1
			}
			return 1
		}
		if ma, mb := a.Type.IsMultiCell(), b.Type.IsMultiCell(); ma != mb {
			if ma {
				return 1
			}
			return -1
		}
		return strings.Compare(a.Name, b.Name)
	})
	t.byName = make(map[string]int, len(t.Columns))
	for i, c := range t.Columns {
		t.byName[c.Name] = i
	}
}

// Column returns the index in Columns of the named column, or -1.
func (t *Table) Column(name string) int {
	if i, ok := t.byName[name]; ok {
		return i
	}
	return -1
}

// Static returns the static columns, in header order.
func (t *Table) Static() []Column { return t.Columns[:t.firstRegular()] }

// Regular returns the regular columns, in header order.
func (t *Table) Regular() []Column { return t.Columns[t.firstRegular():] }

func (t *Table) firstRegular() int {
	for i, c := range t.Columns {
		if !c.Static {
			return i
		}
	}
	return len(t.Columns)
}

// ColumnMaps translates src's column indexes (one SSTable's static and regular
// columns, as its cells number them) into t's: what a merge input needs.
func (t *Table) ColumnMaps(src *Table) (static, regular []int) {
	for _, c := range src.Static() {
		static = append(static, t.byName[c.Name])
	}
	for _, c := range src.Regular() {
		regular = append(regular, t.byName[c.Name])
	}
	return static, regular
}

// DroppedAt returns the drop time of the column named name, and whether it
// was dropped.
func (t *Table) DroppedAt(name string) (int64, bool) {
	ts, ok := t.Dropped[name]
	return ts, ok
}

// OutputOrder returns the printed static and regular column indexes in SELECT *
// order: static columns by name, then regular columns by name
// (TableMetadata.allColumnsInSelectOrder).
func (t *Table) OutputOrder() []int {
	var idx []int
	for i, c := range t.Columns {
		if !c.Hidden {
			idx = append(idx, i)
		}
	}
	slices.SortFunc(idx, func(a, b int) int {
		if sa, sb := t.Columns[a].Static, t.Columns[b].Static; sa != sb {
			if sa {
				return -1
			}
			return 1
		}
		return strings.Compare(t.Columns[a].Name, t.Columns[b].Name)
	})
	return idx
}
