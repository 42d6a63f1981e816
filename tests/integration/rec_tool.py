#!/usr/bin/env python3
"""rec_tool: helpers of the batch-record integration tests (rec_*.sh).

  rec_tool.py stream SOCK LOG --tag T --seed N [--count N] [--verbs V,V]
                     [--kill-after-ok N --pid PID]
      Sends operator commands to stillroomd over its socket, back to back
      (0..20 ms apart), each with its own operator name "T-N", and records
      every request before it is sent ("R" line) and its reply after
      ("A" line: ok, unrecorded (done, not yet on disk), err or lost). Stops when the daemon goes away (it is
      killed under it) or after --count commands. With --kill-after-ok,
      it sends SIGKILL to PID itself the instant it reads the N-th ok
      reply ("K" line): the harshest moment for "durable before ok".
      Exit 0.

  rec_tool.py log LOG TAG VERB STATUS REPLY ARGS...
      Appends one request and its reply, for a command the shell sent
      with the CLI, in the stream's format.

  rec_tool.py check DB LOG...
      Every command whose reply was ok must have its audit row in DB
      (events). Prints what is missing; exit 1 if anything is. Also says
      how many were acknowledged and whether a command was in flight when
      the stream stopped.

  rec_tool.py count DB
      Rows of every record table, one "table n" line each, to show that a
      refused command wrote nothing. Left out: what the controller writes
      by itself at any moment, whatever the operator does: historian
      samples, alarms (a comm_loss from a scheduling hiccup at high
      --speed) and their audit rows.

  rec_tool.py keys JSON_FILE KEY...
      The JSON object in JSON_FILE has every KEY (exit 1 naming the missing).
"""
import json
import os
import random
import socket
import sqlite3
import sys
import time


def record(log, kind, *fields):
    """Appends one tab-separated line and flushes it."""
    clean = [str(f).replace("\t", " ").replace("\n", " ") for f in fields]
    log.write(kind + "\t" + "\t".join(clean) + "\n")
    log.flush()


def request_line(verb, tag, n, lot_prefix):
    """The protocol line of one command (its operator is tag-n)."""
    op = "%s-%d" % (tag, n)
    if verb == "lot-add":
        return op, "lot-add %s-%s-%d feedstock=cassia-leaf mass=5 grower=G%d " \
            "origin=O operator=%s" % (lot_prefix, tag, n, n % 3, op)
    if verb == "answer":
        return op, "answer still1 text=yes operator=%s" % op
    if verb.startswith("ack2"):
        return op, "ack still2 operator=%s" % op
    return op, "%s still1 operator=%s" % (verb, op)


def read_reply(f):
    """Reads reply lines up to the final ok/err line; None if cut off."""
    while True:
        line = f.readline()
        if not line:
            return None
        line = line.rstrip("\n")
        if line == "ok" or line.startswith("ok ") or line == "err" or \
                line.startswith("err "):
            return line


def stream(argv):
    sock_path, log_path = argv[0], argv[1]
    opts = dict(zip(argv[2::2], argv[3::2]))
    tag = opts.get("--tag", "s")
    rng = random.Random(int(opts.get("--seed", "1")))
    count = int(opts.get("--count", "100000"))
    verbs = opts.get("--verbs", "hold,restart,answer,ack,ack2,reset,lot-add").split(",")
    kill_after = int(opts.get("--kill-after-ok", "0"))
    pid = int(opts.get("--pid", "0"))
    oks = 0
    with open(log_path, "a") as log:
        try:
            s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            s.connect(sock_path)
        except OSError as e:
            record(log, "X", "connect", e)
            return 0
        f = s.makefile("rw", encoding="utf-8", newline="\n")
        for n in range(1, count + 1):
            verb = rng.choice(verbs)
            op, line = request_line(verb, tag, n, "LOT")
            record(log, "R", n, op, verb.replace("ack2", "ack"),
                   "%.3f" % time.time(), line)
            try:
                f.write(line + "\n")
                f.flush()
                reply = read_reply(f)
            except OSError:
                reply = None
            if reply is None:
                record(log, "A", n, "lost", "%.3f" % time.time(), "")
                return 0
            # "ok unrecorded": done, not yet on disk: not an acknowledgement
            status = reply.split(" ", 1)[0]
            if reply.startswith("ok unrecorded"):
                status = "unrecorded"
            if status == "ok":
                oks += 1
            if kill_after and oks == kill_after and pid > 0 and status == "ok":
                os.kill(pid, 9)
                record(log, "A", n, "ok", "%.3f" % time.time(), reply)
                record(log, "K", n, "SIGKILL to %d after ok %d" % (pid, oks))
                return 0
            record(log, "A", n, status, "%.3f" % time.time(), reply)
            time.sleep(rng.uniform(0, 0.02))
    return 0


def log_cli(argv):
    log_path, op, verb, status, reply = argv[:5]
    with open(log_path, "a") as log:
        n = "cli-%s" % op
        record(log, "R", n, op, verb, "%.3f" % time.time(), " ".join(argv[5:]))
        record(log, "A", n, status, "%.3f" % time.time(), reply)
    return 0


def read_log(path):
    """[(n, op, verb, status, request, reply)] in order; status None when
    the request has no reply line."""
    out, by_n = [], {}
    with open(path) as f:
        for line in f:
            p = line.rstrip("\n").split("\t")
            if p[0] == "R":
                c = {"n": p[1], "op": p[2], "verb": p[3], "req": p[5],
                     "status": None, "reply": ""}
                out.append(c)
                by_n[p[1]] = c
            elif p[0] == "A" and p[1] in by_n:
                by_n[p[1]]["status"] = p[2]
                by_n[p[1]]["reply"] = p[4] if len(p) > 4 else ""
    return out


# verb -> the audit rows an acknowledged command must have left:
# [(kind, what or None, new_value set or None)], all with who = operator.
AUDIT = {
    "lot-add": [("lot", "LOT", None)],
    "start": [("batch", "start", None), ("command", "start", None)],
    "answer": [("command", "answer", None), ("answer", None, None)],
    "ack": [("command", "ack", None), ("alarm", None, ("acked", "normal"))],
}


def missing_rows(db, c):
    """What audit rows command c lacks (a list of descriptions)."""
    want = AUDIT.get(c["verb"], [("command", c["verb"], None)])
    missing = []
    for kind, what, news in want:
        if what == "LOT":   # "lot-add ID ..." or the CLI's "lot add ID ..."
            words = c["req"].split()
            what = words[2] if words[0] == "lot" else words[1]
        sql = "SELECT count(*) FROM events WHERE who = ? AND kind = ?"
        args = [c["op"], kind]
        if what is not None:
            sql += " AND what = ?"
            args.append(what)
        if news is not None:
            sql += " AND new_value IN (%s)" % ",".join("?" * len(news))
            args.extend(news)
        if db.execute(sql, args).fetchone()[0] == 0:
            missing.append("%s/%s" % (kind, what or "*"))
    return missing


def check(argv):
    db = sqlite3.connect("file:%s?mode=ro" % argv[0], uri=True)
    acked = bad = 0
    in_flight = []
    for path in argv[1:]:
        cmds = read_log(path)
        for c in cmds:
            if c["status"] is None or c["status"] == "lost":
                in_flight.append(c)
            if c["status"] != "ok":
                continue
            acked += 1
            miss = missing_rows(db, c)
            if miss:
                bad += 1
                print("MISSING: %s (operator %s) was acknowledged (%s) but "
                      "the audit trail lacks %s" % (c["req"], c["op"],
                                                    c["reply"], ", ".join(miss)))
    for c in in_flight:
        rows = "in the trail" if not missing_rows(db, c) else "not in the trail"
        print("in flight at the kill: %s (%s)" % (c["req"], rows))
    print("%d acknowledged commands, %d missing their audit rows" % (acked, bad))
    return 1 if bad else 0


def count(argv):
    db = sqlite3.connect("file:%s?mode=ro" % argv[0], uri=True)
    names = [r[0] for r in db.execute(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN"
        " ('hist_raw', 'hist_blocks', 'alarms', 'sqlite_sequence') ORDER BY name")]
    for t in names:
        where = " WHERE kind != 'alarm'" if t == "events" else ""
        print(t, db.execute('SELECT count(*) FROM "%s"%s' % (t, where))
              .fetchone()[0])
    return 0


def keys(argv):
    with open(argv[0]) as f:
        d = json.load(f)
    if not isinstance(d, dict):
        print("not a JSON object")
        return 1
    miss = [k for k in argv[1:] if k not in d]
    if miss:
        print("missing keys: " + ", ".join(miss))
        return 1
    return 0


def main():
    cmds = {"stream": stream, "log": log_cli, "check": check, "count": count,
            "keys": keys}
    if len(sys.argv) < 2 or sys.argv[1] not in cmds:
        sys.stderr.write(__doc__)
        return 2
    return cmds[sys.argv[1]](sys.argv[2:])


if __name__ == "__main__":
    sys.exit(main())
