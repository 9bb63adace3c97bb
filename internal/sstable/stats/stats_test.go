package stats

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/aegisthus/aegisthus/internal/sstable/format"
	"github.com/aegisthus/aegisthus/internal/sstable/wire"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden.json")

// corpusDir is ../shared/corpus relative to the module root.
const corpusDir = "../../../../shared/corpus"

// manifest is the part of corpus/manifest.json the tests use.
type manifest struct {
	Datasets []struct {
		Folder   string `json:"folder"`
		Kind     string `json:"kind"`
		Expected string `json:"expected"`
		SSTables []struct {
			Name        string   `json:"name"`
			Format      string   `json:"format"`
			Components  []string `json:"components"`
			Partitioner string   `json:"partitioner"`
		} `json:"sstables"`
	} `json:"datasets"`
}

func loadManifest(t testing.TB) *manifest {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(corpusDir, "manifest.json"))
	if errors.Is(err, os.ErrNotExist) {
		t.Skipf("corpus not found at %s (../shared relative to the module root); skipping corpus tests", corpusDir)
	}
	if err != nil {
		t.Fatal(err)
	}
	var m manifest
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return &m
}

// corruptStats lists the datasets whose Statistics.db is broken on purpose.
var corruptStats = map[string]bool{
	"scylla/legacy/zero_sized_histogram":    true, // estimated histogram with zero buckets
	"scylla/legacy/bad_tombstone_histogram": true, // tombstone histogram points out of order
}

func parseFile(t testing.TB, path string) (*Metadata, format.Version, error) {
	t.Helper()
	d, _, err := format.ParseName(path)
	if err != nil {
		t.Fatalf("%s: %v", path, err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	md, err := Parse(path, b, d.Version)
	return md, d.Version, err
}

func TestCorpus(t *testing.T) {
	m := loadManifest(t)
	var parsed, failed int
	for _, ds := range m.Datasets {
		for _, sst := range ds.SSTables {
			if !contains(sst.Components, "Statistics.db") {
				continue
			}
			path := filepath.Join(corpusDir, ds.Folder, sst.Name+"-Statistics.db")
			if _, err := os.Stat(path); err != nil {
				continue // ScyllaDB-only ms/mt copies were removed from the corpus
			}
			if _, _, err := format.ParseName(path); errors.Is(err, wire.ErrUnsupported) {
				continue
			}
			compressed := listsComponent(filepath.Join(corpusDir, ds.Folder, sst.Name+"-TOC.txt"), "CompressionInfo.db")
			t.Run(ds.Folder+"/"+sst.Name, func(t *testing.T) {
				md, v, err := parseFile(t, path)
				if corruptStats[ds.Folder] {
					failed++
					if !errors.Is(err, wire.ErrCorrupt) {
						t.Fatalf("want ErrCorrupt, got %v", err)
					}
					var fe *wire.FormatError
					if !errors.As(err, &fe) || fe.Path != path || !strings.Contains(err.Error(), "offset") {
						t.Fatalf("error %q does not name the file and offset", err)
					}
					return
				}
				if err != nil {
					t.Fatal(err)
				}
				parsed++
				checkFacts(t, md, v, sst.Partitioner, compressed)
			})
		}
	}
	t.Logf("parsed %d Statistics.db files, %d corrupt ones rejected", parsed, failed)
}

func checkFacts(t *testing.T, md *Metadata, v format.Version, partitioner string, compressed bool) {
	t.Helper()
	if partitioner != "" && partitioner != "-" && !strings.HasSuffix(md.Validation.Partitioner, "."+partitioner) {
		t.Errorf("partitioner %q, manifest says %s", md.Validation.Partitioner, partitioner)
	}
	s := md.Stats
	if compressed && s.CompressionRatio <= 0 && s.CompressionRatio != -1 {
		t.Errorf("compressed sstable has compression ratio %v", s.CompressionRatio)
	}
	if !compressed && s.CompressionRatio != -1 {
		t.Errorf("uncompressed sstable has compression ratio %v, want -1", s.CompressionRatio)
	}
	if s.MinTimestamp > s.MaxTimestamp && s.MinTimestamp != math.MaxInt64 {
		t.Errorf("min timestamp %d > max timestamp %d", s.MinTimestamp, s.MaxTimestamp)
	}
	if s.MinLocalDeletionTime != NoDeletionTime && s.MaxLocalDeletionTime != NoDeletionTime &&
		s.MinLocalDeletionTime > s.MaxLocalDeletionTime {
		t.Errorf("min ldt %d > max ldt %d", s.MinLocalDeletionTime, s.MaxLocalDeletionTime)
	}
	if v.StoresRows() {
		if md.Header == nil {
			t.Fatal("no header")
		}
		if s.TotalRows < 0 {
			t.Errorf("total rows %d", s.TotalRows)
		}
		if s.MinTimestamp != math.MinInt64 && s.MinTimestamp <= s.MaxTimestamp && md.Header.MinTimestamp > s.MinTimestamp {
			t.Errorf("header min timestamp %d above stats min %d", md.Header.MinTimestamp, s.MinTimestamp)
		}
	}
	if n := s.PartitionSizes.Count(); n <= 0 {
		t.Errorf("partition count %d", n)
	}
}

// listsComponent reports whether the TOC.txt at path names comp.
func listsComponent(path, comp string) bool {
	b, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	return contains(strings.Fields(string(b)), comp)
}

func contains(l []string, s string) bool {
	for _, x := range l {
		if x == s {
			return true
		}
	}
	return false
}

// expectedSchema reads the "schema" and the SSTables an expectation file covers.
type expectation struct {
	Dataset  string   `json:"dataset"`
	SSTables []string `json:"sstables"`
	Schema   string   `json:"schema"`
}

// cqlToMarshal maps the simple CQL types used in the corpus schemas to the class
// names a SerializationHeader carries.
var cqlToMarshal = map[string]string{
	"int": "Int32Type", "bigint": "LongType", "text": "UTF8Type", "varchar": "UTF8Type",
	"ascii": "AsciiType", "blob": "BytesType", "boolean": "BooleanType", "double": "DoubleType",
	"float": "FloatType", "timestamp": "TimestampType", "timeuuid": "TimeUUIDType",
	"uuid": "UUIDType", "inet": "InetAddressType", "counter": "CounterColumnType",
	"smallint": "ShortType", "tinyint": "ByteType", "date": "SimpleDateType", "time": "TimeType",
	"varint": "IntegerType", "decimal": "DecimalType", "duration": "DurationType",
}

type schemaCol struct {
	typ    string
	static bool
	key    bool
}

var createRE = regexp.MustCompile(`(?is)CREATE TABLE [^(]*\((.*)\)`)

// parseSchema extracts column names, CQL types, STATIC and key membership.
func parseSchema(cql string) (map[string]schemaCol, int) {
	m := createRE.FindStringSubmatch(cql)
	if m == nil {
		return nil, 0
	}
	body := m[1]
	// Cut off WITH options that the greedy match may have swallowed.
	if i := strings.Index(strings.ToUpper(body), ") WITH"); i >= 0 {
		body = body[:i]
	}
	cols := map[string]schemaCol{}
	clustering := 0
	for _, def := range splitTop(body) {
		def = strings.TrimSpace(def)
		up := strings.ToUpper(def)
		if strings.HasPrefix(up, "PRIMARY KEY") {
			inner := def[strings.Index(def, "(")+1 : strings.LastIndex(def, ")")]
			parts := splitTop(inner)
			for i, p := range parts {
				p = strings.Trim(strings.TrimSpace(p), "()")
				for _, k := range strings.Split(p, ",") {
					k = strings.TrimSpace(k)
					c := cols[k]
					c.key = true
					cols[k] = c
					if i > 0 {
						clustering++
					}
				}
			}
			continue
		}
		f := strings.Fields(def)
		if len(f) < 2 {
			continue
		}
		c := schemaCol{typ: f[1], static: strings.Contains(up, " STATIC"), key: strings.Contains(up, "PRIMARY KEY")}
		if i := strings.Index(def, "<"); i >= 0 {
			c.typ = def[len(f[0])+1 : strings.LastIndex(def, ">")+1]
		}
		cols[f[0]] = c
	}
	return cols, clustering
}

func splitTop(s string) []string {
	var out []string
	depth, start := 0, 0
	for i, r := range s {
		switch r {
		case '(', '<':
			depth++
		case ')', '>':
			depth--
		case ',':
			if depth == 0 {
				out = append(out, s[start:i])
				start = i + 1
			}
		}
	}
	return append(out, s[start:])
}

func simpleName(t string) string {
	if i := strings.IndexByte(t, '('); i >= 0 {
		t = t[:i]
	}
	return t[strings.LastIndexByte(t, '.')+1:]
}

// TestHeaderMatchesSchema checks the serialization header of every m*/n* SSTable
// that has an expectation file against the schema stated there.
func TestHeaderMatchesSchema(t *testing.T) {
	loadManifest(t)
	files, _ := filepath.Glob(filepath.Join(corpusDir, "expected", "*", "*", "*.expected.json"))
	more, _ := filepath.Glob(filepath.Join(corpusDir, "expected", "*", "*", "*", "*.expected.json"))
	files = append(append(files, more...), must(filepath.Glob(filepath.Join(corpusDir, "expected", "*", "*.expected.json")))...)
	checked := 0
	for _, f := range files {
		var e expectation
		if err := json.Unmarshal(must1(os.ReadFile(f)), &e); err != nil {
			t.Fatal(err)
		}
		cols, clustering := parseSchema(e.Schema)
		if cols == nil {
			continue
		}
		compact := strings.Contains(strings.ToUpper(e.Schema), "COMPACT STORAGE")
		for _, name := range e.SSTables {
			path := filepath.Join(corpusDir, e.Dataset, name+"-Statistics.db")
			if _, err := os.Stat(path); err != nil {
				continue // ms/mt copies are not in the corpus
			}
			md, v, err := parseFile(t, path)
			if err != nil {
				t.Errorf("%s: %v", path, err)
				continue
			}
			if !v.StoresRows() {
				continue
			}
			checked++
			h := md.Header
			if !compact && len(h.ClusteringTypes) != clustering {
				t.Errorf("%s: %d clustering types, schema has %d clustering columns", path, len(h.ClusteringTypes), clustering)
			}
			check := func(c Column, static bool) {
				sc, ok := cols[string(c.Name)]
				if !ok {
					if !compact {
						t.Errorf("%s: header column %q not in schema %s", path, c.Name, e.Schema)
					}
					return
				}
				if sc.key {
					t.Errorf("%s: key column %q listed as a regular/static column", path, c.Name)
				}
				if !compact && sc.static != static {
					t.Errorf("%s: column %q static=%v in header, %v in schema", path, c.Name, static, sc.static)
				}
				if want, ok := cqlToMarshal[strings.ToLower(sc.typ)]; ok && simpleName(c.Type) != want && !strings.Contains(e.Schema, "declares all columns blob") {
					t.Errorf("%s: column %q type %s, schema says %s (%s)", path, c.Name, c.Type, sc.typ, want)
				}
				if strings.HasPrefix(strings.ToLower(sc.typ), "set<") && !strings.Contains(c.Type, "SetType") {
					t.Errorf("%s: column %q type %s, schema says %s", path, c.Name, c.Type, sc.typ)
				}
			}
			for _, c := range h.StaticColumns {
				check(c, true)
			}
			for _, c := range h.RegularColumns {
				check(c, false)
			}
		}
	}
	if checked == 0 {
		t.Fatal("no header checked")
	}
	t.Logf("checked %d serialization headers against expected schemas", checked)
}

func must(v []string, err error) []string {
	if err != nil {
		panic(err)
	}
	return v
}

func must1(b []byte, err error) []byte {
	if err != nil {
		panic(err)
	}
	return b
}

var goldenFiles = []string{
	"hadoop-sstable/Keyspace1/Standard1/Keyspace1-Standard1-ic-0-Statistics.db",
	"scylla/legacy/counter_test/ks/counter_test-1c6ace40fad111e7b9cf000000000002/ks-counter_test-ka-5-Statistics.db",
	"scylla/legacy/uncompressed/ks/uncompressed-1c6ace40fad111e7b9cf000000000002/la-1-big-Statistics.db",
	"axonops/users/ma-2-big-Statistics.db",
	"axonops/system_batches/mb-1-big-Statistics.db",
	"scylla/3.x/uncompressed/compound_static_row/mc-1-big-Statistics.db",
	"sstable-to-arrow/SSTableLoaderTest/Standard1/md-1-big-Statistics.db",
	"scylla/3.x/lz4/integrity_check/invalid_digest/me-1-big-Statistics.db",
	"cassandra-analytics/ks/table1-ea3b3e6b-0d78-4913-89f2-15fcf98711d0/na-1-big-Statistics.db",
}

func TestGolden(t *testing.T) {
	loadManifest(t)
	for _, rel := range goldenFiles {
		path := filepath.Join(corpusDir, rel)
		if _, err := os.Stat(path); err != nil {
			matches, _ := filepath.Glob(filepath.Join(filepath.Dir(path), "*-Statistics.db"))
			t.Errorf("%s missing (siblings %v)", rel, matches)
			continue
		}
		t.Run(filepath.Base(rel), func(t *testing.T) {
			md, _, err := parseFile(t, path)
			if err != nil {
				t.Fatal(err)
			}
			got, err := json.MarshalIndent(md, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, '\n')
			golden := filepath.Join("testdata", strings.TrimSuffix(filepath.Base(rel), ".db")+".golden.json")
			if *update {
				if err := os.WriteFile(golden, got, 0o644); err != nil {
					t.Fatal(err)
				}
				return
			}
			want, err := os.ReadFile(golden)
			if err != nil {
				t.Fatalf("%v (run go test -update)", err)
			}
			if !bytes.Equal(got, want) {
				t.Errorf("%s differs from %s; run go test ./internal/sstable/stats -update and review the diff", rel, golden)
			}
		})
	}
}
