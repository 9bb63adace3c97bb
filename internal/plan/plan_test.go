package plan

import "testing"

// TestOverlaps checks Overlaps against membership over a small token universe,
// for every pair of ranges (lo, hi] with nil ends (the ends of the ring).
func TestOverlaps(t *testing.T) {
	bounds := [][]byte{nil}
	for b := byte(1); b <= 6; b++ {
		bounds = append(bounds, []byte{b})
	}
	in := func(tok byte, lo, hi []byte) bool {
		return (lo == nil || lo[0] < tok) && (hi == nil || tok <= hi[0])
	}
	for _, lo1 := range bounds {
		for _, hi1 := range bounds {
			for _, lo2 := range bounds {
				for _, hi2 := range bounds {
					want := false
					for tok := byte(0); tok <= 7; tok++ {
						if in(tok, lo1, hi1) && in(tok, lo2, hi2) {
							want = true
						}
					}
					empty := func(lo, hi []byte) bool { return lo != nil && hi != nil && lo[0] >= hi[0] }
					if empty(lo1, hi1) || empty(lo2, hi2) {
						continue // not a unit's range
					}
					if got := Overlaps(lo1, hi1, lo2, hi2); got != want {
						t.Errorf("Overlaps((%v, %v], (%v, %v]) = %v, want %v", lo1, hi1, lo2, hi2, got, want)
					}
				}
			}
		}
	}
}
