/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/* Unit tests for lib/dname.c. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "dname.h"
#include "error.h"

static int
from_str(const char *s, uint8_t *out)
{
	return dname_from_str(s, NULL, out);
}

START_TEST(test_dname_parses_presentation)
{
	uint8_t n[DNAME_MAXLEN];
	char buf[DNAME_STRLEN];

	ck_assert_int_eq(from_str("www.example.com.", n), 17);
	ck_assert_mem_eq(n, "\3www\7example\3com", 17);
	ck_assert_int_eq(from_str(".", n), 1);
	ck_assert_int_eq(n[0], 0);
	ck_assert_int_eq(from_str("a\\.b.c", n), 7);
	ck_assert_str_eq(dname_to_str(n, buf, sizeof(buf)), "a\\.b.c.");
	ck_assert_int_eq(from_str("\\065\\032x.", n), 5);
	ck_assert_mem_eq(n, "\3A x", 5);
	ck_assert_str_eq(dname_to_str(n, buf, sizeof(buf)), "A\\032x.");
}
END_TEST

START_TEST(test_dname_relative_names_take_origin)
{
	uint8_t origin[DNAME_MAXLEN], n[DNAME_MAXLEN];

	ck_assert_int_gt(from_str("example.com.", origin), 0);
	ck_assert_int_eq(dname_from_str("www", origin, n), 17);
	ck_assert_mem_eq(n, "\3www\7example\3com", 17);
	ck_assert_int_eq(dname_from_str("@", origin, n), 13);
}
END_TEST

START_TEST(test_dname_rejects_bad_presentation)
{
	uint8_t n[DNAME_MAXLEN];
	char big[300];

	ck_assert_int_eq(from_str("a..b", n), APEX_ESYNTAX);
	ck_assert_int_eq(from_str("\\", n), APEX_ESYNTAX);
	ck_assert_int_eq(from_str("\\999", n), APEX_ESYNTAX);
	memset(big, 'a', 64);
	big[64] = '\0';
	ck_assert_int_eq(from_str(big, n), APEX_ESYNTAX);	/* label > 63 */
	for (int i = 0; i < 130; i++) {
		big[2 * i] = 'a';
		big[2 * i + 1] = '.';
	}
	big[260] = '\0';
	ck_assert_int_eq(from_str(big, n), APEX_ESYNTAX);	/* > 255 */
}
END_TEST

START_TEST(test_dname_unpack_follows_pointers)
{
	/* header, then "example.com" at 12, then "www" + pointer to 12 */
	uint8_t pkt[64] = { 0 };
	uint8_t out[DNAME_MAXLEN];
	size_t pos;

	memcpy(pkt + 12, "\7example\3com\0", 13);
	memcpy(pkt + 25, "\3www\xc0\x0c", 6);
	pos = 25;
	ck_assert_int_eq(dname_unpack(pkt, 31, &pos, out), 17);
	ck_assert_uint_eq(pos, 31);
	ck_assert_mem_eq(out, "\3www\7example\3com", 17);
}
END_TEST

START_TEST(test_dname_rejects_pointer_loop)
{
	uint8_t pkt[32] = { 0 };
	uint8_t out[DNAME_MAXLEN];
	size_t pos = 12;

	pkt[12] = 0xc0;	/* points at itself */
	pkt[13] = 12;
	ck_assert_int_eq(dname_unpack(pkt, 14, &pos, out), APEX_EMALF);
	/* forward pointer */
	pkt[13] = 20;
	pos = 12;
	ck_assert_int_eq(dname_unpack(pkt, 32, &pos, out), APEX_EMALF);
	/* two labels that point at each other */
	memcpy(pkt + 12, "\1a\xc0\x10\1b\xc0\x0c", 8);
	pos = 16;
	ck_assert_int_eq(dname_unpack(pkt, 20, &pos, out), APEX_EMALF);
}
END_TEST

START_TEST(test_dname_rejects_truncation_and_long_names)
{
	uint8_t pkt[300], out[DNAME_MAXLEN];
	size_t pos = 0;

	memcpy(pkt, "\7exam", 5);
	ck_assert_int_eq(dname_unpack(pkt, 5, &pos, out), APEX_EMALF);
	/* 5 labels of 63: 320 octets > 255 */
	for (int i = 0; i < 4; i++) {
		pkt[i * 64] = 63;
		memset(pkt + i * 64 + 1, 'x', 63);
	}
	pkt[256] = 0;
	pos = 0;
	ck_assert_int_eq(dname_unpack(pkt, 257, &pos, out), APEX_EMALF);
	pkt[0] = 0x40;	/* extended label type */
	pos = 0;
	ck_assert_int_eq(dname_unpack(pkt, 257, &pos, out), APEX_EMALF);
	ck_assert_int_eq(dname_scan(pkt, 257, NULL), APEX_EMALF);
}
END_TEST

START_TEST(test_dname_compare_is_canonical)
{
	/* RFC 4034 6.1's example order. */
	static const char *const order[] = {
		"example.", "a.example.", "yljkjljk.a.example.",
		"Z.a.example.", "zABC.a.EXAMPLE.", "z.example.",
		"\\001.z.example.", "*.z.example.", "\\200.z.example.",
	};
	uint8_t a[DNAME_MAXLEN], b[DNAME_MAXLEN];

	for (size_t i = 0; i + 1 < sizeof(order) / sizeof(order[0]); i++) {
		ck_assert_int_gt(from_str(order[i], a), 0);
		ck_assert_int_gt(from_str(order[i + 1], b), 0);
		ck_assert_msg(dname_compare(a, b) < 0, "%s < %s", order[i],
		    order[i + 1]);
		ck_assert_msg(dname_compare(b, a) > 0, "%s > %s",
		    order[i + 1], order[i]);
	}
	ck_assert_int_gt(from_str("EXAMPLE.com", a), 0);
	ck_assert_int_gt(from_str("example.COM", b), 0);
	ck_assert_int_eq(dname_compare(a, b), 0);
	ck_assert(dname_equal(a, b));
}
END_TEST

START_TEST(test_dname_suffix_hashes_match_whole_names)
{
	uint8_t n[DNAME_MAXLEN], s[DNAME_MAXLEN];
	struct dname_view v;
	uint32_t h[DNAME_MAXLABELS + 1];

	ck_assert_int_gt(from_str("a.b.example.com.", n), 0);
	ck_assert_int_gt(dname_scan(n, sizeof(n), &v), 0);
	ck_assert_int_eq(v.labels, 4);
	dname_hash_suffixes(n, &v, h);
	ck_assert_int_gt(from_str("example.com.", s), 0);
	ck_assert_uint_eq(h[2], dname_hash(s));
	ck_assert_uint_eq(h[0], dname_hash(n));
	ck_assert_uint_ne(h[0], h[1]);
}
END_TEST

START_TEST(test_dname_subdomain)
{
	uint8_t a[DNAME_MAXLEN], b[DNAME_MAXLEN];

	ck_assert_int_gt(from_str("WWW.Example.com", a), 0);
	ck_assert_int_gt(from_str("example.COM", b), 0);
	ck_assert(dname_is_subdomain(a, b));
	ck_assert(dname_is_subdomain(b, b));
	ck_assert(!dname_is_subdomain(b, a));
	ck_assert_int_gt(from_str("xample.com", b), 0);
	ck_assert(!dname_is_subdomain(a, b));
}
END_TEST

static Suite *
dname_suite(void)
{
	Suite *s = suite_create("dname");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_dname_parses_presentation);
	tcase_add_test(tc, test_dname_relative_names_take_origin);
	tcase_add_test(tc, test_dname_rejects_bad_presentation);
	tcase_add_test(tc, test_dname_unpack_follows_pointers);
	tcase_add_test(tc, test_dname_rejects_pointer_loop);
	tcase_add_test(tc, test_dname_rejects_truncation_and_long_names);
	tcase_add_test(tc, test_dname_compare_is_canonical);
	tcase_add_test(tc, test_dname_suffix_hashes_match_whole_names);
	tcase_add_test(tc, test_dname_subdomain);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	SRunner *sr = srunner_create(dname_suite());

	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
