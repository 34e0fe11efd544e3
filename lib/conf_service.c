/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * The statements that configure the server itself rather than what it
 * serves: logging (channels and categories), controls (the apex-ctl
 * socket) and statistics-channels (HTTP metrics and health).
 * Runs in: apex-named parent, apex-named -C.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <syslog.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "conf_priv.h"
#include "error.h"
#include "log.h"

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
	if (conf_is(s, "critical") || conf_is(s, "error"))
		return LOG_LEVEL_ERR;
	if (conf_is(s, "warning"))
		return LOG_LEVEL_WARN;
	if (conf_is(s, "notice") || conf_is(s, "info"))
		return LOG_LEVEL_INFO;
	if (conf_is(s, "debug") || conf_is(s, "dynamic"))
		return LOG_LEVEL_DEBUG;
	return -1;
}

static int
parse_size(const char *s, uint64_t *out)
{
	char *end;

	if (conf_is(s, "unlimited") || conf_is(s, "default")) {
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
	ch->file = conf_resolve_path(c->conf, conf_word(o, 1));
	for (unsigned i = 2; i < o->n; i += 2) {
		const char *k = conf_word(o, i), *v = conf_word(o, i + 1);
		unsigned long n;
		if (k == NULL || v == NULL)
			ERR(c, o, "file: expected versions, size or suffix");
		else if (conf_is(k, "versions") && conf_is(v, "unlimited"))
			ch->versions = 1000;
		else if (conf_is(k, "versions") &&
		    conf_parse_uint(v, 1000, &n) == 0)
			ch->versions = (unsigned)n;
		else if (conf_is(k, "size") && parse_size(v, &ch->size) == 0)
			;
		else if (conf_is(k, "suffix") && conf_is(v, "increment"))
			;
		else
			ERR(c, o, "file: bad %s '%s'", k, v);
	}
}

static void
channel_option(struct ctx *c, const struct cfg_stmt *o, struct conf_channel *ch,
    bool *dest)
{
	const char *k = conf_word(o, 0);
	bool b;

	if (conf_is(k, "file") && conf_word(o, 1) != NULL) {
		channel_file(c, o, ch);
		*dest = true;
	} else if (conf_is(k, "syslog")) {
		ch->dest = LOGD_SYSLOG;
		ch->facility = LOG_DAEMON;
		*dest = true;
		if (o->n > 2)
			ERR(c, o, "syslog: expected one facility");
		else if (o->n == 2) {
			bool found = false;
			for (size_t i = 0; i < nitems(facilities); i++)
				if (conf_is(conf_word(o, 1),
				    facilities[i].name)) {
					ch->facility = facilities[i].facility;
					found = true;
				}
			if (!found)
				ERR(c, o, "syslog: unknown facility '%s'",
				    conf_word(o, 1) ? conf_word(o, 1) : "{");
		}
	} else if (conf_is(k, "stderr") && o->n == 1) {
		ch->dest = LOGD_STDERR;
		*dest = true;
	} else if (conf_is(k, "null") && o->n == 1) {
		ch->dest = LOGD_NULL;
		*dest = true;
	} else if (conf_is(k, "severity") && o->n >= 2 && o->n <= 3 &&
	    severity_from(conf_word(o, 1)) >= 0)
		ch->severity = severity_from(conf_word(o, 1));
	else if (conf_is(k, "print-time")) {
		if (conf_get_bool(c, o, &b) == 0)
			ch->print_time = b;
	} else if (conf_is(k, "print-category")) {
		if (conf_get_bool(c, o, &b) == 0)
			ch->print_category = b;
	} else if (conf_is(k, "print-severity")) {
		if (conf_get_bool(c, o, &b) == 0)
			ch->print_severity = b;
	} else if (conf_is(k, "buffered")) {
		if (conf_get_bool(c, o, &b) != 0)
			return;
	} else
		ERR(c, o, "channel '%s': unknown or bad option '%s'", ch->name,
		    k ? k : "{");
}

static int
find_channel(const struct conf_logging *l, const char *name)
{
	for (unsigned i = 0; i < l->nchannels; i++)
		if (conf_is(l->channels[i].name, name))
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
	const struct cfg_block *b = conf_block_at(o, 2);
	struct conf_channel ch;
	bool dest = false;

	if (o->n != 3 || conf_word(o, 1) == NULL || b == NULL) {
		ERR(c, o, "channel: expected channel NAME { ... };");
		return;
	}
	if (find_channel(l, conf_word(o, 1)) >= 0) {
		ERR(c, o, "channel '%s' is defined twice (or predefined)",
		    conf_word(o, 1));
		return;
	}
	memset(&ch, 0, sizeof(ch));
	ch.name = xstrdup(conf_word(o, 1));
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
	const struct cfg_block *b = conf_block_at(o, 2);
	int cat;

	if (o->n != 3 || conf_word(o, 1) == NULL || b == NULL) {
		ERR(c, o, "category: expected category NAME { channel; };");
		return;
	}
	if ((cat = log_category_from_name(conf_word(o, 1))) < 0) {
		/* BIND has many more; they have nothing to log here. */
		WARN(c, o, "category '%s' is not used by apex; ignored",
		    conf_word(o, 1));
		return;
	}
	for (unsigned i = 0; i < b->n; i++) {
		const char *name = conf_word(&b->s[i], 0);
		int k = name != NULL ? find_channel(l, name) : -1;
		if (k < 0) {
			ERR(c, &b->s[i], "category '%s': unknown channel '%s'",
			    conf_word(o, 1), name ? name : "{");
			continue;
		}
		if (l->ncat[cat] < CONF_MAX_CHANNELS_PER_CATEGORY)
			l->cat[cat][l->ncat[cat]++] = (unsigned)k;
	}
}

void
conf_logging_defaults(struct conf_logging *l)
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
	/* BIND writes default_debug (named.run) only at a debug level
	 * above 0; apex's debug output goes to stderr with -d. */
	ch.name = xstrdup("default_debug");
	add_channel(l, &ch);
	/* category default -> default_syslog unless configured */
}

void
conf_stmt_logging(struct ctx *c, const struct cfg_stmt *st)
{
	const struct cfg_block *b = conf_block_at(st, 1);

	if (st->n != 2 || b == NULL) {
		ERR(c, st, "logging: expected logging { ... };");
		return;
	}
	/* Channels first: categories may name them before they appear. */
	for (unsigned i = 0; i < b->n; i++)
		if (conf_is(conf_word(&b->s[i], 0), "channel"))
			logging_channel(c, &b->s[i]);
	for (unsigned i = 0; i < b->n; i++) {
		const char *w = conf_word(&b->s[i], 0);
		if (conf_is(w, "category"))
			logging_category(c, &b->s[i]);
		else if (!conf_is(w, "channel"))
			ERR(c, &b->s[i], "logging: unknown statement '%s'",
			    w ? w : "{");
	}
}

/* ---- controls and statistics-channels ----------------------------- */

/* ADDR or "*" and a port as a socket address. Returns: 0 or -1. */
static int
channel_addr(const char *a, unsigned long port, struct sockaddr_storage *ss,
    socklen_t *len)
{
	struct acl_elem e;

	memset(ss, 0, sizeof(*ss));
	if (strcmp(a, "*") == 0)
		a = "0.0.0.0";
	if (acl_parse_prefix(a, &e) != 0 || (e.family == AF_INET ?
	    e.prefixlen != 32 : e.prefixlen != 128))
		return -1;
	*len = conf_sockaddr(e.family, e.addr, (uint16_t)port, ss);
	return 0;
}

/* The keys { K; ... } of an rndc channel: each a key statement's name
 * with an HMAC algorithm rndc knows. */
static void
rndc_keys(struct ctx *c, const struct cfg_stmt *o, const struct cfg_block *b,
    struct conf_rndc_channel *rc)
{
	struct conf *cf = c->conf;

	rc->keys = xcalloc(b->n + 1, sizeof(*rc->keys));
	for (unsigned i = 0; i < b->n; i++) {
		const char *name = conf_word(&b->s[i], 0);
		unsigned k;
		for (k = 0; name != NULL && k < cf->nkeys; k++)
			if (strcasecmp(cf->keys[k].name, name) == 0)
				break;
		if (name == NULL || k == cf->nkeys) {
			ERR(c, o, "controls: unknown key '%s'",
			    name ? name : "{");
			continue;
		}
		if (strncasecmp(cf->keys[k].algorithm, "hmac-", 5) != 0) {
			ERR(c, o, "controls: key '%s': rndc needs an HMAC "
			    "algorithm", name);
			continue;
		}
		rc->keys[rc->nkeys++] = k;
	}
}

/* inet ADDR|* [port N|*] allow { aml } [keys { K; }] [read-only B]; */
static void
controls_inet(struct ctx *c, const struct cfg_stmt *o)
{
	struct conf_control *ctl = &c->conf->control;
	struct conf_rndc_channel rc;
	unsigned long port = 953;
	bool have_allow = false;
	unsigned k = 2;

	memset(&rc, 0, sizeof(rc));
	if (conf_word(o, 1) == NULL) {
		ERR(c, o, "controls: expected inet ADDR [port N] allow "
		    "{ ... } keys { ... };");
		return;
	}
	while (k < o->n) {
		const char *w = conf_word(o, k);
		const struct cfg_block *b = conf_block_at(o, k + 1);
		const char *v = conf_word(o, k + 1);
		if (conf_is(w, "port") && v != NULL) {
			if (strcmp(v, "*") != 0 &&
			    conf_parse_uint(v, 65535, &port) != 0)
				ERR(c, o, "controls: bad port '%s'", v);
		} else if (conf_is(w, "allow") && b != NULL) {
			acl_free(rc.allow);
			rc.allow = conf_build_aml(c, o, b, 0);
			have_allow = true;
		} else if (conf_is(w, "keys") && b != NULL) {
			free(rc.keys);
			rc.nkeys = 0;
			rndc_keys(c, o, b, &rc);
		} else if (conf_is(w, "read-only") && v != NULL) {
			rc.read_only = conf_is(v, "yes") || conf_is(v, "true")
			    || strcmp(v, "1") == 0;
			if (!rc.read_only && !conf_is(v, "no") &&
			    !conf_is(v, "false") && strcmp(v, "0") != 0)
				ERR(c, o, "controls: read-only: expected yes "
				    "or no, not '%s'", v);
		} else {
			ERR(c, o, "controls: unexpected '%s'", w ? w : "{");
			break;
		}
		k += 2;
	}
	if (!have_allow)
		ERR(c, o, "controls: inet needs allow { ... }");
	if (channel_addr(conf_word(o, 1), port, &rc.ss, &rc.len) != 0)
		ERR(c, o, "controls: bad address '%s'", conf_word(o, 1));
	else if (rc.keys == NULL)
		/* BIND falls back to its rndc.key file; apex reads no key
		 * it was not given. */
		WARN(c, o, "controls: inet %s has no keys { ... }: apex "
		    "does not read BIND's automatic rndc.key, so this "
		    "channel is off; name the key (include \"rndc.key\" "
		    "and keys { \"rndc-key\"; })", conf_word(o, 1));
	if (rc.keys == NULL || rc.nkeys == 0 || rc.len == 0) {
		acl_free(rc.allow);
		free(rc.keys);
		return;
	}
	ctl->inet = xreallocarray(ctl->inet, ctl->ninet + 1, sizeof(rc));
	ctl->inet[ctl->ninet++] = rc;
}

void
conf_stmt_controls(struct ctx *c, const struct cfg_stmt *st)
{
	const struct cfg_block *b = conf_block_at(st, 1);
	struct conf_control *ctl = &c->conf->control;

	if (st->n != 2 || b == NULL) {
		ERR(c, st, "controls: expected controls { ... };");
		return;
	}
	/* controls { }; turns every channel off, as in BIND; inet
	 * channels alone leave apex-ctl's socket where it was. */
	if (b->n == 0) {
		free(ctl->path);
		ctl->path = NULL;
	}
	for (unsigned i = 0; i < b->n; i++) {
		const struct cfg_stmt *o = &b->s[i];
		const char *w = conf_word(o, 0);
		if (conf_is(w, "inet")) {
			controls_inet(c, o);
			continue;
		}
		if (!conf_is(w, "unix") || conf_word(o, 1) == NULL) {
			ERR(c, o, "controls: expected unix \"PATH\" perm P "
			    "owner U group G;");
			continue;
		}
		free(ctl->path);
		ctl->path = xstrdup(conf_word(o, 1));
		for (unsigned k = 2; k < o->n; k += 2) {
			const char *key = conf_word(o, k);
			const char *v = conf_word(o, k + 1);
			unsigned long n;
			char *end;
			if (key == NULL || v == NULL) {
				ERR(c, o, "controls: expected perm, owner, "
				    "group or keys");
				break;
			}
			if (conf_is(key, "perm")) {
				n = strtoul(v, &end, 8);
				if (*end != '\0' || n > 07777)
					ERR(c, o, "controls: bad perm '%s'", v);
				ctl->perm = (unsigned)n;
			} else if (conf_is(key, "owner") &&
			    conf_parse_uint(v, UINT32_MAX, &n) == 0)
				ctl->owner = (unsigned)n;
			else if (conf_is(key, "group") &&
			    conf_parse_uint(v, UINT32_MAX, &n) == 0)
				ctl->group = (unsigned)n;
			else if (conf_is(key, "keys") ||
			    conf_is(key, "read-only"))
				WARN(c, o, "controls: '%s' is ignored: access "
				    "is by the socket's owner and group", key);
			else
				ERR(c, o, "controls: bad %s '%s'", key, v);
		}
	}
}

/* statistics-channels { inet ADDR|* [port N|*] [allow { aml }]; }; */
void
conf_stmt_statistics(struct ctx *c, const struct cfg_stmt *st)
{
	const struct cfg_block *b = conf_block_at(st, 1);
	struct conf *cf = c->conf;

	if (st->n != 2 || b == NULL) {
		ERR(c, st, "statistics-channels: expected { inet ...; };");
		return;
	}
	for (unsigned i = 0; i < b->n; i++) {
		const struct cfg_stmt *o = &b->s[i];
		struct conf_stats_channel sc;
		unsigned long port = 80;
		memset(&sc, 0, sizeof(sc));
		if (!conf_is(conf_word(o, 0), "inet") ||
		    conf_word(o, 1) == NULL) {
			ERR(c, o, "statistics-channels: expected inet ADDR "
			    "port N allow { ... };");
			continue;
		}
		unsigned k = 2;
		if (conf_is(conf_word(o, k), "port")) {
			if (conf_parse_uint(conf_word(o, k + 1), 65535,
			    &port) != 0)
				ERR(c, o, "statistics-channels: bad port");
			k += 2;
		}
		if (conf_is(conf_word(o, k), "allow")) {
			sc.allow = conf_build_aml(c, o,
			    conf_block_at(o, k + 1), 0);
			k += 2;
		}
		if (k != o->n)
			ERR(c, o, "statistics-channels: unexpected '%s'",
			    conf_word(o, k) ? conf_word(o, k) : "{");
		if (channel_addr(conf_word(o, 1), port, &sc.ss,
		    &sc.len) != 0) {
			ERR(c, o, "statistics-channels: bad address '%s'",
			    conf_word(o, 1));
			acl_free(sc.allow);
			continue;
		}
		cf->stats = xreallocarray(cf->stats, cf->nstats + 1,
		    sizeof(sc));
		cf->stats[cf->nstats++] = sc;
	}
}
