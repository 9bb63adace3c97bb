package main

import (
	"bytes"
	"errors"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aegisthus/aegisthus/internal/corpustest"
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
// usage error (2), a FIFO named like a component is bad input (1) at once, an
// unreachable S3 endpoint exits 6, and a run stopped by SIGINT or SIGTERM
// exits 130 or 143, even while it waits on an endpoint that never answers.
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
	// A FIFO named like a component is refused at once (exit 1, bad input),
	// not opened: opening it would block until a writer came.
	fifoDir := t.TempDir()
	if err := os.WriteFile(filepath.Join(fifoDir, "nb-1-big-Data.db"), []byte("x"), 0o644); err != nil {
		t.Fatal(err)
	}
	if err := syscall.Mkfifo(filepath.Join(fifoDir, "nb-1-big-Statistics.db"), 0o644); err == nil {
		start := time.Now()
		out, err := exec.Command(bin, "metadata", fifoDir).CombinedOutput()
		if got := code(err); got != 1 || time.Since(start) > 10*time.Second || !strings.Contains(string(out), "nb-1-big-Statistics.db") {
			t.Errorf("FIFO Statistics.db: exit %d after %v, want 1 at once naming it:\n%s", got, time.Since(start), out)
		}
	}
	// A signal ends a run blocked where cancellation may not reach at once:
	// here an S3 endpoint that accepts connections and never answers, with a
	// timeout far longer than the test.
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	go func() {
		for {
			c, err := silent.Accept()
			if err != nil {
				return
			}
			defer c.Close() // held open, never answered
		}
	}()
	for _, tc := range []struct {
		sig  syscall.Signal
		want int
	}{{syscall.SIGINT, 130}, {syscall.SIGTERM, 143}} {
		cmd := exec.Command(bin, "export", "s3://bucket/backup", "--out", t.TempDir(),
			"--s3-endpoint", "http://"+silent.Addr().String(), "--s3-timeout", "10m")
		cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test", "AWS_EC2_METADATA_DISABLED=true")
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		time.Sleep(500 * time.Millisecond)
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

// TestExitCodeClasses runs one failure of each class and checks its exit code
// (cli.ExitCode): bad input 1, usage 2, output 3, partial 5, unreachable 6.
// Nothing known exits 4.
func TestExitCodeClasses(t *testing.T) {
	bin := buildBinary(t)
	fixture := func(name string) string {
		m, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "cassandra-5.0", "nb", "lz4", "edge", name+"-*"))
		if len(m) != 1 {
			t.Fatalf("fixture %s: %v", name, m)
		}
		return m[0]
	}
	table := func(name string) string { // a copy to break
		dst := filepath.Join(t.TempDir(), "ks", filepath.Base(fixture(name)))
		corpustest.CopyFiles(t, fixture(name), dst)
		return dst
	}
	edit := func(dir, component string, fn func([]byte) []byte) {
		m, _ := filepath.Glob(filepath.Join(dir, "nb-1-big-"+component))
		if len(m) != 1 {
			t.Fatalf("%s in %s: %v", component, dir, m)
		}
		b, err := os.ReadFile(m[0])
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(m[0], fn(b), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	bigTOC := table("every_type")
	edit(bigTOC, "TOC.txt", func(b []byte) []byte { return append(b, bytes.Repeat([]byte("\n"), 70<<10)...) })
	badKey := table("every_type")
	edit(badKey, "Index.db", func(b []byte) []byte { b[2] ^= 0x01; return b }) // the first entry's key
	twoTables := filepath.Join(t.TempDir(), "ks")
	corpustest.CopyFiles(t, fixture("every_type"), filepath.Join(twoTables, filepath.Base(fixture("every_type"))))
	broken := filepath.Join(twoTables, filepath.Base(fixture("statics")))
	corpustest.CopyFiles(t, fixture("statics"), broken)
	edit(broken, "Data.db", func(b []byte) []byte { b[len(b)/2] ^= 0xff; return b })
	notDir := filepath.Join(t.TempDir(), "file")
	if err := os.WriteFile(notDir, nil, 0o644); err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refused := l.Addr().String()
	l.Close()

	for _, tc := range []struct {
		name string
		args []string
		want int
	}{
		{"input: TOC.txt over 64 KiB", []string{"export", bigTOC, "--out", t.TempDir()}, 1},
		// A unit per partition: the plan relies on the first entry (a cut
		// at its token), so it reads the partition there.
		{"input: index key not the partition's", []string{"export", badKey, "--out", t.TempDir(), "--split-size", "1"}, 1},
		{"usage: unknown flag", []string{"export", fixture("every_type"), "--out", t.TempDir(), "--no-such-flag"}, 2},
		{"usage: output not empty", []string{"export", fixture("every_type"), "--out", filepath.Dir(notDir)}, 2},
		{"output: --out under a file", []string{"export", fixture("every_type"), "--out", filepath.Join(notDir, "sub")}, 3},
		{"partial: one table of two is corrupt", []string{"export", twoTables, "--out", t.TempDir()}, 5},
		{"unreachable: S3 refuses connections", []string{"export", "s3://bucket/backup", "--out", t.TempDir(), "--s3-endpoint", "http://" + refused}, 6},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cmd := exec.Command(bin, tc.args...)
			cmd.Env = append(os.Environ(), "AWS_ACCESS_KEY_ID=test", "AWS_SECRET_ACCESS_KEY=test", "AWS_EC2_METADATA_DISABLED=true")
			out, err := cmd.CombinedOutput()
			got := 0
			var ee *exec.ExitError
			if errors.As(err, &ee) {
				got = ee.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("exit %d, want %d:\n%s", got, tc.want, out)
			}
		})
	}
}
