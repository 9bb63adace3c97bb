package javafmt

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

// TestJavaFloatRoundTrip checks, on values typical of real data, that
// appendJavaFloat's output reads back as the same float and has at least as
// many significant digits as the shortest form (JDK 11/17 print the shortest
// or more, never fewer). TestJavaFloatVectors checks the exact digits.
func TestJavaFloatRoundTrip(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 100000; i++ {
		var v float64
		switch i % 4 {
		case 0:
			v = r.Float64() * 1e7
		case 1:
			v = math.Round(r.Float64()*1e6) / 100
		case 2:
			v = float64(r.IntN(100000))
		default:
			v = math.Ldexp(r.Float64(), r.IntN(40)-20)
		}
		if r.IntN(2) == 0 {
			v = -v
		}
		for _, bits := range []int{32, 64} {
			x := v
			if bits == 32 {
				x = float64(float32(v))
			}
			checkJavaRoundTrip(t, x, bits)
		}
	}
}

func checkJavaRoundTrip(t *testing.T, x float64, bits int) {
	t.Helper()
	got := string(appendJavaFloat(nil, x, bits))
	back, err := strconv.ParseFloat(got, bits)
	if err != nil || back != x || math.Signbit(back) != math.Signbit(x) {
		if !(math.IsNaN(x) && got == "NaN") {
			t.Fatalf("%v (float%d): %s reads back as %v, %v", x, bits, got, back, err)
		}
		return
	}
	if math.IsInf(x, 0) || x == 0 {
		return
	}
	if n, short := significantDigits(got), significantDigits(strconv.FormatFloat(x, 'e', -1, bits)); n < short {
		t.Fatalf("%v (float%d): %s has fewer digits than the shortest (%d)", x, bits, got, short)
	}
}

// significantDigits counts the digits of s from its first nonzero one to its
// last nonzero one, ignoring the exponent.
func significantDigits(s string) int {
	first, last, n := -1, -1, 0
	for _, c := range s {
		if c == 'e' || c == 'E' {
			break
		}
		if c < '0' || c > '9' {
			continue
		}
		if c != '0' {
			if first < 0 {
				first = n
			}
			last = n
		}
		n++
	}
	if first < 0 {
		return 0
	}
	return last - first + 1
}
