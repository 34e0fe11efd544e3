/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * CHAOS zones, compiled with the ordinary zone builder so that every
 * answer rule (NODATA, NXDOMAIN, ANY) applies to them unchanged.
 * Runs in: workers (at start), and the tests.
 */
#include <stdlib.h>
#include <string.h>

#include "chaos.h"
#include "error.h"
#include "log.h"
#include "rr.h"
#include "zone.h"

static void
chaos_report(void *arg, uint32_t tag, bool error, const char *msg)
{
	log_warnx("chaos zone: %s", msg);
}

static void
build_one(struct zonetab *t, const char *name, const char *text)
{
	uint8_t origin[DNAME_MAXLEN], host[DNAME_MAXLEN], rd[600];
	struct zone z;
	void *blob;
	size_t size;

	if (dname_from_str(name, NULL, origin) < 0 ||
	    dname_from_str("hostmaster", origin, host) < 0)
		fatalx("chaos zone %s", name);
	struct zone_builder *zb = zone_builder_new(origin, CLASS_CH,
	    chaos_report, NULL);
	/* SOA: <zone> hostmaster.<zone> 0 28800 7200 604800 86400 */
	size_t ol = dname_len(origin), hl = dname_len(host), n = 0;
	memcpy(rd, origin, ol);
	memcpy(rd + ol, host, hl);
	n = ol + hl;
	static const uint32_t soa[] = { 0, 28800, 7200, 604800, 86400 };
	for (size_t i = 0; i < nitems(soa); i++, n += 4)
		put32(rd + n, soa[i]);
	int rc = zone_builder_add(zb, origin, TYPE_SOA, 86400, rd, n, 0);
	rc |= zone_builder_add(zb, origin, TYPE_NS, 0, origin, ol, 0);
	if (text != NULL) {
		size_t len = strlen(text) > 255 ? 255 : strlen(text);
		rd[0] = (uint8_t)len;
		memcpy(rd + 1, text, len);
		rc |= zone_builder_add(zb, origin, TYPE_TXT, 0, rd, len + 1, 0);
	}
	if (rc != 0 || zone_builder_finish(zb, &blob, &size) != 0 ||
	    zone_open(&z, blob, size) != 0)
		fatalx("chaos zone %s", name);
	zone_builder_free(zb);
	zonetab_put(t, &z, NULL);
}

void
chaos_build(const struct conf *cf, struct zonetab *t)
{
	zonetab_init(t);
	build_one(t, "version.bind", cf->version);
	build_one(t, "hostname.bind", cf->hostname);
	build_one(t, "authors.bind", NULL);
	build_one(t, "id.server", cf->server_id);
}

void
chaos_free(struct zonetab *t)
{
	for (unsigned i = 0; i < t->n; i++)
		free((void *)t->e[i].zone.base);
	zonetab_free(t);
}
