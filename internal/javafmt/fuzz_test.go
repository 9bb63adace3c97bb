package javafmt

import (
	"math"
	"testing"
)

// FuzzJavaDouble checks that appendJavaFloat never panics, that what it
// prints, for doubles and for floats, reads back as the same value with at
// least as many digits as the shortest form, and that its shortest path
// prints what the JDK port prints; and that doubles print as the port prints
// them, b's significand also in a binade of appendJavaPlain's range.
func FuzzJavaDouble(f *testing.F) {
	for _, b := range []uint64{0, 1, 0x439376f3e393644e, 0xc382c807607dca51, 0x7fefffffffffffff, 0x0010000000000000, 0x44b52d02c7e14af6, 0x7ff8000000000001, 0x3f50624dd2f1a9fc,
		0x44b52d02c7e14af6, 0x445ab58b5f1454a2, 0x36b8000036c80000, 0x4542b4ef6a360f92, 0x3b10000000000000} {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b uint64) {
		for _, c := range []struct {
			v    float64
			bits int
		}{
			{math.Float64frombits(b), 64},
			{float64(math.Float32frombits(uint32(b))), 32},
			{float64(math.Float32frombits(uint32(b >> 32))), 32},
		} {
			checkJavaRoundTrip(t, c.v, c.bits)
			checkJavaShortest(t, c.v, c.bits)
		}
		checkJavaPlain(t, math.Float64frombits(b))
		checkJavaPlain(t, math.Float64frombits(b&(1<<63|1<<52-1)|uint64(1023-10+b>>52&0x7ff%34)<<52))
	})
}
