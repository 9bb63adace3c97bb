package pipeline

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/aegisthus/aegisthus/internal/cql/cqlparse"
	"github.com/aegisthus/aegisthus/internal/discover"
	"github.com/aegisthus/aegisthus/internal/sink"
	"github.com/aegisthus/aegisthus/internal/storage"
)

// TableSpec is one table of a batch: its SSTables and its CQL definition (nil
// without one).
type TableSpec struct {
	Table  *discover.SSTableSet
	Schema *cqlparse.Table
}

// SkippedTable is a table the inputs hold that the selection left out, and why.
type SkippedTable struct {
	Table  string `json:"table"`
	ID     string `json:"id,omitempty"`
	Reason string `json:"reason"`
}

// BatchOptions configure the export of many tables in one run. Options is
// shared by every table (its Table, Schema and Base are set per table).
type BatchOptions struct {
	Options
	Tables  []TableSpec
	Skipped []SkippedTable // reported in the top-level manifest
	// BaseRoot, when set, is a previous many-table export: each table merges
	// BaseRoot/<keyspace>/<table>/ (in Options.BaseStore) when it is there and
	// is exported in full when it is not; tables of the base that are not
	// exported now are reported as gone.
	BaseRoot string
	// FailFast stops the whole run at the first table that fails; otherwise
	// the other tables go on and Run returns a *PartialError.
	FailFast bool
}

// ErrPartial marks a batch in which some tables failed and the others are complete.
var ErrPartial = errors.New("some tables failed; the others are complete")

// PartialError is a batch that completed some tables and failed others.
type PartialError struct {
	Out    string   // the output root, as the sink names itself
	Failed []string // ks.table
}

func (e *PartialError) Error() string {
	return fmt.Sprintf("%v: %d failed (%s); see %s/%s", ErrPartial, len(e.Failed), strings.Join(e.Failed, ", "),
		strings.TrimSuffix(e.Out, "/"), ManifestFile)
}

func (e *PartialError) Unwrap() error { return ErrPartial }

// Batch is a prepared many-table export: one Job per table, and the tables
// that could not be prepared with their error. Run it once.
type Batch struct {
	o      BatchOptions
	start  time.Time
	tables []*batchTable
	gone   []TableOutcome
	// onStart, when set (tests), is told of each unit as it starts.
	onStart func(table string, unit int)
}

// batchTable is one table of a batch and its run.
type batchTable struct {
	name string // ks.table
	dir  string // ks/table, below the output root
	job  *Job   // nil when Prepare failed
	base string // the previous export merged, or ""
	out  sink.Sink

	mu      sync.Mutex
	err     error // Prepare's, or the first of its units'
	parts   []PartInfo
	left    int  // units not committed yet
	pending int  // units not ended yet: committed, failed or dropped
	open    bool // Data.db files reopened for the units (openData)
	result  *TableOutcome
}

// PrepareBatch prepares every table as Prepare does. A table that fails to
// prepare is kept with its error (Run reports it) unless FailFast. Each
// table's Data.db files are closed once it is planned: Run opens them again
// when its first unit starts and closes them when its last ends, so a backup
// of many tables holds open only the files of the tables being exported.
func PrepareBatch(ctx context.Context, store storage.Store, bo BatchOptions) (*Batch, error) {
	b := &Batch{o: bo, start: time.Now()}
	if b.o.BaseStore == nil {
		b.o.BaseStore = store
	}
	if b.o.Log == nil {
		b.o.Log = slog.New(slog.DiscardHandler)
	}
	if b.o.Workers <= 0 {
		b.o.Workers = runtime.NumCPU()
	}
	bo = b.o
	dirs := map[string]bool{}
	for _, ts := range bo.Tables {
		bt := &batchTable{name: ts.Table.String(), dir: tableDir(ts.Table, dirs)}
		b.tables = append(b.tables, bt)
		o := b.o.Options
		o.Table, o.Schema, o.Base, o.Progress = ts.Table, ts.Schema, "", nil
		if bo.BaseRoot != "" {
			if d := joinDir(bo.BaseRoot, bt.dir); isExport(b.o.BaseStore, d) {
				o.Base, bt.base = d, d
			}
		}
		j, err := Prepare(ctx, store, o)
		if err != nil {
			if ctx.Err() != nil || bo.FailFast {
				b.Close()
				return nil, fmt.Errorf("%s: %w", bt.name, err)
			}
			bt.err = err
			bo.Log.Error("table failed", "table", bt.name, "error", err)
			continue
		}
		j.closeData()
		bt.job = j
	}
	if bo.BaseRoot != "" {
		var err error
		if b.gone, err = goneTables(b.o.BaseStore, bo.BaseRoot, dirs); err != nil {
			b.Close()
			return nil, err
		}
	}
	return b, nil
}

// tableDir is where a table goes below the output root: ks/table, or
// ks/table-<id> for a second table of the same name (dropped and created again).
func tableDir(t *discover.SSTableSet, used map[string]bool) string {
	ks, name := t.Keyspace, t.Name
	if ks == "" {
		ks = "_"
	}
	if name == "" {
		name = "_"
	}
	d := ks + "/" + name
	if used[d] && len(t.IDs) > 0 {
		d += "-" + t.IDs[0]
	}
	used[d] = true
	return d
}

func joinDir(root, dir string) string { return strings.TrimSuffix(root, "/") + "/" + dir }

// isExport reports whether dir holds an export's files.
func isExport(store storage.Store, dir string) bool {
	for _, f := range []string{SuccessFile, ManifestFile, HeadFile} {
		if store.Exists(joinDir(dir, f)) {
			return true
		}
	}
	return false
}

// goneTables lists the tables exported under a base root (ks/table/ with a
// manifest) that this run does not export.
func goneTables(store storage.Store, root string, dirs map[string]bool) ([]TableOutcome, error) {
	var out []TableOutcome
	prefix := strings.TrimSuffix(root, "/") + "/"
	err := store.Walk(root, func(path string, _ int64) error {
		rel, ok := strings.CutPrefix(strings.ReplaceAll(path, "\\", "/"), prefix)
		parts := strings.Split(rel, "/")
		if ok && len(parts) == 3 && parts[2] == ManifestFile && !dirs[parts[0]+"/"+parts[1]] {
			out = append(out, TableOutcome{Table: parts[0] + "." + parts[1], Dir: parts[0] + "/" + parts[1],
				Status: StatusGone, Reason: "in the base (" + root + ") but not in the inputs"})
		}
		return nil
	})
	if err != nil {
		return nil, &OptionError{Option: "base", Value: root, Err: err}
	}
	slices.SortFunc(out, func(a, b TableOutcome) int { return strings.Compare(a.Dir, b.Dir) })
	return out, nil
}

// Close releases every table's SSTables.
func (b *Batch) Close() error {
	var first error
	for _, bt := range b.tables {
		if bt.job != nil {
			if err := bt.job.Close(); err != nil && first == nil {
				first = err
			}
		}
	}
	return first
}
