package pipeline

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/aegisthus/aegisthus/internal/sink"
)

// ErrForeignFiles is an output that --overwrite would clear but that holds a
// file no export wrote.
var ErrForeignFiles = errors.New("holds files an export did not write")

// prepareRoot checks the output root against Resume and Overwrite, writes the
// top-level _export.json and returns the batch's Now (a resumed run's first).
func (b *Batch) prepareRoot(ctx context.Context, out sink.Sink) (int64, error) {
	now := b.o.Now
	if now == 0 {
		now = b.start.Unix()
	}
	names, err := out.List(ctx)
	if err != nil {
		return 0, outputError(err)
	}
	var dirs []string
	if t, ok := out.(sink.Tree); ok {
		if dirs, err = t.Dirs(ctx); err != nil {
			return 0, outputError(err)
		}
	}
	switch {
	case len(names) == 0 && len(dirs) == 0:
		if b.o.Resume {
			return 0, fmt.Errorf("%s: %w: the output is empty", out, ErrNothingToResume)
		}
	case b.o.Overwrite:
		if err := clearExports(ctx, out, 0); err != nil {
			return 0, err
		}
	case b.o.Resume:
		hb, err := out.Get(ctx, HeadFile)
		if errors.Is(err, fs.ErrNotExist) {
			return 0, fmt.Errorf("%s: %w: no %s", out, ErrNothingToResume, HeadFile)
		} else if err != nil {
			return 0, outputError(err)
		}
		var prev BatchHead
		if err := json.Unmarshal(hb, &prev); err != nil {
			return 0, fmt.Errorf("%s/%s: %w", out, HeadFile, err)
		}
		if b.o.Now != 0 && b.o.Now != prev.Now {
			return 0, &RunDiffersError{Out: out.String(), Now: b.o.Now, PrevNow: prev.Now}
		}
		out.Remove(ctx, SuccessFile)
		out.Remove(ctx, ManifestFile)
		return prev.Now, nil
	default:
		return 0, fmt.Errorf("%s holds %d files and %d directories: %w", out, len(names), len(dirs), ErrOutputNotEmpty)
	}
	hb, _ := json.MarshalIndent(b.head(now), "", "  ")
	if err := out.Put(ctx, HeadFile, append(hb, '\n')); err != nil {
		return 0, outputError(err)
	}
	return now, nil
}

func (b *Batch) head(now int64) BatchHead {
	h := BatchHead{Tool: "aegisthus " + b.o.Version, Now: now, NowUTC: time.Unix(now, 0).UTC().Format(time.RFC3339), Base: b.o.BaseRoot}
	for _, bt := range b.tables {
		h.Tables = append(h.Tables, bt.dir)
	}
	return h
}

// clearExports removes what exports wrote under out: its own files, and
// (depth 0, the root) keyspace directories of table directories that are
// exports. It first checks everything and refuses, naming it, a file that no
// export wrote or a directory that is not an export.
func clearExports(ctx context.Context, out sink.Sink, depth int) error {
	for _, check := range []bool{true, false} {
		if err := walkExports(ctx, out, depth, check); err != nil {
			return err
		}
	}
	return nil
}

func walkExports(ctx context.Context, out sink.Sink, depth int, check bool) error {
	names, err := out.List(ctx)
	if err != nil {
		return outputError(err)
	}
	for _, n := range names {
		switch {
		case check && (!ourFile(n) || depth == 1):
			return fmt.Errorf("%s %w: %s (remove it, or write somewhere else)", out, ErrForeignFiles, n)
		case !check:
			if err := out.Remove(ctx, n); err != nil {
				return outputError(err)
			}
		}
	}
	t, ok := out.(sink.Tree)
	if !ok {
		return nil
	}
	dirs, err := t.Dirs(ctx)
	if err != nil {
		return outputError(err)
	}
	for _, d := range dirs {
		if depth == 2 {
			if check {
				return fmt.Errorf("%s %w: %s/ (remove it, or write somewhere else)", out, ErrForeignFiles, d)
			}
			continue
		}
		sub, err := t.Sub(d)
		if err != nil {
			return outputError(err)
		}
		if depth == 1 && check {
			if _, err := sub.Get(ctx, HeadFile); err != nil && !emptyDir(ctx, sub) {
				return fmt.Errorf("%s %w: %s/ is not an export (no %s)", out, ErrForeignFiles, d, HeadFile)
			}
		}
		if err := walkExports(ctx, sub, depth+1, check); err != nil {
			return err
		}
	}
	return nil
}

// commitRoot writes the top-level _manifest.json and, when every table
// succeeded, _SUCCESS.
func (b *Batch) commitRoot(ctx context.Context, out sink.Sink, now int64) (*BatchSummary, error) {
	m := BatchManifest{BatchHead: b.head(now), FinishedAt: time.Now().UTC().Format(time.RFC3339),
		DurationS: time.Since(b.start).Seconds()}
	sum := &BatchSummary{}
	var failed []string
	for _, bt := range b.tables {
		r := TableOutcome{Status: StatusFailed}
		if bt.result != nil && bt.err == nil {
			r = *bt.result
			r.Status = StatusOK
			m.OK++
			sum.Rows += r.Rows
			sum.BytesOut += r.Bytes
		} else {
			msg := "did not finish"
			if bt.err != nil {
				msg = bt.err.Error()
			}
			r.Error = bt.name + ": " + msg
			m.Failed++
			failed = append(failed, bt.name)
		}
		r.Table, r.Dir, r.Base = bt.name, bt.dir, bt.base
		m.Outcomes = append(m.Outcomes, r)
	}
	for _, s := range b.o.Skipped {
		m.Outcomes = append(m.Outcomes, TableOutcome{Table: s.Table, ID: s.ID, Status: StatusSkipped, Reason: s.Reason})
		m.Skipped++
	}
	m.Outcomes = append(m.Outcomes, b.gone...)
	m.Gone = len(b.gone)
	sum.Manifest = m
	mb, _ := json.MarshalIndent(m, "", "  ")
	if err := out.Put(ctx, ManifestFile, append(mb, '\n')); err != nil {
		return nil, outputError(err)
	}
	sum.Duration = time.Since(b.start)
	if len(failed) > 0 {
		return sum, &PartialError{Out: out.String(), Failed: failed}
	}
	if err := out.Put(ctx, SuccessFile, nil); err != nil {
		return nil, outputError(err)
	}
	return sum, nil
}

// emptyDir reports whether out holds nothing (a table that failed before
// writing anything leaves its directory so).
func emptyDir(ctx context.Context, out sink.Sink) bool {
	names, err := out.List(ctx)
	if err != nil || len(names) > 0 {
		return false
	}
	if t, ok := out.(sink.Tree); ok {
		dirs, err := t.Dirs(ctx)
		return err == nil && len(dirs) == 0
	}
	return true
}
