package pipeline

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"time"

	"github.com/aegisthus/aegisthus/internal/cql/cqlparse"
	"github.com/aegisthus/aegisthus/internal/discover"
	"github.com/aegisthus/aegisthus/internal/plan"
	"github.com/aegisthus/aegisthus/internal/render"
	"github.com/aegisthus/aegisthus/internal/schema"
	"github.com/aegisthus/aegisthus/internal/sstable/format"
	"github.com/aegisthus/aegisthus/internal/storage"
)

// PlanFormat names the format of a plan file; a reader refuses any other.
const PlanFormat = "aegisthus-plan/1"

// PlanFile is a scaled-out export fixed in advance (`aegisthus plan --out`):
// every input file pinned by path, size and ETag, each table's schema, --now,
// the layout and options (each table's Head, as its _export.json will say it)
// and the units. Any number of processes run disjoint sets of its units
// (RunShard) into one output, and Commit joins them: the output is the one a
// single process exporting the same plan writes.
//
// Units are numbered across tables: table i's unit u is FirstUnit(i)+u, its
// part file part-<u>.jsonl in the table's directory.
type PlanFile struct {
	Format    string `json:"format"`
	Tool      string `json:"tool"`
	CreatedAt string `json:"created_at"`
	Now       int64  `json:"now"`
	NowUTC    string `json:"now_utc"`
	// Inputs are the SSTable directories planned (after the backup selection).
	Inputs []string `json:"inputs"`
	// Framed marks inputs in Priam's Snappy-framed form.
	Framed bool `json:"framed,omitempty"`
	// Tree: each table goes into OUT/<keyspace>/<table>/ and a top-level
	// manifest lists them; else the only table is exported into OUT itself.
	Tree bool `json:"tree"`
	// Shards is the number of shards when neither --shards nor --shard says (0: unset).
	Shards int   `json:"shards,omitempty"`
	Units  int   `json:"units"`
	Bytes  int64 `json:"bytes"`
	// Schemas holds the text of every CQL file a table's definition came from.
	Schemas map[string]string `json:"schemas,omitempty"`
	Tables  []PlanTable       `json:"tables"`
	Skipped []SkippedTable    `json:"skipped,omitempty"`

	id string // set by ReadPlan and Marshal
}

// PlanTable is one table of a plan.
type PlanTable struct {
	Table     string   `json:"table"`
	Dir       string   `json:"dir,omitempty"` // below the output root (PlanFile.Tree)
	Keyspace  string   `json:"keyspace,omitempty"`
	Name      string   `json:"name,omitempty"`
	ID        string   `json:"id,omitempty"`
	IDs       []string `json:"ids,omitempty"`
	View      bool     `json:"view,omitempty"`
	FirstUnit int      `json:"first_unit"`
	// SchemaFile names the CQL (in PlanFile.Schemas) that defines the table.
	SchemaFile string `json:"schema_file,omitempty"`
	// Schema is the unified table as the manifest describes it.
	Schema *schema.Desc `json:"schema"`
	// Files pins every component of every SSTable.
	Files []PinnedFile `json:"files"`
	// Head is the table's _export.json, its units included (Head.Plan).
	Head Head `json:"head"`
}

// PinnedFile is one input file as the plan found it.
type PinnedFile struct {
	Path string `json:"path"`
	Size int64  `json:"size"`
	ETag string `json:"etag,omitempty"`
}

// ErrInputChanged is an input file that differs from the one the plan pinned.
var ErrInputChanged = errors.New("changed since the plan was made")

// ErrBadPlan is a plan file that cannot be used.
var ErrBadPlan = errors.New("bad plan file")

// PlanSpec is one table to plan: its SSTables, its CQL definition and the file
// that held it ("" without one) with its text.
type PlanSpec struct {
	TableSpec
	SchemaFile, SchemaCQL string
}

// PlanOptions configure MakePlan. Options carries what shapes the output
// (Now, SplitSize, Compress, Layout, Rows, TokenLo/Hi, Keys) and Version;
// Base and MaxErrors must be unset.
type PlanOptions struct {
	Options
	Tables  []PlanSpec
	Skipped []SkippedTable
	Tree    bool
	Inputs  []string
	Framed  bool
	Shards  int
	// Pin is the store whose files the plan pins as they are stored (S3's
	// ETags), when store reads them through a wrapper (Snappy framing).
	Pin storage.Store
}

// MakePlan prepares every table as an export would, and fixes the result.
func MakePlan(ctx context.Context, store storage.Store, po PlanOptions) (*PlanFile, error) {
	if po.Base != "" || po.MaxErrors != 0 {
		return nil, &OptionError{Option: "plan", Err: errors.New("a plan cannot take a base or skip SSTables (max-errors)")}
	}
	if po.Pin == nil {
		po.Pin = store
	}
	created := time.Now().UTC()
	if po.Now == 0 {
		po.Now = created.Unix()
	}
	pf := &PlanFile{Format: PlanFormat, Tool: "aegisthus " + po.Version, CreatedAt: created.Format(time.RFC3339),
		Now: po.Now, NowUTC: time.Unix(po.Now, 0).UTC().Format(time.RFC3339), Inputs: po.Inputs, Framed: po.Framed,
		Tree: po.Tree, Shards: po.Shards, Skipped: po.Skipped, Schemas: map[string]string{}}
	dirs := map[string]bool{}
	for _, sp := range po.Tables {
		o := po.Options
		o.Table, o.Schema, o.Progress = sp.Table, sp.Schema, nil
		j, err := Prepare(ctx, store, o)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", sp.Table, err)
		}
		pt := PlanTable{Table: sp.Table.String(), Keyspace: sp.Table.Keyspace, Name: sp.Table.Name, ID: sp.Table.ID,
			IDs: sp.Table.IDs, View: sp.Table.View, FirstUnit: pf.Units, Schema: j.tbl.Describe(), Head: j.head}
		if po.Tree {
			pt.Dir = tableDir(sp.Table, dirs)
		}
		pt.Head.StartedAt = pf.CreatedAt // every process writes the same _export.json
		if sp.SchemaFile != "" {
			pt.SchemaFile = sp.SchemaFile
			pf.Schemas[sp.SchemaFile] = sp.SchemaCQL
		}
		for _, s := range j.ssts {
			for _, c := range s.Components {
				path := s.Path(c)
				fi, err := storage.Stat(po.Pin, path)
				if err != nil {
					j.Close()
					return nil, fmt.Errorf("%s: %w", sp.Table, err)
				}
				pt.Files = append(pt.Files, PinnedFile{Path: path, Size: fi.Size, ETag: fi.ETag})
			}
		}
		j.Close()
		pf.Units += len(pt.Head.Plan.Units)
		for _, u := range pt.Head.Plan.Units {
			pf.Bytes += u.Bytes
		}
		pf.Tables = append(pf.Tables, pt)
	}
	if len(pf.Schemas) == 0 {
		pf.Schemas = nil
	}
	return pf, nil
}

// Marshal encodes the plan as its file holds it.
func (pf *PlanFile) Marshal() []byte {
	b, _ := json.MarshalIndent(pf, "", " ")
	b = append(b, '\n')
	pf.id = planID(b)
	return b
}

// ReadPlan decodes a plan file and checks that it holds together.
func ReadPlan(b []byte) (*PlanFile, error) {
	var pf PlanFile
	if err := json.Unmarshal(b, &pf); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrBadPlan, err)
	}
	if pf.Format != PlanFormat {
		return nil, fmt.Errorf("%w: format %q, want %q", ErrBadPlan, pf.Format, PlanFormat)
	}
	n := 0
	for i := range pf.Tables {
		pt := &pf.Tables[i]
		if pt.Head.Plan == nil || pt.FirstUnit != n {
			return nil, fmt.Errorf("%w: table %s: units out of order", ErrBadPlan, pt.Table)
		}
		if err := checkPlan(pt.Head.Plan, len(pt.Head.Inputs)); err != nil {
			return nil, fmt.Errorf("%w: table %s: %w", ErrBadPlan, pt.Table, err)
		}
		if pf.Tree {
			if err := checkDir(pt.Dir); err != nil {
				return nil, fmt.Errorf("%w: table %s: %w", ErrBadPlan, pt.Table, err)
			}
		}
		n += len(pt.Head.Plan.Units)
	}
	if n != pf.Units {
		return nil, fmt.Errorf("%w: %d units in its tables, %d in its total", ErrBadPlan, n, pf.Units)
	}
	pf.id = planID(b)
	return &pf, nil
}

// ID identifies the plan: a digest of its file. Shard records carry it, so
// that commit tells parts of this plan from another's.
func (pf *PlanFile) ID() string { return pf.id }

func planID(b []byte) string {
	h := sha256.Sum256(b)
	return hex.EncodeToString(h[:8])
}

// checkPlan checks a table's units against its SSTables.
func checkPlan(pl *plan.Plan, ssts int) error {
	for i, u := range pl.Units {
		if u.ID != i {
			return fmt.Errorf("unit %d has id %d", i, u.ID)
		}
		for _, r := range u.Ranges {
			if r.SSTable < 0 || r.SSTable >= ssts || r.Start < 0 || r.End < r.Start {
				return fmt.Errorf("unit %d: range %+v does not fit %d sstables", i, r, ssts)
			}
		}
	}
	if len(pl.Units) == 0 {
		return errors.New("no units")
	}
	return nil
}

func checkDir(dir string) error {
	if dir == "" {
		return errors.New("no directory")
	}
	b := []byte(dir)
	if bytes.Count(b, []byte("/")) != 1 || bytes.Contains(b, []byte("..")) || b[0] == '/' || b[len(b)-1] == '/' {
		return fmt.Errorf("bad directory %q", dir)
	}
	return nil
}

// UnitBytes returns every unit's bytes, by global unit id.
func (pf *PlanFile) UnitBytes() []int64 {
	out := make([]int64, 0, pf.Units)
	for _, pt := range pf.Tables {
		for _, u := range pt.Head.Plan.Units {
			out = append(out, u.Bytes)
		}
	}
	return out
}

// Assign returns each unit's shard among n (plan.Assign over every table's units).
func (pf *PlanFile) Assign(n int) []int { return plan.Assign(pf.UnitBytes(), n) }

// ShardUnits returns the global ids of shard i's units among n.
func (pf *PlanFile) ShardUnits(i, n int) []int {
	var ids []int
	for u, s := range pf.Assign(n) {
		if s == i {
			ids = append(ids, u)
		}
	}
	return ids
}

// Locate returns the table of global unit g and its unit number there.
func (pf *PlanFile) Locate(g int) (table, unit int, ok bool) {
	for i := range pf.Tables {
		pt := &pf.Tables[i]
		if n := len(pt.Head.Plan.Units); g >= pt.FirstUnit && g < pt.FirstUnit+n {
			return i, g - pt.FirstUnit, true
		}
	}
	return 0, 0, false
}

// verifyInputs checks that every file of table ti still has the size and
// ETag the plan pinned, naming the first that does not.
func (pf *PlanFile) verifyInputs(pin storage.Store, ti int) error {
	pt := &pf.Tables[ti]
	for _, f := range pt.Files {
		fi, err := storage.Stat(pin, f.Path)
		switch {
		case errors.Is(err, fs.ErrNotExist):
			return fmt.Errorf("%s: %s: %w: the file is gone", pt.Table, f.Path, ErrInputChanged)
		case err != nil:
			return fmt.Errorf("%s: %w", pt.Table, err)
		case fi.Size != f.Size:
			return fmt.Errorf("%s: %s: %w: %d bytes, the plan pinned %d", pt.Table, f.Path, ErrInputChanged, fi.Size, f.Size)
		case f.ETag != "" && fi.ETag != f.ETag:
			return fmt.Errorf("%s: %s: %w: ETag %s, the plan pinned %s (the object was written again)", pt.Table, f.Path, ErrInputChanged, fi.ETag, f.ETag)
		}
	}
	return nil
}

// prepareTable prepares table ti's job from the plan, as MakePlan did but
// without reading its partition indexes, and checks that the inputs still
// make the table the plan describes.
func (pf *PlanFile) prepareTable(ctx context.Context, store storage.Store, ti int, o Options) (*Job, error) {
	pt := &pf.Tables[ti]
	h := &pt.Head
	set := &discover.SSTableSet{Keyspace: pt.Keyspace, Name: pt.Name, ID: pt.ID, IDs: pt.IDs, View: pt.View}
	for _, in := range h.Inputs {
		d, _, err := format.ParseName(in.Path)
		if err != nil {
			return nil, fmt.Errorf("%w: table %s: %w", ErrBadPlan, pt.Table, err)
		}
		set.SSTables = append(set.SSTables, d)
		set.DataBytes += in.Size
	}
	var cql *cqlparse.Table
	if pt.SchemaFile != "" {
		sc, err := cqlparse.Parse(pf.Schemas[pt.SchemaFile])
		if err != nil {
			return nil, fmt.Errorf("%w: table %s: schema %s: %w", ErrBadPlan, pt.Table, pt.SchemaFile, err)
		}
		src := &discover.SchemaSource{Given: sc, Path: pt.SchemaFile, AnyName: len(pf.Tables) == 1}
		if cql, _, err = src.TableFor(store, set); err != nil {
			return nil, fmt.Errorf("%w: table %s: %w", ErrBadPlan, pt.Table, err)
		}
	}
	layout, err := ParseLayout(h.Layout)
	if err != nil {
		return nil, fmt.Errorf("%w: table %s: %w", ErrBadPlan, pt.Table, err)
	}
	format := FormatJSON
	if h.Format != "" {
		if format, err = ParseFormat(h.Format); err != nil {
			return nil, fmt.Errorf("%w: table %s: %w", ErrBadPlan, pt.Table, err)
		}
	}
	o.Table, o.Schema, o.Now, o.Compress, o.Layout = set, cql, h.Now, h.Compress, layout
	o.Format, o.RowGroupSize = format, h.RowGroupSize
	o.Plan, o.SplitSize, o.Base, o.MaxErrors, o.Resume, o.Overwrite = h.Plan, h.Plan.SplitSize, "", 0, false, false
	o.Rows, o.TokenLo, o.TokenHi, o.Keys = render.RowsOptions{}, "", "", nil
	if f := h.Filters; f != nil {
		o.Rows = render.RowsOptions{Columns: f.Columns, Writetime: f.Writetime, TTL: f.TTL}
		o.TokenLo, o.TokenHi, o.Keys = f.TokenLo, f.TokenHi, f.Keys
	}
	j, err := Prepare(ctx, store, o)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", pt.Table, err)
	}
	j.head.Tool, j.head.StartedAt = h.Tool, h.StartedAt
	got, _ := json.Marshal(j.head)
	want, _ := json.Marshal(h)
	gotDesc, _ := json.Marshal(j.tbl.Describe())
	wantDesc, _ := json.Marshal(pt.Schema)
	if !bytes.Equal(got, want) || !bytes.Equal(gotDesc, wantDesc) {
		j.Close()
		return nil, fmt.Errorf("%s: %w: its SSTables or schema no longer give the table the plan describes", pt.Table, ErrInputChanged)
	}
	return j, nil
}

// headBytes is table ti's _export.json, as a one-machine export writes it.
func (pf *PlanFile) headBytes(ti int) []byte {
	b, _ := json.MarshalIndent(pf.Tables[ti].Head, "", "  ")
	return append(b, '\n')
}

// rootHead is the top-level _export.json of a Tree plan.
func (pf *PlanFile) rootHead() BatchHead {
	h := BatchHead{Tool: pf.Tool, Now: pf.Now, NowUTC: pf.NowUTC}
	for _, pt := range pf.Tables {
		h.Tables = append(h.Tables, pt.Dir)
	}
	return h
}
