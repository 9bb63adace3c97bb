package pipeline

import (
	"context"
	"runtime"
	"sync"

	"golang.org/x/sync/errgroup"

	"github.com/aegisthus/aegisthus/internal/sink"
)

// task is one unit of one job, written into that job's output. A single-table
// run's tasks all share one job; a batch's mix the units of every table.
type task struct {
	j   *Job
	out sink.Sink
	id  int
	tag int // the caller's: a batch's table index
}

// poolHooks are what the caller of runPool learns and decides.
type poolHooks struct {
	// committed is told of each committed part (from any goroutine).
	committed func(t task, p PartInfo)
	// failed is told of a task's error: it returns the error that stops the
	// pool, or nil to go on with the other tasks.
	failed func(t task, err error) error
	// skip, when set, reports whether a task is no longer wanted (its table
	// failed): it is dropped without running.
	skip func(t task) bool
	// start, when set, is told of a task about to run (after skip): an error
	// fails the task as running it would have.
	start func(t task) error
}

// runPool writes and commits the parts of tasks, in order, on n workers.
// Written parts are committed off the workers, one committer per worker: a
// local commit waits for the disk, an S3 one for the upload's last part and
// its completion, and either overlaps the next unit's decoding. At most one
// part per worker waits for a committer. It returns the first error a hook
// kept, after every worker has stopped; parts written but not committed by
// then are aborted.
func runPool(ctx context.Context, n int, tasks []task, h poolHooks) error {
	g, gctx := errgroup.WithContext(ctx)
	work := make(chan task)
	type pending struct {
		t  task
		pp *pendingPart
	}
	commits := make(chan pending, n)
	// Parts are hashed off the workers only when a core is left for it (partHash).
	hashOff := n < runtime.GOMAXPROCS(0)
	g.Go(func() error {
		defer close(work)
		for _, t := range tasks {
			select {
			case work <- t:
			case <-gctx.Done():
				return nil
			}
		}
		return nil
	})
	var workers sync.WaitGroup
	for range n {
		workers.Add(1)
		g.Go(func() error {
			defer workers.Done()
			for t := range work {
				if h.skip != nil && h.skip(t) {
					continue
				}
				var pp *pendingPart
				var err error
				if h.start != nil {
					err = h.start(t)
				}
				if err == nil {
					pp, err = t.j.runUnitSkipping(gctx, t.out, t.id, hashOff)
				}
				if err != nil {
					if err := h.failed(t, err); err != nil {
						return err
					}
					continue
				}
				select {
				case commits <- pending{t, pp}:
				case <-gctx.Done():
					pp.abort()
					return gctx.Err()
				}
			}
			return nil
		})
	}
	g.Go(func() error {
		workers.Wait()
		close(commits)
		return nil
	})
	for range n {
		g.Go(func() error {
			for c := range commits {
				t := c.t
				p, err := t.j.commitPart(gctx, t.out, c.pp)
				if err != nil {
					if err := h.failed(t, err); err != nil {
						return err
					}
					continue
				}
				h.committed(t, p)
			}
			return nil
		})
	}
	err := g.Wait()
	for c := range commits { // left by committers that failed
		c.pp.abort()
	}
	if err != nil {
		return err
	}
	return context.Cause(ctx)
}
