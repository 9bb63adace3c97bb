package merge

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"fmt"
	"testing"

	"github.com/aegisthus/aegisthus/internal/rows"
)

// javaKind is ClusteringPrefix.Kind's (comparison, comparedToClustering) table,
// transcribed from the 5.0.9 enum. The 5.0 in-memory SSTABLE_LOWER/UPPER_BOUND kinds
// never reach Data.db and are left out.
var javaKind = map[rows.BoundKind]struct{ comparison, toClustering int }{
	rows.ExclEndBound:             {0, -1},
	rows.InclStartBound:           {0, -1},
	rows.ExclEndInclStartBoundary: {0, -1},
	rows.StaticClustering:         {1, -1},
	rows.ClusteringKind:           {2, 0},
	rows.InclEndExclStartBoundary: {3, 1},
	rows.InclEndBound:             {3, 1},
	rows.ExclStartBound:           {3, 1},
}

var nonStaticKinds = []rows.BoundKind{
	rows.ExclEndBound, rows.InclStartBound, rows.ExclEndInclStartBoundary, rows.ClusteringKind,
	rows.InclEndExclStartBoundary, rows.InclEndBound, rows.ExclStartBound,
}

// javaCompare is ClusteringComparator.compare(ClusteringPrefix, ClusteringPrefix)
// with compareComponent's null handling.
func javaCompare(types []func(a, b []byte) int, a [][]byte, ka rows.BoundKind, b [][]byte, kb rows.BoundKind) int {
	s1, s2 := len(a), len(b)
	for i := range min(s1, s2) {
		var c int
		switch {
		case a[i] == nil && b[i] == nil:
		case a[i] == nil:
			c = -1
		case b[i] == nil:
			c = 1
		default:
			c = types[i](a[i], b[i])
		}
		if c != 0 {
			return c
		}
	}
	if s1 == s2 {
		return cmp.Compare(javaKind[ka].comparison, javaKind[kb].comparison)
	}
	if s1 < s2 {
		return javaKind[ka].toClustering
	}
	return -javaKind[kb].toClustering
}

func i32(v int32) []byte { return binary.BigEndian.AppendUint32(nil, uint32(v)) }

func sign(x int) int { return cmp.Compare(x, 0) }

// prefixes returns clustering prefixes of 0..2 values drawn from vals (nil is a
// null value).
func prefixes(vals [][]byte) [][][]byte {
	out := [][][]byte{{}}
	for _, a := range vals {
		out = append(out, [][]byte{a})
		for _, b := range vals {
			out = append(out, [][]byte{a, b})
		}
	}
	return out
}

// TestCompareEveryKindPair checks Comparator.Compare against the transcription of
// ClusteringComparator.compare for every pair of kinds, every pair of prefixes of
// length 0..2 (rows are always full length), ASC and DESC columns, nulls included.
func TestCompareEveryKindPair(t *testing.T) {
	asc := func(a, b []byte) int { return intCompare(a, b) }
	desc := func(a, b []byte) int { return intCompare(b, a) } // ReversedType.compare
	for _, types := range [][]func(a, b []byte) int{{asc, asc}, {desc, asc}, {asc, desc}} {
		c := &Comparator{Types: types}
		ps := prefixes([][]byte{nil, i32(-1), i32(0), i32(7)})
		n := 0
		for _, ka := range nonStaticKinds {
			for _, kb := range nonStaticKinds {
				for _, a := range ps {
					if ka == rows.ClusteringKind && len(a) != 2 {
						continue
					}
					for _, b := range ps {
						if kb == rows.ClusteringKind && len(b) != 2 {
							continue
						}
						n++
						got := sign(c.Compare(a, ka, b, kb))
						if want := sign(javaCompare(types, a, ka, b, kb)); got != want {
							t.Fatalf("Compare(%v %d, %v %d) = %d, want %d", a, ka, b, kb, got, want)
						}
						if rev := sign(c.Compare(b, kb, a, ka)); rev != -got {
							t.Fatalf("Compare not antisymmetric on (%v %d, %v %d): %d and %d", a, ka, b, kb, got, rev)
						}
					}
				}
			}
		}
		if n < 1000 {
			t.Fatalf("only %d pairs compared", n)
		}
	}
}

// TestCompareExamples spells out the orders the merge depends on.
func TestCompareExamples(t *testing.T) {
	c := &Comparator{Types: []func(a, b []byte) int{intCompare, intCompare}}
	ck := func(v ...int32) [][]byte {
		out := [][]byte{}
		for _, x := range v {
			out = append(out, i32(x))
		}
		return out
	}
	type p struct {
		v [][]byte
		k rows.BoundKind
	}
	// Strictly increasing.
	order := []p{
		{ck(), rows.InclStartBound}, // bottom
		{ck(1), rows.InclStartBound},
		{ck(1), rows.ExclEndBound},
		{ck(1, 1), rows.ExclEndInclStartBoundary},
		{ck(1, 1), rows.ClusteringKind},
		{ck(1, 1), rows.InclEndBound},
		{ck(1, 2), rows.ClusteringKind},
		{ck(1), rows.InclEndBound},
		{ck(2, -5), rows.ClusteringKind},
		{ck(), rows.InclEndBound}, // top
	}
	for i := range order {
		for j := range order {
			got := sign(c.Compare(order[i].v, order[i].k, order[j].v, order[j].k))
			want := cmp.Compare(i, j)
			// Same position, different kinds of the same comparison class are equal.
			if i != j && len(order[i].v) == len(order[j].v) && bytes.Equal(fmt.Append(nil, order[i].v), fmt.Append(nil, order[j].v)) &&
				javaKind[order[i].k].comparison == javaKind[order[j].k].comparison {
				want = 0
			}
			if got != want {
				t.Errorf("Compare(%v, %v) = %d, want %d", order[i], order[j], got, want)
			}
		}
	}
	// Kinds of one comparison class at the same position compare equal (they are
	// merged together by MergeIterator in Java).
	if c.Compare(ck(1), rows.ExclEndBound, ck(1), rows.InclStartBound) != 0 {
		t.Error("EXCL_END(1) and INCL_START(1) differ")
	}
	if c.Compare(ck(1), rows.InclEndBound, ck(1), rows.ExclStartBound) != 0 {
		t.Error("INCL_END(1) and EXCL_START(1) differ")
	}
}

// TestCompareStatic: the static row sorts before every row and bound. In Java the
// static row never meets the comparator (UnfilteredRowMergeIterator merges it apart,
// mergeStaticRows), and Kind.STATIC_CLUSTERING's comparison 1 would even sort it
// after a size-0 start bound; the merge keeps it first, where Java emits it.
func TestCompareStatic(t *testing.T) {
	c := &Comparator{Types: []func(a, b []byte) int{intCompare}}
	st := [][]byte{}
	if c.Compare(st, rows.StaticClustering, st, rows.StaticClustering) != 0 {
		t.Error("static vs static")
	}
	for _, k := range nonStaticKinds {
		for _, v := range [][][]byte{{}, {i32(1)}, {nil}} {
			if k == rows.ClusteringKind && len(v) != 1 {
				continue
			}
			if c.Compare(st, rows.StaticClustering, v, k) >= 0 || c.Compare(v, k, st, rows.StaticClustering) <= 0 {
				t.Errorf("static does not sort before %v kind %d", v, k)
			}
		}
	}
	// A table without clustering columns: the static row before the only row.
	c0 := &Comparator{}
	if c0.Compare(st, rows.StaticClustering, st, rows.ClusteringKind) >= 0 {
		t.Error("static vs the clustering of a table without clustering columns")
	}
	if c0.Compare(st, rows.ClusteringKind, st, rows.ClusteringKind) != 0 {
		t.Error("rows of a table without clustering columns differ")
	}
}
