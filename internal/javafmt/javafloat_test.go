package javafmt

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"fmt"
	"math"
	"os"
	"os/exec"
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

// TestJavaFloatVectors checks appendJavaFloat and the port alone against JDK
// 17's Double.toString and Float.toString (testdata/javafloat.txt.gz, written
// by testdata/javafloat/Gen.java) on edge cases, seeded random bit patterns
// and seeded random decimals.
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
	shortest := 0 // vectors appendShortest prints
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
		if got := string(javaFloatPort(nil, v, size)); got != want {
			t.Errorf("float%d %x: the port prints %s, Java %s", size, bits, got, want)
			return false
		}
		if checkJavaShortest(t, v, size) {
			shortest++
		}
		return true
	}
	counts := map[string]int{}
	fails := 0
	s := javaSplitMix(0x6165676973746875)
	for sc.Scan() {
		line := sc.Text()
		if section, n, m, ok := parseRandomHeader(line); ok {
			for i := 0; i < n+m; i++ {
				if !sc.Scan() {
					t.Fatal("vectors file truncated")
				}
				var bits uint64
				size, kind := 64, section+" double"
				switch {
				case section == "random" && i < n:
					bits = s.randomDouble()
				case section == "random":
					bits, size, kind = uint64(s.randomFloat()), 32, section+" float"
				case i < n:
					bits = math.Float64bits(javaNiceDecimal(&s, 64))
				default:
					bits = uint64(math.Float32bits(float32(javaNiceDecimal(&s, 32))))
					size, kind = 32, section+" float"
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
	if counts["random double"] < 20000 || counts["random float"] < 20000 || counts["decimal double"] < 20000 ||
		counts["decimal float"] < 20000 || counts["d"] < 1000 || counts["f"] < 300 {
		t.Fatalf("too few vectors: %v", counts)
	}
	t.Logf("vectors: %v, %d of them by the shortest path", counts, shortest)
}

// parseRandomHeader reads "random N M" or "decimal N M".
func parseRandomHeader(line string) (section string, n, m int, ok bool) {
	if !strings.HasPrefix(line, "random ") && !strings.HasPrefix(line, "decimal ") {
		return "", 0, 0, false
	}
	if _, err := fmt.Sscanf(line, "%s %d %d", &section, &n, &m); err != nil {
		return "", 0, 0, false
	}
	return section, n, m, true
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

// TestJavaFloatJDK compares appendJavaFloat, and the shortest path wherever
// javaShortestExact allows it, with a running JDK 11 or 17 on
// AEGISTHUS_JAVAFLOAT_JDK values that testdata/javafloat/Gen.java streams
// ("java Gen.java stream N"): more than the vectors file can hold.
func TestJavaFloatJDK(t *testing.T) {
	n := os.Getenv("AEGISTHUS_JAVAFLOAT_JDK")
	if n == "" {
		t.Skip("set AEGISTHUS_JAVAFLOAT_JDK=N to compare N values with java on PATH")
	}
	version, err := exec.Command("java", "-version").CombinedOutput()
	if err != nil {
		t.Skipf("java -version: %v", err)
	}
	if !strings.Contains(string(version), `version "17.`) && !strings.Contains(string(version), `version "11.`) {
		t.Skipf("need JDK 11 or 17 (JDK 19+ prints other digits), have %s", version)
	}
	cmd := exec.Command("java", "Gen.java", "stream", n)
	cmd.Dir = "testdata/javafloat"
	cmd.Stderr = os.Stderr
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	sc := bufio.NewScanner(out)
	var lines, shortest, fails int
	var got []byte
	for sc.Scan() {
		line := sc.Bytes()
		if len(line) < 4 {
			t.Fatalf("bad line %q", line)
		}
		sp := 2 + bytes.IndexByte(line[2:], ' ')
		bits, err := strconv.ParseUint(string(line[2:sp]), 16, 64)
		if err != nil {
			t.Fatalf("bad line %q", line)
		}
		size, v := 64, math.Float64frombits(bits)
		if line[0] == 'f' {
			size, v = 32, float64(math.Float32frombits(uint32(bits)))
		}
		lines++
		if got = appendJavaFloat(got[:0], v, size); !bytes.Equal(got, line[sp+1:]) {
			t.Errorf("float%d %x: got %s, Java prints %s", size, bits, got, line[sp+1:])
			if fails++; fails > 20 {
				break
			}
		}
		// The shortest path wherever it is exact, not only where cheaper.
		if got = appendJavaFloatTry(got[:0], v, size, javaWhereExact); !bytes.Equal(got, line[sp+1:]) {
			t.Errorf("float%d %x: shortest path %s, Java prints %s", size, bits, got, line[sp+1:])
			if fails++; fails > 20 {
				break
			}
		}
		if checkJavaShortest(t, v, size) {
			shortest++
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	if err := cmd.Wait(); err != nil && fails <= 20 {
		t.Fatal(err)
	}
	if want, _ := strconv.Atoi(n); lines != want {
		t.Fatalf("java printed %d values, want %s", lines, n)
	}
	t.Logf("%d values equal to JDK's, %d of them by the shortest path", lines, shortest)
}
