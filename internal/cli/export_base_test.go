package cli

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/klauspost/compress/gzip"

	"github.com/aegisthus/aegisthus/internal/pipeline"
	"github.com/aegisthus/aegisthus/internal/storage"
	"github.com/aegisthus/aegisthus/internal/storage/s3/s3test"
)

// dataFiles lists the Data.db files of a table directory, in name order.
func dataFiles(t *testing.T, dir string) []string {
	t.Helper()
	fs, _ := filepath.Glob(filepath.Join(dir, "*-Data.db"))
	slices.Sort(fs)
	return fs
}

// incremental is one scenario: SSTables a exported in the partitions layout, then
// b exported with that as --base, against a and b exported at once.
type incremental struct {
	name           string
	a, b           []string
	now, schema    string
	baseSplit      string // the base's split size
	split          string // the incremental and the one-shot run's
	baseCompress   string
	layout         string // of the incremental and the one-shot run
	wantDifference bool   // the naive union of both exports differs from the merge
}

// run checks export(a+b) == export(b, --base export(a)) and returns the lines
// compared and the units of the incremental run.
func (s incremental) run(t *testing.T) (int, int) {
	t.Helper()
	common := func(paths []string) exportOptions {
		o := exportOptions{paths: paths, now: s.now, splitSize: s.split, layout: s.layout}
		o.schema.path = s.schema
		return o
	}
	bo := common(s.a)
	bo.layout, bo.splitSize, bo.compress = "partitions", s.baseSplit, s.baseCompress
	_, baseDir := exportLines(t, bo)

	want, _ := exportLines(t, common(append(append([]string{}, s.a...), s.b...)))
	inc := common(s.b)
	inc.base = baseDir
	got, incDir := exportLines(t, inc)
	if !slices.Equal(got, want) {
		for i := range min(len(got), len(want)) {
			if got[i] != want[i] {
				t.Fatalf("%s: line %d of %d/%d differs:\nincremental: %s\nat once:     %s", s.name, i, len(got), len(want), got[i], want[i])
			}
		}
		t.Fatalf("%s: %d lines incremental, %d at once", s.name, len(got), len(want))
	}
	if s.wantDifference {
		alone, _ := exportLines(t, common(s.b))
		baseRows, _ := exportLines(t, common(s.a))
		union := append(append([]string{}, alone...), baseRows...)
		slices.Sort(union)
		union = slices.Compact(union)
		sorted := slices.Clone(want)
		slices.Sort(sorted)
		if slices.Equal(union, sorted) {
			t.Errorf("%s: the two exports' union equals their merge: the scenario tests no shadowing", s.name)
		}
	}
	m := readManifest(t, incDir)
	if m.Base == nil || m.Base.Path != baseDir || len(m.Base.ManifestSHA256) != 64 {
		t.Errorf("%s: manifest records base %+v", s.name, m.Base)
	}
	s.checkPlan(t, baseDir, m)
	return len(want), len(m.Parts)
}

// checkPlan: `plan --base` predicts the units the incremental export ran, and
// every base part is read by some unit.
func (s incremental) checkPlan(t *testing.T, baseDir string, m pipeline.Manifest) {
	t.Helper()
	po := &planOptions{paths: s.b, splitSize: s.split, json: true, base: baseDir}
	po.schema.path = s.schema
	var out bytes.Buffer
	if err := po.run(context.Background(), storage.Local{}, &out); err != nil {
		t.Fatalf("%s: plan --base: %v", s.name, err)
	}
	var res pipeline.PlanResult
	if err := json.Unmarshal(out.Bytes(), &res); err != nil {
		t.Fatal(err)
	}
	got, _ := json.Marshal(res.Plan)
	want, _ := json.Marshal(m.Plan)
	if !bytes.Equal(got, want) {
		t.Fatalf("%s: plan --base:\n%s\nexport ran:\n%s", s.name, got, want)
	}
	read := map[string]bool{}
	for _, names := range res.BaseParts {
		for _, n := range names {
			read[n] = true
		}
	}
	if base := readManifest(t, baseDir); len(read) != len(base.Parts) {
		t.Errorf("%s: plan --base reads %d of the base's %d parts", s.name, len(read), len(base.Parts))
	}
}

func readManifest(t *testing.T, dir string) pipeline.Manifest {
	t.Helper()
	return readJSONFile[pipeline.Manifest](t, filepath.Join(dir, pipeline.ManifestFile))
}

// readJSONFile reads a JSON file into a T.
func readJSONFile[T any](t *testing.T, path string) T {
	t.Helper()
	var v T
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &v); err != nil {
		t.Fatal(err)
	}
	return v
}

// TestIncrementalSampleSnapshot: the 3-replica sample snapshot, one replica as
// the base and the two others as the new SSTables (and the other way round),
// merged incrementally equals all three exported at once, in both layouts, with
// one unit or many on either side.
func TestIncrementalSampleSnapshot(t *testing.T) {
	lines, maxUnits := 0, 0
	for _, table := range []string{"events", "page_views"} {
		root, rel := sampleInputs(t, table)
		var in []string
		for _, r := range rel {
			in = append(in, filepath.Join(root, r))
		}
		for _, layout := range []string{"rows", "partitions"} {
			for _, sp := range [][2]string{{"256MiB", "256MiB"}, {"8KiB", "256MiB"}, {"256MiB", "8KiB"}, {"8KiB", "16KiB"}} {
				for i, c := range []string{"none", "gzip", "zstd"} {
					s := incremental{a: in[:1], b: in[1:], now: sampleNow, baseSplit: sp[0], split: sp[1], baseCompress: c, layout: layout}
					if i == 1 {
						s.a, s.b = in[1:], in[:1]
					}
					if i == 2 {
						s.a, s.b = in[2:], in[:2]
					}
					s.name = strings.Join([]string{table, layout, sp[0], sp[1], c}, "/")
					t.Run(s.name, func(t *testing.T) {
						n, units := s.run(t)
						lines += n
						maxUnits = max(maxUnits, units)
					})
				}
			}
		}
	}
	t.Logf("%d lines compared; up to %d units", lines, maxUnits)
	if maxUnits < 3 {
		t.Errorf("no scenario ran with many units (at most %d)", maxUnits)
	}
}

// TestIncrementalFixtures: every Cassandra 5.0 fixture table of several SSTables
// (flushed one after the other, so later SSTables hold newer writes and
// tombstones), split between base and new both ways: tombstones in the new
// SSTables shadow base data, and base data shadows older new data.
func TestIncrementalFixtures(t *testing.T) {
	lines, scenarios := 0, 0
	for _, dir := range fixtureTables(t) {
		if !strings.Contains(dir, "/oa/lz4/") && !strings.Contains(dir, "/da/zstd/") && !strings.Contains(dir, "/nb/none/") {
			continue
		}
		files := dataFiles(t, dir)
		if len(files) < 2 {
			continue
		}
		m, schema := readFixtureMeta(t, dir)
		rel, _ := filepath.Rel(filepath.Join(repoTestdata(t), "cassandra-5.0"), dir)
		splits := [][2][]string{{files[:1], files[1:]}, {files[1:], files[:1]}, {files[:len(files)-1], files[len(files)-1:]}}
		for k, sp := range splits {
			for _, layout := range []string{"rows", "partitions"} {
				s := incremental{name: rel + "/" + layout, a: sp[0], b: sp[1], now: m.Now, schema: schema,
					baseSplit: "4KiB", split: "256MiB", baseCompress: "zstd", layout: layout}
				if k == 1 {
					s.baseSplit, s.split, s.baseCompress = "256MiB", "4KiB", "gzip"
				}
				s.wantDifference = strings.Contains(dir, "/tombstones-") && layout == "rows" && k < 2
				t.Run(s.name, func(t *testing.T) {
					n, _ := s.run(t)
					lines += n
					scenarios++
				})
			}
		}
	}
	t.Logf("%d scenarios, %d lines compared", scenarios, lines)
	if scenarios < 20 {
		t.Errorf("only %d scenarios", scenarios)
	}
}

// TestIncrementalChain: nightly runs, each the previous night's export plus one
// SSTable, end where one export of every SSTable ends.
func TestIncrementalChain(t *testing.T) {
	for _, dir := range fixtureTables(t) {
		if !strings.Contains(dir, "/oa/lz4/edge/tombstones-") && !strings.Contains(dir, "/oa/lz4/edge/collections-") {
			continue
		}
		files := dataFiles(t, dir)
		m, schema := readFixtureMeta(t, dir)
		o := exportOptions{paths: files[:1], now: m.Now, splitSize: "4KiB", layout: "partitions"}
		o.schema.path = schema
		_, base := exportLines(t, o)
		for _, f := range files[1:] {
			o.paths, o.base, o.out = []string{f}, base, ""
			_, base = exportLines(t, o)
		}
		for _, layout := range []string{"partitions", "rows"} {
			o.paths, o.base, o.out, o.layout = nil, base, "", layout
			// No new SSTables is not a thing: give the last one again (a merge
			// with itself changes nothing).
			o.paths = files[len(files)-1:]
			got, _ := exportLines(t, o)
			all := exportOptions{paths: files, now: m.Now, splitSize: "256MiB", layout: layout}
			all.schema.path = schema
			want, _ := exportLines(t, all)
			if !slices.Equal(got, want) {
				t.Errorf("%s %s: %d lines after the chain, %d at once", dir, layout, len(got), len(want))
			}
		}
	}
}

// baseFixture exports node1 of the sample snapshot in the partitions layout and
// returns its directory and the other replicas.
func baseFixture(t *testing.T, compress string) (string, []string) {
	root, rel := sampleInputs(t, "events")
	var in []string
	for _, r := range rel {
		in = append(in, filepath.Join(root, r))
	}
	_, dir := exportLines(t, exportOptions{paths: in[:1], now: sampleNow, splitSize: "8KiB", layout: "partitions", compress: compress})
	return dir, in[1:]
}

// rewriteManifest edits the base's manifest with f.
func rewriteManifest(t *testing.T, dir string, f func(m map[string]any)) {
	t.Helper()
	p := filepath.Join(dir, pipeline.ManifestFile)
	b, _ := os.ReadFile(p)
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	f(m)
	b, _ = json.Marshal(m)
	os.WriteFile(p, b, 0o644)
}

// TestIncrementalBadBase: a base that is not a complete, intact export of the
// table in the partitions layout is refused as bad input (exit 1), with the file
// (and line) at fault.
func TestIncrementalBadBase(t *testing.T) {
	cases := []struct {
		name   string
		break_ func(t *testing.T, dir string)
		want   []string
		exit   int
	}{
		{"no _SUCCESS", func(t *testing.T, dir string) { os.Remove(filepath.Join(dir, "_SUCCESS")) }, []string{"no _SUCCESS"}, ExitBadInput},
		{"rows layout", func(t *testing.T, dir string) {
			rewriteManifest(t, dir, func(m map[string]any) { m["layout"] = "rows" })
		}, []string{`layout "rows"`, "--layout partitions"}, ExitBadInput},
		{"missing part", func(t *testing.T, dir string) { os.Remove(filepath.Join(dir, "part-00001.jsonl")) },
			[]string{"part-00001.jsonl", "missing"}, ExitBadInput},
		{"checksum", func(t *testing.T, dir string) {
			p := filepath.Join(dir, "part-00000.jsonl")
			b, _ := os.ReadFile(p)
			b = bytes.Replace(b, []byte(`"ts":1`), []byte(`"ts":2`), 1)
			os.WriteFile(p, b, 0o644)
		}, []string{"part-00000.jsonl", "sha256"}, ExitBadInput},
		{"corrupt line", func(t *testing.T, dir string) {
			p := filepath.Join(dir, "part-00003.jsonl")
			b, _ := os.ReadFile(p)
			lines := bytes.SplitAfter(b, []byte{'\n'})
			lines[1] = bytes.Replace(lines[1], []byte(`"cells":[`), []byte(`"cells":{`), 1)
			b = bytes.Join(lines, nil)
			os.WriteFile(p, b, 0o644)
			// The manifest vouches for the corrupt bytes, so the line is the only
			// fault: otherwise whichever of the two the reader meets first is
			// reported (the sha256 at EOF, or the line, depending on buffering).
			sum := sha256.Sum256(b)
			rewriteManifest(t, dir, func(m map[string]any) {
				for _, pt := range m["parts"].([]any) {
					if pt := pt.(map[string]any); pt["name"] == "part-00003.jsonl" {
						pt["sha256"], pt["bytes"] = hex.EncodeToString(sum[:]), len(b)
					}
				}
			})
		}, []string{"part-00003.jsonl: line 2 (offset "}, ExitBadInput},
		{"type conflict", func(t *testing.T, dir string) {
			rewriteManifest(t, dir, func(m map[string]any) {
				for _, c := range m["schema"].(map[string]any)["columns"].([]any) {
					c := c.(map[string]any)
					if c["name"] == "kind" {
						c["type"] = "org.apache.cassandra.db.marshal.Int32Type"
					}
				}
			})
		}, []string{"column kind", "Data.db says text", "_manifest.json says int"}, ExitBadInput},
		{"not an export", func(t *testing.T, dir string) { os.RemoveAll(dir); os.MkdirAll(dir, 0o755) }, []string{"no _SUCCESS"}, ExitBadInput},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			dir, in := baseFixture(t, "none")
			c.break_(t, dir)
			r := NewRoot()
			r.SetArgs(append([]string{"export", "--out", t.TempDir(), "--now", sampleNow, "--split-size", "8KiB", "-q", "--base", dir}, in...))
			var stderr bytes.Buffer
			r.SetOut(&stderr)
			r.SetErr(&stderr)
			err := r.Execute()
			if err == nil {
				t.Fatal("no error")
			}
			for _, w := range c.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
			if got := ExitCode(err); got != c.exit {
				t.Errorf("exit code %d, want %d (%v)", got, c.exit, err)
			}
		})
	}
	t.Run("base is out", func(t *testing.T) {
		dir, in := baseFixture(t, "none")
		r := NewRoot()
		r.SetArgs(append([]string{"export", "--out", dir, "--overwrite", "--base", dir + "/", "-q"}, in...))
		r.SetOut(&bytes.Buffer{})
		r.SetErr(&bytes.Buffer{})
		if err := r.Execute(); ExitCode(err) != ExitUsage {
			t.Errorf("--base = --out: %v", err)
		}
	})
}

// TestIncrementalResume: an incremental run that stopped after some parts
// finishes with --resume to the same output; a different base is refused.
func TestIncrementalResume(t *testing.T) {
	dir, in := baseFixture(t, "gzip")
	o := exportOptions{paths: in, now: sampleNow, splitSize: "8KiB", base: dir}
	want, out := exportLines(t, o)
	m := readManifest(t, out)
	if len(m.Parts) < 3 {
		t.Fatalf("want 3 or more parts, have %d", len(m.Parts))
	}
	// What a killed run leaves: no _SUCCESS or manifest, part 1 not committed.
	for _, n := range []string{pipeline.SuccessFile, pipeline.ManifestFile, m.Parts[1].Name, "_part-00001.json"} {
		os.Remove(filepath.Join(out, n))
	}
	o.out, o.resume = out, true
	got, _ := exportLines(t, o)
	if !slices.Equal(got, want) {
		t.Errorf("resumed: %d lines, want %d", len(got), len(want))
	}
	other, _ := baseFixture(t, "zstd")
	os.Remove(filepath.Join(out, pipeline.SuccessFile))
	o.base = other
	o.workers, o.logFormat, o.quiet, o.layout, o.compress = 2, "text", true, "rows", "none"
	err := o.run(context.Background(), storage.Local{}, &bytes.Buffer{})
	if err == nil || !strings.Contains(err.Error(), "different inputs") {
		t.Errorf("resume with another base: %v", err)
	}
}

// TestS3IncrementalBase: a base exported to S3 and read back from S3, with the
// incremental run written to S3 too, equals one local export of everything.
func TestS3IncrementalBase(t *testing.T) {
	srv := s3test.Shared(t)
	c := srv.Client(t)
	bucket := s3test.Bucket(t, c)
	root, rel := sampleInputs(t, "events")
	var in []string
	for _, r := range rel {
		in = append(in, filepath.Join(root, r))
	}
	want, _ := exportLines(t, exportOptions{paths: in, now: sampleNow, splitSize: "8KiB"})
	base := "s3://" + bucket + "/exports/base"
	for i, args := range [][]string{
		append([]string{"--out", base, "--layout", "partitions", "--compress", "gzip"}, in[:1]...),
		append([]string{"--out", "s3://" + bucket + "/exports/inc", "--base", base}, in[1:]...),
	} {
		r := NewRoot()
		r.SetArgs(append([]string{"export", "--now", sampleNow, "--split-size", "8KiB", "-w", "2", "-q", "--s3-endpoint", srv.Endpoint}, args...))
		r.SetErr(io.Discard)
		if err := r.Execute(); err != nil {
			t.Fatalf("run %d: %v", i, err)
		}
	}
	got := readParts(t, download(t, c, bucket, "exports/inc"))
	if !slices.Equal(got, want) {
		t.Errorf("incremental through S3: %d lines, want %d", len(got), len(want))
	}
}

// TestIncrementalBaseBomb: a gzip part of a few KiB that inflates to one line
// far longer than --base-max-record fails at the cap, naming the part file and
// the record's offset (exit 1), instead of holding the line in memory (a 3 MB
// part of one 3 GiB line once ended in "fatal error: out of memory").
func TestIncrementalBaseBomb(t *testing.T) {
	dir, in := baseFixture(t, "gzip")
	const part = "part-00000.jsonl.gz"
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	zw.Write([]byte(`{"token":`))
	zw.Write(bytes.Repeat([]byte(" "), 64<<20)) // 64 MiB of one record
	zw.Write([]byte("1}\n"))
	zw.Close()
	if err := os.WriteFile(filepath.Join(dir, part), z.Bytes(), 0o644); err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(z.Bytes())
	rewriteManifest(t, dir, func(m map[string]any) {
		for _, p := range m["parts"].([]any) {
			if p := p.(map[string]any); p["name"] == part {
				p["bytes"], p["sha256"] = z.Len(), hex.EncodeToString(sum[:])
			}
		}
	})
	r := NewRoot()
	r.SetArgs(append([]string{"export", "--out", t.TempDir(), "--now", sampleNow, "--split-size", "8KiB", "-q",
		"--base", dir, "--base-max-record", "4MiB"}, in...))
	r.SetOut(&bytes.Buffer{})
	r.SetErr(&bytes.Buffer{})
	err := r.Execute()
	if err == nil || !strings.Contains(err.Error(), part) || !strings.Contains(err.Error(), "offset 0") ||
		!strings.Contains(err.Error(), "longer than 4194304 bytes") || ExitCode(err) != ExitBadInput {
		t.Fatalf("got %v (exit %d), want exit 1 naming %s, offset 0 and the cap", err, ExitCode(err), part)
	}
}
