package pipeline

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/aegisthus/aegisthus/internal/corpustest"
	"github.com/aegisthus/aegisthus/internal/cql/cqlparse"
	"github.com/aegisthus/aegisthus/internal/discover"
	"github.com/aegisthus/aegisthus/internal/plan"
	"github.com/aegisthus/aegisthus/internal/sink/memsink"
	"github.com/aegisthus/aegisthus/internal/storage"
)

// lz4Now is the instant the lz4 fixtures' expected rows were read at.
const lz4Now = 1795380205

// lz4Root is testdata/cassandra-5.0/oa/lz4: 12 tables of three keyspaces.
func lz4Root(t testing.TB) string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "testdata", "cassandra-5.0", "oa", "lz4")
}

// sampleSnapshots are the snapshots of testdata/sample-snapshot: demo.events
// (three replicas, several units at 16 KiB) and demo.page_views.
func sampleSnapshots(t testing.TB) []string {
	m, _ := filepath.Glob(filepath.Join(lz4Root(t), "..", "..", "..", "sample-snapshot", "node*", "demo", "*", "snapshots", "*"))
	if len(m) != 6 {
		t.Fatalf("sample snapshot: %v", m)
	}
	return m
}

// lz4Schemas reads every lz4 fixture's CQL (expected/meta.json), by ks.table.
func lz4Schemas(t testing.TB) map[string]*cqlparse.Table {
	metas, _ := filepath.Glob(filepath.Join(lz4Root(t), "*", "*", "expected", "meta.json"))
	out := map[string]*cqlparse.Table{}
	for _, m := range metas {
		var meta struct {
			CQL []string `json:"cql"`
		}
		b, err := os.ReadFile(m)
		if err == nil {
			err = json.Unmarshal(b, &meta)
		}
		if err != nil {
			t.Fatal(err)
		}
		sc, err := cqlparse.Parse(strings.Join(meta.CQL, ";\n") + ";\n")
		if err != nil {
			t.Fatalf("%s: %v", m, err)
		}
		for _, tb := range sc.Tables {
			out[tb.Keyspace+"."+tb.Name] = tb
		}
	}
	return out
}

// batchSpecs scans paths as export does (discover.Scan, then Select of every
// table) and pairs each table with its fixture's CQL.
func batchSpecs(t testing.TB, paths ...string) []TableSpec {
	t.Helper()
	inv, err := discover.Scan(storage.Local{}, paths)
	if err != nil {
		t.Fatal(err)
	}
	sets, _, err := inv.Select(discover.Selection{})
	if err != nil {
		t.Fatal(err)
	}
	schemas := lz4Schemas(t)
	specs := make([]TableSpec, len(sets))
	for i, s := range sets {
		specs[i] = TableSpec{Table: s, Schema: schemas[s.Keyspace+"."+s.Name]}
	}
	return specs
}

func batchOptions(specs []TableSpec, workers int) BatchOptions {
	return BatchOptions{Options: Options{Workers: workers, SplitSize: 16 << 10, Now: lz4Now}, Tables: specs}
}

// runBatch prepares and runs bo over store into out.
func runBatch(t testing.TB, store storage.Store, out *memsink.Sink, bo BatchOptions) (*Batch, *BatchSummary, error) {
	t.Helper()
	b, err := PrepareBatch(context.Background(), store, bo)
	if err != nil {
		return nil, nil, err
	}
	sum, err := b.Run(context.Background(), out)
	return b, sum, err
}

func batchManifestOf(t testing.TB, out *memsink.Sink) BatchManifest {
	t.Helper()
	b, err := out.Get(context.Background(), ManifestFile)
	if err != nil {
		t.Fatal(err)
	}
	var m BatchManifest
	if err := json.Unmarshal(b, &m); err != nil {
		t.Fatal(err)
	}
	return m
}

func outcomes(m BatchManifest) map[string]TableOutcome {
	out := map[string]TableOutcome{}
	for _, r := range m.Outcomes {
		out[r.Table] = r
	}
	return out
}

// sameAsSingle checks that a table's directory in a batch's output holds the
// parts and part records of the table's single-table export, byte for byte,
// and that the top-level outcome agrees with the single run's summary.
func sameAsSingle(t *testing.T, batch map[string][]byte, r TableOutcome, ts TableSpec) {
	t.Helper()
	one, sum := export(t, Options{Table: ts.Table, Schema: ts.Schema, Workers: 1, SplitSize: 16 << 10, Now: lz4Now})
	n := 0
	for name, want := range one.Files() {
		if !strings.HasPrefix(name, "part-") && !strings.HasPrefix(name, partMetaPre) {
			continue
		}
		n++
		if got, ok := batch[r.Dir+"/"+name]; !ok || !bytes.Equal(got, want) {
			t.Errorf("%s: %s/%s differs from the single-table run's", r.Table, r.Dir, name)
		}
	}
	for name := range batch {
		if rest, ok := strings.CutPrefix(name, r.Dir+"/"); ok && (strings.HasPrefix(rest, "part-") || strings.HasPrefix(rest, partMetaPre)) {
			n--
		}
	}
	if n != 0 {
		t.Errorf("%s: the batch wrote %d part files more or fewer than the single run", r.Table, -n)
	}
	if r.Status != StatusOK || r.Rows != sum.Rows || r.Parts != sum.Units || r.Bytes != sum.BytesOut {
		t.Errorf("%s: outcome %+v, single run %d rows in %d parts of %d bytes", r.Table, r, sum.Rows, sum.Units, sum.BytesOut)
	}
	for _, f := range []string{HeadFile, ManifestFile, SuccessFile} {
		if _, ok := batch[r.Dir+"/"+f]; !ok {
			t.Errorf("%s: no %s", r.Table, f)
		}
	}
}

// TestBatchEqualsSingle: every table of a batch is exported byte for byte as
// its single-table export, and the top-level manifest records each outcome.
func TestBatchEqualsSingle(t *testing.T) {
	specs := batchSpecs(t, lz4Root(t))
	if len(specs) != 12 {
		t.Fatalf("%d tables, want the 12 lz4 fixtures", len(specs))
	}
	out := memsink.New()
	_, sum, err := runBatch(t, storage.Local{}, out, batchOptions(specs, 2))
	if err != nil {
		t.Fatal(err)
	}
	m := batchManifestOf(t, out)
	if m.OK != 12 || m.Failed != 0 || len(m.Outcomes) != 12 || m.Now != lz4Now || len(m.Tables) != 12 {
		t.Fatalf("manifest: %+v", m)
	}
	if _, err := out.Get(context.Background(), SuccessFile); err != nil {
		t.Fatal("no top-level _SUCCESS")
	}
	files := out.Files()
	byTable := outcomes(m)
	var rows int64
	for _, ts := range specs {
		r := byTable[ts.Table.String()]
		if r.Dir != ts.Table.Keyspace+"/"+ts.Table.Name {
			t.Errorf("%s in %q", ts.Table, r.Dir)
		}
		sameAsSingle(t, files, r, ts)
		rows += r.Rows
	}
	if sum.Rows != rows {
		t.Errorf("summary %d rows, outcomes %d", sum.Rows, rows)
	}
}

// TestBatchOrder: with one worker, units start table by table, tables by
// their largest unit and each table's units largest first; so the largest
// unit of all starts first.
func TestBatchOrder(t *testing.T) {
	// node1's events alone, as another table: units smaller than the three
	// replicas' but larger than their last one.
	one := copyFixture(t, sampleSnapshots(t)[0], t.TempDir(), "demo")
	dir := filepath.Join(filepath.Dir(one), "events_one-0123456789abcdef0123456789abcdef", "snapshots", "sample")
	if err := os.MkdirAll(filepath.Dir(dir), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(one, dir); err != nil {
		t.Fatal(err)
	}
	specs := batchSpecs(t, append(sampleSnapshots(t), lz4Root(t), dir)...)
	b, err := PrepareBatch(context.Background(), storage.Local{}, batchOptions(specs, 1))
	if err != nil {
		t.Fatal(err)
	}
	jobs := map[string]*Job{}
	for _, bt := range b.tables {
		jobs[bt.name] = bt.job
	}
	type start struct {
		table string
		bytes int64
	}
	var starts []start
	b.onStart = func(table string, unit int) {
		starts = append(starts, start{table, jobs[table].pl.Units[unit].Bytes})
	}
	if _, err := b.Run(context.Background(), memsink.New()); err != nil {
		t.Fatal(err)
	}
	units, largest := 0, int64(0)
	for _, j := range jobs {
		units += len(j.pl.Units)
		for _, u := range j.pl.Units {
			largest = max(largest, u.Bytes)
		}
	}
	if len(starts) != units || units <= len(jobs) || starts[0].bytes != largest {
		t.Fatalf("%d units started, want %d; the first of %d bytes, the largest has %d", len(starts), units, starts[0].bytes, largest)
	}
	done := map[string]bool{}
	var prevTable int64 = 1 << 62
	for i, s := range starts {
		if i > 0 && s.table == starts[i-1].table {
			if s.bytes > starts[i-1].bytes {
				t.Errorf("%s: a unit of %d bytes after one of %d", s.table, s.bytes, starts[i-1].bytes)
			}
			continue
		}
		if done[s.table] {
			t.Errorf("%s: its units do not run one after the other", s.table)
		}
		done[s.table] = true
		if s.bytes > prevTable {
			t.Errorf("%s (largest unit %d bytes) starts after a table whose largest is %d", s.table, s.bytes, prevTable)
		}
		prevTable = s.bytes
	}
}

// TestSortTasks: units largest first, table by table: tables by their
// largest unit, ties in the batch's order.
func TestSortTasks(t *testing.T) {
	job := func(sizes ...int64) *Job {
		pl := &plan.Plan{}
		for _, n := range sizes {
			pl.Units = append(pl.Units, plan.Unit{Bytes: n})
		}
		return &Job{pl: pl}
	}
	a, b, c, d := job(50, 300, 10), job(200, 250), job(5), job(300)
	var tasks []task
	for tag, j := range []*Job{a, b, c, d} {
		for id := range j.pl.Units {
			tasks = append(tasks, task{j: j, id: id, tag: tag})
		}
	}
	sortTasks(tasks)
	var got []int64
	for _, t := range tasks {
		got = append(got, t.j.pl.Units[t.id].Bytes)
	}
	if want := []int64{300, 50, 10, 300, 250, 200, 5}; !slices.Equal(got, want) || tasks[3].j != d {
		t.Errorf("order %v, want %v (a, d, b, c)", got, want)
	}
}

// countingStore counts the Data.db files open at once.
type countingStore struct {
	storage.Store
	mu               sync.Mutex
	open, most, seen int
}

func (s *countingStore) Open(path string) (storage.File, error) {
	f, err := s.Store.Open(path)
	if err != nil || !strings.HasSuffix(path, "Data.db") {
		return f, err
	}
	s.mu.Lock()
	s.open++
	s.seen++
	s.most = max(s.most, s.open)
	s.mu.Unlock()
	return &countedFile{File: f, s: s}, nil
}

func (s *countingStore) now() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.open
}

type countedFile struct {
	storage.File
	s    *countingStore
	once sync.Once
}

func (f *countedFile) Close() error {
	f.once.Do(func() {
		f.s.mu.Lock()
		f.s.open--
		f.s.mu.Unlock()
	})
	return f.File.Close()
}

// TestBatchOpenFiles: a batch holds Data.db open only for the tables being
// exported: none after planning, at most the SSTables of three tables with
// one worker (the one running, the one whose last part is being committed,
// the one whose part waits for the committer), none after the run; and the
// output equals the single-table runs'.
func TestBatchOpenFiles(t *testing.T) {
	specs := batchSpecs(t, append(sampleSnapshots(t), lz4Root(t))...)
	total := 0
	var counts []int
	for _, s := range specs {
		total += len(s.Table.SSTables)
		counts = append(counts, len(s.Table.SSTables))
	}
	slices.Sort(counts)
	three := counts[len(counts)-1] + counts[len(counts)-2] + counts[len(counts)-3]
	store := &countingStore{Store: storage.Local{}}
	b, err := PrepareBatch(context.Background(), store, batchOptions(specs, 1))
	if err != nil {
		t.Fatal(err)
	}
	if n := store.now(); n != 0 {
		t.Fatalf("%d Data.db open after planning, want 0", n)
	}
	out := memsink.New()
	if _, err := b.Run(context.Background(), out); err != nil {
		t.Fatal(err)
	}
	if n := store.now(); n != 0 {
		t.Errorf("%d Data.db still open after the run", n)
	}
	if store.most > three || store.most >= total {
		t.Errorf("%d Data.db open at once; want at most %d (the 3 tables with the most SSTables), of %d in all", store.most, three, total)
	}
	// Each Data.db is opened twice: to plan, and when its table starts.
	if store.seen != 2*total {
		t.Errorf("Data.db opened %d times, want %d", store.seen, 2*total)
	}
	m := batchManifestOf(t, out)
	byTable := outcomes(m)
	files := out.Files()
	for _, ts := range specs {
		sameAsSingle(t, files, byTable[ts.Table.String()], ts)
	}
}

// copyFixture copies a fixture table directory's files to dst/<ks>/<its name>.
func copyFixture(t *testing.T, src, dst, ks string) string {
	to := filepath.Join(dst, ks, filepath.Base(src))
	corpustest.CopyFiles(t, src, to)
	return to
}

// brokenBackup copies three lz4 tables into a temporary directory and
// returns it with the paths of rand_lz4.t0's Statistics.db and wide's Data.db.
func brokenBackup(t *testing.T) (dir, stats, data string) {
	root := lz4Root(t)
	dir = t.TempDir()
	glob := func(p string) string {
		m, _ := filepath.Glob(filepath.Join(root, p))
		if len(m) != 1 {
			t.Fatalf("%s: %v", p, m)
		}
		return m[0]
	}
	copyFixture(t, glob("edge/counters-*"), dir, "edge")
	wide := copyFixture(t, glob("edge/wide-*"), dir, "edge")
	t0 := copyFixture(t, glob("rand_lz4/t0-*"), dir, "rand_lz4")
	return dir, filepath.Join(t0, "oa-1-big-Statistics.db"), filepath.Join(wide, "oa-1-big-Data.db")
}

// corrupt flips a byte in the middle of path and returns a function that restores it.
func corrupt(t *testing.T, path string) (restore func()) {
	t.Helper()
	orig, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	bad := bytes.Clone(orig)
	for i := len(bad) / 3; i < len(bad)/3+8 && i < len(bad); i++ {
		bad[i] ^= 0xff
	}
	if err := os.WriteFile(path, bad, 0o644); err != nil {
		t.Fatal(err)
	}
	return func() {
		if err := os.WriteFile(path, orig, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// TestBatchPrepareFailure: a table whose Statistics.db is corrupt fails at
// Prepare and is recorded as failed, naming table and file; the others
// succeed; with FailFast PrepareBatch stops at it.
func TestBatchPrepareFailure(t *testing.T) {
	dir, stats, _ := brokenBackup(t)
	corrupt(t, stats)
	specs := batchSpecs(t, dir)
	out := memsink.New()
	_, sum, err := runBatch(t, storage.Local{}, out, batchOptions(specs, 2))
	var pe *PartialError
	if !errors.As(err, &pe) || !errors.Is(err, ErrPartial) || len(pe.Failed) != 1 || pe.Failed[0] != "rand_lz4.t0" {
		t.Fatalf("err %v, want a partial error for rand_lz4.t0", err)
	}
	m := batchManifestOf(t, out)
	byTable := outcomes(m)
	if r := byTable["rand_lz4.t0"]; m.OK != 2 || m.Failed != 1 || r.Status != StatusFailed ||
		!strings.HasPrefix(r.Error, "rand_lz4.t0: ") || !strings.Contains(r.Error, "Statistics.db") {
		t.Fatalf("manifest %+v", m.Outcomes)
	}
	if sum == nil || sum.Manifest.Failed != 1 {
		t.Errorf("summary %+v", sum)
	}
	files := out.Files()
	if _, ok := files[SuccessFile]; ok {
		t.Error("top-level _SUCCESS with a failed table")
	}
	for _, ts := range specs {
		if ts.Table.String() != "rand_lz4.t0" {
			sameAsSingle(t, files, byTable[ts.Table.String()], ts)
		}
	}

	bo := batchOptions(specs, 2)
	bo.FailFast = true
	_, _, err = runBatch(t, storage.Local{}, memsink.New(), bo)
	if err == nil || errors.Is(err, ErrPartial) || !strings.HasPrefix(err.Error(), "rand_lz4.t0: ") || !strings.Contains(err.Error(), "Statistics.db") {
		t.Fatalf("fail-fast: %v", err)
	}
}

// TestBatchFailFast: a table failing while it runs stops a FailFast batch
// with its error; the top-level manifest records it, and no _SUCCESS.
func TestBatchFailFast(t *testing.T) {
	dir, _, data := brokenBackup(t)
	corrupt(t, data)
	bo := batchOptions(batchSpecs(t, dir), 1)
	bo.FailFast = true
	out := memsink.New()
	_, sum, err := runBatch(t, storage.Local{}, out, bo)
	if err == nil || sum != nil || errors.Is(err, ErrPartial) || !strings.HasPrefix(err.Error(), "edge.wide: ") || !strings.Contains(err.Error(), "Data.db") {
		t.Fatalf("fail-fast: %v", err)
	}
	if _, err := out.Get(context.Background(), SuccessFile); err == nil {
		t.Error("top-level _SUCCESS after fail-fast")
	}
	if r := outcomes(batchManifestOf(t, out))["edge.wide"]; r.Status != StatusFailed || !strings.Contains(r.Error, "Data.db") {
		t.Errorf("edge.wide: %+v", r)
	}
}

// TestBatchResume: a table failing mid-run fails alone; a resumed run
// leaves the complete tables' files untouched and completes the failed one
// as a single-table run would.
func TestBatchResume(t *testing.T) {
	dir, _, data := brokenBackup(t)
	restore := corrupt(t, data)
	specs := batchSpecs(t, dir)
	out := memsink.New()
	_, _, err := runBatch(t, storage.Local{}, out, batchOptions(specs, 2))
	var pe *PartialError
	if !errors.As(err, &pe) || len(pe.Failed) != 1 || pe.Failed[0] != "edge.wide" {
		t.Fatalf("err %v, want a partial error for edge.wide", err)
	}
	if r := outcomes(batchManifestOf(t, out))["edge.wide"]; r.Status != StatusFailed || !strings.Contains(r.Error, "oa-1-big-Data.db") {
		t.Fatalf("edge.wide: %+v", r)
	}
	before := out.Files()

	restore()
	bo := batchOptions(specs, 2)
	bo.Resume = true
	if _, _, err := runBatch(t, storage.Local{}, out, bo); err != nil {
		t.Fatalf("resume: %v", err)
	}
	after := out.Files()
	for name, b := range before {
		if strings.HasPrefix(name, "edge/counters/") || strings.HasPrefix(name, "rand_lz4/t0/") {
			if !bytes.Equal(after[name], b) {
				t.Errorf("%s changed on resume", name)
			}
		}
	}
	m := batchManifestOf(t, out)
	if m.OK != 3 || m.Failed != 0 {
		t.Fatalf("resumed manifest %+v", m.Outcomes)
	}
	if _, ok := after[SuccessFile]; !ok {
		t.Fatal("no top-level _SUCCESS after resume")
	}
	byTable := outcomes(m)
	for _, ts := range specs {
		sameAsSingle(t, after, byTable[ts.Table.String()], ts)
	}
}
