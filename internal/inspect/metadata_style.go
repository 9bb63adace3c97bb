package inspect

import (
	"bufio"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// TextOptions are sstablemetadata's options that change its text.
type TextOptions struct {
	// Color (-c) wraps labels, separators and comments in ANSI colours.
	Color bool
	// Unicode (-u) draws histogram bars with Unicode blocks.
	Unicode bool
	// TimestampUnit (-t) is the TimeUnit name cell timestamps are in; "" is
	// MICROSECONDS. Only "EncodingStats minTimestamp" honours it: the stats
	// block of SSTableMetadataViewer declares a local tsUnit = MICROSECONDS.
	TimestampUnit string
	// Scan (-s), when set, is printed after the SSTable line.
	Scan *Scan
}

// Util's ANSI sequences.
const (
	ansiReset = "\u001B[0m"
	ansiBlue  = "\u001B[34m"
	ansiCyan  = "\u001B[36m"
	ansiWhite = "\u001B[37m"
)

// TimeUnits are java.util.concurrent.TimeUnit's names, as -t takes them.
var TimeUnits = []string{"NANOSECONDS", "MICROSECONDS", "MILLISECONDS", "SECONDS", "MINUTES", "HOURS", "DAYS"}

// toMillis is TimeUnit.toMillis: truncating for smaller units, saturating for
// larger ones.
func toMillis(v int64, unit string) int64 {
	var div, mul int64 = 1, 1
	switch unit {
	case "NANOSECONDS":
		div = 1_000_000
	case "", "MICROSECONDS":
		div = 1000
	case "SECONDS":
		mul = 1000
	case "MINUTES":
		mul = 60_000
	case "HOURS":
		mul = 3_600_000
	case "DAYS":
		mul = 86_400_000
	}
	if mul > 1 {
		if v > math.MaxInt64/mul {
			return math.MaxInt64
		}
		if v < math.MinInt64/mul {
			return math.MinInt64
		}
		return v * mul
	}
	return v / div
}

// unitDate is toDateString(v, -t's unit): nil for 0.
func (o TextOptions) unitDate(v int64) *string {
	if v == 0 {
		return nil
	}
	s := dateString(time.UnixMilli(toMillis(v, o.TimestampUnit)))
	return &s
}

func (o TextOptions) paint(s, color string) string {
	if o.Color {
		return color + s
	}
	return s
}

// field is SSTableMetadataViewer.field: "name: value (comment)"; an empty
// comment is left out.
func (o TextOptions) field(w *bufio.Writer, name, value string, comment ...string) {
	w.WriteString(o.paint(name, ansiBlue))
	w.WriteString(o.paint(": ", ansiCyan))
	w.WriteString(o.paint("", ansiReset))
	w.WriteString(value)
	if len(comment) > 0 && comment[0] != "" {
		w.WriteString(o.paint(" (", ansiWhite))
		w.WriteString(comment[0])
		w.WriteString(")")
		w.WriteString(o.paint("", ansiReset))
	}
	w.WriteByte('\n')
}

// wrapQuiet is Util.wrapQuiet: "(s)", "" for "".
func (o TextOptions) wrapQuiet(s string) string {
	if s == "" {
		return ""
	}
	if o.Color {
		return ansiWhite + "(" + s + ")" + ansiReset
	}
	return "(" + s + ")"
}

// countANSI is Util.countANSI: how many bytes of s are colour sequences.
func countANSI(s string) int {
	n := len(s)
	for _, c := range []string{ansiReset, ansiBlue, ansiCyan, ansiWhite} {
		s = strings.ReplaceAll(s, c, "")
	}
	return n - len(s)
}

// printTermHistogram is Util.TermHistogram.printHistogram.
func (o TextOptions) printTermHistogram(w *bufio.Writer, entries []HistogramBucket, title string, offsetName func(int64) string) {
	var maxCount int64
	var sum float64
	maxCountLen, maxOffsetLen := 5, len(title)
	for _, e := range entries {
		maxCount = max(maxCount, e.Count)
		sum += float64(e.Count)
		maxCountLen = max(maxCountLen, len(strconv.FormatInt(e.Count, 10)))
		off := offsetName(e.Offset)
		maxOffsetLen = max(maxOffsetLen, len(off)-countANSI(off))
	}
	if o.Color {
		fmt.Fprintf(w, "   %-*s %s %-*s  %s  %sHistogram%s \n", maxOffsetLen+len(ansiBlue), ansiBlue+title,
			ansiCyan+"|"+ansiBlue, maxCountLen, "Count", o.wrapQuiet("%"), ansiBlue, ansiReset)
	} else {
		fmt.Fprintf(w, "   %-*s | %-*s  (%%)  Histogram \n", maxOffsetLen, title, maxCountLen, "Count")
	}
	sep := "|"
	if o.Color {
		sep = ansiCyan + "|" + ansiReset
	}
	for _, e := range entries {
		pct := int(100 * (float64(e.Count) / sum))
		off := offsetName(e.Offset)
		fmt.Fprintf(w, "   %-*s %s %*d %s %s\n", maxOffsetLen+countANSI(off), off, sep, maxCountLen, e.Count,
			o.wrapQuiet(fmt.Sprintf("%3d", pct)), o.bar(e.Count, maxCount, 30))
	}
	if o.Color {
		w.WriteString(ansiBlue + "   Percentiles" + ansiReset + "\n")
	} else {
		w.WriteString("   Percentiles\n")
	}
	data := termPercentiles(entries)
	for i, n := range percentileNames {
		if o.Color {
			fmt.Fprintf(w, "   %s%-10s%s%s\n", ansiBlue, n, ansiReset, offsetName(data[i]))
		} else {
			fmt.Fprintf(w, "   %-10s%s\n", n, offsetName(data[i]))
		}
	}
}

// Util's bar maps: the bar for a remainder is the one of the greatest key not
// above it (TreeMap.floorKey).
var (
	barsASCII = []struct {
		key float64
		bar string
	}{{0.30, "."}, {0.75, "o"}, {1.0, "O"}}
	barsUnicode = []struct {
		key float64
		bar string
	}{{1.0 / 8, "\u258F"}, {1.0 / 4, "\u258E"}, {3.0 / 8, "\u258D"},
		{5.0 / 8, "\u258B"}, {3.0 / 4, "\u258A"}, {7.0 / 8, "\u2589"}, {1.0, "\u2589"}}
)

// bar is TermHistogram.bar.
func (o TextOptions) bar(count, maxCount int64, length int) string {
	bars := barsASCII
	if o.Unicode {
		bars = barsUnicode
	}
	x := float64(count) * 1.0 / float64(maxCount) * float64(length)
	full := int(x)
	rem := x - float64(full)
	var sb strings.Builder
	if o.Color {
		sb.WriteString(ansiWhite)
	}
	sb.WriteString(strings.Repeat(bars[len(bars)-1].bar, full))
	floor := ""
	for _, b := range bars {
		if b.key <= rem {
			floor = b.bar
		}
	}
	sb.WriteString(floor)
	if o.Color {
		sb.WriteString(ansiReset)
	}
	return sb.String()
}
