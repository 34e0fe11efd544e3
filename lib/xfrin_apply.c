/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * Applying IXFR differences (RFC 1995) to a zone image: what the image
 * holds minus what the differences delete, plus what they add, in
 * order, so a later difference may delete what an earlier one added.
 * Runs in: apex-xferd; fuzzed by regress/fuzz/fuzz_xfrin.c.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dname.h"
#include "error.h"
#include "journal.h"
#include "pkt.h"
#include "rr.h"
#include "xfrin.h"
#include "zone.h"

/* A set of 32-bit keys (offsets), open addressing. */
struct u32set {
	uint32_t	*slot;		/* value + 1; 0: empty */
	uint32_t	 mask, n;
};

static uint32_t
mix(uint32_t v)
{
	v ^= v >> 16;
	v *= 0x7feb352d;
	v ^= v >> 15;
	v *= 0x846ca68b;
	return v ^ (v >> 16);
}

static bool
u32set_has(const struct u32set *s, uint32_t v)
{
	if (s->slot == NULL)
		return false;
	for (uint32_t i = mix(v) & s->mask;; i = (i + 1) & s->mask) {
		if (s->slot[i] == 0)
			return false;
		if (s->slot[i] == v + 1)
			return true;
	}
}

static void
u32set_add(struct u32set *s, uint32_t v)
{
	if (s->slot == NULL || (s->n + 1) * 2 > s->mask + 1) {
		struct u32set o = *s;
		s->mask = o.slot ? o.mask * 2 + 1 : 63;
		s->slot = xcalloc((size_t)s->mask + 1, sizeof(*s->slot));
		s->n = 0;
		for (uint32_t i = 0; o.slot && i <= o.mask; i++)
			if (o.slot[i] != 0)
				u32set_add(s, o.slot[i] - 1);
		free(o.slot);
	}
	uint32_t i = mix(v) & s->mask;
	while (s->slot[i] != 0)
		i = (i + 1) & s->mask;
	s->slot[i] = v + 1;
	s->n++;
}

/* Records added by the differences so far; a hash over their content
 * finds one again when a later difference deletes it. */
struct added {
	struct rrbuf	 rr;
	uint32_t	*off;		/* of each record in rr */
	bool		*alive;
	uint32_t	 n;
	uint32_t	*slot;		/* index + 1 */
	uint32_t	 mask;
};

static uint32_t
rr_key(const uint8_t *owner, uint16_t type, const uint8_t *rdata,
    uint16_t rdlen)
{
	uint32_t h = 2166136261u;
	size_t ol = dname_len(owner);

	for (size_t i = 0; i < ol; i++)
		h = (h ^ dname_lc(owner[i])) * 16777619u;
	h = (h ^ type) * 16777619u;
	/* Lowercase throughout: records equal in canonical form hash
	 * alike; the rest is sorted out by comparing. */
	for (size_t i = 0; i < rdlen; i++)
		h = (h ^ dname_lc(rdata[i])) * 16777619u;
	return h;
}

static bool
same_rr(const struct rrview *a, const struct pkt_rr *b)
{
	return a->type == b->type && dname_equal(a->owner, b->owner) &&
	    rr_rdata_compare(a->type, a->rdata, a->rdlen, b->rdata,
	    b->rdlen) == 0;
}

static void
added_rehash(struct added *a)
{
	free(a->slot);
	a->mask = 63;
	while ((a->mask + 1) < a->n * 2 + 2)
		a->mask = a->mask * 2 + 1;
	a->slot = xcalloc((size_t)a->mask + 1, sizeof(*a->slot));
	for (uint32_t k = 0; k < a->n; k++) {
		struct rrview v;
		size_t pos = a->off[k];
		if (rrbuf_next(a->rr.p, a->rr.len, &pos, &v) != 0)
			continue;
		uint32_t i = rr_key(v.owner, v.type, v.rdata, v.rdlen) &
		    a->mask;
		while (a->slot[i] != 0)
			i = (i + 1) & a->mask;
		a->slot[i] = k + 1;
	}
}

/* The live added record equal to rr, or -1. */
static long
added_find(const struct added *a, const struct pkt_rr *rr)
{
	if (a->slot == NULL)
		return -1;
	uint32_t i = rr_key(rr->owner, rr->type, rr->rdata, rr->rdlen) &
	    a->mask;
	for (; a->slot[i] != 0; i = (i + 1) & a->mask) {
		uint32_t k = a->slot[i] - 1;
		struct rrview v;
		size_t pos = a->off[k];
		if (a->alive[k] && rrbuf_next(a->rr.p, a->rr.len, &pos,
		    &v) == 0 && same_rr(&v, rr))
			return (long)k;
	}
	return -1;
}

static void
added_put(struct added *a, const struct rrview *v)
{
	a->off = xreallocarray(a->off, a->n + 1, sizeof(*a->off));
	a->alive = xreallocarray(a->alive, a->n + 1, sizeof(*a->alive));
	a->off[a->n] = (uint32_t)a->rr.len;
	a->alive[a->n] = true;
	rrbuf_add(&a->rr, v->owner, v->type, v->rclass, v->ttl, v->rdata,
	    v->rdlen);
	a->n++;
	if (a->slot == NULL || a->n * 2 > a->mask + 1) {
		added_rehash(a);
		return;
	}
	uint32_t i = rr_key(v->owner, v->type, v->rdata, v->rdlen) & a->mask;
	while (a->slot[i] != 0)
		i = (i + 1) & a->mask;
	a->slot[i] = a->n;
}

/* The record of the image equal to rr: its offset, or 0. */
static uint32_t
image_find(const struct zone *z, const struct pkt_rr *rr)
{
	uint8_t lname[DNAME_MAXLEN];
	size_t len = dname_len(rr->owner);

	dname_lower(lname, rr->owner, len);
	uint32_t n = zone_find_name(z, lname);
	if (n == ZONE_NONE)
		return 0;
	/* RRSIGs are kept as one RRset per type covered. */
	const struct zone_rrset *rs = rr->type == TYPE_RRSIG ?
	    rr->rdlen >= 2 ? zone_find_sigs(z, zone_node(z, n),
	    get16(rr->rdata)) : NULL : zone_find_rrset(z, zone_node(z, n),
	    rr->type);
	if (rs == NULL)
		return 0;
	const uint8_t *r = zone_rrset_data(rs);
	for (unsigned i = 0; i < rs->count; i++, r += 2 + get16(r))
		if (rr_rdata_compare(rr->type, r + 2, get16(r), rr->rdata,
		    rr->rdlen) == 0)
			return (uint32_t)(r - z->base);
	return 0;
}

/* An rrbuf record as a pkt_rr (pointing into the buffer). */
static void
view_to_rr(const struct rrview *v, struct pkt_rr *rr)
{
	memcpy(rr->owner, v->owner, dname_len(v->owner));
	rr->type = v->type;
	rr->rclass = v->rclass;
	rr->ttl = v->ttl;
	rr->rdlen = v->rdlen;
	rr->rdata = v->rdata;
}

int
xfrin_apply(const struct xfrin *x, const struct zone *z,
    struct zone_builder *zb, char *err, size_t errlen)
{
	struct u32set deleted = { NULL, 0, 0 };
	struct added add;
	struct pkt_rr *rr = xmalloc(sizeof(*rr));
	struct rrview v;
	int rc = APEX_EZONE;

	memset(&add, 0, sizeof(add));
	rrbuf_init(&add.rr);
	for (unsigned d = 0; d < x->ndiffs; d++) {
		const struct xfrin_diff *df = &x->diffs[d];
		size_t pos = 0;
		while (rrbuf_next(df->del.p, df->del.len, &pos, &v) == 0) {
			view_to_rr(&v, rr);
			long k = added_find(&add, rr);
			if (k >= 0) {
				add.alive[k] = false;
				continue;
			}
			uint32_t off = image_find(z, rr);
			if (off == 0 || u32set_has(&deleted, off)) {
				char name[DNAME_STRLEN], type[16];
				snprintf(err, errlen, "IXFR "
				    "deletes %s %s, which the zone does not "
				    "have", dname_to_str(rr->owner, name,
				    sizeof(name)), rr_type_str(rr->type,
				    type));
				goto out;
			}
			u32set_add(&deleted, off);
		}
		pos = 0;
		while (rrbuf_next(df->add.p, df->add.len, &pos, &v) == 0)
			added_put(&add, &v);
	}
	/* What is left of the image, then what was added. */
	for (uint32_t i = 0; i < z->hdr->node_count; i++) {
		const struct zone_node *n = zone_node(z, i);
		const struct zone_rrset *rs = zone_rrset_first(z, n);
		for (unsigned k = 0; k < n->nrrsets; k++,
		    rs = zone_rrset_next(rs)) {
			const uint8_t *r = zone_rrset_data(rs);
			for (unsigned m = 0; m < rs->count; m++,
			    r += 2 + get16(r)) {
				if (u32set_has(&deleted, (uint32_t)(r -
				    z->base)))
					continue;
				if (zone_builder_add(zb, zone_node_name(z, n),
				    rs->type, zone_rrset_ttl(rs), r + 2,
				    get16(r), 0) != 0)
					goto built;
			}
		}
	}
	for (uint32_t k = 0; k < add.n; k++) {
		size_t pos = add.off[k];
		if (!add.alive[k] || rrbuf_next(add.rr.p, add.rr.len, &pos,
		    &v) != 0)
			continue;
		if (zone_builder_add(zb, v.owner, v.type, v.ttl, v.rdata,
		    v.rdlen, 0) != 0)
			goto built;
	}
built:
	rc = 0;
out:
	free(deleted.slot);
	free(add.slot);
	free(add.off);
	free(add.alive);
	rrbuf_free(&add.rr);
	free(rr);
	return rc;
}


int
journal_replay(const uint8_t *p, size_t len, const struct zone *z,
    struct zone_builder *zb, uint32_t *to, char *err, size_t errlen)
{
	const uint8_t *origin = z->base + z->hdr->origin;
	struct journal_entry *e;
	struct xfrin x;
	unsigned n, first = 0;

	if (journal_scan(p, len, origin, &e, &n) < 0)
		return 0;	/* not a journal of this zone */
	while (first < n && e[first].from != z->hdr->serial)
		first++;
	memset(&x, 0, sizeof(x));
	x.diffs = xcalloc(n - first + 1, sizeof(*x.diffs));
	for (unsigned i = first; i < n; i++) {
		struct xfrin_diff *d = &x.diffs[x.ndiffs];
		rrbuf_init(&d->del);
		rrbuf_init(&d->add);
		x.ndiffs++;
		if (journal_read_mem(p, len, &e[i], &d->del, &d->add) != 0) {
			x.ndiffs--;
			rrbuf_free(&d->del);
			rrbuf_free(&d->add);
			break;
		}
		d->from = e[i].from;
		d->to = e[i].to;
	}
	free(e);
	int rc = 0;
	if (x.ndiffs > 0) {
		*to = x.diffs[x.ndiffs - 1].to;
		rc = xfrin_apply(&x, z, zb, err, errlen) == 0 ? 1 : -1;
	}
	xfrin_free(&x);
	return rc;
}
