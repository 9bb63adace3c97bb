//go:build unix

package bench

import (
	"syscall"
	"time"
)

// processCPU returns the user+system CPU time of the whole process (every
// thread, the garbage collector's included).
func processCPU() time.Duration {
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
