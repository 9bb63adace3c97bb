package main

import (
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// buildBinary builds aegisthus into a temporary directory.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "aegisthus")
	if out, err := exec.Command("go", "build", "-o", bin, ".").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// TestExitCodes pins what cron jobs and schedulers read: an unknown command is a
// usage error (2), a run stopped by SIGINT or SIGTERM exits 130 or 143, even
// when it is blocked where cancellation cannot reach it (here: opening a FIFO
// named like a component, which blocks until a writer comes).
func TestExitCodes(t *testing.T) {
	bin := buildBinary(t)
	code := func(err error) int {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return ee.ExitCode()
		}
		if err != nil {
			t.Fatal(err)
		}
		return 0
	}
	if got := code(exec.Command(bin, "versoin").Run()); got != 2 {
		t.Errorf("unknown command: exit %d, want 2", got)
	}
	if got := code(exec.Command(bin, "version").Run()); got != 0 {
		t.Errorf("version: exit %d, want 0", got)
	}
	// An S3 endpoint that refuses connections: exit 6 (unreachable), not 1
	// (bad input), after a bounded, logged retry.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	cmd := exec.Command(bin, "export", "s3://bucket/backup", "--out", t.TempDir(), "--s3-endpoint", "http://"+addr)
	cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test", "AWS_EC2_METADATA_DISABLED=true")
	start := time.Now()
	out, err := cmd.CombinedOutput()
	if got := code(err); got != 6 || time.Since(start) > 20*time.Second || !strings.Contains(string(out), "retrying") {
		t.Errorf("unreachable S3: exit %d after %v, want 6 within 20 s with retries logged:\n%s", got, time.Since(start), out)
	}
	for _, tc := range []struct {
		sig  syscall.Signal
		want int
	}{{syscall.SIGINT, 130}, {syscall.SIGTERM, 143}} {
		dir := t.TempDir()
		if err := os.WriteFile(filepath.Join(dir, "nb-1-big-Data.db"), []byte("x"), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := syscall.Mkfifo(filepath.Join(dir, "nb-1-big-Statistics.db"), 0o644); err != nil {
			t.Skipf("mkfifo: %v", err)
		}
		cmd := exec.Command(bin, "metadata", dir)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(300 * time.Millisecond)
		cmd.Process.Signal(tc.sig)
		done := make(chan error, 1)
		go func() { done <- cmd.Wait() }()
		select {
		case err := <-done:
			if got := code(err); got != tc.want {
				t.Errorf("%v: exit %d, want %d", tc.sig, got, tc.want)
			}
		case <-time.After(30 * time.Second):
			cmd.Process.Kill()
			t.Fatalf("%v: still running 30 s after the signal", tc.sig)
		}
	}
}
