package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"time"

	gocql "github.com/apache/cassandra-gocql-driver/v2"
)

// clusterCmd writes the sample snapshot: three nodes on 127.0.0.1-3, RF 3,
// hinted handoff off; writes at ONE while one node is down so the replicas
// diverge; then a snapshot on every node and SELECT JSON * at ALL.
func clusterCmd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("cluster", flag.ExitOnError)
	var nf nodeFlags
	nf.add(fs)
	out := fs.String("out", "", "output: <out>/node{1,2,3}/<ks>/<table>-<id>/snapshots/<tag>/, <out>/expected/")
	seed := fs.Uint64("seed", 1, "seed")
	format := fs.String("format", "nb", "SSTable format")
	users := fs.Int("users", 150, "partitions of the events table")
	tag := fs.String("tag", "sample", "snapshot tag")
	fs.Parse(args)
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
	for _, n := range c.Nodes {
		if err := n.Start(ctx); err != nil {
			return err
		}
	}
	log.Printf("cluster: 3 nodes up after %.1fs", time.Since(start).Seconds())
	// One session per coordinator, so writes go through chosen nodes.
	sess, closeAll, err := coordinators(c)
	if err != nil {
		return err
	}
	defer closeAll()
	schema := []string{
		"CREATE KEYSPACE demo WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 3}",
		"CREATE TABLE demo.events (user_id uuid, day date, at timestamp, kind text, amount decimal, attrs map<text, text>, tags set<text>, note text, PRIMARY KEY ((user_id, day), at)) WITH CLUSTERING ORDER BY (at DESC) AND " + noCompaction + " AND compression = {'class': 'LZ4Compressor', 'chunk_length_in_kb': 16}",
		"CREATE TABLE demo.page_views (page text, day date, views counter, PRIMARY KEY (page, day)) WITH " + noCompaction,
	}
	for _, q := range schema {
		if err := sess[0].Query(q).Consistency(gocql.All).Exec(); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	r := rand.New(rand.NewPCG(*seed, 42))
	uuids := make([]string, *users)
	for i := range uuids {
		uuids[i] = fmt.Sprintf("%08x-%04x-4%03x-8%03x-%012x", r.Uint32(), r.IntN(1<<16), r.IntN(1<<12), r.IntN(1<<12), r.Int64N(1<<48))
	}
	kinds := []string{"login", "purchase", "refund", "view", "logout"}
	base := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	var stmts int
	write := func(coord int, n int) error {
		for i := 0; i < n; i++ {
			u := uuids[r.IntN(len(uuids))]
			day := base.AddDate(0, 0, r.IntN(3))
			at := day.Add(time.Duration(r.IntN(86400)) * time.Second)
			var q string
			switch p := r.IntN(100); {
			case p < 70:
				q = fmt.Sprintf("INSERT INTO demo.events (user_id, day, at, kind, amount, attrs, tags, note) VALUES (%s, '%s', '%s', '%s', %d.%02d, {'ip': '10.0.%d.%d', 'ua': 'Mozilla/5.0'}, {'%s'}, '%s')",
					u, day.Format("2006-01-02"), at.Format("2006-01-02 15:04:05-0700"), kinds[r.IntN(len(kinds))], r.IntN(500), r.IntN(100), r.IntN(256), r.IntN(256), kinds[r.IntN(len(kinds))], strings.Repeat("n", r.IntN(40)))
			case p < 80:
				q = fmt.Sprintf("UPDATE demo.events SET tags = tags + {'flagged'}, attrs['reviewed'] = 'yes' WHERE user_id = %s AND day = '%s' AND at = '%s'", u, day.Format("2006-01-02"), at.Format("2006-01-02 15:04:05-0700"))
			case p < 85:
				q = fmt.Sprintf("DELETE FROM demo.events WHERE user_id = %s AND day = '%s' AND at < '%s'", u, day.Format("2006-01-02"), at.Format("2006-01-02 15:04:05-0700"))
			case p < 88:
				q = fmt.Sprintf("DELETE FROM demo.events WHERE user_id = %s AND day = '%s'", u, day.Format("2006-01-02"))
			case p < 92:
				q = fmt.Sprintf("INSERT INTO demo.events (user_id, day, at, kind, note) VALUES (%s, '%s', '%s', 'session', 'expires') USING TTL %d", u, day.Format("2006-01-02"), at.Format("2006-01-02 15:04:05-0700"), 86400*(1+r.IntN(30)))
			default:
				q = fmt.Sprintf("UPDATE demo.page_views SET views = views + %d WHERE page = '/p/%d' AND day = '%s'", 1+r.IntN(5), r.IntN(20), day.Format("2006-01-02"))
			}
			if err := sess[coord].Query(q).Consistency(gocql.One).Exec(); err != nil {
				return fmt.Errorf("node%d: %s: %w", coord+1, q, err)
			}
			stmts++
			coord = (coord + 1) % 3
			for sess[coord] == nil {
				coord = (coord + 1) % 3
			}
		}
		return nil
	}
	flushAll := func() error {
		for _, n := range c.Nodes {
			if n.Running() {
				if _, err := n.NodeTool(ctx, "flush", "demo"); err != nil {
					return err
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
		time.Sleep(3 * time.Second) // let gossip mark it up on the others
		var err error
		sess[i], err = coordinator(c, i)
		return err
	}
	// Phase 1: all up. Phase 2: node3 down. Phase 3: node1 down. Phase 4: all up.
	if err := write(0, 1500); err != nil {
		return err
	}
	if err := flushAll(); err != nil {
		return err
	}
	down(2)
	if err := write(0, 600); err != nil {
		return err
	}
	if err := flushAll(); err != nil {
		return err
	}
	if err := up(2); err != nil {
		return err
	}
	down(0)
	if err := write(1, 600); err != nil {
		return err
	}
	if err := flushAll(); err != nil {
		return err
	}
	if err := up(0); err != nil {
		return err
	}
	if err := write(0, 300); err != nil {
		return err
	}
	for _, n := range c.Nodes {
		if _, err := n.NodeTool(ctx, "snapshot", "-t", *tag, "demo"); err != nil {
			return err
		}
	}
	now := time.Now().Truncate(time.Second)
	rows := map[string][]string{}
	for _, t := range []string{"events", "page_views"} {
		if rows[t], err = selectJSON(sess[0], "demo", t, gocql.All); err != nil {
			return fmt.Errorf("select demo.%s at ALL: %w", t, err)
		}
	}
	c.StopAll()

	if err := os.RemoveAll(*out); err != nil {
		return err
	}
	nsst := 0
	for i, n := range c.Nodes {
		for _, t := range []string{"events", "page_views"} {
			td, err := tableDir(n.DataDir(), "demo", t)
			if err != nil {
				return err
			}
			src := filepath.Join(td, "snapshots", *tag)
			dst := filepath.Join(*out, fmt.Sprintf("node%d", i+1), "demo", filepath.Base(td), "snapshots", *tag)
			k, err := copySSTables(src, dst)
			if err != nil {
				return err
			}
			nsst += k
		}
	}
	for _, t := range []string{"events", "page_views"} {
		m := Meta{Cassandra: cassandraVersion, Format: *format, Compression: "lz4", Seed: *seed,
			Now: now.UTC().Format(time.RFC3339), NowUnix: now.Unix(), Consistency: "ALL", CQL: schema,
			Rows: len(rows[t]), SSTables: nsst,
			Note: "3 nodes, RF 3, hinted handoff off; writes at ONE with node3 down, then node1 down; snapshot on every node, then SELECT JSON at ALL"}
		dir := filepath.Join(*out, "expected", t)
		if err := writeExpected(dir, rows[t], m); err != nil {
			return err
		}
		// writeExpected puts files in <dir>/expected; flatten to <out>/expected/<table>.*
		os.Rename(filepath.Join(dir, "expected", "select-json.jsonl"), filepath.Join(*out, "expected", t+".select-json.jsonl"))
		os.Rename(filepath.Join(dir, "expected", "meta.json"), filepath.Join(*out, "expected", t+".meta.json"))
		os.RemoveAll(dir)
	}
	log.Printf("cluster: %d statements, %d SSTables in snapshots, %d+%d rows at ALL; total %.1fs", stmts, nsst, len(rows["events"]), len(rows["page_views"]), time.Since(start).Seconds())
	return nil
}
