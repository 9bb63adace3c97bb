// Package stats decodes Statistics.db, the SSTable metadata file, for every format
// version from ic (Cassandra 1.2) to oa/da (Cassandra 5.0). It mirrors Cassandra's
// MetadataSerializer, ValidationMetadata, CompactionMetadata, StatsMetadata and
// SerializationHeader.Component (LegacyMetadataSerializer / SSTableMetadata for
// the single-record files written before ka).
//
// Layout, ka and later (all integers big-endian):
//
//	+-----------+--------------+-----------------------------+--------------+
//	| count i32 | [crc u32]na+ | (type i32, offset i32)*count | [crc u32]na+ |
//	+-----------+--------------+-----------------------------+--------------+
//	| component at toc[0].offset ... [crc u32 of the component]na+          |
//	| component at toc[1].offset ...                                        |
//	+-----------------------------------------------------------------------+
//
//	type 0 VALIDATION  partitioner jutf, bloom filter fp chance f64
//	type 1 COMPACTION  [ancestors i32 n, i32*n]<ma, cardinality bytes32 (HyperLogLog++)
//	type 2 STATS       histograms, commit log positions, timestamps, deletion
//	                   times, TTLs, ratio, tombstone histogram, level, repairedAt,
//	                   min/max clustering, counters, totals, repair/host ids,
//	                   first/last key, token space coverage (see parseStats)
//	type 3 HEADER      ma+: EncodingStats, key type, clustering types, static
//	                   and regular columns (names and type strings)
//
// The na+ checksums are CRC32: the first covers the 4 bytes of count, the second
// continues over count and the whole table of contents, and each component has its
// own. A component's length is the distance to the next offset (the file end for
// the last), checksum included. A component may end in zero padding (oa STATS: the
// writer sizes the buffer from an over-estimate), so parsers never require that a
// component is consumed exactly.
//
// Layout before ka (ic, ja, jb): one record, no table of contents:
//
//	row size histogram, column count histogram, replay position, min/max
//	timestamp, [max ldt]ja+, [bloom fp chance]ja+, compression ratio,
//	partitioner jutf, ancestors, tombstone histogram, [sstable level]if bytes
//	remain, [min/max column names]ja+
//
// Parse returns values that share no memory with the input unless a doc comment
// says otherwise. Nothing here keeps state, so everything is safe for concurrent use.
package stats
