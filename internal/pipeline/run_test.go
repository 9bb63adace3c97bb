package pipeline

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/klauspost/compress/gzip"

	"github.com/aegisthus/aegisthus/internal/sink"
	"github.com/aegisthus/aegisthus/internal/sink/memsink"
	"github.com/aegisthus/aegisthus/internal/storage"
)

// export runs o into a new in-memory sink.
func export(t *testing.T, o Options) (*memsink.Sink, *Summary) {
	t.Helper()
	out := memsink.New()
	sum, err := Export(context.Background(), storage.Local{}, out, o)
	if err != nil {
		t.Fatalf("export: %v", err)
	}
	return out, sum
}

// exportedRows reads the parts the manifest names, checking each against its record.
func exportedRows(t *testing.T, out *memsink.Sink) []string {
	t.Helper()
	files := out.Files()
	if _, ok := files[SuccessFile]; !ok {
		t.Fatalf("no %s", SuccessFile)
	}
	m := manifestOf(t, out)
	var all []byte
	for _, p := range m.Parts {
		b, ok := files[p.Name]
		if !ok {
			t.Fatalf("manifest names %s, not in the output", p.Name)
		}
		if sum := sha256.Sum256(b); int64(len(b)) != p.Bytes || hex.EncodeToString(sum[:]) != p.SHA256 {
			t.Fatalf("%s: %d bytes, sha256 %x; manifest says %d, %s", p.Name, len(b), sum, p.Bytes, p.SHA256)
		}
		if strings.HasSuffix(p.Name, ".gz") {
			zr, err := gzip.NewReader(bytes.NewReader(b))
			if err != nil {
				t.Fatal(err)
			}
			if b, err = io.ReadAll(zr); err != nil {
				t.Fatal(err)
			}
		}
		all = append(all, b...)
	}
	return canonicalRows(t, all)
}

func manifestOf(t *testing.T, out *memsink.Sink) Manifest {
	t.Helper()
	b, err := out.Get(context.Background(), ManifestFile)
	if err != nil {
		t.Fatal(err)
	}
	var m Manifest
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

// TestRunSample: the merged replicas equal SELECT JSON * at ALL, and the
// summary agrees with the manifest.
func TestRunSample(t *testing.T) {
	s := loadSample(t)
	out, sum := export(t, s.options())
	if got := exportedRows(t, out); !slices.Equal(got, s.want) {
		t.Fatalf("%d rows differ from the %d SELECT JSON returned", len(got), len(s.want))
	}
	m := manifestOf(t, out)
	if sum.Rows != int64(len(s.want)) || m.Rows != sum.Rows || sum.Units != len(m.Parts) || sum.Now != s.now || sum.UnitsResumed != 0 {
		t.Errorf("summary %+v, manifest %d rows in %d parts", sum, m.Rows, len(m.Parts))
	}
}

// TestRunIndependentOfPool: the rows do not depend on the number of workers or
// units, and for one plan neither do the bytes of the parts.
func TestRunIndependentOfPool(t *testing.T) {
	s := loadSample(t)
	parts := map[int64][]byte{} // split size → the manifest's parts
	for _, c := range []struct {
		workers int
		split   int64
	}{{1, 8 << 10}, {4, 8 << 10}, {2, 4 << 10}, {3, 1 << 40}, {2, 1 << 40}} {
		o := s.options()
		o.Workers, o.SplitSize = c.workers, c.split
		out, _ := export(t, o)
		if got := exportedRows(t, out); !slices.Equal(got, s.want) {
			t.Errorf("workers %d, split %d: %d rows differ from the %d wanted", c.workers, c.split, len(got), len(s.want))
		}
		pb, _ := json.Marshal(manifestOf(t, out).Parts)
		if prev, ok := parts[c.split]; ok && !bytes.Equal(prev, pb) {
			t.Errorf("split %d: parts differ between worker counts:\n%s\n%s", c.split, prev, pb)
		}
		parts[c.split] = pb
	}
}

// TestPartNames: one function names part files, with the codec's extension,
// and the output holds exactly the parts, their records and the run's files.
func TestPartNames(t *testing.T) {
	for _, c := range []struct{ compress, want string }{{"none", "part-00007.jsonl"}, {"gzip", "part-00007.jsonl.gz"}, {"zstd", "part-00007.jsonl.zst"}} {
		cd, err := codecFor(c.compress)
		if err != nil {
			t.Fatal(err)
		}
		if got := partName(7, cd); got != c.want {
			t.Errorf("partName(7, %s) = %q, want %q", c.compress, got, c.want)
		}
	}
	s := loadSample(t)
	o := s.options()
	o.Compress = "gzip"
	out, sum := export(t, o)
	want := []string{HeadFile, ManifestFile, SuccessFile}
	for i := range sum.Units {
		want = append(want, fmt.Sprintf("part-%05d.jsonl.gz", i), fmt.Sprintf("_part-%05d.json", i))
	}
	slices.Sort(want)
	if got, _ := out.List(context.Background()); !slices.Equal(got, want) {
		t.Errorf("output holds %v, want %v", got, want)
	}
	if got := exportedRows(t, out); !slices.Equal(got, s.want) {
		t.Errorf("gzip: %d rows differ from the %d wanted", len(got), len(s.want))
	}
}

// TestManifest: _manifest.json keeps its field names and order (readers and
// --resume depend on them) and records the run.
func TestManifest(t *testing.T) {
	s := loadSample(t)
	o := s.options()
	o.Layout, o.Compress = LayoutPartitions, "zstd"
	out, sum := export(t, o)
	b, _ := out.Get(context.Background(), ManifestFile)
	var keys []string
	d := json.NewDecoder(bytes.NewReader(b))
	d.Token() // {
	for d.More() {
		k, _ := d.Token()
		keys = append(keys, k.(string))
		var skip json.RawMessage
		d.Decode(&skip)
	}
	wantKeys := []string{"tool", "table", "layout", "compress", "now", "now_utc", "inputs", "columns", "plan", "started_at", "schema", "parts", "rows", "finished_at", "duration_s"}
	if !slices.Equal(keys, wantKeys) {
		t.Errorf("manifest keys %v, want %v", keys, wantKeys)
	}
	m := manifestOf(t, out)
	if m.Tool != "aegisthus test" || m.Table != "demo.events" || m.Layout != "partitions" || m.Compress != "zstd" ||
		m.Now != s.now || m.NowUTC != "2026-11-22T20:39:06Z" || m.Schema == nil || m.Filters != nil || m.Base != nil {
		t.Errorf("manifest head %+v", m.Head)
	}
	if len(m.Inputs) != len(s.table.SSTables) || len(m.Parts) != len(m.Plan.Units) || len(m.Parts) != sum.Units {
		t.Errorf("%d inputs for %d sstables, %d parts for %d units", len(m.Inputs), len(s.table.SSTables), len(m.Parts), len(m.Plan.Units))
	}
	var total int64
	for i, p := range m.Parts {
		if p.Unit != i || p.Name != fmt.Sprintf("part-%05d.jsonl.zst", i) {
			t.Errorf("part %d is %+v", i, p)
		}
		rec, err := out.Get(context.Background(), fmt.Sprintf("_part-%05d.json", i))
		if pb, _ := json.Marshal(p); err != nil || !bytes.Equal(rec, pb) {
			t.Errorf("part %d: record %s, manifest %s (%v)", i, rec, pb, err)
		}
		total += p.Rows
	}
	if m.Rows != total || total != sum.Partitions {
		t.Errorf("manifest says %d rows, parts %d, partitions %d", m.Rows, total, sum.Partitions)
	}
}

// failCommit fails the commit of the failAt-th part created (1-based).
type failCommit struct {
	*memsink.Sink
	failAt  int32
	created atomic.Int32
}

var errDiskFull = errors.New("disk full")

func (f *failCommit) Create(ctx context.Context, name string) (sink.Writer, error) {
	w, err := f.Sink.Create(ctx, name)
	if err != nil || !strings.HasPrefix(name, "part-") {
		return w, err
	}
	return &failWriter{Writer: w, fail: f.created.Add(1) == f.failAt}, nil
}

type failWriter struct {
	sink.Writer
	fail bool
}

func (w *failWriter) Commit() error {
	if w.fail {
		w.Abort()
		return errDiskFull
	}
	return w.Writer.Commit()
}

// TestResume: a run whose sink fails leaves no _SUCCESS and reports an output
// error; a resumed run keeps every part committed before it, byte for byte,
// writes only the others and ends with the same rows.
func TestResume(t *testing.T) {
	s := loadSample(t)
	o := s.options()
	o.Workers = 1
	out := &failCommit{Sink: memsink.New(), failAt: 3}
	_, err := Export(context.Background(), storage.Local{}, out, o)
	if !errors.Is(err, sink.ErrOutput) || !errors.Is(err, errDiskFull) || !strings.HasPrefix(err.Error(), "output: ") {
		t.Fatalf("export into a failing sink: %v, want an output error", err)
	}
	before := out.Files()
	if _, ok := before[SuccessFile]; ok {
		t.Fatal("a failed run left _SUCCESS")
	}
	var kept []string
	for name := range before {
		if strings.HasPrefix(name, "part-") {
			kept = append(kept, name)
		}
	}
	if len(kept) == 0 {
		t.Fatal("no part committed before the failure")
	}

	if _, err := Export(context.Background(), storage.Local{}, out.Sink, o); !errors.Is(err, ErrOutputNotEmpty) {
		t.Fatalf("export into a used output: %v, want ErrOutputNotEmpty", err)
	}
	o.Resume = true
	if _, err := Export(context.Background(), storage.Local{}, memsink.New(), o); !errors.Is(err, ErrNothingToResume) {
		t.Fatalf("resume of an empty output: %v, want ErrNothingToResume", err)
	}
	again := &failCommit{Sink: out.Sink}
	sum, err := Export(context.Background(), storage.Local{}, again, o)
	if err != nil {
		t.Fatal(err)
	}
	if sum.UnitsResumed != len(kept) || int(again.created.Load()) != sum.Units-len(kept) {
		t.Errorf("resumed %d units and wrote %d of %d; %d parts were committed", sum.UnitsResumed, again.created.Load(), sum.Units, len(kept))
	}
	after := out.Files()
	for _, name := range kept {
		if !bytes.Equal(before[name], after[name]) {
			t.Errorf("%s changed on resume", name)
		}
	}
	if got := exportedRows(t, out.Sink); !slices.Equal(got, s.want) {
		t.Errorf("resumed export: %d rows differ from the %d wanted", len(got), len(s.want))
	}

	var rd *RunDiffersError
	o.Now++
	if _, err := Export(context.Background(), storage.Local{}, out.Sink, o); !errors.As(err, &rd) || rd.Now != s.now+1 || rd.PrevNow != s.now {
		t.Errorf("resume at another now: %v, want a *RunDiffersError saying both", err)
	}
	o.Now, o.SplitSize = 0, o.SplitSize*2 // 0 adopts the first run's now
	if _, err := Export(context.Background(), storage.Local{}, out.Sink, o); !errors.As(err, &rd) || rd.Now != 0 {
		t.Errorf("resume with another plan: %v, want a *RunDiffersError", err)
	}
}

// TestRunUnitsSubset: any subset of units runs alone and writes exactly its
// parts, as the parts of a whole run: the seam shards build on.
func TestRunUnitsSubset(t *testing.T) {
	s := loadSample(t)
	whole, sum := export(t, s.options())
	if sum.Units < 4 {
		t.Fatalf("%d units: the sample should make more at 8 KiB", sum.Units)
	}
	j, err := Prepare(context.Background(), storage.Local{}, s.options())
	if err != nil {
		t.Fatal(err)
	}
	defer j.Close()
	out := memsink.New()
	var (
		mu  sync.Mutex // committed is called from every committer
		got []int
	)
	ids := []int{1, 3}
	if err := j.runUnits(context.Background(), out, ids, func(p PartInfo) {
		mu.Lock()
		got = append(got, p.Unit)
		mu.Unlock()
	}); err != nil {
		t.Fatal(err)
	}
	slices.Sort(got)
	if !slices.Equal(got, ids) {
		t.Fatalf("committed units %v, want %v", got, ids)
	}
	names, _ := out.List(context.Background())
	if want := []string{"_part-00001.json", "_part-00003.json", "part-00001.jsonl", "part-00003.jsonl"}; !slices.Equal(names, want) {
		t.Fatalf("output holds %v, want %v", names, want)
	}
	all := whole.Files()
	for _, n := range names[2:] {
		b, _ := out.Get(context.Background(), n)
		if !bytes.Equal(b, all[n]) {
			t.Errorf("%s differs from the whole run's", n)
		}
	}
}

// TestRunCancel: cancelling the context stops the pool; the run reports the
// cancellation, commits nothing more and writes no _SUCCESS. Progress is told
// about every committed unit.
func TestRunCancel(t *testing.T) {
	s := loadSample(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	o := s.options()
	var seen atomic.Int32
	o.Progress = func(p Progress) {
		if seen.Add(1) == 2 {
			cancel()
		}
	}
	out := memsink.New()
	_, err := Export(ctx, storage.Local{}, out, o)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled export: %v, want context.Canceled", err)
	}
	files := out.Files()
	if _, ok := files[SuccessFile]; ok {
		t.Fatal("a cancelled run left _SUCCESS")
	}
	var parts int32
	for name := range files {
		if strings.HasPrefix(name, "_part-") {
			parts++
		}
	}
	if parts != seen.Load() {
		t.Errorf("%d part records, progress told about %d units", parts, seen.Load())
	}
}

// TestOverwrite: --overwrite replaces a previous export, and refuses (naming
// the file) an output holding anything an export did not write, deleting
// nothing; the file names it accepts are exactly the ones exports write.
func TestOverwrite(t *testing.T) {
	s := loadSample(t)
	out, _ := export(t, s.options())
	before := out.Files()
	ctx := context.Background()
	if err := out.Put(ctx, "notes.txt", []byte("mine")); err != nil {
		t.Fatal(err)
	}
	o := s.options()
	o.Overwrite = true
	_, err := Export(ctx, storage.Local{}, out, o)
	if !errors.Is(err, ErrForeignFiles) || !strings.Contains(err.Error(), "notes.txt") {
		t.Fatalf("overwrite with a foreign file: %v", err)
	}
	if got := out.Files(); len(got) != len(before)+1 {
		t.Fatalf("a refused overwrite removed files: %d left of %d", len(got), len(before)+1)
	}
	out.Remove(ctx, "notes.txt")
	o.SplitSize = 16 << 10 // another plan: more parts
	if _, err := Export(ctx, storage.Local{}, out, o); err != nil {
		t.Fatalf("overwrite: %v", err)
	}
	if got := exportedRows(t, out); !slices.Equal(got, s.want) {
		t.Fatalf("overwritten export: %d rows differ from the %d wanted", len(got), len(s.want))
	}
	for name, ok := range map[string]bool{
		"part-00000.jsonl": true, "part-12345.jsonl.gz": true, "part-00001.jsonl.zst": true,
		"_part-00003.json": true, "_export.json": true, "_manifest.json": true, "_SUCCESS": true,
		"part-1.jsonl": false, "part-00000.json": false, "part-00000.jsonl.bz2": false,
		"_part-00003.jsonl": false, "_part-x.json": false, "notes.txt": false, "_SUCCESS.bak": false,
	} {
		if ourFile(name) != ok {
			t.Errorf("ourFile(%q) = %v", name, !ok)
		}
	}
}

// TestLocked: an export into an output another run holds fails at once,
// naming the holder, and touches nothing; once the lock is released (or its
// holder is gone), the export runs.
func TestLocked(t *testing.T) {
	s := loadSample(t)
	ctx := context.Background()
	out, err := sink.NewLocal(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	holder := sink.Self()
	holder.PID = os.Getppid() // a live process that is not this one
	unlock, err := out.Lock(ctx, holder)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Export(ctx, storage.Local{}, out, s.options())
	if !errors.Is(err, sink.ErrLocked) || !strings.Contains(err.Error(), fmt.Sprintf("pid %d", holder.PID)) {
		t.Fatalf("export into a locked output: %v", err)
	}
	if names, _ := out.List(ctx); len(names) != 0 {
		t.Fatalf("a refused export wrote %v", names)
	}
	unlock()
	if _, err := Export(ctx, storage.Local{}, out, s.options()); err != nil {
		t.Fatalf("export after unlock: %v", err)
	}
	if _, err := os.Stat(filepath.Join(out.Dir, sink.LockFile)); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("lock left after the export: %v", err)
	}
}
