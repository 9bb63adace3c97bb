package merge

import (
	"bytes"
	"encoding/binary"
	"fmt"

	"github.com/aegisthus/aegisthus/internal/sstable/wire"
)

// Counter contexts (CounterContext.java):
//
//	context := n:i16 index:i16*|n| shard*
//	shard   := counter_id:[16]byte clock:i64 count:i64
//
// A header index v < 0 marks a global shard at body index v+32768, v >= 0 a local
// shard; unreferenced body shards are remote. A negative n means local shards
// must be treated as remote (clearAllLocal).

const shardSize = 16 + 8 + 8

type shardKind uint8

const (
	shardRemote shardKind = iota
	shardLocal
	shardGlobal
)

type shard struct {
	id           []byte
	clock, count int64
	kind         shardKind
}

// parseContext appends the shards of ctx to dst.
func parseContext(dst []shard, ctx []byte) ([]shard, error) {
	if len(ctx) < 2 {
		return dst, fmt.Errorf("counter context of %d bytes: %w", len(ctx), wire.ErrCorrupt)
	}
	n := int(int16(binary.BigEndian.Uint16(ctx)))
	clearLocal := n < 0
	if n < 0 {
		n = -n
	}
	hdr := 2 + 2*n
	if hdr > len(ctx) || (len(ctx)-hdr)%shardSize != 0 {
		return dst, fmt.Errorf("counter context: %d header entries, %d bytes: %w", n, len(ctx), wire.ErrCorrupt)
	}
	body := ctx[hdr:]
	count := len(body) / shardSize
	base := len(dst)
	for i := range count {
		s := body[i*shardSize:]
		dst = append(dst, shard{id: s[:16], clock: int64(binary.BigEndian.Uint64(s[16:])), count: int64(binary.BigEndian.Uint64(s[24:]))})
	}
	for i := range n {
		v := int(int16(binary.BigEndian.Uint16(ctx[2+2*i:])))
		kind := shardLocal
		if v < 0 {
			v += 32768
			kind = shardGlobal
		} else if clearLocal {
			continue
		}
		if v >= count {
			return dst, fmt.Errorf("counter context: header index %d past %d shards: %w", v, count, wire.ErrCorrupt)
		}
		dst[base+v].kind = kind
	}
	return dst, nil
}

// CounterValue returns the total of a counter context: the sum of every shard.
func CounterValue(ctx []byte) (int64, error) {
	var buf [8]shard
	shards, err := parseContext(buf[:0], ctx)
	if err != nil {
		return 0, err
	}
	var total int64
	for _, s := range shards {
		total += s.count
	}
	return total, nil
}

// mergeShard resolves two shards with the same counter id (CounterContext.merge).
func mergeShard(l, r shard) shard {
	switch {
	case l.kind == shardGlobal && r.kind == shardGlobal:
		if l.clock > r.clock || (l.clock == r.clock && l.count >= r.count) {
			return l
		}
		return r
	case l.kind == shardGlobal:
		return l
	case r.kind == shardGlobal:
		return r
	case l.kind == shardLocal && r.kind == shardLocal:
		return shard{id: l.id, clock: l.clock + r.clock, count: l.count + r.count, kind: shardLocal}
	case l.kind == shardLocal:
		return l
	case r.kind == shardLocal:
		return r
	}
	lc, rc := l.clock, r.clock
	if lc == rc {
		if l.count >= r.count {
			return l
		}
		return r
	}
	if (lc >= 0 && rc > 0 && lc >= rc) || (lc < 0 && (rc > 0 || lc < rc)) {
		return l
	}
	return r
}

// mergeContexts merges two counter contexts and appends the encoded result to
// arena, returning the arena and the merged context's bounds in it.
func mergeContexts(arena, a, b []byte) ([]byte, []byte, error) {
	var bufA, bufB [8]shard
	sa, err := parseContext(bufA[:0], a)
	if err != nil {
		return arena, nil, err
	}
	sb, err := parseContext(bufB[:0], b)
	if err != nil {
		return arena, nil, err
	}
	out := make([]shard, 0, len(sa)+len(sb))
	i, j := 0, 0
	for i < len(sa) || j < len(sb) {
		switch {
		case j == len(sb) || (i < len(sa) && bytes.Compare(sa[i].id, sb[j].id) < 0):
			out = append(out, sa[i])
			i++
		case i == len(sa) || bytes.Compare(sa[i].id, sb[j].id) > 0:
			out = append(out, sb[j])
			j++
		default:
			out = append(out, mergeShard(sa[i], sb[j]))
			i++
			j++
		}
	}
	var nHeader int
	for _, s := range out {
		if s.kind != shardRemote {
			nHeader++
		}
	}
	if need := 2 + 2*nHeader + shardSize*len(out); cap(arena)-len(arena) < need {
		// A fresh block, never a reallocation: earlier results still point into the old one.
		arena = make([]byte, 0, max(4096, need))
	}
	start := len(arena)
	arena = binary.BigEndian.AppendUint16(arena, uint16(nHeader))
	for i, s := range out {
		switch s.kind {
		case shardGlobal:
			arena = binary.BigEndian.AppendUint16(arena, uint16(int16(i-32768)))
		case shardLocal:
			arena = binary.BigEndian.AppendUint16(arena, uint16(i))
		}
	}
	for _, s := range out {
		arena = append(arena, s.id...)
		arena = binary.BigEndian.AppendUint64(arena, uint64(s.clock))
		arena = binary.BigEndian.AppendUint64(arena, uint64(s.count))
	}
	return arena, arena[start:], nil
}
