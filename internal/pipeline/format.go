package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/aegisthus/aegisthus/internal/merge"
	"github.com/aegisthus/aegisthus/internal/plan"
	"github.com/aegisthus/aegisthus/internal/render/parquetrows"
	"github.com/aegisthus/aegisthus/internal/sink"
)

// Format is how part files are written: JSON lines (every layout) or Parquet
// (the rows layout, typed columns: docs/parquet.md).
type Format uint8

// Formats. The zero value is JSON lines.
const (
	FormatJSON    Format = iota // JSON lines, compressed whole by Options.Compress
	FormatParquet               // Parquet, columns compressed by Options.Compress
)

var formatNames = [...]string{FormatJSON: "json", FormatParquet: "parquet"}

// String is the format's name as the manifest records it.
func (f Format) String() string {
	if int(f) < len(formatNames) {
		return formatNames[f]
	}
	return "format(" + strconv.Itoa(int(f)) + ")"
}

// ParseFormat reads a format's name: json or parquet. Any other is an
// *OptionError.
func ParseFormat(s string) (Format, error) {
	for f, n := range formatNames {
		if s == n {
			return Format(f), nil
		}
	}
	return FormatJSON, &OptionError{Option: "format", Value: strconv.Quote(s), Err: errors.New("want json or parquet")}
}

// headFormat reads Head.Format, where "" is JSON (exports before Parquet).
func headFormat(s string) Format {
	if s == "" {
		return FormatJSON
	}
	f, _ := ParseFormat(s)
	return f
}

// codec returns the codec of the parts the run h describes wrote.
func (h *Head) codec() (codec, error) { return formatCodec(headFormat(h.Format), h.Compress) }

// formatCodec returns the codec called name for parts of format f: for JSON
// the whole file's (codecFor), for Parquet its columns' (none, snappy, gzip,
// zstd).
func formatCodec(f Format, name string) (codec, error) {
	if f != FormatParquet {
		return codecFor(name)
	}
	pc, ok := parquetrows.Codec(name)
	if !ok {
		return codec{}, &OptionError{Option: "compress", Value: strconv.Quote(name), Err: errors.New("want " + strings.Join(parquetrows.Codecs, ", ") + " for parquet")}
	}
	return codec{name: name, ext: ".parquet", parquet: pc}, nil
}

// ParseFormatCompress checks a part file compression's name for format f.
func ParseFormatCompress(f Format, name string) error {
	_, err := formatCodec(f, name)
	return err
}

// parquetWriter is the rows layout written as Parquet: rows go to the Parquet
// writer as they come, nothing to the unit's byte buffer.
type parquetWriter struct{ w *parquetrows.Writer }

// newParquetWriter starts a unit's Parquet file on out.
func (j *Job) newParquetWriter(out io.Writer) *parquetWriter {
	return &parquetWriter{w: j.pqs.NewWriter(out, j.head.Now, parquetrows.Options{
		Codec: j.codec.parquet, RowGroupSize: j.o.RowGroupSize, CreatedBy: "aegisthus " + j.o.Version})}
}

func (x *parquetWriter) start(buf []byte, mp *merge.Partition) ([]byte, error) {
	return buf, x.w.StartPartition(mp.Key)
}

func (x *parquetWriter) row(buf []byte, r *merge.Row) ([]byte, int64, error) {
	ok, err := x.w.WriteRow(r)
	return buf, count(ok), err
}

func (x *parquetWriter) end(buf []byte, _ *merge.Merger) ([]byte, int64, error) {
	ok, err := x.w.EndPartition()
	return buf, count(ok), err
}

// runParquetUnit writes one unit's Parquet part through cw (which counts and
// hashes what reaches the sink's writer w), as runUnit does a JSON part.
func (j *Job) runParquetUnit(ctx context.Context, u *plan.Unit, w sink.Writer, cw *countingWriter, p PartInfo) (*pendingPart, error) {
	ew := &errWriter{w: cw}
	pw := j.newParquetWriter(ew)
	// writeMerged flushes its byte buffer to a flusher; Parquet rows never
	// reach it.
	m, done := j.unitMerge(u)
	err := writeMerged(ctx, m, pw, bufFlusher{io.Discard}, j.keyFilter(), &p)
	done()
	if err == nil {
		err = pw.w.Close()
	}
	if err != nil {
		w.Abort()
		cw.h.stop()
		if ew.err != nil {
			return nil, outputError(ew.err)
		}
		return nil, fmt.Errorf("%s: %w", p.Name, err)
	}
	return &pendingPart{w: w, cw: cw, p: p}, nil
}

// errWriter remembers the first error of the writer below: a failure of the
// sink, as opposed to the data.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) Write(p []byte) (int, error) {
	n, err := e.w.Write(p)
	if err != nil && e.err == nil {
		e.err = err
	}
	return n, err
}
