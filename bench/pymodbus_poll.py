#!/usr/bin/python3
"""The daemon's polling job done by a plain pymodbus loop, for `make bench`.

usage: pymodbus_poll.py PORT N CYCLES PLAN_JSON

For stills with unit ids 1..N on 127.0.0.1:PORT (one connection each, as
the daemon has), every cycle reads each still's register map with the
block reads of PLAN_JSON (what `bench_modbus plan` prints: fio's plan),
decodes every input tag (sign, word order, scale, offset, plausible range,
as fio does) and writes the outputs (steam, cooling, heartbeat) with the
plan's block writes. Prints one JSON line with the time of CYCLES cycles
after a warm-up of CYCLES / 10 + 1. Exits 1 on a Modbus error.

Debian's python3-pymodbus 3.0.0rc1: the unit id keyword is slave=, and the
timeout is cast to whole seconds (so 1, not 0.5).
"""
import json
import sys
import time

from pymodbus.client import ModbusTcpClient

HOST = "127.0.0.1"
CONNECT_TRIES = 5


def decode(tags, images):
    """Engineering values and qualities of the input tags, as fio_decode."""
    out = []
    for t in tags:
        img = images[t["type"]]
        a = t["address"]
        if t["words"] == 2:
            hi, lo = (img[a], img[a + 1]) if t["high_first"] else (img[a + 1], img[a])
            raw = hi << 16 | lo
            if t["signed"] and raw >= 1 << 31:
                raw -= 1 << 32
        else:
            raw = img[a]
            if t["signed"] and raw >= 1 << 15:
                raw -= 1 << 16
        v = raw * t["scale"] + t["offset"]
        out.append((v, t["min"] <= v <= t["max"]))
    return out


def tick(c, unit, plan, hb):
    images = {"input": [0] * 512, "holding": [0] * 512}
    for kind, start, count in plan["reads"]:
        if kind == "input":
            rr = c.read_input_registers(start, count, slave=unit)
        else:
            rr = c.read_holding_registers(start, count, slave=unit)
        if rr.isError():
            raise RuntimeError(f"unit {unit}: read: {rr}")
        images[kind][start:start + count] = rr.registers
    decode(plan["tags"], images)
    words = [0, 1000, hb & 0xFFFF]          # steam 0 %, cooling 100 %, heartbeat
    for start, count in plan["writes"]:
        rr = c.write_registers(start, words[start:start + count], slave=unit)
        if rr.isError():
            raise RuntimeError(f"unit {unit}: write: {rr}")


def main():
    if len(sys.argv) != 5:
        sys.stderr.write(__doc__)
        return 2
    port, n, cycles = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3])
    plan = json.loads(sys.argv[4])
    clients = []
    for unit in range(1, n + 1):
        c = ModbusTcpClient(HOST, port=port, timeout=1, retries=0)
        # a loaded machine may drop a connect now and then (the simulator
        # takes one connection at a time); connecting is not timed
        for _ in range(CONNECT_TRIES):
            if c.connect():
                break
            time.sleep(0.2)
        else:
            sys.stderr.write(f"pymodbus_poll: cannot connect to {HOST}:{port}\n")
            return 1
        clients.append((unit, c))
    hb = 1
    try:
        for _ in range(cycles // 10 + 1):
            for unit, c in clients:
                tick(c, unit, plan, hb)
            hb += 1
        t0 = time.monotonic()
        for _ in range(cycles):
            for unit, c in clients:
                tick(c, unit, plan, hb)
            hb += 1
        dt = time.monotonic() - t0
    except Exception as e:  # a Modbus failure ends the measure
        sys.stderr.write(f"pymodbus_poll: {e}\n")
        return 1
    finally:
        for _, c in clients:
            c.close()
    print(json.dumps({"stills": n, "cycles": cycles, "seconds": dt,
                      "us_per_cycle": dt / cycles * 1e6}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
