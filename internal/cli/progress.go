package cli

import (
	"fmt"
	"io"
	"os"
	"sync"
	"sync/atomic"
	"time"

	"github.com/vbauerster/mpb/v8"
	"github.com/vbauerster/mpb/v8/decor"
	"golang.org/x/term"

	"github.com/aegisthus/aegisthus/internal/pipeline"
)

// progress draws a progress bar for a running export on stderr when stderr is
// a terminal, and nothing otherwise (cron jobs and --log-format json get only
// the final summary). The bar is github.com/vbauerster/mpb: it redraws on its
// own ticker, so the workers' updates only hand it numbers.
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
	base     pipeline.Progress // what was done before this run (resumed units)
	shown    atomic.Pointer[pipeline.Progress]
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

// newProgress returns the progress of an export logging to stderr. off (from
// --quiet or --log-format json) means no bar even on a terminal.
func newProgress(stderr io.Writer, off bool, opts ...progressOption) *progress {
	p := &progress{stderr: stderr}
	if f, ok := stderr.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		// A terminal with no width (a pseudo-terminal nobody sized) shows no bar.
		w, _, err := term.GetSize(int(f.Fd()))
		p.on = err == nil && w > 0
	}
	for _, o := range opts {
		o(p)
	}
	p.on = p.on && !off
	return p
}

// update is pipeline.Options.Progress: it is called from the workers, once
// per finished unit, possibly out of order.
func (p *progress) update(s pipeline.Progress) {
	if !p.on {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.finished || s.UnitsDone <= p.last.UnitsDone || s.Bytes <= 0 {
		return // a worker's older snapshot overtaken by a newer one
	}
	if p.p == nil {
		p.start(s)
	}
	p.shown.Store(&s)
	// Speed and ETA are moving averages of the time per byte between updates
	// (see recentMean); fed the pipeline's clock, they come out the same in
	// tests.
	p.bar.EwmaSetCurrent(s.BytesDone, s.Elapsed-p.last.Elapsed)
	p.last = s
}

// start creates the bar at the first update, when the totals are known.
// Units resumed from an earlier run are counted as done but not as speed: the
// first update is one unit of this run's work plus the resumed ones, and since
// units hold balanced bytes, one unit's share stands for this run's part.
func (p *progress) start(s pipeline.Progress) {
	p.base = pipeline.Progress{
		UnitsDone: s.UnitsDone - 1,
		BytesDone: s.BytesDone - s.BytesDone/int64(s.UnitsDone),
		Rows:      s.Rows - s.Rows/int64(s.UnitsDone),
	}
	p.p = mpb.New(append([]mpb.ContainerOption{mpb.WithOutput(p.stderr)}, p.opts...)...)
	p.bar = p.p.AddBar(s.Bytes,
		mpb.PrependDecorators(decor.NewPercentage("%.1f", decor.WC{W: 6})),
		mpb.AppendDecorators(
			decor.Counters(decor.SizeB1024(0), " % .1f / % .1f"),
			decor.MovingAverageSpeed(decor.SizeB1000(0), "  % .1f", newRecentMean()),
			decor.Any(p.units),
			decor.OnComplete(decor.Name("  ETA "), ""),
			decor.OnComplete(decor.MovingAverageETA(decor.ET_STYLE_GO, newRecentMean(),
				decor.MaxTolerateTimeNormalizer(time.Minute)), ""),
			decor.Any(p.rows), // last: a narrow terminal cuts it first
		),
	)
	p.bar.SetCurrent(p.base.BytesDone)
}

// rows renders "rows N (R/s)", the rate over this run's units.
func (p *progress) rows(decor.Statistics) string {
	s := p.shown.Load()
	if s == nil {
		return ""
	}
	rate := float64(s.Rows-p.base.Rows) / max(s.Elapsed.Seconds(), 0.001)
	return fmt.Sprintf("  rows %d (%.0f/s)", s.Rows, rate)
}

// units renders "units done/total".
func (p *progress) units(decor.Statistics) string {
	s := p.shown.Load()
	if s == nil {
		return ""
	}
	return fmt.Sprintf("  units %d/%d", s.UnitsDone, s.Units)
}

// recentMean is the ewma.MovingAverage behind the bar's speed and ETA: the
// plain mean of the last samples of time per byte, one sample per finished
// unit. Units hold balanced bytes but finish in bursts, one per worker: with
// two workers, samples alternate between a unit's whole time and almost none.
// A plain mean weighs them right; the library's exponential average would let
// the first sample (a whole unit, plus the planning) dominate for dozens of
// units, showing half the real speed.
//
// It is not safe for concurrent use; each bar's decorator is updated and
// drawn by that bar's goroutine alone.
type recentMean struct {
	v []float64
	n int // samples added
}

func newRecentMean() *recentMean { return &recentMean{v: make([]float64, 16)} }

func (m *recentMean) Add(x float64) { m.v[m.n%len(m.v)] = x; m.n++ }

func (m *recentMean) Set(x float64) {
	for i := range m.v {
		m.v[i] = x
	}
	m.n = len(m.v)
}

func (m *recentMean) Value() float64 {
	k := min(m.n, len(m.v))
	if k == 0 {
		return 0
	}
	var sum float64
	for _, x := range m.v[:k] {
		sum += x
	}
	return sum / float64(k)
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

// finish draws the bar a last time and stops it, leaving it on screen as it
// was (complete, or where a failed run stopped), so that the summary or the
// error printed next starts on a line of its own.
func (p *progress) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.finished = true
	if p.p == nil {
		return
	}
	p.bar.Abort(false) // a no-op when the bar is complete
	p.p.Wait()
	p.p, p.bar = nil, nil
}
