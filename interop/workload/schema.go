package workload

import (
	"fmt"
	"math/rand/v2"
	"strings"
)

// Gen draws everything from one seeded generator.
type Gen struct {
	r    *rand.Rand
	udts []*Type // defined in the current keyspace, in creation order
	keys []*Type // the UDTs usable in keys (every field comparable)
}

// NewGen returns a generator for seed.
func NewGen(seed uint64) *Gen { return &Gen{r: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))} }

// Rand exposes the generator's source for callers that draw their own choices.
func (g *Gen) Rand() *rand.Rand { return g.r }

// Column is one column of a table.
type Column struct {
	Name string
	Type *Type
	Desc bool // clustering order
}

// Table is a generated table.
type Table struct {
	Keyspace, Name string
	Partition      []*Column
	Clustering     []*Column
	Static         []*Column
	Regular        []*Column
	Counter        bool
	Options        []string // extra WITH options (compression, compaction, ...)

	pkPool [][]string // partition key literals in use
	ckPool [][]string // clustering literals in use
}

// Keyspace is a generated keyspace.
type Keyspace struct {
	Name   string
	UDTs   []*Type
	Tables []*Table
}

// CreateUDTs returns CREATE TYPE statements for the keyspace's UDTs.
func (k *Keyspace) CreateUDTs() []string {
	var s []string
	for _, u := range k.UDTs {
		var f []string
		for i, e := range u.Elems {
			f = append(f, u.Fields[i]+" "+e.CQL())
		}
		s = append(s, fmt.Sprintf("CREATE TYPE %s.%s (%s)", k.Name, u.Name, strings.Join(f, ", ")))
	}
	return s
}

// CreateCQL is the table's CREATE TABLE statement.
func (t *Table) CreateCQL() string {
	var b strings.Builder
	fmt.Fprintf(&b, "CREATE TABLE %s.%s (", t.Keyspace, t.Name)
	for _, c := range t.Partition {
		fmt.Fprintf(&b, "%s %s, ", c.Name, c.Type.CQL())
	}
	for _, c := range t.Clustering {
		fmt.Fprintf(&b, "%s %s, ", c.Name, c.Type.CQL())
	}
	for _, c := range t.Static {
		fmt.Fprintf(&b, "%s %s static, ", c.Name, c.Type.CQL())
	}
	for _, c := range t.Regular {
		fmt.Fprintf(&b, "%s %s, ", c.Name, c.Type.CQL())
	}
	var pk []string
	for _, c := range t.Partition {
		pk = append(pk, c.Name)
	}
	key := "(" + strings.Join(pk, ", ") + ")"
	for _, c := range t.Clustering {
		key += ", " + c.Name
	}
	fmt.Fprintf(&b, "PRIMARY KEY (%s))", key)
	opts := append([]string(nil), t.Options...)
	if len(t.Clustering) > 0 {
		var o []string
		for _, c := range t.Clustering {
			d := "ASC"
			if c.Desc {
				d = "DESC"
			}
			o = append(o, c.Name+" "+d)
		}
		opts = append([]string{"CLUSTERING ORDER BY (" + strings.Join(o, ", ") + ")"}, opts...)
	}
	if len(opts) > 0 {
		b.WriteString(" WITH " + strings.Join(opts, " AND "))
	}
	return b.String()
}

// Columns returns all columns in declaration order.
func (t *Table) Columns() []*Column {
	var c []*Column
	c = append(c, t.Partition...)
	c = append(c, t.Clustering...)
	c = append(c, t.Static...)
	return append(c, t.Regular...)
}

func (g *Gen) nativeType(keyOnly bool) *Type {
	for {
		n := Natives[g.r.IntN(len(Natives))]
		if keyOnly && n == "duration" {
			continue
		}
		return &Type{Kind: Native, Name: n}
	}
}

// typ draws a type. key: must be comparable (keys, set elements, map keys);
// nested: inside another type, so collections and UDTs must be frozen.
func (g *Gen) typ(depth int, key, nested bool) *Type {
	r := g.r
	p := r.IntN(100)
	if depth >= 2 {
		p = 0
	}
	switch {
	case p < 55:
		return g.nativeType(key)
	case p < 67:
		return &Type{Kind: List, Elems: []*Type{g.typ(depth+1, key, true)}, Frozen: key || nested || r.IntN(4) == 0}
	case p < 77:
		return &Type{Kind: Set, Elems: []*Type{g.typ(depth+1, true, true)}, Frozen: key || nested || r.IntN(4) == 0}
	case p < 87:
		return &Type{Kind: Map, Elems: []*Type{g.typ(depth+1, true, true), g.typ(depth+1, key, true)}, Frozen: key || nested || r.IntN(4) == 0}
	case p < 92:
		var e []*Type
		for i := 0; i < 2+r.IntN(2); i++ {
			e = append(e, g.typ(depth+1, key, true))
		}
		return &Type{Kind: Tuple, Elems: e, Frozen: true}
	case p < 97:
		pool := g.udts
		if key {
			pool = g.keys
		}
		if len(pool) == 0 {
			return g.nativeType(key)
		}
		u := *pool[r.IntN(len(pool))]
		u.Frozen = key || nested || r.IntN(2) == 0
		return &u
	default:
		if key || nested {
			return g.nativeType(key)
		}
		elems := []string{"float", "float", "double", "int", "bigint", "text"}
		return &Type{Kind: Vector, Elems: []*Type{{Kind: Native, Name: elems[r.IntN(len(elems))]}}, Dim: 1 + r.IntN(4)}
	}
}

// NewKeyspace draws a keyspace with its UDTs and n tables (about one in
// five a counter table). opts are appended to every table's WITH clause.
func (g *Gen) NewKeyspace(name string, n int, opts []string) *Keyspace {
	k := &Keyspace{Name: name}
	g.udts, g.keys = nil, nil
	// udt0: anything; udt1: comparable fields only; udt2: nests udt1.
	mk := func(uname string, key bool, extra *Type) *Type {
		u := &Type{Kind: UDT, Name: uname}
		for i := 0; i < 2+g.r.IntN(3); i++ {
			u.Fields = append(u.Fields, fmt.Sprintf("f%d", i))
			u.Elems = append(u.Elems, g.typ(1, key, true))
		}
		if extra != nil {
			u.Fields = append(u.Fields, "inner")
			u.Elems = append(u.Elems, extra)
		}
		return u
	}
	u0 := mk("udt0", false, nil)
	g.udts = append(g.udts, u0)
	u1 := mk("udt1", true, nil)
	g.udts = append(g.udts, u1)
	g.keys = append(g.keys, u1)
	inner := *u1
	inner.Frozen = true
	u2 := mk("udt2", false, &inner)
	g.udts = append(g.udts, u2)
	k.UDTs = g.udts
	for i := 0; i < n; i++ {
		k.Tables = append(k.Tables, g.NewTable(name, fmt.Sprintf("t%d", i), g.r.IntN(5) == 0, opts))
	}
	return k
}

// NewTable draws a table: 1–3 partition key columns, 0–3 clustering columns
// with mixed ASC/DESC, statics when clustered, 2–8 regular columns.
func (g *Gen) NewTable(ks, name string, counter bool, opts []string) *Table {
	r := g.r
	t := &Table{Keyspace: ks, Name: name, Counter: counter, Options: opts}
	np := 1 + r.IntN(3)
	if r.IntN(2) == 0 {
		np = 1
	}
	for i := 0; i < np; i++ {
		t.Partition = append(t.Partition, &Column{Name: fmt.Sprintf("pk%d", i), Type: g.typ(1, true, false)})
	}
	for i := 0; i < r.IntN(4); i++ {
		t.Clustering = append(t.Clustering, &Column{Name: fmt.Sprintf("ck%d", i), Type: g.typ(1, true, false), Desc: r.IntN(2) == 0})
	}
	if counter {
		for i := 0; i < 1+r.IntN(3); i++ {
			t.Regular = append(t.Regular, &Column{Name: fmt.Sprintf("c%d", i), Type: &Type{Kind: Native, Name: "counter"}})
		}
	} else {
		if len(t.Clustering) > 0 && r.IntN(2) == 0 {
			for i := 0; i < 1+r.IntN(2); i++ {
				t.Static = append(t.Static, &Column{Name: fmt.Sprintf("s%d", i), Type: g.typ(0, false, false)})
			}
		}
		for i := 0; i < 2+r.IntN(7); i++ {
			t.Regular = append(t.Regular, &Column{Name: fmt.Sprintf("v%d", i), Type: g.typ(0, false, false)})
		}
	}
	// Small key pools so operations keep hitting the same partitions and rows.
	for i := 0; i < 3+r.IntN(10); i++ {
		var k []string
		for _, c := range t.Partition {
			k = append(k, g.keyLit(c.Type))
		}
		t.pkPool = append(t.pkPool, k)
	}
	for i := 0; i < 2+r.IntN(8); i++ {
		var k []string
		for _, c := range t.Clustering {
			k = append(k, g.keyLit(c.Type))
		}
		t.ckPool = append(t.ckPool, k)
	}
	return t
}

// keyLit is a literal usable in a key: partition keys must not be empty
// (text ”), so retry those.
func (g *Gen) keyLit(t *Type) string {
	for {
		l := g.Lit(t)
		if l != "''" && l != "0x" {
			return l
		}
	}
}
