package javafmt

import (
	"math"
	"testing"
)

// FuzzJavaDouble checks that appendJavaFloat never panics and that what it
// prints, for doubles and for floats, reads back as the same value, with at
// least as many digits as the shortest form.
func FuzzJavaDouble(f *testing.F) {
	for _, b := range []uint64{0, 1, 0x439376f3e393644e, 0xc382c807607dca51, 0x7fefffffffffffff, 0x0010000000000000, 0x44b52d02c7e14af6, 0x7ff8000000000001, 0x3f50624dd2f1a9fc} {
		f.Add(b)
	}
	f.Fuzz(func(t *testing.T, b uint64) {
		checkJavaRoundTrip(t, math.Float64frombits(b), 64)
		checkJavaRoundTrip(t, float64(math.Float32frombits(uint32(b))), 32)
		checkJavaRoundTrip(t, float64(math.Float32frombits(uint32(b>>32))), 32)
	})
}
