/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/* Unit tests for lib/conf.c and lib/conf_parse.c (named.conf). */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "conf.h"
#include "testutil.h"

static struct conf *
load(const char *text, struct problems *p)
{
	memset(p, 0, sizeof(*p));
	return conf_load_string(text, "test.conf", collect_problem, p);
}

static struct sockaddr_in
v4(const char *s)
{
	struct sockaddr_in sin;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	ck_assert_int_eq(inet_pton(AF_INET, s, &sin.sin_addr), 1);
	return sin;
}

START_TEST(test_conf_reads_bind_grammar)
{
	struct problems p;
	struct conf *cf = load(
	    "/* C comment\n over lines */\n"
	    "# shell comment\n"
	    "options {\n"
	    "  directory \"/var/apex\"; // C++ comment\n"
	    "  listen-on port 5300 { 127.0.0.1; };\n"
	    "  listen-on-v6 { ::1; };\n"
	    "  recursion no;\n"
	    "  version none;\n"
	    "  server-id \"ns1\";\n"
	    "  edns-udp-size 1400; max-udp-size 1400;\n"
	    "  minimal-responses no;\n"
	    "  allow-query { trusted; !10/8; any; };\n"
	    "  dnssec-validation auto;\n"
	    "};\n"
	    "acl trusted { 192.0.2.0/24; key k1; };\n"
	    "key k1 { algorithm hmac-sha256; secret \"c2VjcmV0c2VjcmV0\"; };\n"
	    "zone \"Example.COM\" IN { type master; file \"ex.zone\"; };\n"
	    "zone \"example.net\" { type primary; file \"/abs/net.zone\";\n"
	    "  allow-query { none; }; };\n", &p);

	ck_assert_msg(cf != NULL, "%s", p.text);
	ck_assert_str_eq(cf->directory, "/var/apex");
	ck_assert_ptr_null(cf->version);
	ck_assert_str_eq(cf->server_id, "ns1");
	ck_assert_uint_eq(cf->edns_udp_size, 1400);
	ck_assert_int_eq(cf->minimal_responses, MINIMAL_NO);
	ck_assert_uint_eq(cf->nlisten, 2);
	ck_assert_uint_eq(cf->listen[0].port, 5300);
	ck_assert_uint_eq(cf->nzones, 2);
	ck_assert_str_eq(cf->zones[0].file, "/var/apex/ex.zone");
	ck_assert_str_eq(cf->zones[1].file, "/abs/net.zone");
	ck_assert_mem_eq(cf->zones[0].origin, "\7example\3com", 13);
	ck_assert_uint_eq(cf->nkeys, 1);
	/* dnssec-validation means nothing here: a warning names it */
	ck_assert_int_eq(p.warnings, 1);
	ck_assert_ptr_nonnull(strstr(p.text, "dnssec-validation"));
	struct sockaddr_in a = v4("192.0.2.7"), b = v4("10.1.1.1"),
	    c = v4("198.51.100.1");
	ck_assert(acl_allows(cf->allow_query, (struct sockaddr *)&a, NULL));
	ck_assert(!acl_allows(cf->allow_query, (struct sockaddr *)&b, NULL));
	ck_assert(acl_allows(cf->allow_query, (struct sockaddr *)&c, NULL));
	ck_assert(!acl_allows(cf->zones[1].allow_query,
	    (struct sockaddr *)&a, NULL));
	conf_free(cf);
}
END_TEST

START_TEST(test_conf_rate_limit_defaults_follow_bind)
{
	struct problems p;
	struct conf *cf = load("options {\n"
	    "  rate-limit {\n"
	    "    responses-per-second 5;\n"
	    "    nxdomains-per-second 0;\n"
	    "    all-per-second 50;\n"
	    "    slip 3; window 10;\n"
	    "    ipv4-prefix-length 32; ipv6-prefix-length 64;\n"
	    "    qps-scale 250; log-only yes;\n"
	    "    exempt-clients { 192.0.2.0/24; };\n"
	    "    max-table-size 2000; min-table-size 100;\n"
	    "  };\n"
	    "};\n", &p);

	ck_assert_msg(cf != NULL, "%s", p.text);
	const struct conf_rrl *r = &cf->rrl;
	ck_assert(r->enabled);
	ck_assert_uint_eq(r->rate[RRL_RATE_RESPONSES], 5);
	/* not given: responses-per-second's, as in BIND */
	ck_assert_uint_eq(r->rate[RRL_RATE_REFERRALS], 5);
	ck_assert_uint_eq(r->rate[RRL_RATE_NODATA], 5);
	ck_assert_uint_eq(r->rate[RRL_RATE_ERRORS], 5);
	ck_assert_uint_eq(r->rate[RRL_RATE_NXDOMAINS], 0);
	ck_assert_uint_eq(r->rate[RRL_RATE_ALL], 50);
	ck_assert_uint_eq(r->slip, 3);
	ck_assert_uint_eq(r->window, 10);
	ck_assert_uint_eq(r->ipv4_prefix, 32);
	ck_assert_uint_eq(r->ipv6_prefix, 64);
	ck_assert_uint_eq(r->qps_scale, 250);
	ck_assert(r->log_only);
	ck_assert_uint_eq(r->max_table_size, 2000);
	struct sockaddr_in a = v4("192.0.2.9"), b = v4("198.51.100.1");
	ck_assert(acl_allows(r->exempt, (struct sockaddr *)&a, NULL));
	ck_assert(!acl_allows(r->exempt, (struct sockaddr *)&b, NULL));
	conf_free(cf);

	cf = load("options { recursion no; };\n", &p);
	ck_assert_ptr_nonnull(cf);
	ck_assert(!cf->rrl.enabled);
	ck_assert_uint_eq(cf->rrl.window, 15);
	ck_assert_uint_eq(cf->rrl.slip, 2);
	ck_assert_uint_eq(cf->rrl.ipv4_prefix, 24);
	ck_assert_uint_eq(cf->rrl.ipv6_prefix, 56);
	conf_free(cf);
}
END_TEST

START_TEST(test_conf_rate_limit_rejects_bad_values)
{
	static const struct {
		const char	*option;
		const char	*error;
	} bad[] = {
		{ "responses-per-second 1001;", "from 0 to 1000" },
		{ "errors-per-second -1;", "from 0 to 1000" },
		{ "window 0;", "from 1 to 3600" },
		{ "window 3601;", "from 1 to 3600" },
		{ "slip 11;", "from 0 to 10" },
		{ "ipv4-prefix-length 33;", "from 8 to 32" },
		{ "ipv6-prefix-length 65;", "from 16 to 64" },
		{ "qps-scale 0;", "from 1 to" },
		{ "log-only maybe;", "log-only" },
		{ "exempt-clients 10/8;", "address match list" },
		{ "frobnicate 1;", "unknown option 'frobnicate'" },
		{ "max-table-size 10; min-table-size 20;", "max-table-size" },
	};
	struct problems p;
	char text[256];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		snprintf(text, sizeof(text), "options {\n  rate-limit {\n"
		    "    %s\n  };\n};\n", bad[i].option);
		ck_assert_ptr_null(load(text, &p));
		ck_assert_msg(strstr(p.text, bad[i].error) != NULL,
		    "%s: %s", bad[i].option, p.text);
		/* the option's own line, or the statement's */
		ck_assert_msg(strncmp(p.text, "3: ", 3) == 0 ||
		    strncmp(p.text, "2: ", 3) == 0, "%s", p.text);
	}
	ck_assert_ptr_null(load("options {\n rate-limit { slip 1; };\n"
	    " rate-limit { slip 2; };\n};\n", &p));
	ck_assert_msg(strstr(p.text, "3: rate-limit: given twice"), "%s",
	    p.text);
}
END_TEST

START_TEST(test_conf_errors_name_file_and_line)
{
	struct problems p;

	ck_assert_ptr_null(load("options {\n  recursion no;\n  frobnicate 3;\n"
	    "};\n", &p));
	ck_assert_msg(strstr(p.text, "3: unknown or unsupported option "
	    "'frobnicate'"), "%s", p.text);
	ck_assert_ptr_null(load("options { recursion yes; };\n", &p));
	ck_assert_msg(strstr(p.text, "authoritative-only"), "%s", p.text);
	ck_assert_ptr_null(load("zone \"a\" {\n type hint;\n file \"x\";\n};\n",
	    &p));
	ck_assert_msg(strstr(p.text, "2: zone 'a': type hint"), "%s", p.text);
	ck_assert_ptr_null(load("zone \"a\" { type primary; };\n", &p));
	ck_assert_msg(strstr(p.text, "needs a file"), "%s", p.text);
	ck_assert_ptr_null(load("options {\n  directory \"x\"\n};\n", &p));
	ck_assert_msg(strstr(p.text, "missing ';'"), "%s", p.text);
	ck_assert_ptr_null(load("options { directory \"x; };\n", &p));
	ck_assert_msg(strstr(p.text, "unterminated string"), "%s", p.text);
	ck_assert_ptr_null(load("/* never closed\n", &p));
	ck_assert_msg(strstr(p.text, "unterminated comment"), "%s", p.text);
	ck_assert_ptr_null(load("options { allow-query { 10.0.0.1/8; }; };\n",
	    &p));
	ck_assert_msg(strstr(p.text, "not an address, prefix or acl"), "%s",
	    p.text);
	ck_assert_ptr_null(load("key k { algorithm hmac-sha9; secret \"x\"; "
	    "};\n", &p));
	ck_assert_msg(strstr(p.text, "unknown algorithm"), "%s", p.text);
	ck_assert_ptr_null(load("acl a { b; }; acl b { a; };\n", &p));
	ck_assert_msg(strstr(p.text, "refers to itself"), "%s", p.text);
	ck_assert_ptr_null(load("zone \"a\" { type primary; file \"x\"; };\n"
	    "zone \"A.\" { type primary; file \"y\"; };\n", &p));
	ck_assert_msg(strstr(p.text, "2: zone 'A.': already defined"), "%s",
	    p.text);
	/* found by fuzzing: a value-less option must not be read past */
	ck_assert_ptr_null(load("options { server-id; version; };\n", &p));
	ck_assert_msg(strstr(p.text, "server-id: expected one value"), "%s",
	    p.text);
	ck_assert_ptr_null(load("view \"v\" { };\n", &p));
	ck_assert_msg(strstr(p.text, "unsupported statement 'view'"), "%s",
	    p.text);
}
END_TEST

START_TEST(test_conf_tcp_clients_per_address)
{
	struct problems p;
	struct conf *cf = load("options { };\n", &p);

	ck_assert_msg(cf != NULL, "%s", p.text);
	ck_assert_uint_eq(cf->tcp_clients_per_address, 25);
	conf_free(cf);
	cf = load("options { tcp-clients-per-address 0; };\n", &p);
	ck_assert_msg(cf != NULL, "%s", p.text);
	ck_assert_uint_eq(cf->tcp_clients_per_address, 0);
	conf_free(cf);
	ck_assert_ptr_null(load("options {\n tcp-clients-per-address -1;\n"
	    "};\n", &p));
	ck_assert_msg(strstr(p.text, "2: tcp-clients-per-address: expected a "
	    "number"), "%s", p.text);
	ck_assert_ptr_null(load("options { tcp-clients-per-address; };\n", &p));
}
END_TEST

START_TEST(test_conf_transfer_settings)
{
	struct problems p;
	struct conf *cf = load(
	    "key k1 { algorithm hmac-sha256; secret \"c2VjcmV0c2VjcmV0\"; };\n"
	    "primaries hidden port 5301 { 192.0.2.1; 2001:db8::1 key k1; };\n"
	    "masters both { hidden; 192.0.2.9 port 53; };\n"
	    "options {\n"
	    "  notify explicit;\n"
	    "  also-notify { 198.51.100.1 key k1; };\n"
	    "  max-journal-size 10m;\n"
	    "  min-refresh-time 60;\n"
	    "  transfers-out 3;\n"
	    "};\n"
	    "zone \"a.test\" { type slave; file \"a\"; masters { both; }; "
	    "  max-transfer-time-in 5; allow-notify { 203.0.113.0/24; }; };\n"
	    "zone \"b.test\" { type primary; file \"b\"; notify no;\n"
	    "  max-journal-size unlimited; };\n", &p);

	ck_assert_msg(cf != NULL, "%s", p.text);
	ck_assert_uint_eq(cf->transfers_out, 3);
	const struct conf_zone *a = &cf->zones[0], *b = &cf->zones[1];
	ck_assert_int_eq(a->type, ZONE_SECONDARY);
	ck_assert_uint_eq(a->primaries.n, 3);
	const struct sockaddr_in *s0 =
	    (const struct sockaddr_in *)&a->primaries.r[0].ss;
	ck_assert_uint_eq(ntohs(s0->sin_port), 5301);
	ck_assert_ptr_null(a->primaries.r[0].key);
	ck_assert_int_eq(a->primaries.r[1].ss.ss_family, AF_INET6);
	ck_assert_str_eq(a->primaries.r[1].key, "k1");
	const struct sockaddr_in *s2 =
	    (const struct sockaddr_in *)&a->primaries.r[2].ss;
	ck_assert_uint_eq(ntohs(s2->sin_port), 53);
	/* inherited from the options, overridden per zone */
	ck_assert_int_eq(a->xfr.notify, NOTIFY_EXPLICIT);
	ck_assert_int_eq(b->xfr.notify, NOTIFY_NO);
	ck_assert_uint_eq(a->xfr.also_notify.n, 1);
	ck_assert_uint_eq(a->xfr.max_journal_size, 10u << 20);
	ck_assert(b->xfr.max_journal_size == UINT64_MAX);
	ck_assert_uint_eq(a->xfr.max_transfer_time_in, 300);
	ck_assert_uint_eq(b->xfr.max_transfer_time_in, 7200);
	ck_assert_uint_eq(a->xfr.min_refresh, 60);
	struct sockaddr_in n = v4("203.0.113.5");
	ck_assert(acl_allows(a->xfr.allow_notify, (struct sockaddr *)&n,
	    NULL));
	conf_free(cf);

	ck_assert_ptr_null(load("zone \"a\" { type secondary; file \"x\"; "
	    "};\n", &p));
	ck_assert_msg(strstr(p.text, "needs primaries"), "%s", p.text);
	ck_assert_ptr_null(load("zone \"a\" { type secondary; file \"x\"; "
	    "primaries { 192.0.2.1 key nokey; }; };\n", &p));
	ck_assert_msg(strstr(p.text, "key 'nokey' is not defined"), "%s",
	    p.text);
	ck_assert_ptr_null(load("zone \"a\" { type secondary; file \"x\"; "
	    "primaries { 192.0.2.0/24; }; };\n", &p));
	ck_assert_msg(strstr(p.text, "not an address"), "%s", p.text);
	ck_assert_ptr_null(load("primaries l { l; };\nzone \"a\" { type "
	    "secondary; file \"x\"; primaries { l; }; };\n", &p));
	ck_assert_ptr_null(load("options { max-journal-size 5q; };\n", &p));
	ck_assert_msg(strstr(p.text, "expected a size"), "%s", p.text);
	/* BIND's truncated-MAC algorithm names: at least half the hash. */
	cf = load("key t { algorithm hmac-sha256-128; secret \"c2VjcmV0\"; };",
	    &p);
	ck_assert_msg(cf != NULL, "%s", p.text);
	conf_free(cf);
	ck_assert_ptr_null(load("key t { algorithm hmac-sha256-64; secret "
	    "\"c2VjcmV0\"; };", &p));
	ck_assert_msg(strstr(p.text, "unknown algorithm"), "%s", p.text);
}
END_TEST

START_TEST(test_conf_journal_and_state_directory)
{
	struct problems p;
	struct conf *cf = load(
	    "options { directory \"/srv/dns\"; "
	    "state-directory \"/var/lib/apex-test\"; };\n"
	    "zone \"a.test\" { type primary; file \"a\"; "
	    "journal \"j/a.jnl\"; };\n"
	    "zone \"b.test\" { type primary; file \"b\"; };\n", &p);

	ck_assert_ptr_nonnull(cf);
	ck_assert_str_eq(cf->state_directory, "/var/lib/apex-test");
	ck_assert_str_eq(cf->zones[0].journal, "/srv/dns/j/a.jnl");
	ck_assert_ptr_null(cf->zones[1].journal);
	conf_free(cf);
	/* The default, and a relative state-directory refused with its
	 * line. */
	cf = load("zone \"a.test\" { type primary; file \"a\"; };\n", &p);
	ck_assert_ptr_nonnull(cf);
	ck_assert_ptr_nonnull(strstr(cf->state_directory, "/lib/apex"));
	conf_free(cf);
	cf = load("options {\n state-directory \"rel\";\n};\n", &p);
	ck_assert_ptr_null(cf);
	ck_assert_int_eq(p.errors, 1);
	ck_assert_ptr_nonnull(strstr(p.text, "2: state-directory"));
}
END_TEST

START_TEST(test_conf_include)
{
	struct problems p;
	char *inc = write_temp("zone \"inc.test\" { type primary; "
	    "file \"i.zone\"; };\n");
	char text[512];

	snprintf(text, sizeof(text), "include \"%s\";\noptions { recursion no; "
	    "};\n", inc);
	struct conf *cf = load(text, &p);
	ck_assert_msg(cf != NULL, "%s", p.text);
	ck_assert_uint_eq(cf->nzones, 1);
	ck_assert_str_eq(cf->zones[0].name, "inc.test");
	conf_free(cf);
	unlink(inc);
	free(inc);
	ck_assert_ptr_null(load("include \"/nonexistent/file.conf\";\n", &p));
	ck_assert_msg(strstr(p.text, "1: open: /nonexistent/file.conf"), "%s",
	    p.text);
}
END_TEST

START_TEST(test_conf_include_loop_ends)
{
	struct problems p;
	char path[] = "/tmp/apex-test-loopXXXXXX";
	int fd = mkstemp(path);
	char text[256];

	snprintf(text, sizeof(text), "include \"%s\";\n", path);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	ck_assert_ptr_null(load(text, &p));
	ck_assert_msg(strstr(p.text, "nested too deeply"), "%s", p.text);
	unlink(path);
}
END_TEST

START_TEST(test_conf_acl_prefixes)
{
	struct acl_elem e;

	ck_assert_int_eq(acl_parse_prefix("10/8", &e), 0);
	ck_assert_uint_eq(e.prefixlen, 8);
	ck_assert_int_eq(acl_parse_prefix("192.168/16", &e), 0);
	ck_assert_int_eq(acl_parse_prefix("2001:db8::/32", &e), 0);
	ck_assert_int_eq(acl_parse_prefix("::1", &e), 0);
	ck_assert_uint_eq(e.prefixlen, 128);
	ck_assert_int_ne(acl_parse_prefix("10.0.0.1/8", &e), 0);
	ck_assert_int_ne(acl_parse_prefix("10/33", &e), 0);
	ck_assert_int_ne(acl_parse_prefix("hello", &e), 0);
}
END_TEST

START_TEST(test_conf_acl_first_match_decides)
{
	struct problems p;
	struct conf *cf = load("options { allow-query { !192.0.2.1; "
	    "192.0.2.0/24; { !192.0.2.0/25; }; }; };\n", &p);
	struct sockaddr_in a = v4("192.0.2.1"), b = v4("192.0.2.2"),
	    c = v4("198.51.100.9");
	struct sockaddr_in6 m;

	ck_assert_msg(cf != NULL, "%s", p.text);
	ck_assert(!acl_allows(cf->allow_query, (struct sockaddr *)&a, NULL));
	ck_assert(acl_allows(cf->allow_query, (struct sockaddr *)&b, NULL));
	ck_assert(!acl_allows(cf->allow_query, (struct sockaddr *)&c, NULL));
	/* an IPv4-mapped client matches as IPv4 */
	memset(&m, 0, sizeof(m));
	m.sin6_family = AF_INET6;
	ck_assert_int_eq(inet_pton(AF_INET6, "::ffff:192.0.2.2", &m.sin6_addr),
	    1);
	ck_assert(acl_allows(cf->allow_query, (struct sockaddr *)&m, NULL));
	conf_free(cf);
}
END_TEST

START_TEST(test_conf_example_configuration_loads)
{
	struct problems p;

	memset(&p, 0, sizeof(p));
	struct conf *cf = conf_load(TOPSRCDIR "/etc/named.conf.example",
	    collect_problem, &p);
	ck_assert_msg(cf != NULL, "%s", p.text);
	ck_assert_int_eq(p.warnings, 0);
	conf_free(cf);
}
END_TEST

static Suite *
conf_suite(void)
{
	Suite *s = suite_create("conf");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_conf_reads_bind_grammar);
	tcase_add_test(tc, test_conf_errors_name_file_and_line);
	tcase_add_test(tc, test_conf_rate_limit_defaults_follow_bind);
	tcase_add_test(tc, test_conf_rate_limit_rejects_bad_values);
	tcase_add_test(tc, test_conf_transfer_settings);
	tcase_add_test(tc, test_conf_tcp_clients_per_address);
	tcase_add_test(tc, test_conf_include);
	tcase_add_test(tc, test_conf_include_loop_ends);
	tcase_add_test(tc, test_conf_acl_prefixes);
	tcase_add_test(tc, test_conf_acl_first_match_decides);
	tcase_add_test(tc, test_conf_example_configuration_loads);
	tcase_add_test(tc, test_conf_journal_and_state_directory);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return run_suite(conf_suite());
}
