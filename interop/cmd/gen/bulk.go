package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	gocql "github.com/apache/cassandra-gocql-driver/v2"

	"github.com/aegisthus/aegisthus/interop/cassandra"
)

// Vocabulary of the generated text columns of gen bench and gen wide.
var (
	loremWords = strings.Fields("alpha beta gamma delta epsilon zeta eta theta iota kappa lambda mu nu xi omicron pi rho sigma tau upsilon phi chi psi omega order invoice payment refund shipment customer account session login logout click view cart checkout")
	eventKinds = []string{"click", "view", "purchase", "refund", "login"}
)

// bulkNode starts the single node gen bench and gen wide load their big tables
// through: its run directory beside out (the same file system, so the table
// directory is renamed out, not copied), bigger off-heap memtables so flushes
// make fewer, larger SSTables, a session at ONE, and the statements ddl. stop
// closes the session, removes the run directory and stops the node.
func (nf *nodeFlags) bulkNode(ctx context.Context, out, format string, ddl ...string) (c *cassandra.Cluster, s *gocql.Session, stop func(), err error) {
	if nf.work == "" {
		nf.work = filepath.Join(out, ".node")
	}
	c, done, err := nf.cluster(format, 1)
	if err != nil {
		return nil, nil, nil, err
	}
	stop = func() {
		if s != nil {
			s.Close()
		}
		os.RemoveAll(nf.work)
		done()
	}
	c.ExtraYAML = "memtable_allocation_type: offheap_objects\nmemtable_heap_space: 384MiB\nmemtable_offheap_space: 1536MiB\nmemtable_cleanup_threshold: 0.7\n"
	if err = c.Init(); err == nil {
		err = c.Nodes[0].Start(ctx)
	}
	if err == nil {
		s, err = session(c.Hosts(), gocql.One)
	}
	for _, q := range ddl {
		if err != nil {
			break
		}
		if err = s.Query(q).Exec(); err != nil {
			err = fmt.Errorf("%s: %w", q, err)
		}
	}
	if err != nil {
		stop()
		return nil, nil, nil, err
	}
	return c, s, stop, nil
}
