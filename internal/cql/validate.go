package cql

import (
	"encoding/binary"
	"fmt"
	"unicode/utf8"

	"github.com/aegisthus/aegisthus/internal/sstable/wire"
)

// Validate checks v the way the type's TypeSerializer.validate does: lengths
// (an empty value is allowed where Cassandra allows it), ASCII and UTF-8 text,
// version 1 for timeuuid, 4 or 16 bytes for inet, duration signs, and the
// structure of frozen collections, tuples, UDTs, vectors and composites
// (recursively). Errors wrap wire.ErrCorrupt and say what was expected.
func (t *Type) Validate(v []byte) error {
	return t.validate(v)
}

func (t *Type) validate(v []byte) error {
	fixedOrEmpty := func(what string, n int) error {
		if len(v) != n && len(v) != 0 {
			return fmt.Errorf("%s value: want %d or 0 bytes, have %d: %w", what, n, len(v), wire.ErrCorrupt)
		}
		return nil
	}
	switch t.Kind {
	case Ascii:
		if i := NonASCII(v); i >= 0 {
			return fmt.Errorf("ascii value has byte 0x%02x at %d: %w", v[i], i, wire.ErrCorrupt)
		}
	case Text:
		if !utf8.Valid(v) {
			return fmt.Errorf("text value is not valid UTF-8: %w", wire.ErrCorrupt)
		}
	case Boolean:
		return fixedOrEmpty("boolean", 1)
	case Int:
		return fixedOrEmpty("int", 4)
	case Float:
		return fixedOrEmpty("float", 4)
	case Bigint, Counter, Timestamp, LegacyTimestamp, Double:
		return fixedOrEmpty(t.Kind.String(), 8)
	case UUID, LexicalUUID:
		return fixedOrEmpty("uuid", 16)
	case Timeuuid:
		if err := fixedOrEmpty("timeuuid", 16); err != nil || len(v) == 0 {
			return err
		}
		if ver := v[6] >> 4; ver != 1 {
			return fmt.Errorf("timeuuid value has version %d, want 1: %w", ver, wire.ErrCorrupt)
		}
	case Tinyint:
		if len(v) != 1 {
			return lengthError("tinyint", 1, len(v))
		}
	case Smallint:
		if len(v) != 2 {
			return lengthError("smallint", 2, len(v))
		}
	case Date:
		if len(v) != 4 {
			return lengthError("date", 4, len(v))
		}
	case Time:
		if len(v) != 8 {
			return lengthError("time", 8, len(v))
		}
		if n := int64(binary.BigEndian.Uint64(v)); n < 0 || n >= nanosPerDay {
			return fmt.Errorf("time: %d nanoseconds is outside a day: %w", n, wire.ErrCorrupt)
		}
	case Inet:
		if len(v) != 0 && len(v) != 4 && len(v) != 16 {
			return fmt.Errorf("inet value: want 4 or 16 bytes, have %d: %w", len(v), wire.ErrCorrupt)
		}
	case Decimal:
		if len(v) != 0 && len(v) < 5 {
			return fmt.Errorf("decimal value: want 0 or at least 5 bytes, have %d: %w", len(v), wire.ErrCorrupt)
		}
	case Duration:
		if len(v) < 3 {
			return fmt.Errorf("duration value: want at least 3 bytes, have %d: %w", len(v), wire.ErrCorrupt)
		}
		_, _, _, err := DecodeDuration(v)
		return err
	case Empty:
		if len(v) != 0 {
			return fmt.Errorf("empty type: want 0 bytes, have %d: %w", len(v), wire.ErrCorrupt)
		}
	case List, Set, Map:
		if len(v) == 0 {
			return nil
		}
		per := 1
		if t.Kind == Map {
			per = 2
		}
		return Elems(v, per, func(i int, e []byte) error {
			if e == nil {
				return fmt.Errorf("%s: element %d is null: %w", t.Kind, i/per, wire.ErrCorrupt)
			}
			return t.Params[i%per].validate(e)
		})
	case Tuple, UDT:
		off := 0
		for i, ft := range t.Params {
			if off == len(v) {
				return nil
			}
			if len(v)-off < 4 {
				return fmt.Errorf("%s: field %d: need a 4-byte length: %w", t.Kind, i, wire.ErrCorrupt)
			}
			l := int32(binary.BigEndian.Uint32(v[off:]))
			off += 4
			if l < 0 {
				continue
			}
			if int(l) > len(v)-off {
				return fmt.Errorf("%s: field %d: length %d runs past the end (%d bytes left): %w", t.Kind, i, l, len(v)-off, wire.ErrCorrupt)
			}
			if err := ft.validate(v[off : off+int(l)]); err != nil {
				return fmt.Errorf("field %d: %w", i, err)
			}
			off += int(l)
		}
		if off != len(v) {
			return fmt.Errorf("%s: %d bytes after the last of %d fields: %w", t.Kind, len(v)-off, len(t.Params), wire.ErrCorrupt)
		}
	case Vector:
		if len(v) == 0 {
			return nil
		}
		return t.VectorElems(v, func(i int, e []byte) error {
			if err := t.Params[0].validate(e); err != nil {
				return fmt.Errorf("vector element %d: %w", i, err)
			}
			return nil
		})
	case Composite:
		var verr error
		_, err := compositeComponents(v, func(i int, c []byte, _ byte) bool {
			if i < len(t.Params) {
				verr = t.Params[i].validate(c)
			} else {
				verr = fmt.Errorf("composite: component %d of %d: %w", i, len(t.Params), wire.ErrCorrupt)
			}
			return verr == nil
		})
		if err != nil {
			return err
		}
		return verr
	case DynamicComposite:
		var verr error
		err := t.DynamicComponents(v, func(_ int, _ byte, _ string, ct *Type, c []byte, _ byte) bool {
			verr = ct.validate(c)
			return verr == nil
		})
		if err != nil {
			return err
		}
		return verr
	}
	return nil
}

func lengthError(what string, want, have int) error {
	return fmt.Errorf("%s value: want %d bytes, have %d: %w", what, want, have, wire.ErrCorrupt)
}
