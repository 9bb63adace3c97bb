package javafmt

import (
	"math"
	"testing"
)

// FuzzJavaDouble checks that appendJavaFloat never panics, that what it
// prints, for doubles and for floats, reads back as the same value with at
// least as many digits as the shortest form, and that its shortest path
// prints what the JDK port prints; and that everything prints as the port
// prints it, b's significand also in a binade of appendJavaStrconv's range.
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
			checkJavaPort(t, c.v, c.bits)
		}
		checkJavaPort(t, math.Float64frombits(b&(1<<63|1<<52-1)|uint64(1023-10+b>>52&0x7ff%34)<<52), 64)
		checkJavaPort(t, float64(math.Float32frombits(uint32(b)&(1<<31|1<<23-1)|uint32(127-10+b>>23&0xff%34)<<23)), 32)
	})
}
