package javafmt

import (
	"math/rand/v2"
	"testing"
)

// TestInstantFastPath checks AppendInstant's 1970-9999 fast path against the
// general formatter (package time) at the edges and at random instants, with
// fractions of 0, 3, 6 and 9 digits, appended after a prefix into buffers with
// and without room.
func TestInstantFastPath(t *testing.T) {
	type in struct{ secs, nanos int64 }
	cases := []in{{0, 0}, {0, 1}, {86399, 999_999_999}, {951782400, 123_000_000}, {253402300799, 123_456_000},
		{253402300799, 999_999_999}, {1796462948, 87_600_000}, {1796462948, 87_601_000}, {1796462948, 87_601_002}}
	r := rand.New(rand.NewPCG(3, 4))
	for range 200000 {
		ns := r.Int64N(1e9)
		switch r.IntN(4) {
		case 0:
			ns = 0
		case 1:
			ns -= ns % 1e6
		case 2:
			ns -= ns % 1e3
		}
		cases = append(cases, in{r.Int64N(253402300800), ns})
	}
	for _, c := range cases {
		want := appendInstantAny([]byte("x"), c.secs, c.nanos)
		for _, room := range []int{0, 1, 8, 64} {
			dst := append(make([]byte, 0, 1+room), 'x')
			if got := AppendInstant(dst, c.secs, c.nanos); string(got) != string(want) {
				t.Fatalf("%d.%09d, room %d: fast %q, general %q", c.secs, c.nanos, room, got, want)
			}
		}
	}
}

// TestTimestampFastPath checks the four-digit-year fast path against the general
// formatter at the edges of its range, at random instants, and on every day of
// the range (its first and last millisecond and a random one), appended after
// a prefix into buffers with and without room.
func TestTimestampFastPath(t *testing.T) {
	ms := []int64{0, 1, 999, 1000, 86399999, 86400000, 951782400000, 253402300799999}
	r := rand.New(rand.NewPCG(1, 2))
	for range 100000 {
		ms = append(ms, r.Int64N(253402300800000))
	}
	for _, v := range ms {
		for _, iso := range []bool{false, true} {
			got, want := appendTimestampFast(nil, v, iso), appendTimestampAny(nil, v, iso)
			if string(got) != string(want) {
				t.Fatalf("%d iso=%v: fast %q, general %q", v, iso, got, want)
			}
		}
	}
	const dayMs = 86400000
	roomy := make([]byte, 0, 64)
	for day := int64(0); day < 253402300800000/dayMs; day++ {
		for _, v := range []int64{day * dayMs, day*dayMs + dayMs - 1, day*dayMs + r.Int64N(dayMs)} {
			iso := v&1 != 0
			want := appendTimestampAny([]byte("x"), v, iso)
			if got := appendTimestampFast(append(roomy[:0], 'x'), v, iso); string(got) != string(want) {
				t.Fatalf("%d iso=%v: fast %q, general %q", v, iso, got, want)
			}
			if got := appendTimestampFast([]byte("x"), v, iso); string(got) != string(want) {
				t.Fatalf("%d iso=%v, no room: fast %q, general %q", v, iso, got, want)
			}
		}
	}
}
