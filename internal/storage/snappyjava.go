package storage

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"

	"github.com/golang/snappy"
)

// SnappyJavaMagic starts a stream that snappy-java's SnappyOutputStream
// writes (SnappyCodec.MAGIC_HEADER): it is not the Snappy framing format.
const SnappyJavaMagic = "\x82SNAPPY\x00"

// snappyJavaHeader is the magic, then the writer's version and the minimum
// compatible version, both big-endian int32 (SnappyCodec, 16 bytes).
const snappyJavaHeader = len(SnappyJavaMagic) + 8

// maxSnappyJavaBlock bounds one compressed block (SnappyOutputStream writes
// blocks of 32 KiB input by default; a writer may choose larger ones).
const maxSnappyJavaBlock = 256 << 20

// NewSnappyJavaReader decodes what snappy-java's SnappyInputStream reads
// (snappy-java 1.1.7.2, the version Priam 3.x pins; Priam's
// compress/ChunkedStream writes one SnappyOutputStream over the whole file and
// compress/SnappyCompression reads it back with SnappyInputStream):
//
//   - a 16-byte header: SnappyJavaMagic, int32 version, int32 minimum
//     compatible version (a stream whose minimum compatible version is above
//     1 is refused, as SnappyInputStream refuses it);
//   - then blocks: a big-endian int32 compressed length and that many bytes of
//     one raw Snappy block (no checksum), to the end of the input;
//   - a header may appear again where a block length would (concatenated
//     streams: SnappyInputStream reads on);
//   - an input that does not start with the header is one raw Snappy block
//     (Snappy.compress), as SnappyInputStream falls back to.
func NewSnappyJavaReader(r io.Reader) io.Reader {
	return &snappyJavaReader{r: bufio.NewReaderSize(r, 64<<10)}
}

type snappyJavaReader struct {
	r       *bufio.Reader
	started bool
	raw     bool // the whole input is one raw block
	buf     []byte
	comp    []byte
	dec     []byte // reused block output: next runs only once buf is drained
	off     int64  // stream offset of the next byte to read, for errors
	err     error
}

// ErrSnappyJava is wrapped by every error of a malformed snappy-java stream.
var ErrSnappyJava = errors.New("snappy-java stream")

func (s *snappyJavaReader) Read(p []byte) (int, error) {
	for len(s.buf) == 0 {
		if s.err != nil {
			return 0, s.err
		}
		s.err = s.next()
	}
	n := copy(p, s.buf)
	s.buf = s.buf[n:]
	return n, nil
}

// next decodes the next block into s.buf, or returns io.EOF.
func (s *snappyJavaReader) next() error {
	if !s.started {
		s.started = true
		head, _ := s.r.Peek(snappyJavaHeader)
		if len(head) < snappyJavaHeader || !bytes.HasPrefix(head, []byte(SnappyJavaMagic)) {
			all, err := io.ReadAll(s.r)
			if err != nil {
				return err
			}
			// No snappy op expands more than 22-fold (a 64-byte copy in 3
			// bytes): a larger claimed length is not a block, and would
			// have us allocate it.
			if d, err := snappy.DecodedLen(all); err != nil || d > 32*len(all) {
				return fmt.Errorf("%w: no header, and not one raw snappy block: decoded length %d of %d bytes, %v", ErrSnappyJava, d, len(all), err)
			}
			if s.buf, err = snappy.Decode(nil, all); err != nil {
				return fmt.Errorf("%w: no header, and not one raw snappy block: %v", ErrSnappyJava, err)
			}
			s.raw = true
			return nil
		}
		if err := s.header(); err != nil {
			return err
		}
	}
	if s.raw {
		return io.EOF
	}
	var n [4]byte
	at := s.off
	if _, err := io.ReadFull(s.r, n[:]); err != nil {
		if err == io.EOF {
			return io.EOF
		}
		return fmt.Errorf("%w: offset %d: truncated block length: %v", ErrSnappyJava, at, err)
	}
	s.off += 4
	if string(n[:]) == SnappyJavaMagic[:4] {
		// A concatenated stream: its header in place of a block length.
		if rest, _ := s.r.Peek(snappyJavaHeader - 4); len(rest) == snappyJavaHeader-4 && string(rest[:4]) == SnappyJavaMagic[4:] {
			if _, err := s.r.Discard(4); err != nil {
				return err
			}
			s.off += 4
			return s.versions()
		}
	}
	size := int64(int32(binary.BigEndian.Uint32(n[:])))
	if size < 0 || size > maxSnappyJavaBlock {
		return fmt.Errorf("%w: offset %d: block length %d, want 0 to %d", ErrSnappyJava, at, size, maxSnappyJavaBlock)
	}
	if int64(cap(s.comp)) < size {
		s.comp = make([]byte, size)
	}
	s.comp = s.comp[:size]
	if _, err := io.ReadFull(s.r, s.comp); err != nil {
		return fmt.Errorf("%w: offset %d: truncated block of %d bytes: %v", ErrSnappyJava, at, size, err)
	}
	s.off += size
	// The block's own length header must not make us allocate more than
	// any block may hold.
	if d, err := snappy.DecodedLen(s.comp); err != nil || d > maxSnappyJavaBlock {
		return fmt.Errorf("%w: offset %d: block of %d bytes: decoded length %d, %v (want at most %d)", ErrSnappyJava, at, size, d, err, maxSnappyJavaBlock)
	}
	out, err := snappy.Decode(s.dec[:cap(s.dec)], s.comp)
	if err != nil {
		return fmt.Errorf("%w: offset %d: block of %d bytes: %v", ErrSnappyJava, at, size, err)
	}
	s.dec, s.buf = out, out
	return nil
}

func (s *snappyJavaReader) header() error {
	if _, err := s.r.Discard(len(SnappyJavaMagic)); err != nil {
		return err
	}
	s.off += int64(len(SnappyJavaMagic))
	return s.versions()
}

// versions reads the header's two int32s after the magic.
func (s *snappyJavaReader) versions() error {
	var v [8]byte
	at := s.off
	if _, err := io.ReadFull(s.r, v[:]); err != nil {
		return fmt.Errorf("%w: offset %d: truncated header: %v", ErrSnappyJava, at, err)
	}
	s.off += 8
	if compat := int32(binary.BigEndian.Uint32(v[4:])); compat > 1 {
		return fmt.Errorf("%w: offset %d: needs a reader of version %d (this reads version 1)", ErrSnappyJava, at, compat)
	}
	return nil
}

// unpack decodes a whole file through dec into an unlinked temporary file.
func unpack(f File, path, tempDir, what string, dec func(io.Reader) io.Reader) (File, error) {
	tmp, err := os.CreateTemp(tempDir, "aegisthus-unpacked-*")
	if err != nil {
		return nil, err
	}
	os.Remove(tmp.Name()) // gone when closed
	n, err := io.Copy(tmp, dec(io.NewSectionReader(f, 0, f.Size())))
	if err != nil {
		tmp.Close()
		return nil, fmt.Errorf("%s: %s: %w", path, what, err)
	}
	return &unframedFile{localFile: localFile{File: tmp, size: n}, name: path}, nil
}

// Codec is how a backup tool stored one file: as is, Snappy-framed
// (golang/snappy's framing format), or a snappy-java stream.
type Codec int

const (
	CodecNone Codec = iota
	CodecSnappyFramed
	CodecSnappyJava
)

// Sniff tells the codec of a stored file from its first bytes.
func Sniff(f File) Codec {
	head := make([]byte, len(framedMagic))
	n, _ := f.ReadAt(head, 0)
	head = head[:n]
	switch {
	case bytes.Equal(head, framedMagic):
		return CodecSnappyFramed
	case bytes.HasPrefix(head, []byte(SnappyJavaMagic)):
		return CodecSnappyJava
	}
	return CodecNone
}

// OpenCodec opens path through inner and decodes it with c.
func OpenCodec(inner Store, path string, c Codec, tempDir string) (File, error) {
	f, err := inner.Open(path)
	if err != nil || c == CodecNone {
		return f, err
	}
	defer f.Close()
	return decodeFile(f, path, c, tempDir)
}

func decodeFile(f File, path string, c Codec, tempDir string) (File, error) {
	if c == CodecSnappyJava {
		return unpack(f, path, tempDir, "snappy-java", NewSnappyJavaReader)
	}
	return unpack(f, path, tempDir, "snappy-framed", func(r io.Reader) io.Reader { return snappy.NewReader(r) })
}

// ReadFileCodec reads and decodes a whole small file, at most limit bytes of it.
func ReadFileCodec(inner Store, path string, c Codec, limit int64) ([]byte, error) {
	f, err := inner.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var r io.Reader = io.NewSectionReader(f, 0, f.Size())
	switch c {
	case CodecSnappyJava:
		r = NewSnappyJavaReader(r)
	case CodecSnappyFramed:
		r = snappy.NewReader(r)
	}
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if int64(len(b)) > limit {
		return nil, fmt.Errorf("%s: more than %d bytes: %w", path, limit, ErrTooLarge)
	}
	return b, nil
}

// SnappyJavaWriter writes what snappy-java 1.1.7.2's SnappyOutputStream writes
// (the header, then each 32 KiB of input as a length-prefixed raw Snappy
// block), for building the trees Priam writes. Close flushes the last block;
// it does not close the underlying writer.
type SnappyJavaWriter struct {
	w       io.Writer
	in      []byte
	started bool
}

// snappyJavaBlock is SnappyOutputStream's DEFAULT_BLOCK_SIZE.
const snappyJavaBlock = 32 << 10

func NewSnappyJavaWriter(w io.Writer) *SnappyJavaWriter { return &SnappyJavaWriter{w: w} }

func (s *SnappyJavaWriter) Write(p []byte) (int, error) {
	n := len(p)
	for len(p) > 0 {
		k := min(snappyJavaBlock-len(s.in), len(p))
		s.in = append(s.in, p[:k]...)
		p = p[k:]
		if len(s.in) == snappyJavaBlock {
			if err := s.flush(); err != nil {
				return 0, err
			}
		}
	}
	return n, nil
}

func (s *SnappyJavaWriter) flush() error {
	var out []byte
	if !s.started {
		s.started = true
		out = append(out, SnappyJavaMagic...)
		out = binary.BigEndian.AppendUint32(out, 1) // DEFAULT_VERSION
		out = binary.BigEndian.AppendUint32(out, 1) // MINIMUM_COMPATIBLE_VERSION
	}
	if len(s.in) > 0 {
		c := snappy.Encode(nil, s.in)
		out = binary.BigEndian.AppendUint32(out, uint32(len(c)))
		out = append(out, c...)
		s.in = s.in[:0]
	}
	_, err := s.w.Write(out)
	return err
}

// Close writes what is buffered (and the header of an empty stream).
func (s *SnappyJavaWriter) Close() error { return s.flush() }
