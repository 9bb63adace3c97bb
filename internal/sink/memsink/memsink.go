// Package memsink is a sink.Sink in memory, for tests of what an export
// writes: no disk, and every file can be read back or broken in place.
package memsink

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"maps"
	"slices"
	"strings"
	"sync"

	"github.com/aegisthus/aegisthus/internal/sink"
)

// Sink keeps committed files in a map. It is safe for concurrent use. A Sub
// shares its parent's map, its names prefixed with its directory.
type Sink struct {
	*files
	prefix string // "" or ending in "/"
}

type files struct {
	mu    sync.Mutex
	files map[string][]byte
}

var _ sink.Tree = (*Sink)(nil)

// New returns an empty sink.
func New() *Sink { return &Sink{files: &files{files: map[string][]byte{}}} }

func (s *Sink) String() string { return "mem:" + strings.TrimSuffix(s.prefix, "/") }

// Sub returns the sink of subdirectory dir, sharing s's files.
func (s *Sink) Sub(dir string) (sink.Sink, error) {
	if err := sink.CheckDir(dir); err != nil {
		return nil, err
	}
	return &Sink{files: s.files, prefix: s.prefix + dir + "/"}, nil
}

// Dirs returns the subdirectories holding files.
func (s *Sink) Dirs(context.Context) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	seen := map[string]bool{}
	for n := range s.files.files {
		if rest, ok := strings.CutPrefix(n, s.prefix); ok {
			if d, _, ok := strings.Cut(rest, "/"); ok {
				seen[d] = true
			}
		}
	}
	return slices.Sorted(maps.Keys(seen)), nil
}

// Create buffers the file until Commit.
func (s *Sink) Create(_ context.Context, name string) (sink.Writer, error) {
	return &writer{s: s, name: s.prefix + name}, nil
}

// Put stores a copy of data under name.
func (s *Sink) Put(_ context.Context, name string, data []byte) error {
	s.store(s.prefix+name, bytes.Clone(data))
	return nil
}

func (s *Sink) store(name string, data []byte) {
	if data == nil {
		data = []byte{}
	}
	s.mu.Lock()
	s.files.files[name] = data
	s.mu.Unlock()
}

// Get returns a copy of the file; a missing one wraps fs.ErrNotExist.
func (s *Sink) Get(_ context.Context, name string) ([]byte, error) {
	s.mu.Lock()
	b, ok := s.files.files[s.prefix+name]
	s.mu.Unlock()
	if !ok {
		return nil, fmt.Errorf("%s: %w", name, fs.ErrNotExist)
	}
	return bytes.Clone(b), nil
}

// Open reads the file as it is now.
func (s *Sink) Open(ctx context.Context, name string) (io.ReadCloser, error) {
	b, err := s.Get(ctx, name)
	if err != nil {
		return nil, err
	}
	return io.NopCloser(bytes.NewReader(b)), nil
}

// List returns the committed names directly in the sink's directory, sorted.
func (s *Sink) List(context.Context) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []string
	for n := range s.files.files {
		if rest, ok := strings.CutPrefix(n, s.prefix); ok && !strings.Contains(rest, "/") {
			out = append(out, rest)
		}
	}
	slices.Sort(out)
	return out, nil
}

// Remove deletes name; a missing file is not an error.
func (s *Sink) Remove(_ context.Context, name string) error {
	s.mu.Lock()
	delete(s.files.files, s.prefix+name)
	s.mu.Unlock()
	return nil
}

// Files returns every committed file, subdirectories' included under their
// slash-separated paths (shared: don't modify them; use Put).
func (s *Sink) Files() map[string][]byte {
	s.mu.Lock()
	defer s.mu.Unlock()
	return maps.Clone(s.files.files)
}

type writer struct {
	s    *Sink
	name string
	buf  []byte
	done bool
}

func (w *writer) Write(p []byte) (int, error) {
	if w.done {
		return 0, errors.New("memsink: write after commit or abort")
	}
	w.buf = append(w.buf, p...)
	return len(p), nil
}

// Commit makes the file visible under its name.
func (w *writer) Commit() error {
	if w.done {
		return errors.New("memsink: commit after commit or abort")
	}
	w.done = true
	w.s.store(w.name, w.buf)
	return nil
}

// Abort drops the file.
func (w *writer) Abort() error {
	w.done, w.buf = true, nil
	return nil
}
