package cqljson

import (
	"testing"

	"github.com/aegisthus/aegisthus/internal/cql/cqltest"
)

var benchValues = []struct {
	name, typ string
	v         []byte
}{
	{"int", "int", cqltest.I32(-2147483648)},
	{"bigint", "bigint", cqltest.I64(9223372036854775807)},
	{"boolean", "boolean", []byte{1}},
	{"float", "float", cqltest.F32(7.62)},
	{"double", "double", cqltest.F64(36.6)},
	{"uuid", "uuid", cqltest.Hex("0123456701230123012301234567 89ab")},
	{"timeuuid", "timeuuid", cqltest.Hex("50554d6e29bb11e5b345feff819cdc9f")},
	{"timestamp", "timestamp", cqltest.I64(1430472654234)},
	{"text", "text", []byte("variable length text with \"quotes\" and привет")},
	{"ascii", "ascii", []byte("hello world")},
	{"blob", "blob", []byte("great bytes here")},
	{"date", "date", cqltest.Date(17291)},
	{"time", "time", cqltest.I64(71105090000000)},
	{"inet", "inet", cqltest.Hex("c0a8006e")},
	{"varint", "varint", cqltest.Hex("7b")},
	{"decimal", "decimal", append(cqltest.I32(2), cqltest.Hex("0221")...)},
	{"duration", "duration", cqltest.Duration(0, 0, 3888020000000)},
	{"list", "frozen<list<int>>", cqltest.Coll(cqltest.I32(1), cqltest.I32(2), cqltest.I32(3))},
	{"map", "frozen<map<int, text>>", cqltest.Map(cqltest.I32(1), []byte("a"), cqltest.I32(2), []byte("b"))},
}

// zeroAlloc lists the kinds whose AppendJSON must not allocate.
var zeroAlloc = map[string]bool{
	"int": true, "bigint": true, "boolean": true, "float": true, "double": true, "uuid": true,
	"timeuuid": true, "timestamp": true, "text": true, "ascii": true, "blob": true,
}

// go test -run='^$' -bench=AppendJSON -count=10 ./internal/cql > new.txt && benchstat old.txt new.txt
func BenchmarkAppendJSON(b *testing.B) {
	for _, c := range benchValues {
		ty := mustCQL(b, c.typ, nil)
		b.Run("type="+c.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(c.v)))
			dst := make([]byte, 0, 256)
			var err error
			for b.Loop() {
				dst, err = Append(dst[:0], ty, c.v)
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func TestAppendJSONNoAlloc(t *testing.T) {
	for _, c := range benchValues {
		if !zeroAlloc[c.name] {
			continue
		}
		ty := mustCQL(t, c.typ, nil)
		dst := make([]byte, 0, 256)
		allocs := testing.AllocsPerRun(100, func() {
			dst, _ = Append(dst[:0], ty, c.v)
		})
		if allocs != 0 {
			t.Errorf("%s: AppendJSON allocates %.1f times per call", c.name, allocs)
		}
	}
}

// BenchmarkAppendMultiCell renders the benchmark table's non-frozen columns:
// attrs map<text, text> of two entries and tags set<text> of two.
//
//	go test -run='^$' -bench=AppendMultiCell -count=8 ./internal/render/cqljson > new.txt && benchstat old.txt new.txt
func BenchmarkAppendMultiCell(b *testing.B) {
	for _, c := range []struct {
		name, typ     string
		paths, values [][]byte
	}{
		{"map", "map<text, text>", [][]byte{[]byte("ip"), []byte("ua")}, [][]byte{[]byte("10.116.193.111"), []byte("Mozilla/5.0")}},
		{"set", "set<text>", [][]byte{[]byte("pi"), []byte("session")}, [][]byte{{}, {}}},
	} {
		ty := mustCQL(b, c.typ, nil)
		cells := cellsOf(c.paths, c.values)
		b.Run("type="+c.name, func(b *testing.B) {
			b.ReportAllocs()
			dst := make([]byte, 0, 256)
			var err error
			for b.Loop() {
				if dst, err = appendMultiCell(dst[:0], ty, cells); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
