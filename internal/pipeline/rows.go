package pipeline

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/aegisthus/aegisthus/internal/merge"
	"github.com/aegisthus/aegisthus/internal/render"
	"github.com/aegisthus/aegisthus/internal/sink"
	"github.com/aegisthus/aegisthus/internal/sstable"
	"github.com/aegisthus/aegisthus/internal/sstable/format"
)

// WriteRows is dump --rows: it merges ssts, one table's SSTables read whole,
// and writes their live rows at now (seconds since the epoch) in the rows
// layout to w, through the loop an export unit runs (writeMerged), in writes
// of a little more than hashBatch: memory stays bounded whatever a partition's
// width. A failed write wraps sink.ErrOutput; any other error names the first
// SSTable's Data.db unless it names it already.
func WriteRows(ctx context.Context, w io.Writer, ssts []*sstable.SSTable, now int64) error {
	if len(ssts) == 0 {
		return nil
	}
	t, err := sstable.Unify(ssts, nil, "")
	if err != nil {
		return err
	}
	inputs := make([]merge.Input, len(ssts))
	for i, s := range ssts {
		inputs[i] = merge.NewInput(s.SharedScanner(0, s.Chunks.Length(), len(ssts)), s.Schema, t)
	}
	m := merge.New(merge.NewTable(t), inputs)
	var p PartInfo
	err = writeMerged(ctx, m, &rowsWriter{r: render.NewRows(t, now)}, bufFlusher{w}, nil, &p)
	// A decoding error names its file already; a rendering one does not.
	if path := ssts[0].Path(format.Data); err != nil && ctx.Err() == nil && !errors.Is(err, sink.ErrOutput) &&
		!strings.Contains(err.Error(), path) {
		err = fmt.Errorf("%s: %w", path, err)
	}
	return err
}
