package inspect

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aegisthus/aegisthus/internal/corpustest"
	"github.com/aegisthus/aegisthus/internal/sstable/format"
	"github.com/aegisthus/aegisthus/internal/storage"
)

func verifyExtended(t *testing.T, data string) *VerifyResult {
	t.Helper()
	d, _, err := format.ParseName(data)
	if err != nil {
		t.Fatal(err)
	}
	res, err := VerifyWith(context.Background(), storage.Local{}, d, VerifyOptions{Extended: true})
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestExtendedFixtures: every SSTable a real Cassandra wrote for testdata/
// passes the extended read, and it read something.
func TestExtendedFixtures(t *testing.T) {
	var n int
	for _, dir := range []string{"cassandra-5.0", "cassandra-6.0"} {
		root := filepath.Join(corpustest.ModuleRoot(), "testdata", dir)
		filepath.Walk(root, func(path string, fi os.FileInfo, err error) error {
			if err != nil || !strings.HasSuffix(path, "-Data.db") || strings.Contains(path, "/snapshots/") {
				return nil
			}
			n++
			res := verifyExtended(t, path)
			if len(res.Failures) > 0 || res.Extended == nil || res.Extended.Skipped != "" {
				t.Errorf("%s: %v %+v", path, res.Failures, res.Extended)
			}
			return nil
		})
	}
	if n == 0 {
		t.Fatal("no fixtures")
	}
}

// TestExtendedCorpus: the corpus's mc and md copies of a table whose range
// tombstone bounds a 2.x bug composite-encoded have valid checksums and a
// broken content; the extended read names the offset and what is wrong (the
// marker's deletion time, decoded from the bytes after the bound, is far
// outside the stats, before its "closed with deletion" at 54 shows), and
// passes the me copy, which is clean.
func TestExtendedCorpus(t *testing.T) {
	dir := filepath.Join(corpustest.Dir(t), "scylla", "legacy", "broken_non_compound_pi_and_range_tombstone", "ks", "test-1c6ace40fad111e7b9cf000000000002")
	for _, v := range []string{"mc", "md"} {
		data := filepath.Join(dir, v+"-1-big-Data.db")
		if res, err := Verify(context.Background(), storage.Local{}, mustParse(t, data)); err != nil || len(res.Failures) > 0 {
			t.Fatalf("%s: checksums: %v %v", v, err, res.Failures)
		}
		res := verifyExtended(t, data)
		var msgs []string
		for _, f := range res.Failures {
			msgs = append(msgs, f.Error)
		}
		all := strings.Join(msgs, "\n")
		if !strings.Contains(all, data+": unfiltered at 32: at offset 52: deletion timestamp 654218267804882307 (read at 43) is outside [1511270917730672, 1511270943827278]") {
			t.Errorf("%s: %s", v, all)
		}
	}
	if res := verifyExtended(t, filepath.Join(dir, "me-1-big-Data.db")); len(res.Failures) > 0 {
		t.Errorf("me: %v", res.Failures)
	}
}

func mustParse(t *testing.T, p string) format.Descriptor {
	d, _, err := format.ParseName(p)
	if err != nil {
		t.Fatal(err)
	}
	return d
}
