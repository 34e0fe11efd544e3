/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * Compiles the records of one zone into a zone image (see zone.h): groups
 * them into RRsets, adds empty non-terminals, sorts names canonically,
 * checks the zone (zone_check.c) and lays the blob out.
 *
 * Sorting is the expensive step for large zones, so each name gets a sort
 * key in which plain memcmp() gives RFC 4034 6.1 order (labels from the
 * right, lowercase, relative to the origin); the first eight key bytes
 * are radix-sorted and only names sharing them are compared in full.
 * Runs in: loader (and apex-named -C).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dname.h"
#include "error.h"
#include "rr.h"
#include "zone.h"
#include "zone_build.h"

static int
buf_append(struct zb_buf *b, const void *data, size_t len, uint32_t *off)
{
	if (b->len + len > UINT32_MAX)
		return APEX_ELIMIT;
	*off = (uint32_t)b->len;
	if (len == 0)
		return 0;
	if (b->len + len > b->cap) {
		size_t cap = b->cap ? b->cap : 65536;
		while (cap < b->len + len)
			cap *= 2;
		b->p = xrealloc(b->p, cap);
		b->cap = cap;
	}
	memcpy(b->p + b->len, data, len);
	*off = (uint32_t)b->len;
	b->len += len;
	return 0;
}

struct zone_builder *
zone_builder_new(const uint8_t *origin, uint16_t rclass,
    zone_report_fn *report, void *arg)
{
	struct zone_builder *zb = xcalloc(1, sizeof(*zb));

	zb->origin_len = (unsigned)dname_len(origin);
	dname_lower(zb->origin, origin, zb->origin_len);
	zb->origin_labels = dname_label_count(origin);
	zb->rclass = rclass;
	zb->report = report;
	zb->arg = arg;
	zb->tabmask = 1023;
	zb->tab = xmalloc((zb->tabmask + 1) * sizeof(*zb->tab));
	memset(zb->tab, 0xff, (zb->tabmask + 1) * sizeof(*zb->tab));
	zb->last = ZONE_NONE;
	zb->now = (uint32_t)time(NULL);
	return zb;
}

void
zone_builder_set_limits(struct zone_builder *zb, unsigned per_type,
    unsigned types_per_name, uint32_t max_records)
{
	zb->max_per_type = per_type;
	zb->max_types = types_per_name;
	zb->max_records = max_records;
}

void
zone_builder_free(struct zone_builder *zb)
{
	if (zb == NULL)
		return;
	free(zb->name);
	free(zb->tab);
	free(zb->rec);
	free(zb->names.p);
	free(zb->keys.p);
	free(zb->rdata.p);
	free(zb);
}

const uint8_t *
zb_name_wire(const struct zone_builder *zb, uint32_t i)
{
	return zb->names.p + zb->name[i].off;
}

uint32_t
zb_lookup(const struct zone_builder *zb, const uint8_t *lname, size_t len,
    uint32_t hash)
{
	for (uint32_t s = hash & zb->tabmask;; s = (s + 1) & zb->tabmask) {
		uint32_t i = zb->tab[s];
		if (i == ZONE_NONE)
			return ZONE_NONE;
		if (zb->name[i].hash == hash && zb->name[i].len == len &&
		    memcmp(zb_name_wire(zb, i), lname, len) == 0)
			return i;
	}
}

static void
zb_grow_table(struct zone_builder *zb)
{
	uint32_t mask = zb->tabmask * 2 + 1;
	uint32_t *tab = xmalloc(((size_t)mask + 1) * sizeof(*tab));

	memset(tab, 0xff, ((size_t)mask + 1) * sizeof(*tab));
	for (uint32_t i = 0; i < zb->nname; i++) {
		uint32_t s = zb->name[i].hash & mask;
		while (tab[s] != ZONE_NONE)
			s = (s + 1) & mask;
		tab[s] = i;
	}
	free(zb->tab);
	zb->tab = tab;
	zb->tabmask = mask;
}

/*
 * The sort key of a name: its labels below the origin from right to
 * left, each as lowercase octets followed by 0x00. Octets 0x00 and 0x01
 * become 0x01 0x01 and 0x01 0x02 so that the terminator sorts below every
 * octet and memcmp() of keys equals canonical order.
 */
static int
zb_make_key(struct zone_builder *zb, const uint8_t *lname,
    const struct dname_view *v, struct zb_name *n)
{
	uint8_t key[2 * DNAME_MAXLEN];
	size_t k = 0;

	for (int i = (int)(v->labels - zb->origin_labels) - 1; i >= 0; i--) {
		const uint8_t *l = lname + v->off[i];
		for (unsigned j = 1; j <= l[0]; j++) {
			if (l[j] <= 1) {
				key[k++] = 1;
				key[k++] = (uint8_t)(l[j] + 1);
			} else
				key[k++] = l[j];
		}
		key[k++] = 0;
	}
	n->keylen = (uint16_t)k;
	return buf_append(&zb->keys, key, k, &n->key);
}

/* Finds or adds a lowercase name known to be at or below the origin. */
static int
zb_intern(struct zone_builder *zb, const uint8_t *lname, uint32_t *out)
{
	struct dname_view v;
	uint32_t h[DNAME_MAXLABELS + 1];
	int rc;

	if (dname_scan(lname, DNAME_MAXLEN, &v) < 0)
		return APEX_EMALF;
	dname_hash_suffixes(lname, &v, h);
	uint32_t i = zb_lookup(zb, lname, v.len, h[0]);
	if (i != ZONE_NONE) {
		*out = i;
		return 0;
	}
	if (zb->nname == ZONE_NONE - 1)
		return APEX_ELIMIT;
	if (zb->nname == zb->capname) {
		zb->capname = zb->capname ? zb->capname * 2 : 1024;
		zb->name = xreallocarray(zb->name, zb->capname,
		    sizeof(*zb->name));
	}
	struct zb_name *n = &zb->name[zb->nname];
	memset(n, 0, sizeof(*n));
	n->hash = h[0];
	n->len = v.len;
	n->labels = v.labels;
	n->parent = ZONE_NONE;
	if ((rc = buf_append(&zb->names, lname, v.len, &n->off)) != 0 ||
	    (rc = zb_make_key(zb, lname, &v, n)) != 0)
		return rc;
	*out = zb->nname++;
	if (zb->nname * 2 > zb->tabmask)
		zb_grow_table(zb);
	else {
		uint32_t s = n->hash & zb->tabmask;
		while (zb->tab[s] != ZONE_NONE)
			s = (s + 1) & zb->tabmask;
		zb->tab[s] = *out;
	}
	return 0;
}

int
zone_builder_add(struct zone_builder *zb, const uint8_t *owner,
    uint16_t type, uint32_t ttl, const uint8_t *rdata, size_t rdlen,
    uint32_t tag)
{
	uint8_t lname[DNAME_MAXLEN];
	char str[DNAME_STRLEN];
	size_t len = dname_len(owner);
	uint32_t ni;
	int rc;

	dname_lower(lname, owner, len);
	if (zb->last != ZONE_NONE && zb->name[zb->last].len == len &&
	    memcmp(zb_name_wire(zb, zb->last), lname, len) == 0)
		ni = zb->last;
	else {
		if (!dname_is_subdomain(lname, zb->origin)) {
			zb_report(zb, tag, true, "%s: out of zone data",
			    dname_to_str(owner, str, sizeof(str)));
			return APEX_EZONE;
		}
		if ((rc = zb_intern(zb, lname, &ni)) != 0)
			return rc;
		zb->last = ni;
	}
	if (rdlen > 65535)
		return APEX_ELIMIT;
	if (zb->max_records != 0 && zb->nrec >= zb->max_records) {
		zb_report(zb, tag, true, "more than max-records (%u) records",
		    zb->max_records);
		return APEX_ELIMIT;
	}
	if (zb->nrec == zb->caprec) {
		if (zb->caprec >= ZONE_NONE / 2) {
			zb_report(zb, tag, true, "zone too large");
			return APEX_ELIMIT;
		}
		zb->caprec = zb->caprec ? zb->caprec * 2 : 4096;
		zb->rec = xreallocarray(zb->rec, zb->caprec, sizeof(*zb->rec));
	}
	struct zb_rec *r = &zb->rec[zb->nrec];
	r->name = ni;
	r->tag = tag;
	r->ttl = ttl;
	r->type = type;
	r->rdlen = (uint16_t)rdlen;
	if ((rc = buf_append(&zb->rdata, rdata, rdlen, &r->rdata)) != 0)
		return rc;
	zb->nrec++;
	zb->name[ni].nrec++;
	return 0;
}

uint32_t
zone_builder_count(const struct zone_builder *zb)
{
	return zb->nrec;
}

uint8_t *
zone_builder_rdata(struct zone_builder *zb, uint32_t i, uint16_t *rdlen)
{
	if (i >= zb->nrec)
		return NULL;
	*rdlen = zb->rec[i].rdlen;
	return zb->rdata.p + zb->rec[i].rdata;
}

/* ---- canonical order of names ------------------------------------ */

struct zb_sortent {
	uint64_t	prefix;		/* first 8 key bytes, big-endian */
	uint32_t	name;
};

static const struct zone_builder *sort_zb;	/* for qsort() below */

static int
cmp_full_key(const void *a, const void *b)
{
	const struct zb_sortent *ea = a, *eb = b;
	const struct zb_name *x = &sort_zb->name[ea->name];
	const struct zb_name *y = &sort_zb->name[eb->name];
	size_t n = x->keylen < y->keylen ? x->keylen : y->keylen;
	int d = memcmp(sort_zb->keys.p + x->key, sort_zb->keys.p + y->key, n);

	if (d != 0)
		return d;
	return (int)x->keylen - (int)y->keylen;
}

static void
zb_sort_names(struct zone_builder *zb, uint32_t *order)
{
	uint32_t n = zb->nname;
	struct zb_sortent *a = xmalloc((size_t)n * sizeof(*a));
	struct zb_sortent *b = xmalloc((size_t)n * sizeof(*b));

	for (uint32_t i = 0; i < n; i++) {
		uint64_t p = 0;
		for (unsigned j = 0; j < 8; j++)
			p = p << 8 | (j < zb->name[i].keylen ?
			    zb->keys.p[zb->name[i].key + j] : 0);
		a[i].prefix = p;
		a[i].name = i;
	}
	/* LSD radix sort on the prefix, one byte per pass. */
	for (unsigned shift = 0; shift < 64; shift += 8) {
		uint32_t count[257] = { 0 };
		for (uint32_t i = 0; i < n; i++)
			count[((a[i].prefix >> shift) & 0xff) + 1]++;
		if (count[1] == n)
			continue;	/* every byte zero in this pass */
		for (unsigned j = 1; j < 257; j++)
			count[j] += count[j - 1];
		for (uint32_t i = 0; i < n; i++)
			b[count[(a[i].prefix >> shift) & 0xff]++] = a[i];
		struct zb_sortent *t = a;
		a = b;
		b = t;
	}
	/* Names that share the prefix are ordered by their whole key. */
	sort_zb = zb;
	for (uint32_t i = 0; i < n;) {
		uint32_t j = i + 1;
		while (j < n && a[j].prefix == a[i].prefix)
			j++;
		if (j - i > 1)
			qsort(a + i, j - i, sizeof(*a), cmp_full_key);
		i = j;
	}
	sort_zb = NULL;
	for (uint32_t i = 0; i < n; i++) {
		order[i] = a[i].name;
		zb->name[a[i].name].rank = i;
	}
	free(a);
	free(b);
}

/* Adds every missing ancestor down to the origin; sets parent links. */
static int
zb_add_ancestors(struct zone_builder *zb)
{
	int rc;

	for (uint32_t i = 0; i < zb->nname; i++) {
		uint32_t cur = i;
		while (zb->name[cur].labels > zb->origin_labels &&
		    zb->name[cur].parent == ZONE_NONE) {
			const uint8_t *w = zb_name_wire(zb, cur);
			uint8_t pname[DNAME_MAXLEN];
			size_t plen = zb->name[cur].len - 1 - w[0];
			uint32_t p;
			memcpy(pname, w + 1 + w[0], plen);
			size_t before = zb->nname;
			if ((rc = zb_intern(zb, pname, &p)) != 0)
				return rc;
			zb->name[cur].parent = p;
			if (zb->nname == before)
				break;	/* parent existed: its chain is done */
			cur = p;
		}
	}
	uint32_t o;
	return zb_intern(zb, zb->origin, &o);
}

/* ---- RRsets ------------------------------------------------------ */

static const struct zone_builder *rec_zb;

static int
cmp_rec(const void *pa, const void *pb)
{
	const struct zb_rec *a = &rec_zb->rec[*(const uint32_t *)pa];
	const struct zb_rec *b = &rec_zb->rec[*(const uint32_t *)pb];

	if (a->type != b->type)
		return a->type < b->type ? -1 : 1;
	int d = rr_rdata_compare(a->type, rec_zb->rdata.p + a->rdata, a->rdlen,
	    rec_zb->rdata.p + b->rdata, b->rdlen);
	if (d != 0)
		return d;
	/* Keep file order among duplicates: the first one survives. */
	return *(const uint32_t *)pa < *(const uint32_t *)pb ? -1 : 1;
}

/*
 * The records in final order: by name rank, then type, then canonical
 * RDATA. Duplicates (RFC 2181 5) end up adjacent and are skipped when
 * the image is written.
 */
static uint32_t *
zb_sort_records(struct zone_builder *zb, uint32_t *start)
{
	uint32_t *idx = xmalloc(((size_t)zb->nrec + 1) * sizeof(*idx));

	/* Counting sort by rank: start[r] is the first record of rank r. */
	memset(start, 0, ((size_t)zb->nname + 1) * sizeof(*start));
	for (uint32_t i = 0; i < zb->nrec; i++)
		start[zb->name[zb->rec[i].name].rank + 1]++;
	for (uint32_t r = 0; r < zb->nname; r++)
		start[r + 1] += start[r];
	uint32_t *fill = xmalloc(((size_t)zb->nname + 1) * sizeof(*fill));
	memcpy(fill, start, ((size_t)zb->nname + 1) * sizeof(*fill));
	for (uint32_t i = 0; i < zb->nrec; i++)
		idx[fill[zb->name[zb->rec[i].name].rank]++] = i;
	free(fill);
	rec_zb = zb;
	for (uint32_t r = 0; r < zb->nname; r++)
		if (start[r + 1] - start[r] > 1)
			qsort(idx + start[r], start[r + 1] - start[r],
			    sizeof(*idx), cmp_rec);
	rec_zb = NULL;
	return idx;
}

/*
 * Puts names and records into their final order, so that every later
 * pass reads memory in sequence instead of jumping around a large zone:
 * afterwards order[] and idx[] are the identity, name and parent fields
 * hold ranks, and the hash table maps to ranks.
 */
static void
zb_permute(struct zone_builder *zb, uint32_t *order, uint32_t *idx)
{
	struct zb_rec *rec = xmalloc(((size_t)zb->nrec + 1) * sizeof(*rec));
	struct zb_name *name = xmalloc(((size_t)zb->nname + 1) *
	    sizeof(*name));

	for (uint32_t i = 0; i < zb->nrec; i++) {
		rec[i] = zb->rec[idx[i]];
		rec[i].seq = idx[i];
		rec[i].name = zb->name[rec[i].name].rank;
		idx[i] = i;
	}
	for (uint32_t k = 0; k < zb->nname; k++) {
		name[k] = zb->name[order[k]];
		if (name[k].parent != ZONE_NONE)
			name[k].parent = zb->name[name[k].parent].rank;
	}
	for (uint32_t s = 0; s <= zb->tabmask; s++)
		if (zb->tab[s] != ZONE_NONE)
			zb->tab[s] = zb->name[zb->tab[s]].rank;
	for (uint32_t k = 0; k < zb->nname; k++)
		order[k] = k;
	free(zb->rec);
	free(zb->name);
	zb->rec = rec;
	zb->name = name;
	zb->caprec = zb->nrec;
	zb->capname = zb->nname;
	zb->last = ZONE_NONE;
}

/* ---- image layout ------------------------------------------------ */

static size_t
align4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

/* Walks the records of one node type by type; returns the next start. */
/* Walks the records of one node RRset by RRset (RRSIGs by the type
 * they cover, RFC 4034 3); returns the next start. */
uint32_t
zb_rrset_end(const struct zone_builder *zb, const uint32_t *idx, uint32_t i,
    uint32_t end)
{
	const struct zb_rec *first = &zb->rec[idx[i]];
	uint16_t type = first->type, covered = zb_rec_covered(zb, first);

	while (i < end && zb->rec[idx[i]].type == type &&
	    zb_rec_covered(zb, &zb->rec[idx[i]]) == covered)
		i++;
	return i;
}

/* Whether record i repeats the one before it in its RRset. */
bool
zb_rec_is_dup(const struct zone_builder *zb, const uint32_t *idx, uint32_t i,
    uint32_t first)
{
	if (i == first)
		return false;
	const struct zb_rec *a = &zb->rec[idx[i - 1]], *b = &zb->rec[idx[i]];
	return rr_rdata_compare(a->type, zb->rdata.p + a->rdata, a->rdlen,
	    zb->rdata.p + b->rdata, b->rdlen) == 0;
}

static size_t
zb_rrsets_size(const struct zone_builder *zb, const uint32_t *idx,
    struct zb_node *nodes, uint32_t nnodes, uint32_t *nrrsets, uint32_t *nrr)
{
	size_t total = 0;

	*nrrsets = *nrr = 0;
	for (uint32_t k = 0; k < nnodes; k++) {
		struct zb_node *n = &nodes[k];
		for (uint32_t i = n->first; i < n->end;) {
			uint32_t e = zb_rrset_end(zb, idx, i, n->end);
			size_t sz = sizeof(struct zone_rrset);
			for (uint32_t j = i; j < e; j++) {
				if (zb_rec_is_dup(zb, idx, j, i))
					continue;
				sz += 2 + zb->rec[idx[j]].rdlen;
				(*nrr)++;
			}
			total += align4(sz);
			n->nrrsets++;
			(*nrrsets)++;
			i = e;
		}
	}
	return total;
}

/* Writes the RRset of records [i, e) at p; returns the end. */
static uint8_t *
zb_write_rrset(struct zone_builder *zb, const uint32_t *idx,
    const struct zb_node *n, uint32_t i, uint32_t e, uint8_t *p)
{
	char str[DNAME_STRLEN], tstr[16];
	struct zone_rrset *rs = (struct zone_rrset *)(void *)p;
	uint8_t *d = p + sizeof(*rs);
	/* The TTL of the record that came first in the file wins. */
	uint32_t first = i, ttl;

	for (uint32_t j = i; j < e; j++)
		if (zb->rec[idx[j]].seq < zb->rec[idx[first]].seq)
			first = j;
	ttl = zb->rec[idx[first]].ttl;
	memset(rs, 0, sizeof(*rs));
	rs->type = zb->rec[idx[first]].type;
	for (uint32_t j = i; j < e; j++) {
		const struct zb_rec *r = &zb->rec[idx[j]];
		if (zb_rec_is_dup(zb, idx, j, i))
			continue;
		if (r->ttl != ttl)
			zb_report(zb, r->tag, false,
			    "%s/%s: TTL set to prior TTL (%u)",
			    dname_to_str(zb_name_wire(zb, n->name), str,
			    sizeof(str)), rr_type_str(r->type, tstr), ttl);
		put16(d, r->rdlen);
		memcpy(d + 2, zb->rdata.p + r->rdata, r->rdlen);
		d += 2 + r->rdlen;
		rs->count++;
	}
	put16(rs->wire, rs->type);
	put16(rs->wire + 2, zb->rclass);
	put32(rs->wire + 4, ttl);
	rs->size = (uint32_t)(d - (p + sizeof(*rs)));
	size_t step = align4(sizeof(*rs) + rs->size);
	memset(d, 0, step - sizeof(*rs) - rs->size);
	return p + step;
}

/* The RRSIG RRset of a node covering type: its record range, or false.
 * RRSIGs sort by the type they cover (canonical RDATA order). */
static bool
zb_find_sigs(const struct zone_builder *zb, const uint32_t *idx,
    const struct zb_node *n, uint16_t type, uint32_t *first, uint32_t *end)
{
	for (uint32_t i = n->first; i < n->end;) {
		uint32_t e = zb_rrset_end(zb, idx, i, n->end);
		const struct zb_rec *r = &zb->rec[idx[i]];
		if (r->type == TYPE_RRSIG && zb_rec_covered(zb, r) == type) {
			*first = i;
			*end = e;
			return true;
		}
		i = e;
	}
	return false;
}

/*
 * The RRsets of a node: each type followed by the RRSIGs covering it,
 * so that an answer finds them without a search; then RRSIGs whose
 * RRset the node does not have.
 */
static uint8_t *
zb_write_rrsets(struct zone_builder *zb, const uint32_t *idx,
    const struct zb_node *n, uint8_t *p)
{
	uint32_t sf, se;

	for (uint32_t i = n->first; i < n->end;) {
		uint32_t e = zb_rrset_end(zb, idx, i, n->end);
		const struct zb_rec *r = &zb->rec[idx[i]];
		if (r->type != TYPE_RRSIG) {
			struct zone_rrset *rs = (struct zone_rrset *)(void *)p;
			p = zb_write_rrset(zb, idx, n, i, e, p);
			if (zb_find_sigs(zb, idx, n, r->type, &sf, &se)) {
				rs->sigs = 1;
				p = zb_write_rrset(zb, idx, n, sf, se, p);
			}
		}
		i = e;
	}
	for (uint32_t i = n->first; i < n->end;) {
		uint32_t e = zb_rrset_end(zb, idx, i, n->end);
		const struct zb_rec *r = &zb->rec[idx[i]];
		uint16_t c = zb_rec_covered(zb, r);
		if (r->type == TYPE_RRSIG && (c == TYPE_RRSIG ||
		    !zb_node_has(zb, idx, n, c)))
			p = zb_write_rrset(zb, idx, n, i, e, p);
		i = e;
	}
	return p;
}

static void
zb_soa_fields(const struct zone_builder *zb, const uint32_t *idx,
    const struct zb_node *apex, struct zone_hdr *h)
{
	for (uint32_t i = apex->first; i < apex->end; i++) {
		const struct zb_rec *r = &zb->rec[idx[i]];
		if (r->type != TYPE_SOA)
			continue;
		const uint8_t *rd = zb->rdata.p + r->rdata;
		size_t pos = 0;
		for (int k = 0; k < 2; k++) {
			int l = dname_scan(rd + pos, r->rdlen - pos, NULL);
			if (l < 0)
				return;
			pos += (size_t)l;
		}
		if (pos + 20 > r->rdlen)
			return;
		h->serial = get32(rd + pos);
		uint32_t minimum = get32(rd + pos + 16);
		h->neg_ttl = r->ttl < minimum ? r->ttl : minimum;
		return;
	}
}

static int
zb_layout(struct zone_builder *zb, const uint32_t *order, const uint32_t *idx,
    struct zb_node *nodes, void **blob, size_t *size)
{
	uint32_t nn = zb->nname, nrrsets, nrr;
	size_t rrsets_size = zb_rrsets_size(zb, idx, nodes, nn, &nrrsets, &nrr);
	uint32_t slots = 1;

	while (slots < (uint64_t)nn * 2)
		slots *= 2;
	size_t off_nodes = align4(sizeof(struct zone_hdr));
	size_t off_slots = off_nodes + (size_t)nn * sizeof(struct zone_node);
	size_t off_rrsets = off_slots +
	    (size_t)slots * sizeof(struct zone_slot);
	size_t off_names = off_rrsets + rrsets_size;
	size_t total = off_names + zb->names.len;
	if (total > UINT32_MAX)
		return APEX_ELIMIT;

	uint8_t *b = xcalloc(1, total);
	struct zone_hdr *h = (struct zone_hdr *)(void *)b;
	struct zone_node *zn = (struct zone_node *)(void *)(b + off_nodes);
	struct zone_slot *zs = (struct zone_slot *)(void *)(b + off_slots);
	h->magic = ZONE_MAGIC;
	h->version = ZONE_VERSION;
	h->size = total;
	h->origin_len = zb->origin_len;
	h->origin_labels = zb->origin_labels;
	h->rclass = zb->rclass;
	h->node_count = nn;
	h->nodes = (uint32_t)off_nodes;
	h->hash_mask = slots - 1;
	h->slots = (uint32_t)off_slots;
	h->rrset_count = nrrsets;
	h->rr_count = nrr;
	zb_soa_fields(zb, idx, &nodes[0], h);

	/* Names in node order, so walks over nodes read them in sequence. */
	size_t noff = off_names;
	for (uint32_t s = 0; s < slots; s++)
		zs[s].node = ZONE_NONE;
	h->origin = (uint32_t)noff;
	uint8_t *p = b + off_rrsets;
	for (uint32_t k = 0; k < nn; k++) {
		const struct zb_name *nm = &zb->name[order[k]];
		struct zone_node *z = &zn[k];
		z->name = (uint32_t)noff;
		memcpy(b + noff, zb->names.p + nm->off, nm->len);
		noff += nm->len;
		z->rrsets = (uint32_t)(p - b);
		z->up = nodes[k].up;
		z->hash = nm->hash;
		z->nrrsets = nodes[k].nrrsets;
		z->flags = nodes[k].flags;
		z->name_len = nm->len;
		z->labels = nm->labels;
		p = zb_write_rrsets(zb, idx, &nodes[k], p);
		/* The slots are hit at random: ask for one well ahead. */
		if (k + 16 < nn)
			__builtin_prefetch(&zs[zb->name[order[k + 16]].hash &
			    (slots - 1)], 1);
		uint32_t s = nm->hash & (slots - 1);
		while (zs[s].node != ZONE_NONE)
			s = (s + 1) & (slots - 1);
		zs[s].hash = nm->hash;
		zs[s].node = k;
	}
	*blob = b;
	*size = total;
	return 0;
}

/* Flags and the interrupting ancestor, parents first (canonical order). */
static void
zb_mark_nodes(struct zone_builder *zb, const uint32_t *order,
    const uint32_t *idx, struct zb_node *nodes)
{
	for (uint32_t k = 0; k < zb->nname; k++) {
		struct zb_node *n = &nodes[k];
		const struct zb_name *nm = &zb->name[order[k]];
		n->up = ZONE_NONE;
		if (k == 0)
			n->flags |= ZN_APEX;
		for (uint32_t i = n->first; i < n->end; i++) {
			uint16_t t = zb->rec[idx[i]].type;
			if (t == TYPE_NS && k != 0)
				n->flags |= ZN_CUT;
			else if (t == TYPE_DNAME)
				n->flags |= ZN_DNAME;
			else if (t == TYPE_CNAME)
				n->flags |= ZN_CNAME;
			else if (t == TYPE_NSEC)
				n->flags |= ZN_NSEC;
		}
		if (nm->parent == ZONE_NONE)
			continue;
		struct zb_node *p = &nodes[nm->parent];
		if (p->up != ZONE_NONE)
			n->up = p->up;
		else if (p->flags & (ZN_CUT | ZN_DNAME))
			n->up = nm->parent;
		if (n->up != ZONE_NONE)
			n->flags |= ZN_OCCLUDED;
		const uint8_t *w = zb_name_wire(zb, order[k]);
		if (w[0] == 1 && w[1] == '*')
			p->flags |= ZN_WILD_CHILD;
	}
}

/* The proof index of a signed image (zone_dnssec.c). */
static int
zb_index(struct zone_builder *zb, const uint32_t *idx,
    const struct zb_node *apex, void **blob, size_t *size)
{
	struct zone_dnssec_tags tags = { 0, 0 };

	for (uint32_t i = apex->first; i < apex->end; i++) {
		const struct zb_rec *r = &zb->rec[idx[i]];
		if (r->type == TYPE_NSEC3PARAM && tags.nsec3param == 0)
			tags.nsec3param = r->tag;
		else if (r->type == TYPE_DNSKEY && tags.dnskey == 0)
			tags.dnskey = r->tag;
	}
	int rc = zone_dnssec_index(blob, size, &tags, zb->report, zb->arg);
	if (rc == APEX_EZONE)
		zb->errors++;
	return rc;
}

int
zone_builder_finish(struct zone_builder *zb, void **blob, size_t *size)
{
	char str[DNAME_STRLEN];
	int rc;

	*blob = NULL;
	*size = 0;
	if ((rc = zb_add_ancestors(zb)) != 0)
		return rc;
	uint32_t *order = xmalloc((size_t)zb->nname * sizeof(*order));
	uint32_t *start = xmalloc(((size_t)zb->nname + 1) * sizeof(*start));
	zb_sort_names(zb, order);
	uint32_t *idx = zb_sort_records(zb, start);
	zb_permute(zb, order, idx);
	struct zb_node *nodes = xcalloc(zb->nname, sizeof(*nodes));
	for (uint32_t k = 0; k < zb->nname; k++) {
		nodes[k].name = order[k];
		nodes[k].first = start[k];
		nodes[k].end = start[k + 1];
	}
	zb_mark_nodes(zb, order, idx, nodes);

	dname_to_str(zb->origin, str, sizeof(str));
	if (!zb_node_has(zb, idx, &nodes[0], TYPE_SOA))
		zb_report(zb, 0, true, "%s: has no SOA record", str);
	if (!zb_node_has(zb, idx, &nodes[0], TYPE_NS))
		zb_report(zb, 0, true, "%s: has no NS records", str);
	for (uint32_t k = 0; k < zb->nname; k++) {
		zb_check_node(zb, idx, &nodes[k]);
		if (zb->rclass == CLASS_IN &&
		    (k == 0 || (nodes[k].flags & ZN_CUT)) &&
		    !(nodes[k].flags & ZN_OCCLUDED))
			zb_check_ns_targets(zb, idx, nodes, &nodes[k]);
	}
	if (zb->expired > 0)
		zb_report_expired(zb);
	if (zb->errors == 0)
		rc = zb_layout(zb, order, idx, nodes, blob, size);
	else
		rc = APEX_EZONE;
	if (rc == 0 && (rc = zb_index(zb, idx, &nodes[0], blob, size)) != 0) {
		free(*blob);
		*blob = NULL;
		*size = 0;
	}
	free(nodes);
	free(idx);
	free(start);
	free(order);
	return rc;
}
