package storage

import (
	"bytes"
	"fmt"
	"io"
	"os"

	"github.com/golang/snappy"
)

// framedMagic starts every Snappy framing-format stream (the stream identifier chunk).
var framedMagic = []byte("\xff\x06\x00\x00sNaPpY")

// SnappyFramed reads, through Inner, files that a backup tool stored
// Snappy-framed on top of Cassandra's own compression (Priam). The framing has
// no index, so Open decompresses a framed file once, sequentially, into an
// unlinked temporary file and serves ReadAt from there. Files that do not start
// with the framing's stream identifier are passed through.
type SnappyFramed struct {
	Inner   Store
	TempDir string // "" is os.TempDir()
}

var _ Store = SnappyFramed{}

func (s SnappyFramed) Walk(root string, fn func(path string, size int64) error) error {
	return s.Inner.Walk(root, fn)
}

func (s SnappyFramed) Exists(path string) bool { return s.Inner.Exists(path) }

func isFramed(f File) bool {
	head := make([]byte, len(framedMagic))
	n, _ := f.ReadAt(head, 0)
	return n == len(head) && bytes.Equal(head, framedMagic)
}

// Open returns the decompressed file.
func (s SnappyFramed) Open(path string) (File, error) {
	f, err := s.Inner.Open(path)
	if err != nil || !isFramed(f) {
		return f, err
	}
	defer f.Close()
	tmp, err := os.CreateTemp(s.TempDir, "aegisthus-unframed-*")
	if err != nil {
		return nil, err
	}
	os.Remove(tmp.Name()) // gone when closed
	n, err := io.Copy(tmp, snappy.NewReader(io.NewSectionReader(f, 0, f.Size())))
	if err != nil {
		tmp.Close()
		return nil, fmt.Errorf("%s: snappy-framed: %w", path, err)
	}
	return &unframedFile{localFile: localFile{File: tmp, size: n}, name: path}, nil
}

type unframedFile struct {
	localFile
	name string
}

func (f *unframedFile) Name() string { return f.name }

// ReadFile reads and decompresses a whole small file, at most limit bytes of it.
func (s SnappyFramed) ReadFile(path string, limit int64) ([]byte, error) {
	f, err := s.Inner.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var r io.Reader = io.NewSectionReader(f, 0, f.Size())
	if isFramed(f) {
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
