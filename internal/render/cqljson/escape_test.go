package cqljson

import (
	"bytes"
	"encoding/json"
	"math/rand/v2"
	"os"
	"path/filepath"
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
		s := make([]byte, r.IntN(200))
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
		checkEscape(t, s)
		want := escapeReference(s)
		if plain := plainJSON(s); plain != bytes.Equal(want, s) {
			t.Fatalf("%q: plainJSON %v, but escaping changes it: %v", s, plain, !bytes.Equal(want, s))
		}
	}
}

// checkEscape compares appendJSONEscapedValid (the AVX2 scan where the build
// and CPU have it), its portable SWAR form and the reference on s, appending
// to a prefix so a wrong length or overwrite shows too.
func checkEscape(t testing.TB, s []byte) {
	t.Helper()
	prefix := []byte("[")
	want, wantOK := append(prefix, escapeReference(s)...), utf8.Valid(s)
	got, ok := appendJSONEscapedValid(prefix[:1:1], s)
	port, portOK := escapePortable(prefix[:1:1], s)
	if !bytes.Equal(got, want) || ok != wantOK || !bytes.Equal(port, want) || portOK != wantOK {
		t.Fatalf("%q:\n got      %q valid %v\n portable %q valid %v\n want     %q valid %v",
			s, got, ok, port, portOK, want, wantOK)
	}
	// AppendQuoted, with and without room in dst (with it, short plain
	// strings are stored with their quotes instead of appended).
	quoted := append(append(append([]byte(nil), prefix...), '"'), append(escapeReference(s), '"')...)
	roomy := append(make([]byte, 0, len(quoted)+64), prefix...)
	for _, dst := range [][]byte{prefix[:1:1], roomy} {
		if got, ok := AppendQuoted(dst, s); !bytes.Equal(got, quoted) || ok != wantOK {
			t.Fatalf("%q quoted, room %d:\n got  %q valid %v\n want %q valid %v", s, cap(dst)-len(dst), got, ok, quoted, wantOK)
		}
	}
}

// TestEscapeEveryPosition puts each kind of byte that stops the scan at every
// position of plain strings of every length up to past six vectors, and a
// second one after it: the vector loop, its overlapping last vector and the
// SWAR words must all find it (and its UTF-8 verdict must match).
func TestEscapeEveryPosition(t *testing.T) {
	specials := [][]byte{
		{'"'}, {'\\'}, {0}, {'\n'}, {0x1f}, {0x7f}, {' '}, {0x80}, {0xff},
		[]byte("é"), []byte("€"), []byte("\xe2\x82"), {0xc3},
	}
	plain := []byte("The quick brown fox jumps over the lazy dog, 0123456789 times! ")
	for n := 0; n <= 200; n++ {
		s := make([]byte, n)
		for i := range s {
			s[i] = plain[i%len(plain)]
		}
		checkEscape(t, s)
		for _, sp := range specials {
			for i := 0; i+len(sp) <= n; i++ {
				b := append([]byte(nil), s...)
				copy(b[i:], sp)
				checkEscape(t, b)
				if j := i + len(sp) + 33; j < n {
					b[j] = '"'
					checkEscape(t, b)
				}
			}
		}
	}
}

// FuzzEscape checks appendJSONEscapedValid, and its portable form, against the
// reference. Its seeds are the text values of real Cassandra output
// (SELECT JSON of the sample snapshot and of random tables), which hold
// non-ASCII text and escapes.
func FuzzEscape(f *testing.F) {
	f.Add([]byte("hello \"world\"\n\x00 é"))
	for _, s := range realStrings(f) {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, s []byte) {
		checkEscape(t, s)
	})
}

// realStrings returns the distinct string values (keys too) of committed
// SELECT JSON outputs written by Cassandra, and the benchmark's payload.
func realStrings(tb testing.TB) []string {
	files, err := filepath.Glob("../../../testdata/cassandra-5.0/nb/*/rand_*/*/expected/select-json.jsonl")
	if err != nil || len(files) == 0 {
		tb.Fatalf("no SELECT JSON fixtures to seed from: %v", err)
	}
	files = append(files, "../../../testdata/sample-snapshot/expected/events.select-json.jsonl")
	seen := map[string]bool{benchPayload: true}
	out := []string{benchPayload}
	var walk func(v any)
	walk = func(v any) {
		switch v := v.(type) {
		case string:
			if !seen[v] {
				seen[v] = true
				out = append(out, v)
			}
		case []any:
			for _, e := range v {
				walk(e)
			}
		case map[string]any:
			for k, e := range v {
				walk(k)
				walk(e)
			}
		}
	}
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err != nil {
			tb.Fatal(err)
		}
		for _, line := range bytes.Split(bytes.TrimSpace(b), []byte("\n")) {
			var v any
			if err := json.Unmarshal(line, &v); err != nil {
				tb.Fatalf("%s: %v", name, err)
			}
			walk(v)
		}
	}
	return out
}

// benchPayload is the shape of the benchmark table's text column.
const benchPayload = "zeta chi theta account lambda gamma payment beta epsilon omicron order shipment sigma kappa customer lambda pi session gamma xi logout eta click omega customer nu refund upsilon psi"

// go test -run='^$' -bench=Escape -count=10 ./internal/render/cqljson > new.txt && benchstat old.txt new.txt
func BenchmarkEscape(b *testing.B) {
	for _, c := range []struct{ name, s string }{
		{"tiny", "ip"},
		{"short", "click"},
		{"word", "Mozilla/5.0"},
		{"payload", benchPayload},
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
