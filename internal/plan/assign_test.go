package plan

import (
	"math/rand/v2"
	"slices"
	"testing"
)

func TestAssignBalancedAndDeterministic(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	sizes := make([]int64, 5000)
	var total int64
	for i := range sizes {
		sizes[i] = 200<<20 + r.Int64N(100<<20)
		total += sizes[i]
	}
	for _, n := range []int{1, 2, 7, 100, 1000} {
		a := Assign(sizes, n)
		if b := Assign(slices.Clone(sizes), n); !slices.Equal(a, b) {
			t.Fatalf("n=%d: two assignments of the same sizes differ", n)
		}
		per := make([]int64, n)
		for u, s := range a {
			if s < 0 || s >= n {
				t.Fatalf("n=%d: unit %d on shard %d", n, u, s)
			}
			per[s] += sizes[u]
		}
		mean := float64(total) / float64(n)
		if r := float64(slices.Max(per)) / mean; r > 1.1 {
			t.Errorf("n=%d: max/mean bytes per shard %.3f, want <= 1.1", n, r)
		}
	}
}

func TestAssignMoreShardsThanUnits(t *testing.T) {
	a := Assign([]int64{5, 0, 9}, 8)
	if !slices.Equal(a, []int{1, 2, 0}) {
		t.Fatalf("got %v", a)
	}
}
