package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMedusaRun checks the tree a real Medusa wrote (interop/medusa/run.sh:
// cassandra-medusa 0.31.0 from PyPI, local storage, one Cassandra 5.0.9 node;
// a full backup, writes, a differential backup): each backup's export equals
// SELECT JSON * at ALL taken right after it. Set AEGISTHUS_MEDUSA_RUN to the
// run's directory (interop/.cache/medusa-run).
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
	for _, backup := range []string{"full1", "diff1"} {
		t.Run(backup, func(t *testing.T) {
			out, err := exportBackup(t, root, "--backup", backup, "--keyspace", "shop", "--now", strings.TrimSpace(string(now)))
			if err != nil {
				t.Fatal(err)
			}
			for _, tbl := range []string{"orders", "customers"} {
				sameAsCassandra(t, filepath.Join(out, "shop", tbl), filepath.Join(run, "expected", backup+".shop."+tbl+".select-json.jsonl"))
			}
		})
	}
}
