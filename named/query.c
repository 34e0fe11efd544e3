/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * query_process(): message checks (opcode, counts, class, EDNS), the zone
 * for the name, access control, then the answer builder.
 * Runs in: workers (unprivileged, seccomp), and the tests.
 */
#include <stdio.h>
#include <string.h>
#include <netinet/in.h>

#include "answer.h"
#include "conf.h"
#include "dname.h"
#include "log.h"
#include "query.h"
#include "rr.h"
#include "siphash.h"

#define COOKIE_LEN	24	/* client cookie and our server cookie */

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

/* SipHash-2-4 over the first 16 octets of a server cookie (the client
 * cookie, version, reserved octets and time) and the client's address
 * (RFC 9018 4.4). */
static void
cookie_mac(const struct answer *a, const struct sockaddr *sa,
    const uint8_t head[16], uint8_t out[8])
{
	uint8_t in[8 + 8 + 16];
	size_t n = 16;

	memcpy(in, head, 16);
	if (sa->sa_family == AF_INET) {
		memcpy(in + n, &((const struct sockaddr_in *)(const void *)sa)
		    ->sin_addr, 4);
		n += 4;
	} else if (sa->sa_family == AF_INET6) {
		memcpy(in + n, &((const struct sockaddr_in6 *)(const void *)
		    sa)->sin6_addr, 16);
		n += 16;
	}
	siphash24(a->env->conf->cookie_secret, in, n, out);
}

/*
 * A server cookie for the client cookie of q (RFC 9018 4): version 1,
 * three reserved octets, the time, and the MAC. Always fresh.
 * Returns: octets written to out (40 at most).
 */
static size_t
make_cookie(const struct answer *a, const struct sockaddr *sa, uint8_t *out)
{
	memcpy(out, a->q->cookie, 8);
	out[8] = 1;
	out[9] = out[10] = out[11] = 0;
	put32(out + 12, a->env->now);
	cookie_mac(a, sa, out, out + 16);
	return 24;
}

/*
 * Whether the query brings back a server cookie of ours for this
 * client, made at most an hour ago (or five minutes ahead, for the
 * clocks of an anycast group; RFC 9018 4.3). Only rate limiting asks:
 * such a client is not spoofed.
 */
static bool
cookie_is_ours(const struct answer *a)
{
	const struct pkt_query *q = a->q;
	uint8_t mac[8], diff = 0;

	if (q->cookie_len != COOKIE_LEN || q->cookie[8] != 1 ||
	    !a->env->conf->answer_cookie || a->client == NULL)
		return false;
	int32_t age = (int32_t)(a->env->now - get32(q->cookie + 12));
	if (age > 3600 || age < -300)
		return false;
	cookie_mac(a, a->client, q->cookie, mac);
	for (unsigned i = 0; i < 8; i++)
		diff |= mac[i] ^ q->cookie[16 + i];
	return diff == 0;
}

/* Whether the response carries NSID and COOKIE options. */
static bool
want_nsid(const struct answer *a)
{
	return a->q->nsid && a->env->conf->server_id != NULL &&
	    !a->no_room_nsid;
}

static bool
want_cookie(const struct answer *a)
{
	return a->q->cookie_len > 0 && a->env->conf->answer_cookie &&
	    a->client != NULL && a->rcode != RCODE_BADVERS &&
	    !a->no_room_cookie;
}

/* Room the OPT record needs, kept free while the sections are written;
 * an extended error is added only if it still fits. */
static size_t
opt_size(const struct answer *a)
{
	size_t n = 11;

	if (!a->q->edns)
		return 0;
	if (want_nsid(a)) {
		size_t id = strlen(a->env->conf->server_id);
		n += 4 + (id > 255 ? 255 : id);
	}
	if (want_cookie(a))
		n += 4 + COOKIE_LEN;
	/* Kept before the answer is known, for the EXPIRE it may get. */
	if (a->q->expire && a->q->qtype == TYPE_SOA)
		n += 8;
	return n;
}

/* The OPT record: NSID when asked and configured, a server cookie when
 * the client sent one, and an extended error if there is room. */
static void
put_opt(struct answer *a, size_t limit)
{
	const struct pkt_query *q = a->q;
	const char *id = a->env->conf->server_id;
	uint8_t opts[4 + 255 + 4 + COOKIE_LEN + 8 + 6 + 64];
	size_t optlen = 0;

	if (!q->edns)
		return;
	if (want_cookie(a)) {
		size_t n = make_cookie(a, a->client, opts + 4);
		put16(opts, EDNS_COOKIE);
		put16(opts + 2, (uint16_t)n);
		optlen = 4 + n;
	}
	if (want_nsid(a)) {
		size_t n = strlen(id);
		if (n > 255)
			n = 255;
		put16(opts + optlen, EDNS_NSID);
		put16(opts + optlen + 2, (uint16_t)n);
		memcpy(opts + optlen + 4, id, n);
		optlen += 4 + n;
	}
	if (a->have_expire) {
		put16(opts + optlen, EDNS_EXPIRE);
		put16(opts + optlen + 2, 4);
		put32(opts + optlen + 4, a->expire);
		optlen += 8;
	}
	a->w.cap = limit;
	if (a->ede >= 0) {
		/* RFC 8914: INFO-CODE and EXTRA-TEXT. */
		size_t n = a->ede_text ? strlen(a->ede_text) : 0;
		if (n > 64)
			n = 64;
		if (a->w.len + 11 + optlen + 6 + n <= limit) {
			put16(opts + optlen, EDNS_EDE);
			put16(opts + optlen + 2, (uint16_t)(2 + n));
			put16(opts + optlen + 4, (uint16_t)a->ede);
			if (n > 0)
				memcpy(opts + optlen + 6, a->ede_text, n);
			optlen += 6 + n;
		}
	}
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

/* Room for the TSIG record of the response (RFC 8945 4.2). */
static size_t
tsig_size(const struct answer *a)
{
	if (!a->tsig)
		return 0;
	return tsig_space(&a->tsig_ctx, a->tsig_error);
}

/*
 * The room the header, question and sections may use: the limit less
 * the OPT and TSIG records written after them. A small max-udp-size, a
 * long server-id and a long key name can need more than the limit, so
 * the options a client can do without go first, NSID then the cookie,
 * and the answer is truncated. Never more than the limit, which is
 * never more than the buffer.
 */
static size_t
sections_cap(struct answer *a, size_t limit)
{
	const struct pkt_query *q = a->q;
	size_t base = PKT_HDRLEN + (q->has_question ? q->qview.len + 4 : 0);
	size_t t = tsig_size(a);

	if (base + opt_size(a) + t > limit)
		a->no_room_nsid = true;
	if (base + opt_size(a) + t > limit)
		a->no_room_cookie = true;
	size_t reserve = opt_size(a) + t;
	return reserve < limit ? limit - reserve : 0;
}

/* The room for the OPT record: what the TSIG record leaves. */
static size_t
opt_cap(const struct answer *a, size_t limit)
{
	size_t t = tsig_size(a);

	return t < limit ? limit - t : 0;
}

/* Sets the header's flags and RCODE, and signs when the query was. */
static size_t
finish(struct answer *a, size_t limit)
{
	if (a->tc)
		a->flags |= PKT_TC;
	put16(a->w.buf + 2, (uint16_t)(a->flags | (a->rcode & 0xf)));
	size_t len = a->w.len;
	if (a->tsig && tsig_sign(&a->tsig_ctx, a->w.buf, &len, limit,
	    a->env->now, a->tsig_error, a->q->id) != 0)
		len = 0;	/* cannot happen: the room was kept */
	tsig_ctx_free(&a->tsig_ctx);
	return len;
}

/* A response with just a header, the question if parsed, and OPT. */
static size_t
error_reply(struct answer *a, uint16_t rcode, size_t limit)
{
	const struct pkt_query *q = a->q;

	a->rcode = rcode;
	a->w.cap = sections_cap(a, limit);
	if (pkt_put_header_question(&a->w, q->id, a->flags,
	    q->has_question ? q->qname : NULL, q->qtype, q->qclass) != 0)
		return 0;
	put_opt(a, opt_cap(a, limit));
	return finish(a, limit);
}

/*
 * A signed query (RFC 8945 5.2): a bad record is FORMERR, unsigned; an
 * unknown key or a bad MAC is NOTAUTH with an unsigned TSIG record; a
 * time outside the fudge is NOTAUTH, signed, with our time. Returns the
 * RCODE to answer with, or NOERROR to go on (the answer will be signed).
 */
static uint16_t
query_tsig(struct answer *a, const uint8_t *req, size_t len)
{
	static const struct tsig_keyring none;
	const struct tsig_keyring *kr = a->env->keys ? a->env->keys : &none;
	struct tsig_rr rr;

	int e = tsig_verify_request(kr, req, len, a->q->tsig_pos,
	    a->env->now, &a->tsig_ctx, &rr);
	if (e == TSIG_FORMERR)
		return RCODE_FORMERR;
	a->tsig = true;
	if (e == TSIG_FORMERR_MAC) {
		a->tsig_error = TSIG_BADSIG;
		return RCODE_FORMERR;
	}
	if (e != TSIG_NOERROR) {
		a->tsig_error = (uint16_t)e;
		log_cat(LOGC_SECURITY, LOG_LEVEL_INFO, "TSIG %s from a client",
		    e == TSIG_BADKEY ? "BADKEY" : e == TSIG_BADSIG ? "BADSIG" :
		    e == TSIG_BADTRUNC ? "BADTRUNC" : "BADTIME");
		return RCODE_NOTAUTH;
	}
	a->keyname = a->tsig_ctx.key->name_str;
	return RCODE_NOERROR;
}

static bool
query_allowed(const struct answer *a, const struct query_client *cl,
    const struct zonetab_entry *ze)
{
	const struct query_env *env = a->env;
	const struct conf_zone *cz = ze->data;
	const struct acl *acl = cz != NULL && cz->allow_query != NULL ?
	    cz->allow_query : env->conf->allow_query;

	return acl_allows(acl, cl->addr, a->keyname);
}

/*
 * Which sections may be left out, in BIND's order: minimal-responses,
 * then the query type (key material and DS are asked for by validators
 * and parents, which need nothing else; NS queries get everything),
 * then minimal-any for ANY over UDP, then an EDNS buffer of 512 octets
 * or less over UDP. Referral glue is sent regardless (answer.c).
 */
static void
set_minimal(struct answer *a, bool tcp)
{
	const struct pkt_query *q = a->q;
	bool both = false;

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
		a->minimal_auth = (q->flags & PKT_RD) != 0;
		break;
	}
	switch (q->qtype) {
	case TYPE_DNSKEY:
	case TYPE_CDNSKEY:
	case TYPE_CDS:
	case TYPE_DS:
		both = true;
		break;
	case TYPE_NS:
		a->minimal_auth = a->minimal_addl = false;
		break;
	}
	if (q->qtype == TYPE_ANY && a->env->conf->minimal_any && !tcp)
		both = true;
	if (!tcp && q->edns && q->edns_udp_size <= 512)
		both = true;
	if (both)
		a->minimal_auth = a->minimal_addl = true;
}

/*
 * AXFR and IXFR: the ACL first (as BIND does, so a refused client learns
 * nothing more), then the transport. Over TCP the connection goes to
 * apex-xferd; AXFR needs TCP (RFC 5936 4.2), and IXFR over UDP gets the
 * current SOA alone, which tells the client to use TCP (RFC 1995 2).
 */
static void
query_transfer(struct answer *a, const struct query_client *cl,
    const struct zonetab_entry *ze)
{
	const struct conf_zone *cz = ze->data;
	const struct acl *acl = cz != NULL && cz->allow_transfer != NULL ?
	    cz->allow_transfer : a->env->conf->allow_transfer;

	if (a->q->qview.labels != ze->zone.hdr->origin_labels) {
		a->rcode = RCODE_NOTAUTH;	/* not a zone we serve */
		return;
	}
	if (acl == NULL || !acl_allows(acl, cl->addr, a->keyname)) {
		char addr[64];
		log_cat(LOGC_SECURITY, LOG_LEVEL_INFO, "client %s%s%s%s: %s "
		    "of zone %s denied", sockaddr_str(cl->addr, addr,
		    sizeof(addr)), a->keyname ? " (key " : "", a->keyname ?
		    a->keyname : "", a->keyname ? ")" : "", a->q->qtype ==
		    TYPE_AXFR ? "AXFR" : "IXFR", cz ? cz->name : "?");
		a->rcode = RCODE_REFUSED;
		a->ede = EDE_PROHIBITED;
	} else if (a->q->qtype == TYPE_IXFR && !a->q->has_soa)
		a->rcode = RCODE_FORMERR;	/* RFC 1995 3: our version */
	else if (cl->tcp) {
		a->handoff = true;
		a->zone = cz;
	} else if (a->q->qtype == TYPE_AXFR)
		a->rcode = RCODE_FORMERR;
	else {
		/* The current SOA alone, without AA, as from BIND. */
		const struct zone_rrset *soa = zone_soa(&ze->zone);
		if (soa != NULL && pkt_put_rr(&a->w, a->q->qname, soa->wire,
		    zone_rrset_data(soa), PKT_TTL_KEEP) == 0)
			pkt_count_add(&a->w, 6, 1);
	}
}

/* Whether a NOTIFY for secondary zone cz may come from this client: a
 * primary's address, or allow-notify. */
static bool
notify_allowed(const struct answer *a, const struct query_client *cl,
    const struct conf_zone *cz)
{
	if (cz->xfr.allow_notify != NULL &&
	    acl_allows(cz->xfr.allow_notify, cl->addr, a->keyname))
		return true;
	for (unsigned i = 0; i < cz->primaries.n; i++)
		if (sockaddr_same_host(cl->addr,
		    (const struct sockaddr *)&cz->primaries.r[i].ss))
			return true;
	return false;
}

/*
 * An UPDATE (RFC 2136) for zone cz: one that may take it goes to
 * apex-xferd, which owns every change to a zone and checks the TSIG,
 * allow-update and update-policy; workers stay read-only. Over TCP the
 * connection goes with it, as a transfer's does. Secondary zones do not
 * forward updates to their primary (RFC 2136 6 allows it; apex does
 * not), so they refuse them, as do zones without allow-update or
 * update-policy, as BIND does.
 */
static void
query_update(struct answer *a, const struct query_client *cl,
    const struct conf_zone *cz, bool down)
{
	char addr[64];

	if (cz == NULL || !cz->dynamic) {
		log_cat(LOGC_UPDATE_SECURITY, LOG_LEVEL_INFO, "client %s: "
		    "update of zone %s denied: %s", sockaddr_str(cl->addr,
		    addr, sizeof(addr)), cz ? cz->name : "?", cz != NULL &&
		    cz->type == ZONE_SECONDARY ? "a secondary zone, and apex "
		    "does not forward updates" : "the zone takes no updates");
		a->rcode = RCODE_REFUSED;
		return;
	}
	/* The checks apex-xferd makes again, here too, so that a flood of
	 * updates nobody may make never leaves the worker: the address
	 * and key against allow-update; update-policy grants keys only. */
	if (cz->allow_update != NULL ? !acl_allows(cz->allow_update,
	    cl->addr, a->keyname) : a->keyname == NULL) {
		log_cat(LOGC_UPDATE_SECURITY, LOG_LEVEL_INFO, "client "
		    "%s%s%s%s: update of zone %s denied",
		    sockaddr_str(cl->addr, addr, sizeof(addr)),
		    a->keyname ? " (key " : "", a->keyname ?
		    a->keyname : "", a->keyname ? ")" : "", cz->name);
		a->rcode = RCODE_REFUSED;
		return;
	}
	if (down) {
		a->rcode = RCODE_SERVFAIL;	/* nothing loaded to update */
		return;
	}
	if (cl->tcp)
		a->handoff = true;
	else
		a->update = true;
	a->zone = cz;
}

/*
 * NOTIFY and UPDATE name a zone in the question. For a zone that is not
 * ours: NOTAUTH (RFC 1996 4.8 does not say; BIND answers so). A NOTIFY
 * for a primary zone is acknowledged (RFC 1996 4.7) and changes nothing;
 * for a secondary zone it is checked and passed on to apex-xferd, which
 * checks the primaries for a newer version.
 */
static void
query_other_opcode(struct answer *a, const struct query_client *cl,
    const struct conf_zone *cz, bool apex, bool down, unsigned opcode)
{
	if (!apex) {
		a->rcode = RCODE_NOTAUTH;
		return;
	}
	if (opcode == OPCODE_UPDATE) {
		query_update(a, cl, cz, down);
		return;
	}
	if (opcode != OPCODE_NOTIFY) {
		a->rcode = RCODE_REFUSED;
		return;
	}
	if (cz != NULL && cz->type == ZONE_SECONDARY) {
		char addr[64];
		if (!notify_allowed(a, cl, cz)) {
			log_cat(LOGC_NOTIFY, LOG_LEVEL_INFO, "NOTIFY for zone "
			    "%s from %s refused: not a primary", cz->name,
			    sockaddr_str(cl->addr, addr, sizeof(addr)));
			a->rcode = RCODE_REFUSED;
			return;
		}
		a->notify = true;
		a->zone = cz;
	}
	a->flags |= PKT_AA;
}

/* The configured zone this exact name is the origin of, if it has
 * nothing to serve (ze is what the zone table found). */
static const struct conf_zone *
query_unavailable(const struct query_env *env, const struct pkt_query *q,
    const struct zonetab_entry *ze)
{
	const struct conf_zone *best = NULL;
	/* Closer than the zone found, and the closest of them. */
	unsigned labels = ze ? ze->zone.hdr->origin_labels : 0;
	bool any = ze == NULL;

	for (unsigned i = 0; i < env->nunavailable; i++) {
		const struct conf_zone *cz = env->unavailable[i];
		unsigned l = dname_label_count(cz->origin);
		if (cz->rclass != q->qclass || (!any && l <= labels) ||
		    !dname_is_subdomain(q->lname, cz->origin))
			continue;
		best = cz;
		labels = l;
		any = false;
	}
	return best;
}

static const struct conf_zone *
env_unavailable(const struct answer *a, const struct zonetab_entry *ze)
{
	if (a->env->nunavailable == 0)
		return NULL;
	return query_unavailable(a->env, a->q, ze);
}

/*
 * RFC 7314: an SOA query at a zone's apex with the EXPIRE option learns
 * how long the zone stays valid, as BIND answers it: a secondary's time
 * left before it expires, any other zone's SOA EXPIRE.
 */
static void
query_expire(struct answer *a, const struct zonetab_entry *ze)
{
	const struct pkt_query *q = a->q;
	const struct conf_zone *cz = ze->data;
	const struct query_env *env = a->env;

	if (!q->expire || q->qtype != TYPE_SOA || a->rcode != RCODE_NOERROR ||
	    q->qview.labels != ze->zone.hdr->origin_labels)
		return;
	if (cz != NULL && cz->type == ZONE_SECONDARY) {
		uint64_t at = env->expires ? env->expires[cz -
		    env->conf->zones] : 0;
		if (at < env->now)
			return;
		a->expire = (uint32_t)(at - env->now);
	} else {
		const struct zone_rrset *soa = zone_soa(&ze->zone);
		if (soa == NULL)
			return;
		const uint8_t *r = zone_rrset_data(soa);
		a->expire = get32(r + 2 + get16(r) - 8);
	}
	a->have_expire = true;
}

/* The zone and its answer, for a well-formed IN or CH query. */
static void
query_zone(struct answer *a, const struct query_client *cl)
{
	const struct pkt_query *q = a->q;
	const struct zonetab *zones = q->qclass == CLASS_CH ? a->env->chaos :
	    a->env->zones;
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
	const struct conf_zone *down = env_unavailable(a, ze);
	unsigned opcode = PKT_OPCODE(q->flags);
	if (opcode != OPCODE_QUERY) {
		bool apex = down != NULL ? q->qview.labels ==
		    dname_label_count(down->origin) : ze != NULL &&
		    q->qview.labels == ze->zone.hdr->origin_labels;
		query_other_opcode(a, cl, down ? down : ze ? ze->data : NULL,
		    apex, down != NULL, opcode);
		return;
	}
	if (down != NULL) {
		/* Configured, but nothing to answer from (RFC 1035 4.1.1:
		 * the server cannot process the query). */
		a->rcode = RCODE_SERVFAIL;
		return;
	}
	if (ze == NULL) {
		a->rcode = (q->qtype == TYPE_AXFR || q->qtype == TYPE_IXFR) ?
		    RCODE_NOTAUTH : RCODE_REFUSED;
		return;
	}
	if (!query_allowed(a, cl, ze)) {
		a->rcode = RCODE_REFUSED;
		a->ede = EDE_PROHIBITED;
		return;
	}
	if (q->qtype == TYPE_AXFR || q->qtype == TYPE_IXFR) {
		query_transfer(a, cl, ze);
		return;
	}
	answer_build(a, ze);
	query_expire(a, ze);
}

/* What the query log shows, in BIND's letters: RD (+/-), TSIG (S),
 * EDNS version (E(n)), TCP (T), DO (D), CD (C), a cookie (K). */
static void
query_log_fields(const struct pkt_query *q, const struct query_client *cl,
    struct query_result *res)
{
	char *f = res->flags;

	res->logged = true;
	res->qclass = q->qclass;
	memcpy(res->qname, q->qname, q->qview.len);
	*f++ = (q->flags & PKT_RD) ? '+' : '-';
	if (q->tsig)
		*f++ = 'S';
	if (q->edns)
		f += snprintf(f, 6, "E(%u)", q->edns_version);
	if (cl->tcp)
		*f++ = 'T';
	if (q->edns_do)
		*f++ = 'D';
	if (q->flags & PKT_CD)
		*f++ = 'C';
	if (q->cookie_len > 0)
		*f++ = 'K';
	*f = '\0';
}

/*
 * The RCODE for a parsed message that cannot be answered from a zone, or
 * NOERROR to go on. Sets *echo when the question goes back with it.
 */
static uint16_t
query_check(const struct pkt_query *q, bool tcp, bool *echo)
{
	*echo = true;
	switch (PKT_OPCODE(q->flags)) {
	case OPCODE_QUERY:
		break;
	case OPCODE_UPDATE:
	case OPCODE_NOTIFY:
		return RCODE_NOERROR;	/* query_zone() decides */
	default:
		*echo = false;
		return RCODE_NOTIMP;
	}
	if (q->edns && q->edns_version != 0)
		return RCODE_BADVERS;	/* RFC 6891 6.1.3 */
	switch (q->qclass) {
	case CLASS_IN:
	case CLASS_CH:
	case CLASS_HS:
		break;
	case CLASS_ANY:
	case CLASS_NONE:
		/* Only UPDATE and prerequisites use these (RFC 2136). */
		return RCODE_FORMERR;
	default:
		return RCODE_NOTIMP;
	}
	switch (q->qtype) {
	case TYPE_OPT:
	case TYPE_TSIG:
	case TYPE_TKEY:
		return RCODE_FORMERR;	/* RFC 6895 3.1: not a question */
	case TYPE_MAILA:
	case TYPE_MAILB:
		return RCODE_NOTIMP;	/* RFC 1035 3.2.3, long obsolete */
	}
	return RCODE_NOERROR;
}

/*
 * Rate limiting (rate-limit) of a response built: drop it, truncate it
 * to the header and question with TC=1 so that a real client retries
 * over TCP (a "slip", which keeps the NXDOMAIN RCODE), or leave it.
 * Errors are never slipped, and queries with a valid server cookie
 * never limited, as in BIND.
 * Returns: true to send nothing.
 */
static bool
query_rrl(struct answer *a, const struct query_client *cl,
    struct pkt_mark question, bool error, struct query_result *res)
{
	const struct query_env *env = a->env;
	const struct pkt_query *q = a->q;
	struct rrl_query rq = { RRL_ERROR, q->qtype, q->qclass, NULL, false };

	if (!error && a->rcode != RCODE_NOERROR &&
	    a->rcode != RCODE_NXDOMAIN)
		error = true;
	if (!error) {
		/* NOTIFY and UPDATE are not answers to be amplified; a
		 * client that returns our cookie is not spoofed (as in
		 * BIND, errors are limited all the same). */
		if (PKT_OPCODE(q->flags) != OPCODE_QUERY || cookie_is_ours(a))
			return false;
		if (a->rrl_set)
			rq = a->rrl;
		else {
			rq.kind = RRL_RESPONSE;
			rq.name = q->lname;
		}
		rq.qtype = q->qtype;
		rq.qclass = q->qclass;
	}
	res->rrl = rrl_check(env->rrl, cl->addr, cl->tcp, &rq, env->now,
	    &res->rrl_by);
	if (res->rrl == RRL_PASS || env->conf->rrl.log_only)
		return false;
	if (res->rrl == RRL_DROP || error) {
		res->rrl = RRL_DROP;
		return true;
	}
	pkt_rollback(&a->w, question);
	memset(a->w.buf + 6, 0, 6);	/* ANCOUNT, NSCOUNT, ARCOUNT */
	/* A client that sent a cookie gets BADCOOKIE with a fresh server
	 * cookie instead (RFC 7873 5.2.3): its retry carries it and is not
	 * limited, with no need for TCP. */
	if (q->edns && q->cookie_len > 0 && env->conf->answer_cookie) {
		a->rcode = RCODE_BADCOOKIE;
		a->flags &= (uint16_t)~PKT_AA;
		return false;
	}
	a->tc = true;
	if (a->rcode != RCODE_NXDOMAIN)
		a->rcode = RCODE_NOERROR;
	return false;
}

size_t
query_process(const struct query_env *env, const struct query_client *cl,
    const uint8_t *req, size_t len, uint8_t *resp, size_t cap,
    struct query_result *res)
{
	struct pkt_query q;
	struct answer a;
	bool echo;

	memset(res, 0, sizeof(*res));
	/* blackhole: not even a REFUSED. */
	if (env->conf->blackhole != NULL &&
	    acl_match(env->conf->blackhole, cl->addr, NULL) == ACL_ALLOW)
		return 0;
	enum pkt_verdict v = pkt_parse_query(req, len, &q);
	if (v == PKT_DROP)
		return 0;
	memset(&a, 0, sizeof(a));
	a.ede = -1;
	a.env = env;
	a.client = cl->addr;
	a.q = &q;
	a.flags = reply_flags(q.flags);
	pkt_writer_init(&a.w, resp, cap);
	size_t limit = cl->tcp ? PKT_MAXLEN : udp_limit(env, &q);
	if (limit > cap)
		limit = cap;
	res->answered = true;
	res->qtype = q.has_question ? q.qtype : 0;
	if (env->querylog && q.has_question)
		query_log_fields(&q, cl, res);

	uint16_t rcode = RCODE_NOERROR;
	if (v == PKT_FORMERR)
		rcode = RCODE_FORMERR;
	else if (q.tsig && (rcode = query_tsig(&a, req, len)) != 0) {
		if (rcode == RCODE_NOTAUTH)
			q.has_question = q.qdcount == 1;
	} else if (v == PKT_NOTIMP) {
		/* An opcode we do not know: nothing of the query is
		 * understood, so RD and CD are not copied, as BIND does. */
		rcode = RCODE_NOTIMP;
		q.has_question = false;
		a.flags &= ~(PKT_RD | PKT_CD);
	} else if ((rcode = query_check(&q, cl->tcp, &echo)) != 0 && !echo)
		q.has_question = false;
	if (rcode != RCODE_NOERROR) {
		res->rcode = rcode;
		if (env->rrl != NULL && query_rrl(&a, cl, pkt_mark(&a.w), true,
		    res)) {
			tsig_ctx_free(&a.tsig_ctx);
			return 0;
		}
		return error_reply(&a, rcode, limit);
	}

	a.w.cap = sections_cap(&a, limit);
	if (pkt_put_header_question(&a.w, q.id, a.flags, q.qname, q.qtype,
	    q.qclass) != 0)
		return 0;
	struct pkt_mark question = pkt_mark(&a.w);
	set_minimal(&a, cl->tcp);
	a.dnssec = q.edns && q.edns_do;
	if (q.qclass == CLASS_HS)
		a.rcode = RCODE_REFUSED;
	else
		query_zone(&a, cl);
	res->notify = a.notify;
	res->zone = a.zone;
	if (a.handoff || a.update) {
		/* apex-xferd answers, signs and checks the TSIG again. */
		tsig_ctx_free(&a.tsig_ctx);
		res->handoff = a.handoff;
		res->update = a.update;
		res->rcode = RCODE_NOERROR;
		return 0;
	}
	if (env->rrl != NULL && query_rrl(&a, cl, question, false, res)) {
		tsig_ctx_free(&a.tsig_ctx);
		return 0;
	}
	put_opt(&a, opt_cap(&a, limit));
	res->rcode = a.rcode;
	res->tc = a.tc;
	return finish(&a, limit);
}
