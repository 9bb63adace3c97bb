package stats

import (
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/aegisthus/aegisthus/internal/sstable/format"
)

// statisticsFiles lists real Statistics.db files: the Cassandra 5.0 fixtures
// under the module's testdata/ and the shared corpus (at most limit of them).
func statisticsFiles(limit int) []string {
	var out []string
	for _, pattern := range []string{
		"../../../testdata/cassandra-5.0/*/*/*/*/*-Statistics.db",
		filepath.Join(corpusDir, "*", "*", "*", "*-Statistics.db"),
		filepath.Join(corpusDir, "*", "*", "*", "*", "*-Statistics.db"),
	} {
		m, _ := filepath.Glob(pattern)
		out = append(out, m...)
	}
	return out[:min(len(out), limit)]
}

// sketches returns the stored cardinality sketches of real Statistics.db files.
func sketches(t testing.TB, limit int) [][]byte {
	var out [][]byte
	for _, p := range statisticsFiles(limit) {
		d, _, err := format.ParseName(p)
		if err != nil {
			continue
		}
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		md, err := Parse(p, b, d.Version)
		if err != nil || md.Compaction == nil || md.Compaction.Cardinality == nil {
			continue
		}
		out = append(out, md.Compaction.Cardinality)
	}
	return out
}

func TestCardinality(t *testing.T) {
	sk := sketches(t, 400)
	if len(sk) == 0 {
		t.Skip("no Statistics.db with a cardinality sketch under testdata/ or the corpus")
	}
	// Some sketches do not decode (old writers store p=4 sp=0; the corpus has
	// corrupt files): metadata reports why. Every estimate is a count.
	ok := 0
	for i, b := range sk {
		n, err := Cardinality(b)
		if err == nil && n < 0 {
			t.Errorf("sketch %d (%d bytes): %d", i, len(b), n)
		}
		if err == nil {
			ok++
		}
	}
	if ok == 0 {
		t.Errorf("none of %d sketches decoded", len(sk))
	}
	if _, err := Cardinality(nil); err == nil || err.Error() != "no cardinality sketch (before ka)" {
		t.Errorf("nil sketch: %v", err)
	}
	for _, b := range [][]byte{{}, {0xff, 0xff, 0xff}, {0, 0, 0, 1}, {0xff, 0xff, 0xff, 0xfe, 4, 4, 0, 0xff, 0xff, 0xff, 0xff}} {
		if _, err := Cardinality(b); err == nil {
			t.Errorf("Cardinality(%x): no error", b)
		}
	}
}

// FuzzHLL checks that Cardinality never panics, and that an estimate it returns
// is a count (not negative, not beyond what 2^32 registers can express).
// Seeded from the sketches of real Statistics.db files.
func FuzzHLL(f *testing.F) {
	for _, b := range sketches(f, 60) {
		f.Add(b)
	}
	f.Add([]byte{0xff, 0xff, 0xff, 0xfe, 14, 25, 1, 3})
	f.Add([]byte{0xff, 0xff, 0xff, 0xfe, 4, 4, 1, 16}) // every sparse register set
	f.Fuzz(func(t *testing.T, b []byte) {
		n, err := Cardinality(b)
		if err == nil && (n < 0 || float64(n) > math.Exp2(32)*math.Log(math.Exp2(32))) {
			t.Fatalf("Cardinality(%x) = %d", b, n)
		}
	})
}
