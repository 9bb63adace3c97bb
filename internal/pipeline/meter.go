package pipeline

import (
	"sync/atomic"
	"time"

	"github.com/aegisthus/aegisthus/internal/plan"
	"github.com/aegisthus/aegisthus/internal/sstable"
)

// Meter counts a running export's work as it happens, for a display that
// polls it (Options.Meter): bytes as the unit scanners advance, each input
// byte once (plan.Range.Own: units' scans overlap at their ends), and rows
// and units as units commit. When the run ends, BytesDone is the plan's
// total, which for the SSTables alone is Summary.BytesIn.
//
// A Meter is safe for concurrent use; give one to one run.
type Meter struct {
	started                        atomic.Int64 // unix nanos at Prepare; 0 until planned
	planned                        atomic.Bool
	units, unitsDone, unitsResumed atomic.Int64
	bytes, bytesDone, bytesResumed atomic.Int64
	rows, rowsResumed              atomic.Int64
}

// Progress returns the meter's numbers, and false until the export is
// planned (before then the totals are unknown).
func (m *Meter) Progress() (Progress, bool) {
	if !m.planned.Load() {
		return Progress{}, false
	}
	return Progress{
		Units: int(m.units.Load()), UnitsDone: int(m.unitsDone.Load()), UnitsResumed: int(m.unitsResumed.Load()),
		Bytes: m.bytes.Load(), BytesDone: m.bytesDone.Load(), BytesResumed: m.bytesResumed.Load(),
		Rows: m.rows.Load(), RowsResumed: m.rowsResumed.Load(),
		Elapsed: time.Duration(time.Now().UnixNano() - m.started.Load()),
	}, true
}

// plan adds a table's units to the totals, those already done (resumed)
// included: units ids of the plan remain to run.
func (m *Meter) plan(start time.Time, pl *plan.Plan, done map[int]PartInfo) {
	if m == nil {
		return
	}
	m.started.CompareAndSwap(0, start.UnixNano())
	for id, u := range pl.Units {
		m.units.Add(1)
		m.bytes.Add(u.Bytes)
		if p, ok := done[id]; ok {
			m.unitsDone.Add(1)
			m.unitsResumed.Add(1)
			m.bytesDone.Add(u.Bytes)
			m.bytesResumed.Add(u.Bytes)
			m.rows.Add(p.Rows)
			m.rowsResumed.Add(p.Rows)
		}
	}
	m.planned.Store(true)
}

// unitDone counts a committed unit: its rows, and what its scanners did not
// count of its bytes (the spans' share, a scan cut short, or minus what a
// rerun counted twice), so that the totals come out exact.
func (m *Meter) unitDone(u *plan.Unit, counted *atomic.Int64, rows int64) {
	if m == nil {
		return
	}
	m.unitsDone.Add(1)
	m.rows.Add(rows)
	m.bytesDone.Add(u.Bytes - counted.Swap(u.Bytes))
}

// meteredScanner counts the bytes its scanner advances over within the
// range's own part (plan.Range.Own) into the meter and the unit's count.
type meteredScanner struct {
	sstable.Partitions
	m          *Meter
	unit       *atomic.Int64
	at, ownEnd int64 // counted up to at
}

func (s *meteredScanner) NextPartition() bool {
	ok := s.Partitions.NextPartition()
	if off := min(s.Offset(), s.ownEnd); off > s.at {
		s.m.bytesDone.Add(off - s.at)
		s.unit.Add(off - s.at)
		s.at = off
	}
	return ok
}

// metered wraps sc to count range r's own bytes, when the run has a meter.
func (j *Job) metered(sc sstable.Partitions, r plan.Range, unit int) sstable.Partitions {
	if j.o.Meter == nil {
		return sc
	}
	return &meteredScanner{Partitions: sc, m: j.o.Meter, unit: &j.counted[unit], at: r.Start, ownEnd: r.Start + r.Own}
}
