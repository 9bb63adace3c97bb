package cli

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/pflag"

	"github.com/aegisthus/aegisthus/internal/discover"
)

// selectionFlags are the flags that choose tables among a backup's:
// --keyspace, --table and --exclude, each repeatable.
type selectionFlags struct {
	keyspaces, tables, excludes []string
}

// AddFlags adds the selection flags to fs.
func (s *selectionFlags) AddFlags(fs *pflag.FlagSet) {
	fs.StringArrayVar(&s.keyspaces, "keyspace", nil, "read this keyspace's tables (repeatable; globs: 'app_*'); system keyspaces only when named")
	fs.StringArrayVar(&s.tables, "table", nil, "read this table: ks.table, with globs ('ks.*', '*.events'); a bare name is any keyspace's; ks.table-<id> picks one generation (repeatable)")
	fs.StringArrayVar(&s.excludes, "exclude", nil, "skip the tables this matches: ks.table or ks, globs allowed (repeatable)")
}

// Selection returns the flags as a discover.Selection: --keyspace ks is ks.*,
// a --table without a keyspace is *.table.
func (s *selectionFlags) Selection() (discover.Selection, error) {
	var sel discover.Selection
	for _, k := range s.keyspaces {
		if k == "" || strings.Contains(k, ".") {
			return sel, &UsageError{fmt.Errorf("--keyspace %q: want a keyspace name or glob (tables go in --table ks.table)", k)}
		}
		sel.Include = append(sel.Include, k+".*")
	}
	for _, t := range s.tables {
		if t == "" {
			return sel, &UsageError{errors.New("--table \"\": want ks.table or a table name")}
		}
		if !strings.Contains(t, ".") {
			t = "*." + t
		}
		sel.Include = append(sel.Include, t)
	}
	sel.Exclude = append(sel.Exclude, s.excludes...)
	if err := sel.Check(); err != nil {
		return sel, &UsageError{err}
	}
	return sel, nil
}

// wordSelect classifies Select's errors: a pattern that matches nothing or a
// table whose generation must be chosen is for the command line to fix.
func wordSelect(err error) error {
	if errors.Is(err, discover.ErrNoMatch) || errors.Is(err, discover.ErrAmbiguousGeneration) {
		return &UsageError{err}
	}
	return err
}
