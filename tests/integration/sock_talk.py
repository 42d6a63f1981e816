"""One request to stillroomd's socket (docs/PROTOCOL.md), for tests.

As a module: talk(path, line) -> the reply's bytes, data lines and the
final ok/err line. As a program: sock_talk.py SOCKET LINE prints the reply.
"""
import socket
import sys


def talk(path, line):
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(5)
    s.connect(path)
    s.sendall((line + "\n").encode())
    buf = b""
    while True:
        data = s.recv(65536)
        if not data:
            break
        buf += data
        last = buf.rstrip(b"\n").split(b"\n")[-1]
        if buf.endswith(b"\n") and (last.startswith(b"ok") or last.startswith(b"err")):
            break
    s.close()
    return buf


if __name__ == "__main__":
    sys.stdout.write(talk(sys.argv[1], sys.argv[2]).decode())
