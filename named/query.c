/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * query_process(): message checks (opcode, counts, class, EDNS), the zone
 * for the name, access control, then the answer builder.
 * Runs in: workers (unprivileged, seccomp), and the tests.
 */
#include <string.h>

#include "answer.h"
#include "dname.h"
#include "log.h"
#include "query.h"
#include "rr.h"

/* Room kept for the OPT record: 11 octets, NSID option with up to 255
 * octets of server id. */
#define OPT_RESERVE	(11 + 4 + 255)

/* Response size limit for this query (RFC 6891 6.2.3 and 6.2.5). */
static size_t
udp_limit(const struct query_env *env, const struct pkt_query *q)
{
	size_t limit = 512;

	if (q->edns) {
		limit = q->edns_udp_size < 512 ? 512 : q->edns_udp_size;
		if (limit > env->conf->max_udp_size)
			limit = env->conf->max_udp_size;
	}
	return limit;
}

/* The OPT record of the response: NSID when asked and configured. */
static void
put_opt(struct answer *a, size_t limit)
{
	const struct pkt_query *q = a->q;
	const char *id = a->env->conf->server_id;
	uint8_t opts[4 + 255];
	size_t optlen = 0;

	if (!q->edns)
		return;
	if (q->nsid && id != NULL) {
		size_t n = strlen(id);
		if (n > 255)
			n = 255;
		put16(opts, EDNS_NSID);
		put16(opts + 2, (uint16_t)n);
		memcpy(opts + 4, id, n);
		optlen = 4 + n;
	}
	a->w.cap = limit;
	if (pkt_put_opt(&a->w, a->env->conf->edns_udp_size,
	    (uint8_t)(a->rcode >> 4), q->edns_do, opts, optlen) == 0)
		pkt_count_add(&a->w, 10, 1);
}

/* Header flags of any response: QR, the opcode, RD and CD copied. */
static uint16_t
reply_flags(uint16_t qflags)
{
	return PKT_QR | (qflags & (0x7800 | PKT_RD | PKT_CD));
}

/* A response with just a header, the question if parsed, and OPT. */
static size_t
error_reply(struct answer *a, uint16_t rcode, size_t limit)
{
	const struct pkt_query *q = a->q;

	a->rcode = rcode;
	a->w.cap = limit - (q->edns ? OPT_RESERVE : 0);
	if (pkt_put_header_question(&a->w, q->id, a->flags,
	    q->has_question ? q->qname : NULL, q->qtype, q->qclass) != 0)
		return 0;
	put_opt(a, limit);
	put16(a->w.buf + 2, (uint16_t)(a->flags | (a->rcode & 0xf)));
	return a->w.len;
}

static bool
query_allowed(const struct query_env *env, const struct query_client *cl,
    const struct zonetab_entry *ze)
{
	const struct conf_zone *cz = ze->data;
	const struct acl *acl = cz != NULL && cz->allow_query != NULL ?
	    cz->allow_query : env->conf->allow_query;

	return acl_allows(acl, cl->addr, NULL);
}

/* Which sections minimal-responses lets us leave out. */
static void
set_minimal(struct answer *a)
{
	switch (a->env->conf->minimal_responses) {
	case MINIMAL_YES:
		a->minimal_auth = a->minimal_addl = true;
		break;
	case MINIMAL_NO:
		break;
	case MINIMAL_NO_AUTH:
		a->minimal_auth = true;
		break;
	case MINIMAL_NO_AUTH_RECURSIVE:
		a->minimal_auth = (a->q->flags & PKT_RD) != 0;
		break;
	}
}

/* The zone and its answer, for a well-formed IN or ANY-class query. */
static void
query_zone(struct answer *a, const struct query_client *cl)
{
	const struct pkt_query *q = a->q;
	const struct zonetab *zones = a->env->zones;
	uint32_t h[DNAME_MAXLABELS + 1];

	dname_hash_suffixes(q->lname, &q->qview, h);
	const struct zonetab_entry *ze = zonetab_find(zones, q->lname,
	    &q->qview, h, 0);
	/* DS at a zone apex is the parent's data, when we serve the
	 * parent (RFC 4035 3.1.4.1). */
	if (ze != NULL && q->qtype == TYPE_DS && q->qview.labels > 0 &&
	    ze->zone.hdr->origin_labels == q->qview.labels) {
		const struct zonetab_entry *parent = zonetab_find(zones,
		    q->lname, &q->qview, h, 1);
		if (parent != NULL)
			ze = parent;
	}
	if (ze == NULL || !query_allowed(a->env, cl, ze)) {
		a->rcode = RCODE_REFUSED;
		return;
	}
	answer_build(a, ze);
}

/* QTYPEs that cannot be asked for (RFC 6895 3.1). */
static bool
qtype_is_bad(uint16_t qtype)
{
	return qtype == TYPE_OPT || qtype == TYPE_TSIG ||
	    qtype == TYPE_TKEY;
}

size_t
query_process(const struct query_env *env, const struct query_client *cl,
    const uint8_t *req, size_t len, uint8_t *resp, size_t cap,
    struct query_result *res)
{
	struct pkt_query q;
	struct answer a;

	memset(res, 0, sizeof(*res));
	enum pkt_verdict v = pkt_parse_query(req, len, &q);
	if (v == PKT_DROP)
		return 0;
	memset(&a, 0, sizeof(a));
	a.env = env;
	a.q = &q;
	a.flags = reply_flags(q.flags);
	pkt_writer_init(&a.w, resp, cap);
	size_t limit = cl->tcp ? PKT_MAXLEN : udp_limit(env, &q);
	if (limit > cap)
		limit = cap;
	res->answered = true;
	res->qtype = q.has_question ? q.qtype : 0;

	size_t n;
	if (v == PKT_FORMERR)
		n = error_reply(&a, RCODE_FORMERR, limit);
	else if (v == PKT_NOTIMP || PKT_OPCODE(q.flags) != OPCODE_QUERY)
		n = error_reply(&a, RCODE_NOTIMP, limit);
	else if (q.edns && q.edns_version != 0)
		n = error_reply(&a, RCODE_BADVERS, limit); /* RFC 6891 6.1.3 */
	else if (qtype_is_bad(q.qtype))
		n = error_reply(&a, RCODE_FORMERR, limit);
	else {
		a.w.cap = limit - (q.edns ? OPT_RESERVE : 0);
		if (pkt_put_header_question(&a.w, q.id, a.flags, q.qname,
		    q.qtype, q.qclass) != 0)
			return 0;
		set_minimal(&a);
		if (q.qclass == CLASS_CH)
			answer_chaos(&a);
		else if (q.qclass != CLASS_IN && q.qclass != CLASS_ANY)
			a.rcode = RCODE_REFUSED;
		else if (q.qtype == TYPE_AXFR || q.qtype == TYPE_IXFR)
			a.rcode = RCODE_REFUSED;	/* not yet served */
		else
			query_zone(&a, cl);
		put_opt(&a, limit);
		if (a.tc)
			a.flags |= PKT_TC;
		put16(a.w.buf + 2, (uint16_t)(a.flags | (a.rcode & 0xf)));
		n = a.w.len;
	}
	res->rcode = a.rcode;
	res->tc = a.tc;
	return n;
}
