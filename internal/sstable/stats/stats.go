package stats

import (
	"encoding/binary"
	"fmt"
	"hash/crc32"
	"math"
	"strconv"
	"strings"

	"github.com/aegisthus/aegisthus/internal/sstable/format"
	"github.com/aegisthus/aegisthus/internal/sstable/wire"
)

const component = "Statistics.db"

// Metadata is a decoded Statistics.db. A component the file does not carry is nil
// (Header before ma; Compaction is absent from some hand-made files).
type Metadata struct {
	Validation *Validation
	Compaction *Compaction
	Stats      *Stats
	Header     *Header // nil before ma
}

// Validation mirrors ValidationMetadata.
type Validation struct {
	Partitioner string // class name, e.g. "org.apache.cassandra.dht.Murmur3Partitioner"
	// BloomFilterFPChance is the false-positive chance the filter was built with
	// (NoBloomFilterFPChance for ic, which did not record it).
	BloomFilterFPChance float64
}

// NoBloomFilterFPChance is what SSTableMetadata reports for ic files.
const NoBloomFilterFPChance = -1.0

// Compaction mirrors CompactionMetadata.
type Compaction struct {
	Ancestors   []int32 // generations this SSTable was compacted from; before ma only
	Cardinality []byte  // HyperLogLogPlus bytes as stored (nil before ka)
}

// NoDeletionTime is the local deletion time reported when an SSTable has none
// (Cell.NO_DELETION_TIME: Integer.MAX_VALUE before oa and 0xFFFFFFFF in oa+ on disk).
const NoDeletionTime = math.MaxInt64

// Stats mirrors StatsMetadata. Fields a version does not serialize hold the values
// Cassandra's deserializer substitutes (noted per field).
type Stats struct {
	PartitionSizes Histogram // estimated partition size in bytes ("row size" before ma)
	CellCounts     Histogram // estimated cells per partition ("column count" before ma)

	// CommitLogUpperBound is the replay position (commitLogIntervals.upperBound).
	CommitLogUpperBound CommitLogPosition
	// CommitLogLowerBound is present for lb and mb+ (zero value otherwise).
	CommitLogLowerBound    CommitLogPosition
	HasCommitLogLowerBound bool
	// CommitLogIntervals is serialized from mc on.
	CommitLogIntervals []CommitLogInterval

	MinTimestamp, MaxTimestamp int64 // microseconds, as written by clients

	// MinLocalDeletionTime and MaxLocalDeletionTime are seconds since the epoch, or
	// NoDeletionTime. Before ma the minimum is not stored (NoDeletionTime); before ja
	// neither is. From oa on they are read as unsigned 32-bit values.
	MinLocalDeletionTime, MaxLocalDeletionTime int64

	MinTTL, MaxTTL int32 // seconds; ma+ (before: 0 and math.MaxInt32, as Cassandra)

	CompressionRatio float64 // -1 when uncompressed or unknown

	TombstoneDropTimes TombstoneHistogram

	SSTableLevel int32
	RepairedAt   int64 // ms since epoch, 0 = unrepaired; ka+

	// MinClusteringValues and MaxClusteringValues are the legacy (ja..nb) min/max
	// clustering prefixes, one raw value per clustering column (min/max column
	// names before ma). Only trusted by Cassandra from md on (CASSANDRA-14861).
	MinClusteringValues, MaxClusteringValues [][]byte

	// ClusteringTypes and CoveredClustering are the oa+ ("improved") min/max: the
	// clustering column type strings and the slice covering every row.
	ClusteringTypes   []string
	CoveredClustering *Slice

	HasLegacyCounterShards bool // true when not tracked (before ka), as Cassandra
	TotalColumnsSet        int64
	TotalRows              int64 // ma+; -1 before

	PendingRepair     *[16]byte // na+: time UUID of the pending repair session, nil if none
	IsTransient       bool      // na+
	OriginatingHostID *[16]byte // me..mz and nb+, nil if unknown

	// HasPartitionLevelDeletions is stored from oa on. Before, it is derived as
	// Cassandra does: true unless MinLocalDeletionTime is NoDeletionTime.
	HasPartitionLevelDeletions bool

	FirstKey, LastKey []byte // oa+: raw partition keys

	// TokenSpaceCoverage is the fraction of the token ring the SSTable spans (oa+;
	// 0 before, where Cassandra uses NaN).
	TokenSpaceCoverage float64
}

// CommitLogPosition mirrors CommitLogPosition (ReplayPosition before 3.0).
type CommitLogPosition struct {
	Segment  int64
	Position int32
}

// CommitLogInterval is one [Start, End] range of replayed commit log.
type CommitLogInterval struct{ Start, End CommitLogPosition }

// Slice is a pair of clustering bounds (Cassandra Slice).
type Slice struct{ Start, End ClusteringBound }

// ClusteringBound is a serialized ClusteringBound: its kind ordinal
// (ClusteringPrefix.Kind) and its values. A nil value is null; an empty non-nil
// value is a zero-length value.
type ClusteringBound struct {
	Kind   uint8
	Values [][]byte
}

// Header mirrors SerializationHeader.Component: the schema of Data.db.
// Types are the raw marshal class strings as written; another package parses them.
type Header struct {
	KeyType              string
	ClusteringTypes      []string
	StaticColumns        []Column
	RegularColumns       []Column
	MinTimestamp         int64 // EncodingStats: base for timestamp deltas (microseconds)
	MinLocalDeletionTime int64 // EncodingStats: base for ldt deltas (seconds)
	MinTTL               int64 // EncodingStats: base for TTL deltas (seconds)
	Offset               int64 `json:"-"` // where the component starts in Statistics.db, for errors
}

// Column is one column of the header.
type Column struct {
	Name []byte // column name bytes (UTF-8 for CQL tables)
	Type string
}

// EncodingStats epochs (EncodingStats.java): 2015-09-22T00:00:00Z.
const (
	TimestampEpoch    = 1442880000000000 // microseconds
	DeletionTimeEpoch = 1442880000       // seconds
)

// Metadata types in the table of contents (MetadataType ordinals).
const (
	typeValidation = 0
	typeCompaction = 1
	typeStats      = 2
	typeHeader     = 3
)

// Parse decodes the whole Statistics.db in b for version v. path only names the file
// in errors. Errors are *wire.FormatError wrapping wire.ErrCorrupt (bad bytes or
// checksum) or wire.ErrUnsupported (unknown component type). The result does not
// alias b. Parse is safe for concurrent use.
func Parse(path string, b []byte, v format.Version) (*Metadata, error) {
	if !v.NewStatsFile() {
		return parseLegacy(path, b, v)
	}
	c := wire.NewCursor(b, 0)
	count := c.I32()
	var crc uint32
	checksummed := v.HasMetadataChecksum()
	if checksummed {
		crc = crc32.ChecksumIEEE(b[:min(4, len(b))])
		if want := c.U32(); c.Err() == nil && want != crc {
			return nil, wire.Errorf(path, component, 4, wire.ErrCorrupt, "component count checksum mismatch: want %#x, got %#x", want, crc)
		}
	}
	if c.Err() != nil {
		return nil, wire.Locate(path, component, 0, c.Err())
	}
	if count < 0 || int64(count)*8 > int64(c.Len()) {
		return nil, wire.Errorf(path, component, 0, wire.ErrCorrupt, "component count %d does not fit in %d bytes", count, len(b))
	}
	tocStart := c.Offset()
	types := make([]int32, count)
	offsets := make([]int64, count)
	for i := range types {
		types[i] = c.I32()
		offsets[i] = int64(c.I32())
	}
	tocEnd := c.Offset()
	if checksummed {
		crc = crc32.Update(crc, crc32.IEEETable, b[tocStart:tocEnd])
		if want := c.U32(); c.Err() == nil && want != crc {
			return nil, wire.Errorf(path, component, int64(tocEnd), wire.ErrCorrupt, "table of contents checksum mismatch: want %#x, got %#x", want, crc)
		}
	}
	if c.Err() != nil {
		return nil, wire.Locate(path, component, int64(tocStart), c.Err())
	}
	md := &Metadata{}
	for i, typ := range types {
		// Cassandra lists components sorted by type and in file order; ScyllaDB keeps
		// the type order but not the file order. A component ends where the next one
		// (by offset) starts, or at the end of the file.
		start := offsets[i]
		end := int64(len(b))
		for j, o := range offsets {
			if j != i && o >= start && o < end && (o > start || j > i) {
				end = o
			}
		}
		if start < int64(c.Offset()) || start > int64(len(b)) {
			return nil, wire.Errorf(path, component, int64(tocStart+8*i), wire.ErrCorrupt,
				"component %d (type %d) starts at %d, outside [%d, %d]", i, typ, start, c.Offset(), len(b))
		}
		for j := range i {
			if types[j] == typ {
				return nil, wire.Errorf(path, component, int64(tocStart+8*i), wire.ErrCorrupt, "component type %d listed twice", typ)
			}
		}
		body := b[start:end]
		if checksummed {
			if len(body) < 4 {
				return nil, wire.Errorf(path, component, start, wire.ErrCorrupt, "component type %d: %d bytes, too short for its checksum", typ, len(body))
			}
			want := binary.BigEndian.Uint32(body[len(body)-4:])
			body = body[:len(body)-4]
			if got := crc32.ChecksumIEEE(body); got != want {
				return nil, wire.Errorf(path, component, end-4, wire.ErrCorrupt, "component type %d checksum mismatch: want %#x, got %#x", typ, want, got)
			}
		}
		cc := wire.NewCursor(body, start)
		var err error
		switch typ {
		case typeValidation:
			md.Validation = parseValidation(&cc)
		case typeCompaction:
			md.Compaction = parseCompaction(&cc, v)
		case typeStats:
			md.Stats, err = parseStats(&cc, v)
		case typeHeader:
			if !v.StoresRows() {
				return nil, wire.Errorf(path, component, start, wire.ErrCorrupt, "serialization header in a %s file", v)
			}
			md.Header = parseHeader(&cc)
			md.Header.Offset = start
		default:
			return nil, wire.Errorf(path, component, int64(tocStart+8*i), wire.ErrUnsupported, "metadata component type %d", typ)
		}
		if err == nil {
			err = cc.Err()
		}
		if err != nil {
			return nil, wire.Locate(path, component, start, fmt.Errorf("component type %d at offset %d: %w", typ, start, err))
		}
	}
	if md.Stats == nil || md.Validation == nil {
		return nil, wire.Errorf(path, component, 0, wire.ErrCorrupt, "missing %s component", missing(md))
	}
	if v.StoresRows() && md.Header == nil {
		return nil, wire.Errorf(path, component, 0, wire.ErrCorrupt, "missing serialization header (required from ma on)")
	}
	return md, nil
}

func missing(md *Metadata) string {
	if md.Validation == nil {
		return "validation"
	}
	return "stats"
}

func parseValidation(c *wire.Cursor) *Validation {
	return &Validation{Partitioner: c.UTF(), BloomFilterFPChance: c.F64()}
}

func parseCompaction(c *wire.Cursor, v format.Version) *Compaction {
	m := &Compaction{}
	if v.HasCompactionAncestors() {
		m.Ancestors = readAncestors(c)
	}
	m.Cardinality = clone(c.Bytes32())
	return m
}

func readAncestors(c *wire.Cursor) []int32 {
	n := c.I32()
	if n < 0 || int64(n)*4 > int64(c.Len()) {
		c.Fail("ancestor count %d does not fit in %d bytes", n, c.Len())
		return nil
	}
	a := make([]int32, n)
	for i := range a {
		a[i] = c.I32()
	}
	return a
}

// parseStats follows StatsMetadataSerializer.deserialize on trunk (ma+), on
// cassandra-3.0 for ka..lb.
func parseStats(c *wire.Cursor, v format.Version) (*Stats, error) {
	s := &Stats{}
	s.PartitionSizes = readHistogram(c)
	s.CellCounts = readHistogram(c)
	s.CommitLogUpperBound = readCommitLogPosition(c)
	s.MinTimestamp = c.I64()
	s.MaxTimestamp = c.I64()
	s.MinLocalDeletionTime = NoDeletionTime
	if v.StoresRows() {
		s.MinLocalDeletionTime = readLDT(c, v)
	}
	s.MaxLocalDeletionTime = readLDT(c, v)
	s.MinTTL, s.MaxTTL = 0, math.MaxInt32
	if v.StoresRows() {
		s.MinTTL = c.I32()
		s.MaxTTL = c.I32()
	}
	s.CompressionRatio = c.F64()
	s.TombstoneDropTimes = readTombstoneHistogram(c, v)
	s.SSTableLevel = c.I32()
	s.RepairedAt = c.I64() // every TOC-style file (ka+) has repairedAt
	legacyMinMax := v.HasLegacyMinMax() || !v.StoresRows()
	if legacyMinMax {
		s.MinClusteringValues = readShortValues(c)
		s.MaxClusteringValues = readShortValues(c)
	} else if v.HasImprovedMinMax() {
		readImprovedMinMax(c, s)
	}
	s.HasLegacyCounterShards = c.Bool()
	s.TotalColumnsSet, s.TotalRows = -1, -1
	if v.StoresRows() {
		s.TotalColumnsSet = c.I64()
		s.TotalRows = c.I64()
	}
	if v.HasCommitLogLowerBound() {
		s.CommitLogLowerBound = readCommitLogPosition(c)
		s.HasCommitLogLowerBound = true
	}
	if v.HasCommitLogIntervals() {
		n := c.I32()
		if n < 0 || int64(n)*24 > int64(c.Len()) {
			c.Fail("commit log interval count %d does not fit in %d bytes", n, c.Len())
		} else {
			s.CommitLogIntervals = make([]CommitLogInterval, n)
			for i := range s.CommitLogIntervals {
				s.CommitLogIntervals[i].Start = readCommitLogPosition(c)
				s.CommitLogIntervals[i].End = readCommitLogPosition(c)
			}
		}
	}
	if v.HasPendingRepair() && c.U8() != 0 {
		s.PendingRepair = readUUID(c)
	}
	if v.HasIsTransient() {
		s.IsTransient = c.Bool()
	}
	if v.HasOriginatingHostID() && c.U8() != 0 {
		s.OriginatingHostID = readUUID(c)
	}
	s.HasPartitionLevelDeletions = s.MinLocalDeletionTime != NoDeletionTime
	if v.HasPartitionLevelDeletionsPresenceMarker() {
		s.HasPartitionLevelDeletions = c.Bool()
	}
	if v.HasImprovedMinMax() && legacyMinMax {
		// Transitional layout (Cassandra reads the improved form here while the legacy
		// one is still written); no released version uses it, kept for parity.
		readImprovedMinMax(c, s)
	}
	if v.HasKeyRange() {
		s.FirstKey = clone(c.VBytes())
		s.LastKey = clone(c.VBytes())
	}
	if v.HasTokenSpaceCoverage() {
		s.TokenSpaceCoverage = c.F64()
	}
	return s, c.Err()
}

func readLDT(c *wire.Cursor, v format.Version) int64 {
	if v.HasUIntDeletionTime() {
		u := c.U32()
		if u == math.MaxUint32 {
			return NoDeletionTime
		}
		return int64(u)
	}
	i := c.I32()
	if i == math.MaxInt32 {
		return NoDeletionTime
	}
	return int64(i)
}

func readCommitLogPosition(c *wire.Cursor) CommitLogPosition {
	return CommitLogPosition{Segment: c.I64(), Position: c.I32()}
}

func readUUID(c *wire.Cursor) *[16]byte {
	b := c.Bytes(16)
	if b == nil {
		return nil
	}
	var u [16]byte
	copy(u[:], b)
	return &u
}

// readShortValues reads i32 n, then n bytes16 values (the legacy min/max layout).
func readShortValues(c *wire.Cursor) [][]byte {
	n := c.I32()
	if n < 0 || int64(n)*2 > int64(c.Len()) {
		c.Fail("value count %d does not fit in %d bytes", n, c.Len())
		return nil
	}
	out := make([][]byte, n)
	for i := range out {
		out[i] = clone(c.Bytes16())
	}
	return out
}

// readImprovedMinMax reads AbstractTypeSerializer.serializeList then a Slice
// (two ClusteringBounds: kind u8, size u16, values without size).
func readImprovedMinMax(c *wire.Cursor, s *Stats) {
	s.ClusteringTypes = readTypeList(c)
	start := readBound(c, s.ClusteringTypes)
	end := readBound(c, s.ClusteringTypes)
	if c.Err() == nil {
		s.CoveredClustering = &Slice{Start: start, End: end}
	}
}

func readTypeList(c *wire.Cursor) []string {
	n := c.UVint()
	if n > uint64(c.Len()) {
		c.Fail("type count %d does not fit in %d bytes", n, c.Len())
		return nil
	}
	out := make([]string, n)
	for i := range out {
		out[i] = string(c.VBytes())
	}
	return out
}

func readBound(c *wire.Cursor, types []string) ClusteringBound {
	kind := c.U8()
	size := int(c.U16())
	if c.Err() != nil {
		return ClusteringBound{}
	}
	if kind > 7 {
		c.Fail("clustering bound kind %d", kind)
		return ClusteringBound{}
	}
	if size > len(types) {
		c.Fail("clustering bound has %d values, table has %d clustering columns", size, len(types))
		return ClusteringBound{}
	}
	return ClusteringBound{Kind: kind, Values: readClusteringValues(c, types[:size])}
}

// readClusteringValues follows ClusteringPrefix.Serializer.deserializeValuesWithoutSize:
// for every block of 32 values a uvint header with 2 bits per value (bit 2j empty,
// bit 2j+1 null), then the non-empty, non-null values.
func readClusteringValues(c *wire.Cursor, types []string) [][]byte {
	out := make([][]byte, len(types))
	var header uint64
	for i, t := range types {
		if i%32 == 0 {
			header = c.UVint()
		}
		j := uint(i % 32)
		switch {
		case header&(1<<(2*j+1)) != 0:
			out[i] = nil
		case header&(1<<(2*j)) != 0:
			out[i] = []byte{}
		default:
			if n := FixedValueLength(t); n >= 0 {
				out[i] = clone(c.Bytes(n))
			} else {
				out[i] = clone(c.VBytes())
			}
		}
		if c.Err() != nil {
			return nil
		}
	}
	return out
}

// parseHeader follows SerializationHeader.Serializer.deserialize (EncodingStats, key
// type, clustering types, static then regular columns) for the on-disk component.
func parseHeader(c *wire.Cursor) *Header {
	h := &Header{}
	h.MinTimestamp = int64(c.UVint() + TimestampEpoch)
	h.MinLocalDeletionTime = int64(int32(c.UVint())) + DeletionTimeEpoch
	h.MinTTL = int64(int32(c.UVint()))
	h.KeyType = string(c.VBytes())
	h.ClusteringTypes = readTypeList(c)
	h.StaticColumns = readColumns(c)
	h.RegularColumns = readColumns(c)
	return h
}

func readColumns(c *wire.Cursor) []Column {
	n := c.UVint()
	if n > uint64(c.Len())/2 {
		c.Fail("column count %d does not fit in %d bytes", n, c.Len())
		return nil
	}
	out := make([]Column, n)
	for i := range out {
		out[i].Name = clone(c.VBytes())
		out[i].Type = string(c.VBytes())
	}
	return out
}

// parseLegacy reads the single-record Statistics.db of ic/ja/jb
// (SSTableMetadata.SSTableMetadataSerializer on cassandra-2.0 and cassandra-1.2).
func parseLegacy(path string, b []byte, v format.Version) (*Metadata, error) {
	c := wire.NewCursor(b, 0)
	s := &Stats{}
	s.PartitionSizes = readHistogram(&c)
	s.CellCounts = readHistogram(&c)
	s.CommitLogUpperBound = readCommitLogPosition(&c)
	s.MinTimestamp = c.I64()
	s.MaxTimestamp = c.I64()
	s.MinLocalDeletionTime = NoDeletionTime
	s.MaxLocalDeletionTime = NoDeletionTime
	ja := v.S >= "ja"
	if ja {
		s.MaxLocalDeletionTime = readLDT(&c, v)
	}
	val := &Validation{BloomFilterFPChance: NoBloomFilterFPChance}
	if ja {
		val.BloomFilterFPChance = c.F64()
	}
	s.CompressionRatio = c.F64()
	val.Partitioner = c.UTF()
	comp := &Compaction{Ancestors: readAncestors(&c)}
	s.TombstoneDropTimes = readTombstoneHistogram(&c, v)
	if c.Err() == nil && c.Len() > 0 {
		s.SSTableLevel = c.I32()
	}
	if ja {
		s.MinClusteringValues = readShortValues(&c)
		s.MaxClusteringValues = readShortValues(&c)
	}
	s.MinTTL, s.MaxTTL = 0, math.MaxInt32
	s.HasLegacyCounterShards = true
	s.TotalColumnsSet, s.TotalRows = -1, -1
	s.HasPartitionLevelDeletions = true // unknown: Cassandra assumes there may be some
	if err := c.Err(); err != nil {
		return nil, wire.Locate(path, component, 0, err)
	}
	return &Metadata{Validation: val, Compaction: comp, Stats: s}, nil
}

// FixedValueLength returns the on-disk length of a value of the marshal type t when
// the type has a fixed length (AbstractType.valueLengthIfFixed), or -1 when values
// carry a vint length. It understands qualified and bare class names, ReversedType
// and VectorType of fixed-length elements.
func FixedValueLength(t string) int {
	name, params := splitType(t)
	switch name {
	case "BooleanType":
		return 1
	case "Int32Type", "FloatType":
		return 4
	case "LongType", "DoubleType", "TimestampType", "DateType":
		return 8
	case "UUIDType", "TimeUUIDType", "LexicalUUIDType":
		return 16
	case "EmptyType":
		return 0
	case "ReversedType", "FrozenType":
		if name == "FrozenType" {
			return -1
		}
		return FixedValueLength(params)
	case "VectorType":
		// params: "<element type> , <dimension>"; split at the last comma.
		for i := len(params) - 1; i >= 0; i-- {
			if params[i] == ',' {
				dim, err := strconv.Atoi(strings.TrimSpace(params[i+1:]))
				if err != nil || dim < 0 {
					return -1
				}
				el := FixedValueLength(strings.TrimSpace(params[:i]))
				if el < 0 || dim > math.MaxInt32/max(el, 1) {
					return -1
				}
				return el * dim
			}
		}
	}
	return -1
}

// splitType returns the simple class name of t and the text between its outer
// parentheses.
func splitType(t string) (name, params string) {
	t = strings.TrimSpace(t)
	if i := strings.IndexByte(t, '('); i >= 0 && t[len(t)-1] == ')' {
		name, params = t[:i], t[i+1:len(t)-1]
	} else {
		name = t
	}
	name = strings.TrimSpace(name)
	for i := len(name) - 1; i >= 0; i-- {
		if name[i] == '.' {
			name = name[i+1:]
			break
		}
	}
	return name, params
}

func clone(b []byte) []byte {
	if b == nil {
		return nil
	}
	return append([]byte{}, b...)
}
