/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * The signer's apex-ctl commands (sign, dnssec -status, -checkds,
 * -rollover, in rndc's syntax) and the copy of an unsigned version for
 * a zone that has gone insecure.
 * Runs in: signer.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/evp.h>

#include "dname.h"
#include "error.h"
#include "ipc.h"
#include "keymgr.h"
#include "log.h"
#include "msg.h"
#include "rr.h"
#include "sbuf.h"
#include "signer.h"
#include "signer_priv.h"
#include "zone.h"

#define ARGS_MAX	12

void
signer_warm_crypto(void)
{
	static const char *const mds[] = { "SHA1", "SHA256", "SHA384",
	    "SHA512" };
	static const char *const pks[] = { "EC", "ED25519", "ED448", "RSA" };

	for (size_t i = 0; i < nitems(mds); i++)
		EVP_MD_free(EVP_MD_fetch(NULL, mds[i], NULL));
	for (size_t i = 0; i < nitems(pks); i++)
		EVP_PKEY_CTX_free(EVP_PKEY_CTX_new_from_name(NULL, pks[i],
		    NULL));
}

static bool
dnssec_type(uint16_t t)
{
	return t == TYPE_RRSIG || t == TYPE_NSEC ||
	    t == TYPE_NSEC3 || t == TYPE_NSEC3PARAM ||
	    t == TYPE_DNSKEY || t == TYPE_CDS || t == TYPE_CDNSKEY;
}

static int
copy_rrset(struct zone_builder *zb, const uint8_t *owner,
    const struct zone_rrset *rs, uint32_t serial)
{
	const uint8_t *q = zone_rrset_data(rs);
	uint8_t soa[1024];

	for (unsigned k = 0; k < rs->count; k++) {
		uint16_t len = get16(q);
		const uint8_t *rd = q + 2;
		if (rs->type == TYPE_SOA && len >= 20 && len <= sizeof(soa)) {
			memcpy(soa, rd, len);
			put32(soa + len - 20, serial);
			rd = soa;
		}
		int rc = zone_builder_add(zb, owner, rs->type,
		    zone_rrset_ttl(rs), rd, len, 0);
		if (rc != 0)
			return rc;
		q += 2 + len;
	}
	return 0;
}

int
signer_unsigned_copy(const struct zone *uz, uint32_t serial, void **blob,
    size_t *size, char *err, size_t errlen)
{
	struct zone_builder *zb = zone_builder_new(uz->origin,
	    (uint16_t)uz->hdr->rclass, NULL, NULL);
	int rc = 0;

	for (uint32_t i = 0; rc == 0 && i < uz->hdr->node_count; i++) {
		const struct zone_node *n = zone_node(uz, i);
		const struct zone_rrset *rs = zone_rrset_first(uz, n);
		for (unsigned k = 0; rc == 0 && k < n->nrrsets; k++,
		    rs = zone_rrset_next(rs))
			if (!dnssec_type(rs->type))
				rc = copy_rrset(zb, zone_node_name(uz, n), rs,
				    serial);
	}
	if (rc == 0)
		rc = zone_builder_finish(zb, blob, size);
	zone_builder_free(zb);
	if (rc != 0)
		snprintf(err, errlen, "the unsigned version does not build: "
		    "%s", apex_strerror(rc));
	return rc;
}

/* ---- commands ------------------------------------------------------ */

static struct szone *
find_zone(struct signer *sg, const char *name)
{
	uint8_t origin[DNAME_MAXLEN];

	if (dname_from_str(name, NULL, origin) < 0)
		return NULL;
	for (unsigned i = 0; i < sg->nzones; i++)
		if (dname_equal(sg->zones[i].cz->origin, origin) &&
		    conf_zone_signed(sg->zones[i].cz))
			return &sg->zones[i];
	return NULL;
}

/* rndc's times: now, now+SECONDS, YYYYMMDD or YYYYMMDDHHMMSS (UTC). */
static bool
parse_when(const char *s, time_t *out)
{
	struct tm tm;
	char *end;

	if (strcmp(s, "now") == 0) {
		*out = time(NULL);
		return true;
	}
	if (strncmp(s, "now+", 4) == 0) {
		long v = strtol(s + 4, &end, 10);
		if (*end != '\0' || v < 0)
			return false;
		*out = time(NULL) + v;
		return true;
	}
	size_t n = strlen(s);
	if (n != 8 && n != 14)
		return false;
	memset(&tm, 0, sizeof(tm));
	if ((n == 8 && sscanf(s, "%4d%2d%2d", &tm.tm_year, &tm.tm_mon,
	    &tm.tm_mday) != 3) || (n == 14 && sscanf(s, "%4d%2d%2d%2d%2d%2d",
	    &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour, &tm.tm_min,
	    &tm.tm_sec) != 6))
		return false;
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	*out = timegm(&tm);
	return *out != (time_t)-1;
}

struct dnssec_args {
	const char	*sub;		/* -status, -checkds, -rollover */
	const char	*zone;
	const char	*what;		/* published, withdrawn */
	uint16_t	 tag;
	bool		 have_tag;
	time_t		 when;
};

static const char *
parse_args(char *arg, struct dnssec_args *a)
{
	char *v[ARGS_MAX], *save = NULL;
	unsigned n = 0;

	memset(a, 0, sizeof(*a));
	a->when = time(NULL);
	for (char *t = strtok_r(arg, " \t", &save); t != NULL;
	    t = strtok_r(NULL, " \t", &save))
		if (n < ARGS_MAX)
			v[n++] = t;
	if (n < 2)
		return "usage: dnssec -status|-checkds|-rollover ... zone";
	a->sub = v[0];
	a->zone = v[n - 1];
	for (unsigned i = 1; i + 1 < n; i++) {
		if (strcmp(v[i], "-key") == 0 && i + 2 < n) {
			char *end;
			unsigned long t = strtoul(v[++i], &end, 10);
			if (*end != '\0' || t > 65535)
				return "-key: expected a key tag";
			a->tag = (uint16_t)t;
			a->have_tag = true;
		} else if (strcmp(v[i], "-when") == 0 && i + 2 < n) {
			if (!parse_when(v[++i], &a->when))
				return "-when: expected now, now+SECONDS, "
				    "YYYYMMDD or YYYYMMDDHHMMSS";
		} else if (strcmp(v[i], "-alg") == 0 && i + 2 < n)
			i++;	/* the tag names the key well enough */
		else if (strcmp(v[i], "published") == 0 ||
		    strcmp(v[i], "withdrawn") == 0)
			a->what = v[i];
		else
			return "unknown dnssec argument";
	}
	return NULL;
}

static void
reply(struct signer *sg, uint32_t req, bool ok, const char *text)
{
	struct msg_buf *b = xmalloc(sizeof(*b));

	msg_buf_init(b);
	ipc_put_reply(b, ok, text);
	if (msg_send(sg->sock, MSG_SP_REPLY, req, b, -1) != 0)
		fatal("send reply");
	free(b);
}

static void
dnssec_command(struct signer *sg, uint32_t req, uint32_t flags, char *arg)
{
	struct dnssec_args a;
	const char *bad = parse_args(arg, &a);
	char err[512] = "", text[1024];
	struct szone *z;

	if (bad != NULL) {
		reply(sg, req, false, bad);
		return;
	}
	if ((z = find_zone(sg, a.zone)) == NULL) {
		reply(sg, req, false, "no such signed zone");
		return;
	}
	struct keymgr_zone kz = { z->cz->name, z->cz->origin,
	    z->cz->key_directory, z->cz->dnssec_policy };
	int rc;
	if (strcmp(a.sub, "-status") == 0) {
		struct sbuf out;
		sbuf_init(&out);
		keymgr_status(&kz, &z->keys, time(NULL),
		    (flags & CTL_F_JSON) != 0, &out);
		reply(sg, req, true, out.s);
		sbuf_free(&out);
		return;
	} else if (strcmp(a.sub, "-checkds") == 0 && a.what != NULL)
		rc = keymgr_checkds(&kz, a.have_tag ? a.tag : 0,
		    strcmp(a.what, "published") == 0, a.when, err,
		    sizeof(err));
	else if (strcmp(a.sub, "-rollover") == 0 && a.have_tag)
		rc = keymgr_rollover(&kz, a.tag, a.when, err, sizeof(err));
	else {
		reply(sg, req, false, "usage: dnssec -status zone | -checkds "
		    "[-key TAG] [-when TIME] published|withdrawn zone | "
		    "-rollover -key TAG [-when TIME] zone");
		return;
	}
	if (rc != 0) {
		reply(sg, req, false, err[0] ? err : apex_strerror(rc));
		return;
	}
	snprintf(text, sizeof(text), "zone %s: %s done", z->cz->name,
	    a.sub + 1);
	reply(sg, req, true, text);
	/* The key manager acts on it at once, as BIND's rekey does. */
	signer_zone_run(z, false);
}

void
signer_command(struct signer *sg, uint32_t req, uint32_t cmd, uint32_t flags,
    const char *arg)
{
	char buf[1024], text[512];
	struct szone *z;

	snprintf(buf, sizeof(buf), "%s", arg);
	switch (cmd) {
	case CTL_SIGN:
		if ((z = find_zone(sg, buf)) == NULL) {
			reply(sg, req, false, "no such signed zone");
			return;
		}
		if (!z->have_u) {
			reply(sg, req, false, "the zone is not loaded");
			return;
		}
		signer_zone_run(z, true);
		if (z->st.failing)
			snprintf(text, sizeof(text), "zone %s: signing failed: "
			    "%s", z->cz->name, z->st.error);
		else
			snprintf(text, sizeof(text), "zone %s: signed, serial "
			    "%u", z->cz->name, z->sz.hdr->serial);
		reply(sg, req, !z->st.failing, text);
		return;
	case CTL_DNSSEC:
		dnssec_command(sg, req, flags, buf);
		return;
	default:
		reply(sg, req, false, "unknown command");
	}
}
