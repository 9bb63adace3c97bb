package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"
	"time"

	gocql "github.com/apache/cassandra-gocql-driver/v2"
)

// gen dropped: tables whose columns were dropped, some added back with the same
// or another type, with SSTables from before and after each change. What a
// reader must get right (issue 14): Cassandra discards every cell of a dropped
// column written at or before the drop, whatever type the SSTable's header
// gives it, and a column added back shows only newer cells. The table's
// schema is the schema.cql of a snapshot (ALTER TABLE … DROP … USING
// TIMESTAMP, ADD), recorded as meta.json's cql; the drops use the node's
// clock, the writes explicit timestamps (1600000000000000 + n, long before
// the drops) or the client's clock (after them) as each step says.
//
//	gen dropped -format oa -out ../testdata/cassandra-5.0   # <out>/<format>/evolution/dropped/<table>-<id>
//
// They sit under evolution/, not lz4/ beside the random and edge keyspaces
// (they are LZ4 too, meta.json says so), so that tests counting the tables of
// <format>/lz4 keep their numbers.

const droppedKS = "dropped"

type droppedTable struct {
	name, note, create string
}

var droppedTables = []droppedTable{
	{name: "readd_same", note: "v text dropped and added back as text: cells written before the drop (also one written after the re-add with an older timestamp) stay hidden",
		create: `CREATE TABLE dropped.readd_same (pk int, ck int, v text, w int, PRIMARY KEY (pk, ck))`},
	{name: "readd_other", note: "v text dropped and added back as blob: the old SSTable's header says text, the new one blob",
		create: `CREATE TABLE dropped.readd_other (pk int PRIMARY KEY, v text, w int)`},
	{name: "kinds", note: "static, list, map and frozen UDT columns dropped (Cassandra refuses to drop a non-frozen UDT column); the list added back",
		create: `CREATE TABLE dropped.kinds (pk int, ck int, s text static, l list<int>, m map<text, int>, u frozen<dropped.pt>, w int, PRIMARY KEY (pk, ck))`},
	{name: "disagree", note: "v varint dropped, added back as blob, dropped again: two SSTables' headers disagree on the type of a dropped column",
		create: `CREATE TABLE dropped.disagree (pk int PRIMARY KEY, v varint, w int)`},
}

// droppedSteps: "FLUSH t" flushes table t; "SLEEP" waits a little so a drop's
// time is after the writes before it and before those after it.
func droppedSteps() []string {
	ts := func(n int) string { return fmt.Sprintf("USING TIMESTAMP %d", 1600000000000000+n) }
	return []string{
		// readd_same
		`INSERT INTO dropped.readd_same (pk, ck, v, w) VALUES (1, 1, 'old-1-1', 11) ` + ts(1),
		`INSERT INTO dropped.readd_same (pk, ck, v, w) VALUES (1, 2, 'old-1-2', 12) ` + ts(2),
		`UPDATE dropped.readd_same ` + ts(3) + ` SET v = 'only-v' WHERE pk = 2 AND ck = 1`,
		"FLUSH readd_same",
		"SLEEP",
		`ALTER TABLE dropped.readd_same DROP v`,
		"SLEEP",
		`INSERT INTO dropped.readd_same (pk, ck, w) VALUES (1, 3, 13)`,
		"FLUSH readd_same",
		`ALTER TABLE dropped.readd_same ADD v text`,
		`INSERT INTO dropped.readd_same (pk, ck, v) VALUES (1, 2, 'new-1-2')`,
		`UPDATE dropped.readd_same ` + ts(4) + ` SET v = 'late-but-old' WHERE pk = 1 AND ck = 1`,
		`INSERT INTO dropped.readd_same (pk, ck, v, w) VALUES (3, 1, 'new-3-1', 31)`,
		"FLUSH readd_same",

		// readd_other
		`INSERT INTO dropped.readd_other (pk, v, w) VALUES (1, 'text-1', 1) ` + ts(1),
		`INSERT INTO dropped.readd_other (pk, v) VALUES (2, 'text-2') ` + ts(2),
		"FLUSH readd_other",
		"SLEEP",
		`ALTER TABLE dropped.readd_other DROP v`,
		"SLEEP",
		`ALTER TABLE dropped.readd_other ADD v blob`,
		`INSERT INTO dropped.readd_other (pk, v) VALUES (1, 0xcafe)`,
		`INSERT INTO dropped.readd_other (pk, v, w) VALUES (3, 0x00ff, 3)`,
		"FLUSH readd_other",

		// kinds
		`INSERT INTO dropped.kinds (pk, ck, s, l, m, u, w) VALUES (1, 1, 'static-1', [1, 2, 3], {'a': 1, 'b': 2}, {x: 1, y: 'one'}, 11) ` + ts(1),
		`INSERT INTO dropped.kinds (pk, ck, l) VALUES (1, 2, [4]) ` + ts(2),
		`UPDATE dropped.kinds ` + ts(3) + ` SET l = l + [5], m['c'] = 3, u = {x: 7, y: 'seven'} WHERE pk = 2 AND ck = 1`,
		`UPDATE dropped.kinds ` + ts(4) + ` SET s = 'static-only' WHERE pk = 3`,
		`DELETE m FROM dropped.kinds ` + ts(5) + ` WHERE pk = 1 AND ck = 1`,
		"FLUSH kinds",
		"SLEEP",
		`ALTER TABLE dropped.kinds DROP s`,
		`ALTER TABLE dropped.kinds DROP l`,
		`ALTER TABLE dropped.kinds DROP m`,
		`ALTER TABLE dropped.kinds DROP u`,
		"SLEEP",
		`INSERT INTO dropped.kinds (pk, ck, w) VALUES (1, 3, 13)`,
		"FLUSH kinds",
		`ALTER TABLE dropped.kinds ADD l list<int>`,
		`UPDATE dropped.kinds SET l = l + [9] WHERE pk = 1 AND ck = 1`,
		`UPDATE dropped.kinds ` + ts(6) + ` SET l = l + [8] WHERE pk = 1 AND ck = 2`,
		"FLUSH kinds",

		// disagree
		`INSERT INTO dropped.disagree (pk, v, w) VALUES (1, 100, 1) ` + ts(1),
		`INSERT INTO dropped.disagree (pk, v) VALUES (2, 200) ` + ts(2),
		"FLUSH disagree",
		"SLEEP",
		`ALTER TABLE dropped.disagree DROP v`,
		"SLEEP",
		`ALTER TABLE dropped.disagree ADD v blob`,
		`INSERT INTO dropped.disagree (pk, v, w) VALUES (3, 0xbeef, 3)`,
		`INSERT INTO dropped.disagree (pk, v) VALUES (1, 0x01)`,
		"FLUSH disagree",
		"SLEEP",
		`ALTER TABLE dropped.disagree DROP v`,
		`INSERT INTO dropped.disagree (pk, w) VALUES (4, 4)`,
		"FLUSH disagree",
	}
}

func droppedCmd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("dropped", flag.ExitOnError)
	var nf nodeFlags
	nf.add(fs)
	format := fs.String("format", "oa", "SSTable format: nb, oa or da")
	out := fs.String("out", "", "output root; tables go to <out>/<format>/evolution/dropped/<table>-<id>")
	fs.Parse(args)
	if *out == "" {
		return fmt.Errorf("-out is required")
	}
	start := time.Now()
	c, s, done, err := nf.startOne(ctx, *format, nil)
	if err != nil {
		return err
	}
	defer done()
	nodeUp := time.Since(start)
	stmts := []string{
		fmt.Sprintf("CREATE KEYSPACE %s WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1}", droppedKS),
		"CREATE TYPE dropped.pt (x int, y text)",
	}
	for _, t := range droppedTables {
		stmts = append(stmts, t.create+" WITH "+noCompaction+" AND "+compressionOpt("lz4", 4))
	}
	counts := map[string]int{}
	for _, q := range append(stmts, droppedSteps()...) {
		switch {
		case q == "SLEEP":
			time.Sleep(50 * time.Millisecond)
			continue
		case strings.HasPrefix(q, "FLUSH "):
			if _, err := c.Nodes[0].NodeTool(ctx, "flush", droppedKS, strings.TrimPrefix(q, "FLUSH ")); err != nil {
				return err
			}
			continue
		}
		if err := s.Query(q).Exec(); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
		for _, t := range droppedTables {
			if strings.Contains(q, droppedKS+"."+t.name+" ") {
				counts[t.name]++
			}
		}
	}
	now := time.Now().Truncate(time.Second)
	rows := map[string][]string{}
	for _, t := range droppedTables {
		if rows[t.name], err = selectJSON(s, droppedKS, t.name, gocql.All); err != nil {
			return fmt.Errorf("select %s.%s: %w", droppedKS, t.name, err)
		}
	}
	// The snapshot's schema.cql is how Cassandra records the drops.
	if _, err := c.Nodes[0].NodeTool(ctx, "snapshot", "-t", "schema", droppedKS); err != nil {
		return err
	}
	s.Close()
	c.Nodes[0].Stop()
	workDone := time.Since(start)

	root := filepath.Join(*out, *format, "evolution", droppedKS)
	if err := os.RemoveAll(root); err != nil {
		return err
	}
	var dirs []string
	for _, t := range droppedTables {
		src, err := tableDir(c.Nodes[0].DataDir(), droppedKS, t.name)
		if err != nil {
			return err
		}
		dst := filepath.Join(root, filepath.Base(src))
		n, err := copySSTables(src, dst)
		if err != nil {
			return err
		}
		cql, err := snapshotSchema(src, []string{"CREATE TYPE dropped.pt (x int, y text)"})
		if err != nil {
			return err
		}
		m := Meta{Cassandra: cassandraVersion, Format: *format, Compression: "lz4", ChunkKB: 4,
			Now: now.UTC().Format(time.RFC3339), NowUnix: now.Unix(), Consistency: "ALL",
			CQL: cql, Rows: len(rows[t.name]), SSTables: n, Note: t.note,
			Statements: map[string]any{"executed": counts[t.name]}}
		if err := writeExpected(dst, rows[t.name], m); err != nil {
			return err
		}
		dirs = append(dirs, dst)
	}
	if err := runTools(ctx, c, dirs); err != nil {
		return err
	}
	log.Printf("dropped %s: %d tables; node start %.1fs, workload+select %.1fs, total %.1fs",
		*format, len(dirs), nodeUp.Seconds(), workDone.Seconds(), time.Since(start).Seconds())
	return nil
}
