package javafmt

import (
	"math"
	"math/big"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
)

// The tests of appendJavaStrconv, the path of 2^-5 <= |v| < 2^53 (floats:
// below 1e7), one per claim of its doc comment; each compares with
// javaFloatPort, the
// port of JDK's FloatingDecimal alone (javaNever), which TestJavaFloatVectors
// and TestJavaFloatJDK check against JDK 17 itself.

// checkJavaPort fails t when appendJavaFloat prints v (a float32 value if
// bitSize is 32) other than the port.
func checkJavaPort(t testing.TB, v float64, bitSize int) {
	t.Helper()
	var buf, pbuf [40]byte
	if got, port := appendJavaFloat(buf[:0], v, bitSize), javaFloatPort(pbuf[:0], v, bitSize); string(got) != string(port) {
		t.Errorf("float%d %v (%#x): got %s, JDK port %s", bitSize, v, math.Float64bits(v), got, port)
	}
}

// TestJavaStrconvScaleExact proves that dtoa's digit loop is exact (in long
// arithmetic within javaShortestExact's bounds) for every double of the
// binades 2^-5..2^52, which hold appendJavaStrconv's range, but the integers
// and the powers of two. javaScale depends on binExp, nFractBits,
// nSignificantBits (53: these are normal) and the decimal exponent estimate
// alone, so enumerating binExp, nFractBits and every estimate the binade can
// produce covers them all. The estimate is nondecreasing in fractBits (each
// float64 operation of javaEstimateDecExp rounds monotonically, and the
// floor is monotonic), so a binade's estimates are those between its ends'
// and the test takes all of them. It also checks Java's bit counts against
// the exact B (at its largest significand) and 10*S, and that the binades
// below 2^-5 down to 1e-3 are not all exact (else the range could grow).
func TestJavaStrconvScaleExact(t *testing.T) {
	exact := func(binExp int) (all bool) {
		all = true
		lo := javaEstimateDecExp(1<<52, binExp)
		hi := javaEstimateDecExp(1<<53-1, binExp)
		if lo > hi || hi-lo > 1 {
			t.Fatalf("binExp %d: estimates %d..%d", binExp, lo, hi)
		}
		for nFractBits := 2; nFractBits <= 53; nFractBits++ {
			if nFractBits-binExp-1 <= 0 {
				continue // an integer: developLongDigits (TestJavaStrconvIntegers)
			}
			for decExp := lo; decExp <= hi; decExp++ {
				B5, B2, S5, S2, _, _, Bbits, tenSbits := javaScale(binExp, nFractBits, 53, decExp)
				if !javaShortestExact(nFractBits, Bbits, tenSbits) {
					all = false
					continue
				}
				B := new(big.Int).Lsh(big.NewInt(1), uint(nFractBits))
				B.Sub(B, big.NewInt(1))
				B.Mul(B, new(big.Int).Lsh(new(big.Int).Exp(big.NewInt(5), big.NewInt(int64(B5)), nil), uint(B2)))
				tenS := new(big.Int).Lsh(new(big.Int).Exp(big.NewInt(5), big.NewInt(int64(S5+1)), nil), uint(S2+1))
				if B.BitLen() > Bbits || tenS.BitLen() > tenSbits {
					t.Errorf("binExp %d, nFractBits %d, decExp %d: B has %d bits, Bbits %d; 10S %d bits, tenSbits %d",
						binExp, nFractBits, decExp, B.BitLen(), Bbits, tenS.BitLen(), tenSbits)
				}
			}
		}
		return all
	}
	lo, hi := math.Ilogb(javaStrconvMin), math.Ilogb(1<<53)-1
	for binExp := lo; binExp <= hi; binExp++ {
		if !exact(binExp) {
			t.Errorf("binExp %d: the digit loop is not always exact", binExp)
		}
	}
	if exact(lo - 1) {
		t.Errorf("binExp %d is exact: appendJavaStrconv's range could start lower", lo-1)
	}
	// The estimate at fractBits in between stays within the ends' (the
	// monotonicity the enumeration relies on), checked on a sample.
	s := javaSplitMix(7)
	for i := 0; i < 1<<16; i++ {
		x := s.next()
		binExp := int(x%58) - 5
		fract := int64(1<<52 | x>>12)
		if e := javaEstimateDecExp(fract, binExp); e < javaEstimateDecExp(1<<52, binExp) || e > javaEstimateDecExp(1<<53-1, binExp) {
			t.Fatalf("binExp %d, fractBits %#x: estimate %d outside the binade's ends", binExp, fract, e)
		}
	}
}

// TestJavaStrconvPowersOfTwo compares the powers of two from 2^-10 to 2^53
// (the port's case (1) of javaShortestExact), and their neighbours, with the
// port.
func TestJavaStrconvPowersOfTwo(t *testing.T) {
	for e := -10; e <= 53; e++ {
		for k := -3; k <= 3; k++ {
			v := javaStep64(math.Ldexp(1, e), k)
			checkJavaPort(t, v, 64)
			checkJavaPort(t, -v, 64)
		}
	}
}

// TestJavaStrconvIntegers compares every integer below 1e7 (-short: every
// 97th) and 2^16 random ones of each binade from 2^23 to 2^52, both signs,
// with the port.
func TestJavaStrconvIntegers(t *testing.T) {
	step := 1
	if testing.Short() {
		step = 97
	}
	workers := runtime.GOMAXPROCS(0)
	var failed atomic.Bool
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			var buf, pbuf [40]byte
			s := javaSplitMix(0x696e74 + uint64(w)<<32)
			for e := 23 + w; e <= 52; e += workers {
				for range 1 << 16 {
					// A random significand with its 52-e fraction bits clear.
					b := uint64(1023+e)<<52 | s.next()>>12&^(1<<(52-e)-1)
					v := math.Float64frombits(b)
					for _, v := range []float64{v, -v} {
						if got, port := appendJavaFloat(buf[:0], v, 64), javaFloatPort(pbuf[:0], v, 64); string(got) != string(port) {
							t.Errorf("%v: got %s, JDK port %s", v, got, port)
							failed.Store(true)
							return
						}
					}
				}
			}
			for i := 1 + w*step; i < 1e7 && !failed.Load(); i += workers * step {
				for _, v := range []float64{float64(i), -float64(i)} {
					if got, port := appendJavaFloat(buf[:0], v, 64), javaFloatPort(pbuf[:0], v, 64); string(got) != string(port) {
						t.Errorf("%v: got %s, JDK port %s", v, got, port)
						failed.Store(true)
					}
				}
			}
		})
	}
	wg.Wait()
}

// TestJavaStrconvBoundaries compares 2000 doubles on each side of the form
// thresholds 1e-3 and 1e7, of appendJavaStrconv's 2^-5 and 2^53, of every
// power of ten between 1e-3 and 1e16 (where the number of integer digits and
// the decimal exponent change) and of the integers and halves next to them,
// doubles and floats, with the port.
func TestJavaStrconvBoundaries(t *testing.T) {
	at := []float64{0x1p-5, 1 << 53, 1 << 52}
	for e := -3; e <= 16; e++ {
		p := math.Pow10(e)
		at = append(at, p, p+0.5, p-0.5, p+1, p-1)
	}
	for _, p := range at {
		for k := -2000; k <= 2000; k++ {
			v := javaStep64(p, k)
			checkJavaPort(t, v, 64)
			checkJavaPort(t, -v, 64)
			v = javaStep32(float32(p), k)
			checkJavaPort(t, v, 32)
			checkJavaPort(t, -v, 32)
		}
		if t.Failed() {
			return
		}
	}
}

// javaStrconvGens are the random values TestJavaStrconvRandom draws from the
// range.
var javaStrconvGens = []javaShortestGen{
	{"binade", func(s *javaSplitMix) (float64, int) {
		// A random significand in a random binade 2^-10..2^53.
		x := s.next()
		return math.Float64frombits(uint64(1023-10+x%64)<<52 | x>>12), 64
	}},
	{"shortfract", func(s *javaSplitMix) (float64, int) {
		// Few significant bits (small nFractBits): dyadic fractions.
		x := s.next()
		b := uint64(1023-10+x%64)<<52 | x>>12
		return math.Float64frombits(b &^ (1<<(x>>6%53) - 1)), 64
	}},
	{"uniform", func(s *javaSplitMix) (float64, int) {
		// Scores: uniform in [0, 10^k), k = -2..16 (the benchmark's k = 3).
		x := s.next()
		return float64(x>>11) / (1 << 53) * math.Pow10(int(x%19)-2), 64
	}},
	{"decimal", func(s *javaSplitMix) (float64, int) {
		// The double nearest m/10^n, m of 1 to 17 digits, in the range.
		x := s.next()
		digits := 1 + int(x%17)
		m := s.next() % uint64(math.Pow10(digits))
		v, _ := strconv.ParseFloat(strconv.FormatUint(m, 10)+"e"+strconv.Itoa(int(x>>8%19)-digits-2), 64)
		return v, 64
	}},
	{"nearint", func(s *javaSplitMix) (float64, int) {
		// A few ulps from an integer or a half.
		x := s.next()
		v := float64(x>>11%(1<<(x%54))) + float64(x>>10&1)/2
		return javaStep64(v, int(x%9)-4), 64
	}},
}

// TestJavaStrconvRandom compares 2^21 random doubles of the range (five
// families, both signs) with the port; AEGISTHUS_JAVAFLOAT_N=100000000 runs
// more (on every CPU).
func TestJavaStrconvRandom(t *testing.T) {
	n := javaFloatN(t, 1<<21)
	workers := runtime.GOMAXPROCS(0)
	var total, inRange atomic.Int64
	var failed atomic.Bool
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			s := javaSplitMix(0x706c61696e + uint64(w)<<32)
			var in int64
			for i := w; i < n && !failed.Load(); i += workers {
				v, _ := javaStrconvGens[i%len(javaStrconvGens)].gen(&s)
				if i&1 != 0 {
					v = -v
				}
				if a := math.Abs(v); a >= javaStrconvMin && a < 1<<53 {
					in++
				}
				checkJavaPort(t, v, 64)
				if t.Failed() {
					failed.Store(true)
				}
			}
			total.Add(int64(n / workers))
			inRange.Add(in)
		})
	}
	wg.Wait()
	if inRange.Load() < total.Load()*3/4 {
		t.Fatalf("only %d of %d values in [2^-5, 2^53)", inRange.Load(), total.Load())
	}
	t.Logf("%d values, %d in [2^-5, 2^53), all equal to the port", total.Load(), inRange.Load())
}

// TestJavaStrconvFloats compares every 61st float32 of appendJavaStrconv's
// range (the least float of each binade among them), both signs, with the
// port; AEGISTHUS_JAVAFLOAT_ALL32=1 compares every one of them (236 M, each
// sign: a few minutes of CPU).
func TestJavaStrconvFloats(t *testing.T) {
	step := uint32(61)
	if os.Getenv("AEGISTHUS_JAVAFLOAT_ALL32") != "" {
		step = 1
	}
	first, end := math.Float32bits(float32(javaStrconvMin)), math.Float32bits(1e7)
	workers := uint32(runtime.GOMAXPROCS(0))
	var n atomic.Int64
	var failed atomic.Bool
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			var buf, pbuf [40]byte
			check := func(b uint32) {
				v := float64(math.Float32frombits(b))
				if got, port := appendJavaFloat(buf[:0], v, 32), javaFloatPort(pbuf[:0], v, 32); string(got) != string(port) {
					t.Errorf("float32 %v (%#x): got %s, JDK port %s", v, b, got, port)
					failed.Store(true)
				}
			}
			var k int64
			for b := first + w*step; b < end && !failed.Load(); b += workers * step {
				check(b)
				check(b | 1<<31)
				k++
			}
			for b := first + w<<23; b < end; b += workers << 23 {
				check(b)
				check(b - 1) // below the range, or the binade's last
			}
			n.Add(k)
		})
	}
	wg.Wait()
	if !t.Failed() {
		t.Logf("%d floats of [2^-5, 1e7), both signs, equal to the port", n.Load())
	}
}
