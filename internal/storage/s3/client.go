// Package s3 reads SSTables from S3 (or an S3-compatible store such as MinIO)
// through the storage.Store interface: listing by prefix, ranged GETs with
// read-ahead for the sequential chunk runs of a unit, whole GETs for small
// components. It also builds the S3 client and classifies S3 errors for the S3
// sink, so both ends share one configuration and one set of error messages.
//
// Paths are URLs, s3://bucket/key. Because the layers above join and clean paths
// with path/filepath, the cleaned form s3:/bucket/key is accepted too.
package s3

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/ratelimit"
	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/aws-sdk-go-v2/config"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
)

// Config selects the S3 endpoint. Zero values defer to the standard AWS chain:
// environment (AWS_ACCESS_KEY_ID, AWS_PROFILE, AWS_REGION, AWS_ENDPOINT_URL_S3,
// AWS_MAX_ATTEMPTS, ...), shared config and credentials files, web identity,
// and instance metadata.
type Config struct {
	Endpoint  string // --s3-endpoint, e.g. http://127.0.0.1:9000
	Region    string // --s3-region
	PathStyle bool   // --s3-path-style; forced on for IP and localhost endpoints
	// MaxAttempts bounds the attempts per request (default: AWS_MAX_ATTEMPTS
	// or the shared config's max_attempts, else 8).
	MaxAttempts int
	// MaxBackoff bounds the jittered exponential backoff between attempts
	// (default 20s).
	MaxBackoff time.Duration
	// ConnectTimeout bounds a TCP connect and TLS handshake (default
	// DefaultConnectTimeout); IdleTimeout bounds how long a connection may go
	// without a byte read or written (default DefaultIdleTimeout).
	ConnectTimeout, IdleTimeout time.Duration
	// Profile names the shared config profile (default: AWS_PROFILE, else default).
	Profile string
	// Log receives a warning per retried request and the SDK's own log lines
	// (default: slog.Default()).
	Log *slog.Logger
	// HTTPClient replaces the SDK's HTTP client (tests inject faults with it).
	HTTPClient aws.HTTPClient
}

const defaultMaxAttempts = 8

// Errors a caller can tell apart with errors.Is.
var (
	ErrNoCredentials = errors.New("no AWS credentials found")
	ErrAccessDenied  = errors.New("access denied")
	ErrNoBucket      = errors.New("bucket does not exist")
)

// Error is a failed S3 request. Err wraps fs.ErrNotExist for a missing object
// and one of ErrNoCredentials, ErrAccessDenied or ErrNoBucket where they apply.
type Error struct {
	Op  string // GetObject, ListObjectsV2, ...
	URL string // s3://bucket/key
	Err error
}

func (e *Error) Error() string { return e.URL + ": " + e.Op + ": " + e.Err.Error() }
func (e *Error) Unwrap() error { return e.Err }

// NewClient builds an S3 client from the standard AWS configuration chain and
// cfg. It fails early, with ErrNoCredentials, when no credentials can be found.
func NewClient(ctx context.Context, cfg Config) (*awss3.Client, error) {
	log := cfg.Log
	if log == nil {
		log = slog.Default()
	}
	var opts []func(*config.LoadOptions) error
	if cfg.Profile != "" {
		opts = append(opts, config.WithSharedConfigProfile(cfg.Profile))
	}
	opts = append(opts, config.WithLogger(sdkLogger{log}))
	ac, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, fmt.Errorf("s3: loading AWS configuration: %w", err)
	}
	maxAttempts := cfg.MaxAttempts
	if maxAttempts <= 0 {
		maxAttempts = ac.RetryMaxAttempts
	}
	if maxAttempts <= 0 {
		maxAttempts = defaultMaxAttempts
	}
	maxBackoff := cfg.MaxBackoff
	if maxBackoff <= 0 {
		maxBackoff = 20 * time.Second
	}
	// The standard retryer retries throttling, 5xx and connection errors with
	// exponential backoff and full jitter. Its client-side retry quota is meant
	// for interactive services; a batch export would rather wait than fail, so
	// it is off.
	ac.Retryer = func() aws.Retryer {
		return retryer{RetryerV2: retry.NewStandard(func(o *retry.StandardOptions) {
			o.MaxAttempts = maxAttempts
			o.MaxBackoff = maxBackoff
			o.RateLimiter = ratelimit.None
		}), log: log}
	}
	if cfg.Region != "" {
		ac.Region = cfg.Region
	}
	if ac.Region == "" {
		ac.Region = "us-east-1"
	}
	if ac.Credentials == nil {
		return nil, fmt.Errorf("s3: %w", ErrNoCredentials)
	}
	if _, err := ac.Credentials.Retrieve(ctx); err != nil {
		return nil, fmt.Errorf("s3: %w (set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or run where a role is available): %v",
			ErrNoCredentials, err)
	}
	connect, idle := cfg.ConnectTimeout, cfg.IdleTimeout
	if connect <= 0 {
		connect = DefaultConnectTimeout
	}
	if idle <= 0 {
		idle = DefaultIdleTimeout
	}
	ac.HTTPClient = httpClient(connect, idle)
	if cfg.HTTPClient != nil {
		ac.HTTPClient = cfg.HTTPClient
	}
	endpoint := cfg.Endpoint
	pathStyle := cfg.PathStyle
	return awss3.NewFromConfig(ac, func(o *awss3.Options) {
		if endpoint != "" {
			o.BaseEndpoint = aws.String(endpoint)
		}
		if o.BaseEndpoint != nil && localEndpoint(*o.BaseEndpoint) {
			pathStyle = true
		}
		o.UsePathStyle = pathStyle
		// Checksums only where S3 requires them: MinIO and other S3-compatible
		// stores do not all accept the newer flexible checksums.
		o.RequestChecksumCalculation = aws.RequestChecksumCalculationWhenRequired
		o.ResponseChecksumValidation = aws.ResponseChecksumValidationWhenRequired
	}), nil
}

// localEndpoint reports whether an endpoint names an IP address or localhost,
// where virtual-hosted bucket names cannot resolve.
func localEndpoint(endpoint string) bool {
	u, err := url.Parse(endpoint)
	if err != nil {
		return false
	}
	h := u.Hostname()
	return h == "localhost" || net.ParseIP(h) != nil
}

// ParseURL splits s3://bucket/key (or the cleaned s3:/bucket/key) into bucket
// and key. The key has no leading slash and may be empty.
func ParseURL(u string) (bucket, key string, err error) {
	rest, ok := strings.CutPrefix(u, "s3://")
	if !ok {
		if rest, ok = strings.CutPrefix(u, "s3:/"); !ok {
			return "", "", fmt.Errorf("%q is not an s3:// URL", u)
		}
	}
	bucket, key, _ = strings.Cut(rest, "/")
	if bucket == "" {
		return "", "", fmt.Errorf("%q names no bucket", u)
	}
	return bucket, strings.TrimLeft(key, "/"), nil
}

// IsURL reports whether path is an s3:// URL (or its cleaned form).
func IsURL(path string) bool {
	return strings.HasPrefix(path, "s3://") || strings.HasPrefix(path, "s3:/")
}

// URL joins bucket and key into s3://bucket/key.
func URL(bucket, key string) string {
	if key == "" {
		return "s3://" + bucket
	}
	return "s3://" + bucket + "/" + key
}

// Classify wraps an S3 request error with the operation and URL and maps the
// service's error codes to fs.ErrNotExist, ErrNoBucket and ErrAccessDenied.
func Classify(op, bucket, key string, err error) error {
	if err == nil {
		return nil
	}
	e := &Error{Op: op, URL: URL(bucket, key), Err: err}
	if unreachable(err) && !errors.Is(err, ErrUnreachable) {
		e.Err = fmt.Errorf("%w: %w", ErrUnreachable, err)
	}
	var ae smithy.APIError
	code := ""
	if errors.As(err, &ae) {
		code = ae.ErrorCode()
	}
	status := 0
	var re interface{ HTTPStatusCode() int }
	if errors.As(err, &re) {
		status = re.HTTPStatusCode()
	}
	switch {
	case code == "NoSuchBucket":
		e.Err = fmt.Errorf("bucket %s: %w", bucket, ErrNoBucket)
	case code == "NoSuchKey" || code == "NotFound" || code == "NoSuchUpload" || status == http.StatusNotFound:
		e.Err = fmt.Errorf("%w (%s)", fs.ErrNotExist, code)
	case code == "InvalidAccessKeyId" || code == "SignatureDoesNotMatch":
		e.Err = fmt.Errorf("%w: the credentials were rejected (%s)", ErrAccessDenied, code)
	case code == "AccessDenied" || status == http.StatusForbidden:
		e.Err = fmt.Errorf("%w (%s)", ErrAccessDenied, code)
	}
	return e
}
