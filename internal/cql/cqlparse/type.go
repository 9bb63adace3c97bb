package cqlparse

import (
	"strconv"
	"strings"

	"github.com/aegisthus/aegisthus/internal/cql"
)

// nativeTypes maps CQL native type names (CQL3Type.Native) to types.
var nativeTypes = map[string]*cql.Type{
	"ascii": cql.TypeAscii, "bigint": cql.TypeBigint, "blob": cql.TypeBlob, "boolean": cql.TypeBoolean,
	"counter": cql.TypeCounter, "date": cql.TypeDate, "decimal": cql.TypeDecimal, "double": cql.TypeDouble,
	"duration": cql.TypeDuration, "empty": cql.TypeEmpty, "float": cql.TypeFloat, "inet": cql.TypeInet,
	"int": cql.TypeInt, "smallint": cql.TypeSmallint, "text": cql.TypeText, "time": cql.TypeTime,
	"timestamp": cql.TypeTimestamp, "timeuuid": cql.TypeTimeuuid, "tinyint": cql.TypeTinyint,
	"uuid": cql.TypeUUID, "varchar": cql.TypeText, "varint": cql.TypeVarint,
}

// Type parses a CQL type as written in CREATE TABLE / CREATE TYPE: native
// names, list<T>, set<T>, map<K, V>, tuple<...>, vector<T, n>, frozen<T>, user
// types by name (optionally keyspace-qualified, optionally double-quoted) and custom
// types as a quoted class name ('org.apache.cassandra.db.marshal.LexicalUUIDType').
//
// udts resolves user type names: a qualified name is looked up as "ks.name", an
// unqualified one as "name". A collection or UDT is multi-cell unless frozen or
// nested in another type (Cassandra rejects non-frozen nesting; it is accepted
// here and frozen). Errors are *SyntaxError values.
func Type(s string, udts map[string]*cql.Type) (*cql.Type, error) {
	toks, err := lex(s)
	if err != nil {
		return nil, err
	}
	p := &parser{toks: toks}
	r := func(ks, name string) *cql.Type {
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

type udtResolver func(keyspace, name string) *cql.Type

// parseType reads one CQL type. frozen is true inside frozen<> or any other type.
func (p *parser) parseType(r udtResolver, frozen bool, depth int) (*cql.Type, error) {
	start := p.peek()
	if depth > cql.MaxDepth {
		return nil, p.errorf(start, "types nested deeper than %d", cql.MaxDepth)
	}
	if start.kind == tString {
		p.next()
		t, err := cql.ParseMarshal(start.text)
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
			t := &cql.Type{Kind: map[string]cql.Kind{"list": cql.List, "set": cql.Set, "map": cql.Map, "tuple": cql.Tuple, "vector": cql.Vector}[name]}
			for {
				e, err := p.parseType(r, true, depth+1)
				if err != nil {
					return nil, err
				}
				t.Params = append(t.Params, e)
				if !p.accept(",") {
					break
				}
				if t.Kind == cql.Vector {
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
			if err := t.Check(); err != nil {
				return nil, p.errorf(start, "%s: %v", name, strings.TrimSuffix(err.Error(), ": corrupt"))
			}
			t.MultiCell = !frozen && t.CanBeMultiCell()
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
	if u.Kind != cql.UDT {
		return u, nil
	}
	u = u.Frozen()
	if !frozen {
		u = u.WithMultiCell(true)
	}
	return u, nil
}
