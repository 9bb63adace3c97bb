package wire

import (
	"bytes"
	"errors"
	"math"
	"strings"
	"testing"
)

func TestUVintExamples(t *testing.T) {
	// Examples from FORMAT.md §0.3, checked against VIntCoding.java.
	tests := []struct {
		v   uint64
		enc []byte
	}{
		{5, []byte{0x05}},
		{128, []byte{0x80, 0x80}},
		{255, []byte{0x80, 0xFF}},
		{3600, []byte{0x8E, 0x10}},
		{16383, []byte{0xBF, 0xFF}},
		{16384, []byte{0xC0, 0x40, 0x00}},
		{math.MaxUint64, bytes.Repeat([]byte{0xFF}, 9)},
	}
	for _, tt := range tests {
		if got := AppendUVint(nil, tt.v); !bytes.Equal(got, tt.enc) {
			t.Errorf("AppendUVint(%d) = %x, want %x", tt.v, got, tt.enc)
		}
		c := NewCursor(tt.enc, 0)
		if got := c.UVint(); got != tt.v || c.Err() != nil || c.Len() != 0 {
			t.Errorf("UVint(%x) = %d, err %v, left %d", tt.enc, got, c.Err(), c.Len())
		}
	}
}

func TestCursorStickyError(t *testing.T) {
	c := NewCursor([]byte{0x00, 0x01, 0x02}, 100)
	if c.U16() != 1 {
		t.Fatal("u16")
	}
	c.U32() // past end
	if !errors.Is(c.Err(), ErrCorrupt) {
		t.Fatalf("err = %v, want ErrCorrupt", c.Err())
	}
	if !strings.Contains(c.Err().Error(), "offset 102") {
		t.Errorf("error %q does not name the file offset", c.Err())
	}
	if c.U8() != 0 || c.Err() == nil {
		t.Error("error did not stick")
	}
}

func TestTruncatedVint(t *testing.T) {
	c := NewCursor([]byte{0xC0, 0x40}, 0)
	c.UVint()
	if !errors.Is(c.Err(), ErrCorrupt) {
		t.Fatalf("err = %v", c.Err())
	}
}

func FuzzCursor(f *testing.F) {
	f.Add([]byte{0x05, 0x80, 0x80, 0xFF, 0xFF, 0x00, 0x03, 'a', 'b', 'c'})
	f.Add(bytes.Repeat([]byte{0xFF}, 9))
	for b0 := 0x80; b0 <= 0xFF; b0 += 0x08 {
		f.Add(append([]byte{byte(b0)}, 0x81, 0x02, 0xC3, 0x04, 0xE5, 0x06, 0xF7, 0x08, 0xFE))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		// At every position, the cursor's vint (its one-load fast path while 8
		// bytes remain) is the reference decoder's, value and length.
		for i := range b {
			want, n := UVint(b[i:])
			v := NewCursor(b[i:], 0)
			if got := v.UVint(); got != want || (n > 0) != (v.Err() == nil) || (n > 0 && v.Offset() != n) {
				t.Fatalf("vint at %d (% x): cursor %d after %d bytes (err %v), reference %d in %d", i, b[i:min(len(b), i+9)], got, v.Offset(), v.Err(), want, n)
			}
		}
		c := NewCursor(b, 0)
		for c.Err() == nil && c.Len() > 0 {
			start := c.Offset()
			switch b[start] % 5 {
			case 0:
				v := c.UVint()
				if c.Err() == nil {
					// Round trip: re-encoding is never longer than what we read.
					if enc := AppendUVint(nil, v); len(enc) > c.Offset()-start {
						t.Fatalf("re-encoding %d longer than input", v)
					}
					if got, _ := UVint(AppendUVint(nil, v)); got != v {
						t.Fatalf("round trip %d -> %d", v, got)
					}
				}
			case 1:
				c.Bytes16()
			case 2:
				c.VBytes()
			case 3:
				c.Vint()
			case 4:
				c.I64()
			}
			if c.Err() == nil && c.Offset() == start {
				t.Fatal("no progress")
			}
		}
	})
}
