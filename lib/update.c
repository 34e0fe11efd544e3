/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * Dynamic update (RFC 2136; see update.h): each UPDATE message is
 * checked and applied to an overlay that holds the current RRsets of
 * every name the batch touched, over the read-only zone image; names
 * the batch never touched are read from the image. update_finish()
 * then walks the image once to give the new version to the builder
 * and compares each touched name with the image for the difference.
 * Runs in: apex-xferd; fuzzed by regress/fuzz/fuzz_update.c.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dname.h"
#include "error.h"
#include "pkt.h"
#include "rr.h"
#include "update_priv.h"
#include "zone.h"

#define TYPE_WKS	11

uint16_t
ufail(char *why, size_t whylen, uint16_t rcode, const char *fmt, ...)
{
	va_list ap;

	if (why != NULL && whylen > 0) {
		va_start(ap, fmt);
		vsnprintf(why, whylen, fmt, ap);
		va_end(ap);
	}
	return rcode;
}

/* ---- the overlay ---------------------------------------------------- */

static void
uset_free_all(struct uset *s, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		free(s[i].buf);
	free(s);
}

static struct uset *
uset_copy_all(const struct uset *s, unsigned n)
{
	struct uset *c = n ? xcalloc(n, sizeof(*c)) : NULL;

	for (unsigned i = 0; i < n; i++) {
		c[i] = s[i];
		c[i].cap = s[i].len;
		c[i].buf = s[i].len ? xmalloc(s[i].len) : NULL;
		if (s[i].len)
			memcpy(c[i].buf, s[i].buf, s[i].len);
	}
	return c;
}

struct uname *
update_find(const struct update *up, const uint8_t *lname, uint32_t hash)
{
	struct uname *u = up->tab[hash & up->mask];

	for (; u != NULL; u = u->next)
		if (u->hash == hash && dname_equal(u->lname, lname))
			return u;
	return NULL;
}

static void
ov_grow(struct update *up)
{
	uint32_t mask = up->mask * 2 + 1;
	struct uname **tab = xcalloc((size_t)mask + 1, sizeof(*tab));

	for (uint32_t i = 0; i <= up->mask; i++)
		while (up->tab[i] != NULL) {
			struct uname *u = up->tab[i];
			up->tab[i] = u->next;
			u->next = tab[u->hash & mask];
			tab[u->hash & mask] = u;
		}
	free(up->tab);
	up->tab = tab;
	up->mask = mask;
}

static void
ov_unlink(struct update *up, struct uname *u)
{
	struct uname **pp = &up->tab[u->hash & up->mask];

	while (*pp != u)
		pp = &(*pp)->next;
	*pp = u->next;
	up->count--;
}

void
update_image_view(const struct zone_rrset *rs, struct sview *v)
{
	v->type = rs->type;
	v->covered = rs->type == TYPE_RRSIG ? zone_rrsig_covered(rs) : 0;
	v->ttl = zone_rrset_ttl(rs);
	v->count = rs->count;
	v->data = zone_rrset_data(rs);
	v->size = rs->size;
}

/* A new overlay entry for lname, holding what the image has there. */
static struct uname *
ov_create(struct update *up, const uint8_t *lname, uint32_t hash)
{
	struct uname *u = xcalloc(1, sizeof(*u));
	const struct zone *z = up->z;

	memcpy(u->lname, lname, dname_len(lname));
	u->hash = hash;
	u->node = zone_find_node(z, lname, dname_len(lname), hash);
	if (u->node != ZONE_NONE) {
		const struct zone_node *n = zone_node(z, u->node);
		const struct zone_rrset *rs = zone_rrset_first(z, n);
		u->sets = n->nrrsets ? xcalloc(n->nrrsets, sizeof(*u->sets)) :
		    NULL;
		for (unsigned i = 0; i < n->nrrsets; i++,
		    rs = zone_rrset_next(rs)) {
			struct sview v;
			update_image_view(rs, &v);
			struct uset *s = &u->sets[u->nsets++];
			s->type = v.type;
			s->covered = v.covered;
			s->ttl = v.ttl;
			s->count = v.count;
			s->len = s->cap = v.size;
			s->buf = xmalloc(v.size ? v.size : 1);
			memcpy(s->buf, v.data, v.size);
		}
	}
	if (up->count + 1 > (up->mask + 1) / 2 * 3)
		ov_grow(up);
	u->next = up->tab[hash & up->mask];
	up->tab[hash & up->mask] = u;
	up->count++;
	return u;
}

static void
undo_push(struct update *up, struct uname *u, bool created)
{
	if (up->nundo == up->capundo) {
		up->capundo = up->capundo ? up->capundo * 2 : 16;
		up->undo = xreallocarray(up->undo, up->capundo,
		    sizeof(*up->undo));
	}
	struct undo *d = &up->undo[up->nundo++];
	d->u = u;
	d->created = created;
	d->sets = created ? NULL : uset_copy_all(u->sets, u->nsets);
	d->nsets = created ? 0 : u->nsets;
	u->gen = up->gen;
}

/* The overlay entry of a name about to change, saved for undo once
 * per message. */
static struct uname *
touch(struct update *up, const uint8_t *lname, uint32_t hash)
{
	struct uname *u = update_find(up, lname, hash);

	if (u == NULL) {
		u = ov_create(up, lname, hash);
		undo_push(up, u, true);
	} else if (u->gen != up->gen)
		undo_push(up, u, false);
	return u;
}

static void
uname_free(struct uname *u)
{
	uset_free_all(u->sets, u->nsets);
	free(u);
}

/* Ends a message: keeps its changes, or puts every name back. */
static void
undo_end(struct update *up, bool keep)
{
	for (unsigned i = up->nundo; i-- > 0;) {
		struct undo *d = &up->undo[i];
		if (keep) {
			uset_free_all(d->sets, d->nsets);
			continue;
		}
		if (d->created) {
			ov_unlink(up, d->u);
			uname_free(d->u);
			continue;
		}
		uset_free_all(d->u->sets, d->u->nsets);
		d->u->sets = d->sets;
		d->u->nsets = d->nsets;
		d->u->ds_check = false;
	}
	up->nundo = 0;
}

/* ---- reading the current version ------------------------------------ */

/* The RRsets a name has now: the overlay's if it was touched, else the
 * image's. */
struct cur {
	const struct zone	*z;
	const struct uname	*u;
	const struct zone_node	*n;
	const struct zone_rrset	*rs;
	unsigned		 i;
};

static void
cur_init(struct cur *c, const struct update *up, const uint8_t *lname,
    uint32_t hash)
{
	memset(c, 0, sizeof(*c));
	c->z = up->z;
	if ((c->u = update_find(up, lname, hash)) != NULL)
		return;
	uint32_t k = zone_find_node(up->z, lname, dname_len(lname), hash);
	if (k != ZONE_NONE) {
		c->n = zone_node(up->z, k);
		c->rs = zone_rrset_first(up->z, c->n);
	}
}

static bool
cur_next(struct cur *c, struct sview *v)
{
	if (c->u != NULL) {
		if (c->i >= c->u->nsets)
			return false;
		update_uset_view(&c->u->sets[c->i++], v);
		return true;
	}
	if (c->n == NULL || c->i >= c->n->nrrsets)
		return false;
	update_image_view(c->rs, v);
	c->rs = zone_rrset_next(c->rs);
	c->i++;
	return true;
}

/* The RRset of type (for RRSIG: covering covered, or any if 0). */
static bool
cur_find(const struct update *up, const uint8_t *lname, uint32_t hash,
    uint16_t type, uint16_t covered, struct sview *v)
{
	struct cur c;

	cur_init(&c, up, lname, hash);
	while (cur_next(&c, v))
		if (v->type == type && (type != TYPE_RRSIG || covered == 0 ||
		    v->covered == covered))
			return true;
	return false;
}

bool
update_cur_find(const struct update *up, const uint8_t *lname, uint32_t hash,
    uint16_t type, struct sview *v)
{
	return cur_find(up, lname, hash, type, 0, v);
}

/* RFC 2136 2.4.4: a name is in use if it owns at least one RR, so an
 * empty non-terminal is not. */
static bool
name_in_use(const struct update *up, const uint8_t *lname, uint32_t hash)
{
	struct cur c;
	struct sview v;

	cur_init(&c, up, lname, hash);
	return cur_next(&c, &v);
}

/* Whether the RRset holds a record equal to rd in canonical form. */
static bool
sview_has(const struct sview *v, const uint8_t *rd, uint16_t len)
{
	const uint8_t *p = v->data;

	for (uint32_t i = 0; i < v->count; i++, p += 2 + get16(p))
		if (rr_rdata_compare(v->type, p + 2, get16(p), rd, len) == 0)
			return true;
	return false;
}

/* ---- prescan and prerequisites (RFC 2136 3.2, 3.4.1) ---------------- */

static bool
in_zone(const struct update *up, const uint8_t *lname)
{
	return dname_is_subdomain(lname, up->z->origin);
}

static bool
is_apex(const struct update *up, const uint8_t *lname)
{
	return dname_equal(lname, up->z->origin);
}

/*
 * The DNSSEC records a client may not write (BIND refuses them in its
 * prescan): apex cannot sign, so a chain or a signature from a client
 * could only leave the zone half signed.
 */
static const char *
dnssec_refused(uint16_t type)
{
	switch (type) {
	case TYPE_NSEC:
	case TYPE_NSEC3:
	case TYPE_NSEC3PARAM:
	case TYPE_RRSIG:
		return "explicit DNSSEC record updates are not allowed";
	case TYPE_SIG:
		return "SIG updates are not allowed";
	case TYPE_NXT:
		return "NXT updates are not allowed";
	}
	return NULL;
}

/* RFC 2136 3.4.1 (and 3.3: the caller's policy), in BIND's order. */
static uint16_t
prescan(const struct update *up, const struct umsg *m,
    update_allow_fn *allow, void *arg, char *why, size_t wl)
{
	char t[16];

	for (unsigned i = m->npre; i < m->n; i++) {
		const struct mrec *r = &m->rec[i];
		const char *no;
		if (!in_zone(up, r->lname))
			return ufail(why, wl, UPD_NOTZONE, "update record "
			    "outside the zone");
		if (r->rclass == up->rclass) {
			if (rr_type_is_meta(r->type))
				return ufail(why, wl, RCODE_FORMERR,
				    "meta-type %s in an addition",
				    rr_type_str(r->type, t));
		} else if (r->rclass == CLASS_ANY) {
			if (r->ttl != 0 || r->rdlen != 0 ||
			    (rr_type_is_meta(r->type) && r->type != TYPE_ANY))
				return ufail(why, wl, RCODE_FORMERR,
				    "malformed class ANY deletion");
		} else if (r->rclass == CLASS_NONE) {
			if (r->ttl != 0 || rr_type_is_meta(r->type))
				return ufail(why, wl, RCODE_FORMERR,
				    "malformed class NONE deletion");
		} else
			return ufail(why, wl, RCODE_FORMERR, "update record of "
			    "class %u", r->rclass);
		if ((no = dnssec_refused(r->type)) != NULL)
			return ufail(why, wl, RCODE_REFUSED, "%s", no);
		if (up->policy && (r->type == TYPE_DNSKEY ||
		    r->type == TYPE_CDS || r->type == TYPE_CDNSKEY))
			return ufail(why, wl, RCODE_REFUSED, "%s records are "
			    "managed by the zone's dnssec-policy",
			    rr_type_str(r->type, t));
		if (allow != NULL && !allow(arg, r->owner, r->type))
			return ufail(why, wl, RCODE_REFUSED, "update of %s "
			    "denied by policy", rr_type_str(r->type, t));
	}
	return RCODE_NOERROR;
}

static int
mrec_cmp(const struct mrec *a, const struct mrec *b)
{
	int d = dname_compare(a->lname, b->lname);

	if (d != 0)
		return d;
	if (a->type != b->type)
		return a->type < b->type ? -1 : 1;
	return rr_rdata_compare(a->type, a->rdata, a->rdlen, b->rdata,
	    b->rdlen);
}

static int
mrec_qsort(const void *a, const void *b)
{
	return mrec_cmp(*(const struct mrec *const *)a,
	    *(const struct mrec *const *)b);
}

/*
 * RFC 2136 3.2.3: each RRset named by value-dependent prerequisites
 * must equal, as a set, the records given. As in BIND, both sides are
 * compared sorted, so a record given twice fails the test.
 */
static bool
check_values(const struct update *up, const struct mrec **v, unsigned n)
{
	qsort(v, n, sizeof(*v), mrec_qsort);
	for (unsigned i = 0; i < n;) {
		unsigned e = i + 1;
		while (e < n && v[e]->type == v[i]->type &&
		    dname_equal(v[e]->lname, v[i]->lname))
			e++;
		struct sview s;
		if (v[i]->type == TYPE_ANY || !cur_find(up, v[i]->lname,
		    v[i]->hash, v[i]->type, v[i]->covered, &s) ||
		    s.count != e - i)
			return false;
		for (unsigned k = i; k < e; k++) {
			const struct mrec *x = v[k], *y = v[k > i ? k - 1 : k];
			if ((k > i && rr_rdata_compare(x->type, x->rdata,
			    x->rdlen, y->rdata, y->rdlen) == 0) ||
			    !sview_has(&s, x->rdata, x->rdlen))
				return false;
		}
		i = e;
	}
	return true;
}

/* One prerequisite of class ANY or NONE (RFC 2136 2.4.1, 2.4.3-5). */
static uint16_t
check_exists(const struct update *up, const struct mrec *r, char *why,
    size_t wl)
{
	char t[16];
	struct sview s;
	bool any = r->rclass == CLASS_ANY;

	if (r->type == TYPE_ANY) {
		bool used = name_in_use(up, r->lname, r->hash);
		if (any && !used)
			return ufail(why, wl, RCODE_NXDOMAIN, "'name in use' "
			    "prerequisite not satisfied");
		if (!any && used)
			return ufail(why, wl, UPD_YXDOMAIN, "'name not in use' "
			    "prerequisite not satisfied");
		return RCODE_NOERROR;
	}
	bool has = cur_find(up, r->lname, r->hash, r->type, 0, &s);
	if (any && !has)
		return ufail(why, wl, UPD_NXRRSET, "'RRset exists' "
		    "prerequisite for %s not satisfied",
		    rr_type_str(r->type, t));
	if (!any && has)
		return ufail(why, wl, UPD_YXRRSET, "'RRset does not exist' "
		    "prerequisite for %s not satisfied",
		    rr_type_str(r->type, t));
	return RCODE_NOERROR;
}

/* RFC 2136 3.2, in order; the value-dependent ones last, together. */
static uint16_t
prerequisites(const struct update *up, const struct umsg *m, char *why,
    size_t wl)
{
	const struct mrec **v = xreallocarray(NULL, m->npre + 1, sizeof(*v));
	unsigned nv = 0;
	uint16_t rc = RCODE_NOERROR;

	for (unsigned i = 0; rc == RCODE_NOERROR && i < m->npre; i++) {
		const struct mrec *r = &m->rec[i];
		if (r->ttl != 0)
			rc = ufail(why, wl, RCODE_FORMERR, "prerequisite TTL "
			    "is not zero");
		else if (!in_zone(up, r->lname))
			rc = ufail(why, wl, UPD_NOTZONE, "prerequisite name "
			    "outside the zone");
		else if (r->rclass == CLASS_ANY || r->rclass == CLASS_NONE)
			rc = check_exists(up, r, why, wl);
		else if (r->rclass == up->rclass)
			v[nv++] = r;
		else
			rc = ufail(why, wl, RCODE_FORMERR, "prerequisite of "
			    "class %u", r->rclass);
	}
	if (rc == RCODE_NOERROR && nv > 0 && !check_values(up, v, nv))
		rc = ufail(why, wl, UPD_NXRRSET, "'RRset exists (value "
		    "dependent)' prerequisite not satisfied");
	free(v);
	return rc;
}

/* ---- applying the updates (RFC 2136 3.4.2) -------------------------- */

static struct uset *
uset_get(struct uname *u, uint16_t type, uint16_t covered, bool create)
{
	for (unsigned i = 0; i < u->nsets; i++)
		if (u->sets[i].type == type && u->sets[i].covered == covered)
			return &u->sets[i];
	if (!create)
		return NULL;
	u->sets = xreallocarray(u->sets, u->nsets + 1, sizeof(*u->sets));
	struct uset *s = &u->sets[u->nsets++];
	memset(s, 0, sizeof(*s));
	s->type = type;
	s->covered = covered;
	return s;
}

/* Drops the RRset at index i of u (it became empty or was deleted). */
static void
uset_drop(struct uname *u, unsigned i)
{
	free(u->sets[i].buf);
	memmove(&u->sets[i], &u->sets[i + 1], (u->nsets - i - 1) *
	    sizeof(*u->sets));
	u->nsets--;
}

static void
uset_drop_empty(struct uname *u)
{
	for (unsigned i = u->nsets; i-- > 0;)
		if (u->sets[i].count == 0)
			uset_drop(u, i);
}

/* Inserts a record in canonical order; false if an equal one is there. */
static bool
uset_insert(struct uset *s, const uint8_t *rd, uint16_t len)
{
	size_t at = 0;

	for (uint32_t i = 0; i < s->count; i++) {
		int d = rr_rdata_compare(s->type, s->buf + at + 2,
		    get16(s->buf + at), rd, len);
		if (d == 0)
			return false;
		if (d > 0)
			break;
		at += 2 + get16(s->buf + at);
	}
	if (s->len + 2 + len > s->cap) {
		s->cap = s->cap ? s->cap * 2 : 256;
		while (s->cap < s->len + 2 + len)
			s->cap *= 2;
		s->buf = xrealloc(s->buf, s->cap);
	}
	memmove(s->buf + at + 2 + len, s->buf + at, s->len - at);
	put16(s->buf + at, len);
	memcpy(s->buf + at + 2, rd, len);
	s->len += 2 + len;
	s->count++;
	return true;
}

/* Deletes the records for which match() holds; returns how many. */
static unsigned
uset_delete_if(struct uset *s, const struct mrec *r,
    bool (*match)(const struct uset *, const uint8_t *, uint16_t,
    const struct mrec *))
{
	size_t at = 0;
	unsigned n = 0;

	while (at < s->len) {
		uint16_t l = get16(s->buf + at);
		if (!match(s, s->buf + at + 2, l, r)) {
			at += 2 + l;
			continue;
		}
		memmove(s->buf + at, s->buf + at + 2 + l, s->len - at - 2 - l);
		s->len -= 2 + (size_t)l;
		s->count--;
		n++;
	}
	return n;
}

static bool
match_equal(const struct uset *s, const uint8_t *rd, uint16_t len,
    const struct mrec *r)
{
	return rr_rdata_compare(s->type, rd, len, r->rdata, r->rdlen) == 0;
}

/* RFC 2136 1.1.1 and BIND: an added CNAME, DNAME or SOA replaces the
 * one there, a WKS the one with the same address and protocol. */
static bool
match_replaced(const struct uset *s, const uint8_t *rd, uint16_t len,
    const struct mrec *r)
{
	if (s->type == TYPE_CNAME || s->type == TYPE_DNAME ||
	    s->type == TYPE_SOA)
		return true;
	return s->type == TYPE_WKS && len >= 5 && r->rdlen >= 5 &&
	    memcmp(rd, r->rdata, 5) == 0;
}

/* Types that may share a name with a CNAME (BIND's "atcname"). */
static bool
at_cname(uint16_t type)
{
	return type == TYPE_NSEC || type == TYPE_RRSIG || type == TYPE_KEY;
}

/*
 * Whether an addition is ignored, as BIND ignores it (RFC 2136 3.4.2.2
 * and 3.4.2.3 leave CNAME conflicts and SOA serials to the server).
 */
static bool
add_ignored(struct update *up, const struct mrec *r)
{
	struct cur c;
	struct sview v;
	bool cname = false, other = false, soa = false;

	if (r->type == TYPE_MD || r->type == TYPE_MF)
		return true;	/* RFC 1123 5.2.2 and BIND */
	if ((r->type == TYPE_NS || r->type == TYPE_DNAME) &&
	    r->lname[0] == 1 && r->lname[1] == '*')
		return true;
	if (r->type == TYPE_DS && is_apex(up, r->lname))
		return true;	/* a parent-side type: never at the apex */
	cur_init(&c, up, r->lname, r->hash);
	while (cur_next(&c, &v)) {
		cname |= v.type == TYPE_CNAME;
		other |= v.type != TYPE_CNAME && !at_cname(v.type);
		soa |= v.type == TYPE_SOA;
	}
	if (r->type == TYPE_CNAME ? other : cname && !at_cname(r->type))
		return true;
	if (r->type == TYPE_SOA) {
		/* RFC 2136 3.4.2.2: only a higher serial replaces it, and
		 * only at the apex (no second SOA). */
		struct sview s;
		if (!soa || !cur_find(up, up->z->origin, dname_hash(
		    up->z->origin), TYPE_SOA, 0, &s) || s.count < 1 ||
		    !rr_serial_gt(rr_soa_serial(r->rdata, r->rdlen),
		    rr_soa_serial(s.data + 2, get16(s.data))))
			return true;
	}
	return false;
}

/* RFC 2136 3.4.2.2: add to an RRset; a new TTL applies to all of it. */
static void
do_add(struct update *up, const struct mrec *r)
{
	struct uname *u = touch(up, r->lname, r->hash);
	struct uset *s = uset_get(u, r->type, r->covered, false);

	if (s != NULL) {
		struct sview v = { s->type, s->covered, s->ttl, s->count,
		    s->buf, s->len };
		if (s->ttl == r->ttl && sview_has(&v, r->rdata, r->rdlen))
			return;	/* a duplicate: ignored */
		/* The record itself goes too when only its TTL differs: it
		 * comes back below with the new one (BIND). */
		unsigned gone = uset_delete_if(s, r, match_replaced);
		gone += uset_delete_if(s, r, match_equal);
		if (gone > 0 || s->ttl != r->ttl)
			up->mchanged = true;
		if (s->count >= ZONE_RRSET_MAX)
			return;	/* the image cannot hold more */
	} else {
		if (u->nsets >= UINT16_MAX)
			return;
		s = uset_get(u, r->type, r->covered, true);
	}
	s->ttl = r->ttl;
	if (uset_insert(s, r->rdata, r->rdlen))
		up->mchanged = true;
	if (r->type == TYPE_SOA)
		up->soa_raised = true;
	if (r->type == TYPE_DS)
		u->ds_check = true;
	if (r->type == TYPE_NS)
		update_ns_note(up, u->lname, r->rdata, r->rdlen);
}

/* Types that deleting all RRsets of a name keeps (BIND): the apex's
 * SOA and NS (RFC 2136 3.4.2.3) and the DNSSEC records apex cannot
 * make again. */
static bool
kept_by_delete_all(uint16_t type, bool apex)
{
	if (type == TYPE_RRSIG || type == TYPE_NSEC)
		return true;
	return apex && (type == TYPE_SOA || type == TYPE_NS ||
	    type == TYPE_NSEC3PARAM);
}

/* RFC 2136 3.4.2.3: class ANY deletes an RRset, or with type ANY every
 * RRset of the name. */
static void
do_delete_rrsets(struct update *up, const struct mrec *r)
{
	bool apex = is_apex(up, r->lname);

	if (apex && (r->type == TYPE_SOA || r->type == TYPE_NS))
		return;
	if (!name_in_use(up, r->lname, r->hash))
		return;
	struct uname *u = touch(up, r->lname, r->hash);
	for (unsigned i = u->nsets; i-- > 0;) {
		uint16_t t = u->sets[i].type;
		if (r->type == TYPE_ANY ? kept_by_delete_all(t, apex) :
		    t != r->type)
			continue;
		if (t == TYPE_NS)
			u->ds_check = true;
		uset_drop(u, i);
		up->mchanged = true;
	}
}

/* RFC 2136 3.4.2.4: class NONE deletes one record; never the SOA or
 * the apex's last NS. */
static void
do_delete_rr(struct update *up, const struct mrec *r)
{
	struct sview v;

	if (!cur_find(up, r->lname, r->hash, r->type, r->covered, &v) ||
	    !sview_has(&v, r->rdata, r->rdlen))
		return;
	if (is_apex(up, r->lname) && (r->type == TYPE_SOA ||
	    (r->type == TYPE_NS && v.count == 1)))
		return;
	struct uname *u = touch(up, r->lname, r->hash);
	struct uset *s = uset_get(u, r->type, r->covered, false);
	if (s != NULL && uset_delete_if(s, r, match_equal) > 0) {
		up->mchanged = true;
		if (r->type == TYPE_NS)
			u->ds_check = true;
		uset_drop_empty(u);
	}
}

static void
apply_updates(struct update *up, const struct umsg *m)
{
	for (unsigned i = m->npre; i < m->n; i++) {
		const struct mrec *r = &m->rec[i];
		if (r->rclass == CLASS_ANY)
			do_delete_rrsets(up, r);
		else if (r->rclass == CLASS_NONE)
			do_delete_rr(up, r);
		else if (!add_ignored(up, r))
			do_add(up, r);
	}
}

/*
 * After the updates: the name servers must keep their addresses (see
 * update_ns.c), and a DS its delegation.
 */
static uint16_t
post_checks(struct update *up, char *why, size_t wl)
{
	const uint8_t *o = up->z->origin;

	/* BIND's post-update check of the apex's name servers. */
	if (!update_ns_targets_ok(up, o, dname_hash(o)))
		return ufail(why, wl, RCODE_REFUSED, "an NS of the apex has no "
		    "address records");
	for (unsigned i = 0; i < up->nundo; i++) {
		struct uname *u = up->undo[i].u;
		/* The name and its ancestors: the delegations whose glue
		 * it may be. */
		for (const uint8_t *p = u->lname; !is_apex(up, p);
		    p += 1 + p[0])
			if (!update_ns_targets_ok(up, p, dname_hash(p)))
				return ufail(why, wl, RCODE_REFUSED, "an NS of "
				    "a delegation has no address records");
		if (!update_ns_glue_ok(up, &up->undo[i]))
			return ufail(why, wl, RCODE_REFUSED, "a name server "
			    "would lose its addresses");
		/* RFC 4035 2.4: a DS only at a delegation (BIND removes
		 * orphaned ones). */
		if (u->ds_check && !is_apex(up, u->lname) &&
		    uset_get(u, TYPE_NS, 0, false) == NULL) {
			for (unsigned k = u->nsets; k-- > 0;)
				if (u->sets[k].type == TYPE_DS)
					uset_drop(u, k);
		}
		u->ds_check = false;
	}
	return RCODE_NOERROR;
}

uint16_t
update_apply(struct update *up, const uint8_t *msg, size_t len,
    update_allow_fn *allow, void *arg, char *why, size_t whylen)
{
	struct umsg m;
	bool soa_raised = up->soa_raised;
	uint16_t rc;

	memset(&m, 0, sizeof(m));
	if (why != NULL && whylen > 0)
		why[0] = '\0';
	rc = update_read_msg(up, &m, msg, len, why, whylen);
	if (rc != RCODE_NOERROR)
		goto out;
	if (up->is_signed && !up->policy) {
		rc = ufail(why, whylen, RCODE_REFUSED, "a zone signed "
		    "elsewhere cannot be updated (with a dnssec-policy apex "
		    "signs it, and it can)");
		goto out;
	}
	/* BIND's order: the prescan before the prerequisites. */
	if ((rc = prescan(up, &m, allow, arg, why, whylen)) != RCODE_NOERROR ||
	    (rc = prerequisites(up, &m, why, whylen)) != RCODE_NOERROR)
		goto out;
	up->gen++;
	up->mchanged = false;
	apply_updates(up, &m);
	if (up->mchanged)
		rc = post_checks(up, why, whylen);
	if (rc == RCODE_NOERROR && up->mchanged)
		up->changed = true;
	if (rc != RCODE_NOERROR)
		up->soa_raised = soa_raised;
	undo_end(up, rc == RCODE_NOERROR);
out:
	update_msg_free(&m);
	return rc;
}

bool
update_changed(const struct update *up)
{
	return up->changed;
}

/* RFC 4035: an image with keys and signatures is signed. */
static bool
image_is_signed(const struct zone *z)
{
	const struct zone_node *apex = zone_node(z, 0);

	return zone_find_rrset(z, apex, TYPE_DNSKEY) != NULL &&
	    (z->dnodes != NULL || zone_find_rrset(z, apex, TYPE_RRSIG) !=
	    NULL);
}

struct update *
update_begin(const struct zone *z)
{
	struct update *up = xcalloc(1, sizeof(*up));

	up->z = z;
	up->rclass = (uint16_t)z->hdr->rclass;
	up->is_signed = image_is_signed(z);
	up->mask = 63;
	up->tab = xcalloc(up->mask + 1, sizeof(*up->tab));
	return up;
}

void
update_set_policy(struct update *up)
{
	up->policy = true;
}

void
update_free(struct update *up)
{
	if (up == NULL)
		return;
	for (uint32_t i = 0; i <= up->mask; i++)
		while (up->tab[i] != NULL) {
			struct uname *u = up->tab[i];
			up->tab[i] = u->next;
			uname_free(u);
		}
	free(up->tab);
	free(up->undo);
	update_ns_free(up);
	free(up);
}
