// Package table unifies what several SSTables of one table say about it: the
// partitioner, the key and clustering types, and the union of their columns by
// name (columns added over time). It builds the merge's view of the table and
// each SSTable's column map into it.
package table

import (
	"fmt"
	"slices"
	"strings"

	"github.com/aegisthus/aegisthus/internal/cql"
	"github.com/aegisthus/aegisthus/internal/merge"
	"github.com/aegisthus/aegisthus/internal/sstable"
	"github.com/aegisthus/aegisthus/internal/sstable/chunk"
	"github.com/aegisthus/aegisthus/internal/sstable/format"
	"github.com/aegisthus/aegisthus/internal/sstable/wire"
	"github.com/aegisthus/aegisthus/internal/token"
)

// Column is a static or regular column of the table.
type Column struct {
	Name   string
	Type   *cql.Type
	Static bool
	// Hidden columns are decoded and merged but not printed: columns the user's
	// schema does not have (dropped), or the hidden value column of a compact table.
	Hidden bool
}

// Table is the merged description of a table.
type Table struct {
	Keyspace, Name string
	KeyType        *cql.Type
	PartitionKey   []sstable.Column
	Clustering     []sstable.Column
	Columns        []Column // static and regular; the index is the merge's column id
	Partitioner    token.Partitioner
	// StaticCompact: see sstable.Schema.StaticCompact. Rows come from static rows
	// only and the clustering column is not printed.
	StaticCompact bool
	byName        map[string]int
}

// Build unifies the SSTables' schemas. SSTables must agree on partitioner, key and
// clustering types; a column whose type differs between two SSTables is an error
// naming both files.
func Build(ssts []*sstable.SSTable) (*Table, error) { return BuildWithBase(ssts, nil, "") }

// BuildWithBase unifies the SSTables' schemas with base, the table a previous
// export in the partitions layout recorded (its manifest, named baseName in
// errors), by the same rules: same partitioner, key and clustering types, and a
// column present in both must have the same type.
func BuildWithBase(ssts []*sstable.SSTable, base *Desc, baseName string) (*Table, error) {
	if len(ssts) == 0 {
		return nil, fmt.Errorf("no sstables")
	}
	first := ssts[0]
	p, err := token.ForName(first.Meta.Validation.Partitioner)
	if err != nil {
		return nil, wire.Locate(first.Path(format.Statistics), format.Statistics, -1, err)
	}
	s := first.Schema
	t := &Table{Keyspace: s.Keyspace, Name: s.Table, KeyType: s.KeyType, PartitionKey: s.PartitionKey,
		Clustering: s.Clustering, Partitioner: p, byName: map[string]int{}}
	t.StaticCompact = s.StaticCompact
	origin := map[string]string{}
	if s.CQL != nil {
		// The user's schema decides which columns exist (a column without data in
		// these SSTables still prints as null); header types decide decoding.
		for _, group := range [][]*cql.Column{s.CQL.Static, s.CQL.Regular} {
			for _, c := range group {
				t.byName[c.Name] = len(t.Columns)
				origin[c.Name] = "the schema"
				t.Columns = append(t.Columns, Column{Name: c.Name, Type: c.Type, Static: c.Kind == cql.Static || s.StaticCompact})
			}
		}
	}
	for _, sst := range ssts {
		sc := sst.Schema
		if sst.Meta.Validation.Partitioner != first.Meta.Validation.Partitioner {
			return nil, fmt.Errorf("%s uses %s, %s uses %s: %w", first.Path(format.Data), first.Meta.Validation.Partitioner,
				sst.Path(format.Data), sst.Meta.Validation.Partitioner, wire.ErrCorrupt)
		}
		if !sc.KeyType.Frozen().Equal(t.KeyType.Frozen()) || len(sc.Clustering) != len(t.Clustering) {
			return nil, fmt.Errorf("%s and %s are not the same table: keys %s / %s with %d / %d clustering columns: %w",
				first.Path(format.Data), sst.Path(format.Data), t.KeyType.Marshal(), sc.KeyType.Marshal(),
				len(t.Clustering), len(sc.Clustering), wire.ErrCorrupt)
		}
		for i := range sc.Clustering {
			if !sc.Clustering[i].Type.Equal(t.Clustering[i].Type) {
				return nil, fmt.Errorf("clustering column %d: %s says %s, %s says %s: %w", i, first.Path(format.Data),
					t.Clustering[i].Type.CQL(), sst.Path(format.Data), sc.Clustering[i].Type.CQL(), wire.ErrCorrupt)
			}
		}
		if err := t.add(origin, sst.Path(format.Data), sc.Static, true, s.CQL != nil); err != nil {
			return nil, err
		}
		if err := t.add(origin, sst.Path(format.Data), sc.Regular, false, s.CQL != nil); err != nil {
			return nil, err
		}
	}
	if base != nil {
		if err := t.addBase(origin, base, baseName, first.Path(format.Data), s.CQL != nil); err != nil {
			return nil, err
		}
	}
	t.sortColumns()
	return t, nil
}

// add merges the columns one source (an SSTable or a base export) holds.
func (t *Table) add(origin map[string]string, src string, cols []sstable.Column, static, hidden bool) error {
	for _, c := range cols {
		if i, ok := t.byName[c.Name]; ok {
			have := &t.Columns[i]
			if origin[c.Name] == "the schema" {
				// First SSTable to hold the column: its header type decodes it
				// (the schema's type was checked compatible when it was opened).
				have.Type, have.Static = c.Type, static
				origin[c.Name] = src
				continue
			}
			if have.Static != static || !have.Type.Equal(c.Type) {
				return fmt.Errorf("column %s: %s says %s, %s says %s: %w", c.Name, origin[c.Name], describe(have.Type, have.Static),
					src, describe(c.Type, static), wire.ErrCorrupt)
			}
			continue
		}
		t.byName[c.Name] = len(t.Columns)
		origin[c.Name] = src
		t.Columns = append(t.Columns, Column{Name: c.Name, Type: c.Type, Static: static, Hidden: hidden})
	}
	return nil
}

// sortColumns puts the columns in Cassandra's column order
// (ColumnMetadata.compareTo: simple before complex, then name bytes), which is
// also every header's: a row read from one SSTable then arrives in Table order
// and the merge need not sort its cells.
func (t *Table) sortColumns() {
	order := make([]int, len(t.Columns))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		ca, cb := t.Columns[a], t.Columns[b]
		if ca.Static != cb.Static {
			if ca.Static {
				return -1
			}
			return 1
		}
		if ma, mb := ca.Type.IsMultiCell(), cb.Type.IsMultiCell(); ma != mb {
			if ma {
				return 1
			}
			return -1
		}
		return strings.Compare(ca.Name, cb.Name)
	})
	cols := make([]Column, len(order))
	for i, o := range order {
		cols[i] = t.Columns[o]
		t.byName[cols[i].Name] = i
	}
	t.Columns = cols
}

func describe(t *cql.Type, static bool) string {
	if static {
		return t.CQL() + " static"
	}
	return t.CQL()
}

// Column returns the index of the named column, or -1.
func (t *Table) Column(name string) int {
	if i, ok := t.byName[name]; ok {
		return i
	}
	return -1
}

// Merge returns the merge's view of the table.
func (t *Table) Merge() *merge.Table {
	mt := &merge.Table{Partitioner: t.Partitioner}
	for _, c := range t.Clustering {
		mt.Clustering.Types = append(mt.Clustering.Types, c.Type.Compare)
	}
	for _, c := range t.Columns {
		mc := merge.Column{Static: c.Static, Complex: c.Type.IsMultiCell(), Counter: c.Type.Kind == cql.Counter}
		if mc.Complex {
			pt := c.Type.PathType()
			mc.PathCompare = pt.Compare
		}
		mt.Columns = append(mt.Columns, mc)
	}
	return mt
}

// ReadAheadBudget is what one merge's inputs may read ahead together: each
// input gets an equal share, up to chunk.DefaultReadAhead. A unit over a
// backups/ directory of a thousand flushes then reads chunk by chunk instead of
// holding a thousand windows.
const ReadAheadBudget = 4 << 20

// Input returns the merge input for a scanner over [start, end) of sst, one of
// inputs inputs of the same merge (they share ReadAheadBudget).
func (t *Table) Input(sst *sstable.SSTable, start, end int64, inputs int) merge.Input {
	in := merge.Input{Scanner: sst.ScannerAhead(start, end, min(chunk.DefaultReadAhead, ReadAheadBudget/max(1, inputs)))}
	for _, c := range sst.Schema.Static {
		in.StaticMap = append(in.StaticMap, t.byName[c.Name])
	}
	for _, c := range sst.Schema.Regular {
		in.RegularMap = append(in.RegularMap, t.byName[c.Name])
	}
	return in
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
		na, nb := t.Columns[a].Name, t.Columns[b].Name
		switch {
		case na < nb:
			return -1
		case na > nb:
			return 1
		}
		return 0
	})
	return idx
}
