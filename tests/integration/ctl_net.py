#!/usr/bin/python3
"""Network fault helpers for the controller's integration scripts.

usage: ctl_net.py trickle LISTEN_PORT TARGET_PORT FLAG_FILE DELAY_MS
       ctl_net.py hostile PORT CYCLES
       ctl_net.py notify SOCKET_PATH OUT_FILE

trickle  a TCP proxy on 127.0.0.1:LISTEN_PORT to 127.0.0.1:TARGET_PORT.
         Requests pass at once; while FLAG_FILE exists every reply goes
         back one byte every DELAY_MS (TCP_NODELAY: one byte a segment).
hostile  a Modbus TCP "device" that answers every third request with the
         next malformed reply of HOSTILE (CYCLES rounds through the list)
         and the others sanely (so the client's link comes back between
         them), then sanely for ever. It prints "mode NAME" before each
         malformed reply and "sane" once it is done. Malformed replies
         that carry registers carry POISON, which a controller must never
         take: its status bits say relief lifted and watchdog tripped.
notify   a datagram socket at SOCKET_PATH (as systemd's NOTIFY_SOCKET);
         appends every message it receives to OUT_FILE, one a line.

Everything binds to 127.0.0.1 (or a path). Stops on SIGTERM.
"""
import os
import random
import signal
import socket
import struct
import sys
import threading
import time

HOST = "127.0.0.1"
POISON = 1235          # 123.5 C, 123.5 kPa, status bits relief + watchdog
SANE = [250, 250, 0, 250, 2000, 0, 0, 0, 500, 0, 1000, 8]  # default map, idle still


def serve(port, handler):
    """Accepts on 127.0.0.1:port, one thread per connection."""
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((HOST, port))
    ls.listen(64)
    while True:
        conn, _ = ls.accept()
        conn.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        threading.Thread(target=handler, args=(conn,), daemon=True).start()


# ---- trickle -----------------------------------------------------------


def trickle(listen_port, target_port, flag, delay_ms):
    def pump_up(src, dst):
        try:
            while True:
                data = src.recv(4096)
                if not data:
                    break
                dst.sendall(data)
        except OSError:
            pass
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def pump_down(src, dst):
        try:
            while True:
                data = src.recv(4096)
                if not data:
                    break
                if not os.path.exists(flag):
                    dst.sendall(data)
                    continue
                for i in range(len(data)):
                    dst.sendall(data[i:i + 1])
                    time.sleep(delay_ms / 1000.0)
        except OSError:
            pass

    def handle(client):
        try:
            upstream = socket.create_connection((HOST, target_port), timeout=5)
        except OSError:
            client.close()
            return
        upstream.settimeout(None)
        upstream.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        threading.Thread(target=pump_up, args=(client, upstream), daemon=True).start()
        pump_down(upstream, client)
        client.close()
        upstream.close()

    serve(listen_port, handle)


# ---- hostile -----------------------------------------------------------


def mbap(tid, unit, pdu, proto=0, length=None):
    if length is None:
        length = len(pdu) + 1
    return struct.pack(">HHHB", tid, proto, length, unit) + pdu


def read_pdu(fc, count, value):
    regs = value if isinstance(value, list) else [value] * count
    regs = (regs + [0] * count)[:count]
    return struct.pack(">BB", fc, 2 * count) + struct.pack(">%dH" % count, *regs)


def good_reply(req, value):
    """A correct reply to req (tid, unit, fc, addr, count) with value."""
    tid, unit, fc, addr, count = req
    if fc in (3, 4):
        return mbap(tid, unit, read_pdu(fc, count, value))
    if fc == 16:
        return mbap(tid, unit, struct.pack(">BHH", fc, addr, count))
    if fc == 6:
        return mbap(tid, unit, struct.pack(">BHH", fc, addr, count))
    return mbap(tid, unit, struct.pack(">BB", fc | 0x80, 1))


def poisoned(req):
    return good_reply(req, POISON)


def m_tid(req, conn):
    tid, unit, fc, addr, count = req
    conn.sendall(poisoned(((tid + 1) & 0xFFFF, unit, fc, addr, count)))


def m_proto(req, conn):
    tid, unit, fc, addr, count = req
    pdu = poisoned(req)[7:]
    conn.sendall(mbap(tid, unit, pdu, proto=0x1234))


def m_unit(req, conn):
    # libmodbus 3.1.6 does not check a TCP reply's unit id (upstream
    # stephane/libmodbus PR 871): a wrong unit with the right transaction
    # id is taken, so this one carries sane values and only checks that
    # nothing breaks.
    tid, unit, fc, addr, count = req
    conn.sendall(sane_reply((tid, (unit + 1) & 0xFF, fc, addr, count)))


def m_fc(req, conn):
    tid, unit, fc, addr, count = req
    other = {4: 3, 3: 4, 16: 6, 6: 16}.get(fc, 4)
    conn.sendall(poisoned((tid, unit, other, addr, count)))


def m_count_short(req, conn):
    tid, unit, fc, addr, count = req
    pdu = read_pdu(4 if fc != 3 else 3, max(count, 2), POISON)
    conn.sendall(mbap(tid, unit, pdu[:len(pdu) // 2]))


def m_count_big(req, conn):
    tid, unit, fc, addr, count = req
    conn.sendall(mbap(tid, unit, read_pdu(fc if fc in (3, 4) else 4, 125, POISON)))


def m_oversize(req, conn):
    tid, unit, fc, addr, count = req
    body = struct.pack(">BB", fc, 0xFF) + bytes([0x77]) * 300
    conn.sendall(mbap(tid, unit, body, length=0xFFFF))


def m_len_zero(req, conn):
    tid, unit, fc, addr, count = req
    conn.sendall(struct.pack(">HHH", tid, 0, 0))


def m_len_one(req, conn):
    tid, unit, fc, addr, count = req
    conn.sendall(struct.pack(">HHHB", tid, 0, 1, unit))


def m_trunc_close(req, conn):
    conn.sendall(poisoned(req)[:5])
    raise ConnectionAbortedError


def m_trunc_stall(req, conn):
    conn.sendall(poisoned(req)[:9])
    time.sleep(1.0)
    raise ConnectionAbortedError


def m_header_stall(req, conn):
    conn.sendall(poisoned(req)[:1])
    time.sleep(1.0)
    raise ConnectionAbortedError


def m_garbage(req, conn):
    conn.sendall(bytes(random.Random(7).randrange(256) for _ in range(40)))


def m_exc_unknown(req, conn):
    tid, unit, fc, addr, count = req
    conn.sendall(mbap(tid, unit, struct.pack(">BB", fc | 0x80, 0x7F)))


def m_exc_zero(req, conn):
    tid, unit, fc, addr, count = req
    conn.sendall(mbap(tid, unit, struct.pack(">BB", fc | 0x80, 0)))


def m_exc_wrong_fc(req, conn):
    tid, unit, fc, addr, count = req
    conn.sendall(mbap(tid, unit, struct.pack(">BB", 0x81 if fc != 1 else 0x82, 2)))


def m_exc_long(req, conn):
    tid, unit, fc, addr, count = req
    conn.sendall(mbap(tid, unit, struct.pack(">BB", fc | 0x80, 4) + bytes(200)))


# trailing and double: the first reply is well formed (so it carries sane
# values); what follows it must not be taken for the next request's answer


def sane_reply(req):
    return good_reply(req, SANE[req[3]:] if req[2] == 4 else 0)


def m_trailing(req, conn):
    conn.sendall(sane_reply(req) + bytes([0, 1, 0, 0, 0, 9, 1]))


def m_double(req, conn):
    conn.sendall(sane_reply(req) * 2)


def m_odd_count(req, conn):
    tid, unit, fc, addr, count = req
    pdu = read_pdu(fc if fc in (3, 4) else 4, count, POISON)
    conn.sendall(mbap(tid, unit, struct.pack(">BB", pdu[0], pdu[1] - 1) + pdu[2:-1]))


def m_zero_regs(req, conn):
    tid, unit, fc, addr, count = req
    conn.sendall(mbap(tid, unit, struct.pack(">BB", fc if fc in (3, 4) else 4, 0)))


def m_echo_wrong(req, conn):
    tid, unit, fc, addr, count = req
    if fc == 16:
        conn.sendall(mbap(tid, unit, struct.pack(">BHH", fc, addr + 1, count + 7)))
    else:
        conn.sendall(poisoned((tid, unit, fc, addr, count))[:-1])


def m_close(req, conn):
    raise ConnectionAbortedError


def m_reset(req, conn):
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    raise ConnectionAbortedError


HOSTILE = [
    ("tid", m_tid), ("proto", m_proto), ("unit", m_unit), ("fc", m_fc),
    ("count_short", m_count_short), ("count_big", m_count_big),
    ("oversize", m_oversize), ("len_zero", m_len_zero), ("len_one", m_len_one),
    ("trunc_close", m_trunc_close), ("trunc_stall", m_trunc_stall),
    ("header_stall", m_header_stall), ("garbage", m_garbage),
    ("exc_unknown", m_exc_unknown), ("exc_zero", m_exc_zero),
    ("exc_wrong_fc", m_exc_wrong_fc), ("exc_long", m_exc_long),
    ("trailing", m_trailing), ("double", m_double), ("odd_count", m_odd_count),
    ("zero_regs", m_zero_regs), ("echo_wrong", m_echo_wrong),
    ("close", m_close), ("reset", m_reset),
]


def recv_exact(conn, n):
    buf = b""
    while len(buf) < n:
        chunk = conn.recv(n - len(buf))
        if not chunk:
            raise ConnectionAbortedError
        buf += chunk
    return buf


def hostile(port, cycles):
    lock = threading.Lock()
    state = {"n": 0}
    total = cycles * len(HOSTILE)

    def next_mode():
        with lock:
            n = state["n"]
            state["n"] += 1
        if n % 3 != 0 or n // 3 > total:
            return None
        if n // 3 == total:
            print("sane", flush=True)
            return None
        return HOSTILE[n // 3 % len(HOSTILE)]

    def handle(conn):
        try:
            while True:
                tid, proto, length, unit = struct.unpack(">HHHB", recv_exact(conn, 7))
                pdu = recv_exact(conn, length - 1)
                fc = pdu[0]
                addr, count = struct.unpack(">HH", pdu[1:5]) if len(pdu) >= 5 else (0, 0)
                if fc == 6:
                    count = 1
                req = (tid, unit, fc, addr, count)
                mode = next_mode()
                if mode is None:
                    conn.sendall(sane_reply(req))
                    continue
                print("mode %s fc %d" % (mode[0], fc), flush=True)
                mode[1](req, conn)
        except (ConnectionAbortedError, OSError, struct.error):
            pass
        conn.close()

    serve(port, handle)


# ---- notify ------------------------------------------------------------


def notify(path, out):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    s.bind(path)
    with open(out, "a") as f:
        while True:
            msg = s.recv(4096).decode("utf-8", "replace")
            for line in msg.split("\n"):
                if line:
                    f.write(line + "\n")
            f.flush()


def main(argv):
    signal.signal(signal.SIGTERM, lambda *a: os._exit(0))
    if len(argv) == 6 and argv[1] == "trickle":
        trickle(int(argv[2]), int(argv[3]), argv[4], float(argv[5]))
    elif len(argv) == 4 and argv[1] == "hostile":
        hostile(int(argv[2]), int(argv[3]))
    elif len(argv) == 4 and argv[1] == "notify":
        notify(argv[2], argv[3])
    else:
        sys.stderr.write(__doc__)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
