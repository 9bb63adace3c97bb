package sstable

import (
	"strings"

	"github.com/aegisthus/aegisthus/internal/sstable/chunk"
	"github.com/aegisthus/aegisthus/internal/sstable/format"
	"github.com/aegisthus/aegisthus/internal/sstable/index"
	"github.com/aegisthus/aegisthus/internal/sstable/stats"
	"github.com/aegisthus/aegisthus/internal/sstable/wire"
	"github.com/aegisthus/aegisthus/internal/storage"
)

// The per-component API. Open is strict: it needs every component it reads and
// fails on the first problem. The tools (verify, metadata, inspect) read what is
// there and report what is broken. Both read each component through the
// functions below, so there is one way to read it and one ceiling on its size.

// Error classes, re-exported so that callers above the decoders can classify an
// error without importing them.
var (
	ErrCorrupt     = wire.ErrCorrupt
	ErrUnsupported = wire.ErrUnsupported
	ErrNeedsSchema = wire.ErrNeedsSchema
)

// Limits on components read whole into memory: a ceiling on any allocation
// whose size comes from the file system rather than from us.
const (
	MaxTOC             = 64 << 10
	MaxStatistics      = 64 << 20
	MaxCompressionInfo = 1 << 30
	MaxCRC             = 1 << 30
	MaxDigest          = 4 << 10
	// MaxIndex bounds Index.db, Summary.db, Partitions.db and Rows.db: the
	// planner reads the partition index of SSTables of hundreds of GB whole.
	MaxIndex = 8 << 30
)

// Limit returns the most bytes ReadComponent reads of component c.
func Limit(c string) int64 {
	switch c {
	case format.TOC:
		return MaxTOC
	case format.Statistics:
		return MaxStatistics
	case format.CompressionInfo:
		return MaxCompressionInfo
	case format.CRC:
		return MaxCRC
	case format.DigestCRC32, format.DigestAdler32, format.DigestSHA1:
		return MaxDigest
	}
	return MaxIndex
}

// ReadError is a component that could not be read (absent, above its Limit, an
// I/O failure), as opposed to one that did not decode (a *wire.FormatError). Its
// message is the store's, which names the path; callers add context as they see fit.
type ReadError struct {
	Component string
	Err       error
}

func (e *ReadError) Error() string { return e.Err.Error() }
func (e *ReadError) Unwrap() error { return e.Err }

// ReadComponent reads component c of d whole, at most Limit(c) bytes. A failure
// is a *ReadError.
func ReadComponent(store storage.Store, d format.Descriptor, c string) ([]byte, error) {
	b, err := store.ReadFile(d.Path(c), Limit(c))
	if err != nil {
		return nil, &ReadError{Component: c, Err: err}
	}
	return b, nil
}

// ReadTOC returns the components TOC.txt lists, in its order, blank lines
// dropped. Whether the listed files exist is the caller's question.
func ReadTOC(store storage.Store, d format.Descriptor) ([]string, error) {
	b, err := ReadComponent(store, d, format.TOC)
	if err != nil {
		return nil, err
	}
	var out []string
	for _, line := range strings.Split(string(b), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			out = append(out, line)
		}
	}
	return out, nil
}

// ReadStatistics reads and decodes Statistics.db. A read failure is a
// *ReadError; a decoding failure is stats.Parse's located error.
func ReadStatistics(store storage.Store, d format.Descriptor) (*stats.Metadata, error) {
	b, err := ReadComponent(store, d, format.Statistics)
	if err != nil {
		return nil, err
	}
	return stats.Parse(d.Path(format.Statistics), b, d.Version)
}

// ReadCompressionInfo reads and decodes CompressionInfo.db. A read failure is a
// *ReadError; a decoding failure a *wire.FormatError naming the file.
func ReadCompressionInfo(store storage.Store, d format.Descriptor) (*chunk.Info, error) {
	b, err := ReadComponent(store, d, format.CompressionInfo)
	if err != nil {
		return nil, err
	}
	info, err := chunk.ParseCompressionInfo(b, d.Version)
	if err != nil {
		return nil, wire.Locate(d.Path(format.CompressionInfo), format.CompressionInfo, -1, err)
	}
	return info, nil
}

// OpenChunks builds the chunk reader of Data.db (opened by the caller, who keeps
// owning it): from CompressionInfo.db when has says it is there, else from CRC.db
// (or nothing) for an uncompressed file. has lets Open trust TOC.txt while the
// tools look at what is on disk. Errors are as ReadCompressionInfo's, a
// *ReadError for CRC.db, or chunk's own.
func OpenChunks(store storage.Store, d format.Descriptor, data storage.File, has func(c string) bool) (*chunk.Reader, error) {
	if has(format.CompressionInfo) {
		info, err := ReadCompressionInfo(store, d)
		if err != nil {
			return nil, err
		}
		return chunk.NewCompressed(d.Path(format.Data), data, data.Size(), info, d.Version)
	}
	var crc []byte
	if has(format.CRC) {
		var err error
		if crc, err = ReadComponent(store, d, format.CRC); err != nil {
			return nil, err
		}
	}
	return chunk.NewUncompressed(d.Path(format.Data), data, data.Size(), crc, d.Version)
}

// IndexSource names the partition index components of d, ready for
// index.Open once their bytes are filled in (ReadIndex).
func IndexSource(d format.Descriptor) index.Source {
	return index.Source{Version: d.Version, IndexPath: d.Path(format.Index),
		PartitionsPath: d.Path(format.Partitions), RowsPath: d.Path(format.Rows)}
}

// ReadSummary reads and decodes Summary.db (BIG format). A read failure is a
// *ReadError.
func ReadSummary(store storage.Store, d format.Descriptor) (*index.Summary, error) {
	b, err := ReadComponent(store, d, format.Summary)
	if err != nil {
		return nil, err
	}
	return index.ParseSummary(d.Path(format.Summary), b, d.Version)
}

// Digests are the whole-file digest components, in the order the tools look for them.
var Digests = []string{format.DigestCRC32, format.DigestAdler32, format.DigestSHA1}

// VerifyDigest checks Data.db against the digest component c. r, when not nil,
// reads Data.db by chunks (and so checks the uncompressed bytes where the version
// digests those); without it the stored file is digested. A read failure of the
// digest is a *ReadError.
func VerifyDigest(store storage.Store, d format.Descriptor, c string, r *chunk.Reader, data storage.File) error {
	digest, err := ReadComponent(store, d, c)
	if err != nil {
		return err
	}
	if r != nil {
		return r.VerifyDigest(c, digest, d.Version)
	}
	return chunk.VerifyDigest(d.Path(format.Data), data, data.Size(), c, digest, d.Version)
}
