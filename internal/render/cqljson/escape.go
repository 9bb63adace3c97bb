package cqljson

import (
	"encoding/binary"
	"slices"
	"unicode/utf8"
)

// This file holds JSON string quoting as Cassandra's JsonUtils.quoteAsJsonString
// (Jackson's JsonStringEncoder) does it, and column names as object keys.

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
// whether s is valid UTF-8, in one pass: runs of plain ASCII bytes are copied
// sixteen, then eight bytes at a time without looking at each byte (most text
// is such runs), and a string of eight bytes or more ends with one overlapping
// eight-byte word rather than a byte loop.
func appendJSONEscapedValid(dst []byte, s []byte) ([]byte, bool) {
	// Most strings need no escaping: copy them as they are checked, into room
	// made once, and leave the rest to the general loop at the first word that
	// needs a look.
	n := len(s)
	dst = slices.Grow(dst, n+8)
	d0 := len(dst)
	d := d0
	out := dst[:cap(dst)]
	i := 0
	for n-i >= 8 {
		w := binary.LittleEndian.Uint64(s[i:])
		if !plain8(w) {
			break
		}
		binary.LittleEndian.PutUint64(out[d:], w)
		i += 8
		d += 8
	}
	if i == n {
		return out[:d], true
	}
	if n >= 8 && n-i < 8 {
		// s[:i] is plain and fewer than eight bytes are left: the last eight
		// bytes of s, overlapping ones already copied, settle the rest at once.
		if w := binary.LittleEndian.Uint64(s[n-8:]); plain8(w) {
			binary.LittleEndian.PutUint64(out[d0+n-8:], w)
			return out[:d0+n], true
		}
	}
	for i < n && jsonPlain[s[i]] {
		out[d] = s[i]
		d++
		i++
	}
	if i == n {
		return out[:d], true
	}
	return appendJSONEscapedRest(out[:d], s[i:])
}

// plain16 is plain8 of two words, with one test.
func plain16(w0, w1 uint64) bool {
	c0 := (w0 - 0x2020202020202020) &^ w0
	c1 := (w1 - 0x2020202020202020) &^ w1
	q0, q1 := w0^quot, w1^quot
	q0 = (q0 - lo7) &^ q0
	q1 = (q1 - lo7) &^ q1
	b0, b1 := w0^bsl, w1^bsl
	b0 = (b0 - lo7) &^ b0
	b1 = (b1 - lo7) &^ b1
	return (w0|c0|q0|b0|w1|c1|q1|b1)&hi7 == 0
}

// appendJSONEscapedRest is appendJSONEscapedValid's general loop.
func appendJSONEscapedRest(dst []byte, s []byte) ([]byte, bool) {
	valid := true
	start, i, n := 0, 0, len(s)
	for i < n {
		for n-i >= 16 && plain8(binary.LittleEndian.Uint64(s[i:])) && plain8(binary.LittleEndian.Uint64(s[i+8:])) {
			i += 16
		}
		if n-i >= 8 && plain8(binary.LittleEndian.Uint64(s[i:])) {
			i += 8
		}
		for i < n && jsonPlain[s[i]] {
			i++
		}
		if i >= n {
			break
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

// jsonPlain marks the bytes plain8 accepts: ASCII from 0x20 but '"' and '\\'.
var jsonPlain = func() (t [256]bool) {
	for c := 0x20; c < 0x80; c++ {
		t[c] = c != '"' && c != '\\'
	}
	return t
}()

func appendJSONEscapedString(dst []byte, s string) []byte {
	// The conversion does not allocate: the compiler sees the slice does not escape.
	return appendJSONEscaped(dst, []byte(s))
}

// AppendColumnName appends a column (or UDT field) name as a JSON object key
// the way Selection.rowToJson and UserType.toJSONString do: a name that is not all
// lower case is wrapped in escaped double quotes ("\"Name\"").
func AppendColumnName(dst []byte, name string) []byte {
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
