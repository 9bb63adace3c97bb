package cqlparse

import (
	"slices"
	"sort"
	"strconv"

	"github.com/aegisthus/aegisthus/internal/cql"
)

// ColumnKind says what part of the primary key a column is, if any
// (ColumnMetadata.Kind).
type ColumnKind uint8

// Column kinds, in the order SELECT * lists them.
const (
	PartitionKey ColumnKind = iota
	Clustering
	Static
	Regular
)

func (k ColumnKind) String() string {
	switch k {
	case PartitionKey:
		return "partition_key"
	case Clustering:
		return "clustering"
	case Static:
		return "static"
	case Regular:
		return "regular"
	}
	return "ColumnKind(" + strconv.Itoa(int(k)) + ")"
}

// Column is one column of a table.
type Column struct {
	Name     string    // as stored: lower case unless it was quoted
	Type     *cql.Type // Reversed for DESC clustering columns
	Kind     ColumnKind
	Position int  // index in the partition key or clustering; -1 for static and regular columns
	Desc     bool // clustering column in DESC order
}

// DroppedColumn records an ALTER TABLE ... DROP: data written for the column at or
// before Timestamp is to be discarded (schema_dropped_columns).
type DroppedColumn struct {
	Name      string
	Type      *cql.Type // the type it had, nil if unknown
	Kind      ColumnKind
	Timestamp int64 // microseconds since the epoch, from USING TIMESTAMP; 0 when not given
}

// Table is a parsed CREATE TABLE with later ALTER TABLE statements applied.
type Table struct {
	Keyspace, Name string
	Columns        []*Column // in CQL declaration order
	PartitionKey   []*Column // in key order
	Clustering     []*Column // in key order
	Static         []*Column // in declaration order
	Regular        []*Column // in declaration order
	CompactStorage bool
	ID             string // WITH ID = ..., "" when not given
	Dropped        map[string]*DroppedColumn
	// View marks a materialized view's table (View.Resolve); StrictLiveness a
	// view whose rows live only while their primary key liveness does.
	View, StrictLiveness bool
}

// Column returns the column named name (exactly as stored), or nil.
func (t *Table) Column(name string) *Column {
	for _, c := range t.Columns {
		if c.Name == name {
			return c
		}
	}
	return nil
}

// SelectOrder returns the columns in the order SELECT * returns them
// (TableMetadata.allColumnsInSelectOrder): partition key, clustering, then static
// and then regular columns, each of those two groups sorted by name.
func (t *Table) SelectOrder() []*Column {
	out := make([]*Column, 0, len(t.Columns))
	out = append(out, t.PartitionKey...)
	out = append(out, t.Clustering...)
	for _, g := range [][]*Column{t.Static, t.Regular} {
		s := append([]*Column(nil), g...)
		sort.SliceStable(s, func(i, j int) bool { return s[i].Name < s[j].Name })
		out = append(out, s...)
	}
	return out
}

// IsStaticCompact reports whether t is a COMPACT STORAGE table without clustering
// columns: Cassandra 3.0+ stores its non-key columns as static columns
// (CompactTables), which is how they appear in the sstable header.
func (t *Table) IsStaticCompact() bool { return t.CompactStorage && len(t.Clustering) == 0 }

// Schema is what Parse found.
type Schema struct {
	// Types holds each user type under "ks.name" and under "name" (the last
	// definition wins for the unqualified name).
	Types  map[string]*cql.Type
	Tables []*Table // with every view whose base table is here, resolved
	Views  []*View  // every view, resolved or not
}

// Table returns the table named name in keyspace ks, or the only table with
// that name when ks is "", or nil.
func (s *Schema) Table(ks, name string) *Table {
	var found *Table
	for _, t := range s.Tables {
		if t.Name != name {
			continue
		}
		if t.Keyspace == ks {
			return t
		}
		if ks == "" || t.Keyspace == "" {
			found = t
		}
	}
	return found
}

// Parse parses CQL DDL: hand-written files and the schema.cql Cassandra
// writes into snapshots. It understands CREATE TYPE, CREATE TABLE (IF NOT EXISTS,
// keyspace-qualified or not, inline or separate PRIMARY KEY with composite
// partition keys, STATIC, WITH ID = ..., CLUSTERING ORDER BY, COMPACT STORAGE),
// ALTER TABLE ... ADD / DROP [USING TIMESTAMP] / RENAME, ALTER TYPE ... ADD /
// RENAME, CREATE MATERIALIZED VIEW (View, resolved against its base table when
// that is here too), and USE. Other statements (CREATE KEYSPACE, CREATE INDEX,
// functions, DML) are skipped. Comments may be "--", "//" or "/* */".
//
// Errors are *SyntaxError values naming the line and column.
func Parse(src string) (*Schema, error) {
	toks, err := lex(src)
	if err != nil {
		return nil, err
	}
	sp := &schemaParser{parser: parser{toks: toks}, src: src, s: &Schema{Types: map[string]*cql.Type{}}}
	if err := sp.run(); err != nil {
		return nil, err
	}
	if err := sp.s.resolveViews(); err != nil {
		return nil, err
	}
	return sp.s, nil
}

type schemaParser struct {
	parser
	src      string
	s        *Schema
	keyspace string // from USE
}

func (p *schemaParser) run() error {
	for {
		t := p.peek()
		switch {
		case t.kind == tEOF:
			return nil
		case t.is(";"):
			p.next()
			continue
		case t.is("use"):
			p.next()
			ks, err := p.ident("a keyspace name")
			if err != nil {
				return err
			}
			p.keyspace = ks
		case t.is("create"):
			p.next()
			var err error
			switch {
			case p.accept("type"):
				err = p.createType()
			case p.accept("table"), p.accept("columnfamily"):
				err = p.createTable()
			case p.accept("materialized"):
				if err = p.expect("view"); err == nil {
					err = p.createView()
				}
			default:
				p.skipStatement()
			}
			if err != nil {
				return err
			}
		case t.is("alter"):
			p.next()
			var err error
			switch {
			case p.accept("table"), p.accept("columnfamily"):
				err = p.alterTable()
			case p.accept("type"):
				err = p.alterType()
			default:
				p.skipStatement()
			}
			if err != nil {
				return err
			}
		default:
			p.skipStatement()
		}
		if t := p.peek(); t.kind != tEOF && !t.is(";") {
			return p.errorf(t, "expected ';' or end of input, found %s", t)
		}
	}
}

// skipStatement consumes tokens up to the next ';' outside brackets.
func (p *schemaParser) skipStatement() {
	depth := 0
	for {
		t := p.peek()
		if t.kind == tEOF || depth == 0 && t.is(";") {
			return
		}
		if t.kind == tPunct {
			switch t.text {
			case "(", "{", "[":
				depth++
			case ")", "}", "]":
				if depth > 0 {
					depth--
				}
			}
		}
		p.next()
	}
}

func (p *schemaParser) ifNotExists() error {
	if p.accept("if") {
		if err := p.expect("not"); err != nil {
			return err
		}
		return p.expect("exists")
	}
	return nil
}

// qualifiedName reads [ks.]name; ks defaults to the USE keyspace.
func (p *schemaParser) qualifiedName(what string) (ks, name string, err error) {
	name, err = p.ident(what)
	if err != nil {
		return "", "", err
	}
	if p.accept(".") {
		ks = name
		if name, err = p.ident(what); err != nil {
			return "", "", err
		}
		return ks, name, nil
	}
	return p.keyspace, name, nil
}

func (p *schemaParser) resolver(ks string) udtResolver {
	return func(qks, name string) *cql.Type {
		if qks != "" {
			return p.s.Types[qks+"."+name]
		}
		if ks != "" {
			if t := p.s.Types[ks+"."+name]; t != nil {
				return t
			}
		}
		return p.s.Types[name]
	}
}

func (p *schemaParser) putType(t *cql.Type) {
	if t.Keyspace != "" {
		p.s.Types[t.Keyspace+"."+t.Name] = t
	}
	p.s.Types[t.Name] = t
}

func (p *schemaParser) createType() error {
	if err := p.ifNotExists(); err != nil {
		return err
	}
	ks, name, err := p.qualifiedName("a type name")
	if err != nil {
		return err
	}
	u := &cql.Type{Kind: cql.UDT, Keyspace: ks, Name: name}
	if err := p.expect("("); err != nil {
		return err
	}
	for {
		ft := p.peek()
		f, err := p.ident("a field name")
		if err != nil {
			return err
		}
		for _, g := range u.FieldNames {
			if g == f {
				return p.errorf(ft, "duplicate field %s in type %s", f, name)
			}
		}
		typ, err := p.parseType(p.resolver(ks), true, 0)
		if err != nil {
			return err
		}
		u.FieldNames = append(u.FieldNames, f)
		u.Params = append(u.Params, typ.Frozen())
		if !p.accept(",") {
			break
		}
		if p.peek().is(")") { // trailing comma
			break
		}
	}
	if err := p.expect(")"); err != nil {
		return err
	}
	p.putType(u)
	return nil
}

func (p *schemaParser) alterType() error {
	start := p.peek()
	ks, name, err := p.qualifiedName("a type name")
	if err != nil {
		return err
	}
	old := p.resolver(ks)("", name)
	if old == nil || old.Kind != cql.UDT {
		return p.errorf(start, "ALTER TYPE: unknown type %s", name)
	}
	u := *old
	u.FieldNames = append([]string(nil), old.FieldNames...)
	u.Params = append([]*cql.Type(nil), old.Params...)
	switch {
	case p.accept("add"):
		if err := p.ifNotExists(); err != nil {
			return err
		}
		f, err := p.ident("a field name")
		if err != nil {
			return err
		}
		typ, err := p.parseType(p.resolver(ks), true, 0)
		if err != nil {
			return err
		}
		u.FieldNames = append(u.FieldNames, f)
		u.Params = append(u.Params, typ.Frozen())
	case p.accept("rename"):
		err := p.renames("a field name", func(ft token, from, to string) error {
			i := slices.Index(u.FieldNames, from)
			if i < 0 {
				return p.errorf(ft, "ALTER TYPE %s: unknown field %s", name, from)
			}
			u.FieldNames[i] = to
			return nil
		})
		if err != nil {
			return err
		}
	default:
		p.skipStatement()
		return nil
	}
	p.putType(&u)
	return nil
}

// renames reads `a TO b [AND c TO d ...]`, the list ALTER TYPE and ALTER
// TABLE RENAME share, and calls apply with each pair and the token of its
// first name (for errors).
func (p *parser) renames(what string, apply func(at token, from, to string) error) error {
	for {
		at := p.peek()
		from, err := p.ident(what)
		if err != nil {
			return err
		}
		if err := p.expect("to"); err != nil {
			return err
		}
		to, err := p.ident(what)
		if err != nil {
			return err
		}
		if err := apply(at, from, to); err != nil {
			return err
		}
		if !p.accept("and") {
			return nil
		}
	}
}

func (p *schemaParser) createTable() error {
	if err := p.ifNotExists(); err != nil {
		return err
	}
	ks, name, err := p.qualifiedName("a table name")
	if err != nil {
		return err
	}
	tbl := &Table{Keyspace: ks, Name: name, Dropped: map[string]*DroppedColumn{}}
	open := p.peek()
	if err := p.expect("("); err != nil {
		return err
	}
	var pk [][]string // partition key groups, then clustering names
	var pkTok token
	for {
		t := p.peek()
		if t.is("primary") {
			if pk != nil {
				return p.errorf(t, "table %s has more than one PRIMARY KEY", name)
			}
			p.next()
			if err := p.expect("key"); err != nil {
				return err
			}
			pkTok = t
			if pk, err = p.primaryKey(); err != nil {
				return err
			}
		} else {
			cname, err := p.ident("a column name")
			if err != nil {
				return err
			}
			if tbl.Column(cname) != nil {
				return p.errorf(t, "duplicate column %s in table %s", cname, name)
			}
			typ, err := p.parseType(p.resolver(ks), false, 0)
			if err != nil {
				return err
			}
			col := &Column{Name: cname, Type: typ, Kind: Regular, Position: -1}
			for {
				if p.accept("static") {
					col.Kind = Static
				} else if p.peek().is("primary") {
					kt := p.next()
					if err := p.expect("key"); err != nil {
						return err
					}
					if pk != nil {
						return p.errorf(kt, "table %s has more than one PRIMARY KEY", name)
					}
					pk, pkTok = [][]string{{cname}}, kt
				} else {
					break
				}
			}
			tbl.Columns = append(tbl.Columns, col)
		}
		if !p.accept(",") {
			break
		}
		if p.peek().is(")") { // trailing comma
			break
		}
	}
	if err := p.expect(")"); err != nil {
		return err
	}
	if pk == nil {
		return p.errorf(open, "table %s has no PRIMARY KEY", name)
	}
	if err := tbl.applyPrimaryKey(pk); err != nil {
		return p.errorf(pkTok, "%v", err)
	}
	if p.accept("with") {
		for {
			if err := p.tableOption(tbl); err != nil {
				return err
			}
			if !p.accept("and") {
				break
			}
		}
	}
	tbl.regroup()
	p.s.Tables = append(p.s.Tables, tbl)
	return nil
}

// primaryKey parses "( (a, b), c, d )" or "( a, c, d )": the first group is the
// partition key, each later name a clustering column.
func (p *schemaParser) primaryKey() ([][]string, error) {
	if err := p.expect("("); err != nil {
		return nil, err
	}
	var groups [][]string
	if p.accept("(") {
		var g []string
		for {
			n, err := p.ident("a column name")
			if err != nil {
				return nil, err
			}
			g = append(g, n)
			if !p.accept(",") {
				break
			}
		}
		if err := p.expect(")"); err != nil {
			return nil, err
		}
		groups = append(groups, g)
	} else {
		n, err := p.ident("a column name")
		if err != nil {
			return nil, err
		}
		groups = append(groups, []string{n})
	}
	for p.accept(",") {
		n, err := p.ident("a column name")
		if err != nil {
			return nil, err
		}
		groups = append(groups, []string{n})
	}
	return groups, p.expect(")")
}

type schemaError string

func (e schemaError) Error() string { return string(e) }

func (t *Table) applyPrimaryKey(pk [][]string) error {
	for i, g := range pk {
		for j, n := range g {
			c := t.Column(n)
			if c == nil {
				return schemaError("PRIMARY KEY names unknown column " + cql.QuoteIdent(n))
			}
			if c.Kind != Regular {
				return schemaError("column " + cql.QuoteIdent(n) + " is listed twice in the PRIMARY KEY, or is static")
			}
			if i == 0 {
				c.Kind, c.Position = PartitionKey, j
			} else {
				c.Kind, c.Position = Clustering, i-1
			}
			if c.Type.MultiCell {
				return schemaError("primary key column " + cql.QuoteIdent(n) + " cannot be a non-frozen " + c.Type.CQL())
			}
		}
	}
	return nil
}

// regroup rebuilds the per-kind column lists from Columns.
func (t *Table) regroup() {
	t.PartitionKey, t.Clustering, t.Static, t.Regular = nil, nil, nil, nil
	for _, c := range t.Columns {
		switch c.Kind {
		case PartitionKey:
			t.PartitionKey = append(t.PartitionKey, c)
		case Clustering:
			t.Clustering = append(t.Clustering, c)
		case Static:
			t.Static = append(t.Static, c)
		default:
			t.Regular = append(t.Regular, c)
		}
	}
	sort.SliceStable(t.PartitionKey, func(i, j int) bool { return t.PartitionKey[i].Position < t.PartitionKey[j].Position })
	sort.SliceStable(t.Clustering, func(i, j int) bool { return t.Clustering[i].Position < t.Clustering[j].Position })
}

func (p *schemaParser) tableOption(tbl *Table) error {
	t := p.peek()
	switch {
	case t.is("clustering"):
		p.next()
		if err := p.expect("order"); err != nil {
			return err
		}
		if err := p.expect("by"); err != nil {
			return err
		}
		if err := p.expect("("); err != nil {
			return err
		}
		for {
			ct := p.peek()
			n, err := p.ident("a clustering column name")
			if err != nil {
				return err
			}
			c := tbl.Column(n)
			if c == nil || c.Kind != Clustering {
				return p.errorf(ct, "CLUSTERING ORDER BY names %s, which is not a clustering column of %s", n, tbl.Name)
			}
			desc := false
			if p.accept("desc") {
				desc = true
			} else {
				p.accept("asc")
			}
			c.Desc = desc
			c.Type = c.Type.WithReversed(desc)
			if !p.accept(",") {
				break
			}
		}
		return p.expect(")")
	case t.is("compact"):
		p.next()
		if err := p.expect("storage"); err != nil {
			return err
		}
		tbl.CompactStorage = true
		return nil
	}
	name, err := p.ident("a table option")
	if err != nil {
		return err
	}
	if err := p.expect("="); err != nil {
		return err
	}
	if name == "id" {
		tbl.ID = p.uuidValue()
		return nil
	}
	p.skipValue()
	return nil
}

// uuidValue consumes a uuid option value. A uuid lexes as several tokens when
// a group starts with a letter (d3e9b1c0-a234-...): take every token that
// touches the previous one.
func (p *schemaParser) uuidValue() string {
	start := p.next()
	end := start.off + len(start.text)
	for t := p.peek(); t.kind != tEOF && t.kind != tString && t.off == end && !t.is(";"); t = p.peek() {
		p.next()
		end = t.off + len(t.text)
	}
	if start.kind == tString {
		return start.text
	}
	return p.src[start.off:end]
}

// skipValue consumes an option value (one term: a constant, or a map, list or
// tuple literal).
func (p *schemaParser) skipValue() {
	t := p.next()
	if t.kind == tPunct && (t.text == "-" || t.text == "+") {
		t = p.next()
	}
	if t.kind == tPunct && (t.text == "{" || t.text == "[" || t.text == "(") {
		depth := 1
		for depth > 0 {
			t := p.next()
			if t.kind == tEOF {
				break
			}
			if t.kind == tPunct {
				switch t.text {
				case "(", "{", "[":
					depth++
				case ")", "}", "]":
					depth--
				}
			}
		}
	}
}

func (p *schemaParser) alterTable() error {
	start := p.peek()
	ks, name, err := p.qualifiedName("a table name")
	if err != nil {
		return err
	}
	tbl := p.s.Table(ks, name)
	if tbl == nil {
		return p.errorf(start, "ALTER TABLE: unknown table %s", name)
	}
	switch {
	case p.accept("drop"):
		if err := p.ifExists(); err != nil {
			return err
		}
		names, err := p.nameList()
		if err != nil {
			return err
		}
		var ts int64
		if p.accept("using") {
			if err := p.expect("timestamp"); err != nil {
				return err
			}
			n := p.next()
			if ts, err = strconv.ParseInt(n.text, 10, 64); n.kind != tNumber || err != nil {
				return p.errorf(n, "expected a timestamp, found %s", n)
			}
		}
		for _, n := range names {
			c := tbl.Column(n.text)
			if c == nil {
				return p.errorf(n, "ALTER TABLE %s DROP: unknown column %s", name, n.text)
			}
			if c.Kind == PartitionKey || c.Kind == Clustering {
				return p.errorf(n, "ALTER TABLE %s DROP: cannot drop primary key column %s", name, n.text)
			}
			tbl.Dropped[c.Name] = &DroppedColumn{Name: c.Name, Type: c.Type, Kind: c.Kind, Timestamp: ts}
			for i, x := range tbl.Columns {
				if x == c {
					tbl.Columns = append(tbl.Columns[:i:i], tbl.Columns[i+1:]...)
					break
				}
			}
		}
	case p.accept("add"):
		if err := p.ifNotExists(); err != nil {
			return err
		}
		paren := p.accept("(")
		for {
			ct := p.peek()
			n, err := p.ident("a column name")
			if err != nil {
				return err
			}
			typ, err := p.parseType(p.resolver(tbl.Keyspace), false, 0)
			if err != nil {
				return err
			}
			col := &Column{Name: n, Type: typ, Kind: Regular, Position: -1}
			if p.accept("static") {
				col.Kind = Static
			}
			if tbl.Column(n) != nil {
				return p.errorf(ct, "ALTER TABLE %s ADD: column %s exists", name, n)
			}
			tbl.Columns = append(tbl.Columns, col)
			if !paren || !p.accept(",") {
				break
			}
		}
		if paren {
			if err := p.expect(")"); err != nil {
				return err
			}
		}
	case p.accept("rename"):
		p.accept("if") // RENAME IF EXISTS (5.0)
		p.accept("exists")
		err := p.renames("a column name", func(ct token, from, to string) error {
			c := tbl.Column(from)
			if c == nil {
				return p.errorf(ct, "ALTER TABLE %s RENAME: unknown column %s", name, from)
			}
			c.Name = to
			return nil
		})
		if err != nil {
			return err
		}
	case p.accept("alter"):
		ct := p.peek()
		n, err := p.ident("a column name")
		if err != nil {
			return err
		}
		if err := p.expect("type"); err != nil {
			return err
		}
		typ, err := p.parseType(p.resolver(tbl.Keyspace), false, 0)
		if err != nil {
			return err
		}
		c := tbl.Column(n)
		if c == nil {
			return p.errorf(ct, "ALTER TABLE %s ALTER: unknown column %s", name, n)
		}
		c.Type = typ.WithReversed(c.Desc)
	default:
		p.skipStatement()
	}
	tbl.regroup()
	return nil
}

func (p *schemaParser) ifExists() error {
	if p.accept("if") {
		return p.expect("exists")
	}
	return nil
}

// nameList reads "a" or "(a, b)"; each token's text is the identifier as stored.
func (p *schemaParser) nameList() ([]token, error) {
	paren := p.accept("(")
	var out []token
	for {
		t := p.peek()
		n, err := p.ident("a column name")
		if err != nil {
			return nil, err
		}
		t.text = n
		out = append(out, t)
		if !paren || !p.accept(",") {
			break
		}
	}
	if paren {
		if err := p.expect(")"); err != nil {
			return nil, err
		}
	}
	return out, nil
}
