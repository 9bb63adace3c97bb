// Command benchhist appends one line of benchmark ratios to a history file,
// so that a regression shows as a ratio dropping, whatever machine ran it:
//
//	go test -run='^$' -bench=. ./... | tee bench.txt
//	go run ./scripts/benchhist -commit "$(git describe --always --dirty)" -o docs/bench-history.tsv < bench.txt
//
// It reads `go test -bench` output (the text benchstat reads; -count > 1 gives
// several values, of which it takes the median), and writes the date, the
// commit, the CPU, the machine's calibration (BenchmarkCalibrateLoop's
// cpu-MB/s: the plain read + CRC + LZ4 + parse + JSON loop) and each ratio of
// ratios below ("-" when a benchmark did not run). make bench runs it.
package main

import (
	"bufio"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

// ratios are the history's columns after the calibration: name, numerator,
// denominator, each a benchmark (without its -GOMAXPROCS suffix) whose
// cpu-MB/s is used (MB/s if it reports no CPU figure).
var ratios = []struct{ name, num, den string }{
	{"rows/loop", "BenchmarkRows", "BenchmarkCalibrateLoop"},
	{"export1/loop", "BenchmarkExport/workers=1", "BenchmarkCalibrateLoop"},
	{"export2/loop", "BenchmarkExport/workers=2", "BenchmarkCalibrateLoop"},
	{"parquet/json", "BenchmarkExportFormat/format=parquet/compress=zstd/workers=2", "BenchmarkExportFormat/format=json/compress=none/workers=2"},
	// The ceiling export1/loop can reach: the loop that also hashes and
	// writes its output, over the loop.
	{"exportloop/loop", "BenchmarkCalibrateExportLoop", "BenchmarkCalibrateLoop"},
}

const loop = "BenchmarkCalibrateLoop"

func main() {
	commit := flag.String("commit", "", "the commit measured (e.g. git describe --always --dirty)")
	out := flag.String("o", "", "history file to append to (a header is written when it is new); default stdout")
	flag.Parse()
	res, cpu, err := parse(os.Stdin)
	if err != nil {
		log.Fatal(err)
	}
	if len(res) == 0 {
		log.Fatal("benchhist: no benchmark results on stdin")
	}
	w := io.Writer(os.Stdout)
	header := true
	if *out != "" {
		if st, err := os.Stat(*out); err == nil && st.Size() > 0 {
			header = false
		}
		f, err := os.OpenFile(*out, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
		if err != nil {
			log.Fatal(err)
		}
		defer f.Close()
		w = f
	}
	if header {
		cols := []string{"date", "commit", "cpu", "loop_cpu_MB/s"}
		for _, r := range ratios {
			cols = append(cols, r.name)
		}
		fmt.Fprintln(w, strings.Join(cols, "\t"))
	}
	fmt.Fprintln(w, strings.Join(line(res, time.Now().UTC().Format(time.DateOnly), *commit, cpu), "\t"))
}

// line is one history row.
func line(res map[string][]float64, date, commit, cpu string) []string {
	if commit == "" {
		commit = "-"
	}
	if cpu == "" {
		cpu = "-"
	}
	row := []string{date, commit, cpu, format(median(res[loop]), 1)}
	for _, r := range ratios {
		n, d := median(res[r.num]), median(res[r.den])
		if n == 0 || d == 0 {
			row = append(row, "-")
			continue
		}
		row = append(row, format(n/d, 3))
	}
	return row
}

func format(v float64, prec int) string {
	if v == 0 {
		return "-"
	}
	return strconv.FormatFloat(v, 'f', prec, 64)
}

// parse reads go test -bench output: for each benchmark, the cpu-MB/s values
// (or MB/s when a line has no cpu-MB/s), and the "cpu:" header line.
func parse(r io.Reader) (map[string][]float64, string, error) {
	res := map[string][]float64{}
	cpu := ""
	sc := bufio.NewScanner(r)
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) > 1 && f[0] == "cpu:" {
			cpu = strings.Join(f[1:], " ")
			continue
		}
		// BenchmarkName-N  iterations  value unit  value unit ...
		if len(f) < 4 || !strings.HasPrefix(f[0], "Benchmark") || len(f)%2 != 0 {
			continue
		}
		if _, err := strconv.Atoi(f[1]); err != nil {
			continue
		}
		name := f[0]
		if i := strings.LastIndexByte(name, '-'); i > 0 {
			if _, err := strconv.Atoi(name[i+1:]); err == nil {
				name = name[:i]
			}
		}
		var v float64
		for i := 2; i+1 < len(f); i += 2 {
			x, err := strconv.ParseFloat(f[i], 64)
			if err != nil {
				continue
			}
			switch f[i+1] {
			case "cpu-MB/s":
				v = x
			case "MB/s":
				if v == 0 {
					v = x
				}
			}
		}
		if v > 0 {
			res[name] = append(res[name], v)
		}
	}
	if err := sc.Err(); err != nil {
		return nil, "", errors.Join(errors.New("benchhist: reading stdin"), err)
	}
	return res, cpu, nil
}

func median(v []float64) float64 {
	if len(v) == 0 {
		return 0
	}
	v = slices.Clone(v)
	slices.Sort(v)
	if len(v)%2 == 1 {
		return v[len(v)/2]
	}
	return (v[len(v)/2-1] + v[len(v)/2]) / 2
}
