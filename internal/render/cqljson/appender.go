package cqljson

import (
	"encoding/binary"
	"fmt"

	"github.com/aegisthus/aegisthus/internal/cql"
	"github.com/aegisthus/aegisthus/internal/javafmt"
	"github.com/aegisthus/aegisthus/internal/rows"
	"github.com/aegisthus/aegisthus/internal/sstable/wire"
)

// Appender renders the values of one CQL type as Append does, and the cells
// of a non-frozen one (AppendMultiCell), with the choice of code for the type
// (and a collection's element types) made once, in NewAppender, instead of for
// every value: a renderer that prints a column in every row keeps one Appender
// per column. The output is Append's byte for byte (TestAppender); only the
// dispatch differs.
//
// An Appender only reads its type; it is safe for concurrent use.
type Appender struct {
	t         *cql.Type
	form      form // of t
	key, elem form // of a collection's key and element (a map's value) types
}

// form is the code a value of a type goes through: the common fixed-width and
// text types have their own, everything else appendValue's switch.
type form uint8

const (
	formValue  form = iota // appendValue
	formAppend             // Append: appendValue but for an empty value
	formText
	formDouble
	formTimestamp
	formInt    // 4-byte int
	formBigint // 8-byte bigint
)

func formOf(t *cql.Type) form {
	switch t.Kind {
	case cql.Text:
		return formText
	case cql.Double:
		return formDouble
	case cql.Timestamp, cql.LegacyTimestamp:
		return formTimestamp
	case cql.Int:
		return formInt
	case cql.Bigint:
		return formBigint
	}
	return formValue
}

// NewAppender returns the Appender of t.
func NewAppender(t *cql.Type) Appender {
	a := Appender{t: t, form: formOf(t)}
	if a.form == formValue {
		// The forms render an empty value as appendValue does (""), which is
		// Append's rendering too but for the types of its first switch.
		a.form = formAppend
	}
	switch {
	case (t.Kind == cql.List || t.Kind == cql.Set) && len(t.Params) == 1:
		a.elem = formOf(t.Params[0])
	case t.Kind == cql.Map && len(t.Params) == 2:
		a.key, a.elem = formOf(t.Params[0]), formOf(t.Params[1])
	}
	return a
}

// Append is Append(dst, t, v) for a's type t.
func (a *Appender) Append(dst, v []byte) ([]byte, error) {
	return appendForm(dst, a.form, a.t, v) // inlined: one call per value
}

// Text reports whether a's values are text, which AppendQuoted renders as
// Append does, with no dispatch on the form.
func (a *Appender) Text() bool { return a.form == formText }

// appendForm is appendValue(dst, t, v) for t of form f (Append for
// formAppend): the forms' own code where v has their width, appendValue (which
// also reports a wrong width) for the rest. Text is a JSON string.
func appendForm(dst []byte, f form, t *cql.Type, v []byte) ([]byte, error) {
	switch f {
	case formText:
		n := len(dst)
		var ok bool
		if len(v) > 16 {
			dst, ok = appendQuotedLong(dst, v) // inlined: one call, as for a short v
		} else {
			dst, ok = AppendQuoted(dst, v)
		}
		if !ok {
			return dst[:n], errText()
		}
		return dst, nil
	case formAppend:
		if len(v) == 0 {
			return Append(dst, t, v)
		}
	case formDouble:
		if len(v) == 8 {
			return appendDouble(dst, v), nil
		}
	case formTimestamp:
		if len(v) == 8 {
			return appendTimestamp(dst, v), nil
		}
	case formInt:
		if len(v) == 4 {
			return javafmt.AppendInt(dst, int64(int32(binary.BigEndian.Uint32(v)))), nil
		}
	case formBigint:
		if len(v) == 8 {
			return javafmt.AppendInt(dst, int64(binary.BigEndian.Uint64(v))), nil
		}
	}
	return appendValue(dst, t, v)
}

// AppendMultiCell appends a non-frozen collection or UDT of a's type, given
// its live cells in path order, as SELECT JSON renders it (the type's
// toJSONString over what serializeForNativeProtocol builds from the cells):
//
//	list: paths are timeuuids (ignored), values the elements
//	set:  paths are the elements, values empty
//	map:  paths are the keys, values the values
//	UDT:  paths are field indexes (2-byte big-endian, as UserType encodes them),
//	      fields without a cell are null
//
// Only the cells' paths and values are read: which cells are live is the
// caller's decision. With no cells it appends null: Cassandra has no empty
// non-frozen collection. For a frozen t it returns an error.
func (a *Appender) AppendMultiCell(dst []byte, cells []rows.Cell) ([]byte, error) {
	t := a.t
	if !t.MultiCell {
		return dst, fmt.Errorf("%s is frozen: its value is one cell: %w", t.CQL(), wire.ErrCorrupt)
	}
	if len(cells) == 0 {
		return append(dst, "null"...), nil
	}
	var err error
	switch t.Kind {
	case cql.List, cql.Set:
		dst = append(dst, '[')
		set := t.Kind == cql.Set
		for i := range cells {
			if i > 0 {
				dst = append(dst, ',', ' ')
			}
			e := cells[i].Value
			if set {
				e = cells[i].Path
			}
			if a.elem == formText {
				// As appendForm, without its call: tags, names.
				n, ok := len(dst), false
				if dst, ok = AppendQuoted(dst, e); !ok {
					return dst[:n], errText()
				}
			} else if dst, err = appendForm(dst, a.elem, t.Params[0], e); err != nil {
				return dst, err
			}
		}
		return append(dst, ']'), nil
	case cql.Map:
		dst = append(dst, '{')
		for i := range cells {
			if i > 0 {
				dst = append(dst, ',', ' ')
			}
			n, ok := len(dst), false
			if k := cells[i].Path; a.key == formText && k != nil {
				// As appendMapKey, without its calls.
				if dst, ok = AppendQuoted(dst, k); !ok {
					return dst[:n], errText()
				}
			} else if dst, err = appendMapKey(dst, a.key, t.Params[0], k); err != nil {
				return dst, err
			}
			dst = append(dst, ':', ' ')
			if a.elem == formText {
				n = len(dst)
				if dst, ok = AppendQuoted(dst, cells[i].Value); !ok {
					return dst[:n], errText()
				}
			} else if dst, err = appendForm(dst, a.elem, t.Params[1], cells[i].Value); err != nil {
				return dst, err
			}
		}
		return append(dst, '}'), nil
	case cql.UDT:
		dst = append(dst, '{')
		c := 0
		for i, ft := range t.Params {
			if i > 0 {
				dst = append(dst, ',', ' ')
			}
			dst = AppendColumnName(dst, t.FieldNames[i])
			dst = append(dst, ':', ' ')
			if c < len(cells) {
				idx, err := cql.FieldIndex(cells[c].Path)
				if err != nil {
					return dst, err
				}
				if idx < i || idx >= len(t.Params) {
					return dst, fmt.Errorf("udt %s: cell %d has field index %d, want %d..%d in order: %w", t.Name, c, idx, i, len(t.Params)-1, wire.ErrCorrupt)
				}
				if idx == i {
					if dst, err = appendValue(dst, ft, cells[c].Value); err != nil {
						return dst, err
					}
					c++
					continue
				}
			}
			dst = append(dst, "null"...)
		}
		if c != len(cells) {
			return dst, fmt.Errorf("udt %s: %d cells left after %d fields: %w", t.Name, len(cells)-c, len(t.Params), wire.ErrCorrupt)
		}
		return append(dst, '}'), nil
	}
	return dst, fmt.Errorf("%v cannot be multi-cell: %w", t.Kind, wire.ErrCorrupt)
}

// errText is out of line to keep appendForm's frame small.
func errText() error { return fmt.Errorf("text value is not valid UTF-8: %w", wire.ErrCorrupt) }
