package cli

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"testing"
)

// TestSampleExportPartsBalanced exports the sample snapshot's three replicas
// at split sizes a fraction of the table: the parts must hold about as many
// rows each (issue 15: at 64 KiB they held 1 to 1,135 rows, the planner
// sampling each SSTable only every 64 KiB). Rows follow bytes only loosely, so
// the bound is looser than plan's TestUnitsBalanced.
func TestSampleExportPartsBalanced(t *testing.T) {
	root := filepath.Join(repoTestdata(t), "sample-snapshot")
	inputs, _ := filepath.Glob(filepath.Join(root, "node*", "demo", "events-*", "snapshots", "sample"))
	if len(inputs) != 3 {
		t.Fatalf("want 3 replicas of demo.events, found %v", inputs)
	}
	var m fixtureMeta
	b, err := os.ReadFile(filepath.Join(root, "expected", "events.meta.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	for _, split := range []string{"64KiB", "256KiB"} {
		_, out := exportLines(t, exportOptions{paths: inputs, now: m.Now, splitSize: split})
		var rows []int64
		for _, p := range readManifest(t, out).Parts {
			rows = append(rows, p.Rows)
		}
		slices.Sort(rows)
		if len(rows) < 3 {
			t.Fatalf("split %s: %d parts, want at least 3", split, len(rows))
		}
		minR, med, maxR := rows[0], rows[len(rows)/2], rows[len(rows)-1]
		t.Logf("split %s: %d parts, rows min/median/max %d/%d/%d", split, len(rows), minR, med, maxR)
		if 3*maxR > 4*med || 3*minR < 2*med {
			t.Errorf("split %s: rows per part min/median/max %d/%d/%d: want within [2/3, 4/3] of the median", split, minR, med, maxR)
		}
	}
}
