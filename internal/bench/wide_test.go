package bench

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// BenchmarkWidePartitionRSS runs the built binary on the table of make
// benchdata-wide (ONE partition of about 1 GB uncompressed, written by a real
// Cassandra through CQL), once per command and iteration, and reports the
// child's peak RSS (its VmHWM, see watchHWM; the largest over the
// iterations) and CPU time: memory must not grow with partition width (issue 4: export under 256 MB;
// issue 16: dump in the same ≤ 32 MB class as dump --rows). Each run's output
// is checked against wide.json, which the generator wrote (the rows, or the
// "clustering" keys, it holds):
//
//	make benchdata-wide
//	AEGISTHUS_WIDE_TEST=1 AEGISTHUS_BENCH_OUT=/dev/shm go test -run='^$' -bench=WidePartitionRSS -benchtime=1x -timeout 30m ./internal/bench
//
// AEGISTHUS_WIDEDATA overrides the table directory (default
// interop/.cache/widedata); AEGISTHUS_WIDE_GODEBUG sets the child's GODEBUG
// (e.g. gctrace=1).
func BenchmarkWidePartitionRSS(b *testing.B) {
	if os.Getenv("AEGISTHUS_WIDE_TEST") == "" {
		b.Skip("set AEGISTHUS_WIDE_TEST=1 (after make benchdata-wide) to build the binary and run it on one ~1 GB partition (minutes)")
	}
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..")
	dir := os.Getenv("AEGISTHUS_WIDEDATA")
	if dir == "" {
		dir = filepath.Join(root, "interop", ".cache", "widedata")
	}
	var meta struct {
		Rows         int64   `json:"rows"`
		SSTables     int     `json:"sstables"`
		Uncompressed float64 `json:"uncompressed_bytes"`
		Partition    string  `json:"partition"`
	}
	buf, err := os.ReadFile(filepath.Join(dir, "wide.json"))
	if err != nil {
		b.Skipf("no wide table: run make benchdata-wide (or set AEGISTHUS_WIDEDATA): %v", err)
	}
	if err := json.Unmarshal(buf, &meta); err != nil {
		b.Fatal(err)
	}
	tables, _ := filepath.Glob(filepath.Join(dir, "wide", "events-*"))
	if len(tables) != 1 {
		b.Fatalf("%s: want one wide/events-* table directory, have %v", dir, tables)
	}
	data, _ := filepath.Glob(filepath.Join(tables[0], "*-Data.db"))
	var onDisk int64
	for _, d := range data {
		if fi, err := os.Stat(d); err == nil {
			onDisk += fi.Size()
		}
	}
	b.Logf("table %s: %d SSTables, Data.db %d MB, ~%.0f MB uncompressed, %d rows in one partition", tables[0], len(data), onDisk>>20, meta.Uncompressed/1e6, meta.Rows)

	bin := filepath.Join(b.TempDir(), "aegisthus")
	if out, err := exec.Command("go", "build", "-o", bin, filepath.Join(root, "cmd", "aegisthus")).CombinedOutput(); err != nil {
		b.Fatalf("build: %v\n%s", err, out)
	}
	// Each case is one command line; export writes parts to a directory, dump
	// to a pipe this process reads. check looks at what came out.
	type outcome struct {
		dir                      string // export's output directory
		size, lines, clusterings int64  // of a dump's stdout
	}
	cases := []struct {
		name  string
		args  func(out string) []string
		check func(b *testing.B, o outcome)
	}{
		{"cmd=export/layout=rows", func(out string) []string {
			return []string{"export", tables[0], "--out", out, "--layout", "rows", "--workers", "1", "--split-size", "256MiB", "--now", "2026-01-01", "-q"}
		}, func(b *testing.B, o outcome) {
			if _, lines, _ := countOutput(b, o.dir); lines != meta.Rows {
				b.Errorf("rows layout: %d lines, the generator wrote %d rows", lines, meta.Rows)
			}
		}},
		{"cmd=export/layout=partitions", func(out string) []string {
			return []string{"export", tables[0], "--out", out, "--layout", "partitions", "--workers", "1", "--split-size", "256MiB", "--now", "2026-01-01", "-q"}
		}, func(b *testing.B, o outcome) {
			_, lines, clusterings := countOutput(b, o.dir)
			if lines != 1 {
				b.Errorf("partitions layout: %d lines, want 1 (one partition)", lines)
			}
			if clusterings != meta.Rows {
				b.Errorf("partitions layout: %d rows (\"clustering\" keys) in the record, the generator wrote %d", clusterings, meta.Rows)
			}
			if !wideJSONChecked { // minutes for ~2 GB: once per process
				checkOneJSONValue(b, o.dir)
				wideJSONChecked = true
			}
		}},
		{"cmd=dump", func(string) []string { return []string{"dump", tables[0]} }, func(b *testing.B, o outcome) {
			// sstabledump's pretty form: "clustering" : [ ... ] once per row
			if o.clusterings != meta.Rows {
				b.Errorf("dump: %d rows (\"clustering\" keys), the generator wrote %d", o.clusterings, meta.Rows)
			}
		}},
		{"cmd=dump-l", func(string) []string { return []string{"dump", "-l", tables[0]} }, func(b *testing.B, o outcome) {
			// one partition: one line, and (as sstabledump -l) no newline after it
			if o.lines != 0 || o.size == 0 || o.clusterings != meta.Rows {
				b.Errorf("dump -l: %d newlines, %d bytes and %d rows, want one line without a newline and %d rows", o.lines, o.size, o.clusterings, meta.Rows)
			}
		}},
		{"cmd=dump-rows", func(string) []string { return []string{"dump", "--rows", "--now", "2026-01-01", tables[0]} }, func(b *testing.B, o outcome) {
			if o.lines != meta.Rows {
				b.Errorf("dump --rows: %d lines, the generator wrote %d rows", o.lines, meta.Rows)
			}
		}},
	}
	for _, c := range cases {
		b.Run(c.name, func(b *testing.B) {
			var peak int64
			var cpu time.Duration
			for b.Loop() {
				out := benchOutDir(b)
				cmd := exec.Command(bin, c.args(out)...)
				var stderr bytes.Buffer
				cmd.Stderr = &stderr
				if p := os.Getenv("AEGISTHUS_WIDE_GODEBUG"); p != "" {
					cmd.Env = append(os.Environ(), "GODEBUG="+p)
				}
				o := outcome{dir: out}
				var counted chan outcome
				if c.args(out)[0] == "dump" {
					r, err := cmd.StdoutPipe()
					if err != nil {
						b.Fatal(err)
					}
					counted = make(chan outcome, 1)
					go func() {
						var o outcome
						o.size, o.lines, o.clusterings = countStream(b, r, []byte(`"clustering"`))
						counted <- o
					}()
				}
				if err := cmd.Start(); err != nil {
					b.Fatal(err)
				}
				hwm := watchHWM(cmd.Process.Pid)
				if counted != nil {
					o = <-counted
				}
				err := cmd.Wait()
				peak = max(peak, <-hwm)
				if err != nil {
					b.Fatalf("%s: %v\n%s", c.name, err, tail(stderr.Bytes(), 4000))
				}
				ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
				cpu += time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
				b.StopTimer() // checking and removing the output is not the command's time
				if stderr.Len() > 0 {
					b.Logf("stderr:\n%s", tail(stderr.Bytes(), 4000))
				}
				c.check(b, o)
				os.RemoveAll(filepath.Dir(out))
				b.StartTimer()
			}
			b.ReportMetric(float64(peak)/1e6, "peak-RSS-MB")
			b.ReportMetric(cpu.Seconds()/float64(b.N), "cpu-s/op")
			b.ReportMetric(meta.Uncompressed/1e6/(cpu.Seconds()/float64(b.N)), "cpu-MB/s")
		})
	}
}

// watchHWM samples the VmHWM line of /proc/PID/status (the kernel's high-water
// mark of the process's resident set, in kB) every 10 ms until the process is
// gone, and sends the last value in bytes. Not rusage's Maxrss: os/exec starts
// a child with vfork, and Linux credits the child at exec with the parent's
// own high-water mark (this benchmark's ~30 MB), which hid a 17 MB dump. Only
// growth in the last 10 ms before exit can be missed.
func watchHWM(pid int) <-chan int64 {
	ch := make(chan int64, 1)
	path := fmt.Sprintf("/proc/%d/status", pid)
	go func() {
		var last int64
		for {
			b, err := os.ReadFile(path)
			if err != nil {
				break
			}
			i := bytes.Index(b, []byte("VmHWM:"))
			if i < 0 {
				break // a zombie: its memory is gone
			}
			f := bytes.Fields(b[i+len("VmHWM:"):])
			if len(f) > 0 {
				if kb, err := strconv.ParseInt(string(f[0]), 10, 64); err == nil {
					last = max(last, kb*1024)
				}
			}
			time.Sleep(10 * time.Millisecond)
		}
		ch <- last
	}()
	return ch
}

// wideJSONChecked is set once the partitions layout's record has been parsed.
var wideJSONChecked bool

// checkOneJSONValue checks that dir's part files hold one well-formed JSON
// value (token by token, so this process's own memory stays small too).
func checkOneJSONValue(b *testing.B, dir string) {
	names, _ := filepath.Glob(filepath.Join(dir, "part-*.jsonl"))
	for _, n := range names {
		f, err := os.Open(n)
		if err != nil {
			b.Fatal(err)
		}
		dec := json.NewDecoder(bufio.NewReaderSize(f, 1<<20))
		values, depth := 0, 0
		for {
			tok, err := dec.Token()
			if err == io.EOF {
				break
			}
			if err != nil {
				b.Fatalf("%s: not valid JSON: %v", n, err)
			}
			switch tok {
			case json.Delim('{'), json.Delim('['):
				if depth == 0 {
					values++
				}
				depth++
			case json.Delim('}'), json.Delim(']'):
				depth--
			}
		}
		f.Close()
		if values != 1 {
			b.Errorf("%s: %d top-level JSON values, want 1", n, values)
		}
	}
}

// countOutput streams the part files of an export: total bytes, newlines and
// occurrences of `"clustering":` (one per row in the partitions layout).
func countOutput(b *testing.B, dir string) (size, lines, clusterings int64) {
	b.Helper()
	if _, err := os.Stat(filepath.Join(dir, "_SUCCESS")); err != nil {
		b.Fatalf("%s: no _SUCCESS", dir)
	}
	names, _ := filepath.Glob(filepath.Join(dir, "part-*.jsonl"))
	if len(names) == 0 {
		b.Fatalf("%s: no part files", dir)
	}
	for _, n := range names {
		f, err := os.Open(n)
		if err != nil {
			b.Fatal(err)
		}
		s, l, c := countStream(b, f, []byte(`"clustering":`))
		f.Close()
		size, lines, clusterings = size+s, lines+l, clusterings+c
	}
	return size, lines, clusterings
}

// countStream reads r to its end: bytes, newlines and occurrences of pat.
func countStream(b *testing.B, r io.Reader, pat []byte) (size, lines, matches int64) {
	buf := make([]byte, 4<<20)
	carry := 0 // bytes kept from the previous chunk, so a match across chunks counts once
	for {
		k, err := r.Read(buf[carry:])
		size += int64(k)
		chunk := buf[:carry+k]
		lines += int64(bytes.Count(buf[carry:carry+k], []byte{'\n'}))
		matches += int64(bytes.Count(chunk, pat))
		// keep the last len(pat)-1 bytes (they cannot hold a whole match)
		keep := min(len(pat)-1, len(chunk))
		copy(buf, chunk[len(chunk)-keep:])
		carry = keep
		if err == io.EOF {
			break
		}
		if err != nil {
			b.Error(err)
			break
		}
	}
	return size, lines, matches
}

func tail(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return fmt.Sprintf("%s", b)
}

// benchOutDir is a fresh directory for one run's output under
// $AEGISTHUS_BENCH_OUT (default: the benchmark's temporary directory); the
// export creates the "out" directory inside it.
func benchOutDir(b *testing.B) string {
	dir := b.TempDir()
	if root := os.Getenv("AEGISTHUS_BENCH_OUT"); root != "" {
		var err error
		if dir, err = os.MkdirTemp(root, "aegisthus-wide-"); err != nil {
			b.Fatal(err)
		}
	}
	return filepath.Join(dir, "out")
}
