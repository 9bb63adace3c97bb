package cql_test

import (
	"testing"

	"github.com/aegisthus/aegisthus/internal/cql"
	"github.com/aegisthus/aegisthus/internal/cql/cqlparse"
)

func mustMarshal(t testing.TB, s string) *cql.Type {
	t.Helper()
	ty, err := cql.ParseMarshal(s)
	if err != nil {
		t.Fatalf("ParseMarshal(%q): %v", s, err)
	}
	return ty
}

func mustCQL(t testing.TB, s string, udts map[string]*cql.Type) *cql.Type {
	t.Helper()
	ty, err := cqlparse.Type(s, udts)
	if err != nil {
		t.Fatalf("cqlparse.Type(%q): %v", s, err)
	}
	return ty
}

// testUDTs are the user types cqltest.Types names.
var testUDTs = func() map[string]*cql.Type {
	ut := &cql.Type{Kind: cql.UDT, Keyspace: "ks", Name: "ut", FieldNames: []string{"a", "b"}, Params: []*cql.Type{cql.TypeInt, cql.TypeInt}}
	mixed := &cql.Type{Kind: cql.UDT, Keyspace: "ks", Name: "Mixed", FieldNames: []string{"x", "Yy", "z"}, Params: []*cql.Type{cql.TypeInt, cql.TypeText, cql.TypeBoolean}}
	return map[string]*cql.Type{"ut": ut, "ks.ut": ut, "Mixed": mixed, "ks.Mixed": mixed}
}()

// nanosPerDay bounds a TimeType value (nanoseconds since midnight).
const nanosPerDay = 86400 * 1000 * 1000 * 1000
