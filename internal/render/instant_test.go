package render

import (
	"math/rand/v2"
	"testing"
	"time"

	"github.com/aegisthus/aegisthus/internal/rows"
)

// TestDumpTime pins JsonTransformer.dateString as Dump writes it: Instant's
// ISO-8601 of microseconds (floored before the epoch) and of seconds, "no
// deletion time" as Integer.MAX_VALUE seconds, and -t's raw numbers.
func TestDumpTime(t *testing.T) {
	tests := []struct {
		v    int64
		unit time.Duration
		raw  bool
		want string
	}{
		{1_796_462_948_087_600, time.Microsecond, false, `"2026-12-05T09:29:08.087600Z"`},
		{1_796_462_948_087_000, time.Microsecond, false, `"2026-12-05T09:29:08.087Z"`},
		{1_796_462_948_000_000, time.Microsecond, false, `"2026-12-05T09:29:08Z"`},
		{1_796_462_948_000_001, time.Microsecond, false, `"2026-12-05T09:29:08.000001Z"`},
		{-1, time.Microsecond, false, `"1969-12-31T23:59:59.999999Z"`},
		{-1_000_000, time.Microsecond, false, `"1969-12-31T23:59:59Z"`},
		{1_796_462_948, time.Second, false, `"2026-12-05T09:29:08Z"`},
		{rows.NoDeletionTime, time.Second, false, `"2038-01-19T03:14:07Z"`},
		{1_796_462_948_087_600, time.Microsecond, true, `"1796462948087600"`},
		{rows.NoDeletionTime, time.Second, true, `"2147483647"`},
		{-5, time.Second, true, `"-5"`},
	}
	for _, tt := range tests {
		d := &Dump{raw: tt.raw}
		if got := string(d.appendTime([]byte("x"), tt.v, tt.unit)); got != "x"+tt.want {
			t.Errorf("%d %v raw=%v: got %s, want x%s", tt.v, tt.unit, tt.raw, got, tt.want)
		}
	}
}

// TestDumpTimeCache checks the last-instant caches of Dump.time against
// appendTime of a Dump with none, with values that repeat, differ by one (a
// timestamp and its collection deletion), fall in the same second or the
// next ones, are too long for the cache (years before 0), both units, raw and
// ISO, appended to buffers with and without room.
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
			for i, v := range vals {
				d.g.b = d.g.b[:0]
				if i%3 == 0 {
					d.g.b = nil // no room: the cache's stores wait for a grown buffer
				}
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
