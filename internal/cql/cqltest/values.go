// Package cqltest builds serialized CQL values, and lists CQL types spelled
// both ways (Types), for the tests of internal/cql, internal/cql/cqlparse and
// internal/render/cqljson. It imports no aegisthus package but wire, so that
// the tests of cql itself can use it.
package cqltest

import (
	"encoding/binary"
	"encoding/hex"
	"math"
	"strings"

	"github.com/aegisthus/aegisthus/internal/sstable/wire"
)

// Hex decodes s, ignoring spaces; it panics on bad hex (a bug in the test).
func Hex(s string) []byte {
	b, err := hex.DecodeString(strings.ReplaceAll(s, " ", ""))
	if err != nil {
		panic(err)
	}
	return b
}

// I32, I64, F32 and F64 serialize an int, bigint, float and double.
func I32(v int32) []byte { return binary.BigEndian.AppendUint32(nil, uint32(v)) }

// I64 serializes a bigint (and timestamps, times, counters).
func I64(v int64) []byte { return binary.BigEndian.AppendUint64(nil, uint64(v)) }

// F32 serializes a float.
func F32(v float32) []byte {
	return binary.BigEndian.AppendUint32(nil, math.Float32bits(v))
}

// F64 serializes a double.
func F64(v float64) []byte {
	return binary.BigEndian.AppendUint64(nil, math.Float64bits(v))
}

// Coll builds a frozen collection (CollectionSerializer, protocol v3+); nil
// elements are null (-1).
func Coll(elems ...[]byte) []byte {
	n := len(elems)
	b := I32(int32(n))
	for _, e := range elems {
		if e == nil {
			b = append(b, I32(-1)...)
			continue
		}
		b = append(b, I32(int32(len(e)))...)
		b = append(b, e...)
	}
	return b
}

// Map builds a frozen map from key, value, key, value...
func Map(kv ...[]byte) []byte {
	b := Coll(kv...)
	binary.BigEndian.PutUint32(b, uint32(len(kv)/2))
	return b
}

// Tuple builds a tuple/UDT value; nil fields are null (-1).
func Tuple(fields ...[]byte) []byte {
	var b []byte
	for _, f := range fields {
		if f == nil {
			b = append(b, I32(-1)...)
			continue
		}
		b = append(b, I32(int32(len(f)))...)
		b = append(b, f...)
	}
	return b
}

// Duration serializes a duration (three zig-zag vints).
func Duration(months, days, nanos int64) []byte {
	b := wire.AppendVint(nil, months)
	b = wire.AppendVint(b, days)
	return wire.AppendVint(b, nanos)
}

// Date serializes a date given in days since 1970-01-01.
func Date(days int64) []byte { return I32(int32(uint32(days + 1<<31))) }
