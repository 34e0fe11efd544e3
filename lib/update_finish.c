/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * The end of an update batch (see update.h): the new serial by the
 * zone's serial-update-method, the difference from the image to the
 * new version as IXFR carries it, and the new version for the zone
 * builder, in one pass over the image plus the names the batch touched.
 * Runs in: apex-xferd; fuzzed by regress/fuzz/fuzz_update.c.
 */
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dname.h"
#include "error.h"
#include "rr.h"
#include "update_priv.h"
#include "zone.h"

/*
 * BIND's dns_update_soaserial(): increment is serial + 1 and never 0
 * (RFC 1982); unixtime and date (YYYYMMDD00) are used only when higher
 * than the serial (RFC 1982 3.2), else the serial is incremented. The
 * date is taken in UTC, where BIND takes the local time zone.
 */
uint32_t
update_next_serial(uint32_t serial, enum serial_method method, uint64_t now)
{
	uint32_t inc = serial + 1 == 0 ? 1 : serial + 1, v;
	time_t t = (time_t)now;
	struct tm tm;

	switch (method) {
	case SERIAL_UNIXTIME:
		v = (uint32_t)now;
		break;
	case SERIAL_DATE:
		if (gmtime_r(&t, &tm) == NULL)
			return inc;
		v = (uint32_t)((tm.tm_year + 1900) * 10000 +
		    (tm.tm_mon + 1) * 100 + tm.tm_mday) * 100u;
		break;
	default:
		return inc;
	}
	return v != 0 && rr_serial_gt(v, serial) ? v : inc;
}

/* Every record of an RRset into out. */
static void
put_set(struct rrbuf *out, const uint8_t *owner, uint16_t rclass,
    const struct sview *s)
{
	const uint8_t *p = s->data;

	for (uint32_t i = 0; i < s->count; i++, p += 2 + get16(p))
		rrbuf_add(out, owner, s->type, rclass, s->ttl, p + 2, get16(p));
}

/* Two versions of one RRset, both in canonical order: a merge, as in
 * zonediff.c; a TTL that changed replaces the whole RRset. */
static void
diff_set(const uint8_t *owner, uint16_t rclass, const struct sview *a,
    const struct sview *b, struct rrbuf *del, struct rrbuf *add)
{
	if (a->ttl != b->ttl) {
		put_set(del, owner, rclass, a);
		put_set(add, owner, rclass, b);
		return;
	}
	const uint8_t *pa = a->data, *pb = b->data;
	uint32_t i = 0, k = 0;
	while (i < a->count || k < b->count) {
		int d = i == a->count ? 1 : k == b->count ? -1 :
		    rr_rdata_compare(a->type, pa + 2, get16(pa), pb + 2,
		    get16(pb));
		/* Equal in canonical form, not in octets: replaced. */
		bool same = d == 0 && get16(pa) == get16(pb) &&
		    memcmp(pa + 2, pb + 2, get16(pa)) == 0;
		if (d < 0 || (d == 0 && !same))
			rrbuf_add(del, owner, a->type, rclass, a->ttl, pa + 2,
			    get16(pa));
		if (d > 0 || (d == 0 && !same))
			rrbuf_add(add, owner, b->type, rclass, b->ttl, pb + 2,
			    get16(pb));
		if (d <= 0) {
			pa += 2 + get16(pa);
			i++;
		}
		if (d >= 0) {
			pb += 2 + get16(pb);
			k++;
		}
	}
}

void
update_uset_view(const struct uset *s, struct sview *v)
{
	v->type = s->type;
	v->covered = s->covered;
	v->ttl = s->ttl;
	v->count = s->count;
	v->data = s->buf;
	v->size = s->len;
}

/* The difference at one touched name, the SOA left out (it heads the
 * lists instead). */
static void
diff_name(const struct update *up, const struct uname *u, struct rrbuf *del,
    struct rrbuf *add)
{
	const struct zone *z = up->z;
	struct sview a, b;
	bool *seen = xcalloc(u->nsets + 1, sizeof(*seen));

	if (u->node != ZONE_NONE) {
		const struct zone_node *n = zone_node(z, u->node);
		const struct zone_rrset *rs = zone_rrset_first(z, n);
		for (unsigned i = 0; i < n->nrrsets; i++,
		    rs = zone_rrset_next(rs)) {
			update_image_view(rs, &a);
			if (a.type == TYPE_SOA)
				continue;
			unsigned k;
			for (k = 0; k < u->nsets; k++)
				if (u->sets[k].type == a.type &&
				    u->sets[k].covered == a.covered)
					break;
			if (k == u->nsets) {
				put_set(del, u->lname, up->rclass, &a);
				continue;
			}
			seen[k] = true;
			update_uset_view(&u->sets[k], &b);
			diff_set(u->lname, up->rclass, &a, &b, del, add);
		}
	}
	for (unsigned k = 0; k < u->nsets; k++)
		if (!seen[k] && u->sets[k].type != TYPE_SOA) {
			update_uset_view(&u->sets[k], &b);
			put_set(add, u->lname, up->rclass, &b);
		}
	free(seen);
}

static int
uname_qsort(const void *a, const void *b)
{
	return dname_compare((*(const struct uname *const *)a)->lname,
	    (*(const struct uname *const *)b)->lname);
}

/* The touched names in canonical order, so the difference is too. */
static struct uname **
sorted_names(const struct update *up)
{
	struct uname **v = xreallocarray(NULL, up->count + 1, sizeof(*v));
	uint32_t n = 0;

	for (uint32_t i = 0; i <= up->mask; i++)
		for (struct uname *u = up->tab[i]; u != NULL; u = u->next)
			v[n++] = u;
	qsort(v, n, sizeof(*v), uname_qsort);
	return v;
}

static int
add_set(struct zone_builder *zb, const uint8_t *owner, const struct sview *s,
    const uint8_t *soa, uint16_t soalen)
{
	const uint8_t *p = s->data;
	int rc;

	if (s->type == TYPE_SOA)
		return zone_builder_add(zb, owner, TYPE_SOA, s->ttl, soa,
		    soalen, 0);
	for (uint32_t i = 0; i < s->count; i++, p += 2 + get16(p))
		if ((rc = zone_builder_add(zb, owner, s->type, s->ttl, p + 2,
		    get16(p), 0)) != 0)
			return rc;
	return 0;
}

static int
add_uname(struct zone_builder *zb, const struct uname *u, const uint8_t *soa,
    uint16_t soalen)
{
	struct sview v;
	int rc;

	for (unsigned k = 0; k < u->nsets; k++) {
		update_uset_view(&u->sets[k], &v);
		if ((rc = add_set(zb, u->lname, &v, soa, soalen)) != 0)
			return rc;
	}
	return 0;
}

/* Every record of the new version: the image's names as they are now,
 * then the names the batch created. */
static int
build(const struct update *up, struct zone_builder *zb, const uint8_t *soa,
    uint16_t soalen)
{
	const struct zone *z = up->z;
	struct sview v;
	int rc;

	for (uint32_t i = 0; i < z->hdr->node_count; i++) {
		const struct zone_node *n = zone_node(z, i);
		const uint8_t *name = zone_node_name(z, n);
		const struct uname *u = update_find(up, name, n->hash);
		if (u != NULL) {
			if ((rc = add_uname(zb, u, soa, soalen)) != 0)
				return rc;
			continue;
		}
		const struct zone_rrset *rs = zone_rrset_first(z, n);
		for (unsigned k = 0; k < n->nrrsets; k++,
		    rs = zone_rrset_next(rs)) {
			update_image_view(rs, &v);
			if ((rc = add_set(zb, name, &v, soa, soalen)) != 0)
				return rc;
		}
	}
	for (uint32_t i = 0; i <= up->mask; i++)
		for (const struct uname *u = up->tab[i]; u; u = u->next)
			if (u->node == ZONE_NONE &&
			    (rc = add_uname(zb, u, soa, soalen)) != 0)
				return rc;
	return 0;
}

int
update_finish(struct update *up, enum serial_method method, uint64_t now,
    uint32_t *serial, struct rrbuf *del, struct rrbuf *add,
    struct zone_builder *zb)
{
	const struct zone *z = up->z;
	const uint8_t *o = z->origin;
	const struct zone_rrset *old = zone_soa(z);
	struct sview a, b;
	uint8_t soa[2 * DNAME_MAXLEN + 20];

	if (old == NULL || old->count != 1 ||
	    !update_cur_find(up, o, dname_hash(o), TYPE_SOA, &b) ||
	    b.count != 1 || get16(b.data) > sizeof(soa) ||
	    get16(b.data) < 20)
		return APEX_EZONE;
	update_image_view(old, &a);
	uint16_t soalen = get16(b.data);
	memcpy(soa, b.data + 2, soalen);
	uint32_t cur = rr_soa_serial(soa, soalen);
	*serial = up->soa_raised ? cur : update_next_serial(cur, method, now);
	put32(soa + soalen - 20, *serial);
	put_set(del, o, up->rclass, &a);
	rrbuf_add(add, o, TYPE_SOA, up->rclass, b.ttl, soa, soalen);
	struct uname **v = sorted_names(up);
	for (uint32_t i = 0; i < up->count; i++)
		diff_name(up, v[i], del, add);
	free(v);
	return build(up, zb, soa, soalen);
}
