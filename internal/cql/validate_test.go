package cql_test

import (
	"errors"
	"testing"

	"github.com/aegisthus/aegisthus/internal/cql/cqltest"
	"github.com/aegisthus/aegisthus/internal/sstable/wire"
)

func TestValidate(t *testing.T) {
	ok := []struct {
		typ string
		v   []byte
	}{
		{"int", nil}, {"uuid", nil}, {"timeuuid", cqltest.Hex("50554d6e29bb11e5b345feff819cdc9f")},
		{"inet", nil}, {"decimal", nil}, {"varint", nil}, {"blob", nil}, {"text", nil},
		{"frozen<set<text>>", cqltest.Coll([]byte("a"))}, {"tuple<int, int>", cqltest.Tuple(cqltest.I32(1))},
	}
	for _, c := range ok {
		if err := mustCQL(t, c.typ, cqltest.UDTs).Validate(c.v); err != nil {
			t.Errorf("%s %x: Validate: %v", c.typ, c.v, err)
		}
	}
	bad := []struct {
		typ string
		v   []byte
	}{
		{"timeuuid", cqltest.Hex("0123456701230123012301234567 89ab")}, // version 0
		{"smallint", nil}, {"tinyint", nil}, {"date", nil}, {"time", nil},
		{"frozen<list<int>>", cqltest.Coll(nil)},
		{"frozen<list<int>>", cqltest.Coll(cqltest.Hex("01"))},
		{"empty", cqltest.Hex("00")},
	}
	for _, c := range bad {
		if err := mustCQL(t, c.typ, cqltest.UDTs).Validate(c.v); !errors.Is(err, wire.ErrCorrupt) {
			t.Errorf("%s %x: Validate = %v, want ErrCorrupt", c.typ, c.v, err)
		}
	}
}
