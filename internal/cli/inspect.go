package cli

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/aegisthus/aegisthus/internal/sstable/format"
	"github.com/aegisthus/aegisthus/internal/sstable/index"
	"github.com/aegisthus/aegisthus/internal/sstable/stats"
	"github.com/aegisthus/aegisthus/internal/storage"
)

// inspectOptions are the flags of `aegisthus inspect`.
type inspectOptions struct {
	chunks bool
	index  bool
	limit  int
	path   string
	s3     s3Options
}

func (o *inspectOptions) AddFlags(fs *pflag.FlagSet) {
	o.s3.AddFlags(fs)
	fs.BoolVar(&o.chunks, "chunks", false, "print only the components, compression parameters and chunk table")
	fs.BoolVar(&o.index, "index", false, "print only the partition index (Index.db, or Partitions.db and Rows.db)")
	fs.IntVarP(&o.limit, "limit", "n", 0, "print at most N chunks and N partitions (0: all)")
}

func (o *inspectOptions) validate() error {
	if o.limit < 0 {
		return &UsageError{fmt.Errorf("--limit %d: want >= 0", o.limit)}
	}
	return nil
}

func newInspectCmd() *cobra.Command {
	o := &inspectOptions{}
	cmd := &cobra.Command{
		Use:   "inspect PATH",
		Short: "Print an SSTable's layout: components, compression, chunk table and partition index",
		Long: `inspect prints, for every SSTable under PATH, the layout of its files (like pebble's
sstable layout): each component with its size; the CompressionInfo.db parameters (or
the CRC.db chunk size); the chunk table (index, stored offset and length, uncompressed
start and length, compression ratio); and the partition index, one line per partition
with its key in hex and as text when printable, its Data.db position and its promoted
index blocks. Nothing is verified: see verify for that.`,
		Example: `  aegisthus inspect --chunks ks/t-1b2c.../nb-1-big-Data.db
  aegisthus inspect --index --limit 20 ks/t-1b2c.../nb-1-big-Data.db`,
		Args:    usageArgs(cobra.ExactArgs(1)),
		PreRunE: func(*cobra.Command, []string) error { return o.validate() },
		RunE: func(cmd *cobra.Command, args []string) error {
			o.path = args[0]
			store, err := o.s3.store(cmd.Context(), args)
			if err != nil {
				return err
			}
			return o.run(cmd.Context(), store, cmd.OutOrStdout())
		},
	}
	o.AddFlags(cmd.Flags())
	return cmd
}

func (o *inspectOptions) run(ctx context.Context, store storage.Store, stdout io.Writer) error {
	if err := o.validate(); err != nil {
		return err
	}
	tables, err := findTables(store, []string{o.path})
	if err != nil {
		return err
	}
	all := !o.chunks && !o.index
	w := bufio.NewWriter(stdout)
	first := true
	for _, t := range tables {
		for _, d := range t.SSTables {
			if err := ctx.Err(); err != nil {
				return err
			}
			if !first {
				w.WriteByte('\n')
			}
			first = false
			fmt.Fprintf(w, "sstable %s (version %s, format %s)\n", strings.TrimSuffix(d.Path(format.Data), "-"+format.Data), d.Version, d.Version.Kind)
			if all || o.chunks {
				if err := o.printChunks(w, store, d); err != nil {
					w.Flush()
					return err
				}
			}
			if all || o.index {
				if err := o.printIndex(w, store, d); err != nil {
					w.Flush()
					return err
				}
			}
		}
	}
	if err := w.Flush(); err != nil {
		return &OutputError{err}
	}
	return nil
}

// printChunks prints the components, the compression parameters and the chunk table.
func (o *inspectOptions) printChunks(w *bufio.Writer, store storage.Store, d format.Descriptor) error {
	w.WriteString("components\n")
	var comps []string
	prefix := d.Prefix()
	err := store.Walk(d.Dir, func(path string, size int64) error {
		rel := strings.TrimPrefix(path, d.Dir+"/")
		if strings.HasPrefix(rel, prefix) && !strings.Contains(rel, "/") {
			comps = append(comps, fmt.Sprintf("  %-20s %12d", strings.TrimPrefix(rel, prefix), size))
		}
		return nil
	})
	if err != nil {
		return err
	}
	slices.Sort(comps)
	for _, c := range comps {
		w.WriteString(c)
		w.WriteByte('\n')
	}
	data, err := store.Open(d.Path(format.Data))
	if err != nil {
		return fmt.Errorf("%w: %w", ErrInput, err)
	}
	defer data.Close()
	r, err := chunkReader(store, d, data)
	if err != nil {
		return err
	}
	if info := r.Info(); info != nil {
		fmt.Fprintf(w, "compression (%s)\n", format.CompressionInfo)
		fmt.Fprintf(w, "  compressor            %s\n", info.Compressor)
		keys := make([]string, 0, len(info.Options))
		for k := range info.Options {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			fmt.Fprintf(w, "  option                %s=%s\n", k, info.Options[k])
		}
		fmt.Fprintf(w, "  chunk length          %d\n", info.ChunkLength)
		if d.Version.HasMaxCompressedLength() {
			fmt.Fprintf(w, "  max compressed length %d\n", info.MaxCompressedLength)
		}
		fmt.Fprintf(w, "  data length           %d (stored %d, ratio %.3f)\n", info.DataLength, data.Size(), ratio(data.Size(), info.DataLength))
		fmt.Fprintf(w, "  chunks                %d\n", info.NumChunks())
	} else {
		fmt.Fprintf(w, "uncompressed\n")
		fmt.Fprintf(w, "  chunk length          %d\n", r.ChunkLength())
		fmt.Fprintf(w, "  data length           %d\n", r.Length())
		fmt.Fprintf(w, "  chunks                %d\n", r.NumChunks())
		if note := r.Unchecked(); note != "" {
			fmt.Fprintf(w, "  note                  %s\n", note)
		}
	}
	alg, _ := d.Version.CompressedChecksum()
	if !r.Compressed() {
		alg = d.Version.UncompressedChecksum()
	}
	algName := "crc32"
	if alg == format.Adler32 {
		algName = "adler32"
	}
	fmt.Fprintf(w, "chunks (checksum %s)\n", algName)
	fmt.Fprintf(w, "  %6s %12s %10s %14s %10s %7s %10s\n", "chunk", "offset", "stored", "uncompressed", "length", "ratio", "checksum")
	n := r.NumChunks()
	shown := n
	if o.limit > 0 {
		shown = min(n, o.limit)
	}
	var crc []byte
	if !r.Compressed() && store.Exists(d.Path(format.CRC)) {
		crc, _ = store.ReadFile(d.Path(format.CRC), verifyMaxCRC)
	}
	var word [4]byte
	for i := range shown {
		off, stored := r.Span(i)
		sum := "-"
		if r.Compressed() {
			if stored >= 4 {
				if _, err := data.ReadAt(word[:], off+stored-4); err == nil {
					sum = fmt.Sprintf("0x%08x", binary.BigEndian.Uint32(word[:]))
				}
			}
		} else if len(crc) >= 8+4*i {
			sum = fmt.Sprintf("0x%08x", binary.BigEndian.Uint32(crc[4+4*i:]))
		}
		payload := stored
		if r.Compressed() {
			payload -= 4
		}
		fmt.Fprintf(w, "  %6d %12d %10d %14d %10d %7.3f %10s\n", i, off, stored, r.ChunkStart(i), r.ChunkLen(i), ratio(payload, int64(r.ChunkLen(i))), sum)
	}
	if shown < n {
		fmt.Fprintf(w, "  ... %d more chunks\n", n-shown)
	}
	return nil
}

func ratio(stored, uncompressed int64) float64 {
	if uncompressed == 0 {
		return 0
	}
	return float64(stored) / float64(uncompressed)
}

// printIndex prints the partition index, one line per partition.
func (o *inspectOptions) printIndex(w *bufio.Writer, store storage.Store, d format.Descriptor) error {
	src := index.Source{Version: d.Version, IndexPath: d.Path(format.Index),
		PartitionsPath: d.Path(format.Partitions), RowsPath: d.Path(format.Rows)}
	read := func(c string) ([]byte, error) {
		b, err := store.ReadFile(d.Path(c), verifyMaxIndex)
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrInput, err)
		}
		return b, nil
	}
	var err error
	var opts index.Options
	if b, err := store.ReadFile(d.Path(format.Statistics), verifyMaxStats); err == nil {
		if md, err := stats.Parse(d.Path(format.Statistics), b, d.Version); err == nil && md.Header != nil {
			opts.ClusteringTypes = md.Header.ClusteringTypes
		}
	}
	if d.Version.Kind == format.BTI {
		if src.Partitions, err = read(format.Partitions); err != nil {
			return err
		}
		if store.Exists(d.Path(format.Rows)) {
			if src.Rows, err = read(format.Rows); err != nil {
				return err
			}
		}
		pi, err := index.OpenPartitionIndex(src.PartitionsPath, src.Partitions)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "partition index (%s: %d bytes, %d keys, root at %d; %s: %d bytes)\n",
			format.Partitions, len(src.Partitions), pi.KeyCount, pi.Root, format.Rows, len(src.Rows))
		fmt.Fprintf(w, "  first key %s\n  last key  %s\n", keyText(pi.FirstKey), keyText(pi.LastKey))
	} else {
		if !store.Exists(d.Path(format.Index)) {
			fmt.Fprintf(w, "partition index: no %s\n", format.Index)
			return nil
		}
		if src.Index, err = read(format.Index); err != nil {
			return err
		}
		fmt.Fprintf(w, "partition index (%s: %d bytes)\n", format.Index, len(src.Index))
		if store.Exists(d.Path(format.Summary)) {
			if b, err := read(format.Summary); err == nil {
				if s, err := index.ParseSummary(d.Path(format.Summary), b, d.Version); err == nil {
					fmt.Fprintf(w, "  summary: %d entries, min index interval %d, sampling level %d\n", len(s.Entries), s.MinIndexInterval, s.SamplingLevel)
					fmt.Fprintf(w, "  first key %s\n  last key  %s\n", keyText(s.FirstKey), keyText(s.LastKey))
				} else {
					fmt.Fprintf(w, "  summary: %v\n", err)
				}
			}
		}
	}
	it, err := index.Open(src, opts)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "  %8s %12s %12s %7s  %s\n", "partition", "position", "index at", "blocks", "key")
	n := 0
	for it.Next() {
		if o.limit > 0 && n >= o.limit {
			n++
			continue
		}
		e := it.Entry()
		blocks := len(e.Blocks) + len(e.RowBlocks)
		fmt.Fprintf(w, "  %8d %12d %12d %7d  %s", n, e.Position, e.IndexedOffset, blocks, keyText(e.Key))
		if e.HasRowIndex && !e.Deletion.IsLive() {
			fmt.Fprintf(w, "  deleted at %d (ldt %d)", e.Deletion.MarkedForDeleteAt, e.Deletion.LocalDeletionTime)
		}
		w.WriteByte('\n')
		for j, b := range e.Blocks {
			fmt.Fprintf(w, "  %8s block %d: offset %d width %d first %x last %x", "", j, b.Offset, b.Width, b.First, b.Last)
			if b.EndOpen != nil {
				fmt.Fprintf(w, " open deletion %d", b.EndOpen.MarkedForDeleteAt)
			}
			w.WriteByte('\n')
		}
		for j, b := range e.RowBlocks {
			fmt.Fprintf(w, "  %8s block %d: offset %d", "", j, b.Offset)
			if b.HasOpen {
				fmt.Fprintf(w, " open deletion %d", b.OpenDeletion.MarkedForDeleteAt)
			}
			w.WriteByte('\n')
		}
		n++
	}
	if err := it.Err(); err != nil {
		return err
	}
	if o.limit > 0 && n > o.limit {
		fmt.Fprintf(w, "  ... %d more partitions\n", n-o.limit)
	}
	fmt.Fprintf(w, "  %d partitions\n", n)
	return nil
}

// keyText shows a key in hex, and as text in quotes when it is printable UTF-8.
func keyText(k []byte) string {
	if k == nil {
		return "-"
	}
	h := hex.EncodeToString(k)
	if len(k) == 0 || !utf8.Valid(k) {
		return h
	}
	for _, r := range string(k) {
		if !unicode.IsPrint(r) {
			return h
		}
	}
	return fmt.Sprintf("%s %q", h, k)
}
