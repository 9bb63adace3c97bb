package cql

import (
	"fmt"

	"github.com/aegisthus/aegisthus/internal/sstable/wire"
)

// Kind names one class of Cassandra's marshal package (org.apache.cassandra.db.marshal).
type Kind uint8

// One Kind per marshal class. The comment names the class and the CQL spelling.
const (
	Invalid            Kind = iota
	Ascii                   // AsciiType, ascii
	Bigint                  // LongType, bigint
	Blob                    // BytesType, blob
	Boolean                 // BooleanType, boolean
	Counter                 // CounterColumnType, counter
	Date                    // SimpleDateType, date (u32 days, epoch at 2^31)
	Decimal                 // DecimalType, decimal
	Double                  // DoubleType, double
	Duration                // DurationType, duration
	Empty                   // EmptyType (no CQL spelling of its own)
	Float                   // FloatType, float
	Inet                    // InetAddressType, inet
	Int                     // Int32Type, int
	Smallint                // ShortType, smallint
	Text                    // UTF8Type, text (and varchar)
	Time                    // TimeType, time
	Timestamp               // TimestampType, timestamp
	Timeuuid                // TimeUUIDType, timeuuid
	Tinyint                 // ByteType, tinyint
	UUID                    // UUIDType, uuid
	Varint                  // IntegerType, varint
	List                    // ListType, list<T>
	Set                     // SetType, set<T>
	Map                     // MapType, map<K, V>
	Tuple                   // TupleType, tuple<...>
	UDT                     // UserType
	Vector                  // VectorType, vector<T, n> (Cassandra 5.0)
	Composite               // CompositeType (multi-column partition keys, 2.x cell names)
	DynamicComposite        // DynamicCompositeType (Thrift era)
	LexicalUUID             // LexicalUUIDType (Thrift era)
	LegacyTimestamp         // DateType: the pre-2.0 timestamp, compared as unsigned bytes
	ColumnToCollection      // ColumnToCollectionType (2.x comparators of tables with collections)
	PartitionerOrder        // PartitionerDefinedOrder / LocalByPartionerType (index tables)
	Custom                  // any other class: rendered as a blob, Name holds the class
	numKinds
)

type kindInfo struct {
	class   string // simple class name in org.apache.cassandra.db.marshal
	cql     string // CQL spelling of a native type, "" when none
	fixed   int    // valueLengthIfFixed, -1 for variable
	byteCmp bool   // ComparisonType.BYTE_ORDER
}

// kinds mirrors each class's constructor (ComparisonType) and valueLengthIfFixed
// as of Cassandra 4.0/5.0. tinyint, smallint, date and time are variable length on
// disk: ByteType, ShortType, SimpleDateType and TimeType do not override
// valueLengthIfFixed.
var kinds = [numKinds]kindInfo{
	Invalid:            {"", "", -1, false},
	Ascii:              {"AsciiType", "ascii", -1, true},
	Bigint:             {"LongType", "bigint", 8, false},
	Blob:               {"BytesType", "blob", -1, true},
	Boolean:            {"BooleanType", "boolean", 1, false},
	Counter:            {"CounterColumnType", "counter", -1, false},
	Date:               {"SimpleDateType", "date", -1, true},
	Decimal:            {"DecimalType", "decimal", -1, false},
	Double:             {"DoubleType", "double", 8, false},
	Duration:           {"DurationType", "duration", -1, true},
	Empty:              {"EmptyType", "", 0, false},
	Float:              {"FloatType", "float", 4, false},
	Inet:               {"InetAddressType", "inet", -1, true},
	Int:                {"Int32Type", "int", 4, false},
	Smallint:           {"ShortType", "smallint", -1, false},
	Text:               {"UTF8Type", "text", -1, true},
	Time:               {"TimeType", "time", -1, true},
	Timestamp:          {"TimestampType", "timestamp", 8, false},
	Timeuuid:           {"TimeUUIDType", "timeuuid", 16, false},
	Tinyint:            {"ByteType", "tinyint", -1, false},
	UUID:               {"UUIDType", "uuid", 16, false},
	Varint:             {"IntegerType", "varint", -1, false},
	List:               {"ListType", "list", -1, false},
	Set:                {"SetType", "set", -1, false},
	Map:                {"MapType", "map", -1, false},
	Tuple:              {"TupleType", "tuple", -1, false},
	UDT:                {"UserType", "", -1, false},
	Vector:             {"VectorType", "vector", -1, false},
	Composite:          {"CompositeType", "", -1, false},
	DynamicComposite:   {"DynamicCompositeType", "", -1, false},
	LexicalUUID:        {"LexicalUUIDType", "", 16, false},
	LegacyTimestamp:    {"DateType", "", 8, true},
	ColumnToCollection: {"ColumnToCollectionType", "", -1, true},
	PartitionerOrder:   {"PartitionerDefinedOrder", "", -1, true},
	Custom:             {"", "", -1, true},
}

// String returns the marshal class's simple name (e.g. "Int32Type").
func (k Kind) String() string {
	if k < numKinds && kinds[k].class != "" {
		return kinds[k].class
	}
	if k == Custom {
		return "Custom"
	}
	return fmt.Sprintf("Kind(%d)", uint8(k))
}

// CQLName returns the CQL spelling of a native kind ("int", "text") or of a
// collection's keyword ("list"), and "" for kinds without one (UDT, Composite,
// the Thrift-era classes).
func (k Kind) CQLName() string {
	if k < numKinds {
		return kinds[k].cql
	}
	return ""
}

// Type is a parsed Cassandra type: AbstractType with its parameters.
//
// A Type is immutable once built by ParseMarshal or by cqlparse, and safe for
// concurrent use by any number of goroutines. Types may share sub-trees.
type Type struct {
	Kind       Kind
	Params     []*Type  // list/set: [elem]; map: [key, value]; tuple/UDT/composite: components; vector: [elem]
	FieldNames []string // UDT field names; DynamicComposite aliases (one character each); ColumnToCollection column names
	Keyspace   string   // UDT
	Name       string   // UDT name; Custom: class name; PartitionerOrder: partitioner class (and ":basetype" if any)
	MultiCell  bool     // non-frozen collection or UDT (its cells are stored one per element)
	Reversed   bool     // wrapped in ReversedType (clustering DESC): Compare is inverted
	Dimension  int      // vector
}

// Native types, for callers that build types by hand. They are frozen, not
// reversed, and must not be modified.
var (
	TypeAscii     = &Type{Kind: Ascii}
	TypeBigint    = &Type{Kind: Bigint}
	TypeBlob      = &Type{Kind: Blob}
	TypeBoolean   = &Type{Kind: Boolean}
	TypeCounter   = &Type{Kind: Counter}
	TypeDate      = &Type{Kind: Date}
	TypeDecimal   = &Type{Kind: Decimal}
	TypeDouble    = &Type{Kind: Double}
	TypeDuration  = &Type{Kind: Duration}
	TypeEmpty     = &Type{Kind: Empty}
	TypeFloat     = &Type{Kind: Float}
	TypeInet      = &Type{Kind: Inet}
	TypeInt       = &Type{Kind: Int}
	TypeSmallint  = &Type{Kind: Smallint}
	TypeText      = &Type{Kind: Text}
	TypeTime      = &Type{Kind: Time}
	TypeTimestamp = &Type{Kind: Timestamp}
	TypeTimeuuid  = &Type{Kind: Timeuuid}
	TypeTinyint   = &Type{Kind: Tinyint}
	TypeUUID      = &Type{Kind: UUID}
	TypeVarint    = &Type{Kind: Varint}
)

// IsMultiCell reports whether values of t are stored as one cell per element
// (AbstractType.isMultiCell): a non-frozen list, set, map or UDT.
func (t *Type) IsMultiCell() bool { return t.MultiCell }

// IsCollection reports whether t is a list, set or map (frozen or not).
func (t *Type) IsCollection() bool { return t.Kind == List || t.Kind == Set || t.Kind == Map }

// ValueLengthIfFixed mirrors AbstractType.valueLengthIfFixed: the number of bytes of
// every value of a fixed-width type, or -1 when values carry a length. The row
// decoder stores fixed-width cell values without a length prefix. Empty values of
// fixed-width types exist only where the format stores a length anyway (keys,
// clustering prefixes written with a header saying "empty").
func (t *Type) ValueLengthIfFixed() int {
	if t.Kind == Vector {
		if t.MultiCell || len(t.Params) != 1 {
			return -1
		}
		if n := t.Params[0].ValueLengthIfFixed(); n > 0 && t.Dimension > 0 {
			return n * t.Dimension
		}
		return -1
	}
	if t.MultiCell || t.Kind >= numKinds {
		return -1
	}
	return kinds[t.Kind].fixed
}

// Elem returns the element type of a list, set or vector, the key type of a map,
// or nil.
func (t *Type) Elem() *Type {
	if len(t.Params) > 0 && (t.IsCollection() || t.Kind == Vector) {
		return t.Params[0]
	}
	return nil
}

// Value returns the value type of a map, or nil.
func (t *Type) Value() *Type {
	if t.Kind == Map && len(t.Params) == 2 {
		return t.Params[1]
	}
	return nil
}

// PathType returns the type of a non-frozen column's cell paths
// (CollectionType.nameComparator): timeuuid for lists, the element type for sets,
// the key type for maps, smallint (field index) for UDTs. It returns nil for
// anything else.
func (t *Type) PathType() *Type {
	switch t.Kind {
	case List:
		return TypeTimeuuid
	case Set, Map:
		return t.Elem()
	case UDT, Tuple:
		return TypeSmallint
	}
	return nil
}

// CellValueType returns the type of the values stored in a non-frozen column's
// cells (ColumnMetadata.cellValueType): the element type of a list, the value type
// of a map, empty for a set. For a UDT it depends on the field; use FieldType. For
// any other type it returns t.
func (t *Type) CellValueType() *Type {
	if !t.MultiCell {
		return t
	}
	switch t.Kind {
	case List:
		return t.Params[0]
	case Set:
		return TypeEmpty
	case Map:
		return t.Params[1]
	}
	return t
}

// FieldType returns the type of UDT (or tuple) field i, or nil when i is out of range.
func (t *Type) FieldType(i int) *Type {
	if (t.Kind == UDT || t.Kind == Tuple) && i >= 0 && i < len(t.Params) {
		return t.Params[i]
	}
	return nil
}

// Frozen returns t with MultiCell cleared at every level, sharing t when it is
// already frozen throughout.
func (t *Type) Frozen() *Type {
	if !t.anyMultiCell() {
		return t
	}
	c := *t
	c.MultiCell = false
	if len(t.Params) > 0 {
		c.Params = make([]*Type, len(t.Params))
		for i, p := range t.Params {
			c.Params[i] = p.Frozen()
		}
	}
	return &c
}

func (t *Type) anyMultiCell() bool {
	if t.MultiCell {
		return true
	}
	for _, p := range t.Params {
		if p.anyMultiCell() {
			return true
		}
	}
	return false
}

// WithReversed returns a copy of t with Reversed set to r (t itself if it already is).
func (t *Type) WithReversed(r bool) *Type {
	if t.Reversed == r {
		return t
	}
	c := *t
	c.Reversed = r
	return &c
}

// WithMultiCell returns a copy of t with MultiCell set to m at the top level only
// (nested types stay frozen). It is a no-op for types that cannot be multi-cell.
func (t *Type) WithMultiCell(m bool) *Type {
	if m == t.MultiCell {
		return t
	}
	if m && !t.CanBeMultiCell() {
		return t
	}
	c := *t
	c.MultiCell = m
	return &c
}

// CanBeMultiCell reports whether t is of a kind that can be stored one cell per
// element when not frozen: list, set, map or UDT.
func (t *Type) CanBeMultiCell() bool {
	switch t.Kind {
	case List, Set, Map, UDT:
		return true
	}
	return false
}

// Equal reports whether a and b describe the same type, frozenness and
// reversedness included.
func (t *Type) Equal(o *Type) bool {
	if t == o {
		return true
	}
	if t == nil || o == nil {
		return false
	}
	if t.Kind != o.Kind || t.MultiCell != o.MultiCell || t.Reversed != o.Reversed ||
		t.Dimension != o.Dimension || t.Keyspace != o.Keyspace || t.Name != o.Name ||
		len(t.Params) != len(o.Params) || len(t.FieldNames) != len(o.FieldNames) {
		return false
	}
	for i := range t.Params {
		if !t.Params[i].Equal(o.Params[i]) {
			return false
		}
	}
	for i := range t.FieldNames {
		if t.FieldNames[i] != o.FieldNames[i] {
			return false
		}
	}
	return true
}

// String returns the CQL spelling; see CQL.
func (t *Type) String() string { return t.CQL() }

// Check verifies the structural invariants every constructor relies on, so that
// the value code can index Params without further checks: the number of type
// parameters of a collection or vector, the field names of a UDT, a positive
// vector dimension. A parser that builds a Type by hand calls it before handing
// the Type out. The error wraps wire.ErrCorrupt.
func (t *Type) Check() error {
	want := -1
	switch t.Kind {
	case List, Set, Vector:
		want = 1
	case Map:
		want = 2
	case ColumnToCollection:
		if len(t.FieldNames) != len(t.Params) {
			return fmt.Errorf("%v: %d names for %d types: %w", t.Kind, len(t.FieldNames), len(t.Params), wire.ErrCorrupt)
		}
	case UDT:
		if len(t.FieldNames) != len(t.Params) {
			return fmt.Errorf("%v: %d field names for %d field types: %w", t.Kind, len(t.FieldNames), len(t.Params), wire.ErrCorrupt)
		}
	case DynamicComposite:
		if len(t.FieldNames) != len(t.Params) {
			return fmt.Errorf("%v: %d aliases for %d types: %w", t.Kind, len(t.FieldNames), len(t.Params), wire.ErrCorrupt)
		}
	}
	if want >= 0 && len(t.Params) != want {
		return fmt.Errorf("%v takes %d type parameters, got %d: %w", t.Kind, want, len(t.Params), wire.ErrCorrupt)
	}
	if t.Kind == Vector && t.Dimension <= 0 {
		return fmt.Errorf("vector dimension must be positive, got %d: %w", t.Dimension, wire.ErrCorrupt)
	}
	return nil
}
