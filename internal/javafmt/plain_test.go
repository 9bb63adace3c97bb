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

// The tests of appendJavaPlain, the path of doubles with 1e-3 <= |v| < 1e7,
// one per claim of its doc comment; each compares with javaFloatPort, the
// port of JDK's FloatingDecimal alone (javaNever), which TestJavaFloatVectors
// and TestJavaFloatJDK check against JDK 17 itself.

// checkJavaPlain fails t when appendJavaFloat prints v (a double) other than
// the port.
func checkJavaPlain(t testing.TB, v float64) {
	t.Helper()
	var buf, pbuf [40]byte
	if got, port := appendJavaFloat(buf[:0], v, 64), javaFloatPort(pbuf[:0], v, 64); string(got) != string(port) {
		t.Errorf("%v (%#x): got %s, JDK port %s", v, math.Float64bits(v), got, port)
	}
}

// TestJavaPlainScaleExact proves that dtoa's digit loop is exact (in long
// arithmetic within javaShortestExact's bounds) for every double of the
// binades 2^-5..2^23, which hold appendJavaPlain's range, but the integers
// and the powers of two. javaScale depends on binExp, nFractBits,
// nSignificantBits (53: these are normal) and the decimal exponent estimate
// alone, so enumerating binExp, nFractBits and every estimate the binade can
// produce covers them all. The estimate is nondecreasing in fractBits (each
// float64 operation of javaEstimateDecExp rounds monotonically, and the
// floor is monotonic), so a binade's estimates are those between its ends'
// and the test takes all of them. It also checks Java's bit counts against
// the exact B (at its largest significand) and 10*S, and that the binades
// below 2^-5 down to 1e-3 are not all exact (else the range could grow).
func TestJavaPlainScaleExact(t *testing.T) {
	exact := func(binExp int) (all bool) {
		all = true
		lo := javaEstimateDecExp(1<<52, binExp)
		hi := javaEstimateDecExp(1<<53-1, binExp)
		if lo > hi || hi-lo > 1 {
			t.Fatalf("binExp %d: estimates %d..%d", binExp, lo, hi)
		}
		for nFractBits := 2; nFractBits <= 53; nFractBits++ {
			if nFractBits-binExp-1 <= 0 {
				continue // an integer: developLongDigits (TestJavaPlainIntegers)
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
	lo, hi := math.Ilogb(javaPlainMin), math.Ilogb(1e7)
	for binExp := lo; binExp <= hi; binExp++ {
		if !exact(binExp) {
			t.Errorf("binExp %d: the digit loop is not always exact", binExp)
		}
	}
	if exact(lo - 1) {
		t.Errorf("binExp %d is exact: appendJavaPlain's range could start lower", lo-1)
	}
	// The estimate at fractBits in between stays within the ends' (the
	// monotonicity the enumeration relies on), checked on a sample.
	s := javaSplitMix(7)
	for i := 0; i < 1<<16; i++ {
		x := s.next()
		binExp := int(x%29) - 5
		fract := int64(1<<52 | x>>12)
		if e := javaEstimateDecExp(fract, binExp); e < javaEstimateDecExp(1<<52, binExp) || e > javaEstimateDecExp(1<<53-1, binExp) {
			t.Fatalf("binExp %d, fractBits %#x: estimate %d outside the binade's ends", binExp, fract, e)
		}
	}
}

// TestJavaPlainPowersOfTwo compares the powers of two from 2^-10 to 2^23
// (the port's case (1) of javaShortestExact), and their neighbours, with the
// port.
func TestJavaPlainPowersOfTwo(t *testing.T) {
	for e := -10; e <= 23; e++ {
		for k := -3; k <= 3; k++ {
			v := javaStep64(math.Ldexp(1, e), k)
			checkJavaPlain(t, v)
			checkJavaPlain(t, -v)
		}
	}
}

// TestJavaPlainIntegers compares every integer of the range, both signs,
// with the port (-short: every 97th).
func TestJavaPlainIntegers(t *testing.T) {
	step := 1
	if testing.Short() {
		step = 97
	}
	workers := runtime.GOMAXPROCS(0)
	var failed atomic.Bool
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var buf, pbuf [40]byte
			for i := 1 + w*step; i < 1e7 && !failed.Load(); i += workers * step {
				for _, v := range []float64{float64(i), -float64(i)} {
					if got, port := appendJavaFloat(buf[:0], v, 64), javaFloatPort(pbuf[:0], v, 64); string(got) != string(port) {
						t.Errorf("%v: got %s, JDK port %s", v, got, port)
						failed.Store(true)
					}
				}
			}
		}()
	}
	wg.Wait()
}

// TestJavaPlainBoundaries compares 2000 doubles on each side of the form
// thresholds 1e-3 and 1e7, of appendJavaPlain's 2^-5, of every power of ten
// between them (where the number of integer digits and the decimal exponent
// change) and of the integers and halves next to them, with the port.
func TestJavaPlainBoundaries(t *testing.T) {
	at := []float64{0x1p-5}
	for e := -3; e <= 7; e++ {
		p := math.Pow10(e)
		at = append(at, p, p+0.5, p-0.5, p+1, p-1)
	}
	for _, p := range at {
		for k := -2000; k <= 2000; k++ {
			v := javaStep64(p, k)
			checkJavaPlain(t, v)
			checkJavaPlain(t, -v)
		}
		if t.Failed() {
			return
		}
	}
}

// javaPlainGens are the random values TestJavaPlainRandom draws from the
// range.
var javaPlainGens = []javaShortestGen{
	{"binade", func(s *javaSplitMix) (float64, int) {
		// A random significand in a random binade 2^-10..2^23.
		x := s.next()
		return math.Float64frombits(uint64(1023-10+x%34)<<52 | x>>12), 64
	}},
	{"shortfract", func(s *javaSplitMix) (float64, int) {
		// Few significant bits (small nFractBits): dyadic fractions.
		x := s.next()
		b := uint64(1023-10+x%34)<<52 | x>>12
		return math.Float64frombits(b &^ (1<<(x>>6%53) - 1)), 64
	}},
	{"uniform", func(s *javaSplitMix) (float64, int) {
		// Scores: uniform in [0, 10^k), k = -2..7 (the benchmark's k = 3).
		x := s.next()
		return float64(x>>11) / (1 << 53) * math.Pow10(int(x%10)-2), 64
	}},
	{"decimal", func(s *javaSplitMix) (float64, int) {
		// The double nearest m/10^n, m of 1 to 17 digits, in the range.
		x := s.next()
		digits := 1 + int(x%17)
		m := s.next() % uint64(math.Pow10(digits))
		v, _ := strconv.ParseFloat(strconv.FormatUint(m, 10)+"e"+strconv.Itoa(int(x>>8%10)-digits-2), 64)
		return v, 64
	}},
	{"nearint", func(s *javaSplitMix) (float64, int) {
		// A few ulps from an integer or a half.
		x := s.next()
		v := float64(x>>40%1e7) + float64(x>>39&1)/2
		return javaStep64(v, int(x%9)-4), 64
	}},
}

// TestJavaPlainRandom compares 2^21 random doubles of the range (five
// families, both signs) with the port; AEGISTHUS_JAVAFLOAT_N=100000000 runs
// more (on every CPU).
func TestJavaPlainRandom(t *testing.T) {
	n := 1 << 21
	if s := os.Getenv("AEGISTHUS_JAVAFLOAT_N"); s != "" {
		var err error
		if n, err = strconv.Atoi(s); err != nil {
			t.Fatal(err)
		}
	}
	workers := runtime.GOMAXPROCS(0)
	var total, inRange atomic.Int64
	var failed atomic.Bool
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			s := javaSplitMix(0x706c61696e + uint64(w)<<32)
			var in int64
			for i := w; i < n && !failed.Load(); i += workers {
				v, _ := javaPlainGens[i%len(javaPlainGens)].gen(&s)
				if i&1 != 0 {
					v = -v
				}
				if a := math.Abs(v); a >= 1e-3 && a < 1e7 {
					in++
				}
				checkJavaPlain(t, v)
				if t.Failed() {
					failed.Store(true)
				}
			}
			total.Add(int64(n / workers))
			inRange.Add(in)
		}()
	}
	wg.Wait()
	if inRange.Load() < total.Load()*3/4 {
		t.Fatalf("only %d of %d values in [1e-3, 1e7)", inRange.Load(), total.Load())
	}
	t.Logf("%d values, %d in [1e-3, 1e7), all equal to the port", total.Load(), inRange.Load())
}
