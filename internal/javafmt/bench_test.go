package javafmt

import (
	"math"
	"testing"
)

// BenchmarkJavaDouble renders 4096 varied values of one kind a loop:
// kind=score is full-precision doubles in [0, 1000) (the benchmark table's
// scores), kind=fraction full-precision doubles in [0.001, 1) and kind=large
// in [10^7, 10^17) (the E form), kind=price decimals with two places below
// 10^4, kind=integer whole numbers below 10^6, kind=bits random bit patterns
// (all magnitudes), and kind=float32 float32 scores through AppendFloat.
//
//	go test -run='^$' -bench=JavaDouble -count=6 ./internal/javafmt > new.txt && benchstat old.txt new.txt
func BenchmarkJavaDouble(b *testing.B) {
	kinds := []struct {
		name string
		val  func(x uint64) float64
		size int
	}{
		{"score", func(x uint64) float64 { return float64(x>>11) / (1 << 53) * 1000 }, 64},
		{"fraction", func(x uint64) float64 { return 0.001 + float64(x>>11)/(1<<53)*0.999 }, 64},
		{"large", func(x uint64) float64 { return float64(x>>11) / (1 << 53) * math.Pow10(7+int(x%10)) }, 64},
		{"price", func(x uint64) float64 { return float64(x%1000000) / 100 }, 64},
		{"integer", func(x uint64) float64 { return float64(x % 1000000) }, 64},
		{"bits", func(x uint64) float64 {
			if v := math.Float64frombits(x); !math.IsNaN(v) && !math.IsInf(v, 0) {
				return v
			}
			return 1
		}, 64},
		{"float32", func(x uint64) float64 { return float64(float32(float64(x>>11) / (1 << 53) * 1000)) }, 32},
	}
	for _, k := range kinds {
		b.Run("kind="+k.name, func(b *testing.B) {
			vals := make([]float64, 4096)
			x := uint64(0x9E3779B97F4A7C15)
			for i := range vals {
				x ^= x << 13
				x ^= x >> 7
				x ^= x << 17
				vals[i] = k.val(x)
			}
			dst := make([]byte, 0, 64)
			i := 0
			b.ReportAllocs()
			for b.Loop() {
				dst = appendJavaFloat(dst[:0], vals[i&4095], k.size)
				i++
			}
		})
	}
}
