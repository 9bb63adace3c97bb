package cli

import (
	"context"
	"path/filepath"
	"strings"

	"github.com/aegisthus/aegisthus/internal/pipeline"
	"github.com/aegisthus/aegisthus/internal/render"
	"github.com/aegisthus/aegisthus/internal/storage"
	s3store "github.com/aegisthus/aegisthus/internal/storage/s3"
)

// compressArg is the pipeline's Compress: "" (the format's default) unless
// --compress was given.
func (o *exportOptions) compressArg() string {
	if !o.compressSet && o.compress == "none" {
		return ""
	}
	return o.compress
}

// formatArg is --format; options built without flags (tests) export JSON.
func (o *exportOptions) formatArg() (pipeline.Format, error) {
	if o.format == "" {
		return pipeline.FormatJSON, nil
	}
	return pipeline.ParseFormat(o.format)
}

// layoutArg is the pipeline's Layout: LayoutAuto unless --layout was given,
// so that legacy SSTables without a schema get the aegisthus layout.
func (o *exportOptions) layoutArg() pipeline.Layout {
	if !o.layoutSet && o.layout == "rows" {
		return pipeline.LayoutAuto
	}
	l, _ := pipeline.ParseLayout(o.layout) // validate checked it
	return l
}

// pipelineOptions are the options every table of the run shares.
func (o *exportOptions) pipelineOptions(ctx context.Context) (pipeline.Options, error) {
	split, _ := parseSize(o.splitSize)
	baseMax, _ := parseSize(o.baseMax)
	rowGroup, _ := parseSize(o.rowGroupSize) // "" (no flags) is 0, the default
	format, _ := o.formatArg()               // validate checked it
	tokLo, tokHi, _ := strings.Cut(o.tokenRange, ":")
	var now int64
	if o.now != "" {
		var err error
		if now, err = parseNow(o.now); err != nil {
			return pipeline.Options{}, err
		}
	}
	baseStore, err := baseStore(ctx, &o.s3, o.base)
	if err != nil {
		return pipeline.Options{}, err
	}
	return pipeline.Options{
		Workers: o.workers, SplitSize: split, Now: now,
		Compress: o.compressArg(), Resume: o.resume, Overwrite: o.overwrite, Version: Version,
		Layout:  o.layoutArg(),
		Rows:    render.RowsOptions{Columns: o.columns, Writetime: o.writetime, TTL: o.ttl},
		TokenLo: tokLo, TokenHi: tokHi, Keys: o.keys,
		Base: o.base, BaseStore: baseStore, MaxErrors: o.maxErrors, BaseMaxRecord: int(baseMax), Verify: o.verify,
		Format: format, RowGroupSize: rowGroup, Stall: testStall(),
	}, nil
}

// baseStore is where --base lives: S3 for an s3:// prefix, else the local disk.
func baseStore(ctx context.Context, s3 *s3Options, base string) (storage.Store, error) {
	if base == "" || !s3store.IsURL(base) {
		return storage.Local{}, nil
	}
	return s3.store(ctx, []string{base})
}

// samePlace reports whether two --base/--out arguments name the same directory.
func samePlace(a, b string) bool {
	if s3store.IsURL(a) || s3store.IsURL(b) {
		return strings.TrimSuffix(a, "/") == strings.TrimSuffix(b, "/")
	}
	aa, err1 := filepath.Abs(a)
	bb, err2 := filepath.Abs(b)
	return err1 == nil && err2 == nil && aa == bb
}
