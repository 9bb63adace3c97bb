package pipeline

import (
	"context"
	"sync"
	"time"

	"github.com/aegisthus/aegisthus/internal/sink"
)

// Run exports the job into out: it checks out against Options.Resume and
// Options.Overwrite, runs every unit not already committed, and commits
// _manifest.json and _SUCCESS. The first error stops the run.
func (j *Job) Run(ctx context.Context, out sink.Sink) (*Summary, error) {
	unlock, err := lock(ctx, out)
	if err != nil {
		return nil, err
	}
	defer unlock()
	done, err := j.prepareOutput(ctx, out)
	if err != nil {
		return nil, err
	}
	now := j.head.Now // a resumed run keeps the first run's now
	if b := j.base; b != nil {
		j.o.Log.Info("merging a previous export", "base", j.o.Base, "parts", len(b.parts),
			"base_now", time.Unix(b.ref.Now, 0).UTC().Format(time.RFC3339))
	}
	units := j.pl.Units
	j.o.Log.Info("export planned", "table", j.o.Table.String(), "sstables", len(j.ssts), "units", len(units),
		"bytes", j.bytesIn, "resumed_units", len(done), "now", time.Unix(now, 0).UTC().Format(time.RFC3339))

	var (
		mu       sync.Mutex
		parts    = make([]PartInfo, len(units))
		progress = Progress{Units: len(units)}
		todo     = make([]int, 0, len(units))
	)
	for _, u := range units {
		progress.Bytes += u.Bytes
	}
	for id := range units {
		p, ok := done[id]
		if !ok {
			todo = append(todo, id)
			continue
		}
		parts[id] = p
		progress.UnitsDone++
		progress.BytesDone += units[id].Bytes
		progress.Rows += p.Rows
	}
	j.o.Meter.plan(j.start, j.pl, done)
	err = j.runUnits(ctx, out, todo, func(p PartInfo) {
		j.o.Meter.unitDone(&units[p.Unit], &j.counted[p.Unit], p.Rows)
		mu.Lock()
		parts[p.Unit] = p
		progress.UnitsDone++
		progress.BytesDone += units[p.Unit].Bytes
		progress.Rows += p.Rows
		progress.Elapsed = time.Since(j.start)
		snapshot := progress
		mu.Unlock()
		if j.o.Progress != nil {
			j.o.Progress(snapshot)
		}
	})
	if err != nil {
		return nil, err
	}
	if err := j.commit(ctx, out, parts, time.Since(j.start)); err != nil {
		return nil, err
	}
	sum := &Summary{Table: j.o.Table.String(), SSTables: len(j.ssts), Units: len(units), UnitsResumed: len(done),
		Now: now, BytesIn: j.bytesIn}
	for _, p := range parts {
		sum.Rows += p.Rows
		sum.Partitions += p.Partitions
		sum.Tombstones += p.Tombstones
		sum.BytesOut += p.Bytes
	}
	sum.Skipped = len(j.allSkips(parts))
	sum.Duration = time.Since(j.start)
	return sum, nil
}

// runUnits writes and commits the part files of units ids on the job's pool
// of Options.Workers workers, calling committed (from any goroutine) with each
// part committed. It returns the first error, after every worker has stopped;
// parts written but not committed by then are aborted. It writes no manifest:
// any subset of units can run, in any process.
func (j *Job) runUnits(ctx context.Context, out sink.Sink, ids []int, committed func(PartInfo)) error {
	tasks := make([]task, len(ids))
	for i, id := range ids {
		tasks[i] = task{j: j, out: out, id: id}
	}
	return runPool(ctx, j.o.Workers, tasks, poolHooks{
		committed: func(_ task, p PartInfo) { committed(p) },
		failed:    func(_ task, err error) error { return err },
	})
}
