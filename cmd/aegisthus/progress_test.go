package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/creack/pty"
)

// barFrame matches one frame of the export's progress bar, terminal escapes
// removed: "  0.2% [---]  879.0 b / 718.4 KiB  4.3 KiB/s  units 0/5 ... rows 0 (0/s)".
var barFrame = regexp.MustCompile(`(\d+\.\d)% \[[^\]]*\]\s+(\d+\.\d) (b|KiB|MiB|GiB) / (\d+\.\d) (b|KiB|MiB|GiB)\s.*units (\d+)/(\d+).*rows (\d+) `)

// ansi matches the escapes mpb moves the cursor and clears lines with.
var ansi = regexp.MustCompile(`\x1b\[[0-9;?]*[A-Za-z]`)

// iecBytes reads a size as the bar prints it: "718.4 KiB".
func iecBytes(t *testing.T, num, unit string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(num, 64)
	if err != nil {
		t.Fatal(err)
	}
	shift := map[string]int{"b": 0, "B": 0, "KiB": 10, "MiB": 20, "GiB": 30}[unit]
	return v * float64(int64(1)<<shift)
}

// barState is what one frame of the bar says.
type barState struct {
	done, total        float64 // bytes
	totalText          string  // as printed
	units, unitsTotal  int
	rows               int64
	percent            float64
	doneText, frameRaw string
}

// doneLine is what tests read of the "export done" line of --log-format json.
type doneLine struct {
	Msg     string `json:"msg"`
	Units   int    `json:"units"`
	Resumed int    `json:"resumed_units"`
	Rows    int64  `json:"rows"`
	BytesIn int64  `json:"bytes_in"`
}

// exportDone finds the "export done" line in an export's JSON logs.
func exportDone(t *testing.T, logs string) doneLine {
	t.Helper()
	for _, line := range strings.Split(strings.TrimSpace(logs), "\n") {
		var d doneLine
		if json.Unmarshal([]byte(line), &d) == nil && d.Msg == "export done" {
			return d
		}
	}
	t.Fatalf("no 'export done' line in:\n%s", logs)
	return doneLine{}
}

// TestProgressBarOnTerminal runs an export under a pseudo-terminal, each
// part held 700 ms before its commit (AEGISTHUS_TEST_STALL), and reads what
// the terminal shows: the bar appears while no unit has been committed yet
// (its first frame says "units 0/N"), its total is the bytes_in the summary
// of the same export reports (to the bar's printed precision), never
// changes, and its last frame shows every unit, every byte and every row.
func TestProgressBarOnTerminal(t *testing.T) {
	bin := buildBinary(t)
	inputs := scaleCases(t)[0].inputs // the sample's events table, 3 replicas
	args := func(out string, extra ...string) []string {
		return append(append([]string{"export"}, inputs...), append([]string{"--out", out,
			"--workers", "1", "--split-size", "16KiB", "--now", scaleNow}, extra...)...)
	}
	dir := t.TempDir()

	// The same export without a terminal: the summary as one JSON object,
	// with the exact bytes_in.
	logs := mustAeg(t, bin, nil, args(filepath.Join(dir, "json"), "--log-format", "json")...)
	sum := exportDone(t, logs)
	if sum.Units < 2 || sum.BytesIn <= 0 {
		t.Fatalf("want an 'export done' line with several units and bytes_in, got:\n%s", logs)
	}

	// Under a terminal, bounded in time.
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, bin, args(filepath.Join(dir, "tty"))...)
	cmd.Env = append(os.Environ(), "AEGISTHUS_TEST_STALL=700ms")
	cmd.WaitDelay = 5 * time.Second
	tty, err := pty.StartWithSize(cmd, &pty.Winsize{Rows: 50, Cols: 200})
	if errors.Is(err, pty.ErrUnsupported) {
		t.Skip("no pseudo-terminals here")
	}
	if err != nil {
		t.Fatal(err)
	}
	defer tty.Close()
	read := make(chan []byte, 1)
	go func() {
		// Reads end with EIO once the process, the terminal's only other
		// holder, has exited.
		b, _ := io.ReadAll(tty)
		read <- b
	}()
	werr := cmd.Wait()
	var raw []byte
	select {
	case raw = <-read:
	case <-time.After(10 * time.Second):
		t.Fatal("the terminal's output did not end after the export exited")
	}
	screen := ansi.ReplaceAllString(strings.ReplaceAll(string(raw), "\r", ""), "")
	if werr != nil {
		t.Fatalf("export under a terminal: %v\n%s", werr, screen)
	}

	var frames []barState
	summaryAt := strings.Index(screen, "export of ")
	for _, line := range strings.Split(screen, "\n") {
		m := barFrame.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		f := barState{done: iecBytes(t, m[2], m[3]), total: iecBytes(t, m[4], m[5]),
			doneText: m[2] + " " + m[3], totalText: m[4] + " " + m[5], frameRaw: line}
		f.percent, _ = strconv.ParseFloat(m[1], 64)
		f.units, _ = strconv.Atoi(m[6])
		f.unitsTotal, _ = strconv.Atoi(m[7])
		f.rows, _ = strconv.ParseInt(m[8], 10, 64)
		frames = append(frames, f)
	}
	if len(frames) == 0 || summaryAt < 0 {
		t.Fatalf("no bar or no summary on the terminal:\n%s", screen)
	}
	if i := strings.Index(screen, frames[len(frames)-1].frameRaw); i > summaryAt {
		t.Errorf("the bar's last frame comes after the summary:\n%s", screen)
	}
	first, last := frames[0], frames[len(frames)-1]
	t.Logf("%d frames; first: %s; last: %s", len(frames), first.frameRaw, last.frameRaw)

	// Drawn before the first unit's commit.
	if first.units != 0 || first.unitsTotal != sum.Units {
		t.Errorf("first frame %q: want units 0/%d (the bar before the first commit)", first.frameRaw, sum.Units)
	}
	// Its total is bytes_in, in every frame.
	half := func(f barState) float64 { // half the last printed digit of the total
		_, unit, _ := strings.Cut(f.totalText, " ")
		return 0.05 * iecBytes(t, "1.0", unit)
	}
	for _, f := range frames {
		if f.totalText != first.totalText {
			t.Errorf("the bar's total moved: %s, then %s", first.totalText, f.totalText)
			break
		}
	}
	if d := math.Abs(first.total - float64(sum.BytesIn)); d > half(first) {
		t.Errorf("the bar's total %s is %.0f bytes; the summary's bytes_in is %d", first.totalText, first.total, sum.BytesIn)
	}
	// Its last frame is the finished run.
	if last.units != sum.Units || last.unitsTotal != sum.Units || last.rows != sum.Rows ||
		last.doneText != last.totalText || last.percent != 100 {
		t.Errorf("last frame %q: want 100%%, %s / %s, units %d/%d, rows %d",
			last.frameRaw, last.totalText, last.totalText, sum.Units, sum.Units, sum.Rows)
	}
	// The summary block says the same.
	if m := regexp.MustCompile(`(\d+(?:\.\d+)?) (B|KiB|MiB|GiB) uncompressed`).FindStringSubmatch(screen); m == nil {
		t.Errorf("no 'read ... uncompressed' in the summary:\n%s", screen)
	} else if read := iecBytes(t, m[1], m[2]); math.Abs(read-float64(sum.BytesIn)) > 10*half(first) {
		t.Errorf("the summary read %s %s, bytes_in is %d", m[1], m[2], sum.BytesIn)
	}
	if !strings.Contains(screen, fmt.Sprintf("%d (0 resumed)", sum.Units)) {
		t.Errorf("the summary block lacks %d units:\n%s", sum.Units, screen)
	}
	if bytes.Contains(raw, []byte("level=ERROR")) {
		t.Errorf("errors logged:\n%s", screen)
	}
}

// TestSummaryForMachines: an export whose stderr is not a terminal (a cron
// job, a container) ends, with text logs, on the summary as one JSON object
// with numbers as numbers.
func TestSummaryForMachines(t *testing.T) {
	bin := buildBinary(t)
	inputs, _ := filepath.Glob(filepath.Join("..", "..", "testdata", "sample-snapshot", "node*", "demo", "events-*", "snapshots", "sample"))
	logs := mustAeg(t, bin, nil, append([]string{"export", "--out", t.TempDir(), "--now", "2026-11-22T20:39:06Z"}, inputs...)...)
	lines := strings.Split(strings.TrimSpace(logs), "\n")
	last := lines[len(lines)-1]
	var d doneLine
	if err := json.Unmarshal([]byte(last), &d); err != nil || d.Msg != "export done" || d.Rows != 2140 || d.BytesIn == 0 {
		t.Fatalf("last line %q: %v, want the export done summary as JSON with 2140 rows", last, err)
	}
	if !strings.HasPrefix(lines[0], "time=") {
		t.Errorf("the other lines are not the text logs asked for: %q", lines[0])
	}
}
