// Command compare checks aegisthus against what Cassandra itself printed for
// the same SSTables (fixtures written by `gen`):
//
//	dump       aegisthus dump F          vs sstabledump F          (equal as JSON values)
//	rows       aegisthus dump --rows F   vs SELECT JSON * rows     (tables with one SSTable; multisets)
//	metadata   aegisthus metadata F      vs sstablemetadata F      (the "Name: value" fields both print)
//
// JSON is compared as values: object key order and number spelling (1E+2 =
// 100.0) are free, -0 is not 0. A command aegisthus does not have yet is
// reported as "not implemented" and its check skipped. Exit status is 1 when
// any compared item differs.
//
//	compare -bin bin/aegisthus [-seed N] [-v] DIR...
//
// With -rows WANT.jsonl it compares the JSON lines of its arguments (part files of
// an export, concatenated) with WANT as multisets of JSON values, says in one
// line whether they are equal, and exits 1 when they are not (make demo):
//
//	compare -rows expected/events.select-json.jsonl OUT/part-*.jsonl
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io/fs"
	"math/big"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
)

type meta struct {
	Format      string   `json:"format"`
	Compression string   `json:"compression"`
	Seed        uint64   `json:"seed"`
	Now         string   `json:"now"`
	CQL         []string `json:"cql"`
	Rows        int      `json:"rows"`
}

type check struct {
	name                      string
	implemented               bool
	why                       string
	items, same, diff, failed int
	rows                      int
}

var (
	bin     = flag.String("bin", "bin/aegisthus", "aegisthus binary")
	seed    = flag.String("seed", "", "seed that produced the SSTables (printed with mismatches, for `make interop SEED=...`)")
	verbose = flag.Bool("v", false, "print every compared item")
	maxShow = flag.Int("show", 5, "mismatches to print in detail per check")
	rowsOf  = flag.String("rows", "", "compare the JSON lines of the arguments with this file of SELECT JSON rows, as multisets")
)

func main() {
	flag.Parse()
	if *rowsOf != "" {
		os.Exit(compareRows(*rowsOf, flag.Args()))
	}
	if flag.NArg() == 0 {
		fmt.Fprintln(os.Stderr, "usage: compare -bin bin/aegisthus DIR...")
		os.Exit(2)
	}
	checks := map[string]*check{"dump": {name: "dump"}, "rows": {name: "rows"}, "metadata": {name: "metadata"}, "export": {name: "export"}}
	checks["export"].implemented, checks["export"].why = hasFlag("export", "--now")
	checks["dump"].implemented, checks["dump"].why = has("dump")
	checks["rows"].implemented, checks["rows"].why = hasFlag("dump", "--rows")
	checks["metadata"].implemented, checks["metadata"].why = has("metadata")
	var dirs []string
	for _, root := range flag.Args() {
		filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
			if err == nil && d.Name() == "meta.json" && filepath.Base(filepath.Dir(p)) == "expected" {
				dirs = append(dirs, filepath.Dir(filepath.Dir(p)))
			}
			return nil
		})
	}
	sort.Strings(dirs)
	tables, sstables := 0, 0
	for _, dir := range dirs {
		var m meta
		b, err := os.ReadFile(filepath.Join(dir, "expected", "meta.json"))
		if err == nil {
			err = json.Unmarshal(b, &m)
		}
		if err != nil {
			fmt.Printf("skip %s: %v\n", dir, err)
			continue
		}
		data, _ := filepath.Glob(filepath.Join(dir, "*-Data.db"))
		if len(data) == 0 {
			continue // a snapshot root or an empty table
		}
		sort.Strings(data)
		tables++
		sstables += len(data)
		where := func(sst string) string {
			s := fmt.Sprintf("seed=%d table=%s", m.Seed, dir)
			if *seed != "" {
				s = fmt.Sprintf("seed=%s table=%s", *seed, dir)
			}
			if sst != "" {
				s += " sstable=" + filepath.Base(sst)
			}
			return s
		}
		schema := filepath.Join(os.TempDir(), fmt.Sprintf("aegisthus-compare-%d.cql", os.Getpid()))
		os.WriteFile(schema, []byte(strings.Join(m.CQL, ";\n")+";\n"), 0o644)
		for _, f := range data {
			name := strings.TrimSuffix(filepath.Base(f), "-Data.db")
			if c := checks["dump"]; c.implemented {
				want, err := os.ReadFile(filepath.Join(dir, "expected", name+".sstabledump.json"))
				if err == nil {
					c.items++
					got, stderr, err := run("dump", "--now", m.Now, f) // sstabledump flagged expired cells at that instant
					if err != nil {
						c.failed++
						report(c, "%s: aegisthus dump failed: %v: %s", where(f), err, firstLine(stderr))
					} else if d := diffJSON(want, got); d != "" {
						c.diff++
						report(c, "%s: dump differs from sstabledump: %s", where(f), d)
					} else {
						c.same++
						if *verbose {
							fmt.Printf("ok dump %s\n", where(f))
						}
					}
				}
			}
			if c := checks["metadata"]; c.implemented {
				want, err := os.ReadFile(filepath.Join(dir, "expected", name+".sstablemetadata.txt"))
				if err == nil {
					c.items++
					got, stderr, err := run("metadata", f)
					if err != nil {
						c.failed++
						report(c, "%s: aegisthus metadata failed: %v: %s", where(f), err, firstLine(stderr))
					} else if d, n := diffFields(string(want), string(got)); d != "" {
						c.diff++
						report(c, "%s: metadata differs from sstablemetadata (%d fields compared): %s", where(f), n, d)
					} else {
						c.same++
					}
				}
			}
		}
		if c := checks["rows"]; c.implemented && len(data) == 1 {
			want, err := os.ReadFile(filepath.Join(dir, "expected", "select-json.jsonl"))
			if err == nil {
				c.items++
				args := []string{"dump", "--rows", "--schema", schema}
				if m.Now != "" {
					args = append(args, "--now", m.Now)
				}
				got, stderr, err := run(append(args, data[0])...)
				if err != nil {
					c.failed++
					report(c, "%s: aegisthus dump --rows failed: %v: %s", where(data[0]), err, firstLine(stderr))
				} else if d, n := diffRows(want, got); d != "" {
					c.diff++
					c.rows += n
					report(c, "%s: dump --rows differs from SELECT JSON (now=%s): %s", where(data[0]), m.Now, d)
				} else {
					c.same++
					c.rows += n
				}
			}
		}
		if c := checks["export"]; c.implemented {
			exportCheck(c, m, schema, []string{dir}, filepath.Join(dir, "expected", "select-json.jsonl"), where(""))
		}
		os.Remove(schema)
	}
	// Snapshots of several replicas: <root>/expected/<table>.meta.json with
	// <root>/node*/<ks>/<table>-<id>/snapshots/<tag>/.
	if c := checks["export"]; c.implemented {
		for _, root := range flag.Args() {
			metas, _ := filepath.Glob(filepath.Join(root, "**", "expected", "*.meta.json"))
			more, _ := filepath.Glob(filepath.Join(root, "expected", "*.meta.json"))
			for _, mf := range append(more, metas...) {
				var m meta
				b, err := os.ReadFile(mf)
				if err == nil {
					err = json.Unmarshal(b, &m)
				}
				if err != nil {
					continue
				}
				base := filepath.Dir(filepath.Dir(mf))
				table := strings.TrimSuffix(filepath.Base(mf), ".meta.json")
				inputs, _ := filepath.Glob(filepath.Join(base, "node*", "*", table+"-*", "snapshots", "*"))
				if len(inputs) == 0 {
					continue
				}
				tables++
				for _, in := range inputs {
					d, _ := filepath.Glob(filepath.Join(in, "*-Data.db"))
					sstables += len(d)
				}
				exportCheck(c, m, "", inputs, strings.TrimSuffix(mf, ".meta.json")+".select-json.jsonl",
					fmt.Sprintf("seed=%d replicas=%d table=%s", m.Seed, len(inputs), table))
			}
		}
	}
	fmt.Printf("compared %d tables, %d SSTables under %s\n", tables, sstables, strings.Join(flag.Args(), " "))
	bad := false
	for _, k := range []string{"dump", "rows", "metadata", "export"} {
		c := checks[k]
		if !c.implemented {
			fmt.Printf("  %-9s not implemented (%s)\n", c.name, c.why)
			continue
		}
		extra := ""
		if k == "rows" || k == "export" {
			extra = fmt.Sprintf(", %d rows", c.rows)
		}
		fmt.Printf("  %-9s %d compared, %d equal, %d differ, %d failed%s\n", c.name, c.items, c.same, c.diff, c.failed, extra)
		if c.diff+c.failed > 0 {
			bad = true
		}
	}
	if bad {
		os.Exit(1)
	}
}

func report(c *check, format string, args ...any) {
	if c.diff+c.failed <= *maxShow {
		fmt.Printf("MISMATCH "+format+"\n", args...)
	}
}

func firstLine(s string) string {
	s = strings.TrimSpace(s)
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		return s[:i]
	}
	return s
}

func run(args ...string) ([]byte, string, error) {
	cmd := exec.Command(*bin, args...)
	var so, se bytes.Buffer
	cmd.Stdout, cmd.Stderr = &so, &se
	err := cmd.Run()
	return so.Bytes(), se.String(), err
}

// has reports whether aegisthus has the subcommand.
func has(sub string) (bool, string) {
	if _, err := os.Stat(*bin); err != nil {
		return false, "no binary at " + *bin + "; run make build"
	}
	out, se, err := run(sub, "--help")
	if err != nil || strings.Contains(string(out)+se, "unknown command") {
		return false, fmt.Sprintf("`aegisthus %s` is missing", sub)
	}
	return true, ""
}

func hasFlag(sub, flag string) (bool, string) {
	if ok, why := has(sub); !ok {
		return ok, why
	}
	out, se, _ := run(sub, "--help")
	if !strings.Contains(string(out)+se, flag) {
		return false, fmt.Sprintf("`aegisthus %s` has no %s", sub, flag)
	}
	return true, ""
}

func decode(b []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(b))
	d.UseNumber()
	var v any
	if err := d.Decode(&v); err != nil {
		return nil, err
	}
	return v, nil
}

// canon renders v with sorted keys and canonical numbers.
func canon(v any) string {
	var b strings.Builder
	var w func(v any)
	w = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			keys := make([]string, 0, len(x))
			for k := range x {
				keys = append(keys, k)
			}
			sort.Strings(keys)
			b.WriteByte('{')
			for i, k := range keys {
				if i > 0 {
					b.WriteByte(',')
				}
				kb, _ := json.Marshal(k)
				b.Write(kb)
				b.WriteByte(':')
				w(x[k])
			}
			b.WriteByte('}')
		case []any:
			b.WriteByte('[')
			for i, e := range x {
				if i > 0 {
					b.WriteByte(',')
				}
				w(e)
			}
			b.WriteByte(']')
		case json.Number:
			b.WriteString(canonNumber(string(x)))
		default:
			j, _ := json.Marshal(x)
			b.Write(j)
		}
	}
	w(v)
	return b.String()
}

func canonNumber(s string) string {
	// A number with a fraction or an exponent is a float or double value: compare
	// the double it denotes. JDK 17's Double.toString (sstabledump, sstablemetadata)
	// is not always the shortest spelling (-1.69167474879187488E17), aegisthus's is.
	if strings.ContainsAny(s, ".eE") {
		if f, err := strconv.ParseFloat(s, 64); err == nil {
			return strconv.FormatFloat(f, 'g', -1, 64)
		}
	}
	r, ok := new(big.Rat).SetString(s)
	if !ok {
		return s
	}
	if r.Sign() == 0 && strings.HasPrefix(s, "-") {
		return "-0"
	}
	return r.RatString()
}

// diffJSON compares two sstabledump documents (arrays of partitions) and
// describes the first difference, or returns "".
func diffJSON(want, got []byte) string {
	w, err := decode(want)
	if err != nil {
		return "expected output is not JSON: " + err.Error()
	}
	g, err := decode(got)
	if err != nil {
		return "aegisthus output is not JSON: " + err.Error()
	}
	if canon(w) == canon(g) {
		return ""
	}
	wa, ok1 := w.([]any)
	ga, ok2 := g.([]any)
	if !ok1 || !ok2 {
		return fmt.Sprintf("want %.300s, got %.300s", canon(w), canon(g))
	}
	if len(wa) != len(ga) {
		return fmt.Sprintf("%d partitions, want %d; first differing %s", len(ga), len(wa), firstDiff(wa, ga))
	}
	return firstDiff(wa, ga)
}

func firstDiff(wa, ga []any) string {
	for i := 0; i < len(wa) && i < len(ga); i++ {
		if canon(wa[i]) == canon(ga[i]) {
			continue
		}
		key := ""
		if p, ok := wa[i].(map[string]any); ok {
			if pp, ok := p["partition"].(map[string]any); ok {
				key = canon(pp["key"])
			}
			wr, _ := p["rows"].([]any)
			gp, _ := ga[i].(map[string]any)
			gr, _ := gp["rows"].([]any)
			for j := 0; j < len(wr) && j < len(gr); j++ {
				if canon(wr[j]) != canon(gr[j]) {
					return fmt.Sprintf("partition %d key %s row %d at %s\n    want %.600s\n    got  %.600s", i, key, j, firstPath(wr[j], gr[j], "$"), canon(wr[j]), canon(gr[j]))
				}
			}
		}
		return fmt.Sprintf("partition %d key %s at %s\n    want %.600s\n    got  %.600s", i, key, firstPath(wa[i], ga[i], "$"), canon(wa[i]), canon(ga[i]))
	}
	return fmt.Sprintf("partition %d: present on one side only", min(len(wa), len(ga)))
}

// exportCheck runs aegisthus export over inputs (every SSTable of every
// replica) at meta's now and compares the part files, as a multiset of JSON
// rows, with want (SELECT JSON * at ALL).
func exportCheck(c *check, m meta, schema string, inputs []string, want, where string) {
	wantB, err := os.ReadFile(want)
	if err != nil {
		return
	}
	c.items++
	out, err := os.MkdirTemp("", "aegisthus-compare-export-")
	if err != nil {
		c.failed++
		return
	}
	defer os.RemoveAll(out)
	args := append([]string{"export"}, inputs...)
	args = append(args, "--out", out, "--overwrite", "-q")
	if schema != "" {
		args = append(args, "--schema", schema)
	}
	if m.Now != "" {
		args = append(args, "--now", m.Now)
	}
	_, stderr, err := run(args...)
	if err != nil {
		c.failed++
		report(c, "%s: aegisthus export failed: %v: %s", where, err, firstLine(stderr))
		return
	}
	var got []byte
	filepath.WalkDir(out, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && !strings.HasPrefix(d.Name(), "_") && !strings.HasPrefix(d.Name(), ".") {
			b, _ := os.ReadFile(p)
			got = append(got, b...)
			if len(b) > 0 && b[len(b)-1] != '\n' {
				got = append(got, '\n')
			}
		}
		return nil
	})
	d, n := diffRows(wantB, got)
	c.rows += n
	if d != "" {
		c.diff++
		report(c, "%s: export differs from SELECT JSON at ALL (now=%s): %s", where, m.Now, d)
		return
	}
	c.same++
}

// firstPath names the first place where w and g differ, with both values.
func firstPath(w, g any, path string) string {
	switch x := w.(type) {
	case map[string]any:
		y, ok := g.(map[string]any)
		if !ok {
			break
		}
		keys := make([]string, 0, len(x)+len(y))
		for k := range x {
			keys = append(keys, k)
		}
		for k := range y {
			if _, ok := x[k]; !ok {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			a, ok1 := x[k]
			b, ok2 := y[k]
			switch {
			case !ok1:
				return fmt.Sprintf("%s.%s (extra: %.200s)", path, k, canon(b))
			case !ok2:
				return fmt.Sprintf("%s.%s (missing, want %.200s)", path, k, canon(a))
			case canon(a) != canon(b):
				return firstPath(a, b, path+"."+k)
			}
		}
	case []any:
		y, ok := g.([]any)
		if !ok {
			break
		}
		for i := 0; i < len(x) && i < len(y); i++ {
			if canon(x[i]) != canon(y[i]) {
				return firstPath(x[i], y[i], fmt.Sprintf("%s[%d]", path, i))
			}
		}
		if len(x) != len(y) {
			return fmt.Sprintf("%s (length %d, want %d)", path, len(y), len(x))
		}
	}
	return fmt.Sprintf("%s: want %.200s, got %.200s", path, canon(w), canon(g))
}

// diffRows compares JSON lines as multisets; returns the first row missing
// or extra, and the number of expected rows.
func diffRows(want, got []byte) (string, int) {
	count := func(b []byte) (map[string]int, []string, error) {
		m := map[string]int{}
		var order []string
		for _, l := range bytes.Split(b, []byte("\n")) {
			if len(bytes.TrimSpace(l)) == 0 {
				continue
			}
			v, err := decode(l)
			if err != nil {
				return nil, nil, fmt.Errorf("%w in %.200s", err, l)
			}
			c := canon(v)
			if m[c] == 0 {
				order = append(order, c)
			}
			m[c]++
		}
		return m, order, nil
	}
	wm, wo, err := count(want)
	if err != nil {
		return "expected rows: " + err.Error(), 0
	}
	gm, gos, err := count(got)
	if err != nil {
		return "aegisthus rows: " + err.Error(), len(wo)
	}
	n := 0
	for _, c := range wm {
		n += c
	}
	for _, r := range wo {
		if gm[r] < wm[r] {
			return fmt.Sprintf("row missing (want %d, got %d):\n    %.600s", wm[r], gm[r], r), n
		}
	}
	for _, r := range gos {
		if gm[r] > wm[r] {
			return fmt.Sprintf("row not in SELECT JSON (want %d, got %d):\n    %.600s", wm[r], gm[r], r), n
		}
	}
	return "", n
}

// fields reads the top-level "Name: value" lines of sstablemetadata text.
func fields(s string) map[string]string {
	m := map[string]string{}
	for _, l := range strings.Split(s, "\n") {
		if l == "" || l[0] == ' ' || l[0] == '\t' {
			continue
		}
		i := strings.Index(l, ": ")
		if i <= 0 {
			continue
		}
		m[l[:i]] = strings.TrimSpace(l[i+2:])
	}
	return m
}

// ignored fields: the SSTable path (depends on where it was run) and the
// droppable-tombstone estimate (depends on the wall clock at run time).
var ignored = map[string]bool{"SSTable": true, "Estimated droppable tombstones": true}

func diffFields(want, got string) (string, int) {
	w, g := fields(want), fields(got)
	var keys []string
	for k := range w {
		if _, ok := g[k]; ok && !ignored[k] {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		if w[k] != g[k] {
			return fmt.Sprintf("%s: want %q, got %q", k, w[k], g[k]), len(keys)
		}
	}
	if len(keys) == 0 {
		return "no field in common", 0
	}
	return "", len(keys)
}

// compareRows is -rows: the files' JSON lines against want's, as multisets.
func compareRows(want string, files []string) int {
	w, err := os.ReadFile(want)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 2
	}
	var got []byte
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 2
		}
		got = append(append(got, b...), '\n')
	}
	diff, n := diffRows(w, got)
	if diff != "" {
		fmt.Printf("rows: NOT equal to %s (%d rows): %s\n", want, n, diff)
		return 1
	}
	fmt.Printf("rows: %d exported, equal to Cassandra's SELECT JSON * at ALL (%s)\n", n, want)
	return 0
}
