package stats

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"
)

// Cardinality decodes the HyperLogLogPlus sketch of CompactionMetadata
// (Compaction.Cardinality, stream-lib's serialized form: i32 -2, then varints p,
// sp and format, then for the sparse format a varint count and the delta-coded
// register indexes, for the normal one an i32 byte count and 5-bit registers
// packed six per i32) and returns its cardinality() as stream-lib computes it,
// except that the empirical bias correction (applied by stream-lib to
// normal-format sketches estimating between its threshold and 5m) is left out.
// It lives beside Statistics.db's decoder because it decodes file bytes: it
// checks every length against b before reading and never panics. Its error
// messages are what metadata prints in place of the estimate.
func Cardinality(b []byte) (int64, error) {
	if b == nil {
		return 0, errors.New("no cardinality sketch (before ka)")
	}
	pos := 0
	uvarint := func() (uint32, error) {
		var v uint32
		for shift := 0; shift < 35; shift += 7 {
			if pos >= len(b) {
				return 0, errors.New("cardinality sketch: truncated")
			}
			c := b[pos]
			pos++
			v |= uint32(c&0x7f) << shift
			if c&0x80 == 0 {
				return v, nil
			}
		}
		return 0, errors.New("cardinality sketch: varint too long")
	}
	if len(b) < 4 {
		return 0, errors.New("cardinality sketch: truncated")
	}
	if ver := int32(binary.BigEndian.Uint32(b)); ver != -2 {
		return 0, fmt.Errorf("cardinality sketch: serialization version %d, want -2", ver)
	}
	pos = 4
	p, err := uvarint()
	if err != nil {
		return 0, err
	}
	sp, err := uvarint()
	if err != nil {
		return 0, err
	}
	if p < 4 || p > 30 || sp > 32 || sp < p {
		return 0, fmt.Errorf("cardinality sketch: p=%d sp=%d", p, sp)
	}
	kind, err := uvarint()
	if err != nil {
		return 0, err
	}
	switch kind {
	case 1: // sparse: linear counting over 2^sp registers
		n, err := uvarint()
		if err != nil {
			return 0, err
		}
		sm := math.Exp2(float64(sp))
		if float64(n) >= sm {
			// stream-lib turns a sketch normal long before this; the log below
			// would be of zero or a negative number.
			return 0, fmt.Errorf("cardinality sketch: %d sparse registers set, want below %d", n, int64(sm))
		}
		return int64(math.Round(sm * math.Log(sm/(sm-float64(n))))), nil
	case 0:
		if pos+4 > len(b) {
			return 0, errors.New("cardinality sketch: truncated")
		}
		size := int(binary.BigEndian.Uint32(b[pos:]))
		pos += 4
		if size < 0 || size > len(b)-pos {
			return 0, fmt.Errorf("cardinality sketch: %d register bytes, have %d", size, len(b)-pos)
		}
		words := b[pos : pos+size]
		m := 1 << p
		if size/4*6 < m {
			return 0, fmt.Errorf("cardinality sketch: %d register words for %d registers", size/4, m)
		}
		return normalEstimate(words, p), nil
	}
	return 0, fmt.Errorf("cardinality sketch: format %d", kind)
}

// normalEstimate is HyperLogLogPlus.cardinality() of a normal-format sketch of
// 2^p 5-bit registers packed six per big-endian i32 in words, which the caller
// has checked holds them all.
func normalEstimate(words []byte, p uint32) int64 {
	m := 1 << p
	var sum, zeros float64
	for j := 0; j < m; j++ {
		word := binary.BigEndian.Uint32(words[4*(j/6):])
		val := (word >> (5 * uint(j%6))) & 0x1f
		sum += 1 / math.Exp2(float64(val))
		if val == 0 {
			zeros++
		}
	}
	fm := float64(m)
	var alphaMM float64
	switch p {
	case 4:
		alphaMM = 0.673 * fm * fm
	case 5:
		alphaMM = 0.697 * fm * fm
	case 6:
		alphaMM = 0.709 * fm * fm
	default:
		alphaMM = (0.7213 / (1 + 1.079/fm)) * fm * fm
	}
	estimate := alphaMM / sum
	h := estimate
	if zeros > 0 {
		h = fm * math.Log(fm/zeros)
	}
	thresholds := []float64{10, 20, 40, 80, 220, 400, 900, 1800, 3100, 6500, 11500, 20000, 50000, 120000, 350000}
	if (p <= 18 && h < thresholds[p-4]) || (p > 18 && estimate <= 5*fm) {
		return int64(math.Round(h))
	}
	return int64(math.Round(estimate))
}
