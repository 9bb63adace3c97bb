package bench

import (
	"fmt"
	"testing"

	"github.com/aegisthus/aegisthus/internal/pipeline"
)

// BenchmarkExportFormat is issue 13's figure: the export of the benchmark
// SSTable as JSON lines (uncompressed, gzip, zstd) and as Parquet (every
// column codec: none, snappy, gzip, zstd, the default) in one run, so the MB/s
// per core (cpu-MB/s, of uncompressed SSTable bytes) and the output sizes
// (out-MB) compare directly, like with like (JSON zstd against Parquet zstd,
// both klauspost's SpeedDefault).
//
//	AEGISTHUS_BENCHDATA=... AEGISTHUS_BENCH_OUT=/dev/shm go test -run='^$' -bench=ExportFormat -benchtime=1x ./internal/bench
func BenchmarkExportFormat(b *testing.B) {
	base, size := benchExport(b)
	for _, c := range []struct {
		f        pipeline.Format
		compress string
	}{
		{pipeline.FormatJSON, "none"}, {pipeline.FormatJSON, "gzip"}, {pipeline.FormatJSON, "zstd"},
		{pipeline.FormatParquet, "none"}, {pipeline.FormatParquet, "snappy"},
		{pipeline.FormatParquet, "gzip"}, {pipeline.FormatParquet, "zstd"},
	} {
		b.Run(fmt.Sprintf("format=%s/compress=%s/workers=2", c.f, c.compress), func(b *testing.B) {
			b.SetBytes(size)
			cpu := startCPU(b)
			var sum *pipeline.Summary
			for range b.N {
				o := base
				o.Workers, o.Format, o.Compress = 2, c.f, c.compress
				sum = exportOnce(b, cpu, o)
			}
			cpu.stop(size, sum.Rows)
			b.ReportMetric(float64(sum.BytesOut)/1e6, "out-MB")
		})
	}
}
