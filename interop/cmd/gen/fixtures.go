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

	"github.com/aegisthus/aegisthus/interop/cassandra"
	"github.com/aegisthus/aegisthus/interop/workload"
)

var chunkSizes = []int{4, 8, 16, 32, 64}

// genTable is a table being written, with what meta.json needs.
type genTable struct {
	ks    *workload.Keyspace
	t     *workload.Table
	comp  string
	chunk int
	cnt   counts
	// single tables are flushed once, at the end, so they have one SSTable
	// and `dump --rows` on it can be checked against SELECT JSON.
	single bool
}

func fixturesCmd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("fixtures", flag.ExitOnError)
	var nf nodeFlags
	nf.add(fs)
	format := fs.String("format", "nb", "SSTable format: nb, oa or da")
	out := fs.String("out", "", "output root; tables go to <out>/<format>/<compression>/<keyspace>/<table>-<id>")
	seed := fs.Uint64("seed", 1, "seed for schemas and workloads")
	tables := fs.Int("tables", 2, "random tables per compression")
	ops := fs.Int("ops", 60, "statements per table")
	rounds := fs.Int("rounds", 3, "flush rounds (a table gets up to this many SSTables)")
	comps := fs.String("compressions", strings.Join(compressionOrder, ","), "compressions to generate")
	edge := fs.Bool("edge", true, "also write the edge-case keyspace (under lz4/edge)")
	prefix := fs.String("ks-prefix", "rand_", "keyspace name prefix for the random tables (<prefix><compression>)")
	uuidIDs := fs.Bool("uuid-ids", false, "uuid_sstable_identifiers_enabled: true (time-UUID generations in file names)")
	evolve := fs.Bool("evolve", false, "schema evolution between flush rounds: ALTER TABLE ADD, DROP, DROP then ADD (workload.Evolve); meta.json's cql is then the snapshot's schema.cql")
	fs.Parse(args)
	if *out == "" {
		return fmt.Errorf("-out is required")
	}
	start := time.Now()
	c, s, done, err := nf.startOne(ctx, *format, func(c *cassandra.Cluster) error {
		if !*uuidIDs {
			return nil
		}
		c.UUIDIDs = true
		return c.Init()
	})
	if err != nil {
		return err
	}
	defer done()
	nodeUp := time.Since(start)

	g := workload.NewGen(*seed)
	r := g.Rand()
	var all []*genTable
	var kss []*workload.Keyspace
	for _, comp := range strings.Split(*comps, ",") {
		if _, ok := Compressions[comp]; !ok {
			return fmt.Errorf("unknown compression %q", comp)
		}
		ks := g.NewKeyspace(*prefix+comp, *tables, nil)
		for _, t := range ks.Tables {
			gt := &genTable{ks: ks, t: t, comp: comp, chunk: chunkSizes[r.IntN(len(chunkSizes))], single: len(all)%3 == 2}
			t.Options = []string{noCompaction, compressionOpt(comp, gt.chunk)}
			all = append(all, gt)
		}
		kss = append(kss, ks)
	}
	for _, ks := range kss {
		if err := createKeyspace(s, ks, 1); err != nil {
			return err
		}
	}
	clock := workload.NewClock()
	var ttlUntil time.Time
	for round := 0; round < *rounds; round++ {
		n := *ops / *rounds
		for _, gt := range all {
			for i := 0; i < n; i++ {
				st := g.Op(gt.t, clock)
				err := s.Query(st.CQL).Exec()
				gt.cnt.add(st.Kind, err, st.CQL)
				if err == nil && st.ExpiresAt.After(ttlUntil) {
					ttlUntil = st.ExpiresAt
				}
			}
		}
		// Flush a random subset of tables (all of them in the last round).
		byKS := map[string][]string{}
		for _, gt := range all {
			if round == *rounds-1 || (r.IntN(3) > 0 && !gt.single) {
				byKS[gt.ks.Name] = append(byKS[gt.ks.Name], gt.t.Name)
			}
		}
		for _, ks := range kss {
			if tl := byKS[ks.Name]; len(tl) > 0 {
				if _, err := c.Nodes[0].NodeTool(ctx, append([]string{"flush", ks.Name}, tl...)...); err != nil {
					return err
				}
			}
		}
		if *evolve && round < *rounds-1 {
			for i, gt := range all {
				for _, q := range g.Evolve(gt.t, round*len(all)+i) {
					if err := s.Query(q).Exec(); err != nil {
						return fmt.Errorf("%s: %w", q, err)
					}
					gt.cnt.add("alter", nil, q)
				}
			}
		}
	}
	var edgeSet *edgeKeyspace
	if *edge {
		edgeSet, err = writeEdge(ctx, c, s, &ttlUntil)
		if err != nil {
			return err
		}
	}
	for _, gt := range all {
		if len(gt.cnt.Samples) > 0 {
			log.Printf("%s.%s: rejected %v, e.g. %s", gt.ks.Name, gt.t.Name, gt.cnt.Rejected, gt.cnt.Samples[0])
		}
	}
	waitTTL(ctx, ttlUntil)
	now := time.Now().Truncate(time.Second)
	rows := map[*workload.Table][]string{}
	for _, gt := range all {
		rows[gt.t], err = selectJSON(s, gt.ks.Name, gt.t.Name, gocql.All)
		if err != nil {
			return fmt.Errorf("select %s.%s: %w", gt.ks.Name, gt.t.Name, err)
		}
	}
	var edgeRows map[string][]string
	if edgeSet != nil {
		if edgeRows, err = edgeSet.selectAll(s); err != nil {
			return err
		}
	}
	if time.Since(now) > 30*time.Second {
		log.Printf("warning: SELECTs took %s; long TTLs are days so rows are still consistent with now", time.Since(now))
	}
	if *evolve {
		// The snapshot's schema.cql records the drops (ALTER TABLE … DROP …
		// USING TIMESTAMP): meta.json's cql below.
		if _, err := c.Nodes[0].NodeTool(ctx, "snapshot", "-t", "schema"); err != nil {
			return err
		}
	}
	s.Close()
	c.Nodes[0].Stop()
	workDone := time.Since(start)

	// Replace only the keyspaces written now, so runs with other -ks-prefix
	// values can share <out>/<format>.
	root := filepath.Join(*out, *format)
	for _, gt := range all {
		if err := os.RemoveAll(filepath.Join(root, gt.comp, gt.ks.Name)); err != nil {
			return err
		}
	}
	if edgeSet != nil {
		if err := os.RemoveAll(filepath.Join(root, "lz4", edgeSet.name)); err != nil {
			return err
		}
	}
	var dirs []string
	nrows, nsst := 0, 0
	for _, gt := range all {
		src, err := tableDir(c.Nodes[0].DataDir(), gt.ks.Name, gt.t.Name)
		if err != nil {
			return err
		}
		dst := filepath.Join(root, gt.comp, gt.ks.Name, filepath.Base(src))
		n, err := copySSTables(src, dst)
		if err != nil {
			return err
		}
		m := Meta{Cassandra: cassandraVersion, Format: *format, Compression: gt.comp, ChunkKB: gt.chunk, Seed: *seed,
			Now: now.UTC().Format(time.RFC3339), NowUnix: now.Unix(), Consistency: "ALL",
			CQL: schemaCQL(gt.ks, gt.t), Rows: len(rows[gt.t]), SSTables: n, Statements: &gt.cnt}
		if gt.comp == "none" {
			m.ChunkKB = 0
		}
		if *evolve {
			if m.CQL, err = snapshotSchema(src, gt.ks.CreateUDTs()); err != nil {
				return err
			}
		}
		if err := writeExpected(dst, rows[gt.t], m); err != nil {
			return err
		}
		dirs = append(dirs, dst)
		nrows += len(rows[gt.t])
		nsst += n
	}
	if edgeSet != nil {
		for _, et := range edgeSet.tables {
			src, err := tableDir(c.Nodes[0].DataDir(), edgeSet.name, et.name)
			if err != nil {
				return err
			}
			dst := filepath.Join(root, "lz4", edgeSet.name, filepath.Base(src))
			n, err := copySSTables(src, dst)
			if err != nil {
				return err
			}
			m := Meta{Cassandra: cassandraVersion, Format: *format, Compression: "lz4", ChunkKB: et.chunk, Seed: 0,
				Now: now.UTC().Format(time.RFC3339), NowUnix: now.Unix(), Consistency: "ALL",
				CQL: et.schema, Rows: len(edgeRows[et.name]), SSTables: n, Note: et.note,
				Statements: map[string]any{"executed": et.stmts, "rejected": et.rejected}}
			if err := writeExpected(dst, edgeRows[et.name], m); err != nil {
				return err
			}
			dirs = append(dirs, dst)
			nrows += len(edgeRows[et.name])
			nsst += n
		}
	}
	if err := runTools(ctx, c, dirs); err != nil {
		return err
	}
	log.Printf("fixtures %s: %d tables, %d SSTables, %d rows; node start %.1fs, workload+select %.1fs, total %.1fs",
		*format, len(dirs), nsst, nrows, nodeUp.Seconds(), workDone.Seconds(), time.Since(start).Seconds())
	return nil
}

func createKeyspace(s *gocql.Session, ks *workload.Keyspace, rf int) error {
	stmts := []string{fmt.Sprintf("CREATE KEYSPACE %s WITH replication = {'class': 'SimpleStrategy', 'replication_factor': %d}", ks.Name, rf)}
	stmts = append(stmts, ks.CreateUDTs()...)
	for _, t := range ks.Tables {
		stmts = append(stmts, t.CreateCQL())
	}
	for _, q := range stmts {
		if err := s.Query(q).Exec(); err != nil {
			return fmt.Errorf("%s: %w", q, err)
		}
	}
	return nil
}

var _ = rand.IntN
var _ = cassandra.KillAll

// snapshotSchema returns the UDT statements udts and then the statements of
// the schema.cql of the snapshot "schema" of the table directory dir.
func snapshotSchema(dir string, udts []string) ([]string, error) {
	b, err := os.ReadFile(filepath.Join(dir, "snapshots", "schema", "schema.cql"))
	if err != nil {
		return nil, err
	}
	cql := append([]string{}, udts...)
	for _, st := range strings.Split(string(b), ";") {
		if st = strings.TrimSpace(st); st != "" {
			cql = append(cql, st)
		}
	}
	return cql, nil
}
