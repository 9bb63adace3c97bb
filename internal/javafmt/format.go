package javafmt

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/big"
	"math/bits"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/aegisthus/aegisthus/internal/sstable/wire"
)

const hexDigits = "0123456789abcdef"

// appendJavaFloat appends v as Java 11/17's Float.toString (bitSize 32; v must
// then be a float32 value) or Double.toString (bitSize 64) print it: "NaN",
// "[-]Infinity", "[-]0.0", "ddd.ddd" for 1e-3 <= |v| < 1e7 and "d.dddE[-]n"
// otherwise. Cassandra 5.0 runs on JDK 11 or 17, whose FloatingDecimal does not
// always print the shortest digits (3.5064412318210957E17 where JDK 19+ and
// strconv print 3.506441231821096E17), so this is a port of that code (dtoa),
// which hands full-precision doubles over to strconv's shortest digits
// (appendShortest) where they are provably JDK's and cheaper; most values of
// data (2^-5 <= |v| < 2^53, floats below 1e7) go to strconv before the port
// starts (appendJavaStrconv).
func appendJavaFloat(dst []byte, v float64, bitSize int) []byte {
	if a := math.Abs(v); a >= javaStrconvMin && (a < 1e7 || bitSize == 64 && a < 1<<53) {
		return appendJavaStrconv(dst, v, a, bitSize)
	}
	return appendJavaFloatTry(dst, v, bitSize, javaWhereCheaper)
}

// javaStrconvMin is the least |v| appendJavaStrconv takes.
const javaStrconvMin = 0x1p-5

// appendJavaStrconv is appendJavaFloat for a = |v| in [2^-5, 2^53) (floats:
// [2^-5, 1e7)) without the port: there JDK's digits are strconv's shortest
// ones. For floats TestJavaStrconvFloats compares every one of them with the
// port (236 M values, each sign; by default every 61st). For doubles, case by case
// (TestJavaStrconv* check each claim, exhaustively where the cases are
// finite):
//
//   - An integer (a < 2^53) takes dtoa's developLongDigits case with no
//     insignificant digits (binExp < nSignificantBits): its exact digits,
//     trailing zeros dropped. They are strconv's shortest: a decimal of fewer
//     significant digits within half an ulp (at most 1/2) of it would be
//     another integer, too far.
//   - Any other value takes the digit loop in long arithmetic within
//     javaShortestExact's bounds: Bbits and tenSbits depend on binExp
//     (-5..52), nFractBits and the decimal exponent estimate alone
//     (javaScale), and TestJavaStrconvScaleExact enumerates them all. (The
//     binades 2^-9..2^-6 need tenSbits 61 to 63: the range stops above
//     them.) So the loop develops the shortest nearest digits, strconv's,
//     except (1) at the powers of two, of which the non-integers here are
//     2^-5..2^-1 (compared with the port), and (2) and (3) of appendShortest,
//     which cannot occur: (2) needs a >= 2^53, and (3) a one-digit shortest
//     of at least 1e7, an integer.
//   - Rounding is monotonic, so the shortest digits of a >= 2^-5 are at
//     least 0.03125 and those of a < 1e7 below 1e7: exponent -2..6 there,
//     the plain form, and 7..15 above, the E form, as strconv's 'e' output
//     says. A non-integer's shortest digits are not an integer (an integer
//     below 2^53 would read back as itself), so with exponent 0..6 they have
//     more digits than the exponent plus one, and the point falls inside
//     them.
func appendJavaStrconv(dst []byte, v, a float64, bitSize int) []byte {
	if a < 1e7 {
		if i := int64(v); float64(i) == v {
			dst = strconv.AppendInt(dst, i, 10)
			return append(dst, '.', '0')
		}
	}
	// strconv's 'f' form costs more than its 'e' form, "[-]d[.ddd]e±xx",
	// which is rearranged where it lands.
	start := len(dst)
	if v < 0 {
		start++
	}
	dst = strconv.AppendFloat(dst, v, 'e', -1, bitSize)
	s := dst[start:]
	n := len(s) - 4 // s[n:] is "e±xx"
	x := int(s[n+2]-'0')*10 + int(s[n+3]-'0')
	switch {
	case s[n+1] == '-':
		// "0.0dddd": the x-1 zeros and "0." take at most the 4 bytes of
		// "e-0x" (x <= 2), the point's place too if there is one.
		d := s[0]
		if n > 1 {
			copy(s[x+2:], s[2:n])
		} else {
			n = 2
		}
		s[0], s[1] = '0', '.'
		for i := 2; i <= x; i++ {
			s[i] = '0'
		}
		s[x+1] = d
		return dst[:start+n+x]
	case x < 7:
		// "d.dddd": x digits move before the point (a loop: x <= 6 bytes
		// cost less than a call to memmove).
		t := s[1 : 2+x]
		for i := 1; i < len(t); i++ {
			t[i-1] = t[i]
		}
		t[x] = '.'
		return dst[:start+n]
	case n == 1:
		// "d.0Ex": appendChars' second digit.
		dst = append(dst[:start+1], '.', '0', 'E')
	default:
		// "d.dddEx"
		s[n] = 'E'
		dst = dst[:start+n+1]
	}
	if x >= 10 {
		return append(dst, byte('0'+x/10), byte('0'+x%10))
	}
	return append(dst, byte('0'+x))
}

// javaTry says where dtoa leaves the digits to appendShortest.
type javaTry int

const (
	javaNever        javaTry = iota // nowhere: the port alone
	javaWhereExact                  // wherever javaShortestExact holds (tests)
	javaWhereCheaper                // where javaShortestCheaper holds too
)

func appendJavaFloatTry(dst []byte, v float64, bitSize int, try javaTry) []byte {
	f, dst, ok := javaBinaryOf(dst, v, bitSize)
	if !ok {
		return dst
	}
	var d javaDigits
	if d.dtoa(f.binExp, f.fractBits, f.nSignificantBits, try, v, bitSize) {
		if out, ok := f.appendShortest(dst, v, bitSize); ok {
			return out
		}
		d.dtoa(f.binExp, f.fractBits, f.nSignificantBits, javaNever, v, bitSize)
	}
	return d.appendChars(dst, f.neg)
}

// javaShortestExact reports whether dtoa's digit loop, which is not in its
// developLongDigits case (integers below 2^63), develops the shortest digits
// that read back as the value, the nearest of them, as strconv does
// (Dragonbox, ties to even), or may develop others; appendShortest checks the
// rest. The loop (Steele & White) runs in int, long or FDBigInteger
// arithmetic (Bbits and tenSbits, the bit lengths of B and 10*S, choose):
//
//   - The int and long loops overflow near their limits ((b<<1)-tens picks
//     the wrong neighbour: Float.toString prints 5.5024506E25 for
//     5.50245069...E25). While the loop goes on, b < tens, m <= b and
//     b+m <= tens, so the next 10m < 5tens, b+m < 6tens and 2b < 2tens stay
//     exact when tens < 2^60 (int: 2^28); otherwise the port.
//   - The loop, when exact, stops at the first digit where the rest of the
//     value lies within half an ulp (low: truncate, strictly; high: round
//     up; both: the nearer, ties to the even digit): the shortest and
//     nearest output except (1) at powers of two (nFractBits 1), where JDK
//     halves the margin on both sides although only the lower neighbour is
//     nearer: the port; (2) and (3) in appendShortest.
func javaShortestExact(nFractBits, Bbits, tenSbits int) bool {
	switch {
	case nFractBits == 1:
		return false // (1)
	case Bbits < 32 && tenSbits < 32:
		return tenSbits <= 28
	case Bbits < 64 && tenSbits < 64:
		return tenSbits <= 60
	}
	return true
}

// javaShortestCheaper reports whether strconv's shortest digits (about 45 ns
// whatever their number) cost less than dtoa's int or long loop (about 8 ns a
// digit) for v, a choice of cost only: decimals with few places (prices,
// 12.5) and floats have few digits; full-precision doubles 15 to 17.
// BenchmarkJavaDouble's kinds measure it.
func javaShortestCheaper(v float64, bitSize, Bbits, tenSbits int) bool {
	if Bbits >= 64 || tenSbits >= 64 {
		return true // FDBigInteger (or its 128-bit shortcut): always dearer
	}
	if bitSize == 32 {
		return false
	}
	// Within 1e-3 of k/10^4, |k| < 10^8 (the product rounds: 0.29*1e4 is
	// 2899.9999999999995): at most 8 digits. Kept small enough to inline.
	t := v * 1e4
	if t >= 1e8 || t <= -1e8 {
		return true
	}
	f := t - float64(int64(t))
	return f*f >= 1e-6 && f*f <= 0.998
}

// javaBinary is a finite nonzero value as FloatingDecimal sees it: |v| =
// fractBits * 2^(binExp-52), fractBits normalized to have its leading one at
// bit 52 (float significands shifted up), nSignificantBits bits from it on.
type javaBinary struct {
	neg              bool
	fractBits        int64
	binExp           int
	nSignificantBits int
}

// javaBinaryOf splits v (FloatingDecimal.getBinaryToASCIIConverter). For NaN,
// infinities and zeros it appends their text instead and reports false.
func javaBinaryOf(dst []byte, v float64, bitSize int) (javaBinary, []byte, bool) {
	var f javaBinary
	if bitSize == 32 {
		fb := math.Float32bits(float32(v))
		f.neg = fb>>31 != 0
		fract := fb & (1<<23 - 1)
		e := int(fb>>23) & 0xff
		switch {
		case e == 0xff && fract != 0:
			return f, append(dst, "NaN"...), false
		case e == 0xff:
			return f, appendSigned(dst, f.neg, "Infinity"), false
		case e == 0 && fract == 0:
			return f, appendSigned(dst, f.neg, "0.0"), false
		case e == 0:
			lz := bits.LeadingZeros32(fract)
			shift := lz - (31 - 23)
			fract <<= uint(shift)
			e = 1 - shift
			f.nSignificantBits = 32 - lz
		default:
			fract |= 1 << 23
			f.nSignificantBits = 24
		}
		f.binExp = e - 127
		f.fractBits = int64(fract) << (52 - 23)
		return f, dst, true
	}
	db := math.Float64bits(v)
	f.neg = db>>63 != 0
	fract := db & (1<<52 - 1)
	e := int(db>>52) & 0x7ff
	switch {
	case e == 0x7ff && fract != 0:
		return f, append(dst, "NaN"...), false
	case e == 0x7ff:
		return f, appendSigned(dst, f.neg, "Infinity"), false
	case e == 0 && fract == 0:
		return f, appendSigned(dst, f.neg, "0.0"), false
	case e == 0:
		lz := bits.LeadingZeros64(fract)
		shift := lz - (63 - 52)
		fract <<= uint(shift)
		e = 1 - shift
		f.nSignificantBits = 64 - lz
	default:
		fract |= 1 << 52
		f.nSignificantBits = 53
	}
	f.binExp = e - 1023
	f.fractBits = int64(fract)
	return f, dst, true
}

// appendShortest appends v (for which javaShortestExact holds) in Java's form
// with strconv's shortest digits and reports true, or appends nothing and
// reports false where JDK's digits may differ from them: (2) when the
// shortest lies exactly half an ulp from v, where JDK's tests differ from
// round-half-even (1e23). A midpoint (2m±1)·2^(e-1) of a p-bit m (p = 53,
// float: 24) equals a decimal c·10^j of at most 17 (float: 9) digits only if
// e >= 1 (v >= 2^p) and 5^j divides 2m±1 < 2^(p+1), so j <= 23 (float: 10);
// (3) the E form forces a second digit ("HACK! ... at least one digit after
// the ."), so a one-digit shortest outside 1e-3..1e7 may come out longer
// (4.9E-324 for 5e-324, Float 4.2E-45 for 4e-45, 9.999999999999999E22).
//
// TestJavaShortestMatchesPort and FuzzJavaDouble compare it with the port.
func (f javaBinary) appendShortest(dst []byte, v float64, bitSize int) ([]byte, bool) {
	p, maxTieJ := 53, 23
	if bitSize == 32 {
		p, maxTieJ = 24, 10
	}
	var buf [32]byte
	s := strconv.AppendFloat(buf[:0], math.Abs(v), 'e', -1, bitSize)
	// s is "d[.ddd]e±XX" or "d[.ddd]e±XXX": the digits are s[0] and s[2:e].
	// (strconv's 'f' form costs more than 'e' does; Java's form is built
	// from the 'e' one in buf.)
	e := len(s) - 4
	if s[e] != 'e' {
		e--
	}
	x := 0
	for _, c := range s[e+2:] {
		x = x*10 + int(c-'0')
	}
	if s[e+1] == '-' {
		x = -x
	}
	n := max(1, e-1) // digits
	if n == 1 && (x < -3 || x > 6) {
		return dst, false // (3)
	}
	if f.binExp >= p && x-n+1 <= maxTieJ {
		return dst, false // (2)
	}
	if f.neg {
		dst = append(dst, '-')
	}
	switch {
	case x >= 0 && x < 7:
		// appendChars' "ddd.ddd": x digits move before the point.
		if n-1 > x {
			copy(s[1:], s[2:2+x])
			s[1+x] = '.'
			return append(dst, s[:e]...), true
		}
		dst = append(dst, s[0])
		if n > 1 {
			dst = append(dst, s[2:e]...)
		}
		for range x - (n - 1) {
			dst = append(dst, '0')
		}
		return append(dst, '.', '0'), true
	case x < 0 && x >= -3:
		dst = append(dst, '0', '.')
		for range -x - 1 {
			dst = append(dst, '0')
		}
		dst = append(dst, s[0])
		if n > 1 {
			dst = append(dst, s[2:e]...)
		}
		return dst, true
	}
	// appendChars' "d.dddE[-]n".
	if n > 1 {
		dst = append(dst, s[:e]...)
	} else {
		dst = append(dst, s[0], '.', '0')
	}
	dst = append(dst, 'E')
	return strconv.AppendInt(dst, int64(x), 10), true
}

// AppendDouble appends f as JDK 11/17's Double.toString prints it; see
// appendJavaFloat for the forms.
func AppendDouble(dst []byte, f float64) []byte { return appendJavaFloat(dst, f, 64) }

// AppendFloat appends f as JDK 11/17's Float.toString prints it: the digits
// that tell f apart from its float32 neighbours, which are fewer than
// AppendDouble(float64(f)) would print.
func AppendFloat(dst []byte, f float32) []byte { return appendJavaFloat(dst, float64(f), 32) }

func appendSigned(dst []byte, neg bool, s string) []byte {
	if neg {
		dst = append(dst, '-')
	}
	return append(dst, s...)
}

// javaDigits is FloatingDecimal.BinaryToASCIIBuffer: the value is
// 0.d[first]d[first+1]...d[first+n-1] * 10^decExponent.
type javaDigits struct {
	digits      [20]byte
	first, n    int
	decExponent int
}

// javaLong5Pow holds 5^i, FDBigInteger.LONG_5_POW (its first 14 entries are
// SMALL_5_POW).
var javaLong5Pow = func() (p [28]int64) {
	p[0] = 1
	for i := 1; i < len(p); i++ {
		p[i] = p[i-1] * 5
	}
	return p
}()

// javaN5Bits holds about ceil(log2(5^i)), BinaryToASCIIBuffer.N_5_BITS.
var javaN5Bits = [...]int{0, 3, 5, 7, 10, 12, 14, 17, 19, 21, 24, 26, 28, 31, 33, 35, 38, 40, 42, 45, 47, 49, 52, 54, 56, 59, 61}

// javaInsignificantDigitsNumber is BinaryToASCIIBuffer.insignificantDigitsNumber.
var javaInsignificantDigitsNumber = [...]int{
	0, 0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 3,
	4, 4, 4, 5, 5, 5, 6, 6, 6, 6, 7, 7, 7,
	8, 8, 8, 9, 9, 9, 9, 10, 10, 10, 11, 11, 11,
	12, 12, 12, 12, 13, 13, 13, 14, 14, 14,
	15, 15, 15, 15, 16, 16, 16, 17, 17, 17,
	18, 18, 18, 19,
}

func javaInsignificantDigitsForPow2(p2 int) int {
	if p2 > 1 && p2 < len(javaInsignificantDigitsNumber) {
		return javaInsignificantDigitsNumber[p2]
	}
	return 0
}

// developLongDigits is the easy case: all the significant bits are in lvalue.
func (d *javaDigits) developLongDigits(decExponent int, lvalue int64, insignificantDigits int) {
	if insignificantDigits != 0 {
		pow10 := javaLong5Pow[insignificantDigits] << uint(insignificantDigits)
		residue := lvalue % pow10
		lvalue /= pow10
		decExponent += insignificantDigits
		if residue >= pow10>>1 {
			lvalue++
		}
	}
	i := len(d.digits) - 1
	c := lvalue % 10
	lvalue /= 10
	for c == 0 {
		decExponent++
		c = lvalue % 10
		lvalue /= 10
	}
	for lvalue != 0 {
		d.digits[i] = byte('0' + c)
		i--
		decExponent++
		c = lvalue % 10
		lvalue /= 10
	}
	d.digits[i] = byte('0' + c)
	d.decExponent = decExponent + 1
	d.first = i
	d.n = len(d.digits) - i
}

// estimateDecExp estimates floor(log10(value)), exactly as Java computes it.
func javaEstimateDecExp(fractBits int64, binExp int) int {
	d2 := math.Float64frombits(uint64(1023)<<52 | uint64(fractBits)&(1<<52-1))
	// The conversions keep the compiler from fusing multiply and add.
	d := float64(float64((d2-1.5)*0.289529654)+0.176091259) + float64(float64(binExp)*0.301029995663981)
	dBits := math.Float64bits(d)
	exponent := int(dBits>>52&0x7ff) - 1023
	isNegative := dBits>>63 != 0
	switch {
	case exponent >= 0 && exponent < 52:
		mask := uint64(1<<52-1) >> uint(exponent)
		r := int(int32((dBits&(1<<52-1) | 1<<52) >> uint(52-exponent)))
		if !isNegative {
			return r
		}
		if mask&dBits == 0 {
			return -r
		}
		return -r - 1
	case exponent < 0:
		if dBits&^(1<<63) == 0 || !isNegative {
			return 0
		}
		return -1
	default:
		return int(int32(d))
	}
}

// dtoa is BinaryToASCIIBuffer.dtoa(binExp, fractBits, nSignificantBits, true).
// Where try allows (javaShortestExact, javaShortestCheaper for v of bitSize)
// it develops no digits and returns true, for appendShortest.
func (d *javaDigits) dtoa(binExp int, fractBits int64, nSignificantBits int, try javaTry, v float64, bitSize int) (shortest bool) {
	const expShift = 52
	tailZeros := bits.TrailingZeros64(uint64(fractBits))
	nFractBits := expShift + 1 - tailZeros
	nTinyBits := max(0, nFractBits-binExp-1)
	if binExp <= 62 && binExp >= -21 && nTinyBits == 0 {
		// An integer that fits in a long (Java also tests that nTinyBits is
		// small, but only uses the case nTinyBits == 0).
		insignificant := 0
		if binExp > nSignificantBits {
			insignificant = javaInsignificantDigitsForPow2(binExp - nSignificantBits - 1)
		}
		if binExp >= expShift {
			fractBits <<= uint(binExp - expShift)
		} else {
			fractBits = int64(uint64(fractBits) >> uint(expShift-binExp))
		}
		d.developLongDigits(0, fractBits, insignificant)
		return false
	}
	decExp := javaEstimateDecExp(fractBits, binExp)
	fractBits = int64(uint64(fractBits) >> uint(tailZeros))
	B5, B2, S5, S2, M5, M2, Bbits, tenSbits := javaScale(binExp, nFractBits, nSignificantBits, decExp)
	if try != javaNever && javaShortestExact(nFractBits, Bbits, tenSbits) &&
		(try == javaWhereExact || javaShortestCheaper(v, bitSize, Bbits, tenSbits)) {
		return true
	}

	ndigit := 0
	var low, high bool
	var lowDigitDifference int64
	switch {
	case Bbits < 32 && tenSbits < 32:
		// Java int arithmetic, overflow and shift masking included.
		b := (int32(fractBits) * int32(javaLong5Pow[B5])) << uint(B2&31)
		s := int32(javaLong5Pow[S5]) << uint(S2&31)
		m := int32(javaLong5Pow[M5]) << uint(M2&31)
		low, high, lowDigitDifference, ndigit, decExp = javaDigitLoop(d.digits[:], b, s, m, decExp)
	case Bbits < 64 && tenSbits < 64:
		// Java long arithmetic.
		b := (fractBits * javaLong5Pow[B5]) << uint(B2&63)
		s := javaLong5Pow[S5] << uint(S2&63)
		m := javaLong5Pow[M5] << uint(M2&63)
		low, high, lowDigitDifference, ndigit, decExp = javaDigitLoop(d.digits[:], b, s, m, decExp)
	case !javaForceBig && javaFits128(fractBits, B5, B2, S5, S2, M5, M2):
		low, high, lowDigitDifference, ndigit, decExp = d.digits128(fractBits, B5, B2, S5, S2, M5, M2, decExp)
	default:
		// FDBigInteger arithmetic. Java scales S, B, M and 10S by a common
		// power of two to normalize S for its division; the quotients and
		// comparisons do not depend on it, so it is left out here.
		z := javaBigPool.Get().(*javaBig)
		defer javaBigPool.Put(z)
		S, B, M, tenS, q, sum := &z.s, &z.b, &z.m, &z.tenS, &z.q, &z.sum
		javaPow52(S, S5, S2)
		javaPow52(B, B5, B2)
		B.Mul(B, q.SetInt64(fractBits))
		javaPow52(M, M5+1, M2+1)
		javaPow52(tenS, S5+1, S2+1)
		q.QuoRem(B, S, B)
		B.Mul(B, javaBigTen)
		digit := int(q.Int64())
		low = B.Cmp(M) < 0
		high = tenS.Cmp(sum.Add(B, M)) <= 0
		if digit == 0 && !high {
			decExp--
		} else {
			d.digits[ndigit] = byte('0' + digit)
			ndigit++
		}
		if decExp < -3 || decExp >= 8 {
			high, low = false, false
		}
		for !low && !high && ndigit < len(d.digits) {
			q.QuoRem(B, S, B)
			B.Mul(B, javaBigTen)
			M.Mul(M, javaBigTen)
			low = B.Cmp(M) < 0
			high = tenS.Cmp(sum.Add(B, M)) <= 0
			d.digits[ndigit] = byte('0' + q.Int64())
			ndigit++
		}
		if high && low {
			lowDigitDifference = int64(sum.Lsh(B, 1).Cmp(tenS))
		}
	}
	d.decExponent = decExp + 1
	d.first = 0
	d.n = ndigit
	if ndigit == 0 {
		// Java cannot get here (the value would be below half an ulp).
		d.digits[0] = '0'
		d.n = 1
		return false
	}
	if high {
		if low {
			if lowDigitDifference == 0 {
				if d.digits[d.first+d.n-1]&1 != 0 {
					d.roundup()
				}
			} else if lowDigitDifference > 0 {
				d.roundup()
			}
		} else {
			d.roundup()
		}
	}
	return false
}

// javaScale is dtoa's choice of B = fractBits*5^B5*2^B2, S = 5^S5*2^S2 and
// M = 5^M5*2^M2 (value B/S, margin M/S) and of its arithmetic (Bbits and
// tenSbits, the bit lengths of B and 10*S, as Java estimates them): a
// function of the binary exponent, of the significant bits
// (nFractBits = 53 - trailing zeros of fractBits), of nSignificantBits and
// of the decimal exponent estimate alone.
func javaScale(binExp, nFractBits, nSignificantBits, decExp int) (B5, B2, S5, S2, M5, M2, Bbits, tenSbits int) {
	nTinyBits := max(0, nFractBits-binExp-1)
	B5 = max(0, -decExp)
	B2 = B5 + nTinyBits + binExp
	S5 = max(0, decExp)
	S2 = S5 + nTinyBits
	M5 = B5
	M2 = B2 - nSignificantBits

	B2 -= nFractBits - 1
	common2factor := min(B2, S2)
	B2 -= common2factor
	S2 -= common2factor
	M2 -= common2factor
	if nFractBits == 1 {
		M2--
	}
	if M2 < 0 {
		B2 -= M2
		S2 -= M2
		M2 = 0
	}
	n5bits := func(i int) int {
		if i < len(javaN5Bits) {
			return javaN5Bits[i]
		}
		return i * 3
	}
	Bbits = nFractBits + B2 + n5bits(B5)
	tenSbits = S2 + 1 + n5bits(S5+1)
	return B5, B2, S5, S2, M5, M2, Bbits, tenSbits
}

// javaForceBig makes dtoa skip digits128, for the test that compares the two.
var javaForceBig = false

// javaFits128 reports whether the numbers of dtoa's FDBigInteger case fit in
// 128 bits: B, 10S < 2^120 and the initial 10M < 2^124. Then, as B < 10S and
// M <= B whenever the loop goes on, B+M and 10M stay below 2^126.
func javaFits128(fractBits int64, B5, B2, S5, S2, M5, M2 int) bool {
	if B5 >= len(javaLong5Pow) || S5+1 >= len(javaLong5Pow) || M5+1 >= len(javaLong5Pow) {
		return false
	}
	l5 := func(i int) int { return bits.Len64(uint64(javaLong5Pow[i])) }
	return bits.Len64(uint64(fractBits))+l5(B5)+B2 <= 120 &&
		l5(S5+1)+S2+1 <= 120 && l5(M5+1)+M2+1 <= 124
}

// u128 is an unsigned 128-bit integer.
type u128 struct{ hi, lo uint64 }

// u128Pow52 returns 5^p5 * m * 2^p2, which must fit (5^p5 * m in 128 bits
// and the shift in 128 bits, p2 < 128).
func u128Pow52(m uint64, p5, p2 int) u128 {
	hi, lo := bits.Mul64(m, uint64(javaLong5Pow[p5]))
	x := u128{hi, lo}
	return x.lsh(uint(p2))
}

func (x u128) lsh(n uint) u128 {
	switch {
	case n == 0:
		return x
	case n >= 64:
		return u128{x.lo << (n - 64), 0}
	default:
		return u128{x.hi<<n | x.lo>>(64-n), x.lo << n}
	}
}

func (x u128) cmp(y u128) int {
	switch {
	case x.hi != y.hi:
		if x.hi < y.hi {
			return -1
		}
		return 1
	case x.lo != y.lo:
		if x.lo < y.lo {
			return -1
		}
		return 1
	}
	return 0
}

func (x u128) add(y u128) u128 {
	lo, c := bits.Add64(x.lo, y.lo, 0)
	return u128{x.hi + y.hi + c, lo}
}

func (x u128) sub(y u128) u128 {
	lo, b := bits.Sub64(x.lo, y.lo, 0)
	return u128{x.hi - y.hi - b, lo}
}

func (x u128) mul10() u128 {
	hi, lo := bits.Mul64(x.lo, 10)
	return u128{x.hi*10 + hi, lo}
}

// quoRem returns x/s and x%s for a quotient below 10 (as dtoa's are).
func (x u128) quoRem(s u128) (int, u128) {
	q := 0
	for x.cmp(s) >= 0 {
		x = x.sub(s)
		q++
	}
	return q, x
}

// digits128 is dtoa's FDBigInteger case in 128-bit arithmetic, for numbers
// javaFits128 accepts: exact like FDBigInteger, so it develops the same digits.
func (d *javaDigits) digits128(fractBits int64, B5, B2, S5, S2, M5, M2, decExp int) (low, high bool, lowDigitDifference int64, ndigit, decExpOut int) {
	S := u128Pow52(1, S5, S2)
	B := u128Pow52(uint64(fractBits), B5, B2)
	M := u128Pow52(5, M5, M2+1)
	tenS := u128Pow52(5, S5, S2+1)
	q, B := B.quoRem(S)
	B = B.mul10()
	low = B.cmp(M) < 0
	high = tenS.cmp(B.add(M)) <= 0
	if q == 0 && !high {
		decExp--
	} else {
		d.digits[ndigit] = byte('0' + q)
		ndigit++
	}
	if decExp < -3 || decExp >= 8 {
		high, low = false, false
	}
	for !low && !high && ndigit < len(d.digits) {
		q, B = B.quoRem(S)
		B = B.mul10()
		M = M.mul10()
		low = B.cmp(M) < 0
		high = tenS.cmp(B.add(M)) <= 0
		d.digits[ndigit] = byte('0' + q)
		ndigit++
	}
	if high && low {
		lowDigitDifference = int64(B.lsh(1).cmp(tenS))
	}
	return low, high, lowDigitDifference, ndigit, decExp
}

// javaBig is the scratch space of dtoa's FDBigInteger case, pooled to keep
// the digits of its numbers between calls.
type javaBig struct{ s, b, m, tenS, q, sum big.Int }

var (
	javaBigPool = sync.Pool{New: func() any { return new(javaBig) }}
	javaBigTen  = big.NewInt(10)
	// javaPow5 returns 5^0 ... 5^349, enough for any double (dtoa needs
	// powers up to 5^325).
	javaPow5 = sync.OnceValue(func() []big.Int {
		p := make([]big.Int, 350)
		p[0].SetInt64(1)
		for i := 1; i < len(p); i++ {
			p[i].Mul(&p[i-1], big.NewInt(5))
		}
		return p
	})
)

// javaPow52 sets z to 5^p5 * 2^p2 (FDBigInteger.valueOfPow52).
func javaPow52(z *big.Int, p5, p2 int) {
	switch {
	case p5 < len(javaLong5Pow):
		z.SetInt64(javaLong5Pow[p5])
	case p5 < 350:
		z.Set(&javaPow5()[p5])
	default:
		z.Exp(big.NewInt(5), big.NewInt(int64(p5)), nil)
	}
	z.Lsh(z, uint(p2))
}

// roundup adds one to the last digit, carrying; a carry out of the first
// digit makes it a 1 and bumps the exponent, leaving the other digits 0 (and
// printed).
func (d *javaDigits) roundup() {
	i := d.first + d.n - 1
	q := d.digits[i]
	if q == '9' {
		for q == '9' && i > d.first {
			d.digits[i] = '0'
			i--
			q = d.digits[i]
		}
		if q == '9' {
			d.decExponent++
			d.digits[d.first] = '1'
			return
		}
	}
	d.digits[i] = q + 1
}

// appendChars is BinaryToASCIIBuffer.getChars.
func (d *javaDigits) appendChars(dst []byte, neg bool) []byte {
	if neg {
		dst = append(dst, '-')
	}
	digits := d.digits[d.first : d.first+d.n]
	switch e := d.decExponent; {
	case e > 0 && e < 8:
		charLength := min(len(digits), e)
		dst = append(dst, digits[:charLength]...)
		if charLength < e {
			for range e - charLength {
				dst = append(dst, '0')
			}
			return append(dst, '.', '0')
		}
		dst = append(dst, '.')
		if charLength < len(digits) {
			return append(dst, digits[charLength:]...)
		}
		return append(dst, '0')
	case e <= 0 && e > -3:
		dst = append(dst, '0', '.')
		for range -e {
			dst = append(dst, '0')
		}
		return append(dst, digits...)
	default:
		dst = append(dst, digits[0], '.')
		if len(digits) > 1 {
			dst = append(dst, digits[1:]...)
		} else {
			dst = append(dst, '0')
		}
		dst = append(dst, 'E')
		if e <= 0 {
			dst = append(dst, '-')
			e = -e + 1
		} else {
			e--
		}
		return strconv.AppendInt(dst, int64(e), 10)
	}
}

// AppendVarint appends the two's-complement big-endian integer v (IntegerType,
// Java's BigInteger(byte[])) in decimal. v must not be empty.
func AppendVarint(dst []byte, v []byte) []byte {
	if len(v) <= 8 {
		return AppendInt(dst, varintInt64(v))
	}
	return bigFromTwos(v).Append(dst, 10)
}

func varintInt64(v []byte) int64 {
	var x int64
	if v[0]&0x80 != 0 {
		x = -1
	}
	for _, c := range v {
		x = x<<8 | int64(c)
	}
	return x
}

func bigFromTwos(v []byte) *big.Int {
	b := new(big.Int).SetBytes(v)
	if len(v) > 0 && v[0]&0x80 != 0 {
		b.Sub(b, new(big.Int).Lsh(big.NewInt(1), uint(8*len(v))))
	}
	return b
}

// absDigits appends the decimal digits of |v| (a non-empty two's-complement
// integer) and reports whether v is negative.
func absDigits(dst []byte, v []byte) ([]byte, bool) {
	if len(v) <= 8 {
		x := varintInt64(v)
		if x < 0 {
			return strconv.AppendUint(dst, uint64(-x), 10), true // -MinInt64 wraps to the right uint64
		}
		return strconv.AppendUint(dst, uint64(x), 10), false
	}
	b := bigFromTwos(v)
	neg := b.Sign() < 0
	return b.Abs(b).Append(dst, 10), neg
}

// maxPlainPadding bounds the zeros BigDecimal.toPlainString would write for an
// extreme scale; beyond it AppendDecimal falls back to the scientific form.
// Cassandra would try to build the string (and run out of memory).
const maxPlainPadding = 1 << 12

// AppendDecimal appends a DecimalType value (i32 scale, then the unscaled varint)
// as Java's BigDecimal.toString (plain false) or toPlainString (plain true).
func AppendDecimal(dst []byte, v []byte, plain bool) ([]byte, error) {
	if len(v) < 5 {
		// Java's BigInteger rejects a zero-length magnitude.
		return dst, fmt.Errorf("decimal: need a 4-byte scale and at least 1 byte of unscaled value, have %d bytes: %w", len(v), wire.ErrCorrupt)
	}
	scale := int64(int32(binary.BigEndian.Uint32(v)))
	var buf [24]byte
	coeff, neg := absDigits(buf[:0], v[4:])
	if neg {
		dst = append(dst, '-')
	}
	n := int64(len(coeff))
	adjusted := -scale + (n - 1)
	if plain {
		switch {
		case scale == 0:
			return append(dst, coeff...), nil
		case scale < 0 && -scale <= maxPlainPadding:
			if len(coeff) == 1 && coeff[0] == '0' {
				return append(dst, '0'), nil
			}
			dst = append(dst, coeff...)
			for i := int64(0); i < -scale; i++ {
				dst = append(dst, '0')
			}
			return dst, nil
		case scale > 0 && scale-n <= maxPlainPadding:
			return appendPointed(dst, coeff, scale), nil
		}
	} else if scale >= 0 && adjusted >= -6 {
		if scale == 0 {
			return append(dst, coeff...), nil
		}
		return appendPointed(dst, coeff, scale), nil
	}
	dst = append(dst, coeff[0])
	if len(coeff) > 1 {
		dst = append(dst, '.')
		dst = append(dst, coeff[1:]...)
	}
	if adjusted != 0 {
		dst = append(dst, 'E')
		if adjusted > 0 {
			dst = append(dst, '+')
		}
		dst = strconv.AppendInt(dst, adjusted, 10)
	}
	return dst, nil
}

// appendPointed writes coeff with a decimal point scale digits from the right
// (scale > 0), padding with zeros as BigDecimal does: "0.00123".
func appendPointed(dst, coeff []byte, scale int64) []byte {
	n := int64(len(coeff))
	if n > scale {
		dst = append(dst, coeff[:n-scale]...)
		dst = append(dst, '.')
		return append(dst, coeff[n-scale:]...)
	}
	dst = append(dst, '0', '.')
	for i := n; i < scale; i++ {
		dst = append(dst, '0')
	}
	return append(dst, coeff...)
}

// AppendUUID appends the 16 bytes of v as java.util.UUID.toString does.
func AppendUUID(dst []byte, v []byte) []byte {
	for i, c := range v[:16] {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			dst = append(dst, '-')
		}
		dst = append(dst, hexDigits[c>>4], hexDigits[c&15])
	}
	return dst
}

// AppendInet appends an address as InetAddress.getHostAddress does: dotted quad
// for IPv4 and for IPv4-mapped IPv6 (InetAddress.getByAddress turns ::ffff:a.b.c.d
// into an Inet4Address), else eight colon-separated groups in lower-case hex
// without leading zeros and without "::" compression.
func AppendInet(dst []byte, v []byte) ([]byte, error) {
	switch len(v) {
	case 4:
		return appendIPv4(dst, v), nil
	case 16:
		mapped := v[10] == 0xff && v[11] == 0xff
		for i := 0; i < 10 && mapped; i++ {
			mapped = v[i] == 0
		}
		if mapped {
			return appendIPv4(dst, v[12:]), nil
		}
		for i := 0; i < 16; i += 2 {
			if i > 0 {
				dst = append(dst, ':')
			}
			dst = strconv.AppendUint(dst, uint64(v[i])<<8|uint64(v[i+1]), 16)
		}
		return dst, nil
	}
	return dst, fmt.Errorf("inet: want 4 or 16 bytes, have %d: %w", len(v), wire.ErrCorrupt)
}

func appendIPv4(dst []byte, v []byte) []byte {
	for i := 0; i < 4; i++ {
		if i > 0 {
			dst = append(dst, '.')
		}
		dst = strconv.AppendUint(dst, uint64(v[i]), 10)
	}
	return dst
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// javaDigitLoop is FloatingDecimal.dtoa's digit generation in Java int
// (T = int32) or long (T = int64) arithmetic, overflow included: b is the
// scaled value, s the power-of-ten divisor, m the error margin. It fills
// digits from the start and returns dtoa's state after the last digit.
func javaDigitLoop[T int32 | int64](digits []byte, b, s, m T, decExp int) (low, high bool, lowDigitDifference int64, ndigit, exp int) {
	tens := s * 10
	q := b / s
	b = 10 * (b % s)
	m *= 10
	low = b < m
	high = b+m > tens
	if q == 0 && !high {
		decExp--
	} else {
		digits[ndigit] = byte('0' + q)
		ndigit++
	}
	if decExp < -3 || decExp >= 8 {
		high, low = false, false
	}
	for !low && !high && ndigit < len(digits) {
		q = b / s
		b = 10 * (b % s)
		m *= 10
		if m > 0 {
			low = b < m
			high = b+m > tens
		} else {
			low, high = true, true
		}
		digits[ndigit] = byte('0' + q)
		ndigit++
	}
	return low, high, int64((b << 1) - tens), ndigit, decExp
}

// CivilFromDays converts days since 1970-01-01 to a proleptic Gregorian date
// (Howard Hinnant's algorithm), valid for the whole int64 day range used here.
func CivilFromDays(z int64) (y int64, m, d int) {
	z += 719468
	era := floorDiv(z, 146097)
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y = yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = int(doy - (153*mp+2)/5 + 1)
	if mp < 10 {
		m = int(mp + 3)
	} else {
		m = int(mp - 9)
	}
	if m <= 2 {
		y++
	}
	return y, m, d
}

// two returns the two decimal digits of 0 <= v < 100.
func two(v int) [2]byte { return [2]byte{byte('0' + v/10), byte('0' + v%10)} }

func appendPad(dst []byte, v int64, width int) []byte {
	var buf [24]byte
	s := strconv.AppendInt(buf[:0], v, 10)
	for i := len(s); i < width; i++ {
		dst = append(dst, '0')
	}
	return append(dst, s...)
}

// AppendTimestamp appends milliseconds since the epoch as Cassandra 5.0's
// TimestampSerializer formats them (java.time DateTimeFormatter in UTC, so the
// proleptic Gregorian calendar): "yyyy-MM-dd HH:mm:ss.SSSX" for JSON (iso false)
// and "yyyy-MM-dd'T'HH:mm:ss.SSSX" for getString (iso true). "yyyy" is the year
// of era (1 BC prints "0001") with a '+' past 9999. Checked against SELECT JSON
// and sstabledump output of Cassandra 5.0.9 (testdata/cassandra-5.0); 4.0 and
// older used SimpleDateFormat (Julian before 1582) and dropped seconds in getString.
func AppendTimestamp(dst []byte, ms int64, iso bool) []byte {
	if ms >= 0 && ms < 253402300800000 { // 1970-01-01 to 9999-12-31: four-digit years
		return appendTimestampFast(dst, ms, iso)
	}
	return appendTimestampAny(dst, ms, iso)
}

// appendTimestampAny is AppendTimestamp for every instant.
func appendTimestampAny(dst []byte, ms int64, iso bool) []byte {
	days := floorDiv(ms, 86400000)
	rem := ms - days*86400000
	y, mo, d := CivilFromDays(days)
	if y <= 0 {
		y = 1 - y
	}
	if y > 9999 {
		dst = append(dst, '+')
	}
	if y >= 1000 {
		dst = strconv.AppendInt(dst, y, 10)
	} else {
		dst = appendPad(dst, y, 4)
	}
	sep := byte(' ')
	if iso {
		sep = 'T'
	}
	h, mi, sec, milli := rem/3600000, rem/60000%60, rem/1000%60, rem%1000
	return append(dst, '-', two(mo)[0], two(mo)[1], '-', two(d)[0], two(d)[1], sep,
		two(int(h))[0], two(int(h))[1], ':', two(int(mi))[0], two(int(mi))[1], ':', two(int(sec))[0], two(int(sec))[1],
		'.', byte('0'+milli/100), byte('0'+milli/10%10), byte('0'+milli%10), 'Z')
}

// appendTimestampFast is AppendTimestamp for the common years 1970 to 9999:
// it runs for every timestamp cell of an export. The date is Neri and
// Schneider's civil-from-days ("Euclidean affine functions and their
// application to calendar algorithms", 2022: a few multiplications where
// Hinnant's algorithm divides seven times), in unsigned 32-bit arithmetic, and
// the 24 bytes go out as three 8-byte stores of digit pairs (appending them
// one by one cost half of the function). TestTimestampFastPath checks every
// day of the range against appendTimestampAny.
func appendTimestampFast(dst []byte, ms int64, iso bool) []byte {
	u := uint64(ms)
	days := uint32(u / 86400000)
	rem := uint32(u - uint64(days)*86400000)
	// Neri-Schneider to_date with the epoch shifted to 0000-03-01 (K =
	// 719468; no further shift is needed for days >= 0). n1 < 2^24 here.
	n1 := 4*(days+719468) + 3
	c := n1 / 146097
	n2 := n1%146097 | 3 // 4*(n1%146097/4) + 3
	p2 := uint64(2939745) * uint64(n2)
	ny := uint32(p2) / 2939745 / 4 // day of the March-based year
	y := 100*c + uint32(p2>>32)
	n3 := 2141*ny + 197913
	mo, d := n3>>16, (n3&0xffff)/2141+1
	// January and February (ny >= 306) belong to the next civil year:
	// arithmetic, not a branch, as months come in no order.
	jf := (305 - ny) >> 31
	y += jf
	mo -= 12 * jf
	sec := rem / 1000
	milli := rem - sec*1000
	h := sec / 3600
	sec -= h * 3600
	mi := sec / 60
	sec -= mi * 60
	sep := uint64(' ')
	if iso {
		sep = 'T'
	}
	yh := y / 100
	mh := milli / 100
	w0 := pair(yh) | pair(y-yh*100)<<16 | '-'<<32 | pair(mo)<<40 | '-'<<56                     // "yyyy-MM-"
	w1 := pair(d) | sep<<16 | pair(h)<<24 | ':'<<40 | pair(mi)<<48                             // "dd HH:mm"
	w2 := ':' | pair(sec)<<8 | '.'<<24 | uint64('0'+mh)<<32 | pair(milli-mh*100)<<40 | 'Z'<<56 // ":ss.SSSZ"
	l := len(dst)
	if cap(dst)-l < 24 {
		dst = slices.Grow(dst, 24)
	}
	out := dst[l : l+24]
	binary.LittleEndian.PutUint64(out, w0)
	binary.LittleEndian.PutUint64(out[8:], w1)
	binary.LittleEndian.PutUint64(out[16:], w2)
	return dst[:l+24]
}

// AppendInstant appends java.time.Instant.ofEpochSecond(secs, nanos).toString():
// ISO-8601 in UTC, the fraction in groups of three digits (none when zero).
// 1970 to 9999 (every instant of a dump) are appendTimestampFast's ISO form
// of the millisecond, whose fraction is then replaced by the instant's (none,
// or 6 or 9 digits, in pairs) with one or two stores; TestInstantFastPath
// checks them against appendInstantAny.
func AppendInstant(dst []byte, secs, nanos int64) []byte {
	if secs < 0 || secs >= 253402300800 || nanos < 0 || nanos >= 1e9 {
		return appendInstantAny(dst, secs, nanos)
	}
	ns := uint32(nanos)
	ms := ns / 1_000_000
	l := len(dst)
	dst = appendTimestampFast(dst, secs*1000+int64(ms), true) // "yyyy-MM-ddTHH:mm:ss.SSSZ"
	switch {
	case ns == ms*1_000_000:
		if ns == 0 {
			dst[l+19] = 'Z'
			return dst[:l+20]
		}
		return dst
	case ns%1000 == 0:
		us := ns / 1000
		if cap(dst)-l < 27 {
			dst = slices.Grow(dst, 3)
		}
		out := dst[l+19 : l+27]
		binary.LittleEndian.PutUint64(out, '.'|pair(us/10000)<<8|pair(us/100%100)<<24|pair(us%100)<<40|'Z'<<56)
		return dst[:l+27]
	}
	if cap(dst)-l < 31 {
		dst = slices.Grow(dst, 7)
	}
	out := dst[l+19 : l+31]
	binary.LittleEndian.PutUint64(out, '.'|pair(ns/10_000_000)<<8|pair(ns/100_000%100)<<24|pair(ns/1000%100)<<40|uint64('0'+ns/100%10)<<56)
	binary.LittleEndian.PutUint32(out[8:], uint32(pair(ns%100))|'Z'<<16)
	return dst[:l+30]
}

// AppendInstantMicros is AppendInstant of us microseconds since the epoch (a
// cell's timestamp), the seconds rounded toward negative infinity as
// Instant.ofEpochSecond(floorDiv(us, 10^6), floorMod(us, 10^6) * 1000).
func AppendInstantMicros(dst []byte, us int64) []byte {
	secs := floorDiv(us, 1_000_000)
	return AppendInstant(dst, secs, (us-secs*1_000_000)*1000)
}

// appendInstantAny is AppendInstant for every instant, through package time.
func appendInstantAny(dst []byte, secs, nanos int64) []byte {
	t := time.Unix(secs, nanos).UTC()
	y := t.Year()
	switch {
	case y > 9999:
		dst = append(dst, '+')
		dst = strconv.AppendInt(dst, int64(y), 10)
	case y < 0:
		dst = append(dst, '-')
		dst = appendPad(dst, int64(-y), 4)
	default:
		dst = appendPad(dst, int64(y), 4)
	}
	dst = t.AppendFormat(dst, "-01-02T15:04:05")
	if ns := t.Nanosecond(); ns != 0 {
		dst = append(dst, '.')
		switch {
		case ns%1_000_000 == 0:
			dst = appendPad(dst, int64(ns/1_000_000), 3)
		case ns%1000 == 0:
			dst = appendPad(dst, int64(ns/1000), 6)
		default:
			dst = appendPad(dst, int64(ns), 9)
		}
	}
	return append(dst, 'Z')
}

// pair returns the two digits of x < 100 as a little-endian 16-bit word.
func pair(x uint32) uint64 { return uint64(digitPairs[x&127]) }

// digitPairs holds "00" to "99" as little-endian 16-bit words (128 entries, so
// that pair's index needs no bounds check).
var digitPairs = func() (p [128]uint16) {
	for i := range 100 {
		p[i] = uint16('0'+i/10) | uint16('0'+i%10)<<8
	}
	return p
}()

// AppendDate appends a SimpleDateType value (days with the epoch at 2^31) as
// SimpleDateSerializer.toString does with DateTimeFormatter.ISO_LOCAL_DATE:
// proleptic Gregorian, at least four year digits, '+' before years past 9999 and
// '-' before years before 0.
func AppendDate(dst []byte, u uint32) []byte {
	days := int64(u) - 1<<31
	y, m, d := CivilFromDays(days)
	switch {
	case y > 9999:
		dst = append(dst, '+')
		dst = strconv.AppendInt(dst, y, 10)
	case y < 0:
		dst = append(dst, '-')
		dst = appendPad(dst, -y, 4)
	default:
		dst = appendPad(dst, y, 4)
	}
	dst = append(dst, '-')
	dst = appendPad(dst, int64(m), 2)
	dst = append(dst, '-')
	return appendPad(dst, int64(d), 2)
}

const nanosPerDay = 86400 * 1000 * 1000 * 1000

// AppendTime appends nanoseconds since midnight as TimeSerializer.toString does:
// "HH:MM:SS.nnnnnnnnn".
func AppendTime(dst []byte, n int64) ([]byte, error) {
	if n < 0 || n >= nanosPerDay {
		return dst, fmt.Errorf("time: %d nanoseconds is outside a day: %w", n, wire.ErrCorrupt)
	}
	dst = appendPad(dst, n/3600_000_000_000, 2)
	dst = append(dst, ':')
	dst = appendPad(dst, n/60_000_000_000%60, 2)
	dst = append(dst, ':')
	dst = appendPad(dst, n/1_000_000_000%60, 2)
	dst = append(dst, '.')
	return appendPad(dst, n%1_000_000_000, 9), nil
}

// AppendDuration appends org.apache.cassandra.cql3.Duration.toString: a '-' if
// any part is negative, then y, mo, d, h, m, s, ms, us, ns units, each only when
// non-zero ("1h4m48s20ms"; a zero duration is the empty string). Math.abs
// overflow is reproduced: it leaves the minimum values negative, and they print
// nothing.
func AppendDuration(dst []byte, months, days int32, nanos int64) []byte {
	if months < 0 || days < 0 || nanos < 0 {
		dst = append(dst, '-')
	}
	rem := durAppend(&dst, int64(abs32(months)), 12, "y")
	durAppend(&dst, rem, 1, "mo")
	durAppend(&dst, int64(abs32(days)), 1, "d")
	if nanos != 0 {
		rem = durAppend(&dst, abs64(nanos), 3600_000_000_000, "h")
		rem = durAppend(&dst, rem, 60_000_000_000, "m")
		rem = durAppend(&dst, rem, 1_000_000_000, "s")
		rem = durAppend(&dst, rem, 1_000_000, "ms")
		rem = durAppend(&dst, rem, 1_000, "us")
		durAppend(&dst, rem, 1, "ns")
	}
	return dst
}

func abs32(v int32) int32 {
	if v < 0 {
		return -v // wraps for MinInt32, as Math.abs
	}
	return v
}

func abs64(v int64) int64 {
	if v < 0 {
		return -v
	}
	return v
}

func durAppend(dst *[]byte, dividend, divisor int64, unit string) int64 {
	if dividend == 0 || dividend < divisor {
		return dividend
	}
	*dst = strconv.AppendInt(*dst, dividend/divisor, 10)
	*dst = append(*dst, unit...)
	return dividend % divisor
}
