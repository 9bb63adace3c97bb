package javafmt

import (
	"encoding/binary"
	"math"
	"math/bits"
	"strconv"
)

// AppendInt is strconv.AppendInt(dst, v, 10) (Java's Long.toString). Values
// from 0 to 2^32-1 (positions in a Data.db of up to 4 GiB, clustering
// counters, TTLs) have their digits stored straight into dst, two per step:
// strconv formats into a buffer of its own and appends it, a copy call of a
// varying length for every number, which cost a dump about a fifth more per
// integer.
func AppendInt(dst []byte, v int64) []byte {
	if uint64(v) > math.MaxUint32 {
		return strconv.AppendInt(dst, v, 10)
	}
	u := uint32(v)
	// The digit count: log10 from the bit length (1233/4096 ≈ log10(2)),
	// one less when u is below that power of ten.
	t := uint32(bits.Len32(u|1)*1233) >> 12
	n := int(t) + 1
	if u|1 < pow10u32[t] {
		n--
	}
	l := len(dst)
	if cap(dst)-l < 10 {
		dst = append(dst, "0000000000"...)[:l]
	}
	out := dst[l : l+10]
	i := n
	for u >= 100 {
		q := u / 100
		i -= 2
		binary.LittleEndian.PutUint16(out[i:], uint16(pair(u-100*q)))
		u = q
	}
	if u >= 10 {
		binary.LittleEndian.PutUint16(out, uint16(pair(u)))
	} else {
		out[0] = byte('0' + u)
	}
	return dst[:l+n]
}

var pow10u32 = [...]uint32{1, 10, 100, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9}
