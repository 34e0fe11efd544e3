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


def flags_but_tc(bind, apex):
    """Whether the flags agree but for TC."""
    return (set(bind['flags'].split()) - {'TC'} ==
            set(apex['flags'].split()) - {'TC'})


def holds(outer, inner):
    """Whether every record of the response inner is in outer too."""
    for sec in ('answer', 'authority', 'additional'):
        for key, (ttl, rdata) in inner[sec].items():
            have = outer[sec].get(key)
            if have is None or have[0] != ttl or not rdata <= have[1]:
                return False
    return True


@rule('RFC 1035 4.1.4: how far names are compressed is the server\'s '
      'choice, and RFC 2181 9: TC is set only when the data does not fit. '
      'apex compresses every name it can and fits whole some answers '
      '(long CNAME chains from a DNAME) that BIND truncates; allowed when '
      'apex\'s answer holds every record BIND\'s truncated one does.')
def fits_compressed(case, diff, bind, apex):
    if not (isinstance(bind, dict) and isinstance(apex, dict)):
        return False
    if ('TC' not in bind['flags'].split() or
            'TC' in apex['flags'].split() or not flags_but_tc(bind, apex) or
            not holds(apex, bind)):
        return False
    return diff[0] == 'flags' or diff[0].split()[0] in ('answer',
                                                        'authority',
                                                        'additional')
