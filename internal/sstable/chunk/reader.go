package chunk

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/adler32"
	"hash/crc32"
	"io"
	"path/filepath"
	"strings"

	"github.com/aegisthus/aegisthus/internal/compress"
	"github.com/aegisthus/aegisthus/internal/sstable/format"
	"github.com/aegisthus/aegisthus/internal/sstable/wire"
)

// defaultUncompressedChunk is the chunk size used for an uncompressed Data.db that
// has no CRC.db (SequentialWriter's default buffer size).
const defaultUncompressedChunk = 64 << 10

// Buf is caller-owned scratch space for a chunk's stored bytes. The zero value is
// ready to use. A Buf must not be used by two goroutines at once; give each worker
// its own.
//
// When chunks are read in order, Buf reads ahead: one ReadAt fetches a window of
// following chunks (doubling up to Ahead), so a scan of 16 KiB chunks makes a
// system call per ~100 KiB rather than per chunk.
type Buf struct {
	// Ahead bounds the window: 0 means DefaultReadAhead; a value below a
	// chunk's stored size turns read-ahead off. A merge of many SSTables
	// shares a budget among its inputs this way.
	Ahead int

	b     []byte
	r     *Reader // whose stored bytes b holds
	off   int64   // b[:n] holds the stored bytes at [off, off+n)
	n     int
	next  int64 // where the last chunk read ended: a read there is sequential
	ahead int   // current read-ahead size
}

// DefaultReadAhead is a Buf's window unless its Ahead says otherwise: 8 LZ4
// chunks of 16 KiB, which takes system calls out of the profile.
const DefaultReadAhead = 128 << 10

// stored returns the n stored bytes of chunk i at off, from buf's window when
// it holds them, else read with one ReadAt (and a read-ahead when sequential).
func (r *Reader) stored(i int, off, n int64, buf *Buf) ([]byte, error) {
	if buf.r == r && off >= buf.off && off+n <= buf.off+int64(buf.n) {
		buf.next = off + n
		return buf.b[off-buf.off : off-buf.off+n], nil
	}
	limit := buf.Ahead
	if limit == 0 {
		limit = DefaultReadAhead
	}
	size := n
	if buf.r == r && off == buf.next && int64(limit) > n {
		buf.ahead = min(max(2*buf.ahead, 2*int(n)), limit)
		size = max(n, min(int64(buf.ahead), r.size-off))
	} else {
		buf.ahead = 0
	}
	if int64(cap(buf.b)) < size {
		buf.b = make([]byte, size)
	}
	buf.r, buf.n = nil, 0
	m, err := r.data.ReadAt(buf.b[:size], off)
	if int64(m) < n {
		return nil, r.readError(i, off, int(n), m, err)
	}
	buf.r, buf.off, buf.n, buf.next = r, off, m, off+n
	return buf.b[:n], nil
}

// Reader reads the chunks of one Data.db. It is safe for concurrent use: it holds no
// position, and every call brings its own buffers.
type Reader struct {
	path     string
	data     io.ReaderAt
	size     int64 // stored size of Data.db
	length   int64 // uncompressed size of Data.db
	chunkLen int
	n        int

	// Compressed only.
	info           *Info
	dec            compress.Decompressor
	maxCompressed  int  // payloads at least this long are stored raw (na+)
	overCompressed bool // checksum covers the payload (jb+) rather than the uncompressed bytes

	alg  format.Checksum
	sums []byte // uncompressed only: CRC.db checksums, 4 bytes each; nil = unchecked
	crc  []byte // uncompressed only: every checksum CRC.db holds, checked or not
	note string // why chunks are not checked, or ""
	// unaligned: CRC.db holds more checksums than chunk_size slices need,
	// not all of empty buffers (CheckUnaligned).
	unaligned bool
}

// maxPayload bounds a chunk's stored payload: the worst-case expansion of every
// supported codec (snappy's 32 + n + n/6 is the largest) stays under it, and a raw
// chunk is at most max(chunk length, max compressed length) <= chunk length.
func maxPayload(chunkLen int) int64 { return int64(chunkLen) + int64(chunkLen)/4 + 64 }

// NewCompressed returns a Reader over a compressed Data.db of dataSize stored bytes,
// described by info (from ParseCompressionInfo with the same version v). It checks
// that every chunk lies inside the file and that its payload is no longer than any
// codec could produce, and resolves the compressor class (an unknown class wraps
// wire.ErrUnsupported).
func NewCompressed(path string, data io.ReaderAt, dataSize int64, info *Info, v format.Version) (*Reader, error) {
	dec, err := compress.ForClass(info.Compressor, info.Options)
	if err != nil {
		return nil, wire.Locate(path, format.CompressionInfo, -1, err)
	}
	if info.ChunkLength <= 0 || info.ChunkLength > MaxChunkLength || info.ChunkLength&(info.ChunkLength-1) != 0 {
		return nil, wire.Errorf(path, format.CompressionInfo, -1, wire.ErrCorrupt, "chunk length %d: want a power of two up to %d", info.ChunkLength, MaxChunkLength)
	}
	n := len(info.Offsets)
	if want := (info.DataLength + int64(info.ChunkLength) - 1) / int64(info.ChunkLength); info.DataLength < 0 || (int64(n) != want && int64(n) != want+1) {
		return nil, wire.Errorf(path, format.CompressionInfo, -1, wire.ErrCorrupt, "%d chunks for data length %d in chunks of %d", n, info.DataLength, info.ChunkLength)
	}
	r := &Reader{
		path: path, data: data, size: dataSize, length: info.DataLength,
		chunkLen: info.ChunkLength, n: n,
		info: info, dec: dec, maxCompressed: info.MaxCompressedLength,
	}
	if r.maxCompressed <= 0 {
		return nil, wire.Errorf(path, format.CompressionInfo, -1, wire.ErrCorrupt, "max compressed length %d: want > 0", r.maxCompressed)
	}
	r.alg, r.overCompressed = v.CompressedChecksum()
	limit := maxPayload(r.chunkLen)
	for i, off := range info.Offsets {
		end := dataSize
		if i+1 < n {
			end = info.Offsets[i+1]
		}
		switch {
		case off < 0 || end > dataSize || end-off < 4:
			return nil, r.corrupt(i, off, "chunk of %d bytes ending at %d does not fit a 4-byte checksum inside the %d-byte file", end-off, end, dataSize)
		case end-off-4 > limit:
			return nil, r.corrupt(i, off, "payload of %d bytes exceeds the %d-byte limit for %d-byte chunks", end-off-4, limit, r.chunkLen)
		}
	}
	if want := (info.DataLength + int64(info.ChunkLength) - 1) / int64(info.ChunkLength); int64(n) == want+1 {
		// One chunk more than the data length needs: the empty trailing chunk a
		// 3.0.x writer added, or a data length that is too small (CompressionInfo.db
		// has no checksum; a length of 0 would read as an empty SSTable). Only the
		// former decodes to nothing.
		if _, err := r.Chunk(n-1, nil, nil); err != nil {
			return nil, wire.Errorf(sibling(path, format.CompressionInfo), format.CompressionInfo, -1, wire.ErrCorrupt,
				"data length %d in chunks of %d needs %d chunks, the chunk table has %d, and the last one is not the empty trailing chunk: %v",
				info.DataLength, info.ChunkLength, want, n, err)
		}
	}
	return r, nil
}

// NewUncompressed returns a Reader over an uncompressed Data.db of dataSize bytes.
// crc is the content of CRC.db; nil means no checksums, in 64 KiB chunks.
func NewUncompressed(path string, data io.ReaderAt, dataSize int64, crc []byte, v format.Version) (*Reader, error) {
	if dataSize < 0 {
		return nil, wire.Errorf(path, format.Data, -1, wire.ErrCorrupt, "negative size %d", dataSize)
	}
	r := &Reader{path: path, data: data, size: dataSize, length: dataSize, chunkLen: defaultUncompressedChunk,
		alg: v.UncompressedChecksum()}
	if crc != nil {
		crcPath := sibling(path, format.CRC)
		if len(crc) < 4 {
			return nil, wire.Errorf(crcPath, format.CRC, 0, wire.ErrCorrupt, "%d bytes: want at least a 4-byte chunk size", len(crc))
		}
		cs := int32(binary.BigEndian.Uint32(crc))
		if cs <= 0 {
			return nil, wire.Errorf(crcPath, format.CRC, 0, wire.ErrCorrupt, "chunk size %d: want > 0", cs)
		}
		if cs > MaxChunkLength {
			return nil, wire.Errorf(crcPath, format.CRC, 0, wire.ErrUnsupported, "chunk size %d exceeds limit %d", cs, MaxChunkLength)
		}
		// Writers checksum whole buffers, and buffers are powers of two. Checked
		// here because a Data.db that fits in one chunk checks out under any
		// chunk size at least its length.
		if cs&(cs-1) != 0 {
			return nil, wire.Errorf(crcPath, format.CRC, 0, wire.ErrCorrupt, "chunk size %d: want a power of two", cs)
		}
		r.chunkLen = int(cs)
		n := (dataSize + int64(cs) - 1) / int64(cs)
		have := int64(len(crc)-4) / 4
		if have < n || len(crc)%4 != 0 {
			return nil, wire.Errorf(crcPath, format.CRC, 4, wire.ErrCorrupt, "%d bytes of checksums: a %d-byte Data.db in chunks of %d needs %d checksums (%d bytes)",
				len(crc)-4, dataSize, cs, n, n*4)
		}
		r.sums = crc[4 : 4+4*n]
		r.crc = crc[4:]
		// Extra checksums: a writer that flushed before its buffer was full. Trailing
		// checksums of empty buffers are harmless; anything else means the chunks
		// are not chunk_size-aligned and cannot be checked one by one.
		empty := r.checksum(nil)
		for i := n; i < have; i++ {
			if binary.BigEndian.Uint32(crc[4+4*i:]) != empty {
				r.sums = nil
				r.note = fmt.Sprintf("%s holds %d checksums where a %d-byte Data.db in chunks of %d needs %d: the writer flushed partial buffers, so chunks are not checked",
					format.CRC, have, dataSize, cs, n)
				r.unaligned = true
				break
			}
		}
	} else {
		r.note = "no " + format.CRC + ": chunks are not checked"
	}
	r.n = int((dataSize + int64(r.chunkLen) - 1) / int64(r.chunkLen))
	return r, nil
}

// StoredChecksum returns the checksum stored for chunk i as written: the 4-byte
// trailer of a compressed chunk (read from Data.db), or the chunk's entry in
// CRC.db, even when the reader does not check them (see Unchecked). ok is false
// when there is none or it cannot be read. It is for tools that show the chunk
// table; reading chunks checks the sums itself.
func (r *Reader) StoredChecksum(i int) (sum uint32, ok bool) {
	if i < 0 || i >= r.n {
		return 0, false
	}
	if r.info == nil {
		if len(r.crc) < 4*i+4 {
			return 0, false
		}
		return binary.BigEndian.Uint32(r.crc[4*i:]), true
	}
	off, n := r.Span(i)
	var word [4]byte
	if n < 4 {
		return 0, false
	}
	if _, err := r.data.ReadAt(word[:], off+n-4); err != nil {
		return 0, false
	}
	return binary.BigEndian.Uint32(word[:]), true
}

// sibling returns the path of component c next to the Data.db at path.
func sibling(path, c string) string {
	dir, base := filepath.Split(path)
	if s, ok := strings.CutSuffix(base, format.Data); ok {
		return dir + s + c
	}
	return path
}

// Length returns the uncompressed length of Data.db.
func (r *Reader) Length() int64 { return r.length }

// ChunkLength returns the uncompressed size of every chunk but the last.
func (r *Reader) ChunkLength() int { return r.chunkLen }

// NumChunks returns the number of chunks. For a compressed Data.db it may exceed
// ceil(Length/ChunkLength) by one empty trailing chunk (Cassandra 3.0.x wrote one);
// Chunk still verifies that chunk and returns no bytes for it.
func (r *Reader) NumChunks() int { return r.n }

// Compressed reports whether Data.db is compressed.
func (r *Reader) Compressed() bool { return r.info != nil }

// Info returns the CompressionInfo.db content, or nil for an uncompressed Data.db.
// The caller must not modify it.
func (r *Reader) Info() *Info { return r.info }

// Unchecked says why chunks are read without a checksum check (an uncompressed
// Data.db with no CRC.db, or whose CRC.db does not follow chunk_size boundaries),
// or returns "" when Chunk verifies every chunk.
func (r *Reader) Unchecked() string { return r.note }

// Unaligned reports whether CRC.db holds more checksums than Data.db's
// chunk_size slices need, not all of them those of empty buffers: reads then
// go unchecked, and CheckUnaligned checks them.
func (r *Reader) Unaligned() bool { return r.unaligned }

// CheckUnaligned checks a CRC.db whose checksums do not follow chunk_size
// slices (Unchecked says so; some writers, ScyllaDB's among them, checksum
// each partial buffer they flush): Data.db must split, in order, into pieces
// of at most chunk_size bytes, each with the next checksum, the last piece
// ending the file and any checksums left over being those of empty buffers.
// The pieces are found greedily, one byte at a time (a false match needs a
// 32-bit checksum collision). It returns nil for a CRC.db that follows
// chunk_size slices (VerifyAll checks those), else a *wire.FormatError naming
// CRC.db and wrapping wire.ErrCorrupt, an I/O error, or ctx.Err().
func (r *Reader) CheckUnaligned(ctx context.Context) error {
	if !r.unaligned {
		return nil
	}
	crcPath := sibling(r.path, format.CRC)
	have := len(r.crc) / 4
	empty := r.checksum(nil)
	buf := make([]byte, 0, 64<<10)
	var bufOff int64
	pos := int64(0)
	for i := 0; i < have; i++ {
		want := binary.BigEndian.Uint32(r.crc[4*i:])
		if pos == r.size {
			if want != empty {
				return wire.Errorf(crcPath, format.CRC, 4+4*int64(i), wire.ErrCorrupt,
					"checksum %d (0x%08x) after the end of the %d-byte Data.db: want that of an empty buffer", i, want, r.size)
			}
			continue
		}
		if i%64 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		var sum uint32
		if r.alg == format.Adler32 {
			sum = 1
		}
		found := false
		for n := int64(1); n <= int64(r.chunkLen) && pos < r.size; n++ {
			if pos >= bufOff+int64(len(buf)) {
				bufOff = pos
				buf = buf[:min(int64(cap(buf)), r.size-pos)]
				if m, err := r.data.ReadAt(buf, pos); m < len(buf) {
					return r.readError(-1, pos, len(buf), m, err)
				}
			}
			b := buf[pos-bufOff : pos-bufOff+1]
			if r.alg == format.Adler32 {
				sum = adler32Update(sum, b[0])
			} else {
				sum = crc32.Update(sum, crc32.IEEETable, b)
			}
			pos++
			if sum == want {
				found = true
				break
			}
		}
		if !found {
			return wire.Errorf(crcPath, format.CRC, 4+4*int64(i), wire.ErrCorrupt,
				"%d checksums that do not follow %d-byte chunks: checksum %d (0x%08x) matches no piece of Data.db of at most %d bytes from offset %d",
				have, r.chunkLen, i, want, r.chunkLen, pos)
		}
	}
	if pos != r.size {
		return wire.Errorf(crcPath, format.CRC, 4, wire.ErrCorrupt,
			"%d checksums that do not follow %d-byte chunks cover %d bytes of the %d-byte Data.db", have, r.chunkLen, pos, r.size)
	}
	return nil
}

// adler32Update adds one byte to an Adler-32 checksum.
func adler32Update(sum uint32, c byte) uint32 {
	const mod = 65521
	a, b := sum&0xffff, sum>>16
	a = (a + uint32(c)) % mod
	b = (b + a) % mod
	return b<<16 | a
}

// Path returns the Data.db path errors name.
func (r *Reader) Path() string { return r.path }

// ChunkIndex returns the index of the chunk holding uncompressed position pos. The
// result is NumChunks() for pos == Length(), and out of [0, NumChunks()) for any
// position outside the data; callers check it.
func (r *Reader) ChunkIndex(pos int64) int {
	if pos < 0 {
		return -1
	}
	return int(pos / int64(r.chunkLen))
}

// ChunkStart returns the uncompressed position of chunk i's first byte.
func (r *Reader) ChunkStart(i int) int64 { return int64(i) * int64(r.chunkLen) }

// ChunkLen returns the uncompressed length of chunk i: ChunkLength, except for the
// last chunk, and 0 for the empty trailing chunk some 3.0.x writers added.
func (r *Reader) ChunkLen(i int) int {
	return int(max(0, min(int64(r.chunkLen), r.length-int64(i)*int64(r.chunkLen))))
}

// Span returns where chunk i is stored in Data.db: its offset and length, payload and
// checksum included for a compressed file. It panics if i is out of range.
func (r *Reader) Span(i int) (off int64, n int64) {
	if i < 0 || i >= r.n {
		panic(fmt.Sprintf("chunk: Span(%d) out of range [0,%d)", i, r.n))
	}
	if r.info == nil {
		off = int64(i) * int64(r.chunkLen)
		return off, min(int64(r.chunkLen), r.size-off)
	}
	off = r.info.Offsets[i]
	end := r.size
	if i+1 < r.n {
		end = r.info.Offsets[i+1]
	}
	return off, end - off
}

func (r *Reader) corrupt(i int, off int64, msg string, args ...any) error {
	return wire.Errorf(r.path, format.Data, off, wire.ErrCorrupt, "chunk %d at offset %d: %s", i, off, fmt.Sprintf(msg, args...))
}

func (r *Reader) checksum(b []byte) uint32 {
	if r.alg == format.Adler32 {
		return adler32.Checksum(b)
	}
	return crc32.ChecksumIEEE(b)
}

// Chunk reads chunk i, verifies its checksum and returns its uncompressed bytes in
// dst[:0], grown if needed. buf is scratch for the stored bytes of a compressed
// chunk (it may be nil for an uncompressed Data.db). The result aliases dst (or a
// replacement allocated when dst was too small) and is the caller's; the Reader
// keeps no reference to dst or buf. Errors are *wire.FormatError wrapping
// wire.ErrCorrupt, naming the chunk and its stored offset; an i out of range is a
// plain error.
func (r *Reader) Chunk(i int, dst []byte, buf *Buf) ([]byte, error) {
	if i < 0 || i >= r.n {
		return dst[:0], fmt.Errorf("%s: chunk %d out of range [0,%d)", r.path, i, r.n)
	}
	off, n := r.Span(i)
	want := r.ChunkLen(i)
	if r.info == nil {
		return r.plainChunk(i, off, int(n), dst)
	}
	if buf == nil {
		buf = new(Buf)
	}
	stored, err := r.stored(i, off, n, buf)
	if err != nil {
		return dst[:0], err
	}
	payload := stored[:n-4]
	sum := binary.BigEndian.Uint32(stored[n-4:])
	if r.overCompressed {
		if got := r.checksum(payload); got != sum {
			return dst[:0], r.corrupt(i, off, "checksum mismatch: want 0x%08x, got 0x%08x", sum, got)
		}
	}
	var out []byte
	if len(payload) >= r.maxCompressed {
		// Stored raw (na+): the uncompressed bytes, zero-padded at the end of the file.
		if len(payload) < want {
			return dst[:0], r.corrupt(i, off, "raw chunk of %d bytes is shorter than its %d uncompressed bytes", len(payload), want)
		}
		// Cassandra pads only with zeros (CompressedSequentialWriter): anything
		// else past want means the data length cut the chunk short.
		for k, c := range payload[want:] {
			if c != 0 {
				return dst[:0], r.corrupt(i, off, "raw chunk of %d bytes holds data at %d, past the %d bytes the data length %d leaves it (%s)",
					len(payload), want+k, want, r.length, format.CompressionInfo)
			}
		}
		out = append(dst[:0], payload[:want]...)
	} else {
		var err error
		out, err = r.dec.Decompress(dst, payload, want)
		if err != nil {
			// err already wraps wire.ErrCorrupt; keep it as the cause.
			return dst[:0], &wire.FormatError{Path: r.path, Component: format.Data, Offset: off,
				Err: fmt.Errorf("%s: chunk %d at offset %d: %d-byte payload: %w", format.Data, i, off, len(payload), err)}
		}
		if len(out) != want {
			return out[:0], r.corrupt(i, off, "decompressed to %d bytes, want %d", len(out), want)
		}
	}
	if !r.overCompressed {
		if got := r.checksum(out); got != sum {
			return out[:0], r.corrupt(i, off, "checksum of uncompressed bytes mismatch: want 0x%08x, got 0x%08x", sum, got)
		}
	}
	return out, nil
}

func (r *Reader) plainChunk(i int, off int64, n int, dst []byte) ([]byte, error) {
	out := dst[:0]
	if cap(out) < n {
		out = make([]byte, 0, n)
	}
	out = out[:n]
	if m, err := r.data.ReadAt(out, off); m < n {
		return out[:0], r.readError(i, off, n, m, err)
	}
	if r.sums != nil {
		sum := binary.BigEndian.Uint32(r.sums[4*i:])
		if got := r.checksum(out); got != sum {
			return out[:0], r.corrupt(i, off, "checksum mismatch: want 0x%08x, got 0x%08x (CRC.db)", sum, got)
		}
	}
	return out, nil
}

func (r *Reader) readError(i int, off int64, want, got int, err error) error {
	if err == nil || errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF) {
		return r.corrupt(i, off, "short read: want %d bytes, got %d", want, got)
	}
	// An I/O failure is not corruption: keep the cause, add the location.
	return &wire.FormatError{Path: r.path, Component: format.Data, Offset: off,
		Err: fmt.Errorf("chunk %d at offset %d: read %d bytes: %w", i, off, want, err)}
}

// VerifyAll reads and checks every chunk in order, calling fn for each one that
// fails (with a *wire.FormatError wrapping wire.ErrCorrupt, or an I/O error), so a
// verify command can list every bad chunk rather than the first. It returns the
// number of bad chunks, and ctx.Err() if ctx was cancelled before the end. fn may be
// nil. Chunks are independent, so callers wanting parallelism can instead split
// [0, NumChunks()) between workers that call Chunk with their own buffers.
func (r *Reader) VerifyAll(ctx context.Context, fn func(i int, err error)) (bad int, err error) {
	var dst []byte
	var buf Buf
	for i := 0; i < r.n; i++ {
		if i%64 == 0 {
			if err := ctx.Err(); err != nil {
				return bad, err
			}
		}
		var cerr error
		dst, cerr = r.Chunk(i, dst, &buf)
		if cerr != nil {
			bad++
			if fn != nil {
				fn(i, cerr)
			}
		}
	}
	return bad, nil
}
