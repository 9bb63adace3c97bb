// Package corpustest finds the shared corpus of real SSTables (../shared/corpus,
// beside the repository on project machines) for tests, and skips them with a
// clear message when it is absent, so a fresh clone passes on its own fixtures.
package corpustest

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// ModuleRoot returns the repository's root directory.
func ModuleRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..")
}

// Shared returns ../shared beside the repository, or skips tb.
func Shared(tb testing.TB) string {
	tb.Helper()
	dir := filepath.Join(ModuleRoot(), "..", "shared")
	if _, err := os.Stat(filepath.Join(dir, "corpus", "CORPUS.md")); err != nil {
		tb.Skipf("the shared corpus is not at %s (it sits beside the repository on project machines): %v", dir, err)
	}
	return dir
}

// Dir returns ../shared/corpus, or skips tb.
func Dir(tb testing.TB) string {
	tb.Helper()
	return filepath.Join(Shared(tb), "corpus")
}

// Exists reports whether the corpus is present, for fuzz seeding that must not skip.
func Exists() bool {
	_, err := os.Stat(filepath.Join(ModuleRoot(), "..", "shared", "corpus", "CORPUS.md"))
	return err == nil
}

// CopyFiles copies the regular files of directory src (not its
// subdirectories) into dst, creating it: a fixture table to edit or to
// present under another name.
func CopyFiles(tb testing.TB, src, dst string) {
	tb.Helper()
	if err := os.MkdirAll(dst, 0o755); err != nil {
		tb.Fatal(err)
	}
	ents, err := os.ReadDir(src)
	if err != nil {
		tb.Fatal(err)
	}
	for _, e := range ents {
		if !e.Type().IsRegular() {
			continue
		}
		b, err := os.ReadFile(filepath.Join(src, e.Name()))
		if err == nil {
			err = os.WriteFile(filepath.Join(dst, e.Name()), b, 0o644)
		}
		if err != nil {
			tb.Fatal(err)
		}
	}
}
