package schema

import (
	"fmt"
	"math"

	"github.com/aegisthus/aegisthus/internal/cql"
	"github.com/aegisthus/aegisthus/internal/cql/cqlparse"
	"github.com/aegisthus/aegisthus/internal/sstable/format"
	"github.com/aegisthus/aegisthus/internal/sstable/wire"
	"github.com/aegisthus/aegisthus/internal/token"
)

// Source is one SSTable's schema as Unify takes it.
type Source struct {
	Path        string // Data.db, for messages
	Statistics  string // Statistics.db, where the partitioner is recorded
	Partitioner string // the class name Statistics.db records
	Schema      *Table
}

// Unify builds the table several SSTables of it (and base, the table a previous
// export in the partitions layout recorded in its manifest, named baseName in
// errors; nil without one) describe. They must agree on partitioner, key and
// clustering types; a column whose type differs between two sources is an error
// naming both, unless the column was dropped (Table.Dropped): then each header's
// type decodes its own cells and the current schema's type renders. Columns are the union by name (columns added over time); with the
// user's CQL definition, only its columns print and the others are Hidden.
func Unify(srcs []Source, base *Desc, baseName string) (*Table, error) {
	if len(srcs) == 0 {
		return nil, fmt.Errorf("no sstables")
	}
	first := srcs[0]
	p, err := token.ForName(first.Partitioner)
	if err != nil {
		return nil, wire.Locate(first.Statistics, format.Statistics, -1, err)
	}
	s := first.Schema
	t := &Table{Keyspace: s.Keyspace, Name: s.Name, KeyType: s.KeyType, PartitionKey: s.PartitionKey,
		Clustering: s.Clustering, Partitioner: p, StaticCompact: s.StaticCompact, CQL: s.CQL, byName: map[string]int{}}
	origin := map[string]string{}
	if t.Dropped, err = droppedTimes(s.CQL, first.Path); err != nil {
		return nil, err
	}
	if base != nil && len(base.Dropped) > 0 {
		// A drop the previous export applied stays applied: its base holds no
		// cell it hid, and SSTables read again must not bring them back.
		if t.Dropped == nil {
			t.Dropped = map[string]int64{}
		}
		for n, ts := range base.Dropped {
			if have, ok := t.Dropped[n]; !ok || ts > have {
				t.Dropped[n] = ts
			}
		}
	}
	if s.CQL != nil {
		// The user's schema decides which columns exist (a column without data in
		// these SSTables still prints as null); header types decide decoding.
		for _, group := range [][]*cqlparse.Column{s.CQL.Static, s.CQL.Regular} {
			for _, c := range group {
				t.byName[c.Name] = len(t.Columns)
				origin[c.Name] = "the schema"
				t.Columns = append(t.Columns, Column{Name: c.Name, Type: c.Type, Static: c.Kind == cqlparse.Static || s.StaticCompact})
			}
		}
	}
	for _, src := range srcs {
		sc := src.Schema
		if src.Partitioner != first.Partitioner {
			return nil, fmt.Errorf("%s uses %s, %s uses %s: %w", first.Path, first.Partitioner,
				src.Path, src.Partitioner, wire.ErrCorrupt)
		}
		if !sc.KeyType.Frozen().Equal(t.KeyType.Frozen()) || len(sc.Clustering) != len(t.Clustering) {
			return nil, fmt.Errorf("%s and %s are not the same table: keys %s / %s with %d / %d clustering columns: %w",
				first.Path, src.Path, t.KeyType.Marshal(), sc.KeyType.Marshal(),
				len(t.Clustering), len(sc.Clustering), wire.ErrCorrupt)
		}
		for i := range sc.Clustering {
			if !sc.Clustering[i].Type.Equal(t.Clustering[i].Type) {
				return nil, fmt.Errorf("clustering column %d: %s says %s, %s says %s: %w", i, first.Path,
					t.Clustering[i].Type.CQL(), src.Path, sc.Clustering[i].Type.CQL(), wire.ErrCorrupt)
			}
		}
		if err := t.add(origin, src.Path, sc.Columns, s.CQL != nil); err != nil {
			return nil, err
		}
	}
	if base != nil {
		if err := t.addBase(origin, base, baseName, first.Path, s.CQL != nil); err != nil {
			return nil, err
		}
	}
	t.Sort()
	t.Unknown = unknownColumns(t)
	return t, nil
}

// droppedTimes returns the drop time of each column tbl records as dropped.
// Without USING TIMESTAMP the time is unknown: a column still dropped loses
// every cell, one added back is an error (which of its cells are older than
// the drop cannot be told).
func droppedTimes(tbl *cqlparse.Table, path string) (map[string]int64, error) {
	if tbl == nil || len(tbl.Dropped) == 0 {
		return nil, nil
	}
	out := make(map[string]int64, len(tbl.Dropped))
	for n, d := range tbl.Dropped {
		ts := d.Timestamp
		if ts == 0 {
			if tbl.Column(n) != nil {
				return nil, fmt.Errorf("%s: column %s was dropped and added again, but the schema gives no drop time "+
					"(ALTER TABLE %s DROP %s USING TIMESTAMP t, as a snapshot's schema.cql records it): %w",
					path, n, tbl.Name, n, wire.ErrNeedsSchema)
			}
			ts = math.MaxInt64
		}
		out[n] = ts
	}
	return out, nil
}

// unknownColumns lists the columns SSTable headers hold that the user's CQL
// definition neither has nor records as dropped.
func unknownColumns(t *Table) []string {
	if t.CQL == nil || t.CQL.CompactStorage {
		return nil // a compact table's hidden value column is in no CQL
	}
	var out []string
	for _, c := range t.Columns {
		if !c.Hidden || c.Name == "" {
			continue
		}
		if _, dropped := t.Dropped[c.Name]; dropped || t.CQL.Column(c.Name) != nil {
			continue
		}
		out = append(out, c.Name)
	}
	return out
}

// sameValues reports whether a and b describe the same values, ignoring
// frozen-ness and clustering order (which headers and CQL spell differently)
// and resolving an unqualified user type to keyspace ks.
func sameValues(a, b *cql.Type, ks string) bool {
	return a.InKeyspace(ks).Frozen().WithReversed(false).Equal(b.InKeyspace(ks).Frozen().WithReversed(false))
}

// add merges the columns one source (an SSTable or a base export) holds.
func (t *Table) add(origin map[string]string, src string, cols []Column, hidden bool) error {
	for _, c := range cols {
		_, dropped := t.Dropped[c.Name]
		if i, ok := t.byName[c.Name]; ok {
			have := &t.Columns[i]
			if origin[c.Name] == "the schema" {
				if dropped && (have.Static != c.Static || !sameValues(have.Type, c.Type, t.Keyspace)) {
					// A header from before the drop: its type decodes its own
					// cells, all older than the drop; the current type renders.
					continue
				}
				// First SSTable to hold the column: its header type decodes it
				// (the schema's type was checked compatible when it was opened).
				have.Type, have.Static = c.Type, c.Static
				origin[c.Name] = src
				continue
			}
			if dropped {
				// SSTables from both sides of a drop disagree on its type: each
				// header decodes its own cells, those before the drop are discarded.
				continue
			}
			if have.Static != c.Static || !have.Type.Equal(c.Type) {
				return fmt.Errorf("column %s: %s says %s, %s says %s (Cassandra writes that only for a column dropped "+
					"and added back: give the schema that records the drop, ALTER TABLE … DROP %s USING TIMESTAMP, "+
					"as a snapshot's schema.cql does): %w", c.Name, origin[c.Name], describe(have.Type, have.Static),
					src, describe(c.Type, c.Static), c.Name, wire.ErrCorrupt)
			}
			continue
		}
		t.byName[c.Name] = len(t.Columns)
		origin[c.Name] = src
		t.Columns = append(t.Columns, Column{Name: c.Name, Type: c.Type, Static: c.Static, Hidden: hidden})
	}
	return nil
}

func describe(t *cql.Type, static bool) string {
	if static {
		return t.CQL() + " static"
	}
	return t.CQL()
}
