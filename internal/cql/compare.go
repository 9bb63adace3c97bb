package cql

import (
	"bytes"
	"cmp"
	"encoding/binary"
	"math"
	"math/big"
)

// Compare orders two serialized values of type t as Cassandra's comparator does
// (AbstractType.compare: unsigned bytes for BYTE_ORDER types, else the type's
// compareCustom), inverted when t is Reversed. It returns -1, 0 or +1.
//
// Empty values sort before every non-empty value. Values too malformed for the
// type's comparator (a 3-byte int) fall back to unsigned byte order, so Compare is
// total and never panics; Validate reports such values.
func (t *Type) Compare(a, b []byte) int {
	c := t.compare(a, b)
	if t.Reversed {
		return -c
	}
	return c
}

func sign(c int) int {
	switch {
	case c < 0:
		return -1
	case c > 0:
		return 1
	}
	return 0
}

func boolCmp(a, b bool) int {
	switch {
	case a == b:
		return 0
	case a:
		return 1
	}
	return -1
}

func (t *Type) compare(a, b []byte) int {
	if t.Kind < numKinds && kinds[t.Kind].byteCmp {
		return bytes.Compare(a, b)
	}
	if len(a) == 0 || len(b) == 0 {
		// Boolean.compare(right.isEmpty(), left.isEmpty())
		return boolCmp(len(b) == 0, len(a) == 0)
	}
	switch t.Kind {
	case Boolean:
		return boolCmp(a[0] != 0, b[0] != 0)
	case Tinyint, Smallint, Int, Bigint, Counter, Timestamp:
		// Signed first byte, then unsigned bytes: numeric order when lengths agree.
		if len(a) == len(b) {
			if c := int(int8(a[0])) - int(int8(b[0])); c != 0 {
				return sign(c)
			}
			return bytes.Compare(a[1:], b[1:])
		}
	case Varint:
		return compareVarint(a, b)
	case Float:
		if len(a) == 4 && len(b) == 4 {
			return javaFloatCompare(float64(math.Float32frombits(binary.BigEndian.Uint32(a))),
				float64(math.Float32frombits(binary.BigEndian.Uint32(b))))
		}
	case Double:
		if len(a) == 8 && len(b) == 8 {
			return javaFloatCompare(math.Float64frombits(binary.BigEndian.Uint64(a)), math.Float64frombits(binary.BigEndian.Uint64(b)))
		}
	case Decimal:
		if c, ok := compareDecimal(a, b); ok {
			return c
		}
	case UUID:
		if len(a) == 16 && len(b) == 16 {
			return compareUUID(a, b)
		}
	case Timeuuid:
		if len(a) == 16 && len(b) == 16 {
			return compareTimeUUID(a, b)
		}
	case LexicalUUID:
		if len(a) == 16 && len(b) == 16 {
			// java.util.UUID.compareTo: signed msb, then signed lsb.
			if c := cmp.Compare(int64(binary.BigEndian.Uint64(a)), int64(binary.BigEndian.Uint64(b))); c != 0 {
				return c
			}
			return cmp.Compare(int64(binary.BigEndian.Uint64(a[8:])), int64(binary.BigEndian.Uint64(b[8:])))
		}
	case Empty:
		return 0
	case List, Set:
		if c, ok := t.compareCollections(a, b, 1); ok {
			return c
		}
	case Map:
		if c, ok := t.compareCollections(a, b, 2); ok {
			return c
		}
	case Tuple, UDT:
		if c, ok := t.compareTuples(a, b); ok {
			return c
		}
	case Vector:
		if c, ok := t.compareVectors(a, b); ok {
			return c
		}
	case Composite:
		if c, ok := t.compareComposites(a, b); ok {
			return c
		}
	case DynamicComposite:
		if c, ok := t.compareDynamic(a, b); ok {
			return c
		}
	}
	return bytes.Compare(a, b)
}

// javaFloatCompare is Float.compare / Double.compare: -0.0 < 0.0, and NaN equals
// itself and is greater than everything else.
func javaFloatCompare(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	an, bn := math.IsNaN(a), math.IsNaN(b)
	if an || bn {
		return boolCmp(an, bn)
	}
	return boolCmp(!math.Signbit(a), !math.Signbit(b))
}

// significant returns the index of the most significant byte of a two's-complement
// value, skipping redundant sign bytes (IntegerType.findMostSignificantByte).
func significant(v []byte) int {
	i := 0
	for ; i < len(v)-1; i++ {
		b0, b1 := v[i], v[i+1]
		if !(b0 == 0 && b1&0x80 == 0 || b0 == 0xff && b1&0x80 != 0) {
			break
		}
	}
	return i
}

// compareVarint mirrors IntegerType.compareIntegers: numeric order of two
// two's-complement integers of any length.
func compareVarint(a, b []byte) int {
	ai, bi := significant(a), significant(b)
	al, bl := len(a)-ai, len(b)-bi
	am, bm := int8(a[ai]), int8(b[bi])
	if al != bl {
		if am < 0 {
			if bm < 0 {
				return sign(bl - al)
			}
			return -1
		}
		if bm < 0 {
			return 1
		}
		return sign(al - bl)
	}
	if am != bm {
		return sign(int(am) - int(bm))
	}
	return bytes.Compare(a[ai+1:], b[bi+1:])
}

// compareDecimal is BigDecimal.compareTo (numeric: 1.0 equals 1.00).
func compareDecimal(a, b []byte) (int, bool) {
	if len(a) < 5 || len(b) < 5 {
		return 0, false
	}
	sa := int64(int32(binary.BigEndian.Uint32(a)))
	sb := int64(int32(binary.BigEndian.Uint32(b)))
	ua, ub := bigFromTwos(a[4:]), bigFromTwos(b[4:])
	if c := ua.Sign() - ub.Sign(); c != 0 || ua.Sign() == 0 {
		return sign(c), true
	}
	// Same sign, both non-zero: compare adjusted exponents first, so rescaling
	// below only spans the difference in digit counts.
	da, db := int64(len(ua.Text(10))), int64(len(ub.Text(10)))
	if ua.Sign() < 0 {
		da--
		db--
	}
	if ea, eb := da-sa, db-sb; ea != eb {
		c := cmp.Compare(ea, eb)
		return c * ua.Sign(), true
	}
	d := sa - sb // == da - db, bounded by the digit counts
	ten := big.NewInt(10)
	if d > 0 {
		ub.Mul(ub, new(big.Int).Exp(ten, big.NewInt(d), nil))
	} else if d < 0 {
		ua.Mul(ua, new(big.Int).Exp(ten, big.NewInt(-d), nil))
	}
	return ua.Cmp(ub), true
}

// reorderTimestamp moves a v1 UUID's time_hi/version to the top, then time_mid,
// then time_low (TimeUUIDType.reorderTimestampBytes).
func reorderTimestamp(msb uint64) uint64 {
	return msb<<48 | (msb<<16)&0xFFFF00000000 | msb>>32
}

// compareUUID mirrors UUIDType.compareCustom: version first, then the timestamp
// for version 1 or the unsigned msb otherwise, then the unsigned lsb.
func compareUUID(a, b []byte) int {
	ma, mb := binary.BigEndian.Uint64(a), binary.BigEndian.Uint64(b)
	va, vb := int(ma>>12&0xf), int(mb>>12&0xf)
	if va != vb {
		return sign(va - vb)
	}
	var c int
	if va == 1 {
		c = cmp.Compare(int64(reorderTimestamp(ma)), int64(reorderTimestamp(mb)))
	} else {
		c = cmp.Compare(ma, mb)
	}
	if c != 0 {
		return c
	}
	return cmp.Compare(binary.BigEndian.Uint64(a[8:]), binary.BigEndian.Uint64(b[8:]))
}

// compareTimeUUID mirrors TimeUUIDType.compareCustom: the reordered timestamp as a
// signed long, then the lsb compared as signed bytes.
func compareTimeUUID(a, b []byte) int {
	ma, mb := reorderTimestamp(binary.BigEndian.Uint64(a)), reorderTimestamp(binary.BigEndian.Uint64(b))
	if c := cmp.Compare(int64(ma), int64(mb)); c != 0 {
		return c
	}
	const flip = 0x0080808080808080 // signedBytesToNativeLong
	return cmp.Compare(int64(binary.BigEndian.Uint64(a[8:])^flip), int64(binary.BigEndian.Uint64(b[8:])^flip))
}

// collectionReader walks a frozen collection's elements one at a time.
type collectionReader struct {
	v   []byte
	off int
}

func (r *collectionReader) count() (int, bool) {
	if len(r.v) < 4 {
		return 0, false
	}
	n := int32(binary.BigEndian.Uint32(r.v))
	r.off = 4
	return int(n), n >= 0
}

func (r *collectionReader) next() ([]byte, bool) {
	if len(r.v)-r.off < 4 {
		return nil, false
	}
	l := int32(binary.BigEndian.Uint32(r.v[r.off:]))
	r.off += 4
	if l < 0 {
		return nil, true
	}
	if int(l) > len(r.v)-r.off {
		return nil, false
	}
	e := r.v[r.off : r.off+int(l)]
	r.off += int(l)
	return e, true
}

// compareCollections mirrors ListType.compareListOrSet and MapType.compareMaps:
// element-wise (key then value for maps), then by size.
func (t *Type) compareCollections(a, b []byte, per int) (int, bool) {
	ra, rb := collectionReader{v: a}, collectionReader{v: b}
	na, ok1 := ra.count()
	nb, ok2 := rb.count()
	if !ok1 || !ok2 {
		return 0, false
	}
	for i := 0; i < min(na, nb)*per; i++ {
		ea, ok1 := ra.next()
		eb, ok2 := rb.next()
		if !ok1 || !ok2 {
			return 0, false
		}
		if c := t.Params[i%per].Compare(ea, eb); c != 0 {
			return c, true
		}
	}
	return sign(na - nb), true
}

// compareTuples mirrors TupleType.compareCustom: field by field, null before any
// value, and missing trailing fields equal to nulls.
func (t *Type) compareTuples(a, b []byte) (int, bool) {
	oa, ob, i := 0, 0, 0
	for ; oa < len(a) && ob < len(b) && i < len(t.Params); i++ {
		if len(a)-oa < 4 || len(b)-ob < 4 {
			return 0, false
		}
		la := int32(binary.BigEndian.Uint32(a[oa:]))
		lb := int32(binary.BigEndian.Uint32(b[ob:]))
		oa += 4
		ob += 4
		if la < 0 {
			if lb < 0 {
				continue
			}
			return -1, true
		}
		if lb < 0 {
			return 1, true
		}
		if int(la) > len(a)-oa || int(lb) > len(b)-ob {
			return 0, false
		}
		if c := t.Params[i].Compare(a[oa:oa+int(la)], b[ob:ob+int(lb)]); c != 0 {
			return c, true
		}
		oa += int(la)
		ob += int(lb)
	}
	if i == len(t.Params) && (oa < len(a) || ob < len(b)) {
		return 0, false // more fields than the type has: not a valid value
	}
	restNull := func(v []byte, off int) (bool, bool) {
		for off < len(v) {
			if len(v)-off < 4 {
				return false, false
			}
			l := int32(binary.BigEndian.Uint32(v[off:]))
			if l >= 0 {
				return false, true
			}
			off += 4
		}
		return true, true
	}
	na, ok1 := restNull(a, oa)
	nb, ok2 := restNull(b, ob)
	if !ok1 || !ok2 {
		return 0, false
	}
	switch {
	case na && nb:
		return 0, true
	case oa == len(a):
		if nb {
			return 0, true
		}
		return -1, true
	case na:
		return 0, true
	}
	return 1, true
}

func (t *Type) compareVectors(a, b []byte) (int, bool) {
	var ea, eb [][]byte
	if t.VectorElems(a, func(_ int, e []byte) error { ea = append(ea, e); return nil }) != nil ||
		t.VectorElems(b, func(_ int, e []byte) error { eb = append(eb, e); return nil }) != nil {
		return 0, false
	}
	for i := range ea {
		if c := t.Params[0].Compare(ea[i], eb[i]); c != 0 {
			return c, true
		}
	}
	return 0, true
}

type compositePart struct {
	c   []byte
	eoc byte
}

func compositeParts(v []byte) (bool, []compositePart, bool) {
	var parts []compositePart
	static, err := compositeComponents(v, func(_ int, c []byte, eoc byte) bool {
		parts = append(parts, compositePart{c, eoc})
		return true
	})
	return static, parts, err == nil
}

// compareComposites mirrors AbstractCompositeType.compareCustom: static before
// non-static, then component by component (then by end-of-component byte), a
// prefix before anything longer.
func (t *Type) compareComposites(a, b []byte) (int, bool) {
	sa, pa, ok1 := compositeParts(a)
	sb, pb, ok2 := compositeParts(b)
	if !ok1 || !ok2 {
		return 0, false
	}
	if sa != sb {
		if sa {
			return -1, true
		}
		return 1, true
	}
	for i := 0; i < len(pa) && i < len(pb); i++ {
		ct := TypeBlob
		if i < len(t.Params) {
			ct = t.Params[i]
		}
		if c := ct.Compare(pa[i].c, pb[i].c); c != 0 {
			return c, true
		}
		if pa[i].eoc != pb[i].eoc {
			return sign(int(int8(pa[i].eoc)) - int(int8(pb[i].eoc))), true
		}
	}
	return sign(len(pa) - len(pb)), true
}

// compareDynamic compares DynamicCompositeType values component by component with
// each component's own type; components of different types order by their
// alias or class name. (Cassandra's exact cross-type order is not reproduced.)
func (t *Type) compareDynamic(a, b []byte) (int, bool) {
	type part struct {
		name string
		ct   *Type
		c    []byte
		eoc  byte
	}
	collect := func(v []byte) ([]part, bool) {
		var ps []part
		err := t.DynamicComponents(v, func(_ int, alias byte, class string, ct *Type, c []byte, eoc byte) bool {
			n := class
			if n == "" {
				n = string(rune(alias))
			}
			ps = append(ps, part{n, ct, c, eoc})
			return true
		})
		return ps, err == nil
	}
	pa, ok1 := collect(a)
	pb, ok2 := collect(b)
	if !ok1 || !ok2 {
		return 0, false
	}
	for i := 0; i < len(pa) && i < len(pb); i++ {
		if pa[i].name != pb[i].name {
			if pa[i].name < pb[i].name {
				return -1, true
			}
			return 1, true
		}
		if c := pa[i].ct.Compare(pa[i].c, pb[i].c); c != 0 {
			return c, true
		}
		if pa[i].eoc != pb[i].eoc {
			return sign(int(int8(pa[i].eoc)) - int(int8(pb[i].eoc))), true
		}
	}
	return sign(len(pa) - len(pb)), true
}
