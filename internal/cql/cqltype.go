package cql

import (
	"strconv"
	"strings"
)

// nativeTypes maps CQL native type names (CQL3Type.Native) to types.
var nativeTypes = map[string]*Type{
	"ascii": TypeAscii, "bigint": TypeBigint, "blob": TypeBlob, "boolean": TypeBoolean,
	"counter": TypeCounter, "date": TypeDate, "decimal": TypeDecimal, "double": TypeDouble,
	"duration": TypeDuration, "empty": TypeEmpty, "float": TypeFloat, "inet": TypeInet,
	"int": TypeInt, "smallint": TypeSmallint, "text": TypeText, "time": TypeTime,
	"timestamp": TypeTimestamp, "timeuuid": TypeTimeuuid, "tinyint": TypeTinyint,
	"uuid": TypeUUID, "varchar": TypeText, "varint": TypeVarint,
}

// ParseCQL parses a CQL type as written in CREATE TABLE / CREATE TYPE: native
// names, list<T>, set<T>, map<K, V>, tuple<...>, vector<T, n>, frozen<T>, user
// types by name (optionally keyspace-qualified, optionally double-quoted) and custom
// types as a quoted class name ('org.apache.cassandra.db.marshal.LexicalUUIDType').
//
// udts resolves user type names: a qualified name is looked up as "ks.name", an
// unqualified one as "name". A collection or UDT is multi-cell unless frozen or
// nested in another type (Cassandra rejects non-frozen nesting; it is accepted
// here and frozen). Errors are *SyntaxError values.
func ParseCQL(s string, udts map[string]*Type) (*Type, error) {
	toks, err := lex(s)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	r := func(ks, name string) *Type {
		if ks != "" {
			return udts[ks+"."+name]
		}
		return udts[name]
	}
	t, err := p.parseType(r, false, 0)
	if err != nil {
		return nil, err
	}
	if tok := p.peek(); tok.kind != tEOF {
		return nil, p.errorf(tok, "unexpected %s after the type", tok)
	}
	return t, nil
}

type udtResolver func(keyspace, name string) *Type

// parseType reads one CQL type. frozen is true inside frozen<> or any other type.
func (p *parser) parseType(r udtResolver, frozen bool, depth int) (*Type, error) {
	start := p.peek()
	if depth > maxDepth {
		return nil, p.errorf(start, "types nested deeper than %d", maxDepth)
	}
	if start.kind == tString {
		p.next()
		t, err := ParseMarshal(start.text)
		if err != nil {
			return nil, p.errorf(start, "custom type: %v", err)
		}
		return t.Frozen(), nil
	}
	name, err := p.ident("a type")
	if err != nil {
		return nil, err
	}
	if start.kind == tIdent {
		if t, ok := nativeTypes[name]; ok {
			return t, nil
		}
		switch name {
		case "frozen":
			if err := p.expect("<"); err != nil {
				return nil, err
			}
			t, err := p.parseType(r, true, depth+1)
			if err != nil {
				return nil, err
			}
			return t.Frozen(), p.expect(">")
		case "list", "set", "map", "tuple", "vector":
			if !p.peek().is("<") {
				break // a UDT named like a keyword
			}
			p.next()
			t := &Type{Kind: map[string]Kind{"list": List, "set": Set, "map": Map, "tuple": Tuple, "vector": Vector}[name]}
			for {
				e, err := p.parseType(r, true, depth+1)
				if err != nil {
					return nil, err
				}
				t.Params = append(t.Params, e)
				if !p.accept(",") {
					break
				}
				if t.Kind == Vector {
					n := p.next()
					d, err := strconv.Atoi(n.text)
					if n.kind != tNumber || err != nil || d <= 0 {
						return nil, p.errorf(n, "vector dimension must be a positive integer, found %s", n)
					}
					t.Dimension = d
					break
				}
			}
			if err := p.expect(">"); err != nil {
				return nil, err
			}
			if err := t.check(); err != nil {
				return nil, p.errorf(start, "%s: %v", name, strings.TrimSuffix(err.Error(), ": corrupt"))
			}
			t.MultiCell = !frozen && t.canBeMultiCell()
			return t, nil
		}
	}
	ks := ""
	if p.peek().is(".") {
		p.next()
		ks = name
		if name, err = p.ident("a type name"); err != nil {
			return nil, err
		}
	}
	u := r(ks, name)
	if u == nil {
		full := name
		if ks != "" {
			full = ks + "." + name
		}
		return nil, p.errorf(start, "unknown type %s", full)
	}
	if u.Kind != UDT {
		return u, nil
	}
	u = u.Frozen()
	if !frozen {
		u = u.WithMultiCell(true)
	}
	return u, nil
}

// reservedKeywords are the CQL reserved words (cql3/ReservedKeywords.java) that
// must be quoted when used as identifiers.
var reservedKeywords = map[string]bool{}

func init() {
	for _, k := range strings.Fields(`add aggregate allow alter and apply asc authorize batch begin by
		columnfamily create default delete desc describe drop entries execute from full function grant if
		in index infinity insert into is keyspace limit materialized mbean mbeans modify nan norecursive not
		null of on or order primary rename replace revoke schema select set table to token truncate unlogged
		unset update use using view where with`) {
		reservedKeywords[k] = true
	}
}

// QuoteIdent returns name as CQL needs it written (ColumnIdentifier.maybeQuote):
// as is when it is a lower-case unquoted identifier that is not a reserved
// keyword, otherwise in double quotes with '"' doubled.
func QuoteIdent(name string) string {
	plain := name != "" && name[0] >= 'a' && name[0] <= 'z'
	for i := 0; plain && i < len(name); i++ {
		c := name[i]
		plain = c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_'
	}
	if plain && !reservedKeywords[name] {
		return name
	}
	return `"` + strings.ReplaceAll(name, `"`, `""`) + `"`
}

// CQL returns the type as CQL spells it (CQL3Type.toString): "int",
// "frozen<map<int, text>>", user types by (quoted if needed) name, tuples as
// "frozen<tuple<int, text>>", "vector<float, 3>". ReversedType does not show.
// Types with no CQL spelling print as a quoted custom type
// ('org.apache.cassandra.db.marshal.LexicalUUIDType').
func (t *Type) CQL() string {
	var b strings.Builder
	t.writeCQL(&b)
	return b.String()
}

func (t *Type) writeCQL(b *strings.Builder) {
	switch t.Kind {
	case List, Set, Map:
		if !t.MultiCell {
			b.WriteString("frozen<")
		}
		b.WriteString(kinds[t.Kind].cql)
		b.WriteByte('<')
		for i, p := range t.Params {
			if i > 0 {
				b.WriteString(", ")
			}
			p.writeCQL(b)
		}
		b.WriteByte('>')
		if !t.MultiCell {
			b.WriteByte('>')
		}
	case Tuple:
		b.WriteString("frozen<tuple<")
		for i, p := range t.Params {
			if i > 0 {
				b.WriteString(", ")
			}
			p.writeCQL(b)
		}
		b.WriteString(">>")
	case UDT:
		if !t.MultiCell {
			b.WriteString("frozen<")
		}
		b.WriteString(QuoteIdent(t.Name))
		if !t.MultiCell {
			b.WriteByte('>')
		}
	case Vector:
		b.WriteString("vector<")
		t.Params[0].writeCQL(b)
		b.WriteString(", ")
		b.WriteString(strconv.Itoa(t.Dimension))
		b.WriteByte('>')
	case LegacyTimestamp:
		b.WriteString("timestamp") // DateType.asCQL3Type
	default:
		if t.Kind < numKinds && kinds[t.Kind].cql != "" {
			b.WriteString(kinds[t.Kind].cql)
			return
		}
		if t.Kind == Empty {
			b.WriteString("empty")
			return
		}
		b.WriteByte('\'')
		b.WriteString(strings.ReplaceAll(t.WithReversed(false).Marshal(), "'", "''"))
		b.WriteByte('\'')
	}
}
