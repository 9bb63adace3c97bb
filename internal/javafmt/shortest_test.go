package javafmt

import (
	"fmt"
	"math"
	"os"
	"runtime"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
)

// javaShortestGen names one family of inputs for TestJavaShortestMatchesPort:
// gen returns a value and its bitSize (a float32 value when 32).
type javaShortestGen struct {
	name string
	gen  func(s *javaSplitMix) (float64, int)
}

// javaShortestGens are the inputs appendShortest must get right: random bit
// patterns, the decimals data holds (k/10^n, k*10^n, read as the nearest
// double or float), the benchmark's scores, powers of two and small
// multiples of them, the neighbours of powers of ten (the form thresholds
// 1e-3 and 1e7 among them) and of 2^p and 2^63, subnormals, and
// exact-midpoint ties (1e23).
var javaShortestGens = []javaShortestGen{
	{"bits64", func(s *javaSplitMix) (float64, int) { return math.Float64frombits(s.next()), 64 }},
	{"bits32", func(s *javaSplitMix) (float64, int) {
		return float64(math.Float32frombits(uint32(s.next()))), 32
	}},
	{"gen64", func(s *javaSplitMix) (float64, int) { return math.Float64frombits(s.randomDouble()), 64 }},
	{"gen32", func(s *javaSplitMix) (float64, int) { return float64(math.Float32frombits(s.randomFloat())), 32 }},
	{"decimal64", func(s *javaSplitMix) (float64, int) { return javaNiceDecimal(s, 64), 64 }},
	{"decimal32", func(s *javaSplitMix) (float64, int) { return javaNiceDecimal(s, 32), 32 }},
	{"score", func(s *javaSplitMix) (float64, int) {
		x := s.next()
		return float64(x>>11) / (1 << 53) * math.Pow(10, float64(int(x%16)-5)), 64
	}},
	{"dyadic", func(s *javaSplitMix) (float64, int) {
		// m * 2^e with a short m: JDK's int and long loops.
		x := s.next()
		m := x >> (11 + x%53)
		v := math.Ldexp(float64(m|1), int(x>>40%200)-100)
		if x&(1<<63) != 0 {
			return float64(float32(v)), 32
		}
		return v, 64
	}},
	{"near10", func(s *javaSplitMix) (float64, int) {
		x := s.next()
		v := math.Pow(10, float64(int(x%640)-325))
		if x>>20&1 != 0 {
			v = math.Pow(10, float64(int(x%80)-40))
			v = float64(float32(v))
			return javaStep32(float32(v), int(x>>24%9)-4), 32
		}
		return javaStep64(v, int(x>>24%9)-4), 64
	}},
	{"threshold", func(s *javaSplitMix) (float64, int) {
		x := s.next()
		t := []float64{1e-3, 1e7, 1e-4, 1e8, 1 << 53, 1 << 54, 1 << 63, 1 << 24, 1 << 25, 1e16, 1e17, 1e23, 2e23, 1e40}[x%14]
		k := int(x>>8%2049) - 1024
		if x>>40&1 != 0 {
			return javaStep32(float32(t), k), 32
		}
		return javaStep64(t, k), 64
	}},
	{"subnormal", func(s *javaSplitMix) (float64, int) {
		x := s.next()
		if x&1 != 0 {
			return float64(math.Float32frombits(uint32(x>>1) & (1<<23 - 1))), 32
		}
		return math.Float64frombits(x >> 12), 64
	}},
	{"tie", func(s *javaSplitMix) (float64, int) {
		// Doubles and floats next to a midpoint N*2^k (N odd of p+1 bits)
		// that is a short decimal: N = q*5^j, k >= j, so the midpoint is
		// q*2^(k-j) * 10^j.
		x := s.next()
		p, maxJ, size := 54, 23, 64
		if x&1 != 0 {
			p, maxJ, size = 25, 10, 32
		}
		j := 1 + int(x>>1%uint64(maxJ))
		p5 := uint64(javaLong5Pow[j])
		lo := (uint64(1)<<(p-1) + p5 - 1) / p5
		hi := (uint64(1) << p) / p5
		q := (lo + x>>8%(hi-lo+1)) | 1
		if q*p5 >= 1<<p {
			q -= 2
		}
		str := strconv.FormatUint(q<<(x>>6%4), 10) + "e" + strconv.Itoa(j)
		v, _ := strconv.ParseFloat(str, size)
		k := int(x>>60%3) - 1
		if size == 32 {
			return javaStep32(float32(v), k), 32
		}
		return javaStep64(v, k), 64
	}},
}

// javaNiceDecimal returns the double or float nearest k*10^n for a random k
// of 1 to 17 digits and n in -40..40.
func javaNiceDecimal(s *javaSplitMix, bitSize int) float64 {
	x := s.next()
	digits := 1 + int(x%17)
	k := s.next() % uint64(math.Pow10(digits))
	n := int(x>>8%81) - 40
	var buf [40]byte
	b := strconv.AppendUint(buf[:0], k, 10)
	b = append(b, 'e')
	b = strconv.AppendInt(b, int64(n), 10)
	v, _ := strconv.ParseFloat(string(b), bitSize)
	return v
}

// javaStep64 and javaStep32 move v by k ulps.
func javaStep64(v float64, k int) float64 {
	return math.Float64frombits(uint64(int64(math.Float64bits(v)) + int64(k)))
}

func javaStep32(v float32, k int) float64 {
	return float64(math.Float32frombits(uint32(int32(math.Float32bits(v)) + int32(k))))
}

// checkJavaShortest reports an error when appendShortest accepts v and prints
// other than the port; it reports whether appendShortest accepted v.
func checkJavaShortest(t testing.TB, v float64, bitSize int) bool {
	f, _, ok := javaBinaryOf(nil, v, bitSize)
	if !ok {
		return false
	}
	var d javaDigits
	if !d.dtoa(f.binExp, f.fractBits, f.nSignificantBits, javaWhereExact, v, bitSize) {
		return false
	}
	var buf, pbuf [40]byte
	fast, ok := f.appendShortest(buf[:0], v, bitSize)
	if !ok {
		return false
	}
	if port := javaFloatPort(pbuf[:0], v, bitSize); string(fast) != string(port) {
		t.Errorf("float%d %v (%#x): shortest %s, JDK port %s", bitSize, v, math.Float64bits(v), fast, port)
	}
	return true
}

// TestJavaShortestMatchesPort compares appendShortest with the port on every
// family of javaShortestGens, on 2^19 values by default;
// AEGISTHUS_JAVAFLOAT_N=100000000 runs more (on every CPU).
func TestJavaShortestMatchesPort(t *testing.T) {
	n := javaFloatN(t, 1<<19)
	workers := runtime.GOMAXPROCS(0)
	var total, fast [16]atomic.Int64
	var failed atomic.Bool
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			s := javaSplitMix(0x73686f7274 + uint64(w)<<32)
			for i := w; i < n && !failed.Load(); i += workers {
				g := i % len(javaShortestGens)
				v, size := javaShortestGens[g].gen(&s)
				total[g].Add(1)
				if checkJavaShortest(t, v, size) {
					fast[g].Add(1)
				}
				if t.Failed() {
					failed.Store(true)
				}
			}
		})
	}
	wg.Wait()
	var sum, sumFast int64
	for g, gen := range javaShortestGens {
		sum += total[g].Load()
		sumFast += fast[g].Load()
		t.Logf("%-10s %10d values, %5.1f%% by the shortest path", gen.name, total[g].Load(), 100*float64(fast[g].Load())/float64(total[g].Load()))
	}
	if !t.Failed() {
		t.Logf("%d values, %d by the shortest path, all equal to the port", sum, sumFast)
	}
}

// TestJavaShortestTinySubnormals checks the subnormals with the fewest
// significant bits, whose half ulp can exceed a tenth of their first digit:
// there JDK's forced second E-form digit differs from the one-digit shortest
// (Float.toString(3*2^-149) is 4.2E-45, the shortest 4e-45).
func TestJavaShortestTinySubnormals(t *testing.T) {
	fast := 0
	for m := uint64(1); m < 1<<12; m++ {
		for _, v := range []float64{math.Float64frombits(m), -math.Float64frombits(m << 40)} {
			if checkJavaShortest(t, v, 64) {
				fast++
			}
		}
		if checkJavaShortest(t, float64(math.Float32frombits(uint32(m))), 32) {
			fast++
		}
	}
	if fast == 0 {
		t.Fatal("no tiny subnormal took the shortest path")
	}
}

// TestJavaShortestAllFloats compares appendShortest with the port on every
// positive float32 (the sign only adds a '-'), when AEGISTHUS_JAVAFLOAT_ALL32
// is set: 2^31 values, minutes of CPU.
func TestJavaShortestAllFloats(t *testing.T) {
	if os.Getenv("AEGISTHUS_JAVAFLOAT_ALL32") == "" {
		t.Skip("set AEGISTHUS_JAVAFLOAT_ALL32=1 to check every float32")
	}
	workers := runtime.GOMAXPROCS(0)
	var fast atomic.Int64
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			n := 0
			for b := uint32(w); b < 1<<31; b += uint32(workers) {
				if checkJavaShortest(t, float64(math.Float32frombits(b)), 32) {
					n++
				}
				if b&(1<<24-1) < uint32(workers) && t.Failed() {
					return
				}
			}
			fast.Add(int64(n))
		})
	}
	wg.Wait()
	if !t.Failed() {
		t.Logf("%d positive floats, %d by the shortest path, all equal to the port", 1<<31, fast.Load())
	}
}

func ExampleAppendDouble() {
	for _, v := range []float64{0.1, 123.456, 1e7, 3.5064412318210957e17, 1e23, 5e-324} {
		fmt.Println(string(AppendDouble(nil, v)))
	}
	// Output:
	// 0.1
	// 123.456
	// 1.0E7
	// 3.5064412318210957E17
	// 9.999999999999999E22
	// 4.9E-324
}

// javaFloatN is how many random values a comparison with the port draws: def,
// or $AEGISTHUS_JAVAFLOAT_N.
func javaFloatN(t *testing.T, def int) int {
	s := os.Getenv("AEGISTHUS_JAVAFLOAT_N")
	if s == "" {
		return def
	}
	n, err := strconv.Atoi(s)
	if err != nil {
		t.Fatalf("AEGISTHUS_JAVAFLOAT_N: %v", err)
	}
	return n
}

// javaFloatPort is appendJavaFloat without appendShortest or strconv: the port
// alone, which the tests compare the fast paths with.
func javaFloatPort(dst []byte, v float64, bitSize int) []byte {
	return appendJavaFloatTry(dst, v, bitSize, javaNever)
}
