package main

import (
	"context"
	"fmt"
	"log"
	"strings"
	"time"

	gocql "github.com/apache/cassandra-gocql-driver/v2"

	"github.com/aegisthus/aegisthus/interop/cassandra"
)

// The edge-case keyspace: fixed, hand-picked statements (not random) so each
// case a reader must get right is present in every format: every native type
// with its extreme and empty values, every collection operation, every kind
// of tombstone, TTLs (expired and live), counters, statics, a wide partition.
// Explicit timestamps are 1600000000000000 + n (2020-09-13) unless noted.

type edgeTable struct {
	name, note string
	create     string
	chunk      int
	schema     []string
	stmts      int
	rejected   []string // statements Cassandra refused, with its message
}

type edgeKeyspace struct {
	name   string
	types  []string
	tables []*edgeTable
}

const edgeKS = "edge"

var edgeTypes = []string{
	"CREATE TYPE edge.addr (street text, zip int, tags frozen<set<text>>)",
	"CREATE TYPE edge.person (name text, born date, addr frozen<addr>)",
}

// edgeSteps are executed in order; "FLUSH t1 t2" flushes those tables.
// "SLEEP n" waits n seconds.
var edgeTables = []*edgeTable{
	{name: "every_type", chunk: 4, note: "every native type: typical, minimum, maximum, empty (blobAs*(0x)) and null values; pk 4 has only a row marker",
		create: `CREATE TABLE edge.every_type (pk int PRIMARY KEY, c_ascii ascii, c_bigint bigint, c_blob blob, c_boolean boolean, c_date date, c_decimal decimal, c_double double, c_duration duration, c_float float, c_inet inet, c_int int, c_smallint smallint, c_text text, c_time time, c_timestamp timestamp, c_timeuuid timeuuid, c_tinyint tinyint, c_uuid uuid, c_varchar varchar, c_varint varint)`},
	{name: "collections", chunk: 8, note: "collection, UDT, tuple and vector columns under every element operation, across SSTables",
		create: `CREATE TABLE edge.collections (pk int PRIMARY KEY, l list<int>, s set<text>, m map<text, int>, fl frozen<list<int>>, fs frozen<set<text>>, fm frozen<map<int, text>>, u addr, fu frozen<person>, tp tuple<int, text, boolean>, v vector<float, 3>, vt vector<text, 2>, nested map<text, frozen<list<int>>>, ld list<duration>, st set<timestamp>)`},
	{name: "tombstones", chunk: 4, note: "cell, row, range (open and closed, spanning SSTables), partition and static tombstones; timestamp ties",
		create: `CREATE TABLE edge.tombstones (pk text, ck1 int, ck2 int, v text, w int, s int static, PRIMARY KEY (pk, ck1, ck2)) WITH CLUSTERING ORDER BY (ck1 ASC, ck2 DESC)`},
	{name: "ttls", chunk: 16, note: "TTL on rows and cells, some expired before now, some not; a row whose marker expired but a cell lives",
		create: `CREATE TABLE edge.ttls (pk int, ck int, v text, w int, PRIMARY KEY (pk, ck))`},
	{name: "ttl_default", chunk: 16, note: "default_time_to_live 86400",
		create: `CREATE TABLE edge.ttl_default (pk int PRIMARY KEY, v text) WITH default_time_to_live = 86400`},
	{name: "counters", chunk: 4, note: "counter increments and decrements over several SSTables",
		create: `CREATE TABLE edge.counters (pk text, ck int, c1 counter, c2 counter, PRIMARY KEY (pk, ck))`},
	{name: "statics", chunk: 8, note: "partitions with only statics, statics and rows, rows and no statics; static collection",
		create: `CREATE TABLE edge.statics (pk int, ck int, s1 text static, s2 set<int> static, v int, PRIMARY KEY (pk, ck))`},
	{name: "key_types", chunk: 8, note: "composite partition key and clustering columns of collection, tuple, UDT and reversed types",
		create: `CREATE TABLE edge.key_types (p1 text, p2 frozen<list<int>>, p3 tuple<int, text>, c1 frozen<addr> , c2 timeuuid, c3 frozen<map<text, int>>, v int, PRIMARY KEY ((p1, p2, p3), c1, c2, c3)) WITH CLUSTERING ORDER BY (c1 DESC, c2 ASC, c3 DESC)`},
	{name: "wide", chunk: 4, note: "one wide partition (700 rows of ~110 bytes, above a 64 KiB column_index_size, so it has a row index) with a range tombstone inside, plus narrow ones",
		create: `CREATE TABLE edge.wide (pk int, ck int, v text, PRIMARY KEY (pk, ck))`},
}

func edgeSteps() []string {
	ts := func(n int) string { return fmt.Sprintf("USING TIMESTAMP %d", 1600000000000000+n) }
	s := []string{
		// every_type
		`INSERT INTO edge.every_type (pk, c_ascii, c_bigint, c_blob, c_boolean, c_date, c_decimal, c_double, c_duration, c_float, c_inet, c_int, c_smallint, c_text, c_time, c_timestamp, c_timeuuid, c_tinyint, c_uuid, c_varchar, c_varint) VALUES (1, 'hello', 1234567890123, 0xcafebabe, true, '2024-02-29', 3.14159, 2.718281828459045, 1y2mo3d4h5m6s7ms8us9ns, 1.5, '192.168.0.1', 42, 7, 'héllo wörld 日本 😀 "quoted" \ back', '12:34:56.789012345', '2024-02-29 12:34:56.789+0000', 50554d6e-29bb-11e5-b345-feff819cdc9f, 3, 9b4a3e4e-9a8c-4e6c-8f53-3c6b1a2d4e5f, 'varchar', 123456789012345678901234567890) ` + ts(1),
		`INSERT INTO edge.every_type (pk, c_ascii, c_bigint, c_blob, c_boolean, c_date, c_decimal, c_double, c_duration, c_float, c_inet, c_int, c_smallint, c_text, c_time, c_timestamp, c_timeuuid, c_tinyint, c_uuid, c_varchar, c_varint) VALUES (2, '', -9223372036854775808, 0x, false, '-5877641-06-23', -0.000000000000000000001, NaN, -1mo, -Infinity, '::', -2147483648, -32768, '', '00:00:00', -62135596800000, 00000000-0000-1000-8000-000000000000, -128, 00000000-0000-0000-0000-000000000000, '', -123456789012345678901234567890123456789) ` + ts(2),
		`INSERT INTO edge.every_type (pk, c_ascii, c_bigint, c_blob, c_boolean, c_date, c_decimal, c_double, c_duration, c_float, c_inet, c_int, c_smallint, c_text, c_time, c_timestamp, c_timeuuid, c_tinyint, c_uuid, c_varchar, c_varint) VALUES (3, '~~~', 9223372036854775807, 0xffffffffffffffff, true, 4294967295, 1E+100, 1.7976931348623157E308, 9223372036854775807ns, 3.4028235E38, 'ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff', 2147483647, 32767, 'z', '23:59:59.999999999', 253402300799999, ffffffff-ffff-1fff-bfff-ffffffffffff, 127, ffffffff-ffff-4fff-bfff-ffffffffffff, 'zzz', 0) ` + ts(3),
		`INSERT INTO edge.every_type (pk) VALUES (4) ` + ts(4),
		// pk 5: empty (zero-length) values, one statement per type since
		// Cassandra refuses some of them (see README)
		`INSERT INTO edge.every_type (pk, c_ascii, c_text, c_int, c_blob, c_double) VALUES (6, null, null, null, null, null) ` + ts(6),
		`INSERT INTO edge.every_type (pk, c_double, c_float, c_decimal) VALUES (7, -0.0, 1.0E-45, -1.0E-400) ` + ts(7),
		"EMPTY",
		"FLUSH every_type",
		// collections
		`INSERT INTO edge.collections (pk, l, s, m, fl, fs, fm, u, fu, tp, v, vt, nested, ld, st) VALUES (1, [1, 2, 3], {'a', 'b'}, {'x': 1, 'y': 2}, [1, 1], {'f'}, {1: 'one'}, {street: 'Main', zip: 12345, tags: {'t'}}, {name: 'Ann', born: '1990-01-01', addr: {street: 'Side', zip: 1}}, (1, 'one', true), [1.0, -2.5, 3.25], ['a', 'bb'], {'k': [1, 2]}, [1h, 2m], {0, 1000}) ` + ts(10),
		`INSERT INTO edge.collections (pk, l, s, m) VALUES (2, [], {}, {}) ` + ts(10),
		`INSERT INTO edge.collections (pk, tp, u) VALUES (3, (null, 'x', null), {zip: 5}) ` + ts(10),
		"FLUSH collections",
		`UPDATE edge.collections ` + ts(20) + ` SET l = l + [4], s = s + {'c'}, m['z'] = 3, u.street = 'Second' WHERE pk = 1`,
		`UPDATE edge.collections ` + ts(21) + ` SET l = [0] + l, s = s - {'a'}, m = m - {'x'} WHERE pk = 1`,
		`DELETE m['y'], u.zip FROM edge.collections ` + ts(22) + ` WHERE pk = 1`,
		`UPDATE edge.collections ` + ts(23) + ` SET l = [9, 9], fl = [2] WHERE pk = 3`,
		`UPDATE edge.collections ` + ts(24) + ` SET nested['k2'] = [3], nested = nested + {'k3': []} WHERE pk = 1`,
		`DELETE s FROM edge.collections ` + ts(25) + ` WHERE pk = 2`,
		"FLUSH collections",
		`UPDATE edge.collections SET l[1] = 100 WHERE pk = 1`, // list set-by-index: server timestamp
		`UPDATE edge.collections ` + ts(30) + ` SET u = null, v = null WHERE pk = 3`,
		`INSERT INTO edge.collections (pk, s) VALUES (4, {'only'}) ` + ts(30),
		"FLUSH collections",
		// tombstones
		`INSERT INTO edge.tombstones (pk, ck1, ck2, v, w, s) VALUES ('a', 1, 1, 'a11', 11, 100) ` + ts(40),
		`INSERT INTO edge.tombstones (pk, ck1, ck2, v, w) VALUES ('a', 1, 2, 'a12', 12) ` + ts(40),
		`INSERT INTO edge.tombstones (pk, ck1, ck2, v, w) VALUES ('a', 1, 3, 'a13', 13) ` + ts(40),
		`INSERT INTO edge.tombstones (pk, ck1, ck2, v, w) VALUES ('a', 2, 1, 'a21', 21) ` + ts(40),
		`INSERT INTO edge.tombstones (pk, ck1, ck2, v, w) VALUES ('a', 3, 1, 'a31', 31) ` + ts(40),
		`INSERT INTO edge.tombstones (pk, ck1, ck2, v, w) VALUES ('a', 4, 1, 'a41', 41) ` + ts(40),
		`INSERT INTO edge.tombstones (pk, ck1, ck2, v, w) VALUES ('a', 5, 1, 'a51', 51) ` + ts(40),
		`INSERT INTO edge.tombstones (pk, ck1, ck2, v, w) VALUES ('a', 8, 1, 'a81', 81) ` + ts(40),
		`INSERT INTO edge.tombstones (pk, ck1, ck2, v, w) VALUES ('a', 9, 9, 'a99', 99) ` + ts(40),
		`INSERT INTO edge.tombstones (pk, ck1, ck2, v, w, s) VALUES ('b', 1, 1, 'b11', 11, 200) ` + ts(40),
		`INSERT INTO edge.tombstones (pk, ck1, ck2, v, w, s) VALUES ('c', 1, 1, 'c11', 11, 300) ` + ts(40),
		`INSERT INTO edge.tombstones (pk, ck1, ck2, v, w) VALUES ('d', 1, 1, 'd11', 11) ` + ts(40),
		`INSERT INTO edge.tombstones (pk, ck1, ck2, v, w) VALUES ('e', 1, 1, 'tie-low', 1) ` + ts(45),
		"FLUSH tombstones",
		`DELETE v FROM edge.tombstones ` + ts(50) + ` WHERE pk = 'a' AND ck1 = 1 AND ck2 = 1`,          // cell
		`DELETE FROM edge.tombstones ` + ts(50) + ` WHERE pk = 'a' AND ck1 = 2 AND ck2 = 1`,            // row
		`DELETE FROM edge.tombstones ` + ts(50) + ` WHERE pk = 'a' AND ck1 = 1 AND ck2 > 2`,            // range, one side
		`DELETE FROM edge.tombstones ` + ts(50) + ` WHERE pk = 'a' AND ck1 >= 3 AND ck1 < 5`,           // range, both sides
		`DELETE FROM edge.tombstones ` + ts(50) + ` WHERE pk = 'a' AND ck1 > 7`,                        // open-ended range
		`DELETE FROM edge.tombstones ` + ts(50) + ` WHERE pk = 'b'`,                                    // partition
		`DELETE s FROM edge.tombstones ` + ts(50) + ` WHERE pk = 'c'`,                                  // static cell
		`DELETE FROM edge.tombstones ` + ts(40) + ` WHERE pk = 'd' AND ck1 = 1 AND ck2 = 1`,            // tie: tombstone wins
		`INSERT INTO edge.tombstones (pk, ck1, ck2, v, w) VALUES ('e', 1, 1, 'tie-high', 1) ` + ts(45), // tie: greater value wins
		`DELETE FROM edge.tombstones ` + ts(55) + ` WHERE pk = 'f' AND ck1 = 1`,                        // range tombstone alone
		`INSERT INTO edge.tombstones (pk, ck1, ck2, v) VALUES ('a', 9, 9, 'a99-again') ` + ts(60),      // re-insert over a range tombstone
		"FLUSH tombstones",
		`INSERT INTO edge.tombstones (pk, ck1, ck2, v) VALUES ('b', 7, 7, 'b77-after-partition-delete') ` + ts(70),
		`DELETE FROM edge.tombstones ` + ts(30) + ` WHERE pk = 'c' AND ck1 = 1`,                  // older than the data: shadows nothing
		`UPDATE edge.tombstones ` + ts(70) + ` SET w = 1 WHERE pk = 'g' AND ck1 = 1 AND ck2 = 1`, // row without marker
		`DELETE w FROM edge.tombstones ` + ts(71) + ` WHERE pk = 'g' AND ck1 = 1 AND ck2 = 1`,    // ... whose only cell is then deleted
		"FLUSH tombstones",
		// ttl
		`INSERT INTO edge.ttls (pk, ck, v, w) VALUES (1, 1, 'expired', 1) USING TTL 2`,
		`INSERT INTO edge.ttls (pk, ck, v, w) VALUES (1, 2, 'lives', 2) USING TTL 8640000`,
		`INSERT INTO edge.ttls (pk, ck, v, w) VALUES (2, 1, 'marker expires', 3) USING TTL 2`,
		`UPDATE edge.ttls SET w = 33 WHERE pk = 2 AND ck = 1`, // no TTL: w outlives the row marker
		`UPDATE edge.ttls USING TTL 2 SET v = 'cell expires' WHERE pk = 3 AND ck = 1`,
		`UPDATE edge.ttls USING TTL 8640000 SET v = 'cell lives' WHERE pk = 3 AND ck = 2`,
		`INSERT INTO edge.ttls (pk, ck, v, w) VALUES (4, 1, 'ttl zero', 4) USING TTL 0`,
		`INSERT INTO edge.ttl_default (pk, v) VALUES (1, 'default ttl')`,
		`INSERT INTO edge.ttl_default (pk, v) VALUES (2, 'explicit ttl') USING TTL 3600000`,
		`INSERT INTO edge.ttl_default (pk, v) VALUES (3, 'expired') USING TTL 1`,
		"FLUSH ttls ttl_default",
		// counters (no timestamps: counters forbid USING TIMESTAMP)
		`UPDATE edge.counters SET c1 = c1 + 1, c2 = c2 - 1 WHERE pk = 'a' AND ck = 1`,
		`UPDATE edge.counters SET c1 = c1 + 1000000 WHERE pk = 'a' AND ck = 2`,
		`UPDATE edge.counters SET c2 = c2 + 0 WHERE pk = 'b' AND ck = 1`,
		"FLUSH counters",
		`UPDATE edge.counters SET c1 = c1 + 41, c2 = c2 - 9223372036854775807 WHERE pk = 'a' AND ck = 1`,
		`UPDATE edge.counters SET c1 = c1 - 5 WHERE pk = 'c' AND ck = -1`,
		"FLUSH counters",
		// statics
		`UPDATE edge.statics ` + ts(80) + ` SET s1 = 'static only', s2 = {1, 2} WHERE pk = 1`,
		`INSERT INTO edge.statics (pk, ck, s1, v) VALUES (2, 1, 'static and row', 21) ` + ts(80),
		`INSERT INTO edge.statics (pk, ck, v) VALUES (2, 2, 22) ` + ts(80),
		`INSERT INTO edge.statics (pk, ck, v) VALUES (3, 1, 31) ` + ts(80),
		"FLUSH statics",
		`UPDATE edge.statics ` + ts(81) + ` SET s2 = s2 + {3} WHERE pk = 1`,
		`DELETE FROM edge.statics ` + ts(81) + ` WHERE pk = 2 AND ck = 1`,
		`DELETE FROM edge.statics ` + ts(81) + ` WHERE pk = 2 AND ck = 2`, // only the static row is left
		`DELETE s1 FROM edge.statics ` + ts(82) + ` WHERE pk = 1`,
		"FLUSH statics",
		// keys
		`INSERT INTO edge.key_types (p1, p2, p3, c1, c2, c3, v) VALUES ('x', [1, 2], (1, 'a'), {street: 's', zip: 1, tags: {'a'}}, 50554d6e-29bb-11e5-b345-feff819cdc9f, {'a': 1}, 1) ` + ts(90),
		`INSERT INTO edge.key_types (p1, p2, p3, c1, c2, c3, v) VALUES ('x', [1, 2], (1, 'a'), {street: 's', zip: 2}, 50554d6e-29bb-11e5-b345-feff819cdc9f, {'': 0}, 2) ` + ts(90),
		`INSERT INTO edge.key_types (p1, p2, p3, c1, c2, c3, v) VALUES ('x', [1, 2], (1, 'a'), {street: 's', zip: 2}, 40554d6e-29bb-11e5-b345-feff819cdc9f, {'b': 2, 'a': 1}, 3) ` + ts(90),
		`INSERT INTO edge.key_types (p1, p2, p3, c1, c2, c3, v) VALUES ('', [], (null, null), {zip: null}, 00000000-0000-1000-8000-000000000000, {'a': -1}, 4) ` + ts(90),
		"FLUSH key_types",
	}
	// Not boolean: an empty boolean is accepted by blobAsBoolean(0x) but then
	// SELECT JSON fails with a NullPointerException (see README).
	var empty []string
	for _, c := range []string{"bigint", "int", "smallint", "tinyint", "double", "float", "timestamp", "uuid", "timeuuid", "date", "time", "inet", "decimal", "varint", "duration"} {
		fn := strings.ToUpper(c[:1]) + c[1:]
		empty = append(empty, fmt.Sprintf("INSERT INTO edge.every_type (pk, c_%s) VALUES (5, blobAs%s(0x)) %s", c, fn, ts(5)))
	}
	for i, q := range s {
		if q == "EMPTY" {
			s = append(s[:i], append(empty, s[i+1:]...)...)
			break
		}
	}
	// wide: 700 rows in one partition, a range tombstone in the middle.
	pad := strings.Repeat("w", 90)
	for i := 0; i < 700; i += 50 {
		var b strings.Builder
		b.WriteString("BEGIN UNLOGGED BATCH " + ts(100) + " ")
		for j := i; j < i+50; j++ {
			fmt.Fprintf(&b, "INSERT INTO edge.wide (pk, ck, v) VALUES (1, %d, '%s-%04d'); ", j, pad, j)
		}
		b.WriteString("APPLY BATCH")
		s = append(s, b.String())
	}
	for i := 2; i < 6; i++ {
		s = append(s, fmt.Sprintf(`INSERT INTO edge.wide (pk, ck, v) VALUES (%d, 0, 'narrow') `+ts(100), i))
	}
	s = append(s, `DELETE FROM edge.wide `+ts(101)+` WHERE pk = 1 AND ck >= 300 AND ck < 400`, "FLUSH wide")
	return s
}

// writeEdge creates the edge keyspace and runs edgeSteps, flushing where
// they say. ttlUntil is moved past the short TTLs.
func writeEdge(ctx context.Context, c *cassandra.Cluster, s *gocql.Session, ttlUntil *time.Time) (*edgeKeyspace, error) {
	ek := &edgeKeyspace{name: edgeKS, types: edgeTypes, tables: edgeTables}
	stmts := []string{fmt.Sprintf("CREATE KEYSPACE %s WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}", edgeKS)}
	stmts = append(stmts, edgeTypes...)
	byName := map[string]*edgeTable{}
	for _, t := range edgeTables {
		t.stmts, t.rejected = 0, nil
		create := t.create + " WITH " + noCompaction + " AND " + compressionOpt("lz4", t.chunk)
		if strings.Contains(t.create, " WITH ") {
			create = t.create + " AND " + noCompaction + " AND " + compressionOpt("lz4", t.chunk)
		}
		t.schema = append(append([]string{}, edgeTypes...), create)
		stmts = append(stmts, create)
		byName[t.name] = t
	}
	for _, q := range stmts {
		if err := s.Query(q).Exec(); err != nil {
			return nil, fmt.Errorf("%s: %w", q, err)
		}
	}
	for _, q := range edgeSteps() {
		if strings.HasPrefix(q, "FLUSH ") {
			args := append([]string{"flush", edgeKS}, strings.Fields(q)[1:]...)
			if _, err := c.Nodes[0].NodeTool(ctx, args...); err != nil {
				return nil, err
			}
			continue
		}
		if err := s.Query(q).Exec(); err != nil {
			// Reported, not fatal: the README lists what Cassandra refuses.
			log.Printf("edge: rejected: %.200s: %v", q, err)
			for name, t := range byName {
				if strings.Contains(q, "edge."+name+" ") {
					t.rejected = append(t.rejected, fmt.Sprintf("%s: %v", q, err))
				}
			}
			continue
		}
		if strings.Contains(q, "USING TTL ") && !strings.Contains(q, "TTL 8640000") && !strings.Contains(q, "TTL 3600000") && !strings.Contains(q, "TTL 0") {
			if t := time.Now().Add(3 * time.Second); t.After(*ttlUntil) {
				*ttlUntil = t
			}
		}
		for name, t := range byName {
			if strings.Contains(q, "edge."+name+" ") {
				t.stmts++
			}
		}
	}
	return ek, nil
}

func (e *edgeKeyspace) selectAll(s *gocql.Session) (map[string][]string, error) {
	out := map[string][]string{}
	for _, t := range e.tables {
		rows, err := selectJSON(s, e.name, t.name, gocql.All)
		if err != nil {
			return nil, fmt.Errorf("select %s.%s: %w", e.name, t.name, err)
		}
		out[t.name] = rows
	}
	return out, nil
}
