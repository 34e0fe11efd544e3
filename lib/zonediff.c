/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * Differences between two zone images (see zonediff.h): a merge walk
 * over names, then types, then records, all in canonical order.
 * Runs in: apex-xferd, the tests.
 */
#include <string.h>

#include "dname.h"
#include "error.h"
#include "rr.h"
#include "zonediff.h"

/* Every record of an RRset into out. */
static void
put_rrset(struct rrbuf *out, const uint8_t *owner,
    const struct zone_rrset *rs)
{
	const uint8_t *r = zone_rrset_data(rs);

	for (unsigned i = 0; i < rs->count; i++) {
		rrbuf_add_wire(out, owner, rs->wire, r);
		r += 2 + get16(r);
	}
}

static void
put_node(struct rrbuf *out, const struct zone *z, const struct zone_node *n)
{
	const struct zone_rrset *rs = zone_rrset_first(z, n);

	for (unsigned i = 0; i < n->nrrsets; i++, rs = zone_rrset_next(rs))
		if (rs->type != TYPE_SOA)
			put_rrset(out, zone_node_name(z, n), rs);
}

/* Two RRsets of one type at one name. */
static void
diff_rrset(const uint8_t *owner, const struct zone_rrset *a,
    const struct zone_rrset *b, struct rrbuf *del, struct rrbuf *add)
{
	if (memcmp(a->wire, b->wire, 8) != 0) {
		put_rrset(del, owner, a);
		put_rrset(add, owner, b);
		return;
	}
	const uint8_t *ra = zone_rrset_data(a), *rb = zone_rrset_data(b);
	unsigned i = 0, k = 0;
	while (i < a->count || k < b->count) {
		int d;
		if (i == a->count)
			d = 1;
		else if (k == b->count)
			d = -1;
		else
			d = rr_rdata_compare(a->type, ra + 2, get16(ra), rb + 2,
			    get16(rb));
		/* Equal in canonical form but not in octets (the case of
		 * a name changed): replaced, so secondaries see it too. */
		if (d == 0 && (get16(ra) != get16(rb) ||
		    memcmp(ra + 2, rb + 2, get16(ra)) != 0)) {
			rrbuf_add_wire(del, owner, a->wire, ra);
			rrbuf_add_wire(add, owner, b->wire, rb);
		}
		if (d <= 0 && i < a->count) {
			if (d < 0)
				rrbuf_add_wire(del, owner, a->wire, ra);
			ra += 2 + get16(ra);
			i++;
		}
		if (d >= 0 && k < b->count) {
			if (d > 0)
				rrbuf_add_wire(add, owner, b->wire, rb);
			rb += 2 + get16(rb);
			k++;
		}
	}
}

/*
 * The position of an RRset in its node's order (zone.h): each type,
 * the RRSIGs covering it right after, then RRSIGs of absent types.
 * attached: the RRset before it carries the sigs bit.
 */
static uint32_t
rrset_key(const struct zone_rrset *rs, bool attached)
{
	if (rs->type != TYPE_RRSIG)
		return (uint32_t)rs->type << 1;
	if (attached)
		return (uint32_t)zone_rrsig_covered(rs) << 1 | 1;
	return 0x20000u | zone_rrsig_covered(rs);
}

/* Two versions of one name. */
static void
diff_node(const struct zone *za, const struct zone_node *na,
    const struct zone *zb, const struct zone_node *nb, struct rrbuf *del,
    struct rrbuf *add)
{
	const uint8_t *owner = zone_node_name(zb, nb);
	const struct zone_rrset *a = zone_rrset_first(za, na);
	const struct zone_rrset *b = zone_rrset_first(zb, nb);
	unsigned i = 0, k = 0;
	bool sa = false, sb = false;	/* the RRset before had sigs */

	while (i < na->nrrsets || k < nb->nrrsets) {
		int d;
		if (i == na->nrrsets)
			d = 1;
		else if (k == nb->nrrsets)
			d = -1;
		else {
			uint32_t ka = rrset_key(a, sa), kb = rrset_key(b, sb);
			d = ka < kb ? -1 : ka > kb;
		}
		if (d == 0 && a->type != TYPE_SOA)
			diff_rrset(owner, a, b, del, add);
		else if (d < 0 && a->type != TYPE_SOA)
			put_rrset(del, owner, a);
		else if (d > 0 && b->type != TYPE_SOA)
			put_rrset(add, owner, b);
		if (d <= 0) {
			sa = a->sigs;
			a = zone_rrset_next(a);
			i++;
		}
		if (d >= 0) {
			sb = b->sigs;
			b = zone_rrset_next(b);
			k++;
		}
	}
}

int
zone_diff(const struct zone *za, const struct zone *zb, struct rrbuf *del,
    struct rrbuf *add)
{
	const struct zone_rrset *sa = zone_soa(za), *sb = zone_soa(zb);

	if (sa == NULL || sb == NULL || sa->count != 1 || sb->count != 1)
		return APEX_EZONE;
	put_rrset(del, za->origin, sa);
	put_rrset(add, zb->origin, sb);
	uint32_t i = 0, k = 0, na = za->hdr->node_count,
	    nb = zb->hdr->node_count;
	while (i < na || k < nb) {
		const struct zone_node *a = i < na ? zone_node(za, i) : NULL;
		const struct zone_node *b = k < nb ? zone_node(zb, k) : NULL;
		int d;
		if (a == NULL)
			d = 1;
		else if (b == NULL)
			d = -1;
		else
			d = dname_compare(zone_node_name(za, a),
			    zone_node_name(zb, b));
		if (d == 0)
			diff_node(za, a, zb, b, del, add);
		else if (d < 0)
			put_node(del, za, a);
		else
			put_node(add, zb, b);
		if (d <= 0)
			i++;
		if (d >= 0)
			k++;
	}
	return 0;
}
