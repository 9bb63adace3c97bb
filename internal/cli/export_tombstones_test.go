package cli

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aegisthus/aegisthus/internal/cql/cqlparse"
	"github.com/aegisthus/aegisthus/internal/discover"
	"github.com/aegisthus/aegisthus/internal/pipeline"
	"github.com/aegisthus/aegisthus/internal/sink"
	"github.com/aegisthus/aegisthus/internal/storage"
)

// dumpTombstones counts the tombstones sstabledump printed: partition, row, range
// (one per start bound or boundary), collection and cell deletions.
func dumpTombstones(t *testing.T, path string) int64 {
	parts := readSSTableDump(t, path)
	var n int64
	for _, p := range parts {
		if p.Partition.Deletion != nil {
			n++
		}
		for _, r := range p.Rows {
			if strings.HasPrefix(r.Type, "range_tombstone") {
				if r.Start != nil {
					n++
				}
				continue
			}
			if r.Deletion != nil {
				n++
			}
			for _, c := range r.Cells {
				if c.Deletion != nil {
					n++
				}
			}
		}
	}
	return n
}

// TestExportCountsTombstones: the summary's tombstone count equals the
// tombstones sstabledump shows in the table's SSTables.
func TestExportCountsTombstones(t *testing.T) {
	for _, dir := range fixtureTables(t) {
		tables, err := discover.Find(storage.Local{}, []string{dir})
		if err != nil {
			t.Fatal(err)
		}
		var want int64
		for _, d := range tables[0].SSTables {
			want += dumpTombstones(t, filepath.Join(dir, "expected", strings.TrimSuffix(d.Prefix(), "-")+".sstabledump.json"))
		}
		out, _ := sink.NewLocal(t.TempDir())
		o := pipeline.Options{Table: tables[0], Workers: 1, SplitSize: 1 << 40, Now: corpusNow, Version: Version}
		if strings.Contains(dir, "/dropped/") {
			// Headers that disagree on a dropped column's type need the
			// schema that records the drop, as the snapshot's schema.cql does.
			m, _ := readFixtureMeta(t, dir)
			sc, err := cqlparse.Parse(strings.Join(m.CQL, ";\n") + ";")
			if err != nil {
				t.Fatal(err)
			}
			o.Schema = sc.Table(tables[0].Keyspace, tables[0].Name)
		}
		sum, err := pipeline.Export(context.Background(), storage.Local{}, out, o)
		if err != nil {
			t.Fatal(err)
		}
		if sum.Tombstones != want {
			t.Errorf("%s: export counted %d tombstones, sstabledump shows %d", filepath.Base(dir), sum.Tombstones, want)
		}
	}
}
