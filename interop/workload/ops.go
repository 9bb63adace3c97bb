package workload

import (
	"fmt"
	"strings"
	"time"
)

// Stmt is one generated write.
type Stmt struct {
	CQL  string
	Kind string // insert, update, delete-cell, delete-row, delete-range, delete-partition, collection, counter, static
	// ExpiresAt is set for a short TTL: the write's cells expire by then.
	ExpiresAt time.Time
}

// Clock hands out write timestamps (microseconds). Ties are deliberate: some
// writes reuse a timestamp already given out, so Cassandra's tie-break
// (greater value wins, tombstone beats cell) is exercised.
type Clock struct {
	now  int64
	used []int64
}

// NewClock starts at the wall clock.
func NewClock() *Clock { return &Clock{now: time.Now().UnixMicro()} }

func (g *Gen) using(c *Clock, ttl bool, st *Stmt) string {
	var p []string
	r := g.r
	switch x := r.IntN(10); {
	case x < 6:
		c.now += 1 + int64(r.IntN(1000))
		c.used = append(c.used, c.now)
		p = append(p, fmt.Sprintf("TIMESTAMP %d", c.now))
	case x < 8 && len(c.used) > 0:
		p = append(p, fmt.Sprintf("TIMESTAMP %d", c.used[r.IntN(len(c.used))])) // a tie
	default:
		// server-side timestamp
	}
	if ttl && r.IntN(7) == 0 {
		if r.IntN(2) == 0 {
			s := 1 + r.IntN(3)
			p = append(p, fmt.Sprintf("TTL %d", s))
			st.ExpiresAt = time.Now().Add(time.Duration(s+1) * time.Second)
		} else {
			p = append(p, fmt.Sprintf("TTL %d", 86400*(1+r.IntN(60))))
		}
	}
	if len(p) == 0 {
		return ""
	}
	return " USING " + strings.Join(p, " AND ")
}

func (t *Table) where(g *Gen, nck int) string {
	pk := t.pkPool[g.r.IntN(len(t.pkPool))]
	var w []string
	for i, c := range t.Partition {
		w = append(w, c.Name+" = "+pk[i])
	}
	if nck > 0 {
		ck := t.ckPool[g.r.IntN(len(t.ckPool))]
		for i := 0; i < nck; i++ {
			w = append(w, t.Clustering[i].Name+" = "+ck[i])
		}
	}
	return " WHERE " + strings.Join(w, " AND ")
}

// Op draws the next write for t.
func (g *Gen) Op(t *Table, c *Clock) Stmt {
	r := g.r
	var st Stmt
	full := len(t.Clustering)
	if t.Counter {
		var set []string
		for _, col := range t.Regular {
			if r.IntN(3) > 0 || len(set) == 0 {
				set = append(set, fmt.Sprintf("%s = %s + %d", col.Name, col.Name, r.IntN(2001)-1000))
			}
		}
		st.Kind = "counter"
		st.CQL = fmt.Sprintf("UPDATE %s.%s SET %s%s", t.Keyspace, t.Name, strings.Join(set, ", "), t.where(g, full))
		return st
	}
	p := r.IntN(100)
	switch {
	case p < 40: // insert
		cols, vals := []string{}, []string{}
		pk := t.pkPool[r.IntN(len(t.pkPool))]
		for i, col := range t.Partition {
			cols, vals = append(cols, col.Name), append(vals, pk[i])
		}
		ck := t.ckPool[r.IntN(len(t.ckPool))]
		for i, col := range t.Clustering {
			cols, vals = append(cols, col.Name), append(vals, ck[i])
		}
		for _, col := range append(append([]*Column{}, t.Static...), t.Regular...) {
			if r.IntN(4) > 0 {
				cols = append(cols, col.Name)
				if r.IntN(15) == 0 {
					vals = append(vals, "null") // an explicit null is a cell tombstone
				} else {
					vals = append(vals, g.Lit(col.Type))
				}
			}
		}
		st.Kind = "insert"
		st.CQL = fmt.Sprintf("INSERT INTO %s.%s (%s) VALUES (%s)", t.Keyspace, t.Name, strings.Join(cols, ", "), strings.Join(vals, ", "))
		st.CQL += g.using(c, true, &st)
	case p < 60: // update, with collection element operations
		var set []string
		for _, col := range t.Regular {
			if r.IntN(3) > 0 {
				continue
			}
			set = append(set, g.assign(col))
		}
		if len(set) == 0 {
			set = append(set, g.assign(t.Regular[0]))
		}
		st.Kind = "update"
		u := g.using(c, true, &st)
		st.CQL = fmt.Sprintf("UPDATE %s.%s%s SET %s%s", t.Keyspace, t.Name, u, strings.Join(set, ", "), t.where(g, full))
	case p < 66 && len(t.Static) > 0: // static-only update
		st.Kind = "static"
		u := g.using(c, true, &st)
		st.CQL = fmt.Sprintf("UPDATE %s.%s%s SET %s%s", t.Keyspace, t.Name, u, g.assign(t.Static[r.IntN(len(t.Static))]), t.where(g, 0))
	case p < 76: // cell deletes, including collection elements
		var d []string
		for _, col := range append(append([]*Column{}, t.Static...), t.Regular...) {
			if r.IntN(3) == 0 {
				switch {
				case col.Type.MultiCell() && col.Type.Kind == Map && r.IntN(2) == 0:
					d = append(d, fmt.Sprintf("%s[%s]", col.Name, g.Lit(col.Type.Elems[0])))
				case col.Type.MultiCell() && col.Type.Kind == UDT && r.IntN(2) == 0:
					d = append(d, col.Name+"."+col.Type.Fields[r.IntN(len(col.Type.Fields))])
				default:
					d = append(d, col.Name)
				}
			}
		}
		if len(d) == 0 {
			d = append(d, t.Regular[0].Name)
		}
		st.Kind = "delete-cell"
		// A deletion of statics only needs the partition key.
		nck := full
		onlyStatic := true
		for _, x := range d {
			if !strings.HasPrefix(x, "s") {
				onlyStatic = false
			}
		}
		if onlyStatic {
			nck = 0
		}
		st.CQL = fmt.Sprintf("DELETE %s FROM %s.%s%s%s", strings.Join(d, ", "), t.Keyspace, t.Name, g.using(c, false, &st), t.where(g, nck))
	case p < 84 && full > 0: // row delete
		st.Kind = "delete-row"
		st.CQL = fmt.Sprintf("DELETE FROM %s.%s%s%s", t.Keyspace, t.Name, g.using(c, false, &st), t.where(g, full))
	case p < 92 && full > 0: // range delete over the last restricted clustering column
		st.Kind = "delete-range"
		eq := r.IntN(full)
		w := t.where(g, eq)
		col := t.Clustering[eq]
		ops := []string{">", ">=", "<", "<="}
		lo := t.ckPool[r.IntN(len(t.ckPool))][eq]
		w += fmt.Sprintf(" AND %s %s %s", col.Name, ops[r.IntN(4)], lo)
		if r.IntN(2) == 0 { // a slice with both bounds (may be empty: Cassandra rejects those, see README)
			hi := t.ckPool[r.IntN(len(t.ckPool))][eq]
			w = t.where(g, eq) + fmt.Sprintf(" AND %s >= %s AND %s < %s", col.Name, lo, col.Name, hi)
		}
		st.CQL = fmt.Sprintf("DELETE FROM %s.%s%s%s", t.Keyspace, t.Name, g.using(c, false, &st), w)
	case p < 96: // partition delete
		st.Kind = "delete-partition"
		st.CQL = fmt.Sprintf("DELETE FROM %s.%s%s%s", t.Keyspace, t.Name, g.using(c, false, &st), t.where(g, 0))
	default: // insert with only the primary key (row marker only)
		var cols, vals []string
		pk := t.pkPool[r.IntN(len(t.pkPool))]
		for i, col := range t.Partition {
			cols, vals = append(cols, col.Name), append(vals, pk[i])
		}
		ck := t.ckPool[r.IntN(len(t.ckPool))]
		for i, col := range t.Clustering {
			cols, vals = append(cols, col.Name), append(vals, ck[i])
		}
		st.Kind = "insert"
		st.CQL = fmt.Sprintf("INSERT INTO %s.%s (%s) VALUES (%s)", t.Keyspace, t.Name, strings.Join(cols, ", "), strings.Join(vals, ", "))
		st.CQL += g.using(c, true, &st)
	}
	return st
}

// assign draws "col = ..." for an UPDATE, with element operations on
// multi-cell columns.
func (g *Gen) assign(col *Column) string {
	r := g.r
	t := col.Type
	if t.MultiCell() {
		switch t.Kind {
		case List:
			switch r.IntN(4) {
			case 0:
				return fmt.Sprintf("%s = %s + %s", col.Name, col.Name, g.Lit(t))
			case 1:
				return fmt.Sprintf("%s = %s + %s", col.Name, g.Lit(t), col.Name)
			case 2:
				return fmt.Sprintf("%s = %s - %s", col.Name, col.Name, g.Lit(t))
			}
		case Set:
			switch r.IntN(3) {
			case 0:
				return fmt.Sprintf("%s = %s + %s", col.Name, col.Name, g.Lit(t))
			case 1:
				return fmt.Sprintf("%s = %s - %s", col.Name, col.Name, g.Lit(t))
			}
		case Map:
			switch r.IntN(4) {
			case 0:
				return fmt.Sprintf("%s = %s + %s", col.Name, col.Name, g.Lit(t))
			case 1:
				return fmt.Sprintf("%s[%s] = %s", col.Name, g.Lit(t.Elems[0]), g.Lit(t.Elems[1]))
			case 2:
				return fmt.Sprintf("%s = %s - {%s}", col.Name, col.Name, g.Lit(t.Elems[0]))
			}
		case UDT:
			if r.IntN(2) == 0 {
				i := r.IntN(len(t.Fields))
				return fmt.Sprintf("%s.%s = %s", col.Name, t.Fields[i], g.Lit(t.Elems[i]))
			}
		}
	}
	if r.IntN(20) == 0 {
		return col.Name + " = null"
	}
	return col.Name + " = " + g.Lit(t)
}
