package pipeline

import (
	"context"
	"errors"
	"testing"

	"github.com/aegisthus/aegisthus/internal/storage"
)

// FuzzReadPlan: a plan file is read by every shard of a scale-out run, so any
// bytes are either refused with ErrBadPlan or give a plan whose units every
// shard can be assigned and whose file reads back. Seed: the sample
// snapshot's real plan.
func FuzzReadPlan(f *testing.F) {
	s := loadSample(f)
	o := s.options()
	pf, err := MakePlan(context.Background(), storage.Local{}, PlanOptions{Options: o, Tables: []PlanSpec{{TableSpec: TableSpec{Table: s.table, Schema: s.schema}}}})
	if err != nil {
		f.Fatal(err)
	}
	f.Add(pf.Marshal())
	f.Fuzz(func(t *testing.T, b []byte) {
		pf, err := ReadPlan(b)
		if err != nil {
			if !errors.Is(err, ErrBadPlan) {
				t.Fatalf("error %v is not ErrBadPlan", err)
			}
			return
		}
		for _, n := range []int{1, 3} {
			for u, sh := range pf.Assign(n) {
				if sh < 0 || sh >= n {
					t.Fatalf("unit %d assigned to shard %d of %d", u, sh, n)
				}
			}
		}
		if got := len(pf.UnitBytes()); got != pf.Units {
			t.Fatalf("%d unit sizes, %d units", got, pf.Units)
		}
		if _, err := ReadPlan(pf.Marshal()); err != nil {
			t.Fatalf("a plan read back does not read again: %v", err)
		}
	})
}
