// Package pipeline runs an export: open every SSTable of a table (all replicas),
// plan token-range units, run them on a fixed pool of workers (each unit merges
// its partitions from every SSTable as a stream and writes one part file), and
// commit: _manifest.json, then _SUCCESS. A run that stops early leaves no
// _SUCCESS; --resume keeps the committed parts and redoes the rest.
package pipeline

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"sync"
	"time"

	"github.com/aegisthus/aegisthus/internal/cql"
	"github.com/aegisthus/aegisthus/internal/discover"
	"github.com/aegisthus/aegisthus/internal/plan"
	"github.com/aegisthus/aegisthus/internal/render"
	"github.com/aegisthus/aegisthus/internal/schema"
	"github.com/aegisthus/aegisthus/internal/sink"
	"github.com/aegisthus/aegisthus/internal/sstable"
	"github.com/aegisthus/aegisthus/internal/sstable/format"
	"github.com/aegisthus/aegisthus/internal/storage"
	"github.com/aegisthus/aegisthus/internal/token"
)

// Options configure an export.
type Options struct {
	Table     *discover.SSTableSet
	Schema    *cql.Table // optional CQL definition
	Workers   int        // default runtime.NumCPU()
	SplitSize int64      // default plan.DefaultSplitSize
	Now       int64      // seconds since the epoch; 0 means the run's start
	Compress  string     // "none", "gzip" or "zstd"
	Resume    bool
	Overwrite bool
	Version   string // tool version for the manifest
	Log       *slog.Logger
	// Progress, when set, is told about every finished unit.
	Progress func(p Progress)
	// Layout is "rows" (default: SELECT JSON per live row), "partitions" (one
	// lossless record per partition, docs/layout-partitions.md) or "aegisthus"
	// (Netflix Aegisthus's line per partition, docs/layout-aegisthus.md).
	Layout string
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
}

// Progress is a snapshot of a running export.
type Progress struct {
	UnitsDone, Units int
	BytesDone, Bytes int64 // uncompressed SSTable bytes scanned
	Rows             int64
	Elapsed          time.Duration
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
}

// ErrOutputNotEmpty is returned when --out holds files and neither --resume nor
// --overwrite was given.
var ErrOutputNotEmpty = errors.New("output is not empty")

// ErrNothingToResume is returned by --resume without a previous run's plan.
var ErrNothingToResume = errors.New("nothing to resume")

// Export runs the export of one table into out.
func Export(ctx context.Context, store storage.Store, out sink.Sink, o Options) (*Summary, error) {
	start := time.Now()
	if o.Workers <= 0 {
		o.Workers = runtime.NumCPU()
	}
	if o.Log == nil {
		o.Log = slog.New(slog.DiscardHandler)
	}
	switch o.Layout {
	case "":
		o.Layout = "rows"
		if o.Schema == nil && allLegacy(o.Table) {
			// Without a schema the cells of a 2.x table have no types: export them
			// the way Netflix Aegisthus did, as hex (docs/layout-aegisthus.md).
			o.Layout = "aegisthus"
			if len(o.Rows.Columns) > 0 || o.Rows.Writetime || o.Rows.TTL {
				return nil, &FilterError{fmt.Errorf("%s: pre-3.0 SSTables without a schema export in the aegisthus layout, which keeps every column: --columns, --writetime and --ttl need --schema FILE.cql", o.Table)}
			}
			o.Log.Info("pre-3.0 SSTables without a schema: exporting raw bytes as hex in the aegisthus layout; give --schema FILE.cql for CQL rows",
				"table", o.Table.String(), "layout", o.Layout)
		}
	case "rows", "partitions", "aegisthus":
	default:
		return nil, &FilterError{fmt.Errorf("--layout %q: want rows, partitions or aegisthus", o.Layout)}
	}
	codec, err := codecFor(o.Compress)
	if err != nil {
		return nil, err
	}
	ssts := make([]*sstable.SSTable, 0, len(o.Table.SSTables))
	defer func() {
		for _, s := range ssts {
			s.Close()
		}
	}()
	var bytesIn int64
	for _, d := range o.Table.SSTables {
		sst, err := sstable.Open(store, d, sstable.Options{Table: o.Schema, Raw: o.Layout == "aegisthus"})
		if err != nil {
			return nil, err
		}
		ssts = append(ssts, sst)
		bytesIn += sst.Chunks.Length()
	}
	if err := checkRaw(ssts); err != nil {
		return nil, err
	}
	var b *base
	var spans []plan.Span
	if o.Base != "" {
		if o.BaseStore == nil {
			o.BaseStore = store
		}
		if b, err = openBase(o.BaseStore, o.Base); err != nil {
			return nil, err
		}
		spans = b.spans()
	}
	tbl, err := buildTable(ssts, b)
	if err != nil {
		return nil, err
	}
	pl, err := plan.MakeWith(store, ssts, tbl.Partitioner, o.SplitSize, spans)
	if err != nil {
		return nil, err
	}
	now := o.Now
	if now == 0 {
		now = start.Unix()
	}
	for _, c := range o.Rows.Columns {
		if i := tbl.Column(c); i < 0 || tbl.Columns[i].Hidden {
			return nil, &FilterError{fmt.Errorf("--columns: table %s has no column %q", o.Table, c)}
		}
	}
	st := newState(o, ssts, tbl, pl, now, codec)
	if o.Layout == "partitions" {
		st.head.Schema = tbl.Describe()
	}
	if b != nil {
		st.base, st.head.Base = b, &b.ref
	}
	if st.tokLo, st.tokHi, err = parseRange(tbl, o.TokenLo, o.TokenHi); err != nil {
		return nil, err
	}
	done, err := st.prepare(ctx, out)
	if err != nil {
		return nil, err
	}
	now = st.head.Now // a resumed run keeps the first run's --now
	if b != nil {
		o.Log.Info("merging a previous export", "base", o.Base, "parts", len(b.parts),
			"base_now", time.Unix(b.ref.Now, 0).UTC().Format(time.RFC3339))
	}
	o.Log.Info("export planned", "table", o.Table.String(), "sstables", len(ssts), "units", len(pl.Units),
		"bytes", bytesIn, "resumed_units", len(done), "now", time.Unix(now, 0).UTC().Format(time.RFC3339))

	sum := &Summary{Table: o.Table.String(), SSTables: len(ssts), Units: len(pl.Units), UnitsResumed: len(done), Now: now}
	var (
		mu       sync.Mutex
		parts    = make([]PartInfo, len(pl.Units))
		progress = Progress{Units: len(pl.Units)}
	)
	for _, u := range pl.Units {
		progress.Bytes += u.Bytes
	}
	for id, p := range done {
		parts[id] = p
		progress.UnitsDone++
		progress.BytesDone += pl.Units[id].Bytes
		progress.Rows += p.Rows
	}
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	work := make(chan int)
	// Written parts are committed off the workers, one committer per worker: a
	// local commit waits for the disk, an S3 one for the upload's last part and
	// its completion, and either overlaps the next unit's decoding. At most one
	// part per worker waits for a committer.
	commits := make(chan *pendingPart, o.Workers)
	var cwg sync.WaitGroup
	committer := func() {
		defer cwg.Done()
		for pp := range commits {
			p, err := st.commitPart(ctx, out, pp)
			if err != nil {
				cancel(err)
				continue
			}
			mu.Lock()
			parts[p.Unit] = p
			progress.UnitsDone++
			progress.BytesDone += pl.Units[p.Unit].Bytes
			progress.Rows += p.Rows
			progress.Elapsed = time.Since(start)
			snapshot := progress
			mu.Unlock()
			if o.Progress != nil {
				o.Progress(snapshot)
			}
		}
	}
	for range o.Workers {
		cwg.Add(1)
		go committer()
	}
	var wg sync.WaitGroup
	for w := 0; w < o.Workers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for id := range work {
				pp, err := st.runUnit(ctx, out, id)
				if err != nil {
					cancel(err)
					continue
				}
				commits <- pp
			}
		}()
	}
feed:
	for id := range pl.Units {
		if _, ok := done[id]; ok {
			continue
		}
		select {
		case work <- id:
		case <-ctx.Done():
			break feed
		}
	}
	close(work)
	wg.Wait()
	close(commits)
	cwg.Wait()
	if err := context.Cause(ctx); err != nil {
		return nil, err
	}
	if err := st.commit(ctx, out, parts, time.Since(start)); err != nil {
		return nil, err
	}
	for _, p := range parts {
		sum.Rows += p.Rows
		sum.Partitions += p.Partitions
		sum.Tombstones += p.Tombstones
		sum.BytesOut += p.Bytes
	}
	sum.BytesIn = bytesIn
	sum.Duration = time.Since(start)
	return sum, nil
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
		return &FilterError{fmt.Errorf("%s is pre-3.0 and %s is not: a mix of legacy and 3.0+ SSTables needs the table's schema (--schema FILE.cql)",
			dataPath(raw), dataPath(typed))}
	}
	return nil
}

// dataPath names an SSTable in messages and the manifest.
func dataPath(s *sstable.SSTable) string { return s.Path(format.Data) }

// FilterError is a bad filter option (a usage error).
type FilterError struct{ Err error }

func (e *FilterError) Error() string { return e.Err.Error() }
func (e *FilterError) Unwrap() error { return e.Err }

func parseRange(tbl *schema.Table, lo, hi string) (l, h []byte, err error) {
	if lo != "" {
		if l, err = token.ParseToken(tbl.Partitioner, lo); err != nil {
			return nil, nil, &FilterError{fmt.Errorf("--token-range: %w", err)}
		}
	}
	if hi != "" {
		if h, err = token.ParseToken(tbl.Partitioner, hi); err != nil {
			return nil, nil, &FilterError{fmt.Errorf("--token-range: %w", err)}
		}
	}
	if l != nil && h != nil && bytes.Compare(l, h) >= 0 {
		return nil, nil, &FilterError{fmt.Errorf("--token-range %s:%s is empty", lo, hi)}
	}
	return l, h, nil
}
