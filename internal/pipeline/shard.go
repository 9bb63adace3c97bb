package pipeline

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/aegisthus/aegisthus/internal/sink"
	"github.com/aegisthus/aegisthus/internal/storage"
)

// Names of the records shards write at the output root: what each committed.
const (
	shardRecordPre = "_shard-"
	unitsRecordPre = "_units-"
)

// ShardRecordName names the record of shard i of n: _shard-00003-of-00008.json.
func ShardRecordName(i, n int) string {
	return fmt.Sprintf("%s%05d-of-%05d.json", shardRecordPre, i, n)
}

// UnitsRecordName names the record of a run of exactly units ids (--units):
// _units-<first>-<digest>.json.
func UnitsRecordName(ids []int) string {
	h := sha256.New()
	for _, id := range ids {
		fmt.Fprintf(h, "%d,", id)
	}
	first := 0
	if len(ids) > 0 {
		first = ids[0]
	}
	return fmt.Sprintf("%s%05d-%s.json", unitsRecordPre, first, hex.EncodeToString(h.Sum(nil)[:4]))
}

// isRecord reports a shard record's name.
func isRecord(name string) bool {
	return (strings.HasPrefix(name, shardRecordPre) || strings.HasPrefix(name, unitsRecordPre)) && strings.HasSuffix(name, ".json")
}

// ShardRecord is what one run of a plan's units committed, written at the
// output root when they all are.
type ShardRecord struct {
	Plan   string `json:"plan"`             // PlanFile.ID
	Shard  int    `json:"shard"`            // -1 for a run of --units
	Shards int    `json:"shards,omitempty"` // N, for a shard
	// Units are every unit of the run, those an earlier attempt committed included.
	Units      []RecordedUnit `json:"units"`
	Resumed    int            `json:"resumed"` // units an earlier attempt had committed
	Host       string         `json:"host"`
	PID        int            `json:"pid"`
	FinishedAt string         `json:"finished_at"`
	DurationS  float64        `json:"duration_s"`
}

// RecordedUnit is one committed unit: its global id, table and part.
type RecordedUnit struct {
	Unit   int    `json:"unit"`
	Table  string `json:"table"`
	Part   string `json:"part"`
	Bytes  int64  `json:"bytes"`
	Rows   int64  `json:"rows"`
	SHA256 string `json:"sha256"`
}

// ShardOptions configure RunShard.
type ShardOptions struct {
	Workers  int
	Version  string
	Log      *slog.Logger
	Progress func(Progress)
	// Units are the global ids of the units to run.
	Units []int
	// Shard and Shards name the shard (Shard -1: a run of Units alone).
	Shard, Shards int
	// Pin is the store the plan's files are checked in (default: store).
	Pin storage.Store
	// Stall, for tests, holds every part written in full for this long
	// before its commit: a process killed then dies mid-unit.
	Stall time.Duration
}

// RunShard runs units of the plan into out, as a single-machine export writes
// them (temporary name, then committed whole; each part's record after it),
// and then writes its ShardRecord at out's root. It holds no lock on out:
// other shards write there at once. Units an earlier attempt committed (a
// part record whose part still has its checksum) are kept; two attempts at
// once write the same bytes, each under its own temporary name or upload, so
// either leaves one valid part per unit. Tables are checked first: a table
// whose files changed since the plan fails with ErrInputChanged, and an
// output holding another run's export of a table with *RunDiffersError.
func (pf *PlanFile) RunShard(ctx context.Context, store storage.Store, out sink.Sink, so ShardOptions) (*ShardRecord, error) {
	start := time.Now()
	if so.Log == nil {
		so.Log = slog.New(slog.DiscardHandler)
	}
	if so.Workers <= 0 {
		so.Workers = runtime.NumCPU()
	}
	if so.Pin == nil {
		so.Pin = store
	}
	byTable := map[int][]int{}
	for _, g := range so.Units {
		ti, u, ok := pf.Locate(g)
		if !ok {
			return nil, &OptionError{Option: "units", Value: strconv.Itoa(g), Err: fmt.Errorf("the plan has units 0 to %d", pf.Units-1)}
		}
		byTable[ti] = append(byTable[ti], u)
	}
	rec := &ShardRecord{Plan: pf.ID(), Shard: so.Shard, Shards: so.Shards}
	var (
		tasks []task
		jobs  = map[int]*Job{}
		left  = map[int]int{} // units not ended, by table
		mu    sync.Mutex
	)
	defer func() {
		for _, j := range jobs {
			j.Close()
		}
	}()
	prog := Progress{}
	for ti := range pf.Tables {
		ts, err := pf.shardTable(ctx, store, out, so, ti, byTable[ti], rec, &prog, jobs)
		if err != nil {
			return nil, err
		}
		tasks = append(tasks, ts...)
		left[ti] = len(ts)
	}
	sortTasks(tasks)
	opened := map[int]bool{}
	ended := func(t task) {
		mu.Lock()
		defer mu.Unlock()
		if left[t.tag]--; left[t.tag] == 0 && opened[t.tag] {
			t.j.closeData()
			opened[t.tag] = false
		}
	}
	err := runPool(ctx, so.Workers, tasks, poolHooks{
		start: func(t task) error {
			mu.Lock()
			defer mu.Unlock()
			if opened[t.tag] {
				return nil
			}
			if err := t.j.openData(); err != nil {
				return err
			}
			opened[t.tag] = true
			return nil
		},
		committed: func(t task, p PartInfo) {
			mu.Lock()
			rec.Units = append(rec.Units, recorded(&pf.Tables[t.tag], t.id, p))
			prog.UnitsDone++
			prog.BytesDone += t.j.pl.Units[t.id].Bytes
			prog.Rows += p.Rows
			prog.Elapsed = time.Since(start)
			snap := prog
			mu.Unlock()
			ended(t)
			if so.Progress != nil {
				so.Progress(snap)
			}
		},
		failed: func(t task, err error) error {
			ended(t)
			return fmt.Errorf("unit %d (%s unit %d): %w", pf.Tables[t.tag].FirstUnit+t.id, pf.Tables[t.tag].Table, t.id, err)
		},
	})
	if err != nil {
		return nil, err
	}
	return rec, pf.writeShardRecord(ctx, out, rec, so, start)
}

// shardTable prepares table ti for the shard's units of it (none: nothing):
// its job (Data.db closed until its first unit), and a task per unit not
// already committed; committed ones go into rec and prog as resumed.
func (pf *PlanFile) shardTable(ctx context.Context, store storage.Store, out sink.Sink, so ShardOptions, ti int, units []int,
	rec *ShardRecord, prog *Progress, jobs map[int]*Job) ([]task, error) {
	if len(units) == 0 {
		return nil, nil
	}
	pt := &pf.Tables[ti]
	if err := pf.verifyInputs(so.Pin, ti); err != nil {
		return nil, err
	}
	j, err := pf.prepareTable(ctx, store, ti, Options{Workers: so.Workers, Version: so.Version, Log: so.Log})
	if err != nil {
		return nil, err
	}
	j.shared, j.stall = true, so.Stall
	j.closeData() // opened again by the table's first unit
	jobs[ti] = j
	tout, err := pf.tableSink(out, ti)
	if err != nil {
		return nil, err
	}
	done, err := pf.startTable(ctx, tout, ti, units)
	if err != nil {
		return nil, err
	}
	var tasks []task
	for _, u := range units {
		prog.Units++
		prog.Bytes += pt.Head.Plan.Units[u].Bytes
		if p, ok := done[u]; ok {
			rec.Units = append(rec.Units, recorded(pt, u, p))
			rec.Resumed++
			prog.UnitsDone++
			prog.BytesDone += pt.Head.Plan.Units[u].Bytes
			prog.Rows += p.Rows
			continue
		}
		tasks = append(tasks, task{j: j, out: tout, id: u, tag: ti})
	}
	so.Log.Info("table planned", "table", pt.Table, "units", len(units), "resumed_units", len(units)-len(tasks))
	return tasks, nil
}

// writeShardRecord writes what the shard (or --units run) committed.
func (pf *PlanFile) writeShardRecord(ctx context.Context, out sink.Sink, rec *ShardRecord, so ShardOptions, start time.Time) error {
	slices.SortFunc(rec.Units, func(a, b RecordedUnit) int { return a.Unit - b.Unit })
	name := UnitsRecordName(so.Units)
	if so.Shard >= 0 {
		name = ShardRecordName(so.Shard, so.Shards)
	}
	rec.Host, _ = os.Hostname()
	rec.PID = os.Getpid()
	rec.FinishedAt = time.Now().UTC().Format(time.RFC3339)
	rec.DurationS = time.Since(start).Seconds()
	b, _ := json.MarshalIndent(rec, "", "  ")
	if err := sink.PutShared(ctx, out, name, append(b, '\n')); err != nil {
		return outputError(err)
	}
	return nil
}

func recorded(pt *PlanTable, u int, p PartInfo) RecordedUnit {
	return RecordedUnit{Unit: pt.FirstUnit + u, Table: pt.Table, Part: p.Name, Bytes: p.Bytes, Rows: p.Rows, SHA256: p.SHA256}
}

// tableSink is where table ti's export goes: its directory, or out itself.
func (pf *PlanFile) tableSink(out sink.Sink, ti int) (sink.Sink, error) {
	if !pf.Tree {
		return out, nil
	}
	s, err := sink.Sub(out, pf.Tables[ti].Dir)
	if err != nil {
		return nil, outputError(err)
	}
	return s, nil
}

// startTable writes table ti's _export.json, or checks that the one there is
// the plan's, and returns which of units are already committed.
func (pf *PlanFile) startTable(ctx context.Context, out sink.Sink, ti int, units []int) (map[int]PartInfo, error) {
	want := pf.headBytes(ti)
	got, err := out.Get(ctx, HeadFile)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		if err := sink.PutShared(ctx, out, HeadFile, want); err != nil {
			return nil, outputError(err)
		}
	case err != nil:
		return nil, outputError(err)
	case !bytes.Equal(got, want):
		return nil, &RunDiffersError{Out: out.String()}
	}
	names, err := out.List(ctx)
	if err != nil {
		return nil, outputError(err)
	}
	return pf.committedParts(ctx, out, ti, names, units, true), nil
}

// committedParts reads the part records of table ti's units (nil: all of
// them) and returns the parts they describe that exist (and, with verify,
// still have their checksum). It reads no other unit's record or part: a
// shard's retry costs its own units, not the output's.
func (pf *PlanFile) committedParts(ctx context.Context, out sink.Sink, ti int, names []string, units []int, verify bool) map[int]PartInfo {
	pt := &pf.Tables[ti]
	c, _ := pt.Head.codec()
	if units == nil {
		units = make([]int, len(pt.Head.Plan.Units))
		for u := range units {
			units[u] = u
		}
	}
	done := map[int]PartInfo{}
	for _, u := range units {
		n := partMetaName(u)
		if _, ok := slices.BinarySearch(names, n); !ok {
			continue
		}
		mb, err := out.Get(ctx, n)
		if err != nil {
			continue
		}
		var p PartInfo
		if json.Unmarshal(mb, &p) != nil || p.Unit != u || p.Name != partName(u, c) {
			continue
		}
		if _, ok := slices.BinarySearch(names, p.Name); !ok {
			continue
		}
		if verify && !verifyPart(ctx, out, p) {
			continue
		}
		done[p.Unit] = p
	}
	return done
}

// create starts a part of the job: a shard's writers share the output with
// other processes' (sink.Shared).
func (j *Job) create(ctx context.Context, out sink.Sink, name string) (w sink.Writer, err error) {
	if sh, ok := out.(sink.Shared); ok && j.shared {
		w, err = sh.CreateShared(ctx, name)
	} else {
		w, err = out.Create(ctx, name)
	}
	if err != nil || j.stall == 0 {
		return w, err
	}
	return stalled{w, j.stall}, nil
}

// stalled is a writer whose Commit waits (Options.Stall, ShardOptions.Stall).
type stalled struct {
	sink.Writer
	d time.Duration
}

func (s stalled) Commit() error {
	time.Sleep(s.d)
	return s.Writer.Commit()
}

// put writes a small file of the job (a part's record).
func (j *Job) put(ctx context.Context, out sink.Sink, name string, data []byte) error {
	if j.shared {
		return sink.PutShared(ctx, out, name, data)
	}
	return out.Put(ctx, name, data)
}
