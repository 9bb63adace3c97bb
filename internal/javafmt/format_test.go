package javafmt

import (
	"math/rand/v2"
	"testing"
)

// TestTimestampFastPath checks the four-digit-year fast path against the general
// formatter at the edges of its range and at random instants.
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
}
