package cli

import (
	"bytes"
	"log/slog"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aegisthus/aegisthus/internal/pipeline"
)

const mib = 1 << 20

// feed reports the first n of units units of 1 MiB and 100 rows each, one per
// second, as the pipeline would.
func feed(p *progress, n, units int) {
	for i := 1; i <= n; i++ {
		p.update(pipeline.Progress{UnitsDone: i, Units: units, BytesDone: int64(i) * mib,
			Bytes: int64(units) * mib, Rows: int64(i) * 100, Elapsed: time.Duration(i) * time.Second})
	}
}

// lastFrame returns the last drawn bar line, without terminal escapes.
func lastFrame(out string) string {
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	return regexp.MustCompile(`\x1b\[[0-9;]*[A-Za-z]`).ReplaceAllString(lines[len(lines)-1], "")
}

func TestProgressBar(t *testing.T) {
	for _, tc := range []struct {
		name string
		done int
		want []string
	}{
		{"running", 2, []string{" 50.0%", "2.0 MiB / 4.0 MiB", "1.0 MiB/s", "units 2/4", "ETA 2s", "rows 200 (100/s)"}},
		{"complete", 4, []string{"100.0%", "4.0 MiB / 4.0 MiB", "1.0 MiB/s", "rows 400 (100/s)", "units 4/4"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			p := newProgress(&buf, false, forceTerminal(140))
			feed(p, tc.done, 4)
			p.finish()
			frame := lastFrame(buf.String())
			for _, w := range tc.want {
				if !strings.Contains(frame, w) {
					t.Errorf("bar %q lacks %q", frame, w)
				}
			}
			if tc.done == 4 && strings.Contains(frame, "ETA") {
				t.Errorf("complete bar %q still shows an ETA", frame)
			}
		})
	}
}

// With two workers units finish in pairs; the speed is still the real one.
func TestProgressBursts(t *testing.T) {
	var buf bytes.Buffer
	p := newProgress(&buf, false, forceTerminal(140))
	for i := 1; i <= 4; i++ { // two units every 2s
		p.update(pipeline.Progress{UnitsDone: i, Units: 8, BytesDone: int64(i) * mib,
			Bytes: 8 * mib, Rows: int64(i) * 100, Elapsed: time.Duration((i+1)/2*2) * time.Second})
	}
	p.finish()
	frame := lastFrame(buf.String())
	for _, w := range []string{" 50.0%", "1.0 MiB/s", "units 4/8", "ETA 4s", "rows 400 (100/s)"} {
		if !strings.Contains(frame, w) {
			t.Errorf("bar %q lacks %q", frame, w)
		}
	}
}

// A resumed run counts its resumed units as done but not in the speeds.
func TestProgressResumed(t *testing.T) {
	var buf bytes.Buffer
	p := newProgress(&buf, false, forceTerminal(140))
	// 6 of 8 units were committed by an earlier run; this one did 2 in 2s.
	for i := 7; i <= 8; i++ {
		p.update(pipeline.Progress{UnitsDone: i, Units: 8, BytesDone: int64(i) * mib,
			Bytes: 8 * mib, Rows: int64(i) * 100, Elapsed: time.Duration(i-6) * time.Second,
			UnitsResumed: 6, BytesResumed: 6 * mib, RowsResumed: 600})
	}
	p.finish()
	frame := lastFrame(buf.String())
	for _, w := range []string{"100.0%", "8.0 MiB / 8.0 MiB", "1.0 MiB/s", "rows 800 (100/s)", "units 8/8"} {
		if !strings.Contains(frame, w) {
			t.Errorf("bar %q lacks %q", frame, w)
		}
	}
}

func TestProgressOff(t *testing.T) {
	for _, tc := range []struct {
		name string
		off  bool
		opts []progressOption
	}{
		{"not a terminal", false, nil},
		{"quiet or json logs", true, []progressOption{forceTerminal(140)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			p := newProgress(&buf, tc.off, tc.opts...)
			feed(p, 3, 4)
			log := slog.New(slog.NewTextHandler(p, nil))
			log.Info("during")
			p.finish()
			log.Info("summary")
			got := buf.String()
			if strings.Contains(got, "units") || strings.Contains(got, "\x1b") {
				t.Errorf("drew a bar: %q", got)
			}
			if n := strings.Count(got, "\n"); n != 2 || !strings.Contains(got, "msg=during") || !strings.Contains(got, "msg=summary") {
				t.Errorf("want the two log lines alone, got %q", got)
			}
		})
	}
}

// Lines logged while the bar is drawn, from any goroutine, land on lines of
// their own above it; the summary comes after the last frame.
func TestProgressLogLines(t *testing.T) {
	var buf bytes.Buffer
	p := newProgress(&buf, false, forceTerminal(140))
	log := slog.New(slog.NewTextHandler(p, nil))
	log.Info("before the bar")
	var wg sync.WaitGroup
	for w := range 2 {
		wg.Go(func() {
			for i := 1 + w; i <= 8; i += 2 {
				p.update(pipeline.Progress{UnitsDone: i, Units: 8, BytesDone: int64(i) * mib,
					Bytes: 8 * mib, Rows: int64(i), Elapsed: time.Duration(i) * time.Second})
				log.Info("unit done", "worker", w)
			}
		})
	}
	wg.Wait()
	p.finish()
	log.Info("export done")

	out := buf.String()
	if got := strings.Count(out, "msg=\"unit done\""); got != 8 {
		t.Errorf("%d of 8 log lines printed:\n%s", got, out)
	}
	for _, line := range strings.Split(out, "\n") {
		if strings.Contains(line, "msg=") && strings.Contains(line, "units") {
			t.Errorf("log line and bar share a line: %q", line)
		}
	}
	lines := strings.Split(strings.TrimRight(out, "\n"), "\n")
	if last := lines[len(lines)-1]; !strings.HasPrefix(last, "time=") || !strings.Contains(last, "export done") {
		t.Errorf("summary %q is not a clean last line", last)
	}
	if prev := lastFrame(strings.Join(lines[:len(lines)-1], "\n")); !strings.Contains(prev, "units 8/8") {
		t.Errorf("line before the summary is %q, want the final bar", prev)
	}
}
