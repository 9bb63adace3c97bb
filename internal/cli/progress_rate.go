package cli

import (
	"math"
	"time"

	"github.com/aegisthus/aegisthus/internal/pipeline"
)

// rateWindow is the bar's and the progress lines' speed: bytes per second
// over the last rateSpan of snapshots (from the run's start while it is
// younger). Over a span, units that finish in bursts (one per worker) and
// scanners that stall on a large partition average out, and the ETA it gives
// does not jump with each snapshot; the work resumed from an earlier run is
// not speed.
//
// It is not safe for concurrent use.
type rateWindow struct {
	samples []rateSample
	value   float64 // bytes per second; 0 until known
}

type rateSample struct {
	at    time.Duration
	bytes int64
}

const rateSpan = time.Minute

// add records s and returns the rate.
func (w *rateWindow) add(s pipeline.Progress) float64 {
	if len(w.samples) == 0 {
		w.samples = append(w.samples, rateSample{0, s.BytesResumed})
	}
	w.samples = append(w.samples, rateSample{s.Elapsed, s.BytesDone})
	for len(w.samples) > 2 && s.Elapsed-w.samples[1].at >= rateSpan {
		w.samples = w.samples[1:]
	}
	first := w.samples[0]
	if dt := (s.Elapsed - first.at).Seconds(); dt > 0 {
		w.value = float64(s.BytesDone-first.bytes) / dt
	}
	return w.value
}

// etaOf is the time left at rate bytes per second.
func etaOf(s pipeline.Progress, rate float64) (time.Duration, bool) {
	if rate <= 0 || s.BytesDone >= s.Bytes {
		return 0, false
	}
	secs := math.Ceil(float64(s.Bytes-s.BytesDone) / rate)
	return time.Duration(secs) * time.Second, true
}

// rowRate is this run's rows per second.
func rowRate(s pipeline.Progress) float64 {
	return float64(s.Rows-s.RowsResumed) / max(s.Elapsed.Seconds(), 0.001)
}

// round1 rounds x to one decimal, for logs that print seconds and rates.
func round1(x float64) float64 { return math.Round(x*10) / 10 }
