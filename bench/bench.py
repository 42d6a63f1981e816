#!/usr/bin/python3
"""`make bench`: stillroom's performance figures, measured on this machine.

usage: BUILD=build /usr/bin/python3 bench/bench.py   (bench/run does this)
       BENCH_ONLY=jitter,modbus ...   only those measures, printed, no files
                                      written (names: closedloop estimator console
                                      historian decade simulator modbus
                                      jitter mqtt rss maxstills alliance)

Runs every measure once, each against a baseline taken in the same run
where the figure is a ratio, and writes bench/results.json (figure -> number)
and docs/BENCHMARKS.md (every figure with its goal, whether it met it, its
method, and the machine, date and command). Goals are reported, never
asserted: the exit status is 1 only when a measure could not be taken.

Real processes (stillroom-sim, stillroomd, the load) run on 127.0.0.1 with
free ports and private files under a temporary directory; each is stopped
by the pid this script started, never by name.
"""
import datetime
import hashlib
import json
import os
import platform
import pwd
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time

import bench_alliance

ROOT = os.getcwd()
BUILD = os.environ.get("BUILD", "build")
BIN = os.path.join(ROOT, BUILD)
BENCH_BIN = os.path.join(BIN, "bench")
PYTHON = "/usr/bin/python3"


def header_define(path, name):
    """The number a #define in one of the project's files gives name."""
    with open(os.path.join(ROOT, path)) as f:
        return int(re.search(rf"#define\s+{name}\s+\"?(\d+)", f.read()).group(1))


# stills per simulator: its connection cap, and unit ids 1..246 (247 is the
# simulator's control unit)
SIM_CLIENTS_MAX = min(header_define("simulator/simsrv.h", "SIMSRV_CLIENTS_MAX"), 246)
STILLS_MAX = header_define("config/cfg.h", "CFG_STILLS_MAX")
JITTER_SAMPLES = header_define("controller/loop.h", "LOOP_JITTER_SAMPLES")
JRN_BATCH_ROWS = header_define("controller/jrn.c", "JRN_BATCH_ROWS")

# the decade (issue 17): bench/gen_plant's plant, cached in $BUILD/decade
# BENCH_DECADE_YEARS / BENCH_DECADE_SAMPLE_DAYS: a shorter span on a slow or
# loaded machine (the figures' method says which span was measured)
DECADE_YEARS = float(os.environ.get("BENCH_DECADE_YEARS", "10"))
DECADE_STILLS = 10
DECADE_SAMPLE_DAYS = float(os.environ.get("BENCH_DECADE_SAMPLE_DAYS", "30"))
DECADE_ROUNDS = 5

JITTER_STILLS = 32
JITTER_RUN_S = {100: 40, 10: 20}   # measured span after every link is up
BARE_WAKE_S = 15                   # bare threads' run, just before the daemon's
MAXSTILLS_STEPS = [n for n in (32, 64, 128, 200, 247) if n < STILLS_MAX] + [STILLS_MAX]
MAXSTILLS_TRIAL_S = 20
MAXSTILLS_CONFIRM_S = 60
SIMSPEEDS = [1000, 10000, 100000, 300000, 1000000]
SIMSPEED_POLL_S = 3
POLL_STILLS = 32


def log(msg):
    print("bench: " + msg, flush=True)


# ---- processes -----------------------------------------------------------

class Procs:
    """Processes this run started, by pid; logs in the work directory."""

    def __init__(self, work):
        self.work = work
        self.live = []

    def start(self, name, argv, group=False):
        out = open(os.path.join(self.work, name + ".log"), "w")
        p = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT,
                             stdin=subprocess.DEVNULL, start_new_session=group)
        p.bench_name = name
        p.bench_group = group
        p.bench_log = out
        self.live.append(p)
        return p

    def stop(self, p, timeout=10):
        """SIGTERM (to its own process group when it has one), SIGKILL after
        timeout; returns the exit status."""
        if p not in self.live:
            return p.returncode
        sig_to = (lambda s: os.killpg(p.pid, s)) if p.bench_group else p.send_signal
        try:
            sig_to(signal.SIGTERM)
        except ProcessLookupError:
            pass
        try:
            rc = p.wait(timeout)
        except subprocess.TimeoutExpired:
            try:
                sig_to(signal.SIGKILL)
            except ProcessLookupError:
                pass
            rc = p.wait()
        p.bench_log.close()
        self.live.remove(p)
        return rc

    def stop_all(self):
        for p in reversed(list(self.live)):
            self.stop(p)

    def log_text(self, p):
        if not p.bench_log.closed:
            p.bench_log.flush()
        with open(os.path.join(self.work, p.bench_name + ".log")) as f:
            return f.read()


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_until(what, timeout, fn):
    """Polls fn() every 0.1 s until it returns something true; returns it,
    or raises after timeout seconds."""
    end = time.monotonic() + timeout
    while True:
        try:
            v = fn()
            if v:
                return v
        except OSError:
            pass
        if time.monotonic() > end:
            raise RuntimeError(f"{what}: not within {timeout} s")
        time.sleep(0.1)


def port_open(port):
    with socket.create_connection(("127.0.0.1", port), timeout=1):
        return True


def run_json(argv, timeout=300, env=None):
    """Runs a bench program; returns its last stdout line as JSON."""
    r = subprocess.run(argv, capture_output=True, text=True, timeout=timeout, env=env)
    if r.returncode != 0:
        raise RuntimeError(f"{' '.join(argv)}: exit {r.returncode}: {r.stderr.strip()}")
    return json.loads(r.stdout.strip().splitlines()[-1])


# ---- configurations --------------------------------------------------------

def plant_config(path, work, stills):
    """Writes a plant config at path from config/plant.yaml with the given
    stills [(name, unit_id, port, period_ms, timeout_ms)] and private paths."""
    with open(os.path.join(ROOT, "config/plant.yaml")) as f:
        lines = f.read().splitlines()
    start = lines.index("stills:")
    end = start + 1
    while end < len(lines) and (lines[end] == "" or lines[end][0] == " "):
        end += 1
    block = ["stills:"]
    for name, unit, port, period, timeout in stills:
        block += [f"  - name: {name}", f"    unit_id: {unit}",
                  f"    tcp: 127.0.0.1:{port}", f"    period_ms: {period}",
                  f"    timeout_ms: {timeout}"]
    text = "\n".join(lines[:start] + block + [""] + lines[end:]) + "\n"
    subs = {
        "database": os.path.join(work, "stillroom.db"),
        "socket": os.path.join(work, "stillroom.sock"),
        "recipes": os.path.join(ROOT, "recipes"),
        "feedstocks": os.path.join(ROOT, "simulator/feedstocks.yaml"),
        "qa_spec": os.path.join(ROOT, "config/qa.yaml"),
    }
    for key, val in subs.items():
        text = re.sub(rf"(?m)^(\s+{key}:) .*$", rf"\1 {val}", text)
    with open(path, "w") as f:
        f.write(text)
    return path


class Plant:
    """n stills at period_ms on ceil(n / SIM_CLIENTS_MAX) simulators (unit ids
    1..SIM_CLIENTS_MAX on each: one simulator serves at most that many
    connections, and unit 247 is its control unit) and one daemon."""

    def __init__(self, procs, work, tag, n, period_ms, timeout_ms):
        self.procs, self.work, self.n = procs, work, n
        self.dir = os.path.join(work, tag)
        os.makedirs(self.dir, exist_ok=True)
        self.groups = []
        stills = []
        for g in range((n + SIM_CLIENTS_MAX - 1) // SIM_CLIENTS_MAX):
            port = free_port()
            mine = [(f"s{g * SIM_CLIENTS_MAX + k + 1}", k + 1, port, period_ms, timeout_ms)
                    for k in range(min(SIM_CLIENTS_MAX, n - g * SIM_CLIENTS_MAX))]
            conf = plant_config(os.path.join(self.dir, f"sim{g}.yaml"), self.dir, mine)
            self.groups.append((port, conf))
            stills += mine
        self.conf = plant_config(os.path.join(self.dir, "plant.yaml"), self.dir, stills)
        self.sock = os.path.join(self.dir, "stillroom.sock")
        self.sims = []
        self.daemon = None

    def start(self, speed=1, daemon_args=()):
        for g, (port, conf) in enumerate(self.groups):
            self.sims.append(self.procs.start(
                f"{os.path.basename(self.dir)}-sim{g}",
                [os.path.join(BIN, "stillroom-sim"), "-c", conf,
                 "--listen", f"127.0.0.1:{port}", "--speed", str(speed)]))
        for port, _ in self.groups:
            wait_until(f"simulator on port {port}", 10, lambda: port_open(port))
        if self.n == 0:
            return
        self.daemon = self.procs.start(
            f"{os.path.basename(self.dir)}-daemon",
            [os.path.join(BIN, "stillroomd"), "-c", self.conf, *daemon_args])
        wait_until("daemon socket", 20, lambda: self.status())

    def status(self):
        """The daemon's `status json` reply, parsed."""
        with socket.socket(socket.AF_UNIX) as s:
            s.settimeout(5)
            s.connect(self.sock)
            s.sendall(b"status json\n")
            buf = b""
            while not re.search(rb"(^|\n)(ok|err)[^\n]*\n$", buf):
                chunk = s.recv(65536)
                if not chunk:
                    break
                buf += chunk
        for line in buf.decode().splitlines():
            if line.startswith("{"):
                return json.loads(line)
        raise RuntimeError("status json: no JSON line in the reply")

    def all_up(self):
        st = self.status()["stills"]
        return len(st) == self.n and all(s["comm"] == "ok" and s["ticks"] > 2 for s in st)

    def stop(self):
        if self.daemon is not None:
            self.procs.stop(self.daemon, 20)
        for p in self.sims:
            self.procs.stop(p)
        self.sims = []


# ---- the load beside the loop ---------------------------------------------

class Load:
    """A busy loop on one core and a loop of 16 MB writes with fsync."""

    def __init__(self, procs, work):
        self.procs = procs
        self.busy = procs.start("load-cpu", ["sh", "-c", "while :; do :; done"], group=True)
        target = os.path.join(work, "fsync-load.dat")
        self.disk = procs.start("load-fsync", ["sh", "-c",
                                "while :; do dd if=/dev/zero of='%s' bs=1M count=16 "
                                "conv=fsync 2>/dev/null; done" % target], group=True)

    def stop(self):
        self.procs.stop(self.busy)
        self.procs.stop(self.disk)


# ---- the measures ------------------------------------------------------------
# Each returns {key: number} and adds one method line per key to METHOD.

METHOD = {}
NOTES = []
RSS_INFO = {}


def measure_modbus(procs, work):
    """fio vs bare libmodbus; the polling job in C vs pymodbus."""
    # no daemon: a simulator of 32 stills that the bench programs poll
    d = os.path.join(work, "modbus")
    os.makedirs(d, exist_ok=True)
    port = free_port()
    stills = [(f"s{k}", k, port, 200, 100) for k in range(1, POLL_STILLS + 1)]
    conf = plant_config(os.path.join(d, "sim.yaml"), d, stills)
    sim = procs.start("modbus-sim", [os.path.join(BIN, "stillroom-sim"), "-c", conf,
                                     "--listen", f"127.0.0.1:{port}"])
    wait_until("simulator", 10, lambda: port_open(port))
    out = {}
    try:
        t = run_json([os.path.join(BENCH_BIN, "bench_modbus"), "tick", conf, "40", "200"])
        out["modbus_tick_vs_raw_ratio"] = round(
            t["fio_us_per_tick_median"] / t["raw_us_per_tick_median"], 3)
        out["modbus_tick_fio_us"] = round(t["fio_us_per_tick_median"], 1)
        out["modbus_tick_raw_us"] = round(t["raw_us_per_tick_median"], 1)
        METHOD["modbus_tick_vs_raw_ratio"] = (
            f"bench_modbus tick: still1 on a stillroom-sim (speed 1) over loopback TCP; "
            f"fio_read+fio_write ({t['reads_per_tick']} block read, "
            f"{t['writes_per_tick']} block write) vs the same requests sent bare with "
            f"libmodbus on a second connection, 40 alternating rounds of 200 ticks; "
            f"ratio of the per-round medians ({t['fio_us_per_tick_median']:.1f} us / "
            f"{t['raw_us_per_tick_median']:.1f} us; means {t['fio_us_per_tick_mean']:.1f} / "
            f"{t['raw_us_per_tick_mean']:.1f} us)")
        METHOD["modbus_tick_fio_us"] = "the numerator above: fio's I/O per tick, median of rounds"
        METHOD["modbus_tick_raw_us"] = "the denominator above: bare libmodbus per tick, median of rounds"

        plan = subprocess.run([os.path.join(BENCH_BIN, "bench_modbus"), "plan", conf],
                              capture_output=True, text=True, check=True).stdout.strip()
        c_s, py_s = [], []
        cycles_c, cycles_py = 300, 100
        for _ in range(2):
            r = run_json([os.path.join(BENCH_BIN, "bench_modbus"), "poll", conf,
                          str(POLL_STILLS), str(cycles_c)])
            c_s.append(r["us_per_cycle"])
            time.sleep(0.5)     # the simulator lets the 32 connections go
            r = run_json([PYTHON, os.path.join(ROOT, "bench/pymodbus_poll.py"), str(port),
                          str(POLL_STILLS), str(cycles_py), plan])
            py_s.append(r["us_per_cycle"])
            time.sleep(0.5)
        c_us, py_us = statistics.mean(c_s), statistics.mean(py_s)
        pymodbus = subprocess.run([PYTHON, "-c", "import pymodbus; print(pymodbus.__version__)"],
                                  capture_output=True, text=True).stdout.strip()
        out["vs_pymodbus_poll_ratio"] = round(py_us / c_us, 3)
        out["poll_cycle_32_stills_c_ms"] = round(c_us / 1000, 3)
        out["poll_cycle_32_stills_pymodbus_ms"] = round(py_us / 1000, 3)
        METHOD["vs_pymodbus_poll_ratio"] = (
            f"one cycle = for each of {POLL_STILLS} stills (one connection each, one "
            f"simulator): read the map, decode it, write steam/cooling/heartbeat; "
            f"{PYTHON} pymodbus {pymodbus} loop (bench/pymodbus_poll.py, "
            f"{cycles_py} cycles) vs fio in C (bench_modbus poll, {cycles_c} cycles), "
            f"alternated twice, time per cycle python / C ({py_us / 1000:.2f} ms / "
            f"{c_us / 1000:.2f} ms)")
        METHOD["poll_cycle_32_stills_c_ms"] = "the C side of the ratio above: ms per cycle of 32 stills"
        METHOD["poll_cycle_32_stills_pymodbus_ms"] = "the pymodbus side: ms per cycle of 32 stills"
    finally:
        procs.stop(sim)
    return out


def jitter_stats(st):
    stills = st["stills"]
    return {
        "p50": max(s["jitter_p50_us"] for s in stills),
        "p99": max(s["jitter_p99_us"] for s in stills),
        "max": max(s["jitter_max_us"] for s in stills),
        "p50_median": statistics.median(s["jitter_p50_us"] for s in stills),
        "overruns": sum(s["overruns"] for s in stills),
        "errors": sum(s["modbus_errors"] for s in stills),
        "ticks": sum(s["ticks"] for s in stills),
        "io_us": statistics.mean(s["io_us"] for s in stills),
        "comm_ok": sum(1 for s in stills if s["comm"] == "ok"),
    }


def scheduling(text):
    fifo = text.count("SCHED_FIFO priority")
    plain = text.count("plain scheduling")
    if fifo and not plain:
        return "SCHED_FIFO (priority 50) on every control thread"
    if plain and not fifo:
        m = re.search(r"plain scheduling \(([^)]*)\)", text)
        return "plain scheduling" + (f" ({m.group(1)})" if m else "")
    return f"SCHED_FIFO on {fifo} threads, plain on {plain}"


def measure_jitter(procs, work):
    out = {}
    for period in (100, 10):
        load = Load(procs, work)
        plant = Plant(procs, work, f"jitter{period}", JITTER_STILLS, period, period // 2)
        try:
            time.sleep(1)   # the load is running before anything is timed
            bare = run_json([os.path.join(BENCH_BIN, "bench_wake"), str(period),
                             str(JITTER_STILLS), str(BARE_WAKE_S), "fifo"])
            t0 = time.monotonic()
            plant.start()
            wait_until("32 stills up", 20, plant.all_up)
            up_s = time.monotonic() - t0
            samples_io = []
            end = time.monotonic() + JITTER_RUN_S[period]
            while time.monotonic() < end:
                time.sleep(1)
                samples_io.append(jitter_stats(plant.status())["io_us"])
            s = jitter_stats(plant.status())
            rss, threads = daemon_rss_kb(plant.daemon.pid), daemon_threads(plant.daemon.pid)
            sched = scheduling(procs.log_text(plant.daemon))
            refused = sum(procs.log_text(p).count(" refused: ") for p in plant.sims)
        finally:
            plant.stop()
            load.stop()
        suffix = f"_{period}ms_32_stills_loaded"
        out["loop_wake_p50_us" + suffix] = round(s["p50"], 1)
        out["loop_wake_p99_us" + suffix] = round(s["p99"], 1)
        out["loop_wake_max_us" + suffix] = round(s["max"], 1)
        out["loop_overruns" + suffix] = s["overruns"]
        out["loop_io_us" + suffix] = round(statistics.mean(samples_io), 1)
        bsuffix = f"_{period}ms_32_threads_loaded"
        for q in ("p50", "p99", "max"):
            out[f"bare_wake_{q}_us" + bsuffix] = round(bare[f"{q}_us"], 1)
        METHOD["bare_wake_p50_us" + bsuffix] = (
            f"baseline for the loop figures: bench_wake, 32 bare threads "
            f"({bare['fifo_threads']} of them SCHED_FIFO 50) sleeping to absolute "
            f"{period} ms deadlines and doing nothing else, {BARE_WAKE_S} s under the same "
            f"load just before the daemon started; largest of the threads' p50 "
            f"(pooled p50 {bare['pooled_p50_us']:.0f} us)")
        METHOD["bare_wake_p99_us" + bsuffix] = (
            f"same run, largest of the threads' p99 (pooled p99 "
            f"{bare['pooled_p99_us']:.0f} us)")
        METHOD["bare_wake_max_us" + bsuffix] = "same run, largest wake lateness of any thread"
        ring_s = JITTER_SAMPLES * period / 1000
        run_s = up_s + JITTER_RUN_S[period]
        common = (f"stillroomd (speed 1, {sched}) with 32 stills of period {period} ms, "
                  f"timeout {period // 2} ms, on one stillroom-sim (units 1..{JITTER_STILLS}), while "
                  f"`sh -c 'while :; do :; done'` and a loop of `dd bs=1M count=16 "
                  f"conv=fsync` ran; {JITTER_RUN_S[period]} s after all 32 links were up "
                  f"({up_s:.1f} s after start)")
        window = (f"every wake since the daemon started, start-up included" if run_s < ring_s
                  else f"the last {ring_s:.0f} s")
        METHOD["loop_wake_p50_us" + suffix] = (
            f"status json jitter_p50_us, the largest of the 32 stills (their median "
            f"{s['p50_median']:.0f} us); each still's ring holds its last {JITTER_SAMPLES} wakes, "
            f"here {window}; {common}")
        METHOD["loop_wake_p99_us" + suffix] = (
            "jitter_p99_us, the largest of the 32 stills (an upper bound of the pooled "
            "p99), same run")
        METHOD["loop_wake_max_us" + suffix] = (
            f"jitter_max_us, the largest of the 32 stills, over the whole run from "
            f"daemon start ({run_s:.0f} s, start-up included), same run")
        METHOD["loop_overruns" + suffix] = (
            f"overruns summed over the 32 stills over the whole run, same run "
            f"({s['ticks']} ticks, {s['errors']} Modbus errors, {refused} reconnects "
            f"refused by the simulator at its {SIM_CLIENTS_MAX}-connection cap)")
        METHOD["loop_io_us" + suffix] = (
            "status io_us (read + write time of a tick), mean over stills and over one "
            "status a second, same run")
        if period == 100:
            out["daemon_rss_kb_32_stills"] = rss
            METHOD["daemon_rss_kb_32_stills"] = (
                f"VmRSS of stillroomd from /proc/PID/status at the end of the 100 ms "
                f"jitter run (32 stills running, {threads} threads, {sched}, "
                f"{run_s:.0f} s after start)")
            RSS_INFO.update(threads=threads, locked="memory locked (mlockall)" in
                            procs.log_text(plant.daemon))
        if refused:
            NOTES.append(
                f"simulator cap: stillroom-sim serves at most {SIM_CLIENTS_MAX} connections "
                f"(SIMSRV_CLIENTS_MAX) and the {period} ms run's {JITTER_STILLS} stills fill "
                f"it, so after a Modbus timeout the daemon's reconnect was refused {refused} "
                f"times until the simulator had let the old connection go; each refusal costs "
                f"that still a Modbus error and a reconnect, time inside a tick, not "
                f"wake-up lateness")
        log(f"jitter {period} ms: p50 {s['p50']:.0f} us, p99 {s['p99']:.0f} us, "
            f"max {s['max']:.0f} us, overruns {s['overruns']}")
    return out


MQTT_RUN_S = 20       # each run's span once all 32 links are up
MQTT_ROUNDS = 3       # side-by-side pairs, alternating which starts first
MQTT_STATUS_S = 1     # every still's status this often (the default is 10 s)


def mosquitto_start(procs, work):
    """A throwaway mosquitto on a free loopback port (as tests/mqtt.sh)."""
    port = free_port()
    conf = os.path.join(work, "mosquitto.conf")
    with open(conf, "w") as f:
        f.write(f"listener {port} 127.0.0.1\npersistence false\nallow_anonymous true\n"
                f"user {pwd.getpwuid(os.getuid()).pw_name}\n")
    p = procs.start("mosquitto", ["mosquitto", "-c", conf])
    wait_until("mosquitto", 10, lambda: port_open(port))
    return p, port


def measure_mqtt(procs, work):
    """mqtt_wake_p99_ratio: two daemons of 32 stills run side by side, one
    publishing every still's status over MQTT (status_s 1 s, a local
    mosquitto), one without; the ratio of their wake p99s, measured over the
    same seconds so the machine's load falls on both alike."""
    broker, port = mosquitto_start(procs, work)
    ratios, p99 = [], {"off": [], "on": []}
    published = 0
    try:
        for r in range(MQTT_ROUNDS):
            plants = {m: Plant(procs, work, f"mqtt-{m}{r}", JITTER_STILLS, 100, 50)
                      for m in ("off", "on")}
            with open(plants["on"].conf, "a") as f:
                f.write(f"mqtt:\n  broker: 127.0.0.1:{port}\n  cooperative: bench\n"
                        f"  plant: p{r}\n  status_s: {MQTT_STATUS_S} s\n")
            try:
                for m in (("off", "on") if r % 2 == 0 else ("on", "off")):
                    plants[m].start()
                for m in plants:
                    wait_until("32 stills up", 20, plants[m].all_up)
                time.sleep(MQTT_RUN_S)
                got = {m: jitter_stats(plants[m].status())["p99"] for m in plants}
                got_sub = subprocess.run(
                    ["mosquitto_sub", "-h", "127.0.0.1", "-p", str(port), "-t",
                     f"stillroom/bench/p{r}/+/status", "--retained-only", "-W", "5"],
                    capture_output=True, text=True).stdout
                published = max(published, got_sub.count("\n"))
            finally:
                for m in plants:
                    plants[m].stop()
            for m in got:
                p99[m].append(got[m])
            ratios.append(got["on"] / got["off"])
    finally:
        procs.stop(broker)
    log(f"mqtt: wake p99 off {p99['off']} us, on {p99['on']} us, ratios "
        f"{[round(x, 2) for x in ratios]}")
    ratio = statistics.median(ratios)
    METHOD["mqtt_wake_p99_ratio"] = (
        f"two stillroomd of 32 stills each (period 100 ms, speed 1, a stillroom-sim each, "
        f"no added load) side by side, one with an `mqtt:` section publishing every "
        f"still's status every {MQTT_STATUS_S} s to a local mosquitto ({published} "
        f"retained statuses seen), one without; {MQTT_RUN_S} s after all links were up, "
        f"the largest of each daemon's jitter_p99_us; the median over {MQTT_ROUNDS} rounds "
        f"of with / without (rounds: {', '.join(f'{x:.2f}' for x in ratios)})")
    METHOD["mqtt_wake_p99_us_on"] = "same run: the daemon publishing over MQTT, median of rounds"
    METHOD["mqtt_wake_p99_us_off"] = "same run: the daemon without, median of rounds"
    return {"mqtt_wake_p99_ratio": round(ratio, 3),
            "mqtt_wake_p99_us_on": round(statistics.median(p99["on"]), 1),
            "mqtt_wake_p99_us_off": round(statistics.median(p99["off"]), 1)}


def daemon_rss_kb(pid):
    with open(f"/proc/{pid}/status") as f:
        return int(re.search(r"VmRSS:\s+(\d+)", f.read()).group(1))


def daemon_threads(pid):
    with open(f"/proc/{pid}/status") as f:
        return int(re.search(r"Threads:\s+(\d+)", f.read()).group(1))


def measure_rss_plain(procs, work):
    """The daemon's memory without real-time (no mlockall)."""
    plant = Plant(procs, work, "rss", JITTER_STILLS, 100, 50)
    try:
        plant.start(daemon_args=("--no-realtime",))
        wait_until("32 stills up", 20, plant.all_up)
        time.sleep(5)
        rss = daemon_rss_kb(plant.daemon.pid)
    finally:
        plant.stop()
    METHOD["daemon_rss_kb_32_stills_no_realtime"] = (
        "VmRSS of `stillroomd --no-realtime` (plain scheduling, so no mlockall) with the "
        "same 32 stills at 100 ms, no load, 5 s after every link was up: what the "
        "figure above is without memory locking")
    return {"daemon_rss_kb_32_stills_no_realtime": rss}


def maxstills_trial(procs, work, n, secs):
    """Runs n stills at 200 ms for secs seconds after every link is up;
    returns (ok, text)."""
    plant = Plant(procs, work, f"max{n}-{secs}", n, 200, 100)
    try:
        plant.start()
        try:
            wait_until(f"{n} stills up", 30, plant.all_up)
        except RuntimeError as e:
            return False, str(e)
        a = jitter_stats(plant.status())
        time.sleep(secs)
        st = plant.status()
        b = jitter_stats(st)
        min_ticks = min(s["ticks"] for s in st["stills"])
    finally:
        plant.stop()
    over, errs = b["overruns"] - a["overruns"], b["errors"] - a["errors"]
    expect = secs * 5 * n
    ticks = b["ticks"] - a["ticks"]
    ok = over == 0 and b["comm_ok"] == n and ticks >= 0.95 * expect and min_ticks > 0
    text = (f"{n} stills, {secs} s: {over} overruns, {errs} Modbus errors, "
            f"{ticks} ticks of {expect} expected, {b['comm_ok']}/{n} links ok, "
            f"{a['overruns']} overruns during start-up")
    log("max stills: " + text)
    return ok, text


def measure_maxstills(procs, work):
    best, failed_at, trials, passed = 0, None, [], []
    for n in MAXSTILLS_STEPS:
        ok, text = maxstills_trial(procs, work, n, MAXSTILLS_TRIAL_S)
        trials.append(text + (" -> pass" if ok else " -> FAIL"))
        if not ok:
            failed_at = n
            break
        best = n
        passed.append(n)
    # one step of bisection between the last pass and the first failure
    if failed_at is not None and failed_at - best > 16:
        mid = (best + failed_at) // 2
        ok, text = maxstills_trial(procs, work, mid, MAXSTILLS_TRIAL_S)
        trials.append(text + (" -> pass" if ok else " -> FAIL"))
        if ok:
            best = mid
            passed.append(mid)
    confirmed = 0
    for n in sorted(passed, reverse=True)[:2]:
        ok, text = maxstills_trial(procs, work, n, MAXSTILLS_CONFIRM_S)
        trials.append("confirm " + text + (" -> pass" if ok else " -> FAIL"))
        if ok:
            confirmed = n
            break
    sims = (confirmed + SIM_CLIENTS_MAX - 1) // SIM_CLIENTS_MAX
    METHOD["max_stills_200ms_no_overrun"] = (
        f"largest of {MAXSTILLS_STEPS} stills, with one bisection step after the first "
        f"failure (period 200 ms, timeout 100 ms, speed 1, "
        f"no load) that one stillroomd ran with 0 overruns, every link up and >= 95 % "
        f"of the ticks, in a {MAXSTILLS_TRIAL_S} s trial after all links were up, then "
        f"confirmed over {MAXSTILLS_CONFIRM_S} s; {sims} simulator(s), {SIM_CLIENTS_MAX} "
        f"stills each (a simulator serves {SIM_CLIENTS_MAX} connections); trials: "
        + "; ".join(trials))
    if confirmed == STILLS_MAX:
        NOTES.append(f"max stills: {STILLS_MAX} is the most a plant config can hold "
                     f"(CFG_STILLS_MAX): the search stopped there, not at an overrun")
    return {"max_stills_200ms_no_overrun": confirmed}


def measure_store(work):
    db = os.path.join(work, "historian.db")
    r = run_json([os.path.join(BENCH_BIN, "bench_store"), db, str(JRN_BATCH_ROWS), "2", "3"])
    METHOD["historian_vs_autocommit_ratio"] = (
        f"bench_store: store_samples into a fresh WAL database on the work directory's "
        f"filesystem, {JRN_BATCH_ROWS} rows per call (the journal's JRN_BATCH_ROWS) vs 1 "
        f"row per call, 3 alternating rounds of 2 s each: rows/s {r['batched_rows_per_s']:.0f} / "
        f"{r['autocommit_rows_per_s']:.0f}")
    METHOD["historian_batched_rows_per_s"] = "the batched side of the ratio above"
    METHOD["historian_ingest_ratio"] = (
        "the issue 17 name of historian_vs_autocommit_ratio (the same run): the journal's "
        "path (store_samples, JRN_BATCH_ROWS rows a transaction, raw rows packed into "
        "blocks as they close) over one row a transaction")
    METHOD["historian_commit_p99_ms"] = (
        f"99th percentile of the time of one {JRN_BATCH_ROWS}-row store_samples call (one commit) "
        f"in the same run ({r['commits']} commits; p50 {r['commit_p50_ms']:.2f} ms, "
        f"max {r['commit_max_ms']:.1f} ms)")
    return {
        "historian_vs_autocommit_ratio": round(r["batched_rows_per_s"] / r["autocommit_rows_per_s"], 2),
        "historian_ingest_ratio": round(r["batched_rows_per_s"] / r["autocommit_rows_per_s"], 2),
        "historian_batched_rows_per_s": round(r["batched_rows_per_s"]),
        "historian_commit_p99_ms": round(r["commit_p99_ms"], 3),
    }


def measure_doc(work):
    db = os.path.join(work, "doc.db")
    r = run_json([os.path.join(BENCH_BIN, "bench_doc"), db, "11"])
    METHOD["batch_html_ms_8h"] = (
        f"bench_doc: an 8-hour batch with {r['samples']} historian samples (one a second, "
        f"written through the store writers into a fresh database), `report batch 1 --html` "
        f"(rpt_main: open, queries, page) into memory; median of {r['rounds']} "
        f"(max {r['batch_html_max_ms_8h']:.1f} ms)")
    METHOD["batch_html_kb_8h"] = "the size of that document, kB"
    METHOD["historian_bytes_per_sample"] = (
        "bench_doc: that batch's samples (values at register resolution) in the compact "
        "historian after store_samples_flush: hist_blocks with its indexes (dbstat) over "
        "the samples; every tag, quality included")
    # historian_bytes_per_plant_year_10_stills: measure_decade, on a plant's
    # samples (batches and idle) and records
    return {"batch_html_ms_8h": round(r["batch_html_ms_8h"], 1),
            "batch_html_kb_8h": round(r["batch_html_kb_8h"], 1),
            "historian_bytes_per_sample": round(r["historian_bytes_per_sample"], 3)}


def decade_db():
    """The decade's database in $BUILD/decade, made by bench/gen_plant once
    and again when the schema version, the generator's source or the
    options change. Returns (path, gen_plant's JSON line, reused)."""
    d = os.path.join(BIN, "decade")
    os.makedirs(d, exist_ok=True)
    db, keyf = os.path.join(d, "plant.db"), os.path.join(d, "key.json")
    with open(os.path.join(ROOT, "bench/gen_plant.c"), "rb") as f:
        src = hashlib.sha256(f.read()).hexdigest()
    key = {"schema": header_define("records/store.h", "STORE_SCHEMA_VERSION"),
           "gen_plant_sha256": src, "years": DECADE_YEARS, "stills": DECADE_STILLS,
           "samples_days": DECADE_SAMPLE_DAYS}
    try:
        with open(keyf) as f:
            old = json.load(f)
    except (OSError, ValueError):
        old = {}
    if old.get("key") == key and os.path.exists(db):
        return db, old["gen"], True
    tmp = db + ".new"
    for p in [db, keyf, tmp] + [x + s for x in (db, tmp) for s in ("-wal", "-shm")]:
        if os.path.exists(p):
            os.remove(p)
    log(f"decade: generating {DECADE_YEARS} years of {DECADE_STILLS} stills into {db} "
        f"(cached until the schema or bench/gen_plant.c changes)")
    gen = run_json([os.path.join(BENCH_BIN, "gen_plant"), "--out", tmp, "--root", ROOT,
                    "--years", str(DECADE_YEARS), "--stills", str(DECADE_STILLS),
                    "--samples-days", str(DECADE_SAMPLE_DAYS)], timeout=7200)
    os.rename(tmp, db)
    with open(keyf, "w") as f:
        json.dump({"key": key, "gen": gen}, f)
    return db, gen, False


def decade_sizes(db):
    """(historian bytes, every other table's bytes) of db, by dbstat."""
    import sqlite3
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        rows = con.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name").fetchall()
    finally:
        con.close()
    hist = sum(b for n, b in rows if n.startswith("hist") or n.startswith("sqlite_autoindex_hist"))
    return hist, sum(b for _, b in rows) - hist


def measure_decade():
    db, gen, reused = decade_db()
    hist, rest = decade_sizes(db)
    per_year = hist / DECADE_SAMPLE_DAYS * 365 + rest / DECADE_YEARS
    r = run_json([os.path.join(BENCH_BIN, "bench_decade"), db, str(DECADE_ROUNDS)])
    how = (f"bench/gen_plant --years {DECADE_YEARS} --stills {DECADE_STILLS} "
           f"--samples-days {DECADE_SAMPLE_DAYS}")
    made = (f"{how}: {gen['batches']} batches, {gen['samples']} samples, "
            f"{gen['events']} events, {gen['bytes'] / 1e9:.2f} GB, made in "
            f"{gen['wall_s'] / 60:.1f} min" + (" (cached in $BUILD/decade, reused)" if reused else ""))
    METHOD["historian_bytes_per_plant_year_10_stills"] = (
        f"{made}; the historian's tables and indexes (dbstat: {hist / 1e6:.0f} MB for "
        f"{DECADE_SAMPLE_DAYS} days of 10 stills at 1 s, batches and idle) x 365 / "
        f"{DECADE_SAMPLE_DAYS}, plus every other table ({rest / 1e6:.0f} MB for the "
        f"decade's records) / {DECADE_YEARS}")
    latest = f"batch {r['batch_id']}, the decade's last"
    for key, what in (("batch_report", f"`stillroom report batch ID` on {latest}"),
                      ("curve_csv", f"`stillroom report curve ID --csv` on {latest}"),
                      ("yields_summary", f"`stillroom report yields --by month` over "
                                         f"all {gen['batches']} batches"),
                      ("history_page", f"the console's history screen (con_page_enter, "
                                       f"{r['history_rows']} rows)")):
        METHOD[f"decade_{key}_ms"] = (
            f"bench_decade on the decade's database ({how}): {what} (rpt_main or the "
            f"console's own function, read-only open included), median of {r['rounds']} "
            f"(max {r[key + '_max_ms']:.1f} ms)")
    return {"historian_bytes_per_plant_year_10_stills": round(per_year),
            "decade_batch_report_ms": round(r["batch_report_ms"], 1),
            "decade_curve_csv_ms": round(r["curve_csv_ms"], 1),
            "decade_yields_summary_ms": round(r["yields_summary_ms"], 1),
            "decade_history_page_ms": round(r["history_page_ms"], 1)}


def measure_sim(procs, work):
    out = {}
    d = os.path.join(work, "sim")
    os.makedirs(d, exist_ok=True)
    for n, hours, reps, key in ((1, 4, 25, "sim_speedup_one_still"),
                                (32, 4, 2, "sim_speedup_32_stills")):
        conf = plant_config(os.path.join(d, f"sim{n}.yaml"), d,
                            [(f"s{k}", k, 1502, 200, 100) for k in range(1, n + 1)])
        runs = [run_json([os.path.join(BENCH_BIN, "bench_sim"), conf, str(hours), str(reps)])
                for _ in range(3)]
        speed = statistics.median(r["speedup"] for r in runs)
        out[key] = round(speed)
        METHOD[key] = (
            f"bench_sim: plant_run_for on {n} still(s) charged with 500 kg of cassia-leaf, "
            f"steam and cooling 100 %, in 60 s spans, {reps} x {hours} h simulated; "
            f"simulated s per wall s, median of 3 runs "
            f"({', '.join('%.0f' % r['speedup'] for r in runs)}); "
            f"still 1 made {runs[0]['still0_oil_g_last_batch']:.0f} g of oil a batch")

    # the simulator at --speed S with a client polling it flat out
    port = free_port()
    conf = plant_config(os.path.join(d, "simspeed.yaml"), d, [("s1", 1, port, 200, 100)])
    kept, tried = 0, []
    for speed in SIMSPEEDS:
        sim = procs.start(f"simspeed-{speed}", [os.path.join(BIN, "stillroom-sim"), "-c", conf,
                                                "--listen", f"127.0.0.1:{port}",
                                                "--speed", str(speed)])
        try:
            wait_until("simulator", 10, lambda: port_open(port))
            r = run_json([os.path.join(BENCH_BIN, "bench_modbus"), "simspeed", conf,
                          str(SIMSPEED_POLL_S)])
        finally:
            procs.stop(sim)
        got = r["sim_s"] / r["wall_s"]
        behind = re.search(r"fell behind the wall clock by (\d+) steps", procs.log_text(sim))
        tried.append(f"--speed {speed}: {got:.0f} simulated s/s with {r['polls'] / r['wall_s']:.0f} "
                     f"polls/s" + (f", {behind.group(1)} steps skipped" if behind else ""))
        if got < 0.95 * speed:
            break
        kept = got
    out["sim_speedup_over_modbus_one_still"] = round(kept)
    METHOD["sim_speedup_over_modbus_one_still"] = (
        f"stillroom-sim with 1 still at --speed S while bench_modbus polls it flat out "
        f"(read map + write outputs, watchdog off) for {SIMSPEED_POLL_S} s; simulated "
        f"s per wall s from the control unit's clock registers, at the highest S that "
        f"kept within 5 % (S tried in order up to the simulator's maximum 1000000, "
        f"stopping at the first that did not): "
        + "; ".join(tried))
    log(f"simulator: {out}")
    return out


def measure_estimator():
    r = run_json([os.path.join(BENCH_BIN, "bench_est"),
                  os.path.join(ROOT, "recipes/cassia-leaf.yaml"),
                  os.path.join(ROOT, "simulator/feedstocks.yaml"), "5"])
    ratio = r["est_us_per_tick_1s"] / r["core_step_us_per_tick"]
    METHOD["estimator_us_per_tick"] = (
        f"bench_est: est_update + est_forecast (controller/est.c) over an 8 h cassia-leaf "
        f"curve (two-stage kinetics of simulator/feedstocks.yaml, 3.5 kg, 1 g counter) at "
        f"the plant's 1 s tick, mean per tick, median of 5 (at 0.2 s: "
        f"{r['est_us_per_tick_02s']:.2f} us; worst single tick, thread CPU time: "
        f"{r['est_worst_us_1s']:.0f} us at 1 s, {r['est_worst_us_02s']:.0f} us at 0.2 s)")
    METHOD["estimator_vs_core_step_ratio"] = (
        f"estimator_us_per_tick over core_step's mean per tick in the same run: a whole "
        f"recipes/cassia-leaf.yaml batch on the closed-loop rig, core_step timed on a copy "
        f"of the core at each of {r['core_ticks']} ticks at 0.2 s "
        f"({r['core_step_us_per_tick']:.2f} us; in a distil step core_step runs est_update "
        f"itself, so the baseline holds the estimator at the 0.2 s tick)")
    return {"estimator_us_per_tick": round(r["est_us_per_tick_1s"], 2),
            "estimator_worst_us_per_tick": round(r["est_worst_us_1s"], 0),
            "estimator_vs_core_step_ratio": round(ratio, 1)}

def measure_closedloop():
    r = run_json([os.path.join(BENCH_BIN, "bench_closedloop"),
                  os.path.join(ROOT, "recipes/cassia-leaf.yaml"),
                  os.path.join(ROOT, "simulator/feedstocks.yaml"), "5"])
    METHOD["closed_loop_leaf_batch_wall_ms"] = (
        f"bench_closedloop: recipes/cassia-leaf.yaml, 500 kg, core_step and model_step "
        f"in lockstep at 0.2 s (as tests/unit/test_closedloop.c), prompts answered after "
        f"60 s; wall ms of the whole batch ({r['batch_process_h']:.2f} h process time, "
        f"{r['ticks']} ticks, yield {r['yield_pct']:.2f} %), median of 5 "
        f"(min {r['wall_ms_min']:.1f}, max {r['wall_ms_max']:.1f})")
    return {"closed_loop_leaf_batch_wall_ms": round(r["wall_ms_median"], 2)}


ENDPOINT_FEEDS = ("cassia-leaf", "cassia-bark", "star-anise")
# figure in bench_endpoint's JSON -> the key's word
ENDPOINT_FIGS = (("steam_kg", "steam"), ("distil_h", "time"), ("oil_kg", "oil"),
                 ("net_vnd", "net_value"), ("distil_steam_kg", "distil_steam"))


def endpoint_ratio(a, b, fig, how):
    x, y = a.get(f"{fig}_{how}"), b.get(f"{fig}_{how}")
    return round(x / y, 4) if x is not None and y else None


def endpoint_method(feed, f):
    fx, bu, ec = f["fixed"], f["bundled"], f.get("economic")

    def way(name, r):
        return (f"{name}: median {r['steam_kg_median']:.0f} kg steam, {r['distil_h_median']:.2f} h "
                f"distil, {r['oil_kg_median']:.3f} kg oil, net {r['net_vnd_median'] / 1e6:.3f} M VND"
                f" ({r['completed']} of {r['batches']} complete, {r['held']} held and stopped)")
    ways = [way(f"fixed {f['fixed_h']:g} h", fx), way("bundled", bu)] + ([way("economic", ec)] if ec else [])
    return "; ".join(ways)


def measure_endpoint():
    n = int(os.environ.get("BENCH_ENDPOINT_BATCHES", "200"))
    workers = os.environ.get("BENCH_ENDPOINT_WORKERS", "2")
    r = subprocess.run([os.path.join(BENCH_BIN, "bench_endpoint"),
                        os.path.join(ROOT, "config/plant.yaml"),
                        os.path.join(ROOT, "simulator/feedstocks.yaml"),
                        os.path.join(ROOT, "recipes"), str(n), workers],
                       capture_output=True, text=True, timeout=3600)
    if r.returncode != 0:
        raise RuntimeError(f"bench_endpoint: exit {r.returncode}: {r.stderr[-2000:]}")
    d = json.loads(r.stdout)
    out = {}
    pop = (f"{n} batches a feedstock with hidden variation (oil content +-30 %, rate constants "
           f"+-40 %, washing share +-50 %, moisture +-30 %, charge 60-600 kg; seed {d['seed']}), "
           f"each run bundled, fixed-time and economic on the closed-loop rig (0.2 s tick, "
           f"{workers} workers, {d['wall_s'] / 60:.1f} min)")
    for feed in ENDPOINT_FEEDS:
        f = d["feeds"][feed]
        key = "endpoint_" + feed.replace("-", "_")
        fx, bu, ec = f["fixed"], f["bundled"], f.get("economic")
        for fig, word in ENDPOINT_FIGS:
            v = endpoint_ratio(bu, fx, fig, "total")
            if v is not None:
                out[f"{key}_bundled_{word}_ratio"] = v
            if ec is None:
                continue
            v = endpoint_ratio(ec, fx, fig, "total")
            if v is not None:
                out[f"{key}_{word}_ratio"] = v
                med = endpoint_ratio(ec, fx, fig, "median")
                METHOD[f"{key}_{word}_ratio"] = (
                    f"economic over fixed-time, totals of the population (ratio of the medians "
                    f"{med}; bundled over fixed-time {out.get(f'{key}_bundled_{word}_ratio')})")
        if ec is not None:
            v = endpoint_ratio(ec, bu, "net_vnd", "total")
            if v is not None:
                out[f"{key}_net_value_vs_bundled_ratio"] = v
                METHOD[f"{key}_net_value_vs_bundled_ratio"] = (
                    "economic over bundled, net value (oil at config/plant.yaml's price minus "
                    "the running cost of steam or fuel, cooling water, electricity and labour, "
                    "econ.h), totals of the population")
        first = f"{key}_steam_ratio" if ec is not None else f"{key}_bundled_steam_ratio"
        METHOD[first] = (METHOD.get(first, "") + f". bench_endpoint, {feed}: " +
                         endpoint_method(feed, f) + ". " + pop)
    fc = d["fc"]
    for at in ("quarter", "half", "three_quarters"):
        for p in (50, 90):
            k = f"forecast_err_p{p}_pct_at_{at}"
            out[k] = round(fc[f"p{p}_pct_at_{at}"], 3)
            METHOD[k] = (f"abs(forecast - final) / final of the oil the distil step gives in the end "
                         f"(collected + left in the charge), the controller's forecast (core status fc: est.h, fed by the core each tick of a distil step) in "
                         f"the bundled run, at {at.replace('_', ' ')} of its distil time; "
                         f"all {3 * n} batches, {fc['invalid_at_' + at]} without a valid forecast "
                         f"counted as 100 %")
    log(f"endpoint: {d['wall_s']:.0f} s")
    return out


def measure_console():
    env = dict(os.environ, TERM="xterm-256color")
    r = subprocess.run([os.path.join(BENCH_BIN, "bench_console"), "32", "50", "200", "500"],
                       capture_output=True, text=True, timeout=120, env=env)
    m = re.search(r"([0-9.]+) us per frame \(draw ([0-9.]+) us, terminal ([0-9.]+) us",
                  r.stdout)
    if r.returncode != 0 or not m:
        raise RuntimeError(f"bench_console: exit {r.returncode}: {r.stdout}{r.stderr}")
    METHOD["console_redraw_ms_32_stills"] = (
        f"bench_console: con_bench_redraw (ui/con.c), overview of 32 stills with values "
        f"changing every frame in a 200x50 xterm-256color screen, con_draw_screen then "
        f"the changed cells through curses to /dev/null, mean of 500 frames "
        f"(draw {float(m.group(2)):.0f} us, terminal {float(m.group(3)):.0f} us)")
    return {"console_redraw_ms_32_stills": round(float(m.group(1)) / 1000, 3)}


# ---- the report -----------------------------------------------------------------

# key: (goal text, test of the value or None, unit)
GOALS = {
    "modbus_tick_vs_raw_ratio": ("<= 1.5", lambda v: v <= 1.5),
    "modbus_tick_fio_us": (None, None),
    "modbus_tick_raw_us": (None, None),
    "loop_wake_p50_us_100ms_32_stills_loaded": (None, None),
    "loop_wake_p99_us_100ms_32_stills_loaded": ("<= 2000", lambda v: v <= 2000),
    "loop_wake_max_us_100ms_32_stills_loaded": (None, None),
    "loop_overruns_100ms_32_stills_loaded": (None, None),
    "loop_io_us_100ms_32_stills_loaded": (None, None),
    "bare_wake_p50_us_100ms_32_threads_loaded": (None, None),
    "bare_wake_p99_us_100ms_32_threads_loaded": (None, None),
    "bare_wake_max_us_100ms_32_threads_loaded": (None, None),
    "loop_wake_p50_us_10ms_32_stills_loaded": (None, None),
    "loop_wake_p99_us_10ms_32_stills_loaded": ("<= 2000", lambda v: v <= 2000),
    "loop_wake_max_us_10ms_32_stills_loaded": (None, None),
    "loop_overruns_10ms_32_stills_loaded": (None, None),
    "loop_io_us_10ms_32_stills_loaded": (None, None),
    "bare_wake_p50_us_10ms_32_threads_loaded": (None, None),
    "bare_wake_p99_us_10ms_32_threads_loaded": (None, None),
    "bare_wake_max_us_10ms_32_threads_loaded": (None, None),
    "max_stills_200ms_no_overrun": (">= 128", lambda v: v >= 128),
    # live status over MQTT (issue 16)
    "mqtt_wake_p99_ratio": ("<= 1.05", lambda v: v is not None and v <= 1.05),
    "mqtt_wake_p99_us_on": (None, None),
    "mqtt_wake_p99_us_off": (None, None),
    "historian_vs_autocommit_ratio": (">= 10", lambda v: v >= 10),
    "historian_batched_rows_per_s": (None, None),
    "historian_commit_p99_ms": (None, None),
    # the batch document (issue 15)
    "batch_html_ms_8h": ("< 200", lambda v: v < 200),
    "batch_html_kb_8h": ("< 1024", lambda v: v < 1024),
    # the compact historian (issue 17)
    "historian_bytes_per_sample": (None, None),
    # a decade on disk (issue 17)
    "historian_bytes_per_plant_year_10_stills": ("<= 2e9", lambda v: v <= 2e9),
    "historian_ingest_ratio": (">= 10", lambda v: v >= 10),
    "decade_batch_report_ms": ("<= 100", lambda v: v <= 100),
    "decade_curve_csv_ms": ("<= 300", lambda v: v <= 300),
    "decade_yields_summary_ms": ("<= 500", lambda v: v <= 500),
    "decade_history_page_ms": ("<= 100", lambda v: v <= 100),
    "sim_speedup_one_still": (">= 10000", lambda v: v >= 10000),
    "sim_speedup_32_stills": (None, None),
    "sim_speedup_over_modbus_one_still": (None, None),
    "closed_loop_leaf_batch_wall_ms": ("<= 300", lambda v: v <= 300),
    "estimator_us_per_tick": ("< 20", lambda v: v < 20),
    "estimator_worst_us_per_tick": (None, None),
    "estimator_vs_core_step_ratio": (None, None),
    "daemon_rss_kb_32_stills": ("<= 32768", lambda v: v <= 32768),
    "daemon_rss_kb_32_stills_no_realtime": (None, None),
    "console_redraw_ms_32_stills": (None, None),
    "vs_pymodbus_poll_ratio": (">= 1.5", lambda v: v >= 1.5),
    "poll_cycle_32_stills_c_ms": (None, None),
    "poll_cycle_32_stills_pymodbus_ms": (None, None),
    # the end point (issue 13): economic over fixed-time practice
    "endpoint_cassia_leaf_steam_ratio": ("<= 0.85", lambda v: v <= 0.85),
    "endpoint_cassia_leaf_time_ratio": ("<= 0.85", lambda v: v <= 0.85),
    "endpoint_cassia_leaf_oil_ratio": (">= 0.99", lambda v: v >= 0.99),
    "endpoint_cassia_leaf_net_value_ratio": ("> 1", lambda v: v > 1),
    "endpoint_cassia_leaf_net_value_vs_bundled_ratio": ("> 1", lambda v: v > 1),
    "endpoint_cassia_bark_steam_ratio": (None, None),
    "endpoint_cassia_bark_time_ratio": (None, None),
    "endpoint_cassia_bark_oil_ratio": (None, None),
    "endpoint_cassia_bark_net_value_ratio": ("> 1", lambda v: v > 1),
    "endpoint_cassia_bark_net_value_vs_bundled_ratio": ("> 1", lambda v: v > 1),
    "endpoint_star_anise_steam_ratio": (None, None),
    "endpoint_star_anise_time_ratio": (None, None),
    "endpoint_star_anise_oil_ratio": (None, None),
    "endpoint_star_anise_net_value_ratio": ("> 1", lambda v: v > 1),
    "endpoint_star_anise_net_value_vs_bundled_ratio": ("> 1", lambda v: v > 1),
    "forecast_err_p50_pct_at_half": ("<= 5", lambda v: v <= 5),
    "forecast_err_p90_pct_at_half": ("<= 10", lambda v: v <= 10),
    "forecast_err_p50_pct_at_quarter": (None, None),
    "forecast_err_p90_pct_at_quarter": (None, None),
    "forecast_err_p50_pct_at_three_quarters": (None, None),
    "forecast_err_p90_pct_at_three_quarters": (None, None),
}


# the alliance's figures (issue 16): bench/bench_alliance.py
GOALS.update(bench_alliance.GOALS)


def machine():
    model = "unknown"
    with open("/proc/cpuinfo") as f:
        for line in f:
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    with open("/proc/meminfo") as f:
        mem_kb = int(re.search(r"MemTotal:\s+(\d+)", f.read()).group(1))
    return (f"{os.cpu_count()} CPUs ({len(os.sched_getaffinity(0))} usable), {model}, "
            f"{mem_kb / 1048576:.1f} GiB memory, Linux {platform.release()}")


def git_head():
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True,
                              text=True, cwd=ROOT).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, cwd=ROOT).stdout.strip()
        return head + (" with uncommitted changes" if dirty else "")
    except OSError:
        return "unknown"


def fmt(v):
    if isinstance(v, float):
        return f"{v:g}" if abs(v) < 1e6 else f"{v:.0f}"
    return str(v)


def derived_notes(r):
    """Sentences that read the figures against each other (only what the
    numbers of this run show)."""
    notes = []
    for period in (100, 10):
        loop = r.get(f"loop_wake_p99_us_{period}ms_32_stills_loaded")
        bare = r.get(f"bare_wake_p99_us_{period}ms_32_threads_loaded")
        if loop is None or not bare:
            continue
        text = (f"wake lateness at {period} ms: the daemon's p99 is {loop:.0f} us; 32 bare "
                f"threads that only sleep and wake, under the same load on this machine, "
                f"have p99 {bare:.0f} us, so the daemon's figure is {loop / bare:.2f} times "
                f"the platform's own")
        if bare > 2000:
            text += "; the platform alone is above the 2000 us goal here"
        notes.append(text)
    rss, plain = r.get("daemon_rss_kb_32_stills"), r.get("daemon_rss_kb_32_stills_no_realtime")
    if rss and plain and RSS_INFO.get("locked"):
        threads = RSS_INFO["threads"]
        loop_kb = header_define("controller/loop.c", "LOOP_STACK_KB")
        thr_kb = header_define("common/thr.h", "THR_STACK_KB")
        cache_kb = header_define("records/store.c", "STORE_RW_CACHE_KIB")
        notes.append(
            f"memory: with real-time scheduling stillroomd locks its memory "
            f"(mlockall, controller/main.c), so every page it maps is resident: "
            f"{threads} threads' stacks (a control thread's {loop_kb} KiB, "
            f"LOOP_STACK_KB in controller/loop.c; the others' {thr_kb} KiB, "
            f"THR_STACK_KB), the journal's SQLite page cache as it fills (up to "
            f"{cache_kb} KiB, STORE_RW_CACHE_KIB) and every shared library whole "
            f"(libcrypto, for MQTT over TLS, is the largest): {rss} kB measured; with "
            f"--no-realtime (no mlockall) the same daemon is at {plain} kB")
    return notes


def write_report(results, failed, started, load_before, load_after, wall_s, fs):
    ordered = {k: results[k] for k in GOALS if k in results}
    ordered.update({k: v for k, v in results.items() if k not in ordered})
    with open(os.path.join(ROOT, "bench/results.json"), "w") as f:
        json.dump(ordered, f, indent=2)
        f.write("\n")
    rows = []
    for key, (goal, test) in GOALS.items():
        if key not in results:
            continue
        v = results[key]
        met = "" if test is None else ("yes" if test(v) else "**no**")
        rows.append(f"| `{key}` | {fmt(v)} | {goal or ''} | {met} | {METHOD.get(key, '')} |")
    lines = [
        "# Benchmarks",
        "",
        "Written by `make bench` (bench/run, bench/bench.py); do not edit by hand.",
        "Each figure is a ratio against a baseline measured in the same run, or an",
        "absolute figure with its method. Goals are reported here, never asserted.",
        "One measure alone: `BENCH_ONLY=jitter sh bench/run` (prints, writes nothing;",
        "names in bench/bench.py).",
        "",
        f"- machine: {machine()}",
        f"- date: {started} (UTC), {wall_s / 60:.1f} min",
        f"- command: `make bench` (BUILD={BUILD}: `BUILD={BUILD} sh bench/run`), "
        f"source {git_head()}",
        f"- load average before / after: {load_before} / {load_after} "
        "(the machine is shared: other jobs running beside the bench show up here "
        "and in the figures)",
        f"- files (databases, the fsync load) on: {fs}",
        "",
        "| figure | value | goal | met | method |",
        "|---|---|---|---|---|",
    ] + rows
    if failed:
        lines += ["", "## Not measured", ""] + [f"- {name}: {why}" for name, why in failed]
    notes = derived_notes(results) + NOTES
    if notes:
        lines += ["", "## Notes", ""] + [f"- {n}." for n in notes]
    with open(os.path.join(ROOT, "docs/BENCHMARKS.md"), "w") as f:
        f.write("\n".join(lines) + "\n")


def merge_report(results, started, wall_s):
    """BENCH_MERGE: these results' keys replace theirs in bench/results.json
    and their rows in docs/BENCHMARKS.md (added after the table's last row);
    every other figure is kept as the last whole run wrote it."""
    source = git_head()             # before this writes its two files
    path = os.path.join(ROOT, "bench/results.json")
    with open(path) as f:
        old = json.load(f)
    old.update(results)
    ordered = {k: old[k] for k in GOALS if k in old}
    ordered.update({k: v for k, v in old.items() if k not in ordered})
    with open(path, "w") as f:
        json.dump(ordered, f, indent=2)
        f.write("\n")
    md = os.path.join(ROOT, "docs/BENCHMARKS.md")
    with open(md) as f:
        lines = f.read().split("\n")
    mine = [k for k in GOALS if k in results]
    rows = []
    for key in mine:
        goal, test = GOALS[key]
        met = "" if test is None else ("yes" if test(results[key]) else "**no**")
        rows.append(f"| `{key}` | {fmt(results[key])} | {goal or ''} | {met} | "
                    f"{METHOD.get(key, '')} |")
    keep = [ln for ln in lines if not any(ln.startswith(f"| `{k}` |") for k in GOALS if k in results)
            and not ln.startswith("- rows of `make bench-endpoint`")]
    last = max(i for i, ln in enumerate(keep) if ln.startswith("| `"))
    keep[last + 1:last + 1] = rows
    note = (f"- rows measured again alone (`BENCH_ONLY={os.environ.get('BENCH_ONLY', '')} "
            f"BENCH_MERGE=1 sh bench/run`: {', '.join(sorted({k.split('_')[0] for k in mine}))} "
            f"figures): {started} (UTC), {wall_s / 60:.1f} min, source {source}, load "
            f"average after {loadavg()}; the other rows are from the whole run above.")
    if "## Notes" not in keep:
        keep[last + 1 + len(rows):last + 1 + len(rows)] = ["", "## Notes", ""]
    i = keep.index("## Notes") + 2
    keep[i:i] = [note]
    with open(md, "w") as f:
        f.write("\n".join(keep))


def loadavg():
    with open("/proc/loadavg") as f:
        return " ".join(f.read().split()[:3])


def filesystem(path):
    r = subprocess.run(["df", "-T", path], capture_output=True, text=True)
    parts = r.stdout.splitlines()[-1].split() if r.returncode == 0 else []
    return f"{path} ({parts[1]})" if len(parts) > 1 else path


def main():
    for prog in ("stillroomd", "stillroom-sim"):
        if not os.access(os.path.join(BIN, prog), os.X_OK):
            log(f"{BUILD}/{prog} is missing: run `make bench`")
            return 2
    started = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M")
    load_before = loadavg()
    t_start = time.monotonic()
    work = tempfile.mkdtemp(prefix="stillroom-bench.")
    procs = Procs(work)
    results, failed = {}, []
    measures = [
        ("closedloop", measure_closedloop),
        ("estimator", measure_estimator),
        ("console", measure_console),
        ("historian", lambda: measure_store(work)),
        ("doc", lambda: measure_doc(work)),
        ("decade", measure_decade),
        ("simulator", lambda: measure_sim(procs, work)),
        ("modbus", lambda: measure_modbus(procs, work)),
        ("jitter", lambda: measure_jitter(procs, work)),
        ("mqtt", lambda: measure_mqtt(procs, work)),
        ("rss", lambda: measure_rss_plain(procs, work)),
        ("maxstills", lambda: measure_maxstills(procs, work)),
        ("endpoint", measure_endpoint),
        ("alliance", lambda: bench_alliance.measure(procs, work, sys.modules[__name__])),
    ]
    only = [m for m in os.environ.get("BENCH_ONLY", "").split(",") if m]
    if only:
        measures = [m for m in measures if m[0] in only]
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        for name, fn in measures:
            log(f"{name} ...")
            try:
                results.update(fn())
            except Exception as e:     # one failed measure does not stop the rest
                procs.stop_all()
                failed.append((name, str(e)))
                log(f"{name}: FAILED: {e}")
    finally:
        procs.stop_all()
    merge = only and os.environ.get("BENCH_MERGE") == "1" and not failed
    if merge:
        merge_report(results, started, time.monotonic() - t_start)
    if not only:
        write_report(results, failed, started, load_before, loadavg(),
                     time.monotonic() - t_start, filesystem(work))
    for key, v in results.items():
        goal, test = GOALS.get(key, (None, None))
        verdict = "" if test is None else ("  (goal %s: %s)" % (goal, "met" if test(v) else "NOT met"))
        log(f"{key} = {fmt(v)}{verdict}")
    if not only or merge:
        log("wrote bench/results.json and docs/BENCHMARKS.md")
    if failed or only:
        log(f"logs kept in {work}")
        return 1 if failed else 0
    shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
