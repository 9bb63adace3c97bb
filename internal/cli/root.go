// Package cli holds one file per aegisthus command: its options, flags, validation
// and run function. Only cmd/aegisthus prints errors and chooses exit codes, through
// ExitCode.
package cli

import (
	"errors"
	"fmt"
	"os"
	"runtime/pprof"
	"strings"
	"syscall"

	"github.com/spf13/cobra"

	"github.com/aegisthus/aegisthus/internal/inspect"
	"github.com/aegisthus/aegisthus/internal/sstable"
	"github.com/aegisthus/aegisthus/internal/storage"
	s3store "github.com/aegisthus/aegisthus/internal/storage/s3"
)

// Version is set at build time with -ldflags "-X .../internal/cli.Version=...".
var Version = "dev"

// Exit codes. They are part of the interface cron jobs rely on.
const (
	ExitOK       = 0
	ExitBadInput = 1 // corrupt or unsupported input, failed verification
	ExitUsage    = 2 // bad flags or arguments
	ExitOutput   = 3 // the sink failed (disk full, S3 error)
	ExitInternal = 4 // anything else
	ExitPartial  = 5 // some tables failed; the others are complete; see OUT/_manifest.json
	// ExitUnreachable: the S3 endpoint could not be reached (refused, no such
	// host, timeouts): nothing is wrong with the input or the output.
	ExitUnreachable = 6
	// A run stopped by a signal exits 128 + its number, as shells report it:
	// 130 for SIGINT (Ctrl-C), 143 for SIGTERM (kill, Kubernetes, AWS Batch).
	ExitSIGINT  = 130
	ExitSIGTERM = 143
)

// SignalExitCode is the exit code of a run stopped by sig.
func SignalExitCode(sig os.Signal) int {
	if s, ok := sig.(syscall.Signal); ok {
		return 128 + int(s)
	}
	return ExitSIGINT
}

// UsageError marks an error caused by how the command was called.
type UsageError struct{ Err error }

func (e *UsageError) Error() string { return e.Err.Error() }
func (e *UsageError) Unwrap() error { return e.Err }

// OutputError marks a failure to write output.
type OutputError struct{ Err error }

func (e *OutputError) Error() string { return e.Err.Error() }
func (e *OutputError) Unwrap() error { return e.Err }

// PartialError marks a many-table export in which some tables failed and
// the others are complete.
type PartialError struct{ Err error }

func (e *PartialError) Error() string { return e.Err.Error() }
func (e *PartialError) Unwrap() error { return e.Err }

// ExitCode maps an error returned by a command to the process exit code.
func ExitCode(err error) int {
	var ue *UsageError
	var oe *OutputError
	switch {
	case err == nil:
		return ExitOK
	case errors.Is(err, s3store.ErrUnreachable):
		return ExitUnreachable
	case errors.Is(err, s3store.ErrNoCredentials): // the environment, not the input
		return ExitUsage
	case errors.As(err, &ue):
		return ExitUsage
	case errors.As(err, &oe):
		return ExitOutput
	case errors.As(err, new(*PartialError)):
		return ExitPartial
	case errors.Is(err, sstable.ErrCorrupt), errors.Is(err, sstable.ErrUnsupported), errors.Is(err, ErrInput):
		return ExitBadInput
	case errors.Is(err, storage.ErrTooLarge), errors.Is(err, storage.ErrNotRegular): // a component above its limit, a FIFO named like one
		return ExitBadInput
	case errors.As(err, new(*s3store.Error)): // reading inputs from S3; the sink's errors are OutputErrors
		return ExitBadInput
	case errors.Is(err, sstable.ErrNeedsSchema): // nothing wrong with the input: give --schema
		return ExitUsage
	}
	return ExitInternal
}

// ErrInput marks input problems that are neither corrupt nor unsupported bytes:
// a missing file, a missing component, a failed verification. It is the
// reports' own (inspect.ErrInput), so that their errors and cli's map to the
// same exit code.
var ErrInput = inspect.ErrInput

// NewRoot builds the command tree.
func NewRoot() *cobra.Command {
	root := &cobra.Command{
		Use:   "aegisthus",
		Short: "Read Cassandra SSTables offline: export, dump, inspect",
		Long: `aegisthus reads Apache Cassandra SSTables (1.2 to 5.0) straight from snapshots
and backups, without touching the live cluster.`,
		Example: `  # export a table from every replica's snapshot, merged like a read at ALL
  aegisthus export node*/ks/t-1b2c.../snapshots/nightly --out /data/t --now 2024-06-01T00:00:00Z

  # print the live CQL rows of one SSTable, as SELECT JSON * would
  aegisthus dump --rows ks/t-1b2c.../nb-1-big-Data.db

  # what sstabledump prints
  aegisthus dump ks/t-1b2c.../snapshots/nightly

  # what sstablemetadata prints, as JSON
  aegisthus metadata --json nb-1-big-Data.db

  # check every chunk checksum and digest
  aegisthus verify /var/lib/cassandra/data/ks`,
		Version:       Version,
		SilenceUsage:  true,
		SilenceErrors: true,
		// Without Args, cobra reports an unknown command with an untyped error
		// (exit 4); this way it is a usage error (exit 2), with suggestions.
		Args: cobra.ArbitraryArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 {
				return cmd.Help()
			}
			msg := fmt.Sprintf("unknown command %q for %q", args[0], cmd.CommandPath())
			if s := cmd.SuggestionsFor(args[0]); len(s) > 0 {
				msg += "; did you mean " + strings.Join(s, " or ") + "?"
			}
			return &UsageError{errors.New(msg + " (see aegisthus --help)")}
		},
	}
	root.SuggestionsMinimumDistance = 2
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &UsageError{err} })
	// --cpuprofile is for us, not for users: a CPU profile of one real run
	// (go tool pprof bin/aegisthus FILE), hidden from --help.
	var cpuProfile string
	root.PersistentFlags().StringVar(&cpuProfile, "cpuprofile", "", "write a CPU profile to this file")
	root.PersistentFlags().MarkHidden("cpuprofile")
	addLogFormat(root)
	root.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error {
		if err := checkLogFormat(cmd); err != nil {
			return err
		}
		if cpuProfile == "" || cmd.RunE == nil {
			return nil
		}
		f, err := os.Create(cpuProfile)
		if err != nil {
			return &UsageError{err}
		}
		if err := pprof.StartCPUProfile(f); err != nil {
			f.Close()
			return &UsageError{err}
		}
		// Wrap the command rather than use PersistentPostRun, which cobra skips
		// when the command fails: a failing run's profile is the interesting one.
		run := cmd.RunE
		cmd.RunE = func(cmd *cobra.Command, args []string) error {
			defer func() { pprof.StopCPUProfile(); f.Close() }()
			return run(cmd, args)
		}
		return nil
	}
	root.AddCommand(newDumpCmd())
	root.AddCommand(newExportCmd())
	root.AddCommand(newPlanCmd())
	root.AddCommand(newCommitCmd())
	root.AddCommand(newStatusCmd())
	root.AddCommand(newLsCmd())
	root.AddCommand(newVerifyCmd())
	root.AddCommand(newMetadataCmd())
	root.AddCommand(newInspectCmd())
	// --version is spelled out: -v is --verbose, as in sstableverify.
	root.Flags().Bool("version", false, "print the version")
	root.AddCommand(&cobra.Command{
		Use:     "version",
		Short:   "Print the version",
		Example: "  aegisthus version",
		Args:    cobra.NoArgs,
		Run:     func(cmd *cobra.Command, _ []string) { fmt.Fprintln(cmd.OutOrStdout(), "aegisthus", Version) },
	})
	completeEnums(root)
	return root
}

// usageArgs marks cobra's argument-count errors as usage errors.
func usageArgs(check cobra.PositionalArgs) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if err := check(cmd, args); err != nil {
			return &UsageError{err}
		}
		return nil
	}
}
