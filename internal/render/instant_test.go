package render

import (
	"math/rand/v2"
	"testing"
)

// TestInstantFastPath checks AppendInstant's 1970-9999 fast path against the
// general formatter (package time) at the edges and at random instants, with
// fractions of 0, 3, 6 and 9 digits.
func TestInstantFastPath(t *testing.T) {
	type in struct{ secs, nanos int64 }
	cases := []in{{0, 0}, {0, 1}, {86399, 999_999_999}, {951782400, 123_000_000}, {253402300799, 123_456_000}}
	r := rand.New(rand.NewPCG(3, 4))
	for range 100000 {
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
		got, want := AppendInstant(nil, c.secs, c.nanos), appendInstantAny(nil, c.secs, c.nanos)
		if string(got) != string(want) {
			t.Fatalf("%d.%09d: fast %q, general %q", c.secs, c.nanos, got, want)
		}
	}
}
