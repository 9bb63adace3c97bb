package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"slices"
	"strings"

	"github.com/aegisthus/aegisthus/internal/sink"
)

// prepareOutput checks the output against the options, writes _export.json
// and returns the units already done (on resume).
func (j *Job) prepareOutput(ctx context.Context, out sink.Sink) (map[int]PartInfo, error) {
	names, err := out.List(ctx)
	if err != nil {
		return nil, outputError(err)
	}
	switch {
	case len(names) == 0:
		if j.o.Resume {
			return nil, fmt.Errorf("%s: %w: the output is empty", out, ErrNothingToResume)
		}
	case j.o.Overwrite:
		if err := j.overwrite(ctx, out, names); err != nil {
			return nil, err
		}
	case j.o.Resume:
		return j.resume(ctx, out, names)
	default:
		return nil, fmt.Errorf("%s holds %d files: %w", out, len(names), ErrOutputNotEmpty)
	}
	b, _ := json.MarshalIndent(j.head, "", "  ")
	if err := out.Put(ctx, HeadFile, append(b, '\n')); err != nil {
		return nil, outputError(err)
	}
	return map[int]PartInfo{}, nil
}

// overwrite removes what a previous export wrote into out (ourFile), after
// checking that out holds nothing else, and clears what its interrupted
// writes left (temporary files, open multipart uploads) under names this run
// may not write again. A name a run writes again needs no cleanup: the sink's
// Create replaces a stale temporary file or upload of the same name.
func (j *Job) overwrite(ctx context.Context, out sink.Sink, names []string) error {
	for _, n := range names {
		if !ourFile(n) {
			return fmt.Errorf("%s %w: %s (remove it, or write somewhere else)", out, ErrForeignFiles, n)
		}
	}
	var prev Head
	if b, err := out.Get(ctx, HeadFile); err == nil && json.Unmarshal(b, &prev) == nil && prev.Plan != nil {
		if c, err := prev.codec(); err == nil {
			if err := cleanup(ctx, out, unitFiles(len(prev.Plan.Units), c)); err != nil {
				return err
			}
		}
	}
	for _, n := range names {
		if err := out.Remove(ctx, n); err != nil {
			return outputError(err)
		}
	}
	return nil
}

// lock takes out's lock, when out has one, for the length of a run: a second
// run into the same output fails at once (an error wrapping sink.ErrLocked
// that names the first), instead of removing the first one's files.
func lock(ctx context.Context, out sink.Sink) (unlock func(), err error) {
	l, ok := out.(sink.Locker)
	if !ok {
		return func() {}, nil
	}
	release, err := l.Lock(ctx, sink.Self())
	if err != nil {
		if errors.Is(err, sink.ErrLocked) {
			return nil, err
		}
		return nil, outputError(err)
	}
	return func() { release() }, nil
}

// cleanup clears what interrupted writes of names left in out, when out can.
func cleanup(ctx context.Context, out sink.Sink, names []string) error {
	if c, ok := out.(sink.Cleaner); ok {
		if err := c.Cleanup(ctx, names); err != nil {
			return outputError(err)
		}
	}
	return nil
}

// resume checks that the previous run exported the same thing and keeps its
// committed parts whose checksum still matches.
func (j *Job) resume(ctx context.Context, out sink.Sink, names []string) (map[int]PartInfo, error) {
	b, err := out.Get(ctx, HeadFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: %w: no %s", out, ErrNothingToResume, HeadFile)
	} else if err != nil {
		return nil, outputError(err)
	}
	var prev Head
	if err := json.Unmarshal(b, &prev); err != nil {
		return nil, fmt.Errorf("%s/%s: %w", out, HeadFile, err)
	}
	if j.o.Now != 0 && j.o.Now != prev.Now {
		return nil, &RunDiffersError{Out: out.String(), Now: j.o.Now, PrevNow: prev.Now}
	}
	j.head.Now, j.head.NowUTC, j.head.StartedAt = prev.Now, prev.NowUTC, prev.StartedAt
	cur, _ := json.Marshal(j.head)
	old, _ := json.Marshal(prev)
	if !bytes.Equal(cur, old) {
		return nil, &RunDiffersError{Out: out.String()}
	}
	done := map[int]PartInfo{}
	for _, n := range names {
		if !strings.HasPrefix(n, partMetaPre) {
			continue
		}
		mb, err := out.Get(ctx, n)
		if err != nil {
			return nil, outputError(err)
		}
		var p PartInfo
		if err := json.Unmarshal(mb, &p); err != nil || p.Unit < 0 || p.Unit >= len(j.pl.Units) || p.Name != partName(p.Unit, j.codec) {
			out.Remove(ctx, n)
			continue
		}
		if !slices.Contains(names, p.Name) || !verifyPart(ctx, out, p) {
			out.Remove(ctx, n)
			continue
		}
		done[p.Unit] = p
	}
	out.Remove(ctx, SuccessFile)
	out.Remove(ctx, ManifestFile)
	return done, nil
}
