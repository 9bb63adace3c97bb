package schema

import (
	"fmt"
	"maps"

	"github.com/aegisthus/aegisthus/internal/cql"
	"github.com/aegisthus/aegisthus/internal/sstable/wire"
	"github.com/aegisthus/aegisthus/internal/token"
)

// Desc is a table as an export records it in its manifest: enough to read the
// export's partitions layout back and merge it with newer SSTables of the same
// table. Types are Cassandra's marshal strings (AbstractType class names with
// parameters, ReversedType for DESC clustering).
type Desc struct {
	Keyspace      string       `json:"keyspace"`
	Name          string       `json:"name"`
	Partitioner   string       `json:"partitioner"`
	KeyType       string       `json:"key_type"`
	PartitionKey  []DescColumn `json:"partition_key"`
	Clustering    []DescColumn `json:"clustering"`
	Columns       []DescColumn `json:"columns"` // static and regular, in Table.Columns order
	StaticCompact bool         `json:"static_compact,omitempty"`
	// Dropped records Table.Dropped: the drop time (microseconds) of each
	// dropped column, so that a run with this export as its base goes on
	// discarding what this one discarded.
	Dropped map[string]int64 `json:"dropped,omitempty"`
}

// DescColumn is one column of a Desc.
type DescColumn struct {
	Name   string `json:"name"`
	Type   string `json:"type"`
	Static bool   `json:"static,omitempty"`
	Hidden bool   `json:"hidden,omitempty"`
}

// Describe returns t's description for a manifest.
func (t *Table) Describe() *Desc {
	d := &Desc{Keyspace: t.Keyspace, Name: t.Name, Partitioner: t.Partitioner.Name(), KeyType: t.KeyType.Marshal(),
		StaticCompact: t.StaticCompact}
	if len(t.Dropped) > 0 {
		d.Dropped = maps.Clone(t.Dropped)
	}
	for _, c := range t.PartitionKey {
		d.PartitionKey = append(d.PartitionKey, DescColumn{Name: c.Name, Type: c.Type.Marshal()})
	}
	for _, c := range t.Clustering {
		d.Clustering = append(d.Clustering, DescColumn{Name: c.Name, Type: c.Type.Marshal()})
	}
	for _, c := range t.Columns {
		d.Columns = append(d.Columns, DescColumn{Name: c.Name, Type: c.Type.Marshal(), Static: c.Static, Hidden: c.Hidden})
	}
	return d
}

// FromDesc rebuilds a table from its description alone (no SSTables): what a
// reader of an export needs to decode and order its records.
func FromDesc(d *Desc, name string) (*Table, error) {
	p, err := token.ForName(d.Partitioner)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	kt, err := cql.ParseMarshal(d.KeyType)
	if err != nil {
		return nil, fmt.Errorf("%s: key type: %w", name, err)
	}
	t := &Table{Keyspace: d.Keyspace, Name: d.Name, KeyType: kt, Partitioner: p, StaticCompact: d.StaticCompact,
		byName: map[string]int{}}
	if len(d.Dropped) > 0 {
		t.Dropped = maps.Clone(d.Dropped)
	}
	if t.PartitionKey, err = descColumns(d.PartitionKey, name); err != nil {
		return nil, err
	}
	if t.Clustering, err = descColumns(d.Clustering, name); err != nil {
		return nil, err
	}
	for _, c := range d.Columns {
		ty, err := cql.ParseMarshal(c.Type)
		if err != nil {
			return nil, fmt.Errorf("%s: column %s: %w", name, c.Name, err)
		}
		if _, dup := t.byName[c.Name]; dup {
			return nil, fmt.Errorf("%s: column %s appears twice: %w", name, c.Name, wire.ErrCorrupt)
		}
		t.byName[c.Name] = len(t.Columns)
		t.Columns = append(t.Columns, Column{Name: c.Name, Type: ty, Static: c.Static, Hidden: c.Hidden})
	}
	t.Sort()
	return t, nil
}

func descColumns(cols []DescColumn, name string) ([]Column, error) {
	var out []Column
	for _, c := range cols {
		ty, err := cql.ParseMarshal(c.Type)
		if err != nil {
			return nil, fmt.Errorf("%s: column %s: %w", name, c.Name, err)
		}
		out = append(out, Column{Name: c.Name, Type: ty})
	}
	return out, nil
}

// addBase checks that base describes the same table as the SSTables (first names
// one of them) and adds its columns. hidden says the user's CQL schema decides
// which columns print (as for SSTable columns).
func (t *Table) addBase(origin map[string]string, base *Desc, baseName, first string, hidden bool) error {
	bt, err := FromDesc(base, baseName)
	if err != nil {
		return err
	}
	if bt.Partitioner.Name() != t.Partitioner.Name() {
		return fmt.Errorf("%s uses %s, %s uses %s: %w", first, t.Partitioner.Name(), baseName, bt.Partitioner.Name(), wire.ErrCorrupt)
	}
	if !bt.KeyType.Frozen().Equal(t.KeyType.Frozen()) || len(bt.Clustering) != len(t.Clustering) {
		return fmt.Errorf("%s and %s are not the same table: keys %s / %s with %d / %d clustering columns: %w",
			first, baseName, t.KeyType.Marshal(), bt.KeyType.Marshal(), len(t.Clustering), len(bt.Clustering), wire.ErrCorrupt)
	}
	for i := range bt.Clustering {
		if !bt.Clustering[i].Type.Equal(t.Clustering[i].Type) {
			return fmt.Errorf("clustering column %d: %s says %s, %s says %s: %w", i, first,
				t.Clustering[i].Type.CQL(), baseName, bt.Clustering[i].Type.CQL(), wire.ErrCorrupt)
		}
	}
	if bt.StaticCompact != t.StaticCompact {
		return fmt.Errorf("%s and %s are not the same table: one is a static compact table: %w", first, baseName, wire.ErrCorrupt)
	}
	for _, c := range bt.Columns {
		if err := t.add(origin, baseName, []Column{{Name: c.Name, Type: c.Type, Static: c.Static}}, hidden); err != nil {
			return err
		}
	}
	return nil
}
