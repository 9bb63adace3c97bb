package row

import "github.com/aegisthus/aegisthus/internal/sstable/format"

// Cell flags as stored (Cell.Serializer).
const (
	cellIsDeleted       = 0x01
	cellIsExpiring      = 0x02
	cellHasEmptyValue   = 0x04
	cellUseRowTimestamp = 0x08
	cellUseRowTTL       = 0x10
)

// Column describes how one column's cells are stored.
type Column struct {
	Name     []byte
	Complex  bool // non-frozen collection or UDT: cells with paths
	FixedLen int  // value length when fixed-width (simple columns), else -1
}

// Layout is everything the decoder needs from Statistics.db's serialization header,
// with columns already in on-disk order (simple before complex, each by name bytes).
type Layout struct {
	Version         format.Version
	ClusteringFixed []int // fixed value length per clustering column, -1 when variable
	Static, Regular []Column
	MinTimestamp    int64
	MinLDT          int64
	MinTTL          int64
	// Bounds, when set, is checked against every delta-coded value.
	Bounds *Bounds
}

// Bounds are the ranges Statistics.db's StatsMetadata gives for every
// timestamp, local deletion time and TTL of an SSTable (MetadataCollector sees
// every cell, liveness info and non-live deletion it writes). Before na
// neither the serialization header's EncodingStats, which cells are
// delta-coded against, nor the stats have a checksum: a mutated header minimum
// shifts every decoded value without a decoding error, so a decoded value
// outside the bounds means the header or the stats are corrupt.
type Bounds struct {
	Stats                      string // Statistics.db, for errors
	MinTimestamp, MaxTimestamp int64
	MinLDT, MaxLDT             int64 // NoDeletionTime included as Cassandra's Integer.MAX_VALUE
	MinTTL, MaxTTL             int32
}
