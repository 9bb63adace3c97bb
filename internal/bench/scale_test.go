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

// BenchmarkShardCPU is issue 12's figure: each iteration exports the
// benchmark table once in one process and then as N shards of one plan file
// (each shard a process, run one after the other so that they do not compete
// for the cores), then commits. cpu-ratio is the shards' CPU in sum over the
// one-process export's, measured in the same iteration so that load on the
// shared machine hits both alike: sharding should cost nothing but each
// process's start and its share of reading the plan (target: at most 1.05).
//
//	go test -run='^$' -bench=ShardCPU -benchtime=3x ./internal/bench
func BenchmarkShardCPU(b *testing.B) {
	s := benchSSTable(b)
	dir := s.Desc.Dir
	s.Close()
	_, file, _, _ := runtime.Caller(0)
	bin := filepath.Join(b.TempDir(), "aegisthus")
	if out, err := exec.Command("go", "build", "-o", bin, filepath.Join(filepath.Dir(file), "..", "..", "cmd", "aegisthus")).CombinedOutput(); err != nil {
		b.Fatalf("build: %v\n%s", err, out)
	}
	tmp := b.TempDir()
	flags := []string{"--split-size", "16MiB", "--now", "2026-01-01T00:00:00Z"}
	run := func(args ...string) time.Duration {
		cmd := exec.Command(bin, args...)
		out, err := cmd.CombinedOutput()
		if err != nil {
			b.Fatalf("%v: %v\n%s", args, err, out)
		}
		return cmd.ProcessState.UserTime() + cmd.ProcessState.SystemTime()
	}
	planFile := filepath.Join(tmp, "plan.json")
	run(append([]string{"plan", dir, "--out", planFile}, flags...)...)
	for _, n := range []int{1, 2, 4, 8} {
		b.Run(fmt.Sprintf("shards=%d", n), func(b *testing.B) {
			var one, sum, commit time.Duration
			for i := range b.N {
				out := filepath.Join(tmp, fmt.Sprint("one-", n, "-", i))
				one += run(append([]string{"export", dir, "--out", out, "-q", "-w", "2"}, flags...)...)
				os.RemoveAll(out)
				out = filepath.Join(tmp, fmt.Sprint("shards-", n, "-", i))
				for k := range n {
					sum += run("export", "--plan", planFile, "--shard", fmt.Sprintf("%d/%d", k, n), "--out", out, "-q", "-w", "2")
				}
				commit += run("commit", "--plan", planFile, "--out", out)
				os.RemoveAll(out)
			}
			b.ReportMetric(float64(sum)/float64(one), "cpu-ratio")
			b.ReportMetric(sum.Seconds()/float64(b.N), "shards-cpu-s/op")
			b.ReportMetric(one.Seconds()/float64(b.N), "one-cpu-s/op")
			// commit reads every part back for its checksum.
			b.ReportMetric(commit.Seconds()/float64(b.N), "commit-cpu-s/op")
		})
	}
}

// BenchmarkPlan10TB builds the plan file of a simulated 10 TB backup (3
// replicas, 1,000 tables of log-normal sizes, 4 SSTables per replica, index
// samples every split/plan.SamplesPerUnit bytes at synthetic positions, cut as
// plan.MakeWith cuts), writes it, reads it back and assigns its units to 1,000 shards. It
// reports the plan file's size and the spread of bytes per shard (max/mean,
// target at most 1.1), and fails when the spread misses it: the input is
// seeded, so the spread does not depend on the machine.
//
//	go test -run='^$' -bench=Plan10TB -benchtime=1x ./internal/bench
func BenchmarkPlan10TB(b *testing.B) {
	const (
		total     = 10 << 40
		tables    = 1000
		replicas  = 3
		perNode   = 4
		splitSize = plan.DefaultSplitSize
		shards    = 1000
	)
	for range b.N {
		r := rand.New(rand.NewPCG(10, 12))
		weights := make([]float64, tables)
		var wsum float64
		for i := range weights {
			weights[i] = math.Exp(r.NormFloat64() * 1.5)
			wsum += weights[i]
		}
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
		data := pf.Marshal()
		if _, err := pipeline.ReadPlan(data); err != nil {
			b.Fatal(err)
		}
		assign := pf.Assign(shards)
		per := make([]int64, shards)
		for u, by := range pf.UnitBytes() {
			per[assign[u]] += by
		}
		mean := float64(pf.Bytes) / shards
		spread := float64(slices.Max(per)) / mean
		if spread > 1.1 {
			b.Fatalf("max/mean bytes per shard %.3f, want <= 1.1", spread)
		}
		b.ReportMetric(float64(len(data))/1e6, "plan-MB")
		b.ReportMetric(float64(pf.Units), "units")
		b.ReportMetric(spread, "max/mean")
	}
}

// synthPlan cuts a table of n SSTables holding bytes in all as plan.MakeWith
// does: samples every split/plan.SamplesPerUnit bytes of each SSTable at
// synthetic tokens (partitions of random sizes), sorted, cut once the bytes so
// far reach the next k/units of the total, units being the fewest of at most
// the split size; each unit scans the byte range of every SSTable.
func synthPlan(r *rand.Rand, bytes int64, n int, split int64) *plan.Plan {
	granule := split / plan.SamplesPerUnit
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
	var total int64
	for range all {
		total += granule
	}
	units := max(1, (total+split-1)/split)
	var cum int64
	next := int64(1) // the cut after the next unit aims at next/units of the total
	unit := plan.Unit{}
	flush := func() {
		unit.ID = len(pl.Units)
		for s := range n {
			unit.Ranges = append(unit.Ranges, plan.Range{SSTable: s, Start: int64(s), End: int64(s) + unit.Bytes/int64(n)})
		}
		pl.Units = append(pl.Units, unit)
		unit = plan.Unit{Lo: []byte("01234567")}
	}
	for i := range all {
		cum += granule
		unit.Bytes += granule
		unit.Partitions += 100
		if cum*units >= next*total && i+1 < len(all) {
			for cum*units >= next*total {
				next++
			}
			unit.Hi = []byte("01234567")
			flush()
		}
	}
	if unit.Bytes > 0 || len(pl.Units) == 0 {
		flush()
	}
	return pl
}
