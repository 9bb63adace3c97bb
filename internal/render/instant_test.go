package render

import (
	"math/rand/v2"
	"testing"
	"time"
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

// TestDumpTimeCache checks the formatted-instant and last-second caches of
// Dump.time against appendTime of a Dump with none, with values that share
// slots (v, v+4), differ by one (a timestamp and its collection deletion),
// fall in the same second or the next ones, are too long for a slot, both
// units, raw and ISO.
func TestDumpTimeCache(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	base := int64(1_764_927_000_000_000)
	var vals []int64
	for range 2000 {
		v := base + r.Int64N(16)
		if r.IntN(4) == 0 {
			v += r.Int64N(3_000_000)
		}
		if r.IntN(50) == 0 {
			v = -r.Int64N(1 << 62) // years before 0: the general formatter
		}
		vals = append(vals, v, v-1, v+4, v)
	}
	for _, raw := range []bool{false, true} {
		for _, unit := range []time.Duration{time.Microsecond, time.Second} {
			d := &Dump{raw: raw}
			d.g.open = []genContext{{}} // inside an array: value() writes separators only
			d.g.pretty = false
			for _, v := range vals {
				d.g.b = d.g.b[:0]
				d.g.open[0].n = 0
				d.time(v, unit)
				want := (&Dump{raw: raw}).appendTime(nil, v, unit)
				if string(d.g.b) != string(want) {
					t.Fatalf("raw %v unit %v value %d: cached %q, want %q", raw, unit, v, d.g.b, want)
				}
			}
		}
	}
}
