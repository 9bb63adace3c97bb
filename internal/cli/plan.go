package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/aegisthus/aegisthus/internal/pipeline"
	"github.com/aegisthus/aegisthus/internal/storage"
)

// planOptions are the flags of `aegisthus plan`.
type planOptions struct {
	splitSize string
	json      bool
	base      string
	schema    schemaSource
	sel       selectionFlags
	paths     []string
	s3        s3Options
	// --out: a plan file for a scaled-out export (planfile.go)
	file planFileOptions
}

func newPlanCmd() *cobra.Command {
	o := &planOptions{}
	cmd := &cobra.Command{
		Use:   "plan INPUT...",
		Short: "Print how export would cut a table into units, or write a plan file for a scaled-out export (--out)",
		Long: `plan prints how export would cut each table into units (token ranges and bytes
per SSTable). With --out it writes a plan file instead: the inputs pinned (path,
size and, on S3, ETag of every component), each table's schema, --now, the
layout and options, and the units; "export --plan" runs it on any number of
machines (--shard I/N, --units) and "commit" joins their parts.`,
		Example: `  aegisthus plan node*/ks/t-1b2c.../snapshots/nightly --split-size 64MiB
  aegisthus plan node*/data --keyspace ks --json | jq '.plan.units | length'
  aegisthus plan node*/ks/t-*/snapshots/s1 --out plan.json --now 2024-06-01T00:00:00Z --shards 8
  aegisthus plan s3://backups/cluster1 --backup nightly --out s3://exports/plan.json --compress zstd`,
		Args: usageArgs(cobra.MinimumNArgs(1)),
		RunE: func(cmd *cobra.Command, args []string) error {
			if o.file.out == "" {
				return runOn(&o.s3, &o.paths, o.run, false)(cmd, args)
			}
			o.file.layoutSet = cmd.Flags().Changed("layout")
			o.file.compressSet = cmd.Flags().Changed("compress")
			return runOn(&o.s3, &o.paths, o.writePlan, false)(cmd, absPaths(args))
		},
	}
	cmd.Flags().StringVar(&o.splitSize, "split-size", "256MiB", "target uncompressed SSTable bytes per unit")
	cmd.Flags().BoolVar(&o.json, "json", false, "print the plan as JSON")
	cmd.Flags().StringVar(&o.schema.path, "schema", "", "CQL schema file")
	o.sel.AddFlags(cmd.Flags())
	cmd.Flags().StringVar(&o.base, "base", "", "plan an incremental run over this previous partitions-layout export, as export --base would")
	o.s3.AddFlags(cmd.Flags())
	o.s3.AddBackupFlags(cmd.Flags())
	o.file.AddFlags(cmd.Flags())
	return cmd
}

func (o *planOptions) run(ctx context.Context, store storage.Store, stdout io.Writer) error {
	split, err := parseSize(o.splitSize)
	if err != nil {
		return &UsageError{fmt.Errorf("--split-size: %w", err)}
	}
	if err := o.schema.load(store); err != nil {
		return err
	}
	sets, _, _, err := o.schema.selectTables(store, o.paths, &o.sel)
	if err != nil {
		return err
	}
	specs, err := o.schema.tableSpecs(store, sets)
	if err != nil {
		return err
	}
	bs, err := baseStore(ctx, &o.s3, o.base)
	if err != nil {
		return err
	}
	for _, sp := range specs {
		base := o.base
		if base != "" && len(specs) > 1 { // the previous many-table run: BASE/<ks>/<table>/
			if base = strings.TrimSuffix(base, "/") + "/" + sp.Table.Keyspace + "/" + sp.Table.Name; !bs.Exists(base + "/" + pipeline.ManifestFile) {
				base = ""
			}
		}
		if err := o.planTable(ctx, store, stdout, pipeline.Options{Table: sp.Table, Schema: sp.Schema, SplitSize: split, Base: base, BaseStore: bs}); err != nil {
			return err
		}
	}
	return nil
}

// planTable prints one table's plan.
func (o *planOptions) planTable(ctx context.Context, store storage.Store, stdout io.Writer, po pipeline.Options) error {
	t, split := po.Table, po.SplitSize
	res, err := pipeline.Plan(ctx, store, po)
	if err != nil {
		return wordPipeline(err)
	}
	if o.json {
		enc := json.NewEncoder(stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(res); err != nil {
			return &OutputError{err}
		}
		return nil
	}
	var in, scan, parts int64
	for _, u := range res.Plan.Units {
		in, scan, parts = in+u.Bytes, scan+u.Scan, parts+u.Partitions
	}
	fmt.Fprintf(stdout, "table %s: %d sstables, %d units, split size %s; %s uncompressed, read %s (units overlap at their ends), ~%d partitions (in every sstable holding them)\n",
		t, len(res.SSTables), len(res.Plan.Units), iec(split), iec(in), iec(scan), parts)
	if res.Base != "" {
		fmt.Fprintf(stdout, "base %s\n", res.Base)
	}
	for _, u := range res.Plan.Units {
		fmt.Fprintf(stdout, "unit %d: tokens (%s, %s] %s uncompressed, reads %s, ~%d partitions\n",
			u.ID, res.Lo[u.ID], res.Hi[u.ID], iec(u.Bytes), iec(u.Scan), u.Partitions)
		for _, r := range u.Ranges {
			fmt.Fprintf(stdout, "  %s [%d, %d) own %d\n", res.SSTables[r.SSTable], r.Start, r.End, r.Own)
		}
		if res.BaseParts != nil {
			for _, p := range res.BaseParts[u.ID] {
				fmt.Fprintf(stdout, "  base %s\n", p)
			}
		}
	}
	return nil
}
