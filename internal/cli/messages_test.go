package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/aegisthus/aegisthus/internal/corpustest"
	"github.com/aegisthus/aegisthus/internal/inspect"
	"github.com/aegisthus/aegisthus/internal/sstable"
	"github.com/aegisthus/aegisthus/internal/sstable/wire"
	"github.com/aegisthus/aegisthus/internal/storage"
)

// TestCorruptChunkNamesPathOnce corrupts the first chunk of a fixture's
// Data.db and checks that dump's and export's errors name the file once
// (issue 15: the partition's location and the chunk's both named it).
func TestCorruptChunkNamesPathOnce(t *testing.T) {
	srcs, _ := filepath.Glob(filepath.Join(repoTestdata(t), "cassandra-5.0", "nb", "lz4", "edge", "wide-*"))
	if len(srcs) != 1 {
		t.Fatalf("fixture wide: %v", srcs)
	}
	dir := filepath.Join(t.TempDir(), "junk2")
	corpustest.CopyFiles(t, srcs[0], dir)
	data := filepath.Join(dir, "nb-1-big-Data.db")
	b, err := os.ReadFile(data)
	if err != nil {
		t.Fatal(err)
	}
	for i := 10; i < 14; i++ {
		b[i] ^= 0xff
	}
	if err := os.WriteFile(data, b, 0o644); err != nil {
		t.Fatal(err)
	}
	runs := map[string]func() error{
		"dump": func() error {
			return (&dumpOptions{paths: []string{data}}).run(context.Background(), storage.Local{}, &bytes.Buffer{})
		},
		"export": func() error {
			o := &exportOptions{paths: []string{dir}, out: filepath.Join(t.TempDir(), "out"), workers: 1, splitSize: "1GiB",
				layout: "rows", logFormat: "text", compress: "none", quiet: true}
			return o.run(context.Background(), storage.Local{}, &bytes.Buffer{})
		},
	}
	for name, run := range runs {
		err := run()
		if !errors.Is(err, sstable.ErrCorrupt) {
			t.Fatalf("%s: %v, want corrupt", name, err)
		}
		msg := err.Error()
		if n := strings.Count(msg, "nb-1-big-Data.db"); n != 1 {
			t.Errorf("%s: %q names the file %d times, want once", name, msg, n)
		}
		if !strings.Contains(msg, "checksum mismatch") || !strings.Contains(msg, "partition at 0") {
			t.Errorf("%s: %q lost the partition or the chunk's words", name, msg)
		}
	}
}

// TestCorpusErrorsNameEachThingOnce runs every command that reads SSTables
// over the corpus's deliberately corrupt and partial SSTables and checks each
// message it gives (issue 15): every path once, no component right after a
// path that already names it, and the located offset once ("me-1-big-Data.db:
// offset 7851: Data.db: chunk 2 at offset 7851" named both twice).
func TestCorpusErrorsNameEachThingOnce(t *testing.T) {
	corpus := corpustest.Dir(t)
	b, err := os.ReadFile(filepath.Join(corpus, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var m decodeManifest
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	var inputs []string
	for _, ds := range m.Datasets {
		if ds.Kind != "corrupt" && ds.Kind != "partial" {
			continue
		}
		dir := filepath.Join(corpus, ds.Folder)
		files, _ := filepath.Glob(filepath.Join(dir, "*Data.db"))
		if len(files) == 0 {
			files = []string{dir} // TOC or CompressionInfo only: discovery's message
		}
		inputs = append(inputs, files...)
	}
	commands := []struct {
		name string
		args func(in string) []string
	}{
		{"verify", func(in string) []string { return []string{"verify", "--json", in} }},
		{"dump", func(in string) []string { return []string{"dump", in} }},
		{"dump --rows", func(in string) []string { return []string{"dump", "--rows", in} }},
		{"metadata", func(in string) []string { return []string{"metadata", in} }},
		{"export", func(in string) []string {
			return []string{"export", "-q", "--out", filepath.Join(t.TempDir(), "out"), in}
		}},
	}
	checked := 0
	for _, c := range commands {
		for _, in := range inputs {
			var out bytes.Buffer
			r := NewRoot()
			r.SetArgs(c.args(in))
			r.SetOut(&out)
			r.SetErr(io.Discard)
			err := r.Execute()
			where := c.name + " " + strings.TrimPrefix(in, corpus+"/")
			if c.name == "verify" {
				var rep struct {
					SSTables []struct {
						Failures []inspect.VerifyFailure `json:"failures"`
					} `json:"sstables"`
				}
				if jerr := json.Unmarshal(out.Bytes(), &rep); jerr != nil && err == nil {
					t.Fatalf("%s: %v\n%s", where, jerr, out.String())
				}
				for _, s := range rep.SSTables {
					for _, f := range s.Failures {
						checkNamesOnce(t, where, f.Error, corpus, f.Path, f.Offset)
						checked++
					}
				}
			}
			if err == nil {
				continue
			}
			path, off := "", int64(-1)
			if fe := (*wire.FormatError)(nil); errors.As(err, &fe) {
				path, off = fe.Path, fe.Offset
			}
			checkNamesOnce(t, where, err.Error(), corpus, path, off)
			checked++
		}
	}
	t.Logf("%d messages from %d inputs", checked, len(inputs))
	if checked < 60 {
		t.Errorf("checked %d messages over %d inputs: the corrupt corpus should give more", checked, len(inputs))
	}
}

var corpusPathRE = regexp.MustCompile(`[^\s:;]+/[^\s:;]*[^\s:;)]`)

// checkNamesOnce fails t when msg names a corpus path twice, follows a path
// with the component it ends in, or names the offset off of the located
// error (path, -1 when none) other than once after that path.
func checkNamesOnce(t *testing.T, where, msg, corpus, path string, off int64) {
	t.Helper()
	count := map[string]int{}
	paths := corpusPathRE.FindAllString(msg, -1)
	for _, p := range paths {
		count[p]++
	}
	for _, p := range paths {
		if !strings.HasPrefix(p, corpus) || count[p] < 0 {
			continue
		}
		if n := count[p]; n != 1 {
			t.Errorf("%s: names %s %d times: %s", where, p, n, msg)
		}
		count[p] = -1
		if comp := p[strings.LastIndexAny(p, "-/")+1:]; strings.Contains(comp, ".") &&
			regexp.MustCompile(`^: (offset \d+: )?`+regexp.QuoteMeta(comp)+`\b`).MatchString(msg[strings.Index(msg, p)+len(p):]) {
			t.Errorf("%s: names %s again after its path: %s", where, comp, msg)
		}
	}
	if path == "" || off < 0 {
		return
	}
	i := strings.Index(msg, path)
	if i < 0 {
		t.Errorf("%s: does not name %s: %s", where, path, msg)
		return
	}
	tail := msg[i+len(path):]
	if !wire.NamesOffset(tail, off) {
		t.Errorf("%s: does not name offset %d: %s", where, off, msg)
	}
	if n := len(regexp.MustCompile(`\boffset `+strconv.FormatInt(off, 10)+`\b`).FindAllString(tail, -1)); n > 1 {
		t.Errorf("%s: names offset %d %d times: %s", where, off, n, msg)
	}
}
