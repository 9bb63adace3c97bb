package cql

import (
	"math"
	"testing"
)

// compareCases list values of each type in ascending order per the type's
// comparator (each class's compareCustom, or unsigned bytes for BYTE_ORDER types).
var compareCases = []struct {
	typ    string
	values [][]byte // strictly ascending
}{
	// Int32Type/LongType/ShortType/ByteType: signed; empty first (compareComposed).
	{"int", [][]byte{nil, i32(math.MinInt32), i32(-1), i32(0), i32(1), i32(math.MaxInt32)}},
	{"bigint", [][]byte{nil, i64(math.MinInt64), i64(-1), i64(0), i64(256), i64(math.MaxInt64)}},
	{"smallint", [][]byte{hx("8000"), hx("ffff"), hx("0000"), hx("00ff"), hx("7fff")}},
	{"tinyint", [][]byte{hx("80"), hx("ff"), hx("00"), hx("7f")}},
	{"counter", [][]byte{i64(-5), i64(5)}},
	// TimestampType: signed long (unlike bytes).
	{"timestamp", [][]byte{nil, i64(-1), i64(0), i64(1430472654234)}},
	// DateType (legacy): unsigned bytes, so negative times sort last.
	{"'org.apache.cassandra.db.marshal.DateType'", [][]byte{nil, i64(0), i64(1), i64(-1)}},
	// IntegerType.compareIntegers: numeric for any length.
	{"varint", [][]byte{nil, hx("ff7fffffffffffffff"), hx("ff7f"), hx("80"), hx("ff"), hx("00"), hx("7f"), hx("0080"), hx("010000000000000000")}},
	// DecimalType: BigDecimal.compareTo.
	{"decimal", [][]byte{nil, append(i32(0), hx("fb")...), append(i32(1), hx("fb")...), append(i32(0), hx("00")...),
		append(i32(2), hx("0221")...), append(i32(-1), hx("01")...), append(i32(-3), hx("01")...)}},
	// FloatType/DoubleType: Float.compare (-0.0 < 0.0 < ... < Infinity < NaN).
	{"float", [][]byte{nil, f32(float32(math.Inf(-1))), f32(-1), f32(float32(math.Copysign(0, -1))), f32(0), f32(0.1), f32(float32(math.Inf(1))), f32(float32(math.NaN()))}},
	{"double", [][]byte{nil, f64(math.Inf(-1)), f64(-2.5), f64(math.Copysign(0, -1)), f64(0), f64(1e300), f64(math.NaN())}},
	// BooleanType: false < true, any non-zero byte is true.
	{"boolean", [][]byte{nil, {0}, {1}}},
	// UTF8Type/AsciiType/BytesType/InetAddressType/SimpleDateType/TimeType/DurationType: unsigned bytes.
	{"text", [][]byte{nil, []byte("A"), []byte("a"), []byte("ab"), []byte("é")}},
	{"blob", [][]byte{nil, {0}, {0, 0}, {0x7f}, {0x80}}},
	{"inet", [][]byte{nil, hx("00000000000000000000000000000001"), hx("0a000001"), hx("0a000002"), hx("c0a80001")}},
	{"date", [][]byte{date(-1), date(0), date(1)}},
	{"time", [][]byte{i64(0), i64(1), i64(nanosPerDay - 1)}},
	// TimeUUIDType: by timestamp (time_hi, time_mid, time_low), then lsb as signed bytes.
	{"timeuuid", [][]byte{nil,
		hx("ffffffff 0000 1000 8000000000000000"), // time_hi 0, time_mid 0, time_low max
		hx("00000000 0001 1000 8000000000000000"), // time_mid 1
		hx("00000000 0000 1001 80000000000000ff"), // time_hi 1; lsb byte 0xff is -1 as a signed byte
		hx("00000000 0000 1001 8000000000000000"),
		hx("00000000 0000 1001 8000000000000001"),
	}},
	// UUIDType: version, then timestamp for v1 else unsigned msb, then unsigned lsb.
	{"uuid", [][]byte{nil,
		hx("ffffffff ffff 0fff ffffffffffffffff"), // version 0
		hx("ffffffff 0000 1000 0000000000000000"), // v1, small timestamp
		hx("00000000 0000 1001 0000000000000000"), // v1, larger timestamp
		hx("00000000 0000 4000 0000000000000000"), // v4
		hx("00000000 0000 4000 8000000000000000"), // v4, lsb unsigned
		hx("80000000 0000 4000 0000000000000000"), // v4, msb unsigned
	}},
	// LexicalUUIDType: UUID.compareTo, signed msb then signed lsb.
	{"'org.apache.cassandra.db.marshal.LexicalUUIDType'", [][]byte{nil,
		hx("80000000000000000000000000000000"), hx("00000000000000008000000000000000"), hx("00000000000000000000000000000000"), hx("7fffffffffffffff0000000000000000")}},
	// ListType.compareListOrSet: element-wise, then size.
	{"frozen<list<int>>", [][]byte{nil, coll(), coll(i32(-1)), coll(i32(1)), coll(i32(1), i32(-5)), coll(i32(1), i32(2)), coll(i32(2))}},
	{"frozen<set<text>>", [][]byte{coll(), coll([]byte("a")), coll([]byte("a"), []byte("b")), coll([]byte("b"))}},
	// MapType.compareMaps: key, value, ..., then size.
	{"frozen<map<int, text>>", [][]byte{mapv(), mapv(i32(1), []byte("a")), mapv(i32(1), []byte("b")), mapv(i32(1), []byte("b"), i32(0), []byte("")), mapv(i32(2), []byte("a"))}},
	// TupleType.compareCustom: field-wise, null before values.
	{"tuple<int, text>", [][]byte{nil, tuple(nil, []byte("z")), tuple(i32(-1)), tuple(i32(1), []byte("a"))}},
	{"frozen<ut>", [][]byte{tuple(i32(1), nil), tuple(i32(1), i32(0)), tuple(i32(2))}},
	{"vector<int, 2>", [][]byte{append(i32(-1), i32(5)...), append(i32(0), i32(-5)...), append(i32(0), i32(5)...)}},
	{"vector<text, 2>", [][]byte{hx("0161 0162"), hx("0161 0263 63"), hx("0162 00")}},
}

func TestCompare(t *testing.T) {
	for _, c := range compareCases {
		ty := mustCQL(t, c.typ, testUDTs)
		rev := ty.WithReversed(true)
		for i, a := range c.values {
			for j, b := range c.values {
				want := sign(i - j)
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
		{"decimal", append(i32(1), hx("0a")...), append(i32(2), hx("64")...)},
		// Redundant sign bytes do not change a varint.
		{"varint", hx("0001"), hx("01")},
		{"varint", hx("ffff"), hx("ff")},
		// Missing trailing tuple fields equal nulls.
		{"tuple<int, int>", tuple(i32(1)), tuple(i32(1), nil)},
		// Any non-zero boolean byte is true.
		{"boolean", []byte{1}, []byte{7}},
		{"float", f32(float32(math.NaN())), binaryNaN32()},
		{"empty", nil, nil},
	}
	for _, c := range cases {
		ty := mustCQL(t, c.typ, testUDTs)
		if got := ty.Compare(c.a, c.b); got != 0 {
			t.Errorf("%s: Compare(%x, %x) = %d, want 0", c.typ, c.a, c.b, got)
		}
	}
}

func binaryNaN32() []byte { return hx("7fc00001") }

func TestCompareComposite(t *testing.T) {
	// AbstractCompositeType.compareCustom: static first, component-wise with
	// each component's comparator, a prefix before longer values.
	ty := mustMarshal(t, "CompositeType(Int32Type,ReversedType(UTF8Type))")
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
		comp(true, i32(5)),
		comp(false, i32(-1), []byte("a")),
		comp(false, i32(1)),
		comp(false, i32(1), []byte("b")), // reversed text: b before a
		comp(false, i32(1), []byte("a")),
		comp(false, i32(2)),
	}
	for i, a := range asc {
		for j, b := range asc {
			if got, want := ty.Compare(a, b), sign(i-j); got != want {
				t.Errorf("Compare(%x, %x) = %d, want %d", a, b, got, want)
			}
		}
	}
}

func TestCompareMalformedDoesNotPanic(t *testing.T) {
	junk := [][]byte{nil, {0}, {1, 2, 3}, hx("ffffffff"), hx("0000000100000009"), hx("ffff0001"), hx("0003616263")}
	for _, c := range typeCases {
		ty := mustCQL(t, c.cql, testUDTs)
		for _, a := range junk {
			for _, b := range junk {
				if x, y := ty.Compare(a, b), ty.Compare(b, a); x != -y {
					t.Errorf("%s: Compare(%x, %x) = %d but Compare(%x, %x) = %d", c.cql, a, b, x, b, a, y)
				}
			}
		}
	}
}
