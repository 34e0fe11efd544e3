/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * Reading whole messages from other servers: zone transfer responses,
 * SOA answers and NOTIFY replies. Every length is checked against the
 * message; names in RDATA are decompressed where RFC 3597 4 says they
 * may have been compressed.
 * Runs in: apex-xferd; fuzzed by regress/fuzz/fuzz_xfrin.c.
 */
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "pkt.h"
#include "rr.h"

int
pkt_read_begin(struct pkt_reader *r, const uint8_t *msg, size_t len,
    uint8_t qname[DNAME_MAXLEN], uint16_t *qtype, uint16_t *qclass)
{
	memset(r, 0, sizeof(*r));
	if (len < PKT_HDRLEN)
		return APEX_EMALF;
	r->msg = msg;
	r->len = len;
	r->id = get16(msg);
	r->flags = get16(msg + 2);
	for (unsigned i = 0; i < 4; i++)
		r->count[i] = get16(msg + 4 + 2 * i);
	r->pos = PKT_HDRLEN;
	if (r->count[0] > 1)
		return APEX_EMALF;
	if (r->count[0] == 1) {
		if (dname_unpack(msg, len, &r->pos, qname) < 0 ||
		    len - r->pos < 4)
			return APEX_EMALF;
		*qtype = get16(msg + r->pos);
		*qclass = get16(msg + r->pos + 2);
		r->pos += 4;
	} else
		qname[0] = 0;
	r->section = 1;
	r->left = r->count[1];
	return 0;
}

/* Decompresses the names of an RDATA into rr->buf. */
static int
read_rdata_names(struct pkt_reader *r, struct pkt_rr *rr, size_t pos,
    size_t end)
{
	size_t fixed, n = 0, out = 0;
	unsigned names;
	uint8_t name[DNAME_MAXLEN];

	rr_names_layout(rr->type, &fixed, &names);
	if (names == 0) {
		rr->rdata = r->msg + pos;
		return 0;
	}
	if (end - pos < fixed)
		return APEX_EMALF;
	memcpy(rr->buf, r->msg + pos, fixed);
	out = fixed;
	pos += fixed;
	for (unsigned i = 0; i < names; i++) {
		int l = dname_unpack(r->msg, end, &pos, name);
		if (l < 0)
			return APEX_EMALF;
		memcpy(rr->buf + out, name, (size_t)l);
		out += (size_t)l;
	}
	/* What follows the names (SOA's five counters) is copied. */
	n = end - pos;
	if (out + n > sizeof(rr->buf))
		return APEX_EMALF;
	memcpy(rr->buf + out, r->msg + pos, n);
	rr->rdata = rr->buf;
	rr->rdlen = (uint16_t)(out + n);
	return 0;
}

int
pkt_read_rr(struct pkt_reader *r, struct pkt_rr *rr)
{
	while (r->left == 0) {
		if (r->section >= 3)
			return APEX_ENOENT;
		r->section++;
		r->left = r->count[r->section];
	}
	rr->start = r->pos;
	rr->section = r->section;
	if (dname_unpack(r->msg, r->len, &r->pos, rr->owner) < 0 ||
	    r->len - r->pos < 10)
		return APEX_EMALF;
	const uint8_t *f = r->msg + r->pos;
	rr->type = get16(f);
	rr->rclass = get16(f + 2);
	rr->ttl = get32(f + 4);
	rr->rdlen = get16(f + 8);
	r->pos += 10;
	if (r->len - r->pos < rr->rdlen)
		return APEX_EMALF;
	size_t end = r->pos + rr->rdlen;
	if (read_rdata_names(r, rr, r->pos, end) != 0)
		return APEX_EMALF;
	r->pos = end;
	r->left--;
	return 0;
}

int
pkt_read_tsig(const uint8_t *msg, size_t len, size_t *pos)
{
	struct pkt_reader r;
	struct pkt_rr *rr = xmalloc(sizeof(*rr));
	uint8_t qname[DNAME_MAXLEN];
	uint16_t qtype, qclass;
	int rc;

	*pos = 0;
	if ((rc = pkt_read_begin(&r, msg, len, qname, &qtype, &qclass)) != 0)
		goto out;
	while ((rc = pkt_read_rr(&r, rr)) == 0) {
		if (rr->type != TYPE_TSIG)
			continue;
		if (rr->section != 3 || r.left != 0) {
			rc = APEX_EMALF;
			goto out;
		}
		*pos = rr->start;
	}
	rc = rc == APEX_ENOENT ? 0 : APEX_EMALF;
out:
	free(rr);
	return rc;
}
