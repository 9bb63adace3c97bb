package cli

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"strings"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/aegisthus/aegisthus/internal/sstable/chunk"
	"github.com/aegisthus/aegisthus/internal/sstable/format"
	"github.com/aegisthus/aegisthus/internal/sstable/index"
	"github.com/aegisthus/aegisthus/internal/sstable/stats"
	"github.com/aegisthus/aegisthus/internal/sstable/wire"
	"github.com/aegisthus/aegisthus/internal/storage"
)

// Limits on the small components verify reads whole.
const (
	verifyMaxTOC    = 64 << 10
	verifyMaxStats  = 64 << 20
	verifyMaxInfo   = 1 << 30
	verifyMaxCRC    = 1 << 30
	verifyMaxDigest = 4 << 10
	verifyMaxIndex  = 1 << 30
)

// verifyOptions are the flags of `aegisthus verify`.
type verifyOptions struct {
	quiet   bool
	verbose bool
	json    bool
	paths   []string
	s3      s3Options
}

func (o *verifyOptions) AddFlags(fs *pflag.FlagSet) {
	o.s3.AddFlags(fs)
	o.s3.AddBackupFlags(fs)
	fs.BoolVarP(&o.quiet, "quiet", "q", false, "print nothing when every SSTable is intact (failures are still listed)")
	fs.BoolVarP(&o.verbose, "verbose", "v", false, "print one line per SSTable checked, and why chunks were not checked")
	fs.BoolVar(&o.json, "json", false, "print the report as one JSON object")
}

func (o *verifyOptions) validate() error {
	if o.quiet && o.verbose {
		return &UsageError{errors.New("--quiet and --verbose are mutually exclusive")}
	}
	return nil
}

func newVerifyCmd() *cobra.Command {
	o := &verifyOptions{}
	cmd := &cobra.Command{
		Use:   "verify PATH...",
		Short: "Check every chunk checksum, the Data.db digest, Statistics.db and TOC.txt of SSTables",
		Long: `verify checks, for every SSTable found under the paths, what sstableverify checks
without reading rows: every chunk checksum of Data.db (CompressionInfo.db chunks, or
CRC.db for an uncompressed Data.db), the whole-file digest (Digest.crc32, .adler32 or
.sha1), that Statistics.db parses and matches its checksums (na and later), and that
every component TOC.txt lists exists. It lists every failure, one per line, and exits
with 1 when there is any.`,
		Example: `  aegisthus verify /var/lib/cassandra/data/ks
  aegisthus verify --json ks/t-1b2c.../nb-1-big-Data.db`,
		Args:    usageArgs(cobra.MinimumNArgs(1)),
		PreRunE: func(*cobra.Command, []string) error { return o.validate() },
		RunE:    runOn(&o.s3, &o.paths, o.run, false),
	}
	o.AddFlags(cmd.Flags())
	return cmd
}

// verifyReport is what --json prints. Field names are part of the interface.
type verifyReport struct {
	SSTables []*verifyResult `json:"sstables"`
	Verified int             `json:"verified"` // SSTables checked
	Chunks   int             `json:"chunks"`   // chunks whose checksum was checked
	Failures int             `json:"failures"` // failures over all SSTables
}

// verifyResult is the outcome for one SSTable.
type verifyResult struct {
	Path       string `json:"path"` // Data.db path
	Version    string `json:"version"`
	Compressed bool   `json:"compressed"`
	Chunks     int    `json:"chunks"` // chunks checked (0 when they could not be)
	// Digest is the digest component checked, "" when the SSTable has none.
	Digest string `json:"digest"`
	// Unchecked says why chunk checksums were not verified, "" when they were.
	Unchecked string          `json:"unchecked,omitempty"`
	Failures  []verifyFailure `json:"failures"`
}

// verifyFailure is one problem found.
type verifyFailure struct {
	Path      string `json:"path"`      // the file at fault
	Component string `json:"component"` // e.g. "Data.db", "Statistics.db", "Digest.crc32"
	Chunk     int    `json:"chunk"`     // chunk index, -1 when not about one chunk
	Offset    int64  `json:"offset"`    // byte offset in the file, -1 when unknown
	Error     string `json:"error"`
}

func (f verifyFailure) String() string { return f.Error }

func (o *verifyOptions) run(ctx context.Context, store storage.Store, stdout io.Writer) error {
	if err := o.validate(); err != nil {
		return err
	}
	tables, err := findTables(store, o.paths)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(stdout)
	rep := &verifyReport{SSTables: []*verifyResult{}}
	for _, t := range tables {
		for _, d := range t.SSTables {
			if err := ctx.Err(); err != nil {
				return err
			}
			res, err := verifySSTable(ctx, store, d)
			if err != nil {
				return err
			}
			rep.SSTables = append(rep.SSTables, res)
			rep.Verified++
			rep.Chunks += res.Chunks
			rep.Failures += len(res.Failures)
			if o.json {
				continue
			}
			for _, f := range res.Failures {
				fmt.Fprintln(w, f.Error)
			}
			if o.verbose {
				status := "ok"
				if len(res.Failures) > 0 {
					status = fmt.Sprintf("%d failures", len(res.Failures))
				}
				fmt.Fprintf(w, "%s: %s: %d chunks, digest %s\n", res.Path, status, res.Chunks, orDash(res.Digest))
				if res.Unchecked != "" {
					fmt.Fprintf(w, "%s: note: %s\n", res.Path, res.Unchecked)
				}
			}
		}
	}
	if o.json {
		b, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			return err
		}
		w.Write(b)
		w.WriteByte('\n')
	} else if !o.quiet || rep.Failures > 0 {
		fmt.Fprintf(w, "verified %d sstables, %d chunks, %d failures\n", rep.Verified, rep.Chunks, rep.Failures)
	}
	if err := w.Flush(); err != nil {
		return &OutputError{err}
	}
	if rep.Failures > 0 {
		return fmt.Errorf("%w: verification failed: %d failures in %d sstables", ErrInput, rep.Failures, countFailed(rep))
	}
	return nil
}

func countFailed(rep *verifyReport) int {
	n := 0
	for _, r := range rep.SSTables {
		if len(r.Failures) > 0 {
			n++
		}
	}
	return n
}

func orDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

// verifySSTable checks one SSTable and lists what is wrong with it. Only an
// I/O failure that is not about the SSTable's bytes (or cancellation) is returned
// as an error; everything else is a failure in the result.
func verifySSTable(ctx context.Context, store storage.Store, d format.Descriptor) (*verifyResult, error) {
	res := &verifyResult{Path: d.Path(format.Data), Version: d.Version.String(), Failures: []verifyFailure{}}
	fail := func(path, component string, chunk int, offset int64, err error) {
		f := verifyFailure{Path: path, Component: component, Chunk: chunk, Offset: offset, Error: err.Error()}
		var fe *wire.FormatError
		if errors.As(err, &fe) {
			f.Path, f.Offset = fe.Path, fe.Offset
			if fe.Component != "" {
				f.Component = fe.Component
			}
		} else if !strings.HasPrefix(f.Error, path) {
			f.Error = path + ": " + f.Error
		}
		res.Failures = append(res.Failures, f)
	}

	// TOC.txt: every component it lists must exist.
	components := map[string]bool{}
	if store.Exists(d.Path(format.TOC)) {
		b, err := store.ReadFile(d.Path(format.TOC), verifyMaxTOC)
		if err != nil {
			fail(d.Path(format.TOC), format.TOC, -1, -1, err)
		}
		for _, line := range strings.Split(string(b), "\n") {
			c := strings.TrimSpace(line)
			if c == "" || c == format.TOC {
				continue
			}
			components[c] = true
			if !store.Exists(d.Path(c)) {
				fail(d.Path(c), c, -1, -1, fmt.Errorf("%s: listed in %s but missing", d.Path(c), format.TOC))
			}
		}
	}
	has := func(c string) bool { return store.Exists(d.Path(c)) }

	// Statistics.db: parses, and its checksums (na+) match.
	var md *stats.Metadata
	if has(format.Statistics) {
		b, err := store.ReadFile(d.Path(format.Statistics), verifyMaxStats)
		if err == nil {
			md, err = stats.Parse(d.Path(format.Statistics), b, d.Version)
		}
		if err != nil {
			fail(d.Path(format.Statistics), format.Statistics, -1, -1, err)
		}
	} else if !components[format.Statistics] {
		fail(d.Path(format.Statistics), format.Statistics, -1, -1, fmt.Errorf("%s: missing", d.Path(format.Statistics)))
	}

	// Data.db chunks.
	data, err := store.Open(d.Path(format.Data))
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			fail(d.Path(format.Data), format.Data, -1, -1, fmt.Errorf("%s: missing", d.Path(format.Data)))
			return res, nil
		}
		return nil, err
	}
	defer data.Close()
	r, err := chunkReader(store, d, data)
	if err != nil {
		var fe *wire.FormatError
		comp := format.Data
		if errors.As(err, &fe) {
			comp = fe.Component
		}
		fail(d.Path(comp), comp, -1, -1, err)
	} else {
		res.Compressed = r.Compressed()
		res.Unchecked = r.Unchecked()
		if res.Unchecked == "" {
			res.Chunks = r.NumChunks()
		}
		_, err := r.VerifyAll(ctx, func(i int, err error) {
			off, _ := r.Span(i)
			fail(d.Path(format.Data), format.Data, i, off, err)
		})
		if err != nil {
			return nil, err
		}
	}

	// The partition index: it decodes, and points inside Data.db in increasing order.
	length := data.Size()
	if r != nil {
		length = r.Length()
	}
	verifyIndex(store, d, md, length, fail)

	// The whole-file digest.
	for _, c := range []string{format.DigestCRC32, format.DigestAdler32, format.DigestSHA1} {
		if !has(c) {
			continue
		}
		res.Digest = c
		digest, err := store.ReadFile(d.Path(c), verifyMaxDigest)
		if err != nil {
			fail(d.Path(c), c, -1, -1, err)
			break
		}
		if r != nil {
			err = r.VerifyDigest(c, digest, d.Version)
		} else {
			err = chunk.VerifyDigest(d.Path(format.Data), data, data.Size(), c, digest, d.Version)
		}
		if err != nil {
			fail(d.Path(format.Data), c, -1, -1, err)
		}
		break
	}
	return res, nil
}

// verifyIndex decodes Index.db (BIG) or Partitions.db and Rows.db (BTI) with
// their promoted indexes, checks that partition positions increase and lie inside
// the uncompressed Data.db of dataLength bytes, and that Summary.db parses.
func verifyIndex(store storage.Store, d format.Descriptor, md *stats.Metadata, dataLength int64,
	fail func(path, component string, chunk int, offset int64, err error)) {
	read := func(c string) ([]byte, bool) {
		if !store.Exists(d.Path(c)) {
			return nil, false
		}
		b, err := store.ReadFile(d.Path(c), verifyMaxIndex)
		if err != nil {
			fail(d.Path(c), c, -1, -1, err)
			return nil, false
		}
		return b, true
	}
	src := index.Source{Version: d.Version, IndexPath: d.Path(format.Index),
		PartitionsPath: d.Path(format.Partitions), RowsPath: d.Path(format.Rows)}
	comp := format.Index
	var ok bool
	if d.Version.Kind == format.BTI {
		comp = format.Partitions
		if src.Partitions, ok = read(format.Partitions); !ok {
			return
		}
		src.Rows, _ = read(format.Rows)
	} else {
		if src.Index, ok = read(format.Index); !ok {
			return
		}
		if b, ok := read(format.Summary); ok {
			if _, err := index.ParseSummary(d.Path(format.Summary), b, d.Version); err != nil {
				fail(d.Path(format.Summary), format.Summary, -1, -1, err)
			}
		}
	}
	var opts index.Options
	if md != nil && md.Header != nil {
		opts.ClusteringTypes = md.Header.ClusteringTypes
	} else {
		opts.SkipBlocks = true
	}
	it, err := index.Open(src, opts)
	if err != nil {
		fail(d.Path(comp), comp, -1, -1, err)
		return
	}
	prev := int64(-1)
	for n := 0; it.Next(); n++ {
		e := it.Entry()
		if e.Position <= prev || e.Position >= max(dataLength, 1) {
			fail(d.Path(comp), comp, -1, e.IndexedOffset, fmt.Errorf("%s: partition %d at offset %d: Data.db position %d: want above %d and below the data length %d",
				d.Path(comp), n, e.IndexedOffset, e.Position, prev, dataLength))
			return
		}
		prev = e.Position
	}
	if err := it.Err(); err != nil {
		fail(d.Path(comp), comp, -1, -1, err)
	}
}

// chunkReader opens the chunk reader of Data.db: CompressionInfo.db when present,
// else CRC.db (or nothing) for an uncompressed file.
func chunkReader(store storage.Store, d format.Descriptor, data storage.File) (*chunk.Reader, error) {
	if store.Exists(d.Path(format.CompressionInfo)) {
		b, err := store.ReadFile(d.Path(format.CompressionInfo), verifyMaxInfo)
		if err != nil {
			return nil, wire.Locate(d.Path(format.CompressionInfo), format.CompressionInfo, -1, err)
		}
		info, err := chunk.ParseCompressionInfo(b, d.Version)
		if err != nil {
			return nil, wire.Locate(d.Path(format.CompressionInfo), format.CompressionInfo, -1, err)
		}
		return chunk.NewCompressed(d.Path(format.Data), data, data.Size(), info, d.Version)
	}
	var crc []byte
	if store.Exists(d.Path(format.CRC)) {
		var err error
		if crc, err = store.ReadFile(d.Path(format.CRC), verifyMaxCRC); err != nil {
			return nil, wire.Locate(d.Path(format.CRC), format.CRC, -1, err)
		}
	}
	return chunk.NewUncompressed(d.Path(format.Data), data, data.Size(), crc, d.Version)
}
