package main

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"testing"
	"time"
)

// TestParquetKillAndResume kills a Parquet export with SIGKILL after its
// first commit and before its last (each part held 300 ms before its commit,
// AEGISTHUS_TEST_STALL, so the run is caught between commits), checks that
// no _SUCCESS exists and that an export without --resume refuses the
// directory, resumes it, and compares with an uninterrupted run: every part
// and part record byte for byte, the manifests equal but for their timing.
func TestParquetKillAndResume(t *testing.T) {
	bin := buildBinary(t)
	c := scaleCases(t)[2] // the sample's events table, as Parquet
	if c.name != "parquet" {
		t.Fatalf("scale case %q, want parquet", c.name)
	}
	args := func(out string, extra ...string) []string {
		return append(append(append([]string{"export"}, c.inputs...), c.flags...),
			append([]string{"--out", out, "--workers", "1"}, extra...)...)
	}
	dir := t.TempDir()
	want := filepath.Join(dir, "whole")
	mustAeg(t, bin, nil, args(want, "-q")...)
	units := len(records(want))
	if units < 3 {
		t.Fatalf("%d units, want at least 3 to kill a run between two commits", units)
	}
	for _, k := range []int{1, units - 1} {
		t.Run(fmt.Sprintf("after %d of %d commits", k, units), func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, bin, args(out, "-q")...)
			cmd.Env = append(os.Environ(), "AEGISTHUS_TEST_STALL=300ms")
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			deadline := time.Now().Add(time.Minute)
			for len(records(out)) < k && time.Now().Before(deadline) {
				time.Sleep(5 * time.Millisecond)
			}
			cmd.Process.Signal(syscall.SIGKILL)
			cmd.Wait()
			done := len(records(out))
			if _, err := os.Stat(filepath.Join(out, "_SUCCESS")); err == nil || done < k || done >= units {
				t.Fatalf("killed with %d of %d parts committed (want %d to %d), _SUCCESS: %v", done, units, k, units-1, err == nil)
			}
			t.Logf("killed with %d of %d parts committed", done, units)

			if b, code := aeg(t, bin, nil, args(out)...); code == 0 {
				t.Fatalf("export into a killed run's directory without --resume succeeded:\n%s", b)
			}
			logs := mustAeg(t, bin, nil, args(out, "--resume", "--log-format", "json")...)
			if sum := exportDone(t, logs); sum.Resumed != done || sum.Units != units {
				t.Errorf("resume: want 'export done' with %d of %d units resumed, got:\n%s", done, units, logs)
			}
			sameExport(t, want, out)
		})
	}
}

// records lists the part records (_part-*.json) of an export's output: one
// per committed part.
func records(out string) []string {
	m, _ := filepath.Glob(filepath.Join(out, "_part-*.json"))
	return m
}
