// Package plan cuts a table's token ring into units of balanced bytes. Every
// SSTable, of every replica, is sorted by token, so one token range is one
// contiguous run of each SSTable's Data.db: a unit is a token range plus, per
// SSTable, the byte range to scan. Units are independent: each merges all the
// versions of its partitions as a stream, with nothing shuffled between units.
//
// Byte ranges come from samples of the partition index (Index.db, or the BTI
// Partitions.db trie): a unit's scan of an SSTable starts at the last sampled
// partition at or before the range and ends at the first sample after it, and the
// merge drops the partitions outside the range. So the output does not depend on
// the samples, only the work does.
package plan

import (
	"bytes"
	"cmp"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"slices"

	"github.com/aegisthus/aegisthus/internal/sstable"
	"github.com/aegisthus/aegisthus/internal/sstable/format"
	"github.com/aegisthus/aegisthus/internal/sstable/index"
	"github.com/aegisthus/aegisthus/internal/sstable/wire"
	"github.com/aegisthus/aegisthus/internal/storage"
	"github.com/aegisthus/aegisthus/internal/token"
)

// DefaultSplitSize is the target uncompressed bytes per unit: a table is cut
// into the fewest units of equal bytes that are at most this size.
const DefaultSplitSize = 256 << 20

// SamplesPerUnit is how many index samples of each SSTable a unit of the split
// size spans: the planner samples every split/SamplesPerUnit bytes of Data.db
// (every partition, when they are larger), whatever the split size. A cut can
// only fall at a sample, and replicas' samples share tokens, so the bytes leap
// by a granule per replica from one sample to the next: 64 keeps units within
// a few percent of equal on the sample snapshot's three replicas (16 left
// them 30% apart).
const SamplesPerUnit = 64

// MaxSamples bounds the samples of one SSTable: each is kept in memory, and a
// BTI one is read from Data.db (KeyReader.Check reads its partition header,
// decompressing its chunk), so a huge SSTable cut into small units is sampled
// every length/MaxSamples bytes
// rather than every split/SamplesPerUnit. At the default split size it takes a
// 256 GiB Data.db to reach it.
var MaxSamples int64 = 1 << 16

// granule is the Data.db distance between two samples of an SSTable of length
// bytes: split/SamplesPerUnit, but at least length/MaxSamples and 1.
func granule(splitSize, length int64) int64 {
	return max(splitSize/SamplesPerUnit, (length+MaxSamples-1)/MaxSamples, 1)
}

// Range is the part of one SSTable's uncompressed Data.db a unit scans:
// partitions whose header starts in [Start, End).
//
// Consecutive units' ranges of one SSTable overlap: a unit scans up to the
// first sample past its last token, the next starts just after the last
// sample before its first token, and the merge drops what is not in its token
// range. Own is the part of the range, [Start, Start+Own), that the unit
// accounts for: the next unit's range of the SSTable starts at Start+Own, so
// over all units the Own of an SSTable add up to its length, each byte
// counted once (what progress and bytes_in count).
type Range struct {
	SSTable int   `json:"sstable"` // index into the SSTables the plan was made from
	Start   int64 `json:"start"`
	End     int64 `json:"end"`
	Own     int64 `json:"own"`
}

// Unit is one token range (Lo, Hi] and the byte ranges holding it. A nil Lo is the
// start of the ring, a nil Hi its end. Tokens are byte-comparable
// (token.Partitioner.AppendToken).
type Unit struct {
	ID     int     `json:"id"`
	Lo     []byte  `json:"lo,omitempty"`
	Hi     []byte  `json:"hi,omitempty"`
	Ranges []Range `json:"ranges"`
	// Bytes is the uncompressed bytes the unit accounts for (its ranges' Own,
	// plus its share of the spans): the units' Bytes add up to the inputs'.
	Bytes int64 `json:"bytes"`
	// Scan is the uncompressed bytes the unit reads: its ranges' lengths,
	// overlaps with the neighbouring units included.
	Scan int64 `json:"scan"`
	// Partitions estimates the partitions in the unit's Own bytes: the index
	// entries there, as counted from the samples (a partition held by several
	// SSTables counts once in each).
	Partitions int64 `json:"partitions"`
}

// Plan is the deterministic cut of a table: the same SSTables and split size give
// the same plan.
type Plan struct {
	SplitSize int64  `json:"split_size"`
	Units     []Unit `json:"units"`
}

// sample is one sampled partition of one SSTable.
type sample struct {
	tok   []byte
	sst   int
	pos   int64
	after int64 // where the partition after the sampled one starts
	bytes int64 // uncompressed bytes from pos to the next sample (or the end)
	parts int64 // partitions from this sample to the next
	// ent and next number the checker's entries of the sampled partition
	// and of the one at after, while unchecked (BIG, see samples); 0 for
	// none.
	ent, next int32
}

// Span is data other than the SSTables that the plan must balance: a part file of
// a previous export (incremental runs), holding Bytes of work in the token range
// (Lo, Hi]. A span is only known as a whole: cuts may fall at its Hi.
type Span struct {
	Lo, Hi []byte
	Bytes  int64
}

// Make plans the SSTables. Each SSTable's partition index is read once.
func Make(store storage.Store, ssts []*sstable.SSTable, p token.Partitioner, splitSize int64) (*Plan, error) {
	return MakeWith(store, ssts, p, splitSize, nil)
}

// MakeWith plans the SSTables and spans together: units balance the bytes of
// both, and a span's Hi is a cut like an SSTable sample's token. A span's bytes
// count in every unit its range overlaps, split evenly.
func MakeWith(store storage.Store, ssts []*sstable.SSTable, p token.Partitioner, splitSize int64, spans []Span) (*Plan, error) {
	if splitSize <= 0 {
		splitSize = DefaultSplitSize
	}
	var all []sample
	checkers := make([]*checker, len(ssts))
	for i, sst := range ssts {
		ss, c, err := samples(store, sst, i, p, granule(splitSize, sst.Chunks.Length()))
		if err != nil {
			return nil, err
		}
		all = append(all, ss...)
		checkers[i] = c
	}
	for _, sp := range spans {
		if sp.Hi != nil { // the last span ends the ring: no cut after it
			all = append(all, sample{tok: sp.Hi, sst: -1, bytes: sp.Bytes})
		}
	}
	slices.SortStableFunc(all, func(a, b sample) int {
		if c := bytes.Compare(a.tok, b.tok); c != 0 {
			return c
		}
		return cmp.Compare(a.sst, b.sst)
	})
	// n units of equal bytes, the fewest whose size is at most the split size:
	// the k-th cut goes after the sample at which the bytes so far come
	// nearest k/n of the total (so a unit's overshoot is not carried into the
	// next, and the last unit is not a remainder); never between two samples
	// with the same token.
	//
	// The bytes so far are what the units before a cut own (Range.Own): of
	// each SSTable, up to where a unit starting after the cut would start its
	// scan, just after the SSTable's last sample at or before the cut's token.
	// Counting each sample's bytes up to the next sample at its own token
	// instead put up to a granule per SSTable on the wrong side of every cut.
	var total int64
	for _, s := range all {
		total += s.bytes
	}
	n := max(1, (total+splitSize-1)/splitSize)
	step := float64(total) / float64(n)
	var cuts [][]byte
	var acc int64
	owned := make([]int64, len(ssts))          // per SSTable: bytes before the cut so far
	k := 1.0                                   // the next cut aims at k/n of the bytes
	prevTok, prevAcc := []byte(nil), int64(-1) // where a cut could have gone since the last
	for i, s := range all {
		if s.sst >= 0 && s.tok != nil {
			acc += s.after - owned[s.sst]
			owned[s.sst] = s.after
		} else {
			acc += s.bytes // a span, or an SSTable that cannot be split
		}
		// A nil token (an SSTable that cannot be split) is the start of the
		// ring, not a cut: a unit (nil, nil] would be the whole ring again.
		if s.tok == nil || i+1 == len(all) || bytes.Equal(all[i+1].tok, s.tok) {
			continue
		}
		if float64(acc) < k*step {
			prevTok, prevAcc = s.tok, acc
			continue
		}
		// Cut here or at the previous place, whichever is nearer the aim:
		// replicas' samples share tokens, so the bytes may leap past it.
		if prevAcc >= 0 && k*step-float64(prevAcc) < float64(acc)-k*step {
			cuts = append(cuts, prevTok)
			k++
			if float64(acc) < k*step {
				prevTok, prevAcc = s.tok, acc
				continue
			}
		}
		cuts = append(cuts, s.tok)
		for float64(acc) >= k*step {
			k++
		}
		prevAcc = -1
	}
	pl := &Plan{SplitSize: splitSize}
	bySST := make([][]sample, len(ssts))
	for _, s := range all {
		if s.sst >= 0 {
			bySST[s.sst] = append(bySST[s.sst], s)
		}
	}
	for u := 0; u <= len(cuts); u++ {
		unit := Unit{ID: u}
		if u > 0 {
			unit.Lo = cuts[u-1]
		}
		if u < len(cuts) {
			unit.Hi = cuts[u]
		}
		pl.Units = append(pl.Units, unit)
	}
	for i, sst := range ssts {
		relied := addRanges(pl.Units, i, bySST[i], sst.Chunks.Length())
		if err := checkers[i].check(relied); err != nil {
			return nil, err
		}
		checkers[i] = nil // its reader's chunk buffers: one SSTable's at a time
	}
	for _, sp := range spans {
		var over []int
		for i := range pl.Units {
			if Overlaps(pl.Units[i].Lo, pl.Units[i].Hi, sp.Lo, sp.Hi) {
				over = append(over, i)
			}
		}
		for _, i := range over {
			pl.Units[i].Bytes += sp.Bytes / int64(len(over))
		}
	}
	return pl, nil
}

// addRanges adds SSTable i's range to every unit that scans it, with the
// bytes and partitions each unit accounts for: from its range's start to the
// next unit's (see Range.Own). It returns the unchecked index entries the
// ranges rely on (see byteRange).
func addRanges(units []Unit, i int, ss []sample, length int64) (relied []int32) {
	rs := make([]Range, len(units))
	for u := range units {
		var first, last int
		rs[u], first, last = byteRange(ss, length, units[u].Lo, units[u].Hi)
		if rs[u].End <= rs[u].Start {
			continue
		}
		if first >= 0 {
			relied = append(relied, ss[first].ent, ss[first].next)
		}
		if last < len(ss) {
			relied = append(relied, ss[last].ent)
		}
	}
	for u, r := range rs {
		ownEnd := length
		if u+1 < len(rs) {
			ownEnd = max(r.Start, rs[u+1].Start)
		}
		units[u].Partitions += partsIn(ss, length, r.Start, ownEnd)
		units[u].Bytes += ownEnd - r.Start
		if r.End > r.Start {
			r.SSTable, r.Own = i, min(ownEnd, r.End)-r.Start
			units[u].Ranges = append(units[u].Ranges, r)
			units[u].Scan += r.End - r.Start
		}
	}
	return relied
}

// partsIn estimates the partitions starting in [a, b): each sample's
// partitions spread evenly over the bytes up to the next sample.
func partsIn(ss []sample, length, a, b int64) int64 {
	var n float64
	// From the last sample at or before a (samples are in Data.db order):
	// a scan of every sample per unit was quadratic in the table's size.
	k, _ := slices.BinarySearchFunc(ss, a, func(s sample, a int64) int { return cmp.Compare(s.pos, a+1) })
	for k = max(k-1, 0); k < len(ss) && ss[k].pos < b; k++ {
		s := ss[k]
		end := length
		if k+1 < len(ss) {
			end = ss[k+1].pos
		}
		lo, hi := max(a, s.pos), min(b, end)
		if hi > lo && end > s.pos {
			n += float64(s.parts) * float64(hi-lo) / float64(end-s.pos)
		}
	}
	return int64(math.Round(n))
}

// Overlaps reports whether the token ranges (lo1, hi1] and (lo2, hi2] share a
// token; nil bounds are the ends of the ring.
func Overlaps(lo1, hi1, lo2, hi2 []byte) bool {
	return (hi2 == nil || lo1 == nil || bytes.Compare(lo1, hi2) < 0) &&
		(hi1 == nil || lo2 == nil || bytes.Compare(lo2, hi1) < 0)
}

// byteRange finds the scan range of one SSTable for (lo, hi]: from just after the
// last sampled partition with token <= lo (or 0) to the first sample with token >
// hi (or the end). Partitions after a sample have tokens at least its token, so
// everything skipped at the start has a token <= lo. It returns the indices of
// those two samples, -1 and len(ss) for none: the range is right only if their
// tokens are, and the entry after the first is a partition's start.
func byteRange(ss []sample, length int64, lo, hi []byte) (r Range, first, last int) {
	r = Range{Start: 0, End: length}
	first, last = -1, len(ss)
	after := func(s sample, t []byte) int {
		if bytes.Compare(s.tok, t) <= 0 {
			return -1
		}
		return 1
	}
	if lo != nil {
		// ss[:i] have token <= lo.
		if i, _ := slices.BinarySearchFunc(ss, lo, after); i > 0 {
			first = i - 1
			r.Start = ss[first].after
		}
	}
	if hi != nil {
		if j, _ := slices.BinarySearchFunc(ss, hi, after); j < len(ss) {
			last = j
			r.End = ss[j].pos
		}
	}
	if r.End < r.Start {
		r.End = r.Start
	}
	return r, first, last
}

// samples reads an SSTable's partition index and keeps about one partition per
// granule of Data.db bytes (every partition when they are larger), with its
// token.
//
// The partition index has no checksum, so nothing it says positions a read
// unchecked: at every Data.db position a unit's scan starts or ends at, the
// partition found must be the one the index names (sstable.KeyReader.Check). A
// BIG Index.db entry holds the whole key, which must equal the key in Data.db:
// its token needs no Data.db read, so the entries a scan may start or end at
// are kept (unchecked) and checked once the cuts are known, two per unit
// rather than two per sample (on S3, a ranged GET each). A BTI Partitions.db
// entry holds only a prefix of the key's byte-comparable form, so every sample
// is read from Data.db for its token: its key must start with that prefix, and
// equal Rows.db's where Rows.db has one. Sampled tokens must not decrease.
// A BTI unit starts at the sample itself, not at the entry after it, whose key
// may be known nowhere but in Data.db: the merge drops the sampled partition,
// at the cost of decoding it twice.
func samples(store storage.Store, sst *sstable.SSTable, i int, p token.Partitioner, granule int64) ([]sample, *checker, error) {
	length := sst.Chunks.Length()
	src := sstable.IndexSource(sst.Desc)
	var err error
	switch {
	case sst.Has(format.Index):
		src.Index, err = sstable.ReadComponent(store, sst.Desc, format.Index)
	case sst.Has(format.Partitions):
		if src.Partitions, err = sstable.ReadComponent(store, sst.Desc, format.Partitions); err == nil && sst.Has(format.Rows) {
			src.Rows, err = sstable.ReadComponent(store, sst.Desc, format.Rows)
		}
	default:
		// No index: the whole SSTable is one sample, scanned by every unit that
		// overlaps it. Correct, but it cannot be split.
		return []sample{{tok: nil, sst: i, pos: 0, after: 0, bytes: length, parts: 1}}, nil, nil
	}
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil, fmt.Errorf("%s: %w", sst.Path(format.Data), err)
		}
		return nil, nil, err
	}
	it, err := index.Open(src, index.Options{SkipBlocks: true})
	if err != nil {
		return nil, nil, err
	}
	bti := src.Index == nil
	var out []sample
	next := int64(0)
	var n int64
	var key []byte
	// The checker's errors name the index files; their bytes are not kept.
	c := &checker{sst: sst, src: src}
	c.src.Index, c.src.Partitions, c.src.Rows = nil, nil, nil
	var kr *sstable.KeyReader
	if bti {
		kr = sst.KeyReader()
	}
	for it.Next() {
		e := it.Entry()
		n++
		// The entry after a sample starts the next unit's scan: it is
		// checked like a sample (once, when it is one too).
		afterSample := len(out) > 0 && out[len(out)-1].after < 0
		if e.Position < next && !afterSample {
			continue
		}
		var ent int32
		if bti {
			if key, err = kr.Check(src, e, key[:0]); err != nil {
				return nil, nil, err
			}
		} else {
			ent, key = c.keep(e), e.Key
		}
		if afterSample {
			out[len(out)-1].after = e.Position
			out[len(out)-1].next = ent
		}
		if e.Position < next {
			continue
		}
		tok := p.AppendToken(nil, key)
		if k := len(out); k > 0 {
			if bytes.Compare(tok, out[k-1].tok) < 0 {
				idxPath, idxComp, off := src.Locate(e)
				return nil, nil, wire.Errorf(idxPath, idxComp, off, wire.ErrCorrupt,
					"partition at Data.db position %d: token %x below the token %x of the partition at %d: the index is out of order",
					e.Position, tok, out[k-1].tok, out[k-1].pos)
			}
			out[k-1].parts = n - 1
			n = 1
		}
		after := int64(-1)
		if bti {
			after = e.Position
		}
		out = append(out, sample{tok: tok, sst: i, pos: e.Position, after: after, ent: ent})
		next = e.Position + granule
	}
	if err := it.Err(); err != nil {
		return nil, nil, err
	}
	if k := len(out); k > 0 {
		out[k-1].parts = n
	}
	for k := range out {
		if out[k].after < 0 {
			// The last entry: whether its partition is Data.db's last only
			// Data.db knows (an index cut short still walks cleanly), so the
			// unit after it scans from it.
			out[k].after = out[k].pos
		}
		end := length
		if k+1 < len(out) {
			end = out[k+1].pos
		}
		out[k].bytes = end - out[k].pos
	}
	if len(out) == 0 {
		if length > 0 {
			idxPath, idxComp, _ := src.Locate(&index.Entry{})
			return nil, nil, wire.Errorf(idxPath, idxComp, -1, wire.ErrCorrupt, "no partition, but %s holds %d bytes", sst.Path(format.Data), length)
		}
		return []sample{{tok: nil, sst: i, pos: 0, after: 0, bytes: length}}, nil, nil
	}
	// The first partition starts the file: scanning from 0 is always safe.
	out[0].pos = 0
	return out, c, nil
}

// checker checks the index entries a plan relies on against one SSTable's
// Data.db (sstable.KeyReader.Check), each once, in Data.db order. It keeps
// what Check reads of the BIG entries sampled (position, Index.db offset and
// key), with no pointer for the collector to scan: entry number k (from 1) is
// kept[k-1], its key keys[kept[k-2].end:kept[k-1].end].
type checker struct {
	sst  *sstable.SSTable
	src  index.Source
	kept []struct{ pos, off, end int64 }
	keys []byte
}

// keep keeps e (whose key the index reader reuses) and returns its number.
func (c *checker) keep(e *index.Entry) int32 {
	c.keys = append(c.keys, e.Key...)
	c.kept = append(c.kept, struct{ pos, off, end int64 }{e.Position, e.IndexedOffset, int64(len(c.keys))})
	return int32(len(c.kept))
}

func (c *checker) check(relied []int32) error {
	relied = slices.DeleteFunc(relied, func(k int32) bool { return k == 0 })
	if len(relied) == 0 {
		return nil
	}
	slices.Sort(relied)
	kr := c.sst.KeyReader()
	var key []byte
	for _, k := range slices.Compact(relied) {
		start := int64(0)
		if k > 1 {
			start = c.kept[k-2].end
		}
		kept := c.kept[k-1]
		e := index.Entry{Key: c.keys[start:kept.end], Position: kept.pos, IndexedOffset: kept.off, HashByte: -1}
		var err error
		if key, err = kr.Check(c.src, &e, key[:0]); err != nil {
			return err
		}
	}
	return nil
}
