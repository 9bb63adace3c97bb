package discover

import (
	"errors"
	"fmt"
	"os"
	"regexp"
	"strings"

	"github.com/aegisthus/aegisthus/internal/cql/cqlparse"
	"github.com/aegisthus/aegisthus/internal/storage"
)

// MaxSchemaFile bounds a schema file (--schema, schema.cql).
const MaxSchemaFile = 16 << 20

// ErrNotInSchema is returned when a schema file given for many tables does not
// define one of them.
var ErrNotInSchema = errors.New("defines no table")

// ErrBadSchema is returned when a schema.cql beside the SSTables does not parse.
var ErrBadSchema = errors.New("schema not understood")

// SchemaSource picks the CQL definition of each table: from a schema file the
// user gives (one table's DDL, or a DESCRIBE SCHEMA dump of many), else from
// the schema.cql beside the table's SSTables.
type SchemaSource struct {
	Path  string           // the file given, "" for none
	Given *cqlparse.Schema // its statements
	// AnyName lets a Given schema of a single table define whichever table
	// is read, as a single-table command's --schema does.
	AnyName bool
	// Bases, when set, finds a view's base table among the inputs
	// (Inventory.Lookup): a view's schema.cql gives no column types.
	Bases func(keyspace, name string) *SSTableSet
}

// LoadSchema reads and parses a local schema file.
func LoadSchema(path string) (*SchemaSource, error) {
	fi, err := os.Stat(path)
	if err != nil {
		return nil, err
	}
	if fi.Size() > MaxSchemaFile {
		return nil, fmt.Errorf("%s: larger than %d bytes", path, MaxSchemaFile)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	sc, err := cqlparse.Parse(string(b))
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &SchemaSource{Path: path, Given: sc}, nil
}

// TableFor returns t's CQL definition and where it came from (the given file's
// path, or a schema.cql's), or nil and "" when nothing defines it. A given file
// that does not define t is an error wrapping ErrNotInSchema; a schema.cql that
// does not parse is an error naming it.
func (s *SchemaSource) TableFor(store storage.Store, t *SSTableSet) (*cqlparse.Table, string, error) {
	if s != nil && s.Given != nil {
		if tbl := pickTable(s.Given, t, s.AnyName); tbl != nil {
			return tbl, s.Path, nil
		}
		return nil, "", fmt.Errorf("%s %w %s", s.Path, ErrNotInSchema, t)
	}
	for _, f := range t.SchemaFiles {
		b, err := store.ReadFile(f, MaxSchemaFile)
		if err != nil {
			return nil, "", err
		}
		sc, err := cqlparse.Parse(string(b))
		if err != nil {
			return nil, "", fmt.Errorf("%s: %w: %w", f, ErrBadSchema, err)
		}
		if tbl := pickTable(sc, t, true); tbl != nil {
			return tbl, f, nil
		}
		// A view's schema.cql names its columns, not their types: those are
		// its base table's, found through Bases.
		for _, v := range sc.Views {
			if v.Name != t.Name || v.Keyspace != "" && t.Keyspace != "" && v.Keyspace != t.Keyspace {
				continue
			}
			tbl, err := s.resolveView(store, v)
			if err != nil {
				return nil, "", fmt.Errorf("%s: %w: %w", f, ErrBadSchema, err)
			}
			if tbl != nil {
				return tbl, f, nil
			}
		}
	}
	return nil, "", nil
}

// resolveView builds view v's table from its base table's schema, when Bases
// finds the base table among the inputs and it has one; else nil, and the
// view is read with its SSTable headers for schema.
func (s *SchemaSource) resolveView(store storage.Store, v *cqlparse.View) (*cqlparse.Table, error) {
	if s == nil || s.Bases == nil {
		return nil, nil
	}
	base := s.Bases(v.BaseKeyspace, v.Base)
	if base == nil {
		return nil, nil
	}
	bt, _, err := s.TableFor(store, base)
	if err != nil || bt == nil {
		return nil, err
	}
	return v.Resolve(bt)
}

// pickTable finds t in sc: by keyspace and name; else by name among the tables
// whose keyspace is not given, when only one is so named; else, with anyName,
// the only table sc defines.
func pickTable(sc *cqlparse.Schema, t *SSTableSet, anyName bool) *cqlparse.Table {
	var unqualified []*cqlparse.Table
	for _, tbl := range sc.Tables {
		if tbl.Name != t.Name {
			continue
		}
		if tbl.Keyspace == t.Keyspace {
			return tbl
		}
		if tbl.Keyspace == "" || t.Keyspace == "" {
			unqualified = append(unqualified, tbl)
		}
	}
	if len(unqualified) == 1 {
		return unqualified[0]
	}
	if anyName && len(sc.Tables) == 1 {
		return sc.Tables[0]
	}
	return nil
}

// schemaInfo is what discovery reads from a schema.cql: the keyspace, name
// and id of the table (or view) it creates.
type schemaInfo struct {
	path, keyspace, name, id string
	view                     bool
}

var (
	viewRE = regexp.MustCompile(`(?is)\bCREATE\s+MATERIALIZED\s+VIEW\s+(?:IF\s+NOT\s+EXISTS\s+)?(?:("(?:[^"]|"")+"|\w+)\s*\.\s*)?("(?:[^"]|"")+"|\w+)`)
	idRE   = regexp.MustCompile(`(?is)\bWITH\s+ID\s*=\s*'?([0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12})`)
)

// readSchemaInfo reads the schema.cql at path for the table called name. It
// returns nil when the file defines neither that table nor a single one.
// cql.ParseSchema skips CREATE MATERIALIZED VIEW; a view is found here.
func readSchemaInfo(store storage.Store, path, name string) (*schemaInfo, error) {
	b, err := store.ReadFile(path, MaxSchemaFile)
	if err != nil {
		return nil, fmt.Errorf("%s: not read: %w", path, err)
	}
	src := string(b)
	if m := viewRE.FindStringSubmatchIndex(src); m != nil {
		info := &schemaInfo{path: path, keyspace: cqlName(src, m[2], m[3]), name: cqlName(src, m[4], m[5]), view: true}
		if id := idRE.FindStringSubmatch(src[m[1]:]); id != nil {
			info.id = hexID(id[1])
		}
		if info.name == name {
			return info, nil
		}
	}
	sc, err := cqlparse.Parse(src)
	if err != nil {
		return nil, fmt.Errorf("%s: %w: %w", path, ErrBadSchema, err)
	}
	tbl := pickTable(sc, &SSTableSet{Name: name}, true)
	if tbl == nil {
		return nil, nil
	}
	return &schemaInfo{path: path, keyspace: tbl.Keyspace, name: tbl.Name, id: hexID(tbl.ID)}, nil
}

// cqlName is the identifier at src[i:j]: a quoted one as written, another in
// lower case; "" when absent.
func cqlName(src string, i, j int) string {
	if i < 0 {
		return ""
	}
	s := src[i:j]
	if strings.HasPrefix(s, `"`) {
		return strings.ReplaceAll(s[1:len(s)-1], `""`, `"`)
	}
	return strings.ToLower(s)
}

// hexID spells a table id as directory names do: 32 lower-case hex digits.
func hexID(id string) string { return strings.ReplaceAll(strings.ToLower(id), "-", "") }
