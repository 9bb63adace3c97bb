package schema_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/aegisthus/aegisthus/internal/cql"
	"github.com/aegisthus/aegisthus/internal/schema"
	"github.com/aegisthus/aegisthus/internal/sstable/wire"
)

const murmur = "org.apache.cassandra.dht.Murmur3Partitioner"

func typ(t *testing.T, marshal string) *cql.Type {
	t.Helper()
	ty, err := cql.ParseMarshal("org.apache.cassandra.db.marshal." + marshal)
	if err != nil {
		t.Fatal(err)
	}
	return ty
}

// sstable builds one SSTable's schema as a header would give it.
func sstable(t *testing.T, cols ...schema.Column) *schema.Table {
	s := &schema.Table{Keyspace: "ks", Name: "t", KeyType: typ(t, "Int32Type"),
		PartitionKey: []schema.Column{{Name: "PartitionKey", Type: typ(t, "Int32Type")}},
		Clustering:   []schema.Column{{Name: "clustering", Type: typ(t, "UTF8Type")}},
		Columns:      cols}
	s.Sort()
	return s
}

func names(cols []schema.Column) string {
	var b []string
	for _, c := range cols {
		n := c.Name
		if c.Static {
			n += "(s)"
		}
		if c.Hidden {
			n += "(h)"
		}
		b = append(b, n)
	}
	return strings.Join(b, ",")
}

// TestSort pins Cassandra's column order (ColumnMetadata.compareTo as the
// serialization header stores columns): static first, simple before complex,
// then name bytes; Static and Regular are the header's two lists.
func TestSort(t *testing.T) {
	s := sstable(t,
		schema.Column{Name: "m", Type: typ(t, "MapType(org.apache.cassandra.db.marshal.Int32Type,org.apache.cassandra.db.marshal.Int32Type)")},
		schema.Column{Name: "b", Type: typ(t, "Int32Type")},
		schema.Column{Name: "st", Type: typ(t, "Int32Type"), Static: true},
		schema.Column{Name: "a", Type: typ(t, "Int32Type")},
		schema.Column{Name: "B", Type: typ(t, "Int32Type")},
	)
	if got, want := names(s.Columns), "st(s),B,a,b,m"; got != want {
		t.Errorf("columns %s, want %s", got, want)
	}
	if got := names(s.Static()); got != "st(s)" {
		t.Errorf("static %s", got)
	}
	if got := names(s.Regular()); got != "B,a,b,m" {
		t.Errorf("regular %s", got)
	}
	if i := s.Column("m"); i != 4 {
		t.Errorf("Column(m) = %d", i)
	}
	if i := s.Column("nope"); i != -1 {
		t.Errorf("Column(nope) = %d", i)
	}
}

func TestUnify(t *testing.T) {
	i32, text := typ(t, "Int32Type"), typ(t, "UTF8Type")
	src := func(path, partitioner string, s *schema.Table) schema.Source {
		return schema.Source{Path: path, Statistics: path + ".stats", Partitioner: partitioner, Schema: s}
	}
	for _, tc := range []struct {
		name    string
		srcs    []schema.Source
		columns string // Columns after Unify
		output  string // OutputOrder's names
		err     string // substring of the error, "" for none
	}{{
		name: "columns added over time are the union",
		srcs: []schema.Source{
			src("a", murmur, sstable(t, schema.Column{Name: "v", Type: i32})),
			src("b", murmur, sstable(t, schema.Column{Name: "v", Type: i32}, schema.Column{Name: "w", Type: text},
				schema.Column{Name: "s", Type: text, Static: true})),
		},
		columns: "s(s),v,w", output: "s,v,w",
	}, {
		name: "a type conflict names both files",
		srcs: []schema.Source{
			src("a", murmur, sstable(t, schema.Column{Name: "v", Type: i32})),
			src("b", murmur, sstable(t, schema.Column{Name: "v", Type: text})),
		},
		err: "column v: a says int, b says text",
	}, {
		name: "static in one, regular in the other",
		srcs: []schema.Source{
			src("a", murmur, sstable(t, schema.Column{Name: "v", Type: i32})),
			src("b", murmur, sstable(t, schema.Column{Name: "v", Type: i32, Static: true})),
		},
		err: "column v: a says int, b says int static",
	}, {
		name: "partitioners differ",
		srcs: []schema.Source{
			src("a", murmur, sstable(t)),
			src("b", "org.apache.cassandra.dht.RandomPartitioner", sstable(t)),
		},
		err: "a uses org.apache.cassandra.dht.Murmur3Partitioner, b uses org.apache.cassandra.dht.RandomPartitioner",
	}, {
		name: "unknown partitioner",
		srcs: []schema.Source{src("a", "com.example.Mine", sstable(t))},
		err:  "a.stats",
	}} {
		t.Run(tc.name, func(t *testing.T) {
			u, err := schema.Unify(tc.srcs, nil, "")
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) {
					t.Fatalf("err %v, want one containing %q", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := names(u.Columns); got != tc.columns {
				t.Errorf("columns %s, want %s", got, tc.columns)
			}
			var out []string
			for _, i := range u.OutputOrder() {
				out = append(out, u.Columns[i].Name)
			}
			if got := strings.Join(out, ","); got != tc.output {
				t.Errorf("output order %s, want %s", got, tc.output)
			}
			// Every source's columns map onto the table's by name.
			for _, s := range tc.srcs {
				st, reg := u.ColumnMaps(s.Schema)
				for i, c := range s.Schema.Static() {
					if u.Columns[st[i]].Name != c.Name {
						t.Errorf("%s: static %d maps to %s", s.Path, i, u.Columns[st[i]].Name)
					}
				}
				for i, c := range s.Schema.Regular() {
					if u.Columns[reg[i]].Name != c.Name {
						t.Errorf("%s: regular %d maps to %s", s.Path, i, u.Columns[reg[i]].Name)
					}
				}
			}
		})
	}
}

// TestDescRoundTrip: what a manifest records is enough to rebuild the table, and
// a base whose columns conflict with the SSTables' is refused as corrupt.
func TestDescRoundTrip(t *testing.T) {
	i32 := typ(t, "Int32Type")
	s := sstable(t, schema.Column{Name: "v", Type: i32}, schema.Column{Name: "s", Type: i32, Static: true})
	u, err := schema.Unify([]schema.Source{{Path: "a", Partitioner: murmur, Schema: s}}, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	back, err := schema.FromDesc(u.Describe(), "m")
	if err != nil {
		t.Fatal(err)
	}
	if names(back.Columns) != names(u.Columns) || back.Partitioner.Name() != murmur || !back.KeyType.Equal(u.KeyType) {
		t.Fatalf("round trip: %s / %s", names(back.Columns), names(u.Columns))
	}
	d := u.Describe()
	d.Columns[1].Type = "org.apache.cassandra.db.marshal.UTF8Type"
	_, err = schema.Unify([]schema.Source{{Path: "a", Partitioner: murmur, Schema: s}}, d, "base/_manifest.json")
	if !errors.Is(err, wire.ErrCorrupt) || !strings.Contains(err.Error(), "base/_manifest.json says text") {
		t.Fatalf("conflicting base: %v", err)
	}
}
