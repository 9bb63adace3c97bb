package render

import (
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"strconv"
	"time"

	"github.com/aegisthus/aegisthus/internal/cql"
	"github.com/aegisthus/aegisthus/internal/render/cqljson"
	"github.com/aegisthus/aegisthus/internal/sstable"
	"github.com/aegisthus/aegisthus/internal/sstable/legacy"
)

// Sstable2JSON renders a pre-3.0 SSTable as Cassandra 2.1/2.2's sstable2json
// (org.apache.cassandra.tools.SSTableExport, cassandra-2.2.19; 2.1.22 prints the
// same) printed it, atom by atom in on-disk order:
//
//	[
//	{"key": "<key>",
//	 "metadata": {"deletionInfo": {"markedForDeleteAt":<ts>,"localDeletionTime":<s>}},
//	 "cells": [["<name>","<value>",<ts>],
//	           ["<name>",<local deletion time>,<ts>,"d"],
//	           ["<name>","<value>",<ts>,"e",<ttl>,<expiry>],
//	           ["<name>","<counter context hex>",<ts>,"c",-9223372036854775808],
//	           ["<start>","<end>",<markedForDeleteAt>,"t",<localDeletionTime>]]},
//	...
//	]
//
// "metadata" appears only for a deleted partition. With a schema, the key is
// printed by the key type's getString, names by the comparator's
// (AbstractCType.getString: components joined by ':' and escaped as
// AbstractCompositeType.escape does, ":_" / ":!" after a bound's start / end
// end-of-component byte) and values by the column's validator
// (CFMetaData.getValueValidator: a set element has no value, a list or map
// element its value type, the row marker BytesType). Without one (an SSTable
// opened Raw) everything is BytesType: lower-case hex of the raw bytes, which is
// what sstable2json printed for a table declared with blob types only.
//
// A renderer is not safe for concurrent use.
type Sstable2JSON struct {
	now        int64
	raw        bool
	key        *cql.Type
	kind       legacy.Kind
	clustering []*cql.Type
	cols       map[string]*cql.Type
	value      *cql.Type // Dense: the value column; StaticCompact: dynamic cells
	comps      [][]byte
	scratch    []byte
	// spiller writes a partition's atoms out while they are rendered (StreamTo).
	spiller
}

// NewSstable2JSON returns a renderer for sst, a pre-3.0 SSTable. An expiring
// cell whose expiry is before now (seconds) prints as the tombstone 2.x read it
// as (BufferExpiringCell.create: deleted at expiry - TTL), as sstable2json did
// with the wall clock.
func NewSstable2JSON(sst *sstable.SSTable, now int64) *Sstable2JSON {
	r := &Sstable2JSON{now: now, raw: sst.Raw || sst.Legacy == nil, key: sst.Schema.KeyType}
	if r.raw {
		return r
	}
	l := sst.Legacy
	r.kind = l.Kind
	for _, c := range sst.Schema.Clustering {
		r.clustering = append(r.clustering, c.Type)
	}
	r.cols = map[string]*cql.Type{}
	for _, c := range sst.Schema.Static() {
		r.cols[c.Name] = c.Type
	}
	for _, c := range sst.Schema.Regular() {
		r.cols[c.Name] = c.Type
	}
	if l.ValueColumn >= 0 && l.ValueColumn < len(l.Regular) {
		r.value = r.cols[string(l.Regular[l.ValueColumn].Name)]
	}
	return r
}

// KeyString returns the key as sstable2json prints it (and as -k and -x take it).
func (r *Sstable2JSON) KeyString(key []byte) (string, error) {
	if r.raw {
		return hex.EncodeToString(key), nil
	}
	b, err := cqljson.AppendString(nil, r.key, key)
	return string(b), err
}

// AppendKey appends key as -e prints it, on its own line; after StreamTo,
// writing as it goes.
func (r *Sstable2JSON) AppendKey(dst, key []byte) ([]byte, error) {
	ks, err := r.KeyString(key)
	if err != nil {
		return dst, err
	}
	return r.spill(append(append(dst, ks...), '\n'))
}

// AppendPartition appends the partition sc is on, reading all its atoms;
// after StreamTo, writing as it goes. first says whether it is the first
// partition of the array (the others follow a separator).
func (r *Sstable2JSON) AppendPartition(dst []byte, sc *legacy.AtomScanner, first bool) ([]byte, error) {
	if !first {
		dst = append(dst, ",\n"...)
	}
	p := sc.Partition()
	dst, err := r.appendPartitionStart(dst, p.Key, p.Deletion.MarkedForDeleteAt, p.Deletion.LocalDeletionTime, !p.Deletion.IsLive())
	if err != nil {
		return dst, err
	}
	for first := true; sc.NextAtom(); first = false {
		if dst, err = r.appendAtom(dst, sc.Atom(), first); err != nil {
			return dst, err
		}
		if dst, err = r.spill(dst); err != nil {
			return dst, err
		}
	}
	// A scanner error ends the atoms; the caller's NextPartition reports it.
	return r.spill(append(dst, "]}"...))
}

// appendPartitionStart appends the partition's opening up to the cells array.
func (r *Sstable2JSON) appendPartitionStart(dst, key []byte, markedForDeleteAt, localDeletionTime int64, deleted bool) ([]byte, error) {
	ks, err := r.KeyString(key)
	if err != nil {
		return dst, fmt.Errorf("key: %w", err)
	}
	dst = append(dst, `{"key": `...)
	dst = cqljson.AppendJSONString(dst, []byte(ks))
	dst = append(dst, ",\n"...)
	if deleted {
		dst = append(dst, ` "metadata": {"deletionInfo": {"markedForDeleteAt":`...)
		dst = strconv.AppendInt(dst, markedForDeleteAt, 10)
		dst = append(dst, `,"localDeletionTime":`...)
		dst = strconv.AppendInt(dst, localDeletionTime, 10)
		dst = append(dst, "}},\n"...)
	}
	return append(dst, ` "cells": [`...), nil
}

// appendAtom appends one atom; first says whether it opens the cells array.
func (r *Sstable2JSON) appendAtom(dst []byte, a *legacy.Atom, first bool) ([]byte, error) {
	if !first {
		dst = append(dst, ",\n           "...)
	}
	dst = append(dst, '[')
	var err error
	if a.IsRangeTombstone() {
		if dst, err = r.appendName(dst, a.Name); err != nil {
			return dst, fmt.Errorf("range tombstone at %d: start: %w", a.Offset, err)
		}
		dst = append(dst, ',')
		if dst, err = r.appendName(dst, a.End); err != nil {
			return dst, fmt.Errorf("range tombstone at %d: end: %w", a.Offset, err)
		}
		dst = append(dst, ',')
		dst = strconv.AppendInt(dst, a.Deletion.MarkedForDeleteAt, 10)
		dst = append(dst, `,"t",`...)
		dst = strconv.AppendInt(dst, a.Deletion.LocalDeletionTime, 10)
		return append(dst, ']'), nil
	}
	if dst, err = r.appendName(dst, a.Name); err != nil {
		return dst, fmt.Errorf("cell at %d: name: %w", a.Offset, err)
	}
	dst = append(dst, ',')
	if a.IsExpiring() && a.LocalDeletionTime >= 0 && a.LocalDeletionTime < r.now {
		dst = strconv.AppendInt(dst, a.LocalDeletionTime-int64(a.TTL), 10)
		dst = append(dst, ',')
		dst = strconv.AppendInt(dst, a.Timestamp, 10)
		return append(dst, `,"d"]`...), nil
	}
	if a.IsDeleted() {
		dst = strconv.AppendInt(dst, a.LocalDeletionTime, 10) // DeletedCell: getLocalDeletionTime()
	} else if dst, err = r.appendValue(dst, a.Name, a.Value); err != nil {
		return dst, fmt.Errorf("cell at %d: value: %w", a.Offset, err)
	}
	dst = append(dst, ',')
	dst = strconv.AppendInt(dst, a.Timestamp, 10)
	switch {
	case a.IsDeleted():
		dst = append(dst, `,"d"`...)
	case a.IsExpiring():
		dst = append(dst, `,"e",`...)
		dst = strconv.AppendInt(dst, int64(a.TTL), 10)
		dst = append(dst, ',')
		dst = strconv.AppendInt(dst, a.LocalDeletionTime, 10)
	case a.IsCounter():
		// CounterCell.timestampOfLastDelete() is Long.MIN_VALUE from 2.1 on.
		dst = append(dst, `,"c",-9223372036854775808`...)
	}
	return append(dst, ']'), nil
}

// appendName appends the comparator's getString of a cell name or bound as a
// JSON string.
func (r *Sstable2JSON) appendName(dst, name []byte) ([]byte, error) {
	if r.raw {
		dst = append(dst, '"')
		dst = hex.AppendEncode(dst, name)
		return append(dst, '"'), nil
	}
	s := r.scratch[:0]
	var err error
	switch {
	case r.kind == legacy.StaticCompact:
		t := r.value
		if len(r.clustering) > 0 {
			t = r.clustering[0]
		}
		s, err = appendTypeString(s, t, name)
	case r.kind == legacy.Dense && len(r.clustering) == 1:
		s, err = appendTypeString(s, r.clustering[0], name)
	default:
		s, err = r.appendComposite(s, name)
	}
	r.scratch = s
	if err != nil {
		return dst, err
	}
	return cqljson.AppendJSONString(dst, s), nil
}

// appendComposite is AbstractCType.getString of a CompoundSparse or
// CompoundDense name: clustering components by their types, then (sparse) the
// column name as text and a collection element key as hex (ColumnToCollectionType).
func (r *Sstable2JSON) appendComposite(s, name []byte) ([]byte, error) {
	b := name
	if len(b) >= 2 && b[0] == 0xFF && b[1] == 0xFF {
		b = b[2:] // static marker
	}
	nck := len(r.clustering)
	var eoc byte
	for i := 0; len(b) > 0; i++ {
		if len(b) < 3 {
			return s, fmt.Errorf("composite: %d bytes left, want a component", len(b))
		}
		n := int(binary.BigEndian.Uint16(b))
		if len(b) < 2+n+1 {
			return s, fmt.Errorf("composite component of %d bytes, %d left", n, len(b)-2)
		}
		v := b[2 : 2+n]
		eoc = b[2+n]
		b = b[3+n:]
		if i > 0 {
			s = append(s, ':')
		}
		var t *cql.Type
		switch {
		case i < nck:
			t = r.clustering[i]
		case i == nck && r.kind == legacy.Sparse:
			t = nil // column name: UTF8Type
		default:
			t = blobType
		}
		start := len(s)
		var err error
		if t == nil {
			s = append(s, v...)
		} else if s, err = appendTypeString(s, t, v); err != nil {
			return s, fmt.Errorf("component %d: %w", i, err)
		}
		s = escapeComponent(s, start)
		if eoc != 0 {
			break
		}
	}
	switch eoc {
	case 0xFF:
		s = append(s, ":_"...)
	case 0x01:
		s = append(s, ":!"...)
	}
	return s, nil
}

// escapeComponent applies AbstractCompositeType.escape to s[start:]: ':'
// becomes "\:", and a trailing '\' or '!' gets a '!' appended.
func escapeComponent(s []byte, start int) []byte {
	if len(s) == start {
		return s
	}
	n := 0
	for _, c := range s[start:] {
		if c == ':' {
			n++
		}
	}
	if n > 0 {
		comp := append([]byte(nil), s[start:]...)
		s = s[:start]
		for _, c := range comp {
			if c == ':' {
				s = append(s, '\\')
			}
			s = append(s, c)
		}
	}
	if last := s[len(s)-1]; last == '\\' || last == '!' {
		s = append(s, '!')
	}
	return s
}

// appendValue appends the validator's getString of a cell value as a JSON string.
func (r *Sstable2JSON) appendValue(dst, name, v []byte) ([]byte, error) {
	if r.raw {
		dst = append(dst, '"')
		dst = hex.AppendEncode(dst, v)
		return append(dst, '"'), nil
	}
	t := r.validator(name)
	s, err := appendTypeString(r.scratch[:0], t, v)
	r.scratch = s
	if err != nil {
		return dst, err
	}
	return cqljson.AppendJSONString(dst, s), nil
}

// validator is CFMetaData.getValueValidator(cellName).
func (r *Sstable2JSON) validator(name []byte) *cql.Type {
	switch r.kind {
	case legacy.Dense:
		if r.value != nil {
			return r.value
		}
		return emptyType
	case legacy.StaticCompact:
		if t, ok := r.cols[string(name)]; ok {
			return t
		}
		if r.value != nil {
			return r.value
		}
		return blobType
	}
	b := name
	if len(b) >= 2 && b[0] == 0xFF && b[1] == 0xFF {
		b = b[2:]
	}
	for i := 0; len(b) >= 3; i++ {
		n := int(binary.BigEndian.Uint16(b))
		if len(b) < 2+n+1 {
			break
		}
		if i == len(r.clustering) {
			t, ok := r.cols[string(b[2:2+n])]
			if !ok {
				return blobType // the row marker, or a column the schema lacks: defaultValidator
			}
			if t.IsMultiCell() {
				switch t.Kind {
				case cql.Set:
					return emptyType
				case cql.List:
					return t.Params[0]
				case cql.Map:
					return t.Params[1]
				}
			}
			return t
		}
		b = b[3+n:]
	}
	return blobType
}

var (
	blobType, _  = cql.ParseMarshal("org.apache.cassandra.db.marshal.BytesType")
	emptyType, _ = cql.ParseMarshal("org.apache.cassandra.db.marshal.EmptyType")
)

// appendTypeString is AbstractType.getString as Cassandra 2.2 had it: as
// cql.Type.AppendString, except timestamps (TimestampSerializer's default
// "yyyy-MM-dd HH:mmXX", printed in UTC) and non-frozen collections (hex).
func appendTypeString(dst []byte, t *cql.Type, v []byte) ([]byte, error) {
	if t.Kind == cql.Timestamp || t.Kind == cql.LegacyTimestamp {
		if len(v) == 0 {
			return dst, nil
		}
		if len(v) != 8 {
			return dst, fmt.Errorf("timestamp of %d bytes", len(v))
		}
		ms := int64(binary.BigEndian.Uint64(v))
		return append(dst, time.UnixMilli(ms).UTC().Format("2006-01-02 15:04Z")...), nil
	}
	return cqljson.AppendString(dst, t, v)
}
