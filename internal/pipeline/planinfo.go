package pipeline

import (
	"context"

	"github.com/aegisthus/aegisthus/internal/cql"
	"github.com/aegisthus/aegisthus/internal/discover"
	"github.com/aegisthus/aegisthus/internal/plan"
	"github.com/aegisthus/aegisthus/internal/sstable"
	"github.com/aegisthus/aegisthus/internal/storage"
	"github.com/aegisthus/aegisthus/internal/table"
)

// PlanResult is what `aegisthus plan` prints: the plan, the SSTables it indexes
// and each unit's token bounds as Cassandra prints tokens ("" = open end).
type PlanResult struct {
	Table    string     `json:"table"`
	SSTables []string   `json:"sstables"`
	Plan     *plan.Plan `json:"plan"`
	Lo       []string   `json:"lo_tokens"`
	Hi       []string   `json:"hi_tokens"`
}

// Plan opens the table's SSTables and plans them as Export would.
func Plan(ctx context.Context, store storage.Store, t *discover.Table, schema *cql.Table, splitSize int64) (*PlanResult, error) {
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
	tbl, err := table.Build(ssts)
	if err != nil {
		return nil, err
	}
	pl, err := plan.Make(store, ssts, tbl.Partitioner, splitSize)
	if err != nil {
		return nil, err
	}
	res := &PlanResult{Table: t.String(), Plan: pl}
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
