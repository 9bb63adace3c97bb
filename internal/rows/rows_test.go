package rows_test

import (
	"encoding/binary"
	"errors"
	"testing"

	"github.com/aegisthus/aegisthus/internal/rows"
	"github.com/aegisthus/aegisthus/internal/sstable/format"
	"github.com/aegisthus/aegisthus/internal/sstable/wire"
)

func TestDeletionTimeForms(t *testing.T) {
	oa, _ := format.ParseVersion("oa", format.Big)
	nb, _ := format.ParseVersion("nb", format.Big)
	c := wire.NewCursor([]byte{0x80}, 0)
	if d := rows.ReadDeletionTime(&c, oa); !d.IsLive() || c.Len() != 0 {
		t.Fatal(d)
	}
	c = wire.NewCursor([]byte{0x81}, 0)
	if rows.ReadDeletionTime(&c, oa); !errors.Is(c.Err(), wire.ErrCorrupt) {
		t.Fatal("0x81 accepted")
	}
	b := binary.BigEndian.AppendUint64(nil, 1700000000000000)
	b = binary.BigEndian.AppendUint32(b, 0xF0000000)
	c = wire.NewCursor(b, 0)
	if d := rows.ReadDeletionTime(&c, oa); d.MarkedForDeleteAt != 1700000000000000 || d.LocalDeletionTime != 0xF0000000 {
		t.Fatal(d)
	}
	live := []byte{0x7F, 0xFF, 0xFF, 0xFF, 0x80, 0, 0, 0, 0, 0, 0, 0}
	c = wire.NewCursor(live, 0)
	if d := rows.ReadDeletionTime(&c, nb); !d.IsLive() || c.Len() != 0 {
		t.Fatal(d)
	}
}
