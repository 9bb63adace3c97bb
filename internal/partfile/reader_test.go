package partfile_test

import (
	"bytes"
	"errors"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/aegisthus/aegisthus/internal/corpustest"
	"github.com/aegisthus/aegisthus/internal/discover"
	"github.com/aegisthus/aegisthus/internal/merge"
	"github.com/aegisthus/aegisthus/internal/partfile"
	"github.com/aegisthus/aegisthus/internal/render"
	"github.com/aegisthus/aegisthus/internal/schema"
	"github.com/aegisthus/aegisthus/internal/sstable"
	"github.com/aegisthus/aegisthus/internal/sstable/wire"
	"github.com/aegisthus/aegisthus/internal/storage"
)

// source is one table's SSTables, opened.
type source struct {
	name string
	ssts []*sstable.SSTable
	tbl  *schema.Table
}

// openTables opens every table discover finds under dirs; tables that cannot be
// read without more help (a pre-3.0 table without --schema) are left out.
func openTables(t testing.TB, dirs ...string) []source {
	t.Helper()
	tables, err := discover.Find(storage.Local{}, dirs)
	if err != nil {
		t.Fatal(err)
	}
	var out []source
	for _, dt := range tables {
		var ssts []*sstable.SSTable
		ok := true
		for _, d := range dt.SSTables {
			s, err := sstable.Open(storage.Local{}, d, sstable.Options{})
			if err != nil {
				ok = false
				break
			}
			ssts = append(ssts, s)
		}
		if !ok || len(ssts) == 0 {
			continue
		}
		tbl, err := sstable.Unify(ssts, nil, "")
		if err != nil {
			continue
		}
		t.Cleanup(func() {
			for _, s := range ssts {
				s.Close()
			}
		})
		out = append(out, source{dt.String() + " " + dt.SSTables[0].Dir, ssts, tbl})
	}
	return out
}

func config(tbl *schema.Table) partfile.Config {
	cfg := partfile.Config{Table: merge.NewTable(tbl), Columns: map[string]int{}}
	for i, c := range tbl.Columns {
		cfg.Columns[c.Name] = i
	}
	return cfg
}

// write renders the merge of inputs in the partitions layout, as the pipeline does.
func write(t testing.TB, tbl *schema.Table, inputs []merge.Input) ([]byte, error) {
	t.Helper()
	m := merge.New(merge.NewTable(tbl), inputs)
	m.KeepRanges = true
	pr := render.NewPartitionsLayout(tbl)
	var out, tok []byte
	var err error
	for m.NextPartition() {
		mp := m.Partition()
		tok = tbl.Partitioner.AppendToken(tok[:0], mp.Key)
		if out, err = pr.AppendStart(out, mp, tbl.Partitioner.FormatToken(tok)); err != nil {
			return nil, err
		}
		first := true
		for m.NextRow() {
			var wrote bool
			if out, wrote = pr.AppendRow(out, m.Row(), first); wrote {
				first = false
			}
		}
		if err := m.Err(); err != nil {
			return nil, err
		}
		if out, err = pr.AppendEnd(out, m.Ranges()); err != nil {
			return nil, err
		}
	}
	return out, m.Err()
}

func sstInputs(s source) []merge.Input {
	var in []merge.Input
	for _, sst := range s.ssts {
		in = append(in, merge.NewInput(sst.SharedScanner(0, sst.Chunks.Length(), 1), sst.Schema, s.tbl))
	}
	return in
}

// readBack renders what the reader yields from b, through the merge.
func readBack(t testing.TB, tbl *schema.Table, b []byte, cfg partfile.Config) ([]byte, error) {
	id := make([]int, len(tbl.Columns))
	for i := range id {
		id[i] = i
	}
	r := partfile.NewReader(bytes.NewReader(b), "part-00000.jsonl", cfg)
	return write(t, tbl, []merge.Input{{Scanner: r, StaticMap: id, RegularMap: id}})
}

func roundTrip(t *testing.T, sources []source) (records int) {
	for _, s := range sources {
		first, err := write(t, s.tbl, sstInputs(s))
		if err != nil {
			t.Logf("%s: not exportable, left out: %v", s.name, err)
			continue
		}
		again, err := readBack(t, s.tbl, first, config(s.tbl))
		if err != nil {
			t.Errorf("%s: reading back: %v", s.name, err)
			continue
		}
		if !bytes.Equal(first, again) {
			a, b := strings.Split(string(first), "\n"), strings.Split(string(again), "\n")
			for i := range min(len(a), len(b)) {
				if a[i] != b[i] {
					t.Errorf("%s: record %d differs:\nwritten: %s\nagain:   %s", s.name, i, a[i], b[i])
					break
				}
			}
			if len(a) != len(b) {
				t.Errorf("%s: %d records written, %d again", s.name, len(a)-1, len(b)-1)
			}
			continue
		}
		records += bytes.Count(first, []byte{'\n'})
	}
	return records
}

// TestRoundTripFixtures: every fixture table written by Cassandra 5.0, and the
// 3-replica sample snapshot merged, exported in the partitions layout, read back
// and exported again, is byte-identical.
func TestRoundTripFixtures(t *testing.T) {
	root := filepath.Join(corpustest.ModuleRoot(), "testdata")
	replicas, _ := filepath.Glob(filepath.Join(root, "sample-snapshot", "node*", "*", "*", "snapshots", "*"))
	sources := openTables(t, replicas...)
	dirs, _ := filepath.Glob(filepath.Join(root, "cassandra-5.0", "*", "*", "*", "*"))
	for _, d := range dirs {
		sources = append(sources, openTables(t, d)...)
	}
	if len(sources) < 40 {
		t.Fatalf("found %d fixture tables under %s, want the committed ones (make testdata)", len(sources), root)
	}
	n := roundTrip(t, sources)
	t.Logf("%d tables, %d partition records round-tripped", len(sources), n)
	if n == 0 {
		t.Fatal("no records")
	}
}

// TestRoundTripCorpus does the same for every table of ../shared/corpus that
// opens without a schema (Cassandra 1.2 to 4.0, ScyllaDB).
func TestRoundTripCorpus(t *testing.T) {
	dir := corpustest.Dir(t)
	sources := openTables(t, dir)
	n := roundTrip(t, sources)
	t.Logf("%d corpus tables, %d partition records round-tripped", len(sources), n)
}

// fixtureRecords returns the partitions layout of one committed fixture table.
func fixtureRecords(t testing.TB, name string) (source, []byte) {
	t.Helper()
	dirs, _ := filepath.Glob(filepath.Join(corpustest.ModuleRoot(), "testdata", "cassandra-5.0", "oa", "lz4", "edge", name+"-*"))
	if len(dirs) != 1 {
		t.Fatalf("fixture %s: found %v", name, dirs)
	}
	s := openTables(t, dirs[0])[0]
	b, err := write(t, s.tbl, sstInputs(s))
	if err != nil {
		t.Fatal(err)
	}
	return s, b
}

// TestReaderErrors: bad records give an error naming the file, line and offset,
// wrapping wire.ErrCorrupt; never a panic.
func TestReaderErrors(t *testing.T) {
	s, good := fixtureRecords(t, "tombstones")
	lines := strings.SplitAfter(string(good), "\n")
	second := int64(len(lines[0]))
	edit := func(line int, from, to string) string {
		l := slicesClone(lines)
		if !strings.Contains(l[line], from) {
			t.Fatalf("line %d has no %q: %s", line, from, l[line])
		}
		l[line] = strings.Replace(l[line], from, to, 1)
		return strings.Join(l, "")
	}
	cases := []struct {
		name, in, want string
	}{
		{"truncated", string(good[:len(good)-5]), "without a newline"},
		{"not json", lines[0] + "hello\n", "line 2 (offset " + strconv.FormatInt(second, 10) + ")"},
		{"bad hex", edit(1, `"key_hex":"`, `"key_hex":"zz`), "bad hex digit"},
		{"wrong token", edit(1, `"token":"`, `"token":"1`), "is not the token of key"},
		{"out of order", lines[1] + lines[0], "not after the previous record"},
		{"duplicate", lines[0] + lines[0], "not after the previous record"},
		{"unknown column", edit(0, `"column":"`, `"column":"nope`), "has no column"},
		{"no rows", edit(0, `"rows":[`, `"rowz":[`), ""},
		{"bad kind", strings.Replace(string(good), `"start_kind":"inclusive"`, `"start_kind":"maybe"`, 1), "bound kind"},
		{"ttl range", strings.Replace(string(good), `"ts":`, `"ttl":99999999999,"ts":`, 1), ""},
		{"deep", lines[0][:len(lines[0])-2] + `,"x":` + strings.Repeat("[", 200) + "}\n", "nested deeper"},
		{"empty line", lines[0] + "\n", "line 2"},
		// A repeated key would give the record two readings (FuzzReader's find).
		{"repeated top-level key", edit(0, `"token":"`, `"deletion":{"ts":1,"ldt":1},"deletion":{"ts":1,"ldt":1},"token":"`), `field "deletion" appears twice`},
		{"repeated row key", edit(0, `"cells":[`, `"cells":[],"cells":[`), `field "cells" appears twice`},
		{"repeated cell key", edit(0, `"column":"`, `"ts":1,"ts":1,"column":"`), `field "ts" appears twice`},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			_, err := readBack(t, s.tbl, []byte(c.in), config(s.tbl))
			if err == nil {
				t.Fatalf("no error")
			}
			if !errors.Is(err, wire.ErrCorrupt) {
				t.Errorf("%v does not wrap ErrCorrupt", err)
			}
			if !strings.Contains(err.Error(), "part-00000.jsonl: line ") || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %q: want the file, line and %q", err, c.want)
			}
		})
	}
}

// TestReaderRange: Lo and Hi keep only the partitions of a token range; together
// the ranges of a split give every record once.
func TestReaderRange(t *testing.T) {
	s, b := fixtureRecords(t, "wide")
	all, err := readBack(t, s.tbl, b, config(s.tbl))
	if err != nil {
		t.Fatal(err)
	}
	var toks [][]byte
	for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
		cur := config(s.tbl)
		r := partfile.NewReader(strings.NewReader(l+"\n"), "x", cur)
		if !r.NextPartition() {
			t.Fatal(r.Err())
		}
		toks = append(toks, s.tbl.Partitioner.AppendToken(nil, r.Partition().Key))
	}
	if len(toks) < 3 {
		t.Fatalf("want 3 or more partitions, have %d", len(toks))
	}
	cut := toks[len(toks)/2]
	lo, hi := config(s.tbl), config(s.tbl)
	lo.Hi, hi.Lo = cut, cut
	a, err := readBack(t, s.tbl, b, lo)
	if err != nil {
		t.Fatal(err)
	}
	z, err := readBack(t, s.tbl, b, hi)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(a) + string(z); got != string(all) {
		t.Errorf("split at the middle token: %d+%d bytes, want %d", len(a), len(z), len(all))
	}
	part := config(s.tbl)
	part.PartHi = toks[0]
	if _, err := readBack(t, s.tbl, b, part); err == nil || !strings.Contains(err.Error(), "outside the part's token range") {
		t.Errorf("a record outside the part's range: %v", err)
	}
}

func slicesClone(s []string) []string { return append([]string(nil), s...) }
