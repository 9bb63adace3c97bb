// Package workload generates seeded random CQL schemas covering every CQL
// type and seeded random write workloads for them, as CQL text. The same
// seed always gives the same statements (server-side timestamps aside).
package workload

import (
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
)

// Kind is a CQL type constructor.
type Kind int

const (
	Native Kind = iota
	List
	Set
	Map
	Tuple
	UDT
	Vector
)

// Type is a CQL type tree.
type Type struct {
	Kind   Kind
	Name   string  // native name, or UDT name
	Elems  []*Type // list/set/vector: 1; map: 2; tuple/udt: n
	Fields []string
	Frozen bool
	Dim    int // vector dimension
}

// Natives are all native CQL types except counter (own tables).
var Natives = []string{"ascii", "bigint", "blob", "boolean", "date", "decimal", "double", "duration",
	"float", "inet", "int", "smallint", "text", "time", "timestamp", "timeuuid", "tinyint", "uuid",
	"varchar", "varint"}

// CQL renders the type as in CREATE TABLE.
func (t *Type) CQL() string {
	var s string
	switch t.Kind {
	case Native:
		return t.Name
	case UDT:
		s = t.Name
	case List:
		s = "list<" + t.Elems[0].CQL() + ">"
	case Set:
		s = "set<" + t.Elems[0].CQL() + ">"
	case Map:
		s = "map<" + t.Elems[0].CQL() + ", " + t.Elems[1].CQL() + ">"
	case Tuple:
		var p []string
		for _, e := range t.Elems {
			p = append(p, e.CQL())
		}
		return "tuple<" + strings.Join(p, ", ") + ">" // tuples are always frozen
	case Vector:
		return fmt.Sprintf("vector<%s, %d>", t.Elems[0].CQL(), t.Dim)
	}
	if t.Frozen {
		return "frozen<" + s + ">"
	}
	return s
}

// MultiCell reports whether the column stores one cell per element
// (non-frozen collection or UDT).
func (t *Type) MultiCell() bool {
	return !t.Frozen && (t.Kind == List || t.Kind == Set || t.Kind == Map || t.Kind == UDT)
}

// comparable reports whether values of t can be keys (primary key, set
// element, map key): no duration anywhere, no vector, no multi-cell.
func (t *Type) comparable() bool {
	if t.Kind == Native {
		return t.Name != "duration"
	}
	if t.Kind == Vector || t.MultiCell() {
		return false
	}
	for _, e := range t.Elems {
		if !e.comparable() {
			return false
		}
	}
	return true
}

// Lit returns a random CQL literal of type t.
func (g *Gen) Lit(t *Type) string {
	r := g.r
	switch t.Kind {
	case List, Vector:
		n := 1 + r.IntN(3)
		if t.Kind == Vector {
			n = t.Dim
		}
		var p []string
		for i := 0; i < n; i++ {
			p = append(p, g.Lit(t.Elems[0]))
		}
		return "[" + strings.Join(p, ", ") + "]"
	case Set:
		n := 1 + r.IntN(3)
		var p []string
		for i := 0; i < n; i++ {
			p = append(p, g.Lit(t.Elems[0]))
		}
		return "{" + strings.Join(p, ", ") + "}"
	case Map:
		n := 1 + r.IntN(3)
		var p []string
		for i := 0; i < n; i++ {
			p = append(p, g.Lit(t.Elems[0])+": "+g.Lit(t.Elems[1]))
		}
		return "{" + strings.Join(p, ", ") + "}"
	case Tuple:
		var p []string
		for _, e := range t.Elems {
			if r.IntN(8) == 0 {
				p = append(p, "null")
			} else {
				p = append(p, g.Lit(e))
			}
		}
		return "(" + strings.Join(p, ", ") + ")"
	case UDT:
		var p []string
		for i, e := range t.Elems {
			if r.IntN(6) == 0 {
				continue // field left null
			}
			p = append(p, t.Fields[i]+": "+g.Lit(e))
		}
		return "{" + strings.Join(p, ", ") + "}"
	}
	return g.native(t.Name)
}

const alnum = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"

var unicodeBits = []string{"é", "ß", "日本", "😀", "\"", "\\", "/", "\t", "\n", "ü", "ʼ", "\u2028", "\u0001"}

func quote(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func (g *Gen) word(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = alnum[g.r.IntN(len(alnum))]
	}
	return string(b)
}

func (g *Gen) native(name string) string {
	r := g.r
	switch name {
	case "ascii":
		if r.IntN(6) == 0 {
			return quote("it's " + g.word(r.IntN(5)))
		}
		return quote(g.word(1 + r.IntN(12)))
	case "text", "varchar":
		s := g.word(r.IntN(10))
		if r.IntN(3) == 0 {
			s += unicodeBits[r.IntN(len(unicodeBits))] + g.word(r.IntN(3))
		}
		if r.IntN(20) == 0 {
			s = strings.Repeat(g.word(8), 20+r.IntN(60)) // a long value
		}
		return quote(s)
	case "bigint":
		switch r.IntN(8) {
		case 0:
			return strconv.FormatInt(math.MaxInt64, 10)
		case 1:
			return strconv.FormatInt(math.MinInt64, 10)
		}
		return strconv.FormatInt(r.Int64N(1<<50)-1<<49, 10)
	case "int":
		switch r.IntN(10) {
		case 0:
			return strconv.Itoa(math.MinInt32)
		case 1:
			return strconv.Itoa(math.MaxInt32)
		}
		return strconv.Itoa(r.IntN(200000) - 100000)
	case "smallint":
		return strconv.Itoa(r.IntN(65536) - 32768)
	case "tinyint":
		return strconv.Itoa(r.IntN(256) - 128)
	case "varint":
		b := make([]byte, 1+r.IntN(14))
		for i := range b {
			b[i] = byte(r.IntN(256))
		}
		n := new(big.Int).SetBytes(b)
		if r.IntN(2) == 0 {
			n.Neg(n)
		}
		return n.String()
	case "decimal":
		switch r.IntN(6) {
		case 0:
			return "0"
		case 1:
			return fmt.Sprintf("%d.%03d", r.IntN(1000)-500, r.IntN(1000))
		case 2:
			return fmt.Sprintf("%dE%d", r.IntN(100000), r.IntN(40)-20)
		}
		return fmt.Sprintf("-%d.%d", r.IntN(1<<30), r.IntN(1<<30))
	case "double":
		switch r.IntN(12) {
		case 0:
			return "NaN"
		case 1:
			return "Infinity"
		case 2:
			return "-Infinity"
		case 3:
			return "-0.0"
		case 4:
			return "1.0E300"
		case 5:
			return "5.0E-324"
		}
		return strconv.FormatFloat((r.Float64()-0.5)*math.Pow(10, float64(r.IntN(30)-10)), 'g', -1, 64)
	case "float":
		switch r.IntN(12) {
		case 0:
			return "NaN"
		case 1:
			return "-Infinity"
		case 2:
			return "3.4028235E38"
		}
		return strconv.FormatFloat(float64(float32((r.Float64()-0.5)*math.Pow(10, float64(r.IntN(12)-4)))), 'g', -1, 32)
	case "boolean":
		return strconv.FormatBool(r.IntN(2) == 0)
	case "blob":
		n := r.IntN(24)
		if r.IntN(30) == 0 {
			n = 2000 + r.IntN(3000)
		}
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(r.IntN(256))
		}
		return fmt.Sprintf("0x%x", b)
	case "date":
		switch r.IntN(10) {
		case 0:
			return "'1970-01-01'"
		case 1:
			return "'-5877641-06-23'" // the smallest date
		case 2:
			return "'0001-01-01'"
		}
		return fmt.Sprintf("'%04d-%02d-%02d'", 1900+r.IntN(300), 1+r.IntN(12), 1+r.IntN(28))
	case "time":
		return fmt.Sprintf("'%02d:%02d:%02d.%09d'", r.IntN(24), r.IntN(60), r.IntN(60), r.IntN(1e9))
	case "timestamp":
		switch r.IntN(8) {
		case 0:
			return "0"
		case 1:
			return "-1"
		case 2:
			return fmt.Sprintf("'%04d-%02d-%02d %02d:%02d:%02d+0000'", 1900+r.IntN(300), 1+r.IntN(12), 1+r.IntN(28), r.IntN(24), r.IntN(60), r.IntN(60))
		}
		return strconv.FormatInt(r.Int64N(4e12)-1e12, 10)
	case "duration":
		switch r.IntN(5) {
		case 0:
			return fmt.Sprintf("%dh%dm%ds", r.IntN(100), r.IntN(60), r.IntN(60))
		case 1:
			return fmt.Sprintf("-%dmo%dd", r.IntN(30), r.IntN(40))
		case 2:
			return fmt.Sprintf("%dy%dmo%dd%dh%dm%ds%dms%dus%dns", r.IntN(5), r.IntN(12), r.IntN(30), r.IntN(24), r.IntN(60), r.IntN(60), r.IntN(1000), r.IntN(1000), r.IntN(1000))
		case 3:
			return "P1Y2M3DT4H5M6S"
		}
		return fmt.Sprintf("%dns", r.Int64N(1<<40))
	case "inet":
		if r.IntN(3) == 0 {
			return fmt.Sprintf("'2001:db8::%x:%x'", r.IntN(65536), r.IntN(65536))
		}
		return fmt.Sprintf("'%d.%d.%d.%d'", r.IntN(256), r.IntN(256), r.IntN(256), r.IntN(256))
	case "uuid":
		return g.uuid(4)
	case "timeuuid":
		return g.uuid(1)
	}
	panic("unknown native type " + name)
}

func (g *Gen) uuid(version int) string {
	var b [16]byte
	for i := range b {
		b[i] = byte(g.r.IntN(256))
	}
	b[6] = b[6]&0x0f | byte(version<<4)
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}
