package discover

import (
	"errors"
	"fmt"
	"path"
	"slices"
	"strings"
)

// Selection chooses tables by keyspace.table patterns: "ks.t", "ks.*",
// "*.events"; a bare "ks" is "ks.*". A table part may end in -<id> (the 32 hex
// digits of its directory) to choose one generation of a table. Globs are
// path.Match's. An empty Include is every table.
type Selection struct {
	Include, Exclude []string
}

// Skip is a table (or one generation of it) Select did not choose, and why.
type Skip struct {
	Table  string // ks.table
	ID     string // its table id, "" when none
	Reason string
}

// SystemKeyspaces are Cassandra's own keyspaces: skipped unless an include
// pattern names the keyspace without a glob.
var SystemKeyspaces = []string{"system", "system_schema", "system_auth", "system_distributed", "system_traces", "system_views", "system_virtual_schema"}

// Skip reasons (a Reason starts with one of these).
const (
	ReasonSystem     = "system keyspace"
	ReasonView       = "materialized view not named"
	ReasonExcluded   = "excluded by"
	ReasonOlder      = "older generation of"
	ReasonOther      = "other generation of"
	ReasonAmbiguous  = "ambiguous generation of"
	ReasonNotMatched = "not matched"
)

// ErrAmbiguousGeneration is returned by Select when a chosen table has several
// generations and nothing says which is current.
var ErrAmbiguousGeneration = errors.New("several generations and none known current")

// ErrNoMatch is returned by Select when an include pattern matches no table.
var ErrNoMatch = errors.New("matches no table")

// pattern is one parsed Include or Exclude entry.
type pattern struct {
	raw, ks, table, id string
}

func parsePattern(s string) (pattern, error) {
	p := pattern{raw: s}
	ks, table, ok := strings.Cut(s, ".")
	if !ok {
		table = "*"
	}
	if i := strings.LastIndexByte(table, '-'); i >= 0 && len(table)-i-1 == 32 && isHex(table[i+1:]) {
		table, p.id = table[:i], strings.ToLower(table[i+1:])
	}
	p.ks, p.table = ks, table
	for _, part := range []string{ks, table} {
		if part == "" {
			return p, fmt.Errorf("table pattern %q: want keyspace.table (globs allowed), or a keyspace", s)
		}
		if _, err := path.Match(part, ""); err != nil {
			return p, fmt.Errorf("table pattern %q: %w", s, err)
		}
	}
	return p, nil
}

func (p pattern) match(t *SSTableSet) bool {
	ks, _ := path.Match(p.ks, t.Keyspace)
	tb, _ := path.Match(p.table, t.Name)
	return ks && tb && (p.id == "" || p.id == t.ID)
}

// namesKeyspace: the pattern spells the keyspace out (a system keyspace is read then).
func (p pattern) namesKeyspace() bool { return !hasGlob(p.ks) }

// namesTable: the pattern spells the table out (a view is read then).
func (p pattern) namesTable() bool { return !hasGlob(p.ks) && !hasGlob(p.table) }

func hasGlob(s string) bool { return strings.ContainsAny(s, `*?[\`) }

// candidate is one set Select weighs, with what it is.
type candidate struct {
	t       *SSTableSet
	current *SSTableSet // the current generation of a superseded set
	gens    []string    // every id of an ambiguous set's table
}

// Select chooses the tables sel names among inv's. It returns them (sorted by
// name) and every set not chosen with the reason: system keyspace, view not
// named, excluded, older generation, not matched. Views and system keyspaces are
// chosen only when an include pattern names them; an older generation only by
// its id. It also returns, joined in the error, each include pattern that
// matches nothing (ErrNoMatch) and each chosen table whose generations are
// ambiguous (ErrAmbiguousGeneration): with such an error the lists are still
// filled in, for a listing.
func (inv *Inventory) Select(sel Selection) ([]*SSTableSet, []Skip, error) {
	incl, excl, err := sel.parse()
	if err != nil {
		return nil, nil, err
	}
	var cands []candidate
	for _, t := range inv.Tables {
		cands = append(cands, candidate{t: t})
	}
	for _, t := range inv.Superseded {
		c := candidate{t: t}
		for _, cur := range inv.Tables {
			if cur.String() == t.String() {
				c.current = cur
			}
		}
		cands = append(cands, c)
	}
	for _, t := range inv.Ambiguous {
		c := candidate{t: t}
		for _, o := range inv.Ambiguous {
			if o.String() == t.String() {
				c.gens = append(c.gens, idOrNone(o.ID))
			}
		}
		cands = append(cands, c)
	}
	used := make([]bool, len(incl))
	// chosenID: ks.table → the id an include pattern chose for it.
	chosenID := map[string]string{}
	for _, c := range cands {
		for _, p := range incl {
			if p.id != "" && p.match(c.t) {
				chosenID[c.t.String()] = c.t.ID
			}
		}
	}
	var chosen []*SSTableSet
	var skips []Skip
	var errs []error
	reported := map[string]bool{} // ambiguous tables already in errs
	for _, c := range cands {
		t := c.t
		skip := func(reason string) { skips = append(skips, Skip{Table: t.String(), ID: t.ID, Reason: reason}) }
		var matched []pattern
		for i, p := range incl {
			if p.match(t) {
				matched = append(matched, p)
				used[i] = true
			}
		}
		if i := slices.IndexFunc(excl, func(p pattern) bool { return p.match(t) }); i >= 0 {
			skip(ReasonExcluded + " " + excl[i].raw)
			continue
		}
		if id, ok := chosenID[t.String()]; ok {
			if id != t.ID {
				skip(fmt.Sprintf("%s %s (chosen: %s)", ReasonOther, t, id))
				continue
			}
			if len(matched) > 0 {
				chosen = append(chosen, t)
				continue
			}
		}
		if len(incl) > 0 && len(matched) == 0 {
			skip(ReasonNotMatched)
			continue
		}
		if slices.Contains(SystemKeyspaces, t.Keyspace) && !slices.ContainsFunc(matched, pattern.namesKeyspace) {
			skip(ReasonSystem)
			continue
		}
		if t.View && !slices.ContainsFunc(matched, pattern.namesTable) {
			skip(ReasonView)
			continue
		}
		switch {
		case c.current != nil:
			skip(fmt.Sprintf("%s %s (current: %s)", ReasonOlder, t, c.current.ID))
			continue
		case c.gens != nil:
			skip(fmt.Sprintf("%s %s (ids %s)", ReasonAmbiguous, t, strings.Join(c.gens, ", ")))
			if !reported[t.String()] {
				reported[t.String()] = true
				errs = append(errs, fmt.Errorf("%s: %w (ids %s): name one as %s-<id>", t, ErrAmbiguousGeneration, strings.Join(c.gens, ", "), t))
			}
			continue
		}
		chosen = append(chosen, t)
	}
	for i, p := range incl {
		if !used[i] {
			errs = append(errs, fmt.Errorf("table pattern %q %w; the inputs hold %s", p.raw, ErrNoMatch, inv.names()))
		}
	}
	slices.SortStableFunc(chosen, func(a, b *SSTableSet) int { return strings.Compare(a.String(), b.String()) })
	slices.SortStableFunc(skips, func(a, b Skip) int { return strings.Compare(a.Table, b.Table) })
	return chosen, skips, errors.Join(errs...)
}

// Check reports the first pattern of sel that does not parse.
func (sel Selection) Check() error {
	_, _, err := sel.parse()
	return err
}

func (sel Selection) parse() (incl, excl []pattern, err error) {
	for _, s := range sel.Include {
		p, err := parsePattern(s)
		if err != nil {
			return nil, nil, err
		}
		incl = append(incl, p)
	}
	for _, s := range sel.Exclude {
		p, err := parsePattern(s)
		if err != nil {
			return nil, nil, err
		}
		excl = append(excl, p)
	}
	return incl, excl, nil
}

// names lists the tables inv holds, for an error.
func (inv *Inventory) names() string {
	var n []string
	for _, list := range [][]*SSTableSet{inv.Tables, inv.Ambiguous} {
		for _, t := range list {
			n = appendNew(n, t.String())
		}
	}
	if len(n) == 0 {
		return "no table"
	}
	if len(n) > 20 {
		return strings.Join(n[:20], ", ") + fmt.Sprintf(" and %d more", len(n)-20)
	}
	return strings.Join(n, ", ")
}

// Lookup returns the current generation of table ks.name, or nil.
func (inv *Inventory) Lookup(ks, name string) *SSTableSet {
	for _, t := range inv.Tables {
		if t.Keyspace == ks && t.Name == name {
			return t
		}
	}
	return nil
}
