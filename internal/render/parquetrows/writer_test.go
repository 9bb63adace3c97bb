package parquetrows

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"math/big"
	"testing"

	"github.com/parquet-go/parquet-go"
	"github.com/parquet-go/parquet-go/format"

	"github.com/aegisthus/aegisthus/internal/cql/cqlparse"
	"github.com/aegisthus/aegisthus/internal/cql/cqltest"
	"github.com/aegisthus/aegisthus/internal/merge"
	"github.com/aegisthus/aegisthus/internal/render"
	"github.com/aegisthus/aegisthus/internal/render/parquetrows/pqtest"
	"github.com/aegisthus/aegisthus/internal/rows"
	"github.com/aegisthus/aegisthus/internal/schema"
)

// allTypes has a column of every CQL type, frozen and not, and nested frozen
// collections of UDTs.
const allTypes = `
CREATE TYPE ks.addr (street text, zip int, tags frozen<set<text>>);
CREATE TABLE ks.t (pk int, ck text, s_int int static,
	c_ascii ascii, c_bigint bigint, c_blob blob, c_boolean boolean, c_date date, c_decimal decimal,
	c_double double, c_duration duration, c_float float, c_inet inet, c_int int, c_smallint smallint,
	c_text text, c_time time, c_timestamp timestamp, c_timeuuid timeuuid, c_tinyint tinyint, c_uuid uuid,
	c_varchar varchar, c_varint varint,
	l list<int>, s set<text>, m map<text, int>, u addr,
	fl frozen<list<int>>, fs frozen<set<bigint>>, fm frozen<map<int, text>>, fu frozen<addr>,
	tp tuple<int, text, double>, v vector<float, 3>,
	deep frozen<list<frozen<map<text, frozen<list<frozen<addr>>>>>>>,
	PRIMARY KEY (pk, ck)) WITH CLUSTERING ORDER BY (ck DESC)`

func table(t *testing.T, src string) *schema.Table {
	t.Helper()
	sc, err := cqlparse.Parse(src)
	if err != nil {
		t.Fatal(err)
	}
	ct := sc.Tables[0]
	tbl := &schema.Table{Keyspace: ct.Keyspace, Name: ct.Name, CQL: ct}
	for _, c := range ct.PartitionKey {
		tbl.PartitionKey = append(tbl.PartitionKey, schema.Column{Name: c.Name, Type: c.Type})
	}
	tbl.KeyType = tbl.PartitionKey[0].Type
	for _, c := range ct.Clustering {
		tbl.Clustering = append(tbl.Clustering, schema.Column{Name: c.Name, Type: c.Type})
	}
	for _, c := range ct.Static {
		tbl.Columns = append(tbl.Columns, schema.Column{Name: c.Name, Type: c.Type, Static: true})
	}
	for _, c := range ct.Regular {
		tbl.Columns = append(tbl.Columns, schema.Column{Name: c.Name, Type: c.Type})
	}
	tbl.Sort()
	return tbl
}

func text(s string) []byte { return []byte(s) }

// write exports rows of one partition and reads the file back with the
// library's reader.
func write(t *testing.T, tbl *schema.Table, opts render.RowsOptions, key []byte, rs ...*merge.Row) []map[string]any {
	t.Helper()
	s, err := NewSchema(tbl, opts)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	w := s.NewWriter(&buf, 1000, Options{})
	if err := w.StartPartition(key); err != nil {
		t.Fatal(err)
	}
	for _, r := range rs {
		if _, err := w.WriteRow(r); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.EndPartition(); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	got, err := pqtest.Rows(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	return got
}

// row builds a live row of cells (column name → value; a [][2][]byte for the
// path and value cells of a multi-cell column).
func row(tbl *schema.Table, ck []byte, cells map[string]any) *merge.Row {
	m := &merge.Row{Clustering: [][]byte{ck}, Liveness: rows.Liveness{Timestamp: 1, LocalExpirationTime: rows.NoDeletionTime, TTL: rows.NoTTL}}
	if ck == nil {
		m.Static, m.Clustering = true, nil
	}
	for i, c := range tbl.Columns {
		v, ok := cells[c.Name]
		if !ok {
			continue
		}
		switch v := v.(type) {
		case []byte:
			m.Cells = append(m.Cells, rows.Cell{Column: i, Timestamp: 7, TTL: rows.NoTTL, LocalDeletionTime: rows.NoDeletionTime, Value: v})
		case [][2][]byte:
			for _, pv := range v {
				m.Cells = append(m.Cells, rows.Cell{Column: i, Timestamp: 7, TTL: rows.NoTTL, LocalDeletionTime: rows.NoDeletionTime, Path: pv[0], Value: pv[1]})
			}
		}
	}
	return m
}

func varint(s string) []byte {
	n, _ := new(big.Int).SetString(s, 10)
	b := n.Bytes()
	if n.Sign() >= 0 {
		if len(b) == 0 || b[0]&0x80 != 0 {
			b = append([]byte{0}, b...)
		}
		return b
	}
	// two's complement
	m := new(big.Int).Lsh(big.NewInt(1), uint(8*(len(b)+1)))
	m.Add(m, n)
	b = m.Bytes()
	for len(b) > 1 && b[0] == 0xff && b[1]&0x80 != 0 {
		b = b[1:]
	}
	return b
}

func decimal(scale int32, unscaled string) []byte {
	return append(binary.BigEndian.AppendUint32(nil, uint32(scale)), varint(unscaled)...)
}

// TestRoundTrip writes every CQL type (nulls, empty values and collections,
// NaN and infinities, extreme decimals and varints, nested frozen collections
// of UDTs, statics, writetime and ttl) and reads the file back with the
// library's own reader.
func TestRoundTrip(t *testing.T) {
	tbl := table(t, allTypes)
	addr := cqltest.Tuple(text("Main"), cqltest.I32(1), cqltest.Coll(text("a"), text("b")))
	full := map[string]any{
		"c_ascii": text("hi"), "c_bigint": cqltest.I64(math.MinInt64), "c_blob": []byte{0xca, 0xfe},
		"c_boolean": []byte{1}, "c_date": cqltest.Date(-1), "c_decimal": decimal(400, "-1"),
		"c_double": cqltest.F64(math.NaN()), "c_duration": cqltest.Duration(-14, -3, -1),
		"c_float": cqltest.F32(float32(math.Inf(1))), "c_inet": []byte{10, 0, 0, 1}, "c_int": cqltest.I32(-1),
		"c_smallint": []byte{0x80, 0}, "c_text": text("日本"), "c_time": cqltest.I64(86399999999999),
		"c_timestamp": cqltest.I64(-62135596800000), "c_timeuuid": cqltest.Hex("50554d6e29bb11e5b345feff819cdc9f"),
		"c_tinyint": []byte{0x80}, "c_uuid": cqltest.Hex("9b4a3e4e9a8c4e6c8f533c6b1a2d4e5f"), "c_varchar": text(""),
		"c_varint": varint("-1606938044258990275541962092341162602522202993782792835301376"),
		"l":        [][2][]byte{{cqltest.Hex("00"), cqltest.I32(3)}, {cqltest.Hex("01"), cqltest.I32(1)}},
		"s":        [][2][]byte{{text("x"), nil}, {text("y"), nil}},
		"m":        [][2][]byte{{text("k"), cqltest.I32(9)}},
		"u":        [][2][]byte{{{0, 0}, text("Side")}, {{0, 2}, cqltest.Coll()}},
		"fl":       cqltest.Coll(), "fs": cqltest.Coll(cqltest.I64(1 << 62)), "fm": cqltest.Map(cqltest.I32(1), nil),
		"fu": addr, "tp": cqltest.Tuple(cqltest.I32(1), nil), "v": append(append(cqltest.F32(1), cqltest.F32(float32(math.NaN()))...), cqltest.F32(float32(math.Copysign(0, -1)))...),
		"deep": cqltest.Coll(cqltest.Map(text("k"), cqltest.Coll(addr, nil)), cqltest.Map()),
	}
	got := write(t, tbl, render.RowsOptions{Writetime: true, TTL: true}, cqltest.I32(5),
		row(tbl, nil, map[string]any{"s_int": cqltest.I32(42)}),
		row(tbl, text("b"), full),
		row(tbl, text("a"), map[string]any{"c_int": []byte{}, "c_text": []byte{}, "c_blob": []byte{}}))
	want := []map[string]string{{
		"pk": "5", "ck": "b", "s_int": "42", "writetime(s_int)": "7", "ttl(s_int)": "<nil>",
		"c_ascii": "hi", "c_bigint": "-9223372036854775808", "c_blob": "\xca\xfe", "c_boolean": "true",
		"c_date": "-1", "c_decimal": "-1E-400", "c_double": "NaN", "c_duration": "map[days:-3 months:-14 nanoseconds:-1]",
		"c_float": "+Inf", "c_inet": "10.0.0.1", "c_int": "-1", "c_smallint": "-32768", "c_text": "日本",
		"c_time": "86399999999999", "c_timestamp": "-62135596800000",
		"c_timeuuid": "[80 85 77 110 41 187 17 229 179 69 254 255 129 156 220 159]", "c_tinyint": "-128",
		"c_uuid": "[155 74 62 78 154 140 78 108 143 83 60 107 26 45 78 95]", "c_varchar": "",
		"c_varint": "-1606938044258990275541962092341162602522202993782792835301376",
		"l":        "[3 1]", "writetime(l)": "[7 7]", "ttl(l)": "[<nil> <nil>]", "s": "[x y]", "m": "map[k:9]",
		"u": "map[street:Side tags:[] zip:<nil>]", "writetime(u)": "[7 7]",
		"fl": "[]", "fs": "[4611686018427387904]", "fu": "map[street:Main tags:[a b] zip:1]",
		"tp": "map[f0:1 f1:<nil> f2:<nil>]", "v": "[1 NaN -0]",
		"deep":             "[map[k:map[list:[map[element:map[street:[77 97 105 110] tags:map[list:[map[element:[97]] map[element:[98]]]] zip:1]] map[element:<nil>]]]] map[]]",
		"writetime(c_int)": "7", "ttl(c_int)": "<nil>",
	}, {
		"pk": "5", "ck": "a", "s_int": "42", "c_int": "<nil>", "writetime(c_int)": "7", "c_text": "", "c_blob": "",
		"c_bigint": "<nil>", "l": "<nil>", "writetime(l)": "<nil>", "deep": "<nil>", "fu": "<nil>", "c_double": "<nil>",
	}}
	if len(got) != len(want) {
		t.Fatalf("%d rows, want %d", len(got), len(want))
	}
	for i := range want {
		for col, w := range want[i] {
			v, ok := got[i][col]
			if !ok {
				t.Errorf("row %d: no column %s", i, col)
				continue
			}
			if g := fmt.Sprint(v); g != w {
				t.Errorf("row %d %s = %s, want %s", i, col, g, w)
			}
		}
	}
}

// TestStaticsAcrossBatches: rows wait in batches after their merged rows and
// static rows are gone; every row keeps its own partition's values, in one
// row group and in many.
func TestStaticsAcrossBatches(t *testing.T) {
	for _, groupSize := range []int64{0, 4 << 10} {
		t.Run(fmt.Sprintf("group=%d", groupSize), func(t *testing.T) { staticsAcrossBatches(t, groupSize) })
	}
}

func staticsAcrossBatches(t *testing.T, groupSize int64) {
	tbl := table(t, `CREATE TABLE ks.st (pk int, ck int, s text static, v text, PRIMARY KEY (pk, ck))`)
	s, err := NewSchema(tbl, render.RowsOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	w := s.NewWriter(&buf, 1000, Options{RowGroupSize: groupSize})
	const parts = 3*batchRows + 7
	for p := range parts {
		val := []byte(fmt.Sprintf("s%d", p)) // reused below: the writer must copy
		if err := w.StartPartition(cqltest.I32(int32(p))); err != nil {
			t.Fatal(err)
		}
		if _, err := w.WriteRow(row(tbl, nil, map[string]any{"s": val})); err != nil {
			t.Fatal(err)
		}
		for ck := range 3 { // 3: batches end inside partitions
			v := []byte(fmt.Sprintf("v%d.%d", p, ck))
			if _, err := w.WriteRow(row(tbl, cqltest.I32(int32(ck)), map[string]any{"v": v})); err != nil {
				t.Fatal(err)
			}
			copy(v, "xxxx")
		}
		if _, err := w.EndPartition(); err != nil {
			t.Fatal(err)
		}
		copy(val, "xxxx")
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	f, err := parquet.OpenFile(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	if groups := len(f.RowGroups()); (groups > 1) != (groupSize > 0) {
		t.Errorf("%d row groups with group size %d", groups, groupSize)
	}
	got, err := pqtest.Rows(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 3*parts {
		t.Fatalf("%d rows, want %d", len(got), 3*parts)
	}
	for i, g := range got {
		p, ck := i/3, i%3
		if g["s"] != fmt.Sprintf("s%d", p) || g["v"] != fmt.Sprintf("v%d.%d", p, ck) || fmt.Sprint(g["pk"]) != fmt.Sprint(p) {
			t.Fatalf("row %d = %v, want partition %d row %d", i, g, p, ck)
		}
	}
}

// TestCodecsCompress: every codec but none makes a compressible file smaller
// (the library's zero gzip.Codec stores blocks uncompressed), and the rows
// read back the same.
func TestCodecsCompress(t *testing.T) {
	tbl := table(t, `CREATE TABLE ks.c (pk int, ck int, v text, PRIMARY KEY (pk, ck))`)
	s, err := NewSchema(tbl, render.RowsOptions{})
	if err != nil {
		t.Fatal(err)
	}
	sizes := map[string]int{}
	for _, name := range Codecs {
		codec, ok := Codec(name)
		if !ok {
			t.Fatalf("no codec %s", name)
		}
		var buf bytes.Buffer
		w := s.NewWriter(&buf, 1000, Options{Codec: codec})
		if err := w.StartPartition(cqltest.I32(1)); err != nil {
			t.Fatal(err)
		}
		for ck := range 5000 {
			v := text(fmt.Sprintf("row %d of a text that repeats itself, repeats itself, repeats itself", ck))
			if _, err := w.WriteRow(row(tbl, cqltest.I32(int32(ck)), map[string]any{"v": v})); err != nil {
				t.Fatal(err)
			}
		}
		if _, err := w.EndPartition(); err != nil {
			t.Fatal(err)
		}
		if err := w.Close(); err != nil {
			t.Fatal(err)
		}
		got, err := pqtest.Rows(buf.Bytes())
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if len(got) != 5000 || got[4999]["v"] != "row 4999 of a text that repeats itself, repeats itself, repeats itself" {
			t.Fatalf("%s: %d rows, last %v", name, len(got), got[len(got)-1])
		}
		sizes[name] = buf.Len()
	}
	for _, name := range Codecs {
		if name != "none" && sizes[name]*2 > sizes["none"] {
			t.Errorf("%s: %d bytes, none %d: want less than half", name, sizes[name], sizes["none"])
		}
	}
}

// TestNoDictionary: no column is dictionary-encoded (docs/parquet.md,
// Performance: the library's dictionaries cost more CPU than they save once
// pages are compressed); a column of few values and one of distinct long texts
// both read back.
func TestNoDictionary(t *testing.T) {
	tbl := table(t, `CREATE TABLE ks.d (pk int, ck int, few text, distinct text, PRIMARY KEY (pk, ck))`)
	s, err := NewSchema(tbl, render.RowsOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	w := s.NewWriter(&buf, 1000, Options{})
	if err := w.StartPartition(cqltest.I32(1)); err != nil {
		t.Fatal(err)
	}
	const n = 20000
	for ck := range n {
		v := map[string]any{"few": text(fmt.Sprint("kind-", ck%7)), "distinct": text(fmt.Sprintf("%0200d", ck))}
		if _, err := w.WriteRow(row(tbl, cqltest.I32(int32(ck)), v)); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := w.EndPartition(); err != nil {
		t.Fatal(err)
	}
	if err := w.Close(); err != nil {
		t.Fatal(err)
	}
	f, err := parquet.OpenFile(bytes.NewReader(buf.Bytes()), int64(buf.Len()))
	if err != nil {
		t.Fatal(err)
	}
	for _, rg := range f.Metadata().RowGroups {
		for _, c := range rg.Columns {
			for _, es := range c.MetaData.EncodingStats {
				if es.PageType == format.DictionaryPage || es.Encoding == format.RLEDictionary || es.Encoding == format.PlainDictionary {
					t.Errorf("column %v: %v page encoded %v", c.MetaData.PathInSchema, es.PageType, es.Encoding)
				}
			}
		}
	}
	got, err := pqtest.Rows(buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != n || got[n-1]["distinct"] != fmt.Sprintf("%0200d", n-1) || got[n-1]["few"] != fmt.Sprint("kind-", (n-1)%7) {
		t.Fatalf("%d rows, last %v", len(got), got[len(got)-1])
	}
}
