#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""DNSSEC signing on the primary, end to end, beyond regress/sign/run.py:
rollovers that need the parent's DS, and a full disk.

apex signs par.test (policy default) and its children csk.par.test (a
CSK of two and a half minutes' lifetime), alg.par.test (a KSK and a ZSK,
ECDSA P-256) and n3.par.test (a CSK, NSEC), all with TTLs of 5 s.
par.test holds their DS records as the test, acting as the registrar,
writes them: whenever a child's CDS set changes, the test makes it the
DS set in par.test's file, reloads par.test and, once apex serves it,
runs "dnssec -checkds -key TAG published" (or "withdrawn") for each DS
that came (or went). full.test (3000 names) has its key directory on a
small tmpfs. A validating unbound is anchored at par.test's SEP key
only. The test checks:

1. csk.par.test's CSK rolls to the end while unbound is asked every
   0.5 s for an A record and the DNSKEY RRset: the DS set goes {old},
   then {new} (RFC 7583's Double-KSK, as BIND's key manager rolls: the
   CDS is swapped in one step) and at the swap both keys are in the
   DNSKEY RRset and sign it, so either DS in a cache validates; every
   CDS matches its DNSKEY and "dnssec -status" has that key's DS
   rumoured when the CDS comes; no answer is SERVFAIL or without AD; at
   the end another CSK signs, the old one is gone and the zone passes
   dnssec-verify and ldns-verify-zone;
2. with full.test's key directory full, a reload of an edited full.test
   fails: the old signed version is served (serial, dnssec-verify), no
   answer lacks its RRSIGs, the new names are not served, /health and
   apex_dnssec_signing_failing say so, the retry fails too, "apex-ctl
   sign" fails with ENOSPC's text and no temporary file is left; with
   the space back "apex-ctl sign" serves the new version signed, /health
   is 200 again, and after a restart apex serves that version from the
   signed copy;
3. alg.par.test's policy goes from ECDSA P-256 to ED25519 by an edit
   of the configuration and "apex-ctl reconfig", during part 1's roll:
   unbound's answers stay secure throughout, the DS set is swapped as
   in part 1, and at the end only ED25519 keys are published and
   sign;
4. in the same reconfig n3.par.test's policy gets nsec3param: unbound's
   NXDOMAIN for a name in it is secure throughout, by NSEC before and by
   NSEC3 after, and the zone passes dnssec-verify.

Parts 1, 3 and 4 run together, in about four minutes; --quick runs part
2 alone.

usage: rollover.py [--build DIR] [--quick] [--keep]
"""
import argparse
import errno
import hashlib
import json
import os
import re
import signal
import sys
import threading
import time

import dns.dnssec
import dns.flags
import dns.rcode
import dns.rdatatype

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import run as st  # noqa: E402
from run import check, skip  # noqa: E402

sys.path.insert(0, os.path.join(HERE, '..'))
import testlib  # noqa: E402
from testlib import wait_for  # noqa: E402

PARENT, CSK, ALG, N3 = 'par.test', 'csk.par.test', 'alg.par.test', \
    'n3.par.test'
FULL = 'full.test'
CHILDREN = (CSK, ALG, N3)
ECDSA, ED25519 = 13, 15

# Made to pass named-checkconf 9.18 as well as apex-named -C: the
# refresh at most 90% of the validity, the jitter below it, and the
# CSK's lifetime longer than (validity - refresh) + max-zone-ttl +
# retire-safety + zone-propagation-delay (47 s). The validity is short
# so that Dsgn, validity - refresh, is 30 s and a roll takes about
# 90 s; the lifetime leaves the successor's own roll outside the test.
TIMES = '''	dnskey-ttl 5; publish-safety 5; retire-safety 5;
	signatures-refresh PT60S; signatures-validity PT90S;
	signatures-validity-dnskey PT90S; signatures-jitter PT10S;
	max-zone-ttl 10; zone-propagation-delay 2;
	parent-ds-ttl 5; parent-propagation-delay 2;
'''
POLICIES = '''dnssec-policy "cskfast" {
	keys { csk lifetime PT2M30S algorithm ecdsap256sha256; };
%s};
dnssec-policy "alg" {
	keys {
		ksk lifetime unlimited algorithm %%s;
		zsk lifetime unlimited algorithm %%s;
	};
%s};
dnssec-policy "n3sw" {
	keys { csk lifetime unlimited algorithm ecdsap256sha256; };
%s%%s};
''' % (TIMES, TIMES, TIMES)
NSEC3 = '\tnsec3param iterations 0 optout no salt-length 0;\n'


def zones_conf(keydir):
    z = 'zone "%s" { type primary; file "%s.db"; dnssec-policy %s; ' \
        'inline-signing yes;%s };\n'
    return (z % (PARENT, PARENT, 'default', '') +
            z % (CSK, CSK, 'cskfast', '') + z % (ALG, ALG, 'alg', '') +
            z % (N3, N3, 'n3sw', '') +
            z % (FULL, FULL, 'default', ' key-directory "%s";' % keydir))


def parent_text(serial, ds):
    """par.test with the DS records (text) in ds[child] of each child."""
    lines = ['$TTL 5', '@\tSOA\tns1 hostmaster ( %d 3600 600 86400 5 )' %
             serial, '\tNS\tns1', 'ns1\tA\t127.0.0.1']
    for child in CHILDREN:
        label = child.split('.')[0]
        lines += ['%s\tNS\tns1.%s' % (label, label),
                  'ns1.%s\tA\t127.0.0.1' % label]
        lines += ['%s\tDS\t%s' % (label, d) for d in sorted(ds[child])]
    return '\n'.join(lines) + '\n'


def child_text(serial):
    return ('$TTL 5\n@\tSOA\tns1 hostmaster ( %d 3600 600 86400 5 )\n'
            '\tNS\tns1\nns1\tA\t127.0.0.1\nwww\tA\t192.0.2.10\n' % serial)


def full_text(serial, names):
    lines = ['$TTL 300', '@\tSOA\tns1 hostmaster ( %d 3600 600 86400 60 )'
             % serial, '\tNS\tns1', 'ns1\tA\t127.0.0.1']
    lines += ['n%d\tA\t10.0.%d.%d' % (i, i >> 8, i & 255)
              for i in range(3000)]
    lines += ['new%d\tA\t192.0.2.%d' % (i, i % 250)
              for i in range(1, names - 3000 + 1)]
    return '\n'.join(lines) + '\n'


class Apex(st.Apex):
    """apex with this test's zones (run.py's Target writes its own)."""

    def __init__(self, work, build, fulldir):
        super().__init__(work, (), build)
        self.fulldir = fulldir
        self.alg = 'ecdsap256sha256'
        self.nsec3 = False

    def options(self):
        # No secondaries here: no NOTIFY.
        return re.sub(r'\tnotify explicit;\n\talso-notify \{[^}]*\};\n',
                      '\tnotify no;\n', super().options())

    def policies(self):
        return POLICIES % (self.alg, self.alg, NSEC3 if self.nsec3 else '')

    def write_conf(self):
        with open(self.conf, 'w') as f:
            f.write(self.options() + self.controls() + self.policies() +
                    zones_conf(self.fulldir))

    def start(self):
        self.write_conf()
        self.proc = st.Proc(self.command(), self.log)
        ok = wait_for(lambda: not self.proc.alive() or
                      st.soa_serial(self.port, PARENT), 20)
        if not self.proc.alive() or not ok:
            raise RuntimeError('apex did not start:\n%s' %
                               self.proc.logtext()[-3000:])

    def status_json(self, zone):
        """tag -> the key's JSON object of "dnssec -status"."""
        rc, out = st.run([os.path.join(self.build, 'ctl', 'apex-ctl'),
                          '--json', '-s', self.ctlsock, 'dnssec', '-status',
                          zone], 30)
        try:
            return {k['tag']: k for k in json.loads(out)['keys']}
        except (ValueError, KeyError, TypeError):
            return {}


def check_configs(work, t, label):
    """The configuration passes apex-named -C; its policies and zones
    pass named-checkconf (which knows nothing of apex's controls)."""
    rc, out = st.run([os.path.join(t.build, 'named', 'apex-named'), '-C',
                      '-c', t.conf])
    check('%s: the configuration passes apex-named -C' % label, rc == 0, out)
    conf = os.path.join(work, 'bind-check.conf')
    with open(conf, 'w') as f:
        f.write('options { directory "%s"; };\n' % t.dir + t.policies() +
                zones_conf(t.fulldir))
    rc, out = st.run(['named-checkconf', conf])
    check('%s: the policies and zones pass named-checkconf' % label,
          rc == 0, out)


# ---- answers ---------------------------------------------------------------

def rrs(r, section, rdtype):
    return [rd for rrset in (getattr(r, section) if r else [])
            if rrset.rdtype == rdtype for rd in rrset]


def cds_set(port, zone):
    """The served CDS records as text, their key tags, and whether
    each is the digest of a served DNSKEY."""
    cds = rrs(st.query(port, zone, 'CDS'), 'answer', dns.rdatatype.CDS)
    keys = st.dnskeys(port, zone)
    match = []
    for rd in cds:
        k = keys.get(rd.key_tag)
        ds = k and dns.dnssec.make_ds(zone + '.', k, rd.digest_type)
        match.append(bool(ds) and ds.digest == rd.digest and
                     ds.algorithm == rd.algorithm)
    return {rd.to_text() for rd in cds}, {rd.key_tag for rd in cds}, match


def served_ds(port, zone):
    r = st.query(port, zone, 'DS')
    return {rd.to_text() for rd in rrs(r, 'answer', dns.rdatatype.DS)}


def sig_algs(port, name, rdtype):
    covered = dns.rdatatype.from_text(rdtype)
    return {rd.algorithm for rd in rrs(st.query(port, name, rdtype),
                                       'answer', dns.rdatatype.RRSIG)
            if rd.type_covered == covered}


class Asker(threading.Thread):
    """Asks unbound for each (name, type, rcode) every 0.5 s and keeps
    every answer that is not secure or not of that rcode (NOERROR: with
    an answer)."""

    def __init__(self, uport, questions):
        super().__init__(daemon=True)
        self.uport, self.questions = uport, questions
        self.bad, self.n = [], {}
        self.done = threading.Event()

    def run(self):
        while not self.done.is_set():
            for name, t, rcode in self.questions:
                r = st.ask(self.uport, name, t)
                self.n[name] = self.n.get(name, 0) + 1
                if r is None or r.rcode() != rcode or \
                        not r.flags & dns.flags.AD or \
                        (rcode == dns.rcode.NOERROR and not r.answer):
                    self.bad.append((name, '%s %s/%s: %s' % (
                        time.strftime('%H:%M:%S'), name, t,
                        st.describe(r))))
            self.done.wait(0.5)

    def stop(self):
        self.done.set()
        self.join()

    def report(self, zone):
        n = sum(v for k, v in self.n.items() if k.endswith(zone))
        return n, [b for k, b in self.bad if k.endswith(zone)]


def start_unbound(work, t, uport):
    anchors = ['%s. DNSKEY %s' % (PARENT, rd.to_text())
               for rd in st.dnskeys(t.port, PARENT).values() if rd.flags & 1]
    conf = testlib.unbound_conf(work, uport, t.port, (PARENT,) + CHILDREN,
                                anchors)
    u = st.Proc(['unbound', '-d', '-c', conf],
                os.path.join(work, 'unbound.log'))
    if not wait_for(lambda: st.query(uport, 'version.server', 'TXT', False),
                    15):
        check('unbound starts', False, u.logtext()[-1500:])
        return None
    return u


# ---- the registrar ---------------------------------------------------------

class Registrar:
    """The parent's side: each child's DS set in par.test follows its CDS
    set, and apex hears of each DS that came or went."""

    def __init__(self, t):
        self.t = t
        self.ds = {c: set() for c in CHILDREN}
        self.tags = {c: set() for c in CHILDREN}
        self.history = {c: [] for c in CHILDREN}   # DS tag sets in order
        self.errors = {c: [] for c in CHILDREN}
        self.status = {c: [] for c in CHILDREN}    # (tag, DS state) at CDS
        self.unsafe = {c: [] for c in CHILDREN}
        self.serial = 1

    def write(self):
        st.write_zone(self.t, PARENT, parent_text(self.serial, self.ds))

    def follow(self):
        """One look at every child's CDS set; the children whose DS set
        changed."""
        t, changed = self.t, {}
        for c in CHILDREN:
            text, tags, match = cds_set(t.port, c)
            # An empty CDS set says nothing (RFC 7344 4.1: no change).
            if not text or text == self.ds[c]:
                continue
            if not all(match):
                self.errors[c].append('CDS %s do not match the DNSKEYs %s'
                                      % (sorted(text), sorted(
                                          st.dnskeys(t.port, c))))
            keys = t.status_json(c)
            for tag in sorted(tags - self.tags[c]):
                self.status[c].append((tag, keys.get(tag, {}).get(
                    'states', {}).get('ds')))
            changed[c] = (tags - self.tags[c], self.tags[c] - tags)
            # Each DS a cache may still hold, old or new, must point at
            # a published key that signs the DNSKEY RRset.
            signing = set(st.dnskeys(t.port, c)) & st.signers(t.port, c,
                                                               'DNSKEY')
            if not (tags | self.tags[c]) <= signing:
                self.unsafe[c].append('DS %s -> %s, DNSKEY signed by %s' % (
                    sorted(self.tags[c]), sorted(tags), sorted(signing)))
            self.ds[c], self.tags[c] = text, tags
        if not changed:
            return []
        self.serial += 1
        self.write()
        rc, out = t.reload(PARENT)
        for c, (added, gone) in sorted(changed.items()):
            if rc != 0:
                self.errors[c].append('reload %s: %s' % (PARENT, out))
            if not wait_for(lambda: served_ds(t.port, c) == self.ds[c], 15,
                            0.2):
                self.errors[c].append('%s: DS %s not served (%s)' % (
                    time.strftime('%H:%M:%S'), sorted(self.ds[c]),
                    sorted(served_ds(t.port, c))))
            self.history[c].append(sorted(self.tags[c]))
            for tag, pub in [(g, True) for g in sorted(added)] + \
                    [(g, False) for g in sorted(gone)]:
                rc2, out2 = t.checkds(c, pub, tag)
                print('%s: %s: DS %s: dnssec -checkds -key %d %s: %s' % (
                    time.strftime('%H:%M:%S'), c, sorted(self.tags[c]), tag,
                    'published' if pub else 'withdrawn', out2.strip()),
                    flush=True)
                if rc2 != 0:
                    self.errors[c].append('checkds %d: %s' % (tag, out2))
        return sorted(changed)


# ---- parts 1 and 3: the rollovers ------------------------------------------

def csk_done(t, reg, k0):
    keys = st.dnskeys(t.port, CSK)
    sig = st.signers(t.port, 'www.' + CSK, 'A') | st.signers(t.port, CSK,
                                                             'DNSKEY')
    return bool(keys) and k0 not in keys and bool(sig) and \
        k0 not in sig and k0 not in reg.tags[CSK]


def alg_done(t, reg):
    keys = st.dnskeys(t.port, ALG)
    return bool(keys) and {k.algorithm for k in keys.values()} == \
        {ED25519} and sig_algs(t.port, 'www.' + ALG, 'A') == {ED25519} and \
        sig_algs(t.port, ALG, 'DNSKEY') == {ED25519} and reg.tags[ALG] and \
        all(keys.get(g) is not None for g in reg.tags[ALG])


def bootstrap(t, reg, uport):
    """The first DS of each child, and unbound validating both."""
    end = time.time() + 60
    while time.time() < end and not all(reg.tags[c] for c in CHILDREN):
        reg.follow()
        time.sleep(1)
    for c in CHILDREN:
        sep = {g for g, k in st.dnskeys(t.port, c).items() if k.flags & 1}
        check('%s publishes a CDS for its KSK and the DS goes to par.test '
              '(%s)' % (c, sorted(reg.tags[c])), len(reg.tags[c]) == 1 and
              reg.tags[c] == sep and not reg.errors[c],
              (sorted(sep), reg.errors[c], t.status(c)[1][-1500:]))
    ok = wait_for(lambda: all(st.expect(uport, n, q, 'NOERROR', True,
                                        True)[0]
                              for c in CHILDREN for n, q in (
                                  ('www.' + c, 'A'), (c, 'DNSKEY'))),
                  30, 0.5)
    return check('unbound, anchored at par.test only, validates %s (AD)' %
                 ' and '.join(CHILDREN), ok, [st.expect(
                     uport, 'www.' + c, 'A', 'NOERROR', True, True)[1]
                     for c in CHILDREN])


def ksk_ds_states(t, zone):
    return {k['states'].get('ds') for k in t.status_json(zone).values()
            if k['role'] == 'KSK'}


def denial(uport):
    """The types of unbound's proof for nx.n3.par.test, if secure."""
    r = st.ask(uport, 'nx.' + N3, 'A')
    if r is None or r.rcode() != dns.rcode.NXDOMAIN or \
            not r.flags & dns.flags.AD:
        return None
    return {rrset.rdtype for rrset in r.authority} & {
        dns.rdatatype.NSEC, dns.rdatatype.NSEC3}


def change_policies(work, t):
    """Parts 3 and 4 start: ED25519 in one policy, NSEC3 in another, the
    configuration reread."""
    t.alg = 'ed25519'
    t.nsec3 = True
    t.write_conf()
    check_configs(work, t, '3. and 4. the policies changed')
    rc, out = t.ctl('reconfig')
    check('3. and 4. apex-ctl reconfig with alg.par.test\'s policy on '
          'ED25519 and n3.par.test\'s on NSEC3', rc == 0, out)


def n3_done(t):
    recs = st.axfr(t.port, N3) or []
    types = {r[2] for r in recs}
    return dns.rdatatype.NSEC3PARAM in types and \
        dns.rdatatype.NSEC3 in types and dns.rdatatype.NSEC not in types


def test_rollovers(work, t, uport, t0, reg):
    """Parts 1, 3 and 4 at once: csk.par.test's CSK rolls on its
    lifetime, alg.par.test's keys on the change of algorithm,
    n3.par.test goes to NSEC3."""
    k0 = sorted(reg.tags[CSK])[0]
    a0 = st.dnskeys(t.port, ALG)
    asker = Asker(uport, [(n, q, dns.rcode.NOERROR) for c in CHILDREN
                          for n, q in (('www.' + c, 'A'), (c, 'DNSKEY'))] +
                  [('nx.' + N3, 'A', dns.rcode.NXDOMAIN)])
    asker.start()
    # The old KSK's DS settled before the algorithm changes.
    ok = wait_for(lambda: ksk_ds_states(t, ALG) == {'omnipresent'}, 40,
                  1.0)
    check('3. before the change: alg.par.test\'s KSK has its DS '
          'omnipresent', ok, t.status(ALG)[1][-1500:])
    nsec = denial(uport)
    check('4. before the change: unbound proves nx.n3.par.test absent '
          'by NSEC (AD)', nsec == {dns.rdatatype.NSEC}, nsec)
    change_policies(work, t)
    done = {}
    while time.time() < t0 + 300:
        reg.follow()
        for c, fn in ((CSK, lambda: csk_done(t, reg, k0)),
                      (ALG, lambda: alg_done(t, reg)),
                      (N3, lambda: n3_done(t))):
            if c not in done and fn():
                done[c] = time.time()
                print('%s (%.0f s after the start): %s is done: DNSKEY '
                      '%s' % (time.strftime('%H:%M:%S'), done[c] - t0, c,
                              sorted(st.dnskeys(t.port, c))), flush=True)
        # Enough for the caches to have let the old keys go.
        if len(done) == 3 and time.time() > max(done.values()) + 15:
            break
        time.sleep(1)
    asker.stop()
    check_csk(work, t, reg, asker, k0, CSK in done)
    check_alg(work, t, reg, asker, a0, ALG in done)
    check_n3(work, t, reg, asker, uport, N3 in done)


def check_registrar(part, c, reg, want):
    check('%s. the DS set of %s at par.test went %s (it went %s)' % (
        part, c, want, reg.history[c]), reg.history[c] == want,
        reg.errors[c])
    check('%s. %s: every CDS matched its DNSKEY; every checkds was taken' %
          (part, c), not reg.errors[c], '\n'.join(reg.errors[c][:10]))
    check('%s. %s: at each change of the DS set the keys of the old and '
          'the new DS were published and signed the DNSKEY RRset' % (
              part, c), not reg.unsafe[c], reg.unsafe[c])
    check('%s. %s: when a key\'s CDS came, dnssec -status had its DS '
          'rumoured (%s)' % (part, c, reg.status[c]),
          reg.status[c] and all(s == 'rumoured' for _, s in reg.status[c]),
          reg.status[c])


def check_answers(part, c, asker):
    n, bad = asker.report(c)
    check('%s. %s: %d answers from unbound meanwhile, all secure, no '
          'SERVFAIL' % (part, c, n), n > 200 and not bad,
          '\n'.join(bad[:10]))


def check_csk(work, t, reg, asker, k0, rolled):
    keys = st.dnskeys(t.port, CSK)
    sig = st.signers(t.port, 'www.' + CSK, 'A')
    dk = st.signers(t.port, CSK, 'DNSKEY')
    check('1. the CSK rolled: %d gone from DNSKEY (%s), www and DNSKEY '
          'signed by %s and %s' % (k0, sorted(keys), sorted(sig),
                                   sorted(dk)),
          rolled and k0 not in keys and sig and sig == dk and
          k0 not in sig and sig <= set(keys), t.status(CSK)[1][-2500:])
    k1 = sorted(sig)[0] if len(sig) == 1 else None
    check_registrar('1', CSK, reg, [[k0], [k1]])
    check_answers('1', CSK, asker)
    keys = t.status_json(CSK)
    check('1. dnssec -status: CSK %s omnipresent in every state' % k1,
          k1 in keys and all(v == 'omnipresent' for v in
                             keys[k1]['states'].values()), keys.get(k1))
    ok, why = st.verify(work, CSK, st.axfr(t.port, CSK), 'rolled')
    check('1. csk.par.test after the roll passes dnssec-verify and '
          'ldns-verify-zone', ok, why)


def check_alg(work, t, reg, asker, a0, rolled):
    keys = st.dnskeys(t.port, ALG)
    www, dk = sig_algs(t.port, 'www.' + ALG, 'A'), sig_algs(t.port, ALG,
                                                            'DNSKEY')
    check('3. alg.par.test: only ED25519 keys published (%s) and signing '
          '(www: %s, DNSKEY: %s)' % (sorted(keys), sorted(www), sorted(dk)),
          rolled and keys and all(k.algorithm == ED25519 for k in
                                  keys.values()) and www == dk == {ED25519},
          t.status(ALG)[1][-2500:])
    ksk0 = sorted(g for g, k in a0.items() if k.flags & 1)
    ksk1 = sorted(g for g in keys if keys[g].flags & 1)
    check_registrar('3', ALG, reg, [ksk0, ksk1])
    check_answers('3', ALG, asker)
    status = t.status_json(ALG)
    old = [k for k in status.values() if k['algorithm'] == ECDSA and
           any(v not in ('hidden', None) for v in k['states'].values())]
    check('3. dnssec -status: no ECDSA key left in any state but hidden',
          not old, old)
    ok, why = st.verify(work, ALG, st.axfr(t.port, ALG), 'rolled')
    check('3. alg.par.test after the roll passes dnssec-verify and '
          'ldns-verify-zone', ok, why)


def check_n3(work, t, reg, asker, uport, switched):
    recs = st.axfr(t.port, N3)
    p = [r[3] for r in recs or [] if r[2] == dns.rdatatype.NSEC3PARAM]
    check('4. n3.par.test is served with NSEC3 (0 iterations, no salt) '
          'and no NSEC', switched and len(p) == 1 and p[0].iterations == 0
          and p[0].salt == b'', [x.to_text() for x in p])
    ok, why = st.verify(work, N3, recs, 'nsec3')
    check('4. n3.par.test after the switch passes dnssec-verify and '
          'ldns-verify-zone', ok, why)
    n3 = wait_for(lambda: denial(uport) == {dns.rdatatype.NSEC3}, 20, 0.5)
    check('4. unbound proves nx.n3.par.test absent by NSEC3 (AD)', n3,
          denial(uport))
    check('4. n3.par.test kept its key and its DS (%s)' % reg.history[N3],
          len(reg.history[N3]) == 1 and not reg.errors[N3], reg.errors[N3])
    check_answers('4', N3, asker)


# ---- part 2: the disk full -------------------------------------------------

def fill(path):
    """Writes path until the file system has no byte left."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    try:
        for size in (1 << 20, 4096, 512, 1):
            try:
                while os.write(fd, b'\0' * size) > 0:
                    pass
            except OSError as e:
                if e.errno != errno.ENOSPC:
                    raise
    finally:
        os.close(fd)


def keydir_files(d):
    return sorted(f for f in os.listdir(d) if f != 'filler')


def expected_files(files):
    """Whether the key directory holds only keys, the signed copy and the
    journal of the signed versions."""
    return all(re.match(r'^Kfull\.test\.\+\d{3}\+\d{5}\.(key|private|state)$',
                        f) or f in ('full.test.signed', 'full.test.signed.jnl')
               for f in files)


def sha(path):
    with open(path, 'rb') as f:
        return hashlib.sha256(f.read()).hexdigest()


class Watcher(threading.Thread):
    """Asks apex for full.test's SOA and a name of the edit, with DO,
    every 0.1 s: each answer must carry its RRSIGs and the old serial."""

    def __init__(self, port, serial):
        super().__init__(daemon=True)
        self.port, self.serial = port, serial
        self.bad, self.n = [], 0
        self.done = threading.Event()

    def run(self):
        while not self.done.is_set():
            r = st.query(self.port, FULL, 'SOA')
            soa = rrs(r, 'answer', dns.rdatatype.SOA)
            if not soa or soa[0].serial != self.serial or \
                    not rrs(r, 'answer', dns.rdatatype.RRSIG):
                self.bad.append('SOA: %s' % st.describe(r))
            r = st.query(self.port, 'new1.' + FULL, 'A')
            if r is None or r.rcode() != dns.rcode.NXDOMAIN or \
                    not rrs(r, 'authority', dns.rdatatype.RRSIG):
                self.bad.append('new1: %s' % st.describe(r))
            self.n += 2
            self.done.wait(0.1)

    def stop(self):
        self.done.set()
        self.join()


def signing_failures(t):
    return len(re.findall(r'zone full\.test: signing failed',
                          t.proc.logtext()))


def test_full(work, t):
    d = t.fulldir
    copy = os.path.join(d, 'full.test.signed')
    recs = st.axfr(t.port, FULL)
    s0 = st.serial_of(recs) if recs else None
    ok, why = st.verify(work, FULL, recs, 'start', ldns=False)
    if not check('2. full.test is served signed (serial %s) and its signed '
                 'copy is in the key directory' % s0, ok and
                 os.path.exists(copy), why or keydir_files(d)):
        return
    digest, files = sha(copy), keydir_files(d)
    filler = os.path.join(d, 'filler')
    fill(filler)
    print('the tmpfs is full: %s' % st.run(['df', '-k', d])[1].strip(),
          flush=True)
    watcher = Watcher(t.port, s0)
    watcher.start()
    try:
        before = signing_failures(t)
        st.write_zone(t, FULL, full_text(2, 3100))
        rc, out = t.reload(FULL)
        print('reload full.test with the disk full: rc %d: %s' % (
            rc, out.strip()), flush=True)
        failing = wait_for(lambda: st.metric(st.http_get(
            t.http, '/metrics')[1], 'apex_dnssec_signing_failing', FULL) ==
            1, 20, 0.3)
        code, text = st.http_get(t.http, '/health')
        check('2. the disk full: apex_dnssec_signing_failing{zone='
              '"full.test"} 1', failing, t.proc.logtext()[-1500:])
        check('2. /health is not 200 and names full.test', code != 200 and
              FULL in text, '%s: %s' % (code, text[:500]))
        # The retry (after 5 s) fails too, and changes nothing served.
        retried = wait_for(lambda: signing_failures(t) >= before + 2, 15,
                           0.5)
        check('2. the run is retried and fails again', retried,
              t.proc.logtext()[-1500:])
        rc, out = t.sign(FULL)
        check('2. apex-ctl sign full.test fails and says why: %s' %
              out.strip(), rc != 0 and 'signing failed' in out and
              'No space left on device' in out, 'rc %d: %s' % (rc, out))
        recs = st.axfr(t.port, FULL)
        ok, why = st.verify(work, FULL, recs, 'full', ldns=False)
        check('2. the old signed version is served: serial %s, it passes '
              'dnssec-verify' % s0, ok and st.serial_of(recs) == s0,
              why or 'serial %s' % st.serial_of(recs))
    finally:
        watcher.stop()
    check('2. %d answers while the disk was full: each signed, the old '
          'serial, the new names not served' % watcher.n,
          watcher.n > 50 and not watcher.bad, '\n'.join(watcher.bad[:10]))
    now = keydir_files(d)
    check('2. no temporary file in the key directory, the keys and the '
          'signed copy as they were (%s)' % now, now == files and
          expected_files(now) and sha(copy) == digest, (files, now))
    os.unlink(filler)
    rc, out = t.sign(FULL)
    check('2. the space back: apex-ctl sign full.test works: %s' %
          out.strip(), rc == 0 and 'signed' in out and 'fail' not in out,
          'rc %d: %s' % (rc, out))
    # The reply comes when the signer is done; the workers and
    # apex-xferd get the new image right after it.
    recs = wait_for(lambda: (lambda r: r if r and st.serial_of(r) != s0
                             else None)(st.axfr(t.port, FULL)), 10, 0.2)
    recs = recs or st.axfr(t.port, FULL)
    ok, why = st.verify(work, FULL, recs, 'refilled', ldns=False)
    s1 = st.serial_of(recs) if recs else None
    check('2. the new version is served signed (serial %s, new100 '
          'signed) and passes dnssec-verify' % s1, ok and s1 != s0 and
          any(r[0] == 'new100.full.test.' and r[2] == dns.rdatatype.RRSIG
              for r in recs), why)
    ok = wait_for(lambda: st.http_get(t.http, '/health')[0] == 200, 10)
    text = st.http_get(t.http, '/metrics')[1]
    check('2. /health is 200 again and the metric 0', ok and st.metric(
        text, 'apex_dnssec_signing_failing', FULL) == 0,
        st.http_get(t.http, '/health'))
    now = keydir_files(d)
    check('2. the key directory holds the keys and the new signed copy '
          'only (%s)' % now, now == files and sha(copy) != digest, now)
    return s1


def test_restart(t, s1):
    """After part 2: the next start takes full.test from its signed copy,
    as it is, without a sign run."""
    t.proc.stop()
    log0 = len(t.proc.logtext())
    try:
        t.start()
    except RuntimeError as e:
        check('2. apex starts again', False, str(e))
        return
    ok = wait_for(lambda: st.soa_serial(t.port, FULL), 20, 0.3)
    log = t.proc.logtext()[log0:]
    check('2. after a restart apex reads the signed copy of full.test '
          '(serial %s) and serves it unchanged' % s1, ok == s1 and
          re.search(r'zone full\.test: signed copy \S+, serial %d' % s1, log)
          and 'not a signed image' not in log, log[-2000:])


# ---- setup -----------------------------------------------------------------

def setup(work, build, mnt):
    """The zones, and full.test's key directory on a tmpfs at mnt."""
    rc, out = st.run(['mount', '-t', 'tmpfs', '-o', 'size=8m,mode=0755',
                      'tmpfs', mnt])
    if rc != 0:
        raise RuntimeError('mount tmpfs: ' + out)
    fulldir = os.path.join(mnt, 'keys')
    os.makedirs(fulldir)
    t = Apex(work, build, fulldir)
    reg = Registrar(t)
    reg.write()
    for c in CHILDREN:
        st.write_zone(t, c, child_text(1))
    st.write_zone(t, FULL, full_text(1, 3000))
    # The signer runs as the server's unprivileged user and writes the
    # key directories.
    uid, gid = st.apex_user()
    for d in (t.keys, fulldir):
        os.chown(d, uid, gid)
    return t, reg


def main():
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    ap = argparse.ArgumentParser()
    ap.add_argument('--build', default=os.path.join(st.TOP, 'build'))
    ap.add_argument('--quick', action='store_true',
                    help='part 2 only (no rollovers: four minutes)')
    ap.add_argument('--keep', action='store_true')
    args = ap.parse_args()

    def body_in(args, work):
        mnt = os.path.join(work, 'tmpfs')
        os.makedirs(mnt)
        body(args, work, mnt)

    def unmount(work):
        mnt = os.path.join(work, 'tmpfs')
        if os.path.ismount(mnt):
            st.run(['umount', mnt])
    return st.run_test(body_in, args, 'apex-roll-', 'apex', unmount)


def body(args, work, mnt):
    t, reg = setup(work, args.build, mnt)
    t0 = time.time()
    t.write_conf()
    check_configs(work, t, 'at the start')
    try:
        t.start()
    except RuntimeError as e:
        check('apex starts with the signing configuration', False, str(e))
        return
    zones = (PARENT,) + CHILDREN + (FULL,)
    ready = {z: wait_for(lambda: st.zone_ready(t.port, z), 30, 0.3)
             for z in zones}
    if not check('apex serves %s signed' % ', '.join(zones),
                 all(ready.values()), (ready, t.proc.logtext()[-3000:])):
        return
    if args.quick:
        skip('1. and 3. the rollovers', '--quick')
    else:
        uport = testlib.free_port()
        if start_unbound(work, t, uport) and bootstrap(t, reg, uport):
            test_rollovers(work, t, uport, t0, reg)
    s1 = test_full(work, t)
    if s1 is not None:
        test_restart(t, s1)
    check('the unsigned zone files are as the test wrote them',
          not st.files_unchanged(), st.files_unchanged())
    check('apex is still running', t.proc.alive(), t.proc.logtext()[-1500:])
    st.check_log_clean(t.proc.logtext())


if __name__ == '__main__':
    sys.exit(main())
