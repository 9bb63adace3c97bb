package cqljson

import (
	"encoding/binary"
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
	dst, _ = AppendQuoted(dst, s)
	return dst
}

// AppendQuoted appends v as a JSON string (AppendJSONString) and reports
// whether v is valid UTF-8: Append's text form; when v is not valid, Append
// (of the same dst and v) gives the error.
//
// Strings of up to sixteen bytes (map keys, tags, words, addresses, most
// text columns) are checked with two overlapping loads and stored with
// their quotes in three or four stores where dst has room, here: one call
// per string, where the quotes' appends and a call to the escaper cost a
// dump about 60 instructions a string more. Longer strings, and short ones
// with bytes to escape or to check as UTF-8, go to appendJSONEscapedValid.
func AppendQuoted(dst, v []byte) ([]byte, bool) {
	n, l := len(v), len(dst)
	if n <= 16 && cap(dst)-l >= 18 {
		out := dst[l : l+18]
		switch {
		case n >= 8:
			w0, w1 := binary.LittleEndian.Uint64(v), binary.LittleEndian.Uint64(v[n-8:])
			if plain8(w0) && plain8(w1) {
				out[0] = '"'
				binary.LittleEndian.PutUint64(out[1:], w0)
				binary.LittleEndian.PutUint64(out[n-7:], w1)
				out[n+1] = '"'
				return dst[:l+n+2], true
			}
		case n >= 4:
			// Short words: two overlapping four-byte loads, checked as one
			// word.
			a, b := binary.LittleEndian.Uint32(v), binary.LittleEndian.Uint32(v[n-4:])
			if plain8(uint64(a) | uint64(b)<<32) {
				out[0] = '"'
				binary.LittleEndian.PutUint32(out[1:], a)
				binary.LittleEndian.PutUint32(out[n-3:], b)
				out[n+1] = '"'
				return dst[:l+n+2], true
			}
		case n > 0:
			// One to three bytes: v[0], v[n/2] and v[n-1] are all of them.
			a, m, z := v[0], v[n>>1], v[n-1]
			if jsonPlain[a] && jsonPlain[m] && jsonPlain[z] {
				out[0], out[1], out[1+n>>1], out[n], out[n+1] = '"', a, m, z, '"'
				return dst[:l+n+2], true
			}
		default:
			out[0], out[1] = '"', '"'
			return dst[:l+2], true
		}
	}
	return appendQuotedLong(dst, v)
}

// appendQuotedLong is AppendQuoted without the short strings' stores, small
// enough to be inlined.
func appendQuotedLong(dst, v []byte) ([]byte, bool) {
	dst, ok := appendJSONEscapedValid(append(dst, '"'), v)
	return append(dst, '"'), ok
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

// plainJSON reports whether appendJSONEscaped would copy s unchanged. Words
// of plain ASCII are skipped eight bytes at a time; the bytes from the first
// other word on (non-ASCII is plain too) are looked at one by one.
func plainJSON(s []byte) bool {
	for len(s) >= 8 && plain8(binary.LittleEndian.Uint64(s)) {
		s = s[8:]
	}
	for _, c := range s {
		if c < 0x20 || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// appendJSONEscapedValid escapes s as appendJSONEscaped documents and reports
// whether s is valid UTF-8, in one pass. Most strings need no escaping: with
// AVX2 (escape_simd.go) strings of 32 bytes and more are checked 32 bytes at
// a time; otherwise they are checked sixteen, then eight bytes at a time (a
// string of eight bytes or more ends with one overlapping word) with no
// store, and appended in one copy. Otherwise the plain run before the first
// byte that needs a look is copied and the general loop takes over from
// there. (AppendQuoted stores short plain strings itself.)
func appendJSONEscapedValid(dst []byte, s []byte) ([]byte, bool) {
	n := len(s)
	if n >= 32 && vecScan {
		// Long strings with AVX2 (escape_simd.go): one vector scan finds
		// the first byte that needs a look, if any.
		i := plainPrefixVec(s)
		if i == n {
			return append(dst, s...), true
		}
		dst = append(dst, s[:i]...)
		return appendJSONEscapedRest(dst, s[i:])
	}
	i := 0
	for ; n-i >= 16; i += 16 {
		// plain8 of two words with one test, written out: as a function
		// the compiler would not inline it.
		w0, w1 := binary.LittleEndian.Uint64(s[i:]), binary.LittleEndian.Uint64(s[i+8:])
		c0, c1 := (w0-0x2020202020202020)&^w0, (w1-0x2020202020202020)&^w1
		q0, q1 := w0^quot, w1^quot
		b0, b1 := w0^bsl, w1^bsl
		if (w0|c0|(q0-lo7)&^q0|(b0-lo7)&^b0|w1|c1|(q1-lo7)&^q1|(b1-lo7)&^b1)&hi7 != 0 {
			break
		}
	}
	if n-i >= 8 && plain8(binary.LittleEndian.Uint64(s[i:])) {
		i += 8
	}
	if i == n || n >= 8 && n-i < 8 && plain8(binary.LittleEndian.Uint64(s[n-8:])) {
		// Fewer than eight bytes were left, and the last eight bytes of s,
		// overlapping ones already checked, settle them at once.
		return append(dst, s...), true
	}
	for i < n && jsonPlain[s[i]] {
		i++
	}
	dst = append(dst, s[:i]...)
	if i == n {
		return dst, true
	}
	return appendJSONEscapedRest(dst, s[i:])
}

// appendJSONEscapedRest is appendJSONEscapedValid's general loop.
func appendJSONEscapedRest(dst []byte, s []byte) ([]byte, bool) {
	valid := true
	start, i, n := 0, 0, len(s)
	for i < n {
		if vecScan && n-i >= 32 {
			i += plainPrefixVec(s[i:])
		} else {
			for n-i >= 16 && plain8(binary.LittleEndian.Uint64(s[i:])) && plain8(binary.LittleEndian.Uint64(s[i+8:])) {
				i += 16
			}
			if n-i >= 8 && plain8(binary.LittleEndian.Uint64(s[i:])) {
				i += 8
			}
			for i < n && jsonPlain[s[i]] {
				i++
			}
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
