/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * Address match lists, table-driven: each case is an allow-query list,
 * a client address and the key it signed with, and what BIND 9 decides
 * for them (regress/acl/run.py checks the same against a running named).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "acl.h"
#include "conf.h"
#include "testutil.h"

#define DEFS \
	"key k1 { algorithm hmac-sha256; secret \"c2VjcmV0c2VjcmV0\"; };\n" \
	"key k2 { algorithm hmac-sha256; secret \"c2VjcmV0c2VjcmV0\"; };\n" \
	"acl blocked { !10.1.2.3; 10/8; };\n" \
	"acl trusted { 192.0.2.0/24; key k1; };\n" \
	"acl plain { 10.9.0.0/16; };\n" \
	"acl nonelist { none; };\n" \
	"acl outer { !blocked; 10.1.2.3; };\n"

struct acl_case {
	const char	*list;
	const char	*addr;
	const char	*key;
	bool		 allow;
};

static const struct acl_case cases[] = {
	/* A negated named list whose own negation matched: no match of
	 * the element, so the next one decides. */
	{ "!blocked; 192.0.2.0/24;", "10.1.2.3", NULL, false },
	{ "!blocked; 192.0.2.0/24;", "10.1.2.4", NULL, false },
	{ "!blocked; 192.0.2.0/24;", "192.0.2.5", NULL, true },
	{ "!blocked; 10.1.2.3;", "10.1.2.3", NULL, true },
	{ "blocked;", "10.1.2.3", NULL, false },
	{ "blocked;", "10.1.2.4", NULL, true },
	{ "blocked; any;", "10.1.2.3", NULL, true },
	{ "{ !10.1.2.3; any; }; 10/8;", "10.1.2.3", NULL, true },
	{ "{ !10.1.2.3; any; }; 10/8;", "11.0.0.1", NULL, true },
	{ "!{ !10.1.2.3; any; }; 10/8;", "10.1.2.3", NULL, true },
	{ "!{ !10.1.2.3; any; }; 10/8;", "10.1.2.4", NULL, false },
	{ "outer;", "10.1.2.3", NULL, true },
	{ "outer;", "10.1.2.4", NULL, false },
	{ "!outer; any;", "10.1.2.3", NULL, false },
	{ "!outer; any;", "10.1.2.4", NULL, true },
	{ "!plain; any;", "10.9.1.1", NULL, false },
	{ "!plain; any;", "10.8.1.1", NULL, true },
	/* none is !any: it denies where it stands; !none allows. */
	{ "none; any;", "10.1.1.1", NULL, false },
	{ "!none;", "10.1.1.1", NULL, true },
	{ "nonelist; any;", "10.1.1.1", NULL, true },
	{ "!nonelist; 10.1.1.1;", "10.1.1.1", NULL, true },
	/* Keys. */
	{ "!key k1; any;", "10.1.1.1", "k1", false },
	{ "!key k1; any;", "10.1.1.1", "k2", true },
	{ "!key k1; any;", "10.1.1.1", NULL, true },
	{ "trusted;", "198.51.100.1", "k1", true },
	{ "trusted;", "198.51.100.1", NULL, false },
	{ "trusted;", "192.0.2.9", "k2", true },
	{ "!trusted; any;", "198.51.100.1", "k1", false },
	{ "!trusted; any;", "198.51.100.1", "k2", true },
	{ "{ !key k1; 10/8; }; any;", "10.1.1.1", "k1", true },
	{ "{ !key k1; 10/8; }; 11/8;", "10.1.1.1", "k1", false },
	{ "!{ !key k1; 10/8; }; any;", "10.1.1.1", "k1", true },
	{ "!{ !key k1; 10/8; }; any;", "10.1.1.1", NULL, false },
	/* IPv6. */
	{ "!{ !::1; ::/0; }; ::1;", "::1", NULL, true },
	{ "!{ !::1; ::/0; }; any;", "2001:db8::1", NULL, false },
	{ "{ !2001:db8::/32; any; }; 2001:db8::1;", "2001:db8::1", NULL,
	    true },
};

static struct sockaddr_storage
addr(const char *s)
{
	struct sockaddr_storage ss;
	struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;

	memset(&ss, 0, sizeof(ss));
	if (inet_pton(AF_INET, s, &sin->sin_addr) == 1)
		sin->sin_family = AF_INET;
	else {
		ck_assert_int_eq(inet_pton(AF_INET6, s, &sin6->sin6_addr), 1);
		sin6->sin6_family = AF_INET6;
	}
	return ss;
}

START_TEST(test_acl_matches_as_bind)
{
	const struct acl_case *c = &cases[_i];
	char text[2048];
	struct problems p;

	memset(&p, 0, sizeof(p));
	snprintf(text, sizeof(text), DEFS "options { allow-query { %s }; };\n",
	    c->list);
	struct conf *cf = conf_load_string(text, "test.conf", collect_problem,
	    &p);
	ck_assert_msg(cf != NULL, "%s", p.text);
	struct sockaddr_storage ss = addr(c->addr);
	bool got = acl_allows(cf->allow_query, (struct sockaddr *)&ss, c->key);
	ck_assert_msg(got == c->allow, "{ %s } from %s key %s: %s, expected "
	    "%s", c->list, c->addr, c->key ? c->key : "none",
	    got ? "allow" : "deny", c->allow ? "allow" : "deny");
	conf_free(cf);
}
END_TEST

static Suite *
acl_suite(void)
{
	Suite *s = suite_create("acl");
	TCase *tc = tcase_create("match");

	tcase_add_loop_test(tc, test_acl_matches_as_bind, 0,
	    (int)(sizeof(cases) / sizeof(cases[0])));
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return run_suite(acl_suite());
}
