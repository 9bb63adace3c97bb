package cli

import (
	"bufio"
	"context"
	"encoding/binary"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/aegisthus/aegisthus/internal/cql"
	"github.com/aegisthus/aegisthus/internal/discover"
	"github.com/aegisthus/aegisthus/internal/render/cqljson"
	"github.com/aegisthus/aegisthus/internal/sstable/chunk"
	"github.com/aegisthus/aegisthus/internal/sstable/format"
	"github.com/aegisthus/aegisthus/internal/sstable/index"
	"github.com/aegisthus/aegisthus/internal/sstable/stats"
	"github.com/aegisthus/aegisthus/internal/storage"
	"github.com/aegisthus/aegisthus/internal/token"
)

// metadataOptions are the flags of `aegisthus metadata`.
type metadataOptions struct {
	json     bool
	gcGrace  int
	now      string
	noSchema bool
	schema   schemaSource
	paths    []string
	s3       s3Options
}

func (o *metadataOptions) AddFlags(fs *pflag.FlagSet) {
	o.s3.AddFlags(fs)
	o.s3.AddBackupFlags(fs)
	fs.BoolVar(&o.json, "json", false, "print one JSON object per SSTable instead of sstablemetadata's text")
	fs.IntVarP(&o.gcGrace, "gc-grace-seconds", "g", 0, "gc_grace_seconds for the estimated droppable tombstones (sstablemetadata -g)")
	fs.StringVar(&o.now, "now", "", "estimate droppable tombstones at this instant (RFC 3339, date or epoch seconds; default: now)")
	fs.BoolVar(&o.noSchema, "no-schema", false, "do not print the serialization header as CREATE TABLE")
	fs.StringVar(&o.schema.path, "schema", "", "CQL file with CREATE TYPE/TABLE statements naming key and clustering columns")
}

func (o *metadataOptions) validate() error {
	if o.gcGrace < 0 {
		return &UsageError{fmt.Errorf("--gc-grace-seconds %d: want >= 0", o.gcGrace)}
	}
	_, err := parseNow(o.now)
	return err
}

func newMetadataCmd() *cobra.Command {
	o := &metadataOptions{}
	cmd := &cobra.Command{
		Use:   "metadata PATH...",
		Short: "Print what sstablemetadata prints: Statistics.db, key range, histograms, header",
		Long: `metadata prints, for every SSTable found under the paths, the fields Cassandra 5.0's
sstablemetadata prints, with the same labels, followed by the serialization header as
a CREATE TABLE statement (placeholder names for key and clustering columns unless
--schema names them). Dates are printed in UTC.

--json prints one object per SSTable and line instead. Its fields: sstable, version,
partitioner, bloom_filter_fp_chance, min_timestamp, max_timestamp,
min_local_deletion_time, max_local_deletion_time (null: no tombstones), compressor,
compression_ratio, min_ttl, max_ttl, first_token, first_key, last_token, last_key,
min_clustering_values, max_clustering_values, covered_clusterings,
estimated_droppable_tombstones, sstable_level, repaired_at, originating_host_id,
pending_repair, replay_positions_covered, total_columns_set, total_rows,
tombstone_drop_times, partition_sizes, column_counts, estimated_cardinality,
encoding_stats, key_type, clustering_types, static_columns, regular_columns,
is_transient, create_table.`,
		Example: `  aegisthus metadata ks/t-1b2c.../nb-1-big-Data.db
  aegisthus metadata --json -g 864000 /var/lib/cassandra/data/ks/t-1b2c...`,
		Args:    usageArgs(cobra.MinimumNArgs(1)),
		PreRunE: func(*cobra.Command, []string) error { return o.validate() },
		RunE:    runOn(&o.s3, &o.paths, o.run, false),
	}
	o.AddFlags(cmd.Flags())
	return cmd
}

func (o *metadataOptions) run(ctx context.Context, store storage.Store, stdout io.Writer) error {
	if err := o.validate(); err != nil {
		return err
	}
	now, _ := parseNow(o.now)
	if err := o.schema.load(store); err != nil {
		return err
	}
	tables, err := findTables(store, o.paths)
	if err != nil {
		return err
	}
	w := bufio.NewWriter(stdout)
	for _, t := range tables {
		var tbl *cql.Table
		if !o.noSchema {
			if tbl, err = o.schema.tableFor(store, t); err != nil {
				return err
			}
		}
		for _, d := range t.SSTables {
			if err := ctx.Err(); err != nil {
				return err
			}
			m, err := readSSTableMetadata(store, t, d, tbl, now-int64(o.gcGrace))
			if err != nil {
				return err
			}
			if o.noSchema {
				m.CreateTable = ""
			}
			if o.json {
				b, err := json.Marshal(m)
				if err != nil {
					return err
				}
				w.Write(b)
				w.WriteByte('\n')
			} else {
				m.writeText(w)
			}
		}
	}
	if err := w.Flush(); err != nil {
		return &OutputError{err}
	}
	return nil
}

// sstableMetadata is what metadata prints for one SSTable; its JSON form is the
// --json output. Times keep Cassandra's units: timestamps in microseconds (as
// written by clients), deletion times in seconds, repaired_at in milliseconds.
type sstableMetadata struct {
	SSTable               string            `json:"sstable"` // path without the component, as Descriptor.toString
	Version               string            `json:"version"`
	Partitioner           string            `json:"partitioner"`
	BloomFilterFPChance   float64           `json:"bloom_filter_fp_chance"`
	MinTimestamp          int64             `json:"min_timestamp"`
	MaxTimestamp          int64             `json:"max_timestamp"`
	MinLocalDeletionTime  *int64            `json:"min_local_deletion_time"`
	MaxLocalDeletionTime  *int64            `json:"max_local_deletion_time"`
	Compressor            *string           `json:"compressor"`
	CompressionRatio      float64           `json:"compression_ratio"`
	MinTTL                int32             `json:"min_ttl"`
	MaxTTL                int32             `json:"max_ttl"`
	FirstToken            *string           `json:"first_token"`
	FirstKey              *string           `json:"first_key"`
	LastToken             *string           `json:"last_token"`
	LastKey               *string           `json:"last_key"`
	MinClusteringValues   []*string         `json:"min_clustering_values"` // before oa only
	MaxClusteringValues   []*string         `json:"max_clustering_values"`
	CoveredClusterings    *string           `json:"covered_clusterings"`
	DroppableTombstones   float64           `json:"estimated_droppable_tombstones"`
	GCBefore              int64             `json:"gc_before"` // seconds: --now minus --gc-grace-seconds
	SSTableLevel          int32             `json:"sstable_level"`
	RepairedAt            int64             `json:"repaired_at"`
	OriginatingHostID     *string           `json:"originating_host_id"`
	PendingRepair         *string           `json:"pending_repair"`
	ReplayPositions       []replayInterval  `json:"replay_positions_covered"`
	TotalColumnsSet       int64             `json:"total_columns_set"`
	TotalRows             int64             `json:"total_rows"`
	TombstoneDropTimes    []histogramBucket `json:"tombstone_drop_times"`
	PartitionSizes        histogramJSON     `json:"partition_sizes"`
	ColumnCounts          histogramJSON     `json:"column_counts"`
	EstimatedCardinality  *int64            `json:"estimated_cardinality"`
	EncodingStats         *encodingStats    `json:"encoding_stats"`
	KeyType               *string           `json:"key_type"`
	ClusteringTypes       []string          `json:"clustering_types"`
	StaticColumns         []headerColumn    `json:"static_columns"`
	RegularColumns        []headerColumn    `json:"regular_columns"`
	IsTransient           bool              `json:"is_transient"`
	CreateTable           string            `json:"create_table,omitempty"`
	tombstoneDropTimesRaw []stats.TombstoneBin
	partitionSizesRaw     stats.Histogram
	columnCountsRaw       stats.Histogram
	hasHeader, hasStats   bool
	legacyMinMax          bool
	cardinalityNote       string
}

type replayInterval struct {
	Start commitLogPosition `json:"start"`
	End   commitLogPosition `json:"end"`
}

type commitLogPosition struct {
	SegmentID int64 `json:"segment_id"`
	Position  int32 `json:"position"`
}

type histogramBucket struct {
	Offset int64 `json:"offset"` // bucket upper bound (tombstones: the drop time in seconds)
	Count  int64 `json:"count"`
}

type histogramJSON struct {
	Buckets     []histogramBucket `json:"buckets"` // non-empty buckets only
	Overflow    int64             `json:"overflow"`
	Percentiles map[string]int64  `json:"percentiles"` // 50th 75th 95th 98th 99th min max, as sstablemetadata
}

type encodingStats struct {
	MinTTL               int64 `json:"min_ttl"`
	MinLocalDeletionTime int64 `json:"min_local_deletion_time"`
	MinTimestamp         int64 `json:"min_timestamp"`
}

type headerColumn struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// readSSTableMetadata reads Statistics.db, CompressionInfo.db and (before oa) the
// first and last keys of Summary.db. It works for every version stats.Parse reads,
// legacy ones included.
func readSSTableMetadata(store storage.Store, t *discover.Table, d format.Descriptor, tbl *cql.Table, gcBefore int64) (*sstableMetadata, error) {
	b, err := store.ReadFile(d.Path(format.Statistics), verifyMaxStats)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInput, err)
	}
	md, err := stats.Parse(d.Path(format.Statistics), b, d.Version)
	if err != nil {
		return nil, err
	}
	m := &sstableMetadata{
		SSTable:  strings.TrimSuffix(d.Path(format.Data), "-"+format.Data),
		Version:  d.Version.String(),
		GCBefore: gcBefore,
	}
	if store.Exists(d.Path(format.CompressionInfo)) {
		ci, err := store.ReadFile(d.Path(format.CompressionInfo), verifyMaxInfo)
		if err != nil {
			return nil, err
		}
		info, err := chunk.ParseCompressionInfo(ci, d.Version)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", d.Path(format.CompressionInfo), err)
		}
		name := compressorClass(info.Compressor)
		m.Compressor = &name
	}
	if v := md.Validation; v != nil {
		m.Partitioner = v.Partitioner
		m.BloomFilterFPChance = v.BloomFilterFPChance
	}
	var keyType *cql.Type
	var clusteringTypes []*cql.Type
	if h := md.Header; h != nil {
		m.hasHeader = true
		if keyType, err = cql.ParseMarshal(h.KeyType); err != nil {
			return nil, fmt.Errorf("%s: key type: %w", d.Path(format.Statistics), err)
		}
		for _, s := range h.ClusteringTypes {
			ct, err := cql.ParseMarshal(s)
			if err != nil {
				return nil, fmt.Errorf("%s: clustering type: %w", d.Path(format.Statistics), err)
			}
			clusteringTypes = append(clusteringTypes, ct)
		}
		kt := h.KeyType
		m.KeyType = &kt
		m.ClusteringTypes = append([]string{}, h.ClusteringTypes...)
		for _, c := range h.StaticColumns {
			m.StaticColumns = append(m.StaticColumns, headerColumn{string(c.Name), c.Type})
		}
		for _, c := range h.RegularColumns {
			m.RegularColumns = append(m.RegularColumns, headerColumn{string(c.Name), c.Type})
		}
		m.EncodingStats = &encodingStats{MinTTL: h.MinTTL, MinLocalDeletionTime: h.MinLocalDeletionTime, MinTimestamp: h.MinTimestamp}
	}
	if s := md.Stats; s != nil {
		m.hasStats = true
		m.MinTimestamp, m.MaxTimestamp = s.MinTimestamp, s.MaxTimestamp
		if s.MinLocalDeletionTime != stats.NoDeletionTime {
			v := s.MinLocalDeletionTime
			m.MinLocalDeletionTime = &v
		}
		if s.MaxLocalDeletionTime != stats.NoDeletionTime {
			v := s.MaxLocalDeletionTime
			m.MaxLocalDeletionTime = &v
		}
		m.CompressionRatio = s.CompressionRatio
		m.MinTTL, m.MaxTTL = s.MinTTL, s.MaxTTL
		m.DroppableTombstones = s.EstimatedDroppableTombstoneRatio(gcBefore)
		m.SSTableLevel = s.SSTableLevel
		m.RepairedAt = s.RepairedAt
		m.OriginatingHostID = uuidString(s.OriginatingHostID)
		m.PendingRepair = uuidString(s.PendingRepair)
		m.ReplayPositions = replayPositions(s, d.Version)
		m.TotalColumnsSet, m.TotalRows = s.TotalColumnsSet, s.TotalRows
		m.IsTransient = s.IsTransient
		m.tombstoneDropTimesRaw = s.TombstoneDropTimes.Bins
		m.TombstoneDropTimes = []histogramBucket{}
		for _, bin := range s.TombstoneDropTimes.Bins {
			m.TombstoneDropTimes = append(m.TombstoneDropTimes, histogramBucket{bin.Point, bin.Count})
		}
		m.partitionSizesRaw, m.columnCountsRaw = s.PartitionSizes, s.CellCounts
		m.PartitionSizes, m.ColumnCounts = estimatedHistogramJSON(s.PartitionSizes), estimatedHistogramJSON(s.CellCounts)

		// Clustering bounds, as StatsMetadata.Serializer builds coveredClustering.
		if d.Version.HasImprovedMinMax() && s.CoveredClustering != nil {
			cov := sliceString(s.CoveredClustering, clusteringTypes)
			m.CoveredClusterings = &cov
		} else if md.Header != nil {
			m.legacyMinMax = true
			m.MinClusteringValues = clusteringStrings(s.MinClusteringValues, clusteringTypes)
			m.MaxClusteringValues = clusteringStrings(s.MaxClusteringValues, clusteringTypes)
			cov := "ALL" // Slice.ALL, what 5.0 keeps before md
			// Slice.make turns (BOTTOM, TOP) into Slice.ALL, printed "ALL"; the oa+
			// slice read from the file is printed as stored ("[, ]").
			if d.Version.HasAccurateMinMax() && (len(s.MinClusteringValues) > 0 || len(s.MaxClusteringValues) > 0) {
				cov = sliceString(&stats.Slice{
					Start: stats.ClusteringBound{Kind: 1, Values: s.MinClusteringValues},
					End:   stats.ClusteringBound{Kind: 6, Values: s.MaxClusteringValues},
				}, clusteringTypes)
			}
			m.CoveredClusterings = &cov
		}
		if md.Header != nil && md.Validation != nil {
			first, last := s.FirstKey, s.LastKey
			if !d.Version.HasKeyRange() {
				first, last = summaryKeys(store, d)
			}
			if first != nil && last != nil {
				m.FirstToken, m.FirstKey = tokenAndKey(m.Partitioner, keyType, first)
				m.LastToken, m.LastKey = tokenAndKey(m.Partitioner, keyType, last)
			}
		}
	}
	if c := md.Compaction; c != nil {
		n, err := hllCardinality(c.Cardinality)
		if err != nil {
			m.cardinalityNote = err.Error()
		} else {
			m.EstimatedCardinality = &n
		}
	}
	if md.Header != nil {
		m.CreateTable = createTable(t, d, md.Header, keyType, clusteringTypes, tbl)
	}
	return m, nil
}

// compressorClass returns the fully qualified compressor class, as
// Class.getName() prints it.
func compressorClass(name string) string {
	if !strings.Contains(name, ".") {
		return "org.apache.cassandra.io.compress." + name
	}
	return name
}

func uuidString(u *[16]byte) *string {
	if u == nil {
		return nil
	}
	h := hex.EncodeToString(u[:])
	s := h[0:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:]
	return &s
}

// replayPositions is StatsMetadata.commitLogIntervals: stored from mc on, else the
// single interval [lower bound (or CommitLogPosition.NONE), upper bound].
func replayPositions(s *stats.Stats, v format.Version) []replayInterval {
	out := []replayInterval{}
	pos := func(p stats.CommitLogPosition) commitLogPosition { return commitLogPosition{p.Segment, p.Position} }
	if v.HasCommitLogIntervals() {
		for _, iv := range s.CommitLogIntervals {
			out = append(out, replayInterval{pos(iv.Start), pos(iv.End)})
		}
		return out
	}
	lower := commitLogPosition{-1, 0}
	if s.HasCommitLogLowerBound {
		lower = pos(s.CommitLogLowerBound)
	}
	return append(out, replayInterval{lower, pos(s.CommitLogUpperBound)})
}

// summaryKeys reads the first and last partition keys from Summary.db (the BIG
// format before oa keeps them there), or returns nils.
func summaryKeys(store storage.Store, d format.Descriptor) (first, last []byte) {
	if d.Version.Kind == format.BTI || !store.Exists(d.Path(format.Summary)) {
		return nil, nil
	}
	b, err := store.ReadFile(d.Path(format.Summary), verifyMaxIndex)
	if err != nil {
		return nil, nil
	}
	s, err := index.ParseSummary(d.Path(format.Summary), b, d.Version)
	if err != nil {
		return nil, nil
	}
	return s.FirstKey, s.LastKey
}

// tokenFormatter is what the token package's partitioners offer for printing.
type tokenFormatter interface {
	AppendToken(dst, key []byte) []byte
	FormatToken(tok []byte) string
}

func tokenAndKey(partitioner string, keyType *cql.Type, key []byte) (tok, text *string) {
	if p, err := token.ForName(partitioner); err == nil {
		if f, ok := p.(tokenFormatter); ok {
			s := f.FormatToken(f.AppendToken(nil, key))
			tok = &s
		}
	}
	s := valueString(keyType, key)
	return tok, &s
}

// valueString is AbstractType.getString, or hex when the value does not decode.
func valueString(t *cql.Type, v []byte) string {
	if t == nil {
		return hex.EncodeToString(v)
	}
	b, err := cqljson.AppendString(nil, t, v)
	if err != nil {
		return hex.EncodeToString(v)
	}
	return string(b)
}

func clusteringStrings(vals [][]byte, types []*cql.Type) []*string {
	if len(vals) != len(types) {
		return nil // sstablemetadata prints them only when the counts match
	}
	out := make([]*string, len(vals))
	for i, v := range vals {
		s := valueString(types[i], v)
		out[i] = &s
	}
	return out
}

// sliceString is Slice.toString(ClusteringComparator).
func sliceString(s *stats.Slice, types []*cql.Type) string {
	var sb strings.Builder
	inclusive := func(k uint8) bool { return k == 1 || k == 6 || k == 2 || k == 5 || k == 4 }
	bound := func(b stats.ClusteringBound) {
		for i, v := range b.Values {
			if i > 0 {
				sb.WriteByte(':')
			}
			var t *cql.Type
			if i < len(types) {
				t = types[i]
			}
			if v == nil {
				sb.WriteString("null")
				continue
			}
			sb.WriteString(valueString(t, v))
		}
	}
	if inclusive(s.Start.Kind) {
		sb.WriteByte('[')
	} else {
		sb.WriteByte('(')
	}
	bound(s.Start)
	sb.WriteString(", ")
	bound(s.End)
	if inclusive(s.End.Kind) {
		sb.WriteByte(']')
	} else {
		sb.WriteByte(')')
	}
	return sb.String()
}

// percentileNames are sstablemetadata's percentile labels, in its order.
var percentileNames = []string{"50th", "75th", "95th", "98th", "99th", "Min", "Max"}

func estimatedHistogramJSON(h stats.Histogram) histogramJSON {
	out := histogramJSON{Buckets: []histogramBucket{}, Percentiles: map[string]int64{}}
	for i, c := range h.Counts {
		if i >= len(h.Offsets) {
			out.Overflow = c
			break
		}
		if c > 0 {
			out.Buckets = append(out.Buckets, histogramBucket{h.Offsets[i], c})
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
func termPercentiles(entries []histogramBucket) []int64 {
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

// writeText prints m as sstablemetadata (Cassandra 5.0, no colours, ASCII bars).
func (m *sstableMetadata) writeText(w *bufio.Writer) {
	field := func(name, value string, comment ...string) {
		w.WriteString(name)
		w.WriteString(": ")
		w.WriteString(value)
		if len(comment) > 0 && comment[0] != "" {
			w.WriteString(" (")
			w.WriteString(comment[0])
			w.WriteString(")")
		}
		w.WriteByte('\n')
	}
	i64 := func(v int64) string { return strconv.FormatInt(v, 10) }
	orNull := func(s *string) string {
		if s == nil {
			return "--"
		}
		return *s
	}
	field("SSTable", m.SSTable)
	field("Partitioner", m.Partitioner)
	field("Bloom Filter FP chance", javaDouble(m.BloomFilterFPChance))
	if m.hasStats {
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
			field("Compression ratio", javaDouble(m.CompressionRatio))
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
		field("Estimated droppable tombstones", javaDouble(m.DroppableTombstones))
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
		var drops []histogramBucket
		for _, b := range m.tombstoneDropTimesRaw {
			drops = append(drops, histogramBucket{b.Point, b.Count})
		}
		printTermHistogram(w, drops, "Drop Time", func(v int64) string {
			if v == 0 {
				return "0 "
			}
			return fmt.Sprintf("%d (%s)", v, dateString(time.Unix(v, 0)))
		})
		field("Partition Size", "")
		printTermHistogram(w, m.PartitionSizes.Buckets, "Size (bytes)", func(v int64) string {
			if v == 0 {
				return "0 "
			}
			return fmt.Sprintf("%d (%s)", v, byteString(v))
		})
		field("Column Count", "")
		printTermHistogram(w, m.ColumnCounts.Buckets, "Columns", func(v int64) string { return i64(v) })
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
		field("EncodingStats minTimestamp", orNull(microsDate(es.MinTimestamp)), i64(es.MinTimestamp))
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

// javaDouble formats f as Java's Double.toString does (shortest digits).
func javaDouble(f float64) string {
	switch {
	case math.IsNaN(f):
		return "NaN"
	case math.IsInf(f, 1):
		return "Infinity"
	case math.IsInf(f, -1):
		return "-Infinity"
	case f == 0:
		if math.Signbit(f) {
			return "-0.0"
		}
		return "0.0"
	}
	if a := math.Abs(f); a >= 1e-3 && a < 1e7 {
		s := strconv.FormatFloat(f, 'f', -1, 64)
		if !strings.Contains(s, ".") {
			s += ".0"
		}
		return s
	}
	s := strconv.FormatFloat(f, 'e', -1, 64)
	mant, exp, _ := strings.Cut(s, "e")
	if !strings.Contains(mant, ".") {
		mant += ".0"
	}
	e, _ := strconv.Atoi(exp)
	return mant + "E" + strconv.Itoa(e)
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
func replayString(ivs []replayInterval) string {
	pos := func(p commitLogPosition) string {
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
func javaHashMapString(cols []headerColumn) string {
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

// printTermHistogram is Util.TermHistogram.printHistogram without colours and
// with ASCII bars.
func printTermHistogram(w *bufio.Writer, entries []histogramBucket, title string, offsetName func(int64) string) {
	var maxCount int64
	var sum float64
	maxCountLen, maxOffsetLen := 5, len(title)
	for _, e := range entries {
		maxCount = max(maxCount, e.Count)
		sum += float64(e.Count)
		maxCountLen = max(maxCountLen, len(strconv.FormatInt(e.Count, 10)))
		maxOffsetLen = max(maxOffsetLen, len(offsetName(e.Offset)))
	}
	fmt.Fprintf(w, "   %-*s | %-*s  (%%)  Histogram \n", maxOffsetLen, title, maxCountLen, "Count")
	for _, e := range entries {
		pct := int(100 * (float64(e.Count) / sum))
		fmt.Fprintf(w, "   %-*s | %*d (%3d) %s\n", maxOffsetLen, offsetName(e.Offset), maxCountLen, e.Count, pct, asciiBar(e.Count, maxCount, 30))
	}
	w.WriteString("   Percentiles\n")
	data := termPercentiles(entries)
	for i, n := range percentileNames {
		fmt.Fprintf(w, "   %-10s%s\n", n, offsetName(data[i]))
	}
}

// asciiBar is TermHistogram.bar with the ASCII bar map.
func asciiBar(count, maxCount int64, length int) string {
	x := float64(count) * 1.0 / float64(maxCount) * float64(length)
	full := int(x)
	rem := x - float64(full)
	s := strings.Repeat("O", full)
	switch {
	case rem >= 1.0:
		s += "O"
	case rem >= 0.75:
		s += "o"
	case rem >= 0.30:
		s += "."
	}
	return s
}

// createTable renders the serialization header as CQL. Key and clustering names
// come from tbl when given, else are placeholders (key, key1..., clustering,
// clustering1..., as sstabledump names them).
func createTable(t *discover.Table, d format.Descriptor, h *stats.Header, keyType *cql.Type, clustering []*cql.Type, tbl *cql.Table) string {
	ks, name := d.Keyspace, d.Table
	if tbl != nil {
		if tbl.Keyspace != "" {
			ks = tbl.Keyspace
		}
		if tbl.Name != "" {
			name = tbl.Name
		}
	}
	if ks == "" {
		ks = "keyspace"
	}
	if name == "" {
		name = "table"
	}
	type col struct{ name, typ, suffix string }
	var cols []col
	var pk, ck []string
	keyParts := []*cql.Type{keyType}
	if keyType.Kind == cql.Composite {
		keyParts = keyType.Params
	}
	for i, kt := range keyParts {
		n := "key"
		if i > 0 {
			n = fmt.Sprintf("key%d", i)
		}
		if tbl != nil && len(tbl.PartitionKey) == len(keyParts) {
			n = tbl.PartitionKey[i].Name
		}
		cols = append(cols, col{cql.QuoteIdent(n), kt.CQL(), ""})
		pk = append(pk, cql.QuoteIdent(n))
	}
	var order []string
	for i, ct := range clustering {
		n := "clustering"
		if i > 0 {
			n = fmt.Sprintf("clustering%d", i)
		}
		if tbl != nil && len(tbl.Clustering) == len(clustering) {
			n = tbl.Clustering[i].Name
		}
		dir := "ASC"
		if ct.Reversed {
			dir = "DESC"
		}
		order = append(order, cql.QuoteIdent(n)+" "+dir)
		cols = append(cols, col{cql.QuoteIdent(n), ct.WithReversed(false).CQL(), ""})
		ck = append(ck, cql.QuoteIdent(n))
	}
	addCols := func(in []stats.Column, suffix string) {
		for _, c := range in {
			typ := c.Type
			if ct, err := cql.ParseMarshal(c.Type); err == nil {
				if tbl != nil {
					if sc := tbl.Column(string(c.Name)); sc != nil && !sc.Type.IsMultiCell() && ct.IsMultiCell() {
						ct = ct.Frozen()
					}
				}
				typ = ct.CQL()
			} else {
				typ = "'" + strings.ReplaceAll(c.Type, "'", "''") + "'"
			}
			cols = append(cols, col{cql.QuoteIdent(string(c.Name)), typ, suffix})
		}
	}
	addCols(h.StaticColumns, " static")
	addCols(h.RegularColumns, "")
	var sb strings.Builder
	fmt.Fprintf(&sb, "CREATE TABLE %s.%s (\n", cql.QuoteIdent(ks), cql.QuoteIdent(name))
	for _, c := range cols {
		fmt.Fprintf(&sb, "    %s %s%s,\n", c.name, c.typ, c.suffix)
	}
	key := strings.Join(pk, ", ")
	if len(pk) > 1 {
		key = "(" + key + ")"
	}
	fmt.Fprintf(&sb, "    PRIMARY KEY (%s)\n)", strings.Join(append([]string{key}, ck...), ", "))
	if len(order) > 0 {
		fmt.Fprintf(&sb, " WITH CLUSTERING ORDER BY (%s)", strings.Join(order, ", "))
	}
	sb.WriteByte(';')
	_ = t
	return sb.String()
}

// hllCardinality decodes the HyperLogLogPlus sketch of CompactionMetadata
// (stream-lib's serialized form: i32 -2, then varints p, sp and format, then
// for the sparse format a varint count and the delta-coded register indexes, for
// the normal one an i32 byte count and 5-bit registers packed six per i32) and returns its cardinality() as
// stream-lib computes it, except that the empirical bias correction (applied by
// stream-lib to normal-format sketches estimating between its threshold and 5m)
// is left out.
func hllCardinality(b []byte) (int64, error) {
	if b == nil {
		return 0, errors.New("no cardinality sketch (before ka)")
	}
	pos := 0
	uvarint := func() (uint32, error) {
		var v uint32
		for shift := 0; shift < 35; shift += 7 {
			if pos >= len(b) {
				return 0, errors.New("cardinality sketch: truncated")
			}
			c := b[pos]
			pos++
			v |= uint32(c&0x7f) << shift
			if c&0x80 == 0 {
				return v, nil
			}
		}
		return 0, errors.New("cardinality sketch: varint too long")
	}
	if len(b) < 4 {
		return 0, errors.New("cardinality sketch: truncated")
	}
	if ver := int32(binary.BigEndian.Uint32(b)); ver != -2 {
		return 0, fmt.Errorf("cardinality sketch: serialization version %d, want -2", ver)
	}
	pos = 4
	p, err := uvarint()
	if err != nil {
		return 0, err
	}
	sp, err := uvarint()
	if err != nil {
		return 0, err
	}
	if p < 4 || p > 30 || sp > 32 || sp < p {
		return 0, fmt.Errorf("cardinality sketch: p=%d sp=%d", p, sp)
	}
	kind, err := uvarint()
	if err != nil {
		return 0, err
	}
	switch kind {
	case 1: // sparse: linear counting over 2^sp registers
		n, err := uvarint()
		if err != nil {
			return 0, err
		}
		sm := math.Exp2(float64(sp))
		return int64(math.Round(sm * math.Log(sm/(sm-float64(n))))), nil
	case 0:
		if pos+4 > len(b) {
			return 0, errors.New("cardinality sketch: truncated")
		}
		size := int(binary.BigEndian.Uint32(b[pos:]))
		pos += 4
		if size < 0 || size > len(b)-pos {
			return 0, fmt.Errorf("cardinality sketch: %d register bytes, have %d", size, len(b)-pos)
		}
		words := b[pos : pos+size]
		m := 1 << p
		if size/4*6 < m {
			return 0, fmt.Errorf("cardinality sketch: %d register words for %d registers", size/4, m)
		}
		var sum, zeros float64
		for j := 0; j < m; j++ {
			word := binary.BigEndian.Uint32(words[4*(j/6):])
			val := (word >> (5 * uint(j%6))) & 0x1f
			sum += 1 / math.Exp2(float64(val))
			if val == 0 {
				zeros++
			}
		}
		fm := float64(m)
		var alphaMM float64
		switch p {
		case 4:
			alphaMM = 0.673 * fm * fm
		case 5:
			alphaMM = 0.697 * fm * fm
		case 6:
			alphaMM = 0.709 * fm * fm
		default:
			alphaMM = (0.7213 / (1 + 1.079/fm)) * fm * fm
		}
		estimate := alphaMM / sum
		h := estimate
		if zeros > 0 {
			h = fm * math.Log(fm/zeros)
		}
		thresholds := []float64{10, 20, 40, 80, 220, 400, 900, 1800, 3100, 6500, 11500, 20000, 50000, 120000, 350000}
		if (p <= 18 && h < thresholds[p-4]) || (p > 18 && estimate <= 5*fm) {
			return int64(math.Round(h)), nil
		}
		return int64(math.Round(estimate)), nil
	}
	return 0, fmt.Errorf("cardinality sketch: format %d", kind)
}
