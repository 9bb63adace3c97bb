package sstable_test

import (
	"bytes"
	"path/filepath"
	"runtime"
	"strings"
	"testing"

	"github.com/aegisthus/aegisthus/internal/sstable"
	"github.com/aegisthus/aegisthus/internal/sstable/format"
	"github.com/aegisthus/aegisthus/internal/sstable/index"
	"github.com/aegisthus/aegisthus/internal/storage"
	"github.com/aegisthus/aegisthus/internal/token"
)

// TestCheckTriePath holds KeyReader.Check's BTI key check to every real BTI
// SSTable of the fixtures (Cassandra 5.0 and 6.0): each Partitions.db entry's
// trie path starts the byte-comparable form of the key at its position (and
// its hash byte is the key's), and
// is long enough to tell the key from the next one, so that a position moved
// onto the next partition (a partition start that decodes cleanly, as bytes
// in the middle of a partition may) fails even without a Rows.db key.
func TestCheckTriePath(t *testing.T) {
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..", "testdata")
	var paths []string
	for _, glob := range []string{"cassandra-5.0/da/*/*/*/*-bti-Data.db", "cassandra-6.0/*/*/*/*/*-bti-Data.db", "partitioners/*/ks/t/*-bti-Data.db"} {
		m, _ := filepath.Glob(filepath.Join(root, glob))
		paths = append(paths, m...)
	}
	if len(paths) < 43 {
		t.Fatalf("%d BTI fixtures, want the 5.0 and 6.0 ones and one per partitioner", len(paths))
	}
	store := storage.Local{}
	var checked, keyless, byHash int
	for _, path := range paths {
		sst := openFixture(t, path)
		d := sst.Desc
		src := sstable.IndexSource(d)
		var err error
		if src.Partitions, err = sstable.ReadComponent(store, d, format.Partitions); err != nil {
			t.Fatal(err)
		}
		if sst.Has(format.Rows) {
			if src.Rows, err = sstable.ReadComponent(store, d, format.Rows); err != nil {
				t.Fatal(err)
			}
		}
		it, err := index.Open(src, index.Options{SkipBlocks: true})
		if err != nil {
			t.Fatal(err)
		}
		p, err := token.ForName(sst.Meta.Validation.Partitioner)
		if err != nil {
			t.Fatal(err)
		}
		kr := sst.KeyReader()
		var entries []index.Entry
		for it.Next() {
			e := *it.Entry()
			e.KeyPrefix = bytes.Clone(e.KeyPrefix)
			key, err := kr.Check(src, &e, nil)
			if err != nil {
				t.Fatalf("%s: %v", path, err)
			}
			bc, _ := token.AppendComparableKey(p, nil, key)
			if !bytes.HasPrefix(bc, e.KeyPrefix) {
				t.Fatalf("%s: trie path %x, key %x", path, e.KeyPrefix, bc)
			}
			entries = append(entries, e)
		}
		if err := it.Err(); err != nil {
			t.Fatal(err)
		}
		// An entry moved onto the next partition: Check must fail on the path
		// alone (the Rows.db key and the hash byte dropped), and on the hash
		// byte alone unless the two keys' bytes collide (1 in 256).
		for i := 0; i+1 < len(entries); i++ {
			e := entries[i]
			e.Key, e.HashByte, e.Position = nil, -1, entries[i+1].Position
			_, err := kr.Check(src, &e, nil)
			if err == nil || !strings.Contains(err.Error(), "does not start with the entry's trie path") || !strings.Contains(err.Error(), d.Path(format.Partitions)) {
				t.Fatalf("%s: entry %d moved onto partition %d: %v", path, i, i+1, err)
			}
			e.HashByte, e.KeyPrefix = entries[i].HashByte, nil
			if _, err := kr.Check(src, &e, nil); err != nil && strings.Contains(err.Error(), "hash byte") {
				byHash++
			}
			checked++
			if entries[i].Key == nil {
				keyless++
			}
		}
		sst.Close()
	}
	if checked < 200 || keyless < 200 || byHash < checked*9/10 {
		t.Errorf("%d entries moved, %d of them without a Rows.db key, %d caught by the hash byte: want more", checked, keyless, byHash)
	}
	t.Logf("%d SSTables, %d entries moved (%d without a Rows.db key, %d caught by the hash byte)", len(paths), checked, keyless, byHash)
}

// TestKeyReaderRestart: a KeyReader reuses its scanner (row.Scanner.Restart),
// keeping the bytes it holds; the keys it reads at every index position, in
// order, backwards and in a stride, are those a fresh scanner reads.
func TestKeyReaderRestart(t *testing.T) {
	_, file, _, _ := runtime.Caller(0)
	root := filepath.Join(filepath.Dir(file), "..", "..", "testdata")
	paths, _ := filepath.Glob(filepath.Join(root, "cassandra-5.0", "*", "*", "rand_*", "t0-*", "*-1-*-Data.db"))
	// The sample's SSTables span many chunks.
	sample, _ := filepath.Glob(filepath.Join(root, "sample-snapshot", "node1", "demo", "events-*", "snapshots", "sample", "*-Data.db"))
	paths = append(paths, sample...)
	if len(paths) < 4 || len(sample) == 0 {
		t.Fatalf("fixtures: %v", paths)
	}
	for _, path := range paths {
		sst := openFixture(t, path)
		var pos []int64
		var keys [][]byte
		sc := sst.Scanner(0, sst.Chunks.Length())
		for sc.NextPartition() {
			pos = append(pos, sc.Partition().Offset)
			keys = append(keys, bytes.Clone(sc.Partition().Key))
		}
		if sc.Err() != nil || len(pos) < 3 {
			t.Fatalf("%s: %d partitions, %v", path, len(pos), sc.Err())
		}
		kr := sst.KeyReader()
		var order []int
		for i := range pos {
			order = append(order, i)
		}
		for i := range pos {
			order = append(order, len(pos)-1-i)
		}
		for i := 0; i < len(pos); i += 7 {
			order = append(order, i)
		}
		for _, i := range order {
			got, ok := kr.PartitionAt(pos[i])
			if !ok || !bytes.Equal(got.Partition().Key, keys[i]) {
				t.Fatalf("%s: partition %d at %d: %v %x, want %x", path, i, pos[i], ok, got.Partition().Key, keys[i])
			}
		}
		sst.Close()
	}
}

func openFixture(t *testing.T, data string) *sstable.SSTable {
	t.Helper()
	d, _, err := format.ParseName(data)
	if err != nil {
		t.Fatal(err)
	}
	sst, err := sstable.Open(storage.Local{}, d, sstable.Options{})
	if err != nil {
		t.Fatal(err)
	}
	return sst
}
