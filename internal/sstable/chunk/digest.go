package chunk

import (
	"bytes"
	"crypto/sha1"
	"encoding/hex"
	"fmt"
	"hash"
	"hash/adler32"
	"hash/crc32"
	"io"
	"strconv"

	"github.com/aegisthus/aegisthus/internal/sstable/format"
	"github.com/aegisthus/aegisthus/internal/sstable/wire"
)

// digestBlock is how much of Data.db a digest check reads at a time.
const digestBlock = 1 << 20

// digestKind is what a Digest.* file holds.
type digestKind uint8

const (
	digestCRC32 digestKind = iota
	digestAdler32
	digestSHA1
)

func (k digestKind) String() string {
	switch k {
	case digestAdler32:
		return "adler32"
	case digestSHA1:
		return "sha1"
	}
	return "crc32"
}

// parsedDigest is a Digest.* file's expected value.
type parsedDigest struct {
	kind digestKind
	sum  uint32   // crc32 / adler32
	sha  [20]byte // sha1
}

// parseDigest reads the text of a Digest component (ChecksumWriter.writeFullChecksum):
//
//	Digest.crc32     decimal unsigned CRC32 (ma+)
//	Digest.adler32   decimal unsigned Adler32 (la, lb)
//	Digest.sha1      "<40 hex>  <Data.db name>" up to jb; decimal Adler32 in ka
//	                 (and in ScyllaDB's la)
//
// A decimal value under any other name takes its algorithm from the version:
// Adler32 before ma, CRC32 from ma on.
func parseDigest(component string, digest []byte, v format.Version) (parsedDigest, error) {
	t := bytes.TrimSpace(digest)
	if len(t) >= 40 && (len(t) == 40 || t[40] == ' ' || t[40] == '\t') {
		var d parsedDigest
		if _, err := hex.Decode(d.sha[:], t[:40]); err == nil {
			d.kind = digestSHA1
			return d, nil
		}
	}
	u, err := strconv.ParseUint(string(t), 10, 32)
	if err != nil {
		return parsedDigest{}, fmt.Errorf("%q: want a decimal checksum or 40 hex digits: %w", clip(t), wire.ErrCorrupt)
	}
	d := parsedDigest{sum: uint32(u)}
	switch {
	case component == format.DigestCRC32:
		d.kind = digestCRC32
	case component == format.DigestAdler32, component == format.DigestSHA1, !v.StoresRows():
		d.kind = digestAdler32
	default:
		d.kind = digestCRC32
	}
	return d, nil
}

func clip(b []byte) []byte {
	if len(b) > 64 {
		return b[:64]
	}
	return b
}

func (d parsedDigest) newHash() hash.Hash {
	switch d.kind {
	case digestAdler32:
		return adler32.New()
	case digestSHA1:
		return sha1.New()
	}
	return crc32.NewIEEE()
}

// matches compares a finished hash with the expected value, and formats both.
func (d parsedDigest) matches(h hash.Hash) (ok bool, want, got string) {
	if d.kind == digestSHA1 {
		s := h.Sum(nil)
		return bytes.Equal(s, d.sha[:]), hex.EncodeToString(d.sha[:]), hex.EncodeToString(s)
	}
	s := h.(hash.Hash32).Sum32()
	return s == d.sum, strconv.FormatUint(uint64(d.sum), 10), strconv.FormatUint(uint64(s), 10)
}

// VerifyDigest checks the whole-file digest of the Data.db at path (size bytes read
// through data) against digest, the content of its digestComponent
// (format.DigestCRC32, DigestAdler32 or DigestSHA1), for version v. It streams the
// file in 1 MiB reads. The digest covers Data.db exactly as stored, checksum words
// between compressed chunks included. (Compressed 2.1-era SSTables, and ScyllaDB's
// ka/la, left those words out of their Adler32: use Reader.VerifyDigest, which knows
// where they are and accepts either convention.)
//
// A mismatch, or a digest file that cannot be parsed, is a *wire.FormatError
// wrapping wire.ErrCorrupt; a read failure is returned with its location.
func VerifyDigest(path string, data io.ReaderAt, size int64, digestComponent string, digest []byte, v format.Version) error {
	d, err := parseDigest(digestComponent, digest, v)
	if err != nil {
		return wire.Locate(sibling(path, digestComponent), digestComponent, -1, err)
	}
	h := d.newHash()
	if _, err := io.CopyBuffer(h, io.NewSectionReader(data, 0, size), make([]byte, min(size, digestBlock)+1)); err != nil {
		return &wire.FormatError{Path: path, Component: format.Data, Offset: -1, Err: fmt.Errorf("digest: %w", err)}
	}
	if ok, want, got := d.matches(h); !ok {
		return wire.Errorf(path, digestComponent, -1, wire.ErrCorrupt, "%s digest of %d bytes mismatch: want %s, got %s",
			d.kind, size, want, got)
	}
	return nil
}

// VerifyDigest checks the whole-file digest of the Reader's Data.db, like the
// package-level VerifyDigest. For a compressed Data.db with an Adler32 digest
// (ka..lb) it also accepts the 2.1 convention, where the digest covers the chunk
// payloads but not the 4-byte checksum after each (cassandra-2.1
// DataIntegrityMetadata.ChecksumWriter; cassandra-2.2 appends the checksum words).
// Both are computed in one pass.
func (r *Reader) VerifyDigest(digestComponent string, digest []byte, v format.Version) error {
	d, err := parseDigest(digestComponent, digest, v)
	if err != nil {
		return wire.Locate(sibling(r.path, digestComponent), digestComponent, -1, err)
	}
	if r.info == nil || d.kind != digestAdler32 {
		return VerifyDigest(r.path, r.data, r.size, digestComponent, digest, v)
	}
	whole, payloads := d.newHash(), d.newHash()
	var buf []byte
	if len(r.info.Offsets) > 0 && r.info.Offsets[0] > 0 {
		// Bytes before the first chunk (never written by Cassandra) count for both.
		w := io.MultiWriter(whole, payloads)
		if _, err := io.Copy(w, io.NewSectionReader(r.data, 0, r.info.Offsets[0])); err != nil {
			return &wire.FormatError{Path: r.path, Component: format.Data, Offset: 0, Err: fmt.Errorf("digest: %w", err)}
		}
	}
	for i := 0; i < r.n; i++ {
		off, n := r.Span(i)
		if int64(cap(buf)) < n {
			buf = make([]byte, n)
		}
		b := buf[:n]
		if m, err := r.data.ReadAt(b, off); m < len(b) {
			return r.readError(i, off, len(b), m, err)
		}
		whole.Write(b)
		payloads.Write(b[:n-4])
	}
	okWhole, want, got := d.matches(whole)
	okPayloads, _, got2 := d.matches(payloads)
	if !okWhole && !okPayloads {
		return wire.Errorf(r.path, digestComponent, -1, wire.ErrCorrupt,
			"%s digest of %d bytes mismatch: want %s, got %s (%s without chunk checksums)",
			d.kind, r.size, want, got, got2)
	}
	return nil
}
