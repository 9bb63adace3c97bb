// Package sinktest is the conformance suite every sink.Sink passes: files appear
// only on Commit, Abort leaves nothing, small files round-trip, listing is
// sorted and leaves out files in flight, and missing files wrap fs.ErrNotExist.
package sinktest

import (
	"bytes"
	"context"
	"crypto/sha256"
	"errors"
	"io"
	"io/fs"
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/aegisthus/aegisthus/internal/sink"
)

// Pender is implemented by sinks that can list uploads in flight (S3 multipart
// uploads). The suite checks that none is left after Commit or Abort.
type Pender interface {
	Pending(ctx context.Context) ([]string, error)
}

// Options tune the suite.
type Options struct {
	// LargeSize is the size of the file written in several writes; pick it
	// above the sink's multipart part size so several parts go up (default 1 MiB).
	LargeSize int
}

// Run runs the suite. newSink returns an empty sink for each subtest.
func Run(t *testing.T, newSink func(t *testing.T) sink.Sink, o Options) {
	if o.LargeSize <= 0 {
		o.LargeSize = 1 << 20
	}
	for _, c := range []struct {
		name string
		run  func(t *testing.T, ctx context.Context, s sink.Sink, o Options)
	}{
		{"commit", testCommit},
		{"abort", testAbort},
		{"large", testLarge},
		{"abort-large", testAbortLarge},
		{"put-get-remove", testPutGetRemove},
		{"missing", testMissing},
		{"concurrent", testConcurrent},
		{"sub", testSub},
	} {
		t.Run(c.name, func(t *testing.T) { c.run(t, context.Background(), newSink(t), o) })
	}
}

func testCommit(t *testing.T, ctx context.Context, s sink.Sink, _ Options) {
	w, err := s.Create(ctx, "part-00000.jsonl")
	must(t, err)
	write(t, w, []byte("{\"a\":1}\n"))
	write(t, w, []byte("{\"a\":2}\n"))
	if names := list(t, s); slices.Contains(names, "part-00000.jsonl") {
		t.Fatalf("file listed before commit: %v", names)
	}
	if _, err := s.Get(ctx, "part-00000.jsonl"); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Get before commit: %v, want fs.ErrNotExist", err)
	}
	must(t, w.Commit())
	if err := w.Commit(); err == nil {
		t.Errorf("second Commit succeeded")
	}
	if err := w.Abort(); err != nil {
		t.Errorf("Abort after Commit: %v", err)
	}
	got, err := s.Get(ctx, "part-00000.jsonl")
	must(t, err)
	if string(got) != "{\"a\":1}\n{\"a\":2}\n" {
		t.Fatalf("Get = %q", got)
	}
	if names := list(t, s); !slices.Equal(names, []string{"part-00000.jsonl"}) {
		t.Fatalf("List = %v", names)
	}
	noPending(t, s)
}

func testAbort(t *testing.T, ctx context.Context, s sink.Sink, _ Options) {
	w, err := s.Create(ctx, "part-00001.jsonl")
	must(t, err)
	write(t, w, bytes.Repeat([]byte("x"), 1000))
	must(t, w.Abort())
	if names := list(t, s); len(names) != 0 {
		t.Fatalf("List after Abort = %v", names)
	}
	if _, err := s.Get(ctx, "part-00001.jsonl"); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Get after Abort: %v, want fs.ErrNotExist", err)
	}
	noPending(t, s)
}

func testLarge(t *testing.T, ctx context.Context, s sink.Sink, o Options) {
	data := make([]byte, o.LargeSize)
	r := rand.New(rand.NewPCG(1, 2))
	for i := range data {
		data[i] = byte(r.Uint32())
	}
	w, err := s.Create(ctx, "big")
	must(t, err)
	for b := data; len(b) > 0; {
		n := min(len(b), 100_003)
		write(t, w, b[:n])
		b = b[n:]
	}
	must(t, w.Commit())
	rc, err := s.Open(ctx, "big")
	must(t, err)
	h := sha256.New()
	n, err := io.Copy(h, rc)
	rc.Close()
	must(t, err)
	if n != int64(len(data)) || !bytes.Equal(h.Sum(nil), sha(data)) {
		t.Fatalf("read back %d bytes that differ from the %d written", n, len(data))
	}
	noPending(t, s)
}

func testAbortLarge(t *testing.T, ctx context.Context, s sink.Sink, o Options) {
	w, err := s.Create(ctx, "big")
	must(t, err)
	chunk := bytes.Repeat([]byte("y"), 100_000)
	for written := 0; written < o.LargeSize; written += len(chunk) {
		write(t, w, chunk)
	}
	must(t, w.Abort())
	if names := list(t, s); len(names) != 0 {
		t.Fatalf("List after Abort = %v", names)
	}
	noPending(t, s)
}

func testPutGetRemove(t *testing.T, ctx context.Context, s sink.Sink, _ Options) {
	must(t, s.Put(ctx, "_b.json", []byte("2")))
	must(t, s.Put(ctx, "_a.json", []byte("1")))
	must(t, s.Put(ctx, "_SUCCESS", nil))
	must(t, s.Put(ctx, "_a.json", []byte("11")))
	got, err := s.Get(ctx, "_a.json")
	must(t, err)
	if string(got) != "11" {
		t.Fatalf("Get after overwrite = %q", got)
	}
	if got, err := s.Get(ctx, "_SUCCESS"); err != nil || len(got) != 0 {
		t.Fatalf("Get empty file = %q, %v", got, err)
	}
	if names := list(t, s); !slices.Equal(names, []string{"_SUCCESS", "_a.json", "_b.json"}) {
		t.Fatalf("List = %v", names)
	}
	must(t, s.Remove(ctx, "_a.json"))
	must(t, s.Remove(ctx, "_a.json")) // missing is fine
	if names := list(t, s); !slices.Equal(names, []string{"_SUCCESS", "_b.json"}) {
		t.Fatalf("List after Remove = %v", names)
	}
}

func testMissing(t *testing.T, ctx context.Context, s sink.Sink, _ Options) {
	if _, err := s.Get(ctx, "nope"); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Get missing: %v, want fs.ErrNotExist", err)
	}
	if rc, err := s.Open(ctx, "nope"); !errors.Is(err, fs.ErrNotExist) {
		if rc != nil {
			rc.Close()
		}
		t.Errorf("Open missing: %v, want fs.ErrNotExist", err)
	}
	if names := list(t, s); len(names) != 0 {
		t.Errorf("List of empty sink = %v", names)
	}
	if s.String() == "" {
		t.Errorf("String is empty")
	}
}

func testConcurrent(t *testing.T, ctx context.Context, s sink.Sink, _ Options) {
	errs := make(chan error, 4)
	for i := range 4 {
		go func() {
			name := []string{"p0", "p1", "p2", "p3"}[i]
			w, err := s.Create(ctx, name)
			if err != nil {
				errs <- err
				return
			}
			if _, err := w.Write([]byte(name)); err != nil {
				w.Abort()
				errs <- err
				return
			}
			if i == 3 {
				errs <- w.Abort()
				return
			}
			errs <- w.Commit()
		}()
	}
	for range 4 {
		must(t, <-errs)
	}
	if names := list(t, s); !slices.Equal(names, []string{"p0", "p1", "p2"}) {
		t.Fatalf("List = %v", names)
	}
	noPending(t, s)
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

func write(t *testing.T, w sink.Writer, b []byte) {
	t.Helper()
	if n, err := w.Write(b); err != nil || n != len(b) {
		t.Fatalf("Write: %d of %d bytes: %v", n, len(b), err)
	}
}

func list(t *testing.T, s sink.Sink) []string {
	t.Helper()
	names, err := s.List(context.Background())
	must(t, err)
	return names
}

func noPending(t *testing.T, s sink.Sink) {
	t.Helper()
	p, ok := s.(Pender)
	if !ok {
		return
	}
	keys, err := p.Pending(context.Background())
	must(t, err)
	if len(keys) != 0 {
		t.Fatalf("uploads left open: %v", keys)
	}
}

func sha(b []byte) []byte {
	h := sha256.Sum256(b)
	return h[:]
}

// testSub: a Tree's subdirectory holds its own files, listed apart from the
// parent's, and shows up in the parent's Dirs.
func testSub(t *testing.T, ctx context.Context, s sink.Sink, _ Options) {
	if _, ok := s.(sink.Tree); !ok {
		t.Skip("not a sink.Tree")
	}
	must(t, s.Put(ctx, "_SUCCESS", nil))
	sub, err := sink.Sub(s, "ks/t")
	must(t, err)
	w, err := sub.Create(ctx, "part-00000.jsonl")
	must(t, err)
	write(t, w, []byte("{}\n"))
	must(t, w.Commit())
	must(t, sub.Put(ctx, "_manifest.json", []byte("{}")))
	if got := list(t, sub); !slices.Equal(got, []string{"_manifest.json", "part-00000.jsonl"}) {
		t.Fatalf("sub lists %v", got)
	}
	if got := list(t, s); !slices.Equal(got, []string{"_SUCCESS"}) {
		t.Fatalf("parent lists %v", got)
	}
	dirs, err := s.(sink.Tree).Dirs(ctx)
	must(t, err)
	if !slices.Equal(dirs, []string{"ks"}) {
		t.Fatalf("parent dirs %v", dirs)
	}
	ks, err := sink.Sub(s, "ks")
	must(t, err)
	if dirs, err := ks.(sink.Tree).Dirs(ctx); err != nil || !slices.Equal(dirs, []string{"t"}) {
		t.Fatalf("ks dirs %v %v", dirs, err)
	}
	b, err := sub.Get(ctx, "part-00000.jsonl")
	must(t, err)
	if string(b) != "{}\n" {
		t.Fatalf("read back %q", b)
	}
	for _, bad := range []string{"", "../x", "a//b", "/a"} {
		if _, err := sink.Sub(s, bad); err == nil {
			t.Errorf("Sub(%q) accepted", bad)
		}
	}
}
