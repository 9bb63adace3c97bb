package pipeline

import (
	"errors"
	"strconv"

	"github.com/aegisthus/aegisthus/internal/merge"
	"github.com/aegisthus/aegisthus/internal/render"
	"github.com/aegisthus/aegisthus/internal/schema"
)

// Layout is an export's output layout: how the merged partitions of a unit
// become lines of its part file.
type Layout uint8

// Layouts. The zero value lets Prepare choose.
const (
	LayoutAuto       Layout = iota // rows, or aegisthus for pre-3.0 SSTables without a schema
	LayoutRows                     // SELECT JSON per live row
	LayoutPartitions               // one lossless record per partition (docs/layout-partitions.md)
	LayoutAegisthus                // Netflix Aegisthus's line per partition (docs/layout-aegisthus.md)
)

var layoutNames = [...]string{LayoutAuto: "auto", LayoutRows: "rows", LayoutPartitions: "partitions", LayoutAegisthus: "aegisthus"}

// errLayout says which layouts there are.
var errLayout = errors.New("want rows, partitions or aegisthus")

// String is the layout's name as the manifest records it.
func (l Layout) String() string {
	if int(l) < len(layoutNames) {
		return layoutNames[l]
	}
	return "layout(" + strconv.Itoa(int(l)) + ")"
}

// ParseLayout reads a layout's name: rows, partitions or aegisthus. Any
// other, "auto" included, is an *OptionError: LayoutAuto is no choice but the
// absence of one.
func ParseLayout(s string) (Layout, error) {
	for l := LayoutRows; int(l) < len(layoutNames); l++ {
		if s == layoutNames[l] {
			return l, nil
		}
	}
	return LayoutAuto, &OptionError{Option: "layout", Value: strconv.Quote(s), Err: errLayout}
}

// newLayoutWriter returns the job's layout writer for one unit's merge.
func (j *Job) newLayoutWriter(m *merge.Merger) layoutWriter {
	switch j.layout {
	case LayoutPartitions:
		m.KeepRanges = true
		return &partitionsWriter{pr: render.NewPartitionsLayout(j.tbl), tbl: j.tbl}
	case LayoutAegisthus:
		return &aegisthusWriter{ar: render.NewAegisthusLayout(j.tbl, j.aegisthusNames())}
	}
	return &rowsWriter{r: render.NewRowsWith(j.tbl, j.head.Now, j.o.Rows)}
}

// layoutWriter renders one output layout. The pipeline drives it over the
// merged partitions of a unit; each call appends to buf and returns how many
// output records it completed (the part's "rows").
type layoutWriter interface {
	start(buf []byte, mp *merge.Partition) ([]byte, error)
	row(buf []byte, r *merge.Row) ([]byte, int64, error)
	end(buf []byte, m *merge.Merger) ([]byte, int64, error)
}

// rowsWriter is the rows layout: one SELECT JSON object per live row.
type rowsWriter struct{ r *render.Rows }

func (x *rowsWriter) start(buf []byte, mp *merge.Partition) ([]byte, error) {
	return buf, x.r.StartPartition(mp.Key)
}

func (x *rowsWriter) row(buf []byte, r *merge.Row) ([]byte, int64, error) {
	buf, ok, err := x.r.AppendRow(buf, r)
	return buf, count(ok), err
}

func (x *rowsWriter) end(buf []byte, _ *merge.Merger) ([]byte, int64, error) {
	buf, ok, err := x.r.EndPartition(buf)
	return buf, count(ok), err
}

func count(ok bool) int64 {
	if ok {
		return 1
	}
	return 0
}

// partitionsWriter is the lossless layout: one record per partition.
type partitionsWriter struct {
	pr    *render.PartitionsLayout
	tbl   *schema.Table
	tok   []byte
	first bool
}

func (x *partitionsWriter) start(buf []byte, mp *merge.Partition) ([]byte, error) {
	x.tok = x.tbl.Partitioner.AppendToken(x.tok[:0], mp.Key)
	x.first = true
	return x.pr.AppendStart(buf, mp, x.tbl.Partitioner.FormatToken(x.tok))
}

func (x *partitionsWriter) row(buf []byte, r *merge.Row) ([]byte, int64, error) {
	buf, wrote := x.pr.AppendRow(buf, r, x.first)
	if wrote {
		x.first = false
	}
	return buf, 0, nil
}

func (x *partitionsWriter) end(buf []byte, m *merge.Merger) ([]byte, int64, error) {
	buf, err := x.pr.AppendEnd(buf, m.Ranges())
	return buf, 1, err
}

// aegisthusWriter is Netflix Aegisthus's line per partition.
type aegisthusWriter struct{ ar *render.AegisthusLayout }

func (x *aegisthusWriter) start(buf []byte, mp *merge.Partition) ([]byte, error) {
	return x.ar.AppendStart(buf, mp), nil
}

func (x *aegisthusWriter) row(buf []byte, r *merge.Row) ([]byte, int64, error) {
	return x.ar.AppendRow(buf, r), 0, nil
}

func (x *aegisthusWriter) end(buf []byte, _ *merge.Merger) ([]byte, int64, error) {
	return x.ar.AppendEnd(buf), 1, nil
}

// aegisthusNames picks how the aegisthus layout spells 2.x cell names.
func (j *Job) aegisthusNames() render.CellNames {
	switch {
	case j.ssts[0].Raw:
		return render.RawNames
	case j.tbl.StaticCompact:
		return render.StaticCompactNames
	case len(j.tbl.Clustering) > 0:
		for _, s := range j.ssts {
			if s.Schema.CQL != nil && s.Schema.CQL.CompactStorage {
				return render.DenseNames
			}
		}
	}
	return render.SparseNames
}
