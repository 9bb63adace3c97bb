package plan

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/aegisthus/aegisthus/internal/corpustest"
	"github.com/aegisthus/aegisthus/internal/sstable"
	"github.com/aegisthus/aegisthus/internal/sstable/format"
	"github.com/aegisthus/aegisthus/internal/sstable/index"
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
	ssts := openSSTables(t, storage.Local{}, paths)
	var length int64
	for _, sst := range ssts {
		length += sst.Chunks.Length()
	}
	return ssts, length
}

// openSSTables opens the SSTables of the Data.db paths from store.
func openSSTables(t *testing.T, store storage.Store, paths []string) []*sstable.SSTable {
	t.Helper()
	var ssts []*sstable.SSTable
	for _, p := range paths {
		d, _, err := format.ParseName(p)
		if err != nil {
			t.Fatal(err)
		}
		sst, err := sstable.Open(store, d, sstable.Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { sst.Close() })
		ssts = append(ssts, sst)
	}
	return ssts
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
// MaxSamples samples.
func TestMaxSamples(t *testing.T) {
	ssts, _ := openSample(t)
	defer func(m int64) { MaxSamples = m }(MaxSamples)
	for _, m := range []int64{1, 4, 1 << 16} {
		MaxSamples = m
		for i, sst := range ssts {
			ss, _, err := samples(storage.Local{}, sst, i, token.Murmur3{}, granule(1, sst.Chunks.Length()))
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

// TestIndexKeysRelied: a plan places cuts at sampled tokens, which a BIG
// Index.db gives without reading Data.db, and checks only the entries its
// ranges rely on. Each entry of node1's SSTables in turn gets the key of the
// entry before it (a token too low, still in order: the case where an
// unchecked sample would make a unit skip its partition), then the key of the
// entry after it (too high: a range would end before it). Planned at a split
// size of many samples per unit, each mutant either fails naming Index.db or
// gives ranges in which every partition of a unit's token range lies.
func TestIndexKeysRelied(t *testing.T) {
	src, _ := filepath.Glob("../../testdata/sample-snapshot/node1/demo/events-*/snapshots/sample")
	if len(src) != 1 {
		t.Skip("no sample snapshot")
	}
	dir := t.TempDir()
	corpustest.CopyFiles(t, src[0], dir)
	paths, _ := filepath.Glob(filepath.Join(dir, "*-Data.db"))
	ssts := openSSTables(t, storage.Local{}, paths)
	type part struct {
		pos int64
		tok []byte
	}
	var truth [][]part // per SSTable, from the intact Index.db
	for _, sst := range ssts {
		d := sst.Desc
		idx, err := os.ReadFile(d.Path(format.Index))
		if err != nil {
			t.Fatal(err)
		}
		var ps []part
		r := index.NewIndexReader(d.Path(format.Index), idx, d.Version, index.Options{SkipBlocks: true})
		for r.Next() {
			e := r.Entry()
			ps = append(ps, part{e.Position, token.Murmur3{}.AppendToken(nil, e.Key)})
		}
		if r.Err() != nil {
			t.Fatal(r.Err())
		}
		truth = append(truth, ps)
	}
	const split = 16 << 10
	covered := func(pl *Plan) error {
		for _, u := range pl.Units {
			for i, ps := range truth {
				var rg *Range
				for k := range u.Ranges {
					if u.Ranges[k].SSTable == i {
						rg = &u.Ranges[k]
					}
				}
				for _, p := range ps {
					in := (u.Lo == nil || bytes.Compare(p.tok, u.Lo) > 0) && (u.Hi == nil || bytes.Compare(p.tok, u.Hi) <= 0)
					if in && (rg == nil || p.pos < rg.Start || p.pos >= rg.End) {
						return fmt.Errorf("unit %d (%x, %x]: partition at %d of %s (token %x) is outside its range %+v", u.ID, u.Lo, u.Hi, p.pos, paths[i], p.tok, rg)
					}
				}
			}
		}
		return nil
	}
	pl, err := Make(storage.Local{}, ssts, token.Murmur3{}, split)
	if err != nil {
		t.Fatal(err)
	}
	if err := covered(pl); err != nil {
		t.Fatalf("intact: %v", err)
	}
	if len(pl.Units) < 3 {
		t.Fatalf("%d units, want several", len(pl.Units))
	}
	mutants, failed := 0, 0
	for i, sst := range ssts {
		path := sst.Path(format.Index)
		orig, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		var offs []int64
		var keys [][]byte
		r := index.NewIndexReader(path, orig, sst.Desc.Version, index.Options{SkipBlocks: true})
		for r.Next() {
			offs = append(offs, r.Entry().IndexedOffset)
			keys = append(keys, bytes.Clone(r.Entry().Key))
		}
		for m := 0; m < 2*len(keys); m++ {
			k, from := m/2, m/2-1+2*(m%2) // the entry before it, then the one after
			if from < 0 || from >= len(keys) || len(keys[k]) != len(keys[from]) {
				continue
			}
			mut := bytes.Clone(orig)
			copy(mut[offs[k]+2:], keys[from])
			if err := os.WriteFile(path, mut, 0o644); err != nil {
				t.Fatal(err)
			}
			mutants++
			pl, err := Make(storage.Local{}, ssts, token.Murmur3{}, split)
			switch {
			case err != nil && !strings.Contains(err.Error(), path):
				t.Errorf("%s entry %d: error names no Index.db: %v", paths[i], k, err)
			case err != nil:
				failed++
			default:
				if err := covered(pl); err != nil {
					t.Errorf("%s entry %d given entry %d's key: %v", paths[i], k, from, err)
				}
			}
		}
		if err := os.WriteFile(path, orig, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	t.Logf("%d mutants, %d refused", mutants, failed)
	if mutants < 20 || failed == 0 || failed == mutants {
		t.Fatalf("%d mutants, %d refused: want many, some refused and some not", mutants, failed)
	}
}

// TestDataReads: a BIG SSTable's plan reads Data.db only where its ranges
// start and end, not at every sample (64 per unit): on S3 each read is a
// ranged GET. Counted on the sample snapshot at split sizes of one to
// several units. (Its SSTables have a few chunks each, which checking every
// sample read once too: the one-unit plan is where the two differ, 0 reads
// against 10.)
func TestDataReads(t *testing.T) {
	paths, _ := filepath.Glob("../../testdata/sample-snapshot/node*/demo/events-*/snapshots/sample/*-Data.db")
	if len(paths) == 0 {
		t.Skip("no sample snapshot")
	}
	var reads atomic.Int64
	ssts := openSSTables(t, countReads{&reads}, paths)
	for _, split := range []int64{1 << 30, 256 << 10, 64 << 10} {
		reads.Store(0)
		pl, err := Make(storage.Local{}, ssts, token.Murmur3{}, split)
		if err != nil {
			t.Fatal(err)
		}
		ranges := 0
		for _, u := range pl.Units {
			ranges += len(u.Ranges)
		}
		// One unit relies on no entry (it scans every SSTable whole); more
		// read at most once per range end and twice per start (the sample
		// and the entry after it may sit in different chunks).
		if n := reads.Load(); len(pl.Units) == 1 && n != 0 || n > 3*int64(ranges) {
			t.Errorf("split %d: %d Data.db reads for %d units (%d ranges)", split, n, len(pl.Units), ranges)
		} else {
			t.Logf("split %d: %d Data.db reads for %d units (%d ranges)", split, n, len(pl.Units), ranges)
		}
	}
}

// countReads is the local file system, counting the reads of Data.db files.
type countReads struct{ n *atomic.Int64 }

func (c countReads) Open(path string) (storage.File, error) {
	f, err := storage.Local{}.Open(path)
	if err != nil || !strings.HasSuffix(path, "-"+format.Data) {
		return f, err
	}
	return countedFile{f, c.n}, nil
}

func (c countReads) ReadFile(path string, limit int64) ([]byte, error) {
	return storage.Local{}.ReadFile(path, limit)
}

func (c countReads) Walk(root string, fn func(string, int64) error) error {
	return storage.Local{}.Walk(root, fn)
}

func (c countReads) Exists(path string) bool { return storage.Local{}.Exists(path) }

type countedFile struct {
	storage.File
	n *atomic.Int64
}

func (f countedFile) ReadAt(p []byte, off int64) (int, error) {
	f.n.Add(1)
	return f.File.ReadAt(p, off)
}
