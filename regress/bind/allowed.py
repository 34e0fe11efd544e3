# SPDX-License-Identifier: ISC
"""Differences between BIND 9 and apex that an RFC allows. Each rule
names the difference, the reason and the RFC section; compare.py counts a
case as passed only if every difference in it matches a rule here."""

import dns.message
import dns.name

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




def udp_room(case, resp):
    """The octets BIND had for its UDP answer: the query's EDNS buffer
    (at least 512; 512 without EDNS, RFC 6891 6.2.5) within its
    max-udp-size of 1232."""
    m = dns.message.from_wire(case.wire)
    if m.edns < 0:
        return 512
    return max(512, min(m.payload, 1232))


@rule('RFC 1035 4.1.4: how far names are compressed is the server\'s '
      'choice, and RFC 2181 9: additional data that does not fit is left '
      'out without TC. apex, compressing more, has room in a full UDP '
      'answer for an address BIND had no room for; allowed when apex\'s '
      'answer holds every record of BIND\'s and BIND\'s could not have '
      'held that one.')
def addl_room(case, diff, bind, apex):
    if (not (isinstance(bind, dict) and isinstance(apex, dict)) or
            case.tcp or bind['flags'] != apex['flags'] or
            diff[0].split()[0] != 'additional' or diff[1] is not None or
            not holds(apex, bind)):
        return False
    rtype = diff[0].split()[2]
    size = {'A': 4, 'AAAA': 16}.get(rtype)
    return (size is not None and len(diff[2][1]) == 1 and
            bind['size'] + 12 + size > udp_room(case, bind))


def cuts(resp):
    """The owners of the NS RRsets in the authority section."""
    return [dns.name.from_text(owner) for (owner, rtype, _) in
            resp['authority'] if rtype == 'NS']


def below_cut(resp, key):
    """Whether the RRset key is an address of a name below a cut."""
    name = dns.name.from_text(key[0])
    return key[1] in ('A', 'AAAA') and any(
        name.is_subdomain(c) and name != c for c in cuts(resp))


def lacks_in_domain_glue(resp):
    """Whether a referral leaves out every address of some name server
    below its cut."""
    for (owner, rtype, _), (_, rdata) in resp['authority'].items():
        if rtype != 'NS':
            continue
        cut = dns.name.from_text(owner)
        for text in rdata:
            ns = dns.name.from_text(text)
            if not ns.is_subdomain(cut):
                continue
            t = ns.to_text().lower()
            if ((t, 'A', 'IN') not in resp['additional'] and
                    (t, 'AAAA', 'IN') not in resp['additional']):
                return True
    return False


def same_referral(bind, apex):
    """Both answers are the same referral but for TC and the additional
    section, and BIND's has no TC."""
    return (isinstance(bind, dict) and isinstance(apex, dict) and
            cuts(bind) and 'TC' not in bind['flags'].split() and
            flags_but_tc(bind, apex) and bind['answer'] == apex['answer'] and
            bind['authority'] == apex['authority'])


@rule('RFC 9471 3.1: a referral carries the glue of every name server '
      'below the cut, or sets TC. BIND 9.18 sets TC only when the first '
      'glue RRset does not fit and otherwise leaves glue out silently; '
      'apex sets TC. Allowed in a referral BIND sends without TC although '
      'it lacks the glue of a name server below the cut.')
def glue_truncated(case, diff, bind, apex):
    if (not same_referral(bind, apex) or
            'TC' not in apex['flags'].split() or
            not lacks_in_domain_glue(bind)):
        return False
    return diff[0] == 'flags' or diff[0].split()[0] == 'additional'


@rule('RFC 9471 3.1 and 3.2: glue below the cut must be sent, sibling '
      'glue only as space allows. Where BIND\'s order of the additional '
      'section leaves glue below the cut out, apex writes that glue first '
      'and may then have no room for sibling glue BIND sent.')
def glue_first(case, diff, bind, apex):
    if (not same_referral(bind, apex) or 'TC' in apex['flags'].split() or
            diff[0].split()[0] != 'additional'):
        return False
    key = tuple(diff[0].split()[1:])
    if diff[1] is None:     # apex has it, BIND not
        return below_cut(apex, key)
    return diff[2] is None and not below_cut(apex, key)
