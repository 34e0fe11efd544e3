/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * The signer's denial of existence: the NSEC chain (RFC 4034 4) or the
 * NSEC3 chain and NSEC3PARAM (RFC 5155 7.1, RFC 9276), each record made
 * from the unsigned zone's nodes and signed through sign_emit(), which
 * keeps the previous image's signatures when the record is unchanged.
 * Runs in: the signer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dname.h"
#include "error.h"
#include "nsec3.h"
#include "rr.h"
#define SIGN_PRIVATE
#include "sign.h"

/* ---- denial of existence ------------------------------------------ */

/* Whether node i of the unsigned zone keeps any record in the signed
 * one (the apex always does: its SOA). */
static bool
node_kept(const struct sign_ctx *c, uint32_t i)
{
	const struct zone_node *n = zone_node(c->z, i);
	const struct zone_rrset *rs = zone_rrset_first(c->z, n);

	if (i == 0)
		return true;
	if (n->flags & ZN_NSEC3)
		return false;
	for (unsigned k = 0; k < n->nrrsets; k++, rs = zone_rrset_next(rs))
		if (!sign_owned_type(rs->type))
			return true;
	return false;
}

static void
types_add(struct typelist *tl, uint16_t type)
{
	unsigned i = tl->n;

	/* Insertion: a node has a handful of types. */
	while (i > 0 && tl->t[i - 1] > type)
		i--;
	if (i > 0 && tl->t[i - 1] == type)
		return;
	memmove(&tl->t[i + 1], &tl->t[i], (tl->n - i) * sizeof(tl->t[0]));
	tl->t[i] = type;
	tl->n++;
}

/*
 * The types at node i in the signed zone, for its NSEC or NSEC3 bitmap:
 * its records but the signer's, the apex records the signer adds, and
 * RRSIG where anything is signed (at a delegation only a DS is).
 * Returns whether anything is signed at the name but its NSEC.
 */
static bool
node_types(const struct sign_ctx *c, uint32_t i, struct typelist *tl)
{
	const struct zone_node *n = zone_node(c->z, i);
	const struct zone_rrset *rs = zone_rrset_first(c->z, n);
	bool sig = false;

	tl->n = 0;
	for (unsigned k = 0; k < n->nrrsets; k++, rs = zone_rrset_next(rs)) {
		if (sign_owned_type(rs->type))
			continue;
		types_add(tl, rs->type);
		if (!(n->flags & ZN_CUT) || rs->type == TYPE_DS)
			sig = true;
	}
	if (i == 0) {
		if (c->has_dnskey)
			types_add(tl, TYPE_DNSKEY);
		if (c->has_cds) {
			types_add(tl, TYPE_CDS);
			types_add(tl, TYPE_CDNSKEY);
		}
		if (c->params->nsec3)
			types_add(tl, TYPE_NSEC3PARAM);
	}
	if (sig)
		types_add(tl, TYPE_RRSIG);
	return sig;
}

/* The RFC 4034 4.1.2 type bitmap of a sorted list; returns its length
 * (out has room for 32 windows of 34 octets). */
static size_t
bitmap_encode(const struct typelist *tl, uint8_t *out)
{
	size_t len = 0;
	unsigned i = 0;

	while (i < tl->n) {
		unsigned win = tl->t[i] >> 8;
		uint8_t *w = out + len;
		unsigned blen = 0;
		memset(w, 0, 34);
		for (; i < tl->n && (unsigned)(tl->t[i] >> 8) == win; i++) {
			unsigned b = tl->t[i] & 0xff;
			w[2 + b / 8] |= (uint8_t)(0x80 >> (b % 8));
			blen = b / 8 + 1;
		}
		w[0] = (uint8_t)win;
		w[1] = (uint8_t)blen;
		len += 2 + blen;
	}
	return len;
}

/* RFC 9077: the TTL of NSEC and NSEC3 is min(SOA TTL, SOA MINIMUM). */
static uint32_t
denial_ttl(const struct sign_ctx *c)
{
	const struct zone_rrset *soa = zone_soa(c->z);
	const uint8_t *r = zone_rrset_data(soa);
	uint32_t min = get32(r + 2 + get16(r) - 4);

	return min < zone_rrset_ttl(soa) ? min : zone_rrset_ttl(soa);
}

static bool
in_nsec_chain(const struct sign_ctx *c, uint32_t i)
{
	const struct zone_node *n = zone_node(c->z, i);

	return !(n->flags & (ZN_OCCLUDED | ZN_NSEC3)) && node_kept(c, i);
}

static int
emit_nsec(struct sign_ctx *c, uint32_t i, uint32_t next)
{
	struct typelist *tl = c->tl;
	uint8_t rd[DNAME_MAXLEN + 32 * 34];
	const struct zone_node *nn = zone_node(c->z, next);
	size_t len = 0;

	node_types(c, i, tl);
	types_add(tl, TYPE_RRSIG);
	types_add(tl, TYPE_NSEC);
	memcpy(rd, zone_node_name(c->z, nn), nn->name_len);
	size_t rdlen = nn->name_len + bitmap_encode(tl, rd + nn->name_len);
	sign_buf_rr(&c->gen, &len, rd, rdlen);
	struct sign_rrset rs = {
		.owner = zone_node_name(c->z, zone_node(c->z, i)),
		.type = TYPE_NSEC, .ttl = c->denial_ttl, .data = c->gen.p,
		.count = 1, .size = (uint32_t)len,
	};
	return sign_emit(c, &rs, true);
}

/* Authoritative names and delegations with data, in canonical order,
 * the last pointing back at the apex (RFC 4034 4.1.1). */
int
sign_nsec_chain(struct sign_ctx *c)
{
	uint32_t cur = 0;
	int rc;

	c->denial_ttl = denial_ttl(c);
	for (uint32_t i = 1; i < c->z->hdr->node_count; i++) {
		if (!in_nsec_chain(c, i))
			continue;
		if ((rc = emit_nsec(c, cur, i)) != 0)
			return rc;
		cur = i;
	}
	return emit_nsec(c, cur, 0);
}

struct n3ent {
	uint8_t		hash[NSEC3_HASHLEN];
	uint32_t	node;
};

static int
cmp_n3ent(const void *a, const void *b)
{
	return memcmp(a, b, NSEC3_HASHLEN);
}

/*
 * Which nodes exist in the signed zone: those that keep a record and
 * their ancestors (the empty non-terminals). A node whose records were
 * all the signer's is gone unless something below it stays.
 */
static uint8_t *
live_nodes(const struct sign_ctx *c)
{
	uint32_t count = c->z->hdr->node_count;
	uint8_t *live = xcalloc(count, 1);

	for (uint32_t i = 0; i < count; i++) {
		if (!node_kept(c, i))
			continue;
		live[i] = 1;
		const uint8_t *name = zone_node_name(c->z, zone_node(c->z, i));
		for (uint32_t up = i; up != 0;) {
			name += 1 + name[0];
			up = zone_find_name(c->z, name);
			if (up == ZONE_NONE || live[up])
				break;
			live[up] = 1;
		}
	}
	return live;
}

/* The NSEC3 names: every live authoritative name but, with opt-out,
 * delegations without DS. Empty non-terminals above such delegations
 * stay in the chain (RFC 5155 7.1 allows either). */
static struct n3ent *
n3_entries(const struct sign_ctx *c, uint32_t *nent)
{
	const struct sign_params *p = c->params;
	uint32_t count = c->z->hdr->node_count, n = 0;
	uint8_t *live = live_nodes(c);
	struct n3ent *e = xreallocarray(NULL, count, sizeof(*e));

	for (uint32_t i = 0; i < count; i++) {
		const struct zone_node *node = zone_node(c->z, i);
		if (!live[i] || (node->flags & (ZN_OCCLUDED | ZN_NSEC3)))
			continue;
		if (p->optout && (node->flags & ZN_CUT) &&
		    zone_find_rrset(c->z, node, TYPE_DS) == NULL)
			continue;
		nsec3_hash(zone_node_name(c->z, node), node->name_len,
		    p->salt, p->saltlen, p->iterations, e[n].hash);
		e[n++].node = i;
	}
	free(live);
	qsort(e, n, sizeof(*e), cmp_n3ent);
	*nent = n;
	return e;
}

static int
emit_nsec3(struct sign_ctx *c, const struct n3ent *e, const uint8_t *next)
{
	struct typelist *tl = c->tl;
	const struct sign_params *p = c->params;
	uint8_t rd[5 + 255 + 1 + NSEC3_HASHLEN + 32 * 34];
	uint8_t owner[DNAME_MAXLEN];
	size_t len = 0, pos = 0;

	node_types(c, e->node, tl);
	rd[pos++] = NSEC3_HASH_SHA1;
	rd[pos++] = p->optout ? NSEC3_OPTOUT : 0;
	put16(rd + pos, p->iterations);
	pos += 2;
	rd[pos++] = p->saltlen;
	memcpy(rd + pos, p->salt, p->saltlen);
	pos += p->saltlen;
	rd[pos++] = NSEC3_HASHLEN;
	memcpy(rd + pos, next, NSEC3_HASHLEN);
	pos += NSEC3_HASHLEN;
	pos += bitmap_encode(tl, rd + pos);
	sign_buf_rr(&c->gen, &len, rd, pos);
	owner[0] = (uint8_t)base32hex_encode(e->hash, NSEC3_HASHLEN,
	    (char *)owner + 1);
	memcpy(owner + 1 + owner[0], c->origin, c->origin_len);
	struct sign_rrset rs = {
		.owner = owner, .type = TYPE_NSEC3, .ttl = c->denial_ttl,
		.data = c->gen.p, .count = 1, .size = (uint32_t)len,
	};
	return sign_emit(c, &rs, true);
}

static int
emit_nsec3param(struct sign_ctx *c)
{
	const struct sign_params *p = c->params;
	uint8_t rd[5 + 255];
	size_t len = 0;

	rd[0] = NSEC3_HASH_SHA1;
	rd[1] = 0;
	put16(rd + 2, p->iterations);
	rd[4] = p->saltlen;
	memcpy(rd + 5, p->salt, p->saltlen);
	sign_buf_rr(&c->gen, &len, rd, 5 + (size_t)p->saltlen);
	struct sign_rrset rs = {
		.owner = c->origin, .type = TYPE_NSEC3PARAM, .ttl = 0,
		.data = c->gen.p, .count = 1, .size = (uint32_t)len,
	};
	return sign_emit(c, &rs, true);
}

/* RFC 5155 7.1: the hashed names in hash order, the last pointing back
 * at the first, and NSEC3PARAM at the apex. */
int
sign_nsec3_chain(struct sign_ctx *c)
{
	uint32_t n;
	int rc = 0;

	c->denial_ttl = denial_ttl(c);
	if (c->origin_len + 1 + 32 > DNAME_MAXLEN) {
		snprintf(c->err, c->errlen, "origin too long for NSEC3");
		return APEX_EZONE;
	}
	struct n3ent *e = n3_entries(c, &n);
	for (uint32_t i = 0; i < n && rc == 0; i++) {
		if (i + 1 < n && memcmp(e[i].hash, e[i + 1].hash,
		    NSEC3_HASHLEN) == 0) {
			snprintf(c->err, c->errlen, "NSEC3 hash collision");
			rc = APEX_EZONE;
			break;
		}
		rc = emit_nsec3(c, &e[i], e[(i + 1) % n].hash);
	}
	free(e);
	return rc != 0 ? rc : emit_nsec3param(c);
}
