package cli

import (
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
	"golang.org/x/term"

	"github.com/aegisthus/aegisthus/internal/pipeline"
)

// progress shows a running export on stderr: a bar when stderr is a terminal,
// else (or with --log-format json) a log line every --progress-interval. The
// bar is github.com/vbauerster/mpb: it redraws on its own ticker, so updates
// only hand it numbers. Numbers come from the pipeline's Meter, polled (watch):
// bytes move as the scanners advance, not only when a unit ends.
//
// progress is also an io.Writer: give it to the logger, and a line logged
// while the bar is drawn is printed above the bar instead of through it. Once
// finish has returned, or when no bar is drawn, writes go straight to stderr.
//
// update, Write and finish are safe for concurrent use.
type progress struct {
	stderr io.Writer
	on     bool // draw a bar
	opts   []mpb.ContainerOption

	mu       sync.Mutex
	p        *mpb.Progress // nil until the first update, and after finish
	bar      *mpb.Bar
	finished bool
	last     pipeline.Progress // newest update drawn
	rmu      sync.Mutex        // guards rate; taken after mu, never before
	rate     rateWindow
	shown    atomic.Pointer[pipeline.Progress]
	meter    *pipeline.Meter // watched; finish draws its final numbers
	stop     chan struct{}   // closed by finish: ends watch
	watching sync.WaitGroup
}

// progressOption adjusts a progress; tests use it in place of a terminal.
type progressOption func(*progress)

// forceTerminal draws the bar even when stderr is not a terminal, width
// columns wide.
func forceTerminal(width int) progressOption {
	return func(p *progress) {
		p.on = true
		p.opts = append(p.opts, mpb.WithAutoRefresh(), mpb.WithWidth(width))
	}
}

// isTerminal reports whether w is a terminal with a width (a pseudo-terminal
// nobody sized is not one).
func isTerminal(w io.Writer) bool {
	f, ok := w.(*os.File)
	if !ok || !term.IsTerminal(int(f.Fd())) {
		return false
	}
	width, _, err := term.GetSize(int(f.Fd()))
	return err == nil && width > 0
}

// newProgress returns the progress of an export logging to stderr. off (from
// --quiet or --log-format json) means no bar even on a terminal.
func newProgress(stderr io.Writer, off bool, opts ...progressOption) *progress {
	p := &progress{stderr: stderr, on: isTerminal(stderr), stop: make(chan struct{})}
	for _, o := range opts {
		o(p)
	}
	p.on = p.on && !off
	return p
}

// watch polls m until finish: into the bar when one is drawn, else into a
// "progress" line on log every interval (none when interval is 0).
func (p *progress) watch(m *pipeline.Meter, log *slog.Logger, interval time.Duration) {
	every := interval
	if p.on {
		every = 100 * time.Millisecond
	}
	if every <= 0 {
		return
	}
	if p.on {
		p.mu.Lock()
		p.meter = m
		p.mu.Unlock()
	}
	p.watching.Go(func() {
		t := time.NewTicker(every)
		defer t.Stop()
		for {
			select {
			case <-p.stop:
				return
			case <-t.C:
			}
			s, ok := m.Progress()
			if !ok {
				continue
			}
			if p.on {
				p.update(s)
			} else {
				p.logLine(log, s)
			}
		}
	})
}

// logLine logs one progress line: bytes done/total, rows, rows/s, units,
// ETA; numbers as numbers.
func (p *progress) logLine(log *slog.Logger, s pipeline.Progress) {
	p.rmu.Lock()
	rate := p.rate.add(s)
	p.rmu.Unlock()
	args := []any{"bytes_done", s.BytesDone, "bytes_total", s.Bytes,
		"rows", s.Rows, "rows_per_second", round1(rowRate(s)),
		"units_done", s.UnitsDone, "units", s.Units, "elapsed_seconds", round1(s.Elapsed.Seconds())}
	if eta, ok := etaOf(s, rate); ok {
		args = append(args, "eta_seconds", round1(eta.Seconds()))
	}
	log.Info("progress", args...)
}

// update hands the bar a snapshot, from any goroutine; an older snapshot
// overtaken by a newer one is dropped.
func (p *progress) update(s pipeline.Progress) {
	if !p.on {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.finished {
		p.draw(s)
	}
}

// draw hands the bar s, with p.mu held.
func (p *progress) draw(s pipeline.Progress) {
	if s.Bytes <= 0 || (p.p != nil && s.Elapsed < p.last.Elapsed) {
		return
	}
	if p.p == nil {
		p.start(s)
	}
	p.rmu.Lock()
	p.rate.add(s)
	p.rmu.Unlock()
	p.shown.Store(&s)
	p.bar.SetTotal(s.Bytes, false) // a batch's tables are planned one by one
	p.bar.SetCurrent(s.BytesDone)
	p.last = s
}

// start creates the bar at the first update, when the totals are known.
func (p *progress) start(s pipeline.Progress) {
	p.p = mpb.New(append([]mpb.ContainerOption{mpb.WithOutput(p.stderr)}, p.opts...)...)
	p.bar = p.p.AddBar(s.Bytes,
		mpb.PrependDecorators(decor.NewPercentage("%.1f", decor.WC{W: 6})),
		mpb.AppendDecorators(
			decor.Counters(decor.SizeB1024(0), " % .1f / % .1f"),
			decor.Any(p.speed),
			decor.Any(p.units),
			decor.OnComplete(decor.Any(p.eta), ""),
			decor.Any(p.rows), // last: a narrow terminal cuts it first
		),
	)
}

// speed renders "  1.0 MiB/s", the smoothed rate (rateWindow).
func (p *progress) speed(decor.Statistics) string {
	p.rmu.Lock()
	defer p.rmu.Unlock()
	return "  " + iec(int64(p.rate.value)) + "/s"
}

// eta renders "  ETA 2s" from the smoothed rate, or nothing while unknown.
func (p *progress) eta(decor.Statistics) string {
	s := p.shown.Load()
	if s == nil {
		return ""
	}
	p.rmu.Lock()
	eta, ok := etaOf(*s, p.rate.value)
	p.rmu.Unlock()
	if !ok {
		return ""
	}
	return "  ETA " + eta.String()
}

// rows renders "rows N (R/s)", the rate over this run's work.
func (p *progress) rows(decor.Statistics) string {
	s := p.shown.Load()
	if s == nil {
		return ""
	}
	return fmt.Sprintf("  rows %d (%.0f/s)", s.Rows, rowRate(*s))
}

// units renders "units done/total".
func (p *progress) units(decor.Statistics) string {
	s := p.shown.Load()
	if s == nil {
		return ""
	}
	return fmt.Sprintf("  units %d/%d", s.UnitsDone, s.Units)
}

// Write prints b above the bar while one is drawn, and on stderr otherwise.
func (p *progress) Write(b []byte) (int, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.p != nil {
		if n, err := p.p.Write(b); err == nil {
			return n, nil
		}
	}
	return p.stderr.Write(b)
}

// finish stops watching, draws the bar a last time (with the watched meter's
// final numbers: the last poll may predate the last commit) and stops it,
// leaving it on screen as it was (complete, or where a failed run stopped), so
// that the summary or the error printed next starts on a line of its own.
func (p *progress) finish() {
	p.mu.Lock()
	if !p.finished {
		close(p.stop)
	}
	p.finished = true
	p.mu.Unlock()
	p.watching.Wait()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.meter != nil {
		if s, ok := p.meter.Progress(); ok {
			p.draw(s)
		}
		p.meter = nil
	}
	if p.p == nil {
		return
	}
	p.bar.Abort(false) // a no-op when the bar is complete
	p.p.Wait()
	p.p, p.bar = nil, nil
}
