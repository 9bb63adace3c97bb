package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"slices"

	"github.com/aegisthus/aegisthus/internal/sink"
	"github.com/aegisthus/aegisthus/internal/sstable"
	"github.com/aegisthus/aegisthus/internal/sstable/format"
	"github.com/aegisthus/aegisthus/internal/sstable/wire"
)

// ErrorsFile lists, one JSON object a line, the SSTables an export left out
// (Options.MaxErrors). It is written beside _manifest.json, only when there
// are any.
const ErrorsFile = "_errors.jsonl"

// Skip records an SSTable left out of an export because it failed to open or
// to decode (Options.MaxErrors): the export is incomplete.
type Skip struct {
	File   string `json:"file"`
	Offset int64  `json:"offset"` // where decoding failed; -1 when unknown
	Unit   int    `json:"unit"`   // the unit re-run without it; -1 when it failed to open
	Reason string `json:"reason"`
}

// sstableError is a decode error of one of the job's SSTables, as a unit's
// merge met it: what lets the unit run again without it.
type sstableError struct {
	idx    int // in Job.ssts
	offset int64
	err    error
}

func (e *sstableError) Error() string { return e.err.Error() }
func (e *sstableError) Unwrap() error { return e.err }

// taggedScanner names its SSTable in its error.
type taggedScanner struct {
	sstable.Partitions
	idx int
}

func (t *taggedScanner) Err() error {
	err := t.Partitions.Err()
	if err == nil {
		return nil
	}
	return &sstableError{idx: t.idx, offset: errOffset(err, t.Partitions.Offset()), err: err}
}

// errOffset is the offset a format error names, else def.
func errOffset(err error, def int64) int64 {
	if fe := (*wire.FormatError)(nil); errors.As(err, &fe) {
		return fe.Offset
	}
	return def
}

// skippable reports whether err is the input's fault, not the run's: the
// output failing, a cancelled run or a missing schema are never skipped.
func skippable(err error) bool {
	return !errors.Is(err, sink.ErrOutput) && !errors.Is(err, context.Canceled) &&
		!errors.Is(err, context.DeadlineExceeded) && !errors.Is(err, ErrNeedsSchema)
}

// skipOpen decides on an SSTable that failed to open: with room left under
// Options.MaxErrors it is recorded and left out.
func (j *Job) skipOpen(d format.Descriptor, err error) bool {
	if j.o.MaxErrors <= len(j.skipped) || !skippable(err) {
		return false
	}
	j.skipped = append(j.skipped, Skip{File: d.Path(format.Data), Offset: errOffset(err, -1), Unit: -1, Reason: err.Error()})
	j.o.Log.Warn("skipping an SSTable that fails to open", "table", j.o.Table.String(), "file", d.Path(format.Data), "error", err)
	return true
}

// skipDecode decides on a unit's error: when an SSTable failed to decode and
// Options.MaxErrors leaves room, the SSTable is left out of this and every
// later unit, and the unit runs again without it.
func (j *Job) skipDecode(err error, unit int) (Skip, bool, error) {
	se := (*sstableError)(nil)
	if j.o.MaxErrors <= 0 || !errors.As(err, &se) || !skippable(err) {
		return Skip{}, false, err
	}
	j.skipMu.Lock()
	defer j.skipMu.Unlock()
	if !j.bad[se.idx] {
		if n := len(j.skipped) + len(j.bad); n >= j.o.MaxErrors {
			return Skip{}, false, fmt.Errorf("%w (more than --max-errors %d SSTables failed)", err, j.o.MaxErrors)
		}
		j.bad[se.idx] = true
	}
	s := Skip{File: dataPath(j.ssts[se.idx]), Offset: se.offset, Unit: unit, Reason: se.err.Error()}
	j.o.Log.Warn("skipping an SSTable that fails to decode; running its unit again without it",
		"table", j.o.Table.String(), "file", s.File, "offset", s.Offset, "unit", unit, "error", se.err)
	return s, true, nil
}

// isBad reports whether SSTable i was left out after a decode error.
func (j *Job) isBad(i int) bool {
	if j.o.MaxErrors <= 0 {
		return false
	}
	j.skipMu.Lock()
	defer j.skipMu.Unlock()
	return j.bad[i]
}

// runUnitSkipping is runUnit that, within Options.MaxErrors, runs a unit
// again without an SSTable that failed to decode: a part never holds the
// output of a failed attempt.
func (j *Job) runUnitSkipping(ctx context.Context, out sink.Sink, id int, hashOff bool) (*pendingPart, error) {
	var skipped []Skip
	for {
		pp, err := j.runUnit(ctx, out, id, hashOff)
		if err == nil {
			pp.p.Skipped = skipped
			return pp, nil
		}
		s, ok, err := j.skipDecode(err, id)
		if !ok {
			return nil, err
		}
		skipped = append(skipped, s)
	}
}

// allSkips is what the job left out: SSTables that failed to open, then those
// its parts' units ran without.
func (j *Job) allSkips(parts []PartInfo) []Skip {
	out := slices.Clone(j.skipped)
	for _, p := range parts {
		out = append(out, p.Skipped...)
	}
	return out
}

// putErrors writes _errors.jsonl when anything was skipped, and removes a
// stale one otherwise.
func putErrors(ctx context.Context, out sink.Sink, skips []Skip) error {
	if len(skips) == 0 {
		if err := out.Remove(ctx, ErrorsFile); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return outputError(err)
		}
		return nil
	}
	var b bytes.Buffer
	for _, s := range skips {
		line, _ := json.Marshal(s)
		b.Write(append(line, '\n'))
	}
	if err := out.Put(ctx, ErrorsFile, b.Bytes()); err != nil {
		return outputError(err)
	}
	return nil
}
