/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * server ADDR[/LEN] { ... }; what apex does differently with one remote
 * server or network, as in BIND: the TSIG key to talk to it with,
 * whether to ask it for or give it IXFR, whether to talk to it at all
 * (bogus), and local addresses for it. The most specific prefix that
 * contains an address applies.
 * Runs in: apex-named parent, apex-xferd, apex-named -C.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <netinet/in.h>

#include "conf_priv.h"

static int
tristate(struct ctx *c, const struct cfg_stmt *o)
{
	bool b;

	return conf_get_bool(c, o, &b) == 0 ? b : -1;
}

static void
server_keys(struct ctx *c, const struct cfg_stmt *o, struct conf_server *sv)
{
	const struct cfg_block *b = conf_block_at(o, 1);
	const char *name = b != NULL && b->n == 1 ?
	    conf_word(&b->s[0], 0) : NULL;

	if (name == NULL) {
		ERR(c, o, "server: keys: expected { KEY; } (one key)");
		return;
	}
	for (unsigned k = 0; k < c->conf->nkeys; k++)
		if (conf_is(c->conf->keys[k].name, name)) {
			free(sv->key);
			sv->key = xstrdup(c->conf->keys[k].name);
			return;
		}
	ERR(c, o, "server: keys: key '%s' is not defined", name);
}

/* One option of a server block. */
static void
server_option(struct ctx *c, const struct cfg_stmt *o, struct conf_server *sv)
{
	const char *w = conf_word(o, 0);
	struct conf_xfr x;
	int v;

	if (conf_is(w, "keys"))
		server_keys(c, o, sv);
	else if (conf_is(w, "request-ixfr")) {
		if ((v = tristate(c, o)) >= 0)
			sv->request_ixfr = v;
	} else if (conf_is(w, "provide-ixfr")) {
		if ((v = tristate(c, o)) >= 0)
			sv->provide_ixfr = v;
	} else if (conf_is(w, "bogus")) {
		if ((v = tristate(c, o)) >= 0)
			sv->bogus = v;
	} else if (conf_is(w, "edns") || conf_is(w, "edns-udp-size") ||
	    conf_is(w, "max-udp-size") || conf_is(w, "edns-version") ||
	    conf_is(w, "padding") || conf_is(w, "tcp-keepalive") ||
	    conf_is(w, "send-cookie")) {
		/* apex's own queries (SOA, transfers, NOTIFY) carry no
		 * EDNS: what these shape is never sent. */
	} else if (conf_is(w, "transfers"))
		WARN(c, o, "server: transfers: apex bounds transfers in with "
		    "transfers-in; ignored");
	else if (conf_is(w, "tcp-only"))
		WARN(c, o, "server: tcp-only: apex asks for the SOA over UDP; "
		    "ignored");
	else if (conf_is(w, "query-source") || conf_is(w, "query-source-v6"))
		WARN(c, o, "server: %s is a resolver's; ignored", w);
	else {
		memset(&x, 0, sizeof(x));
		memcpy(x.xfr_src, sv->xfr_src, sizeof(x.xfr_src));
		memcpy(x.notify_src, sv->notify_src, sizeof(x.notify_src));
		if (!conf_xfr_source_option(c, o, &x))
			ERR(c, o, "server: unknown or unsupported option '%s'",
			    w ? w : "{");
		else if (x.notify_src[0].ss_family || x.notify_src[1].ss_family)
			WARN(c, o, "server: %s: apex sends NOTIFY from the "
			    "zone's notify-source; ignored", w);
		memcpy(sv->xfr_src, x.xfr_src, sizeof(x.xfr_src));
		memcpy(sv->notify_src, x.notify_src, sizeof(x.notify_src));
	}
}

void
conf_stmt_server(struct ctx *c, const struct cfg_stmt *st)
{
	const struct cfg_block *b = conf_block_at(st, 2);
	struct conf *cf = c->conf;
	struct conf_server sv;

	memset(&sv, 0, sizeof(sv));
	sv.request_ixfr = sv.provide_ixfr = sv.bogus = -1;
	if (st->n != 3 || b == NULL || conf_word(st, 1) == NULL ||
	    acl_parse_prefix(conf_word(st, 1), &sv.prefix) != 0) {
		ERR(c, st, "server: expected server ADDRESS[/LENGTH] { ... };");
		return;
	}
	for (unsigned i = 0; i < cf->nservers; i++)
		if (cf->servers[i].prefix.family == sv.prefix.family &&
		    cf->servers[i].prefix.prefixlen == sv.prefix.prefixlen &&
		    memcmp(cf->servers[i].prefix.addr, sv.prefix.addr, 16) ==
		    0) {
			ERR(c, st, "server '%s' is defined twice",
			    conf_word(st, 1));
			return;
		}
	for (unsigned i = 0; i < b->n; i++)
		server_option(c, &b->s[i], &sv);
	cf->servers = xreallocarray(cf->servers, cf->nservers + 1,
	    sizeof(sv));
	cf->servers[cf->nservers++] = sv;
}

static bool
prefix_has(const struct acl_elem *p, const struct sockaddr *sa)
{
	const uint8_t *a;

	if (sa->sa_family != p->family)
		return false;
	a = sa->sa_family == AF_INET ?
	    (const uint8_t *)&((const struct sockaddr_in *)(const void *)sa)->
	    sin_addr : (const uint8_t *)&((const struct sockaddr_in6 *)
	    (const void *)sa)->sin6_addr;
	unsigned full = p->prefixlen / 8, rest = p->prefixlen % 8;
	if (memcmp(a, p->addr, full) != 0)
		return false;
	return rest == 0 || ((a[full] ^ p->addr[full]) &
	    (uint8_t)(0xff << (8 - rest))) == 0;
}

const struct conf_server *
conf_find_server(const struct conf *cf, const struct sockaddr *sa)
{
	const struct conf_server *best = NULL;

	for (unsigned i = 0; i < cf->nservers; i++)
		if (prefix_has(&cf->servers[i].prefix, sa) && (best == NULL ||
		    cf->servers[i].prefix.prefixlen > best->prefix.prefixlen))
			best = &cf->servers[i];
	return best;
}

void
conf_servers_free(struct conf *cf)
{
	for (unsigned i = 0; i < cf->nservers; i++)
		free(cf->servers[i].key);
	free(cf->servers);
}
