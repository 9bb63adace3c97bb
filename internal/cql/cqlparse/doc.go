// Package cqlparse reads CQL as people and Cassandra write it: a type string
// (Type: "map<text, frozen<list<int>>>", user types by name, custom types as a
// quoted class name) and the DDL of a schema file (Parse: CREATE TYPE, CREATE
// TABLE and the ALTER statements after them, as in hand-written files and the
// schema.cql of a snapshot). Parse gives a Schema: its user types and its
// Tables, each Table with its Columns by ColumnKind (partition key,
// clustering, static, regular) and the DroppedColumns whose old data a reader
// must discard.
//
// The types it builds are cql.Types; cql owns the type system, the marshal
// class strings of sstable headers (cql.ParseMarshal), and the CQL spelling of
// a type (cql.Type.CQL) and of a name (cql.QuoteIdent). Names follow
// Cassandra's ColumnIdentifier rules: unquoted ones are lower-cased, quoted ones
// keep their case.
//
// Errors are *SyntaxError values naming the 1-based line and column. Nesting of
// types is bounded by cql.MaxDepth, and no input makes the parsers panic (the
// fuzz targets FuzzParseCQL and FuzzParseSchema check both).
package cqlparse
