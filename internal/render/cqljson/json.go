package cqljson

import (
	"bytes"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"slices"
	"unicode/utf8"

	"github.com/aegisthus/aegisthus/internal/cql"
	"github.com/aegisthus/aegisthus/internal/javafmt"
	"github.com/aegisthus/aegisthus/internal/sstable/wire"
)

// Append appends v, one serialized value of type t, as SELECT JSON renders it
// (AbstractType.toJSONString of Cassandra 4.0/5.0), and returns the extended
// buffer. It does not allocate for fixed-width types, text, ascii and blob.
//
// An empty v renders as "" (with the quotes), as Selection.rowToJson does for an
// empty top-level value; a null value is the caller's business ("null"). For a
// multi-cell t, v is the frozen serialization (what serializeForNativeProtocol
// builds); AppendMultiCell takes the cells themselves. An Appender does what
// Append does with the choice of code for t made once.
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
// Append is safe for concurrent use; it only reads t and v.
func Append(dst []byte, t *cql.Type, v []byte) ([]byte, error) {
	if len(v) == 0 {
		if t.Kind == cql.Blob {
			return append(dst, '"', '0', 'x', '"'), nil // SELECT JSON of blobAsBlob(0x) in 5.0.9
		}
		return append(dst, '"', '"'), nil
	}
	return appendValue(dst, t, v)
}

// appendValue renders a value nested anywhere, where an empty value goes through
// the type's own toJSONString: "" for most types (Objects.toString(null, "\"\"")),
// "0x" for blobs.
func appendValue(dst []byte, t *cql.Type, v []byte) ([]byte, error) {
	switch t.Kind {
	case cql.Ascii:
		if i := cql.NonASCII(v); i >= 0 {
			return dst, fmt.Errorf("ascii value has byte 0x%02x at %d: %w", v[i], i, wire.ErrCorrupt)
		}
		return AppendJSONString(dst, v), nil
	case cql.Text:
		return appendForm(dst, formText, t, v)
	case cql.Blob, cql.Custom, cql.DynamicComposite, cql.ColumnToCollection, cql.PartitionerOrder:
		dst = append(dst, '"', '0', 'x')
		dst = hex.AppendEncode(dst, v)
		return append(dst, '"'), nil
	case cql.Composite:
		// CompositeType has no useful toJSONString (it prints the ByteBuffer's
		// toString); render its getString form as a JSON string instead.
		// Render the string form in place after the opening quote; it rarely
		// needs JSON escaping, and only then is it copied out to be escaped.
		n := len(dst)
		if out, ok := appendPlainComposite(append(dst, '"'), t, v); ok {
			return append(out, '"'), nil
		}
		dst, err := appendString(append(dst[:n], '"'), t, v)
		if err != nil {
			return dst[:n], err
		}
		if s := dst[n+1:]; !plainJSON(s) {
			dst = appendJSONEscaped(dst[:n+1], append([]byte(nil), s...))
		}
		return append(dst, '"'), nil
	case cql.Empty:
		if len(v) != 0 {
			return dst, fmt.Errorf("empty type: want 0 bytes, have %d: %w", len(v), wire.ErrCorrupt)
		}
		return append(dst, '"', '"'), nil
	}
	if len(v) == 0 {
		return append(dst, '"', '"'), nil
	}
	switch t.Kind {
	case cql.Boolean:
		if len(v) != 1 {
			return dst, lengthError("boolean", 1, len(v))
		}
		if v[0] != 0 {
			return append(dst, "true"...), nil
		}
		return append(dst, "false"...), nil
	case cql.Tinyint, cql.Smallint, cql.Int, cql.Bigint, cql.Counter:
		n := t.Kind.IntWidth()
		if len(v) != n {
			return dst, lengthError(t.Kind.CQLName(), n, len(v))
		}
		return javafmt.AppendVarint(dst, v), nil
	case cql.Varint:
		return javafmt.AppendVarint(dst, v), nil
	case cql.Float:
		if len(v) != 4 {
			return dst, lengthError("float", 4, len(v))
		}
		f := float64(math.Float32frombits(binary.BigEndian.Uint32(v)))
		if math.IsNaN(f) || math.IsInf(f, 0) {
			return append(dst, "null"...), nil
		}
		return javafmt.AppendFloat(dst, float32(f)), nil
	case cql.Double:
		if len(v) != 8 {
			return dst, lengthError("double", 8, len(v))
		}
		return appendDouble(dst, v), nil
	case cql.Decimal:
		return javafmt.AppendDecimal(dst, v, false)
	case cql.UUID, cql.Timeuuid, cql.LexicalUUID:
		if len(v) != 16 {
			return dst, lengthError("uuid", 16, len(v))
		}
		dst = append(dst, '"')
		dst = javafmt.AppendUUID(dst, v)
		return append(dst, '"'), nil
	case cql.Inet:
		dst = append(dst, '"')
		dst, err := javafmt.AppendInet(dst, v)
		if err != nil {
			return dst, err
		}
		return append(dst, '"'), nil
	case cql.Timestamp, cql.LegacyTimestamp:
		if len(v) != 8 {
			return dst, lengthError("timestamp", 8, len(v))
		}
		return appendTimestamp(dst, v), nil
	case cql.Date:
		if len(v) != 4 {
			return dst, lengthError("date", 4, len(v))
		}
		dst = append(dst, '"')
		dst = javafmt.AppendDate(dst, binary.BigEndian.Uint32(v))
		return append(dst, '"'), nil
	case cql.Time:
		if len(v) != 8 {
			return dst, lengthError("time", 8, len(v))
		}
		dst = append(dst, '"')
		dst, err := javafmt.AppendTime(dst, int64(binary.BigEndian.Uint64(v)))
		if err != nil {
			return dst, err
		}
		return append(dst, '"'), nil
	case cql.Duration:
		m, d, n, err := cql.DecodeDuration(v)
		if err != nil {
			return dst, err
		}
		dst = append(dst, '"')
		dst = javafmt.AppendDuration(dst, m, d, n)
		return append(dst, '"'), nil
	case cql.List, cql.Set:
		return appendCollection(dst, t, v, false)
	case cql.Map:
		return appendCollection(dst, t, v, true)
	case cql.Tuple, cql.UDT:
		return appendTuple(dst, t, v)
	case cql.Vector:
		return appendVector(dst, t, v)
	}
	return dst, fmt.Errorf("no JSON form for %v: %w", t.Kind, wire.ErrUnsupported)
}

// appendDouble is the JSON form of an 8-byte double: NaN and infinities null.
func appendDouble(dst []byte, v []byte) []byte {
	f := math.Float64frombits(binary.BigEndian.Uint64(v[:8]))
	if math.IsNaN(f) || math.IsInf(f, 0) {
		return append(dst, "null"...)
	}
	return javafmt.AppendDouble(dst, f)
}

// appendTimestamp is the JSON form of an 8-byte timestamp: a quoted date.
func appendTimestamp(dst []byte, v []byte) []byte {
	dst = append(dst, '"')
	dst = javafmt.AppendTimestamp(dst, int64(binary.BigEndian.Uint64(v[:8])), false)
	return append(dst, '"')
}

func lengthError(what string, want, have int) error {
	return fmt.Errorf("%s value: want %d bytes, have %d: %w", what, want, have, wire.ErrCorrupt)
}

func appendCollection(dst []byte, t *cql.Type, v []byte, isMap bool) ([]byte, error) {
	per := 1
	open, close := byte('['), byte(']')
	if isMap {
		per, open, close = 2, '{', '}'
	}
	dst = append(dst, open)
	err := cql.Elems(v, per, func(i int, e []byte) error {
		var err error
		switch {
		case isMap && i%2 == 0:
			if i > 0 {
				dst = append(dst, ',', ' ')
			}
			dst, err = appendMapKey(dst, formValue, t.Params[0], e)
			dst = append(dst, ':', ' ')
		case isMap:
			dst, err = appendNullable(dst, t.Params[1], e)
		default:
			if i > 0 {
				dst = append(dst, ',', ' ')
			}
			dst, err = appendNullable(dst, t.Params[0], e)
		}
		return err
	})
	if err != nil {
		return dst, err
	}
	return append(dst, close), nil
}

func appendNullable(dst []byte, t *cql.Type, e []byte) ([]byte, error) {
	if e == nil {
		return append(dst, "null"...), nil
	}
	return appendValue(dst, t, e)
}

// appendMapKey renders a map key as MapType.toJSONString does: the key type's
// JSON form if it is a string, else that form quoted as a JSON string ({"1": ...},
// {"[1, 2]": ...}).
func appendMapKey(dst []byte, f form, t *cql.Type, k []byte) ([]byte, error) {
	if f == formText && k != nil {
		return appendForm(dst, f, t, k) // always a JSON string
	}
	start := len(dst)
	dst, err := appendNullable(dst, t, k)
	if err != nil || dst[start] == '"' {
		return dst, err
	}
	var tmp [64]byte
	raw := append(tmp[:0], dst[start:]...)
	dst, _ = AppendQuoted(dst[:start], raw)
	return dst, nil
}

// appendTuple renders a tuple as a JSON array and a UDT as a JSON object
// (TupleType/UserType.toJSONString): i32 length and bytes per field, -1 for null;
// fields missing at the end are null.
func appendTuple(dst []byte, t *cql.Type, v []byte) ([]byte, error) {
	udt := t.Kind == cql.UDT
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
			dst = AppendColumnName(dst, t.FieldNames[i])
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
		if dst, err = appendValue(dst, ft, v[off:off+int(l)]); err != nil {
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

func appendVector(dst []byte, t *cql.Type, v []byte) ([]byte, error) {
	dst = append(dst, '[')
	err := t.VectorElems(v, func(i int, e []byte) error {
		if i > 0 {
			dst = append(dst, ',', ' ')
		}
		var err error
		dst, err = appendValue(dst, t.Params[0], e)
		return err
	})
	if err != nil {
		return dst, err
	}
	return append(dst, ']'), nil
}

// AppendString appends v in the text form AbstractType.getString gives, which is
// what sstabledump (tools/JsonTransformer, Cassandra 3.11 to 5.0) prints for a
// partition key (each component of a composite key separately) and for the cell
// path of a non-frozen collection (nameComparator().getString). sstabledump
// itself renders clustering values and cell values with toJSONString (Append)
// instead. The text is not JSON-quoted: use AppendJSONString for that.
//
// The forms: text and ascii as is; blob, frozen collections and vectors as hex
// without "0x" (CollectionType and VectorType fall back to BytesType); decimal as
// BigDecimal.toString; counter as the hex of its context; timestamp as
// "yyyy-MM-dd'T'HH:mm:ss.SSSX" in UTC (Cassandra 5.0.9); tuples and UDTs as
// colon-separated fields with "@" for null; composites as colon-separated
// components. An empty v appends nothing.
func AppendString(dst []byte, t *cql.Type, v []byte) ([]byte, error) {
	if len(v) == 0 {
		return dst, nil
	}
	return appendString(dst, t, v)
}

func appendString(dst []byte, t *cql.Type, v []byte) ([]byte, error) {
	switch t.Kind {
	case cql.Ascii:
		if i := cql.NonASCII(v); i >= 0 {
			return dst, fmt.Errorf("ascii value has byte 0x%02x at %d: %w", v[i], i, wire.ErrCorrupt)
		}
		return append(dst, v...), nil
	case cql.Text:
		if !utf8.Valid(v) {
			return dst, fmt.Errorf("text value is not valid UTF-8: %w", wire.ErrCorrupt)
		}
		return append(dst, v...), nil
	case cql.Blob, cql.Custom, cql.List, cql.Set, cql.Map, cql.Vector, cql.ColumnToCollection, cql.PartitionerOrder, cql.Counter:
		// CounterColumnType.getString prints the raw counter context in hex.
		return hex.AppendEncode(dst, v), nil
	case cql.Empty:
		return dst, nil
	}
	if len(v) == 0 {
		return dst, nil
	}
	switch t.Kind {
	case cql.Boolean, cql.Tinyint, cql.Smallint, cql.Int, cql.Bigint, cql.Varint, cql.UUID, cql.Timeuuid, cql.LexicalUUID, cql.Inet, cql.Date, cql.Time:
		// Same as JSON, without quotes.
		start := len(dst)
		out, err := appendValue(dst, t, v)
		if err != nil {
			return out, err
		}
		if out[start] == '"' {
			n := copy(out[start:], out[start+1:len(out)-1])
			out = out[:start+n]
		}
		return out, nil
	case cql.Float:
		if len(v) != 4 {
			return dst, lengthError("float", 4, len(v))
		}
		return javafmt.AppendFloat(dst, math.Float32frombits(binary.BigEndian.Uint32(v))), nil
	case cql.Double:
		if len(v) != 8 {
			return dst, lengthError("double", 8, len(v))
		}
		return javafmt.AppendDouble(dst, math.Float64frombits(binary.BigEndian.Uint64(v))), nil
	case cql.Decimal:
		return javafmt.AppendDecimal(dst, v, false) // DecimalSerializer.toString: BigDecimal.toString
	case cql.Timestamp, cql.LegacyTimestamp:
		if len(v) != 8 {
			return dst, lengthError("timestamp", 8, len(v))
		}
		return javafmt.AppendTimestamp(dst, int64(binary.BigEndian.Uint64(v)), true), nil
	case cql.Duration:
		m, d, n, err := cql.DecodeDuration(v)
		if err != nil {
			return dst, err
		}
		return javafmt.AppendDuration(dst, m, d, n), nil
	case cql.Tuple, cql.UDT:
		return appendTupleString(dst, t, v)
	case cql.Composite:
		return appendCompositeString(dst, t, v)
	case cql.DynamicComposite:
		return appendDynamicCompositeString(dst, t, v)
	}
	return dst, fmt.Errorf("no string form for %v: %w", t.Kind, wire.ErrUnsupported)
}

// appendTupleEscaped appends s with every ':' and '@' preceded by a backslash
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
func appendTupleString(dst []byte, t *cql.Type, v []byte) ([]byte, error) {
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
		s, err := AppendString(buf[:0], ft, v[off:off+int(l)])
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

// appendCompositeString mirrors AbstractCompositeType.getString. Each component
// is rendered straight into dst and escaped there (no scratch buffer: this runs
// once per partition for a composite key rendered without a schema).
func appendCompositeString(dst []byte, t *cql.Type, v []byte) ([]byte, error) {
	_, off := cql.CompositeStart(v)
	for i := 0; off < len(v); i++ {
		c, eoc, next, err := cql.NextComponent(v, off, i)
		if err != nil {
			return dst, err
		}
		off = next
		if i > 0 {
			dst = append(dst, ':')
		}
		ct := cql.TypeBlob
		if i < len(t.Params) {
			ct = t.Params[i]
		}
		start := len(dst)
		if dst, err = AppendString(dst, ct, c); err != nil {
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

// appendPlainComposite is appendCompositeString for the common partition key
// of a table read without its schema (one CompositeType value): components of
// text, ascii, int and bigint whose string forms need neither the composite's
// escapes nor JSON's. It reports false, having appended who knows what, for
// anything else (other types, other bytes, end-of-component flags, errors),
// which the caller then renders from its dst again. Rendering each partition
// key through AppendString, the escapes and plainJSON cost ~950 instructions
// (BenchmarkRows, events: 3.4% of the run).
func appendPlainComposite(dst []byte, t *cql.Type, v []byte) ([]byte, bool) {
	_, off := cql.CompositeStart(v)
	for i := 0; off < len(v); i++ {
		c, eoc, next, err := cql.NextComponent(v, off, i)
		if err != nil || eoc != 0 || i >= len(t.Params) {
			return dst, false
		}
		off = next
		if i > 0 {
			dst = append(dst, ':')
		}
		switch ct := t.Params[i]; {
		case ct.Kind == cql.Text || ct.Kind == cql.Ascii:
			// Plain JSON bytes (ASCII, so valid text and ascii), no ':' to
			// escape, no '!' (nor '\\', not plain) ending it.
			for _, b := range c {
				if !jsonPlain[b] || b == ':' {
					return dst, false
				}
			}
			if len(c) > 0 && c[len(c)-1] == '!' {
				return dst, false
			}
			dst = append(dst, c...)
		case ct.Kind == cql.Int && len(c) == 4:
			dst = javafmt.AppendInt(dst, int64(int32(binary.BigEndian.Uint32(c))))
		case ct.Kind == cql.Bigint && len(c) == 8:
			dst = javafmt.AppendInt(dst, int64(binary.BigEndian.Uint64(c)))
		default:
			return dst, false
		}
	}
	return dst, true
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

func appendDynamicCompositeString(dst []byte, t *cql.Type, v []byte) ([]byte, error) {
	var ferr error
	err := t.DynamicComponents(v, func(i int, alias byte, class string, ct *cql.Type, c []byte, eoc byte) bool {
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
		s, err := AppendString(buf[:0], ct, c)
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
