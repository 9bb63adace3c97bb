package pipeline

import (
	"context"

	"github.com/aegisthus/aegisthus/internal/cql"
	"github.com/aegisthus/aegisthus/internal/discover"
	"github.com/aegisthus/aegisthus/internal/plan"
	"github.com/aegisthus/aegisthus/internal/sstable"
	"github.com/aegisthus/aegisthus/internal/storage"
)

// PlanResult is what `aegisthus plan` prints: the plan, the SSTables it indexes
// and each unit's token bounds as Cassandra prints tokens ("" = open end).
type PlanResult struct {
	Table    string     `json:"table"`
	SSTables []string   `json:"sstables"`
	Plan     *plan.Plan `json:"plan"`
	Lo       []string   `json:"lo_tokens"`
	Hi       []string   `json:"hi_tokens"`
	// Base and BaseParts, with --base: the previous export, and per unit the
	// paths of its part files that the unit reads.
	Base      string     `json:"base,omitempty"`
	BaseParts [][]string `json:"base_parts,omitempty"`
}

// PlanBase names the previous export of an incremental run (export --base) for Plan.
type PlanBase struct {
	Dir   string
	Store storage.Store // where Dir is; nil: the inputs' store
}

// Plan opens the table's SSTables (and base, when set) and plans them as Export would.
func Plan(ctx context.Context, store storage.Store, t *discover.SSTableSet, schema *cql.Table, splitSize int64, pb PlanBase) (*PlanResult, error) {
	var ssts []*sstable.SSTable
	defer func() {
		for _, s := range ssts {
			s.Close()
		}
	}()
	for _, d := range t.SSTables {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		sst, err := sstable.Open(store, d, sstable.Options{Table: schema, Raw: schema == nil})
		if err != nil {
			return nil, err
		}
		ssts = append(ssts, sst)
	}
	if err := checkRaw(ssts); err != nil {
		return nil, err
	}
	var b *base
	var spans []plan.Span
	if pb.Dir != "" {
		if pb.Store == nil {
			pb.Store = store
		}
		var err error
		if b, err = openBase(pb.Store, pb.Dir); err != nil {
			return nil, err
		}
		spans = b.spans()
	}
	tbl, err := buildTable(ssts, b)
	if err != nil {
		return nil, err
	}
	pl, err := plan.MakeWith(store, ssts, tbl.Partitioner, splitSize, spans)
	if err != nil {
		return nil, err
	}
	res := &PlanResult{Table: t.String(), Plan: pl}
	if b != nil {
		res.Base = pb.Dir
		for _, u := range pl.Units {
			var names []string
			for _, p := range b.parts {
				if plan.Overlaps(u.Lo, u.Hi, p.lo, p.hi) {
					names = append(names, p.path)
				}
			}
			res.BaseParts = append(res.BaseParts, names)
		}
	}
	for _, s := range ssts {
		res.SSTables = append(res.SSTables, dataPath(s))
	}
	for _, u := range pl.Units {
		lo, hi := "", ""
		if u.Lo != nil {
			lo = tbl.Partitioner.FormatToken(u.Lo)
		}
		if u.Hi != nil {
			hi = tbl.Partitioner.FormatToken(u.Hi)
		}
		res.Lo, res.Hi = append(res.Lo, lo), append(res.Hi, hi)
	}
	return res, nil
}
