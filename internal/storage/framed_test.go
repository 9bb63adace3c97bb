package storage

import (
	"bytes"
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"

	"github.com/golang/snappy"
)

func TestSnappyFramed(t *testing.T) {
	dir := t.TempDir()
	data := bytes.Repeat([]byte("cassandra chunk "), 50_000) // several 64 KiB frames
	var framed bytes.Buffer
	w := snappy.NewBufferedWriter(&framed)
	w.Write(data)
	w.Close()
	os.WriteFile(filepath.Join(dir, "framed"), framed.Bytes(), 0o644)
	os.WriteFile(filepath.Join(dir, "plain"), data[:1000], 0o644)
	os.WriteFile(filepath.Join(dir, "corrupt"), append(framed.Bytes()[:200:200], 0xff, 0xff, 0xff), 0o644)

	s := SnappyFramed{Inner: Local{}}
	f, err := s.Open(filepath.Join(dir, "framed"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.Size() != int64(len(data)) || f.Name() != filepath.Join(dir, "framed") {
		t.Fatalf("Size %d Name %s, want %d bytes", f.Size(), f.Name(), len(data))
	}
	got := make([]byte, 5000)
	if _, err := f.ReadAt(got, 300_000); err != nil || !bytes.Equal(got, data[300_000:305_000]) {
		t.Fatalf("ReadAt in the middle: %v", err)
	}
	if b, err := s.ReadFile(filepath.Join(dir, "framed"), int64(len(data))); err != nil || !bytes.Equal(b, data) {
		t.Fatalf("ReadFile: %d bytes, %v", len(b), err)
	}
	if _, err := s.ReadFile(filepath.Join(dir, "framed"), 100); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("ReadFile over the limit: %v", err)
	}
	p, err := s.Open(filepath.Join(dir, "plain"))
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	b, _ := io.ReadAll(io.NewSectionReader(p, 0, p.Size()))
	if !bytes.Equal(b, data[:1000]) {
		t.Fatal("a file that is not framed is not passed through")
	}
	if _, err := s.Open(filepath.Join(dir, "corrupt")); err == nil {
		t.Fatal("corrupt framing opened")
	}
}
