package pipeline

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/aegisthus/aegisthus/internal/sink"
)

// A table's outcome in the top-level manifest.
const (
	StatusOK      = "ok"      // complete: its _SUCCESS is written
	StatusFailed  = "failed"  // Error says why; the others went on
	StatusSkipped = "skipped" // not selected; Reason says why
	StatusGone    = "gone"    // in the base, not in the inputs
)

// TableOutcome is one table in the top-level _manifest.json.
type TableOutcome struct {
	Table      string `json:"table"`
	ID         string `json:"id,omitempty"`
	Dir        string `json:"dir,omitempty"` // below the output root
	Status     string `json:"status"`
	Rows       int64  `json:"rows"`
	Parts      int    `json:"parts"`
	Bytes      int64  `json:"bytes"`
	Incomplete bool   `json:"incomplete,omitempty"` // SSTables were skipped (MaxErrors): see its manifest
	Base       string `json:"base,omitempty"`       // the previous export it merged
	Error      string `json:"error,omitempty"`
	Reason     string `json:"reason,omitempty"`
}

// BatchHead is the top-level _export.json: written first, what a resumed run
// takes its Now from.
type BatchHead struct {
	Tool   string   `json:"tool"`
	Now    int64    `json:"now"`
	NowUTC string   `json:"now_utc"`
	Tables []string `json:"tables"` // directories below the root
	Base   string   `json:"base,omitempty"`
}

// BatchManifest is the top-level _manifest.json: every table's outcome.
type BatchManifest struct {
	BatchHead
	OK         int            `json:"ok"`
	Failed     int            `json:"failed"`
	Skipped    int            `json:"skipped"`
	Gone       int            `json:"gone,omitempty"`
	Outcomes   []TableOutcome `json:"outcomes"`
	FinishedAt string         `json:"finished_at"`
	DurationS  float64        `json:"duration_s"`
}

// BatchSummary is what a batch did.
type BatchSummary struct {
	Manifest BatchManifest
	Rows     int64
	BytesOut int64
	Duration time.Duration
}

// Run exports every prepared table into out/<keyspace>/<table>/ on one pool of
// Options.Workers workers, units largest first table by table (sortTasks). Each table
// commits its manifest and _SUCCESS as soon as its last unit is committed.
// The top-level _manifest.json records every table's outcome; _SUCCESS follows
// it only when every table succeeded, else Run returns a *PartialError.
func (b *Batch) Run(ctx context.Context, out sink.Sink) (*BatchSummary, error) {
	unlock, err := lock(ctx, out)
	if err != nil {
		return nil, err
	}
	defer unlock()
	now, err := b.prepareRoot(ctx, out)
	if err != nil {
		return nil, err
	}
	var tasks []task
	for i, bt := range b.tables {
		ts, err := b.startTable(ctx, out, bt, now)
		if err != nil {
			return nil, err
		}
		for _, t := range ts {
			t.tag = i
			tasks = append(tasks, t)
		}
	}
	sortTasks(tasks)
	prog := b.newProgress(tasks)
	err = runPool(ctx, b.o.Workers, tasks, poolHooks{
		start: func(t task) error { return b.startUnit(b.tables[t.tag], t.id) },
		committed: func(t task, p PartInfo) {
			bt := b.tables[t.tag]
			if err := b.committed(ctx, bt, p); err != nil {
				b.fail(bt, err)
			}
			bt.ended()
			b.o.Meter.unitDone(&t.j.pl.Units[t.id], &t.j.counted[t.id], p.Rows)
			prog(t, p)
		},
		failed: func(t task, err error) error {
			bt := b.tables[t.tag]
			defer bt.ended()
			return b.unitFailed(bt, err)
		},
		skip: func(t task) bool {
			bt := b.tables[t.tag]
			if !bt.failed() {
				return false
			}
			bt.ended()
			return true
		},
	})
	b.Close()
	if err != nil {
		if ctx.Err() == nil && !errors.Is(err, sink.ErrOutput) {
			b.commitRoot(ctx, out, now) // fail-fast: record what failed
		}
		return nil, err
	}
	return b.commitRoot(ctx, out, now)
}

// sortTasks orders a batch's units largest first, so that the long units
// start while the small ones fill the gaps at the end, but table by table: a
// table's units run one after the other (tables by their largest unit, then
// their units largest first), so only the tables the workers are on hold
// their Data.db files open (startUnit, ended), not every table started.
func sortTasks(tasks []task) {
	largest := map[*Job]int64{}
	for _, t := range tasks {
		largest[t.j] = max(largest[t.j], t.j.pl.Units[t.id].Bytes)
	}
	slices.SortStableFunc(tasks, func(x, y task) int {
		if c := cmp.Compare(largest[y.j], largest[x.j]); c != 0 {
			return c
		}
		if c := cmp.Compare(x.tag, y.tag); c != 0 {
			return c
		}
		return cmp.Compare(y.j.pl.Units[y.id].Bytes, x.j.pl.Units[x.id].Bytes)
	})
}

// startTable checks a table's output and returns the tasks of its units left
// to run; a table complete from a previous run (Resume) is kept as it is.
func (b *Batch) startTable(ctx context.Context, root sink.Sink, bt *batchTable, now int64) ([]task, error) {
	out, err := sink.Sub(root, bt.dir)
	if err != nil {
		return nil, outputError(err)
	}
	bt.out = out
	if c, ok := out.(interface{ CleanTemp() error }); ok {
		_ = c.CleanTemp()
	}
	if b.o.Resume {
		if m, ok := readComplete(ctx, out); ok {
			bt.finish(TableOutcome{Rows: m.Rows, Parts: len(m.Parts), Bytes: sumBytes(m.Parts), Incomplete: m.Incomplete}, nil)
			if bt.job != nil {
				bt.job.Close()
			}
			return nil, nil
		}
	}
	j := bt.job
	if j == nil {
		return nil, nil // failed to prepare: reported by commitRoot
	}
	names, err := out.List(ctx)
	if err != nil {
		return nil, outputError(err)
	}
	j.o.Resume, j.o.Overwrite = b.o.Resume && len(names) > 0, false
	j.head.Now, j.head.NowUTC = now, time.Unix(now, 0).UTC().Format(time.RFC3339)
	done, err := j.prepareOutput(ctx, out)
	if err != nil {
		return nil, b.unitFailed(bt, err)
	}
	units := j.pl.Units
	bt.parts = make([]PartInfo, len(units))
	var ts []task
	for id := range units {
		if p, ok := done[id]; ok {
			bt.parts[id] = p
			continue
		}
		ts = append(ts, task{j: j, out: out, id: id})
	}
	bt.left, bt.pending = len(ts), len(ts)
	b.o.Meter.plan(b.start, j.pl, done)
	b.o.Log.Info("table planned", "table", bt.name, "sstables", len(j.ssts), "units", len(units),
		"bytes", j.bytesIn, "resumed_units", len(done), "base", bt.base)
	if bt.left == 0 {
		if err := b.commitTable(ctx, bt); err != nil {
			return nil, b.unitFailed(bt, err)
		}
	}
	return ts, nil
}

// committed records a committed part; the table's last one commits it.
func (b *Batch) committed(ctx context.Context, bt *batchTable, p PartInfo) error {
	bt.mu.Lock()
	bt.parts[p.Unit] = p
	bt.left--
	last := bt.left == 0 && bt.err == nil
	bt.mu.Unlock()
	if !last {
		return nil
	}
	return b.commitTable(ctx, bt)
}

// commitTable writes a table's _manifest.json and _SUCCESS.
func (b *Batch) commitTable(ctx context.Context, bt *batchTable) error {
	j := bt.job
	if err := j.commit(ctx, bt.out, bt.parts, time.Since(b.start)); err != nil {
		return err
	}
	skips := j.allSkips(bt.parts)
	j.Close() // its SSTables are done with: a batch holds few open at the end
	bt.finish(TableOutcome{Parts: len(bt.parts), Bytes: sumBytes(bt.parts), Rows: sumRows(bt.parts), Incomplete: len(skips) > 0}, nil)
	b.o.Log.Info("table done", "table", bt.name, "rows", bt.result.Rows, "parts", bt.result.Parts, "skipped_sstables", len(skips))
	return nil
}

// unitFailed decides on a table's error: the output failing, a cancelled run
// or FailFast stop the batch; otherwise the table fails alone.
func (b *Batch) unitFailed(bt *batchTable, err error) error {
	if errors.Is(err, sink.ErrOutput) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	b.fail(bt, err)
	if b.o.FailFast {
		return fmt.Errorf("%s: %w", bt.name, err)
	}
	return nil
}

func (b *Batch) fail(bt *batchTable, err error) {
	bt.mu.Lock()
	first := bt.err == nil
	if first {
		bt.err = err
	}
	bt.mu.Unlock()
	if first {
		b.o.Log.Error("table failed", "table", bt.name, "error", err)
	}
}

// startUnit opens the table's Data.db files for its first unit to start;
// units of the same table starting meanwhile wait for them.
func (b *Batch) startUnit(bt *batchTable, unit int) error {
	if b.onStart != nil {
		b.onStart(bt.name, unit)
	}
	bt.mu.Lock()
	defer bt.mu.Unlock()
	if bt.open {
		return nil
	}
	if err := bt.job.openData(); err != nil {
		return err
	}
	bt.open = true
	return nil
}

// ended counts a unit of the table that will not run again: after the last,
// the table's Data.db files are closed (a failed table's too).
func (bt *batchTable) ended() {
	bt.mu.Lock()
	defer bt.mu.Unlock()
	if bt.pending--; bt.pending == 0 && bt.open {
		bt.job.closeData()
		bt.open = false
	}
}

func (bt *batchTable) failed() bool {
	bt.mu.Lock()
	defer bt.mu.Unlock()
	return bt.err != nil
}

func (bt *batchTable) finish(r TableOutcome, err error) {
	bt.mu.Lock()
	defer bt.mu.Unlock()
	bt.result, bt.err = &r, err
}

// newProgress returns the batch's progress callback: the totals of every table.
func (b *Batch) newProgress(tasks []task) func(task, PartInfo) {
	var mu sync.Mutex
	p := Progress{Units: len(tasks)}
	for _, t := range tasks {
		p.Bytes += t.j.pl.Units[t.id].Bytes
	}
	return func(t task, pi PartInfo) {
		mu.Lock()
		p.UnitsDone++
		p.BytesDone += t.j.pl.Units[t.id].Bytes
		p.Rows += pi.Rows
		p.Elapsed = time.Since(b.start)
		snap := p
		mu.Unlock()
		if b.o.Progress != nil {
			b.o.Progress(snap)
		}
	}
}

// readComplete reads the manifest of a table whose export is complete.
func readComplete(ctx context.Context, out sink.Sink) (*Manifest, bool) {
	if _, err := out.Get(ctx, SuccessFile); err != nil {
		return nil, false
	}
	mb, err := out.Get(ctx, ManifestFile)
	if err != nil {
		return nil, false
	}
	var m Manifest
	if json.Unmarshal(mb, &m) != nil {
		return nil, false
	}
	return &m, true
}

func sumBytes(ps []PartInfo) (n int64) {
	for _, p := range ps {
		n += p.Bytes
	}
	return n
}

func sumRows(ps []PartInfo) (n int64) {
	for _, p := range ps {
		n += p.Rows
	}
	return n
}
