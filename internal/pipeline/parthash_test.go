package pipeline

import (
	"crypto/sha256"
	"encoding/hex"
	"math/rand/v2"
	"testing"
)

// TestPartHash checks the off-worker hash against sha256 of the same bytes,
// written in pieces that straddle its batches, and that stop ends it.
func TestPartHash(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for _, size := range []int{0, 1, hashBatch - 1, hashBatch, hashBatch + 1, 5*hashBatch/2 + 17} {
		data := make([]byte, size)
		for i := range data {
			data[i] = byte(r.Uint32())
		}
		for _, piece := range []int{1 << 20, 4096, 7} {
			ph := newPartHash()
			for rest := data; len(rest) > 0; {
				n := min(len(rest), 1+r.IntN(piece))
				ph.write(rest[:n])
				rest = rest[n:]
			}
			want := sha256.Sum256(data)
			if got := ph.sum(); got != hex.EncodeToString(want[:]) {
				t.Fatalf("size %d, pieces up to %d: sum %s, want %x", size, piece, got, want)
			}
		}
		ph := newPartHash()
		ph.write(data)
		ph.stop()
		ph.stop() // an abandoned part may be stopped twice
	}
}
