package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"log"
	"math/rand/v2"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	gocql "github.com/apache/cassandra-gocql-driver/v2"
)

// WideMeta is what gen wide records in wide.json next to the table: the
// consumers (internal/bench BenchmarkWidePartitionRSS) compare the export with it.
type WideMeta struct {
	Cassandra      string  `json:"cassandra"`
	Keyspace       string  `json:"keyspace"`
	Table          string  `json:"table"`
	Partition      string  `json:"partition"`
	Rows           int64   `json:"rows"`
	RowBytesSent   int64   `json:"row_bytes_sent"`
	SSTables       int     `json:"sstables"`
	OnDiskBytes    float64 `json:"on_disk_bytes"`
	Ratio          float64 `json:"compression_ratio"`
	Uncompressed   float64 `json:"uncompressed_bytes"`
	CompactedLarge string  `json:"compacted_partition_maximum_bytes,omitempty"`
	Compacted      bool    `json:"compacted"`
	Flushes        int     `json:"flushes"`
	WriteSeconds   float64 `json:"write_seconds"`
	TotalSeconds   float64 `json:"total_seconds"`
}

// wideCmd writes ONE partition of about -size uncompressed bytes (rows of
// 300 B to ~1 KiB, clustering int, LZ4, 16 KiB chunks) through one real node
// with CQL: unlogged single-partition batches of prepared inserts from a few
// goroutines, durable_writes = false. -flushes N flushes N-1 times while
// writing (so N SSTables hold the same partition's rows); -compact merges
// them into one SSTable at the end.
func wideCmd(ctx context.Context, args []string) error {
	fs := flag.NewFlagSet("wide", flag.ExitOnError)
	var nf nodeFlags
	nf.add(fs)
	out := fs.String("out", "", "output directory (the table directory is moved here)")
	size := fs.String("size", "1G", "target uncompressed bytes of row data written (K, M, G suffixes)")
	format := fs.String("format", "nb", "SSTable format")
	workers := fs.Int("workers", 4, "concurrent batches in flight")
	batch := fs.Int("batch", 40, "rows per unlogged batch")
	flushes := fs.Int("flushes", 1, "flush this many times while writing (evenly spaced; the last at the end)")
	seed := fs.Uint64("seed", 1, "seed")
	compact := fs.Bool("compact", true, "run a major compaction at the end, so one SSTable holds the partition")
	fs.Parse(args)
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
		"CREATE KEYSPACE wide WITH replication = {'class': 'SimpleStrategy', 'replication_factor': 1} AND durable_writes = false",
		"CREATE TABLE wide.events (pk text, seq int, at timestamp, kind text, score double, payload text, PRIMARY KEY (pk, seq)) WITH "+
			"compression = {'class': 'LZ4Compressor', 'chunk_length_in_kb': 16} AND "+noCompaction,
	)
	if err != nil {
		return err
	}
	defer stop()
	n := c.Nodes[0]
	const pk = "the-one-wide-partition"
	const ins = "INSERT INTO wide.events (pk, seq, at, kind, score, payload) VALUES (?, ?, ?, ?, ?, ?)"
	words, kinds := loremWords, eventKinds
	var written, rows, nextSeq atomic.Int64
	var flushMu sync.Mutex
	flushed := 0
	step := target / int64(*flushes)
	errc := make(chan error, *workers+1)
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
				first := int(nextSeq.Add(int64(*batch))) - *batch
				for i := 0; i < *batch; i++ {
					var p strings.Builder
					want := 300 + r.IntN(700)
					for p.Len() < want {
						p.WriteString(words[r.IntN(len(words))])
						p.WriteByte(' ')
					}
					payload := p.String()
					at := time.UnixMilli(1735689600000 + r.Int64N(86400000*90))
					b.Query(ins, pk, first+i, at, kinds[r.IntN(len(kinds))], r.Float64()*1000, payload)
					bytes += int64(4 + 8 + 6 + 8 + len(payload))
				}
				if err := b.Exec(); err != nil {
					errc <- err
					return
				}
				rows.Add(int64(*batch))
				nw := written.Add(bytes)
				// Intermediate flushes: one whenever another step is crossed.
				if *flushes > 1 {
					flushMu.Lock()
					if flushed < *flushes-1 && nw >= step*int64(flushed+1) {
						flushed++
						log.Printf("wide: flush %d at %d MB", flushed, nw>>20)
						if _, err := n.NodeTool(ctx, "flush", "wide"); err != nil {
							flushMu.Unlock()
							errc <- err
							return
						}
					}
					flushMu.Unlock()
				}
				logMu.Lock()
				if time.Since(lastLog) > 15*time.Second {
					el := time.Since(start).Seconds()
					log.Printf("wide: %d MB of %d MB, %d rows, %.1f MB/s", nw>>20, target>>20, rows.Load(), float64(nw)/1e6/el)
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
	if _, err := n.NodeTool(ctx, "flush", "wide"); err != nil {
		return err
	}
	if *compact {
		t := time.Now()
		if _, err := n.NodeTool(ctx, "compact", "wide", "events"); err != nil {
			return err
		}
		log.Printf("wide: major compaction took %.0fs", time.Since(t).Seconds())
	}
	stats, _ := n.NodeTool(ctx, "tablestats", "wide.events")
	s.Close()
	n.Stop()
	src, err := tableDir(n.DataDir(), "wide", "events")
	if err != nil {
		return err
	}
	dst := filepath.Join(out_, "wide", filepath.Base(src))
	os.RemoveAll(filepath.Join(out_, "wide"))
	if err := os.MkdirAll(filepath.Dir(dst), 0o755); err != nil {
		return err
	}
	if err := os.Rename(src, dst); err != nil {
		return err
	}
	os.WriteFile(filepath.Join(out_, "tablestats.txt"), []byte(stats), 0o644)
	used, ratio := statField(stats, "Space used (live)"), statField(stats, "SSTable Compression Ratio")
	m := WideMeta{
		Cassandra: cassandraVersion, Keyspace: "wide", Table: "events", Partition: pk,
		Rows: rows.Load(), RowBytesSent: written.Load(), SSTables: len(dataFiles(dst)),
		OnDiskBytes: used, Ratio: ratio, Compacted: *compact, Flushes: flushed + 1,
		WriteSeconds: writeTime.Seconds(), TotalSeconds: time.Since(start).Seconds(),
	}
	if ratio > 0 {
		m.Uncompressed = used / ratio
	}
	if v := statField(stats, "Compacted partition maximum bytes"); v > 0 {
		m.CompactedLarge = fmt.Sprintf("%.0f", v)
	}
	j, _ := json.MarshalIndent(m, "", "  ")
	if err := os.WriteFile(filepath.Join(out_, "wide.json"), append(j, '\n'), 0o644); err != nil {
		return err
	}
	log.Printf("wide: %s -> %s", j, dst)
	return nil
}
