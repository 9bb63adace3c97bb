package render

import (
	"testing"

	"github.com/aegisthus/aegisthus/internal/cql"
	"github.com/aegisthus/aegisthus/internal/merge"
	"github.com/aegisthus/aegisthus/internal/rows"
	"github.com/aegisthus/aegisthus/internal/schema"
)

func marshalType(t *testing.T, s string) *cql.Type {
	t.Helper()
	ty, err := cql.ParseMarshal("org.apache.cassandra.db.marshal." + s)
	if err != nil {
		t.Fatal(err)
	}
	return ty
}

// comp is one CompositeType component of a 2.x cell name: length, bytes, EOC 0.
func comp(hexBytes string) string {
	n := len(hexBytes) / 2
	return string("0123456789abcdef"[n>>12&15]) + string("0123456789abcdef"[n>>8&15]) +
		string("0123456789abcdef"[n>>4&15]) + string("0123456789abcdef"[n&15]) + hexBytes + "00"
}

func cell(col int, ts int64, v []byte) rows.Cell {
	return rows.Cell{Column: col, Timestamp: ts, TTL: rows.NoTTL, LocalDeletionTime: rows.NoDeletionTime, Value: v}
}

func render(a *AegisthusLayout, key []byte, del rows.DeletionTime, rows ...merge.Row) string {
	b := a.AppendStart(nil, &merge.Partition{Key: key, Deletion: del})
	for i := range rows {
		b = a.AppendRow(b, &rows[i])
	}
	return string(a.AppendEnd(b))
}

// TestAegisthusLine pins the line format. Expected strings follow Netflix
// Aegisthus: JsonOutputFormat.getRecordWriter's write (hex key, tab, the record;
// "deletedAt" is the row's markedForDeleteAt, Long.MIN_VALUE when live, as
// SSTableColumnScanner.deserialize passes it on; after [name, value, timestamp]
// "d" for a DeletedColumn, "e", getTimeToLive, getLocalDeletionTime for an
// ExpiringColumn, "c", timestampOfLastDelete for a CounterColumn; names and
// values through BytesType.getString, i.e. hex) with the spacing of
// AegisthusSerializer.serialize / serializeColumns. Cell names are those of
// Cassandra 3.0's LegacyLayout.encodeCellName (CompositeType.build).
func TestAegisthusLine(t *testing.T) {
	intT, textT := marshalType(t, "Int32Type"), marshalType(t, "UTF8Type")
	sparse := &schema.Table{
		KeyType:    textT,
		Clustering: []schema.Column{{Name: "ck", Type: intT}},
		// Table order (simple then complex, by name) is not 2.x name order: "v"
		// sorts after "c" although it comes first here.
		Columns: []schema.Column{{Name: "s", Type: textT, Static: true}, {Name: "v", Type: intT}, {Name: "c", Type: intT}},
	}
	counters := &schema.Table{KeyType: textT, Columns: []schema.Column{{Name: "n", Type: marshalType(t, "CounterColumnType")}}}
	ck1 := comp("00000001")
	live := rows.Live
	tests := []struct {
		name string
		a    *AegisthusLayout
		key  string
		del  rows.DeletionTime
		rows []merge.Row
		want string
	}{{
		name: "live partition, row marker then cells in name order",
		a:    NewAegisthusLayout(sparse, SparseNames),
		key:  "k1", del: live,
		rows: []merge.Row{{
			Clustering: [][]byte{{0, 0, 0, 1}},
			Liveness:   rows.Liveness{Timestamp: 10, TTL: rows.NoTTL, LocalExpirationTime: rows.NoDeletionTime},
			Cells:      []rows.Cell{cell(1, 11, []byte{0, 0, 0, 2}), cell(2, 12, []byte{0, 0, 0, 3})},
		}},
		want: `6b31` + "\t" + `{"6b31": {"deletedAt": -9223372036854775808, "columns": [` +
			`["` + ck1 + comp("") + `","",10], ` +
			`["` + ck1 + comp("63") + `","00000003",12], ` +
			`["` + ck1 + comp("76") + `","00000002",11]]}}` + "\n",
	}, {
		name: "deleted partition without columns",
		a:    NewAegisthusLayout(sparse, SparseNames),
		key:  "k2", del: rows.DeletionTime{MarkedForDeleteAt: 1234, LocalDeletionTime: 1700000000},
		want: `6b32` + "\t" + `{"6b32": {"deletedAt": 1234, "columns": []}}` + "\n",
	}, {
		name: "static, deleted and expiring columns",
		a:    NewAegisthusLayout(sparse, SparseNames),
		key:  "k3", del: live,
		rows: []merge.Row{{
			Static: true,
			Cells:  []rows.Cell{{Column: 0, Timestamp: 5, TTL: 60, LocalDeletionTime: 1700000060, Value: []byte("x")}},
		}, {
			Clustering: [][]byte{{0, 0, 0, 1}},
			Liveness:   rows.EmptyLiveness,
			Cells:      []rows.Cell{{Column: 1, Timestamp: 7, TTL: rows.NoTTL, LocalDeletionTime: 1700000000, Tombstone: true}},
		}},
		// DeletedColumn's value is its local deletion time, 1700000000 = 0x6553f100.
		want: `6b33` + "\t" + `{"6b33": {"deletedAt": -9223372036854775808, "columns": [` +
			`["ffff` + comp("") + comp("73") + `","78",5,"e",60,1700000060], ` +
			`["` + ck1 + comp("76") + `","6553f100",7,"d"]]}}` + "\n",
	}, {
		name: "counter",
		a:    NewAegisthusLayout(counters, SparseNames),
		key:  "k4", del: live,
		rows: []merge.Row{{Liveness: rows.EmptyLiveness, Cells: []rows.Cell{cell(0, 9, []byte{0, 1})}}},
		want: `6b34` + "\t" + `{"6b34": {"deletedAt": -9223372036854775808, "columns": [` +
			`["` + comp("6e") + `","0001",9,"c",-9223372036854775808]]}}` + "\n",
	}, {
		name: "dense, one clustering column: the raw clustering value",
		a: NewAegisthusLayout(&schema.Table{KeyType: textT, Clustering: []schema.Column{{Name: "ck", Type: intT}},
			Columns: []schema.Column{{Name: "value", Type: textT}}}, DenseNames),
		key: "k5", del: live,
		rows: []merge.Row{{Clustering: [][]byte{{0, 0, 0, 1}}, Liveness: rows.EmptyLiveness, Cells: []rows.Cell{cell(0, 3, []byte("y"))}}},
		want: `6b35` + "\t" + `{"6b35": {"deletedAt": -9223372036854775808, "columns": [["00000001","79",3]]}}` + "\n",
	}, {
		name: "dense, two clustering columns: composite without a column name",
		a: NewAegisthusLayout(&schema.Table{KeyType: textT, Clustering: []schema.Column{{Name: "a", Type: intT}, {Name: "b", Type: intT}},
			Columns: []schema.Column{{Name: "value", Type: textT}}}, DenseNames),
		key: "k6", del: live,
		rows: []merge.Row{{Clustering: [][]byte{{0, 0, 0, 1}, {0, 0, 0, 2}}, Liveness: rows.EmptyLiveness, Cells: []rows.Cell{cell(0, 3, []byte("y"))}}},
		want: `6b36` + "\t" + `{"6b36": {"deletedAt": -9223372036854775808, "columns": [["` + ck1 + comp("00000002") + `","79",3]]}}` + "\n",
	}, {
		name: "static compact: raw column names, dynamic cells named by the hidden clustering",
		a: NewAegisthusLayout(&schema.Table{KeyType: textT, StaticCompact: true, Clustering: []schema.Column{{Name: "column1", Type: textT}},
			Columns: []schema.Column{{Name: "c1", Type: textT, Static: true}, {Name: "value", Type: marshalType(t, "BytesType")}}}, StaticCompactNames),
		key: "k7", del: live,
		rows: []merge.Row{
			{Static: true, Liveness: rows.EmptyLiveness, Cells: []rows.Cell{cell(0, 1, []byte("a"))}},
			{Clustering: [][]byte{[]byte("dyn")}, Liveness: rows.EmptyLiveness, Cells: []rows.Cell{cell(1, 2, []byte{0xbe, 0xef})}},
		},
		want: `6b37` + "\t" + `{"6b37": {"deletedAt": -9223372036854775808, "columns": [["6331","61",1], ["64796e","beef",2]]}}` + "\n",
	}}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := render(tc.a, []byte(tc.key), tc.del, tc.rows...)
			if got != tc.want {
				t.Errorf("got\n%s\nwant\n%s", got, tc.want)
			}
		})
	}
}

// TestAegisthusCollectionPath checks a collection element's name: the element key
// is one more component after the column name.
func TestAegisthusCollectionPath(t *testing.T) {
	textT := marshalType(t, "UTF8Type")
	tbl := &schema.Table{KeyType: textT, Columns: []schema.Column{{Name: "m", Type: marshalType(t, "MapType(org.apache.cassandra.db.marshal.UTF8Type,org.apache.cassandra.db.marshal.UTF8Type)")}}}
	a := NewAegisthusLayout(tbl, SparseNames)
	c := cell(0, 4, []byte("v"))
	c.Path = []byte("k")
	got := render(a, []byte{1}, rows.Live, merge.Row{Liveness: rows.EmptyLiveness, Cells: []rows.Cell{c}})
	want := "01\t" + `{"01": {"deletedAt": -9223372036854775808, "columns": [["` + comp("6d") + comp("6b") + `","76",4]]}}` + "\n"
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}
