package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"runtime"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	"github.com/aegisthus/aegisthus/internal/plan"
	"github.com/aegisthus/aegisthus/internal/sink"
)

// ErrUnitsMissing marks a commit that found units of the plan without a valid part.
var ErrUnitsMissing = errors.New("units of the plan have no valid part")

// UnitProblem is one unit a commit cannot accept, and why.
type UnitProblem struct {
	Unit  int    `json:"unit"` // global id
	Table string `json:"table"`
	Part  string `json:"part"`
	Shard int    `json:"shard"` // the shard that runs it, -1 when the number of shards is unknown
	Why   string `json:"why"`
}

// MissingError is a commit refused: the units to run again and their shards.
type MissingError struct {
	Units    int // of the plan
	Problems []UnitProblem
	Shards   int // N, when known
}

func (e *MissingError) Error() string {
	var b strings.Builder
	fmt.Fprintf(&b, "%d of %d %s: ", len(e.Problems), e.Units, ErrUnitsMissing)
	var ids []string
	shards := map[int]bool{}
	for i, p := range e.Problems {
		if i < 10 {
			if i > 0 {
				b.WriteString("; ")
			}
			if p.Unit < 0 {
				fmt.Fprintf(&b, "%s %s: %s", p.Table, p.Part, p.Why)
			} else {
				fmt.Fprintf(&b, "unit %d (%s %s): %s", p.Unit, p.Table, p.Part, p.Why)
			}
		}
		if p.Unit < 0 {
			continue
		}
		ids = append(ids, strconv.Itoa(p.Unit))
		if p.Shard >= 0 {
			shards[p.Shard] = true
		}
	}
	if len(e.Problems) > 10 {
		fmt.Fprintf(&b, "; and %d more", len(e.Problems)-10)
	}
	if len(ids) > 0 {
		fmt.Fprintf(&b, "; run again --units %s", strings.Join(ids, ","))
	}
	if len(shards) > 0 {
		var ss []int
		for s := range shards {
			ss = append(ss, s)
		}
		slices.Sort(ss)
		var names []string
		for _, s := range ss {
			names = append(names, fmt.Sprintf("%d/%d", s, e.Shards))
		}
		fmt.Fprintf(&b, ", or the shards %s", strings.Join(names, " "))
	}
	return b.String()
}

func (e *MissingError) Unwrap() error { return ErrUnitsMissing }

// CommitOptions configure Commit.
type CommitOptions struct {
	// Workers verify parts' checksums in parallel (default runtime.NumCPU()).
	Workers int
	// Shards names the shards to run again (0: the shard records' N, else the plan's).
	Shards int
}

// CommitSummary is what Commit wrote.
type CommitSummary struct {
	Tables, Units int
	Rows, Bytes   int64
}

// Commit checks that every unit of the plan has exactly one committed part,
// with the checksum its record and its shard's record give, and then writes
// each table's _manifest.json and _SUCCESS and, for a Tree plan, the top-level
// _export.json, _manifest.json and _SUCCESS: the files a one-machine export
// of the plan writes. With a unit missing or wrong it writes none of them
// (and removes a _SUCCESS an earlier commit left) and returns *MissingError.
func (pf *PlanFile) Commit(ctx context.Context, out sink.Sink, co CommitOptions) (*CommitSummary, error) {
	start := time.Now()
	if co.Workers <= 0 {
		co.Workers = runtime.NumCPU()
	}
	recs, n, err := pf.readRecords(ctx, out)
	if err != nil {
		return nil, err
	}
	if co.Shards == 0 {
		co.Shards = n
	}
	if co.Shards == 0 {
		co.Shards = pf.Shards
	}
	cc := &commitCheck{pf: pf, recs: recs, parts: make([][]PartInfo, len(pf.Tables)), outs: make([]sink.Sink, len(pf.Tables))}
	if co.Shards > 0 {
		cc.assign = pf.Assign(co.Shards)
	}
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(co.Workers)
	for ti := range pf.Tables {
		if err := cc.table(ctx, gctx, g, out, ti); err != nil {
			return nil, err
		}
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	if len(cc.problems) > 0 {
		slices.SortFunc(cc.problems, func(a, b UnitProblem) int { return a.Unit - b.Unit })
		for ti := range pf.Tables {
			cc.outs[ti].Remove(ctx, SuccessFile)
		}
		if pf.Tree {
			out.Remove(ctx, SuccessFile)
		}
		return nil, &MissingError{Units: pf.Units, Problems: cc.problems, Shards: co.Shards}
	}
	return pf.writeCommit(ctx, out, cc.outs, cc.parts, start)
}

// commitCheck collects, table by table, the committed parts of a plan and
// what is wrong with the units that have none or a bad one.
type commitCheck struct {
	pf     *PlanFile
	recs   map[int]RecordedUnit // the shards' records, by global unit
	assign []int                // unit → shard, nil without a shard count
	outs   []sink.Sink          // per table
	parts  [][]PartInfo         // per table, per unit

	mu       sync.Mutex
	problems []UnitProblem
}

func (cc *commitCheck) problem(ti, u int, why string) {
	pt := &cc.pf.Tables[ti]
	c, _ := pt.Head.codec()
	g := pt.FirstUnit + u
	s := -1
	if cc.assign != nil {
		s = cc.assign[g]
	}
	cc.add(UnitProblem{Unit: g, Table: pt.Table, Part: partName(u, c), Shard: s, Why: why})
}

func (cc *commitCheck) add(p UnitProblem) {
	cc.mu.Lock()
	cc.problems = append(cc.problems, p)
	cc.mu.Unlock()
}

// table checks table ti's output: its head is this plan's, each unit has a
// part whose record and shard record agree, no part of another plan is
// there; the parts' checksums are verified on g.
func (cc *commitCheck) table(ctx, gctx context.Context, g *errgroup.Group, out sink.Sink, ti int) error {
	pf := cc.pf
	pt := &pf.Tables[ti]
	tout, err := pf.tableSink(out, ti)
	if err != nil {
		return err
	}
	cc.outs[ti] = tout
	units := len(pt.Head.Plan.Units)
	cc.parts[ti] = make([]PartInfo, units)
	head, err := tout.Get(ctx, HeadFile)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return outputError(err)
	}
	if err == nil && !bytes.Equal(head, pf.headBytes(ti)) {
		for u := range units {
			cc.problem(ti, u, "the table's "+HeadFile+" is another plan's or run's")
		}
		return nil
	}
	names, err := tout.List(ctx)
	if err != nil {
		return outputError(err)
	}
	found := pf.committedParts(ctx, tout, ti, names, nil, false)
	c, _ := pt.Head.codec()
	for _, name := range names {
		if strings.HasPrefix(name, "part-") && ourFile(name) && !slices.ContainsFunc(pt.Head.Plan.Units, func(u plan.Unit) bool { return partName(u.ID, c) == name }) {
			cc.add(UnitProblem{Unit: -1, Table: pt.Table, Part: name, Shard: -1, Why: "not a part of this plan (another plan's or run's)"})
		}
	}
	for u := range units {
		p, ok := found[u]
		if !ok {
			cc.problem(ti, u, "no part committed")
			continue
		}
		r, ok := cc.recs[pt.FirstUnit+u]
		switch {
		case !ok:
			cc.problem(ti, u, "no shard of this plan recorded it (a part of another plan, or its shard did not finish)")
			continue
		case r.SHA256 != p.SHA256 || r.Part != p.Name:
			cc.problem(ti, u, fmt.Sprintf("its record says sha256 %s, its shard recorded %s (a part of another plan?)", p.SHA256, r.SHA256))
			continue
		}
		g.Go(func() error {
			if !verifyPart(gctx, tout, p) {
				cc.problem(ti, u, fmt.Sprintf("%s does not have its recorded size %d and sha256 %s", p.Name, p.Bytes, p.SHA256))
			}
			cc.parts[ti][u] = p
			return nil
		})
	}
	return nil
}

// writeCommit writes, once every unit checked out, each table's head,
// manifest and _SUCCESS and, for a Tree plan, the top-level ones.
func (pf *PlanFile) writeCommit(ctx context.Context, out sink.Sink, outs []sink.Sink, parts [][]PartInfo, start time.Time) (*CommitSummary, error) {
	sum := &CommitSummary{Tables: len(pf.Tables), Units: pf.Units}
	m := BatchManifest{BatchHead: pf.rootHead(), OK: len(pf.Tables)}
	for ti := range pf.Tables {
		pt := &pf.Tables[ti]
		if err := sink.PutShared(ctx, outs[ti], HeadFile, pf.headBytes(ti)); err != nil {
			return nil, outputError(err)
		}
		if err := putManifest(ctx, outs[ti], pt.Head, parts[ti], nil, false, pf.took(start)); err != nil {
			return nil, err
		}
		c, _ := pt.Head.codec()
		if err := cleanup(ctx, outs[ti], unitFiles(len(parts[ti]), c)); err != nil {
			return nil, err
		}
		r := TableOutcome{Table: pt.Table, Dir: pt.Dir, Status: StatusOK, Rows: sumRows(parts[ti]), Parts: len(parts[ti]), Bytes: sumBytes(parts[ti])}
		sum.Rows += r.Rows
		sum.Bytes += r.Bytes
		m.Outcomes = append(m.Outcomes, r)
	}
	if !pf.Tree {
		return sum, nil
	}
	for _, s := range pf.Skipped {
		m.Outcomes = append(m.Outcomes, TableOutcome{Table: s.Table, ID: s.ID, Status: StatusSkipped, Reason: s.Reason})
		m.Skipped++
	}
	hb, _ := json.MarshalIndent(m.BatchHead, "", "  ")
	if err := out.Put(ctx, HeadFile, append(hb, '\n')); err != nil {
		return nil, outputError(err)
	}
	m.FinishedAt = time.Now().UTC().Format(time.RFC3339)
	m.DurationS = pf.took(start).Seconds()
	mb, _ := json.MarshalIndent(m, "", "  ")
	if err := out.Put(ctx, ManifestFile, append(mb, '\n')); err != nil {
		return nil, outputError(err)
	}
	if err := out.Put(ctx, SuccessFile, nil); err != nil {
		return nil, outputError(err)
	}
	return sum, nil
}

// took is the run's duration as a manifest records it: from the plan's making.
func (pf *PlanFile) took(start time.Time) time.Duration {
	if t, err := time.Parse(time.RFC3339, pf.CreatedAt); err == nil {
		return time.Since(t)
	}
	return time.Since(start)
}

// readRecords reads the shard records of this plan at out's root: each
// recorded unit by global id, and the number of shards they name.
func (pf *PlanFile) readRecords(ctx context.Context, out sink.Sink) (map[int]RecordedUnit, int, error) {
	names, err := out.List(ctx)
	if err != nil {
		return nil, 0, outputError(err)
	}
	units := map[int]RecordedUnit{}
	shards := 0
	for _, n := range names {
		if !isRecord(n) {
			continue
		}
		b, err := out.Get(ctx, n)
		if err != nil {
			return nil, 0, outputError(err)
		}
		var r ShardRecord
		if json.Unmarshal(b, &r) != nil || r.Plan != pf.ID() {
			continue
		}
		if r.Shards > 0 {
			shards = r.Shards
		}
		for _, u := range r.Units {
			units[u.Unit] = u
		}
	}
	return units, shards, nil
}

// Status is the progress of a plan's run in one output.
type Status struct {
	Plan      string        `json:"plan"`
	Units     int           `json:"units"`
	UnitsDone int           `json:"units_done"`
	Bytes     int64         `json:"bytes"` // SSTable bytes of the units
	BytesDone int64         `json:"bytes_done"`
	Rows      int64         `json:"rows"`
	BytesOut  int64         `json:"bytes_out"`
	Committed bool          `json:"committed"` // _SUCCESS written
	Shards    []ShardStatus `json:"shards,omitempty"`
	Tables    []TableStatus `json:"tables"`
	// Pending are the units without a committed part, with their bytes.
	Pending []PendingUnit `json:"pending"`
}

// ShardStatus is one shard's progress.
type ShardStatus struct {
	Shard     int   `json:"shard"`
	Units     int   `json:"units"`
	UnitsDone int   `json:"units_done"`
	Bytes     int64 `json:"bytes"`
	BytesDone int64 `json:"bytes_done"`
	Rows      int64 `json:"rows"`
	Finished  bool  `json:"finished"` // its record is written
}

// TableStatus is one table's progress.
type TableStatus struct {
	Table     string `json:"table"`
	Units     int    `json:"units"`
	UnitsDone int    `json:"units_done"`
	Rows      int64  `json:"rows"`
	Committed bool   `json:"committed"`
}

// PendingUnit is a unit left to run.
type PendingUnit struct {
	Unit  int   `json:"unit"`
	Bytes int64 `json:"bytes"`
}

// Status reads the part records (not the parts) in out: the progress of the
// plan's run, by table and, with n > 0 shards (or the records' or plan's N),
// by shard.
func (pf *PlanFile) Status(ctx context.Context, out sink.Sink, n int) (*Status, error) {
	_, rn, err := pf.readRecords(ctx, out)
	if err != nil {
		return nil, err
	}
	if n == 0 {
		n = rn
	}
	if n == 0 {
		n = pf.Shards
	}
	st := &Status{Plan: pf.ID(), Units: pf.Units}
	var assign []int
	if n > 0 {
		assign = pf.Assign(n)
		st.Shards = make([]ShardStatus, n)
		for i := range st.Shards {
			st.Shards[i].Shard = i
		}
	}
	finished := map[int]bool{}
	names, err := out.List(ctx)
	if err != nil {
		return nil, outputError(err)
	}
	for _, name := range names {
		var i, m int
		if _, err := fmt.Sscanf(name, shardRecordPre+"%05d-of-%05d.json", &i, &m); err == nil && m == n {
			finished[i] = true
		}
	}
	st.Committed = slices.Contains(names, SuccessFile)
	for ti := range pf.Tables {
		pt := &pf.Tables[ti]
		tout, err := pf.tableSink(out, ti)
		if err != nil {
			return nil, err
		}
		tn, err := tout.List(ctx)
		if err != nil {
			return nil, outputError(err)
		}
		if pf.Tree {
			names = tn
		}
		ts := TableStatus{Table: pt.Table, Units: len(pt.Head.Plan.Units), Committed: slices.Contains(tn, SuccessFile)}
		done := pf.committedParts(ctx, tout, ti, tn, nil, false)
		for u, unit := range pt.Head.Plan.Units {
			g := pt.FirstUnit + u
			st.Bytes += unit.Bytes
			var ss *ShardStatus
			if assign != nil {
				ss = &st.Shards[assign[g]]
				ss.Units++
				ss.Bytes += unit.Bytes
			}
			p, ok := done[u]
			if !ok {
				st.Pending = append(st.Pending, PendingUnit{Unit: g, Bytes: unit.Bytes})
				continue
			}
			ts.UnitsDone++
			ts.Rows += p.Rows
			st.UnitsDone++
			st.BytesDone += unit.Bytes
			st.Rows += p.Rows
			st.BytesOut += p.Bytes
			if ss != nil {
				ss.UnitsDone++
				ss.BytesDone += unit.Bytes
				ss.Rows += p.Rows
			}
		}
		st.Tables = append(st.Tables, ts)
	}
	for i := range st.Shards {
		st.Shards[i].Finished = finished[i]
	}
	if !pf.Tree && len(st.Tables) == 1 {
		st.Committed = st.Tables[0].Committed
	}
	return st, nil
}
