package cli

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aegisthus/aegisthus/internal/corpustest"
	"github.com/aegisthus/aegisthus/internal/sstable"
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
