package cli

import (
	"context"
	"encoding/json"
	"fmt"
	"io"

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
	paths     []string
	s3        s3Options
}

func newPlanCmd() *cobra.Command {
	o := &planOptions{}
	cmd := &cobra.Command{
		Use:   "plan INPUT...",
		Short: "Print how export would cut a table into units (token ranges and bytes per SSTable)",
		Args:  usageArgs(cobra.MinimumNArgs(1)),
		RunE:  runOn(&o.s3, &o.paths, o.run, false),
	}
	cmd.Flags().StringVar(&o.splitSize, "split-size", "256MiB", "target uncompressed SSTable bytes per unit")
	cmd.Flags().BoolVar(&o.json, "json", false, "print the plan as JSON")
	cmd.Flags().StringVar(&o.schema.path, "schema", "", "CQL schema file")
	cmd.Flags().StringVar(&o.base, "base", "", "plan an incremental run over this previous partitions-layout export, as export --base would")
	o.s3.AddFlags(cmd.Flags())
	o.s3.AddBackupFlags(cmd.Flags())
	return cmd
}

func (o *planOptions) run(ctx context.Context, store storage.Store, stdout io.Writer) error {
	split, err := parseSize(o.splitSize)
	if err != nil {
		return &UsageError{fmt.Errorf("--split-size: %w", err)}
	}
	t, tbl, err := o.schema.oneTable(store, o.paths)
	if err != nil {
		return err
	}
	bs, err := baseStore(ctx, &o.s3, o.base)
	if err != nil {
		return err
	}
	res, err := pipeline.Plan(ctx, store, pipeline.Options{Table: t, Schema: tbl, SplitSize: split, Base: o.base, BaseStore: bs})
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
	fmt.Fprintf(stdout, "table %s: %d sstables, %d units, split size %d\n", t, len(res.SSTables), len(res.Plan.Units), split)
	if res.Base != "" {
		fmt.Fprintf(stdout, "base %s\n", res.Base)
	}
	for _, u := range res.Plan.Units {
		fmt.Fprintf(stdout, "unit %d: tokens (%s, %s] %d bytes, ~%d partitions\n", u.ID, res.Lo[u.ID], res.Hi[u.ID], u.Bytes, u.Partitions)
		for _, r := range u.Ranges {
			fmt.Fprintf(stdout, "  %s [%d, %d)\n", res.SSTables[r.SSTable], r.Start, r.End)
		}
		if res.BaseParts != nil {
			for _, p := range res.BaseParts[u.ID] {
				fmt.Fprintf(stdout, "  base %s\n", p)
			}
		}
	}
	return nil
}
