package s3

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/aegisthus/aegisthus/internal/storage"
)

// Stats counts what a Store asked of S3. The benchmark and the tests read it to
// show that an export fetches each byte about once.
type Stats struct {
	GETs     atomic.Int64 // GetObject requests
	GETBytes atomic.Int64 // bytes received from GetObject
	// ReadBytes counts the bytes callers read (ReadAt, ReadFile): what a local
	// disk would have read. GETBytes/ReadBytes is the read-ahead's overhead.
	ReadBytes atomic.Int64
	HEADs     atomic.Int64
	Lists     atomic.Int64 // ListObjectsV2 pages
}

// Options tune a Store's read-ahead.
type Options struct {
	// MinWindow is the first GET of a new sequential stream (default 128 KiB).
	MinWindow int64
	// MaxWindow caps a stream's read-ahead; the window doubles while reads stay
	// sequential (default 8 MiB).
	MaxWindow int64
	// Streams is the number of sequential streams cached per open file (default 4).
	Streams int
	// Budget bounds the memory of the read-ahead across open files (default
	// 256 MiB): with many files open, as for a table of many SSTables, each
	// stream's window shrinks to share it (never below MinWindow). Each file
	// holds at most Streams × 2 windows.
	Budget int64
}

// Store is a storage.Store over S3. It is safe for concurrent use.
//
// Open returns files whose ReadAt serves sequential reads from a per-stream
// window that grows to MaxWindow and is fetched one window ahead in the
// background, so a unit's run of chunks becomes a few large ranged GETs. Nothing
// fetches a whole object except ReadFile.
type Store struct {
	client *awss3.Client
	ctx    context.Context // bounds every request, including background read-ahead
	opts   Options
	sizes  sync.Map // URL → size, from listings (objects are immutable snapshots)
	etags  sync.Map // URL → ETag, from the same listings and HEADs
	open   atomic.Int64
	Stats  Stats
}

// maxWindow is the largest window a stream may grow to now: MaxWindow, less
// when many files share the budget (two active streams of two blocks a file).
func (s *Store) maxWindow() int64 {
	w := s.opts.Budget / (4 * max(s.open.Load(), 1))
	return max(s.opts.MinWindow, min(s.opts.MaxWindow, w))
}

var _ storage.Store = (*Store)(nil)

// New returns a Store using client; ctx bounds every request it makes.
func New(ctx context.Context, client *awss3.Client, o Options) *Store {
	if o.MinWindow <= 0 {
		o.MinWindow = 128 << 10
	}
	if o.MaxWindow <= 0 {
		o.MaxWindow = 8 << 20
	}
	if o.MaxWindow < o.MinWindow {
		o.MaxWindow = o.MinWindow
	}
	if o.Streams <= 0 {
		o.Streams = 4
	}
	if o.Budget <= 0 {
		o.Budget = 256 << 20
	}
	return &Store{client: client, ctx: ctx, opts: o}
}

// Walk lists every object under root (a prefix taken as a directory, or one
// object) in key order and calls fn with its s3:// URL and size.
func (s *Store) Walk(root string, fn func(path string, size int64) error) error {
	bucket, key, err := ParseURL(root)
	if err != nil {
		return err
	}
	prefix := key
	if prefix != "" && !strings.HasSuffix(prefix, "/") {
		prefix += "/"
	}
	found := false
	p := awss3.NewListObjectsV2Paginator(s.client, &awss3.ListObjectsV2Input{Bucket: &bucket, Prefix: &prefix})
	for p.HasMorePages() {
		s.Stats.Lists.Add(1)
		page, err := p.NextPage(s.ctx)
		if err != nil {
			return Classify("ListObjectsV2", bucket, prefix, err)
		}
		for _, o := range page.Contents {
			k := aws.ToString(o.Key)
			if strings.HasSuffix(k, "/") { // a console's "folder" marker
				continue
			}
			found = true
			u := URL(bucket, k)
			size := aws.ToInt64(o.Size)
			s.sizes.Store(u, size)
			s.etags.Store(u, etag(o.ETag))
			if err := fn(u, size); err != nil {
				return err
			}
		}
	}
	if found || key == "" || strings.HasSuffix(key, "/") {
		return nil
	}
	// root may name one object.
	size, _, err := s.head(bucket, key)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	} else if err != nil {
		return err
	}
	return fn(URL(bucket, key), size)
}

func (s *Store) head(bucket, key string) (int64, string, error) {
	s.Stats.HEADs.Add(1)
	out, err := s.client.HeadObject(s.ctx, &awss3.HeadObjectInput{Bucket: &bucket, Key: &key})
	if err != nil {
		return 0, "", Classify("HeadObject", bucket, key, err)
	}
	tag := etag(out.ETag)
	s.etags.Store(URL(bucket, key), tag)
	return aws.ToInt64(out.ContentLength), tag, nil
}

// etag is an object's ETag without the quotes S3 puts around it.
func etag(t *string) string { return strings.Trim(aws.ToString(t), `"`) }

var _ storage.Statter = (*Store)(nil)

// Stat returns an object's size and ETag: from the listing that found it
// when there was one, else from a HEAD.
func (s *Store) Stat(path string) (storage.FileInfo, error) {
	bucket, key, size, err := s.size(path)
	if err != nil {
		return storage.FileInfo{}, err
	}
	if t, ok := s.etags.Load(URL(bucket, key)); ok {
		return storage.FileInfo{Size: size, ETag: t.(string)}, nil
	}
	size, tag, err := s.head(bucket, key)
	if err != nil {
		return storage.FileInfo{}, err
	}
	return storage.FileInfo{Size: size, ETag: tag}, nil
}

func (s *Store) size(path string) (bucket, key string, size int64, err error) {
	bucket, key, err = ParseURL(path)
	if err != nil {
		return "", "", 0, err
	}
	if v, ok := s.sizes.Load(URL(bucket, key)); ok {
		return bucket, key, v.(int64), nil
	}
	size, _, err = s.head(bucket, key)
	if err != nil {
		return "", "", 0, err
	}
	s.sizes.Store(URL(bucket, key), size)
	return bucket, key, size, nil
}

// Exists reports whether path names an object.
func (s *Store) Exists(path string) bool {
	_, _, _, err := s.size(path)
	return err == nil
}

// Open opens an object for ranged reads. A missing object wraps fs.ErrNotExist.
func (s *Store) Open(path string) (storage.File, error) {
	bucket, key, size, err := s.size(path)
	if err != nil {
		return nil, err
	}
	s.open.Add(1)
	return &file{s: s, bucket: bucket, key: key, name: URL(bucket, key), size: size}, nil
}

// ReadFile reads a whole small object with one GET.
func (s *Store) ReadFile(path string, limit int64) ([]byte, error) {
	bucket, key, size, err := s.size(path)
	if err != nil {
		return nil, err
	}
	if size > limit {
		return nil, fmt.Errorf("%s: %d bytes, limit %d: %w", URL(bucket, key), size, limit, storage.ErrTooLarge)
	}
	b := make([]byte, size)
	if size == 0 {
		return b, nil
	}
	if err := s.get(bucket, key, 0, b); err != nil {
		return nil, err
	}
	s.Stats.ReadBytes.Add(size)
	return b, nil
}

// bodyAttempts bounds retries of a GET whose body broke off midway; the SDK's
// retryer covers failures before the body starts.
const bodyAttempts = 3

// get fills dst with the object's bytes from off.
func (s *Store) get(bucket, key string, off int64, dst []byte) error {
	var err error
	for attempt := 0; attempt < bodyAttempts; attempt++ {
		if attempt > 0 {
			select {
			case <-time.After(time.Duration(attempt) * 200 * time.Millisecond):
			case <-s.ctx.Done():
				return s.ctx.Err()
			}
		}
		var n int
		n, err = s.getOnce(bucket, key, off, dst)
		if err == nil {
			return nil
		}
		var e *Error
		if errors.As(err, &e) || s.ctx.Err() != nil {
			return err // the SDK already retried the request itself
		}
		off, dst = off+int64(n), dst[n:]
	}
	return err
}

func (s *Store) getOnce(bucket, key string, off int64, dst []byte) (int, error) {
	rng := fmt.Sprintf("bytes=%d-%d", off, off+int64(len(dst))-1)
	s.Stats.GETs.Add(1)
	out, err := s.client.GetObject(s.ctx, &awss3.GetObjectInput{Bucket: &bucket, Key: &key, Range: &rng})
	if err != nil {
		return 0, Classify("GetObject", bucket, key, err)
	}
	defer out.Body.Close()
	n, err := io.ReadFull(out.Body, dst)
	s.Stats.GETBytes.Add(int64(n))
	if err != nil {
		return n, fmt.Errorf("%s: GetObject %s: reading body: %w", URL(bucket, key), rng, err)
	}
	return n, nil
}

// file reads one object through a few cached sequential streams.
type file struct {
	s      *Store
	bucket string
	key    string
	name   string
	size   int64

	mu      sync.Mutex
	streams []*stream
	tick    uint64
	closed  bool
}

// stream is one reader's position in a file: the block it reads from, the block
// fetched ahead of it, and the size of the next fetch.
type stream struct {
	cur, next *block
	window    int64
	used      uint64
}

// block is a byte range being fetched or fetched; done is closed when buf or err
// is set.
type block struct {
	start, end int64
	done       chan struct{}
	buf        []byte
	err        error
}

// covers reports whether b holds off; a block whose fetch failed holds nothing,
// so the next read tries again.
func (b *block) covers(off int64) bool {
	if b == nil || off < b.start || off >= b.end {
		return false
	}
	select {
	case <-b.done:
		return b.err == nil
	default:
		return true
	}
}

func (f *file) Name() string { return f.name }
func (f *file) Size() int64  { return f.size }

// Close drops the cached blocks; fetches in flight finish on their own.
func (f *file) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if !f.closed {
		f.s.open.Add(-1)
	}
	f.streams, f.closed = nil, true
	return nil
}

// ReadAt is safe for concurrent use. It returns io.EOF when p reaches past the
// end of the object.
func (f *file) ReadAt(p []byte, off int64) (int, error) {
	if off < 0 {
		return 0, fmt.Errorf("%s: negative offset %d", f.name, off)
	}
	n := 0
	for n < len(p) {
		if off >= f.size {
			return n, io.EOF
		}
		b, err := f.blockFor(off, int64(len(p)-n))
		if err != nil {
			return n, err
		}
		<-b.done
		if b.err != nil {
			return n, b.err
		}
		c := copy(p[n:], b.buf[off-b.start:])
		f.s.Stats.ReadBytes.Add(int64(c))
		n += c
		off += int64(c)
	}
	return n, nil
}

// blockFor returns the block holding off, starting a fetch if none does, and
// starts the read-ahead of the next block once a read passes the middle of the
// current one.
func (f *file) blockFor(off, want int64) (*block, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.closed {
		return nil, fmt.Errorf("%s: read after close", f.name)
	}
	o := f.s.opts
	f.tick++
	var st *stream
	for _, s := range f.streams {
		if s.cur.covers(off) {
			st = s
			break
		}
		if s.next.covers(off) {
			st = s
			st.cur, st.next = st.next, nil
			break
		}
	}
	if st == nil {
		// A read at or just past the end of a stream's data continues it;
		// anything else starts a new stream at the smallest window.
		for _, s := range f.streams {
			end := s.cur.end
			if s.next != nil {
				end = s.next.end
			}
			if off >= end && off < end+s.window {
				st = s
				break
			}
		}
		if st == nil {
			st = &stream{window: o.MinWindow}
			if len(f.streams) >= o.Streams {
				lru := 0
				for i, s := range f.streams {
					if s.used < f.streams[lru].used {
						lru = i
					}
				}
				f.streams = append(f.streams[:lru], f.streams[lru+1:]...)
			}
			f.streams = append(f.streams, st)
		}
		st.cur = f.fetch(off, max(want, st.window))
		st.next = nil
		st.window = min(st.window*2, f.s.maxWindow())
	}
	st.used = f.tick
	b := st.cur
	if st.next == nil && b.end < f.size && off+want > b.start+(b.end-b.start)/2 {
		st.window = min(st.window, f.s.maxWindow())
		st.next = f.fetch(b.end, st.window)
		st.window = min(st.window*2, f.s.maxWindow())
	}
	return b, nil
}

// fetch starts a background GET of [start, start+n) clipped to the object.
func (f *file) fetch(start, n int64) *block {
	b := &block{start: start, end: min(start+n, f.size), done: make(chan struct{})}
	go func() {
		defer close(b.done)
		buf := make([]byte, b.end-b.start)
		if err := f.s.get(f.bucket, f.key, b.start, buf); err != nil {
			b.err = err
			return
		}
		b.buf = buf
	}()
	return b
}
