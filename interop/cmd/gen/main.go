// Command gen drives a real Cassandra (interop/cassandra) with seeded random
// schemas and workloads through gocql, and records what Cassandra itself says
// about the result: SELECT JSON rows, sstabledump and sstablemetadata.
//
//	gen fixtures -format nb -out ../testdata/cassandra-5.0   # one format, all compressions + edge cases
//	gen cluster  -out ../testdata/sample-snapshot            # 3 nodes, diverged replicas, snapshots
//	gen backup   -out ../testdata/backup-snapshot            # 3 nodes, 2 keyspaces, index, view, dropped table
//	gen dropped  -format oa -out ../testdata/cassandra-5.0      # dropped and re-added columns
//	gen bench    -out .cache/benchdata -size 2G              # a large LZ4 table
//	gen wide     -out .cache/widedata -size 1G               # one ~1 GB partition
//	gen dumptime -data X-Data.db                             # time sstabledump vs aegisthus dump
package main

import (
	"context"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"path/filepath"
	"syscall"

	"github.com/aegisthus/aegisthus/interop/cassandra"
	gocql "github.com/apache/cassandra-gocql-driver/v2"
)

// cassandraVersion is the version interop/pom.xml pins; written to meta.json.
var cassandraVersion = "5.0.9"

// cassandraVersion60 is the version interop/pom-6.0.xml pins (gen -cassandra 6.0).
const cassandraVersion60 = "6.0-alpha2"

func main() {
	log.SetFlags(log.Ltime)
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: gen fixtures|cluster|backup|dropped|tools|bench|wide|dumptime [flags]")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// Whatever happens below, no JVM outlives this process.
	defer cassandra.KillAll()
	go func() { <-ctx.Done(); cassandra.KillAll() }()

	var err error
	switch os.Args[1] {
	case "fixtures":
		err = fixturesCmd(ctx, os.Args[2:])
	case "cluster":
		err = clusterCmd(ctx, os.Args[2:])
	case "backup":
		err = backupCmd(ctx, os.Args[2:])
	case "dropped":
		err = droppedCmd(ctx, os.Args[2:])
	case "tools":
		err = toolsCmd(ctx, os.Args[2:])
	case "bench":
		err = benchCmd(ctx, os.Args[2:])
	case "wide":
		err = wideCmd(ctx, os.Args[2:])
	case "dumptime":
		err = dumptimeCmd(ctx, os.Args[2:])
	default:
		err = fmt.Errorf("unknown command %q", os.Args[1])
	}
	if err != nil {
		cassandra.KillAll()
		log.Printf("gen %s: %v", os.Args[1], err)
		os.Exit(1)
	}
}

// common flags for commands that start nodes.
type nodeFlags struct {
	interop  string
	work     string
	keep     bool
	portBase int
	heap     int
	version  string
}

func (f *nodeFlags) add(fs *flag.FlagSet) {
	here, _ := os.Getwd()
	fs.StringVar(&f.interop, "interop", here, "the interop/ directory")
	fs.StringVar(&f.work, "work", "", "run directory for node data (default: a temp dir, removed afterwards)")
	fs.BoolVar(&f.keep, "keep", false, "keep the run directory")
	fs.IntVar(&f.portBase, "port-base", 29000, "storage port; native = +42, JMX = +199+i")
	fs.IntVar(&f.heap, "heap", 1024, "heap per node in MiB")
	fs.StringVar(&f.version, "cassandra", "5.0", "pinned Cassandra to run: 5.0 (pom.xml) or 6.0 (pom-6.0.xml)")
}

func (f *nodeFlags) cluster(format string, size int) (*cassandra.Cluster, func(), error) {
	formats := cassandra.Formats
	switch f.version {
	case "", "5.0":
	case "6.0":
		// bin/classpath resolves pom-6.0.xml; meta.json records the version.
		os.Setenv("INTEROP_CASSANDRA", "6.0")
		cassandraVersion = cassandraVersion60
		formats = cassandra.Formats60
	default:
		return nil, nil, fmt.Errorf("unknown -cassandra %q (5.0, 6.0)", f.version)
	}
	fm, ok := formats[format]
	if !ok {
		return nil, nil, fmt.Errorf("unknown format %q for Cassandra %s", format, f.version)
	}
	dir := f.work
	cleanup := func() {}
	if dir == "" {
		d, err := os.MkdirTemp("", "aegisthus-interop-")
		if err != nil {
			return nil, nil, err
		}
		dir = d
		if !f.keep {
			cleanup = func() { os.RemoveAll(d) }
		}
	} else {
		os.RemoveAll(dir)
	}
	interop, _ := filepath.Abs(f.interop)
	c := &cassandra.Cluster{Interop: interop, Dir: dir, Format: fm, Size: size, HeapMB: f.heap, PortBase: f.portBase, Log: log.Printf}
	if err := c.Init(); err != nil {
		cleanup()
		return nil, nil, err
	}
	return c, func() { c.StopAll(); cleanup() }, nil
}

// startOne starts a one-node cluster writing format, after configure (when
// not nil) adjusted it, and opens a session at ONE. done closes the session,
// stops the node and removes its run directory.
func (f *nodeFlags) startOne(ctx context.Context, format string, configure func(*cassandra.Cluster) error) (*cassandra.Cluster, *gocql.Session, func(), error) {
	c, done, err := f.cluster(format, 1)
	if err != nil {
		return nil, nil, nil, err
	}
	if configure != nil {
		if err := configure(c); err != nil {
			done()
			return nil, nil, nil, err
		}
	}
	if err := c.Nodes[0].Start(ctx); err != nil {
		done()
		return nil, nil, nil, err
	}
	s, err := session(c.Hosts(), gocql.One)
	if err != nil {
		done()
		return nil, nil, nil, err
	}
	return c, s, func() { s.Close(); done() }, nil
}
