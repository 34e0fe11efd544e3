#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""Seeds for fuzz_update: UPDATE messages (RFC 2136) of every form
against the zone the target builds (example.com, serial 1), alone and
in batches, each message with a 2-octet length as the target reads."""
import os
import socket
import struct
import sys

O = 'example.com.'
IN, NONE, ANY = 1, 254, 255
T = {'A': 1, 'NS': 2, 'CNAME': 5, 'SOA': 6, 'MD': 3, 'MX': 15, 'TXT': 16,
     'AAAA': 28, 'DS': 43, 'RRSIG': 46, 'NSEC': 47, 'DNSKEY': 48,
     'NSEC3PARAM': 51, 'AXFR': 252, 'ANY': 255, 'KEY': 25, 'DNAME': 39}


def name(s):
    if s == '@':
        s = O
    elif not s.endswith('.'):
        s = s + '.' + O
    return b''.join(bytes([len(x)]) + x.encode()
                    for x in s.split('.') if x) + b'\0'


def rdata(t, v):
    if v is None:
        return b''
    if t == 'A':
        return socket.inet_aton(v)
    if t == 'AAAA':
        return socket.inet_pton(socket.AF_INET6, v)
    if t in ('NS', 'CNAME', 'MD', 'DNAME'):
        return name(v)
    if t == 'MX':
        p, n = v.split()
        return struct.pack('!H', int(p)) + name(n)
    if t == 'TXT':
        return bytes([len(v)]) + v.encode()
    if t == 'SOA':
        m, r, *c = v.split()
        return name(m) + name(r) + struct.pack('!5I', *map(int, c))
    return bytes.fromhex(v)


def rr(owner, ttl, cls, t, v=None):
    d = rdata(t, v)
    return (name(owner) + struct.pack('!HHIH', T[t], cls, ttl, len(d)) +
            d)


def msg(pre=(), upd=(), zone=O, ztype=6, zclass=IN, qid=0x2a):
    h = struct.pack('!6H', qid, 5 << 11, 1, len(pre), len(upd), 0)
    return (h + name(zone) + struct.pack('!HH', ztype, zclass) +
            b''.join(pre) + b''.join(upd))


def framed(*msgs):
    return b''.join(struct.pack('!H', len(m)) + m for m in msgs)


SOA2 = 'ns1.example.com. hm.example.com. 2 3600 600 86400 60'
seeds = {
    'add-a': msg(upd=[rr('new', 300, IN, 'A', '192.0.2.7')]),
    'add-dup': msg(upd=[rr('www', 300, IN, 'A', '192.0.2.1')]),
    'add-ttl': msg(upd=[rr('www', 60, IN, 'A', '192.0.2.3')]),
    'add-txt-mx-aaaa': msg(upd=[rr('h', 300, IN, 'TXT', 'x'),
                               rr('h', 300, IN, 'MX', '5 mail'),
                               rr('h', 300, IN, 'AAAA', '2001:db8::1')]),
    'add-cname-conflict': msg(upd=[rr('www', 300, IN, 'CNAME', 'mail')]),
    'add-at-cname': msg(upd=[rr('alias', 300, IN, 'A', '192.0.2.9')]),
    'replace-cname': msg(upd=[rr('alias', 300, IN, 'CNAME', 'mail')]),
    'add-soa': msg(upd=[rr('@', 300, IN, 'SOA', SOA2)]),
    'add-soa-low': msg(upd=[rr('@', 300, IN, 'SOA', SOA2.replace(' 2 ',
                                                                ' 0 '))]),
    'add-apex-ns': msg(upd=[rr('@', 300, IN, 'NS', 'ns3'),
                            rr('ns3', 300, IN, 'A', '192.0.2.3')]),
    'add-deleg': msg(upd=[rr('kid', 300, IN, 'NS', 'ns.kid'),
                          rr('ns.kid', 300, IN, 'A', '192.0.2.4'),
                          rr('kid', 300, IN, 'DS', '303901020304')]),
    'add-deleg-noglue': msg(upd=[rr('kid', 300, IN, 'NS', 'ns.kid')]),
    'add-wild-ns': msg(upd=[rr('*.w', 300, IN, 'NS', 'ns1')]),
    'add-md': msg(upd=[rr('www', 300, IN, 'MD', 'ns1')]),
    'add-dname': msg(upd=[rr('dn', 300, IN, 'DNAME', 'example.net.')]),
    'add-ds-apex': msg(upd=[rr('@', 300, IN, 'DS', '303901020304')]),
    'add-dnskey': msg(upd=[rr('@', 300, IN, 'DNSKEY', '0101030d' + 'ab' * 64)]),
    'del-rrset': msg(upd=[rr('www', 0, ANY, 'A')]),
    'del-name': msg(upd=[rr('www', 0, ANY, 'ANY')]),
    'del-apex-all': msg(upd=[rr('@', 0, ANY, 'ANY')]),
    'del-apex-ns': msg(upd=[rr('@', 0, ANY, 'NS')]),
    'del-apex-soa': msg(upd=[rr('@', 0, NONE, 'SOA', SOA2)]),
    'del-last-ns': msg(upd=[rr('@', 0, NONE, 'NS', 'ns1'),
                            rr('@', 0, NONE, 'NS', 'ns2.example.net.')]),
    'del-rr': msg(upd=[rr('www', 0, NONE, 'A', '192.0.2.2')]),
    'del-glue': msg(upd=[rr('ns.sub', 0, ANY, 'A')]),
    'del-deleg': msg(upd=[rr('sub', 0, ANY, 'NS')]),
    'del-ns1-addr': msg(upd=[rr('ns1', 0, ANY, 'ANY')]),
    'pre-yxrrset': msg(pre=[rr('www', 0, ANY, 'A')],
                       upd=[rr('www', 300, IN, 'TXT', 'p')]),
    'pre-nxrrset': msg(pre=[rr('www', 0, NONE, 'MX')],
                       upd=[rr('www', 300, IN, 'MX', '1 mail')]),
    'pre-yxdomain': msg(pre=[rr('mail', 0, ANY, 'ANY')],
                        upd=[rr('mail', 300, IN, 'A', '192.0.2.25')]),
    'pre-nxdomain': msg(pre=[rr('b.ent', 0, NONE, 'ANY')],
                        upd=[rr('b.ent', 300, IN, 'A', '192.0.2.26')]),
    'pre-value': msg(pre=[rr('www', 0, IN, 'A', '192.0.2.1'),
                          rr('www', 0, IN, 'A', '192.0.2.2')],
                     upd=[rr('www', 0, ANY, 'A'),
                          rr('www', 300, IN, 'A', '192.0.2.8')]),
    'pre-value-fail': msg(pre=[rr('www', 0, IN, 'A', '192.0.2.1')],
                          upd=[rr('www', 0, ANY, 'A')]),
    'pre-ttl': msg(pre=[rr('www', 5, ANY, 'A')]),
    'pre-notzone': msg(pre=[rr('x.example.net.', 0, ANY, 'ANY')]),
    'upd-notzone': msg(upd=[rr('x.example.net.', 300, IN, 'A', '1.2.3.4')]),
    'upd-meta': msg(upd=[rr('www', 300, IN, 'AXFR')]),
    'upd-nsec': msg(upd=[rr('www', 300, IN, 'NSEC', '00')]),
    'upd-rrsig': msg(upd=[rr('www', 0, ANY, 'RRSIG')]),
    'upd-nsec3param': msg(upd=[rr('@', 300, IN, 'NSEC3PARAM', '01000000')]),
    'upd-any-ttl': msg(upd=[rr('www', 9, ANY, 'A')]),
    'zone-notauth': msg(zone='example.net.'),
    'zone-type': msg(ztype=1),
    'zone-class': msg(zclass=3),
    'batch-add-del': framed(msg(upd=[rr('t', 300, IN, 'A', '192.0.2.40')]),
                            msg(pre=[rr('t', 0, ANY, 'A')],
                                upd=[rr('t', 0, NONE, 'A', '192.0.2.40')])),
    'batch-deleg-then-del-host': framed(
        msg(upd=[rr('kid', 300, IN, 'NS', 'www')]),
        msg(upd=[rr('www', 0, ANY, 'A')]),
        msg(upd=[rr('kid', 0, ANY, 'ANY'), rr('www', 0, ANY, 'A')])),
    'batch-soa-then-add': framed(
        msg(upd=[rr('@', 300, IN, 'SOA', SOA2)]),
        msg(upd=[rr('n', 300, IN, 'TXT', 'after')])),
    'batch-fail-second': framed(
        msg(upd=[rr('n', 300, IN, 'A', '192.0.2.41')]),
        msg(pre=[rr('nope', 0, ANY, 'ANY')],
            upd=[rr('n', 0, ANY, 'ANY')]),
        msg(upd=[rr('ns1', 0, ANY, 'A'), rr('n2', 300, IN, 'A',
                                              '192.0.2.42')])),
}
# A message with compressed names: owner and MX target point at the zone.
c = bytearray(msg())
struct.pack_into('!H', c, 8, 1)
c += b'\x01c\xc0\x0c' + struct.pack('!HHIH', 15, IN, 300, 7)
c += b'\x00\x05\x02mx\xc0\x0c'
seeds['compressed'] = bytes(c)

d = sys.argv[1]
os.makedirs(d, exist_ok=True)
for k, v in seeds.items():
    data = v if k.startswith('batch') else framed(v)
    with open(os.path.join(d, k), 'wb') as f:
        f.write(data)
