//go:build !linux

package cli

import "io"

// growPipe is a no-op outside Linux: F_SETPIPE_SZ is Linux's (pipe_linux.go).
func growPipe(io.Writer) {}
