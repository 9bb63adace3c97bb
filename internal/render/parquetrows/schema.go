package parquetrows

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/compress"
	"github.com/parquet-go/parquet-go/encoding"

	"github.com/aegisthus/aegisthus/internal/cql"
	"github.com/aegisthus/aegisthus/internal/sstable/wire"
)

// shape is how a node's values are laid out (docs/parquet.md).
type shape uint8

const (
	leafShape  shape = iota
	listShape        // list, set, vector: LIST of element
	mapShape         // MAP of key, value
	groupShape       // UDT, tuple, duration: a group of fields in order
)

// conv is how a leaf's CQL value becomes a Parquet value.
type conv uint8

const (
	convBytes     conv = iota // blob and classes without a CQL type: BYTE_ARRAY as is
	convText                  // text, varchar: STRING (checked UTF-8)
	convASCII                 // ascii: STRING (checked ASCII)
	convBool                  // boolean
	convInt32                 // tinyint, smallint, int: sign-extended
	convInt64                 // bigint
	convCounter               // counter: the context's total
	convFloat                 // float
	convDouble                // double
	convTimestamp             // timestamp: milliseconds
	convDate                  // date: days since the epoch (unsigned with the epoch at 2^31 on disk)
	convTime                  // time: nanoseconds since midnight
	convUUID                  // uuid, timeuuid: 16 bytes
	convDecimal               // decimal: STRING, BigDecimal.toString
	convVarint                // varint: STRING, decimal digits
	convInet                  // inet: STRING, as SELECT JSON prints it
	convMonths                // duration's fields, given as ints by the group
	convDays
	convNanos
	convWritetime // writetime(c): INT64 microseconds (the cell timestamp)
	convTTL       // ttl(c): INT32 seconds left
)

// node is one node of the file's schema with what writing a value needs: its
// definition level when present, the repetition depth of its values, and the
// range of leaf columns under it.
type node struct {
	name     string
	typ      *cql.Type
	shape    shape
	conv     conv
	def      int // definition level of a present value of this node
	rep      int // repetition level of the values repeated inside this node (list and map)
	col      int // leaf: its column index
	first    int // first leaf column under the node
	end      int // one past the last
	children []*node
	optional bool
}

// builder numbers leaf columns as nodes are made, depth first, which is the
// order Parquet numbers them in.
type builder struct{ cols int }

// column returns the node and the Parquet schema node of a top-level column
// of type t: optional, at definition level 1.
func (b *builder) column(name string, t *cql.Type) (*node, parquet.Node, error) {
	return b.make(name, t, 0, 0, true)
}

// make builds the node of a value of type t whose parent is present at
// definition level def, repeated at depth rep.
func (b *builder) make(name string, t *cql.Type, def, rep int, optional bool) (*node, parquet.Node, error) {
	n := &node{name: name, typ: t, first: b.cols, rep: rep, optional: optional}
	if optional {
		def++
	}
	n.def = def
	var pn parquet.Node
	switch {
	case t.Kind == cql.List || t.Kind == cql.Set || t.Kind == cql.Vector:
		if len(t.Params) < 1 {
			return nil, nil, fmt.Errorf("%s has no element type: %w", t.CQL(), wire.ErrUnsupported)
		}
		n.shape = listShape
		n.rep = rep + 1
		// optional group (LIST) { repeated group list { optional element } }
		e, epn, err := b.make("element", t.Params[0], def+1, rep+1, true)
		if err != nil {
			return nil, nil, err
		}
		n.children = []*node{e}
		pn = parquet.List(epn)
	case t.Kind == cql.Map:
		if len(t.Params) != 2 {
			return nil, nil, fmt.Errorf("%s has no key and value types: %w", t.CQL(), wire.ErrUnsupported)
		}
		n.shape = mapShape
		n.rep = rep + 1
		// optional group (MAP) { repeated group key_value { required key; optional value } }
		k, kpn, err := b.make("key", t.Params[0], def+1, rep+1, false)
		if err != nil {
			return nil, nil, err
		}
		v, vpn, err := b.make("value", t.Params[1], def+1, rep+1, true)
		if err != nil {
			return nil, nil, err
		}
		n.children = []*node{k, v}
		pn = parquet.Map(kpn, vpn)
	case t.Kind == cql.UDT || t.Kind == cql.Tuple:
		n.shape = groupShape
		g := &group{}
		for i, ft := range t.Params {
			fname := tupleField(i)
			if t.Kind == cql.UDT && i < len(t.FieldNames) {
				fname = t.FieldNames[i]
			}
			f, fpn, err := b.make(fname, ft, def, rep, true)
			if err != nil {
				return nil, nil, err
			}
			n.children = append(n.children, f)
			g.fields = append(g.fields, field{fpn, fname})
		}
		pn = g
	case t.Kind == cql.Duration:
		n.shape = groupShape
		g := &group{}
		for _, f := range []struct {
			name string
			c    conv
			pn   parquet.Node
		}{{"months", convMonths, parquet.Int(32)}, {"days", convDays, parquet.Int(32)}, {"nanoseconds", convNanos, parquet.Int(64)}} {
			n.children = append(n.children, &node{name: f.name, typ: t, conv: f.c, def: def, rep: rep, col: b.cols, first: b.cols, end: b.cols + 1})
			b.cols++
			g.fields = append(g.fields, field{parquet.Required(f.pn), f.name})
		}
		pn = g
	default:
		var err error
		if n.conv, pn, err = leaf(t); err != nil {
			return nil, nil, err
		}
		n.col = b.cols
		b.cols++
	}
	n.end = b.cols
	if optional {
		pn = parquet.Optional(pn)
	} else {
		pn = parquet.Required(pn)
	}
	return n, pn, nil
}

// meta builds the node of a writetime (INT64) or ttl (INT32) column: a list of
// one entry per live cell for a multi-cell column, else one value.
func (b *builder) meta(name string, multi bool, c conv) (*node, parquet.Node) {
	mk := func(def, rep int) (*node, parquet.Node) {
		n := &node{name: name, conv: c, def: def + 1, rep: rep, col: b.cols, first: b.cols, end: b.cols + 1, optional: true}
		b.cols++
		if c == convTTL {
			return n, parquet.Optional(parquet.Int(32))
		}
		return n, parquet.Optional(parquet.Int(64))
	}
	if !multi {
		return mk(0, 0)
	}
	n := &node{name: name, shape: listShape, def: 1, rep: 1, first: b.cols, optional: true}
	e, epn := mk(2, 1)
	e.name = "element"
	n.children = []*node{e}
	n.end = b.cols
	return n, parquet.Optional(parquet.List(epn))
}

// leaf maps a CQL type without parts to its Parquet leaf (docs/parquet.md).
// No column is dictionary-encoded: the library's dictionaries cost more CPU
// than they save bytes once the pages are compressed (docs/parquet.md,
// Performance), and a dictionary only pays on low-cardinality columns, which
// the schema does not tell apart.
func leaf(t *cql.Type) (conv, parquet.Node, error) {
	switch t.Kind {
	case cql.Ascii:
		return convASCII, parquet.String(), nil
	case cql.Text:
		return convText, parquet.String(), nil
	case cql.Boolean:
		return convBool, parquet.Leaf(parquet.BooleanType), nil
	case cql.Tinyint:
		return convInt32, parquet.Int(8), nil
	case cql.Smallint:
		return convInt32, parquet.Int(16), nil
	case cql.Int:
		return convInt32, parquet.Int(32), nil
	case cql.Bigint:
		return convInt64, parquet.Int(64), nil
	case cql.Counter:
		return convCounter, parquet.Leaf(parquet.Int64Type), nil
	case cql.Float:
		return convFloat, parquet.Leaf(parquet.FloatType), nil
	case cql.Double:
		return convDouble, parquet.Leaf(parquet.DoubleType), nil
	case cql.Timestamp, cql.LegacyTimestamp:
		return convTimestamp, parquet.Timestamp(parquet.Millisecond), nil
	case cql.Date:
		return convDate, parquet.Date(), nil
	case cql.Time:
		return convTime, parquet.TimeAdjusted(parquet.Nanosecond, false), nil
	case cql.UUID, cql.Timeuuid, cql.LexicalUUID:
		return convUUID, parquet.UUID(), nil
	case cql.Decimal:
		return convDecimal, parquet.String(), nil
	case cql.Varint:
		return convVarint, parquet.String(), nil
	case cql.Inet:
		return convInet, parquet.String(), nil
	case cql.Blob, cql.Custom, cql.Empty, cql.Composite, cql.DynamicComposite, cql.ColumnToCollection, cql.PartitionerOrder:
		return convBytes, parquet.Leaf(parquet.ByteArrayType), nil
	}
	return 0, nil, fmt.Errorf("no Parquet type for %s: %w", t.CQL(), wire.ErrUnsupported)
}

// tupleField names a tuple's i-th field: f0, f1, ...
func tupleField(i int) string { return "f" + strconv.Itoa(i) }

// group is a Parquet group whose fields keep the order given (parquet.Group
// sorts them by name): a table's columns in SELECT * order, a UDT's fields
// in declaration order, a tuple's by position.
type group struct{ fields []parquet.Field }

var _ parquet.Node = (*group)(nil)

func (g *group) ID() int                     { return 0 }
func (g *group) Type() parquet.Type          { return parquet.Group{}.Type() }
func (g *group) Optional() bool              { return false }
func (g *group) Repeated() bool              { return false }
func (g *group) Required() bool              { return true }
func (g *group) Leaf() bool                  { return false }
func (g *group) Fields() []parquet.Field     { return g.fields }
func (g *group) Encoding() encoding.Encoding { return nil }
func (g *group) Compression() compress.Codec { return nil }
func (g *group) GoType() reflect.Type        { return reflect.TypeFor[map[string]any]() }

func (g *group) String() string {
	var sb strings.Builder
	sb.WriteString("group {")
	for _, f := range g.fields {
		sb.WriteString(" ")
		sb.WriteString(strconv.Quote(f.Name()))
		sb.WriteString(": ")
		sb.WriteString(f.String())
		sb.WriteString(";")
	}
	sb.WriteString(" }")
	return sb.String()
}

// field names a node in its group.
type field struct {
	parquet.Node
	name string
}

func (f field) Name() string                             { return f.name }
func (f field) Value(reflect.Value) (none reflect.Value) { return none }
