// Package cql is Cassandra's type system as an offline reader needs it: Type
// and Kind, and for each type how long a value is on disk (ValueLengthIfFixed),
// how values sort (Compare), whether bytes are a valid value (Validate), and how
// a value splits into its parts (Elems, VectorElems, CompositeStart and
// NextComponent, DynamicComponents, FieldIndex, DecodeDuration). A type spells
// itself both ways: as the marshal class string of sstable headers (Marshal)
// and as CQL (CQL, with QuoteIdent for names).
//
// ParseMarshal, the parser of marshal class strings, belongs here and not with
// the CQL parsers: a DynamicCompositeType value names the type of each of its
// components by class string inside the value, so DynamicComponents, and with
// it Compare and Validate, parse type strings as they read values.
//
// The rest lives elsewhere. internal/cql/cqlparse parses CQL: type strings and
// the DDL of schema files, into the Schema, Table and Column of a table
// definition. internal/render/cqljson prints values as SELECT JSON and
// sstabledump do, and internal/javafmt holds the Java number and date
// formatting both of them use. The sstable reader needs only widths, so it
// imports neither.
//
// It mirrors org.apache.cassandra.db.marshal.* and serializers.* of Cassandra
// 4.0/5.0 (checked against the 3.11, 4.0 and trunk sources), which are the final
// word; FORMAT.md §8 summarises them. Value layouts, all big-endian:
//
//	int, bigint, smallint, tinyint   two's complement, 4/8/2/1 bytes
//	varint                           two's complement, minimal length (BigInteger.toByteArray)
//	decimal                          i32 scale | varint unscaled      value = unscaled × 10^-scale
//	float, double                    IEEE 754, 4/8 bytes
//	timestamp                        i64 milliseconds since the epoch
//	date                             u32 days, 1970-01-01 = 2^31
//	time                             i64 nanoseconds since midnight
//	duration                         vint months | vint days | vint nanoseconds (zig-zag)
//	uuid, timeuuid                   16 bytes
//	inet                             4 or 16 bytes
//	frozen list, set                 i32 n | n × (i32 len | bytes)
//	frozen map                       i32 n | n × (i32 len | key | i32 len | value)
//	tuple, frozen UDT                per field: i32 len | bytes (len -1: null; trailing fields may be missing)
//	vector<T, n>                     n × T (fixed-width T) or n × (uvint len | bytes)
//	CompositeType                    [FF FF static] per component: u16 len | bytes | eoc byte
//
// A non-frozen collection or UDT (MultiCell) is never one value: the row decoder
// hands its cells to cqljson's Appender.AppendMultiCell, and PathType and CellValueType give
// the types of their paths and values.
//
// Types are immutable after parsing and safe for concurrent use. Bad bytes give
// an error wrapping wire.ErrCorrupt that says what was expected; nothing here
// panics on input.
package cql
