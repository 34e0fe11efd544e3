/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * Denial of existence for DO=1 answers from signed zones: which NSEC
 * (RFC 4035 3.1.3) or NSEC3 (RFC 5155 7.2) records prove a name or a
 * type absent, and DS or its absence at a referral (RFC 4035 3.1.4).
 * Runs in: workers (unprivileged, seccomp), and the tests.
 *
 * The zone image knows, for every name, the record that matches or
 * covers it and the one that covers the wildcard below it (zone.h); the
 * only hash computed here is of the next closer name of a name that
 * does not exist. Records are queued while the answer section is still
 * being written, deduplicated, and written after it.
 */
#include <string.h>

#include "answer_priv.h"
#include "rr.h"

static bool
signed_zone(const struct answer *a, const struct zonetab_entry *ze)
{
	return a->dnssec && ze->zone.dnodes != NULL;
}

static void
queue(struct answer *a, const struct zonetab_entry *ze, uint32_t node,
    uint16_t type)
{
	if (node == ZONE_NONE)
		return;
	for (unsigned i = 0; i < a->nproofs; i++)
		if (a->proofs[i].ze == ze && a->proofs[i].node == node &&
		    a->proofs[i].type == type)
			return;
	if (a->nproofs == ANSWER_MAX_PROOFS) {
		a->tc = true;	/* cannot happen: a chain is bounded */
		return;
	}
	a->proofs[a->nproofs].ze = ze;
	a->proofs[a->nproofs].node = node;
	a->proofs[a->nproofs].type = type;
	a->nproofs++;
}

/* The NSEC3 record of a zone_n3 reference (matching or covering). */
static void
queue_n3(struct answer *a, const struct zonetab_entry *ze, uint32_t ref)
{
	if (ref != ZONE_NONE)
		queue(a, ze, ze->zone.n3[ref & ZONE_N3_INDEX].node,
		    TYPE_NSEC3);
}

/* The NSEC that covers a name that does not exist. */
static void
queue_nsec_cover(struct answer *a, const struct zonetab_entry *ze,
    const uint8_t *lname)
{
	const struct zone *z = &ze->zone;

	queue(a, ze, z->dnodes[zone_node_before(z, lname)].self, TYPE_NSEC);
}

/* The NSEC3 covering the next closer name of c below encloser: the one
 * hash a query costs (RFC 5155 7.2.1). */
static void
queue_next_closer(struct answer *a, const struct zonetab_entry *ze,
    const struct chase *c, uint32_t encloser)
{
	const struct zone *z = &ze->zone;
	unsigned ce = zone_node(z, encloser)->labels;
	uint8_t hash[20];

	if (c->v.labels <= ce)
		return;
	size_t off = c->v.off[c->v.labels - ce - 1];
	zone_n3_hash(z, c->lname + off, c->v.len - off, hash);
	queue_n3(a, ze, zone_n3_find(z, hash));
}

/*
 * RFC 5155 7.2.1 for an existing name without a matching NSEC3 (below
 * an opt-out span): the nearest ancestor that has one, and the NSEC3
 * covering the name one label below it. Every ancestor of an existing
 * name is a node, so nothing is hashed.
 */
static void
queue_provable_encloser(struct answer *a, const struct zonetab_entry *ze,
    uint32_t node)
{
	const struct zone *z = &ze->zone;
	const uint8_t *name = zone_node_name(z, zone_node(z, node));
	unsigned labels = zone_node(z, node)->labels;
	uint32_t below = node;

	while (labels > z->hdr->origin_labels) {
		name += 1 + name[0];
		labels--;
		uint32_t k = zone_find_name(z, name);
		if (k == ZONE_NONE)
			return;
		uint32_t self = z->dnodes[k].self;
		if (self != ZONE_NONE && (self & ZONE_N3_MATCH)) {
			queue_n3(a, ze, self);
			queue_n3(a, ze, z->dnodes[below].self);
			return;
		}
		below = k;
	}
}

void
denial_nxdomain(struct answer *a, const struct zonetab_entry *ze,
    const struct chase *c, uint32_t encloser)
{
	const struct zone *z = &ze->zone;

	if (!signed_zone(a, ze))
		return;
	if (z->hdr->denial == ZONE_DENIAL_NSEC) {
		queue_nsec_cover(a, ze, c->lname);
		queue(a, ze, z->dnodes[encloser].wild, TYPE_NSEC);
		return;
	}
	/* The closest encloser proof, then no wildcard (RFC 5155 7.2.2). */
	queue_n3(a, ze, z->dnodes[encloser].self);
	queue_next_closer(a, ze, c, encloser);
	queue_n3(a, ze, z->dnodes[encloser].wild);
}

void
denial_nodata(struct answer *a, const struct zonetab_entry *ze,
    const struct chase *c, const struct zone_lookup *r)
{
	const struct zone *z = &ze->zone;

	if (!signed_zone(a, ze))
		return;
	if (z->hdr->denial == ZONE_DENIAL_NSEC) {
		/* At a wildcard: no exact match, and the wildcard's own
		 * NSEC lacks the type (RFC 4035 3.1.3.4). */
		if (r->match == ZM_WILDCARD)
			queue_nsec_cover(a, ze, c->lname);
		queue(a, ze, z->dnodes[r->node].self, TYPE_NSEC);
		return;
	}
	if (r->match == ZM_WILDCARD) {
		/* RFC 5155 7.2.5. */
		queue_n3(a, ze, z->dnodes[r->encloser].self);
		queue_next_closer(a, ze, c, r->encloser);
		queue_n3(a, ze, z->dnodes[r->encloser].wild);
		return;
	}
	uint32_t self = z->dnodes[r->node].self;
	if (self != ZONE_NONE && (self & ZONE_N3_MATCH))
		queue_n3(a, ze, self);		/* RFC 5155 7.2.3 */
	else
		queue_provable_encloser(a, ze, r->node);	/* 7.2.4 */
}

void
denial_wildcard(struct answer *a, const struct zonetab_entry *ze,
    const struct chase *c, const struct zone_lookup *r)
{
	if (!signed_zone(a, ze))
		return;
	/* The name itself does not exist (RFC 4035 3.1.3.3, RFC 5155
	 * 7.2.6): the wildcard's RRSIG tells the encloser. */
	if (ze->zone.hdr->denial == ZONE_DENIAL_NSEC)
		queue_nsec_cover(a, ze, c->lname);
	else
		queue_next_closer(a, ze, c, r->encloser);
}

void
denial_referral(struct answer *a, const struct zonetab_entry *ze,
    uint32_t cut)
{
	const struct zone *z = &ze->zone;
	const struct zone_node *n = zone_node(z, cut);

	if (!a->dnssec)
		return;
	if (zone_find_rrset(z, n, TYPE_DS) != NULL) {
		queue(a, ze, cut, TYPE_DS);
		return;
	}
	if (z->dnodes == NULL)
		return;
	/* An unsigned child: proof that the cut has no DS. */
	if (z->hdr->denial == ZONE_DENIAL_NSEC) {
		queue(a, ze, z->dnodes[cut].self, TYPE_NSEC);
		return;
	}
	uint32_t self = z->dnodes[cut].self;
	if (self != ZONE_NONE && (self & ZONE_N3_MATCH))
		queue_n3(a, ze, self);
	else
		queue_provable_encloser(a, ze, cut);	/* opt-out */
}

void
denial_put(struct answer *a)
{
	for (unsigned i = 0; i < a->nproofs && !a->tc; i++) {
		const struct answer_proof *p = &a->proofs[i];
		const struct zone *z = &p->ze->zone;
		const struct zone_node *n = zone_node(z, p->node);
		const struct zone_rrset *rs = zone_find_rrset(z, n, p->type);
		if (rs != NULL)
			(void)answer_put_required(a, SEC_AUTHORITY,
			    zone_node_name(z, n), rs, PKT_TTL_KEEP);
	}
}
