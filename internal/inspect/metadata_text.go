package inspect

import (
	"bufio"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/aegisthus/aegisthus/internal/javafmt"
	"github.com/aegisthus/aegisthus/internal/sstable/stats"
)

// percentileNames are sstablemetadata's percentile labels, in its order.
var percentileNames = []string{"50th", "75th", "95th", "98th", "99th", "Min", "Max"}

func estimatedHistogramJSON(h stats.Histogram) Histogram {
	out := Histogram{Buckets: []HistogramBucket{}, Percentiles: map[string]int64{}}
	for i, c := range h.Counts {
		if i >= len(h.Offsets) {
			out.Overflow = c
			break
		}
		if c > 0 {
			out.Buckets = append(out.Buckets, HistogramBucket{h.Offsets[i], c})
		}
	}
	data := termPercentiles(out.Buckets)
	for i, n := range percentileNames {
		out.Percentiles[n] = data[i]
	}
	return out
}

// termOffsets are the offsets of EstimatedHistogram(165), which
// Util.TermHistogram re-buckets every histogram into for its percentiles.
var termOffsets = func() []int64 {
	out := make([]int64, 165)
	last := int64(1)
	out[0] = last
	for i := 1; i < len(out); i++ {
		next := int64(math.Floor(float64(last)*1.2 + 0.5))
		if next == last {
			next = last + 1
		}
		out[i] = next
		last = next
	}
	return out
}()

// termPercentiles re-buckets entries as Util.TermHistogram.printHistogram does and
// returns the 50th, 75th, 95th, 98th, 99th percentiles, min and max.
func termPercentiles(entries []HistogramBucket) []int64 {
	h := stats.Histogram{Offsets: termOffsets, Counts: make([]int64, len(termOffsets)+1)}
	for _, e := range entries {
		i, _ := slices.BinarySearch(termOffsets, e.Offset)
		h.Counts[i] += e.Count
	}
	if h.Overflowed() {
		// EstimatedHistogram.percentile throws; report zeros rather than fail.
		return make([]int64, len(percentileNames))
	}
	return []int64{h.Percentile(.5), h.Percentile(.75), h.Percentile(.95), h.Percentile(.98), h.Percentile(.99), h.Min(), h.Max()}
}

// WriteText prints m as sstablemetadata (Cassandra 5.0, no colours, ASCII bars).
func (m *Metadata) WriteText(w *bufio.Writer) { m.WriteTextWith(w, TextOptions{}) }

// WriteTextWith prints m as sstablemetadata does with the options o (its -c, -u,
// -t and -s).
func (m *Metadata) WriteTextWith(w *bufio.Writer, o TextOptions) {
	field := func(name, value string, comment ...string) { o.field(w, name, value, comment...) }
	field("SSTable", m.SSTable)
	if o.Scan != nil {
		o.writeScan(w, o.Scan)
	}
	field("Partitioner", m.Partitioner)
	field("Bloom Filter FP chance", string(javafmt.AppendDouble(nil, m.BloomFilterFPChance)))
	if m.hasStats {
		m.writeStatsText(w, o)
	}
	if m.EstimatedCardinality != nil {
		field("Estimated cardinality", i64(*m.EstimatedCardinality))
	} else {
		field("Estimated cardinality", "--", m.cardinalityNote)
	}
	if m.hasHeader {
		es := m.EncodingStats
		field("EncodingStats minTTL", i64(es.MinTTL), ttlString(es.MinTTL))
		var ldt string
		if es.MinLocalDeletionTime != 0 {
			ldt = dateString(time.Unix(es.MinLocalDeletionTime, 0))
		}
		field("EncodingStats minLocalDeletionTime", nullIfEmpty(ldt), i64(es.MinLocalDeletionTime))
		// -t applies here only: sstablemetadata's stats block declares its own
		// tsUnit = MICROSECONDS, shadowing the option for the two lines above.
		field("EncodingStats minTimestamp", orNull(o.unitDate(es.MinTimestamp)), i64(es.MinTimestamp))
		field("KeyType", *m.KeyType)
		field("ClusteringTypes", "["+strings.Join(m.ClusteringTypes, ", ")+"]")
		field("StaticColumns", javaHashMapString(m.StaticColumns))
		field("RegularColumns", javaHashMapString(m.RegularColumns))
		field("IsTransient", strconv.FormatBool(m.IsTransient))
	}
	if m.CreateTable != "" {
		w.WriteString(m.CreateTable)
		w.WriteByte('\n')
	}
}

func i64(v int64) string { return strconv.FormatInt(v, 10) }

// orNull prints a missing value as sstablemetadata does.
func orNull(s *string) string {
	if s == nil {
		return "--"
	}
	return *s
}

// writeStatsText prints the lines that come from the STATS component.
func (m *Metadata) writeStatsText(w *bufio.Writer, o TextOptions) {
	field := func(name, value string, comment ...string) { o.field(w, name, value, comment...) }

	field("Minimum timestamp", orNull(microsDate(m.MinTimestamp)), i64(m.MinTimestamp))
	field("Maximum timestamp", orNull(microsDate(m.MaxTimestamp)), i64(m.MaxTimestamp))
	field("Duration", durationString(m.MaxTimestamp-m.MinTimestamp))
	ldt := func(p *int64) (string, string) {
		if p == nil || *p == 0 {
			v := int64(math.MaxInt64)
			if p != nil {
				v = 0
			}
			return "no tombstones", i64(v)
		}
		return dateString(time.Unix(*p, 0)), i64(*p)
	}
	v, c := ldt(m.MinLocalDeletionTime)
	field("SSTable min local deletion time", v, c)
	v, c = ldt(m.MaxLocalDeletionTime)
	field("SSTable max local deletion time", v, c)
	if m.Compressor != nil {
		field("Compressor", *m.Compressor)
		field("Compression ratio", string(javafmt.AppendDouble(nil, m.CompressionRatio)))
	} else {
		field("Compressor", "-")
	}
	field("TTL min", i64(int64(m.MinTTL)), ttlString(int64(m.MinTTL)))
	field("TTL max", i64(int64(m.MaxTTL)), ttlString(int64(m.MaxTTL)))
	if m.FirstKey != nil {
		field("First token", orNull(m.FirstToken), *m.FirstKey)
		field("Last token", orNull(m.LastToken), *m.LastKey)
	}
	if m.legacyMinMax && m.MinClusteringValues != nil {
		// Cassandra 4.0's lines; 5.0 prints only the covered clusterings.
		field("minClusteringValues", javaList(m.MinClusteringValues))
		field("maxClusteringValues", javaList(m.MaxClusteringValues))
	}
	if m.CoveredClusterings != nil {
		field("Covered clusterings", *m.CoveredClusterings)
	}
	field("Estimated droppable tombstones", string(javafmt.AppendDouble(nil, m.DroppableTombstones)))
	field("SSTable Level", i64(int64(m.SSTableLevel)))
	var repaired string
	if m.RepairedAt != 0 {
		repaired = dateString(time.UnixMilli(m.RepairedAt))
	}
	field("Repaired at", i64(m.RepairedAt), repaired)
	field("Originating host id", orNull(m.OriginatingHostID))
	field("Pending repair", orNull(m.PendingRepair))
	field("Replay positions covered", replayString(m.ReplayPositions))
	field("totalColumnsSet", i64(m.TotalColumnsSet))
	field("totalRows", i64(m.TotalRows))
	field("Estimated tombstone drop times", "")
	var drops []HistogramBucket
	for _, b := range m.tombstoneDropTimesRaw {
		drops = append(drops, HistogramBucket{b.Point, b.Count})
	}
	o.printTermHistogram(w, drops, "Drop Time", func(v int64) string {
		if v == 0 {
			return "0 "
		}
		return fmt.Sprintf("%d %s", v, o.wrapQuiet(dateString(time.Unix(v, 0))))
	})
	field("Partition Size", "")
	o.printTermHistogram(w, m.PartitionSizes.Buckets, "Size (bytes)", func(v int64) string {
		if v == 0 {
			return "0 "
		}
		return fmt.Sprintf("%d %s", v, o.wrapQuiet(byteString(v)))
	})
	field("Column Count", "")
	o.printTermHistogram(w, m.ColumnCounts.Buckets, "Columns", func(v int64) string { return i64(v) })
}

func nullIfEmpty(s string) string {
	if s == "" {
		return "--"
	}
	return s
}

// dateString is SimpleDateFormat("MM/dd/yyyy HH:mm:ss"), in UTC.
func dateString(t time.Time) string { return t.UTC().Format("01/02/2006 15:04:05") }

// microsDate is toDateString(micros, MICROSECONDS): nil for 0.
func microsDate(us int64) *string {
	if us == 0 {
		return nil
	}
	s := dateString(time.UnixMilli(us / 1000))
	return &s
}

// durationString is SSTableMetadataViewer.durationString of a microsecond span.
func durationString(us int64) string {
	secs := us / 1_000_000
	day := secs / 86400
	hours := secs/3600 - day*24
	minute := secs/60 - (secs/3600)*60
	second := secs - (secs/60)*60
	return fmt.Sprintf("Days: %d Hours: %d Minutes: %d Seconds: %d", day, hours, minute, second)
}

// ttlString is toDurationString(seconds): "" (no comment) for 0, "never" for
// Integer.MAX_VALUE, else DurationFormatUtils.formatDurationWords(ms, true, true).
func ttlString(secs int64) string {
	switch secs {
	case 0:
		return ""
	case math.MaxInt32:
		return "never"
	}
	return durationWords(secs * 1000)
}

// durationWords mirrors commons-lang3 DurationFormatUtils.formatDurationWords with
// both zero-suppressions on (including its quirk of never dropping a leading
// "0 seconds" after "0 minutes").
func durationWords(ms int64) string {
	neg := ms < 0
	if neg {
		ms = -ms
	}
	d := ms / 86_400_000
	h := ms / 3_600_000 % 24
	mi := ms / 60_000 % 60
	s := ms / 1000 % 60
	dur := fmt.Sprintf("%d days %d hours %d minutes %d seconds", d, h, mi, s)
	if neg {
		dur = "-" + dur
	}
	replaceOnce := func(s, old string) string { return strings.Replace(s, old, "", 1) }
	dur = " " + dur
	if tmp := replaceOnce(dur, " 0 days"); len(tmp) != len(dur) {
		dur = tmp
		if tmp = replaceOnce(dur, " 0 hours"); len(tmp) != len(dur) {
			dur = replaceOnce(tmp, " 0 minutes")
		}
	}
	if dur != "" {
		dur = dur[1:]
	}
	if tmp := replaceOnce(dur, " 0 seconds"); len(tmp) != len(dur) {
		dur = tmp
		if tmp = replaceOnce(dur, " 0 minutes"); len(tmp) != len(dur) {
			dur = tmp
			if tmp = replaceOnce(dur, " 0 hours"); len(tmp) != len(dur) {
				dur = replaceOnce(tmp, " 0 days")
			}
		}
	}
	dur = " " + dur
	for _, u := range []string{"second", "minute", "hour", "day"} {
		dur = strings.Replace(dur, " 1 "+u+"s", " 1 "+u, 1)
	}
	return strings.TrimSpace(dur)
}

// byteString is SSTableMetadataViewer.toByteString.
func byteString(n int64) string {
	if n < 1024 {
		return fmt.Sprintf("%d B", n)
	}
	exp := int(math.Log(float64(n)) / math.Log(1024))
	return fmt.Sprintf("%.1f %cB", float64(n)/math.Pow(1024, float64(exp)), "kMGTPE"[exp-1])
}

// javaList is Arrays.toString of strings.
func javaList(vals []*string) string {
	parts := make([]string, len(vals))
	for i, v := range vals {
		if v == nil {
			parts[i] = "null"
		} else {
			parts[i] = *v
		}
	}
	return "[" + strings.Join(parts, ", ") + "]"
}

// replayString is IntervalSet<CommitLogPosition>.toString (an ImmutableSortedMap).
func replayString(ivs []ReplayInterval) string {
	pos := func(p CommitLogPosition) string {
		return fmt.Sprintf("CommitLogPosition(segmentId=%d, position=%d)", p.SegmentID, p.Position)
	}
	parts := make([]string, len(ivs))
	for i, iv := range ivs {
		parts[i] = pos(iv.Start) + "=" + pos(iv.End)
	}
	return "{" + strings.Join(parts, ", ") + "}"
}

// javaHashMapString is FBUtilities.toString of the HashMap Collectors.toMap
// builds from the header's columns: "name:type" joined by ", ", in HashMap
// iteration order (bucket of the String hash, then insertion order).
func javaHashMapString(cols []HeaderColumn) string {
	n := 16
	for float64(len(cols)) > 0.75*float64(n) {
		n *= 2
	}
	type entry struct {
		bucket, seq int
		s           string
	}
	entries := make([]entry, len(cols))
	for i, c := range cols {
		h := javaStringHash(c.Name)
		h ^= h >> 16
		entries[i] = entry{int(h & uint32(n-1)), i, c.Name + ":" + c.Type}
	}
	slices.SortStableFunc(entries, func(a, b entry) int { return a.bucket - b.bucket })
	parts := make([]string, len(entries))
	for i, e := range entries {
		parts[i] = e.s
	}
	return strings.Join(parts, ", ")
}

// javaStringHash is String.hashCode over UTF-16 code units.
func javaStringHash(s string) uint32 {
	var h uint32
	for _, r := range s {
		if r >= 0x10000 {
			r -= 0x10000
			h = 31*h + uint32(0xD800+(r>>10))
			h = 31*h + uint32(0xDC00+(r&0x3FF))
			continue
		}
		h = 31*h + uint32(r)
	}
	return h
}
