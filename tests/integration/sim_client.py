#!/usr/bin/python3
"""Checks of stillroom-sim through pymodbus (Debian's python3-pymodbus 3.0).

usage: sim_client.py PORT CHECK [ARG...]

Each CHECK talks to the simulator on 127.0.0.1:PORT, exits 0 when the
simulator behaved as docs/registers.md says and 1 (with the reason on
stderr) when not. tests/integration/sim_pymodbus.sh runs them.

pymodbus 3.0 notes: the unit id keyword is slave= for the read/write
methods but unit= for mask_write_register and readwrite_registers (they
pass keywords straight to the request); timeouts must be whole seconds (the
client casts them to int: 0.5 would mean non-blocking).
"""
import os
import signal
import socket
import struct
import sys
import threading
import time

from pymodbus.client import ModbusTcpClient
from pymodbus.exceptions import ConnectionException, ModbusIOException

HOST = "127.0.0.1"
CONTROL = 247                 # cfg sim_control_unit
BLOCK = 100                   # control registers per still; still1 at 100

# input registers of a still (docs/registers.md)
STILL_TEMP, VAPOUR_TEMP, PRESSURE, DISTILLATE_TEMP = 0, 1, 2, 3
COOLING_FLOW, STEAM_FLOW, OIL_HI, OIL_LO, CHARGE = 4, 5, 6, 7, 8
STEAM_POS, COOLING_POS, STATUS = 9, 10, 11
# holding registers of a still
STEAM_CMD, COOLING_CMD, HEARTBEAT = 0, 1, 2
# status bits
RELIEF, WATCHDOG, SENSOR_FAULT, CHARGE_LOADED = 1, 2, 4, 8
# control-unit offsets in a still's block
CTL_COOLING_LOST, CTL_DELAY, CTL_EXCEPTION, CTL_DROP = 3, 4, 5, 6
CTL_SILENT, CTL_WATCHDOG_OFF, CTL_CLEAR = 7, 8, 9
CTL_LOAD_FEED, CTL_LOAD_KG, CTL_LOAD_MOISTURE = 10, 11, 12
CTL_FEED, CTL_CHARGES, CTL_LOAD_ERROR, CTL_CHARGE_KG = 80, 81, 82, 83


class Fail(Exception):
    """A check that did not hold."""


def client(port, timeout=1):
    c = ModbusTcpClient(HOST, port=port, timeout=timeout, retries=0)
    if not c.connect():
        raise Fail(f"cannot connect to {HOST}:{port}")
    return c


def inputs(c, unit, count=12):
    rr = c.read_input_registers(0, count, slave=unit)
    if rr.isError():
        raise Fail(f"unit {unit}: read input registers: {rr}")
    return rr.registers


def signed(v):
    return v - 0x10000 if v >= 0x8000 else v


def temp_c(regs, addr):
    return signed(regs[addr]) / 10.0


def oil_g(regs):
    return regs[OIL_HI] << 16 | regs[OIL_LO]


def ctl_write(c, still, offset, value):
    rr = c.write_register(BLOCK * still + offset, value, slave=CONTROL)
    if rr.isError():
        raise Fail(f"control unit: write {BLOCK * still + offset}: {rr}")


def ctl_read(c, still, offset):
    rr = c.read_holding_registers(BLOCK * still + offset, 1, slave=CONTROL)
    if rr.isError():
        raise Fail(f"control unit: read {BLOCK * still + offset}: {rr}")
    return rr.registers[0]


def write_outputs(c, unit, values):
    rr = c.write_registers(0, values, slave=unit)
    if rr.isError():
        raise Fail(f"unit {unit}: write holding registers: {rr}")


def wait_until(what, seconds, probe):
    """Polls probe() (returns (ok, detail)) until ok or seconds pass."""
    deadline = time.monotonic() + seconds
    detail = None
    while True:
        ok, detail = probe()
        if ok:
            return detail
        if time.monotonic() > deadline:
            raise Fail(f"{what}: not within {seconds} s (last: {detail})")
        time.sleep(0.05)


def check_basics(port, still2_kg="500"):
    """Charges on the load cells, status bit 3, unit routing, exceptions."""
    c = client(port)
    r1, r2 = inputs(c, 1), inputs(c, 2)
    if r1[CHARGE] != 500 or r2[CHARGE] != int(still2_kg):
        raise Fail(f"charges {r1[CHARGE]} and {r2[CHARGE]} kg")
    if not r1[STATUS] & CHARGE_LOADED or not r2[STATUS] & CHARGE_LOADED:
        raise Fail(f"status {r1[STATUS]:#x} {r2[STATUS]:#x}: charge bit unset")
    if not 10 <= temp_c(r1, STILL_TEMP) <= 40:
        raise Fail(f"still1 at {temp_c(r1, STILL_TEMP)} C before any steam")
    rr = c.read_input_registers(0, 12, slave=99)
    if not rr.isError() or getattr(rr, "exception_code", None) != 11:
        raise Fail(f"unit 99: expected exception 11 (gateway target), got {rr}")
    rr = c.read_input_registers(0, 13, slave=1)
    if not rr.isError() or getattr(rr, "exception_code", None) != 2:
        raise Fail(f"reading past the image: expected exception 2, got {rr}")
    stills = c.read_holding_registers(3, 1, slave=CONTROL).registers[0]
    if stills != 2:
        raise Fail(f"control unit says {stills} stills")
    c.close()


def check_write_kinds(port):
    """Function codes 6, 16, 22 and 23 on still2's holding registers, each
    in force when its reply arrives (seen on a second connection)."""
    c, other = client(port), client(port)

    def holding():
        rr = other.read_holding_registers(0, 3, slave=2)
        if rr.isError():
            raise Fail(f"read holding: {rr}")
        return rr.registers
    c.write_register(COOLING_CMD, 123, slave=2)
    if holding()[COOLING_CMD] != 123:
        raise Fail(f"after write single: {holding()}")
    write_outputs(c, 2, [0, 456, 7])
    if holding() != [0, 456, 7]:
        raise Fail(f"after write multiple: {holding()}")
    rr = c.mask_write_register(HEARTBEAT, 0x00F0, 0x0F00, unit=2)
    if rr.isError() or holding()[HEARTBEAT] != 0x0F00:
        raise Fail(f"after mask write: {rr} {holding()}")
    rr = c.readwrite_registers(read_address=0, read_count=3, write_address=1,
                               write_registers=[789, 9], unit=2)
    if rr.isError() or rr.registers != [0, 789, 9] or holding() != [0, 789, 9]:
        raise Fail(f"after write-and-read: {rr} {holding()}")
    rr = c.write_registers(2, [1, 2], slave=2)
    if not rr.isError() or holding() != [0, 789, 9]:
        raise Fail(f"a write past the image was taken: {rr} {holding()}")
    c.close()
    other.close()


def check_heat(port):
    """Steam and cooling open (watchdog off): still temperature climbs."""
    c = client(port)
    ctl_write(c, 1, CTL_WATCHDOG_OFF, 1)
    t0 = temp_c(inputs(c, 1), STILL_TEMP)
    write_outputs(c, 1, [1000, 1000])

    def probe():
        r = inputs(c, 1)
        t = temp_c(r, STILL_TEMP)
        return t >= t0 + 20 and r[STEAM_POS] > 900, (t, r[STEAM_POS], r[STEAM_FLOW])
    t, pos, flow = wait_until("still1 heats 20 C", 20, probe)
    print(f"still1 {t0} C -> {t} C, steam valve {pos / 10} %, {flow / 10} kg/h")
    c.close()


def check_oil(port):
    """Oil reaches the receiver; the 32-bit counter only grows."""
    c = client(port)
    first = wait_until("oil in the receiver", 30,
                       lambda: (oil_g(inputs(c, 1)) > 0, oil_g(inputs(c, 1))))
    time.sleep(1)
    later = oil_g(inputs(c, 1))
    if later < first:
        raise Fail(f"oil went from {first} g down to {later} g")
    print(f"oil {first} g, then {later} g")
    c.close()


def check_cooling_lost(port):
    """Inject cooling loss: flow reads 0 and the distillate heats; clear."""
    c = client(port)
    ctl_write(c, 1, CTL_COOLING_LOST, 1)
    wait_until("cooling flow reads 0", 5,
               lambda: (inputs(c, 1)[COOLING_FLOW] == 0, inputs(c, 1)[COOLING_FLOW]))
    t = wait_until("distillate above 45 C", 30,
                   lambda: (temp_c(inputs(c, 1), DISTILLATE_TEMP) > 45,
                            temp_c(inputs(c, 1), DISTILLATE_TEMP)))
    print(f"distillate at {t} C with no cooling water")
    ctl_write(c, 1, CTL_CLEAR, 1)
    if ctl_read(c, 1, CTL_COOLING_LOST) != 0:
        raise Fail("clear left cooling_lost set")
    wait_until("cooling flow back", 10,
               lambda: (inputs(c, 1)[COOLING_FLOW] > 100, inputs(c, 1)[COOLING_FLOW]))
    ctl_write(c, 1, CTL_WATCHDOG_OFF, 1)  # clear also cleared this
    c.close()


def feed_heartbeat(c, unit, beat, seconds):
    """Changes the heartbeat every 5 ms for seconds; returns the last."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        beat = (beat + 1) & 0xffff
        c.write_register(HEARTBEAT, beat, slave=unit)
        time.sleep(0.005)
    return beat


def check_heartbeat(port):
    """Fed heartbeat keeps the steam open; a stopped one trips the field
    watchdog: status bit 1 and the steam valve closes; fed again, it
    clears. It must change within max(watchdog_ms / speed, 500 ms) of
    wall time (docs/MODEL.md, "Time and speed"): 500 ms at 20x."""
    c = client(port)
    write_outputs(c, 2, [1000, 1000, 0])
    beat = feed_heartbeat(c, 2, 0, 4)
    r = inputs(c, 2)
    if r[STATUS] & WATCHDOG or r[STEAM_POS] < 300:
        raise Fail(f"fed heartbeat: status {r[STATUS]:#x}, steam valve "
                   f"{r[STEAM_POS] / 10} %")
    print(f"fed: steam valve {r[STEAM_POS] / 10} %")
    wait_until("status bit 1 after the heartbeat stops", 3,
               lambda: (inputs(c, 2)[STATUS] & WATCHDOG, inputs(c, 2)[STATUS]))
    wait_until("steam valve shut by the watchdog", 10,
               lambda: (inputs(c, 2)[STEAM_POS] == 0 and inputs(c, 2)[STEAM_FLOW] == 0,
                        inputs(c, 2)[STEAM_POS]))
    beat = feed_heartbeat(c, 2, beat, 1)
    r = inputs(c, 2)
    if r[STATUS] & WATCHDOG or r[STEAM_POS] == 0:
        raise Fail(f"fed again: status {r[STATUS]:#x}, steam valve {r[STEAM_POS] / 10} %")
    c.close()


def expect_error(what, call, kind):
    try:
        rr = call()
    except (ConnectionException, ModbusIOException) as e:
        if kind == "io":
            return
        raise Fail(f"{what}: {e}")
    if kind == "io" and isinstance(rr, ModbusIOException):
        return
    if kind != "io" and rr.isError() and getattr(rr, "exception_code", None) == kind:
        return
    raise Fail(f"{what}: expected {kind}, got {rr}")


def check_comm_faults(port, still="2"):
    """Exception replies, late replies, silence, dropped connections."""
    s = int(still)
    c, ctl = client(port), client(port)
    ctl_write(ctl, s, CTL_EXCEPTION, 6)
    expect_error("exception fault", lambda: c.read_input_registers(0, 12, slave=s), 6)
    ctl_write(ctl, s, CTL_EXCEPTION, 0)
    inputs(c, s)

    ctl_write(ctl, s, CTL_DELAY, 1500)
    expect_error("reply past a 1 s timeout", lambda: c.read_input_registers(0, 12, slave=s),
                 "io")
    c.close()
    slow = client(port, timeout=3)
    t = time.monotonic()
    inputs(slow, s)
    late = time.monotonic() - t
    if late < 1.4:
        raise Fail(f"delayed reply came after {late:.2f} s, not 1.5")
    slow.close()
    ctl_write(ctl, s, CTL_DELAY, 0)

    c = client(port)
    ctl_write(ctl, s, CTL_SILENT, 1)
    expect_error("silent unit", lambda: c.read_input_registers(0, 12, slave=s), "io")
    other = 1 if s == 2 else 2
    inputs(c, other)  # the other still still answers on the same connection
    ctl_write(ctl, s, CTL_SILENT, 0)
    inputs(c, s)

    ctl_write(ctl, s, CTL_DROP, 1)
    expect_error("dropped connection", lambda: c.read_input_registers(0, 12, slave=s), "io")
    c.close()
    ctl_write(ctl, s, CTL_DROP, 0)
    c = client(port)
    inputs(c, s)
    c.close()
    ctl.close()


def check_load_charge(port):
    """The control unit's load command: 600 kg of feed 2 in still 2."""
    c = client(port)
    before = ctl_read(c, 2, CTL_CHARGES)
    ctl_write(c, 2, CTL_LOAD_KG, 600)
    ctl_write(c, 2, CTL_LOAD_MOISTURE, 0)
    ctl_write(c, 2, CTL_LOAD_FEED, 2)
    wait_until("charge of 600 kg", 3, lambda: (inputs(c, 2)[CHARGE] == 600, inputs(c, 2)[CHARGE]))
    got = (ctl_read(c, 2, CTL_CHARGES), ctl_read(c, 2, CTL_FEED),
           ctl_read(c, 2, CTL_LOAD_ERROR), ctl_read(c, 2, CTL_LOAD_FEED))
    if got != (before + 1, 2, 0, 0):
        raise Fail(f"after the load: charges, feed, error, command = {got}")
    ctl_write(c, 2, CTL_LOAD_FEED, 40)
    if ctl_read(c, 2, CTL_LOAD_ERROR) != 1 or ctl_read(c, 2, CTL_CHARGES) != before + 1:
        raise Fail("a bad feed number was not refused")
    c.close()


def check_many_clients(port, n="8", seconds="3"):
    """n clients at once, reading and writing, none failing."""
    n, seconds = int(n), float(seconds)
    errors, counts = [], [0] * n
    stop = time.monotonic() + seconds

    def worker(i):
        try:
            c = client(port)
            while time.monotonic() < stop:
                inputs(c, 1 + i % 2)
                if i == 0:
                    write_outputs(c, 2, [0, 500 + counts[i] % 100])
                else:
                    c.read_holding_registers(0, 5, slave=CONTROL)
                counts[i] += 1
            c.close()
        except Exception as e:  # noqa: BLE001 - any failure counts
            errors.append(f"client {i}: {e}")

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise Fail("; ".join(errors))
    if min(counts) < 10:
        raise Fail(f"requests per client: {counts}")
    print(f"{n} clients, {sum(counts)} requests")


def mbap_read(tid, unit, addr=0, count=12):
    return struct.pack(">HHHBBHH", tid, 0, 6, unit, 4, addr, count)


def check_vanish(port):
    """Clients that connect and vanish, mid-frame or mid-reply, do not
    upset the server."""
    for i in range(20):
        s = socket.create_connection((HOST, int(port)), timeout=2)
        kind = i % 5
        if kind == 1:
            s.sendall(mbap_read(i, 1)[:5])          # half a header
        elif kind == 2:
            s.sendall(mbap_read(i, 1))              # a request, reply unread
        elif kind == 3:
            s.sendall(b"\xff" * 300)                # garbage
        elif kind == 4:                             # reset, not close
            s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            s.sendall(mbap_read(i, 2)[:9])
        s.close()
    c = client(port)
    inputs(c, 1)
    inputs(c, 2)
    c.close()


def check_burst(port, n="48", pid=""):
    """A burst of connections while the server cannot accept (stopped with
    SIGSTOP, as a busy host may hold it): the kernel queues them all (the
    listen backlog), none times out, and each is served once it runs."""
    n, pid = int(n), int(pid)
    socks, failed = [], 0
    os.kill(pid, signal.SIGSTOP)
    try:
        for _ in range(n):
            try:
                socks.append(socket.create_connection((HOST, int(port)), timeout=0.5))
            except OSError:
                failed += 1
    finally:
        os.kill(pid, signal.SIGCONT)
    served = 0
    for i, s in enumerate(socks):
        try:
            s.settimeout(5)
            s.sendall(mbap_read(i, 1))
            if len(s.recv(64)) > 0:
                served += 1
        except OSError:
            pass
        s.close()
    if failed or served != n:
        raise Fail(f"{failed} of {n} connections timed out while the server was stopped, "
                   f"{served} served after")


def check_slow_client(port, speed="1000"):
    """A client that sends requests and never reads the replies: the model
    keeps time and other clients are served promptly."""
    hog = socket.create_connection((HOST, int(port)), timeout=2)
    hog.setblocking(False)
    sent = 0
    try:
        for i in range(20000):
            hog.send(mbap_read(i & 0xffff, 1))
            sent += 1
    except BlockingIOError:
        pass
    c = client(port)
    t0 = time.monotonic()
    hi, lo = c.read_holding_registers(0, 2, slave=CONTROL).registers
    sim0 = hi << 16 | lo
    worst = 0.0
    while time.monotonic() - t0 < 1.5:
        t = time.monotonic()
        inputs(c, 1)
        worst = max(worst, time.monotonic() - t)
        time.sleep(0.01)
    hi, lo = c.read_holding_registers(0, 2, slave=CONTROL).registers
    sim1 = hi << 16 | lo
    wall = time.monotonic() - t0
    hog.close()
    c.close()
    rate = (sim1 - sim0) / wall
    print(f"hog sent {sent} requests; model ran {rate:.0f} s per s; "
          f"slowest reply {worst * 1000:.1f} ms")
    if rate < 0.5 * float(speed):
        raise Fail(f"the model ran {rate:.0f} s per wall s, below half of {speed}")
    if worst > 0.5:
        raise Fail(f"a reply took {worst:.2f} s while the hog sat there")


def check_cap(port, cap="32"):
    """More connections than the cap: the extra ones are closed at once, the
    rest served; once they go, new clients are served again."""
    cap = int(cap)
    socks = [socket.create_connection((HOST, int(port)), timeout=2) for _ in range(cap + 4)]
    served = 0
    for i, s in enumerate(socks):
        try:
            s.sendall(mbap_read(i, 1))
            if len(s.recv(64)) > 0:
                served += 1
        except OSError:
            pass
    for s in socks:
        s.close()
    if served != cap:
        raise Fail(f"{served} of {cap + 4} connections served, expected {cap}")

    def fresh():
        try:
            c = client(port)
            inputs(c, 1)
            c.close()
            return True, None
        except Fail as e:
            return False, str(e)
    wait_until("a new client once the others left", 5, fresh)


CHECKS = {
    "basics": check_basics,
    "write-kinds": check_write_kinds,
    "heat": check_heat,
    "oil": check_oil,
    "cooling-lost": check_cooling_lost,
    "heartbeat": check_heartbeat,
    "comm-faults": check_comm_faults,
    "load-charge": check_load_charge,
    "many-clients": check_many_clients,
    "vanish": check_vanish,
    "burst": check_burst,
    "slow-client": check_slow_client,
    "cap": check_cap,
}


def main(argv):
    if len(argv) < 3 or argv[2] not in CHECKS:
        print(__doc__.strip() + "\nchecks: " + " ".join(CHECKS), file=sys.stderr)
        return 2
    try:
        CHECKS[argv[2]](int(argv[1]), *argv[3:])
    except (Fail, ConnectionException, OSError) as e:
        print(f"{argv[2]}: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
