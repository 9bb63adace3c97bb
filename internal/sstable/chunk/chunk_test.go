package chunk

import (
	"bytes"
	"compress/zlib"
	"context"
	"crypto/sha1"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/adler32"
	"hash/crc32"
	"io"
	"math"
	"math/rand/v2"
	"os"
	"strconv"
	"strings"
	"testing"

	"github.com/golang/snappy"
	"github.com/klauspost/compress/zstd"
	"github.com/pierrec/lz4/v4"

	"github.com/aegisthus/aegisthus/internal/sstable/format"
	"github.com/aegisthus/aegisthus/internal/sstable/wire"
)

// rowLike returns n bytes of partition/row-shaped data from a fixed seed.
func rowLike(n int, seed uint64) []byte {
	rng := rand.New(rand.NewPCG(seed, 7))
	words := []string{"alpha", "bravo", "charlie", "delta", "echo", "user", "order", "status", "active", "pending"}
	b := make([]byte, 0, n+256)
	for pk := 0; len(b) < n; pk++ {
		b = binary.BigEndian.AppendUint16(b, 12)
		b = fmt.Appendf(b, "user:%07d", pk)
		b = append(b, 0x7f, 0xff, 0xff, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 0)
		for row := 0; row < 1+rng.IntN(8) && len(b) < n; row++ {
			b = append(b, 0x24)
			b = binary.AppendUvarint(b, uint64(rng.IntN(1<<20)))
			w := words[row%len(words)]
			b = append(b, byte(len(w)))
			b = append(b, w...)
			b = binary.BigEndian.AppendUint64(b, rng.Uint64()&0xffff)
			b = binary.BigEndian.AppendUint64(b, rng.Uint64())
			b = binary.BigEndian.AppendUint64(b, 0x8000000000000000|rng.Uint64()>>48)
			w = words[rng.IntN(len(words))]
			b = append(b, byte(len(w)+10))
			b = fmt.Appendf(b, "%s-%09d", w, rng.IntN(1e9))
		}
		b = append(b, 0x01)
	}
	return b[:n]
}

// encoders give each codec's chunk payload in Cassandra's framing.
var encoders = map[string]func(src []byte) []byte{
	"LZ4Compressor": func(src []byte) []byte {
		dst := make([]byte, 4+lz4.CompressBlockBound(len(src)))
		binary.LittleEndian.PutUint32(dst, uint32(len(src)))
		var c lz4.Compressor
		n, _ := c.CompressBlock(src, dst[4:])
		if len(src) == 0 {
			n = 1 // one empty token
		}
		return dst[:4+n]
	},
	"SnappyCompressor": func(src []byte) []byte { return snappy.Encode(nil, src) },
	"DeflateCompressor": func(src []byte) []byte {
		var b bytes.Buffer
		w := zlib.NewWriter(&b)
		w.Write(src)
		w.Close()
		return b.Bytes()
	},
	"ZstdCompressor": func(src []byte) []byte { return zstdEnc.EncodeAll(src, nil) },
	"NoopCompressor": func(src []byte) []byte { return bytes.Clone(src) },
}

var zstdEnc, _ = zstd.NewWriter(nil, zstd.WithEncoderCRC(true))

var classes = []string{"LZ4Compressor", "SnappyCompressor", "DeflateCompressor", "ZstdCompressor", "NoopCompressor"}

// table is a compressed SSTable built in memory the way CompressedSequentialWriter
// (and its 1.2/2.0 predecessors) writes it.
type table struct {
	data, info []byte
	v          format.Version
}

// buildCompressed compresses plain in chunks of chunkLen with class, for version v.
// maxCompressed < chunkLen enables na+ raw chunks; emptyTail adds the empty chunk
// some 3.0.x writers appended.
func buildCompressed(tb testing.TB, plain []byte, chunkLen int, class string, v format.Version, maxCompressed int, emptyTail bool) table {
	tb.Helper()
	alg, overCompressed := v.CompressedChecksum()
	sum := func(b []byte) uint32 {
		if alg == format.Adler32 {
			return adler32.Checksum(b)
		}
		return crc32.ChecksumIEEE(b)
	}
	var data []byte
	var offsets []int64
	emit := func(raw []byte) {
		offsets = append(offsets, int64(len(data)))
		payload := encoders[class](raw)
		if v.HasMaxCompressedLength() && len(payload) >= maxCompressed {
			payload = bytes.Clone(raw)
			if len(payload) < maxCompressed {
				payload = append(payload, make([]byte, maxCompressed-len(payload))...)
			}
		}
		data = append(data, payload...)
		if overCompressed {
			data = binary.BigEndian.AppendUint32(data, sum(payload))
		} else {
			data = binary.BigEndian.AppendUint32(data, sum(raw))
		}
	}
	for off := 0; off < len(plain); off += chunkLen {
		emit(plain[off:min(off+chunkLen, len(plain))])
	}
	if emptyTail {
		emit(nil)
	}
	var ci []byte
	ci = binary.BigEndian.AppendUint16(ci, uint16(len(class)))
	ci = append(ci, class...)
	ci = binary.BigEndian.AppendUint32(ci, 1)
	for _, s := range []string{"compression_level", "3"} {
		ci = binary.BigEndian.AppendUint16(ci, uint16(len(s)))
		ci = append(ci, s...)
	}
	ci = binary.BigEndian.AppendUint32(ci, uint32(chunkLen))
	if v.HasMaxCompressedLength() {
		ci = binary.BigEndian.AppendUint32(ci, uint32(maxCompressed))
	}
	ci = binary.BigEndian.AppendUint64(ci, uint64(len(plain)))
	ci = binary.BigEndian.AppendUint32(ci, uint32(len(offsets)))
	for _, o := range offsets {
		ci = binary.BigEndian.AppendUint64(ci, uint64(o))
	}
	return table{data: data, info: ci, v: v}
}

func (tt table) open(tb testing.TB) (*Reader, error) {
	tb.Helper()
	info, err := ParseCompressionInfo(tt.info, tt.v)
	if err != nil {
		return nil, err
	}
	return NewCompressed("/x/"+tt.v.S+"-1-big-Data.db", bytes.NewReader(tt.data), int64(len(tt.data)), info, tt.v)
}

// readAll concatenates every chunk.
func readAll(r *Reader) ([]byte, error) {
	var out, dst []byte
	var buf Buf
	for i := 0; i < r.NumChunks(); i++ {
		var err error
		dst, err = r.Chunk(i, dst, &buf)
		if err != nil {
			return out, err
		}
		out = append(out, dst...)
	}
	return out, nil
}

func ver(s string) format.Version { return format.Version{S: s} }

// TestCompressedRoundTrip covers every codec under each checksum convention:
// ic (CRC32 of uncompressed), jb/ka/lb (Adler32 of payload), ma/me (CRC32 of
// payload), na/nb/oa (raw chunks with padding), and BTI da.
func TestCompressedRoundTrip(t *testing.T) {
	versions := []format.Version{ver("ic"), ver("ja"), ver("jb"), ver("ka"), ver("lb"), ver("ma"), ver("me"), ver("na"), ver("nb"), ver("oa"), {S: "da", Kind: format.BTI}}
	for _, class := range classes {
		for _, v := range versions {
			for _, n := range []int{0, 1, 4096, 3*4096 + 17} {
				t.Run(fmt.Sprintf("%s/%s/n=%d", class, v, n), func(t *testing.T) {
					plain := rowLike(n, uint64(n))
					// Half random so that with na+ some chunks are stored raw.
					rand.NewChaCha8([32]byte{9}).Read(plain[n/2:])
					maxC := math.MaxInt32
					if v.HasMaxCompressedLength() {
						maxC = 3500 // 4096 / 1.17: raw unless compression saves ~15%
					}
					tt := buildCompressed(t, plain, 4096, class, v, maxC, false)
					r, err := tt.open(t)
					if err != nil {
						t.Fatal(err)
					}
					got, err := readAll(r)
					if err != nil {
						t.Fatal(err)
					}
					if !bytes.Equal(got, plain) {
						t.Fatalf("got %d bytes, want %d", len(got), len(plain))
					}
					if r.Length() != int64(n) || r.NumChunks() != (n+4095)/4096 || !r.Compressed() || r.Info() == nil {
						t.Fatalf("length %d chunks %d", r.Length(), r.NumChunks())
					}
					if bad, err := r.VerifyAll(context.Background(), nil); bad != 0 || err != nil {
						t.Fatalf("VerifyAll: %d bad, %v", bad, err)
					}
				})
			}
		}
	}
}

// TestEmptyTailChunk: the extra empty chunk of some 3.0.x writers reads as nothing.
func TestEmptyTailChunk(t *testing.T) {
	plain := rowLike(5000, 1)
	tt := buildCompressed(t, plain, 4096, "LZ4Compressor", ver("ma"), 0, true)
	r, err := tt.open(t)
	if err != nil {
		t.Fatal(err)
	}
	if r.NumChunks() != 3 || r.ChunkLen(2) != 0 {
		t.Fatalf("chunks %d, last length %d", r.NumChunks(), r.ChunkLen(2))
	}
	got, err := readAll(r)
	if err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("read: %v", err)
	}
}

// TestRawChunkPadding: a final chunk stored raw is padded to max_compressed_length,
// and only its real bytes come back.
func TestRawChunkPadding(t *testing.T) {
	// A 2040-byte random tail compresses to more than 2048 bytes, so it is stored
	// raw, and padded because it is itself shorter than 2048.
	plain := make([]byte, 4096+2040)
	rand.NewChaCha8([32]byte{3}).Read(plain)
	tt := buildCompressed(t, plain, 4096, "LZ4Compressor", ver("nb"), 2048, false)
	r, err := tt.open(t)
	if err != nil {
		t.Fatal(err)
	}
	if _, n := r.Span(1); n != 2048+4 {
		t.Fatalf("last chunk stored in %d bytes, want 2048 + 4", n)
	}
	got, err := readAll(r)
	if err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("read: %v", err)
	}
}

// flipReaderAt serves data with one byte changed, without copying the rest.
type flipReaderAt struct {
	data []byte
	at   int64
}

func (f flipReaderAt) ReadAt(p []byte, off int64) (int, error) {
	if off >= int64(len(f.data)) {
		return 0, errors.New("eof")
	}
	n := copy(p, f.data[off:])
	if f.at >= off && f.at < off+int64(n) {
		p[f.at-off] ^= 0x5a
	}
	if n < len(p) {
		return n, errors.New("eof")
	}
	return n, nil
}

// TestCorruptionSweep flips one byte in every chunk (payload and checksum) of a
// valid file for each checksum convention, and expects ErrCorrupt naming the
// chunk's offset.
func TestCorruptionSweep(t *testing.T) {
	cases := []struct {
		class string
		v     string
	}{
		{"LZ4Compressor", "ic"}, {"SnappyCompressor", "jb"}, {"DeflateCompressor", "ka"},
		{"LZ4Compressor", "me"}, {"ZstdCompressor", "nb"}, {"NoopCompressor", "oa"}, {"SnappyCompressor", "na"},
	}
	for _, c := range cases {
		t.Run(c.class+"/"+c.v, func(t *testing.T) {
			plain := rowLike(10*4096+123, 5)
			tt := buildCompressed(t, plain, 4096, c.class, ver(c.v), 3000, false)
			info, err := ParseCompressionInfo(tt.info, tt.v)
			if err != nil {
				t.Fatal(err)
			}
			clean, err := NewCompressed("/x/Data.db", bytes.NewReader(tt.data), int64(len(tt.data)), info, tt.v)
			if err != nil {
				t.Fatal(err)
			}
			var dst []byte
			var buf Buf
			for i := 0; i < clean.NumChunks(); i++ {
				off, n := clean.Span(i)
				// First payload byte, a middle byte, and the checksum's last byte.
				for _, at := range []int64{off, off + n/2, off + n - 1} {
					r, _ := NewCompressed("/x/Data.db", flipReaderAt{tt.data, at}, int64(len(tt.data)), info, tt.v)
					_, err := r.Chunk(i, dst, &buf)
					if err == nil {
						t.Fatalf("chunk %d: flipped byte at %d went unnoticed", i, at)
					}
					checkChunkErr(t, err, "/x/Data.db")
					if want := fmt.Sprintf("chunk %d at offset %d:", i, off); !strings.Contains(err.Error(), want) {
						t.Fatalf("%q does not contain %q", err, want)
					}
					// Neighbouring chunks are unaffected.
					if i > 0 {
						if _, err := r.Chunk(i-1, dst, &buf); err != nil {
							t.Fatalf("chunk %d after flipping chunk %d: %v", i-1, i, err)
						}
					}
				}
			}
		})
	}
}

func TestChecksumMessage(t *testing.T) {
	plain := rowLike(3*4096, 5)
	tt := buildCompressed(t, plain, 4096, "LZ4Compressor", ver("me"), 0, false)
	r, err := tt.open(t)
	if err != nil {
		t.Fatal(err)
	}
	off, n := r.Span(2)
	binary.BigEndian.PutUint32(tt.data[off+n-4:], 0)
	_, err = r.Chunk(2, nil, nil)
	want := fmt.Sprintf("chunk 2 at offset %d: checksum mismatch: want 0x00000000, got 0x%08x", off, crc32.ChecksumIEEE(tt.data[off:off+n-4]))
	if err == nil || !strings.Contains(err.Error(), want) {
		t.Fatalf("got %v, want it to contain %q", err, want)
	}
	var seen []int
	bad, err := r.VerifyAll(context.Background(), func(i int, err error) { seen = append(seen, i) })
	if bad != 1 || err != nil || len(seen) != 1 || seen[0] != 2 {
		t.Fatalf("VerifyAll: %d bad (%v), err %v", bad, seen, err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := r.VerifyAll(ctx, nil); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled VerifyAll: %v", err)
	}
}

// TestLayoutErrors: inconsistencies between CompressionInfo.db and Data.db.
func TestLayoutErrors(t *testing.T) {
	plain := rowLike(3*4096, 5)
	tt := buildCompressed(t, plain, 4096, "LZ4Compressor", ver("me"), 0, false)
	info, _ := ParseCompressionInfo(tt.info, tt.v)
	for name, size := range map[string]int64{"truncated": info.Offsets[2] + 2, "empty": 0} {
		_, err := NewCompressed("/x/Data.db", bytes.NewReader(tt.data), size, info, tt.v)
		if !errors.Is(err, wire.ErrCorrupt) {
			t.Errorf("%s: %v", name, err)
		}
	}
	// Short read at Chunk time: the file shrank after opening.
	r, _ := NewCompressed("/x/Data.db", bytes.NewReader(tt.data[:len(tt.data)-10]), int64(len(tt.data)), info, tt.v)
	_, err := r.Chunk(r.NumChunks()-1, nil, nil)
	checkChunkErr(t, err, "/x/Data.db")
	if !strings.Contains(err.Error(), "short read") {
		t.Errorf("got %v", err)
	}
	if _, err := r.Chunk(r.NumChunks(), nil, nil); err == nil {
		t.Error("chunk past the end: no error")
	}
	// Unknown compressor.
	bad := *info
	bad.Compressor = "BrotliCompressor"
	if _, err := NewCompressed("/x/Data.db", bytes.NewReader(tt.data), int64(len(tt.data)), &bad, tt.v); !errors.Is(err, wire.ErrUnsupported) || !strings.Contains(err.Error(), "BrotliCompressor") {
		t.Errorf("unknown class: %v", err)
	}
	// A payload longer than any codec produces for the chunk length.
	huge := *info
	huge.Offsets = []int64{0, 10, 10 + 4096*2}
	big := append(bytes.Clone(tt.data), make([]byte, 3*4096)...)
	if _, err := NewCompressed("/x/Data.db", bytes.NewReader(big), int64(len(big)), &huge, tt.v); !errors.Is(err, wire.ErrCorrupt) {
		t.Errorf("oversized payload: %v", err)
	}
}

func TestParseCompressionInfoErrors(t *testing.T) {
	good := buildCompressed(t, rowLike(3*4096, 1), 4096, "LZ4Compressor", ver("nb"), 4096, false).info
	if _, err := ParseCompressionInfo(good, ver("nb")); err != nil {
		t.Fatal(err)
	}
	// Field offsets in good: name 2+13, options 4 + (2+17)+(2+1), chunk length at 41.
	const chunkLenAt = 2 + 13 + 4 + 19 + 3
	mod := func(at int, v uint32) []byte {
		b := bytes.Clone(good)
		binary.BigEndian.PutUint32(b[at:], v)
		return b
	}
	cases := map[string][]byte{
		"truncated":        good[:len(good)-3],
		"trailing":         append(bytes.Clone(good), 0),
		"not power of two": mod(chunkLenAt, 4095),
		"zero chunk":       mod(chunkLenAt, 0),
		"negative chunk":   mod(chunkLenAt, 0x80000000),
		"max compressed 0": mod(chunkLenAt+4, 0),
		"count mismatch":   mod(chunkLenAt+16, 7),
		"huge count":       mod(chunkLenAt+16, 0x7fffffff),
		"huge options":     mod(2+13, 0x7fffffff),
		"negative options": mod(2+13, 0xffffffff),
		"offsets reversed": func() []byte {
			b := bytes.Clone(good)
			binary.BigEndian.PutUint64(b[len(b)-8:], 1)
			return b
		}(),
	}
	for name, b := range cases {
		if _, err := ParseCompressionInfo(b, ver("nb")); !errors.Is(err, wire.ErrCorrupt) {
			t.Errorf("%s: got %v, want ErrCorrupt", name, err)
		}
	}
	if _, err := ParseCompressionInfo(mod(chunkLenAt, 1<<30), ver("nb")); !errors.Is(err, wire.ErrUnsupported) {
		t.Errorf("1 GiB chunks: got %v, want ErrUnsupported", err)
	}
	// The same bytes read as a pre-na version are misaligned by the extra field.
	if _, err := ParseCompressionInfo(good, ver("me")); err == nil {
		t.Error("na layout parsed as me")
	}
}

// buildCRC writes CRC.db for plain in chunks of cs, with algorithm alg.
func buildCRC(plain []byte, cs int, alg format.Checksum) []byte {
	crc := binary.BigEndian.AppendUint32(nil, uint32(cs))
	for off := 0; off < len(plain); off += cs {
		b := plain[off:min(off+cs, len(plain))]
		s := crc32.ChecksumIEEE(b)
		if alg == format.Adler32 {
			s = adler32.Checksum(b)
		}
		crc = binary.BigEndian.AppendUint32(crc, s)
	}
	return crc
}

func TestUncompressed(t *testing.T) {
	plain := rowLike(5*1024+7, 2)
	for _, v := range []string{"ic", "jb", "ka", "lb", "ma", "nb", "oa"} {
		t.Run(v, func(t *testing.T) {
			crc := buildCRC(plain, 1024, ver(v).UncompressedChecksum())
			r, err := NewUncompressed("/x/Data.db", bytes.NewReader(plain), int64(len(plain)), crc, ver(v))
			if err != nil {
				t.Fatal(err)
			}
			if r.Compressed() || r.Info() != nil || r.NumChunks() != 6 || r.ChunkLength() != 1024 || r.Unchecked() != "" {
				t.Fatalf("chunks %d length %d note %q", r.NumChunks(), r.ChunkLength(), r.Unchecked())
			}
			got, err := readAll(r)
			if err != nil || !bytes.Equal(got, plain) {
				t.Fatalf("read: %v", err)
			}
			for i := 0; i < r.NumChunks(); i++ {
				off, n := r.Span(i)
				at := off + n/2
				fr, _ := NewUncompressed("/x/Data.db", flipReaderAt{plain, at}, int64(len(plain)), crc, ver(v))
				_, err := fr.Chunk(i, nil, nil)
				checkChunkErr(t, err, "/x/Data.db")
			}
		})
	}
	// No CRC.db: 64 KiB chunks, unchecked.
	r, err := NewUncompressed("/x/Data.db", bytes.NewReader(plain), int64(len(plain)), nil, ver("me"))
	if err != nil || r.NumChunks() != 1 || r.ChunkLength() != 64<<10 || r.Unchecked() == "" {
		t.Fatalf("no CRC.db: %v", err)
	}
	// Empty Data.db.
	r, err = NewUncompressed("/x/Data.db", bytes.NewReader(nil), 0, binary.BigEndian.AppendUint32(nil, 65536), ver("me"))
	if err != nil || r.NumChunks() != 0 {
		t.Fatalf("empty: %v", err)
	}
	// Trailing checksums of empty buffers are tolerated; others disable checking.
	crc := buildCRC(plain, 1024, format.CRC32)
	r, err = NewUncompressed("/x/Data.db", bytes.NewReader(plain), int64(len(plain)), binary.BigEndian.AppendUint32(bytes.Clone(crc), 0), ver("me"))
	if err != nil || r.Unchecked() != "" {
		t.Fatalf("empty trailing checksum: %v %q", err, r.Unchecked())
	}
	r, err = NewUncompressed("/x/Data.db", bytes.NewReader(plain), int64(len(plain)), binary.BigEndian.AppendUint32(bytes.Clone(crc), 7), ver("me"))
	if err != nil || r.Unchecked() == "" || !r.Unaligned() {
		t.Fatalf("unaligned checksums: %v", err)
	}
	if err := r.CheckUnaligned(context.Background()); !errors.Is(err, wire.ErrCorrupt) || !strings.Contains(err.Error(), "CRC.db") {
		t.Errorf("unaligned checksums that match nothing: %v, want ErrCorrupt naming CRC.db", err)
	}
	// Checksums of the writer's partial flushes (ScyllaDB): pieces of at most
	// chunk_size bytes, in order.
	var flushed []byte
	flushed = binary.BigEndian.AppendUint32(flushed, 1024)
	for _, cut := range [][2]int{{0, 100}, {100, 1124}, {1124, 3000}, {3000, len(plain)}} {
		for off := cut[0]; off < cut[1]; off += 1024 {
			flushed = binary.BigEndian.AppendUint32(flushed, crc32.ChecksumIEEE(plain[off:min(off+1024, cut[1])]))
		}
	}
	r, err = NewUncompressed("/x/Data.db", bytes.NewReader(plain), int64(len(plain)), flushed, ver("me"))
	if err != nil || !r.Unaligned() {
		t.Fatalf("flushed checksums: %v, unaligned %v", err, r.Unaligned())
	}
	if err := r.CheckUnaligned(context.Background()); err != nil {
		t.Errorf("flushed checksums: %v", err)
	}
	flushed[len(flushed)-1] ^= 1
	if err := r.CheckUnaligned(context.Background()); !errors.Is(err, wire.ErrCorrupt) {
		t.Errorf("flushed checksums, last one wrong: %v", err)
	}
	// A chunk size that is not a power of two: no writer's buffer. A Data.db
	// smaller than it would check out under any such size.
	notPow2 := binary.BigEndian.AppendUint32(nil, 1000)
	notPow2 = append(notPow2, crc[4:]...)
	for name, b := range map[string][]byte{"short": crc[:2], "zero size": make([]byte, 8), "missing sums": crc[:len(crc)-4], "odd length": crc[:len(crc)-1], "not a power of two": notPow2} {
		if _, err := NewUncompressed("/x/mc-1-big-Data.db", bytes.NewReader(plain), int64(len(plain)), b, ver("me")); !errors.Is(err, wire.ErrCorrupt) || !strings.Contains(err.Error(), "mc-1-big-CRC.db") {
			t.Errorf("%s: got %v, want ErrCorrupt naming CRC.db", name, err)
		}
	}
}

func TestVerifyDigest(t *testing.T) {
	plain := rowLike(20000, 4)
	tt := buildCompressed(t, plain, 4096, "LZ4Compressor", ver("ka"), 0, false)
	r, err := tt.open(t)
	if err != nil {
		t.Fatal(err)
	}
	whole := adler32.Checksum(tt.data)
	h := adler32.New()
	for i := 0; i < r.NumChunks(); i++ {
		off, n := r.Span(i)
		h.Write(tt.data[off : off+n-4])
	}
	payloads := h.Sum32()
	u := func(v uint32) []byte { return []byte(strconv.FormatUint(uint64(v), 10)) }
	for _, d := range [][]byte{u(whole), u(payloads), append(u(payloads), '\n')} {
		if err := r.VerifyDigest(format.DigestSHA1, d, ver("ka")); err != nil {
			t.Errorf("%s: %v", d, err)
		}
	}
	if err := r.VerifyDigest(format.DigestSHA1, u(payloads+1), ver("ka")); !errors.Is(err, wire.ErrCorrupt) {
		t.Errorf("wrong digest: %v", err)
	}
	// The plain function covers the file as stored.
	if err := VerifyDigest("/x/Data.db", bytes.NewReader(tt.data), int64(len(tt.data)), format.DigestAdler32, u(whole), ver("la")); err != nil {
		t.Error(err)
	}
	if err := VerifyDigest("/x/Data.db", bytes.NewReader(plain), int64(len(plain)), format.DigestCRC32, u(crc32.ChecksumIEEE(plain)), ver("me")); err != nil {
		t.Error(err)
	}
	// sha1sum style, 2.0 and earlier.
	sha := fmt.Sprintf("%x  ks-cf-jb-1-Data.db", sha1.Sum(plain))
	if err := VerifyDigest("/x/Data.db", bytes.NewReader(plain), int64(len(plain)), format.DigestSHA1, []byte(sha), ver("jb")); err != nil {
		t.Error(err)
	}
	if sha[0] == '0' {
		sha = "1" + sha[1:]
	} else {
		sha = "0" + sha[1:]
	}
	if err := VerifyDigest("/x/Data.db", bytes.NewReader(plain), int64(len(plain)), format.DigestSHA1, []byte(sha), ver("jb")); !errors.Is(err, wire.ErrCorrupt) {
		t.Errorf("bad sha1: %v", err)
	}
	for _, bad := range []string{"", "abc", "99999999999", "-1"} {
		if err := VerifyDigest("/x/Data.db", bytes.NewReader(plain), int64(len(plain)), format.DigestCRC32, []byte(bad), ver("me")); !errors.Is(err, wire.ErrCorrupt) {
			t.Errorf("digest %q: %v", bad, err)
		}
	}
}

// FuzzParseCompressionInfo: no panic, allocation bounded by the input, and a
// successful parse is self-consistent.
//
//	go test -run='^$' -fuzz=^FuzzParseCompressionInfo$ -fuzztime=30s -fuzzminimizetime=2s ./internal/sstable/chunk
func FuzzParseCompressionInfo(f *testing.F) {
	for _, v := range []string{"ic", "ka", "me", "nb"} {
		f.Add(v, buildCompressed(f, rowLike(9000, 1), 4096, "LZ4Compressor", ver(v), 4096, false).info)
	}
	if root := corpusDir(f); root != "" {
		for _, ct := range corpusTables(f, root) {
			if b, err := os.ReadFile(ct.desc.Path(format.CompressionInfo)); err == nil {
				f.Add(ct.desc.Version.S, b)
			}
		}
	}
	f.Fuzz(func(t *testing.T, v string, b []byte) {
		if len(v) != 2 {
			v = "nb"
		}
		in, err := ParseCompressionInfo(b, ver(v))
		if err != nil {
			if !errors.Is(err, wire.ErrCorrupt) && !errors.Is(err, wire.ErrUnsupported) {
				t.Fatalf("error class: %v", err)
			}
			return
		}
		if in.ChunkLength <= 0 || in.ChunkLength&(in.ChunkLength-1) != 0 || len(in.Offsets)*8 > len(b) {
			t.Fatalf("inconsistent: %+v", in)
		}
		for i := 1; i < len(in.Offsets); i++ {
			if in.Offsets[i]-in.Offsets[i-1] < 4 {
				t.Fatalf("offsets not increasing: %v", in.Offsets)
			}
		}
	})
}

// FuzzChunk feeds random stored bytes as chunk 0 (and 1) of a small file for each
// codec and checksum convention: no panic, errors are ErrCorrupt, output never
// exceeds the chunk length. Checksums are recomputed over the fuzzed payload half
// the time so the decoders see the bytes.
//
//	go test -run='^$' -fuzz=^FuzzChunk$ -fuzztime=30s -fuzzminimizetime=2s ./internal/sstable/chunk
func FuzzChunk(f *testing.F) {
	for ci, class := range classes {
		tt := buildCompressed(f, rowLike(6000, 3), 4096, class, ver("nb"), 4096, false)
		r, _ := tt.open(f)
		_, n := r.Span(0)
		f.Add(uint8(ci), uint8(0), uint16(6000), tt.data[:n], true)
	}
	if root := corpusDir(f); root != "" {
		for _, ct := range corpusTables(f, root) {
			ci, err := os.ReadFile(ct.desc.Path(format.CompressionInfo))
			if err != nil {
				continue
			}
			info, err := ParseCompressionInfo(ci, ct.desc.Version)
			data, _ := os.ReadFile(ct.desc.Path(format.Data))
			if err != nil || len(info.Offsets) < 1 || int64(len(data)) < 4 {
				continue
			}
			end := int64(len(data))
			if len(info.Offsets) > 1 {
				end = info.Offsets[1]
			}
			if end > int64(len(data)) || info.Offsets[0] != 0 {
				continue
			}
			for i, c := range classes {
				if c == info.Compressor {
					f.Add(uint8(i), uint8(5), uint16(min(info.DataLength, 60000)), data[:end], false)
				}
			}
		}
	}
	versions := []string{"ic", "jb", "ka", "ma", "me", "na", "nb", "oa"}
	f.Fuzz(func(t *testing.T, codec, version uint8, dataLen uint16, stored []byte, fixSum bool) {
		class := classes[int(codec)%len(classes)]
		v := ver(versions[int(version)%len(versions)])
		const chunkLen = 4096
		n := int((int64(dataLen) + chunkLen - 1) / chunkLen)
		if n == 0 || len(stored) < 4 {
			return
		}
		stored = bytes.Clone(stored)
		if fixSum {
			alg, over := v.CompressedChecksum()
			if over {
				s := crc32.ChecksumIEEE(stored[:len(stored)-4])
				if alg == format.Adler32 {
					s = adler32.Checksum(stored[:len(stored)-4])
				}
				binary.BigEndian.PutUint32(stored[len(stored)-4:], s)
			}
		}
		// Chunk 0 is the fuzzed bytes; any further chunks are 5 zero bytes each.
		offsets := []int64{0}
		data := stored
		for i := 1; i < n; i++ {
			offsets = append(offsets, int64(len(data)))
			data = append(data, 0, 0, 0, 0, 0)
		}
		info := &Info{Compressor: class, ChunkLength: chunkLen, MaxCompressedLength: 3000, DataLength: int64(dataLen), Offsets: offsets}
		r, err := NewCompressed("/x/Data.db", bytes.NewReader(data), int64(len(data)), info, v)
		if err != nil {
			if !errors.Is(err, wire.ErrCorrupt) {
				t.Fatal(err)
			}
			return
		}
		var buf Buf
		for i := 0; i < min(n, 2); i++ {
			out, err := r.Chunk(i, nil, &buf)
			if err != nil {
				if !errors.Is(err, wire.ErrCorrupt) {
					t.Fatalf("chunk %d: %v", i, err)
				}
				continue
			}
			if len(out) != r.ChunkLen(i) {
				t.Fatalf("chunk %d: %d bytes, want %d", i, len(out), r.ChunkLen(i))
			}
		}
	})
}

// BenchmarkChunkRead reads every chunk of an in-memory 64 MiB LZ4 Data.db (16 KiB
// chunks of row-like data, CRC32 as in ma+): ReadAt, checksum, decompress, into
// reused buffers.
//
//	go test -run='^$' -bench=ChunkRead -benchtime=1s -count=10 ./internal/sstable/chunk > new.txt && benchstat old.txt new.txt
func BenchmarkChunkRead(b *testing.B) {
	const size, chunkLen = 64 << 20, 16 << 10
	for _, class := range []string{"LZ4Compressor"} {
		plain := rowLike(size, 1)
		tt := buildCompressed(b, plain, chunkLen, class, ver("nb"), math.MaxInt32, false)
		r, err := tt.open(b)
		if err != nil {
			b.Fatal(err)
		}
		codec := strings.ToLower(strings.TrimSuffix(class, "Compressor"))
		b.Run(fmt.Sprintf("codec=%s/chunk=16KiB", codec), func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(chunkLen)
			dst := make([]byte, 0, chunkLen)
			var buf Buf
			i := 0
			for b.Loop() {
				dst, err = r.Chunk(i, dst, &buf)
				if err != nil {
					b.Fatal(err)
				}
				if i++; i == r.NumChunks() {
					i = 0
				}
			}
			b.ReportMetric(float64(len(tt.data))/float64(size), "ratio")
		})
	}
}

// countingReaderAt counts ReadAt calls and the bytes they asked for.
type countingReaderAt struct {
	r            io.ReaderAt
	calls, bytes int
}

func (c *countingReaderAt) ReadAt(p []byte, off int64) (int, error) {
	c.calls++
	c.bytes += len(p)
	return c.r.ReadAt(p, off)
}

// TestReadAhead: a sequential scan reads many chunks per ReadAt, random access
// reads only the chunk asked for, and both give the same bytes as reading each
// chunk on its own; one Buf moving between two Readers never serves one's bytes
// for the other.
func TestReadAhead(t *testing.T) {
	plain := rowLike(200*4096, 7)
	tt := buildCompressed(t, plain, 4096, "LZ4Compressor", ver("nb"), math.MaxInt32, false)
	info, err := ParseCompressionInfo(tt.info, tt.v)
	if err != nil {
		t.Fatal(err)
	}
	cr := &countingReaderAt{r: bytes.NewReader(tt.data)}
	r, err := NewCompressed("/x/nb-1-big-Data.db", cr, int64(len(tt.data)), info, tt.v)
	if err != nil {
		t.Fatal(err)
	}
	got, err := readAll(r)
	if err != nil || !bytes.Equal(got, plain) {
		t.Fatalf("sequential scan: %v, equal %v", err, bytes.Equal(got, plain))
	}
	if max := r.NumChunks() / 8; cr.calls > max {
		t.Errorf("sequential scan of %d chunks made %d reads, want at most %d", r.NumChunks(), cr.calls, max)
	}

	// Ahead bounds every read; below a chunk it turns read-ahead off.
	for _, ahead := range []int{1, 8 << 10, 32 << 10} {
		cr.calls, cr.bytes = 0, 0
		buf := Buf{Ahead: ahead}
		var dst []byte
		var largest int64
		for i := range r.NumChunks() {
			_, n := r.Span(i)
			largest = max(largest, n)
			if dst, err = r.Chunk(i, dst, &buf); err != nil || !bytes.Equal(dst, plain[i*4096:(i+1)*4096]) {
				t.Fatalf("Ahead %d: chunk %d: %v", ahead, i, err)
			}
		}
		if ahead < int(largest) && cr.calls != r.NumChunks() {
			t.Errorf("Ahead %d (below a chunk): %d reads for %d chunks", ahead, cr.calls, r.NumChunks())
		}
		if per := cr.bytes / cr.calls; ahead >= int(largest) && (per > ahead || cr.calls >= r.NumChunks()) {
			t.Errorf("Ahead %d: %d reads of %d bytes on average for %d chunks", ahead, cr.calls, per, r.NumChunks())
		}
	}

	// Random access: every read is exactly one chunk's span.
	cr.calls, cr.bytes = 0, 0
	var buf Buf
	var dst []byte
	want := 0
	for _, i := range []int{150, 3, 77, 76, 199, 0} {
		_, n := r.Span(i)
		want += int(n)
		if dst, err = r.Chunk(i, dst, &buf); err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(dst, plain[i*4096:i*4096+r.ChunkLen(i)]) {
			t.Fatalf("chunk %d differs", i)
		}
	}
	if cr.calls != 6 || cr.bytes != want {
		t.Errorf("random access: %d reads of %d bytes, want 6 of %d", cr.calls, cr.bytes, want)
	}

	// The same Buf on another file of the same shape but other bytes.
	other := rowLike(200*4096, 8)
	tt2 := buildCompressed(t, other, 4096, "LZ4Compressor", ver("nb"), math.MaxInt32, false)
	r2, err := tt2.open(t)
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if dst, err = r.Chunk(i, dst, &buf); err != nil || !bytes.Equal(dst, plain[i*4096:(i+1)*4096]) {
			t.Fatalf("r chunk %d: %v", i, err)
		}
		if dst, err = r2.Chunk(i, dst, &buf); err != nil || !bytes.Equal(dst, other[i*4096:(i+1)*4096]) {
			t.Fatalf("r2 chunk %d: %v", i, err)
		}
	}
}

// TestDataLengthDisagrees: CompressionInfo.db has no checksum, so its data
// length is checked against the chunk table and what the chunks decode to. A
// length of 0 (or one short by up to a chunk) used to pass as "one empty
// trailing chunk" and read as an empty or shortened SSTable.
func TestDataLengthDisagrees(t *testing.T) {
	plain := rowLike(5000, 1)
	random := make([]byte, 4096+2040)
	rand.NewChaCha8([32]byte{3}).Read(random)
	for _, tc := range []struct {
		name  string
		tt    table
		plain []byte
	}{
		{"lz4/ma", buildCompressed(t, plain, 4096, "LZ4Compressor", ver("ma"), 0, false), plain},
		{"raw-tail/nb", buildCompressed(t, random, 4096, "LZ4Compressor", ver("nb"), 2048, false), random},
	} {
		info, err := ParseCompressionInfo(tc.tt.info, tc.tt.v)
		if err != nil {
			t.Fatal(err)
		}
		for _, length := range []int64{0, 4096, int64(len(tc.plain)) - 1, int64(len(tc.plain)) - 100} {
			bad := *info
			bad.DataLength = length
			r, err := NewCompressed("/x/"+tc.tt.v.S+"-1-big-Data.db", bytes.NewReader(tc.tt.data), int64(len(tc.tt.data)), &bad, tc.tt.v)
			if err == nil {
				_, err = readAll(r)
			}
			if !errors.Is(err, wire.ErrCorrupt) {
				t.Errorf("%s: data length %d of %d: %v, want a corrupt error", tc.name, length, len(tc.plain), err)
				continue
			}
			if length == 0 && !strings.Contains(err.Error(), "CompressionInfo.db") {
				t.Errorf("%s: data length 0: %v does not name CompressionInfo.db", tc.name, err)
			}
		}
	}
}
