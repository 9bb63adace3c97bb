package render

import (
	"encoding/binary"
	"fmt"
	"strconv"
	"time"

	"github.com/aegisthus/aegisthus/internal/cql"
	"github.com/aegisthus/aegisthus/internal/javafmt"
	"github.com/aegisthus/aegisthus/internal/merge"
	"github.com/aegisthus/aegisthus/internal/render/cqljson"
	"github.com/aegisthus/aegisthus/internal/rows"
	"github.com/aegisthus/aegisthus/internal/schema"
	"github.com/aegisthus/aegisthus/internal/sstable"
)

// Dump renders one SSTable's partitions as Cassandra 5.0's sstabledump does
// (tools/JsonTransformer.java): every row, cell, tombstone and marker as stored,
// nothing merged or purged. Output is compact JSON; sstabledump's own indentation
// is not reproduced (its output compares equal as JSON values).
type Dump struct {
	s *schema.Table
	// static and regular are s.Static() and s.Regular(), taken once.
	static, regular []schema.Column
	raw             bool  // -t: raw timestamps instead of ISO-8601
	now             int64 // for the "expired" flags (sstabledump uses the wall clock)
	// The "name" strings of the static and regular columns, JSON-encoded once:
	// quoting them per cell cost a twentieth of a dump.
	staticNames, regularNames [][]byte
}

// NewDump returns a renderer for SSTables with schema s.
func NewDump(s *schema.Table, rawTimestamps bool, now int64) *Dump {
	names := func(cols []schema.Column) [][]byte {
		out := make([][]byte, len(cols))
		for i := range cols {
			out[i] = cqljson.AppendJSONString(nil, []byte(cql.QuoteIdent(cols[i].Name)))
		}
		return out
	}
	return &Dump{s: s, raw: rawTimestamps, now: now, static: s.Static(), regular: s.Regular(),
		staticNames: names(s.Static()), regularNames: names(s.Regular())}
}

// AppendKey appends the partition key as sstabledump's key array: one string per
// component, each in its type's getString form.
func (d *Dump) AppendKey(dst, key []byte) ([]byte, error) {
	dst = append(dst, '[')
	kt := d.s.KeyType
	if kt.Kind == cql.Composite {
		comps, err := cql.Components(key)
		if err != nil {
			return dst, fmt.Errorf("partition key: %w", err)
		}
		for i, c := range comps {
			if i >= len(kt.Params) {
				break
			}
			if i > 0 {
				dst = append(dst, ',')
			}
			if dst, err = appendStringOf(dst, kt.Params[i], c); err != nil {
				return dst, err
			}
		}
	} else {
		var err error
		if dst, err = appendStringOf(dst, kt, key); err != nil {
			return dst, err
		}
	}
	return append(dst, ']'), nil
}

// KeyString is the key as sstabledump's -x option compares it (type.getString of
// the whole key).
func (d *Dump) KeyString(key []byte) (string, error) {
	b, err := cqljson.AppendString(nil, d.s.KeyType, key)
	return string(b), err
}

func appendStringOf(dst []byte, t *cql.Type, v []byte) ([]byte, error) {
	var scratch [128]byte
	s, err := cqljson.AppendString(scratch[:0], t, v)
	if err != nil {
		return dst, fmt.Errorf("%s value: %w", t.CQL(), err)
	}
	return cqljson.AppendJSONString(dst, s), nil
}

// AppendPartition renders the partition the scanner is on, reading all of it.
func (d *Dump) AppendPartition(dst []byte, sc sstable.Partitions) ([]byte, error) {
	p := sc.Partition()
	var err error
	// Cassandra 5.0's scanner has read the key, the deletion and the static row by
	// the time sstabledump asks for its position: the partition and its static row
	// are both reported at the offset of the first unfiltered after them.
	more := sc.Next()
	u := sc.Unfiltered()
	pos := sc.Offset()
	switch {
	case !more:
		pos-- // the end-of-partition byte, not yet read in Cassandra's scanner
	case u.Kind != rows.KindStatic:
		pos = u.Offset
	}
	dst = append(dst, `{"table kind":"REGULAR","partition":{"key":`...)
	if dst, err = d.AppendKey(dst, p.Key); err != nil {
		return dst, err
	}
	dst = append(dst, `,"position":`...)
	dst = strconv.AppendInt(dst, pos, 10)
	if !p.Deletion.IsLive() {
		dst = d.appendDeletion(dst, p.Deletion)
	}
	dst = append(dst, `},"rows":[`...)
	first := true
	for ; more; more = sc.Next() {
		u := sc.Unfiltered()
		if u.Kind == rows.KindStatic && len(u.Cells) == 0 && len(u.ComplexDeletions) == 0 && u.Liveness.IsEmpty() {
			continue // an empty static row is not printed
		}
		if !first {
			dst = append(dst, ',')
		}
		first = false
		if u.Kind == rows.KindMarker {
			dst = d.appendMarker(dst, u)
			continue
		}
		if u.Kind == rows.KindStatic {
			u.Offset = pos
		}
		if dst, err = d.appendRow(dst, u); err != nil {
			return dst, fmt.Errorf("row at %d: %w", u.Offset, err)
		}
	}
	if err := sc.Err(); err != nil {
		return dst, err
	}
	return append(dst, "]}"...), nil
}

func (d *Dump) appendRow(dst []byte, u *rows.Unfiltered) ([]byte, error) {
	if u.Kind == rows.KindStatic {
		dst = append(dst, `{"type":"static_block","position":`...)
	} else {
		dst = append(dst, `{"type":"row","position":`...)
	}
	dst = strconv.AppendInt(dst, u.Offset, 10)
	var err error
	if u.Kind != rows.KindStatic {
		if dst, err = d.appendClustering(dst, u.Clustering); err != nil {
			return dst, err
		}
	}
	li := u.Liveness
	if !li.IsEmpty() {
		dst = append(dst, `,"liveness_info":{"tstamp":`...)
		dst = d.appendTime(dst, li.Timestamp, time.Microsecond)
		if li.IsExpiring() {
			dst = append(dst, `,"ttl":`...)
			dst = strconv.AppendInt(dst, int64(li.TTL), 10)
			dst = append(dst, `,"expires_at":`...)
			dst = d.appendTime(dst, li.LocalExpirationTime, time.Second)
			dst = append(dst, `,"expired":`...)
			dst = strconv.AppendBool(dst, li.LocalExpirationTime < d.now)
		}
		dst = append(dst, '}')
	}
	if !u.Deletion.IsLive() {
		dst = d.appendDeletion(dst, u.Deletion)
	} else if !u.ShadowableDeletion.IsLive() {
		dst = d.appendDeletion(dst, u.ShadowableDeletion)
	}
	dst = append(dst, `,"cells":[`...)
	cols, names := d.regular, d.regularNames
	if u.Kind == rows.KindStatic {
		cols, names = d.static, d.staticNames
	}
	cd := 0
	for i := range u.Cells {
		c := &u.Cells[i]
		// A complex column's deletion comes before its cells.
		for cd < len(u.ComplexDeletions) && u.ComplexDeletions[cd].Column <= c.Column {
			dst = d.appendComplexDeletion(dst, names, u.ComplexDeletions[cd], i > 0 || cd > 0)
			cd++
		}
		if i > 0 || cd > 0 {
			dst = append(dst, ',')
		}
		if dst, err = d.appendCell(dst, &cols[c.Column], names[c.Column], c, li); err != nil {
			return dst, err
		}
	}
	for ; cd < len(u.ComplexDeletions); cd++ {
		dst = d.appendComplexDeletion(dst, names, u.ComplexDeletions[cd], len(u.Cells) > 0 || cd > 0)
	}
	return append(dst, "]}"...), nil
}

func (d *Dump) appendComplexDeletion(dst []byte, names [][]byte, cd rows.ComplexDeletion, comma bool) []byte {
	if comma {
		dst = append(dst, ',')
	}
	dst = append(dst, `{"name":`...)
	dst = append(dst, names[cd.Column]...)
	dst = d.appendDeletion(dst, cd.Deletion)
	return append(dst, '}')
}

func (d *Dump) appendCell(dst []byte, col *schema.Column, name []byte, c *rows.Cell, li rows.Liveness) ([]byte, error) {
	dst = append(dst, `{"name":`...)
	dst = append(dst, name...)
	t := col.Type
	cellType := t
	var err error
	if t.IsMultiCell() {
		dst = append(dst, `,"path":[`...)
		if t.Kind == cql.UDT {
			idx, err := cql.FieldIndex(c.Path)
			if err != nil || idx >= len(t.FieldNames) {
				return dst, fmt.Errorf("column %s: udt field path %x", col.Name, c.Path)
			}
			dst = cqljson.AppendJSONString(dst, []byte(t.FieldNames[idx]))
			cellType = t.FieldType(idx)
		} else {
			if dst, err = appendStringOf(dst, t.PathType(), c.Path); err != nil {
				return dst, err
			}
			cellType = t.CellValueType()
		}
		dst = append(dst, ']')
	}
	if c.Tombstone {
		dst = append(dst, `,"deletion_info":{"local_delete_time":`...)
		dst = d.appendTime(dst, c.LocalDeletionTime, time.Second)
		dst = append(dst, '}')
	} else {
		dst = append(dst, `,"value":`...)
		if cellType.Kind == cql.Counter {
			// sstabledump prints CounterColumnType.toJSONString of the raw counter
			// context: its first 8 bytes read as a long (header and shard id bytes),
			// not the counter's total. Reproduced here; dump --rows prints the total.
			// A context with no shard (ScyllaDB's write_empty_counter) is shorter than a
			// long, where sstabledump would fail: print its total, 0.
			if len(c.Value) >= 8 {
				dst = strconv.AppendInt(dst, int64(binary.BigEndian.Uint64(c.Value)), 10)
			} else if v, err := merge.CounterValue(c.Value); err == nil {
				dst = strconv.AppendInt(dst, v, 10)
			} else {
				return dst, fmt.Errorf("column %s: %w", col.Name, err)
			}
		} else if dst, err = cqljson.Append(dst, cellType, c.Value); err != nil {
			return dst, fmt.Errorf("column %s: %w", col.Name, err)
		}
	}
	if li.IsEmpty() || c.Timestamp != li.Timestamp {
		dst = append(dst, `,"tstamp":`...)
		dst = d.appendTime(dst, c.Timestamp, time.Microsecond)
	}
	if c.IsExpiring() && (li.IsEmpty() || c.TTL != li.TTL) {
		dst = append(dst, `,"ttl":`...)
		dst = strconv.AppendInt(dst, int64(c.TTL), 10)
		dst = append(dst, `,"expires_at":`...)
		dst = d.appendTime(dst, c.LocalDeletionTime, time.Second)
		dst = append(dst, `,"expired":`...)
		dst = strconv.AppendBool(dst, !c.IsLive(d.now))
	}
	return append(dst, '}'), nil
}

// appendClustering writes "clustering":[...] when the prefix has values; missing
// trailing values of a bound print as "*".
func (d *Dump) appendClustering(dst []byte, vals [][]byte) ([]byte, error) {
	if len(vals) == 0 {
		return dst, nil
	}
	dst = append(dst, `,"clustering":[`...)
	var err error
	for i, c := range d.s.Clustering {
		if i > 0 {
			dst = append(dst, ',')
		}
		switch {
		case i >= len(vals):
			dst = append(dst, `"*"`...)
		case vals[i] == nil:
			dst = append(dst, "null"...)
		default:
			if dst, err = cqljson.Append(dst, c.Type, vals[i]); err != nil {
				return dst, fmt.Errorf("clustering %s: %w", c.Name, err)
			}
		}
	}
	return append(dst, ']'), nil
}

func (d *Dump) appendMarker(dst []byte, u *rows.Unfiltered) []byte {
	bound := func(dst []byte, start, inclusive bool, del rows.DeletionTime) []byte {
		if start {
			dst = append(dst, `"start":{"type":`...)
		} else {
			dst = append(dst, `"end":{"type":`...)
		}
		if inclusive {
			dst = append(dst, `"inclusive"`...)
		} else {
			dst = append(dst, `"exclusive"`...)
		}
		dst, _ = d.appendClustering(dst, u.Clustering)
		dst = d.appendDeletion(dst, del)
		return append(dst, '}')
	}
	switch u.Bound {
	case rows.ExclEndInclStartBoundary, rows.InclEndExclStartBoundary:
		openIncl := u.Bound == rows.ExclEndInclStartBoundary
		dst = append(dst, `{"type":"range_tombstone_boundary",`...)
		dst = bound(dst, true, openIncl, u.StartDeletion)
		dst = append(dst, ',')
		dst = bound(dst, false, !openIncl, u.EndDeletion)
	default:
		dst = append(dst, `{"type":"range_tombstone_bound",`...)
		incl := u.Bound == rows.InclStartBound || u.Bound == rows.InclEndBound
		dst = bound(dst, u.Bound.IsStart(), incl, u.MarkerDeletion())
	}
	return append(dst, '}')
}

func (d *Dump) appendDeletion(dst []byte, del rows.DeletionTime) []byte {
	dst = append(dst, `,"deletion_info":{"marked_deleted":`...)
	dst = d.appendTime(dst, del.MarkedForDeleteAt, time.Microsecond)
	dst = append(dst, `,"local_delete_time":`...)
	dst = d.appendTime(dst, del.LocalDeletionTime, time.Second)
	return append(dst, '}')
}

// appendTime renders a time as JsonTransformer.dateString: raw digits with -t,
// else java.time.Instant.toString (ISO-8601, fraction in groups of three digits).
func (d *Dump) appendTime(dst []byte, v int64, unit time.Duration) []byte {
	if v == rows.NoDeletionTime && unit == time.Second {
		v = int64(^uint32(0) >> 1) // what Cassandra prints for "no deletion time"
	}
	if d.raw {
		dst = append(dst, '"')
		dst = strconv.AppendInt(dst, v, 10)
		return append(dst, '"')
	}
	var secs, nanos int64
	if unit == time.Microsecond {
		secs = floorDiv(v, 1_000_000)
		nanos = (v - secs*1_000_000) * 1000
	} else {
		secs = v
	}
	dst = append(dst, '"')
	dst = AppendInstant(dst, secs, nanos)
	return append(dst, '"')
}

func floorDiv(a, b int64) int64 {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// AppendInstant appends java.time.Instant.ofEpochSecond(secs, nanos).toString().
func AppendInstant(dst []byte, secs, nanos int64) []byte {
	if secs >= 0 && secs < 253402300800 && nanos >= 0 && nanos < 1e9 {
		// 1970 to 9999, every cell of a dump: no time.Time, no layout parsing.
		days := secs / 86400
		rem := int(secs - days*86400)
		y, mo, dd := javafmt.CivilFromDays(days)
		yy, h, mi, sec := int(y), rem/3600, rem/60%60, rem%60
		b := [19]byte{
			byte('0' + yy/1000), byte('0' + yy/100%10), byte('0' + yy/10%10), byte('0' + yy%10),
			'-', byte('0' + mo/10), byte('0' + mo%10), '-', byte('0' + dd/10), byte('0' + dd%10), 'T',
			byte('0' + h/10), byte('0' + h%10), ':', byte('0' + mi/10), byte('0' + mi%10), ':',
			byte('0' + sec/10), byte('0' + sec%10),
		}
		dst = append(dst, b[:]...)
		return appendNanos(dst, int(nanos))
	}
	return appendInstantAny(dst, secs, nanos)
}

// appendInstantAny is AppendInstant for every instant, through package time.
func appendInstantAny(dst []byte, secs, nanos int64) []byte {
	t := time.Unix(secs, nanos).UTC()
	y := t.Year()
	switch {
	case y > 9999:
		dst = append(dst, '+')
		dst = strconv.AppendInt(dst, int64(y), 10)
	case y < 0:
		dst = append(dst, '-')
		dst = appendPad(dst, int64(-y), 4)
	default:
		dst = appendPad(dst, int64(y), 4)
	}
	dst = t.AppendFormat(dst, "-01-02T15:04:05")
	return appendNanos(dst, t.Nanosecond())
}

// appendNanos appends Instant.toString's fraction (none, or 3, 6 or 9 digits) and 'Z'.
func appendNanos(dst []byte, ns int) []byte {
	if ns != 0 {
		dst = append(dst, '.')
		switch {
		case ns%1_000_000 == 0:
			dst = appendPad(dst, int64(ns/1_000_000), 3)
		case ns%1000 == 0:
			dst = appendPad(dst, int64(ns/1000), 6)
		default:
			dst = appendPad(dst, int64(ns), 9)
		}
	}
	return append(dst, 'Z')
}

func appendPad(dst []byte, v int64, width int) []byte {
	var b [20]byte
	s := strconv.AppendInt(b[:0], v, 10)
	for i := len(s); i < width; i++ {
		dst = append(dst, '0')
	}
	return append(dst, s...)
}
