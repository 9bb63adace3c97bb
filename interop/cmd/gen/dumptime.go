package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/aegisthus/aegisthus/interop/cassandra"
)

// dumptimeCmd times Cassandra's sstabledump against `aegisthus dump` on the
// same Data.db files (no node is started):
//
//	gen dumptime -bin ../bin/aegisthus -data X-Data.db [-data Y-Data.db] [-timeout 20m] [-lines]
//
// By default both print the JSON array (sstabledump pretty-prints it,
// aegisthus prints it compact, so sstabledump writes ~35 % more bytes);
// -lines passes -l to both, where the two outputs are the same size.
//
// sstabledump runs in a ToolBatch JVM (the harness's tool JVM flags and
// cassandra.yaml); its CPU is the JVM's utime+stime from /proc, read just
// before and after the dump, so JVM start-up is reported separately. Both
// tools write to a FIFO drained by this process, whose bytes are counted (the
// two outputs should be about the same size). The SSTable's components are
// read once first so both runs see a warm page cache.
func dumptimeCmd(ctx context.Context, args []string) error {
	f := flag.NewFlagSet("dumptime", flag.ExitOnError)
	var nf nodeFlags
	nf.add(f)
	var datas multiFlag
	f.Var(&datas, "data", "a *-Data.db file (repeatable)")
	bin := f.String("bin", "../bin/aegisthus", "the aegisthus binary")
	lines := f.Bool("lines", false, "pass -l (one compact JSON object per partition per line) to both tools")
	timeout := f.Duration("timeout", 30*time.Minute, "cap on each sstabledump run")
	f.Parse(args)
	if len(datas) == 0 {
		return errors.New("dumptime: no -data")
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

	for _, d := range datas {
		data, _ := filepath.Abs(d)
		st, err := os.Stat(data)
		if err != nil {
			return err
		}
		warm(data)
		log.Printf("dumptime: %s (%.1f MB Data.db)", data, mb(st.Size()))

		j, err := timeSSTableDump(ctx, c, tmp, data, *timeout, flags)
		if err != nil {
			return err
		}
		a, err := timeAegisthus(ctx, binPath, data, flags)
		if err != nil {
			return err
		}
		fmt.Printf("%s  Data.db %.1f MB\n", data, mb(st.Size()))
		fmt.Printf("  sstabledump     : %s (JVM start %.1fs not included)\n", j, j.startup.Seconds())
		fmt.Printf("  aegisthus dump  : %s\n", a)
		if j.timedOut {
			fmt.Printf("  sstabledump did not finish within %s: ratio > %.1fx wall (lower bound)\n", *timeout, j.wall.Seconds()/a.wall.Seconds())
			continue
		}
		fmt.Printf("  ratio sstabledump/aegisthus: wall %.1fx, cpu %.1fx, user %.1fx\n",
			j.wall.Seconds()/a.wall.Seconds(), (j.user+j.sys).Seconds()/(a.user+a.sys).Seconds(), j.user.Seconds()/a.user.Seconds())
	}
	return nil
}

type multiFlag []string

func (m *multiFlag) String() string     { return strings.Join(*m, ",") }
func (m *multiFlag) Set(s string) error { *m = append(*m, s); return nil }

type dumpTiming struct {
	wall, user, sys time.Duration
	startup         time.Duration
	bytes           int64
	timedOut        bool
}

func (t dumpTiming) String() string {
	return fmt.Sprintf("wall %7.2fs  user %7.2fs  sys %6.2fs  output %.1f MB", t.wall.Seconds(), t.user.Seconds(), t.sys.Seconds(), mb(t.bytes))
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

// drain counts what is written to the FIFO at path until the writer closes it.
func drain(path string) <-chan int64 {
	ch := make(chan int64, 1)
	go func() {
		f, err := os.Open(path)
		if err != nil {
			ch <- -1
			return
		}
		n, _ := io.Copy(io.Discard, f)
		f.Close()
		ch <- n
	}()
	return ch
}

func timeSSTableDump(ctx context.Context, c *cassandra.Cluster, tmp, data string, timeout time.Duration, flags []string) (dumpTiming, error) {
	var t dumpTiming
	fifo := filepath.Join(tmp, "sstabledump.fifo")
	os.Remove(fifo)
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		return t, err
	}
	errFile := filepath.Join(tmp, "sstabledump.stderr")
	before := childPIDs()
	start := time.Now()
	tb, err := c.NewToolBatch()
	if err != nil {
		return t, err
	}
	defer tb.Close()
	pid := 0
	for p := range childPIDs() {
		if !before[p] {
			pid = p
		}
	}
	if pid == 0 {
		return t, errors.New("dumptime: cannot find the tool JVM's pid")
	}
	// Start-up: a trivial tool call (sstablemetadata's usage) loads the JVM,
	// compiles ToolBatch.java and loads the tool classes' common part.
	if _, err := tb.Run(os.DevNull, os.DevNull, cassandra.SSTableMetadataViewer); err != nil {
		return t, err
	}
	t.startup = time.Since(start)
	u0, s0, err := procCPU(pid)
	if err != nil {
		return t, err
	}
	counted := drain(fifo)
	tctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	type cpu struct{ u, s time.Duration }
	killed := make(chan cpu, 1)
	stop := context.AfterFunc(tctx, func() {
		u, s, _ := procCPU(pid)
		syscall.Kill(pid, syscall.SIGKILL)
		killed <- cpu{u, s}
	})
	defer stop()
	start = time.Now()
	code, err := tb.Run(fifo, errFile, cassandra.SSTableExport, append(flags, data)...)
	t.wall = time.Since(start)
	if !stop() {
		if ctx.Err() != nil {
			return t, ctx.Err()
		}
		k := <-killed
		t.timedOut, t.user, t.sys = true, k.u-u0, k.s-s0
		return t, nil
	}
	if err == nil && code != 0 {
		msg, _ := os.ReadFile(errFile)
		err = fmt.Errorf("sstabledump %s: exit %d: %s", data, code, msg)
	}
	if err != nil {
		return t, err
	}
	u1, s1, err := procCPU(pid)
	if err != nil {
		return t, err
	}
	t.user, t.sys = u1-u0, s1-s0
	t.bytes = <-counted
	return t, nil
}

func timeAegisthus(ctx context.Context, bin, data string, flags []string) (dumpTiming, error) {
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
	t.bytes, _ = io.Copy(io.Discard, out)
	err = cmd.Wait()
	t.wall = time.Since(start)
	if err != nil {
		return t, fmt.Errorf("aegisthus dump %s: %w", data, err)
	}
	ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	t.user, t.sys = time.Duration(ru.Utime.Nano()), time.Duration(ru.Stime.Nano())
	return t, nil
}

// childPIDs lists the direct children of this process.
func childPIDs() map[int]bool {
	m := map[int]bool{}
	tasks, _ := filepath.Glob("/proc/self/task/*/children")
	for _, p := range tasks {
		b, _ := os.ReadFile(p)
		for _, s := range strings.Fields(string(b)) {
			if n, err := strconv.Atoi(s); err == nil {
				m[n] = true
			}
		}
	}
	return m
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
