package row

import (
	"math/rand/v2"
	"testing"

	"github.com/aegisthus/aegisthus/internal/sstable/wire"
)

// TestTwoVints checks twoVints against wire.UVint read twice: vints of every
// length (1 to 9 bytes) side by side, at every start where 16 bytes remain or
// do not, and that it declines (ok false) exactly where it cannot answer.
func TestTwoVints(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	// A value of each vint length: 7n bits for n-byte forms, 9 bytes for 64.
	val := func(n int) uint64 {
		if n >= 9 {
			return 1<<56 | r.Uint64()
		}
		bits := 7 * n
		return 1<<(bits-1) | r.Uint64()&(1<<(bits-1)-1)
	}
	for n0 := 1; n0 <= 9; n0++ {
		for n1 := 1; n1 <= 9; n1++ {
			for range 200 {
				a, b := val(n0), val(n1)
				if r.IntN(8) == 0 {
					a = uint64(r.IntN(128)) // one-byte forms, zero included
				}
				buf := wire.AppendUVint(wire.AppendUVint([]byte{0xff, 0x00}, a), b)
				buf = append(buf, make([]byte, r.IntN(20))...)
				for p := 0; p <= len(buf); p++ {
					v0, v1, q, ok := twoVints(buf, p)
					if p != 2 {
						if ok && p+16 > len(buf) {
							t.Fatalf("p=%d len=%d: ok with fewer than 16 bytes", p, len(buf))
						}
						continue
					}
					want := p+16 <= len(buf) && wire.VintSize(buf[p]) <= 8
					if want {
						want = wire.VintSize(buf[p+wire.VintSize(buf[p])]) <= 8
					}
					if ok != want {
						t.Fatalf("%d (%d bytes), %d (%d bytes), len %d: ok %v, want %v", a, n0, b, n1, len(buf), ok, want)
					}
					if !ok {
						continue
					}
					w0, k0 := wire.UVint(buf[p:])
					w1, k1 := wire.UVint(buf[p+k0:])
					if v0 != w0 || v1 != w1 || q != p+k0+k1 {
						t.Fatalf("%x %x: got %x %x end %d, want %x %x end %d", a, b, v0, v1, q, w0, w1, p+k0+k1)
					}
				}
			}
		}
	}
}
