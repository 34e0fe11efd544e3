/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * Unit tests for lib/conf_update.c (the dynamic update statements of
 * named.conf) and lib/update_policy.c (the update-policy matcher).
 */
#include <check.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "conf.h"
#include "rr.h"
#include "testutil.h"
#include "update_policy.h"

static struct conf *
load(const char *text, struct problems *p)
{
	memset(p, 0, sizeof(*p));
	return conf_load_string(text, "test.conf", collect_problem, p);
}

static const struct conf_zone *
zone(const struct conf *cf, const char *name)
{
	uint8_t o[DNAME_MAXLEN];

	ck_assert_int_gt(dname_from_str(name, NULL, o), 0);
	const struct conf_zone *z = conf_find_zone(cf, o);
	ck_assert_msg(z != NULL, "no zone %s", name);
	return z;
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

static void
wire(const char *s, uint8_t out[DNAME_MAXLEN])
{
	ck_assert_msg(dname_from_str(s, NULL, out) > 0, "bad name %s", s);
}

#define KEYS \
	"key acme { algorithm hmac-sha256; secret \"c2VjcmV0c2VjcmV0\"; };\n"

/* ---- parsing ----------------------------------------------------- */

START_TEST(test_conf_update_parses_every_rule_form)
{
	struct problems p;
	struct conf *cf = load(KEYS
	    "zone \"example.com\" { type primary; file \"x\";\n"
	    "  update-policy {\n"
	    "    grant acme name Host.Example.COM. A txt;\n"
	    "    deny acme subdomain dyn.example.com.;\n"
	    "    grant acme zonesub TXT;\n"
	    "    grant acme wildcard *.w.example.com. ANY;\n"
	    "    grant * self * A AAAA;\n"
	    "    grant *.hosts.example.com. selfsub . TYPE65000;\n"
	    "    grant \"k.example.com\" selfwild k.example.com.;\n"
	    "  };\n"
	    "};\n", &p);
	uint8_t n[DNAME_MAXLEN];

	ck_assert_msg(cf != NULL, "%s", p.text);
	const struct conf_zone *z = zone(cf, "example.com");
	ck_assert(z->dynamic);
	ck_assert_ptr_null(z->allow_update);
	const struct conf_update_policy *up = z->update_policy;
	ck_assert_ptr_nonnull(up);
	ck_assert_uint_eq(up->nrules, 7);
	const struct update_rule *r = up->rules;
	ck_assert(r[0].grant);
	ck_assert_int_eq(r[0].match, UPDATE_MATCH_NAME);
	ck_assert_mem_eq(r[0].identity, "\4acme", 6);
	/* names are kept lowercase */
	ck_assert_mem_eq(r[0].name, "\4host\7example\3com", 18);
	ck_assert_uint_eq(r[0].ntypes, 2);
	ck_assert_uint_eq(r[0].types[0], TYPE_A);
	ck_assert_uint_eq(r[0].types[1], TYPE_TXT);
	ck_assert(!r[1].grant);
	ck_assert_int_eq(r[1].match, UPDATE_MATCH_SUBDOMAIN);
	ck_assert_uint_eq(r[1].ntypes, 0);
	ck_assert_int_eq(r[2].match, UPDATE_MATCH_ZONESUB);
	ck_assert_uint_eq(r[2].ntypes, 1);
	ck_assert_uint_eq(r[2].types[0], TYPE_TXT);
	ck_assert_uint_eq(r[2].name[0], 0);
	ck_assert_int_eq(r[3].match, UPDATE_MATCH_WILDCARD);
	wire("*.w.example.com.", n);
	ck_assert(dname_equal(r[3].name, n));
	ck_assert_uint_eq(r[3].types[0], TYPE_ANY);
	ck_assert_int_eq(r[4].match, UPDATE_MATCH_SELF);
	ck_assert_mem_eq(r[4].identity, "\1*", 3);
	/* the name of self rules is a placeholder */
	ck_assert_uint_eq(r[4].name[0], 0);
	ck_assert_int_eq(r[5].match, UPDATE_MATCH_SELFSUB);
	ck_assert_uint_eq(r[5].types[0], 65000);
	ck_assert_int_eq(r[6].match, UPDATE_MATCH_SELFWILD);
	wire("k.example.com.", n);
	ck_assert(dname_equal(r[6].identity, n));
	conf_free(cf);
}
END_TEST

START_TEST(test_conf_update_empty_policy_is_dynamic)
{
	struct problems p;
	struct conf *cf = load("zone \"example.com\" { type primary; "
	    "file \"x\"; update-policy { }; };\n", &p);

	ck_assert_msg(cf != NULL, "%s", p.text);
	const struct conf_zone *z = zone(cf, "example.com");
	ck_assert(z->dynamic);
	ck_assert_ptr_nonnull(z->update_policy);
	ck_assert_uint_eq(z->update_policy->nrules, 0);
	conf_free(cf);
}
END_TEST

START_TEST(test_conf_update_defaults)
{
	struct problems p;
	struct conf *cf = load(
	    "zone \"example.com\" { type primary; file \"x\"; };\n"
	    "zone \"example.net\" { type secondary; file \"y\";\n"
	    "  primaries { 192.0.2.1; }; };\n", &p);

	ck_assert_msg(cf != NULL, "%s", p.text);
	for (unsigned i = 0; i < cf->nzones; i++) {
		const struct conf_zone *z = &cf->zones[i];
		ck_assert(!z->dynamic);
		ck_assert_ptr_null(z->allow_update);
		ck_assert_ptr_null(z->update_policy);
		ck_assert_ptr_null(z->allow_update_forwarding);
		ck_assert_int_eq(z->serial_update_method, SERIAL_INCREMENT);
		ck_assert_uint_eq(z->update_sync_delay, 900);
	}
	conf_free(cf);
}
END_TEST

START_TEST(test_conf_update_inherits_from_options)
{
	struct problems p;
	struct conf *cf = load(KEYS
	    "options { allow-update { key acme; };\n"
	    "  allow-update-forwarding { 192.0.2.0/24; };\n"
	    "  serial-update-method unixtime; update-sync-delay 60; };\n"
	    "zone \"a.example\" { type primary; file \"a\"; };\n"
	    "zone \"b.example\" { type primary; file \"b\";\n"
	    "  allow-update { 127.0.0.1; }; serial-update-method date;\n"
	    "  update-sync-delay 0; };\n"
	    "zone \"c.example\" { type primary; file \"c\";\n"
	    "  update-policy { grant acme zonesub TXT; }; };\n"
	    "zone \"d.example\" { type primary; file \"d\";\n"
	    "  allow-update { none; }; };\n"
	    "zone \"e.example\" { type secondary; file \"e\";\n"
	    "  primaries { 192.0.2.1; }; };\n"
	    "zone \"f.example\" { type secondary; file \"f\";\n"
	    "  primaries { 192.0.2.1; }; allow-update-forwarding { any; };"
	    " };\n", &p);

	ck_assert_msg(cf != NULL, "%s", p.text);
	ck_assert_ptr_nonnull(cf->update.allow_update);
	const struct conf_zone *a = zone(cf, "a.example"),
	    *b = zone(cf, "b.example"), *c = zone(cf, "c.example"),
	    *d = zone(cf, "d.example"), *e = zone(cf, "e.example"),
	    *f = zone(cf, "f.example");
	/* a: everything from the options */
	ck_assert_ptr_eq(a->allow_update, cf->update.allow_update);
	ck_assert(a->dynamic);
	ck_assert_int_eq(a->serial_update_method, SERIAL_UNIXTIME);
	ck_assert_uint_eq(a->update_sync_delay, 60);
	ck_assert_ptr_null(a->allow_update_forwarding);
	struct sockaddr_in lo = v4("127.0.0.1");
	ck_assert(acl_allows(a->allow_update, (struct sockaddr *)&lo, "acme"));
	ck_assert(!acl_allows(a->allow_update, (struct sockaddr *)&lo, NULL));
	/* b: its own */
	ck_assert_ptr_nonnull(b->allow_update);
	ck_assert_ptr_ne(b->allow_update, cf->update.allow_update);
	struct sockaddr_in other = v4("192.0.2.9");
	ck_assert(acl_allows(b->allow_update, (struct sockaddr *)&lo, NULL));
	ck_assert(!acl_allows(b->allow_update, (struct sockaddr *)&other,
	    "acme"));
	ck_assert_int_eq(b->serial_update_method, SERIAL_DATE);
	ck_assert_uint_eq(b->update_sync_delay, 0);
	ck_assert(b->dynamic);
	/* c: the policy decides alone */
	ck_assert_ptr_null(c->allow_update);
	ck_assert_ptr_nonnull(c->update_policy);
	ck_assert(c->dynamic);
	/* d: { none; } is no allow-update at all, as in BIND */
	ck_assert_ptr_null(d->allow_update);
	ck_assert(!d->dynamic);
	/* secondaries take no updates; they may forward them */
	ck_assert_ptr_null(e->allow_update);
	ck_assert(!e->dynamic);
	ck_assert_ptr_eq(e->allow_update_forwarding,
	    cf->update.allow_update_forwarding);
	ck_assert_ptr_nonnull(f->allow_update_forwarding);
	ck_assert_ptr_ne(f->allow_update_forwarding,
	    cf->update.allow_update_forwarding);
	conf_free(cf);
}
END_TEST

START_TEST(test_conf_update_warns_of_address_only_updates)
{
	static const struct {
		const char	*aml;
		bool		 warns;
	} lists[] = {
		{ "key acme;", false },
		{ "key acme; 127.0.0.1; 127/8; ::1; localhost;", false },
		{ "!192.0.2.1; key acme; none;", false },
		{ "192.0.2.0/24;", true },
		{ "any;", true },
		{ "localnets;", true },
		{ "::/0;", true },
		{ "{ key acme; }; trusted;", true },
	};
	struct problems p;
	char text[512];

	for (size_t i = 0; i < nitems(lists); i++) {
		snprintf(text, sizeof(text), KEYS
		    "acl trusted { !10/8; any; };\n"
		    "zone \"e\" { type primary; file \"x\";\n"
		    "  allow-update { %s }; };\n", lists[i].aml);
		struct conf *cf = load(text, &p);
		ck_assert_msg(cf != NULL, "%s", p.text);
		ck_assert_msg((p.warnings == 1) == lists[i].warns &&
		    p.warnings <= 1, "%s: %s", lists[i].aml, p.text);
		if (lists[i].warns)
			ck_assert_ptr_nonnull(strstr(p.text, "3: warning: zone "
			    "'e': allow-update lets clients update the zone "
			    "without a key"));
		conf_free(cf);
	}
}
END_TEST

/* A configuration that must fail, with an error at "LINE: text". */
static const struct {
	const char	*conf;
	const char	*error;
} bad[] = {
	{ "options { session-keyalg rsa; };\n", "session-keyalg: expected "
	    "an HMAC algorithm" },
	{ "zone \"e\" { type primary; file \"x\";\n"
	    "  update-policy grant; };\n", "2: update-policy: expected" },
	{ "zone \"e\" { type primary; file \"x\";\n"
	    "  allow-update { any; };\n"
	    "  update-policy { grant k zonesub ANY; }; };\n",
	    "3: zone 'e': allow-update and update-policy cannot both" },
	{ "zone \"e\" { type primary; file \"x\";\n"
	    "  update-policy { grant k zonesub ANY; };\n"
	    "  update-policy { grant k zonesub ANY; }; };\n",
	    "3: zone 'e': update-policy given twice" },
	{ "zone \"e\" { type secondary; file \"x\";\n"
	    "  primaries { 192.0.2.1; }; allow-update { any; }; };\n",
	    "2: zone 'e': allow-update is not allowed in a secondary zone" },
	{ "zone \"e\" { type slave; file \"x\"; masters { 192.0.2.1; };\n"
	    "  update-policy { grant k zonesub ANY; }; };\n",
	    "2: zone 'e': update-policy is not allowed in a secondary" },
	{ "zone \"e\" { type secondary; file \"x\";\n"
	    "  primaries { 192.0.2.1; }; serial-update-method date; };\n",
	    "2: zone 'e': serial-update-method is not allowed in a second" },
	{ "zone \"e\" { type secondary; file \"x\";\n"
	    "  primaries { 192.0.2.1; }; update-sync-delay 5; };\n",
	    "2: zone 'e': update-sync-delay is not allowed in a secondary" },
	{ "zone \"e\" { type primary; file \"x\";\n"
	    "  allow-update-forwarding { any; }; };\n",
	    "2: zone 'e': allow-update-forwarding is not allowed in a prim" },
	{ "options {\n serial-update-method monthly; };\n",
	    "2: serial-update-method: expected increment, unixtime or date" },
	{ "options {\n update-sync-delay 2419201; };\n",
	    "2: update-sync-delay: expected a number from 0 to 2419200" },
	{ "options {\n update-sync-delay soon; };\n",
	    "2: update-sync-delay: expected a number" },
	{ "options {\n update-policy { grant k zonesub ANY; }; };\n",
	    "2: update-policy: only a zone may have one" },
	{ "options {\n allow-update { any; };\n allow-update { none; }; };\n",
	    "3: allow-update: given twice" },
	{ "options {\n allow-update any; };\n",
	    "2: allow-update: expected an address match list" },
	{ "options {\n allow-update { nosuchacl; }; };\n",
	    "2: 'nosuchacl' is not an address, prefix or acl" },
};

/* The rules that must fail, each as the second line of a zone. */
static const struct {
	const char	*rule;
	const char	*error;
} bad_rules[] = {
	{ "allow k zonesub ANY;", "expected grant or deny, not 'allow'" },
	{ "grant k;", "expected ( grant | deny ) IDENTITY RULETYPE" },
	{ "grant k..x zonesub ANY;", "'k..x' is not a valid name" },
	{ "grant k name;", "a 'name' rule needs a name" },
	{ "grant k subdomain;", "a 'subdomain' rule needs a name" },
	{ "grant k name A;", "'name' rule without a name ('A' is a type)" },
	{ "grant k subdomain TXT;", "'subdomain' rule without a name" },
	{ "grant k wildcard foo.e. A;", "'foo.e.' is not a wildcard" },
	{ "grant k wildcard a..e. A;", "'a..e.' is not a valid name" },
	{ "grant k self other. A;", "the name of a 'self' rule must be '.'" },
	{ "grant k selfsub * A;", "the name of a 'selfsub' rule must be" },
	{ "grant k selfwild x.k. A;", "the name of a 'selfwild' rule must be" },
	{ "grant k zonesub FOO;", "'FOO' is not a valid type" },
	{ "grant k zonesub e. TXT;", "'e.' is not a valid type" },
	{ "grant k zonesub PTR(1);", "record limits such as 'PTR(1)' are not" },
	{ "grant k zonesub A { x; };", "'{' is not a valid type" },
	{ "grant k nameish e. A;", "unknown rule type 'nameish'" },
	{ "grant EXAMPLE.COM krb5-self . A;",
	    "rule type 'krb5-self' is not supported by apex" },
	{ "grant R krb5-selfsub . A;",
	    "rule type 'krb5-selfsub' is not supported" },
	{ "grant R krb5-subdomain e. A;",
	    "rule type 'krb5-subdomain' is not supported" },
	{ "grant R krb5-subdomain-self-rhs e. A;",
	    "rule type 'krb5-subdomain-self-rhs' is not supported" },
	{ "grant R ms-self . A;", "rule type 'ms-self' is not supported" },
	{ "grant R ms-selfsub . A;",
	    "rule type 'ms-selfsub' is not supported" },
	{ "grant R ms-subdomain e. A;",
	    "rule type 'ms-subdomain' is not supported" },
	{ "grant R ms-subdomain-self-rhs e. A;",
	    "rule type 'ms-subdomain-self-rhs' is not supported" },
	{ "grant * tcp-self . PTR;",
	    "rule type 'tcp-self' is not supported" },
	{ "grant * 6to4-self . NS;",
	    "rule type '6to4-self' is not supported" },
	{ "grant local:/run/x external . A;",
	    "rule type 'external' is not supported" },
};

START_TEST(test_conf_update_rejects_with_line)
{
	struct problems p;

	for (size_t i = 0; i < nitems(bad); i++) {
		struct conf *cf = load(bad[i].conf, &p);
		ck_assert_msg(cf == NULL, "accepted: %s", bad[i].conf);
		ck_assert_msg(strstr(p.text, bad[i].error) != NULL,
		    "%s: wanted '%s', got:\n%s", bad[i].conf, bad[i].error,
		    p.text);
	}
	for (size_t i = 0; i < nitems(bad_rules); i++) {
		char text[512], want[256];
		snprintf(text, sizeof(text), "zone \"e\" { type primary; "
		    "file \"x\"; update-policy {\n%s\n}; };\n",
		    bad_rules[i].rule);
		snprintf(want, sizeof(want), "2: update-policy: %s",
		    bad_rules[i].error);
		struct conf *cf = load(text, &p);
		ck_assert_msg(cf == NULL, "accepted: %s", bad_rules[i].rule);
		ck_assert_msg(strstr(p.text, want) != NULL,
		    "%s: wanted '%s', got:\n%s", bad_rules[i].rule, want,
		    p.text);
	}
}
END_TEST

/* Records the first error as "FILE:LINE: message". */
static void
first_error(void *arg, const char *file, unsigned line, bool error,
    const char *msg)
{
	char *out = arg;

	if (error && out[0] == '\0')
		snprintf(out, 512, "%s:%u: %s", file, line, msg);
}

START_TEST(test_conf_update_error_names_file)
{
	char *path = write_temp("zone \"e\" { type primary; file \"x\";\n"
	    "  update-policy {\n"
	    "    grant * tcp-self . PTR;\n"
	    "  };\n"
	    "};\n");
	char got[512] = "", want[512];

	ck_assert_ptr_null(conf_load(path, first_error, got));
	snprintf(want, sizeof(want), "%s:3: update-policy: rule type "
	    "'tcp-self' is not supported by apex", path);
	ck_assert_msg(strncmp(got, want, strlen(want)) == 0, "%s", got);
	unlink(path);
	free(path);
}
END_TEST

/* ---- the matcher ------------------------------------------------- */

/*
 * One zone per policy; the table below asks each one. The zone's name
 * is the origin given to the matcher.
 */
static const char policies[] =
    "zone \"example.com\" { type primary; file \"a\"; update-policy {\n"
    "  grant name-key. name host.example.com. A TXT;\n"
    "  grant sub-key. subdomain dyn.example.com.;\n"
    "  grant zone-key. zonesub TXT;\n"
    "  grant wild-key. wildcard *.w.example.com. A;\n"
    "  grant any-key. zonesub ANY;\n"
    "  grant *.hosts.example.com. selfsub . ANY;\n"
    "  grant *.wild.example.com. selfwild . TXT;\n"
    "  grant * self * A AAAA;\n"
    "}; };\n"
    /* deny before grant: the first match decides */
    "zone \"deny.example\" { type primary; file \"b\"; update-policy {\n"
    "  deny acme. name _acme-challenge.secret.deny.example.;\n"
    "  deny acme. subdomain frozen.deny.example. ANY;\n"
    "  grant acme. zonesub TXT;\n"
    "  deny acme. zonesub ANY;\n"
    "  grant acme. zonesub A;\n"
    "}; };\n"
    "zone \"grant.example\" { type primary; file \"c\"; update-policy {\n"
    "  grant acme. zonesub TXT;\n"
    "  deny acme. name _acme-challenge.secret.grant.example.;\n"
    "}; };\n"
    "zone \"wild.example\" { type primary; file \"d\"; update-policy {\n"
    "  grant *.keys.example. zonesub TXT;\n"
    "  grant * name any.wild.example. MX;\n"
    "}; };\n"
    "zone \"empty.example\" { type primary; file \"e\";\n"
    "  update-policy { }; };\n";

static const struct {
	const char	*zone;
	const char	*signer;	/* NULL: unsigned */
	const char	*name;
	uint16_t	 type;
	bool		 allowed;
} cases[] = {
	/* name: exactly that name, only the listed types, any case */
	{ "example.com", "name-key.", "host.example.com.", TYPE_A, true },
	{ "example.com", "name-key.", "host.example.com.", TYPE_TXT, true },
	{ "example.com", "name-key.", "HOST.Example.COM.", TYPE_A, true },
	{ "example.com", "NAME-Key.", "host.example.com.", TYPE_A, true },
	{ "example.com", "name-key.", "host.example.com.", TYPE_MX, false },
	{ "example.com", "name-key.", "x.host.example.com.", TYPE_A, false },
	{ "example.com", "name-key.", "example.com.", TYPE_A, false },
	{ "example.com", "name-key.", "host.example.com.", TYPE_ANY, false },
	/* subdomain: the name and below; no types is BIND's default */
	{ "example.com", "sub-key.", "dyn.example.com.", TYPE_A, true },
	{ "example.com", "sub-key.", "a.b.dyn.example.com.", TYPE_MX, true },
	{ "example.com", "sub-key.", "a.dyn.example.com.", TYPE_CNAME, true },
	{ "example.com", "sub-key.", "a.dyn.example.com.", TYPE_DS, true },
	{ "example.com", "sub-key.", "a.dyn.example.com.", TYPE_NS, false },
	{ "example.com", "sub-key.", "dyn.example.com.", TYPE_SOA, false },
	{ "example.com", "sub-key.", "dyn.example.com.", TYPE_RRSIG, false },
	{ "example.com", "sub-key.", "dyn.example.com.", TYPE_NSEC, false },
	{ "example.com", "sub-key.", "dyn.example.com.", TYPE_NSEC3, false },
	{ "example.com", "sub-key.", "dyn.example.com.", TYPE_ANY, true },
	{ "example.com", "sub-key.", "xdyn.example.com.", TYPE_A, false },
	{ "example.com", "sub-key.", "example.com.", TYPE_A, false },
	/* zonesub: anywhere in the zone */
	{ "example.com", "zone-key.", "example.com.", TYPE_TXT, true },
	{ "example.com", "zone-key.", "_acme-challenge.www.example.com.",
	    TYPE_TXT, true },
	{ "example.com", "zone-key.", "www.example.com.", TYPE_A, false },
	{ "example.com", "zone-key.", "www.example.com.", TYPE_ANY, false },
	{ "example.com", "zone-key.", "example.org.", TYPE_TXT, false },
	/* wildcard: strictly below *.'s parent, by one label or more */
	{ "example.com", "wild-key.", "x.w.example.com.", TYPE_A, true },
	{ "example.com", "wild-key.", "a.b.w.example.com.", TYPE_A, true },
	{ "example.com", "wild-key.", "*.w.example.com.", TYPE_A, true },
	{ "example.com", "wild-key.", "w.example.com.", TYPE_A, false },
	{ "example.com", "wild-key.", "x.w.example.com.", TYPE_TXT, false },
	/* ANY in the rule: every type, also NS, SOA and RRSIG, and a
	 * request for ANY; never NSEC or NSEC3 */
	{ "example.com", "any-key.", "example.com.", TYPE_NS, true },
	{ "example.com", "any-key.", "example.com.", TYPE_SOA, true },
	{ "example.com", "any-key.", "x.example.com.", TYPE_RRSIG, true },
	{ "example.com", "any-key.", "x.example.com.", TYPE_ANY, true },
	{ "example.com", "any-key.", "x.example.com.", TYPE_NSEC, false },
	{ "example.com", "any-key.", "x.example.com.", TYPE_NSEC3, false },
	/* selfsub with a wildcard identity: the signer's name and below */
	{ "example.com", "h1.hosts.example.com.", "h1.hosts.example.com.",
	    TYPE_A, true },
	{ "example.com", "h1.hosts.example.com.",
	    "_x.h1.hosts.example.com.", TYPE_SRV, true },
	{ "example.com", "h1.hosts.example.com.", "h2.hosts.example.com.",
	    TYPE_TXT, false },
	{ "example.com", "hosts.example.com.", "hosts.example.com.",
	    TYPE_TXT, false },
	/* selfwild: strictly below the signer's name */
	{ "example.com", "k.wild.example.com.", "a.k.wild.example.com.",
	    TYPE_TXT, true },
	{ "example.com", "k.wild.example.com.", "b.a.k.wild.example.com.",
	    TYPE_TXT, true },
	{ "example.com", "k.wild.example.com.", "k.wild.example.com.",
	    TYPE_TXT, false },
	/* self with identity "*": any key, its own name only */
	{ "example.com", "www.example.com.", "www.example.com.", TYPE_A,
	    true },
	{ "example.com", "www.example.com.", "www.example.com.", TYPE_AAAA,
	    true },
	{ "example.com", "www.example.com.", "ftp.example.com.", TYPE_A,
	    false },
	{ "example.com", "www.example.com.", "www.example.com.", TYPE_TXT,
	    false },
	/* unsigned requests match no rule, even "*" */
	{ "example.com", NULL, "www.example.com.", TYPE_A, false },
	{ "example.com", NULL, "host.example.com.", TYPE_A, false },
	/* an unknown key matches nothing but the "*" rule */
	{ "example.com", "other.", "host.example.com.", TYPE_A, false },
	/* the first matching rule decides */
	{ "deny.example", "acme.", "_acme-challenge.secret.deny.example.",
	    TYPE_TXT, false },
	{ "deny.example", "acme.", "_acme-challenge.www.deny.example.",
	    TYPE_TXT, true },
	{ "deny.example", "acme.", "x.frozen.deny.example.", TYPE_TXT,
	    false },
	{ "deny.example", "acme.", "www.deny.example.", TYPE_A, false },
	{ "grant.example", "acme.", "_acme-challenge.secret.grant.example.",
	    TYPE_TXT, true },
	{ "grant.example", "acme.", "www.grant.example.", TYPE_A, false },
	/* wildcard identities: strictly below, any case */
	{ "wild.example", "a.keys.example.", "wild.example.", TYPE_TXT,
	    true },
	{ "wild.example", "B.A.Keys.Example.", "wild.example.", TYPE_TXT,
	    true },
	{ "wild.example", "keys.example.", "wild.example.", TYPE_TXT,
	    false },
	{ "wild.example", "a.keysx.example.", "wild.example.", TYPE_TXT,
	    false },
	{ "wild.example", "anything.", "any.wild.example.", TYPE_MX, true },
	/* an empty policy refuses everything */
	{ "empty.example", "acme.", "empty.example.", TYPE_TXT, false },
};

START_TEST(test_update_policy_allows_table)
{
	struct problems p;
	struct conf *cf = load(policies, &p);

	ck_assert_msg(cf != NULL, "%s", p.text);
	for (size_t i = 0; i < nitems(cases); i++) {
		const struct conf_zone *z = zone(cf, cases[i].zone);
		uint8_t signer[DNAME_MAXLEN], name[DNAME_MAXLEN];
		if (cases[i].signer != NULL)
			wire(cases[i].signer, signer);
		wire(cases[i].name, name);
		bool got = update_policy_allows(z->update_policy, z->origin,
		    cases[i].signer != NULL ? signer : NULL, name,
		    cases[i].type, false);
		ck_assert_msg(got == cases[i].allowed, "case %zu: %s by %s "
		    "type %u: got %d", i, cases[i].name,
		    cases[i].signer ? cases[i].signer : "(unsigned)",
		    cases[i].type, got);
	}
	conf_free(cf);
}
END_TEST

START_TEST(test_update_policy_rule_built_by_hand)
{
	/* The matcher needs no conf: a rule of its own, and NULL. */
	struct update_rule r;
	struct conf_update_policy pol = { &r, 1 };
	uint8_t signer[DNAME_MAXLEN], name[DNAME_MAXLEN], origin[1] = { 0 };

	memset(&r, 0, sizeof(r));
	r.grant = true;
	r.match = UPDATE_MATCH_SELFWILD;
	memcpy(r.identity, "\1*", 3);
	wire("k.example.", signer);
	wire("x.k.example.", name);
	ck_assert(update_policy_allows(&pol, origin, signer, name, TYPE_A,
	    false));
	ck_assert(!update_policy_allows(&pol, origin, signer, signer,
	    TYPE_A, false));
	ck_assert(!update_policy_allows(NULL, origin, signer, name, TYPE_A,
	    false));
	/* update-policy local: the session key, anywhere in the zone, any
	 * type, and only from the server's own addresses. */
	struct problems p;
	struct conf *cf = load("options { session-keyname \"s.key\"; };\n"
	    "zone \"e\" { type primary; file \"x\"; update-policy local; "
	    "};\n", &p);
	ck_assert_ptr_nonnull(cf);
	ck_assert(cf->session_needed);
	const struct conf_update_policy *lp = cf->zones[0].update_policy;
	ck_assert_uint_eq(lp->nrules, 1);
	ck_assert(lp->rules[0].local_only && lp->rules[0].grant);
	uint8_t sk[DNAME_MAXLEN], e[DNAME_MAXLEN], in[DNAME_MAXLEN];
	ck_assert_int_gt(dname_from_str("s.key", NULL, sk), 0);
	ck_assert_int_gt(dname_from_str("e", NULL, e), 0);
	ck_assert_int_gt(dname_from_str("_acme-challenge.www.e", NULL, in), 0);
	ck_assert(update_policy_allows(lp, e, sk, in, TYPE_TXT, true));
	ck_assert(!update_policy_allows(lp, e, sk, in, TYPE_TXT, false));
	ck_assert(!update_policy_allows(lp, e, in, in, TYPE_TXT, true));
	conf_free(cf);
	/* update-policy local: only from the server's own addresses. */
	r.local_only = true;
	ck_assert(!update_policy_allows(&pol, origin, signer, name, TYPE_A,
	    false));
	ck_assert(update_policy_allows(&pol, origin, signer, name, TYPE_A,
	    true));
	r.local_only = false;
	r.grant = false;
	ck_assert(!update_policy_allows(&pol, origin, signer, name, TYPE_A,
	    false));
}
END_TEST

static Suite *
update_policy_suite(void)
{
	Suite *s = suite_create("update_policy");
	TCase *tc = tcase_create("core");

	tcase_add_test(tc, test_conf_update_parses_every_rule_form);
	tcase_add_test(tc, test_conf_update_empty_policy_is_dynamic);
	tcase_add_test(tc, test_conf_update_defaults);
	tcase_add_test(tc, test_conf_update_inherits_from_options);
	tcase_add_test(tc, test_conf_update_warns_of_address_only_updates);
	tcase_add_test(tc, test_conf_update_rejects_with_line);
	tcase_add_test(tc, test_conf_update_error_names_file);
	tcase_add_test(tc, test_update_policy_allows_table);
	tcase_add_test(tc, test_update_policy_rule_built_by_hand);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return run_suite(update_policy_suite());
}
