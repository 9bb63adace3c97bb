// Package sstable opens one SSTable: it reads TOC.txt, Statistics.db and
// CompressionInfo.db (or CRC.db), derives the table layout from the serialization
// header, and hands out row scanners over Data.db byte ranges. It sees files only
// through storage.Store, so the same code reads local disk and S3.
//
// Each component is read one way, under one size limit (components.go: ReadTOC,
// ReadStatistics, ReadCompressionInfo, OpenChunks, ReadSummary, VerifyDigest).
// Open is the strict user of them; package inspect the tolerant one, which
// reads what is there and reports what is broken.
//
//	<prefix>TOC.txt             component list
//	<prefix>Statistics.db       validation, compaction, stats, serialization header
//	<prefix>CompressionInfo.db  chunk length and offsets (compressed SSTables)
//	<prefix>CRC.db              per-chunk CRCs (uncompressed SSTables)
//	<prefix>Data.db             partitions (package row)
//	<prefix>Index.db, Summary.db | Partitions.db, Rows.db   (package index)
package sstable

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"math"
	"slices"
	"strings"

	"github.com/aegisthus/aegisthus/internal/cql"
	"github.com/aegisthus/aegisthus/internal/cql/cqlparse"
	"github.com/aegisthus/aegisthus/internal/rows"
	"github.com/aegisthus/aegisthus/internal/schema"
	"github.com/aegisthus/aegisthus/internal/sstable/chunk"
	"github.com/aegisthus/aegisthus/internal/sstable/format"
	"github.com/aegisthus/aegisthus/internal/sstable/index"
	"github.com/aegisthus/aegisthus/internal/sstable/legacy"
	"github.com/aegisthus/aegisthus/internal/sstable/row"
	"github.com/aegisthus/aegisthus/internal/sstable/stats"
	"github.com/aegisthus/aegisthus/internal/sstable/wire"
	"github.com/aegisthus/aegisthus/internal/storage"
	"github.com/aegisthus/aegisthus/internal/token"
)

// ErrMissingComponent marks a component the SSTable needs but does not have.
var ErrMissingComponent = errors.New("missing component")

// SSTable is one open SSTable. It is safe for concurrent use: every scanner gets
// its own buffers.
type SSTable struct {
	Desc       format.Descriptor
	Components []string // from TOC.txt, or found beside Data.db
	Meta       *stats.Metadata
	// Schema is the table as this SSTable's serialization header (and, when
	// given, the user's CQL schema) describe it.
	Schema *schema.Table
	Layout *row.Layout
	// Legacy is the cell-name layout of a pre-3.0 SSTable (nil from ma on, and
	// for a pre-3.0 SSTable opened without a schema).
	Legacy *legacy.Layout
	// Raw marks a pre-3.0 SSTable opened without a schema (Options.Raw): its
	// key is a blob, it has no columns, and only Atoms reads it.
	Raw      bool
	Chunks   *chunk.Reader
	DataSize int64 // stored size of Data.db
	store    storage.Store
	data     *dataFile // nil until Data.db is opened
}

// Path returns the path of one component.
func (t *SSTable) Path(component string) string { return t.Desc.Path(component) }

// Has reports whether the SSTable has component c.
func (t *SSTable) Has(c string) bool { return slices.Contains(t.Components, c) }

// Close releases Data.db. The SSTable stays described (metadata, schema,
// chunk offsets): ReopenData makes it readable again.
func (t *SSTable) Close() error {
	if t.data == nil || t.data.f == nil {
		return nil
	}
	err := t.data.f.Close()
	t.data.f = nil
	return err
}

// ReopenData opens Data.db again after Close, for an SSTable described long
// before it is read (a many-table export plans every table first and holds
// Data.db open only while the table's units run). The file must still have
// the size it had when the SSTable was opened. The caller orders it before
// any read, as it does Close after the last.
func (t *SSTable) ReopenData() error {
	if t.data == nil || t.data.f != nil {
		return nil
	}
	path := t.Desc.Path(format.Data)
	f, err := t.store.Open(path)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("%s: %w", path, ErrMissingComponent)
		}
		return fmt.Errorf("%s: %w", path, err)
	}
	if f.Size() != t.DataSize {
		f.Close()
		return wire.Errorf(path, format.Data, -1, wire.ErrCorrupt, "%d bytes, %d when it was planned: the file changed", f.Size(), t.DataSize)
	}
	t.data.f = f
	return nil
}

// dataFile is Data.db as the chunk reader sees it: the open handle, which
// Close drops and ReopenData replaces without touching the reader.
type dataFile struct {
	f    storage.File // nil while closed
	path string
	size int64
}

// ErrDataClosed is a read of an SSTable's Data.db between Close and ReopenData.
var ErrDataClosed = errors.New("read while closed")

func (d *dataFile) ReadAt(p []byte, off int64) (int, error) {
	if d.f == nil {
		return 0, fmt.Errorf("%s: %w", d.path, ErrDataClosed)
	}
	return d.f.ReadAt(p, off)
}

func (d *dataFile) Size() int64  { return d.size }
func (d *dataFile) Name() string { return d.path }
func (d *dataFile) Close() error { return nil } // SSTable.Close closes d.f

// Options adjust how an SSTable is opened.
type Options struct {
	// Table, when set, names the key and clustering columns and fixes the header's
	// frozen-ness of UDTs (CASSANDRA-15035). A type contradicting the header is an error.
	Table *cqlparse.Table
	// Raw opens a pre-3.0 SSTable without a Table: names and values stay
	// bytes, read through Atoms (sstable2json's and Aegisthus's view).
	Raw bool
}

// Open opens the SSTable d names.
func Open(store storage.Store, d format.Descriptor, opts Options) (*SSTable, error) {
	t := &SSTable{Desc: d, store: store}
	if err := t.readTOC(); err != nil {
		return nil, err
	}
	if d.Version.IsLegacy() && opts.Table == nil && !opts.Raw {
		return nil, &wire.FormatError{Path: d.Path(format.Data), Component: format.Data, Offset: -1,
			Err: fmt.Errorf("version %s (Cassandra 2.x and older) has no serialization header: %w: %w",
				d.Version, wire.ErrNeedsSchema, wire.ErrUnsupported)}
	}
	for _, c := range []string{format.Data, format.Statistics} {
		if !t.Has(c) {
			return nil, fmt.Errorf("%s: not listed in %s: %w", d.Path(c), format.TOC, ErrMissingComponent)
		}
	}
	var err error
	if t.Meta, err = ReadStatistics(store, d); err != nil {
		return nil, withComponent(err)
	}
	if d.Version.IsLegacy() {
		if t.Meta.Validation == nil {
			return nil, wire.Errorf(d.Path(format.Statistics), format.Statistics, -1, wire.ErrCorrupt, "no validation metadata")
		}
		if opts.Table == nil {
			t.Raw = true
			t.Schema = rawSchema(d)
			t.Layout = layoutFor(d.Version, &stats.Header{}, t.Schema)
			if err := t.openData(); err != nil {
				return nil, err
			}
			return t, nil
		}
		if t.Schema, t.Legacy, err = schemaFromCQL(d, opts.Table); err != nil {
			return nil, err
		}
		t.Layout = layoutFor(d.Version, &stats.Header{}, t.Schema)
		if err := t.openData(); err != nil {
			return nil, err
		}
		return t, nil
	}
	if t.Meta.Header == nil {
		return nil, wire.Errorf(d.Path(format.Statistics), format.Statistics, -1, wire.ErrCorrupt, "no serialization header")
	}
	if t.Schema, err = schemaFromHeader(d, t.Meta.Header, opts.Table); err != nil {
		return nil, err
	}
	t.Layout = layoutFor(d.Version, t.Meta.Header, t.Schema)
	if !d.Version.HasMetadataChecksum() {
		if t.Layout.Bounds, err = StatsBounds(t); err != nil {
			return nil, err
		}
	}
	if err := t.openData(); err != nil {
		return nil, err
	}
	return t, nil
}

// StatsBounds returns the bounds StatsMetadata puts on the values of t's
// Data.db (row.Bounds). Open sets them as the layout's for the versions whose
// Statistics.db has no checksum (before na), where a corrupt header minimum
// would otherwise shift values silently.
//
// Stats whose timestamps are the trackers' untouched defaults (Long.MIN_VALUE,
// Long.MAX_VALUE) collected nothing, so they bound nothing: Cassandra writes
// them only for an SSTable without a single delta-coded value, but ScyllaDB 2.x
// wrote them for one holding only range tombstones (the corpus's
// read_range_tombstones_only_index), with no deletion time either. There is
// nothing to check then (nil).
//
// The header's minima come from the memtable flushed or the SSTables compacted,
// which hold every value of this SSTable: they are at most the stats' minima
// (the TTL's excepted: the stats count a live cell's TTL of 0, the header
// does not). A header minimum above the stats' is an error, which catches a
// shift upwards of a minimum that equals the stats' (most often the case);
// the bounds catch a shift downwards, and a shift upwards of the timestamp
// (the maximum timestamp is a cell's). What stays unseen: a local deletion
// time's minimum shifted upwards by less than its gap to the stats' minimum
// when the SSTable holds live cells (their NO_DELETION_TIME is the stats'
// maximum), and a TTL's minimum shifted downwards, which only a TTL shown by
// the partitions layout or dump reveals (expiry goes by the deletion time).
func StatsBounds(t *SSTable) (*row.Bounds, error) {
	s, h := t.Meta.Stats, t.Meta.Header
	if s.MinTimestamp == math.MinInt64 && s.MaxTimestamp == math.MaxInt64 {
		return nil, nil
	}
	path := t.Path(format.Statistics)
	if h.MinTimestamp > s.MinTimestamp {
		return nil, wire.Errorf(path, format.Statistics, h.Offset, wire.ErrCorrupt,
			"serialization header: EncodingStats minTimestamp %d is above the stats' minimum timestamp %d", h.MinTimestamp, s.MinTimestamp)
	}
	if h.MinLocalDeletionTime > s.MinLocalDeletionTime {
		return nil, wire.Errorf(path, format.Statistics, h.Offset, wire.ErrCorrupt,
			"serialization header: EncodingStats minLocalDeletionTime %d is above the stats' minimum local deletion time %d", h.MinLocalDeletionTime, s.MinLocalDeletionTime)
	}
	return &row.Bounds{Stats: path, MinTimestamp: s.MinTimestamp, MaxTimestamp: s.MaxTimestamp,
		MinLDT: s.MinLocalDeletionTime, MaxLDT: s.MaxLocalDeletionTime, MinTTL: s.MinTTL, MaxTTL: s.MaxTTL}, nil
}

// readTOC reads TOC.txt, or when it is absent lists the components beside Data.db.
func (t *SSTable) readTOC() error {
	d := t.Desc
	if t.store.Exists(d.Path(format.TOC)) {
		var err error
		if t.Components, err = ReadTOC(t.store, d); err != nil {
			return withComponent(err)
		}
		if !slices.Contains(t.Components, format.TOC) {
			t.Components = append(t.Components, format.TOC)
		}
		for _, c := range t.Components {
			if !t.store.Exists(d.Path(c)) && c != format.TOC {
				return fmt.Errorf("%s: listed in %s but absent: %w", d.Path(c), format.TOC, ErrMissingComponent)
			}
		}
		return nil
	}
	for _, c := range []string{format.Data, format.Index, format.Summary, format.Partitions, format.Rows,
		format.Statistics, format.CompressionInfo, format.CRC, format.Filter,
		format.DigestCRC32, format.DigestAdler32, format.DigestSHA1} {
		if t.store.Exists(d.Path(c)) {
			t.Components = append(t.Components, c)
		}
	}
	return nil
}

func (t *SSTable) openData() error {
	d := t.Desc
	f, err := t.store.Open(d.Path(format.Data))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("%s: %w", d.Path(format.Data), ErrMissingComponent)
		}
		return err
	}
	t.data, t.DataSize = &dataFile{f: f, path: d.Path(format.Data), size: f.Size()}, f.Size()
	if t.Chunks, err = OpenChunks(t.store, d, t.data, t.Has); err != nil {
		f.Close()
		t.data.f = nil
		return withComponent(err)
	}
	return nil
}

// AtPartition locates err, met while reading or rendering the partition at
// Data.db offset off, naming the file and the offset once (wire.Within): a
// decoder's error already names the file, and may name the partition.
func (t *SSTable) AtPartition(off int64, err error) error {
	if err == nil {
		return nil
	}
	path := t.Path(format.Data)
	var fe *wire.FormatError
	if errors.As(err, &fe) && fe.Path == path && wire.NamesOffset(fe.Err.Error(), off) {
		return err
	}
	return wire.Within(path, format.Data, off, fmt.Errorf("partition at %d: %w", off, err))
}

// withComponent prefixes a read failure with the component's name, the way Open
// reports it, unless the store's message names it already (its path does);
// other errors already say where they are.
func withComponent(err error) error {
	var re *ReadError
	if errors.As(err, &re) && !strings.Contains(re.Err.Error(), re.Component) {
		return fmt.Errorf("%s: %w", re.Component, re.Err)
	}
	return err
}

// Partitions is an SSTable's rows.Stream (a row.Scanner for 3.0+ SSTables, a
// legacy scanner before) that also knows where it is in Data.db, which dump
// and verify print.
type Partitions interface {
	rows.Stream
	// Offset is the Data.db offset of the next byte to decode.
	Offset() int64
}

var (
	_ Partitions = (*row.Scanner)(nil)
	_ Partitions = (*legacy.Scanner)(nil)
	_ Partitions = (*legacy.RawScanner)(nil)
)

// Scanner returns a scanner over the partitions starting in [start, end) of the
// uncompressed Data.db; start must be a partition boundary.
func (t *SSTable) Scanner(start, end int64) Partitions {
	return t.ScannerAhead(start, end, 0)
}

// ReadAheadBudget is what one merge's inputs may read ahead together: each
// input gets an equal share, up to chunk.DefaultReadAhead. A unit over a
// backups/ directory of a thousand flushes then reads chunk by chunk instead of
// holding a thousand windows.
const ReadAheadBudget = 4 << 20

// SharedScanner is Scanner for one of inputs scanners of the same merge, which
// share ReadAheadBudget.
func (t *SSTable) SharedScanner(start, end int64, inputs int) Partitions {
	return t.ScannerAhead(start, end, min(chunk.DefaultReadAhead, ReadAheadBudget/max(1, inputs)))
}

// ScannerAhead is Scanner with a bound on its read-ahead (chunk.Buf.Ahead: 0
// for the default, below a chunk for none), for a merge that shares one
// budget among many inputs.
func (t *SSTable) ScannerAhead(start, end int64, readAhead int) Partitions {
	return t.scannerOn(&source{r: t.Chunks, buf: chunk.Buf{Ahead: readAhead}}, start, end)
}

// KeyReader reads the key of the partition starting at a Data.db position,
// for a planner or verify checking the index against Data.db: one chunk read
// without read-ahead per position, the last chunk kept for the next. It is not
// safe for concurrent use.
type KeyReader struct {
	t   *SSTable
	src *source
	sc  Partitions        // the last scanner, reused when it can Restart
	p   token.Partitioner // nil when unknown: BTI key prefixes go unchecked
	bc  []byte            // scratch: a key's byte-comparable form
}

// KeyReader returns a KeyReader over t.
func (t *SSTable) KeyReader() *KeyReader {
	k := &KeyReader{t: t, src: &source{r: t.Chunks, buf: chunk.Buf{Ahead: 1}, memoOn: true, memoI: -1}}
	if t.Meta != nil && t.Meta.Validation != nil {
		k.p, _ = token.ForName(t.Meta.Validation.Partitioner)
	}
	return k
}

// Check reads the partition header at index entry e's Data.db position and
// returns its key (appended to dst): a read may start there only if it holds
// the partition the index names. A BIG Index.db entry holds the whole key,
// which must equal Data.db's; a BTI entry holds the Partitions.db trie path,
// which Data.db's key must extend (its byte-comparable form starts with the
// path; every partitioner token.AppendComparableKey implements), the key's
// hash byte, and the whole key when Rows.db has the partition. The
// error names the index file, the entry's offset in it (src.Locate), and the
// Data.db position.
func (k *KeyReader) Check(src index.Source, e *index.Entry, dst []byte) ([]byte, error) {
	t := k.t
	path, comp, off := src.Locate(e)
	if e.Position >= t.Chunks.Length() {
		return nil, wire.Errorf(path, comp, off, wire.ErrCorrupt,
			"data position %d past the end of %s (%d bytes uncompressed)", e.Position, t.Path(format.Data), t.Chunks.Length())
	}
	sc, ok := k.PartitionAt(e.Position)
	if !ok {
		if err := sc.Err(); err != nil {
			// Data.db's own error (a checksum, or bytes that are no partition
			// header), with the entry that led there; the data position only
			// when Data.db's message does not state it.
			var fe *wire.FormatError
			if errors.As(err, &fe) && fe.Path == t.Path(format.Data) && (fe.Offset == e.Position || wire.NamesOffset(fe.Err.Error(), e.Position)) {
				return nil, fmt.Errorf("%s: entry at offset %d: %w", path, off, err)
			}
			return nil, fmt.Errorf("%s: entry at offset %d: data position %d: %w", path, off, e.Position, err)
		}
		return nil, wire.Errorf(path, comp, off, wire.ErrCorrupt,
			"no partition at data position %d of %s", e.Position, t.Path(format.Data))
	}
	got := sc.Partition().Key
	if e.Key != nil && !bytes.Equal(got, e.Key) {
		from := ""
		if comp == format.Partitions {
			from = fmt.Sprintf(" (%s at offset %d)", src.RowsPath, e.IndexedOffset)
		}
		return nil, wire.Errorf(path, comp, off, wire.ErrCorrupt,
			"entry for key %x%s: the partition at data position %d of %s has key %x", e.Key, from, e.Position, t.Path(format.Data), got)
	}
	if comp == format.Partitions && e.HashByte >= 0 {
		// The low byte of the second half of the key's Murmur3 hash
		// (DecoratedKey.filterHashLowerBits), whatever the partitioner.
		if _, h2 := token.Murmur3Hash(got); int(byte(h2)) != e.HashByte {
			return nil, wire.Errorf(path, comp, off, wire.ErrCorrupt,
				"the partition at data position %d of %s has key %x, whose hash byte is %#02x, not the entry's %#02x",
				e.Position, t.Path(format.Data), got, byte(h2), e.HashByte)
		}
	}
	if len(e.KeyPrefix) > 0 && k.p != nil {
		var ok bool
		if k.bc, ok = token.AppendComparableKey(k.p, k.bc[:0], got); ok && !bytes.HasPrefix(k.bc, e.KeyPrefix) {
			return nil, wire.Errorf(path, comp, off, wire.ErrCorrupt,
				"the partition at data position %d of %s has key %x, whose byte-comparable form %x does not start with the entry's trie path %x",
				e.Position, t.Path(format.Data), got, k.bc, e.KeyPrefix)
		}
	}
	return append(dst, got...), nil
}

// PartitionAt returns the scanner positioned on the partition starting at
// pos (ok), or not positioned: then its Err says why, or there is no
// partition there. The scanner's key stays valid until the next call.
func (k *KeyReader) PartitionAt(pos int64) (sc Partitions, ok bool) {
	if s, ok := k.sc.(interface{ Restart(start, end int64) }); ok {
		s.Restart(pos, pos+1)
	} else {
		k.sc = k.t.scannerOn(k.src, pos, pos+1)
	}
	return k.sc, k.sc.NextPartition()
}

func (t *SSTable) scannerOn(src *source, start, end int64) Partitions {
	if t.Raw {
		return legacy.NewRawScanner(t.Desc.Version, src, t.Path(format.Data), start, end)
	}
	if t.Legacy != nil {
		return legacy.NewScanner(t.Legacy, src, t.Path(format.Data), start, end)
	}
	return row.NewScanner(t.Layout, src, t.Path(format.Data), start, end)
}

// rawSchema is the schema of a pre-3.0 SSTable opened without one
// (legacy.RawScanner's row model): a blob key, one blob clustering column
// holding the whole 2.x cell name, a counter column and a blob value column.
func rawSchema(d format.Descriptor) *schema.Table {
	blob, _ := cql.ParseMarshal("org.apache.cassandra.db.marshal.BytesType")
	counter, _ := cql.ParseMarshal("org.apache.cassandra.db.marshal.CounterColumnType")
	s := &schema.Table{Keyspace: d.Keyspace, Name: d.Table, KeyType: blob,
		PartitionKey: []schema.Column{{Name: "PartitionKey", Type: blob}},
		Clustering:   []schema.Column{{Name: "name", Type: blob}},
		Columns:      []schema.Column{{Name: "counter", Type: counter}, {Name: "value", Type: blob}}}
	s.Sort()
	return s
}

// Atoms returns a scanner over the on-disk atoms of the partitions starting in
// [start, end) of a pre-3.0 SSTable's uncompressed Data.db (nil for 3.0+ files).
func (t *SSTable) Atoms(start, end int64) *legacy.AtomScanner {
	if !t.Desc.Version.IsLegacy() {
		return nil
	}
	return legacy.NewAtomScanner(t.Desc.Version, &source{r: t.Chunks}, t.Path(format.Data), start, end)
}

// source adapts chunk.Reader to row.Source with one goroutine's scratch buffer.
type source struct {
	r   *chunk.Reader
	buf chunk.Buf
	// memoOn keeps the last chunk read (memo, chunk memoI; -1 for none): a
	// KeyReader's positions often fall in one chunk.
	memoOn bool
	memoI  int
	memo   []byte
}

func (s *source) Length() int64    { return s.r.Length() }
func (s *source) ChunkLength() int { return s.r.ChunkLength() }
func (s *source) ReadChunk(i int, dst []byte) ([]byte, error) {
	if !s.memoOn {
		return s.r.Chunk(i, dst, &s.buf)
	}
	if i != s.memoI {
		var err error
		s.memoI = -1
		if s.memo, err = s.r.Chunk(i, s.memo[:0], &s.buf); err != nil {
			return dst[:0], err
		}
		s.memoI = i
	}
	return append(dst[:0], s.memo...), nil
}

// schemaFromHeader parses the header's types and merges in the CQL schema.
func schemaFromHeader(d format.Descriptor, h *stats.Header, tbl *cqlparse.Table) (*schema.Table, error) {
	path := d.Path(format.Statistics)
	parse := func(what, s string) (*cql.Type, error) {
		t, err := cql.ParseMarshal(s)
		if err != nil {
			return nil, wire.Locate(path, format.Statistics, -1, fmt.Errorf("serialization header: %s: %w", what, err))
		}
		return t, nil
	}
	s := &schema.Table{Keyspace: d.Keyspace, Name: d.Table}
	var err error
	if s.KeyType, err = parse("key type", h.KeyType); err != nil {
		return nil, err
	}
	s.PartitionKey = []schema.Column{{Name: "PartitionKey", Type: s.KeyType}}
	for i, ts := range h.ClusteringTypes {
		ct, err := parse(fmt.Sprintf("clustering type %d", i), ts)
		if err != nil {
			return nil, err
		}
		name := "clustering"
		if i > 0 {
			name = fmt.Sprintf("clustering%d", i)
		}
		s.Clustering = append(s.Clustering, schema.Column{Name: name, Type: ct})
	}
	cols := func(in []stats.Column, static bool) ([]schema.Column, error) {
		out := make([]schema.Column, 0, len(in))
		for _, c := range in {
			ct, err := parse(fmt.Sprintf("column %q", c.Name), c.Type)
			if err != nil {
				return nil, err
			}
			out = append(out, schema.Column{Name: string(c.Name), Type: ct, Static: static})
		}
		return out, nil
	}
	static, err := cols(h.StaticColumns, true)
	if err != nil {
		return nil, err
	}
	regular, err := cols(h.RegularColumns, false)
	if err != nil {
		return nil, err
	}
	s.Columns = append(static, regular...)
	if tbl != nil {
		if err := applyCQL(s, tbl, path); err != nil {
			return nil, err
		}
	}
	s.Sort()
	if err := checkColumnOrder(path, h, s); err != nil {
		return nil, err
	}
	return s, nil
}

// checkColumnOrder holds each of the header's column lists to an order a
// writer lists columns in: Cassandra's (ColumnMetadata.compareTo: simple
// before complex, each by name bytes), or ScyllaDB's, by name bytes alone
// (the corpus's write_interleaved_atomic_and_collection_columns). A list in
// neither, or a name listed twice, is a corrupt header: before na no checksum
// tells that a name changed, and the cells of a renamed column would be
// exported under the new name, or go to other columns.
func checkColumnOrder(path string, h *stats.Header, s *schema.Table) error {
	complex := make(map[string]bool, len(s.Columns))
	for _, c := range s.Columns {
		complex[c.Name] = c.Type.IsMultiCell()
	}
	for _, l := range []struct {
		what string
		cols []stats.Column
	}{{"static", h.StaticColumns}, {"regular", h.RegularColumns}} {
		byName, byKind := true, true
		for i := 1; i < len(l.cols); i++ {
			a, b := l.cols[i-1].Name, l.cols[i].Name
			if bytes.Equal(a, b) {
				return wire.Errorf(path, format.Statistics, h.Offset, wire.ErrCorrupt, "serialization header: %s column %q listed twice", l.what, a)
			}
			ka, kb := complex[string(a)], complex[string(b)]
			byName = byName && bytes.Compare(a, b) < 0
			byKind = byKind && (ka != kb && kb || ka == kb && bytes.Compare(a, b) < 0)
			if !byName && !byKind {
				return wire.Errorf(path, format.Statistics, h.Offset, wire.ErrCorrupt,
					"serialization header: %s column %d %q after %q: out of order (want simple columns before complex ones, each by name, or all by name)", l.what, i, b, a)
			}
		}
	}
	return nil
}

// applyCQL takes names from the user's schema and checks its types against the
// header's. Frozen UDTs recorded as non-frozen by Cassandra 3.0 (CASSANDRA-15035)
// are frozen when the schema says so.
func applyCQL(s *schema.Table, tbl *cqlparse.Table, path string) error {
	mismatch := func(col string, header, schema *cql.Type) error {
		return wire.Errorf(path, format.Statistics, -1, wire.ErrCorrupt,
			"column %s: the header says %s, the schema says %s", col, header.QualifiedCQL(), schema.InKeyspace(s.Keyspace).QualifiedCQL())
	}
	s.CQL = tbl
	if tbl.Keyspace != "" {
		s.Keyspace = tbl.Keyspace
	}
	if tbl.Name != "" {
		s.Name = tbl.Name
	}
	if len(tbl.PartitionKey) == 1 {
		pk := tbl.PartitionKey[0]
		if !compatible(s.KeyType, pk.Type, s.Keyspace) {
			return mismatch(pk.Name, s.KeyType, pk.Type)
		}
		s.PartitionKey = []schema.Column{{Name: pk.Name, Type: s.KeyType}}
	} else {
		if s.KeyType.Kind != cql.Composite || len(s.KeyType.Params) != len(tbl.PartitionKey) {
			return wire.Errorf(path, format.Statistics, -1, wire.ErrCorrupt,
				"partition key: the header says %s, the schema has %d key columns", s.KeyType.Marshal(), len(tbl.PartitionKey))
		}
		s.PartitionKey = s.PartitionKey[:0]
		for i, pk := range tbl.PartitionKey {
			if !compatible(s.KeyType.Params[i], pk.Type, s.Keyspace) {
				return mismatch(pk.Name, s.KeyType.Params[i], pk.Type)
			}
			s.PartitionKey = append(s.PartitionKey, schema.Column{Name: pk.Name, Type: s.KeyType.Params[i]})
		}
	}
	if tbl.CompactStorage && len(tbl.Clustering) == 0 && len(s.Clustering) == 1 {
		s.StaticCompact = true
		s.Clustering[0].Name = "column1"
	} else if len(tbl.Clustering) != len(s.Clustering) {
		return wire.Errorf(path, format.Statistics, -1, wire.ErrCorrupt,
			"the header has %d clustering columns, the schema %d", len(s.Clustering), len(tbl.Clustering))
	}
	for i, ck := range tbl.Clustering {
		if !compatible(s.Clustering[i].Type, ck.Type, s.Keyspace) {
			return mismatch(ck.Name, s.Clustering[i].Type, ck.Type)
		}
		s.Clustering[i].Name = ck.Name
	}
	fix := func(cols []schema.Column) error {
		for i := range cols {
			sc := tbl.Column(cols[i].Name)
			if sc == nil {
				continue // dropped since, or added after the schema was written
			}
			if !compatible(cols[i].Type, sc.Type, s.Keyspace) || cols[i].Static != (sc.Kind == cqlparse.Static) && !s.StaticCompact {
				if _, dropped := tbl.Dropped[sc.Name]; dropped {
					// Dropped and added back with another type: this header
					// is from before the drop, its type decodes its cells
					// (SerializationHeader keeps the header's type), which
					// the merge discards as older than the drop.
					continue
				}
				if !compatible(cols[i].Type, sc.Type, s.Keyspace) {
					return mismatch(sc.Name, cols[i].Type, sc.Type)
				}
			}
			if cols[i].Type.Kind == cql.UDT && cols[i].Type.IsMultiCell() && !sc.Type.IsMultiCell() {
				cols[i].Type = cols[i].Type.Frozen()
			}
		}
		return nil
	}
	return fix(s.Columns)
}

// compatible reports whether the header type h and the schema type c describe the
// same values, ignoring frozen-ness and clustering order (which the header and
// CQL spell differently).
func compatible(h, c *cql.Type, ks string) bool {
	return h.Frozen().WithReversed(false).Equal(c.InKeyspace(ks).Frozen().WithReversed(false))
}

// layoutFor builds the decoder's view of the header.
func layoutFor(v format.Version, h *stats.Header, s *schema.Table) *row.Layout {
	l := &row.Layout{Version: v, MinTimestamp: h.MinTimestamp, MinLDT: h.MinLocalDeletionTime, MinTTL: h.MinTTL}
	for _, c := range s.Clustering {
		l.ClusteringFixed = append(l.ClusteringFixed, c.Type.ValueLengthIfFixed())
	}
	cols := func(in []schema.Column) []row.Column {
		out := make([]row.Column, len(in))
		for i, c := range in {
			out[i] = row.Column{Name: []byte(c.Name), Complex: c.Type.IsMultiCell(), FixedLen: c.Type.ValueLengthIfFixed()}
			if out[i].Complex {
				out[i].FixedLen = -1
			}
		}
		return out
	}
	l.Static, l.Regular = cols(s.Static()), cols(s.Regular())
	return l
}

// schemaFromCQL builds the schema and cell-name layout of a pre-3.0 SSTable, which
// has no serialization header, from the user's CQL table the way Cassandra 3.0
// upgrades a 2.x table (CFMetaData, CompactTables): a COMPACT STORAGE table without
// clustering columns gets the hidden clustering column "column1" (text), its
// columns become static and dynamic cells go to a hidden "value" blob column; a
// COMPACT STORAGE table whose columns are all in the primary key gets a hidden
// value column "" of EmptyType.
func schemaFromCQL(d format.Descriptor, tbl *cqlparse.Table) (*schema.Table, *legacy.Layout, error) {
	path := d.Path(format.Data)
	var merr error
	marshal := func(s string) *cql.Type {
		t, err := cql.ParseMarshal(s)
		if err != nil && merr == nil {
			merr = fmt.Errorf("built-in type %s: %w", s, err)
		}
		return t
	}
	s := &schema.Table{Keyspace: d.Keyspace, Name: d.Table, CQL: tbl}
	if tbl.Keyspace != "" {
		s.Keyspace = tbl.Keyspace
	}
	if tbl.Name != "" {
		s.Name = tbl.Name
	}
	if len(tbl.PartitionKey) == 0 {
		return nil, nil, wire.Errorf(path, format.Data, -1, wire.ErrUnsupported, "the schema of %s has no partition key", tbl.Name)
	}
	for _, pk := range tbl.PartitionKey {
		s.PartitionKey = append(s.PartitionKey, schema.Column{Name: pk.Name, Type: pk.Type})
	}
	if len(tbl.PartitionKey) == 1 {
		s.KeyType = tbl.PartitionKey[0].Type
	} else {
		var b []byte
		b = append(b, "org.apache.cassandra.db.marshal.CompositeType("...)
		for i, pk := range tbl.PartitionKey {
			if i > 0 {
				b = append(b, ',')
			}
			b = pk.Type.AppendMarshal(b)
		}
		b = append(b, ')')
		kt, err := cql.ParseMarshal(string(b))
		if err != nil {
			return nil, nil, wire.Errorf(path, format.Data, -1, wire.ErrUnsupported, "partition key type %s: %v", b, err)
		}
		s.KeyType = kt
		for i := range s.PartitionKey {
			s.PartitionKey[i].Type = kt.Params[i]
		}
	}
	for _, ck := range tbl.Clustering {
		s.Clustering = append(s.Clustering, schema.Column{Name: ck.Name, Type: ck.Type})
	}
	cols := func(in []*cqlparse.Column, static bool) []schema.Column {
		out := make([]schema.Column, 0, len(in))
		for _, c := range in {
			out = append(out, schema.Column{Name: c.Name, Type: c.Type, Static: static})
		}
		return out
	}
	var static, regular []schema.Column
	kind := legacy.Sparse
	switch {
	case tbl.CompactStorage && len(tbl.Clustering) == 0:
		kind = legacy.StaticCompact
		s.StaticCompact = true
		s.Clustering = []schema.Column{{Name: "column1", Type: marshal("org.apache.cassandra.db.marshal.UTF8Type")}}
		static = cols(append(slices.Clone(tbl.Static), tbl.Regular...), true)
		regular = []schema.Column{{Name: "value", Type: marshal("org.apache.cassandra.db.marshal.BytesType")}}
	case tbl.CompactStorage:
		kind = legacy.Dense
		if len(tbl.Static) > 0 || len(tbl.Regular) > 1 {
			return nil, nil, wire.Errorf(path, format.Data, -1, wire.ErrUnsupported,
				"COMPACT STORAGE table %s with clustering columns has %d static and %d regular columns, want at most one regular column",
				tbl.Name, len(tbl.Static), len(tbl.Regular))
		}
		regular = cols(tbl.Regular, false)
		if len(regular) == 0 {
			regular = []schema.Column{{Name: "", Type: marshal("org.apache.cassandra.db.marshal.EmptyType")}}
		}
	default:
		static, regular = cols(tbl.Static, true), cols(tbl.Regular, false)
	}
	if merr != nil {
		return nil, nil, merr
	}
	s.Columns = append(static, regular...)
	s.Sort()
	rl := layoutFor(d.Version, &stats.Header{}, s)
	l := &legacy.Layout{Version: d.Version, Kind: kind, Static: rl.Static, Regular: rl.Regular,
		ClusteringFixed: rl.ClusteringFixed, ValueColumn: -1}
	for _, c := range s.Clustering {
		l.Clustering = append(l.Clustering, c.Type.Compare)
	}
	switch kind {
	case legacy.Dense:
		l.ValueColumn = 0
	case legacy.StaticCompact:
		l.ValueColumn = len(s.Regular()) - 1
	}
	if len(tbl.Dropped) > 0 {
		l.Dropped = map[string]bool{}
		for n := range tbl.Dropped {
			l.Dropped[n] = true
		}
	}
	return s, l, nil
}

// Unify builds the table ssts hold together (schema.Unify), with base, when not
// nil, the table a previous export recorded (named baseName in errors).
func Unify(ssts []*SSTable, base *schema.Desc, baseName string) (*schema.Table, error) {
	srcs := make([]schema.Source, len(ssts))
	for i, s := range ssts {
		srcs[i] = schema.Source{Path: s.Path(format.Data), Statistics: s.Path(format.Statistics),
			Partitioner: s.Meta.Validation.Partitioner, Schema: s.Schema}
	}
	return schema.Unify(srcs, base, baseName)
}
