package cli

import (
	"io"
	"os"
	"syscall"
)

// pipeSize is the buffer growPipe asks for: 1 MiB, the default
// /proc/sys/fs/pipe-max-size, so any user may set it.
const pipeSize = 1 << 20

// growPipe enlarges the pipe behind w, when w is one, from Linux's default
// 64 KiB to pipeSize. dump writes its output in blocks of 64 KiB (256 KiB
// with --rows); through a 64 KiB pipe each block waits for the reader to
// drain the pipe, and those sleeps and wake-ups cost more than the copy
// (issue 16: `dump | cat` of the benchmark table went from 3.5 to 2.8 s wall
// and from ~3.1 to ~2.8 CPU-s). Failure changes nothing but speed, so it is
// ignored.
func growPipe(w io.Writer) {
	f, ok := w.(*os.File)
	if !ok {
		return
	}
	fi, err := f.Stat()
	if err != nil || fi.Mode()&os.ModeNamedPipe == 0 {
		return
	}
	rc, err := f.SyscallConn()
	if err != nil {
		return
	}
	rc.Control(func(fd uintptr) {
		if n, _, errno := syscall.Syscall(syscall.SYS_FCNTL, fd, syscall.F_GETPIPE_SZ, 0); errno == 0 && n < pipeSize {
			syscall.Syscall(syscall.SYS_FCNTL, fd, syscall.F_SETPIPE_SZ, pipeSize)
		}
	})
}
