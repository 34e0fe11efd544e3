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
 * RFC 5155 7.2.1: the nearest node at or above k whose hash an NSEC3
 * matches (the closest provable encloser; below opt-out spans a name
 * may have none). *below is the node under it on the way to k, or
 * ZONE_NONE when that is k itself. Every ancestor of a node is a node,
 * so nothing is hashed.
 */
static uint32_t
provable_encloser(const struct zone *z, uint32_t k, uint32_t *below)
{
	const uint8_t *name = zone_node_name(z, zone_node(z, k));
	unsigned labels = zone_node(z, k)->labels;

	*below = ZONE_NONE;
	for (;;) {
		uint32_t self = z->dnodes[k].self;
		if ((self != ZONE_NONE && (self & ZONE_N3_MATCH)) ||
		    labels <= z->hdr->origin_labels)
			return k;
		name += 1 + name[0];
		labels--;
		uint32_t up = zone_find_name(z, name);
		if (up == ZONE_NONE)
			return k;	/* cannot happen in a sound image */
		*below = k;
		k = up;
	}
}

/* The closest provable encloser proof of an existing name that has no
 * NSEC3 of its own. */
static void
queue_provable_encloser(struct answer *a, const struct zonetab_entry *ze,
    uint32_t node)
{
	const struct zone *z = &ze->zone;
	uint32_t below, cpe = provable_encloser(z, node, &below);

	queue_n3(a, ze, z->dnodes[cpe].self);
	if (below != ZONE_NONE)
		queue_n3(a, ze, z->dnodes[below].self);
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
	/* The closest encloser proof, then no wildcard (RFC 5155 7.2.2);
	 * an encloser without an NSEC3 (opt-out) is proven by the
	 * nearest one above it that has one. */
	uint32_t below, cpe = provable_encloser(z, encloser, &below);
	queue_n3(a, ze, z->dnodes[cpe].self);
	if (below == ZONE_NONE)
		queue_next_closer(a, ze, c, encloser);
	else
		queue_n3(a, ze, z->dnodes[below].self);
	queue_n3(a, ze, z->dnodes[cpe].wild);
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

	/* Only a secure zone answers with DS (BIND's rule too): one on
	 * its way to being signed may hold a DS it does not vouch for. */
	if (!signed_zone(a, ze))
		return;
	if (zone_find_rrset(z, n, TYPE_DS) != NULL) {
		queue(a, ze, cut, TYPE_DS);
		return;
	}
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
