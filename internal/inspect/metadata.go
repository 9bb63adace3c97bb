package inspect

import (
	"encoding/hex"
	"errors"
	"fmt"
	"strings"

	"github.com/aegisthus/aegisthus/internal/cql"
	"github.com/aegisthus/aegisthus/internal/cql/cqlparse"
	"github.com/aegisthus/aegisthus/internal/render/cqljson"
	"github.com/aegisthus/aegisthus/internal/sstable"
	"github.com/aegisthus/aegisthus/internal/sstable/format"
	"github.com/aegisthus/aegisthus/internal/sstable/stats"
	"github.com/aegisthus/aegisthus/internal/storage"
	"github.com/aegisthus/aegisthus/internal/token"
)

// Metadata is what metadata prints for one SSTable; its JSON form is the
// --json output. Times keep Cassandra's units: timestamps in microseconds (as
// written by clients), deletion times in seconds, repaired_at in milliseconds.
type Metadata struct {
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
	ReplayPositions       []ReplayInterval  `json:"replay_positions_covered"`
	TotalColumnsSet       int64             `json:"total_columns_set"`
	TotalRows             int64             `json:"total_rows"`
	TombstoneDropTimes    []HistogramBucket `json:"tombstone_drop_times"`
	PartitionSizes        Histogram         `json:"partition_sizes"`
	ColumnCounts          Histogram         `json:"column_counts"`
	EstimatedCardinality  *int64            `json:"estimated_cardinality"`
	EncodingStats         *EncodingStats    `json:"encoding_stats"`
	KeyType               *string           `json:"key_type"`
	ClusteringTypes       []string          `json:"clustering_types"`
	StaticColumns         []HeaderColumn    `json:"static_columns"`
	RegularColumns        []HeaderColumn    `json:"regular_columns"`
	IsTransient           bool              `json:"is_transient"`
	CreateTable           string            `json:"create_table,omitempty"`
	tombstoneDropTimesRaw []stats.TombstoneBin
	partitionSizesRaw     stats.Histogram
	columnCountsRaw       stats.Histogram
	hasHeader, hasStats   bool
	legacyMinMax          bool
	cardinalityNote       string
}

type ReplayInterval struct {
	Start CommitLogPosition `json:"start"`
	End   CommitLogPosition `json:"end"`
}

type CommitLogPosition struct {
	SegmentID int64 `json:"segment_id"`
	Position  int32 `json:"position"`
}

type HistogramBucket struct {
	Offset int64 `json:"offset"` // bucket upper bound (tombstones: the drop time in seconds)
	Count  int64 `json:"count"`
}

type Histogram struct {
	Buckets     []HistogramBucket `json:"buckets"` // non-empty buckets only
	Overflow    int64             `json:"overflow"`
	Percentiles map[string]int64  `json:"percentiles"` // 50th 75th 95th 98th 99th min max, as sstablemetadata
}

type EncodingStats struct {
	MinTTL               int64 `json:"min_ttl"`
	MinLocalDeletionTime int64 `json:"min_local_deletion_time"`
	MinTimestamp         int64 `json:"min_timestamp"`
}

type HeaderColumn struct {
	Name string `json:"name"`
	Type string `json:"type"`
}

// ReadMetadata reads Statistics.db, CompressionInfo.db and (before oa) the
// first and last keys of Summary.db. It works for every version stats.Parse reads,
// legacy ones included.
func ReadMetadata(store storage.Store, d format.Descriptor, tbl *cqlparse.Table, gcBefore int64) (*Metadata, error) {
	md, err := sstable.ReadStatistics(store, d)
	if err != nil {
		if errors.As(err, new(*sstable.ReadError)) {
			return nil, fmt.Errorf("%w: %w", ErrInput, err)
		}
		return nil, err
	}
	m := &Metadata{
		SSTable:  strings.TrimSuffix(d.Path(format.Data), "-"+format.Data),
		Version:  d.Version.String(),
		GCBefore: gcBefore,
	}
	if store.Exists(d.Path(format.CompressionInfo)) {
		info, err := sstable.ReadCompressionInfo(store, d)
		if err != nil {
			return nil, err
		}
		name := compressorClass(info.Compressor)
		m.Compressor = &name
	}
	if v := md.Validation; v != nil {
		m.Partitioner = v.Partitioner
		m.BloomFilterFPChance = v.BloomFilterFPChance
	}
	keyType, clusteringTypes, err := m.setHeader(d, md.Header)
	if err != nil {
		return nil, err
	}
	if md.Stats != nil {
		m.setStats(store, d, md, keyType, clusteringTypes)
	}
	if c := md.Compaction; c != nil {
		n, err := stats.Cardinality(c.Cardinality)
		if err != nil {
			m.cardinalityNote = err.Error()
		} else {
			m.EstimatedCardinality = &n
		}
	}
	if md.Header != nil {
		m.CreateTable = createTable(d, md.Header, keyType, clusteringTypes, tbl)
	}
	return m, nil
}

// setHeader fills the serialization header's fields (ma+) and returns its key
// and clustering types, which the key range and the clustering bounds print by.
func (m *Metadata) setHeader(d format.Descriptor, h *stats.Header) (keyType *cql.Type, clusteringTypes []*cql.Type, err error) {
	if h == nil {
		return nil, nil, nil
	}
	m.hasHeader = true
	if keyType, err = cql.ParseMarshal(h.KeyType); err != nil {
		return nil, nil, fmt.Errorf("%s: key type: %w", d.Path(format.Statistics), err)
	}
	for _, s := range h.ClusteringTypes {
		ct, err := cql.ParseMarshal(s)
		if err != nil {
			return nil, nil, fmt.Errorf("%s: clustering type: %w", d.Path(format.Statistics), err)
		}
		clusteringTypes = append(clusteringTypes, ct)
	}
	kt := h.KeyType
	m.KeyType = &kt
	m.ClusteringTypes = append([]string{}, h.ClusteringTypes...)
	for _, c := range h.StaticColumns {
		m.StaticColumns = append(m.StaticColumns, HeaderColumn{string(c.Name), c.Type})
	}
	for _, c := range h.RegularColumns {
		m.RegularColumns = append(m.RegularColumns, HeaderColumn{string(c.Name), c.Type})
	}
	m.EncodingStats = &EncodingStats{MinTTL: h.MinTTL, MinLocalDeletionTime: h.MinLocalDeletionTime, MinTimestamp: h.MinTimestamp}
	return keyType, clusteringTypes, nil
}

// setStats fills the fields of the STATS component: timestamps, deletion
// times, TTLs, histograms, clustering bounds and the key range.
func (m *Metadata) setStats(store storage.Store, d format.Descriptor, md *stats.Metadata, keyType *cql.Type, clusteringTypes []*cql.Type) {
	s := md.Stats
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
	m.DroppableTombstones = s.EstimatedDroppableTombstoneRatio(m.GCBefore)
	m.SSTableLevel = s.SSTableLevel
	m.RepairedAt = s.RepairedAt
	m.OriginatingHostID = uuidString(s.OriginatingHostID)
	m.PendingRepair = uuidString(s.PendingRepair)
	m.ReplayPositions = replayPositions(s, d.Version)
	m.TotalColumnsSet, m.TotalRows = s.TotalColumnsSet, s.TotalRows
	m.IsTransient = s.IsTransient
	m.tombstoneDropTimesRaw = s.TombstoneDropTimes.Bins
	m.TombstoneDropTimes = []HistogramBucket{}
	for _, bin := range s.TombstoneDropTimes.Bins {
		m.TombstoneDropTimes = append(m.TombstoneDropTimes, HistogramBucket{bin.Point, bin.Count})
	}
	m.partitionSizesRaw, m.columnCountsRaw = s.PartitionSizes, s.CellCounts
	m.PartitionSizes, m.ColumnCounts = estimatedHistogramJSON(s.PartitionSizes), estimatedHistogramJSON(s.CellCounts)
	m.setClustering(d, md, clusteringTypes)
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

// setClustering fills the clustering bounds, as StatsMetadata.Serializer builds
// coveredClustering.
func (m *Metadata) setClustering(d format.Descriptor, md *stats.Metadata, clusteringTypes []*cql.Type) {
	s := md.Stats
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
func replayPositions(s *stats.Stats, v format.Version) []ReplayInterval {
	out := []ReplayInterval{}
	pos := func(p stats.CommitLogPosition) CommitLogPosition { return CommitLogPosition{p.Segment, p.Position} }
	if v.HasCommitLogIntervals() {
		for _, iv := range s.CommitLogIntervals {
			out = append(out, ReplayInterval{pos(iv.Start), pos(iv.End)})
		}
		return out
	}
	lower := CommitLogPosition{-1, 0}
	if s.HasCommitLogLowerBound {
		lower = pos(s.CommitLogLowerBound)
	}
	return append(out, ReplayInterval{lower, pos(s.CommitLogUpperBound)})
}

// summaryKeys reads the first and last partition keys from Summary.db (the BIG
// format before oa keeps them there), or returns nils.
func summaryKeys(store storage.Store, d format.Descriptor) (first, last []byte) {
	if d.Version.Kind == format.BTI || !store.Exists(d.Path(format.Summary)) {
		return nil, nil
	}
	s, err := sstable.ReadSummary(store, d)
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
