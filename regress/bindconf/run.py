#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""BIND configurations that run unchanged on apex, started beside BIND 9
with the same statements:

- Debian's default zones (named.conf.default-zones with its hint zone
  for the root, localhost, 127/0/255.in-addr.arpa and their db.* files
  from bind9's package): apex leaves the hint zone out with a warning
  and answers every other zone as BIND does (answer, authority, rcode,
  AA);
- transfer-source: a BIND primary that allows transfers to 127.0.0.12
  only: apex's secondary with transfer-source 127.0.0.12 gets the zone,
  one without it is refused; primaries source 127.0.0.13 { ... } works
  the same way for one list;
- notify-source: NOTIFY for an apex primary arrives from 127.0.0.14, the
  address named, at a listener the test holds;
- a secondary zone without a file: served from memory, no file written,
  an IXFR request answered with the whole zone, transferred again after
  a restart;
- request-ixfr no in one zone: after a change on the primary that zone
  is transferred whole (AXFR), its neighbour incrementally (IXFR);
  provide-ixfr no: an IXFR request gets the whole zone; blackhole: a
  client in it gets no answer at all, others do; ixfr-from-differences,
  masterfile-format text and the options apex does differently load
  with a warning naming each;
- update-policy local beside BIND: each writes its session-keyfile
  (0600); nsupdate -l with it adds a record from 127.0.0.1 on both,
  and is refused on both from 127.0.0.2, which is not one of the host's
  addresses; apex keeps the key across a reconfig;
- server statements: the keys { K; } of server 127.0.0.1 sign the
  transfer from a BIND primary that requires that key, where the
  primaries list names none; a primary marked bogus is skipped (logged)
  and the next one used.

usage: run.py [--build DIR]
"""
import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.abspath(os.path.join(HERE, '..', '..'))
sys.path.insert(0, os.path.join(TOP, 'regress'))
from testlib import free_port, wait_for  # noqa: E402

results = []
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


def dig(port, *args):
    p = subprocess.run(['dig', '@127.0.0.1', '-p', str(port), '+norec',
                        '+time=2', '+tries=1'] + list(args),
                       capture_output=True, text=True, timeout=30)
    return p.stdout


def summary(out):
    """What two servers must agree on in dig's output: the status,
    the AA flag and the records of every section, without the id and
    timings."""
    status = re.search(r'status: (\w+)', out)
    flags = re.search(r'flags: ([a-z ]+);', out)
    recs = sorted(re.sub(r'\s+', ' ', ln) for ln in out.splitlines()
                  if ln and not ln.startswith(';'))
    return (status.group(1) if status else None,
            'aa' in (flags.group(1).split() if flags else []), recs)


class Proc:
    def __init__(self, cmd, work, name):
        self.work = work
        self.logpath = os.path.join(work, name + '.log')
        self.log = open(self.logpath, 'w')
        self.cmd = cmd
        self.proc = subprocess.Popen(cmd, stdout=self.log,
                                     stderr=subprocess.STDOUT)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def logtext(self):
        self.log.flush()
        return open(self.logpath).read()


def log_clean(p):
    """No child of apex died and no sanitizer spoke."""
    bad = [ln for ln in p.logtext().splitlines() if re.search(
        r'AddressSanitizer|runtime error|killed by signal|exited with', ln)]
    check('%s: no child died, no sanitizer report' % os.path.basename(
        p.logpath), not bad, bad)


def apex(build, work, conf, name='apex'):
    return Proc([os.path.join(build, 'named', 'apex-named'), '-g', '-n', '1',
                 '-c', conf], work, name)


def bind(work, conf, name='bind'):
    return Proc(['named', '-g', '-u', 'root', '-c', conf], work, name)


def up(port, zone):
    return wait_for(lambda: 'status: NOERROR' in dig(port, zone, 'SOA'), 20)


def test_default_zones(build, base):
    """Debian's default zones, as bind9 installs them."""
    d = os.path.join(base, 'default')
    os.makedirs(d)
    text = open('/etc/bind/named.conf.default-zones').read()
    for f in ('db.local', 'db.127', 'db.0', 'db.255'):
        shutil.copy('/etc/bind/' + f, d)
    text = text.replace('/etc/bind/', d + '/')
    with open(os.path.join(d, 'named.conf.default-zones'), 'w') as f:
        f.write(text)
    servers = {}
    for kind in ('apex', 'bind'):
        port = free_port()
        conf = os.path.join(d, kind + '.conf')
        with open(conf, 'w') as f:
            f.write('options { directory "%s"; pid-file "%s/%s.pid"; '
                    'listen-on port %d { 127.0.0.1; }; listen-on-v6 '
                    '{ none; }; recursion no; };\ncontrols { };\n'
                    'include "%s/named.conf.default-zones";\n' % (
                        d, d, kind, port, d))
        p = apex(build, d, conf) if kind == 'apex' else bind(d, conf)
        servers[kind] = (p, port)
    try:
        for kind, (p, port) in servers.items():
            check('default zones: %s answers' % kind,
                  up(port, 'localhost'), p.logtext()[-2000:])
        log = servers['apex'][0].logtext()
        check('default zones: apex warns that it leaves the hint zone out',
              "zone '.': type hint is for resolvers" in log, log[-2000:])
        for q in (('localhost', 'SOA'), ('localhost', 'A'),
                  ('localhost', 'AAAA'), ('localhost', 'NS'),
                  ('1.0.0.127.in-addr.arpa', 'PTR'),
                  ('127.in-addr.arpa', 'NS'), ('0.in-addr.arpa', 'SOA'),
                  ('255.in-addr.arpa', 'SOA'), ('x.localhost', 'A'),
                  ('2.0.0.127.in-addr.arpa', 'PTR')):
            a = summary(dig(servers['apex'][1], *q))
            b = summary(dig(servers['bind'][1], *q))
            check('default zones: %s %s as BIND answers' % q, a == b,
                  (a, b))
    finally:
        for p, _ in servers.values():
            p.stop()
        log_clean(servers['apex'][0])


def primary_conf(d, port, zones):
    with open(os.path.join(d, 'named.conf'), 'w') as f:
        f.write('options { directory "%s"; pid-file "%s/pid"; '
                'listen-on port %d { 127.0.0.1; }; listen-on-v6 { none; };'
                ' recursion no; notify no; };\ncontrols { };\n' % (
                    d, d, port))
        for z, allow in zones:
            with open(os.path.join(d, z + '.zone'), 'w') as zf:
                zf.write(ZONE % 5)
            f.write('zone "%s" { type primary; file "%s.zone"; '
                    'allow-transfer { %s; }; };\n' % (z, z, allow))
    return os.path.join(d, 'named.conf')


def serial(port, zone):
    m = re.search(r'\sSOA\s+\S+\s+\S+\s+(\d+)', dig(port, zone, 'SOA'))
    return int(m.group(1)) if m else None


def test_sources(build, base):
    d = os.path.join(base, 'sources')
    pd = os.path.join(d, 'primary')
    ad = os.path.join(d, 'apex')
    os.makedirs(pd)
    os.makedirs(ad)
    os.chmod(ad, 0o777)
    pport, aport = free_port(), free_port()
    prim = bind(pd, primary_conf(pd, pport, [
        ('xs.example', '127.0.0.12'), ('none.example', '127.0.0.12'),
        ('list.example', '127.0.0.13')]))
    # A listener for apex's NOTIFY, and an apex primary to send it.
    sink = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sink.bind(('127.0.0.1', 0))
    sink.settimeout(10)
    with open(os.path.join(ad, 'np.example.zone'), 'w') as f:
        f.write(ZONE % 1)
    conf = os.path.join(ad, 'named.conf')
    with open(conf, 'w') as f:
        f.write('''options { directory "%s"; pid-file "%s/pid";
	listen-on port %d { 127.0.0.1; }; listen-on-v6 { none; };
	notify-source 127.0.0.14; };
controls { };
zone "xs.example" { type secondary; file "xs.copy";
	transfer-source 127.0.0.12; primaries { 127.0.0.1 port %d; }; };
zone "none.example" { type secondary; file "none.copy";
	primaries { 127.0.0.1 port %d; }; };
zone "list.example" { type secondary; allow-transfer { 127.0.0.1; };
	primaries port %d source 127.0.0.13 { 127.0.0.1; }; };
zone "np.example" { type primary; file "np.example.zone";
	notify explicit; also-notify { 127.0.0.1 port %d; }; };
''' % (ad, ad, aport, pport, pport, pport, sink.getsockname()[1]))
    # The primary first: a refused first attempt waits for min-retry.
    up(pport, 'xs.example')
    a = apex(build, ad, conf)
    try:
        check('transfer-source: the zone comes to the address the primary '
              'allows', wait_for(lambda: serial(aport, 'xs.example') == 5,
                                 20), a.logtext()[-2000:])
        check('primaries source ADDR { }: the same for one list (in '
              'memory: no file)', wait_for(
                  lambda: serial(aport, 'list.example') == 5, 20),
              a.logtext()[-2000:])
        time.sleep(1)
        check('without transfer-source the primary refuses it',
              serial(aport, 'none.example') is None and
              not os.path.exists(os.path.join(ad, 'none.copy')),
              dig(aport, 'none.example', 'SOA'))
        try:
            data, peer = sink.recvfrom(4096)
        except socket.timeout:
            data, peer = b'', None
        check('notify-source: NOTIFY comes from 127.0.0.14',
              peer is not None and peer[0] == '127.0.0.14' and
              len(data) > 12 and (data[2] >> 3) & 0xf == 4, (peer, data))
        test_in_memory(build, a, ad, conf, aport)
    finally:
        prim.stop()
        a.stop()
        sink.close()
        log_clean(a)


def test_in_memory(build, a, ad, conf, aport):
    """list.example has no file."""
    files = sorted(os.listdir(ad))
    check('a secondary without a file writes none (nor a journal)',
          not [f for f in files if f.startswith('list')], files)
    out = subprocess.run(['dig', '@127.0.0.1', '-p', str(aport),
                          'list.example', 'IXFR=1', '+tcp'],
                         capture_output=True, text=True, timeout=30).stdout
    soas = [ln for ln in out.splitlines() if '\tSOA\t' in ln]
    check('an IXFR request for it gets the whole zone',
          len(soas) == 2 and 'www.list.example.' in out, out)
    a.stop()
    b = apex(build, ad, conf, name='apex2')
    try:
        check('after a restart it is transferred again and served',
              wait_for(lambda: serial(aport, 'list.example') == 5, 20),
              b.logtext()[-2000:])
    finally:
        b.stop()
        log_clean(b)


def xfr_conf(d, port, pport, ctl):
    conf = os.path.join(d, 'named.conf')
    with open(os.path.join(d, 'pv.example.zone'), 'w') as f:
        f.write(ZONE % 1)
    with open(conf, 'w') as f:
        f.write('''options { directory "%s"; pid-file "%s/pid";
	listen-on port %d { 127.0.0.1; 127.0.0.2; }; listen-on-v6 { none; };
	provide-ixfr no; blackhole { 127.0.0.2; }; allow-transfer { any; };
	ixfr-from-differences yes; masterfile-format text;
	max-ixfr-ratio 90%%; notify-delay 0; zone-statistics no; };
controls { unix "%s" perm 0600 owner 0 group 0; };
zone "ix.example" { type secondary; file "ix.copy"; request-ixfr no;
	primaries { 127.0.0.1 port %d; }; };
zone "ix2.example" { type secondary; file "ix2.copy";
	primaries { 127.0.0.1 port %d; }; };
zone "pv.example" { type primary; file "pv.example.zone"; };
''' % (d, d, port, ctl, pport, pport))
    return conf


def bump_primary(pd, serial):
    for z in ('ix.example', 'ix2.example'):
        with open(os.path.join(pd, z + '.zone'), 'w') as f:
            f.write(ZONE % serial + 'new%d\tA\t192.0.2.%d\n' % (serial,
                                                               serial))


def test_transfer_options(build, base):
    d = os.path.join(base, 'xfropts')
    pd, ad = os.path.join(d, 'primary'), os.path.join(d, 'apex')
    os.makedirs(pd)
    os.makedirs(ad)
    os.chmod(ad, 0o777)
    pport, aport = free_port(), free_port()
    conf = primary_conf(pd, pport, [('ix.example', 'any'),
                                    ('ix2.example', 'any')])
    text = open(conf).read().replace(
        'notify no;', 'notify explicit; ixfr-from-differences yes; '
        'also-notify { 127.0.0.1 port %d; };' % aport)
    with open(conf, 'w') as f:
        f.write(text)
    prim = bind(pd, conf)
    up(pport, 'ix.example')
    ctl = os.path.join(ad, 'control')
    a = apex(build, ad, xfr_conf(ad, aport, pport, ctl))
    try:
        ok = wait_for(lambda: serial(aport, 'ix.example') == 5 and
                      serial(aport, 'ix2.example') == 5, 20)
        check('transfer options: both secondaries are loaded', ok,
              a.logtext()[-2000:])
        log = a.logtext()
        warned = [o for o in ('max-ixfr-ratio', 'notify-delay',
                              'zone-statistics')
                  if re.search(r'warning: %s: .*; ignored' % o, log)]
        check('the options apex does differently are each warned about',
              len(warned) == 3 and 'ixfr-from-differences' not in log,
              (warned, log[:2000]))
        bump_primary(pd, 6)
        prim.proc.send_signal(signal.SIGHUP)
        ok = wait_for(lambda: serial(aport, 'ix.example') == 6 and
                      serial(aport, 'ix2.example') == 6, 30)
        log = a.logtext()
        check('after a change on the primary both have serial 6', ok,
              log[-2000:])
        check('request-ixfr no: the zone came whole (AXFR) again',
              len(re.findall(r'zone ix\.example: AXFR from \S+ started',
                             log)) == 2 and
              'zone ix.example: IXFR from' not in log, log[-3000:])
        check('request-ixfr (default yes): the neighbour came by IXFR',
              'zone ix2.example: IXFR from' in log, log[-3000:])
        out = subprocess.run(['dig', '@127.0.0.1', '-p', str(aport),
                              'ix2.example', 'IXFR=5', '+tcp'],
                             capture_output=True, text=True,
                             timeout=30).stdout
        soas = [ln for ln in out.splitlines() if '\tSOA\t' in ln]
        check('provide-ixfr no: an IXFR request gets the whole zone',
              len(soas) == 2 and 'www.ix2.example.' in out and
              'IXFR (whole zone: provide-ixfr no)' in a.logtext(), out)
        check('blackhole: a client outside it is answered',
              serial(aport, 'pv.example') == 1)
        out = subprocess.run(['dig', '@127.0.0.2', '-p', str(aport), '-b',
                              '127.0.0.2', 'pv.example', 'SOA', '+time=2',
                              '+tries=1'], capture_output=True, text=True,
                             timeout=30).stdout
        check('blackhole: a client in it gets no answer at all',
              'timed out' in out or 'no servers could be reached' in out,
              out)
    finally:
        prim.stop()
        a.stop()
        log_clean(a)


SKEY = 'bindconf-key'
SSECRET = 'c2VydmVyIHN0YXRlbWVudCBrZXkgZm9yIGFwZXggdGVzdA=='


def test_server_statement(build, base):
    d = os.path.join(base, 'server')
    pd, ad = os.path.join(d, 'primary'), os.path.join(d, 'apex')
    os.makedirs(pd)
    os.makedirs(ad)
    os.chmod(ad, 0o777)
    pport, aport, dead = free_port(), free_port(), free_port()
    keydef = 'key "%s" { algorithm hmac-sha256; secret "%s"; };\n' % (
        SKEY, SSECRET)
    conf = primary_conf(pd, pport, [('sk.example', 'key "%s"' % SKEY)])
    with open(conf, 'a') as f:
        f.write(keydef)
    prim = bind(pd, conf)
    up(pport, 'sk.example')
    aconf = os.path.join(ad, 'named.conf')
    with open(aconf, 'w') as f:
        f.write(keydef + '''options { directory "%s"; pid-file "%s/pid";
	listen-on port %d { 127.0.0.1; }; listen-on-v6 { none; }; };
controls { };
server 127.0.0.1 { keys { "%s"; }; };
server 127.0.0.17 { bogus yes; };
zone "sk.example" { type secondary; file "sk.copy";
	primaries { 127.0.0.17 port %d; 127.0.0.1 port %d; }; };
''' % (ad, ad, aport, SKEY, dead, pport))
    a = apex(build, ad, aconf)
    try:
        ok = wait_for(lambda: serial(aport, 'sk.example') == 5, 20)
        log = a.logtext()
        plain = subprocess.run(['dig', '@127.0.0.1', '-p', str(pport),
                                'sk.example', 'AXFR'], capture_output=True,
                               text=True, timeout=30).stdout
        check('the primary refuses the zone without the key',
              'Transfer failed' in plain, plain)
        check('server { keys }: apex, whose primaries list names no key, '
              'gets it signed with the server\'s key', ok, log[-2000:])
        check('server { bogus yes; }: that primary is skipped, logged',
              'primary 127.0.0.17#%d: marked bogus' % dead in log,
              log[-2000:])
    finally:
        prim.stop()
        a.stop()
        log_clean(a)


def nsupdate_local(port, keyfile, name, source=None):
    script = ('local %s\n' % source if source else '') + \
        'update add %s 300 A 192.0.2.44\nsend\n' % name
    p = subprocess.run(['nsupdate', '-l', '-k', keyfile, '-p', str(port)],
                       input=script, capture_output=True, text=True,
                       timeout=30)
    return p.returncode, p.stdout + p.stderr


def test_update_local(build, base):
    d = os.path.join(base, 'local')
    os.makedirs(d)
    os.chmod(d, 0o777)
    procs = {}
    for kind in ('apex', 'bind'):
        port = free_port()
        kd = os.path.join(d, kind)
        os.makedirs(kd)
        os.chmod(kd, 0o777)
        with open(os.path.join(kd, 'l.example.zone'), 'w') as f:
            f.write(ZONE % 1)
        os.chmod(os.path.join(kd, 'l.example.zone'), 0o666)
        conf = os.path.join(kd, 'named.conf')
        with open(conf, 'w') as f:
            f.write('options { directory "%s"; pid-file "%s/pid"; '
                    'listen-on port %d { 127.0.0.1; 127.0.0.2; }; '
                    'listen-on-v6 { none; }; session-keyfile '
                    '"%s/session.key"; };\n%s\nzone "l.example" { type '
                    'primary; file "l.example.zone"; update-policy local; '
                    '};\n' % (kd, kd, port, kd, 'controls { unix "%s/ctl" '
                               'perm 0600 owner 0 group 0; };' % kd
                               if kind == 'apex' else 'controls { };'))
        procs[kind] = ((apex(build, kd, conf) if kind == 'apex' else
                        bind(kd, conf)), port, kd)
    try:
        for kind, (p, port, kd) in procs.items():
            check('update-policy local: %s starts' % kind,
                  up(port, 'l.example'), p.logtext()[-1500:])
            key = os.path.join(kd, 'session.key')
            mode = os.stat(key).st_mode & 0o777 if os.path.exists(key) \
                else None
            check('update-policy local: %s wrote session-keyfile, 0600' %
                  kind, mode == 0o600, oct(mode or 0))
            rc, out = nsupdate_local(port, key, 'a.l.example.')
            got = dig(port, 'a.l.example', 'A')
            check('update-policy local: %s takes nsupdate -l from '
                  '127.0.0.1' % kind, rc == 0 and '192.0.2.44' in got,
                  (out, got))
            rc, out = nsupdate_local(port, key, 'b.l.example.',
                                     source='127.0.0.2')
            check('update-policy local: %s refuses it from 127.0.0.2' %
                  kind, rc != 0 and 'REFUSED' in out and 'status: NXDOMAIN'
                  in dig(port, 'b.l.example', 'A'), out)
        p, port, kd = procs['apex']
        before = open(os.path.join(kd, 'session.key')).read()
        rc = subprocess.run([os.path.join(build, 'ctl', 'apex-ctl'), '-s',
                             os.path.join(kd, 'ctl'), 'reconfig'],
                            capture_output=True, text=True, timeout=60)
        time.sleep(1)
        rc2, out = nsupdate_local(port, os.path.join(kd, 'session.key'),
                                  'c.l.example.')
        check('update-policy local: apex keeps the key across a reconfig',
              rc.returncode == 0 and before == open(os.path.join(
                  kd, 'session.key')).read() and rc2 == 0, (rc.stdout,
                                                            out))
    finally:
        for p, _, _ in procs.values():
            p.stop()
        log_clean(procs['apex'][0])


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--build', default=os.path.join(TOP, 'build'))
    args = ap.parse_args()
    build = os.path.abspath(args.build)
    base = tempfile.mkdtemp(prefix='apex-bindconf-')
    os.chmod(base, 0o755)
    try:
        test_default_zones(build, base)
        test_sources(build, base)
        test_transfer_options(build, base)
        test_server_statement(build, base)
        test_update_local(build, base)
    finally:
        shutil.rmtree(base, ignore_errors=True)
    print('%d passed, %d failed' % (results.count(True),
                                    results.count(False)))
    sys.exit(0 if results and all(results) else 1)


if __name__ == '__main__':
    main()
