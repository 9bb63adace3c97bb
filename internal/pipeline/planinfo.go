package pipeline

import (
	"context"

	"github.com/aegisthus/aegisthus/internal/plan"
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
	// Base and BaseParts, with Options.Base: the previous export, and per unit the
	// paths of its part files that the unit reads.
	Base      string     `json:"base,omitempty"`
	BaseParts [][]string `json:"base_parts,omitempty"`
}

// Plan prepares the export o describes, as Export would, and describes its plan.
func Plan(ctx context.Context, store storage.Store, o Options) (*PlanResult, error) {
	j, err := Prepare(ctx, store, o)
	if err != nil {
		return nil, err
	}
	defer j.Close()
	return j.Describe(), nil
}

// Describe says what the job will read: its SSTables, units with their token
// bounds, and the base's parts each unit reads.
func (j *Job) Describe() *PlanResult {
	res := &PlanResult{Table: j.o.Table.String(), Plan: j.pl}
	if b := j.base; b != nil {
		res.Base = j.o.Base
		for _, u := range j.pl.Units {
			var names []string
			for _, p := range b.parts {
				if plan.Overlaps(u.Lo, u.Hi, p.lo, p.hi) {
					names = append(names, p.path)
				}
			}
			res.BaseParts = append(res.BaseParts, names)
		}
	}
	for _, s := range j.ssts {
		res.SSTables = append(res.SSTables, dataPath(s))
	}
	pt := j.tbl.Partitioner
	for _, u := range j.pl.Units {
		lo, hi := "", ""
		if u.Lo != nil {
			lo = pt.FormatToken(u.Lo)
		}
		if u.Hi != nil {
			hi = pt.FormatToken(u.Hi)
		}
		res.Lo, res.Hi = append(res.Lo, lo), append(res.Hi, hi)
	}
	return res
}
