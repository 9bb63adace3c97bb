package storage

// framedMagic starts every Snappy framing-format stream (the stream identifier chunk).
var framedMagic = []byte("\xff\x06\x00\x00sNaPpY")

// SnappyFramed reads, through Inner, files that a backup tool stored
// Snappy-compressed on top of Cassandra's own compression: as a snappy-java
// SnappyOutputStream stream (what Priam writes: compress/ChunkedStream), or in
// the Snappy framing format. Neither has an index, so Open decompresses such a
// file once, sequentially, into an unlinked temporary file and serves ReadAt
// from there. Files that start with neither's header are passed through.
type SnappyFramed struct {
	Inner   Store
	TempDir string // "" is os.TempDir()
}

var _ Store = SnappyFramed{}

func (s SnappyFramed) Walk(root string, fn func(path string, size int64) error) error {
	return s.Inner.Walk(root, fn)
}

func (s SnappyFramed) Exists(path string) bool { return s.Inner.Exists(path) }

// Open returns the decompressed file.
func (s SnappyFramed) Open(path string) (File, error) {
	f, err := s.Inner.Open(path)
	if err != nil {
		return f, err
	}
	c := Sniff(f)
	if c == CodecNone {
		return f, nil
	}
	defer f.Close()
	return decodeFile(f, path, c, s.TempDir)
}

type unframedFile struct {
	localFile
	name string
}

func (f *unframedFile) Name() string { return f.name }

// ReadFile reads and decompresses a whole small file, at most limit bytes of it.
func (s SnappyFramed) ReadFile(path string, limit int64) ([]byte, error) {
	f, err := s.Inner.Open(path)
	if err != nil {
		return nil, err
	}
	c := Sniff(f)
	f.Close()
	return ReadFileCodec(s.Inner, path, c, limit)
}
