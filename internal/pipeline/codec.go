package pipeline

import (
	"errors"
	"io"
	"strconv"

	"github.com/parquet-go/parquet-go/compress"

	"github.com/klauspost/compress/gzip"
	"github.com/klauspost/compress/zstd"
)

// codec compresses part files. Compression runs in its own goroutine (asyncWriter)
// so it overlaps decoding instead of adding to it.
type codec struct {
	name string
	ext  string
	wrap func(w io.Writer) (io.WriteCloser, error)
	// parquet, for Parquet parts, compresses their columns (wrap is unused).
	parquet compress.Codec
}

// codecFor returns the codec called name.
func codecFor(name string) (codec, error) {
	switch name {
	case "none":
		return codec{name: "none", wrap: func(w io.Writer) (io.WriteCloser, error) { return nopCloser{w}, nil }}, nil
	case "gzip":
		return codec{name: "gzip", ext: ".gz", wrap: func(w io.Writer) (io.WriteCloser, error) {
			return newAsyncWriter(gzip.NewWriter(w)), nil
		}}, nil
	case "zstd":
		return codec{name: "zstd", ext: ".zst", wrap: func(w io.Writer) (io.WriteCloser, error) {
			z, err := zstd.NewWriter(w, zstd.WithEncoderConcurrency(1))
			if err != nil {
				return nil, err
			}
			return newAsyncWriter(z), nil
		}}, nil
	}
	return codec{}, &OptionError{Option: "compress", Value: strconv.Quote(name), Err: errors.New("want none, gzip or zstd")}
}

type nopCloser struct{ io.Writer }

func (nopCloser) Close() error { return nil }

// asyncWriter hands buffers to a goroutine that writes them to w. Write copies
// its input, so callers may reuse their buffers; the queue is bounded.
type asyncWriter struct {
	w    io.WriteCloser
	ch   chan []byte
	free chan []byte
	done chan error
	err  error
}

func newAsyncWriter(w io.WriteCloser) *asyncWriter {
	a := &asyncWriter{w: w, ch: make(chan []byte, 4), free: make(chan []byte, 5), done: make(chan error, 1)}
	ch := a.ch // Close clears the field; the goroutine keeps its own reference
	go func() {
		var err error
		for b := range ch {
			if err == nil {
				_, err = a.w.Write(b)
			}
			select {
			case a.free <- b[:0]:
			default:
			}
		}
		if cerr := a.w.Close(); err == nil {
			err = cerr
		}
		a.done <- err
	}()
	return a
}

func (a *asyncWriter) Write(p []byte) (int, error) {
	if a.err != nil {
		return 0, a.err
	}
	var b []byte
	select {
	case b = <-a.free:
	default:
	}
	a.ch <- append(b, p...)
	return len(p), nil
}

// Close flushes the queue, closes the compressor and reports the first error.
func (a *asyncWriter) Close() error {
	if a.ch == nil {
		return a.err
	}
	close(a.ch)
	a.ch = nil
	a.err = <-a.done
	return a.err
}
