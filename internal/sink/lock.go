package sink

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"
	"time"
)

// LockFile is the name of the lock an export holds on its output while it
// runs. It names the owner, so that a second run can say whose it is.
const LockFile = "_lock"

// ErrLocked is an output another run holds.
var ErrLocked = errors.New("is in use by another export")

// Owner describes the process holding a lock.
type Owner struct {
	Host    string    `json:"host"`
	PID     int       `json:"pid"`
	Started time.Time `json:"started"`
	// Expires is when a lock on S3 lapses unless renewed (a process on another
	// machine cannot be asked whether it still runs); zero for local locks.
	Expires time.Time `json:"expires,omitzero"`
}

func (o Owner) String() string {
	return fmt.Sprintf("pid %d on %s since %s", o.PID, o.Host, o.Started.UTC().Format(time.RFC3339))
}

// Self is the Owner of a lock this process takes now.
func Self() Owner {
	host, _ := os.Hostname()
	return Owner{Host: host, PID: os.Getpid(), Started: time.Now().UTC().Truncate(time.Second)}
}

// Locker is implemented by sinks that can hold a lock on their output, so
// that two exports into one output fail at once instead of deleting each
// other's files.
type Locker interface {
	// Lock takes the output's lock for owner, or fails with an error wrapping
	// ErrLocked that names the holder. unlock releases it.
	Lock(ctx context.Context, owner Owner) (unlock func() error, err error)
}

var _ Locker = (*Local)(nil)

// Lock creates LockFile exclusively. A lock left by a process that no longer
// runs on this host (killed) is taken over.
func (l *Local) Lock(_ context.Context, owner Owner) (func() error, error) {
	if err := os.MkdirAll(l.Dir, 0o755); err != nil {
		return nil, err
	}
	path := filepath.Join(l.Dir, LockFile)
	b, _ := json.Marshal(owner)
	for try := 0; ; try++ {
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, 0o644)
		if err == nil {
			_, werr := f.Write(append(b, '\n'))
			if cerr := f.Close(); werr == nil {
				werr = cerr
			}
			if werr != nil {
				os.Remove(path)
				return nil, werr
			}
			return func() error { return os.Remove(path) }, nil
		}
		if !errors.Is(err, fs.ErrExist) || try > 0 {
			return nil, err
		}
		var held Owner
		hb, rerr := os.ReadFile(path)
		if rerr != nil || json.Unmarshal(hb, &held) != nil {
			return nil, fmt.Errorf("%s %w: %s exists and is not a lock aegisthus wrote", l.Dir, ErrLocked, path)
		}
		if !held.gone(owner.Host) {
			return nil, fmt.Errorf("%s %w (%s; %s)", l.Dir, ErrLocked, held, path)
		}
		os.Remove(path) // the holder was killed: take the lock over
	}
}

// gone reports whether the holder of a lock certainly no longer runs: it ran
// on this host and its process is gone.
func (o Owner) gone(host string) bool {
	if o.Host != host || o.PID <= 0 {
		return false
	}
	return errors.Is(syscall.Kill(o.PID, 0), syscall.ESRCH)
}
