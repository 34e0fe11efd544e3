/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * The denial-of-existence index of a signed zone image (see zone.h):
 * the chain the zone answers with, the NSEC3 hash of every name and of
 * the wildcard below it, and the lookups answers use.
 * Runs in: loader and apex-named -C (index), workers (lookups).
 *
 * The index is computed once, after the image is laid out, from the
 * image itself: the NSEC3 chain in use is the one matching the apex
 * NSEC3PARAM (RFC 5155 7.2: a zone may hold a second chain while it
 * changes parameters), and every name's proof is found here so that a
 * worker hashes at most the one name a query brings (the next closer
 * name of RFC 5155 7.2.1).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dname.h"
#include "error.h"
#include "nsec3.h"
#include "rr.h"
#include "zone.h"

struct n3param {
	uint8_t		alg;
	uint16_t	iterations;
	uint8_t		saltlen;
	const uint8_t	*salt;
};

/* Parses NSEC3 or NSEC3PARAM RDATA (they begin alike). */
static bool
n3param_parse(const uint8_t *rd, size_t len, struct n3param *p)
{
	if (len < 5 || len < 5u + rd[4])
		return false;
	p->alg = rd[0];
	p->iterations = get16(rd + 2);
	p->saltlen = rd[4];
	p->salt = rd + 5;
	return true;
}

static bool
n3param_same(const struct n3param *a, const struct n3param *b)
{
	return a->alg == b->alg && a->iterations == b->iterations &&
	    a->saltlen == b->saltlen &&
	    memcmp(a->salt, b->salt, a->saltlen) == 0;
}

static void PRINTF(5, 6)
report(zone_report_fn *fn, void *arg, uint32_t tag, bool error,
    const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (fn == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fn(arg, tag, error, msg);
}

/* Whether node n holds nothing but NSEC3 records and their RRSIGs. */
static bool
only_nsec3(const struct zone *z, const struct zone_node *n)
{
	const struct zone_rrset *rs = zone_rrset_first(z, n);
	bool any = false;

	for (unsigned i = 0; i < n->nrrsets; i++, rs = zone_rrset_next(rs)) {
		if (rs->type == TYPE_NSEC3)
			any = true;
		else if (rs->type != TYPE_RRSIG ||
		    zone_rrsig_covered(rs) != TYPE_NSEC3)
			return false;
	}
	return any;
}

/* The hash an NSEC3 owner's first label spells, if its record is of
 * the chain p. */
static bool
n3_owner_hash(const struct zone *z, const struct zone_node *n,
    const struct n3param *p, uint8_t hash[NSEC3_HASHLEN])
{
	const struct zone_rrset *rs = zone_find_rrset(z, n, TYPE_NSEC3);
	const uint8_t *name = zone_node_name(z, n);
	struct n3param q;

	if (rs == NULL || n->labels != z->hdr->origin_labels + 1)
		return false;
	const uint8_t *d = zone_rrset_data(rs);
	for (unsigned i = 0; i < rs->count; i++, d += 2 + get16(d))
		if (n3param_parse(d + 2, get16(d), &q) && n3param_same(&q, p))
			return base32hex_decode(name + 1, name[0], hash,
			    NSEC3_HASHLEN) == NSEC3_HASHLEN;
	return false;
}

static int
cmp_n3(const void *a, const void *b)
{
	return memcmp(((const struct zone_n3 *)a)->hash,
	    ((const struct zone_n3 *)b)->hash, NSEC3_HASHLEN);
}

/*
 * The NSEC3PARAM the zone answers with: the first with the SHA-1
 * algorithm and no flags (RFC 5155 4.1.2), as BIND picks it.
 */
static bool
zone_n3param(const struct zone *z, struct n3param *p, uint32_t tag,
    zone_report_fn *fn, void *arg, int *rc)
{
	const struct zone_rrset *rs = zone_find_rrset(z, zone_node(z, 0),
	    TYPE_NSEC3PARAM);
	char name[DNAME_STRLEN];

	if (rs == NULL)
		return false;
	dname_to_str(z->origin, name, sizeof(name));
	const uint8_t *d = zone_rrset_data(rs);
	for (unsigned i = 0; i < rs->count; i++, d += 2 + get16(d)) {
		if (!n3param_parse(d + 2, get16(d), p) ||
		    p->alg != NSEC3_HASH_SHA1 || d[3] != 0)
			continue;
		if (p->iterations > NSEC3_MAX_ITER) {
			report(fn, arg, tag, true, "%s: NSEC3PARAM with %u "
			    "iterations (more than %u, RFC 5155 10.3)",
			    name, p->iterations, NSEC3_MAX_ITER);
			*rc = APEX_EZONE;
			return false;
		}
		return true;
	}
	report(fn, arg, tag, false, "%s: no NSEC3PARAM with a known hash "
	    "algorithm", name);
	return false;
}

/* RFC 4034 2.1.1, RFC 6781 3.2: the key a parent's DS points at has
 * the SEP flag; a key set without one is legal but usually a mistake. */
static void
check_dnskey(const struct zone *z, uint32_t tag, zone_report_fn *fn,
    void *arg)
{
	const struct zone_rrset *rs = zone_find_rrset(z, zone_node(z, 0),
	    TYPE_DNSKEY);
	char name[DNAME_STRLEN];

	if (rs == NULL)
		return;
	const uint8_t *d = zone_rrset_data(rs);
	for (unsigned i = 0; i < rs->count; i++, d += 2 + get16(d))
		if (get16(d) >= 2 && (get16(d + 2) & 0x0001))
			return;
	report(fn, arg, tag, false, "%s: DNSKEY RRset has no key with the "
	    "SEP flag", dname_to_str(z->origin, name, sizeof(name)));
}

/* A DNSKEY with the Zone Key flag and the DNSSEC protocol (RFC 4034
 * 2.1.1, 2.1.2). */
static bool
has_zone_key(const struct zone *z)
{
	const struct zone_rrset *rs = zone_find_rrset(z, zone_node(z, 0),
	    TYPE_DNSKEY);

	if (rs == NULL)
		return false;
	const uint8_t *d = zone_rrset_data(rs);
	for (unsigned i = 0; i < rs->count; i++, d += 2 + get16(d))
		if (get16(d) >= 4 && (get16(d + 2) & 0x0300) == 0x0100 &&
		    d[4] == 3)
			return true;
	return false;
}

/* An NSEC at the apex, with its signature. */
static bool
signed_nsec(const struct zone *z)
{
	const struct zone_node *apex = zone_node(z, 0);
	const struct zone_rrset *rs = zone_find_rrset(z, apex, TYPE_NSEC);

	return rs != NULL && rs->sigs;
}

/* Marks the owners of NSEC3 records and collects those of chain p. */
static struct zone_n3 *
collect_n3(const struct zone *z, struct zone_node *wn,
    const struct n3param *p, uint32_t *count)
{
	struct zone_n3 *out = NULL;
	uint32_t n = 0, cap = 0;

	for (uint32_t k = 1; k < z->hdr->node_count; k++) {
		/* A name may hold data beside an NSEC3 record (RFC 5155
		 * 7.2.8 names the case): it stays a name of the zone, and
		 * its NSEC3 is in the chain all the same. */
		if (only_nsec3(z, &wn[k]))
			wn[k].flags |= ZN_NSEC3;
		uint8_t hash[NSEC3_HASHLEN];
		if (p == NULL || !n3_owner_hash(z, &wn[k], p, hash))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 1024;
			out = xreallocarray(out, cap, sizeof(*out));
		}
		memcpy(out[n].hash, hash, NSEC3_HASHLEN);
		out[n].node = k;
		n++;
	}
	if (n > 1)
		qsort(out, n, sizeof(*out), cmp_n3);
	*count = n;
	return out;
}

static void
fill_nsec3(const struct zone *z, struct zone_dnode *dn)
{
	uint8_t w[DNAME_MAXLEN + 2], hash[NSEC3_HASHLEN];

	for (uint32_t k = 0; k < z->hdr->node_count; k++) {
		const struct zone_node *n = zone_node(z, k);
		if (n->flags & (ZN_OCCLUDED | ZN_NSEC3))
			continue;
		zone_n3_hash(z, zone_node_name(z, n), n->name_len, hash);
		dn[k].self = zone_n3_find(z, hash);
		if ((size_t)n->name_len + 2 > DNAME_MAXLEN)
			continue;
		w[0] = 1;
		w[1] = '*';
		memcpy(w + 2, zone_node_name(z, n), n->name_len);
		zone_n3_hash(z, w, (size_t)n->name_len + 2, hash);
		dn[k].wild = zone_n3_find(z, hash);
	}
}

static void
fill_nsec(const struct zone *z, struct zone_dnode *dn)
{
	uint32_t count = z->hdr->node_count, last = ZONE_NONE;
	uint8_t w[DNAME_MAXLEN + 2];

	for (uint32_t k = 0; k < count; k++) {
		const struct zone_node *n = zone_node(z, k);
		if ((n->flags & ZN_NSEC) && !(n->flags & ZN_OCCLUDED))
			last = k;
		dn[k].self = last;
	}
	for (uint32_t k = 0; k < count; k++) {
		const struct zone_node *n = zone_node(z, k);
		if ((n->flags & ZN_OCCLUDED) ||
		    (size_t)n->name_len + 2 > DNAME_MAXLEN)
			continue;
		w[0] = 1;
		w[1] = '*';
		memcpy(w + 2, zone_node_name(z, n), n->name_len);
		/* Usually nothing sorts between a name and its wildcard. */
		uint32_t p = k;
		if (k + 1 < count && dname_compare(w, zone_node_name(z,
		    zone_node(z, k + 1))) >= 0)
			p = zone_node_before(z, w);
		dn[k].wild = dn[p].self;
	}
}

/* Grows the blob by the index and fills its header fields. */
static uint8_t *
append_index(void **blob, size_t *size, enum zone_denial mode,
    const struct n3param *p, const struct zone_n3 *n3, uint32_t n3count)
{
	struct zone_hdr *h = *blob;
	size_t dn_off = (*size + 3) & ~(size_t)3;
	size_t n3_off = dn_off + (size_t)h->node_count *
	    sizeof(struct zone_dnode);
	size_t total = n3_off + (size_t)n3count * sizeof(struct zone_n3);

	if (total > UINT32_MAX)
		return NULL;
	uint8_t *b = xrealloc(*blob, total);
	memset(b + *size, 0, dn_off - *size);
	memset(b + dn_off, 0xff, n3_off - dn_off);	/* ZONE_NONE */
	if (n3count > 0)
		memcpy(b + n3_off, n3, (size_t)n3count * sizeof(*n3));
	h = (struct zone_hdr *)(void *)b;
	h->size = total;
	h->denial = mode;
	h->dnodes = (uint32_t)dn_off;
	h->n3 = (uint32_t)n3_off;
	h->n3_count = n3count;
	if (mode == ZONE_DENIAL_NSEC3) {
		h->n3_iterations = p->iterations;
		h->n3_saltlen = p->saltlen;
		memcpy(h->n3_salt, p->salt, p->saltlen);
	}
	*blob = b;
	*size = total;
	return b;
}

int
zone_dnssec_index(void **blob, size_t *size,
    const struct zone_dnssec_tags *tags, zone_report_fn *fn, void *arg)
{
	struct zone z;
	struct n3param p;
	uint32_t n3count = 0;
	char name[DNAME_STRLEN];
	int rc = 0;

	zone_attach(&z, *blob, *size);
	check_dnskey(&z, tags->dnskey, fn, arg);
	bool have_p = zone_n3param(&z, &p, tags->nsec3param, fn, arg, &rc);
	if (rc != 0)
		return rc;
	struct zone_node *wn = (struct zone_node *)(void *)
	    ((uint8_t *)*blob + z.hdr->nodes);
	struct zone_n3 *n3 = collect_n3(&z, wn, have_p ? &p : NULL, &n3count);
	if (have_p && n3count == 0)
		report(fn, arg, tags->nsec3param, false, "%s: NSEC3PARAM "
		    "without a matching NSEC3 chain", dname_to_str(z.origin,
		    name, sizeof(name)));
	enum zone_denial mode = n3count > 0 ? ZONE_DENIAL_NSEC3 :
	    signed_nsec(&z) ? ZONE_DENIAL_NSEC : ZONE_DENIAL_NONE;
	/* Proofs are answered only from a secure zone, as from BIND: one
	 * with a zone key and a signed chain at the apex. */
	if (mode == ZONE_DENIAL_NONE || !has_zone_key(&z)) {
		free(n3);
		return 0;
	}
	/* The salt must outlive the old blob, which the append moves. */
	uint8_t salt[255];
	memcpy(salt, have_p ? p.salt : salt, have_p ? p.saltlen : 0);
	p.salt = salt;
	uint8_t *b = append_index(blob, size, mode, &p, n3, n3count);
	free(n3);
	if (b == NULL)
		return APEX_ELIMIT;
	zone_attach(&z, b, *size);
	struct zone_dnode *dn = (struct zone_dnode *)(void *)
	    (b + z.hdr->dnodes);
	if (mode == ZONE_DENIAL_NSEC3)
		fill_nsec3(&z, dn);
	else
		fill_nsec(&z, dn);
	return 0;
}

/* ---- lookups ------------------------------------------------------ */

const struct zone_rrset *
zone_find_sigs(const struct zone *z, const struct zone_node *n,
    uint16_t covered)
{
	const struct zone_rrset *rs = zone_rrset_first(z, n);

	for (unsigned i = 0; i < n->nrrsets; i++, rs = zone_rrset_next(rs))
		if (rs->type == TYPE_RRSIG && zone_rrsig_covered(rs) == covered)
			return rs;
	return NULL;
}

uint32_t
zone_node_before(const struct zone *z, const uint8_t *lname)
{
	uint32_t lo = 0, hi = z->hdr->node_count - 1;

	/* Node 0, the origin, sorts before every name below it. */
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo + 1) / 2;
		if (dname_compare(zone_node_name(z, zone_node(z, mid)),
		    lname) <= 0)
			lo = mid;
		else
			hi = mid - 1;
	}
	return lo;
}

void
zone_n3_hash(const struct zone *z, const uint8_t *lname, size_t len,
    uint8_t out[20])
{
	nsec3_hash(lname, len, z->hdr->n3_salt, z->hdr->n3_saltlen,
	    z->hdr->n3_iterations, out);
}

uint32_t
zone_n3_find(const struct zone *z, const uint8_t hash[20])
{
	uint32_t n = z->hdr->n3_count;

	if (n == 0 || z->n3 == NULL)
		return ZONE_NONE;
	/* The last entry at or before the hash; before the first, the
	 * last one covers it: the chain wraps (RFC 5155 3.1.7). */
	uint32_t lo = 0, hi = n;
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		if (memcmp(z->n3[mid].hash, hash, NSEC3_HASHLEN) <= 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == 0)
		return n - 1;
	if (memcmp(z->n3[lo - 1].hash, hash, NSEC3_HASHLEN) == 0)
		return (lo - 1) | ZONE_N3_MATCH;
	return lo - 1;
}
