package cqltest

import (
	"testing"

	"github.com/aegisthus/aegisthus/internal/cql"
)

// mp is the package of Cassandra's marshal classes.
const mp = "org.apache.cassandra.db.marshal."

// TypeCase pairs a CQL spelling with the marshal string Cassandra writes for it
// (AbstractType.toString / TypeParser.stringifyTypeParameters, CQL3Type.toString),
// and the value length (AbstractType.valueLengthIfFixed).
type TypeCase struct {
	CQL     string // input to cqlparse.Type
	Printed string // (*cql.Type).CQL(); "" means same as CQL
	Marshal string
	Fixed   int
	Multi   bool
}

// Types spells each kind of type both ways, for the tests of cql and cqlparse
// (the table, and fuzz seeds). The user types it names are ks.ut (a int, b int)
// and ks."Mixed" (x int, "Yy" text, z boolean).
var Types = []TypeCase{
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

// UDTs are the user types Types names, under their plain and their
// keyspace-qualified names.
var UDTs = func() map[string]*cql.Type {
	ut := &cql.Type{Kind: cql.UDT, Keyspace: "ks", Name: "ut", FieldNames: []string{"a", "b"}, Params: []*cql.Type{cql.TypeInt, cql.TypeInt}}
	mixed := &cql.Type{Kind: cql.UDT, Keyspace: "ks", Name: "Mixed", FieldNames: []string{"x", "Yy", "z"}, Params: []*cql.Type{cql.TypeInt, cql.TypeText, cql.TypeBoolean}}
	return map[string]*cql.Type{"ut": ut, "ks.ut": ut, "Mixed": mixed, "ks.Mixed": mixed}
}()

// Marshal parses a marshal type string or fails the test.
func Marshal(t testing.TB, s string) *cql.Type {
	t.Helper()
	ty, err := cql.ParseMarshal(s)
	if err != nil {
		t.Fatalf("ParseMarshal(%q): %v", s, err)
	}
	return ty
}
