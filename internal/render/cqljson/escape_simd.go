//go:build goexperiment.simd && amd64

package cqljson

import (
	"math/bits"
	"simd/archsimd"
)

// Built with GOEXPERIMENT=simd (the Makefile does so) on amd64, the scan for
// the first byte of a string that needs a look runs 32 bytes per AVX2 compare
// instead of 8 per SWAR word: long text values (a log line, a description)
// are the largest share of JSON rendering, and the SWAR loop costs about
// 60 instructions per 16 bytes where the vector loop costs about 15 per 32.
// Without AVX2 at run time, or built without the experiment
// (escape_portable.go), the SWAR code does the same job.

// vecScan reports whether plainPrefixVec may run: the CPU has AVX2. A
// variable, not a constant, so the tests can turn it off to compare both paths.
var vecScan = archsimd.X86.AVX2()

// plainPrefixVec returns the index of the first byte of s that is not plain
// JSON (below 0x20, '"', '\\', or 0x80 and up: one signed compare with 0x20
// catches both ends), or len(s) if there is none. s must hold at least 32
// bytes: the last, partial vector is read as the 32 bytes ending s, which
// overlap bytes already known to be plain.
func plainPrefixVec(s []byte) int {
	n := len(s)
	ctl := archsimd.BroadcastInt8x32(0x20)
	quote := archsimd.BroadcastInt8x32('"')
	bslash := archsimd.BroadcastInt8x32('\\')
	i := 0
	for ; n-i >= 32; i += 32 {
		x := archsimd.LoadUint8x32Slice(s[i:]).AsInt8x32()
		if m := ctl.Greater(x).Or(x.Equal(quote)).Or(x.Equal(bslash)).ToBits(); m != 0 {
			archsimd.ClearAVXUpperBits()
			return i + bits.TrailingZeros32(m)
		}
	}
	if i < n {
		i = n - 32
		x := archsimd.LoadUint8x32Slice(s[i:]).AsInt8x32()
		if m := ctl.Greater(x).Or(x.Equal(quote)).Or(x.Equal(bslash)).ToBits(); m != 0 {
			archsimd.ClearAVXUpperBits()
			return i + bits.TrailingZeros32(m)
		}
	}
	// The rest of Go's code uses SSE, which pays for dirty upper halves of
	// the vector registers (false dependencies) until they are cleared.
	archsimd.ClearAVXUpperBits()
	return n
}
