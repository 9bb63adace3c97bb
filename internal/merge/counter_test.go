package merge

import (
	"encoding/binary"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/aegisthus/aegisthus/internal/sstable/wire"
)

// Counter contexts built by hand (CounterContext.ContextState.allocate/writeElement):
// header n, then one i16 per global (index + Short.MIN_VALUE) or local (index)
// shard, in body order; remote shards have no header entry.

type tShard struct {
	id           byte // the counter id is 15 zero bytes then id
	clock, count int64
	kind         shardKind
}

func g(id byte, clock, count int64) tShard { return tShard{id, clock, count, shardGlobal} }
func l(id byte, clock, count int64) tShard { return tShard{id, clock, count, shardLocal} }
func r(id byte, clock, count int64) tShard { return tShard{id, clock, count, shardRemote} }

func counterID(id byte) []byte {
	b := make([]byte, 16)
	b[15] = id
	return b
}

// ctx encodes shards (which must be sorted by id) as a context.
func ctx(shards ...tShard) []byte {
	var hdr []byte
	var body []byte
	n := 0
	for i, s := range shards {
		switch s.kind {
		case shardGlobal:
			hdr = binary.BigEndian.AppendUint16(hdr, uint16(int16(i-32768)))
			n++
		case shardLocal:
			hdr = binary.BigEndian.AppendUint16(hdr, uint16(i))
			n++
		}
		body = append(body, counterID(s.id)...)
		body = binary.BigEndian.AppendUint64(body, uint64(s.clock))
		body = binary.BigEndian.AppendUint64(body, uint64(s.count))
	}
	out := binary.BigEndian.AppendUint16(nil, uint16(n))
	return append(append(out, hdr...), body...)
}

// markCleared negates n, as CounterContext.markLocalToBeCleared does.
func markCleared(c []byte) []byte {
	c = slices.Clone(c)
	binary.BigEndian.PutUint16(c, uint16(-int16(binary.BigEndian.Uint16(c))))
	return c
}

func decode(t *testing.T, c []byte) []tShard {
	t.Helper()
	shards, err := parseContext(nil, c)
	if err != nil {
		t.Fatal(err)
	}
	var out []tShard
	for _, s := range shards {
		out = append(out, tShard{s.id[15], s.clock, s.count, s.kind})
	}
	return out
}

// TestCounterValue pins CounterContext.total: the sum of every shard's count,
// global, local and remote alike.
func TestCounterValue(t *testing.T) {
	tests := []struct {
		name string
		ctx  []byte
		want int64
	}{
		{"empty context", ctx(), 0},
		{"one global", ctx(g(1, 3, 42)), 42},
		{"global, local and remote", ctx(g(1, 3, 10), l(2, 1, -3), r(3, 9, 100)), 107},
		{"negative counts", ctx(g(1, 1, -5), g(2, 1, -6)), -11},
		{"local shards to be cleared still count", markCleared(ctx(l(1, 1, 4), g(2, 1, 5))), 9},
	}
	for _, tc := range tests {
		got, err := CounterValue(tc.ctx)
		if err != nil || got != tc.want {
			t.Errorf("%s: CounterValue = %d, %v; want %d", tc.name, got, err, tc.want)
		}
	}
	for _, bad := range [][]byte{nil, {0}, {0, 1}, {0, 0, 1}, {0, 1, 0x80, 0x01}} {
		if _, err := CounterValue(bad); !errors.Is(err, wire.ErrCorrupt) {
			t.Errorf("CounterValue(%x) error %v, want ErrCorrupt", bad, err)
		}
	}
}

// TestParseContextKinds pins ContextState.updateIsGlobalOrLocal and
// DeserializationHelper.maybeClearCounterValue → clearAllLocal: a negative n turns
// local shards into remote ones; global ones stay global.
func TestParseContextKinds(t *testing.T) {
	c := ctx(g(1, 1, 1), l(2, 2, 2), r(3, 3, 3))
	if got, want := decode(t, c), []tShard{g(1, 1, 1), l(2, 2, 2), r(3, 3, 3)}; !slices.Equal(got, want) {
		t.Errorf("kinds: %v, want %v", got, want)
	}
	if got, want := decode(t, markCleared(c)), []tShard{g(1, 1, 1), r(2, 2, 2), r(3, 3, 3)}; !slices.Equal(got, want) {
		t.Errorf("cleared: %v, want %v", got, want)
	}
}

// TestMergeShard pins every cell of CounterContext.compare's table (FORMAT.md §9.10).
func TestMergeShard(t *testing.T) {
	tests := []struct {
		name       string
		left, rght tShard
		want       tShard
	}{
		// "if (leftState.isGlobal() && rightState.isGlobal())": higher clock, then higher count.
		{"global/global higher clock left", g(1, 5, 1), g(1, 4, 100), g(1, 5, 1)},
		{"global/global higher clock right", g(1, 4, 100), g(1, 5, 1), g(1, 5, 1)},
		{"global/global same clock, higher count", g(1, 5, 3), g(1, 5, 9), g(1, 5, 9)},
		{"global/global identical: never summed", g(1, 5, 9), g(1, 5, 9), g(1, 5, 9)},
		// "only one is global - keep that one"
		{"global/local", g(1, 1, 1), l(1, 9, 9), g(1, 1, 1)},
		{"local/global", l(1, 9, 9), g(1, 1, 1), g(1, 1, 1)},
		{"global/remote", g(1, 1, 1), r(1, 9, 9), g(1, 1, 1)},
		{"remote/global", r(1, 9, 9), g(1, 1, 1), g(1, 1, 1)},
		// "if (leftState.isLocal() && rightState.isLocal()) return Relationship.DISJOINT" → writeLocal(sum, sum)
		{"local/local sums", l(1, 2, 5), l(1, 3, 7), l(1, 5, 12)},
		// "only one is local - keep that one"
		{"local/remote", l(1, 1, 1), r(1, 9, 9), l(1, 1, 1)},
		{"remote/local", r(1, 9, 9), l(1, 1, 1), l(1, 1, 1)},
		// remote/remote
		{"remote/remote higher clock", r(1, 5, 1), r(1, 4, 9), r(1, 5, 1)},
		{"remote/remote higher clock right", r(1, 4, 9), r(1, 5, 1), r(1, 5, 1)},
		{"remote/remote same clock higher count", r(1, 5, 1), r(1, 5, 2), r(1, 5, 2)},
		// "(leftClock < 0 && (rightClock > 0 || leftClock < rightClock))": a negative
		// clock (a deleted legacy shard) beats any positive clock, and the lower of two
		// negative clocks wins.
		{"remote/remote deleted left", r(1, -3, 1), r(1, 7, 9), r(1, -3, 1)},
		{"remote/remote deleted right", r(1, 7, 9), r(1, -3, 1), r(1, -3, 1)},
		{"remote/remote both deleted", r(1, -3, 1), r(1, -5, 2), r(1, -5, 2)},
		// leftClock >= 0 && rightClock > 0 fails for rightClock == 0: right wins.
		{"remote/remote zero right", r(1, 4, 1), r(1, 0, 2), r(1, 0, 2)},
		{"remote/remote zero left", r(1, 0, 2), r(1, 4, 1), r(1, 4, 1)},
	}
	for _, tc := range tests {
		toShard := func(s tShard) shard { return shard{id: counterID(s.id), clock: s.clock, count: s.count, kind: s.kind} }
		got := mergeShard(toShard(tc.left), toShard(tc.rght))
		if g := (tShard{got.id[15], got.clock, got.count, got.kind}); g != tc.want {
			t.Errorf("%s: got %+v, want %+v", tc.name, g, tc.want)
		}
	}
}

// TestMergeContexts pins CounterContext.merge: shards merged by counter id
// (compared as unsigned bytes), the union kept in id order.
func TestMergeContexts(t *testing.T) {
	tests := []struct {
		name string
		a, b []byte
		want []tShard
	}{
		{"same global shard on two replicas", ctx(g(1, 3, 10)), ctx(g(1, 3, 10)), []tShard{g(1, 3, 10)}},
		{"newer global shard", ctx(g(1, 3, 10)), ctx(g(1, 4, 12)), []tShard{g(1, 4, 12)}},
		{"disjoint ids", ctx(g(1, 1, 1), g(3, 1, 3)), ctx(g(2, 1, 2)), []tShard{g(1, 1, 1), g(2, 1, 2), g(3, 1, 3)}},
		{"ids compare unsigned", ctx(g(0x7f, 1, 1)), ctx(g(0x80, 1, 2)), []tShard{g(0x7f, 1, 1), g(0x80, 1, 2)}},
		{"superset", ctx(g(1, 2, 2), g(2, 2, 2)), ctx(g(1, 1, 1)), []tShard{g(1, 2, 2), g(2, 2, 2)}},
		{"mixed kinds", ctx(g(1, 1, 1), l(2, 1, 5), r(3, 4, 4)), ctx(l(1, 9, 9), l(2, 2, 6), r(3, 5, 1)),
			[]tShard{g(1, 1, 1), l(2, 3, 11), r(3, 5, 1)}},
		{"cleared local shards are remote", markCleared(ctx(l(1, 2, 5))), ctx(l(1, 3, 7)), []tShard{l(1, 3, 7)}},
		{"cleared local on both sides", markCleared(ctx(l(1, 2, 5))), markCleared(ctx(l(1, 3, 7))), []tShard{r(1, 3, 7)}},
		{"empty and one shard", ctx(), ctx(g(1, 1, 1)), []tShard{g(1, 1, 1)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			for _, swap := range []bool{false, true} {
				a, b := tc.a, tc.b
				if swap {
					a, b = b, a
				}
				_, got, err := mergeContexts(nil, a, b)
				if err != nil {
					t.Fatal(err)
				}
				if d := decode(t, got); !slices.Equal(d, tc.want) {
					t.Errorf("swap=%v: %v, want %v", swap, d, tc.want)
				}
			}
		})
	}
}

// TestMergeContextsArena: results built earlier in a row stay intact when later
// merges outgrow the arena.
func TestMergeContextsArena(t *testing.T) {
	var arena []byte
	var results [][]byte
	var want [][]byte
	for i := range 300 {
		a := ctx(g(1, int64(i), int64(i)), g(2, 1, 1))
		b := ctx(g(2, 2, int64(i)), g(3, 1, 1))
		var got []byte
		var err error
		arena, got, err = mergeContexts(arena, a, b)
		if err != nil {
			t.Fatal(err)
		}
		results = append(results, got)
		want = append(want, ctx(g(1, int64(i), int64(i)), g(2, 2, int64(i)), g(3, 1, 1)))
	}
	for i := range results {
		if string(results[i]) != string(want[i]) {
			t.Fatalf("result %d overwritten: %x, want %x", i, results[i], want[i])
		}
	}
}

func counterCell(ts int64, c []byte) tCell { return tCell{col: colC, ts: ts, val: string(c)} }

// TestCounterMerge merges counter cells across SSTables (Cells.resolveCounter): the
// same global shard held by several replicas counts once, distinct shards add up,
// the merged timestamp is the maximum, and a tombstone beats any live counter.
func TestCounterMerge(t *testing.T) {
	s := newCounterSchema(t)
	rep := ctx(g(1, 3, 10), g(2, 1, 5))
	got := run(t, s,
		s.sst(t, part("k", rowAt(1).C(counterCell(10, rep)), rowAt(2).C(counterCell(1, ctx(g(1, 1, 1)))))),
		s.sst(t, part("k", rowAt(1).C(counterCell(12, rep)), rowAt(2).C(tomb(colC, 0, 9)))),
		s.sst(t, part("k", rowAt(1).C(counterCell(11, ctx(g(2, 2, 7), g(3, 1, 100)))), rowAt(3).C(counterCell(5, rep)))),
	)
	want := []string{"k #3", "  [1] c@12=117", "  [2] c@0x9", "  [3] c@5=15"}
	if !slices.Equal(got, want) {
		t.Fatalf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// TestCounterMergeCorrupt: a malformed context is an error of the merge, not a panic.
func TestCounterMergeCorrupt(t *testing.T) {
	s := newCounterSchema(t)
	m := New(s.table, []Input{
		s.sst(t, part("k", rowAt(1).C(counterCell(1, ctx(g(1, 1, 1)))))),
		s.sst(t, part("k", rowAt(1).C(counterCell(1, []byte{0, 1, 0x80, 0x05})))),
	})
	for m.NextPartition() {
		for m.NextRow() {
		}
	}
	if err := m.Err(); !errors.Is(err, wire.ErrCorrupt) {
		t.Fatalf("Err() = %v, want ErrCorrupt", err)
	}
}

// TestCounterDuplicates: the same counter SSTables on every replica (identical
// global shards) count once. Local (pre-2.1) shards are deltas and add up by design
// (CounterContext.compare: DISJOINT), so they are left out here.
func TestCounterDuplicates(t *testing.T) {
	s := newCounterSchema(t)
	d1 := s.encode(t, part("k", rowAt(1).C(counterCell(10, ctx(g(1, 3, 10), g(2, 1, 5)))), rowAt(2).C(counterCell(3, ctx(g(1, 1, -4), r(9, 2, 2))))))
	d2 := s.encode(t, part("k", rowAt(1).C(counterCell(11, ctx(g(2, 2, 7), g(3, 1, 100))))))
	want := []string{"k", "  [1] c@11=117", "  [2] c@3=-2"}
	for copies := 1; copies <= 3; copies++ {
		var ins []Input
		for range copies {
			ins = append(ins, s.input(d1), s.input(d2))
		}
		if got := stripSources(run(t, s, ins...)); !slices.Equal(got, want) {
			t.Fatalf("%d copies:\n%s\nwant:\n%s", copies, strings.Join(got, "\n"), strings.Join(want, "\n"))
		}
	}
}
