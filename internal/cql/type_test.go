package cql

import (
	"errors"
	"strings"
	"testing"

	"github.com/aegisthus/aegisthus/internal/sstable/wire"
)

const mp = "org.apache.cassandra.db.marshal."

// typeCases pair a CQL spelling with the marshal string Cassandra writes for it
// (AbstractType.toString / TypeParser.stringifyTypeParameters, CQL3Type.toString),
// and the value length (AbstractType.valueLengthIfFixed).
var typeCases = []struct {
	cql     string // input to ParseCQL
	printed string // CQL(); "" means same as cql
	marshal string
	fixed   int
	multi   bool
}{
	{"ascii", "", mp + "AsciiType", -1, false},
	{"bigint", "", mp + "LongType", 8, false},
	{"blob", "", mp + "BytesType", -1, false},
	{"boolean", "", mp + "BooleanType", 1, false},
	{"counter", "", mp + "CounterColumnType", -1, false},
	{"date", "", mp + "SimpleDateType", -1, false},
	{"decimal", "", mp + "DecimalType", -1, false},
	{"double", "", mp + "DoubleType", 8, false},
	{"duration", "", mp + "DurationType", -1, false},
	{"empty", "", mp + "EmptyType", 0, false},
	{"float", "", mp + "FloatType", 4, false},
	{"inet", "", mp + "InetAddressType", -1, false},
	{"int", "", mp + "Int32Type", 4, false},
	{"smallint", "", mp + "ShortType", -1, false},
	{"text", "", mp + "UTF8Type", -1, false},
	{"VARCHAR", "text", mp + "UTF8Type", -1, false},
	{"time", "", mp + "TimeType", -1, false},
	{"timestamp", "", mp + "TimestampType", 8, false},
	{"timeuuid", "", mp + "TimeUUIDType", 16, false},
	{"tinyint", "", mp + "ByteType", -1, false},
	{"uuid", "", mp + "UUIDType", 16, false},
	{"varint", "", mp + "IntegerType", -1, false},
	{"list<text>", "", mp + "ListType(" + mp + "UTF8Type)", -1, true},
	{"set<int>", "", mp + "SetType(" + mp + "Int32Type)", -1, true},
	{"map<int, text>", "", mp + "MapType(" + mp + "Int32Type," + mp + "UTF8Type)", -1, true},
	{"frozen<map<int, frozen<list<text>>>>", "", mp + "FrozenType(" + mp + "MapType(" + mp + "Int32Type," + mp + "ListType(" + mp + "UTF8Type)))", -1, false},
	{"map<int, frozen<list<text>>>", "", mp + "MapType(" + mp + "Int32Type," + mp + "FrozenType(" + mp + "ListType(" + mp + "UTF8Type)))", -1, true},
	{"map<int, list<text>>", "map<int, frozen<list<text>>>", mp + "MapType(" + mp + "Int32Type," + mp + "FrozenType(" + mp + "ListType(" + mp + "UTF8Type)))", -1, true},
	{"set<frozen<ut>>", "", mp + "SetType(" + mp + "FrozenType(" + mp + "UserType(ks,7574,61:" + mp + "Int32Type,62:" + mp + "Int32Type)))", -1, true},
	{"frozen<ut>", "", mp + "FrozenType(" + mp + "UserType(ks,7574,61:" + mp + "Int32Type,62:" + mp + "Int32Type))", -1, false},
	{"ut", "", mp + "UserType(ks,7574,61:" + mp + "Int32Type,62:" + mp + "Int32Type)", -1, true},
	{`"Mixed"`, "", mp + "UserType(ks,4d69786564,78:" + mp + "Int32Type,5979:" + mp + "UTF8Type,7a:" + mp + "BooleanType)", -1, true},
	{"tuple<int, text>", "frozen<tuple<int, text>>", mp + "TupleType(" + mp + "Int32Type," + mp + "UTF8Type)", -1, false},
	{"frozen<tuple<int, frozen<list<int>>>>", "", mp + "TupleType(" + mp + "Int32Type," + mp + "ListType(" + mp + "Int32Type))", -1, false},
	{"vector<float, 3>", "", mp + "VectorType(" + mp + "FloatType , 3)", 12, false},
	{"vector<text, 2>", "", mp + "VectorType(" + mp + "UTF8Type , 2)", -1, false},
	{"vector<frozen<list<int>>, 2>", "", mp + "VectorType(" + mp + "FrozenType(" + mp + "ListType(" + mp + "Int32Type)) , 2)", -1, false},
	{"'org.apache.cassandra.db.marshal.LexicalUUIDType'", "", mp + "LexicalUUIDType", 16, false},
	{"'org.apache.cassandra.db.marshal.DateType'", "timestamp", mp + "DateType", 8, false},
	{"'com.example.GeoType'", "", "com.example.GeoType", -1, false},
}

func TestTypeTable(t *testing.T) {
	for _, c := range typeCases {
		ty := mustCQL(t, c.cql, testUDTs)
		want := c.printed
		if want == "" {
			want = c.cql
		}
		if got := ty.CQL(); got != want {
			t.Errorf("ParseCQL(%q).CQL() = %q, want %q", c.cql, got, want)
		}
		if got := ty.Marshal(); got != c.marshal {
			t.Errorf("ParseCQL(%q).Marshal() =\n  %s\nwant\n  %s", c.cql, got, c.marshal)
		}
		if got := ty.ValueLengthIfFixed(); got != c.fixed {
			t.Errorf("%s: ValueLengthIfFixed = %d, want %d", c.cql, got, c.fixed)
		}
		if got := ty.IsMultiCell(); got != c.multi {
			t.Errorf("%s: IsMultiCell = %v, want %v", c.cql, got, c.multi)
		}
		// Round trips: marshal string → type → marshal string, and CQL → CQL.
		m := mustMarshal(t, c.marshal)
		if !m.Equal(ty) {
			t.Errorf("ParseMarshal(%q) = %#v, want %#v", c.marshal, m, ty)
		}
		if got := m.Marshal(); got != c.marshal {
			t.Errorf("ParseMarshal(%q).Marshal() = %q", c.marshal, got)
		}
		if again := mustCQL(t, ty.CQL(), testUDTs); !again.Equal(ty) && ty.Kind != LegacyTimestamp {
			t.Errorf("ParseCQL(%q) does not round-trip through CQL() %q", c.cql, ty.CQL())
		}
		// Reversed: same value length and CQL, marshal wrapped in ReversedType.
		r := ty.WithReversed(true)
		if r.ValueLengthIfFixed() != c.fixed || r.CQL() != want {
			t.Errorf("%s reversed: %d %q", c.cql, r.ValueLengthIfFixed(), r.CQL())
		}
		if got := r.Marshal(); got != mp+"ReversedType("+c.marshal+")" {
			t.Errorf("%s reversed: Marshal = %q", c.cql, got)
		}
		if rr := mustMarshal(t, r.Marshal()); !rr.Equal(r) {
			t.Errorf("%s reversed: does not round-trip", c.cql)
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
		ty := mustMarshal(t, c.in)
		if got := ty.CQL(); got != c.cql {
			t.Errorf("ParseMarshal(%q).CQL() = %q, want %q", c.in, got, c.cql)
		}
		if again := mustMarshal(t, ty.Marshal()); !again.Equal(ty) {
			t.Errorf("%q: Marshal %q does not round-trip", c.in, ty.Marshal())
		}
	}
	if ty := mustMarshal(t, "ReversedType(TimestampType)"); !ty.Reversed || ty.Kind != Timestamp {
		t.Errorf("ReversedType: %+v", ty)
	}
	u := mustMarshal(t, "UserType(ks,61646472,737472656574:UTF8Type,7a6970:Int32Type)")
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
		if _, err := ParseMarshal(bad); !errors.Is(err, wire.ErrCorrupt) {
			t.Errorf("ParseMarshal(%q) error = %v, want ErrCorrupt", bad, err)
		}
	}
}

func TestParseCQLErrors(t *testing.T) {
	for _, bad := range []string{
		"", "list<", "list<int", "map<int>", "map<int, text, int>", "vector<float>", "vector<float, 0>",
		"vector<float, -1>", "frozen<int", "nosuchtype", "ks.nosuch", "int int", "'NoSuch('",
		"list<int>>", strings.Repeat("frozen<", 100) + "int" + strings.Repeat(">", 100),
	} {
		_, err := ParseCQL(bad, testUDTs)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("ParseCQL(%q) error = %v, want *SyntaxError", bad, err)
		}
	}
	_, err := ParseCQL("list<\n  nosuch>", nil)
	if err == nil || !strings.HasPrefix(err.Error(), "line 2:3:") {
		t.Errorf("error %v does not name line 2:3", err)
	}
}

func TestPathAndCellTypes(t *testing.T) {
	cases := []struct {
		typ        string
		path, cell Kind
	}{
		{"list<text>", Timeuuid, Text},
		{"set<int>", Int, Empty},
		{"map<int, blob>", Int, Blob},
		{"ut", Smallint, UDT},
	}
	for _, c := range cases {
		ty := mustCQL(t, c.typ, testUDTs)
		if k := ty.PathType().Kind; k != c.path {
			t.Errorf("%s: PathType = %v, want %v", c.typ, k, c.path)
		}
		if k := ty.CellValueType().Kind; k != c.cell {
			t.Errorf("%s: CellValueType = %v, want %v", c.typ, k, c.cell)
		}
	}
	ut := mustCQL(t, "ut", testUDTs)
	if ut.FieldType(1) != TypeInt || ut.FieldType(2) != nil {
		t.Errorf("FieldType")
	}
	if i, err := FieldIndex([]byte{0, 1}); i != 1 || err != nil {
		t.Errorf("FieldIndex = %d, %v", i, err)
	}
}

func TestQuoteIdent(t *testing.T) {
	for in, want := range map[string]string{
		"pk": "pk", "my_col2": "my_col2", "MyCol": `"MyCol"`, "select": `"select"`,
		"2col": `"2col"`, `a"b`: `"a""b"`, "": `""`,
	} {
		if got := QuoteIdent(in); got != want {
			t.Errorf("QuoteIdent(%q) = %s, want %s", in, got, want)
		}
	}
}
