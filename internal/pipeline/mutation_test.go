package pipeline

import (
	"context"
	"fmt"
	"math/bits"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aegisthus/aegisthus/internal/corpustest"
	"github.com/aegisthus/aegisthus/internal/discover"
	"github.com/aegisthus/aegisthus/internal/inspect"
	"github.com/aegisthus/aegisthus/internal/sink/memsink"
	"github.com/aegisthus/aegisthus/internal/sstable/format"
	"github.com/aegisthus/aegisthus/internal/sstable/stats"
	"github.com/aegisthus/aegisthus/internal/storage"
)

// mutationSeed fixes the mutants; a failure prints the seed and the mutant's
// number, and AEGISTHUS_MUTANT=<seed>:<table>:<file>:<n> replays one.
const mutationSeed = 17

// mutantsPerFile and mutationBudget bound the test: about 20 s on 2 cores
// (under -race the budget stops it first, after fewer mutants).
const (
	mutantsPerFile = 150
	mutationBudget = 25 * time.Second
)

// TestMutations holds the contract for the components without a checksum: a
// mutated SSTable either exports exactly as before or fails naming a file;
// never exit 0 with other rows, a panic or a hang. For each format among the
// fixtures (nb, oa, da, and legacy la and md from the shared corpus when it is
// there), each unchecksummed component of each SSTable (Index.db, Summary.db,
// Partitions.db, Rows.db, CompressionInfo.db, TOC.txt, and Statistics.db of
// versions before na) gets seeded mutants: a bit flipped, a byte set, a
// byte nudged by one, a range zeroed, the file cut short; the serialization
// header's EncodingStats of mc and md (the minima every cell's timestamp, TTL
// and deletion time are delta-coded against) get mutants of their own, among
// them an mc table of expiring rows and complex deletions read while its rows
// live. Each is exported over
// many units (a tiny split size, samples every partition), in process, under a
// timeout.
//
// verify holds the same contract: for each mutant it either fails naming a
// file, or the export is exactly as before. Never verify passing while the
// export differs or fails (which it did for an Index.db key until verify
// checked the index against Data.db). No export reads Summary.db; verify holds
// its samples and first and last keys to Index.db.
//
// A panic in a worker kills the test binary: the mutant being run is the last
// "mutant" line on stderr.
func TestMutations(t *testing.T) {
	if testing.Short() {
		t.Skip("short")
	}
	type table struct {
		name  string
		files string // glob of the SSTable files to copy, one table
		split int64  // split size: 0 for 1 byte, a unit per partition
		now   int64  // --now: 0 for 1_800_000_000
		// headerOnly mutates Statistics.db in its EncodingStats only: a
		// column name changed in a way that keeps the header's order
		// (sstable.checkColumnOrder) has nothing to be checked against
		// (no checksum before na, no CQL schema here) and exports under
		// its new name.
		headerOnly bool
	}
	_, file, _, _ := runtime.Caller(0)
	fixtures := filepath.Join(filepath.Dir(file), "..", "..", "testdata", "cassandra-5.0")
	var tables []table
	for _, f := range []string{"nb", "oa", "da"} {
		dirs, _ := filepath.Glob(filepath.Join(fixtures, f, "zstd", "rand_zstd", "t0-*"))
		if len(dirs) != 1 {
			t.Fatalf("%s fixture: %v", f, dirs)
		}
		tables = append(tables, table{f, filepath.Join(dirs[0], "*.*"), 0, 0, false})
	}
	// The case: node1 of the sample, three SSTables.
	node1, _ := filepath.Glob(filepath.Join(filepath.Dir(file), "..", "..", "testdata", "sample-snapshot", "node1", "demo", "events-*", "snapshots", "sample"))
	if len(node1) != 1 {
		t.Fatalf("sample node1: %v", node1)
	}
	tables = append(tables, table{"nb-sample", filepath.Join(node1[0], "nb-*"), 16 << 10, 0, false})
	if corpustest.Exists() {
		dirs, _ := filepath.Glob(filepath.Join(corpustest.Dir(t), "scylla", "legacy", "summary_test", "test", "summary_test-*"))
		if len(dirs) == 1 {
			tables = append(tables, table{"la", filepath.Join(dirs[0], "la-1-big-*"), 0, 0, false}, table{"md", filepath.Join(dirs[0], "md-1-big-*"), 0, 0, false})
		}
		// mc with expiring rows and complex deletions, read a day after
		// the writes, while the rows live: the header's three minima matter.
		dirs, _ = filepath.Glob(filepath.Join(corpustest.Dir(t), "scylla", "3.x", "uncompressed", "complex_column_zero_subcolumns"))
		if len(dirs) == 1 {
			tables = append(tables, table{"mc", filepath.Join(dirs[0], "mc-1-big-*"), 0, 1536467482, true})
		}
	}
	replay := os.Getenv("AEGISTHUS_MUTANT")

	end := time.Now().Add(mutationBudget)
	for i, tb := range tables {
		t.Run(tb.name, func(t *testing.T) {
			src, _ := filepath.Glob(tb.files)
			dir := t.TempDir()
			for _, f := range src {
				b, err := os.ReadFile(f)
				if err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(filepath.Join(dir, filepath.Base(f)), b, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			if tb.now == 0 {
				tb.now = 1_800_000_000
			}
			want, units, err := mutantExport(dir, tb.split, tb.now)
			if err != nil {
				t.Fatalf("unmutated export: %v", err)
			}
			if units < 3 {
				t.Fatalf("unmutated export in %d units, want several", units)
			}
			var targets []target
			for _, f := range src {
				d, c, err := format.ParseName(f)
				if err != nil {
					continue
				}
				switch {
				case c == format.Index, c == format.Summary, c == format.Partitions, c == format.Rows,
					c == format.CompressionInfo, c == format.TOC,
					c == format.Statistics && !d.Version.HasMetadataChecksum() && !tb.headerOnly:
					targets = append(targets, target{file: filepath.Base(f)})
				}
				if c == format.Statistics && !d.Version.HasMetadataChecksum() && d.Version.StoresRows() {
					targets = append(targets, encodingStats(t, f, d))
				}
			}
			slices.SortFunc(targets, func(a, b target) int { return strings.Compare(a.name(), b.name()) })
			origs := map[string][]byte{}
			for _, tg := range targets {
				if origs[tg.file], err = os.ReadFile(filepath.Join(dir, tg.file)); err != nil {
					t.Fatal(err)
				}
			}
			// Mutant n of every file before mutant n+1 of any: when the time
			// budget ends the run, every file has had as many. Each table
			// gets an equal share of what is left of the budget, so a table
			// done early leaves its time to the next.
			deadline := time.Now().Add(time.Until(end) / time.Duration(len(tables)-i))
			checked := 0
			for n := 0; n < mutantsPerFile && (replay != "" || time.Now().Before(deadline)); n++ {
				for _, tg := range targets {
					name := tg.name()
					id := fmt.Sprintf("%d:%s:%s:%d", mutationSeed, tb.name, name, n)
					if replay != "" && replay != id {
						continue
					}
					path, orig := filepath.Join(dir, tg.file), origs[tg.file]
					mut, what := mutate(orig, tg.lo, tg.hi, rand.New(rand.NewPCG(mutationSeed, uint64(n)<<32|uint64(len(name))<<16|uint64(len(orig)))))
					if err := os.WriteFile(path, mut, 0o644); err != nil {
						t.Fatal(err)
					}
					fmt.Fprintf(os.Stderr, "mutant %s: %s\n", id, what)
					got, err := mutantExportTimeout(t, dir, tb.split, tb.now, id, what)
					switch {
					case err == nil && got != want:
						t.Errorf("mutant %s (%s): exported without error, and the rows differ (AEGISTHUS_MUTANT=%s)", id, what, id)
					case err != nil && !strings.Contains(err.Error(), dir):
						t.Errorf("mutant %s (%s): error names no file: %v", id, what, err)
					}
					// Plain verify decodes no row (as sstableverify): a
					// Statistics.db without a checksum (the header's
					// minima, the stats' bounds) is held to the rows only
					// when they are read, which --extended does.
					failed, named := mutantVerify(t, dir, strings.HasSuffix(tg.file, format.Statistics))
					switch {
					case !failed && (err != nil || got != want):
						t.Errorf("mutant %s (%s): verify passes, and the export differs or fails (%v) (AEGISTHUS_MUTANT=%s)", id, what, err, id)
					case failed && !named:
						t.Errorf("mutant %s (%s): verify fails naming no file (AEGISTHUS_MUTANT=%s)", id, what, id)
					}
					checked++
					if err := os.WriteFile(path, orig, 0o644); err != nil {
						t.Fatal(err)
					}
				}
			}
			t.Logf("%d mutants of %d files, %d units", checked, len(targets), units)
		})
	}
}

// target is a file to mutate, or bytes [lo, hi) of it (hi 0: the whole file).
type target struct {
	file   string
	field  string // what [lo, hi) holds; "" for the whole file
	lo, hi int
}

func (tg target) name() string {
	if tg.field == "" {
		return tg.file
	}
	return tg.file + "#" + tg.field
}

// encodingStats is the target of the serialization header's EncodingStats in
// the Statistics.db at path (three vints: minTimestamp, minLocalDeletionTime,
// minTTL), which every delta-coded value of Data.db is decoded against, and
// which before na no checksum covers.
func encodingStats(t *testing.T, path string, d format.Descriptor) target {
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	md, err := stats.Parse(path, b, d.Version)
	if err != nil || md.Header == nil {
		t.Fatalf("%s: %v", path, err)
	}
	lo := int(md.Header.Offset)
	hi := lo
	for range 3 {
		if hi >= len(b) {
			t.Fatalf("%s: EncodingStats runs past the end", path)
		}
		hi += 1 + bits.LeadingZeros8(^b[hi]) // a vint's first byte counts the bytes after it
	}
	return target{file: filepath.Base(path), field: "EncodingStats", lo: lo, hi: hi}
}

// mutate returns a changed copy of b, changed in [lo, hi) when hi > 0, and
// says how it changed.
func mutate(b []byte, lo, hi int, r *rand.Rand) ([]byte, string) {
	m := slices.Clone(b)
	if len(m) == 0 {
		return []byte{byte(r.IntN(256))}, "empty file given one byte"
	}
	if hi == 0 {
		lo, hi = 0, len(m)
	}
	at := lo + r.IntN(hi-lo)
	switch r.IntN(5) {
	case 0:
		bit := byte(1) << r.IntN(8)
		m[at] ^= bit
		return m, fmt.Sprintf("bit 0x%02x flipped at offset %d", bit, at)
	case 1:
		v := byte(r.IntN(256))
		m[at] = v
		return m, fmt.Sprintf("byte at offset %d set to 0x%02x", at, v)
	case 2:
		d := byte(1)
		if r.IntN(2) == 0 {
			d = 0xff
		}
		m[at] += d
		return m, fmt.Sprintf("byte at offset %d nudged by %d", at, int8(d))
	case 3:
		n := 1 + r.IntN(16)
		clear(m[at:min(at+n, hi)])
		return m, fmt.Sprintf("%d bytes zeroed at offset %d", n, at)
	}
	return m[:at], fmt.Sprintf("cut to %d bytes", at)
}

// mutantExport exports the table in dir over many units and returns its part
// files concatenated in order (the rows do not depend on the units) and the
// number of parts.
func mutantExport(dir string, split, now int64) (string, int, error) {
	tables, err := discover.Find(storage.Local{}, []string{dir})
	if err != nil {
		return "", 0, err
	}
	if len(tables) != 1 {
		return "", 0, fmt.Errorf("%s: %d tables", dir, len(tables))
	}
	out := memsink.New()
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	if _, err := Export(ctx, storage.Local{}, out, Options{Table: tables[0], Workers: 2, SplitSize: max(split, 1), Now: now}); err != nil {
		return "", 0, err
	}
	if _, err := out.Get(ctx, SuccessFile); err != nil {
		return "", 0, err
	}
	files := out.Files()
	var names []string
	for name := range files {
		if strings.HasPrefix(name, "part-") {
			names = append(names, name)
		}
	}
	slices.Sort(names)
	var all strings.Builder
	for _, name := range names {
		all.Write(files[name])
	}
	return all.String(), len(names), nil
}

// mutantExportTimeout is mutantExport that fails the test on a hang.
func mutantExportTimeout(t *testing.T, dir string, split, now int64, id, what string) (string, error) {
	type result struct {
		rows string
		err  error
	}
	done := make(chan result, 1)
	go func() {
		rows, _, err := mutantExport(dir, split, now)
		done <- result{rows, err}
	}()
	select {
	case r := <-done:
		return r.rows, r.err
	case <-time.After(40 * time.Second):
		t.Fatalf("mutant %s (%s): export still running after 40 s", id, what)
		return "", nil
	}
}

// mutantVerify runs verify on every SSTable in dir: whether any failed, and
// whether every failure names a file in dir.
func mutantVerify(t *testing.T, dir string, extended bool) (failed, named bool) {
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	datas, _ := filepath.Glob(filepath.Join(dir, "*-Data.db"))
	named = true
	for _, data := range datas {
		d, _, err := format.ParseName(data)
		if err != nil {
			t.Fatal(err)
		}
		res, err := inspect.VerifyWith(ctx, storage.Local{}, d, inspect.VerifyOptions{Extended: extended})
		if ctx.Err() != nil {
			t.Fatalf("verify %s: still running after 20 s", data)
		}
		if err != nil {
			failed, named = true, named && strings.Contains(err.Error(), dir)
			continue
		}
		for _, f := range res.Failures {
			failed, named = true, named && strings.HasPrefix(f.Path, dir) && strings.Contains(f.Error, dir)
		}
	}
	return failed, named
}
