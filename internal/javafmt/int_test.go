package javafmt

import (
	"math"
	"strconv"
	"testing"
)

// TestAppendInt compares AppendInt with strconv.AppendInt at every power of
// ten and its neighbours, the fast path's limits and a sweep, with and
// without room in dst.
func TestAppendInt(t *testing.T) {
	var vs []int64
	for p := int64(1); p > 0 && p <= 1e18; p *= 10 {
		vs = append(vs, p-1, p, p+1, -p, 2*p, 9*p+p-1)
	}
	vs = append(vs, 0, 99_999_999, 100_000_000, 999_999_999, 1_000_000_000, math.MaxUint32-1, math.MaxUint32, math.MaxUint32+1, -1, math.MaxInt64, math.MinInt64)
	for v := int64(0); v < 200_000; v += 7 {
		vs = append(vs, v, v*499)
	}
	for _, v := range vs {
		want := strconv.AppendInt([]byte("x:"), v, 10)
		if got := AppendInt([]byte("x:"), v); string(got) != string(want) {
			t.Fatalf("AppendInt(%d) = %q, want %q", v, got, want)
		}
		roomy := make([]byte, 2, 64)
		copy(roomy, "x:")
		if got := AppendInt(roomy, v); string(got) != string(want) {
			t.Fatalf("AppendInt(%d) with room = %q, want %q", v, got, want)
		}
	}
}

func FuzzAppendInt(f *testing.F) {
	f.Add(int64(0))
	f.Add(int64(66620238))
	f.Add(int64(4294967295))
	f.Fuzz(func(t *testing.T, v int64) {
		if got, want := AppendInt(nil, v), strconv.AppendInt(nil, v, 10); string(got) != string(want) {
			t.Fatalf("AppendInt(%d) = %q, want %q", v, got, want)
		}
	})
}
