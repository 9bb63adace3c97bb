// Package storage gives the layers below the pipeline their only view of where
// bytes live: random-access files with a known size, and a walk over paths. Local
// disk is one implementation; S3 is another. Nothing below this package knows which.
package storage

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
)

// File is a component file open for concurrent random access.
type File interface {
	io.ReaderAt
	io.Closer
	Size() int64
	Name() string
}

// Store opens, reads and lists files.
type Store interface {
	// Open opens path for random access. A missing file is an error wrapping
	// fs.ErrNotExist.
	Open(path string) (File, error)
	// ReadFile reads a whole (small) file, at most limit bytes.
	ReadFile(path string, limit int64) ([]byte, error)
	// Walk calls fn for every regular file under root (or root itself if it is a
	// file), in lexical order.
	Walk(root string, fn func(path string, size int64) error) error
	// Exists reports whether path names an existing file.
	Exists(path string) bool
}

// Local is the local file system.
type Local struct{}

var _ Store = Local{}

type localFile struct {
	*os.File
	size int64
}

func (f *localFile) Size() int64 { return f.size }

// ErrNotRegular is an Open of something that is not a regular file (a FIFO, a
// device, a socket or a directory named like a component): opening a FIFO
// would block until a writer comes, and none of them holds an SSTable.
var ErrNotRegular = errors.New("not a regular file")

// Open opens a local file; *os.File's ReadAt is safe for concurrent use. Only
// regular files (or links to them) open: anything else is ErrNotRegular,
// decided before the open, and the open itself does not block (O_NONBLOCK) if
// the file is swapped for a FIFO in between.
func (Local) Open(path string) (File, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if !st.Mode().IsRegular() {
		return nil, notRegular(path, st.Mode())
	}
	f, err := os.OpenFile(path, os.O_RDONLY|syscall.O_NONBLOCK, 0)
	if err != nil {
		return nil, err
	}
	if st, err = f.Stat(); err != nil {
		f.Close()
		return nil, err
	}
	if !st.Mode().IsRegular() {
		f.Close()
		return nil, notRegular(path, st.Mode())
	}
	return &localFile{File: f, size: st.Size()}, nil
}

func notRegular(path string, m fs.FileMode) error {
	kind := "special file"
	switch {
	case m.IsDir():
		kind = "directory"
	case m&fs.ModeNamedPipe != 0:
		kind = "FIFO"
	case m&fs.ModeDevice != 0:
		kind = "device"
	case m&fs.ModeSocket != 0:
		kind = "socket"
	}
	return fmt.Errorf("%s: a %s: %w", path, kind, ErrNotRegular)
}

// ErrTooLarge is returned by ReadFile for a file above its limit.
var ErrTooLarge = errors.New("file too large")

// ReadFile reads a whole file of at most limit bytes.
func (l Local) ReadFile(path string, limit int64) ([]byte, error) {
	f, err := l.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	if f.Size() > limit {
		return nil, fmt.Errorf("%s: %d bytes, limit %d: %w", path, f.Size(), limit, ErrTooLarge)
	}
	b := make([]byte, f.Size())
	if _, err := f.ReadAt(b, 0); err != nil && err != io.EOF {
		return nil, err
	}
	return b, nil
}

// Walk visits regular files under root; symbolic links to files are followed.
func (Local) Walk(root string, fn func(path string, size int64) error) error {
	return filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			return nil
		}
		info, err := os.Stat(path)
		if err != nil {
			return err
		}
		if !info.Mode().IsRegular() {
			return nil
		}
		return fn(path, info.Size())
	})
}

// Exists reports whether path exists.
func (Local) Exists(path string) bool {
	_, err := os.Stat(path)
	return err == nil
}

// FileInfo is what a store says of a file without reading it: its size and,
// where the store versions objects (S3), its ETag. A plan pins both, so that a
// later run can tell that a file was replaced.
type FileInfo struct {
	Size int64
	ETag string // "" when the store has none (local disk)
}

// Statter is implemented by stores that can describe a file without opening it.
type Statter interface {
	Stat(path string) (FileInfo, error)
}

// Stat describes path: through the store's Stat when it has one, else by
// opening it for its size. A missing file wraps fs.ErrNotExist.
func Stat(s Store, path string) (FileInfo, error) {
	if st, ok := s.(Statter); ok {
		return st.Stat(path)
	}
	f, err := s.Open(path)
	if err != nil {
		return FileInfo{}, err
	}
	defer f.Close()
	return FileInfo{Size: f.Size()}, nil
}

var _ Statter = Local{}

// Stat returns a local file's size.
func (Local) Stat(path string) (FileInfo, error) {
	st, err := os.Stat(path)
	if err != nil {
		return FileInfo{}, err
	}
	if !st.Mode().IsRegular() {
		return FileInfo{}, fmt.Errorf("%s: not a regular file", path)
	}
	return FileInfo{Size: st.Size()}, nil
}
