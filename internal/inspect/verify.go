package inspect

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"strings"

	"github.com/aegisthus/aegisthus/internal/sstable"
	"github.com/aegisthus/aegisthus/internal/sstable/chunk"
	"github.com/aegisthus/aegisthus/internal/sstable/format"
	"github.com/aegisthus/aegisthus/internal/sstable/index"
	"github.com/aegisthus/aegisthus/internal/sstable/stats"
	"github.com/aegisthus/aegisthus/internal/sstable/wire"
	"github.com/aegisthus/aegisthus/internal/storage"
)

// VerifyReport is what verify --json prints. Field names are part of the interface.
type VerifyReport struct {
	SSTables []*VerifyResult `json:"sstables"`
	Verified int             `json:"verified"` // SSTables checked
	Chunks   int             `json:"chunks"`   // chunks whose checksum was checked
	Failures int             `json:"failures"` // failures over all SSTables
}

// Add counts res into the report.
func (r *VerifyReport) Add(res *VerifyResult) {
	r.SSTables = append(r.SSTables, res)
	r.Verified++
	r.Chunks += res.Chunks
	r.Failures += len(res.Failures)
}

// Failed returns how many SSTables have at least one failure.
func (r *VerifyReport) Failed() int {
	n := 0
	for _, s := range r.SSTables {
		if len(s.Failures) > 0 {
			n++
		}
	}
	return n
}

// VerifyResult is the outcome for one SSTable.
type VerifyResult struct {
	Path       string `json:"path"` // Data.db path
	Version    string `json:"version"`
	Compressed bool   `json:"compressed"`
	Chunks     int    `json:"chunks"` // chunks checked (0 when they could not be)
	// Digest is the digest component checked, "" when the SSTable has none.
	Digest string `json:"digest"`
	// Unchecked says why chunk checksums were not verified, "" when they were.
	Unchecked string          `json:"unchecked,omitempty"`
	Failures  []VerifyFailure `json:"failures"`
	// Extended is what the extended read covered (VerifyOptions.Extended).
	Extended *Extended `json:"extended,omitempty"`
}

// VerifyFailure is one problem found.
type VerifyFailure struct {
	Path      string `json:"path"`      // the file at fault
	Component string `json:"component"` // e.g. "Data.db", "Statistics.db", "Digest.crc32"
	Chunk     int    `json:"chunk"`     // chunk index, -1 when not about one chunk
	Offset    int64  `json:"offset"`    // byte offset in the file, -1 when unknown
	Error     string `json:"error"`
}

func (f VerifyFailure) String() string { return f.Error }

// fail records a failure, taking path, component and offset from a
// *wire.FormatError when err carries one, and making sure the message names
// the file.
func (res *VerifyResult) fail(path, component string, chunk int, offset int64, err error) {
	f := VerifyFailure{Path: path, Component: component, Chunk: chunk, Offset: offset, Error: err.Error()}
	var fe *wire.FormatError
	if errors.As(err, &fe) {
		f.Path, f.Offset = fe.Path, fe.Offset
		if fe.Component != "" {
			f.Component = fe.Component
		}
	} else if !strings.HasPrefix(f.Error, path) {
		f.Error = path + ": " + f.Error
	}
	res.Failures = append(res.Failures, f)
}

// Verify checks one SSTable and lists what is wrong with it: every component
// TOC.txt lists exists, Statistics.db decodes (and its na+ checksums match),
// every chunk checksum of Data.db, the partition index (it decodes, and every
// entry's position holds the partition it names: verifyIndex), the SSTable
// opens for reading, and the whole-file digest. Only an I/O failure that is not about the SSTable's bytes (or
// cancellation) is returned as an error; everything else is a failure in the result.
func Verify(ctx context.Context, store storage.Store, d format.Descriptor) (*VerifyResult, error) {
	res := &VerifyResult{Path: d.Path(format.Data), Version: d.Version.String(), Failures: []VerifyFailure{}}
	has := func(c string) bool { return store.Exists(d.Path(c)) }

	// TOC.txt: every component it lists must exist.
	listed := map[string]bool{}
	if has(format.TOC) {
		toc, err := sstable.ReadTOC(store, d)
		if err != nil {
			res.fail(d.Path(format.TOC), format.TOC, -1, -1, err)
		}
		for _, c := range toc {
			if c == format.TOC {
				continue
			}
			listed[c] = true
			if !has(c) {
				res.fail(d.Path(c), c, -1, -1, fmt.Errorf("%s: listed in %s but missing", d.Path(c), format.TOC))
			}
		}
	}

	// Statistics.db: parses, and its checksums (na+) match.
	var md *stats.Metadata
	if has(format.Statistics) {
		var err error
		if md, err = sstable.ReadStatistics(store, d); err != nil {
			res.fail(d.Path(format.Statistics), format.Statistics, -1, -1, err)
		}
	} else if !listed[format.Statistics] {
		res.fail(d.Path(format.Statistics), format.Statistics, -1, -1, fmt.Errorf("%s: missing", d.Path(format.Statistics)))
	}

	data, err := store.Open(d.Path(format.Data))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			res.fail(d.Path(format.Data), format.Data, -1, -1, fmt.Errorf("%s: missing", d.Path(format.Data)))
			return res, nil
		}
		return nil, err
	}
	defer data.Close()
	r, err := verifyChunks(ctx, store, d, data, res)
	if err != nil {
		return nil, err
	}

	// The partition index: it decodes, points inside Data.db in increasing
	// order, and at partitions whose keys are the ones it names.
	length := data.Size()
	if r != nil {
		length = r.Length()
	}
	var kr *sstable.KeyReader
	if r != nil && len(res.Failures) == 0 {
		sst, err := sstable.Open(store, d, sstable.Options{Raw: true})
		if err != nil {
			res.fail(d.Path(format.Data), format.Data, -1, -1, err)
		} else {
			defer sst.Close()
			kr = sst.KeyReader()
		}
	}
	if err := verifyIndex(ctx, store, d, md, length, kr, res); err != nil {
		return nil, err
	}
	verifyDigest(store, d, r, data, res)
	return res, nil
}

// verifyChunks checks every chunk checksum of Data.db, and returns the chunk
// reader (nil when CompressionInfo.db or CRC.db could not be read).
func verifyChunks(ctx context.Context, store storage.Store, d format.Descriptor, data storage.File, res *VerifyResult) (*chunk.Reader, error) {
	r, err := OpenChunks(store, d, data)
	if err != nil {
		var fe *wire.FormatError
		comp := format.Data
		if errors.As(err, &fe) {
			comp = fe.Component
		}
		res.fail(d.Path(comp), comp, -1, -1, err)
		return nil, nil
	}
	res.Compressed = r.Compressed()
	res.Unchecked = r.Unchecked()
	if r.Unaligned() {
		// CRC.db's checksums follow the writer's flushes, not chunk_size: check
		// them piece by piece; extra checksums that match nothing fail.
		if err := r.CheckUnaligned(ctx); err != nil {
			if ctx.Err() != nil {
				return nil, err
			}
			res.fail(d.Path(format.CRC), format.CRC, -1, -1, err)
		} else {
			res.Unchecked = ""
		}
	}
	if res.Unchecked == "" {
		res.Chunks = r.NumChunks()
	}
	_, err = r.VerifyAll(ctx, func(i int, err error) {
		off, _ := r.Span(i)
		res.fail(d.Path(format.Data), format.Data, i, off, err)
	})
	if err != nil {
		return nil, err
	}
	return r, nil
}

// verifyDigest checks the first whole-file digest component the SSTable has.
func verifyDigest(store storage.Store, d format.Descriptor, r *chunk.Reader, data storage.File, res *VerifyResult) {
	for _, c := range sstable.Digests {
		if !store.Exists(d.Path(c)) {
			continue
		}
		res.Digest = c
		if err := sstable.VerifyDigest(store, d, c, r, data); err != nil {
			var re *sstable.ReadError
			if errors.As(err, &re) {
				res.fail(d.Path(c), c, -1, -1, err)
			} else {
				res.fail(d.Path(format.Data), c, -1, -1, err)
			}
		}
		return
	}
}

// OpenChunks is sstable.OpenChunks for a tool: it looks at the files on disk
// rather than TOC.txt, and locates a failure to read CompressionInfo.db or
// CRC.db in that component, so that a report names the file at fault.
func OpenChunks(store storage.Store, d format.Descriptor, data storage.File) (*chunk.Reader, error) {
	r, err := sstable.OpenChunks(store, d, data, func(c string) bool { return store.Exists(d.Path(c)) })
	var re *sstable.ReadError
	if errors.As(err, &re) {
		return nil, wire.Locate(d.Path(re.Component), re.Component, -1, re.Err)
	}
	return r, err
}

// verifyIndex decodes Index.db (BIG) or Partitions.db and Rows.db (BTI) with
// their promoted indexes, checks that partition positions increase and lie inside
// the uncompressed Data.db of dataLength bytes, and that Summary.db parses and
// samples Index.db (index.SummaryCheck).
// With kr (nil when Data.db cannot be read) it also reads the partition at
// every position and checks it is the one the entry names
// (sstable.KeyReader.Check): the key of a BIG entry or a BTI Rows.db entry,
// the trie path of a BTI entry. Only cancellation is returned.
func verifyIndex(ctx context.Context, store storage.Store, d format.Descriptor, md *stats.Metadata, dataLength int64, kr *sstable.KeyReader, res *VerifyResult) error {
	read := func(c string) ([]byte, bool) {
		if !store.Exists(d.Path(c)) {
			return nil, false
		}
		b, err := sstable.ReadComponent(store, d, c)
		if err != nil {
			res.fail(d.Path(c), c, -1, -1, err)
			return nil, false
		}
		return b, true
	}
	src := sstable.IndexSource(d)
	comp := format.Index
	var ok bool
	var sum *index.SummaryCheck // nil without a Summary.db that parses
	if d.Version.Kind == format.BTI {
		comp = format.Partitions
		if src.Partitions, ok = read(format.Partitions); !ok {
			return nil
		}
		src.Rows, _ = read(format.Rows)
	} else {
		if src.Index, ok = read(format.Index); !ok {
			return nil
		}
		if b, ok := read(format.Summary); ok {
			s, err := index.ParseSummary(d.Path(format.Summary), b, d.Version)
			if err != nil {
				res.fail(d.Path(format.Summary), format.Summary, -1, -1, err)
			} else {
				sum = s.Check(d.Path(format.Summary), d.Path(format.Index))
			}
		}
	}
	var opts index.Options
	if md != nil && md.Header != nil {
		opts.ClusteringTypes = md.Header.ClusteringTypes
	} else {
		opts.SkipBlocks = true
	}
	it, err := index.Open(src, opts)
	if err != nil {
		res.fail(d.Path(comp), comp, -1, -1, err)
		return nil
	}
	prev := int64(-1)
	for n := 0; it.Next(); n++ {
		e := it.Entry()
		path, comp, off := src.Locate(e)
		if e.Position <= prev || e.Position >= max(dataLength, 1) {
			res.fail(path, comp, -1, off, fmt.Errorf("%s: partition %d at offset %d: Data.db position %d: want above %d and below the data length %d",
				path, n, off, e.Position, prev, dataLength))
			return nil
		}
		prev = e.Position
		if kr != nil {
			if n&1023 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			if _, err := kr.Check(src, e, nil); err != nil {
				// The entry is at fault, even when what it points at is no
				// partition (a Data.db error).
				res.Failures = append(res.Failures, VerifyFailure{Path: path, Component: comp, Chunk: -1, Offset: off, Error: err.Error()})
				return nil
			}
		}
		// Summary.db against an entry Data.db vouched for (when it could).
		if sum != nil {
			if err := sum.Entry(e); err != nil {
				res.fail(d.Path(format.Summary), format.Summary, -1, -1, err)
				sum = nil
			}
		}
	}
	if err := it.Err(); err != nil {
		res.fail(d.Path(comp), comp, -1, -1, err)
	} else if sum != nil {
		if err := sum.Done(); err != nil {
			res.fail(d.Path(format.Summary), format.Summary, -1, -1, err)
		}
	}
	return nil
}
