#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""Every listener bounded: TCP clients that sit idle, trickle a query a
byte a second, or pipeline queries for large answers and never read do
not keep others from answers over TCP and UDP, and the timeouts close
them; tcp-clients-per-address refuses one connection too many from an
address while another address still connects; the statistics channel
refuses a 200 MB POST from outside its allow list before reading it,
cuts off one from inside, refuses oversize headers and connections over
its cap, and the control process stays small; the control socket is
capped. Loopback only (127.0.0.0/8).

usage: run.py [--build DIR]
"""
import argparse
import os
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import threading
import time

import dns.message
import dns.query
import dns.rcode
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                '..'))
from testlib import free_port, wait_for  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.abspath(os.path.join(HERE, '..', '..'))
IDLE = 2.0                  # tcp-idle-timeout 20: 2 seconds
PER_ADDRESS = 25            # the default of tcp-clients-per-address
RSS_LIMIT_KB = 30 * 1024    # or 20 MB over the start, for ASan builds
results = []


def check(name, ok, detail=''):
    results.append(bool(ok))
    print('%s %s%s' % ('PASS' if ok else 'FAIL', name,
                       '' if ok else ': ' + str(detail)))
    sys.stdout.flush()


def frame(wire):
    return struct.pack('!H', len(wire)) + wire


def query_wire(name, rdtype='A', qid=1):
    m = dns.message.make_query(name, rdtype)
    m.id = qid
    return m.to_wire()


def connect(port, src='127.0.0.1', rcvbuf=None):
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    if rcvbuf:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
    s.bind((src, 0))
    s.settimeout(5)
    s.connect(('127.0.0.1', port))
    return s


def is_closed(s, timeout=0.5):
    """Whether the server closed s (EOF or reset), reading what is left."""
    s.settimeout(timeout)
    try:
        for _ in range(4096):
            if not s.recv(65536):
                return True
    except (ConnectionResetError, BrokenPipeError):
        return True
    except socket.timeout:
        return False
    return False


class Server:
    def __init__(self, build, work):
        self.build, self.work = build, work
        self.port, self.http = free_port(), free_port()
        self.ctlsock = os.path.join(work, 'control')
        zone = open(os.path.join(TOP, 'zones', 'example.com.zone')).read()
        # 90 TXT records of 200 octets: an answer of about 19 KB.
        zone += ''.join('big 300 IN TXT "%03d%s"\n' % (i, 'x' * 197)
                        for i in range(90))
        with open(os.path.join(work, 'example.com.zone'), 'w') as f:
            f.write(zone)
        with open(os.path.join(work, 'named.conf'), 'w') as f:
            f.write('options { directory "%s"; listen-on port %d '
                    '{ 127.0.0.1; }; listen-on-v6 { none; }; notify no; '
                    'tcp-idle-timeout 20; tcp-clients 400; };\n'
                    'controls { unix "%s" perm 0600 owner 0 group 0; };\n'
                    'statistics-channels { inet 127.0.0.1 port %d '
                    'allow { 127.0.0.1; }; };\n'
                    'zone "example.com" { type primary; '
                    'file "example.com.zone"; };\n' % (
                        work, self.port, self.ctlsock, self.http))
        self.log = open(os.path.join(work, 'apex.log'), 'w')
        self.proc = subprocess.Popen(
            [os.path.join(build, 'named', 'apex-named'), '-g', '-n', '1',
             '-c', os.path.join(work, 'named.conf')],
            stdout=self.log, stderr=subprocess.STDOUT)
        if not wait_for(lambda: self.get('/health')[0] == 200, 20):
            raise RuntimeError('apex-named did not come up:\n' +
                               self.logtext())

    def logtext(self):
        self.log.flush()
        return open(os.path.join(self.work, 'apex.log')).read()

    def get(self, path, src='127.0.0.1'):
        """(status, body) of a GET on the statistics channel."""
        s = connect(self.http, src)
        try:
            s.sendall(('GET %s HTTP/1.1\r\nHost: localhost\r\n'
                       'Connection: close\r\n\r\n' % path).encode())
            data = b''
            while True:
                c = s.recv(65536)
                if not c:
                    break
                data += c
        finally:
            s.close()
        head, _, body = data.partition(b'\r\n\r\n')
        return int(head.split()[1]), body.decode()

    def control_pid(self):
        for pid in os.listdir('/proc'):
            if not pid.isdigit():
                continue
            try:
                st = open('/proc/%s/status' % pid).read()
            except OSError:
                continue
            f = dict(ln.split(':\t', 1) for ln in st.splitlines()
                     if ':\t' in ln)
            if (f.get('Name', '').strip() == 'apex-control' and
                    int(f.get('PPid', 0)) == self.proc.pid):
                return int(pid)
        return None

    def rss_kb(self, pid):
        for ln in open('/proc/%d/status' % pid):
            if ln.startswith('VmRSS:'):
                return int(ln.split()[1])
        return 0

    def metric(self, name):
        _, text = self.get('/metrics')
        for ln in text.splitlines():
            if ln.startswith(name + ' '):
                return float(ln.split()[1])
        return None

    def others_answered(self):
        """A query from 127.0.0.1 over TCP and one over UDP answered."""
        q = dns.message.make_query('www.example.com.', 'A')
        try:
            t = dns.query.tcp(q, '127.0.0.1', port=self.port, timeout=2,
                              source='127.0.0.1')
            u = dns.query.udp(q, '127.0.0.1', port=self.port, timeout=2,
                              source='127.0.0.1')
        except Exception:  # noqa: BLE001 - a refused or timed-out query
            return False
        return t.rcode() == dns.rcode.NOERROR and \
            u.rcode() == dns.rcode.NOERROR


def addr(i):
    """The i-th client address, 127.0.1.1 and on."""
    return '127.0.%d.%d' % (1 + i // 250, 1 + i % 250)


def test_idle(s):
    socks = [connect(s.port, addr(i // 10)) for i in range(300)]
    check('300 idle TCP connections: others answered over TCP and UDP',
          s.others_answered())
    time.sleep(IDLE + 2)
    closed = sum(is_closed(c, 0.05) for c in socks)
    for c in socks:
        c.close()
    check('300 idle TCP connections closed by tcp-idle-timeout',
          closed == 300, '%d closed' % closed)


def test_slowloris(s, n=20):
    wire = frame(query_wire('www.example.com.'))
    socks = [connect(s.port, addr(100 + i // 10)) for i in range(n)]
    closed_at = [None] * n
    start = time.time()
    answered = True
    for k in range(8):
        for i, c in enumerate(socks):
            if closed_at[i] is None:
                try:
                    c.send(wire[k:k + 1])
                except OSError:
                    closed_at[i] = time.time() - start
        answered = answered and s.others_answered()
        time.sleep(1)
        for i, c in enumerate(socks):
            if closed_at[i] is None and is_closed(c, 0.01):
                closed_at[i] = time.time() - start
    for c in socks:
        c.close()
    check('slowloris (a byte a second): others answered', answered)
    late = [t for t in closed_at if t is None or t > IDLE + 3]
    check('slowloris connections closed by tcp-idle-timeout', not late,
          'close times %s' % closed_at)


def test_never_read(s, n=40, queries=3000):
    wire = frame(query_wire('big.example.com.', 'TXT'))
    socks = []
    for i in range(n):
        c = connect(s.port, addr(200 + i // 10), rcvbuf=4096)
        c.setblocking(False)
        socks.append(c)
    pending = [wire * queries] * n
    deadline = time.time() + 3
    while time.time() < deadline and any(pending):
        for i, c in enumerate(socks):
            if pending[i]:
                try:
                    pending[i] = pending[i][c.send(pending[i]):]
                except (BlockingIOError, OSError):
                    pass
        time.sleep(0.05)
    check('clients that never read: others answered over TCP and UDP',
          s.others_answered())
    time.sleep(IDLE + 3)
    closed = sum(is_closed(c, 0.5) for c in socks)
    for c in socks:
        c.close()
    check('clients that never read closed by the timeout', closed == n,
          '%d of %d closed' % (closed, n))
    wt = s.metric('apex_tcp_connections_closed_total{reason="write-timeout"}')
    check('write-timeout closes counted', wt is not None and wt >= n, wt)
    paused = s.metric('apex_tcp_reads_paused_total')
    check('paused reads counted', paused is not None and paused >= n, paused)


def test_per_address(s):
    socks = [connect(s.port, '127.0.0.3') for _ in range(PER_ADDRESS)]
    wire = frame(query_wire('www.example.com.'))
    ok = 0
    for c in socks:
        c.sendall(wire)
        ok += len(c.recv(4096)) > 2
    # Closed at accept: well before tcp-idle-timeout would close it.
    extra = connect(s.port, '127.0.0.3')
    refused = is_closed(extra, IDLE / 2)
    other = connect(s.port, '127.0.0.4')
    other.sendall(wire)
    other_ok = len(other.recv(4096)) > 2
    for c in socks + [extra, other]:
        c.close()
    check('%d connections from one address answered' % PER_ADDRESS,
          ok == PER_ADDRESS, ok)
    check('connection %d from that address refused' % (PER_ADDRESS + 1),
          refused)
    check('another address still connects', other_ok)
    n = s.metric('apex_tcp_connections_total{result="per-address-limit"}')
    check('per-address refusals counted', n is not None and n >= 1, n)


def stream_post(port, src, total, out):
    """POSTs total octets of body; out['sent'] is what got through."""
    out['sent'] = 0
    try:
        c = connect(port, src)
        c.sendall(b'POST /metrics HTTP/1.1\r\nHost: x\r\n'
                  b'Content-Length: %d\r\n\r\n' % total)
        chunk = b'x' * (1 << 20)
        while out['sent'] < total:
            c.sendall(chunk)
            out['sent'] += len(chunk)
        c.close()
    except OSError:
        pass


def test_post(s, src, name, start_rss):
    pid = s.control_pid()
    limit = max(RSS_LIMIT_KB, start_rss + 20 * 1024)
    out = {}
    t = threading.Thread(target=stream_post,
                         args=(s.http, src, 200 << 20, out))
    t.start()
    peak, health = 0, True
    while t.is_alive():
        peak = max(peak, s.rss_kb(pid))
        health = health and s.get('/health')[0] == 200
        time.sleep(0.05)
    t.join()
    peak = max(peak, s.rss_kb(pid))
    check('200 MB POST %s: cut off early' % name,
          out['sent'] < 50 << 20, '%d MB went through' % (out['sent'] >> 20))
    check('200 MB POST %s: control process stays small' % name,
          peak < limit, 'peak RSS %d kB, limit %d kB' % (peak, limit))
    check('200 MB POST %s: /health answered meanwhile' % name, health)


def http_raw(port, data, src='127.0.0.1'):
    """The status the server answers to data, 0 if it only closed."""
    c = connect(port, src)
    try:
        c.sendall(data)
        got = b''
        while True:
            b = c.recv(65536)
            if not b:
                break
            got += b
    except OSError:
        pass
    c.close()
    try:
        return int(got.split(b'\r\n')[0].split()[1])
    except (IndexError, ValueError):
        return 0


def test_http_requests(s):
    big = b'GET /metrics HTTP/1.1\r\nHost: x\r\n' + \
        b''.join(b'X-Pad-%d: %s\r\n' % (i, b'y' * 1000) for i in range(20)) + \
        b'\r\n'
    st = http_raw(s.http, big)
    check('20 KB of headers refused with 431', st == 431, st)
    st = http_raw(s.http, b'GET /metrics HTTP/1.1\r\nHost: x\r\n'
                  b'Content-Length: 5\r\n\r\nhello')
    check('GET with a body refused with 413', st == 413, st)
    st = http_raw(s.http, b'GET /metrics HTTP/1.1\r\nHost: x\r\n'
                  b'Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n')
    check('chunked GET refused with 413', st == 413, st)
    st = http_raw(s.http, b'DELETE /metrics HTTP/1.1\r\nHost: x\r\n\r\n')
    check('DELETE refused with 405', st == 405, st)
    st = http_raw(s.http, b'GET /metrics HTTP/1.1\r\n\r\n')
    check('HTTP/1.1 without Host refused with 400', st == 400, st)
    st = http_raw(s.http, b'GET /health HTTP/1.1\r\nHost: x\r\n\r\n',
                  '127.0.0.2')
    check('GET from outside the allow list: closed unanswered', st == 0, st)


def test_http_cap(s):
    # The server closes its side of the last scrape after the client
    # did: give it the moment to, so that slot is free.
    time.sleep(1)
    socks = [connect(s.http) for _ in range(32)]
    time.sleep(0.5)
    extra = connect(s.http)
    refused = is_closed(extra, 2)
    extra.close()
    check('HTTP connection 33 refused while 32 are open', refused)
    time.sleep(10.5)            # the exchange deadline
    closed = sum(is_closed(c, 0.05) for c in socks)
    for c in socks:
        c.close()
    check('silent HTTP connections closed by the deadline', closed == 32,
          '%d of 32' % closed)
    check('/health answers again', s.get('/health')[0] == 200)


def test_control_cap(s):
    socks = []
    for _ in range(32):
        c = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
        c.connect(s.ctlsock)
        socks.append(c)
    time.sleep(0.3)
    extra = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    extra.connect(s.ctlsock)
    refused = is_closed(extra, 2)
    for c in socks + [extra]:
        c.close()
    check('control socket connection 33 refused while 32 are open', refused)
    rc = wait_for(lambda: subprocess.run(
        [os.path.join(s.build, 'ctl', 'apex-ctl'), '-s', s.ctlsock,
         'status'], capture_output=True, timeout=10).returncode == 0, 5)
    check('apex-ctl status works after the others closed', rc)


def final_checks(s, control_pid):
    _, text = s.get('/metrics')
    p = subprocess.run(['promtool', 'check', 'metrics'], input=text,
                       capture_output=True, text=True)
    check('promtool check metrics', p.returncode == 0, p.stdout + p.stderr)
    for name, least in (
            ('apex_tcp_connections_closed_total{reason="idle"}', 300),
            ('apex_tcp_connections_closed_total{reason="read-timeout"}', 20),
            ('apex_http_requests_total{result="too-large"}', 3),
            ('apex_http_requests_total{result="method"}', 2),
            ('apex_http_connections_refused_total{reason="allow"}', 2),
            ('apex_http_connections_refused_total{reason="limit"}', 1),
            ('apex_control_connections_closed_total{reason="limit"}', 1)):
        v = s.metric(name)
        check('%s >= %d' % (name, least), v is not None and v >= least, v)
    check('the control process survived', s.control_pid() == control_pid)
    check('no child restarted', s.metric('apex_child_restarts_total') == 0)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--build', default=os.path.join(TOP, 'build'))
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix='apex-limits-')
    os.chmod(work, 0o755)
    s = None
    try:
        s = Server(os.path.abspath(args.build), work)
        control_pid = s.control_pid()
        check('the control process found', control_pid is not None)
        start_rss = s.rss_kb(control_pid)
        test_post(s, '127.0.0.2', 'from outside the allow list', start_rss)
        test_post(s, '127.0.0.1', 'from an allowed address', start_rss)
        test_http_requests(s)
        test_idle(s)
        test_slowloris(s)
        test_never_read(s)
        test_per_address(s)
        test_http_cap(s)
        test_control_cap(s)
        final_checks(s, control_pid)
    finally:
        if s is not None:
            if s.proc.poll() is None:
                s.proc.terminate()
                try:
                    s.proc.wait(10)
                except subprocess.TimeoutExpired:
                    s.proc.kill()
            text = s.logtext()
            bad = [ln for ln in text.splitlines() if 'Sanitizer' in ln or
                   'runtime error' in ln or 'killed by signal' in ln]
            check('no crash or sanitizer report in the log', not bad,
                  '\n'.join(bad[:10]))
        shutil.rmtree(work, ignore_errors=True)
    print('%d passed, %d failed' % (results.count(True),
                                    results.count(False)))
    sys.exit(0 if all(results) else 1)


if __name__ == '__main__':
    main()
