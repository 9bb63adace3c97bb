package javafmt

import "testing"

// BenchmarkJavaDouble renders varied doubles of full precision (random values
// in [0, 1000), as the benchmark table's scores), where Java's digit loop runs
// for ~16 digits.
func BenchmarkJavaDouble(b *testing.B) {
	vals := make([]float64, 4096)
	x := uint64(0x9E3779B97F4A7C15)
	for i := range vals {
		x ^= x << 13
		x ^= x >> 7
		x ^= x << 17
		vals[i] = float64(x>>11) / (1 << 53) * 1000
	}
	dst := make([]byte, 0, 64)
	i := 0
	for b.Loop() {
		dst = appendJavaFloat(dst[:0], vals[i&4095], 64)
		i++
	}
}
