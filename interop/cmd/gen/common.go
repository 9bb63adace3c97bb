package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"time"

	gocql "github.com/apache/cassandra-gocql-driver/v2"

	"github.com/aegisthus/aegisthus/interop/cassandra"
	"github.com/aegisthus/aegisthus/interop/workload"
)

// Compressions maps a fixture directory name to a CQL compression option
// (chunk_length_in_kb is added per table).
var Compressions = map[string]string{
	"lz4":     "LZ4Compressor",
	"snappy":  "SnappyCompressor",
	"deflate": "DeflateCompressor",
	"zstd":    "ZstdCompressor",
	"none":    "",
}

var compressionOrder = []string{"lz4", "snappy", "deflate", "zstd", "none"}

func compressionOpt(name string, chunkKB int) string {
	if name == "none" {
		return "compression = {'enabled': 'false'}"
	}
	return fmt.Sprintf("compression = {'class': '%s', 'chunk_length_in_kb': %d}", Compressions[name], chunkKB)
}

// noCompaction keeps every flushed SSTable as it is.
const noCompaction = "compaction = {'class': 'SizeTieredCompactionStrategy', 'enabled': 'false'}"

func session(hosts []string, cons gocql.Consistency) (*gocql.Session, error) {
	c := gocql.NewCluster(hosts...)
	c.Consistency = cons
	c.Timeout = 30 * time.Second
	c.ConnectTimeout = 10 * time.Second
	c.NumConns = 1
	return c.CreateSession()
}

// counts of statements by kind, and of statements Cassandra rejected.
type counts struct {
	mu       sync.Mutex
	Kinds    map[string]int `json:"statements"`
	Rejected map[string]int `json:"rejected,omitempty"`
	Samples  []string       `json:"-"`
}

func (c *counts) add(kind string, err error, stmt string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.Kinds == nil {
		c.Kinds, c.Rejected = map[string]int{}, map[string]int{}
	}
	if err != nil {
		c.Rejected[kind]++
		if len(c.Samples) < 10 {
			c.Samples = append(c.Samples, fmt.Sprintf("%s: %v", stmt, err))
		}
		return
	}
	c.Kinds[kind]++
}

// selectJSON returns the rows of SELECT JSON * in Cassandra's order.
func selectJSON(s *gocql.Session, ks, table string, cons gocql.Consistency) ([]string, error) {
	it := s.Query(fmt.Sprintf("SELECT JSON * FROM %s.%s", ks, table)).Consistency(cons).PageSize(500).Iter()
	var rows []string
	var row string
	for it.Scan(&row) {
		rows = append(rows, row)
	}
	return rows, it.Close()
}

// tableDir finds <data>/<ks>/<table>-<id>.
func tableDir(dataDir, ks, table string) (string, error) {
	m, _ := filepath.Glob(filepath.Join(dataDir, ks, table+"-*"))
	var dirs []string
	for _, d := range m {
		if st, err := os.Stat(d); err == nil && st.IsDir() && strings.LastIndex(filepath.Base(d), "-") == len(table) {
			dirs = append(dirs, d)
		}
	}
	if len(dirs) != 1 {
		return "", fmt.Errorf("table dir for %s.%s: found %v", ks, table, dirs)
	}
	return dirs[0], nil
}

// copySSTables copies the regular files of src (not snapshots/, backups/)
// into dst, hard-linking when possible.
func copySSTables(src, dst string) (int, error) {
	if err := os.MkdirAll(dst, 0o755); err != nil {
		return 0, err
	}
	ents, err := os.ReadDir(src)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, e := range ents {
		if !e.Type().IsRegular() {
			continue
		}
		if err := copyFile(filepath.Join(src, e.Name()), filepath.Join(dst, e.Name())); err != nil {
			return n, err
		}
		if strings.HasSuffix(e.Name(), "-Data.db") {
			n++
		}
	}
	return n, nil
}

func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	out, err := os.Create(dst)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		return err
	}
	return out.Close()
}

// dataFiles lists the *-Data.db files in dir, sorted.
func dataFiles(dir string) []string {
	m, _ := filepath.Glob(filepath.Join(dir, "*-Data.db"))
	sort.Strings(m)
	return m
}

// runTools writes expected/<sstable>.sstabledump.json and
// expected/<sstable>.sstablemetadata.txt for every SSTable of every dir, with
// two tool JVMs (java/ToolBatch.java) working through the list.
//
// sstablemetadata prints the SSTable's absolute path on its first line; the
// table directory is cut from it so fixtures do not name the machine's temp
// directory ("SSTable: nb-1-big").
func runTools(ctx context.Context, c *cassandra.Cluster, dirs []string) error {
	type job struct{ dir, data string }
	var jobs []job
	for _, d := range dirs {
		for _, f := range dataFiles(d) {
			jobs = append(jobs, job{d, f})
		}
	}
	start := time.Now()
	next := make(chan job)
	errs := make(chan error, 2)
	var wg sync.WaitGroup
	for w := 0; w < 2; w++ {
		tb, err := c.NewToolBatch()
		if err != nil {
			return err
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			defer tb.Close()
			for j := range next {
				if err := toolsFor(tb, j.dir, j.data); err != nil {
					select {
					case errs <- err:
					default:
					}
				}
			}
		}()
	}
	for _, j := range jobs {
		select {
		case next <- j:
		case <-ctx.Done():
		}
	}
	close(next)
	wg.Wait()
	log.Printf("tools: sstabledump and sstablemetadata on %d SSTables in %.1fs", len(jobs), time.Since(start).Seconds())
	select {
	case err := <-errs:
		return err
	default:
		return ctx.Err()
	}
}

func toolsFor(tb *cassandra.ToolBatch, dir, data string) error {
	dir, _ = filepath.Abs(dir)
	data, _ = filepath.Abs(data)
	name := strings.TrimSuffix(filepath.Base(data), "-Data.db")
	exp := filepath.Join(dir, "expected")
	if err := os.MkdirAll(exp, 0o755); err != nil {
		return err
	}
	errFile := filepath.Join(exp, ".stderr")
	defer os.Remove(errFile)
	for _, t := range []struct{ class, out string }{
		{cassandra.SSTableExport, name + ".sstabledump.json"},
		{cassandra.SSTableMetadataViewer, name + ".sstablemetadata.txt"},
	} {
		out := filepath.Join(exp, t.out)
		code, err := tb.Run(out, errFile, t.class, data)
		if err == nil && code != 0 {
			msg, _ := os.ReadFile(errFile)
			err = fmt.Errorf("%s %s: exit %d: %s", t.class, data, code, msg)
		}
		if err != nil {
			return err
		}
		if t.class == cassandra.SSTableMetadataViewer {
			b, err := os.ReadFile(out)
			if err != nil {
				return err
			}
			b = []byte(strings.ReplaceAll(string(b), dir+"/", ""))
			if err := os.WriteFile(out, b, 0o644); err != nil {
				return err
			}
		}
	}
	return nil
}

// Meta is expected/meta.json.
type Meta struct {
	Cassandra   string   `json:"cassandra"`
	Format      string   `json:"format"`
	Compression string   `json:"compression"`
	ChunkKB     int      `json:"chunk_length_in_kb,omitempty"`
	Seed        uint64   `json:"seed"`
	Now         string   `json:"now"`
	NowUnix     int64    `json:"now_unix"`
	Consistency string   `json:"consistency"`
	CQL         []string `json:"cql"`
	Rows        int      `json:"rows"`
	SSTables    int      `json:"sstables"`
	Statements  any      `json:"statements,omitempty"`
	Note        string   `json:"note,omitempty"`
}

func writeExpected(dir string, rows []string, m Meta) error {
	exp := filepath.Join(dir, "expected")
	if err := os.MkdirAll(exp, 0o755); err != nil {
		return err
	}
	var b strings.Builder
	for _, r := range rows {
		b.WriteString(r)
		b.WriteByte('\n')
	}
	if err := os.WriteFile(filepath.Join(exp, "select-json.jsonl"), []byte(b.String()), 0o644); err != nil {
		return err
	}
	js, err := json.MarshalIndent(m, "", "  ")
	if err != nil {
		return err
	}
	return os.WriteFile(filepath.Join(exp, "meta.json"), append(js, '\n'), 0o644)
}

// schemaCQL is the CREATE statements a table needs (its keyspace's UDTs and itself).
func schemaCQL(k *workload.Keyspace, t *workload.Table) []string {
	return append(k.CreateUDTs(), t.CreateCQL())
}

// waitTTL sleeps until every short TTL written has expired, so SELECT and
// an export at the recorded now agree.
func waitTTL(ctx context.Context, until time.Time) {
	if d := time.Until(until); d > 0 {
		log.Printf("waiting %.1fs for short TTLs to expire", d.Seconds())
		select {
		case <-time.After(d + 1100*time.Millisecond):
		case <-ctx.Done():
		}
	}
}

// coordinators opens one session per node of c, each sending its requests
// through that node only (consistency ONE), so a test chooses which replicas
// take a write. closeAll closes them.
func coordinators(c *cassandra.Cluster) (sess []*gocql.Session, closeAll func(), err error) {
	sess = make([]*gocql.Session, len(c.Nodes))
	closeAll = func() {
		for _, s := range sess {
			if s != nil {
				s.Close()
			}
		}
	}
	for i := range sess {
		if sess[i], err = coordinator(c, i); err != nil {
			closeAll()
			return nil, nil, err
		}
	}
	return sess, closeAll, nil
}

// coordinator opens a session whose requests go through node i of c only.
func coordinator(c *cassandra.Cluster, i int) (*gocql.Session, error) {
	cl := gocql.NewCluster(c.Hosts()[i])
	cl.HostFilter = gocql.WhiteListHostFilter(c.Nodes[i].IP)
	cl.Consistency = gocql.One
	cl.Timeout = 30 * time.Second
	cl.NumConns = 1
	return cl.CreateSession()
}
