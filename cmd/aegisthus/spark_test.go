package main

import (
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	awss3 "github.com/aws/aws-sdk-go-v2/service/s3"

	"github.com/aegisthus/aegisthus/internal/storage/s3/s3test"
)

// TestSpark runs deploy/spark/aegisthus_spark.py with a real spark-submit on a
// local master (make test-spark: scripts/spark.sh installs PySpark into a
// venv and puts spark-submit on PATH; scripts/minio.sh starts MinIO): the
// sample snapshot and the multi-table backup, into a local directory and into
// MinIO, and once with one task's aegisthus killed mid-unit. Every committed
// output equals the one-machine export.
func TestSpark(t *testing.T) {
	submit := os.Getenv("AEGISTHUS_SPARK_SUBMIT")
	if submit == "" {
		t.Skip("no Spark: run `make test-spark` (installs PySpark into a venv; sets AEGISTHUS_SPARK_SUBMIT)")
	}
	bin := buildBinary(t)
	driver, _ := filepath.Abs(filepath.Join("..", "..", "deploy", "spark", "aegisthus_spark.py"))
	dir := t.TempDir()
	cases := scaleCases(t)
	type ref struct{ plan, want string }
	refs := map[string]ref{}
	for _, c := range cases {
		plan, want := c.reference(t, bin, dir)
		refs[c.name] = ref{plan, want}
	}
	spark := func(t *testing.T, plan, out string, env ...string) string {
		t.Helper()
		start := time.Now()
		// local[2,4]: two cores, four attempts per task (local mode retries
		// nothing unless the master URL says so).
		cmd := exec.Command(submit, "--master", "local[2,4]", "--files", bin, "--conf", "spark.ui.enabled=false",
			driver, "--plan", plan, "--out", out)
		cmd.Env = append(os.Environ(), env...)
		b, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("spark-submit: %v\n%s", err, tail(b))
		}
		t.Logf("spark-submit %s: %.1f s", filepath.Base(plan), time.Since(start).Seconds())
		return string(b)
	}
	for _, c := range cases {
		t.Run(c.name+"/local", func(t *testing.T) {
			plan, want := refs[c.name].plan, refs[c.name].want
			out := filepath.Join(dir, c.name+"-spark")
			spark(t, plan, out)
			sameExport(t, want, out)
		})
	}
	t.Run("sample/kill", func(t *testing.T) {
		plan, want := refs["sample"].plan, refs["sample"].want
		out := filepath.Join(dir, "killed-spark")
		marker := filepath.Join(dir, "killed-marker")
		log := spark(t, plan, out, "AEGISTHUS_SPARK_TEST_KILL="+marker)
		if _, err := os.Stat(marker); err != nil {
			t.Fatal("no task was killed")
		}
		if !strings.Contains(log, "on a retry") || strings.Contains(log, " 0 of them on a retry") {
			t.Errorf("no task ran again after its aegisthus was killed:\n%s", tail([]byte(log)))
		}
		sameExport(t, want, out)
	})
	t.Run("backup/minio", func(t *testing.T) {
		srv := s3test.Shared(t)
		client := srv.Client(t)
		bucket := s3test.Bucket(t, client)
		plan, want := refs["backup"].plan, refs["backup"].want
		out := "s3://" + bucket + "/export"
		spark(t, plan, out)
		got := filepath.Join(dir, "minio-copy")
		download(t, client, bucket, "export/", got)
		sameExport(t, want, got)
		if p := s3test.Pending(t, client, bucket); len(p) > 0 {
			t.Errorf("multipart uploads left open: %v", p)
		}
	})
}

// download copies every object under prefix into dir.
func download(t *testing.T, c *awss3.Client, bucket, prefix, dir string) {
	t.Helper()
	ctx := context.Background()
	p := awss3.NewListObjectsV2Paginator(c, &awss3.ListObjectsV2Input{Bucket: &bucket, Prefix: &prefix})
	for p.HasMorePages() {
		page, err := p.NextPage(ctx)
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range page.Contents {
			key := aws.ToString(o.Key)
			r, err := c.GetObject(ctx, &awss3.GetObjectInput{Bucket: &bucket, Key: &key})
			if err != nil {
				t.Fatal(err)
			}
			b, err := io.ReadAll(r.Body)
			r.Body.Close()
			if err != nil {
				t.Fatal(err)
			}
			dst := filepath.Join(dir, filepath.FromSlash(strings.TrimPrefix(key, prefix)))
			os.MkdirAll(filepath.Dir(dst), 0o755)
			if err := os.WriteFile(dst, b, 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func tail(b []byte) string {
	lines := strings.Split(strings.TrimSpace(string(b)), "\n")
	if len(lines) > 40 {
		lines = lines[len(lines)-40:]
	}
	return strings.Join(lines, "\n")
}

// TestScaleOutS3 runs a plan of SSTables in MinIO as three shards into MinIO
// and commits: the output equals a one-machine export of the same inputs.
// Then one Data.db is uploaded again with the same size and other bytes: its
// ETag changes, and a shard of the plan refuses to run, naming the object.
func TestScaleOutS3(t *testing.T) {
	srv := s3test.Shared(t)
	client := srv.Client(t)
	bucket := s3test.Bucket(t, client)
	bin := buildBinary(t)
	dir := t.TempDir()
	c := scaleCases(t)[0]
	var inputs []string
	for i, in := range c.inputs {
		prefix := "snap/node" + string(rune('1'+i)) + "/demo/events/snapshots/sample"
		s3test.Upload(t, client, bucket, prefix, in)
		inputs = append(inputs, "s3://"+bucket+"/"+prefix)
	}
	plan := "s3://" + bucket + "/plan.json"
	mustAeg(t, bin, nil, append(append([]string{"plan"}, inputs...), append(c.flags, "--out", plan, "--shards", "3")...)...)
	want := filepath.Join(dir, "one")
	mustAeg(t, bin, nil, append(append([]string{"export"}, inputs...), append(c.flags, "--out", want, "-q")...)...)
	out := "s3://" + bucket + "/out"
	for i := range 3 {
		mustAeg(t, bin, []string{"JOB_COMPLETION_INDEX=" + string(rune('0'+i))}, "export", "--plan", plan, "--out", out, "-q")
	}
	mustAeg(t, bin, nil, "commit", "--plan", plan, "--out", out)
	got := filepath.Join(dir, "got")
	download(t, client, bucket, "out/", got)
	sameExport(t, want, got)

	data, _ := filepath.Glob(filepath.Join(c.inputs[0], "*-Data.db"))
	b, _ := os.ReadFile(data[0])
	b[len(b)-1] ^= 0xff
	key := "snap/node1/demo/events/snapshots/sample/" + filepath.Base(data[0])
	if _, err := client.PutObject(context.Background(), &awss3.PutObjectInput{Bucket: &bucket, Key: &key,
		Body: strings.NewReader(string(b)), ContentLength: aws.Int64(int64(len(b)))}); err != nil {
		t.Fatal(err)
	}
	msg, code := aeg(t, bin, nil, "export", "--plan", plan, "--shard", "0/3", "--out", "s3://"+bucket+"/out2", "-q")
	if code != 1 || !strings.Contains(msg, key) || !strings.Contains(msg, "ETag") {
		t.Errorf("a shard of a plan whose object was uploaded again: exit %d, want 1 naming %s and its ETag:\n%s", code, key, msg)
	}
}
