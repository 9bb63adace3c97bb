package cli

import (
	"os"
	"syscall"
	"testing"
)

func pipeSizeOf(t *testing.T, f *os.File) int {
	t.Helper()
	n, _, errno := syscall.Syscall(syscall.SYS_FCNTL, f.Fd(), syscall.F_GETPIPE_SZ, 0)
	if errno != 0 {
		t.Fatalf("F_GETPIPE_SZ: %v", errno)
	}
	return int(n)
}

// TestGrowPipe: a pipe on stdout is grown to pipeSize; files and writers that
// are not pipes are left alone.
func TestGrowPipe(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	defer w.Close()
	if n := pipeSizeOf(t, w); n >= pipeSize {
		t.Skipf("this system's pipes already hold %d bytes", n)
	}
	growPipe(w)
	if n := pipeSizeOf(t, w); n != pipeSize {
		t.Errorf("pipe holds %d bytes after growPipe, want %d", n, pipeSize)
	}

	f, err := os.Create(t.TempDir() + "/out")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	growPipe(f) // a regular file: no fcntl, no panic
	growPipe(nil)
}
