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

	"github.com/aegisthus/aegisthus/internal/cql"
	"github.com/aegisthus/aegisthus/internal/merge"
	"github.com/aegisthus/aegisthus/internal/plan"
	"github.com/aegisthus/aegisthus/internal/render/cqljson"
	"github.com/aegisthus/aegisthus/internal/sink"
)

// runUnit writes one unit's part file. The caller commits it with commitPart,
// off the worker: a local commit waits for the file to reach the disk, and that
// wait overlaps the next unit's decoding instead of stalling it. hashOff hashes
// the part off the worker (partHash).
func (j *Job) runUnit(ctx context.Context, out sink.Sink, id int, hashOff bool) (*pendingPart, error) {
	u := &j.pl.Units[id]
	p := PartInfo{Name: partName(id, j.codec), Unit: id}
	w, err := j.create(ctx, out, p.Name)
	if err != nil {
		return nil, outputError(err)
	}
	cw := &countingWriter{w: w, h: newPartHash(hashOff)}
	if j.codec.parquet != nil {
		return j.runParquetUnit(ctx, u, w, cw, p)
	}
	if j.codec.name == "none" {
		// Uncompressed, writeMerged's buffers go to the sink and then to the
		// hasher as they are: no bufio.Writer, no copy for the hash.
		if err := j.writeUnit(ctx, u, cw, &p); err != nil {
			w.Abort()
			cw.h.stop()
			return nil, err
		}
		return &pendingPart{w: w, cw: cw, p: p}, nil
	}
	enc, err := j.codec.wrap(cw)
	if err != nil {
		w.Abort()
		cw.h.stop()
		return nil, err
	}
	bw := bufio.NewWriterSize(enc, 256<<10)
	err = j.writeUnit(ctx, u, bufFlusher{bw}, &p)
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
func (j *Job) writeUnit(ctx context.Context, u *plan.Unit, w flusher, p *PartInfo) error {
	m, done := j.unitMerge(u)
	defer done()
	return writeMerged(ctx, m, j.newLayoutWriter(m), w, j.keyFilter(), p)
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

// flusher takes writeMerged's buffer of rendered lines when it is full (and
// at the end) and returns an empty buffer to go on with: the same one, or,
// when the buffer itself was handed on, another.
type flusher interface {
	flush(buf []byte) ([]byte, error)
}

// bufFlusher writes each buffer to w: a compressed part's bufio.Writer (buffers
// larger than its own pass straight to the writer below instead of being
// copied), or dump --rows' output.
type bufFlusher struct{ w io.Writer }

func (f bufFlusher) flush(buf []byte) ([]byte, error) {
	_, err := f.w.Write(buf)
	return buf[:0], err
}

// keyFilter selects partitions by their key as the command line prints it
// (--key); a nil one keeps them all.
type keyFilter struct {
	keys    map[string]bool
	keyType *cql.Type
}

func (j *Job) keyFilter() *keyFilter {
	if j.keep.keys == nil {
		return nil
	}
	return &keyFilter{keys: j.keep.keys, keyType: j.tbl.KeyType}
}

// writeMerged runs a unit's merge through a layout, streaming each partition's
// rows to w as they come; the key filter (nil: none) is applied here.
func writeMerged(ctx context.Context, m *merge.Merger, lw layoutWriter, w flusher, keep *keyFilter, p *PartInfo) error {
	// Lines accumulate in buf across partitions and go out in pieces of a
	// little more than flushAt: one write to the sink and one hand-over to the
	// hasher each.
	const flushAt = hashBatch
	var buf, keyBuf []byte
	var err error
	var n int64
	flush := func() error {
		if buf, err = w.flush(buf); err != nil {
			return outputError(err)
		}
		return nil
	}
	for m.NextPartition() {
		if p.Partitions&1023 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		mp := m.Partition()
		if keep != nil {
			keyBuf, err = cqljson.AppendString(keyBuf[:0], keep.keyType, mp.Key)
			if err != nil || !keep.keys[string(keyBuf)] {
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

// flush writes buf to the sink and hands it to the hasher, which owns it from
// then on (writeMerged's flusher for uncompressed parts).
func (c *countingWriter) flush(buf []byte) ([]byte, error) {
	n, err := c.w.Write(buf)
	c.n += int64(n)
	return c.h.give(buf[:n]), err
}

// partHash computes a part's SHA-256, on a goroutine of its own when the pool
// has a core to spare (fewer workers than GOMAXPROCS): the worker then
// renders the next bytes while the last ones are hashed. Otherwise every core
// already runs a worker, and the hand-over would only add CPU (the bytes cross
// to another core, goroutines wake; ~0.1 CPU-s per 773 MB measured alone), so
// the worker hashes its bytes itself while they are in its cache.
//
// Bytes reach it in one of two ways: give hands over a buffer the caller will
// not touch again (writeMerged's, once written to the sink: no copy), write
// copies them into a batch of hashBatch bytes (what a compressor or Parquet
// writes, into buffers they reuse). Either way at most three buffers exist:
// one being hashed, one queued, one being filled.
// write and give are for one goroutine; sum or stop ends the hashing goroutine,
// and one of them must be called (sum is safe from another goroutine once
// writes are over).
type partHash struct {
	h          hash.Hash
	cur        []byte      // write's batch being filled
	full, free chan []byte // nil when the worker hashes
	done       chan struct{}
	stopped    bool
}

// hashBatch is how many bytes go to the hashing goroutine at once: about the
// size of writeMerged's flushes, so one hand-over per flush.
const hashBatch = 256 << 10

// newPartHash starts a part's hash, on a goroutine of its own when off is set.
func newPartHash(off bool) *partHash {
	ph := &partHash{h: sha256.New()}
	if !off {
		return ph
	}
	ph.full, ph.free, ph.done = make(chan []byte, 1), make(chan []byte, 3), make(chan struct{})
	go func() {
		defer close(ph.done)
		for b := range ph.full {
			ph.h.Write(b)
			select { // never full: see partHash; a spare buffer would be garbage
			case ph.free <- b[:0]:
			default:
			}
		}
	}()
	return ph
}

// next returns an empty buffer of at least size bytes: one the hasher is done
// with, or a new one. A new one is made only when none is free, that is with
// at most two in the hasher's hands, so no more than three are ever in use.
func (ph *partHash) next(size int) []byte {
	select {
	case b := <-ph.free:
		if cap(b) >= size {
			return b
		}
	default:
	}
	return make([]byte, 0, max(size, hashBatch))
}

func (ph *partHash) write(p []byte) {
	if ph.full == nil {
		ph.h.Write(p)
		return
	}
	for len(p) > 0 {
		if ph.cur == nil {
			ph.cur = ph.next(hashBatch)
		}
		n := min(len(p), cap(ph.cur)-len(ph.cur))
		ph.cur = append(ph.cur, p[:n]...)
		p = p[n:]
		if len(ph.cur) == cap(ph.cur) {
			ph.full <- ph.cur
			ph.cur = nil
		}
	}
}

// give hashes b, which the hasher owns from now on, after what write left, and
// returns an empty buffer at least as large for the caller to go on with.
func (ph *partHash) give(b []byte) []byte {
	if ph.full == nil {
		ph.h.Write(b)
		return b[:0]
	}
	if len(ph.cur) > 0 {
		ph.full <- ph.cur
		ph.cur = nil
	}
	if len(b) == 0 {
		return b
	}
	ph.full <- b
	return ph.next(cap(b))
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
	if ph.full == nil {
		return
	}
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
