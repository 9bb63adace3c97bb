package partfile

import (
	"bytes"
	"fmt"
	"strings"
	"testing"

	"github.com/aegisthus/aegisthus/internal/merge"
	"github.com/aegisthus/aegisthus/internal/rows"
)

// rt builds a range over one-byte clustering values: "[1,3)" style, ts as given.
func rt(spec string, ts int64) merge.RangeTombstone {
	r := merge.RangeTombstone{StartKind: rows.ExclStartBound, EndKind: rows.ExclEndBound,
		Deletion: rows.DeletionTime{MarkedForDeleteAt: ts, LocalDeletionTime: 100}}
	if spec[0] == '[' {
		r.StartKind = rows.InclStartBound
	}
	if spec[len(spec)-1] == ']' {
		r.EndKind = rows.InclEndBound
	}
	a, b, _ := strings.Cut(spec[1:len(spec)-1], ",")
	if a != "" {
		r.Start = [][]byte{{a[0] - '0'}}
	}
	if b != "" {
		r.End = [][]byte{{b[0] - '0'}}
	}
	return r
}

func show(rs []merge.RangeTombstone) string {
	var s []string
	for _, r := range rs {
		open, close := "(", ")"
		if r.StartKind == rows.InclStartBound {
			open = "["
		}
		if r.EndKind == rows.InclEndBound {
			close = "]"
		}
		v := func(c [][]byte) string {
			if len(c) == 0 {
				return ""
			}
			return fmt.Sprint(c[0][0])
		}
		s = append(s, fmt.Sprintf("%s%s,%s%s@%d", open, v(r.Start), v(r.End), close, r.Deletion.MarkedForDeleteAt))
	}
	return strings.Join(s, " ")
}

func TestCanonical(t *testing.T) {
	c := &merge.Comparator{Types: []func(a, b []byte) int{bytes.Compare}}
	part := rows.Live
	cases := []struct {
		in   []merge.RangeTombstone
		part int64
		want string
	}{
		{[]merge.RangeTombstone{rt("[1,3]", 5)}, 0, "[1,3]@5"},
		{[]merge.RangeTombstone{rt("[1,5]", 5), rt("[3,8]", 5)}, 0, "[1,8]@5"},
		{[]merge.RangeTombstone{rt("[1,5]", 5), rt("[3,8]", 7)}, 0, "[1,3)@5 [3,8]@7"},
		{[]merge.RangeTombstone{rt("[1,8]", 7), rt("[3,4]", 5)}, 0, "[1,8]@7"},
		{[]merge.RangeTombstone{rt("[1,8]", 5), rt("[3,4]", 7)}, 0, "[1,3)@5 [3,4]@7 (4,8]@5"},
		{[]merge.RangeTombstone{rt("[1,3)", 5), rt("[3,4]", 5)}, 0, "[1,4]@5"},
		{[]merge.RangeTombstone{rt("[1,3)", 5), rt("(3,4]", 5)}, 0, "[1,3)@5 (3,4]@5"},
		{[]merge.RangeTombstone{rt("[1,3]", 5), rt("[1,3]", 5)}, 0, "[1,3]@5"},
		{[]merge.RangeTombstone{rt("[1,3]", 5), rt("[2,9]", 9)}, 6, "[2,9]@9"},
		{[]merge.RangeTombstone{rt("[1,3]", 5)}, 5, ""},
		{[]merge.RangeTombstone{rt("[,3]", 5), rt("(2,]", 6)}, 0, "[,2]@5 (2,]@6"},
		{[]merge.RangeTombstone{rt("[3,3)", 5)}, 0, ""},
	}
	for _, k := range cases {
		p := part
		if k.part != 0 {
			p = rows.DeletionTime{MarkedForDeleteAt: k.part, LocalDeletionTime: 100}
		}
		got := Canonical(c, p, k.in)
		if show(got) != k.want {
			t.Errorf("%s under %d: got %q, want %q", show(k.in), k.part, show(got), k.want)
		}
		if again := Canonical(c, p, got); show(again) != show(got) {
			t.Errorf("not idempotent: %q then %q", show(got), show(again))
		}
	}
}
