package pipeline

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/aegisthus/aegisthus/internal/sink"
)

// partMetaPre starts the name of a part's record (_part-00007.json), written
// after the part is committed: what a resumed run trusts.
const partMetaPre = "_part-"

// partName names unit id's part file: part-00007.jsonl, plus the codec's
// extension, or part-00007.parquet. Every writer and reader of part files
// (units, resume, base) asks it.
func partName(id int, c codec) string {
	if c.parquet != nil {
		return fmt.Sprintf("part-%05d%s", id, c.ext)
	}
	return fmt.Sprintf("part-%05d.jsonl%s", id, c.ext)
}

// ourFile reports whether name is a file an export writes into its output:
// part files, part records, and the head, manifest and success markers.
// --overwrite removes only these, and refuses an output holding anything else.
func ourFile(name string) bool {
	switch name {
	case HeadFile, ManifestFile, SuccessFile, ErrorsFile:
		return true
	}
	if isRecord(name) { // a scaled-out run's (shard.go)
		return true
	}
	if id, ok := strings.CutPrefix(name, partMetaPre); ok {
		return digits5(strings.TrimSuffix(id, ".json")) && strings.HasSuffix(id, ".json")
	}
	if id, ok := strings.CutPrefix(name, "part-"); ok {
		i := strings.IndexByte(id, '.')
		if i < 0 || !digits5(id[:i]) {
			return false
		}
		switch id[i:] {
		case ".jsonl", ".jsonl.gz", ".jsonl.zst", ".parquet": // formatCodec's extensions
			return true
		}
	}
	return false
}

// digits5 reports a unit number as partName spells it: at least five digits.
func digits5(s string) bool {
	if len(s) < 5 {
		return false
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// unitFiles names every file units 0..n-1 of a run with codec c write.
func unitFiles(n int, c codec) []string {
	names := make([]string, 0, 2*n)
	for id := range n {
		names = append(names, partName(id, c), partMetaName(id))
	}
	return names
}

// partMetaName names unit id's part record.
func partMetaName(id int) string {
	return fmt.Sprintf("%s%05d.json", partMetaPre, id)
}

// PartInfo describes one committed part file.
type PartInfo struct {
	Name       string `json:"name"`
	Unit       int    `json:"unit"`
	Rows       int64  `json:"rows"`
	Partitions int64  `json:"partitions"`
	Tombstones int64  `json:"tombstones"` // read and applied by the merge
	Bytes      int64  `json:"bytes"`
	SHA256     string `json:"sha256"`
	// Skipped are the SSTables its unit ran without (Options.MaxErrors).
	Skipped []Skip `json:"skipped,omitempty"`
}

// commitPart makes a written part durable under its final name, then records
// it in its _part-N.json, which is what a resumed run trusts.
func (j *Job) commitPart(ctx context.Context, out sink.Sink, pp *pendingPart) (PartInfo, error) {
	p := pp.p
	p.Bytes = pp.cw.n
	p.SHA256 = pp.cw.h.sum()
	if err := pp.w.Commit(); err != nil {
		return p, outputError(err)
	}
	mb, _ := json.Marshal(p)
	if err := j.put(ctx, out, partMetaName(p.Unit), mb); err != nil {
		return p, outputError(err)
	}
	return p, nil
}

// verifyPart reports whether a committed part still has its recorded size and checksum.
func verifyPart(ctx context.Context, out sink.Sink, p PartInfo) bool {
	r, err := out.Open(ctx, p.Name)
	if err != nil {
		return false
	}
	defer r.Close()
	h := sha256.New()
	n, err := io.Copy(h, r)
	return err == nil && n == p.Bytes && hex.EncodeToString(h.Sum(nil)) == p.SHA256
}

// outputError marks a failure of the sink, as opposed to bad input.
func outputError(err error) error { return fmt.Errorf("%w: %w", sink.ErrOutput, err) }
