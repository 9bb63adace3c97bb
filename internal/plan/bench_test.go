package plan

import (
	"path/filepath"
	"runtime"
	"testing"

	"github.com/aegisthus/aegisthus/internal/sstable"
	"github.com/aegisthus/aegisthus/internal/sstable/format"
	"github.com/aegisthus/aegisthus/internal/storage"
	"github.com/aegisthus/aegisthus/internal/token"
)

// BenchmarkMake plans the sample's three replicas of demo.events (nine
// SSTables): reading the index and checking the entries the ranges rely on
// against Data.db, at the default split size and at small ones, which sample
// every partition (and so check nearly every entry).
//
//	go test -run='^$' -bench=Make -count=10 ./internal/plan > new.txt && benchstat old.txt new.txt
func BenchmarkMake(b *testing.B) {
	_, file, _, _ := runtime.Caller(0)
	paths, _ := filepath.Glob(filepath.Join(filepath.Dir(file), "..", "..", "testdata", "sample-snapshot", "node*", "demo", "events-*", "snapshots", "sample", "nb-*-big-Data.db"))
	var ssts []*sstable.SSTable
	for _, p := range paths {
		d, _, err := format.ParseName(p)
		if err != nil {
			b.Fatal(err)
		}
		sst, err := sstable.Open(storage.Local{}, d, sstable.Options{})
		if err != nil {
			b.Fatal(err)
		}
		defer sst.Close()
		ssts = append(ssts, sst)
	}
	for _, bc := range []struct {
		name  string
		split int64
	}{{"split=256MiB", DefaultSplitSize}, {"split=256KiB", 256 << 10}, {"split=64KiB", 64 << 10}, {"split=16KiB", 16 << 10}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, err := Make(storage.Local{}, ssts, token.Murmur3{}, bc.split); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
