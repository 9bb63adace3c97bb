package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"log/slog"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aegisthus/aegisthus/internal/pipeline"
)

// shape is a JSON log line's message and its keys with the JSON type of each
// value: what a golden file can pin when times and counts vary.
func shape(t *testing.T, line string) string {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal([]byte(line), &m); err != nil {
		t.Fatalf("stderr line is not one JSON object: %q: %v", line, err)
	}
	var keys []string
	for k, v := range m {
		if k == "msg" || k == "time" || k == "eta_seconds" { // an ETA comes once the rate is known
			if _, num := v.(float64); k == "eta_seconds" && !num {
				t.Errorf("eta_seconds %v is not a number", v)
			}
			continue
		}
		keys = append(keys, fmt.Sprintf("%s:%T", k, v))
	}
	slices.Sort(keys)
	msg, _ := m["msg"].(string)
	if m["level"] == "ERROR" {
		msg = "(error)"
	}
	return msg + " " + strings.Join(keys, " ")
}

// runLogged runs aegisthus with args as main does (PrintError included) and
// returns stderr.
func runLogged(t *testing.T, args ...string) (string, error) {
	t.Helper()
	root := NewRoot()
	var stderr bytes.Buffer
	root.SetArgs(args)
	root.SetOut(&bytes.Buffer{})
	root.SetErr(&stderr)
	err := root.Execute()
	if err != nil {
		PrintError(&stderr, root, args, err, ExitCode(err))
	}
	return stderr.String(), err
}

// TestJSONLogStream pins the shape of export's stderr with --log-format json,
// for a run that succeeds and one that fails: every line is one JSON object,
// numbers are numbers, the fatal error carries its exit code and category.
func TestJSONLogStream(t *testing.T) {
	sample, _ := filepath.Glob(filepath.Join(repoTestdata(t), "sample-snapshot", "node*", "demo", "events-*", "snapshots", "sample"))
	ok := append([]string{"export", "--log-format", "json", "--progress-interval", "1ms", "-w", "1",
		"--split-size", "16KiB", "--now", "2026-01-01", "--out", filepath.Join(t.TempDir(), "out")}, sample...)
	failing := []string{"export", "--log-format", "json", "--out", filepath.Join(t.TempDir(), "out"), filepath.Join(t.TempDir(), "missing")}
	var got []string
	for _, args := range [][]string{ok, failing} {
		stderr, err := runLogged(t, args...)
		if (err == nil) != (&args[0] == &ok[0]) {
			t.Fatalf("%v: %v", args, err)
		}
		got = append(got, "# "+args[0]+fmt.Sprintf(" (exit %d)", ExitCode(err)))
		prev := ""
		for _, line := range strings.Split(strings.TrimRight(stderr, "\n"), "\n") {
			s := shape(t, line)
			if s != prev { // progress lines come as often as the run is slow
				got = append(got, s)
			}
			prev = s
		}
	}
	golden(t, filepath.Join("testdata", "logs", "export.json-shapes.txt"), []byte(strings.Join(got, "\n")+"\n"))
}

// TestProgressLines pins the progress lines of a run whose stderr is not a
// terminal, as text and as JSON.
func TestProgressLines(t *testing.T) {
	noTime := func(_ []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey {
			return slog.Attr{}
		}
		return a
	}
	var out bytes.Buffer
	for _, format := range []string{"text", "json"} {
		opts := &slog.HandlerOptions{ReplaceAttr: noTime}
		log := slog.New(slog.NewTextHandler(&out, opts))
		if format == "json" {
			log = slog.New(slog.NewJSONHandler(&out, opts))
		}
		p := newProgress(&out, false)
		for i := 1; i <= 3; i++ { // 1 MiB and 100 rows every 30s: 4 units, one resumed
			p.logLine(log, pipeline.Progress{UnitsDone: 1 + i/2, Units: 4, Bytes: 4 * mib,
				BytesDone: int64(i) * mib, Rows: 100 * int64(i), Elapsed: time.Duration(i) * 30 * time.Second,
				UnitsResumed: 1, BytesResumed: mib, RowsResumed: 100})
		}
	}
	golden(t, filepath.Join("testdata", "logs", "progress-lines.txt"), out.Bytes())
}

// TestSummaryBlock pins the summary a terminal gets.
func TestSummaryBlock(t *testing.T) {
	var out bytes.Buffer
	o := &exportOptions{out: "/data/t", logFormat: "text"}
	sum := &pipeline.Summary{Table: "ks.t", SSTables: 12, Units: 40, UnitsResumed: 3, Partitions: 123456,
		Rows: 2345678, Tombstones: 42, BytesIn: 29423680, BytesOut: 51200000, Duration: 12500 * time.Millisecond}
	o.summaryBlock(&out, sum)
	golden(t, filepath.Join("testdata", "logs", "summary.txt"), out.Bytes())
}
