package main

import (
	"slices"
	"strings"
	"testing"
)

// sample is go test -bench output as make bench writes it (-count=2 for the loop).
const sample = `goos: linux
goarch: amd64
pkg: github.com/aegisthus/aegisthus/internal/bench
cpu: AMD EPYC 7B13
BenchmarkCalibrateLoop-2          	       1	2300000000 ns/op	 240.00 MB/s	       230.0 cpu-MB/s	    800000 rows/s
BenchmarkCalibrateLoop-2          	       1	2300000000 ns/op	 250.00 MB/s	       250.0 cpu-MB/s	    800000 rows/s
BenchmarkCalibrateExportLoop-2    	       1	2900000000 ns/op	 190.00 MB/s	       180.0 cpu-MB/s	    600000 rows/s
BenchmarkRows-2                   	       1	4000000000 ns/op	 130.00 MB/s	       120.0 cpu-MB/s	    470000 cpu-rows/s
BenchmarkExport/workers=1-2       	       1	5000000000 ns/op	 100.00 MB/s	        96.0 cpu-MB/s	  12 B/op	 1 allocs/op
BenchmarkExportFormat/format=json/compress=none/workers=2-2   	1	3000000000 ns/op	 180.00 MB/s	  90.0 cpu-MB/s	 3400 out-MB
BenchmarkExportFormat/format=parquet/compress=zstd/workers=2-2	1	3000000000 ns/op	 150.00 MB/s	  60.0 cpu-MB/s	  400 out-MB
BenchmarkJavaDouble-2   	 5000000	       185.0 ns/op
PASS
`

func TestLine(t *testing.T) {
	res, cpu, err := parse(strings.NewReader(sample))
	if err != nil {
		t.Fatal(err)
	}
	got := line(res, "2026-12-05", "abc123", cpu)
	// loop: median of 230 and 250; rows 120/240; export1 96/240; export2 absent;
	// parquet/json 60/90; exportloop 180/240.
	want := []string{"2026-12-05", "abc123", "AMD EPYC 7B13", "240.0", "0.500", "0.400", "-", "0.667", "0.750"}
	if !slices.Equal(got, want) {
		t.Errorf("line:\n got %q\nwant %q", got, want)
	}
}

func TestNoLoop(t *testing.T) {
	res, _, _ := parse(strings.NewReader("BenchmarkRows-2  1  100 ns/op  120.0 cpu-MB/s\n"))
	got := line(res, "d", "", "")
	want := []string{"d", "-", "-", "-", "-", "-", "-", "-", "-"}
	if !slices.Equal(got, want) {
		t.Errorf("line without the loop:\n got %q\nwant %q", got, want)
	}
}
