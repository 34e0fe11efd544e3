#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""Seeds for fuzz_xfrin (zone transfers as a primary sends them) and
fuzz_journal (journals in the format lib/journal.c writes)."""
import hashlib
import os
import struct
import sys

import dns.message
import dns.name
import dns.rrset

O = 'example.com.'


def soa(serial):
    return dns.rrset.from_text(O, 300, 'IN', 'SOA',
                               'ns1.%s hm.%s %d 3600 600 86400 60'
                               % (O, O, serial))


def rr(name, rtype, text):
    return dns.rrset.from_text(name, 300, 'IN', rtype, text)


def response(qtype, records, question=True, qid=0x1234):
    q = dns.message.make_query(O, qtype)
    q.id = qid
    r = dns.message.make_response(q)
    if not question:
        r.question = []
    for x in records:
        r.answer.append(x)
    return r.to_wire()


def framed(flag, msgs):
    return bytes([flag]) + b''.join(struct.pack('!H', len(m)) + m
                                    for m in msgs)


def body_records():
    return [rr(O, 'NS', 'ns1.' + O), rr('ns1.' + O, 'A', '192.0.2.53'),
            rr('www.' + O, 'A', '192.0.2.1'),
            rr('mail.' + O, 'MX', '10 ns1.' + O),
            rr('txt.' + O, 'TXT', '"hello" "world"')]


def xfrin_seeds(d):
    seeds = {
        'axfr-one': framed(0, [response('AXFR', [soa(2)] + body_records() +
                                        [soa(2)])]),
        'axfr-three': framed(0, [
            response('AXFR', [soa(2)] + body_records()[:2]),
            response('AXFR', body_records()[2:], question=False),
            response('AXFR', [soa(2)], question=False)]),
        'ixfr-incremental': framed(1, [response('IXFR', [
            soa(3), soa(1), rr('www.' + O, 'A', '192.0.2.2'), soa(2),
            rr('new.' + O, 'A', '192.0.2.9'), soa(2),
            rr('new.' + O, 'A', '192.0.2.9'), soa(3),
            rr('www.' + O, 'A', '192.0.2.3'), soa(3)])]),
        'ixfr-current': framed(1, [response('IXFR', [soa(1)])]),
        'ixfr-full': framed(1, [response('IXFR', [soa(4)] + body_records() +
                                         [soa(4)])]),
    }
    for name, data in seeds.items():
        with open(os.path.join(d, name), 'wb') as f:
            f.write(data)


def wire_rr(rrset):
    out = b''
    for rd in rrset:
        rdata = rd.to_digestable(dns.name.root)
        out += (rrset.name.to_wire() + struct.pack(
            '!HHIH', rrset.rdtype, rrset.rdclass, rrset.ttl, len(rdata)) +
            rdata)
    return out


def record(frm, to, dels, adds):
    body = b''.join(wire_rr(x) for x in dels + adds)
    ndel = sum(len(x) for x in dels)
    nadd = sum(len(x) for x in adds)
    head = struct.pack('!IIIIII', 0x4a524543, len(body), frm, to, ndel, nadd)
    return head + body + hashlib.sha256(head + body).digest()[:16]


def journal_seeds(d):
    origin = dns.name.from_text(O).to_wire()
    hdr = b'APXJNL01' + struct.pack('!II', 1, len(origin)) + origin
    r1 = record(1, 2, [soa(1), rr('www.' + O, 'A', '192.0.2.1')],
                [soa(2), rr('www.' + O, 'A', '192.0.2.2')])
    r2 = record(2, 3, [soa(2)], [soa(3), rr('n.' + O, 'TXT', '"x"')])
    for name, data in (('empty', hdr), ('one', hdr + r1),
                       ('two', hdr + r1 + r2), ('torn', hdr + r1 + r2[:30])):
        with open(os.path.join(d, name), 'wb') as f:
            f.write(data)


if __name__ == '__main__':
    xfrin_seeds(sys.argv[1])
    journal_seeds(sys.argv[2])
