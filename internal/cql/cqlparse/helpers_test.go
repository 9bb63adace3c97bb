package cqlparse

import "github.com/aegisthus/aegisthus/internal/cql"

// testUDTs are the user types cqltest.Types names.
var testUDTs = func() map[string]*cql.Type {
	ut := &cql.Type{Kind: cql.UDT, Keyspace: "ks", Name: "ut", FieldNames: []string{"a", "b"}, Params: []*cql.Type{cql.TypeInt, cql.TypeInt}}
	mixed := &cql.Type{Kind: cql.UDT, Keyspace: "ks", Name: "Mixed", FieldNames: []string{"x", "Yy", "z"}, Params: []*cql.Type{cql.TypeInt, cql.TypeText, cql.TypeBoolean}}
	return map[string]*cql.Type{"ut": ut, "ks.ut": ut, "Mixed": mixed, "ks.Mixed": mixed}
}()
