package sstable_test

import (
	"errors"
	"io/fs"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/aegisthus/aegisthus/internal/corpustest"
	"github.com/aegisthus/aegisthus/internal/sstable"
	"github.com/aegisthus/aegisthus/internal/sstable/format"
	"github.com/aegisthus/aegisthus/internal/storage"
)

// TestStatsBoundsHold holds the stats bounds (row.Bounds) to every 3.0+
// SSTable a real writer made: the fixtures (Cassandra 5.0 and 6.0, whose
// Statistics.db has a checksum, so the bounds are as written) and every
// SSTable of the shared corpus (Cassandra 3.0/3.11 and 4.0, ScyllaDB,
// cassandra-analytics). The bounds are forced on for every version, and every
// value of every partition is decoded: no value may fall outside its SSTable's
// stats. Only the corpus's deliberately corrupt SSTables may fail, and on a
// bound only those whose rows are mis-encoded (outOfBounds).
func TestStatsBoundsHold(t *testing.T) {
	_, file, _, _ := runtime.Caller(0)
	roots := []string{filepath.Join(filepath.Dir(file), "..", "..", "testdata")}
	if corpustest.Exists() {
		roots = append(roots, corpustest.Dir(t))
	} else {
		t.Log("no shared corpus (../shared): fixtures only")
	}
	var paths []string
	for _, root := range roots {
		err := filepath.WalkDir(root, func(p string, e fs.DirEntry, err error) error {
			if err == nil && !e.IsDir() && strings.HasSuffix(p, "Data.db") {
				paths = append(paths, p)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	byVersion := map[string]int{}
	var values int
	for _, path := range paths {
		d, _, err := format.ParseName(path)
		if err != nil || d.Version.IsLegacy() {
			continue
		}
		sst, err := sstable.Open(storage.Local{}, d, sstable.Options{})
		if err != nil {
			t.Logf("%s: not opened: %v", path, err) // corrupt or partial corpus SSTables
			continue
		}
		if sst.Layout.Bounds, err = sstable.StatsBounds(sst); err != nil {
			t.Errorf("%s: %v", path, err)
			continue
		}
		sc := sst.Scanner(0, sst.Chunks.Length())
		n := 0
		for sc.NextPartition() {
			for sc.Next() {
				n++
			}
		}
		sst.Close()
		if err := sc.Err(); err != nil {
			if strings.Contains(err.Error(), "its range in the stats") && !outOfBounds[filepath.Base(filepath.Dir(filepath.Dir(filepath.Dir(path))))] {
				t.Errorf("%s: %v", path, err)
			} else if !errors.Is(err, fs.ErrNotExist) {
				t.Logf("%s: %v", path, err)
			}
			continue
		}
		byVersion[d.Version.S]++
		values += n
	}
	t.Logf("SSTables read whole with the bounds checked, by version: %v (%d unfiltereds)", byVersion, values)
	if byVersion["nb"] == 0 || byVersion["oa"] == 0 || byVersion["da"] == 0 {
		t.Errorf("want nb, oa and da fixtures among %v", byVersion)
	}
	if corpustest.Exists() && (byVersion["mc"] < 70 || byVersion["md"] < 8 || byVersion["ma"] == 0 || byVersion["me"] == 0) {
		t.Errorf("want the corpus's ma, mc, md and me SSTables among %v", byVersion)
	}
}

// outOfBounds names the corpus datasets whose Data.db is mis-encoded (checksums
// intact) so that decoding goes astray and meets a value outside the stats:
// the mc and md copies of broken_non_compound_pi_and_range_tombstone carry a
// 7-byte int clustering bound (CORPUS.md), and the bytes after it decode as a
// deletion time of the year 22700.
var outOfBounds = map[string]bool{"broken_non_compound_pi_and_range_tombstone": true}
