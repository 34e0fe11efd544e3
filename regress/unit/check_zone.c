/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/* Unit tests for lib/zone.c and lib/zone_build.c: images and lookups. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "dname.h"
#include "error.h"
#include "rr.h"
#include "testutil.h"
#include "zone.h"

static void
no_report(void *arg, uint32_t tag, bool error, const char *msg)
{
	if (error)
		ck_abort_msg("unexpected: %s", msg);
}

static void
add(struct zone_builder *zb, const char *owner, uint16_t type,
    const void *rd, size_t len)
{
	uint8_t n[DNAME_MAXLEN];

	ck_assert_int_gt(dname_from_str(owner, NULL, n), 0);
	ck_assert_int_eq(zone_builder_add(zb, n, type, 60, rd, len, 0), 0);
}

/* example. with SOA, NS, a delegation, a DNAME, a wildcard and an ENT. */
static void *
build(struct zone *z)
{
	uint8_t origin[DNAME_MAXLEN];
	static const uint8_t soa[] = "\2ns\7example\0\1h\7example\0"
	    "\0\0\0\5\0\0\0\1\0\0\0\1\0\0\0\1\0\0\0\x3c";
	static const uint8_t a[] = { 192, 0, 2, 1 };
	void *blob;
	size_t size;

	ck_assert_int_gt(dname_from_str("example.", NULL, origin), 0);
	struct zone_builder *zb = zone_builder_new(origin, CLASS_IN, no_report,
	    NULL);
	add(zb, "example.", TYPE_SOA, soa, sizeof(soa) - 1);
	add(zb, "example.", TYPE_NS, "\2ns\7example", 12);
	add(zb, "ns.example.", TYPE_A, a, 4);
	add(zb, "NS.Example.", TYPE_A, a, 4);		/* duplicate */
	add(zb, "sub.example.", TYPE_NS, "\2ns\3sub\7example", 16);
	add(zb, "ns.sub.example.", TYPE_A, a, 4);
	add(zb, "dn.example.", TYPE_DNAME, "\3net", 5);
	add(zb, "*.w.example.", TYPE_A, a, 4);
	add(zb, "a.b.c.example.", TYPE_A, a, 4);
	ck_assert_int_eq(zone_builder_finish(zb, &blob, &size), 0);
	zone_builder_free(zb);
	ck_assert_int_eq(zone_open(z, blob, size), 0);
	return blob;
}

static const char *
node_name(const struct zone *z, uint32_t k)
{
	static char buf[DNAME_STRLEN];

	return dname_to_str(zone_node_name(z, zone_node(z, k)), buf,
	    sizeof(buf));
}

START_TEST(test_zone_nodes_are_canonical_with_ents)
{
	struct zone z;
	void *blob = build(&z);
	static const char *const want[] = {
		"example.", "c.example.", "b.c.example.", "a.b.c.example.",
		"dn.example.", "ns.example.", "sub.example.",
		"ns.sub.example.", "w.example.", "*.w.example.",
	};

	ck_assert_uint_eq(z.hdr->node_count, nitems(want));
	for (unsigned i = 0; i < nitems(want); i++)
		ck_assert_str_eq(node_name(&z, i), want[i]);
	ck_assert_uint_eq(z.hdr->serial, 5);
	ck_assert_uint_eq(z.hdr->neg_ttl, 60);
	/* the duplicate A record was dropped (RFC 2181 5) */
	uint32_t k = zone_find_name(&z, (const uint8_t *)"\2ns\7example");
	ck_assert_uint_ne(k, ZONE_NONE);
	ck_assert_uint_eq(zone_find_rrset(&z, zone_node(&z, k),
	    TYPE_A)->count, 1);
	free(blob);
}
END_TEST

START_TEST(test_zone_lookup_rules)
{
	struct zone z;
	struct zone_lookup r;
	void *blob = build(&z);

	lookup(&z, "ns.example.", &r);
	ck_assert_int_eq(r.match, ZM_EXACT);
	lookup(&z, "b.c.example.", &r);
	ck_assert_int_eq(r.match, ZM_EXACT);	/* empty non-terminal */
	ck_assert_uint_eq(zone_node(&z, r.node)->nrrsets, 0);
	lookup(&z, "x.ns.example.", &r);
	ck_assert_int_eq(r.match, ZM_NXDOMAIN);
	ck_assert_str_eq(node_name(&z, r.encloser), "ns.example.");
	lookup(&z, "sub.example.", &r);
	ck_assert_int_eq(r.match, ZM_DELEGATION);
	ck_assert(r.exact);
	lookup(&z, "ns.sub.example.", &r);	/* glue is below the cut */
	ck_assert_int_eq(r.match, ZM_DELEGATION);
	ck_assert_str_eq(node_name(&z, r.node), "sub.example.");
	lookup(&z, "deep.er.sub.example.", &r);
	ck_assert_int_eq(r.match, ZM_DELEGATION);
	ck_assert(!r.exact);
	lookup(&z, "x.dn.example.", &r);
	ck_assert_int_eq(r.match, ZM_DNAME);
	lookup(&z, "dn.example.", &r);
	ck_assert_int_eq(r.match, ZM_EXACT);
	lookup(&z, "any.thing.w.example.", &r);
	ck_assert_int_eq(r.match, ZM_WILDCARD);
	ck_assert_str_eq(node_name(&z, r.node), "*.w.example.");
	lookup(&z, "x.b.c.example.", &r);	/* no wildcard here */
	ck_assert_int_eq(r.match, ZM_NXDOMAIN);
	free(blob);
}
END_TEST

/* Walks everything a worker could touch in an image. */
static void
touch_all(const struct zone *z)
{
	static const char *const names[] = { "ns.example.", "x.dn.example.",
	    "a.w.example.", "q.b.c.example.", "ns.sub.example.", "example." };
	struct zone_lookup r;

	for (uint32_t k = 0; k < z->hdr->node_count; k++) {
		const struct zone_node *n = zone_node(z, k);
		const struct zone_rrset *rs = zone_rrset_first(z, n);
		for (unsigned i = 0; i < n->nrrsets; i++, rs = zone_rrset_next(rs))
			(void)zone_rrset_ttl(rs);
	}
	for (size_t i = 0; i < nitems(names); i++)
		lookup(z, names[i], &r);
}

START_TEST(test_zone_open_rejects_corruption)
{
	struct zone z, z2;
	void *blob = build(&z);
	uint8_t *b = blob;
	size_t size = z.size;
	struct zone_hdr *h = blob;
	unsigned rejected = 0;

	ck_assert_int_ne(zone_open(&z2, blob, size - 1), 0);
	h->node_count++;
	ck_assert_int_ne(zone_open(&z2, blob, size), 0);
	h->node_count--;
	struct zone_node *n = (struct zone_node *)(void *)(b + h->nodes);
	n[3].up = 7;	/* an interrupting "ancestor" after the node */
	ck_assert_int_ne(zone_open(&z2, blob, size), 0);
	n[3].up = ZONE_NONE;
	ck_assert_int_eq(zone_open(&z2, blob, size), 0);
	/* Every octet changed in three ways: each image is rejected, or
	 * safe to use (under ASan, an out-of-bounds read fails here). */
	for (size_t i = 0; i < size; i++) {
		static const uint8_t how[] = { 0x00, 0xff, 0x01 };
		uint8_t saved = b[i];
		for (size_t k = 0; k < nitems(how); k++) {
			b[i] = k == 2 ? saved ^ how[k] : how[k];
			if (zone_open(&z2, blob, size) == 0)
				touch_all(&z2);
			else
				rejected++;
		}
		b[i] = saved;
	}
	ck_assert_uint_gt(rejected, size);
	free(blob);
}
END_TEST

static Suite *
zone_suite(void)
{
	Suite *s = suite_create("zone");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_zone_nodes_are_canonical_with_ents);
	tcase_add_test(tc, test_zone_lookup_rules);
	tcase_add_test(tc, test_zone_open_rejects_corruption);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return run_suite(zone_suite());
}
