package inspect

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aegisthus/aegisthus/internal/sstable"
	"github.com/aegisthus/aegisthus/internal/sstable/format"
	"github.com/aegisthus/aegisthus/internal/sstable/index"
	"github.com/aegisthus/aegisthus/internal/storage"
)

// LayoutOptions choose the sections of a Layout.
type LayoutOptions struct {
	Chunks bool // components, compression parameters and the chunk table
	Index  bool // the partition index
	Limit  int  // at most this many chunks and partitions (0: all)
}

// Layout is the layout of one SSTable's files (pebble's sstable layout): what
// the inspect command prints. Nothing in it is verified.
type Layout struct {
	SSTable string // path without "-Data.db", as Descriptor.toString
	Version string
	Format  string // big or bti
	// Components lists every file of the SSTable with its size, sorted by name;
	// nil unless the chunks section was asked for.
	Components []ComponentSize
	Chunks     *ChunkTable  // nil unless asked for, or when it could not be read
	Index      *IndexReport // nil unless asked for
}

// ComponentSize is one file of an SSTable.
type ComponentSize struct {
	Name string // component, e.g. "Data.db"
	Size int64
}

// ChunkTable is CompressionInfo.db's parameters (or CRC.db's chunk size) and
// the chunk table of Data.db.
type ChunkTable struct {
	Compressed  bool
	Compressor  string            // class name as stored; compressed only
	Options     map[string]string // compressor options; compressed only
	ChunkLength int
	// MaxCompressedLength is stored from na on (HasMaxCompressedLength).
	MaxCompressedLength    int
	HasMaxCompressedLength bool
	DataLength             int64   // uncompressed
	StoredLength           int64   // size of Data.db
	Ratio                  float64 // stored / uncompressed; compressed only
	NumChunks              int
	Unchecked              string // why chunks would not be checked; uncompressed only
	Checksum               string // "crc32" or "adler32"
	Rows                   []ChunkRow
}

// ChunkRow is one chunk of the chunk table.
type ChunkRow struct {
	Index       int
	Offset      int64 // in the stored Data.db
	Stored      int64 // stored bytes, checksum trailer included
	Start       int64 // in the uncompressed Data.db
	Length      int   // uncompressed
	Ratio       float64
	Checksum    uint32
	HasChecksum bool
}

// IndexReport is the partition index of one SSTable.
type IndexReport struct {
	// NoIndex marks a BIG SSTable without Index.db; nothing else is set then.
	NoIndex bool
	BTI     bool
	// Found is set once the index component was read (BTI: and its footer
	// decoded); the fields below it are valid from then on.
	Found bool
	Size  int // bytes of Index.db (BIG) or Partitions.db (BTI)
	// BTI: Partitions.db's footer and the size of Rows.db.
	KeyCount, Root    int64
	RowsSize          int
	FirstKey, LastKey []byte
	// BIG: Summary.db, when there is one that could be read.
	Summary    *Summary
	SummaryErr error // Summary.db did not decode
	// Listed is set once the index opened: Partitions then holds the entries
	// (at most the limit) and Total, when no error stopped the walk, counts them all.
	Listed     bool
	Partitions []Partition
	Total      int
}

// Summary is what Summary.db says about the SSTable.
type Summary struct {
	Entries                         int
	MinIndexInterval, SamplingLevel int32
	FirstKey, LastKey               []byte
}

// Partition is one index entry.
type Partition struct {
	Key           []byte // nil when the index does not store it (BTI without row index)
	Position      int64  // in the uncompressed Data.db
	IndexedOffset int64
	// Deleted, MarkedForDeleteAt and LocalDeletionTime: the partition deletion,
	// known only for entries with a row index.
	Deleted                              bool
	MarkedForDeleteAt, LocalDeletionTime int64
	Blocks                               []Block
}

// Block is one block of a promoted (BIG) or row (BTI) index.
type Block struct {
	Row         bool  // a BTI row index block: only Offset and Open are set
	Offset      int64 // relative to the partition start
	Width       int64
	First, Last []byte // serialized clustering prefixes
	Open        bool   // a deletion is open at the block's end (BIG) or start (BTI)
	OpenAt      int64  // its markedForDeleteAt
}

// ReadLayout describes the SSTable d names. On an error it returns what it had
// read so far with the error, so that the caller can show both.
func ReadLayout(store storage.Store, d format.Descriptor, o LayoutOptions) (*Layout, error) {
	l := &Layout{SSTable: strings.TrimSuffix(d.Path(format.Data), "-"+format.Data),
		Version: d.Version.String(), Format: d.Version.Kind.String()}
	all := !o.Chunks && !o.Index
	if all || o.Chunks {
		l.Components = []ComponentSize{}
		if err := l.readChunks(store, d, o.Limit); err != nil {
			return l, err
		}
	}
	if all || o.Index {
		l.Index = &IndexReport{}
		if err := l.Index.read(store, d, o.Limit); err != nil {
			return l, err
		}
	}
	return l, nil
}

func (l *Layout) readChunks(store storage.Store, d format.Descriptor, limit int) error {
	prefix := d.Prefix()
	var comps []ComponentSize
	err := store.Walk(d.Dir, func(path string, size int64) error {
		rel := strings.TrimPrefix(path, d.Dir+"/")
		if strings.HasPrefix(rel, prefix) && !strings.Contains(rel, "/") {
			comps = append(comps, ComponentSize{strings.TrimPrefix(rel, prefix), size})
		}
		return nil
	})
	if err != nil {
		return err
	}
	slices.SortFunc(comps, func(a, b ComponentSize) int { return strings.Compare(a.Name, b.Name) })
	l.Components = comps
	data, err := store.Open(d.Path(format.Data))
	if err != nil {
		return fmt.Errorf("%w: %w", ErrInput, err)
	}
	defer data.Close()
	r, err := OpenChunks(store, d, data)
	if err != nil {
		return err
	}
	ct := &ChunkTable{Compressed: r.Compressed(), ChunkLength: r.ChunkLength(), DataLength: r.Length(),
		StoredLength: data.Size(), NumChunks: r.NumChunks(), Unchecked: r.Unchecked(), Checksum: "crc32"}
	if info := r.Info(); info != nil {
		ct.Compressor, ct.Options, ct.ChunkLength = info.Compressor, info.Options, info.ChunkLength
		ct.MaxCompressedLength, ct.HasMaxCompressedLength = info.MaxCompressedLength, d.Version.HasMaxCompressedLength()
		ct.DataLength, ct.NumChunks = info.DataLength, info.NumChunks()
		ct.Ratio = ratio(data.Size(), info.DataLength)
	}
	alg, _ := d.Version.CompressedChecksum()
	if !r.Compressed() {
		alg = d.Version.UncompressedChecksum()
	}
	if alg == format.Adler32 {
		ct.Checksum = "adler32"
	}
	shown := ct.NumChunks
	if limit > 0 {
		shown = min(shown, limit)
	}
	for i := range shown {
		off, stored := r.Span(i)
		payload := stored
		if r.Compressed() {
			payload -= 4
		}
		sum, ok := r.StoredChecksum(i)
		ct.Rows = append(ct.Rows, ChunkRow{Index: i, Offset: off, Stored: stored, Start: r.ChunkStart(i),
			Length: r.ChunkLen(i), Ratio: ratio(payload, int64(r.ChunkLen(i))), Checksum: sum, HasChecksum: ok})
	}
	l.Chunks = ct
	return nil
}

func ratio(stored, uncompressed int64) float64 {
	if uncompressed == 0 {
		return 0
	}
	return float64(stored) / float64(uncompressed)
}

// read fills the index report: Partitions.db and Rows.db (BTI), or Index.db
// and Summary.db (BIG), then every entry.
func (x *IndexReport) read(store storage.Store, d format.Descriptor, limit int) error {
	read := func(c string) ([]byte, error) {
		b, err := sstable.ReadComponent(store, d, c)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrInput, err)
		}
		return b, nil
	}
	src := sstable.IndexSource(d)
	var opts index.Options
	if md, err := sstable.ReadStatistics(store, d); err == nil && md.Header != nil {
		opts.ClusteringTypes = md.Header.ClusteringTypes
	}
	var err error
	if d.Version.Kind == format.BTI {
		x.BTI = true
		if src.Partitions, err = read(format.Partitions); err != nil {
			return err
		}
		if store.Exists(d.Path(format.Rows)) {
			if src.Rows, err = read(format.Rows); err != nil {
				return err
			}
		}
		pi, err := index.OpenPartitionIndex(src.PartitionsPath, src.Partitions)
		if err != nil {
			return err
		}
		x.Found, x.Size, x.RowsSize = true, len(src.Partitions), len(src.Rows)
		x.KeyCount, x.Root, x.FirstKey, x.LastKey = pi.KeyCount, pi.Root, pi.FirstKey, pi.LastKey
	} else {
		if !store.Exists(d.Path(format.Index)) {
			x.NoIndex = true
			return nil
		}
		if src.Index, err = read(format.Index); err != nil {
			return err
		}
		x.Found, x.Size = true, len(src.Index)
		if store.Exists(d.Path(format.Summary)) {
			x.readSummary(store, d)
		}
	}
	it, err := index.Open(src, opts)
	if err != nil {
		return err
	}
	x.Listed = true
	n := 0
	for ; it.Next(); n++ {
		if limit > 0 && n >= limit {
			continue
		}
		x.Partitions = append(x.Partitions, partition(it.Entry()))
	}
	if err := it.Err(); err != nil {
		return err
	}
	x.Total = n
	return nil
}

// readSummary records Summary.db, or why it did not decode; a Summary.db that
// cannot be read at all is left out.
func (x *IndexReport) readSummary(store storage.Store, d format.Descriptor) {
	s, err := sstable.ReadSummary(store, d)
	var re *sstable.ReadError
	switch {
	case err == nil:
		x.Summary = &Summary{Entries: len(s.Entries), MinIndexInterval: s.MinIndexInterval,
			SamplingLevel: s.SamplingLevel, FirstKey: s.FirstKey, LastKey: s.LastKey}
	case !errors.As(err, &re):
		x.SummaryErr = err
	}
}

// partition copies what the report shows of an index entry, which the
// iterator may reuse.
func partition(e *index.Entry) Partition {
	p := Partition{Key: slices.Clone(e.Key), Position: e.Position, IndexedOffset: e.IndexedOffset}
	if e.HasRowIndex && !e.Deletion.IsLive() {
		p.Deleted, p.MarkedForDeleteAt, p.LocalDeletionTime = true, e.Deletion.MarkedForDeleteAt, e.Deletion.LocalDeletionTime
	}
	for _, b := range e.Blocks {
		blk := Block{Offset: b.Offset, Width: b.Width, First: slices.Clone(b.First), Last: slices.Clone(b.Last)}
		if b.EndOpen != nil {
			blk.Open, blk.OpenAt = true, b.EndOpen.MarkedForDeleteAt
		}
		p.Blocks = append(p.Blocks, blk)
	}
	for _, b := range e.RowBlocks {
		p.Blocks = append(p.Blocks, Block{Row: true, Offset: b.Offset, Open: b.HasOpen, OpenAt: b.OpenDeletion.MarkedForDeleteAt})
	}
	return p
}
