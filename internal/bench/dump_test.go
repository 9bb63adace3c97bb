package bench

import (
	"testing"

	"github.com/aegisthus/aegisthus/internal/render"
)

// BenchmarkDump is `aegisthus dump` (sstabledump's pretty JSON) over the
// benchmark SSTable into a discarded writer, one core: decode and render, no
// pipe. lines=true is dump -l. out-MB/s is the rate of JSON written; the
// SetBytes rate is of SSTable bytes, as in BenchmarkDecode, whose figure in
// the same run is the decode-alone part of it.
//
//	go test -c -pgo=$PWD/cmd/aegisthus/default.pgo -o /tmp/bench.test ./internal/bench
//	/tmp/bench.test -test.run='^$' -test.bench='^Benchmark(Decode|Dump)$' -test.benchtime=1x -test.count=3
func BenchmarkDump(b *testing.B) {
	for _, lines := range []bool{false, true} {
		name := "lines=false"
		if lines {
			name = "lines=true"
		}
		b.Run(name, func(b *testing.B) { benchDump(b, lines) })
	}
}

func benchDump(b *testing.B, lines bool) {
	s := benchSSTable(b)
	defer s.Close()
	n := benchLength(s)
	b.SetBytes(n)
	b.ReportAllocs()
	var out countingWriter
	cpu := startCPU(b)
	for range b.N {
		out = 0
		d := render.NewDump(s.Schema, false, !lines, 1_800_000_000)
		d.StreamTo(&out, 0)
		sc := s.Scanner(0, n)
		var buf []byte
		if !lines {
			buf = d.Begin(buf)
		}
		first := true
		for sc.NextPartition() {
			if lines && !first {
				buf = append(buf, '\n')
			}
			first = false
			var err error
			if buf, err = d.AppendPartition(buf, sc); err != nil {
				b.Fatal(err)
			}
		}
		if err := sc.Err(); err != nil {
			b.Fatal(err)
		}
		if !lines {
			buf = d.End(buf)
		}
		out.Write(buf)
	}
	cpu.stop(n, 0)
	b.ReportMetric(float64(out)*float64(b.N)/b.Elapsed().Seconds()/1e6, "out-MB/s")
}

// countingWriter discards what it is given and counts it.
type countingWriter int64

func (w *countingWriter) Write(p []byte) (int, error) {
	*w += countingWriter(len(p))
	return len(p), nil
}
