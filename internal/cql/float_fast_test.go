package cql

import (
	"math"
	"math/rand/v2"
	"strconv"
	"testing"
)

func TestJavaFloatFastPathAgrees(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for i := 0; i < 200000; i++ {
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
			got := string(appendJavaFloat(nil, x, bits))
			want := string(appendJavaFloatSlow(nil, x, bits))
			if got != want {
				t.Fatalf("%v (float%d): fast %s, slow %s", x, bits, got, want)
			}
		}
	}
}

// appendJavaFloatSlow is appendJavaFloat without its plain-range fast path.
func appendJavaFloatSlow(dst []byte, v float64, bitSize int) []byte {
	switch {
	case math.IsNaN(v):
		return append(dst, "NaN"...)
	case math.IsInf(v, 1):
		return append(dst, "Infinity"...)
	case math.IsInf(v, -1):
		return append(dst, "-Infinity"...)
	case v == 0:
		if math.Signbit(v) {
			return append(dst, "-0.0"...)
		}
		return append(dst, "0.0"...)
	}
	var buf [40]byte
	s := strconv.AppendFloat(buf[:0], v, 'e', -1, bitSize)
	digits, exp, neg := splitE(s)
	if len(digits) == 1 {
		var buf2 [40]byte
		s2 := strconv.AppendFloat(buf2[:0], v, 'e', 1, bitSize)
		if f, err := strconv.ParseFloat(string(s2), bitSize); err == nil && f == v {
			d2, e2, _ := splitE(s2)
			if len(d2) == 2 && d2[1] != '0' {
				// Copy into buf (s2 lives in buf2, which stays valid here).
				digits, exp = d2, e2
			}
		}
	}
	if neg {
		dst = append(dst, '-')
	}
	if exp >= -3 && exp < 7 {
		if exp >= 0 {
			n := exp + 1
			if len(digits) <= n {
				dst = append(dst, digits...)
				for i := len(digits); i < n; i++ {
					dst = append(dst, '0')
				}
				return append(dst, '.', '0')
			}
			dst = append(dst, digits[:n]...)
			dst = append(dst, '.')
			return append(dst, digits[n:]...)
		}
		dst = append(dst, '0', '.')
		for i := -1; i > exp; i-- {
			dst = append(dst, '0')
		}
		return append(dst, digits...)
	}
	dst = append(dst, digits[0], '.')
	if len(digits) > 1 {
		dst = append(dst, digits[1:]...)
	} else {
		dst = append(dst, '0')
	}
	dst = append(dst, 'E')
	return strconv.AppendInt(dst, int64(exp), 10)
}
