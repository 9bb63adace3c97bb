package render

import (
	"bytes"
	"encoding/hex"
	"math"
	"slices"
	"strconv"

	"github.com/aegisthus/aegisthus/internal/cql"
	"github.com/aegisthus/aegisthus/internal/merge"
	"github.com/aegisthus/aegisthus/internal/rows"
	"github.com/aegisthus/aegisthus/internal/schema"
)

// CellNames says how Cassandra 2.x built a table's cell names (CFMetaData
// isDense/isCompound), which the Aegisthus layout prints.
type CellNames uint8

const (
	// SparseNames is a CQL3 table: CompositeType names of the clustering values,
	// the column name and, for collections, the element key.
	SparseNames CellNames = iota
	// DenseNames is COMPACT STORAGE with clustering columns: the name is the
	// clustering (raw for one clustering column, composite for more).
	DenseNames
	// StaticCompactNames is COMPACT STORAGE without clustering columns: the name is
	// the raw column name, or for dynamic cells the hidden clustering value.
	StaticCompactNames
	// RawNames is a pre-3.0 table read without a schema (legacy.RawScanner):
	// each row is one cell whose clustering value is its raw 2.x name. Of the
	// row's counter and value cells (a cell tombstone is in both) the live
	// counter is printed if there is one, else the value cell.
	RawNames
)

// AegisthusLayout renders Netflix Aegisthus's JSON line, one per partition
// (docs/layout-aegisthus.md):
//
//	<hex key>\t{"<hex key>": {"deletedAt": <ts>, "columns": [["<hex name>","<hex value>",<ts>], ...]}}
//
// A column is followed by "d" for a cell tombstone, by "e", TTL and expiry
// (seconds) for an expiring cell, and by "c" and timestampOfLastDelete for a
// counter, as JsonOutputFormat.getRecordWriter's write and
// AegisthusSerializer.serialize wrote them. Names are the 2.x cell names
// Cassandra 3.0's LegacyLayout.encodeCellName builds, values the stored bytes,
// both as BytesType.getString renders them: lower-case hex. Range, row and
// collection tombstones are not printed (Aegisthus dropped RangeTombstone atoms);
// the merge has already removed what they shadow.
//
// Rows stream: only the current row's ordering scratch is held. A renderer is not
// safe for concurrent use.
type AegisthusLayout struct {
	t     *schema.Table
	names CellNames
	cols  [][]byte // column name bytes, by Table.Columns index
	rank  []int    // position of each column in 2.x cell-name order (name bytes)
	ctr   []bool   // column is a counter, by Table.Columns index
	first bool     // no column written yet in this partition
	spans []span
	name  []byte
}

type span struct{ col, lo, hi int }

// NewAegisthusLayout returns a renderer for t whose 2.x cell names were built as
// names says.
func NewAegisthusLayout(t *schema.Table, names CellNames) *AegisthusLayout {
	a := &AegisthusLayout{t: t, names: names}
	order := make([]int, len(t.Columns))
	for i, c := range t.Columns {
		a.cols = append(a.cols, []byte(c.Name))
		a.ctr = append(a.ctr, c.Type.Kind == cql.Counter)
		order[i] = i
	}
	slices.SortStableFunc(order, func(x, y int) int { return bytes.Compare(a.cols[x], a.cols[y]) })
	a.rank = make([]int, len(order))
	for pos, i := range order {
		a.rank[i] = pos
	}
	return a
}

// AppendStart opens the line of partition mp: the hex key, a tab and the record
// up to the columns array.
func (a *AegisthusLayout) AppendStart(dst []byte, mp *merge.Partition) []byte {
	dst = hex.AppendEncode(dst, mp.Key)
	dst = append(dst, "\t{\""...)
	dst = hex.AppendEncode(dst, mp.Key)
	dst = append(dst, `": {"deletedAt": `...)
	// DeletionTime.LIVE's markedForDeleteAt is Long.MIN_VALUE, which is what
	// SSTableColumnScanner passed on for a live row.
	dst = strconv.AppendInt(dst, mp.Deletion.MarkedForDeleteAt, 10)
	dst = append(dst, `, "columns": [`...)
	a.first = true
	return dst
}

// AppendRow appends the 2.x columns of one merged row: the CQL row marker of a
// sparse table, then its cells in cell-name order.
func (a *AegisthusLayout) AppendRow(dst []byte, r *merge.Row) []byte {
	if a.names == RawNames {
		return a.appendRaw(dst, r)
	}
	if a.names == SparseNames && !r.Static && !r.Liveness.IsEmpty() {
		a.name = a.appendName(a.name[:0], r, nil, nil)
		dst = a.appendColumnStart(dst, a.name, nil, r.Liveness.Timestamp)
		if r.Liveness.IsExpiring() {
			dst = appendExpiring(dst, r.Liveness.TTL, r.Liveness.LocalExpirationTime)
		}
		dst = append(dst, ']')
	}
	// Cells come sorted by (column index, path); 2.x sorted them by column name
	// bytes, then path.
	a.spans = a.spans[:0]
	for i := 0; i < len(r.Cells); {
		j := i + 1
		for j < len(r.Cells) && r.Cells[j].Column == r.Cells[i].Column {
			j++
		}
		a.spans = append(a.spans, span{r.Cells[i].Column, i, j})
		i = j
	}
	slices.SortFunc(a.spans, func(x, y span) int { return a.rank[x.col] - a.rank[y.col] })
	for _, s := range a.spans {
		for i := s.lo; i < s.hi; i++ {
			c := &r.Cells[i]
			a.name = a.appendName(a.name[:0], r, a.cols[c.Column], c.Path)
			dst = a.appendCell(dst, a.name, c)
		}
	}
	return dst
}

// appendRaw appends the one column of a raw row (RawNames).
func (a *AegisthusLayout) appendRaw(dst []byte, r *merge.Row) []byte {
	if len(r.Clustering) != 1 || len(r.Cells) == 0 {
		return dst
	}
	pick := -1
	for i := range r.Cells {
		c := &r.Cells[i]
		if a.ctr[c.Column] && !c.Tombstone {
			pick = i
			break
		}
		if !a.ctr[c.Column] || pick < 0 {
			pick = i
		}
	}
	return a.appendCell(dst, r.Clustering[0], &r.Cells[pick])
}

// appendCell appends one column: name, value, timestamp and flags.
func (a *AegisthusLayout) appendCell(dst, name []byte, c *rows.Cell) []byte {
	if c.Tombstone {
		// DeletedColumn's value is its local deletion time as a 4-byte int.
		var v [4]byte
		ldt := uint32(c.LocalDeletionTime)
		v[0], v[1], v[2], v[3] = byte(ldt>>24), byte(ldt>>16), byte(ldt>>8), byte(ldt)
		dst = a.appendColumnStart(dst, name, v[:], c.Timestamp)
		return append(dst, `,"d"]`...)
	}
	dst = a.appendColumnStart(dst, name, c.Value, c.Timestamp)
	switch {
	case a.ctr[c.Column]:
		// 2.1+ CounterCell.timestampOfLastDelete is always Long.MIN_VALUE, and
		// 3.0+ keeps none.
		dst = append(dst, `,"c",`...)
		dst = strconv.AppendInt(dst, math.MinInt64, 10)
	case c.IsExpiring():
		dst = appendExpiring(dst, c.TTL, c.LocalDeletionTime)
	}
	return append(dst, ']')
}

// AppendEnd closes the line.
func (a *AegisthusLayout) AppendEnd(dst []byte) []byte {
	return append(dst, "]}}\n"...)
}

// appendColumnStart opens a column array: ["name","value",timestamp. Columns are
// separated by ", " and a column's fields by "," (AegisthusSerializer.serializeColumns).
func (a *AegisthusLayout) appendColumnStart(dst, name, value []byte, ts int64) []byte {
	if !a.first {
		dst = append(dst, ", "...)
	}
	a.first = false
	dst = append(dst, `["`...)
	dst = hex.AppendEncode(dst, name)
	dst = append(dst, `","`...)
	dst = hex.AppendEncode(dst, value)
	dst = append(dst, `",`...)
	return strconv.AppendInt(dst, ts, 10)
}

func appendExpiring(dst []byte, ttl int32, exp int64) []byte {
	dst = append(dst, `,"e",`...)
	dst = strconv.AppendInt(dst, int64(ttl), 10)
	dst = append(dst, ',')
	return strconv.AppendInt(dst, exp, 10)
}

// appendName appends the 2.x cell name of column col (nil with an empty name:
// the CQL row marker) at element path of row r (LegacyLayout.encodeCellName).
func (a *AegisthusLayout) appendName(dst []byte, r *merge.Row, col, path []byte) []byte {
	switch a.names {
	case StaticCompactNames:
		if r.Static {
			return append(dst, col...)
		}
		if len(r.Clustering) > 0 {
			return append(dst, r.Clustering[0]...)
		}
		return dst
	case DenseNames:
		if len(a.t.Clustering) == 1 {
			if len(r.Clustering) > 0 {
				return append(dst, r.Clustering[0]...)
			}
			return dst
		}
		for _, v := range r.Clustering {
			if v == nil {
				break // a dense compound prefix stops at its first null
			}
			dst = appendComponent(dst, v)
		}
		return dst
	}
	if r.Static {
		dst = append(dst, 0xFF, 0xFF) // CompositeType's static marker
		for range a.t.Clustering {
			dst = appendComponent(dst, nil)
		}
	} else {
		for _, v := range r.Clustering {
			dst = appendComponent(dst, v)
		}
	}
	dst = appendComponent(dst, col)
	if path != nil {
		dst = appendComponent(dst, path)
	}
	return dst
}

// appendComponent appends one CompositeType component: 2-byte length, bytes and
// end-of-component 0.
func appendComponent(dst, v []byte) []byte {
	dst = append(dst, byte(len(v)>>8), byte(len(v)))
	dst = append(dst, v...)
	return append(dst, 0)
}
