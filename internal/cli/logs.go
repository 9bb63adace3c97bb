package cli

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"sync"

	"github.com/spf13/cobra"
)

// logFormatFlag is the root's persistent --log-format: how every command
// logs on stderr, and how main prints the error that ends a run.
const logFormatFlag = "log-format"

// logFormats are --log-format's values.
var logFormats = []string{"text", "json"}

// addLogFormat adds --log-format to root, for every command.
func addLogFormat(root *cobra.Command) {
	root.PersistentFlags().String(logFormatFlag, "text", "log format on stderr: text or json (one JSON object per line, errors included)")
	completeValues(root, logFormatFlag, logFormats...)
}

// logFormatOf is cmd's --log-format, "text" when unset or unknown.
func logFormatOf(cmd *cobra.Command) string {
	if f := cmd.Flags().Lookup(logFormatFlag); f != nil && f.Value.String() == "json" {
		return "json"
	}
	return "text"
}

// checkLogFormat is a usage error for a --log-format that is neither text
// nor json.
func checkLogFormat(cmd *cobra.Command) error {
	f := cmd.Flags().Lookup(logFormatFlag)
	if f == nil || f.Value.String() == "text" || f.Value.String() == "json" {
		return nil
	}
	return &UsageError{fmt.Errorf("--log-format %q: want text or json", f.Value.String())}
}

// newLogger logs at level and above to w, as text or JSON.
func newLogger(format string, level slog.Level, w io.Writer) *slog.Logger {
	opts := &slog.HandlerOptions{Level: level}
	if format == "json" {
		return slog.New(slog.NewJSONHandler(w, opts))
	}
	return slog.New(slog.NewTextHandler(w, opts))
}

// switchWriter is a writer whose destination can change: a logger made before
// the progress bar exists (the S3 client's) writes above the bar once it does.
type switchWriter struct {
	mu sync.Mutex
	w  io.Writer
}

func (s *switchWriter) set(w io.Writer) {
	s.mu.Lock()
	s.w = w
	s.mu.Unlock()
}

func (s *switchWriter) Write(b []byte) (int, error) {
	s.mu.Lock()
	w := s.w
	s.mu.Unlock()
	return w.Write(b)
}

// exitCategories name the exit codes in logs.
var exitCategories = map[int]string{
	ExitOK: "ok", ExitBadInput: "bad input", ExitUsage: "usage", ExitOutput: "output",
	ExitInternal: "internal", ExitPartial: "partial", ExitUnreachable: "unreachable",
	ExitSIGINT: "interrupted", ExitSIGTERM: "terminated",
}

// ExitCategory names an exit code: "bad input", "usage", "interrupted"...
func ExitCategory(code int) string {
	if c, ok := exitCategories[code]; ok {
		return c
	}
	return "signal"
}

// PrintError prints the error that ends a run of root with args, with its
// exit code: "aegisthus: msg" as text, or, when the run's --log-format is
// json, one JSON object like every other line of the run's stderr.
func PrintError(w io.Writer, root *cobra.Command, args []string, err error, code int) {
	cmd := root
	if c, _, ferr := root.Find(args); ferr == nil && c != nil {
		cmd = c
	}
	if logFormatOf(cmd) != "json" {
		fmt.Fprintln(w, "aegisthus:", err)
		return
	}
	newLogger("json", slog.LevelError, w).LogAttrs(context.Background(), slog.LevelError, err.Error(),
		slog.Int("exit_code", code), slog.String("category", ExitCategory(code)))
}
