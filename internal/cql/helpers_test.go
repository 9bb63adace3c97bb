package cql

import "testing"

func mustMarshal(t testing.TB, s string) *Type {
	t.Helper()
	ty, err := ParseMarshal(s)
	if err != nil {
		t.Fatalf("ParseMarshal(%q): %v", s, err)
	}
	return ty
}

func mustCQL(t testing.TB, s string, udts map[string]*Type) *Type {
	t.Helper()
	ty, err := ParseCQL(s, udts)
	if err != nil {
		t.Fatalf("ParseCQL(%q): %v", s, err)
	}
	return ty
}

var testUDTs = func() map[string]*Type {
	ut := &Type{Kind: UDT, Keyspace: "ks", Name: "ut", FieldNames: []string{"a", "b"}, Params: []*Type{TypeInt, TypeInt}}
	mixed := &Type{Kind: UDT, Keyspace: "ks", Name: "Mixed", FieldNames: []string{"x", "Yy", "z"}, Params: []*Type{TypeInt, TypeText, TypeBoolean}}
	return map[string]*Type{"ut": ut, "ks.ut": ut, "Mixed": mixed, "ks.Mixed": mixed}
}()
