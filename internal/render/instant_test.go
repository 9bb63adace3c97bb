package render

import (
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
