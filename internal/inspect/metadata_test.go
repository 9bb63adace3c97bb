package inspect

import (
	"bufio"
	"strings"
	"testing"

	"github.com/aegisthus/aegisthus/internal/javafmt"
)

func TestMetadataHelpers(t *testing.T) {
	doubles := []struct {
		f    float64
		want string
	}{{0.01, "0.01"}, {0, "0.0"}, {1, "1.0"}, {-1, "-1.0"}, {1e7, "1.0E7"}, {1.5e-5, "1.5E-5"}, {0.001, "0.001"}, {123.25, "123.25"}}
	for _, d := range doubles {
		if got := string(javafmt.AppendDouble(nil, d.f)); got != d.want {
			t.Errorf("string(javafmt.AppendDouble(nil, %v)) = %q, want %q", d.f, got, d.want)
		}
	}
	words := []struct {
		secs int64
		want string
	}{
		{1, "1 second"}, {60, "1 minute"}, {61, "1 minute 1 second"}, {3600, "1 hour"}, {86400, "1 day"},
		{1135, "18 minutes 55 seconds"}, {90061, "1 day 1 hour 1 minute 1 second"}, {864000, "10 days"},
		{86401, "1 day 0 hours 0 minutes 1 second"},
	}
	for _, w := range words {
		if got := ttlString(w.secs); got != w.want {
			t.Errorf("ttlString(%d) = %q, want %q", w.secs, got, w.want)
		}
	}
	if got := byteString(35); got != "35 B" {
		t.Errorf("byteString(35) = %q", got)
	}
	if got := byteString(1536); got != "1.5 kB" {
		t.Errorf("byteString(1536) = %q", got)
	}
	if got := durationString(90061_000_000); got != "Days: 1 Hours: 1 Minutes: 1 Seconds: 1" {
		t.Errorf("durationString = %q", got)
	}
	// HashMap order: "b" (98) lands before "aa" (3104 -> bucket 0 of 16).
	if got := javaHashMapString([]HeaderColumn{{"b", "B"}, {"aa", "A"}, {"a", "X"}}); got != "aa:A, a:X, b:B" {
		t.Errorf("javaHashMapString = %q", got)
	}
}

// TestMetadataJavaDoubles pins the doubles metadata prints on values where
// JDK 17's Double.toString (what sstablemetadata runs on) is not the shortest
// form: the copy cli used to keep printed 1.0E23 for them.
func TestMetadataJavaDoubles(t *testing.T) {
	m := &Metadata{SSTable: "x", Partitioner: "p", BloomFilterFPChance: 1e23, CompressionRatio: 2e23, DroppableTombstones: 1e23,
		hasStats: true, Compressor: new(string)}
	var sb strings.Builder
	w := bufio.NewWriter(&sb)
	m.WriteText(w)
	w.Flush()
	for _, want := range []string{
		"Bloom Filter FP chance: 9.999999999999999E22\n",
		"Compression ratio: 1.9999999999999998E23\n",
		"Estimated droppable tombstones: 9.999999999999999E22\n",
	} {
		if !strings.Contains(sb.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, sb.String())
		}
	}
}
