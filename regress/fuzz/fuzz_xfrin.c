/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * libFuzzer target: any bytes as the messages of a zone transfer from a
 * primary (lib/xfrin.c), then what apex-xferd does with a transfer that
 * completes: the whole zone into the zone builder, or the differences
 * applied to a zone image (lib/xfrin_apply.c). Input: one octet (bit 0:
 * IXFR, else AXFR), then messages, each with a 2-octet length as on TCP.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dname.h"
#include "fuzz.h"
#include "rr.h"
#include "rrbuf.h"
#include "xfrin.h"
#include "zone.h"

static const uint8_t ORIGIN[] = "\7example\3com";

static void
quiet(void *arg, uint32_t tag, bool error, const char *msg)
{
}

static void
add(struct zone_builder *zb, const char *owner, uint16_t type,
    const void *rdata, uint16_t len)
{
	uint8_t name[DNAME_MAXLEN];

	if (dname_from_str(owner, NULL, name) < 0 ||
	    zone_builder_add(zb, name, type, 300, rdata, len, 0) != 0)
		abort();
}

/* The version the differences apply to: serial 1. */
static const struct zone *
base_zone(void)
{
	static struct zone z;
	static void *blob;
	size_t size;

	if (blob != NULL)
		return &z;
	struct zone_builder *zb = zone_builder_new(ORIGIN, CLASS_IN, quiet,
	    NULL);
	static const uint8_t soa[] = "\3ns1\7example\3com\0\2hm\7example\3com"
	    "\0\0\0\0\1\0\0\16\20\0\0\2\130\0\1\121\200\0\0\0\74";
	add(zb, "example.com.", TYPE_SOA, soa, sizeof(soa) - 1);
	add(zb, "example.com.", TYPE_NS, "\3ns1\7example\3com", 17);
	add(zb, "ns1.example.com.", TYPE_A, "\300\0\2\65", 4);
	add(zb, "www.example.com.", TYPE_A, "\300\0\2\1", 4);
	add(zb, "www.example.com.", TYPE_A, "\300\0\2\2", 4);
	add(zb, "mail.example.com.", TYPE_MX, "\0\12\3ns1\7example\3com", 19);
	if (zone_builder_finish(zb, &blob, &size) != 0 ||
	    zone_open(&z, blob, size) != 0)
		abort();
	zone_builder_free(zb);
	return &z;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct xfrin x;
	struct rrview v;
	char err[256];
	size_t pos = 1;
	enum xfrin_status st = XFRIN_MORE;

	if (size < 3)
		return 0;
	uint16_t qtype = (data[0] & 1) ? TYPE_IXFR : TYPE_AXFR;
	/* The ID of the first message, so inputs need not guess it. */
	uint16_t id = size >= 5 ? get16(data + 3) : 0;
	xfrin_init(&x, ORIGIN, CLASS_IN, qtype, id, 1, 5000, NULL);
	while (st == XFRIN_MORE && size - pos >= 2) {
		size_t len = get16(data + pos);
		if (size - pos - 2 < len)
			break;
		st = xfrin_message(&x, data + pos + 2, len, 0);
		pos += 2 + len;
	}
	if (st == XFRIN_DONE && x.kind != XFRIN_UPTODATE) {
		struct zone_builder *zb = zone_builder_new(ORIGIN, CLASS_IN,
		    quiet, NULL);
		void *blob = NULL;
		size_t bsize;
		int rc = 0;
		if (x.kind == XFRIN_FULL) {
			size_t p = 0;
			while (rc == 0 && rrbuf_next(x.full.p, x.full.len, &p,
			    &v) == 0)
				rc = zone_builder_add(zb, v.owner, v.type, v.ttl,
				    v.rdata, v.rdlen, 0);
		} else
			rc = xfrin_apply(&x, base_zone(), zb, err,
			    sizeof(err));
		if (rc == 0 && zone_builder_finish(zb, &blob, &bsize) == 0) {
			struct zone z;
			if (zone_open(&z, blob, bsize) != 0)
				abort();	/* the builder made a bad image */
			free(blob);
		}
		zone_builder_free(zb);
	}
	xfrin_free(&x);
	return 0;
}
