/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * Interprets the named.conf statement tree (conf_parse.c) into struct
 * conf. Each block kind has a table of the options apex understands; BIND
 * options that only matter to a resolver are accepted with a warning, and
 * everything else is an error at its file:line.
 * Runs in: apex-named parent, apex-xferd, apex-named -C.
 */
#include <ctype.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "conf_priv.h"
#include "error.h"
#include "log.h"
#include "rr.h"
#include "tsig.h"


void PRINTF(4, 5)
conf_creport(struct ctx *c, const struct cfg_stmt *st, bool error,
    const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (error)
		c->errors++;
	if (c->report != NULL)
		c->report(c->arg, st ? st->file : c->conf->path,
		    st ? st->line : 0, error, msg);
}

/* ---- value helpers ----------------------------------------------- */

const char *
conf_word(const struct cfg_stmt *st, unsigned i)
{
	return i < st->n && st->v[i].block == NULL ? st->v[i].s : NULL;
}

const struct cfg_block *
conf_block_at(const struct cfg_stmt *st, unsigned i)
{
	return i < st->n ? st->v[i].block : NULL;
}

bool
conf_is(const char *a, const char *b)
{
	return a != NULL && strcasecmp(a, b) == 0;
}

/* Expects exactly "NAME VALUE;" and returns VALUE. */
const char *
conf_single(struct ctx *c, const struct cfg_stmt *st)
{
	const char *v = conf_word(st, 1);

	if (v != NULL && st->n > 2 && st->v[2].s != NULL &&
	    !st->v[2].quoted && st->v[2].line > st->v[1].line) {
		/* "type primary" and the next line's "file ...": where BIND
		 * says it, the line of the word that should have had a ';'
		 * before it. */
		struct cfg_stmt at = *st;
		at.line = st->v[2].line;
		ERR(c, &at, "missing ';' before '%s'", st->v[2].s);
		return NULL;
	}
	if (v == NULL || st->n != 2) {
		ERR(c, st, "%s: expected one value", st->v[0].s);
		return NULL;
	}
	/* BIND's grammar has these as quoted strings (pid-file also the
	 * word none): a bare word is refused, as named-checkconf does. */
	static const char *const quoted[] = { "file", "directory",
	    "pid-file", "journal", "key-directory" };
	for (size_t i = 0; !st->v[1].quoted && i < nitems(quoted); i++)
		if (conf_is(st->v[0].s, quoted[i]) &&
		    !(i == 2 && conf_is(v, "none"))) {
			ERR(c, st, "expected quoted string near '%s'", v);
			return NULL;
		}
	return v;
}

int
conf_get_bool(struct ctx *c, const struct cfg_stmt *st, bool *out)
{
	const char *v = conf_single(c, st);

	if (v == NULL)
		return -1;
	if (conf_is(v, "yes") || conf_is(v, "true") || strcmp(v, "1") == 0)
		*out = true;
	else if (conf_is(v, "no") || conf_is(v, "false") || strcmp(v, "0") == 0)
		*out = false;
	else {
		ERR(c, st, "%s: expected yes or no, not '%s'", st->v[0].s, v);
		return -1;
	}
	return 0;
}

int
conf_parse_uint(const char *s, unsigned long max, unsigned long *out)
{
	char *end;

	if (s == NULL || !isdigit((unsigned char)*s))
		return -1;
	unsigned long v = strtoul(s, &end, 10);
	if (*end != '\0' || v > max)
		return -1;
	*out = v;
	return 0;
}

int
conf_get_uint(struct ctx *c, const struct cfg_stmt *st, unsigned long min,
    unsigned long max, unsigned long *out)
{
	const char *v = conf_single(c, st);

	if (v == NULL)
		return -1;
	if (conf_parse_uint(v, max, out) != 0 || *out < min) {
		ERR(c, st, "%s: expected a number from %lu to %lu, not '%s'",
		    st->v[0].s, min, max, v);
		return -1;
	}
	return 0;
}

/* A string option where "none" (unquoted) means NULL.
 * Returns: false if the statement was malformed (and reported). */
static bool
get_string_or_none(struct ctx *c, const struct cfg_stmt *st, char **out)
{
	const char *v = conf_single(c, st);

	if (v == NULL)
		return false;
	free(*out);
	*out = (!st->v[1].quoted && conf_is(v, "none")) ? NULL : xstrdup(v);
	return true;
}

/* ---- address match lists ----------------------------------------- */


static const struct acl *
named_acl(struct ctx *c, const struct cfg_stmt *st, const char *name,
    unsigned depth)
{
	struct conf *cf = c->conf;

	for (unsigned i = 0; i < cf->nacls; i++) {
		if (!conf_is(cf->acls[i].name, name))
			continue;
		if (cf->acls[i].acl == NULL) {
			if (c->acl_busy[i] || depth > 32) {
				ERR(c, st, "acl '%s' refers to itself", name);
				return NULL;
			}
			c->acl_busy[i] = true;
			cf->acls[i].acl = conf_build_aml(c, c->acl_stmt[i],
			    conf_block_at(c->acl_stmt[i], 2), depth + 1);
			c->acl_busy[i] = false;
		}
		return cf->acls[i].acl;
	}
	return NULL;
}

static int
aml_element(struct ctx *c, const struct cfg_stmt *st, struct acl *a,
    unsigned depth)
{
	struct acl_elem e;
	unsigned i = 0;
	bool neg = false;

	memset(&e, 0, sizeof(e));
	if (conf_is(conf_word(st, 0), "!")) {
		neg = true;
		i = 1;
	}
	const char *w = conf_word(st, i);
	const struct cfg_block *b = conf_block_at(st, i);
	if (b != NULL && st->n == i + 1) {
		e.kind = ACL_NESTED;
		e.owned = conf_build_aml(c, st, b, depth + 1);
		e.nested = e.owned;
		if (e.owned == NULL)
			return -1;
	} else if (conf_is(w, "key") && conf_word(st, i + 1) &&
	    st->n == i + 2) {
		e.kind = ACL_KEY;
		e.key = xstrdup(conf_word(st, i + 1));
		bool found = false;
		for (unsigned k = 0; k < c->conf->nkeys; k++)
			found |= conf_is(c->conf->keys[k].name, e.key);
		if (!found)
			WARN(c, st, "key '%s' is not defined", e.key);
	} else if (w != NULL && st->n == i + 1) {
		const struct acl *na;
		if (conf_is(w, "any"))
			e.kind = ACL_ANY;
		else if (conf_is(w, "none"))
			e.kind = ACL_NONE;
		else if (conf_is(w, "localhost") || conf_is(w, "localnets")) {
			e.kind = ACL_NESTED;
			e.nested = conf_is(w, "localhost") ?
			    c->conf->localhost :
			    c->conf->localnets;
		} else if (acl_parse_prefix(w, &e) == 0)
			;
		else if ((na = named_acl(c, st, w, depth)) != NULL) {
			e.kind = ACL_NESTED;
			e.nested = na;
		} else {
			ERR(c, st, "'%s' is not an address, prefix or acl", w);
			return -1;
		}
	} else {
		ERR(c, st, "bad address match list element");
		return -1;
	}
	e.negated = neg;
	acl_add(a, &e);
	return 0;
}

struct acl *
conf_build_aml(struct ctx *c, const struct cfg_stmt *st,
    const struct cfg_block *b,
    unsigned depth)
{
	if (b == NULL) {
		ERR(c, st, "%s: expected an address match list { ... }",
		    st->n ? st->v[0].s ? st->v[0].s : "{" : "");
		return NULL;
	}
	if (depth > 32) {
		ERR(c, st, "address match lists nested too deeply");
		return NULL;
	}
	struct acl *a = acl_new();
	for (unsigned i = 0; i < b->n; i++)
		if (aml_element(c, &b->s[i], a, depth) != 0) {
			acl_free(a);
			return NULL;
		}
	return a;
}

/* "NAME { aml };" */
static void
get_aml(struct ctx *c, const struct cfg_stmt *st, struct acl **out)
{
	if (st->n != 2 || conf_block_at(st, 1) == NULL) {
		ERR(c, st, "%s: expected an address match list { ... }",
		    st->v[0].s);
		return;
	}
	acl_free(*out);
	*out = conf_build_aml(c, st, conf_block_at(st, 1), 0);
}

/* ---- options ----------------------------------------------------- */

/* BIND options with no meaning for an authoritative-only server. */
static const char *const resolver_only[] = {
	"allow-query-cache", "allow-query-cache-on", "allow-recursion",
	"allow-recursion-on", "auth-nxdomain", "bindkeys-file",
	"dnssec-accept-expired", "dnssec-validation", "dump-file",
	"empty-zones-enable", "forward", "forwarders", "lame-ttl",
	"managed-keys-directory", "max-cache-size", "max-cache-ttl",
	"max-ncache-ttl", "max-stale-ttl", "memstatistics-file",
	"prefetch", "qname-minimization", "query-source", "query-source-v6",
	"recursive-clients", "resolver-query-timeout", "servfail-ttl",
	"stale-answer-enable", "stale-cache-enable",
	"statistics-file", "trust-anchor-telemetry", "dnssec-enable",
	"root-key-sentinel", "fetches-per-server", "fetches-per-zone",
	"clients-per-query", "max-clients-per-query", "glue-cache",
	"deny-answer-addresses", "deny-answer-aliases", "dns64",
	"response-policy",
};

static bool
is_resolver_only(const char *name)
{
	for (size_t i = 0; i < nitems(resolver_only); i++)
		if (conf_is(name, resolver_only[i]))
			return true;
	return false;
}

static int
parse_hex(const char *s, uint8_t *out, size_t len)
{
	if (strlen(s) != 2 * len)
		return -1;
	for (size_t i = 0; i < len; i++) {
		unsigned v;
		if (!isxdigit((unsigned char)s[2 * i]) ||
		    !isxdigit((unsigned char)s[2 * i + 1]) ||
		    sscanf(s + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (uint8_t)v;
	}
	return 0;
}

static void
opt_listen(struct ctx *c, const struct cfg_stmt *st, int family)
{
	struct conf *cf = c->conf;
	struct conf_listen l = { family, 0, NULL };
	unsigned i = 1;

	while (i + 1 < st->n && conf_word(st, i) != NULL) {
		unsigned long v;
		if (conf_is(conf_word(st, i), "port") &&
		    conf_parse_uint(conf_word(st, i + 1), 65535, &v) == 0) {
			l.port = (uint16_t)v;
			i += 2;
		} else if (conf_is(conf_word(st, i), "dscp")) {
			WARN(c, st, "%s: dscp is ignored", st->v[0].s);
			i += 2;
		} else {
			ERR(c, st, "%s: unexpected '%s'", st->v[0].s,
			    conf_word(st, i));
			return;
		}
	}
	if (i + 1 != st->n || conf_block_at(st, i) == NULL) {
		ERR(c, st, "%s: expected [port N] { addresses; }", st->v[0].s);
		return;
	}
	l.acl = conf_build_aml(c, st, conf_block_at(st, i), 0);
	if (l.acl == NULL)
		return;
	cf->listen = xreallocarray(cf->listen, cf->nlisten + 1,
	    sizeof(*cf->listen));
	cf->listen[cf->nlisten++] = l;
}

static void
opt_minimal(struct ctx *c, const struct cfg_stmt *st)
{
	const char *v = conf_single(c, st);
	struct conf *cf = c->conf;

	if (v == NULL)
		return;
	if (conf_is(v, "yes") || conf_is(v, "true"))
		cf->minimal_responses = MINIMAL_YES;
	else if (conf_is(v, "no") || conf_is(v, "false"))
		cf->minimal_responses = MINIMAL_NO;
	else if (conf_is(v, "no-auth"))
		cf->minimal_responses = MINIMAL_NO_AUTH;
	else if (conf_is(v, "no-auth-recursive"))
		cf->minimal_responses = MINIMAL_NO_AUTH_RECURSIVE;
	else
		ERR(c, st, "minimal-responses: expected yes, no, no-auth or "
		    "no-auth-recursive, not '%s'", v);
}

int
conf_get_notify(struct ctx *c, const struct cfg_stmt *st)
{
	const char *v = conf_single(c, st);

	if (v == NULL)
		return -1;
	if (conf_is(v, "explicit"))
		return NOTIFY_EXPLICIT;
	if (conf_is(v, "yes") || conf_is(v, "true"))
		return NOTIFY_YES;
	if (conf_is(v, "no") || conf_is(v, "false"))
		return NOTIFY_NO;
	if (conf_is(v, "primary-only") || conf_is(v, "master-only"))
		return NOTIFY_PRIMARY_ONLY;
	ERR(c, st, "notify: expected yes, no, explicit or primary-only, not "
	    "'%s'", v);
	return -1;
}

static void
opt_one(struct ctx *c, const struct cfg_stmt *st)
{
	struct conf *cf = c->conf;
	const char *name = conf_word(st, 0);
	unsigned long v;
	bool b;

	if (conf_is(name, "directory")) {
		const char *d = conf_single(c, st);
		char cwd[4096];
		if (d != NULL) {
			free(cf->directory);
			/* Relative to where the server starts, as in BIND;
			 * kept absolute, since the server changes into it. */
			if (d[0] != '/' && getcwd(cwd, sizeof(cwd)) != NULL) {
				size_t n = strlen(cwd) + strlen(d) + 2;
				cf->directory = xmalloc(n);
				snprintf(cf->directory, n, "%s/%s", cwd, d);
			} else
				cf->directory = xstrdup(d);
		}
	} else if (conf_is(name, "state-directory")) {
		const char *d = conf_single(c, st);
		if (d != NULL && d[0] != '/')
			ERR(c, st, "state-directory: expected an absolute "
			    "path");
		else if (d != NULL) {
			free(cf->state_directory);
			cf->state_directory = xstrdup(d);
		}
	} else if (conf_is(name, "pid-file"))
		get_string_or_none(c, st, &cf->pid_file);
	else if (conf_is(name, "listen-on"))
		opt_listen(c, st, AF_INET);
	else if (conf_is(name, "listen-on-v6"))
		opt_listen(c, st, AF_INET6);
	else if (conf_is(name, "port")) {
		if (conf_get_uint(c, st, 1, 65535, &v) == 0)
			cf->port = (uint16_t)v;
	} else if (conf_is(name, "recursion")) {
		if (conf_get_bool(c, st, &b) == 0 && b)
			ERR(c, st, "recursion yes: apex is an "
			    "authoritative-only server");
	} else if (conf_is(name, "version"))
		get_string_or_none(c, st, &cf->version);
	else if (conf_is(name, "hostname"))
		get_string_or_none(c, st, &cf->hostname);
	else if (conf_is(name, "server-id")) {
		if (get_string_or_none(c, st, &cf->server_id) &&
		    cf->server_id != NULL && !st->v[1].quoted &&
		    conf_is(cf->server_id, "hostname")) {
			char host[256];
			if (gethostname(host, sizeof(host)) != 0)
				host[0] = '\0';
			host[sizeof(host) - 1] = '\0';
			free(cf->server_id);
			cf->server_id = xstrdup(host);
		}
	} else if (conf_is(name, "edns-udp-size")) {
		if (conf_get_uint(c, st, 512, 4096, &v) == 0)
			cf->edns_udp_size = (uint16_t)v;
	} else if (conf_is(name, "max-udp-size")) {
		if (conf_get_uint(c, st, 512, 4096, &v) == 0)
			cf->max_udp_size = (uint16_t)v;
	} else if (conf_is(name, "minimal-responses"))
		opt_minimal(c, st);
	else if (conf_is(name, "minimal-any")) {
		if (conf_get_bool(c, st, &b) == 0)
			cf->minimal_any = b;
	} else if (conf_is(name, "allow-query"))
		get_aml(c, st, &cf->allow_query);
	else if (conf_is(name, "allow-transfer"))
		get_aml(c, st, &cf->allow_transfer);
	else if (conf_is(name, "querylog")) {
		if (conf_get_bool(c, st, &b) == 0)
			cf->querylog = b;
	} else if (conf_xfr_option(c, st, &cf->xfr)) {
		/* handled */
	} else if (conf_is(name, "transfers-out")) {
		if (conf_get_uint(c, st, 1, 1000, &v) == 0)
			cf->transfers_out = (unsigned)v;
	} else if (conf_is(name, "transfers-in")) {
		if (conf_get_uint(c, st, 1, 1000, &v) == 0)
			cf->transfers_in = (unsigned)v;
	} else if (conf_is(name, "max-records-per-type")) {
		if (conf_get_uint(c, st, 0, UINT32_MAX, &v) == 0)
			cf->max_records_per_type = (unsigned)v;
	} else if (conf_is(name, "max-types-per-name")) {
		if (conf_get_uint(c, st, 0, UINT32_MAX, &v) == 0)
			cf->max_types_per_name = (unsigned)v;
	} else if (conf_is(name, "answer-cookie")) {
		if (conf_get_bool(c, st, &b) == 0)
			cf->answer_cookie = b;
	} else if (conf_is(name, "cookie-secret")) {
		const char *hex = conf_single(c, st);
		if (hex != NULL && parse_hex(hex, cf->cookie_secret,
		    sizeof(cf->cookie_secret)) != 0)
			ERR(c, st, "cookie-secret: expected 32 hexadecimal "
			    "digits (a 128-bit SipHash-2-4 key)");
		else if (hex != NULL)
			cf->cookie_secret_set = true;
	} else if (conf_is(name, "cookie-algorithm")) {
		const char *alg = conf_single(c, st);
		if (alg != NULL && !conf_is(alg, "siphash24"))
			ERR(c, st, "cookie-algorithm: only siphash24 is "
			    "supported");
	} else if (conf_is(name, "tcp-clients")) {
		if (conf_get_uint(c, st, 1, 100000, &v) == 0)
			cf->tcp_clients = (unsigned)v;
	} else if (conf_is(name, "tcp-clients-per-address")) {
		if (conf_get_uint(c, st, 0, 100000, &v) == 0)
			cf->tcp_clients_per_address = (unsigned)v;
	} else if (conf_is(name, "tcp-idle-timeout")) {
		/* BIND counts in units of 100 ms. */
		if (conf_get_uint(c, st, 1, 1200, &v) == 0)
			cf->tcp_idle_timeout = (unsigned)v * 100;
	} else if (conf_is(name, "rate-limit"))
		conf_stmt_rate_limit(c, st);
	else if (conf_update_option(c, st, &cf->update))
		;	/* handled */
	else if (conf_dnssec_option(c, st))
		;	/* handled */
	else if (conf_compat_option(c, st, false))
		;	/* handled */
	else if (is_resolver_only(name))
		WARN(c, st, "option '%s' has no meaning for an "
		    "authoritative-only server; ignored", name);
	else
		ERR(c, st, "unknown or unsupported option '%s'", name);
}

static void
stmt_options(struct ctx *c, const struct cfg_stmt *st)
{
	const struct cfg_block *b = conf_block_at(st, 1);

	if (st->n != 2 || b == NULL) {
		ERR(c, st, "options: expected options { ... };");
		return;
	}
	for (unsigned i = 0; i < b->n; i++) {
		if (conf_word(&b->s[i], 0) == NULL) {
			ERR(c, &b->s[i], "expected an option name");
			continue;
		}
		opt_one(c, &b->s[i]);
	}
}

/* ---- keys -------------------------------------------------------- */

static bool
is_base64(const char *s)
{
	size_t n = 0, pad = 0;

	for (; *s != '\0'; s++) {
		if (isspace((unsigned char)*s))
			continue;
		if (*s == '=') {
			pad++;
			n++;
			continue;
		}
		if (pad > 0 || !(isalnum((unsigned char)*s) || *s == '+' ||
		    *s == '/'))
			return false;
		n++;
	}
	return n > 0 && n % 4 == 0 && pad <= 2;
}

static void
stmt_key(struct ctx *c, const struct cfg_stmt *st)
{
	const struct cfg_block *b = conf_block_at(st, 2);
	struct conf_key k = { NULL, NULL, NULL, st->file, st->line };

	if (st->n != 3 || conf_word(st, 1) == NULL || b == NULL) {
		ERR(c, st, "key: expected key NAME { algorithm ...; "
		    "secret ...; };");
		return;
	}
	for (unsigned i = 0; i < b->n; i++) {
		const struct cfg_stmt *o = &b->s[i];
		const char *v = conf_word(o, 0);
		if (conf_is(v, "algorithm") && conf_single(c, o) != NULL) {
			free(k.algorithm);
			k.algorithm = xstrdup(conf_word(o, 1));
		} else if (conf_is(v, "secret") && conf_single(c, o) != NULL) {
			str_free_wipe(k.secret);
			k.secret = xstrdup(conf_word(o, 1));
		} else if (!conf_is(v, "algorithm") && !conf_is(v, "secret"))
			ERR(c, o, "key: unknown option '%s'", v ? v : "{");
	}
	bool ok = true;
	if (k.algorithm == NULL || k.secret == NULL) {
		ERR(c, st, "key '%s': needs an algorithm and a secret",
		    conf_word(st, 1));
		ok = false;
	} else {
		enum tsig_alg alg;
		unsigned mac_len;
		if (tsig_alg_parse(k.algorithm, &alg, &mac_len) != 0) {
			ERR(c, st, "key '%s': unknown algorithm '%s'",
			    conf_word(st, 1), k.algorithm);
			ok = false;
		}
		if (!is_base64(k.secret)) {
			ERR(c, st, "key '%s': secret is not base64",
			    conf_word(st, 1));
			ok = false;
		}
	}
	for (unsigned i = 0; ok && i < c->conf->nkeys; i++)
		if (conf_is(c->conf->keys[i].name, conf_word(st, 1))) {
			ERR(c, st, "key '%s' is defined twice",
			    conf_word(st, 1));
			ok = false;
		}
	if (!ok) {
		free(k.algorithm);
		str_free_wipe(k.secret);
		return;
	}
	k.name = xstrdup(conf_word(st, 1));
	c->conf->keys = xreallocarray(c->conf->keys, c->conf->nkeys + 1,
	    sizeof(k));
	c->conf->keys[c->conf->nkeys++] = k;
}

/* ---- zones ------------------------------------------------------- */

char *
conf_resolve_path(const struct conf *cf, const char *file)
{
	if (file[0] == '/' || cf->directory == NULL)
		return xstrdup(file);
	size_t n = strlen(cf->directory) + strlen(file) + 2;
	char *p = xmalloc(n);
	snprintf(p, n, "%s/%s", cf->directory, file);
	return p;
}

static void
zone_option(struct ctx *c, const struct cfg_stmt *o, struct conf_zone *z,
    bool *has_type)
{
	const char *v = conf_word(o, 0);

	if (conf_is(v, "type")) {
		const char *t = conf_single(c, o);
		*has_type = t != NULL;
		if (t == NULL)
			return;
		if (conf_is(t, "primary") || conf_is(t, "master"))
			z->type = ZONE_PRIMARY;
		else if (conf_is(t, "secondary") || conf_is(t, "slave"))
			z->type = ZONE_SECONDARY;
		else {
			ERR(c, o, "zone '%s': type %s is not supported by an "
			    "authoritative-only server", z->name, t);
			*has_type = false;
		}
	} else if (conf_is(v, "file")) {
		const char *f = conf_single(c, o);
		if (f != NULL) {
			free(z->file);
			z->file = conf_resolve_path(c->conf, f);
		}
	} else if (conf_is(v, "journal")) {
		const char *f = conf_single(c, o);
		if (f != NULL) {
			free(z->journal);
			z->journal = conf_resolve_path(c->conf, f);
		}
	} else if (conf_is(v, "allow-query"))
		get_aml(c, o, &z->allow_query);
	else if (conf_is(v, "allow-transfer"))
		get_aml(c, o, &z->allow_transfer);
	else if (conf_is(v, "primaries") || conf_is(v, "masters")) {
		conf_remotes_free(&z->primaries);
		(void)conf_parse_remotes(c, o, 1, &z->primaries);
	} else if (conf_xfr_option(c, o, &z->xfr))
		;	/* handled */
	else if (conf_update_is_zone_option(v))
		;	/* conf_update_zone(), once the type is known */
	else if (conf_dnssec_is_zone_option(v))
		;	/* conf_dnssec_zone(), after conf_update_zone() */
	else if (conf_is(v, "max-records-per-type")) {
		unsigned long n;
		if (conf_get_uint(c, o, 0, UINT32_MAX, &n) == 0) {
			z->max_records_per_type = (unsigned)n;
			z->max_records_set = true;
		}
	} else if (conf_is(v, "max-types-per-name")) {
		unsigned long n;
		if (conf_get_uint(c, o, 0, UINT32_MAX, &n) == 0) {
			z->max_types_per_name = (unsigned)n;
			z->max_types_set = true;
		}
	}
	else if (conf_compat_option(c, o, true))
		;	/* handled */
	else
		ERR(c, o, "zone '%s': unknown or unsupported option '%s'",
		    z->name, v ? v : "{");
}

/*
 * Zone types only a resolver uses (BIND's default configuration has a
 * hint zone for the root): warned about and left out, so the
 * configuration still loads. Returns: true if the zone is one.
 */
static bool
resolver_zone(struct ctx *c, const struct cfg_stmt *st,
    const struct cfg_block *b)
{
	static const char *const types[] = { "hint", "stub", "static-stub",
	    "forward", "mirror", "redirect", "delegation-only" };

	for (unsigned i = 0; i < b->n; i++) {
		if (!conf_is(conf_word(&b->s[i], 0), "type"))
			continue;
		const char *t = conf_word(&b->s[i], 1);
		for (size_t k = 0; t != NULL && k < nitems(types); k++)
			if (conf_is(t, types[k])) {
				WARN(c, st, "zone '%s': type %s is for "
				    "resolvers; apex is authoritative only and "
				    "leaves the zone out", conf_word(st, 1), t);
				return true;
			}
	}
	return false;
}

static void
stmt_zone(struct ctx *c, const struct cfg_stmt *st)
{
	struct conf *cf = c->conf;
	struct conf_zone z;
	const struct cfg_block *b;
	bool has_type = false;
	unsigned bi = 2;

	memset(&z, 0, sizeof(z));
	z.rclass = CLASS_IN;
	z.conf_file = st->file;
	z.conf_line = st->line;
	if (conf_word(st, 1) == NULL) {
		ERR(c, st, "zone: expected zone \"NAME\" [class] { ... };");
		return;
	}
	if (st->n == 4 && conf_word(st, 2) != NULL) {
		const char *cl = conf_word(st, 2);
		if (!conf_is(cl, "IN")) {
			ERR(c, st, "zone '%s': class %s is not supported",
			    conf_word(st, 1), cl);
			return;
		}
		bi = 3;
	}
	b = conf_block_at(st, bi);
	if (b == NULL || st->n != bi + 1) {
		ERR(c, st, "zone '%s': expected { ... }", conf_word(st, 1));
		return;
	}
	int len = dname_from_str(conf_word(st, 1), NULL, z.origin);
	if (len < 0) {
		ERR(c, st, "zone '%s': not a valid domain name",
		    conf_word(st, 1));
		return;
	}
	dname_lower(z.origin, z.origin, (size_t)len);
	if (resolver_zone(c, st, b))
		return;
	z.name = xstrdup(conf_word(st, 1));
	for (unsigned i = 0; i < b->n; i++)
		zone_option(c, &b->s[i], &z, &has_type);
	if (has_type) {
		conf_update_zone(c, st, b, &z);
		conf_dnssec_zone(c, st, b, &z);
	}
	bool ok = true;
	if (!has_type) {
		ERR(c, st, "zone '%s': missing or unsupported type", z.name);
		ok = false;
	} else if (z.file == NULL && (z.type != ZONE_SECONDARY ||
	    z.dnssec_policy != NULL)) {
		/* A secondary may live in memory only, as in BIND (it
		 * transfers the zone again after a restart); a primary's
		 * data and a signer's copy are files. */
		ERR(c, st, "zone '%s': needs a file", z.name);
		ok = false;
	} else if (z.type == ZONE_SECONDARY && z.primaries.n == 0) {
		ERR(c, st, "zone '%s': type secondary needs primaries",
		    z.name);
		ok = false;
	} else if (z.type == ZONE_PRIMARY && z.primaries.n > 0) {
		ERR(c, st, "zone '%s': primaries is for secondary zones",
		    z.name);
		ok = false;
	}
	conf_xfr_inherit(&z.xfr, &cf->xfr);
	if (z.xfr.notify == NOTIFY_PRIMARY_ONLY)
		z.xfr.notify = z.type == ZONE_PRIMARY ? NOTIFY_YES : NOTIFY_NO;
	conf_also_notify_check(c, z.xfr.notify);
	if (!z.max_records_set)
		z.max_records_per_type = cf->max_records_per_type;
	if (!z.max_types_set)
		z.max_types_per_name = cf->max_types_per_name;
	if (ok && conf_find_zone(cf, z.origin) != NULL) {
		ERR(c, st, "zone '%s': already defined", z.name);
		ok = false;
	}
	if (!ok) {
		free(z.name);
		free(z.file);
		acl_free(z.allow_query);
		acl_free(z.allow_transfer);
		conf_remotes_free(&z.primaries);
		conf_xfr_free(&z.xfr);
		conf_update_zone_free(&z);
		conf_dnssec_zone_free(&z);
		return;
	}
	cf->zones = xreallocarray(cf->zones, cf->nzones + 1, sizeof(z));
	cf->zones[cf->nzones++] = z;
}

const struct conf_zone *
conf_find_zone(const struct conf *cf, const uint8_t *origin)
{
	for (unsigned i = 0; i < cf->nzones; i++)
		if (dname_equal(cf->zones[i].origin, origin))
			return &cf->zones[i];
	return NULL;
}

/* ---- top level --------------------------------------------------- */

static void
collect_acls(struct ctx *c)
{
	const struct cfg_block *top = &c->tree->top;
	struct conf *cf = c->conf;

	c->acl_stmt = xcalloc(top->n + 1, sizeof(*c->acl_stmt));
	c->acl_busy = xcalloc(top->n + 1, sizeof(*c->acl_busy));
	cf->acls = xcalloc(top->n + 1, sizeof(*cf->acls));
	for (unsigned i = 0; i < top->n; i++) {
		const struct cfg_stmt *st = &top->s[i];
		if (!conf_is(conf_word(st, 0), "acl"))
			continue;
		if (st->n != 3 || conf_word(st, 1) == NULL ||
		    conf_block_at(st, 2) == NULL) {
			ERR(c, st, "acl: expected acl NAME { ... };");
			continue;
		}
		const char *name = conf_word(st, 1);
		if (conf_is(name, "any") || conf_is(name, "none") ||
		    conf_is(name, "localhost") || conf_is(name, "localnets")) {
			ERR(c, st, "acl '%s': the name is built in", name);
			continue;
		}
		bool dup = false;
		for (unsigned k = 0; k < cf->nacls; k++)
			dup |= conf_is(cf->acls[k].name, name);
		if (dup) {
			ERR(c, st, "acl '%s' is defined twice", name);
			continue;
		}
		c->acl_stmt[cf->nacls] = st;
		cf->acls[cf->nacls].name = xstrdup(name);
		cf->nacls++;
	}
}

/* A view's block, or NULL if st is not a view NAME [CLASS] { }. */
static const struct cfg_block *
view_block(const struct cfg_stmt *st)
{
	if (!conf_is(conf_word(st, 0), "view") || conf_word(st, 1) == NULL)
		return NULL;
	return conf_block_at(st, st->n == 4 ? 3 : 2);
}

/* Whether a view's match-* statements let every client in. */
static bool
view_matches_all(const struct cfg_stmt *o)
{
	const char *w = conf_word(o, 0);

	if (conf_is(w, "match-recursive-only"))
		return conf_word(o, 1) != NULL && (conf_is(conf_word(o, 1),
		    "no") || conf_is(conf_word(o, 1), "false"));
	const struct cfg_block *b = conf_block_at(o, 1);

	return b != NULL && b->n == 1 && b->s[0].n == 1 &&
	    conf_is(conf_word(&b->s[0], 0), "any");
}

/*
 * view NAME [IN] { match-clients { any; }; options...; zones; }: one
 * view that every client sees is served as the configuration without
 * views (its options over the global ones). Several views, or one
 * that picks clients, need split horizon, which apex does not do.
 */
static void
stmt_view(struct ctx *c, const struct cfg_stmt *st, unsigned nviews)
{
	const struct cfg_block *b = view_block(st);
	const char *name = conf_word(st, 1);

	if (b == NULL) {
		ERR(c, st, "view: expected view NAME [IN] { ... };");
		return;
	}
	if (nviews > 1) {
		ERR(c, st, "view '%s': apex serves one view that every client "
		    "sees; several views (split horizon) are not supported: "
		    "run one apex per view", name);
		return;
	}
	free(c->conf->view_name);
	c->conf->view_name = xstrdup(name);
	for (unsigned i = 0; i < b->n; i++) {
		const struct cfg_stmt *o = &b->s[i];
		const char *w = conf_word(o, 0);
		bool match = conf_is(w, "match-clients") ||
		    conf_is(w, "match-destinations") ||
		    conf_is(w, "match-recursive-only");
		if (match && !view_matches_all(o))
			ERR(c, o, "view '%s': %s: apex serves this view to "
			    "every client (split horizon is not supported); "
			    "use { any; }", name, w);
		else if (match)
			continue;
		else if (conf_is(w, "key") || conf_is(w, "zone"))
			continue;	/* keys first, zones last */
		else if (conf_is(w, "server"))
			conf_stmt_server(c, o);
		else if (w != NULL)
			opt_one(c, o);
	}
	conf_also_notify_check(c, c->conf->xfr.notify);
	for (unsigned i = 0; i < b->n; i++)
		if (conf_is(conf_word(&b->s[i], 0), "zone"))
			stmt_zone(c, &b->s[i]);
}

static void
interpret(struct ctx *c)
{
	const struct cfg_block *top = &c->tree->top;

	/* Keys and ACLs first: other statements refer to them by name,
	 * before or after their definition. */
	unsigned nviews = 0;
	for (unsigned i = 0; i < top->n; i++) {
		const struct cfg_block *vb = view_block(&top->s[i]);
		if (conf_is(conf_word(&top->s[i], 0), "key"))
			stmt_key(c, &top->s[i]);
		if (vb == NULL)
			continue;
		nviews++;
		for (unsigned k = 0; k < vb->n; k++)
			if (conf_is(conf_word(&vb->s[k], 0), "key"))
				stmt_key(c, &vb->s[k]);
	}
	for (unsigned i = 0; i < top->n; i++)
		if (conf_is(conf_word(&top->s[i], 0), "primaries") ||
		    conf_is(conf_word(&top->s[i], 0), "masters"))
			conf_stmt_primaries(c, &top->s[i]);
	collect_acls(c);
	for (unsigned i = 0; i < c->conf->nacls; i++)
		(void)named_acl(c, c->acl_stmt[i], c->conf->acls[i].name, 0);
	/* Policies before options and zones, which name them: then the
	 * array no longer moves. */
	for (unsigned i = 0; i < top->n; i++)
		if (conf_is(conf_word(&top->s[i], 0), "dnssec-policy"))
			conf_stmt_dnssec_policy(c, &top->s[i]);
	/* Options before zones: zone files resolve against directory. */
	unsigned nopt = 0, seen_views = 0;
	for (unsigned i = 0; i < top->n; i++)
		if (conf_is(conf_word(&top->s[i], 0), "options")) {
			if (nopt++ > 0)
				ERR(c, &top->s[i], "options: defined twice");
			else {
				stmt_options(c, &top->s[i]);
				conf_also_notify_check(c, c->conf->xfr.notify);
			}
		}
	for (unsigned i = 0; i < top->n; i++) {
		const struct cfg_stmt *st = &top->s[i];
		const char *w = conf_word(st, 0);
		if (w == NULL)
			ERR(c, st, "expected a statement name");
		else if (conf_is(w, "key") || conf_is(w, "acl") ||
		    conf_is(w, "options") || conf_is(w, "primaries") ||
		    conf_is(w, "masters") || conf_is(w, "dnssec-policy"))
			continue;
		else if (conf_is(w, "zone") && nviews > 0)
			ERR(c, st, "when using 'view' statements, all zones "
			    "must be in views");
		else if (conf_is(w, "zone"))
			stmt_zone(c, st);
		else if (conf_is(w, "view"))
			stmt_view(c, st, ++seen_views);
		else if (conf_is(w, "controls"))
			conf_stmt_controls(c, st);
		else if (conf_is(w, "server"))
			conf_stmt_server(c, st);
		else if (conf_is(w, "logging"))
			conf_stmt_logging(c, st);
		else if (conf_is(w, "statistics-channels"))
			conf_stmt_statistics(c, st);
		else if (conf_is(w, "trust-anchors") ||
		    conf_is(w, "managed-keys") ||
		    conf_is(w, "trusted-keys"))
			WARN(c, st, "statement '%s' has no meaning for an "
			    "authoritative-only server; ignored", w);
		else
			ERR(c, st, "unknown or unsupported statement '%s'", w);
	}
}

static struct conf *
conf_new(const char *path)
{
	struct conf *cf = xcalloc(1, sizeof(*cf));

	cf->path = xstrdup(path);
	cf->port = 53;
	cf->version = xstrdup(PACKAGE_STRING);
	{
		char host[256];
		if (gethostname(host, sizeof(host)) != 0)
			host[0] = '\0';
		host[sizeof(host) - 1] = '\0';
		cf->hostname = xstrdup(host);
	}
	cf->edns_udp_size = 1232;
	cf->state_directory = xstrdup(STATEDIR);
	cf->max_udp_size = 1232;
	cf->minimal_responses = MINIMAL_NO_AUTH_RECURSIVE;
	/* BIND 9.18's limits against oversized RRsets and nodes. */
	cf->max_records_per_type = 100;
	cf->max_types_per_name = 100;
	cf->tcp_clients = 150;
	/* Room for a secondary's transfers and a pipelining resolver,
	 * not for one address to take every slot. */
	cf->tcp_clients_per_address = 25;
	cf->tcp_idle_timeout = 30000;
	conf_xfr_defaults(&cf->xfr);
	conf_rrl_defaults(&cf->rrl);
	conf_update_defaults(&cf->update);
	conf_dnssec_defaults(cf);
	cf->transfers_out = 10;
	cf->transfers_in = 10;
	cf->answer_cookie = true;
	cf->provide_ixfr = true;
	/* BIND's defaults: nsupdate -l reads this file. */
	cf->session_keyfile = xstrdup("/run/named/session.key");
	cf->session_keyname = xstrdup("local-ddns");
	cf->session_keyalg = xstrdup("hmac-sha256");
	cf->localhost = acl_localhost();
	cf->localnets = acl_localnets();
	conf_logging_defaults(&cf->logging);
	cf->control.path = xstrdup(CONF_CONTROL_PATH);
	cf->control.perm = 0600;
	return cf;
}

static struct conf *
conf_from_tree(struct cfg_tree *t, const char *path, conf_report_fn *rep,
    void *arg)
{
	struct ctx c = { .conf = conf_new(path), .tree = t, .report = rep,
	    .arg = arg };

	interpret(&c);
	free(c.acl_stmt);
	free(c.acl_busy);
	cfg_tree_free(t);
	if (c.errors > 0) {
		conf_free(c.conf);
		return NULL;
	}
	return c.conf;
}

struct conf *
conf_load(const char *path, conf_report_fn *report, void *arg)
{
	struct cfg_tree *t = cfg_parse_file(path, report, arg);

	return t == NULL ? NULL : conf_from_tree(t, path, report, arg);
}

struct conf *
conf_load_string(const char *text, const char *name, conf_report_fn *report,
    void *arg)
{
	struct cfg_tree *t = cfg_parse_string(text, name, report, arg);

	return t == NULL ? NULL : conf_from_tree(t, name, report, arg);
}

void
conf_wipe_secrets(struct conf *cf, bool keep_control)
{
	if (cf == NULL)
		return;
	for (unsigned i = 0; i < cf->nkeys; i++) {
		bool keep = false;
		for (unsigned j = 0; keep_control && j < cf->control.ninet;
		    j++)
			for (unsigned k = 0; k < cf->control.inet[j].nkeys;
			    k++)
				keep |= cf->control.inet[j].keys[k] == i;
		if (!keep && cf->keys[i].secret != NULL)
			explicit_bzero(cf->keys[i].secret,
			    strlen(cf->keys[i].secret));
	}
	explicit_bzero(cf->cookie_secret, sizeof(cf->cookie_secret));
}

void
conf_free(struct conf *cf)
{
	if (cf == NULL)
		return;
	free(cf->path);
	free(cf->directory);
	free(cf->state_directory);
	free(cf->pid_file);
	for (unsigned i = 0; i < cf->nlisten; i++)
		acl_free(cf->listen[i].acl);
	free(cf->listen);
	for (unsigned i = 0; i < cf->control.ninet; i++) {
		acl_free(cf->control.inet[i].allow);
		free(cf->control.inet[i].keys);
	}
	free(cf->control.inet);
	free(cf->version);
	free(cf->view_name);
	free(cf->session_keyfile);
	free(cf->session_keyname);
	free(cf->session_keyalg);
	free(cf->hostname);
	free(cf->server_id);
	acl_free(cf->allow_query);
	acl_free(cf->allow_transfer);
	acl_free(cf->blackhole);
	conf_servers_free(cf);
	acl_free(cf->rrl.exempt);
	for (unsigned i = 0; i < cf->nacls; i++) {
		free(cf->acls[i].name);
		acl_free(cf->acls[i].acl);
	}
	free(cf->acls);
	for (unsigned i = 0; i < cf->nkeys; i++) {
		free(cf->keys[i].name);
		free(cf->keys[i].algorithm);
		str_free_wipe(cf->keys[i].secret);
	}
	free(cf->keys);
	for (unsigned i = 0; i < cf->nzones; i++) {
		free(cf->zones[i].name);
		free(cf->zones[i].file);
		free(cf->zones[i].journal);
		acl_free(cf->zones[i].allow_query);
		acl_free(cf->zones[i].allow_transfer);
		conf_remotes_free(&cf->zones[i].primaries);
		conf_xfr_free(&cf->zones[i].xfr);
		conf_update_zone_free(&cf->zones[i]);
		conf_dnssec_zone_free(&cf->zones[i]);
	}
	conf_xfr_free(&cf->xfr);
	conf_update_free(&cf->update);
	conf_dnssec_free(cf);
	for (unsigned i = 0; i < cf->nremotes; i++) {
		free(cf->remotes[i].name);
		conf_remotes_free(&cf->remotes[i].list);
	}
	free(cf->remotes);
	free(cf->zones);
	acl_free(cf->localhost);
	acl_free(cf->localnets);
	for (unsigned i = 0; i < cf->logging.nchannels; i++) {
		free(cf->logging.channels[i].name);
		free(cf->logging.channels[i].file);
	}
	free(cf->logging.channels);
	free(cf->control.path);
	for (unsigned i = 0; i < cf->nstats; i++)
		acl_free(cf->stats[i].allow);
	free(cf->stats);
	free(cf);
}
