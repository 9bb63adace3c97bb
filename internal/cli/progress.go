package cli

import (
	"fmt"
	"io"
	"os"
	"sync"
	"time"

	"golang.org/x/term"

	"github.com/aegisthus/aegisthus/internal/pipeline"
)

// progress draws a one-line progress report on stderr when it is a terminal;
// otherwise it stays silent (cron jobs get only the final summary).
type progress struct {
	w    io.Writer
	tty  bool
	mu   sync.Mutex
	last time.Time
	drew bool
}

func newProgress(w io.Writer, quiet bool) *progress {
	p := &progress{w: w}
	if f, ok := w.(*os.File); ok && !quiet {
		p.tty = term.IsTerminal(int(f.Fd()))
	}
	return p
}

func (p *progress) update(s pipeline.Progress) {
	if !p.tty {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if time.Since(p.last) < 200*time.Millisecond && s.UnitsDone < s.Units {
		return
	}
	p.last = time.Now()
	pct := 100.0
	if s.Bytes > 0 {
		pct = 100 * float64(s.BytesDone) / float64(s.Bytes)
	}
	rate := float64(s.BytesDone) / max(s.Elapsed.Seconds(), 0.001)
	eta := "-"
	if rate > 0 && s.BytesDone < s.Bytes {
		eta = (time.Duration(float64(s.Bytes-s.BytesDone)/rate) * time.Second / time.Second).Round(time.Second).String()
	}
	fmt.Fprintf(p.w, "\r\x1b[K%5.1f%%  units %d/%d  %s/%s  %.0f MB/s  %d rows (%.0f/s)  ETA %s",
		pct, s.UnitsDone, s.Units, humanBytes(s.BytesDone), humanBytes(s.Bytes), rate/1e6,
		s.Rows, float64(s.Rows)/max(s.Elapsed.Seconds(), 0.001), eta)
	p.drew = true
}

func (p *progress) finish() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.drew {
		fmt.Fprint(p.w, "\n")
	}
}

func humanBytes(n int64) string {
	const unit = 1024
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %ciB", float64(n)/float64(div), "KMGTPE"[exp])
}
