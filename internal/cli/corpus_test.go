package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"math/big"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aegisthus/aegisthus/internal/corpustest"
	"github.com/aegisthus/aegisthus/internal/cql/cqlparse"

	"github.com/aegisthus/aegisthus/internal/discover"
	"github.com/aegisthus/aegisthus/internal/pipeline"
	"github.com/aegisthus/aegisthus/internal/sstable"
	"github.com/aegisthus/aegisthus/internal/sstable/format"
	"github.com/aegisthus/aegisthus/internal/storage"
)

// sharedDir returns ../shared beside the repository, or skips the test.
func sharedDir(t testing.TB) string { return corpustest.Shared(t) }

type expectation struct {
	Dataset          string            `json:"dataset"`
	SSTables         []string          `json:"sstables"`
	ReadAs           string            `json:"read_as"`
	Schema           string            `json:"schema"`
	RowOrder         string            `json:"row_order"`
	Rows             []json.RawMessage `json:"rows"`
	ExpiresAtUnix    int64             `json:"expires_at_unix"`
	RowsBeforeExpiry []json.RawMessage `json:"rows_before_expiry"`
}

// legacyExpectation is one pre-3.0 dataset's expectation, by file name.
type legacyExpectation struct {
	name string
	expectation
}

// legacyExpectations loads the expectations of the corpus's pre-3.0 datasets
// (scylla/legacy), in file-name order; it skips the test without ../shared.
func legacyExpectations(t *testing.T) []legacyExpectation {
	shared := sharedDir(t)
	files, _ := filepath.Glob(filepath.Join(shared, "corpus", "expected", "scylla", "legacy", "*.expected.json"))
	if len(files) == 0 {
		t.Skipf("no legacy expectations under %s", shared)
	}
	out := make([]legacyExpectation, 0, len(files))
	for _, f := range files {
		e := legacyExpectation{name: strings.TrimSuffix(filepath.Base(f), ".expected.json")}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		if err := json.Unmarshal(b, &e.expectation); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		out = append(out, e)
	}
	return out
}

// schemaFile writes the expectation's CQL schema to a temporary schema.cql.
func (e expectation) schemaFile(t *testing.T) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "schema.cql")
	if err := os.WriteFile(p, []byte(e.Schema), 0o644); err != nil {
		t.Fatal(err)
	}
	return p
}

// corpusNow is the --now of the corpus tests: every TTL in the corpus expired before it.
var corpusNow = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).Unix()

// TestCorpusExpectedRows checks dump --rows (and, for merged sets, the multi-SSTable
// merge) against every hand-written expectation in ../shared/corpus/expected.
func TestCorpusExpectedRows(t *testing.T) {
	shared := sharedDir(t)
	var files []string
	err := filepath.WalkDir(filepath.Join(shared, "corpus", "expected"), func(p string, d fs.DirEntry, err error) error {
		if err == nil && strings.HasSuffix(p, ".expected.json") {
			files = append(files, p)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(files) < 78 {
		t.Fatalf("found %d expectation files, want the corpus's 78", len(files))
	}
	for _, f := range files {
		rel, _ := filepath.Rel(filepath.Join(shared, "corpus", "expected"), f)
		t.Run(strings.TrimSuffix(rel, ".expected.json"), func(t *testing.T) {
			var exp expectation
			b, err := os.ReadFile(f)
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(b, &exp); err != nil {
				t.Fatal(err)
			}
			sc, err := cqlparse.Parse(exp.Schema)
			if err != nil {
				t.Fatalf("schema: %v", err)
			}
			dir := filepath.Join(shared, "corpus", exp.Dataset)
			var ssts []*sstable.SSTable
			for _, prefix := range exp.SSTables {
				if strings.HasPrefix(prefix, "ms-") || strings.HasPrefix(prefix, "mt-") {
					continue // ScyllaDB-only formats (trie indexes), not Cassandra's
				}
				d, _, err := format.ParseName(filepath.Join(dir, prefix+"-Data.db"))
				if err != nil {
					t.Fatal(err)
				}
				tbl := sc.Tables[0]
				if len(sc.Tables) > 1 {
					src := &discover.SchemaSource{Given: sc}
					if tbl, _, err = src.TableFor(storage.Local{}, &discover.SSTableSet{Keyspace: d.Keyspace, Name: d.Table}); err != nil {
						t.Fatal(err)
					}
				}
				sst, err := sstable.Open(storage.Local{}, d, sstable.Options{Table: tbl})
				if err != nil {
					t.Fatalf("open %s: %v", prefix, err)
				}
				defer sst.Close()
				ssts = append(ssts, sst)
			}
			check := func(now int64, want []json.RawMessage) {
				t.Helper()
				var groups [][]*sstable.SSTable
				if exp.ReadAs == "merged" {
					groups = [][]*sstable.SSTable{ssts}
				} else {
					for _, s := range ssts {
						groups = append(groups, []*sstable.SSTable{s})
					}
				}
				for _, g := range groups {
					var out bytes.Buffer
					if err := pipeline.WriteRows(context.Background(), &out, g, now); err != nil {
						t.Fatalf("%s: %v", g[0].Path(format.Data), err)
					}
					got := splitLines(out.Bytes())
					if err := compareRows(got, want, exp.RowOrder != "unordered"); err != nil {
						t.Errorf("%s (now %d): %v", g[0].Path(format.Data), now, err)
					}
				}
			}
			check(corpusNow, exp.Rows)
			if exp.ExpiresAtUnix > 0 && exp.RowsBeforeExpiry != nil {
				check(exp.ExpiresAtUnix-1, exp.RowsBeforeExpiry)
			}
		})
	}
}

func splitLines(b []byte) []json.RawMessage {
	var out []json.RawMessage
	for _, l := range bytes.Split(b, []byte("\n")) {
		if len(bytes.TrimSpace(l)) > 0 {
			out = append(out, json.RawMessage(l))
		}
	}
	return out
}

// compareRows compares JSON rows as values: key order and number spelling free.
func compareRows(got, want []json.RawMessage, ordered bool) error {
	norm := func(rows []json.RawMessage) ([]string, error) {
		out := make([]string, len(rows))
		for i, r := range rows {
			s, err := canonicalJSON(r)
			if err != nil {
				return nil, fmt.Errorf("row %d %s: %w", i, r, err)
			}
			out[i] = s
		}
		if !ordered {
			slices.Sort(out)
		}
		return out, nil
	}
	g, err := norm(got)
	if err != nil {
		return fmt.Errorf("output: %w", err)
	}
	w, err := norm(want)
	if err != nil {
		return fmt.Errorf("expected: %w", err)
	}
	for i := 0; i < len(g) && i < len(w); i++ {
		if g[i] != w[i] {
			return fmt.Errorf("row %d differs:\n got  %s\n want %s", i, g[i], w[i])
		}
	}
	if len(g) != len(w) {
		return fmt.Errorf("got %d rows, want %d", len(g), len(w))
	}
	return nil
}

// canonicalJSON re-encodes a JSON value with sorted keys and numbers in one spelling.
func canonicalJSON(raw []byte) (string, error) {
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return "", err
	}
	var sb strings.Builder
	writeCanonical(&sb, v)
	return sb.String(), nil
}

func writeCanonical(sb *strings.Builder, v any) {
	switch x := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(x))
		for k := range x {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		sb.WriteByte('{')
		for i, k := range keys {
			if i > 0 {
				sb.WriteByte(',')
			}
			kb, _ := json.Marshal(k)
			sb.Write(kb)
			sb.WriteByte(':')
			writeCanonical(sb, x[k])
		}
		sb.WriteByte('}')
	case []any:
		sb.WriteByte('[')
		for i, e := range x {
			if i > 0 {
				sb.WriteByte(',')
			}
			writeCanonical(sb, e)
		}
		sb.WriteByte(']')
	case json.Number:
		// Integers compare exactly (bigint and varint exceed float64); numbers with a
		// fraction or exponent compare as the double they denote, since JDK 17's
		// Double.toString may print more digits than the shortest form we print.
		if !strings.ContainsAny(string(x), ".eE") {
			f, _, err := big.ParseFloat(string(x), 10, 256, big.ToNearestEven)
			if err == nil {
				sb.WriteString(f.Text('g', 80))
				return
			}
		}
		f, err := strconv.ParseFloat(string(x), 64)
		if err != nil {
			sb.WriteString(string(x))
			return
		}
		sb.WriteString(strconv.FormatFloat(f, 'g', -1, 64))
	default:
		b, _ := json.Marshal(x)
		sb.Write(b)
	}
}

// TestCorpusMixedVersionMerge merges a legacy SSTable (ka or la) with a 3.0+ one
// (mc, me) holding the same data of the same table, as a cluster mid-upgrade
// would: the merge must give the expected rows once, whatever the formats.
func TestCorpusMixedVersionMerge(t *testing.T) {
	shared := sharedDir(t)
	for _, c := range []struct {
		expected string
		prefixes []string
	}{
		{"sliced_mutation_reads", []string{"ks-sliced_mutation_reads_test-ka-1", "mc-1-big"}},
		{"sliced_mutation_reads", []string{"la-1-big", "me-1-big", "ks-sliced_mutation_reads_test-ka-1"}},
		{"counter_test", []string{"ks-counter_test-ka-5", "mc-5-big"}},
		{"counter_test", []string{"me-5-big", "la-5-big"}},
		{"wrong_range_tombstone_order", []string{"ks-wrong_range_tombstone_order-ka-1", "md-1-big"}},
		{"promoted_index_read", []string{"la-1-big", "mc-1-big"}},
		{"broken_non_compound_pi_and_range_tombstone", []string{"ks-test-ka-1", "me-1-big"}},
	} {
		t.Run(c.expected+"/"+strings.Join(c.prefixes, "+"), func(t *testing.T) {
			var exp expectation
			b, err := os.ReadFile(filepath.Join(shared, "corpus", "expected", "scylla", "legacy", c.expected+".expected.json"))
			if err != nil {
				t.Fatal(err)
			}
			if err := json.Unmarshal(b, &exp); err != nil {
				t.Fatal(err)
			}
			sc, err := cqlparse.Parse(exp.Schema)
			if err != nil {
				t.Fatal(err)
			}
			var ssts []*sstable.SSTable
			versions := map[bool]bool{}
			for _, prefix := range c.prefixes {
				d, _, err := format.ParseName(filepath.Join(shared, "corpus", exp.Dataset, prefix+"-Data.db"))
				if err != nil {
					t.Fatal(err)
				}
				versions[d.Version.IsLegacy()] = true
				sst, err := sstable.Open(storage.Local{}, d, sstable.Options{Table: sc.Tables[0]})
				if err != nil {
					t.Fatalf("open %s: %v", prefix, err)
				}
				defer sst.Close()
				ssts = append(ssts, sst)
			}
			if !versions[true] || !versions[false] {
				t.Fatalf("%v: want legacy and 3.0+ SSTables", c.prefixes)
			}
			var out bytes.Buffer
			if err := pipeline.WriteRows(context.Background(), &out, ssts, corpusNow); err != nil {
				t.Fatal(err)
			}
			if err := compareRows(splitLines(out.Bytes()), exp.Rows, exp.RowOrder != "unordered"); err != nil {
				t.Error(err)
			}
		})
	}
}
