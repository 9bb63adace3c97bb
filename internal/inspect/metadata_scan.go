package inspect

import (
	"bufio"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/aegisthus/aegisthus/internal/render/cqljson"
	"github.com/aegisthus/aegisthus/internal/rows"
	"github.com/aegisthus/aegisthus/internal/schema"
	"github.com/aegisthus/aegisthus/internal/sstable"
	"github.com/aegisthus/aegisthus/internal/sstable/format"
	"github.com/aegisthus/aegisthus/internal/storage"
)

// Scan is what sstablemetadata -s computes by reading every partition
// (SSTableMetadataViewer.printScannedOverview).
type Scan struct {
	Size                                int64 // uncompressed Data.db length
	Partitions, Rows, Tombstones, Cells int64
	Widest, Largest, MostTombstones     []ScanEntry // five at most, greatest first
	Progress                            []float64   // the fractions its progress line showed
	totalColumnsSet                     float64
}

// ScanEntry is one partition of a top-five list: its key (getString) and value.
type ScanEntry struct {
	Key   string
	Value int64
}

// ScanSSTable reads d's partitions as sstablemetadata -s does. It returns nil for
// pre-3.0 SSTables, which the tool does not scan. totalColumnsSet is the
// statistics' count, the progress line's 100%.
func ScanSSTable(store storage.Store, d format.Descriptor, totalColumnsSet int64) (*Scan, error) {
	if d.Version.IsLegacy() {
		return nil, nil
	}
	sst, err := sstable.Open(store, d, sstable.Options{})
	if err != nil {
		return nil, err
	}
	defer sst.Close()
	s := &Scan{Size: sst.Chunks.Length(), totalColumnsSet: float64(totalColumnsSet)}
	var widest, largest, tombs []ScanEntry
	lastPercent, lastPrint := 0, time.Time{}
	sc := sst.Scanner(0, sst.Chunks.Length())
	for sc.NextPartition() {
		p := sc.Partition()
		var psize, pcount, ptombs int64
		s.Partitions++
		if !p.Deletion.IsLive() {
			s.Tombstones++
			ptombs++
		}
		for sc.Next() {
			u := sc.Unfiltered()
			switch u.Kind {
			case rows.KindStatic:
				if len(u.Cells) == 0 && len(u.ComplexDeletions) == 0 && u.Liveness.IsEmpty() && u.Deletion.IsLive() {
					continue
				}
				s.Rows++
				pcount++
				psize += rowDataSize(sst.Schema.Static(), u)
			case rows.KindMarker:
				s.Tombstones++
				ptombs++
			default:
				s.Rows++
				pcount++
				psize += rowDataSize(sst.Schema.Regular(), u)
				for i := range u.Cells {
					s.Cells++
					pc := min(1.0, float64(s.Cells)/s.totalColumnsSet)
					if pct := int(pc * 100); pct != lastPercent && time.Since(lastPrint) > time.Second {
						lastPrint, lastPercent = time.Now(), pct
						s.Progress = append(s.Progress, pc)
					}
					if u.Cells[i].Tombstone {
						s.Tombstones++
						ptombs++
					}
				}
			}
		}
		key, err := cqljson.AppendString(nil, sst.Schema.KeyType, p.Key)
		if err != nil {
			return nil, sst.AtPartition(p.Offset, fmt.Errorf("key: %w", err))
		}
		k := string(key)
		widest = topFive(widest, ScanEntry{k, pcount})
		largest = topFive(largest, ScanEntry{k, psize})
		tombs = topFive(tombs, ScanEntry{k, ptombs})
	}
	if err := sc.Err(); err != nil {
		return nil, err
	}
	s.Widest, s.Largest, s.MostTombstones = widest, largest, tombs
	return s, nil
}

// topFive keeps the five greatest values, greatest first; of equal values the
// first seen stays ahead (Cassandra's MinMaxPriorityQueue leaves ties in heap
// order).
func topFive(top []ScanEntry, e ScanEntry) []ScanEntry {
	i, _ := slices.BinarySearchFunc(top, e, func(a, b ScanEntry) int {
		if a.Value >= b.Value {
			return -1
		}
		return 1
	})
	if i >= 5 {
		return top
	}
	top = slices.Insert(top, i, e)
	if len(top) > 5 {
		top = top[:5]
	}
	return top
}

// rowDataSize is Row.dataSize() (BTreeRow): the clustering's values, the
// liveness info (8 bytes, 16 expiring), the deletion (12), each complex
// column's deletion (12) and each cell's timestamp, TTL and deletion time (16)
// with its value and path.
func rowDataSize(cols []schema.Column, u *rows.Unfiltered) int64 {
	var n int64
	for _, v := range u.Clustering {
		n += int64(len(v))
	}
	n += 8
	if u.Liveness.IsExpiring() {
		n += 8
	}
	n += 12
	lastComplex := -1
	complexCol := func(c int) {
		if c != lastComplex && c < len(cols) && cols[c].Type.IsMultiCell() {
			n += 12
			lastComplex = c
		}
	}
	cd := 0
	for i := range u.Cells {
		c := &u.Cells[i]
		for cd < len(u.ComplexDeletions) && u.ComplexDeletions[cd].Column < c.Column {
			complexCol(u.ComplexDeletions[cd].Column)
			cd++
		}
		complexCol(c.Column)
		n += 16 + int64(len(c.Value)) + int64(len(c.Path))
	}
	for ; cd < len(u.ComplexDeletions); cd++ {
		complexCol(u.ComplexDeletions[cd].Column)
	}
	return n
}

// writeScan prints s as printScannedOverview does, progress line included.
func (o TextOptions) writeScan(w *bufio.Writer, s *Scan) {
	for _, pc := range s.Progress {
		bar, pct := progressBar(pc, 30, o.Unicode), int(pc*100)
		if o.Color {
			fmt.Fprintf(w, "\r%sAnalyzing SSTable...  %s%s %s(%%%d)", ansiBlue, ansiCyan, bar, ansiReset, pct)
		} else {
			fmt.Fprintf(w, "\rAnalyzing SSTable...  %s (%%%d)", bar, pct)
		}
	}
	fmt.Fprintf(w, "\r%80s\r", " ")
	field := func(name string, v int64) { o.field(w, name, i64(v)) }
	field("Size", s.Size)
	field("Partitions", s.Partitions)
	field("Rows", s.Rows)
	field("Tombstones", s.Tombstones)
	field("Cells", s.Cells)
	o.field(w, "Widest Partitions", "")
	for _, e := range s.Widest {
		w.WriteString("  " + o.overview(e) + "\n")
	}
	o.field(w, "Largest Partitions", "")
	for _, e := range s.Largest {
		bs := "null" // toByteString(0)
		if e.Value != 0 {
			bs = byteString(e.Value)
		}
		w.WriteString("  " + o.overview(e) + o.paint(" ("+bs+")", ansiWhite) + o.paint("", ansiReset) + "\n")
	}
	var leaders strings.Builder
	for _, e := range s.MostTombstones {
		if e.Value > 0 {
			leaders.WriteString("  " + o.overview(e) + "\n")
		}
	}
	if leaders.Len() > 10 {
		o.field(w, "Tombstone Leaders", "")
		w.WriteString(leaders.String())
	}
}

// overview is scannedOverviewOutput: "[key] value".
func (o TextOptions) overview(e ScanEntry) string {
	if o.Color {
		return ansiCyan + "[" + ansiReset + e.Key + ansiCyan + "] " + ansiReset + i64(e.Value)
	}
	return "[" + e.Key + "] " + i64(e.Value)
}

// progressBar is Util.progress.
func progressBar(pc float64, width int, unicode bool) string {
	full, empty := "#", "-"
	if unicode {
		full, empty = "\u2593", "\u2591"
	}
	cols := int(pc * float64(width))
	return strings.Repeat(full, cols) + strings.Repeat(empty, width-cols)
}
