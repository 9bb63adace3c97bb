package render

import "slices"

// jsonGen writes JSON the way sstabledump's Jackson JsonGenerator does, so that
// dump's default output is byte for byte what sstabledump prints.
//
// sstabledump (tools/JsonTransformer.java) configures Jackson's
// DefaultPrettyPrinter with two CompactIndenters, one for objects and one for
// arrays, and flips their "compact" switches while it writes: an indenter in
// compact mode writes one space where it would otherwise write a newline and two
// spaces per nesting level. DefaultPrettyPrinter adds " : " between a field name
// and its value and "," before every entry but the first; an empty object or
// array prints as "{ }" or "[ ]". The switches are global state in
// JsonTransformer, so a call sequence must set them exactly where it does; the
// methods below are the generator calls, and ObjCompact/ArrCompact the switches.
//
// With pretty unset nothing but the JSON tokens is written (dump -l): sstabledump
// -l writes each partition with a plain generator.
type jsonGen struct {
	b []byte
	// pretty selects sstabledump's layout; unset, compact JSON.
	pretty bool
	// objCompact and arrCompact are the two CompactIndenters' switches.
	objCompact, arrCompact bool
	// nesting is DefaultPrettyPrinter's indentation level.
	nesting int
	// open holds one entry per open container: whether it is an object, and how
	// many entries it has so far (Jackson's write context).
	open []genContext
}

type genContext struct {
	object bool
	n      int
}

// indent is CompactIndenter.writeIndentation: a space when compact, else a newline
// and two spaces per level.
func (g *jsonGen) indent(compact bool) {
	if !g.pretty {
		return
	}
	if compact {
		g.b = append(g.b, ' ')
		return
	}
	if n := 1 + 2*g.nesting; n <= len(newlineIndent) {
		g.b = appendPadded(g.b, &newlineIndent, n)
		return
	}
	g.b = append(g.b, '\n')
	for i := 0; i < g.nesting; i++ {
		g.b = append(g.b, ' ', ' ')
	}
}

// newlineIndent is a newline and the indentation of the first 31 levels
// (63 spaces):
// one fixed-size store per indentation, not one append per level.
var newlineIndent = func() (b [fragSize]byte) {
	b[0] = '\n'
	for i := 1; i < len(b); i++ {
		b[i] = ' '
	}
	return b
}()

// fragSize is what appendPadded stores at once: dump's constant pieces (a
// cell's opening with its column name, a field, an indentation) mostly fit.
const fragSize = 64

// appendPadded appends src[:n] (n <= fragSize) with one fixed-size store of
// all of src past len(b), where b has the room: a dump appends ~40 such
// pieces per row, and runtime.memmove, dispatching on each one's length, cost
// a twelfth of its instructions and a third of its branch mispredictions.
func appendPadded(b []byte, src *[fragSize]byte, n int) []byte {
	l := len(b)
	if cap(b)-l < fragSize {
		b = growFrag(b)
	}
	store64(b[l:l+fragSize], src)
	return b[:l+n]
}

// store64 copies src to dst in four 16-byte moves: an assignment of the
// whole array may overlap, and the compiler calls memmove for it.
func store64(dst []byte, src *[fragSize]byte) {
	d := (*[fragSize]byte)(dst)
	*(*[16]byte)(d[0:16]) = *(*[16]byte)(src[0:16])
	*(*[16]byte)(d[16:32]) = *(*[16]byte)(src[16:32])
	*(*[16]byte)(d[32:48]) = *(*[16]byte)(src[32:48])
	*(*[16]byte)(d[48:64]) = *(*[16]byte)(src[48:64])
}

// growFrag makes room for two fragSize stores, out of line.
//
//go:noinline
func growFrag(b []byte) []byte {
	return slices.Grow(b, 2*fragSize)
}

// growFragN makes room for n bytes of stores, out of line.
//
//go:noinline
func growFragN(b []byte, n int) []byte {
	return slices.Grow(b, n)
}

// frag is a constant piece of output, appended by appendFrag: with one or
// two fixed-size stores up to 2*fragSize bytes, else with append.
type frag struct {
	n    int
	b    [2][fragSize]byte
	long []byte // when n > 2*fragSize
}

// set makes f hold s.
func (f *frag) set(s []byte) {
	f.n = len(s)
	f.b = [2][fragSize]byte{}
	f.long = f.long[:0]
	if len(s) > 2*fragSize {
		f.long = append(f.long, s...)
		return
	}
	copy(f.b[0][:], s)
	if len(s) > fragSize {
		copy(f.b[1][:], s[fragSize:])
	}
}

func appendFrag(b []byte, f *frag) []byte {
	l := len(b)
	if f.n > fragSize || cap(b)-l < fragSize {
		return appendFragLong(b, f)
	}
	store64(b[l:l+fragSize], &f.b[0])
	return b[:l+f.n]
}

// appendFragLong is appendFrag for a frag of more than fragSize bytes, or
// when b must grow.
func appendFragLong(b []byte, f *frag) []byte {
	if f.n > 2*fragSize {
		return append(b, f.long...)
	}
	l := len(b)
	if cap(b)-l < 2*fragSize {
		b = growFrag(b)
	}
	store64(b[l:l+fragSize], &f.b[0])
	if f.n > fragSize {
		store64(b[l+fragSize:l+2*fragSize], &f.b[1])
	}
	return b[:l+f.n]
}

// value is Jackson's _verifyValueWrite: what comes before a value in its
// container (the entry separator and the array indentation in an array;
// nothing in an object, where field wrote the field-value separator, or at the
// root).
func (g *jsonGen) value() {
	if len(g.open) == 0 {
		return
	}
	c := &g.open[len(g.open)-1]
	if c.object {
		return // field wrote the separator
	}
	if c.n > 0 {
		g.b = append(g.b, ',')
	}
	c.n++
	g.indent(g.arrCompact)
}

// field writes an object's field name (an ASCII constant: no escaping) and
// the field-value separator, since a value always follows.
func (g *jsonGen) field(name string) {
	c := &g.open[len(g.open)-1]
	if c.n > 0 {
		g.b = append(g.b, ',')
	}
	c.n++
	g.indent(g.objCompact)
	g.b = append(g.b, '"')
	g.b = append(g.b, name...)
	if g.pretty {
		g.b = append(g.b, `" : `...)
	} else {
		g.b = append(g.b, `":`...)
	}
}

func (g *jsonGen) startObject() {
	g.value()
	g.b = append(g.b, '{')
	g.nesting++
	g.open = append(g.open, genContext{object: true})
}

func (g *jsonGen) endObject() {
	g.end(g.objCompact, '}')
}

func (g *jsonGen) startArray() {
	g.value()
	g.b = append(g.b, '[')
	g.nesting++
	g.open = append(g.open, genContext{})
}

func (g *jsonGen) endArray() {
	g.end(g.arrCompact, ']')
}

// end is DefaultPrettyPrinter.writeEndObject/writeEndArray.
func (g *jsonGen) end(compact bool, brace byte) {
	g.nesting--
	n := g.open[len(g.open)-1].n
	g.open = g.open[:len(g.open)-1]
	if n > 0 {
		g.indent(compact)
	} else if g.pretty {
		g.b = append(g.b, ' ')
	}
	g.b = append(g.b, brace)
}

// raw writes a value already in JSON form (writeRawValue).
func (g *jsonGen) raw(v []byte) {
	g.value()
	g.b = append(g.b, v...)
}

// rawString is raw for a constant.
func (g *jsonGen) rawString(v string) {
	g.value()
	g.b = append(g.b, v...)
}

// reset starts a new document at dst: sstabledump's generator starts with both
// indenters expanded.
func (g *jsonGen) reset(dst []byte) {
	g.b = dst
	g.objCompact, g.arrCompact = false, false
	g.nesting = 0
	g.open = g.open[:0]
}

// fieldCache holds what field wrote for one name the last time, with the
// state it depends on (nesting, the object indenter, whether an entry came
// before): a hot call site then writes it in one append.
type fieldCache struct {
	ok             bool
	nesting        int
	compact, later bool
	out            frag
}

// cachedField is field through c, which serves name only.
func (g *jsonGen) cachedField(c *fieldCache, name string) {
	o := &g.open[len(g.open)-1]
	later := o.n > 0
	if c.ok && c.nesting == g.nesting && c.compact == g.objCompact && c.later == later {
		o.n++
		g.b = appendFrag(g.b, &c.out)
		return
	}
	start := len(g.b)
	g.field(name)
	c.ok, c.nesting, c.compact, c.later = true, g.nesting, g.objCompact, later
	c.out.set(g.b[start:])
}

// seqKey is the generator state the bytes of a sequence of calls depend on:
// the nesting, the indenters' switches, and the innermost open container
// (whether there is one, is an object, has entries), packed in one word:
// built as a struct of bools, its fields were stored a byte at a time and
// compared with a wider load, which the CPU cannot forward from those
// stores (a stall on every row's opening and end).
type seqKey uint64

const (
	keyObjCompact seqKey = 1 << iota
	keyArrCompact
	keyOpen
	keyObject
	keyLater
	keyNestingShift = iota
)

func (g *jsonGen) key() seqKey {
	k := seqKey(g.nesting)<<keyNestingShift | seqKey(b2i(g.objCompact)) | seqKey(b2i(g.arrCompact))<<1
	if len(g.open) > 0 {
		c := &g.open[len(g.open)-1]
		k |= keyOpen | seqKey(b2i(c.object))<<3 | seqKey(b2i(c.n > 0))<<4
	}
	return k
}

// later reports whether the innermost container has entries.
func (k seqKey) later() bool { return k&keyLater != 0 }

// open reports whether a container is open.
func (k seqKey) open() bool { return k&keyOpen != 0 }

// object reports whether the innermost container is an object.
func (k seqKey) object() bool { return k&keyObject != 0 }

// seqCache holds what a fixed sequence of calls wrote the last time, and
// the state it started from: a caller replays it when the state is the
// same, and applies the sequence's effect on the state itself.
type seqCache struct {
	ok  bool
	key seqKey
	out frag
}
