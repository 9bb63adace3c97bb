// Package pipeline runs an export: Prepare opens every SSTable of a table (all
// replicas), checks the options into typed fields and plans token-range units;
// Job.Run runs the units on a fixed pool of workers (each unit merges its
// partitions from every SSTable as a stream and writes one part file) and
// commits: _manifest.json, then _SUCCESS. A run that stops early leaves no
// _SUCCESS; a resumed run keeps the committed parts and redoes the rest.
package pipeline

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/aegisthus/aegisthus/internal/cql/cqlparse"
	"github.com/aegisthus/aegisthus/internal/discover"
	"github.com/aegisthus/aegisthus/internal/inspect"
	"github.com/aegisthus/aegisthus/internal/plan"
	"github.com/aegisthus/aegisthus/internal/render"
	"github.com/aegisthus/aegisthus/internal/render/parquetrows"
	"github.com/aegisthus/aegisthus/internal/schema"
	"github.com/aegisthus/aegisthus/internal/sink"
	"github.com/aegisthus/aegisthus/internal/sstable"
	"github.com/aegisthus/aegisthus/internal/sstable/format"
	"github.com/aegisthus/aegisthus/internal/sstable/wire"
	"github.com/aegisthus/aegisthus/internal/storage"
	"github.com/aegisthus/aegisthus/internal/token"
)

// Options configure an export. Prepare checks them once; nothing after it
// looks at strings again.
type Options struct {
	Table     *discover.SSTableSet
	Schema    *cqlparse.Table // optional CQL definition
	Workers   int             // default runtime.NumCPU()
	SplitSize int64           // default plan.DefaultSplitSize
	Now       int64           // seconds since the epoch; 0 means the run's start
	Compress  string          // "none" (default), "gzip" or "zstd"; for Parquet "zstd" (default), "snappy", "gzip" or "none"
	// Format is the part files' format: JSON lines, or Parquet (rows layout only).
	Format Format
	// RowGroupSize is the buffered bytes at which a Parquet part flushes a row
	// group; 0 is parquetrows.DefaultRowGroupSize.
	RowGroupSize int64
	Resume       bool
	Overwrite    bool
	Version      string // tool version for the manifest
	Log          *slog.Logger
	// Progress, when set, is told about every finished unit.
	Progress func(p Progress)
	// Meter, when set, counts the work as it happens (bytes as the scanners
	// advance), for a display that polls it.
	Meter *Meter
	// Layout is the output layout; LayoutAuto picks rows, or aegisthus for
	// pre-3.0 SSTables without a schema.
	Layout Layout
	// Rows adjusts the rows layout (columns, writetime, ttl).
	Rows render.RowsOptions
	// TokenLo and TokenHi, when set, keep only partitions whose token t has
	// TokenLo < t <= TokenHi (as Cassandra prints tokens).
	TokenLo, TokenHi string
	// Keys, when set, keeps only these partition keys, spelled as dump prints
	// them (components joined by ':').
	Keys []string
	// Base, when set, is a previous export of the table in the partitions layout
	// (a directory or s3:// prefix in BaseStore, or in the inputs' store when
	// nil): its partitions are merged with the SSTables' as one more source.
	Base      string
	BaseStore storage.Store
	// BaseMaxRecord bounds one partition's record in a Base part file,
	// uncompressed: it is held whole. 0 means partfile.DefaultMaxRecord.
	BaseMaxRecord int
	// MaxErrors is how many SSTables that fail to open or to decode may be
	// left out of the export, each recorded in the manifest and _errors.jsonl
	// (which then says the output is incomplete). 0 skips nothing: the first
	// such error fails the export.
	MaxErrors int
	// Plan, when set, is the table's plan made earlier (a plan file): Prepare
	// takes it instead of reading the partition indexes again.
	Plan *plan.Plan
	// Verify checks every SSTable before the export reads it, as verify
	// --extended does (inspect.VerifyWith): checksums, digest, components,
	// and every partition, row and cell. A failing SSTable fails the export
	// (or is left out under MaxErrors) before any unit runs.
	Verify bool
	// Stall, for tests, holds every part written in full for this long
	// before its commit (as ShardOptions.Stall): a run lasts long enough to
	// be watched or killed mid-unit.
	Stall time.Duration
}

// Progress is a snapshot of a running export. Bytes are uncompressed
// SSTable bytes, each counted once (plan.Unit.Bytes): Bytes is
// Summary.BytesIn when no base is merged. The Resumed fields are what an
// earlier run did (counted in the Done fields too), and are left out of
// speeds.
type Progress struct {
	UnitsDone, Units int
	BytesDone, Bytes int64
	Rows             int64
	Elapsed          time.Duration

	UnitsResumed              int
	BytesResumed, RowsResumed int64
}

// Summary is what an export did.
type Summary struct {
	Table        string        `json:"table"`
	SSTables     int           `json:"sstables"`
	Units        int           `json:"units"`
	UnitsResumed int           `json:"units_resumed"`
	Partitions   int64         `json:"partitions"`
	Tombstones   int64         `json:"tombstones"`
	Rows         int64         `json:"rows"`
	BytesIn      int64         `json:"bytes_in"`
	BytesOut     int64         `json:"bytes_out"`
	Now          int64         `json:"now"`
	Duration     time.Duration `json:"duration_ns"`
	// Skipped counts the SSTables left out (Options.MaxErrors).
	Skipped int `json:"skipped,omitempty"`
}

// ErrOutputNotEmpty is returned when the output holds files and neither
// Options.Resume nor Options.Overwrite is set.
var ErrOutputNotEmpty = errors.New("output is not empty")

// ErrNothingToResume is returned by Options.Resume without a previous run's plan.
var ErrNothingToResume = errors.New("nothing to resume")

// ErrNeedsSchema marks pre-3.0 SSTables that the options cannot export
// without the table's CQL schema (Options.Schema).
var ErrNeedsSchema = sstable.ErrNeedsSchema

// OptionError is an option that does not fit the table or its value. Option
// names it as Options' documentation does ("layout", "columns", "token-range",
// "keys", "base", "compress"); the caller words it as its flag.
type OptionError struct {
	Option string
	Value  string // as given (quoted where the message needs it), or ""
	Err    error
}

func (e *OptionError) Error() string {
	if e.Value != "" {
		return e.Option + " " + e.Value + ": " + e.Err.Error()
	}
	return e.Option + ": " + e.Err.Error()
}

func (e *OptionError) Unwrap() error { return e.Err }

// RunDiffersError is returned on resume when the output holds the export of
// other inputs, another plan or other options, or (Now set) one evaluated at
// another Options.Now.
type RunDiffersError struct {
	Out          string // the output, as the sink names itself
	Now, PrevNow int64  // when Options.Now differs: this run's and the first run's
}

func (e *RunDiffersError) Error() string {
	if e.Now != 0 {
		return fmt.Sprintf("now %d differs from the run being resumed (%d)", e.Now, e.PrevNow)
	}
	return fmt.Sprintf("%s: the run being resumed exported different inputs, plan or options (compare %s with this run)", e.Out, HeadFile)
}

// Job is a prepared export: options checked into typed fields, SSTables open,
// the table unified and the plan made. Run it once, then Close it.
type Job struct {
	o       Options // defaults filled in
	start   time.Time
	layout  Layout
	codec   codec
	ssts    []*sstable.SSTable
	bytesIn int64
	tbl     *schema.Table
	pl      *plan.Plan
	base    *base // Options.Base, or nil
	keep    filter
	pqs     *parquetrows.Schema // Parquet parts' schema (FormatParquet)
	head    Head                // what _export.json records; a resumed run adopts the first run's Now

	counted []atomic.Int64 // per unit: bytes its scanners counted into Options.Meter

	skipped []Skip // SSTables that failed to open (Options.MaxErrors)
	skipMu  sync.Mutex
	bad     map[int]bool  // Job.ssts left out after a decode error
	shared  bool          // a shard of a plan: other processes may write the same parts (sink.Shared)
	stall   time.Duration // Options.Stall, ShardOptions.Stall
}

// filter is what Options.TokenLo/TokenHi and Options.Keys keep.
type filter struct {
	lo, hi []byte          // token bounds, nil for open ends
	keys   map[string]bool // nil keeps every key
}

// Prepare checks o, opens the table's SSTables (and the base, when set) and
// plans the units. It reads no output: Run does. Errors in options are
// *OptionError; inputs that need a schema wrap ErrNeedsSchema.
func Prepare(ctx context.Context, store storage.Store, o Options) (*Job, error) {
	j := &Job{start: time.Now(), bad: map[int]bool{}}
	if o.Workers <= 0 {
		o.Workers = runtime.NumCPU()
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	if o.BaseStore == nil {
		o.BaseStore = store
	}
	if o.Compress == "" {
		o.Compress = "none"
		if o.Format == FormatParquet {
			o.Compress = "zstd"
		}
	}
	if err := j.pickLayout(&o); err != nil {
		return nil, err
	}
	j.o, j.stall = o, o.Stall
	var err error
	if j.codec, err = formatCodec(o.Format, o.Compress); err != nil {
		return nil, err
	}
	if err := j.open(ctx, store); err != nil {
		j.Close()
		return nil, err
	}
	if err := j.check(); err != nil {
		j.Close()
		return nil, err
	}
	return j, nil
}

// pickLayout resolves LayoutAuto: pre-3.0 SSTables without a schema have no
// types, so they export the way Netflix Aegisthus did, as hex
// (docs/layout-aegisthus.md).
func (j *Job) pickLayout(o *Options) error {
	switch o.Layout {
	case LayoutAuto:
		j.layout = LayoutRows
		if o.Schema == nil && allLegacy(o.Table) {
			j.layout = LayoutAegisthus
			if len(o.Rows.Columns) > 0 || o.Rows.Writetime || o.Rows.TTL {
				return &OptionError{Option: "columns", Err: fmt.Errorf("%s: pre-3.0 SSTables without a schema export in the aegisthus layout, which keeps every column: %w", o.Table, ErrNeedsSchema)}
			}
		}
	case LayoutRows, LayoutPartitions, LayoutAegisthus:
		j.layout = o.Layout
	default:
		return &OptionError{Option: "layout", Value: strconv.Quote(o.Layout.String()), Err: errLayout}
	}
	return nil
}

// open opens the SSTables and the base, unifies the table and plans it.
func (j *Job) open(ctx context.Context, store storage.Store) error {
	for _, d := range j.o.Table.SSTables {
		if err := ctx.Err(); err != nil {
			return err
		}
		if j.o.Verify {
			if err := j.verify(ctx, store, d); err != nil {
				if j.skipOpen(d, err) {
					continue
				}
				return err
			}
		}
		sst, err := sstable.Open(store, d, sstable.Options{Table: j.o.Schema, Raw: j.layout == LayoutAegisthus})
		if err != nil {
			if j.skipOpen(d, err) {
				continue
			}
			return err
		}
		j.ssts = append(j.ssts, sst)
		j.bytesIn += sst.Chunks.Length()
	}
	if err := checkRaw(j.ssts); err != nil {
		return err
	}
	var spans []plan.Span
	if j.o.Base != "" {
		var err error
		if j.base, err = openBase(j.o.BaseStore, j.o.Base); err != nil {
			return err
		}
		j.base.maxRecord = j.o.BaseMaxRecord
		spans = j.base.spans()
	}
	var err error
	if j.tbl, err = buildTable(j.ssts, j.base); err != nil {
		return err
	}
	if len(j.tbl.Unknown) > 0 {
		// Neither printed (the schema does not have them) nor known to be
		// dropped (no ALTER TABLE … DROP … USING TIMESTAMP): say so.
		j.o.Log.Warn("columns in SSTable headers are neither in the schema nor dropped in it: not exported; "+
			"a snapshot's schema.cql records drops", "table", j.o.Table.String(), "columns", j.tbl.Unknown)
	}
	if j.o.Plan != nil {
		j.pl = j.o.Plan
		err = checkPlan(j.pl, len(j.ssts))
	} else {
		j.pl, err = plan.MakeWith(store, j.ssts, j.tbl.Partitioner, j.o.SplitSize, spans)
	}
	if err == nil {
		j.counted = make([]atomic.Int64, len(j.pl.Units))
	}
	return err
}

// check checks the filters against the table and records the run's head.
func (j *Job) check() error {
	now := j.o.Now
	if now == 0 {
		now = j.start.Unix()
	}
	for _, c := range j.o.Rows.Columns {
		if i := j.tbl.Column(c); i < 0 || j.tbl.Columns[i].Hidden {
			return &OptionError{Option: "columns", Err: fmt.Errorf("table %s has no column %q", j.o.Table, c)}
		}
	}
	if j.o.Format == FormatParquet {
		if j.layout != LayoutRows {
			return &OptionError{Option: "format", Value: "parquet", Err: fmt.Errorf("%s: Parquet holds the rows layout, not %s (pre-3.0 SSTables need --schema for it)", j.o.Table, j.layout)}
		}
		var err error
		if j.pqs, err = parquetrows.NewSchema(j.tbl, j.o.Rows); err != nil {
			return err
		}
	}
	j.head = j.newHead(now)
	var err error
	if j.keep.lo, j.keep.hi, err = parseRange(j.tbl, j.o.TokenLo, j.o.TokenHi); err != nil {
		return err
	}
	if len(j.o.Keys) > 0 {
		j.keep.keys = map[string]bool{}
		for _, k := range j.o.Keys {
			j.keep.keys[k] = true
		}
	}
	return nil
}

// Close releases the SSTables.
func (j *Job) Close() error {
	var first error
	for _, s := range j.ssts {
		if err := s.Close(); err != nil && first == nil {
			first = err
		}
	}
	j.ssts = nil
	return first
}

// closeData closes the SSTables' Data.db, keeping them described (plan,
// schema, chunk offsets) for openData.
func (j *Job) closeData() {
	for _, s := range j.ssts {
		s.Close()
	}
}

// openData opens the SSTables' Data.db again after closeData; on an error,
// those it opened are closed again.
func (j *Job) openData() error {
	for i, s := range j.ssts {
		if err := s.ReopenData(); err != nil {
			for _, o := range j.ssts[:i] {
				o.Close()
			}
			return err
		}
	}
	return nil
}

// Layout is the layout the job writes (LayoutAuto resolved).
func (j *Job) Layout() Layout { return j.layout }

// Plan is the job's units.
func (j *Job) Plan() *plan.Plan { return j.pl }

// Export prepares and runs the export of one table into out.
func Export(ctx context.Context, store storage.Store, out sink.Sink, o Options) (*Summary, error) {
	j, err := Prepare(ctx, store, o)
	if err != nil {
		return nil, err
	}
	defer j.Close()
	return j.Run(ctx, out)
}

// allLegacy reports whether every SSTable of t is pre-3.0 (has no serialization header).
func allLegacy(t *discover.SSTableSet) bool {
	for _, d := range t.SSTables {
		if !d.Version.IsLegacy() {
			return false
		}
	}
	return len(t.SSTables) > 0
}

// checkRaw refuses to merge pre-3.0 SSTables read without a schema (raw cell
// names) with 3.0+ ones (typed rows): their cells cannot be matched.
func checkRaw(ssts []*sstable.SSTable) error {
	var raw, typed *sstable.SSTable
	for _, s := range ssts {
		if s.Raw {
			raw = s
		} else {
			typed = s
		}
	}
	if raw != nil && typed != nil {
		return fmt.Errorf("%s is pre-3.0 and %s is not: a mix of legacy and 3.0+ SSTables: %w", dataPath(raw), dataPath(typed), ErrNeedsSchema)
	}
	return nil
}

// dataPath names an SSTable in messages and the manifest.
func dataPath(s *sstable.SSTable) string { return s.Path(format.Data) }

// parseRange reads the token bounds of Options.TokenLo and TokenHi.
func parseRange(tbl *schema.Table, lo, hi string) (l, h []byte, err error) {
	if lo != "" {
		if l, err = token.ParseToken(tbl.Partitioner, lo); err != nil {
			return nil, nil, &OptionError{Option: "token-range", Err: err}
		}
	}
	if hi != "" {
		if h, err = token.ParseToken(tbl.Partitioner, hi); err != nil {
			return nil, nil, &OptionError{Option: "token-range", Err: err}
		}
	}
	if l != nil && h != nil && bytes.Compare(l, h) >= 0 {
		return nil, nil, &OptionError{Option: "token-range", Value: lo + ":" + hi, Err: errors.New("the range is empty")}
	}
	return l, h, nil
}

// verify is Options.Verify's check of one SSTable: nil when it passes, else
// an error listing every failure (file, offset, what was wrong).
func (j *Job) verify(ctx context.Context, store storage.Store, d format.Descriptor) error {
	res, err := inspect.VerifyWith(ctx, store, d, inspect.VerifyOptions{Extended: true, Table: j.o.Schema})
	if err != nil {
		return err
	}
	if len(res.Failures) == 0 {
		return nil
	}
	msgs := make([]string, len(res.Failures))
	for i, f := range res.Failures {
		msgs[i] = strings.TrimPrefix(f.Error, f.Path+": ")
	}
	first := res.Failures[0]
	return &wire.FormatError{Path: first.Path, Component: first.Component, Offset: first.Offset,
		Err: verifyError(fmt.Sprintf("--verify: %d failures: %s", len(msgs), strings.Join(msgs, "; ")))}
}

// verifyError is Options.Verify's finding: corrupt input, said once.
type verifyError string

func (e verifyError) Error() string        { return string(e) }
func (e verifyError) Is(target error) bool { return target == wire.ErrCorrupt }
