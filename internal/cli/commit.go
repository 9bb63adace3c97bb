package cli

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"runtime"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/aegisthus/aegisthus/internal/pipeline"
	"github.com/aegisthus/aegisthus/internal/sink"
)

// commitOptions are the flags of `aegisthus commit` and `aegisthus status`.
type commitOptions struct {
	plan    string
	out     string
	workers int
	shards  int
	json    bool
	s3      s3Options
}

func (o *commitOptions) AddFlags(fs *pflag.FlagSet, status bool) {
	o.s3.AddFlags(fs)
	fs.StringVar(&o.plan, "plan", "", "the plan file the shards ran (required)")
	fs.StringVarP(&o.out, "out", "o", "", "the output the shards wrote (required)")
	fs.IntVar(&o.shards, "shards", 0, "the number of shards, to name those to run again (default: the shards' records, else the plan's)")
	if status {
		fs.BoolVar(&o.json, "json", false, "print the status as JSON (with the units left to run)")
	} else {
		fs.IntVarP(&o.workers, "workers", "w", runtime.NumCPU(), "parts whose checksum is verified at once")
	}
}

func (o *commitOptions) validate() error {
	if o.plan == "" || o.out == "" {
		return &UsageError{errors.New("--plan and --out are required")}
	}
	if o.shards < 0 {
		return &UsageError{fmt.Errorf("--shards %d: want 1 or more", o.shards)}
	}
	return nil
}

// open reads --plan and opens --out.
func (o *commitOptions) open(ctx context.Context) (*pipeline.PlanFile, sink.Sink, error) {
	pf, err := o.s3.readPlan(ctx, o.plan)
	if err != nil {
		return nil, nil, err
	}
	out, err := o.s3.sink(ctx, o.out)
	if err != nil {
		return nil, nil, err
	}
	return pf, out, nil
}

func newCommitCmd() *cobra.Command {
	o := &commitOptions{}
	cmd := &cobra.Command{
		Use:   "commit --plan PLAN --out OUT",
		Short: "Join the parts the shards of a plan wrote: check every unit, then write _manifest.json and _SUCCESS",
		Long: `commit checks that every unit of the plan has exactly one committed part, with
the checksum its record and its shard's record give, and then writes each table's
_manifest.json and _SUCCESS (and the top-level ones for many tables): the output a
one-machine export of the plan writes. With a unit missing or wrong it writes no
_SUCCESS, names the units and the shards to run again, and exits 5.`,
		Example: `  aegisthus commit --plan s3://exports/plan.json --out s3://exports/2024-06-01`,
		Args:    usageArgs(cobra.NoArgs),
		PreRunE: func(*cobra.Command, []string) error { return o.validate() },
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			pf, out, err := o.open(ctx)
			if err != nil {
				return err
			}
			sum, err := pf.Commit(ctx, out, pipeline.CommitOptions{Workers: o.workers, Shards: o.shards})
			if err != nil {
				return classifyPipeline(err)
			}
			fmt.Fprintf(cmd.OutOrStdout(), "committed plan %s: %d tables, %d units, %d rows, %d bytes in %s\n",
				pf.ID(), sum.Tables, sum.Units, sum.Rows, sum.Bytes, o.out)
			return nil
		},
	}
	o.AddFlags(cmd.Flags(), false)
	return cmd
}

func newStatusCmd() *cobra.Command {
	o := &commitOptions{}
	cmd := &cobra.Command{
		Use:     "status --plan PLAN --out OUT",
		Short:   "Show the progress of a plan's shards in an output: units done, bytes, rows",
		Example: `  watch aegisthus status --plan s3://exports/plan.json --out s3://exports/2024-06-01`,
		Args:    usageArgs(cobra.NoArgs),
		PreRunE: func(*cobra.Command, []string) error { return o.validate() },
		RunE: func(cmd *cobra.Command, _ []string) error {
			ctx := cmd.Context()
			pf, out, err := o.open(ctx)
			if err != nil {
				return err
			}
			st, err := pf.Status(ctx, out, o.shards)
			if err != nil {
				return classifyPipeline(err)
			}
			return printStatus(cmd.OutOrStdout(), st, o.json)
		},
	}
	o.AddFlags(cmd.Flags(), true)
	return cmd
}

func printStatus(w io.Writer, st *pipeline.Status, asJSON bool) error {
	if asJSON {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		if err := enc.Encode(st); err != nil {
			return &OutputError{err}
		}
		return nil
	}
	pct := func(a, b int64) float64 {
		if b == 0 {
			return 100
		}
		return 100 * float64(a) / float64(b)
	}
	state := "running"
	if st.Committed {
		state = "committed"
	} else if st.UnitsDone == st.Units {
		state = "every unit done: run aegisthus commit"
	}
	fmt.Fprintf(w, "plan %s: %d/%d units, %d/%d bytes (%.1f%%), %d rows, %d bytes out: %s\n",
		st.Plan, st.UnitsDone, st.Units, st.BytesDone, st.Bytes, pct(st.BytesDone, st.Bytes), st.Rows, st.BytesOut, state)
	for _, s := range st.Shards {
		fin := ""
		if s.Finished {
			fin = " finished"
		}
		fmt.Fprintf(w, "  shard %d/%d: %d/%d units, %.1f%% of %d bytes, %d rows%s\n", s.Shard, len(st.Shards), s.UnitsDone, s.Units,
			pct(s.BytesDone, s.Bytes), s.Bytes, s.Rows, fin)
	}
	for _, t := range st.Tables {
		fin := ""
		if t.Committed {
			fin = " committed"
		}
		fmt.Fprintf(w, "  table %s: %d/%d units, %d rows%s\n", t.Table, t.UnitsDone, t.Units, t.Rows, fin)
	}
	return nil
}
