// Package s3 is a sink.Sink writing an export under an S3 prefix. Each file is
// streamed through the transfer manager (feature/s3/transfermanager): a multipart
// upload once it passes the multipart threshold, a single PUT below it. Either
// way the object appears only when Commit completes it; Abort aborts the
// multipart upload, so no half-written object or upload is left behind.
package s3

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"slices"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	tm "github.com/aws/aws-sdk-go-v2/feature/s3/transfermanager"
	tmtypes "github.com/aws/aws-sdk-go-v2/feature/s3/transfermanager/types"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	s3types "github.com/aws/aws-sdk-go-v2/service/s3/types"
	"github.com/aws/smithy-go"

	"github.com/aegisthus/aegisthus/internal/sink"
	s3store "github.com/aegisthus/aegisthus/internal/storage/s3"
)

// Options tune the uploads.
type Options struct {
	// PartSize is the size of each uploaded part (default and minimum 8 MiB;
	// S3 wants at least 5 MiB for every part but the last).
	PartSize int64
	// MultipartThreshold is the size from which a file goes up as a multipart
	// upload (default: PartSize). Smaller files are one PUT.
	MultipartThreshold int64
	// Concurrency is the number of parts of one file in flight (default 2).
	Concurrency int
	// SSE is the server-side encryption of every object written ("AES256",
	// "aws:kms", "aws:kms:dsse"; "" for the bucket's default), with the KMS
	// key SSEKMSKeyID for the KMS kinds ("" for the account's default key).
	SSE, SSEKMSKeyID string
	// StorageClass of every object written ("" for STANDARD).
	StorageClass string
}

// Sink writes files as objects named prefix/name.
type Sink struct {
	o      Options
	client *awss3.Client
	up     *tm.Client
	bucket string
	prefix string // "" or ending in "/"
	url    string
}

var _ sink.Sink = (*Sink)(nil)

// New returns a sink writing under the s3:// URL dir.
func New(client *awss3.Client, dir string, o Options) (*Sink, error) {
	bucket, key, err := s3store.ParseURL(dir)
	if err != nil {
		return nil, err
	}
	key = strings.Trim(key, "/")
	prefix := ""
	if key != "" {
		prefix = key + "/"
	}
	if o.PartSize <= 0 {
		o.PartSize = 8 << 20
	}
	if o.MultipartThreshold <= 0 {
		o.MultipartThreshold = o.PartSize
	}
	if o.Concurrency <= 0 {
		o.Concurrency = 2
	}
	up := tm.New(client, func(to *tm.Options) {
		to.PartSizeBytes = o.PartSize
		to.MultipartUploadThreshold = o.MultipartThreshold
		to.Concurrency = o.Concurrency
		// The abort after a failure runs on a fresh context, so a cancelled
		// export still aborts its uploads.
		to.FailTimeout = abortTimeout
		to.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
	})
	return &Sink{o: o, client: client, up: up, bucket: bucket, prefix: prefix, url: s3store.URL(bucket, key)}, nil
}

func (s *Sink) String() string { return s.url }

func (s *Sink) key(name string) string { return s.prefix + name }

func (s *Sink) classify(op, name string, err error) error {
	return s3store.Classify(op, s.bucket, s.key(name), err)
}

// errAborted ends the body of an aborted upload.
var errAborted = errors.New("upload aborted")

type writer struct {
	s    *Sink
	name string
	pw   *io.PipeWriter
	res  chan error
	done bool
}

// Create starts an upload whose body is what the caller writes. Writes block
// while the upload's part buffers are full.
func (s *Sink) Create(ctx context.Context, name string) (sink.Writer, error) {
	return s.create(ctx, name, true)
}

var _ sink.Shared = (*Sink)(nil)

// CreateShared starts an upload as Create does but leaves the other open
// uploads of the name alone: they may be another attempt's, still running.
// Each upload is completed only when whole; the last completed wins. Cleanup
// aborts what killed attempts left.
func (s *Sink) CreateShared(ctx context.Context, name string) (sink.Writer, error) {
	return s.create(ctx, name, false)
}

func (s *Sink) create(ctx context.Context, name string, abortStale bool) (sink.Writer, error) {
	pr, pw := io.Pipe()
	w := &writer{s: s, name: name, pw: pw, res: make(chan error, 1)}
	key := s.key(name)
	go func() {
		var err error
		if abortStale {
			err = s.abortStale(ctx, key)
		}
		if err == nil {
			in := &tm.UploadObjectInput{Bucket: &s.bucket, Key: &key, Body: pr,
				ServerSideEncryption: tmtypes.ServerSideEncryption(s.o.SSE), StorageClass: tmtypes.StorageClass(s.o.StorageClass)}
			if s.o.SSEKMSKeyID != "" {
				in.SSEKMSKeyID = &s.o.SSEKMSKeyID
			}
			_, err = s.up.UploadObject(ctx, in)
		}
		// Unblock a writer whose upload failed before its body was read.
		if err != nil {
			pr.CloseWithError(err)
		} else {
			pr.Close()
		}
		if err != nil {
			err = s.abortLeftover(key, abortStale, err)
		}
		w.res <- err
	}()
	return w, nil
}

// abortLeftover makes sure no multipart upload of a failed transfer stays
// open. The transfer manager aborts the one it knows itself, but that abort may
// have failed too (S3 unreachable), and a CreateMultipartUpload whose answer was
// lost may have opened uploads under IDs only S3's listing knows. An exclusive
// key (Create) is therefore swept of every upload; a shared key (CreateShared:
// other attempts' uploads may be live) loses only the one known, and the plan's
// commit sweeps the rest. A second abort of a gone upload is harmless.
func (s *Sink) abortLeftover(key string, exclusive bool, err error) error {
	var mu interface{ UploadID() string }
	id := ""
	if errors.As(err, &mu) {
		id = mu.UploadID()
	}
	var abort func(context.Context) error
	what := "multipart upload " + id + " of " + key
	switch {
	case exclusive && (id != "" || createLost(err)):
		abort = func(ctx context.Context) error { return s.abortStale(ctx, key) }
		what = "multipart uploads of " + key
	case id != "":
		abort = func(ctx context.Context) error { return s.abort(ctx, key, id) }
	default:
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), abortTimeout)
	defer cancel()
	// Keep trying for a while: an outage shorter than abortTimeout leaves
	// nothing behind.
	var aerr error
	for wait := 250 * time.Millisecond; ; wait = min(2*wait, 4*time.Second) {
		if aerr = abort(ctx); aerr == nil {
			return err
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("%w; %s left open (a later run that resumes or overwrites this output aborts them): %v", err, what, aerr)
		case <-time.After(wait):
		}
	}
}

// createLost reports whether err is a CreateMultipartUpload that got no answer
// (the connection failed, or the server failed): S3 may have opened the upload
// all the same.
func createLost(err error) bool {
	var oe *smithy.OperationError
	if !errors.As(err, &oe) || oe.Operation() != "CreateMultipartUpload" {
		return false
	}
	var re interface{ HTTPStatusCode() int }
	return !errors.As(err, &re) || re.HTTPStatusCode() == 0 || re.HTTPStatusCode() >= 500
}

// abortTimeout bounds the abort of a failed upload.
const abortTimeout = 30 * time.Second

func (w *writer) Write(p []byte) (int, error) {
	n, err := w.pw.Write(p)
	if err != nil {
		return n, w.s.classify("upload", w.name, err)
	}
	return n, nil
}

// Commit ends the body and waits for the upload to complete.
func (w *writer) Commit() error {
	if w.done {
		return errors.New("sink: commit after commit or abort")
	}
	w.done = true
	w.pw.Close()
	if err := <-w.res; err != nil {
		return w.s.classify("upload", w.name, err)
	}
	return nil
}

// Abort ends the body with an error, which makes the transfer manager abort the
// multipart upload (if one was started), and waits for that.
func (w *writer) Abort() error {
	if w.done {
		return nil
	}
	w.done = true
	w.pw.CloseWithError(errAborted)
	err := <-w.res
	if err == nil || errors.Is(err, errAborted) && !strings.Contains(err.Error(), "left open") {
		return nil
	}
	return w.s.classify("abort upload", w.name, err)
}

// Put writes a small object with one PUT.
func (s *Sink) Put(ctx context.Context, name string, data []byte) error {
	_, err := s.client.PutObject(ctx, s.put(name, data))
	return s.classify("PutObject", name, err)
}

// put is the PutObject of name with the sink's encryption and storage class.
func (s *Sink) put(name string, data []byte) *awss3.PutObjectInput {
	in := &awss3.PutObjectInput{Bucket: &s.bucket, Key: aws.String(s.key(name)), Body: bytes.NewReader(data),
		ContentLength: aws.Int64(int64(len(data))), ServerSideEncryption: s3types.ServerSideEncryption(s.o.SSE),
		StorageClass: s3types.StorageClass(s.o.StorageClass)}
	if s.o.SSEKMSKeyID != "" {
		in.SSEKMSKeyId = &s.o.SSEKMSKeyID
	}
	return in
}

// Get reads a small object; a missing one wraps fs.ErrNotExist.
func (s *Sink) Get(ctx context.Context, name string) ([]byte, error) {
	r, err := s.Open(ctx, name)
	if err != nil {
		return nil, err
	}
	defer r.Close()
	b, err := io.ReadAll(r)
	if err != nil {
		return nil, s.classify("GetObject", name, err)
	}
	return b, nil
}

// Open streams an object.
func (s *Sink) Open(ctx context.Context, name string) (io.ReadCloser, error) {
	out, err := s.client.GetObject(ctx, &awss3.GetObjectInput{Bucket: &s.bucket, Key: aws.String(s.key(name))})
	if err != nil {
		return nil, s.classify("GetObject", name, err)
	}
	return out.Body, nil
}

// List returns the names of the objects directly under the prefix, sorted.
func (s *Sink) List(ctx context.Context) ([]string, error) {
	files, _, err := s.listing(ctx)
	return files, err
}

// listing lists the prefix one level deep: the objects' names and the
// common prefixes' (subdirectories), each sorted.
func (s *Sink) listing(ctx context.Context) (files, dirs []string, err error) {
	p := awss3.NewListObjectsV2Paginator(s.client, &awss3.ListObjectsV2Input{
		Bucket: &s.bucket, Prefix: &s.prefix, Delimiter: aws.String("/"),
	})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			return nil, nil, s.classify("ListObjectsV2", "", err)
		}
		for _, o := range page.Contents {
			if n := strings.TrimPrefix(aws.ToString(o.Key), s.prefix); n != "" && n != sink.LockFile {
				files = append(files, n)
			}
		}
		for _, cp := range page.CommonPrefixes {
			if n := strings.TrimSuffix(strings.TrimPrefix(aws.ToString(cp.Prefix), s.prefix), "/"); n != "" {
				dirs = append(dirs, n)
			}
		}
	}
	slices.Sort(files)
	slices.Sort(dirs)
	return files, dirs, nil
}

// Remove deletes an object; a missing one is not an error.
func (s *Sink) Remove(ctx context.Context, name string) error {
	_, err := s.client.DeleteObject(ctx, &awss3.DeleteObjectInput{Bucket: &s.bucket, Key: aws.String(s.key(name))})
	return s.classify("DeleteObject", name, err)
}

// Pending lists the keys of multipart uploads open under the prefix.
func (s *Sink) Pending(ctx context.Context) ([]string, error) {
	var keys []string
	err := s.eachUpload(ctx, func(key, _ string) error {
		keys = append(keys, key)
		return nil
	})
	return keys, err
}

var _ sink.Cleaner = (*Sink)(nil)

// Cleanup aborts the multipart uploads that an interrupted run left open for
// exactly the keys of names, and no other: a bucket is shared, and an upload
// under the same prefix may be another program's.
func (s *Sink) Cleanup(ctx context.Context, names []string) error {
	if len(names) <= 4 {
		for _, n := range names {
			if err := s.abortStale(ctx, s.key(n)); err != nil {
				return err
			}
		}
		return nil
	}
	// Many names (a plan's commit clears every unit's): one listing of the
	// prefix's uploads instead of one per name.
	want := make(map[string]bool, len(names))
	for _, n := range names {
		want[s.key(n)] = true
	}
	return s.eachUpload(ctx, func(key, id string) error {
		if !want[key] {
			return nil
		}
		return s.abort(ctx, key, id)
	})
}

func (s *Sink) abort(ctx context.Context, key, id string) error {
	_, err := s.client.AbortMultipartUpload(ctx, &awss3.AbortMultipartUploadInput{Bucket: &s.bucket, Key: &key, UploadId: &id})
	if err = s3store.Classify("AbortMultipartUpload", s.bucket, key, err); errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	return err
}

// abortStale aborts the uploads of exactly key that an earlier run left open.
func (s *Sink) abortStale(ctx context.Context, key string) error {
	return s.listUploads(ctx, key, func(k, id string) error {
		if k != key {
			return nil
		}
		return s.abort(ctx, k, id)
	})
}

// eachUpload calls fn once for every upload under the prefix, listed by prefix
// (S3) and without one (what MinIO answers for a whole bucket).
func (s *Sink) eachUpload(ctx context.Context, fn func(key, id string) error) error {
	seen := map[string]bool{}
	visit := func(key, id string) error {
		if !strings.HasPrefix(key, s.prefix) || seen[id] {
			return nil
		}
		seen[id] = true
		return fn(key, id)
	}
	if err := s.listUploads(ctx, s.prefix, visit); err != nil {
		return err
	}
	if s.prefix == "" {
		return nil
	}
	return s.listUploads(ctx, "", visit)
}

func (s *Sink) listUploads(ctx context.Context, prefix string, fn func(key, id string) error) error {
	in := &awss3.ListMultipartUploadsInput{Bucket: &s.bucket}
	if prefix != "" {
		in.Prefix = &prefix
	}
	for {
		out, err := s.client.ListMultipartUploads(ctx, in)
		if err != nil {
			return s3store.Classify("ListMultipartUploads", s.bucket, prefix, err)
		}
		for _, u := range out.Uploads {
			if err := fn(aws.ToString(u.Key), aws.ToString(u.UploadId)); err != nil {
				return err
			}
		}
		if !aws.ToBool(out.IsTruncated) {
			return nil
		}
		in.KeyMarker, in.UploadIdMarker = out.NextKeyMarker, out.NextUploadIdMarker
	}
}

var _ sink.Tree = (*Sink)(nil)

// Sub returns the sink of the prefix's subdirectory dir: the same client and
// uploads, under prefix/dir/.
func (s *Sink) Sub(dir string) (sink.Sink, error) {
	if err := sink.CheckDir(dir); err != nil {
		return nil, err
	}
	sub := *s
	sub.prefix = s.prefix + dir + "/"
	sub.url = s3store.URL(s.bucket, strings.TrimSuffix(sub.prefix, "/"))
	return &sub, nil
}

// Dirs returns the names of the common prefixes directly under the prefix.
func (s *Sink) Dirs(ctx context.Context) ([]string, error) {
	_, dirs, err := s.listing(ctx)
	return dirs, err
}
