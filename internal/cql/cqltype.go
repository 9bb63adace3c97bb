package cql

import (
	"slices"
	"strconv"
	"strings"
)

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
	t.writeCQL(&b, false)
	return b.String()
}

// QualifiedCQL is CQL with every user type named with its keyspace
// (frozen<ks.address>), for messages that compare two types: two UDTs of one
// name in two keyspaces are different types.
func (t *Type) QualifiedCQL() string {
	var b strings.Builder
	t.writeCQL(&b, true)
	return b.String()
}

func (t *Type) writeCQL(b *strings.Builder, qualified bool) {
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
			p.writeCQL(b, qualified)
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
			p.writeCQL(b, qualified)
		}
		b.WriteString(">>")
	case UDT:
		if !t.MultiCell {
			b.WriteString("frozen<")
		}
		if qualified && t.Keyspace != "" {
			b.WriteString(QuoteIdent(t.Keyspace))
			b.WriteByte('.')
		}
		b.WriteString(QuoteIdent(t.Name))
		if !t.MultiCell {
			b.WriteByte('>')
		}
	case Vector:
		b.WriteString("vector<")
		t.Params[0].writeCQL(b, qualified)
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

// InKeyspace returns t with every user type that names no keyspace placed in
// ks, as Cassandra resolves an unqualified type name to the keyspace of the
// table that uses it. It returns t itself when nothing changes.
func (t *Type) InKeyspace(ks string) *Type {
	if t == nil || ks == "" {
		return t
	}
	var params []*Type
	for i, p := range t.Params {
		q := p.InKeyspace(ks)
		if q != p && params == nil {
			params = slices.Clone(t.Params)
		}
		if params != nil {
			params[i] = q
		}
	}
	if params == nil && (t.Kind != UDT || t.Keyspace != "") {
		return t
	}
	c := *t
	if params != nil {
		c.Params = params
	}
	if c.Kind == UDT && c.Keyspace == "" {
		c.Keyspace = ks
	}
	return &c
}
