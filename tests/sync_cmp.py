#!/usr/bin/python3
"""sync_cmp: compares a plant's SQLite database with the central PostgreSQL
(issue 16): for every plant table (read from sqlite_master, as
stillroom-sync ships them), the plant's rows and the centre's rows of that
plant, row by row, by the table's key. psql connects through the PG*
environment (tests/pg.sh sets it).

  sync_cmp.py PLANT_DB PLANT [TABLE...]

Prints "TABLE: N rows, same" or "TABLE: plant N, centre M" with up to 5
differing rows, and exits 0 when every table is the same, 1 otherwise, 2
on a usage or connection error. Values are compared by the column's
affinity: integers as integers, reals as floats (stillroom-sync ships
them exactly), text as text, NULL as NULL.
"""
import sqlite3
import subprocess
import sys


def affinity(decl):
    """SQLite's affinity of a declared type: int, real, text or blob."""
    d = (decl or "").upper()
    if "INT" in d:
        return "int"
    if "CHAR" in d or "CLOB" in d or "TEXT" in d:
        return "text"
    if d == "" or "BLOB" in d:
        return "blob"
    return "real"


def norm(kind, v):
    """v (a Python value or COPY text) as the comparable value."""
    if v is None:
        return None
    if kind == "int":
        return int(v)
    if kind == "real":
        return float(v)
    if kind == "blob":
        return v.hex() if isinstance(v, bytes) else v[2:]
    return str(v)


def tables(db):
    """[(name, [(col, kind)], [key col])] in creation order."""
    out = []
    for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'"
                              " AND name NOT LIKE 'sqlite_%' ORDER BY rowid"):
        info = db.execute("SELECT name, type, pk FROM pragma_table_info(?)"
                          " ORDER BY cid", (name,)).fetchall()
        cols = [(c, affinity(t)) for c, t, _ in info]
        key = [c for c, _, pk in sorted(info, key=lambda r: r[2]) if pk > 0]
        if not key:
            cols.insert(0, ("rowid", "int"))
            key = ["rowid"]
        out.append((name, cols, key))
    return out


def unescape(field):
    """A COPY text field as Python text (None for \\N)."""
    if field == "\\N":
        return None
    if "\\" not in field:
        return field
    out, i = [], 0
    esc = {"t": "\t", "n": "\n", "r": "\r", "\\": "\\", "b": "\b", "f": "\f", "v": "\v"}
    while i < len(field):
        c = field[i]
        if c == "\\" and i + 1 < len(field):
            out.append(esc.get(field[i + 1], field[i + 1]))
            i += 2
        else:
            out.append(c)
            i += 1
    return "".join(out)


def qid(name):
    return '"' + name.replace('"', '""') + '"'


def central_rows(name, cols, plant):
    sel = ", ".join(qid(c) for c, _ in cols)
    lit = "'" + plant.replace("'", "''") + "'"
    sql = "COPY (SELECT %s FROM %s WHERE plant = %s) TO STDOUT" % (sel, qid(name), lit)
    r = subprocess.run(["psql", "-X", "-q", "-v", "ON_ERROR_STOP=1", "-c", sql],
                       capture_output=True, text=True)
    if r.returncode != 0:
        return None, r.stderr.strip()
    rows = []
    for line in r.stdout.split("\n"):
        if line == "":
            continue
        f = line.split("\t")
        rows.append(tuple(norm(k, unescape(v)) for (_, k), v in zip(cols, f)))
    return rows, None


def plant_rows(db, name, cols):
    sel = ", ".join(qid(c) if c != "rowid" else "rowid" for c, _ in cols)
    return [tuple(norm(k, v) for (_, k), v in zip(cols, row))
            for row in db.execute("SELECT %s FROM %s" % (sel, qid(name)))]


def keyed(rows, cols, key):
    idx = [[c for c, _ in cols].index(k) for k in key]
    return {tuple(r[i] for i in idx): r for r in rows}


def compare(db, name, cols, key, plant):
    """True when the plant's and the centre's rows of table name match."""
    cen, err = central_rows(name, cols, plant)
    if cen is None:
        print("%s: centre unreadable: %s" % (name, err))
        return False
    p = keyed(plant_rows(db, name, cols), cols, key)
    c = keyed(cen, cols, key)
    if len(cen) != len(c):
        print("%s: the centre holds duplicate keys" % name)
        return False
    diff = sorted((k for k in set(p) | set(c) if p.get(k) != c.get(k)), key=repr)
    if not diff:
        print("%s: %d rows, same" % (name, len(p)))
        return True
    print("%s: plant %d, centre %d, %d rows differ" % (name, len(p), len(c), len(diff)))
    for k in diff[:5]:
        print("  key %r: plant %r" % (k, p.get(k)))
        print("  key %r: centre %r" % (k, c.get(k)))
    return False


def main(argv):
    if len(argv) < 3:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    db = sqlite3.connect("file:%s?mode=ro" % argv[1], uri=True)
    only = set(argv[3:])
    ok = True
    for name, cols, key in tables(db):
        if only and name not in only:
            continue
        ok = compare(db, name, cols, key, argv[2]) and ok
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
