package render

import (
	"encoding/hex"
	"fmt"
	"strconv"

	"github.com/aegisthus/aegisthus/internal/merge"
	"github.com/aegisthus/aegisthus/internal/partfile"
	"github.com/aegisthus/aegisthus/internal/render/cqljson"
	"github.com/aegisthus/aegisthus/internal/rows"
	"github.com/aegisthus/aegisthus/internal/schema"
)

// PartitionsLayout renders the partitions layout: one JSON object per partition, one
// line each, holding everything the merge kept — every cell with its timestamp,
// TTL and local deletion time, tombstones of every kind, expired cells — so that
// the record can be merged again with newer SSTables (docs/layout-partitions.md).
// Values, keys and clustering values are hex of their serialized bytes, which is
// lossless; "key" adds the key rendered as SELECT JSON renders it, for people.
//
// Rows are written as the merge yields them, so a partition of any width streams;
// only its range tombstones are held until the end of the partition.
type PartitionsLayout struct {
	t     *schema.Table
	keys  *Rows // renders the readable key
	names [][]byte
	cmp   merge.Comparator
	del   rows.DeletionTime // the current partition's deletion
}

// NewPartitions returns a renderer for t.
func NewPartitionsLayout(t *schema.Table) *PartitionsLayout {
	p := &PartitionsLayout{t: t, keys: NewRows(t, 0), cmp: merge.NewTable(t).Clustering}
	for _, c := range t.Columns {
		p.names = append(p.names, cqljson.AppendJSONString(nil, []byte(c.Name)))
	}
	return p
}

// AppendStart opens a partition record.
func (p *PartitionsLayout) AppendStart(dst []byte, mp *merge.Partition, tok string) ([]byte, error) {
	dst = append(dst, `{"token":"`...)
	dst = append(dst, tok...)
	dst = append(dst, `","key_hex":"`...)
	dst = hex.AppendEncode(dst, mp.Key)
	dst = append(dst, `","key":{`...)
	p.del = mp.Deletion
	if err := p.keys.StartPartition(mp.Key); err != nil {
		return dst, err
	}
	k := p.keys.keyJSON
	if len(k) >= 2 {
		k = k[:len(k)-2] // trailing ", "
	}
	dst = append(dst, k...)
	dst = append(dst, '}')
	if !mp.Deletion.IsLive() {
		dst = append(dst, `,"deletion":`...)
		dst = appendDel(dst, mp.Deletion)
	}
	return append(dst, `,"rows":[`...), nil
}

// AppendRow appends one merged row (static or not); first says whether it is the
// first of the partition. Rows with nothing left are skipped.
func (p *PartitionsLayout) AppendRow(dst []byte, r *merge.Row, first bool) ([]byte, bool) {
	if r.Liveness.IsEmpty() && r.Deletion.IsLive() && len(r.Cells) == 0 && len(r.ComplexDeletions) == 0 {
		return dst, false
	}
	if !first {
		dst = append(dst, ',')
	}
	dst = append(dst, '{')
	if r.Static {
		dst = append(dst, `"static":true`...)
	} else {
		dst = append(dst, `"clustering":`...)
		dst = appendHexList(dst, r.Clustering)
	}
	if !r.Liveness.IsEmpty() {
		dst = append(dst, `,"liveness":{"ts":`...)
		dst = strconv.AppendInt(dst, r.Liveness.Timestamp, 10)
		if r.Liveness.IsExpiring() {
			dst = append(dst, `,"ttl":`...)
			dst = strconv.AppendInt(dst, int64(r.Liveness.TTL), 10)
			dst = append(dst, `,"exp":`...)
			dst = strconv.AppendInt(dst, r.Liveness.LocalExpirationTime, 10)
		}
		dst = append(dst, '}')
	}
	if !r.Deletion.IsLive() {
		dst = append(dst, `,"deletion":`...)
		dst = appendDel(dst, r.Deletion)
		if r.Shadowable {
			dst = append(dst[:len(dst)-1], `,"shadowable":true}`...)
		}
	}
	if len(r.ComplexDeletions) > 0 {
		dst = append(dst, `,"collection_deletions":[`...)
		for i, cd := range r.ComplexDeletions {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = append(dst, `{"column":`...)
			dst = append(dst, p.names[cd.Column]...)
			dst = append(dst, `,"deletion":`...)
			dst = appendDel(dst, cd.Deletion)
			dst = append(dst, '}')
		}
		dst = append(dst, ']')
	}
	dst = append(dst, `,"cells":[`...)
	for i := range r.Cells {
		c := &r.Cells[i]
		if i > 0 {
			dst = append(dst, ',')
		}
		dst = append(dst, `{"column":`...)
		dst = append(dst, p.names[c.Column]...)
		if c.Path != nil {
			dst = append(dst, `,"path":"`...)
			dst = hex.AppendEncode(dst, c.Path)
			dst = append(dst, '"')
		}
		dst = append(dst, `,"ts":`...)
		dst = strconv.AppendInt(dst, c.Timestamp, 10)
		if c.Tombstone {
			dst = append(dst, `,"tombstone":true,"ldt":`...)
			dst = strconv.AppendInt(dst, c.LocalDeletionTime, 10)
		} else {
			if c.IsExpiring() {
				dst = append(dst, `,"ttl":`...)
				dst = strconv.AppendInt(dst, int64(c.TTL), 10)
				dst = append(dst, `,"ldt":`...)
				dst = strconv.AppendInt(dst, c.LocalDeletionTime, 10)
			}
			dst = append(dst, `,"value":"`...)
			dst = hex.AppendEncode(dst, c.Value)
			dst = append(dst, '"')
		}
		dst = append(dst, '}')
	}
	return append(dst, "]}"...), true
}

var boundNames = map[rows.BoundKind]string{
	rows.InclStartBound: "inclusive", rows.ExclStartBound: "exclusive",
	rows.InclEndBound: "inclusive", rows.ExclEndBound: "exclusive",
}

// AppendEnd closes the record with the partition's range tombstones, in their
// canonical form (partfile.Canonical): non-overlapping, so that an export merged
// with newer SSTables writes the same ranges as one export of everything.
func (p *PartitionsLayout) AppendEnd(dst []byte, ranges []merge.RangeTombstone) ([]byte, error) {
	dst = append(dst, ']')
	ranges = partfile.Canonical(&p.cmp, p.del, ranges)
	if len(ranges) > 0 {
		dst = append(dst, `,"range_deletions":[`...)
		for i, r := range ranges {
			if i > 0 {
				dst = append(dst, ',')
			}
			sk, ok1 := boundNames[r.StartKind]
			ek, ok2 := boundNames[r.EndKind]
			if !ok1 || !ok2 {
				return dst, fmt.Errorf("range tombstone with bound kinds %d, %d", r.StartKind, r.EndKind)
			}
			dst = append(dst, `{"start":`...)
			dst = appendHexList(dst, r.Start)
			dst = append(dst, `,"start_kind":"`...)
			dst = append(dst, sk...)
			dst = append(dst, `","end":`...)
			dst = appendHexList(dst, r.End)
			dst = append(dst, `,"end_kind":"`...)
			dst = append(dst, ek...)
			dst = append(dst, `","deletion":`...)
			dst = appendDel(dst, r.Deletion)
			dst = append(dst, '}')
		}
		dst = append(dst, ']')
	}
	return append(dst, "}\n"...), nil
}

func appendDel(dst []byte, d rows.DeletionTime) []byte {
	dst = append(dst, `{"ts":`...)
	dst = strconv.AppendInt(dst, d.MarkedForDeleteAt, 10)
	dst = append(dst, `,"ldt":`...)
	dst = strconv.AppendInt(dst, d.LocalDeletionTime, 10)
	return append(dst, '}')
}

func appendHexList(dst []byte, vals [][]byte) []byte {
	dst = append(dst, '[')
	for i, v := range vals {
		if i > 0 {
			dst = append(dst, ',')
		}
		if v == nil {
			dst = append(dst, "null"...)
			continue
		}
		dst = append(dst, '"')
		dst = hex.AppendEncode(dst, v)
		dst = append(dst, '"')
	}
	return append(dst, ']')
}
