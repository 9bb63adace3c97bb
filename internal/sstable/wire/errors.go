// Package wire decodes the primitives every Cassandra on-disk structure is made of:
// big-endian fixed-width integers, Cassandra's own variable-length integers (vints),
// and length-prefixed byte strings. It also defines the error classes every layer
// above returns, so that they can be tested with errors.Is without import cycles.
package wire

import (
	"errors"
	"fmt"
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
type FormatError struct {
	Path      string // file path or s3:// URL
	Component string // e.g. "Data.db", "Statistics.db"
	Offset    int64  // -1 when unknown
	Err       error
}

func (e *FormatError) Error() string {
	if e.Offset < 0 {
		return fmt.Sprintf("%s: %v", e.Path, e.Err)
	}
	return fmt.Sprintf("%s: offset %d: %v", e.Path, e.Offset, e.Err)
}

func (e *FormatError) Unwrap() error { return e.Err }

// Errorf builds a *FormatError whose Err wraps class (ErrCorrupt or ErrUnsupported)
// with a formatted message: "<msg>: corrupt".
func Errorf(path, component string, offset int64, class error, format string, args ...any) error {
	return &FormatError{Path: path, Component: component, Offset: offset,
		Err: fmt.Errorf("%s: %s: %w", component, fmt.Sprintf(format, args...), class)}
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
	return &FormatError{Path: path, Component: component, Offset: offset,
		Err: fmt.Errorf("%s: %w", component, err)}
}

// Within locates err, met while decoding component of path, as Locate does,
// but when err already carries a *FormatError for the same file (a chunk that
// failed under a partition), the location is given once: the message keeps
// the outer context and drops the inner path and offset, which the inner
// message states in its own words ("chunk 3 at offset 1234"). errors.Is and
// errors.As still see every error of the chain.
func Within(path, component string, offset int64, err error) error {
	if err == nil {
		return nil
	}
	var fe *FormatError
	if !errors.As(err, &fe) || fe.Path != path {
		return Locate(path, component, offset, err)
	}
	inner := strings.TrimPrefix(fe.Err.Error(), fe.Component+": ")
	msg := strings.Replace(err.Error(), fe.Error(), inner, 1)
	return &FormatError{Path: path, Component: component, Offset: offset,
		Err: &locatedError{msg: component + ": " + msg, err: err}}
}

// locatedError is err with the message Within gave it.
type locatedError struct {
	msg string
	err error
}

func (e *locatedError) Error() string { return e.msg }
func (e *locatedError) Unwrap() error { return e.err }
