#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""BIND's rndc (bind9-utils) against apex and against BIND 9 started with
the same named.conf: every command rndc users script, compared.

- status and zonestatus: every line apex prints is one BIND prints (same
  key), with the same value where both know it (zone name, type,
  serial, secure, dynamic, frozen, query logging);
- reload (all, one zone, no such zone), reconfig, notify, refresh and
  retransfer (of a secondary, and refused for a primary), querylog on
  and off, freeze, thaw and sync of a dynamic zone (and "not dynamic"
  for a static one), sign and dnssec -status of a signed zone, stats,
  an unknown command: the same exit status, the same "failed: ERR" line
  and, with rndc -r, the same result name;
- a key rndc.conf gives with the wrong secret, and a client outside the
  channel's allow list: refused by both;
- a read-only channel: status works, reload is refused by both;
- an HMAC-MD5 key and an HMAC-SHA256 key on one channel both work;
- against apex, messages rndc would not send (regress/rndc/isccc.py):
  a time five minutes off, a wrong nonce, a command replayed as the
  first message of a new connection (answered with a nonce, not
  obeyed), an "hsha" naming another algorithm, a length over 32 KB:
  each closes the connection and changes nothing;
- stop, last: both exit.

usage: run.py [--build DIR]
"""
import argparse
import base64
import os
import re
import shutil
import signal
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.abspath(os.path.join(HERE, '..', '..'))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(TOP, 'regress'))
import isccc  # noqa: E402
from testlib import free_port, wait_for  # noqa: E402

results = []
KEY = base64.b64encode(os.urandom(32)).decode()
MD5_KEY = base64.b64encode(os.urandom(16)).decode()
RO_KEY = base64.b64encode(os.urandom(32)).decode()
UPD_KEY = base64.b64encode(os.urandom(32)).decode()

ZONE = '''$TTL 300
@	SOA	ns1 hostmaster %d 7200 3600 1209600 60
	NS	ns1
ns1	A	127.0.0.1
www	A	192.0.2.80
'''


def check(name, ok, detail=''):
    results.append(bool(ok))
    print('%s %s%s' % ('PASS' if ok else 'FAIL', name,
                       '' if ok else ': ' + str(detail)), flush=True)


class Server:
    """apex or BIND with the test's named.conf, its rndc.conf files."""

    def __init__(self, kind, build, work, primary_port):
        self.kind, self.work = kind, work
        os.makedirs(work)
        os.chmod(work, 0o777)
        self.port, self.rndc_port, self.ro_port = (
            free_port(), free_port(), free_port())
        for z in ('example.com', 'dyn.example', 'signed.example'):
            with open(os.path.join(work, z + '.zone'), 'w') as f:
                f.write(ZONE % 1)
        self.conf = os.path.join(work, 'named.conf')
        with open(self.conf, 'w') as f:
            f.write(self.named_conf(primary_port))
        self.log = open(os.path.join(work, 'log'), 'w')
        if kind == 'apex':
            cmd = [os.path.join(build, 'named', 'apex-named'), '-g', '-n',
                   '1', '-c', self.conf]
        else:
            cmd = ['named', '-g', '-u', 'root', '-c', self.conf]
        self.proc = subprocess.Popen(cmd, stdout=self.log,
                                     stderr=subprocess.STDOUT)
        ok = wait_for(lambda: self.proc.poll() is not None or
                      self.rndc('status')[0] == 0, timeout=30)
        if not ok or self.proc.poll() is not None:
            raise RuntimeError('%s did not start: %s' % (
                kind, open(os.path.join(work, 'log')).read()[-3000:]))

    def named_conf(self, primary_port):
        w = self.work
        return '''
key "rndc-key" { algorithm hmac-sha256; secret "%s"; };
key "rndc-md5" { algorithm hmac-md5; secret "%s"; };
key "ro-key" { algorithm hmac-sha256; secret "%s"; };
key "upd" { algorithm hmac-sha256; secret "%s"; };
options {
	directory "%s";
	pid-file "%s/pid";
	listen-on port %d { 127.0.0.1; };
	listen-on-v6 { none; };
	recursion no;
	notify no;
};
controls {
	inet 127.0.0.1 port %d allow { 127.0.0.1; }
	    keys { "rndc-key"; "rndc-md5"; };
	inet 127.0.0.1 port %d allow { 127.0.0.1; } keys { "ro-key"; }
	    read-only yes;
};
zone "example.com" { type primary; file "example.com.zone"; };
zone "dyn.example" { type primary; file "dyn.example.zone";
	allow-update { key "upd"; }; };
zone "signed.example" { type primary; file "signed.example.zone";
	dnssec-policy default; inline-signing yes; };
zone "sec.example" { type secondary; file "sec.example.copy";
	primaries { 127.0.0.1 port %d; }; };
''' % (KEY, MD5_KEY, RO_KEY, UPD_KEY, w, w, self.port, self.rndc_port,
            self.ro_port, primary_port)

    def rndc_conf(self, name, secret, alg, port):
        path = os.path.join(self.work, 'rndc-%s-%d.conf' % (name, port))
        with open(path, 'w') as f:
            f.write('key "%s" { algorithm %s; secret "%s"; };\n'
                    'options { default-key "%s"; default-server 127.0.0.1;'
                    ' default-port %d; };\n' % (name, alg, secret, name,
                                                port))
        return path

    def rndc(self, *args, key=('rndc-key', None, 'hmac-sha256'), ro=False,
             source=None):
        name, secret, alg = key
        conf = self.rndc_conf(name, secret or KEY, alg,
                              self.ro_port if ro else self.rndc_port)
        cmd = ['rndc', '-c', conf] + (['-b', source] if source else []) + \
            list(args)
        p = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
        return p.returncode, p.stdout, p.stderr

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Primary:
    """A BIND primary of sec.example for both servers' secondaries."""

    def __init__(self, work):
        os.makedirs(work)
        self.port = free_port()
        with open(os.path.join(work, 'sec.example.zone'), 'w') as f:
            f.write(ZONE % 7)
        conf = os.path.join(work, 'named.conf')
        with open(conf, 'w') as f:
            f.write('options { directory "%s"; pid-file "%s/pid"; '
                    'listen-on port %d { 127.0.0.1; }; listen-on-v6 '
                    '{ none; }; recursion no; notify no; };\n'
                    'controls { };\n'
                    'zone "sec.example" { type primary; file '
                    '"sec.example.zone"; };\n' % (work, work, self.port))
        self.proc = subprocess.Popen(['named', '-g', '-u', 'root', '-c',
                                      conf], stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)

    def stop(self):
        self.proc.terminate()
        self.proc.wait(20)


def lines(text):
    """{key: value} of "key: value" lines."""
    out = {}
    for ln in text.splitlines():
        if ': ' in ln:
            k, v = ln.split(': ', 1)
            out[k] = v
    return out


def failed_line(err):
    m = re.search(r"rndc: '[^']*' failed: (.*)", err)
    return m.group(1) if m else None


def compare_status(a, b):
    rc_a, out_a, _ = a.rndc('status')
    rc_b, out_b, _ = b.rndc('status')
    la, lb = lines(out_a), lines(out_b)
    check('status: both answer, both "up and running"',
          rc_a == 0 and rc_b == 0 and 'server is up and running' in out_a
          and 'server is up and running' in out_b, (out_a, out_b))
    check('status: every key apex prints is one BIND prints',
          set(la) <= set(lb), set(la) - set(lb))
    # BIND counts its automatic empty zones, its _bind view (one zone)
    # and the unsigned side of each inline-signed zone too.
    auto = re.match(r'(\d+) \((\d+) automatic\)', lb.get('number of zones',
                                                        ''))
    check('status: the same number of configured zones',
          auto and la.get('number of zones') == '%d (0 automatic)' % (
              int(auto.group(1)) - int(auto.group(2)) - 1 - 1), (la, lb))
    check('status: configuration file', la.get('configuration file') ==
          a.conf and lb.get('configuration file') == b.conf,
          (la.get('configuration file'), lb.get('configuration file')))


def compare_zonestatus(a, b, zone):
    rc_a, out_a, _ = a.rndc('zonestatus', zone)
    rc_b, out_b, _ = b.rndc('zonestatus', zone)
    la, lb = lines(out_a), lines(out_b)
    check('zonestatus %s: both answer' % zone, rc_a == 0 and rc_b == 0,
          (out_a, out_b))
    check('zonestatus %s: every key apex prints is one BIND prints' % zone,
          set(la) <= set(lb), set(la) - set(lb))
    same = [k for k in ('name', 'type', 'serial', 'secure', 'dynamic',
                        'frozen', 'inline signing', 'key maintenance')
            if k in la or k in lb]
    # A signed zone's serial is the signed one in apex and the unsigned
    # one in BIND, which prints the other as "signed serial".
    if zone == 'signed.example':
        same.remove('serial')
    check('zonestatus %s: %s agree' % (zone, ', '.join(same)),
          all(la.get(k) == lb.get(k) for k in same),
          [(k, la.get(k), lb.get(k)) for k in same
           if la.get(k) != lb.get(k)])


def same_outcome(a, b, args, label=None, **kw):
    """The same exit status, failure line and (-r) result name."""
    ra = a.rndc('-r', *args, **kw)
    rb = b.rndc('-r', *args, **kw)
    res_a = ra[1].strip().splitlines()[-1:] if ra[0] == 0 or ra[1] else []
    res_b = rb[1].strip().splitlines()[-1:] if rb[0] == 0 or rb[1] else []
    ok = ra[0] == rb[0] and failed_line(ra[2]) == failed_line(rb[2]) and \
        res_a == res_b
    check('rndc %s: the same outcome as BIND (%s)' % (
        label or ' '.join(args), 'exit %d%s' % (
            ra[0], ', ' + failed_line(ra[2]) if failed_line(ra[2]) else
            '')), ok, (ra, rb))
    return ra


def test_commands(a, b):
    for args in (['reload'], ['reload', 'example.com'],
                 ['reload', 'nosuch.example'], ['reconfig'],
                 ['notify', 'example.com'], ['refresh', 'example.com'],
                 ['refresh', 'sec.example'], ['retransfer', 'example.com'],
                 ['retransfer', 'sec.example'], ['freeze', 'example.com'],
                 ['freeze', 'dyn.example'], ['thaw', 'dyn.example'],
                 ['sync', 'dyn.example'], ['sync', '-clean', 'dyn.example'],
                 ['zonestatus', 'nosuch.example'], ['bogus'],
                 ['sign', 'signed.example'], ['querylog', 'on']):
        same_outcome(a, b, args)
    for s in (a, b):
        out = s.rndc('status')[1]
        check('%s: query logging is ON after querylog on' % s.kind,
              'query logging is ON' in out, out)
    same_outcome(a, b, ['querylog', 'off'])
    check('apex: query logging is OFF after querylog off',
          'query logging is OFF' in a.rndc('status')[1])
    for s in (a, b):
        rc, out, err = s.rndc('dnssec', '-status', 'signed.example')
        check('%s: dnssec -status signed.example answers' % s.kind,
              rc == 0 and out.strip(), (rc, out, err))
        rc, out, err = s.rndc('stats')
        check('%s: stats succeeds' % s.kind, rc == 0, (rc, out, err))
        rc, out, err = s.rndc('status', key=('rndc-md5', MD5_KEY,
                                             'hmac-md5'))
        check('%s: an HMAC-MD5 key of the channel works' % s.kind,
              rc == 0, (rc, err))
        rc, out, err = s.rndc('status', key=('rndc-key', base64.b64encode(
            os.urandom(32)).decode(), 'hmac-sha256'))
        check('%s: the right key name with a wrong secret is refused' %
              s.kind, rc != 0, (rc, out))
        rc, out, err = s.rndc('status', source='127.0.0.2')
        check('%s: a client outside allow { } is refused' % s.kind,
              rc != 0, (rc, out))
        rc, out, err = s.rndc('status', key=('ro-key', RO_KEY,
                                             'hmac-sha256'), ro=True)
        check('%s: a read-only channel answers status' % s.kind, rc == 0,
              (rc, err))
    same_outcome(a, b, ['reload'], label='reload on the read-only channel',
                 key=('ro-key', RO_KEY, 'hmac-sha256'), ro=True)


def raw_exchange(port, msgs):
    """Sends each message, returns the replies (None: closed)."""
    c = isccc.Conn(port)
    out = []
    try:
        for m in msgs:
            c.send(m)
            r = c.recv()
            out.append(r)
            if r is None:
                break
    except OSError:
        out.append(None)
    finally:
        c.close()
    return out


def test_raw(a):
    secret = base64.b64decode(KEY)
    port = a.rndc_port
    enc = isccc.encode
    r = raw_exchange(port, [enc(isccc.request(1, 'null'), 'hmac-sha256',
                                secret)])
    nonce = r[0] and r[0]['_ctrl'].get('_nonce', b'').decode()
    check('raw: a nonce request is answered with a nonce',
          r[0] is not None and nonce and nonce != '0', r)
    c = isccc.Conn(port)
    c.send(enc(isccc.request(1, 'null'), 'hmac-sha256', secret))
    n = int(c.recv()['_ctrl']['_nonce'])
    cmd = enc(isccc.request(2, 'querylog on', nonce=n), 'hmac-sha256',
              secret)
    c.send(cmd)
    rep = c.recv()
    c.close()
    check('raw: a command with the nonce is obeyed (querylog on)',
          rep is not None and rep['_data'].get('result') == b'0' and
          'query logging is ON' in a.rndc('status')[1], rep)
    a.rndc('querylog', 'off')
    r = raw_exchange(port, [cmd])
    check('raw: the same command replayed on a new connection gets a '
          'nonce, and is not obeyed', r[0] is not None and
          'query logging is OFF' in a.rndc('status')[1], r)
    for label, first, second in (
            ('a time five minutes off',
             enc(isccc.request(1, 'null', now=int(time.time()) - 400),
                 'hmac-sha256', secret), None),
            ('a wrong nonce', enc(isccc.request(1, 'null'), 'hmac-sha256',
                                  secret),
             enc(isccc.request(2, 'querylog on', nonce=1), 'hmac-sha256',
                 secret)),
            ('an hsha naming another algorithm',
             enc(isccc.request(1, 'null'), 'hmac-sha256', secret,
                 mac_alg='hmac-sha512'), None),
            ('a length over 32 KB',
             b'\x00\x01\x00\x01' + b'\0' * 4, None)):
        msgs = [first] + ([second] if second else [])
        r = raw_exchange(port, msgs)
        check('raw: %s closes the connection' % label, r[-1] is None and
              'query logging is OFF' in a.rndc('status')[1], r)
    check('apex: still answers rndc after all that',
          a.rndc('status')[0] == 0)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--build', default=os.path.join(TOP, 'build'))
    args = ap.parse_args()
    build = os.path.abspath(args.build)
    base = tempfile.mkdtemp(prefix='apex-rndc-')
    # apex's loader and apex-xferd run as another user: they read and
    # write the zone files.
    os.chmod(base, 0o755)
    servers = []
    try:
        prim = Primary(os.path.join(base, 'primary'))
        servers.append(prim)
        a = Server('apex', build, os.path.join(base, 'apex'), prim.port)
        servers.append(a)
        b = Server('bind', build, os.path.join(base, 'bind'), prim.port)
        servers.append(b)
        # The signed zone and the secondary are ready on both.
        for s in (a, b):
            wait_for(lambda: 'serial: 7' in s.rndc('zonestatus',
                                                   'sec.example')[1], 30)
            wait_for(lambda: 'secure: yes' in s.rndc(
                'zonestatus', 'signed.example')[1], 60)
        compare_status(a, b)
        for z in ('example.com', 'dyn.example', 'signed.example',
                  'sec.example'):
            compare_zonestatus(a, b, z)
        test_commands(a, b)
        test_raw(a)
        for s in (a, b):
            rc, out, err = s.rndc('stop')
            check('%s: stop' % s.kind, rc == 0 and wait_for(
                lambda: s.proc.poll() is not None, 20), (rc, err))
        log = open(os.path.join(a.work, 'log')).read()
        bad = [ln for ln in log.splitlines() if re.search(
            r'AddressSanitizer|runtime error|killed by signal|exited with',
            ln)]
        check('apex: no child died and no sanitizer spoke', not bad, bad)
    finally:
        for s in servers:
            s.stop()
        shutil.rmtree(base, ignore_errors=True)
    print('%d passed, %d failed' % (results.count(True),
                                    results.count(False)))
    sys.exit(0 if results and all(results) else 1)


if __name__ == '__main__':
    main()
