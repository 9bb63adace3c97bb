package discover

import (
	"errors"
	"fmt"
	"path/filepath"
	"slices"
	"strings"

	"github.com/aegisthus/aegisthus/internal/sstable/format"
	"github.com/aegisthus/aegisthus/internal/storage"
)

// Backup layouts, as --backup-layout names them.
const (
	LayoutAuto   = "auto"
	LayoutPlain  = "plain"  // <node>/<ks>/<table>-<id>/snapshots/<backup>/ (nodetool snapshot copies)
	LayoutMedusa = "medusa" // <node>/<backup>/data/<ks>/<table>-<id>/
	LayoutPriam  = "priam"  // .../<token>/<date>/SNAP|SST/<ks>/<cf>/, Snappy-framed files
)

// Layouts lists the --backup-layout values.
var Layouts = []string{LayoutAuto, LayoutPlain, LayoutMedusa, LayoutPriam}

// ErrBackupChoice is returned when the inputs hold several backups and none was chosen.
var ErrBackupChoice = errors.New("choose a backup")

// BackupFilter selects among the nodes and backups found under the roots.
type BackupFilter struct {
	Layout string   // one of Layouts; "" is auto
	Nodes  []string // node directory names (Priam: tokens); empty is all
	Backup string   // snapshot tag (plain), backup name (Medusa) or date (Priam)
}

// Selection is what SelectBackups found.
type Selection struct {
	Dirs   []string // SSTable directories to read
	Layout string   // the layout used (auto resolved)
	Framed bool     // files are Snappy-framed (Priam)
}

// backupDir is one directory of SSTables as a layout places it.
type backupDir struct {
	dir, layout, node, backup string
}

// SelectBackups walks roots and returns the SSTable directories of the chosen
// nodes and backup. A root whose files follow no backup layout (a live data
// directory, or a path already inside one snapshot) comes back unchanged, so
// plain inputs behave as they do without this step. With several backups and no
// f.Backup it fails with ErrBackupChoice naming them.
func SelectBackups(store storage.Store, roots []string, f BackupFilter) (*Selection, error) {
	if f.Layout == "" {
		f.Layout = LayoutAuto
	}
	if !slices.Contains(Layouts, f.Layout) {
		return nil, fmt.Errorf("backup layout %q: want one of %s", f.Layout, strings.Join(Layouts, ", "))
	}
	sel := &Selection{Layout: f.Layout}
	var found []backupDir
	seen := map[string]bool{}
	for _, root := range roots {
		var here []backupDir
		live := false
		err := store.Walk(root, func(path string, _ int64) error {
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
			b, ok := classify(parts, f.Layout)
			if !ok {
				if !slices.Contains(parts, "backups") {
					live = true
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
		// Live SSTables beside snapshots: without --backup they are what the
		// user means, as they are without a layout.
		if live && f.Layout == LayoutAuto && f.Backup == "" && len(f.Nodes) == 0 {
			here = nil
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
	layouts := map[string]bool{}
	for _, b := range found {
		layouts[b.layout] = true
	}
	if len(layouts) > 1 {
		return nil, fmt.Errorf("the inputs mix backup layouts (%s): give --backup-layout", strings.Join(sortedKeys(layouts), ", "))
	}
	sel.Layout = found[0].layout
	sel.Framed = sel.Layout == LayoutPriam
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
			return nil, fmt.Errorf("--nodes %s: no such node among %s: %w", n, strings.Join(sortedKeys(nodes), ", "), ErrNoSSTables)
		}
	}
	backup := f.Backup
	switch {
	case backup != "" && !backups[backup]:
		return nil, fmt.Errorf("--backup %s: not found; the inputs hold %s: %w", backup, strings.Join(sortedKeys(backups), ", "), ErrNoSSTables)
	case backup == "" && len(backups) > 1:
		return nil, fmt.Errorf("the inputs hold %d backups (%s): %w with --backup", len(backups), strings.Join(sortedKeys(backups), ", "), ErrBackupChoice)
	case backup == "":
		for b := range backups {
			backup = b
		}
	}
	for _, b := range found {
		if b.backup == backup && (len(f.Nodes) == 0 || slices.Contains(f.Nodes, b.node)) {
			sel.Dirs = append(sel.Dirs, b.dir)
		}
	}
	slices.Sort(sel.Dirs)
	return sel, nil
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
