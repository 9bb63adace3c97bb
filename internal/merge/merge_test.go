package merge

import (
	"bytes"
	"fmt"
	"math"
	"runtime"
	"slices"
	"strings"
	"testing"

	"github.com/aegisthus/aegisthus/internal/rows"
	"github.com/aegisthus/aegisthus/internal/sstable/row"
)

// Java references are to the 5.0.9 sources (org.apache.cassandra.*).

func regular(ts int64, v string) rows.Cell {
	return rows.Cell{Timestamp: ts, LocalDeletionTime: rows.NoDeletionTime, Value: []byte(v)}
}
func tombstone(ts, ldt int64) rows.Cell {
	return rows.Cell{Timestamp: ts, LocalDeletionTime: ldt, Tombstone: true, Value: []byte{}}
}
func expiringCell(ts int64, ttl int32, exp int64, v string) rows.Cell {
	return rows.Cell{Timestamp: ts, TTL: ttl, LocalDeletionTime: exp, Value: []byte(v)}
}

func sameCell(a, b rows.Cell) bool {
	return a.Timestamp == b.Timestamp && a.TTL == b.TTL && a.LocalDeletionTime == b.LocalDeletionTime &&
		a.Tombstone == b.Tombstone && string(a.Value) == string(b.Value) && string(a.Path) == string(b.Path)
}

// TestReconcile pins Cells.reconcile / Cells.resolveRegular (4.0+ rules,
// CASSANDRA-14592): never depends on now, and is commutative.
func TestReconcile(t *testing.T) {
	m := New(&Table{}, nil)
	col := &Column{}
	tests := []struct {
		name string
		a, b rows.Cell // a must win, in both argument orders
	}{
		// resolveRegular: "if (leftTimestamp != rightTimestamp) return leftTimestamp > rightTimestamp"
		{"higher timestamp wins", regular(2, "a"), regular(1, "z")},
		{"newer live beats older tombstone", regular(2, "a"), tombstone(1, 100)},
		{"newer tombstone beats older live", tombstone(2, 1), regular(1, "z")},
		{"newer regular beats older expiring", regular(2, "a"), expiringCell(1, 10, 1000, "z")},
		{"negative timestamps", regular(-1, "a"), regular(-2, "z")},
		// "Tombstones always win reconciliation with live cells of the same timestamp"
		{"tie: tombstone beats live with a greater value", tombstone(5, 1), regular(5, "\xff")},
		// "treat expiring cells ... the same wrt regular cells": an expiring cell wins a
		// tie against a regular one even while it is still live.
		{"tie: expiring beats regular", expiringCell(5, 10, 1000, "a"), regular(5, "z")},
		// "we still prefer tombstones over expiring cells"
		{"tie: tombstone beats expiring with a later ldt", tombstone(5, 1), expiringCell(5, 10, 9999, "z")},
		// "if (leftLocalDeletionTime != rightLocalDeletionTime) return left > right"
		{"tie: both expiring, higher ldt wins", expiringCell(5, 10, 2000, "a"), expiringCell(5, 10, 1000, "z")},
		{"tie: both tombstones, higher ldt wins", tombstone(5, 200), tombstone(5, 100)},
		// "If expiring and the TTLs differ, write the lower one"
		{"tie: both expiring, same ldt, lower ttl wins", expiringCell(5, 50, 1000, "a"), expiringCell(5, 100, 1000, "z")},
		// compareValues: ValueAccessor.compare is unsigned (3.x compared signed).
		{"tie: greater value wins, unsigned", regular(5, "\x80"), regular(5, "\x7f")},
		{"tie: longer value with equal prefix wins", regular(5, "ab"), regular(5, "a")},
		{"tie: non-empty beats empty", regular(5, "a"), regular(5, "")},
		{"tie: expiring, same ldt and ttl, greater value", expiringCell(5, 10, 1000, "b"), expiringCell(5, 10, 1000, "a")},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := m.reconcile(col, tc.a, tc.b); !sameCell(got, tc.a) {
				t.Errorf("reconcile(a, b) = %+v, want %+v", got, tc.a)
			}
			if got := m.reconcile(col, tc.b, tc.a); !sameCell(got, tc.a) {
				t.Errorf("reconcile(b, a) = %+v, want %+v", got, tc.a)
			}
		})
	}
}

// TestReconcileCounterTombstone pins Cells.resolveCounter: "No matter what the
// counter cell's timestamp is, a tombstone always takes precedence" (CASSANDRA-7346);
// two counter tombstones are not counter cells (AbstractCell.isCounterCell) and go
// through resolveRegular.
func TestReconcileCounterTombstone(t *testing.T) {
	m := New(&Table{}, nil)
	col := &Column{Counter: true}
	live := regular(100, string(ctx(g(1, 5, 7))))
	old := tombstone(1, 10)
	if got := m.reconcile(col, live, old); !sameCell(got, old) {
		t.Errorf("live@100 vs tombstone@1: got %+v, want the tombstone", got)
	}
	if got := m.reconcile(col, old, live); !sameCell(got, old) {
		t.Errorf("tombstone@1 vs live@100: got %+v, want the tombstone", got)
	}
	t2 := tombstone(2, 5)
	if got := m.reconcile(col, old, t2); !sameCell(got, t2) {
		t.Errorf("two tombstones: got %+v, want the newer", got)
	}
}

// TestLivenessSupersedes pins LivenessInfo.supersedes.
func TestLivenessSupersedes(t *testing.T) {
	expired := func(ts int64, exp int64) rows.Liveness { return ttlLive(ts, rows.ExpiredLivenessTTL, exp) }
	tests := []struct {
		name string
		a, b rows.Liveness // a supersedes b; b does not supersede a
	}{
		{"higher timestamp", liveAt(2), liveAt(1)},
		{"anything beats empty", liveAt(math.MinInt64 + 1), rows.EmptyLiveness},
		{"higher timestamp beats expired-liveness", liveAt(2), expired(1, 100)},
		// "if (isExpired() ^ other.isExpired()) return isExpired()"
		{"tie: expired-liveness beats normal", expired(5, 1), liveAt(5)},
		{"tie: expired-liveness beats expiring with a later expiry", expired(5, 1), ttlLive(5, 10, 9999)},
		// "if (isExpiring() == other.isExpiring()) return localExpirationTime() > ..."
		{"tie: both expiring, later expiry", ttlLive(5, 10, 2000), ttlLive(5, 10, 1000)},
		// "... || (localExpirationTime() == other.localExpirationTime() && ttl() < other.ttl())"
		{"tie: both expiring, same expiry, lower ttl", ttlLive(5, 10, 1000), ttlLive(5, 20, 1000)},
		// "return isExpiring()"
		{"tie: expiring beats non-expiring", ttlLive(5, 10, 1000), liveAt(5)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if !supersedesLiveness(tc.a, tc.b) {
				t.Errorf("supersedes(%+v, %+v) = false", tc.a, tc.b)
			}
			if supersedesLiveness(tc.b, tc.a) {
				t.Errorf("supersedes(%+v, %+v) = true", tc.b, tc.a)
			}
		})
	}
	for _, l := range []rows.Liveness{rows.EmptyLiveness, liveAt(3), ttlLive(3, 5, 10), expired(3, 10)} {
		if supersedesLiveness(l, l) {
			t.Errorf("%+v supersedes itself", l)
		}
	}
}

// TestDeletionSupersedes pins DeletionTime.supersedes and deletes: mfda first, then
// ldt; a deletion deletes timestamps <= mfda (a tie deletes); LIVE deletes nothing.
func TestDeletionSupersedes(t *testing.T) {
	tests := []struct {
		a, b rows.DeletionTime
		want bool
	}{
		{dt(2, 1), dt(1, 100), true},
		{dt(1, 100), dt(2, 1), false},
		{dt(1, 2), dt(1, 1), true},
		{dt(1, 1), dt(1, 1), false},
		{dt(math.MinInt64+1, 0), rows.Live, true},
		{rows.Live, dt(math.MinInt64+1, 0), false},
		{rows.Live, rows.Live, false},
	}
	for _, tc := range tests {
		if got := tc.a.Supersedes(tc.b); got != tc.want {
			t.Errorf("%+v.Supersedes(%+v) = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
	d := dt(10, 100)
	for ts, want := range map[int64]bool{9: true, 10: true, 11: false} {
		if d.Deletes(ts) != want {
			t.Errorf("deletion @10 deletes %d = %v, want %v", ts, !want, want)
		}
	}
	if rows.Live.Deletes(math.MinInt64 + 1) {
		t.Error("LIVE deletes something")
	}
}

// scenario is a merge of several SSTables and its expected rendering (see run).
type scenario struct {
	name   string
	nck    int // clustering columns, 1 when 0
	ssts   [][]tPart
	want   []string
	noPerm bool
}

var d50 = dt(50, 1000)

var scenarios = []scenario{
	{
		name: "three inputs with diverging data",
		ssts: [][]tPart{
			{part("k1",
				rowAt(1).L(liveAt(10)).C(cellv(colA, 10, "x"), cellv(colB, 10, "y")),
				rowAt(2).C(cellv(colA, 5, "old")))},
			{part("k1",
				rowAt(1).C(cellv(colA, 20, "x2")),
				rowAt(3).L(liveAt(7)))},
			{part("k1",
				rowAt(1).C(cellv(colB, 5, "zz"), mcell(3, "k", "v")),
				rowAt(2).C(cellv(colA, 6, "new")))},
		},
		want: []string{
			"k1 #3",
			"  [1] L@10 a@20=x2 b@10=y m[k]@3=v",
			"  [2] a@6=new",
			"  [3] L@7",
		},
	},
	{
		// UnfilteredRowMergeIterator: RangeTombstoneMarker.Merger.activeDeletion() is
		// handed to Row.Merger.merge for rows of every input.
		name: "range tombstone in one input covers rows of another (inclusive bounds)",
		ssts: [][]tPart{
			{part("k1", mk(rows.InclStartBound, d50, 2), mk(rows.InclEndBound, d50, 4))},
			{part("k1",
				rowAt(1).C(cellv(colA, 40, "a1")),
				rowAt(2).C(cellv(colA, 40, "a2")),
				rowAt(3).C(cellv(colA, 60, "a3"), cellv(colB, 50, "tie")),
				rowAt(4).L(liveAt(50)).C(cellv(colA, 40, "a4")),
				rowAt(5).C(cellv(colA, 40, "a5")))},
		},
		want: []string{
			"k1 #2",
			"  [1] a@40=a1",
			"  [3] A@50/1000 a@60=a3",
			"  [5] a@40=a5",
		},
	},
	{
		// ClusteringPrefix.Kind: EXCL_START sorts after the row it names, EXCL_END before.
		name: "exclusive bounds at a row's position do not cover it",
		ssts: [][]tPart{
			{part("k1", mk(rows.ExclStartBound, d50, 2), mk(rows.ExclEndBound, d50, 4))},
			{part("k1",
				rowAt(2).C(cellv(colA, 40, "a2")),
				rowAt(3).C(cellv(colA, 40, "a3")),
				rowAt(4).C(cellv(colA, 40, "a4")))},
		},
		want: []string{"k1 #2", "  [2] a@40=a2", "  [4] a@40=a4"},
	},
	{
		// ClusteringComparator.compare: a shorter prefix sorts by comparedToClustering.
		name: "prefix bounds cover every row with that prefix",
		nck:  2,
		ssts: [][]tPart{
			{part("k1", mk(rows.InclStartBound, d50, 1), mk(rows.InclEndBound, d50, 1),
				mk(rows.ExclStartBound, dt(60, 1), 3), mk(rows.InclEndBound, dt(60, 1), 4))},
			{part("k1",
				rowAt(0, 9).C(cellv(colA, 40, "09")),
				rowAt(1, math.MinInt32).C(cellv(colA, 40, "1min")),
				rowAt(1, 5).C(cellv(colA, 40, "15")),
				rowAt(1, math.MaxInt32).C(cellv(colA, 40, "1max")),
				rowAt(2, 0).C(cellv(colA, 40, "20")),
				rowAt(3, 1).C(cellv(colA, 40, "31")),
				rowAt(4, 0).C(cellv(colA, 40, "40")),
				rowAt(5, 0).C(cellv(colA, 40, "50")))},
		},
		// [3:1] sorts before EXCL_START(3), [4:0] before INCL_END(4).
		want: []string{"k1 #2", "  [0:9] a@40=09", "  [2:0] a@40=20", "  [3:1] a@40=31", "  [5:0] a@40=50"},
	},
	{
		name: "bounds of size 0 cover the whole partition but not the static row",
		ssts: [][]tPart{
			{part("k1", mk(rows.InclStartBound, d50), mk(rows.InclEndBound, d50)).
				Static(staticRow().SC(cellv(colS, 10, "old")))},
			{part("k1", rowAt(1).C(cellv(colA, 40, "a1")), rowAt(2).C(cellv(colA, 51, "a2"))).
				Static(staticRow().SC(cellv(colS, 20, "new")))},
		},
		want: []string{"k1 #2", "  static s@20=new", "  [2] A@50/1000 a@51=a2"},
	},
	{
		// RangeTombstoneMarker.Merger.updateOpenMarkers: a boundary opens its start deletion.
		name: "boundary markers",
		ssts: [][]tPart{
			{part("k1", mk(rows.InclStartBound, dt(30, 1), 1),
				boundary(rows.ExclEndInclStartBoundary, dt(30, 1), dt(60, 2), 3),
				boundary(rows.InclEndExclStartBoundary, dt(60, 2), dt(20, 3), 4),
				mk(rows.InclEndBound, dt(20, 3), 6))},
			{part("k1",
				rowAt(1).C(cellv(colA, 40, "a1")),
				rowAt(2).C(cellv(colA, 25, "a2")),
				rowAt(3).C(cellv(colA, 50, "a3")),
				rowAt(4).C(cellv(colA, 70, "a4"), cellv(colB, 60, "b4")),
				rowAt(5).C(cellv(colA, 21, "a5"), cellv(colB, 20, "b5")),
				rowAt(7).C(cellv(colA, 10, "a7")))},
		},
		want: []string{
			"k1 #2",
			"  [1] A@30/1 a@40=a1",
			"  [4] A@60/2 a@70=a4",
			"  [5] A@20/3 a@21=a5",
			"  [7] a@10=a7",
		},
	},
	{
		// Overlapping deletions do not add up: the superseding one decides (FORMAT §9.9).
		name: "overlapping range tombstones from two inputs",
		ssts: [][]tPart{
			{part("k1", mk(rows.InclStartBound, dt(30, 1), 1), mk(rows.InclEndBound, dt(30, 1), 5))},
			{part("k1", mk(rows.InclStartBound, dt(60, 1), 3), mk(rows.InclEndBound, dt(60, 1), 4))},
			{part("k1",
				rowAt(1).C(cellv(colA, 45, "a1")),
				rowAt(3).C(cellv(colA, 45, "a3")),
				rowAt(4).C(cellv(colA, 61, "a4")),
				rowAt(5).C(cellv(colA, 45, "a5")),
				rowAt(6).C(cellv(colA, 1, "a6")))},
		},
		want: []string{
			"k1 #3",
			"  [1] A@30/1 a@45=a1",
			"  [4] A@60/1 a@61=a4",
			"  [5] A@30/1 a@45=a5",
			"  [6] a@1=a6",
		},
	},
	{
		// collectPartitionLevelDeletion, mergeStaticRows(…, partitionDeletion), and
		// RangeTombstoneMarker.Merger.currentOpenDeletionTimeInMerged: a range
		// deletion counts only if it supersedes the partition deletion.
		name: "partition deletion in one input, static and rows in others",
		ssts: [][]tPart{
			{part("k1").PDel(dt(100, 7))},
			{part("k1",
				mk(rows.InclStartBound, dt(80, 1), 1),
				rowAt(1).C(cellv(colA, 90, "a1")),
				rowAt(2).L(liveAt(100)).C(cellv(colA, 110, "a2")),
				mk(rows.InclEndBound, dt(80, 1), 2),
				mk(rows.InclStartBound, dt(120, 1), 3),
				rowAt(3).C(cellv(colA, 115, "a3")),
				mk(rows.InclEndBound, dt(120, 1), 3),
			).Static(staticRow().SC(cellv(colS, 90, "gone")))},
			{part("k1").Static(staticRow().SC(cellv(colS, 150, "kept")).SL(liveAt(100)))},
		},
		want: []string{
			"k1 #3 P@100/7",
			"  static A@100/7 s@150=kept",
			"  [2] A@100/7 a@110=a2",
		},
	},
	{
		name: "two partition deletions: the superseding one wins",
		ssts: [][]tPart{
			{part("k1", rowAt(1).C(cellv(colA, 15, "a"))).PDel(dt(10, 9))},
			{part("k1").PDel(dt(20, 1))},
			{part("k1").PDel(dt(20, 0))},
		},
		want: []string{"k1 #3 P@20/1"},
	},
	{
		// Row.Merger.merge: "if (rowDeletion.supersedes(activeDeletion)) activeDeletion = rowDeletion.time()".
		name: "row deletion in one input shadows older data of another",
		ssts: [][]tPart{
			{part("k1", rowAt(1).Del(dt(50, 5)))},
			{part("k1", rowAt(1).L(liveAt(40)).C(cellv(colA, 40, "a"), cellv(colB, 60, "b"),
				mcell(50, "x", "1"), mcell(51, "y", "2")))},
		},
		want: []string{"k1 #2", "  [1] D@50/5 A@50/5 b@60=b m[y]@51=2"},
	},
	{
		// "else rowDeletion = Deletion.LIVE": a range deletion that supersedes the row
		// deletion replaces it.
		name: "row deletion under a newer range tombstone is dropped",
		ssts: [][]tPart{
			{part("k1", mk(rows.InclStartBound, dt(60, 1), 1), mk(rows.InclEndBound, dt(60, 1), 1))},
			{part("k1", rowAt(1).Del(dt(50, 5)).C(cellv(colA, 70, "a")))},
		},
		want: []string{"k1 #2", "  [1] A@60/1 a@70=a"},
	},
	{
		// ColumnDataReducer.getReduced (complex): the superseding complex deletion
		// filters the cells of every version; a later write in another input survives.
		name: "complex deletion in one input, later cells in another",
		ssts: [][]tPart{
			{part("k1", rowAt(1).CDel(colM, dt(50, 5)).C(mcell(55, "z", "z55")))},
			{part("k1", rowAt(1).C(mcell(40, "x", "x40"), mcell(50, "w", "w50"), mcell(60, "y", "y60")))},
			{part("k1", rowAt(1).CDel(colM, dt(30, 9)).C(mcell(35, "v", "v35")))},
		},
		want: []string{"k1 #3", "  [1] m[y]@60=y60 m[z]@55=z55 m!@50/5"},
	},
	{
		// "if (complexDeletion.supersedes(activeDeletion)) … else cellReducer.setActiveDeletion(activeDeletion)".
		name: "complex deletion older than the row deletion is dropped",
		ssts: [][]tPart{
			{part("k1", rowAt(1).CDel(colM, dt(50, 5)).C(mcell(55, "z", "z55")))},
			{part("k1", rowAt(1).Del(dt(70, 1)).C(cellv(colA, 80, "a")))},
			{part("k1", rowAt(1).C(mcell(75, "y", "y75")))},
		},
		want: []string{"k1 #3", "  [1] D@70/1 A@70/1 a@80=a m[y]@75=y75"},
	},
	{
		// Row.Deletion.isShadowedBy: "isShadowable && primaryKeyLivenessInfo.timestamp() > time.markedForDeleteAt()".
		name: "shadowable deletion ignored under a newer liveness from another input",
		ssts: [][]tPart{
			{part("k1", rowAt(1).Shadow(dt(50, 5)), rowAt(2).Shadow(dt(50, 5)))},
			{part("k1",
				rowAt(1).L(liveAt(60)).C(cellv(colA, 40, "a1")),
				rowAt(2).L(liveAt(50)).C(cellv(colA, 40, "a2"), cellv(colB, 51, "b2")))},
		},
		want: []string{
			"k1 #2",
			"  [1] L@60 a@40=a1",
			"  [2] SD@50/5 A@50/5 b@51=b2",
		},
	},
	{
		// ScyllaDB rows may carry a regular and a shadowable tombstone together
		// (sstables/mx HAS_SCYLLA_SHADOWABLE_DELETION, row_tombstone): a newer row
		// marker cancels only the shadowable one; the regular one still applies.
		name: "regular and shadowable deletion in one row",
		ssts: [][]tPart{
			{part("k1",
				rowAt(1).Del(dt(40, 1)).Shadow(dt(50, 2)),
				rowAt(2).Del(dt(40, 1)).Shadow(dt(50, 2)))},
			{part("k1",
				rowAt(1).L(liveAt(60)).C(cellv(colA, 30, "a1"), cellv(colB, 45, "b1")),
				rowAt(2).L(liveAt(50)).C(cellv(colA, 30, "a2"), cellv(colB, 51, "b2")))},
		},
		want: []string{
			"k1 #2",
			"  [1] L@60 D@40/1 A@40/1 b@45=b1",
			"  [2] SD@50/2 A@50/2 b@51=b2",
		},
	},
	{
		// Cells.resolveRegular, both expiring with the same ldt: the lower TTL wins,
		// whatever the values (else the result would depend on the input order).
		name: "expiring cells tie on timestamp and ldt",
		ssts: [][]tPart{
			{part("k1", rowAt(1).C(expiring(colA, 10, 100, 1000, "zz"), expiring(colB, 10, 100, 1000, "aa")))},
			{part("k1", rowAt(1).C(expiring(colA, 10, 50, 1000, "aa"), expiring(colB, 10, 50, 1000, "zz")))},
		},
		want: []string{"k1 #2", "  [1] a@10=aa~50:1000 b@10=zz~50:1000"},
	},
	{
		// LivenessInfo.supersedes: same timestamp and expiry, the lower TTL wins.
		name: "expiring livenesses tie on timestamp and expiry",
		ssts: [][]tPart{
			{part("k1", rowAt(1).L(ttlLive(10, 100, 1000)))},
			{part("k1", rowAt(1).L(ttlLive(10, 50, 1000)))},
		},
		want: []string{"k1 #2", "  [1] L@10~50:1000"},
	},
	{
		// An expired cell stays in the merge: it still wins a tie against a live value.
		name: "tombstones and expiring cells win timestamp ties across inputs",
		ssts: [][]tPart{
			{part("k1", rowAt(1).C(cellv(colA, 10, "zz"), cellv(colB, 10, "zz"), mcell(10, "k", "zz")))},
			{part("k1", rowAt(1).C(tomb(colA, 10, 5), expiring(colB, 10, 1, 3, "aa"), tCell{col: colM, ts: 10, ldt: 4, tomb: true, path: "k"}))},
		},
		want: []string{"k1 #2", "  [1] a@10x5 b@10=aa~1:3 m[k]@10x4"},
	},
	{
		// compareValues is unsigned in 4.0+ (ByteBuffer.compareTo, signed, in 3.x).
		name: "equal timestamps across inputs: the greater value, unsigned",
		ssts: [][]tPart{
			{part("k1", rowAt(1).C(cellv(colA, 10, "\x7f")))},
			{part("k1", rowAt(1).C(cellv(colA, 10, "\x80")))},
			{part("k1", rowAt(1).C(cellv(colA, 10, "\x7f\xff")))},
		},
		want: []string{"k1 #3", "  [1] a@10=\x80"},
	},
	{
		name: "static rows merge across inputs; an empty static row is not emitted",
		ssts: [][]tPart{
			{part("k1").Static(staticRow().SC(cellv(colS, 10, "s10")).SL(liveAt(10))), part("k2")},
			{part("k1").Static(staticRow().SC(tomb(colS, 20, 1)))},
			{part("k1", rowAt(1).C(cellv(colA, 1, "a"))).Static(staticRow().SL(liveAt(15)))},
		},
		want: []string{"k1 #3", "  static L@15 s@20x1", "  [1] a@1=a", "k2 #1"},
	},
}

func (sc scenario) inputs(t testing.TB, order []int) (*testSchema, []Input) {
	s := newSchema(t, max(sc.nck, 1))
	var ins []Input
	for _, i := range order {
		ins = append(ins, s.sst(t, sc.ssts[i]...))
	}
	return s, ins
}

// TestMergeScenarios runs every scenario in every input order: the 4.0+ rules are
// commutative (FORMAT.md §9: a CONSISTENCY ALL read is one merge over the union).
func TestMergeScenarios(t *testing.T) {
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			order := make([]int, len(sc.ssts))
			for i := range order {
				order[i] = i
			}
			for _, perm := range permutations(order) {
				s, ins := sc.inputs(t, perm)
				got := run(t, s, ins...)
				if !slices.Equal(got, sc.want) {
					t.Fatalf("inputs in order %v:\ngot:\n%s\nwant:\n%s", perm, strings.Join(got, "\n"), strings.Join(sc.want, "\n"))
				}
			}
		})
	}
}

// TestMergeDuplicates feeds the same SSTable 1, 2 and 3 times (identical data on
// every replica): the result must not change.
func TestMergeDuplicates(t *testing.T) {
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			s := newSchema(t, max(sc.nck, 1))
			var data [][]byte
			for _, parts := range sc.ssts {
				data = append(data, s.encode(t, parts...))
			}
			var ins []Input
			for _, d := range data {
				ins = append(ins, s.input(d))
			}
			want := run(t, s, ins...)
			for copies := 2; copies <= 3; copies++ {
				ins = ins[:0]
				for _, d := range data {
					for range copies {
						ins = append(ins, s.input(d))
					}
				}
				got := stripSources(run(t, s, ins...))
				if !slices.Equal(got, stripSources(want)) {
					t.Fatalf("%d copies:\ngot:\n%s\nwant:\n%s", copies, strings.Join(got, "\n"), strings.Join(want, "\n"))
				}
			}
		})
	}
}

func stripSources(lines []string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		if j := strings.Index(l, " #"); j >= 0 && !strings.HasPrefix(l, " ") {
			k := strings.IndexByte(l[j+1:], ' ')
			if k < 0 {
				l = l[:j]
			} else {
				l = l[:j] + l[j+1+k:]
			}
		}
		out[i] = l
	}
	return out
}

func permutations(a []int) [][]int {
	if len(a) <= 1 {
		return [][]int{slices.Clone(a)}
	}
	var out [][]int
	for i := range a {
		rest := append(slices.Clone(a[:i]), a[i+1:]...)
		for _, p := range permutations(rest) {
			out = append(out, append([]int{a[i]}, p...))
		}
	}
	return out
}

// TestPartitionOrder interleaves partitions of several inputs: the merge visits
// them in (token, key) order (DecoratedKey.compareTo), each once.
func TestPartitionOrder(t *testing.T) {
	s := newSchema(t, 1)
	var sets [3][]tPart
	var keys []string
	for i := range 30 {
		k := fmt.Sprintf("key%02d", i)
		keys = append(keys, k)
		sets[i%3] = append(sets[i%3], part(k, rowAt(int32(i)).C(cellv(colA, 1, k))))
		if i%5 == 0 { // some partitions in two inputs
			sets[(i+1)%3] = append(sets[(i+1)%3], part(k, rowAt(int32(i)).C(cellv(colB, 2, k))))
		}
	}
	got := run(t, s, s.sst(t, sets[0]...), s.sst(t, sets[1]...), s.sst(t, sets[2]...))
	var gotKeys []string
	for _, l := range got {
		if !strings.HasPrefix(l, " ") {
			gotKeys = append(gotKeys, l)
		}
	}
	p := s.table.Partitioner
	slices.SortFunc(keys, func(a, b string) int {
		return strings.Compare(string(p.AppendToken(nil, []byte(a))), string(p.AppendToken(nil, []byte(b))))
	})
	var want []string
	for _, k := range keys {
		n := 1
		var i int
		fmt.Sscanf(k, "key%02d", &i)
		if i%5 == 0 {
			n = 2
		}
		want = append(want, fmt.Sprintf("%s #%d", k, n))
	}
	if !slices.Equal(gotKeys, want) {
		t.Fatalf("partitions:\n%v\nwant\n%v", gotKeys, want)
	}
}

// TestTokenRange splits one SSTable's scan into token ranges (Input.Lo < t <= Hi):
// the ranges' union is every partition once, whatever the scan's byte bounds.
func TestTokenRange(t *testing.T) {
	s := newSchema(t, 1)
	var parts []tPart
	for i := range 20 {
		k := fmt.Sprintf("p%d", i)
		parts = append(parts, part(k, rowAt(1).C(cellv(colA, 1, k))))
	}
	data := s.encode(t, parts...)
	full := run(t, s, s.input(data))
	if len(full) != 40 {
		t.Fatalf("full scan: %d lines", len(full))
	}
	// Tokens of the 5th and 12th partitions (in token order) as split points.
	p := s.table.Partitioner
	var toks [][]byte
	for i := 0; i < len(full); i += 2 {
		k := strings.Fields(full[i])[0]
		toks = append(toks, p.AppendToken(nil, []byte(k)))
	}
	lo, hi := toks[4], toks[11]
	in := func(l, h []byte) Input {
		x := s.input(data)
		x.Lo, x.Hi = l, h
		return x
	}
	tests := []struct {
		name   string
		inputs []Input
		want   []string
	}{
		{"(-inf, lo]", []Input{in(nil, lo)}, full[:10]},
		{"(lo, hi]", []Input{in(lo, hi)}, full[10:24]},
		{"(hi, +inf)", []Input{in(hi, nil)}, full[24:]},
		{"three ranges of one scan", []Input{in(hi, nil), in(nil, lo), in(lo, hi)}, full},
		{"empty range", []Input{in(hi, hi)}, nil},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := run(t, s, tc.inputs...)
			if !slices.Equal(got, tc.want) {
				t.Fatalf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
	// Two replicas' copies, each split in two ranges: every partition once, from 2 sources.
	got := stripSources(run(t, s, in(nil, lo), in(lo, nil), in(nil, hi), in(hi, nil)))
	if !slices.Equal(got, stripSources(full)) {
		t.Fatalf("split replicas:\n%s", strings.Join(got, "\n"))
	}
}

// TestCellsSortedByColumn: rendering relies on Row.Cells sorted by (column, path)
// even when an SSTable's on-disk column order differs from Table.Columns (a
// column added later sorts first on disk).
func TestCellsSortedByColumn(t *testing.T) {
	s := newSchema(t, 1)
	// A second SSTable whose layout has a new regular column "0new" first on disk.
	s2 := newSchema(t, 1)
	s2.layout.Regular = append([]row.Column{{Name: []byte("0new"), FixedLen: -1}}, s2.layout.Regular...)
	s2.table.Columns = append(s2.table.Columns, Column{})
	s.table = s2.table
	s2.regularMap = []int{4, colA, colB, colM}
	colNames = append(colNames[:4:4], "new")
	defer func() { colNames = colNames[:4] }()
	got := run(t, s2,
		s.sst(t, part("k", rowAt(1).C(cellv(colA, 1, "a"), mcell(1, "x", "1")))),
		s2.sst(t, part("k", rowAt(1).C(cellv(4, 1, "n"), cellv(colB, 1, "b"), mcell(2, "y", "2")).CDel(colM, dt(0, 0)))),
	)
	want := []string{"k #2", "  [1] a@1=a b@1=b m[x]@1=1 m[y]@2=2 new@1=n m!@0/0"}
	if !slices.Equal(got, want) {
		t.Fatalf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	// A single input whose column order differs from the table's.
	got = run(t, s2, s2.sst(t, part("k", rowAt(1).C(cellv(4, 1, "n"), cellv(colA, 1, "a")).CDel(colM, dt(3, 3)))))
	want = []string{"k #1", "  [1] a@1=a new@1=n m!@3/3"}
	if !slices.Equal(got, want) {
		t.Fatalf("got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

// benchInputs encodes n SSTables of parts partitions × rows rows each. With
// overlap, every SSTable holds every row (three versions of each row to merge,
// different timestamps per replica); otherwise SSTable i holds rows ≡ i mod n.
func benchInputs(b *testing.B, n, parts, rows int, overlap bool) (*testSchema, [][]byte, int) {
	s := newSchema(b, 1)
	var data [][]byte
	total := 0
	for i := range n {
		var ps []tPart
		for p := range parts {
			var items []any
			for r := range rows {
				if !overlap && r%n != i {
					continue
				}
				ts := int64(1000 + r + i)
				items = append(items, rowAt(int32(r)).L(liveAt(ts)).C(
					cellv(colA, ts, "value-a"), cellv(colB, ts-1, "value-b"),
					mcell(ts, "k1", "v1"), mcell(ts, "k2", "v2")))
			}
			ps = append(ps, part(fmt.Sprintf("partition-%d", p), items...))
		}
		d := s.encode(b, ps...)
		data = append(data, d)
		total += len(d)
	}
	return s, data, total
}

// BenchmarkMerge merges 3 SSTables of 10 partitions × 1,000 rows (4 cells each).
// allocs/row must stay ~0: the hot path does not allocate per row or per cell.
func BenchmarkMerge(b *testing.B) {
	for _, bc := range []struct {
		name    string
		overlap bool
	}{{"overlapping", true}, {"disjoint", false}} {
		b.Run(bc.name, func(b *testing.B) {
			s, data, total := benchInputs(b, 3, 10, 1000, bc.overlap)
			b.SetBytes(int64(total))
			b.ReportAllocs()
			var ms0, ms1 runtime.MemStats
			runtime.ReadMemStats(&ms0)
			rows, cells := 0, 0
			for b.Loop() {
				ins := make([]Input, len(data))
				for i, d := range data {
					ins[i] = s.input(d)
					ins[i].Scanner = row.NewScanner(s.layout, &memSource{d, 64 << 10}, "bench", 0, int64(len(d)))
				}
				m := New(s.table, ins)
				for m.NextPartition() {
					for m.NextRow() {
						rows++
						cells += len(m.Row().Cells)
					}
				}
				if err := m.Err(); err != nil {
					b.Fatal(err)
				}
			}
			runtime.ReadMemStats(&ms1)
			b.ReportMetric(float64(ms1.Mallocs-ms0.Mallocs)/float64(rows), "allocs/row")
			b.ReportMetric(float64(b.Elapsed().Nanoseconds())/float64(rows), "ns/row")
			_ = cells
		})
	}
}

// TestComplexDeletionsSorted: Row.ComplexDeletions is in column order on every
// path, also for a single version whose on-disk column order (m before n, by name)
// differs from Table.Columns (n first: it came from an older SSTable).
func TestComplexDeletionsSorted(t *testing.T) {
	s := newSchema(t, 1)
	s.layout.Regular = append(s.layout.Regular, row.Column{Name: []byte("n"), Complex: true, FixedLen: -1})
	s.table.Columns = []Column{{Static: true}, {}, {}, {Complex: true, PathCompare: bytes.Compare}, {Complex: true, PathCompare: bytes.Compare}}
	// Table: 0 s, 1 a, 2 b, 3 n, 4 m. On disk: a, b, m, n.
	s.regularMap = []int{colA, colB, 4, 3}
	data := s.encode(t, part("k", rowAt(1).CDel(4, dt(5, 5)).CDel(3, dt(6, 6)).C(cellv(colA, 7, "a"))))
	for _, copies := range []int{1, 2} {
		var ins []Input
		for range copies {
			ins = append(ins, s.input(data))
		}
		m := New(s.table, ins)
		if !m.NextPartition() || !m.NextRow() || !m.Row().Static || !m.NextRow() {
			t.Fatal(m.Err())
		}
		got := m.Row().ComplexDeletions
		want := []rows.ComplexDeletion{{Column: 3, Deletion: dt(6, 6)}, {Column: 4, Deletion: dt(5, 5)}}
		if !slices.Equal(got, want) {
			t.Errorf("%d copies: complex deletions %v, want %v", copies, got, want)
		}
	}
}

// TestSingleVersionComplexDeletion: one ordered version whose map carries a
// complex deletion (what an INSERT of a collection writes) keeps the map cells
// newer than the deletion, drops the covered ones, and reports the deletion.
func TestSingleVersionComplexDeletion(t *testing.T) {
	s := newSchema(t, 1)
	data := s.encode(t, part("k",
		rowAt(1).C(cellv(colA, 7, "a"), mcell(4, "old", "x"), mcell(6, "new", "y"), cellv(colB, 3, "b")).CDel(colM, dt(5, 5)),
		rowAt(2).C(cellv(colA, 7, "a"), mcell(6, "k", "v")).CDel(colM, dt(5, 5))))
	got := regularRows(t, New(s.table, []Input{s.input(data)}), func(r *Row) string {
		want := []rows.ComplexDeletion{{Column: colM, Deletion: dt(5, 5)}}
		if !slices.Equal(r.ComplexDeletions, want) {
			t.Errorf("complex deletions %v, want %v", r.ComplexDeletions, want)
		}
		return ""
	})
	if want := "1:=a@7 2:=b@3 3:new=y@6 | 1:=a@7 3:k=v@6 |"; got != want {
		t.Errorf("cells %s, want %s", got, want)
	}
}

// TestSingleVersionComplexDeletionSameColumns is TestSingleVersionComplexDeletion
// for a table without static columns, whose column map is the identity (cells
// keep their ids as decoded): covered cells are still dropped.
func TestSingleVersionComplexDeletionSameColumns(t *testing.T) {
	s := newSchema(t, 1)
	s.layout.Static, s.staticMap = nil, nil
	s.table.Columns = s.table.Columns[1:] // a, b, m at 0, 1, 2
	s.regularMap = []int{0, 1, 2}
	m := func(ts int64, k, v string) tCell { return tCell{col: 2, ts: ts, path: k, val: v} }
	data := s.encode(t, part("k",
		rowAt(1).C(cellv(0, 7, "a"), m(4, "old", "x"), m(6, "new", "y"), cellv(1, 3, "b")).CDel(2, dt(5, 5)),
		rowAt(2).C(cellv(0, 7, "a"), m(6, "k", "v")).CDel(2, dt(5, 5))))
	got := regularRows(t, New(s.table, []Input{s.input(data)}), func(r *Row) string {
		want := []rows.ComplexDeletion{{Column: 2, Deletion: dt(5, 5)}}
		if !slices.Equal(r.ComplexDeletions, want) {
			t.Errorf("complex deletions %v, want %v", r.ComplexDeletions, want)
		}
		return ""
	})
	if want := "0:=a@7 1:=b@3 2:new=y@6 | 0:=a@7 2:k=v@6 |"; got != want {
		t.Errorf("cells %s, want %s", got, want)
	}
}

// TestDroppedColumn: cells and complex deletions of a dropped column written at
// or before the drop are discarded, newer ones kept, on the single-version path
// and the merged one (DeserializationHelper.isDropped, isDroppedComplexDeletion).
func TestDroppedColumn(t *testing.T) {
	s := newSchema(t, 1)
	s.table.Columns[colA].Dropped, s.table.Columns[colA].DroppedAt = true, 5
	s.table.Columns[colM].Dropped, s.table.Columns[colM].DroppedAt = true, 5
	s.table.HasDropped = true
	data := s.encode(t, part("k",
		rowAt(1).C(cellv(colA, 5, "gone"), cellv(colB, 3, "b"), mcell(4, "old", "x"), mcell(6, "new", "y")).CDel(colM, dt(4, 4)),
		rowAt(2).C(cellv(colA, 6, "kept"), mcell(5, "k", "v"))))
	for _, copies := range []int{1, 2} {
		var ins []Input
		for range copies {
			ins = append(ins, s.input(data))
		}
		got := regularRows(t, New(s.table, ins), func(r *Row) string {
			if len(r.ComplexDeletions) != 0 {
				t.Errorf("%d copies: complex deletions %v survive the drop", copies, r.ComplexDeletions)
			}
			return ""
		})
		if want := "2:=b@3 3:new=y@6 | 1:=kept@6 |"; got != want {
			t.Errorf("%d copies: cells %s, want %s", copies, got, want)
		}
	}
}

// regularRows merges the first partition of m and spells its regular rows'
// cells ("column:path=value@timestamp", rows ended by "|"), calling check on
// each row and spelling what it returns (if anything) before the "|".
func regularRows(t *testing.T, m *Merger, check func(r *Row) string) string {
	t.Helper()
	if !m.NextPartition() {
		t.Fatal(m.Err())
	}
	var got []string
	for m.NextRow() {
		r := m.Row()
		if r.Static {
			continue
		}
		for _, c := range r.Cells {
			got = append(got, fmt.Sprintf("%d:%s=%s@%d", c.Column, c.Path, c.Value, c.Timestamp))
		}
		if extra := check(r); extra != "" {
			got = append(got, extra)
		}
		got = append(got, "|")
	}
	return strings.Join(got, " ")
}

// TestTombstoneCount pins Tombstones: partition, range, row (shadowable too),
// collection and cell tombstones, once per input holding them, the same on the
// single-version path (where a cell its own complex deletion covers still
// counts) and the merged one.
func TestTombstoneCount(t *testing.T) {
	s := newSchema(t, 1)
	coveredTomb := tCell{col: colM, ts: 4, path: "y", ldt: 1, tomb: true}
	data := s.encode(t,
		part("k1",
			// single path: a cell tombstone, a collection deletion, a covered tombstone = 3
			rowAt(1).C(tomb(colA, 10, 1), cellv(colB, 10, "b"), mcell(12, "x", "1"), coveredTomb).CDel(colM, dt(5, 5)),
			// a row deletion sends the row through mergeCells: the deletion and a cell tombstone = 2
			rowAt(2).Del(dt(20, 2)).C(tomb(colB, 30, 3)),
			// a shadowable deletion = 1
			rowAt(3).Shadow(dt(8, 1)).C(cellv(colA, 9, "a"))),
		part("k2", rowAt(1).C(cellv(colA, 1, "a"))).PDel(dt(3, 3)), // a partition deletion = 1
	)
	for n, want := range map[int]int64{1: 7, 2: 14, 3: 21} {
		var ins []Input
		for range n {
			ins = append(ins, s.input(data))
		}
		m := New(s.table, ins)
		for m.NextPartition() {
			for m.NextRow() {
			}
		}
		if err := m.Err(); err != nil {
			t.Fatal(err)
		}
		if got := m.Tombstones(); got != want {
			t.Errorf("%d inputs: %d tombstones, want %d", n, got, want)
		}
	}
}

// TestSingleInputMatchesDuplicates runs each SSTable of every scenario alone,
// through the one-input path (nextPartitionSingle, mergeSingle, singleCells),
// and as two copies of itself, through the merged one: partition, range, row
// and shadowable deletions, static rows, TTLs and collections must come out
// the same, and the tombstones counted once per copy.
func TestSingleInputMatchesDuplicates(t *testing.T) {
	for _, sc := range scenarios {
		t.Run(sc.name, func(t *testing.T) {
			s := newSchema(t, max(sc.nck, 1))
			for i, parts := range sc.ssts {
				data := s.encode(t, parts...)
				one := New(s.table, []Input{s.input(data)})
				two := New(s.table, []Input{s.input(data), s.input(data)})
				got, want := stripSources(runMerger(t, s, one)), stripSources(runMerger(t, s, two))
				if !slices.Equal(got, want) {
					t.Fatalf("sstable %d alone:\n%s\ntwice:\n%s", i, strings.Join(got, "\n"), strings.Join(want, "\n"))
				}
				if 2*one.Tombstones() != two.Tombstones() {
					t.Errorf("sstable %d: %d tombstones alone, %d twice", i, one.Tombstones(), two.Tombstones())
				}
			}
		})
	}
}

// TestSingleVersionCoveredCells pins the one-version fast path (singleCells)
// against the merged one (mergeCells, two identical inputs) on rows where
// complex deletions cover cells in the middle of a row and of two collections
// (one written at the deletion's own timestamp), where a deletion's column has
// no cells, and where a row has none: the cells kept, the complex deletions
// reported and the tombstones counted must agree, with column ids mapped (a
// static column shifts them) and as decoded.
func TestSingleVersionCoveredCells(t *testing.T) {
	for _, static := range []bool{true, false} {
		s := newSchema(t, 1)
		s.layout.Regular = append(s.layout.Regular, row.Column{Name: []byte("n"), Complex: true, FixedLen: -1})
		s.table.Columns = append(s.table.Columns, Column{Complex: true, PathCompare: bytes.Compare})
		s.regularMap = append(s.regularMap, 4)
		a, b, m, n := colA, colB, colM, 4
		if !static {
			s.layout.Static, s.staticMap = nil, nil
			s.table.Columns = s.table.Columns[1:]
			a, b, m, n = 0, 1, 2, 3
			s.regularMap = []int{a, b, m, n}
		}
		mc := func(col int, ts int64, k, v string) tCell { return tCell{col: col, ts: ts, path: k, val: v} }
		data := s.encode(t, part("k",
			rowAt(1).C(cellv(a, 7, "a"), tomb(b, 8, 1), mc(m, 6, "x", "1"), mc(m, 2, "y", "2"),
				mc(n, 9, "p", "3"), mc(n, 3, "q", "4"), tCell{col: n, ts: 10, path: "r", ldt: 1, tomb: true}).
				CDel(m, dt(5, 5)).CDel(n, dt(4, 4)),
			rowAt(2).C(cellv(a, 7, "a"), mc(n, 9, "p", "3"), mc(n, 4, "q", "4")).CDel(m, dt(5, 5)).CDel(n, dt(4, 4)),
			rowAt(3).C(tomb(a, 1, 1), cellv(b, 1, "b"))))
		want := fmt.Sprintf("%[1]d:=a@7 %[2]d:=@8 %[3]d:x=1@6 %[4]d:p=3@9 %[4]d:r=@10 {%[3]d@5 %[4]d@4} | "+
			"%[1]d:=a@7 %[4]d:p=3@9 {%[3]d@5 %[4]d@4} | %[1]d:=@1 %[2]d:=b@1 {} |", a, b, m, n)
		for _, copies := range []int{1, 2} {
			var ins []Input
			for range copies {
				ins = append(ins, s.input(data))
			}
			mg := New(s.table, ins)
			if got := spellRows(t, mg); got != want {
				t.Errorf("static %v, %d copies:\n got %s\nwant %s", static, copies, got, want)
			}
			if want := int64(7 * copies); mg.Tombstones() != want {
				t.Errorf("static %v, %d copies: %d tombstones, want %d", static, copies, mg.Tombstones(), want)
			}
		}
	}
}

// spellRows spells the regular rows of m's first partition as regularRows
// does, each row's complex deletions ("{column@markedForDeleteAt ...}") before
// its "|".
func spellRows(t *testing.T, m *Merger) string {
	t.Helper()
	return regularRows(t, m, func(r *Row) string {
		var cds []string
		for _, cd := range r.ComplexDeletions {
			cds = append(cds, fmt.Sprintf("%d@%d", cd.Column, cd.Deletion.MarkedForDeleteAt))
		}
		return "{" + strings.Join(cds, " ") + "}"
	})
}

// TestSingleCellsLiveComplexDeletion: a live complex deletion (a stream may
// carry one; the 3.0+ decoder drops them) is not reported and covers nothing,
// whether the row's complex deletions are passed through (identity map) or
// mapped.
func TestSingleCellsLiveComplexDeletion(t *testing.T) {
	for _, same := range []bool{true, false} {
		m := New(&Table{Columns: make([]Column, 4)}, nil)
		cmap := []int{1, 2, 3}
		if same {
			cmap = []int{0, 1, 2}
		}
		u := &rows.Unfiltered{
			Cells: []rows.Cell{
				{Column: 1, Timestamp: math.MinInt64}, // not covered by a live deletion
				{Column: 2, Timestamp: 4},             // covered
				{Column: 2, Timestamp: 6},
			},
			ComplexDeletions: []rows.ComplexDeletion{{Column: 1, Deletion: rows.Live}, {Column: 2, Deletion: dt(5, 5)}},
		}
		m.singleCells(u, cmap, same)
		got := m.Row()
		wantCD := []rows.ComplexDeletion{{Column: cmap[2], Deletion: dt(5, 5)}}
		if !slices.Equal(got.ComplexDeletions, wantCD) {
			t.Errorf("same %v: complex deletions %v, want %v", same, got.ComplexDeletions, wantCD)
		}
		var cols, ts []int64
		for _, c := range got.Cells {
			cols, ts = append(cols, int64(c.Column)), append(ts, c.Timestamp)
		}
		if want := []int64{int64(cmap[1]), int64(cmap[2])}; !slices.Equal(cols, want) || !slices.Equal(ts, []int64{math.MinInt64, 6}) {
			t.Errorf("same %v: cells at columns %v timestamps %v, want columns %v timestamps [MinInt64 6]", same, cols, ts, want)
		}
	}
}

// TestFirstCoveredAgreesWithScanCells checks the decoder-indexed path of
// singleCells against scanCells on random rows: same first covered cell, and
// the decoder's tombstone count is what scanCells counts.
func TestFirstCoveredAgreesWithScanCells(t *testing.T) {
	x := uint64(0x9E3779B97F4A7C15)
	next := func(n int) int { // xorshift64*
		x ^= x >> 12
		x ^= x << 25
		x ^= x >> 27
		return int((x * 0x2545F4914F6CDD1D) >> 33 % uint64(n))
	}
	for iter := range 20000 {
		ncols := 1 + next(6)
		runs := make([][2]int, ncols)
		var cells []rows.Cell
		var cds []rows.ComplexDeletion
		tombs := 0
		for c := range ncols {
			start := len(cells)
			for range next(4) {
				cell := rows.Cell{Column: c, Timestamp: int64(10 + next(10)), Tombstone: next(5) == 0}
				if cell.Tombstone {
					tombs++
				}
				cells = append(cells, cell)
			}
			runs[c] = [2]int{start, len(cells)}
			switch next(3) {
			case 0:
				cds = append(cds, rows.ComplexDeletion{Column: c, Deletion: rows.DeletionTime{MarkedForDeleteAt: int64(5 + next(10)), LocalDeletionTime: 1}})
			case 1:
				cds = append(cds, rows.ComplexDeletion{Column: c, Deletion: rows.Live})
			}
		}
		wantT, want := scanCells(cells, cds)
		if got := firstCovered(cells, runs, cds); got != want || int64(tombs) != wantT {
			t.Fatalf("row %d (cells %v, deletions %v): firstCovered %d, tombstones %d; scanCells %d, %d", iter, cells, cds, got, tombs, want, wantT)
		}
	}
}
