package discover

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aegisthus/aegisthus/internal/storage"
)

// The seeds: a Priam v2 meta file and an esop manifest as the helpers priamV2
// and esopTree of internal/cli/backup_tools_test.go write them (the layouts
// Netflix/Priam 3.1.127 and esop write, the Priam one in snappy-java), and
// the manifests of a full and a differential backup written by a real
// cassandra-medusa 0.31.0 (interop/medusa/run.sh).
const (
	seedPriam      = "testdata/priam-meta_v2_202612010203.json.snappy"
	seedEsop       = "testdata/esop-monday-manifest.json"
	seedMedusaFull = "testdata/medusa-full1-manifest.json"
	seedMedusaDiff = "testdata/medusa-diff1-manifest.json"
)

// memStore holds files in memory: what a fuzz target reads.
type memStore map[string][]byte

type memFile struct {
	*bytes.Reader
	name string
}

func (f memFile) Close() error          { return nil }
func (f memFile) Name() string          { return f.name }
func (f memFile) Size() int64           { return f.Reader.Size() }
func (m memStore) Exists(p string) bool { _, ok := m[p]; return ok }

func (m memStore) Open(p string) (storage.File, error) {
	b, ok := m[p]
	if !ok {
		return nil, fmt.Errorf("%s: %w", p, fs.ErrNotExist)
	}
	return memFile{bytes.NewReader(b), p}, nil
}

func (m memStore) ReadFile(p string, limit int64) ([]byte, error) {
	b, ok := m[p]
	if !ok {
		return nil, fmt.Errorf("%s: %w", p, fs.ErrNotExist)
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s: more than %d bytes: %w", p, limit, storage.ErrTooLarge)
	}
	return b, nil
}

func (m memStore) Walk(string, func(string, int64) error) error { return nil }

func readSeed(f *testing.F, name string) []byte {
	b, err := os.ReadFile(name)
	if err != nil {
		f.Fatal(err)
	}
	return b
}

// checkSelection holds what a reader added to the paths it may add: objects
// under dir, each backed by a path under dir (a manifest must not reach
// outside its node's tree), and SSTable directories among them.
func checkSelection(t *testing.T, s *BackupSelection, dir string) {
	under := func(p string) bool {
		rest, ok := strings.CutPrefix(p, dir+"/")
		return ok && !slices.ContainsFunc(strings.Split(rest, "/"), func(e string) bool { return e == "" || e == "." || e == ".." })
	}
	for v, o := range s.Objects {
		if !under(v) || !under(o.path) || o.size < 0 {
			t.Fatalf("object %q → %q (size %d): outside %s", v, o.path, o.size, dir)
		}
	}
	for _, d := range s.Dirs {
		if !under(d + "/x") {
			t.Fatalf("directory %q outside %s", d, dir)
		}
	}
	for p := range s.Only {
		if !under(p) {
			t.Fatalf("file %q outside %s", p, dir)
		}
	}
}

// FuzzPriamMeta feeds a Priam v2 meta file to priamMeta.read and addPriam
// (a snapshot, or the incremental run after it over one SST_V2 object): no
// panic, an error names the meta file, what is added stays in the node's tree.
// codec 0 stores data as is (NONE), 1 as a snappy-java stream (SNAPPY), 2
// stores data as is in the SNAPPY folder (the stream itself fuzzed).
func FuzzPriamMeta(f *testing.F) {
	raw := readSeed(f, seedPriam)
	plain, err := storage.ReadFileCodec(memStore{"m": raw}, "m", storage.CodecSnappyJava, maxMeta)
	if err != nil {
		f.Fatal(err)
	}
	f.Add(plain, uint8(0), false)
	f.Add(plain, uint8(1), true)
	f.Add(raw, uint8(2), false)
	f.Add([]byte(`{"info":{},"data":[{"sstables":[{"sstableComponents":[{"backupPath":"a/SST_V2/1/ks/t/NONE/PLAINTEXT/x"}]}]}]}`), uint8(0), false)
	f.Add([]byte(`{"info":{},"data":[{"sstables":[{"sstableComponents":[{"backupPath":"a/SST_V2/1/../../NONE/PLAINTEXT/x"}]}]}]}`), uint8(0), false)
	f.Fuzz(func(t *testing.T, data []byte, codec uint8, incr bool) {
		const node = "/b/9972_cass_demo/1808575600"
		comp := "NONE"
		stored := data
		switch codec % 3 {
		case 1:
			var buf bytes.Buffer
			w := storage.NewSnappyJavaWriter(&buf)
			w.Write(data)
			w.Close()
			comp, stored = "SNAPPY", buf.Bytes()
		case 2:
			comp = "SNAPPY"
		}
		m := &priamMeta{nodeDir: node, token: "1808575600", ms: 1796090580000, name: "202612010203",
			path: node + "/META_V2/1796090580000/" + comp + "/PLAINTEXT/meta_v2_202612010203.json", comp: comp, enc: "PLAINTEXT"}
		tree := &toolTree{metas: []priamMeta{*m}, objects: []priamObject{{nodeDir: node, ms: 1796090590000, ks: "demo", cf: "events-1",
			comp: "NONE", enc: "PLAINTEXT", file: "nb-9-big-Data.db", path: node + "/SST_V2/1796090590000/demo/events-1/NONE/PLAINTEXT/nb-9-big-Data.db"}}}
		s := &BackupSelection{}
		err := s.addPriam(memStore{m.path: stored}, backupDir{priam: m, tree: tree, incr: incr})
		if err != nil {
			if !strings.Contains(err.Error(), m.path) {
				t.Fatalf("error names no meta file: %v", err)
			}
			return
		}
		checkSelection(t, s, node)
	})
}

// FuzzEsopManifest feeds an esop manifest to esopManifest.read and addEsop.
func FuzzEsopManifest(f *testing.F) {
	f.Add(readSeed(f, seedEsop))
	f.Add([]byte(`{"snapshot":{"keyspaces":{"ks":{"tables":{"t":{"sstables":{"nb-1-big":[{"objectKey":"data/ks/t-1/1-2/nb-1-big-Data.db","size":-1}]}}}}}}}`))
	f.Add([]byte(`{"snapshot":{"keyspaces":{"ks":{"tables":{"t":{"sstables":{"nb-1-big":[{"objectKey":"data/../../../../etc","size":1}]}}}}}}}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		const node = "/b/test-cluster/dc1/node1"
		m := &esopManifest{nodeDir: node, node: "node1", tag: "monday", ms: 1796543820000,
			path: node + "/manifests/monday-8d0b7ea5-2a0f-3b0c-a6f8-6c9e6e1b3c1d-1796543820000.json"}
		s := &BackupSelection{}
		if err := s.addEsop(memStore{m.path: data}, backupDir{esop: m}); err != nil {
			if !strings.Contains(err.Error(), m.path) {
				t.Fatalf("error names no manifest: %v", err)
			}
			return
		}
		checkSelection(t, s, node)
	})
}

// FuzzMedusaManifest feeds a Medusa meta/manifest.json to addManifest. The
// seeds are the real manifests' first two tables: the fuzzer minimizes every
// new input it finds, which takes its whole budget on a 40 KB one.
func FuzzMedusaManifest(f *testing.F) {
	for i, name := range []string{seedMedusaFull, seedMedusaDiff} {
		var tables []json.RawMessage
		if err := json.Unmarshal(readSeed(f, name), &tables); err != nil || len(tables) < 2 {
			f.Fatalf("%s: %d tables, %v", name, len(tables), err)
		}
		b, _ := json.Marshal(tables[:2])
		f.Add(b, i == 1)
	}
	f.Add([]byte(`[{"objects":[{"path":"127.0.0.1/../../../data/ks/t-1/nb-1-big-Data.db"}]}]`), false)
	f.Fuzz(func(t *testing.T, data []byte, diff bool) {
		const root = "/b/medusa"
		backup := "full1"
		if diff {
			backup = "diff1"
		}
		manifest := filepath.Join(root, "127.0.0.1", backup, "meta", "manifest.json")
		s := &BackupSelection{}
		b := backupDir{layout: LayoutMedusa, root: root, node: "127.0.0.1", backup: backup, manifest: manifest}
		if err := s.addManifest(memStore{manifest: data}, b); err != nil {
			if !strings.Contains(err.Error(), manifest) {
				t.Fatalf("error names no manifest: %v", err)
			}
			return
		}
		checkSelection(t, s, root)
	})
}
