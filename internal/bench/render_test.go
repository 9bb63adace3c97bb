package bench

import (
	"bytes"
	"io"
	"testing"

	"github.com/aegisthus/aegisthus/internal/merge"
	"github.com/aegisthus/aegisthus/internal/render"
	"github.com/aegisthus/aegisthus/internal/rows"
	"github.com/aegisthus/aegisthus/internal/schema"
	"github.com/aegisthus/aegisthus/internal/sstable"
)

// renderPartition is one partition of merged rows held in memory.
type renderPartition struct {
	key  []byte
	rows []merge.Row
}

// captureRows decodes and merges the benchmark table's first partitions until
// max rows are held, copying keys, clustering, paths and values into one
// arena as the decompressed chunks hold them.
func captureRows(b *testing.B, s *sstable.SSTable, t *schema.Table, max int) []renderPartition {
	n := benchLength(s)
	m := merge.New(merge.NewTable(t), []merge.Input{merge.NewInput(s.SharedScanner(0, n, 1), s.Schema, t)})
	arena := make([]byte, 0, 64<<20)
	keep := func(v []byte) []byte {
		if v == nil {
			return nil
		}
		if len(arena)+len(v) > cap(arena) {
			arena = make([]byte, 0, 64<<20)
		}
		arena = append(arena, v...)
		return arena[len(arena)-len(v) : len(arena) : len(arena)]
	}
	var parts []renderPartition
	total := 0
	for total < max && m.NextPartition() {
		p := renderPartition{key: keep(m.Partition().Key)}
		for m.NextRow() {
			r := *m.Row()
			r.Clustering = append([][]byte(nil), r.Clustering...)
			for i := range r.Clustering {
				r.Clustering[i] = keep(r.Clustering[i])
			}
			r.Cells = append([]rows.Cell(nil), r.Cells...)
			for i := range r.Cells {
				r.Cells[i].Path, r.Cells[i].Value = keep(r.Cells[i].Path), keep(r.Cells[i].Value)
			}
			r.ComplexDeletions = append([]rows.ComplexDeletion(nil), r.ComplexDeletions...)
			r.Runs = append([][2]int(nil), r.Runs...) // nil stays nil: no index
			p.rows = append(p.rows, r)
			total++
		}
		parts = append(parts, p)
	}
	if err := m.Err(); err != nil {
		b.Fatal(err)
	}
	return parts
}

// BenchmarkRenderRows renders the benchmark table's first 200,000 merged rows,
// held in memory, as BenchmarkRows does after the merge: the render side of
// the rows path alone, so that its changes can be measured without decoding
// and merging (and their noise) in the figure. cpu-MB/s counts output bytes.
//
//	go test -c -pgo=$PWD/cmd/aegisthus/default.pgo -o /tmp/new.test ./internal/bench
//	AEGISTHUS_BENCHDATA=... /tmp/new.test -test.run='^$' -test.bench=RenderRows -test.count=8 > new.txt && benchstat old.txt new.txt
func BenchmarkRenderRows(b *testing.B) {
	s := benchSSTable(b)
	defer s.Close()
	t, err := sstable.Unify([]*sstable.SSTable{s}, nil, "")
	if err != nil {
		b.Fatal(err)
	}
	parts := captureRows(b, s, t, 200_000)
	var out bytes.Buffer
	run := func(w io.Writer) (rows int64) {
		r := render.NewRows(t, 1_800_000_000)
		var line []byte
		var ok bool
		var err error
		for i := range parts {
			p := &parts[i]
			if err := r.StartPartition(p.key); err != nil {
				b.Fatal(err)
			}
			line = line[:0]
			for j := range p.rows {
				if line, ok, err = r.AppendRow(line, &p.rows[j]); err != nil {
					b.Fatal(err)
				}
				if ok {
					rows++
				}
				if len(line) > 64<<10 {
					w.Write(line)
					line = line[:0]
				}
			}
			if line, ok, err = r.EndPartition(line); err != nil {
				b.Fatal(err)
			}
			if ok {
				rows++
			}
			w.Write(line)
		}
		return rows
	}
	run(&out)
	b.SetBytes(int64(out.Len()))
	b.ReportAllocs()
	cpu := startCPU(b)
	var rows int64
	for range b.N {
		rows = run(io.Discard)
	}
	cpu.stop(int64(out.Len()), rows)
}
