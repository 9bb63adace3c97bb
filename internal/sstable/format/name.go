package format

import (
	"fmt"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/aegisthus/aegisthus/internal/sstable/wire"
)

// Component file suffixes (Component.java).
const (
	Data            = "Data.db"
	Index           = "Index.db"
	Summary         = "Summary.db"
	Partitions      = "Partitions.db"
	Rows            = "Rows.db"
	Statistics      = "Statistics.db"
	CompressionInfo = "CompressionInfo.db"
	CRC             = "CRC.db"
	Filter          = "Filter.db"
	TOC             = "TOC.txt"
	DigestCRC32     = "Digest.crc32"
	DigestAdler32   = "Digest.adler32"
	DigestSHA1      = "Digest.sha1"
)

// Descriptor identifies one SSTable: the directory it lives in, its version and
// generation, and for legacy names the keyspace and table the name carries.
type Descriptor struct {
	Dir        string // directory holding the components
	Keyspace   string // from a legacy name, else from the directory (may be empty)
	Table      string // likewise
	Version    Version
	Generation string // decimal generation or 28-char UUID-based id, as written
	// prefix is the file name up to and including the '-' before the component.
	prefix string
}

// Path returns the path of component c of this SSTable.
func (d Descriptor) Path(c string) string { return joinDir(d.Dir, d.prefix+c) }

// Prefix returns the file-name prefix shared by every component ("nb-1-big-").
func (d Descriptor) Prefix() string { return d.prefix }

// String names the SSTable by its Data.db path.
func (d Descriptor) String() string { return d.Path(Data) }

var (
	uuidIDRE = regexp.MustCompile(`^[0-9a-z]{4}_[0-9a-z]{4}_[0-9a-z]{18}$`)
	genRE    = regexp.MustCompile(`^[0-9]{1,10}$`)
)

// ParseName parses a component path of any era and returns its Descriptor and
// component suffix. Temporary files (tmp-, tmplink-) are refused: they are not
// part of a consistent SSTable set.
func ParseName(path string) (Descriptor, string, error) {
	dir, base := filepath.Split(path)
	dir = cleanDir(dir)
	toks := strings.Split(base, "-")
	bad := func(why string, class error) (Descriptor, string, error) {
		return Descriptor{}, "", fmt.Errorf("sstable file name %q: %s: %w", base, why, class)
	}
	d := Descriptor{Dir: dir}
	var comp string
	switch {
	case len(toks) == 4 && (toks[2] == "big" || toks[2] == "bti"):
		// <ver>-<id>-<format>-<Component>: 2.2 and later.
		kind := Big
		if toks[2] == "bti" {
			kind = BTI
		}
		v, err := ParseVersion(toks[0], kind)
		if err != nil {
			return Descriptor{}, "", fmt.Errorf("sstable file name %q: %w", base, err)
		}
		d.Version, d.Generation, comp = v, toks[1], toks[3]
	case len(toks) == 5:
		// <ks>-<cf>-<ver>-<gen>-<Component>: 1.2 to 2.1.
		if toks[2] == "tmp" || toks[2] == "tmplink" {
			return bad("temporary file", wire.ErrUnsupported)
		}
		v, err := ParseVersion(toks[2], Big)
		if err != nil {
			return Descriptor{}, "", fmt.Errorf("sstable file name %q: %w", base, err)
		}
		if v.StoresRows() {
			return bad("a 3.0+ version in a legacy name", wire.ErrCorrupt)
		}
		d.Keyspace, d.Table, d.Version, d.Generation, comp = toks[0], toks[1], v, toks[3], toks[4]
	case len(toks) == 5 || len(toks) == 6:
		return bad("temporary file", wire.ErrUnsupported)
	default:
		return bad("want <ver>-<id>-big|bti-<Component> or <ks>-<cf>-<ver>-<gen>-<Component>", wire.ErrCorrupt)
	}
	if !genRE.MatchString(d.Generation) && !uuidIDRE.MatchString(d.Generation) {
		return bad(fmt.Sprintf("generation %q is neither a number nor a UUID-based id", d.Generation), wire.ErrCorrupt)
	}
	if comp == "" {
		return bad("no component", wire.ErrCorrupt)
	}
	d.prefix = base[:len(base)-len(comp)]
	if d.Keyspace == "" {
		d.Keyspace, d.Table = tableFromDir(dir)
	}
	return d, comp, nil
}

// cleanDir is filepath.Clean, except that a URL (s3://bucket/key) keeps the
// "//" after its scheme, so paths read from S3 print as URLs.
func cleanDir(dir string) string {
	if scheme, rest, ok := strings.Cut(dir, "://"); ok && scheme != "" && !strings.ContainsAny(scheme, `/\.`) {
		return scheme + "://" + strings.TrimPrefix(filepath.Clean("/"+rest), "/")
	}
	return filepath.Clean(dir)
}

// joinDir is filepath.Join for a directory cleanDir returned.
func joinDir(dir, name string) string {
	if strings.Contains(dir, "://") {
		return strings.TrimSuffix(dir, "/") + "/" + name
	}
	return filepath.Join(dir, name)
}

// tableFromDir reads keyspace and table from <ks>/<table>-<id>[/snapshots/<tag>|/backups].
func tableFromDir(dir string) (ks, table string) {
	parts := strings.Split(filepath.ToSlash(dir), "/")
	n := len(parts)
	switch {
	case n >= 4 && parts[n-2] == "snapshots":
		parts = parts[:n-2]
	case n >= 3 && parts[n-1] == "backups":
		parts = parts[:n-1]
	}
	n = len(parts)
	if n < 2 {
		return "", ""
	}
	t := parts[n-1]
	if i := strings.LastIndexByte(t, '-'); i > 0 && len(t)-i-1 == 32 {
		t = t[:i]
	}
	return parts[n-2], t
}

// GenerationLess orders generations: numeric ones by value, UUID-based ones
// lexicographically (which is creation order), numeric before UUID-based.
func GenerationLess(a, b string) bool {
	na, ea := strconv.ParseUint(a, 10, 64)
	nb, eb := strconv.ParseUint(b, 10, 64)
	switch {
	case ea == nil && eb == nil:
		return na < nb
	case ea == nil:
		return true
	case eb == nil:
		return false
	}
	return a < b
}
