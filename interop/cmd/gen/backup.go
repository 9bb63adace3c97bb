package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io/fs"
	"log"
	"math/rand/v2"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	gocql "github.com/apache/cassandra-gocql-driver/v2"
)

// backupCmd writes the whole-backup fixture of issue 11: three nodes, two
// user keyspaces (shop, metrics) with a legacy secondary index, an SAI index,
// a materialized view, TTLs, counters and a table that was dropped and
// recreated under the same name; replicas diverge (writes at ONE with a node
// down, hinted handoff off); `nodetool snapshot -t backup` of every keyspace
// (system ones included) on every node; then SELECT JSON * at ALL.
//
// The dropped table: shop.carts is created, written and flushed, read at ALL
// (read_repair 'NONE', so the read does not heal the replicas), then dropped.
// auto_snapshot is on for this run, so every node keeps the old generation in
// carts-<oldid>/snapshots/dropped-<ms>-carts/. The snapshot that follows
// (`-t backup`) only covers live tables, so the copy into the fixture adds the
// old generation the way an operator's backup tool would: the dropped-*
// snapshot is copied unchanged, and once more as carts-<oldid>/snapshots/backup/.
func backupCmd(ctx context.Context, args []string) error {
	fs_ := flag.NewFlagSet("backup", flag.ExitOnError)
	var nf nodeFlags
	nf.add(fs_)
	out := fs_.String("out", "", "output: <out>/node{1,2,3}/<ks>/<table>-<id>/snapshots/<tag>/, <out>/expected/")
	seed := fs_.Uint64("seed", 1, "seed")
	format := fs_.String("format", "nb", "SSTable format")
	tag := fs_.String("tag", "backup", "snapshot tag")
	sai := fs_.Bool("sai", true, "add an SAI index on metrics.events")
	systemKS := fs_.String("system", "system,system_schema,system_auth,system_distributed,system_traces", "system keyspaces copied from the snapshot")
	fs_.Parse(args)
	if *out == "" {
		return fmt.Errorf("-out is required")
	}
	if nf.heap == 1024 {
		nf.heap = 768
	}
	start := time.Now()
	c, done, err := nf.cluster(*format, 3)
	if err != nil {
		return err
	}
	c.NoHints = true
	if err := c.Init(); err != nil { // rewrite the config with hints off
		return err
	}
	defer done()
	// The harness turns auto_snapshot off; a node as an operator runs it keeps
	// a snapshot of every dropped table, and that is the old generation here.
	for _, n := range c.Nodes {
		b, err := os.ReadFile(n.ConfigPath())
		if err != nil {
			return err
		}
		y := strings.Replace(string(b), "\nauto_snapshot: false\n", "\nauto_snapshot: true\n", 1)
		if y == string(b) {
			return fmt.Errorf("%s: no auto_snapshot line to turn on", n.ConfigPath())
		}
		if err := os.WriteFile(n.ConfigPath(), []byte(y), 0o644); err != nil {
			return err
		}
	}
	for _, n := range c.Nodes {
		if err := n.Start(ctx); err != nil {
			return err
		}
	}
	log.Printf("backup: 3 nodes up after %.1fs", time.Since(start).Seconds())
	// One session per coordinator, so writes go through chosen nodes.
	sess, closeAll, err := coordinators(c)
	if err != nil {
		return err
	}
	defer closeAll()
	var ddl []string
	exec := func(qs ...string) error {
		for _, q := range qs {
			if err := sess[0].Query(q).Consistency(gocql.All).Exec(); err != nil {
				return fmt.Errorf("%s: %w", q, err)
			}
			ddl = append(ddl, q)
		}
		time.Sleep(time.Second)
		return nil
	}
	small := func(kb int) string {
		return fmt.Sprintf("compression = {'class': 'LZ4Compressor', 'chunk_length_in_kb': %d}", kb)
	}
	schema := []string{
		"CREATE KEYSPACE shop WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 3}",
		"CREATE KEYSPACE metrics WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 3}",
		"CREATE TABLE shop.orders (customer_id int, order_month text, order_id int, status text, total decimal, items map<text, int>, note text, PRIMARY KEY ((customer_id, order_month), order_id)) WITH CLUSTERING ORDER BY (order_id DESC) AND " + noCompaction + " AND " + small(4),
		"CREATE MATERIALIZED VIEW shop.orders_by_status AS SELECT * FROM shop.orders WHERE status IS NOT NULL AND customer_id IS NOT NULL AND order_month IS NOT NULL AND order_id IS NOT NULL PRIMARY KEY (status, customer_id, order_month, order_id) WITH " + noCompaction + " AND " + small(4),
		"CREATE TABLE shop.customers (id int PRIMARY KEY, name text, email text, city text, tier text, tags set<text>) WITH " + noCompaction + " AND " + small(4),
		"CREATE INDEX customers_city_idx ON shop.customers (city)",
		"CREATE TABLE shop.carts (cart_id int, sku text, qty int, added timestamp, PRIMARY KEY (cart_id, sku)) WITH read_repair = 'NONE' AND " + noCompaction + " AND " + small(4),
		"CREATE TABLE metrics.events (source text, bucket int, ts timestamp, kind text, value double, labels map<text, text>, PRIMARY KEY ((source, bucket), ts)) WITH CLUSTERING ORDER BY (ts DESC) AND " + noCompaction + " AND " + small(4),
		"CREATE TABLE metrics.hits (page text, day date, n counter, PRIMARY KEY (page, day)) WITH " + noCompaction + " AND " + small(4),
	}
	if *sai {
		schema = append(schema, "CREATE INDEX events_kind_sai ON metrics.events (kind) USING 'sai'")
	}
	if err := exec(schema...); err != nil {
		return err
	}
	tableID := func(ks, t string) (string, error) {
		var id gocql.UUID
		err := sess[0].Query("SELECT id FROM system_schema.tables WHERE keyspace_name = ? AND table_name = ?", ks, t).Consistency(gocql.One).Scan(&id)
		if err == gocql.ErrNotFound {
			err = sess[0].Query("SELECT id FROM system_schema.views WHERE keyspace_name = ? AND view_name = ?", ks, t).Consistency(gocql.One).Scan(&id)
		}
		if err != nil {
			return "", fmt.Errorf("id of %s.%s: %w", ks, t, err)
		}
		return id.String(), nil
	}
	oldCartsID, err := tableID("shop", "carts")
	if err != nil {
		return err
	}

	r := rand.New(rand.NewPCG(*seed, 11))
	cities := []string{"Lyon", "Oslo", "Porto", "Quito", "Kyoto"}
	tiers := []string{"bronze", "silver", "gold"}
	statuses := []string{"new", "paid", "shipped", "cancelled"}
	months := []string{"2025-01", "2025-02", "2025-03"}
	skus := []string{"apple", "bread", "cheese", "dates", "eggs", "flour"}
	kinds := []string{"cpu", "mem", "disk", "net"}
	base := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	newCarts := false // after the drop, carts has the new schema
	var st counts
	var shortTTLUntil time.Time
	stmt := func(allowShortTTL bool) (string, string) {
		p := r.IntN(100)
		if !newCarts && p >= 88 || newCarts && p >= 75 {
			cart := 1 + r.IntN(8)
			sku := skus[r.IntN(len(skus))]
			if newCarts {
				if r.IntN(5) == 0 {
					return "carts-update", fmt.Sprintf("UPDATE shop.carts SET qty = %d, gift = true WHERE cart_id = %d AND sku = '%s'", 1+r.IntN(9), 100+cart, sku)
				}
				return "carts-insert", fmt.Sprintf("INSERT INTO shop.carts (cart_id, sku, qty, price, gift) VALUES (%d, '%s', %d, %d.%02d, %t)", 100+cart, sku, 1+r.IntN(5), r.IntN(20), r.IntN(100), r.IntN(3) == 0)
			}
			switch q := r.IntN(10); {
			case q < 6:
				return "carts-insert", fmt.Sprintf("INSERT INTO shop.carts (cart_id, sku, qty, added) VALUES (%d, '%s', %d, '%s')", cart, sku, 1+r.IntN(5), base.Add(time.Duration(r.IntN(86400))*time.Second).Format("2006-01-02 15:04:05-0700"))
			case q < 8:
				return "carts-update", fmt.Sprintf("UPDATE shop.carts SET qty = %d WHERE cart_id = %d AND sku = '%s'", 1+r.IntN(9), cart, sku)
			default:
				return "carts-delete", fmt.Sprintf("DELETE FROM shop.carts WHERE cart_id = %d AND sku = '%s'", cart, sku)
			}
		}
		switch {
		case p < 30: // orders
			cust, month, oid := 1+r.IntN(12), months[r.IntN(len(months))], 1+r.IntN(6)
			key := fmt.Sprintf("customer_id = %d AND order_month = '%s' AND order_id = %d", cust, month, oid)
			switch q := r.IntN(20); {
			case q < 11:
				return "orders-insert", fmt.Sprintf("INSERT INTO shop.orders (customer_id, order_month, order_id, status, total, items, note) VALUES (%d, '%s', %d, '%s', %d.%02d, {'%s': %d, '%s': %d}, '%s')",
					cust, month, oid, statuses[r.IntN(len(statuses))], r.IntN(300), r.IntN(100), skus[r.IntN(len(skus))], 1+r.IntN(4), skus[r.IntN(len(skus))], 1+r.IntN(4), strings.Repeat("n", r.IntN(12)))
			case q < 16:
				return "orders-status", fmt.Sprintf("UPDATE shop.orders SET status = '%s', items['%s'] = %d WHERE %s", statuses[r.IntN(len(statuses))], skus[r.IntN(len(skus))], 1+r.IntN(4), key)
			case q < 18:
				return "orders-delete-row", "DELETE FROM shop.orders WHERE " + key
			case q < 19:
				return "orders-delete-note", "DELETE note FROM shop.orders WHERE " + key
			default:
				return "orders-delete-partition", fmt.Sprintf("DELETE FROM shop.orders WHERE customer_id = %d AND order_month = '%s'", cust, month)
			}
		case p < 55: // customers
			id := 1 + r.IntN(30)
			switch q := r.IntN(20); {
			case q < 10:
				return "customers-insert", fmt.Sprintf("INSERT INTO shop.customers (id, name, email, city, tier, tags) VALUES (%d, 'c%d', 'c%d@example.com', '%s', '%s', {'%s'})",
					id, id, id, cities[r.IntN(len(cities))], tiers[r.IntN(len(tiers))], tiers[r.IntN(len(tiers))])
			case q < 15:
				return "customers-move", fmt.Sprintf("UPDATE shop.customers SET city = '%s' WHERE id = %d", cities[r.IntN(len(cities))], id)
			case q < 17:
				return "customers-null-city", fmt.Sprintf("UPDATE shop.customers SET city = null, tags = tags + {'moved'} WHERE id = %d", id)
			default:
				return "customers-delete", fmt.Sprintf("DELETE FROM shop.customers WHERE id = %d", id)
			}
		case p < 78: // metrics.events
			src, bucket := fmt.Sprintf("host%d", 1+r.IntN(4)), r.IntN(3)
			ts := base.Add(time.Duration(bucket)*time.Hour + time.Duration(r.IntN(3600))*time.Second).Format("2006-01-02 15:04:05-0700")
			ttl := ""
			kind := "events-insert"
			switch q := r.IntN(10); {
			case q < 3:
				ttl = fmt.Sprintf(" USING TTL %d", 86400*(1+r.IntN(30)))
				kind = "events-insert-ttl-days"
			case q < 5 && allowShortTTL:
				ttl = " USING TTL 2"
				kind = "events-insert-ttl-2s"
				shortTTLUntil = time.Now().Add(2 * time.Second)
			case q == 9:
				return "events-delete", fmt.Sprintf("DELETE FROM metrics.events WHERE source = '%s' AND bucket = %d AND ts = '%s'", src, bucket, ts)
			}
			return kind, fmt.Sprintf("INSERT INTO metrics.events (source, bucket, ts, kind, value, labels) VALUES ('%s', %d, '%s', '%s', %d.%d, {'dc': 'dc%d'})%s",
				src, bucket, ts, kinds[r.IntN(len(kinds))], r.IntN(100), r.IntN(10), 1+r.IntN(2), ttl)
		default: // metrics.hits
			return "hits-increment", fmt.Sprintf("UPDATE metrics.hits SET n = n + %d WHERE page = '/p/%d' AND day = '%s'", 1+r.IntN(5), r.IntN(6), base.AddDate(0, 0, r.IntN(3)).Format("2006-01-02"))
		}
	}
	write := func(coord, n int, allowShortTTL bool) error {
		for i := 0; i < n; i++ {
			for sess[coord] == nil {
				coord = (coord + 1) % 3
			}
			kind, q := stmt(allowShortTTL)
			err := sess[coord].Query(q).Consistency(gocql.One).Exec()
			st.add(kind, err, q)
			if err != nil {
				return fmt.Errorf("node%d: %s: %w", coord+1, q, err)
			}
			coord = (coord + 1) % 3
		}
		return nil
	}
	flushAll := func() error {
		for _, n := range c.Nodes {
			if n.Running() {
				for _, ks := range []string{"shop", "metrics"} {
					if _, err := n.NodeTool(ctx, "flush", ks); err != nil {
						return err
					}
				}
			}
		}
		return nil
	}
	down := func(i int) {
		sess[i].Close()
		sess[i] = nil
		c.Nodes[i].Stop()
	}
	up := func(i int) error {
		if err := c.Nodes[i].Start(ctx); err != nil {
			return err
		}
		time.Sleep(4 * time.Second) // let gossip mark it up on the others
		var err error
		sess[i], err = coordinator(c, i)
		return err
	}
	phase := func(name string, coord, n int, shortTTL bool) error {
		if err := write(coord, n, shortTTL); err != nil {
			return err
		}
		if err := flushAll(); err != nil {
			return err
		}
		log.Printf("backup: phase %s: %d statements, flushed (%.1fs)", name, n, time.Since(start).Seconds())
		return nil
	}
	// Phase 1: all up. 2: node3 down. 3: node1 down (node3 back).
	if err := phase("all up", 0, 90, true); err != nil {
		return err
	}
	down(2)
	if err := phase("node3 down", 0, 50, true); err != nil {
		return err
	}
	if err := up(2); err != nil {
		return err
	}
	down(0)
	if err := phase("node1 down", 1, 50, true); err != nil {
		return err
	}
	if err := up(0); err != nil {
		return err
	}
	// The old carts: read at ALL, then drop (auto_snapshot) and recreate with
	// another regular column set.
	oldCarts, err := selectJSON(sess[0], "shop", "carts", gocql.All)
	if err != nil {
		return fmt.Errorf("select shop.carts (old) at ALL: %w", err)
	}
	droppedAt := time.Now()
	if err := exec("DROP TABLE shop.carts"); err != nil {
		return err
	}
	newCartsCQL := "CREATE TABLE shop.carts (cart_id int, sku text, qty int, price decimal, gift boolean, PRIMARY KEY (cart_id, sku)) WITH " + noCompaction + " AND " + small(4)
	if err := exec(newCartsCQL); err != nil {
		return err
	}
	newCarts = true
	newCartsID, err := tableID("shop", "carts")
	if err != nil {
		return err
	}
	if newCartsID == oldCartsID {
		return fmt.Errorf("recreated shop.carts kept id %s", oldCartsID)
	}
	log.Printf("backup: shop.carts dropped (id %s, %d rows at ALL) and recreated (id %s)", oldCartsID, len(oldCarts), newCartsID)
	// Phase 4: all up, the new carts. 5: node2 down.
	if err := phase("all up, new carts", 2, 40, false); err != nil {
		return err
	}
	down(1)
	if err := phase("node2 down", 0, 30, false); err != nil {
		return err
	}
	if err := up(1); err != nil {
		return err
	}
	for _, n := range c.Nodes {
		if _, err := n.NodeTool(ctx, "snapshot", "-t", *tag); err != nil {
			return err
		}
	}
	log.Printf("backup: snapshot %q of every keyspace on every node (%.1fs)", *tag, time.Since(start).Seconds())
	waitTTL(ctx, shortTTLUntil)
	now := time.Now().Truncate(time.Second)
	type tbl struct{ ks, t, kind string }
	tables := []tbl{
		{"shop", "orders", "table"}, {"shop", "orders_by_status", "view"}, {"shop", "customers", "table"},
		{"shop", "carts", "table"}, {"metrics", "events", "table"}, {"metrics", "hits", "table"},
	}
	rows := map[string][]string{}
	ids := map[string]string{}
	for _, t := range tables {
		name := t.ks + "." + t.t
		if rows[name], err = selectJSON(sess[0], t.ks, t.t, gocql.All); err != nil {
			return fmt.Errorf("select %s at ALL: %w", name, err)
		}
		if ids[name], err = tableID(t.ks, t.t); err != nil {
			return err
		}
	}
	describe := map[string][]string{}
	for _, ks := range []string{"shop", "metrics"} {
		it := sess[0].Query("DESCRIBE KEYSPACE " + ks + " WITH INTERNALS").Iter()
		var kn, typ, nm, create string
		for it.Scan(&kn, &typ, &nm, &create) {
			describe[ks] = append(describe[ks], create)
		}
		if err := it.Close(); err != nil {
			return fmt.Errorf("describe %s: %w", ks, err)
		}
	}
	for i := range sess {
		sess[i].Close()
		sess[i] = nil
	}
	c.StopAll()

	// Copy node<i>/data/<ks>/<table>-<id>/snapshots/<tag>/ (with the hidden
	// .<index> directory of the legacy index) of the kept keyspaces, and the
	// dropped carts' auto snapshot, both as it is and as <tag>.
	if err := os.RemoveAll(*out); err != nil {
		return err
	}
	keep := map[string]bool{"shop": true, "metrics": true}
	for _, ks := range strings.Split(*systemKS, ",") {
		if ks != "" {
			keep[ks] = true
		}
	}
	oldDir := "carts-" + strings.ReplaceAll(oldCartsID, "-", "")
	dropped := map[string]string{}
	nsst := map[string]int{}
	for i, n := range c.Nodes {
		node := fmt.Sprintf("node%d", i+1)
		kss, err := os.ReadDir(n.DataDir())
		if err != nil {
			return err
		}
		for _, ks := range kss {
			if !ks.IsDir() || !keep[ks.Name()] {
				continue
			}
			tds, err := os.ReadDir(filepath.Join(n.DataDir(), ks.Name()))
			if err != nil {
				return err
			}
			for _, td := range tds {
				snaps := filepath.Join(n.DataDir(), ks.Name(), td.Name(), "snapshots")
				dst := filepath.Join(*out, node, ks.Name(), td.Name(), "snapshots")
				if ks.Name() == "shop" && td.Name() == oldDir {
					m, _ := filepath.Glob(filepath.Join(snaps, "dropped-*"))
					if len(m) != 1 {
						return fmt.Errorf("%s: want one dropped-* snapshot of the old carts, found %v", node, m)
					}
					dropped[node] = filepath.Base(m[0])
					for _, name := range []string{filepath.Base(m[0]), *tag} {
						k, err := copyTree(m[0], filepath.Join(dst, name))
						if err != nil {
							return err
						}
						nsst[ks.Name()] += k
					}
					continue
				}
				src := filepath.Join(snaps, *tag)
				if _, err := os.Stat(src); err != nil {
					continue // a table with nothing to snapshot
				}
				k, err := copyTree(src, filepath.Join(dst, *tag))
				if err != nil {
					return err
				}
				nsst[ks.Name()] += k
			}
		}
	}
	if len(dropped) != 3 {
		return fmt.Errorf("the dropped carts snapshot is on %d nodes, want 3", len(dropped))
	}

	exp := filepath.Join(*out, "expected")
	if err := os.MkdirAll(exp, 0o755); err != nil {
		return err
	}
	writeRows := func(name string, rs []string) error {
		var b strings.Builder
		for _, r := range rs {
			b.WriteString(r)
			b.WriteByte('\n')
		}
		return os.WriteFile(filepath.Join(exp, name), []byte(b.String()), 0o644)
	}
	type tableMeta struct {
		Keyspace string   `json:"keyspace"`
		Table    string   `json:"table"`
		Kind     string   `json:"kind"` // table, view, dropped_table
		ID       string   `json:"id"`
		Dir      string   `json:"dir"`
		CQL      string   `json:"cql"`
		Indexes  []string `json:"indexes,omitempty"`
		Base     string   `json:"base,omitempty"`
		Rows     int      `json:"rows"`
		Expected string   `json:"expected"`
		Note     string   `json:"note,omitempty"`
	}
	cqlOf := func(prefix string) string {
		for _, q := range ddl {
			if strings.HasPrefix(q, prefix) {
				return q
			}
		}
		return ""
	}
	var tm []tableMeta
	for _, t := range tables {
		name := t.ks + "." + t.t
		m := tableMeta{Keyspace: t.ks, Table: t.t, Kind: t.kind, ID: ids[name], Dir: t.t + "-" + strings.ReplaceAll(ids[name], "-", ""),
			Rows: len(rows[name]), Expected: name + ".select-json.jsonl"}
		switch name {
		case "shop.orders_by_status":
			m.CQL, m.Base = cqlOf("CREATE MATERIALIZED VIEW shop.orders_by_status"), "shop.orders"
		case "shop.carts":
			m.CQL = newCartsCQL
			m.Note = "recreated after the drop: new id, qty/price/gift instead of qty/added"
		default:
			m.CQL = cqlOf("CREATE TABLE " + name + " ")
		}
		for _, q := range ddl {
			if strings.HasPrefix(q, "CREATE INDEX") && strings.Contains(q, " ON "+name+" ") {
				m.Indexes = append(m.Indexes, q)
			}
		}
		tm = append(tm, m)
		if err := writeRows(m.Expected, rows[name]); err != nil {
			return err
		}
	}
	old := tableMeta{Keyspace: "shop", Table: "carts", Kind: "dropped_table", ID: oldCartsID, Dir: oldDir,
		CQL: cqlOf("CREATE TABLE shop.carts "), Rows: len(oldCarts), Expected: "shop." + oldDir + ".select-json.jsonl",
		Note: "SELECT JSON * at ALL just before DROP TABLE (read_repair 'NONE', so that read did not heal the replicas); the node's auto snapshot of the drop is copied as snapshots/" + *tag + "/ too"}
	tm = append(tm, old)
	if err := writeRows(old.Expected, oldCarts); err != nil {
		return err
	}
	var sys []string
	for ks := range keep {
		if ks != "shop" && ks != "metrics" {
			sys = append(sys, ks)
		}
	}
	sort.Strings(sys)
	meta := map[string]any{
		"cassandra":        cassandraVersion,
		"format":           *format,
		"seed":             *seed,
		"now":              now.UTC().Format(time.RFC3339),
		"now_unix":         now.Unix(),
		"consistency":      "ALL",
		"snapshot_tag":     *tag,
		"nodes":            []string{"node1 127.0.0.1", "node2 127.0.0.2", "node3 127.0.0.3"},
		"cql":              ddl,
		"describe":         describe,
		"tables":           tm,
		"carts_old_id":     oldCartsID,
		"carts_new_id":     newCartsID,
		"carts_dropped_at": droppedAt.UTC().Format(time.RFC3339),
		"dropped_snapshot": dropped,
		"system_keyspaces": sys,
		"sstables":         nsst,
		"statements":       &st,
		"note": "3 nodes, RF 3 (shop, metrics), hinted handoff off, auto_snapshot on. Phases: all up; node3 down; node1 down; " +
			"then all up: shop.carts read at ALL, dropped (auto snapshot dropped-<ms>-carts on every node) and recreated with other columns; " +
			"all up; node2 down; all up. Writes at ONE, a flush of shop and metrics after each phase. Then `nodetool snapshot -t " + *tag + "` " +
			"(every keyspace) on every node, then SELECT JSON * at ALL of every user table and the view. The fixture copies each node's " +
			"snapshots/" + *tag + "/ of shop, metrics and the system keyspaces listed; for the dropped carts it copies the node's " +
			"snapshots/dropped-*/ unchanged and once more as snapshots/" + *tag + "/, as a backup tool that keeps dropped tables would.",
	}
	js, err := json.MarshalIndent(meta, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(exp, "meta.json"), append(js, '\n'), 0o644); err != nil {
		return err
	}
	var counts []string
	for _, m := range tm {
		counts = append(counts, fmt.Sprintf("%s.%s(%s)=%d", m.Keyspace, m.Table, m.Kind, m.Rows))
	}
	log.Printf("backup: rows at ALL: %s; SSTables copied %v; total %.1fs", strings.Join(counts, " "), nsst, time.Since(start).Seconds())
	return nil
}

// copyTree copies the regular files of src and its subdirectories (a
// snapshot with the .<index> directory of a legacy index) to dst and returns
// the number of Data.db files.
func copyTree(src, dst string) (int, error) {
	n := 0
	err := filepath.WalkDir(src, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		rel, _ := filepath.Rel(src, p)
		to := filepath.Join(dst, rel)
		if d.IsDir() {
			return os.MkdirAll(to, 0o755)
		}
		if !d.Type().IsRegular() {
			return nil
		}
		if strings.HasSuffix(p, "-Data.db") {
			n++
		}
		return copyFile(p, to)
	})
	return n, err
}
