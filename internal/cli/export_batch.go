package cli

import (
	"context"
	"errors"
	"fmt"
	"io"

	"github.com/aegisthus/aegisthus/internal/discover"
	"github.com/aegisthus/aegisthus/internal/pipeline"
	"github.com/aegisthus/aegisthus/internal/storage"
)

// runBatch exports many tables, each into --out/<keyspace>/<table>/.
func (o *exportOptions) runBatch(ctx context.Context, store storage.Store, stderr io.Writer, sets []*discover.SSTableSet, skipped []pipeline.SkippedTable, notes []string) error {
	if len(o.keys) > 0 {
		return &UsageError{errors.New("--key picks partitions of one table; the inputs hold " + fmt.Sprint(len(sets)) + " tables")}
	}
	specs, err := o.schema.tableSpecs(store, sets)
	if err != nil {
		return err
	}
	po, out, prog, err := o.start(ctx, stderr)
	if err != nil {
		return err
	}
	log := po.Log
	for _, n := range notes {
		log.Info(n)
	}
	po.Base = ""
	bo := pipeline.BatchOptions{Options: po, Tables: specs, Skipped: skipped, BaseRoot: o.base, FailFast: o.failFast}
	b, err := pipeline.PrepareBatch(ctx, store, bo)
	if err != nil {
		prog.finish()
		return classifyPipeline(err)
	}
	sum, err := b.Run(ctx, out)
	prog.finish()
	if sum != nil {
		o.batchSummary(stderr, log, sum)
	}
	if err != nil {
		return classifyPipeline(err)
	}
	return nil
}
