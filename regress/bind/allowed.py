# SPDX-License-Identifier: ISC
"""Differences between BIND 9 and apex that an RFC allows. Each rule
names the difference, the reason and the RFC section; compare.py counts a
case as passed only if every difference in it matches a rule here."""

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
