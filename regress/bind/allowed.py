# SPDX-License-Identifier: ISC
"""Differences between BIND 9 and apex that an RFC allows. Each rule
names the difference, the reason and the RFC section; compare.py counts a
case as passed only if every difference in it matches a rule here."""

import dns.message

RULES = []


def rule(reason):
    def deco(f):
        RULES.append((f, reason))
        return f
    return deco


def allows(case, diff, bind, apex):
    return any(f(case, diff, bind, apex) for f, _ in RULES)


def both_truncated(bind, apex):
    return (isinstance(bind, dict) and isinstance(apex, dict) and
            'TC' in bind['flags'].split() and 'TC' in apex['flags'].split())


@rule('RFC 2181 9: a response with TC set is not used; the client asks '
      'again over TCP. BIND fills a truncated UDP answer with as many '
      'records as fit; apex sends only the RRsets that fit whole. The '
      'rcode, flags and question must still agree.')
def truncated_content(case, diff, bind, apex):
    return (both_truncated(bind, apex) and
            diff[0].split()[0] in ('answer', 'authority', 'additional'))


def client_limit(case):
    """The UDP size the query allows (RFC 6891 6.2.5): its EDNS buffer,
    at least 512, or 512 without EDNS; None over TCP."""
    if case.tcp:
        return None
    m = dns.message.from_wire(case.wire)
    return max(512, m.payload) if m.edns >= 0 else 512


@rule('RFC 2181 9: TC is set only when the required data does not fit. '
      'A signed answer near the client\'s limit can fit in apex\'s '
      'encoding and not in BIND\'s (which compresses less); apex then '
      'sends it whole and untruncated. Its size must be within the limit, '
      'and everything else BIND sent must be in it too.')
def fits_untruncated(case, diff, bind, apex):
    if not (isinstance(bind, dict) and isinstance(apex, dict)):
        return False
    limit = client_limit(case)
    if limit is None or 'TC' not in bind['flags'].split() or \
            'TC' in apex['flags'].split() or apex['size'] > limit:
        return False
    if diff[0] == 'flags':
        return (set(bind['flags'].split()) - {'TC'} ==
                set(apex['flags'].split()))
    sec = diff[0].split()[0]
    # Records apex has that the truncated answer left out; never one
    # BIND has and apex not.
    return sec in ('answer', 'authority', 'additional') and diff[1] is None
