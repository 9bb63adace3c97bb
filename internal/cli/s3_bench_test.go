package cli

import (
	"context"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"github.com/aegisthus/aegisthus/internal/discover"
	"github.com/aegisthus/aegisthus/internal/storage"
	"github.com/aegisthus/aegisthus/internal/storage/s3/s3test"
)

// BenchmarkS3Export exports the same table from local disk and from MinIO (to a
// local directory, so only the reading differs), and reports for MinIO the GET
// requests and bytes fetched per GB of SSTable files: about 1 GB means no
// re-reads and no whole-file downloads. The table is $AEGISTHUS_BENCHDATA, the
// make benchdata table, or else the small sample snapshot.
//
//	make bench-s3    (or: scripts/minio.sh run go test -run='^$' -bench=S3Export -benchtime=3x ./internal/cli)
func BenchmarkS3Export(b *testing.B) {
	srv := s3test.Shared(b)
	dirs, size := benchInputs(b)
	c := srv.Client(b)
	bucket := s3test.Bucket(b, c)
	var remote []string
	for i, d := range dirs {
		prefix := "bench/" + string(rune('a'+i))
		s3test.Upload(b, c, bucket, prefix, d)
		remote = append(remote, "s3://"+bucket+"/"+prefix)
	}
	run := func(b *testing.B, paths []string) *exportOptions {
		o := &exportOptions{paths: paths, out: b.TempDir(), workers: runtime.NumCPU(), splitSize: benchSplit,
			now: sampleNow, compress: "none", layout: "rows", logFormat: "text", quiet: true, overwrite: true}
		store, err := o.s3.store(context.Background(), paths)
		if err != nil {
			b.Fatal(err)
		}
		if err := o.run(context.Background(), store, io.Discard); err != nil {
			b.Fatal(err)
		}
		return o
	}
	b.Run("src=local", func(b *testing.B) {
		b.SetBytes(size)
		for range b.N {
			run(b, dirs)
		}
	})
	b.Run("src=minio", func(b *testing.B) {
		b.SetBytes(size)
		var gets, fetched, read int64
		for range b.N {
			o := run(b, remote)
			gets += o.s3.lastStore.Stats.GETs.Load()
			fetched += o.s3.lastStore.Stats.GETBytes.Load()
			read += o.s3.lastStore.Stats.ReadBytes.Load()
		}
		gb := float64(size) * float64(b.N) / 1e9
		b.ReportMetric(float64(gets)/gb, "GETs/GB")
		b.ReportMetric(float64(fetched)/1e9/gb, "fetchedGB/GB")
		// What the export asked for, per GB of files (local disk reads the same),
		// and the read-ahead's share on top of it.
		b.ReportMetric(float64(read)/1e9/gb, "readGB/GB")
		b.ReportMetric(float64(fetched)/float64(read), "fetched/read")
	})
}

// benchSplit is the export's --split-size: BENCH_SPLIT, else the default.
var benchSplit = func() string {
	if s := os.Getenv("BENCH_SPLIT"); s != "" {
		return s
	}
	return "256MiB"
}()

// benchInputs finds the directories holding the benchmark table's SSTables and
// their total size.
func benchInputs(b *testing.B) ([]string, int64) {
	root := os.Getenv("AEGISTHUS_BENCHDATA")
	if root == "" {
		_, file, _, _ := runtime.Caller(0)
		matches, _ := filepath.Glob(filepath.Join(filepath.Dir(file), "..", "..", "interop", ".cache", "benchdata*"))
		for _, m := range matches {
			if t, err := discover.Find(storage.Local{}, []string{m}); err == nil && len(t) == 1 {
				root = m
			}
		}
	}
	if root == "" {
		r, rel := sampleInputs(b, "events")
		var dirs []string
		for _, x := range rel {
			dirs = append(dirs, filepath.Join(r, x))
		}
		return dirs, dirSize(dirs)
	}
	tables, err := discover.Find(storage.Local{}, []string{root})
	if err != nil || len(tables) != 1 {
		b.Skipf("benchmark data %s: want one table: %v", root, err)
	}
	seen := map[string]bool{}
	var dirs []string
	for _, d := range tables[0].SSTables {
		if !seen[d.Dir] {
			seen[d.Dir] = true
			dirs = append(dirs, d.Dir)
		}
	}
	return dirs, dirSize(dirs)
}

func dirSize(dirs []string) int64 {
	var n int64
	for _, d := range dirs {
		ents, _ := os.ReadDir(d)
		for _, e := range ents {
			if fi, err := e.Info(); err == nil && fi.Mode().IsRegular() {
				n += fi.Size()
			}
		}
	}
	return n
}
