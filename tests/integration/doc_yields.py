#!/usr/bin/env python3
"""doc_yields.py: helper of doc_yields.sh (not a test by itself).

  doc_yields.py tables HTML JSON_DIR
      every grouping's table in the yields document (the <section id=BY>)
      holds the same rows as `report yields --by BY --json` (JSON_DIR/BY.json):
      the grouping, then batches, oil, yields (3 decimals, as the text
      report shows them), steam (1 decimal), cost and cost per kg of oil
      (whole dong: the digits of the cell); prints one line per grouping.
      A figure equals when it is within one unit of its last shown digit:
      the JSON is itself rounded (cost per kg of oil to 0.1 dong), so a
      true 31.46 is 31 in the document and 31.5 in the JSON, which a
      second rounding makes 32 (seen in CI: the costs move with each run's
      timing). Labels, batch counts and blank cells must be identical.
  doc_yields.py charts HTML
      prints the number of <svg> charts in each section, "BY N" per line.
"""
import html.parser
import json
import re
import sys

COLS = [("batches", 0), ("oil_kg", 3), ("yield_mean_pct", 3),
        ("yield_min_pct", 3), ("yield_max_pct", 3),
        ("yield_dry_mean_pct", 3), ("steam_kg", 1), ("cost_vnd", None),
        ("cost_vnd_per_kg_oil", None)]
GROUPS = ("feedstock", "month", "still", "grower")


class Doc(html.parser.HTMLParser):
    """Collects, per <section id>, its table rows (td texts) and <svg>s."""

    def __init__(self):
        super().__init__()
        self.section = None
        self.rows = {}
        self.svgs = {}
        self.row = None
        self.cell = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "section":
            self.section = a.get("id")
            self.rows.setdefault(self.section, [])
            self.svgs.setdefault(self.section, 0)
        elif tag == "svg" and self.section:
            self.svgs[self.section] += 1
        elif tag == "tr":
            self.row = []
        elif tag == "td" and self.row is not None:
            self.cell = ""

    def handle_endtag(self, tag):
        if tag == "td" and self.cell is not None:
            self.row.append(self.cell.strip())
            self.cell = None
        elif tag == "tr" and self.row is not None:
            if self.row and self.section:
                self.rows[self.section].append(self.row)
            self.row = None
        elif tag == "section":
            self.section = None

    def handle_data(self, data):
        if self.cell is not None:
            self.cell += data


def expected(row, by):
    cells = [row[by] if row[by] is not None else "-"]
    for name, decimals in COLS:
        v = row.get(name)
        if v is None:
            cells.append("-")
        elif decimals is None:
            cells.append(str(int(round(v))))
        else:
            cells.append("%.*f" % (decimals, v))
    return cells


def shown(cells):
    """The cells with the dong columns reduced to their digits."""
    out = list(cells)
    for i, (_, decimals) in enumerate(COLS):
        if decimals is None and out[i + 1] != "-":
            out[i + 1] = re.sub(r"[^0-9]", "", out[i + 1])
    return out


def same_cell(got, want, decimals):
    """GOT (document) equals WANT (from the JSON) within one shown unit."""
    if decimals in (None,) or decimals > 0:
        unit = 1.0 if decimals is None else 10.0 ** -decimals
        try:
            return abs(float(got) - float(want)) <= unit * 1.0001
        except ValueError:
            return got == want
    return got == want


def same_rows(got, want):
    """The document's rows GOT equal the JSON's rows WANT, cell by cell."""
    if len(got) != len(want):
        return False
    for g, w in zip(got, want):
        if len(g) != len(w) or g[0] != w[0]:
            return False
        for i, (_, decimals) in enumerate(COLS):
            if not same_cell(g[i + 1], w[i + 1], decimals):
                return False
    return True


def parse(path):
    d = Doc()
    with open(path, encoding="utf-8") as f:
        d.feed(f.read())
    return d


def tables(path, json_dir):
    d = parse(path)
    bad = 0
    for by in GROUPS:
        with open("%s/%s.json" % (json_dir, by), encoding="utf-8") as f:
            want = [expected(r, by) for r in json.load(f)]
        got = [shown(r) for r in d.rows.get(by, [])]
        if not want or not same_rows(got, want):
            bad += 1
            print("%s: the table differs from the JSON report\n  html: %s\n  json: %s"
                  % (by, got, want))
        else:
            print("%s: %d rows equal" % (by, len(want)))
    return 1 if bad else 0


def charts(path):
    d = parse(path)
    for by in GROUPS:
        print(by, d.svgs.get(by, 0))
    return 0


if __name__ == "__main__":
    if len(sys.argv) == 4 and sys.argv[1] == "tables":
        sys.exit(tables(sys.argv[2], sys.argv[3]))
    if len(sys.argv) == 3 and sys.argv[1] == "charts":
        sys.exit(charts(sys.argv[2]))
    sys.exit(__doc__)
