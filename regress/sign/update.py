#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""Dynamic update of zones that the primary signs (dnssec-policy with
inline-signing): the update applies to the unsigned zone, what is served
and transferred is its signed version.

The target serves dyn.test (policy default: a CSK, NSEC) and dyn3.test
(a CSK, NSEC3 without salt or extra iterations), both taking updates
signed with the TSIG key "upd"; a BIND secondary transfers both. The
test checks:

1. nsupdate adds a TXT record (as an ACME DNS-01 client does) and an A
   record to each zone: NOERROR, then the names are served with RRSIGs,
   the AXFR passes dnssec-verify and ldns-verify-zone, unbound
   (anchored at the zones' keys) validates them (AD), and a name next to
   them is a secure NXDOMAIN;
2. updates of the signer's records are refused and change nothing:
   RRSIG and NSEC (BIND's prescan) and DNSKEY (the policy's);
3. deleting the TXT record: a secure NXDOMAIN for its name, the AXFR
   still verifies;
4. the BIND secondary follows every version by IXFR, and its copy
   passes dnssec-verify;
5. the unsigned zone file is as the test wrote it until apex-ctl sync
   (rndc sync), then holds the updated data and no DNSSEC record; after
   freeze an update is refused, the file edited by hand (a new name, a
   higher serial) and thaw, the new name is served signed;
6. kill -9 of the server right after an update's NOERROR, and a
   restart: the update is served, signed;
7. a second server of the same kind, secondary of plain.test (served
   unsigned by the target, which takes updates) with dnssec-policy
   default and inline-signing, serves it signed; an update at the
   primary reaches it by NOTIFY and IXFR and is served signed there; the
   secondary's copy of the zone file stays unsigned;
8. (apex only) the signer killed again and again as it restarts:
   /health says it is not running and apex_signer_up is 0 meanwhile,
   the signed zones stay served signed; once it is back, 200 and 1.

--target bind runs the same test against BIND 9.18's named (a check of
the test itself): all passes but part 4, where BIND's secondary of
BIND's signed zones keeps no IXFR journal.

usage: update.py [--target apex|bind] [--build DIR] [--keep]
"""
import argparse
import os
import signal
import subprocess
import sys
import time

import dns.rdatatype
import dns.rcode

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, '..'))
import run as st  # noqa: E402 - the signing test's helpers
from testlib import free_port, wait_for  # noqa: E402

ZONES = ('dyn.test', 'dyn3.test')
SECRET = 'dXBkYXRlLXNlY3JldC1vZi10aGUtc2lnbi10ZXN0ISE='
POLICIES = '''dnssec-policy "n3" {
	keys { csk lifetime unlimited algorithm ecdsap256sha256; };
	nsec3param iterations 0 optout no salt-length 0;
};
'''
KEY = 'key "upd" { algorithm hmac-sha256; secret "%s"; };\n' % SECRET
ZONES_CONF = '''zone "dyn.test" { type primary; file "dyn.test.db";
	dnssec-policy default; inline-signing yes;
	allow-update { key "upd"; }; };
zone "dyn3.test" { type primary; file "dyn3.test.db";
	dnssec-policy n3; inline-signing yes;
	update-policy { grant "upd" zonesub ANY; }; };
zone "plain.test" { type primary; file "plain.test.db";
	allow-update { key "upd"; }; };
'''
SEC_ZONES_CONF = '''zone "plain.test" { type secondary; file "plain.test.bk";
	primaries { 127.0.0.1 port %d; }; dnssec-policy default;
	inline-signing yes; };
'''


def zone_text():
    return ('$TTL 300\n@\tSOA\tns1 hostmaster ( 1 3600 600 86400 60 )\n'
            '\tNS\tns1\nns1\tA\t127.0.0.1\nwww\tA\t192.0.2.10\n'
            'zzz\tA\t192.0.2.99\n')


def conf_of(target):
    return target.options() + target.controls() + KEY + POLICIES + ZONES_CONF


def nsupdate(port, zone, lines):
    """(rc, output) of nsupdate sending one update with the key."""
    script = 'server 127.0.0.1 %d\nzone %s\n%s\nsend\n' % (
        port, zone, '\n'.join(lines))
    r = subprocess.run(['nsupdate', '-y', 'hmac-sha256:upd:' + SECRET],
                       input=script, stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, timeout=30)
    return r.returncode, r.stdout


def served_signed(port, name, rdtype):
    """The answer for name/rdtype carries the RRset and its RRSIG."""
    r = st.query(port, name, rdtype)
    if r is None or r.rcode() != dns.rcode.NOERROR:
        return False
    t = dns.rdatatype.from_text(rdtype)
    return (any(x.rdtype == t for x in r.answer) and
            any(x.rdtype == dns.rdatatype.RRSIG and x.covers == t
                for x in r.answer))


def gone(port, name):
    r = st.query(port, name, 'A')
    return r is not None and r.rcode() == dns.rcode.NXDOMAIN


def verify_zone(work, port, zone, tag):
    recs = st.axfr(port, zone)
    ok, why = st.verify(work, zone, recs, tag)
    return ok, why, recs


def dnssec_types(recs):
    owned = (dns.rdatatype.RRSIG, dns.rdatatype.NSEC, dns.rdatatype.NSEC3,
             dns.rdatatype.NSEC3PARAM, dns.rdatatype.DNSKEY)
    return [r for r in recs if r[2] in owned]


class Secondary:
    """BIND as a secondary of both zones."""

    def __init__(self, work, port, primary_port):
        self.dir = os.path.join(work, 'bind2')
        os.makedirs(self.dir)
        os.chmod(self.dir, 0o777)
        self.port = port
        self.primary = primary_port
        self.log = os.path.join(self.dir, 'named.log')

    def start(self):
        conf = os.path.join(self.dir, 'named.conf')
        with open(conf, 'w') as f:
            f.write('options { directory "%s"; pid-file none; '
                    'listen-on port %d { 127.0.0.1; }; listen-on-v6 { none; '
                    '}; recursion no; dnssec-validation no; notify no; '
                    'session-keyfile none; };\n' % (self.dir, self.port))
            for z in ZONES:
                f.write('zone "%s" { type secondary; file "%s.bk"; '
                        'primaries { 127.0.0.1 port %d; }; };\n'
                        % (z, z, self.primary))
        self.proc = st.Proc(['/usr/sbin/named', '-g', '-n', '1', '-c', conf],
                            self.log)

    def transfers(self, zone):
        """How many transfers of zone BIND completed, from its log."""
        return sum(1 for line in self.proc.logtext().splitlines()
                   if "transfer of '%s/IN'" % zone in line and
                   'Transfer completed' in line)

    def journal_serials(self, zone):
        """The serials of the SOA records in BIND's journal of zone,
        which only an IXFR writes (no ixfr-from-differences here)."""
        path = os.path.join(self.dir, zone + '.bk.jnl')
        if not os.path.exists(path):
            return []
        rc, out = st.run(['named-journalprint', path])
        return [int(f[7]) for f in (line.split() for line in
                                     out.splitlines())
                if len(f) > 7 and f[4] == 'SOA']


def target_of(args, work, notify):
    if args.target == 'bind':
        return st.Bind(work, notify)
    return st.Apex(work, notify, args.build)


def setup(args, work, sport, s2):
    t = target_of(args, work, (sport, s2.port))
    t.write_conf = lambda: open(t.conf, 'w').write(conf_of(t))
    for z in ZONES + ('plain.test',):
        st.write_zone(t, z, zone_text())
    if args.target == 'apex':
        uid, gid = st.apex_user()
        os.chown(t.keys, uid, gid)
    return t


def ready(port, zone):
    """Served signed: the SOA's RRSIG, DNSKEY, and the chain the policy
    asks for."""
    recs = st.axfr(port, zone)
    if not recs:
        return False
    types = {r[2] for r in recs}
    signed = any(r[2] == dns.rdatatype.RRSIG and r[0] == zone + '.' and
                 r[3].type_covered == dns.rdatatype.SOA for r in recs)
    chain = dns.rdatatype.NSEC3PARAM if zone == 'dyn3.test' else \
        dns.rdatatype.NSEC
    return signed and dns.rdatatype.DNSKEY in types and chain in types


def start(t):
    try:
        t.write_conf()
        t.proc = st.Proc(t.command(), t.log)
    except OSError as e:
        return False, str(e)
    ok = wait_for(lambda: all(ready(t.port, z) for z in ZONES), 30, 0.3)
    return ok, t.proc.logtext()[-2000:]


def signing_secondary(args, work):
    """The second server, secondary of plain.test, signing it."""
    root = os.path.join(work, 'sec')
    os.makedirs(root)
    s2 = target_of(args, root, ())
    if args.target == 'apex':
        uid, gid = st.apex_user()
        os.chown(s2.keys, uid, gid)
    return s2


def start_secondary(t, s2):
    s2.write_conf = lambda: open(s2.conf, 'w').write(
        s2.options() + s2.controls() + SEC_ZONES_CONF % t.port)
    s2.write_conf()
    s2.proc = st.Proc(s2.command(), s2.log)
    ok = wait_for(lambda: ready(s2.port, 'plain.test'), 30, 0.3)
    return ok, s2.proc.logtext()[-2000:]


def part7(work, t, s2):
    z = 'plain.test'
    ok, why = start_secondary(t, s2)
    if not st.check('7. the signing secondary serves %s signed' % z, ok,
                    why):
        return
    ok, why, _ = verify_zone(work, s2.port, z, 'sec-start')
    st.check('7. its AXFR passes dnssec-verify and ldns-verify-zone', ok,
             why)
    rc, out = nsupdate(t.port, z, ['update add added.%s. 300 A 192.0.2.66'
                                   % z])
    st.check('7. nsupdate adds a name at the primary', rc == 0, out)
    ok = wait_for(lambda: served_signed(s2.port, 'added.%s' % z, 'A'), 30,
                  0.3)
    st.check('7. the signing secondary serves it signed', ok,
             s2.proc.logtext()[-1500:])
    ok, why, _ = verify_zone(work, s2.port, z, 'sec-added')
    st.check('7. the secondary\'s AXFR passes dnssec-verify', ok, why)
    # BIND writes a secondary's copy in its raw format.
    fmt = ['-f', 'raw'] if s2.kind == 'BIND' else []
    rc, text = st.run(['named-compilezone', '-q'] + fmt + ['-o', '-', z,
                       os.path.join(s2.dir, z + '.bk')])
    st.check('7. the secondary\'s copy of the zone file is unsigned',
             rc == 0 and 'SOA' in text and 'RRSIG' not in text and
             'DNSKEY' not in text, text[-1500:])
    # BIND rewrites the file later (the IXFR is in its journal).
    if s2.kind == 'apex':
        st.check('7. that copy has the update', 'added.%s.' % z in text,
                 text[-1500:])


def signer_pids(t):
    return [p for p, comm in t.proc.session().items()
            if comm == 'apex-signer']


def signer_down_seen(t):
    """Kills each apex-signer that appears (the parent restarts it after
    a back-off that doubles while it keeps dying young) until /health
    says it is down; returns what /health and /metrics said then. The
    signer may come back between the two reads: then they are read
    again, so both describe one time it was down (a /metrics that never
    says 0 still ends in a failure)."""
    deadline = time.time() + 20
    code = text = metrics = None
    while time.time() < deadline:
        for pid in signer_pids(t):
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        code, text = st.http_get(t.http, '/health')
        if code != 200 and 'signer not running' in text:
            metrics = st.http_get(t.http, '/metrics')[1]
            if 'apex_signer_up 0' in metrics:
                return code, text, metrics
        time.sleep(0.05)
    return code, text, metrics


def part8(work, t):
    code, text, metrics = signer_down_seen(t)
    up = [line for line in (metrics or '').splitlines()
          if line.startswith('apex_signer_up ')]
    st.check('8. with the signer down /health is %s and says so, '
             'apex_signer_up 0' % code, code is not None and
             up == ['apex_signer_up 0'], (text, up))
    ok, why, _ = verify_zone(work, t.port, 'dyn.test', 'signer-down')
    st.check('8. dyn.test is still served signed', ok, why)
    back = wait_for(lambda: st.http_get(t.http, '/health')[0] == 200, 60,
                    0.5)
    up = [line for line in st.http_get(t.http, '/metrics')[1].splitlines()
          if line.startswith('apex_signer_up ')]
    st.check('8. the signer back: /health 200, apex_signer_up 1',
             back and up == ['apex_signer_up 1'],
             (st.http_get(t.http, '/health'), up))


def part1(work, t, uport, ulog):
    for z in ZONES:
        rc, out = nsupdate(t.port, z, [
            'update add _acme-challenge.%s. 60 TXT "token-1"' % z,
            'update add new.%s. 300 A 192.0.2.55' % z])
        st.check('1. %s: nsupdate adds a TXT and an A record' % z, rc == 0,
                 out)
        ok = wait_for(lambda: served_signed(
            t.port, '_acme-challenge.%s' % z, 'TXT') and served_signed(
            t.port, 'new.%s' % z, 'A'), 20, 0.2)
        st.check('1. %s: the new records are served signed' % z, ok,
                 t.proc.logtext()[-1500:])
        ok, why, _ = verify_zone(work, t.port, z, 'added')
        st.check('1. %s: its AXFR passes dnssec-verify and '
                 'ldns-verify-zone' % z, ok, why)
        st.unbound_case(uport, ulog, '_acme-challenge.%s' % z, 'TXT',
                        'NOERROR', True, True, '1. ')
        st.unbound_case(uport, ulog, 'new.%s' % z, 'A', 'NOERROR', True,
                        True, '1. ')
        st.unbound_case(uport, ulog, 'nothere.%s' % z, 'A', 'NXDOMAIN',
                        True, False, '1. ')


def part2(t):
    z = 'dyn.test'
    before = st.axfr(t.port, z)
    cases = [
        ('an RRSIG', 'update add www.%s. 300 RRSIG A 13 3 300 20300101000000 '
         '20200101000000 12345 %s. AAAA' % (z, z)),
        ('an NSEC', 'update add www.%s. 300 NSEC zzz.%s. A RRSIG NSEC'
         % (z, z)),
        ('a DNSKEY', 'update add %s. 300 DNSKEY 257 3 13 '
         'mdsswUyr3DPW132mOi8V9xESWE8jTo0dxCjjnopKl+GqJxpVXckHAeF+KkxLbxIL'
         'fDLUT0rAK9iUzy1L53eKGQ==' % z),
    ]
    for what, line in cases:
        rc, out = nsupdate(t.port, z, [line])
        # BIND 9.18 takes a DNSKEY into its unsigned zone, then fails
        # to sign it (SERVFAIL); apex refuses it in the prescan, as RFC
        # 2136 3.3 lets a server refuse what its policy forbids.
        refused = 'REFUSED' in out or (
            t.kind == 'BIND' and what == 'a DNSKEY' and 'SERVFAIL' in out)
        st.check('2. an update adding %s is refused' % what,
                 rc != 0 and refused, out)
    time.sleep(1)
    after = st.axfr(t.port, z)
    st.check('2. the refused updates changed nothing (serial %s)' %
             st.serial_of(before), after is not None and
             st.serial_of(after) == st.serial_of(before),
             after and st.serial_of(after))


def part3(work, t, uport, ulog):
    for z in ZONES:
        rc, out = nsupdate(t.port, z, [
            'update delete _acme-challenge.%s. TXT' % z])
        st.check('3. %s: nsupdate deletes the TXT record' % z, rc == 0, out)
        ok = wait_for(lambda: gone(t.port, '_acme-challenge.%s' % z), 20,
                      0.2)
        st.check('3. %s: the name is gone' % z, ok)
        ok, why, _ = verify_zone(work, t.port, z, 'deleted')
        st.check('3. %s: its AXFR passes dnssec-verify' % z, ok, why)
        # Type A was never asked (the TXT answer is in unbound's cache).
        st.unbound_case(uport, ulog, '_acme-challenge.%s' % z, 'A',
                        'NXDOMAIN', True, False, '3. ')


def part4(work, t, sec):
    for z in ZONES:
        want = st.soa_serial(t.port, z)
        ok = wait_for(lambda: st.soa_serial(sec.port, z) == want, 30, 0.3)
        st.check('4. the BIND secondary has %s at serial %s' % (z, want), ok,
                 'it has %s' % st.soa_serial(sec.port, z))
        n, serials = sec.transfers(z), sec.journal_serials(z)
        st.check('4. %d transfers; every change after the first came by '
                 'IXFR (journal serials %s)' % (n, serials),
                 n >= 3 and serials and max(serials) == want and
                 len(set(serials)) >= n, serials)
        ok, why, _ = verify_zone(work, sec.port, z, 'secondary')
        st.check('4. its copy of %s passes dnssec-verify' % z, ok, why)


def part5(t):
    st.check('5. the unsigned files are as the test wrote them',
             not st.files_unchanged(), st.files_unchanged())
    for z in ZONES:
        rc, out = t.ctl('sync', z)
        st.check('5. sync %s' % z, rc == 0, out)
        path = os.path.join(t.dir, z + '.db')
        rc, text = st.run(['named-compilezone', '-q', '-o', '-', z, path])
        lines = [line.split() for line in text.splitlines() if line]
        names = {f[0] for f in lines}
        owned = [f for f in lines if len(f) > 3 and f[3] in (
            'RRSIG', 'NSEC', 'NSEC3', 'NSEC3PARAM', 'DNSKEY')]
        st.check('5. %s\'s file now has new.%s and no DNSSEC record' % (z, z),
                 rc == 0 and 'new.%s.' % z in names and not owned,
                 text[-1500:])
        st.WRITTEN.pop(path, None)


def part5_freeze(work, t):
    z = 'dyn.test'
    rc, out = t.ctl('freeze', z)
    if not st.check('5. freeze %s' % z, rc == 0, out):
        return
    rc, out = nsupdate(t.port, z, ['update add frozen.%s. 300 A 192.0.2.9'
                                   % z])
    st.check('5. an update of the frozen zone is refused',
             rc != 0 and 'REFUSED' in out, out)
    path = os.path.join(t.dir, z + '.db')
    rc, text = st.run(['named-compilezone', '-q', '-o', '-', z, path])
    serial = next(int(f[6]) for f in (line.split() for line in
                                       text.splitlines())
                  if len(f) > 6 and f[3] == 'SOA')
    text = text.replace(' %d ' % serial, ' %d ' % (serial + 10), 1)
    with open(path, 'w') as f:
        f.write(text + 'edited.%s. 300 IN A 192.0.2.88\n' % z)
    rc, out = t.ctl('thaw', z)
    st.check('5. thaw %s after the file is edited' % z, rc == 0, out)
    ok = wait_for(lambda: served_signed(t.port, 'edited.%s' % z, 'A'), 20,
                  0.3)
    st.check('5. the name added by hand is served signed', ok,
             t.proc.logtext()[-1500:])
    ok, why, _ = verify_zone(work, t.port, z, 'thawed')
    st.check('5. %s passes dnssec-verify after the thaw' % z, ok, why)


def part6(work, t):
    z = 'dyn.test'
    rc, out = nsupdate(t.port, z, ['update add crash.%s. 300 A 192.0.2.77'
                                   % z])
    ok = rc == 0
    os.killpg(t.proc.proc.pid, signal.SIGKILL)
    t.proc.proc.wait()
    st.check('6. an update answered NOERROR, then kill -9', ok, out)
    ok, why = start(t)
    if not st.check('6. the target starts again', ok, why):
        return
    ok = wait_for(lambda: served_signed(t.port, 'crash.%s' % z, 'A'), 30, 0.3)
    st.check('6. after the restart the update is served, signed', ok,
             t.proc.logtext()[-1500:])
    ok, why, _ = verify_zone(work, t.port, z, 'restarted')
    st.check('6. %s passes dnssec-verify after the restart' % z, ok, why)


def body(args, work):
    sport, uport = free_port(), free_port()
    s2 = signing_secondary(args, work)
    t = setup(args, work, sport, s2)
    ok, why = start(t)
    if not st.check('the target (%s) serves %s signed' % (
            t.kind, ', '.join(ZONES)), ok, why):
        return
    sec = Secondary(work, sport, t.port)
    sec.start()
    anchors = ['%s. DNSKEY %s' % (z, rd.to_text()) for z in ZONES
               for rd in st.dnskeys(t.port, z).values() if rd.flags & 1]
    ulog = os.path.join(work, 'unbound.log')
    conf = st.testlib.unbound_conf(work, uport, t.port, ZONES, anchors)
    st.Proc(['unbound', '-d', '-c', conf], ulog)
    if not st.check('unbound starts', wait_for(lambda: st.query(
            uport, 'version.server', 'TXT', False), 15)):
        return
    wait_for(lambda: all(st.soa_serial(sec.port, z) for z in ZONES), 20)
    part1(work, t, uport, ulog)
    part2(t)
    part3(work, t, uport, ulog)
    part4(work, t, sec)
    part5(t)
    part5_freeze(work, t)
    part6(work, t)
    part7(work, t, s2)
    if args.target == 'apex':
        part8(work, t)
    st.check('the target is still running', t.proc.alive(),
             t.proc.logtext()[-1500:])
    if args.target == 'apex':
        st.check_log_clean(t.proc.logtext() + (
            s2.proc.logtext() if s2.proc else ''))


def main():
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    ap = argparse.ArgumentParser()
    ap.add_argument('--build', default=os.path.join(st.TOP, 'build'))
    ap.add_argument('--target', choices=('apex', 'bind'), default='apex')
    ap.add_argument('--keep', action='store_true')
    args = ap.parse_args()
    return st.run_test(body, args, 'apex-sign-update-', args.target)


if __name__ == '__main__':
    sys.exit(main())
