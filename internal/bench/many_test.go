package bench

import (
	"context"
	"fmt"
	"path/filepath"
	"runtime"
	"testing"
	"time"

	"github.com/aegisthus/aegisthus/internal/corpustest"
	"github.com/aegisthus/aegisthus/internal/discover"
	"github.com/aegisthus/aegisthus/internal/pipeline"
	"github.com/aegisthus/aegisthus/internal/sink"
	"github.com/aegisthus/aegisthus/internal/sink/memsink"
	"github.com/aegisthus/aegisthus/internal/storage"
)

// BenchmarkExportMany is issue 11's figure: one many-table export of 200
// small tables (testdata/cassandra-5.0/oa/lz4/rand_lz4/t1 copied 200 times,
// 3 SSTables each), and of the same plus the benchmark table when it is
// there, on 2 workers, against the sum of the single-table exports of the
// same tables (2 workers each). It reports the CPU seconds of both, their
// ratio (target: many/sum <= 1.1, no per-table overhead that dominates), the
// cores the batch kept busy (CPU/wall) and from it the fraction of wall time
// both workers were busy (cores - 1, counting the one core that is always
// busy). Parts are hashed and counted but not stored, so the disk is not measured.
//
//	AEGISTHUS_BENCHDATA=/work/main/interop/.cache/benchdata go test -run='^$' -bench=ExportMany -benchtime=1x -count=2 ./internal/bench
func BenchmarkExportMany(b *testing.B) {
	in := b.TempDir()
	_, file, _, _ := runtime.Caller(0)
	src, _ := filepath.Glob(filepath.Join(filepath.Dir(file), "..", "..", "testdata", "cassandra-5.0", "oa", "lz4", "rand_lz4", "t1-*"))
	if len(src) != 1 {
		b.Fatalf("rand_lz4/t1: %v", src)
	}
	for i := range 200 {
		corpustest.CopyFiles(b, src[0], filepath.Join(in, fmt.Sprintf("ks_%d", i), fmt.Sprintf("t-%032x", i+1)))
	}
	inputs := [][]string{{in}}
	if dir := benchDir(); dir != "" {
		inputs = append(inputs, []string{in, dir})
	}
	for _, paths := range inputs {
		tables := selectAll(b, paths)
		b.Run(fmt.Sprintf("tables=%d", len(tables)), func(b *testing.B) {
			var many, sum, wall time.Duration
			for range b.N {
				t0, c0 := time.Now(), processCPU()
				bt, err := pipeline.PrepareBatch(context.Background(), storage.Local{}, pipeline.BatchOptions{
					Options: manyOptions(nil), Tables: tables})
				if err != nil {
					b.Fatal(err)
				}
				if _, err := bt.Run(context.Background(), discardSink{memsink.New()}); err != nil {
					b.Fatal(err)
				}
				many += processCPU() - c0
				wall += time.Since(t0)
				b.StopTimer()
				c1 := processCPU()
				for _, ts := range tables {
					if _, err := pipeline.Export(context.Background(), storage.Local{}, discardSink{memsink.New()}, manyOptions(ts.Table)); err != nil {
						b.Fatal(err)
					}
				}
				sum += processCPU() - c1
				b.StartTimer()
			}
			n := float64(b.N)
			cores := many.Seconds() / wall.Seconds()
			b.ReportMetric(many.Seconds()/n, "many-cpu-s")
			b.ReportMetric(sum.Seconds()/n, "sum-cpu-s")
			b.ReportMetric(many.Seconds()/sum.Seconds(), "many/sum")
			b.ReportMetric(cores, "cores")
			b.ReportMetric(min(max(cores-1, 0), 1), "both-busy")
		})
	}
}

// manyOptions are BenchmarkExportMany's options, for one table or (nil) a batch.
func manyOptions(t *discover.SSTableSet) pipeline.Options {
	return pipeline.Options{Table: t, Workers: 2, SplitSize: 32 << 20, Now: 1_800_000_000}
}

// selectAll is every table under paths, as export finds them.
func selectAll(b *testing.B, paths []string) []pipeline.TableSpec {
	inv, err := discover.Scan(storage.Local{}, paths)
	if err != nil {
		b.Fatal(err)
	}
	sets, _, err := inv.Select(discover.Selection{})
	if err != nil {
		b.Fatal(err)
	}
	specs := make([]pipeline.TableSpec, len(sets))
	for i, s := range sets {
		specs[i] = pipeline.TableSpec{Table: s}
	}
	return specs
}

// discardSink is a memsink whose part files are counted and hashed by the
// export but not kept: the benchmark measures the tool, not where parts go.
type discardSink struct{ *memsink.Sink }

func (d discardSink) Create(ctx context.Context, name string) (sink.Writer, error) {
	w, err := d.Sink.Create(ctx, name)
	return discardWriter{w}, err
}

func (d discardSink) Sub(dir string) (sink.Sink, error) {
	s, err := d.Sink.Sub(dir)
	if err != nil {
		return nil, err
	}
	return discardSink{s.(*memsink.Sink)}, nil
}

type discardWriter struct{ sink.Writer }

func (discardWriter) Write(p []byte) (int, error) { return len(p), nil }
