#!/usr/bin/python3
"""rec_season.py: the generated season of tests/integration/rec_season.sh
and its checks against the database (standard library only).

  rec_season.py plan OUT.sh OUT.json [SEED]
      writes the season: 30 households' lots (some organic), ten multi-lot
      batches of cassia leaf and bark, weighings, QA, drums, shipments,
      advances, as shell calls (OUT.sh, sourced by rec_season.sh) and the
      same plan as JSON (OUT.json, for the checks)
  rec_season.py attribution DB PLAN.json IDS.txt
      every batch's latest attribution: the lots it drew from, grams that
      sum to its latest weighing, the method its lots call for, each share
      within a gram of its basis' share, the basis as docs/RECORDS.md says
  rec_season.py lots DB LOTS_DIR
      `lot show LOT --json` of every lot (LOTS_DIR/LOT.json): oil_g is the
      sum of its batches' shares, the batches' masses are what it gave
  rec_season.py trace-drum DB DRUM.json
      `trace --drum --json`: the oil in the drum per batch at most the
      batch's weighed oil, every batch's lots' grams sum to its grams, the
      drum's net mass is its batches' oil, no grower key (privacy)
  rec_season.py trace-lot DB LOT.json LOT
      `trace --lot --json`: the lot's batches and their drums and shipments
      as the records hold them
  rec_season.py settle DB SETTLE.json FROM TO
      `settle --json` against sums taken independently from the database:
      grams to the gram, dong to the dong, deliveries by feedstock and part
  rec_season.py settle-csv SETTLE.csv SETTLE.json
      `settle --csv`: a row per grower and a TOTAL row equal to the JSON's
Each check prints what differs and exits 1.
"""
import csv
import fractions
import json
import math
import random
import shlex
import sqlite3
import sys

LEAF, BARK = "cassia-leaf", "cassia-bark"
# the settlement rule the test writes into its plant.yaml (RECORDS.md)
RAW_PRICE = {LEAF: 2500, BARK: 28000, "star-anise": 42000}
OIL_SHARE_PCT = 30
BONUS_PCT = 5
OIL_PRICE = {LEAF: 900000, BARK: 1200000, "star-anise": 1000000}

SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ", "Đặng", "Bùi",
            "Đỗ", "Hồ", "Ngô", "Dương", "Lý", "Triệu", "Hà"]
GIVEN = ["Văn An", "Thị Bình", "Văn Cường", "Thị Dung", "Văn Đức",
         "Thị Hoa", "Văn Hùng", "Thị Lan", "Văn Long", "Thị Mai",
         "Văn Nam", "Thị Nga", "Văn Phúc", "Thị Quỳnh", "Văn Sơn"]
COMMUNES = ["Đại Sơn", "Viễn Sơn", "Xuân Tầm", "Mỏ Vàng", "Châu Quế Hạ"]
COOPS = ["HTX Quế Văn Yên", "HTX Quế hữu cơ Viễn Sơn"]
BODIES = ["Control Union", "Ecocert"]


def q(*args):
    return " ".join(shlex.quote(str(a)) for a in args)


def households(rng):
    names = set()
    while len(names) < 30:
        names.add("Hộ %s %s" % (rng.choice(SURNAMES), rng.choice(GIVEN)))
    return sorted(names)


def make_lot(rng, n, grower, feed, organic):
    part = "leaf" if feed == LEAF else "bark"
    lot = {"id": "SV-%02d-%s" % (n, part[0].upper()), "feedstock": feed,
           "grower": grower, "part": part,
           "mass": rng.randrange(90, 150) if feed == LEAF else rng.randrange(60, 110),
           "commune": COMMUNES[n % len(COMMUNES)], "coop": COOPS[n % 2],
           "harvested": "2026-%02d-%02d" % (rng.randrange(3, 11), rng.randrange(1, 28)),
           "moisture": round(rng.uniform(9, 16), 1), "price": None,
           "cert": None, "body": None, "gi": None}
    if organic:
        lot["cert"] = "VN-ORG-%04d" % rng.randrange(1000, 9999)
        lot["body"] = BODIES[n % 2]
        lot["gi"] = "Quế Văn Yên"
    if n % 3 == 0:
        lot["price"] = 2000 if feed == LEAF else 25000
    return lot


def lot_call(lot):
    args = ["season_lot", lot["id"], "--feedstock", lot["feedstock"],
            "--mass", lot["mass"], "--grower", lot["grower"],
            "--origin", lot["commune"], "--cooperative", lot["coop"],
            "--harvested", lot["harvested"], "--part", lot["part"]]
    if lot["moisture"] is not None:
        args += ["--moisture", lot["moisture"]]
    if lot["price"] is not None:
        args += ["--price", lot["price"]]
    if lot["cert"]:
        args += ["--organic-cert", lot["cert"], "--organic-body", lot["body"]]
    if lot["gi"]:
        args += ["--gi", lot["gi"]]
    return q(*args)


def batches_of(lots):
    """Ten batches of 3 to 5 lots: O1 O2 organic leaf (recipe
    season-organic), L1..L4 conventional leaf (L1 holds an organic lot:
    recorded conventional; a lot split between L3 and L4), B1..B4 bark."""
    org = [x for x in lots if x["feedstock"] == LEAF and x["cert"]]
    conv = [x for x in lots if x["feedstock"] == LEAF and not x["cert"]]
    bark = [x for x in lots if x["feedstock"] == BARK]
    whole = lambda ls: [(x["id"], x["mass"]) for x in ls]
    split = conv[8]
    half = split["mass"] // 2
    b = [("O1", "season-organic", whole(org[0:4])),
         ("O2", "season-organic", whole(org[4:8])),
         ("L1", "season-leaf", whole([org[8]] + conv[0:4])),
         ("L2", "season-leaf", whole(conv[4:8])),
         ("L3", "season-leaf", whole(conv[9:12]) + [(split["id"], half)]),
         ("L4", "season-leaf", whole(conv[12:16]) + [(split["id"], split["mass"] - half)]),
         ("B1", "season-bark", whole(bark[0:3])),
         ("B2", "season-bark", whole(bark[3:6])),
         ("B3", "season-bark", whole(bark[6:9])),
         ("B4", "season-bark", whole(bark[9:12]))]
    return [{"name": n, "recipe": r, "lots": ls} for n, r, ls in b]


def plan(out_sh, out_json, seed):
    rng = random.Random(seed)
    names = households(rng)
    lots = []
    for i, g in enumerate(names):        # one lot each: leaf or bark
        feed = BARK if i >= 26 else LEAF
        lots.append(make_lot(rng, i + 1, g, feed, i < 9))
    for i in range(8):                   # eight households bring bark too
        lots.append(make_lot(rng, 31 + i, names[10 + i], BARK, False))
    bark = [x for x in lots if x["feedstock"] == BARK]
    bark[3]["moisture"] = None           # B2: charged_mass
    batches = batches_of(lots)
    yld = {"season-organic": (0.006, 0.009), "season-leaf": (0.006, 0.009),
           "season-bark": (0.015, 0.025)}
    for b in batches:
        charge = sum(m for _, m in b["lots"])
        b["charge"] = charge
        b["oil_kg"] = round(charge * rng.uniform(*yld[b["recipe"]]), 3)
    assays = {lid: round(rng.uniform(1.5, 3.0), 2) for lid, _ in batches[8]["lots"]}
    advances = [(names[i], 500000 * (1 + i % 3), "advance for fertiliser")
                for i in (0, 5, 12, 25)]
    p = {"lots": lots, "batches": batches, "assays": assays,
         "advances": advances, "seed": seed}
    json.dump(p, open(out_json, "w"), ensure_ascii=False, indent=1)
    with open(out_sh, "w") as f:
        f.write("# generated by rec_season.py plan (seed %d)\n" % seed)
        f.write("season_lots() {\n")
        for lot in lots:
            f.write("\t%s\n" % lot_call(lot))
        f.write("}\n")
        f.write("SEASON_BATCHES=%s\n" % shlex.quote(" ".join(b["name"] for b in batches)))
        for b in batches:
            spec = " ".join("%s:%d" % lm for lm in b["lots"])
            f.write("SEASON_%s=%s\n" % (b["name"], shlex.quote(
                "%s %d %.3f %s" % (b["recipe"], b["charge"], b["oil_kg"], spec))))
        f.write("season_assays() {\n")
        for lid, pct in assays.items():
            f.write("\t%s\n" % q("season_correct", lid, "--oil-content", pct,
                                  "--why", "lab assay of the sample"))
        f.write("}\n")
        f.write("season_advances() {\n")
        for g, vnd, why in advances:
            f.write("\t%s\n" % q("season_advance", g, "--vnd", vnd, "--why", why))
        f.write("}\n")
        org = [x for x in lots if x["cert"] and x["feedstock"] == LEAF]
        conv = [x for x in lots if not x["cert"] and x["feedstock"] == LEAF]
        f.write("ORGANIC_LOT=%s CONVENTIONAL_LOT=%s\n" % (org[8]["id"], conv[-1]["id"]))
        f.write("SPLIT_LOT=%s\n" % batches[4]["lots"][-1][0])
        f.write("MOIST_LOT=%s\n" % batches[6]["lots"][0][0])


# ---- checks ----------------------------------------------------------------

class Check:
    def __init__(self):
        self.bad = []

    def eq(self, what, got, want):
        if got != want:
            self.bad.append("%s: %r, expected %r" % (what, got, want))

    def true(self, what, ok):
        if not ok:
            self.bad.append(what)

    def done(self):
        for b in self.bad[:30]:
            print(b)
        sys.exit(1 if self.bad else 0)


def ro(path):
    return sqlite3.connect("file:%s?mode=ro" % path, uri=True)


def weighed_g(db, bid):
    r = db.execute("select value from measurements where batch_id = ? and "
                   "quantity = 'oil_kg' order by id desc limit 1", (bid,)).fetchone()
    return None if r is None else int(round(r[0] * 1000))


def lot_now(db, lot_id):
    """The lot's row with the latest correction of each field applied."""
    cur = db.execute("select * from lots where lot_id = ?", (lot_id,))
    row = dict(zip([c[0] for c in cur.description], cur.fetchone()))
    for field, new in db.execute(
            "select field, new_value from lot_corrections where lot_id = ? "
            "order by id", (lot_id,)):
        row[field] = new
    return row


def num(v):
    return None if v is None or v == "" else float(v)


def check_attribution(dbp, planp, idsp):
    db = ro(dbp)
    c = Check()
    ids = dict(line.split() for line in open(idsp))
    for b in json.load(open(planp))["batches"]:
        bid = int(ids[b["name"]])
        a = db.execute("select id, oil_g, method, revision from attribution_now "
                       "where batch_id = ?", (bid,)).fetchone()
        if a is None:
            c.bad.append("batch %s (%d) has no attribution" % (b["name"], bid))
            continue
        aid, oil_g, method, _ = a
        c.eq("batch %s: attributed grams vs latest weighing" % b["name"], oil_g, weighed_g(db, bid))
        drawn = dict(db.execute("select lot_id, mass_kg from batch_lots where batch_id = ?", (bid,)))
        shares = {lid: (basis, g) for lid, basis, g in db.execute(
            "select lot_id, basis, oil_g from attribution_lots where attribution_id = ?", (aid,))}
        c.eq("batch %s: attributed lots" % b["name"], sorted(shares), sorted(drawn))
        c.eq("batch %s: the lots' grams sum to the batch's" % b["name"],
             sum(g for _, g in shares.values()), oil_g)
        lots = {lid: lot_now(db, lid) for lid in drawn}
        if all(num(x["oil_content_pct"]) is not None for x in lots.values()):
            want, basis = "assay", lambda lid: drawn[lid] * num(lots[lid]["oil_content_pct"]) / 100
        elif all(num(x["moisture_pct"]) is not None for x in lots.values()):
            want, basis = "dry_mass", lambda lid: drawn[lid] * (1 - num(lots[lid]["moisture_pct"]) / 100)
        else:
            want, basis = "charged_mass", lambda lid: drawn[lid]
        c.eq("batch %s: method" % b["name"], method, want)
        total = sum(basis(lid) for lid in drawn)
        for lid in drawn:
            if lid not in shares:
                continue
            c.true("batch %s lot %s: basis %r, expected %r" % (b["name"], lid, shares[lid][0], basis(lid)),
                   abs(shares[lid][0] - basis(lid)) < 1e-6 * max(1, basis(lid)))
            exact = oil_g * basis(lid) / total if total else 0
            c.true("batch %s lot %s: %d g is not within a gram of %.3f g" %
                   (b["name"], lid, shares[lid][1], exact), abs(shares[lid][1] - exact) < 1)
    c.done()


def check_lots(dbp, lots_dir):
    db = ro(dbp)
    c = Check()
    ids = db.execute("select lot_id from lots order by lot_id").fetchall()
    c.true("only %d lots on record" % len(ids), len(ids) >= 30)
    for (lid,) in ids:
        d = json.load(open("%s/%s.json" % (lots_dir, lid)))
        want = db.execute("select coalesce(sum(l.oil_g), 0) from attribution_lots l join "
                          "attribution_now a on a.id = l.attribution_id where l.lot_id = ?",
                          (lid,)).fetchone()[0]
        c.eq("lot %s: oil_g of lot show" % lid, d.get("oil_g"), want)
        got = sum(x.get("oil_g", 0) for x in d.get("batches", []))
        c.eq("lot %s: its batches' oil_g sum" % lid, got, want)
        drawn = dict(db.execute("select batch_id, mass_kg from batch_lots where lot_id = ?", (lid,)))
        c.eq("lot %s: batches and masses" % lid,
             {int(x["batch_id"]): round(x["mass_kg"], 3) for x in d.get("batches", [])},
             {k: round(v, 3) for k, v in drawn.items()})
        rec, rem = db.execute("select mass_received_kg, mass_remaining_kg from lots "
                              "where lot_id = ?", (lid,)).fetchone()
        c.eq("lot %s: mass_remaining_kg" % lid, round(d.get("mass_remaining_kg", -1), 3), round(rem, 3))
        c.eq("lot %s: received less drawn is what remains" % lid,
             round(rec - sum(drawn.values()), 3), round(rem, 3))
    total = db.execute("select coalesce(sum(l.oil_g), 0) from attribution_lots l join "
                       "attribution_now a on a.id = l.attribution_id").fetchone()[0]
    batches = db.execute("select coalesce(sum(oil_g), 0) from attribution_now").fetchone()[0]
    c.eq("all lots' grams vs all batches' grams", total, batches)
    c.done()


def check_trace_drum(dbp, path):
    db = ro(dbp)
    c = Check()
    t = json.load(open(path))
    drum = t["drum"]["drum_id"]
    net = 0.0
    for b in t["batches"]:
        bid = int(b["batch_id"])
        g = weighed_g(db, bid)
        in_drum = db.execute("select sum(oil_kg) from drum_fills where drum_id = ? and "
                             "batch_id = ?", (drum, bid)).fetchone()[0]
        c.true("drum %s batch %d: oil_kg %r is not what its fills put in (%r)" %
               (drum, bid, b["oil_kg"], in_drum), abs(b["oil_kg"] - in_drum) < 5e-4)
        c.true("drum %s batch %d: %r kg in the drum, more than the batch's %r g" %
               (drum, bid, b["oil_kg"], g), g is not None and b["oil_kg"] * 1000 <= g + 1e-6)
        every = db.execute("select sum(oil_kg) from drum_fills where batch_id = ?", (bid,)).fetchone()[0]
        c.true("batch %d: its drums hold %r kg, more than its %r g" % (bid, every, g),
               every * 1000 <= g + 1e-6)
        a = db.execute("select oil_g from attribution_now where batch_id = ?", (bid,)).fetchone()
        c.eq("drum %s batch %d: lots' oil_g sum to the batch's grams" % (drum, bid),
             sum(x["oil_g"] for x in b["lots"]), a[0] if a else None)
        lots = {x[0] for x in db.execute("select lot_id from batch_lots where batch_id = ?", (bid,))}
        c.eq("drum %s batch %d: lots" % (drum, bid), sorted(x["lot_id"] for x in b["lots"]), sorted(lots))
        for x in b["lots"]:
            c.true("drum %s lot %s: a grower key (privacy: households hidden)" % (drum, x["lot_id"]),
                   "grower" not in x)
            c.true("drum %s lot %s: no commune" % (drum, x["lot_id"]), bool(x.get("origin")))
        org = db.execute("select organic from batches where id = ?", (bid,)).fetchone()[0]
        c.eq("drum %s batch %d: organic" % (drum, bid), b["organic"], org)
        net += b["oil_kg"]
    c.true("drum %s: net_kg %r is not the sum of its batches' %r" % (drum, t["drum"]["net_kg"], net),
           abs(t["drum"]["net_kg"] - net) < 5e-4)
    c.true("drum %s: no batch" % drum, len(t["batches"]) >= 2)
    c.done()


def check_trace_lot(dbp, path, lot):
    db = ro(dbp)
    c = Check()
    t = json.load(open(path))
    c.eq("trace --lot: lot id", t["lot"].get("lot_id"), lot)
    want = {}
    for bid, mass in db.execute("select batch_id, mass_kg from batch_lots where lot_id = ?", (lot,)):
        drums = {}
        for d, kg in db.execute("select drum_id, sum(oil_kg) from drum_fills where batch_id = ? "
                                "group by drum_id", (bid,)):
            s = db.execute("select s.buyer, s.doc_no, s.ship_date from shipment_drums sd join "
                           "shipments s on s.id = sd.shipment_id where sd.drum_id = ?", (d,)).fetchone()
            drums[d] = (round(kg, 3), s)
        want[bid] = (round(mass, 3), drums)
    got = {}
    for b in t["batches"]:
        drums = {}
        for d in b["drums"]:
            s = d["shipment"]
            drums[d["drum_id"]] = (round(d["oil_kg"], 3),
                                   None if s is None else (s["buyer"], s["doc_no"], s["ship_date"]))
        got[int(b["batch_id"])] = (round(b["mass_kg"], 3), drums)
    c.eq("trace --lot %s: batches, drums, shipments" % lot, got, want)
    c.done()


def dong(x):
    """Whole dong, halves up (the amounts are never negative)."""
    return math.floor(x + fractions.Fraction(1, 2))


def settle_expected(db, frm, to):
    """Per grower, from the records alone: raw kg, grams, and the dong."""
    g = {}

    def row(name):
        zero = fractions.Fraction(0)
        return g.setdefault(name, {"raw_kg": 0.0, "oil_g": 0, "raw": zero, "share": zero,
                                   "bonus": zero, "paid": zero})
    lots = db.execute("select lot_id, grower, feedstock, mass_received_kg from lots "
                      "where substr(received_at, 1, 10) between ? and ?", (frm, to)).fetchall()
    for lid, grower, feed, kg in lots:
        r = row(grower)
        r["raw_kg"] += kg
        grams = round(kg * 1000)
        r["raw"] += fractions.Fraction(grams * RAW_PRICE[feed], 1000)
        price = num(lot_now(db, lid)["price_vnd_per_kg"])
        if price is not None:
            r["paid"] += dong(fractions.Fraction(price) * fractions.Fraction(grams, 1000))
    for grower, feed, oil_g, released in db.execute(
            "select lo.grower, b.feedstock, al.oil_g,"
            " coalesce((select decision from qa_decisions d where d.batch_id = b.id"
            "  order by d.id desc limit 1), '') = 'released'"
            " from attribution_now a join attribution_lots al on al.attribution_id = a.id"
            " join batches b on b.id = a.batch_id join lots lo on lo.lot_id = al.lot_id"
            " where substr(b.started_at, 1, 10) between ? and ?", (frm, to)):
        r = row(grower)
        r["oil_g"] += oil_g
        share = fractions.Fraction(oil_g * OIL_PRICE[feed] * OIL_SHARE_PCT, 100000)
        r["share"] += share
        if released:
            r["bonus"] += share * BONUS_PCT / 100
    for grower, vnd in db.execute("select grower, amount_vnd from advances where paid_on "
                                  "between ? and ?", (frm, to)):
        row(grower)["paid"] += vnd
    return g


def deliveries(db, grower, frm, to):
    """{(feedstock, part): kg} of the grower's lots received in [frm, to]."""
    out = {}
    for lid, feed, kg in db.execute(
            "select lot_id, feedstock, mass_received_kg from lots where grower = ? "
            "and substr(received_at, 1, 10) between ? and ?", (grower, frm, to)):
        k = (feed, lot_now(db, lid)["plant_part"])
        out[k] = round(out.get(k, 0) + kg, 3)
    return out


def check_settle_csv(csv_path, json_path):
    c = Check()
    rows = list(csv.DictReader(open(csv_path, newline="")))
    s = json.load(open(json_path))
    c.eq("settle --csv: rows", [r.get("grower") for r in rows],
         [x["grower"] for x in s["growers"]] + ["TOTAL"])
    total = rows[-1] if rows else {}
    for k in ("oil_g", "raw_vnd", "oil_share_vnd", "bonus_vnd", "paid_vnd", "due_vnd"):
        c.eq("settle --csv: TOTAL %s" % k, int(float(total.get(k, "nan") or "nan")) if
             total.get(k) else None, s["total"][k])
    c.done()


def check_settle(dbp, path, frm, to):
    db = ro(dbp)
    c = Check()
    s = json.load(open(path))
    growers = s["growers"]
    total = s["total"]
    want = settle_expected(db, frm, to)
    keys = ["raw_kg", "oil_g", "raw_vnd", "oil_share_vnd", "bonus_vnd", "paid_vnd", "due_vnd"]
    for k in keys:
        got = sum(x[k] for x in growers)
        c.true("settle: total %s %r is not the growers' sum %r" % (k, total[k], got),
               abs(total[k] - got) < 5e-4 if k == "raw_kg" else total[k] == got)
    for x in growers:
        c.eq("settle %s: due = raw + share + bonus - paid" % x["grower"], x["due_vnd"],
             x["raw_vnd"] + x["oil_share_vnd"] + x["bonus_vnd"] - x["paid_vnd"])
    c.eq("settle: growers", sorted(x["grower"] for x in growers), sorted(want))
    for x in growers:
        got = {}
        for d in x["deliveries"]:
            k = (d["feedstock"], d["plant_part"])
            got[k] = round(got.get(k, 0) + d["raw_kg"], 3)
        c.eq("settle %s: deliveries by feedstock and part" % x["grower"], got,
             deliveries(db, x["grower"], frm, to))
    weighed = sum(weighed_g(db, bid) or 0 for (bid,) in db.execute(
        "select id from batches where substr(started_at, 1, 10) between ? and ?", (frm, to)))
    c.eq("settle: oil_weighed_g vs the latest weighings (sqlite3)", s.get("oil_weighed_g"), weighed)
    c.eq("settle: total oil_g vs the oil weighed", total["oil_g"], weighed)
    for x in growers:
        w = want.get(x["grower"])
        if w is None:
            continue
        n = x["grower"]
        c.true("settle %s: raw_kg %r, expected %r" % (n, x["raw_kg"], w["raw_kg"]),
               abs(x["raw_kg"] - w["raw_kg"]) < 5e-4)
        c.eq("settle %s: oil_g" % n, x["oil_g"], w["oil_g"])
        for k, wk in (("raw_vnd", "raw"), ("oil_share_vnd", "share"), ("bonus_vnd", "bonus"),
                      ("paid_vnd", "paid")):
            c.eq("settle %s: %s" % (n, k), x[k], dong(w[wk]))
    c.done()


def main():
    cmd, args = sys.argv[1], sys.argv[2:]
    if cmd == "plan":
        plan(args[0], args[1], int(args[2]) if len(args) > 2 else 14)
    elif cmd == "attribution":
        check_attribution(*args)
    elif cmd == "lots":
        check_lots(*args)
    elif cmd == "trace-drum":
        check_trace_drum(*args)
    elif cmd == "trace-lot":
        check_trace_lot(*args)
    elif cmd == "settle-csv":
        check_settle_csv(*args)
    elif cmd == "settle":
        check_settle(*args[:4])
    else:
        sys.exit("rec_season.py: unknown command %s" % cmd)


if __name__ == "__main__":
    main()
