/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * libFuzzer target: any bytes as UPDATE messages (RFC 2136) to a small
 * zone, through update_apply() in one batch, then update_finish(), the
 * zone builder and zone_open() on the new version, which must build
 * without a single error reported. The difference
 * must be the one zone_diff() finds between the two images, and a
 * message that failed must have changed nothing. Input: up to four
 * messages, each with a 2-octet length as on TCP.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dname.h"
#include "fuzz.h"
#include "rr.h"
#include "rrbuf.h"
#include "update.h"
#include "zone.h"
#include "zonediff.h"

static const uint8_t ORIGIN[] = "\7example\3com";

static void
quiet(void *arg, uint32_t tag, bool error, const char *msg)
{
	(void)arg;
	(void)tag;
	(void)error;
	(void)msg;
}

/* The engine must never make a zone the builder refuses. */
static void
strict(void *arg, uint32_t tag, bool error, const char *msg)
{
	(void)arg;
	(void)tag;
	(void)msg;
	if (error)
		abort();
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

/* The zone the messages update: serial 1. */
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
	add(zb, "example.com.", TYPE_NS, "\3ns2\7example\3net", 17);
	add(zb, "ns1.example.com.", TYPE_A, "\300\0\2\65", 4);
	add(zb, "www.example.com.", TYPE_A, "\300\0\2\1", 4);
	add(zb, "www.example.com.", TYPE_A, "\300\0\2\2", 4);
	add(zb, "www.example.com.", TYPE_TXT, "\5hello", 6);
	add(zb, "alias.example.com.", TYPE_CNAME, "\3www\7example\3com", 17);
	add(zb, "mail.example.com.", TYPE_MX, "\0\12\3ns1\7example\3com", 19);
	add(zb, "a.b.ent.example.com.", TYPE_A, "\300\0\2\12", 4);
	add(zb, "sub.example.com.", TYPE_NS, "\2ns\3sub\7example\3com", 20);
	add(zb, "sub.example.com.", TYPE_DS, "\60\71\15\2\1\2\3\4", 8);
	add(zb, "ns.sub.example.com.", TYPE_A, "\300\0\2\13", 4);
	if (zone_builder_finish(zb, &blob, &size) != 0 ||
	    zone_open(&z, blob, size) != 0)
		abort();
	zone_builder_free(zb);
	return &z;
}

static int
rec_cmp(const void *a, const void *b)
{
	const struct rrview *x = a, *y = b;

	if (x->size != y->size)
		return x->size < y->size ? -1 : 1;
	return memcmp(x->owner, y->owner, x->size);
}

/* The records of b, sorted, to compare two lists as multisets. */
static struct rrview *
records(const struct rrbuf *b)
{
	struct rrview *v = calloc(b->count + 1, sizeof(*v));
	size_t pos = 0;
	uint32_t n = 0;

	while (n <= b->count && rrbuf_next(b->p, b->len, &pos, &v[n]) == 0)
		n++;
	if (n != b->count)
		abort();
	qsort(v, n, sizeof(*v), rec_cmp);
	return v;
}

static void
same_lists(const struct rrbuf *a, const struct rrbuf *b)
{
	if (a->count != b->count)
		abort();
	struct rrview *x = records(a), *y = records(b);
	for (uint32_t i = 0; i < a->count; i++)
		if (rec_cmp(&x[i], &y[i]) != 0)
			abort();
	free(x);
	free(y);
}

/* The new version must open, and its difference be zone_diff()'s. */
static void
check_version(const struct zone *z, const struct rrbuf *del,
    const struct rrbuf *add, uint32_t serial, struct zone_builder *zb)
{
	struct rrbuf d2, a2;
	struct zone nz;
	void *blob;
	size_t size;

	if (zone_builder_finish(zb, &blob, &size) != 0)
		abort();
	rrbuf_init(&d2);
	rrbuf_init(&a2);
	if (zone_open(&nz, blob, size) != 0 || nz.hdr->serial != serial ||
	    zone_diff(z, &nz, &d2, &a2) != 0)
		abort();
	same_lists(del, &d2);
	same_lists(add, &a2);
	rrbuf_free(&d2);
	rrbuf_free(&a2);
	free(blob);
}

/* Ends a batch: its difference in del and add; 0 if it built. */
static int
finish(struct update *up, const struct zone *z, unsigned method,
    struct rrbuf *del, struct rrbuf *add)
{
	struct zone_builder *zb = zone_builder_new(ORIGIN, CLASS_IN, strict,
	    NULL);
	uint32_t serial;
	int rc = update_finish(up, (enum serial_method)(method % 3),
	    1796180400, &serial, del, add, zb);

	if (rc == 0)
		check_version(z, del, add, serial, zb);
	zone_builder_free(zb);
	return rc;
}

/* Applies the messages of the input (those whose bit is set in only,
 * when only is not 0); their RCODEs go to rcs. */
static struct update *
run(const struct zone *z, const uint8_t *data, size_t size, unsigned only,
    uint16_t rcs[4], unsigned *nmsg)
{
	struct update *up = update_begin(z);
	char why[128];
	size_t pos = 0;

	*nmsg = 0;
	while (*nmsg < 4 && size - pos >= 2) {
		size_t len = get16(data + pos);
		if (size - pos - 2 < len)
			break;
		if (only == 0 || (only & (1u << *nmsg))) {
			/* A copy of exactly len octets, so ASan sees any
			 * read past the message. */
			uint8_t *msg = malloc(len ? len : 1);
			memcpy(msg, data + pos + 2, len);
			bool before = update_changed(up);
			rcs[*nmsg] = update_apply(up, msg, len, NULL, NULL, why,
			    sizeof(why));
			free(msg);
			if (rcs[*nmsg] != 0 && update_changed(up) != before)
				abort();
		}
		pos += 2 + len;
		(*nmsg)++;
	}
	return up;
}

/*
 * A message that fails must leave no trace: the batch of only the
 * messages that succeeded must end in the same difference.
 */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const struct zone *z = base_zone();
	uint16_t rcs[4] = { 0 }, rcs2[4] = { 0 };
	unsigned nmsg, ok = 0;
	struct rrbuf del, add, del2, add2;
	struct update *up = run(z, data, size, 0, rcs, &nmsg);

	for (unsigned i = 0; i < nmsg; i++)
		ok |= rcs[i] == 0 ? 1u << i : 0;
	rrbuf_init(&del);
	rrbuf_init(&add);
	rrbuf_init(&del2);
	rrbuf_init(&add2);
	if (update_changed(up) && finish(up, z, nmsg, &del, &add) == 0 &&
	    ok != (1u << nmsg) - 1) {
		struct update *up2 = run(z, data, size, ok, rcs2, &nmsg);
		if (!update_changed(up2) || finish(up2, z, nmsg, &del2,
		    &add2) != 0 || del.len != del2.len || add.len != add2.len ||
		    memcmp(del.p, del2.p, del.len) != 0 ||
		    memcmp(add.p, add2.p, add.len) != 0)
			abort();
		for (unsigned i = 0; i < nmsg; i++)
			if ((ok & (1u << i)) && rcs2[i] != 0)
				abort();
		update_free(up2);
	}
	rrbuf_free(&del);
	rrbuf_free(&add);
	rrbuf_free(&del2);
	rrbuf_free(&add2);
	update_free(up);
	return 0;
}
