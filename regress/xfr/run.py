#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""Zone transfers between real servers on loopback, with TSIG
(hmac-sha256): apex primary -> BIND secondary (AXFR, then NOTIFY and
IXFR), BIND primary -> apex secondary (the same the other way), apex ->
apex, apex -> Knot, NSD -> apex; then what must fail: no key, a wrong
key, a wrong algorithm, an address not allowed, NOTIFY from a stranger,
broken transfers from a fake primary (truncated, out-of-zone data, a
wrong final SOA, an SOA without its counters, garbage, unsigned where a
key is configured, a zone that does not build), a primary that is down (retry, expiry, SERVFAIL,
recovery), and restarts (a secondary serves its copy at once, a
primary's journal survives).

Prints PASS/FAIL per check and "N passed, M failed"; exits 1 on any
failure."""

import argparse
import base64
import hashlib
import os
import re
import shutil
import signal
import socket
import socketserver
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request

import dns.edns
import dns.flags
import dns.message
import dns.name
import dns.opcode
import dns.query
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdatatype
import dns.rrset
import dns.tsig
import dns.tsigkeyring
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                '..'))
from testlib import free_port, wait_for, recv_exact, sign_zone  # noqa: E402,E501

TOP = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
KEY = 'xfr-key'
SECRET = base64.b64encode(b'apex-transfer-test-secret-32-oct').decode()
WRONG = base64.b64encode(b'not-the-secret-at-all-32-octets!').decode()
RESULTS = [0, 0]
PROCS = []


def check(name, ok, detail=''):
    RESULTS[0 if ok else 1] += 1
    print('%s %s' % ('PASS' if ok else 'FAIL', name))
    if not ok and detail != '':
        print('    %s' % (detail,))
    sys.stdout.flush()


# ---- zones -------------------------------------------------------------

ZONE = '''$TTL 300
@	SOA	ns1.{o}. hostmaster.{o}. {serial} {refresh} {retry} {expire} 60
	NS	ns1
	NS	ns2.example.net.
	MX	10 mail
	TXT	"v=spf1 -all"
	CAA	0 issue "ca.example.net"
ns1	A	192.0.2.53
	AAAA	2001:db8::53
mail	A	192.0.2.25
www	A	192.0.2.{www}
	AAAA	2001:db8::1
alias	CNAME	www
_sip._udp SRV	10 60 5060 www
sshfp	SSHFP	1 1 123456789abcdef67890123456789abcdef67890
tlsa	TLSA	3 1 1 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
naptr	NAPTR	100 10 "u" "E2U+sip" "!^.*$!sip:info@example.net!" .
hinfo	HINFO	"pc" "linux"
rp	RP	hostmaster.{o}. txt.{o}.
txt	TXT	"first" "second with spaces" "quote \\" inside"
ptr	PTR	www.{o}.
dname	DNAME	example.net.
*.wild	A	192.0.2.99
sub	NS	ns.sub
ns.sub	A	192.0.2.77
sub	DS	12345 8 2 0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef
odd	TYPE65280 \\# 4 0a000001
{extra}
$GENERATE 1-{bulk} host$ A 198.51.100.${{0,0,d}}
'''


def zone_text(origin, serial, www=1, extra='', refresh=3600, retry=600,
              expire=86400, bulk=1500):
    return ZONE.format(o=origin, serial=serial, www=www, extra=extra,
                       refresh=refresh, retry=retry, expire=expire,
                       bulk=bulk)


def write_zone(path, origin, serial, **kw):
    text = zone_text(origin, serial, **kw)
    # NSD and Knot know no $GENERATE: expand it here for everyone.
    lines = []
    for line in text.splitlines():
        m = re.match(r'\$GENERATE 1-(\d+) host\$ A 198\.51\.100\.', line)
        if m:
            for i in range(1, int(m.group(1)) + 1):
                lines.append('host%d A 198.51.100.%d' % (i, i % 256))
        else:
            lines.append(line)
    tmp = path + '.tmp'
    with open(tmp, 'w') as f:
        f.write('$ORIGIN %s.\n' % origin + '\n'.join(lines) + '\n')
    os.rename(tmp, path)
    # A new mtime even within the same second, for servers that look.
    t = time.time() + serial
    os.utime(path, (t, t))


# ---- DNS helpers --------------------------------------------------------

def keyring(secret=SECRET):
    return dns.tsigkeyring.from_text({KEY: ('hmac-sha256', secret)})


def soa_serial(port, origin, timeout=1.0):
    q = dns.message.make_query(origin + '.', 'SOA')
    r = dns.query.udp(q, '127.0.0.1', port=port, timeout=timeout)
    if r.rcode() != dns.rcode.NOERROR:
        return None
    for rr in r.answer:
        if rr.rdtype == dns.rdatatype.SOA:
            return rr[0].serial
    return None


def expire_of(port, origin, qtype='SOA'):
    """The EXPIRE option (RFC 7314) of the answer to a query carrying
    it: SOA over UDP, a transfer's first message over TCP; or None."""
    q = dns.message.make_query(origin + '.', qtype, use_edns=0, options=[
        dns.edns.GenericOption(9, b'')])
    if qtype == 'SOA':
        r = dns.query.udp(q, '127.0.0.1', port=port, timeout=3.0)
    else:
        s = socket.create_connection(('127.0.0.1', port), timeout=3)
        try:
            w = q.to_wire()
            s.sendall(struct.pack('!H', len(w)) + w)
            n = struct.unpack('!H', recv_exact(s, 2))[0]
            r = dns.message.from_wire(recv_exact(s, n))
        finally:
            s.close()
    for o in r.options:
        if o.otype == 9:
            return struct.unpack('!I', o.to_wire())[0]
    return None


def rcode_of(port, name, qtype='A'):
    q = dns.message.make_query(name, qtype)
    r = dns.query.udp(q, '127.0.0.1', port=port, timeout=1.0)
    return r.rcode()


def axfr(port, origin, secret=SECRET, algorithm='hmac-sha256',
         source='127.0.0.1', keyed=True):
    """Every record of a zone transfer as a set of text lines (owner
    lowercased), and the rcode of the first message."""
    q = dns.message.make_query(origin + '.', 'AXFR')
    if keyed:
        kr = dns.tsigkeyring.from_text({KEY: (algorithm, secret)})
        q.use_tsig(kr, keyname=KEY, algorithm=algorithm)
    out = set()
    soas = 0
    with socket.create_connection(('127.0.0.1', port), timeout=5,
                                  source_address=(source, 0)) as s:
        w = q.to_wire()
        s.sendall(struct.pack('!H', len(w)) + w)
        ctx = None
        first = True
        while soas < 2:
            hdr = recv_exact(s, 2)
            if hdr is None:
                raise EOFError('closed')
            wire = recv_exact(s, struct.unpack('!H', hdr)[0])
            if keyed:
                r = dns.message.from_wire(wire, keyring=q.keyring,
                                          request_mac=q.mac, xfr=True,
                                          origin=None, tsig_ctx=ctx,
                                          multi=True,
                                          one_rr_per_rrset=True)
                ctx = r.tsig_ctx
            else:
                r = dns.message.from_wire(wire, one_rr_per_rrset=True)
            if first and r.rcode() != dns.rcode.NOERROR:
                return r.rcode(), out
            first = False
            for rrset in r.answer:
                if rrset.rdtype == dns.rdatatype.SOA:
                    soas += 1
                for rd in rrset:
                    out.add('%s %d %s %s' % (
                        rrset.name.to_text().lower(), rrset.ttl,
                        dns.rdatatype.to_text(rrset.rdtype),
                        rd.to_text()))
    return dns.rcode.NOERROR, out


def transfer_error(port, origin, **kw):
    """The rcode (or exception text) a transfer request gets."""
    try:
        rc, _ = axfr(port, origin, **kw)
        return dns.rcode.to_text(rc)
    except dns.tsig.PeerBadKey:
        return 'BADKEY'
    except dns.tsig.PeerBadSignature:
        return 'BADSIG'
    except Exception as e:  # noqa: BLE001 - what the client saw
        return type(e).__name__


def http_get(port, path):
    try:
        with urllib.request.urlopen('http://127.0.0.1:%d%s' % (port, path),
                                    timeout=3) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()


def metric(text, name, zone, extra=''):
    m = re.search(r'^%s\{zone="%s"%s\} (\S+)$' % (
        re.escape(name), re.escape(zone), re.escape(extra)), text, re.M)
    return float(m.group(1)) if m else None


# ---- servers ------------------------------------------------------------

class Proc:
    def __init__(self, name, cmd, log, cwd=None, env=None):
        self.name, self.log = name, log
        self.proc = subprocess.Popen(cmd, stdout=open(log, 'a'),
                                     stderr=subprocess.STDOUT, cwd=cwd,
                                     env=env, start_new_session=True)
        PROCS.append(self)

    def logtext(self):
        return open(self.log, errors='replace').read()

    def stop(self, sig=signal.SIGTERM):
        if self.proc.poll() is None:
            try:
                os.killpg(self.proc.pid, sig)
            except ProcessLookupError:
                pass
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait()

    def signal(self, sig):
        os.kill(self.proc.pid, sig)


class Apex:
    def __init__(self, args, work, name, zones, options=''):
        self.args, self.name = args, name
        self.dir = os.path.join(work, name)
        os.makedirs(self.dir, exist_ok=True)
        os.chmod(self.dir, 0o777)   # the children run unprivileged
        self.port, self.http = free_port(), free_port()
        self.ctlsock = os.path.join(self.dir, 'control')
        self.conf = os.path.join(self.dir, 'named.conf')
        self.log = os.path.join(self.dir, 'apex.log')
        self.zones, self.options = zones, options
        self.write_conf()
        self.proc = None

    def write_conf(self):
        with open(self.conf, 'w') as f:
            f.write('key "%s" { algorithm hmac-sha256; secret "%s"; };\n'
                    % (KEY, SECRET))
            f.write('options { directory "%s"; listen-on port %d '
                    '{ 127.0.0.1; }; listen-on-v6 { none; }; notify '
                    'explicit; %s };\n' % (self.dir, self.port,
                                           self.options))
            f.write('controls { unix "%s" perm 0600 owner 0 group 0; };\n'
                    % self.ctlsock)
            f.write('statistics-channels { inet 127.0.0.1 port %d allow '
                    '{ 127.0.0.1; }; };\n' % self.http)
            for z in self.zones:
                f.write(z + '\n')

    def start(self):
        apex = os.path.join(self.args.build, 'named', 'apex-named')
        self.proc = Proc(self.name, [apex, '-g', '-n', '1', '-c',
                                     self.conf], self.log)
        ok = wait_for(lambda: socket.create_connection(
            ('127.0.0.1', self.port), timeout=0.2).close() or True, 10)
        if not ok:
            raise RuntimeError('%s did not start:\n%s' % (
                self.name, self.proc.logtext()[-2000:]))
        # apex-xferd is up once the control channel knows the zones.
        wait_for(lambda: self.ctl('status')[0] == 0, 5)
        return self

    def ctl(self, *cmd):
        r = subprocess.run([os.path.join(self.args.build, 'ctl', 'apex-ctl'),
                            '-s', self.ctlsock] + list(cmd),
                           capture_output=True, text=True)
        return r.returncode, r.stdout + r.stderr

    def logtext(self):
        return self.proc.logtext()

    def stop(self, sig=signal.SIGTERM):
        if self.proc:
            self.proc.stop(sig)


# ---- the scenarios --------------------------------------------------------

def axfr_any(port, origin):
    """A transfer signed with the key, or else unsigned: servers differ
    in whether an address-only ACL takes a signed request."""
    try:
        rc, recs = axfr(port, origin)
        if rc == dns.rcode.NOERROR:
            return rc, recs
    except Exception:  # noqa: BLE001 - try the other way
        pass
    return axfr(port, origin, keyed=False)


def content_equal(name, a_port, b_port, origin):
    ra, a = axfr_any(a_port, origin)
    rb, b = axfr_any(b_port, origin)
    check(name, ra == rb == dns.rcode.NOERROR and a == b and len(a) > 1500,
          (len(a), len(b), sorted(a ^ b)[:6]))


def apex_primary_zone(origin, notify_port, extra='', acl=''):
    return ('zone "%s" { type primary; file "%s.zone"; allow-transfer '
            '{ %s key %s; }; also-notify { 127.0.0.1 port %d key %s; }; %s };'
            % (origin, origin, acl, KEY, notify_port, KEY, extra))


def apex_secondary_zone(origin, primary_port, extra=''):
    """primary_port: one port, or a list tried in order."""
    ports = primary_port if isinstance(primary_port, list) else \
        [primary_port]
    return ('zone "%s" { type secondary; file "%s.db"; primaries { %s }; '
            'allow-transfer { 127.0.0.1; }; %s };' % (
                origin, origin, ' '.join('127.0.0.1 port %d key %s;' % (
                    p, KEY) for p in ports), extra))


def test_apex_to_bind(args, work):
    o = 'xfr1.test'
    bport = free_port()
    p = Apex(args, work, 'apex1', [apex_primary_zone(o, bport)])
    write_zone(os.path.join(p.dir, o + '.zone'), o, 1)
    p.start()
    b = start_bind_on(work, 'bind1', bport,
                      'zone "%s" { type secondary; primaries { 127.0.0.1 '
                      'port %d key %s; }; file "%s.bind"; };\n'
                      % (o, p.port, KEY, o))
    check('apex -> BIND: BIND has serial 1 (AXFR with TSIG)',
          wait_for(lambda: soa_serial(b.port, o) == 1, 20),
          b.logtext()[-1500:])
    content_equal('apex -> BIND: the same records', p.port, b.port, o)
    write_zone(os.path.join(p.dir, o + '.zone'), o, 2, www=2,
               extra='new\tA\t192.0.2.200')
    rc, out = p.ctl('reload', o)
    check('apex -> BIND: BIND follows to serial 2 after NOTIFY',
          rc == 0 and wait_for(lambda: soa_serial(b.port, o) == 2, 20),
          (out, b.logtext()[-1500:]))
    log = p.logtext()
    check('apex -> BIND: served from the journal as IXFR',
          re.search(r'\(key xfr-key\): IXFR of zone xfr1\.test started '
                    r'\(serial 2\)', log) is not None, log[-1500:])
    m = re.search(r'Transfer completed: \d+ messages, (\d+) records.*'
                  r'\(serial 2\)', b.logtext())
    check('apex -> BIND: BIND got only the differences',
          m is not None and int(m.group(1)) < 20, b.logtext()[-1500:])
    content_equal('apex -> BIND: the same records after IXFR', p.port,
                  b.port, o)
    code, text = http_get(p.http, '/metrics')
    check('metrics: transfers out and NOTIFY sent are counted',
          (metric(text, 'apex_xfr_out_total', o, ',result="ok"') or 0) >= 2
          and (metric(text, 'apex_notify_sent_total', o) or 0) >= 2 and
          (metric(text, 'apex_journal_bytes', o) or 0) > 0,
          [ln for ln in text.splitlines() if o in ln])
    b.stop()
    p.stop()


def start_bind_on(work, name, port, body):
    d = os.path.join(work, name)
    os.makedirs(d, exist_ok=True)
    conf = os.path.join(d, 'named.conf')
    with open(conf, 'w') as f:
        f.write('options { directory "%s"; pid-file none; listen-on port %d '
                '{ 127.0.0.1; }; listen-on-v6 { none; }; recursion no; '
                'notify no; dnssec-validation no; session-keyfile none; '
                'allow-transfer { 127.0.0.1; }; };\ncontrols { };\n'
                'key "%s" { algorithm hmac-sha256; secret "%s"; };\n'
                % (d, port, KEY, SECRET))
        f.write(body)
    p = Proc(name, ['/usr/sbin/named', '-g', '-n', '1', '-c', conf],
             os.path.join(d, 'named.log'))
    wait_for(lambda: socket.create_connection(('127.0.0.1', port),
                                              timeout=0.2).close() or True,
             10)
    p.port, p.dir = port, d
    return p


def test_bind_to_apex(args, work):
    o = 'xfr2.test'
    bport = free_port()
    s = Apex(args, work, 'apex2', [apex_secondary_zone(o, bport)])
    d = os.path.join(work, 'bind2')
    os.makedirs(d, exist_ok=True)
    write_zone(os.path.join(d, o + '.zone'), o, 1)
    s.start()
    b = start_bind_on(work, 'bind2', bport,
                      'zone "%s" { type primary; file "%s.zone"; '
                      'allow-transfer { key %s; }; notify explicit; '
                      'also-notify { 127.0.0.1 port %d key %s; }; '
                      'ixfr-from-differences yes; };\n'
                      % (o, o, KEY, s.port, KEY))
    check('BIND -> apex: apex has serial 1 (AXFR with TSIG)',
          wait_for(lambda: soa_serial(s.port, o) == 1, 20),
          s.logtext()[-1500:])
    content_equal('BIND -> apex: the same records', s.port, b.port, o)
    write_zone(os.path.join(d, o + '.zone'), o, 2, www=3,
               extra='new\tTXT\t"from BIND"')
    b.signal(signal.SIGHUP)
    check('BIND -> apex: apex follows to serial 2 after NOTIFY',
          wait_for(lambda: soa_serial(s.port, o) == 2, 20),
          s.logtext()[-2000:])
    log = s.logtext()
    check('BIND -> apex: by IXFR', re.search(
        r'zone xfr2\.test: IXFR from 127\.0\.0\.1#\d+ ended: serial 2',
        log) is not None, log[-2000:])
    content_equal('BIND -> apex: the same records after IXFR', s.port,
                  b.port, o)
    check('BIND -> apex: the zone file and journal are on disk',
          os.path.exists(os.path.join(s.dir, o + '.db')) and
          os.path.exists(os.path.join(s.dir, o + '.db.jnl')))
    # What apex wrote must satisfy BIND's checker too.
    r = subprocess.run(['named-checkzone', o, os.path.join(s.dir, o + '.db')],
                       capture_output=True, text=True)
    check('BIND -> apex: named-checkzone accepts the file apex wrote',
          r.returncode == 0, r.stdout + r.stderr)
    rc, out = s.ctl('zonestatus', o)
    check('zonestatus of a secondary: serial, refresh times, expiry',
          rc == 0 and 'type: secondary' in out and 'serial: 2' in out and
          'last refresh: 20' in out and 'next refresh: 20' in out and
          'expires: 20' in out, out)
    code, text = http_get(s.http, '/metrics')
    check('metrics: transfers in, NOTIFY received, last refresh',
          (metric(text, 'apex_xfr_in_total', o, ',result="ok"') or 0) >= 2
          and (metric(text, 'apex_notify_received_total', o) or 0) >= 1 and
          (metric(text, 'apex_zone_last_refresh_timestamp_seconds', o) or
           0) > 0, [ln for ln in text.splitlines() if o in ln])
    b.stop()
    s.stop()


def test_apex_to_apex(args, work):
    o = 'xfr3.test'
    sport = free_port()
    p = Apex(args, work, 'apex3p', [apex_primary_zone(
        o, sport, 'allow-notify { none; };', acl='!127.0.0.2;')])
    write_zone(os.path.join(p.dir, o + '.zone'), o, 1)
    p.start()
    # The first primary listed is down: the second one is used.
    dead = free_port()
    s = Apex(args, work, 'apex3s', [apex_secondary_zone(o, [dead, p.port])])
    s.port = sport
    s.write_conf()
    s.start()
    check('apex -> apex: serial 1 by AXFR, from the second primary when '
          'the first is down',
          wait_for(lambda: soa_serial(s.port, o) == 1, 20) and
          'primary 127.0.0.1#%d: connect' % dead in s.logtext(),
          s.logtext()[-1500:])
    content_equal('apex -> apex: the same records', p.port, s.port, o)
    write_zone(os.path.join(p.dir, o + '.zone'), o, 2, www=4)
    p.ctl('reload', o)
    check('apex -> apex: serial 2 after NOTIFY',
          wait_for(lambda: soa_serial(s.port, o) == 2, 20),
          s.logtext()[-1500:])
    check('apex -> apex: by IXFR', re.search(
        r'IXFR from 127\.0\.0\.1#\d+ ended: serial 2', s.logtext()),
        s.logtext()[-1500:])
    content_equal('apex -> apex: the same records after IXFR', p.port,
                  s.port, o)
    # RFC 7314, as BIND answers: a primary's SOA EXPIRE; a secondary's
    # seconds left, in SOA answers and in a transfer's first message.
    left = expire_of(s.port, o)
    check('EXPIRE: the primary sends its SOA EXPIRE',
          expire_of(p.port, o) == 86400, expire_of(p.port, o))
    check('EXPIRE: the secondary sends the seconds left',
          left is not None and 86400 - 120 < left <= 86400, left)
    left = expire_of(s.port, o, 'AXFR')
    check('EXPIRE: and so in the first message of an AXFR from it',
          left is not None and 86400 - 120 < left <= 86400, left)
    rc, out = s.ctl('retransfer', o)
    check('apex-ctl retransfer: a new AXFR',
          rc == 0 and wait_for(lambda: len(re.findall(
              r'AXFR from 127\.0\.0\.1#\d+ ended', s.logtext())) >= 2, 10),
          (out, s.logtext()[-800:]))
    def last_refresh():
        m = re.search(r'^last refresh: (\S+)$', s.ctl('zonestatus', o)[1],
                      re.M)
        return m.group(1) if m else None
    before = last_refresh()
    time.sleep(1.1)
    rc, out = s.ctl('refresh', o)
    check('apex-ctl refresh: the primary is asked again (last refresh '
          'moves)', rc == 0 and before is not None and
          wait_for(lambda: last_refresh() != before, 5), (out, before))
    rc, out = p.ctl('notify', o)
    check('apex-ctl notify: sent, and the secondary hears it',
          rc == 0 and wait_for(lambda: s.logtext().count(
              'zone xfr3.test: NOTIFY from') >= 2, 10), out)
    rc, out = p.ctl('refresh', o)
    check('apex-ctl refresh of a primary zone is an error', rc == 1, out)

    # Access control on the primary.
    check('no key: REFUSED', transfer_error(p.port, o, keyed=False) ==
          'REFUSED')
    r = transfer_error(p.port, o, secret=WRONG)
    check('wrong key: NOTAUTH (BADSIG)', r in ('BADSIG', 'NOTAUTH'), r)
    r = transfer_error(p.port, o, algorithm='hmac-sha512')
    check('wrong algorithm: NOTAUTH (BADKEY)', r in ('BADKEY', 'NOTAUTH'), r)
    r = transfer_error(p.port, o, source='127.0.0.2')
    check('the right key from an address not allowed: REFUSED',
          r == 'REFUSED', r)
    check('the refusals are logged (security)',
          re.search(r'AXFR of zone xfr3\.test denied', p.logtext()) and
          'TSIG' in p.logtext(), p.logtext()[-1500:])
    # A NOTIFY from someone who is not a primary.
    q = dns.message.make_query(o + '.', 'SOA')
    q.flags = dns.flags.AA
    q.set_opcode(dns.opcode.NOTIFY)
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(('127.0.0.3', 0))
    sock.settimeout(2)
    sock.sendto(q.to_wire(), ('127.0.0.1', s.port))
    r = dns.message.from_wire(sock.recv(4096))
    sock.close()
    check('NOTIFY from a stranger: REFUSED',
          r.rcode() == dns.rcode.REFUSED, dns.rcode.to_text(r.rcode()))

    # The primary restarts hard: its journal still answers IXFR.
    p.stop(signal.SIGKILL)
    time.sleep(0.5)
    p.start()
    wait_for(lambda: soa_serial(p.port, o) == 2, 10)
    q = dns.message.make_query(o + '.', 'IXFR')
    q.authority.append(dns.rrset.from_text(
        o + '.', 0, 'IN', 'SOA', 'ns1.%s. hostmaster.%s. 1 1 1 1 1' % (o, o)))
    q.use_tsig(keyring(), keyname=KEY)
    # apex-xferd, which answers transfers, may still be starting on a
    # busy machine: a connection it cannot take yet is closed.
    r = wait_for(lambda: dns.query.tcp(q, '127.0.0.1', port=p.port,
                                       timeout=5, one_rr_per_rrset=True),
                 15)
    soas = [rr[0].serial for rr in r.answer
            if rr.rdtype == dns.rdatatype.SOA] if r else []
    check('after kill -9 and a restart, IXFR from serial 1 is incremental',
          soas[:2] == [2, 1] and soas[-1] == 2, soas)
    # The secondary restarts with its primary gone: its copy serves.
    p.stop()
    s.stop()
    s.proc = None
    s.start()
    check('a restarted secondary serves its copy at once',
          soa_serial(s.port, o) == 2)
    s.stop()


KNOT = '''server:
    rundir: "{d}"
    pidfile: "{d}/knot.pid"
    listen: 127.0.0.1@{port}
log:
  - target: stderr
    any: info
database:
    storage: "{d}/db"
key:
  - id: {key}
    algorithm: hmac-sha256
    secret: {secret}
remote:
  - id: apex
    address: 127.0.0.1@{primary}
    key: {key}
acl:
  - id: from_apex
    address: 127.0.0.1
    key: {key}
    action: notify
  - id: local
    address: 127.0.0.1
    action: transfer
template:
  - id: default
    storage: "{d}"
zone:
  - domain: {o}
    file: "{o}.knot"
    master: apex
    acl: [from_apex, local]
'''


def test_apex_to_knot(args, work):
    o = 'xfr4.test'
    kport = free_port()
    p = Apex(args, work, 'apex4', [apex_primary_zone(o, kport)])
    write_zone(os.path.join(p.dir, o + '.zone'), o, 1)
    p.start()
    d = os.path.join(work, 'knot4')
    os.makedirs(os.path.join(d, 'db'), exist_ok=True)
    conf = os.path.join(d, 'knot.conf')
    with open(conf, 'w') as f:
        f.write(KNOT.format(d=d, port=kport, key=KEY, secret=SECRET,
                            primary=p.port, o=o))
    k = Proc('knot', ['/usr/sbin/knotd', '-c', conf],
             os.path.join(d, 'knot.log'))
    check('apex -> Knot: Knot has serial 1',
          wait_for(lambda: soa_serial(kport, o) == 1, 20),
          k.logtext()[-1500:])
    content_equal('apex -> Knot: the same records', p.port, kport, o)
    write_zone(os.path.join(p.dir, o + '.zone'), o, 2, www=5)
    p.ctl('reload', o)
    check('apex -> Knot: Knot follows to serial 2 after NOTIFY',
          wait_for(lambda: soa_serial(kport, o) == 2, 20),
          k.logtext()[-1500:])
    check('apex -> Knot: by IXFR',
          re.search(r'IXFR of zone xfr4\.test started \(serial 2\)',
                    p.logtext()) and 'IXFR' in k.logtext(),
          k.logtext()[-1500:])
    content_equal('apex -> Knot: the same records after IXFR', p.port,
                  kport, o)
    k.stop()
    p.stop()


NSD = '''server:
    ip-address: 127.0.0.1@{port}
    do-ip6: no
    username: ""
    chroot: ""
    database: ""
    zonesdir: "{d}"
    zonelistfile: "{d}/zone.list"
    xfrdfile: "{d}/xfrd.state"
    xfrdir: "{d}"
    pidfile: "{d}/nsd.pid"
    logfile: "{d}/nsd.log"
    verbosity: 2
    rrl-ratelimit: 0
remote-control:
    control-enable: no
key:
    name: "{key}"
    algorithm: hmac-sha256
    secret: "{secret}"
zone:
    name: "{o}"
    zonefile: "{o}.zone"
    provide-xfr: 127.0.0.1 {key}
    notify: 127.0.0.1@{secondary} {key}
'''


def test_nsd_to_apex(args, work):
    o = 'xfr5.test'
    nport = free_port()
    s = Apex(args, work, 'apex5', [apex_secondary_zone(o, nport)])
    d = os.path.join(work, 'nsd5')
    os.makedirs(d, exist_ok=True)
    write_zone(os.path.join(d, o + '.zone'), o, 1)
    s.start()
    conf = os.path.join(d, 'nsd.conf')
    with open(conf, 'w') as f:
        f.write(NSD.format(d=d, port=nport, key=KEY, secret=SECRET, o=o,
                           secondary=s.port))
    n = Proc('nsd', ['/usr/sbin/nsd', '-d', '-c', conf],
             os.path.join(d, 'nsd.out'))
    check('NSD -> apex: apex has serial 1',
          wait_for(lambda: soa_serial(s.port, o) == 1, 20),
          s.logtext()[-1500:])
    content_equal('NSD -> apex: the same records', s.port, nport, o)
    write_zone(os.path.join(d, o + '.zone'), o, 2, www=6)
    n.signal(signal.SIGHUP)
    check('NSD -> apex: apex follows to serial 2 after NOTIFY',
          wait_for(lambda: soa_serial(s.port, o) == 2, 20),
          s.logtext()[-1500:])
    content_equal('NSD -> apex: the same records after the update', s.port,
                  nport, o)
    n.stop()
    s.stop()


# ---- a primary that misbehaves --------------------------------------------

class Fake:
    """A primary that answers SOA queries over UDP and transfers over TCP
    in whatever way mode says."""

    def __init__(self, origin):
        self.origin = origin
        self.serial = 1
        self.mode = 'good'
        self.port = free_port()
        fake = self

        class U(socketserver.BaseRequestHandler):
            def handle(self):
                data, sock = self.request
                # The question only: a signed query gets an unsigned
                # answer, as from a primary without the key.
                q = dns.message.from_wire(data, question_only=True)
                r = dns.message.make_response(q)
                r.flags |= dns.flags.AA
                r.answer.append(fake.soa_no_counters()
                                if fake.mode == 'soa-answer-no-counters'
                                else fake.soa())
                sock.sendto(r.to_wire(), self.client_address)

        class T(socketserver.BaseRequestHandler):
            def handle(self):
                s = self.request
                n = recv_exact(s, 2)
                if n is None:
                    return
                q = dns.message.from_wire(recv_exact(s, struct.unpack(
                    '!H', n)[0]), question_only=True)
                fake.transfer(s, q)

        socketserver.ThreadingUDPServer.allow_reuse_address = True
        self.udp = socketserver.ThreadingUDPServer(('127.0.0.1', self.port),
                                                   U)
        self.tcp = socketserver.ThreadingTCPServer(('127.0.0.1', self.port),
                                                   T)
        for srv in (self.udp, self.tcp):
            srv.daemon_threads = True
            threading.Thread(target=srv.serve_forever, daemon=True).start()

    def soa(self, serial=None):
        o = self.origin + '.'
        return dns.rrset.from_text(o, 300, 'IN', 'SOA', 'ns1.%s hm.%s %d 2 '
                                   '1 600 60' % (o, o, serial or self.serial))

    def soa_no_counters(self):
        """An SOA whose RDATA holds the two names and nothing else."""
        o = self.origin + '.'
        data = (dns.name.from_text('ns1.' + o).to_wire() +
                dns.name.from_text('hm.' + o).to_wire())
        rrset = dns.rrset.RRset(dns.name.from_text(o), dns.rdataclass.IN,
                                dns.rdatatype.SOA)
        rrset.add(dns.rdata.GenericRdata(dns.rdataclass.IN,
                                         dns.rdatatype.SOA, data), 300)
        return rrset

    def rr(self, name, rtype, text):
        return dns.rrset.from_text(name, 300, 'IN', rtype, text)

    def transfer(self, s, q):
        o = self.origin + '.'
        r = dns.message.make_response(q)
        r.flags |= dns.flags.AA
        # What this mode breaks is the SOA answer; a transfer the
        # secondary started before the switch (an AXFR after a failed
        # IXFR) gets the version it has, so it cannot bring a new one.
        serial = 1 if self.mode == 'soa-answer-no-counters' else self.serial
        r.answer.append(self.soa_no_counters()
                        if self.mode == 'soa-no-counters' else
                        self.soa(serial))
        r.answer.append(self.rr(o, 'NS', 'ns1.' + o))
        r.answer.append(self.rr('ns1.' + o, 'A', '192.0.2.53'))
        r.answer.append(self.rr('www.' + o, 'A', '192.0.2.%d' % serial))
        end = self.soa(serial)
        if self.mode == 'out-of-zone':
            r.answer.append(self.rr('evil.example.org.', 'A', '192.0.2.66'))
        elif self.mode == 'soa-mismatch':
            end = self.soa(self.serial + 7)
        elif self.mode == 'bad-zone':
            r.answer.append(self.rr('www.' + o, 'CNAME', 'ns1.' + o))
        r.answer.append(end)
        wire = r.to_wire()
        if self.mode == 'truncated':
            s.sendall(struct.pack('!H', len(wire)) + wire[:len(wire) // 2])
            return
        if self.mode == 'garbage':
            wire = wire[:12] + bytes(range(256)) * 2
        s.sendall(struct.pack('!H', len(wire)) + wire)

    def close(self):
        self.udp.shutdown()
        self.tcp.shutdown()
        self.udp.server_close()
        self.tcp.server_close()


def file_hash(path):
    with open(path, 'rb') as f:
        return hashlib.sha256(f.read()).hexdigest()


def test_broken_primary(args, work):
    o = 'xfr6.test'
    fake = Fake(o)
    keyed = 'xfr6k.test'
    fake_k = Fake(keyed)
    s = Apex(args, work, 'apex6', [
        'zone "%s" { type secondary; file "%s.db"; primaries { 127.0.0.1 '
        'port %d; }; };' % (o, o, fake.port),
        'zone "%s" { type secondary; file "%s.db"; primaries { 127.0.0.1 '
        'port %d key %s; }; };' % (keyed, keyed, fake_k.port, KEY)],
        'min-refresh-time 1; min-retry-time 1;')
    s.start()
    check('fake primary: the good version arrives',
          wait_for(lambda: soa_serial(s.port, o) == 1, 15),
          s.logtext()[-1500:])
    path = os.path.join(s.dir, o + '.db')
    good = file_hash(path)
    reasons = {
        'truncated': 'closed before the end',
        'out-of-zone': 'outside the zone',
        'soa-mismatch': 'differs from the first',
        'garbage': 'another question',
        'bad-zone': 'CNAME',
        'soa-no-counters': 'a malformed SOA record (',
        'soa-answer-no-counters': 'a malformed SOA record in the SOA answer',
    }
    for mode, why in reasons.items():
        fake.mode = mode
        fake.serial += 1
        # A refresh asked while the previous mode's transfer (an IXFR
        # falls back to AXFR) still runs is not taken: ask again.
        seen = False
        for _ in range(4):
            s.ctl('refresh', o)
            seen = wait_for(lambda: why in s.logtext(), 4)
            if seen:
                break
        log = s.logtext()
        ok = (seen and soa_serial(s.port, o) == 1 and
              file_hash(path) == good)
        check('fake primary, %s transfer: refused, the old version serves '
              'and stays on disk' % mode, ok, log[-1200:])
    rc, out = s.ctl('zonestatus', o)
    check('zonestatus shows the last transfer error',
          'last transfer error: primary 127.0.0.1#%d' % fake.port in out, out)
    # A primary configured with a key must sign; this one does not.
    check('a primary that does not sign is not used',
          wait_for(lambda: 'not signed' in s.logtext(), 10) and
          rcode_of(s.port, 'www.' + keyed + '.') == dns.rcode.SERVFAIL,
          s.logtext()[-1200:])
    fake.mode = 'good'
    fake.serial += 1
    s.ctl('refresh', o)
    check('fake primary: a good version is taken again',
          wait_for(lambda: soa_serial(s.port, o) == fake.serial, 10),
          s.logtext()[-1200:])
    s.stop()
    fake.close()
    fake_k.close()


def test_primary_down(args, work):
    o = 'xfr7.test'
    dead = free_port()
    s = Apex(args, work, 'apex7', [
        apex_secondary_zone(o, dead),
        apex_secondary_zone('xfr8.test', dead)],
        'min-refresh-time 1; min-retry-time 1;')
    # A copy from before: refresh 2, retry 1, expire 6 seconds.
    write_zone(os.path.join(s.dir, o + '.db'), o, 1, refresh=2, retry=1,
               expire=6, bulk=10)
    os.utime(os.path.join(s.dir, o + '.db'), None)
    s.start()
    check('primary down: the copy on disk serves at once',
          soa_serial(s.port, o) == 1)
    check('primary down: a secondary with no copy answers SERVFAIL',
          rcode_of(s.port, 'www.xfr8.test.') == dns.rcode.SERVFAIL)
    check('primary down: refreshes fail and are retried',
          wait_for(lambda: s.logtext().count('primary 127.0.0.1#%d' % dead)
                   >= 3, 8), s.logtext()[-1000:])
    check('primary down: after the expire time, SERVFAIL',
          wait_for(lambda: rcode_of(s.port, 'www.%s.' % o) ==
                   dns.rcode.SERVFAIL, 10), s.logtext()[-1000:])
    rc, out = s.ctl('zonestatus', o)
    check('zonestatus says expired', 'expired' in out, out)
    code, text = http_get(s.http, '/metrics')
    check('metrics: expired, refresh failures',
          metric(text, 'apex_zone_expired', o) == 1 and
          (metric(text, 'apex_refresh_failures_total', o) or 0) >= 2,
          [ln for ln in text.splitlines() if o in ln])
    code, body = http_get(s.http, '/health')
    check('/health: 503 naming the expired zone',
          code == 503 and 'xfr7.test expired' in body, (code, body))
    # The primary comes back.
    p = Apex(args, work, 'apex7p', [
        'zone "%s" { type primary; file "%s.zone"; allow-transfer { key '
        '%s; }; };' % (o, o, KEY),
        'zone "xfr8.test" { type primary; file "xfr8.test.zone"; '
        'allow-transfer { key %s; }; };' % KEY])
    p.port = dead
    p.write_conf()
    write_zone(os.path.join(p.dir, o + '.zone'), o, 2, refresh=2, retry=1,
               expire=6, bulk=10)
    write_zone(os.path.join(p.dir, 'xfr8.test.zone'), 'xfr8.test', 1,
               bulk=10)
    p.start()
    check('primary back: the secondary recovers, serial 2',
          wait_for(lambda: soa_serial(s.port, o) == 2, 10),
          s.logtext()[-1000:])
    # A zone that never had a copy retries every 30 seconds; ask now.
    s.ctl('refresh', 'xfr8.test')
    check('primary back: the zone that had no copy is served',
          wait_for(lambda: soa_serial(s.port, 'xfr8.test') == 1, 10))
    # The state report behind /health follows within a fraction of a
    # second (the parent sends it at most four times every 200 ms).
    check('/health: 200 again',
          wait_for(lambda: http_get(s.http, '/health')[0] == 200, 3),
          http_get(s.http, '/health'))
    p.stop()
    s.stop()


def sanitizer_clean(work):
    bad = []
    for root, _, files in os.walk(work):
        for f in files:
            if f == 'apex.log':
                for line in open(os.path.join(root, f), errors='replace'):
                    if ('runtime error' in line or 'Sanitizer' in line or
                            'killed by signal' in line or
                            'exited with status' in line):
                        bad.append('%s: %s' % (root, line.rstrip()))
    check('no crash, restart or sanitizer report in any apex log', not bad,
          '\n'.join(bad[:20]))


SIGNED = """$TTL 300
@	SOA	ns1 hostmaster {serial} 3600 600 86400 300
@	NS	ns1
ns1	A	127.0.0.1
www	A	192.0.2.1
www	7200	TXT	"a TTL of its own"
*.wild	A	192.0.2.2
a.b.ent	A	192.0.2.3
insecure	NS	ns.insecure
ns.insecure	A	192.0.2.4
{extra}
"""


def signed_text(origin, serial, extra=''):
    return '$ORIGIN %s.\n' % origin + SIGNED.format(serial=serial,
                                                    extra=extra)


def sign_into(work, origin, serial, out, extra=''):
    """The zone signed with NSEC3 (no salt, 0 iterations) into out; the
    keys stay in work/keys, so a second call re-signs with the same."""
    src = os.path.join(work, origin + '.src')
    with open(src, 'w') as f:
        f.write(signed_text(origin, serial, extra))
    keys = os.path.join(work, 'keys')
    if os.path.isdir(keys):
        # Re-signing: the same keys, found in keys (-S -K).
        subprocess.run(['dnssec-signzone', '-q', '-S', '-K', keys, '-d', keys,
                        '-3',
                        '-', '-H', '0', '-o', origin, '-f', out, src],
                       check=True, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT)
        os.chmod(out, 0o644)
        return
    sign_zone(origin, src, out, keys, extra=('-3', '-', '-H', '0'))


def dnssec_view(port, name, rdtype):
    """A DO=1 answer as comparable text: rcode and every record."""
    q = dns.message.make_query(name, rdtype, want_dnssec=True)
    r = dns.query.udp(q, '127.0.0.1', port=port, timeout=2)
    recs = set()
    for sec in (r.answer, r.authority, r.additional):
        for rrset in sec:
            for rd in rrset:
                recs.add('%s %d %s %s' % (rrset.name.to_text().lower(),
                         rrset.ttl, dns.rdatatype.to_text(rrset.rdtype),
                         rd.to_text()))
    return r.rcode(), frozenset(recs)


def signed_same(name, p, s, origin, queries):
    rp, a = axfr_any(p.port, origin)
    rs, b = axfr_any(s.port, origin)
    sigs = [x for x in a if ' RRSIG ' in x]
    check(name + ': the same records, RRSIGs with their own TTLs',
          rp == rs == dns.rcode.NOERROR and a == b and
          any(x.split()[1] == '7200' for x in sigs) and
          any(x.split()[1] == '300' for x in sigs),
          (len(a), len(b), sorted(a ^ b)[:6]))
    diff = [(qn, qt) for qn, qt in queries
            if dnssec_view(p.port, qn, qt) != dnssec_view(s.port, qn, qt)]
    check(name + ': the same DO=1 answers (signatures and NSEC3 proofs)',
          not diff, diff)


def test_signed(args, work):
    """A signed zone goes by AXFR and then IXFR from apex to apex and to
    BIND, and each secondary serves it signed, as the primary does."""
    o = 'xfr7.test'
    sport, bport = free_port(), free_port()
    p = Apex(args, work, 'apex7p', [
        'zone "%s" { type primary; file "%s.zone"; allow-transfer { key '
        '%s; }; also-notify { 127.0.0.1 port %d key %s; 127.0.0.1 port %d '
        'key %s; }; };' % (o, o, KEY, sport, KEY, bport, KEY)])
    sign_into(work, o, 1, os.path.join(p.dir, o + '.zone'))
    p.start()
    s = Apex(args, work, 'apex7s', [apex_secondary_zone(o, p.port)])
    s.port = sport
    s.write_conf()
    s.start()
    b = start_bind_on(work, 'bind7s', bport, 'zone "%s" { type secondary; '
                      'file "%s.db"; primaries { 127.0.0.1 port %d key %s; '
                      '}; };\n' % (o, o, p.port, KEY))
    queries = [('www.%s.' % o, 'A'), ('www.%s.' % o, 'TXT'),
               ('nx.%s.' % o, 'A'), ('www.%s.' % o, 'MX'),
               ('x.wild.%s.' % o, 'A'), ('ent.%s.' % o, 'A'),
               ('host.insecure.%s.' % o, 'A'), ('%s.' % o, 'DNSKEY')]
    check('signed: apex and BIND secondaries have serial 1',
          wait_for(lambda: soa_serial(s.port, o) == 1 and
                   soa_serial(bport, o) == 1, 20), s.logtext()[-1500:])
    signed_same('signed: apex -> apex', p, s, o, queries)
    signed_same('signed: apex -> BIND', p, b, o, queries)
    sign_into(work, o, 2, os.path.join(p.dir, o + '.zone'),
              'new\tA\t192.0.2.9')
    p.ctl('reload', o)
    check('signed: serial 2 at the apex secondary, by IXFR',
          wait_for(lambda: soa_serial(s.port, o) == 2, 20) and
          re.search(r'IXFR from 127\.0\.0\.1#\d+ ended: serial 2',
                    s.logtext()), s.logtext()[-1500:])
    queries.append(('new.%s.' % o, 'A'))
    signed_same('signed: apex -> apex after IXFR', p, s, o, queries)
    check('signed: the new name is signed at the secondary',
          any(' RRSIG A ' in x for x in dnssec_view(
              s.port, 'new.%s.' % o, 'A')[1]))
    check('signed: serial 2 at the BIND secondary',
          wait_for(lambda: soa_serial(bport, o) == 2, 20),
          open(os.path.join(b.dir, 'named.log')).read()[-1500:])
    signed_same('signed: apex -> BIND after the change', p, b, o, queries)
    for x in (b, s, p):
        x.stop()


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--build', default=os.path.join(TOP, 'build'))
    ap.add_argument('--keep', action='store_true')
    ap.add_argument('--only')
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix='apex-xfr-')
    os.chmod(work, 0o755)
    tests = [test_apex_to_bind, test_bind_to_apex, test_apex_to_apex,
             test_apex_to_knot, test_nsd_to_apex, test_broken_primary,
             test_primary_down, test_signed]
    try:
        for t in tests:
            if args.only and args.only not in t.__name__:
                continue
            try:
                t(args, work)
            except Exception as e:  # noqa: BLE001 - report, go on
                check('%s ran to the end' % t.__name__, False, repr(e))
        sanitizer_clean(work)
    finally:
        for p in PROCS:
            p.stop()
        if args.keep:
            print('work directory kept: %s' % work)
        else:
            shutil.rmtree(work, ignore_errors=True)
    print('%d passed, %d failed' % tuple(RESULTS))
    return 1 if RESULTS[1] else 0


if __name__ == '__main__':
    sys.exit(main())
