package inspect

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aegisthus/aegisthus/internal/corpustest"
	"github.com/aegisthus/aegisthus/internal/sstable"
	"github.com/aegisthus/aegisthus/internal/sstable/format"
	"github.com/aegisthus/aegisthus/internal/sstable/index"
	"github.com/aegisthus/aegisthus/internal/storage"
)

// TestVerifyIndexKeys: a byte flipped in an Index.db key, which the plan of an
// export refuses where a range relies on the entry, fails verify too (not only
// --extended), naming Index.db, the entry's offset and the key found at its
// Data.db position.
func TestVerifyIndexKeys(t *testing.T) {
	src, _ := filepath.Glob(filepath.Join(corpustest.ModuleRoot(), "testdata", "cassandra-5.0", "nb", "zstd", "rand_zstd", "t0-*"))
	if len(src) != 1 {
		t.Fatalf("nb fixture: %v", src)
	}
	dir := t.TempDir()
	corpustest.CopyFiles(t, src[0], dir)
	d, _, err := format.ParseName(filepath.Join(dir, "nb-1-big-Data.db"))
	if err != nil {
		t.Fatal(err)
	}
	verify := func() *VerifyResult {
		res, err := Verify(context.Background(), storage.Local{}, d)
		if err != nil {
			t.Fatal(err)
		}
		return res
	}
	if res := verify(); len(res.Failures) != 0 {
		t.Fatalf("intact: %v", res.Failures)
	}
	// Every entry's key, one at a time: its last byte flipped.
	idx, err := os.ReadFile(d.Path(format.Index))
	if err != nil {
		t.Fatal(err)
	}
	var offs []int64
	var keyEnds []int
	r := index.NewIndexReader(d.Path(format.Index), idx, d.Version, index.Options{SkipBlocks: true})
	for r.Next() {
		e := r.Entry()
		offs = append(offs, e.IndexedOffset)
		keyEnds = append(keyEnds, int(e.IndexedOffset)+2+len(e.Key))
	}
	if r.Err() != nil || len(offs) < 3 {
		t.Fatalf("%d entries, %v", len(offs), r.Err())
	}
	for i, end := range keyEnds {
		idx[end-1] ^= 0x10
		if err := os.WriteFile(d.Path(format.Index), idx, 0o644); err != nil {
			t.Fatal(err)
		}
		res := verify()
		idx[end-1] ^= 0x10
		if len(res.Failures) != 1 {
			t.Fatalf("entry %d: %d failures, want 1: %v", i, len(res.Failures), res.Failures)
		}
		f := res.Failures[0]
		want := fmt.Sprintf("%s: offset %d: entry for key ", d.Path(format.Index), offs[i])
		if f.Path != d.Path(format.Index) || f.Component != format.Index || f.Offset != offs[i] ||
			!strings.HasPrefix(f.Error, want) || !strings.Contains(f.Error, "has key") {
			t.Fatalf("entry %d: %+v, want %q...", i, f, want)
		}
	}
	if err := os.WriteFile(d.Path(format.Index), idx, 0o644); err != nil {
		t.Fatal(err)
	}
	if res := verify(); len(res.Failures) != 0 {
		t.Fatalf("restored: %v", res.Failures)
	}
}

// TestVerifyUnopenable: an SSTable whose checksums and components pass but
// which cannot be opened for reading (a Statistics.db type name that does not
// parse, in a version without Statistics.db checksums) fails verify, as it
// fails an export.
func TestVerifyUnopenable(t *testing.T) {
	if !corpustest.Exists() {
		t.Skip("no corpus")
	}
	dirs, _ := filepath.Glob(filepath.Join(corpustest.Dir(t), "scylla", "legacy", "summary_test", "test", "summary_test-*"))
	if len(dirs) != 1 {
		t.Skip("no md SSTable in the corpus")
	}
	dir := t.TempDir()
	corpustest.CopyFiles(t, dirs[0], dir)
	d, _, err := format.ParseName(filepath.Join(dir, "md-1-big-Data.db"))
	if err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(d.Path(format.Statistics))
	if err != nil {
		t.Fatal(err)
	}
	i := strings.Index(string(b), "marshal.")
	if i < 0 {
		t.Fatal("no type name in Statistics.db")
	}
	b[i+len("marshal.")] = '?'
	if err := os.WriteFile(d.Path(format.Statistics), b, 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := sstable.Open(storage.Local{}, d, sstable.Options{}); err == nil {
		t.Fatal("the mutant opens")
	}
	res, err := Verify(context.Background(), storage.Local{}, d)
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Failures) != 1 || res.Failures[0].Component != format.Statistics || !strings.Contains(res.Failures[0].Error, d.Path(format.Statistics)) {
		t.Fatalf("failures %+v, want one naming %s", res.Failures, d.Path(format.Statistics))
	}
}
