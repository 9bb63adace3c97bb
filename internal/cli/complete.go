package cli

import (
	"github.com/spf13/cobra"
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
