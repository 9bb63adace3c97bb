package cli

import (
	"bufio"
	"context"
	"encoding/hex"
	"fmt"
	"io"
	"slices"
	"unicode"
	"unicode/utf8"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/aegisthus/aegisthus/internal/inspect"
	"github.com/aegisthus/aegisthus/internal/storage"
)

// inspectOptions are the flags of `aegisthus inspect`.
type inspectOptions struct {
	chunks bool
	index  bool
	limit  int
	paths  []string
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
		Use:   "inspect PATH...",
		Short: "Print an SSTable's layout: components, compression, chunk table and partition index",
		Long: `inspect prints, for every SSTable under the paths in turn, the layout of its files (like pebble's
sstable layout): each component with its size; the CompressionInfo.db parameters (or
the CRC.db chunk size); the chunk table (index, stored offset and length, uncompressed
start and length, compression ratio); and the partition index, one line per partition
with its key in hex and as text when printable, its Data.db position and its promoted
index blocks. Nothing is verified: see verify for that.`,
		Example: `  aegisthus inspect --chunks ks/t-1b2c.../nb-1-big-Data.db
  aegisthus inspect --index --limit 20 ks/t-1b2c.../nb-1-big-Data.db
  aegisthus inspect --chunks ks/t-1b2c.../nb-1-big-Data.db ks/t-1b2c.../nb-2-big-Data.db`,
		Args:    usageArgs(cobra.MinimumNArgs(1)),
		PreRunE: func(*cobra.Command, []string) error { return o.validate() },
		RunE: func(cmd *cobra.Command, args []string) error {
			o.paths = args
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
	tables, err := findTables(store, o.paths)
	if err != nil {
		return err
	}
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
			l, err := inspect.ReadLayout(store, d, inspect.LayoutOptions{Chunks: o.chunks, Index: o.index, Limit: o.limit})
			printLayout(w, l, err == nil)
			if err != nil {
				w.Flush()
				return err
			}
		}
	}
	if err := w.Flush(); err != nil {
		return &OutputError{err}
	}
	return nil
}

// printLayout prints what ReadLayout found; complete is false when it stopped
// at an error, which then follows what was printed.
func printLayout(w *bufio.Writer, l *inspect.Layout, complete bool) {
	fmt.Fprintf(w, "sstable %s (version %s, format %s)\n", l.SSTable, l.Version, l.Format)
	if l.Components != nil {
		w.WriteString("components\n")
		for _, c := range l.Components {
			fmt.Fprintf(w, "  %-20s %12d\n", c.Name, c.Size)
		}
	}
	if l.Chunks != nil {
		printChunks(w, l.Chunks)
	}
	if l.Index != nil {
		printIndex(w, l.Index, complete)
	}
}

// printChunks prints the compression parameters and the chunk table.
func printChunks(w *bufio.Writer, ct *inspect.ChunkTable) {
	if ct.Compressed {
		fmt.Fprintf(w, "compression (CompressionInfo.db)\n")
		fmt.Fprintf(w, "  compressor            %s\n", ct.Compressor)
		keys := make([]string, 0, len(ct.Options))
		for k := range ct.Options {
			keys = append(keys, k)
		}
		slices.Sort(keys)
		for _, k := range keys {
			fmt.Fprintf(w, "  option                %s=%s\n", k, ct.Options[k])
		}
		fmt.Fprintf(w, "  chunk length          %d\n", ct.ChunkLength)
		if ct.HasMaxCompressedLength {
			fmt.Fprintf(w, "  max compressed length %d\n", ct.MaxCompressedLength)
		}
		fmt.Fprintf(w, "  data length           %d (stored %d, ratio %.3f)\n", ct.DataLength, ct.StoredLength, ct.Ratio)
		fmt.Fprintf(w, "  chunks                %d\n", ct.NumChunks)
	} else {
		fmt.Fprintf(w, "uncompressed\n")
		fmt.Fprintf(w, "  chunk length          %d\n", ct.ChunkLength)
		fmt.Fprintf(w, "  data length           %d\n", ct.DataLength)
		fmt.Fprintf(w, "  chunks                %d\n", ct.NumChunks)
		if ct.Unchecked != "" {
			fmt.Fprintf(w, "  note                  %s\n", ct.Unchecked)
		}
	}
	fmt.Fprintf(w, "chunks (checksum %s)\n", ct.Checksum)
	fmt.Fprintf(w, "  %6s %12s %10s %14s %10s %7s %10s\n", "chunk", "offset", "stored", "uncompressed", "length", "ratio", "checksum")
	for _, c := range ct.Rows {
		sum := "-"
		if c.HasChecksum {
			sum = fmt.Sprintf("0x%08x", c.Checksum)
		}
		fmt.Fprintf(w, "  %6d %12d %10d %14d %10d %7.3f %10s\n", c.Index, c.Offset, c.Stored, c.Start, c.Length, c.Ratio, sum)
	}
	if len(ct.Rows) < ct.NumChunks {
		fmt.Fprintf(w, "  ... %d more chunks\n", ct.NumChunks-len(ct.Rows))
	}
}

// printIndex prints the partition index, one line per partition; complete is
// false when reading it stopped at an error.
func printIndex(w *bufio.Writer, x *inspect.IndexReport, complete bool) {
	switch {
	case x.NoIndex:
		fmt.Fprintf(w, "partition index: no Index.db\n")
		return
	case !x.Found:
		return // the index could not be read: the error follows
	case x.BTI:
		fmt.Fprintf(w, "partition index (Partitions.db: %d bytes, %d keys, root at %d; Rows.db: %d bytes)\n",
			x.Size, x.KeyCount, x.Root, x.RowsSize)
		fmt.Fprintf(w, "  first key %s\n  last key  %s\n", keyText(x.FirstKey), keyText(x.LastKey))
	default:
		fmt.Fprintf(w, "partition index (Index.db: %d bytes)\n", x.Size)
		if s := x.Summary; s != nil {
			fmt.Fprintf(w, "  summary: %d entries, min index interval %d, sampling level %d\n", s.Entries, s.MinIndexInterval, s.SamplingLevel)
			fmt.Fprintf(w, "  first key %s\n  last key  %s\n", keyText(s.FirstKey), keyText(s.LastKey))
		} else if x.SummaryErr != nil {
			fmt.Fprintf(w, "  summary: %v\n", x.SummaryErr)
		}
	}
	if !x.Listed {
		return
	}
	fmt.Fprintf(w, "  %8s %12s %12s %7s  %s\n", "partition", "position", "index at", "blocks", "key")
	for n, p := range x.Partitions {
		fmt.Fprintf(w, "  %8d %12d %12d %7d  %s", n, p.Position, p.IndexedOffset, len(p.Blocks), keyText(p.Key))
		if p.Deleted {
			fmt.Fprintf(w, "  deleted at %d (ldt %d)", p.MarkedForDeleteAt, p.LocalDeletionTime)
		}
		w.WriteByte('\n')
		big, row := 0, 0
		for _, b := range p.Blocks {
			if b.Row {
				fmt.Fprintf(w, "  %8s block %d: offset %d", "", row, b.Offset)
				row++
			} else {
				fmt.Fprintf(w, "  %8s block %d: offset %d width %d first %x last %x", "", big, b.Offset, b.Width, b.First, b.Last)
				big++
			}
			if b.Open {
				fmt.Fprintf(w, " open deletion %d", b.OpenAt)
			}
			w.WriteByte('\n')
		}
	}
	if !complete {
		return
	}
	if more := x.Total - len(x.Partitions); more > 0 {
		fmt.Fprintf(w, "  ... %d more partitions\n", more)
	}
	fmt.Fprintf(w, "  %d partitions\n", x.Total)
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
