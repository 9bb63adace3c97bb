package render

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
		g.b = append(g.b, newlineIndent[:n]...)
		return
	}
	g.b = append(g.b, '\n')
	for i := 0; i < g.nesting; i++ {
		g.b = append(g.b, ' ', ' ')
	}
}

// newlineIndent is a newline and the indentation of the first 16 levels:
// one append per indentation, not one per level.
const newlineIndent = "\n                                "

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
	out            []byte
}

// cachedField is field through c, which serves name only.
func (g *jsonGen) cachedField(c *fieldCache, name string) {
	o := &g.open[len(g.open)-1]
	later := o.n > 0
	if c.ok && c.nesting == g.nesting && c.compact == g.objCompact && c.later == later {
		o.n++
		g.b = append(g.b, c.out...)
		return
	}
	start := len(g.b)
	g.field(name)
	*c = fieldCache{ok: true, nesting: g.nesting, compact: g.objCompact, later: later, out: append(c.out[:0], g.b[start:]...)}
}
