package partfile_test

import (
	"bytes"
	"errors"
	"testing"

	"github.com/aegisthus/aegisthus/internal/sstable/wire"
)

// FuzzReader feeds the reader part files seeded from real records (the collections,
// tombstones and statics fixtures): it must return records or an error wrapping
// wire.ErrCorrupt, never panic; what it accepts must write back to a record it
// reads again the same way (go test -fuzz=FuzzReader ./internal/partfile).
func FuzzReader(f *testing.F) {
	s, _ := fixtureRecords(f, "tombstones")
	for _, name := range []string{"tombstones", "collections", "statics", "counters"} {
		_, b := fixtureRecords(f, name)
		for _, l := range bytes.SplitAfter(b, []byte{'\n'}) {
			if len(l) > 0 && len(l) < 4096 {
				f.Add(l)
			}
		}
	}
	f.Fuzz(func(t *testing.T, in []byte) {
		cfg := config(s.tbl)
		out, err := readBack(t, s.tbl, bytes.Clone(in), cfg)
		if err != nil {
			if !errors.Is(err, wire.ErrCorrupt) {
				t.Fatalf("error %v does not wrap ErrCorrupt", err)
			}
			return
		}
		again, err := readBack(t, s.tbl, bytes.Clone(out), cfg)
		if err != nil {
			t.Fatalf("reading back what was written: %v\n%s", err, out)
		}
		if !bytes.Equal(out, again) {
			t.Fatalf("not stable:\n%s\n%s", out, again)
		}
	})
}
