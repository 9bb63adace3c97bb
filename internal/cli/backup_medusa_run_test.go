package cli

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aegisthus/aegisthus/internal/storage/s3/s3test"
)

// TestMedusaRun checks the tree a real Medusa wrote (interop/medusa/run.sh:
// cassandra-medusa 0.31.0 from PyPI, local storage, one Cassandra 5.0.9 node;
// a full backup, writes, a differential backup): each backup's export equals
// SELECT JSON * at ALL taken right after it. Set AEGISTHUS_MEDUSA_RUN to the
// run's directory (interop/.cache/medusa-run). With a MinIO (make
// interop-medusa starts one), the same tree is read from S3 too.
func TestMedusaRun(t *testing.T) {
	run := os.Getenv("AEGISTHUS_MEDUSA_RUN")
	if run == "" {
		t.Skip("AEGISTHUS_MEDUSA_RUN not set (interop/medusa/run.sh writes one)")
	}
	now, err := os.ReadFile(filepath.Join(run, "expected", "now"))
	if err != nil {
		t.Fatal(err)
	}
	root := filepath.Join(run, "storage", "medusa") // base_path/bucket_name
	// ls shows each backup with the time Medusa started it.
	var ls bytes.Buffer
	r := NewRoot()
	r.SetArgs([]string{"ls", "--json", root})
	r.SetOut(&ls)
	if err := r.Execute(); err != nil {
		t.Fatal(err)
	}
	var listed struct {
		Backups []struct {
			Tool, Name string
			Time       time.Time
		}
	}
	if err := json.Unmarshal(ls.Bytes(), &listed); err != nil || len(listed.Backups) != 2 {
		t.Fatalf("ls --json: %v\n%s", err, ls.String())
	}
	for _, b := range listed.Backups {
		if b.Tool != "medusa" || b.Time.IsZero() {
			t.Errorf("ls: backup %s of %s at %v, want a medusa backup with its start time", b.Name, b.Tool, b.Time)
		}
	}
	roots := map[string][]string{"local": {root}}
	if os.Getenv("AEGISTHUS_S3_TEST_ENDPOINT") != "" {
		// The same tree as Medusa's S3 provider lays it out in a bucket.
		srv := s3test.Shared(t)
		c := srv.Client(t)
		bucket := s3test.Bucket(t, c)
		s3test.Upload(t, c, bucket, "medusa", root)
		roots["s3"] = []string{"s3://" + bucket + "/medusa", "--s3-endpoint", srv.Endpoint}
	}
	for where, args := range roots {
		for _, backup := range []string{"full1", "diff1"} {
			t.Run(where+"/"+backup, func(t *testing.T) {
				out, err := exportBackup(t, append(slices.Clone(args), "--backup", backup, "--keyspace", "shop", "--now", strings.TrimSpace(string(now)))...)
				if err != nil {
					t.Fatal(err)
				}
				for _, tbl := range []string{"orders", "customers"} {
					sameAsCassandra(t, filepath.Join(out, "shop", tbl), filepath.Join(run, "expected", backup+".shop."+tbl+".select-json.jsonl"))
				}
			})
		}
	}
}
