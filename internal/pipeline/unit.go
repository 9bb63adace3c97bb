package pipeline

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"hash"
	"io"

	"github.com/aegisthus/aegisthus/internal/merge"
	"github.com/aegisthus/aegisthus/internal/plan"
	"github.com/aegisthus/aegisthus/internal/render/cqljson"
	"github.com/aegisthus/aegisthus/internal/sink"
)

// runUnit writes one unit's part file. The caller commits it with commitPart,
// off the worker: a local commit waits for the file to reach the disk, and that
// wait overlaps the next unit's decoding instead of stalling it.
func (j *Job) runUnit(ctx context.Context, out sink.Sink, id int) (*pendingPart, error) {
	u := &j.pl.Units[id]
	p := PartInfo{Name: partName(id, j.codec), Unit: id}
	w, err := j.create(ctx, out, p.Name)
	if err != nil {
		return nil, outputError(err)
	}
	cw := &countingWriter{w: w, h: newPartHash()}
	if j.codec.parquet != nil {
		return j.runParquetUnit(ctx, u, w, cw, p)
	}
	enc, err := j.codec.wrap(cw)
	if err != nil {
		w.Abort()
		cw.h.stop()
		return nil, err
	}
	bw := bufio.NewWriterSize(enc, 256<<10)
	err = j.writeUnit(ctx, u, bw, &p)
	if err == nil {
		if err = bw.Flush(); err != nil {
			err = outputError(err)
		}
	}
	if err == nil {
		if err = enc.Close(); err != nil {
			err = outputError(err)
		}
	} else {
		enc.Close()
	}
	if err != nil {
		w.Abort()
		cw.h.stop()
		return nil, err
	}
	return &pendingPart{w: w, cw: cw, p: p}, nil
}

// writeUnit merges the unit's partitions from every SSTable and renders rows.
func (j *Job) writeUnit(ctx context.Context, u *plan.Unit, w *bufio.Writer, p *PartInfo) error {
	m, done := j.unitMerge(u)
	defer done()
	return j.writeMerged(ctx, m, j.newLayoutWriter(m), w, p)
}

// unitMerge sets up the merge of the unit's partitions from every SSTable (and
// the base); call done when the merge is over.
func (j *Job) unitMerge(u *plan.Unit) (m *merge.Merger, done func()) {
	done = func() {}
	lo, hi := u.Lo, u.Hi
	if j.keep.lo != nil && (lo == nil || bytes.Compare(j.keep.lo, lo) > 0) {
		lo = j.keep.lo
	}
	if j.keep.hi != nil && (hi == nil || bytes.Compare(j.keep.hi, hi) < 0) {
		hi = j.keep.hi
	}
	inputs := make([]merge.Input, 0, len(u.Ranges))
	mt := merge.NewTable(j.tbl)
	if lo == nil || hi == nil || bytes.Compare(lo, hi) < 0 {
		for _, r := range u.Ranges {
			if j.isBad(r.SSTable) {
				continue
			}
			sc := j.metered(j.ssts[r.SSTable].SharedScanner(r.Start, r.End, len(u.Ranges)), r, u.ID)
			if j.o.MaxErrors > 0 {
				sc = &taggedScanner{Partitions: sc, idx: r.SSTable}
			}
			in := merge.NewInput(sc, j.ssts[r.SSTable].Schema, j.tbl)
			in.Lo, in.Hi = lo, hi
			inputs = append(inputs, in)
		}
		if j.base != nil {
			bi, in := j.base.input(mt, j.tbl, lo, hi)
			done = func() { bi.Close() }
			inputs = append(inputs, in)
		}
	}
	return merge.New(mt, inputs), done
}

// writeMerged runs a unit's merge through a layout, streaming each partition's
// rows to w as they come; the key filter is applied here.
func (j *Job) writeMerged(ctx context.Context, m *merge.Merger, lw layoutWriter, w *bufio.Writer, p *PartInfo) error {
	// Lines accumulate in buf across partitions and go out in pieces larger than
	// w's buffer: bufio then hands them straight to the writer below instead of
	// copying every output byte once more.
	flushAt := w.Size()
	var buf, keyBuf []byte
	var err error
	var n int64
	flush := func() error {
		if _, err := w.Write(buf); err != nil {
			return outputError(err)
		}
		buf = buf[:0]
		return nil
	}
	for m.NextPartition() {
		if p.Partitions&1023 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		mp := m.Partition()
		if j.keep.keys != nil {
			keyBuf, err = cqljson.AppendString(keyBuf[:0], j.tbl.KeyType, mp.Key)
			if err != nil || !j.keep.keys[string(keyBuf)] {
				continue
			}
		}
		p.Partitions++
		if buf, err = lw.start(buf, mp); err != nil {
			return fmt.Errorf("partition key %x: %w", mp.Key, err)
		}
		for m.NextRow() {
			if buf, n, err = lw.row(buf, m.Row()); err != nil {
				return fmt.Errorf("partition key %x: %w", mp.Key, err)
			}
			p.Rows += n
			if len(buf) > flushAt {
				if err := flush(); err != nil {
					return err
				}
			}
		}
		if err := m.Err(); err != nil {
			return err
		}
		if buf, n, err = lw.end(buf, m); err != nil {
			return fmt.Errorf("partition key %x: %w", mp.Key, err)
		}
		p.Rows += n
		if len(buf) > flushAt {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if err := m.Err(); err != nil {
		return err
	}
	p.Tombstones = m.Tombstones()
	return flush()
}

// countingWriter hashes and counts what reaches the sink.
type countingWriter struct {
	w io.Writer
	h *partHash
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.h.write(p[:n])
	c.n += int64(n)
	return n, err
}

// partHash computes a part's SHA-256 on a goroutine of its own, off the worker
// that renders the part: hashing is ~14% of an export's CPU, and with a core to
// spare the worker renders the next bytes while the last ones are hashed. The
// bytes are copied into one of two buffers of hashBatch bytes (the writer
// reuses its own), so a part holds 2 × hashBatch more memory while written.
// write is for one goroutine; sum or stop ends the hashing goroutine, and one of
// them must be called (sum is safe from another goroutine once writes are over).
type partHash struct {
	h          hash.Hash
	cur        []byte
	full, free chan []byte
	done       chan struct{}
	stopped    bool
}

// hashBatch is how many bytes go to the hashing goroutine at once: the size
// of writeMerged's flushes, so one hand-over per flush.
const hashBatch = 256 << 10

func newPartHash() *partHash {
	// free has room for both buffers: the hashing goroutine never waits to hand one back.
	ph := &partHash{h: sha256.New(), cur: make([]byte, 0, hashBatch),
		full: make(chan []byte, 1), free: make(chan []byte, 2), done: make(chan struct{})}
	ph.free <- make([]byte, 0, hashBatch)
	go func() {
		defer close(ph.done)
		for b := range ph.full {
			ph.h.Write(b)
			ph.free <- b[:0]
		}
	}()
	return ph
}

func (ph *partHash) write(p []byte) {
	for len(p) > 0 {
		n := min(len(p), hashBatch-len(ph.cur))
		ph.cur = append(ph.cur, p[:n]...)
		p = p[n:]
		if len(ph.cur) == hashBatch {
			ph.full <- ph.cur
			ph.cur = <-ph.free
		}
	}
}

// sum hashes what is left and returns the hex SHA-256 of every byte written.
func (ph *partHash) sum() string {
	if len(ph.cur) > 0 && !ph.stopped {
		ph.full <- ph.cur
		ph.cur = nil
	}
	ph.stop()
	return hex.EncodeToString(ph.h.Sum(nil))
}

// stop ends the hashing goroutine (for a part that is abandoned).
func (ph *partHash) stop() {
	if !ph.stopped {
		ph.stopped = true
		close(ph.full)
	}
	<-ph.done
}

// pendingPart is a part file written in full but not yet committed.
type pendingPart struct {
	w  sink.Writer
	cw *countingWriter
	p  PartInfo
}

// abort removes a part that will not be committed.
func (pp *pendingPart) abort() {
	pp.w.Abort()
	pp.cw.h.stop()
}
