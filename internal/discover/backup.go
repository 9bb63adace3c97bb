package discover

import (
	"encoding/json"
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/aegisthus/aegisthus/internal/sstable/format"
	"github.com/aegisthus/aegisthus/internal/storage"
)

// Backup layouts, as BackupFilter.Layout names them.
const (
	LayoutAuto   = "auto"
	LayoutPlain  = "plain"  // <node>/<ks>/<table>-<id>/snapshots/<backup>/ (nodetool snapshot copies)
	LayoutMedusa = "medusa" // <node>/<backup>/data/<ks>/<table>-<id>/, or differential: <node>/data/<ks>/<table>-<id>/ and <node>/<backup>/meta/manifest.json
	LayoutPriam  = "priam"  // .../<token>/<date>/SNAP|SST/<ks>/<cf>/ (classic), or <token>/META_V2 meta files over SST_V2 objects (v2)
)

// Layouts lists the BackupFilter.Layout values.
var Layouts = []string{LayoutAuto, LayoutPlain, LayoutMedusa, LayoutPriam, LayoutEsop}

// ErrBackupChoice is returned when the inputs hold several backups and none was chosen.
var ErrBackupChoice = errors.New("choose a backup")

// FilterError is a BackupFilter field the inputs do not fit: its Value
// matches nothing, or (Value "") the inputs need a choice the filter did not
// make. Field is "layout", "nodes" or "backup"; the caller words it as its
// own option.
type FilterError struct {
	Field string
	Value string
	Err   error
}

func (e *FilterError) Error() string {
	if e.Value != "" {
		return e.Field + " " + e.Value + ": " + e.Err.Error()
	}
	return e.Err.Error()
}

func (e *FilterError) Unwrap() error { return e.Err }

// BackupFilter selects among the nodes and backups found under the roots.
type BackupFilter struct {
	Layout string   // one of Layouts; "" is auto
	Nodes  []string // node directory names (Priam: tokens); empty is all
	// Backup is the snapshot tag (plain), backup name (Medusa), date (Priam
	// classic), meta file time yyyyMMddHHmm or RFC 3339 instant (Priam v2: the
	// newest meta file at or before it; FROM..[TO]: the SSTables uploaded
	// after FROM's snapshot, for an incremental run) or snapshot tag (esop).
	Backup string
}

// BackupSelection is what SelectBackups found.
type BackupSelection struct {
	Dirs   []string // SSTable directories to read
	Layout string   // the layout used (auto resolved)
	Framed bool     // files are Snappy-framed (Priam)
	// Only, when set, lists the files (cleaned paths, s3:// kept) of the chosen backup in
	// directories that several backups share (Medusa's differential mode).
	Only map[string]bool
	// Objects, when set, maps the virtual paths of Dirs' files to the objects
	// a tool stored (Priam v2, esop) and how to decode them.
	Objects map[string]object
}

// Store returns inner as the selection must read it: unframed, and showing
// only the chosen backup's files.
func (s *BackupSelection) Store(inner storage.Store) storage.Store {
	if s.Framed {
		inner = storage.SnappyFramed{Inner: inner}
	}
	if s.Objects != nil {
		inner = objectStore{Store: inner, objects: s.Objects}
	}
	if s.Only != nil {
		inner = onlyStore{Store: inner, only: s.Only, dirs: s.Dirs}
	}
	return inner
}

// onlyStore hides, in dirs, the SSTable components not in only (schema.cql and
// other files stay visible).
type onlyStore struct {
	storage.Store
	only map[string]bool
	dirs []string
}

func (o onlyStore) Walk(root string, fn func(string, int64) error) error {
	return o.Store.Walk(root, func(path string, size int64) error {
		p := virtualKey(filepath.Clean(path))
		if _, _, err := format.ParseName(p); err == nil && !o.only[p] && slices.Contains(o.dirs, virtualKey(filepath.Dir(p))) {
			return nil
		}
		return fn(path, size)
	})
}

// maxManifest bounds a Medusa manifest.json.
const maxManifest = 256 << 20

// backupDir is one directory of SSTables as a layout places it; manifest is
// set instead of dir for a Medusa differential backup.
type backupDir struct {
	dir, layout, node, backup string
	root, manifest            string
	priam                     *priamMeta    // a Priam v2 snapshot
	tree                      *toolTree     // its root's SST_V2 objects
	incr                      bool          // the SSTables after priam, not in it
	incrTo                    int64         // ... up to this epoch ms (0: all)
	esop                      *esopManifest // an esop snapshot
}

// SelectBackups walks roots and returns the SSTable directories of the chosen
// nodes and backup. A root whose files follow no backup layout (a live data
// directory, or a path already inside one snapshot) comes back unchanged, so
// plain inputs behave as they do without this step. With several backups and no
// f.Backup it fails with ErrBackupChoice naming them.
func SelectBackups(store storage.Store, roots []string, f BackupFilter) (*BackupSelection, error) {
	if f.Layout == "" {
		f.Layout = LayoutAuto
	}
	if !slices.Contains(Layouts, f.Layout) {
		return nil, fmt.Errorf("backup layout %q: want one of %s", f.Layout, strings.Join(Layouts, ", "))
	}
	sel := &BackupSelection{Layout: f.Layout}
	var found []backupDir
	seen := map[string]bool{}
	for _, root := range roots {
		here, err := scanRoot(store, root, f, seen)
		if err != nil {
			return nil, err
		}
		found = append(found, here...)
		if len(here) == 0 {
			if f.Layout != LayoutAuto && f.Layout != LayoutPlain {
				return nil, fmt.Errorf("%s: no %s backup found: %w", root, f.Layout, ErrNoSSTables)
			}
			sel.Dirs = append(sel.Dirs, root)
		}
	}
	if len(found) == 0 {
		return sel, nil
	}
	if err := sel.pick(store, found, f); err != nil {
		return nil, err
	}
	// One spelling per directory: path cleaning turns s3://b/k into s3:/b/k,
	// and a directory named twice would be read twice.
	for i, d := range sel.Dirs {
		sel.Dirs[i] = virtualKey(d)
	}
	slices.Sort(sel.Dirs)
	sel.Dirs = slices.Compact(sel.Dirs)
	return sel, nil
}

// scanRoot finds the backup directories (and Medusa manifests) under root of
// the layout f asks for; seen keeps a directory found under two roots once. It
// returns none when root holds live SSTables beside its snapshots and nothing
// selects a backup: those are what the user means.
func scanRoot(store storage.Store, root string, f BackupFilter, seen map[string]bool) ([]backupDir, error) {
	var here []backupDir
	var live []string // directories of SSTables in no layout
	tree := &toolTree{}
	manifests := map[string][]backupDir{} // node → its Medusa manifests
	differential := map[string]bool{}     // nodes with <node>/data/<ks>/<table>
	err := store.Walk(root, func(path string, _ int64) error {
		if rel, err := filepath.Rel(root, path); err == nil && tree.take(root, strings.Split(filepath.ToSlash(rel), "/"), path) {
			return nil
		}
		if filepath.Base(path) == "manifest.json" {
			if rel, err := filepath.Rel(root, path); err == nil {
				if p := strings.Split(filepath.ToSlash(rel), "/"); len(p) == 4 && p[2] == "meta" {
					manifests[p[0]] = append(manifests[p[0]], backupDir{layout: LayoutMedusa, node: p[0], backup: p[1], root: root, manifest: path})
				}
			}
			return nil
		}
		d, comp, err := format.ParseName(path)
		if err != nil || comp != format.Data || seen[d.Dir] {
			return nil
		}
		rel, err := filepath.Rel(root, d.Dir)
		if err != nil || rel == "." || strings.HasPrefix(rel, "..") {
			return nil
		}
		parts := strings.Split(filepath.ToSlash(rel), "/")
		for _, p := range parts {
			if strings.HasPrefix(p, ".") {
				return nil // secondary indexes and tools' own directories
			}
		}
		seen[d.Dir] = true
		if (f.Layout == LayoutAuto || f.Layout == LayoutMedusa) && len(parts) == 4 && parts[1] == "data" {
			differential[parts[0]] = true
			return nil
		}
		b, ok := classify(parts, f.Layout)
		if !ok {
			if !slices.Contains(parts, "backups") {
				live = append(live, d.Dir)
			}
			return nil
		}
		b.dir = d.Dir
		here = append(here, b)
		return nil
	})
	if err != nil {
		return nil, err
	}
	for node := range differential {
		if len(manifests[node]) == 0 {
			return nil, fmt.Errorf("%s: medusa differential data of %s without any meta/manifest.json: %w", root, node, ErrNoSSTables)
		}
		here = append(here, manifests[node]...)
	}
	here = append(here, tree.backups(root, f.Layout)...)
	live = slices.DeleteFunc(live, tree.under)
	// Live SSTables beside snapshots: without --backup they are what the
	// user means, as they are without a layout.
	if len(live) > 0 && f.Layout == LayoutAuto && f.Backup == "" && len(f.Nodes) == 0 {
		here = nil
	}
	return here, nil
}

// pick keeps the backup f names (or the only one) on the nodes f names, and
// adds its directories and manifests to sel.
func (sel *BackupSelection) pick(store storage.Store, found []backupDir, f BackupFilter) error {
	layouts := map[string]bool{}
	for _, b := range found {
		layouts[b.layout] = true
	}
	if len(layouts) > 1 {
		return &FilterError{Field: "layout", Err: fmt.Errorf("the inputs mix backup layouts (%s): choose a layout", strings.Join(sortedKeys(layouts), ", "))}
	}
	sel.Layout = found[0].layout
	if f.Backup != "" && sel.Layout == LayoutPriam {
		var err error
		if found, err = resolvePriam(found, f.Backup); err != nil {
			return err
		}
	}
	backups := map[string]bool{}
	nodes := map[string]bool{}
	for _, b := range found {
		if len(f.Nodes) == 0 || slices.Contains(f.Nodes, b.node) {
			backups[b.backup] = true
		}
		nodes[b.node] = true
	}
	for _, n := range f.Nodes {
		if !nodes[n] {
			return &FilterError{Field: "nodes", Value: n, Err: fmt.Errorf("no such node among %s: %w", strings.Join(sortedKeys(nodes), ", "), ErrNoSSTables)}
		}
	}
	backup := f.Backup
	switch {
	case backup != "" && !backups[backup]:
		return &FilterError{Field: "backup", Value: backup, Err: fmt.Errorf("not found; the inputs hold %s: %w", strings.Join(sortedKeys(backups), ", "), ErrNoSSTables)}
	case backup == "" && len(backups) > 1:
		return &FilterError{Field: "backup", Err: fmt.Errorf("the inputs hold %d backups (%s): %w", len(backups), strings.Join(sortedKeys(backups), ", "), ErrBackupChoice)}
	case backup == "":
		for b := range backups {
			backup = b
		}
	}
	for _, b := range found {
		if b.backup != backup || len(f.Nodes) != 0 && !slices.Contains(f.Nodes, b.node) {
			continue
		}
		var err error
		before := len(sel.Dirs)
		switch {
		case b.priam != nil:
			err = sel.addPriam(store, b)
		case b.esop != nil:
			err = sel.addEsop(store, b)
		case b.manifest != "":
			err = sel.addManifest(store, b)
		default:
			sel.Dirs = append(sel.Dirs, b.dir)
		}
		if err != nil {
			return err
		}
		if b.layout == LayoutMedusa {
			sel.medusaSchema(store, b, sel.Dirs[before:])
		}
	}
	// Priam's classic files are compressed in place; v2 objects are decoded
	// by their compression folder.
	sel.Framed = sel.Layout == LayoutPriam && sel.Objects == nil
	return nil
}

// medusaManifest is Medusa's meta/manifest.json: per table, the objects of the
// backup, by path in the bucket.
type medusaManifest []struct {
	Keyspace     string `json:"keyspace"`
	ColumnFamily string `json:"columnfamily"`
	Objects      []struct {
		Path string `json:"path"`
		Size int64  `json:"size"`
	} `json:"objects"`
}

// addManifest adds the files a differential Medusa backup's manifest lists.
// Object paths are taken from <node>/data/ on, under the root that holds the
// manifest, so a bucket prefix or a copied tree reads the same.
func (s *BackupSelection) addManifest(store storage.Store, b backupDir) error {
	raw, err := store.ReadFile(b.manifest, maxManifest)
	if err != nil {
		return err
	}
	var m medusaManifest
	if err := json.Unmarshal(raw, &m); err != nil {
		return fmt.Errorf("%s: not a Medusa manifest (want [{\"keyspace\":..., \"objects\":[...]}]): %w: %s", b.manifest, ErrNoSSTables, jsonError(err))
	}
	if s.Only == nil {
		s.Only = map[string]bool{}
	}
	for _, t := range m {
		for _, o := range t.Objects {
			parts, err := keyParts(b.manifest, "path", o.Path)
			if err != nil {
				return err
			}
			if len(parts) < 5 || parts[len(parts)-4] != "data" {
				continue
			}
			// From the node on: <node>/data/... (differential) or
			// <node>/<backup>/data/... (full, cassandra-medusa 0.31.0
			// medusa/storage/node_backup.py data_path).
			from := len(parts) - 5
			if i := slices.Index(parts, b.node); i >= 0 && i < from {
				from = i
			}
			p := virtualKey(filepath.Clean(filepath.Join(append([]string{b.root}, parts[from:]...)...)))
			s.Only[p] = true
			if _, comp, err := format.ParseName(p); err == nil && comp == format.Data {
				s.Dirs = append(s.Dirs, filepath.Dir(p))
			}
		}
	}
	return nil
}

// medusaSchema shows the schema Medusa keeps of a backup,
// <node>/<backup>/meta/schema.cql (the whole cluster's, from DESCRIBE;
// cassandra-medusa 0.31.0 medusa/storage/node_backup.py schema_path), as
// the schema.cql of each of its table directories: Medusa uploads none
// beside the SSTables.
func (s *BackupSelection) medusaSchema(store storage.Store, b backupDir, dirs []string) {
	meta := filepath.Dir(b.manifest)
	if meta == "." {
		rel, err := filepath.Rel(b.root, b.dir)
		if err != nil {
			return
		}
		meta = joinPath(b.root, strings.Split(filepath.ToSlash(rel), "/")[0], b.backup, "meta")
	}
	schema := joinPath(meta, "schema.cql")
	if !store.Exists(schema) {
		return
	}
	for _, d := range dirs {
		if !store.Exists(joinPath(d, "schema.cql")) {
			if s.Objects == nil {
				s.Objects = map[string]object{}
			}
			s.Objects[virtualKey(joinPath(d, "schema.cql"))] = object{path: schema}
		}
	}
}

// classify places a directory of SSTables (its path below the root, split) in
// a layout, returning its node and backup.
func classify(parts []string, layout string) (backupDir, bool) {
	n := len(parts)
	try := func(l string) bool { return layout == LayoutAuto || layout == l }
	// Medusa: <node>/<backup>/data/<ks>/<table>
	if try(LayoutMedusa) && n == 5 && parts[2] == "data" {
		return backupDir{layout: LayoutMedusa, node: parts[0], backup: parts[1]}, true
	}
	// Priam: .../<token>/<date>/SNAP|SST/<ks>/<cf>
	if try(LayoutPriam) && n >= 5 && (parts[n-3] == "SNAP" || parts[n-3] == "SST") {
		return backupDir{layout: LayoutPriam, node: parts[n-5], backup: parts[n-4]}, true
	}
	// Plain: [<node>/]<ks>/<table>/snapshots/<tag>
	if try(LayoutPlain) && n >= 4 && parts[n-2] == "snapshots" {
		b := backupDir{layout: LayoutPlain, backup: parts[n-1]}
		if n >= 5 {
			b.node = parts[n-5]
		}
		return b, true
	}
	return backupDir{}, false
}

func sortedKeys(m map[string]bool) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
