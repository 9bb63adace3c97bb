package cqlparse

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/aegisthus/aegisthus/internal/corpustest"
	"github.com/aegisthus/aegisthus/internal/cql"
	"github.com/aegisthus/aegisthus/internal/cql/cqltest"
)

// go test -run='^$' -fuzz=^FuzzParseCQL$ -fuzztime=30s ./internal/cql/cqlparse
func FuzzParseCQL(f *testing.F) {
	for _, c := range cqltest.Types {
		f.Add(c.CQL)
	}
	f.Add(`map<"Mixed", frozen<tuple<int, vector<float, 4>>>>`)
	f.Fuzz(func(t *testing.T, s string) {
		ty, err := Type(s, cqltest.UDTs)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Type(%q): error %v is not a *SyntaxError", s, err)
			}
			return
		}
		if !utf8.ValidString(ty.CQL()) {
			t.Fatalf("Type(%q).CQL() is not UTF-8", s)
		}
		if strings.Contains(ty.Marshal(), "DateType") {
			return // prints as timestamp
		}
		again, err := Type(ty.CQL(), cqltest.UDTs)
		if err != nil || !again.Equal(ty) {
			t.Fatalf("Type(%q).CQL() = %q does not round-trip: %v", s, ty.CQL(), err)
		}
		if m, err := cql.ParseMarshal(ty.Marshal()); err != nil || !m.Equal(ty) {
			t.Fatalf("Type(%q).Marshal() = %q does not round-trip: %v", s, ty.Marshal(), err)
		}
	})
}

// go test -run='^$' -fuzz=^FuzzParseSchema$ -fuzztime=30s ./internal/cql/cqlparse
func FuzzParseSchema(f *testing.F) {
	f.Add(snapshotSchema)
	f.Add("CREATE TABLE t (k int PRIMARY KEY, v text) WITH COMPACT STORAGE;")
	pattern := filepath.Join(corpustest.ModuleRoot(), "..", "shared", "corpus", "expected", "scylla", "3.x", "uncompressed", "*.expected.json")
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
	f.Fuzz(func(t *testing.T, src string) {
		s, err := Parse(src)
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
