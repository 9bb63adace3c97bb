package cli

import (
	"errors"
	"fmt"
	"strings"

	"github.com/aegisthus/aegisthus/internal/discover"
	"github.com/aegisthus/aegisthus/internal/pipeline"
	"github.com/aegisthus/aegisthus/internal/storage"
)

// selectTables is the one place export and plan learn which tables to
// export: discover's inventory of the inputs narrowed by the selection flags,
// the tables left out with the reason, and discovery's notes (replicas found
// by table id, the generation taken as current) for the log. It points the
// schema source at the inventory, where a view finds its base table.
func (s *schemaSource) selectTables(store storage.Store, paths []string, flags *selectionFlags) ([]*discover.SSTableSet, []pipeline.SkippedTable, []string, error) {
	sel, err := flags.Selection()
	if err != nil {
		return nil, nil, nil, err
	}
	inv, err := scanBackup(store, paths)
	if err != nil {
		return nil, nil, nil, err
	}
	s.src.Bases = inv.Lookup
	sets, skips, err := inv.Select(sel)
	if err != nil {
		return nil, nil, nil, wordSelect(err)
	}
	skipped := make([]pipeline.SkippedTable, len(skips))
	for i, s := range skips {
		skipped[i] = pipeline.SkippedTable{Table: s.Table, ID: s.ID, Reason: s.Reason}
	}
	if len(sets) == 0 {
		var why []string
		for _, s := range skips {
			why = append(why, s.Table+": "+s.Reason)
		}
		return nil, nil, nil, &UsageError{fmt.Errorf("%s: %w (%s)", strings.Join(paths, " "),
			errors.New("no table to export"), strings.Join(why, "; "))}
	}
	return sets, skipped, inv.Notes, nil
}

// given reports whether a selection flag was given: then export writes the
// per-table tree even for one table.
func (s *selectionFlags) given() bool {
	return len(s.keyspaces)+len(s.tables)+len(s.excludes) > 0
}

// tableSpecs pairs each selected table with its CQL definition: among many
// tables, each takes its own statements from --schema (a DESCRIBE SCHEMA dump)
// or its schema.cql; a --schema of one table defines a lone table whatever
// its name.
func (s *schemaSource) tableSpecs(store storage.Store, sets []*discover.SSTableSet) ([]pipeline.TableSpec, error) {
	s.src.AnyName = len(sets) == 1
	specs := make([]pipeline.TableSpec, len(sets))
	for i, t := range sets {
		tbl, err := s.tableFor(store, t)
		if err != nil {
			return nil, err
		}
		specs[i] = pipeline.TableSpec{Table: t, Schema: tbl}
	}
	return specs, nil
}
