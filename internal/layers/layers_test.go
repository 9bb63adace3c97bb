// Package layers checks the one rule the package map rests on: imports point
// down. Each package of the module has a rank (cmd and cli on top, the wire
// format at the bottom) and may import only packages of a lower rank; cli, whose
// files are flags, validation, one call and printing, imports no decoder. A
// package missing from the map fails the test, so a new package gets its place
// when it is added, not after its imports have grown in the wrong direction.
package layers

import (
	"encoding/json"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

const module = "github.com/aegisthus/aegisthus/"

// rank places every package of the module; an import must go to a lower rank.
// Packages on one rank do not import each other.
var rank = map[string]int{
	"cmd/aegisthus": 100,
	// make bench's history line (docs/bench-history.tsv); imports nothing of ours.
	"scripts/benchhist": 100,
	"internal/cli":      90,

	"internal/pipeline": 80,

	// Export and inspection building blocks.
	"internal/inspect":            70,
	"internal/render":             70,
	"internal/render/parquetrows": 75,
	"internal/table":              60,
	"internal/plan":               60,
	"internal/discover":           60,
	"internal/partfile":           55,
	"internal/merge":              50,
	"internal/sink/s3":            50,
	"internal/sink":               40,
	"internal/sink/memsink":       45,
	"internal/sstable":            40,
	"internal/render/cqljson":     30,

	// One SSTable's decoders, below the package that opens an SSTable.
	"internal/sstable/legacy": 30,
	"internal/sstable/row":    25,
	"internal/sstable/index":  25,
	"internal/sstable/chunk":  20,
	"internal/sstable/stats":  20,
	"internal/rows":           15,
	"internal/schema":         12,
	"internal/cql/cqltest":    12,
	"internal/cql/cqlparse":   11,

	// Types, codecs, formats and byte sources.
	"internal/cql":            10,
	"internal/javafmt":        5,
	"internal/token":          10,
	"internal/compress":       10,
	"internal/sstable/format": 5,
	"internal/storage/s3":     5,
	"internal/storage":        0,
	"internal/sstable/wire":   0,

	// Test helpers and test-only packages: never imported by production code.
	"internal/bench":                     95,
	"internal/corpustest":                0,
	"internal/layers":                    95,
	"internal/sink/sinktest":             45,
	"internal/storage/s3/s3test":         8,
	"internal/sstable/row/rowtest":       26,
	"internal/render/parquetrows/pqtest": 12,
}

// decoders are the packages that decode SSTable bytes; cli reaches them only
// through sstable, inspect, pipeline and render.
var decoders = []string{
	"internal/sstable/wire", "internal/sstable/chunk", "internal/sstable/stats", "internal/sstable/index",
	"internal/sstable/row", "internal/sstable/legacy", "internal/compress", "internal/rows",
}

type pkg struct {
	ImportPath string
	Imports    []string
}

func TestImportsPointDown(t *testing.T) {
	// go test caches a result by the files the test itself opens, not by what
	// the go list it runs reads: stat every Go file so a changed import (or a
	// new package) reruns the test.
	filepath.WalkDir(filepath.Join("..", ".."), func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && strings.HasSuffix(p, ".go") {
			os.Stat(p)
		}
		return nil
	})
	out, err := exec.Command("go", "list", "-json", module+"...").Output()
	if err != nil {
		t.Fatalf("go list: %v", err)
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	n := 0
	for {
		var p pkg
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		n++
		name := strings.TrimPrefix(p.ImportPath, module)
		r, ok := rank[name]
		if !ok {
			t.Errorf("%s has no rank: give it its place in layers_test.go", name)
			continue
		}
		for _, imp := range p.Imports {
			dep, ok := strings.CutPrefix(imp, module)
			if !ok {
				continue
			}
			if dr, ok := rank[dep]; ok && dr >= r {
				t.Errorf("%s (rank %d) imports %s (rank %d): imports must point down", name, r, dep, dr)
			}
			if name == "internal/cli" && slices.Contains(decoders, dep) {
				t.Errorf("cli imports the decoder %s: go through sstable, inspect, pipeline or render", dep)
			}
		}
	}
	if n < 20 {
		t.Fatalf("go list found %d packages: the check did not see the module", n)
	}
}
