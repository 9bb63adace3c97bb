package main

import (
	"context"
	"crypto/sha256"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/aegisthus/aegisthus/interop/cassandra"
)

// dumptimeCmd times Cassandra's sstabledump against `aegisthus dump` on the
// same Data.db files (no node is started):
//
//	gen dumptime -bin ../bin/aegisthus -data X-Data.db [-data Y-Data.db] [-runs 3] [-timeout 20m] [-lines] [-jvm script]
//
// By default both print sstabledump's pretty JSON array; -lines passes -l to
// both (one compact object per partition per line). Both outputs are counted
// and SHA-256'd, so the report says whether the two tools wrote the same bytes.
//
// sstabledump runs with the JVM flags of Cassandra 5.0's own script
// (cassandra.ScriptToolJVM: -ea, -Xmx256M, the JVM's default G1 collector and
// tiered C1+C2 JIT; -jvm harness selects the harness's C1-only tool JVM for
// comparison), one fresh JVM per run, as users run it. Each JVM first makes a
// trivial tool call (sstablemetadata's usage): JVM start, class loading and
// Cassandra's tool initialization, reported apart as start-up; then
// SSTableExport runs as its script runs it (no SecurityManager, its
// System.exit ends the JVM), and its CPU is the JVM's rusage at exit less
// what /proc showed before the call. aegisthus's CPU is its rusage. The runs
// alternate (sstabledump, aegisthus, sstabledump, ...); each figure is
// reported as min/median/max, and the ratios per run pair. The SSTable's
// components are read once first so every run sees a warm page cache.
func dumptimeCmd(ctx context.Context, args []string) error {
	f := flag.NewFlagSet("dumptime", flag.ExitOnError)
	var nf nodeFlags
	nf.add(f)
	var datas multiFlag
	f.Var(&datas, "data", "a *-Data.db file (repeatable)")
	bin := f.String("bin", "../bin/aegisthus", "the aegisthus binary")
	lines := f.Bool("lines", false, "pass -l (one compact JSON object per partition per line) to both tools")
	timeout := f.Duration("timeout", 30*time.Minute, "cap on each sstabledump run")
	runs := f.Int("runs", 3, "alternating runs of each tool per Data.db")
	keep := f.String("keep-out", "", "also write each run's two outputs here (sstabledump.out, aegisthus.out; the last run's stay), to see how they differ")
	jvmName := f.String("jvm", "script", "sstabledump's JVM flags: script (Cassandra's tools/bin/sstabledump) or harness (C1 only, serial GC)")
	f.Parse(args)
	if len(datas) == 0 {
		return errors.New("dumptime: no -data")
	}
	jvm := cassandra.ScriptToolJVM
	switch *jvmName {
	case "script":
	case "harness":
		jvm = cassandra.HarnessToolJVM
	default:
		return fmt.Errorf("dumptime: -jvm %q: want script or harness", *jvmName)
	}
	binPath, err := filepath.Abs(*bin)
	if err != nil {
		return err
	}
	c, done, err := nf.cluster("oa", 1)
	if err != nil {
		return err
	}
	defer done()
	tmp, err := os.MkdirTemp("", "aegisthus-dumptime-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(tmp)
	var flags []string
	if *lines {
		flags = []string{"-l"}
	}
	fmt.Printf("sstabledump JVM (-jvm %s): java %s -cp <cassandra-all %s from Maven Central> ... %s\n",
		*jvmName, strings.Join(jvmFlagsShown(jvm), " "), cassandraVersion, cassandra.SSTableExport)

	for _, d := range datas {
		data, _ := filepath.Abs(d)
		st, err := os.Stat(data)
		if err != nil {
			return err
		}
		warm(data)
		log.Printf("dumptime: %s (%.1f MB Data.db), %d runs", data, mb(st.Size()), *runs)
		fmt.Printf("%s  Data.db %.1f MB  flags %q\n", data, mb(st.Size()), flags)
		var js, as []dumpTiming
		for i := 0; i < *runs; i++ {
			j, err := timeSSTableDump(ctx, c, jvm, tmp, data, *timeout, flags, keepFile(*keep, "sstabledump.out"))
			if err != nil {
				return err
			}
			a, err := timeAegisthus(ctx, binPath, data, flags, keepFile(*keep, "aegisthus.out"))
			if err != nil {
				return err
			}
			same := "same bytes"
			if j.sum != a.sum || j.bytes != a.bytes {
				same = "OUTPUTS DIFFER"
			}
			fmt.Printf("  run %d  sstabledump    : %s  (start-up: wall %.2fs, cpu %.2fs)\n", i+1, j, j.startup.Seconds(), j.startupCPU.Seconds())
			fmt.Printf("  run %d  aegisthus dump : %s  %s\n", i+1, a, same)
			if j.timedOut {
				fmt.Printf("  sstabledump did not finish within %s: ratio > %.1fx wall (lower bound)\n", *timeout, j.wall.Seconds()/a.wall.Seconds())
				return nil
			}
			js, as = append(js, j), append(as, a)
		}
		cpu := func(t dumpTiming) float64 { return (t.user + t.sys).Seconds() }
		wall := func(t dumpTiming) float64 { return t.wall.Seconds() }
		fmt.Printf("  summary over %d runs (min / median / max):\n", len(js))
		fmt.Printf("    sstabledump start-up  wall %s  cpu %s (not in the figures below)\n",
			mmm(js, func(t dumpTiming) float64 { return t.startup.Seconds() }), mmm(js, func(t dumpTiming) float64 { return t.startupCPU.Seconds() }))
		fmt.Printf("    sstabledump           wall %s  cpu %s\n", mmm(js, wall), mmm(js, cpu))
		fmt.Printf("    aegisthus dump        wall %s  cpu %s\n", mmm(as, wall), mmm(as, cpu))
		ratio := func(f func(dumpTiming) float64) string {
			r := make([]float64, len(js))
			for i := range js {
				r[i] = f(js[i]) / f(as[i])
			}
			return mmmx(r)
		}
		fmt.Printf("    ratio sstabledump/aegisthus per run pair: cpu %s  wall %s\n", ratio(cpu), ratio(wall))
		fmt.Printf("    the same with sstabledump's start-up added: cpu %s  wall %s\n",
			ratio(func(t dumpTiming) float64 { return cpu(t) + t.startupCPU.Seconds() }),
			ratio(func(t dumpTiming) float64 { return wall(t) + t.startup.Seconds() }))
	}
	return nil
}

// jvmFlagsShown is jvm without the JPMS flags (--add-opens/--add-exports and
// their arguments), for the report's first line.
func jvmFlagsShown(jvm []string) []string {
	var out []string
	for i := 0; i < len(jvm); i++ {
		if strings.HasPrefix(jvm[i], "--add-") {
			i++
			continue
		}
		out = append(out, jvm[i])
	}
	return append(out, "<JPMS --add-exports/--add-opens>")
}

// mmm is min / median / max of f over ts, in seconds.
func mmm(ts []dumpTiming, f func(dumpTiming) float64) string {
	v := make([]float64, len(ts))
	for i, t := range ts {
		v[i] = f(t)
	}
	s := mmmx(v)
	return strings.ReplaceAll(s, "x", "s")
}

// mmmx is min / median / max of v as ratios.
func mmmx(v []float64) string {
	v = slices.Clone(v)
	slices.Sort(v)
	if len(v) == 0 {
		return "-"
	}
	med := v[len(v)/2]
	if len(v)%2 == 0 {
		med = (v[len(v)/2-1] + v[len(v)/2]) / 2
	}
	return fmt.Sprintf("%.2fx / %.2fx / %.2fx", v[0], med, v[len(v)-1])
}

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(s string) error { *m = append(*m, s); return nil }

type dumpTiming struct {
	wall, user, sys     time.Duration
	startup, startupCPU time.Duration
	bytes               int64
	sum                 [sha256.Size]byte
	timedOut            bool
}

func (t dumpTiming) String() string {
	return fmt.Sprintf("wall %7.2fs  cpu %7.2fs (user %7.2fs sys %6.2fs)  output %.1f MB", t.wall.Seconds(), (t.user + t.sys).Seconds(), t.user.Seconds(), t.sys.Seconds(), mb(t.bytes))
}

func mb(n int64) float64 { return float64(n) / 1e6 }

// warm reads every component of data's SSTable once.
func warm(data string) {
	prefix := strings.TrimSuffix(data, "Data.db")
	m, _ := filepath.Glob(prefix + "*")
	for _, p := range m {
		if f, err := os.Open(p); err == nil {
			io.Copy(io.Discard, f)
			f.Close()
		}
	}
}

type drained struct {
	n   int64
	sum [sha256.Size]byte
}

// keepFile is dir/name, or "" when dir is "".
func keepFile(dir, name string) string {
	if dir == "" {
		return ""
	}
	return filepath.Join(dir, name)
}

// drain counts and hashes what r yields until EOF, and copies it to the file
// keep unless keep is "".
func drain(r io.Reader, keep string) drained {
	h := sha256.New()
	var w io.Writer = h
	if keep != "" {
		if f, err := os.Create(keep); err == nil {
			defer f.Close()
			w = io.MultiWriter(h, f)
		}
	}
	n, _ := io.Copy(w, r)
	var d drained
	d.n = n
	h.Sum(d.sum[:0])
	return d
}

// drainFIFO is drain for what is written to the FIFO at path until the writer
// closes it.
func drainFIFO(path, keep string) <-chan drained {
	ch := make(chan drained, 1)
	go func() {
		f, err := os.Open(path)
		if err != nil {
			ch <- drained{n: -1}
			return
		}
		ch <- drain(f, keep)
		f.Close()
	}()
	return ch
}

func timeSSTableDump(ctx context.Context, c *cassandra.Cluster, jvm []string, tmp, data string, timeout time.Duration, flags []string, keep string) (dumpTiming, error) {
	var t dumpTiming
	fifo := filepath.Join(tmp, "sstabledump.fifo")
	os.Remove(fifo)
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		return t, err
	}
	errFile := filepath.Join(tmp, "sstabledump.stderr")
	start := time.Now()
	tb, err := c.NewToolBatchJVM(jvm)
	if err != nil {
		return t, err
	}
	defer tb.Close()
	// Start-up: a trivial tool call (sstablemetadata's usage) loads the JVM,
	// compiles ToolBatch.java and loads the tool classes' common part.
	if _, err := tb.Run(os.DevNull, os.DevNull, cassandra.SSTableMetadataViewer); err != nil {
		return t, err
	}
	t.startup = time.Since(start)
	u0, s0, err := procCPU(tb.Pid())
	if err != nil {
		return t, err
	}
	t.startupCPU = u0 + s0
	counted := drainFIFO(fifo, keep)
	var timedOut atomic.Bool
	timer := time.AfterFunc(timeout, func() { timedOut.Store(true); tb.Kill() })
	defer timer.Stop()
	stop := context.AfterFunc(ctx, tb.Kill)
	defer stop()
	start = time.Now()
	ps, err := tb.RunFinal(fifo, errFile, cassandra.SSTableExport, append(flags, data)...)
	t.wall = time.Since(start)
	if err != nil {
		return t, err
	}
	if ctx.Err() != nil {
		return t, ctx.Err()
	}
	ru := ps.SysUsage().(*syscall.Rusage)
	t.user = time.Duration(ru.Utime.Nano()) - u0
	t.sys = time.Duration(ru.Stime.Nano()) - s0
	d := <-counted
	t.bytes, t.sum = d.n, d.sum
	if timedOut.Load() {
		t.timedOut = true
		return t, nil
	}
	if !ps.Success() {
		msg, _ := os.ReadFile(errFile)
		return t, fmt.Errorf("sstabledump %s: %s: %s", data, ps, msg)
	}
	return t, nil
}

func timeAegisthus(ctx context.Context, bin, data string, flags []string, keep string) (dumpTiming, error) {
	var t dumpTiming
	cmd := exec.CommandContext(ctx, bin, append(append([]string{"dump"}, flags...), data)...)
	out, err := cmd.StdoutPipe()
	if err != nil {
		return t, err
	}
	cmd.Stderr = os.Stderr
	start := time.Now()
	if err := cmd.Start(); err != nil {
		return t, err
	}
	d := drain(out, keep)
	t.bytes, t.sum = d.n, d.sum
	err = cmd.Wait()
	t.wall = time.Since(start)
	if err != nil {
		return t, fmt.Errorf("aegisthus dump %s: %w", data, err)
	}
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	t.user, t.sys = time.Duration(ru.Utime.Nano()), time.Duration(ru.Stime.Nano())
	return t, nil
}

// procCPU returns utime and stime of pid (all its threads) from /proc.
func procCPU(pid int) (time.Duration, time.Duration, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, 0, err
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, 0, fmt.Errorf("bad /proc/%d/stat", pid)
	}
	f := strings.Fields(s[i+1:])
	// fields after ")": state(3) ... utime(14) stime(15) → indices 11, 12
	if len(f) < 13 {
		return 0, 0, fmt.Errorf("bad /proc/%d/stat", pid)
	}
	u, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	const hz = 100 // USER_HZ on Linux
	return time.Duration(u) * time.Second / hz, time.Duration(st) * time.Second / hz, nil
}
