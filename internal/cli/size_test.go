package cli

import (
	"strings"
	"testing"
)

// TestParseSize: IEC and SI units, any case, fractions, plain bytes; what is
// not a size is quoted back as given.
func TestParseSize(t *testing.T) {
	for in, want := range map[string]int64{
		"256MiB": 256 << 20, "256mib": 256 << 20, "1.5GiB": 3 << 29, "16KiB": 16 << 10, " 8 MiB ": 8 << 20,
		"64k": 64_000, "64KB": 64_000, "1GB": 1_000_000_000, "1048576": 1 << 20, "2TiB": 2 << 40,
	} {
		if got, err := parseSize(in); err != nil || got != want {
			t.Errorf("parseSize(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"12XB", "", "0", "-5", "MiB", "1e30GiB"} {
		if _, err := parseSize(in); err == nil {
			t.Errorf("parseSize(%q) accepted", in)
		} else if want := `"` + in + `"`; !strings.Contains(err.Error(), want) {
			t.Errorf("parseSize(%q): %v, want it quoted as given", in, err)
		}
	}
}
