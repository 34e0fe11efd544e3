#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""apex-named as a service, tested for real on loopback: privileges and
sandboxes of every child (/proc), a worker killed by seccomp and
replaced, supervision and /health, reloads under dnsperf load, apex-ctl
commands and exit codes, reconfig, /metrics with promtool, logging
channels and the query log, the pid file lock, sd_notify, SIGTERM, and
the LSB init script.

usage: run.py [--build DIR]   (run as root for the privilege checks)
"""
import argparse
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

import dns.message
import dns.query
import dns.rcode
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                '..'))
from testlib import free_port  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.abspath(os.path.join(HERE, '..', '..'))
results = []


def check(name, ok, detail=''):
    results.append(bool(ok))
    print('%s %s%s' % ('PASS' if ok else 'FAIL', name,
                       '' if ok else ': ' + str(detail)), flush=True)


ZONE = '''$TTL 300
@	SOA	ns1 hostmaster %d 7200 3600 1209600 60
	NS	ns1
ns1	A	192.0.2.53
www	A	192.0.2.80
'''


class Server:
    def __init__(self, build, work, extra='', zones=('example.com',),
                 env=None, workers=2, logging='', flag='-g', args=()):
        self.build, self.work = build, work
        self.logging = logging
        self.port = free_port()
        self.http = free_port()
        self.ctlsock = os.path.join(work, 'control')
        self.pidfile = os.path.join(work, 'apex.pid')
        self.conf = os.path.join(work, 'named.conf')
        self.serial = 1
        for z in zones:
            self.write_zone(z, self.serial)
        self.write_conf(zones, extra)
        self.log = open(os.path.join(work, 'apex.log'), 'w')
        e = dict(os.environ)
        e.update(env or {})
        self.proc = subprocess.Popen(
            [os.path.join(build, 'named', 'apex-named'), flag, '-n',
             str(workers), '-c', self.conf] + list(args), stdout=self.log,
            stderr=subprocess.STDOUT, env=e)
        self.wait_up()

    def write_zone(self, zone, serial):
        with open(os.path.join(self.work, zone + '.zone'), 'w') as f:
            f.write(ZONE % serial)

    def write_conf(self, zones, extra='', port=None):
        with open(self.conf, 'w') as f:
            # Journals of zones in this root-owned directory go to a
            # state-directory of the test's own.
            f.write('options { directory "%s"; pid-file "%s"; '
                    'listen-on port %d { 127.0.0.1; }; '
                    'listen-on-v6 { none; }; state-directory "%s/state"; '
                    '%s };\n'
                    'controls { unix "%s" perm 0600 owner 0 group 0; };\n'
                    'statistics-channels { inet 127.0.0.1 port %d '
                    'allow { 127.0.0.1; }; };\n' % (
                        self.work, self.pidfile, port or self.port,
                        self.work, extra, self.ctlsock, self.http))
            if self.logging:
                f.write('logging { %s };\n' % self.logging)
            for z in zones:
                f.write('zone "%s" { type primary; file "%s.zone"; };\n'
                        % (z, z))

    def wait_up(self, timeout=20):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError('apex-named exited: ' + self.logtext())
            if self.health()[0] == 200:
                return
            time.sleep(0.05)
        raise RuntimeError('apex-named did not come up: ' + self.logtext())

    def logtext(self):
        self.log.flush()
        return open(os.path.join(self.work, 'apex.log')).read()

    def ctl(self, *args, json_out=False):
        cmd = [os.path.join(self.build, 'ctl', 'apex-ctl'), '-s',
               self.ctlsock] + (['--json'] if json_out else []) + list(args)
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        return p.returncode, p.stdout + p.stderr

    def get(self, path):
        try:
            with urllib.request.urlopen('http://127.0.0.1:%d%s' % (
                    self.http, path), timeout=5) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as e:
            return e.code, e.read().decode()
        except OSError as e:
            return 0, str(e)

    def health(self):
        return self.get('/health')

    def query(self, name, rdtype='A', tcp=False):
        q = dns.message.make_query(name, rdtype)
        f = dns.query.tcp if tcp else dns.query.udp
        return f(q, '127.0.0.1', port=self.port, timeout=2)

    def children(self):
        out = subprocess.run(['pgrep', '-P', str(self.proc.pid)],
                             capture_output=True, text=True).stdout
        return [int(x) for x in out.split()]

    def xferd(self):
        """The apex-xferd child (its own program), or None."""
        for pid in self.children():
            try:
                if os.path.basename(os.readlink('/proc/%d/exe' % pid)) == \
                        'apex-xferd':
                    return pid
            except OSError:
                pass
        return None

    def forked(self):
        """Workers and control: the children that are apex-named."""
        x = self.xferd()
        return [p for p in self.children() if p != x]

    def workers(self):
        """The children named apex-worker (prctl PR_SET_NAME)."""
        out = []
        for pid in self.children():
            try:
                if open('/proc/%d/comm' % pid).read().strip() == \
                        'apex-worker':
                    out.append(pid)
            except OSError:
                pass
        return out

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                return self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        return self.proc.returncode


def proc_status(pid):
    out = {}
    for line in open('/proc/%d/status' % pid):
        k, _, v = line.partition(':')
        out[k] = v.split()
    return out


def test_privileges(s):
    if os.geteuid() != 0:
        check('children drop privileges (needs root; skipped)', True)
        return
    kids = s.children()
    comms = sorted(open('/proc/%d/comm' % k).read().strip() for k in kids)
    check('parent has loader-free children: workers, control, apex-xferd',
          len(kids) == 4 and s.xferd() in kids and comms == [
              'apex-control', 'apex-worker', 'apex-worker', 'apex-xferd'],
          comms)
    for pid in kids:
        st = proc_status(pid)
        ok = (st['Uid'][0] != '0' and st['Gid'][0] != '0' and
              st['NoNewPrivs'] == ['1'] and st['Seccomp'] == ['2'])
        check('child %d: unprivileged, no_new_privs, seccomp filter' % pid,
              ok, {k: st[k] for k in ('Uid', 'Gid', 'NoNewPrivs',
                                        'Seccomp')})


def test_sandbox_kill(s):
    before = json.loads(s.ctl('stats', json_out=True)[1])
    rc, out = s.ctl('test-syscall')
    check('test hook accepted', rc == 0, out)
    time.sleep(1)
    log = s.logtext()
    check('the sandbox killed the worker (SIGSYS)',
          re.search(r'worker 0 \(pid \d+\) killed by signal 31', log), log)
    st = json.loads(s.ctl('status', json_out=True)[1])
    check('the worker was replaced', st['workers_up'] == 2 and
          st['restarts'] >= 1, st)
    s.query('www.example.com.')
    after = json.loads(s.ctl('stats', json_out=True)[1])
    check('counters survive the restart',
          after['queries']['udp'] > before['queries']['udp'],
          (before['queries'], after['queries']))


def wait_for_health(s, secs=40):
    for _ in range(secs * 10):
        if s.health()[0] == 200:
            return True
        time.sleep(0.1)
    return False


def test_supervision(s):
    # Each quick death doubles the wait before the restart; after a few,
    # the gap is long enough to see /health degraded.
    seen_503 = False
    for _ in range(6):
        os.kill(max(s.workers()), signal.SIGKILL)
        for _ in range(40):
            code, body = s.health()
            if code == 503 and 'workers up' in body:
                seen_503 = True
                break
            time.sleep(0.01)
        for _ in range(400):
            if s.health()[0] == 200:
                break
            time.sleep(0.05)
    check('/health says 503 while a worker is down', seen_503)
    check('/health back to 200 when it returns', s.health()[0] == 200,
          s.health())
    check('restarts are logged with the signal',
          'killed by signal 9 (Killed); restarting' in s.logtext())
    x = s.xferd()
    os.kill(x, signal.SIGKILL)
    y = None
    for _ in range(200):
        y = s.xferd()
        if y is not None and y != x:
            break
        time.sleep(0.05)
    check('apex-xferd is started again after it dies',
          y is not None and y != x and
          'apex-xferd killed by signal 9' in s.logtext(), (x, y))
    # Killed again and again, it waits longer each time: /health says so.
    seen_503 = False
    for _ in range(6):
        x = s.xferd()
        if x is not None:
            os.kill(x, signal.SIGKILL)
        for _ in range(40):
            code, body = s.health()
            if code == 503 and 'apex-xferd not running' in body:
                seen_503 = True
                break
            time.sleep(0.01)
        if seen_503:
            break
    check('/health says 503 while apex-xferd is down', seen_503)
    check('/health back to 200 when apex-xferd returns',
          wait_for_health(s), s.health())


def test_reload_under_load(s, build):
    qfile = os.path.join(s.work, 'queries')
    with open(qfile, 'w') as f:
        for i in range(200):
            f.write('www.example.com A\nexample.com SOA\nnx%d.example.com A\n'
                    % i)
    dp = subprocess.Popen(['dnsperf', '-s', '127.0.0.1', '-p', str(s.port),
                           '-d', qfile, '-l', '30', '-Q', '4000', '-c', '4',
                           '-t', '2'], stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True)
    time.sleep(1)
    moved = 0
    for i in range(50):
        s.serial += 1
        s.write_zone('example.com', s.serial)
        rc, out = s.ctl('reload')
        soa = s.query('example.com.', 'SOA').answer[0][0].serial
        moved += rc == 0 and soa == s.serial
    out = dp.communicate(timeout=120)[0]
    lost = re.search(r'Queries lost:\s+(\d+)', out)
    codes = re.search(r'Response codes:\s+(.*)', out)
    check('50 reloads under load: every one answered with the new serial',
          moved == 50, '%d of 50' % moved)
    check('no query lost during the reloads',
          lost is not None and lost.group(1) == '0', out[-600:])
    check('no SERVFAIL during the reloads', codes is not None and
          'SERVFAIL' not in codes.group(1), codes and codes.group(1))


def test_ctl(s):
    rc, out = s.ctl('status')
    check('apex-ctl status', rc == 0 and 'workers: 2 of 2 up' in out, out)
    for cmd in (['status'], ['stats'], ['zonestatus', 'example.com']):
        rc, out = s.ctl(*cmd, json_out=True)
        try:
            json.loads(out)
            ok = rc == 0
        except ValueError:
            ok = False
        check('apex-ctl --json %s is JSON' % ' '.join(cmd), ok, out)
    rc, out = s.ctl('zonestatus', 'nosuch.example')
    check('zonestatus of an unknown zone exits 1', rc == 1, out)
    rc, out = s.ctl('reload')
    check('reload with nothing changed', rc == 0 and 'no zone file changed'
          in out, out)
    with open(os.path.join(s.work, 'example.com.zone'), 'a') as f:
        f.write('bad A 300.1.1.1\n')
    rc, out = s.ctl('reload')
    check('reload of a broken zone: exit 1 with file:line', rc == 1 and
          re.search(r'example\.com\.zone:6: ', out), out)
    check('the old version keeps serving',
          s.query('www.example.com.').rcode() == dns.rcode.NOERROR)
    rc, out = s.ctl('zonestatus', 'example.com')
    check('zonestatus shows the last error', 'last error:' in out and
          'example.com.zone:6' in out, out)
    s.write_zone('example.com', s.serial)
    rc, out = s.ctl('reload', 'example.com')
    check('reload of one zone', rc == 0 and '1 zone reloaded' in out, out)
    rc, out = s.ctl('reload', 'nosuch.example')
    check('reload of an unknown zone exits 1', rc == 1, out)
    rc, out = s.ctl('querylog', 'maybe')
    check('querylog with a bad argument exits 1', rc == 1, out)
    rc, out = s.ctl('refresh', 'example.com')
    check('refresh exits 1 (no transfers yet)', rc == 1, out)
    rc, out = s.ctl('frobnicate')
    check('an unknown command exits 1', rc == 1, out)
    rc, out = subprocess.run([os.path.join(s.build, 'ctl', 'apex-ctl'), '-s',
                              os.path.join(s.work, 'nothing'), 'status'],
                             capture_output=True, text=True).returncode, ''
    check('no server: exits 1', rc == 1)
    rc, out = s.ctl('reopen')
    check('reopen', rc == 0, out)


def reconfig(s):
    """apex-ctl reconfig, again while the previous generation of workers
    is still finishing (apex refuses a reconfig until it is gone)."""
    end = time.time() + 15
    while True:
        rc, out = s.ctl('reconfig')
        if 'is running' not in out or time.time() > end:
            return rc, out
        time.sleep(0.2)


def test_reconfig(s):
    s.write_zone('example.org', 7)
    s.write_conf(['example.com', 'example.org'], 'querylog no;')
    rc, out = reconfig(s)
    check('reconfig adding a zone', rc == 0, out)
    r = s.query('www.example.org.')
    check('the new zone is served', r.rcode() == dns.rcode.NOERROR and
          r.answer, r)
    s.write_conf(['example.org'])
    rc, out = reconfig(s)
    r = s.query('www.example.com.')
    check('reconfig removing a zone: it is refused',
          rc == 0 and r.rcode() == dns.rcode.REFUSED, (rc, out, r))
    newport = free_port()
    s.write_conf(['example.org'], port=newport)
    rc, out = reconfig(s)
    old = s.port
    s.port = newport
    ok = s.query('www.example.org.').rcode() == dns.rcode.NOERROR
    try:
        s.port = old
        s.query('www.example.org.')
        gone = False
    except (dns.exception.Timeout, OSError):
        gone = True
    s.port = newport
    check('reconfig moving the listen port', rc == 0 and ok and gone,
          (rc, out, ok, gone))
    with open(s.conf, 'a') as f:
        f.write('options { bogus; };\n')
    rc, out = reconfig(s)
    check('reconfig with an error: exit 1, file:line, old config kept',
          rc == 1 and 'named.conf:' in out and
          s.query('www.example.org.').rcode() == dns.rcode.NOERROR, out)
    s.write_conf(['example.org'], port=newport)


def test_metrics(s):
    qfile = os.path.join(s.work, 'queries')
    dp = subprocess.Popen(['dnsperf', '-s', '127.0.0.1', '-p', str(s.port),
                           '-d', qfile, '-l', '4', '-Q', '3000'],
                          stdout=subprocess.DEVNULL,
                          stderr=subprocess.DEVNULL)
    totals = []
    for _ in range(4):
        time.sleep(0.8)
        code, body = s.get('/metrics')
        m = re.search(r'apex_queries_total\{transport="udp"\} (\d+)', body)
        totals.append(int(m.group(1)) if m else -1)
        p = subprocess.run(['promtool', 'check', 'metrics'], input=body,
                           capture_output=True, text=True)
        if p.returncode != 0:
            check('promtool check metrics under load', False,
                  p.stdout + p.stderr)
            dp.wait()
            return
    dp.wait()
    check('promtool check metrics under load', True)
    check('counters grow while scraped under load',
          totals == sorted(totals) and totals[-1] > totals[0], totals)
    for name in ('apex_queries_by_type_total', 'apex_responses_by_rcode_total',
                 'apex_response_size_bytes_bucket',
                 'apex_query_duration_seconds_bucket', 'apex_zone_serial',
                 'apex_zone_loaded_timestamp_seconds',
                 'apex_zone_load_failures_total', 'apex_child_restarts_total'):
        check('/metrics has %s' % name, name in body)
    code, body = s.get('/json')
    try:
        j = json.loads(body)
        ok = code == 200 and 'stats' in j and 'zones' in j
    except ValueError:
        ok = False
    check('/json', ok, body[:200])
    code, _ = s.get('/nothing')
    check('unknown path: 404', code == 404)


def test_logging(build, work):
    logf = os.path.join(work, 'q.log')
    s = Server(build, work, extra='querylog yes;', workers=1, flag='-f',
               logging='channel q { file "%s" versions 2 size 4k; '
               'print-time yes; }; category queries { q; };' % logf)
    for i in range(150):
        s.query('www.example.com.')
    time.sleep(0.5)
    lines = open(logf).read().splitlines()
    pat = re.compile(r'^\d\d-\w{3}-\d{4} [\d:.]+ client @0x[0-9a-f]+ '
                     r'127\.0\.0\.1#\d+ \(www\.example\.com\): query: '
                     r'www\.example\.com IN A \+ \(127\.0\.0\.1\)$')
    check('query log lines in BIND\'s format', lines and
          all(pat.match(x) for x in lines), lines[:2])
    check('file channel rotated by size with versions',
          os.path.exists(logf + '.0') and os.path.exists(logf + '.1') and
          not os.path.exists(logf + '.2'), os.listdir(work))
    rc, out = s.ctl('querylog', 'off')
    n = len(open(logf).read().splitlines())
    s.query('www.example.com.')
    time.sleep(0.3)
    check('apex-ctl querylog off stops it', rc == 0 and
          len(open(logf).read().splitlines()) == n)
    check('SIGTERM: exit status 0', s.stop() == 0)


def test_pidfile_and_notify(build, work):
    notify = os.path.join(work, 'notify')
    ns = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    ns.bind(notify)
    ns.settimeout(10)
    s = Server(build, work, env={'NOTIFY_SOCKET': notify})
    msgs = []
    try:
        msgs.append(ns.recv(256).decode())
    except socket.timeout:
        pass
    check('sd_notify READY=1 at start', 'READY=1' in msgs, msgs)
    second = subprocess.run([os.path.join(build, 'named', 'apex-named'), '-g',
                             '-c', s.conf], capture_output=True, text=True,
                            timeout=20)
    check('a second instance refuses to start', second.returncode == 1 and
          ('pid-file' in second.stderr or 'another apex-named' in
           second.stderr), second.stderr[-300:])
    s.serial += 1
    s.write_zone('example.com', s.serial)
    os.kill(s.proc.pid, signal.SIGHUP)
    got = []
    try:
        while 'READY=1' not in got[1:]:
            got.append(ns.recv(256).decode())
    except socket.timeout:
        pass
    check('SIGHUP: RELOADING=1 then READY=1', got[:1] == ['RELOADING=1'] and
          'READY=1' in got, got)
    check('SIGHUP reloaded the changed zone',
          s.query('example.com.', 'SOA').answer[0][0].serial == s.serial)
    rc = s.stop()
    try:
        last = ns.recv(256).decode()
    except socket.timeout:
        last = ''
    check('sd_notify STOPPING=1', last == 'STOPPING=1', last)
    check('SIGTERM: exit 0, pid file and control socket removed',
          rc == 0 and not os.path.exists(s.pidfile) and
          not os.path.exists(s.ctlsock), (rc, os.listdir(work)))


def test_many_zones(build, work):
    # The parent's state report to the control process takes several
    # messages beyond a few hundred zones.
    zones = ['z%04d.example' % i for i in range(1200)]
    s = Server(build, work, zones=zones)
    try:
        st = json.loads(s.ctl('status', json_out=True)[1])
        check('1200 zones: status counts them all',
              st['zones'] == 1200 and st['zones_serving'] == 1200, st)
        rc, out = s.ctl('zonestatus', zones[-1])
        check('1200 zones: zonestatus of the last one', rc == 0 and
              'serving: yes' in out, out)
        code, text = s.get('/metrics')
        check('1200 zones: /metrics has every zone',
              text.count('apex_zone_serving{zone=') == 1200 and
              'zone="%s"' % zones[-1] in text, code)
        check('1200 zones: /health is 200', s.health()[0] == 200,
              s.health())
        # Many names that share a long prefix: sorting them makes glibc's
        # qsort() ask for the memory size (sysinfo), which the loader's
        # sandbox must allow, or a large zone never loads.
        with open(os.path.join(s.work, zones[0] + '.zone'), 'w') as f:
            f.write(ZONE % 2)
            for i in range(3000):
                f.write('a-rather-long-shared-prefix-%d A 192.0.2.1\n' % i)
        rc, out = s.ctl('reload', zones[0])
        r = s.query('a-rather-long-shared-prefix-2999.%s.' % zones[0])
        check('a zone whose names share long prefixes loads in the '
              'sandboxed loader', rc == 0 and r.answer, out)
    finally:
        s.stop()


def test_chroot(build, work):
    jail = os.path.join(work, 'jail')
    os.mkdir(jail)
    s = Server(build, work, args=('-t', jail))
    try:
        roots = {os.readlink('/proc/%d/root' % p) for p in s.forked()}
        check('-t: workers and control run chrooted', roots == {jail},
              roots)
        # apex-xferd writes zone files and journals in the directory.
        check('-t: apex-xferd runs outside the jail',
              os.readlink('/proc/%d/root' % s.xferd()) == '/')
        check('-t: the chrooted workers answer',
              s.query('www.example.com.').answer)
        rc, out = s.ctl('status')
        check('-t: apex-ctl still works', rc == 0, out)
    finally:
        s.stop()


def test_init_script(build, work):
    script = os.path.join(build, 'etc', 'init.d', 'apex-named')
    port = free_port()
    with open(os.path.join(work, 'example.com.zone'), 'w') as f:
        f.write(ZONE % 1)
    conf = os.path.join(work, 'named.conf')
    pidfile = os.path.join(work, 'run', 'apex-named.pid')
    with open(conf, 'w') as f:
        f.write('options { directory "%s"; pid-file "%s"; listen-on port %d '
                '{ 127.0.0.1; }; listen-on-v6 { none; }; };\n'
                'controls { unix "%s/control"; };\n'
                'zone "example.com" { type primary; file "example.com.zone";'
                ' };\n' % (work, pidfile, port, work))
    env = dict(os.environ, APEX_NAMED=os.path.join(build, 'named',
                                                   'apex-named'),
               APEX_CTL=os.path.join(build, 'ctl', 'apex-ctl'),
               APEX_CONF=conf, APEX_PIDFILE=pidfile)

    def run(action):
        return subprocess.run(['sh', script, action], env=env,
                              capture_output=True, text=True,
                              timeout=60).returncode
    check('init script: status before start is 3', run('status') == 3)
    check('init script: start is 0', run('start') == 0)
    q = dns.message.make_query('www.example.com.', 'A')
    r = dns.query.udp(q, '127.0.0.1', port=port, timeout=2)
    check('init script: the daemon answers', r.answer)
    check('init script: start again is 0', run('start') == 0)
    check('init script: status is 0', run('status') == 0)
    check('init script: reload is 0', run('reload') == 0)
    check('init script: force-reload is 0', run('force-reload') == 0)
    check('init script: restart is 0', run('restart') == 0)
    check('init script: stop is 0', run('stop') == 0)
    check('init script: status after stop is 3', run('status') == 3)
    check('init script: stop again is 0', run('stop') == 0)
    with open(pidfile, 'w') as f:
        f.write('999999\n')
    check('init script: status with a stale pid file is 1',
          run('status') == 1)
    check('init script: reload when stopped is 7', run('reload') == 7)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--build', default=os.path.join(TOP, 'build'))
    args = ap.parse_args()
    build = os.path.abspath(args.build)
    base = tempfile.mkdtemp(prefix='apex-service-')
    os.chmod(base, 0o755)

    def workdir(name):
        d = os.path.join(base, name)
        os.mkdir(d)
        os.chmod(d, 0o755)
        return d
    try:
        s = Server(build, workdir('main'), env={'APEX_TEST_HOOKS': '1'})
        try:
            test_privileges(s)
            test_sandbox_kill(s)
            test_supervision(s)
            test_reload_under_load(s, build)
            test_ctl(s)
            test_reconfig(s)
            test_metrics(s)
            rc, out = s.ctl('stop')
            check('apex-ctl stop', rc == 0 and s.proc.wait(15) == 0, out)
            lines = s.logtext().splitlines()
            bad = [i for i, ln in enumerate(lines)
                   if 'Sanitizer' in ln or 'runtime error' in ln]
            check('no sanitizer report', not bad,
                  '\n'.join(lines[bad[0]:bad[0] + 40]) if bad else '')
        finally:
            s.stop()
        test_logging(build, workdir('logging'))
        test_pidfile_and_notify(build, workdir('notify'))
        test_init_script(build, workdir('init'))
        test_many_zones(build, workdir('many'))
        if os.geteuid() == 0:
            test_chroot(build, workdir('chroot'))
    finally:
        subprocess.run(['pkill', '-f', base], capture_output=True)
        shutil.rmtree(base, ignore_errors=True)
    print('%d passed, %d failed' % (results.count(True),
                                    results.count(False)))
    sys.exit(0 if all(results) else 1)


if __name__ == '__main__':
    main()
