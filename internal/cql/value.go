package cql

import (
	"fmt"
	"math/big"

	"github.com/aegisthus/aegisthus/internal/sstable/wire"
)

// This file holds the value-layout helpers that comparison, validation and the
// renderers in internal/render/cqljson share: they split serialized values into
// their parts and never format anything.

// nanosPerDay bounds a TimeType value (nanoseconds since midnight).
const nanosPerDay = 86400 * 1000 * 1000 * 1000

// DecodeDuration reads DurationSerializer's three signed vints and checks them as
// DurationSerializer.validate does. Errors wrap wire.ErrCorrupt.
func DecodeDuration(v []byte) (months, days int32, nanos int64, err error) {
	var vals [3]int64
	off := 0
	for i := range vals {
		u, n := wire.UVint(v[off:])
		if n == 0 {
			return 0, 0, 0, fmt.Errorf("duration: %d bytes end inside vint %d: %w", len(v), i, wire.ErrCorrupt)
		}
		vals[i] = wire.ZigZag(u)
		off += n
	}
	if off != len(v) {
		return 0, 0, 0, fmt.Errorf("duration: %d bytes after the three vints: %w", len(v)-off, wire.ErrCorrupt)
	}
	if vals[0] != int64(int32(vals[0])) || vals[1] != int64(int32(vals[1])) {
		return 0, 0, 0, fmt.Errorf("duration: months %d or days %d do not fit 32 bits: %w", vals[0], vals[1], wire.ErrCorrupt)
	}
	if !(vals[0] >= 0 && vals[1] >= 0 && vals[2] >= 0) && !(vals[0] <= 0 && vals[1] <= 0 && vals[2] <= 0) {
		return 0, 0, 0, fmt.Errorf("duration: months, days and nanoseconds (%d, %d, %d) must have the same sign: %w", vals[0], vals[1], vals[2], wire.ErrCorrupt)
	}
	return int32(vals[0]), int32(vals[1]), vals[2], nil
}

// bigFromTwos reads a two's-complement big-endian integer (Java's
// BigInteger(byte[])).
func bigFromTwos(v []byte) *big.Int {
	b := new(big.Int).SetBytes(v)
	if len(v) > 0 && v[0]&0x80 != 0 {
		b.Sub(b, new(big.Int).Lsh(big.NewInt(1), uint(8*len(v))))
	}
	return b
}
