package bench

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"syscall"
	"testing"
	"time"
)

// TestKillManyAndResume kills a many-table export with SIGKILL at several
// points (after its first part, mid-run, once every table is complete but
// before the top-level manifest), resumes each with --resume and compares
// the result with an uninterrupted run: every file byte-identical, manifests
// equal apart from their timing fields. It runs on the committed fixtures
// (the 12 tables of testdata/cassandra-5.0/oa/lz4 copied 8 times under
// distinct keyspaces, and the sample snapshot) with --workers 1 and
// --split-size 16KiB, so the run lasts long enough to be killed; it builds
// the binary. A few seconds in all. The last point is a window of a few
// microseconds that polling rarely hits: when the run got past it, the test
// resumes from the state a kill there leaves (every table complete, no
// top-level manifest, the dead process's lock).
func TestKillManyAndResume(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary and runs it 7 times")
	}
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..")
	bin := filepath.Join(t.TempDir(), "aegisthus")
	if out, err := exec.Command("go", "build", "-o", bin, filepath.Join(root, "cmd", "aegisthus")).CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	in := t.TempDir()
	lz4 := filepath.Join(root, "testdata", "cassandra-5.0", "oa", "lz4")
	for i := range 8 {
		copyTree(t, lz4, filepath.Join(in, fmt.Sprintf("c%d", i)), i)
	}
	inputs, _ := filepath.Glob(filepath.Join(root, "testdata", "sample-snapshot", "node*", "demo", "*", "snapshots", "*"))
	inputs = append(inputs, in)
	args := func(out string, extra ...string) []string {
		return append(append([]string{"export"}, inputs...), append([]string{"--out", out, "--split-size", "16KiB",
			"--workers", "1", "--now", "2026-11-22T20:43:25Z", "-q"}, extra...)...)
	}
	full := filepath.Join(t.TempDir(), "full")
	start := time.Now()
	if out, err := exec.Command(bin, args(full)...).CombinedOutput(); err != nil {
		t.Fatalf("export: %v\n%s", err, out)
	}
	t.Logf("uninterrupted run: %v", time.Since(start))
	want := exportFiles(t, full)
	tables := len(tableSuccesses(full))
	if tables != 12*8+2 {
		t.Fatalf("%d tables exported, want %d", tables, 12*8+2)
	}

	for _, c := range []struct {
		name string
		at   func(out string) bool
	}{
		{"after the first part", func(out string) bool {
			m, _ := filepath.Glob(filepath.Join(out, "*", "*", "_part-*.json"))
			return len(m) > 0
		}},
		{"mid-run", func(out string) bool { return len(tableSuccesses(out)) >= tables/2 }},
		{"before the top-level manifest", func(out string) bool { return len(tableSuccesses(out)) == tables }},
	} {
		t.Run(c.name, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			cmd := exec.Command(bin, args(out)...)
			if err := cmd.Start(); err != nil {
				t.Fatal(err)
			}
			deadline := time.Now().Add(time.Minute)
			for !c.at(out) && time.Now().Before(deadline) {
				time.Sleep(100 * time.Microsecond)
			}
			cmd.Process.Signal(syscall.SIGKILL)
			cmd.Wait()
			done := len(tableSuccesses(out))
			_, errTop := os.Stat(filepath.Join(out, "_manifest.json"))
			t.Logf("killed with %d of %d tables complete, top-level manifest written: %v", done, tables, errTop == nil)
			if errTop == nil {
				// The run got past the point: leave what a kill right
				// before the top-level manifest leaves (every table
				// complete, the dead process's lock).
				os.Remove(filepath.Join(out, "_manifest.json"))
				os.Remove(filepath.Join(out, "_SUCCESS"))
				lock, _ := json.Marshal(map[string]any{"host": hostname(), "pid": cmd.Process.Pid, "started": time.Now().UTC().Truncate(time.Second)})
				os.WriteFile(filepath.Join(out, "_lock"), lock, 0o644)
				t.Log("the run finished before the kill: resuming from the state a kill before the top-level manifest leaves")
			}
			if _, err := os.Stat(filepath.Join(out, "_SUCCESS")); err == nil {
				t.Fatal("a top-level _SUCCESS after the kill")
			}
			if b, err := exec.Command(bin, args(out)...).CombinedOutput(); err == nil {
				t.Fatalf("export into a killed run's output without --resume succeeded:\n%s", b)
			}
			if b, err := exec.Command(bin, args(out, "--resume")...).CombinedOutput(); err != nil {
				t.Fatalf("resume: %v\n%s", err, b)
			}
			got := exportFiles(t, out)
			for name, w := range want {
				if g, ok := got[name]; !ok {
					t.Errorf("%s: missing after resume", name)
				} else if !bytes.Equal(g, w) {
					t.Errorf("%s differs from the uninterrupted run's:\n%s\n%s", name, g, w)
				}
			}
			for name := range got {
				if _, ok := want[name]; !ok {
					t.Errorf("%s: not in the uninterrupted run", name)
				}
			}
		})
	}
}

// copyTree copies the fixture tree src (keyspace/table-id/files) to dst as
// copy n: keyspace ks becomes ks_n and each table id starts with n, so that
// every copy is a table of its own.
func copyTree(t *testing.T, src, dst string, n int) {
	t.Helper()
	err := filepath.WalkDir(src, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(src, path)
		parts := strings.Split(rel, string(filepath.Separator))
		if len(parts) != 3 { // expected/ and anything else below a table
			return nil
		}
		name, id, _ := strings.Cut(parts[1], "-")
		id = fmt.Sprintf("%08x", n) + id[8:]
		to := filepath.Join(dst, fmt.Sprintf("%s_%d", parts[0], n), name+"-"+id, parts[2])
		b, err := os.ReadFile(path)
		if err == nil {
			err = os.MkdirAll(filepath.Dir(to), 0o755)
		}
		if err == nil {
			err = os.WriteFile(to, b, 0o644)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// tableSuccesses lists the tables of a many-table output that are complete.
func tableSuccesses(out string) []string {
	m, _ := filepath.Glob(filepath.Join(out, "*", "*", "_SUCCESS"))
	return m
}

// exportFiles reads every file of an export's output by its path below it;
// JSON files (manifests, part records) lose their timing fields.
func exportFiles(t *testing.T, dir string) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	err := filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		if strings.HasSuffix(rel, ".json") {
			var v map[string]any
			if err := json.Unmarshal(b, &v); err != nil {
				return fmt.Errorf("%s: %w", rel, err)
			}
			for _, k := range []string{"started_at", "finished_at", "duration_s"} {
				delete(v, k)
			}
			b, _ = json.MarshalIndent(v, "", " ")
		}
		out[rel] = b
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func hostname() string {
	h, _ := os.Hostname()
	return h
}
