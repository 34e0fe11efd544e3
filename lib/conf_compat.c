/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * BIND options an authoritative configuration carries that apex either
 * does as BIND does or says, in one line, what it does instead: so a
 * BIND named.conf loads unchanged and nothing is silently ignored.
 * Runs in: apex-named parent, apex-xferd, apex-named -C.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "conf_priv.h"

/* Options accepted with a warning saying what apex does instead, in
 * options and zones alike. */
static const struct {
	const char	*name;
	const char	*why;
} instead[] = {
	{ "max-ixfr-ratio", "apex answers IXFR from its journal whatever "
	    "the difference's size" },
	{ "notify-delay", "apex sends NOTIFY for each new version at once" },
	{ "try-tcp-refresh", "apex asks for the SOA over UDP and retries; "
	    "the transfer itself is over TCP" },
	{ "serial-query-rate", "apex's refreshes follow each zone's SOA "
	    "timers" },
	{ "multi-master", "apex tries the primaries in order and takes a "
	    "higher serial from any" },
	{ "interface-interval", "apex binds its addresses at start and at "
	    "reconfig" },
	{ "sig-validity-interval", "signing follows dnssec-policy "
	    "(signatures-validity)" },
	{ "dnssec-dnskey-kskonly", "signing follows dnssec-policy (the KSK "
	    "signs the DNSKEY set)" },
	{ "dnssec-loadkeys-interval", "the signer reads its key directory "
	    "at each run" },
	{ "update-check-ksk", "signing follows dnssec-policy" },
	{ "dnssec-update-mode", "signing follows dnssec-policy" },
	{ "zone-statistics", "apex keeps counters per server (/metrics), "
	    "not per zone" },
	{ "tkey-gssapi-keytab", "GSS-TSIG is not supported; use TSIG keys" },
	{ "tkey-gssapi-credential", "GSS-TSIG is not supported; use TSIG "
	    "keys" },
	{ "tkey-domain", "TKEY is not supported; use TSIG keys" },
	{ "geoip-directory", "apex has no GeoIP address match lists" },
	{ "send-cookie", "apex sends no COOKIE in its own SOA queries" },
	{ "nocookie-udp-size", "apex sends no COOKIE in its own queries" },
	{ "require-server-cookie", "it is a resolver's option" },
	{ "notify-rate", "apex paces NOTIFY per zone, not per second" },
	{ "startup-notify-rate", "apex paces NOTIFY per zone, not per "
	    "second" },
	{ "dialup", "apex refreshes on the SOA timers" },
	{ "check-names", "apex does not check host name syntax" },
	{ "check-integrity", "apex always checks what loading needs (glue "
	    "for in-zone name servers, CNAME and DNAME rules) and does not "
	    "check MX and SRV targets" },
	{ "check-mx", "apex does not check MX targets" },
	{ "check-mx-cname", "apex does not check MX targets" },
	{ "check-srv-cname", "apex does not check SRV targets" },
	{ "check-sibling", "apex does not check sibling glue" },
	{ "check-wildcard", "apex does not warn about wildcards" },
	{ "check-dup-records", "apex keeps one copy of a duplicate record" },
	{ "check-spf", "apex does not check SPF records" },
	{ "check-svcb", "apex does not check SVCB records" },
};

/* ixfr-from-differences: apex keeps every new version's difference in
 * the journal, for primaries and secondaries alike. */
static void
ixfr_from_differences(struct ctx *c, const struct cfg_stmt *st)
{
	const char *v = conf_single(c, st);
	static const char *const values[] = { "yes", "true", "no", "false",
	    "primary", "master", "secondary", "slave" };
	bool known = false;

	if (v == NULL)
		return;
	for (size_t i = 0; i < nitems(values); i++)
		known |= conf_is(v, values[i]);
	if (!known)
		ERR(c, st, "ixfr-from-differences: expected yes, no, primary "
		    "or secondary, not '%s'", v);
	else if (!conf_is(v, "yes") && !conf_is(v, "true"))
		WARN(c, st, "ixfr-from-differences %s: apex keeps the "
		    "difference of every new version of every zone (as with "
		    "yes), so IXFR works after a reload", v);
}

/* masterfile-format: only text is read; BIND's binary forms are its own. */
static void
masterfile_format(struct ctx *c, const struct cfg_stmt *st)
{
	const char *v = conf_single(c, st);

	if (v == NULL || conf_is(v, "text"))
		return;
	if (conf_is(v, "raw") || conf_is(v, "map"))
		ERR(c, st, "masterfile-format %s: apex reads and writes text "
		    "zone files only; convert with named-compilezone -f %s "
		    "-F text and drop the option", v, v);
	else
		ERR(c, st, "masterfile-format: expected text, raw or map, not "
		    "'%s'", v);
}

/* transfer-format: apex always sends many records per message. */
static void
transfer_format(struct ctx *c, const struct cfg_stmt *st)
{
	const char *v = conf_single(c, st);

	if (v == NULL || conf_is(v, "many-answers"))
		return;
	if (conf_is(v, "one-answer"))
		WARN(c, st, "transfer-format one-answer: apex sends as many "
		    "records per message as fit (many-answers), which every "
		    "secondary since BIND 8 reads");
	else
		ERR(c, st, "transfer-format: expected one-answer or "
		    "many-answers, not '%s'", v);
}

/* session-keyfile "PATH"|none, session-keyname NAME, session-keyalg
 * ALG: the session key of update-policy local. */
static void
session_option(struct ctx *c, const struct cfg_stmt *st, const char *name)
{
	struct conf *cf = c->conf;
	const char *v = conf_single(c, st);

	if (v == NULL)
		return;
	if (conf_is(name, "session-keyfile")) {
		free(cf->session_keyfile);
		cf->session_keyfile = !st->v[1].quoted && conf_is(v, "none") ?
		    NULL : conf_resolve_path(cf, v);
	} else if (conf_is(name, "session-keyname")) {
		free(cf->session_keyname);
		cf->session_keyname = xstrdup(v);
	} else if (strncasecmp(v, "hmac-", 5) != 0)
		ERR(c, st, "session-keyalg: expected an HMAC algorithm, not "
		    "'%s'", v);
	else {
		free(cf->session_keyalg);
		cf->session_keyalg = xstrdup(v);
	}
}

bool
conf_compat_option(struct ctx *c, const struct cfg_stmt *st, bool in_zone)
{
	const char *name = conf_word(st, 0);
	bool b;

	if (conf_is(name, "ixfr-from-differences"))
		ixfr_from_differences(c, st);
	else if (conf_is(name, "masterfile-format"))
		masterfile_format(c, st);
	else if (conf_is(name, "transfer-format"))
		transfer_format(c, st);
	else if (!in_zone && conf_is(name, "provide-ixfr")) {
		if (conf_get_bool(c, st, &b) == 0)
			c->conf->provide_ixfr = b;
	} else if (!in_zone && (conf_is(name, "session-keyfile") ||
	    conf_is(name, "session-keyname") ||
	    conf_is(name, "session-keyalg")))
		session_option(c, st, name);
	else if (!in_zone && conf_is(name, "blackhole")) {
		if (st->n != 2 || conf_block_at(st, 1) == NULL) {
			ERR(c, st, "blackhole: expected { ... }");
			return true;
		}
		acl_free(c->conf->blackhole);
		c->conf->blackhole = conf_build_aml(c, st,
		    conf_block_at(st, 1), 0);
	} else {
		for (size_t i = 0; i < nitems(instead); i++)
			if (conf_is(name, instead[i].name)) {
				WARN(c, st, "%s: %s; ignored", name,
				    instead[i].why);
				return true;
			}
		return false;
	}
	return true;
}
