// Package s3test runs the S3 tests against a real MinIO server: the one
// scripts/minio.sh started (AEGISTHUS_S3_TEST_ENDPOINT and its keys), or one of
// its own started from AEGISTHUS_MINIO_BIN for tests that stop the server.
// Without either, the tests skip and say how to run them: `make test-s3`.
package s3test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	s3store "github.com/aegisthus/aegisthus/internal/storage/s3"
)

const skipMsg = "no S3 server: run `make test-s3` (builds and starts MinIO; sets AEGISTHUS_S3_TEST_ENDPOINT)"

// Server is an S3 endpoint with its credentials.
type Server struct {
	Endpoint             string
	AccessKey, SecretKey string

	// Set for a server this package started.
	bin, dir string
	cmd      *exec.Cmd
}

// Shared returns the server named by the environment, or skips the test.
func Shared(t testing.TB) *Server {
	t.Helper()
	ep := os.Getenv("AEGISTHUS_S3_TEST_ENDPOINT")
	if ep == "" {
		t.Skip(skipMsg)
	}
	return &Server{Endpoint: ep, AccessKey: os.Getenv("AEGISTHUS_S3_TEST_ACCESS_KEY"), SecretKey: os.Getenv("AEGISTHUS_S3_TEST_SECRET_KEY")}
}

// Start starts a MinIO server of the test's own on a free loopback port, with
// a temporary data directory; it is stopped when the test ends. It skips the
// test without AEGISTHUS_MINIO_BIN.
func Start(t testing.TB) *Server {
	t.Helper()
	bin := os.Getenv("AEGISTHUS_MINIO_BIN")
	if bin == "" {
		t.Skip("no MinIO binary: run `make test-s3` (sets AEGISTHUS_MINIO_BIN)")
	}
	s := &Server{bin: bin, dir: t.TempDir(), AccessKey: "aegisthus-own", SecretKey: randHex(16)}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.Endpoint = "http://" + l.Addr().String()
	l.Close()
	s.Restart(t)
	t.Cleanup(func() { s.Stop(t) })
	return s
}

// Stop kills the server (as a crash would) and waits for it to exit.
func (s *Server) Stop(t testing.TB) {
	t.Helper()
	if s.cmd == nil {
		return
	}
	s.cmd.Process.Signal(syscall.SIGKILL)
	s.cmd.Wait()
	s.cmd = nil
}

// Restart starts the server again on the same address and data.
func (s *Server) Restart(t testing.TB) {
	t.Helper()
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
}

// Start starts a stopped server; unlike Restart it may be called from any
// goroutine.
func (s *Server) Start() error {
	if s.bin == "" {
		return errors.New("s3test: Start of a server this test did not start")
	}
	addr := strings.TrimPrefix(s.Endpoint, "http://")
	cmd := exec.Command(s.bin, "server", "--quiet", "--address", addr, "--console-address", "127.0.0.1:0", filepath.Join(s.dir, "data"))
	cmd.Env = append(os.Environ(), "MINIO_ROOT_USER="+s.AccessKey, "MINIO_ROOT_PASSWORD="+s.SecretKey, "MINIO_BROWSER=off")
	var log bytes.Buffer
	cmd.Stdout, cmd.Stderr = &log, &log
	if err := cmd.Start(); err != nil {
		return err
	}
	s.cmd = cmd
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(s.Endpoint + "/minio/health/live")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return nil
			}
		}
		time.Sleep(100 * time.Millisecond)
	}
	cmd.Process.Kill()
	cmd.Wait()
	s.cmd = nil
	return fmt.Errorf("minio did not come up on %s: %s", s.Endpoint, log.String())
}

// Env points the standard AWS chain at the server for the rest of the test:
// its keys, a region, and no instance metadata look-ups.
func (s *Server) Env(t testing.TB) {
	t.Helper()
	SetEnv(t, s.AccessKey, s.SecretKey)
	t.Setenv("AWS_ENDPOINT_URL_S3", s.Endpoint)
}

// SetEnv sets AWS credentials for the test and isolates it from the machine's
// own AWS configuration (files, profiles, instance metadata).
func SetEnv(t testing.TB, access, secret string) {
	t.Helper()
	for _, k := range []string{"AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE",
		"AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3", "AWS_MAX_ATTEMPTS", "AWS_RETRY_MODE", "AWS_REGION", "AWS_DEFAULT_REGION"} {
		t.Setenv(k, "")
		os.Unsetenv(k)
	}
	t.Setenv("AWS_EC2_METADATA_DISABLED", "true")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(os.DevNull, "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(os.DevNull, "none"))
	t.Setenv("AWS_ACCESS_KEY_ID", access)
	t.Setenv("AWS_SECRET_ACCESS_KEY", secret)
	if access == "" {
		os.Unsetenv("AWS_ACCESS_KEY_ID")
		os.Unsetenv("AWS_SECRET_ACCESS_KEY")
	}
	t.Setenv("AWS_REGION", "us-east-1")
}

// Client returns a client for the server with few retries, so failures show
// quickly.
func (s *Server) Client(t testing.TB) *awss3.Client {
	t.Helper()
	s.Env(t)
	c, err := s3store.NewClient(context.Background(), s3store.Config{Endpoint: s.Endpoint, MaxAttempts: 3, MaxBackoff: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// Bucket creates a bucket with a fresh name.
func Bucket(t testing.TB, c *awss3.Client) string {
	t.Helper()
	name := "aegisthus-" + strings.ToLower(randHex(6))
	if _, err := c.CreateBucket(context.Background(), &awss3.CreateBucketInput{Bucket: &name}); err != nil {
		t.Fatalf("create bucket %s: %v", name, err)
	}
	return name
}

// Upload copies the files under dir to s3://bucket/prefix/<relative path>.
func Upload(t testing.TB, c *awss3.Client, bucket, prefix, dir string) {
	t.Helper()
	err := filepath.Walk(dir, func(path string, info os.FileInfo, err error) error {
		if err != nil || info.IsDir() {
			return err
		}
		rel, _ := filepath.Rel(dir, path)
		key := strings.TrimPrefix(prefix+"/"+filepath.ToSlash(rel), "/")
		f, err := os.Open(path)
		if err != nil {
			return err
		}
		defer f.Close()
		_, err = c.PutObject(context.Background(), &awss3.PutObjectInput{Bucket: &bucket, Key: &key, Body: f, ContentLength: aws.Int64(info.Size())})
		if err != nil {
			return fmt.Errorf("put %s: %w", key, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Pending lists the multipart uploads open in bucket.
func Pending(t testing.TB, c *awss3.Client, bucket string) []string {
	t.Helper()
	out, err := c.ListMultipartUploads(context.Background(), &awss3.ListMultipartUploadsInput{Bucket: &bucket})
	if err != nil {
		t.Fatal(err)
	}
	var keys []string
	for _, u := range out.Uploads {
		keys = append(keys, aws.ToString(u.Key))
	}
	return keys
}

func randHex(n int) string {
	b := make([]byte, n)
	rand.Read(b)
	return hex.EncodeToString(b)
}
