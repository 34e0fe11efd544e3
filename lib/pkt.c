/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * Query parsing and response writing.
 * Runs in: workers (every packet), and the tests. pkt_parse_query() reads
 * untrusted bytes.
 */
#include <string.h>

#include "dname.h"
#include "error.h"
#include "pkt.h"
#include "rr.h"

/* ---- reader ------------------------------------------------------ */

/* Skips one resource record; returns its TYPE, CLASS, TTL and RDATA. */
static int
skip_rr(const uint8_t *wire, size_t len, size_t *pos, uint8_t *owner,
    uint16_t *type, uint16_t *rclass, uint32_t *ttl, size_t *rdata,
    uint16_t *rdlen)
{
	if (dname_unpack(wire, len, pos, owner) < 0 || len - *pos < 10)
		return APEX_EMALF;
	const uint8_t *p = wire + *pos;
	*type = get16(p);
	*rclass = get16(p + 2);
	*ttl = get32(p + 4);
	*rdlen = get16(p + 8);
	*pos += 10;
	if (len - *pos < *rdlen)
		return APEX_EMALF;
	*rdata = *pos;
	*pos += *rdlen;
	return 0;
}

/* RFC 6891 6.1.2 and 6.1.3: the OPT pseudo-RR and its options. */
static int
parse_opt(const uint8_t *wire, const uint8_t *owner, uint16_t rclass,
    uint32_t ttl, size_t rdata, uint16_t rdlen, struct pkt_query *q)
{
	if (q->edns || owner[0] != 0)
		return APEX_EMALF;
	q->nsid = q->expire = q->bad_cookie = false;
	q->cookie_len = 0;
	q->edns = true;
	q->edns_udp_size = rclass;
	q->edns_ext_rcode = (uint8_t)(ttl >> 24);
	q->edns_version = (uint8_t)(ttl >> 16);
	q->edns_do = (ttl & 0x8000) != 0;
	const uint8_t *p = wire + rdata, *end = p + rdlen;
	while (p < end) {
		if (end - p < 4)
			return APEX_EMALF;
		uint16_t code = get16(p), olen = get16(p + 2);
		p += 4;
		if (end - p < olen)
			return APEX_EMALF;
		switch (code) {
		case EDNS_NSID:
			q->nsid = true;
			break;
		case EDNS_EXPIRE:
			/* RFC 7314 2: empty in a query; as BIND does, a
			 * value there is ignored. */
			q->expire = true;
			break;
		case EDNS_COOKIE:
			/* RFC 7873 5.2.2: 8 octets, or 16 to 40 octets;
			 * anything else is answered with FORMERR (and OPT). */
			if (q->cookie_len != 0 || q->bad_cookie)
				break;	/* only the first one counts */
			if (olen < 8 || olen > 40 || (olen > 8 && olen < 16)) {
				q->bad_cookie = true;
				q->cookie_len = 0;
				break;
			}
			memcpy(q->cookie, p, olen);
			q->cookie_len = (uint8_t)olen;
			break;
		}
		p += olen;
	}
	return 0;
}

enum pkt_verdict
pkt_parse_query(const uint8_t *wire, size_t len, struct pkt_query *q)
{
	uint8_t owner[DNAME_MAXLEN];
	size_t pos = PKT_HDRLEN;

	if (len < PKT_HDRLEN)
		return PKT_DROP;
	q->id = get16(wire);
	q->flags = get16(wire + 2);
	if (q->flags & PKT_QR)
		return PKT_DROP;
	q->qdcount = get16(wire + 4);
	unsigned ancount = get16(wire + 6), nscount = get16(wire + 8);
	unsigned arcount = get16(wire + 10);
	q->has_question = false;
	q->edns = q->nsid = q->expire = q->tsig = q->edns_do = false;
	q->bad_cookie = false;
	q->has_soa = false;
	q->cookie_len = 0;
	q->question_len = 0;

	if (q->qdcount >= 1) {
		/* Question names are never compressed: only the header
		 * precedes them, so any pointer is invalid. */
		int n = dname_scan(wire + pos, len - pos, &q->qview);
		if (n < 0 || len - pos - (size_t)n < 4)
			return PKT_FORMERR;
		memcpy(q->qname, wire + pos, (size_t)n);
		dname_lower(q->lname, q->qname, (size_t)n);
		pos += (size_t)n;
		q->qtype = get16(wire + pos);
		q->qclass = get16(wire + pos + 2);
		pos += 4;
		q->question_len = (uint16_t)(pos - PKT_HDRLEN);
		q->has_question = q->qdcount == 1;
	}
	/* An opcode we do not know is NOTIMP, but only once the message
	 * has parsed, so that its OPT is known (as BIND does). */
	bool notimp = PKT_OPCODE(q->flags) != OPCODE_QUERY &&
	    PKT_OPCODE(q->flags) != OPCODE_NOTIFY &&
	    PKT_OPCODE(q->flags) != OPCODE_UPDATE;
	if (q->qdcount > 1 || (q->qdcount == 0 && !notimp))
		return notimp ? PKT_NOTIMP : PKT_FORMERR;

	for (unsigned i = 0; i < ancount + nscount + arcount; i++) {
		uint16_t type, rclass, rdlen;
		uint32_t ttl;
		size_t rdata, start = pos;
		if (skip_rr(wire, len, &pos, owner, &type, &rclass, &ttl,
		    &rdata, &rdlen) != 0)
			return PKT_FORMERR;
		bool additional = i >= ancount + nscount;
		if (type == TYPE_SOA && i >= ancount && !additional &&
		    rdlen >= 22 && q->has_question &&
		    dname_equal(owner, q->qname)) {
			q->has_soa = true;
			q->soa_serial = rr_soa_serial(wire + rdata, rdlen);
		}
		if (type == TYPE_OPT) {
			/* A bad OPT gets a FORMERR without one (RFC 6891
			 * 7: we cannot know what the client speaks). */
			if (!additional || parse_opt(wire, owner, rclass, ttl,
			    rdata, rdlen, q) != 0) {
				q->edns = false;
				return PKT_FORMERR;
			}
		} else if (type == TYPE_TSIG) {
			/* RFC 8945 5.1: the last record, once. */
			if (!additional || i != ancount + nscount + arcount - 1)
				return PKT_FORMERR;
			q->tsig = true;
			q->tsig_pos = (uint16_t)start;
		}
	}
	/* Octets after the last record are ignored, as by BIND. */
	if (q->bad_cookie)
		return PKT_FORMERR;
	return notimp ? PKT_NOTIMP : PKT_OK;
}

/* ---- writer ------------------------------------------------------ */

void
pkt_writer_init(struct pkt_writer *w, uint8_t *buf, size_t cap)
{
	w->buf = buf;
	w->len = 0;
	w->cap = cap > PKT_MAXLEN ? PKT_MAXLEN : cap;
	w->ncomp = 0;
}

/* Records where each label of a name just written at pos starts. */
static void
comp_add(struct pkt_writer *w, size_t pos, const struct dname_view *v,
    unsigned upto)
{
	for (unsigned i = 0; i < upto && w->ncomp < PKT_COMP_MAX; i++) {
		size_t off = pos + v->off[i];
		if (off > 0x3fff)
			return;
		w->comp_off[w->ncomp] = (uint16_t)off;
		w->comp_labels[w->ncomp] = (uint8_t)(v->labels - i);
		w->ncomp++;
	}
}

/* Whether the name at packet offset off is the suffix s (k labels),
 * octet for octet. */
static bool
comp_match(const struct pkt_writer *w, size_t off, const uint8_t *s,
    unsigned k)
{
	const uint8_t *b = w->buf;

	for (unsigned n = 0; n < k; n++) {
		while ((b[off] & 0xc0) == 0xc0)
			off = (size_t)(b[off] & 0x3f) << 8 | b[off + 1];
		uint8_t l = b[off];
		/* Case-sensitive, so names keep the case they were stored
		 * or asked with (BIND compresses the same way). */
		if (l != s[0] || memcmp(b + off + 1, s + 1, l) != 0)
			return false;
		off += 1 + l;
		s += 1 + l;
	}
	return true;
}

static int
put_name_view(struct pkt_writer *w, const uint8_t *name,
    const struct dname_view *v, bool compress)
{
	unsigned i;
	int ptr = -1;

	if (compress) {
		for (i = 0; i < v->labels && ptr < 0; i++) {
			unsigned k = v->labels - i;
			for (unsigned e = 0; e < w->ncomp; e++)
				if (w->comp_labels[e] == k &&
				    comp_match(w, w->comp_off[e],
				    name + v->off[i], k)) {
					ptr = w->comp_off[e];
					break;
				}
			if (ptr >= 0)
				break;
		}
	} else
		i = v->labels;
	size_t prefix = ptr >= 0 ? v->off[i] : v->len;
	size_t need = prefix + (ptr >= 0 ? 2 : 0);
	if (w->cap - w->len < need)
		return APEX_ESPACE;
	size_t pos = w->len;
	memcpy(w->buf + pos, name, prefix);
	w->len += prefix;
	if (ptr >= 0) {
		put16(w->buf + w->len, (uint16_t)(0xc000 | ptr));
		w->len += 2;
	}
	comp_add(w, pos, v, ptr >= 0 ? i : v->labels);
	return 0;
}

int
pkt_put_name(struct pkt_writer *w, const uint8_t *name, bool compress)
{
	struct dname_view v;

	if (dname_scan(name, DNAME_MAXLEN, &v) < 0)
		return APEX_EINVAL;
	return put_name_view(w, name, &v, compress);
}

int
pkt_put_header_question(struct pkt_writer *w, uint16_t id, uint16_t flags,
    const uint8_t *qname, uint16_t qtype, uint16_t qclass)
{
	if (w->cap < PKT_HDRLEN)
		return APEX_ESPACE;
	memset(w->buf, 0, PKT_HDRLEN);
	put16(w->buf, id);
	put16(w->buf + 2, flags);
	w->len = PKT_HDRLEN;
	w->ncomp = 0;
	if (qname == NULL)
		return 0;
	struct pkt_mark m = pkt_mark(w);
	if (pkt_put_name(w, qname, true) != 0 || w->cap - w->len < 4) {
		pkt_rollback(w, m);
		return APEX_ESPACE;
	}
	put16(w->buf + w->len, qtype);
	put16(w->buf + w->len + 2, qclass);
	w->len += 4;
	put16(w->buf + 4, 1);
	return 0;
}

/* Writes a name from RDATA; compressed or not. Returns octets consumed. */
static int
put_rdata_name(struct pkt_writer *w, const uint8_t *rd, size_t max,
    bool compress)
{
	struct dname_view v;
	int n = dname_scan(rd, max, &v);

	if (n < 0)
		return APEX_EMALF;
	if (put_name_view(w, rd, &v, compress) != 0)
		return APEX_ESPACE;
	return n;
}

static int	put_rr_rest(struct pkt_writer *, struct pkt_mark,
		    const uint8_t wire[8], const uint8_t *rec, uint64_t ttl);

int
pkt_put_rr(struct pkt_writer *w, const uint8_t *owner, const uint8_t wire[8],
    const uint8_t *rec, uint64_t ttl)
{
	struct pkt_mark m = pkt_mark(w);

	if (pkt_put_name(w, owner, true) != 0) {
		pkt_rollback(w, m);
		return APEX_ESPACE;
	}
	return put_rr_rest(w, m, wire, rec, ttl);
}

int
pkt_put_rr_again(struct pkt_writer *w, size_t at, const uint8_t wire[8],
    const uint8_t *rec, uint64_t ttl)
{
	struct pkt_mark m = pkt_mark(w);
	const uint8_t *b = w->buf + at;

	if (w->cap - w->len < 2)
		return APEX_ESPACE;
	/* An owner written as a bare pointer is repeated as it is, so no
	 * pointer ever points at another; otherwise it is pointed at. */
	if ((b[0] & 0xc0) == 0xc0)
		memcpy(w->buf + w->len, b, 2);
	else if (at <= 0x3fff)
		put16(w->buf + w->len, (uint16_t)(0xc000 | at));
	else
		return APEX_EINVAL;
	w->len += 2;
	return put_rr_rest(w, m, wire, rec, ttl);
}

/* TYPE CLASS TTL, RDLENGTH and RDATA after the owner; on failure the
 * writer goes back to m. */
static int
put_rr_rest(struct pkt_writer *w, struct pkt_mark m, const uint8_t wire[8],
    const uint8_t *rec, uint64_t ttl)
{
	uint16_t rdlen = get16(rec);
	const uint8_t *rd = rec + 2;

	if (w->cap - w->len < 10)
		goto full;
	memcpy(w->buf + w->len, wire, 8);
	if (ttl != PKT_TTL_KEEP)
		put32(w->buf + w->len + 4, (uint32_t)ttl);
	size_t rdlen_pos = w->len + 8;
	w->len += 10;

	uint16_t type = get16(wire);
	bool compress = rr_type_compresses(type);
	size_t done = 0, fixed;
	unsigned names;
	int n;
	rr_names_layout(type, &fixed, &names);
	if (rdlen < fixed)
		names = 0;
	if (names > 0) {
		if (w->cap - w->len < fixed)
			goto full;
		memcpy(w->buf + w->len, rd, fixed);
		w->len += fixed;
		done = fixed;
	}
	for (unsigned k = 0; k < names && done <= rdlen; k++) {
		n = put_rdata_name(w, rd + done, rdlen - done, compress);
		if (n == APEX_ESPACE)
			goto full;
		if (n < 0)
			break;	/* malformed: the rest goes out as stored */
		done += (size_t)n;
	}
	/* The rest (or all of a malformed RDATA) goes out as stored. */
	if (w->cap - w->len < rdlen - done)
		goto full;
	memcpy(w->buf + w->len, rd + done, rdlen - done);
	w->len += rdlen - done;
	put16(w->buf + rdlen_pos, (uint16_t)(w->len - rdlen_pos - 2));
	return 0;
full:
	pkt_rollback(w, m);
	return APEX_ESPACE;
}

int
pkt_put_opt(struct pkt_writer *w, uint16_t udp_size, uint8_t ext_rcode,
    bool do_bit, const uint8_t *options, size_t optlen)
{
	if (w->cap - w->len < 11 + optlen)
		return APEX_ESPACE;
	uint8_t *p = w->buf + w->len;
	p[0] = 0;
	put16(p + 1, TYPE_OPT);
	put16(p + 3, udp_size);
	p[5] = ext_rcode;
	p[6] = 0;	/* version 0 */
	put16(p + 7, do_bit ? 0x8000 : 0);
	put16(p + 9, (uint16_t)optlen);
	if (optlen > 0)
		memcpy(p + 11, options, optlen);
	w->len += 11 + optlen;
	return 0;
}
