package cqlparse

import (
	"fmt"
	"slices"
)

// View is a parsed CREATE MATERIALIZED VIEW. Its statement names columns but
// not their types, which are its base table's: Resolve builds the view's Table
// once the base table is known (Parse does it when the base table's CREATE
// TABLE is in the same source; a snapshot's schema.cql of a view holds only
// the view's statement).
type View struct {
	Keyspace, Name     string
	BaseKeyspace, Base string
	Select             []string   // the selected columns; nil for SELECT *
	PrimaryKey         [][]string // the partition key group, then each clustering column
	Desc               map[string]bool
	ID                 string // WITH ID = ..., "" when not given
}

// createView parses CREATE MATERIALIZED VIEW [IF NOT EXISTS] [ks.]v AS SELECT
// (* | c, ...) FROM [ks.]base WHERE ... PRIMARY KEY (...) [WITH options].
func (p *schemaParser) createView() error {
	if err := p.ifNotExists(); err != nil {
		return err
	}
	ks, name, err := p.qualifiedName("a view name")
	if err != nil {
		return err
	}
	v := &View{Keyspace: ks, Name: name, Desc: map[string]bool{}}
	for _, w := range []string{"as", "select"} {
		if err := p.expect(w); err != nil {
			return err
		}
	}
	if !p.accept("*") {
		for {
			c, err := p.ident("a column name")
			if err != nil {
				return err
			}
			v.Select = append(v.Select, c)
			if !p.accept(",") {
				break
			}
		}
	}
	if err := p.expect("from"); err != nil {
		return err
	}
	if v.BaseKeyspace, v.Base, err = p.qualifiedName("the view's base table"); err != nil {
		return err
	}
	if v.BaseKeyspace == "" {
		v.BaseKeyspace = ks
	}
	// The WHERE clause (IS NOT NULL restrictions) decides nothing a reader of
	// the view's data needs: skip to PRIMARY KEY.
	for t := p.peek(); !t.is("primary"); t = p.peek() {
		if t.kind == tEOF || t.is(";") {
			return p.errorf(t, "view %s has no PRIMARY KEY", name)
		}
		p.next()
	}
	p.next()
	if err := p.expect("key"); err != nil {
		return err
	}
	if v.PrimaryKey, err = p.primaryKey(); err != nil {
		return err
	}
	if p.accept("with") {
		for {
			if err := p.viewOption(v); err != nil {
				return err
			}
			if !p.accept("and") {
				break
			}
		}
	}
	p.s.Views = append(p.s.Views, v)
	return nil
}

// viewOption parses one WITH option of a view: CLUSTERING ORDER BY and ID
// matter, the others are skipped.
func (p *schemaParser) viewOption(v *View) error {
	if p.peek().is("clustering") {
		p.next()
		for _, w := range []string{"order", "by", "("} {
			if err := p.expect(w); err != nil {
				return err
			}
		}
		for {
			n, err := p.ident("a clustering column name")
			if err != nil {
				return err
			}
			v.Desc[n] = p.accept("desc")
			if !v.Desc[n] {
				p.accept("asc")
			}
			if !p.accept(",") {
				break
			}
		}
		return p.expect(")")
	}
	name, err := p.ident("a view option")
	if err != nil {
		return err
	}
	if err := p.expect("="); err != nil {
		return err
	}
	if name == "id" {
		v.ID = p.uuidValue()
		return nil
	}
	p.skipValue()
	return nil
}

// Resolve builds the view's table from its base table: the selected columns
// with their base types, the view's primary key and clustering order. The
// table has View set, and StrictLiveness when the view's primary key holds a
// column that is not in the base's (ViewMetadata.enforceStrictLiveness): such
// a row lives only while its primary key liveness does, whatever its cells.
func (v *View) Resolve(base *Table) (*Table, error) {
	if base.Keyspace != "" && v.BaseKeyspace != "" && base.Keyspace != v.BaseKeyspace || base.Name != v.Base {
		return nil, fmt.Errorf("view %s.%s: its base is %s.%s, not %s.%s", v.Keyspace, v.Name, v.BaseKeyspace, v.Base, base.Keyspace, base.Name)
	}
	t := &Table{Keyspace: v.Keyspace, Name: v.Name, ID: v.ID, View: true, Dropped: map[string]*DroppedColumn{}}
	names := slices.Clone(v.Select)
	if names == nil {
		for _, c := range base.Columns {
			names = append(names, c.Name)
		}
	}
	for _, g := range v.PrimaryKey { // a view holds its key columns, selected or not
		for _, n := range g {
			if !slices.Contains(names, n) {
				names = append(names, n)
			}
		}
	}
	for _, n := range names {
		bc := base.Column(n)
		if bc == nil {
			return nil, fmt.Errorf("view %s.%s selects %s, which its base %s has not", v.Keyspace, v.Name, n, base.Name)
		}
		t.Columns = append(t.Columns, &Column{Name: n, Type: bc.Type.WithReversed(false), Kind: Regular, Position: -1})
	}
	if err := t.applyPrimaryKey(v.PrimaryKey); err != nil {
		return nil, fmt.Errorf("view %s.%s: %w", v.Keyspace, v.Name, err)
	}
	for n, desc := range v.Desc {
		c := t.Column(n)
		if c == nil || c.Kind != Clustering {
			return nil, fmt.Errorf("view %s.%s: CLUSTERING ORDER BY names %s, which is not a clustering column", v.Keyspace, v.Name, n)
		}
		c.Desc, c.Type = desc, c.Type.WithReversed(desc)
	}
	for _, g := range v.PrimaryKey {
		for _, n := range g {
			if bc := base.Column(n); bc.Kind != PartitionKey && bc.Kind != Clustering {
				t.StrictLiveness = true
			}
		}
	}
	t.regroup()
	return t, nil
}

// resolveViews adds to s.Tables each view whose base table s defines.
func (s *Schema) resolveViews() error {
	for _, v := range s.Views {
		base := s.Table(v.BaseKeyspace, v.Base)
		if base == nil || base.View || slices.ContainsFunc(s.Tables, func(t *Table) bool { return t.View && t.Name == v.Name && t.Keyspace == v.Keyspace }) {
			continue
		}
		t, err := v.Resolve(base)
		if err != nil {
			return err
		}
		s.Tables = append(s.Tables, t)
	}
	return nil
}
