package cql_test

import (
	"testing"

	"github.com/aegisthus/aegisthus/internal/cql"
	"github.com/aegisthus/aegisthus/internal/cql/cqlparse"
)

// TestInKeyspace: unqualified user types, nested anywhere, take the table's
// keyspace; qualified ones keep theirs; the original type is not changed.
func TestInKeyspace(t *testing.T) {
	s, err := cqlparse.Parse(`CREATE TYPE addr (street text);
		CREATE TYPE other.place (street text);
		CREATE TABLE t (k int PRIMARY KEY, a set<frozen<addr>>, b map<text, frozen<other.place>>, c int);`)
	if err != nil {
		t.Fatal(err)
	}
	tbl := s.Table("", "t")
	for _, c := range []struct {
		col, before, after string
	}{
		{"a", "set<frozen<addr>>", "set<frozen<shop.addr>>"},
		{"b", "map<text, frozen<other.place>>", "map<text, frozen<other.place>>"},
		{"c", "int", "int"},
	} {
		typ := tbl.Column(c.col).Type
		got := typ.InKeyspace("shop")
		if got.QualifiedCQL() != c.after || typ.QualifiedCQL() != c.before {
			t.Errorf("%s: %s → %s, want %s → %s", c.col, typ.QualifiedCQL(), got.QualifiedCQL(), c.before, c.after)
		}
		if got.CQL() != typ.CQL() {
			t.Errorf("%s: CQL() changed: %s / %s", c.col, got.CQL(), typ.CQL())
		}
	}
	var nilType *cql.Type
	if nilType.InKeyspace("x") != nil {
		t.Error("nil")
	}
}
