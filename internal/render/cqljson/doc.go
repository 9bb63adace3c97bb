// Package cqljson renders CQL values as Cassandra's SELECT JSON and sstabledump
// print them: Append is AbstractType.toJSONString, an Appender's AppendMultiCell
// renders the cells of a non-frozen collection or UDT, AppendString is
// AbstractType.getString (sstabledump's partition keys and cell paths), and
// AppendJSONString and AppendColumnName quote strings and column names as
// Jackson and Selection.rowToJson do.
//
// The functions take a *cql.Type for the value's layout and call
// internal/javafmt for Java's number and date forms. They append to the
// caller's buffer, keep no reference to it, do not allocate for fixed-width
// types, text, ascii and blob, and are safe for concurrent use. Bad bytes give
// an error wrapping wire.ErrCorrupt that says what was expected; nothing here
// panics on input.
package cqljson
