package legacy

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/aegisthus/aegisthus/internal/rows"
)

func dt(ts int64) rows.DeletionTime {
	return rows.DeletionTime{MarkedForDeleteAt: ts, LocalDeletionTime: 100}
}

func pos(side int8, vals ...string) position {
	p := position{side: side}
	for _, v := range vals {
		p.vals = append(p.vals, []byte(v))
	}
	return p
}

var kindNames = map[rows.BoundKind]string{
	rows.InclStartBound: "[", rows.ExclStartBound: "(", rows.InclEndBound: "]", rows.ExclEndBound: ")",
	rows.ExclEndInclStartBoundary: ")[", rows.InclEndExclStartBoundary: "](",
}

// run feeds tombstones to a tracker, with rows at the given clusterings in between
// (a row at "" ends the input), and prints the markers.
func run(rts []rangeTombstone, clusterings ...string) string {
	t := tracker{types: []func(a, b []byte) int{bytes.Compare, bytes.Compare}}
	t.reset()
	var sb strings.Builder
	emit := func(at position, from, to rows.DeletionTime) {
		k := markerKind(at.side, from, to)
		fmt.Fprintf(&sb, "%s%s", kindNames[k], bytes.Join(at.vals, []byte(":")))
		if k.IsEnd() {
			fmt.Fprintf(&sb, "-%d", from.MarkedForDeleteAt)
		}
		if k.IsStart() {
			fmt.Fprintf(&sb, "+%d", to.MarkedForDeleteAt)
		}
		sb.WriteByte(' ')
	}
	for _, rt := range rts {
		t.add(rt)
	}
	for _, r := range clusterings {
		p := pos(atRow, r, "x")
		t.flush(&p, emit)
		t.passed(p)
		fmt.Fprintf(&sb, "row%s ", r)
	}
	t.flush(nil, emit)
	return strings.TrimSpace(sb.String())
}

func TestTracker(t *testing.T) {
	for _, c := range []struct {
		name string
		rts  []rangeTombstone
		rows []string
		want string
	}{
		{"single", []rangeTombstone{{pos(before, "a"), pos(after, "a"), dt(5)}}, nil, "[a+5 ]a-5"},
		{"overlap newer later",
			[]rangeTombstone{{pos(before, "a"), pos(after, "c"), dt(10)}, {pos(before, "b"), pos(after, "d"), dt(20)}},
			nil, "[a+10 )[b-10+20 ]d-20"},
		{"nested older", []rangeTombstone{{pos(before, "a"), pos(after, "d"), dt(20)}, {pos(before, "b"), pos(after, "c"), dt(10)}},
			nil, "[a+20 ]d-20"},
		{"nested newer", []rangeTombstone{{pos(before, "a"), pos(after, "d"), dt(10)}, {pos(before, "b"), pos(after, "c"), dt(20)}},
			nil, "[a+10 )[b-10+20 ](c-20+10 ]d-10"},
		{"repeated", []rangeTombstone{{pos(before, "a"), pos(after, "c"), dt(10)}, {pos(before, "a"), pos(after, "c"), dt(10)}},
			nil, "[a+10 ]c-10"},
		{"adjacent exclusive", []rangeTombstone{{pos(after, "a"), pos(before, "b"), dt(10)}, {pos(before, "b"), pos(before, "c"), dt(10)}},
			nil, "(a+10 )c-10"},
		{"rows inside", []rangeTombstone{{pos(before, "a"), pos(after, "c"), dt(10)}}, []string{"b", "d"},
			"[a+10 rowb ]c-10 rowd"},
		{"empty dropped", []rangeTombstone{{pos(after, "b"), pos(before, "b"), dt(10)}}, nil, ""},
	} {
		if got := run(c.rts, c.rows...); got != c.want {
			t.Errorf("%s: got %q, want %q", c.name, got, c.want)
		}
	}
}

// TestTrackerLateStart checks that a tombstone read after output has passed its
// start (a copy repeated at an index block) is clipped, not emitted out of order.
func TestTrackerLateStart(t *testing.T) {
	tr := tracker{types: []func(a, b []byte) int{bytes.Compare}}
	tr.reset()
	var got []string
	emit := func(at position, from, to rows.DeletionTime) {
		got = append(got, fmt.Sprintf("%s%s", kindNames[markerKind(at.side, from, to)], at.vals[0]))
	}
	tr.add(rangeTombstone{pos(before, "a"), pos(after, "e"), dt(10)})
	p := pos(atRow, "c")
	tr.flush(&p, emit)
	tr.passed(p)
	tr.add(rangeTombstone{pos(before, "a"), pos(after, "e"), dt(10)})
	tr.add(rangeTombstone{pos(before, "b"), pos(after, "d"), dt(20)})
	tr.flush(nil, emit)
	if want := "[a ](c ](d ]e"; strings.Join(got, " ") != want {
		t.Errorf("got %q, want %q", strings.Join(got, " "), want)
	}
}
