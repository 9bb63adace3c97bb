package cql_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/aegisthus/aegisthus/internal/cql"
	"github.com/aegisthus/aegisthus/internal/cql/cqltest"
	"github.com/aegisthus/aegisthus/internal/sstable/wire"
)

const mp = "org.apache.cassandra.db.marshal."

func TestTypeTable(t *testing.T) {
	for _, c := range cqltest.Types {
		ty := mustCQL(t, c.CQL, cqltest.UDTs)
		want := c.Printed
		if want == "" {
			want = c.CQL
		}
		if got := ty.CQL(); got != want {
			t.Errorf("cqlparse.Type(%q).CQL() = %q, want %q", c.CQL, got, want)
		}
		if got := ty.Marshal(); got != c.Marshal {
			t.Errorf("cqlparse.Type(%q).Marshal() =\n  %s\nwant\n  %s", c.CQL, got, c.Marshal)
		}
		if got := ty.ValueLengthIfFixed(); got != c.Fixed {
			t.Errorf("%s: ValueLengthIfFixed = %d, want %d", c.CQL, got, c.Fixed)
		}
		if got := ty.IsMultiCell(); got != c.Multi {
			t.Errorf("%s: IsMultiCell = %v, want %v", c.CQL, got, c.Multi)
		}
		// Round trips: marshal string → type → marshal string, and CQL → CQL.
		m := cqltest.Marshal(t, c.Marshal)
		if !m.Equal(ty) {
			t.Errorf("ParseMarshal(%q) = %#v, want %#v", c.Marshal, m, ty)
		}
		if got := m.Marshal(); got != c.Marshal {
			t.Errorf("ParseMarshal(%q).Marshal() = %q", c.Marshal, got)
		}
		if again := mustCQL(t, ty.CQL(), cqltest.UDTs); !again.Equal(ty) && ty.Kind != cql.LegacyTimestamp {
			t.Errorf("cqlparse.Type(%q) does not round-trip through CQL() %q", c.CQL, ty.CQL())
		}
		// Reversed: same value length and CQL, marshal wrapped in ReversedType.
		r := ty.WithReversed(true)
		if r.ValueLengthIfFixed() != c.Fixed || r.CQL() != want {
			t.Errorf("%s reversed: %d %q", c.CQL, r.ValueLengthIfFixed(), r.CQL())
		}
		if got := r.Marshal(); got != mp+"ReversedType("+c.Marshal+")" {
			t.Errorf("%s reversed: Marshal = %q", c.CQL, got)
		}
		if rr := cqltest.Marshal(t, r.Marshal()); !rr.Equal(r) {
			t.Errorf("%s reversed: does not round-trip", c.CQL)
		}
	}
}

func TestParseMarshal(t *testing.T) {
	cases := []struct {
		in, cql string
	}{
		// Short names resolve in the marshal package; blanks are allowed.
		{"Int32Type", "int"},
		{" MapType( Int32Type , UTF8Type ) ", "map<int, text>"},
		{"FrozenType(ListType(Int32Type))", "frozen<list<int>>"},
		// UDTs nested without FrozenType (ScyllaDB/Cassandra 3.0 headers) are frozen.
		{"MapType(Int32Type,UserType(ks,7574,61:Int32Type,62:Int32Type))", "map<int, frozen<ut>>"},
		{"ListType(ListType(Int32Type))", "list<frozen<list<int>>>"},
		// A tuple with a FrozenType wrapper is accepted.
		{"FrozenType(TupleType(Int32Type))", "frozen<tuple<int>>"},
		{"Int32Type(reversed=true)", "int"},
		{"DynamicCompositeType(b=>BytesType,s=>UTF8Type)", "'" + mp + "DynamicCompositeType(b=>" + mp + "BytesType,s=>" + mp + "UTF8Type)'"},
		{"ColumnToCollectionType(6c:ListType(Int32Type))", "'" + mp + "ColumnToCollectionType(6c:" + mp + "ListType(" + mp + "Int32Type))'"},
		{"PartitionerDefinedOrder(org.apache.cassandra.dht.Murmur3Partitioner)", "'" + mp + "PartitionerDefinedOrder(org.apache.cassandra.dht.Murmur3Partitioner)'"},
		{"CompositeType(Int32Type,UTF8Type)", "'" + mp + "CompositeType(" + mp + "Int32Type," + mp + "UTF8Type)'"},
	}
	for _, c := range cases {
		ty := cqltest.Marshal(t, c.in)
		if got := ty.CQL(); got != c.cql {
			t.Errorf("ParseMarshal(%q).CQL() = %q, want %q", c.in, got, c.cql)
		}
		if again := cqltest.Marshal(t, ty.Marshal()); !again.Equal(ty) {
			t.Errorf("%q: Marshal %q does not round-trip", c.in, ty.Marshal())
		}
	}
	if ty := cqltest.Marshal(t, "ReversedType(TimestampType)"); !ty.Reversed || ty.Kind != cql.Timestamp {
		t.Errorf("ReversedType: %+v", ty)
	}
	u := cqltest.Marshal(t, "UserType(ks,61646472,737472656574:UTF8Type,7a6970:Int32Type)")
	if u.Keyspace != "ks" || u.Name != "addr" || strings.Join(u.FieldNames, ",") != "street,zip" || !u.MultiCell {
		t.Errorf("UserType: %+v", u)
	}
	for _, bad := range []string{
		"", "(", "ListType", "ListType(", "ListType(Int32Type", "MapType(Int32Type)",
		"ListType(Int32Type,Int32Type)", "VectorType(FloatType)", "VectorType(FloatType , 0)",
		"VectorType(FloatType , x)", "UserType(ks,zz,61:Int32Type)", "UserType(ks,61,6g:Int32Type)",
		"UserType(ks,61,61 Int32Type)", "Int32Type)", "ReversedType(Int32Type,Int32Type)",
		"DynamicCompositeType(bb=>BytesType)", "DynamicCompositeType(b=BytesType)",
		strings.Repeat("ListType(", 100) + "Int32Type" + strings.Repeat(")", 100),
	} {
		if _, err := cql.ParseMarshal(bad); !errors.Is(err, wire.ErrCorrupt) {
			t.Errorf("ParseMarshal(%q) error = %v, want ErrCorrupt", bad, err)
		}
	}
}

func TestPathAndCellTypes(t *testing.T) {
	cases := []struct {
		typ        string
		path, cell cql.Kind
	}{
		{"list<text>", cql.Timeuuid, cql.Text},
		{"set<int>", cql.Int, cql.Empty},
		{"map<int, blob>", cql.Int, cql.Blob},
		{"ut", cql.Smallint, cql.UDT},
	}
	for _, c := range cases {
		ty := mustCQL(t, c.typ, cqltest.UDTs)
		if k := ty.PathType().Kind; k != c.path {
			t.Errorf("%s: PathType = %v, want %v", c.typ, k, c.path)
		}
		if k := ty.CellValueType().Kind; k != c.cell {
			t.Errorf("%s: CellValueType = %v, want %v", c.typ, k, c.cell)
		}
	}
	ut := mustCQL(t, "ut", cqltest.UDTs)
	if ut.FieldType(1) != cql.TypeInt || ut.FieldType(2) != nil {
		t.Errorf("FieldType")
	}
	if i, err := cql.FieldIndex([]byte{0, 1}); i != 1 || err != nil {
		t.Errorf("FieldIndex = %d, %v", i, err)
	}
}

func TestQuoteIdent(t *testing.T) {
	for in, want := range map[string]string{
		"pk": "pk", "my_col2": "my_col2", "MyCol": `"MyCol"`, "select": `"select"`,
		"2col": `"2col"`, `a"b`: `"a""b"`, "": `""`,
	} {
		if got := cql.QuoteIdent(in); got != want {
			t.Errorf("QuoteIdent(%q) = %s, want %s", in, got, want)
		}
	}
}

// TestParseMarshalGarbled: a name in Cassandra's marshal package (or bare) that
// is none of its classes is corrupt, and so is one of its classes in another
// package (the package name garbled); only another class of another package
// is a custom type, whose values print as blobs.
func TestParseMarshalGarbled(t *testing.T) {
	for _, s := range []string{"org.apache.cassandra.db.marshal.Int32Typf", "Int32Typf",
		"org.apache.cassandra.db.marshal.MapType(org.apache.cassandra.db.marshal.UTF8Type,org.apache.cassandra.db.marshal.UTF9Type)",
		"org.apashe.cassandra.db.marshal.Int32Type", "org.apache.cassandra.db.marshaL.ReversedType(org.apache.cassandra.db.marshal.Int32Type)",
		"org.apache.cassandra.db.marshal.ListType(org.apache.cassandra.db.marsh`l.UTF8Type)"} {
		if _, err := cql.ParseMarshal(s); !errors.Is(err, wire.ErrCorrupt) {
			t.Errorf("%s: %v, want a corrupt error", s, err)
		}
	}
	if ty, err := cql.ParseMarshal("com.example.GeoType"); err != nil || ty.Kind != cql.Custom {
		t.Errorf("custom type: %v, %v", ty, err)
	}
}
