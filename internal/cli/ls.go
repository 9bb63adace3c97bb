package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/spf13/cobra"

	"github.com/aegisthus/aegisthus/internal/discover"
	"github.com/aegisthus/aegisthus/internal/storage"
)

// lsOptions are the flags of `aegisthus ls`.
type lsOptions struct {
	json   bool
	sel    selectionFlags
	schema schemaSource
	paths  []string
	s3     s3Options
}

func newLsCmd() *cobra.Command {
	o := &lsOptions{}
	cmd := &cobra.Command{
		Use:   "ls INPUT...",
		Short: "List the tables a backup holds, and which of them a selection exports",
		Example: `  aegisthus ls /backups/medusa --backup nightly-0601
  aegisthus ls node*/data --keyspace 'app_*' --exclude app_tmp.cache`,
		Long: `ls lists every table found under the inputs (data directories, node roots,
snapshots, backups/, Medusa and Priam layouts, local or s3://), one line per
table: keyspace, table, id, nodes, SSTables, Data.db bytes, formats, where its
schema comes from, and whether the selection flags choose it (or why not).`,
		Args: usageArgs(cobra.MinimumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			err := runOn(&o.s3, &o.paths, o.run, false)(cmd, args)
			if !errors.Is(err, discover.ErrBackupChoice) {
				return err
			}
			// Several backups and none chosen: list them.
			return o.backups(cmd.Context(), args, cmd.OutOrStdout())
		},
	}
	cmd.Flags().BoolVar(&o.json, "json", false, "print the listing as JSON")
	cmd.Flags().StringVar(&o.schema.path, "schema", "", "CQL schema file (a DESCRIBE SCHEMA dump: each table takes its own statements)")
	o.sel.AddFlags(cmd.Flags())
	o.s3.AddFlags(cmd.Flags())
	o.s3.AddBackupFlags(cmd.Flags())
	return cmd
}

// backups prints the backups under args: the tool that wrote each, its name,
// time, nodes and tables (ls --json: {"backups": [...]}).
func (o *lsOptions) backups(ctx context.Context, args []string, stdout io.Writer) error {
	store, err := o.s3.store(ctx, args)
	if err != nil {
		return err
	}
	list, err := discover.ListBackups(store, args, o.s3.backup)
	if err != nil {
		return wordDiscover(err)
	}
	if o.json {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(map[string][]discover.Backup{"backups": list}); err != nil {
			return &OutputError{err}
		}
		return nil
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TOOL\tBACKUP\tTIME\tNODES\tTABLES")
	for _, b := range list {
		at := "-"
		if !b.Time.IsZero() {
			at = b.Time.Format(time.RFC3339)
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", b.Tool, b.Name, at, strings.Join(b.Nodes, ","), strings.Join(b.Tables, ","))
	}
	if err := tw.Flush(); err != nil {
		return &OutputError{err}
	}
	fmt.Fprintln(stdout, "note: the inputs hold several backups; name one with --backup to list its tables")
	return nil
}

// lsListing is what ls --json prints.
type lsListing struct {
	Tables []discover.Entry `json:"tables"`
	Notes  []string         `json:"notes"`
}

func (o *lsOptions) run(_ context.Context, store storage.Store, stdout io.Writer) error {
	sel, err := o.sel.Selection()
	if err != nil {
		return err
	}
	if err := o.schema.load(store); err != nil {
		return err
	}
	o.schema.src.AnyName = false // many tables: each takes its own statements
	inv, err := scanBackup(store, o.paths)
	if err != nil {
		return err
	}
	entries, selErr := inv.List(store, sel, o.schema.src)
	if entries == nil && selErr != nil {
		return wordSelect(selErr)
	}
	// An ambiguous generation is shown in its line; a pattern that matches
	// nothing is the command line's mistake.
	if !errors.Is(selErr, discover.ErrNoMatch) {
		selErr = nil
	}
	if o.json {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if entries == nil {
			entries = []discover.Entry{}
		}
		if err := enc.Encode(lsListing{Tables: entries, Notes: append([]string{}, inv.Notes...)}); err != nil {
			return &OutputError{err}
		}
		return wordSelect(selErr)
	}
	tw := tabwriter.NewWriter(stdout, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "KEYSPACE\tTABLE\tID\tNODES\tSSTABLES\tBYTES\tFORMATS\tSCHEMA\tSTATUS")
	for _, e := range entries {
		table := e.Table
		if e.View {
			table += " (view)"
		}
		schema := e.Schema
		switch {
		case e.SchemaError != "":
			schema = "error: " + e.SchemaError
		case schema == "":
			schema = "none"
		case schema == o.schema.path:
			schema = "--schema"
		}
		status := "selected"
		if !e.Selected {
			status = "skipped: " + e.Reason
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%s\t%s\t%s\t%s\n", orDash(e.Keyspace), table, orDash(e.ID),
			len(e.Dirs), e.SSTables, strconv.FormatInt(e.Bytes, 10), strings.Join(e.Formats, ","), schema, status)
	}
	if err := tw.Flush(); err != nil {
		return &OutputError{err}
	}
	for _, n := range inv.Notes {
		fmt.Fprintln(stdout, "note:", n)
	}
	return wordSelect(selErr)
}
