package cli

import (
	"errors"
	"fmt"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/aegisthus/aegisthus/internal/pipeline"
	"github.com/aegisthus/aegisthus/internal/storage"
)

// Environment variables that give a process its shard index: a Kubernetes
// Indexed Job's pod and an AWS Batch array job's child.
var shardIndexEnv = []string{"JOB_COMPLETION_INDEX", "AWS_BATCH_JOB_ARRAY_INDEX"}

// stallEnv, for tests of killed and racing shards, of killed exports and of
// the progress bar, holds each part written in full for a while (a duration,
// "2s") before its commit.
const stallEnv = "AEGISTHUS_TEST_STALL"

// testStall is the stall stallEnv asks for: 0 when unset or not a duration.
func testStall() time.Duration {
	d, _ := time.ParseDuration(os.Getenv(stallEnv))
	return max(d, 0)
}

// scaleOptions are export's flags for running a plan file.
type scaleOptions struct {
	plan   string
	shard  string
	shards int
	units  string
}

func (o *scaleOptions) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.plan, "plan", "", "run a plan file made by aegisthus plan --out (local or s3://) instead of INPUTs; without --shard, --units or a shard index in the environment, the whole plan, committed")
	fs.StringVar(&o.shard, "shard", "", "with --plan: run only shard I of N, as I/N (default: the index in JOB_COMPLETION_INDEX or AWS_BATCH_JOB_ARRAY_INDEX); then aegisthus commit")
	fs.IntVar(&o.shards, "shards", 0, "with --plan: N, when the shard index comes from the environment (default: the plan's --shards)")
	fs.StringVar(&o.units, "units", "", "with --plan: run exactly these units (global ids across tables, as aegisthus status lists them: 3,17,42 or 3-9); then aegisthus commit")
}

// exportArgs are export's arguments: INPUTs, or none with --plan.
func exportArgs(cmd *cobra.Command, args []string) error {
	if f := cmd.Flags().Lookup("plan"); f != nil && f.Value.String() != "" {
		if len(args) > 0 {
			return fmt.Errorf("--plan names the inputs: give no INPUT (got %s)", strings.Join(args, " "))
		}
		return nil
	}
	return cobra.MinimumNArgs(1)(cmd, args)
}

// shapingFlags are export flags a plan fixes: given with --plan, they are refused.
var shapingFlags = []string{"split-size", "now", "compress", "layout", "schema", "columns", "writetime", "ttl",
	"token-range", "keys", "base", "resume", "overwrite", "max-errors", "fail-fast", "keyspace", "table", "exclude",
	"backup", "backup-layout", "nodes"}

// shardSel is which units of a plan a run takes.
type shardSel struct {
	units         []int
	shard, shards int // shard -1: --units
	whole         bool
}

// pick reads --shard, --units and the environment.
func (o *scaleOptions) pick(pf *pipeline.PlanFile) (shardSel, error) {
	if o.units != "" {
		if o.shard != "" {
			return shardSel{}, &UsageError{errors.New("--units and --shard exclude each other")}
		}
		ids, err := parseUnits(o.units, pf.Units)
		if err != nil {
			return shardSel{}, &UsageError{fmt.Errorf("--units: %w", err)}
		}
		return shardSel{units: ids, shard: -1}, nil
	}
	var i, n int
	switch {
	case o.shard != "":
		a, b, ok := strings.Cut(o.shard, "/")
		var err1, err2 error
		i, err1 = strconv.Atoi(a)
		n, err2 = strconv.Atoi(b)
		if !ok || err1 != nil || err2 != nil || n < 1 || i < 0 || i >= n {
			return shardSel{}, &UsageError{fmt.Errorf("--shard %q: want I/N with 0 <= I < N", o.shard)}
		}
	default:
		env, val := "", ""
		for _, e := range shardIndexEnv {
			if v := os.Getenv(e); v != "" {
				env, val = e, v
				break
			}
		}
		if env == "" {
			all := make([]int, pf.Units)
			for u := range all {
				all[u] = u
			}
			return shardSel{units: all, shard: 0, shards: 1, whole: true}, nil
		}
		n = o.shards
		if n == 0 {
			n = pf.Shards
		}
		var err error
		if i, err = strconv.Atoi(val); err != nil || i < 0 {
			return shardSel{}, &UsageError{fmt.Errorf("%s=%q: not a shard index", env, val)}
		}
		if n == 0 {
			return shardSel{}, &UsageError{fmt.Errorf("%s=%s gives the shard index but not the number of shards: give --shards N (or plan --shards N)", env, val)}
		}
		if i >= n {
			return shardSel{}, &UsageError{fmt.Errorf("%s=%d: the run has %d shards", env, i, n)}
		}
	}
	return shardSel{units: pf.ShardUnits(i, n), shard: i, shards: n}, nil
}

// parseUnits reads --units: ids and ranges (3,17,40-42) below n, sorted.
func parseUnits(s string, n int) ([]int, error) {
	var ids []int
	for _, f := range strings.Split(s, ",") {
		f = strings.TrimSpace(f)
		a, b, isRange := strings.Cut(f, "-")
		lo, err := strconv.Atoi(a)
		hi := lo
		if err == nil && isRange {
			hi, err = strconv.Atoi(b)
		}
		if err != nil || lo < 0 || hi < lo {
			return nil, fmt.Errorf("%q is not a unit id or range", f)
		}
		if hi >= n {
			return nil, fmt.Errorf("unit %d: the plan has units 0 to %d", hi, n-1)
		}
		for u := lo; u <= hi; u++ {
			ids = append(ids, u)
		}
	}
	slices.Sort(ids)
	return slices.Compact(ids), nil
}

// runPlan is export --plan: the units of a shard (or of --units, or all of
// them, then committed) of a plan file.
func (o *exportOptions) runPlan(cmd *cobra.Command) error {
	ctx, stderr := cmd.Context(), cmd.ErrOrStderr()
	for _, f := range shapingFlags {
		if cmd.Flags().Changed(f) {
			return &UsageError{fmt.Errorf("--%s: the plan fixes what shapes the output; give it to aegisthus plan --out", f)}
		}
	}
	pf, err := o.s3.readPlan(ctx, o.scale.plan)
	if err != nil {
		return err
	}
	sel, err := o.scale.pick(pf)
	if err != nil {
		return err
	}
	raw, err := o.s3.store(ctx, pf.Inputs)
	if err != nil {
		return err
	}
	store := raw
	if pf.Framed {
		store = storage.SnappyFramed{Inner: raw}
	}
	po, out, prog, err := o.start(ctx, stderr)
	if err != nil {
		return err
	}
	log := po.Log
	log.Info("running a plan", "plan", pf.ID(), "units", len(sel.units), "of", pf.Units, "shard", shardName(sel), "out", o.out)
	so := pipeline.ShardOptions{Workers: o.workers, Version: Version, Log: log,
		Progress: po.Progress, Units: sel.units, Shard: sel.shard, Shards: sel.shards, Pin: raw}
	so.Stall = testStall()
	rec, err := pf.RunShard(ctx, store, out, so)
	if err != nil {
		prog.finish()
		return withHints(classifyPipeline(err))
	}
	var rows int64
	for _, u := range rec.Units {
		rows += u.Rows
	}
	if !sel.whole {
		prog.finish()
		log.Info("shard done", "shard", shardName(sel), "units", len(rec.Units), "resumed_units", rec.Resumed, "rows", rows,
			"seconds", fmt.Sprintf("%.1f", rec.DurationS), "out", o.out)
		return nil
	}
	sum, err := pf.Commit(ctx, out, pipeline.CommitOptions{Workers: o.workers})
	prog.finish()
	if err != nil {
		return classifyPipeline(err)
	}
	log.Info("export done", "tables", sum.Tables, "units", sum.Units, "resumed_units", rec.Resumed, "rows", sum.Rows,
		"bytes_out", sum.Bytes, "out", o.out)
	return nil
}

func shardName(s shardSel) string {
	if s.shard < 0 {
		return "units"
	}
	return fmt.Sprintf("%d/%d", s.shard, s.shards)
}
