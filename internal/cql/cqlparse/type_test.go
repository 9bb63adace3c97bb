package cqlparse

import (
	"errors"
	"strings"
	"testing"

	"github.com/aegisthus/aegisthus/internal/cql/cqltest"
)

func TestParseCQLErrors(t *testing.T) {
	for _, bad := range []string{
		"", "list<", "list<int", "map<int>", "map<int, text, int>", "vector<float>", "vector<float, 0>",
		"vector<float, -1>", "frozen<int", "nosuchtype", "ks.nosuch", "int int", "'NoSuch('",
		"list<int>>", strings.Repeat("frozen<", 100) + "int" + strings.Repeat(">", 100),
	} {
		_, err := Type(bad, cqltest.UDTs)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("Type(%q) error = %v, want *SyntaxError", bad, err)
		}
	}
	_, err := Type("list<\n  nosuch>", nil)
	if err == nil || !strings.HasPrefix(err.Error(), "line 2:3:") {
		t.Errorf("error %v does not name line 2:3", err)
	}
}
