package s3

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"

	"github.com/aegisthus/aegisthus/internal/sink"
	s3store "github.com/aegisthus/aegisthus/internal/storage/s3"
)

// lockLease is how long an S3 lock holds without renewal: another machine
// cannot be asked whether its holder still runs, so a lock lapses unless its
// holder renews it (every lockLease/3) and a killed run's lock frees itself.
const lockLease = 2 * time.Minute

var _ sink.Locker = (*Sink)(nil)

// Lock creates the lock object with a conditional PUT (If-None-Match: *), so
// that of two runs only one creates it; a lapsed lock is taken over.
func (s *Sink) Lock(ctx context.Context, owner sink.Owner) (func() error, error) {
	key := s.key(sink.LockFile)
	for try := 0; ; try++ {
		err := s.putLock(ctx, owner, true)
		if err == nil {
			break
		}
		if !conditionFailed(err) || try > 0 {
			return nil, s.classify("PutObject", sink.LockFile, err)
		}
		held, err := s.readLock(ctx)
		if err != nil {
			return nil, err
		}
		if time.Now().Before(held.Expires) {
			return nil, fmt.Errorf("%s %w (%s; %s lapses at %s unless renewed)", s.url, sink.ErrLocked, held,
				s3store.URL(s.bucket, key), held.Expires.UTC().Format(time.RFC3339))
		}
		if err := s.Remove(ctx, sink.LockFile); err != nil { // lapsed: its holder was killed
			return nil, err
		}
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		t := time.NewTicker(lockLease / 3)
		defer t.Stop()
		for {
			select {
			case <-stop:
				return
			case <-t.C:
				s.putLock(context.Background(), owner, false) // a failed renewal is retried next tick
			}
		}
	}()
	var once sync.Once
	return func() error {
		once.Do(func() { close(stop) })
		wg.Wait()
		ctx, cancel := context.WithTimeout(context.Background(), abortTimeout)
		defer cancel()
		return s.Remove(ctx, sink.LockFile)
	}, nil
}

// putLock writes the lock object for owner with a fresh lease; create makes
// the PUT conditional on the object not existing.
func (s *Sink) putLock(ctx context.Context, owner sink.Owner, create bool) error {
	owner.Expires = time.Now().Add(lockLease).UTC()
	b, _ := json.Marshal(owner)
	in := s.put(sink.LockFile, b)
	if create {
		in.IfNoneMatch = aws.String("*")
	}
	_, err := s.client.PutObject(ctx, in)
	return err
}

func (s *Sink) readLock(ctx context.Context) (sink.Owner, error) {
	var held sink.Owner
	r, err := s.Open(ctx, sink.LockFile)
	if err != nil {
		return held, err
	}
	defer r.Close()
	b, err := io.ReadAll(io.LimitReader(r, 64<<10))
	if err != nil {
		return held, s.classify("GetObject", sink.LockFile, err)
	}
	if err := json.Unmarshal(b, &held); err != nil {
		return held, fmt.Errorf("%s %w: %s exists and is not a lock aegisthus wrote", s.url, sink.ErrLocked, s3store.URL(s.bucket, s.key(sink.LockFile)))
	}
	return held, nil
}

// conditionFailed reports a conditional PUT refused because the object
// exists (412), or because another conditional write raced it (409).
func conditionFailed(err error) bool {
	var re *awshttp.ResponseError
	if errors.As(err, &re) {
		c := re.HTTPStatusCode()
		return c == http.StatusPreconditionFailed || c == http.StatusConflict
	}
	return false
}
