package cql

import (
	"encoding/json"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

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
	types := make([]*Type, len(fuzzTypes))
	for i, s := range fuzzTypes {
		types[i] = mustCQL(f, s, testUDTs)
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
		f.Add(uint8(i), coll(i32(1), []byte("x")))
	}
	f.Fuzz(func(t *testing.T, which uint8, v []byte) {
		ty := types[int(which)%len(types)]
		out, err := ty.AppendJSON([]byte("["), v)
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
		if _, err := ty.AppendString(nil, v); err == nil && verr == nil && ty.Kind == Text {
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
			paths, values := [][]byte{half}, [][]byte{v[len(v)/2:]}
			if o, err := mc.AppendMultiCellJSON(nil, paths, values); err == nil && !json.Valid(o) {
				t.Fatalf("%s: invalid multi-cell JSON %q", mc.CQL(), o)
			}
		}
	})
}

// differential checks AppendJSON's output against encoding/json's reading of it
// where Go has its own decoder for the value.
func differential(t *testing.T, ty *Type, v, out []byte) {
	if len(v) == 0 {
		want := `""`
		if ty.Kind == Blob {
			want = `"0x"`
		}
		if string(out) != want {
			t.Fatalf("%s: empty value rendered %s", ty.CQL(), out)
		}
		return
	}
	switch ty.Kind {
	case Text, Ascii:
		var s string
		if err := json.Unmarshal(out, &s); err != nil || s != string(v) {
			t.Fatalf("%s %q: encoding/json reads %s as %q (%v)", ty.CQL(), v, out, s, err)
		}
	case Int, Bigint, Smallint, Tinyint, Counter, Varint:
		var n json.Number
		if err := json.Unmarshal(out, &n); err != nil {
			t.Fatalf("%s %x: %s: %v", ty.CQL(), v, out, err)
		}
		want := bigFromTwos(v)
		got, ok := new(big.Int).SetString(n.String(), 10)
		if !ok || got.Cmp(want) != 0 {
			t.Fatalf("%s %x: rendered %s, want %s", ty.CQL(), v, out, want)
		}
	case List, Set:
		var xs []json.RawMessage
		if err := json.Unmarshal(out, &xs); err != nil {
			t.Fatalf("%s %x: %s: %v", ty.CQL(), v, out, err)
		}
	case Map, UDT:
		var m map[string]json.RawMessage
		if err := json.Unmarshal(out, &m); err != nil {
			t.Fatalf("%s %x: %s: %v", ty.CQL(), v, out, err)
		}
	}
}

// go test -run='^$' -fuzz=^FuzzParseMarshal$ -fuzztime=30s ./internal/cql
func FuzzParseMarshal(f *testing.F) {
	for _, c := range typeCases {
		f.Add(c.marshal)
	}
	for _, s := range []string{
		"ReversedType(Int32Type)", "Int32Type(reversed=true)", "DynamicCompositeType(b=>BytesType)",
		"ColumnToCollectionType(6c:ListType(Int32Type))", "PartitionerDefinedOrder(org.apache.cassandra.dht.Murmur3Partitioner:Int32Type)",
		"UserType(ks,61,6263:MapType(UTF8Type,UserType(ks,62)))", "CompositeType", "VectorType(VectorType(FloatType , 2) , 3)",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ty, err := ParseMarshal(s)
		if err != nil {
			if !errors.Is(err, wire.ErrCorrupt) {
				t.Fatalf("ParseMarshal(%q): error %v does not wrap ErrCorrupt", s, err)
			}
			return
		}
		m := ty.Marshal()
		again, err := ParseMarshal(m)
		if err != nil {
			t.Fatalf("ParseMarshal(%q).Marshal() = %q does not parse: %v", s, m, err)
		}
		if !again.Equal(ty) {
			t.Fatalf("ParseMarshal(%q): %q does not round-trip", s, m)
		}
		_ = ty.CQL()
		_ = ty.ValueLengthIfFixed()
	})
}

// go test -run='^$' -fuzz=^FuzzParseCQL$ -fuzztime=30s ./internal/cql
func FuzzParseCQL(f *testing.F) {
	for _, c := range typeCases {
		f.Add(c.cql)
	}
	f.Add(`map<"Mixed", frozen<tuple<int, vector<float, 4>>>>`)
	f.Fuzz(func(t *testing.T, s string) {
		ty, err := ParseCQL(s, testUDTs)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("ParseCQL(%q): error %v is not a *SyntaxError", s, err)
			}
			return
		}
		if !utf8.ValidString(ty.CQL()) {
			t.Fatalf("ParseCQL(%q).CQL() is not UTF-8", s)
		}
		if strings.Contains(ty.Marshal(), "DateType") {
			return // prints as timestamp
		}
		again, err := ParseCQL(ty.CQL(), testUDTs)
		if err != nil || !again.Equal(ty) {
			t.Fatalf("ParseCQL(%q).CQL() = %q does not round-trip: %v", s, ty.CQL(), err)
		}
		if m, err := ParseMarshal(ty.Marshal()); err != nil || !m.Equal(ty) {
			t.Fatalf("ParseCQL(%q).Marshal() = %q does not round-trip: %v", s, ty.Marshal(), err)
		}
	})
}

// go test -run='^$' -fuzz=^FuzzParseSchema$ -fuzztime=30s ./internal/cql
func FuzzParseSchema(f *testing.F) {
	f.Add(snapshotSchema)
	f.Add("CREATE TABLE t (k int PRIMARY KEY, v text) WITH COMPACT STORAGE;")
	if root, err := os.Getwd(); err == nil {
		pattern := filepath.Join(root, "..", "..", "..", "shared", "corpus", "expected", "scylla", "3.x", "uncompressed", "*.expected.json")
		files, _ := filepath.Glob(pattern)
		for _, p := range files {
			if st, err := os.Stat(p); err != nil || st.Size() > 1<<16 {
				continue
			}
			b, err := os.ReadFile(p)
			if err != nil {
				continue
			}
			var e struct {
				Schema string `json:"schema"`
			}
			if json.Unmarshal(b, &e) == nil && e.Schema != "" {
				f.Add(e.Schema)
			}
		}
	}
	f.Fuzz(func(t *testing.T, src string) {
		s, err := ParseSchema(src)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("error %v is not a *SyntaxError", err)
			}
			return
		}
		for _, tb := range s.Tables {
			if len(tb.PartitionKey) == 0 {
				t.Fatalf("table %s without partition key", tb.Name)
			}
			n := len(tb.PartitionKey) + len(tb.Clustering) + len(tb.Static) + len(tb.Regular)
			if n != len(tb.Columns) || len(tb.SelectOrder()) != n {
				t.Fatalf("table %s: column groups do not add up", tb.Name)
			}
			for _, c := range tb.Columns {
				_ = c.Type.CQL()
			}
		}
	})
}
