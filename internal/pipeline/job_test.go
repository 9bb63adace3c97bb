package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/aegisthus/aegisthus/internal/cql/cqlparse"
	"github.com/aegisthus/aegisthus/internal/discover"
	"github.com/aegisthus/aegisthus/internal/render"
	"github.com/aegisthus/aegisthus/internal/storage"
)

// sample is the events table of testdata/sample-snapshot: three replicas that
// diverged, and the rows SELECT JSON * returned at ALL.
type sample struct {
	table  *discover.SSTableSet
	schema *cqlparse.Table
	now    int64
	want   []string // expected rows, canonical and sorted
}

func loadSample(t testing.TB) sample {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..", "testdata", "sample-snapshot")
	inputs, _ := filepath.Glob(filepath.Join(root, "node*", "demo", "events-*", "snapshots", "sample"))
	if len(inputs) != 3 {
		t.Fatalf("want 3 replicas of demo.events, found %v", inputs)
	}
	tables, err := discover.Find(storage.Local{}, inputs)
	if err != nil || len(tables) != 1 {
		t.Fatalf("discover: %d tables, %v", len(tables), err)
	}
	var meta struct {
		NowUnix int64    `json:"now_unix"`
		CQL     []string `json:"cql"`
	}
	b, err := os.ReadFile(filepath.Join(root, "expected", "events.meta.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &meta); err != nil {
		t.Fatal(err)
	}
	sc, err := cqlparse.Parse(strings.Join(meta.CQL, ";\n") + ";\n")
	if err != nil {
		t.Fatal(err)
	}
	s := sample{table: tables[0], now: meta.NowUnix}
	for _, tb := range sc.Tables {
		if tb.Keyspace == "demo" && tb.Name == "events" {
			s.schema = tb
		}
	}
	want, err := os.ReadFile(filepath.Join(root, "expected", "events.select-json.jsonl"))
	if err != nil {
		t.Fatal(err)
	}
	s.want = canonicalRows(t, want)
	return s
}

// options are the sample's export options; tests change what they test.
func (s sample) options() Options {
	return Options{Table: s.table, Schema: s.schema, Workers: 2, SplitSize: 8 << 10, Now: s.now, Version: "test"}
}

// canonicalRows re-encodes JSON lines with sorted keys and one spelling of
// numbers, and sorts them: rows compare whatever the unit they came from.
func canonicalRows(t testing.TB, b []byte) []string {
	t.Helper()
	var rows []string
	for _, line := range bytes.Split(b, []byte{'\n'}) {
		if len(bytes.TrimSpace(line)) == 0 {
			continue
		}
		d := json.NewDecoder(bytes.NewReader(line))
		d.UseNumber()
		var v any
		if err := d.Decode(&v); err != nil {
			t.Fatalf("%s: %v", line, err)
		}
		c, _ := json.Marshal(v)
		rows = append(rows, string(c))
	}
	slices.Sort(rows)
	return rows
}

// TestPrepareOptionErrors: each option that does not fit the table is refused
// by Prepare, before any output, as an *OptionError naming the option.
func TestPrepareOptionErrors(t *testing.T) {
	s := loadSample(t)
	for _, tc := range []struct {
		name   string
		edit   func(o *Options)
		option string
		is     error  // wrapped too, when set
		msg    string // the message says this
	}{
		{"layout", func(o *Options) { o.Layout = Layout(42) }, "layout", nil, "want rows, partitions or aegisthus"},
		{"compress", func(o *Options) { o.Compress = "lz4" }, "compress", nil, `compress "lz4": want none, gzip or zstd`},
		{"columns", func(o *Options) { o.Rows = render.RowsOptions{Columns: []string{"nope"}} }, "columns", nil, `table demo.events has no column "nope"`},
		{"token", func(o *Options) { o.TokenLo = "x" }, "token-range", nil, `token "x"`},
		{"empty range", func(o *Options) { o.TokenLo, o.TokenHi = "5", "3" }, "token-range", nil, "token-range 5:3: the range is empty"},
		{"base", func(o *Options) { o.Base = t.TempDir() }, "base", ErrBadBase, "no _SUCCESS"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			o := s.options()
			tc.edit(&o)
			j, err := Prepare(context.Background(), storage.Local{}, o)
			if err == nil {
				j.Close()
				t.Fatal("no error")
			}
			var oe *OptionError
			if !errors.As(err, &oe) || oe.Option != tc.option {
				t.Fatalf("error %v (%T), want an *OptionError for %q", err, err, tc.option)
			}
			if tc.is != nil && !errors.Is(err, tc.is) {
				t.Errorf("error %v does not wrap %v", err, tc.is)
			}
			if !strings.Contains(err.Error(), tc.msg) || strings.Contains(err.Error(), "--") {
				t.Errorf("error %q: want it to say %q and no flag", err, tc.msg)
			}
		})
	}
}

// TestLayoutNames: every layout parses back from its name; LayoutAuto is no name.
func TestLayoutNames(t *testing.T) {
	for _, l := range []Layout{LayoutRows, LayoutPartitions, LayoutAegisthus} {
		if got, err := ParseLayout(l.String()); err != nil || got != l {
			t.Errorf("ParseLayout(%q) = %v, %v", l.String(), got, err)
		}
	}
	for _, s := range []string{"", "auto", "Rows", "parquet"} {
		if _, err := ParseLayout(s); !errors.As(err, new(*OptionError)) {
			t.Errorf("ParseLayout(%q): %v, want an *OptionError", s, err)
		}
	}
}

// TestPrepareAutoLayout: without a layout, 3.0+ SSTables export rows.
func TestPrepareAutoLayout(t *testing.T) {
	s := loadSample(t)
	o := s.options()
	o.Schema = nil
	j, err := Prepare(context.Background(), storage.Local{}, o)
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	if j.Layout() != LayoutRows {
		t.Errorf("layout %v, want rows", j.Layout())
	}
	if d := j.Describe(); len(d.SSTables) != len(s.table.SSTables) || len(d.Lo) != len(j.Plan().Units) {
		t.Errorf("Describe: %d sstables, %d bounds for %d units", len(d.SSTables), len(d.Lo), len(j.Plan().Units))
	}
}
