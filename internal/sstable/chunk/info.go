// Package chunk maps uncompressed Data.db positions to the chunks they are stored in,
// reads a chunk with one ReadAt, verifies its checksum and decompresses it into a
// buffer the caller owns. It is the only code that does I/O on Data.db and calls
// codecs (CompressedChunkReader, CompressionMetadata and ChecksumWriter in
// Cassandra; CompressedRandomAccessReader and DataIntegrityMetadata before 3.0).
//
// Compressed SSTables (CompressionInfo.db present), all integers big-endian:
//
//	CompressionInfo.db
//	+-----------------+---------+-----------------------+-----------+
//	| class  jutf     | n  i32  | n * (key jutf, value jutf)         |
//	+-----------------+---------+-----------------------+-----------+
//	| chunk_length i32 | [max_compressed_length i32, na+] | data_length i64 |
//	+------------------+----------------------------------+-----------------+
//	| chunk_count i32  | chunk_offsets i64 * chunk_count                    |
//	+------------------+----------------------------------------------------+
//
//	Data.db
//	 offsets[0]                 offsets[1]                 offsets[k]       EOF
//	 +-----------------+-------+-----------------+-------+ ... +---------+-------+
//	 | payload 0       | sum 0 | payload 1       | sum 1 |     | payl. k | sum k |
//	 +-----------------+-------+-----------------+-------+ ... +---------+-------+
//	                    4 bytes
//
// A payload decodes to chunk_length bytes (the last chunk: whatever remains of
// data_length). From na on, a payload at least max_compressed_length long is stored
// raw; the last one may be zero-padded up to max_compressed_length. The checksum:
//
//	version     algorithm  covers
//	ic, ja      CRC32      the uncompressed chunk
//	jb .. lb    Adler32    the payload as stored
//	ma ..       CRC32      the payload as stored (raw and padded, if stored raw)
//
// Uncompressed SSTables: Data.db is the plain bytes, and CRC.db (when present) holds
// one checksum per chunk_size slice, the last slice possibly short:
//
//	CRC.db  +----------------+--------------------------------------+
//	        | chunk_size i32 | checksum i32 * ceil(size/chunk_size) |
//	        +----------------+--------------------------------------+
//
// CRC32 before ka, Adler32 for ka..lb, CRC32 from ma on.
//
// Errors: every failure while reading a chunk is a *wire.FormatError whose Path is
// the Data.db path, whose Component is "Data.db" and whose Offset is the chunk's
// offset in the stored file (not an uncompressed position); its message names the
// chunk index, that offset, and what was expected and found. It wraps
// wire.ErrCorrupt. Verified against the corpus SSTables written by Cassandra 1.2 to
// 4.0 and ScyllaDB.
package chunk

import (
	"fmt"
	"math"
	"math/bits"

	"github.com/aegisthus/aegisthus/internal/sstable/format"
	"github.com/aegisthus/aegisthus/internal/sstable/wire"
)

// MaxChunkLength is the largest chunk length accepted, from CompressionInfo.db or
// CRC.db. Cassandra's default is 64 KiB (16 KiB from 4.0); anything above this is
// refused as unsupported rather than allocated.
const MaxChunkLength = 1 << 28

// Info is the content of CompressionInfo.db (CompressionMetadata).
type Info struct {
	Compressor string            // class name as stored, e.g. "LZ4Compressor"
	Options    map[string]string // compressor options (encoder-only for every known codec)
	// ChunkLength is the uncompressed size of every chunk but the last (a power of two).
	ChunkLength int
	// MaxCompressedLength is the payload length from which a chunk is stored raw
	// (na+). Before na it is math.MaxInt32: every chunk is compressed.
	MaxCompressedLength int
	DataLength          int64   // uncompressed length of Data.db
	Offsets             []int64 // stored offset of each chunk, strictly increasing
}

// NumChunks returns the number of chunks: ceil(DataLength / ChunkLength), or one
// more when the writer added an empty trailing chunk.
func (in *Info) NumChunks() int { return len(in.Offsets) }

// ParseCompressionInfo decodes CompressionInfo.db for version v. It checks that the
// chunk length is a power of two no larger than MaxChunkLength, that the chunk count
// matches the data length (allowing one empty trailing chunk, which Cassandra 3.0.x
// wrote), and that the offsets are non-negative and increase by at
// least the 4-byte checksum each; no allocation exceeds len(b). Errors wrap
// wire.ErrCorrupt (or wire.ErrUnsupported for a too-large chunk length) and name the
// offset in b; the caller adds the path (wire.Locate). The returned Info does not
// alias b.
func ParseCompressionInfo(b []byte, v format.Version) (*Info, error) {
	c := wire.NewCursor(b, 0)
	in := &Info{MaxCompressedLength: math.MaxInt32}
	in.Compressor = c.UTF()
	nopt := c.I32()
	if c.Err() == nil && (nopt < 0 || int64(nopt) > int64(c.Len()/4)) {
		c.Fail("option count %d: want 0..%d", nopt, c.Len()/4)
	}
	if c.Err() == nil && nopt > 0 {
		in.Options = make(map[string]string, nopt)
		for i := 0; i < int(nopt) && c.Err() == nil; i++ {
			k := c.UTF()
			in.Options[k] = c.UTF()
		}
	}
	chunkLen := c.I32()
	if v.HasMaxCompressedLength() {
		mcl := c.I32()
		if c.Err() == nil && mcl <= 0 {
			c.Fail("max compressed length %d: want > 0", mcl)
		}
		in.MaxCompressedLength = int(mcl)
	}
	in.DataLength = c.I64()
	count := c.I32()
	if err := c.Err(); err != nil {
		return nil, fmt.Errorf("compression info: %w", err)
	}
	switch {
	case chunkLen <= 0 || bits.OnesCount32(uint32(chunkLen)) != 1:
		return nil, fmt.Errorf("compression info: chunk length %d: want a power of two: %w", chunkLen, wire.ErrCorrupt)
	case chunkLen > MaxChunkLength:
		return nil, fmt.Errorf("compression info: chunk length %d exceeds limit %d: %w", chunkLen, MaxChunkLength, wire.ErrUnsupported)
	case in.DataLength < 0:
		return nil, fmt.Errorf("compression info: negative data length %d: %w", in.DataLength, wire.ErrCorrupt)
	}
	in.ChunkLength = int(chunkLen)
	// Some 3.0.x writers add one trailing chunk that decodes to nothing (see the
	// axonops ma and scylla/legacy mc/md fixtures), so allow one extra chunk.
	want := (in.DataLength + int64(chunkLen) - 1) / int64(chunkLen)
	if int64(count) != want && int64(count) != want+1 {
		return nil, fmt.Errorf("compression info: chunk count %d: data length %d in chunks of %d needs %d: %w",
			count, in.DataLength, chunkLen, want, wire.ErrCorrupt)
	}
	if int64(count)*8 > int64(c.Len()) {
		return nil, fmt.Errorf("compression info: %d chunk offsets need %d bytes, have %d: %w",
			count, int64(count)*8, c.Len(), wire.ErrCorrupt)
	}
	in.Offsets = make([]int64, count)
	for i := range in.Offsets {
		at := c.FileOffset()
		off := c.I64()
		if off < 0 || (i > 0 && off-in.Offsets[i-1] < 4) {
			prev := int64(-1)
			if i > 0 {
				prev = in.Offsets[i-1]
			}
			return nil, fmt.Errorf("compression info: at offset %d: chunk %d offset %d after %d: want increasing by at least 4: %w",
				at, i, off, prev, wire.ErrCorrupt)
		}
		in.Offsets[i] = off
	}
	if c.Len() != 0 {
		return nil, fmt.Errorf("compression info: %d trailing bytes after %d chunk offsets: %w", c.Len(), count, wire.ErrCorrupt)
	}
	return in, nil
}
