package bench

import (
	"fmt"
	"math"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/aegisthus/aegisthus/internal/pipeline"
	"github.com/aegisthus/aegisthus/internal/plan"
)

// TestShardCPU exports the benchmark table once in one process and then as 1,
// 2, 4 and 8 shards of one plan file (each shard a process, run one after the
// other so that they do not compete for the cores), and compares the CPU the
// shards used in sum with the one-process export's: sharding should cost
// nothing but each process's start and its share of reading the plan.
//
//	AEGISTHUS_SHARD_BENCH=1 AEGISTHUS_BENCHDATA=/tmp/bd go test -v -run ShardCPU ./internal/bench
func TestShardCPU(t *testing.T) {
	if os.Getenv("AEGISTHUS_SHARD_BENCH") == "" {
		t.Skip("set AEGISTHUS_SHARD_BENCH=1 to build the binary and export the benchmark table five times (minutes)")
	}
	s := benchSSTable(t)
	dir := s.Desc.Dir
	s.Close()
	_, file, _, _ := runtime.Caller(0)
	bin := filepath.Join(t.TempDir(), "aegisthus")
	if out, err := exec.Command("go", "build", "-o", bin, filepath.Join(filepath.Dir(file), "..", "..", "cmd", "aegisthus")).CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	tmp := t.TempDir()
	flags := []string{"--split-size", "16MiB", "--now", "2026-01-01T00:00:00Z"}
	run := func(args ...string) (time.Duration, time.Duration) {
		t.Helper()
		cmd := exec.Command(bin, args...)
		start := time.Now()
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("%v: %v\n%s", args, err, out)
		}
		return cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime(), time.Since(start)
	}
	planFile := filepath.Join(tmp, "plan.json")
	planCPU, planWall := run(append([]string{"plan", dir, "--out", planFile}, flags...)...)
	t.Logf("plan: %v CPU, %v wall", planCPU.Round(time.Millisecond), planWall.Round(time.Millisecond))
	// CPU time grows when other processes share the cores (caches, SMT): each
	// configuration runs reps times, interleaved, and keeps its least.
	reps := 3
	ns := []int{1, 2, 4, 8}
	one := time.Duration(math.MaxInt64)
	sums := make([]time.Duration, len(ns))
	for i := range sums {
		sums[i] = time.Duration(math.MaxInt64)
	}
	for rep := range reps {
		out := filepath.Join(tmp, fmt.Sprint("one-", rep))
		cpu, wall := run(append([]string{"export", dir, "--out", out, "-q", "-w", "2"}, flags...)...)
		t.Logf("rep %d: one-process export: %v CPU, %v wall", rep, cpu.Round(time.Millisecond), wall.Round(time.Millisecond))
		one = min(one, cpu)
		os.RemoveAll(out)
		for k, n := range ns {
			out := filepath.Join(tmp, fmt.Sprint("shards-", n, "-", rep))
			var sum, maxWall time.Duration
			for i := range n {
				cpu, wall := run("export", "--plan", planFile, "--shard", fmt.Sprintf("%d/%d", i, n), "--out", out, "-q", "-w", "2")
				sum += cpu
				maxWall = max(maxWall, wall)
			}
			commit, _ := run("commit", "--plan", planFile, "--out", out)
			t.Logf("rep %d: %d shards: %v CPU in sum, longest shard %v wall; commit (reads every part for its checksum) %v CPU",
				rep, n, sum.Round(time.Millisecond), maxWall.Round(time.Millisecond), commit.Round(time.Millisecond))
			sums[k] = min(sums[k], sum)
			os.RemoveAll(out)
		}
	}
	for k, n := range ns {
		ratio := float64(sums[k]) / float64(one)
		t.Logf("%d shards: %v CPU in sum, %.3f× the one-process export's %v (least of %d runs each)", n,
			sums[k].Round(time.Millisecond), ratio, one.Round(time.Millisecond), reps)
		if ratio > 1.05 {
			t.Errorf("%d shards used %.1f%% more CPU than one process, want at most 5%%", n, 100*(ratio-1))
		}
	}
}

// TestPlanScale10TB builds the plan file of a simulated 10 TB backup (3
// replicas, 1,000 tables of log-normal sizes, 4 SSTables per replica, index
// samples every split/16 bytes at synthetic positions, cut as plan.MakeWith
// cuts), assigns its units to 1,000 shards, and reports the time, the plan
// file's size and the spread of bytes per shard.
//
//	AEGISTHUS_SHARD_BENCH=1 go test -v -run PlanScale10TB ./internal/bench
func TestPlanScale10TB(t *testing.T) {
	if os.Getenv("AEGISTHUS_SHARD_BENCH") == "" {
		t.Skip("set AEGISTHUS_SHARD_BENCH=1 to build the plan of a 10 TB backup (75 MB of JSON)")
	}
	const (
		total     = 10 << 40
		tables    = 1000
		replicas  = 3
		perNode   = 4
		splitSize = plan.DefaultSplitSize
		shards    = 1000
	)
	r := rand.New(rand.NewPCG(10, 12))
	weights := make([]float64, tables)
	var wsum float64
	for i := range weights {
		weights[i] = math.Exp(r.NormFloat64() * 1.5)
		wsum += weights[i]
	}
	start := time.Now()
	pf := &pipeline.PlanFile{Format: pipeline.PlanFormat, Tool: "aegisthus bench", Tree: true, Shards: shards}
	for ti := range tables {
		tableBytes := int64(float64(total) * weights[ti] / wsum)
		pt := pipeline.PlanTable{Table: fmt.Sprintf("ks%d.t%d", ti%20, ti), Dir: fmt.Sprintf("ks%d/t%d", ti%20, ti), FirstUnit: pf.Units}
		pt.Head = pipeline.Head{Table: pt.Table, Layout: "rows", Compress: "zstd", Now: 1767225600, NowUTC: "2026-01-01T00:00:00Z"}
		nsst := replicas * perNode
		for s := range nsst {
			path := fmt.Sprintf("s3://backups/cluster/node%d/ks%d/t%d-0123456789abcdef0123456789abcdef/snapshots/nightly/nb-%d-big-", s%replicas+1, ti%20, ti, s+1)
			size := tableBytes / int64(nsst)
			pt.Head.Inputs = append(pt.Head.Inputs, pipeline.Input{Path: path + "Data.db", Size: size})
			for _, c := range []string{"Data.db", "Index.db", "Summary.db", "Statistics.db", "CompressionInfo.db", "Filter.db", "Digest.crc32", "TOC.txt"} {
				pt.Files = append(pt.Files, pipeline.PinnedFile{Path: path + c, Size: size / 50, ETag: fmt.Sprintf("%032x", r.Uint64())})
			}
		}
		pt.Head.Plan = synthPlan(r, tableBytes, nsst, splitSize)
		pf.Units += len(pt.Head.Plan.Units)
		for _, u := range pt.Head.Plan.Units {
			pf.Bytes += u.Bytes
		}
		pf.Tables = append(pf.Tables, pt)
	}
	built := time.Since(start)
	marshalStart := time.Now()
	b := pf.Marshal()
	marshaled := time.Since(marshalStart)
	assignStart := time.Now()
	assign := pf.Assign(shards)
	assigned := time.Since(assignStart)
	readStart := time.Now()
	if _, err := pipeline.ReadPlan(b); err != nil {
		t.Fatal(err)
	}
	read := time.Since(readStart)
	per := make([]int64, shards)
	for u, by := range pf.UnitBytes() {
		per[assign[u]] += by
	}
	mean := float64(pf.Bytes) / shards
	spread := float64(slices.Max(per)) / mean
	t.Logf("10 TB, %d tables, %d units: cut in %v, assigned to %d shards in %v; plan file %.1f MB written in %v, read back in %v; bytes per shard max/mean %.4f, min/mean %.4f",
		tables, pf.Units, built.Round(time.Millisecond), shards, assigned.Round(time.Millisecond), float64(len(b))/1e6,
		marshaled.Round(time.Millisecond), read.Round(time.Millisecond), spread, float64(slices.Min(per))/mean)
	if spread > 1.1 {
		t.Errorf("max/mean bytes per shard %.3f, want <= 1.1", spread)
	}
}

// synthPlan cuts a table of n SSTables holding bytes in all as plan.MakeWith
// does: samples every split/16 bytes of each SSTable at synthetic tokens
// (partitions of random sizes), sorted, cut once the bytes since the last cut
// reach the split size; each unit scans the byte range of every SSTable.
func synthPlan(r *rand.Rand, bytes int64, n int, split int64) *plan.Plan {
	granule := split / 16
	type sample struct {
		tok uint64
		sst int
		pos int64
	}
	var all []sample
	for s := range n {
		size := bytes / int64(n)
		for pos := int64(0); pos < size; pos += granule/2 + r.Int64N(granule) {
			all = append(all, sample{tok: r.Uint64(), sst: s, pos: pos})
		}
	}
	slices.SortFunc(all, func(a, b sample) int {
		if a.tok != b.tok {
			if a.tok < b.tok {
				return -1
			}
			return 1
		}
		return a.sst - b.sst
	})
	pl := &plan.Plan{SplitSize: split}
	var acc int64
	unit := plan.Unit{}
	flush := func() {
		unit.ID = len(pl.Units)
		for s := range n {
			unit.Ranges = append(unit.Ranges, plan.Range{SSTable: s, Start: int64(s), End: int64(s) + unit.Bytes/int64(n)})
		}
		pl.Units = append(pl.Units, unit)
		unit = plan.Unit{Lo: []byte("01234567")}
		acc = 0
	}
	for i := range all {
		acc += granule
		unit.Bytes += granule
		unit.Partitions += 100
		if acc >= split && i+1 < len(all) {
			unit.Hi = []byte("01234567")
			flush()
		}
	}
	if unit.Bytes > 0 || len(pl.Units) == 0 {
		flush()
	}
	return pl
}
