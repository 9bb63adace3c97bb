package pipeline

import (
	"crypto/sha256"
	"encoding/hex"
	"math/rand/v2"
	"testing"
)

// TestPartHash checks the hash, off the worker or on it, against sha256 of the
// same bytes, written in pieces that straddle its batches, handed over (give)
// or mixed, and that stop ends it.
func TestPartHash(t *testing.T) {
	for _, off := range []bool{true, false} {
		testPartHash(t, off)
	}
}

func testPartHash(t *testing.T, off bool) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, size := range []int{0, 1, hashBatch - 1, hashBatch, hashBatch + 1, 5*hashBatch/2 + 17} {
		data := make([]byte, size)
		for i := range data {
			data[i] = byte(r.Uint32())
		}
		for _, piece := range []int{1 << 20, 4096, 7} {
			ph := newPartHash(off)
			for rest := data; len(rest) > 0; {
				n := min(len(rest), 1+r.IntN(piece))
				ph.write(rest[:n])
				rest = rest[n:]
			}
			want := sha256.Sum256(data)
			if got := ph.sum(); got != hex.EncodeToString(want[:]) {
				t.Fatalf("off %v, size %d, pieces up to %d: sum %s, want %x", off, size, piece, got, want)
			}
			for _, mixed := range []bool{false, true} {
				// As writeMerged does: fill the buffer give returned, hand it over.
				ph := newPartHash(off)
				var buf []byte
				for i, rest := 0, data; len(rest) > 0; i++ {
					n := min(len(rest), 1+r.IntN(piece))
					if mixed && i%3 == 1 {
						ph.write(rest[:n])
					} else {
						buf = ph.give(append(buf, rest[:n]...))
						if len(buf) != 0 {
							t.Fatalf("give returned a buffer holding %d bytes", len(buf))
						}
					}
					rest = rest[n:]
				}
				if got := ph.sum(); got != hex.EncodeToString(want[:]) {
					t.Fatalf("off %v, size %d, pieces up to %d given (mixed %v): sum %s, want %x", off, size, piece, mixed, got, want)
				}
			}
		}
		ph := newPartHash(off)
		ph.write(data)
		ph.stop()
		ph.stop() // an abandoned part may be stopped twice
	}
}
