package index

// There are no BTI (da) SSTables in the corpus yet. These tests build Partitions.db
// and Rows.db files by hand, following the Cassandra serializers exactly:
// io/tries/TrieNode.java (every node type's serialize method), PartitionIndex's
// PartitionIndexSerializer (hash byte + SizedInts payload, the 24-byte footer),
// RowIndexReader.getSerializer (offset + open-marker payload) and
// TrieIndexEntry.serialize (the Rows.db partition header). The writer below is not
// page-aware (IncrementalTrieWriterSimple); the reader does not depend on pages.
// TestHarnessFixtures covers real Cassandra 5.0 files once the harness writes them.

import (
	"bytes"
	"encoding/binary"
	"errors"
	"math/rand"
	"sort"
	"testing"

	"github.com/aegisthus/aegisthus/internal/rows"
	"github.com/aegisthus/aegisthus/internal/sstable/format"
	"github.com/aegisthus/aegisthus/internal/sstable/wire"
)

type tnode struct {
	children []tchild
	payload  []byte // serialized payload, written right after the node
	pb       uint8  // payload flags (low nibble of the first byte)
}

type tchild struct {
	b byte
	n *tnode
}

func (n *tnode) insert(key []byte, payload []byte, pb uint8) {
	for _, b := range key {
		i := sort.Search(len(n.children), func(i int) bool { return n.children[i].b >= b })
		if i == len(n.children) || n.children[i].b != b {
			n.children = append(n.children, tchild{})
			copy(n.children[i+1:], n.children[i:])
			n.children[i] = tchild{b: b, n: &tnode{}}
		}
		n = n.children[i].n
	}
	n.payload, n.pb = payload, pb
}

// trieWriter serializes nodes bottom-up. pick chooses a node type among those that
// can represent the node (round robin, to exercise every type); pad inserts filler
// bytes before some nodes to create long child distances.
type trieWriter struct {
	buf  []byte
	turn int
	pad  func(turn int) int
	auto bool // choose types like TrieNode.typeFor instead of round robin
}

func fitsBytes(delta int64, n int) bool { return delta < int64(1)<<(8*n) }

func (w *trieWriter) write(n *tnode) int64 {
	pos := make([]int64, len(n.children))
	for i, c := range n.children {
		pos[i] = w.write(c.n)
	}
	if w.pad != nil {
		w.buf = append(w.buf, make([]byte, w.pad(w.turn))...)
	}
	me := int64(len(w.buf))
	var maxDelta int64
	for _, p := range pos {
		maxDelta = max(maxDelta, me-p)
	}
	typ := w.pick(n, maxDelta)
	w.turn++
	w.buf = encodeNode(w.buf, typ, n, pos, me)
	w.buf = append(w.buf, n.payload...)
	return me
}

func (w *trieWriter) pick(n *tnode, maxDelta int64) uint8 {
	c := len(n.children)
	if c == 0 {
		return payloadOnly
	}
	var cands []uint8
	add := func(t uint8, ok bool) {
		if ok {
			cands = append(cands, t)
		}
	}
	span := 0
	if c > 0 {
		span = int(n.children[c-1].b) - int(n.children[0].b) + 1
	}
	_ = span
	if c == 1 {
		add(singleNoPayload4, n.pb == 0 && maxDelta <= 0xF)
		add(single8, fitsBytes(maxDelta, 1))
		add(singleNoPayload12, n.pb == 0 && maxDelta <= 0xFFF)
		add(single16, fitsBytes(maxDelta, 2))
	}
	add(sparse8, fitsBytes(maxDelta, 1))
	add(sparse12, maxDelta <= 0xFFF)
	add(sparse16, fitsBytes(maxDelta, 2))
	add(sparse24, fitsBytes(maxDelta, 3))
	add(sparse40, fitsBytes(maxDelta, 5))
	add(dense12, maxDelta <= 0xFFF)
	add(dense16, fitsBytes(maxDelta, 2))
	add(dense24, fitsBytes(maxDelta, 3))
	add(dense32, fitsBytes(maxDelta, 4))
	add(dense40, fitsBytes(maxDelta, 5))
	add(longDense, true)
	if w.auto {
		return cands[0]
	}
	return cands[(w.turn+w.turn/6+w.turn/37)%len(cands)]
}

// encodeNode follows the serialize methods of TrieNode's node classes.
func encodeNode(dst []byte, typ uint8, n *tnode, pos []int64, me int64) []byte {
	first := typ<<4 | n.pb&0x0F
	put := func(v int64, k int) {
		for i := k - 1; i >= 0; i-- {
			dst = append(dst, byte(v>>(8*i)))
		}
	}
	c := len(n.children)
	switch typ {
	case payloadOnly:
		dst = append(dst, first)
	case singleNoPayload4:
		dst = append(dst, typ<<4|byte(me-pos[0]), n.children[0].b)
	case singleNoPayload12:
		d := me - pos[0]
		dst = append(dst, typ<<4|byte(d>>8), byte(d), n.children[0].b)
	case single8, single16:
		dst = append(dst, first, n.children[0].b)
		put(me-pos[0], bytesPerPointer[typ])
	case sparse8, sparse16, sparse24, sparse40, sparse12:
		dst = append(dst, first, byte(c))
		for _, ch := range n.children {
			dst = append(dst, ch.b)
		}
		if typ != sparse12 {
			for _, p := range pos {
				put(me-p, bytesPerPointer[typ])
			}
			break
		}
		i := 0
		for ; i+2 <= c; i += 2 {
			p0, p1 := me-pos[i], me-pos[i+1]
			dst = append(dst, byte(p0>>4), byte(p0<<4)|byte(p1>>8), byte(p1))
		}
		if i < c {
			put((me-pos[i])<<4, 2)
		}
	default: // dense
		l, r := int(n.children[0].b), int(n.children[c-1].b)
		dst = append(dst, first, byte(l), byte(r-l))
		deltas := make([]int64, r-l+1)
		for i, ch := range n.children {
			deltas[int(ch.b)-l] = me - pos[i]
		}
		if typ != dense12 {
			for _, d := range deltas {
				put(d, bytesPerPointer[typ])
			}
			break
		}
		carry := byte(0)
		for i, d := range deltas { // write12Bits
			if i&1 == 0 {
				dst = append(dst, byte(d>>4))
				carry = byte(d << 4)
			} else {
				dst = append(dst, carry|byte(d>>8), byte(d))
				carry = 0
			}
		}
		if len(deltas)&1 == 1 {
			dst = append(dst, carry)
		}
	}
	return dst
}

// sizedInt writes v in SizedInts.nonZeroSize(v) bytes, big-endian two's complement.
func sizedInt(v int64) []byte {
	n := 1
	for n < 8 && (v < -(int64(1)<<(8*n-1)) || v >= int64(1)<<(8*n-1)) {
		n++
	}
	out := make([]byte, n)
	for i := n - 1; i >= 0; i-- {
		out[i] = byte(v)
		v >>= 8
	}
	return out
}

type btiPartition struct {
	key    []byte
	data   int64
	blocks []RowBlock // nil: no row index
	del    rows.DeletionTime
}

// buildBTI writes Rows.db and Partitions.db for parts (sorted by key, distinct).
func buildBTI(t testing.TB, parts []btiPartition, auto bool, pad func(int) int) (partitions, rows []byte) {
	t.Helper()
	var rw trieWriter
	rw.auto, rw.pad = auto, pad
	root := &tnode{}
	for _, p := range parts {
		var payload []byte
		var val int64
		if p.blocks == nil {
			val = ^p.data
		} else {
			// Row trie: separator keys are any increasing byte strings.
			rt := &tnode{}
			for i, blk := range p.blocks {
				pl := sizedInt(blk.Offset)
				pb := uint8(len(pl))
				if blk.HasOpen {
					pb |= 8
					pl = appendDeletion(pl, blk.OpenDeletion)
				}
				rt.insert([]byte{byte(i * 3), byte(i)}, pl, pb)
			}
			rootPos := rw.write(rt)
			val = int64(len(rw.buf))
			rw.buf = binary.BigEndian.AppendUint16(rw.buf, uint16(len(p.key)))
			rw.buf = append(rw.buf, p.key...)
			base := int64(len(rw.buf))
			rw.buf = wire.AppendUVint(rw.buf, uint64(p.data))
			rw.buf = wire.AppendVint(rw.buf, rootPos-base)
			rw.buf = wire.AppendUVint(rw.buf, uint64(len(p.blocks)))
			rw.buf = appendDeletion(rw.buf, p.del)
		}
		pl := sizedInt(val)
		payload = append([]byte{byte(len(p.key))}, pl...) // hash byte, then P
		root.insert(p.key, payload, uint8(8+len(pl)-1))
	}
	pw := trieWriter{auto: auto, pad: pad}
	rootPos := pw.write(root)
	first := int64(len(pw.buf))
	for _, k := range [][]byte{parts[0].key, parts[len(parts)-1].key} {
		pw.buf = binary.BigEndian.AppendUint16(pw.buf, uint16(len(k)))
		pw.buf = append(pw.buf, k...)
	}
	pw.buf = binary.BigEndian.AppendUint64(pw.buf, uint64(first))
	pw.buf = binary.BigEndian.AppendUint64(pw.buf, uint64(len(parts)))
	pw.buf = binary.BigEndian.AppendUint64(pw.buf, uint64(rootPos))
	return pw.buf, rw.buf
}

// appendDeletion writes the oa/da DeletionTime form.
func appendDeletion(dst []byte, d rows.DeletionTime) []byte {
	if d.IsLive() {
		return append(dst, 0x80)
	}
	dst = binary.BigEndian.AppendUint64(dst, uint64(d.MarkedForDeleteAt))
	return binary.BigEndian.AppendUint32(dst, uint32(d.LocalDeletionTime))
}

func randomPartitions(rng *rand.Rand, n int) []btiPartition {
	seen := map[string]bool{}
	var parts []btiPartition
	for len(parts) < n {
		k := make([]byte, 1+rng.Intn(6))
		for i := range k {
			k[i] = byte(rng.Intn(6) * 50) // few distinct bytes: shared prefixes, wide spans
		}
		k = append(k, 0x38) // terminator keeps keys prefix-free, like byte-comparable keys
		if seen[string(k)] {
			continue
		}
		seen[string(k)] = true
		parts = append(parts, btiPartition{key: k, del: rows.Live})
	}
	sort.Slice(parts, func(i, j int) bool { return bytes.Compare(parts[i].key, parts[j].key) < 0 })
	var data int64
	for i := range parts {
		data += 1 + int64(rng.Intn(100000))
		parts[i].data = data
		if rng.Intn(3) == 0 {
			nb := 2 + rng.Intn(5)
			var off int64
			for j := 0; j < nb; j++ {
				blk := RowBlock{Offset: off}
				if rng.Intn(2) == 0 {
					blk.HasOpen = true
					blk.OpenDeletion = rows.DeletionTime{MarkedForDeleteAt: int64(rng.Intn(1 << 40)), LocalDeletionTime: int64(rng.Uint32() >> 1)}
				}
				parts[i].blocks = append(parts[i].blocks, blk)
				off += 1 + int64(rng.Intn(200000))
			}
			if rng.Intn(2) == 0 {
				parts[i].del = rows.DeletionTime{MarkedForDeleteAt: 1700000000000000, LocalDeletionTime: 0xFFFFFFF0}
			}
		}
	}
	return parts
}

func TestBTIHandBuilt(t *testing.T) {
	da, _ := format.ParseVersion("da", format.BTI)
	pads := map[string]func(int) int{
		"tight": nil,
		"pad":   func(turn int) int { return []int{0, 300, 0, 5000, 70000, 0}[turn%6] },
	}
	for _, auto := range []bool{true, false} {
		for name, pad := range pads {
			for seed := int64(1); seed <= 6; seed++ {
				rng := rand.New(rand.NewSource(seed))
				parts := randomPartitions(rng, 1+rng.Intn(300))
				partitions, rows := buildBTI(t, parts, auto, pad)
				r, err := NewBTIReader("Partitions.db", partitions, "Rows.db", rows, da, Options{})
				if err != nil {
					t.Fatal(err)
				}
				i := 0
				for r.Next() {
					e := r.Entry()
					want := parts[i]
					if e.Position != want.data || e.HasRowIndex != (want.blocks != nil) {
						t.Fatalf("auto=%v %s seed %d partition %d: got pos %d indexed %v, want %d %v", auto, name, seed, i, e.Position, e.HasRowIndex, want.data, want.blocks != nil)
					}
					if want.blocks != nil {
						if !bytes.Equal(e.Key, want.key) || e.Deletion != want.del || len(e.RowBlocks) != len(want.blocks) {
							t.Fatalf("partition %d: key %q del %+v blocks %d", i, e.Key, e.Deletion, len(e.RowBlocks))
						}
						for j, b := range e.RowBlocks {
							if b != want.blocks[j] {
								t.Fatalf("partition %d block %d: %+v, want %+v", i, j, b, want.blocks[j])
							}
						}
					}
					i++
				}
				if r.Err() != nil || i != len(parts) {
					t.Fatalf("auto=%v %s seed %d: %d of %d partitions, %v", auto, name, seed, i, len(parts), r.Err())
				}
				pos, err := Positions(Source{Version: da, Partitions: partitions, Rows: rows})
				if err != nil || len(pos) != len(parts) {
					t.Fatalf("Positions: %d, %v", len(pos), err)
				}
				p, _ := OpenPartitionIndex("p", partitions)
				if p.KeyCount != int64(len(parts)) || !bytes.Equal(p.FirstKey, parts[0].key) {
					t.Fatalf("footer: %d keys, first %q", p.KeyCount, p.FirstKey)
				}
			}
		}
	}
}

// TestTrieNodeTypesCovered makes sure the round-robin writer used every node type.
func TestTrieNodeTypesCovered(t *testing.T) {
	seen := map[uint8]bool{}
	for seed := int64(1); seed <= 6; seed++ {
		rng := rand.New(rand.NewSource(seed))
		parts := randomPartitions(rng, 300)
		partitions, _ := buildBTI(t, parts, false, func(turn int) int { return []int{0, 300, 0, 5000, 70000, 0}[turn%6] })
		p, err := OpenPartitionIndex("p", partitions)
		if err != nil {
			t.Fatal(err)
		}
		// Walk every node reachable from the root.
		stack := []int64{p.Root}
		for len(stack) > 0 {
			pos := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			nd, err := readTrieNode(p.b, pos)
			if err != nil {
				t.Fatal(err)
			}
			seen[nd.typ] = true
			for i := 0; i < nd.n; i++ {
				if _, c, ok, err := nd.child(p.b, i); err != nil {
					t.Fatal(err)
				} else if ok {
					stack = append(stack, c)
				}
			}
		}
	}
	for typ := uint8(0); typ < 16; typ++ {
		if !seen[typ] {
			t.Errorf("node type %d never written", typ)
		}
	}
}

func TestBTICorruptNoPanic(t *testing.T) {
	da, _ := format.ParseVersion("da", format.BTI)
	rng := rand.New(rand.NewSource(7))
	parts := randomPartitions(rng, 40)
	partitions, rows := buildBTI(t, parts, false, nil)
	for i := range partitions {
		for _, in := range [][]byte{partitions[:i], flip(partitions, i)} {
			r, err := NewBTIReader("p", in, "r", rows, da, Options{})
			if err != nil {
				if !errors.Is(err, wire.ErrCorrupt) {
					t.Fatal(err)
				}
				continue
			}
			for r.Next() {
			}
			if err := r.Err(); err != nil && !errors.Is(err, wire.ErrCorrupt) {
				t.Fatal(err)
			}
		}
	}
	for i := range rows {
		r, _ := NewBTIReader("p", partitions, "r", flip(rows, i), da, Options{})
		for r.Next() {
		}
		if err := r.Err(); err != nil && !errors.Is(err, wire.ErrCorrupt) {
			t.Fatal(err)
		}
	}
}

func flip(b []byte, i int) []byte {
	out := append([]byte{}, b...)
	out[i] ^= 0x5A
	return out
}

// TestSharedChildrenTerminate builds a corrupt trie whose nodes point twice at the
// same child, which would take 2^depth steps to walk naively.
func TestSharedChildrenTerminate(t *testing.T) {
	var b []byte
	b = append(b, payloadOnly<<4|1, 0) // leaf at 0 with a 1-byte payload
	prev := int64(0)
	for i := 0; i < 60; i++ {
		me := int64(len(b))
		d := me - prev
		b = append(b, sparse16<<4, 2, 1, 2, byte(d>>8), byte(d), byte(d>>8), byte(d))
		prev = me
	}
	w := newTrieWalker(b, prev)
	n := 0
	for w.next() {
		n++
	}
	if !errors.Is(w.err, wire.ErrCorrupt) || n > len(b) {
		t.Fatalf("%d payloads, err %v", n, w.err)
	}
}
