#!/usr/bin/env python3
"""sync_flap: a TCP proxy on 127.0.0.1 that the fault campaign controls
(tests/integration/sync_campaign.sh): a link that flaps.

  sync_flap.py LISTEN_PORT TARGET_PORT UP_S DOWN_S

Forwards 127.0.0.1:LISTEN_PORT to 127.0.0.1:TARGET_PORT for UP_S seconds,
then drops the link for DOWN_S seconds: every open connection is cut (both
ends closed, mid-transaction or not) and new ones are refused (the
listening socket is closed), then up again, and so on until SIGTERM. Each
change is printed on stdout ("up N", "down N") so the test can count the
flaps. Binds only to 127.0.0.1.
"""
import selectors
import signal
import socket
import sys
import time


def listener(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind(("127.0.0.1", port))
    s.listen(64)
    s.setblocking(False)
    return s


def cut(sel, peers):
    for a in list(peers):
        try:
            sel.unregister(a)
        except (KeyError, ValueError):
            pass
        a.close()
    peers.clear()


def accept(sel, lst, peers, target):
    c, _ = lst.accept()
    try:
        t = socket.create_connection(("127.0.0.1", target), timeout=2)
    except OSError:
        c.close()
        return
    for a, b in ((c, t), (t, c)):
        a.setblocking(True)
        peers[a] = b
        sel.register(a, selectors.EVENT_READ, "peer")


def pump(sel, a, peers):
    b = peers.get(a)
    try:
        data = a.recv(65536)
        if data and b is not None:
            b.sendall(data)
            return
    except OSError:
        pass
    for s in (a, b):
        if s is not None and s in peers:
            sel.unregister(s)
            s.close()
            del peers[s]


def main():
    if len(sys.argv) != 5:
        sys.stderr.write(__doc__)
        return 2
    port, target = int(sys.argv[1]), int(sys.argv[2])
    up_s, down_s = float(sys.argv[3]), float(sys.argv[4])
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    sel = selectors.DefaultSelector()
    peers = {}
    n = 0
    while True:
        n += 1
        print(f"up {n}", flush=True)
        lst = listener(port)
        sel.register(lst, selectors.EVENT_READ, "listen")
        until = time.monotonic() + up_s
        while (left := until - time.monotonic()) > 0:
            for key, _ in sel.select(timeout=left):
                if key.data == "listen":
                    accept(sel, lst, peers, target)
                else:
                    pump(sel, key.fileobj, peers)
        sel.unregister(lst)
        lst.close()
        cut(sel, peers)
        print(f"down {n}", flush=True)
        time.sleep(down_s)


if __name__ == "__main__":
    sys.exit(main())
