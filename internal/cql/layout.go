package cql

import (
	"encoding/binary"
	"fmt"

	"github.com/aegisthus/aegisthus/internal/sstable/wire"
)

// IntWidth returns the width in bytes of a value of the integer kinds tinyint,
// smallint and int, and 8 for every other kind (bigint, counter).
func (k Kind) IntWidth() int {
	switch k {
	case Tinyint:
		return 1
	case Smallint:
		return 2
	case Int:
		return 4
	}
	return 8
}

// NonASCII returns the index of the first byte of v that is not ASCII, or -1:
// AsciiType's validation.
func NonASCII(v []byte) int {
	for i, c := range v {
		if c >= 0x80 {
			return i
		}
	}
	return -1
}

// Elems iterates over the elements of a frozen collection (CollectionSerializer,
// native protocol v3+: i32 count, then i32 length and bytes per element, -1 for
// null). fn gets nil for a null element.
func Elems(v []byte, perElem int, fn func(i int, e []byte) error) error {
	if len(v) < 4 {
		return fmt.Errorf("collection: need a 4-byte element count, have %d bytes: %w", len(v), wire.ErrCorrupt)
	}
	n := int32(binary.BigEndian.Uint32(v))
	if n < 0 {
		return fmt.Errorf("collection: negative element count %d: %w", n, wire.ErrCorrupt)
	}
	off := 4
	for i := 0; i < int(n)*perElem; i++ {
		if len(v)-off < 4 {
			return fmt.Errorf("collection: element %d of %d: need a 4-byte length at byte %d of %d: %w", i/perElem, n, off, len(v), wire.ErrCorrupt)
		}
		l := int32(binary.BigEndian.Uint32(v[off:]))
		off += 4
		var e []byte
		if l >= 0 {
			if int(l) > len(v)-off {
				return fmt.Errorf("collection: element %d of %d: length %d runs past the end (%d bytes left): %w", i/perElem, n, l, len(v)-off, wire.ErrCorrupt)
			}
			e = v[off : off+int(l) : off+int(l)]
			off += int(l)
		}
		if err := fn(i, e); err != nil {
			return err
		}
	}
	if off != len(v) {
		return fmt.Errorf("collection: %d bytes after %d elements: %w", len(v)-off, n, wire.ErrCorrupt)
	}
	return nil
}

// VectorElems iterates over a vector's elements (VectorType serializers): fixed
// width elements are concatenated, variable width ones carry an unsigned vint length.
func (t *Type) VectorElems(v []byte, fn func(i int, e []byte) error) error {
	et := t.Params[0]
	w := et.ValueLengthIfFixed()
	off := 0
	for i := 0; i < t.Dimension; i++ {
		n := w
		if w < 0 {
			u, k := wire.UVint(v[off:])
			if k == 0 || u > uint64(len(v)-off-k) {
				return fmt.Errorf("vector: element %d of %d: bad length at byte %d of %d: %w", i, t.Dimension, off, len(v), wire.ErrCorrupt)
			}
			off += k
			n = int(u)
		} else if n > len(v)-off {
			return fmt.Errorf("vector: element %d of %d: need %d bytes, have %d: %w", i, t.Dimension, n, len(v)-off, wire.ErrCorrupt)
		}
		if err := fn(i, v[off:off+n]); err != nil {
			return err
		}
		off += n
	}
	if off != len(v) {
		return fmt.Errorf("vector: %d bytes after %d elements: %w", len(v)-off, t.Dimension, wire.ErrCorrupt)
	}
	return nil
}

// FieldIndex decodes a non-frozen UDT cell path: the field's position as a 2-byte
// big-endian short (UserType / ByteBufferUtil.bytes(short)).
func FieldIndex(path []byte) (int, error) {
	if len(path) != 2 {
		return 0, fmt.Errorf("udt cell path: want 2 bytes, have %d: %w", len(path), wire.ErrCorrupt)
	}
	i := int(int16(binary.BigEndian.Uint16(path)))
	if i < 0 {
		return 0, fmt.Errorf("udt cell path: negative field index %d: %w", i, wire.ErrCorrupt)
	}
	return i, nil
}

// compositeComponents iterates over a CompositeType value: an optional FF FF
// static marker, then per component u16 length, bytes and an end-of-component
// byte. fn returns false to stop.
func compositeComponents(v []byte, fn func(i int, c []byte, eoc byte) bool) (static bool, err error) {
	static, off := CompositeStart(v)
	for i := 0; off < len(v); i++ {
		c, eoc, next, err := NextComponent(v, off, i)
		if err != nil {
			return static, err
		}
		off = next
		if !fn(i, c, eoc) {
			break
		}
	}
	return static, nil
}

// CompositeStart reports whether v starts with the static marker and the offset
// of its first component.
func CompositeStart(v []byte) (static bool, off int) {
	if len(v) >= 2 && v[0] == 0xff && v[1] == 0xff {
		return true, 2
	}
	return false, 0
}

// NextComponent decodes component i of a CompositeType value at off and returns
// the offset after it.
func NextComponent(v []byte, off, i int) (c []byte, eoc byte, next int, err error) {
	if len(v)-off < 2 {
		return nil, 0, off, fmt.Errorf("composite: component %d: need a 2-byte length at byte %d of %d: %w", i, off, len(v), wire.ErrCorrupt)
	}
	l := int(binary.BigEndian.Uint16(v[off:]))
	off += 2
	if l+1 > len(v)-off {
		return nil, 0, off, fmt.Errorf("composite: component %d: length %d and end-of-component byte run past the end (%d bytes left): %w", i, l, len(v)-off, wire.ErrCorrupt)
	}
	c = v[off : off+l : off+l]
	off += l
	return c, v[off], off + 1, nil
}

// Components splits a CompositeType value (a multi-column partition key) into its
// components. The returned slices alias v.
func Components(v []byte) ([][]byte, error) { return AppendComponents(nil, v) }

// AppendComponents is Components appending to dst (to reuse its storage).
func AppendComponents(dst [][]byte, v []byte) ([][]byte, error) {
	_, off := CompositeStart(v)
	for i := 0; off < len(v); i++ {
		c, _, next, err := NextComponent(v, off, i)
		if err != nil {
			return dst, err
		}
		dst = append(dst, c)
		off = next
	}
	return dst, nil
}

// DynamicComponents iterates over a DynamicCompositeType value: per component a
// u16 header (top bit set: alias in the low byte; else the length of a class
// name that follows), then u16 length, bytes and an end-of-component byte.
func (t *Type) DynamicComponents(v []byte, fn func(i int, alias byte, class string, ct *Type, c []byte, eoc byte) bool) error {
	off := 0
	for i := 0; off < len(v); i++ {
		if len(v)-off < 2 {
			return fmt.Errorf("dynamic composite: component %d: need a 2-byte header: %w", i, wire.ErrCorrupt)
		}
		h := binary.BigEndian.Uint16(v[off:])
		off += 2
		var alias byte
		var class string
		ct := TypeBlob
		if h&0x8000 != 0 {
			alias = byte(h)
			for j, a := range t.FieldNames {
				if len(a) == 1 && a[0] == alias {
					ct = t.Params[j]
				}
			}
		} else {
			n := int(h)
			if n > len(v)-off {
				return fmt.Errorf("dynamic composite: component %d: class name of %d bytes runs past the end: %w", i, n, wire.ErrCorrupt)
			}
			class = string(v[off : off+n])
			off += n
			if p, err := ParseMarshal(class); err == nil {
				ct = p
			}
		}
		if len(v)-off < 2 {
			return fmt.Errorf("dynamic composite: component %d: need a 2-byte length: %w", i, wire.ErrCorrupt)
		}
		l := int(binary.BigEndian.Uint16(v[off:]))
		off += 2
		if l+1 > len(v)-off {
			return fmt.Errorf("dynamic composite: component %d: length %d runs past the end: %w", i, l, wire.ErrCorrupt)
		}
		c := v[off : off+l : off+l]
		off += l
		eoc := v[off]
		off++
		if !fn(i, alias, class, ct, c, eoc) {
			break
		}
	}
	return nil
}
