#!/usr/bin/env python3
# SPDX-License-Identifier: ISC
"""Helpers of regress/bench/update.sh (python3, stdlib only).

  updtool.py update PORT ZONE KEY:SECRET NAME [add|del]
        one TSIG-signed (hmac-sha256) UPDATE over TCP to 127.0.0.1:PORT
        adding (or deleting) NAME TXT; prints the RCODE's name
  updtool.py lag PPORT SPORT ZONE KEY:SECRET N GAP TAG
        N times: an update adding <i>.TAG.ZONE TXT to the primary on PPORT;
        from its NOERROR answer, the secondary on SPORT is asked for that
        TXT over UDP every millisecond until it answers it; GAP seconds
        between updates. Prints each delay (ms), then "median MS", "max MS",
        "missing K" (updates the secondary had not shown after 30 s)
  updtool.py serial PORT ZONE            the SOA serial (UDP), or "none"
  updtool.py wait-serial PORT ZONE SERIAL TIMEOUT
        waits until the SOA serial at PORT is SERIAL or later (RFC 1982);
        prints the seconds waited or "timeout"
  updtool.py fsync DIR N
        the median and p90 of N 4-KiB write + fdatasync in a file in DIR, ms
"""
import base64
import hashlib
import hmac
import os
import socket
import statistics
import struct
import sys
import time

HOST = "127.0.0.1"
RCODES = ["NOERROR", "FORMERR", "SERVFAIL", "NXDOMAIN", "NOTIMP", "REFUSED",
          "YXDOMAIN", "YXRRSET", "NXRRSET", "NOTAUTH", "NOTZONE"]


def wire(name):
    out = b""
    for label in name.rstrip(".").split("."):
        if label:
            out += bytes([len(label)]) + label.lower().encode()
    return out + b"\0"


def tsig_sign(msg, qid, keyname, secret):
    alg = wire("hmac-sha256")
    now = int(time.time())
    tsv = struct.pack("!HI", now >> 32, now & 0xffffffff) + \
        struct.pack("!HHH", 300, 0, 0)
    var = wire(keyname) + struct.pack("!HI", 255, 0) + alg + tsv
    mac = hmac.new(secret, msg + var, hashlib.sha256).digest()
    rdata = alg + struct.pack("!HI", now >> 32, now & 0xffffffff) + \
        struct.pack("!HH", 300, len(mac)) + mac + struct.pack("!HHH", qid, 0, 0)
    rr = wire(keyname) + struct.pack("!HHIH", 250, 255, 0, len(rdata)) + rdata
    ar = struct.unpack("!H", msg[10:12])[0] + 1
    return msg[:10] + struct.pack("!H", ar) + msg[12:] + rr


def update_msg(qid, zone, name, add, key):
    keyname, secret = key.split(":", 1)
    m = struct.pack("!HHHHHH", qid, 5 << 11, 1, 0, 1, 0)
    m += wire(zone) + struct.pack("!HH", 6, 1)
    if add:
        txt = b"apex-update"
        m += wire(name) + struct.pack("!HHIH", 16, 1, 300, len(txt) + 1) + \
            bytes([len(txt)]) + txt
    else:
        m += wire(name) + struct.pack("!HHIH", 16, 255, 0, 0)
    return tsig_sign(m, qid, keyname, base64.b64decode(secret))


def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        b = s.recv(n - len(buf))
        if not b:
            raise EOFError("connection closed")
        buf += b
    return buf


def tcp_ask(s, msg):
    s.sendall(struct.pack("!H", len(msg)) + msg)
    (ln,) = struct.unpack("!H", recv_exact(s, 2))
    return recv_exact(s, ln)


def connect(port):
    s = socket.create_connection((HOST, port), timeout=10)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s


def query(qid, name, qtype):
    return struct.pack("!HHHHHH", qid, 0, 1, 0, 0, 0) + wire(name) + \
        struct.pack("!HH", qtype, 1)


def udp_ask(port, name, qtype, timeout=0.2, sock=None):
    s = sock or socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(timeout)
    qid = int.from_bytes(os.urandom(2), "big")
    s.sendto(query(qid, name, qtype), (HOST, port))
    try:
        while True:
            a, _ = s.recvfrom(65535)
            if a[:2] == struct.pack("!H", qid):
                return a
    except socket.timeout:
        return None
    finally:
        if sock is None:
            s.close()


def skip_name(m, p):
    while True:
        ln = m[p]
        if ln & 0xc0 == 0xc0:
            return p + 2
        p += 1 + ln
        if ln == 0:
            return p


def soa_serial(port, zone):
    a = udp_ask(port, zone, 6, 1.0)
    if a is None or a[3] & 15 != 0 or struct.unpack("!H", a[6:8])[0] == 0:
        return None
    p = skip_name(a, 12) + 4
    p = skip_name(a, p) + 8
    (rdlen,) = struct.unpack("!H", a[p:p + 2])
    rd = a[p + 2:p + 2 + rdlen]
    return struct.unpack("!I", rd[-20:-16])[0]


def has_txt(a):
    return a is not None and a[3] & 15 == 0 and \
        struct.unpack("!H", a[6:8])[0] > 0


def cmd_update(port, zone, key, name, what="add"):
    s = connect(int(port))
    a = tcp_ask(s, update_msg(1, zone, name, what == "add", key))
    s.close()
    rc = a[3] & 15
    print(RCODES[rc] if rc < len(RCODES) else str(rc))
    return 0


def cmd_lag(pport, sport, zone, key, n, gap, tag):
    pport, sport, n, gap = int(pport), int(sport), int(n), float(gap)
    us = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    delays, missing = [], 0
    s = connect(pport)
    for i in range(n):
        name = "l%d.%s.%s" % (i, tag, zone)
        a = tcp_ask(s, update_msg(i + 1, zone, name, True, key))
        t0 = time.monotonic()
        if a[3] & 15 != 0:
            print("update %d: %s" % (i, RCODES[a[3] & 15]), file=sys.stderr)
            missing += 1
            continue
        while True:
            if has_txt(udp_ask(sport, name, 16, 0.05, us)):
                d = (time.monotonic() - t0) * 1000
                delays.append(d)
                print("%.1f" % d)
                break
            if time.monotonic() - t0 > 30:
                missing += 1
                print("timeout")
                break
            time.sleep(0.001)
        sys.stdout.flush()
        time.sleep(gap)
    s.close()
    if delays:
        print("median %.1f" % statistics.median(delays))
        print("max %.1f" % max(delays))
    else:
        print("median nan\nmax nan")
    print("missing %d" % missing)
    return 0


def cmd_serial(port, zone):
    v = soa_serial(int(port), zone)
    print("none" if v is None else v)
    return 0


def cmd_wait_serial(port, zone, serial, timeout):
    t0 = time.monotonic()
    serial = int(serial)
    while time.monotonic() - t0 < float(timeout):
        v = soa_serial(int(port), zone)
        if v is not None and ((v - serial) & 0xffffffff) < 0x80000000:
            print("%.2f" % (time.monotonic() - t0))
            return 0
        time.sleep(0.02)
    print("timeout")
    return 1


def cmd_fsync(d, n):
    path = os.path.join(d, ".fsync-probe")
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    block = os.urandom(4096)
    t = []
    try:
        for _ in range(int(n)):
            os.write(fd, block)
            t0 = time.monotonic()
            os.fdatasync(fd)
            t.append((time.monotonic() - t0) * 1000)
    finally:
        os.close(fd)
        os.unlink(path)
    t.sort()
    print("%.3f %.3f" % (statistics.median(t), t[int(0.9 * (len(t) - 1))]))
    return 0


def main(a):
    cmds = {"update": (cmd_update, (4, 5)), "lag": (cmd_lag, (7,)),
            "serial": (cmd_serial, (2,)),
            "wait-serial": (cmd_wait_serial, (4,)),
            "fsync": (cmd_fsync, (2,))}
    if not a or a[0] not in cmds or len(a) - 1 not in cmds[a[0]][1]:
        print(__doc__, file=sys.stderr)
        return 2
    return cmds[a[0]][0](*a[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
