package cql

import (
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/aegisthus/aegisthus/internal/sstable/wire"
)

func hx(s string) []byte {
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		panic(err)
	}
	return b
}

func i32(v int32) []byte { return binary.BigEndian.AppendUint32(nil, uint32(v)) }
func i64(v int64) []byte { return binary.BigEndian.AppendUint64(nil, uint64(v)) }
func f32(v float32) []byte {
	return binary.BigEndian.AppendUint32(nil, math.Float32bits(v))
}
func f64(v float64) []byte {
	return binary.BigEndian.AppendUint64(nil, math.Float64bits(v))
}

// coll builds a frozen collection (CollectionSerializer, protocol v3+).
func coll(elems ...[]byte) []byte {
	n := len(elems)
	b := i32(int32(n))
	for _, e := range elems {
		if e == nil {
			b = append(b, i32(-1)...)
			continue
		}
		b = append(b, i32(int32(len(e)))...)
		b = append(b, e...)
	}
	return b
}

// mapv builds a frozen map from key, value, key, value...
func mapv(kv ...[]byte) []byte {
	b := coll(kv...)
	binary.BigEndian.PutUint32(b, uint32(len(kv)/2))
	return b
}

// tuple builds a tuple/UDT value; nil fields are null (-1).
func tuple(fields ...[]byte) []byte {
	var b []byte
	for _, f := range fields {
		if f == nil {
			b = append(b, i32(-1)...)
			continue
		}
		b = append(b, i32(int32(len(f)))...)
		b = append(b, f...)
	}
	return b
}

func duration(months, days, nanos int64) []byte {
	b := wire.AppendVint(nil, months)
	b = wire.AppendVint(b, days)
	return wire.AppendVint(b, nanos)
}

func date(days int64) []byte { return i32(int32(uint32(days + 1<<31))) }

func mustMarshal(t testing.TB, s string) *Type {
	t.Helper()
	ty, err := ParseMarshal(s)
	if err != nil {
		t.Fatalf("ParseMarshal(%q): %v", s, err)
	}
	return ty
}

func mustCQL(t testing.TB, s string, udts map[string]*Type) *Type {
	t.Helper()
	ty, err := ParseCQL(s, udts)
	if err != nil {
		t.Fatalf("ParseCQL(%q): %v", s, err)
	}
	return ty
}

var testUDTs = func() map[string]*Type {
	ut := &Type{Kind: UDT, Keyspace: "ks", Name: "ut", FieldNames: []string{"a", "b"}, Params: []*Type{TypeInt, TypeInt}}
	mixed := &Type{Kind: UDT, Keyspace: "ks", Name: "Mixed", FieldNames: []string{"x", "Yy", "z"}, Params: []*Type{TypeInt, TypeText, TypeBoolean}}
	return map[string]*Type{"ut": ut, "ks.ut": ut, "Mixed": mixed, "ks.Mixed": mixed}
}()

type valueCase struct {
	typ  string // CQL type
	v    []byte
	json string // AppendJSON
	str  string // AppendString; "" means: same as json without surrounding quotes
}

// Expected outputs come from reading Cassandra's Java, cited per group.
var valueCases = []valueCase{
	// UTF8Type/AsciiType.toJSONString: '"' + JsonUtils.quoteAsJsonString(s) + '"'
	// (Jackson: short escapes for \b\t\n\f\r, \u00XX upper-case for other controls).
	{typ: "text", v: []byte("variable length text 1"), json: `"variable length text 1"`},
	{typ: "varchar", v: []byte("привет"), json: `"привет"`},
	{typ: "text", v: []byte("a\"b\\c\n\t\x01\x1f/\x7f"), json: `"a\"b\\c\n\t\u0001\u001F/` + "\x7f" + `"`, str: "a\"b\\c\n\t\x01\x1f/\x7f"},
	{typ: "ascii", v: []byte("hello"), json: `"hello"`},
	// BytesType.toJSONString: "0x" + hex; getString: hex only.
	{typ: "blob", v: []byte("great"), json: `"0x6772656174"`, str: "6772656174"},
	// BooleanType: 0 is false, anything else true.
	{typ: "boolean", v: []byte{1}, json: `true`},
	{typ: "boolean", v: []byte{0}, json: `false`},
	{typ: "boolean", v: []byte{2}, json: `true`},
	// Int32Type/LongType/ShortType/ByteType/CounterColumnType: Objects.toString(number).
	{typ: "int", v: i32(-2147483648), json: `-2147483648`},
	{typ: "bigint", v: i64(9223372036854775807), json: `9223372036854775807`},
	{typ: "smallint", v: hx("7fff"), json: `32767`},
	{typ: "tinyint", v: hx("80"), json: `-128`},
	{typ: "counter", v: i64(6), json: `6`, str: "0000000000000006"}, // getString: hex
	// IntegerType: BigInteger(byte[]).toString().
	{typ: "varint", v: hx("7b"), json: `123`},
	{typ: "varint", v: hx("ff7f"), json: `-129`},
	{typ: "varint", v: hx("010000000000000000"), json: `18446744073709551616`},
	{typ: "varint", v: hx("ff7fffffffffffffff"), json: `-9223372036854775809`},
	{typ: "varint", v: hx("8000000000000000"), json: `-9223372036854775808`},
	// FloatType/DoubleType.toJSONString: Float/Double.toString, NaN and infinities as null;
	// getString keeps "NaN"/"Infinity".
	{typ: "float", v: f32(7.62), json: `7.62`},
	{typ: "float", v: f32(0.1), json: `0.1`},
	{typ: "float", v: f32(100), json: `100.0`},
	{typ: "float", v: f32(0.001), json: `0.001`},
	{typ: "float", v: f32(1e10), json: `1.0E10`},
	{typ: "float", v: f32(1e-5), json: `1.0E-5`},
	{typ: "float", v: f32(1234567), json: `1234567.0`},
	{typ: "float", v: f32(1e7), json: `1.0E7`},
	{typ: "float", v: f32(math.SmallestNonzeroFloat32), json: `1.4E-45`},
	{typ: "float", v: f32(math.MaxFloat32), json: `3.4028235E38`},
	{typ: "float", v: f32(float32(math.Copysign(0, -1))), json: `-0.0`},
	{typ: "float", v: f32(float32(math.NaN())), json: `null`, str: "NaN"},
	{typ: "float", v: f32(float32(math.Inf(-1))), json: `null`, str: "-Infinity"},
	{typ: "double", v: f64(36.6), json: `36.6`},
	{typ: "double", v: f64(0.55), json: `0.55`},
	{typ: "double", v: f64(123456789), json: `1.23456789E8`},
	{typ: "double", v: f64(math.SmallestNonzeroFloat64), json: `4.9E-324`},
	{typ: "double", v: f64(math.MaxFloat64), json: `1.7976931348623157E308`},
	{typ: "double", v: f64(math.Inf(1)), json: `null`, str: "Infinity"},
	// DecimalType.toJSONString: BigDecimal.toString; getString: toPlainString.
	{typ: "decimal", v: append(i32(2), hx("0221")...), json: `5.45`},
	{typ: "decimal", v: append(i32(-3), hx("01")...), json: `1E+3`, str: "1E+3"},
	{typ: "decimal", v: append(i32(10), hx("7b")...), json: `1.23E-8`, str: "1.23E-8"},
	{typ: "decimal", v: append(i32(8), hx("7b")...), json: `0.00000123`},
	{typ: "decimal", v: append(i32(1), hx("fb")...), json: `-0.5`},
	{typ: "decimal", v: append(i32(2), hx("00")...), json: `0.00`},
	{typ: "decimal", v: append(i32(-2), hx("00")...), json: `0E+2`, str: "0E+2"},
	{typ: "decimal", v: append(i32(-2), hx("0c9f2c9cd04674edea40000000")...), json: `1.000000000000000000000000000000E+32`, str: "1.000000000000000000000000000000E+32"},
	// UUIDType/TimeUUIDType: AbstractType.toJSONString, '"' + UUID.toString() + '"'.
	{typ: "uuid", v: hx("0123456701230123012301234567 89ab"), json: `"01234567-0123-0123-0123-0123456789ab"`},
	{typ: "timeuuid", v: hx("50554d6e29bb11e5b345feff819cdc9f"), json: `"50554d6e-29bb-11e5-b345-feff819cdc9f"`},
	// InetAddressType: '"' + InetAddress.getHostAddress() + '"'.
	{typ: "inet", v: hx("c0a8006e"), json: `"192.168.0.110"`},
	{typ: "inet", v: hx("00000000000000000000000000000001"), json: `"0:0:0:0:0:0:0:1"`},
	{typ: "inet", v: hx("20010db8000000000000ff0000428329"), json: `"2001:db8:0:0:0:ff00:42:8329"`},
	{typ: "inet", v: hx("00000000000000000000ffff0a000001"), json: `"10.0.0.1"`},
	// TimestampSerializer in 5.0.9: DateTimeFormatter "yyyy-MM-dd HH:mm:ss.SSSX" (JSON)
	// and "yyyy-MM-dd'T'HH:mm:ss.SSSX" (getString) in UTC, proleptic Gregorian, year
	// of era, '+' past 9999. Confirmed by SELECT JSON and sstabledump output of real
	// Cassandra 5.0.9 in testdata/cassandra-5.0 (4.0's SimpleDateFormat differed).
	{typ: "timestamp", v: i64(1430472654234), json: `"2015-05-01 09:30:54.234Z"`, str: "2015-05-01T09:30:54.234Z"},
	{typ: "timestamp", v: i64(0), json: `"1970-01-01 00:00:00.000Z"`, str: "1970-01-01T00:00:00.000Z"},
	{typ: "timestamp", v: i64(-1), json: `"1969-12-31 23:59:59.999Z"`, str: "1969-12-31T23:59:59.999Z"},
	{typ: "timestamp", v: i64(-12219292800000), json: `"1582-10-15 00:00:00.000Z"`, str: "1582-10-15T00:00:00.000Z"},
	{typ: "timestamp", v: i64(-12219292800001), json: `"1582-10-14 23:59:59.999Z"`, str: "1582-10-14T23:59:59.999Z"},
	{typ: "timestamp", v: i64(-62135596800000), json: `"0001-01-01 00:00:00.000Z"`, str: "0001-01-01T00:00:00.000Z"},
	{typ: "timestamp", v: i64(-62135596800000 - 86400000), json: `"0001-12-31 00:00:00.000Z"`, str: "0001-12-31T00:00:00.000Z"},
	{typ: "timestamp", v: i64(253402300800000), json: `"+10000-01-01 00:00:00.000Z"`, str: "+10000-01-01T00:00:00.000Z"},
	// SimpleDateType: DateTimeFormatter.ISO_LOCAL_DATE (proleptic, signed years).
	{typ: "date", v: date(17291), json: `"2017-05-05"`},
	{typ: "date", v: date(0), json: `"1970-01-01"`},
	{typ: "date", v: i32(0), json: `"-5877641-06-23"`},
	{typ: "date", v: i32(-1), json: `"+5881580-07-11"`},
	// TimeType: TimeSerializer.toString, "HH:MM:SS.nnnnnnnnn".
	{typ: "time", v: i64(71105090000000), json: `"19:45:05.090000000"`},
	{typ: "time", v: i64(0), json: `"00:00:00.000000000"`},
	{typ: "time", v: i64(nanosPerDay - 1), json: `"23:59:59.999999999"`},
	// DurationType: '"' + cql3.Duration.toString() + '"'.
	{typ: "duration", v: duration(0, 0, 3888020000000), json: `"1h4m48s20ms"`},
	{typ: "duration", v: duration(14, 3, 0), json: `"1y2mo3d"`},
	{typ: "duration", v: duration(-14, 0, -1001000), json: `"-1y2mo1ms1us"`},
	{typ: "duration", v: duration(0, 0, 1), json: `"1ns"`},
	{typ: "duration", v: duration(0, 0, 0), json: `""`},
	{typ: "duration", v: duration(math.MinInt32, 0, 0), json: `"-"`},
	// ListType/SetType.toJSONString: setOrListToJsonString, ", " separators;
	// CollectionType.getString: BytesType hex.
	{typ: "frozen<list<text>>", v: coll([]byte("a"), []byte("b")), json: `["a", "b"]`, str: "00000002000000016100000001" + "62"},
	{typ: "frozen<set<int>>", v: coll(i32(1), i32(2), i32(3)), json: `[1, 2, 3]`, str: "00000003000000040000000100000004000000020000000400000003"},
	{typ: "frozen<list<int>>", v: coll(), json: `[]`, str: "00000000"},
	// MapType.toJSONString: keys that do not render as JSON strings are quoted.
	{typ: "frozen<map<int, text>>", v: mapv(i32(1), []byte("Text 1")), json: `{"1": "Text 1"}`, str: "-"},
	{typ: "frozen<map<text, int>>", v: mapv([]byte("a"), i32(1), []byte("b"), i32(2)), json: `{"a": 1, "b": 2}`, str: "-"},
	{typ: "frozen<map<blob, blob>>", v: mapv([]byte("4"), []byte("2")), json: `{"0x34": "0x32"}`, str: "-"},
	{typ: "frozen<map<frozen<list<int>>, int>>", v: mapv(coll(i32(1), i32(2)), i32(3)), json: `{"[1, 2]": 3}`, str: "-"},
	{typ: "frozen<map<frozen<list<text>>, int>>", v: mapv(coll([]byte("q")), i32(3)), json: `{"[\"q\"]": 3}`, str: "-"},
	{typ: "frozen<map<float, int>>", v: mapv(f32(float32(math.NaN())), i32(3)), json: `{"null": 3}`, str: "-"},
	{typ: "frozen<map<int, frozen<ut>>>", v: mapv(i32(0), tuple(i32(0), i32(0))), json: `{"0": {"a": 0, "b": 0}}`, str: "-"},
	// TupleType.toJSONString: array, null fields; getString: ':' separated, '@' null.
	{typ: "tuple<int, text>", v: tuple(i32(1), []byte("a:b@")), json: `[1, "a:b@"]`, str: `1:a\:b\@`},
	{typ: "tuple<int, text, boolean>", v: tuple(nil, []byte("x"), nil), json: `[null, "x", null]`, str: "@:x:@"},
	{typ: "tuple<int, text>", v: tuple(i32(7)), json: `[7, null]`, str: "7"},
	// UserType.toJSONString: object keyed by field name, non-lower-case names quoted,
	// missing trailing fields null.
	{typ: "frozen<ut>", v: tuple(i32(1), i32(2)), json: `{"a": 1, "b": 2}`, str: "1:2"},
	{typ: "frozen<ut>", v: tuple(i32(1)), json: `{"a": 1, "b": null}`, str: "1"},
	{typ: "frozen<\"Mixed\">", v: tuple(i32(1), []byte("y"), []byte{1}), json: `{"x": 1, "\"Yy\"": "y", "z": true}`, str: "1:y:true"},
	// VectorType.toJSONString: array; getString: hex.
	{typ: "vector<float, 3>", v: append(append(f32(1), f32(2.5)...), f32(-3)...), json: `[1.0, 2.5, -3.0]`, str: "3f80000040200000c0400000"},
	{typ: "vector<text, 2>", v: append(append([]byte{1}, 'a'), append([]byte{2}, "bc"...)...), json: `["a", "bc"]`, str: "01610262" + "63"},
	// Empty values: Selection.rowToJson prints "" for an empty top-level value.
	{typ: "int", v: nil, json: `""`, str: "-"},
	{typ: "blob", v: []byte{}, json: `"0x"`, str: "-"},
}

func TestAppendJSON(t *testing.T) {
	for _, c := range valueCases {
		ty := mustCQL(t, c.typ, testUDTs)
		prefix := []byte("prefix:")
		got, err := ty.AppendJSON(prefix, c.v)
		if err != nil {
			t.Errorf("%s %x: AppendJSON: %v", c.typ, c.v, err)
			continue
		}
		if !strings.HasPrefix(string(got), "prefix:") {
			t.Errorf("%s: AppendJSON dropped the prefix", c.typ)
		}
		if s := string(got[len("prefix:"):]); s != c.json {
			t.Errorf("%s %x: AppendJSON = %s, want %s", c.typ, c.v, s, c.json)
		}
		if !json.Valid(got[len("prefix:"):]) {
			t.Errorf("%s %x: AppendJSON output %s is not valid JSON", c.typ, c.v, got)
		}
		if len(c.v) > 0 {
			if err := ty.Validate(c.v); err != nil {
				t.Errorf("%s %x: Validate: %v", c.typ, c.v, err)
			}
		}
	}
}

func TestAppendString(t *testing.T) {
	for _, c := range valueCases {
		if c.str == "-" {
			continue
		}
		want := c.str
		if want == "" {
			want = strings.TrimSuffix(strings.TrimPrefix(c.json, `"`), `"`)
		}
		ty := mustCQL(t, c.typ, testUDTs)
		got, err := ty.AppendString(nil, c.v)
		if err != nil {
			t.Errorf("%s %x: AppendString: %v", c.typ, c.v, err)
			continue
		}
		if string(got) != want {
			t.Errorf("%s %x: AppendString = %q, want %q", c.typ, c.v, got, want)
		}
	}
}

func TestAppendStringComposite(t *testing.T) {
	// AbstractCompositeType.getString: components joined by ':', ':' escaped.
	ty := mustMarshal(t, "CompositeType(Int32Type,UTF8Type)")
	v := append([]byte{0, 4}, i32(1)...)
	v = append(v, 0, 0, 3, 'x', ':', 'y', 0)
	got, err := ty.AppendString(nil, v)
	if err != nil || string(got) != `1:x\:y` {
		t.Errorf("AppendString = %q, %v; want %q", got, err, `1:x\:y`)
	}
	comps, err := Components(v)
	if err != nil || len(comps) != 2 || string(comps[1]) != "x:y" {
		t.Errorf("Components = %q, %v", comps, err)
	}
	js, err := ty.AppendJSON(nil, v)
	if err != nil || string(js) != `"1:x\\:y"` {
		t.Errorf("AppendJSON = %s, %v", js, err)
	}
	// Escaped in place after what dst already holds: several colons, a trailing '!'.
	v = append([]byte{0, 4}, i32(-2)...)
	v = append(v, 0, 0, 6, ':', 'a', ':', ':', 'b', '!', 0)
	js, err = ty.AppendJSON([]byte("k: "), v)
	if err != nil || string(js) != `k: "-2:\\:a\\:\\:b!!"` {
		t.Errorf("AppendJSON = %s, %v", js, err)
	}
}

func TestAppendJSONCorrupt(t *testing.T) {
	cases := []struct {
		typ string
		v   []byte
	}{
		{"int", hx("000001")},
		{"bigint", hx("01")},
		{"boolean", hx("0101")},
		{"float", hx("01")},
		{"double", hx("0102")},
		{"uuid", hx("0102")},
		{"inet", hx("010203")},
		{"timestamp", hx("01")},
		{"date", hx("01")},
		{"time", hx("01")},
		{"time", i64(-1)},
		{"time", i64(nanosPerDay)},
		{"decimal", hx("00000001")},
		{"duration", hx("00")},
		{"duration", duration(1, -1, 0)},
		{"text", []byte{0xff, 0xfe}},
		{"ascii", []byte("é")},
		{"frozen<list<int>>", hx("000000")},
		{"frozen<list<int>>", hx("ffffffff")},
		{"frozen<list<int>>", hx("00000001 00000004 000000")},
		{"frozen<list<int>>", hx("00000001 00000004 00000001 00")},
		{"frozen<map<int, int>>", hx("00000001 00000004 00000001")},
		{"tuple<int, int>", hx("0000")},
		{"tuple<int, int>", hx("00000009 00")},
		{"tuple<int>", append(tuple(i32(1)), 0)},
		{"vector<int, 2>", i32(1)},
		{"vector<text, 2>", hx("05 61")},
		{"frozen<ut>", tuple(i32(1), hx("01"))},
	}
	for _, c := range cases {
		ty := mustCQL(t, c.typ, testUDTs)
		if _, err := ty.AppendJSON(nil, c.v); !errors.Is(err, wire.ErrCorrupt) {
			t.Errorf("%s %x: AppendJSON error = %v, want ErrCorrupt", c.typ, c.v, err)
		}
		if err := ty.Validate(c.v); !errors.Is(err, wire.ErrCorrupt) {
			t.Errorf("%s %x: Validate error = %v, want ErrCorrupt", c.typ, c.v, err)
		}
	}
}

func TestValidate(t *testing.T) {
	ok := []struct {
		typ string
		v   []byte
	}{
		{"int", nil}, {"uuid", nil}, {"timeuuid", hx("50554d6e29bb11e5b345feff819cdc9f")},
		{"inet", nil}, {"decimal", nil}, {"varint", nil}, {"blob", nil}, {"text", nil},
		{"frozen<set<text>>", coll([]byte("a"))}, {"tuple<int, int>", tuple(i32(1))},
	}
	for _, c := range ok {
		if err := mustCQL(t, c.typ, testUDTs).Validate(c.v); err != nil {
			t.Errorf("%s %x: Validate: %v", c.typ, c.v, err)
		}
	}
	bad := []struct {
		typ string
		v   []byte
	}{
		{"timeuuid", hx("0123456701230123012301234567 89ab")}, // version 0
		{"smallint", nil}, {"tinyint", nil}, {"date", nil}, {"time", nil},
		{"frozen<list<int>>", coll(nil)},
		{"frozen<list<int>>", coll(hx("01"))},
		{"empty", hx("00")},
	}
	for _, c := range bad {
		if err := mustCQL(t, c.typ, testUDTs).Validate(c.v); !errors.Is(err, wire.ErrCorrupt) {
			t.Errorf("%s %x: Validate = %v, want ErrCorrupt", c.typ, c.v, err)
		}
	}
}

func TestAppendMultiCellJSON(t *testing.T) {
	tuuid := func(b byte) []byte { return append(hx("50554d6e29bb11e5b345feff819cdc"), b) }
	cases := []struct {
		typ           string
		paths, values [][]byte
		want          string
	}{
		{"list<text>", [][]byte{tuuid(1), tuuid(2)}, [][]byte{[]byte("x"), []byte("y")}, `["x", "y"]`},
		{"set<int>", [][]byte{i32(1), i32(2)}, [][]byte{{}, {}}, `[1, 2]`},
		{"map<int, text>", [][]byte{i32(1), i32(2)}, [][]byte{[]byte("Text 1"), []byte("Text 2")}, `{"1": "Text 1", "2": "Text 2"}`},
		{"map<text, frozen<list<int>>>", [][]byte{[]byte("k")}, [][]byte{coll(i32(5))}, `{"k": [5]}`},
		{"set<frozen<ut>>", [][]byte{tuple(i32(0), i32(0))}, [][]byte{{}}, `[{"a": 0, "b": 0}]`},
		{"ut", [][]byte{{0, 1}}, [][]byte{i32(9)}, `{"a": null, "b": 9}`},
		{"ut", [][]byte{{0, 0}, {0, 1}}, [][]byte{i32(8), i32(9)}, `{"a": 8, "b": 9}`},
		{"\"Mixed\"", [][]byte{{0, 1}}, [][]byte{[]byte("v")}, `{"x": null, "\"Yy\"": "v", "z": null}`},
		{"list<int>", nil, nil, `null`},
	}
	for _, c := range cases {
		ty := mustCQL(t, c.typ, testUDTs)
		if !ty.IsMultiCell() {
			t.Fatalf("%s: not multi-cell", c.typ)
		}
		got, err := ty.AppendMultiCellJSON(nil, c.paths, c.values)
		if err != nil {
			t.Errorf("%s: %v", c.typ, err)
			continue
		}
		if string(got) != c.want {
			t.Errorf("%s: got %s, want %s", c.typ, got, c.want)
		}
	}
	// Errors: frozen type, count mismatch, UDT paths out of order or range.
	ut := mustCQL(t, "ut", testUDTs)
	for _, bad := range []struct {
		ty            *Type
		paths, values [][]byte
	}{
		{mustCQL(t, "frozen<list<int>>", nil), [][]byte{tuuid(1)}, [][]byte{i32(1)}},
		{mustCQL(t, "list<int>", nil), [][]byte{tuuid(1)}, nil},
		{ut, [][]byte{{0, 1}, {0, 0}}, [][]byte{i32(1), i32(2)}},
		{ut, [][]byte{{0, 2}}, [][]byte{i32(1)}},
		{ut, [][]byte{{0}}, [][]byte{i32(1)}},
	} {
		if _, err := bad.ty.AppendMultiCellJSON(nil, bad.paths, bad.values); !errors.Is(err, wire.ErrCorrupt) {
			t.Errorf("%s %x: error %v, want ErrCorrupt", bad.ty.CQL(), bad.paths, err)
		}
	}
}

func TestAppendColumnNameJSON(t *testing.T) {
	// Selection.rowToJson: names that are not lower case are wrapped in '"'.
	for name, want := range map[string]string{
		"pk":    `"pk"`,
		"MyCol": `"\"MyCol\""`,
		`a"b`:   `"a\"b"`,
	} {
		if got := string(AppendColumnNameJSON(nil, name)); got != want {
			t.Errorf("AppendColumnNameJSON(%q) = %s, want %s", name, got, want)
		}
	}
}
