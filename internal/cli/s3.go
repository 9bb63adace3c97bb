package cli

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/spf13/pflag"

	"github.com/aegisthus/aegisthus/internal/discover"
	"github.com/aegisthus/aegisthus/internal/sink"
	s3sink "github.com/aegisthus/aegisthus/internal/sink/s3"
	"github.com/aegisthus/aegisthus/internal/storage"
	s3store "github.com/aegisthus/aegisthus/internal/storage/s3"
)

// s3Options are the S3 flags of every command that takes paths. Credentials,
// region and endpoint otherwise come from the standard AWS chain
// (AWS_ENDPOINT_URL_S3 included).
type s3Options struct {
	cfg    s3store.Config
	client *awss3.Client
	// sinkOpts and storeOpts let tests shrink part sizes and windows.
	sinkOpts  s3sink.Options
	storeOpts s3store.Options
	// lastStore is the S3 store of the last run, for tests and benchmarks.
	lastStore *s3store.Store
	backup    discover.BackupFilter
	partSize  string // --s3-part-size, parsed into sinkOpts by validateSink
	// wrapSink, when set, wraps the S3 sink (fault injection in tests).
	wrapSink func(sink.Sink) sink.Sink
	// lastSel and lastRaw are the last inputs' backup selection and the
	// store before it (what a plan pins).
	lastSel *discover.BackupSelection
	lastRaw storage.Store
}

func (o *s3Options) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.cfg.Endpoint, "s3-endpoint", "", "S3 endpoint URL for s3:// paths (default: AWS_ENDPOINT_URL_S3, else AWS)")
	fs.StringVar(&o.cfg.Region, "s3-region", "", "S3 region (default: AWS_REGION or the profile's, else us-east-1)")
	fs.BoolVar(&o.cfg.PathStyle, "s3-path-style", false, "address buckets as endpoint/bucket (S3-compatible stores; on for IP and localhost endpoints)")
	fs.StringVar(&o.cfg.Profile, "s3-profile", "", "shared config profile for S3 (default: AWS_PROFILE, else default)")
	fs.IntVar(&o.cfg.MaxAttempts, "s3-max-attempts", 0, "attempts per S3 request, retries included (default: AWS_MAX_ATTEMPTS or the profile's, else 8; 3 at most for an unreachable endpoint)")
	fs.DurationVar(&o.cfg.ConnectTimeout, "s3-connect-timeout", s3store.DefaultConnectTimeout, "S3 connect and TLS handshake timeout")
	fs.DurationVar(&o.cfg.IdleTimeout, "s3-timeout", s3store.DefaultIdleTimeout, "fail an S3 attempt whose connection moves no byte for this long")
}

// AddSinkFlags adds the flags of an S3 --out: upload sizes, encryption and
// storage class.
func (o *s3Options) AddSinkFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.partSize, "s3-part-size", "8MiB", "size of each part of an S3 multipart upload (at least 5MiB)")
	fs.IntVar(&o.sinkOpts.Concurrency, "s3-concurrency", 2, "parts of one file uploaded at once")
	fs.StringVar(&o.sinkOpts.SSE, "s3-sse", "", "server-side encryption of the objects written: AES256, aws:kms or aws:kms:dsse (default: the bucket's)")
	fs.StringVar(&o.sinkOpts.SSEKMSKeyID, "s3-sse-kms-key-id", "", "KMS key for --s3-sse aws:kms (default: the account's S3 key)")
	fs.StringVar(&o.sinkOpts.StorageClass, "s3-storage-class", "", "storage class of the objects written, e.g. STANDARD_IA, INTELLIGENT_TIERING (default: STANDARD)")
}

// validateSink checks the S3 --out flags.
func (o *s3Options) validateSink() error {
	if o.partSize != "" {
		n, err := parseSize(o.partSize)
		if err != nil || n < 5<<20 {
			return &UsageError{fmt.Errorf("--s3-part-size %q: want a size of at least 5MiB", o.partSize)}
		}
		o.sinkOpts.PartSize = n
	}
	switch o.sinkOpts.SSE {
	case "", "AES256", "aws:kms", "aws:kms:dsse":
	default:
		return &UsageError{fmt.Errorf("--s3-sse %q: want AES256, aws:kms or aws:kms:dsse", o.sinkOpts.SSE)}
	}
	if o.sinkOpts.SSEKMSKeyID != "" && !strings.HasPrefix(o.sinkOpts.SSE, "aws:kms") {
		return &UsageError{errors.New("--s3-sse-kms-key-id needs --s3-sse aws:kms or aws:kms:dsse")}
	}
	if o.sinkOpts.Concurrency < 0 {
		return &UsageError{fmt.Errorf("--s3-concurrency %d: want at least 1", o.sinkOpts.Concurrency)}
	}
	return nil
}

func (o *s3Options) AddBackupFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.backup.Layout, "backup-layout", discover.LayoutAuto,
		"how backups are laid out under the inputs: auto, plain (<node>/<ks>/<table>/snapshots/<backup>), medusa (<node>/<backup>/data/<ks>/<table>) or priam (<token>/<date>/SNAP/<ks>/<cf>, Snappy-framed)")
	fs.StringSliceVar(&o.backup.Nodes, "nodes", nil, "read only these nodes' backups (directory names; Priam: tokens)")
	fs.StringVar(&o.backup.Backup, "backup", "", "read this backup: snapshot tag, Medusa backup name or Priam date (needed when the inputs hold several)")
}

// inputs resolves the command's paths: the store for them (local, S3), and the
// SSTable directories of the chosen nodes and backup.
func (o *s3Options) inputs(ctx context.Context, args []string) ([]string, storage.Store, error) {
	store, err := o.store(ctx, args)
	if err != nil {
		return nil, nil, err
	}
	if !slices.Contains(discover.Layouts, o.backup.Layout) && o.backup.Layout != "" {
		return nil, nil, &UsageError{fmt.Errorf("--backup-layout %q: want one of %s", o.backup.Layout, strings.Join(discover.Layouts, ", "))}
	}
	sel, err := discover.SelectBackups(store, args, o.backup)
	err = wordBackupFilter(err)
	switch {
	case errors.Is(err, discover.ErrBackupChoice):
		return nil, nil, &UsageError{err}
	case err != nil:
		return nil, nil, fmt.Errorf("%w: %w", ErrInput, err)
	}
	o.lastSel, o.lastRaw = sel, store
	return sel.Dirs, sel.Store(store), nil
}

// backupFlags are the flags of discover.BackupFilter's fields.
var backupFlags = map[string]string{"layout": "--backup-layout", "nodes": "--nodes", "backup": "--backup"}

// wordBackupFilter words a discover.FilterError as the flag that set the field:
// the value given, or the flag that makes the choice the inputs need.
func wordBackupFilter(err error) error {
	var fe *discover.FilterError
	if !errors.As(err, &fe) {
		return err
	}
	flag := backupFlags[fe.Field]
	msg := err.Error() + " with " + flag
	if fe.Value != "" {
		msg = strings.Replace(err.Error(), fe.Error(), fmt.Sprintf("%s %s: %v", flag, fe.Value, fe.Err), 1)
	}
	return &rewordedError{msg: msg, err: err}
}

func (o *s3Options) s3Client(ctx context.Context) (*awss3.Client, error) {
	if o.client == nil {
		c, err := s3store.NewClient(ctx, o.cfg)
		if err != nil {
			return nil, err
		}
		o.client = c
	}
	return o.client, nil
}

// store returns the store for paths: the local file system, with s3:// paths
// routed to S3 when any path is one.
func (o *s3Options) store(ctx context.Context, paths []string) (storage.Store, error) {
	for _, p := range paths {
		if s3store.IsURL(p) {
			c, err := o.s3Client(ctx)
			if err != nil {
				return nil, fmt.Errorf("%w: %w", ErrInput, err)
			}
			o.lastStore = s3store.New(ctx, c, o.storeOpts)
			return pathStore{s3: o.lastStore}, nil
		}
	}
	return storage.Local{}, nil
}

// sink opens --out: a local directory or an s3:// prefix. It removes nothing:
// the export clears what a killed run of its own left, once it has checked --out.
func (o *s3Options) sink(ctx context.Context, out string) (sink.Sink, error) {
	if !s3store.IsURL(out) {
		l, err := sink.NewLocal(out)
		if err != nil {
			return nil, &OutputError{err}
		}
		return l, nil
	}
	c, err := o.s3Client(ctx)
	if err != nil {
		return nil, &OutputError{err}
	}
	s, err := s3sink.New(c, out, o.sinkOpts)
	if err != nil {
		return nil, &UsageError{fmt.Errorf("--out: %w", err)}
	}
	if o.wrapSink != nil {
		return o.wrapSink(s), nil
	}
	return s, nil
}

// pathStore sends s3:// paths to S3 and the others to the local file system.
type pathStore struct {
	local storage.Local
	s3    *s3store.Store
}

func (p pathStore) pick(path string) storage.Store {
	if s3store.IsURL(path) {
		return p.s3
	}
	return p.local
}

func (p pathStore) Open(path string) (storage.File, error) { return p.pick(path).Open(path) }
func (p pathStore) ReadFile(path string, limit int64) ([]byte, error) {
	return p.pick(path).ReadFile(path, limit)
}
func (p pathStore) Walk(root string, fn func(string, int64) error) error {
	return p.pick(root).Walk(root, fn)
}
func (p pathStore) Exists(path string) bool { return p.pick(path).Exists(path) }
func (p pathStore) Stat(path string) (storage.FileInfo, error) {
	return storage.Stat(p.pick(path), path)
}
