/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * The answer builder: follows the query name through a zone image (and
 * along CNAME and DNAME chains inside that zone), writing the answer
 * section as it goes, then the authority section (SOA for negative
 * answers, NS for referrals and, unless minimal, for positive answers;
 * with DO=1 the NSEC or NSEC3 proofs denial.c chose) and the additional
 * section (addresses of NS, MX and SRV targets). With DO=1 every RRset
 * goes with the RRSIGs stored after it in the image.
 * Runs in: workers (unprivileged, seccomp), and the tests.
 */
#include <sys/socket.h>

#include <string.h>

#include "answer_priv.h"
#include "dname.h"
#include "error.h"
#include "log.h"
#include "rr.h"
#include "zone.h"

#define RCODE_YXDOMAIN	6

/*
 * The names a chain has asked for. The answer to a name depends on the
 * name alone, so a name asked for again would only repeat the records
 * already written (RFC 2181 5: never twice in a section): the chain is
 * a loop, and ends as one that is too long.
 */
struct chain_seen {
	unsigned	n;
	uint8_t		len[ANSWER_MAX_CHAIN];
	uint8_t		name[ANSWER_MAX_CHAIN][DNAME_MAXLEN];
};

enum step {
	STEP_DONE_POSITIVE,	/* answer written; add NS and addresses */
	STEP_DONE_NEGATIVE,	/* NXDOMAIN or NODATA written */
	STEP_DONE,		/* referral or error: nothing more */
	STEP_FOLLOW,		/* chase c in the next zone */
};

static bool
chase_set(struct chase *c, const uint8_t *name, size_t max)
{
	int len = dname_scan(name, max, &c->v);

	if (len < 0)
		return false;
	memmove(c->name, name, (size_t)len);
	dname_lower(c->lname, c->name, (size_t)len);
	dname_hash_suffixes(c->lname, &c->v, c->h);
	return true;
}

/* Returns: true if c was asked for before; remembers it if not. */
static bool
chain_seen(struct chain_seen *cs, const struct chase *c)
{
	for (unsigned i = 0; i < cs->n; i++)
		if (cs->len[i] == c->v.len &&
		    memcmp(cs->name[i], c->lname, c->v.len) == 0)
			return true;
	if (cs->n < ANSWER_MAX_CHAIN) {
		cs->len[cs->n] = c->v.len;
		memcpy(cs->name[cs->n], c->lname, c->v.len);
		cs->n++;
	}
	return false;
}

static bool
rrset_added(const struct answer *a, const struct zone_rrset *rs)
{
	for (unsigned i = 0; i < a->nrrsets; i++)
		if (a->rrsets[i] == rs)
			return true;
	return false;
}

/* Remembers the targets of NS, MX and SRV records for the additional
 * section. */
static void
note_targets(struct answer *a, const struct zonetab_entry *ze,
    const struct zone_rrset *rs, bool glue, bool required)
{
	int off = rr_additional_offset(rs->type);
	const uint8_t *d = zone_rrset_data(rs);

	if (off < 0)
		return;
	for (unsigned i = 0; i < rs->count; i++) {
		uint16_t rdlen = get16(d);
		if (rdlen > off && a->naddl < ANSWER_MAX_ADDL &&
		    dname_scan(d + 2 + off, rdlen - (size_t)off, NULL) > 0) {
			a->addl[a->naddl].ze = ze;
			a->addl[a->naddl].name = d + 2 + off;
			a->addl[a->naddl].glue = glue;
			a->addl[a->naddl].required = required;
			a->naddl++;
		}
		d += 2 + rdlen;
	}
}

/*
 * Writes a whole RRset to the section counted at header offset count,
 * or nothing. Returns: false when it did not fit.
 */
/*
 * The records of an RRset. *at is where the owner was first written
 * (SIZE_MAX: not yet): the records after it point there, which saves a
 * search of the compression table for each record and signature.
 */
static bool
put_records(struct answer *a, const uint8_t *owner,
    const struct zone_rrset *rs, uint64_t ttl, size_t *at)
{
	const uint8_t *d = zone_rrset_data(rs);

	for (unsigned i = 0; i < rs->count; i++) {
		int rc;
		if (*at == SIZE_MAX || *at > 0x3fff) {
			*at = a->w.len;
			rc = pkt_put_rr(&a->w, owner, rs->wire, d, ttl);
		} else
			rc = pkt_put_rr_again(&a->w, *at, rs->wire, d, ttl);
		if (rc != 0)
			return false;
		d += 2 + get16(d);
	}
	return true;
}

/* The RRset and, with DO=1, its signatures (the same TTL when one is
 * given: a negative answer's SOA and its RRSIG alike). */
static bool
put_rrset(struct answer *a, unsigned count, const uint8_t *owner,
    const struct zone_rrset *rs, uint64_t ttl)
{
	struct pkt_mark m = pkt_mark(&a->w);
	const struct zone_rrset *sigs = a->dnssec ? zone_rrset_sigs(rs) :
	    NULL;

	size_t at = SIZE_MAX;

	if (!put_records(a, owner, rs, ttl, &at) ||
	    (sigs != NULL && !put_records(a, owner, sigs, ttl, &at))) {
		pkt_rollback(&a->w, m);
		return false;
	}
	pkt_count_add(&a->w, count, rs->count + (sigs ? sigs->count : 0));
	if (a->nrrsets < ANSWER_MAX_RRSETS) {
		a->owners[a->nrrsets] = owner;
		a->rrsets[a->nrrsets++] = rs;
	}
	return true;
}

/* Answer and authority data are required: if they do not fit, the
 * response is truncated (RFC 2181 9). */
bool
answer_put_required(struct answer *a, unsigned count, const uint8_t *owner,
    const struct zone_rrset *rs, uint64_t ttl)
{
	if (a->tc)
		return false;
	if (!put_rrset(a, count, owner, rs, ttl)) {
		a->tc = true;
		return false;
	}
	return true;
}

static const uint8_t *
node_owner(const struct zone *z, const struct zone_node *n)
{
	return zone_node_name(z, n);
}

/*
 * RFC 2308 3: the SOA in the authority section, at the negative TTL.
 * In an NXDOMAIN answer to an SOA query its TTL is 0, as BIND sends it
 * (zero-no-soa-ttl): a stub resolver looking for the zone of a name
 * must not cache the SOA it finds on the way.
 */
static void
put_negative(struct answer *a, const struct zonetab_entry *ze)
{
	const struct zone *z = &ze->zone;
	const struct zone_rrset *soa = zone_soa(z);
	uint32_t ttl = z->hdr->neg_ttl;

	if (a->rcode == RCODE_NXDOMAIN && a->q->qtype == TYPE_SOA)
		ttl = 0;
	if (soa != NULL)
		(void)answer_put_required(a, SEC_AUTHORITY, node_owner(z,
		    zone_node(z, 0)), soa, ttl);
}

/* The zone's NS RRset in the authority section of a positive answer. */
static void
put_zone_ns(struct answer *a, const struct zonetab_entry *ze)
{
	const struct zone *z = &ze->zone;
	const struct zone_node *apex = zone_node(z, 0);
	const struct zone_rrset *ns = zone_find_rrset(z, apex, TYPE_NS);

	if (a->minimal_auth || ns == NULL || rrset_added(a, ns) || a->tc)
		return;
	if (put_rrset(a, SEC_AUTHORITY, node_owner(z, apex), ns,
	    PKT_TTL_KEEP) && a->q->qtype != TYPE_ANY)
		note_targets(a, ze, ns, false, false);
}

static void
referral(struct answer *a, const struct zonetab_entry *ze, uint32_t cut)
{
	const struct zone *z = &ze->zone;
	const struct zone_node *n = zone_node(z, cut);
	const struct zone_rrset *ns = zone_find_rrset(z, n, TYPE_NS);

	/* AA describes the answer section (RFC 1034 4.1.1): a CNAME that
	 * led here is still ours. */
	if (get16(a->w.buf + SEC_ANSWER) == 0)
		a->flags &= (uint16_t)~PKT_AA;
	if (ns == NULL)
		return;
	a->cut = node_owner(z, n);
	if (answer_put_required(a, SEC_AUTHORITY, node_owner(z, n), ns,
	    PKT_TTL_KEEP))
		note_targets(a, ze, ns, true, true);
	denial_referral(a, ze, cut);
}

/* ---- the additional section -------------------------------------- */

/* The node holding the addresses of one target, or NULL. */
static const struct zone_node *
addl_node(const struct answer *a, const struct answer_addl *t,
    const struct zone **zp)
{
	uint8_t lname[DNAME_MAXLEN];
	struct dname_view v;
	uint32_t h[DNAME_MAXLABELS + 1];
	int len = dname_scan(t->name, DNAME_MAXLEN, &v);

	if (len < 0)
		return NULL;
	dname_lower(lname, t->name, (size_t)len);
	dname_hash_suffixes(lname, &v, h);
	/* Addresses come from the zone that holds the record, as BIND
	 * does: another zone's data would carry that zone's authority. */
	const struct zone *z = &t->ze->zone;
	if (!dname_is_subdomain(lname, z->origin))
		return NULL;
	uint32_t k = zone_find_node(z, lname, v.len, h[0]);
	if (k == ZONE_NONE)
		return NULL;
	const struct zone_node *n = zone_node(z, k);
	/* A referral carries glue, the addresses below cuts (RFC 9471);
	 * other answers carry only authoritative addresses. */
	if (((n->flags & ZN_OCCLUDED) != 0) != t->glue)
		return NULL;
	*zp = z;
	return n;
}

/* Whether t is the glue of a name server below the referral's cut. */
static bool
in_domain_glue(const struct answer *a, const struct answer_addl *t)
{
	return t->glue && a->cut != NULL && dname_is_subdomain(t->name, a->cut);
}

/*
 * One pass of the additional section: the type RRset of every target
 * (or only of those that are glue below the cut). A referral's targets
 * go last first, as BIND's glue list is a stack. Counts the glue RRsets
 * below the cut written in *glue. Returns: false when one did not fit
 * (what follows is left out, as from BIND).
 */
static bool
put_addl_pass(struct answer *a, uint16_t type, bool only_glue,
    unsigned *glue)
{
	for (unsigned k = 0; k < a->naddl; k++) {
		unsigned i = a->cut != NULL ? a->naddl - 1 - k : k;
		const struct answer_addl *t = &a->addl[i];
		const struct zone *z;
		const struct zone_node *n;
		if ((a->minimal_addl && !t->required) ||
		    (only_glue && !in_domain_glue(a, t)) ||
		    (n = addl_node(a, t, &z)) == NULL)
			continue;
		const struct zone_rrset *rs = zone_find_rrset(z, n, type);
		if (rs == NULL || rrset_added(a, rs))
			continue;
		if (!put_rrset(a, SEC_ADDITIONAL, node_owner(z, n), rs,
		    PKT_TTL_KEEP))
			return false;
		if (in_domain_glue(a, t))
			(*glue)++;
	}
	return true;
}

/* The number of glue RRsets (A and AAAA) below the referral's cut. */
static unsigned
count_in_domain_glue(const struct answer *a)
{
	unsigned count = 0;

	for (unsigned i = 0; i < a->naddl; i++) {
		const struct answer_addl *t = &a->addl[i];
		const struct zone *z;
		const struct zone_node *n;
		if (!in_domain_glue(a, t) || (n = addl_node(a, t, &z)) == NULL)
			continue;
		count += zone_find_rrset(z, n, TYPE_A) != NULL;
		count += zone_find_rrset(z, n, TYPE_AAAA) != NULL;
	}
	return count;
}

/*
 * The addresses in BIND's order: every target's A RRset, then every
 * AAAA (the other way round for a client over IPv6: BIND's preferred
 * glue), after the glue below the cut if glue_first. Returns: how many
 * glue RRsets below the cut were written.
 */
static unsigned
put_addl_ordered(struct answer *a, bool glue_first)
{
	bool v6 = a->client != NULL && a->client->sa_family == AF_INET6;
	uint16_t first = v6 ? TYPE_AAAA : TYPE_A;
	uint16_t second = v6 ? TYPE_A : TYPE_AAAA;
	unsigned glue = 0;

	if (glue_first && (!put_addl_pass(a, first, true, &glue) ||
	    !put_addl_pass(a, second, true, &glue)))
		return glue;
	if (put_addl_pass(a, first, false, &glue))
		(void)put_addl_pass(a, second, false, &glue);
	return glue;
}

/*
 * RFC 9471 3.1: a referral carries all glue below its cut, or TC. When
 * BIND's order leaves some out, the section is written again with that
 * glue first; sibling glue (3.2) and other addresses may be left out.
 * (BIND 9.18 sets TC only when the first glue RRset does not fit.)
 */
static void
put_addresses(struct answer *a)
{
	struct pkt_mark m = pkt_mark(&a->w);
	uint16_t count = get16(a->w.buf + SEC_ADDITIONAL);
	unsigned nrrsets = a->nrrsets;
	unsigned want = count_in_domain_glue(a);

	if (a->tc || put_addl_ordered(a, false) >= want)
		return;
	pkt_rollback(&a->w, m);
	put16(a->w.buf + SEC_ADDITIONAL, count);
	a->nrrsets = nrrsets;
	if (put_addl_ordered(a, true) < want)
		a->tc = true;
}

/*
 * The additional section: the addresses, then with DO=1 the RRSIGs of
 * those that have them, in the same order, while they fit. An address
 * whose signatures find no room stays (RFC 4035 3.1.1 allows it), as
 * BIND renders them in that order too.
 */
static void
put_additional(struct answer *a)
{
	unsigned first = a->nrrsets;
	bool dnssec = a->dnssec;

	a->dnssec = false;
	put_addresses(a);
	a->dnssec = dnssec;
	if (!dnssec || a->tc)
		return;
	for (unsigned i = first; i < a->nrrsets; i++) {
		const struct zone_rrset *sigs = zone_rrset_sigs(a->rrsets[i]);
		if (sigs == NULL)
			continue;
		struct pkt_mark m = pkt_mark(&a->w);
		size_t at = SIZE_MAX;
		if (!put_records(a, a->owners[i], sigs, PKT_TTL_KEEP, &at)) {
			pkt_rollback(&a->w, m);
			return;
		}
		pkt_count_add(&a->w, SEC_ADDITIONAL, sigs->count);
	}
}

/* ---- the chain ---------------------------------------------------- */

/* Writes a CNAME synthesized from a DNAME (RFC 6672 2.3). */
static bool
put_synth_cname(struct answer *a, const uint8_t *owner, uint32_t ttl,
    const uint8_t *target, size_t tlen)
{
	uint8_t wire[8], rec[2 + DNAME_MAXLEN];

	put16(wire, TYPE_CNAME);
	put16(wire + 2, CLASS_IN);
	put32(wire + 4, ttl);
	put16(rec, (uint16_t)tlen);
	memcpy(rec + 2, target, tlen);
	if (a->tc || pkt_put_rr(&a->w, owner, wire, rec, PKT_TTL_KEEP) != 0) {
		a->tc = true;
		return false;
	}
	pkt_count_add(&a->w, SEC_ANSWER, 1);
	return true;
}

/*
 * RFC 6672 3.1: the DNAME, a CNAME from the query name to the name
 * with the DNAME owner's suffix replaced by the target, and on to that.
 * A chain is followed on when its records no longer fit (TC): the RCODE
 * is that of the whole chain, as from BIND. Returns: false when the
 * chain ends here.
 */
static bool
follow_dname(struct answer *a, const struct zonetab_entry *ze, uint32_t node,
    struct chase *c)
{
	const struct zone *z = &ze->zone;
	const struct zone_node *n = zone_node(z, node);
	const struct zone_rrset *rs = zone_find_rrset(z, n, TYPE_DNAME);
	uint8_t target[DNAME_MAXLEN + DNAME_MAXLEN];

	if (rs == NULL)
		return false;
	/* Once only: a chain that grows the name meets it at every step. */
	if (!rrset_added(a, rs))
		(void)answer_put_required(a, SEC_ANSWER, node_owner(z, n), rs,
		    PKT_TTL_KEEP);
	const uint8_t *d = zone_rrset_data(rs);
	int tl = dname_scan(d + 2, get16(d), NULL);
	/* The DNAME owner is an ancestor of the name in a sound image;
	 * checked anyway, as the index below depends on it. */
	if (tl < 0 || n->labels >= c->v.labels)
		return false;
	size_t prefix = c->v.off[c->v.labels - n->labels];
	if (prefix + (size_t)tl > DNAME_MAXLEN) {
		a->rcode = RCODE_YXDOMAIN;	/* RFC 6672 2.2 */
		return false;
	}
	memcpy(target, c->name, prefix);
	memcpy(target + prefix, d + 2, (size_t)tl);
	(void)put_synth_cname(a, c->name, zone_rrset_ttl(rs), target,
	    prefix + (size_t)tl);
	return chase_set(c, target, sizeof(target));
}

/* The DNAME step: for QTYPE CNAME and ANY the synthesized CNAME is the
 * answer, as a CNAME at the name would be (BIND does not follow it). */
static enum step
dname_step(struct answer *a, const struct zonetab_entry *ze, uint32_t node,
    struct chase *c)
{
	if (!follow_dname(a, ze, node, c))
		return STEP_DONE;
	return a->q->qtype == TYPE_CNAME || a->q->qtype == TYPE_ANY ?
	    STEP_DONE_POSITIVE : STEP_FOLLOW;
}


/*
 * The NSEC3 chain is not data of the names that own it (RFC 5155 7.2.8;
 * BIND keeps it in a tree of its own): at a name that also holds other
 * data, its NSEC3 and their RRSIGs are never answered.
 */
static bool
rrset_hidden(const struct zone_rrset *rs)
{
	return rs->type == TYPE_NSEC3 || (rs->type == TYPE_RRSIG &&
	    zone_rrsig_covered(rs) == TYPE_NSEC3);
}

static bool
rr_is_dnssec(uint16_t type)
{
	return type == TYPE_DS || type == TYPE_RRSIG || type == TYPE_NSEC ||
	    type == TYPE_DNSKEY || type == TYPE_NSEC3 ||
	    type == TYPE_NSEC3PARAM;
}

/* QTYPE ANY (RFC 8482): every RRset, each with its signatures when
 * DO=1; those are then not repeated on their own. */
static enum step
answer_any(struct answer *a, const struct zone *z, const struct zone_node *n,
    struct chase *c)
{
	const struct zone_rrset *rs = zone_rrset_first(z, n);
	bool attached = false;

	for (unsigned i = 0; i < n->nrrsets; i++, rs = zone_rrset_next(rs)) {
		bool skip = (attached && a->dnssec) || rrset_hidden(rs) ||
		    (z->dnodes == NULL && rr_is_dnssec(rs->type));
		attached = rs->sigs;
		/* A zone that is not secure may be on its way to being
		 * signed: its DNSSEC records stay out of ANY, as BIND
		 * keeps them. */
		if (skip)
			continue;
		/* No additional-section data for ANY, as from BIND: the
		 * answer is large enough already. */
		if (!answer_put_required(a, SEC_ANSWER, c->name, rs,
		    PKT_TTL_KEEP))
			return STEP_DONE;
		if (a->env->conf->minimal_any)
			break;	/* RFC 8482 4.2: one RRset will do */
	}
	return STEP_DONE_POSITIVE;
}

/* QTYPE RRSIG: the signatures of every type at the name, each RRset
 * with its own TTL (RFC 4034 3). */
static enum step
answer_rrsig(struct answer *a, const struct zonetab_entry *ze,
    const struct zone_lookup *r, struct chase *c)
{
	const struct zone *z = &ze->zone;
	const struct zone_node *n = zone_node(z, r->node);
	const struct zone_rrset *rs = zone_rrset_first(z, n);
	bool any = false;

	for (unsigned i = 0; i < n->nrrsets; i++, rs = zone_rrset_next(rs)) {
		if (rs->type != TYPE_RRSIG || rrset_hidden(rs))
			continue;
		if (!answer_put_required(a, SEC_ANSWER, c->name, rs,
		    PKT_TTL_KEEP))
			return STEP_DONE;
		any = true;
	}
	if (!any) {
		put_negative(a, ze);
		denial_nodata(a, ze, c, r);
		return STEP_DONE_NEGATIVE;
	}
	return STEP_DONE_POSITIVE;
}

/* Whether a CNAME at the name answers for qtype: not for CNAME itself,
 * nor for NSEC and KEY, which may sit beside it (RFC 4035 2.5, RFC 3007)
 * and which BIND answers at the name. */
static bool
follows_cname(uint16_t qtype)
{
	return qtype != TYPE_CNAME && qtype != TYPE_NSEC && qtype != TYPE_KEY;
}

/* The answer at an existing node (exact or wildcard match). */
static enum step
answer_node(struct answer *a, const struct zonetab_entry *ze,
    const struct zone_lookup *r, struct chase *c)
{
	const struct zone *z = &ze->zone;
	const struct zone_node *n = zone_node(z, r->node);
	uint16_t qtype = a->q->qtype;
	const struct zone_rrset *rs = NULL;

	if (n->nrrsets == 0)
		goto nodata;
	/* Data from a wildcard comes with the proof that the name itself
	 * does not exist; queued before the name changes along a chain. */
	if (r->match == ZM_WILDCARD && (qtype == TYPE_ANY ||
	    zone_find_rrset(z, n, qtype) != NULL ||
	    ((n->flags & ZN_CNAME) && follows_cname(qtype))))
		denial_wildcard(a, ze, c, r);
	if (qtype == TYPE_ANY)
		return answer_any(a, z, n, c);
	if (qtype == TYPE_RRSIG)
		return answer_rrsig(a, ze, r, c);
	if (qtype != TYPE_NSEC3 &&
	    (rs = zone_find_rrset(z, n, qtype)) != NULL) {
		if (!answer_put_required(a, SEC_ANSWER, c->name, rs,
		    PKT_TTL_KEEP))
			return STEP_DONE;
		/* A root priming query gets the addresses of the root
		 * servers whatever the settings (RFC 8109 4.1), as
		 * from BIND. */
		note_targets(a, ze, rs, false, qtype == TYPE_NS &&
		    c->v.labels == 0);
		return STEP_DONE_POSITIVE;
	}
	if ((n->flags & ZN_CNAME) && follows_cname(qtype)) {
		rs = zone_find_rrset(z, n, TYPE_CNAME);
		/* Written again if seen before: a wildcard's CNAME has
		 * another owner each time (answer_build() ends a chain
		 * that comes back to a name). */
		(void)answer_put_required(a, SEC_ANSWER, c->name, rs,
		    PKT_TTL_KEEP);
		const uint8_t *d = zone_rrset_data(rs);
		if (!chase_set(c, d + 2, get16(d)))
			return STEP_DONE;
		return STEP_FOLLOW;
	}
nodata:
	put_negative(a, ze);
	denial_nodata(a, ze, c, r);
	return STEP_DONE_NEGATIVE;
}

/*
 * The account rate limiting charges, from the first lookup, as BIND
 * does: the name found (a referral's cut, a DNAME's owner), every
 * wildcard of a zone as one name, NXDOMAIN as the zone.
 */
static void
rrl_note(struct answer *a, const struct zonetab_entry *ze,
    const struct zone_lookup *r, enum step s)
{
	const struct zone *z = &ze->zone;

	if (a->rrl_set)
		return;
	a->rrl_set = true;
	a->rrl.kind = s == STEP_DONE_NEGATIVE ? RRL_NODATA : RRL_RESPONSE;
	a->rrl.name = zone_node_name(z, zone_node(z, r->node));
	if (r->match == ZM_WILDCARD) {
		a->rrl.name = z->origin;
		a->rrl.wild = true;
	} else if (r->match == ZM_DELEGATION && s == STEP_DONE)
		a->rrl.kind = RRL_REFERRAL;
	else if (r->match == ZM_NXDOMAIN) {
		a->rrl.kind = RRL_NXDOMAIN;
		a->rrl.name = z->origin;
	}
}

static bool
parent_side(const struct zonetab_entry *ze, uint32_t cut, uint16_t qtype)
{
	const struct zone *z = &ze->zone;

	if (qtype == TYPE_DS)
		return true;
	return (qtype == TYPE_NSEC || qtype == TYPE_KEY) &&
	    zone_find_rrset(z, zone_node(z, cut), qtype) != NULL;
}

static enum step
answer_match(struct answer *a, const struct zonetab_entry *ze,
    const struct zone_lookup *r, struct chase *c)
{
	switch (r->match) {
	case ZM_EXACT:
	case ZM_WILDCARD:
		return answer_node(a, ze, r, c);
	case ZM_DELEGATION:
		/* DS is the parent side's data (RFC 4035 3.1.4.1); so are
		 * the NSEC and KEY at a cut when it has them, as BIND
		 * answers them. */
		if (r->exact && r->node == r->encloser &&
		    parent_side(ze, r->node, a->q->qtype))
			return answer_node(a, ze, r, c);
		referral(a, ze, r->node);
		return STEP_DONE;
	case ZM_DNAME:
		return dname_step(a, ze, r->node, c);
	case ZM_NXDOMAIN:
		a->rcode = RCODE_NXDOMAIN;
		put_negative(a, ze);
		denial_nxdomain(a, ze, c, r->encloser);
		return STEP_DONE_NEGATIVE;
	}
	return STEP_DONE;
}

static enum step
answer_step(struct answer *a, const struct zonetab_entry *ze, struct chase *c)
{
	struct zone_lookup r;

	zone_lookup(&ze->zone, c->lname, &c->v, c->h, &r);
	enum step s = answer_match(a, ze, &r, c);
	rrl_note(a, ze, &r, s);
	return s;
}

/* Whether ze is the zone served here closest to the name. */
static bool
same_zone(const struct answer *a, const struct zonetab_entry *ze,
    const struct chase *c)
{
	const struct zonetab *zones = a->q->qclass == CLASS_CH ?
	    a->env->chaos : a->env->zones;

	if (zones == NULL)
		return true;
	return zonetab_find(zones, c->lname, &c->v, c->h, 0) == ze;
}

void
answer_build(struct answer *a, const struct zonetab_entry *ze)
{
	struct chase c;
	struct chain_seen seen;
	enum step s = STEP_DONE;

	a->flags |= PKT_AA;
	if (!chase_set(&c, a->q->qname, DNAME_MAXLEN))
		return;
	seen.n = 0;
	for (unsigned hops = 0; hops < ANSWER_MAX_CHAIN; hops++) {
		if (chain_seen(&seen, &c)) {
			s = STEP_FOLLOW;
			break;
		}
		s = answer_step(a, ze, &c);
		if (s == STEP_DONE_POSITIVE)
			put_zone_ns(a, ze);
		if (s != STEP_FOLLOW)
			break;
		/* Chains are followed inside the zone only: data from
		 * another zone would be answered with this zone's
		 * authority. A name below a cut that is itself a zone
		 * served here belongs to that zone, so the chain ends
		 * there too, as BIND ends it. */
		if (!dname_is_subdomain(c.lname, ze->zone.origin) ||
		    !same_zone(a, ze, &c)) {
			s = STEP_DONE;
			break;
		}
	}
	if (s == STEP_FOLLOW) {
		a->rcode = RCODE_SERVFAIL;	/* a loop, or too long */
		a->ede = EDE_OTHER;
		a->ede_text = "CNAME chain too long";
		/* What was written stays, with its wildcard proofs, as
		 * BIND sends it. */
		denial_put(a);
		return;
	}
	denial_put(a);
	put_additional(a);
}
