#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""Address match lists beside BIND 9: both servers read one named.conf
where each zone has its own allow-query list (nested, named, negated,
keys, none, localhost); each zone is asked for its SOA from several
source addresses in 127.0.0.0/8 and from ::1, unsigned and signed with
each of two keys. Every answer must be NOERROR or REFUSED, the same from
both servers, and what the table below expects.

usage: run.py [--apex PATH] [--named PATH] [--keep]
"""
import argparse
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile

import dns.message
import dns.rcode
import dns.tsigkeyring

HERE = os.path.dirname(os.path.abspath(__file__))
TOP = os.path.abspath(os.path.join(HERE, '..', '..'))
sys.path.insert(0, os.path.join(HERE, '..'))
from testlib import free_port, wait_for  # noqa: E402

SECRET = 'YWNsLXRlc3Qta2V5LXNlY3JldC1vZi0zMi1vY3RldHM='
KEYRING = dns.tsigkeyring.from_text({'k1.': SECRET, 'k2.': SECRET})
SOURCES = ['127.0.0.1', '127.0.0.2', '127.0.0.3', '127.0.0.4',
           '127.0.0.5', '::1']
KEYS = [None, 'k1.', 'k2.']

# Zone name, its allow-query list, and the clients it allows as
# (source, key) pairs; every other pair is refused.
CONF_ACLS = '''
acl blocked { !127.0.0.3; 127.0.0.0/29; };
acl trusted { 127.0.0.2; key k1; };
acl nonelist { none; };
acl outer { !blocked; 127.0.0.3; };
acl plain { 127.0.0.4; 127.0.0.5; };
'''
ALL = [(s, k) for s in SOURCES for k in KEYS]


def only(sources, keys=KEYS):
    return [(s, k) for s in sources for k in keys]


def but(pairs):
    return [p for p in ALL if p not in pairs]


V4 = SOURCES[:5]
CASES = [
    # A list's own negation is no match of the list: the next element
    # decides, and an outer "!" cannot turn it into an allow.
    ('neg-named', '!blocked; 127.0.0.0/24;',
     only(['127.0.0.3'])),
    ('neg-named-narrow', '!blocked; 127.0.0.9;', []),
    ('named-any', 'blocked; any;', ALL),
    ('named', 'blocked;', only(['127.0.0.1', '127.0.0.2', '127.0.0.4',
                                '127.0.0.5'])),
    ('nested-neg', '{ !127.0.0.3; any; }; 127.0.0.4;',
     but(only(['127.0.0.3']))),
    ('not-nested-neg', '!{ !127.0.0.3; any; }; 127.0.0.3;',
     only(['127.0.0.3'])),
    ('outer', 'outer;', only(['127.0.0.3'])),
    ('not-outer', '!outer; any;', but(only(['127.0.0.3']))),
    ('not-plain', '!plain; any;', but(only(['127.0.0.4', '127.0.0.5']))),
    ('none-first', 'none; any;', []),
    ('not-none', '!none;', ALL),
    ('nonelist', 'nonelist; 127.0.0.2;', only(['127.0.0.2'])),
    ('not-nonelist', '!nonelist; 127.0.0.2;', only(['127.0.0.2'])),
    ('two-negs', '!127.0.0.2; !127.0.0.3; 127.0.0.0/29;',
     only(['127.0.0.1', '127.0.0.4', '127.0.0.5'])),
    # Keys.
    ('not-key', '!key k1; any;', but(only(SOURCES, ['k1.']))),
    ('trusted', 'trusted;', only(['127.0.0.2']) +
     [(s, 'k1.') for s in SOURCES if s != '127.0.0.2']),
    ('not-trusted', '!trusted; any;',
     but(only(['127.0.0.2']) +
         [(s, 'k1.') for s in SOURCES if s != '127.0.0.2'])),
    ('nested-not-key', '{ !key k1; 127.0.0.0/29; }; 127.0.0.5;',
     only(V4, [None, 'k2.']) + [('127.0.0.5', 'k1.')]),
    ('not-nested-not-key', '!{ !key k1; 127.0.0.0/29; }; any;',
     but(only(V4, [None, 'k2.']))),
    ('key-and-net', '!key k2; { key k1; 127.0.0.2; };',
     only(SOURCES, ['k1.']) + [('127.0.0.2', None)]),
    # The host's own addresses.
    ('not-localhost', '!localhost; any;', but(only(['127.0.0.1', '::1']))),
    ('localnets', 'localnets;', ALL),
    # IPv6.
    ('v6-nested', '!{ !::1; ::/0; }; ::1;', only(['::1'])),
    ('v6-deny', '!::1; any;', but(only(['::1']))),
]


def write_conf(work):
    with open(os.path.join(work, 'z.zone'), 'w') as f:
        f.write('$TTL 300\n@ SOA ns.test. h.test. 1 3600 600 86400 300\n'
                '@ NS ns.test.\n')
    keys = ''.join('key "%s" { algorithm hmac-sha256; secret "%s"; };\n' %
                   (k, SECRET) for k in ('k1', 'k2'))
    zones = ''.join('zone "%s.test" { type primary; file "z.zone"; '
                    'allow-query { %s }; };\n' % (name, aml)
                    for name, aml, _ in CASES + [('ready', 'any;', [])])
    conf = os.path.join(work, 'named.conf')
    with open(conf, 'w') as f:
        f.write('options {\n\tdirectory "%s";\n\tpid-file none;\n'
                '\tlisten-on { 127.0.0.1; };\n\tlisten-on-v6 { ::1; };\n'
                '\trecursion no;\n\tnotify no;\n\tdnssec-validation no;\n'
                '\tsession-keyfile none;\n};\ncontrols { };\n%s%s%s' %
                (work, keys, CONF_ACLS, zones))
    return conf


def ask(port, zone, source, key):
    """The rcode (text) of the answer to zone's SOA, or what went wrong."""
    q = dns.message.make_query(zone, 'SOA')
    if key is not None:
        q.use_tsig(KEYRING, keyname=key)
    v6 = ':' in source
    s = socket.socket(socket.AF_INET6 if v6 else socket.AF_INET,
                      socket.SOCK_DGRAM)
    s.settimeout(2)
    try:
        s.bind((source, 0))
        s.sendto(q.to_wire(), ('::1' if v6 else '127.0.0.1', port))
        r = dns.message.from_wire(s.recv(65535), keyring=KEYRING,
                                  request_mac=q.mac if key else b'')
        return dns.rcode.to_text(r.rcode())
    except socket.timeout:
        return 'no answer'
    except Exception as e:  # noqa: BLE001 - a bad answer is a result
        return 'bad answer: %s' % type(e).__name__
    finally:
        s.close()


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


def ready(port, proc, name, log):
    if not wait_for(lambda: proc.poll() is None and
                    ask(port, 'ready.test.', '127.0.0.1', None) ==
                    'NOERROR', 30):
        sys.exit('%s did not answer; log:\n%s' % (name, open(log).read()))


def compare(bport, aport):
    failed = n = 0
    for name, aml, allowed in CASES:
        for source, key in ALL:
            n += 1
            want = 'NOERROR' if (source, key) in allowed else 'REFUSED'
            b = ask(bport, name + '.test.', source, key)
            a = ask(aport, name + '.test.', source, key)
            if a == b == want:
                continue
            failed += 1
            print('FAIL %s { %s } from %s key %s: expected %s, bind %s, '
                  'apex %s' % (name, aml, source, key or 'none', want, b, a))
    print('%d cases, %d passed, %d failed' % (n, n - failed, failed))
    return failed


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--apex', default=os.path.join(TOP, 'build', 'named',
                                                   'apex-named'))
    ap.add_argument('--named', default='/usr/sbin/named')
    ap.add_argument('--keep', action='store_true')
    args = ap.parse_args()
    work = tempfile.mkdtemp(prefix='apex-acl-')
    os.chmod(work, 0o755)   # apex's loader runs unprivileged
    conf = write_conf(work)
    bport, aport = free_port(), free_port()
    blog, alog = os.path.join(work, 'bind.log'), os.path.join(work, 'apex.log')
    bind = start([args.named, '-g', '-c', conf, '-p', str(bport), '-n', '1'],
                 blog)
    apex = start([args.apex, '-g', '-c', conf, '-p', str(aport), '-n', '1'],
                 alog)
    try:
        ready(bport, bind, 'BIND', blog)
        ready(aport, apex, 'apex', alog)
        failed = compare(bport, aport)
        stop(apex)
        bad = [line for line in open(alog, errors='replace')
               if 'runtime error' in line or 'Sanitizer' in line or
               'killed by signal' in line]
        if bad:
            print('FAIL apex log:\n' + ''.join(bad[:20]))
            failed += 1
    finally:
        stop(bind)
        stop(apex)
        if args.keep:
            print('work directory kept: %s' % work)
        else:
            shutil.rmtree(work, ignore_errors=True)
    sys.exit(1 if failed else 0)


if __name__ == '__main__':
    main()
