package s3_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/aegisthus/aegisthus/internal/sink"
	s3sink "github.com/aegisthus/aegisthus/internal/sink/s3"
	"github.com/aegisthus/aegisthus/internal/sink/sinktest"
	s3store "github.com/aegisthus/aegisthus/internal/storage/s3"
	"github.com/aegisthus/aegisthus/internal/storage/s3/s3test"
)

// 5 MiB parts (S3's minimum) and a 1-byte threshold, so every file but an
// empty one goes up as a multipart upload and the large one in several parts.
var testOpts = s3sink.Options{PartSize: 5 << 20, MultipartThreshold: 1}

func TestConformance(t *testing.T) {
	srv := s3test.Shared(t)
	c := srv.Client(t)
	bucket := s3test.Bucket(t, c)
	n := 0
	sinktest.Run(t, func(t *testing.T) sink.Sink {
		n++
		s, err := s3sink.New(c, "s3://"+bucket+"/run"+strings.Repeat("x", n%3)+"/"+t.Name(), testOpts)
		if err != nil {
			t.Fatal(err)
		}
		return s
	}, sinktest.Options{LargeSize: 12<<20 + 12345})
}

func TestBucketRoot(t *testing.T) {
	srv := s3test.Shared(t)
	c := srv.Client(t)
	bucket := s3test.Bucket(t, c)
	s, err := s3sink.New(c, "s3://"+bucket, testOpts)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if err := s.Put(ctx, "_SUCCESS", nil); err != nil {
		t.Fatal(err)
	}
	names, err := s.List(ctx)
	if err != nil || len(names) != 1 || names[0] != "_SUCCESS" {
		t.Fatalf("List = %v, %v", names, err)
	}
}

func TestMissingBucket(t *testing.T) {
	srv := s3test.Shared(t)
	c := srv.Client(t)
	s, err := s3sink.New(c, "s3://aegisthus-no-such-bucket/out", testOpts)
	if err != nil {
		t.Fatal(err)
	}
	_, err = s.List(context.Background())
	if !errors.Is(err, s3store.ErrNoBucket) || !strings.Contains(err.Error(), "aegisthus-no-such-bucket") {
		t.Fatalf("List in a missing bucket: %v, want ErrNoBucket naming it", err)
	}
	w, err := s.Create(context.Background(), "part-00000.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("x"))
	if err := w.Commit(); !errors.Is(err, s3store.ErrNoBucket) {
		t.Fatalf("Commit in a missing bucket: %v, want ErrNoBucket", err)
	}
}

func TestBadCredentials(t *testing.T) {
	srv := s3test.Shared(t)
	c := srv.Client(t)
	bucket := s3test.Bucket(t, c)
	bad := *srv
	bad.SecretKey = "wrong-secret"
	s, err := s3sink.New(bad.Client(t), "s3://"+bucket+"/out", testOpts)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Put(context.Background(), "x", []byte("1")); !errors.Is(err, s3store.ErrAccessDenied) {
		t.Fatalf("Put with a wrong secret: %v, want ErrAccessDenied", err)
	}
}

// A run that died without aborting leaves an upload open; the next upload of
// the same name and Cleanup of its name clear it, and an upload of any other
// key under the same prefix (another program's) survives both.
func TestStaleUploads(t *testing.T) {
	srv := s3test.Shared(t)
	c := srv.Client(t)
	bucket := s3test.Bucket(t, c)
	ctx := context.Background()
	for _, k := range []string{"out/part-00000.jsonl", "out/part-00001.jsonl", "out/theirs.bin"} {
		if _, err := c.CreateMultipartUpload(ctx, &awss3.CreateMultipartUploadInput{Bucket: &bucket, Key: &k}); err != nil {
			t.Fatal(err)
		}
	}
	s, err := s3sink.New(c, "s3://"+bucket+"/out", testOpts)
	if err != nil {
		t.Fatal(err)
	}
	w, err := s.Create(ctx, "part-00000.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	w.Write([]byte("row\n"))
	if err := w.Commit(); err != nil {
		t.Fatal(err)
	}
	if p, _ := s.Pending(ctx); !slices.Equal(p, []string{"out/part-00001.jsonl", "out/theirs.bin"}) {
		t.Fatalf("Pending after re-upload of part 0 = %v, want part 1 and theirs.bin", p)
	}
	if err := s.Cleanup(ctx, []string{"part-00001.jsonl", "part-00002.jsonl"}); err != nil {
		t.Fatalf("Cleanup: %v", err)
	}
	if p, _ := s.Pending(ctx); !slices.Equal(p, []string{"out/theirs.bin"}) {
		t.Fatalf("Pending after Cleanup = %v, want theirs.bin only", p)
	}
}

// loseCreate passes the first lose CreateMultipartUpload requests to the server
// and drops their answers, as a connection that dies after the request reached
// S3 does: the server opened an upload the client never hears of.
type loseCreate struct {
	lose, n atomic.Int32
}

func (l *loseCreate) RoundTrip(r *http.Request) (*http.Response, error) {
	resp, err := http.DefaultTransport.RoundTrip(r)
	if err == nil && r.Method == http.MethodPost && r.URL.Query().Has("uploads") && l.n.Add(1) <= l.lose.Load() {
		resp.Body.Close()
		return nil, io.ErrUnexpectedEOF
	}
	return resp, err
}

// TestLostCreate: uploads opened by CreateMultipartUpload requests whose
// answers were lost are aborted when the transfer fails, whether the create
// never got an answer (so no upload ID is known) or a retry got one.
func TestLostCreate(t *testing.T) {
	srv := s3test.Shared(t)
	c := srv.Client(t)
	bucket := s3test.Bucket(t, c)
	ctx := context.Background()
	for _, tc := range []struct {
		name   string
		lose   int32
		commit bool // commit (the transfer fails) or abort the body
	}{
		{"every answer lost", 1 << 20, true},
		{"first answer lost, body aborted", 1, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			lc := &loseCreate{}
			lc.lose.Store(tc.lose)
			fc, err := s3store.NewClient(ctx, s3store.Config{Endpoint: srv.Endpoint, MaxAttempts: 3, MaxBackoff: 10 * time.Millisecond, HTTPClient: &http.Client{Transport: lc}})
			if err != nil {
				t.Fatal(err)
			}
			s, err := s3sink.New(fc, "s3://"+bucket+"/"+strings.ReplaceAll(tc.name, " ", "-"), testOpts)
			if err != nil {
				t.Fatal(err)
			}
			w, err := s.Create(ctx, "part-00000.jsonl")
			if err != nil {
				t.Fatal(err)
			}
			if tc.commit {
				w.Write([]byte("row\n"))
				if err := w.Commit(); err == nil {
					t.Fatal("Commit succeeded though no create was answered")
				}
			} else {
				// 5 MiB fills the first part: the upload is open when the body fails.
				if _, err := w.Write(bytes.Repeat([]byte("x"), 5<<20+1)); err != nil {
					t.Fatal(err)
				}
				if err := w.Abort(); err != nil {
					t.Fatalf("Abort: %v", err)
				}
			}
			if lc.n.Load() < 2 {
				t.Fatalf("%d creates sent, want the lost one retried", lc.n.Load())
			}
			if p, err := s.Pending(ctx); err != nil || len(p) != 0 {
				t.Fatalf("uploads left open after %d creates: %v, %v", lc.n.Load(), p, err)
			}
		})
	}
}

// TestLock: the lock object is created only when absent (a conditional PUT),
// a second run fails naming the first, and unlock removes it.
func TestLock(t *testing.T) {
	srv := s3test.Shared(t)
	c := srv.Client(t)
	bucket := s3test.Bucket(t, c)
	ctx := context.Background()
	s, err := s3sink.New(c, "s3://"+bucket+"/out", testOpts)
	if err != nil {
		t.Fatal(err)
	}
	unlock, err := s.Lock(ctx, sink.Self())
	if err != nil {
		t.Fatalf("Lock: %v", err)
	}
	other := sink.Self()
	other.PID++
	if _, err := s.Lock(ctx, other); !errors.Is(err, sink.ErrLocked) || !strings.Contains(err.Error(), "pid") {
		t.Fatalf("second Lock: %v, want ErrLocked naming the holder", err)
	}
	if err := unlock(); err != nil {
		t.Fatalf("unlock: %v", err)
	}
	unlock, err = s.Lock(ctx, other)
	if err != nil {
		t.Fatalf("Lock after unlock: %v", err)
	}
	unlock()
	if names, _ := s.List(ctx); len(names) != 0 {
		t.Fatalf("left %v", names)
	}
}
