package plan

import (
	"path/filepath"
	"slices"
	"testing"

	"github.com/aegisthus/aegisthus/internal/sstable"
	"github.com/aegisthus/aegisthus/internal/sstable/format"
	"github.com/aegisthus/aegisthus/internal/storage"
	"github.com/aegisthus/aegisthus/internal/token"
)

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

// TestOwnBytesAddUp plans the sample snapshot (three replicas, ten SSTables)
// at split sizes where units overlap a lot: the units' Bytes must add up to
// the SSTables' uncompressed bytes, each counted once, whatever they scan.
func TestOwnBytesAddUp(t *testing.T) {
	ssts, length := openSample(t)
	for _, split := range []int64{16 << 10, 64 << 10, 1 << 30} {
		pl, err := Make(storage.Local{}, ssts, token.Murmur3{}, split)
		if err != nil {
			t.Fatal(err)
		}
		var own, scan int64
		for _, u := range pl.Units {
			own += u.Bytes
			scan += u.Scan
			var rs int64
			for _, r := range u.Ranges {
				if r.Own < 0 || r.Start+r.Own > r.End {
					t.Errorf("split %d unit %d: range %+v owns bytes it does not scan", split, u.ID, r)
				}
				rs += r.Own
			}
			if rs != u.Bytes {
				t.Errorf("split %d unit %d: ranges own %d, unit says %d", split, u.ID, rs, u.Bytes)
			}
		}
		if own != length || scan < own {
			t.Errorf("split %d: units own %d bytes and scan %d, want %d owned", split, own, scan, length)
		}
	}
}

// openSample opens the sample snapshot's SSTables, and returns them with
// their uncompressed Data.db bytes.
func openSample(t *testing.T) ([]*sstable.SSTable, int64) {
	t.Helper()
	paths, _ := filepath.Glob("../../testdata/sample-snapshot/node*/demo/events-*/snapshots/sample/*-Data.db")
	if len(paths) == 0 {
		t.Skip("no sample snapshot")
	}
	var ssts []*sstable.SSTable
	var length int64
	for _, p := range paths {
		d, _, err := format.ParseName(p)
		if err != nil {
			t.Fatal(err)
		}
		sst, err := sstable.Open(storage.Local{}, d, sstable.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { sst.Close() })
		ssts = append(ssts, sst)
		length += sst.Chunks.Length()
	}
	return ssts, length
}

// TestUnitsBalanced plans the sample snapshot at split sizes much smaller
// than the 64 KiB the planner used to sample at least: the units' bytes must
// be near equal (issue 15: at 64 KiB they ranged from 381 bytes to 524 KiB).
func TestUnitsBalanced(t *testing.T) {
	ssts, length := openSample(t)
	for _, split := range []int64{16 << 10, 64 << 10, 256 << 10} {
		pl, err := Make(storage.Local{}, ssts, token.Murmur3{}, split)
		if err != nil {
			t.Fatal(err)
		}
		if want := (length + split - 1) / split; int64(len(pl.Units)) != want {
			t.Errorf("split %d: %d units, want %d", split, len(pl.Units), want)
		}
		b := make([]int64, len(pl.Units))
		for i, u := range pl.Units {
			b[i] = u.Bytes
		}
		slices.Sort(b)
		med := float64(b[len(b)/2])
		if lo, hi := float64(b[0])/med, float64(b[len(b)-1])/med; lo < 0.8 || hi > 1.2 {
			t.Errorf("split %d: unit bytes min/median/max %d/%d/%d: want within 20%% of the median", split, b[0], b[len(b)/2], b[len(b)-1])
		}
	}
}

// TestMaxSamples: however small the split, one SSTable gives at most
// MaxSamples samples, each checked against Data.db.
func TestMaxSamples(t *testing.T) {
	ssts, _ := openSample(t)
	defer func(m int64) { MaxSamples = m }(MaxSamples)
	for _, m := range []int64{1, 4, 1 << 16} {
		MaxSamples = m
		for i, sst := range ssts {
			ss, err := samples(storage.Local{}, sst, i, token.Murmur3{}, granule(1, sst.Chunks.Length()))
			if err != nil {
				t.Fatal(err)
			}
			if int64(len(ss)) > m {
				t.Errorf("MaxSamples %d: %s gives %d samples", m, sst.Path(format.Data), len(ss))
			}
			if m == 1<<16 && len(ss) < 10 {
				t.Errorf("split 1: %s gives %d samples, want one per partition", sst.Path(format.Data), len(ss))
			}
		}
	}
}
