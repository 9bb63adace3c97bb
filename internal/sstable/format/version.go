// Package format names SSTables: it parses component file names of every era
// (ks-cf-ka-1-Data.db, la-1-big-Data.db, nb-3gpm_0sy8_..-big-Data.db, da-1-bti-Data.db)
// into a Descriptor, and derives from the two-letter version string the switches every
// decoder needs (BigFormat.BigVersion and BtiFormat.BtiVersion in Cassandra).
package format

import (
	"fmt"
	"regexp"

	"github.com/aegisthus/aegisthus/internal/sstable/wire"
)

// Kind is the SSTable format family.
type Kind uint8

const (
	Big Kind = iota // Index.db + Summary.db (all versions up to oa, and 6.0's pa)
	BTI             // trie indexes Partitions.db + Rows.db (5.0 "da", 6.0 "ea")
)

func (k Kind) String() string {
	if k == BTI {
		return "bti"
	}
	return "big"
}

// Version is an SSTable format version ("ic", "ka", "mc", "nb", "oa", "da", ...).
// Version strings compare lexicographically, exactly as Cassandra's gates do.
type Version struct {
	S    string
	Kind Kind
}

var versionRE = regexp.MustCompile(`^[a-z]{2}$`)

// ParseVersion checks that v is a version this build reads for kind k.
// Supported: big ic..lb (legacy), ma..me, na, nb, oa, pa; bti da, ea.
//
// pa and ea are what Cassandra 6.0 (6.0-alpha2) writes with
// storage_compatibility_mode NONE (CASSANDRA_5 writes oa, CASSANDRA_4 nb):
// its BigVersion and BtiVersion gate every feature on oa, na, ... and da, so
// pa reads as oa and ea as da (no 6.0 code path tests for pa or ea), which the
// fixtures under testdata/cassandra-6.0 written by a real 6.0-alpha2 confirm.
func ParseVersion(v string, k Kind) (Version, error) {
	if !versionRE.MatchString(v) {
		return Version{}, fmt.Errorf("version %q: want two lower-case letters: %w", v, wire.ErrCorrupt)
	}
	ver := Version{S: v, Kind: k}
	switch k {
	case Big:
		if v < "ic" || v > "pa" || (v > "lb" && v < "ma") || (v > "me" && v < "na") || (v > "nb" && v < "oa") || (v > "oa" && v < "pa") {
			return Version{}, fmt.Errorf("big format version %q (this build reads ic..lb, ma..me, na, nb, oa, pa): %w", v, wire.ErrUnsupported)
		}
	case BTI:
		if v != "da" && v != "ea" {
			return Version{}, fmt.Errorf("bti format version %q (this build reads da, ea): %w", v, wire.ErrUnsupported)
		}
	}
	return ver, nil
}

func (v Version) String() string { return v.S }

func (v Version) atLeast(s string) bool { return v.Kind == BTI || v.S >= s }

// StoresRows reports whether Data.db uses the 3.0+ row format (ma and later).
func (v Version) StoresRows() bool { return v.atLeast("ma") }

// IsLegacy reports the pre-3.0 cell ("atom") format.
func (v Version) IsLegacy() bool { return !v.StoresRows() }

// HasRowSizeAndColumnCount: legacy row header before ja.
func (v Version) HasRowSizeAndColumnCount() bool { return v.Kind == Big && v.S < "ja" }

// NewStatsFile: multi-component Statistics.db (ka and later).
func (v Version) NewStatsFile() bool { return v.atLeast("ka") }

// HasSamplingLevel: Summary.db header carries a sampling level (ka+).
func (v Version) HasSamplingLevel() bool { return v.atLeast("ka") }

// HasRepairedAt: Stats carries repairedAt (ka+).
func (v Version) HasRepairedAt() bool { return v.atLeast("ka") }

// HasCompactionAncestors: CompactionMetadata lists ancestors (before ma).
func (v Version) HasCompactionAncestors() bool { return !v.atLeast("ma") }

// HasCommitLogLowerBound: (lb <= v < ma) or v >= mb.
func (v Version) HasCommitLogLowerBound() bool {
	return (v.S >= "lb" && v.S < "ma") || v.atLeast("mb")
}

// HasCommitLogIntervals: mc+.
func (v Version) HasCommitLogIntervals() bool { return v.atLeast("mc") }

// HasAccurateMinMax: min/max clustering in Stats can be trusted (md..nb).
func (v Version) HasAccurateMinMax() bool { return v.atLeast("md") }

// HasLegacyMinMax: Stats uses the ma..nb min/max clustering layout.
func (v Version) HasLegacyMinMax() bool {
	return v.Kind == Big && (v.S[0] == 'm' || v.S[0] == 'n')
}

// HasImprovedMinMax: Stats uses the oa+ slice-bound min/max layout.
func (v Version) HasImprovedMinMax() bool { return v.atLeast("oa") }

// HasOriginatingHostID: me..mz, or nb+.
func (v Version) HasOriginatingHostID() bool {
	if v.Kind == BTI {
		return true
	}
	return (v.S >= "me" && v.S[0] == 'm') || v.S >= "nb"
}

// HasMaxCompressedLength: CompressionInfo carries maxCompressedLength (na+).
func (v Version) HasMaxCompressedLength() bool { return v.atLeast("na") }

// HasPendingRepair, HasIsTransient, HasMetadataChecksum: na+.
func (v Version) HasPendingRepair() bool                         { return v.atLeast("na") }
func (v Version) HasIsTransient() bool                           { return v.atLeast("na") }
func (v Version) HasMetadataChecksum() bool                      { return v.atLeast("na") }
func (v Version) HasUIntDeletionTime() bool                      { return v.atLeast("oa") }
func (v Version) HasPartitionLevelDeletionsPresenceMarker() bool { return v.atLeast("oa") }
func (v Version) HasKeyRange() bool                              { return v.atLeast("oa") }
func (v Version) HasTokenSpaceCoverage() bool                    { return v.atLeast("oa") }

// Checksum names a checksum algorithm.
type Checksum uint8

const (
	CRC32   Checksum = iota // hash/crc32 IEEE
	Adler32                 // hash/adler32
)

// CompressedChecksum says which checksum guards each compressed chunk and whether it
// covers the compressed payload (true) or the uncompressed bytes (false, before jb).
func (v Version) CompressedChecksum() (alg Checksum, overCompressed bool) {
	switch {
	case v.Kind == Big && v.S < "jb":
		return CRC32, false
	case v.Kind == Big && v.S < "ma":
		return Adler32, true
	default:
		return CRC32, true
	}
}

// UncompressedChecksum says which checksum CRC.db holds.
func (v Version) UncompressedChecksum() Checksum {
	if v.Kind == Big && v.S >= "ka" && v.S < "ma" {
		return Adler32
	}
	return CRC32
}
