package partfile

import (
	"fmt"
	"math"
	"unicode/utf16"
	"unicode/utf8"
)

// maxDepth bounds the nesting of values the cursor skips.
const maxDepth = 64

// cursor reads the JSON of one record. The first failure sticks: later calls
// return zero values and err says where (the byte index in the record) and why.
// Strings without escapes and hex values are returned as sub-slices of b; hex is
// decoded in place, so a region of b is read once.
type cursor struct {
	b   []byte
	i   int
	err error
	str []byte // scratch for strings with escapes
}

func (c *cursor) fail(format string, args ...any) {
	if c.err == nil {
		c.err = &syntaxError{at: c.i, msg: fmt.Sprintf(format, args...)}
	}
}

type syntaxError struct {
	at  int
	msg string
}

func (e *syntaxError) Error() string { return fmt.Sprintf("byte %d: %s", e.at, e.msg) }

func (c *cursor) ws() {
	for c.i < len(c.b) {
		switch c.b[c.i] {
		case ' ', '\t', '\r', '\n':
			c.i++
		default:
			return
		}
	}
}

// peek returns the next non-space byte, or 0 at the end or after an error.
func (c *cursor) peek() byte {
	if c.err != nil {
		return 0
	}
	c.ws()
	if c.i >= len(c.b) {
		return 0
	}
	return c.b[c.i]
}

func (c *cursor) expect(ch byte) bool {
	if c.peek() != ch {
		if c.err == nil {
			if c.i >= len(c.b) {
				c.fail("want %q, found the end of the record", ch)
			} else {
				c.fail("want %q, found %q", ch, c.b[c.i])
			}
		}
		return false
	}
	c.i++
	return true
}

// more reads the separator after an element of an object or array: true after a
// comma, false after the closing byte (or an error).
func (c *cursor) more(close byte) bool {
	switch c.peek() {
	case ',':
		c.i++
		return true
	case close:
		c.i++
		return false
	}
	c.expect(close)
	return false
}

// open reads the opening byte of an object or array and reports whether it has
// elements.
func (c *cursor) open(ch, close byte) bool {
	if !c.expect(ch) {
		return false
	}
	if c.peek() == close {
		c.i++
		return false
	}
	return c.err == nil
}

// key reads an object key and its colon.
func (c *cursor) key() []byte {
	k := c.string()
	c.expect(':')
	return k
}

// string reads a JSON string. The result aliases b or c.str: valid until the
// next string.
func (c *cursor) string() []byte {
	if !c.expect('"') {
		return nil
	}
	start := c.i
	for c.i < len(c.b) {
		switch ch := c.b[c.i]; {
		case ch == '"':
			c.i++
			return c.b[start : c.i-1]
		case ch == '\\':
			return c.escaped(start)
		case ch < 0x20:
			c.fail("control byte 0x%02x in a string", ch)
			return nil
		}
		c.i++
	}
	c.fail("unterminated string")
	return nil
}

func (c *cursor) escaped(start int) []byte {
	c.str = append(c.str[:0], c.b[start:c.i]...)
	for c.i < len(c.b) {
		ch := c.b[c.i]
		switch {
		case ch == '"':
			c.i++
			if !utf8.Valid(c.str) {
				c.fail("invalid UTF-8 in a string")
				return nil
			}
			return c.str
		case ch < 0x20:
			c.fail("control byte 0x%02x in a string", ch)
			return nil
		case ch != '\\':
			c.str = append(c.str, ch)
			c.i++
			continue
		}
		if c.i+1 >= len(c.b) {
			break
		}
		e := c.b[c.i+1]
		c.i += 2
		switch e {
		case '"', '\\', '/':
			c.str = append(c.str, e)
		case 'b':
			c.str = append(c.str, '\b')
		case 'f':
			c.str = append(c.str, '\f')
		case 'n':
			c.str = append(c.str, '\n')
		case 'r':
			c.str = append(c.str, '\r')
		case 't':
			c.str = append(c.str, '\t')
		case 'u':
			r, ok := c.hex4()
			if !ok {
				c.fail("bad \\u escape")
				return nil
			}
			if utf16.IsSurrogate(r) {
				r2 := rune(-1)
				if c.i+1 < len(c.b) && c.b[c.i] == '\\' && c.b[c.i+1] == 'u' {
					c.i += 2
					if r2, ok = c.hex4(); !ok {
						c.fail("bad \\u escape")
						return nil
					}
				}
				r = utf16.DecodeRune(r, r2)
			}
			c.str = utf8.AppendRune(c.str, r)
		default:
			c.fail("bad escape \\%c", e)
			return nil
		}
	}
	c.fail("unterminated string")
	return nil
}

func (c *cursor) hex4() (rune, bool) {
	if c.i+4 > len(c.b) {
		return 0, false
	}
	var r rune
	for _, h := range c.b[c.i : c.i+4] {
		v, ok := unhex(h)
		if !ok {
			return 0, false
		}
		r = r<<4 | rune(v)
	}
	c.i += 4
	return r, true
}

func unhex(h byte) (byte, bool) {
	switch {
	case '0' <= h && h <= '9':
		return h - '0', true
	case 'a' <= h && h <= 'f':
		return h - 'a' + 10, true
	case 'A' <= h && h <= 'F':
		return h - 'A' + 10, true
	}
	return 0, false
}

// hex reads a string of hex digits and decodes it in place: the result, never
// nil, aliases b.
func (c *cursor) hex() []byte {
	if !c.expect('"') {
		return nil
	}
	start := c.i
	for c.i < len(c.b) && c.b[c.i] != '"' {
		c.i++
	}
	if c.i >= len(c.b) {
		c.fail("unterminated string")
		return nil
	}
	src := c.b[start:c.i]
	c.i++
	if len(src)%2 != 0 {
		c.i = start
		c.fail("odd number of hex digits")
		return nil
	}
	dst := src[:len(src)/2]
	for j := range dst {
		hi, ok1 := unhex(src[2*j])
		lo, ok2 := unhex(src[2*j+1])
		if !ok1 || !ok2 {
			c.i = start + 2*j
			c.fail("bad hex digit")
			return nil
		}
		dst[j] = hi<<4 | lo
	}
	return dst
}

// hexOrNull reads a hex string or null (nil).
func (c *cursor) hexOrNull() []byte {
	if c.peek() == 'n' {
		c.literal("null")
		return nil
	}
	return c.hex()
}

func (c *cursor) literal(lit string) {
	if c.peek() == 0 || len(c.b)-c.i < len(lit) || string(c.b[c.i:c.i+len(lit)]) != lit {
		c.fail("want %s", lit)
		return
	}
	c.i += len(lit)
}

func (c *cursor) bool() bool {
	switch c.peek() {
	case 't':
		c.literal("true")
		return true
	case 'f':
		c.literal("false")
		return false
	}
	c.fail("want true or false")
	return false
}

// int reads a JSON integer that fits an int64.
func (c *cursor) int() int64 {
	if c.peek() == 0 {
		c.fail("want a number")
		return 0
	}
	neg := c.b[c.i] == '-'
	if neg {
		c.i++
	}
	start := c.i
	var u uint64
	for c.i < len(c.b) && '0' <= c.b[c.i] && c.b[c.i] <= '9' {
		d := uint64(c.b[c.i] - '0')
		if u > (math.MaxUint64-d)/10 {
			c.fail("number out of the int64 range")
			return 0
		}
		u = u*10 + d
		c.i++
	}
	if c.i == start {
		c.fail("want a number")
		return 0
	}
	if c.i < len(c.b) {
		switch c.b[c.i] {
		case '.', 'e', 'E':
			c.fail("want an integer")
			return 0
		}
	}
	switch {
	case neg && u <= 1<<63:
		return int64(-u)
	case !neg && u <= math.MaxInt64:
		return int64(u)
	}
	c.fail("number out of the int64 range")
	return 0
}

// skip reads any value.
func (c *cursor) skip() { c.skipDepth(0) }

func (c *cursor) skipDepth(depth int) {
	if depth > maxDepth {
		c.fail("values nested deeper than %d", maxDepth)
		return
	}
	switch ch := c.peek(); {
	case ch == '{':
		if c.open('{', '}') {
			for {
				c.key()
				c.skipDepth(depth + 1)
				if !c.more('}') {
					break
				}
			}
		}
	case ch == '[':
		if c.open('[', ']') {
			for {
				c.skipDepth(depth + 1)
				if !c.more(']') {
					break
				}
			}
		}
	case ch == '"':
		c.string()
	case ch == 't':
		c.literal("true")
	case ch == 'f':
		c.literal("false")
	case ch == 'n':
		c.literal("null")
	case ch == '-' || '0' <= ch && ch <= '9':
		c.i++
		for c.i < len(c.b) && (('0' <= c.b[c.i] && c.b[c.i] <= '9') || c.b[c.i] == '.' || c.b[c.i] == 'e' ||
			c.b[c.i] == 'E' || c.b[c.i] == '+' || c.b[c.i] == '-') {
			c.i++
		}
	default:
		c.fail("want a value")
	}
}
