package sink_test

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/aegisthus/aegisthus/internal/sink"
)

// TestLocalCleanup: Cleanup removes the temporary files of exactly the names
// it is given, and leaves a user's files, even ones that look alike, alone.
func TestLocalCleanup(t *testing.T) {
	dir := t.TempDir()
	for _, n := range []string{
		".tmp-part-00000.jsonl",     // ours, named
		".tmp-_export.json-12345",   // ours, named, as older versions spelled it
		".tmp-part-00001.jsonl-999", // ours, not named
		".tmp-part-00000.jsonl-abc", // not what CreateTemp writes
		".tmp-notes.txt-1",          // a user's, oddly named
		"part-00000.jsonl",          // committed
		"mine.txt",
	} {
		if err := os.WriteFile(filepath.Join(dir, n), nil, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	l, _ := sink.NewLocal(dir)
	if err := l.Cleanup(context.Background(), []string{"part-00000.jsonl", "_export.json"}); err != nil {
		t.Fatal(err)
	}
	ents, _ := os.ReadDir(dir)
	var left []string
	for _, e := range ents {
		left = append(left, e.Name())
	}
	want := []string{".tmp-notes.txt-1", ".tmp-part-00000.jsonl-abc", ".tmp-part-00001.jsonl-999", "mine.txt", "part-00000.jsonl"}
	if !slices.Equal(left, want) {
		t.Fatalf("left %v, want %v", left, want)
	}
}
