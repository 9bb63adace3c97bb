package bench

import (
	"context"
	"fmt"
	"testing"

	"github.com/aegisthus/aegisthus/internal/discover"
	"github.com/aegisthus/aegisthus/internal/pipeline"
	"github.com/aegisthus/aegisthus/internal/sink"
	"github.com/aegisthus/aegisthus/internal/sstable/format"
	"github.com/aegisthus/aegisthus/internal/storage"
)

// BenchmarkExport is issue 4's figure: the whole export (plan, decode, merge,
// SELECT JSON, uncompressed part files with their SHA-256, manifest) of the
// benchmark SSTable with 1 and 2 workers. Compare workers=2's wall-clock MB/s
// with workers=1's for the scaling; cpu-MB/s is per core-second of CPU.
func BenchmarkExport(b *testing.B) {
	s := benchSSTable(b)
	desc := s.Desc
	size := s.Chunks.Length()
	s.Close()
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			b.SetBytes(size)
			b.ReportAllocs()
			cpu := startCPU(b)
			var rows int64
			for range b.N {
				out, err := sink.NewLocal(b.TempDir())
				if err != nil {
					b.Fatal(err)
				}
				sum, err := pipeline.Export(context.Background(), storage.Local{}, out, pipeline.Options{
					Table:     &discover.Table{Keyspace: desc.Keyspace, Name: desc.Table, SSTables: []format.Descriptor{desc}},
					Workers:   workers,
					SplitSize: 32 << 20,
					Now:       1_800_000_000,
					Overwrite: true,
				})
				if err != nil {
					b.Fatal(err)
				}
				rows = sum.Rows
			}
			cpu.stop(size, rows)
		})
	}
}
