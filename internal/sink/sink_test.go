package sink_test

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
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

// TestLocalLock: a second Lock fails at once naming the holder; a lock whose
// holder is gone (killed) is taken over; unlock frees the output.
func TestLocalLock(t *testing.T) {
	ctx := context.Background()
	l, _ := sink.NewLocal(t.TempDir())
	unlock, err := l.Lock(ctx, sink.Self())
	if err != nil {
		t.Fatal(err)
	}
	other := sink.Self()
	other.PID = os.Getppid()
	if _, err := l.Lock(ctx, other); !errors.Is(err, sink.ErrLocked) || !strings.Contains(err.Error(), fmt.Sprintf("pid %d", os.Getpid())) {
		t.Fatalf("second lock: %v", err)
	}
	if err := unlock(); err != nil {
		t.Fatal(err)
	}
	// A holder that no longer runs: a child process that has exited.
	cmd := exec.Command("true")
	if err := cmd.Run(); err != nil {
		t.Skip(err)
	}
	dead := sink.Self()
	dead.PID = cmd.Process.Pid
	if _, err := l.Lock(ctx, dead); err != nil {
		t.Fatal(err)
	}
	unlock, err = l.Lock(ctx, sink.Self())
	if err != nil {
		t.Fatalf("taking over a dead holder's lock: %v", err)
	}
	unlock()
	if _, err := os.Stat(filepath.Join(l.Dir, sink.LockFile)); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("lock left after unlock: %v", err)
	}
}

// TestCreateSharedRace: two writers of one name at once (two attempts of one
// shard) each write a temporary file of their own; both commit, and the file
// is whole. Cleanup then finds nothing of theirs left.
func TestCreateSharedRace(t *testing.T) {
	ctx := context.Background()
	l, err := sink.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	a, err := l.CreateShared(ctx, "part-00001.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	b, err := l.CreateShared(ctx, "part-00001.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	a.Write([]byte("same bytes\n"))
	b.Write([]byte("same "))
	if err := a.Commit(); err != nil {
		t.Fatal(err)
	}
	b.Write([]byte("bytes\n"))
	if err := b.Commit(); err != nil {
		t.Fatal(err)
	}
	if got, _ := l.Get(ctx, "part-00001.jsonl"); string(got) != "same bytes\n" {
		t.Fatalf("got %q", got)
	}
	c, _ := l.CreateShared(ctx, "part-00002.jsonl") // a killed attempt's
	c.Write([]byte("half"))
	if err := l.Cleanup(ctx, []string{"part-00002.jsonl"}); err != nil {
		t.Fatal(err)
	}
	if ents, _ := os.ReadDir(l.Dir); len(ents) != 1 {
		t.Fatalf("left after cleanup: %v", ents)
	}
}
