// Package wire decodes the primitives every Cassandra on-disk structure is made of:
// big-endian fixed-width integers, Cassandra's own variable-length integers (vints),
// and length-prefixed byte strings. It also defines the error classes every layer
// above returns, so that they can be tested with errors.Is without import cycles.
package wire

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
)

// Error classes. Every decoding failure wraps exactly one of them.
var (
	// ErrCorrupt means the bytes do not follow the format: a length points past the
	// end, a checksum does not match, a flag combination is impossible.
	ErrCorrupt = errors.New("corrupt")
	// ErrUnsupported means the bytes may be fine but name something this build does
	// not read: an unknown version, compressor class or type.
	ErrUnsupported = errors.New("unsupported")
	// ErrNeedsSchema marks input that cannot be read without the table's CQL
	// schema (pre-3.0 SSTables carry no column types). It comes beside one of
	// the classes above; the command line says how to give the schema.
	ErrNeedsSchema = errors.New("the table's CQL schema is needed")
)

// FormatError locates a decoding failure: which file, which component, at which byte
// offset of that component (for Data.db: the uncompressed offset unless the message
// says otherwise). It is added once, by the layer that knows the file.
//
// Its message names each of them once: the path; the component unless the path
// or the message already names it (a path ending in "-Data.db" is Data.db); the
// offset unless the message already states it ("chunk 2 at offset 7851",
// "row at 7277"). The fields stay for errors.As, tests and JSON logs.
type FormatError struct {
	Path      string // file path or s3:// URL
	Component string // e.g. "Data.db", "Statistics.db"
	Offset    int64  // -1 when unknown
	Err       error
}

func (e *FormatError) Error() string {
	msg := e.Err.Error()
	var b strings.Builder
	b.Grow(len(e.Path) + len(e.Component) + len(msg) + 32)
	b.WriteString(e.Path)
	if e.Component != "" && !strings.HasSuffix(e.Path, e.Component) && !strings.Contains(msg, e.Component) {
		b.WriteString(": ")
		b.WriteString(e.Component)
	}
	if e.Offset >= 0 && !NamesOffset(msg, e.Offset) {
		b.WriteString(": offset ")
		b.WriteString(strconv.FormatInt(e.Offset, 10))
	}
	b.WriteString(": ")
	b.WriteString(msg)
	return b.String()
}

func (e *FormatError) Unwrap() error { return e.Err }

// NamesOffset reports whether msg already states offset off, as "offset N" or
// "at N" (a whole number: "at 12" does not name 1).
func NamesOffset(msg string, off int64) bool {
	n := strconv.FormatInt(off, 10)
	for _, lead := range [...]string{"offset ", "at "} {
		for rest := msg; ; {
			i := strings.Index(rest, lead+n)
			if i < 0 {
				break
			}
			end := i + len(lead) + len(n)
			wordStart := i == 0 || !isWordByte(rest[i-1])
			if wordStart && (end == len(rest) || rest[end] < '0' || rest[end] > '9') {
				return true
			}
			rest = rest[end:]
		}
	}
	return false
}

func isWordByte(c byte) bool {
	return c == '_' || '0' <= c && c <= '9' || 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
}

// Errorf builds a *FormatError whose Err wraps class (ErrCorrupt or ErrUnsupported)
// with a formatted message: "<msg>: corrupt".
func Errorf(path, component string, offset int64, class error, format string, args ...any) error {
	return &FormatError{Path: path, Component: component, Offset: offset,
		Err: fmt.Errorf("%s: %w", fmt.Sprintf(format, args...), class)}
}

// Locate wraps err in a *FormatError unless it already carries one.
func Locate(path, component string, offset int64, err error) error {
	if err == nil {
		return nil
	}
	var fe *FormatError
	if errors.As(err, &fe) {
		return err
	}
	return &FormatError{Path: path, Component: component, Offset: offset, Err: err}
}

// Within locates err, met while decoding component of path, as Locate does,
// but when err already carries a *FormatError for the same file (a chunk that
// failed under a partition), the location is given once: the message keeps
// the outer context and drops the inner path (and the inner component and
// offset, which the inner message states in its own words: "chunk 3 at offset
// 1234"). errors.Is and errors.As still see every error of the chain.
func Within(path, component string, offset int64, err error) error {
	if err == nil {
		return nil
	}
	var fe *FormatError
	if !errors.As(err, &fe) || fe.Path != path {
		return Locate(path, component, offset, err)
	}
	inner := fe.Err.Error()
	if fe.Offset >= 0 && !NamesOffset(inner, fe.Offset) {
		inner = "offset " + strconv.FormatInt(fe.Offset, 10) + ": " + inner
	}
	msg := strings.Replace(err.Error(), fe.Error(), inner, 1)
	return &FormatError{Path: path, Component: component, Offset: offset,
		Err: &locatedError{msg: msg, err: err}}
}

// locatedError is err with the message Within gave it.
type locatedError struct {
	msg string
	err error
}

func (e *locatedError) Error() string { return e.msg }
func (e *locatedError) Unwrap() error { return e.err }
