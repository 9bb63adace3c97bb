package pipeline

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
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
	cw := &countingWriter{w: w, h: sha256.New()}
	if j.codec.parquet != nil {
		return j.runParquetUnit(ctx, u, w, cw, p)
	}
	enc, err := j.codec.wrap(cw)
	if err != nil {
		w.Abort()
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
	h hash.Hash
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.h.Write(p[:n])
	c.n += int64(n)
	return n, err
}

// pendingPart is a part file written in full but not yet committed.
type pendingPart struct {
	w  sink.Writer
	cw *countingWriter
	p  PartInfo
}
