package cqlparse

import (
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aegisthus/aegisthus/internal/corpustest"
	"github.com/aegisthus/aegisthus/internal/cql"

	"github.com/aegisthus/aegisthus/internal/sstable/wire"
)

// snapshotSchema is shaped like the schema.cql Cassandra 4.0 writes into a
// snapshot (SchemaCQLHelper): types first, the table with WITH ID and all
// options, then the drops of dropped columns.
const snapshotSchema = `
CREATE TYPE IF NOT EXISTS ks.address (
    street text,
    "Zip" int
);

CREATE TABLE IF NOT EXISTS ks."Users" (
    id uuid,
    "Bucket" int,
    ts timestamp,
    seq int,
    home frozen<address>,
    tags set<text>,
    prefs map<text, frozen<list<int>>>,
    owner text static,
    old_col text,
    PRIMARY KEY ((id, "Bucket"), ts, seq)
) WITH ID = 5a1c395e-b41f-11e5-9f22-ba0be0483c18
    AND CLUSTERING ORDER BY (ts DESC, seq ASC)
    AND additional_write_policy = '99p'
    AND bloom_filter_fp_chance = 0.01
    AND caching = {'keys': 'ALL', 'rows_per_partition': 'NONE'}
    AND comment = 'it''s; tricky -- not a comment'
    AND compaction = {'class': 'org.apache.cassandra.db.compaction.SizeTieredCompactionStrategy', 'max_threshold': '32', 'min_threshold': '4'}
    AND compression = {'chunk_length_in_kb': '16', 'class': 'org.apache.cassandra.io.compress.LZ4Compressor'}
    AND crc_check_chance = 1.0
    AND default_time_to_live = 0
    AND extensions = {}
    AND gc_grace_seconds = 864000
    AND speculative_retry = '99p';
ALTER TABLE ks."Users" DROP old_col USING TIMESTAMP 1609459200000000;
ALTER TABLE ks."Users" ADD later int;
/* an index, a view and a keyspace are skipped */
CREATE KEYSPACE other WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1};
CREATE INDEX IF NOT EXISTS users_owner ON ks."Users" (owner);
CREATE FUNCTION ks.f(a int) RETURNS NULL ON NULL INPUT RETURNS int LANGUAGE java AS $$ return a; $$;
`

func TestParseSchemaSnapshot(t *testing.T) {
	s, err := Parse(snapshotSchema)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Tables) != 1 {
		t.Fatalf("%d tables", len(s.Tables))
	}
	tb := s.Tables[0]
	if tb.Keyspace != "ks" || tb.Name != "Users" || tb.ID != "5a1c395e-b41f-11e5-9f22-ba0be0483c18" {
		t.Errorf("table %q.%q id %q", tb.Keyspace, tb.Name, tb.ID)
	}
	names := func(cs []*Column) string {
		var n []string
		for _, c := range cs {
			n = append(n, c.Name)
		}
		return strings.Join(n, ",")
	}
	for _, c := range []struct{ got, want string }{
		{names(tb.Columns), "id,Bucket,ts,seq,home,tags,prefs,owner,later"},
		{names(tb.PartitionKey), "id,Bucket"},
		{names(tb.Clustering), "ts,seq"},
		{names(tb.Static), "owner"},
		{names(tb.Regular), "home,tags,prefs,later"},
		{names(tb.SelectOrder()), "id,Bucket,ts,seq,owner,home,later,prefs,tags"},
	} {
		if c.got != c.want {
			t.Errorf("columns %s, want %s", c.got, c.want)
		}
	}
	ts := tb.Column("ts")
	if !ts.Desc || !ts.Type.Reversed || ts.Position != 0 || ts.Kind != Clustering {
		t.Errorf("ts: %+v", ts)
	}
	if seq := tb.Column("seq"); seq.Desc || seq.Type.Reversed || seq.Position != 1 {
		t.Errorf("seq: %+v", seq)
	}
	if b := tb.Column("Bucket"); b.Kind != PartitionKey || b.Position != 1 {
		t.Errorf("Bucket: %+v", b)
	}
	home := tb.Column("home").Type
	if home.Kind != cql.UDT || home.MultiCell || home.Name != "address" || home.FieldNames[1] != "Zip" {
		t.Errorf("home: %+v", home)
	}
	if got := tb.Column("prefs").Type.CQL(); got != "map<text, frozen<list<int>>>" {
		t.Errorf("prefs: %s", got)
	}
	d := tb.Dropped["old_col"]
	if d == nil || d.Timestamp != 1609459200000000 || d.Type.Kind != cql.Text || d.Kind != Regular {
		t.Errorf("dropped: %+v", d)
	}
	if s.Types["ks.address"] == nil || s.Types["address"] == nil {
		t.Errorf("types: %v", s.Types)
	}
	if s.Table("ks", "Users") != tb || s.Table("", "Users") != tb || s.Table("ks", "nope") != nil {
		t.Errorf("Schema.Table lookup")
	}
}

func TestParseSchemaForms(t *testing.T) {
	src := `
-- line comment
// another
USE ks;
CREATE TABLE t1 (k int PRIMARY KEY, v text) WITH COMPACT STORAGE;
CREATE TABLE ks2.t2 (a int, b text, c boolean, d int, e text, f int, g text, PRIMARY KEY ((a, b, c), d, e));
CREATE COLUMNFAMILY t3 (k blob, c1 blob, c2 blob, v blob, PRIMARY KEY (k, c1, c2)) WITH COMPACT STORAGE AND comment='x';
CREATE TYPE ut (x int);
CREATE TABLE t4 (k int PRIMARY KEY, u ut, fu frozen<ut>, l list<frozen<ut>>, t tuple<int, frozen<ut>>, v vector<float, 2>,);
ALTER TYPE ut ADD y text;
ALTER TYPE ut RENAME x TO xx;
ALTER TABLE t4 DROP (v, t);
ALTER TABLE t4 ADD (s1 int static, r2 text);
ALTER TABLE t4 RENAME k TO kk;
ALTER TABLE t4 WITH comment = 'ignored';
INSERT INTO t4 (kk) VALUES (1);
CREATE TABLE t5 (k int PRIMARY KEY) WITH id = d3e9b1c0-a234-11e5-9f22-ba0be0483c18 AND comment = '';
`
	s, err := Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	if id := s.Table("ks", "t5").ID; id != "d3e9b1c0-a234-11e5-9f22-ba0be0483c18" {
		t.Errorf("t5 id %q", id)
	}
	if len(s.Tables) != 5 {
		t.Fatalf("%d tables", len(s.Tables))
	}
	t1 := s.Table("ks", "t1")
	if t1 == nil || !t1.CompactStorage || !t1.IsStaticCompact() || len(t1.PartitionKey) != 1 {
		t.Errorf("t1: %+v", t1)
	}
	t2 := s.Table("ks2", "t2")
	if t2 == nil || len(t2.PartitionKey) != 3 || len(t2.Clustering) != 2 || t2.PartitionKey[2].Name != "c" {
		t.Errorf("t2: %+v", t2)
	}
	t3 := s.Table("ks", "t3")
	if t3 == nil || !t3.CompactStorage || t3.IsStaticCompact() || len(t3.Clustering) != 2 {
		t.Errorf("t3: %+v", t3)
	}
	t4 := s.Table("ks", "t4")
	if t4.Column("u").Type.MultiCell != true || t4.Column("fu").Type.MultiCell {
		t.Errorf("t4 u/fu frozenness")
	}
	if t4.Column("v") != nil || t4.Dropped["v"] == nil || t4.Dropped["t"] == nil || t4.Dropped["v"].Timestamp != 0 {
		t.Errorf("t4 drops: %v", t4.Dropped)
	}
	if c := t4.Column("s1"); c == nil || c.Kind != Static {
		t.Errorf("t4 s1: %+v", c)
	}
	if t4.Column("kk") == nil || t4.Column("kk").Kind != PartitionKey {
		t.Errorf("t4 rename")
	}
	// ALTER TYPE makes a new type; t4 keeps the definition it was created with.
	if ut := s.Types["ks.ut"]; strings.Join(ut.FieldNames, ",") != "xx,y" {
		t.Errorf("ut fields %v", ut.FieldNames)
	}
	if f := t4.Column("fu").Type.FieldNames; strings.Join(f, ",") != "x" {
		t.Errorf("fu fields %v", f)
	}
}

func TestParseSchemaErrors(t *testing.T) {
	cases := []struct {
		src, where string
	}{
		{"CREATE TABLE t (k int);", "line 1:16"},
		{"CREATE TABLE t (\n  k int PRIMARY KEY,\n  v nosuch\n);", "line 3:5"},
		{"CREATE TABLE t (k int PRIMARY KEY, k text);", "line 1:36"},
		{"CREATE TABLE t (k int PRIMARY KEY, PRIMARY KEY (k));", "line 1:36"},
		{"CREATE TABLE t (k int, PRIMARY KEY (x));", "line 1:24"},
		{"CREATE TABLE t (k int, c int, PRIMARY KEY (k, c)) WITH CLUSTERING ORDER BY (k DESC);", "line 1:77"},
		{"CREATE TABLE t (k int PRIMARY KEY) WITH comment = 'x' junk;", "line 1:55"},
		{"ALTER TABLE nope DROP x;", "line 1:13"},
		{"CREATE TABLE t (k int PRIMARY KEY);\nALTER TABLE t DROP k;", "line 2:20"},
		{"CREATE TABLE t (k int PRIMARY KEY, v int);\nALTER TABLE t DROP v USING TIMESTAMP x;", "line 2:38"},
		{"CREATE TABLE t (k list<int> PRIMARY KEY);", "line 1:29"},
		{"CREATE TABLE t (k int PRIMARY KEY) /* unterminated", "line 1:36"},
		{"CREATE TABLE t (k text PRIMARY KEY, v 'unterminated);", "line 1:39"},
		{"CREATE TYPE ut (a int, a int);", "line 1:24"},
	}
	for _, c := range cases {
		_, err := Parse(c.src)
		var se *SyntaxError
		if !errors.As(err, &se) {
			t.Errorf("%q: error %v, want *SyntaxError", c.src, err)
			continue
		}
		if !strings.HasPrefix(err.Error(), c.where+":") {
			t.Errorf("%q: error %q, want it at %s", c.src, err, c.where)
		}
	}
}

// moduleRoot walks up from the package directory to the directory holding go.mod.
func moduleRoot(t *testing.T) string { return corpustest.ModuleRoot() }

// TestCorpusSchemas parses the schema of every expectation file in the shared
// corpus, and checks that the expected rows name exactly the schema's columns.
func TestCorpusSchemas(t *testing.T) {
	shared := filepath.Join(moduleRoot(t), "..", "shared")
	expected := filepath.Join(shared, "corpus", "expected")
	if _, err := os.Stat(expected); err != nil {
		t.Skipf("shared corpus not found at %s (it lives beside the repository as ../shared): %v", expected, err)
	}
	var files []string
	err := filepath.WalkDir(expected, func(path string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(path, ".expected.json") {
			files = append(files, path)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) == 0 {
		t.Fatalf("no *.expected.json under %s", expected)
	}
	for _, f := range files {
		rel, _ := filepath.Rel(expected, f)
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		var exp struct {
			Schema string           `json:"schema"`
			Rows   []map[string]any `json:"rows"`
		}
		if err := json.Unmarshal(b, &exp); err != nil {
			t.Errorf("%s: %v", rel, err)
			continue
		}
		s, err := Parse(exp.Schema)
		if err != nil {
			t.Errorf("%s: Parse: %v\n%s", rel, err, exp.Schema)
			continue
		}
		if len(s.Tables) == 0 {
			t.Errorf("%s: no table in %q", rel, exp.Schema)
			continue
		}
		if len(exp.Rows) == 0 || len(s.Tables) != 1 {
			continue
		}
		tb := s.Tables[0]
		for _, row := range exp.Rows[:1] {
			if len(row) != len(tb.Columns) {
				t.Errorf("%s: row has %d columns, schema %d", rel, len(row), len(tb.Columns))
			}
			for k := range row {
				if tb.Column(k) == nil {
					t.Errorf("%s: row column %q not in the schema", rel, k)
				}
			}
		}
	}
	t.Logf("parsed %d corpus schemas", len(files))
}

// TestCorpusHeaderTypes parses every marshal type string found in the corpus's
// Statistics.db files (SerializationHeader writes them with a vint length), and
// checks that the schema of legacy_udt_in_collection yields the same types as the
// header ScyllaDB wrote (which leaves out FrozenType around nested UDTs).
func TestCorpusHeaderTypes(t *testing.T) {
	corpus := filepath.Join(moduleRoot(t), "..", "shared", "corpus")
	files, _ := filepath.Glob(filepath.Join(corpus, "*", "*", "*", "*", "*Statistics.db"))
	more, _ := filepath.Glob(filepath.Join(corpus, "*", "*", "*", "*Statistics.db"))
	files = append(files, more...)
	if len(files) == 0 {
		t.Skipf("no Statistics.db under %s (the shared corpus lives beside the repository as ../shared)", corpus)
	}
	const prefix = "org.apache.cassandra.db.marshal."
	seen := map[string]bool{}
	udtHeader := map[string]bool{}
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		end := 0 // types nested in an accepted string are not looked at again
		for i := 0; ; {
			j := strings.Index(string(b[i:]), prefix)
			if j < 0 {
				break
			}
			at := i + j
			i = at + 1
			if at < end {
				continue
			}
			// Walk back to the vint length that precedes the string: a candidate
			// is right when the string it delimits parses.
			var firstErr error
			for k := 1; k <= 2 && at-k >= 0; k++ {
				n, m := wire.UVint(b[at-k:])
				if m != k || at+int(n) > len(b) || n < uint64(len(prefix)) {
					continue
				}
				s := string(b[at : at+int(n)])
				ty, err := cql.ParseMarshal(s)
				if err != nil {
					if firstErr == nil {
						firstErr = err
					}
					continue
				}
				firstErr = nil
				end = at + int(n)
				if again, err := cql.ParseMarshal(ty.Marshal()); err != nil || !again.Equal(ty) {
					t.Errorf("%s: %q does not round-trip via %q", f, s, ty.Marshal())
				}
				seen[s] = true
				if strings.Contains(f, "legacy_udt_in_collection") && strings.Contains(s, "UserType") {
					udtHeader[ty.Marshal()] = true
				}
				break
			}
			if firstErr != nil {
				t.Errorf("%s: %v", f, firstErr)
			}
		}
	}
	if len(seen) == 0 {
		t.Fatal("found no marshal type strings in the corpus")
	}
	t.Logf("parsed %d distinct header types from %d Statistics.db files", len(seen), len(files))
	if len(udtHeader) == 0 {
		t.Log("legacy_udt_in_collection not found; schema cross-check skipped")
		return
	}
	t.Logf("cross-checking %d UDT header types against the schema", len(udtHeader))
	s, err := Parse(`CREATE TYPE ks.ut (a int, b int); CREATE TABLE ks.t (pk int PRIMARY KEY, m map<int, frozen<ut>>, fm frozen<map<int, frozen<ut>>>, mm map<int, frozen<map<int, frozen<ut>>>>, fmm frozen<map<int, frozen<map<int, frozen<ut>>>>>, s set<frozen<ut>>, fs frozen<set<frozen<ut>>>, l list<frozen<ut>>, fl frozen<list<frozen<ut>>>)`)
	if err != nil {
		t.Fatal(err)
	}
	schemaTypes := map[string]bool{}
	for _, c := range s.Tables[0].Columns {
		schemaTypes[c.Type.Marshal()] = true
	}
	for m := range udtHeader {
		if !schemaTypes[m] {
			t.Errorf("header type %s matches no schema column", m)
		}
	}
}
