package pipeline

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"hash"
	"io"
	"io/fs"
	"path/filepath"
	"strings"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"

	"github.com/aegisthus/aegisthus/internal/merge"
	"github.com/aegisthus/aegisthus/internal/partfile"
	"github.com/aegisthus/aegisthus/internal/plan"
	"github.com/aegisthus/aegisthus/internal/rows"
	"github.com/aegisthus/aegisthus/internal/schema"
	"github.com/aegisthus/aegisthus/internal/sstable"
	"github.com/aegisthus/aegisthus/internal/sstable/wire"
	"github.com/aegisthus/aegisthus/internal/storage"
)

// ErrBadBase marks a base (Options.Base) that is not a complete export of the table in the
// partitions layout, or whose files do not match its manifest.
var ErrBadBase = errors.New("bad base export")

// ErrBaseLayout is a base exported in another layout than partitions.
var ErrBaseLayout = errors.New("a base must be exported in the partitions layout")

// maxManifest bounds a base's _manifest.json.
const maxManifest = 256 << 20

// BaseRef records the previous export an incremental run merged (Options.Base).
type BaseRef struct {
	Path           string `json:"path"`
	ManifestSHA256 string `json:"manifest_sha256"` // of its _manifest.json
	Now            int64  `json:"now"`             // its Now (the partitions layout does not depend on it)
	NowUTC         string `json:"now_utc"`
	Parts          int    `json:"parts"`
}

// base is an open Options.Base: a complete export in the partitions layout whose part
// files, each the partitions of one token range in token order, are read as one
// more sorted source by every unit whose range they overlap.
type base struct {
	store    storage.Store
	dir      string
	manifest string // its _manifest.json's path, for messages
	ref      BaseRef
	desc     *schema.Desc
	compress string
	parts    []basePart
	// maxRecord is Options.BaseMaxRecord.
	maxRecord int
}

type basePart struct {
	path   string
	lo, hi []byte // (lo, hi]: the part's unit
	work   int64  // the unit's bytes, for planning
	size   int64
	sha256 string
}

func (b *base) join(name string) string { return strings.TrimSuffix(b.dir, "/") + "/" + name }

func (b *base) errorf(format string, args ...any) error {
	return &OptionError{Option: "base", Value: b.dir, Err: fmt.Errorf("%w: %w", ErrBadBase, fmt.Errorf(format, args...))}
}

// openBase checks that dir holds a complete export in the partitions layout
// (_SUCCESS, a manifest with the table's schema and no filters, every part with
// its recorded size) and reads its manifest. Part checksums are checked as the
// parts are read: each part is read to its end by the unit holding its last
// partition.
func openBase(store storage.Store, dir string) (*base, error) {
	b := &base{store: store, dir: dir}
	b.manifest = b.join(ManifestFile)
	if !store.Exists(b.join(SuccessFile)) {
		return nil, b.errorf("no %s: not a complete export (it failed, is still running, or this is not an export)", SuccessFile)
	}
	mb, err := store.ReadFile(b.manifest, maxManifest)
	if err != nil {
		return nil, b.errorf("%v", err)
	}
	sum := sha256.Sum256(mb)
	var m Manifest
	if err := json.Unmarshal(mb, &m); err != nil {
		return nil, fmt.Errorf("%s: %w: %w: %w", b.manifest, ErrBadBase, err, wire.ErrCorrupt)
	}
	switch {
	case m.Layout != "partitions":
		return nil, b.errorf("layout %q: %w", m.Layout, ErrBaseLayout)
	case m.Filters != nil:
		return nil, b.errorf("it was exported with a token range, keys or columns filter: a base must hold the whole table")
	case m.Schema == nil:
		return nil, b.errorf("%s records no schema (written by a version before incremental runs): export it again", ManifestFile)
	case m.Plan == nil || len(m.Parts) != len(m.Plan.Units) || len(m.Parts) == 0:
		return nil, fmt.Errorf("%s: %w: want one part per unit of the plan: %w", b.manifest, ErrBadBase, wire.ErrCorrupt)
	}
	c, err := codecFor(m.Compress)
	if err != nil {
		return nil, b.errorf("%v", err)
	}
	b.desc, b.compress = m.Schema, c.name
	b.ref = BaseRef{Path: dir, ManifestSHA256: hex.EncodeToString(sum[:]), Now: m.Now, NowUTC: m.NowUTC, Parts: len(m.Parts)}
	// One listing gives every part's size: opening each part (a request apiece on
	// S3) made a base of thousands of parts slow to start.
	sizes := map[string]int64{}
	here := filepath.Clean(dir)
	if err := store.Walk(dir, func(path string, size int64) error {
		if filepath.Dir(filepath.Clean(path)) == here {
			sizes[filepath.Base(path)] = size
		}
		return nil
	}); err != nil {
		return nil, err
	}
	for i, p := range m.Parts {
		u := m.Plan.Units[i]
		want := partName(i, c)
		if p.Unit != i || u.ID != i || p.Name != want {
			return nil, fmt.Errorf("%s: %w: part %d is %q of unit %d, want %q: %w", b.manifest, ErrBadBase, i, p.Name, p.Unit, want, wire.ErrCorrupt)
		}
		// The units must cover the ring in token order, or partitions would be lost.
		if (i == 0) != (u.Lo == nil) || (i == len(m.Parts)-1) != (u.Hi == nil) ||
			(i > 0 && !bytes.Equal(u.Lo, m.Plan.Units[i-1].Hi)) || (u.Lo != nil && u.Hi != nil && bytes.Compare(u.Lo, u.Hi) >= 0) {
			return nil, fmt.Errorf("%s: %w: the plan's units do not cover the token ring in order (unit %d): %w", b.manifest, ErrBadBase, i, wire.ErrCorrupt)
		}
		bp := basePart{path: b.join(p.Name), lo: u.Lo, hi: u.Hi, work: u.Bytes, size: p.Bytes, sha256: p.SHA256}
		size, ok := sizes[p.Name]
		if !ok {
			return nil, fmt.Errorf("%s: %w: named in %s but missing", bp.path, ErrBadBase, ManifestFile)
		}
		if size != p.Bytes {
			return nil, fmt.Errorf("%s: %w: %d bytes, %s says %d", bp.path, ErrBadBase, size, ManifestFile, p.Bytes)
		}
		b.parts = append(b.parts, bp)
	}
	return b, nil
}

// spans are the base's parts as the planner sees them.
func (b *base) spans() []plan.Span {
	s := make([]plan.Span, len(b.parts))
	for i, p := range b.parts {
		s[i] = plan.Span{Lo: p.lo, Hi: p.hi, Bytes: p.work}
	}
	return s
}

// input returns the merge input of the base's partitions in (lo, hi]: the parts
// overlapping the range, read one after the other. Close it after the merge.
func (b *base) input(t *merge.Table, tbl *schema.Table, lo, hi []byte) (*baseInput, merge.Input) {
	x := &baseInput{b: b, cfg: partfile.Config{Table: t, Columns: map[string]int{}, Lo: lo, Hi: hi, MaxRecord: b.maxRecord}}
	id := make([]int, len(tbl.Columns))
	for i, c := range tbl.Columns {
		x.cfg.Columns[c.Name] = i
		id[i] = i
	}
	for i, p := range b.parts {
		if plan.Overlaps(lo, hi, p.lo, p.hi) {
			x.parts = append(x.parts, i)
		}
	}
	return x, merge.Input{Scanner: x, StaticMap: id, RegularMap: id, Lo: lo, Hi: hi}
}

// baseInput chains the readers of the parts overlapping one unit.
type baseInput struct {
	b     *base
	cfg   partfile.Config
	parts []int
	next  int
	cur   *partfile.Reader
	close func()
	err   error
}

var _ rows.Stream = (*baseInput)(nil)

func (x *baseInput) NextPartition() bool {
	for x.err == nil {
		if x.cur == nil {
			if x.next >= len(x.parts) {
				return false
			}
			x.err = x.open(x.parts[x.next])
			x.next++
			continue
		}
		if x.cur.NextPartition() {
			return true
		}
		if x.err = x.cur.Err(); x.err != nil {
			return false
		}
		if !x.cur.EOF() {
			x.next = len(x.parts) // stopped past the unit's range
		}
		x.Close()
	}
	return false
}

func (x *baseInput) Partition() *rows.Partition   { return x.cur.Partition() }
func (x *baseInput) Next() bool                   { return x.cur != nil && x.cur.Next() }
func (x *baseInput) Unfiltered() *rows.Unfiltered { return x.cur.Unfiltered() }

func (x *baseInput) Err() error {
	if x.err == nil && x.cur != nil {
		return x.cur.Err()
	}
	return x.err
}

// Close closes the part being read.
func (x *baseInput) Close() {
	if x.close != nil {
		x.close()
	}
	x.cur, x.close = nil, nil
}

func (x *baseInput) open(i int) error {
	p := &x.b.parts[i]
	f, err := x.b.store.Open(p.path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("%s: %w: %w", p.path, ErrBadBase, err)
		}
		return err
	}
	raw := &hashReader{r: io.NewSectionReader(f, 0, f.Size()), h: sha256.New()}
	chk := &checkedReader{raw: raw, part: p}
	closeDec := func() {}
	switch x.b.compress {
	case "gzip":
		z, err := gzip.NewReader(raw)
		if err != nil {
			f.Close()
			return fmt.Errorf("%s: %w: gzip: %w: %w", p.path, ErrBadBase, err, wire.ErrCorrupt)
		}
		chk.dec = z
	case "zstd":
		z, err := zstd.NewReader(raw, zstd.WithDecoderConcurrency(1))
		if err != nil {
			f.Close()
			return err
		}
		chk.dec, closeDec = z, z.Close
	default:
		chk.dec = raw
	}
	cfg := x.cfg
	cfg.PartLo, cfg.PartHi = p.lo, p.hi
	x.cur = partfile.NewReader(chk, p.path, cfg)
	x.close = func() {
		closeDec()
		f.Close()
	}
	return nil
}

// hashReader hashes and counts the stored bytes of a part.
type hashReader struct {
	r   io.Reader
	h   hash.Hash
	n   int64
	err error // the storage's own error, as opposed to the codec's
}

func (h *hashReader) Read(p []byte) (int, error) {
	n, err := h.r.Read(p)
	h.h.Write(p[:n])
	h.n += int64(n)
	if err != nil && err != io.EOF {
		h.err = err
	}
	return n, err
}

// checkedReader yields a part's uncompressed bytes and, at their end, checks the
// stored bytes against the manifest: a mismatch is an error in place of io.EOF.
type checkedReader struct {
	dec     io.Reader
	raw     *hashReader
	part    *basePart
	checked bool
}

func (c *checkedReader) Read(p []byte) (int, error) {
	n, err := c.dec.Read(p)
	switch {
	case err == io.EOF && !c.checked:
		c.checked = true
		if _, err := io.Copy(io.Discard, c.raw); err != nil {
			return n, err
		}
		if got := hex.EncodeToString(c.raw.h.Sum(nil)); c.raw.n != c.part.size || got != c.part.sha256 {
			return n, fmt.Errorf("%w: stored bytes: %d with sha256 %s, %s says %d with %s: %w", ErrBadBase,
				c.raw.n, got, ManifestFile, c.part.size, c.part.sha256, wire.ErrCorrupt)
		}
	case err != nil && err != io.EOF && c.raw.err == nil:
		return n, fmt.Errorf("%w: decompressing: %w: %w", ErrBadBase, err, wire.ErrCorrupt)
	}
	return n, err
}

// buildTable unifies the SSTables' schemas, and the base's when there is one.
func buildTable(ssts []*sstable.SSTable, b *base) (*schema.Table, error) {
	if b == nil {
		return sstable.Unify(ssts, nil, "")
	}
	t, err := sstable.Unify(ssts, b.desc, b.manifest)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadBase, err)
	}
	return t, nil
}
