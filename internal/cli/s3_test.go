package cli

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/aegisthus/aegisthus/internal/pipeline"
	"github.com/aegisthus/aegisthus/internal/render/parquetrows/pqtest"
	s3sink "github.com/aegisthus/aegisthus/internal/sink/s3"
	"github.com/aegisthus/aegisthus/internal/storage"
	s3store "github.com/aegisthus/aegisthus/internal/storage/s3"
	"github.com/aegisthus/aegisthus/internal/storage/s3/s3test"
)

// The S3 tests run against a real MinIO (make test-s3) and skip without one.

// sampleInputs returns the three replicas' snapshot directories of table in the
// sample snapshot, relative to its root.
func sampleInputs(t testing.TB, table string) (root string, rel []string) {
	root = filepath.Join(repoTestdata(t), "sample-snapshot")
	abs, _ := filepath.Glob(filepath.Join(root, "node*", "*", table+"-*", "snapshots", "*"))
	if len(abs) != 3 {
		t.Fatalf("want 3 replicas of %s, found %v", table, abs)
	}
	for _, a := range abs {
		r, _ := filepath.Rel(root, a)
		rel = append(rel, filepath.ToSlash(r))
	}
	return root, rel
}

const sampleNow = "2026-11-22T20:39:06Z"

// s3Export runs an export with test-sized S3 settings: every part a multipart
// upload, small read windows.
func s3Export(t *testing.T, o exportOptions, store storage.Store) error {
	t.Helper()
	if o.workers == 0 {
		o.workers = 2
	}
	o.splitSize, o.now, o.compress = "8KiB", sampleNow, "none"
	o.layout, o.logFormat, o.quiet = "rows", "text", true
	o.s3.sinkOpts = s3sink.Options{PartSize: 5 << 20, MultipartThreshold: 1}
	return o.run(context.Background(), store, io.Discard)
}

// download copies the objects under s3://bucket/prefix into a directory.
func download(t *testing.T, c *awss3.Client, bucket, prefix string) string {
	t.Helper()
	dir := t.TempDir()
	p := awss3.NewListObjectsV2Paginator(c, &awss3.ListObjectsV2Input{Bucket: &bucket, Prefix: aws.String(prefix + "/")})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range page.Contents {
			out, err := c.GetObject(context.Background(), &awss3.GetObjectInput{Bucket: &bucket, Key: o.Key})
			if err != nil {
				t.Fatal(err)
			}
			b, err := io.ReadAll(out.Body)
			out.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			name := strings.TrimPrefix(aws.ToString(o.Key), prefix+"/")
			os.WriteFile(filepath.Join(dir, name), b, 0o644)
		}
	}
	return dir
}

// sameParts checks that two export directories hold the same part files, byte
// for byte, and the same rows.
func sameParts(t *testing.T, want, got string) {
	t.Helper()
	if w, g := readParts(t, want), readParts(t, got); !slices.Equal(w, g) {
		t.Fatalf("rows differ: %d want, %d got", len(w), len(g))
	}
	parts, _ := filepath.Glob(filepath.Join(want, "part-*"))
	if len(parts) == 0 {
		t.Fatal("no parts")
	}
	for _, p := range parts {
		a, _ := os.ReadFile(p)
		b, err := os.ReadFile(filepath.Join(got, filepath.Base(p)))
		if err != nil || !bytes.Equal(a, b) {
			t.Fatalf("%s differs (%v)", filepath.Base(p), err)
		}
	}
}

// TestS3ExportEqualsLocal: the sample snapshot read from MinIO exports the same
// parts as from local disk, written locally or to MinIO.
func TestS3ExportEqualsLocal(t *testing.T) {
	srv := s3test.Shared(t)
	c := srv.Client(t)
	bucket := s3test.Bucket(t, c)
	root, _ := sampleInputs(t, "events")
	s3test.Upload(t, c, bucket, "backups", root)
	for _, table := range []string{"events", "page_views"} {
		t.Run(table, func(t *testing.T) {
			_, rel := sampleInputs(t, table)
			var local, remote []string
			for _, r := range rel {
				local = append(local, filepath.Join(root, r))
				remote = append(remote, "s3://"+bucket+"/backups/"+r)
			}
			want := t.TempDir()
			if err := s3Export(t, exportOptions{paths: local, out: want}, storage.Local{}); err != nil {
				t.Fatal(err)
			}

			// S3 in, local out, through the command line.
			got := t.TempDir()
			root := NewRoot()
			root.SetArgs(append([]string{"export", "--out", got, "--now", sampleNow, "--split-size", "8KiB", "-w", "2", "-q",
				"--s3-endpoint", srv.Endpoint}, remote...))
			root.SetErr(io.Discard)
			if err := root.Execute(); err != nil {
				t.Fatalf("export from S3: %v", err)
			}
			sameParts(t, want, got)

			// S3 in, S3 out.
			o := exportOptions{paths: remote, out: "s3://" + bucket + "/exports/" + table}
			st, err := o.s3.store(context.Background(), remote)
			if err != nil {
				t.Fatal(err)
			}
			if err := s3Export(t, o, st); err != nil {
				t.Fatal(err)
			}
			sameParts(t, want, download(t, c, bucket, "exports/"+table))
			stats := &o.s3.lastStore.Stats
			t.Logf("%s: %d GETs, %d bytes fetched, %d lists, %d heads", table, stats.GETs.Load(), stats.GETBytes.Load(), stats.Lists.Load(), stats.HEADs.Load())
			if p := s3test.Pending(t, c, bucket); len(p) != 0 {
				t.Fatalf("uploads left open: %v", p)
			}

			// plan, dump and verify read S3 paths too.
			for _, args := range [][]string{
				append([]string{"plan", "--split-size", "8KiB"}, remote...),
				{"verify", remote[0]},
				{"dump", remote[0]},
				{"metadata", remote[0]},
			} {
				root := NewRoot()
				root.SetArgs(args)
				var out bytes.Buffer
				root.SetOut(&out)
				root.SetErr(io.Discard)
				if err := root.Execute(); err != nil || out.Len() == 0 {
					t.Errorf("%s: %v (%d bytes out)", args[0], err, out.Len())
				}
			}
		})
	}
}

// sampleInS3 uploads the sample snapshot to s3://bucket/backups and returns
// table's replicas twice: local directories, and the same in the bucket.
func sampleInS3(t *testing.T, c *awss3.Client, bucket, table string) (local, remote []string) {
	t.Helper()
	root, rel := sampleInputs(t, table)
	s3test.Upload(t, c, bucket, "backups", root)
	for _, r := range rel {
		local = append(local, filepath.Join(root, r))
		remote = append(remote, "s3://"+bucket+"/backups/"+r)
	}
	return local, remote
}

// TestS3ParquetEqualsLocal: a Parquet export written to MinIO (every part a
// multipart upload), from local inputs and from the same inputs in MinIO,
// holds the parts of the Parquet export written locally, byte for byte,
// under the same manifest entries; the library's reader reads them all.
func TestS3ParquetEqualsLocal(t *testing.T) {
	srv := s3test.Shared(t)
	c := srv.Client(t)
	bucket := s3test.Bucket(t, c)
	local, remote := sampleInS3(t, c, bucket, "events")
	want := t.TempDir()
	if err := s3Export(t, exportOptions{paths: local, out: want, format: "parquet"}, storage.Local{}); err != nil {
		t.Fatal(err)
	}
	m := readManifest(t, want)
	if m.Format != "parquet" || m.Compress != "zstd" || len(m.Parts) < 2 {
		t.Fatalf("local export: format %q, compress %q, %d parts; want parquet, zstd, several", m.Format, m.Compress, len(m.Parts))
	}
	var rows int64
	for _, p := range m.Parts {
		b, err := os.ReadFile(filepath.Join(want, p.Name))
		if err != nil {
			t.Fatal(err)
		}
		got, err := pqtest.Rows(b)
		if err != nil || int64(len(got)) != p.Rows {
			t.Fatalf("%s: %d rows read (%v), manifest says %d", p.Name, len(got), err, p.Rows)
		}
		rows += p.Rows
	}
	if rows != m.Rows || rows == 0 {
		t.Fatalf("parts hold %d rows, manifest says %d", rows, m.Rows)
	}
	for _, tc := range []struct {
		name  string
		paths []string
	}{{"local in", local}, {"S3 in", remote}} {
		t.Run(tc.name, func(t *testing.T) {
			prefix := "parquet/" + strings.ReplaceAll(tc.name, " ", "-")
			o := exportOptions{paths: tc.paths, out: "s3://" + bucket + "/" + prefix, format: "parquet"}
			st, err := o.s3.store(context.Background(), tc.paths)
			if err != nil {
				t.Fatal(err)
			}
			if err := s3Export(t, o, st); err != nil {
				t.Fatal(err)
			}
			got := download(t, c, bucket, prefix)
			for _, p := range m.Parts {
				a, _ := os.ReadFile(filepath.Join(want, p.Name))
				b, err := os.ReadFile(filepath.Join(got, p.Name))
				if err != nil || !bytes.Equal(a, b) {
					t.Errorf("%s differs from the local export's (%d bytes, %d local; %v)", p.Name, len(b), len(a), err)
				}
			}
			if names, _ := filepath.Glob(filepath.Join(got, "part-*")); len(names) != len(m.Parts) {
				t.Errorf("%d parts in S3, %d local", len(names), len(m.Parts))
			}
			gm := readManifest(t, got)
			if !slices.EqualFunc(gm.Parts, m.Parts, func(a, b pipeline.PartInfo) bool {
				return a.Name == b.Name && a.Rows == b.Rows && a.Bytes == b.Bytes && a.SHA256 == b.SHA256
			}) || gm.Rows != m.Rows || gm.Format != m.Format || gm.Compress != m.Compress {
				t.Errorf("manifest in S3 differs: %d parts, %d rows, %s/%s; local %d parts, %d rows",
					len(gm.Parts), gm.Rows, gm.Format, gm.Compress, len(m.Parts), m.Rows)
			}
			if p := s3test.Pending(t, c, bucket); len(p) != 0 {
				t.Fatalf("uploads left open: %v", p)
			}
		})
	}
}

// TestS3BackupLayouts reads Medusa (full and differential) and Priam
// (Snappy-framed) backups and plain
// snapshot copies from MinIO.
func TestS3BackupLayouts(t *testing.T) {
	srv := s3test.Shared(t)
	c := srv.Client(t)
	bucket := s3test.Bucket(t, c)
	plain, medusa, priam, want, node1 := layoutTrees(t)
	s3test.Upload(t, c, bucket, "plain", plain)
	s3test.Upload(t, c, bucket, "medusa", medusa)
	s3test.Upload(t, c, bucket, "priam", priam)
	diff, gen1 := medusaDifferential(t)
	s3test.Upload(t, c, bucket, "diff", diff)
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"s3://" + bucket + "/plain", "--backup", "sample"}, want},
		{[]string{"s3://" + bucket + "/plain", "--backup", "other", "--nodes", "node1"}, node1},
		{[]string{"s3://" + bucket + "/medusa/"}, want},
		{[]string{"s3://" + bucket + "/priam", "--backup-layout", "priam"}, want},
		{[]string{"s3://" + bucket + "/diff", "--backup", "b2"}, want},
		{[]string{"s3://" + bucket + "/diff", "--backup", "b1"}, gen1},
	} {
		got, err := runExport(t, append(tc.args, "--s3-endpoint", srv.Endpoint)...)
		if err != nil {
			t.Fatalf("%v: %v", tc.args, err)
		}
		if !slices.Equal(got, tc.want) {
			t.Fatalf("%v: %d rows differ from the %d wanted", tc.args, len(got), len(tc.want))
		}
	}
}

// TestS3Errors: bad credentials, a missing bucket and a missing component give
// clear errors and the exit codes for bad input (1) and output (3).
func TestS3Errors(t *testing.T) {
	srv := s3test.Shared(t)
	c := srv.Client(t)
	bucket := s3test.Bucket(t, c)
	root, rel := sampleInputs(t, "events")
	s3test.Upload(t, c, bucket, "backups", filepath.Join(root, rel[0]))
	// The same replica with one SSTable's Statistics.db missing.
	s3test.Upload(t, c, bucket, "broken", filepath.Join(root, rel[0]))
	var victim string
	p := awss3.NewListObjectsV2Paginator(c, &awss3.ListObjectsV2Input{Bucket: &bucket, Prefix: aws.String("broken/")})
	for p.HasMorePages() {
		page, _ := p.NextPage(context.Background())
		for _, o := range page.Contents {
			if strings.HasSuffix(aws.ToString(o.Key), "-Statistics.db") && victim == "" {
				victim = aws.ToString(o.Key)
			}
		}
	}
	if _, err := c.DeleteObject(context.Background(), &awss3.DeleteObjectInput{Bucket: &bucket, Key: &victim}); err != nil {
		t.Fatal(err)
	}
	in := "s3://" + bucket + "/backups"
	local := filepath.Join(root, rel[0])

	for _, tc := range []struct {
		name      string
		secret    string
		args      []string
		code      int
		wantInMsg []string
	}{
		{"input bad credentials", "wrong", []string{"export", in, "--out", t.TempDir()}, ExitBadInput, []string{"access denied", "credentials were rejected", in}},
		{"input missing bucket", "", []string{"export", "s3://aegisthus-no-such-bucket/x", "--out", t.TempDir()}, ExitBadInput, []string{"bucket aegisthus-no-such-bucket", "does not exist"}},
		{"input empty prefix", "", []string{"export", in + "-nothing", "--out", t.TempDir()}, ExitBadInput, []string{"no sstables found"}},
		{"input missing component", "", []string{"export", "s3://" + bucket + "/broken", "--out", t.TempDir()}, ExitBadInput, []string{"s3://" + bucket + "/" + victim, "missing component"}},
		{"verify missing component", "", []string{"verify", "s3://" + bucket + "/broken"}, ExitBadInput, []string{filepath.Base(victim)}},
		{"output bad credentials", "wrong", []string{"export", local, "--out", "s3://" + bucket + "/out"}, ExitOutput, []string{"access denied"}},
		{"output missing bucket", "", []string{"export", local, "--out", "s3://aegisthus-no-such-bucket/out"}, ExitOutput, []string{"bucket aegisthus-no-such-bucket", "does not exist"}},
		{"output no credentials", "-", []string{"export", local, "--out", "s3://" + bucket + "/out"}, ExitUsage, []string{"no AWS credentials found"}},
		{"input no credentials", "-", []string{"dump", in}, ExitUsage, []string{"no AWS credentials found"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			switch tc.secret {
			case "":
				srv.Env(t)
			case "-":
				s3test.SetEnv(t, "", "")
			default:
				s3test.SetEnv(t, srv.AccessKey, tc.secret)
			}
			t.Setenv("AWS_MAX_ATTEMPTS", "2")
			r := NewRoot()
			args := append(tc.args, "--s3-endpoint", srv.Endpoint)
			if args[0] == "export" {
				args = append(args, "--now", sampleNow)
			}
			r.SetArgs(args)
			var stdout bytes.Buffer
			r.SetOut(&stdout)
			r.SetErr(io.Discard)
			err := r.Execute()
			if got := ExitCode(err); got != tc.code {
				t.Errorf("exit code %d, want %d: %v", got, tc.code, err)
			}
			for _, w := range tc.wantInMsg {
				// verify lists its failures on stdout and sums them up in the error.
				if err == nil || !strings.Contains(err.Error()+stdout.String(), w) {
					t.Errorf("error %q does not say %q", err, w)
				}
			}
		})
	}
}

// killOnPart kills MinIO as the at-th UploadPart request goes out: the
// multipart upload exists, and nothing can complete or abort it until the
// server is back.
type killOnPart struct {
	rt    http.RoundTripper
	n, at int32
	kill  func()
}

func (k *killOnPart) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method == http.MethodPut && r.URL.Query().Has("partNumber") && atomic.AddInt32(&k.n, 1) == k.at {
		k.kill()
	}
	return k.rt.RoundTrip(r)
}

// TestS3Fault kills MinIO while an export writes to it, with multipart uploads
// open, and brings it back a few seconds later, after the requests' retries
// gave up: the run fails with a clear output error, leaves no _SUCCESS and no
// open multipart upload (the aborts outlast the outage), and --resume then
// completes and equals an uninterrupted run.
func TestS3Fault(t *testing.T) {
	srv := s3test.Start(t)
	c := srv.Client(t)
	bucket := s3test.Bucket(t, c)
	_, rel := sampleInputs(t, "events")
	root := filepath.Join(repoTestdata(t), "sample-snapshot")
	var inputs []string
	for _, r := range rel {
		inputs = append(inputs, filepath.Join(root, r))
	}
	want := t.TempDir()
	if err := s3Export(t, exportOptions{paths: inputs, out: want, workers: 1}, storage.Local{}); err != nil {
		t.Fatal(err)
	}
	units, _ := filepath.Glob(filepath.Join(want, "part-*"))

	out := "s3://" + bucket + "/out"
	restarted := make(chan error, 1)
	var killed atomic.Bool
	faulty := &killOnPart{rt: http.DefaultTransport, at: int32(len(units) / 2), kill: func() {
		killed.Store(true)
		srv.Stop(t)
		go func() {
			time.Sleep(5 * time.Second)
			restarted <- srv.Start()
		}()
	}}
	t.Setenv("AWS_MAX_ATTEMPTS", "2") // each request gives up within the outage
	fc, err := s3store.NewClient(context.Background(), s3store.Config{Endpoint: srv.Endpoint, HTTPClient: &http.Client{Transport: faulty}})
	if err != nil {
		t.Fatal(err)
	}
	o := exportOptions{paths: inputs, out: out, workers: 2}
	o.s3.client = fc
	start := time.Now()
	err = s3Export(t, o, storage.Local{})
	if !killed.Load() {
		t.Fatalf("the fault never fired (%d units)", len(units))
	}
	if err == nil {
		t.Fatal("export succeeded while MinIO was down")
	}
	t.Logf("export failed after %v as it should: %v", time.Since(start).Round(time.Millisecond), err)
	// An outage is neither bad input nor a broken output: exit 6, and the
	// message still says it was the output that could not be written.
	if ExitCode(err) != ExitUnreachable || !strings.Contains(err.Error(), "output") || !strings.Contains(err.Error(), out) {
		t.Errorf("error (exit code %d) does not say the output became unreachable: %v", ExitCode(err), err)
	}
	if err := <-restarted; err != nil {
		t.Fatal(err)
	}
	names := listNames(t, c, bucket, "out/")
	if slices.Contains(names, pipeline.SuccessFile) {
		t.Fatal("_SUCCESS after a failed run")
	}
	if p := pendingParts(t, c, bucket, "out/", len(units)); len(p) != 0 {
		t.Fatalf("multipart uploads left open: %v", p)
	}
	committed := 0
	for _, n := range names {
		if strings.HasPrefix(n, "part-") {
			committed++
		}
	}
	t.Logf("%d of %d parts committed before the outage", committed, len(units))

	o = exportOptions{paths: inputs, out: out, workers: 2, resume: true}
	if err := s3Export(t, o, storage.Local{}); err != nil {
		t.Fatalf("resume: %v", err)
	}
	sameParts(t, want, download(t, c, bucket, "out"))
	if p := pendingParts(t, c, bucket, "out/", len(units)); len(p) != 0 {
		t.Fatalf("multipart uploads left open after resume: %v", p)
	}
}

func listNames(t *testing.T, c *awss3.Client, bucket, prefix string) []string {
	var names []string
	p := awss3.NewListObjectsV2Paginator(c, &awss3.ListObjectsV2Input{Bucket: &bucket, Prefix: &prefix})
	for p.HasMorePages() {
		page, err := p.NextPage(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range page.Contents {
			names = append(names, strings.TrimPrefix(aws.ToString(o.Key), prefix))
		}
	}
	return names
}

// pendingParts lists open uploads of every part name by exact key (MinIO lists
// uploads by key, and by bucket only from memory, which a restart empties).
func pendingParts(t *testing.T, c *awss3.Client, bucket, prefix string, units int) []string {
	var open []string
	for i := range units + 2 {
		key := fmt.Sprintf("%spart-%05d.jsonl", prefix, i)
		out, err := c.ListMultipartUploads(context.Background(), &awss3.ListMultipartUploadsInput{Bucket: &bucket, Prefix: &key})
		if err != nil {
			t.Fatal(err)
		}
		for _, u := range out.Uploads {
			open = append(open, aws.ToString(u.Key))
		}
	}
	return append(open, s3test.Pending(t, c, bucket)...)
}

// killOnGet kills MinIO as the at-th ranged GET of a Data.db goes out.
type killOnGet struct {
	rt    http.RoundTripper
	n, at int32
	kill  func()
}

func (k *killOnGet) RoundTrip(r *http.Request) (*http.Response, error) {
	if r.Method == http.MethodGet && strings.HasSuffix(r.URL.Path, "-Data.db") && atomic.AddInt32(&k.n, 1) == k.at {
		k.kill()
	}
	return k.rt.RoundTrip(r)
}

// TestS3InputFault kills MinIO while an export reads its SSTables from it: the
// run fails with an input error naming the object (exit 1), leaves no
// _SUCCESS, and --resume after MinIO is back equals an uninterrupted run.
func TestS3InputFault(t *testing.T) {
	srv := s3test.Start(t)
	c := srv.Client(t)
	bucket := s3test.Bucket(t, c)
	local, remote := sampleInS3(t, c, bucket, "events")
	want := t.TempDir()
	if err := s3Export(t, exportOptions{paths: local, out: want}, storage.Local{}); err != nil {
		t.Fatal(err)
	}

	restarted := make(chan error, 1)
	var killed atomic.Bool
	faulty := &killOnGet{rt: http.DefaultTransport, at: 10, kill: func() {
		killed.Store(true)
		srv.Stop(t)
		go func() {
			time.Sleep(3 * time.Second)
			restarted <- srv.Start()
		}()
	}}
	t.Setenv("AWS_MAX_ATTEMPTS", "2")
	fc, err := s3store.NewClient(context.Background(), s3store.Config{Endpoint: srv.Endpoint, HTTPClient: &http.Client{Transport: faulty}})
	if err != nil {
		t.Fatal(err)
	}
	out := t.TempDir()
	o := exportOptions{paths: remote, out: out}
	o.s3.client = fc
	st, err := o.s3.store(context.Background(), remote)
	if err != nil {
		t.Fatal(err)
	}
	err = s3Export(t, o, st)
	if !killed.Load() {
		t.Fatalf("the fault never fired (%d Data.db GETs)", faulty.n)
	}
	if err == nil {
		t.Fatal("export succeeded while MinIO was down")
	}
	t.Logf("export failed as it should: %v", err)
	if ExitCode(err) != ExitUnreachable || !strings.Contains(err.Error(), "s3://"+bucket+"/backups/") {
		t.Errorf("error (exit code %d) does not name the unreachable input: %v", ExitCode(err), err)
	}
	if err := <-restarted; err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(out, pipeline.SuccessFile)); err == nil {
		t.Fatal("_SUCCESS after a failed run")
	}
	// The planner reads Data.db too (it checks index keys against it), so the
	// outage may have stopped the run before it wrote anything to resume.
	_, started := os.Stat(filepath.Join(out, pipeline.HeadFile))
	o = exportOptions{paths: remote, out: out, resume: started == nil}
	st, err = o.s3.store(context.Background(), remote)
	if err != nil {
		t.Fatal(err)
	}
	if err := s3Export(t, o, st); err != nil {
		t.Fatalf("resume: %v", err)
	}
	sameParts(t, want, out)
}

// TestS3BackupSnapshot: the whole 3-node backup, as plain snapshot copies,
// Medusa and Priam trees in MinIO, exports byte-identical per-table outputs
// to the local export of the same backup.
func TestS3BackupSnapshot(t *testing.T) {
	srv := s3test.Shared(t)
	c := srv.Client(t)
	bucket := s3test.Bucket(t, c)
	nodes, meta, _ := backupSnapshot(t)
	medusa, priam := backupTrees(t, nodes, strings.ReplaceAll(meta.CartsOldID, "-", ""))
	s3test.Upload(t, c, bucket, "plain", filepath.Dir(nodes[0]))
	s3test.Upload(t, c, bucket, "medusa", medusa)
	s3test.Upload(t, c, bucket, "priam", priam)
	local, err := exportBackup(t, append(slices.Clone(nodes), "--backup", "backup", "--now", meta.Now)...)
	if err != nil {
		t.Fatal(err)
	}
	for _, args := range [][]string{
		{"s3://" + bucket + "/plain", "--backup", "backup"},
		{"s3://" + bucket + "/medusa", "--backup", "nightly"},
		{"s3://" + bucket + "/priam", "--backup-layout", "priam", "--backup", "202612050945"},
	} {
		out, err := exportBackup(t, append(args, "--now", meta.Now, "--s3-endpoint", srv.Endpoint)...)
		if err != nil {
			t.Fatalf("%v: %v", args, err)
		}
		sameTrees(t, local, out)
	}
}

// TestS3BackupTools: a Priam v2 tree (snappy-java objects, meta files) and an
// esop tree exported from MinIO give the rows they give from local disk.
func TestS3BackupTools(t *testing.T) {
	srv := s3test.Shared(t)
	c := srv.Client(t)
	bucket := s3test.Bucket(t, c)
	src, tableDir, rows := sampleGens(t, []string{"nb-1-big"}, []string{"nb-2-big", "nb-3-big"})
	d1 := time.Date(2026, 12, 1, 7, 57, 12, 0, time.UTC)
	d3 := d1.Add(48 * time.Hour)
	up := func(prefix string, at time.Time) priamUpload { return priamUpload{src, prefix, at} }
	priam := priamV2(t, filepath.Join(t.TempDir(), "priam"), "cass_demo", "1808575600", "demo", tableDir, map[time.Time][]priamUpload{
		d1: {up("nb-1-big", d1), up("manifest", d1)},
		d3: {up("nb-2-big", d3), up("nb-3-big", d3), up("manifest", d3)}, // nb-1 compacted away
	}, "PLAINTEXT")
	esop := esopTree(t, filepath.Join(t.TempDir(), "esop"), src, tableDir, map[string][]string{"monday": {"nb-1-big"}})
	s3test.Upload(t, c, bucket, "priam", priam)
	s3test.Upload(t, c, bucket, "esop", esop)
	schema := filepath.Join(src, "schema.cql")
	for _, tc := range []struct {
		args []string
		want []string
	}{
		{[]string{"s3://" + bucket + "/priam", "--backup", "202612010757"}, rows[0]},
		{[]string{"s3://" + bucket + "/priam", "--backup", "202612030757"}, rows[1]},
		{[]string{"s3://" + bucket + "/esop", "--backup", "monday"}, rows[0]},
	} {
		got, err := runExport(t, append(tc.args, "--schema", schema, "--s3-endpoint", srv.Endpoint)...)
		if err != nil {
			t.Fatalf("%v: %v", tc.args, err)
		}
		if !slices.Equal(got, tc.want) {
			t.Fatalf("%v: %d rows differ from the %d wanted", tc.args, len(got), len(tc.want))
		}
	}
}
