package cli

import (
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// TestFlagsParse builds the command tree and parses every flag of every command
// (restic's flags_test): a flag registered twice, a shorthand clash or a default
// that does not parse shows up here rather than at a user's prompt.
func TestFlagsParse(t *testing.T) {
	root := NewRoot()
	var walk func(c *cobra.Command)
	n := 0
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			walk(sub)
		}
		if !c.Runnable() {
			return
		}
		n++
		fs := c.Flags()
		// Parsing a flag's own default back must succeed.
		var args []string
		fs.VisitAll(func(f *pflag.Flag) {
			if f.Value.Type() == "bool" {
				args = append(args, "--"+f.Name)
				return
			}
			if f.DefValue != "" && f.DefValue != "[]" {
				args = append(args, "--"+f.Name+"="+f.DefValue)
			}
		})
		if err := fs.Parse(args); err != nil {
			t.Errorf("%s: parsing %v: %v", c.CommandPath(), args, err)
		}
		// Every flag has a usage line.
		fs.VisitAll(func(f *pflag.Flag) {
			if strings.TrimSpace(f.Usage) == "" {
				t.Errorf("%s --%s: no usage text", c.CommandPath(), f.Name)
			}
		})
	}
	walk(root)
	for _, name := range []string{"dump", "verify", "metadata", "inspect"} {
		if c, _, err := root.Find([]string{name}); err != nil || c.Name() != name {
			t.Errorf("command %s is not registered", name)
		}
	}
	if n < 2 {
		t.Errorf("found %d runnable commands", n)
	}
}

// TestUsageErrors checks that bad flags and arguments map to exit code 2.
func TestUsageErrors(t *testing.T) {
	tests := [][]string{
		{"verify", "--no-such-flag", "x"},
		{"verify"},
		{"verify", "--quiet", "--verbose", "x"},
		{"metadata"},
		{"metadata", "--gc-grace-seconds=abc", "x"},
		{"metadata", "--now=yesterday", "x"},
		{"inspect"},
		{"inspect", "--limit=-5", "x"},
		// inspect takes many paths (issue 15); a missing one is bad input, not usage.
		{"inspect", "--limit=-5", "a", "b"},
		{"export", "--out", "o", "--format", "csv", "x"},
		{"export", "--out", "o", "--format", "parquet", "--layout", "partitions", "x"},
		{"export", "--out", "o", "--format", "parquet", "--compress", "lz4", "x"},
		{"export", "--out", "o", "--compress", "snappy", "x"},
		{"export", "--out", "o", "--format", "parquet", "--row-group-size", "big", "x"},
		{"commit"},
		{"status", "--plan", "p.json"},
		{"export", "--plan", "p.json", "--out", "o", "input"},
		{"export", "--plan", "p.json", "--out", "o", "--now", "2024-01-01"},
		{"export", "--plan", "p.json", "--out", "o", "--layout", "partitions"},
	}
	for _, args := range tests {
		t.Run(strings.Join(args, " "), func(t *testing.T) {
			root := NewRoot()
			root.SetArgs(args)
			root.SetOut(new(strings.Builder))
			root.SetErr(new(strings.Builder))
			err := root.Execute()
			if got := ExitCode(err); got != ExitUsage {
				t.Errorf("exit code %d (%v), want %d", got, err, ExitUsage)
			}
		})
	}
}

// TestFlagsConsistent checks that a flag means one thing across commands:
// -k is --key and -v is --verbose wherever they exist, enumerated flags
// complete their values, and every command has an example.
func TestFlagsConsistent(t *testing.T) {
	root := NewRoot()
	if f := root.Flags().Lookup("version"); f == nil || f.Shorthand != "" {
		t.Errorf("--version: %+v, want it spelled out (-v is --verbose)", f)
	}
	var walk func(c *cobra.Command)
	walk = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			walk(sub)
		}
		if c.Hidden || c.Name() == "help" || c.Name() == "completion" || c.HasParent() && c.Parent().Name() == "completion" {
			return
		}
		if strings.TrimSpace(c.Example) == "" {
			t.Errorf("%s: no example", c.CommandPath())
		}
		for short, long := range map[string]string{"k": "key", "v": "verbose"} {
			if f := c.Flags().ShorthandLookup(short); f != nil && f.Name != long {
				t.Errorf("%s: -%s is --%s, want --%s", c.CommandPath(), short, f.Name, long)
			}
		}
		for name, values := range enumFlags {
			if c.Flags().Lookup(name) == nil {
				continue
			}
			fn, ok := c.GetFlagCompletionFunc(name)
			if !ok {
				t.Errorf("%s --%s: no value completion", c.CommandPath(), name)
				continue
			}
			if got, _ := fn(c, nil, ""); strings.Join(got, ",") != strings.Join(values, ",") {
				t.Errorf("%s --%s completes %v, want %v", c.CommandPath(), name, got, values)
			}
		}
	}
	walk(root)
	for _, cmd := range []string{"export", "dump"} {
		c, _, _ := root.Find([]string{cmd})
		if f := c.Flags().ShorthandLookup("k"); f == nil {
			t.Errorf("%s has no -k/--key", cmd)
		}
	}
	if !strings.Contains(root.Example, "aegisthus export") {
		t.Errorf("the top-level examples leave out export")
	}
}
