/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/* Unit tests for lib/pkt.c: the query reader and the response writer. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "dname.h"
#include "error.h"
#include "pkt.h"
#include "rr.h"
#include "testutil.h"

static size_t
query(uint8_t *w, uint16_t flags, uint16_t qd, uint16_t ar)
{
	memset(w, 0, 12);
	put16(w, 0xbeef);
	put16(w + 2, flags);
	put16(w + 4, qd);
	put16(w + 10, ar);
	memcpy(w + 12, "\3WwW\7example\3com\0\0\1\0\1", 21);
	return 33;
}

static size_t
add_opt(uint8_t *w, size_t n, uint16_t size, uint8_t version,
    const uint8_t *opts, uint16_t optlen)
{
	w[n] = 0;
	put16(w + n + 1, TYPE_OPT);
	put16(w + n + 3, size);
	w[n + 5] = 0;
	w[n + 6] = version;
	put16(w + n + 7, 0x8000);
	put16(w + n + 9, optlen);
	if (optlen > 0)
		memcpy(w + n + 11, opts, optlen);
	return n + 11 + optlen;
}

START_TEST(test_pkt_parses_a_query)
{
	uint8_t w[512];
	struct pkt_query q;
	size_t n = query(w, PKT_RD, 1, 1);

	n = add_opt(w, n, 4096, 0, (const uint8_t *)"\0\3\0\0", 4);
	ck_assert_int_eq(pkt_parse_query(w, n, &q), PKT_OK);
	ck_assert_uint_eq(q.id, 0xbeef);
	ck_assert_uint_eq(q.qtype, TYPE_A);
	ck_assert_mem_eq(q.qname, "\3WwW", 4);
	ck_assert_mem_eq(q.lname, "\3www\7example\3com", 17);
	ck_assert(q.edns && q.edns_do && q.nsid);
	ck_assert_uint_eq(q.edns_udp_size, 4096);
	ck_assert_uint_eq(q.qview.labels, 3);
}
END_TEST

START_TEST(test_pkt_drops_responses_and_runts)
{
	uint8_t w[512];
	struct pkt_query q;
	size_t n = query(w, PKT_QR, 1, 0);

	ck_assert_int_eq(pkt_parse_query(w, n, &q), PKT_DROP);
	ck_assert_int_eq(pkt_parse_query(w, 11, &q), PKT_DROP);
}
END_TEST

START_TEST(test_pkt_formerr_cases)
{
	uint8_t w[512];
	struct pkt_query q;
	size_t n;

	n = query(w, 0, 2, 0);
	ck_assert_int_eq(pkt_parse_query(w, n, &q), PKT_FORMERR);
	n = query(w, 0, 0, 0);
	ck_assert_int_eq(pkt_parse_query(w, 12, &q), PKT_FORMERR);
	n = query(w, 0, 1, 0);
	ck_assert_int_eq(pkt_parse_query(w, n - 2, &q), PKT_FORMERR);
	/* a pointer in the question */
	memcpy(w + 12, "\xc0\x0c\0\1\0\1", 6);
	ck_assert_int_eq(pkt_parse_query(w, 18, &q), PKT_FORMERR);
	/* two OPT records: FORMERR without EDNS in the answer */
	n = query(w, 0, 1, 2);
	n = add_opt(w, n, 1232, 0, NULL, 0);
	n = add_opt(w, n, 1232, 0, NULL, 0);
	ck_assert_int_eq(pkt_parse_query(w, n, &q), PKT_FORMERR);
	ck_assert(!q.edns);
	/* an option running past the OPT's RDATA */
	n = query(w, 0, 1, 1);
	n = add_opt(w, n, 1232, 0, (const uint8_t *)"\0\3\0\11", 4);
	ck_assert_int_eq(pkt_parse_query(w, n, &q), PKT_FORMERR);
	/* a 9-octet cookie: FORMERR, but EDNS stays (RFC 7873 5.2.2) */
	n = query(w, 0, 1, 1);
	n = add_opt(w, n, 1232, 0,
	    (const uint8_t *)"\0\12\0\11abcdefghi", 13);
	ck_assert_int_eq(pkt_parse_query(w, n, &q), PKT_FORMERR);
	ck_assert(q.edns);
	/* ARCOUNT promises a record that is not there */
	n = query(w, 0, 1, 1);
	ck_assert_int_eq(pkt_parse_query(w, n, &q), PKT_FORMERR);
}
END_TEST

START_TEST(test_pkt_notimp_for_unknown_opcodes)
{
	uint8_t w[512];
	struct pkt_query q;
	size_t n = query(w, 2 << 11, 1, 0);

	ck_assert_int_eq(pkt_parse_query(w, n, &q), PKT_NOTIMP);
	n = query(w, OPCODE_NOTIFY << 11, 1, 0);
	ck_assert_int_eq(pkt_parse_query(w, n, &q), PKT_OK);
}
END_TEST

START_TEST(test_pkt_writer_compresses_case_sensitively)
{
	uint8_t buf[512], name[DNAME_MAXLEN];
	struct pkt_writer w;

	pkt_writer_init(&w, buf, sizeof(buf));
	ck_assert_int_gt(dname_from_str("www.example.com.", NULL, name), 0);
	ck_assert_int_eq(pkt_put_header_question(&w, 1, PKT_QR, name, 1, 1),
	    0);
	ck_assert_uint_eq(w.len, 12 + 17 + 4);
	/* same suffix: a pointer to "example.com" inside the question */
	ck_assert_int_gt(dname_from_str("mail.example.com.", NULL, name), 0);
	ck_assert_int_eq(pkt_put_name(&w, name, true), 0);
	ck_assert_uint_eq(w.len, 33 + 5 + 2);
	ck_assert_uint_eq(get16(buf + 38), 0xc000 | 16);
	/* other case: no pointer into "example.com" */
	ck_assert_int_gt(dname_from_str("x.EXAMPLE.com.", NULL, name), 0);
	ck_assert_int_eq(pkt_put_name(&w, name, true), 0);
	ck_assert_uint_eq(w.len, 40 + 2 + 8 + 2);
	/* the whole name again */
	ck_assert_int_gt(dname_from_str("www.example.com.", NULL, name), 0);
	ck_assert_int_eq(pkt_put_name(&w, name, true), 0);
	ck_assert_uint_eq(get16(buf + w.len - 2), 0xc000 | 12);
}
END_TEST

START_TEST(test_pkt_writer_rolls_back_when_full)
{
	uint8_t buf[64], name[DNAME_MAXLEN];
	uint8_t wire[8] = { 0, 16, 0, 1, 0, 0, 0, 60 };
	uint8_t rec[2 + 40];
	struct pkt_writer w;

	pkt_writer_init(&w, buf, sizeof(buf));
	ck_assert_int_gt(dname_from_str("a.example.", NULL, name), 0);
	ck_assert_int_eq(pkt_put_header_question(&w, 1, 0, name, 16, 1), 0);
	put16(rec, 40);
	memset(rec + 2, 'x', 40);
	size_t before = w.len;
	ck_assert_int_eq(pkt_put_rr(&w, name, wire, rec, PKT_TTL_KEEP),
	    APEX_ESPACE);
	ck_assert_uint_eq(w.len, before);
	put16(rec, 4);
	ck_assert_int_eq(pkt_put_rr(&w, name, wire, rec, 5), 0);
	ck_assert_uint_eq(w.len, before + 2 + 10 + 4);
	ck_assert_uint_eq(get32(buf + before + 6), 5);	/* TTL replaced */
}
END_TEST

START_TEST(test_pkt_dname_rdata_is_not_compressed_but_pointed_at)
{
	uint8_t buf[512], name[DNAME_MAXLEN], target[DNAME_MAXLEN];
	uint8_t dwire[8] = { 0, 39, 0, 1, 0, 0, 0, 60 };
	uint8_t cwire[8] = { 0, 5, 0, 1, 0, 0, 0, 60 };
	uint8_t rec[2 + DNAME_MAXLEN];
	struct pkt_writer w;

	pkt_writer_init(&w, buf, sizeof(buf));
	ck_assert_int_gt(dname_from_str("x.d.example.", NULL, name), 0);
	ck_assert_int_eq(pkt_put_header_question(&w, 1, 0, name, 1, 1), 0);
	int tl = dname_from_str("target.net.", NULL, target);
	put16(rec, (uint16_t)tl);
	memcpy(rec + 2, target, (size_t)tl);
	ck_assert_int_gt(dname_from_str("d.example.", NULL, name), 0);
	size_t at = w.len;
	ck_assert_int_eq(pkt_put_rr(&w, name, dwire, rec, PKT_TTL_KEEP), 0);
	/* RFC 6672 2.5: DNAME RDATA goes out whole. */
	ck_assert_uint_eq(get16(buf + at + 2 + 8), (uint16_t)tl);
	ck_assert_mem_eq(buf + at + 2 + 10, target, (size_t)tl);
	/* a CNAME target may point into it */
	ck_assert_int_eq(dname_from_str("y.target.net.", NULL, target), 14);
	put16(rec, 14);
	memcpy(rec + 2, target, 14);
	ck_assert_int_eq(pkt_put_rr(&w, name, cwire, rec, PKT_TTL_KEEP), 0);
	ck_assert_uint_eq(get16(buf + w.len - 2),
	    (uint16_t)(0xc000 | (at + 12)));
}
END_TEST

static Suite *
pkt_suite(void)
{
	Suite *s = suite_create("pkt");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_pkt_parses_a_query);
	tcase_add_test(tc, test_pkt_drops_responses_and_runts);
	tcase_add_test(tc, test_pkt_formerr_cases);
	tcase_add_test(tc, test_pkt_notimp_for_unknown_opcodes);
	tcase_add_test(tc, test_pkt_writer_compresses_case_sensitively);
	tcase_add_test(tc, test_pkt_writer_rolls_back_when_full);
	tcase_add_test(tc, test_pkt_dname_rdata_is_not_compressed_but_pointed_at);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return run_suite(pkt_suite());
}
