package compress

import (
	"bytes"
	"compress/zlib"
	"encoding/binary"
	"errors"
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/golang/snappy"
	"github.com/klauspost/compress/zstd"
	"github.com/pierrec/lz4/v4"

	"github.com/aegisthus/aegisthus/internal/sstable/wire"
)

// rowLike returns n bytes that look like a Data.db chunk: partition keys, clustering
// text, vint-ish timestamps, UUIDs and short text values, from a fixed seed.
func rowLike(n int, seed uint64) []byte {
	rng := rand.New(rand.NewPCG(seed, 0x9e3779b97f4a7c15))
	words := []string{"alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel", "user", "order", "status", "active", "pending"}
	b := make([]byte, 0, n+256)
	for pk := 0; len(b) < n; pk++ {
		b = binary.BigEndian.AppendUint16(b, 12)
		b = fmt.Appendf(b, "user:%07d", pk)
		b = append(b, 0x7f, 0xff, 0xff, 0xff, 0x80, 0, 0, 0, 0, 0, 0, 0) // live deletion time
		for row := 0; row < 1+rng.IntN(8) && len(b) < n; row++ {
			b = append(b, 0x24)                                       // row flags
			b = binary.AppendUvarint(b, uint64(rng.IntN(1<<20)))      // timestamp delta
			b = append(b, byte(len(words[row%len(words)])))           // clustering length
			b = append(b, words[row%len(words)]...)                   // clustering
			b = binary.BigEndian.AppendUint64(b, rng.Uint64()&0xffff) // int-ish cell
			var uuid [16]byte
			binary.BigEndian.PutUint64(uuid[:], rng.Uint64())
			binary.BigEndian.PutUint64(uuid[8:], 0x8000000000000000|rng.Uint64()>>48)
			b = append(b, uuid[:]...)
			w := words[rng.IntN(len(words))]
			b = append(b, byte(len(w)+10))
			b = fmt.Appendf(b, "%s-%09d", w, rng.IntN(1e9))
		}
		b = append(b, 0x01) // end of partition
	}
	return b[:n]
}

// Encoders producing Cassandra's payload framing, built on the Go libraries.
func encodeLZ4(tb testing.TB, src []byte) []byte {
	dst := make([]byte, 4+lz4.CompressBlockBound(len(src)))
	binary.LittleEndian.PutUint32(dst, uint32(len(src)))
	var c lz4.Compressor
	n, err := c.CompressBlock(src, dst[4:])
	if err != nil || (n == 0 && len(src) > 0) {
		tb.Fatalf("lz4 compress: n=%d err=%v", n, err)
	}
	if len(src) == 0 {
		n = copy(dst[4:], []byte{0}) // what LZ4Java writes for no input: one empty token
	}
	return dst[:4+n]
}

func encodeSnappy(tb testing.TB, src []byte) []byte { return snappy.Encode(nil, src) }

func encodeDeflate(tb testing.TB, src []byte) []byte {
	var b bytes.Buffer
	w := zlib.NewWriter(&b) // java.util.zip.Deflater defaults: zlib wrapper, level 6
	w.Write(src)
	if err := w.Close(); err != nil {
		tb.Fatal(err)
	}
	return b.Bytes()
}

var zstdEnc, _ = zstd.NewWriter(nil, zstd.WithEncoderLevel(zstd.SpeedDefault), zstd.WithEncoderCRC(true))

func encodeZstd(tb testing.TB, src []byte) []byte { return zstdEnc.EncodeAll(src, nil) }

func encodeNoop(tb testing.TB, src []byte) []byte { return bytes.Clone(src) }

var codecs = []struct {
	class  string
	name   string
	encode func(testing.TB, []byte) []byte
}{
	{"LZ4Compressor", "lz4", encodeLZ4},
	{"SnappyCompressor", "snappy", encodeSnappy},
	{"DeflateCompressor", "deflate", encodeDeflate},
	{"ZstdCompressor", "zstd", encodeZstd},
	{"NoopCompressor", "noop", encodeNoop},
}

func TestForClass(t *testing.T) {
	for _, c := range codecs {
		for _, class := range []string{c.class, classPrefix + c.class} {
			d, err := ForClass(class, map[string]string{"lz4_compressor_type": "high", "compression_level": "3"})
			if err != nil || d.Name() != c.name {
				t.Errorf("ForClass(%q) = %v, %v; want %s", class, d, err, c.name)
			}
		}
	}
	for _, class := range []string{"", "LZ4Compressor\x00", "com.example.LZ4Compressor", "QPLCompressor", "lz4compressor"} {
		_, err := ForClass(class, nil)
		if !errors.Is(err, wire.ErrUnsupported) || !bytes.Contains([]byte(err.Error()), []byte(fmt.Sprintf("%q", class))) {
			t.Errorf("ForClass(%q): got %v, want ErrUnsupported naming the class", class, err)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	sizes := []int{0, 1, 100, 4 << 10, 16 << 10, 64 << 10}
	for _, c := range codecs {
		d, _ := ForClass(c.class, nil)
		for _, n := range sizes {
			for _, kind := range []string{"rows", "random", "zeros"} {
				var src []byte
				switch kind {
				case "rows":
					src = rowLike(n, uint64(n))
				case "random":
					src = make([]byte, n)
					rand.NewChaCha8([32]byte{1}).Read(src)
				case "zeros":
					src = make([]byte, n)
				}
				t.Run(fmt.Sprintf("codec=%s/n=%d/%s", c.name, n, kind), func(t *testing.T) {
					payload := c.encode(t, src)
					// Fresh dst, a too-small dst, and a reused larger one.
					for _, dst := range [][]byte{nil, make([]byte, 3), make([]byte, 10, n+100)} {
						got, err := d.Decompress(dst, payload, n)
						if err != nil {
							t.Fatalf("decompress: %v", err)
						}
						if !bytes.Equal(got, src) {
							t.Fatalf("round trip: got %d bytes, want %d", len(got), len(src))
						}
					}
					if n > 0 {
						// The expected length is a ceiling: one byte less must fail.
						if _, err := d.Decompress(nil, payload, n-1); !errors.Is(err, wire.ErrCorrupt) {
							t.Fatalf("decompress with ceiling %d: got %v, want ErrCorrupt", n-1, err)
						}
					}
				})
			}
		}
	}
}

// TestReuse: a reused dst is written in place, without allocating.
func TestReuse(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are unreliable under -race")
	}
	src := rowLike(16<<10, 7)
	for _, c := range codecs {
		d, _ := ForClass(c.class, nil)
		payload := c.encode(t, src)
		dst := make([]byte, 0, len(src))
		allocs := testing.AllocsPerRun(20, func() {
			out, err := d.Decompress(dst, payload, len(src))
			if err != nil || &out[0] != &dst[:1][0] {
				t.Fatalf("%s: err=%v, or output not in dst", c.name, err)
			}
		})
		if allocs > 0 {
			t.Errorf("%s: %.0f allocs per reused decompress", c.name, allocs)
		}
	}
}

func TestCorruptPayloads(t *testing.T) {
	src := rowLike(8<<10, 3)
	for _, c := range codecs {
		if c.name == "noop" {
			continue
		}
		d, _ := ForClass(c.class, nil)
		payload := c.encode(t, src)
		cases := map[string][]byte{
			"empty-prefix": payload[:min(3, len(payload))],
			"truncated":    payload[:len(payload)/2],
			"garbage":      bytes.Repeat([]byte{0xff}, len(payload)),
		}
		for name, p := range cases {
			if c.name == "deflate" && len(p) == 0 {
				continue
			}
			out, err := d.Decompress(nil, p, len(src))
			if err == nil && bytes.Equal(out, src) {
				t.Errorf("%s/%s: decoded the original from a damaged payload", c.name, name)
			}
			if err != nil && !errors.Is(err, wire.ErrCorrupt) {
				t.Errorf("%s/%s: %v does not wrap ErrCorrupt", c.name, name, err)
			}
		}
	}
	// LZ4 declared lengths beyond the expected one, including ones that look negative.
	for _, declared := range []uint32{8<<10 + 1, 1 << 31, 0xffffffff} {
		p := encodeLZ4(t, src)
		binary.LittleEndian.PutUint32(p, declared)
		if _, err := LZ4.Decompress(nil, p, len(src)); !errors.Is(err, wire.ErrCorrupt) {
			t.Errorf("lz4 declared %d: got %v", declared, err)
		}
	}
}

// TestConcurrent runs every codec from several goroutines (go test -race).
func TestConcurrent(t *testing.T) {
	src := rowLike(16<<10, 11)
	for _, c := range codecs {
		d, _ := ForClass(c.class, nil)
		payload := c.encode(t, src)
		done := make(chan error)
		for g := 0; g < 4; g++ {
			go func() {
				var dst []byte
				var err error
				for i := 0; i < 50 && err == nil; i++ {
					dst, err = d.Decompress(dst, payload, len(src))
					if err == nil && !bytes.Equal(dst, src) {
						err = fmt.Errorf("%s: wrong output", c.name)
					}
				}
				done <- err
			}()
		}
		for g := 0; g < 4; g++ {
			if err := <-done; err != nil {
				t.Error(err)
			}
		}
	}
}

// FuzzDecompress feeds arbitrary payloads to every codec: no panic, output never
// longer than the ceiling, and round trips of the fuzzed input through each encoder.
//
// Minimising an input re-runs the encoders many times; keep it short:
//
//	go test -run='^$' -fuzz=^FuzzDecompress$ -fuzztime=30s -fuzzminimizetime=2s ./internal/compress
func FuzzDecompress(f *testing.F) {
	for i, c := range codecs {
		for _, n := range []int{0, 17, 4096} {
			f.Add(uint8(i), uint16(n), c.encode(f, rowLike(n, uint64(n))))
		}
	}
	f.Fuzz(func(t *testing.T, codec uint8, ceiling uint16, payload []byte) {
		c := codecs[int(codec)%len(codecs)]
		d, _ := ForClass(c.class, nil)
		out, err := d.Decompress(nil, payload, int(ceiling))
		if err != nil {
			if !errors.Is(err, wire.ErrCorrupt) {
				t.Fatalf("%s: error %v does not wrap ErrCorrupt", c.name, err)
			}
		} else if len(out) > int(ceiling) {
			t.Fatalf("%s: %d bytes out, ceiling %d", c.name, len(out), ceiling)
		}
		// Round trip: the fuzzed bytes as plain data.
		enc := c.encode(t, payload)
		back, err := d.Decompress(make([]byte, 0, 8), enc, len(payload))
		if err != nil || !bytes.Equal(back, payload) {
			t.Fatalf("%s: round trip of %d bytes: %v", c.name, len(payload), err)
		}
	})
}

// BenchmarkDecompress decodes one chunk per op into a reused buffer.
//
//	go test -run='^$' -bench=Decompress -benchtime=1s -count=10 ./internal/compress > new.txt && benchstat old.txt new.txt
func BenchmarkDecompress(b *testing.B) {
	for _, c := range codecs {
		d, _ := ForClass(c.class, nil)
		for _, size := range []int{16 << 10, 64 << 10} {
			src := rowLike(size, 42)
			payload := c.encode(b, src)
			b.Run(fmt.Sprintf("codec=%s/chunk=%dKiB", c.name, size>>10), func(b *testing.B) {
				b.ReportAllocs()
				b.SetBytes(int64(size))
				dst := make([]byte, 0, size)
				for b.Loop() {
					var err error
					dst, err = d.Decompress(dst[:0], payload, size)
					if err != nil {
						b.Fatal(err)
					}
				}
				b.ReportMetric(float64(len(payload))/float64(size), "ratio")
			})
		}
	}
}
