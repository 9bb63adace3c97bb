package render

import (
	"fmt"
	"strconv"

	"github.com/aegisthus/aegisthus/internal/cql"
	"github.com/aegisthus/aegisthus/internal/merge"
	"github.com/aegisthus/aegisthus/internal/render/cqljson"
	"github.com/aegisthus/aegisthus/internal/rows"
	"github.com/aegisthus/aegisthus/internal/schema"
	"github.com/aegisthus/aegisthus/internal/sstable"
)

// boundKindNames are ClusteringPrefix.Kind's enum names, by ordinal.
var boundKindNames = [...]string{"EXCL_END_BOUND", "INCL_START_BOUND", "EXCL_END_INCL_START_BOUNDARY",
	"STATIC_CLUSTERING", "CLUSTERING", "INCL_END_EXCL_START_BOUNDARY", "INCL_END_BOUND", "EXCL_START_BOUND"}

// AppendDebugPartition renders the partition the scanner is on as sstabledump -d
// does: one line per row, "[key]@position " followed by the row's internal form
// (AbstractRow.toString(metadata, false, true), RangeTombstone*Marker.toString).
// Values use their getString form where Cassandra uses toCQLString for
// clustering, so text clustering values print without quotes. After StreamTo it
// writes as it goes.
func (d *Dump) AppendDebugPartition(dst []byte, sc sstable.Partitions) ([]byte, error) {
	p := sc.Partition()
	ks, err := d.KeyString(p.Key)
	if err != nil {
		return dst, err
	}
	prefix := func(dst []byte, pos int64) []byte {
		dst = append(dst, '[')
		dst = append(dst, ks...)
		dst = append(dst, "]@"...)
		return strconv.AppendInt(dst, pos, 10)
	}
	// As in AppendPartition: the position Cassandra reports for the partition is
	// after its header and static row.
	more := sc.Next()
	pos := sc.Offset()
	switch {
	case !more:
		pos--
	case sc.Unfiltered().Kind != rows.KindStatic:
		pos = sc.Unfiltered().Offset
	}
	if !p.Deletion.IsLive() {
		dst = prefix(dst, pos)
		dst = append(dst, ' ')
		dst = appendDeletionString(dst, p.Deletion)
		dst = append(dst, '\n')
	}
	for ; more; more = sc.Next() {
		u := sc.Unfiltered()
		if u.Kind == rows.KindStatic && len(u.Cells) == 0 && len(u.ComplexDeletions) == 0 {
			continue
		}
		dst = prefix(dst, pos)
		dst = append(dst, ' ')
		if dst, err = d.appendDebugUnfiltered(dst, u); err != nil {
			return dst, err
		}
		dst = append(dst, '\n')
		if u.Kind != rows.KindStatic {
			pos = sc.Offset()
		}
		if dst, err = d.spill(dst); err != nil {
			return dst, err
		}
	}
	return dst, sc.Err()
}

func appendDeletionString(dst []byte, del rows.DeletionTime) []byte {
	dst = append(dst, "deletedAt="...)
	dst = strconv.AppendInt(dst, del.MarkedForDeleteAt, 10)
	dst = append(dst, ", localDeletion="...)
	return strconv.AppendInt(dst, ldtNumber(del.LocalDeletionTime), 10)
}

func ldtNumber(v int64) int64 {
	if v == rows.NoDeletionTime {
		return int64(^uint32(0) >> 1)
	}
	return v
}

func (d *Dump) appendDebugUnfiltered(dst []byte, u *rows.Unfiltered) ([]byte, error) {
	var err error
	if u.Kind == rows.KindMarker {
		dst = append(dst, "Marker "...)
		dst = append(dst, boundKindNames[u.Bound]...)
		dst = append(dst, '(')
		for i, v := range u.Clustering {
			if i > 0 {
				dst = append(dst, ", "...)
			}
			if dst, err = cqljson.AppendString(dst, d.s.Clustering[i].Type, v); err != nil {
				return dst, err
			}
		}
		dst = append(dst, ")@"...)
		if u.Bound.IsBoundary() {
			dst = appendDT(dst, u.EndDeletion)
			dst = append(dst, '-')
			dst = appendDT(dst, u.StartDeletion)
		} else {
			dst = appendDT(dst, u.MarkerDeletion())
		}
		return dst, nil
	}
	dst = append(dst, "Row[info="...)
	dst = appendLivenessString(dst, u.Liveness)
	if !u.Deletion.IsLive() {
		dst = append(dst, " del="...)
		dst = appendDeletionString(dst, u.Deletion)
	} else if !u.ShadowableDeletion.IsLive() {
		dst = append(dst, " del="...)
		dst = appendDeletionString(dst, u.ShadowableDeletion)
		dst = append(dst, "(shadowable)"...)
	}
	dst = append(dst, " ]: "...)
	if u.Kind == rows.KindStatic {
		dst = append(dst, "STATIC"...)
	} else if len(u.Clustering) == 0 {
		dst = append(dst, "EMPTY"...)
	}
	for i, v := range u.Clustering {
		if i > 0 {
			dst = append(dst, ", "...)
		}
		if dst, err = cqljson.AppendString(dst, d.s.Clustering[i].Type, v); err != nil {
			return dst, err
		}
	}
	dst = append(dst, " | "...)
	cols := d.regularCols
	if u.Kind == rows.KindStatic {
		cols = d.staticCols
	}
	cd := 0
	first := true
	sep := func() {
		if !first {
			dst = append(dst, ", "...)
		}
		first = false
	}
	for i := range u.Cells {
		c := &u.Cells[i]
		for cd < len(u.ComplexDeletions) && u.ComplexDeletions[cd].Column <= c.Column {
			sep()
			dst = appendComplexDel(dst, cols, u.ComplexDeletions[cd])
			cd++
		}
		sep()
		if dst, err = appendCellString(dst, &cols[c.Column], c); err != nil {
			return dst, err
		}
	}
	for ; cd < len(u.ComplexDeletions); cd++ {
		sep()
		dst = appendComplexDel(dst, cols, u.ComplexDeletions[cd])
	}
	return dst, nil
}

func appendComplexDel(dst []byte, cols []schema.Column, cd rows.ComplexDeletion) []byte {
	dst = append(dst, "del("...)
	dst = append(dst, cols[cd.Column].Name...)
	dst = append(dst, ")="...)
	return appendDeletionString(dst, cd.Deletion)
}

func appendDT(dst []byte, d rows.DeletionTime) []byte {
	dst = strconv.AppendInt(dst, d.MarkedForDeleteAt, 10)
	dst = append(dst, '/')
	return strconv.AppendInt(dst, ldtNumber(d.LocalDeletionTime), 10)
}

func appendLivenessString(dst []byte, l rows.Liveness) []byte {
	dst = append(dst, "[ts="...)
	dst = strconv.AppendInt(dst, l.Timestamp, 10)
	if l.IsExpiring() {
		dst = append(dst, " ttl="...)
		dst = strconv.AppendInt(dst, int64(l.TTL), 10)
		dst = append(dst, ", let="...)
		dst = strconv.AppendInt(dst, ldtNumber(l.LocalExpirationTime), 10)
	}
	return append(dst, ']')
}

// appendCellString mirrors AbstractCell.toString.
func appendCellString(dst []byte, col *schema.Column, c *rows.Cell) ([]byte, error) {
	t := col.Type
	var err error
	dst = append(dst, '[')
	dst = append(dst, col.Name...)
	if t.Kind == cql.Counter && !c.Tombstone {
		v, err := merge.CounterValue(c.Value)
		if err != nil {
			return dst, fmt.Errorf("column %s: %w", col.Name, err)
		}
		dst = append(dst, '=')
		dst = strconv.AppendInt(dst, v, 10)
		dst = append(dst, " ts="...)
		dst = strconv.AppendInt(dst, c.Timestamp, 10)
		return append(dst, ']'), nil
	}
	if t.IsMultiCell() && t.IsCollection() {
		dst = append(dst, '[')
		if dst, err = cqljson.AppendString(dst, t.PathType(), c.Path); err != nil {
			return dst, fmt.Errorf("column %s path: %w", col.Name, err)
		}
		dst = append(dst, ']')
	}
	dst = append(dst, '=')
	switch {
	case c.Tombstone:
		dst = append(dst, "<tombstone>"...)
	case t.IsMultiCell() && t.IsCollection():
		if dst, err = cqljson.AppendString(dst, t.CellValueType(), c.Value); err != nil {
			return dst, err
		}
	default:
		if dst, err = cqljson.AppendString(dst, t, c.Value); err != nil {
			dst = append(dst, "0x"...)
			dst = appendHex(dst, c.Value)
		}
	}
	dst = append(dst, " ts="...)
	dst = strconv.AppendInt(dst, c.Timestamp, 10)
	switch {
	case c.IsExpiring():
		dst = append(dst, " ttl="...)
		dst = strconv.AppendInt(dst, int64(c.TTL), 10)
		dst = append(dst, " ldt="...)
		dst = strconv.AppendInt(dst, ldtNumber(c.LocalDeletionTime), 10)
	case c.Tombstone:
		dst = append(dst, " ldt="...)
		dst = strconv.AppendInt(dst, ldtNumber(c.LocalDeletionTime), 10)
	}
	return append(dst, ']'), nil
}

func appendHex(dst, b []byte) []byte {
	const hex = "0123456789abcdef"
	for _, c := range b {
		dst = append(dst, hex[c>>4], hex[c&15])
	}
	return dst
}
