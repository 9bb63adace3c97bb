package legacy

import (
	"github.com/aegisthus/aegisthus/internal/sstable/format"
	"github.com/aegisthus/aegisthus/internal/sstable/row"
)

// Kind is how a table's cell names are built (CFMetaData.isDense/isCompound in 2.x).
type Kind uint8

const (
	// Sparse is a CQL3 table without COMPACT STORAGE: composite names carrying the
	// clustering values, the column name and, for collections, the element key.
	Sparse Kind = iota
	// Dense is COMPACT STORAGE with clustering columns: the name is the clustering
	// (a composite when there are two or more clustering columns, the raw value for
	// one) and the value belongs to the table's single value column.
	Dense
	// StaticCompact is COMPACT STORAGE without clustering columns: the raw name is a
	// column name. Cassandra 3.0 stores those columns as static columns of a table
	// with one hidden clustering column, and so does this package.
	StaticCompact
)

// Layout is what the decoder needs to know of the table. Legacy SSTables carry no
// serialization header, so package sstable builds it from the user's CQL schema.
type Layout struct {
	Version format.Version
	Kind    Kind
	// Clustering compares the values of each clustering column (DESC honoured). For
	// StaticCompact it has one entry: the hidden column that holds dynamic names.
	Clustering []func(a, b []byte) int
	// ClusteringFixed is the fixed value length of each clustering column, -1 when
	// variable.
	ClusteringFixed []int
	// Static and Regular are in row.Layout order (simple before complex, by name);
	// Cell.Column indexes them.
	Static, Regular []row.Column
	// ValueColumn indexes Regular: the column that holds the cell values of a Dense
	// table, or the dynamic cells of a StaticCompact one; -1 when there is none.
	ValueColumn int
	// Dropped names columns that were dropped from the table: their cells are skipped
	// rather than rejected.
	Dropped map[string]bool
}

// compound reports whether names are CompositeType-encoded.
func (l *Layout) compound() bool {
	return l.Kind == Sparse || (l.Kind == Dense && len(l.Clustering) > 1)
}

func (l *Layout) column(cols []row.Column, name []byte) int {
	for i := range cols {
		if string(cols[i].Name) == string(name) {
			return i
		}
	}
	return -1
}
