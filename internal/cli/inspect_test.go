package cli

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/aegisthus/aegisthus/internal/storage"
)

// TestInspectGolden pins inspect's output for a compressed, an uncompressed
// wide-partition and a legacy SSTable (go test ./internal/cli -run Inspect -update).
func TestInspectGolden(t *testing.T) {
	corpus := filepath.Join(sharedDir(t), "corpus")
	tests := []struct {
		name string
		opts inspectOptions
	}{
		{"zstd-all", inspectOptions{paths: []string{"scylla/3.x/zstd/multiple_chunks"}}},
		{"range-tombstones-index-limit", inspectOptions{index: true, limit: 1, paths: []string{"scylla/3.x/uncompressed/filtering_and_forwarding_range_tombstones"}}},
		{"range-tombstones-chunks-limit", inspectOptions{chunks: true, limit: 3, paths: []string{"scylla/3.x/uncompressed/filtering_and_forwarding_range_tombstones"}}},
		{"la-legacy", inspectOptions{paths: []string{"scylla/legacy/wrongrange"}}},
		{"na-analytics-index", inspectOptions{index: true, paths: []string{"cassandra-analytics/ks/table1-ea3b3e6b-0d78-4913-89f2-15fcf98711d0/na-1-big-Data.db"}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			o := tt.opts
			o.paths = []string{filepath.Join(corpus, o.paths[0])}
			var out bytes.Buffer
			if err := o.run(context.Background(), storage.Local{}, &out); err != nil {
				t.Fatalf("%v\n%s", err, out.String())
			}
			checkGolden(t, filepath.Join("testdata", "inspect", tt.name+".txt"), strings.ReplaceAll(out.String(), corpus, "$CORPUS"))
		})
	}
}

func TestInspectSections(t *testing.T) {
	corpus := filepath.Join(sharedDir(t), "corpus")
	path := filepath.Join(corpus, "scylla/3.x/lz4/partition_key_with_values_of_different_types")
	tests := []struct {
		name       string
		opts       inspectOptions
		want, dont []string
		code       int
	}{
		{"all", inspectOptions{paths: []string{path}}, []string{"components\n", "compression (CompressionInfo.db)", "chunks (checksum crc32)", "partition index (Index.db", "5 partitions"}, nil, ExitOK},
		{"chunks", inspectOptions{chunks: true, paths: []string{path}}, []string{"compressor            LZ4Compressor", "chunks (checksum"}, []string{"partition index"}, ExitOK},
		{"index", inspectOptions{index: true, limit: 2, paths: []string{path}}, []string{"... 3 more partitions", "5 partitions"}, []string{"components"}, ExitOK},
		{"missing", inspectOptions{paths: []string{filepath.Join(corpus, "nope")}}, nil, nil, ExitBadInput},
		{"empty index", inspectOptions{index: true, paths: []string{filepath.Join(corpus, "scylla/legacy/empty_index")}}, []string{"partition index (Index.db: 1 bytes)"}, nil, ExitBadInput},
		{"negative limit", inspectOptions{limit: -1, paths: []string{path}}, nil, nil, ExitUsage},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var out bytes.Buffer
			err := tt.opts.run(context.Background(), storage.Local{}, &out)
			if got := ExitCode(err); got != tt.code {
				t.Fatalf("exit code %d (%v), want %d", got, err, tt.code)
			}
			for _, w := range tt.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, out.String())
				}
			}
			for _, w := range tt.dont {
				if strings.Contains(out.String(), w) {
					t.Errorf("output has %q:\n%s", w, out.String())
				}
			}
		})
	}
}

// TestInspectManyPaths: inspect over several paths prints each SSTable's report
// in turn (in discovery order, as dump and metadata), each the report it prints
// for that path alone.
func TestInspectManyPaths(t *testing.T) {
	corpus := filepath.Join(sharedDir(t), "corpus")
	a := filepath.Join(corpus, "scylla/3.x/lz4/partition_key_with_values_of_different_types")
	b := filepath.Join(corpus, "scylla/3.x/zstd/multiple_chunks")
	one := func(paths ...string) string {
		var out bytes.Buffer
		o := inspectOptions{chunks: true, paths: paths}
		if err := o.run(context.Background(), storage.Local{}, &out); err != nil {
			t.Fatal(err)
		}
		return out.String()
	}
	if got, want := one(b, a), one(a)+"\n"+one(b); got != want {
		t.Errorf("inspect b a is not the two reports in discovery order:\n%s", got)
	}
	root := NewRoot()
	root.SetArgs([]string{"inspect", "--chunks", a, filepath.Join(corpus, "nope")})
	root.SetOut(new(strings.Builder))
	root.SetErr(new(strings.Builder))
	if err := root.Execute(); ExitCode(err) != ExitBadInput || !strings.Contains(err.Error(), "nope") {
		t.Errorf("a missing second path: %v (exit %d), want bad input naming it", err, ExitCode(err))
	}
}
