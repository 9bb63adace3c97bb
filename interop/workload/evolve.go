package workload

import (
	"fmt"
	"slices"
)

// Evolve draws one schema change of t, the way production tables change over
// the years (issue 14), applies it to t (so later Ops use the columns t has
// now) and returns its statements:
//
//   - ALTER TABLE ADD of a new regular (or static) column;
//   - DROP of a regular, static or collection column that older SSTables hold;
//   - DROP and then ADD of the same name with the same type, or with blob where
//     Cassandra allows it (a variable-length simple type: text, varint, ...).
//
// Counter tables are left alone (a dropped counter column cannot come back),
// and a table keeps at least one regular column. n numbers new columns.
func (g *Gen) Evolve(t *Table, n int) []string {
	if t.Counter {
		return nil
	}
	r := g.r
	name := fmt.Sprintf("%s.%s", t.Keyspace, t.Name)
	droppable := func() []*Column {
		c := append([]*Column(nil), t.Static...)
		if len(t.Regular) > 1 {
			c = append(c, t.Regular...)
		}
		// Cassandra refuses to drop a non-frozen UDT column.
		return slices.DeleteFunc(c, func(x *Column) bool { return x.Type.Kind == UDT && !x.Type.Frozen })
	}
	remove := func(c *Column) {
		t.Static = slices.DeleteFunc(t.Static, func(x *Column) bool { return x == c })
		t.Regular = slices.DeleteFunc(t.Regular, func(x *Column) bool { return x == c })
	}
	static := func(c *Column) bool { return slices.Contains(t.Static, c) }
	add := func(c *Column, isStatic bool) string {
		if isStatic {
			t.Static = append(t.Static, c)
			return fmt.Sprintf("ALTER TABLE %s ADD %s %s static", name, c.Name, c.Type.CQL())
		}
		t.Regular = append(t.Regular, c)
		return fmt.Sprintf("ALTER TABLE %s ADD %s %s", name, c.Name, c.Type.CQL())
	}
	switch x := r.IntN(10); {
	case x < 3 || len(droppable()) == 0:
		c := &Column{Name: fmt.Sprintf("added%d", n), Type: g.typ(0, false, false)}
		return []string{add(c, len(t.Clustering) > 0 && r.IntN(4) == 0)}
	case x < 6:
		cs := droppable()
		c := cs[r.IntN(len(cs))]
		remove(c)
		return []string{fmt.Sprintf("ALTER TABLE %s DROP %s", name, c.Name)}
	default:
		// Cassandra records a dropped UDT column as a tuple and then refuses
		// the UDT back ("incompatible with previously dropped column").
		cs := slices.DeleteFunc(droppable(), func(x *Column) bool { return hasUDT(x.Type) })
		if len(cs) == 0 {
			return nil
		}
		c := cs[r.IntN(len(cs))]
		isStatic := static(c)
		remove(c)
		back := &Column{Name: c.Name, Type: c.Type}
		if c.Type.Kind == Native && blobCompatible[c.Type.Name] && r.IntN(2) == 0 {
			back.Type = &Type{Kind: Native, Name: "blob"}
		}
		return []string{fmt.Sprintf("ALTER TABLE %s DROP %s", name, c.Name), add(back, isStatic)}
	}
}

// blobCompatible are the native types a dropped column may come back from as
// blob: variable-length ones (AbstractType.isSerializationCompatibleWith
// wants the same fixed length).
var blobCompatible = map[string]bool{"text": true, "ascii": true, "varchar": true, "varint": true, "decimal": true, "blob": true}

func hasUDT(t *Type) bool {
	if t.Kind == UDT {
		return true
	}
	return slices.ContainsFunc(t.Elems, hasUDT)
}
