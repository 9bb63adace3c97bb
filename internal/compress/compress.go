// Package compress decodes the payload of one compressed Data.db chunk. There is one
// Decompressor per Cassandra compressor class, chosen by the class name that
// CompressionInfo.db records (CompressionParams.createCompressor in Cassandra).
//
// A chunk payload is what sits between two chunk offsets, minus the 4-byte checksum
// that follows it (package chunk strips that). Its layout depends on the codec:
//
//	LZ4Compressor      +----------------------+--------------------------------+
//	(1.2 .. 5.0)       | u32 LITTLE-endian    | raw LZ4 block (no frame, no    |
//	                   | uncompressed length  | checksum)                      |
//	                   +----------------------+--------------------------------+
//	SnappyCompressor   | raw Snappy block (varint length preamble, no framing)  |
//	DeflateCompressor  | zlib stream: 2-byte header, deflate data, Adler32      |
//	ZstdCompressor     | one or more zstd frames (content size, checksum flag)  |
//	NoopCompressor     | the bytes themselves                                   |
//	                   +--------------------------------------------------------+
//
// Every Decompressor is safe for concurrent use; scratch state lives in the caller's
// dst or in short-lived pooled objects. Failures wrap wire.ErrCorrupt and carry no
// location: package chunk adds the file, chunk index and offset.
//
// Checked against Cassandra's LZ4Compressor, SnappyCompressor, DeflateCompressor,
// ZstdCompressor and NoopCompressor (trunk, cassandra-2.0, cassandra-1.2).
package compress

import (
	"fmt"
	"strings"

	"github.com/aegisthus/aegisthus/internal/sstable/wire"
)

// Decompressor decodes one chunk payload. Implementations are safe for concurrent use.
type Decompressor interface {
	// Decompress appends the decoded form of src to dst[:0] and returns it;
	// uncompressedLen is the expected size (a ceiling for allocation). The result
	// may alias dst; src is never retained. A payload that would decode to more
	// than uncompressedLen bytes, or that is malformed, yields an error wrapping
	// wire.ErrCorrupt.
	Decompress(dst, src []byte, uncompressedLen int) ([]byte, error)
	// Name is the short codec name: "lz4", "snappy", "deflate", "zstd", "noop".
	Name() string
}

// classPrefix is the package Cassandra resolves simple compressor names in
// (CompressionParams.parseCompressorClass).
const classPrefix = "org.apache.cassandra.io.compress."

// ForClass returns the Decompressor for a CompressionInfo.db compressor class name,
// simple ("LZ4Compressor") or fully qualified
// ("org.apache.cassandra.io.compress.LZ4Compressor"). Options are the compressor
// options stored next to the name; every known option only affects the encoder, so
// they are accepted and ignored. An unknown class yields an error wrapping
// wire.ErrUnsupported that names the class.
func ForClass(class string, options map[string]string) (Decompressor, error) {
	_ = options
	switch strings.TrimPrefix(class, classPrefix) {
	case "LZ4Compressor":
		return LZ4, nil
	case "SnappyCompressor":
		return Snappy, nil
	case "DeflateCompressor":
		return Deflate, nil
	case "ZstdCompressor":
		return Zstd, nil
	case "NoopCompressor":
		return Noop, nil
	}
	return nil, fmt.Errorf("compressor class %q: %w", class, wire.ErrUnsupported)
}

// Shared, stateless (or internally synchronised) instances.
var (
	LZ4     Decompressor = lz4Decompressor{}
	Snappy  Decompressor = snappyDecompressor{}
	Deflate Decompressor = deflateDecompressor{}
	Zstd    Decompressor = zstdDecompressor{}
	Noop    Decompressor = noopDecompressor{}
)

// grow returns dst resliced to length n, reallocating only when cap(dst) < n.
// The contents are unspecified.
func grow(dst []byte, n int) []byte {
	if cap(dst) < n {
		return make([]byte, n)
	}
	return dst[:n]
}

func corruptf(format string, args ...any) error {
	return fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), wire.ErrCorrupt)
}

// checkLen refuses a negative expected length, which only a caller bug can produce.
func checkLen(codec string, uncompressedLen int) error {
	if uncompressedLen < 0 {
		return corruptf("%s: negative expected length %d", codec, uncompressedLen)
	}
	return nil
}

// noopDecompressor mirrors NoopCompressor (4.0+): the payload is the data.
type noopDecompressor struct{}

func (noopDecompressor) Name() string { return "noop" }

func (noopDecompressor) Decompress(dst, src []byte, uncompressedLen int) ([]byte, error) {
	if err := checkLen("noop", uncompressedLen); err != nil {
		return dst[:0], err
	}
	if len(src) > uncompressedLen {
		return dst[:0], corruptf("noop: payload of %d bytes exceeds expected length %d", len(src), uncompressedLen)
	}
	return append(dst[:0], src...), nil
}
