/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/* Unit tests for lib/conf.c and lib/conf_parse.c (named.conf). */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "conf.h"
#include "dnskey.h"
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
	/* A resolver's zone types are left out with a warning. */
	struct conf *cf = load("zone \"a\" {\n type hint;\n file \"x\";\n"
	    "};\n", &p);
	ck_assert_ptr_nonnull(cf);
	ck_assert_uint_eq(cf->nzones, 0);
	ck_assert_msg(strstr(p.text, "zone 'a': type hint is for resolvers"),
	    "%s", p.text);
	conf_free(cf);
	/* A secondary may have no file (in memory only); a primary not. */
	cf = load("zone \"b\" { type secondary; primaries { 192.0.2.1; }; "
	    "};\n", &p);
	ck_assert_ptr_nonnull(cf);
	ck_assert_ptr_null(cf->zones[0].file);
	conf_free(cf);
	ck_assert_ptr_null(load("zone \"b\" { type secondary; primaries { "
	    "192.0.2.1; }; dnssec-policy default; };\n", &p));
	ck_assert_msg(strstr(p.text, "needs a file"), "%s", p.text);
	/* transfer-source and notify-source, inherited by zones; the
	 * family must match the option. */
	cf = load("options { transfer-source 192.0.2.9; notify-source-v6 "
	    "2001:db8::9 port 5300; };\nzone \"c\" { type secondary; "
	    "primaries source 192.0.2.8 { 192.0.2.1; }; };\n", &p);
	ck_assert_ptr_nonnull(cf);
	ck_assert_int_eq(cf->zones[0].xfr.xfr_src[0].ss_family, AF_INET);
	ck_assert_int_eq(cf->zones[0].xfr.notify_src[1].ss_family, AF_INET6);
	ck_assert_int_eq(ntohs(((struct sockaddr_in6 *)
	    &cf->zones[0].xfr.notify_src[1])->sin6_port), 5300);
	const struct sockaddr_in *src = (const struct sockaddr_in *)
	    conf_xfr_source(cf, &cf->zones[0].xfr, &cf->zones[0].primaries.r[0],
	    AF_INET);
	ck_assert_ptr_nonnull(src);
	ck_assert_uint_eq(ntohl(src->sin_addr.s_addr), 0xc0000208u);
	conf_free(cf);
	ck_assert_ptr_null(load("options { transfer-source 2001:db8::1; };\n",
	    &p));
	ck_assert_msg(strstr(p.text, "transfer-source: expected an IPv4 "
	    "address"), "%s", p.text);
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
	/* One view that every client sees is the plain configuration;
	 * two, or one that picks clients, are refused. */
	cf = load("view \"v\" { match-clients { any; }; zone \"b\" { type "
	    "secondary; primaries { 192.0.2.1; }; }; };\n", &p);
	ck_assert_ptr_nonnull(cf);
	ck_assert_uint_eq(cf->nzones, 1);
	ck_assert_str_eq(cf->view_name, "v");
	conf_free(cf);
	ck_assert_ptr_null(load("view \"v\" { match-clients { 10/8; }; };\n",
	    &p));
	ck_assert_msg(strstr(p.text, "split horizon is not supported"), "%s",
	    p.text);
	ck_assert_ptr_null(load("view a { }; view b { };\n", &p));
	ck_assert_msg(strstr(p.text, "several views"), "%s", p.text);
	ck_assert_ptr_null(load("view a { }; zone \"b\" { type secondary; "
	    "primaries { 192.0.2.1; }; };\n", &p));
	ck_assert_msg(strstr(p.text, "all zones must be in views"), "%s",
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

/* ---- DNSSEC signing ---------------------------------------------- */

START_TEST(test_conf_dnssec_policy_values)
{
	struct problems p;
	struct conf *cf = load(
	    "dnssec-policy \"p\" {\n"
	    " keys {\n"
	    "  ksk key-directory lifetime P1Y2M3DT4H5M6S algorithm "
	    "RSASHA256 3072;\n"
	    "  zsk lifetime 5w algorithm rsasha256;\n"
	    "  csk lifetime unlimited algorithm 16;\n"
	    " };\n"
	    " dnskey-ttl 1h30m; publish-safety 90; retire-safety PT2H;\n"
	    " purge-keys p0d; signatures-refresh 3d;\n"
	    " signatures-validity P2W; signatures-validity-dnskey P21D;\n"
	    " signatures-jitter 1H; max-zone-ttl PT12H;\n"
	    " zone-propagation-delay 10m; parent-ds-ttl 7200;\n"
	    " parent-propagation-delay P1M;\n"
	    " nsec3param iterations 0 optout yes salt-length 8;\n"
	    "};\n", &p);

	ck_assert_msg(cf != NULL, "%s", p.text);
	ck_assert_uint_eq(cf->npolicies, 3);
	const struct dnssec_policy *d = &cf->policies[2];
	ck_assert_str_eq(d->name, "p");
	ck_assert(!d->builtin && !d->insecure);
	ck_assert_uint_eq(d->nkeys, 3);
	ck_assert_uint_eq(d->keys[0].role, DNSKEY_ROLE_KSK);
	ck_assert(d->keys[0].key_directory);
	/* a year is 365 days and a month 31, as BIND counts them */
	ck_assert_uint_eq(d->keys[0].lifetime,
	    365 * 86400 + 2 * 31 * 86400 + 3 * 86400 + 4 * 3600 + 5 * 60 + 6);
	ck_assert_uint_eq(d->keys[0].alg, 8);
	ck_assert_uint_eq(d->keys[0].bits, 3072);
	ck_assert_uint_eq(d->keys[1].role, DNSKEY_ROLE_ZSK);
	ck_assert(!d->keys[1].key_directory);
	ck_assert_uint_eq(d->keys[1].lifetime, 35 * 86400);
	ck_assert_uint_eq(d->keys[1].bits, 0);
	ck_assert_uint_eq(d->keys[2].role, DNSKEY_ROLE_CSK);
	ck_assert_uint_eq(d->keys[2].lifetime, 0);
	ck_assert_uint_eq(d->keys[2].alg, 16);
	ck_assert_uint_eq(d->dnskey_ttl, 5400);
	ck_assert_uint_eq(d->publish_safety, 90);
	ck_assert_uint_eq(d->retire_safety, 7200);
	ck_assert_uint_eq(d->purge_keys, 0);
	ck_assert_uint_eq(d->signatures_refresh, 3 * 86400);
	ck_assert_uint_eq(d->signatures_validity, 14 * 86400);
	ck_assert_uint_eq(d->signatures_validity_dnskey, 21 * 86400);
	ck_assert_uint_eq(d->signatures_jitter, 3600);
	ck_assert_uint_eq(d->max_zone_ttl, 12 * 3600);
	ck_assert_uint_eq(d->zone_propagation_delay, 600);
	ck_assert_uint_eq(d->parent_ds_ttl, 7200);
	ck_assert_uint_eq(d->parent_propagation_delay, 31 * 86400);
	ck_assert(d->nsec3 && d->nsec3_optout);
	ck_assert_uint_eq(d->nsec3_iterations, 0);
	ck_assert_uint_eq(d->nsec3_saltlen, 8);
	ck_assert_uint_eq(d->conf_line, 1);
	/* a salt is against RFC 9276's advice: a warning */
	ck_assert_int_eq(p.warnings, 1);
	ck_assert_msg(strstr(p.text, "RFC 9276"), "%s", p.text);
	conf_free(cf);
}
END_TEST

START_TEST(test_conf_dnssec_durations)
{
	static const struct {
		const char	*text;
		uint32_t	 secs;	/* UINT32_MAX - 1: rejected */
	} t[] = {
		{ "3600", 3600 }, { "0", 0 }, { "1h", 3600 },
		{ "1W2d3H4m5S", 7 * 86400 + 2 * 86400 + 3 * 3600 + 245 },
		{ "P1W", 7 * 86400 }, { "PT1M", 60 }, { "P1M", 31 * 86400 },
		{ "P1DT12H", 129600 }, { "PT", 0 }, { "pt90s", 90 },
		{ "P200Y", UINT32_MAX }, { "4294967295", UINT32_MAX },
		{ "P1W1D", UINT32_MAX - 1 }, { "P1H", UINT32_MAX - 1 },
		{ "PT1D", UINT32_MAX - 1 }, { "1x", UINT32_MAX - 1 },
		{ "4294967296", UINT32_MAX - 1 }, { "h", UINT32_MAX - 1 },
		{ "unlimited", UINT32_MAX - 1 }, { "P1Y1Y", UINT32_MAX - 1 },
	};
	struct problems p;
	char text[256];

	for (size_t i = 0; i < nitems(t); i++) {
		snprintf(text, sizeof(text), "dnssec-policy \"p\" { "
		    "max-zone-ttl %s; };\n", t[i].text);
		struct conf *cf = load(text, &p);
		if (t[i].secs == UINT32_MAX - 1) {
			ck_assert_msg(cf == NULL, "%s accepted", t[i].text);
			ck_assert_msg(strstr(p.text, "max-zone-ttl: expected an "
			    "ISO 8601 duration"), "%s", p.text);
			continue;
		}
		ck_assert_msg(cf != NULL, "%s: %s", t[i].text, p.text);
		ck_assert_msg(cf->policies[2].max_zone_ttl == t[i].secs,
		    "%s: %u", t[i].text, cf->policies[2].max_zone_ttl);
		conf_free(cf);
	}
}
END_TEST

START_TEST(test_conf_dnssec_builtin_and_defaults)
{
	struct problems p;
	struct conf *cf = load("dnssec-policy \"nokeys\" { dnskey-ttl 60; };\n"
	    "zone \"a.test\" { type primary; file \"a\"; };\n", &p);

	ck_assert_msg(cf != NULL, "%s", p.text);
	ck_assert_uint_eq(cf->npolicies, 3);
	const struct dnssec_policy *d = &cf->policies[0];
	ck_assert_str_eq(d->name, "default");
	ck_assert(d->builtin && !d->insecure && !d->nsec3);
	ck_assert_uint_eq(d->nkeys, 1);
	ck_assert_uint_eq(d->keys[0].role, DNSKEY_ROLE_CSK);
	ck_assert_uint_eq(d->keys[0].lifetime, 0);
	ck_assert_uint_eq(d->keys[0].alg, 13);
	ck_assert_uint_eq(d->keys[0].bits, 0);
	ck_assert_uint_eq(d->dnskey_ttl, 3600);
	ck_assert_uint_eq(d->publish_safety, 3600);
	ck_assert_uint_eq(d->retire_safety, 3600);
	ck_assert_uint_eq(d->purge_keys, 90 * 86400);
	ck_assert_uint_eq(d->signatures_refresh, 5 * 86400);
	ck_assert_uint_eq(d->signatures_validity, 14 * 86400);
	ck_assert_uint_eq(d->signatures_validity_dnskey, 14 * 86400);
	ck_assert_uint_eq(d->signatures_jitter, 12 * 3600);
	ck_assert_uint_eq(d->max_zone_ttl, 86400);
	ck_assert_uint_eq(d->zone_propagation_delay, 300);
	ck_assert_uint_eq(d->parent_ds_ttl, 86400);
	ck_assert_uint_eq(d->parent_propagation_delay, 3600);
	d = &cf->policies[1];
	ck_assert_str_eq(d->name, "insecure");
	ck_assert(d->builtin && d->insecure);
	ck_assert_uint_eq(d->nkeys, 0);
	/* no keys: the default policy's, as in BIND */
	d = &cf->policies[2];
	ck_assert(!d->builtin);
	ck_assert_uint_eq(d->dnskey_ttl, 60);
	ck_assert_uint_eq(d->nkeys, 1);
	ck_assert_uint_eq(d->keys[0].alg, 13);
	ck_assert_uint_eq(d->signatures_validity, 14 * 86400);
	/* no policy: unsigned, keys in the server's directory */
	ck_assert_ptr_null(cf->zones[0].dnssec_policy);
	ck_assert(!cf->zones[0].inline_signing);
	ck_assert_str_eq(cf->zones[0].key_directory, ".");
	conf_free(cf);
}
END_TEST

START_TEST(test_conf_dnssec_inheritance)
{
	struct problems p;
	char dir[] = "/tmp/apex-test-keysXXXXXX", sub[64], text[2048];

	ck_assert_ptr_nonnull(mkdtemp(dir));
	snprintf(sub, sizeof(sub), "%s/keys", dir);
	ck_assert_int_eq(mkdir(sub, 0700), 0);
	snprintf(text, sizeof(text),
	    "key k { algorithm hmac-sha256; secret \"c2VjcmV0c2VjcmV0\"; };\n"
	    "options { key-directory \"keys\"; directory \"%s\";\n"
	    "  dnssec-policy \"p\"; };\n"
	    "dnssec-policy \"p\" { keys { csk lifetime unlimited algorithm "
	    "ED25519; }; };\n"
	    "zone \"a.test\" { type primary; file \"a\"; "
	    "inline-signing yes; };\n"
	    "zone \"b.test\" { type primary; file \"b\"; "
	    "dnssec-policy none; };\n"
	    "zone \"c.test\" { type primary; file \"c\"; key-directory \"%s\";"
	    " dnssec-policy default; inline-signing yes; };\n"
	    "zone \"d.test\" { type primary; file \"d\"; "
	    "inline-signing yes; dnssec-policy insecure; };\n",
	    dir, dir);
	struct conf *cf = load(text, &p);

	ck_assert_msg(cf != NULL, "%s", p.text);
	ck_assert_ptr_eq(cf->dnssec_policy, &cf->policies[2]);
	ck_assert_str_eq(cf->key_directory, "keys");
	ck_assert_ptr_eq(cf->zones[0].dnssec_policy, &cf->policies[2]);
	ck_assert(cf->zones[0].inline_signing);
	/* resolved against directory, given after it in options */
	ck_assert_str_eq(cf->zones[0].key_directory, sub);
	ck_assert_ptr_null(cf->zones[1].dnssec_policy);
	ck_assert_ptr_eq(cf->zones[2].dnssec_policy, &cf->policies[0]);
	ck_assert(cf->zones[2].inline_signing && !cf->zones[2].dynamic);
	ck_assert_str_eq(cf->zones[2].key_directory, dir);
	/* the way back to unsigned */
	ck_assert_ptr_eq(cf->zones[3].dnssec_policy, &cf->policies[1]);
	ck_assert(cf->zones[3].inline_signing);
	conf_free(cf);
	rmdir(sub);
	rmdir(dir);
}
END_TEST

START_TEST(test_conf_dnssec_errors)
{
	struct problems p;

	ck_assert_ptr_null(load("dnssec-policy \"p\" { };\n"
	    "dnssec-policy \"p\" { };\n"
	    "dnssec-policy \"insecure\" { };\n", &p));
	ck_assert_int_eq(p.errors, 2);
	ck_assert_msg(strstr(p.text, "2: dnssec-policy 'p' is defined twice"),
	    "%s", p.text);
	ck_assert_msg(strstr(p.text, "3: dnssec-policy 'insecure': the name "
	    "is built in"), "%s", p.text);
	ck_assert_ptr_null(load("zone \"a.test\" { type primary; file \"a\";\n"
	    " dnssec-policy nosuch; inline-signing yes; };\n", &p));
	ck_assert_msg(strstr(p.text, "2: zone 'a.test': dnssec-policy "
	    "'nosuch' is not defined"), "%s", p.text);
	ck_assert_ptr_null(load("zone \"a.test\" { type primary; file \"a\";\n"
	    " dnssec-policy default; };\n", &p));
	ck_assert_msg(strstr(p.text, "1: zone 'a.test': 'inline-signing yes;' "
	    "must also be configured"), "%s", p.text);
	ck_assert_ptr_null(load("zone \"a.test\" { type primary; file \"a\";\n"
	    " dnssec-policy default; inline-signing yes;\n"
	    " key-directory \"/nonexistent/keys\"; };\n", &p));
	ck_assert_msg(strstr(p.text, "1: zone 'a.test': key-directory: "
	    "'/nonexistent/keys' does not exist"), "%s", p.text);
	ck_assert_ptr_null(load("dnssec-policy \"p\" {\n"
	    " keys { csk lifetime P20D algorithm 13 384; };\n"
	    " signatures-refresh P13D; };\n", &p));
	ck_assert_msg(strstr(p.text, "1: dnssec-policy 'p': signatures-refresh "
	    "must be at most 90% of signatures-validity-dnskey"), "%s",
	    p.text);
	ck_assert_msg(strstr(p.text, "has a fixed key size"), "%s", p.text);
	/* with the default timings a rollover takes 10 days and 65
	 * minutes */
	ck_assert_ptr_null(load("dnssec-policy \"p\" { keys {\n"
	    " csk lifetime P10D algorithm 13; }; };\n", &p));
	ck_assert_msg(strstr(p.text, "2: dnssec-policy 'p': key lifetime is "
	    "shorter than the time it takes to do a rollover"), "%s", p.text);
	/* a policy is defined at the top, named elsewhere */
	ck_assert_ptr_null(load("options { dnssec-policy \"x\" { }; };\n", &p));
	ck_assert_msg(strstr(p.text, "may only be defined at the top level"),
	    "%s", p.text);
	ck_assert_ptr_null(load("options { inline-signing yes; };\n", &p));
	ck_assert_msg(strstr(p.text, "unknown or unsupported option "
	    "'inline-signing'"), "%s", p.text);
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
	tcase_add_test(tc, test_conf_dnssec_policy_values);
	tcase_add_test(tc, test_conf_dnssec_durations);
	tcase_add_test(tc, test_conf_dnssec_builtin_and_defaults);
	tcase_add_test(tc, test_conf_dnssec_inheritance);
	tcase_add_test(tc, test_conf_dnssec_errors);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return run_suite(conf_suite());
}
