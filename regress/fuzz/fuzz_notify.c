/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * libFuzzer target: any bytes as a NOTIFY to a worker (query_process()
 * on a secondary zone, from a primary and from a stranger, signed with
 * a key allow-notify names or not), as the answer to apex-xferd's SOA
 * query of a refresh (xfrin_soa_answer()), and as a secondary's answer
 * to a NOTIFY apex-xferd sent (pkt_read_begin() and pkt_read_tsig(), as
 * xferd/notify.c reads it). The first two octets are the message ID
 * apex-xferd expects, so inputs need not guess it.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "chaos.h"
#include "conf.h"
#include "dname.h"
#include "error.h"
#include "fuzz.h"
#include "log.h"
#include "pkt.h"
#include "query.h"
#include "rr.h"
#include "tsig.h"
#include "xfrin.h"
#include "zone.h"
#include "zonefile.h"
#include "zonetab.h"

static const char zone_text[] =
    "$TTL 300\n@ SOA ns1 h 7 3600 600 86400 60\n@ NS ns1\n"
    "ns1 A 192.0.2.53\nwww A 192.0.2.1\n";

static const char conf_text[] =
    "key \"k\" { algorithm hmac-sha256; "
    "secret \"c2VjcmV0c2VjcmV0c2VjcmV0c2VjcmV0\"; };\n"
    "zone \"example.com\" { type secondary; file \"x\"; "
    "primaries { 127.0.0.1; }; allow-notify { key k; }; };\n"
    "zone \"example.net\" { type primary; file \"y\"; };\n";

static struct query_env env;
static struct zonetab tab, chaos;
static struct tsig_keyring keys;
static uint8_t origin[DNAME_MAXLEN];

/* The zone text with origin name as the zone conf names it. */
static void
put_zone(const struct conf_zone *cz)
{
	struct zonefile_opts opts = { NULL, CLASS_IN, 100, 100, NULL, NULL,
	    0 };
	struct zone z;
	void *blob;
	size_t size;
	char *path = fuzz_temp_file(zone_text, strlen(zone_text));

	if (zonefile_load(path, cz->origin, &opts, &blob, &size) != 0 ||
	    zone_open(&z, blob, size) != 0)
		abort();
	unlink(path);
	free(path);
	zonetab_put(&tab, &z, cz);
}

/* Every refused NOTIFY is logged; writing them out would be most of
 * the work. */
static void
no_log(enum log_category cat, enum log_level level, const char *line)
{
}

static void
init(void)
{
	struct conf *cf = conf_load_string(conf_text, "fuzz", NULL, NULL);

	log_set_sink(no_log);

	if (cf == NULL || cf->nzones != 2 ||
	    dname_from_str("example.com.", NULL, origin) < 0 ||
	    tsig_keyring_load(cf, &keys) != 0)
		abort();
	zonetab_init(&tab);
	put_zone(&cf->zones[0]);
	put_zone(&cf->zones[1]);
	chaos_build(cf, &chaos);
	env.conf = cf;
	env.zones = &tab;
	env.chaos = &chaos;
	env.keys = &keys;
	env.now = 1700000000;
}

/* The worker's side: the message as a NOTIFY from addr. */
static void
notify_in(const uint8_t *data, size_t size, uint32_t addr, bool tcp)
{
	static uint8_t req[PKT_MAXLEN], resp[PKT_MAXLEN];
	struct sockaddr_in sin;
	struct query_client cl = { (struct sockaddr *)&sin, tcp };
	struct query_result res;

	if (size < PKT_HDRLEN || size > sizeof(req))
		return;
	memcpy(req, data, size);
	/* Opcode 4 (RFC 1996 3.1); the other bits as they come. */
	put16(req + 2, (uint16_t)((get16(req + 2) & ~0x7800) |
	    (OPCODE_NOTIFY << 11)));
	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(addr);
	size_t n = query_process(&env, &cl, req, size, resp,
	    tcp ? sizeof(resp) : 4096, &res);
	if (n > (tcp ? sizeof(resp) : 4096))
		abort();
	if (res.notify && (res.zone == NULL ||
	    res.zone->type != ZONE_SECONDARY))
		abort();	/* only a secondary zone takes a NOTIFY */
}

/* apex-xferd's side: the answer to a refresh's SOA query. */
static void
soa_answer(const uint8_t *data, size_t size)
{
	struct xfrin_soa sa;
	int e = xfrin_soa_answer(data, size, get16(data), origin, &sa);

	if (e != 0 && e != APEX_ENOENT && e != APEX_EMALF)
		abort();
	if (e == 0 && sa.tsig_pos >= size)
		abort();
}

/* apex-xferd's side: an answer to its NOTIFY, as notify_readable()
 * reads it. */
static void
notify_answer(const uint8_t *data, size_t size)
{
	struct pkt_reader r;
	uint8_t qname[DNAME_MAXLEN];
	uint16_t qt, qc;
	size_t tpos = 0;

	if (pkt_read_begin(&r, data, size, qname, &qt, &qc) != 0 ||
	    !(r.flags & PKT_QR) || PKT_OPCODE(r.flags) != OPCODE_NOTIFY)
		return;
	if (pkt_read_tsig(data, size, &tpos) == 0 && tpos >= size)
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	if (env.conf == NULL)
		init();
	if (size < 2)
		return 0;
	notify_in(data, size, 0x7f000001, false);	/* the primary */
	notify_in(data, size, 0x7f000002, true);	/* anyone else */
	soa_answer(data, size);
	notify_answer(data, size);
	return 0;
}
