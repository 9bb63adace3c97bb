package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/aegisthus/aegisthus/internal/storage"
)

// javaHash is java.lang.String.hashCode.
func javaHash(s string) int32 {
	var h int32
	for _, r := range s {
		h = 31*h + r
	}
	return h
}

// priamUpload is one SSTable of a table directory uploaded by Priam v2 at a time.
type priamUpload struct {
	src, prefix string // the table's snapshot directory and the SSTable (nb-1-big)
	at          time.Time
}

// priamV2 writes Priam v2 objects and meta files under base as Netflix/Priam
// 3.1.127 lays them out (aws/RemoteBackupPath.java getV2Location: base/
// <appName.hashCode()%10000>_<appName>/<token>/SST_V2/<ms>/<ks>/<table dir>/
// SNAPPY/PLAINTEXT/<file>, ms the file's last-modified time truncated to
// seconds; compress/ChunkedStream.java: one snappy-java stream per file), and
// one meta file per snapshot (backupv2/MetaFileWriterBuilder.java,
// MetaFileInfo.java, ColumnFamilyResult.java, FileUploadResult.java:
// META_V2/<ms>/SNAPPY/PLAINTEXT/meta_v2_<yyyyMMddHHmm UTC>.json). Each
// snapshot lists the SSTables it holds; an SSTable is uploaded once.
func priamV2(t *testing.T, base, app, token, ks, tableDir string, snaps map[time.Time][]priamUpload, enc string) string {
	t.Helper()
	tokenDir := filepath.Join(base, fmt.Sprintf("%d_%s", javaHash(app)%10000, app), token)
	rel := func(p string) string { r, _ := filepath.Rel(filepath.Dir(base), p); return filepath.ToSlash(r) }
	put := func(dst string, b []byte) {
		os.MkdirAll(filepath.Dir(dst), 0o755)
		var buf bytes.Buffer
		w := storage.NewSnappyJavaWriter(&buf)
		w.Write(b)
		w.Close()
		if err := os.WriteFile(dst, buf.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	type component struct {
		FileName     string `json:"fileName"`
		LastModified int64  `json:"lastModifiedTime"`
		Created      int64  `json:"fileCreationTime"`
		Size         int64  `json:"fileSizeOnDisk"`
		Compression  string `json:"compression"`
		Encryption   string `json:"encryption"`
		IsUploaded   bool   `json:"isUploaded"`
		BackupPath   string `json:"backupPath"`
	}
	type sstable struct {
		Prefix     string      `json:"prefix"`
		Components []component `json:"sstableComponents"`
	}
	for at, ups := range snaps {
		var ssts []sstable
		for _, u := range ups {
			ms := u.at.UnixMilli() / 1000 * 1000
			files, _ := filepath.Glob(filepath.Join(u.src, u.prefix+"-*"))
			if u.prefix == "manifest" { // SnapshotMetaTask.getPrefix: manifest.json is "manifest"; schema.cql is not uploaded
				files = []string{filepath.Join(u.src, "manifest.json")}
			}
			s := sstable{Prefix: u.prefix}
			for _, f := range files {
				b, _ := os.ReadFile(f)
				dst := filepath.Join(tokenDir, "SST_V2", fmt.Sprint(ms), ks, tableDir, "SNAPPY", enc, filepath.Base(f))
				put(dst, b)
				s.Components = append(s.Components, component{FileName: filepath.Base(f), LastModified: ms, Created: ms, Size: int64(len(b)),
					Compression: "SNAPPY", Encryption: enc, IsUploaded: true, BackupPath: rel(dst)})
			}
			ssts = append(ssts, s)
		}
		meta := map[string]any{
			"info": map[string]any{"version": 1, "appName": app, "region": "us-east-1", "rack": "us-east-1a", "backupIdentifier": []string{token}},
			"data": []any{map[string]any{"keyspaceName": ks, "columnfamilyName": tableDir, "sstables": ssts}},
		}
		b, _ := json.Marshal(meta)
		put(filepath.Join(tokenDir, "META_V2", fmt.Sprint(at.UnixMilli()/1000*1000), "SNAPPY", "PLAINTEXT", "meta_v2_"+at.UTC().Format("200601021504")+".json"), b)
	}
	return base
}

// sampleGens returns node1's demo.events snapshot directory and the rows of
// each listed set of its generations, exported from the files themselves.
func sampleGens(t *testing.T, sets ...[]string) (src, tableDir string, rows [][]string) {
	root, rel := sampleInputs(t, "events")
	src = filepath.Join(root, rel[0])
	tableDir = strings.Split(rel[0], "/")[2]
	for _, gens := range sets {
		var paths []string
		for _, g := range gens {
			paths = append(paths, filepath.Join(src, g+"-Data.db"))
		}
		o := exportOptions{paths: paths, now: sampleNow, splitSize: "8KiB"}
		o.schema.path = filepath.Join(src, "schema.cql")
		r, _ := exportLines(t, o)
		if len(r) == 0 {
			t.Fatalf("%v: no rows", gens)
		}
		rows = append(rows, r)
	}
	return src, tableDir, rows
}

// TestPriamV2: snapshots of a Priam v2 tree, each exports exactly its own
// data: S2 still references the SSTable uploaded with S1 two days earlier;
// by S3, nb-1 was compacted away (S3 lists nb-2 and nb-3 only); an RFC 3339
// instant takes the newest meta file at or before it; S1.. is the
// incremental run after S1; a PGP-encrypted backup is refused.
func TestPriamV2(t *testing.T) {
	src, tableDir, rows := sampleGens(t, []string{"nb-1-big"}, []string{"nb-1-big", "nb-2-big", "nb-3-big"}, []string{"nb-2-big", "nb-3-big"})
	gen1, all, later := rows[0], rows[1], rows[2]
	d1 := time.Date(2026, 12, 1, 7, 57, 12, 0, time.UTC)
	d3, d5 := d1.Add(48*time.Hour), d1.Add(96*time.Hour)
	up1 := priamUpload{src, "nb-1-big", d1.Add(-time.Hour)}
	up2 := priamUpload{src, "nb-2-big", d3.Add(-time.Hour)}
	up3 := priamUpload{src, "nb-3-big", d3.Add(-time.Hour)}
	man := func(at time.Time) priamUpload { return priamUpload{src, "manifest", at} }
	base := filepath.Join(t.TempDir(), "backups", "priam")
	priamV2(t, base, "cass_demo", "1808575600", "demo", tableDir, map[time.Time][]priamUpload{
		d1: {up1, man(d1)}, d3: {up1, up2, up3, man(d3)}, d5: {up2, up3, man(d5)},
	}, "PLAINTEXT")
	for _, tc := range []exportCase{
		{"needs a choice", []string{base}, nil, ExitUsage, "202612010757, 202612030757, 202612050757"},
		{"S1", []string{base, "--backup", "202612010757"}, gen1, 0, ""},
		{"S2 references S1's upload", []string{base, "--backup-layout", "priam", "--backup", "202612030757"}, all, 0, ""},
		{"S3 after compaction", []string{base, "--backup", "202612050757"}, later, 0, ""},
		{"instant", []string{base, "--backup", "2026-12-02T00:00:00Z"}, gen1, 0, ""},
		{"instant at S2", []string{base, "--backup", "2026-12-03T07:57:12Z"}, all, 0, ""},
		{"incremental after S1", []string{base, "--backup", "202612010757.."}, later, 0, ""},
		{"nodes", []string{base, "--backup", "202612010757", "--nodes", "1808575600"}, gen1, 0, ""},
		{"unknown", []string{base, "--backup", "202612040000"}, nil, ExitBadInput, "202612040000"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := tc.args
			if tc.code == 0 { // Priam v2 uploads no schema.cql (backupv2/SnapshotMetaTask.java getPrefix)
				args = append(slices.Clone(args), "--schema", filepath.Join(src, "schema.cql"))
			}
			tc.check(t, args)
		})
	}
	pgp := filepath.Join(t.TempDir(), "pgp")
	priamV2(t, pgp, "cass_demo", "1808575600", "demo", tableDir, map[time.Time][]priamUpload{d1: {up1}}, "PGP")
	_, err := runExport(t, pgp)
	if err == nil || !strings.Contains(err.Error(), "encryption PGP") || !strings.Contains(err.Error(), "PLAINTEXT") {
		t.Fatalf("a PGP backup: %v", err)
	}
}

// esopTree writes node1's demo.events as instaclustr/esop 4.1.11 backs it up
// to a local bucket: <cluster>/<dc>/<node>/data/<ks>/<table>-<id>/
// <generation>-<Digest.crc32 content>/<file> (impl/SSTableUtils.java
// getSSTables, sstableHash) and manifests/<tag>-<schema version>-<ms>.json
// (impl/Manifest.java, Snapshots.java, ManifestEntry.java;
// backup/coordination/BaseBackupOperationCoordinator.java), one manifest per
// snapshot listing its SSTables.
func esopTree(t *testing.T, base, src, tableDir string, snaps map[string][]string) string {
	t.Helper()
	node := filepath.Join(base, "test-cluster", "dc1", "node1")
	name, id, _ := strings.Cut(tableDir, "-")
	ms := int64(1796457420000)
	for _, tag := range slices.Sorted(maps.Keys(snaps)) {
		sstables := map[string][]map[string]any{}
		for _, prefix := range snaps[tag] {
			digest, _ := os.ReadFile(filepath.Join(src, prefix+"-Digest.crc32"))
			gen := strings.Split(prefix, "-")[1]
			files, _ := filepath.Glob(filepath.Join(src, prefix+"-*"))
			for _, f := range files {
				key := "data/demo/" + tableDir + "/" + gen + "-" + strings.TrimSpace(string(digest)) + "/" + filepath.Base(f)
				b, _ := os.ReadFile(f)
				os.MkdirAll(filepath.Join(node, filepath.Dir(key)), 0o755)
				os.WriteFile(filepath.Join(node, key), b, 0o644)
				sstables[prefix] = append(sstables[prefix], map[string]any{"objectKey": key, "size": len(b), "type": "FILE", "hash": "x"})
			}
		}
		m := map[string]any{
			"snapshot": map[string]any{"name": tag, "keyspaces": map[string]any{"demo": map[string]any{"tables": map[string]any{
				name: map[string]any{"sstables": sstables, "id": id, "schemaContent": "CREATE TABLE demo.events (...)"}}}}},
			"tokens": []string{"-9223372036854775808"}, "schemaVersion": "8d0b7ea5-2a0f-3b0c-a6f8-6c9e6e1b3c1d", "size": 1,
		}
		b, _ := json.Marshal(m)
		ms += 86_400_000
		os.MkdirAll(filepath.Join(node, "manifests"), 0o755)
		os.WriteFile(filepath.Join(node, "manifests", fmt.Sprintf("%s-8d0b7ea5-2a0f-3b0c-a6f8-6c9e6e1b3c1d-%d.json", tag, ms)), b, 0o644)
	}
	return base
}

// TestEsop: an esop snapshot is chosen by its tag and exports its own
// SSTables; ls over the root shows both snapshots, their tool and time.
func TestEsop(t *testing.T) {
	src, tableDir, rows := sampleGens(t, []string{"nb-1-big"}, []string{"nb-1-big", "nb-2-big", "nb-3-big"})
	base := esopTree(t, filepath.Join(t.TempDir(), "esop"), src, tableDir, map[string][]string{
		"monday": {"nb-1-big"}, "tuesday": {"nb-1-big", "nb-2-big", "nb-3-big"},
	})
	schema := filepath.Join(src, "schema.cql")
	for tag, want := range map[string][]string{"monday": rows[0], "tuesday": rows[1]} {
		got, err := runExport(t, base, "--backup", tag, "--schema", schema)
		if err != nil || !slices.Equal(got, want) {
			t.Fatalf("%s: %d rows (%v), want %d", tag, len(got), err, len(want))
		}
	}
	var out bytes.Buffer
	r := NewRoot()
	r.SetArgs([]string{"ls", base})
	r.SetOut(&out)
	if err := r.Execute(); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"esop", "monday", "tuesday", "node1", "demo.events", "2026-12-0"} {
		if !strings.Contains(out.String(), s) {
			t.Fatalf("ls does not show %q:\n%s", s, out.String())
		}
	}
}

// TestPriamV2BackupSnapshot: shop.orders of the real 3-node backup, uploaded
// by each node as Priam v2 does (one token directory per node), exports
// equal to Cassandra's SELECT JSON * at ALL.
func TestPriamV2BackupSnapshot(t *testing.T) {
	nodes, meta, expected := backupSnapshot(t)
	at := time.Date(2026, 12, 5, 9, 45, 0, 0, time.UTC)
	base := filepath.Join(t.TempDir(), "priam")
	var schema string
	for i, n := range nodes {
		dirs, _ := filepath.Glob(filepath.Join(n, "shop", "orders-*", "snapshots", "backup"))
		if len(dirs) != 1 {
			t.Fatalf("%s: %v", n, dirs)
		}
		src := dirs[0]
		schema = filepath.Join(src, "schema.cql")
		tableDir := filepath.Base(filepath.Dir(filepath.Dir(src)))
		ups := []priamUpload{{src, "manifest", at}}
		datas, _ := filepath.Glob(filepath.Join(src, "*-Data.db"))
		for _, d := range datas {
			ups = append(ups, priamUpload{src, strings.TrimSuffix(filepath.Base(d), "-Data.db"), at.Add(-time.Hour)})
		}
		priamV2(t, base, "cass_shop", fmt.Sprint(1000+i), "shop", tableDir, map[time.Time][]priamUpload{at: ups}, "PLAINTEXT")
	}
	out, err := exportBackup(t, base, "--backup", "202612050945", "--schema", schema, "--now", meta.Now)
	if err != nil {
		t.Fatal(err)
	}
	sameAsCassandra(t, out, filepath.Join(expected, "shop.orders.select-json.jsonl"))
}
