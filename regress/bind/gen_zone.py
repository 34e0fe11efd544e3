#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""Writes a deterministic zone of N names (A, AAAA, MX, TXT, CNAME,
delegations with glue, a wildcard, a name with more than 100 records) and
prints nothing. Used by the BIND comparison and the benchmarks.

usage: gen_zone.py N ORIGIN OUTFILE
"""
import random
import sys


def main():
    n, origin, out = int(sys.argv[1]), sys.argv[2].rstrip('.') + '.', sys.argv[3]
    rnd = random.Random(20261127)
    words = ['alpha', 'bravo', 'delta', 'echo', 'golf', 'hotel', 'kilo',
             'lima', 'mike', 'oscar', 'papa', 'romeo', 'tango', 'victor']
    with open(out, 'w') as f:
        f.write('$TTL 3600\n$ORIGIN %s\n' % origin)
        f.write('@ SOA ns1 hostmaster 1 7200 3600 1209600 300\n')
        f.write('@ NS ns1\n@ NS ns2\nns1 A 192.0.2.1\nns2 A 192.0.2.2\n')
        f.write('@ MX 10 mail\nmail A 192.0.2.25\n*.wild A 192.0.2.99\n')
        for i in range(150):
            f.write('crowd A 10.1.%d.%d\n' % (i // 250, i % 250 + 1))
        for i in range(n):
            name = '%s%d' % (rnd.choice(words), i)
            if i % 10 == 9:
                name = 'sub.' + name
            r = rnd.random()
            if r < 0.4:
                f.write('%s A 10.%d.%d.%d\n' % (name, i >> 16 & 255,
                        i >> 8 & 255, i & 255))
            elif r < 0.55:
                f.write('%s AAAA 2001:db8::%x\n' % (name, i))
            elif r < 0.65:
                f.write('%s MX %d mail\n' % (name, i % 50))
            elif r < 0.75:
                f.write('%s TXT "text %d"\n' % (name, i))
            elif r < 0.85:
                f.write('%s CNAME %s%d\n' % (name, rnd.choice(words),
                        rnd.randrange(max(i, 1))))
            elif r < 0.88:
                f.write('%s NS ns.%s\nns.%s A 192.0.2.%d\n' % (
                    name, name, name, i % 250 + 1))
            else:
                f.write('%s A 10.200.%d.%d\n%s AAAA 2001:db8:1::%x\n' % (
                    name, i >> 8 & 255, i & 255, name, i))


if __name__ == '__main__':
    main()
