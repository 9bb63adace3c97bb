package cqlparse_test

import (
	"strings"
	"testing"

	"github.com/aegisthus/aegisthus/internal/cql/cqlparse"
)

// The schema.cql Cassandra 5.0.9 wrote into the snapshots of shop.orders and
// shop.orders_by_status (testdata/backup-snapshot), options trimmed.
const (
	ordersDDL = `CREATE TABLE IF NOT EXISTS shop.orders (
    customer_id int,
    order_month text,
    order_id int,
    note text,
    status text,
    total decimal,
    items map<text, int>,
    PRIMARY KEY ((customer_id, order_month), order_id)
) WITH ID = 621f4790-f090-11f1-a0c4-0d2fef1e579d
    AND CLUSTERING ORDER BY (order_id DESC)
    AND compaction = {'class': 'org.apache.cassandra.db.compaction.SizeTieredCompactionStrategy', 'enabled': 'false'};`
	viewDDL = `CREATE MATERIALIZED VIEW IF NOT EXISTS shop.orders_by_status AS
    SELECT *
    FROM shop.orders
    WHERE status IS NOT NULL AND customer_id IS NOT NULL AND order_month IS NOT NULL AND order_id IS NOT NULL
    PRIMARY KEY (status, customer_id, order_month, order_id)
 WITH ID = 632dd160-f090-11f1-a0c4-0d2fef1e579d
    AND CLUSTERING ORDER BY (customer_id ASC, order_month ASC, order_id DESC)
    AND caching = {'keys': 'ALL', 'rows_per_partition': 'NONE'}
    AND read_repair = 'BLOCKING';`
)

func describe(t *cqlparse.Table) string {
	var b []string
	for _, c := range t.Columns {
		b = append(b, c.Name+":"+c.Kind.String()+":"+c.Type.CQL())
	}
	return strings.Join(b, " ")
}

func TestView(t *testing.T) {
	// Alone, as a view's snapshot holds it: parsed, not resolved.
	s, err := cqlparse.Parse(viewDDL)
	if err != nil {
		t.Fatal(err)
	}
	if len(s.Tables) != 0 || len(s.Views) != 1 {
		t.Fatalf("%d tables, %d views; want the view unresolved", len(s.Tables), len(s.Views))
	}
	v := s.Views[0]
	if v.Keyspace != "shop" || v.Name != "orders_by_status" || v.BaseKeyspace != "shop" || v.Base != "orders" ||
		v.ID != "632dd160-f090-11f1-a0c4-0d2fef1e579d" || v.Select != nil || !v.Desc["order_id"] || v.Desc["customer_id"] {
		t.Fatalf("view %+v", v)
	}
	// With its base, as a DESCRIBE SCHEMA dump holds them: resolved.
	s, err = cqlparse.Parse(ordersDDL + "\n" + viewDDL)
	if err != nil {
		t.Fatal(err)
	}
	tbl := s.Table("shop", "orders_by_status")
	if tbl == nil || !tbl.View {
		t.Fatalf("the view did not resolve: %+v", s.Tables)
	}
	want := "customer_id:clustering:int order_month:clustering:text order_id:clustering:int note:regular:text " +
		"status:partition_key:text total:regular:decimal items:regular:map<text, int>"
	if got := describe(tbl); got != want {
		t.Errorf("columns\n got %s\nwant %s", got, want)
	}
	if !tbl.Clustering[2].Desc || tbl.Clustering[0].Desc || tbl.PartitionKey[0].Name != "status" {
		t.Errorf("key: %v / %v", tbl.PartitionKey, tbl.Clustering)
	}
	// status is a regular column of the base: Cassandra enforces strict
	// liveness (ViewMetadata.enforceStrictLiveness).
	if !tbl.StrictLiveness {
		t.Error("StrictLiveness false for a view keyed on a base regular column")
	}
	// A view keyed on the base's key alone is not strict.
	s, err = cqlparse.Parse(ordersDDL + `CREATE MATERIALIZED VIEW shop.by_month AS SELECT order_id, note FROM orders
		WHERE order_month IS NOT NULL AND customer_id IS NOT NULL AND order_id IS NOT NULL
		PRIMARY KEY (order_month, customer_id, order_id);`)
	if err != nil {
		t.Fatal(err)
	}
	if bm := s.Table("shop", "by_month"); bm == nil || bm.StrictLiveness || len(bm.Columns) != 4 {
		t.Fatalf("by_month: %+v", bm)
	}
	// Errors name the view.
	for _, bad := range []string{
		ordersDDL + `CREATE MATERIALIZED VIEW shop.v AS SELECT nope FROM shop.orders WHERE x IS NOT NULL PRIMARY KEY (nope);`,
		ordersDDL + `CREATE MATERIALIZED VIEW shop.v AS SELECT * FROM shop.orders WHERE x IS NOT NULL;`,
	} {
		if _, err := cqlparse.Parse(bad); err == nil || !strings.Contains(err.Error(), "v") {
			t.Errorf("%q: err %v", bad[len(ordersDDL):], err)
		}
	}
}
