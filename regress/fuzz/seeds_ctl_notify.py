#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""Seeds for fuzz_ctl (apex-ctl requests, one for each command, as
ctl/commands.c sends them) and fuzz_notify (NOTIFY messages, answers to
SOA queries and to NOTIFY). Usage: seeds_ctl_notify.py lib/msg.h CTLDIR
NOTIFYDIR. The message type numbers are read from lib/msg.h, so the
seeds follow the enum."""
import os
import re
import struct
import sys

import dns.flags
import dns.message
import dns.opcode
import dns.rrset
import dns.tsigkeyring


def enum_values(header, enum):
    """Names and values of `enum <enum> {...}` in the header."""
    body = re.search(r'enum %s \{(.*?)\};' % enum, header, re.S).group(1)
    body = re.sub(r'/\*.*?\*/', '', body, flags=re.S)
    values, v = {}, -1
    for item in body.split(','):
        item = item.strip()
        if not item:
            continue
        name, _, val = item.partition('=')
        v = int(val) if val.strip() else v + 1
        values[name.strip()] = v
    return values


def ctl_seeds(header, d):
    types = enum_values(header, 'msg_type')
    cmds = enum_values(header, 'ctl_command')
    version = int(re.search(r'#define MSG_VERSION\s+(\d+)', header).group(1))
    args = {'CTL_RELOAD': 'example.com', 'CTL_ZONESTATUS': 'example.com',
            'CTL_QUERYLOG': 'on', 'CTL_REFRESH': 'example.com'}
    for name, cmd in cmds.items():
        if name == 'CTL_COMMAND_MAX':
            continue
        arg = args.get(name, '').encode()
        for flags in (0, 1):
            payload = struct.pack('=II', cmd, flags) + \
                struct.pack('=I', len(arg)) + arg
            hdr = struct.pack('=HHIII', types['MSG_CTL_REQUEST'], version,
                              len(payload), 0, 0)
            with open(os.path.join(d, '%s-%d' % (name.lower(), flags)),
                      'wb') as f:
                f.write(hdr + payload)


def notify_seeds(d):
    ring = dns.tsigkeyring.from_text(
        {'k': ('hmac-sha256', 'c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0')})
    soa = dns.rrset.from_text('example.com.', 300, 'IN', 'SOA',
                              'ns1.example.com. h.example.com. 8 3600 '
                              '600 86400 60')
    seeds = {}
    for zone in ('example.com.', 'example.net.', 'example.org.'):
        n = dns.message.make_query(zone, 'SOA')
        n.set_opcode(dns.opcode.NOTIFY)
        n.flags = dns.flags.AA
        seeds['notify-' + zone] = n
    n = dns.message.make_query('example.com.', 'SOA')
    n.set_opcode(dns.opcode.NOTIFY)
    n.answer.append(soa)
    seeds['notify-with-soa'] = n
    n = dns.message.make_query('example.com.', 'SOA')
    n.set_opcode(dns.opcode.NOTIFY)
    n.use_tsig(ring, 'k')
    seeds['notify-signed'] = n
    q = dns.message.make_query('example.com.', 'SOA')
    r = dns.message.make_response(q)
    r.flags |= dns.flags.AA
    r.answer.append(soa)
    seeds['soa-answer'] = r
    q = dns.message.make_query('example.com.', 'SOA')
    q.use_tsig(ring, 'k')
    r = dns.message.make_response(q)
    r.flags |= dns.flags.AA
    r.answer.append(soa)
    seeds['soa-answer-signed'] = r
    q = dns.message.make_query('example.com.', 'SOA')
    q.set_opcode(dns.opcode.NOTIFY)
    seeds['notify-answer'] = dns.message.make_response(q)
    for name, m in seeds.items():
        with open(os.path.join(d, name), 'wb') as f:
            f.write(m.to_wire())


def main():
    with open(sys.argv[1]) as f:
        header = f.read()
    ctl_seeds(header, sys.argv[2])
    notify_seeds(sys.argv[3])


if __name__ == '__main__':
    main()
