/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * libFuzzer target: any bytes as a query, over UDP and over TCP, against
 * zones that exercise every answer rule: example.com unsigned, and two
 * signed zones for DO=1 (example., the NSEC3 zone with Opt-Out of RFC
 * 5155, and example.net with NSEC). Finds crashes, hangs and sanitizer
 * reports in pkt_parse_query(), the answer builder and the proofs, and
 * checks that every response is a well-formed message within its limit.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "chaos.h"
#include "conf.h"
#include "dname.h"
#include "fuzz.h"
#include "pkt.h"
#include "query.h"
#include "rr.h"
#include "zone.h"
#include "zonefile.h"
#include "zonetab.h"

static const char zone_text[] =
    "$TTL 300\n"
    "@ SOA ns1 h 1 2 3 4 60\n@ NS ns1\n@ MX 10 mail\n@ A 192.0.2.1\n"
    "ns1 A 192.0.2.53\nns1 AAAA 2001:db8::53\nmail A 192.0.2.25\n"
    "www CNAME @\nloop CNAME loop\nc1 CNAME c2\nc2 CNAME c3\nc3 TXT x\n"
    "*.w A 192.0.2.9\n*.w TXT \"wild\"\n*.cw CNAME www\n"
    "a.b.c.ent A 192.0.2.10\n"
    "sub NS ns.sub\nsub NS ns1\nsub DS 1 8 2 00112233\nns.sub A 192.0.2.11\n"
    "dn DNAME example.net.\ndn2 DNAME dn.example.com.\n"
    "_s._tcp SRV 0 0 1 ns1\nt TXT \"a\" \"b\"\n"
    "$GENERATE 1-60 many A 10.0.0.$\n";

static struct query_env env;
static struct zonetab tab, chaos;

/* Loads the zone file at path as conf zone i and serves it. */
static void
serve(const struct conf *cf, unsigned i, const char *path)
{
	struct zonefile_opts opts = { NULL, CLASS_IN, 100, 100, NULL, NULL,
	    0 };
	struct zone z;
	void *blob;
	size_t size;

	if (zonefile_load(path, cf->zones[i].origin, &opts, &blob,
	    &size) != 0 || zone_open(&z, blob, size) != 0)
		abort();
	zonetab_put(&tab, &z, &cf->zones[i]);
}

static void
init(void)
{
	static struct conf *cf;
	cf = conf_load_string("options { server-id \"fuzz\"; "
	    "allow-transfer { any; }; };\n"
	    "zone \"example.com\" { type primary; file \"x\"; };\n"
	    "zone \"example\" { type primary; file \"x\"; };\n"
	    "zone \"example.net\" { type primary; file \"x\"; };\n", "fuzz",
	    NULL, NULL);
	if (cf == NULL)
		abort();
	zonetab_init(&tab);
	char *path = fuzz_temp_file(zone_text, strlen(zone_text));
	serve(cf, 0, path);
	unlink(path);
	free(path);
	serve(cf, 1, DATADIR "/rfc5155.zone");
	serve(cf, 2, DATADIR "/example.net.nsec.zone");
	chaos_build(cf, &chaos);
	env.conf = cf;
	env.zones = &tab;
	env.chaos = &chaos;
	env.now = 1700000000;
}

/* A response must parse as a message of its own. */
static void
check_response(const uint8_t *r, size_t len, size_t limit)
{
	struct pkt_query q;

	if (len > limit || len < PKT_HDRLEN || !(get16(r + 2) & PKT_QR))
		abort();
	/* Flip QR so the query reader walks every section. */
	static uint8_t copy[PKT_MAXLEN];
	memcpy(copy, r, len);
	copy[2] &= 0x7f;
	put16(copy + 2, get16(copy + 2) & (uint16_t)~0x7800);
	if (pkt_parse_query(copy, len, &q) == PKT_DROP)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static uint8_t resp[PKT_MAXLEN];
	struct sockaddr_in sin;
	struct query_client cl = { (struct sockaddr *)&sin, false };
	struct query_result res;

	if (env.conf == NULL)
		init();
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(0x7f000001);
	size_t n = query_process(&env, &cl, data, size, resp, 4096, &res);
	if (n > 0)
		check_response(resp, n, 4096);
	cl.tcp = true;
	n = query_process(&env, &cl, data, size, resp, sizeof(resp), &res);
	if (n > 0)
		check_response(resp, n, sizeof(resp));
	return 0;
}
