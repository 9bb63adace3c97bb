// Package javafmt is the one place aegisthus reproduces Java's formatting of
// numbers, dates and addresses, byte for byte, as Cassandra's JVM prints them:
//
//	AppendDouble, AppendFloat   Double.toString, Float.toString (JDK 11/17 FloatingDecimal)
//	AppendVarint                BigInteger.toString
//	AppendDecimal               BigDecimal.toString and toPlainString
//	AppendUUID                  java.util.UUID.toString
//	AppendInet                  InetAddress.getHostAddress
//	AppendTimestamp             TimestampSerializer (DateTimeFormatter in UTC, Cassandra 5.0)
//	AppendDate                  SimpleDateSerializer (DateTimeFormatter.ISO_LOCAL_DATE)
//	AppendTime                  TimeSerializer.toString
//	AppendDuration              org.apache.cassandra.cql3.Duration.toString
//	AppendInstant(Micros)       java.time.Instant.toString (sstabledump's times)
//	AppendInt                   Long.toString
//	CivilFromDays               the proleptic Gregorian calendar those formatters use
//
// Anything else that must print a value the way Java does calls these
// functions rather than keep its own copy. The functions take decoded values
// (or the raw big-endian bytes where Java does, as BigInteger(byte[]) and
// BigDecimal), append to the caller's buffer, keep no reference to it, and are
// safe for concurrent use. They allocate only for integers wider than 64 bits
// and for float digits that need more than 128-bit arithmetic. The ones that
// can meet bad input return an error wrapping wire.ErrCorrupt; none panics.
//
// The package imports nothing of aegisthus but wire (for that error); the CQL
// type system (internal/cql) decodes values, and internal/render/cqljson
// decides which of these forms a value gets.
package javafmt
