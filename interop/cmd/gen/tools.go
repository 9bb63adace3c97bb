package main

import (
	"context"
	"flag"
	"io/fs"
	"path/filepath"
	"sort"
)

// toolsCmd reruns sstabledump and sstablemetadata on every SSTable under a
// directory (no node needed).
func toolsCmd(ctx context.Context, args []string) error {
	f := flag.NewFlagSet("tools", flag.ExitOnError)
	var nf nodeFlags
	nf.add(f)
	root := f.String("dir", "", "directory to walk for *-Data.db")
	f.Parse(args)
	c, done, err := nf.cluster("oa", 1)
	if err != nil {
		return err
	}
	defer done()
	return runTools(ctx, c, tableDirsUnder(*root))
}

// tableDirsUnder lists the directories under root holding *-Data.db files
// (skipping snapshots/ and backups/ below a table directory).
func tableDirsUnder(root string) []string {
	seen := map[string]bool{}
	filepath.WalkDir(root, func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() && filepath.Ext(p) == ".db" && len(p) > 8 && p[len(p)-8:] == "-Data.db" {
			seen[filepath.Dir(p)] = true
		}
		return nil
	})
	var dirs []string
	for d := range seen {
		dirs = append(dirs, d)
	}
	sort.Strings(dirs)
	return dirs
}
