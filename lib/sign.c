/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * The zone signer: RRSIGs, their reuse from the previous image, and the
 * records the signer owns (DNSKEY, CDS, CDNSKEY). The denial chains
 * are in sign_nsec.c.
 *
 * Every record goes through one zone_builder, which sorts and indexes
 * them; this file only has to produce each RRset once with its
 * signatures. Memory: a few scratch buffers that grow to the largest
 * RRset and are reused, so a large zone costs no allocation per record.
 * Runs in: the signer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>


#include "dname.h"
#include "error.h"
#include "rr.h"
#define SIGN_PRIVATE
#include "sign.h"

/* ---- canonical RDATA (RFC 4034 6.2, RFC 6840 5.1) ----------------- */

/* Lowercases the name at rdata[*pos] in out; false if it does not scan. */
static bool
lower_name(const uint8_t *rdata, uint16_t rdlen, size_t *pos, uint8_t *out)
{
	if (*pos >= rdlen)
		return false;
	int n = dname_scan(rdata + *pos, rdlen - *pos, NULL);
	if (n < 0)
		return false;
	dname_lower(out + *pos, rdata + *pos, (size_t)n);
	*pos += (size_t)n;
	return true;
}

/* Skips a <character-string> at *pos; false past the end. */
static bool
skip_cstring(const uint8_t *rdata, uint16_t rdlen, size_t *pos)
{
	if (*pos >= rdlen || *pos + 1 + rdata[*pos] > rdlen)
		return false;
	*pos += 1 + (size_t)rdata[*pos];
	return true;
}

/*
 * The list is RFC 4034 6.2's as RFC 6840 5.1 amends it: NSEC's next
 * name keeps its case (RFC 3755 and 6840 say so; BIND, Knot and
 * Unbound agree), and so does HINFO, which holds no name at all.
 * Validators that lowercase a type we do not (or the reverse) would
 * fail on mixed case only, and names in images are mostly lowercase.
 */
void
sign_canonical_rdata(uint16_t type, const uint8_t *rdata, uint16_t rdlen,
    uint8_t *out)
{
	size_t pos = 0;
	unsigned names = 1;

	memcpy(out, rdata, rdlen);
	switch (type) {
	case TYPE_NS: case TYPE_MD: case TYPE_MF: case TYPE_CNAME:
	case TYPE_MB: case TYPE_MG: case TYPE_MR: case TYPE_PTR:
	case TYPE_NXT: case TYPE_DNAME:
		break;
	case TYPE_SOA: case TYPE_MINFO: case TYPE_RP:
		names = 2;
		break;
	case TYPE_MX: case TYPE_AFSDB: case 21 /* RT */: case TYPE_KX:
		pos = 2;
		break;
	case 26:	/* PX: preference, MAP822, MAPX400 */
		pos = 2;
		names = 2;
		break;
	case TYPE_SRV:
		pos = 6;
		break;
	case TYPE_SIG: case TYPE_RRSIG:
		pos = 18;
		break;
	case TYPE_NAPTR:
		pos = 4;
		for (int i = 0; i < 3; i++)
			if (!skip_cstring(rdata, rdlen, &pos))
				return;
		break;
	case 38:	/* A6: prefix length, address suffix, prefix name */
		if (rdlen < 1 || rdata[0] == 0 || rdata[0] > 128)
			return;
		pos = 1 + (size_t)(128 - rdata[0]) / 8;
		break;
	default:
		return;
	}
	for (unsigned i = 0; i < names; i++)
		if (!lower_name(rdata, rdlen, &pos, out))
			return;
}

/* ---- scratch buffers ------------------------------------------------ */

void
sign_buf_need(struct sign_buf *b, size_t n)
{
	if (b->cap >= n)
		return;
	size_t cap = b->cap ? b->cap : 4096;
	while (cap < n)
		cap *= 2;
	b->p = xrealloc(b->p, cap);
	b->cap = cap;
}

/* ---- building the canonical RRset (RFC 4034 3.1.8.1, 6.3) ----------- */

struct canon_ref {
	const uint8_t	*rd;	/* canonical RDATA */
	uint16_t	 len;
};

static int
cmp_canon(const void *pa, const void *pb)
{
	const struct canon_ref *a = pa, *b = pb;
	size_t n = a->len < b->len ? a->len : b->len;
	int d = memcmp(a->rd, b->rd, n);

	if (d != 0)
		return d;
	return (int)a->len - (int)b->len;
}

/*
 * Lays out the records of one RRset after room for the RRSIG header, as
 * the signature covers them: owner, type, class, original TTL, RDLENGTH
 * and canonical RDATA, sorted, duplicates dropped. Returns the octets
 * written after the header.
 */
static size_t
canon_rrset(struct sign_ctx *c, const struct sign_rrset *rs, size_t hdrlen)
{
	size_t ol = dname_len(rs->owner);
	const uint8_t *r = rs->data;

	/* Canonical RDATA of every record first, then their order. */
	sign_buf_need(&c->ctmp, rs->size);
	sign_buf_need(&c->refs, (size_t)rs->count * sizeof(struct canon_ref));
	struct canon_ref *ref = (struct canon_ref *)(void *)c->refs.p;
	uint8_t *cp = c->ctmp.p;
	for (unsigned i = 0; i < rs->count; i++) {
		uint16_t len = get16(r);
		sign_canonical_rdata(rs->type, r + 2, len, cp);
		ref[i].rd = cp;
		ref[i].len = len;
		cp += len;
		r += 2 + len;
	}
	if (rs->count > 1)
		qsort(ref, rs->count, sizeof(*ref), cmp_canon);
	sign_buf_need(&c->data, hdrlen + (size_t)rs->count * (ol + 10) +
	    rs->size);
	uint8_t *out = c->data.p + hdrlen;
	for (unsigned i = 0; i < rs->count; i++) {
		if (i > 0 && cmp_canon(&ref[i - 1], &ref[i]) == 0)
			continue;
		memcpy(out, rs->owner, ol);
		out += ol;
		put16(out, rs->type);
		put16(out + 2, c->rclass);
		put32(out + 4, rs->ttl);
		put16(out + 8, ref[i].len);
		memcpy(out + 10, ref[i].rd, ref[i].len);
		out += 10 + ref[i].len;
	}
	return (size_t)(out - (c->data.p + hdrlen));
}

/* ---- signatures --------------------------------------------------- */

/* Labels for RRSIG (RFC 4034 3.1.3): a leading "*" does not count. */
static uint8_t
sig_labels(const uint8_t *owner)
{
	unsigned n = dname_label_count(owner);

	if (owner[0] == 1 && owner[1] == '*')
		n--;
	return (uint8_t)n;
}

/*
 * How much earlier than now + validity a signature of this RRset
 * expires: FNV-1a of owner and type, so a rerun with the same clock
 * lands on the same times and expiries of a large zone are spread over
 * the jitter window rather than due at once.
 */
static uint32_t
sig_jitter(const uint8_t *owner, uint16_t type, uint32_t jitter)
{
	uint32_t h = 2166136261u;
	size_t len = dname_len(owner);

	if (jitter == 0)
		return 0;
	for (size_t i = 0; i < len; i++)
		h = (h ^ owner[i]) * 16777619u;
	h = (h ^ (type >> 8)) * 16777619u;
	h = (h ^ (type & 0xff)) * 16777619u;
	return h % (jitter == UINT32_MAX ? jitter : jitter + 1);
}

static bool
key_signs(const struct sign_key *k, uint16_t type)
{
	if (type == TYPE_DNSKEY || type == TYPE_CDS || type == TYPE_CDNSKEY)
		return k->ksign;
	return k->zsign;
}

static void
note_expiry(struct sign_ctx *c, uint32_t exp)
{
	struct sign_stats *st = c->stats;

	/* Serial arithmetic (RFC 4034 3.1.5): expiries are near now. */
	if (st->earliest_expiry == 0 ||
	    (int32_t)(exp - st->earliest_expiry) < 0)
		st->earliest_expiry = exp;
}

static int
add_sig(struct sign_ctx *c, const struct sign_rrset *rs, const uint8_t *rd,
    size_t len)
{
	note_expiry(c, get32(rd + 8));
	return zone_builder_add(c->zb, rs->owner, TYPE_RRSIG, rs->ttl, rd, len,
	    0);
}

/*
 * Takes over prev's signatures of the same RRset, one per key that
 * signs it now, if they stay valid past now + refresh. done[k] is set
 * for the keys served.
 */
static int
reuse_sigs(struct sign_ctx *c, const struct sign_rrset *rs, bool *done)
{
	const struct sign_params *p = c->params;

	if (c->prev == NULL)
		return 0;
	uint32_t pn = zone_find_name(c->prev, rs->owner);
	if (pn == ZONE_NONE)
		return 0;
	const struct zone_node *node = zone_node(c->prev, pn);
	const struct zone_rrset *prs = zone_find_rrset(c->prev, node, rs->type);
	if (prs == NULL || zone_rrset_ttl(prs) != rs->ttl ||
	    prs->count != rs->count || prs->size != rs->size ||
	    memcmp(zone_rrset_data(prs), rs->data, rs->size) != 0)
		return 0;
	const struct zone_rrset *sigs = zone_rrset_sigs(prs);
	if (sigs == NULL)
		sigs = zone_find_sigs(c->prev, node, rs->type);
	if (sigs == NULL)
		return 0;
	const uint8_t *r = zone_rrset_data(sigs);
	for (unsigned i = 0; i < sigs->count; i++, r += 2 + get16(r)) {
		uint16_t len = get16(r);
		const uint8_t *rd = r + 2;
		if (len < 18 + c->origin_len || get16(rd) != rs->type ||
		    get32(rd + 4) != rs->ttl ||
		    memcmp(rd + 18, c->origin, c->origin_len) != 0)
			continue;
		uint32_t exp = get32(rd + 8), inc = get32(rd + 12);
		if ((int32_t)(exp - (p->now + p->refresh)) <= 0 ||
		    (int32_t)(p->now - inc) < 0)
			continue;
		for (unsigned k = 0; k < p->nkeys; k++) {
			const struct dnskey *key = p->keys[k].key;
			if (done[k] || !key_signs(&p->keys[k], rs->type) ||
			    key->alg != rd[2] || key->tag != get16(rd + 16))
				continue;
			int rc = add_sig(c, rs, rd, len);
			if (rc != 0)
				return rc;
			done[k] = true;
			c->stats->sigs_kept++;
			break;
		}
	}
	return 0;
}

/* Writes the RRSIG RDATA up to the signature for key at c->data. */
static size_t
sig_header(struct sign_ctx *c, const struct sign_rrset *rs,
    const struct dnskey *key)
{
	const struct sign_params *p = c->params;
	uint8_t *h = c->data.p;
	uint32_t validity = p->validity;
	uint32_t jitter = p->jitter;

	if (rs->type == TYPE_DNSKEY || rs->type == TYPE_CDS ||
	    rs->type == TYPE_CDNSKEY)
		validity = p->validity_dnskey ? p->validity_dnskey : validity;
	if (jitter > validity)
		jitter = validity;
	put16(h, rs->type);
	h[2] = key->alg;
	h[3] = sig_labels(rs->owner);
	put32(h + 4, rs->ttl);
	put32(h + 8, p->now + validity - sig_jitter(rs->owner, rs->type,
	    jitter));
	put32(h + 12, p->now - 3600);
	put16(h + 16, key->tag);
	memcpy(h + 18, c->origin, c->origin_len);
	return 18 + c->origin_len;
}

/*
 * Adds one RRset with its signatures (if sign): prev's where they may
 * be kept, new ones for the other signing keys.
 */
int
sign_emit(struct sign_ctx *c, const struct sign_rrset *rs, bool sign)
{
	const struct sign_params *p = c->params;
	const uint8_t *r = rs->data;
	int rc;

	for (unsigned i = 0; i < rs->count; i++, r += 2 + get16(r))
		if ((rc = zone_builder_add(c->zb, rs->owner, rs->type, rs->ttl,
		    r + 2, get16(r), 0)) != 0)
			return rc;
	if (!sign || p->nkeys == 0)
		return 0;
	bool *done = c->done;
	memset(done, 0, p->nkeys * sizeof(*done));
	if ((rc = reuse_sigs(c, rs, done)) != 0)
		return rc;
	size_t hdrlen = 18 + c->origin_len, clen = 0;
	bool made = false;
	for (unsigned k = 0; k < p->nkeys; k++) {
		const struct sign_key *sk = &p->keys[k];
		if (done[k] || !key_signs(sk, rs->type))
			continue;
		if (clen == 0)
			clen = canon_rrset(c, rs, hdrlen);
		sig_header(c, rs, sk->key);
		size_t siglen = dnskey_sig_len(sk->key);
		if (siglen == 0) {
			snprintf(c->err, c->errlen, "key %u (algorithm %u) "
			    "could not sign", sk->key->tag, sk->key->alg);
			return APEX_ECRYPTO;
		}
		/* The header stays in place: the canonical records after
		 * it are kept for the next key. The RRSIG goes in with its
		 * signature zeroed; sign_pool.c fills it. */
		uint8_t rd[18 + DNAME_MAXLEN + DNSKEY_SIG_MAX];
		memcpy(rd, c->data.p, hdrlen);
		memset(rd + hdrlen, 0, siglen);
		if ((rc = add_sig(c, rs, rd, hdrlen + siglen)) != 0 ||
		    (rc = sign_queue(c, k, hdrlen + clen, siglen)) != 0)
			return rc;
		c->stats->sigs_made++;
		made = true;
	}
	if (made)
		c->stats->rrsets_signed++;
	return 0;
}

/* ---- DNSKEY, CDS, CDNSKEY ------------------------------------------ */

/* Appends one record (RDLENGTH, RDATA) to b at *len. */
void
sign_buf_rr(struct sign_buf *b, size_t *len, const uint8_t *rd, size_t n)
{
	sign_buf_need(b, *len + 2 + n);
	put16(b->p + *len, (uint16_t)n);
	memcpy(b->p + *len + 2, rd, n);
	*len += 2 + n;
}

static uint16_t sort_type;

static int
cmp_rr(const void *pa, const void *pb)
{
	const uint8_t *a = *(const uint8_t *const *)pa;
	const uint8_t *b = *(const uint8_t *const *)pb;

	return rr_rdata_compare(sort_type, a + 2, get16(a), b + 2, get16(b));
}

/*
 * Puts the records of a generated RRset in b[0..len) into the order the
 * image keeps them in, without duplicates, so that they compare equal
 * to prev's byte for byte. Returns the new count.
 */
static unsigned
sign_sort_rrset(struct sign_ctx *c, uint16_t type, size_t *len)
{
	unsigned n = 0;
	size_t pos = 0;

	for (pos = 0; pos < *len; pos += 2 + (size_t)get16(c->gen.p + pos))
		n++;
	sign_buf_need(&c->refs, (size_t)n * sizeof(const uint8_t *));
	const uint8_t **ptr = (const uint8_t **)(void *)c->refs.p;
	n = 0;
	for (pos = 0; pos < *len; pos += 2 + (size_t)get16(c->gen.p + pos))
		ptr[n++] = c->gen.p + pos;
	sort_type = type;
	qsort(ptr, n, sizeof(*ptr), cmp_rr);
	sign_buf_need(&c->gen2, *len);
	size_t out = 0;
	unsigned m = 0;
	for (unsigned i = 0; i < n; i++) {
		if (i > 0 && cmp_rr(&ptr[i - 1], &ptr[i]) == 0)
			continue;
		memcpy(c->gen2.p + out, ptr[i], 2 + (size_t)get16(ptr[i]));
		out += 2 + (size_t)get16(ptr[i]);
		m++;
	}
	memcpy(c->gen.p, c->gen2.p, out);
	*len = out;
	return m;
}

static int
emit_keyset(struct sign_ctx *c, uint16_t type, size_t len)
{
	struct sign_rrset rs = {
		.owner = c->origin, .type = type, .ttl = c->params->dnskey_ttl,
	};

	if (len == 0)
		return 0;
	rs.count = sign_sort_rrset(c, type, &len);
	rs.data = c->gen.p;
	rs.size = (uint32_t)len;
	return sign_emit(c, &rs, true);
}

/* The apex records the signer owns but the chains. */
static int
sign_apex_keys(struct sign_ctx *c)
{
	const struct sign_params *p = c->params;
	size_t len = 0;
	int rc;

	for (unsigned k = 0; k < p->nkeys; k++)
		if (p->keys[k].publish)
			sign_buf_rr(&c->gen, &len, p->keys[k].key->rdata,
			    p->keys[k].key->rdlen);
	c->has_dnskey = len > 0;
	if ((rc = emit_keyset(c, TYPE_DNSKEY, len)) != 0)
		return rc;
	c->has_cds = false;
	if (p->cds_delete) {
		/* RFC 8078 4: "0 0 0 00" and "0 3 0 AA==". */
		static const uint8_t cds_del[] = { 0, 0, 0, 0, 0 };
		static const uint8_t cdnskey_del[] = { 0, 0, 3, 0, 0 };
		len = 0;
		sign_buf_rr(&c->gen, &len, cds_del, sizeof(cds_del));
		if ((rc = emit_keyset(c, TYPE_CDS, len)) != 0)
			return rc;
		len = 0;
		sign_buf_rr(&c->gen, &len, cdnskey_del, sizeof(cdnskey_del));
		c->has_cds = true;
		return emit_keyset(c, TYPE_CDNSKEY, len);
	}
	len = 0;
	for (unsigned k = 0; k < p->nkeys; k++) {
		uint8_t ds[4 + 32];
		if (!p->keys[k].cds)
			continue;
		/* SHA-256 (RFC 4509 2), as for the parent's DS */
		if (dnskey_ds(p->keys[k].key, 2, ds, sizeof(ds)) !=
		    (int)sizeof(ds)) {
			snprintf(c->err, c->errlen, "SHA-256 failed");
			return APEX_ECRYPTO;
		}
		sign_buf_rr(&c->gen, &len, ds, sizeof(ds));
	}
	c->has_cds = len > 0;
	if ((rc = emit_keyset(c, TYPE_CDS, len)) != 0)
		return rc;
	len = 0;
	for (unsigned k = 0; k < p->nkeys; k++)
		if (p->keys[k].cds)
			sign_buf_rr(&c->gen, &len, p->keys[k].key->rdata,
			    p->keys[k].key->rdlen);
	return emit_keyset(c, TYPE_CDNSKEY, len);
}

/* ---- the zone's own records ----------------------------------------- */

bool
sign_owned_type(uint16_t type)
{
	switch (type) {
	case TYPE_RRSIG: case TYPE_NSEC: case TYPE_NSEC3:
	case TYPE_NSEC3PARAM: case TYPE_DNSKEY: case TYPE_CDS:
	case TYPE_CDNSKEY:
		return true;
	default:
		return false;
	}
}

/* The SOA with the new serial, in c->gen. */
static int
emit_soa(struct sign_ctx *c, const uint8_t *owner,
    const struct zone_rrset *soa)
{
	const uint8_t *r = zone_rrset_data(soa);
	size_t len = 0;
	uint16_t rdlen = get16(r);

	if (soa->count != 1 || rdlen < 22) {
		snprintf(c->err, c->errlen, "bad SOA");
		return APEX_EZONE;
	}
	sign_buf_rr(&c->gen, &len, r + 2, rdlen);
	put32(c->gen.p + len - 20, c->params->serial);
	struct sign_rrset rs = {
		.owner = owner, .type = TYPE_SOA, .ttl = zone_rrset_ttl(soa),
		.data = c->gen.p, .count = 1, .size = (uint32_t)len,
	};
	return sign_emit(c, &rs, true);
}

/* Every RRset of one node of the unsigned zone but the signer's own. */
static int
emit_node(struct sign_ctx *c, uint32_t i)
{
	const struct zone *z = c->z;
	const struct zone_node *n = zone_node(z, i);
	const uint8_t *owner = zone_node_name(z, n);
	const struct zone_rrset *rs = zone_rrset_first(z, n);
	int rc;

	if (n->flags & ZN_NSEC3)
		return 0;
	for (unsigned k = 0; k < n->nrrsets; k++, rs = zone_rrset_next(rs)) {
		if (sign_owned_type(rs->type))
			continue;
		if (i == 0 && rs->type == TYPE_SOA) {
			if ((rc = emit_soa(c, owner, rs)) != 0)
				return rc;
			continue;
		}
		bool auth = !(n->flags & ZN_OCCLUDED) &&
		    (!(n->flags & ZN_CUT) || rs->type == TYPE_DS);
		struct sign_rrset srs = {
			.owner = owner, .type = rs->type,
			.ttl = zone_rrset_ttl(rs), .data = zone_rrset_data(rs),
			.count = rs->count, .size = rs->size,
		};
		if ((rc = sign_emit(c, &srs, auth)) != 0)
			return rc;
	}
	return 0;
}

/* ---- the whole zone ------------------------------------------------- */

static void
report(void *arg, uint32_t tag, bool error, const char *msg)
{
	struct sign_ctx *c = arg;

	(void)tag;
	if (error && c->err[0] == '\0')
		snprintf(c->err, c->errlen, "%s", msg);
}

static void
ctx_free(struct sign_ctx *c)
{
	free(c->gen.p);
	free(c->gen2.p);
	free(c->ctmp.p);
	free(c->refs.p);
	free(c->data.p);
	free(c->done);
	free(c->tl);
	sign_pool_free(c);
	zone_builder_free(c->zb);
}

static int
sign_all(struct sign_ctx *c)
{
	const struct zone *z = c->z;
	int rc;

	if (zone_soa(z) == NULL) {
		snprintf(c->err, c->errlen, "no SOA at the apex");
		return APEX_EZONE;
	}
	for (uint32_t i = 0; i < z->hdr->node_count; i++)
		if ((rc = emit_node(c, i)) != 0)
			return rc;
	if ((rc = sign_apex_keys(c)) != 0)
		return rc;
	rc = c->params->nsec3 ? sign_nsec3_chain(c) : sign_nsec_chain(c);
	return rc != 0 ? rc : sign_flush(c);
}

int
sign_zone(const struct zone *unsigned_z, const struct zone *prev,
    const struct sign_params *p, void **blob, size_t *size,
    struct sign_stats *stats, char *err, size_t errlen)
{
	char none[1];

	/* Without room for a reason, still one to write to. */
	if (err == NULL || errlen == 0) {
		err = none;
		errlen = sizeof(none);
	}
	struct sign_ctx c = {
		.z = unsigned_z, .prev = prev, .params = p, .stats = stats,
		.err = err, .errlen = errlen, .origin = unsigned_z->origin,
		.origin_len = unsigned_z->hdr->origin_len,
		.rclass = (uint16_t)unsigned_z->hdr->rclass,
	};
	int rc;

	memset(stats, 0, sizeof(*stats));
	err[0] = '\0';
	c.zb = zone_builder_new(c.origin, c.rclass, report, &c);
	zone_builder_set_limits(c.zb, 0, 0, p->max_records);
	c.done = xcalloc(p->nkeys + 1, sizeof(*c.done));
	c.tl = xmalloc(sizeof(*c.tl));
	rc = sign_all(&c);
	if (rc == 0) {
		rc = zone_builder_finish(c.zb, blob, size);
		if (rc != 0 && err[0] == '\0')
			snprintf(err, errlen, "the signed zone does not build");
	} else if (rc == APEX_ELIMIT && err[0] == '\0')
		snprintf(err, errlen, "more than %u records", p->max_records);
	else if (err[0] == '\0')
		snprintf(err, errlen, "the signed zone does not build");
	ctx_free(&c);
	if (rc == 0 && stats->earliest_expiry != 0)
		stats->next_refresh = stats->earliest_expiry - p->refresh;
	return rc;
}
