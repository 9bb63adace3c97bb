package sstable

import (
	"strings"
	"testing"

	"github.com/aegisthus/aegisthus/internal/sstable/format"
	"github.com/aegisthus/aegisthus/internal/sstable/stats"
)

// TestCheckColumnOrder: a header lists its columns in Cassandra's order
// (simple before complex, each by name) or ScyllaDB's (by name); any other
// order, or a name twice, is a corrupt header naming Statistics.db.
func TestCheckColumnOrder(t *testing.T) {
	const (
		text = "org.apache.cassandra.db.marshal.UTF8Type"
		set  = "org.apache.cassandra.db.marshal.SetType(org.apache.cassandra.db.marshal.Int32Type)"
	)
	d, _, err := format.ParseName("/d/ks/t-1/mc-1-big-Data.db")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		names []string
		types []string
		want  string // "" for no error
	}{
		{[]string{"a", "c", "b"}, []string{text, text, set}, ""},             // Cassandra: simple, then complex
		{[]string{"a", "b", "c"}, []string{text, set, text}, ""},             // ScyllaDB: by name
		{[]string{"b", "a"}, []string{text, text}, "out of order"},           // a name changed
		{[]string{"a", "b", "c"}, []string{set, text, text}, ""},             // by name, whatever the kinds
		{[]string{"b", "c", "a"}, []string{set, text, text}, "out of order"}, // complex before simple, not by name
		{[]string{"a", "a"}, []string{text, text}, "listed twice"},
	} {
		h := &stats.Header{KeyType: text, Offset: 4506}
		for i, n := range c.names {
			h.RegularColumns = append(h.RegularColumns, stats.Column{Name: []byte(n), Type: c.types[i]})
		}
		_, err := schemaFromHeader(d, h, nil)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%v %v: %v", c.names, c.types, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want) || !strings.Contains(err.Error(), "mc-1-big-Statistics.db: offset 4506")):
			t.Errorf("%v %v: %v, want %q", c.names, c.types, err, c.want)
		}
	}
}
