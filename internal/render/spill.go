package render

import "io"

// spiller is how dump's renderers (Dump for 3.0+, Sstable2JSON for pre-3.0)
// keep memory bounded whatever a partition's width: after StreamTo, each of
// their Append methods writes the buffer it was given to w once it holds the
// threshold, between two rows, atoms, keys or partitions, and goes on at the
// buffer's start. The buffer is then never much more than the threshold plus
// one row, and the caller writes out what the last call returned.
type spiller struct {
	out io.Writer
	at  int
}

// spillSize is StreamTo's default: enough to make each write cheap, small
// against the 32 MB a dump of any partition width should stay within.
const spillSize = 64 << 10

// StreamTo makes the renderer's Append methods write their buffer to w
// whenever it holds n bytes or more (n <= 0: 64 KiB): the slice they return is
// then what was not yet written. An error from w is returned as it is.
// Without StreamTo, everything is appended.
func (s *spiller) StreamTo(w io.Writer, n int) {
	if n <= 0 {
		n = spillSize
	}
	s.out, s.at = w, n
}

// spill writes b to the StreamTo writer once it is large enough, and returns
// what is left to append to.
func (s *spiller) spill(b []byte) ([]byte, error) {
	if s.out == nil || len(b) < s.at {
		return b, nil
	}
	_, err := s.out.Write(b)
	return b[:0], err
}
