package cql_test

import (
	"cmp"
	"math"
	"testing"

	"github.com/aegisthus/aegisthus/internal/cql/cqltest"
)

// compareCases list values of each type in ascending order per the type's
// comparator (each class's compareCustom, or unsigned bytes for BYTE_ORDER types).
var compareCases = []struct {
	typ    string
	values [][]byte // strictly ascending
}{
	// Int32Type/LongType/ShortType/ByteType: signed; empty first (compareComposed).
	{"int", [][]byte{nil, cqltest.I32(math.MinInt32), cqltest.I32(-1), cqltest.I32(0), cqltest.I32(1), cqltest.I32(math.MaxInt32)}},
	{"bigint", [][]byte{nil, cqltest.I64(math.MinInt64), cqltest.I64(-1), cqltest.I64(0), cqltest.I64(256), cqltest.I64(math.MaxInt64)}},
	{"smallint", [][]byte{cqltest.Hex("8000"), cqltest.Hex("ffff"), cqltest.Hex("0000"), cqltest.Hex("00ff"), cqltest.Hex("7fff")}},
	{"tinyint", [][]byte{cqltest.Hex("80"), cqltest.Hex("ff"), cqltest.Hex("00"), cqltest.Hex("7f")}},
	{"counter", [][]byte{cqltest.I64(-5), cqltest.I64(5)}},
	// TimestampType: signed long (unlike bytes).
	{"timestamp", [][]byte{nil, cqltest.I64(-1), cqltest.I64(0), cqltest.I64(1430472654234)}},
	// DateType (legacy): unsigned bytes, so negative times sort last.
	{"'org.apache.cassandra.db.marshal.DateType'", [][]byte{nil, cqltest.I64(0), cqltest.I64(1), cqltest.I64(-1)}},
	// IntegerType.compareIntegers: numeric for any length.
	{"varint", [][]byte{nil, cqltest.Hex("ff7fffffffffffffff"), cqltest.Hex("ff7f"), cqltest.Hex("80"), cqltest.Hex("ff"), cqltest.Hex("00"), cqltest.Hex("7f"), cqltest.Hex("0080"), cqltest.Hex("010000000000000000")}},
	// DecimalType: BigDecimal.compareTo.
	{"decimal", [][]byte{nil, append(cqltest.I32(0), cqltest.Hex("fb")...), append(cqltest.I32(1), cqltest.Hex("fb")...), append(cqltest.I32(0), cqltest.Hex("00")...),
		append(cqltest.I32(2), cqltest.Hex("0221")...), append(cqltest.I32(-1), cqltest.Hex("01")...), append(cqltest.I32(-3), cqltest.Hex("01")...)}},
	// FloatType/DoubleType: Float.compare (-0.0 < 0.0 < ... < Infinity < NaN).
	{"float", [][]byte{nil, cqltest.F32(float32(math.Inf(-1))), cqltest.F32(-1), cqltest.F32(float32(math.Copysign(0, -1))), cqltest.F32(0), cqltest.F32(0.1), cqltest.F32(float32(math.Inf(1))), cqltest.F32(float32(math.NaN()))}},
	{"double", [][]byte{nil, cqltest.F64(math.Inf(-1)), cqltest.F64(-2.5), cqltest.F64(math.Copysign(0, -1)), cqltest.F64(0), cqltest.F64(1e300), cqltest.F64(math.NaN())}},
	// BooleanType: false < true, any non-zero byte is true.
	{"boolean", [][]byte{nil, {0}, {1}}},
	// UTF8Type/AsciiType/BytesType/InetAddressType/SimpleDateType/TimeType/DurationType: unsigned bytes.
	{"text", [][]byte{nil, []byte("A"), []byte("a"), []byte("ab"), []byte("é")}},
	{"blob", [][]byte{nil, {0}, {0, 0}, {0x7f}, {0x80}}},
	{"inet", [][]byte{nil, cqltest.Hex("00000000000000000000000000000001"), cqltest.Hex("0a000001"), cqltest.Hex("0a000002"), cqltest.Hex("c0a80001")}},
	{"date", [][]byte{cqltest.Date(-1), cqltest.Date(0), cqltest.Date(1)}},
	{"time", [][]byte{cqltest.I64(0), cqltest.I64(1), cqltest.I64(nanosPerDay - 1)}},
	// TimeUUIDType: by timestamp (time_hi, time_mid, time_low), then lsb as signed bytes.
	{"timeuuid", [][]byte{nil,
		cqltest.Hex("ffffffff 0000 1000 8000000000000000"), // time_hi 0, time_mid 0, time_low max
		cqltest.Hex("00000000 0001 1000 8000000000000000"), // time_mid 1
		cqltest.Hex("00000000 0000 1001 80000000000000ff"), // time_hi 1; lsb byte 0xff is -1 as a signed byte
		cqltest.Hex("00000000 0000 1001 8000000000000000"),
		cqltest.Hex("00000000 0000 1001 8000000000000001"),
	}},
	// UUIDType: version, then timestamp for v1 else unsigned msb, then unsigned lsb.
	{"uuid", [][]byte{nil,
		cqltest.Hex("ffffffff ffff 0fff ffffffffffffffff"), // version 0
		cqltest.Hex("ffffffff 0000 1000 0000000000000000"), // v1, small timestamp
		cqltest.Hex("00000000 0000 1001 0000000000000000"), // v1, larger timestamp
		cqltest.Hex("00000000 0000 4000 0000000000000000"), // v4
		cqltest.Hex("00000000 0000 4000 8000000000000000"), // v4, lsb unsigned
		cqltest.Hex("80000000 0000 4000 0000000000000000"), // v4, msb unsigned
	}},
	// LexicalUUIDType: UUID.compareTo, signed msb then signed lsb.
	{"'org.apache.cassandra.db.marshal.LexicalUUIDType'", [][]byte{nil,
		cqltest.Hex("80000000000000000000000000000000"), cqltest.Hex("00000000000000008000000000000000"), cqltest.Hex("00000000000000000000000000000000"), cqltest.Hex("7fffffffffffffff0000000000000000")}},
	// ListType.compareListOrSet: element-wise, then size.
	{"frozen<list<int>>", [][]byte{nil, cqltest.Coll(), cqltest.Coll(cqltest.I32(-1)), cqltest.Coll(cqltest.I32(1)), cqltest.Coll(cqltest.I32(1), cqltest.I32(-5)), cqltest.Coll(cqltest.I32(1), cqltest.I32(2)), cqltest.Coll(cqltest.I32(2))}},
	{"frozen<set<text>>", [][]byte{cqltest.Coll(), cqltest.Coll([]byte("a")), cqltest.Coll([]byte("a"), []byte("b")), cqltest.Coll([]byte("b"))}},
	// MapType.compareMaps: key, value, ..., then size.
	{"frozen<map<int, text>>", [][]byte{cqltest.Map(), cqltest.Map(cqltest.I32(1), []byte("a")), cqltest.Map(cqltest.I32(1), []byte("b")), cqltest.Map(cqltest.I32(1), []byte("b"), cqltest.I32(0), []byte("")), cqltest.Map(cqltest.I32(2), []byte("a"))}},
	// TupleType.compareCustom: field-wise, null before values.
	{"tuple<int, text>", [][]byte{nil, cqltest.Tuple(nil, []byte("z")), cqltest.Tuple(cqltest.I32(-1)), cqltest.Tuple(cqltest.I32(1), []byte("a"))}},
	{"frozen<ut>", [][]byte{cqltest.Tuple(cqltest.I32(1), nil), cqltest.Tuple(cqltest.I32(1), cqltest.I32(0)), cqltest.Tuple(cqltest.I32(2))}},
	{"vector<int, 2>", [][]byte{append(cqltest.I32(-1), cqltest.I32(5)...), append(cqltest.I32(0), cqltest.I32(-5)...), append(cqltest.I32(0), cqltest.I32(5)...)}},
	{"vector<text, 2>", [][]byte{cqltest.Hex("0161 0162"), cqltest.Hex("0161 0263 63"), cqltest.Hex("0162 00")}},
}

func TestCompare(t *testing.T) {
	for _, c := range compareCases {
		ty := mustCQL(t, c.typ, cqltest.UDTs)
		rev := ty.WithReversed(true)
		for i, a := range c.values {
			for j, b := range c.values {
				want := cmp.Compare(i, j)
				if got := ty.Compare(a, b); got != want {
					t.Errorf("%s: Compare(%x, %x) = %d, want %d", c.typ, a, b, got, want)
				}
				if got := rev.Compare(a, b); got != -want {
					t.Errorf("%s reversed: Compare(%x, %x) = %d, want %d", c.typ, a, b, got, -want)
				}
			}
		}
	}
}

func TestCompareEqualValues(t *testing.T) {
	cases := []struct {
		typ  string
		a, b []byte
	}{
		// BigDecimal.compareTo ignores the scale: 1.0 == 1.00.
		{"decimal", append(cqltest.I32(1), cqltest.Hex("0a")...), append(cqltest.I32(2), cqltest.Hex("64")...)},
		// Redundant sign bytes do not change a varint.
		{"varint", cqltest.Hex("0001"), cqltest.Hex("01")},
		{"varint", cqltest.Hex("ffff"), cqltest.Hex("ff")},
		// Missing trailing tuple fields equal nulls.
		{"tuple<int, int>", cqltest.Tuple(cqltest.I32(1)), cqltest.Tuple(cqltest.I32(1), nil)},
		// Any non-zero boolean byte is true.
		{"boolean", []byte{1}, []byte{7}},
		{"float", cqltest.F32(float32(math.NaN())), binaryNaN32()},
		{"empty", nil, nil},
	}
	for _, c := range cases {
		ty := mustCQL(t, c.typ, cqltest.UDTs)
		if got := ty.Compare(c.a, c.b); got != 0 {
			t.Errorf("%s: Compare(%x, %x) = %d, want 0", c.typ, c.a, c.b, got)
		}
	}
}

func binaryNaN32() []byte { return cqltest.Hex("7fc00001") }

func TestCompareComposite(t *testing.T) {
	// AbstractCompositeType.compareCustom: static first, component-wise with
	// each component's comparator, a prefix before longer values.
	ty := cqltest.Marshal(t, "CompositeType(Int32Type,ReversedType(UTF8Type))")
	comp := func(static bool, parts ...[]byte) []byte {
		var b []byte
		if static {
			b = append(b, 0xff, 0xff)
		}
		for _, p := range parts {
			b = append(b, byte(len(p)>>8), byte(len(p)))
			b = append(b, p...)
			b = append(b, 0)
		}
		return b
	}
	asc := [][]byte{
		nil,
		comp(true, cqltest.I32(5)),
		comp(false, cqltest.I32(-1), []byte("a")),
		comp(false, cqltest.I32(1)),
		comp(false, cqltest.I32(1), []byte("b")), // reversed text: b before a
		comp(false, cqltest.I32(1), []byte("a")),
		comp(false, cqltest.I32(2)),
	}
	for i, a := range asc {
		for j, b := range asc {
			if got, want := ty.Compare(a, b), cmp.Compare(i, j); got != want {
				t.Errorf("Compare(%x, %x) = %d, want %d", a, b, got, want)
			}
		}
	}
}

func TestCompareMalformedDoesNotPanic(t *testing.T) {
	junk := [][]byte{nil, {0}, {1, 2, 3}, cqltest.Hex("ffffffff"), cqltest.Hex("0000000100000009"), cqltest.Hex("ffff0001"), cqltest.Hex("0003616263")}
	for _, c := range cqltest.Types {
		ty := mustCQL(t, c.CQL, cqltest.UDTs)
		for _, a := range junk {
			for _, b := range junk {
				if x, y := ty.Compare(a, b), ty.Compare(b, a); x != -y {
					t.Errorf("%s: Compare(%x, %x) = %d but Compare(%x, %x) = %d", c.CQL, a, b, x, b, a, y)
				}
			}
		}
	}
}
