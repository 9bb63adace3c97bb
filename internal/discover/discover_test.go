package discover

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aegisthus/aegisthus/internal/storage"
)

// TestFindSnapshotsAndBackups: a table directory's snapshots/ and backups/ are
// not read unless named, and a path whose only SSTables are there says which to name.
func TestFindSnapshotsAndBackups(t *testing.T) {
	root := t.TempDir()
	tbl := filepath.Join(root, "ks", "t-82ab9260e6b411f182511dc39b92446a")
	for _, f := range []string{
		"snapshots/nightly/nb-1-big-Data.db", "snapshots/nightly/nb-1-big-TOC.txt",
		"backups/nb-2-big-Data.db",
	} {
		p := filepath.Join(tbl, f)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	empty := t.TempDir()
	for _, c := range []struct {
		name     string
		path     string
		sstables int
		errHas   string
	}{
		{"table dir", tbl, 0, "name the one to read: " + filepath.Join(tbl, "backups") + ", " + filepath.Join(tbl, "snapshots", "nightly")},
		{"snapshot", filepath.Join(tbl, "snapshots", "nightly"), 1, ""},
		{"backups", filepath.Join(tbl, "backups"), 1, ""},
		{"empty", empty, 0, empty + ": no sstables found"},
	} {
		t.Run(c.name, func(t *testing.T) {
			tables, err := Find(storage.Local{}, []string{c.path})
			if c.errHas != "" {
				if !errors.Is(err, ErrNoSSTables) || !strings.Contains(err.Error(), c.errHas) {
					t.Fatalf("err %v, want ErrNoSSTables mentioning %q", err, c.errHas)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if len(tables) != 1 || len(tables[0].SSTables) != c.sstables {
				t.Fatalf("got %d tables %+v, want one with %d sstables", len(tables), tables, c.sstables)
			}
		})
	}
}
