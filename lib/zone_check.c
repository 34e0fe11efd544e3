/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * The checks a zone must pass to load (SOA, CNAME and DNAME rules, glue,
 * limits, DNSSEC records) and the reports the builder makes, each with
 * the record's tag so that a zone file's problems name file and line.
 * Runs in: loader, apex-xferd (transfers), apex-named -C.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "dname.h"
#include "rr.h"
#include "zone_build.h"

void
zb_report(struct zone_builder *zb, uint32_t tag, bool error,
    const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (error)
		zb->errors++;
	if (zb->report != NULL)
		zb->report(zb->arg, tag, error, msg);
}

/* Reports a problem about an owner name, printed only when reported. */
void
zb_report_at(struct zone_builder *zb, uint32_t tag, bool error,
    const uint8_t *owner, const char *fmt, ...)
{
	char msg[900], name[DNAME_STRLEN];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	zb_report(zb, tag, error, "%s: %s",
	    dname_to_str(owner, name, sizeof(name)), msg);
}

/* The type an RRSIG record covers; 0 for other types. */
uint16_t
zb_rec_covered(const struct zone_builder *zb, const struct zb_rec *r)
{
	return r->type == TYPE_RRSIG && r->rdlen >= 2 ?
	    get16(zb->rdata.p + r->rdata) : 0;
}

bool
zb_node_has(const struct zone_builder *zb, const uint32_t *idx,
    const struct zb_node *n, uint16_t type)
{
	for (uint32_t i = n->first; i < n->end; i++)
		if (zb->rec[idx[i]].type == type)
			return true;
	return false;
}

static bool
type_may_join_cname(uint16_t type)
{
	/* RFC 2181 10.1, RFC 4035 2.5: DNSSEC data may sit beside CNAME. */
	return type == TYPE_CNAME || type == TYPE_RRSIG ||
	    type == TYPE_NSEC || type == TYPE_KEY || type == TYPE_SIG ||
	    type == TYPE_NXT;
}


/* Counts an RRSIG whose expiration (RFC 4034 3.1.5: serial number
 * arithmetic) has passed; the first one is named in the report. */
static void
zb_check_expired(struct zone_builder *zb, const struct zb_rec *r,
    const uint8_t *owner)
{
	char name[DNAME_STRLEN], tstr[16];
	const uint8_t *rd = zb->rdata.p + r->rdata;
	uint32_t exp = get32(rd + 8);

	if ((int32_t)(exp - zb->now) >= 0)
		return;
	if (zb->expired++ == 0) {
		zb->expired_tag = r->tag;
		zb->expired_at = exp;
		snprintf(zb->expired_what, sizeof(zb->expired_what), "%s/%s",
		    dname_to_str(owner, name, sizeof(name)),
		    rr_type_str(get16(rd), tstr));
	}
}

/*
 * RRSIG RRsets: a signature of a type the name does not have is kept
 * (and transferred) but can never be sent with its RRset; signatures
 * already expired make validators fail.
 */
static void
zb_check_sigs(struct zone_builder *zb, const uint32_t *idx,
    const struct zb_node *n, const uint8_t *owner)
{
	char tstr[16];

	for (uint32_t i = n->first; i < n->end;) {
		uint32_t e = zb_rrset_end(zb, idx, i, n->end);
		const struct zb_rec *r = &zb->rec[idx[i]];
		if (r->type == TYPE_RRSIG) {
			uint16_t c = zb_rec_covered(zb, r);
			if (c == TYPE_RRSIG || !zb_node_has(zb, idx, n, c))
				zb_report_at(zb, r->tag, false, owner,
				    "RRSIG covers %s, which the name does "
				    "not have", rr_type_str(c, tstr));
			for (uint32_t j = i; j < e; j++)
				if (zb->rec[idx[j]].rdlen >= 18)
					zb_check_expired(zb,
					    &zb->rec[idx[j]], owner);
				else
					zb_report_at(zb, zb->rec[idx[j]].tag,
					    true, owner, "malformed RRSIG");
		}
		if (e - i > ZONE_RRSET_MAX)
			zb_report_at(zb, r->tag, true, owner, "more than %u "
			    "records of one type", ZONE_RRSET_MAX);
		i = e;
	}
}

/* BIND's max-records-per-type and max-types-per-name. */
static void
zb_check_limits(struct zone_builder *zb, const uint32_t *idx,
    const struct zb_node *n, const uint8_t *owner)
{
	unsigned types = 0;

	for (uint32_t i = n->first; i < n->end;) {
		uint32_t e = zb_rrset_end(zb, idx, i, n->end), count = 0;
		for (uint32_t j = i; j < e; j++)
			count += !zb_rec_is_dup(zb, idx, j, i);
		if (zb->max_per_type > 0 && count > zb->max_per_type)
			zb_report_at(zb, zb->rec[idx[i]].tag, true, owner,
			    "too many records (must not exceed %u)",
			    zb->max_per_type);
		types++;
		i = e;
	}
	if (zb->max_types > 0 && types > zb->max_types)
		zb_report_at(zb, zb->rec[idx[n->first]].tag, true, owner,
		    "too many record types (must not exceed %u)",
		    zb->max_types);
	if (types > UINT16_MAX)
		zb_report_at(zb, zb->rec[idx[n->first]].tag, true, owner,
		    "more than %u RRsets", UINT16_MAX);
}

void
zb_check_node(struct zone_builder *zb, const uint32_t *idx,
    const struct zb_node *n)
{
	const uint8_t *owner = zb_name_wire(zb, n->name);
	unsigned ncname = 0, ndname = 0, nsoa = 0, nds = 0;
	uint32_t other_tag = 0, cname_tag = 0, tag;

	if (n->first == n->end)
		return;	/* an empty non-terminal: nothing to check */
	tag = zb->rec[idx[n->first]].tag;
	bool other = false;

	for (uint32_t i = n->first; i < n->end; i++) {
		const struct zb_rec *r = &zb->rec[idx[i]];
		if (r->type == TYPE_CNAME) {
			ncname++;
			if (r->tag > cname_tag)
				cname_tag = r->tag;
		} else if (r->type == TYPE_DNAME)
			ndname++;
		else if (r->type == TYPE_SOA)
			nsoa++;
		else if (r->type == TYPE_DS)
			nds++;
		if (!type_may_join_cname(r->type) && !other) {
			other = true;
			other_tag = r->tag;
		}
	}
	if (ncname > 0 && other)
		zb_report_at(zb, cname_tag > other_tag ? cname_tag : other_tag,
		    true, owner, "CNAME and other data");
	if (ncname > 1)
		zb_report_at(zb, cname_tag, true, owner,
		    "multiple CNAME records");
	if (ndname > 1)
		zb_report_at(zb, tag, true, owner, "multiple DNAME records");
	if (nsoa > 0 && !(n->flags & ZN_APEX))
		zb_report_at(zb, tag, true, owner,
		    "SOA record not at top of zone");
	if (nsoa > 1)
		zb_report_at(zb, tag, true, owner, "multiple SOA records");
	if ((n->flags & ZN_APEX) && nds > 0)
		zb_report_at(zb, tag, true, owner, "DS record at top of zone");
	zb_check_limits(zb, idx, n, owner);
	zb_check_sigs(zb, idx, n, owner);
}

/* An in-zone name server needs address records (glue below a cut). */
void
zb_check_ns_targets(struct zone_builder *zb, const uint32_t *idx,
    const struct zb_node *nodes, const struct zb_node *n)
{
	char s1[DNAME_STRLEN], s2[DNAME_STRLEN];

	for (uint32_t i = n->first; i < n->end; i++) {
		const struct zb_rec *r = &zb->rec[idx[i]];
		uint8_t target[DNAME_MAXLEN];
		if (r->type != TYPE_NS)
			continue;
		const uint8_t *rd = zb->rdata.p + r->rdata;
		int len = dname_scan(rd, r->rdlen, NULL);
		if (len < 0)
			continue;
		dname_lower(target, rd, (size_t)len);
		if (!dname_is_subdomain(target, zb->origin))
			continue;
		struct dname_view v;
		uint32_t h[DNAME_MAXLABELS + 1];
		if (dname_scan(target, DNAME_MAXLEN, &v) < 0)
			continue;
		dname_hash_suffixes(target, &v, h);
		uint32_t t = zb_lookup(zb, target, v.len, h[0]);
		if (t != ZONE_NONE) {
			const struct zb_node *tn = &nodes[t];
			if (zb_node_has(zb, idx, tn, TYPE_A) ||
			    zb_node_has(zb, idx, tn, TYPE_AAAA))
				continue;
		}
		zb_report(zb, r->tag, true,
		    "%s: NS '%s' has no address records (A or AAAA)",
		    dname_to_str(zb_name_wire(zb, n->name), s1, sizeof(s1)),
		    dname_to_str(rd, s2, sizeof(s2)));
	}
}

void
zb_report_expired(struct zone_builder *zb)
{
	char name[DNAME_STRLEN], when[32];
	time_t t = (time_t)zb->now + (int32_t)(zb->expired_at - zb->now);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(when, sizeof(when), "%Y-%m-%d %H:%M:%S UTC", &tm);
	zb_report(zb, zb->expired_tag, false, "%s: %u signature%s expired at "
	    "load; the first, of %s, at %s", dname_to_str(zb->origin, name,
	    sizeof(name)), zb->expired, zb->expired == 1 ? "" : "s",
	    zb->expired_what, when);
}
