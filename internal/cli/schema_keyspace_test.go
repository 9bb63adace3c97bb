package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aegisthus/aegisthus/internal/storage"
)

// TestUnqualifiedSchema: a schema file written as people write them, with
// CREATE TYPE and CREATE TABLE naming no keyspace, reads a table whose header
// names its user types with their keyspace, as Cassandra resolves an
// unqualified type to the table's keyspace; and a real conflict prints both
// types keyspace-qualified, so the two sides never look alike.
func TestUnqualifiedSchema(t *testing.T) {
	dirs, _ := filepath.Glob(filepath.Join(repoTestdata(t), "cassandra-5.0", "oa", "lz4", "edge", "collections-*"))
	if len(dirs) != 1 {
		t.Fatalf("fixture: %v", dirs)
	}
	var meta struct{ CQL []string }
	b, _ := os.ReadFile(filepath.Join(dirs[0], "expected", "meta.json"))
	if err := json.Unmarshal(b, &meta); err != nil {
		t.Fatal(err)
	}
	var qualified, unqualified strings.Builder
	for _, s := range meta.CQL {
		if strings.HasPrefix(s, "CREATE KEYSPACE") {
			continue
		}
		qualified.WriteString(s + ";\n")
		unqualified.WriteString(strings.ReplaceAll(s, "edge.", "") + ";\n")
	}
	rows := func(schema string) (string, error) {
		f := filepath.Join(t.TempDir(), "schema.cql")
		os.WriteFile(f, []byte(schema), 0o644)
		var out bytes.Buffer
		o := &dumpOptions{paths: dirs, rows: true, now: "2026-11-22T20:43:25Z"}
		o.schema.path = f
		err := o.run(context.Background(), storage.Local{}, &out)
		return out.String(), err
	}
	want, err := rows(qualified.String())
	if err != nil {
		t.Fatal(err)
	}
	got, err := rows(unqualified.String())
	if err != nil {
		t.Fatalf("unqualified schema: %v", err)
	}
	if got != want || want == "" {
		t.Fatalf("unqualified schema: rows differ from the qualified schema's")
	}
	_, err = rows(strings.Replace(unqualified.String(), "u addr,", "u text,", 1))
	if err == nil || !strings.Contains(err.Error(), "edge.addr") || ExitCode(err) != ExitBadInput {
		t.Fatalf("a conflicting schema: %v (exit %d), want the header's type named edge.addr", err, ExitCode(err))
	}
}
