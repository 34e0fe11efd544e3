# SPDX-License-Identifier: ISC
"""Helpers every regression script shares: ports on loopback, exact
reads from a TCP stream, waiting for a condition."""
import random
import socket
import time


def free_port():
    """A port free for both UDP and TCP on 127.0.0.1."""
    for _ in range(100):
        port = random.randrange(20000, 60000)
        ok = True
        for kind in (socket.SOCK_DGRAM, socket.SOCK_STREAM):
            s = socket.socket(socket.AF_INET, kind)
            try:
                s.bind(('127.0.0.1', port))
            except OSError:
                ok = False
            s.close()
        if ok:
            return port
    raise RuntimeError('no free port')


def recv_exact(s, n):
    """n octets from s, or None if the peer closed first."""
    b = b''
    while len(b) < n:
        c = s.recv(n - len(b))
        if not c:
            return None
        b += c
    return b


def wait_for(fn, timeout=15.0, step=0.1):
    """fn()'s first true value within timeout seconds (exceptions count as
    false), else its last value."""
    end = time.time() + timeout
    while True:
        try:
            v = fn()
        except Exception:  # noqa: BLE001 - a server not up yet
            v = None
        if v or time.time() > end:
            return v
        time.sleep(step)
