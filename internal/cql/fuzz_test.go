package cql_test

import (
	"errors"
	"testing"

	"github.com/aegisthus/aegisthus/internal/cql"
	"github.com/aegisthus/aegisthus/internal/cql/cqltest"
	"github.com/aegisthus/aegisthus/internal/sstable/wire"
)

// go test -run='^$' -fuzz=^FuzzParseMarshal$ -fuzztime=30s ./internal/cql
func FuzzParseMarshal(f *testing.F) {
	for _, c := range cqltest.Types {
		f.Add(c.Marshal)
	}
	for _, s := range []string{
		"ReversedType(Int32Type)", "Int32Type(reversed=true)", "DynamicCompositeType(b=>BytesType)",
		"ColumnToCollectionType(6c:ListType(Int32Type))", "PartitionerDefinedOrder(org.apache.cassandra.dht.Murmur3Partitioner:Int32Type)",
		"UserType(ks,61,6263:MapType(UTF8Type,UserType(ks,62)))", "CompositeType", "VectorType(VectorType(FloatType , 2) , 3)",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ty, err := cql.ParseMarshal(s)
		if err != nil {
			if !errors.Is(err, wire.ErrCorrupt) {
				t.Fatalf("ParseMarshal(%q): error %v does not wrap ErrCorrupt", s, err)
			}
			return
		}
		m := ty.Marshal()
		again, err := cql.ParseMarshal(m)
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
