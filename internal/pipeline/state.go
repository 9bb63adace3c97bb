package pipeline

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"slices"
	"strings"
	"time"

	"github.com/aegisthus/aegisthus/internal/merge"
	"github.com/aegisthus/aegisthus/internal/plan"
	"github.com/aegisthus/aegisthus/internal/render"
	"github.com/aegisthus/aegisthus/internal/render/cqljson"
	"github.com/aegisthus/aegisthus/internal/sink"
	"github.com/aegisthus/aegisthus/internal/sstable"
	"github.com/aegisthus/aegisthus/internal/table"
)

// Files an export writes beside its parts. Names start with "_" so tools that
// glob part files (Spark, Hadoop) skip them.
const (
	HeadFile     = "_export.json"   // written first: what is being exported, and the plan
	ManifestFile = "_manifest.json" // written after every part
	SuccessFile  = "_SUCCESS"       // written last
	partMetaPre  = "_part-"         // per-part record, written after the part is committed
)

// Input records one SSTable the export read.
type Input struct {
	Path string `json:"path"`
	Size int64  `json:"size"` // stored Data.db size
}

// Head is the run's identity: a resumed run must find the same one.
type Head struct {
	Tool      string     `json:"tool"`
	Table     string     `json:"table"`
	Layout    string     `json:"layout"`
	Compress  string     `json:"compress"`
	Now       int64      `json:"now"`
	NowUTC    string     `json:"now_utc"`
	Inputs    []Input    `json:"inputs"`
	Columns   []string   `json:"columns"`
	Filters   *Filters   `json:"filters,omitempty"`
	Plan      *plan.Plan `json:"plan"`
	StartedAt string     `json:"started_at"`
	// Schema describes the table (partitions layout only): what reading the
	// export back as a --base needs.
	Schema *table.Desc `json:"schema,omitempty"`
	// Base is the previous export this run merged (--base).
	Base *BaseRef `json:"base,omitempty"`
}

// Filters records what an export kept, for the manifest and --resume.
type Filters struct {
	TokenLo   string   `json:"token_lo,omitempty"`
	TokenHi   string   `json:"token_hi,omitempty"`
	Keys      []string `json:"keys,omitempty"`
	Columns   []string `json:"columns,omitempty"`
	Writetime bool     `json:"writetime,omitempty"`
	TTL       bool     `json:"ttl,omitempty"`
}

// PartInfo describes one committed part file.
type PartInfo struct {
	Name       string `json:"name"`
	Unit       int    `json:"unit"`
	Rows       int64  `json:"rows"`
	Partitions int64  `json:"partitions"`
	Tombstones int64  `json:"tombstones"` // read and applied by the merge
	Bytes      int64  `json:"bytes"`
	SHA256     string `json:"sha256"`
}

// Manifest is _manifest.json.
type Manifest struct {
	Head
	Parts      []PartInfo `json:"parts"`
	Rows       int64      `json:"rows"`
	FinishedAt string     `json:"finished_at"`
	DurationS  float64    `json:"duration_s"`
}

type state struct {
	o            Options
	tokLo, tokHi []byte
	keys         map[string]bool
	ssts         []*sstable.SSTable
	tbl          *table.Table
	pl           *plan.Plan
	codec        codec
	head         Head
	base         *base // --base, or nil
}

func newState(o Options, ssts []*sstable.SSTable, tbl *table.Table, pl *plan.Plan, now int64, c codec) *state {
	st := &state{o: o, ssts: ssts, tbl: tbl, pl: pl, codec: c}
	if len(o.Keys) > 0 {
		st.keys = map[string]bool{}
		for _, k := range o.Keys {
			st.keys[k] = true
		}
	}
	st.head = Head{Tool: "aegisthus " + o.Version, Table: o.Table.String(), Layout: o.Layout, Compress: c.name,
		Now: now, NowUTC: time.Unix(now, 0).UTC().Format(time.RFC3339), Plan: pl,
		StartedAt: time.Now().UTC().Format(time.RFC3339)}
	for _, s := range ssts {
		st.head.Inputs = append(st.head.Inputs, Input{Path: dataPath(s), Size: s.DataSize})
	}
	for _, i := range tbl.OutputOrder() {
		st.head.Columns = append(st.head.Columns, tbl.Columns[i].Name)
	}
	if f := (Filters{o.TokenLo, o.TokenHi, o.Keys, o.Rows.Columns, o.Rows.Writetime, o.Rows.TTL}); f.TokenLo != "" || f.TokenHi != "" || len(f.Keys) > 0 || len(f.Columns) > 0 || f.Writetime || f.TTL {
		st.head.Filters = &f
	}
	return st
}

func (st *state) partName(id int) string {
	return fmt.Sprintf("part-%05d.jsonl%s", id, st.codec.ext)
}

// prepare checks the output directory against the options and returns the units
// already done (on --resume).
func (st *state) prepare(ctx context.Context, out sink.Sink) (map[int]PartInfo, error) {
	names, err := out.List(ctx)
	if err != nil {
		return nil, &OutputError{err}
	}
	switch {
	case len(names) == 0:
		if st.o.Resume {
			return nil, fmt.Errorf("%s: %w: the output is empty", out, ErrNothingToResume)
		}
	case st.o.Overwrite:
		for _, n := range names {
			if err := out.Remove(ctx, n); err != nil {
				return nil, &OutputError{err}
			}
		}
	case st.o.Resume:
		return st.resume(ctx, out, names)
	default:
		return nil, fmt.Errorf("%s holds %d files: %w (use --resume to finish a run, --overwrite to replace it)",
			out, len(names), ErrOutputNotEmpty)
	}
	b, _ := json.MarshalIndent(st.head, "", "  ")
	if err := out.Put(ctx, HeadFile, append(b, '\n')); err != nil {
		return nil, &OutputError{err}
	}
	return map[int]PartInfo{}, nil
}

// resume checks that the previous run exported the same thing and keeps its
// committed parts whose checksum still matches.
func (st *state) resume(ctx context.Context, out sink.Sink, names []string) (map[int]PartInfo, error) {
	b, err := out.Get(ctx, HeadFile)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("%s: %w: no %s", out, ErrNothingToResume, HeadFile)
	} else if err != nil {
		return nil, &OutputError{err}
	}
	var prev Head
	if err := json.Unmarshal(b, &prev); err != nil {
		return nil, fmt.Errorf("%s/%s: %w", out, HeadFile, err)
	}
	if st.o.Now != 0 && st.o.Now != prev.Now {
		return nil, fmt.Errorf("--now %d differs from the run being resumed (%d)", st.o.Now, prev.Now)
	}
	st.head.Now, st.head.NowUTC, st.head.StartedAt = prev.Now, prev.NowUTC, prev.StartedAt
	cur, _ := json.Marshal(st.head)
	old, _ := json.Marshal(prev)
	if !bytes.Equal(cur, old) {
		return nil, fmt.Errorf("%s: the run being resumed exported different inputs, plan or options (compare %s with this run); use --overwrite to start again", out, HeadFile)
	}
	done := map[int]PartInfo{}
	for _, n := range names {
		if !strings.HasPrefix(n, partMetaPre) {
			continue
		}
		mb, err := out.Get(ctx, n)
		if err != nil {
			return nil, &OutputError{err}
		}
		var p PartInfo
		if err := json.Unmarshal(mb, &p); err != nil || p.Unit < 0 || p.Unit >= len(st.pl.Units) || p.Name != st.partName(p.Unit) {
			out.Remove(ctx, n)
			continue
		}
		if !slices.Contains(names, p.Name) || !st.verifyPart(ctx, out, p) {
			out.Remove(ctx, n)
			continue
		}
		done[p.Unit] = p
	}
	out.Remove(ctx, SuccessFile)
	out.Remove(ctx, ManifestFile)
	return done, nil
}

func (st *state) verifyPart(ctx context.Context, out sink.Sink, p PartInfo) bool {
	r, err := out.Open(ctx, p.Name)
	if err != nil {
		return false
	}
	defer r.Close()
	h := sha256.New()
	n, err := io.Copy(h, r)
	return err == nil && n == p.Bytes && hex.EncodeToString(h.Sum(nil)) == p.SHA256
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

// runUnit writes one unit's part file. The caller commits it with commitPart,
// off the worker: a local commit waits for the file to reach the disk, and that
// wait overlaps the next unit's decoding instead of stalling it.
func (st *state) runUnit(ctx context.Context, out sink.Sink, id int) (*pendingPart, error) {
	u := &st.pl.Units[id]
	p := PartInfo{Name: st.partName(id), Unit: id}
	w, err := out.Create(ctx, p.Name)
	if err != nil {
		return nil, &OutputError{err}
	}
	cw := &countingWriter{w: w, h: sha256.New()}
	enc, err := st.codec.wrap(cw)
	if err != nil {
		w.Abort()
		return nil, err
	}
	bw := bufio.NewWriterSize(enc, 256<<10)
	err = st.writeUnit(ctx, u, bw, &p)
	if err == nil {
		if err = bw.Flush(); err != nil {
			err = &OutputError{err}
		}
	}
	if err == nil {
		if err = enc.Close(); err != nil {
			err = &OutputError{err}
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

// commitPart makes a written part durable under its final name, then records
// it in its _part-N.json, which is what --resume trusts.
func (st *state) commitPart(ctx context.Context, out sink.Sink, pp *pendingPart) (PartInfo, error) {
	p := pp.p
	if err := pp.w.Commit(); err != nil {
		return p, &OutputError{err}
	}
	p.Bytes = pp.cw.n
	p.SHA256 = hex.EncodeToString(pp.cw.h.Sum(nil))
	mb, _ := json.Marshal(p)
	if err := out.Put(ctx, partMetaPre+fmt.Sprintf("%05d.json", p.Unit), mb); err != nil {
		return p, &OutputError{err}
	}
	return p, nil
}

// writeUnit merges the unit's partitions from every SSTable and renders rows.
func (st *state) writeUnit(ctx context.Context, u *plan.Unit, w *bufio.Writer, p *PartInfo) error {
	lo, hi := u.Lo, u.Hi
	if st.tokLo != nil && (lo == nil || bytes.Compare(st.tokLo, lo) > 0) {
		lo = st.tokLo
	}
	if st.tokHi != nil && (hi == nil || bytes.Compare(st.tokHi, hi) < 0) {
		hi = st.tokHi
	}
	inputs := make([]merge.Input, 0, len(u.Ranges))
	mt := st.tbl.Merge()
	if lo == nil || hi == nil || bytes.Compare(lo, hi) < 0 {
		for _, r := range u.Ranges {
			in := st.tbl.Input(st.ssts[r.SSTable], r.Start, r.End, len(u.Ranges))
			in.Lo, in.Hi = lo, hi
			inputs = append(inputs, in)
		}
		if st.base != nil {
			bi, in := st.base.input(mt, st.tbl, lo, hi)
			defer bi.Close()
			inputs = append(inputs, in)
		}
	}
	m := merge.New(mt, inputs)
	var lw layoutWriter
	switch st.o.Layout {
	case "partitions":
		m.KeepRanges = true
		lw = &partitionsWriter{pr: render.NewPartitionsLayout(st.tbl), tbl: st.tbl}
	case "aegisthus":
		lw = &aegisthusWriter{ar: render.NewAegisthusLayout(st.tbl, st.aegisthusNames())}
	default:
		lw = &rowsWriter{r: render.NewRowsWith(st.tbl, st.head.Now, st.o.Rows)}
	}
	return st.writeMerged(ctx, m, lw, w, p)
}

// layoutWriter renders one output layout. The pipeline drives it over the
// merged partitions of a unit; each call appends to buf and returns how many
// output records it completed (the part's "rows").
type layoutWriter interface {
	start(buf []byte, mp *merge.Partition) ([]byte, error)
	row(buf []byte, r *merge.Row) ([]byte, int64, error)
	end(buf []byte, m *merge.Merger) ([]byte, int64, error)
}

// writeMerged runs a unit's merge through a layout, streaming each partition's
// rows to w as they come; --keys is applied here.
func (st *state) writeMerged(ctx context.Context, m *merge.Merger, lw layoutWriter, w *bufio.Writer, p *PartInfo) error {
	// Lines accumulate in buf across partitions and go out in pieces larger than
	// w's buffer: bufio then hands them straight to the writer below instead of
	// copying every output byte once more.
	flushAt := w.Size()
	var buf, keyBuf []byte
	var err error
	var n int64
	flush := func() error {
		if _, err := w.Write(buf); err != nil {
			return &OutputError{err}
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
		if st.keys != nil {
			keyBuf, err = cqljson.AppendString(keyBuf[:0], st.tbl.KeyType, mp.Key)
			if err != nil || !st.keys[string(keyBuf)] {
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

// rowsWriter is the rows layout: one SELECT JSON object per live row.
type rowsWriter struct{ r *render.Rows }

func (x *rowsWriter) start(buf []byte, mp *merge.Partition) ([]byte, error) {
	return buf, x.r.StartPartition(mp.Key)
}

func (x *rowsWriter) row(buf []byte, r *merge.Row) ([]byte, int64, error) {
	buf, ok, err := x.r.AppendRow(buf, r)
	return buf, count(ok), err
}

func (x *rowsWriter) end(buf []byte, _ *merge.Merger) ([]byte, int64, error) {
	buf, ok, err := x.r.EndPartition(buf)
	return buf, count(ok), err
}

func count(ok bool) int64 {
	if ok {
		return 1
	}
	return 0
}

// partitionsWriter is the lossless layout: one record per partition.
type partitionsWriter struct {
	pr    *render.PartitionsLayout
	tbl   *table.Table
	tok   []byte
	first bool
}

func (x *partitionsWriter) start(buf []byte, mp *merge.Partition) ([]byte, error) {
	x.tok = x.tbl.Partitioner.AppendToken(x.tok[:0], mp.Key)
	x.first = true
	return x.pr.AppendStart(buf, mp, x.tbl.Partitioner.FormatToken(x.tok))
}

func (x *partitionsWriter) row(buf []byte, r *merge.Row) ([]byte, int64, error) {
	buf, wrote := x.pr.AppendRow(buf, r, x.first)
	if wrote {
		x.first = false
	}
	return buf, 0, nil
}

func (x *partitionsWriter) end(buf []byte, m *merge.Merger) ([]byte, int64, error) {
	buf, err := x.pr.AppendEnd(buf, m.Ranges())
	return buf, 1, err
}

// aegisthusWriter is Netflix Aegisthus's line per partition.
type aegisthusWriter struct{ ar *render.AegisthusLayout }

func (x *aegisthusWriter) start(buf []byte, mp *merge.Partition) ([]byte, error) {
	return x.ar.AppendStart(buf, mp), nil
}

func (x *aegisthusWriter) row(buf []byte, r *merge.Row) ([]byte, int64, error) {
	return x.ar.AppendRow(buf, r), 0, nil
}

func (x *aegisthusWriter) end(buf []byte, _ *merge.Merger) ([]byte, int64, error) {
	return x.ar.AppendEnd(buf), 1, nil
}

// aegisthusNames picks how the aegisthus layout spells 2.x cell names.
func (st *state) aegisthusNames() render.CellNames {
	switch {
	case st.ssts[0].Raw:
		return render.RawNames
	case st.tbl.StaticCompact:
		return render.StaticCompactNames
	case len(st.tbl.Clustering) > 0:
		for _, s := range st.ssts {
			if s.Schema.CQL != nil && s.Schema.CQL.CompactStorage {
				return render.DenseNames
			}
		}
	}
	return render.SparseNames
}

// commit writes _manifest.json and then _SUCCESS.
func (st *state) commit(ctx context.Context, out sink.Sink, parts []PartInfo, took time.Duration) error {
	m := Manifest{Head: st.head, Parts: parts, FinishedAt: time.Now().UTC().Format(time.RFC3339), DurationS: took.Seconds()}
	for _, p := range parts {
		m.Rows += p.Rows
	}
	b, _ := json.MarshalIndent(m, "", "  ")
	if err := out.Put(ctx, ManifestFile, append(b, '\n')); err != nil {
		return &OutputError{err}
	}
	if err := out.Put(ctx, SuccessFile, nil); err != nil {
		return &OutputError{err}
	}
	return nil
}

// OutputError marks a failure of the sink, as opposed to bad input.
type OutputError struct{ Err error }

func (e *OutputError) Error() string { return "output: " + e.Err.Error() }
func (e *OutputError) Unwrap() error { return e.Err }
