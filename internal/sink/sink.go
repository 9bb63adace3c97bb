// Package sink is where an export's files go: a local directory (Local) or an S3
// prefix. Part files are written under a temporary name and appear under their
// final name only when Commit succeeds, so a reader never sees half a part.
package sink

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// ErrOutput marks a failure to store an export's files (disk full, S3 error),
// as opposed to bad input: callers wrap the sink's error with it, and only main
// turns it into an exit code.
var ErrOutput = errors.New("output")

// Sink stores the files of one export.
type Sink interface {
	// Create starts a file; it becomes visible under name on Commit.
	Create(ctx context.Context, name string) (Writer, error)
	// Put writes a small file atomically.
	Put(ctx context.Context, name string, data []byte) error
	// Get reads a small file; a missing file wraps fs.ErrNotExist.
	Get(ctx context.Context, name string) ([]byte, error)
	// Open reads a file as a stream (for checksum verification on resume).
	Open(ctx context.Context, name string) (io.ReadCloser, error)
	// List returns the names of the committed files, sorted; a sink's lock
	// (LockFile) is not one of them.
	List(ctx context.Context) ([]string, error)
	// Remove deletes a file; a missing file is not an error.
	Remove(ctx context.Context, name string) error
	// String names the destination for messages.
	String() string
}

// Cleaner is implemented by sinks that can clear what an interrupted write of
// a file left behind: a local temporary file, an open S3 multipart upload. An
// export calls it only with names it writes itself, and only after it has
// checked the output, so nothing another program or run owns is touched.
type Cleaner interface {
	Cleanup(ctx context.Context, names []string) error
}

// Writer is a file being written.
type Writer interface {
	io.Writer
	// Commit makes the file visible under its name.
	Commit() error
	// Abort discards the file.
	Abort() error
}

// Local is a directory on local disk.
type Local struct{ Dir string }

var _ Sink = (*Local)(nil)

// NewLocal returns a sink writing into dir, creating it if needed.
func NewLocal(dir string) (*Local, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return nil, err
	}
	return &Local{Dir: dir}, nil
}

func (l *Local) String() string { return l.Dir }

const tmpPrefix = ".tmp-"

type localWriter struct {
	f    *os.File
	name string
	done bool
}

// Create writes to a hidden temporary file in the same directory, named for
// name alone, so that creating name again replaces what an interrupted write
// of it left. Two writers of one name in one directory are the caller's to
// prevent (an export holds a lock on its output).
func (l *Local) Create(_ context.Context, name string) (Writer, error) {
	f, err := os.OpenFile(filepath.Join(l.Dir, tmpPrefix+name), os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o644)
	if err != nil {
		return nil, err
	}
	return &localWriter{f: f, name: filepath.Join(l.Dir, name)}, nil
}

// Shared is implemented by sinks in which several writers may write one
// name at once, each under a temporary name or upload of its own, the last
// Commit winning: two attempts of one shard of a scaled-out export (a retry
// racing a task thought lost, speculative execution), which write the same
// bytes. Create, by contrast, replaces what an earlier write of the name left,
// which would break a writer still running.
type Shared interface {
	CreateShared(ctx context.Context, name string) (Writer, error)
}

var _ Shared = (*Local)(nil)

// CreateShared writes to a temporary file of this writer's own
// (".tmp-<name>-<digits>", which Cleanup removes once no writer runs).
func (l *Local) CreateShared(_ context.Context, name string) (Writer, error) {
	f, err := os.CreateTemp(l.Dir, tmpPrefix+name+"-*")
	if err != nil {
		return nil, err
	}
	return &localWriter{f: f, name: filepath.Join(l.Dir, name)}, nil
}

// PutShared writes a small file as Put does, through CreateShared when s has
// it: a file several writers may put at once.
func PutShared(ctx context.Context, s Sink, name string, data []byte) error {
	sh, ok := s.(Shared)
	if !ok {
		return s.Put(ctx, name, data)
	}
	w, err := sh.CreateShared(ctx, name)
	return writeAll(w, err, data)
}

// writeAll writes data into a file just created (w, err) and commits it.
func writeAll(w Writer, err error, data []byte) error {
	if err != nil {
		return err
	}
	if _, err := w.Write(data); err != nil {
		w.Abort()
		return err
	}
	return w.Commit()
}

func (w *localWriter) Write(p []byte) (int, error) { return w.f.Write(p) }

// Commit syncs, closes and renames the file into place.
func (w *localWriter) Commit() error {
	if w.done {
		return errors.New("sink: commit after commit or abort")
	}
	w.done = true
	// An export is meant to be read by others, whatever the umask.
	if err := w.f.Chmod(0o644); err != nil {
		w.f.Close()
		os.Remove(w.f.Name())
		return err
	}
	if err := w.f.Sync(); err != nil {
		w.f.Close()
		os.Remove(w.f.Name())
		return err
	}
	if err := w.f.Close(); err != nil {
		os.Remove(w.f.Name())
		return err
	}
	if err := os.Rename(w.f.Name(), w.name); err != nil {
		os.Remove(w.f.Name())
		return err
	}
	return nil
}

// Abort removes the temporary file.
func (w *localWriter) Abort() error {
	if w.done {
		return nil
	}
	w.done = true
	w.f.Close()
	return os.Remove(w.f.Name())
}

// Put writes data to name atomically.
func (l *Local) Put(ctx context.Context, name string, data []byte) error {
	w, err := l.Create(ctx, name)
	return writeAll(w, err, data)
}

// Get reads name.
func (l *Local) Get(_ context.Context, name string) ([]byte, error) {
	return os.ReadFile(filepath.Join(l.Dir, name))
}

// Open opens name for reading.
func (l *Local) Open(_ context.Context, name string) (io.ReadCloser, error) {
	return os.Open(filepath.Join(l.Dir, name))
}

// List returns committed file names (temporary files and the lock are left out).
func (l *Local) List(_ context.Context) ([]string, error) {
	return l.entries(func(e fs.DirEntry) bool {
		return e.Type().IsRegular() && !strings.HasPrefix(e.Name(), tmpPrefix) && e.Name() != LockFile
	})
}

// entries returns the sorted names of the entries of l.Dir that keep keeps;
// a missing directory has none.
func (l *Local) entries(keep func(fs.DirEntry) bool) ([]string, error) {
	ents, err := os.ReadDir(l.Dir)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return nil, nil
		}
		return nil, err
	}
	var out []string
	for _, e := range ents {
		if keep(e) {
			out = append(out, e.Name())
		}
	}
	slices.Sort(out)
	return out, nil
}

// Remove deletes name.
func (l *Local) Remove(_ context.Context, name string) error {
	err := os.Remove(filepath.Join(l.Dir, name))
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

var _ Cleaner = (*Local)(nil)

// Cleanup removes the temporary files an interrupted Create of one of names
// left behind (".tmp-<name>", or ".tmp-<name>-<digits>" as versions before
// 2026-12 named them), and nothing else.
func (l *Local) Cleanup(_ context.Context, names []string) error {
	ents, err := os.ReadDir(l.Dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	} else if err != nil {
		return err
	}
	want := make(map[string]bool, len(names))
	for _, n := range names {
		want[n] = true
	}
	for _, e := range ents {
		rest, ok := strings.CutPrefix(e.Name(), tmpPrefix)
		if !ok {
			continue
		}
		if i := strings.LastIndexByte(rest, '-'); !want[rest] && (i < 0 || !want[rest[:i]] || !allDigits(rest[i+1:])) {
			continue
		}
		if err := os.Remove(filepath.Join(l.Dir, e.Name())); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("removing %s: %w", e.Name(), err)
		}
	}
	return nil
}

func allDigits(s string) bool {
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return s != ""
}

// Tree is a sink holding other sinks in subdirectories: the output of a
// many-table export, one complete export per OUT/<keyspace>/<table>/.
type Tree interface {
	Sink
	// Sub returns the sink of subdirectory dir ("ks/t": slash-separated,
	// relative). Nothing is created until a file is written into it.
	Sub(dir string) (Sink, error)
	// Dirs returns the names of the subdirectories directly below, sorted.
	Dirs(ctx context.Context) ([]string, error)
}

// Sub returns the sink of subdirectory dir of s, or an error when s cannot
// hold subdirectories.
func Sub(s Sink, dir string) (Sink, error) {
	t, ok := s.(Tree)
	if !ok {
		return nil, fmt.Errorf("%s: this output cannot hold subdirectories", s)
	}
	if err := CheckDir(dir); err != nil {
		return nil, err
	}
	return t.Sub(dir)
}

// CheckDir refuses a subdirectory name that would leave its parent.
func CheckDir(dir string) error {
	if dir == "" || strings.HasPrefix(dir, "/") || strings.HasSuffix(dir, "/") {
		return fmt.Errorf("bad subdirectory %q", dir)
	}
	for _, p := range strings.Split(dir, "/") {
		if p == "" || p == "." || p == ".." || strings.ContainsRune(p, '\\') {
			return fmt.Errorf("bad subdirectory %q", dir)
		}
	}
	return nil
}

var _ Tree = (*Local)(nil)

// Sub returns the sink of l.Dir/dir, creating the directory.
func (l *Local) Sub(dir string) (Sink, error) {
	return NewLocal(filepath.Join(l.Dir, filepath.FromSlash(dir)))
}

// Dirs returns the subdirectories of l.Dir.
func (l *Local) Dirs(_ context.Context) ([]string, error) {
	return l.entries(fs.DirEntry.IsDir)
}
