#!/usr/bin/python3
# SPDX-License-Identifier: ISC
"""Seeds for fuzz_rndc: rndc's messages as it sends them (a nonce
request, commands with a nonce) signed with fuzz_rndc.c's key in each
algorithm, without their length prefix.

usage: seeds_rndc.py DIR"""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)),
                                '..', 'rndc'))
import isccc  # noqa: E402

KEY = b'apex fuzz rndc key'


def main():
    d = sys.argv[1]
    os.makedirs(d, exist_ok=True)
    cmds = ['null', 'status', 'reload example.com', 'zonestatus "a b"',
            'dnssec -status example.com IN _default']
    n = 0
    for alg in isccc.ALGS:
        for i, c in enumerate(cmds):
            m = isccc.request(i + 1, c, nonce=None if i == 0 else 12345,
                              now=1800000000)
            if i == 3:
                m['_data']['list'] = ['x', {'t': 'y'}]
            raw = isccc.encode(m, alg, KEY)[4:]
            with open(os.path.join(d, '%02d' % n), 'wb') as f:
                f.write(raw)
            n += 1


if __name__ == '__main__':
    main()
