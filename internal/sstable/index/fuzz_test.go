package index

import (
	"encoding/binary"
	"errors"
	"math/rand"
	"os"
	"path/filepath"
	"testing"

	"github.com/aegisthus/aegisthus/internal/sstable/format"
	"github.com/aegisthus/aegisthus/internal/sstable/wire"
)

// fuzzVersions are the layouts the fuzzers switch between with the first input byte.
var fuzzVersions = []string{"ic", "ja", "ka", "la", "ma", "mc", "md", "na", "nb", "oa"}

func fuzzVersion(sel byte) format.Version {
	v, _ := format.ParseVersion(fuzzVersions[int(sel)%len(fuzzVersions)], format.Big)
	return v
}

func versionIndex(s string) byte {
	for i, v := range fuzzVersions {
		if v == s {
			return byte(i)
		}
	}
	return 0
}

// seedCorpus adds up to max files of the corpus component comp, prefixed with the
// byte selecting their version.
func seedCorpus(f *testing.F, comp string, max int) {
	paths, _ := filepath.Glob(filepath.Join(corpusDir, "*", "*", "*", "*-"+comp))
	more, _ := filepath.Glob(filepath.Join(corpusDir, "*", "*", "*", "*", "*-"+comp))
	legacy, _ := filepath.Glob(filepath.Join(corpusDir, "*", "*", "*", "*", "*", "*", "*-"+comp))
	paths = append(append(paths, more...), legacy...)
	for i, p := range paths {
		if i >= max {
			break
		}
		d, _, err := format.ParseName(p)
		if err != nil {
			continue
		}
		b, err := os.ReadFile(p)
		if err != nil || len(b) > 1<<16 {
			continue
		}
		f.Add(append([]byte{versionIndex(d.Version.S)}, b...))
	}
}

func FuzzIndex(f *testing.F) {
	seedCorpus(f, "Index.db", 60)
	f.Add([]byte{4, 0, 1, 'k', 5, 0})
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) == 0 {
			return
		}
		v := fuzzVersion(in[0])
		types := []string{"org.apache.cassandra.db.marshal.Int32Type", "org.apache.cassandra.db.marshal.UTF8Type"}
		for _, skip := range []bool{false, true} {
			r := NewIndexReader("f", in[1:], v, Options{ClusteringTypes: types, SkipBlocks: skip})
			for r.Next() {
				if e := r.Entry(); e.Position < 0 {
					t.Fatalf("negative position %d", e.Position)
				}
			}
			if err := r.Err(); err != nil && !errors.Is(err, wire.ErrCorrupt) {
				t.Fatal(err)
			}
		}
	})
}

func FuzzSummary(f *testing.F) {
	seedCorpus(f, "Summary.db", 60)
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) == 0 {
			return
		}
		s, err := ParseSummary("f", in[1:], fuzzVersion(in[0]))
		if err != nil {
			if !errors.Is(err, wire.ErrCorrupt) {
				t.Fatal(err)
			}
			return
		}
		if len(s.Entries) > len(in) {
			t.Fatalf("%d entries from %d bytes", len(s.Entries), len(in))
		}
	})
}

func FuzzPartitionsTrie(f *testing.F) {
	// Seed with hand-built tries (there are no BTI files in the corpus).
	for seed := int64(1); seed <= 4; seed++ {
		rng := rand.New(rand.NewSource(seed))
		parts := randomPartitions(rng, 5+rng.Intn(30))
		p, r := buildBTI(f, parts, seed%2 == 0, nil)
		f.Add(joinInputs(p, r))
	}
	da, _ := format.ParseVersion("da", format.BTI)
	f.Fuzz(func(t *testing.T, in []byte) {
		partitions, rows := splitInputs(in)
		r, err := NewBTIReader("p", partitions, "r", rows, da, Options{})
		if err != nil {
			if !errors.Is(err, wire.ErrCorrupt) {
				t.Fatal(err)
			}
			return
		}
		n := 0
		for r.Next() {
			n++
			if n > len(partitions) {
				t.Fatalf("%d partitions from a %d-byte trie", n, len(partitions))
			}
		}
		if err := r.Err(); err != nil && !errors.Is(err, wire.ErrCorrupt) {
			t.Fatal(err)
		}
	})
}

// joinInputs packs two files into one fuzz input: a u32 length, then both.
func joinInputs(a, b []byte) []byte {
	out := binary.BigEndian.AppendUint32(nil, uint32(len(a)))
	return append(append(out, a...), b...)
}

func splitInputs(in []byte) (a, b []byte) {
	if len(in) < 4 {
		return in, nil
	}
	n := int(binary.BigEndian.Uint32(in))
	in = in[4:]
	if n > len(in) {
		n = len(in)
	}
	return in[:n], in[n:]
}
