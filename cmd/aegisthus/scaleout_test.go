package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The scale-out tests run the binary as Kubernetes Indexed Jobs and AWS Batch
// array jobs run it: N processes of one plan, each told its shard by
// JOB_COMPLETION_INDEX or AWS_BATCH_JOB_ARRAY_INDEX, one of them killed with
// SIGKILL mid-unit and run again, two attempts of one shard at once; then
// commit. The committed output must equal a one-machine export byte for byte
// (apart from the manifests' timing fields).

const scaleNow = "2025-01-01T00:00:00Z"

// scaleCase is one input of the scale-out tests and its one-machine export.
type scaleCase struct {
	name   string
	inputs []string // absolute: a plan pins absolute paths
	flags  []string // shaping flags, for plan and for the one-machine export
}

func scaleCases(t *testing.T) []scaleCase {
	t.Helper()
	root, err := filepath.Abs(filepath.Join("..", "..", "testdata"))
	if err != nil {
		t.Fatal(err)
	}
	sample, _ := filepath.Glob(filepath.Join(root, "sample-snapshot", "node*", "demo", "events-*", "snapshots", "sample"))
	if len(sample) != 3 {
		t.Fatalf("sample snapshot: %d replicas found", len(sample))
	}
	return []scaleCase{
		{name: "sample", inputs: sample, flags: []string{"--split-size", "16KiB", "--now", scaleNow}},
		{name: "backup", inputs: []string{filepath.Join(root, "backup-snapshot")},
			flags: []string{"--backup", "backup", "--split-size", "4KiB", "--now", scaleNow, "--compress", "zstd"}},
		{name: "parquet", inputs: sample, flags: []string{"--split-size", "16KiB", "--now", scaleNow, "--format", "parquet"}},
	}
}

// aeg runs the binary; it returns the combined output and the exit code.
func aeg(t *testing.T, bin string, env []string, args ...string) (string, int) {
	t.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = append(os.Environ(), env...)
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		return string(out), ee.ExitCode()
	case err != nil:
		t.Fatal(err)
	}
	return string(out), 0
}

func mustAeg(t *testing.T, bin string, env []string, args ...string) string {
	t.Helper()
	out, code := aeg(t, bin, env, args...)
	if code != 0 {
		t.Fatalf("aegisthus %s: exit %d\n%s", strings.Join(args, " "), code, out)
	}
	return out
}

// reference makes the plan of c and its one-machine export (a plain export of
// the same inputs and flags, not from the plan).
func (c scaleCase) reference(t *testing.T, bin, dir string) (plan, want string) {
	t.Helper()
	plan, want = filepath.Join(dir, c.name+"-plan.json"), filepath.Join(dir, c.name+"-one")
	mustAeg(t, bin, nil, append(append([]string{"plan"}, c.inputs...), append(c.flags, "--out", plan)...)...)
	mustAeg(t, bin, nil, append(append([]string{"export"}, c.inputs...), append(c.flags, "--out", want, "-q")...)...)
	return plan, want
}

// timing are the manifests' fields that say when, not what.
var timing = []string{"started_at", "finished_at", "duration_s"}

// sameExport fails unless got holds the export want holds: every file
// byte-equal, the manifests and heads equal but for their timing fields; got
// may hold shard records besides.
func sameExport(t *testing.T, want, got string) {
	t.Helper()
	files := func(root string) map[string]string {
		m := map[string]string{}
		filepath.Walk(root, func(p string, info os.FileInfo, err error) error {
			if err == nil && !info.IsDir() {
				rel, _ := filepath.Rel(root, p)
				m[filepath.ToSlash(rel)] = p
			}
			return err
		})
		return m
	}
	w, g := files(want), files(got)
	for rel := range g {
		base := filepath.Base(rel)
		if _, ok := w[rel]; !ok && !strings.HasPrefix(base, "_shard-") && !strings.HasPrefix(base, "_units-") {
			t.Errorf("%s: %s is not in the one-machine export", got, rel)
		}
	}
	for rel, wp := range w {
		gp, ok := g[rel]
		if !ok {
			t.Errorf("%s: no %s", got, rel)
			continue
		}
		a, _ := os.ReadFile(wp)
		b, _ := os.ReadFile(gp)
		if base := filepath.Base(rel); base == "_manifest.json" || base == "_export.json" {
			a, b = untimed(t, a), untimed(t, b)
		}
		if !bytes.Equal(a, b) {
			t.Errorf("%s differs from the one-machine export's:\n%s\n--- want:\n%s", rel, clip(b), clip(a))
		}
	}
}

func untimed(t *testing.T, b []byte) []byte {
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, k := range timing {
		delete(m, k)
	}
	out, _ := json.MarshalIndent(m, "", " ")
	return out
}

func clip(b []byte) string {
	if len(b) > 600 {
		return string(b[:600]) + "..."
	}
	return string(b)
}

type planInfo struct {
	Units  int `json:"units"`
	Tables []struct {
		Dir string `json:"dir"`
	} `json:"tables"`
}

func readPlanInfo(t *testing.T, path string) planInfo {
	var p planInfo
	b, err := os.ReadFile(path)
	if err == nil {
		err = json.Unmarshal(b, &p)
	}
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// TestScaleOutEqualsOneMachine runs each case's plan as N shards (N = 1, 3
// and more shards than units), with the index in JOB_COMPLETION_INDEX or
// AWS_BATCH_JOB_ARRAY_INDEX, as random sets of --units, and whole; each
// committed output equals the one-machine export.
func TestScaleOutEqualsOneMachine(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	for _, c := range scaleCases(t) {
		t.Run(c.name, func(t *testing.T) {
			plan, want := c.reference(t, bin, dir)
			units := readPlanInfo(t, plan).Units
			for _, n := range []int{1, 3, units + 2} {
				for _, env := range []string{"JOB_COMPLETION_INDEX", "AWS_BATCH_JOB_ARRAY_INDEX"} {
					out := filepath.Join(dir, fmt.Sprintf("%s-%d-%s", c.name, n, env))
					var wg sync.WaitGroup
					for i := range n {
						wg.Go(func() {
							mustAeg(t, bin, []string{fmt.Sprintf("%s=%d", env, i)}, "export", "--plan", plan, "--shards", fmt.Sprint(n), "--out", out, "-q", "-w", "2")
						})
					}
					wg.Wait()
					mustAeg(t, bin, nil, "commit", "--plan", plan, "--out", out)
					sameExport(t, want, out)
				}
			}
			// Any assignment: units in random groups, one process each.
			r := rand.New(rand.NewPCG(uint64(units), 7))
			ids := r.Perm(units)
			out := filepath.Join(dir, c.name+"-units")
			for len(ids) > 0 {
				k := 1 + r.IntN(len(ids))
				var s []string
				for _, id := range ids[:k] {
					s = append(s, fmt.Sprint(id))
				}
				mustAeg(t, bin, nil, "export", "--plan", plan, "--units", strings.Join(s, ","), "--out", out, "-q")
				ids = ids[k:]
			}
			mustAeg(t, bin, nil, "commit", "--plan", plan, "--out", out)
			sameExport(t, want, out)
			// The whole plan in one process commits by itself.
			whole := filepath.Join(dir, c.name+"-whole")
			mustAeg(t, bin, nil, "export", "--plan", plan, "--out", whole, "-q")
			sameExport(t, want, whole)
		})
	}
}

// TestScaleOutKilledAndRacingShards kills one shard's process with SIGKILL
// mid-unit (a part written, not committed), checks that commit refuses and
// names the shard, runs it again, and runs two attempts of another shard at
// once: the output still equals the one-machine export, with no temporary
// file left.
func TestScaleOutKilledAndRacingShards(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	c := scaleCases(t)[1] // the backup: many tables
	plan, want := c.reference(t, bin, dir)
	out := filepath.Join(dir, "out")
	const n = 3
	shard := func(i int, stall string) *exec.Cmd {
		cmd := exec.Command(bin, "export", "--plan", plan, "--shards", fmt.Sprint(n), "--out", out, "-q", "-w", "1")
		cmd.Env = append(os.Environ(), fmt.Sprintf("AWS_BATCH_JOB_ARRAY_INDEX=%d", i), "AEGISTHUS_TEST_STALL="+stall)
		return cmd
	}
	// Shard 0 runs alone; shard 1 is killed mid-unit.
	mustRun(t, shard(0, "0s"))
	killed := shard(1, "1m")
	if err := killed.Start(); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) && len(tempFiles(out)) == 0 {
		time.Sleep(10 * time.Millisecond)
	}
	if len(tempFiles(out)) == 0 {
		t.Fatal("shard 1 wrote no part in 30 s")
	}
	killed.Process.Signal(syscall.SIGKILL)
	killed.Wait()
	// Two attempts of shard 2 at once, each holding its parts a while so
	// that they overlap.
	a, b := shard(2, "300ms"), shard(2, "200ms")
	var aout, bout bytes.Buffer // one each: os/exec copies each process's output on its own goroutine
	a.Stdout, a.Stderr, b.Stdout, b.Stderr = &aout, &aout, &bout, &bout
	if err := a.Start(); err != nil {
		t.Fatal(err)
	}
	if err := b.Start(); err != nil {
		t.Fatal(err)
	}
	if err, err2 := a.Wait(), b.Wait(); err != nil || err2 != nil {
		t.Fatalf("two attempts of shard 2: %v, %v\n%s\n%s", err, err2, aout.String(), bout.String())
	}
	msg, code := aeg(t, bin, nil, "commit", "--plan", plan, "--out", out)
	if code != 5 || !strings.Contains(msg, "1/3") || !strings.Contains(msg, "run again --units") {
		t.Fatalf("commit with shard 1 killed: exit %d, want 5 naming shard 1/3 and its units:\n%s", code, msg)
	}
	if _, err := os.Stat(filepath.Join(out, "_SUCCESS")); err == nil {
		t.Fatal("_SUCCESS after a refused commit")
	}
	st := mustAeg(t, bin, nil, "status", "--plan", plan, "--out", out)
	if !strings.Contains(st, "shard 1/3") {
		t.Errorf("status does not show shard 1/3:\n%s", st)
	}
	// The engine runs shard 1 again: only its missing units.
	mustRun(t, shard(1, "0s"))
	mustAeg(t, bin, nil, "commit", "--plan", plan, "--out", out)
	sameExport(t, want, out)
	if tf := tempFiles(out); len(tf) > 0 {
		t.Errorf("temporary files left after commit: %v", tf)
	}
}

func mustRun(t *testing.T, cmd *exec.Cmd) {
	t.Helper()
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("%s: %v\n%s", strings.Join(cmd.Args, " "), err, out)
	}
}

// tempFiles lists the temporary part files under dir.
func tempFiles(dir string) []string {
	var out []string
	filepath.Walk(dir, func(p string, info os.FileInfo, err error) error {
		if err == nil && strings.HasPrefix(info.Name(), ".tmp-part-") {
			out = append(out, p)
		}
		return nil
	})
	return out
}

// TestCommitRefuses: a missing part, a part with a wrong checksum and the
// part of another plan each make commit fail naming the unit, with no
// _SUCCESS; a plan whose input changed makes export fail naming the file.
func TestCommitRefuses(t *testing.T) {
	bin := buildBinary(t)
	dir := t.TempDir()
	c := scaleCases(t)[0]
	plan, _ := c.reference(t, bin, dir)
	fresh := func(name string) string {
		out := filepath.Join(dir, name)
		mustAeg(t, bin, nil, "export", "--plan", plan, "--shard", "0/1", "--out", out, "-q")
		return out
	}
	refused := func(out, want string) {
		t.Helper()
		msg, code := aeg(t, bin, nil, "commit", "--plan", plan, "--out", out)
		if code != 5 || !strings.Contains(msg, want) {
			t.Errorf("commit: exit %d, want 5 and %q in:\n%s", code, want, msg)
		}
		if _, err := os.Stat(filepath.Join(out, "_SUCCESS")); err == nil {
			t.Errorf("%s: _SUCCESS after a refused commit", out)
		}
	}

	out := fresh("missing")
	os.Remove(filepath.Join(out, "part-00002.jsonl"))
	refused(out, "unit 2 (demo.events part-00002.jsonl): no part committed")

	out = fresh("checksum")
	p := filepath.Join(out, "part-00003.jsonl")
	b, _ := os.ReadFile(p)
	b[len(b)/2] ^= 1
	os.WriteFile(p, b, 0o644)
	refused(out, "unit 3 (demo.events part-00003.jsonl): part-00003.jsonl does not have its recorded size")

	// Another plan of the same inputs and units (with --writetime): its part 1 copied in.
	other := filepath.Join(dir, "other-plan.json")
	otherOut := filepath.Join(dir, "other-out")
	mustAeg(t, bin, nil, append(append([]string{"plan"}, c.inputs...), "--split-size", "16KiB", "--now", scaleNow, "--writetime", "--out", other)...)
	mustAeg(t, bin, nil, "export", "--plan", other, "--out", otherOut, "-q")
	out = fresh("foreign")
	for _, f := range []string{"part-00001.jsonl", "_part-00001.json"} {
		b, _ := os.ReadFile(filepath.Join(otherOut, f))
		os.WriteFile(filepath.Join(out, f), b, 0o644)
	}
	refused(out, "unit 1 (demo.events part-00001.jsonl): its record says sha256")
	// ... or a whole output of the other plan.
	refused(otherOut, "_export.json is another plan's")
	// A shard of this plan into the other plan's output is refused too.
	if msg, code := aeg(t, bin, nil, "export", "--plan", plan, "--shard", "0/2", "--out", otherOut, "-q"); code == 0 {
		t.Errorf("a shard into another plan's output succeeded:\n%s", msg)
	}

	// An input changed since the plan: an SSTable replaced by a bigger file.
	copyDir := filepath.Join(dir, "inputs")
	var inputs []string
	for i, in := range c.inputs {
		d := filepath.Join(copyDir, fmt.Sprint(i), "demo", filepath.Base(filepath.Dir(filepath.Dir(in))), "snapshots", "sample")
		copyTree(t, in, d)
		inputs = append(inputs, d)
	}
	cplan := filepath.Join(dir, "changed-plan.json")
	mustAeg(t, bin, nil, append(append([]string{"plan"}, inputs...), "--split-size", "16KiB", "--now", scaleNow, "--out", cplan)...)
	data, _ := filepath.Glob(filepath.Join(inputs[1], "*-Data.db"))
	f, err := os.OpenFile(data[0], os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	f.Write([]byte("more"))
	f.Close()
	msg, code := aeg(t, bin, nil, "export", "--plan", cplan, "--out", filepath.Join(dir, "changed-out"), "-q")
	if code != 1 || !strings.Contains(msg, data[0]) || !strings.Contains(msg, "changed since the plan was made") {
		t.Errorf("export of a plan whose input changed: exit %d, want 1 naming %s:\n%s", code, data[0], msg)
	}
}

func copyTree(t *testing.T, from, to string) {
	t.Helper()
	err := filepath.Walk(from, func(p string, info os.FileInfo, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(from, p)
		dst := filepath.Join(to, rel)
		if info.IsDir() {
			return os.MkdirAll(dst, 0o755)
		}
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(dst, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
}
