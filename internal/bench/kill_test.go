package bench

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestKillAndResume kills an export with SIGKILL once some parts are committed,
// checks that no _SUCCESS exists, resumes it, and compares the result with an
// uninterrupted export of the same table. It needs the make benchdata table (so
// the export runs long enough to be killed) and builds the binary:
//
//	AEGISTHUS_KILL_TEST=1 AEGISTHUS_BENCHDATA=/tmp/bd1 go test -run KillAndResume ./internal/bench
func TestKillAndResume(t *testing.T) {
	if os.Getenv("AEGISTHUS_KILL_TEST") == "" {
		t.Skip("set AEGISTHUS_KILL_TEST=1 to build the binary and export the benchmark table twice (minutes)")
	}
	s := benchSSTable(t)
	dir := s.Desc.Dir
	s.Close()
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..")
	bin := filepath.Join(t.TempDir(), "aegisthus")
	if out, err := exec.Command("go", "build", "-o", bin, filepath.Join(root, "cmd", "aegisthus")).CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	args := func(out string, extra ...string) []string {
		return append([]string{"export", dir, "--out", out, "--split-size", "8MiB", "--workers", "2", "--now", "2026-01-01T00:00:00Z", "-q"}, extra...)
	}
	full := filepath.Join(t.TempDir(), "full")
	if out, err := exec.Command(bin, args(full)...).CombinedOutput(); err != nil {
		t.Fatalf("export: %v\n%s", err, out)
	}

	killed := filepath.Join(t.TempDir(), "killed")
	cmd := exec.Command(bin, args(killed)...)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(2 * time.Minute)
	for time.Now().Before(deadline) {
		parts, _ := filepath.Glob(filepath.Join(killed, "_part-*.json"))
		if len(parts) >= 2 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	cmd.Process.Signal(syscall.SIGKILL)
	cmd.Wait()
	if _, err := os.Stat(filepath.Join(killed, "_SUCCESS")); err == nil {
		t.Skip("the export finished before it could be killed")
	}
	parts, _ := filepath.Glob(filepath.Join(killed, "_part-*.json"))
	t.Logf("killed with %d parts committed", len(parts))
	if out, err := exec.Command(bin, args(killed)...).CombinedOutput(); err == nil {
		t.Fatalf("export into a killed run's directory without --resume succeeded:\n%s", out)
	}
	if out, err := exec.Command(bin, args(killed, "--resume")...).CombinedOutput(); err != nil {
		t.Fatalf("resume: %v\n%s", err, out)
	}
	if a, b := sortedLines(t, full), sortedLines(t, killed); !slices.Equal(a, b) {
		t.Fatalf("resumed export differs: %d rows, uninterrupted %d", len(b), len(a))
	}
}

func sortedLines(t *testing.T, dir string) []string {
	t.Helper()
	if _, err := os.Stat(filepath.Join(dir, "_SUCCESS")); err != nil {
		t.Fatalf("%s: no _SUCCESS", dir)
	}
	names, _ := filepath.Glob(filepath.Join(dir, "part-*.jsonl"))
	var lines []string
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			t.Fatal(err)
		}
		lines = append(lines, strings.Split(string(bytes.TrimSpace(b)), "\n")...)
	}
	slices.Sort(lines)
	return lines
}
