package inspect

import (
	"fmt"
	"strings"

	"github.com/aegisthus/aegisthus/internal/cql"
	"github.com/aegisthus/aegisthus/internal/cql/cqlparse"
	"github.com/aegisthus/aegisthus/internal/sstable/format"
	"github.com/aegisthus/aegisthus/internal/sstable/stats"
)

// createTable renders the serialization header as CQL. Key and clustering names
// come from tbl when given, else are placeholders (key, key1..., clustering,
// clustering1..., as sstabledump names them).
func createTable(d format.Descriptor, h *stats.Header, keyType *cql.Type, clustering []*cql.Type, tbl *cqlparse.Table) string {
	ks, name := d.Keyspace, d.Table
	if tbl != nil {
		if tbl.Keyspace != "" {
			ks = tbl.Keyspace
		}
		if tbl.Name != "" {
			name = tbl.Name
		}
	}
	if ks == "" {
		ks = "keyspace"
	}
	if name == "" {
		name = "table"
	}
	type col struct{ name, typ, suffix string }
	var cols []col
	var pk, ck []string
	keyParts := []*cql.Type{keyType}
	if keyType.Kind == cql.Composite {
		keyParts = keyType.Params
	}
	for i, kt := range keyParts {
		n := "key"
		if i > 0 {
			n = fmt.Sprintf("key%d", i)
		}
		if tbl != nil && len(tbl.PartitionKey) == len(keyParts) {
			n = tbl.PartitionKey[i].Name
		}
		cols = append(cols, col{cql.QuoteIdent(n), kt.CQL(), ""})
		pk = append(pk, cql.QuoteIdent(n))
	}
	var order []string
	for i, ct := range clustering {
		n := "clustering"
		if i > 0 {
			n = fmt.Sprintf("clustering%d", i)
		}
		if tbl != nil && len(tbl.Clustering) == len(clustering) {
			n = tbl.Clustering[i].Name
		}
		dir := "ASC"
		if ct.Reversed {
			dir = "DESC"
		}
		order = append(order, cql.QuoteIdent(n)+" "+dir)
		cols = append(cols, col{cql.QuoteIdent(n), ct.WithReversed(false).CQL(), ""})
		ck = append(ck, cql.QuoteIdent(n))
	}
	addCols := func(in []stats.Column, suffix string) {
		for _, c := range in {
			typ := c.Type
			if ct, err := cql.ParseMarshal(c.Type); err == nil {
				if tbl != nil {
					if sc := tbl.Column(string(c.Name)); sc != nil && !sc.Type.IsMultiCell() && ct.IsMultiCell() {
						ct = ct.Frozen()
					}
				}
				typ = ct.CQL()
			} else {
				typ = "'" + strings.ReplaceAll(c.Type, "'", "''") + "'"
			}
			cols = append(cols, col{cql.QuoteIdent(string(c.Name)), typ, suffix})
		}
	}
	addCols(h.StaticColumns, " static")
	addCols(h.RegularColumns, "")
	var sb strings.Builder
	fmt.Fprintf(&sb, "CREATE TABLE %s.%s (\n", cql.QuoteIdent(ks), cql.QuoteIdent(name))
	for _, c := range cols {
		fmt.Fprintf(&sb, "    %s %s%s,\n", c.name, c.typ, c.suffix)
	}
	key := strings.Join(pk, ", ")
	if len(pk) > 1 {
		key = "(" + key + ")"
	}
	fmt.Fprintf(&sb, "    PRIMARY KEY (%s)\n)", strings.Join(append([]string{key}, ck...), ", "))
	if len(order) > 0 {
		fmt.Fprintf(&sb, " WITH CLUSTERING ORDER BY (%s)", strings.Join(order, ", "))
	}
	sb.WriteByte(';')
	return sb.String()
}
