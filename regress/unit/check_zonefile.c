/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/* Unit tests for lib/zonefile.c and the checks in lib/zone_build.c. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "dname.h"
#include "error.h"
#include "rr.h"
#include "testutil.h"
#include "zone.h"
#include "zonefile.h"

#define SOA "@ 3600 IN SOA ns1 host 1 7200 3600 1209600 300\n"

/* Loads text as example.com; returns the load result. */
static int
load(const char *text, struct problems *p, struct zone *z, void **blob)
{
	uint8_t origin[DNAME_MAXLEN];
	struct zonefile_opts opts = { "/tmp", CLASS_IN, 100, 100,
	    collect_problem, p, 0 };
	size_t size;
	char *path = write_temp(text);

	memset(p, 0, sizeof(*p));
	ck_assert_int_gt(dname_from_str("example.com.", NULL, origin), 0);
	int rc = zonefile_load(path, origin, &opts, blob, &size);
	unlink(path);
	free(path);
	if (rc == 0)
		ck_assert_int_eq(zone_open(z, *blob, size), 0);
	return rc;
}

static const struct zone_node *
node(const struct zone *z, const char *name)
{
	uint8_t n[DNAME_MAXLEN];

	ck_assert_int_gt(dname_from_str(name, NULL, n), 0);
	dname_lower(n, n, dname_len(n));
	uint32_t k = zone_find_name(z, n);
	return k == ZONE_NONE ? NULL : zone_node(z, k);
}

START_TEST(test_zonefile_loads_a_zone)
{
	struct problems p;
	struct zone z;
	void *blob;

	ck_assert_int_eq(load("$TTL 60\n" SOA "@ NS ns1\nns1 A 192.0.2.1\n"
	    "www ( CNAME\n @ ) ; comment\n", &p, &z, &blob), 0);
	ck_assert_int_eq(p.errors, 0);
	ck_assert_uint_eq(z.hdr->serial, 1);
	ck_assert_uint_eq(z.hdr->neg_ttl, 300);
	const struct zone_node *n = node(&z, "www.example.com.");
	ck_assert_ptr_nonnull(n);
	ck_assert(n->flags & ZN_CNAME);
	ck_assert_ptr_nonnull(zone_find_rrset(&z, n, TYPE_CNAME));
	ck_assert_uint_eq(zone_rrset_ttl(zone_find_rrset(&z, n, TYPE_CNAME)),
	    60);
	free(blob);
}
END_TEST

START_TEST(test_zonefile_generate_expands)
{
	struct problems p;
	struct zone z;
	void *blob;

	ck_assert_int_eq(load("$TTL 60\n" SOA "@ NS ns1\nns1 A 192.0.2.1\n"
	    "$GENERATE 1-10/3 host$ A 10.0.0.$\n"
	    "$GENERATE 0-1 ${10,3,x}.rev PTR \"h$.example.com.\"\n"
	    "after A 192.0.2.9\n", &p, &z, &blob), 0);
	ck_assert_msg(p.errors == 0, "%s", p.text);
	ck_assert_ptr_nonnull(node(&z, "host1.example.com."));
	ck_assert_ptr_nonnull(node(&z, "host4.example.com."));
	ck_assert_ptr_nonnull(node(&z, "host10.example.com."));
	ck_assert_ptr_null(node(&z, "host2.example.com."));
	ck_assert_ptr_nonnull(node(&z, "00a.rev.example.com."));
	ck_assert_ptr_nonnull(node(&z, "00b.rev.example.com."));
	ck_assert_ptr_nonnull(node(&z, "after.example.com."));
	free(blob);
}
END_TEST

START_TEST(test_zonefile_generate_substitution)
{
	char out[256];

	ck_assert_int_eq(zonefile_generate_subst("a$b", 7, out, sizeof(out)),
	    0);
	ck_assert_str_eq(out, "a7b");
	ck_assert_int_eq(zonefile_generate_subst("${-1,4}", 7, out,
	    sizeof(out)), 0);
	ck_assert_str_eq(out, "0006");
	ck_assert_int_eq(zonefile_generate_subst("${0,0,X}", 255, out,
	    sizeof(out)), 0);
	ck_assert_str_eq(out, "FF");
	/* BIND's nibble width counts characters, final dot included. */
	ck_assert_int_eq(zonefile_generate_subst("${0,0,n}", 0x1a, out,
	    sizeof(out)), 0);
	ck_assert_str_eq(out, "a.1");
	ck_assert_int_eq(zonefile_generate_subst("${0,4,n}", 0x1a, out,
	    sizeof(out)), 0);
	ck_assert_str_eq(out, "a.1.");
	ck_assert_int_eq(zonefile_generate_subst("${0,5,N}", 0xbc, out,
	    sizeof(out)), 0);
	ck_assert_str_eq(out, "C.B.0");
	ck_assert_int_eq(zonefile_generate_subst("\\$x$", 3, out,
	    sizeof(out)), 0);
	ck_assert_str_eq(out, "$x3");
	ck_assert_int_eq(zonefile_generate_subst("${1,2", 3, out,
	    sizeof(out)), APEX_ESYNTAX);
	ck_assert_int_eq(zonefile_generate_subst("${1,2,q}", 3, out,
	    sizeof(out)), APEX_ESYNTAX);
	/* found by fuzzing: an offset that overflows the sum */
	ck_assert_int_eq(zonefile_generate_subst("${555555555555555555555,3,d}",
	    10, out, sizeof(out)), APEX_ESYNTAX);
}
END_TEST

START_TEST(test_zonefile_generate_bad_range_is_an_error)
{
	struct problems p;
	struct zone z;
	void *blob;

	ck_assert_int_eq(load("$TTL 60\n" SOA "@ NS ns1\nns1 A 192.0.2.1\n"
	    "$GENERATE 5-1 h$ A 10.0.0.$\n", &p, &z, &blob), APEX_EZONE);
	ck_assert_msg(strstr(p.text, "5: $GENERATE: bad range '5-1'") != NULL,
	    "%s", p.text);
}
END_TEST

START_TEST(test_zonefile_include_relative_to_directory)
{
	struct problems p;
	struct zone z;
	void *blob;
	char *inc = write_temp("host A 192.0.2.2\n$ORIGIN sub.example.com.\n"
	    "x A 192.0.2.3\n");
	char text[512];

	snprintf(text, sizeof(text), "$TTL 60\n" SOA "@ NS ns1\n"
	    "ns1 A 192.0.2.1\n$INCLUDE %s inc\nback A 192.0.2.4\n",
	    inc + strlen("/tmp/"));
	ck_assert_int_eq(load(text, &p, &z, &blob), 0);
	ck_assert_msg(p.errors == 0, "%s", p.text);
	ck_assert_ptr_nonnull(node(&z, "host.inc.example.com."));
	ck_assert_ptr_nonnull(node(&z, "x.sub.example.com."));
	/* RFC 1035 5.1: the origin comes back after the include. */
	ck_assert_ptr_nonnull(node(&z, "back.example.com."));
	unlink(inc);
	free(inc);
	free(blob);
}
END_TEST

START_TEST(test_zonefile_reports_each_problem_with_its_line)
{
	struct problems p;
	struct zone z;
	void *blob;

	ck_assert_int_eq(load("$TTL 60\n"		/* 1 */
	    SOA						/* 2 */
	    "@ NS ns1\n"				/* 3 */
	    "@ NS ns.sub\n"				/* 4 */
	    "www CNAME @\n"				/* 5 */
	    "www A 192.0.2.1\n"				/* 6 */
	    "other.org. A 192.0.2.1\n"			/* 7 */
	    "bad A 300.0.0.1\n"				/* 8 */
	    "sub NS ns.sub\n"				/* 9 */
	    "x SOA a b 1 2 3 4 5\n"			/* 10 */
	    "@ DS 1 8 2 00\n",				/* 11 */
	    &p, &z, &blob), APEX_EZONE);
	ck_assert_msg(strstr(p.text, "7: other.org.: out of zone data"),
	    "%s", p.text);
	ck_assert_msg(strstr(p.text, "8: "), "%s", p.text);
	/* The record checks run only on a zone that parsed cleanly. */
	ck_assert_int_eq(load("$TTL 60\n" SOA "@ NS ns1\n@ NS ns.sub\n"
	    "www CNAME @\nwww A 192.0.2.1\nsub NS ns.sub\n"
	    "x SOA a b 1 2 3 4 5\n@ DS 1 8 2 00\n", &p, &z, &blob),
	    APEX_EZONE);
	ck_assert_msg(strstr(p.text, "6: www.example.com.: CNAME and other "
	    "data"), "%s", p.text);
	ck_assert_msg(strstr(p.text, "NS 'ns1.example.com.' has no address"),
	    "%s", p.text);
	ck_assert_msg(strstr(p.text, "NS 'ns.sub.example.com.' has no "
	    "address"), "%s", p.text);
	ck_assert_msg(strstr(p.text, "8: x.example.com.: SOA record not at "
	    "top"), "%s", p.text);
	ck_assert_msg(strstr(p.text, "DS record at top of zone"), "%s",
	    p.text);
}
END_TEST

START_TEST(test_zonefile_requires_soa_and_ns)
{
	struct problems p;
	struct zone z;
	void *blob;

	ck_assert_int_eq(load("$TTL 60\nwww A 192.0.2.1\n", &p, &z, &blob),
	    APEX_EZONE);
	ck_assert_msg(strstr(p.text, "has no SOA record"), "%s", p.text);
	ck_assert_msg(strstr(p.text, "has no NS records"), "%s", p.text);
}
END_TEST

START_TEST(test_zonefile_rfc1035_ttls_without_dollar_ttl)
{
	struct problems p;
	struct zone z;
	void *blob;

	/* No $TTL and an SOA without one: its MINIMUM becomes the default
	 * for every record without a TTL, as in BIND. */
	ck_assert_int_eq(load("@ IN SOA ns1 host 1 2 3 4 120\n@ NS ns1\n"
	    "ns1 900 A 192.0.2.1\nnext A 192.0.2.2\n", &p, &z, &blob), 0);
	ck_assert_int_eq(p.warnings, 1);
	ck_assert_uint_eq(zone_rrset_ttl(zone_find_rrset(&z, node(&z,
	    "example.com."), TYPE_SOA)), 120);
	ck_assert_uint_eq(zone_rrset_ttl(zone_find_rrset(&z, node(&z,
	    "example.com."), TYPE_NS)), 120);
	ck_assert_uint_eq(zone_rrset_ttl(zone_find_rrset(&z, node(&z,
	    "ns1.example.com."), TYPE_A)), 900);
	ck_assert_uint_eq(zone_rrset_ttl(zone_find_rrset(&z, node(&z,
	    "next.example.com."), TYPE_A)), 120);
	free(blob);
	/* An explicit TTL on the SOA: RFC 1035 5.1, the last explicit TTL
	 * carries on. */
	ck_assert_int_eq(load("@ 60 IN SOA ns1 host 1 2 3 4 120\n@ NS ns1\n"
	    "ns1 900 A 192.0.2.1\nnext A 192.0.2.2\n", &p, &z, &blob), 0);
	ck_assert_uint_eq(zone_rrset_ttl(zone_find_rrset(&z, node(&z,
	    "example.com."), TYPE_NS)), 60);
	ck_assert_uint_eq(zone_rrset_ttl(zone_find_rrset(&z, node(&z,
	    "next.example.com."), TYPE_A)), 900);
	free(blob);
	ck_assert_int_eq(load("www A 192.0.2.1\n" SOA "@ NS ns1\n", &p, &z,
	    &blob), APEX_EZONE);
	ck_assert_msg(strstr(p.text, "1: no TTL specified"), "%s", p.text);
}
END_TEST

START_TEST(test_zonefile_limits_records_per_type)
{
	struct problems p;
	struct zone z;
	void *blob;
	char text[8192] = "$TTL 60\n" SOA "@ NS ns1\nns1 A 192.0.2.1\n";

	for (int i = 0; i < 101; i++)
		snprintf(text + strlen(text), sizeof(text) - strlen(text),
		    "many A 10.0.0.%d\n", i);
	ck_assert_int_eq(load(text, &p, &z, &blob), APEX_EZONE);
	ck_assert_msg(strstr(p.text, "too many records (must not exceed "
	    "100)"), "%s", p.text);
}
END_TEST

/* max-records: a zone (here, a $GENERATE) may not grow past it. */
START_TEST(test_zonefile_max_records)
{
	uint8_t origin[DNAME_MAXLEN];
	struct problems p;
	struct zonefile_opts opts = { NULL, CLASS_IN, 0, 0, collect_problem,
	    &p, 50 };
	void *blob;
	size_t size;
	char *path = write_temp("$TTL 60\n" SOA "@ NS ns1\nns1 A 192.0.2.1\n"
	    "$GENERATE 1-5000000 host$ A 10.0.0.1\n");

	memset(&p, 0, sizeof(p));
	ck_assert_int_gt(dname_from_str("example.com.", NULL, origin), 0);
	ck_assert_int_ne(zonefile_load(path, origin, &opts, &blob, &size), 0);
	ck_assert_msg(strstr(p.text, "5: more than max-records (50) records"),
	    "%s", p.text);
	unlink(path);
	free(path);
}
END_TEST

/* Found by fuzzing: an empty file left the apex as an empty node. */
START_TEST(test_zonefile_empty_file_is_an_error)
{
	struct problems p;
	struct zone z;
	void *blob;

	ck_assert_int_eq(load("", &p, &z, &blob), APEX_EZONE);
	ck_assert_msg(strstr(p.text, "has no SOA record"), "%s", p.text);
	ck_assert_int_eq(load("; only a comment\n$TTL 60\n", &p, &z, &blob),
	    APEX_EZONE);
}
END_TEST

START_TEST(test_zonefile_missing_file)
{
	uint8_t origin[DNAME_MAXLEN];
	struct problems p;
	struct zonefile_opts opts = { NULL, CLASS_IN, 0, 0, collect_problem,
	    &p, 0 };
	void *blob;
	size_t size;

	memset(&p, 0, sizeof(p));
	ck_assert_int_gt(dname_from_str("example.com.", NULL, origin), 0);
	ck_assert_int_eq(zonefile_load("/nonexistent/zone", origin, &opts,
	    &blob, &size), APEX_EIO);
	ck_assert_int_eq(p.errors, 1);
}
END_TEST

static Suite *
zonefile_suite(void)
{
	Suite *s = suite_create("zonefile");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_zonefile_loads_a_zone);
	tcase_add_test(tc, test_zonefile_generate_expands);
	tcase_add_test(tc, test_zonefile_generate_substitution);
	tcase_add_test(tc, test_zonefile_generate_bad_range_is_an_error);
	tcase_add_test(tc, test_zonefile_include_relative_to_directory);
	tcase_add_test(tc, test_zonefile_reports_each_problem_with_its_line);
	tcase_add_test(tc, test_zonefile_requires_soa_and_ns);
	tcase_add_test(tc, test_zonefile_rfc1035_ttls_without_dollar_ttl);
	tcase_add_test(tc, test_zonefile_limits_records_per_type);
	tcase_add_test(tc, test_zonefile_max_records);
	tcase_add_test(tc, test_zonefile_missing_file);
	tcase_add_test(tc, test_zonefile_empty_file_is_an_error);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return run_suite(zonefile_suite());
}
