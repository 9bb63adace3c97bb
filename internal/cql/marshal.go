package cql

import (
	"encoding/hex"
	"fmt"
	"strconv"
	"strings"

	"github.com/aegisthus/aegisthus/internal/sstable/wire"
)

const marshalPackage = "org.apache.cassandra.db.marshal."

// MaxDepth bounds type nesting in every type parser (ParseMarshal here, the CQL
// type parser in cqlparse), so hostile input cannot exhaust the stack. Cassandra
// has no such limit; real schemas nest a handful of levels.
const MaxDepth = 64

// classKinds maps simple class names to kinds. Keys are the names TypeParser
// resolves in org.apache.cassandra.db.marshal.
var classKinds = func() map[string]Kind {
	m := make(map[string]Kind, numKinds+4)
	for k := Kind(1); k < numKinds; k++ {
		if c := kinds[k].class; c != "" {
			m[c] = k
		}
	}
	m["LocalByPartionerType"] = PartitionerOrder // its pre-2.1 name (sic)
	m["LegacyTimeUUIDType"] = Timeuuid
	return m
}()

// ParseMarshal parses a marshal type string as Cassandra's TypeParser does: the
// strings of SerializationHeader, Statistics.db and the 2.x schema tables. Class
// names may be fully qualified or bare. FrozenType(X) freezes X and everything in
// it; ReversedType(X) sets Reversed; UserType parameters are keyspace, hex name and
// hex field names; VectorType(T , n).
//
// Only the top level can be multi-cell: a collection or UDT nested in another type
// is always frozen, even when a writer left out its FrozenType wrapper (ScyllaDB
// 3.0 and Cassandra 3.0 headers, see FORMAT.md §8.6). A bare UserType at the top
// level parses as non-frozen; callers that know better (3.0 headers) apply the
// schema with WithMultiCell.
//
// Classes outside the marshal package parse as Kind Custom (their values render as
// blobs); an unknown class inside it, or bare, is an error (a garbled name, as
// in a Statistics.db without a checksum, must not print values as blobs).
// Errors wrap wire.ErrCorrupt and name the position.
func ParseMarshal(s string) (*Type, error) {
	p := marshalParser{s: s}
	t, err := p.parse(false, 0)
	if err != nil {
		return nil, err
	}
	p.skipBlank()
	if p.i != len(p.s) {
		return nil, p.errorf("unexpected %q after the type", p.s[p.i:])
	}
	return t, nil
}

type marshalParser struct {
	s string
	i int
}

func (p *marshalParser) errorf(format string, args ...any) error {
	return fmt.Errorf("type %q at char %d: %s: %w", truncate(p.s, 200), p.i, fmt.Sprintf(format, args...), wire.ErrCorrupt)
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

func isMarshalIdent(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' ||
		c == '-' || c == '+' || c == '.' || c == '_' || c == '&'
}

func (p *marshalParser) skipBlank() {
	for p.i < len(p.s) && (p.s[p.i] == ' ' || p.s[p.i] == '\t' || p.s[p.i] == '\n') {
		p.i++
	}
}

// skipBlankAndComma skips blanks and at most one comma, and reports whether input
// remains (TypeParser.skipBlankAndComma).
func (p *marshalParser) skipBlankAndComma() bool {
	comma := false
	for p.i < len(p.s) {
		c := p.s[p.i]
		if c == ',' {
			if comma {
				return true
			}
			comma = true
		} else if c != ' ' && c != '\t' && c != '\n' {
			return true
		}
		p.i++
	}
	return false
}

func (p *marshalParser) ident() string {
	j := p.i
	for p.i < len(p.s) && isMarshalIdent(p.s[p.i]) {
		p.i++
	}
	return p.s[j:p.i]
}

func (p *marshalParser) peek() byte {
	if p.i < len(p.s) {
		return p.s[p.i]
	}
	return 0
}

// params parses "(a, b, ...)" with each element read by elem, as
// TypeParser.getTypeParameters does.
func (p *marshalParser) params(elem func() error) error {
	if p.peek() != '(' {
		return p.errorf("expected '('")
	}
	p.i++
	for p.skipBlankAndComma() {
		if p.s[p.i] == ')' {
			p.i++
			return nil
		}
		start := p.i
		if err := elem(); err != nil {
			return err
		}
		if p.i == start {
			return p.errorf("unexpected character %q", p.s[p.i])
		}
	}
	return p.errorf("unexpected end of string")
}

func (p *marshalParser) typeList(depth int) ([]*Type, error) {
	var ts []*Type
	err := p.params(func() error {
		if len(ts) >= 1<<12 {
			return p.errorf("too many type parameters")
		}
		t, err := p.parse(true, depth+1)
		if err != nil {
			return err
		}
		ts = append(ts, t)
		return nil
	})
	return ts, err
}

func (p *marshalParser) hexIdent(what string) (string, error) {
	p.skipBlank()
	h := p.ident()
	b, err := hex.DecodeString(h)
	if err != nil {
		return "", p.errorf("%s %q is not hex", what, h)
	}
	// Cassandra decodes names as UTF-8, replacing what is malformed.
	return strings.ToValidUTF8(string(b), "\uFFFD"), nil
}

// parse reads one type. nested is true inside another type's parameters, where
// collections and UDTs are frozen.
func (p *marshalParser) parse(nested bool, depth int) (*Type, error) {
	if depth > MaxDepth {
		return nil, p.errorf("types nested deeper than %d", MaxDepth)
	}
	p.skipBlank()
	name := p.ident()
	if name == "" {
		return nil, p.errorf("expected a type name")
	}
	p.skipBlank()
	hasParams := p.peek() == '('
	simple := strings.TrimPrefix(name, marshalPackage)
	kind, ok := classKinds[simple]
	if !ok {
		if simple == "ReversedType" || simple == "FrozenType" {
			if !hasParams {
				return nil, p.errorf("%s needs a parameter", simple)
			}
			// ReversedType is transparent: its parameter is as nested as it is.
			var ts []*Type
			err := p.params(func() error {
				t, err := p.parse(nested || simple == "FrozenType", depth+1)
				ts = append(ts, t)
				return err
			})
			if err != nil {
				return nil, err
			}
			if len(ts) != 1 {
				return nil, p.errorf("%s takes 1 parameter, got %d", simple, len(ts))
			}
			if simple == "FrozenType" {
				return ts[0].Frozen(), nil
			}
			return ts[0].WithReversed(true), nil
		}
		if !strings.Contains(name, ".") || strings.HasPrefix(name, marshalPackage) {
			// Cassandra's own classes are a closed set, and a bare name is one
			// of them (TypeParser prefixes the package): anything else there is
			// a garbled name, not a custom type to print as a blob.
			return nil, p.errorf("%s is not a type of %s", name, strings.TrimSuffix(marshalPackage, "."))
		}
		if base := name[strings.LastIndexByte(name, '.')+1:]; isMarshalClass(base) {
			// One of Cassandra's own names in another package is the
			// package name garbled, not a custom type.
			return nil, p.errorf("%s is not %s%s", name, marshalPackage, base)
		}
		t := &Type{Kind: Custom, Name: name}
		if hasParams {
			// Keep the parameters verbatim so Marshal round-trips them.
			j := p.i
			if err := p.skipBalanced(); err != nil {
				return nil, err
			}
			t.Name = name + p.s[j:p.i]
		}
		return t, nil
	}

	t := &Type{Kind: kind}
	var err error
	switch kind {
	case List, Set, Map, Tuple, Composite:
		if !hasParams {
			if kind == Composite {
				break // CompositeType with no components
			}
			return nil, p.errorf("%s needs type parameters", simple)
		}
		t.Params, err = p.typeList(depth)
	case UDT:
		if !hasParams {
			return nil, p.errorf("UserType needs parameters")
		}
		err = p.userTypeParams(t, depth)
	case Vector:
		if !hasParams {
			return nil, p.errorf("VectorType needs parameters")
		}
		err = p.vectorParams(t, depth)
	case DynamicComposite:
		if hasParams {
			err = p.aliasParams(t, depth)
		}
	case ColumnToCollection:
		if hasParams {
			err = p.params(func() error {
				n, err := p.hexIdent("column name")
				if err != nil {
					return err
				}
				p.skipBlank()
				if p.peek() != ':' {
					return p.errorf("expecting ':' token")
				}
				p.i++
				c, err := p.parse(false, depth+1)
				if err != nil {
					return err
				}
				t.FieldNames = append(t.FieldNames, n)
				t.Params = append(t.Params, c)
				return nil
			})
		}
	case PartitionerOrder:
		if hasParams {
			err = p.params(func() error {
				if t.Name != "" {
					return p.errorf("PartitionerDefinedOrder takes one partitioner")
				}
				t.Name = p.ident()
				p.skipBlank()
				if p.peek() == ':' {
					p.i++
					b, err := p.parse(true, depth+1)
					if err != nil {
						return err
					}
					t.Params = []*Type{b}
				}
				return nil
			})
		}
	default:
		if hasParams {
			// AbstractType.parseDefaultParameters: "(reversed=true)" and friends.
			err = p.params(func() error {
				k := p.ident()
				v := ""
				p.skipBlank()
				if p.peek() == '=' {
					p.i++
					p.skipBlank()
					v = p.ident()
				} else if c := p.peek(); c != ',' && c != ')' {
					return p.errorf("unexpected character %q", c)
				}
				if k == "reversed" && (v == "" || v == "true") {
					t.Reversed = true
				}
				return nil
			})
		}
	}
	if err != nil {
		return nil, err
	}
	if err := t.Check(); err != nil {
		return nil, p.errorf("%v", err)
	}
	switch kind {
	case List, Set, Map, UDT:
		t.MultiCell = !nested
		if t.MultiCell {
			// A multi-cell type only holds frozen types.
			for i, c := range t.Params {
				t.Params[i] = c.Frozen()
			}
		}
	case Tuple, Vector, Composite, DynamicComposite:
		for i, c := range t.Params {
			t.Params[i] = c.Frozen()
		}
	}
	return t, nil
}

func (p *marshalParser) skipBalanced() error {
	depth := 0
	for p.i < len(p.s) {
		switch p.s[p.i] {
		case '(':
			depth++
		case ')':
			depth--
			if depth == 0 {
				p.i++
				return nil
			}
		}
		p.i++
	}
	return p.errorf("unbalanced parentheses")
}

// userTypeParams mirrors TypeParser.getUserTypeParameters.
func (p *marshalParser) userTypeParams(t *Type, depth int) error {
	p.i++ // '('
	p.skipBlankAndComma()
	// A keyspace name is never empty; and an empty one would not round-trip:
	// "UserType(,00)" reads as keyspace 00 (TypeParser skips one comma).
	if t.Keyspace = p.ident(); t.Keyspace == "" {
		return p.errorf("UserType without a keyspace")
	}
	p.skipBlankAndComma()
	var err error
	if t.Name, err = p.hexIdent("type name"); err != nil {
		return err
	}
	for p.skipBlankAndComma() {
		if p.s[p.i] == ')' {
			p.i++
			return nil
		}
		start := p.i
		n, err := p.hexIdent("field name")
		if err != nil {
			return err
		}
		p.skipBlank()
		if p.peek() != ':' {
			if p.i == start {
				return p.errorf("unexpected character %q", p.peek())
			}
			return p.errorf("expecting ':' token")
		}
		p.i++
		ft, err := p.parse(true, depth+1)
		if err != nil {
			return err
		}
		if len(t.Params) >= 1<<15 {
			return p.errorf("too many fields")
		}
		t.FieldNames = append(t.FieldNames, n)
		t.Params = append(t.Params, ft)
	}
	return p.errorf("unexpected end of string")
}

// vectorParams mirrors TypeParser.getVectorParameters: "(type , dimension)".
func (p *marshalParser) vectorParams(t *Type, depth int) error {
	p.i++ // '('
	p.skipBlank()
	e, err := p.parse(true, depth+1)
	if err != nil {
		return err
	}
	p.skipBlank()
	if p.peek() != ',' {
		return p.errorf("expected ',' before the vector dimension")
	}
	p.i++
	p.skipBlank()
	d := p.ident()
	n, err := strconv.Atoi(d)
	if err != nil || n <= 0 {
		return p.errorf("vector dimension %q is not a positive integer", d)
	}
	p.skipBlank()
	if p.peek() != ')' {
		return p.errorf("expected ')' after the vector dimension")
	}
	p.i++
	t.Params = []*Type{e}
	t.Dimension = n
	return nil
}

// aliasParams mirrors TypeParser.getAliasParameters: "(b=>BytesType,s=>UTF8Type)".
func (p *marshalParser) aliasParams(t *Type, depth int) error {
	return p.params(func() error {
		a := p.ident()
		if len(a) != 1 {
			return p.errorf("an alias should be a single character, got %q", a)
		}
		p.skipBlank()
		if !strings.HasPrefix(p.s[p.i:], "=>") {
			return p.errorf("expecting '=>' token")
		}
		p.i += 2
		c, err := p.parse(true, depth+1)
		if err != nil {
			return err
		}
		t.FieldNames = append(t.FieldNames, a)
		t.Params = append(t.Params, c)
		return nil
	})
}

// Marshal returns the marshal class string, as AbstractType.toString writes it into
// SerializationHeader: fully qualified names, FrozenType around frozen collections
// and UDTs except inside an already frozen type, no FrozenType around tuples
// (Cassandra 3.0 to 5.0). ParseMarshal(t.Marshal()) equals t.
func (t *Type) Marshal() string {
	return string(t.AppendMarshal(nil))
}

// AppendMarshal appends Marshal's result to dst.
func (t *Type) AppendMarshal(dst []byte) []byte {
	return t.appendMarshal(dst, false)
}

func (t *Type) appendMarshal(b []byte, ignoreFreezing bool) []byte {
	if t.Reversed {
		b = append(b, marshalPackage+"ReversedType("...)
		b = t.WithReversed(false).appendMarshal(b, false)
		return append(b, ')')
	}
	switch t.Kind {
	case Custom:
		return append(b, t.Name...)
	case List, Set, Map, UDT:
		frozenWrap := !ignoreFreezing && !t.MultiCell
		if frozenWrap {
			b = append(b, marshalPackage+"FrozenType("...)
		}
		b = append(b, marshalPackage...)
		b = append(b, kinds[t.Kind].class...)
		inner := ignoreFreezing || !t.MultiCell
		b = append(b, '(')
		if t.Kind == UDT {
			b = append(b, t.Keyspace...)
			b = append(b, ',')
			b = hex.AppendEncode(b, []byte(t.Name))
			for i, f := range t.Params {
				b = append(b, ',')
				b = hex.AppendEncode(b, []byte(t.FieldNames[i]))
				b = append(b, ':')
				b = f.appendMarshal(b, inner)
			}
		} else {
			for i, p := range t.Params {
				if i > 0 {
					b = append(b, ',')
				}
				b = p.appendMarshal(b, inner)
			}
		}
		b = append(b, ')')
		if frozenWrap {
			b = append(b, ')')
		}
		return b
	}
	b = append(b, marshalPackage...)
	b = append(b, kinds[t.Kind].class...)
	switch t.Kind {
	case Tuple, Composite:
		if t.Kind == Composite && len(t.Params) == 0 {
			return b
		}
		b = append(b, '(')
		for i, p := range t.Params {
			if i > 0 {
				b = append(b, ',')
			}
			b = p.appendMarshal(b, t.Kind == Tuple)
		}
		b = append(b, ')')
	case Vector:
		b = append(b, '(')
		b = t.Params[0].appendMarshal(b, ignoreFreezing)
		b = append(b, " , "...)
		b = strconv.AppendInt(b, int64(t.Dimension), 10)
		b = append(b, ')')
	case DynamicComposite:
		if len(t.Params) > 0 {
			b = append(b, '(')
			for i, p := range t.Params {
				if i > 0 {
					b = append(b, ',')
				}
				b = append(b, t.FieldNames[i]...)
				b = append(b, "=>"...)
				b = p.appendMarshal(b, false)
			}
			b = append(b, ')')
		}
	case ColumnToCollection:
		b = append(b, '(')
		for i, p := range t.Params {
			if i > 0 {
				b = append(b, ',')
			}
			b = hex.AppendEncode(b, []byte(t.FieldNames[i]))
			b = append(b, ':')
			b = p.appendMarshal(b, false)
		}
		b = append(b, ')')
	case PartitionerOrder:
		if t.Name != "" {
			b = append(b, '(')
			b = append(b, t.Name...)
			if len(t.Params) == 1 {
				b = append(b, ':')
				b = t.Params[0].appendMarshal(b, false)
			}
			b = append(b, ')')
		}
	}
	return b
}

// isMarshalClass reports whether simple is the name of a class of Cassandra's
// marshal package that this parser reads.
func isMarshalClass(simple string) bool {
	_, ok := classKinds[simple]
	return ok || simple == "ReversedType" || simple == "FrozenType"
}
