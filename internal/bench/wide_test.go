package bench

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"syscall"
	"testing"
	"time"
)

// wideRSSLimit is issue 4's bound on peak RSS while exporting one 1 GB
// partition: 256 MB, read strictly as 256·10⁶ bytes.
const wideRSSLimit = 256 * 1000 * 1000

// TestWidePartitionRSS exports the table of make benchdata-wide (ONE partition
// of about 1 GB uncompressed, written by a real Cassandra through CQL) with the
// built binary, once per layout, and checks the child's peak RSS (rusage
// Maxrss) and the number of rows against wide.json, which the generator wrote:
//
//	make benchdata-wide
//	AEGISTHUS_WIDE_TEST=1 go test -run WidePartitionRSS -v -timeout 30m ./internal/bench
//
// AEGISTHUS_WIDEDATA overrides the table directory (default
// interop/.cache/widedata).
func TestWidePartitionRSS(t *testing.T) {
	if os.Getenv("AEGISTHUS_WIDE_TEST") == "" {
		t.Skip("set AEGISTHUS_WIDE_TEST=1 (after make benchdata-wide) to build the binary and export one ~1 GB partition twice (minutes)")
	}
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..")
	dir := os.Getenv("AEGISTHUS_WIDEDATA")
	if dir == "" {
		dir = filepath.Join(root, "interop", ".cache", "widedata")
	}
	var meta struct {
		Rows         int64   `json:"rows"`
		SSTables     int     `json:"sstables"`
		Uncompressed float64 `json:"uncompressed_bytes"`
		Partition    string  `json:"partition"`
	}
	b, err := os.ReadFile(filepath.Join(dir, "wide.json"))
	if err != nil {
		t.Skipf("no wide table: run make benchdata-wide (or set AEGISTHUS_WIDEDATA): %v", err)
	}
	if err := json.Unmarshal(b, &meta); err != nil {
		t.Fatal(err)
	}
	tables, _ := filepath.Glob(filepath.Join(dir, "wide", "events-*"))
	if len(tables) != 1 {
		t.Fatalf("%s: want one wide/events-* table directory, have %v", dir, tables)
	}
	data, _ := filepath.Glob(filepath.Join(tables[0], "*-Data.db"))
	var onDisk int64
	for _, d := range data {
		if fi, err := os.Stat(d); err == nil {
			onDisk += fi.Size()
		}
	}
	t.Logf("table %s: %d SSTables, Data.db %d MB, ~%.0f MB uncompressed, %d rows in one partition", tables[0], len(data), onDisk>>20, meta.Uncompressed/1e6, meta.Rows)

	bin := filepath.Join(t.TempDir(), "aegisthus")
	if out, err := exec.Command("go", "build", "-o", bin, filepath.Join(root, "cmd", "aegisthus")).CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	for _, layout := range []string{"rows", "partitions"} {
		t.Run(layout, func(t *testing.T) {
			out := filepath.Join(t.TempDir(), "out")
			cmd := exec.Command(bin, "export", tables[0], "--out", out, "--layout", layout,
				"--workers", "1", "--split-size", "256MiB", "--now", "2026-01-01", "-q")
			var stderr bytes.Buffer
			cmd.Stderr = &stderr
			if p := os.Getenv("AEGISTHUS_WIDE_GODEBUG"); p != "" { // e.g. gctrace=1
				cmd.Env = append(os.Environ(), "GODEBUG="+p)
			}
			start := time.Now()
			err := cmd.Run()
			wall := time.Since(start)
			if err != nil {
				t.Fatalf("export --layout %s: %v\n%s", layout, err, tail(stderr.Bytes(), 4000))
			}
			ru := cmd.ProcessState.SysUsage().(*syscall.Rusage)
			rss := ru.Maxrss * 1024 // kilobytes on Linux
			user := time.Duration(ru.Utime.Nano())
			sys := time.Duration(ru.Stime.Nano())
			outBytes, lines, clusterings := countOutput(t, out)
			t.Logf("layout %s: peak RSS %.1f MB (%d KB), wall %.1fs, user %.1fs, sys %.1fs, output %d MB in %d lines",
				layout, float64(rss)/1e6, ru.Maxrss, wall.Seconds(), user.Seconds(), sys.Seconds(), outBytes>>20, lines)
			if stderr.Len() > 0 {
				t.Logf("stderr:\n%s", tail(stderr.Bytes(), 4000))
			}
			switch layout {
			case "rows":
				if lines != meta.Rows {
					t.Errorf("rows layout: %d lines, the generator wrote %d rows", lines, meta.Rows)
				}
			case "partitions":
				if lines != 1 {
					t.Errorf("partitions layout: %d lines, want 1 (one partition)", lines)
				}
				if clusterings != meta.Rows {
					t.Errorf("partitions layout: %d rows (\"clustering\" keys) in the record, the generator wrote %d", clusterings, meta.Rows)
				}
				// The ~1 GB line must be one well-formed JSON value (token by
				// token, so this test's own memory stays small too).
				names, _ := filepath.Glob(filepath.Join(out, "part-*.jsonl"))
				for _, n := range names {
					f, err := os.Open(n)
					if err != nil {
						t.Fatal(err)
					}
					dec := json.NewDecoder(bufio.NewReaderSize(f, 1<<20))
					values, depth := 0, 0
					for {
						tok, err := dec.Token()
						if err == io.EOF {
							break
						}
						if err != nil {
							t.Fatalf("%s: not valid JSON: %v", n, err)
						}
						switch tok {
						case json.Delim('{'), json.Delim('['):
							if depth == 0 {
								values++
							}
							depth++
						case json.Delim('}'), json.Delim(']'):
							depth--
						}
					}
					f.Close()
					if values != 1 {
						t.Errorf("%s: %d top-level JSON values, want 1", n, values)
					}
				}
			}
			if rss >= wideRSSLimit {
				t.Errorf("layout %s: peak RSS %d bytes (%.1f MB) >= %d", layout, rss, float64(rss)/1e6, wideRSSLimit)
			}
		})
	}
}

// countOutput streams the part files of an export: total bytes, newlines and
// occurrences of `"clustering":` (one per row in the partitions layout).
func countOutput(t *testing.T, dir string) (size, lines, clusterings int64) {
	t.Helper()
	if _, err := os.Stat(filepath.Join(dir, "_SUCCESS")); err != nil {
		t.Fatalf("%s: no _SUCCESS", dir)
	}
	names, _ := filepath.Glob(filepath.Join(dir, "part-*.jsonl"))
	if len(names) == 0 {
		t.Fatalf("%s: no part files", dir)
	}
	pat := []byte(`"clustering":`)
	buf := make([]byte, 4<<20)
	for _, n := range names {
		f, err := os.Open(n)
		if err != nil {
			t.Fatal(err)
		}
		r := bufio.NewReaderSize(f, 1<<20)
		carry := 0 // bytes kept from the previous chunk, so a match across chunks counts once
		for {
			k, err := r.Read(buf[carry:])
			size += int64(k)
			chunk := buf[:carry+k]
			lines += int64(bytes.Count(buf[carry:carry+k], []byte{'\n'}))
			clusterings += int64(bytes.Count(chunk, pat))
			// keep the last len(pat)-1 bytes (they cannot hold a whole match)
			keep := min(len(pat)-1, len(chunk))
			copy(buf, chunk[len(chunk)-keep:])
			carry = keep
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		f.Close()
	}
	return size, lines, clusterings
}

func tail(b []byte, n int) string {
	if len(b) > n {
		b = b[len(b)-n:]
	}
	return fmt.Sprintf("%s", b)
}
