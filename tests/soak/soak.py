#!/usr/bin/python3
"""soak.py: the soak of tests/integration/soak.sh (issue 17; standard
library only). The simulator with N stills at --speed 1000, the daemon, a
scripted operator (the stillroom CLI: lots, starts of all three feedstocks
back to back, prompts answered, oil weighed, QA recorded, batches
released) and a random fault every simulated hour, for SOAK_MINUTES of
wall time.

  soak.py stills CONF N
      rewrites CONF's stills: list to N stills on its first still's port,
      unit ids 1..N
  soak.py run ARGS (see run_args)
      the soak; writes DIR/soak.json (figures, operator record, samples)
      and DIR/faults.log (one line a fault: wall s, plant h, kind, still,
      what)
  soak.py check DIR DB SIM_LOG
      the end checks on soak.json, the database and the simulator's
      --log-batches file: prints "ok DESC" or "not ok DESC" lines
  soak.py doc DIR OUT.md
      docs/SOAK.md from soak.json and the check lines (DIR/check.out)
"""
import argparse
import json
import os
import random
import re
import signal
import socket
import sqlite3
import statistics
import struct
import subprocess
import sys
import threading
import time

FEEDS = ["cassia-leaf", "cassia-bark", "star-anise"]   # sim feed numbers 1..3
QA = {"cassia-leaf": ("1.060", "1.605", "85"),
      "cassia-bark": ("1.043", "1.605", "86"),
      "star-anise": ("0.985", "1.556", "90")}
CTL_UNIT = 247
CTL_BLOCK = 100
# control-unit offsets in a still's block (docs/registers.md)
STEAM_STUCK, LINE_BLOCKED, COOLING_LOST, REPLY_DELAY, SILENT, CLEAR = 0, 2, 3, 4, 7, 9
LOAD_FEED, CHARGES, LOAD_ERROR = 10, 81, 82
STUCK, BROKEN = 20, 40
G_CLEAR_ALL = 10
SENSOR_TAGS = {"still_temp": 0, "vapour_temp": 1, "pressure": 2, "distillate_temp": 3}
FAULTS = ["comm_loss", "hung_device", "sensor_out_of_range", "sensor_frozen",
          "over_pressure", "cooling_loss", "relief_lift", "daemon_sigkill",
          "disk_full", "console_disconnect"]
FINAL = ("complete", "stopped", "aborted")
REFUSED_MAX_H = 12   # a fault lasts at most 6 s of wall time (6 plant hours at 1000x)
OK = (0, 3)    # the CLI's exit: done, or done and not yet recorded (disk full)
ACTIVE = ("running", "holding", "held", "restarting", "stopping", "aborting", "lost")


# ---------------------------------------------------------------- Modbus
class Modbus:
    """Just enough Modbus TCP for the control unit: read and write holding
    registers. Reconnects on any error."""

    def __init__(self, port):
        self.port = port
        self.sock = None
        self.tid = 0

    def _call(self, unit, pdu):
        for _ in range(3):
            try:
                if self.sock is None:
                    self.sock = socket.create_connection(("127.0.0.1", self.port), timeout=2)
                self.tid = (self.tid + 1) & 0xFFFF
                self.sock.sendall(struct.pack(">HHHB", self.tid, 0, len(pdu) + 1, unit) + pdu)
                head = self._recv(7)
                tid, _, n, _ = struct.unpack(">HHHB", head)
                body = self._recv(n - 1)
                if tid != self.tid:
                    raise OSError("transaction id %d, not %d" % (tid, self.tid))
                if body[0] & 0x80:
                    raise OSError("exception %d" % body[1])
                return body
            except OSError:
                self.close()
        raise OSError("control unit: no reply")

    def _recv(self, n):
        b = b""
        while len(b) < n:
            c = self.sock.recv(n - len(b))
            if not c:
                raise OSError("closed")
            b += c
        return b

    def close(self):
        if self.sock is not None:
            self.sock.close()
        self.sock = None

    def write(self, addr, values):
        pdu = struct.pack(">BHHB", 16, addr, len(values), 2 * len(values))
        pdu += b"".join(struct.pack(">H", v & 0xFFFF) for v in values)
        self._call(CTL_UNIT, pdu)

    def read(self, addr, n=1, unit=CTL_UNIT, fc=3):
        body = self._call(unit, struct.pack(">BHH", fc, addr, n))
        return list(struct.unpack(">%dH" % n, body[2:2 + 2 * n]))

    def oil_g(self, unit):
        """The receiver's oil: input registers 6-7, high word first, 1 g
        (config/plant.yaml's map): the operator's scale."""
        hi, lo = self.read(6, 2, unit, 4)
        return (hi << 16) | lo


# ---------------------------------------------------------------- stills
def cmd_stills(conf, n):
    text = open(conf).read()
    port = re.search(r"tcp: (127\.0\.0\.1:\d+)", text).group(1)
    block = "stills:\n" + "".join(
        "  - name: still%d\n    unit_id: %d\n    tcp: %s\n    period_ms: 200\n"
        "    timeout_ms: 100\n" % (i, i, port) for i in range(1, n + 1))
    lines = text.splitlines(True)
    i = lines.index("stills:\n")
    j = i + 1
    while j < len(lines) and (lines[j].startswith(" ") or not lines[j].strip()):
        j += 1
    open(conf, "w").write("".join(lines[:i]) + block + "\n" + "".join(lines[j:]))


# ---------------------------------------------------------------- the soak
class Soak:
    def __init__(self, a):
        self.a = a
        self.rng = random.Random(a.seed)
        self.mb = Modbus(a.port)       # the operator's (charges)
        self.mb_faults = Modbus(a.port)  # the fault thread's
        self.lock = threading.Lock()     # the daemon process, restarts
        self.stop = threading.Event()
        self.t0 = time.monotonic()
        self.daemon = None
        self.daemon_starts = 0
        self.faults = []           # [wall_s, plant_h, kind, still, what]
        self.active = []           # [clear_at_wall_s, fn, desc]
        self.samples = []          # {t, rss_kb, fds, threads, p99_us, pid}
        self.ops = {}              # still -> operator state
        self.batches = {}          # batch id -> record
        self.errors = []           # operator commands refused, kept for the report
        self.cli_calls = 0
        self.console_gen = 0
        self.disk_full_until = 0
        self.status_fail = 0
        self.polls = 0

    # -- processes
    def now(self):
        return time.monotonic() - self.t0

    def plant_h(self):
        return self.now() * self.a.speed / 3600.0

    def sr(self, op, *args, timeout=15):
        self.cli_calls += 1
        try:
            p = subprocess.run([self.a.cli, "-c", self.a.conf, "--operator", op] + list(args),
                               capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired:
            return 124, "timeout"
        return p.returncode, (p.stdout + p.stderr).strip()

    def start_daemon(self):
        log = open(os.path.join(self.a.dir, "daemon.log"), "a")
        try:
            os.unlink(self.a.sock)
        except OSError:
            pass
        self.daemon = subprocess.Popen([self.a.daemon, "-c", self.a.conf, "--speed",
                                        str(self.a.speed), "--no-realtime"],
                                       stdout=log, stderr=subprocess.STDOUT)
        log.close()
        self.daemon_starts += 1
        until = time.monotonic() + 20
        while time.monotonic() < until:
            if self.sr("soak", "status")[0] == 0:
                return True
            time.sleep(0.1)
        return False

    def kill_daemon(self, sig):
        if self.daemon is None:
            return None
        self.daemon.send_signal(sig)
        try:
            rc = self.daemon.wait(20)
        except subprocess.TimeoutExpired:
            self.daemon.kill()
            rc = self.daemon.wait()
        self.daemon = None
        return rc

    def console(self, on):
        t = ["tmux", "-L", "soak-%d" % os.getpid(), "-f", "/dev/null"]
        if not on:
            subprocess.run(t + ["kill-server"], capture_output=True)
            return
        self.console_gen += 1
        subprocess.run(t + ["new-session", "-d", "-s", "con", "-x", "100", "-y", "30",
                            "env LANG=C.UTF-8 TERM=xterm-256color '%s' -c '%s' --operator "
                            "console%d 2>>'%s/console.err'; sleep 3600"
                            % (self.a.cli, self.a.conf, self.console_gen, self.a.dir)],
                       capture_output=True)
        subprocess.run(t + ["send-keys", "-t", "con", "Enter"], capture_output=True)

    # -- figures
    def sample(self):
        st = self.status()
        with self.lock:
            if self.daemon is None or st is None:
                return
            pid = self.daemon.pid
        try:
            rss = int(re.search(r"VmRSS:\s+(\d+)", open("/proc/%d/status" % pid).read()).group(1))
            fds = len(os.listdir("/proc/%d/fd" % pid))
            thr = len(os.listdir("/proc/%d/task" % pid))
        except (OSError, AttributeError):
            return
        p99 = max((s.get("jitter_p99_us") or 0) for s in st["stills"])
        self.samples.append({"t": round(self.now(), 2), "pid": pid, "rss_kb": rss,
                             "fds": fds, "threads": thr, "p99_us": p99})

    # -- faults
    def ctl(self, n, off, *vals):
        self.mb_faults.write(CTL_BLOCK * n + off, list(vals))

    def fault(self):
        kind = self.rng.choice(self.a.faults)
        n = self.rng.randrange(1, self.a.stills + 1)
        dur = round(self.rng.uniform(0.5, 3.0), 2)
        what = ""
        clear = (lambda: self.ctl(n, CLEAR, 1))
        if kind == "comm_loss":
            self.ctl(n, SILENT, 1)
            what = "silent"
        elif kind == "hung_device":
            self.ctl(n, REPLY_DELAY, 3000)
            what = "replies 3 s late"
        elif kind in ("sensor_out_of_range", "sensor_frozen"):
            tag = self.rng.choice(sorted(SENSOR_TAGS))
            self.ctl(n, (BROKEN if kind == "sensor_out_of_range" else STUCK) + SENSOR_TAGS[tag], 1)
            what = tag
        elif kind == "over_pressure":
            self.ctl(n, LINE_BLOCKED, 1)
            what = "vapour line blocked"
        elif kind == "cooling_loss":
            self.ctl(n, COOLING_LOST, 1)
        elif kind == "relief_lift":
            self.ctl(n, STEAM_STUCK, 1)
            self.ctl(n, LINE_BLOCKED, 1)
            dur = round(self.rng.uniform(2.0, 5.0), 2)
            what = "steam valve stuck, line blocked"
        elif kind == "daemon_sigkill":
            with self.lock:
                self.kill_daemon(signal.SIGKILL)
                time.sleep(self.rng.uniform(0.1, 2.0))
                ok = self.start_daemon()
            what = "restarted" if ok else "DID NOT RESTART"
            n, dur, clear = 0, 0, None
        elif kind == "disk_full":
            n, clear = 0, None
            if not self.a.tmpfs:
                what = "skipped: the database is not on a tmpfs of ours (needs root)"
                dur = 0
            else:
                used = self.tmpfs_used_k()
                r = subprocess.run(["mount", "-o", "remount,size=%dk" % (used + 256),
                                    self.a.tmpfs], capture_output=True, text=True)
                what = "tmpfs %d KiB used, 256 KiB free" % used if r.returncode == 0 \
                    else "remount failed: " + r.stderr.strip()
                dur = round(self.rng.uniform(2.0, 6.0), 2)
                clear = self.disk_room
        elif kind == "console_disconnect":
            self.console(False)
            self.console(True)
            n, dur, clear = 0, 0, None
            what = "console killed, a new one started"
        self.faults.append([round(self.now(), 2), round(self.plant_h(), 2), kind,
                            "still%d" % n if n else "", what, dur])
        if clear is not None:
            self.active.append([self.now() + dur, clear])

    def tmpfs_used_k(self):
        s = os.statvfs(self.a.tmpfs)
        return (s.f_blocks - s.f_bfree) * s.f_frsize // 1024

    def disk_room(self):
        subprocess.run(["mount", "-o", "remount,size=%dm" % self.a.tmpfs_mb, self.a.tmpfs],
                       capture_output=True)

    def clear_due(self, all_now=False):
        keep = []
        for c in self.active:
            if all_now or self.now() >= c[0]:
                try:
                    c[1]()
                except OSError as e:
                    self.errors.append("clear: %s" % e)
                    keep.append(c)
            else:
                keep.append(c)
        self.active = keep

    # -- the operator
    def op(self, name):
        return self.ops.setdefault(name, {"pending": None, "batch": 0, "n": 0,
                                          "stuck_since": None, "last_ack": 0,
                                          "refused_since_h": None, "refused_max_h": 0.0,
                                          "refused_why": ""})

    def refused(self, o, out):
        """Counts how long a still has refused every start (plant hours):
        a still that cannot be started again is a stuck plant."""
        if o["refused_since_h"] is None:
            o["refused_since_h"] = self.plant_h()
        run_h = self.plant_h() - o["refused_since_h"]
        if run_h > o["refused_max_h"]:
            o["refused_max_h"], o["refused_why"] = run_h, out[:160]

    def status(self):
        self.polls += 1
        rc, out = self.sr("soak", "status", "--json")
        try:
            if rc == 0:
                return json.loads(out)
        except ValueError:
            self.errors.append("status --json is no JSON: %s" % out[:80])
        self.status_fail += 1
        return None

    def load_charge(self, s, o):
        n = int(s["name"][5:])
        feed = FEEDS[(n + o["n"]) % 3]
        kg = self.rng.randrange(30, 50) * 10
        self.mb.write(CTL_BLOCK * n + LOAD_FEED, [FEEDS.index(feed) + 1, kg, 0])
        err = self.mb.read(CTL_BLOCK * n + LOAD_ERROR)[0]
        charge = self.mb.read(CTL_BLOCK * n + CHARGES)[0]
        if err != 0:
            self.errors.append("%s: load error %d" % (s["name"], err))
            return
        o["n"] += 1
        lot = "SOAK-%s-%d" % (s["name"], o["n"])
        o["pending"] = {"feed": feed, "kg": kg, "charge": charge, "lot": lot, "lot_ok": False}

    def start(self, s, o):
        p = o["pending"]
        if not p["lot_ok"]:
            rc, out = self.sr("intake", "lot", "add", p["lot"], "--feedstock", p["feed"],
                              "--mass", str(p["kg"]), "--grower", "Hộ Soak", "--origin",
                              "Văn Yên")
            p["lot_ok"] = rc in OK or "exists" in out or "already" in out
            if not p["lot_ok"]:
                self.errors.append("lot add %s: %s" % (p["lot"], out))
                return
        rc, out = self.sr("starter", "start", s["name"], "--recipe", p["feed"], "--lot",
                          p["lot"], "--mass", str(p["kg"]))
        if rc not in OK:
            self.errors.append("start %s: %s" % (s["name"], out))
            self.refused(self.op(s["name"]), out)
            self.recover(s)
        else:
            self.op(s["name"])["refused_since_h"] = None

    def adopt(self, s, o):
        """The still shows a batch the operator has not filed yet."""
        b = s["batch_id"]
        p = o["pending"] or {}
        self.batches[b] = {"still": s["name"], "charge": p.get("charge"),
                           "feed": p.get("feed"), "kg": p.get("kg"), "lost": 0,
                           "oil_kg": None, "released": False, "final": None,
                           "stopped_by_operator": False, "trail": []}
        self.trail(b, "adopted, %s" % s["state"])
        o["batch"] = b
        o["pending"] = None

    def trail(self, b, what):
        """Notes what the operator saw and did with batch b (soak.json: the
        story of a batch the checks find wrong)."""
        rec = self.batches.get(b)
        if rec is not None:
            rec.setdefault("trail", []).append("%.2f h %s" % (self.plant_h(), what))

    def recover(self, s):
        self.sr("ack-recover", "ack", s["name"])
        self.sr("reset-recover", "reset", s["name"])

    def finish(self, s, o):
        """Weighs, records QA and releases the still's ended batch, then
        resets the still (not when it is idle already: a daemon restarted
        after the batch ended shows it idle, the batch unweighed)."""
        b = o["batch"]
        rec = self.batches.get(b)
        if rec is not None and rec["final"] is None:
            try:
                oil = self.mb.oil_g(int(s["name"][5:])) / 1000.0   # the scale
            except OSError:
                return                        # the still does not answer: later
            self.trail(b, "finish: %s, the scale shows %.3f kg" % (s["state"], oil))
            if oil > 0:
                rc, out = self.sr("weigher", "weigh", str(b), "--oil-kg", "%.3f" % oil)
                self.trail(b, "weigh: %d %s" % (rc, out[:120]))
                if rc not in OK:
                    self.errors.append("weigh %d: %s" % (b, out))
                    return
                rec["oil_kg"] = round(oil, 3)
                d, ri, m = QA[rec["feed"] or FEEDS[0]]
                rc, out = self.sr("lab", "qa", "record", str(b), "--density", d, "--ri", ri,
                                  "--marker", m, "--analyst", "Lan")
                if rc in OK:
                    rc, out = self.sr("signer", "qa", "release", str(b), "--reason", "in spec")
                    rec["released"] = rc in OK
                if rc not in OK:
                    self.errors.append("qa %d: %s" % (b, out))
            rec["final"] = s["state"]
        if s["state"] == "idle":
            o["batch"] = 0
            return
        rc, out = self.sr("resetter", "reset", s["name"])
        self.trail(b, "reset: %d %s" % (rc, out[:120]))
        if rc in OK:
            o["batch"] = 0

    def operate(self, st, ending):
        for s in st["stills"]:
            o = self.op(s["name"])
            state = s["state"]
            if s["batch_id"] and s["batch_id"] != o["batch"] and state != "idle":
                self.adopt(s, o)
            if s.get("alarms", 0) and self.now() - o["last_ack"] > 1:
                o["last_ack"] = self.now()
                self.sr("acker", "ack", s["name"])
            if state == "idle":
                o["stuck_since"] = None
                if o["batch"]:
                    self.finish(s, o)
                    continue
                if ending:
                    continue
                if o["pending"] is None:
                    self.load_charge(s, o)
                if o["pending"] is not None:
                    self.start(s, o)
            elif state in FINAL:
                self.finish(s, o)
            elif state in ("held", "lost"):
                rec = self.batches.get(o["batch"])
                if state == "lost" and rec is not None and not rec.get("lost_seen"):
                    rec["lost"] += 1
                    rec["lost_seen"] = True
                if o["stuck_since"] is None:
                    o["stuck_since"] = self.now()
                if ending or self.now() - o["stuck_since"] > 20:
                    if rec is not None:
                        rec["stopped_by_operator"] = True
                    self.trail(o["batch"], "%s: stop %d" % (state, self.sr("stopper", "stop", s["name"])[0]))
                    continue
                self.recover(s)
                self.trail(o["batch"], "%s: restart %d" % (state, self.sr("restarter", "restart", s["name"])[0]))
            else:
                if state == "running":
                    o["stuck_since"] = None
                    rec = self.batches.get(o["batch"])
                    if rec is not None:
                        rec["lost_seen"] = False
                if s.get("prompt"):
                    self.sr("answerer", "answer", s["name"], "yes")
                if ending and state == "running":
                    self.trail(o["batch"], "ending: stop %d" % self.sr("stopper", "stop", s["name"])[0])

    def clock(self):
        """The fault thread: a fault every plant hour (never in a burst: a
        late one moves the next), the clears when due, the samples."""
        period = 3600.0 / self.a.speed
        next_fault, next_sample = period, 0
        while not self.stop.is_set():
            self.clear_due()
            if self.now() >= next_fault:
                next_fault = max(next_fault + period, self.now() + period / 2)
                try:
                    self.fault()
                except OSError as e:
                    self.errors.append("fault: %s" % e)
            if self.now() >= next_sample:
                next_sample = self.now() + self.a.sample_s
                self.sample()
            self.stop.wait(0.05)
        self.clear_due(all_now=True)

    def run(self):
        a = self.a
        end = a.minutes * 60
        if not self.start_daemon():
            raise SystemExit("the daemon does not start")
        self.console(True)
        clock = threading.Thread(target=self.clock)
        clock.start()
        try:
            while self.now() < end:
                st = self.status()
                if st is not None:
                    try:
                        self.operate(st, False)
                    except OSError as e:
                        self.errors.append("operator: %s" % e)
                time.sleep(0.2)
            self.stop.set()
            clock.join()
            self.wind_down()
        finally:
            self.stop.set()
            if clock.is_alive():
                clock.join()
            self.console(False)
            rc = self.kill_daemon(signal.SIGTERM)
            self.mb.close()
            self.mb_faults.close()
            self.save(rc)

    def wind_down(self):
        """No more faults, every fault cleared; the batches stop, are weighed
        and released."""
        self.mb.write(G_CLEAR_ALL, [1])
        if self.daemon is None or self.daemon.poll() is not None:
            self.start_daemon()
        until = time.monotonic() + 120
        while time.monotonic() < until:
            st = self.status()
            if st is not None:
                self.operate(st, True)
                if all(s["state"] == "idle" for s in st["stills"]):
                    break
            time.sleep(0.3)
        self.wound_down = st is not None and all(s["state"] == "idle" for s in st["stills"])

    def save(self, rc):
        out = {"minutes": self.a.minutes, "speed": self.a.speed, "stills": self.a.stills,
               "seed": self.a.seed, "wall_s": round(self.now(), 1),
               "plant_h": round(self.plant_h(), 1), "daemon_starts": self.daemon_starts,
               "daemon_exit": rc, "wound_down": getattr(self, "wound_down", False),
               "cli_calls": self.cli_calls, "status_failures": self.status_fail,
               "status_polls": self.polls,
               "faults": self.faults, "batches": self.batches, "samples": self.samples,
               "operator_errors": self.errors[-200:], "operator_error_count": len(self.errors),
               "locked": [e for e in self.errors if "database is locked" in e][:20],
               "pending": {k: v["pending"] for k, v in self.ops.items() if v["pending"]},
               "refused": {k: [round(v["refused_max_h"], 2), v["refused_why"]]
                           for k, v in self.ops.items()}}
        with open(os.path.join(self.a.dir, "soak.json"), "w") as f:
            json.dump(out, f, indent=1)
        with open(os.path.join(self.a.dir, "faults.log"), "w") as f:
            for x in self.faults:
                f.write("%8.2f s  %7.2f h  %-20s %-8s %s (%s s)\n" % tuple(x))


def cmd_run(argv):
    p = argparse.ArgumentParser(prog="soak.py run")
    for k in ("conf", "dir", "sock", "cli", "daemon"):
        p.add_argument("--" + k, required=True)
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--stills", type=int, default=8)
    p.add_argument("--speed", type=float, default=1000)
    p.add_argument("--minutes", type=float, default=5)
    p.add_argument("--seed", type=int, default=17)
    p.add_argument("--sample-s", type=float, default=5)
    p.add_argument("--tmpfs", default="")
    p.add_argument("--tmpfs-mb", type=int, default=0)
    p.add_argument("--faults", default="", help="the kinds to draw from, comma-separated "
                   "(default all: %s)" % ",".join(FAULTS))
    a = p.parse_args(argv)
    a.faults = [k for k in a.faults.split(",") if k] or FAULTS
    bad = [k for k in a.faults if k not in FAULTS]
    if bad:
        p.error("--faults: no such fault %s (the kinds: %s)" % (",".join(bad), ",".join(FAULTS)))
    Soak(a).run()


# ---------------------------------------------------------------- checks
AGE_S = 20     # memory compares daemon processes aged AGE_S to 3 AGE_S
#               (a fifteenth of the run when that is shorter)


def window(samples, lo, hi, key):
    return [x[key] for x in samples if lo <= x["t"] < hi]


def figures(r):
    """Flatness figures: window A is minutes M/6..M/3 (10 to 20 of an hour),
    B the last M/6 (the last 10); jitter compares the first M/6 with B."""
    m = r["wall_s"]
    s = r["samples"]
    a = (m / 6, m / 3)
    b = (m - m / 6, m + 1)
    f = {"window_a_s": [round(x) for x in a], "window_b_s": [round(b[0]), round(m)]}
    born = {}
    for x in s:
        born.setdefault(x["pid"], x["t"])
    age = f["age_s"] = round(min(AGE_S, m / 15), 1)
    aged = [x for x in s if age <= x["t"] - born[x["pid"]] < 3 * age]
    mature = [x for x in s if age <= x["t"] - born[x["pid"]]]
    # a window with no process in the band (no SIGKILL near it): every
    # sample of a process at least that old
    wa = window(aged, *a, "rss_kb") or window(mature, *a, "rss_kb")
    wb = window(aged, *b, "rss_kb") or window(mature, *b, "rss_kb")
    f["rss_kb_aged_a"] = round(statistics.mean(wa), 1) if wa else None
    f["rss_kb_aged_b"] = round(statistics.mean(wb), 1) if wb else None
    for key, agg in (("rss_kb", statistics.mean), ("fds", min), ("threads", min)):
        wa, wb = window(s, *a, key), window(s, *b, key)
        f[key + "_a"] = round(agg(wa), 1) if wa else None
        f[key + "_b"] = round(agg(wb), 1) if wb else None
    lives = {}
    for x in s:
        lives.setdefault(x["pid"], []).append(x)
    # each daemon process (SIGKILL faults restart it): how its RSS grew
    f["lives"] = [{"from_s": v[0]["t"], "to_s": v[-1]["t"], "rss_kb_first": v[0]["rss_kb"],
                   "rss_kb_last": v[-1]["rss_kb"], "rss_kb_max": max(y["rss_kb"] for y in v),
                   "fds_last": v[-1]["fds"], "threads_last": v[-1]["threads"]}
                  for v in lives.values()]
    ja, jb = window(s, 0, m / 6, "p99_us"), window(s, *b, "p99_us")
    f["p99_us_first"] = statistics.median(ja) if ja else None
    f["p99_us_last"] = statistics.median(jb) if jb else None
    return f


def sim_charges(path):
    ch = {}
    for line in open(path):
        w = line.rstrip("\n").split("\t")
        key = (w[1], int(w[2]))
        c = ch.setdefault(key, {"feed": None, "kg": None, "oil_g": None})
        if w[0] == "charge":
            c["feed"], c["kg"] = w[4], float(w[5])
        elif w[0] == "oil":
            c["oil_g"] = float(w[4])
    return ch


def cmd_check(d, db_path, sim_log, strict_timing):
    r = json.load(open(os.path.join(d, "soak.json")))
    res = []

    def check(ok, desc, why=""):
        res.append(("ok " if ok else "not ok ") + desc + ("" if ok or not why else ": " + why))

    db = sqlite3.connect("file:%s?mode=ro" % db_path, uri=True)
    rows = db.execute("select id, still, feedstock, charge_kg, state from batches "
                      "order by still, id").fetchall()
    oil = dict(db.execute("select batch_id, value from measurements m where quantity = "
                          "'oil_kg' and id = (select max(id) from measurements where "
                          "batch_id = m.batch_id and quantity = 'oil_kg')").fetchall())
    notfinal = [(i, st) for i, _, _, _, st in rows if st not in FINAL]
    check(not notfinal and len(rows) > 0, "every one of %d batches is in a final state "
          "(complete, stopped, aborted)" % len(rows), "not final: %s" % notfinal[:10])
    lost = [b for b, x in r["batches"].items() if x["lost"]]
    lost_bad = [b for b in lost if int(b) not in {i for i, *_ in rows} or
                dict((i, st) for i, _, _, _, st in rows)[int(b)] not in FINAL]
    check(not lost_bad, "every batch seen LOST (%d) was resolved to a final state" % len(lost),
          "%s" % lost_bad)
    check(r["wound_down"], "at the end every still is idle again (batches weighed, reset)")
    locked = r.get("locked", [])
    check(not locked, "no operator command refused because the database was locked "
          "(the journal starving the command connection)",
          "%d (of the first 20), the first: %s" % (len(locked), locked[0] if locked else ""))
    worst = max(r.get("refused", {}).items(), key=lambda kv: kv[1][0],
                default=("-", [0.0, ""]))
    check(worst[1][0] <= REFUSED_MAX_H, "no still refused every start for more than %g plant "
          "hours in a row (the longest: %s, %.1f h)" % (REFUSED_MAX_H, worst[0], worst[1][0]),
          worst[1][1])
    # the simulator's record against the database, still by still, in order
    ch = sim_charges(sim_log)
    lostrec = []
    by_still = {}
    for i, still, feed, kg, _ in rows:
        by_still.setdefault(still, []).append((i, feed, kg))
    pairs = 0
    for still in sorted({k[0] for k in ch}):
        charges = sorted(n for (s, n) in ch if s == still)
        used = [n for n in charges if n > 1]          # charge 1: --charge's, no batch
        dbb = by_still.get(still, [])
        for k, n in enumerate(used):
            c = ch[(still, n)]
            if k >= len(dbb):
                if (c["oil_g"] or 0) >= 1 or n != used[-1]:
                    lostrec.append("%s charge %d (%s %s kg, %s g oil): no batch" %
                                   (still, n, c["feed"], c["kg"], c["oil_g"]))
                continue
            i, feed, kg = dbb[k]
            pairs += 1
            if feed != c["feed"] or abs(kg - c["kg"]) > 0.01:
                lostrec.append("%s charge %d is %s %s kg, batch %d %s %s kg" %
                               (still, n, c["feed"], c["kg"], i, feed, kg))
            sim_g = c["oil_g"] or 0
            db_g = 1000 * oil.get(i, 0)
            if abs(sim_g - db_g) > max(5, 0.01 * sim_g):
                lostrec.append("batch %d: %.0f g weighed, the simulator made %.0f g "
                               "(the operator's trail: %s)" %
                               (i, db_g, sim_g, "; ".join(r["batches"].get(str(i), {})
                                                         .get("trail", ["none"]))))
        for i, _, _ in dbb[len(used):]:
            lostrec.append("batch %d on %s: no charge in the simulator's log" % (i, still))
    check(not lostrec and pairs > 0, "no record lost: %d charges of the simulator's log "
          "match the database's batches (feedstock, mass, oil weighed)" % pairs,
          "; ".join(lostrec[:8]) + (" (%d in all)" % len(lostrec) if len(lostrec) > 8 else ""))
    f = figures(r)
    ok = f["rss_kb_aged_a"] and f["rss_kb_aged_b"] and \
        f["rss_kb_aged_b"] <= 1.05 * f["rss_kb_aged_a"]
    desc = ("memory flat: mean RSS of daemon processes aged %g to %g s %s KiB in window B, "
            "%s KiB in window A (at most +5 %%; all ages: %s and %s KiB)"
            % (f["age_s"], 3 * f["age_s"], f["rss_kb_aged_b"], f["rss_kb_aged_a"],
               f["rss_kb_b"], f["rss_kb_a"]))
    # In the short form the daemon is killed every half minute or so and
    # its page cache still grows with the young database: only the long
    # form's windows say anything about a leak.
    if strict_timing:
        check(ok, desc)
    else:
        res.append("note %s%s (asserted only in the long form)" % (desc, "" if ok else ", NOT met"))
    # the short form's windows are a minute: a CLI connection or a
    # journal file open at every sample of one of them moves the least
    # count by one or two; the long form's ten minutes allow none
    slack = 0 if strict_timing else 2
    for key in ("fds", "threads"):
        ok = f[key + "_a"] is not None and f[key + "_b"] is not None and \
            f[key + "_b"] <= f[key + "_a"] + slack
        check(ok, "no %s growth: least %s in window B, %s in window A (at most +%d)" %
              (key, f[key + "_b"], f[key + "_a"], slack))
    ok = f["p99_us_first"] and f["p99_us_last"] is not None and \
        f["p99_us_last"] <= 1.2 * f["p99_us_first"]
    desc = "wake p99 of the last part %s us, of the first %s us (at most +20 %%)" % (
        f["p99_us_last"], f["p99_us_first"])
    if strict_timing:
        check(ok, desc)
    else:
        res.append("note %s%s (timing: asserted only in the long form)" %
                   (desc, "" if ok else ", NOT met"))
    check(r["status_failures"] <= r["daemon_starts"] * 25 + r["status_polls"] // 100,
          "status --json answered %d of %d polls (the rest while the daemon restarted)" % (
              r["status_polls"] - r["status_failures"], r["status_polls"]))
    check(r["daemon_exit"] == 0, "the daemon exits 0 on SIGTERM at the end",
          "status %s" % r["daemon_exit"])
    kinds = sorted({x[2] for x in r["faults"]})
    res.append("note %d faults (%s), %d daemon starts, %d batches, %d operator refusals, "
               "%.0f plant hours in %.0f s" % (len(r["faults"]), ", ".join(kinds),
                                               r["daemon_starts"], len(rows),
                                               r["operator_error_count"], r["plant_h"],
                                               r["wall_s"]))
    r["figures"] = f
    r["db_batches"] = len(rows)
    r["db_states"] = {st: sum(1 for x in rows if x[4] == st) for st in FINAL}
    r["lost_batches"] = len(lost)
    json.dump(r, open(os.path.join(d, "soak.json"), "w"), indent=1)
    print("\n".join(res))


def cmd_doc(d, out):
    r = json.load(open(os.path.join(d, "soak.json")))
    checks = open(os.path.join(d, "check.out")).read().splitlines()
    f = r["figures"]
    counts = {}
    for x in r["faults"]:
        counts[x[2]] = counts.get(x[2], 0) + 1
    lines = ["# The soak (issue 17)", "",
             "Produced by `SOAK_MINUTES=%g make soak` (tests/integration/soak.sh with "
             "SOAK=1, tests/soak/soak.py) on this 2-core machine, shared with other "
             "work; do not edit by hand. `make soak` runs 60 minutes (six weeks of "
             "plant time at 1000x)." % r["minutes"], "",
             "| figure | value |", "|---|---|",
             "| wall time | %.0f s |" % r["wall_s"],
             "| plant time | %.0f h (%.1f weeks) at %gx |" % (r["plant_h"], r["plant_h"] / 168,
                                                            r["speed"]),
             "| stills | %d |" % r["stills"], "| seed | %d |" % r["seed"],
             "| batches | %d (%s) |" % (r["db_batches"], ", ".join(
                 "%s %d" % kv for kv in r["db_states"].items())),
             "| batches LOST and resolved | %d |" % r["lost_batches"],
             "| daemon starts | %d |" % r["daemon_starts"],
             "| faults | %d |" % len(r["faults"]),
             "| RSS mean, window A / B | %s / %s KiB |" % (f["rss_kb_a"], f["rss_kb_b"]),
             "| RSS mean of processes aged %g to %g s, A / B | %s / %s KiB |" % (
                 f["age_s"], 3 * f["age_s"], f["rss_kb_aged_a"], f["rss_kb_aged_b"]),
             "| fds least, A / B | %s / %s |" % (f["fds_a"], f["fds_b"]),
             "| threads least, A / B | %s / %s |" % (f["threads_a"], f["threads_b"]),
             "| wake p99 first / last | %s / %s us |" % (f["p99_us_first"], f["p99_us_last"]),
             "", "Window A: %s s; window B: %s s. RSS, fds and threads are sampled from "
             "/proc/PID every few seconds; the daemon is a new process after each SIGKILL "
             "fault, so the windows mix processes of different ages (the check compares those aged "
             "%g to %g s; the table of processes below shows how each one's RSS grew)." % (f["window_a_s"],
                                                                f["window_b_s"], f["age_s"],
                                                                3 * f["age_s"]),
             "Wake p99: the median, over the window's status polls, of the largest "
             "`jitter_p99_us` of the stills (each still's ring holds its last 1024 wakes).",
             "", "## Daemon processes", "",
             "| from s | to s | RSS first KiB | RSS last KiB | RSS max KiB | fds | threads |",
             "|---|---|---|---|---|---|---|"] + [
             "| %(from_s)s | %(to_s)s | %(rss_kb_first)s | %(rss_kb_last)s | %(rss_kb_max)s | "
             "%(fds_last)s | %(threads_last)s |" % x for x in f["lives"]] + ["",
             "## Checks", ""] + ["    " + c for c in checks] + [
             "", "## Faults by kind", "", "| kind | count |", "|---|---|"] + [
             "| %s | %d |" % kv for kv in sorted(counts.items())] + ["", "## Fault log (first 40)",
                                                                    ""] + [
             "    %8.2f s  %7.2f h  %-20s %-8s %s (%s s)" % tuple(x) for x in r["faults"][:40]]
    open(out, "w").write("\n".join(lines) + "\n")


def main():
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    c, rest = sys.argv[1], sys.argv[2:]
    if c == "stills":
        cmd_stills(rest[0], int(rest[1]))
    elif c == "run":
        cmd_run(rest)
    elif c == "check":
        cmd_check(rest[0], rest[1], rest[2], len(rest) > 3 and rest[3] == "strict")
    elif c == "doc":
        cmd_doc(rest[0], rest[1])
    else:
        raise SystemExit(__doc__)


if __name__ == "__main__":
    main()
