package pipeline

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aegisthus/aegisthus/internal/render/parquetrows/pqtest"
	"github.com/aegisthus/aegisthus/internal/sink/memsink"
	"github.com/aegisthus/aegisthus/internal/storage"
)

// parquetRows reads the Parquet parts the manifest names (checking each
// against its record) with the library's reader, one string per row, sorted.
func parquetRows(t *testing.T, out *memsink.Sink) []string {
	t.Helper()
	files := out.Files()
	if _, ok := files[SuccessFile]; !ok {
		t.Fatalf("no %s", SuccessFile)
	}
	var rows []string
	for _, p := range manifestOf(t, out).Parts {
		b, ok := files[p.Name]
		if !ok || !strings.HasSuffix(p.Name, ".parquet") {
			t.Fatalf("manifest names %s: in the output %v", p.Name, ok)
		}
		if sum := sha256.Sum256(b); int64(len(b)) != p.Bytes || hex.EncodeToString(sum[:]) != p.SHA256 {
			t.Fatalf("%s: %d bytes, sha256 %x; manifest says %d, %s", p.Name, len(b), sum, p.Bytes, p.SHA256)
		}
		got, err := pqtest.Rows(b)
		if err != nil {
			t.Fatalf("%s: %v", p.Name, err)
		}
		if int64(len(got)) != p.Rows {
			t.Errorf("%s holds %d rows, its record says %d", p.Name, len(got), p.Rows)
		}
		for _, g := range got {
			rows = append(rows, fmt.Sprint(g))
		}
	}
	slices.Sort(rows)
	return rows
}

// TestParquetUnits: Parquet parts of an export in one unit and in many hold
// the same rows, as many as the JSON export's.
func TestParquetUnits(t *testing.T) {
	s := loadSample(t)
	o := s.options()
	o.Format = FormatParquet
	many, sum := export(t, o)
	if sum.Units < 3 {
		t.Fatalf("%d units, want several", sum.Units)
	}
	o.SplitSize = 1 << 40
	one, sum1 := export(t, o)
	if sum1.Units != 1 {
		t.Fatalf("%d units, want 1", sum1.Units)
	}
	a, b := parquetRows(t, many), parquetRows(t, one)
	if len(a) != len(s.want) || !slices.Equal(a, b) {
		t.Errorf("%d rows in %d units, %d in one; JSON has %d", len(a), sum.Units, len(b), len(s.want))
	}
	m := manifestOf(t, many)
	if m.Format != "parquet" || m.Compress != "zstd" || !strings.HasSuffix(m.Parts[0].Name, ".parquet") {
		t.Errorf("manifest: format %q compress %q part %s", m.Format, m.Compress, m.Parts[0].Name)
	}
}

// TestParquetResume: an interrupted Parquet export resumes, keeping its
// committed parts, and ends with the rows of an uninterrupted one.
func TestParquetResume(t *testing.T) {
	s := loadSample(t)
	o := s.options()
	o.Workers, o.Format, o.Compress = 1, FormatParquet, "snappy"
	whole, _ := export(t, o)
	out := &failCommit{Sink: memsink.New(), failAt: 3}
	if _, err := Export(context.Background(), storage.Local{}, out, o); !errors.Is(err, errDiskFull) {
		t.Fatalf("export into a failing sink: %v", err)
	}
	before := out.Files()
	o.Resume = true
	sum, err := Export(context.Background(), storage.Local{}, out.Sink, o)
	if err != nil {
		t.Fatal(err)
	}
	if sum.UnitsResumed == 0 {
		t.Error("nothing resumed")
	}
	after := out.Files()
	for name, b := range before {
		if strings.HasSuffix(name, ".parquet") && !bytes.Equal(b, after[name]) {
			t.Errorf("%s changed on resume", name)
		}
	}
	if a, b := parquetRows(t, whole), parquetRows(t, out.Sink); !slices.Equal(a, b) {
		t.Errorf("resumed export: %d rows, uninterrupted %d", len(b), len(a))
	}
	o.Format, o.Compress = FormatJSON, ""
	var rd *RunDiffersError
	if _, err := Export(context.Background(), storage.Local{}, out.Sink, o); !errors.As(err, &rd) {
		t.Errorf("resume of a Parquet export as JSON: %v, want a *RunDiffersError", err)
	}
}

// TestParquetOptions: Parquet holds the rows layout, with Parquet's codecs.
func TestParquetOptions(t *testing.T) {
	s := loadSample(t)
	o := s.options()
	o.Format, o.Layout = FormatParquet, LayoutPartitions
	var oe *OptionError
	if _, err := Prepare(context.Background(), storage.Local{}, o); !errors.As(err, &oe) || oe.Option != "format" {
		t.Errorf("parquet with the partitions layout: %v", err)
	}
	o.Layout, o.Compress = LayoutRows, "lz4"
	if _, err := Prepare(context.Background(), storage.Local{}, o); !errors.As(err, &oe) || oe.Option != "compress" {
		t.Errorf("parquet with lz4: %v", err)
	}
	if err := ParseFormatCompress(FormatJSON, "snappy"); err == nil {
		t.Error("JSON with snappy: no error")
	}
	if f, err := ParseFormat("parquet"); err != nil || f != FormatParquet {
		t.Errorf("ParseFormat(parquet) = %v, %v", f, err)
	}
}
