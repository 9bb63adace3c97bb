package cqljson

import (
	"encoding/json"
	"errors"
	"math/big"
	"testing"

	"github.com/aegisthus/aegisthus/internal/cql"
	"github.com/aegisthus/aegisthus/internal/cql/cqltest"
	"github.com/aegisthus/aegisthus/internal/rows"
	"github.com/aegisthus/aegisthus/internal/sstable/wire"
)

// fuzzTypes are the types FuzzAppendJSON draws from (by index).
var fuzzTypes = []string{
	"ascii", "bigint", "blob", "boolean", "counter", "date", "decimal", "double", "duration",
	"empty", "float", "inet", "int", "smallint", "text", "time", "timestamp", "timeuuid",
	"tinyint", "uuid", "varint",
	"frozen<list<int>>", "frozen<set<text>>", "frozen<map<int, text>>", "frozen<map<frozen<list<text>>, blob>>",
	"frozen<map<double, frozen<set<decimal>>>>", "tuple<int, text, frozen<list<duration>>>",
	"frozen<ut>", `frozen<"Mixed">`, "vector<float, 3>", "vector<text, 2>", "vector<varint, 2>",
	"frozen<map<timestamp, frozen<tuple<inet, date, time>>>>",
	"'org.apache.cassandra.db.marshal.CompositeType(org.apache.cassandra.db.marshal.Int32Type,org.apache.cassandra.db.marshal.UTF8Type)'",
	"'org.apache.cassandra.db.marshal.DynamicCompositeType(b=>org.apache.cassandra.db.marshal.BytesType,s=>org.apache.cassandra.db.marshal.UTF8Type)'",
	"'org.apache.cassandra.db.marshal.LexicalUUIDType'", "'org.apache.cassandra.db.marshal.DateType'",
}

// go test -run='^$' -fuzz=^FuzzAppendJSON$ -fuzztime=30s ./internal/cql
func FuzzAppendJSON(f *testing.F) {
	types := make([]*cql.Type, len(fuzzTypes))
	for i, s := range fuzzTypes {
		types[i] = mustCQL(f, s, cqltest.UDTs)
	}
	for _, c := range valueCases {
		for i, s := range fuzzTypes {
			if s == c.typ {
				f.Add(uint8(i), c.v)
			}
		}
	}
	for i := range fuzzTypes {
		f.Add(uint8(i), []byte{})
		f.Add(uint8(i), cqltest.Coll(cqltest.I32(1), []byte("x")))
	}
	f.Fuzz(func(t *testing.T, which uint8, v []byte) {
		ty := types[int(which)%len(types)]
		out, err := Append([]byte("["), ty, v)
		if err == nil {
			out = append(out, ']')
			if !json.Valid(out) {
				t.Fatalf("%s %x: invalid JSON %q", ty.CQL(), v, out)
			}
			differential(t, ty, v, out[1:len(out)-1])
		} else if !errors.Is(err, wire.ErrCorrupt) && !errors.Is(err, wire.ErrUnsupported) {
			t.Fatalf("%s %x: error %v is neither ErrCorrupt nor ErrUnsupported", ty.CQL(), v, err)
		}
		verr := ty.Validate(v)
		if verr == nil && err != nil && len(v) > 0 {
			t.Fatalf("%s %x: Validate accepts what AppendJSON rejects: %v", ty.CQL(), v, err)
		}
		if _, err := AppendString(nil, ty, v); err == nil && verr == nil && ty.Kind == cql.Text {
			// getString of text is the text itself.
		}
		if c := ty.Compare(v, v); c != 0 {
			t.Fatalf("%s %x: Compare(v, v) = %d", ty.CQL(), v, c)
		}
		half := v[:len(v)/2]
		if x, y := ty.Compare(v, half), ty.Compare(half, v); x != -y {
			t.Fatalf("%s: Compare not antisymmetric: %d, %d", ty.CQL(), x, y)
		}
		// Multi-cell rendering over cells cut from v.
		if mc := ty.WithMultiCell(true); mc.MultiCell {
			cells := []rows.Cell{{Path: half, Value: v[len(v)/2:]}}
			if o, err := appendMultiCell(nil, mc, cells); err == nil && !json.Valid(o) {
				t.Fatalf("%s: invalid multi-cell JSON %q", mc.CQL(), o)
			}
		}
	})
}

// differential checks AppendJSON's output against encoding/json's reading of it
// where Go has its own decoder for the value.
func differential(t *testing.T, ty *cql.Type, v, out []byte) {
	if len(v) == 0 {
		want := `""`
		if ty.Kind == cql.Blob {
			want = `"0x"`
		}
		if string(out) != want {
			t.Fatalf("%s: empty value rendered %s", ty.CQL(), out)
		}
		return
	}
	switch ty.Kind {
	case cql.Text, cql.Ascii:
		var s string
		if err := json.Unmarshal(out, &s); err != nil || s != string(v) {
			t.Fatalf("%s %q: encoding/json reads %s as %q (%v)", ty.CQL(), v, out, s, err)
		}
	case cql.Int, cql.Bigint, cql.Smallint, cql.Tinyint, cql.Counter, cql.Varint:
		var n json.Number
		if err := json.Unmarshal(out, &n); err != nil {
			t.Fatalf("%s %x: %s: %v", ty.CQL(), v, out, err)
		}
		want := bigFromTwos(v)
		got, ok := new(big.Int).SetString(n.String(), 10)
		if !ok || got.Cmp(want) != 0 {
			t.Fatalf("%s %x: rendered %s, want %s", ty.CQL(), v, out, want)
		}
	case cql.List, cql.Set:
		var xs []json.RawMessage
		if err := json.Unmarshal(out, &xs); err != nil {
			t.Fatalf("%s %x: %s: %v", ty.CQL(), v, out, err)
		}
	case cql.Map, cql.UDT:
		var m map[string]json.RawMessage
		if err := json.Unmarshal(out, &m); err != nil {
			t.Fatalf("%s %x: %s: %v", ty.CQL(), v, out, err)
		}
	}
}

// bigFromTwos reads v as Java's BigInteger(byte[]) does: the reference the
// differential check holds integers to.
func bigFromTwos(v []byte) *big.Int {
	b := new(big.Int).SetBytes(v)
	if len(v) > 0 && v[0]&0x80 != 0 {
		b.Sub(b, new(big.Int).Lsh(big.NewInt(1), uint(8*len(v))))
	}
	return b
}
