package javafmt

import (
	"math/rand/v2"
	"testing"
)

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
