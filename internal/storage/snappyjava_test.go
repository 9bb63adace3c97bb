package storage

import (
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math/rand"
	"os"
	"path/filepath"
	"testing"

	"github.com/golang/snappy"
)

func javaStream(t *testing.T, data []byte) []byte {
	t.Helper()
	var b bytes.Buffer
	w := NewSnappyJavaWriter(&b)
	// Priam's ChunkedStream writes 2 KiB at a time.
	for p := data; len(p) > 0; {
		k := min(2048, len(p))
		w.Write(p[:k])
		p = p[k:]
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

// TestSnappyJava: the stream SnappyOutputStream writes (header, 32 KiB blocks),
// concatenated streams, the raw-block fallback, and the errors.
func TestSnappyJava(t *testing.T) {
	data := make([]byte, 100_000)
	rand.New(rand.NewSource(1)).Read(data[:50_000]) // half incompressible
	s := javaStream(t, data)
	if !bytes.HasPrefix(s, []byte("\x82SNAPPY\x00\x00\x00\x00\x01\x00\x00\x00\x01")) {
		t.Fatalf("header % x", s[:16])
	}
	if n := binary.BigEndian.Uint32(s[16:]); int(n) > len(s) {
		t.Fatalf("first block length %d", n)
	}
	for _, tc := range []struct {
		name string
		in   []byte
		want []byte
	}{
		{"stream", s, data},
		{"empty", javaStream(t, nil), nil},
		{"concatenated", append(append([]byte{}, s...), javaStream(t, []byte("tail"))...), append(append([]byte{}, data...), "tail"...)},
		{"raw block", snappy.Encode(nil, data), data},
	} {
		got, err := io.ReadAll(NewSnappyJavaReader(bytes.NewReader(tc.in)))
		if err != nil || !bytes.Equal(got, tc.want) {
			t.Errorf("%s: %d bytes, %v; want %d", tc.name, len(got), err, len(tc.want))
		}
	}
	for name, in := range map[string][]byte{
		"truncated":   s[:len(s)-3],
		"bad version": append([]byte("\x82SNAPPY\x00\x00\x00\x00\x02\x00\x00\x00\x02"), s[16:]...),
		"not snappy":  []byte("plain text that is no snappy block"),
	} {
		if _, err := io.ReadAll(NewSnappyJavaReader(bytes.NewReader(in))); !errors.Is(err, ErrSnappyJava) {
			t.Errorf("%s: %v, want ErrSnappyJava", name, err)
		}
	}
}

// FuzzSnappyJava: any input is decoded or refused with ErrSnappyJava, never a
// panic or an allocation its few bytes do not justify; whatever the writer
// wrote reads back unchanged. Seeds: streams of the sample snapshot's real
// SSTable components.
func FuzzSnappyJava(f *testing.F) {
	names, _ := filepath.Glob("../../testdata/sample-snapshot/node1/*/*/snapshots/*/*")
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil || len(b) > 1<<20 {
			continue
		}
		var s bytes.Buffer
		w := NewSnappyJavaWriter(&s)
		w.Write(b)
		w.Close()
		f.Add(s.Bytes())
		if len(b) > 64 {
			f.Add(b[:64]) // no header
		}
	}
	f.Add([]byte(SnappyJavaMagic + "\x00\x00\x00\x01\x00\x00\x00\x01\xff\xff\xff\xff"))
	f.Fuzz(func(t *testing.T, in []byte) {
		out, err := io.ReadAll(NewSnappyJavaReader(bytes.NewReader(in)))
		if err != nil && !errors.Is(err, ErrSnappyJava) {
			t.Fatalf("error %v is not ErrSnappyJava", err)
		}
		if err == nil && len(out) > 32*len(in)+32 {
			t.Fatalf("%d bytes decoded from %d", len(out), len(in))
		}
		var s bytes.Buffer
		w := NewSnappyJavaWriter(&s)
		w.Write(in)
		w.Close()
		back, err := io.ReadAll(NewSnappyJavaReader(&s))
		if err != nil || !bytes.Equal(back, in) {
			t.Fatalf("round trip of %d bytes: %d bytes back, %v", len(in), len(back), err)
		}
	})
}
