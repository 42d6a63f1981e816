#!/usr/bin/python3
"""Bad input changes nothing: the property behind ctl_badinput.sh.

usage: badinput.py SOCKET STILLROOM CONF DB MODBUS_PORT LOT BATCH

Sends every socket verb (docs/PROTOCOL.md) and every CLI command that takes
arguments with malformed, out-of-range, NaN/inf, empty, overlong and
injected arguments, built from the tables below (a verb is one line). For
each case: refused with a sentence (an `err` reply; the CLI exits non-zero,
2 for a bad number, before it reaches the daemon). For each group of cases:
nothing changed: the stills' state and modes (status), the outputs on the
wire (holding registers read with pymodbus, an independent Modbus peer), the
database (row count and checksum of every table but the historian's) and the
audit trail (`stillroom audit verify`, the event count).

Prints one line per check, "PASS text" or "FAIL text", then "COUNT verb n"
for every verb covered.
"""
import concurrent.futures
import hashlib
import sqlite3
import subprocess
import sys

from sock_talk import talk_bytes

SOCK, CLI, CONF, DB, PORT, LOT, BATCH = sys.argv[1:8]
STILL = "still2"      # idle, no batch: every output is steady
OP = "operator=prop"
CLI_JOBS = 4          # CLI cases run at once (cli_group)

# Values that are not a number, whatever the field.
NOT_NUMBERS = ["abc", "", "nan", "NaN", "-nan", "inf", "-inf", "Infinity", "1e999",
               "12abc", "0x10", "0x1p3", " 5", "5 ", "5;hold still1", "5\nhold still1",
               '5"', "5'", "5,5", "1" + "0" * 40, "--5", "5..0", "+", ".", "e5", "5e",
               "５"]
# Names that are not a still, an alarm, a recipe or an output.
BAD_NAMES = ["", "still9", "still2;reset still1", "still2\nhold still1", 'still2"',
             "still2 still1", "x" * 300, "still2\\"]


# The CLI checks with the same table and parser as the daemon (proto_check),
# which the socket cases walk in full: a CLI command takes a sample of them
# (each case is a process; CI runs this under ASan too).
CLI_SAMPLE = ["abc", "", "nan", "-inf", "1e999", "12abc", "0x10", " 5", "5;hold still1",
              "5\nhold still1", '5"', "1" + "0" * 40, "--5"]


def numbers(*out_of_range):
    """Bad values for a number field: the common ones and its own."""
    return NOT_NUMBERS + list(out_of_range)


def cli_numbers(*out_of_range):
    """Bad values for a number option of the CLI: the sample and its own."""
    return CLI_SAMPLE + list(out_of_range)


# Malformed alarm ids (a well-formed unknown one reaches the still, which
# refuses it and audits the attempt, as docs/RECORDS.md says).
BAD_ALARMS = [v for v in BAD_NAMES if v != "still9"] + ["pressure_hh;reset", "a/b"]
BATCH_IDS = numbers("0", "-1", "1.5", "99999999999999999999999")
CLI_BATCH_IDS = cli_numbers("0", "-1", "1.5", "99999999999999999999999")

# Socket verbs: (verb, template with {} for the value, bad values, word the
# refusal must name (None: any sentence)).
SOCKET_CASES = [
    ("hello", "hello {}", BAD_NAMES[1:], None),
    ("status", "status {}", BAD_NAMES[1:], None),
    ("alarms", "alarms {}", BAD_NAMES[1:], None),
    ("recipes", "recipes {}", BAD_NAMES[1:], None),
    ("steps", "steps {}", BAD_NAMES, None),
    ("start", "start {} recipe=quick-leaf lot=" + LOT + " mass=400 " + OP, BAD_NAMES, None),
    ("start", "start " + STILL + " recipe={} lot=" + LOT + " mass=400 " + OP, BAD_NAMES,
     None),
    ("start", "start " + STILL + " recipe=quick-leaf lot=" + LOT + " mass={} " + OP,
     numbers("0", "-400", "1e7"), "mass"),
    ("hold", "hold {} " + OP, BAD_NAMES, None),
    ("restart", "restart {} " + OP, BAD_NAMES, None),
    ("stop", "stop {} " + OP, BAD_NAMES, None),
    ("abort", "abort {} " + OP, BAD_NAMES, None),
    ("reset", "reset {} " + OP, BAD_NAMES, None),
    ("ack", "ack {} " + OP, BAD_NAMES, None),
    ("ack", "ack " + STILL + " {} " + OP, BAD_ALARMS, None),
    ("shelve", "shelve " + STILL + " {} minutes=5 reason=r " + OP, BAD_ALARMS, None),
    ("shelve", "shelve " + STILL + " watchdog minutes={} reason=r " + OP,
     numbers("0", "-5", "1e9"), "minutes"),
    ("answer", "answer {} text=yes " + OP, BAD_NAMES, None),
    ("manual", "manual {} cooling 5 " + OP, BAD_NAMES, None),
    ("manual", "manual " + STILL + " {} 5 " + OP, BAD_NAMES, None),
    ("manual", "manual " + STILL + " cooling {} " + OP, numbers("-1", "100.5", "1e3"),
     "cooling"),
    ("manual", "manual " + STILL + " steam {} " + OP, numbers("-0.1", "101"), "steam"),
    ("auto", "auto " + STILL + " {} " + OP, BAD_NAMES, None),
    ("lot-add", "lot-add BADLOT feedstock=cassia-leaf mass={} grower=g origin=o " + OP,
     numbers("0", "-1", "1e9"), "mass"),
    ("lot-add", "lot-add BADLOT feedstock=cassia-leaf mass=100 moisture={} grower=g "
     "origin=o " + OP, numbers("-1", "100", "120"), "moisture"),
    ("lot-add", "lot-add BADLOT feedstock=cassia-leaf mass=100 drying_days={} grower=g "
     "origin=o " + OP, numbers("-1", "1.5", "3651", "99999999999"), "drying"),
    ("reload", "reload {}", BAD_NAMES[1:], None),
    ("weigh", "weigh {} oil_kg=1 " + OP, BATCH_IDS, "batch"),
    ("weigh", "weigh " + BATCH + " oil_kg={} " + OP, numbers("0", "-1", "1e9"), "oil"),
    ("qa", "qa {} density=1.05 ri=1.6 marker=80 analyst=a " + OP, BATCH_IDS, "batch"),
    ("qa", "qa " + BATCH + " density={} ri=1.6 marker=80 analyst=a " + OP,
     numbers("0", "0.4", "2.1"), "density"),
    ("qa", "qa " + BATCH + " density=1.05 ri={} marker=80 analyst=a " + OP,
     numbers("0.9", "2.5"), "refractive"),
    ("qa", "qa " + BATCH + " density=1.05 ri=1.6 marker={} analyst=a " + OP,
     numbers("-1", "100.1"), "marker"),
    ("decide", "decide {} decision=release " + OP, BATCH_IDS, "batch"),
    ("decide", "decide " + BATCH + " decision={} " + OP, BAD_NAMES, None),
]

# Whole lines a client might send that are not a request (raw bytes).
RAW_LINES = [
    ("manual", b"manual " + STILL.encode() + b" cooling 5\0 " + OP.encode()),
    ("manual", b"manual " + STILL.encode() + b" cooling \"5 " + OP.encode()),
    ("lot-add", b"lot-add BADLOT feedstock=cassia-leaf mass=100\0 grower=g origin=o "
     + OP.encode()),
    ("manual", b"manual " + STILL.encode() + b" cooling " + b"5" * 9000),
]

# CLI commands: (command, argv with {} for the value, bad values, word).
# A bad number is a usage error: exit 2, before anything is sent.
CLI_CASES = [
    ("alarms", ["alarms", "{}"], BAD_NAMES[1:], None),
    ("steps", ["steps", "{}"], BAD_NAMES, None),
    ("start", ["start", STILL, "--recipe", "quick-leaf", "--lot", LOT, "--mass", "{}"],
     cli_numbers("0", "-400", "1e7"), "mass"),
    ("start", ["start", "{}", "--recipe", "quick-leaf", "--lot", LOT, "--mass", "400"],
     BAD_NAMES, None),
    ("hold", ["hold", "{}"], BAD_NAMES, None),
    ("restart", ["restart", "{}"], BAD_NAMES, None),
    ("stop", ["stop", "{}"], BAD_NAMES, None),
    ("abort", ["abort", "{}"], BAD_NAMES, None),
    ("reset", ["reset", "{}"], BAD_NAMES, None),
    ("ack", ["ack", STILL, "{}"], BAD_ALARMS, None),
    ("shelve", ["shelve", STILL, "{}", "--minutes", "5", "--reason", "r"], BAD_ALARMS, None),
    ("shelve", ["shelve", STILL, "watchdog", "--minutes", "{}", "--reason", "r"],
     cli_numbers("0", "-5", "1e9"), "minutes"),
    ("answer", ["answer", "{}", "yes"], BAD_NAMES, None),
    ("manual", ["manual", STILL, "cooling", "{}"], cli_numbers("-1", "100.5", "1e3"),
     "cooling"),
    ("manual", ["manual", STILL, "steam", "{}"], cli_numbers("-0.1", "101"), "steam"),
    ("manual", ["manual", STILL, "{}", "5"], BAD_NAMES, None),
    ("auto", ["auto", STILL, "{}"], BAD_NAMES, None),
    ("lot add", ["lot", "add", "BADLOT", "--feedstock", "cassia-leaf", "--mass", "{}",
                 "--grower", "g", "--origin", "o"], cli_numbers("0", "-1", "1e9"), "mass"),
    ("lot add", ["lot", "add", "BADLOT", "--feedstock", "cassia-leaf", "--mass", "100",
                 "--moisture", "{}", "--grower", "g", "--origin", "o"],
     cli_numbers("-1", "100", "120"), "moisture"),
    ("lot add", ["lot", "add", "BADLOT", "--feedstock", "cassia-leaf", "--mass", "100",
                 "--drying-days", "{}", "--grower", "g", "--origin", "o"],
     cli_numbers("-1", "1.5", "3651"), "drying"),
    ("weigh", ["weigh", "{}", "--oil-kg", "1"], CLI_BATCH_IDS, "batch"),
    ("weigh", ["weigh", BATCH, "--oil-kg", "{}"], cli_numbers("0", "-1", "1e9"), "oil"),
    ("qa record", ["qa", "record", "{}", "--density", "1.05", "--ri", "1.6", "--marker",
                   "80", "--analyst", "a"], CLI_BATCH_IDS, "batch"),
    ("qa record", ["qa", "record", BATCH, "--density", "{}", "--ri", "1.6", "--marker",
                   "80", "--analyst", "a"], cli_numbers("0", "2.1"), "density"),
    ("qa record", ["qa", "record", BATCH, "--density", "1.05", "--ri", "{}", "--marker",
                   "80", "--analyst", "a"], cli_numbers("0.9", "2.5"), "refractive"),
    ("qa record", ["qa", "record", BATCH, "--density", "1.05", "--ri", "1.6", "--marker",
                   "{}", "--analyst", "a"], cli_numbers("-1", "100.1"), "marker"),
    ("qa release", ["qa", "release", "{}"], CLI_BATCH_IDS, "batch"),
    ("report batch", ["report", "batch", "{}"], CLI_BATCH_IDS, "batch"),
    ("report curve", ["report", "curve", "{}", "--csv"], CLI_BATCH_IDS, "batch"),
    ("trace", ["trace", "{}"], CLI_BATCH_IDS, "batch"),
]

STATUS_KEYS = ("name", "state", "batch_id", "recipe", "step_index", "mode_steam",
               "mode_cooling", "prompt", "alarms", "charge_kg", "steam_sp")
results = []


def send(line, timeout_s=60):
    """One request (bytes) and its reply; a shared 2-core machine may be slow."""
    return talk_bytes(SOCK, line + b"\n", timeout_s)


def talk(line):
    return send(line.encode())


def quote(v):
    """v as one protocol token (docs/PROTOCOL.md), as a proper client sends it."""
    return '"' + v.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


def final_line(reply):
    """The reply's final line; a line after it (an injected line) is a fault."""
    lines = reply.rstrip(b"\n").split(b"\n")
    for i, ln in enumerate(lines):
        if ln.startswith(b"ok") or ln.startswith(b"err"):
            if i != len(lines) - 1:
                return "(a line after the final one: %r)" % lines[i + 1:]
            return ln.decode(errors="replace")
    return "(no final line)"


def stills():
    import json
    reply = talk("status json").split(b"\n")[0]
    doc = json.loads(reply)
    return [tuple(str(s.get(k)) for k in STATUS_KEYS) for s in doc["stills"]]


def wire():
    from pymodbus.client import ModbusTcpClient
    c = ModbusTcpClient("127.0.0.1", port=int(PORT))
    c.connect()
    regs = []
    for unit in (1, 2):
        rr = c.read_holding_registers(0, 2, slave=unit)
        regs.append(tuple(rr.registers) if not rr.isError() else str(rr))
    c.close()
    return regs


def database():
    db = sqlite3.connect("file:" + DB + "?mode=ro", uri=True)
    out = {}
    tables = [r[0] for r in db.execute(
        "select name from sqlite_master where type = 'table' order by name")]
    for t in tables:
        if t in ("hist_raw", "hist_blocks", "sqlite_sequence"):
            continue  # the historian records every still all the time
        h = hashlib.sha256()
        n = 0
        for row in db.execute('select * from "%s" order by rowid' % t):
            h.update(repr(row).encode())
            n += 1
        out[t] = (n, h.hexdigest()[:16])
    db.close()
    return out


def audit():
    p = subprocess.run([CLI, "-c", CONF, "--db", DB, "audit", "verify"],
                       capture_output=True, text=True)
    return p.returncode


def snapshot():
    return {"stills": stills(), "wire": wire(), "database": database(),
            "audit verify": audit()}


def check(ok, text):
    results.append(("PASS " if ok else "FAIL ") + text.replace("\n", "\\n"))


def same(before, after, group):
    """Checks that nothing changed; returns after, which is the next group's
    before: nothing runs between two groups, so one snapshot serves both
    (each process it takes, `audit verify` above all, is slow under ASan)."""
    for k in before:
        if before[k] != after[k]:
            diff = before[k]
            if isinstance(diff, dict):
                diff = {t: (before[k].get(t), after[k].get(t)) for t in after[k]
                        if before[k].get(t) != after[k].get(t)}
            else:
                diff = (before[k], after[k])
            check(False, "%s: %s changed: %s" % (group, k, diff))
            return after
    check(True, "%s: stills, wire, database and audit trail unchanged" % group)
    return after


def sentence(msg, word):
    """A refusal that says something, and names the field when it should."""
    if len(msg.split()) < 2:
        return False
    return word is None or word.lower() in msg.lower()


def socket_group(before, verb, template, values, word, counts):
    bad = []
    for v in values:
        line = template.replace("{}", quote(v))
        fin = final_line(talk(line))
        counts[verb] = counts.get(verb, 0) + 1
        if not (fin.startswith("err ") and sentence(fin[4:], word)):
            bad.append("%r -> %r" % (line, fin))
    check(not bad, "socket %s: %d bad values refused with a sentence%s%s" % (
        template.split(" ", 1)[1], len(values), word and " naming " + word or "",
        ("; not: " + "; ".join(bad[:4])) if bad else ""))
    return same(before, snapshot(), "socket " + template)


def raw_group(before, counts):
    for verb, line in RAW_LINES:
        buf = send(line)
        fin = final_line(buf) if buf else "(closed)"
        counts[verb] = counts.get(verb, 0) + 1
        check(fin.startswith("err ") and sentence(fin[4:], None),
              "raw line %r... refused: %s" % (line[:40], fin))
    return same(before, snapshot(), "raw lines")


def cli_run(argv, v):
    """The CLI with argv, its {} replaced by v: the finished process."""
    args = [a.replace("{}", v) for a in argv]
    return subprocess.run([CLI, "-c", CONF, "--operator", "prop"] + args,
                          capture_output=True, text=True)


def cli_group(before, name, argv, values, word, counts):
    bad = []
    # a few CLI processes at a time: a process start is most of a case's
    # time (more so under ASan), and the cases are independent refusals;
    # every case is still run and judged on its own exit and sentence
    with concurrent.futures.ThreadPoolExecutor(max_workers=CLI_JOBS) as pool:
        procs = list(pool.map(lambda v: cli_run(argv, v), values))
    for v, p in zip(values, procs):
        counts["cli " + name] = counts.get("cli " + name, 0) + 1
        want = (p.returncode == 2) if word else (p.returncode != 0)
        # "--5" reads as an option: an unknown option is as good a refusal
        says = sentence(p.stderr, None if v.startswith("--") else word)
        if not (want and says):
            bad.append("%r -> exit %d %r" % (v, p.returncode, (p.stdout + p.stderr)[:120]))
    check(not bad, "cli %s: %d bad values refused%s%s" % (
        " ".join(argv), len(values), word and " (exit 2) naming " + word or "",
        ("; not: " + "; ".join(bad[:4])) if bad else ""))
    return same(before, snapshot(), "cli " + " ".join(argv))


def main():
    counts = {}
    state = snapshot()
    for verb, template, values, word in SOCKET_CASES:
        state = socket_group(state, verb, template, values, word, counts)
    state = raw_group(state, counts)
    for name, argv, values, word in CLI_CASES:
        state = cli_group(state, name, argv, values, word, counts)
    for r in results:
        print(r)
    for verb in sorted(counts):
        print("COUNT %s %d" % (verb, counts[verb]))


if __name__ == "__main__":
    main()
