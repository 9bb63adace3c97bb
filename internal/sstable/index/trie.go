package index

import (
	"encoding/binary"
	"fmt"

	"github.com/aegisthus/aegisthus/internal/sstable/wire"
)

// Trie node types (io/tries/TrieNode.java, Types). The high nibble of a node's
// first byte.
const (
	payloadOnly       = 0
	singleNoPayload4  = 1
	single8           = 2
	singleNoPayload12 = 3
	single16          = 4
	sparse8           = 5
	sparse12          = 6
	sparse16          = 7
	sparse24          = 8
	sparse40          = 9
	dense12           = 10
	dense16           = 11
	dense24           = 12
	dense32           = 13
	dense40           = 14
	longDense         = 15
)

// bytesPerPointer for the types with whole-byte pointers.
var bytesPerPointer = [16]int{
	single8: 1, single16: 2,
	sparse8: 1, sparse16: 2, sparse24: 3, sparse40: 5,
	dense16: 2, dense24: 3, dense32: 4, dense40: 5, longDense: 8,
}

// trieNode is a decoded node header. All positions are offsets into the trie file.
type trieNode struct {
	pos        int   // position of the node's first byte
	typ        uint8 // node type (high nibble)
	pb         uint8 // payload flags (low nibble; 0 for the no-payload types)
	n          int   // transitionRange: number of child slots
	payloadPos int   // first byte after the node: where the payload starts
}

// readTrieNode decodes the node at pos, checking that the whole node (not its
// payload) lies inside b.
func readTrieNode(b []byte, pos int64) (trieNode, error) {
	if pos < 0 || pos >= int64(len(b)) {
		return trieNode{}, fmt.Errorf("trie node at %d outside [0, %d): %w", pos, len(b), wire.ErrCorrupt)
	}
	p := int(pos)
	nd := trieNode{pos: p, typ: b[p] >> 4, pb: b[p] & 0x0F}
	need := func(k int) bool { return p+k <= len(b) }
	switch nd.typ {
	case payloadOnly:
		nd.payloadPos = p + 1
	case singleNoPayload4:
		nd.pb, nd.n, nd.payloadPos = 0, 1, p+2
	case singleNoPayload12:
		nd.pb, nd.n, nd.payloadPos = 0, 1, p+3
	case single8, single16:
		nd.n, nd.payloadPos = 1, p+2+bytesPerPointer[nd.typ]
	case sparse8, sparse16, sparse24, sparse40, sparse12:
		if !need(2) {
			return nd, truncated(pos, len(b))
		}
		nd.n = int(b[p+1])
		if nd.typ == sparse12 {
			nd.payloadPos = p + 2 + (5*nd.n+1)/2
		} else {
			nd.payloadPos = p + 2 + (bytesPerPointer[nd.typ]+1)*nd.n
		}
	default: // dense types
		if !need(3) {
			return nd, truncated(pos, len(b))
		}
		nd.n = int(b[p+2]) + 1
		if nd.typ == dense12 {
			nd.payloadPos = p + 3 + (3*nd.n+1)/2
		} else {
			nd.payloadPos = p + 3 + bytesPerPointer[nd.typ]*nd.n
		}
	}
	if nd.payloadPos > len(b) {
		return nd, truncated(pos, len(b))
	}
	return nd, nil
}

func truncated(pos int64, size int) error {
	return fmt.Errorf("trie node at %d runs past the end (%d bytes): %w", pos, size, wire.ErrCorrupt)
}

// child returns the transition byte and the position of child slot i (0 <= i < n).
// ok is false for an empty slot of a dense node.
func (nd trieNode) child(b []byte, i int) (transition int, pos int64, ok bool, err error) {
	p := nd.pos
	var delta uint64
	switch nd.typ {
	case singleNoPayload4:
		transition, delta = int(b[p+1]), uint64(b[p]&0x0F)
	case singleNoPayload12:
		transition, delta = int(b[p+2]), uint64(b[p]&0x0F)<<8|uint64(b[p+1])
	case single8, single16:
		transition, delta = int(b[p+1]), readUnsigned(b[p+2:], bytesPerPointer[nd.typ])
	case sparse12:
		transition, delta = int(b[p+2+i]), read12(b, p+2+nd.n, i)
	case sparse8, sparse16, sparse24, sparse40:
		bpp := bytesPerPointer[nd.typ]
		transition, delta = int(b[p+2+i]), readUnsigned(b[p+2+nd.n+bpp*i:], bpp)
	case dense12:
		transition, delta = int(b[p+1])+i, read12(b, p+3, i)
	default:
		bpp := bytesPerPointer[nd.typ]
		transition, delta = int(b[p+1])+i, readUnsigned(b[p+3+bpp*i:], bpp)
	}
	if delta == 0 {
		if nd.typ >= dense12 {
			return transition, -1, false, nil // no child for this byte
		}
		return 0, 0, false, fmt.Errorf("trie node at %d: child %d at distance 0: %w", p, i, wire.ErrCorrupt)
	}
	if delta > uint64(p) {
		return 0, 0, false, fmt.Errorf("trie node at %d: child %d at distance %d, before the file start: %w", p, i, delta, wire.ErrCorrupt)
	}
	return transition, int64(p) - int64(delta), true, nil
}

// read12 reads 12-bit pointer i of the packed array at base (TrieNode.read12Bits).
func read12(b []byte, base, i int) uint64 {
	word := uint64(binary.BigEndian.Uint16(b[base+3*i/2:]))
	if i&1 == 0 {
		word >>= 4
	}
	return word & 0xFFF
}

// readUnsigned reads an n-byte big-endian unsigned integer (SizedInts.readUnsigned).
func readUnsigned(b []byte, n int) uint64 {
	var v uint64
	for _, x := range b[:n] {
		v = v<<8 | uint64(x)
	}
	return v
}

// readSigned reads an n-byte (1..8) big-endian two's-complement integer
// (SizedInts.read).
func readSigned(b []byte, n int) int64 {
	v := readUnsigned(b, n)
	shift := uint(64 - 8*n)
	return int64(v<<shift) >> shift
}

// trieWalker visits the payload-carrying nodes of a trie in key order (node payload
// before its children, children by increasing transition byte: ValueIterator).
// It never visits more nodes than the file has bytes, so a corrupt trie whose
// pointers share children cannot make it run away.
type trieWalker struct {
	b     []byte
	stack []walkFrame
	cur   trieNode
	// path holds the transition bytes from the root to cur: path[i] led from
	// stack[i] to stack[i+1].
	path   []byte
	visits int
	err    error
	start  bool
	root   int64
}

type walkFrame struct {
	nd   trieNode
	next int
}

func newTrieWalker(b []byte, root int64) trieWalker {
	return trieWalker{b: b, root: root, start: true}
}

// next advances to the next node with a payload. It returns false when the walk is
// over or failed (see err).
func (w *trieWalker) next() bool {
	if w.err != nil {
		return false
	}
	if w.start {
		w.start = false
		if w.push(w.root) {
			return true
		}
	}
	for len(w.stack) > 0 && w.err == nil {
		top := &w.stack[len(w.stack)-1]
		if top.next >= top.nd.n {
			w.stack = w.stack[:len(w.stack)-1]
			continue
		}
		i := top.next
		top.next++
		tr, pos, ok, err := top.nd.child(w.b, i)
		if err != nil {
			w.err = err
			return false
		}
		if !ok {
			continue
		}
		w.path = append(w.path[:len(w.stack)-1], byte(tr))
		if w.push(pos) {
			return true
		}
	}
	return false
}

// push enters the node at pos and reports whether it carries a payload.
func (w *trieWalker) push(pos int64) bool {
	w.visits++
	if w.visits > len(w.b) {
		w.err = fmt.Errorf("trie walk visited more nodes than the file has bytes: %w", wire.ErrCorrupt)
		return false
	}
	nd, err := readTrieNode(w.b, pos)
	if err != nil {
		w.err = err
		return false
	}
	w.stack = append(w.stack, walkFrame{nd: nd})
	w.cur = nd
	return nd.pb != 0
}
