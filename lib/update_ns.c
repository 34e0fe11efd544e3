/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * The name servers of an updated zone must keep their addresses: every
 * in-zone NS target of the apex and of each delegation needs an A or
 * AAAA record, as BIND's post-update check asks of the apex and apex's
 * zone builder of every delegation. A name that loses its last address
 * is looked up in an index of the NS records that name it, made from
 * the image once per batch, the first time one is needed.
 * Runs in: apex-xferd; fuzzed by regress/fuzz/fuzz_update.c.
 */
#include <stdlib.h>
#include <string.h>

#include "dname.h"
#include "rr.h"
#include "update_priv.h"
#include "zone.h"

/* An NS record naming a target in the zone, by the target's hash. */
struct nsref {
	struct nsref	*next;
	uint32_t	 thash;		/* of the target */
	uint32_t	 node;		/* owner in the image, or ZONE_NONE */
	uint8_t		*owner;		/* else a copy of the owner */
};

bool
update_ns_targets_ok(const struct update *up, const uint8_t *lname,
    uint32_t hash)
{
	uint8_t t[DNAME_MAXLEN];
	struct sview ns, a;

	if (up->rclass != CLASS_IN ||
	    !update_cur_find(up, lname, hash, TYPE_NS, &ns))
		return true;
	const uint8_t *p = ns.data;
	for (uint32_t i = 0; i < ns.count; i++, p += 2 + get16(p)) {
		int n = dname_scan(p + 2, get16(p), NULL);
		if (n < 0)
			continue;
		dname_lower(t, p + 2, (size_t)n);
		if (!dname_is_subdomain(t, up->z->origin))
			continue;
		uint32_t h = dname_hash(t);
		if (!update_cur_find(up, t, h, TYPE_A, &a) &&
		    !update_cur_find(up, t, h, TYPE_AAAA, &a))
			return false;
	}
	return true;
}

static void
ref_add(struct update *up, uint32_t thash, uint32_t node,
    const uint8_t *owner)
{
	if (up->refs == NULL || up->nrefs + 1 > up->refmask + 1) {
		uint32_t mask = up->refs ? up->refmask * 2 + 1 : 255;
		struct nsref **tab = xcalloc((size_t)mask + 1, sizeof(*tab));
		for (uint32_t i = 0; up->refs != NULL && i <= up->refmask; i++)
			while (up->refs[i] != NULL) {
				struct nsref *r = up->refs[i];
				up->refs[i] = r->next;
				r->next = tab[r->thash & mask];
				tab[r->thash & mask] = r;
			}
		free(up->refs);
		up->refs = tab;
		up->refmask = mask;
	}
	struct nsref *r = xcalloc(1, sizeof(*r));
	r->thash = thash;
	r->node = node;
	if (owner != NULL) {
		r->owner = xmalloc(dname_len(owner));
		memcpy(r->owner, owner, dname_len(owner));
	}
	r->next = up->refs[thash & up->refmask];
	up->refs[thash & up->refmask] = r;
	up->nrefs++;
}

/* The in-zone target of an NS RDATA: its hash, or false. */
static bool
target_hash(const struct update *up, const uint8_t *rd, uint16_t len,
    uint32_t *h)
{
	uint8_t t[DNAME_MAXLEN];
	int n = dname_scan(rd, len, NULL);

	if (n < 0)
		return false;
	dname_lower(t, rd, (size_t)n);
	if (!dname_is_subdomain(t, up->z->origin))
		return false;
	*h = dname_hash(t);
	return true;
}

void
update_ns_note(struct update *up, const uint8_t *owner, const uint8_t *rd,
    uint16_t len)
{
	uint32_t h;

	/* Until the image is indexed, its own check finds these too. */
	if (up->refs_image && target_hash(up, rd, len, &h))
		ref_add(up, h, ZONE_NONE, owner);
}

/* Every NS record of the image's apex and delegations (one pass). */
static void
index_image(struct update *up)
{
	const struct zone *z = up->z;
	uint32_t h;

	up->refs_image = true;
	for (uint32_t k = 0; k < z->hdr->node_count; k++) {
		const struct zone_node *n = zone_node(z, k);
		if (k != 0 && !(n->flags & ZN_CUT))
			continue;
		const struct zone_rrset *rs = zone_find_rrset(z, n, TYPE_NS);
		const uint8_t *p = rs ? zone_rrset_data(rs) : NULL;
		for (unsigned i = 0; rs != NULL && i < rs->count; i++,
		    p += 2 + get16(p))
			if (target_hash(up, p + 2, get16(p), &h))
				ref_add(up, h, k, NULL);
	}
	/* The NS records the batch added so far live in the overlay. */
	for (uint32_t i = 0; i <= up->mask; i++)
		for (struct uname *u = up->tab[i]; u != NULL; u = u->next) {
			struct sview v;
			if (!update_cur_find(up, u->lname, u->hash, TYPE_NS,
			    &v))
				continue;
			const uint8_t *p = v.data;
			for (uint32_t r = 0; r < v.count; r++,
			    p += 2 + get16(p))
				if (target_hash(up, p + 2, get16(p), &h))
					ref_add(up, h, ZONE_NONE, u->lname);
		}
}

static bool
sets_have_address(const struct uset *s, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (s[i].type == TYPE_A || s[i].type == TYPE_AAAA)
			return true;
	return false;
}

/* Whether the name of d had addresses before the message. */
static bool
had_address(const struct update *up, const struct undo *d)
{
	const struct zone *z = up->z;

	if (!d->created)
		return sets_have_address(d->sets, d->nsets);
	if (d->u->node == ZONE_NONE)
		return false;
	const struct zone_node *n = zone_node(z, d->u->node);
	return zone_find_rrset(z, n, TYPE_A) != NULL ||
	    zone_find_rrset(z, n, TYPE_AAAA) != NULL;
}

bool
update_ns_glue_ok(struct update *up, const struct undo *d)
{
	const struct uname *u = d->u;

	if (up->rclass != CLASS_IN ||
	    sets_have_address(u->sets, u->nsets) || !had_address(up, d))
		return true;
	if (!up->refs_image)
		index_image(up);
	if (up->refs == NULL)
		return true;
	for (const struct nsref *r = up->refs[u->hash & up->refmask];
	    r != NULL; r = r->next) {
		if (r->thash != u->hash)
			continue;
		const uint8_t *o = r->owner != NULL ? r->owner :
		    zone_node_name(up->z, zone_node(up->z, r->node));
		if (!update_ns_targets_ok(up, o, dname_hash(o)))
			return false;
	}
	return true;
}

void
update_ns_free(struct update *up)
{
	for (uint32_t i = 0; up->refs != NULL && i <= up->refmask; i++)
		while (up->refs[i] != NULL) {
			struct nsref *r = up->refs[i];
			up->refs[i] = r->next;
			free(r->owner);
			free(r);
		}
	free(up->refs);
}
