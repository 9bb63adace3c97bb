package cli

import (
	"github.com/spf13/cobra"

	"github.com/aegisthus/aegisthus/internal/discover"
)

// completeValues makes shell completion offer values for cmd's flag (cobra's
// generated completion scripts: aegisthus completion bash|zsh|fish|powershell).
func completeValues(cmd *cobra.Command, flag string, values ...string) {
	err := cmd.RegisterFlagCompletionFunc(flag, func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return values, cobra.ShellCompDirectiveNoFileComp
	})
	if err != nil {
		panic(err) // a flag name misspelled here: a bug, found by TestFlagCompletion
	}
}

// enumFlags are the flags whose values are a fixed list, wherever a command
// has them.
var enumFlags = map[string][]string{
	"layout":        {"rows", "partitions", "aegisthus"},
	"compress":      {"none", "gzip", "zstd"},
	"backup-layout": discover.Layouts,
}

// completeEnums registers value completion for cmd's enumerated flags and
// its subcommands'.
func completeEnums(cmd *cobra.Command) {
	for name, values := range enumFlags {
		if cmd.Flags().Lookup(name) != nil {
			completeValues(cmd, name, values...)
		}
	}
	for _, sub := range cmd.Commands() {
		completeEnums(sub)
	}
}
