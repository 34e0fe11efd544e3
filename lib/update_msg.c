/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * Reading an UPDATE message (RFC 2136 2): the zone section, and the
 * prerequisite and update sections into records with their names
 * uncompressed, checked as BIND checks them while it parses.
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

static size_t
arena_put(struct umsg *m, const void *p, size_t len)
{
	size_t off = m->alen;

	if (m->alen + len > m->acap) {
		m->acap = m->acap ? m->acap * 2 : 4096;
		while (m->acap < m->alen + len)
			m->acap *= 2;
		m->arena = xrealloc(m->arena, m->acap);
	}
	if (len > 0)
		memcpy(m->arena + off, p, len);
	m->alen += len;
	return off;
}

/*
 * The next record of the message. A record of class ANY or NONE has no
 * RDATA (RFC 2136 2.4, 2.5.2), which pkt_read_rr() would take for a
 * truncated name, so a record with RDLENGTH 0 is read here.
 */
static int
read_rec(struct pkt_reader *r, struct pkt_rr *rr)
{
	while (r->left == 0) {
		if (r->section >= 3)
			return APEX_ENOENT;
		r->section++;
		r->left = r->count[r->section];
	}
	size_t pos = r->pos;
	if (dname_unpack(r->msg, r->len, &pos, rr->owner) < 0 ||
	    r->len - pos < 10)
		return APEX_EMALF;
	if (get16(r->msg + pos + 8) != 0)
		return pkt_read_rr(r, rr);
	rr->start = r->pos;
	rr->section = r->section;
	rr->type = get16(r->msg + pos);
	rr->rclass = get16(r->msg + pos + 2);
	rr->ttl = get32(r->msg + pos + 4);
	rr->rdlen = 0;
	rr->rdata = r->msg + pos + 10;
	r->pos = pos + 10;
	r->left--;
	return 0;
}

/*
 * Whether an RDATA is well formed as far as apex knows the type: the
 * names of the types that carry them, with nothing after them but the
 * SOA's counters; the sizes of A and AAAA; an RRSIG's fixed part.
 */
static bool
rdata_ok(uint16_t type, const uint8_t *rd, size_t len)
{
	size_t fixed, pos;
	unsigned names;

	if (type == TYPE_A)
		return len == 4;
	if (type == TYPE_AAAA)
		return len == 16;
	if (type == TYPE_RRSIG)
		return len >= 18 && get16(rd) != 0;
	if (type == TYPE_SOA)
		return rr_soa_valid(rd, len);
	rr_names_layout(type, &fixed, &names);
	if (names == 0)
		return true;
	if (len < fixed)
		return false;
	pos = fixed;
	for (unsigned i = 0; i < names; i++) {
		int n = pos < len ? dname_scan(rd + pos, len - pos, NULL) : -1;
		if (n < 0)
			return false;
		pos += (size_t)n;
	}
	return pos == len;
}

/* The checks BIND makes while it parses an UPDATE (RFC 2136 2.4, 2.5):
 * empty RDATA where the class says so, well-formed RDATA elsewhere. */
static uint16_t
check_rec(const struct pkt_rr *rr, char *why, size_t wl)
{
	char t[16];
	bool empty = rr->rclass == CLASS_ANY ||
	    (rr->section == 1 && rr->rclass == CLASS_NONE);

	if (rr->type == TYPE_OPT || rr->type == TYPE_TSIG ||
	    rr->type == TYPE_TKEY)
		return ufail(why, wl, RCODE_FORMERR, "%s record in the %s "
		    "section", rr_type_str(rr->type, t), rr->section == 1 ?
		    "prerequisite" : "update");
	if (empty && rr->rdlen != 0)
		return ufail(why, wl, RCODE_FORMERR, "class %s %s with RDATA",
		    rr->rclass == CLASS_ANY ? "ANY" : "NONE",
		    rr->section == 1 ? "prerequisite" : "update");
	if (!empty && (rr->rdlen > 0 || rr->rclass != CLASS_ANY) &&
	    !rdata_ok(rr->type, rr->rdata, rr->rdlen))
		return ufail(why, wl, RCODE_FORMERR, "malformed %s RDATA",
		    rr_type_str(rr->type, t));
	return RCODE_NOERROR;
}

static void
msg_add(struct umsg *m, const struct pkt_rr *rr)
{
	uint8_t lname[DNAME_MAXLEN];
	size_t ol = dname_len(rr->owner);

	if (m->n == m->cap) {
		m->cap = m->cap ? m->cap * 2 : 16;
		m->rec = xreallocarray(m->rec, m->cap, sizeof(*m->rec));
	}
	struct mrec *r = &m->rec[m->n++];
	dname_lower(lname, rr->owner, ol);
	r->off = arena_put(m, rr->owner, ol);
	arena_put(m, lname, ol);
	arena_put(m, rr->rdata, rr->rdlen);
	r->hash = dname_hash(lname);
	r->ttl = rr->ttl;
	r->type = rr->type;
	r->rclass = rr->rclass;
	r->rdlen = rr->rdlen;
	r->covered = rr->type == TYPE_RRSIG && rr->rdlen >= 2 ?
	    get16(rr->rdata) : 0;
}

/* RFC 2136 3.1.1: one zone, of type SOA, and it must be this one. */
static uint16_t
read_zone(const struct update *up, struct pkt_reader *r, const uint8_t *msg,
    size_t len, char *why, size_t wl)
{
	uint8_t zname[DNAME_MAXLEN];
	uint16_t ztype, zclass;

	if (len < PKT_HDRLEN)
		return ufail(why, wl, RCODE_FORMERR, "message too short");
	uint16_t flags = get16(msg + 2);
	if ((flags & PKT_QR) || PKT_OPCODE(flags) != OPCODE_UPDATE)
		return ufail(why, wl, RCODE_FORMERR, "not an UPDATE request");
	if (get16(msg + 4) != 1)
		return ufail(why, wl, RCODE_FORMERR, "zone section has %u "
		    "records", get16(msg + 4));
	if (pkt_read_begin(r, msg, len, zname, &ztype, &zclass) != 0)
		return ufail(why, wl, RCODE_FORMERR, "malformed zone section");
	if (ztype != TYPE_SOA)
		return ufail(why, wl, RCODE_FORMERR, "zone section type is not "
		    "SOA");
	if (zclass == CLASS_ANY || zclass == CLASS_NONE)
		return ufail(why, wl, RCODE_FORMERR, "zone section class is a "
		    "meta-class");
	if (!dname_equal(zname, up->z->origin) || zclass != up->rclass)
		return ufail(why, wl, RCODE_NOTAUTH, "not authoritative for "
		    "the update zone");
	return RCODE_NOERROR;
}

/* Reads the prerequisite and update sections into m. */
uint16_t
update_read_msg(const struct update *up, struct umsg *m, const uint8_t *msg,
    size_t len, char *why, size_t wl)
{
	struct pkt_reader r;
	struct pkt_rr *rr = xmalloc(sizeof(*rr));
	uint16_t rc;

	if ((rc = read_zone(up, &r, msg, len, why, wl)) != RCODE_NOERROR)
		goto out;
	/* Only as many records as the two sections hold: the additional
	 * section may be cut off before its TSIG record. */
	unsigned total = (unsigned)r.count[1] + r.count[2];
	for (unsigned k = 0; k < total; k++) {
		if (read_rec(&r, rr) != 0) {
			rc = ufail(why, wl, RCODE_FORMERR, "malformed record "
			    "in the %s section", r.section <= 1 ?
			    "prerequisite" : "update");
			goto out;
		}
		if ((rc = check_rec(rr, why, wl)) != RCODE_NOERROR)
			goto out;
		msg_add(m, rr);
		if (rr->section == 1)
			m->npre++;
	}
	for (unsigned i = 0; rc == RCODE_NOERROR && i < m->n; i++) {
		struct mrec *x = &m->rec[i];
		size_t ol = dname_len(m->arena + x->off);
		x->owner = m->arena + x->off;
		x->lname = x->owner + ol;
		x->rdata = x->lname + ol;
	}
out:
	free(rr);
	return rc;
}

void
update_msg_free(struct umsg *m)
{
	free(m->rec);
	free(m->arena);
}

