package s3_test

import (
	"bytes"
	"context"
	"errors"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	s3store "github.com/aegisthus/aegisthus/internal/storage/s3"
)

// unreachableClient is a client for endpoint with test credentials, short
// timeouts, and its log captured.
func unreachableClient(t *testing.T, endpoint string) (*awss3.Client, *bytes.Buffer) {
	t.Helper()
	t.Setenv("AWS_ACCESS_KEY_ID", "test")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "test")
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	var log bytes.Buffer
	c, err := s3store.NewClient(context.Background(), s3store.Config{Endpoint: endpoint, Region: "us-east-1",
		ConnectTimeout: time.Second, IdleTimeout: time.Second, MaxBackoff: 200 * time.Millisecond,
		Log: slog.New(slog.NewTextHandler(&log, nil))})
	if err != nil {
		t.Fatal(err)
	}
	return c, &log
}

// TestUnreachable: an endpoint that refuses connections, and one that accepts
// them and never answers, fail within the configured timeouts and a bounded
// number of attempts (not the 8 of throttling), as ErrUnreachable, with every
// retry logged.
func TestUnreachable(t *testing.T) {
	refused, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	refusedAddr := refused.Addr().String()
	refused.Close() // nothing listens there now
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	go func() {
		var held []net.Conn // accepted and never answered
		defer func() {
			for _, c := range held {
				c.Close()
			}
		}()
		for {
			c, err := silent.Accept()
			if err != nil {
				return
			}
			held = append(held, c)
		}
	}()
	for _, tc := range []struct {
		name, addr string
		within     time.Duration
	}{
		{"connection refused", refusedAddr, 10 * time.Second},
		{"never answers", silent.Addr().String(), 20 * time.Second}, // 3 attempts × 1 s idle, plus backoff
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, log := unreachableClient(t, "http://"+tc.addr)
			start := time.Now()
			_, err := c.GetObject(context.Background(), &awss3.GetObjectInput{Bucket: aws.String("b"), Key: aws.String("k")})
			took := time.Since(start)
			err = s3store.Classify("GetObject", "b", "k", err)
			if !errors.Is(err, s3store.ErrUnreachable) {
				t.Fatalf("error %v, want ErrUnreachable", err)
			}
			if took > tc.within {
				t.Errorf("failed after %v, want within %v", took, tc.within)
			}
			if n := strings.Count(log.String(), "retrying"); n != 2 {
				t.Errorf("%d retries logged, want 2:\n%s", n, log)
			}
			t.Logf("failed after %v: %v", took.Round(time.Millisecond), err)
		})
	}
}
