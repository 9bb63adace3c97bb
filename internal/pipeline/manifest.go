package pipeline

import (
	"context"
	"encoding/json"
	"time"

	"github.com/aegisthus/aegisthus/internal/plan"
	"github.com/aegisthus/aegisthus/internal/schema"
	"github.com/aegisthus/aegisthus/internal/sink"
)

// Files an export writes beside its parts. Names start with "_" so tools that
// glob part files (Spark, Hadoop) skip them.
const (
	HeadFile     = "_export.json"   // written first: what is being exported, and the plan
	ManifestFile = "_manifest.json" // written after every part
	SuccessFile  = "_SUCCESS"       // written last
)

// Input records one SSTable the export read.
type Input struct {
	Path string `json:"path"`
	Size int64  `json:"size"` // stored Data.db size
}

// Head is the run's identity: a resumed run must find the same one.
type Head struct {
	Tool     string `json:"tool"`
	Table    string `json:"table"`
	Layout   string `json:"layout"`
	Compress string `json:"compress"`
	// Format is "parquet" for Parquet parts, absent for JSON lines.
	Format       string     `json:"format,omitempty"`
	RowGroupSize int64      `json:"row_group_size,omitempty"` // Parquet: Options.RowGroupSize as given
	Now          int64      `json:"now"`
	NowUTC       string     `json:"now_utc"`
	Inputs       []Input    `json:"inputs"`
	Columns      []string   `json:"columns"`
	Filters      *Filters   `json:"filters,omitempty"`
	Plan         *plan.Plan `json:"plan"`
	StartedAt    string     `json:"started_at"`
	// Schema describes the table (partitions layout only): what reading the
	// export back as a base (Options.Base) needs.
	Schema *schema.Desc `json:"schema,omitempty"`
	// Base is the previous export this run merged (Options.Base).
	Base *BaseRef `json:"base,omitempty"`
	// UnknownColumns are columns SSTable headers hold that the schema neither
	// has nor records as dropped (schema.Table.Unknown): not exported.
	UnknownColumns []string `json:"unknown_columns,omitempty"`
}

// Filters records what an export kept, for the manifest and a resumed run.
type Filters struct {
	TokenLo   string   `json:"token_lo,omitempty"`
	TokenHi   string   `json:"token_hi,omitempty"`
	Keys      []string `json:"keys,omitempty"`
	Columns   []string `json:"columns,omitempty"`
	Writetime bool     `json:"writetime,omitempty"`
	TTL       bool     `json:"ttl,omitempty"`
}

// Manifest is _manifest.json.
type Manifest struct {
	Head
	Parts []PartInfo `json:"parts"`
	Rows  int64      `json:"rows"`
	// Incomplete says SSTables were left out (Options.MaxErrors): Skipped
	// lists them, as _errors.jsonl does.
	Incomplete bool    `json:"incomplete,omitempty"`
	Skipped    []Skip  `json:"skipped,omitempty"`
	FinishedAt string  `json:"finished_at"`
	DurationS  float64 `json:"duration_s"`
}

// newHead records what the job exports, as _export.json and the manifest say it.
func (j *Job) newHead(now int64) Head {
	o := j.o
	h := Head{Tool: "aegisthus " + o.Version, Table: o.Table.String(), Layout: j.layout.String(), Compress: j.codec.name,
		Now: now, NowUTC: time.Unix(now, 0).UTC().Format(time.RFC3339), Plan: j.pl,
		StartedAt: time.Now().UTC().Format(time.RFC3339)}
	if o.Format != FormatJSON {
		h.Format, h.RowGroupSize = o.Format.String(), o.RowGroupSize
	}
	for _, s := range j.ssts {
		h.Inputs = append(h.Inputs, Input{Path: dataPath(s), Size: s.DataSize})
	}
	for _, i := range j.tbl.OutputOrder() {
		h.Columns = append(h.Columns, j.tbl.Columns[i].Name)
	}
	if f := (Filters{o.TokenLo, o.TokenHi, o.Keys, o.Rows.Columns, o.Rows.Writetime, o.Rows.TTL}); f.TokenLo != "" || f.TokenHi != "" || len(f.Keys) > 0 || len(f.Columns) > 0 || f.Writetime || f.TTL {
		h.Filters = &f
	}
	if j.layout == LayoutPartitions {
		h.Schema = j.tbl.Describe()
	}
	h.UnknownColumns = j.tbl.Unknown
	if j.base != nil {
		h.Base = &j.base.ref
	}
	return h
}

// commit writes _manifest.json and then _SUCCESS.
func (j *Job) commit(ctx context.Context, out sink.Sink, parts []PartInfo, took time.Duration) error {
	return putManifest(ctx, out, j.head, parts, j.allSkips(parts), j.o.MaxErrors > 0, took)
}

// putManifest writes the manifest of parts (with _errors.jsonl when SSTables
// were skipped, or always with errorsFile), then _SUCCESS.
func putManifest(ctx context.Context, out sink.Sink, head Head, parts []PartInfo, skipped []Skip, errorsFile bool, took time.Duration) error {
	m := Manifest{Head: head, Parts: parts, FinishedAt: time.Now().UTC().Format(time.RFC3339), DurationS: took.Seconds()}
	for _, p := range parts {
		m.Rows += p.Rows
	}
	m.Skipped = skipped
	m.Incomplete = len(m.Skipped) > 0
	if errorsFile || m.Incomplete {
		if err := putErrors(ctx, out, m.Skipped); err != nil {
			return err
		}
	}
	b, _ := json.MarshalIndent(m, "", "  ")
	if err := out.Put(ctx, ManifestFile, append(b, '\n')); err != nil {
		return outputError(err)
	}
	if err := out.Put(ctx, SuccessFile, nil); err != nil {
		return outputError(err)
	}
	return nil
}
