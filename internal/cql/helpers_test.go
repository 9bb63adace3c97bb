package cql_test

import (
	"testing"

	"github.com/aegisthus/aegisthus/internal/cql"
	"github.com/aegisthus/aegisthus/internal/cql/cqlparse"
)

func mustCQL(t testing.TB, s string, udts map[string]*cql.Type) *cql.Type {
	t.Helper()
	ty, err := cqlparse.Type(s, udts)
	if err != nil {
		t.Fatalf("cqlparse.Type(%q): %v", s, err)
	}
	return ty
}

// nanosPerDay bounds a TimeType value (nanoseconds since midnight).
const nanosPerDay = 86400 * 1000 * 1000 * 1000
