#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""apex-named as a running server: TCP per RFC 7766 (pipelining, many
connections at once, the idle timeout, queries split across reads),
UDP from several workers, the pid file, and a clean exit on SIGTERM.

usage: run.py [--apex PATH]
"""
import argparse
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

import dns.message
import dns.rcode
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                '..'))
from testlib import free_port  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.abspath(os.path.join(HERE, '..', '..'))
results = []


def check(name, ok, detail=''):
    results.append(ok)
    print('%s %s%s' % ('PASS' if ok else 'FAIL', name,
                       '' if ok else ': ' + detail))


def query(name, qid, rdtype='A'):
    m = dns.message.make_query(name, rdtype)
    m.id = qid
    return m.to_wire()


def frame(wire):
    return struct.pack('!H', len(wire)) + wire


def read_frames(s, n, timeout=5):
    s.settimeout(timeout)
    buf, out = b'', []
    while len(out) < n:
        chunk = s.recv(65536)
        if not chunk:
            break
        buf += chunk
        while len(buf) >= 2 and len(buf) >= 2 + struct.unpack('!H', buf[:2])[0]:
            ln = struct.unpack('!H', buf[:2])[0]
            out.append(dns.message.from_wire(buf[2:2 + ln]))
            buf = buf[2 + ln:]
    return out


def test_pipelining(port):
    s = socket.create_connection(('127.0.0.1', port))
    ids = list(range(1000, 1100))
    s.sendall(b''.join(frame(query('www.example.com.', i)) for i in ids))
    got = read_frames(s, len(ids))
    s.close()
    check('100 pipelined queries on one connection, answered in order',
          [m.id for m in got] == ids and
          all(m.rcode() == dns.rcode.NOERROR and m.answer for m in got),
          'got %d answers' % len(got))


def test_split_reads(port):
    s = socket.create_connection(('127.0.0.1', port))
    data = frame(query('example.com.', 7, 'SOA')) + frame(
        query('ns1.example.com.', 8))
    for b in data:                       # one octet per segment
        s.sendall(bytes([b]))
        time.sleep(0.001)
    got = read_frames(s, 2)
    s.close()
    check('queries split across many reads', [m.id for m in got] == [7, 8])


def test_many_connections(port, n=120):
    socks = []
    for i in range(n):
        s = socket.create_connection(('127.0.0.1', port))
        socks.append(s)
    for i, s in enumerate(socks):
        s.sendall(frame(query('example.com.', i, 'NS')))
    ok = 0
    for i, s in enumerate(socks):
        got = read_frames(s, 1)
        ok += len(got) == 1 and got[0].id == i
        s.close()
    check('%d concurrent connections all answered' % n, ok == n,
          '%d of %d' % (ok, n))


def test_idle_timeout(port):
    s = socket.create_connection(('127.0.0.1', port))
    s.settimeout(10)
    start = time.time()
    closed = s.recv(1) == b''
    took = time.time() - start
    s.close()
    # tcp-idle-timeout 20 in the configuration: 2 seconds
    check('idle connection closed after tcp-idle-timeout',
          closed and 1.5 < took < 6, 'closed=%s after %.1fs' % (closed, took))


def test_udp_many(port):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    # room for 300 answers at the kernel's per-datagram overhead
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4 << 20)
    s.settimeout(2)
    ok = 0
    for i in range(300):
        s.sendto(query('ns1.example.com.', i), ('127.0.0.1', port))
    try:
        while ok < 300:
            m = dns.message.from_wire(s.recv(4096))
            ok += m.rcode() == dns.rcode.NOERROR
    except socket.timeout:
        pass
    check('300 UDP queries in a burst all answered', ok == 300,
          '%d answered' % ok)


def test_garbage_tcp(port):
    s = socket.create_connection(('127.0.0.1', port))
    s.sendall(frame(b'\x00' * 5) + frame(b'\x12\x34' + b'\x00' * 38) +
              frame(query('example.com.', 99, 'SOA')))
    got = read_frames(s, 2, timeout=3)
    s.close()
    check('garbage on TCP does not stop later queries',
          any(m.id == 99 for m in got), 'ids %s' % [m.id for m in got])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--apex', default=os.path.join(TOP, 'build', 'named',
                                                   'apex-named'))
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix='apex-serve-')
    os.chmod(work, 0o755)
    port = free_port()
    shutil.copy(os.path.join(TOP, 'zones', 'example.com.zone'), work)
    pidfile = os.path.join(work, 'apex.pid')
    with open(os.path.join(work, 'named.conf'), 'w') as f:
        f.write('options { directory "%s"; pid-file "%s"; '
                'listen-on port %d { 127.0.0.1; }; listen-on-v6 { none; }; '
                'tcp-idle-timeout 20; tcp-clients-per-address 150; '
                'notify no; state-directory "%s/state"; };\n'
                'zone "example.com" { type primary; '
                'file "example.com.zone"; };\n' % (work, pidfile, port,
                                                   work))
    log = open(os.path.join(work, 'apex.log'), 'w')
    proc = subprocess.Popen([args.apex, '-g', '-n', '2', '-c',
                             os.path.join(work, 'named.conf')],
                            stdout=log, stderr=subprocess.STDOUT)
    try:
        for _ in range(100):
            try:
                socket.create_connection(('127.0.0.1', port)).close()
                break
            except OSError:
                time.sleep(0.05)
        time.sleep(0.2)
        check('pid file written', os.path.exists(pidfile) and
              int(open(pidfile).read()) == proc.pid)
        test_pipelining(port)
        test_split_reads(port)
        test_many_connections(port)
        test_udp_many(port)
        test_garbage_tcp(port)
        test_idle_timeout(port)
        proc.send_signal(signal.SIGTERM)
        rc = proc.wait(10)
        check('SIGTERM: exit status 0', rc == 0, 'status %s' % rc)
        check('SIGTERM: pid file removed', not os.path.exists(pidfile))
    finally:
        if proc.poll() is None:
            proc.kill()
        log.close()
        text = open(os.path.join(work, 'apex.log')).read()
        bad = [ln for ln in text.splitlines() if 'Sanitizer' in ln or
               'runtime error' in ln or 'killed by signal' in ln]
        check('no crash or sanitizer report in the log', not bad,
              '\n'.join(bad[:10]))
        shutil.rmtree(work, ignore_errors=True)
    print('%d passed, %d failed' % (results.count(True), results.count(False)))
    sys.exit(0 if all(results) else 1)


if __name__ == '__main__':
    main()
