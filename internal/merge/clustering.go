package merge

import (
	"cmp"

	"github.com/aegisthus/aegisthus/internal/rows"
)

// kindOrder is ClusteringPrefix.Kind's comparison order and comparedToClustering:
// bounds that sort before the values they carry, the row itself, bounds after.
func kindOrder(k rows.BoundKind) (order, vsClustering int) {
	switch k {
	case rows.ExclEndBound, rows.InclStartBound, rows.ExclEndInclStartBoundary:
		return 0, -1
	case rows.StaticClustering:
		return -1, -1
	case rows.ClusteringKind:
		return 1, 0
	default: // InclEndExclStartBoundary, InclEndBound, ExclStartBound
		return 2, 1
	}
}

// Comparator orders clustering prefixes (ClusteringComparator.compare). Types[i]
// compares non-null values of clustering column i, honouring DESC order.
type Comparator struct {
	Types []func(a, b []byte) int
}

// Compare orders (values, kind) pairs the way Cassandra orders rows and bounds.
func (c *Comparator) Compare(a [][]byte, ka rows.BoundKind, b [][]byte, kb rows.BoundKind) int {
	if ka == rows.StaticClustering || kb == rows.StaticClustering {
		switch {
		case ka == kb:
			return 0
		case ka == rows.StaticClustering:
			return -1
		}
		return 1
	}
	n := min(len(a), len(b))
	for i := range n {
		if r := c.compareComponent(i, a[i], b[i]); r != 0 {
			return r
		}
	}
	oa, ca := kindOrder(ka)
	ob, cb := kindOrder(kb)
	switch {
	case len(a) == len(b):
		return cmp.Compare(oa, ob)
	case len(a) < len(b):
		return ca
	}
	return -cb
}

func (c *Comparator) compareComponent(i int, a, b []byte) int {
	switch {
	case a == nil && b == nil:
		return 0
	case a == nil:
		return -1
	case b == nil:
		return 1
	}
	return c.Types[i](a, b)
}
