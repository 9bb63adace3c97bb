package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

type plRecord struct {
	Token    string            `json:"token"`
	KeyHex   string            `json:"key_hex"`
	Deletion *plDel            `json:"deletion"`
	Rows     []plRow           `json:"rows"`
	Ranges   []json.RawMessage `json:"range_deletions"`
}

type plDel struct{ TS, LDT int64 }

type plRow struct {
	Static     bool      `json:"static"`
	Clustering []*string `json:"clustering"`
	Liveness   *struct {
		TS  int64  `json:"ts"`
		TTL *int64 `json:"ttl"`
		Exp *int64 `json:"exp"`
	} `json:"liveness"`
	Cells []struct {
		Tombstone bool   `json:"tombstone"`
		TTL       *int64 `json:"ttl"`
		LDT       *int64 `json:"ldt"`
	} `json:"cells"`
}

// liveRows counts the rows SELECT * would return from one record at now.
func (r *plRecord) liveRows(now int64) int {
	n := 0
	static := false
	for _, row := range r.Rows {
		live := row.Liveness != nil && (row.Liveness.TTL == nil || (*row.Liveness.TTL != 2147483647 && *row.Liveness.Exp > now))
		for _, c := range row.Cells {
			if !c.Tombstone && (c.TTL == nil || *c.LDT > now) {
				live = true
			}
		}
		switch {
		case row.Static:
			static = live
		case live:
			n++
		}
	}
	if n == 0 && static {
		n = 1
	}
	return n
}

// TestExportPartitionsLayout exports every fixture table in the partitions layout
// and checks that the live rows its records imply at --now are as many as the
// rows layout printed (and as SELECT JSON returned), that records come in token
// order, and that every partition appears once.
func TestExportPartitionsLayout(t *testing.T) {
	tables := fixtureTables(t)
	root := filepath.Join(repoTestdata(t), "sample-snapshot")
	inputs, _ := filepath.Glob(filepath.Join(root, "node*", "demo", "events-*", "snapshots", "*"))
	type job struct {
		name   string
		paths  []string
		now    string
		schema string
	}
	var jobs []job
	for _, dir := range tables {
		m, schema := readFixtureMeta(t, dir)
		jobs = append(jobs, job{filepath.Base(dir), []string{dir}, m.Now, schema})
	}
	jobs = append(jobs, job{"sample-snapshot", inputs, "2026-11-22T20:39:06Z", ""})
	for _, j := range jobs {
		t.Run(j.name, func(t *testing.T) {
			o := exportOptions{paths: j.paths, now: j.now, splitSize: "8KiB"}
			o.schema.path = j.schema
			rows, _ := exportLines(t, o)
			o.layout = "partitions"
			recs, dir := exportLines(t, withLayout(o))
			now, err := time.Parse(time.RFC3339, j.now)
			if err != nil {
				t.Fatal(err)
			}
			live := 0
			seen := map[string]bool{}
			for _, l := range recs {
				var r plRecord
				if err := json.Unmarshal([]byte(l), &r); err != nil {
					t.Fatalf("%s: %v", l, err)
				}
				if seen[r.KeyHex] {
					t.Fatalf("partition %s appears twice", r.KeyHex)
				}
				seen[r.KeyHex] = true
				live += r.liveRows(now.Unix())
			}
			if live != len(rows) {
				t.Errorf("partitions layout implies %d live rows, the rows layout has %d", live, len(rows))
			}
			checkTokenOrder(t, dir)
		})
	}
}

func withLayout(o exportOptions) exportOptions {
	o.out = ""
	return o
}

// checkTokenOrder checks that each part's records are in token order.
func checkTokenOrder(t *testing.T, dir string) {
	names, _ := filepath.Glob(filepath.Join(dir, "part-*.jsonl"))
	for _, n := range names {
		b, _ := os.ReadFile(n)
		var prev *int64
		for _, l := range strings.Split(strings.TrimSpace(string(b)), "\n") {
			if l == "" {
				continue
			}
			var r plRecord
			json.Unmarshal([]byte(l), &r)
			var tok int64
			if err := json.Unmarshal([]byte(r.Token), &tok); err != nil {
				t.Fatalf("token %q: %v", r.Token, err)
			}
			if prev != nil && tok < *prev {
				t.Fatalf("%s: token %d after %d", n, tok, *prev)
			}
			prev = &tok
		}
	}
}
