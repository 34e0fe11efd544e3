#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""DNSSEC signing on the primary, end to end: dnssec-policy and
inline-signing as BIND 9.18 configures them.

The target signs nsec.test (policy default: a CSK, NSEC), n3.test (a CSK,
NSEC3 with 0 iterations and no salt), roll.test (the "fast" policy: a ZSK
of three minutes' lifetime) and imported.test (keys made by dnssec-keygen
before the start); it also serves the unsigned children insec.nsec.test
and insec.n3.test and big.test (5000 names, for the faults). The test
checks:

1. an AXFR of each signed zone passes dnssec-verify and ldns-verify-zone;
   n3.test has NSEC3PARAM with 0 iterations and no salt;
2. unbound (trust anchors: the served SEP DNSKEYs; stub zones on the
   target) answers positive, NXDOMAIN, NODATA and wildcard queries with
   AD, the DS of the unsigned children as a secure NODATA, and names
   below them insecure (AD=0, not SERVFAIL);
3. a BIND and a Knot secondary of nsec.test and n3.test take an AXFR and,
   after 10 names are added to the unsigned file and the zone reloaded,
   an IXFR; an AXFR from each passes dnssec-verify;
4. that edit leaves every unchanged RRset's RRSIG as it was, byte for
   byte, signs the 10 new names, and changes no more RRSIGs than the new
   A RRsets, their NSEC/NSEC3 and their neighbours', SOA and one more;
5. (not with --quick) roll.test's ZSK rolls while unbound is asked every
   0.5 s for an A record and the DNSKEY RRset: no SERVFAIL, never
   anything but AD, and at the end another ZSK signs; a CDS in the zone
   is answered with "dnssec -checkds published";
6. imported.test serves exactly the two keys dnssec-keygen made;
7. (apex only) an unreadable key directory makes "apex-ctl sign" fail
   while the old signed version serves and /health and
   apex_dnssec_signing_failing say so; kill -9 of apex-signer during the
   reload of big.test leaves the old signed version served and the new
   one comes signed after the signer restarts.
Throughout: every AXFR of a signed zone carries RRSIGs, and the unsigned
zone files stay as the test wrote them.

--target bind runs the same test against BIND 9.18's named (a check of
the test; part 7 is skipped).

usage: run.py [--target apex|bind] [--build DIR] [--quick] [--keep]
"""
import argparse
import hashlib
import os
import pwd
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request

import dns.flags
import dns.message
import dns.name
import dns.query
import dns.rcode
import dns.rdatatype
import dns.dnssec

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.abspath(os.path.join(HERE, '..', '..'))
sys.path.insert(0, os.path.join(HERE, '..'))
import testlib  # noqa: E402
from testlib import free_port, wait_for  # noqa: E402

SIGNED = ('nsec.test', 'n3.test', 'roll.test', 'imported.test')
XFR_ZONES = ('nsec.test', 'n3.test')
RNDC_SECRET = 'cm5kYy1zZWNyZXQtb2YtdGhlLXNpZ24tdGVzdCEhISE='

# The "fast" policy of the brief, made to pass named-checkconf 9.18: the
# default signatures-jitter (12 h) must not exceed the validity, and a
# ZSK's lifetime must exceed (validity - refresh) + max-zone-ttl +
# retire-safety + zone-propagation-delay, so the validity is 3 minutes.
POLICIES = '''dnssec-policy "fast" {
	keys {
		zsk lifetime PT3M algorithm ecdsap256sha256;
		ksk lifetime unlimited algorithm ecdsap256sha256;
	};
	dnskey-ttl 5; publish-safety 5; retire-safety 5;
	signatures-refresh PT1M; signatures-validity PT3M;
	signatures-validity-dnskey PT3M; signatures-jitter PT20S;
	max-zone-ttl 10; zone-propagation-delay 2;
	parent-ds-ttl 5; parent-propagation-delay 2;
};
dnssec-policy "n3" {
	keys { csk lifetime unlimited algorithm ecdsap256sha256; };
	nsec3param iterations 0 optout no salt-length 0;
};
dnssec-policy "imp" {
	keys {
		ksk lifetime unlimited algorithm 13;
		zsk lifetime unlimited algorithm 13;
	};
};
'''
ZONES_CONF = '''zone "nsec.test" { type primary; file "nsec.test.db"; dnssec-policy default; inline-signing yes; };
zone "n3.test" { type primary; file "n3.test.db"; dnssec-policy n3; inline-signing yes; };
zone "roll.test" { type primary; file "roll.test.db"; dnssec-policy fast; inline-signing yes; };
zone "imported.test" { type primary; file "imported.test.db"; dnssec-policy imp; inline-signing yes; };
zone "big.test" { type primary; file "big.test.db"; dnssec-policy default; inline-signing yes; };
zone "insec.nsec.test" { type primary; file "insec.nsec.test.db"; };
zone "insec.n3.test" { type primary; file "insec.n3.test.db"; };
'''


def zone_text(serial, extra=0, ttl=300):
    """nsec.test and n3.test (and the others' shape): apex data, a
    wildcard, an unsigned child, 20 hosts and extra names new1..newN."""
    lines = ['$TTL %d' % ttl,
             '@\tSOA\tns1 hostmaster ( %d 3600 600 86400 %d )' % (
                 serial, min(ttl, 60)),
             '\tNS\tns1', '\tA\t192.0.2.1', 'ns1\tA\t127.0.0.1',
             'www\tA\t192.0.2.10', '\tTXT\t"www"',
             '*.wild\tA\t192.0.2.20', 'insec\tNS\tns1.insec',
             'ns1.insec\tA\t127.0.0.1']
    lines += ['host%d\tA\t192.0.2.%d' % (i, 100 + i) for i in range(20)]
    lines += ['new%d\tA\t198.51.100.%d' % (i, i) for i in range(1, extra + 1)]
    return '\n'.join(lines) + '\n'


CHILD = '''$TTL 300
@	SOA	ns1 hostmaster ( 1 3600 600 86400 60 )
	NS	ns1
ns1	A	127.0.0.1
www	A	192.0.2.77
'''


def big_text(serial, names=5000):
    lines = ['$TTL 300', '@\tSOA\tns1 hostmaster ( %d 3600 600 86400 60 )'
             % serial, '\tNS\tns1', 'ns1\tA\t127.0.0.1']
    lines += ['n%d\tA\t10.%d.%d.%d' % (i, i >> 16, (i >> 8) & 255, i & 255)
              for i in range(names)]
    if serial > 1:
        lines.append('extra\tA\t192.0.2.222')
    return '\n'.join(lines) + '\n'


RESULTS = [0, 0]
PROCS = []


def check(name, ok, detail=''):
    RESULTS[0 if ok else 1] += 1
    print('%s %s%s' % ('PASS' if ok else 'FAIL', name, '' if ok else
                       '\n    ' + str(detail).replace('\n', '\n    ')),
          flush=True)
    return ok


def skip(name, why):
    print('SKIP %s (%s)' % (name, why), flush=True)


# ---- processes -------------------------------------------------------------

class Proc:
    def __init__(self, cmd, log, cwd=None):
        self.log = log
        self.proc = subprocess.Popen(cmd, stdout=open(log, 'a'),
                                     stderr=subprocess.STDOUT, cwd=cwd,
                                     start_new_session=True)
        PROCS.append(self)

    def alive(self):
        return self.proc.poll() is None

    def session(self):
        """pid -> comm of the live processes of this Proc's session."""
        out = {}
        for d in os.listdir('/proc'):
            if not d.isdigit():
                continue
            try:
                with open('/proc/%s/stat' % d) as f:
                    st = f.read().rsplit(')', 1)[1].split()
                with open('/proc/%s/comm' % d) as f:
                    comm = f.read().strip()
            except OSError:
                continue
            if int(st[3]) == self.proc.pid and st[0] != 'Z':
                out[int(d)] = comm
        return out

    def stop(self):
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                pass
        for pid in self.session():
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        self.proc.poll()

    def logtext(self):
        try:
            return open(self.log, errors='replace').read()
        except OSError:
            return ''


def run(cmd, timeout=60):
    r = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                       text=True, timeout=timeout)
    return r.returncode, r.stdout


def http_get(port, path):
    try:
        with urllib.request.urlopen('http://127.0.0.1:%d%s' % (port, path),
                                    timeout=3) as r:
            return r.status, r.read().decode()
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode()
    except OSError as e:
        return None, str(e)


def metric(text, name, zone):
    m = re.search(r'^%s\{zone="%s"\} (\S+)$' % (re.escape(name),
                                              re.escape(zone)), text, re.M)
    return float(m.group(1)) if m else None


# ---- the target ------------------------------------------------------------

class Target:
    """The signing primary in its own directory. Subclasses say how it is
    configured, started and controlled."""
    kind = '?'

    def __init__(self, work, notify_ports):
        self.dir = os.path.join(work, 'target')
        self.keys = os.path.join(self.dir, 'keys')
        os.makedirs(self.keys)
        os.chmod(self.dir, 0o777)
        self.port, self.http = free_port(), free_port()
        self.notify = notify_ports
        self.conf = os.path.join(self.dir, 'named.conf')
        self.log = os.path.join(self.dir, 'server.log')
        self.proc = None

    def options(self):
        return ('options {\n\tdirectory "%s";\n\tpid-file none;\n'
                '\tlisten-on port %d { 127.0.0.1; };\n'
                '\tlisten-on-v6 { none; };\n\tallow-transfer { any; };\n'
                '\tnotify explicit;\n\talso-notify { %s };\n'
                '\tkey-directory "%s";\n%s};\n'
                'statistics-channels { inet 127.0.0.1 port %d allow { '
                '127.0.0.1; }; };\n' % (
                    self.dir, self.port,
                    ' '.join('127.0.0.1 port %d;' % p for p in self.notify),
                    self.keys, self.extra_options(), self.http))

    def write_conf(self):
        with open(self.conf, 'w') as f:
            f.write(self.options() + self.controls() + POLICIES + ZONES_CONF)

    def start(self):
        self.write_conf()
        self.proc = Proc(self.command(), self.log)
        ok = wait_for(lambda: not self.proc.alive() or
                      soa_serial(self.port, 'insec.nsec.test'), 20)
        if not self.proc.alive() or not ok:
            raise RuntimeError('%s did not start:\n%s' % (
                self.kind, self.proc.logtext()[-3000:]))

    def reload(self, zone):
        return self.ctl('reload', zone)

    def sign(self, zone):
        return self.ctl('sign', zone)

    def status(self, zone):
        return self.ctl('dnssec', '-status', zone)

    def checkds(self, zone, published=True, tag=None):
        args = ['dnssec', '-checkds']
        if tag is not None:
            args += ['-key', str(tag)]
        return self.ctl(*(args + ['published' if published else
                                  'withdrawn', zone]))

    def rollover(self, zone, tag, when=None):
        args = ['dnssec', '-rollover', '-key', str(tag)]
        if when:
            args += ['-when', when]
        return self.ctl(*(args + [zone]))


class Bind(Target):
    kind = 'BIND'

    def __init__(self, work, notify_ports):
        super().__init__(work, notify_ports)
        self.ctlport = free_port()
        self.rndcconf = os.path.join(self.dir, 'rndc.conf')

    def extra_options(self):
        return ('\trecursion no;\n\tdnssec-validation no;\n'
                '\tsession-keyfile none;\n')

    def controls(self):
        with open(self.rndcconf, 'w') as f:
            f.write('key "rndc-key" { algorithm hmac-sha256; secret "%s"; '
                    '};\noptions { default-key "rndc-key"; default-server '
                    '127.0.0.1; default-port %d; };\n'
                    % (RNDC_SECRET, self.ctlport))
        return ('key "rndc-key" { algorithm hmac-sha256; secret "%s"; };\n'
                'controls { inet 127.0.0.1 port %d allow { 127.0.0.1; } '
                'keys { "rndc-key"; }; };\n' % (RNDC_SECRET, self.ctlport))

    def command(self):
        return ['/usr/sbin/named', '-g', '-n', '1', '-c', self.conf]

    def ctl(self, *cmd):
        return run(['rndc', '-c', self.rndcconf] + list(cmd), 30)


class Apex(Target):
    kind = 'apex'

    def __init__(self, work, notify_ports, build):
        super().__init__(work, notify_ports)
        self.build = build
        self.ctlsock = os.path.join(self.dir, 'control')

    def extra_options(self):
        return '\tstate-directory "%s/apex-state";\n' % self.dir

    def controls(self):
        return ('controls { unix "%s" perm 0600 owner 0 group 0; };\n'
                % self.ctlsock)

    def command(self):
        return [os.path.join(self.build, 'named', 'apex-named'), '-g', '-n',
                '2', '-c', self.conf]

    def ctl(self, *cmd):
        return run([os.path.join(self.build, 'ctl', 'apex-ctl'), '-s',
                    self.ctlsock] + list(cmd), 60)


# ---- queries ---------------------------------------------------------------

def query(port, name, rdtype, dnssec=True, timeout=2.0):
    q = dns.message.make_query(name, rdtype, want_dnssec=dnssec)
    try:
        return dns.query.udp(q, '127.0.0.1', port=port, timeout=timeout)
    except Exception:  # noqa: BLE001 - not up, or a timeout
        return None


def soa_serial(port, zone):
    r = query(port, zone, 'SOA', False, 1.0)
    if r is None or r.rcode() != dns.rcode.NOERROR:
        return None
    for rrset in r.answer:
        if rrset.rdtype == dns.rdatatype.SOA:
            return rrset[0].serial
    return None


AXFRS = []   # (zone, whether it carried RRSIGs) of every signed zone


def axfr(port, zone):
    """The zone by AXFR as a list of (name, ttl, type, rdata) with the
    closing SOA left out, or None if the transfer failed."""
    recs = []
    try:
        for m in dns.query.xfr('127.0.0.1', zone, port=port,
                               relativize=False, lifetime=30):
            for rrset in m.answer:
                for rd in rrset:
                    recs.append((rrset.name.to_text().lower(), rrset.ttl,
                                 rrset.rdtype, rd))
    except Exception:  # noqa: BLE001 - reported by the caller
        return None
    if len(recs) > 1 and recs[-1][2] == dns.rdatatype.SOA:
        recs.pop()
    if zone in SIGNED or zone == 'big.test':
        AXFRS.append((zone, any(r[2] == dns.rdatatype.RRSIG for r in recs)))
    return recs


def serial_of(recs):
    return next(r[3].serial for r in recs if r[2] == dns.rdatatype.SOA)


def write_axfr(recs, path):
    with open(path, 'w') as f:
        for name, ttl, t, rd in recs:
            f.write('%s %d IN %s %s\n' % (name, ttl, dns.rdatatype.to_text(t),
                                          rd.to_text()))


def verify(work, zone, recs, tag, ldns=True):
    """(ok, detail) of dnssec-verify (and ldns-verify-zone) over recs."""
    if recs is None:
        return False, 'the AXFR failed'
    path = os.path.join(work, '%s.%s.axfr' % (zone, tag))
    write_axfr(recs, path)
    # A zone signed by a CSK alone (every DNSKEY with SEP) has no key
    # without the KSK flag: dnssec-verify must not ask for one (-z).
    csk = all(r[3].flags & 1 for r in recs if r[2] == dns.rdatatype.DNSKEY)
    rc, out = run(['dnssec-verify', '-q'] + (['-z'] if csk else []) +
                  ['-o', zone, path], 120)
    if rc != 0:
        return False, 'dnssec-verify: ' + out[-1500:]
    if ldns:
        rc, out = run(['ldns-verify-zone', path], 120)
        if rc != 0:
            return False, 'ldns-verify-zone: ' + out[-1500:]
    return True, ''


def zone_ready(port, zone):
    """Whether the zone is served fully signed: DNSKEY, signed SOA, and
    its denial of existence chain of the kind its policy asks for."""
    recs = axfr(port, zone)
    if not recs:
        return False
    types = {r[2] for r in recs}
    covered = {(r[0], r[3].type_covered) for r in recs
               if r[2] == dns.rdatatype.RRSIG}
    apex = zone + '.'
    if (apex, dns.rdatatype.SOA) not in covered or \
            dns.rdatatype.DNSKEY not in types:
        return False
    if zone == 'n3.test':
        return (dns.rdatatype.NSEC3PARAM in types and
                dns.rdatatype.NSEC3 in types and
                dns.rdatatype.NSEC not in types)
    return dns.rdatatype.NSEC in types


def dnskeys(port, zone):
    """tag -> DNSKEY rdata of the served DNSKEY RRset."""
    r = query(port, zone, 'DNSKEY')
    out = {}
    for rrset in (r.answer if r else []):
        if rrset.rdtype == dns.rdatatype.DNSKEY:
            for rd in rrset:
                out[dns.dnssec.key_id(rd)] = rd
    return out


def signers(port, name, covered):
    r = query(port, name, covered)
    return {rd.key_tag for rrset in (r.answer if r else [])
            if rrset.rdtype == dns.rdatatype.RRSIG for rd in rrset
            if rd.type_covered == dns.rdatatype.from_text(covered)}


# ---- unbound ---------------------------------------------------------------

def unbound_conf(work, port, target, anchors):
    return testlib.unbound_conf(work, port, target.port, SIGNED + (
        'insec.nsec.test', 'insec.n3.test'), anchors)


def ask(port, name, rdtype):
    q = dns.message.make_query(name, rdtype, want_dnssec=True, payload=1232)
    q.flags = dns.flags.RD | dns.flags.AD
    try:
        return dns.query.udp(q, '127.0.0.1', port=port, timeout=10)
    except Exception:  # noqa: BLE001 - counted as no answer
        return None


def describe(r):
    if r is None:
        return 'no answer'
    return '%s flags %s\n%s' % (dns.rcode.to_text(r.rcode()),
                                dns.flags.to_text(r.flags),
                                '\n'.join(str(x) for x in r.answer))


def expect(uport, name, rdtype, rcode, secure, has_answer):
    """(ok, text) of one unbound answer against what is wanted."""
    r = ask(uport, name, rdtype)
    ok = r is not None and dns.rcode.to_text(r.rcode()) == rcode
    if ok:
        got = any(rr.rdtype == dns.rdatatype.from_text(rdtype)
                  for rr in r.answer)
        ok = bool(r.flags & dns.flags.AD) == secure and got == has_answer
    return ok, describe(r)


def unbound_case(uport, ulog, name, rdtype, rcode, secure, has_answer,
                 label=''):
    want = '%s %s%s' % (rcode, 'AD' if secure else 'not AD (insecure)',
                        ', an answer' if has_answer else ', no answer')
    ok, said = expect(uport, name, rdtype, rcode, secure, has_answer)
    detail = 'unbound said ' + said
    if not ok:
        lines = [line for line in open(ulog, errors='replace')
                 if name in line or 'validation failure' in line]
        detail += '\nunbound log:\n' + ''.join(lines[-5:])
    return check('%sunbound %s/%s: %s' % (label, name, rdtype, want), ok,
                 detail)


def zone_cases(z):
    return [('www.%s' % z, 'A', 'NOERROR', True, True),
            ('nx.%s' % z, 'A', 'NXDOMAIN', True, False),
            ('www.%s' % z, 'AAAA', 'NOERROR', True, False),
            ('foo.wild.%s' % z, 'A', 'NOERROR', True, True),
            ('insec.%s' % z, 'DS', 'NOERROR', True, False),
            ('www.insec.%s' % z, 'A', 'NOERROR', False, True)]


# ---- the parts -------------------------------------------------------------

def test_verify(work, t):
    for z in SIGNED:
        recs = axfr(t.port, z)
        ok, why = verify(work, z, recs, 'start')
        check('1. %s: the AXFR passes dnssec-verify and ldns-verify-zone'
              % z, ok, why)
    recs = axfr(t.port, 'n3.test') or []
    p = [r[3] for r in recs if r[2] == dns.rdatatype.NSEC3PARAM]
    n3 = [r[3] for r in recs if r[2] == dns.rdatatype.NSEC3]
    check('1. n3.test: one NSEC3PARAM, SHA-1, 0 iterations, no salt; its '
          'NSEC3 records likewise, no opt-out',
          len(p) == 1 and p[0].algorithm == 1 and p[0].iterations == 0 and
          p[0].salt == b'' and n3 and all(
              r.iterations == 0 and r.salt == b'' and not r.flags & 1
              for r in n3), [x.to_text() for x in p + n3[:2]])


def test_unbound(uport, ulog):
    for z in XFR_ZONES:
        for case in zone_cases(z):
            unbound_case(uport, ulog, *case, label='2. ')
    for z in ('roll.test', 'imported.test'):
        unbound_case(uport, ulog, 'www.' + z, 'A', 'NOERROR', True, True,
                     '2. ')
        unbound_case(uport, ulog, z, 'DNSKEY', 'NOERROR', True, True, '2. ')


def test_imported(t, tags):
    got = set(dnskeys(t.port, 'imported.test'))
    check('6. imported.test serves exactly the KSK and ZSK of dnssec-keygen '
          '(%s)' % sorted(tags), got == set(tags),
          'served tags %s; key directory: %s' % (
              sorted(got), sorted(os.listdir(t.keys))))
    sig = signers(t.port, 'www.imported.test', 'A')
    dk = signers(t.port, 'imported.test', 'DNSKEY')
    check('6. imported.test: the ZSK signs www, the KSK the DNSKEY RRset',
          sig == {tags[1]} and tags[0] in dk,
          'www signed by %s, DNSKEY by %s' % (sorted(sig), sorted(dk)))


def rrsig_map(recs):
    """(owner, covered) -> RRSIG rdata wire set; (owner, type) -> rdata
    set of everything else."""
    sigs, sets = {}, {}
    for name, ttl, t, rd in recs:
        if t == dns.rdatatype.RRSIG:
            sigs.setdefault((name, rd.type_covered), set()).add(
                rd.to_wire())
        else:
            sets.setdefault((name, t), set()).add((ttl, rd.to_wire()))
    return sigs, sets


def test_edit_signing(work, zone, before, after):
    """Part 4 over the AXFRs before and after the edit."""
    s0, r0 = rrsig_map(before)
    s1, r1 = rrsig_map(after)
    new = ['new%d.%s.' % (i, zone) for i in range(1, 11)]
    check('4. %s: the 10 new names are served with a signed A RRset' % zone,
          all((n, dns.rdatatype.A) in s1 and (n, dns.rdatatype.A) in r1
              for n in new),
          [n for n in new if (n, dns.rdatatype.A) not in s1])
    kept = [k for k in r0 if k in r1 and r0[k] == r1[k] and k in s0]
    moved = [k for k in kept if s0[k] != s1.get(k)]
    check('4. %s: every unchanged RRset kept its RRSIGs byte for byte '
          '(%d RRsets)' % (zone, len(kept)), kept and not moved,
          ['%s %s' % (k[0], dns.rdatatype.to_text(k[1])) for k in moved[:10]])
    changed = [k for k in s1 if s1[k] != s0.get(k)]
    limit = 10 + 20 + 2
    check('4. %s: %d RRSIG sets new or changed, at most %d' % (
        zone, len(changed), limit), 10 <= len(changed) <= limit,
        sorted('%s %s' % (k[0], dns.rdatatype.to_text(k[1]))
               for k in changed)[:40])
    ok, why = verify(work, zone, after, 'edited')
    check('4. %s: the edited zone passes dnssec-verify and '
          'ldns-verify-zone' % zone, ok, why)


KNOT = '''server:
    rundir: "{d}"
    listen: 127.0.0.1@{port}
log:
  - target: stderr
    any: info
database:
    storage: "{d}/db"
remote:
  - id: primary
    address: 127.0.0.1@{primary}
acl:
  - id: from_primary
    address: 127.0.0.1
    action: notify
  - id: local
    address: 127.0.0.1
    action: transfer
template:
  - id: default
    storage: "{d}"
    master: primary
    acl: [from_primary, local]
zone:
  - domain: nsec.test
    file: "nsec.test.knot"
  - domain: n3.test
    file: "n3.test.knot"
'''


def start_secondaries(work, t, bport, kport):
    bdir, kdir = os.path.join(work, 'bind2'), os.path.join(work, 'knot2')
    os.makedirs(os.path.join(kdir, 'db'))
    os.makedirs(bdir)
    conf = os.path.join(bdir, 'named.conf')
    with open(conf, 'w') as f:
        f.write('options { directory "%s"; pid-file none; listen-on port %d '
                '{ 127.0.0.1; }; listen-on-v6 { none; }; recursion no; '
                'notify no; dnssec-validation no; session-keyfile none; '
                'allow-transfer { any; }; };\ncontrols { };\n'
                % (bdir, bport))
        for z in XFR_ZONES:
            f.write('zone "%s" { type secondary; primaries { 127.0.0.1 port '
                    '%d; }; file "%s.bind"; };\n' % (z, t.port, z))
    b = Proc(['/usr/sbin/named', '-g', '-n', '1', '-c', conf],
             os.path.join(bdir, 'named.log'))
    kconf = os.path.join(kdir, 'knot.conf')
    with open(kconf, 'w') as f:
        f.write(KNOT.format(d=kdir, port=kport, primary=t.port))
    k = Proc(['/usr/sbin/knotd', '-c', kconf], os.path.join(kdir,
                                                          'knot.log'))
    return b, k


def bind_transfers(log, zone):
    """The record counts of the BIND secondary's completed transfers of
    zone, in order."""
    return [int(m.group(1)) for m in re.finditer(
        r"transfer of '%s/IN' from [^:]*: Transfer completed: \d+ "
        r"messages, (\d+) records" % re.escape(zone), log)]


def test_secondaries(work, t, secs, ports, uport, ulog):
    """Parts 3 and 4: the first transfers, one edit, the IXFRs."""
    b, k = secs
    names = {b: 'BIND', k: 'Knot'}
    for z in XFR_ZONES:
        want = soa_serial(t.port, z)
        for s, p in zip(secs, ports):
            check('3. %s secondary has %s serial %s by AXFR' % (
                names[s], z, want), wait_for(
                    lambda: soa_serial(p, z) == soa_serial(t.port, z), 30),
                s.logtext()[-1500:])
    before = {z: axfr(t.port, z) for z in XFR_ZONES}
    full = {z: len(before[z]) for z in XFR_ZONES}
    for z in XFR_ZONES:
        write_zone(t, z, zone_text(2, extra=10))
        rc, out = t.reload(z)
        check('3. reload %s after 10 names were added' % z, rc == 0, out)
    after = {}
    for z in XFR_ZONES:
        ok = wait_for(lambda: zone_ready(t.port, z) and signers(
            t.port, 'new10.' + z, 'A') and serial_of(
                axfr(t.port, z)) != serial_of(before[z]), 30, 0.3)
        check('3. %s: the target serves the edit signed' % z, ok,
              t.proc.logtext()[-1500:])
        after[z] = axfr(t.port, z)
    for z in XFR_ZONES:
        serial = serial_of(after[z])
        for s, p in zip(secs, ports):
            ok = wait_for(lambda: soa_serial(p, z) == serial and
                          query(p, 'new7.' + z, 'A', False).answer, 30, 0.3)
            check('3. %s secondary follows %s to serial %d after NOTIFY' % (
                names[s], z, serial), ok, s.logtext()[-1500:])
        # BIND's secondary logs no transfer type: an AXFR carries every
        # record of the zone and both SOAs, an IXFR of 10 names fewer.
        counts = bind_transfers(b.logtext(), z)
        check('3. BIND secondary: %s came by AXFR (%s records of %d), then '
              'by IXFR (%s of %d)' % (z, counts[:1], full[z] + 1,
                                       counts[-1:], len(after[z]) + 1),
              len(counts) >= 2 and counts[0] >= full[z] and
              counts[-1] < len(after[z]) - 10, b.logtext()[-2000:])
        kl = k.logtext()
        check('3. Knot secondary: %s came by AXFR, then by IXFR' % z,
              re.search(r'\[%s\.\] AXFR, incoming.*finished' % re.escape(z),
                        kl) is not None and
              re.search(r'\[%s\.\] IXFR, incoming.*finished' % re.escape(z),
                        kl) is not None, kl[-2000:])
        for s, p in zip(secs, ports):
            ok, why = verify(work, z, axfr(p, z), names[s], ldns=False)
            check('3. an AXFR of %s from the %s secondary passes '
                  'dnssec-verify' % (z, names[s]), ok, why)
    for z in XFR_ZONES:
        test_edit_signing(work, z, before[z], after[z])
        unbound_case(uport, ulog, 'host3.' + z, 'A', 'NOERROR', True, True,
                     '4. after the edit: ')
        unbound_case(uport, ulog, 'new3.' + z, 'A', 'NOERROR', True, True,
                     '4. after the edit: ')


class Asker(threading.Thread):
    """Asks unbound for www.roll.test/A and roll.test/DNSKEY every 0.5 s
    and keeps every answer that is not secure."""

    def __init__(self, uport):
        super().__init__(daemon=True)
        self.uport = uport
        self.bad, self.n = [], 0
        self.done = threading.Event()

    def run(self):
        while not self.done.is_set():
            for name, t in (('www.roll.test', 'A'), ('roll.test', 'DNSKEY')):
                r = ask(self.uport, name, t)
                self.n += 1
                if r is None or r.rcode() != dns.rcode.NOERROR or \
                        not r.flags & dns.flags.AD or not r.answer:
                    self.bad.append('%s %s/%s: %s' % (
                        time.strftime('%H:%M:%S'), name, t, describe(r)))
            self.done.wait(0.5)


def zsks(keys):
    return {tag for tag, rd in keys.items() if not rd.flags & 1}


def test_rollover(t, uport, ulog, t0):
    """Part 5: roll.test's ZSK (3 minutes since the start at t0) rolls
    while unbound is asked without pause."""
    keys0 = dnskeys(t.port, 'roll.test')
    sig0 = signers(t.port, 'www.roll.test', 'A')
    print('roll.test at the start: ZSK %s, KSK %s, www signed by %s' % (
        sorted(zsks(keys0)), sorted(set(keys0) - zsks(keys0)), sorted(sig0)),
        flush=True)
    asker = Asker(uport)
    asker.start()
    deadline = t0 + 330
    checkds_done, rolled_at, cds_seen = set(), None, False
    while time.time() < deadline:
        r = query(t.port, 'roll.test', 'CDS')
        cds = [rd for rrset in (r.answer if r else [])
               if rrset.rdtype == dns.rdatatype.CDS for rd in rrset]
        for rd in cds:
            cds_seen = True
            if rd.key_tag not in checkds_done:
                rc, out = t.checkds('roll.test', True, rd.key_tag)
                print('a CDS of key %d: dnssec -checkds published: %s' % (
                    rd.key_tag, out.strip()), flush=True)
                checkds_done.add(rd.key_tag)
        sig = signers(t.port, 'www.roll.test', 'A')
        if rolled_at is None and sig and not sig & sig0 and \
                zsks(dnskeys(t.port, 'roll.test')) - zsks(keys0):
            rolled_at = time.time()
            print('%s: www.roll.test signed by %s now' % (
                time.strftime('%H:%M:%S'), sorted(sig)), flush=True)
        # Some time with the new key for the caches to see it.
        if rolled_at is not None and time.time() > rolled_at + 20:
            break
        time.sleep(2)
    asker.done.set()
    asker.join()
    keys1 = dnskeys(t.port, 'roll.test')
    sig1 = signers(t.port, 'www.roll.test', 'A')
    check('5. roll.test: a new ZSK signs after the rollover (ZSKs %s then '
          '%s; www signed by %s then %s)' % (
              sorted(zsks(keys0)), sorted(zsks(keys1)), sorted(sig0),
              sorted(sig1)), rolled_at is not None and
          zsks(keys1) - zsks(keys0) and sig1 and not sig1 & sig0,
          t.status('roll.test')[1][-2000:])
    check('5. roll.test: %d answers from unbound during the rollover, all '
          'secure, no SERVFAIL' % asker.n, asker.n > 100 and not asker.bad,
          '\n'.join(asker.bad[:10]))
    check('5. roll.test: a CDS was published and answered with checkds',
          cds_seen and checkds_done, t.status('roll.test')[1][-2000:])
    ok, why = verify(os.path.dirname(t.dir), 'roll.test',
                     axfr(t.port, 'roll.test'), 'rolled')
    check('5. roll.test after the rollover passes dnssec-verify and '
          'ldns-verify-zone', ok, why)


def apex_user():
    for name in ('apex', 'nobody'):
        try:
            pw = pwd.getpwnam(name)
            return pw.pw_uid, pw.pw_gid
        except KeyError:
            pass
    return 0, 0


def test_faults(work, t):
    """Part 7, apex only."""
    serial0 = soa_serial(t.port, 'roll.test')
    mode = os.stat(t.keys).st_mode & 0o7777
    os.chmod(t.keys, 0)
    try:
        rc, out = t.sign('roll.test')
        check('7. with the key directory unreadable, apex-ctl sign '
              'roll.test fails', rc != 0 and 'signing failed' in out,
              'rc %d: %s' % (rc, out))
        recs = axfr(t.port, 'roll.test')
        ok, why = verify(work, 'roll.test', recs, 'nokeys')
        check('7. roll.test still served signed, serial %s unchanged' %
              serial0, ok and serial_of(recs) == serial0,
              why or 'serial %s' % serial_of(recs))
        code, text = http_get(t.http, '/health')
        check('7. /health says roll.test\'s signing failed',
              code != 200 and 'roll.test' in text and 'signing failed' in
              text, '%s: %s' % (code, text[:500]))
        code, text = http_get(t.http, '/metrics')
        check('7. apex_dnssec_signing_failing{zone="roll.test"} 1',
              metric(text, 'apex_dnssec_signing_failing', 'roll.test') == 1,
              '\n'.join(line for line in text.splitlines()
                        if 'apex_dnssec_signing' in line))
    finally:
        os.chmod(t.keys, mode)
    rc, out = t.sign('roll.test')
    check('7. the key directory restored: apex-ctl sign roll.test works',
          rc == 0 and 'signed' in out and 'failed' not in out,
          'rc %d: %s' % (rc, out))
    ok = wait_for(lambda: http_get(t.http, '/health')[0] == 200, 10)
    code, text = http_get(t.http, '/metrics')
    check('7. /health is 200 again and the metric 0',
          ok and metric(text, 'apex_dnssec_signing_failing', 'roll.test')
          == 0, '%s; %s' % (http_get(t.http, '/health'), '\n'.join(
              line for line in text.splitlines()
              if 'signing_failing' in line)))
    test_signer_kill(work, t)


def signer_pids(t):
    return [p for p, comm in t.proc.session().items()
            if comm == 'apex-signer']


def test_signer_kill(work, t):
    old = axfr(t.port, 'big.test')
    s0 = serial_of(old)
    pids = signer_pids(t)
    if not check('7. one apex-signer process (%s)' % pids, len(pids) == 1,
                 t.proc.session()):
        return
    write_zone(t, 'big.test', big_text(2))
    reload = subprocess.Popen([os.path.join(t.build, 'ctl', 'apex-ctl'),
                               '-s', t.ctlsock, 'reload', 'big.test'],
                              stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True)
    time.sleep(0.05)
    os.kill(pids[0], signal.SIGKILL)
    out = reload.communicate(timeout=60)[0]
    print('reload big.test with the signer killed: rc %d: %s' % (
        reload.returncode, out.strip()), flush=True)
    recs = axfr(t.port, 'big.test')
    ok, why = verify(work, 'big.test', recs, 'killed', ldns=False)
    if recs is not None and serial_of(recs) != s0:
        skip('7. after kill -9 of apex-signer big.test is still the old '
             'version', 'the new version was signed before the kill')
    else:
        check('7. after kill -9 of apex-signer big.test is still the old '
              'signed version (serial %s) and validates' % s0, ok, why)
    check('7. a new apex-signer runs', wait_for(
        lambda: [p for p in signer_pids(t) if p != pids[0]], 20),
        t.proc.logtext()[-1500:])
    # Every AXFR on the way is one more check that nothing unsigned is
    # served (AXFRS).
    done = wait_for(lambda: (lambda r: r and serial_of(r) != s0 and r)(
        axfr(t.port, 'big.test')), 60, 0.3)
    ok, why = verify(work, 'big.test', done or None, 'resigned', ldns=False)
    check('7. after the signer restarts the new big.test is served signed',
          done and ok and any(r[0] == 'extra.big.test.' and
                              r[2] == dns.rdatatype.RRSIG for r in done),
          why or t.proc.logtext()[-1500:])


# ---- setup -----------------------------------------------------------------

WRITTEN = {}


def write_zone(t, zone, text):
    path = os.path.join(t.dir, zone + '.db')
    with open(path, 'w') as f:
        f.write(text)
    os.chmod(path, 0o644)
    WRITTEN[path] = hashlib.sha256(text.encode()).hexdigest()


def files_unchanged():
    changed = []
    for path, digest in WRITTEN.items():
        with open(path, 'rb') as f:
            if hashlib.sha256(f.read()).hexdigest() != digest:
                changed.append(path)
    return changed


def make_keys(t):
    """The KSK and ZSK of imported.test, made before the start: (KSK tag,
    ZSK tag)."""
    tags = []
    for flags in (['-f', 'KSK'], []):
        rc, out = run(['dnssec-keygen', '-q', '-a', '13', '-K', t.keys] +
                      flags + ['imported.test'])
        if rc != 0:
            raise RuntimeError('dnssec-keygen: ' + out)
        tags.append(int(out.strip().rsplit('+', 1)[1]))
    return tags


def setup(args, work, bport, kport):
    if args.target == 'bind':
        t = Bind(work, (bport, kport))
    else:
        t = Apex(work, (bport, kport), args.build)
    for z in XFR_ZONES:
        write_zone(t, z, zone_text(1))
        write_zone(t, 'insec.' + z, CHILD)
    write_zone(t, 'roll.test', zone_text(1, ttl=10))
    write_zone(t, 'imported.test', zone_text(1))
    write_zone(t, 'big.test', big_text(1))
    tags = make_keys(t)
    if args.target == 'apex':
        # The signer runs as the server's unprivileged user and reads
        # (and writes) the key directory.
        uid, gid = apex_user()
        for p in [t.keys] + [os.path.join(t.keys, f)
                             for f in os.listdir(t.keys)]:
            os.chown(p, uid, gid)
    return t, tags


def check_log_clean(text):
    """No sanitizer report in apex's log, and no child that exited or
    died of a signal but the SIGKILLs the tests send."""
    bad = [line for line in text.splitlines()
           if 'runtime error' in line or 'Sanitizer' in line or
           'exited with status' in line or
           ('killed by signal' in line and 'signal 9 ' not in line)]
    check('no sanitizer report or dead child in apex\'s log', not bad,
          '\n'.join(bad[:20]))


def run_test(body_fn, args, prefix, label, cleanup=None):
    """body_fn(args, work) in a new work directory, then every process
    stopped, cleanup(work) if given, the directory removed (kept with
    --keep) and the counts printed. Returns the exit status."""
    work = tempfile.mkdtemp(prefix=prefix)
    os.chmod(work, 0o755)
    t_start = time.time()
    try:
        body_fn(args, work)
    except Exception as e:  # noqa: BLE001 - report, clean up
        import traceback
        traceback.print_exc()
        check('the test ran to the end', False, repr(e))
    finally:
        for p in PROCS:
            p.stop()
        if cleanup is not None:
            cleanup(work)
        if args.keep:
            print('work directory kept: %s' % work)
        else:
            shutil.rmtree(work, ignore_errors=True)
        print('%s: %d passed, %d failed (%.0f s)' % (
            label, RESULTS[0], RESULTS[1], time.time() - t_start))
    return 1 if RESULTS[1] or not RESULTS[0] else 0


def main():
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    ap = argparse.ArgumentParser()
    ap.add_argument('--build', default=os.path.join(TOP, 'build'))
    ap.add_argument('--target', choices=('apex', 'bind'), default='apex')
    ap.add_argument('--quick', action='store_true',
                    help='skip the rollover (5 minutes)')
    ap.add_argument('--keep', action='store_true')
    args = ap.parse_args()
    return run_test(body, args, 'apex-sign-', args.target)


def body(args, work):
    bport, kport, uport = free_port(), free_port(), free_port()
    t, tags = setup(args, work, bport, kport)
    t0 = time.time()
    try:
        t.start()
    except RuntimeError as e:
        check('the target (%s) starts with the signing configuration' %
              t.kind, False, str(e))
        return
    ready = {z: wait_for(lambda: zone_ready(t.port, z), 30, 0.3)
             for z in SIGNED}
    if not check('the target (%s) serves %s signed' % (t.kind, ', '.join(
            SIGNED)), all(ready.values()), (ready,
                                            t.proc.logtext()[-3000:])):
        return
    secs = start_secondaries(work, t, bport, kport)
    test_verify(work, t)
    anchors = []
    for z in SIGNED:
        for rd in dnskeys(t.port, z).values():
            if rd.flags & 1:
                anchors.append('%s. DNSKEY %s' % (z, rd.to_text()))
    ulog = os.path.join(work, 'unbound.log')
    u = Proc(['unbound', '-d', '-c', unbound_conf(work, uport, t, anchors)],
             ulog)
    if not wait_for(lambda: query(uport, 'version.server', 'TXT', False),
                    15):
        check('unbound starts', False, u.logtext()[-1500:])
        return
    test_unbound(uport, ulog)
    test_imported(t, tags)
    test_secondaries(work, t, secs, (bport, kport), uport, ulog)
    if args.quick:
        skip('5. the rollover of roll.test', '--quick')
    else:
        test_rollover(t, uport, ulog, t0)
    if args.target == 'apex':
        test_faults(work, t)
    else:
        skip('7. faults of the signer', 'apex only')
    bad = [z for z, signed in AXFRS if not signed]
    check('every AXFR of a signed zone (%d) carried RRSIGs' % len(AXFRS),
          AXFRS and not bad, bad[:10])
    check('the unsigned zone files are as the test wrote them',
          not files_unchanged(), files_unchanged())
    check('the target is still running', t.proc.alive(),
          t.proc.logtext()[-1500:])
    if args.target == 'apex':
        check_log_clean(t.proc.logtext())


if __name__ == '__main__':
    sys.exit(main())
