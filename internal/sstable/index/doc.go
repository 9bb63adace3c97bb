// Package index decodes the partition indexes of an SSTable: Index.db and Summary.db
// of the BIG format (ic..oa) and the tries Partitions.db and Rows.db of the BTI
// format (da). Its main consumer is the split planner, which needs the Data.db start
// offset of every partition (Positions); the promoted row indexes are decoded too.
//
// Index.db (BIG), one entry per partition in Data.db order, no header or footer:
//
//	ma..oa:  key bytes16 | position uvint | size uvint | [size bytes of promoted index]
//	         promoted index: header_length uvint, DeletionTime, count uvint,
//	                         IndexInfo*count, i32 offsets*count
//	         IndexInfo: first, last ClusteringPrefix | offset uvint | width-65536 vint |
//	                    has_open bool | [DeletionTime]
//	ic..lb:  key bytes16 | position i64 | size i32 | [size bytes of promoted index]
//	         promoted index: ldt i32, mfda i64, count i32, IndexInfo*count
//	         IndexInfo: first, last bytes16 | offset i64 | width i64
//
// DeletionTime is 12 bytes (ldt i32, mfda i64) before oa; from oa on it is the single
// byte 0x80 when live, else mfda i64 then ldt u32.
//
// Summary.db (BIG); the offsets and entry positions are LITTLE-endian:
//
//	min_index_interval i32 | count i32 | entries_size i64 | [sampling_level i32,
//	size_at_full_sampling i32]ka+ | offsets u32le*count | (key, index_pos i64le)*count |
//	first_key bytes32 | last_key bytes32 | [segment boundaries]<ma
//	ic: interval i32 | count i32 | (index_pos i64, key bytes32)*count | first | last
//
// Partitions.db and Rows.db (BTI) are tries written bottom-up, children before their
// parent, with child pointers stored as distances back from the parent:
//
//	Partitions.db: trie nodes ... | first_key bytes16 | last_key bytes16 |
//	               first_key_pos i64 | key_count i64 | root_pos i64
//	payload: [hash byte if pb >= 8] then a signed big-endian integer P of pb&7 (or
//	         pb-7) bytes: P >= 0 is a Rows.db offset, P < 0 is ^(Data.db offset)
//	Rows.db, per indexed partition: row trie nodes ... | key bytes16 |
//	         data_position uvint | root_delta vint | block_count uvint | DeletionTime
//	row payload: signed offset of pb&7 bytes from the partition start,
//	         then a DeletionTime if pb&8 (the deletion open at the block start)
//
// Everything here decodes bytes the caller already holds in memory (the index files
// are small next to Data.db, and the tries are random access). Returned slices
// alias the input unless a doc comment says otherwise, so they stay valid as long as
// the input is not modified. Iterators are not safe for concurrent use; separate
// iterators over the same bytes are.
package index
