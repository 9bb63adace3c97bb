package discover_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aegisthus/aegisthus/internal/discover"
	"github.com/aegisthus/aegisthus/internal/storage"
)

// TestNotTakenReasons: where no SSTable is found, the error says why the files
// that look like components were not taken: a version this build does not
// read (named once, even when the user named the file), or components whose
// Data.db is missing.
func TestNotTakenReasons(t *testing.T) {
	dir := t.TempDir()
	write := func(name string) string {
		p := filepath.Join(dir, name)
		os.MkdirAll(filepath.Dir(p), 0o755)
		if err := os.WriteFile(p, []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	ms := write("future/ms-1-big-Data.db")
	write("future/ms-1-big-TOC.txt")
	write("orphans/nb-3-big-TOC.txt")
	write("orphans/nb-3-big-CompressionInfo.db")
	for _, tc := range []struct {
		path string
		want []string
	}{
		{filepath.Dir(ms), []string{`big format version "ms"`, "unsupported"}},
		{ms, []string{`big format version "ms"`}},
		{filepath.Join(dir, "orphans"), []string{"nb-3-big-Data.db is missing (found", "CompressionInfo.db", "TOC.txt"}},
	} {
		_, err := discover.Scan(storage.Local{}, []string{tc.path})
		if !errors.Is(err, discover.ErrNoSSTables) {
			t.Fatalf("%s: %v, want ErrNoSSTables", tc.path, err)
		}
		for _, w := range tc.want {
			if !strings.Contains(err.Error(), w) {
				t.Errorf("%s: %v, want it to say %q", tc.path, err, w)
			}
		}
		if n := strings.Count(err.Error(), `version "ms"`); n > 1 {
			t.Errorf("%s: the reason appears %d times: %v", tc.path, n, err)
		}
	}
}
