package render

import (
	"slices"
	"testing"

	"github.com/aegisthus/aegisthus/internal/rows"
	"github.com/aegisthus/aegisthus/internal/schema"
)

// TestLiveRun: all-live cells come back as they are; otherwise the live ones
// are copied into the scratch, which must never be the cells a previous call
// returned (appending to those would overwrite the merged row's cells).
func TestLiveRun(t *testing.T) {
	v := NewVisible(&schema.Table{}, 100, nil)
	cell := func(p string, dead bool) rows.Cell {
		return rows.Cell{Path: []byte(p), Value: []byte("v" + p), Tombstone: dead, TTL: rows.NoTTL, LocalDeletionTime: rows.NoDeletionTime}
	}
	paths := func(cs []rows.Cell) (ps []string) {
		for _, c := range cs {
			ps = append(ps, string(c.Path))
		}
		return ps
	}
	var scratch []rows.Cell
	all := []rows.Cell{cell("a", false), cell("b", false)}
	if got := v.LiveRun(&scratch, all); &got[0] != &all[0] || len(got) != 2 {
		t.Fatalf("all live: got %v, want the cells themselves", paths(got))
	}
	mixed := []rows.Cell{cell("c", false), cell("d", true), cell("e", false)}
	if got := v.LiveRun(&scratch, mixed); !slices.Equal(paths(got), []string{"c", "e"}) {
		t.Fatalf("mixed: got %v, want [c e]", paths(got))
	}
	if !slices.Equal(paths(all), []string{"a", "b"}) || !slices.Equal(paths(mixed), []string{"c", "d", "e"}) {
		t.Fatalf("LiveRun wrote into its input: %v, %v", paths(all), paths(mixed))
	}
	expired := cell("f", false)
	expired.TTL, expired.LocalDeletionTime = 10, 50 // expired at 50, now is 100
	if got := v.LiveRun(&scratch, []rows.Cell{cell("d", true), expired}); len(got) != 0 {
		t.Fatalf("all dead: got %v, want none", paths(got))
	}
}
