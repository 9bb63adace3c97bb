package cli

import (
	"bytes"
	"context"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/aegisthus/aegisthus/internal/inspect"
	"github.com/aegisthus/aegisthus/internal/sstable/format"
	"github.com/aegisthus/aegisthus/internal/storage"
)

func metadataText(t *testing.T, o metadataOptions) string {
	t.Helper()
	o.noSchema = true
	o.now = "2026-01-01T00:00:00Z"
	var out bytes.Buffer
	if err := o.run(context.Background(), storage.Local{}, &out); err != nil {
		t.Fatal(err)
	}
	return out.String()
}

var ansi = regexp.MustCompile("\x1b\\[[0-9]+m")

// TestMetadataFlags: -c only adds colour sequences, -u only changes the bars,
// -t only the EncodingStats minTimestamp date (sstablemetadata's stats block
// shadows the option with its own MICROSECONDS).
func TestMetadataFlags(t *testing.T) {
	fixture := fixtureTables(t)[0]
	plain := metadataText(t, metadataOptions{paths: []string{fixture}})
	colored := metadataText(t, metadataOptions{paths: []string{fixture}, text: inspect.TextOptions{Color: true}})
	if colored == plain || !strings.Contains(colored, "\x1b[34mPartitioner\x1b[36m: \x1b[0m") {
		t.Errorf("-c: no colours:\n%s", colored)
	}
	// Colour changes the histograms' padding (Java counts the sequences in its
	// widths); the field lines are the plain ones once the sequences go.
	for _, l := range strings.Split(plain, "\n") {
		if strings.Contains(l, ": ") && !strings.HasPrefix(l, " ") && !strings.Contains(ansi.ReplaceAllString(colored, ""), l+"\n") {
			t.Errorf("-c: line %q missing once colours are removed", l)
		}
	}
	uni := metadataText(t, metadataOptions{paths: []string{fixture}, text: inspect.TextOptions{Unicode: true}})
	if !strings.Contains(uni, "\u2589") || strings.Contains(uni, "OOO") {
		t.Errorf("-u: no Unicode bars:\n%s", uni)
	}
	secs := metadataText(t, metadataOptions{paths: []string{fixture}, text: inspect.TextOptions{TimestampUnit: "SECONDS"}})
	pl, sl := strings.Split(plain, "\n"), strings.Split(secs, "\n")
	if len(pl) != len(sl) {
		t.Fatalf("-t SECONDS: %d lines, want %d", len(sl), len(pl))
	}
	for i := range pl {
		if pl[i] != sl[i] && !strings.HasPrefix(pl[i], "EncodingStats minTimestamp: ") {
			t.Errorf("-t SECONDS changed %q to %q", pl[i], sl[i])
		}
		if strings.HasPrefix(pl[i], "Minimum timestamp: ") && pl[i] != sl[i] {
			t.Errorf("-t changed the stats block's timestamp")
		}
	}
	if !strings.Contains(secs, "EncodingStats minTimestamp: ") || secs == plain {
		t.Errorf("-t SECONDS did not change EncodingStats minTimestamp")
	}
	root := NewRoot()
	root.SetArgs([]string{"metadata", "-t", "micros", fixture})
	root.SetOut(new(strings.Builder))
	root.SetErr(new(strings.Builder))
	if err := root.Execute(); ExitCode(err) != ExitUsage {
		t.Errorf("-t micros: %v, want a usage error", err)
	}
}

// TestMetadataScan: -s's counts for every Cassandra 5.0 fixture equal what its
// sstabledump golden shows: partitions, rows (static included), cells of
// regular rows, tombstones (partition deletions, range tombstone markers, cell
// tombstones of regular rows), and the widest partition's row count.
func TestMetadataScan(t *testing.T) {
	for _, f := range fixtureSSTables(t) {
		d := f.sstable
		rel, _ := filepath.Rel(repoTestdata(t), d.Path(format.Data))
		t.Run(rel, func(t *testing.T) {
			parts := readSSTableDump(t, f.sstabledump)
			var rows, cells, tombs, widest int
			for _, p := range parts {
				if p.Partition.Deletion != nil {
					tombs++
				}
				n := 0
				for _, r := range p.Rows {
					switch r.Type {
					case "row":
						for _, c := range r.Cells {
							if c.Deletion != nil && c.Value == nil && c.Path == nil && bytes.Contains(c.Deletion, []byte(`"marked_deleted"`)) {
								continue
							}
							cells++
							if c.Value == nil {
								tombs++
							}
						}
						fallthrough
					case "static_block":
						n++
					default:
						tombs++
					}
				}
				rows += n
				widest = max(widest, n)
			}
			out := metadataText(t, metadataOptions{paths: []string{d.Path(format.Data)}, scan: true})
			for _, f := range []struct {
				name string
				want int
			}{{"Partitions", len(parts)}, {"Rows", rows}, {"Cells", cells}, {"Tombstones", tombs}} {
				if !strings.Contains(out, "\n"+f.name+": "+itoa(f.want)+"\n") {
					t.Errorf("%s: want %d in\n%.600s", f.name, f.want, out)
				}
			}
			if !strings.Contains(out, "Widest Partitions: \n  [") || !regexp.MustCompile(`Widest Partitions: \n  \[[^\n]*\] `+itoa(widest)+"\n").MatchString(out) {
				t.Errorf("widest partition: want %d rows in\n%.800s", widest, out)
			}
			if !strings.HasPrefix(out, "SSTable: ") || !strings.Contains(out, "\r"+strings.Repeat(" ", 80)+"\rSize: ") {
				t.Errorf("scan block not after the SSTable line:\n%.300q", out)
			}
		})
	}
}

func itoa(n int) string { return strconvItoa(n) }
