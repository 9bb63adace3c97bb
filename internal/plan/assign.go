package plan

import (
	"cmp"
	"container/heap"
	"slices"
)

// Assign spreads units of the given byte sizes over n shards, balanced by
// bytes: largest unit first, each onto the shard with the fewest bytes so far
// (the lower shard on a tie), which keeps the largest shard within one unit of
// the mean. It is deterministic: the same sizes and n give the same shards, on
// every machine, so every process of a scaled-out run computes its own share.
// It returns each unit's shard, in [0, n).
func Assign(bytes []int64, n int) []int {
	shard := make([]int, len(bytes))
	if n <= 1 {
		return shard
	}
	order := make([]int, len(bytes))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int { return cmp.Compare(bytes[b], bytes[a]) })
	h := make(loads, n)
	for i := range h {
		h[i] = load{shard: i}
	}
	for _, u := range order {
		shard[u] = h[0].shard
		h[0].bytes += max(bytes[u], 1) // an empty unit still costs a process some work
		heap.Fix(&h, 0)
	}
	return shard
}

type load struct {
	bytes int64
	shard int
}

// loads is a min-heap of shards by bytes, then shard number.
type loads []load

func (h loads) Len() int { return len(h) }
func (h loads) Less(i, j int) bool {
	if h[i].bytes != h[j].bytes {
		return h[i].bytes < h[j].bytes
	}
	return h[i].shard < h[j].shard
}
func (h loads) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *loads) Push(x any)   { *h = append(*h, x.(load)) }
func (h *loads) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}
