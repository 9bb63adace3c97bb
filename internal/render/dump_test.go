package render

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/aegisthus/aegisthus/internal/cql"
	"github.com/aegisthus/aegisthus/internal/render/cqljson"
)

// TestStringOfPlain compares stringOf's one pass for text, int and bigint
// (plainString) with the general path it skips: the getString form
// (cqljson.AppendString) as a JSON string, and the same error with nothing
// written when there is one.
func TestStringOfPlain(t *testing.T) {
	be32 := func(v int32) []byte { return binary.BigEndian.AppendUint32(nil, uint32(v)) }
	be64 := func(v int64) []byte { return binary.BigEndian.AppendUint64(nil, uint64(v)) }
	type tc struct {
		t *cql.Type
		v []byte
	}
	cases := []tc{
		{cql.TypeText, nil}, {cql.TypeText, []byte("tenant-060")}, {cql.TypeText, []byte("a\"b\\c\n\x01")},
		{cql.TypeText, []byte("héllo wörld, a string longer than thirty-two bytes")}, {cql.TypeText, []byte{0xff, 'a'}},
		{cql.TypeText, []byte("ab\xc3")}, {cql.TypeAscii, []byte("plain")}, {cql.TypeAscii, []byte{0x80}},
		{cql.TypeInt, be32(0)}, {cql.TypeInt, be32(-1)}, {cql.TypeInt, be32(-1 << 31)}, {cql.TypeInt, be32(1<<31 - 1)},
		{cql.TypeInt, nil}, {cql.TypeInt, []byte{1, 2, 3}}, {cql.TypeInt, be64(5)},
		{cql.TypeBigint, be64(0)}, {cql.TypeBigint, be64(275909)}, {cql.TypeBigint, be64(-1 << 63)}, {cql.TypeBigint, be64(1<<63 - 1)},
		{cql.TypeBigint, be64(1 << 32)}, {cql.TypeBigint, nil}, {cql.TypeBigint, be32(7)},
		{cql.TypeUUID, make([]byte, 16)}, {cql.TypeDouble, be64(0x3ff0000000000000)},
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		switch r.IntN(3) {
		case 0:
			b := make([]byte, r.IntN(40))
			for i := range b {
				b[i] = byte(r.IntN(256))
				if r.IntN(4) > 0 {
					b[i] = byte(' ' + r.IntN(95))
				}
			}
			cases = append(cases, tc{cql.TypeText, b})
		case 1:
			cases = append(cases, tc{cql.TypeInt, be32(int32(r.Uint32()) >> r.IntN(32))})
		default:
			cases = append(cases, tc{cql.TypeBigint, be64(int64(r.Uint64()) >> r.IntN(64))})
		}
	}
	for _, c := range cases {
		for _, pretty := range []bool{true, false} {
			var d Dump
			d.g.reset([]byte("x"))
			d.g.pretty, d.g.arrCompact = pretty, true
			d.g.startArray()
			d.g.value() // an entry before: the separator is written too
			d.g.b = append(d.g.b, "0"...)
			start := len(d.g.b)
			err := d.stringOf(c.t, c.v)
			got := string(d.g.b[start:])

			want := ","
			if pretty {
				want = ", "
			}
			s, werr := cqljson.AppendString(nil, c.t, c.v)
			if werr != nil {
				want, werr = "", fmt.Errorf("%s value: %w", c.t.CQL(), werr)
			} else {
				want = string(cqljson.AppendJSONString([]byte(want), s))
			}
			if got != want || fmt.Sprint(err) != fmt.Sprint(werr) {
				t.Errorf("%s %x pretty=%v: got %q, %v; want %q, %v", c.t.CQL(), c.v, pretty, got, err, want, werr)
			}
		}
	}
}
