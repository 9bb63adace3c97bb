// Package row decodes the partitions, rows, range tombstone markers and cells of a
// 3.0+ Data.db (versions ma..me, na, nb, oa and BTI da), streaming over the
// uncompressed bytes a chunk source yields. It does no I/O of its own and knows
// nothing about CQL types beyond each column's fixed value length.
//
// Layout (UnfilteredSerializer, DeletionTime, Cell.Serializer in Cassandra):
//
//	Data.db    := Partition*
//	Partition  := key:bytes16 deletion:DeletionTime [StaticRow] Unfiltered* 0x01
//	Unfiltered := Row | Marker
//	Row        := flags:u8 [ext:u8] [Clustering] row_size:uvint prev_size:uvint
//	              [liveness ts(,ttl,ldt)] [deletion mfda,ldt] [column subset]
//	              (SimpleCell | ComplexColumn) per present column, header order
//	Marker     := 0x02 kind:u8 size:u16 values size:uvint prev:uvint deletion(s)
//	SimpleCell := flags:u8 [ts] [ldt] [ttl] [path:vbytes] [value]
//	ComplexColumn := [mfda ldt] count:uvint SimpleCell*count
//
// Timestamps, TTLs and local deletion times inside rows are vint deltas against the
// SSTable's EncodingStats (Statistics.db serialization header). The standalone
// partition DeletionTime is 12 fixed bytes up to nb and a one-byte live marker or
// 12 bytes from oa on.
package row
