/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/* Unit tests for named/rrl.c (response rate limiting). */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "conf.h"
#include "log.h"
#include "rrl.h"
#include "testutil.h"

#define T0	100000u		/* a time, in seconds */

static struct conf *cf;
static struct rrl rrl;
static char logged[8192];
static unsigned nlogged;

static void
sink(enum log_category cat, enum log_level level, const char *line)
{
	size_t n = strlen(logged);

	(void)level;
	if (cat != LOGC_RATE_LIMIT)
		return;
	nlogged++;
	snprintf(logged + n, sizeof(logged) - n, "%s\n", line);
}

/* A table for "options { rate-limit { OPTIONS }; };". */
static void
setup_rrl(const char *options)
{
	char text[1024];
	struct problems p;

	memset(&p, 0, sizeof(p));
	snprintf(text, sizeof(text), "options { rate-limit { %s }; };\n",
	    options);
	cf = conf_load_string(text, "test.conf", collect_problem, &p);
	ck_assert_msg(cf != NULL, "%s", p.text);
	static const uint8_t key[16] = { 1, 2, 3 };
	rrl_init(&rrl, &cf->rrl, 1, key);
	logged[0] = '\0';
	nlogged = 0;
	log_set_sink(sink);
}

static void
teardown_rrl(void)
{
	rrl_free(&rrl);
	conf_free(cf);
}

static struct sockaddr_storage
addr(const char *s)
{
	struct sockaddr_storage ss;

	memset(&ss, 0, sizeof(ss));
	if (strchr(s, ':') != NULL) {
		struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
		sin6->sin6_family = AF_INET6;
		ck_assert_int_eq(inet_pton(AF_INET6, s, &sin6->sin6_addr), 1);
	} else {
		struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
		sin->sin_family = AF_INET;
		ck_assert_int_eq(inet_pton(AF_INET, s, &sin->sin_addr), 1);
	}
	return ss;
}

static const struct rrl_query www_a = {
	RRL_RESPONSE, 1, 1, (const uint8_t *)"\3www\7example\3com", false
};

static enum rrl_verdict
ask(const char *client, const struct rrl_query *q, uint32_t now)
{
	struct sockaddr_storage ss = addr(client);
	enum rrl_kind by;

	return rrl_check(&rrl, (struct sockaddr *)&ss, false, q, now, &by);
}

/* n responses at now; how many passed, slipped, dropped. */
static void
burst(const char *client, const struct rrl_query *q, uint32_t now,
    unsigned n, unsigned out[3])
{
	out[0] = out[1] = out[2] = 0;
	for (unsigned i = 0; i < n; i++)
		out[ask(client, q, now)]++;
}

START_TEST(test_rrl_rate_per_second_then_slip_and_drop)
{
	unsigned v[3];

	setup_rrl("responses-per-second 5; slip 2;");
	/* one second's credit, then every other one truncated */
	for (unsigned i = 0; i < 5; i++)
		ck_assert_int_eq(ask("192.0.2.1", &www_a, T0), RRL_PASS);
	ck_assert_int_eq(ask("192.0.2.1", &www_a, T0), RRL_SLIP);
	ck_assert_int_eq(ask("192.0.2.1", &www_a, T0), RRL_DROP);
	ck_assert_int_eq(ask("192.0.2.1", &www_a, T0), RRL_SLIP);
	ck_assert_int_eq(ask("192.0.2.1", &www_a, T0), RRL_DROP);
	/* another name is another account */
	struct rrl_query mx = www_a;
	mx.qtype = 15;
	ck_assert_int_eq(ask("192.0.2.1", &mx, T0), RRL_PASS);
	/* a steady client at the rate is never limited */
	for (uint32_t t = T0 + 100; t < T0 + 110; t++) {
		burst("198.51.100.1", &www_a, t, 5, v);
		ck_assert_uint_eq(v[RRL_PASS], 5);
	}
	teardown_rrl();
}
END_TEST

START_TEST(test_rrl_debt_is_paid_back_before_credit)
{
	unsigned v[3];

	setup_rrl("responses-per-second 5; window 2; slip 0;");
	burst("192.0.2.1", &www_a, T0, 30, v);
	ck_assert_uint_eq(v[RRL_PASS], 5);
	ck_assert_uint_eq(v[RRL_DROP], 25);
	ck_assert_uint_eq(v[RRL_SLIP], 0);	/* slip 0: drop them all */
	/* debt down to -window * rate = -10: +5 a second pays it back */
	ck_assert_int_eq(ask("192.0.2.1", &www_a, T0 + 1), RRL_DROP);
	ck_assert_int_eq(ask("192.0.2.1", &www_a, T0 + 2), RRL_DROP);
	ck_assert_int_eq(ask("192.0.2.1", &www_a, T0 + 3), RRL_PASS);
	/* older than the window: a new account */
	burst("192.0.2.1", &www_a, T0 + 100, 6, v);
	ck_assert_uint_eq(v[RRL_PASS], 5);
	teardown_rrl();
}
END_TEST

START_TEST(test_rrl_slip_counts)
{
	static const struct {
		const char	*opt;
		const char	*pattern;	/* after the credit */
	} cases[] = {
		{ "slip 1;", "SSSSSS" },
		{ "slip 0;", "DDDDDD" },
		{ "slip 2;", "SDSDSD" },
		{ "slip 3;", "SDDSDD" },
	};
	char opt[128], got[8];

	for (size_t c = 0; c < sizeof(cases) / sizeof(cases[0]); c++) {
		snprintf(opt, sizeof(opt), "responses-per-second 1; %s",
		    cases[c].opt);
		setup_rrl(opt);
		ck_assert_int_eq(ask("192.0.2.1", &www_a, T0), RRL_PASS);
		for (unsigned i = 0; i < 6; i++)
			got[i] = "PDS"[ask("192.0.2.1", &www_a, T0)];
		got[6] = '\0';
		ck_assert_msg(strcmp(got, cases[c].pattern) == 0, "%s: %s",
		    cases[c].opt, got);
		teardown_rrl();
	}
}
END_TEST

START_TEST(test_rrl_masks_client_prefixes)
{
	setup_rrl("responses-per-second 1; slip 0; "
	    "ipv4-prefix-length 24; ipv6-prefix-length 56;");
	ck_assert_int_eq(ask("192.0.2.1", &www_a, T0), RRL_PASS);
	/* the same /24: the same account */
	ck_assert_int_eq(ask("192.0.2.200", &www_a, T0), RRL_DROP);
	ck_assert_int_eq(ask("::ffff:192.0.2.9", &www_a, T0), RRL_DROP);
	ck_assert_int_eq(ask("192.0.3.1", &www_a, T0), RRL_PASS);
	ck_assert_int_eq(ask("2001:db8:0:100::1", &www_a, T0), RRL_PASS);
	ck_assert_int_eq(ask("2001:db8:0:1ff::2", &www_a, T0), RRL_DROP);
	ck_assert_int_eq(ask("2001:db8:0:200::1", &www_a, T0), RRL_PASS);
	teardown_rrl();

	setup_rrl("responses-per-second 1; slip 0; ipv4-prefix-length 32;");
	ck_assert_int_eq(ask("192.0.2.1", &www_a, T0), RRL_PASS);
	ck_assert_int_eq(ask("192.0.2.2", &www_a, T0), RRL_PASS);
	ck_assert_int_eq(ask("192.0.2.1", &www_a, T0), RRL_DROP);
	teardown_rrl();
}
END_TEST

START_TEST(test_rrl_exempt_clients_and_tcp_pass)
{
	struct sockaddr_storage ss = addr("192.0.2.1");
	enum rrl_kind by;

	setup_rrl("responses-per-second 1; exempt-clients { 10/8; };");
	for (unsigned i = 0; i < 100; i++)
		ck_assert_int_eq(ask("10.1.2.3", &www_a, T0), RRL_PASS);
	for (unsigned i = 0; i < 100; i++)
		ck_assert_int_eq(rrl_check(&rrl, (struct sockaddr *)&ss, true,
		    &www_a, T0, &by), RRL_PASS);
	ck_assert_int_eq(ask("192.0.2.1", &www_a, T0), RRL_PASS);
	ck_assert_int_ne(ask("192.0.2.1", &www_a, T0), RRL_PASS);
	teardown_rrl();
}
END_TEST

START_TEST(test_rrl_nxdomain_counts_per_zone_and_all_caps_prefix)
{
	struct rrl_query nx = {
		RRL_NXDOMAIN, 1, 1, (const uint8_t *)"\7example\3com", false
	};
	struct rrl_query other = www_a;
	struct sockaddr_storage ss = addr("192.0.2.1");
	enum rrl_kind by;

	setup_rrl("responses-per-second 100; nxdomains-per-second 2; "
	    "all-per-second 4; slip 2;");
	/* random names in a zone share the zone's NXDOMAIN account */
	ck_assert_int_eq(ask("192.0.2.1", &nx, T0), RRL_PASS);
	ck_assert_int_eq(ask("192.0.2.1", &nx, T0), RRL_PASS);
	ck_assert_int_eq(ask("192.0.2.1", &nx, T0), RRL_SLIP);
	/* all-per-second: the prefix has had 3, one more, then drops,
	 * never slips */
	other.qtype = 28;
	ck_assert_int_eq(ask("192.0.2.1", &other, T0), RRL_PASS);
	ck_assert_int_eq(rrl_check(&rrl, (struct sockaddr *)&ss, false,
	    &other, T0, &by), RRL_DROP);
	ck_assert_int_eq(by, RRL_ALL);
	ck_assert_int_eq(ask("192.0.2.1", &other, T0), RRL_DROP);
	teardown_rrl();
}
END_TEST

START_TEST(test_rrl_full_table_reuses_old_entries)
{
	char client[32];
	unsigned v[3];

	setup_rrl("responses-per-second 2; slip 0; ipv4-prefix-length 32; "
	    "max-table-size 16; min-table-size 1;");
	burst("192.0.2.1", &www_a, T0, 3, v);
	ck_assert_uint_eq(v[RRL_DROP], 1);
	/* many more clients than entries, in the same second */
	for (unsigned i = 0; i < 1000; i++) {
		snprintf(client, sizeof(client), "10.0.%u.%u", i / 250,
		    i % 250);
		ck_assert_int_eq(ask(client, &www_a, T0), RRL_PASS);
	}
	ck_assert_uint_eq(rrl.used, 16);
	/* the account in debt was kept: still limited */
	ck_assert_int_eq(ask("192.0.2.1", &www_a, T0), RRL_DROP);
	/* an old one was reused: 10.0.0.0 starts again with full credit */
	burst("10.0.0.0", &www_a, T0, 3, v);
	ck_assert_uint_eq(v[RRL_PASS], 2);
	/* a recent one was not: it has one response left */
	burst("10.0.3.249", &www_a, T0, 3, v);
	ck_assert_uint_eq(v[RRL_PASS], 1);
	teardown_rrl();
}
END_TEST

START_TEST(test_rrl_logs_start_and_stop_once)
{
	unsigned v[3];

	setup_rrl("responses-per-second 2; window 5;");
	burst("192.0.2.1", &www_a, T0, 1000, v);
	ck_assert_uint_eq(nlogged, 1);
	ck_assert_msg(strstr(logged, "limit responses to 192.0.2.0/24 for "
	    "www.example.com IN A  (") != NULL, "%s", logged);
	/* a minute of quiet, then any query: the burst has ended */
	(void)ask("198.51.100.1", &www_a, T0 + 61);
	ck_assert_msg(strstr(logged, "stop limiting responses to "
	    "192.0.2.0/24") != NULL, "%s", logged);
	teardown_rrl();

	/* spoofed sources: a bounded number of lines per second */
	setup_rrl("responses-per-second 1; log-only yes;");
	char client[32];
	for (unsigned i = 0; i < 500; i++) {
		snprintf(client, sizeof(client), "10.%u.%u.1", i / 250,
		    i % 250);
		burst(client, &www_a, T0, 3, v);
	}
	ck_assert_uint_le(nlogged, 25);
	ck_assert_msg(strstr(logged, "would limit responses to 10.0.0.0/24")
	    != NULL, "%s", logged);
	(void)ask("10.0.0.1", &www_a, T0 + 1);
	ck_assert_msg(strstr(logged, "log lines suppressed") != NULL, "%s",
	    logged);
	teardown_rrl();
}
END_TEST

START_TEST(test_rrl_qps_scale_lowers_rates_but_not_for_tcp_clients)
{
	struct sockaddr_storage tcp = addr("198.51.100.1");
	char client[32];
	unsigned v[3];
	enum rrl_kind by;

	setup_rrl("responses-per-second 10; qps-scale 10; window 1; slip 0;");
	/* 200 responses in a second, each to another prefix */
	for (unsigned i = 0; i < 200; i++) {
		snprintf(client, sizeof(client), "10.%u.%u.1", i / 100,
		    i % 100);
		ck_assert_int_eq(ask(client, &www_a, T0), RRL_PASS);
	}
	/* about 200 qps against a qps-scale of 10: 10 becomes 1 */
	burst("192.0.2.1", &www_a, T0 + 1, 10, v);
	ck_assert_uint_eq(v[RRL_PASS], 1);
	/* a client seen over TCP keeps its rate */
	ck_assert_int_eq(rrl_check(&rrl, (struct sockaddr *)&tcp, true,
	    &www_a, T0 + 1, &by), RRL_PASS);
	burst("198.51.100.1", &www_a, T0 + 1, 11, v);
	ck_assert_uint_eq(v[RRL_PASS], 10);
	teardown_rrl();

	/* without qps-scale, the rate stays */
	setup_rrl("responses-per-second 10; window 1; slip 0;");
	for (unsigned i = 0; i < 200; i++) {
		snprintf(client, sizeof(client), "10.%u.%u.1", i / 100,
		    i % 100);
		(void)ask(client, &www_a, T0);
	}
	burst("192.0.2.1", &www_a, T0 + 1, 10, v);
	ck_assert_uint_eq(v[RRL_PASS], 10);
	teardown_rrl();
}
END_TEST

static Suite *
rrl_suite(void)
{
	Suite *s = suite_create("rrl");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_rrl_rate_per_second_then_slip_and_drop);
	tcase_add_test(tc, test_rrl_debt_is_paid_back_before_credit);
	tcase_add_test(tc, test_rrl_slip_counts);
	tcase_add_test(tc, test_rrl_masks_client_prefixes);
	tcase_add_test(tc, test_rrl_exempt_clients_and_tcp_pass);
	tcase_add_test(tc, test_rrl_nxdomain_counts_per_zone_and_all_caps_prefix);
	tcase_add_test(tc, test_rrl_full_table_reuses_old_entries);
	tcase_add_test(tc, test_rrl_logs_start_and_stop_once);
	tcase_add_test(tc, test_rrl_qps_scale_lowers_rates_but_not_for_tcp_clients);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return run_suite(rrl_suite());
}
