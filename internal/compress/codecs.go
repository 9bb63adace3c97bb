package compress

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"sync"

	"github.com/golang/snappy"
	"github.com/klauspost/compress/zlib"
	"github.com/klauspost/compress/zstd"
	"github.com/pierrec/lz4/v4"
)

// lz4Decompressor mirrors LZ4Compressor: a 4-byte little-endian uncompressed length
// (the same prefix in 1.2 through 5.0), then one raw LZ4 block.
type lz4Decompressor struct{}

func (lz4Decompressor) Name() string { return "lz4" }

func (lz4Decompressor) Decompress(dst, src []byte, uncompressedLen int) ([]byte, error) {
	if err := checkLen("lz4", uncompressedLen); err != nil {
		return dst[:0], err
	}
	if len(src) < 4 {
		return dst[:0], corruptf("lz4: payload of %d bytes is shorter than its 4-byte length prefix", len(src))
	}
	declared := binary.LittleEndian.Uint32(src)
	if uint64(declared) > uint64(uncompressedLen) {
		return dst[:0], corruptf("lz4: declared length %d exceeds expected length %d", declared, uncompressedLen)
	}
	n := int(declared)
	if n == 0 {
		return dst[:0], nil
	}
	out := grow(dst, n)
	got, err := lz4.UncompressBlock(src[4:], out)
	if err != nil {
		return dst[:0], corruptf("lz4: %v", err)
	}
	if got != n {
		return dst[:0], corruptf("lz4: decoded %d bytes, prefix declares %d", got, n)
	}
	return out, nil
}

// snappyDecompressor mirrors SnappyCompressor: Snappy.rawCompress output, the raw
// block format with its varint length preamble.
type snappyDecompressor struct{}

func (snappyDecompressor) Name() string { return "snappy" }

func (snappyDecompressor) Decompress(dst, src []byte, uncompressedLen int) ([]byte, error) {
	if err := checkLen("snappy", uncompressedLen); err != nil {
		return dst[:0], err
	}
	n, err := snappy.DecodedLen(src)
	if err != nil {
		return dst[:0], corruptf("snappy: %v", err)
	}
	if n > uncompressedLen {
		return dst[:0], corruptf("snappy: declared length %d exceeds expected length %d", n, uncompressedLen)
	}
	// snappy.Decode sizes its output by len(dst), so hand it the whole capacity.
	out := grow(dst, n)
	out, err = snappy.Decode(out[:cap(out)], src)
	if err != nil {
		return dst[:0], corruptf("snappy: %v", err)
	}
	return out, nil
}

// deflateDecompressor mirrors DeflateCompressor: java.util.zip.Deflater with its
// defaults, i.e. a zlib stream (RFC 1950), not raw deflate.
type deflateDecompressor struct{}

func (deflateDecompressor) Name() string { return "deflate" }

// inflater is one pooled zlib reader with the bytes.Reader it reads from
// (bytes.Reader is an io.ByteReader, so flate does not add a bufio layer).
type inflater struct {
	src bytes.Reader
	zr  io.ReadCloser
	one [1]byte // probes for the end of the stream
}

var inflaters sync.Pool

func (deflateDecompressor) Decompress(dst, src []byte, uncompressedLen int) ([]byte, error) {
	if err := checkLen("deflate", uncompressedLen); err != nil {
		return dst[:0], err
	}
	if len(src) == 0 {
		// Inflater.needsInput: Cassandra decodes an empty payload to nothing.
		return dst[:0], nil
	}
	inf, _ := inflaters.Get().(*inflater)
	if inf == nil {
		inf = new(inflater)
	}
	defer inflaters.Put(inf)
	inf.src.Reset(src)
	if inf.zr == nil {
		zr, err := zlib.NewReader(&inf.src)
		if err != nil {
			return dst[:0], corruptf("deflate: %v", err)
		}
		inf.zr = zr
	} else if err := inf.zr.(zlib.Resetter).Reset(&inf.src, nil); err != nil {
		return dst[:0], corruptf("deflate: %v", err)
	}
	out := grow(dst, uncompressedLen)
	n, err := io.ReadFull(inf.zr, out)
	switch {
	case err == io.EOF || err == io.ErrUnexpectedEOF:
		// The stream ended (and its Adler32 matched) before the ceiling.
		return out[:n], nil
	case err != nil:
		return dst[:0], corruptf("deflate: %v", err)
	}
	// Full: the stream must end here, which also verifies its Adler32 trailer.
	m, err := inf.zr.Read(inf.one[:])
	for m == 0 && err == nil {
		m, err = inf.zr.Read(inf.one[:])
	}
	if m > 0 {
		return dst[:0], corruptf("deflate: stream decodes to more than expected length %d", uncompressedLen)
	}
	if err != io.EOF {
		return dst[:0], corruptf("deflate: %v", err)
	}
	return out, nil
}

// zstdDecompressor mirrors ZstdCompressor (4.0+): zstd-jni Zstd.compress output,
// standard frames. One decoder serves every goroutine: DecodeAll is safe for
// concurrent use, and with WithDecodeAllCapLimit it never writes past cap(dst).
type zstdDecompressor struct{}

func (zstdDecompressor) Name() string { return "zstd" }

// MaxZstdChunk bounds what one zstd payload may decode to, whatever its frame
// header claims. It matches the largest chunk length package chunk accepts.
const MaxZstdChunk = 1 << 28

var zstdDecoder = sync.OnceValues(func() (*zstd.Decoder, error) {
	return zstd.NewReader(nil,
		zstd.WithDecoderConcurrency(0),
		zstd.WithDecoderMaxMemory(MaxZstdChunk),
		zstd.WithDecodeAllCapLimit(true))
})

func (zstdDecompressor) Decompress(dst, src []byte, uncompressedLen int) ([]byte, error) {
	if err := checkLen("zstd", uncompressedLen); err != nil {
		return dst[:0], err
	}
	if uncompressedLen > MaxZstdChunk {
		return dst[:0], corruptf("zstd: expected length %d exceeds limit %d", uncompressedLen, MaxZstdChunk)
	}
	d, err := zstdDecoder()
	if err != nil {
		return dst[:0], err
	}
	var out []byte
	if cap(dst) >= uncompressedLen {
		out = dst[:0:uncompressedLen]
	} else {
		out = make([]byte, 0, uncompressedLen)
	}
	out, err = d.DecodeAll(src, out)
	if err != nil {
		if errors.Is(err, zstd.ErrDecoderSizeExceeded) || errors.Is(err, zstd.ErrWindowSizeExceeded) {
			return dst[:0], corruptf("zstd: frame decodes to more than expected length %d", uncompressedLen)
		}
		return dst[:0], corruptf("zstd: %v", err)
	}
	return out, nil
}
