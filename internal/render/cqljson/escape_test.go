package cqljson

import (
	"bytes"
	"math/rand/v2"
	"testing"
	"unicode/utf8"
)

// escapeReference is the plain byte-at-a-time form of Jackson's quoting that
// appendJSONEscapedValid must equal.
func escapeReference(s []byte) []byte {
	var out []byte
	for _, c := range s {
		switch {
		case c == '"' || c == '\\':
			out = append(out, '\\', c)
		case c == '\b':
			out = append(out, '\\', 'b')
		case c == '\t':
			out = append(out, '\\', 't')
		case c == '\n':
			out = append(out, '\\', 'n')
		case c == '\f':
			out = append(out, '\\', 'f')
		case c == '\r':
			out = append(out, '\\', 'r')
		case c < 0x20:
			out = append(out, '\\', 'u', '0', '0', "0123456789ABCDEF"[c>>4], "0123456789ABCDEF"[c&15])
		default:
			out = append(out, c)
		}
	}
	return out
}

func TestEscapeMatchesReference(t *testing.T) {
	alphabet := []byte("abc \"\\\x00\x01\x1f\x7f/é€\xff\xc3")
	r := rand.New(rand.NewPCG(1, 2))
	for n := 0; n < 20000; n++ {
		s := make([]byte, r.IntN(72))
		for i := range s {
			if r.IntN(3) == 0 {
				s[i] = byte(r.IntN(256))
			} else {
				s[i] = alphabet[r.IntN(len(alphabet))]
			}
		}
		if n%2 == 0 {
			// Mostly plain text with at most one byte to look at, anywhere: the
			// word-at-a-time paths and their tails.
			for i := range s {
				s[i] = 'a' + byte(i%26)
			}
			if len(s) > 0 && r.IntN(4) != 0 {
				s[r.IntN(len(s))] = alphabet[r.IntN(len(alphabet))]
			}
		}
		got, ok := appendJSONEscapedValid(nil, s)
		want := escapeReference(s)
		if !bytes.Equal(got, want) || ok != utf8.Valid(s) {
			t.Fatalf("%q: got %q valid %v, want %q valid %v", s, got, ok, want, utf8.Valid(s))
		}
		if plain := plainJSON(s); plain != bytes.Equal(want, s) {
			t.Fatalf("%q: plainJSON %v, but escaping changes it: %v", s, plain, !bytes.Equal(want, s))
		}
	}
}

func FuzzEscape(f *testing.F) {
	f.Add([]byte("hello \"world\"\n\x00 é"))
	f.Fuzz(func(t *testing.T, s []byte) {
		got, ok := appendJSONEscapedValid(nil, s)
		if want := escapeReference(s); !bytes.Equal(got, want) || ok != utf8.Valid(s) {
			t.Fatalf("%q: got %q valid %v, want %q", s, got, ok, want)
		}
	})
}

// go test -run='^$' -bench=Escape -count=10 ./internal/render/cqljson > new.txt && benchstat old.txt new.txt
func BenchmarkEscape(b *testing.B) {
	for _, c := range []struct{ name, s string }{
		{"tiny", "ip"},
		{"short", "click"},
		{"word", "Mozilla/5.0"},
		{"payload", "zeta chi theta account lambda gamma payment beta epsilon omicron order shipment sigma kappa customer lambda pi session gamma xi logout eta click omega customer nu refund upsilon psi"},
		{"quoted", `a "quoted" word and a \ backslash, then plain text to the end of it`},
	} {
		b.Run("s="+c.name, func(b *testing.B) {
			s := []byte(c.s)
			b.SetBytes(int64(len(s)))
			dst := make([]byte, 0, 512)
			for b.Loop() {
				dst, _ = appendJSONEscapedValid(dst[:0], s)
			}
		})
	}
}
