package s3

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"syscall"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/smithy-go/logging"
)

// Defaults of Config's timeouts: how long an export waits on S3 before it
// calls the store unreachable.
const (
	DefaultConnectTimeout = 10 * time.Second // TCP connect and TLS handshake
	DefaultIdleTimeout    = 60 * time.Second // no byte read or written on a connection
	// unreachableAttempts bounds the attempts of a request whose attempts fail
	// to reach the store at all (connection refused, no such host, timeouts):
	// those rarely heal within a request's retries, and waiting minutes for a
	// dead endpoint helps nobody.
	unreachableAttempts = 3
)

// ErrUnreachable marks a request that could not reach the store: connection
// refused, a name that does not resolve, a connection that stopped answering.
// Nothing is wrong with the input or the output; the network or the store is.
var ErrUnreachable = errors.New("S3 endpoint unreachable")

// httpClient is the SDK's HTTP client with connect and idle timeouts: every
// read and write on a connection must make progress within idle, so a server
// that accepts and never answers, or freezes in the middle of an upload, fails
// the attempt instead of hanging the export.
func httpClient(connect, idle time.Duration) aws.HTTPClient {
	d := &net.Dialer{Timeout: connect, KeepAlive: 30 * time.Second}
	return awshttp.NewBuildableClient().WithTransportOptions(func(t *http.Transport) {
		t.TLSHandshakeTimeout = connect
		t.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
			c, err := d.DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			return &idleConn{Conn: c, idle: idle}, nil
		}
	})
}

// idleConn moves its deadline forward before every read and write.
type idleConn struct {
	net.Conn
	idle time.Duration
}

func (c *idleConn) Read(p []byte) (int, error) {
	c.Conn.SetReadDeadline(time.Now().Add(c.idle))
	return c.Conn.Read(p)
}

func (c *idleConn) Write(p []byte) (int, error) {
	c.Conn.SetWriteDeadline(time.Now().Add(c.idle))
	return c.Conn.Write(p)
}

// unreachable reports an error of an attempt that did not reach the store or
// lost it: a refused or failed connection, a name that does not resolve, a
// timeout.
func unreachable(err error) bool {
	var dns *net.DNSError
	var op *net.OpError
	var ne net.Error
	switch {
	case errors.As(err, &dns), errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.EHOSTUNREACH),
		errors.Is(err, syscall.ENETUNREACH):
		return true
	case errors.As(err, &op) && op.Op == "dial":
		return true
	case errors.As(err, &ne) && ne.Timeout():
		return true
	}
	return false
}

// retryer is the SDK's standard retryer, with each retry logged at warn and
// the attempts at an unreachable store cut to unreachableAttempts.
type retryer struct {
	aws.RetryerV2
	log *slog.Logger
}

func (r retryer) RetryDelay(attempt int, err error) (time.Duration, error) {
	if unreachable(err) && attempt >= unreachableAttempts {
		return 0, fmt.Errorf("giving up after %d attempts: %w: %w", attempt, ErrUnreachable, err)
	}
	d, derr := r.RetryerV2.RetryDelay(attempt, err)
	if derr == nil {
		r.log.Warn("S3 request failed; retrying", "attempt", attempt, "of", r.MaxAttempts(), "in", d.Round(time.Millisecond).String(), "error", err.Error())
	}
	return d, derr
}

// sdkLogger routes the SDK's own log lines (such as its instance-metadata
// warnings) through slog, so that --log-format json stays JSON.
type sdkLogger struct{ log *slog.Logger }

func (l sdkLogger) Logf(c logging.Classification, format string, v ...any) {
	level := slog.LevelDebug
	if c == logging.Warn {
		level = slog.LevelWarn
	}
	l.log.Log(context.Background(), level, "aws sdk: "+fmt.Sprintf(format, v...))
}
