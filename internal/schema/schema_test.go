package schema_test

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/aegisthus/aegisthus/internal/cql"
	"github.com/aegisthus/aegisthus/internal/cql/cqlparse"
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

// TestUnifyDropped: a dropped column's type may differ between SSTables (from
// either side of the drop) and from the schema's current type; the drop times
// come from the schema's ALTER TABLE … DROP … USING TIMESTAMP, survive a
// manifest round trip, and a header column the schema neither has nor drops
// is reported.
func TestUnifyDropped(t *testing.T) {
	i32, text, blob := typ(t, "Int32Type"), typ(t, "UTF8Type"), typ(t, "BytesType")
	parsed, err := cqlparse.Parse(`CREATE TABLE ks.t (pk int, ck text, v text, w int, x int, PRIMARY KEY (pk, ck));
ALTER TABLE ks.t DROP v USING TIMESTAMP 1000;
ALTER TABLE ks.t ADD v blob;
ALTER TABLE ks.t DROP w USING TIMESTAMP 2000;
ALTER TABLE ks.t DROP x;`)
	if err != nil {
		t.Fatal(err)
	}
	tbl := parsed.Table("ks", "t")
	old := sstable(t, schema.Column{Name: "v", Type: text}, schema.Column{Name: "w", Type: i32}, schema.Column{Name: "z", Type: i32})
	newer := sstable(t, schema.Column{Name: "v", Type: blob}, schema.Column{Name: "w", Type: blob})
	old.CQL, newer.CQL = tbl, tbl
	u, err := schema.Unify([]schema.Source{{Path: "a", Partitioner: murmur, Schema: old}, {Path: "b", Partitioner: murmur, Schema: newer}}, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	if got, want := names(u.Columns), "v,w(h),z(h)"; got != want {
		t.Errorf("columns %s, want %s", got, want)
	}
	if v := u.Columns[u.Column("v")]; !v.Type.Equal(blob) {
		t.Errorf("v renders as %s, want blob (the current type)", v.Type.CQL())
	}
	if ts, ok := u.DroppedAt("v"); !ok || ts != 1000 {
		t.Errorf("v dropped at %d %v", ts, ok)
	}
	if ts, ok := u.DroppedAt("x"); !ok || ts != math.MaxInt64 {
		t.Errorf("x (dropped without a time) at %d %v, want every cell gone", ts, ok)
	}
	if got := strings.Join(u.Unknown, ","); got != "z" {
		t.Errorf("unknown %q, want z", got)
	}
	back, err := schema.FromDesc(u.Describe(), "m")
	if err != nil {
		t.Fatal(err)
	}
	if ts, ok := back.DroppedAt("w"); !ok || ts != 2000 {
		t.Errorf("w after a manifest round trip: %d %v", ts, ok)
	}
	// A base's drop applies to SSTables read with a schema that lacks it.
	plain := sstable(t, schema.Column{Name: "w", Type: i32})
	u2, err := schema.Unify([]schema.Source{{Path: "c", Partitioner: murmur, Schema: plain}}, u.Describe(), "base/_manifest.json")
	if err != nil {
		t.Fatal(err)
	}
	if ts, ok := u2.DroppedAt("w"); !ok || ts != 2000 {
		t.Errorf("w with a base: %d %v", ts, ok)
	}
	// Added back without a drop time: which cells are older cannot be told.
	p2, err := cqlparse.Parse(`CREATE TABLE ks.t (pk int PRIMARY KEY, v text); ALTER TABLE ks.t DROP v; ALTER TABLE ks.t ADD v text;`)
	if err != nil {
		t.Fatal(err)
	}
	s3 := sstable(t, schema.Column{Name: "v", Type: text})
	s3.CQL = p2.Table("ks", "t")
	if _, err := schema.Unify([]schema.Source{{Path: "d", Partitioner: murmur, Schema: s3}}, nil, ""); err == nil || !strings.Contains(err.Error(), "USING TIMESTAMP") {
		t.Errorf("re-added without a drop time: %v", err)
	}
}
