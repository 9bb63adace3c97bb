package javafmt

import (
	"bufio"
	"compress/gzip"
	"fmt"
	"math"
	"os"
	"strconv"
	"strings"
	"testing"
)

// javaSplitMix mirrors Gen.next in testdata/javafloat/Gen.java.
type javaSplitMix uint64

func (s *javaSplitMix) next() uint64 {
	*s += 0x9E3779B97F4A7C15
	z := uint64(*s)
	z = (z ^ z>>30) * 0xBF58476D1CE4E5B9
	z = (z ^ z>>27) * 0x94D049BB133111EB
	return z ^ z>>31
}

// randomDouble and randomFloat mirror Gen.randomDouble and Gen.randomFloat.
func (s *javaSplitMix) randomDouble() uint64 {
	x, b := s.next(), s.next()
	if x&3 < 2 {
		return b
	}
	b = b&0x800FFFFFFFFFFFFF | (1023-30+(x>>2)%100)<<52
	if x&3 == 3 {
		b &^= 1<<((x>>10)%53) - 1
	}
	return b
}

func (s *javaSplitMix) randomFloat() uint32 {
	x := s.next()
	b := uint32(s.next() >> 32)
	if x&3 < 2 {
		return b
	}
	b = b&0x807FFFFF | uint32((127-20+(x>>2)%50)<<23)
	if x&3 == 3 {
		b &^= 1<<((x>>10)%24) - 1
	}
	return b
}

//go:generate sh -c "cd testdata/javafloat && java Gen.java | gzip -9n > ../javafloat.txt.gz"

// TestJavaFloatVectors checks appendJavaFloat against JDK 17's Double.toString
// and Float.toString (testdata/javafloat.txt.gz, written by
// testdata/javafloat/Gen.java) on edge cases and seeded random bit patterns.
func TestJavaFloatVectors(t *testing.T) {
	f, err := os.Open("testdata/javafloat.txt.gz")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	zr, err := gzip.NewReader(f)
	if err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(zr)
	check := func(bits uint64, size int, want string) bool {
		var v float64
		if size == 32 {
			v = float64(math.Float32frombits(uint32(bits)))
		} else {
			v = math.Float64frombits(bits)
		}
		if got := string(appendJavaFloat(nil, v, size)); got != want {
			t.Errorf("float%d %x: got %s, Java prints %s", size, bits, got, want)
			return false
		}
		return true
	}
	counts := map[string]int{}
	fails := 0
	for sc.Scan() {
		line := sc.Text()
		if n, m, ok := parseRandomHeader(line); ok {
			s := javaSplitMix(0x6165676973746875)
			for i := 0; i < n+m; i++ {
				if !sc.Scan() {
					t.Fatal("vectors file truncated")
				}
				var bits uint64
				size, kind := 64, "random double"
				if i < n {
					bits = s.randomDouble()
				} else {
					bits, size, kind = uint64(s.randomFloat()), 32, "random float"
				}
				counts[kind]++
				if !check(bits, size, sc.Text()) {
					fails++
				}
			}
			continue
		}
		fields := strings.Fields(line)
		if len(fields) != 3 {
			t.Fatalf("bad line %q", line)
		}
		bits, err := strconv.ParseUint(fields[1], 16, 64)
		if err != nil {
			t.Fatal(err)
		}
		size := 64
		if fields[0] == "f" {
			size = 32
		}
		counts[fields[0]]++
		if !check(bits, size, fields[2]) {
			fails++
		}
		if fails > 50 {
			t.Fatal("too many failures")
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if counts["random double"] < 20000 || counts["random float"] < 20000 || counts["d"] < 1000 || counts["f"] < 300 {
		t.Fatalf("too few vectors: %v", counts)
	}
	t.Logf("vectors: %v", counts)
}

func parseRandomHeader(line string) (n, m int, ok bool) {
	if !strings.HasPrefix(line, "random ") {
		return 0, 0, false
	}
	if _, err := fmt.Sscanf(line, "random %d %d", &n, &m); err != nil {
		return 0, 0, false
	}
	return n, m, true
}

// TestJavaFloat128MatchesBig checks that dtoa's 128-bit shortcut develops the
// same digits as its math/big (FDBigInteger) case.
func TestJavaFloat128MatchesBig(t *testing.T) {
	defer func() { javaForceBig = false }()
	s := javaSplitMix(42)
	for i := 0; i < 300000; i++ {
		var v float64
		size := 64
		switch i % 3 {
		case 0:
			v = math.Float64frombits(s.randomDouble())
		case 1:
			// 1e-25 .. 1e25, where the shortcut applies.
			x := s.next()
			v = float64(x>>11) / (1 << 53) * math.Pow(10, float64(int(x%51)-25))
		default:
			v, size = float64(math.Float32frombits(s.randomFloat())), 32
		}
		javaForceBig = false
		fast := string(appendJavaFloat(nil, v, size))
		javaForceBig = true
		slow := string(appendJavaFloat(nil, v, size))
		if fast != slow {
			t.Fatalf("float%d %v: 128-bit %s, big %s", size, v, fast, slow)
		}
	}
}

// TestJavaDouble pins the exported form on values where JDK 17's
// Double.toString is not the shortest representation.
func TestJavaDouble(t *testing.T) {
	for _, c := range []struct {
		v    float64
		want string
	}{{1e23, "9.999999999999999E22"}, {2e23, "1.9999999999999998E23"}, {0.01, "0.01"}, {1e7, "1.0E7"}, {-0.0, "0.0"}} {
		if got := string(AppendDouble(nil, c.v)); got != c.want {
			t.Errorf("JavaDouble(%v) = %q, want %q", c.v, got, c.want)
		}
	}
}
