package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	gocql "github.com/apache/cassandra-gocql-driver/v2"
)

// benchCmd writes a large LZ4 table (16 KiB chunks) through one real node
// with CQL: unlogged batches of prepared inserts from several goroutines,
// into a keyspace with durable_writes = false (no commit log; every write
// still goes through the node's write path, memtables and flushes).
// Mostly narrow partitions (1–3 rows) plus a few very wide ones. -table picks
// the row shape: events (~290-byte rows: text, timestamp, double, set, map) or
// narrow (bigint, int, timestamp, bigint, boolean and a short text: issue 2's
// "narrow table" for its rows/s target).
func benchCmd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("bench", flag.ExitOnError)
	var nf nodeFlags
	nf.add(fs)
	out := fs.String("out", "", "output directory (the table directory is moved here)")
	size := fs.String("size", "2G", "target uncompressed bytes of row data written (K, M, G suffixes)")
	format := fs.String("format", "nb", "SSTable format")
	wide := fs.Int("wide", 4, "number of very wide partitions")
	wideShare := fs.Float64("wide-share", 0.1, "share of the data in the wide partitions")
	workers := fs.Int("workers", 8, "concurrent batches in flight")
	batch := fs.Int("batch", 50, "rows per unlogged batch")
	seed := fs.Uint64("seed", 1, "seed")
	compact := fs.Bool("compact", true, "run a major compaction at the end, so the table is one big SSTable")
	tableName := fs.String("table", "events", "row shape: events (~290 B rows) or narrow (six small columns)")
	fs.Parse(args)
	narrow := *tableName == "narrow"
	if !narrow && *tableName != "events" {
		return fmt.Errorf("-table %q: want events or narrow", *tableName)
	}
	if *out == "" {
		return fmt.Errorf("-out is required")
	}
	target, err := parseSize(*size)
	if err != nil {
		return err
	}
	out_, _ := filepath.Abs(*out)
	start := time.Now()
	c, s, stop, err := nf.bulkNode(ctx, out_, *format,
		"CREATE KEYSPACE bench WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1} AND durable_writes = false",
		"CREATE TABLE bench.events (tenant text, id bigint, seq int, at timestamp, kind text, score double, payload text, tags set<text>, attrs map<text, text>, PRIMARY KEY ((tenant, id), seq)) WITH "+
			"compression = {'class': 'LZ4Compressor', 'chunk_length_in_kb': 16} AND "+noCompaction,
		"CREATE TABLE bench.narrow (id bigint, seq int, at timestamp, v bigint, ok boolean, label text, PRIMARY KEY (id, seq)) WITH "+
			"compression = {'class': 'LZ4Compressor', 'chunk_length_in_kb': 16} AND "+noCompaction,
	)
	if err != nil {
		return err
	}
	defer stop()
	const ins = "INSERT INTO bench.events (tenant, id, seq, at, kind, score, payload, tags, attrs) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
	const insNarrow = "INSERT INTO bench.narrow (id, seq, at, v, ok, label) VALUES (?, ?, ?, ?, ?, ?)"
	words, kinds := loremWords, eventKinds
	var written, rows atomic.Int64
	var nextID atomic.Int64
	wideRows := make([]atomic.Int64, *wide)
	errc := make(chan error, *workers)
	var wg sync.WaitGroup
	lastLog := time.Now()
	var logMu sync.Mutex
	for w := 0; w < *workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			r := rand.New(rand.NewPCG(*seed, uint64(w)))
			for written.Load() < target && ctx.Err() == nil {
				b := s.Batch(gocql.UnloggedBatch)
				var bytes int64
				wideP := *wide > 0 && r.Float64() < *wideShare
				var tenant string
				var id int64
				seq := 0
				if wideP {
					p := r.IntN(*wide)
					tenant, id = "wide", int64(p)
					seq = int(wideRows[p].Add(int64(*batch))) - *batch
				}
				for i := 0; i < *batch; i++ {
					if !wideP {
						if i == 0 || r.IntN(3) == 0 {
							tenant, id, seq = fmt.Sprintf("tenant-%03d", r.IntN(500)), nextID.Add(1), 0
						} else {
							seq++
						}
					} else {
						seq++
					}
					if narrow {
						at := time.UnixMilli(1735689600000 + r.Int64N(86400000*90))
						key := id
						if wideP {
							key = -1 - id // wide partitions apart from the narrow ids
						}
						b.Query(insNarrow, key, seq, at, r.Int64N(1_000_000_000), r.IntN(2) == 0, kinds[r.IntN(len(kinds))]+"-"+strconv.Itoa(r.IntN(1000)))
						bytes += 8 + 4 + 8 + 8 + 1 + 10
						continue
					}
					var p strings.Builder
					for j := 0; j < 20+r.IntN(40); j++ {
						p.WriteString(words[r.IntN(len(words))])
						p.WriteByte(' ')
					}
					payload := p.String()
					tags := []string{words[r.IntN(len(words))], words[r.IntN(len(words))]}
					attrs := map[string]string{"ip": fmt.Sprintf("10.%d.%d.%d", r.IntN(256), r.IntN(256), r.IntN(256)), "ua": "Mozilla/5.0"}
					at := time.UnixMilli(1735689600000 + r.Int64N(86400000*90))
					b.Query(ins, tenant, id, seq, at, kinds[r.IntN(len(kinds))], r.Float64()*1000, payload, tags, attrs)
					bytes += int64(len(tenant) + 8 + 4 + 8 + 8 + 8 + len(payload) + 30 + 40)
				}
				if err := b.Exec(); err != nil {
					errc <- err
					return
				}
				rows.Add(int64(*batch))
				n := written.Add(bytes)
				logMu.Lock()
				if time.Since(lastLog) > 15*time.Second {
					el := time.Since(start).Seconds()
					log.Printf("bench: %d MB of %d MB, %d rows, %.1f MB/s", n>>20, target>>20, rows.Load(), float64(n)/1e6/el)
					lastLog = time.Now()
				}
				logMu.Unlock()
			}
		}(w)
	}
	wg.Wait()
	select {
	case err := <-errc:
		return err
	default:
	}
	if ctx.Err() != nil {
		return ctx.Err()
	}
	writeTime := time.Since(start)
	n := c.Nodes[0]
	if _, err := n.NodeTool(ctx, "flush", "bench"); err != nil {
		return err
	}
	if *compact {
		t := time.Now()
		if _, err := n.NodeTool(ctx, "compact", "bench", *tableName); err != nil {
			return err
		}
		log.Printf("bench: major compaction took %.0fs", time.Since(t).Seconds())
	}
	stats, _ := n.NodeTool(ctx, "tablestats", "bench."+*tableName)
	s.Close()
	n.Stop()
	src, err := tableDir(n.DataDir(), "bench", *tableName)
	if err != nil {
		return err
	}
	dst := filepath.Join(out_, "bench", filepath.Base(src))
	os.RemoveAll(filepath.Join(out_, "bench"))
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	if err := os.Rename(src, dst); err != nil {
		return err
	}
	os.WriteFile(filepath.Join(out_, "tablestats.txt"), []byte(stats), 0o644)
	used, ratio := statField(stats, "Space used (live)"), statField(stats, "SSTable Compression Ratio")
	info := fmt.Sprintf("rows %d, partitions ~%d narrow + %d wide, row bytes sent %d MB, on disk %.0f MB, compression ratio %.3f, ~%.0f MB uncompressed; write %.0fs (%.1f MB/s), total %.0fs",
		rows.Load(), nextID.Load(), *wide, written.Load()>>20, used/1e6, ratio, used/ratio/1e6, writeTime.Seconds(), float64(written.Load())/1e6/writeTime.Seconds(), time.Since(start).Seconds())
	os.WriteFile(filepath.Join(out_, "README.txt"), []byte("Written by gen bench through a real Cassandra "+cassandraVersion+" node (CQL, unlogged batches, durable_writes=false).\n"+info+"\n"), 0o644)
	log.Printf("bench: %s -> %s", info, dst)
	return nil
}

func statField(stats, name string) float64 {
	m := regexp.MustCompile(regexp.QuoteMeta(name) + `: ([0-9.]+)`).FindStringSubmatch(stats)
	if m == nil {
		return 0
	}
	f, _ := strconv.ParseFloat(m[1], 64)
	return f
}

func parseSize(s string) (int64, error) {
	mult := int64(1)
	switch {
	case strings.HasSuffix(s, "G"):
		mult, s = 1<<30, strings.TrimSuffix(s, "G")
	case strings.HasSuffix(s, "M"):
		mult, s = 1<<20, strings.TrimSuffix(s, "M")
	case strings.HasSuffix(s, "K"):
		mult, s = 1<<10, strings.TrimSuffix(s, "K")
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return 0, fmt.Errorf("size %q: %w", s, err)
	}
	return n * mult, nil
}
