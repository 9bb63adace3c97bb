package cql

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"unicode/utf8"

	"github.com/aegisthus/aegisthus/internal/sstable/wire"
)

// This file holds the Java formatting rules the value renderers reproduce:
// Float/Double.toString, BigInteger/BigDecimal.toString, Jackson's JSON string
// quoting, java.util.UUID, InetAddress.getHostAddress, SimpleDateFormat and
// DateTimeFormatter for timestamps and dates, TimeSerializer, and
// org.apache.cassandra.cql3.Duration.toString.

const hexDigits = "0123456789abcdef"

// AppendJSONString appends s as a JSON string literal (with the quotes), escaped as
// Cassandra's JsonUtils.quoteAsJsonString (Jackson's JsonStringEncoder) does:
// '"' and '\\' with a backslash, \b \t \n \f \r in short form, other control
// characters as \u00XX with upper-case hex, everything else (non-ASCII included)
// as is. s must be valid UTF-8.
func AppendJSONString(dst []byte, s []byte) []byte {
	dst = append(dst, '"')
	dst = appendJSONEscaped(dst, s)
	return append(dst, '"')
}

func appendJSONEscaped(dst []byte, s []byte) []byte {
	dst, _ = appendJSONEscapedValid(dst, s)
	return dst
}

const (
	lo7  = 0x0101010101010101
	hi7  = 0x8080808080808080
	quot = 0x2222222222222222 // '"'
	bsl  = 0x5c5c5c5c5c5c5c5c // '\\'
)

// plain8 reports whether the 8 bytes of w (little-endian load) are ASCII, not
// control characters and neither '"' nor '\\': bytes JSON copies as they are.
// The SWAR tests are exact for bytes below 0x80, and any byte of 0x80 and up
// fails the ASCII test anyway.
func plain8(w uint64) bool {
	ctl := (w - 0x2020202020202020) &^ w // a byte < 0x20 borrows into its top bit
	q := w ^ quot
	q = (q - lo7) &^ q // a zero byte (== '"')
	b := w ^ bsl
	b = (b - lo7) &^ b
	return (w|ctl|q|b)&hi7 == 0
}

// plainJSON reports whether appendJSONEscaped would copy s unchanged.
func plainJSON(s []byte) bool {
	for _, c := range s {
		if c < 0x20 || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// appendJSONEscapedValid escapes s as appendJSONEscaped documents and reports
// whether s is valid UTF-8, in one pass: runs of eight plain ASCII bytes are
// copied without looking at each byte (most text is such runs).
func appendJSONEscapedValid(dst []byte, s []byte) ([]byte, bool) {
	valid := true
	start := 0
	i := 0
	for i < len(s) {
		if i+8 <= len(s) && plain8(binary.LittleEndian.Uint64(s[i:])) {
			i += 8
			continue
		}
		c := s[i]
		if c >= 0x80 {
			r, size := utf8.DecodeRune(s[i:])
			if r == utf8.RuneError && size == 1 {
				valid = false
			}
			i += size
			continue
		}
		if c >= 0x20 && c != '"' && c != '\\' {
			i++
			continue
		}
		dst = append(dst, s[start:i]...)
		switch c {
		case '"', '\\':
			dst = append(dst, '\\', c)
		case '\b':
			dst = append(dst, '\\', 'b')
		case '\t':
			dst = append(dst, '\\', 't')
		case '\n':
			dst = append(dst, '\\', 'n')
		case '\f':
			dst = append(dst, '\\', 'f')
		case '\r':
			dst = append(dst, '\\', 'r')
		default:
			dst = append(dst, '\\', 'u', '0', '0', "0123456789ABCDEF"[c>>4], "0123456789ABCDEF"[c&15])
		}
		i++
		start = i
	}
	return append(dst, s[start:]...), valid
}

func appendJSONEscapedString(dst []byte, s string) []byte {
	// The conversion does not allocate: the compiler sees the slice does not escape.
	return appendJSONEscaped(dst, []byte(s))
}

// AppendColumnNameJSON appends a column (or UDT field) name as a JSON object key
// the way Selection.rowToJson and UserType.toJSONString do: a name that is not all
// lower case is wrapped in escaped double quotes ("\"Name\"").
func AppendColumnNameJSON(dst []byte, name string) []byte {
	dst = append(dst, '"')
	if !isLowerCase(name) {
		dst = append(dst, '\\', '"')
		dst = appendJSONEscapedString(dst, name)
		dst = append(dst, '\\', '"')
	} else {
		dst = appendJSONEscapedString(dst, name)
	}
	return append(dst, '"')
}

// isLowerCase reports whether name equals name.toLowerCase(Locale.US). Only
// ASCII upper case letters are checked; names with other upper-case letters are
// rare enough that the approximation is documented rather than handled.
func isLowerCase(name string) bool {
	for i := 0; i < len(name); i++ {
		if c := name[i]; c >= 'A' && c <= 'Z' {
			return false
		}
	}
	return true
}

// appendJavaFloat appends v as Java's Float.toString (bitSize 32) or
// Double.toString (bitSize 64) print it since JDK 19: the shortest decimal that
// rounds to v (two digits when one would do, picking the closest two-digit
// decimal), as "ddd.ddd" for 1e-3 <= |v| < 1e7 and as "d.dddE[-]n" otherwise.
// Older JDKs sometimes print more digits for the same value.
// twoSignificant reports whether the plain decimal s has at least two
// significant digits (digits from its first to its last nonzero one, the point
// aside): whether it has two nonzero digits. It stops at the second.
func twoSignificant(s []byte) bool {
	seen := false
	for _, c := range s {
		if c >= '1' && c <= '9' {
			if seen {
				return true
			}
			seen = true
		}
	}
	return false
}

func appendJavaFloat(dst []byte, v float64, bitSize int) []byte {
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
	// Fast path: in Java's plain range with at least two significant digits, the
	// shortest 'f' form is Java's form (plus ".0" for a whole number).
	if a := math.Abs(v); a >= 1e-3 && a < 1e7 {
		start := len(dst)
		dst = strconv.AppendFloat(dst, v, 'f', -1, bitSize)
		if s := dst[start:]; twoSignificant(s) {
			if bytes.IndexByte(s, '.') < 0 {
				dst = append(dst, '.', '0')
			}
			return dst
		}
		dst = dst[:start]
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

// splitE splits strconv's "-d.ddde+xx" into its digits (in place, without the
// point), the decimal exponent and the sign.
func splitE(s []byte) (digits []byte, exp int, neg bool) {
	if s[0] == '-' {
		neg = true
		s = s[1:]
	}
	e := 0
	for e < len(s) && s[e] != 'e' {
		e++
	}
	mant := s[:e]
	x, xneg := 0, false
	for _, c := range s[e+1:] {
		switch {
		case c == '-':
			xneg = true
		case c >= '0' && c <= '9':
			x = x*10 + int(c-'0')
		}
	}
	if xneg {
		x = -x
	}
	n := 0
	for _, c := range mant {
		if c != '.' {
			mant[n] = c
			n++
		}
	}
	return mant[:n], x, neg
}

// appendVarint appends the two's-complement big-endian integer v (IntegerType,
// Java's BigInteger(byte[])) in decimal. v must not be empty.
func appendVarint(dst []byte, v []byte) []byte {
	if len(v) <= 8 {
		return strconv.AppendInt(dst, varintInt64(v), 10)
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
// extreme scale; beyond it appendDecimal falls back to the scientific form.
// Cassandra would try to build the string (and run out of memory).
const maxPlainPadding = 1 << 12

// appendDecimal appends a DecimalType value (i32 scale, then the unscaled varint)
// as Java's BigDecimal.toString (plain false) or toPlainString (plain true).
func appendDecimal(dst []byte, v []byte, plain bool) ([]byte, error) {
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

// appendUUID appends the 16 bytes of v as java.util.UUID.toString does.
func appendUUID(dst []byte, v []byte) []byte {
	for i, c := range v[:16] {
		if i == 4 || i == 6 || i == 8 || i == 10 {
			dst = append(dst, '-')
		}
		dst = append(dst, hexDigits[c>>4], hexDigits[c&15])
	}
	return dst
}

// appendInet appends an address as InetAddress.getHostAddress does: dotted quad
// for IPv4 and for IPv4-mapped IPv6 (InetAddress.getByAddress turns ::ffff:a.b.c.d
// into an Inet4Address), else eight colon-separated groups in lower-case hex
// without leading zeros and without "::" compression.
func appendInet(dst []byte, v []byte) ([]byte, error) {
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

// civilFromDays converts days since 1970-01-01 to a proleptic Gregorian date
// (Howard Hinnant's algorithm), valid for the whole int64 day range used here.
func civilFromDays(z int64) (y int64, m, d int) {
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

// julianFromDays converts days since 1970-01-01 to a date of the Julian calendar
// (via the Julian day number).
func julianFromDays(z int64) (y int64, m, d int) {
	c := z + 2440588 + 32082
	dd := floorDiv(4*c+3, 1461)
	e := c - floorDiv(1461*dd, 4)
	mm := floorDiv(5*e+2, 153)
	d = int(e - floorDiv(153*mm+2, 5) + 1)
	m = int(mm + 3 - 12*floorDiv(mm, 10))
	y = dd - 4800 + floorDiv(mm, 10)
	return y, m, d
}

// gregorianCutoverDay is 1582-10-15, the first day java.util.GregorianCalendar
// (and so SimpleDateFormat) counts in the Gregorian calendar; days before it are
// Julian dates.
const gregorianCutoverDay = -141427

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

// appendTimestamp appends milliseconds since the epoch as Cassandra 5.0's
// TimestampSerializer formats them (java.time DateTimeFormatter in UTC, so the
// proleptic Gregorian calendar): "yyyy-MM-dd HH:mm:ss.SSSX" for JSON (iso false)
// and "yyyy-MM-dd'T'HH:mm:ss.SSSX" for getString (iso true). "yyyy" is the year
// of era (1 BC prints "0001") with a '+' past 9999. Checked against SELECT JSON
// and sstabledump output of Cassandra 5.0.9 (testdata/cassandra-5.0); 4.0 and
// older used SimpleDateFormat (Julian before 1582) and dropped seconds in getString.
func appendTimestamp(dst []byte, ms int64, iso bool) []byte {
	days := floorDiv(ms, 86400000)
	rem := ms - days*86400000
	y, mo, d := civilFromDays(days)
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

// appendDate appends a SimpleDateType value (days with the epoch at 2^31) as
// SimpleDateSerializer.toString does with DateTimeFormatter.ISO_LOCAL_DATE:
// proleptic Gregorian, at least four year digits, '+' before years past 9999 and
// '-' before years before 0.
func appendDate(dst []byte, u uint32) []byte {
	days := int64(u) - 1<<31
	y, m, d := civilFromDays(days)
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

// appendTime appends nanoseconds since midnight as TimeSerializer.toString does:
// "HH:MM:SS.nnnnnnnnn".
func appendTime(dst []byte, n int64) ([]byte, error) {
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

// decodeDuration reads DurationSerializer's three signed vints and checks them as
// DurationSerializer.validate does.
func decodeDuration(v []byte) (months, days int32, nanos int64, err error) {
	var vals [3]int64
	off := 0
	for i := range vals {
		u, n := wire.UVint(v[off:])
		if n == 0 {
			return 0, 0, 0, fmt.Errorf("duration: %d bytes end inside vint %d: %w", len(v), i, wire.ErrCorrupt)
		}
		vals[i] = wire.ZigZag(u)
		off += n
	}
	if off != len(v) {
		return 0, 0, 0, fmt.Errorf("duration: %d bytes after the three vints: %w", len(v)-off, wire.ErrCorrupt)
	}
	if vals[0] != int64(int32(vals[0])) || vals[1] != int64(int32(vals[1])) {
		return 0, 0, 0, fmt.Errorf("duration: months %d or days %d do not fit 32 bits: %w", vals[0], vals[1], wire.ErrCorrupt)
	}
	if !(vals[0] >= 0 && vals[1] >= 0 && vals[2] >= 0) && !(vals[0] <= 0 && vals[1] <= 0 && vals[2] <= 0) {
		return 0, 0, 0, fmt.Errorf("duration: months, days and nanoseconds (%d, %d, %d) must have the same sign: %w", vals[0], vals[1], vals[2], wire.ErrCorrupt)
	}
	return int32(vals[0]), int32(vals[1]), vals[2], nil
}

// appendDuration appends org.apache.cassandra.cql3.Duration.toString: a '-' if
// any part is negative, then y, mo, d, h, m, s, ms, us, ns units, each only when
// non-zero ("1h4m48s20ms"; a zero duration is the empty string). Math.abs
// overflow is reproduced: it leaves the minimum values negative, and they print
// nothing.
func appendDuration(dst []byte, months, days int32, nanos int64) []byte {
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
