package wire

import (
	"errors"
	"fmt"
	"testing"
)

// TestFormatErrorNamesOnce: a FormatError's message names the path, the
// component and the offset once each, leaving out the component when the path
// ends in it and the offset when the message already states it (issue 15).
func TestFormatErrorNamesOnce(t *testing.T) {
	chunk := Errorf("d/me-1-big-Data.db", "Data.db", 7851, ErrCorrupt, "chunk 2 at offset 7851: checksum mismatch: want 0x1, got 0x2")
	tests := []struct {
		name string
		err  error
		want string
	}{
		{"offset stated by the message", chunk,
			"d/me-1-big-Data.db: chunk 2 at offset 7851: checksum mismatch: want 0x1, got 0x2: corrupt"},
		{"offset not stated", Errorf("d/me-1-big-Index.db", "Index.db", 40, ErrCorrupt, "entry for key 00"),
			"d/me-1-big-Index.db: offset 40: entry for key 00: corrupt"},
		{"at N states it", Errorf("d/me-1-big-Data.db", "Data.db", 12, ErrCorrupt, "partition at 12: bad"),
			"d/me-1-big-Data.db: partition at 12: bad: corrupt"},
		{"at N of another number does not", Errorf("d/me-1-big-Data.db", "Data.db", 1, ErrCorrupt, "partition at 12: bad"),
			"d/me-1-big-Data.db: offset 1: partition at 12: bad: corrupt"},
		{"component the path does not name", Errorf("d/me-1-big-Data.db", "Digest.crc32", -1, ErrCorrupt, "crc32 digest of 9 bytes mismatch"),
			"d/me-1-big-Data.db: Digest.crc32: crc32 digest of 9 bytes mismatch: corrupt"},
		{"unknown offset", Locate("d/me-1-big-Statistics.db", "Statistics.db", -1, errors.New("x")),
			"d/me-1-big-Statistics.db: x"},
		{"chunk under a partition", Within("d/me-1-big-Data.db", "Data.db", -1, fmt.Errorf("row at 7277: %w", chunk)),
			"d/me-1-big-Data.db: row at 7277: chunk 2 at offset 7851: checksum mismatch: want 0x1, got 0x2: corrupt"},
		{"inner offset kept once", Within("d/me-1-big-Data.db", "Data.db", 5, fmt.Errorf("partition at 5: %w",
			Errorf("d/me-1-big-Data.db", "Data.db", 9, ErrCorrupt, "short"))),
			"d/me-1-big-Data.db: partition at 5: offset 9: short: corrupt"},
	}
	for _, tt := range tests {
		if got := tt.err.Error(); got != tt.want {
			t.Errorf("%s:\n got %q\nwant %q", tt.name, got, tt.want)
		}
		if !errors.Is(tt.err, ErrCorrupt) && tt.name != "unknown offset" {
			t.Errorf("%s: lost its class", tt.name)
		}
	}
}
