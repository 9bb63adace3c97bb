package format

import (
	"errors"
	"testing"

	"github.com/aegisthus/aegisthus/internal/sstable/wire"
)

// TestCassandra60Versions: Cassandra 6.0 writes pa (BIG) and ea (BTI), whose
// every switch is oa's and da's (BigFormat.BigVersion, BtiFormat.BtiVersion
// in 6.0-alpha2 gate only on ma..oa and da); versions no Cassandra writes
// stay refused.
func TestCassandra60Versions(t *testing.T) {
	switches := func(v Version) [16]bool {
		alg, over := v.CompressedChecksum()
		return [16]bool{v.StoresRows(), v.NewStatsFile(), v.HasCommitLogIntervals(), v.HasAccurateMinMax(),
			v.HasLegacyMinMax(), v.HasImprovedMinMax(), v.HasOriginatingHostID(), v.HasMaxCompressedLength(),
			v.HasPendingRepair(), v.HasMetadataChecksum(), v.HasUIntDeletionTime(),
			v.HasPartitionLevelDeletionsPresenceMarker(), v.HasKeyRange(), v.HasTokenSpaceCoverage(),
			alg == CRC32 && over, v.UncompressedChecksum() == CRC32}
	}
	for _, c := range []struct {
		v, like string
		k       Kind
	}{{"pa", "oa", Big}, {"ea", "da", BTI}} {
		v, err := ParseVersion(c.v, c.k)
		if err != nil {
			t.Fatalf("%s: %v", c.v, err)
		}
		like, _ := ParseVersion(c.like, c.k)
		if switches(v) != switches(like) {
			t.Errorf("%s: switches %v, %s has %v", c.v, switches(v), c.like, switches(like))
		}
	}
	for _, c := range []struct {
		v string
		k Kind
	}{{"nc", Big}, {"ob", Big}, {"pb", Big}, {"qa", Big}, {"db", BTI}, {"fa", BTI}} {
		if _, err := ParseVersion(c.v, c.k); !errors.Is(err, wire.ErrUnsupported) {
			t.Errorf("%s %s: %v, want unsupported", c.k, c.v, err)
		}
	}
}
