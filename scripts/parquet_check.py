#!/usr/bin/env python3
"""Checks aegisthus's Parquet output with an independent reader, DuckDB.

    parquet_check.py BIN [ROOT]

For every fixture table under ROOT (default testdata/cassandra-5.0: a directory
with expected/meta.json), export it with BIN as JSON lines and as Parquet (many
units, one unit, and with --writetime --ttl), read the Parquet files with DuckDB
and check, row by row and value by value, that they hold what the JSON export
shows, with the types docs/parquet.md promises: the DuckDB column type of every
column is checked against the CQL type, and every value is compared exactly (a
bigint as an integer, a timestamp as milliseconds, a time as nanoseconds, a blob
as bytes, a map as its entries in order, a UDT as a struct). JSON null for a
float or double may be NaN or an infinity in Parquet (JSON cannot spell them);
JSON "" (an empty value of a type without one) is Parquet null.

Prints one line per table and closes with 'parquet-check: N passed, N failed'.
"""

import glob
import json
import math
import os
import re
import struct
import subprocess
import sys
import tempfile

import duckdb


class Num(str):
    """A JSON number, kept as its text."""


def loads(s):
    return json.loads(s, parse_int=Num, parse_float=Num)


# --- CQL types --------------------------------------------------------------


class T:
    def __init__(self, kind, params=(), fields=(), dim=0):
        self.kind, self.params, self.fields, self.dim = kind, list(params), list(fields), dim

    def __repr__(self):
        return f"{self.kind}{self.params or ''}"


ALIASES = {"varchar": "text"}


def split_top(s, sep=","):
    out, depth, cur, q = [], 0, "", False
    for ch in s:
        if ch == '"':
            q = not q
        if not q:
            if ch in "<(":
                depth += 1
            elif ch in ">)":
                depth -= 1
            elif ch == sep and depth == 0:
                out.append(cur.strip())
                cur = ""
                continue
        cur += ch
    if cur.strip():
        out.append(cur.strip())
    return out


def ident(s):
    s = s.strip()
    if s.startswith('"'):
        return s[1:-1].replace('""', '"')
    return s.lower()


def parse_type(s, udts):
    s = s.strip()
    m = re.match(r"^(\w+)\s*<(.*)>$", s, re.S)
    if m:
        name, inner = m.group(1).lower(), m.group(2)
        if name == "frozen":
            return parse_type(inner, udts)
        args = split_top(inner)
        if name == "vector":
            return T("vector", [parse_type(args[0], udts)], dim=int(args[1]))
        return T(name, [parse_type(a, udts) for a in args])
    name = ident(s.split(".")[-1]) if not s.startswith('"') else ident(s)
    if name in udts:
        return udts[name]
    return T(ALIASES.get(name, name))


def parse_cql(stmts):
    """Returns the columns {name: T} of the CREATE TABLE in stmts, with the
    later ALTER TABLE ... DROP / ADD applied (a column dropped and added back
    with another type has the new type)."""
    udts, table, alters = {}, None, []
    for st in stmts:
        m = re.match(r"^\s*CREATE\s+TYPE\s+(?:IF NOT EXISTS\s+)?([\w\".]+)\s*\((.*)\)\s*$", st, re.S | re.I)
        if m:
            name = ident(m.group(1).split(".")[-1])
            fields = []
            for f in split_top(m.group(2)):
                fn, ft = f.split(None, 1)
                fields.append((ident(fn), parse_type(ft, udts)))
            udts[name] = T("udt", [t for _, t in fields], [n for n, _ in fields])
            continue
        m = re.match(r"^\s*CREATE\s+(?:TABLE|MATERIALIZED VIEW)\s+(?:IF NOT EXISTS\s+)?[\w\".]+\s*\((.*)\)(\s+WITH.*)?$", st, re.S | re.I)
        if m:
            table = m.group(1)
            continue
        m = re.match(r"^\s*ALTER\s+TABLE\s+[\w\".]+\s+(ADD|DROP)\s+(.*?)\s*$", st, re.S | re.I)
        if m:
            alters.append((m.group(1).upper(), m.group(2)))
    cols = {}
    for d in split_top(table):
        if re.match(r"^PRIMARY\s+KEY", d, re.I):
            continue
        parts = d.split(None, 1)
        t = re.sub(r"\s+(static|PRIMARY\s+KEY)\s*$", "", parts[1], flags=re.I)
        cols[ident(parts[0])] = parse_type(t, udts)
    for op, rest in alters:
        if op == "DROP":
            for n in split_top(re.sub(r"\s+USING\s+TIMESTAMP\s+\d+$", "", rest, flags=re.I)):
                cols.pop(ident(n.strip()), None)
        else:
            for d in split_top(rest.strip("() ")):
                n, t = d.strip().split(None, 1)
                cols[ident(n)] = parse_type(re.sub(r"\s+static\s*$", "", t, flags=re.I), udts)
    return cols


# --- DuckDB types and projections ---------------------------------------------

LEAF_DUCK = {
    "ascii": "VARCHAR", "text": "VARCHAR", "inet": "VARCHAR", "decimal": "VARCHAR", "varint": "VARCHAR",
    "tinyint": "TINYINT", "smallint": "SMALLINT", "int": "INTEGER", "bigint": "BIGINT", "counter": "BIGINT",
    "float": "FLOAT", "double": "DOUBLE", "boolean": "BOOLEAN", "blob": "BLOB",
    "timestamp": "TIMESTAMP WITH TIME ZONE", "date": "DATE", "time": "TIME_NS",
    "uuid": "UUID", "timeuuid": "UUID", "duration": "STRUCT(months INTEGER, days INTEGER, nanoseconds BIGINT)",
}


def duck_type(t):
    if t.kind in ("list", "set", "vector"):
        return duck_type(t.params[0]) + "[]"
    if t.kind == "map":
        return f"MAP({duck_type(t.params[0])}, {duck_type(t.params[1])})"
    if t.kind in ("udt", "tuple"):
        names = t.fields if t.kind == "udt" else [f"f{i}" for i in range(len(t.params))]
        return "STRUCT(" + ", ".join(f"{n} {duck_type(p)}" for n, p in zip(names, t.params)) + ")"
    return LEAF_DUCK[t.kind]


def needs(t):
    if t.kind in ("timestamp", "date", "time"):
        return True
    return any(needs(p) for p in t.params)


def qid(n):
    return '"' + n.replace('"', '""') + '"'


def proj(t, x, depth=0):
    """A DuckDB expression turning x (of CQL type t) into exact Python values."""
    if not needs(t):
        return x
    v = f"e{depth}"
    if t.kind == "timestamp":
        return f"epoch_ms({x})"
    if t.kind == "date":
        return f"({x} - DATE '1970-01-01')"
    if t.kind == "time":
        return f"CAST({x} AS VARCHAR)"
    if t.kind in ("list", "set", "vector"):
        return f"list_transform({x}, lambda {v}: {proj(t.params[0], v, depth + 1)})"
    if t.kind == "map":
        return (f"list_transform(map_entries({x}), lambda {v}: struct_pack(key := {proj(t.params[0], v + '.key', depth + 1)}, "
                f"value := {proj(t.params[1], v + '.value', depth + 1)}))")
    names = t.fields if t.kind == "udt" else [f"f{i}" for i in range(len(t.params))]
    inner = ", ".join(f"{qid(n)} := {proj(p, x + '.' + qid(n), depth + 1)}" for n, p in zip(names, t.params))
    return f"CASE WHEN {x} IS NULL THEN NULL ELSE struct_pack({inner}) END"


# --- expected values -----------------------------------------------------------


def days_from_civil(y, m, d):
    y -= m <= 2
    era = y // 400  # floor division: the C version subtracts 399 for negative years
    yoe = y - era * 400
    doy = (153 * (m + (-3 if m > 2 else 9)) + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


def parse_date(s):
    m = re.match(r"^([+-]?\d+)-(\d\d)-(\d\d)$", s)
    return days_from_civil(int(m.group(1)), int(m.group(2)), int(m.group(3)))


def parse_ts(s):
    m = re.match(r"^([+-]?\d+)-(\d\d)-(\d\d) (\d\d):(\d\d):(\d\d)\.(\d{3})Z$", s)
    y, mo, d, h, mi, sec, ms = (int(g) for g in m.groups())
    return ((days_from_civil(y, mo, d) * 24 + h) * 60 + mi) * 60000 + sec * 1000 + ms


def parse_time(s):
    m = re.match(r"^(\d\d):(\d\d):(\d\d)(?:\.(\d{1,9}))?$", s)
    frac = (m.group(4) or "").ljust(9, "0")
    return ((int(m.group(1)) * 60 + int(m.group(2))) * 60 + int(m.group(3))) * 10**9 + int(frac or 0)


DUR_UNITS = {"y": (12, 0, 0), "mo": (1, 0, 0), "w": (0, 7, 0), "d": (0, 1, 0), "h": (0, 0, 3600 * 10**9),
             "m": (0, 0, 60 * 10**9), "s": (0, 0, 10**9), "ms": (0, 0, 10**6), "us": (0, 0, 10**3),
             "µs": (0, 0, 10**3), "ns": (0, 0, 1)}


def parse_duration(s):
    neg = s.startswith("-")
    mo = d = ns = 0
    for n, u in re.findall(r"(\d+)(mo|ms|us|µs|ns|y|w|d|h|m|s)", s):
        a, b, c = DUR_UNITS[u]
        mo, d, ns = mo + a * int(n), d + b * int(n), ns + c * int(n)
    if neg:
        mo, d, ns = -mo, -d, -ns
    return {"months": mo, "days": d, "nanoseconds": ns}


def f32(x):
    return struct.unpack("f", struct.pack("f", x))[0]


STRINGISH = {"ascii", "text", "inet", "timestamp", "date", "time", "uuid", "timeuuid", "blob", "duration"}


class Mismatch(Exception):
    pass


def check(t, want, got, path):
    def bad(msg=""):
        raise Mismatch(f"{path}: JSON {want!r}, Parquet {got!r} ({t.kind}) {msg}")

    k = t.kind
    if want is None:
        if got is None:
            return
        if k in ("float", "double") and isinstance(got, float) and (math.isnan(got) or math.isinf(got)):
            return
        bad()
    if want == "" and not isinstance(want, Num) and k not in ("ascii", "text", "blob"):
        if got is not None:
            bad("(empty value: want null)")
        return
    if got is None:
        bad()
    if k in ("ascii", "text", "inet"):
        ok = isinstance(got, str) and got == want
    elif k in ("tinyint", "smallint", "int", "bigint", "counter"):
        ok = type(got) is int and got == int(want)
    elif k == "varint":
        ok = isinstance(got, str) and got == str(int(want))
    elif k == "decimal":
        ok = isinstance(got, str) and got == str(want)
    elif k == "float":
        ok = isinstance(got, float) and got == f32(float(want))
    elif k == "double":
        ok = isinstance(got, float) and got == float(want)
    elif k == "boolean":
        ok = isinstance(got, bool) and got == want
    elif k == "blob":
        ok = isinstance(got, bytes) and got == bytes.fromhex(want[2:])
    elif k in ("uuid", "timeuuid"):
        ok = type(got).__name__ == "UUID" and str(got) == want
    elif k == "timestamp":
        ok = type(got) is int and got == parse_ts(want)
    elif k == "date":
        ok = type(got) is int and got == parse_date(want)
    elif k == "time":
        ok = isinstance(got, str) and parse_time(got) == parse_time(want)
    elif k == "duration":
        ok = got == parse_duration(want)
    elif k in ("list", "set", "vector"):
        if not isinstance(got, list) or not isinstance(want, list) or len(got) != len(want):
            bad()
        for i, (w, g) in enumerate(zip(want, got)):
            check(t.params[0], w, g, f"{path}[{i}]")
        return
    elif k == "map":
        if isinstance(got, dict):  # a map DuckDB returned as is (no projection)
            got = [{"key": a, "value": b} for a, b in zip(got["key"], got["value"])] if set(got) == {"key", "value"} else [{"key": a, "value": b} for a, b in got.items()]
        if not isinstance(want, dict) or len(got) != len(want):
            bad()
        kt = t.params[0]
        for i, ((wk, wv), e) in enumerate(zip(want.items(), got)):
            wkey = wk if kt.kind in STRINGISH else loads(wk)
            check(kt, wkey, e["key"], f"{path}.key{i}")
            check(t.params[1], wv, e["value"], f"{path}[{wk}]")
        return
    elif k == "udt":
        if not isinstance(got, dict) or not isinstance(want, dict):
            bad()
        for n, p in zip(t.fields, t.params):
            jn = n if re.match(r"^[a-z_][a-z0-9_]*$", n) else '"' + n.replace('"', '""') + '"'
            check(p, want.get(jn), got.get(n), f"{path}.{n}")
        return
    elif k == "tuple":
        if not isinstance(got, dict) or not isinstance(want, list):
            bad()
        for i, p in enumerate(t.params):
            check(p, want[i] if i < len(want) else None, got.get(f"f{i}"), f"{path}.{i}")
        return
    else:
        bad("(unknown type)")
    if not ok:
        bad()


def check_meta(want, got, path):
    """writetime(c) and ttl(c): an integer, or a list of integers (or nulls)."""
    if isinstance(want, list):
        if not isinstance(got, list) or len(got) != len(want):
            raise Mismatch(f"{path}: JSON {want!r}, Parquet {got!r}")
        for i, (w, g) in enumerate(zip(want, got)):
            check_meta(w, g, f"{path}[{i}]")
        return
    if (want is None) != (got is None) or (want is not None and (type(got) is not int or got != int(want))):
        raise Mismatch(f"{path}: JSON {want!r}, Parquet {got!r}")


# --- one table -----------------------------------------------------------------


def export(bin_, table, out, schema, now, *flags):
    subprocess.run([bin_, "export", table, "--out", out, "--schema", schema, "--now", now, "-q", *flags],
                   check=True, stdout=subprocess.DEVNULL)


def json_rows(out):
    rows = []
    for p in sorted(glob.glob(os.path.join(out, "part-*.jsonl"))):
        with open(p, encoding="utf-8") as f:
            rows += [loads(line) for line in f if line.strip()]
    return rows


def json_name(col):
    return col if re.match(r"^[a-z_][a-z0-9_]*$", col) else '"' + col.replace('"', '""') + '"'


def parquet_rows(con, out, cols):
    files = sorted(glob.glob(os.path.join(out, "part-*.parquet")))
    if not files:
        return [], []
    src = "read_parquet([" + ", ".join("'" + f.replace("'", "''") + "'" for f in files) + "])"
    described = con.sql(f"DESCRIBE SELECT * FROM {src}").fetchall()
    names = [d[0] for d in described]
    types = {d[0]: d[1].replace('"', "") for d in described}
    for n in names:
        base = re.sub(r"^(writetime|ttl)\((.*)\)$", r"\2", n)
        if n != base:
            want = ("BIGINT" if n.startswith("writetime") else "INTEGER")
            if cols[base].kind in ("list", "set", "map", "udt") and "[]" in types[n]:
                want += "[]"
        else:
            want = duck_type(cols[n])
        if types[n] != want:
            raise Mismatch(f"column {n}: DuckDB type {types[n]}, want {want}")
    sel = ", ".join(proj(cols[n], qid(n)) if n in cols else qid(n) for n in names)
    return names, con.sql(f"SELECT {sel} FROM {src}").fetchall()


def compare(jrows, names, prows, cols, what):
    if len(jrows) != len(prows):
        raise Mismatch(f"{what}: {len(jrows)} JSON rows, {len(prows)} Parquet rows")
    for i, (j, p) in enumerate(zip(jrows, prows)):
        jkeys = set(j)
        for n, g in zip(names, p):
            m = re.match(r"^(writetime|ttl)\((.*)\)$", n)
            jn = f"{m.group(1)}({json_name(m.group(2))})" if m else json_name(n)
            if jn not in j:
                raise Mismatch(f"{what} row {i}: Parquet column {n} is not in the JSON row")
            jkeys.discard(jn)
            if m:
                check_meta(j[jn], g, f"{what} row {i} {n}")
            else:
                check(cols[n], j[jn], g, f"{what} row {i} {n}")
        if jkeys:
            raise Mismatch(f"{what} row {i}: JSON columns {sorted(jkeys)} are not in Parquet")


def check_table(bin_, con, table, tmp):
    with open(os.path.join(table, "expected", "meta.json"), encoding="utf-8") as f:
        meta = json.load(f)
    schema = os.path.join(tmp, "schema.cql")
    with open(schema, "w", encoding="utf-8") as f:
        f.write(";\n".join(meta["cql"]) + ";\n")
    cols = parse_cql(meta["cql"])
    now = meta["now"]
    checked = 0
    for tag, flags in (("many", ["--split-size", "16KiB"]), ("one", []), ("meta", ["--split-size", "16KiB", "--writetime", "--ttl"])):
        jo, po = os.path.join(tmp, tag + "-json"), os.path.join(tmp, tag + "-parquet")
        export(bin_, table, jo, schema, now, *flags)
        export(bin_, table, po, schema, now, "--format", "parquet", *flags)
        jrows = json_rows(jo)
        names, prows = parquet_rows(con, po, cols)
        compare(jrows, names, prows, cols, tag)
        checked += len(jrows)
    return checked


def main():
    bin_ = os.path.abspath(sys.argv[1])
    root = sys.argv[2] if len(sys.argv) > 2 else "testdata/cassandra-5.0"
    tables = sorted(os.path.dirname(os.path.dirname(p)) for p in glob.glob(os.path.join(root, "**", "expected", "meta.json"), recursive=True))
    con = duckdb.connect()
    passed = failed = 0
    for t in tables:
        with tempfile.TemporaryDirectory() as tmp:
            try:
                n = check_table(bin_, con, t, tmp)
                print(f"ok   {os.path.relpath(t, root)}: {n} rows")
                passed += 1
            except (Mismatch, subprocess.CalledProcessError) as e:
                print(f"FAIL {os.path.relpath(t, root)}: {e}")
                failed += 1
    print(f"parquet-check: {passed} passed, {failed} failed")
    sys.exit(1 if failed or not passed else 0)


if __name__ == "__main__":
    main()
