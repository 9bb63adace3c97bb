// Package token computes partition tokens the way Cassandra's partitioners do, so
// that partitions from many SSTables can be merged in on-disk order: by token, then
// by raw key bytes (DecoratedKey.compareTo).
package token

import (
	"bytes"
	"crypto/md5"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math"
	"math/big"
	"math/bits"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/aegisthus/aegisthus/internal/sstable/wire"
)

// Partitioner orders partition keys.
type Partitioner interface {
	Name() string
	// Compare orders two raw partition keys as they are stored on disk.
	Compare(a, b []byte) int
	// AppendToken appends key's token in a byte-comparable form: bytes.Compare on
	// two results orders them as the partitioner orders tokens. Token ranges in
	// plans and filters use this form.
	AppendToken(dst, key []byte) []byte
	// FormatToken renders a byte-comparable token as Cassandra prints it.
	FormatToken(tok []byte) string
}

// ForName returns the partitioner named in Statistics.db (full or short class name).
func ForName(class string) (Partitioner, error) {
	short := class[strings.LastIndexByte(class, '.')+1:]
	switch short {
	case "Murmur3Partitioner":
		return Murmur3{}, nil
	case "RandomPartitioner":
		return Random{}, nil
	case "ByteOrderedPartitioner":
		return ByteOrdered{}, nil
	case "OrderPreservingPartitioner":
		return OrderPreserving{}, nil
	}
	return nil, fmt.Errorf("partitioner %q: %w", class, wire.ErrUnsupported)
}

// Murmur3 is Murmur3Partitioner.
type Murmur3 struct{}

func (Murmur3) Name() string { return "org.apache.cassandra.dht.Murmur3Partitioner" }

// Compare orders by token, then by key bytes.
func (Murmur3) Compare(a, b []byte) int {
	ta, tb := Murmur3Token(a), Murmur3Token(b)
	switch {
	case ta < tb:
		return -1
	case ta > tb:
		return 1
	}
	return bytes.Compare(a, b)
}

// Murmur3Token returns Murmur3Partitioner.getToken(key).
func Murmur3Token(key []byte) int64 {
	if len(key) == 0 {
		return math.MinInt64
	}
	h1, _ := Murmur3Hash(key)
	t := int64(h1)
	if t == math.MinInt64 {
		return math.MaxInt64
	}
	return t
}

const (
	c1 = 0x87c37b91114253d5
	c2 = 0x4cf5ad432745937f
)

func fmix(k uint64) uint64 {
	k ^= k >> 33
	k *= 0xff51afd7ed558ccd
	k ^= k >> 33
	k *= 0xc4ceb9fe1a85ec53
	k ^= k >> 33
	return k
}

func le64(b []byte) uint64 {
	return uint64(b[0]) | uint64(b[1])<<8 | uint64(b[2])<<16 | uint64(b[3])<<24 |
		uint64(b[4])<<32 | uint64(b[5])<<40 | uint64(b[6])<<48 | uint64(b[7])<<56
}

// Murmur3Hash is Cassandra's MurmurHash.hash3_x64_128 with seed 0, including its
// sign extension of tail bytes (it differs from standard MurmurHash3 there).
func Murmur3Hash(key []byte) (h1, h2 uint64) {
	n := len(key)
	nblocks := n / 16
	for i := range nblocks {
		k1 := le64(key[i*16:])
		k2 := le64(key[i*16+8:])
		k1 *= c1
		k1 = bits.RotateLeft64(k1, 31)
		k1 *= c2
		h1 ^= k1
		h1 = bits.RotateLeft64(h1, 27)
		h1 += h2
		h1 = h1*5 + 0x52dce729
		k2 *= c2
		k2 = bits.RotateLeft64(k2, 33)
		k2 *= c1
		h2 ^= k2
		h2 = bits.RotateLeft64(h2, 31)
		h2 += h1
		h2 = h2*5 + 0x38495ab5
	}
	tail := key[nblocks*16:]
	sx := func(b byte) uint64 { return uint64(int64(int8(b))) }
	var k1, k2 uint64
	switch len(tail) {
	case 15:
		k2 ^= sx(tail[14]) << 48
		fallthrough
	case 14:
		k2 ^= sx(tail[13]) << 40
		fallthrough
	case 13:
		k2 ^= sx(tail[12]) << 32
		fallthrough
	case 12:
		k2 ^= sx(tail[11]) << 24
		fallthrough
	case 11:
		k2 ^= sx(tail[10]) << 16
		fallthrough
	case 10:
		k2 ^= sx(tail[9]) << 8
		fallthrough
	case 9:
		k2 ^= sx(tail[8])
		k2 *= c2
		k2 = bits.RotateLeft64(k2, 33)
		k2 *= c1
		h2 ^= k2
		fallthrough
	case 8:
		k1 ^= sx(tail[7]) << 56
		fallthrough
	case 7:
		k1 ^= sx(tail[6]) << 48
		fallthrough
	case 6:
		k1 ^= sx(tail[5]) << 40
		fallthrough
	case 5:
		k1 ^= sx(tail[4]) << 32
		fallthrough
	case 4:
		k1 ^= sx(tail[3]) << 24
		fallthrough
	case 3:
		k1 ^= sx(tail[2]) << 16
		fallthrough
	case 2:
		k1 ^= sx(tail[1]) << 8
		fallthrough
	case 1:
		k1 ^= sx(tail[0])
		k1 *= c1
		k1 = bits.RotateLeft64(k1, 31)
		k1 *= c2
		h1 ^= k1
	}
	h1 ^= uint64(n)
	h2 ^= uint64(n)
	h1 += h2
	h2 += h1
	h1 = fmix(h1)
	h2 = fmix(h2)
	h1 += h2
	h2 += h1
	return h1, h2
}

// AppendToken appends the token as 8 big-endian bytes with the sign bit flipped.
func (Murmur3) AppendToken(dst, key []byte) []byte {
	return binary.BigEndian.AppendUint64(dst, uint64(Murmur3Token(key))^(1<<63))
}

// FormatToken prints the signed 64-bit token.
func (Murmur3) FormatToken(tok []byte) string {
	if len(tok) != 8 {
		return fmt.Sprintf("0x%x", tok)
	}
	return strconv.FormatInt(int64(binary.BigEndian.Uint64(tok)^(1<<63)), 10)
}

// Random is RandomPartitioner: |md5(key)| as a signed big-endian integer.
type Random struct{}

func (Random) Name() string { return "org.apache.cassandra.dht.RandomPartitioner" }

// RandomToken returns RandomPartitioner's token; -1 for the empty key.
func RandomToken(key []byte) *big.Int {
	if len(key) == 0 {
		return big.NewInt(-1)
	}
	sum := md5.Sum(key)
	v := new(big.Int).SetBytes(sum[:])
	if sum[0]&0x80 != 0 { // two's complement negative
		v.Sub(v, new(big.Int).Lsh(big.NewInt(1), 128))
	}
	return v.Abs(v)
}

// AppendToken appends the token as 17 big-endian bytes (its range is -1..2^127,
// shifted by one so the minimum token sorts first).
func (Random) AppendToken(dst, key []byte) []byte {
	v := RandomToken(key)
	v.Add(v, big.NewInt(1))
	var b [17]byte
	return append(dst, v.FillBytes(b[:])...)
}

// FormatToken prints the decimal token.
func (Random) FormatToken(tok []byte) string {
	v := new(big.Int).SetBytes(tok)
	return v.Sub(v, big.NewInt(1)).String()
}

func (Random) Compare(a, b []byte) int {
	if c := RandomToken(a).Cmp(RandomToken(b)); c != 0 {
		return c
	}
	return bytes.Compare(a, b)
}

// ByteOrdered is ByteOrderedPartitioner: the key is the token.
type ByteOrdered struct{}

func (ByteOrdered) Name() string            { return "org.apache.cassandra.dht.ByteOrderedPartitioner" }
func (ByteOrdered) Compare(a, b []byte) int { return bytes.Compare(a, b) }

// AppendToken appends the key: it is its own token.
func (ByteOrdered) AppendToken(dst, key []byte) []byte { return append(dst, key...) }

// FormatToken prints the token in hex, as ByteOrderedPartitioner does.
func (ByteOrdered) FormatToken(tok []byte) string { return fmt.Sprintf("%x", tok) }

// OrderPreserving is OrderPreservingPartitioner: the key as a Java string.
type OrderPreserving struct{}

func (OrderPreserving) Name() string {
	return "org.apache.cassandra.dht.OrderPreservingPartitioner"
}

// Compare orders by UTF-16 code units as Java's String.compareTo does; for keys
// outside the BMP this differs from byte order.
func (OrderPreserving) Compare(a, b []byte) int {
	ra, rb := []rune(string(a)), []rune(string(b))
	ua, ub := utf16Units(ra), utf16Units(rb)
	for i := 0; i < len(ua) && i < len(ub); i++ {
		if ua[i] != ub[i] {
			if ua[i] < ub[i] {
				return -1
			}
			return 1
		}
	}
	switch {
	case len(ua) < len(ub):
		return -1
	case len(ua) > len(ub):
		return 1
	}
	return bytes.Compare(a, b)
}

// AppendToken appends the key's UTF-16 code units, big-endian: byte order then
// equals Java's String order.
func (OrderPreserving) AppendToken(dst, key []byte) []byte {
	for _, u := range utf16Units([]rune(string(key))) {
		dst = binary.BigEndian.AppendUint16(dst, u)
	}
	return dst
}

// FormatToken prints the token as the string it came from.
func (OrderPreserving) FormatToken(tok []byte) string {
	units := make([]uint16, len(tok)/2)
	for i := range units {
		units[i] = binary.BigEndian.Uint16(tok[2*i:])
	}
	return string(utf16.Decode(units))
}

func utf16Units(rs []rune) []uint16 {
	out := make([]uint16, 0, len(rs))
	for _, r := range rs {
		if r >= 0x10000 {
			r -= 0x10000
			out = append(out, uint16(0xD800+(r>>10)), uint16(0xDC00+(r&0x3FF)))
			continue
		}
		out = append(out, uint16(r))
	}
	return out
}

// ParseToken reads a token as Cassandra prints it (Murmur3 and Random: a decimal
// number; ByteOrdered: hex; OrderPreserving: the string) into the
// byte-comparable form AppendToken produces.
func ParseToken(p Partitioner, s string) ([]byte, error) {
	switch p.(type) {
	case Murmur3:
		v, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("token %q: want a signed 64-bit number", s)
		}
		return binary.BigEndian.AppendUint64(nil, uint64(v)^(1<<63)), nil
	case Random:
		v, ok := new(big.Int).SetString(s, 10)
		if !ok || v.Sign() < 0 && v.Cmp(big.NewInt(-1)) != 0 || v.BitLen() > 127 {
			return nil, fmt.Errorf("token %q: want a number from -1 to 2^127", s)
		}
		v.Add(v, big.NewInt(1))
		var b [17]byte
		return v.FillBytes(b[:]), nil
	case ByteOrdered:
		b, err := hex.DecodeString(s)
		if err != nil {
			return nil, fmt.Errorf("token %q: want hex", s)
		}
		return b, nil
	case OrderPreserving:
		return p.AppendToken(nil, []byte(s)), nil
	}
	return nil, fmt.Errorf("tokens of %s cannot be parsed", p.Name())
}

// AppendComparableKey appends the byte-comparable form of a decorated key
// that BTI's Partitions.db trie maps (DecoratedKey.asComparableBytes, encoding
// OSS50): 0x40, the token's form, 0x40, the key escaped (appendEscaped), the
// terminator 0x38. The token's form is, by partitioner:
//   - Murmur3: its 8 bytes (AppendToken);
//   - Random (IntegerType's form of the token): 0xFF for a positive number,
//     the count of its significant bytes less 7, then those bytes. Tokens of
//     fewer than 7 significant bytes (below 2^48: one key in 2^79) take
//     another form, not implemented: ok false;
//   - ByteOrdered: the key escaped;
//   - OrderPreserving: the key's string in UTF-8, escaped: the key itself
//     when it is valid UTF-8 (ok false otherwise: Java decodes it with
//     replacement characters).
//
// ok is false, and dst returned as is, for a form not implemented (another
// partitioner). testdata/comparable-keys.txt holds the forms Cassandra 5.0.9
// computes for 1,287 keys and partitioners (interop/java/ComparableKeys.java).
func AppendComparableKey(p Partitioner, dst, key []byte) (out []byte, ok bool) {
	n := len(dst)
	dst = append(dst, 0x40)
	switch p := p.(type) {
	case Murmur3:
		dst = p.AppendToken(dst, key)
	case Random:
		m := RandomToken(key)
		if m.Sign() <= 0 || m.BitLen() <= 48 {
			return dst[:n], false
		}
		b := m.Bytes()
		dst = append(append(dst, 0xFF, byte(len(b)-7)), b...) // at most 17 bytes: a one-byte count
	case ByteOrdered:
		dst = appendEscaped(dst, key)
	case OrderPreserving:
		if !utf8.Valid(key) {
			return dst[:n], false
		}
		dst = appendEscaped(dst, key)
	default:
		return dst[:n], false
	}
	dst = appendEscaped(append(dst, 0x40), key)
	return append(dst, 0x38), true
}

// appendEscaped appends b as ByteSource.AbstractEscaper writes it: a zero byte
// is followed by 0xFE when another zero follows, by 0xFF before any other
// byte; the end is 0x00 (0xFE after a zero).
func appendEscaped(dst, b []byte) []byte {
	escaped := false
	for _, c := range b {
		switch {
		case !escaped:
			dst = append(dst, c)
			escaped = c == 0
		case c == 0:
			dst = append(dst, 0xFE)
		default:
			dst = append(dst, 0xFF, c)
			escaped = false
		}
	}
	if escaped {
		return append(dst, 0xFE)
	}
	return append(dst, 0x00)
}
