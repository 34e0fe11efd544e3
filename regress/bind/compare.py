#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""Differential test: BIND 9 and apex-named serve the same zones from the
same named.conf on loopback; every query of the corpus goes to both and
the answers are compared semantically (rcode, flags, EDNS, each section
as a set of RRsets with TTLs, and records sent twice, RFC 2181 5). A
difference fails the test unless allowed.py lists it with the RFC section
that permits both behaviours.

The signed zones (signed.zone.in under three origins: NSEC, NSEC3 with
no salt and no extra iterations, NSEC3 with opt-out; each with a signed
child from kid.zone.in) are signed here at run time with dnssec-keygen
and dnssec-signzone; both servers load the same signed files, and BIND
must not sign or maintain them.

usage: compare.py [--apex PATH] [--named PATH] [--bind-vs-bind] [--keep]
                  [--verbose]
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

import dns.edns
import dns.exception
import dns.flags
import dns.message
import dns.name
import dns.opcode
import dns.rcode
import dns.rdata
import dns.rdataclass
import dns.rdatatype

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import allowed  # noqa: E402
import corpus   # noqa: E402
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                '..'))
from testlib import (ds_of_new_key, free_port, recv_exact,  # noqa: E402
                     sign_zone)

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.abspath(os.path.join(HERE, '..', '..'))
TIMEOUT = 1.5


def wait_ready(port, proc, name, log):
    q = dns.message.make_query('example.com.', 'SOA').to_wire()
    deadline = time.time() + 30
    while time.time() < deadline:
        if proc.poll() is not None:
            sys.exit('%s exited early; log:\n%s' % (name, open(log).read()))
        r = udp(port, q, 0.2)
        if r is not None:
            m = dns.message.from_wire(r)
            if m.rcode() == dns.rcode.NOERROR and m.answer:
                return
        time.sleep(0.1)
    sys.exit('%s did not answer; log:\n%s' % (name, open(log).read()))


def udp(port, wire, timeout=TIMEOUT):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(timeout)
    try:
        s.sendto(wire, ('127.0.0.1', port))
        return s.recv(65535)
    except socket.timeout:
        return None
    finally:
        s.close()


def tcp(port, wire, timeout=TIMEOUT):
    s = socket.create_connection(('127.0.0.1', port), timeout=timeout)
    try:
        s.sendall(struct.pack('!H', len(wire)) + wire)
        h = recv_exact(s, 2)
        if h is None:
            return None
        return recv_exact(s, struct.unpack('!H', h)[0])
    except (socket.timeout, ConnectionError):
        return None
    finally:
        s.close()


def canonical_text(rd):
    """The text of an rdata in its canonical form (RFC 4034 6.2: names
    in lower case), to compare and to print."""
    w = rd.to_digestable(dns.name.root)
    return dns.rdata.from_wire(rd.rdclass, rd.rdtype, w, 0, len(w)).to_text()


def rrsets(section):
    """{(owner, type, class): (TTL, rdata set)} of a section parsed one
    record per RRset. The RRSIGs at one owner are keyed by the type they
    cover, RRSIG(A), RRSIG(NS) and so on: each has the TTL of the RRset
    it covers (RFC 4034 3) and is compared on its own. The TTL is every
    record's: one number if all agree, else the sorted TTLs seen."""
    out = {}
    for rrset in section:
        if rrset.rdtype in (dns.rdatatype.OPT, dns.rdatatype.TSIG):
            continue
        rtype = dns.rdatatype.to_text(rrset.rdtype)
        if rrset.rdtype == dns.rdatatype.RRSIG:
            rtype += '(%s)' % dns.rdatatype.to_text(rrset.covers)
        key = (rrset.name.to_text().lower(), rtype,
               dns.rdataclass.to_text(rrset.rdclass))
        rd = frozenset(canonical_text(r) for r in rrset)
        out.setdefault(key, [set(), set()])
        out[key][0].add(rrset.ttl)
        out[key][1] |= rd
    return {k: (min(v[0]) if len(v[0]) == 1 else tuple(sorted(v[0])),
                frozenset(v[1])) for k, v in out.items()}


def duplicates(m):
    """RFC 2181 5: the records sent more than once in each section (the
    sets the sections are compared as hide them)."""
    out = []
    for section in (m.answer, m.authority, m.additional):
        seen, dup = set(), 0
        for rrset in section:
            for r in rrset:
                key = (rrset.name.canonicalize(), rrset.rdtype,
                       r.to_digestable(dns.name.root))
                dup += key in seen
                seen.add(key)
        out.append(dup)
    return tuple(out)


def split_tsig(wire):
    """The response without its TSIG record, and what the record says
    (key, algorithm, error, whether it has a MAC, other data length); or
    the wire as it is and None."""
    try:
        at = corpus.last_rr(wire)
        if struct.unpack('!H', wire[10:12])[0] == 0:
            return wire, None     # no additional records
        p = corpus.skip_name(wire, at)
        if struct.unpack('!H', wire[p:p + 2])[0] != 250:
            return wire, None
        key = dns.name.from_wire(wire, at)[0].to_text().lower()
        rd = p + 10
        alg = dns.name.from_wire(wire, rd)[0]
        p = corpus.skip_name(wire, rd)
        maclen = struct.unpack('!H', wire[p + 8:p + 10])[0]
        q = p + 10 + maclen
        err, olen = struct.unpack('!HH', wire[q + 2:q + 6])
        out = bytearray(wire[:at])
        out[10:12] = struct.pack('!H', struct.unpack('!H', wire[10:12])[0]
                                 - 1)
        return bytes(out), (key, alg.to_text().lower(), err, maclen > 0,
                            olen)
    except (IndexError, struct.error, dns.exception.DNSException):
        return wire, 'unparseable TSIG'


def normalise(wire, case=None):
    """A comparable view of a response, or a string for odd cases."""
    if wire is None:
        return 'no response'
    signed_ok = None
    if case is not None and case.mac is not None:
        # The answer to a well-signed query must carry a MAC that checks.
        try:
            dns.message.from_wire(wire, keyring=corpus.KEYRING,
                                  request_mac=case.mac)
            signed_ok = True
        except dns.exception.DNSException as e:
            signed_ok = 'TSIG does not verify: %s' % type(e).__name__
    wire, tsig = split_tsig(wire)
    try:
        m = dns.message.from_wire(wire, ignore_trailing=True,
                                  one_rr_per_rrset=True)
    except Exception as e:  # noqa: BLE001 - any parse failure is data
        return 'unparseable: %s' % type(e).__name__
    flags = dns.flags.to_text(m.flags).split()
    opts = {}
    if m.edns >= 0:
        for o in m.options:
            w = o.to_wire() if hasattr(o, 'to_wire') else b''
            if o.otype == dns.edns.EDE:
                # RFC 8914 2: EXTRA-TEXT is free-form text for people;
                # only the INFO-CODE has a meaning to compare.
                w = w[:2]
            elif o.otype == dns.edns.COOKIE and len(w) >= 16:
                # RFC 9018 4: the server cookie holds a time and a hash
                # under each server's own secret; compare the client
                # cookie echoed, the length and the version.
                w = (w[:8], len(w), w[8])
            opts[o.otype] = w
    return {
        'rcode': dns.rcode.to_text(m.rcode()),
        'opcode': dns.opcode.to_text(m.opcode()),
        'flags': ' '.join(sorted(flags)),
        'question': [(q.name.to_text(), dns.rdatatype.to_text(q.rdtype),
                      dns.rdataclass.to_text(q.rdclass)) for q in m.question],
        'answer': rrsets(m.answer),
        'authority': rrsets(m.authority),
        'additional': rrsets(m.additional),
        'edns': m.edns,
        'edns_payload': m.payload if m.edns >= 0 else None,
        'edns_do': bool(m.ednsflags & dns.flags.DO) if m.edns >= 0 else None,
        'edns_options': {dns.edns.OptionType.to_text(k) if hasattr(
            dns.edns.OptionType, 'to_text') else k: v
            for k, v in opts.items()},
        'duplicates': duplicates(dns.message.from_wire(
            wire, ignore_trailing=True, one_rr_per_rrset=True)),
        'size': len(wire),
        'tsig': tsig,
        'tsig_verified': signed_ok,
    }


def differences(b, a):
    if isinstance(b, str) or isinstance(a, str):
        return [] if b == a else [('response', b if isinstance(b, str)
                                   else 'a response',
                                   a if isinstance(a, str) else 'a response')]
    out = []
    for k in ('rcode', 'opcode', 'flags', 'question', 'edns', 'edns_payload',
              'edns_do', 'edns_options', 'tsig', 'tsig_verified',
              'duplicates'):
        if b[k] != a[k]:
            out.append((k, b[k], a[k]))
    for sec in ('answer', 'authority', 'additional'):
        for key in sorted(set(b[sec]) | set(a[sec])):
            if b[sec].get(key) != a[sec].get(key):
                out.append(('%s %s' % (sec, ' '.join(key)),
                            b[sec].get(key), a[sec].get(key)))
    return out


def start(cmd, log):
    return subprocess.Popen(cmd, stdout=open(log, 'w'),
                            stderr=subprocess.STDOUT, start_new_session=True)


def stop(proc):
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


# The signed zones: origin and the dnssec-signzone arguments of its
# denial of existence. Each has a signed child kid.ORIGIN.
SIGNED = [
    ('nsec.test', []),
    ('nsec3.test', ['-3', '-', '-H', '0']),
    ('optout.test', ['-3', '-', '-H', '0', '-A']),
]


def sign_all(dest):
    """Signs every zone of SIGNED and its child into dest (children
    first, so the parent carries their DS records)."""
    keys = os.path.join(dest, 'keys')
    zdir = os.path.join(dest, 'zones')
    os.makedirs(zdir)
    src = os.path.join(HERE, 'zones')
    for origin, extra in SIGNED:
        ds = sign_zone('kid.' + origin, os.path.join(src, 'kid.zone.in'),
                       os.path.join(zdir, 'kid.%s.zone.signed' % origin),
                       keys, extra)
        ds += ds_of_new_key('secure.' + origin, keys)
        sign_zone(origin, os.path.join(src, 'signed.zone.in'),
                  os.path.join(zdir, '%s.zone.signed' % origin), keys,
                  extra, ds)
    return zdir


def setup(work, minimal, signed):
    shutil.copytree(os.path.join(HERE, 'zones'), os.path.join(work, 'zones'))
    for f in os.listdir(signed):
        if f.endswith('.signed'):
            shutil.copy(os.path.join(signed, f),
                        os.path.join(work, 'zones', f))
    subprocess.check_call([sys.executable, os.path.join(HERE, 'gen_zone.py'),
                           '3000', 'large.test',
                           os.path.join(work, 'zones', 'large.test.zone')])
    text = open(os.path.join(HERE, 'named.conf')).read()
    text = text.replace('@WORKDIR@', work).replace('@MINIMAL@', minimal)
    conf = os.path.join(work, 'named.conf')
    with open(conf, 'w') as f:
        f.write(text)
    return conf


def run(args, minimal, signed):
    work = tempfile.mkdtemp(prefix='apex-bind-')
    os.chmod(work, 0o755)   # apex's loader runs unprivileged
    conf = setup(work, minimal, signed)
    # The same configuration, but apex's journals (its zone directory is
    # not its to write) go to a state-directory of this run, not beside
    # BIND's.
    aconf = os.path.join(work, 'apex.conf')
    with open(conf) as f, open(aconf, 'w') as g:
        text = f.read()
        if not args.bind_vs_bind:
            text = text.replace('options {', 'options {\n\tstate-directory '
                                '"%s/apex-state";' % work, 1)
        g.write(text)
    bport, aport = free_port(), free_port()
    blog, alog = os.path.join(work, 'bind.log'), os.path.join(work, 'apex.log')
    bind = start([args.named, '-g', '-c', conf, '-p', str(bport), '-n', '1'],
                 blog)
    second = args.named if args.bind_vs_bind else args.apex
    apex = start([second, '-g', '-c', aconf, '-p', str(aport), '-n', '2'],
                 alog)
    try:
        wait_ready(bport, bind, 'BIND', blog)
        wait_ready(aport, apex, 'apex', alog)
        cases = corpus.cases(os.path.join(work, 'zones'))
        passed = failed = allowed_n = 0
        for case in cases:
            send = tcp if case.tcp else udp
            b = normalise(send(bport, case.wire), case)
            a = normalise(send(aport, case.wire), case)
            diffs = differences(b, a)
            left = [d for d in diffs if not allowed.allows(case, d, b, a)]
            if not left:
                passed += 1
                if diffs:
                    allowed_n += 1
                    if args.verbose:
                        print('ALLOWED %s: %s' % (case.id, diffs))
                continue
            failed += 1
            print('FAIL %s [minimal-responses %s]' % (case.id, minimal))
            for d in left:
                print('   %s\n      bind: %s\n      apex: %s' % d)
        print('minimal-responses %s: %d cases, %d passed (%d with allowed '
              'differences), %d failed' % (minimal, len(cases), passed,
                                           allowed_n, failed))
        # A sanitizer report or a crashed worker fails the run even if
        # every answer matched (the parent restarts dead workers).
        stop(apex)
        bad = [line for line in open(alog, errors='replace')
               if 'runtime error' in line or 'Sanitizer' in line or
               'killed by signal' in line or 'exited with status' in line]
        if bad:
            print('FAIL apex log:\n' + ''.join(bad[:20]))
            failed += 1
        stop(bind)
        for log in [blog] + ([alog] if args.bind_vs_bind else []):
            maintained = bind_maintained(log)
            if maintained:
                print('FAIL BIND (%s) did not serve the signed files as '
                      'they are:\n%s' % (os.path.basename(log),
                                         ''.join(maintained[:20])))
                failed += 1
        return passed, failed
    finally:
        stop(bind)
        stop(apex)
        if args.keep:
            print('work directory kept: %s' % work)
        else:
            shutil.rmtree(work, ignore_errors=True)


def bind_maintained(log):
    """Lines of BIND's log that show it signing or maintaining a signed
    zone (it must load each as it is, "loaded serial N (DNSSEC signed)",
    and do nothing else with it), or that a signed zone did not load."""
    zones = [z for o, _ in SIGNED for z in (o, 'kid.' + o)]
    bad, loaded = [], set()
    for line in open(log, errors='replace'):
        for z in zones:
            if 'zone %s/IN' % z not in line:
                continue
            if 'loaded serial' in line and '(DNSSEC signed)' in line:
                loaded.add(z)
            elif 'shutting down' not in line:
                bad.append(line)
        low = line.lower()
        if any(w in low for w in ('dnssec-policy', 'key event', 'resign',
                                  're-sign', 'signing with', 'rekey',
                                  'inline')):
            bad.append(line)
    bad += ['zone %s: no "loaded serial ... (DNSSEC signed)"\n' % z
            for z in zones if z not in loaded]
    return bad


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--apex', default=os.path.join(TOP, 'build', 'named',
                                                   'apex-named'))
    ap.add_argument('--named', default='/usr/sbin/named')
    ap.add_argument('--minimal', action='append',
                    help='minimal-responses settings to run '
                    '(default: no-auth-recursive, no, yes)')
    ap.add_argument('--bind-vs-bind', action='store_true',
                    help='serve the second side with BIND too (a check of '
                    'the corpus and the comparison: nothing may differ)')
    ap.add_argument('--keep', action='store_true')
    ap.add_argument('--verbose', action='store_true')
    args = ap.parse_args()
    total_p = total_f = 0
    keys = tempfile.mkdtemp(prefix='apex-bind-keys-')
    try:
        signed = sign_all(keys)
        for minimal in args.minimal or ['no-auth-recursive', 'no', 'yes']:
            p, f = run(args, minimal, signed)
            total_p += p
            total_f += f
    finally:
        shutil.rmtree(keys, ignore_errors=True)
    print('%d passed, %d failed' % (total_p, total_f))
    sys.exit(1 if total_f else 0)


if __name__ == '__main__':
    main()
