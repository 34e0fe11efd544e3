# SPDX-License-Identifier: ISC
"""The query corpus of the BIND comparison: every answer rule of RFC 1034
4.3.2 and its companions, each asked in several ways (UDP and TCP, with
and without EDNS, small and large buffers, RD set and clear, mixed case),
plus malformed messages and a sample of a generated zone."""
import os
import random
import struct
from collections import namedtuple

import dns.edns
import dns.flags
import dns.message
import dns.name
import dns.rdataclass
import dns.rdatatype
import dns.renderer
import dns.rrset
import dns.tsig
import dns.tsigkeyring

# mac: the request MAC of a signed query, to check the answer's TSIG.
Case = namedtuple('Case', 'id wire tcp qname qtype variant mac',
                  defaults=(None,))

# The key both servers know (named.conf), and one they do not.
KEY_NAME = 'corpus-key.'
KEY_SECRET = 'Y29ycHVzLWtleS1zZWNyZXQtb2YtMzItb2N0ZXRzISE='
KEYRING = dns.tsigkeyring.from_text({KEY_NAME: ('hmac-sha256', KEY_SECRET)})

# The label that makes loops.test's name server names long.
LONG_LABEL = 'name-server-with-a-rather-long-label-here'

# (name, type) pairs that exercise the rules.
RULES = [
    # positive answers, additional-section processing
    ('example.com', 'SOA'), ('example.com', 'NS'), ('example.com', 'MX'),
    ('example.com', 'A'), ('example.com', 'AAAA'), ('example.com', 'TXT'),
    ('example.com', 'CAA'), ('example.com', 'ANY'), ('ns1.example.com', 'A'),
    ('ns1.example.com', 'AAAA'), ('mail.example.com', 'A'),
    ('_sip._udp.example.com', 'SRV'), ('_ldap._tcp.example.com', 'SRV'),
    ('types.example.com', 'HINFO'), ('types.example.com', 'NAPTR'),
    ('types.example.com', 'SSHFP'), ('types.example.com', 'TXT'),
    ('types.example.com', 'LOC'), ('types.example.com', 'TYPE65000'),
    ('types.example.com', 'RP'), ('types.example.com', 'PTR'),
    ('types.example.com', 'ANY'), ('mixed.example.com', 'A'),
    ('MIXED.EXAMPLE.COM', 'A'), ('a\\.dot.example.com', 'TXT'),
    ('ttl.example.com', 'A'), ('dup.example.com', 'A'),
    ('mxcname.example.com', 'MX'),
    # NODATA and NXDOMAIN (RFC 2308)
    ('nodata.example.com', 'AAAA'), ('nodata.example.com', 'MX'),
    ('nxdomain.example.com', 'A'), ('deep.nx.example.com', 'TXT'),
    ('example.com', 'SRV'), ('ns1.example.com', 'MX'),
    # CNAME chains (RFC 1034 3.6.2, 4.3.2 step 3a)
    ('www.example.com', 'A'), ('www.example.com', 'CNAME'),
    ('www.example.com', 'NSEC'), ('sub.example.com', 'NSEC'),
    ('www.example.com', 'AAAA'), ('www.example.com', 'MX'),
    ('www2.example.com', 'A'), ('www.example.com', 'ANY'),
    ('ext.example.com', 'A'), ('cross.example.com', 'A'),
    ('crossdeleg.example.com', 'A'), ('chain1.example.com', 'A'),
    ('chain1.example.com', 'TXT'), ('loop1.example.com', 'A'),
    ('self.example.com', 'A'), ('dangling.example.com', 'A'),
    ('back.example.net', 'A'),
    # wildcards (RFC 4592)
    ('foo.wild.example.com', 'A'), ('foo.wild.example.com', 'TXT'),
    ('foo.wild.example.com', 'MX'), ('foo.wild.example.com', 'AAAA'),
    ('foo.wild.example.com', 'ANY'), ('a.b.wild.example.com', 'A'),
    ('*.wild.example.com', 'A'), ('*.wild.example.com', 'TXT'),
    ('sub.wild.example.com', 'A'), ('sub.wild.example.com', 'TXT'),
    ('x.sub.wild.example.com', 'A'), ('ent.wild.example.com', 'A'),
    ('y.ent.wild.example.com', 'A'), ('x.ent.wild.example.com', 'A'),
    ('foo.cwild.example.com', 'A'), ('foo.cwild.example.com', 'CNAME'),
    ('foo.cnx.example.com', 'A'), ('foo.wnodata.example.com', 'A'),
    ('foo.wnodata.example.com', 'TXT'), ('a.deep.wild2.example.com', 'A'),
    ('deep.wild2.example.com', 'A'), ('wild2.example.com', 'A'),
    # empty non-terminals
    ('c.ent.example.com', 'A'), ('b.c.ent.example.com', 'A'),
    ('ent.example.com', 'TXT'), ('a.b.c.ent.example.com', 'A'),
    ('x.b.c.ent.example.com', 'A'),
    # referrals, glue, DS at the cut
    ('sub.example.com', 'NS'), ('sub.example.com', 'A'),
    ('host.sub.example.com', 'A'), ('ns.sub.example.com', 'A'),
    ('deeper.ns.sub.example.com', 'A'), ('sub.example.com', 'DS'),
    ('sub2.example.com', 'A'), ('x.sub2.example.com', 'MX'),
    ('sib.example.com', 'A'), ('sib2.example.com', 'NS'),
    ('signed.example.com', 'DS'), ('signed.example.com', 'A'),
    ('signed.example.com', 'NS'), ('x.signed.example.com', 'DS'),
    ('sub.example.com', 'ANY'),
    # a child zone we also serve: DS from the parent (RFC 4035 3.1.4.1)
    ('child.example.com', 'DS'), ('child.example.com', 'SOA'),
    ('child.example.com', 'NS'), ('child.example.com', 'A'),
    ('www.child.example.com', 'A'), ('nx.child.example.com', 'A'),
    # DNAME (RFC 6672)
    ('dn.example.com', 'DNAME'), ('dn.example.com', 'A'),
    ('www.dn.example.com', 'A'), ('foo.dn.example.com', 'TXT'),
    ('nx.dn.example.com', 'A'), ('a.b.dn.example.com', 'A'),
    ('www.dn2.example.com', 'A'), ('www.dnself.example.com', 'A'),
    ('x.y.dnself.example.com', 'A'), ('aaaaaaaaaaaa.dnlong.example.com', 'A'),
    ('x.dnlong.example.com', 'A'), ('dnhost.example.com', 'A'),
    ('www.dnhost.example.com', 'A'), ('www.sub.example.net', 'A'),
    ('sub.sub.example.net', 'A'), ('www.dn.example.com', 'CNAME'),
    ('www.dn.example.com', 'ANY'), ('www.dnhost.example.com', 'ANY'),
    ('dn.example.com', 'ANY'),
    # RFC 4592 2.2.1 examples
    ('host3.example', 'MX'), ('host3.example', 'A'),
    ('foo.bar.example', 'TXT'), ('host1.example', 'MX'),
    ('sub.*.example', 'MX'), ('_telnet._tcp.host1.example', 'SRV'),
    ('host.subdel.example', 'A'), ('ghost.*.example', 'MX'),
    ('_ssh._tcp.host1.example', 'SRV'), ('*.example', 'TXT'),
    ('_tcp.host1.example', 'A'),
    # zones, classes and refusals
    ('example.org', 'A'), ('www.example.org', 'A'), ('com', 'NS'),
    ('.', 'NS'), ('closed.test', 'A'), ('host.noglue.test', 'A'),
    ('other.noglue.test', 'A'), ('next.noglue.test', 'A'),
    ('noglue.test', 'SOA'), ('noglue.test', 'NS'),
    # large answers, truncation
    ('many.example.com', 'A'), ('bigtxt.example.com', 'TXT'),
    ('bigtxt.example.com', 'ANY'), ('crowd.large.test', 'A'),
    ('gen-3.example.com', 'A'), ('gen011x.example.com', 'A'),
    # meta and odd types
    ('example.com', 'MAILA'), ('example.com', 'MAILB'),
    ('example.com', 'RRSIG'), ('example.com', 'NSEC'),
    ('example.com', 'DNSKEY'), ('example.com', 'TYPE0'),
    ('example.com', 'TYPE260'), ('example.com', 'AXFR'),
    ('example.com', 'IXFR'), ('example.com', 'NULL'),
    ('example.org', 'AXFR'), ('sub.example.com', 'AXFR'),
] + [
    # loops.test: DNAME chains that never end, each record sent once
    # (RFC 2181 5); wildcards whose CNAME target they synthesise
    # themselves (RFC 4592); a referral whose glue does not fit in 512
    # octets (RFC 9471)
    ('x.a.loops.test', 'A'), ('x.a.loops.test', 'CNAME'),
    ('x.a.loops.test', 'DNAME'), ('x.b.loops.test', 'TXT'),
    ('x.self.loops.test', 'A'), ('x.dng.loops.test', 'A'),
    ('x.dng.loops.test', 'CNAME'), ('x.dngl.loops.test', 'A'),
    ('x.dc.loops.test', 'A'), ('x.c.loops.test', 'A'),
    ('x.w.loops.test', 'A'), ('a.w.loops.test', 'A'),
    ('x.w.loops.test', 'CNAME'), ('x.w2.loops.test', 'A'),
    ('c.w2.loops.test', 'A'), ('x.w3.loops.test', 'A'),
    ('y.w3.loops.test', 'TXT'), ('big.loops.test', 'A'),
    ('x.big.loops.test', 'NS'), ('sib.loops.test', 'A'),
    ('ns01.%s.big.loops.test' % LONG_LABEL, 'A'),
    ('ns01.%s.big.loops.test' % LONG_LABEL, 'AAAA'),
    ('ns09.%s.loops.test' % LONG_LABEL, 'A'), ('fit.loops.test', 'A'),
    ('x.fit.loops.test', 'MX'), ('fit4.loops.test', 'A'),
    ('x.fit4.loops.test', 'TXT'),
]

# The signed zones (compare.py signs them): every rule is asked of each.
# '@' is the zone's origin; other names are relative to it. #HASH(x)
# is the NSEC3 owner name of x (no salt, no extra iterations), a name that
# does not exist in the NSEC zone.
SIGNED_ZONES = ('nsec.test', 'nsec3.test', 'optout.test')
SIGNED_RULES = [
    # positive answers at every type, RRSIGs by covered type and TTL
    ('@', 'SOA'), ('@', 'NS'), ('@', 'MX'), ('@', 'A'), ('@', 'TXT'),
    ('@', 'DNSKEY'), ('@', 'NSEC3PARAM'), ('@', 'NSEC'), ('@', 'NSEC3'),
    ('@', 'RRSIG'), ('@', 'ANY'), ('ns1', 'A'), ('ns1', 'AAAA'),
    ('mail', 'A'), ('multi', 'A'), ('multi', 'TXT'), ('multi', 'AAAA'),
    ('multi', 'MX'), ('multi', 'HINFO'), ('multi', 'ANY'),
    ('multi', 'RRSIG'), ('multi', 'NSEC'), ('multi', 'NSEC3'),
    ('big', 'A'), ('big', 'ANY'),
    # NODATA, also for DS at the zone's own apex and CDS/CDNSKEY
    ('multi', 'SRV'), ('ns2', 'AAAA'), ('@', 'SRV'), ('@', 'DS'),
    ('@', 'CDS'), ('@', 'CDNSKEY'), ('mail', 'RRSIG'),
    # NXDOMAIN: closest encloser, next closer, wildcard denial; names
    # before the first and after the last in canonical order
    ('nx', 'A'), ('deep.nx', 'TXT'), ('0', 'A'), ('zzzz', 'A'),
    ('a.b.multi', 'A'), ('nx', 'RRSIG'), ('nx', 'NSEC'),
    # empty non-terminals
    ('ent', 'A'), ('c.ent', 'A'), ('b.c.ent', 'TXT'), ('a.b.c.ent', 'A'),
    ('x.b.c.ent', 'A'), ('ent2', 'TXT'), ('y.ent2', 'DS'),
    # wildcards: answers of several types, NODATA, below and beside
    ('foo.wild', 'A'), ('foo.wild', 'TXT'), ('foo.wild', 'MX'),
    ('foo.wild', 'ANY'), ('foo.wild', 'RRSIG'), ('a.b.wild', 'A'),
    ('*.wild', 'A'), ('*.wild', 'NSEC'), ('foo.wild', 'AAAA'),
    ('foo.wild', 'DS'), ('wild', 'A'), ('sub.wild', 'A'),
    ('sub.wild', 'TXT'), ('x.sub.wild', 'A'),
    ('foo.cwild', 'A'), ('foo.cwild', 'CNAME'), ('foo.cwild', 'TXT'),
    ('foo.cnx', 'A'), ('foo.cnx', 'CNAME'), ('x.wself', 'A'),
    ('a.wself', 'A'), ('a.wself', 'CNAME'),
    # CNAME chains, into a name that does not exist, out of the zone,
    # into the signed child and below the unsigned delegation
    ('www', 'A'), ('www', 'CNAME'), ('www', 'ANY'), ('www', 'AAAA'),
    ('www', 'SRV'), ('chain1', 'A'), ('chain1', 'TXT'), ('dangling', 'A'),
    ('outside', 'A'), ('tokid', 'A'), ('toplain', 'A'),
    # NSEC and KEY are not redirected by a CNAME, and are parent-side
    # data at a cut that has them (as DS)
    ('www', 'NSEC'), ('www', 'KEY'), ('kid', 'NSEC'), ('plain', 'NSEC'),
    ('kid', 'KEY'), ('foo.cwild', 'NSEC'),
    # DNAME
    ('dn', 'DNAME'), ('dn', 'A'), ('www.dn', 'A'), ('www.dn', 'TXT'),
    ('www.dn', 'ANY'),
    ('nx.dn', 'A'), ('a.b.dn', 'A'), ('tgt', 'A'), ('www.tgt', 'ANY'),
    # the signed child both servers serve
    ('kid', 'DS'), ('kid', 'NS'), ('kid', 'SOA'), ('kid', 'DNSKEY'),
    ('kid', 'NSEC'), ('kid', 'A'), ('www.kid', 'A'), ('nx.kid', 'A'),
    ('foo.wild.kid', 'A'), ('foo.wild.kid', 'AAAA'), ('ns1.kid', 'A'),
    ('www.kid', 'DS'),
    # a signed delegation nobody here serves: referral with DS
    ('secure', 'NS'), ('secure', 'A'), ('host.secure', 'A'),
    ('secure', 'DS'), ('ns.secure', 'A'), ('secure', 'ANY'),
    ('secure', 'RRSIG'),
    # unsigned delegations: referral without DS, DS NODATA
    ('plain', 'NS'), ('host.plain', 'A'), ('plain', 'DS'),
    ('ns.plain', 'A'), ('plain2', 'DS'), ('plain2', 'A'),
    ('x.plain2', 'MX'),
    # an NSEC3 owner name, asked for itself and for other types
    ('#HASH(multi)', 'NSEC3'), ('#HASH(multi)', 'A'), ('#HASH(@)', 'NSEC3'),
    ('#HASH(@)', 'RRSIG'),
]

# How each rule is asked. (id, tcp, edns payload or None, RD, DO, case)
VARIANTS = [
    ('udp', False, None, False, False, False),
    ('udp-edns', False, 1232, False, False, False),
    ('udp-rd', False, None, True, False, False),
    ('tcp-edns', True, 4096, False, False, False),
]
EXTRA_VARIANTS = [
    ('udp-edns512', False, 512, False, False, False),
    ('udp-edns4096', False, 4096, False, False, False),
    ('udp-do', False, 1232, False, True, False),
    ('udp-case', False, 1232, False, False, True),
    ('tcp-plain', True, None, True, False, False),
]


# Every signed rule is asked in each of these; every rule of RULES once
# more in each of DO_VARIANTS.
SIGNED_VARIANTS = [
    ('udp-do1232', False, 1232, False, True, False),
    ('udp-do4096', False, 4096, False, True, False),
    ('udp-do512', False, 512, False, True, False),
    ('tcp-do', True, 4096, False, True, False),
    ('udp-edns', False, 1232, False, False, False),
]
DO_VARIANTS = [
    ('udp-do1232', False, 1232, False, True, False),
    ('tcp-do', True, 4096, False, True, False),
]


def signed_name(rel, origin):
    """The absolute name of a SIGNED_RULES entry in zone origin."""
    import dns.dnssec
    if rel.startswith('#HASH('):
        inner = signed_name(rel[6:-1], origin)
        h = dns.dnssec.nsec3_hash(inner + '.', None, 0, 1)
        return '%s.%s' % (h.lower(), origin)
    return origin if rel == '@' else '%s.%s' % (rel, origin)


def signed_rules():
    return [(signed_name(rel, origin), qtype) for origin in SIGNED_ZONES
            for rel, qtype in SIGNED_RULES]


def mixcase(name, rnd):
    return ''.join(c.upper() if rnd.random() < 0.5 else c for c in name)


def make(name, qtype, variant, rnd, qclass='IN'):
    vid, tcp, payload, rd, do, case = variant
    qn = mixcase(name, rnd) if case else name
    m = dns.message.make_query(qn if qn.endswith('.') else qn + '.', qtype,
                               rdclass=qclass, use_edns=payload is not None,
                               payload=payload or 0, want_dnssec=do)
    m.flags = dns.flags.RD if rd else 0
    m.id = rnd.randrange(65536)
    return Case('%s/%s/%s/%s' % (name, qclass, qtype, vid), m.to_wire(), tcp,
                name, qtype, vid)


def hdr(qid, flags, qd, an, ns, ar):
    return struct.pack('!HHHHHH', qid, flags, qd, an, ns, ar)


def q(name=b'\x07example\x03com\x00', qtype=1, qclass=1):
    return name + struct.pack('!HH', qtype, qclass)


def opt(payload=1232, ext=0, version=0, flags=0, options=b''):
    return b'\x00' + struct.pack('!HHBBHH', 41, payload, ext, version, flags,
                                 len(options)) + options


def malformed():
    """Raw messages: (id, wire). Each must get the same treatment."""
    out = [
        ('short-header', b'\x12\x34\x00\x00\x00\x01'),
        ('qr-set', hdr(1, 0x8000, 1, 0, 0, 0) + q()),
        ('qdcount-0', hdr(2, 0, 0, 0, 0, 0)),
        ('qdcount-2', hdr(3, 0, 2, 0, 0, 0) + q() + q()),
        ('qdcount-2-one-present', hdr(4, 0, 2, 0, 0, 0) + q()),
        ('question-truncated', hdr(5, 0, 1, 0, 0, 0) + q()[:-3]),
        ('name-truncated', hdr(6, 0, 1, 0, 0, 0) + b'\x07exam'),
        ('label-too-long', hdr(7, 0, 1, 0, 0, 0) + b'\x40' + b'a' * 64 +
         b'\x00' + struct.pack('!HH', 1, 1)),
        ('pointer-in-question', hdr(8, 0, 1, 0, 0, 0) + b'\xc0\x0c' +
         struct.pack('!HH', 1, 1)),
        ('pointer-loop', hdr(9, 0, 1, 0, 0, 0) + b'\x03www\xc0\x0c' +
         struct.pack('!HH', 1, 1)),
        ('name-too-long', hdr(10, 0, 1, 0, 0, 0) + b'\x3f' + b'a' * 63 +
         b'\x3f' + b'b' * 63 + b'\x3f' + b'c' * 63 + b'\x3f' + b'd' * 63 +
         b'\x00' + struct.pack('!HH', 1, 1)),
        ('two-opt', hdr(11, 0, 1, 0, 0, 2) + q() + opt() + opt()),
        ('opt-not-root', hdr(12, 0, 1, 0, 0, 1) + q() + b'\x01a' +
         opt()[1:]),
        ('opt-version-1', hdr(13, 0, 1, 0, 0, 1) + q() + opt(version=1)),
        ('opt-version-1-rd', hdr(14, 0x0100, 1, 0, 0, 1) + q() +
         opt(version=1)),
        ('opt-bad-option-len', hdr(15, 0, 1, 0, 0, 1) + q() +
         b'\x00' + struct.pack('!HHBBHH', 41, 1232, 0, 0, 0, 4) +
         struct.pack('!HH', 3, 10)),
        ('opt-unknown-option', hdr(16, 0, 1, 0, 0, 1) + q() +
         opt(options=struct.pack('!HH', 65001, 2) + b'hi')),
        ('opt-small-payload', hdr(17, 0, 1, 0, 0, 1) + q() + opt(payload=100)),
        ('nsid', hdr(18, 0, 1, 0, 0, 1) + q() +
         opt(options=struct.pack('!HH', 3, 0))),
        ('nsid-rd', hdr(19, 0x0100, 1, 0, 0, 1) + q(qtype=6) +
         opt(options=struct.pack('!HH', 3, 0))),
        ('opt-in-answer', hdr(20, 0, 1, 1, 0, 0) + q() + opt()),
        ('trailing-garbage', hdr(21, 0, 1, 0, 0, 0) + q() + b'garbage'),
        ('ancount-lies', hdr(22, 0, 1, 3, 0, 0) + q()),
        ('arcount-lies', hdr(23, 0, 1, 0, 0, 1) + q()),
        ('opcode-iquery', hdr(24, 1 << 11, 1, 0, 0, 0) + q()),
        ('opcode-status', hdr(25, 2 << 11, 1, 0, 0, 0) + q()),
        ('opcode-3', hdr(26, 3 << 11, 1, 0, 0, 0) + q()),
        ('opcode-update', hdr(27, 5 << 11, 1, 0, 0, 0) +
         q(qtype=6)),
        ('opcode-15', hdr(28, 15 << 11, 1, 0, 0, 0) + q()),
        ('qtype-opt', hdr(29, 0, 1, 0, 0, 0) + q(qtype=41)),
        ('qtype-tsig', hdr(30, 0, 1, 0, 0, 0) + q(qtype=250)),
        ('qtype-tkey', hdr(31, 0, 1, 0, 0, 0) + q(qtype=249)),
        ('class-chaos-version', hdr(32, 0, 1, 0, 0, 0) +
         q(b'\x07version\x04bind\x00', 16, 3)),
        ('class-chaos-version-rd', hdr(33, 0x0100, 1, 0, 0, 0) +
         q(b'\x07version\x04bind\x00', 16, 3)),
        ('class-chaos-hostname', hdr(34, 0, 1, 0, 0, 0) +
         q(b'\x08hostname\x04bind\x00', 16, 3)),
        ('class-chaos-id-server', hdr(35, 0, 1, 0, 0, 0) +
         q(b'\x02id\x06server\x00', 16, 3)),
        ('class-chaos-version-server', hdr(36, 0, 1, 0, 0, 0) +
         q(b'\x07version\x06server\x00', 16, 3)),
        ('class-chaos-version-a', hdr(37, 0, 1, 0, 0, 0) +
         q(b'\x07version\x04bind\x00', 1, 3)),
        ('class-chaos-other', hdr(38, 0, 1, 0, 0, 0) +
         q(b'\x07example\x03com\x00', 16, 3)),
        ('class-chaos-authors', hdr(39, 0, 1, 0, 0, 0) +
         q(b'\x07authors\x04bind\x00', 16, 3)),
        ('class-hs', hdr(40, 0, 1, 0, 0, 0) + q(qclass=4)),
        ('class-any', hdr(41, 0, 1, 0, 0, 0) + q(qclass=255)),
        ('class-none', hdr(42, 0, 1, 0, 0, 0) + q(qclass=254)),
        ('class-99', hdr(43, 0, 1, 0, 0, 0) + q(qclass=99)),
        ('flags-aa-tc-ra-set', hdr(44, 0x0680, 1, 0, 0, 0) + q()),
        ('flags-ad-cd-set', hdr(45, 0x0030, 1, 0, 0, 0) + q()),
        ('flags-z-set', hdr(46, 0x0040, 1, 0, 0, 0) + q()),
        ('rcode-set-in-query', hdr(47, 0x0003, 1, 0, 0, 0) + q()),
        ('empty-name-root-a', hdr(48, 0, 1, 0, 0, 0) + q(b'\x00')),
        ('cookie-client', hdr(49, 0, 1, 0, 0, 1) + q() +
         opt(options=struct.pack('!HH', 10, 8) + b'\x01\x02\x03\x04\x05\x06\x07\x08')),
        ('cookie-bad-length', hdr(50, 0, 1, 0, 0, 1) + q() +
         opt(options=struct.pack('!HH', 10, 5) + b'\x01\x02\x03\x04\x05')),
        ('do-bit', hdr(51, 0, 1, 0, 0, 1) + q() + opt(flags=0x8000)),
        ('opt-in-authority', hdr(52, 0, 1, 0, 1, 0) + q() + opt()),
        ('ar-garbage-record', hdr(53, 0, 1, 0, 0, 1) + q() + b'\x00\x00\x01'),
        ('cookie-client-server', hdr(54, 0, 1, 0, 0, 1) + q() +
         opt(options=struct.pack('!HH', 10, 24) + bytes(range(24)))),
        ('cookie-40', hdr(55, 0, 1, 0, 0, 1) + q() +
         opt(options=struct.pack('!HH', 10, 40) + bytes(range(40)))),
        ('cookie-41', hdr(56, 0, 1, 0, 0, 1) + q() +
         opt(options=struct.pack('!HH', 10, 41) + bytes(range(41)))),
        ('cookie-nsid', hdr(57, 0, 1, 0, 0, 1) + q() +
         opt(options=struct.pack('!HH', 10, 8) + bytes(8) +
             struct.pack('!HH', 3, 0))),
        ('two-cookies', hdr(58, 0, 1, 0, 0, 1) + q() +
         opt(options=(struct.pack('!HH', 10, 8) + bytes(8)) * 2)),
        ('opt-version-1-cookie', hdr(59, 0, 1, 0, 0, 1) + q() +
         opt(version=1, options=struct.pack('!HH', 10, 8) + bytes(8))),
        ('notify-soa', hdr(60, 4 << 11, 1, 0, 0, 0) + q(qtype=6)),
        ('notify-unknown-zone', hdr(61, 4 << 11 | 0x0400, 1, 0, 0, 0) +
         q(b'\x07example\x03org\x00', 6, 1)),
        ('update-unknown-zone', hdr(62, 5 << 11, 1, 0, 0, 0) +
         q(b'\x07example\x03org\x00', 6, 1)),
        # An opcode nobody implements: RD and CD are not copied back.
        ('opcode-3-rd-cd', hdr(63, 3 << 11 | 0x0110, 1, 0, 0, 0) + q()),
        ('opcode-15-rd-cd', hdr(64, 15 << 11 | 0x0110, 1, 0, 0, 0) + q()),
        ('opcode-status-rd-cd-edns', hdr(65, 2 << 11 | 0x0110, 1, 0, 0, 1) +
         q() + opt()),
        ('opcode-iquery-rd', hdr(66, 1 << 11 | 0x0100, 1, 0, 0, 0) + q()),
    ]
    return out


def sample_large(zonedir, rnd, n=120):
    names = []
    with open(os.path.join(zonedir, 'large.test.zone')) as f:
        for line in f:
            if line.startswith('$') or line.startswith('@'):
                continue
            parts = line.split()
            if len(parts) >= 3:
                names.append((parts[0], parts[1]))
    pairs = rnd.sample(names, n)
    out = []
    for owner, rtype in pairs:
        out.append((owner + '.large.test', rtype))
        out.append((owner + '.large.test', 'A' if rtype != 'A' else 'TXT'))
    for i in range(30):
        out.append(('missing%d.large.test' % i, 'A'))
    out.append(('x.crowd.large.test', 'A'))
    out.append(('a.b.wild.large.test', 'MX'))
    return out


def transfers(rnd):
    """AXFR and IXFR of example.net, which allows 127.0.0.1 to transfer:
    over UDP (RFC 5936 4.2, RFC 1995 2) and over TCP, where apex hands
    the connection to apex-xferd. The zone fits in one message."""
    out = []
    for serial in (None, 1, 7, 9):
        for vid, tcp, payload in (('udp', False, None),
                                  ('udp-edns', False, 1232),
                                  ('tcp-edns', True, 4096)):
            m = dns.message.make_query('example.net.', 'IXFR',
                                       use_edns=payload is not None,
                                       payload=payload or 0)
            m.flags = 0
            m.id = rnd.randrange(65536)
            if serial is not None:
                m.authority.append(dns.rrset.from_text(
                    'example.net.', 0, 'IN', 'SOA', 'ns1.example.com. '
                    'hostmaster.example.com. %d 1 1 1 1' % serial))
            out.append(Case('example.net/IN/IXFR/%s/%s' % (serial, vid),
                            m.to_wire(), tcp, 'example.net', 'IXFR', vid))
    for v in VARIANTS + EXTRA_VARIANTS:
        out.append(make('example.net', 'AXFR', v, rnd))
        out.append(make('www.example.net', 'AXFR', v, rnd))
    return out


def signed(rnd):
    """Queries signed with TSIG (RFC 8945): a good key over UDP and TCP,
    and each error: BADKEY (a key the servers do not know), BADSIG (the
    right name, the wrong secret), BADTIME (signed an hour ago), BADTRUNC
    (a MAC cut to 16 octets; both servers want the whole MAC unless the
    key says otherwise), a MAC too short to be one (FORMERR)."""
    out = []

    def make_signed(cid, name, qtype, tcp, keyring, keyname, skew=0,
                    cut=0, edns=True):
        q = dns.message.make_query(name, qtype, use_edns=edns,
                                   payload=1232)
        q.flags = 0
        q.id = rnd.randrange(65536)
        q.use_tsig(keyring, keyname=keyname, algorithm='hmac-sha256')
        real = dns.renderer.time.time
        dns.renderer.time.time = lambda: real() + skew
        try:
            wire = q.to_wire()
        finally:
            dns.renderer.time.time = real
        if cut:
            wire = cut_mac(wire, cut)
        out.append(Case('tsig/%s' % cid, wire, tcp, name, qtype,
                        'tcp' if tcp else 'udp', q.mac if not cut else None))

    good, other = KEYRING, dns.tsigkeyring.from_text({
        'no-such-key.': ('hmac-sha256', KEY_SECRET)})
    wrong = dns.tsigkeyring.from_text({
        KEY_NAME: ('hmac-sha256', 'd3Jvbmctc2VjcmV0LWZvci10aGUtY29ycHVzLWtleSE=')})
    make_signed('good-udp', 'www.example.com.', 'A', False, good, KEY_NAME)
    make_signed('good-tcp', 'example.com.', 'SOA', True, good, KEY_NAME)
    make_signed('good-nxdomain', 'nope.example.com.', 'A', False, good,
                KEY_NAME)
    make_signed('good-plain', 'www.example.com.', 'A', False, good,
                KEY_NAME, edns=False)
    make_signed('good-refused', 'www.example.org.', 'A', False, good,
                KEY_NAME)
    make_signed('badkey', 'www.example.com.', 'A', False, other,
                'no-such-key.')
    # RFC 8945 5.2.2: an unknown key named "." is BADKEY all the same.
    root = dns.tsigkeyring.from_text({'.': ('hmac-sha256', KEY_SECRET)})
    make_signed('badkey-root', 'www.example.com.', 'A', False, root, '.')
    make_signed('badkey-root-tcp', 'example.com.', 'SOA', True, root, '.')
    make_signed('badsig', 'www.example.com.', 'A', False, wrong, KEY_NAME)
    make_signed('badtime', 'www.example.com.', 'A', False, good, KEY_NAME,
                skew=-3600)
    make_signed('badtrunc', 'www.example.com.', 'A', False, good, KEY_NAME,
                cut=16)
    make_signed('mac-too-short', 'www.example.com.', 'A', False, good,
                KEY_NAME, cut=8)
    return out


def expire(rnd):
    """Queries with the EXPIRE option (RFC 7314): BIND answers it for an
    SOA query at the apex of a zone (a primary's SOA EXPIRE), and for
    nothing else; a transfer of a primary zone carries none either."""
    out = []
    cookie = dns.edns.GenericOption(10, bytes(range(8)))
    nsid = dns.edns.GenericOption(3, b'')
    for cid, name, qtype, tcp, qclass, extra in (
            ('soa-udp', 'example.com.', 'SOA', False, 'IN', []),
            ('soa-tcp', 'example.com.', 'SOA', True, 'IN', []),
            ('soa-nsid-cookie', 'example.com.', 'SOA', False, 'IN',
             [nsid, cookie]),
            ('soa-net', 'example.net.', 'SOA', False, 'IN', []),
            ('soa-child', 'child.example.com.', 'SOA', False, 'IN', []),
            ('soa-below-apex', 'ns1.example.com.', 'SOA', False, 'IN', []),
            ('soa-nxdomain', 'nxdomain.example.com.', 'SOA', False, 'IN',
             []),
            ('soa-referral', 'sub.example.com.', 'SOA', False, 'IN', []),
            ('soa-refused', 'closed.test.', 'SOA', False, 'IN', []),
            ('soa-not-ours', 'example.org.', 'SOA', False, 'IN', []),
            ('a', 'example.com.', 'A', False, 'IN', []),
            ('ns', 'example.com.', 'NS', True, 'IN', []),
            ('axfr', 'example.net.', 'AXFR', True, 'IN', []),
            ('axfr-refused', 'example.com.', 'AXFR', True, 'IN', []),
            ('chaos-soa', 'version.bind.', 'SOA', False, 'CH', [])):
        m = dns.message.make_query(name, qtype, rdclass=qclass, use_edns=0,
                                   payload=1232, options=[
                                       dns.edns.GenericOption(9, b'')] +
                                   extra)
        m.flags = 0
        m.id = rnd.randrange(65536)
        out.append(Case('expire/%s' % cid, m.to_wire(), tcp, name, qtype,
                        'tcp' if tcp else 'udp'))
    return out


def skip_name(wire, pos):
    while True:
        n = wire[pos]
        if n & 0xc0 == 0xc0:
            return pos + 2
        pos += 1 + n
        if n == 0:
            return pos


def last_rr(wire):
    """Offset of the last record of a message."""
    qd, an, ns, ar = struct.unpack('!HHHH', wire[4:12])
    pos = 12
    for _ in range(qd):
        pos = skip_name(wire, pos) + 4
    start = pos
    for _ in range(an + ns + ar):
        start = pos
        pos = skip_name(wire, pos)
        pos += 10 + struct.unpack('!H', wire[pos + 8:pos + 10])[0]
    return start


def cut_mac(wire, keep):
    """The message with its TSIG MAC cut to keep octets (a truncated MAC
    is the first octets of the whole one, RFC 8945 5.2.2.1)."""
    at = last_rr(wire)
    rd = skip_name(wire, at) + 10           # RDATA of the TSIG record
    size_at = skip_name(wire, rd) + 8       # after algorithm, time, fudge
    full = struct.unpack('!H', wire[size_at:size_at + 2])[0]
    out = bytearray(wire)
    out[size_at:size_at + 2] = struct.pack('!H', keep)
    del out[size_at + 2 + keep:size_at + 2 + full]
    rdlen = struct.unpack('!H', wire[rd - 2:rd])[0] - (full - keep)
    out[rd - 2:rd] = struct.pack('!H', rdlen)
    return bytes(out)


def cases(zonedir):
    rnd = random.Random(7)
    out = []
    for name, qtype in RULES:
        for v in VARIANTS:
            out.append(make(name, qtype, v, rnd))
    # Every rule once more with the less common variants, cycling.
    for i, (name, qtype) in enumerate(RULES):
        out.append(make(name, qtype, EXTRA_VARIANTS[i % len(EXTRA_VARIANTS)],
                        rnd))
    large = sample_large(zonedir, rnd)
    for name, qtype in large:
        out.append(make(name, qtype, VARIANTS[i % 2], rnd))
        i += 1
    # The whole corpus again with DNSSEC OK (the zones above are not
    # signed: DO must change nothing but the OPT record's DO bit).
    for name, qtype in RULES + large:
        for v in DO_VARIANTS:
            out.append(make(name, qtype, v, rnd))
    for name, qtype in signed_rules():
        for v in SIGNED_VARIANTS:
            out.append(make(name, qtype, v, rnd))
    out.extend(transfers(rnd))
    out.extend(signed(rnd))
    out.extend(expire(rnd))
    for mid, wire in malformed():
        out.append(Case('malformed/%s/udp' % mid, wire, False, None, None,
                        'udp'))
        out.append(Case('malformed/%s/tcp' % mid, wire, True, None, None,
                        'tcp'))
    return out
