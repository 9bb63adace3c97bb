package bench

import (
	"context"
	"fmt"
	"os"
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
//
// Parts go to a temporary directory under $AEGISTHUS_BENCH_OUT (default: the
// test's temporary directory). On a VM whose disk writes back slower than the
// export renders (~3.4 GB of JSON per run here), set it to a tmpfs such as
// /dev/shm to measure the tool rather than the disk.
func BenchmarkExport(b *testing.B) {
	base, size := benchExport(b)
	for _, workers := range []int{1, 2} {
		b.Run(fmt.Sprintf("workers=%d", workers), func(b *testing.B) {
			b.SetBytes(size)
			b.ReportAllocs()
			cpu := startCPU(b)
			var rows int64
			for range b.N {
				o := base
				o.Workers = workers
				rows = exportOnce(b, cpu, o).Rows
			}
			cpu.stop(size, rows)
		})
	}
}

// exportOnce runs one export of o into a fresh directory under
// $AEGISTHUS_BENCH_OUT (default: the test's temporary directory), and removes
// it outside the CPU measured.
func exportOnce(b *testing.B, cpu *cpuMeter, o pipeline.Options) *pipeline.Summary {
	dir := b.TempDir()
	if root := os.Getenv("AEGISTHUS_BENCH_OUT"); root != "" {
		var err error
		if dir, err = os.MkdirTemp(root, "aegisthus-bench-"); err != nil {
			b.Fatal(err)
		}
	}
	out, err := sink.NewLocal(dir)
	if err != nil {
		b.Fatal(err)
	}
	o.Overwrite = true
	sum, err := pipeline.Export(context.Background(), storage.Local{}, out, o)
	if err != nil {
		b.Fatal(err)
	}
	cpu.pause() // removing the output is not part of the export
	if os.Getenv("AEGISTHUS_BENCH_OUT") != "" {
		os.RemoveAll(dir)
	}
	cpu.resume()
	return sum
}

// benchExport returns the options exporting the benchmark SSTable (32 MiB
// units, a fixed now) and its uncompressed size.
func benchExport(b *testing.B) (pipeline.Options, int64) {
	s := benchSSTable(b)
	defer s.Close()
	desc := s.Desc
	return pipeline.Options{
		Table:     &discover.SSTableSet{Keyspace: desc.Keyspace, Name: desc.Table, SSTables: []format.Descriptor{desc}},
		SplitSize: 32 << 20,
		Now:       1_800_000_000,
	}, s.Chunks.Length()
}
