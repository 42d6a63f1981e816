#!/usr/bin/env python3
"""A stand-in for stillroomd that speaks docs/PROTOCOL.md over a Unix
socket, for the console's tests when the real daemon cannot be used.

  fake_stillroomd.py SOCKET [--stills N] [--log FILE]

Values change every second, so a console shows them moving. Commands are
checked roughly as the real core does (start needs idle, hold needs
running ...), logged to --log with the operator's name, and answered with
ok/err. Test-only verbs: `fault STILL ID PRIORITY MESSAGE` raises an alarm,
`ask STILL TEXT` sets a pending prompt.
"""
import math
import os
import selectors
import shlex
import socket
import sys
import time

RECIPES = [
    dict(name="cassia-leaf", version=3, feedstock="cassia-leaf", valid=1,
         charge_min_kg=100, charge_max_kg=600, steps=4),
    dict(name="star-anise", version=2, feedstock="star-anise", valid=1,
         charge_min_kg=50, charge_max_kg=300, steps=4),
]
STEPS = [
    dict(index=1, name="purge", kind="purge", max_min=15, end="for 5 min"),
    dict(index=2, name="heat-up", kind="heat-up", max_min=60,
         end="vapour_temp >= 98"),
    dict(index=3, name="distil", kind="distil", max_min=300,
         end="oil rate < 20 g/h for 20 min"),
    dict(index=4, name="cool-down", kind="cool-down", max_min=30,
         end="operator confirms"),
]


def quote(v):
    v = str(v)
    if v == "" or any(c in v for c in ' \t"\\\n'):
        return '"' + v.replace("\\", "\\\\").replace('"', '\\"').replace(
            "\n", "\\n") + '"'
    return v


def kv(tag, d):
    return tag + "".join(" %s=%s" % (k, quote(v)) for k, v in d.items())


class Still:
    def __init__(self, i):
        self.name = "still%d" % (i + 1)
        self.state = "idle"
        self.batch_id = 0
        self.recipe = ""
        self.step = 0
        self.charge = 0.0
        self.prompt = ""
        self.manual = {"steam": 0, "cooling": 0}
        self.manual_pct = {"steam": 0.0, "cooling": 0.0}
        self.t0 = time.time()
        self.phase = i * 0.7

    def line(self):
        t = time.time() - self.t0
        running = self.state == "running"
        p = 6 + 2 * math.sin(t / 3 + self.phase) if running else 0.2
        oil = 0.002 * t if self.batch_id else 0
        steam = self.manual_pct["steam"] if self.manual["steam"] else (
            45 + 10 * math.sin(t / 5) if running else 0)
        d = dict(name=self.name, state=self.state, batch_id=self.batch_id,
                 recipe=self.recipe,
                 step=STEPS[self.step]["name"] if self.batch_id else "",
                 step_index=self.step + 1 if self.batch_id else 0,
                 step_count=len(STEPS) if self.batch_id else 0,
                 step_progress_pct="%.0f" % ((t * 2) % 100) if running else -1,
                 pressure_kpa="%.1f" % p,
                 still_temp_c="%.1f" % (99.0 if running else 25.0),
                 vapour_temp_c="%.1f" % (99.5 + math.sin(t) if running else 24.0),
                 distillate_temp_c="%.1f" % (34 + 3 * math.sin(t / 7)),
                 cooling_flow_l_min="180.0", steam_flow_kg_h="%.1f" % (steam * 6),
                 steam_valve_pct="%.1f" % steam, cooling_valve_pct="55.0",
                 oil_kg="%.3f" % oil,
                 yield_pct="%.3f" % (100 * oil / self.charge if self.charge else 0),
                 time_left_min=120 if running else -1,
                 alarms=sum(1 for a in ALARMS if a["still"] == self.name),
                 comm="ok", prompt=self.prompt,
                 mode_steam="manual" if self.manual["steam"] else "auto",
                 mode_cooling="manual" if self.manual["cooling"] else "auto",
                 quality="", steam_sp="8.0", steam_loop="pressure",
                 cooling_sp_c="35.0")
        return kv("still", d)


STILLS = []
ALARMS = []
LOTS = {"L-2024-001": ("cassia-leaf", 800.0)}
NEXT_BATCH = [41]
LOG = [None]


def log(line):
    if LOG[0]:
        with open(LOG[0], "a") as f:
            f.write(line + "\n")


def find(name):
    for s in STILLS:
        if s.name == name:
            return s
    return None


def opts(args):
    pos = [a for a in args if "=" not in a]
    kw = dict(a.split("=", 1) for a in args if "=" in a)
    return pos, kw


NEEDS = {"hold": ["running"], "restart": ["held", "lost"],
         "stop": ["running", "held", "holding", "lost"],
         "abort": ["running", "held", "holding", "lost", "stopping"],
         "reset": ["complete", "stopped", "aborted"]}
GOES = {"hold": "held", "restart": "running", "stop": "stopped",
        "abort": "aborted", "reset": "idle"}


def still_cmd(verb, pos, kw):
    s = find(pos[1]) if len(pos) > 1 else None
    if s is None:
        return ["err no still named %s" % (pos[1] if len(pos) > 1 else "")]
    if verb in NEEDS:
        if s.state not in NEEDS[verb]:
            return ["err %s is %s; %s needs one of %s" % (
                s.name, s.state, verb, ",".join(NEEDS[verb]))]
        s.state = GOES[verb]
        if verb == "reset":
            s.batch_id = 0
            s.recipe = ""
        return ["ok %s %s" % (s.name, s.state)]
    if verb == "ack":
        n = 0
        for a in ALARMS:
            if a["still"] == s.name and (len(pos) < 3 or a["id"] == pos[2]):
                if a["state"] == "unack":
                    a["state"] = "acked"
                    n += 1
        return ["ok %d acknowledged" % n]
    if verb == "shelve":
        for a in ALARMS:
            if a["still"] == s.name and a["id"] == pos[2]:
                a["state"] = "shelved"
                return ["ok shelved for %s min" % kw.get("minutes")]
        return ["err no alarm %s on %s" % (pos[2], s.name)]
    if verb == "answer":
        if not s.prompt:
            return ["err %s has no question waiting" % s.name]
        s.prompt = ""
        return ["ok answered"]
    if verb in ("manual", "auto"):
        out = pos[2]
        s.manual[out] = verb == "manual"
        if verb == "manual":
            s.manual_pct[out] = float(pos[3])
        return ["ok %s %s %s" % (s.name, out, verb)]
    return ["err unknown command %s" % verb]


def handle(line):
    try:
        args = shlex.split(line, posix=True)
    except ValueError as e:
        return ["err %s" % e]
    if not args:
        return ["err empty request"]
    verb = args[0]
    pos, kw = opts(args)
    if verb not in ("hello", "status", "alarms", "recipes", "steps"):
        log(line)
    if verb == "hello":
        return ["ok stillroomd fake protocol 1"]
    if verb == "status":
        return [s.line() for s in STILLS] + ["ok %d stills" % len(STILLS)]
    if verb == "alarms":
        return [kv("alarm", a) for a in ALARMS] + ["ok %d alarms" % len(ALARMS)]
    if verb == "recipes":
        return [kv("recipe", r) for r in RECIPES] + ["ok %d recipes" % len(RECIPES)]
    if verb == "steps":
        return [kv("step", s) for s in STEPS] + ["ok"]
    if verb == "start":
        s = find(pos[1]) if len(pos) > 1 else None
        if s is None or s.state != "idle":
            return ["err still must be idle"]
        lot = LOTS.get(kw.get("lot"))
        if lot is None:
            return ["err no lot %s" % kw.get("lot")]
        s.state = "running"
        s.batch_id = NEXT_BATCH[0]
        NEXT_BATCH[0] += 1
        s.recipe = kw.get("recipe", "")
        s.charge = float(kw.get("mass", "0"))
        s.step = 2
        return ["ok batch %d started on %s" % (s.batch_id, s.name)]
    if verb == "lot-add":
        LOTS[pos[1]] = (kw.get("feedstock"), float(kw.get("mass", 0)))
        return ["ok lot %s added" % pos[1]]
    if verb == "fault":
        ALARMS.append(dict(still=pos[1], id=pos[2], priority=int(pos[3]),
                           state="unack", active=1, since_s=0,
                           message=" ".join(pos[4:])))
        return ["ok"]
    if verb == "clear":
        ALARMS[:] = [a for a in ALARMS if a["id"] != pos[2]]
        return ["ok"]
    if verb == "ask":
        s = find(pos[1])
        s.prompt = " ".join(pos[2:])
        return ["ok"]
    return still_cmd(verb, pos, kw)


def main():
    path = sys.argv[1]
    n = 2
    if "--stills" in sys.argv:
        n = int(sys.argv[sys.argv.index("--stills") + 1])
    if "--log" in sys.argv:
        LOG[0] = sys.argv[sys.argv.index("--log") + 1]
    STILLS.extend(Still(i) for i in range(n))
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(path)
    srv.listen(8)
    sel = selectors.DefaultSelector()
    sel.register(srv, selectors.EVENT_READ)
    bufs = {}
    while True:
        for key, _ in sel.select(timeout=1):
            if key.fileobj is srv:
                c, _ = srv.accept()
                bufs[c] = b""
                sel.register(c, selectors.EVENT_READ)
                continue
            c = key.fileobj
            data = c.recv(65536)
            if not data:
                sel.unregister(c)
                c.close()
                del bufs[c]
                continue
            bufs[c] += data
            while b"\n" in bufs[c]:
                line, bufs[c] = bufs[c].split(b"\n", 1)
                out = handle(line.decode("utf-8", "replace"))
                c.sendall(("\n".join(out) + "\n").encode())


if __name__ == "__main__":
    main()
