#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""DNSSEC as a validating resolver sees it. The test signs a small tree
at run time (secure.test with NSEC, its signed child kid.secure.test with
NSEC3, its unsigned child plain.secure.test), apex-named serves all three
on loopback, and unbound (validator iterator, a trust anchor for
secure.test, a stub zone per zone) resolves through it: positive
answers, NXDOMAIN, NODATA, wildcard answers and NODATA, a CNAME, DS at
the signed delegation and the proof of no DS at the unsigned one must come
back secure (AD=1); names below the unsigned delegation insecure (AD=0,
not SERVFAIL); a name whose signature the test spoils after signing
bogus (SERVFAIL), so a validator that does not validate fails the test. Then delv, asking apex directly with the same anchor,
must say "fully validated" (or "negative response, fully validated")
and "unsigned answer" for the same cases.

--named PATH serves the zones with BIND 9 instead, to check the test
itself: every case must pass against BIND.

usage: run.py [--apex PATH | --named PATH] [--unbound PATH] [--keep]
"""
import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

import dns.edns
import dns.flags
import dns.message
import dns.rcode
import dns.rdatatype

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.abspath(os.path.join(HERE, '..', '..'))
sys.path.insert(0, os.path.join(HERE, '..'))
import testlib  # noqa: E402
from testlib import free_port, sign_zone  # noqa: E402

SECURE = '''$TTL 3600
@	SOA	ns1 hostmaster ( 2026120101 7200 3600 1209600 300 )
	NS	ns1
	A	192.0.2.1
ns1	A	127.0.0.1
www	A	192.0.2.10
	TXT	"secure"
alias	CNAME	www
*.wild	A	192.0.2.20
	TXT	"wildcard"
a.b.ent	A	192.0.2.30
tokid	CNAME	www.kid
broken	A	192.0.2.99
kid	NS	ns1.kid
ns1.kid	A	127.0.0.1
plain	NS	ns1.plain
ns1.plain	A	127.0.0.1
'''
KID = '''$TTL 3600
@	SOA	ns1 hostmaster ( 2026120101 7200 3600 1209600 300 )
	NS	ns1
ns1	A	127.0.0.1
www	A	192.0.2.40
	TXT	"kid"
*.wild	A	192.0.2.41
'''
PLAIN = '''$TTL 3600
@	SOA	ns1 hostmaster ( 2026120101 7200 3600 1209600 300 )
	NS	ns1
ns1	A	127.0.0.1
www	A	192.0.2.50
'''

# (name, type, rcode, secure, answer expected). secure: AD=1 from
# unbound and "fully validated" from delv; else insecure: AD=0 and
# "unsigned answer".
CASES = [
    ('www.secure.test', 'A', 'NOERROR', True, True),
    ('www.secure.test', 'TXT', 'NOERROR', True, True),
    ('secure.test', 'DNSKEY', 'NOERROR', True, True),
    ('secure.test', 'SOA', 'NOERROR', True, True),
    ('nx.secure.test', 'A', 'NXDOMAIN', True, False),
    ('deep.nx.secure.test', 'TXT', 'NXDOMAIN', True, False),
    ('www.secure.test', 'AAAA', 'NOERROR', True, False),
    ('ent.secure.test', 'A', 'NOERROR', True, False),
    ('b.ent.secure.test', 'TXT', 'NOERROR', True, False),
    ('a.b.ent.secure.test', 'A', 'NOERROR', True, True),
    ('foo.wild.secure.test', 'A', 'NOERROR', True, True),
    ('a.b.wild.secure.test', 'TXT', 'NOERROR', True, True),
    ('foo.wild.secure.test', 'AAAA', 'NOERROR', True, False),
    ('alias.secure.test', 'A', 'NOERROR', True, True),
    ('tokid.secure.test', 'A', 'NOERROR', True, True),
    ('kid.secure.test', 'DS', 'NOERROR', True, True),
    ('kid.secure.test', 'DNSKEY', 'NOERROR', True, True),
    ('www.kid.secure.test', 'A', 'NOERROR', True, True),
    ('nx.kid.secure.test', 'A', 'NXDOMAIN', True, False),
    ('www.kid.secure.test', 'MX', 'NOERROR', True, False),
    ('foo.wild.kid.secure.test', 'A', 'NOERROR', True, True),
    ('plain.secure.test', 'DS', 'NOERROR', True, False),
    ('www.plain.secure.test', 'A', 'NOERROR', False, True),
    ('plain.secure.test', 'SOA', 'NOERROR', False, True),
    ('nx.plain.secure.test', 'A', 'NXDOMAIN', False, False),
]

results = []


def check(name, ok, detail=''):
    results.append(ok)
    print('%s %s%s' % ('PASS' if ok else 'FAIL', name,
                       '' if ok else '\n    ' + detail.replace('\n',
                                                             '\n    ')))


def start(cmd, log):
    return subprocess.Popen(cmd, stdout=open(log, 'w'),
                            stderr=subprocess.STDOUT, start_new_session=True)


def stop(proc):
    if proc is not None and proc.poll() is None:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def udp(port, m, timeout=3.0):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(timeout)
    try:
        s.sendto(m.to_wire(), ('127.0.0.1', port))
        return dns.message.from_wire(s.recv(65535))
    except (socket.timeout, OSError):
        return None
    finally:
        s.close()


def wait_answer(port, proc, who, log, qname, qtype, rdclass='IN'):
    deadline = time.time() + 30
    while time.time() < deadline:
        if proc.poll() is not None:
            sys.exit('%s exited early; log:\n%s' % (who, open(log).read()))
        r = udp(port, dns.message.make_query(qname, qtype, rdclass=rdclass),
                0.3)
        if r is not None and r.rcode() == dns.rcode.NOERROR and r.answer:
            return
        time.sleep(0.1)
    sys.exit('%s did not answer; log:\n%s' % (who, open(log).read()))


def sign_tree(work):
    zdir = os.path.join(work, 'zones')
    keys = os.path.join(work, 'keys')
    os.makedirs(zdir)
    srcs = {}
    for origin, text in (('secure.test', SECURE), ('kid.secure.test', KID),
                         ('plain.secure.test', PLAIN)):
        srcs[origin] = os.path.join(zdir, origin + '.zone')
        with open(srcs[origin], 'w') as f:
            f.write(text)
        os.chmod(srcs[origin], 0o644)
    kid_ds = sign_zone('kid.secure.test', srcs['kid.secure.test'],
                       srcs['kid.secure.test'] + '.signed', keys,
                       ['-3', '-', '-H', '0'])
    signed = srcs['secure.test'] + '.signed'
    anchor = sign_zone('secure.test', srcs['secure.test'], signed, keys,
                       ['-O', 'full'], kid_ds)
    spoil(signed, 'broken.secure.test.', 'A')
    return anchor


def spoil(path, owner, covered):
    """Changes one octet of the signature over owner/covered in a signed
    zone file written one record a line (dnssec-signzone -O full): the
    negative control, an answer every validator must call bogus."""
    import base64
    out, done = [], False
    for line in open(path):
        f = line.split()
        if (len(f) > 5 and f[0] == owner and f[3] == 'RRSIG' and
                f[4] == covered):
            sig = bytearray(base64.b64decode(''.join(f[12:])))
            sig[len(sig) // 2] ^= 0x55
            line = '\t'.join(f[:12] + [base64.b64encode(sig).decode()])
            line += '\n'
            done = True
        out.append(line)
    if not done:
        sys.exit('no RRSIG %s over %s in %s' % (covered, owner, path))
    with open(path, 'w') as g:
        g.writelines(out)


def server_conf(work, apex):
    conf = os.path.join(work, 'named.conf' if not apex else 'apex.conf')
    with open(conf, 'w') as f:
        f.write('options {\n\tdirectory "%s";\n' % work)
        if apex:
            f.write('\tstate-directory "%s/apex-state";\n' % work)
        f.write('\tpid-file none;\n\tlisten-on { 127.0.0.1; };\n'
                '\tlisten-on-v6 { none; };\n\trecursion no;\n\tnotify no;\n'
                '\tallow-query { any; };\n\tallow-transfer { none; };\n')
        if not apex:
            f.write('\tdnssec-validation no;\n\tsession-keyfile none;\n')
        f.write('};\ncontrols { };\n')
        f.write('zone "secure.test" { type primary; '
                'file "zones/secure.test.zone.signed"; };\n')
        f.write('zone "kid.secure.test" { type primary; '
                'file "zones/kid.secure.test.zone.signed"; };\n')
        f.write('zone "plain.secure.test" { type primary; '
                'file "zones/plain.secure.test.zone"; };\n')
    return conf


def unbound_conf(work, port, aport, anchor):
    return testlib.unbound_conf(work, port, aport, (
        'secure.test', 'kid.secure.test', 'plain.secure.test'), [anchor])


def delv_anchor(work, anchor):
    # delv -a reads a trust-anchors statement (BIND 9.18).
    name, _, _, tag, alg, dtype, digest = anchor.split(None, 6)
    path = os.path.join(work, 'delv.anchor')
    with open(path, 'w') as f:
        f.write('trust-anchors {\n\t"%s" static-ds %s %s %s "%s";\n};\n' %
                (name, tag, alg, dtype, digest.replace(' ', '')))
    return path


def ask_unbound(port, qname, qtype):
    m = dns.message.make_query(qname + '.', qtype, want_dnssec=True,
                               payload=1232)
    m.flags = dns.flags.RD | dns.flags.AD
    return udp(port, m, 10.0)


def describe(r):
    if r is None:
        return 'no answer'
    ede = [(o.code, o.text) for o in r.options
           if o.otype == dns.edns.EDE]
    return '%s flags %s%s\n%s' % (
        dns.rcode.to_text(r.rcode()), dns.flags.to_text(r.flags),
        ' EDE %s' % ede if ede else '',
        '\n'.join(str(x) for x in r.answer + r.authority))


def check_unbound(port, log):
    for qname, qtype, rcode, secure, has_answer in CASES:
        r = ask_unbound(port, qname, qtype)
        want = '%s %s%s' % (rcode, 'AD=1 (secure)' if secure
                            else 'AD=0 (insecure)',
                            ', with an answer' if has_answer else
                            ', no answer')
        ok = r is not None and dns.rcode.to_text(r.rcode()) == rcode
        if ok:
            ad = bool(r.flags & dns.flags.AD)
            qt = dns.rdatatype.from_text(qtype)
            got = any(rr.rdtype == qt for rr in r.answer)
            ok = ad == secure and got == has_answer
        detail = 'want %s; unbound said %s' % (want, describe(r))
        if not ok:
            lines = [line for line in open(log, errors='replace')
                     if qname in line or 'validation failure' in line]
            if lines:
                detail += '\nunbound log:\n' + ''.join(lines[-5:]).rstrip()
        check('unbound %s/%s: %s' % (qname, qtype, want), ok, detail)


def check_bogus(uport, aport, anchor_file):
    """The negative control: broken.secure.test's signature was changed
    after signing, so unbound must answer SERVFAIL and delv must fail."""
    r = ask_unbound(uport, 'broken.secure.test', 'A')
    check('unbound broken.secure.test/A (a spoilt signature): SERVFAIL',
          r is not None and r.rcode() == dns.rcode.SERVFAIL,
          'unbound said %s' % describe(r))
    r = subprocess.run(['delv', '@127.0.0.1', '-p', str(aport), '-a',
                        anchor_file, '+root=secure.test', '+nomulti',
                        'broken.secure.test', 'A'], stdout=subprocess.PIPE,
                       stderr=subprocess.STDOUT, text=True, timeout=60)
    check('delv broken.secure.test/A (a spoilt signature): '
          '"resolution failed"', 'resolution failed' in r.stdout and
          'fully validated' not in r.stdout, 'delv said:\n' + r.stdout)


def check_delv(aport, anchor_file):
    for qname, qtype, rcode, secure, has_answer in CASES:
        r = subprocess.run(['delv', '@127.0.0.1', '-p', str(aport), '-a',
                            anchor_file, '+root=secure.test', '+nomulti',
                            qname, qtype],
                           stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                           text=True, timeout=60)
        out = r.stdout
        if secure and rcode == 'NOERROR' and has_answer:
            want = '; fully validated'
            ok = want in out and 'negative' not in out
        elif secure:
            want = '; negative response, fully validated'
            ok = want in out
        elif has_answer:
            want = '; unsigned answer'
            ok = want in out
        else:
            want = '; negative response, unsigned answer'
            ok = want in out
        check('delv %s/%s: "%s"' % (qname, qtype, want), ok,
              'delv said:\n' + out.strip())


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--apex', default=os.path.join(TOP, 'build', 'named',
                                                   'apex-named'))
    ap.add_argument('--named', help='serve the zones with this BIND 9 '
                    'named instead of apex (a check of the test)')
    ap.add_argument('--unbound', default='unbound')
    ap.add_argument('--keep', action='store_true')
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix='apex-dnssec-')
    os.chmod(work, 0o755)   # apex's loader runs unprivileged
    server = unbound = None
    t0 = time.time()
    try:
        anchor = sign_tree(work)[0]
        aport, uport = free_port(), free_port()
        slog = os.path.join(work, 'server.log')
        ulog = os.path.join(work, 'unbound.log')
        if args.named:
            who = 'BIND'
            server = start([args.named, '-g', '-c', server_conf(work, False),
                            '-p', str(aport), '-n', '1'], slog)
        else:
            who = 'apex'
            server = start([args.apex, '-g', '-c', server_conf(work, True),
                            '-p', str(aport), '-n', '1'], slog)
        wait_answer(aport, server, who, slog, 'secure.test.', 'SOA')
        print('%s serves secure.test, kid.secure.test and plain.secure.test '
              'on 127.0.0.1 port %d; trust anchor %s' % (who, aport, anchor))
        unbound = start([args.unbound, '-d', '-c',
                         unbound_conf(work, uport, aport, anchor)], ulog)
        wait_answer(uport, unbound, 'unbound', ulog, 'version.server.',
                    'TXT', 'CH')
        check_unbound(uport, ulog)
        anchor_file = delv_anchor(work, anchor)
        check_delv(aport, anchor_file)
        check_bogus(uport, aport, anchor_file)
        if not args.named:
            stop(server)
            bad = [line for line in open(slog, errors='replace')
                   if 'runtime error' in line or 'Sanitizer' in line or
                   'killed by signal' in line or 'exited with status' in line]
            check('no sanitizer report or dead worker in apex\'s log',
                  not bad, ''.join(bad[:20]))
    finally:
        stop(unbound)
        stop(server)
        if args.keep:
            print('work directory kept: %s' % work)
        else:
            shutil.rmtree(work, ignore_errors=True)
    failed = results.count(False)
    print('%s: %d passed, %d failed (%.1f s)' % (
        'BIND' if args.named else 'apex', results.count(True), failed,
        time.time() - t0))
    sys.exit(1 if failed or not results else 0)


if __name__ == '__main__':
    main()
