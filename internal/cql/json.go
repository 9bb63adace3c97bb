package cql

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"slices"
	"unicode/utf8"

	"github.com/aegisthus/aegisthus/internal/javafmt"
	"github.com/aegisthus/aegisthus/internal/sstable/wire"
)

// AppendJSON appends v, one serialized value of type t, as SELECT JSON renders it
// (AbstractType.toJSONString of Cassandra 4.0/5.0), and returns the extended
// buffer. It does not allocate for fixed-width types, text, ascii and blob.
//
// An empty v renders as "" (with the quotes), as Selection.rowToJson does for an
// empty top-level value; a null value is the caller's business ("null"). For a
// multi-cell t, v is the frozen serialization (what serializeForNativeProtocol
// builds); AppendMultiCellJSON takes the cells themselves.
//
// Counter values are the 8-byte total (CounterContext.total), as Selection passes
// them; the counter context itself is the caller's to sum.
//
// Where Cassandra's toJSONString differs from what a reader wants, the choice
// made here: NaN and infinite floats are null (as Cassandra renders them); bytes
// that cannot be decoded (wrong length, invalid UTF-8, truncated collections)
// return an error wrapping wire.ErrCorrupt that says what was expected, and dst
// may then hold a partial value. It never panics.
//
// AppendJSON is safe for concurrent use; it only reads t and v.
func (t *Type) AppendJSON(dst, v []byte) ([]byte, error) {
	if len(v) == 0 {
		if t.Kind == Blob {
			return append(dst, '"', '0', 'x', '"'), nil // SELECT JSON of blobAsBlob(0x) in 5.0.9
		}
		return append(dst, '"', '"'), nil
	}
	return t.appendJSON(dst, v)
}

// appendJSON renders a value nested anywhere, where an empty value goes through
// the type's own toJSONString: "" for most types (Objects.toString(null, "\"\"")),
// "0x" for blobs.
func (t *Type) appendJSON(dst, v []byte) ([]byte, error) {
	switch t.Kind {
	case Ascii:
		if i := nonASCII(v); i >= 0 {
			return dst, fmt.Errorf("ascii value has byte 0x%02x at %d: %w", v[i], i, wire.ErrCorrupt)
		}
		return AppendJSONString(dst, v), nil
	case Text:
		n := len(dst)
		dst = append(dst, '"')
		dst, ok := appendJSONEscapedValid(dst, v)
		if !ok {
			return dst[:n], fmt.Errorf("text value is not valid UTF-8: %w", wire.ErrCorrupt)
		}
		return append(dst, '"'), nil
	case Blob, Custom, DynamicComposite, ColumnToCollection, PartitionerOrder:
		dst = append(dst, '"', '0', 'x')
		dst = hex.AppendEncode(dst, v)
		return append(dst, '"'), nil
	case Composite:
		// CompositeType has no useful toJSONString (it prints the ByteBuffer's
		// toString); render its getString form as a JSON string instead.
		// Render the string form in place after the opening quote; it rarely
		// needs JSON escaping, and only then is it copied out to be escaped.
		n := len(dst)
		dst, err := t.appendString(append(dst, '"'), v)
		if err != nil {
			return dst[:n], err
		}
		if s := dst[n+1:]; !plainJSON(s) {
			dst = appendJSONEscaped(dst[:n+1], append([]byte(nil), s...))
		}
		return append(dst, '"'), nil
	case Empty:
		if len(v) != 0 {
			return dst, fmt.Errorf("empty type: want 0 bytes, have %d: %w", len(v), wire.ErrCorrupt)
		}
		return append(dst, '"', '"'), nil
	}
	if len(v) == 0 {
		return append(dst, '"', '"'), nil
	}
	switch t.Kind {
	case Boolean:
		if len(v) != 1 {
			return dst, lengthError("boolean", 1, len(v))
		}
		if v[0] != 0 {
			return append(dst, "true"...), nil
		}
		return append(dst, "false"...), nil
	case Tinyint, Smallint, Int, Bigint, Counter:
		n := kindWidth(t.Kind)
		if len(v) != n {
			return dst, lengthError(kinds[t.Kind].cql, n, len(v))
		}
		return javafmt.AppendVarint(dst, v), nil
	case Varint:
		return javafmt.AppendVarint(dst, v), nil
	case Float:
		if len(v) != 4 {
			return dst, lengthError("float", 4, len(v))
		}
		f := float64(math.Float32frombits(binary.BigEndian.Uint32(v)))
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return append(dst, "null"...), nil
		}
		return javafmt.AppendFloat(dst, float32(f)), nil
	case Double:
		if len(v) != 8 {
			return dst, lengthError("double", 8, len(v))
		}
		f := math.Float64frombits(binary.BigEndian.Uint64(v))
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return append(dst, "null"...), nil
		}
		return javafmt.AppendDouble(dst, f), nil
	case Decimal:
		return javafmt.AppendDecimal(dst, v, false)
	case UUID, Timeuuid, LexicalUUID:
		if len(v) != 16 {
			return dst, lengthError("uuid", 16, len(v))
		}
		dst = append(dst, '"')
		dst = javafmt.AppendUUID(dst, v)
		return append(dst, '"'), nil
	case Inet:
		dst = append(dst, '"')
		dst, err := javafmt.AppendInet(dst, v)
		if err != nil {
			return dst, err
		}
		return append(dst, '"'), nil
	case Timestamp, LegacyTimestamp:
		if len(v) != 8 {
			return dst, lengthError("timestamp", 8, len(v))
		}
		dst = append(dst, '"')
		dst = javafmt.AppendTimestamp(dst, int64(binary.BigEndian.Uint64(v)), false)
		return append(dst, '"'), nil
	case Date:
		if len(v) != 4 {
			return dst, lengthError("date", 4, len(v))
		}
		dst = append(dst, '"')
		dst = javafmt.AppendDate(dst, binary.BigEndian.Uint32(v))
		return append(dst, '"'), nil
	case Time:
		if len(v) != 8 {
			return dst, lengthError("time", 8, len(v))
		}
		dst = append(dst, '"')
		dst, err := javafmt.AppendTime(dst, int64(binary.BigEndian.Uint64(v)))
		if err != nil {
			return dst, err
		}
		return append(dst, '"'), nil
	case Duration:
		m, d, n, err := DecodeDuration(v)
		if err != nil {
			return dst, err
		}
		dst = append(dst, '"')
		dst = javafmt.AppendDuration(dst, m, d, n)
		return append(dst, '"'), nil
	case List, Set:
		return t.appendCollectionJSON(dst, v, false)
	case Map:
		return t.appendCollectionJSON(dst, v, true)
	case Tuple, UDT:
		return t.appendTupleJSON(dst, v)
	case Vector:
		return t.appendVectorJSON(dst, v)
	}
	return dst, fmt.Errorf("no JSON form for %v: %w", t.Kind, wire.ErrUnsupported)
}

func kindWidth(k Kind) int {
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

func lengthError(what string, want, have int) error {
	return fmt.Errorf("%s value: want %d bytes, have %d: %w", what, want, have, wire.ErrCorrupt)
}

func nonASCII(v []byte) int {
	for i, c := range v {
		if c >= 0x80 {
			return i
		}
	}
	return -1
}

// elems iterates over the elements of a frozen collection (CollectionSerializer,
// native protocol v3+: i32 count, then i32 length and bytes per element, -1 for
// null). fn gets nil for a null element.
func elems(v []byte, perElem int, fn func(i int, e []byte) error) error {
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

func (t *Type) appendCollectionJSON(dst, v []byte, isMap bool) ([]byte, error) {
	per := 1
	open, close := byte('['), byte(']')
	if isMap {
		per, open, close = 2, '{', '}'
	}
	dst = append(dst, open)
	err := elems(v, per, func(i int, e []byte) error {
		var err error
		switch {
		case isMap && i%2 == 0:
			if i > 0 {
				dst = append(dst, ',', ' ')
			}
			dst, err = t.Params[0].appendMapKeyJSON(dst, e)
			dst = append(dst, ':', ' ')
		case isMap:
			dst, err = appendNullable(t.Params[1], dst, e)
		default:
			if i > 0 {
				dst = append(dst, ',', ' ')
			}
			dst, err = appendNullable(t.Params[0], dst, e)
		}
		return err
	})
	if err != nil {
		return dst, err
	}
	return append(dst, close), nil
}

func appendNullable(t *Type, dst, e []byte) ([]byte, error) {
	if e == nil {
		return append(dst, "null"...), nil
	}
	return t.appendJSON(dst, e)
}

// appendMapKeyJSON renders a map key as MapType.toJSONString does: the key type's
// JSON form if it is a string, else that form quoted as a JSON string ({"1": ...},
// {"[1, 2]": ...}).
func (t *Type) appendMapKeyJSON(dst, k []byte) ([]byte, error) {
	start := len(dst)
	dst, err := appendNullable(t, dst, k)
	if err != nil || dst[start] == '"' {
		return dst, err
	}
	var tmp [64]byte
	raw := append(tmp[:0], dst[start:]...)
	dst = append(dst[:start], '"')
	dst = appendJSONEscaped(dst, raw)
	return append(dst, '"'), nil
}

// appendTupleJSON renders a tuple as a JSON array and a UDT as a JSON object
// (TupleType/UserType.toJSONString): i32 length and bytes per field, -1 for null;
// fields missing at the end are null.
func (t *Type) appendTupleJSON(dst, v []byte) ([]byte, error) {
	udt := t.Kind == UDT
	if udt {
		dst = append(dst, '{')
	} else {
		dst = append(dst, '[')
	}
	off := 0
	for i, ft := range t.Params {
		if i > 0 {
			dst = append(dst, ',', ' ')
		}
		if udt {
			dst = AppendColumnNameJSON(dst, t.FieldNames[i])
			dst = append(dst, ':', ' ')
		}
		if off == len(v) {
			dst = append(dst, "null"...)
			continue
		}
		if len(v)-off < 4 {
			return dst, fmt.Errorf("%s: field %d: need a 4-byte length at byte %d of %d: %w", t.Kind, i, off, len(v), wire.ErrCorrupt)
		}
		l := int32(binary.BigEndian.Uint32(v[off:]))
		off += 4
		if l < 0 {
			dst = append(dst, "null"...)
			continue
		}
		if int(l) > len(v)-off {
			return dst, fmt.Errorf("%s: field %d: length %d runs past the end (%d bytes left): %w", t.Kind, i, l, len(v)-off, wire.ErrCorrupt)
		}
		var err error
		if dst, err = ft.appendJSON(dst, v[off:off+int(l)]); err != nil {
			return dst, err
		}
		off += int(l)
	}
	if off != len(v) {
		return dst, fmt.Errorf("%s: %d bytes after the last of %d fields: %w", t.Kind, len(v)-off, len(t.Params), wire.ErrCorrupt)
	}
	if udt {
		return append(dst, '}'), nil
	}
	return append(dst, ']'), nil
}

// vectorElems iterates over a vector's elements (VectorType serializers): fixed
// width elements are concatenated, variable width ones carry an unsigned vint length.
func (t *Type) vectorElems(v []byte, fn func(i int, e []byte) error) error {
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

func (t *Type) appendVectorJSON(dst, v []byte) ([]byte, error) {
	dst = append(dst, '[')
	err := t.vectorElems(v, func(i int, e []byte) error {
		if i > 0 {
			dst = append(dst, ',', ' ')
		}
		var err error
		dst, err = t.Params[0].appendJSON(dst, e)
		return err
	})
	if err != nil {
		return dst, err
	}
	return append(dst, ']'), nil
}

// AppendMultiCellJSON appends a non-frozen collection or UDT, given its live cells
// in path order, as SELECT JSON renders it (the type's toJSONString over what
// serializeForNativeProtocol builds from the cells):
//
//	list: paths are timeuuids (ignored), values the elements
//	set:  paths are the elements, values empty
//	map:  paths are the keys, values the values
//	UDT:  paths are field indexes (2-byte big-endian, as UserType encodes them),
//	      fields without a cell are null
//
// With no cells it appends null: Cassandra has no empty non-frozen collection.
// len(paths) must equal len(values). For a frozen t it returns an error.
func (t *Type) AppendMultiCellJSON(dst []byte, paths, values [][]byte) ([]byte, error) {
	if !t.MultiCell {
		return dst, fmt.Errorf("%s is frozen: its value is one cell: %w", t.CQL(), wire.ErrCorrupt)
	}
	if len(paths) != len(values) {
		return dst, fmt.Errorf("%d cell paths for %d cell values: %w", len(paths), len(values), wire.ErrCorrupt)
	}
	if len(paths) == 0 {
		return append(dst, "null"...), nil
	}
	var err error
	switch t.Kind {
	case List, Set:
		dst = append(dst, '[')
		for i := range paths {
			if i > 0 {
				dst = append(dst, ',', ' ')
			}
			e := values[i]
			if t.Kind == Set {
				e = paths[i]
			}
			if dst, err = t.Params[0].appendJSON(dst, e); err != nil {
				return dst, err
			}
		}
		return append(dst, ']'), nil
	case Map:
		dst = append(dst, '{')
		for i := range paths {
			if i > 0 {
				dst = append(dst, ',', ' ')
			}
			if dst, err = t.Params[0].appendMapKeyJSON(dst, paths[i]); err != nil {
				return dst, err
			}
			dst = append(dst, ':', ' ')
			if dst, err = t.Params[1].appendJSON(dst, values[i]); err != nil {
				return dst, err
			}
		}
		return append(dst, '}'), nil
	case UDT:
		dst = append(dst, '{')
		c := 0
		for i, ft := range t.Params {
			if i > 0 {
				dst = append(dst, ',', ' ')
			}
			dst = AppendColumnNameJSON(dst, t.FieldNames[i])
			dst = append(dst, ':', ' ')
			if c < len(paths) {
				idx, err := FieldIndex(paths[c])
				if err != nil {
					return dst, err
				}
				if idx < i || idx >= len(t.Params) {
					return dst, fmt.Errorf("udt %s: cell %d has field index %d, want %d..%d in order: %w", t.Name, c, idx, i, len(t.Params)-1, wire.ErrCorrupt)
				}
				if idx == i {
					if dst, err = ft.appendJSON(dst, values[c]); err != nil {
						return dst, err
					}
					c++
					continue
				}
			}
			dst = append(dst, "null"...)
		}
		if c != len(paths) {
			return dst, fmt.Errorf("udt %s: %d cells left after %d fields: %w", t.Name, len(paths)-c, len(t.Params), wire.ErrCorrupt)
		}
		return append(dst, '}'), nil
	}
	return dst, fmt.Errorf("%v cannot be multi-cell: %w", t.Kind, wire.ErrCorrupt)
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

// AppendString appends v in the text form AbstractType.getString gives, which is
// what sstabledump (tools/JsonTransformer, Cassandra 3.11 to 5.0) prints for a
// partition key (each component of a composite key separately) and for the cell
// path of a non-frozen collection (nameComparator().getString). sstabledump
// itself renders clustering values and cell values with toJSONString (AppendJSON)
// instead. The text is not JSON-quoted: use AppendJSONString for that.
//
// The forms: text and ascii as is; blob, frozen collections and vectors as hex
// without "0x" (CollectionType and VectorType fall back to BytesType); decimal as
// BigDecimal.toString; counter as the hex of its context; timestamp as
// "yyyy-MM-dd'T'HH:mm:ss.SSSX" in UTC (Cassandra 5.0.9); tuples and UDTs as
// colon-separated fields with "@" for null; composites as colon-separated
// components. An empty v appends nothing.
func (t *Type) AppendString(dst, v []byte) ([]byte, error) {
	if len(v) == 0 {
		return dst, nil
	}
	return t.appendString(dst, v)
}

func (t *Type) appendString(dst, v []byte) ([]byte, error) {
	switch t.Kind {
	case Ascii:
		if i := nonASCII(v); i >= 0 {
			return dst, fmt.Errorf("ascii value has byte 0x%02x at %d: %w", v[i], i, wire.ErrCorrupt)
		}
		return append(dst, v...), nil
	case Text:
		if !utf8.Valid(v) {
			return dst, fmt.Errorf("text value is not valid UTF-8: %w", wire.ErrCorrupt)
		}
		return append(dst, v...), nil
	case Blob, Custom, List, Set, Map, Vector, ColumnToCollection, PartitionerOrder, Counter:
		// CounterColumnType.getString prints the raw counter context in hex.
		return hex.AppendEncode(dst, v), nil
	case Empty:
		return dst, nil
	}
	if len(v) == 0 {
		return dst, nil
	}
	switch t.Kind {
	case Boolean, Tinyint, Smallint, Int, Bigint, Varint, UUID, Timeuuid, LexicalUUID, Inet, Date, Time:
		// Same as JSON, without quotes.
		start := len(dst)
		out, err := t.appendJSON(dst, v)
		if err != nil {
			return out, err
		}
		if out[start] == '"' {
			n := copy(out[start:], out[start+1:len(out)-1])
			out = out[:start+n]
		}
		return out, nil
	case Float:
		if len(v) != 4 {
			return dst, lengthError("float", 4, len(v))
		}
		return javafmt.AppendFloat(dst, math.Float32frombits(binary.BigEndian.Uint32(v))), nil
	case Double:
		if len(v) != 8 {
			return dst, lengthError("double", 8, len(v))
		}
		return javafmt.AppendDouble(dst, math.Float64frombits(binary.BigEndian.Uint64(v))), nil
	case Decimal:
		return javafmt.AppendDecimal(dst, v, false) // DecimalSerializer.toString: BigDecimal.toString
	case Timestamp, LegacyTimestamp:
		if len(v) != 8 {
			return dst, lengthError("timestamp", 8, len(v))
		}
		return javafmt.AppendTimestamp(dst, int64(binary.BigEndian.Uint64(v)), true), nil
	case Duration:
		m, d, n, err := DecodeDuration(v)
		if err != nil {
			return dst, err
		}
		return javafmt.AppendDuration(dst, m, d, n), nil
	case Tuple, UDT:
		return t.appendTupleString(dst, v)
	case Composite:
		return t.appendCompositeString(dst, v)
	case DynamicComposite:
		return t.appendDynamicCompositeString(dst, v)
	}
	return dst, fmt.Errorf("no string form for %v: %w", t.Kind, wire.ErrUnsupported)
}

// appendEscaped appends s with every ':' and '@' preceded by a backslash
// (TupleType.getString's escaping).
func appendTupleEscaped(dst, s []byte) []byte {
	for _, c := range s {
		if c == ':' || c == '@' {
			dst = append(dst, '\\')
		}
		dst = append(dst, c)
	}
	return dst
}

// appendTupleString mirrors TupleType.getString: fields joined by ':', '@' for a
// null field, ':' and '@' inside fields escaped; stops at the end of the value.
func (t *Type) appendTupleString(dst, v []byte) ([]byte, error) {
	off := 0
	for i, ft := range t.Params {
		if off == len(v) {
			return dst, nil
		}
		if i > 0 {
			dst = append(dst, ':')
		}
		if len(v)-off < 4 {
			return dst, fmt.Errorf("%s: field %d: need a 4-byte length at byte %d of %d: %w", t.Kind, i, off, len(v), wire.ErrCorrupt)
		}
		l := int32(binary.BigEndian.Uint32(v[off:]))
		off += 4
		if l < 0 {
			dst = append(dst, '@')
			continue
		}
		if int(l) > len(v)-off {
			return dst, fmt.Errorf("%s: field %d: length %d runs past the end (%d bytes left): %w", t.Kind, i, l, len(v)-off, wire.ErrCorrupt)
		}
		var buf [64]byte
		s, err := ft.AppendString(buf[:0], v[off:off+int(l)])
		if err != nil {
			return dst, err
		}
		dst = appendTupleEscaped(dst, s)
		off += int(l)
	}
	if off != len(v) {
		return dst, fmt.Errorf("%s: %d bytes after the last of %d fields: %w", t.Kind, len(v)-off, len(t.Params), wire.ErrCorrupt)
	}
	return dst, nil
}

// compositeEscape mirrors AbstractCompositeType.escape: ':' becomes "\:", and a
// trailing '\' or '!' gets a '!' appended.
func compositeEscape(dst, s []byte) []byte {
	for _, c := range s {
		if c == ':' {
			dst = append(dst, '\\')
		}
		dst = append(dst, c)
	}
	if n := len(s); n > 0 && (s[n-1] == '\\' || s[n-1] == '!') {
		dst = append(dst, '!')
	}
	return dst
}

// compositeComponents iterates over a CompositeType value: an optional FF FF
// static marker, then per component u16 length, bytes and an end-of-component
// byte. fn returns false to stop.
func compositeComponents(v []byte, fn func(i int, c []byte, eoc byte) bool) (static bool, err error) {
	static, off := compositeStart(v)
	for i := 0; off < len(v); i++ {
		c, eoc, next, err := nextComponent(v, off, i)
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

// compositeStart reports whether v starts with the static marker and the offset
// of its first component.
func compositeStart(v []byte) (static bool, off int) {
	if len(v) >= 2 && v[0] == 0xff && v[1] == 0xff {
		return true, 2
	}
	return false, 0
}

// nextComponent decodes component i of a CompositeType value at off and returns
// the offset after it.
func nextComponent(v []byte, off, i int) (c []byte, eoc byte, next int, err error) {
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
	_, off := compositeStart(v)
	for i := 0; off < len(v); i++ {
		c, _, next, err := nextComponent(v, off, i)
		if err != nil {
			return dst, err
		}
		dst = append(dst, c)
		off = next
	}
	return dst, nil
}

// appendCompositeString mirrors AbstractCompositeType.getString. Each component
// is rendered straight into dst and escaped there (no scratch buffer: this runs
// once per partition for a composite key rendered without a schema).
func (t *Type) appendCompositeString(dst, v []byte) ([]byte, error) {
	_, off := compositeStart(v)
	for i := 0; off < len(v); i++ {
		c, eoc, next, err := nextComponent(v, off, i)
		if err != nil {
			return dst, err
		}
		off = next
		if i > 0 {
			dst = append(dst, ':')
		}
		ct := TypeBlob
		if i < len(t.Params) {
			ct = t.Params[i]
		}
		start := len(dst)
		if dst, err = ct.AppendString(dst, c); err != nil {
			return dst[:start], err
		}
		dst = compositeEscapeTail(dst, start)
		if eoc != 0 {
			if int8(eoc) < 0 {
				dst = append(dst, ':', '_')
			} else {
				dst = append(dst, ':', '!')
			}
			break
		}
	}
	return dst, nil
}

// compositeEscapeTail applies compositeEscape to dst[start:] in place.
func compositeEscapeTail(dst []byte, start int) []byte {
	s := dst[start:]
	colons := bytes.Count(s, []byte{':'})
	bang := len(s) > 0 && (s[len(s)-1] == '\\' || s[len(s)-1] == '!')
	if colons == 0 && !bang {
		return dst
	}
	if colons > 0 {
		n := len(dst)
		dst = slices.Grow(dst, colons)[:n+colons]
		w := len(dst)
		for r := n - 1; r >= start; r-- {
			w--
			dst[w] = dst[r]
			if dst[r] == ':' {
				w--
				dst[w] = '\\'
			}
		}
	}
	if bang {
		dst = append(dst, '!')
	}
	return dst
}

// dynamicComponents iterates over a DynamicCompositeType value: per component a
// u16 header (top bit set: alias in the low byte; else the length of a class
// name that follows), then u16 length, bytes and an end-of-component byte.
func (t *Type) dynamicComponents(v []byte, fn func(i int, alias byte, class string, ct *Type, c []byte, eoc byte) bool) error {
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

func (t *Type) appendDynamicCompositeString(dst, v []byte) ([]byte, error) {
	var ferr error
	err := t.dynamicComponents(v, func(i int, alias byte, class string, ct *Type, c []byte, eoc byte) bool {
		if i > 0 {
			dst = append(dst, ':')
		}
		if class != "" {
			dst = append(dst, class...)
		} else {
			dst = append(dst, alias)
		}
		dst = append(dst, '@')
		var buf [64]byte
		s, err := ct.AppendString(buf[:0], c)
		if err != nil {
			ferr = err
			return false
		}
		dst = compositeEscape(dst, s)
		if eoc != 0 {
			if int8(eoc) < 0 {
				dst = append(dst, ':', '_')
			} else {
				dst = append(dst, ':', '!')
			}
			return false
		}
		return true
	})
	if err == nil {
		err = ferr
	}
	return dst, err
}
