"""One request to stillroomd's socket (docs/PROTOCOL.md), for tests.

As a module: talk(path, line) or talk_bytes(path, data, timeout_s) -> the
reply's bytes, data lines and the final ok/err line. As a program:
sock_talk.py SOCKET LINE prints the reply.
"""
import socket
import sys


def talk_bytes(path, data, timeout_s=5):
    """Sends data (bytes, its own newline) and reads up to the final line."""
    s = socket.socket(socket.AF_UNIX)
    s.settimeout(timeout_s)
    s.connect(path)
    s.sendall(data)
    buf = b""
    while True:
        got = s.recv(65536)
        if not got:
            break
        buf += got
        last = buf.rstrip(b"\n").split(b"\n")[-1]
        if buf.endswith(b"\n") and (last.startswith(b"ok") or last.startswith(b"err")):
            break
    s.close()
    return buf


def talk(path, line):
    return talk_bytes(path, (line + "\n").encode())


if __name__ == "__main__":
    sys.stdout.write(talk(sys.argv[1], sys.argv[2]).decode())
