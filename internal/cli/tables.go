package cli

import (
	"github.com/aegisthus/aegisthus/internal/cql"
	"github.com/aegisthus/aegisthus/internal/discover"
	"github.com/aegisthus/aegisthus/internal/pipeline"
	"github.com/aegisthus/aegisthus/internal/storage"
)

// selectTables is the one place export and plan learn which tables to
// export: the tables of the inputs, and those left out with the reason.
// Today it takes every table discover.Find returns (system keyspaces
// included); the selection flags (--keyspace, --table, --exclude) will
// narrow it through discover's inventory (inv.Select) here.
func selectTables(store storage.Store, paths []string) ([]*discover.SSTableSet, []pipeline.SkippedTable, error) {
	tables, err := findTables(store, paths)
	if err != nil {
		return nil, nil, err
	}
	return tables, nil, nil
}

// selectionGiven reports whether a selection flag was given: then export
// writes the per-table tree even for one table. None exists yet.
func selectionGiven() bool { return false }

// tableSpecs pairs each selected table with its CQL definition.
func (s *schemaSource) tableSpecs(store storage.Store, sets []*discover.SSTableSet) ([]pipeline.TableSpec, error) {
	specs := make([]pipeline.TableSpec, len(sets))
	for i, t := range sets {
		var tbl *cql.Table
		var err error
		if s.parsed != nil && len(sets) > 1 {
			// Among many tables, --schema applies by name only: its one table
			// is not every table's.
			tbl = pickByName(s.parsed, t)
		} else if tbl, err = s.tableFor(store, t); err != nil {
			return nil, err
		}
		specs[i] = pipeline.TableSpec{Table: t, Schema: tbl}
	}
	return specs, nil
}

// pickByName returns the table of sc named as t, or nil.
func pickByName(sc *cql.Schema, t *discover.SSTableSet) *cql.Table {
	for _, tbl := range sc.Tables {
		if tbl.Name == t.Name && (tbl.Keyspace == "" || tbl.Keyspace == t.Keyspace) {
			return tbl
		}
	}
	return nil
}
