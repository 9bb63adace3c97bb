package wire

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/bits"
)

// Cursor decodes Cassandra primitives from b. The first failure sticks: later calls
// return zero values, and Err says where decoding stopped (as an offset relative to
// Base, which callers set to the file offset of b[0] so messages name real offsets).
//
// Slices returned by Bytes* alias b: they stay valid as long as b does.
// A Cursor is a value type; it is not safe for concurrent use.
type Cursor struct {
	b     []byte
	off   int
	Base  int64 // file offset of b[0], only for error messages
	err   error
	short bool // the error was running out of bytes
}

// NewCursor returns a cursor over b, whose first byte sits at file offset base.
func NewCursor(b []byte, base int64) Cursor { return Cursor{b: b, Base: base} }

// Err returns the first error met, or nil. It wraps ErrCorrupt.
func (c *Cursor) Err() error { return c.err }

// Short reports whether the recorded error is only that b ended too early: a
// streaming reader can fetch more bytes and decode again.
func (c *Cursor) Short() bool { return c.short }

// Offset returns the current position relative to b[0].
func (c *Cursor) Offset() int { return c.off }

// FileOffset returns Base + Offset.
func (c *Cursor) FileOffset() int64 { return c.Base + int64(c.off) }

// Len returns the number of unread bytes.
func (c *Cursor) Len() int { return len(c.b) - c.off }

// Rest returns the unread bytes without consuming them.
func (c *Cursor) Rest() []byte { return c.b[c.off:] }

// Fail records err (if no error is recorded yet) and returns false.
func (c *Cursor) Fail(format string, args ...any) bool {
	if c.err == nil {
		c.err = fmt.Errorf("at offset %d: %s: %w", c.FileOffset(), fmt.Sprintf(format, args...), ErrCorrupt)
		c.off = len(c.b)
	}
	return false
}

func (c *Cursor) need(n int, what string) bool {
	if c.err != nil {
		return false
	}
	if n < 0 || len(c.b)-c.off < n {
		c.Fail("%s: need %d bytes, have %d", what, n, len(c.b)-c.off)
		c.short = n >= 0
		return false
	}
	return true
}

// Skip advances n bytes.
func (c *Cursor) Skip(n int) {
	if c.need(n, "skip") {
		c.off += n
	}
}

// U8 reads one byte.
func (c *Cursor) U8() uint8 {
	// Fast path, small enough to inline; after an error off == len(b).
	if off := c.off; off < len(c.b) {
		c.off = off + 1
		return c.b[off]
	}
	c.need(1, "u8")
	return 0
}

// Bool reads one byte: 0 is false, anything else true (Java DataInput.readBoolean).
func (c *Cursor) Bool() bool { return c.U8() != 0 }

// U16 reads a big-endian uint16.
func (c *Cursor) U16() uint16 {
	if !c.need(2, "u16") {
		return 0
	}
	v := binary.BigEndian.Uint16(c.b[c.off:])
	c.off += 2
	return v
}

// U32 reads a big-endian uint32.
func (c *Cursor) U32() uint32 {
	if !c.need(4, "u32") {
		return 0
	}
	v := binary.BigEndian.Uint32(c.b[c.off:])
	c.off += 4
	return v
}

// I32 reads a big-endian int32.
func (c *Cursor) I32() int32 { return int32(c.U32()) }

// U64 reads a big-endian uint64.
func (c *Cursor) U64() uint64 {
	if !c.need(8, "u64") {
		return 0
	}
	v := binary.BigEndian.Uint64(c.b[c.off:])
	c.off += 8
	return v
}

// I64 reads a big-endian int64.
func (c *Cursor) I64() int64 { return int64(c.U64()) }

// F64 reads a big-endian IEEE-754 double.
func (c *Cursor) F64() float64 { return math.Float64frombits(c.U64()) }

// Bytes reads n bytes. The result aliases the cursor's buffer.
func (c *Cursor) Bytes(n int) []byte {
	// Fast path, small enough to inline. After an error off == len(b), so only
	// zero-length reads take it, and they read nothing.
	off := c.off
	if uint(n) <= uint(len(c.b)-off) {
		c.off = off + n
		return c.b[off : off+n : off+n]
	}
	return c.bytesSlow(n)
}

func (c *Cursor) bytesSlow(n int) []byte {
	if !c.need(n, "bytes") {
		return nil
	}
	v := c.b[c.off : c.off+n : c.off+n]
	c.off += n
	return v
}

// Bytes16 reads a u16 length and that many bytes (Java writeShort-length, "short bytes").
func (c *Cursor) Bytes16() []byte { return c.Bytes(int(c.U16())) }

// Bytes32 reads an i32 length and that many bytes. A negative length is corrupt.
func (c *Cursor) Bytes32() []byte {
	n := c.I32()
	if n < 0 {
		c.Fail("negative length %d", n)
		return nil
	}
	return c.Bytes(int(n))
}

// VBytes reads an unsigned-vint length and that many bytes.
func (c *Cursor) VBytes() []byte {
	if off := c.off; off < len(c.b) {
		if n := int(c.b[off]); n < 0x80 && n < len(c.b)-off {
			c.off = off + 1 + n
			return c.b[off+1 : off+1+n : off+1+n]
		}
	}
	return c.vbytesSlow()
}

func (c *Cursor) vbytesSlow() []byte {
	n := c.UVint()
	if n > math.MaxInt32 {
		c.Fail("length %d too large", n)
		return nil
	}
	return c.Bytes(int(n))
}

// UTF reads a Java writeUTF string: u16 length, then modified UTF-8 (plain UTF-8
// for everything Cassandra writes into SSTables). It allocates the string.
func (c *Cursor) UTF() string { return string(c.Bytes16()) }

// UVint reads Cassandra's unsigned vint (VIntCoding.readUnsignedVInt): the count of
// leading 1-bits in the first byte is the number of extra bytes, big-endian.
func (c *Cursor) UVint() uint64 {
	if off := c.off; off < len(c.b) && c.b[off] < 0x80 {
		c.off = off + 1
		return uint64(c.b[off])
	}
	return c.uvintSlow()
}

func (c *Cursor) uvintSlow() uint64 {
	// Multi-byte form while 8 bytes remain: one big-endian load, the length
	// from its leading ones, no branch on it. An n-byte vint holds 7n value
	// bits. After an error off == len(b), so the checked path reports it.
	if off := c.off; off <= len(c.b)-8 {
		v := binary.BigEndian.Uint64(c.b[off:])
		if extra := uint(bits.LeadingZeros64(^v)); extra < 8 {
			c.off = off + 1 + int(extra)
			return v >> (56 - 8*extra) & (1<<(7+7*extra) - 1)
		}
	}
	if !c.need(1, "vint") {
		return 0
	}
	v, n := UVint(c.b[c.off:])
	if n <= 0 {
		c.Fail("vint: need %d bytes, have %d", VintSize(c.b[c.off]), len(c.b)-c.off)
		c.short = true
		return 0
	}
	c.off += n
	return v
}

// Vint reads a zig-zag signed vint (VIntCoding.readVInt).
func (c *Cursor) Vint() int64 { return ZigZag(c.UVint()) }

// UVint32 reads an unsigned vint that Cassandra wrote from an int (sign-extended to
// 64 bits) and narrows it back, as VIntCoding.readUnsignedVInt32 does.
func (c *Cursor) UVint32() int32 {
	v := c.UVint()
	if int64(v) > math.MaxInt32 || int64(v) < math.MinInt32 {
		c.Fail("vint %d does not fit in 32 bits", int64(v))
		return 0
	}
	return int32(v)
}

// VintSize returns the encoded size (1..9) of a vint whose first byte is b0.
func VintSize(b0 byte) int { return bits.LeadingZeros8(^b0) + 1 }

// UVint decodes an unsigned vint from the start of b. It returns the value and the
// number of bytes read; n == 0 means b is too short (nothing is consumed).
func UVint(b []byte) (v uint64, n int) {
	if len(b) == 0 {
		return 0, 0
	}
	b0 := b[0]
	if b0 < 0x80 {
		return uint64(b0), 1
	}
	extra := bits.LeadingZeros8(^b0)
	if len(b) < extra+1 {
		return 0, 0
	}
	v = uint64(b0 & (0xFF >> (extra + 1)))
	for i := 1; i <= extra; i++ {
		v = v<<8 | uint64(b[i])
	}
	return v, extra + 1
}

// ZigZag maps an unsigned vint back to the signed value it encodes.
func ZigZag(u uint64) int64 { return int64(u>>1) ^ -int64(u&1) }

// AppendUVint appends the shortest Cassandra encoding of v (for tests and fuzzing).
func AppendUVint(dst []byte, v uint64) []byte {
	extra := 0
	for extra < 8 {
		// value bits available with `extra` extra bytes: 7 - extra + 8*extra
		if bitsAvail := 7 + 7*extra; extra == 8 || v < uint64(1)<<uint(bitsAvail) {
			break
		}
		extra++
	}
	if extra == 8 {
		dst = append(dst, 0xFF)
		return binary.BigEndian.AppendUint64(dst, v)
	}
	var tmp [9]byte
	for i := extra; i >= 1; i-- {
		tmp[i] = byte(v)
		v >>= 8
	}
	tmp[0] = byte(v) | ^byte(0xFF>>extra)
	return append(dst, tmp[:extra+1]...)
}

// AppendVint appends the zig-zag signed encoding of v.
func AppendVint(dst []byte, v int64) []byte {
	return AppendUVint(dst, uint64((v<<1)^(v>>63)))
}
