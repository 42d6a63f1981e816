"""bench_alliance: the alliance's figures of `make bench` (issue 16),
imported by bench/bench.py (measure name "alliance"; BENCH_ONLY=alliance).

  sync_backlog_year_s     a year of a 10-still plant's records
                          (bench/gen_plant, cached under $BUILD/alliance/)
                          drained by `stillroom-sync --once` into an empty
                          PostgreSQL
  sync_backlog_rows_s     the same run's rows per second
  sync_lag_p99_ms         steady state: a lot added on a running plant
                          (stillroomd, the CLI's commit) to the row visible
                          centrally, the sync running; p99 of LAG_N
  alliance_100_plants_ingest_rows_s
                          100 generated plants (10 stills each, a small
                          span, no samples) shipped by 100 syncs at once into one
                          PostgreSQL: rows landed / wall seconds
  alliance_report_ms      `stillroom alliance yields` over those 100
                          plants, median of 5

PostgreSQL is a throwaway cluster (initdb in the work directory, a free
127.0.0.1 port, as nobody when root, fsync off as in tests/pg.sh: the
figures are of the sync and the server's CPU, not of this disk).
"""
import os
import shutil
import statistics
import subprocess
import tempfile
import time

PG_BIN = "/usr/lib/postgresql/15/bin"
YEAR_SAMPLES_DAYS = os.environ.get("BENCH_YEAR_SAMPLES_DAYS", "365")   # the whole year
LAG_N = 100
PLANTS = 100
PLANT_YEARS = "0.015"         # 5.5 plant days (gen_plant leaves the last 3 idle)
PLANT_SAMPLES_DAYS = "0"      # no historian samples: ~2,000 rows a plant, so 100 run in minutes

GOALS = {
    "sync_backlog_year_s": ("<= 300", lambda v: v <= 300),
    "sync_backlog_rows_s": (None, None),
    "sync_lag_p99_ms": ("<= 2000", lambda v: v <= 2000),
    "sync_lag_p50_ms": (None, None),
    "alliance_100_plants_ingest_rows_s": (None, None),
    "alliance_report_ms": (None, None),
}
METHOD = {}


class Pg:
    """A throwaway PostgreSQL 15 under procs (b: the bench module)."""

    def __init__(self, b, procs):
        self.b, self.procs = b, procs
        self.data = tempfile.mkdtemp(prefix="stillroom-bench-pg.")
        self.port = b.free_port()
        self.as_user = ["setpriv", "--reuid=nobody", "--regid=nogroup",
                        "--clear-groups"] if os.getuid() == 0 else []
        if os.getuid() == 0:
            shutil.chown(self.data, "nobody")
        subprocess.run(self.as_user + [f"{PG_BIN}/initdb", "-D", self.data, "-U", "postgres",
                       "--auth=trust", "--no-sync", "-E", "UTF8", "--locale=C"],
                       check=True, capture_output=True)
        self.proc = procs.start("postgres", self.as_user + [
            f"{PG_BIN}/postgres", "-D", self.data, "-p", str(self.port),
            "-c", "listen_addresses=127.0.0.1", "-c", "unix_socket_directories=",
            "-c", "fsync=off", "-c", "synchronous_commit=off",
            "-c", "full_page_writes=off", "-c", "max_connections=250",
            "-c", "log_min_messages=warning"])
        b.wait_until("postgres", 30, lambda: subprocess.run(
            [f"{PG_BIN}/pg_isready", "-q", "-h", "127.0.0.1", "-p", str(self.port)]).returncode == 0)

    def conninfo(self, user="postgres"):
        return f"host=127.0.0.1 port={self.port} dbname=postgres user={user}"

    def sql(self, text):
        r = subprocess.run(["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1",
                            "-d", self.conninfo(), "-c", text],
                           capture_output=True, text=True, check=True)
        return r.stdout.strip()

    def stop(self):
        self.procs.stop(self.proc, 30)
        shutil.rmtree(self.data, ignore_errors=True)


def sync_bin(b):
    return os.path.join(b.BIN, "stillroom-sync")


def init_central(b, pg, conf, plants):
    """The schema (from conf's plant database), a role per plant, and the
    reader "report" in role alliance."""
    subprocess.run([sync_bin(b), "-c", conf, "--init-central", "--conninfo",
                    pg.conninfo()], check=True, capture_output=True, timeout=300)
    for p in plants:
        pg.sql(f'CREATE ROLE "{p}" LOGIN IN ROLE stillroom_plant')
    pg.sql("CREATE ROLE report LOGIN IN ROLE alliance")


def sync_conf(work, base_conf, name, db, pg, extra=""):
    """A plant config for plant name on database db, shipping to pg."""
    with open(base_conf) as f:
        text = f.read()
    lines = []
    for ln in text.splitlines():
        if ln.strip().startswith("database:"):
            ln = ln.split("database:")[0] + "database: " + db
        lines.append(ln)
    lines += ["sync:", f'  postgres: "{pg.conninfo(name)}"', f"  plant: {name}",
              f"  state: {os.path.join(work, name + '.state')}"]
    if extra:
        lines.append(extra)
    path = os.path.join(work, name + ".yaml")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")
    return path


def plant_rows(db):
    """Rows of every table of a plant database (what a full sync ships)."""
    import sqlite3
    c = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    n = 0
    for (t,) in c.execute("select name from sqlite_master where type = 'table'"
                          " and name not like 'sqlite_%'"):
        n += c.execute(f'select count(*) from "{t}"').fetchone()[0]
    c.close()
    return n


def generated(b, name, years, samples_days, stills=10):
    """A generated plant database, cached in $BUILD/alliance/ (made again
    when gen_plant is newer)."""
    gen = os.path.join(b.BENCH_BIN, "gen_plant")
    cache = os.path.join(b.BIN, "alliance")
    os.makedirs(cache, exist_ok=True)
    db = os.path.join(cache, f"{name}.db")
    if os.path.exists(db):       # delete it to make it again
        return db
    for suffix in ("", "-wal", "-shm", ".tmp"):
        if os.path.exists(db + suffix):
            os.remove(db + suffix)
    b.log(f"alliance: generating {name} (gen_plant --years {years} "
          f"--samples-days {samples_days}), cached in {cache}")
    b.run_json([gen, "--out", db + ".tmp", "--years", years, "--stills", str(stills),
                "--samples-days", samples_days, "--root", b.ROOT], timeout=3600)
    os.rename(db + ".tmp", db)
    return db


def base_conf(b, work):
    return b.plant_config(os.path.join(work, "base.yaml"), work,
                          [("still1", 1, 1502, 200, 100)])


def measure_backlog(b, procs, work):
    db = generated(b, f"year-s{YEAR_SAMPLES_DAYS}", "1", YEAR_SAMPLES_DAYS)
    rows = plant_rows(db)
    pg = Pg(b, procs)
    try:
        conf = sync_conf(work, base_conf(b, work), "year", db, pg)
        init_central(b, pg, conf, ["year"])
        t0 = time.monotonic()
        subprocess.run([sync_bin(b), "-c", conf, "--once"], check=True,
                       capture_output=True, timeout=3600)
        wall = time.monotonic() - t0
    finally:
        pg.stop()
    METHOD["sync_backlog_year_s"] = (
        f"`stillroom-sync --once` of one plant-year of 10 stills (bench/gen_plant --years 1, "
        f"{rows} rows) into an empty PostgreSQL on this machine; historian samples at 1 s "
        f"for the last {YEAR_SAMPLES_DAYS} days of the year (365: all of it, as the "
        f"historian's hour blocks; BENCH_YEAR_SAMPLES_DAYS)")
    METHOD["sync_backlog_rows_s"] = "rows of that run / its wall seconds"
    return {"sync_backlog_year_s": round(wall, 1),
            "sync_backlog_rows_s": round(rows / wall)}


def measure_lag(b, procs, work):
    d = os.path.join(work, "lag")
    os.makedirs(d, exist_ok=True)
    plant = b.Plant(procs, d, "plant", 2, 200, 100)
    pg = Pg(b, procs)
    lags = []
    try:
        plant.start(speed=1, daemon_args=["--no-realtime"])
        conf = sync_conf(d, plant.conf, "lag", os.path.join(plant.dir, "stillroom.db"),
                         pg, "  poll_s: 0.1")
        init_central(b, pg, conf, ["lag"])
        sync = procs.start("lag-sync", [sync_bin(b), "-c", conf])
        cli = [os.path.join(b.BIN, "stillroom"), "-c", plant.conf, "--operator", "bench"]
        for i in range(LAG_N):
            lot = f"LAG-{i}"
            subprocess.run(cli + ["lot", "add", lot, "--feedstock", "cassia-leaf", "--mass",
                                  "100", "--grower", "Bench", "--origin", "Here"],
                           check=True, capture_output=True, timeout=30)
            t0 = time.monotonic()      # the daemon answered: committed
            b.wait_until(f"lot {lot} centrally", 60, lambda: pg.sql(
                f"SELECT 1 FROM lots WHERE plant = 'lag' AND lot_id = '{lot}'") == "1")
            lags.append((time.monotonic() - t0) * 1000)
        procs.stop(sync)
    finally:
        plant.stop()
        pg.stop()
    lags.sort()
    METHOD["sync_lag_p99_ms"] = (
        f"{LAG_N} `stillroom lot add` on a running 2-still plant (speed 1), each timed "
        "from the CLI's answer (committed) until psql sees the lot centrally "
        "(polled every 0.1 s, which adds up to 100 ms); the sync running with poll_s 0.1")
    METHOD["sync_lag_p50_ms"] = "the median of the same"
    return {"sync_lag_p99_ms": round(lags[int(0.99 * (len(lags) - 1))]),
            "sync_lag_p50_ms": round(statistics.median(lags))}


def measure_alliance(b, procs, work):
    db = generated(b, "small-plant", PLANT_YEARS, PLANT_SAMPLES_DAYS)
    d = os.path.join(work, "alliance")
    os.makedirs(d, exist_ok=True)
    names = [f"p{i:03d}" for i in range(PLANTS)]
    dbs = []
    for n in names:               # each plant its own file (same local ids)
        dbs.append(os.path.join(d, n + ".db"))
        shutil.copyfile(db, dbs[-1])
    rows = plant_rows(db) * PLANTS
    pg = Pg(b, procs)
    try:
        base = base_conf(b, d)
        confs = [sync_conf(d, base, n, x, pg) for n, x in zip(names, dbs)]
        init_central(b, pg, confs[0], names)
        t0 = time.monotonic()
        ps = [subprocess.Popen([sync_bin(b), "-c", c, "--once"], stdout=subprocess.DEVNULL,
                               stderr=subprocess.PIPE) for c in confs]
        bad = [p for p in ps if p.wait() != 0]
        wall = time.monotonic() - t0
        if bad:
            raise RuntimeError(f"{len(bad)} of {PLANTS} syncs failed: "
                               f"{bad[0].stderr.read().decode().strip()[:200]}")
        landed = int(pg.sql("SELECT count(*) FROM events")) + int(pg.sql(
            "SELECT count(*) FROM hist_blocks"))
        subprocess.run([os.path.join(b.BIN, "stillroom"), "alliance", "views", "--postgres",
                        pg.conninfo()], check=True, capture_output=True)
        times = []
        for _ in range(5):
            t1 = time.monotonic()
            subprocess.run([os.path.join(b.BIN, "stillroom"), "alliance", "yields",
                            "--postgres", pg.conninfo("report")], check=True,
                           capture_output=True)
            times.append((time.monotonic() - t1) * 1000)
    finally:
        pg.stop()
    METHOD["alliance_100_plants_ingest_rows_s"] = (
        f"{PLANTS} copies of one generated plant (10 stills, gen_plant --years {PLANT_YEARS} "
        f"--samples-days {PLANT_SAMPLES_DAYS}: {rows // PLANTS} rows each; the same local "
        f"ids, distinct by plant) shipped by {PLANTS} `stillroom-sync --once` started "
        f"together into one PostgreSQL: {rows} rows / wall seconds "
        f"({landed} events and historian blocks counted centrally after)")
    METHOD["alliance_report_ms"] = (
        f"`stillroom alliance yields` (the process, connecting included) over those "
        f"{PLANTS} plants, as the alliance role; median of 5")
    return {"alliance_100_plants_ingest_rows_s": round(rows / wall),
            "alliance_report_ms": round(statistics.median(times), 1)}


def measure(procs, work, b):
    """Every alliance figure; b is the bench module (its helpers)."""
    if not os.access(sync_bin(b), os.X_OK):
        raise RuntimeError(f"{sync_bin(b)} is missing (make {b.BUILD}/stillroom-sync)")
    subprocess.run(["make", "-s", "--no-print-directory", "-f", "Makefile", "-f",
                    "bench/bench.mk", f"BUILD={b.BUILD}", f"{b.BUILD}/bench/gen_plant"],
                   check=True, cwd=b.ROOT)
    r = {}
    only = os.environ.get("BENCH_ALLIANCE", "backlog,lag,alliance").split(",")
    for fn in [globals()["measure_" + m] for m in only]:
        r.update(fn(b, procs, work))
        procs.stop_all()
        b.METHOD.update(METHOD)
    return r

