package stats

// No Cassandra 5.0 (oa/da) Statistics.db exists in the corpus yet, so this test
// writes one by hand following StatsMetadataSerializer.serialize, the oa
// TombstoneHistogram.HistogramSerializer, AbstractTypeSerializer.serializeList,
// Slice/ClusteringBound serializers, SerializationHeader.Serializer and
// MetadataSerializer.serialize (with its CRC32s) from cassandra-5.0.

import (
	"encoding/binary"
	"errors"
	"hash/crc32"
	"math"
	"os"
	"path/filepath"
	"testing"

	"github.com/aegisthus/aegisthus/internal/sstable/format"
	"github.com/aegisthus/aegisthus/internal/sstable/wire"
)

type be []byte

func (b be) u8(v byte) be     { return append(b, v) }
func (b be) u16(v int) be     { return binary.BigEndian.AppendUint16(b, uint16(v)) }
func (b be) i32(v int64) be   { return binary.BigEndian.AppendUint32(b, uint32(v)) }
func (b be) i64(v int64) be   { return binary.BigEndian.AppendUint64(b, uint64(v)) }
func (b be) f64(v float64) be { return b.i64(int64(math.Float64bits(v))) }
func (b be) uv(v uint64) be   { return wire.AppendUVint(b, v) }
func (b be) vb(s string) be   { return append(b.uv(uint64(len(s))), s...) }
func (b be) utf(s string) be  { return append(b.u16(len(s)), s...) }

const (
	int32T = "org.apache.cassandra.db.marshal.Int32Type"
	utf8T  = "org.apache.cassandra.db.marshal.UTF8Type"
)

func oaStats(pad int) []byte {
	var s be
	for range 2 { // two EstimatedHistograms: 2 buckets
		s = s.i32(2).i64(1).i64(3).i64(1).i64(0)
	}
	s = s.i64(7).i32(100)                                             // commit log upper bound
	s = s.i64(1700000000000000).i64(1700000000000009)                 // min/max timestamp
	s = s.i32(0xF0000000).i32(-1)                                     // min ldt (after 2038), max ldt none
	s = s.i32(0).i32(3600)                                            // TTLs
	s = s.f64(0.5)                                                    // compression ratio
	s = s.i32(2).i32(2).i64(0xF0000000).i32(4).i64(0xF0000010).i32(6) // oa tombstone histogram
	s = s.i32(1).i64(0)                                               // level, repairedAt
	// improved min/max: types, then Slice(start INCL_START_BOUND (1, "a"), end INCL_END_BOUND (6, 7, ""))
	s = s.uv(2).vb(int32T).vb(utf8T)
	s = s.u8(1).u16(2).uv(0).i32(5).vb("a")
	s = s.u8(6).u16(2).uv(1 << 2).i32(7) // value 1 is empty: header bit 2
	s = s.u8(0)                          // hasLegacyCounterShards
	s = s.i64(10).i64(5)                 // totals
	s = s.i64(7).i32(50)                 // commit log lower bound
	s = s.i32(1).i64(7).i32(50).i64(7).i32(100)
	s = s.u8(1).i64(0x1111).i64(0x2222) // pending repair
	s = s.u8(1)                         // isTransient
	s = s.u8(1).i64(0x3333).i64(0x4444) // host id
	s = s.u8(1)                         // partition level deletions
	s = s.vb("first").vb("last")
	s = s.f64(0.25)
	return append(s, make([]byte, pad)...) // the writer's over-estimate leaves zeros
}

func oaFile(pad int) []byte {
	comps := [][]byte{
		be(nil).utf("org.apache.cassandra.dht.Murmur3Partitioner").f64(0.01),
		be(nil).i32(3).u8(1).u8(2).u8(3),
		oaStats(pad),
		be(nil).uv(5).uv(0).uv(0).vb(int32T).uv(2).vb(int32T).vb(utf8T).
			uv(1).vb("s").vb(utf8T).uv(2).vb("a").vb(int32T).vb("b").vb(utf8T),
	}
	var head be
	head = head.i32(int64(len(comps)))
	head = head.i32(int64(crc32.ChecksumIEEE(head)))
	tocStart := len(head)
	off := 4 + 4 + 8*len(comps) + 4
	for i, c := range comps {
		head = head.i32(int64(i)).i32(int64(off))
		off += len(c) + 4
	}
	crc := crc32.Update(crc32.ChecksumIEEE(head[:4]), crc32.IEEETable, head[tocStart:])
	head = head.i32(int64(crc))
	for _, c := range comps {
		head = append(head, c...)
		head = head.i32(int64(crc32.ChecksumIEEE(c)))
	}
	return head
}

func TestOAHandBuilt(t *testing.T) {
	for _, ver := range []struct {
		s string
		k format.Kind
	}{{"oa", format.Big}, {"da", format.BTI}} {
		v, _ := format.ParseVersion(ver.s, ver.k)
		for _, pad := range []int{0, 8} {
			md, err := Parse("Statistics.db", oaFile(pad), v)
			if err != nil {
				t.Fatal(err)
			}
			s := md.Stats
			if s.MinLocalDeletionTime != 0xF0000000 || s.MaxLocalDeletionTime != NoDeletionTime {
				t.Errorf("ldt %d %d", s.MinLocalDeletionTime, s.MaxLocalDeletionTime)
			}
			if len(s.TombstoneDropTimes.Bins) != 2 || s.TombstoneDropTimes.Bins[1] != (TombstoneBin{0xF0000010, 6}) {
				t.Errorf("histogram %+v", s.TombstoneDropTimes)
			}
			cc := s.CoveredClustering
			if cc == nil || cc.Start.Kind != 1 || string(cc.Start.Values[1]) != "a" || cc.End.Kind != 6 ||
				cc.End.Values[1] == nil || len(cc.End.Values[1]) != 0 || binary.BigEndian.Uint32(cc.End.Values[0]) != 7 {
				t.Errorf("covered clustering %+v", cc)
			}
			if s.PendingRepair == nil || s.OriginatingHostID == nil || !s.IsTransient || !s.HasPartitionLevelDeletions {
				t.Errorf("repair/host fields %+v", s)
			}
			if string(s.FirstKey) != "first" || string(s.LastKey) != "last" || s.TokenSpaceCoverage != 0.25 {
				t.Errorf("keys %q %q coverage %v", s.FirstKey, s.LastKey, s.TokenSpaceCoverage)
			}
			if md.Header.MinTimestamp != TimestampEpoch+5 || len(md.Header.RegularColumns) != 2 || string(md.Header.StaticColumns[0].Name) != "s" {
				t.Errorf("header %+v", md.Header)
			}
			// Halfway between the two bins: (4+5)*.5/2 + 4/2 = 4.25 (StreamingHistogram.sum).
			if got := s.DroppableTombstonesBefore(0xF0000008); got != 4.25 {
				t.Errorf("droppable tombstones %v, want 4.25", got)
			}
		}
		// Any flipped byte must be caught (by a checksum or the parser), never panic.
		b := oaFile(0)
		for i := range b {
			mut := append([]byte{}, b...)
			mut[i] ^= 0x01
			if _, err := Parse("Statistics.db", mut, v); !errors.Is(err, wire.ErrCorrupt) {
				t.Fatalf("%s: flipped byte %d: %v", ver.s, i, err)
			}
		}
	}
}

func TestTombstoneSum(t *testing.T) {
	h := TombstoneHistogram{Bins: []TombstoneBin{{10, 4}, {20, 6}, {30, 2}}}
	if got := h.Sum(5); got != 0 {
		t.Errorf("Sum(5) = %v", got)
	}
	// b on a point: (m_i + m_i)*0/2 + m_i/2 + sum before.
	if got := h.Sum(20); got != 4+3 {
		t.Errorf("Sum(20) = %v", got)
	}
	// Halfway between 10 and 20: weight .5, mb = 5, (4+5)*.5/2 + 4/2 = 4.25.
	if got := h.Sum(15); got != 4.25 {
		t.Errorf("Sum(15) = %v", got)
	}
	if got := h.Sum(40); got != 12 {
		t.Errorf("Sum(40) = %v", got)
	}
}

func FuzzStats(f *testing.F) {
	versions := []string{"ic", "ja", "jb", "ka", "la", "lb", "ma", "mb", "mc", "md", "me", "na", "nb", "oa"}
	paths, _ := filepath.Glob(filepath.Join(corpusDir, "*", "*", "*", "*-Statistics.db"))
	more, _ := filepath.Glob(filepath.Join(corpusDir, "*", "*", "*", "*", "*-Statistics.db"))
	for i, p := range append(paths, more...) {
		if i > 40 {
			break
		}
		d, _, err := format.ParseName(p)
		b, rerr := os.ReadFile(p)
		if err != nil || rerr != nil {
			continue
		}
		for j, v := range versions {
			if v == d.Version.S {
				f.Add(append([]byte{byte(j)}, b...))
			}
		}
	}
	f.Add(append([]byte{13}, oaFile(4)...))
	f.Fuzz(func(t *testing.T, in []byte) {
		if len(in) == 0 {
			return
		}
		v, _ := format.ParseVersion(versions[int(in[0])%len(versions)], format.Big)
		_, err := Parse("f", in[1:], v)
		if err != nil && !errors.Is(err, wire.ErrCorrupt) && !errors.Is(err, wire.ErrUnsupported) {
			t.Fatal(err)
		}
	})
}
