package s3_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"io/fs"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	s3store "github.com/aegisthus/aegisthus/internal/storage/s3"
	"github.com/aegisthus/aegisthus/internal/storage/s3/s3test"
)

func TestParseURL(t *testing.T) {
	for _, tc := range []struct{ in, bucket, key string }{
		{"s3://b", "b", ""},
		{"s3://b/", "b", ""},
		{"s3://b/k/x.db", "b", "k/x.db"},
		{"s3:/b/k/x.db", "b", "k/x.db"}, // filepath.Clean's form
		{filepath.Join("s3://b/k", "x.db"), "b", "k/x.db"},
	} {
		b, k, err := s3store.ParseURL(tc.in)
		if err != nil || b != tc.bucket || k != tc.key {
			t.Errorf("ParseURL(%q) = %q, %q, %v; want %q, %q", tc.in, b, k, err, tc.bucket, tc.key)
		}
	}
	for _, bad := range []string{"/tmp/x", "s3://", "s3:///k"} {
		if _, _, err := s3store.ParseURL(bad); err == nil {
			t.Errorf("ParseURL(%q) succeeded", bad)
		}
	}
}

func TestNoCredentials(t *testing.T) {
	s3test.SetEnv(t, "", "")
	_, err := s3store.NewClient(context.Background(), s3store.Config{Endpoint: "http://127.0.0.1:1"})
	if !errors.Is(err, s3store.ErrNoCredentials) || !strings.Contains(err.Error(), "AWS_ACCESS_KEY_ID") {
		t.Fatalf("NewClient without credentials: %v, want ErrNoCredentials with a hint", err)
	}
}

func setup(t *testing.T, opts s3store.Options) (*s3store.Store, string, []byte) {
	srv := s3test.Shared(t)
	c := srv.Client(t)
	bucket := s3test.Bucket(t, c)
	dir := t.TempDir()
	data := make([]byte, 9<<20+777)
	r := rand.New(rand.NewPCG(3, 4))
	for i := range data {
		data[i] = byte(r.Uint32())
	}
	os.MkdirAll(filepath.Join(dir, "ks", "t-1"), 0o755)
	os.WriteFile(filepath.Join(dir, "ks", "t-1", "nb-1-big-Data.db"), data, 0o644)
	os.WriteFile(filepath.Join(dir, "ks", "t-1", "nb-1-big-TOC.txt"), []byte("Data.db\n"), 0o644)
	os.WriteFile(filepath.Join(dir, "ks", "t-10"), []byte("not under t-1"), 0o644)
	s3test.Upload(t, c, bucket, "snap", dir)
	return s3store.New(context.Background(), c, opts), bucket, data
}

func TestStore(t *testing.T) {
	st, bucket, data := setup(t, s3store.Options{})
	root := "s3://" + bucket + "/snap/ks/t-1"

	var got []string
	if err := st.Walk(root, func(p string, size int64) error {
		got = append(got, p)
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	if want := []string{root + "/nb-1-big-Data.db", root + "/nb-1-big-TOC.txt"}; strings.Join(got, " ") != strings.Join(want, " ") {
		t.Fatalf("Walk = %v, want %v", got, want)
	}
	// One object as the root; the cleaned URL form.
	got = nil
	st.Walk(filepath.Join(root, "nb-1-big-TOC.txt"), func(p string, _ int64) error { got = append(got, p); return nil })
	if len(got) != 1 {
		t.Fatalf("Walk of one object = %v", got)
	}

	b, err := st.ReadFile(filepath.Join(root, "nb-1-big-TOC.txt"), 100)
	if err != nil || string(b) != "Data.db\n" {
		t.Fatalf("ReadFile = %q, %v", b, err)
	}
	if _, err := st.ReadFile(root+"/nb-1-big-Data.db", 100); err == nil {
		t.Fatal("ReadFile over the limit succeeded")
	}
	if _, err := st.Open(root + "/nb-1-big-Index.db"); !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "nb-1-big-Index.db") {
		t.Fatalf("Open of a missing object: %v, want fs.ErrNotExist naming it", err)
	}
	if st.Exists(root+"/nb-1-big-Index.db") || !st.Exists(root+"/nb-1-big-Data.db") {
		t.Fatal("Exists is wrong")
	}

	f, err := st.Open(root + "/nb-1-big-Data.db")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if f.Size() != int64(len(data)) {
		t.Fatalf("Size = %d, want %d", f.Size(), len(data))
	}
	// Random reads from several goroutines, some past the end.
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			r := rand.New(rand.NewPCG(uint64(g), 9))
			for range 200 {
				off := r.Int64N(int64(len(data)) + 10)
				p := make([]byte, r.IntN(200_000))
				n, err := f.ReadAt(p, off)
				want := data[min(off, int64(len(data))):min(off+int64(len(p)), int64(len(data)))]
				if n != len(want) || !bytes.Equal(p[:n], want) {
					t.Errorf("ReadAt(%d, %d) = %d bytes that differ", off, len(p), n)
					return
				}
				if n < len(p) && err != io.EOF {
					t.Errorf("short ReadAt(%d, %d) = %d, %v; want io.EOF", off, len(p), n, err)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// Sequential chunk-sized reads, as the chunk reader does for a unit, become a
// few large GETs and fetch each byte about once.
func TestSequentialReadAhead(t *testing.T) {
	st, bucket, data := setup(t, s3store.Options{MaxWindow: 4 << 20})
	f, err := st.Open("s3://" + bucket + "/snap/ks/t-1/nb-1-big-Data.db")
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	gets0, bytes0 := st.Stats.GETs.Load(), st.Stats.GETBytes.Load()
	var out []byte
	p := make([]byte, 16<<10-100)
	for off := int64(0); ; {
		n, err := f.ReadAt(p, off)
		out = append(out, p[:n]...)
		off += int64(n)
		if err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
	}
	if !bytes.Equal(out, data) {
		t.Fatal("sequential reads differ from the object")
	}
	gets, fetched := st.Stats.GETs.Load()-gets0, st.Stats.GETBytes.Load()-bytes0
	t.Logf("%d reads of %d bytes: %d GETs, %d bytes fetched for %d", len(data)/len(p)+1, len(p), gets, fetched, len(data))
	if fetched != int64(len(data)) {
		t.Errorf("fetched %d bytes for an object of %d", fetched, len(data))
	}
	if gets > 10 {
		t.Errorf("%d GETs for %d bytes read sequentially; want a few large ones", gets, len(data))
	}
}

func TestErrors(t *testing.T) {
	srv := s3test.Shared(t)
	c := srv.Client(t)
	st := s3store.New(context.Background(), c, s3store.Options{})
	err := st.Walk("s3://aegisthus-no-such-bucket/x", func(string, int64) error { return nil })
	if !errors.Is(err, s3store.ErrNoBucket) || !strings.Contains(err.Error(), "aegisthus-no-such-bucket") {
		t.Fatalf("Walk of a missing bucket: %v", err)
	}
	bucket := s3test.Bucket(t, c)
	bad := *srv
	bad.AccessKey = "nobody"
	st = s3store.New(context.Background(), bad.Client(t), s3store.Options{})
	err = st.Walk("s3://"+bucket+"/x", func(string, int64) error { return nil })
	if !errors.Is(err, s3store.ErrAccessDenied) || !strings.Contains(err.Error(), "credentials were rejected") {
		t.Fatalf("Walk with an unknown key: %v", err)
	}
}

// With many files open the read-ahead windows shrink to share the budget.
func TestReadAheadBudget(t *testing.T) {
	st, bucket, data := setup(t, s3store.Options{MaxWindow: 4 << 20, Budget: 4 << 20})
	var files []io.Closer
	for range 8 {
		f, err := st.Open("s3://" + bucket + "/snap/ks/t-1/nb-1-big-TOC.txt")
		if err != nil {
			t.Fatal(err)
		}
		files = append(files, f)
	}
	f, err := st.Open("s3://" + bucket + "/snap/ks/t-1/nb-1-big-Data.db")
	if err != nil {
		t.Fatal(err)
	}
	gets0 := st.Stats.GETs.Load()
	p := make([]byte, 16<<10)
	for off := int64(0); off < int64(len(data)); off += int64(len(p)) {
		if _, err := f.ReadAt(p, off); err != nil && err != io.EOF {
			t.Fatal(err)
		}
	}
	// 9 files share 4 MiB: windows of at most 4 MiB / 36 (~116 KiB, floored at
	// the 128 KiB MinWindow).
	if gets := st.Stats.GETs.Load() - gets0; gets < int64(len(data)/(128<<10)) {
		t.Errorf("%d GETs for %d bytes: the windows did not shrink", gets, len(data))
	}
	f.Close()
	for _, c := range files {
		c.Close()
	}
}

// throttle answers the first n GETs with 503 SlowDown, as S3 does under load,
// and passes everything else to the real server.
type throttle struct {
	n     atomic.Int32
	calls atomic.Int32
}

func (th *throttle) Do(r *http.Request) (*http.Response, error) {
	if r.Method == http.MethodGet && r.URL.Query().Get("list-type") == "" {
		th.calls.Add(1)
		if th.n.Add(-1) >= 0 {
			body := `<?xml version="1.0" encoding="UTF-8"?><Error><Code>SlowDown</Code><Message>Please reduce your request rate.</Message></Error>`
			return &http.Response{StatusCode: http.StatusServiceUnavailable, Status: "503 Slow Down", Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
				Header: http.Header{"Content-Type": {"application/xml"}}, Body: io.NopCloser(strings.NewReader(body)),
				ContentLength: int64(len(body)), Request: r}, nil
		}
	}
	return http.DefaultClient.Do(r)
}

// Throttling is retried with backoff; past the attempts it is an error that
// says so.
func TestThrottling(t *testing.T) {
	srv := s3test.Shared(t)
	c := srv.Client(t)
	bucket := s3test.Bucket(t, c)
	dir := t.TempDir()
	os.WriteFile(filepath.Join(dir, "nb-1-big-TOC.txt"), []byte("Data.db\n"), 0o644)
	s3test.Upload(t, c, bucket, "t", dir)

	th := &throttle{}
	th.n.Store(3)
	tc, err := s3store.NewClient(context.Background(), s3store.Config{Endpoint: srv.Endpoint, MaxAttempts: 5, MaxBackoff: 50 * time.Millisecond, HTTPClient: th})
	if err != nil {
		t.Fatal(err)
	}
	st := s3store.New(context.Background(), tc, s3store.Options{})
	b, err := st.ReadFile("s3://"+bucket+"/t/nb-1-big-TOC.txt", 100)
	if err != nil || string(b) != "Data.db\n" {
		t.Fatalf("ReadFile through 3 SlowDowns: %q, %v", b, err)
	}
	if got := th.calls.Load(); got != 4 {
		t.Errorf("%d GET attempts, want 4 (3 throttled, 1 served)", got)
	}

	th.n.Store(100)
	_, err = st.ReadFile("s3://"+bucket+"/t/nb-1-big-TOC.txt", 100)
	if err == nil || !strings.Contains(err.Error(), "SlowDown") || !strings.Contains(err.Error(), "nb-1-big-TOC.txt") {
		t.Fatalf("ReadFile throttled past its attempts: %v", err)
	}
}
