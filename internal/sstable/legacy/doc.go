// Package legacy decodes the Data.db of pre-3.0 SSTables (Cassandra 1.2 to 2.2:
// versions ic, ja, jb, ka, la, lb), where a partition is a sorted run of cells
// ("atoms") named by the table's comparator, and turns it into the row model of
// package row, so that the merge, dump and export treat legacy and 3.0+ SSTables
// alike. It mirrors Cassandra 3.0's reading of old files (LegacyLayout,
// OldFormatDeserializer, CellGrouper) and was checked against the ka/la/ic files of
// the shared corpus, whose mc/md/me twins Cassandra 3.x wrote from the same data.
//
// On-disk layout (OnDiskAtom.Serializer, ColumnSerializer, RangeTombstone.Serializer,
// DeletionTime.Serializer on cassandra-2.1; SSTableWriter on cassandra-1.2):
//
//	Data.db    := Partition*
//	Partition  := key bytes16
//	              [row_size i64]                       ic only: bytes after this field
//	              deletion (ldt i32, mfda i64)         7FFFFFFF 8000000000000000 = live
//	              [atom_count i32]                     ic only
//	              Atom*                                atom_count of them for ic
//	              [end_of_row u16 = 0]                 ja and later
//	Atom       := name bytes16 (non-empty)  mask u8  body
//	body       := mask&0x10 RANGE_TOMBSTONE: end bytes16, ldt i32, mfda i64 (name = start)
//	            | mask&0x04 COUNTER:  timestamp_of_last_delete i64, ts i64, value bytes32
//	            | mask&0x02 EXPIRING: ttl i32, expiration i32, ts i64, value bytes32
//	            | otherwise (0x01 DELETED, 0x08 COUNTER_UPDATE, 0 plain): ts i64, value bytes32
//	                                                   (a DELETED value is its ldt as i32)
//
// Cell names, by table kind (CellNames.fromAbstractType):
//
//	CQL3 table ("sparse compound"):  [FFFF] (len u16, bytes, eoc u8) for c1..cN, column name [, collection key]
//	                                 FFFF + N empty components marks a static cell;
//	                                 an empty column name is the row marker
//	COMPACT, >= 2 clustering:        composite of c1..cN (trailing ones may be absent: null)
//	COMPACT, 1 clustering:           the raw clustering value
//	COMPACT, no clustering:          the raw column name (a name outside the schema is a
//	                                 "dynamic" cell: clustering = name, value column "value")
//
// Range tombstone bounds use the same encoding; the last component's eoc says how
// the bound sorts against longer names (FF before, 01 after, 00 at the prefix).
//
// Mapping onto rows (LegacyLayout.decodeBound, CellGrouper): a range tombstone over
// exactly one clustering is a row deletion; over one collection of one row, that
// column's complex deletion; any other becomes bound markers. 2.x writers repeat
// open range tombstones at every column index block and may interleave overlapping
// ones, so the scanner normalises them: it holds the range tombstones that are open
// at the current position or start before the next row (the only buffering beyond
// the current row's cells), and emits non-overlapping bound and boundary markers in
// clustering order whose deletion is, at every point, the newest covering one.
//
// Choices where 3.0 and 2.x differ or the data is odd:
//   - A deleted row marker becomes a liveness with TTL row.ExpiredLivenessTTL (a
//     tombstone for the marker only), not the live liveness 3.0's CellGrouper makes
//     of it.
//   - A cell of a column the schema lacks is ErrCorrupt (3.0's
//     UnknownColumnException), unless the schema records the column as dropped,
//     in which case the cell is skipped.
//   - Range tombstone bounds of a table with one COMPACT clustering column that are
//     composite-encoded (a Cassandra 2.x bug) are read as composites when the raw
//     bytes cannot be a value of the fixed-width clustering type.
//   - A range tombstone met after output has passed its start (2.x repeats open
//     tombstones at every column index block) is clipped to start where output is.
//   - Cells shadowed by a row or collection deletion of the same row are kept: the
//     merge drops them, as it does for 3.0 files.
package legacy
