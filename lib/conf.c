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

#include "conf.h"
#include "error.h"
#include "log.h"
#include "rr.h"

struct ctx {
	struct conf		*conf;
	const struct cfg_tree	*tree;
	conf_report_fn		*report;
	void			*arg;
	unsigned		 errors;
	/* named ACLs: statements, and whether each is being built */
	const struct cfg_stmt	**acl_stmt;
	bool			*acl_busy;
};

static void PRINTF(4, 5)
creport(struct ctx *c, const struct cfg_stmt *st, bool error,
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

#define ERR(c, st, ...)		creport(c, st, true, __VA_ARGS__)
#define WARN(c, st, ...)	creport(c, st, false, __VA_ARGS__)

/* ---- value helpers ----------------------------------------------- */

static const char *
word(const struct cfg_stmt *st, unsigned i)
{
	return i < st->n && st->v[i].block == NULL ? st->v[i].s : NULL;
}

static const struct cfg_block *
block_at(const struct cfg_stmt *st, unsigned i)
{
	return i < st->n ? st->v[i].block : NULL;
}

static bool
is(const char *a, const char *b)
{
	return a != NULL && strcasecmp(a, b) == 0;
}

/* Expects exactly "NAME VALUE;" and returns VALUE. */
static const char *
single(struct ctx *c, const struct cfg_stmt *st)
{
	const char *v = word(st, 1);

	if (v == NULL || st->n != 2) {
		ERR(c, st, "%s: expected one value", st->v[0].s);
		return NULL;
	}
	return v;
}

static int
get_bool(struct ctx *c, const struct cfg_stmt *st, bool *out)
{
	const char *v = single(c, st);

	if (v == NULL)
		return -1;
	if (is(v, "yes") || is(v, "true") || strcmp(v, "1") == 0)
		*out = true;
	else if (is(v, "no") || is(v, "false") || strcmp(v, "0") == 0)
		*out = false;
	else {
		ERR(c, st, "%s: expected yes or no, not '%s'", st->v[0].s, v);
		return -1;
	}
	return 0;
}

static int
parse_uint(const char *s, unsigned long max, unsigned long *out)
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

static int
get_uint(struct ctx *c, const struct cfg_stmt *st, unsigned long min,
    unsigned long max, unsigned long *out)
{
	const char *v = single(c, st);

	if (v == NULL)
		return -1;
	if (parse_uint(v, max, out) != 0 || *out < min) {
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
	const char *v = single(c, st);

	if (v == NULL)
		return false;
	free(*out);
	*out = (!st->v[1].quoted && is(v, "none")) ? NULL : xstrdup(v);
	return true;
}

/* ---- address match lists ----------------------------------------- */

static struct acl	*build_aml(struct ctx *, const struct cfg_stmt *,
			    const struct cfg_block *, unsigned depth);

static const struct acl *
named_acl(struct ctx *c, const struct cfg_stmt *st, const char *name,
    unsigned depth)
{
	struct conf *cf = c->conf;

	for (unsigned i = 0; i < cf->nacls; i++) {
		if (!is(cf->acls[i].name, name))
			continue;
		if (cf->acls[i].acl == NULL) {
			if (c->acl_busy[i] || depth > 32) {
				ERR(c, st, "acl '%s' refers to itself", name);
				return NULL;
			}
			c->acl_busy[i] = true;
			cf->acls[i].acl = build_aml(c, c->acl_stmt[i],
			    block_at(c->acl_stmt[i], 2), depth + 1);
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
	if (is(word(st, 0), "!")) {
		neg = true;
		i = 1;
	}
	const char *w = word(st, i);
	const struct cfg_block *b = block_at(st, i);
	if (b != NULL && st->n == i + 1) {
		e.kind = ACL_NESTED;
		e.owned = build_aml(c, st, b, depth + 1);
		e.nested = e.owned;
		if (e.owned == NULL)
			return -1;
	} else if (is(w, "key") && word(st, i + 1) && st->n == i + 2) {
		e.kind = ACL_KEY;
		e.key = xstrdup(word(st, i + 1));
		bool found = false;
		for (unsigned k = 0; k < c->conf->nkeys; k++)
			found |= is(c->conf->keys[k].name, e.key);
		if (!found)
			WARN(c, st, "key '%s' is not defined", e.key);
	} else if (w != NULL && st->n == i + 1) {
		const struct acl *na;
		if (is(w, "any"))
			e.kind = ACL_ANY;
		else if (is(w, "none"))
			e.kind = ACL_NONE;
		else if (is(w, "localhost") || is(w, "localnets")) {
			e.kind = ACL_NESTED;
			e.nested = is(w, "localhost") ? c->conf->localhost :
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

static struct acl *
build_aml(struct ctx *c, const struct cfg_stmt *st, const struct cfg_block *b,
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
	if (st->n != 2 || block_at(st, 1) == NULL) {
		ERR(c, st, "%s: expected an address match list { ... }",
		    st->v[0].s);
		return;
	}
	acl_free(*out);
	*out = build_aml(c, st, block_at(st, 1), 0);
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
	"session-keyfile", "stale-answer-enable", "stale-cache-enable",
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
		if (is(name, resolver_only[i]))
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

	while (i + 1 < st->n && word(st, i) != NULL) {
		unsigned long v;
		if (is(word(st, i), "port") &&
		    parse_uint(word(st, i + 1), 65535, &v) == 0) {
			l.port = (uint16_t)v;
			i += 2;
		} else if (is(word(st, i), "dscp")) {
			WARN(c, st, "%s: dscp is ignored", st->v[0].s);
			i += 2;
		} else {
			ERR(c, st, "%s: unexpected '%s'", st->v[0].s,
			    word(st, i));
			return;
		}
	}
	if (i + 1 != st->n || block_at(st, i) == NULL) {
		ERR(c, st, "%s: expected [port N] { addresses; }", st->v[0].s);
		return;
	}
	l.acl = build_aml(c, st, block_at(st, i), 0);
	if (l.acl == NULL)
		return;
	cf->listen = xreallocarray(cf->listen, cf->nlisten + 1,
	    sizeof(*cf->listen));
	cf->listen[cf->nlisten++] = l;
}

static void
opt_minimal(struct ctx *c, const struct cfg_stmt *st)
{
	const char *v = single(c, st);
	struct conf *cf = c->conf;

	if (v == NULL)
		return;
	if (is(v, "yes") || is(v, "true"))
		cf->minimal_responses = MINIMAL_YES;
	else if (is(v, "no") || is(v, "false"))
		cf->minimal_responses = MINIMAL_NO;
	else if (is(v, "no-auth"))
		cf->minimal_responses = MINIMAL_NO_AUTH;
	else if (is(v, "no-auth-recursive"))
		cf->minimal_responses = MINIMAL_NO_AUTH_RECURSIVE;
	else
		ERR(c, st, "minimal-responses: expected yes, no, no-auth or "
		    "no-auth-recursive, not '%s'", v);
}

static int
get_notify(struct ctx *c, const struct cfg_stmt *st)
{
	const char *v = single(c, st);

	if (v == NULL)
		return -1;
	if (is(v, "explicit"))
		return NOTIFY_EXPLICIT;
	if (is(v, "yes") || is(v, "true"))
		return NOTIFY_YES;
	if (is(v, "no") || is(v, "false"))
		return NOTIFY_NO;
	ERR(c, st, "notify: expected yes, no or explicit, not '%s'", v);
	return -1;
}

static void
opt_one(struct ctx *c, const struct cfg_stmt *st)
{
	struct conf *cf = c->conf;
	const char *name = word(st, 0);
	unsigned long v;
	bool b;

	if (is(name, "directory")) {
		const char *d = single(c, st);
		if (d != NULL) {
			free(cf->directory);
			cf->directory = xstrdup(d);
		}
	} else if (is(name, "pid-file"))
		get_string_or_none(c, st, &cf->pid_file);
	else if (is(name, "listen-on"))
		opt_listen(c, st, AF_INET);
	else if (is(name, "listen-on-v6"))
		opt_listen(c, st, AF_INET6);
	else if (is(name, "port")) {
		if (get_uint(c, st, 1, 65535, &v) == 0)
			cf->port = (uint16_t)v;
	} else if (is(name, "recursion")) {
		if (get_bool(c, st, &b) == 0 && b)
			ERR(c, st, "recursion yes: apex is an "
			    "authoritative-only server");
	} else if (is(name, "version"))
		get_string_or_none(c, st, &cf->version);
	else if (is(name, "hostname"))
		get_string_or_none(c, st, &cf->hostname);
	else if (is(name, "server-id")) {
		if (get_string_or_none(c, st, &cf->server_id) &&
		    cf->server_id != NULL && !st->v[1].quoted &&
		    is(cf->server_id, "hostname")) {
			char host[256];
			if (gethostname(host, sizeof(host)) != 0)
				host[0] = '\0';
			host[sizeof(host) - 1] = '\0';
			free(cf->server_id);
			cf->server_id = xstrdup(host);
		}
	} else if (is(name, "edns-udp-size")) {
		if (get_uint(c, st, 512, 4096, &v) == 0)
			cf->edns_udp_size = (uint16_t)v;
	} else if (is(name, "max-udp-size")) {
		if (get_uint(c, st, 512, 4096, &v) == 0)
			cf->max_udp_size = (uint16_t)v;
	} else if (is(name, "minimal-responses"))
		opt_minimal(c, st);
	else if (is(name, "minimal-any")) {
		if (get_bool(c, st, &b) == 0)
			cf->minimal_any = b;
	} else if (is(name, "allow-query"))
		get_aml(c, st, &cf->allow_query);
	else if (is(name, "allow-transfer"))
		get_aml(c, st, &cf->allow_transfer);
	else if (is(name, "querylog")) {
		if (get_bool(c, st, &b) == 0)
			cf->querylog = b;
	} else if (is(name, "notify")) {
		int n = get_notify(c, st);
		if (n >= 0)
			cf->notify = n;
	} else if (is(name, "max-records-per-type")) {
		if (get_uint(c, st, 0, UINT32_MAX, &v) == 0)
			cf->max_records_per_type = (unsigned)v;
	} else if (is(name, "max-types-per-name")) {
		if (get_uint(c, st, 0, UINT32_MAX, &v) == 0)
			cf->max_types_per_name = (unsigned)v;
	} else if (is(name, "answer-cookie")) {
		if (get_bool(c, st, &b) == 0)
			cf->answer_cookie = b;
	} else if (is(name, "cookie-secret")) {
		const char *hex = single(c, st);
		if (hex != NULL && parse_hex(hex, cf->cookie_secret,
		    sizeof(cf->cookie_secret)) != 0)
			ERR(c, st, "cookie-secret: expected 32 hexadecimal "
			    "digits (a 128-bit SipHash-2-4 key)");
		else if (hex != NULL)
			cf->cookie_secret_set = true;
	} else if (is(name, "cookie-algorithm")) {
		const char *alg = single(c, st);
		if (alg != NULL && !is(alg, "siphash24"))
			ERR(c, st, "cookie-algorithm: only siphash24 is "
			    "supported");
	} else if (is(name, "tcp-clients")) {
		if (get_uint(c, st, 1, 100000, &v) == 0)
			cf->tcp_clients = (unsigned)v;
	} else if (is(name, "tcp-idle-timeout")) {
		/* BIND counts in units of 100 ms. */
		if (get_uint(c, st, 1, 1200, &v) == 0)
			cf->tcp_idle_timeout = (unsigned)v * 100;
	} else if (is_resolver_only(name))
		WARN(c, st, "option '%s' has no meaning for an "
		    "authoritative-only server; ignored", name);
	else
		ERR(c, st, "unknown or unsupported option '%s'", name);
}

static void
stmt_options(struct ctx *c, const struct cfg_stmt *st)
{
	const struct cfg_block *b = block_at(st, 1);

	if (st->n != 2 || b == NULL) {
		ERR(c, st, "options: expected options { ... };");
		return;
	}
	for (unsigned i = 0; i < b->n; i++) {
		if (word(&b->s[i], 0) == NULL) {
			ERR(c, &b->s[i], "expected an option name");
			continue;
		}
		opt_one(c, &b->s[i]);
	}
}

/* ---- keys -------------------------------------------------------- */

static const char *const tsig_algorithms[] = {
	"hmac-md5", "hmac-md5.sig-alg.reg.int", "hmac-sha1", "hmac-sha224",
	"hmac-sha256", "hmac-sha384", "hmac-sha512",
};

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
	const struct cfg_block *b = block_at(st, 2);
	struct conf_key k = { NULL, NULL, NULL, st->file, st->line };

	if (st->n != 3 || word(st, 1) == NULL || b == NULL) {
		ERR(c, st, "key: expected key NAME { algorithm ...; "
		    "secret ...; };");
		return;
	}
	for (unsigned i = 0; i < b->n; i++) {
		const struct cfg_stmt *o = &b->s[i];
		const char *v = word(o, 0);
		if (is(v, "algorithm") && single(c, o) != NULL) {
			free(k.algorithm);
			k.algorithm = xstrdup(word(o, 1));
		} else if (is(v, "secret") && single(c, o) != NULL) {
			free(k.secret);
			k.secret = xstrdup(word(o, 1));
		} else if (!is(v, "algorithm") && !is(v, "secret"))
			ERR(c, o, "key: unknown option '%s'", v ? v : "{");
	}
	bool ok = true;
	if (k.algorithm == NULL || k.secret == NULL) {
		ERR(c, st, "key '%s': needs an algorithm and a secret",
		    word(st, 1));
		ok = false;
	} else {
		bool known = false;
		for (size_t i = 0; i < nitems(tsig_algorithms); i++)
			known |= is(k.algorithm, tsig_algorithms[i]);
		if (!known) {
			ERR(c, st, "key '%s': unknown algorithm '%s'",
			    word(st, 1), k.algorithm);
			ok = false;
		}
		if (!is_base64(k.secret)) {
			ERR(c, st, "key '%s': secret is not base64",
			    word(st, 1));
			ok = false;
		}
	}
	for (unsigned i = 0; ok && i < c->conf->nkeys; i++)
		if (is(c->conf->keys[i].name, word(st, 1))) {
			ERR(c, st, "key '%s' is defined twice", word(st, 1));
			ok = false;
		}
	if (!ok) {
		free(k.algorithm);
		free(k.secret);
		return;
	}
	k.name = xstrdup(word(st, 1));
	c->conf->keys = xreallocarray(c->conf->keys, c->conf->nkeys + 1,
	    sizeof(k));
	c->conf->keys[c->conf->nkeys++] = k;
}

/* ---- zones ------------------------------------------------------- */

static char *
resolve_path(const struct conf *cf, const char *file)
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
	const char *v = word(o, 0);

	if (is(v, "type")) {
		const char *t = single(c, o);
		*has_type = t != NULL;
		if (t == NULL)
			return;
		if (is(t, "primary") || is(t, "master"))
			z->type = ZONE_PRIMARY;
		else if (is(t, "secondary") || is(t, "slave"))
			z->type = ZONE_SECONDARY;
		else {
			ERR(c, o, "zone '%s': type %s is not supported by an "
			    "authoritative-only server", z->name, t);
			*has_type = false;
		}
	} else if (is(v, "file")) {
		const char *f = single(c, o);
		if (f != NULL) {
			free(z->file);
			z->file = resolve_path(c->conf, f);
		}
	} else if (is(v, "allow-query"))
		get_aml(c, o, &z->allow_query);
	else if (is(v, "allow-transfer"))
		get_aml(c, o, &z->allow_transfer);
	else if (is(v, "notify"))
		z->notify = get_notify(c, o);
	else if (is(v, "max-records-per-type")) {
		unsigned long n;
		if (get_uint(c, o, 0, UINT32_MAX, &n) == 0) {
			z->max_records_per_type = (unsigned)n;
			z->max_records_set = true;
		}
	} else if (is(v, "max-types-per-name")) {
		unsigned long n;
		if (get_uint(c, o, 0, UINT32_MAX, &n) == 0) {
			z->max_types_per_name = (unsigned)n;
			z->max_types_set = true;
		}
	}
	else if (is(v, "check-names") || is(v, "dialup") ||
	    is(v, "zone-statistics"))
		WARN(c, o, "zone '%s': option '%s' is ignored", z->name, v);
	else
		ERR(c, o, "zone '%s': unknown or unsupported option '%s'",
		    z->name, v ? v : "{");
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
	z.notify = -1;
	z.conf_file = st->file;
	z.conf_line = st->line;
	if (word(st, 1) == NULL) {
		ERR(c, st, "zone: expected zone \"NAME\" [class] { ... };");
		return;
	}
	if (st->n == 4 && word(st, 2) != NULL) {
		const char *cl = word(st, 2);
		if (!is(cl, "IN")) {
			ERR(c, st, "zone '%s': class %s is not supported",
			    word(st, 1), cl);
			return;
		}
		bi = 3;
	}
	b = block_at(st, bi);
	if (b == NULL || st->n != bi + 1) {
		ERR(c, st, "zone '%s': expected { ... }", word(st, 1));
		return;
	}
	int len = dname_from_str(word(st, 1), NULL, z.origin);
	if (len < 0) {
		ERR(c, st, "zone '%s': not a valid domain name", word(st, 1));
		return;
	}
	dname_lower(z.origin, z.origin, (size_t)len);
	z.name = xstrdup(word(st, 1));
	for (unsigned i = 0; i < b->n; i++)
		zone_option(c, &b->s[i], &z, &has_type);
	bool ok = true;
	if (!has_type) {
		ERR(c, st, "zone '%s': missing or unsupported type", z.name);
		ok = false;
	} else if (z.file == NULL && z.type == ZONE_PRIMARY) {
		ERR(c, st, "zone '%s': type primary needs a file", z.name);
		ok = false;
	} else if (z.type == ZONE_SECONDARY) {
		ERR(c, st, "zone '%s': type secondary is not implemented yet",
		    z.name);
		ok = false;
	}
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

/* ---- logging ----------------------------------------------------- */

static const struct {
	const char	*name;
	int		 facility;
} facilities[] = {
	{ "kern", LOG_KERN }, { "user", LOG_USER }, { "mail", LOG_MAIL },
	{ "daemon", LOG_DAEMON }, { "auth", LOG_AUTH },
	{ "syslog", LOG_SYSLOG }, { "lpr", LOG_LPR }, { "news", LOG_NEWS },
	{ "uucp", LOG_UUCP }, { "cron", LOG_CRON },
	{ "authpriv", LOG_AUTHPRIV }, { "ftp", LOG_FTP },
	{ "local0", LOG_LOCAL0 }, { "local1", LOG_LOCAL1 },
	{ "local2", LOG_LOCAL2 }, { "local3", LOG_LOCAL3 },
	{ "local4", LOG_LOCAL4 }, { "local5", LOG_LOCAL5 },
	{ "local6", LOG_LOCAL6 }, { "local7", LOG_LOCAL7 },
};

static int
severity_from(const char *s)
{
	if (is(s, "critical") || is(s, "error"))
		return LOG_LEVEL_ERR;
	if (is(s, "warning"))
		return LOG_LEVEL_WARN;
	if (is(s, "notice") || is(s, "info"))
		return LOG_LEVEL_INFO;
	if (is(s, "debug") || is(s, "dynamic"))
		return LOG_LEVEL_DEBUG;
	return -1;
}

static int
parse_size(const char *s, uint64_t *out)
{
	char *end;

	if (is(s, "unlimited") || is(s, "default")) {
		*out = 0;
		return 0;
	}
	if (!isdigit((unsigned char)*s))
		return -1;
	uint64_t v = strtoull(s, &end, 10);
	switch (*end) {
	case 'k': case 'K': v <<= 10; end++; break;
	case 'm': case 'M': v <<= 20; end++; break;
	case 'g': case 'G': v <<= 30; end++; break;
	}
	if (*end != '\0')
		return -1;
	*out = v;
	return 0;
}

/* file "path" [versions N|unlimited] [size S] [suffix increment] */
static void
channel_file(struct ctx *c, const struct cfg_stmt *o, struct conf_channel *ch)
{
	ch->dest = LOGD_FILE;
	free(ch->file);
	ch->file = resolve_path(c->conf, word(o, 1));
	for (unsigned i = 2; i < o->n; i += 2) {
		const char *k = word(o, i), *v = word(o, i + 1);
		unsigned long n;
		if (k == NULL || v == NULL)
			ERR(c, o, "file: expected versions, size or suffix");
		else if (is(k, "versions") && is(v, "unlimited"))
			ch->versions = 1000;
		else if (is(k, "versions") && parse_uint(v, 1000, &n) == 0)
			ch->versions = (unsigned)n;
		else if (is(k, "size") && parse_size(v, &ch->size) == 0)
			;
		else if (is(k, "suffix") && is(v, "increment"))
			;
		else
			ERR(c, o, "file: bad %s '%s'", k, v);
	}
}

static void
channel_option(struct ctx *c, const struct cfg_stmt *o, struct conf_channel *ch,
    bool *dest)
{
	const char *k = word(o, 0);
	bool b;

	if (is(k, "file") && word(o, 1) != NULL) {
		channel_file(c, o, ch);
		*dest = true;
	} else if (is(k, "syslog")) {
		ch->dest = LOGD_SYSLOG;
		ch->facility = LOG_DAEMON;
		*dest = true;
		if (o->n > 2)
			ERR(c, o, "syslog: expected one facility");
		else if (o->n == 2) {
			bool found = false;
			for (size_t i = 0; i < nitems(facilities); i++)
				if (is(word(o, 1), facilities[i].name)) {
					ch->facility = facilities[i].facility;
					found = true;
				}
			if (!found)
				ERR(c, o, "syslog: unknown facility '%s'",
				    word(o, 1) ? word(o, 1) : "{");
		}
	} else if (is(k, "stderr") && o->n == 1) {
		ch->dest = LOGD_STDERR;
		*dest = true;
	} else if (is(k, "null") && o->n == 1) {
		ch->dest = LOGD_NULL;
		*dest = true;
	} else if (is(k, "severity") && o->n >= 2 && o->n <= 3 &&
	    severity_from(word(o, 1)) >= 0)
		ch->severity = severity_from(word(o, 1));
	else if (is(k, "print-time")) {
		if (get_bool(c, o, &b) == 0)
			ch->print_time = b;
	} else if (is(k, "print-category")) {
		if (get_bool(c, o, &b) == 0)
			ch->print_category = b;
	} else if (is(k, "print-severity")) {
		if (get_bool(c, o, &b) == 0)
			ch->print_severity = b;
	} else if (is(k, "buffered")) {
		if (get_bool(c, o, &b) != 0)
			return;
	} else
		ERR(c, o, "channel '%s': unknown or bad option '%s'", ch->name,
		    k ? k : "{");
}

static int
find_channel(const struct conf_logging *l, const char *name)
{
	for (unsigned i = 0; i < l->nchannels; i++)
		if (is(l->channels[i].name, name))
			return (int)i;
	return -1;
}

static void
add_channel(struct conf_logging *l, struct conf_channel *ch)
{
	l->channels = xreallocarray(l->channels, l->nchannels + 1,
	    sizeof(*ch));
	l->channels[l->nchannels++] = *ch;
}

static void
logging_channel(struct ctx *c, const struct cfg_stmt *o)
{
	struct conf_logging *l = &c->conf->logging;
	const struct cfg_block *b = block_at(o, 2);
	struct conf_channel ch;
	bool dest = false;

	if (o->n != 3 || word(o, 1) == NULL || b == NULL) {
		ERR(c, o, "channel: expected channel NAME { ... };");
		return;
	}
	if (find_channel(l, word(o, 1)) >= 0) {
		ERR(c, o, "channel '%s' is defined twice (or predefined)",
		    word(o, 1));
		return;
	}
	memset(&ch, 0, sizeof(ch));
	ch.name = xstrdup(word(o, 1));
	ch.severity = LOG_LEVEL_INFO;
	for (unsigned i = 0; i < b->n; i++)
		channel_option(c, &b->s[i], &ch, &dest);
	if (!dest)
		ERR(c, o, "channel '%s': needs file, syslog, stderr or null",
		    ch.name);
	add_channel(l, &ch);
}

static void
logging_category(struct ctx *c, const struct cfg_stmt *o)
{
	struct conf_logging *l = &c->conf->logging;
	const struct cfg_block *b = block_at(o, 2);
	int cat;

	if (o->n != 3 || word(o, 1) == NULL || b == NULL) {
		ERR(c, o, "category: expected category NAME { channel; };");
		return;
	}
	if ((cat = log_category_from_name(word(o, 1))) < 0) {
		/* BIND has many more; they have nothing to log here. */
		WARN(c, o, "category '%s' is not used by apex; ignored",
		    word(o, 1));
		return;
	}
	for (unsigned i = 0; i < b->n; i++) {
		const char *name = word(&b->s[i], 0);
		int k = name != NULL ? find_channel(l, name) : -1;
		if (k < 0) {
			ERR(c, &b->s[i], "category '%s': unknown channel '%s'",
			    word(o, 1), name ? name : "{");
			continue;
		}
		if (l->ncat[cat] < CONF_MAX_CHANNELS_PER_CATEGORY)
			l->cat[cat][l->ncat[cat]++] = (unsigned)k;
	}
}

static void
logging_defaults(struct conf_logging *l)
{
	struct conf_channel ch;

	memset(&ch, 0, sizeof(ch));
	ch.severity = LOG_LEVEL_INFO;
	ch.name = xstrdup("default_syslog");
	ch.dest = LOGD_SYSLOG;
	ch.facility = LOG_DAEMON;
	add_channel(l, &ch);
	ch.name = xstrdup("default_stderr");
	ch.dest = LOGD_STDERR;
	add_channel(l, &ch);
	ch.name = xstrdup("null");
	ch.dest = LOGD_NULL;
	add_channel(l, &ch);
	/* category default -> default_syslog unless configured */
}

static void
stmt_logging(struct ctx *c, const struct cfg_stmt *st)
{
	const struct cfg_block *b = block_at(st, 1);

	if (st->n != 2 || b == NULL) {
		ERR(c, st, "logging: expected logging { ... };");
		return;
	}
	/* Channels first: categories may name them before they appear. */
	for (unsigned i = 0; i < b->n; i++)
		if (is(word(&b->s[i], 0), "channel"))
			logging_channel(c, &b->s[i]);
	for (unsigned i = 0; i < b->n; i++) {
		const char *w = word(&b->s[i], 0);
		if (is(w, "category"))
			logging_category(c, &b->s[i]);
		else if (!is(w, "channel"))
			ERR(c, &b->s[i], "logging: unknown statement '%s'",
			    w ? w : "{");
	}
}

/* ---- controls and statistics-channels ----------------------------- */

static void
stmt_controls(struct ctx *c, const struct cfg_stmt *st)
{
	const struct cfg_block *b = block_at(st, 1);
	struct conf_control *ctl = &c->conf->control;

	if (st->n != 2 || b == NULL) {
		ERR(c, st, "controls: expected controls { ... };");
		return;
	}
	free(ctl->path);
	ctl->path = NULL;	/* controls { }; turns the channel off */
	for (unsigned i = 0; i < b->n; i++) {
		const struct cfg_stmt *o = &b->s[i];
		const char *w = word(o, 0);
		if (is(w, "inet")) {
			ERR(c, o, "controls: inet channels are not supported; "
			    "use unix \"PATH\"");
			continue;
		}
		if (!is(w, "unix") || word(o, 1) == NULL) {
			ERR(c, o, "controls: expected unix \"PATH\" perm P "
			    "owner U group G;");
			continue;
		}
		free(ctl->path);
		ctl->path = xstrdup(word(o, 1));
		for (unsigned k = 2; k < o->n; k += 2) {
			const char *key = word(o, k), *v = word(o, k + 1);
			unsigned long n;
			char *end;
			if (key == NULL || v == NULL) {
				ERR(c, o, "controls: expected perm, owner, "
				    "group or keys");
				break;
			}
			if (is(key, "perm")) {
				n = strtoul(v, &end, 8);
				if (*end != '\0' || n > 07777)
					ERR(c, o, "controls: bad perm '%s'", v);
				ctl->perm = (unsigned)n;
			} else if (is(key, "owner") &&
			    parse_uint(v, UINT32_MAX, &n) == 0)
				ctl->owner = (unsigned)n;
			else if (is(key, "group") &&
			    parse_uint(v, UINT32_MAX, &n) == 0)
				ctl->group = (unsigned)n;
			else if (is(key, "keys") || is(key, "read-only"))
				WARN(c, o, "controls: '%s' is ignored: access "
				    "is by the socket's owner and group", key);
			else
				ERR(c, o, "controls: bad %s '%s'", key, v);
		}
	}
}

/* statistics-channels { inet ADDR|* [port N|*] [allow { aml }]; }; */
static void
stmt_statistics(struct ctx *c, const struct cfg_stmt *st)
{
	const struct cfg_block *b = block_at(st, 1);
	struct conf *cf = c->conf;

	if (st->n != 2 || b == NULL) {
		ERR(c, st, "statistics-channels: expected { inet ...; };");
		return;
	}
	for (unsigned i = 0; i < b->n; i++) {
		const struct cfg_stmt *o = &b->s[i];
		struct conf_stats_channel sc;
		struct acl_elem e;
		unsigned long port = 80;
		memset(&sc, 0, sizeof(sc));
		if (!is(word(o, 0), "inet") || word(o, 1) == NULL) {
			ERR(c, o, "statistics-channels: expected inet ADDR "
			    "port N allow { ... };");
			continue;
		}
		unsigned k = 2;
		if (is(word(o, k), "port")) {
			if (parse_uint(word(o, k + 1), 65535, &port) != 0)
				ERR(c, o, "statistics-channels: bad port");
			k += 2;
		}
		if (is(word(o, k), "allow")) {
			sc.allow = build_aml(c, o, block_at(o, k + 1), 0);
			k += 2;
		}
		if (k != o->n)
			ERR(c, o, "statistics-channels: unexpected '%s'",
			    word(o, k) ? word(o, k) : "{");
		const char *a = word(o, 1);
		if (strcmp(a, "*") == 0)
			a = "0.0.0.0";
		if (acl_parse_prefix(a, &e) != 0 || (e.family == AF_INET ?
		    e.prefixlen != 32 : e.prefixlen != 128)) {
			ERR(c, o, "statistics-channels: bad address '%s'", a);
			acl_free(sc.allow);
			continue;
		}
		if (e.family == AF_INET) {
			struct sockaddr_in *s = (struct sockaddr_in *)&sc.ss;
			s->sin_family = AF_INET;
			s->sin_port = htons((uint16_t)port);
			memcpy(&s->sin_addr, e.addr, 4);
			sc.len = sizeof(*s);
		} else {
			struct sockaddr_in6 *s = (struct sockaddr_in6 *)&sc.ss;
			s->sin6_family = AF_INET6;
			s->sin6_port = htons((uint16_t)port);
			memcpy(&s->sin6_addr, e.addr, 16);
			sc.len = sizeof(*s);
		}
		cf->stats = xreallocarray(cf->stats, cf->nstats + 1,
		    sizeof(sc));
		cf->stats[cf->nstats++] = sc;
	}
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
		if (!is(word(st, 0), "acl"))
			continue;
		if (st->n != 3 || word(st, 1) == NULL ||
		    block_at(st, 2) == NULL) {
			ERR(c, st, "acl: expected acl NAME { ... };");
			continue;
		}
		const char *name = word(st, 1);
		if (is(name, "any") || is(name, "none") ||
		    is(name, "localhost") || is(name, "localnets")) {
			ERR(c, st, "acl '%s': the name is built in", name);
			continue;
		}
		bool dup = false;
		for (unsigned k = 0; k < cf->nacls; k++)
			dup |= is(cf->acls[k].name, name);
		if (dup) {
			ERR(c, st, "acl '%s' is defined twice", name);
			continue;
		}
		c->acl_stmt[cf->nacls] = st;
		cf->acls[cf->nacls].name = xstrdup(name);
		cf->nacls++;
	}
}

static void
interpret(struct ctx *c)
{
	const struct cfg_block *top = &c->tree->top;

	/* Keys and ACLs first: other statements refer to them by name,
	 * before or after their definition. */
	for (unsigned i = 0; i < top->n; i++)
		if (is(word(&top->s[i], 0), "key"))
			stmt_key(c, &top->s[i]);
	collect_acls(c);
	for (unsigned i = 0; i < c->conf->nacls; i++)
		(void)named_acl(c, c->acl_stmt[i], c->conf->acls[i].name, 0);
	/* Options before zones: zone files resolve against directory. */
	unsigned nopt = 0;
	for (unsigned i = 0; i < top->n; i++)
		if (is(word(&top->s[i], 0), "options")) {
			if (nopt++ > 0)
				ERR(c, &top->s[i], "options: defined twice");
			else
				stmt_options(c, &top->s[i]);
		}
	for (unsigned i = 0; i < top->n; i++) {
		const struct cfg_stmt *st = &top->s[i];
		const char *w = word(st, 0);
		if (w == NULL)
			ERR(c, st, "expected a statement name");
		else if (is(w, "key") || is(w, "acl") || is(w, "options"))
			continue;
		else if (is(w, "zone"))
			stmt_zone(c, st);
		else if (is(w, "controls"))
			stmt_controls(c, st);
		else if (is(w, "logging"))
			stmt_logging(c, st);
		else if (is(w, "statistics-channels"))
			stmt_statistics(c, st);
		else if (is(w, "trust-anchors") || is(w, "managed-keys") ||
		    is(w, "trusted-keys"))
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
	cf->max_udp_size = 1232;
	cf->minimal_responses = MINIMAL_NO_AUTH_RECURSIVE;
	/* BIND 9.18's limits against oversized RRsets and nodes. */
	cf->max_records_per_type = 100;
	cf->max_types_per_name = 100;
	cf->tcp_clients = 150;
	cf->tcp_idle_timeout = 30000;
	cf->notify = NOTIFY_YES;
	cf->answer_cookie = true;
	cf->localhost = acl_localhost();
	cf->localnets = acl_localnets();
	logging_defaults(&cf->logging);
	cf->control.path = xstrdup(CONF_CONTROL_PATH);
	cf->control.perm = 0600;
	return cf;
}

static struct conf *
conf_from_tree(struct cfg_tree *t, const char *path, conf_report_fn *rep,
    void *arg)
{
	struct ctx c = { conf_new(path), t, rep, arg, 0, NULL, NULL };

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
conf_free(struct conf *cf)
{
	if (cf == NULL)
		return;
	free(cf->path);
	free(cf->directory);
	free(cf->pid_file);
	for (unsigned i = 0; i < cf->nlisten; i++)
		acl_free(cf->listen[i].acl);
	free(cf->listen);
	free(cf->version);
	free(cf->hostname);
	free(cf->server_id);
	acl_free(cf->allow_query);
	acl_free(cf->allow_transfer);
	for (unsigned i = 0; i < cf->nacls; i++) {
		free(cf->acls[i].name);
		acl_free(cf->acls[i].acl);
	}
	free(cf->acls);
	for (unsigned i = 0; i < cf->nkeys; i++) {
		free(cf->keys[i].name);
		free(cf->keys[i].algorithm);
		free(cf->keys[i].secret);
	}
	free(cf->keys);
	for (unsigned i = 0; i < cf->nzones; i++) {
		free(cf->zones[i].name);
		free(cf->zones[i].file);
		acl_free(cf->zones[i].allow_query);
		acl_free(cf->zones[i].allow_transfer);
	}
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
