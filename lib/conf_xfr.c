/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * Zone transfer configuration: primaries lists (named ones too),
 * also-notify, allow-notify, and the limits and timers of transfers and
 * refreshes, as options (defaults) and per zone.
 * Runs in: apex-named parent, apex-xferd, apex-named -C.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "conf_priv.h"
#include "error.h"

/* Bits of conf_xfr.set */
enum {
	XS_NOTIFY = 0x001,
	XS_ALSO = 0x002,
	XS_ALLOW = 0x004,
	XS_JOURNAL = 0x008,
	XS_RECORDS = 0x010,
	XS_TIME_IN = 0x020,
	XS_IDLE_IN = 0x040,
	XS_MINREF = 0x080,
	XS_MAXREF = 0x100,
	XS_MINRET = 0x200,
	XS_MAXRET = 0x400,
	XS_XSRC4 = 0x800,
	XS_XSRC6 = 0x1000,
	XS_NSRC4 = 0x2000,
	XS_NSRC6 = 0x4000,
	XS_REQIXFR = 0x8000,
	XS_TOSOA = 0x10000,
};

void
conf_xfr_defaults(struct conf_xfr *x)
{
	memset(x, 0, sizeof(*x));
	/* BIND 9.18's defaults. */
	x->notify = NOTIFY_YES;
	x->request_ixfr = true;
	x->max_journal_size = (uint64_t)2 << 30;
	x->max_transfer_time_in = 120 * 60;
	x->max_transfer_idle_in = 60 * 60;
	x->min_refresh = 300;
	x->max_refresh = 4 * 7 * 86400;
	x->min_retry = 500;
	x->max_retry = 2 * 7 * 86400;
}

/* What the zone does not set comes from the options (borrowed). */
void
conf_xfr_inherit(struct conf_xfr *z, const struct conf_xfr *o)
{
	if (!(z->set & XS_NOTIFY))
		z->notify = o->notify;
	if (!(z->set & XS_ALSO))
		z->also_notify = o->also_notify;
	if (!(z->set & XS_ALLOW))
		z->allow_notify = o->allow_notify;
	if (!(z->set & XS_JOURNAL))
		z->max_journal_size = o->max_journal_size;
	if (!(z->set & XS_RECORDS))
		z->max_records = o->max_records;
	if (!(z->set & XS_TIME_IN))
		z->max_transfer_time_in = o->max_transfer_time_in;
	if (!(z->set & XS_IDLE_IN))
		z->max_transfer_idle_in = o->max_transfer_idle_in;
	if (!(z->set & XS_MINREF))
		z->min_refresh = o->min_refresh;
	if (!(z->set & XS_MAXREF))
		z->max_refresh = o->max_refresh;
	if (!(z->set & XS_MINRET))
		z->min_retry = o->min_retry;
	if (!(z->set & XS_MAXRET))
		z->max_retry = o->max_retry;
	if (!(z->set & XS_XSRC4))
		z->xfr_src[0] = o->xfr_src[0];
	if (!(z->set & XS_XSRC6))
		z->xfr_src[1] = o->xfr_src[1];
	if (!(z->set & XS_NSRC4))
		z->notify_src[0] = o->notify_src[0];
	if (!(z->set & XS_NSRC6))
		z->notify_src[1] = o->notify_src[1];
	if (!(z->set & XS_REQIXFR))
		z->request_ixfr = o->request_ixfr;
	if (!(z->set & XS_TOSOA))
		z->notify_to_soa = o->notify_to_soa;
}

const struct sockaddr_storage *
conf_xfr_source(const struct conf *cf, const struct conf_xfr *x,
    const struct conf_remote *r, int af)
{
	if (r != NULL && r->src.ss_family == af)
		return &r->src;
	const struct sockaddr_storage *s;
	if (cf != NULL && r != NULL) {
		const struct conf_server *sv = conf_find_server(cf,
		    (const struct sockaddr *)&r->ss);
		s = sv != NULL ? &sv->xfr_src[af == AF_INET6] : NULL;
		if (s != NULL && s->ss_family == af)
			return s;
	}
	s = &x->xfr_src[af == AF_INET6];
	return s->ss_family == af ? s : NULL;
}

void
conf_remotes_free(struct conf_remotes *r)
{
	for (unsigned i = 0; i < r->n; i++)
		free(r->r[i].key);
	free(r->r);
	r->r = NULL;
	r->n = 0;
}

/* Frees only what this zone (or the options) set themselves. */
void
conf_xfr_free(struct conf_xfr *x)
{
	if (x->set & XS_ALSO)
		conf_remotes_free(&x->also_notify);
	if (x->set & XS_ALLOW)
		acl_free(x->allow_notify);
}

socklen_t
conf_sockaddr(int af, const uint8_t *addr, uint16_t port,
    struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (af == AF_INET) {
		struct sockaddr_in *s = (struct sockaddr_in *)ss;
		s->sin_family = AF_INET;
		s->sin_port = htons(port);
		memcpy(&s->sin_addr, addr, 4);
		return sizeof(*s);
	}
	struct sockaddr_in6 *s = (struct sockaddr_in6 *)ss;
	s->sin6_family = AF_INET6;
	s->sin6_port = htons(port);
	memcpy(&s->sin6_addr, addr, 16);
	return sizeof(*s);
}

static void
remote_add(struct conf_remotes *r, const struct conf_remote *x)
{
	r->r = xreallocarray(r->r, r->n + 1, sizeof(*r->r));
	r->r[r->n] = *x;
	if (x->key != NULL)
		r->r[r->n].key = xstrdup(x->key);
	r->n++;
}

static const struct conf_named_remotes *
find_list(const struct conf *cf, const char *name)
{
	for (unsigned i = 0; i < cf->nremotes; i++)
		if (conf_is(cf->remotes[i].name, name))
			return &cf->remotes[i];
	return NULL;
}

/* One element: ADDR [port N] [key K], or the name of a list. */
static void
remote_element(struct ctx *c, const struct cfg_stmt *o, uint16_t port,
    struct conf_remotes *out, unsigned depth)
{
	struct conf_remote r;
	struct acl_elem e;
	const char *a = conf_word(o, 0);
	unsigned long v;

	memset(&r, 0, sizeof(r));
	const struct conf_named_remotes *list = a ? find_list(c->conf, a) :
	    NULL;
	if (list != NULL && o->n == 1) {
		if (depth > 8) {
			ERR(c, o, "primaries list '%s' refers to itself", a);
			return;
		}
		for (unsigned i = 0; i < list->list.n; i++)
			remote_add(out, &list->list.r[i]);
		return;
	}
	if (a == NULL || acl_parse_prefix(a, &e) != 0 ||
	    e.prefixlen != (e.family == AF_INET ? 32 : 128)) {
		if (c->in_also) {
			if (c->bad_also == NULL) {
				c->bad_also = o;
				snprintf(c->bad_also_word,
				    sizeof(c->bad_also_word), "%s",
				    a ? a : "{");
			}
			return;
		}
		ERR(c, o, "'%s' is not an address or a primaries list",
		    a ? a : "{");
		return;
	}
	for (unsigned i = 1; i < o->n; i += 2) {
		const char *k = conf_word(o, i), *val = conf_word(o, i + 1);
		if (conf_is(k, "port") && conf_parse_uint(val, 65535, &v) == 0)
			port = (uint16_t)v;
		else if (conf_is(k, "key") && val != NULL)
			r.key = (char *)val;
		else {
			ERR(c, o, "after the address: expected port N or "
			    "key NAME");
			return;
		}
	}
	if (r.key != NULL) {
		bool found = false;
		for (unsigned k = 0; k < c->conf->nkeys; k++)
			found |= conf_is(c->conf->keys[k].name, r.key);
		if (!found) {
			ERR(c, o, "key '%s' is not defined", r.key);
			return;
		}
	}
	r.len = conf_sockaddr(e.family, e.addr, port, &r.ss);
	remote_add(out, &r);
}

/*
 * ADDR|* [port N|*] at words i, i+1, i+2 of st, of family af, into *ss
 * (family 0 if both are "*"). *next is the first word after them.
 * Returns: 0, or -1 (reported).
 */
static int
parse_source(struct ctx *c, const struct cfg_stmt *st, unsigned i, int af,
    struct sockaddr_storage *ss, unsigned *next)
{
	const char *a = conf_word(st, i), *what = st->v[0].s;
	unsigned long port = 0;
	struct acl_elem e;

	memset(ss, 0, sizeof(*ss));
	memset(&e, 0, sizeof(e));
	e.family = (uint8_t)af;
	bool any = a != NULL && strcmp(a, "*") == 0;
	if (a == NULL || (!any && (acl_parse_prefix(a, &e) != 0 ||
	    e.family != af || e.prefixlen != (af == AF_INET ? 32 : 128)))) {
		ERR(c, st, "%s: expected an IPv%c address or *", what,
		    af == AF_INET ? '4' : '6');
		return -1;
	}
	i++;
	if (conf_is(conf_word(st, i), "port")) {
		const char *p = conf_word(st, i + 1);
		if (p == NULL || (strcmp(p, "*") != 0 &&
		    conf_parse_uint(p, 65535, &port) != 0)) {
			ERR(c, st, "%s: bad port", what);
			return -1;
		}
		i += 2;
	}
	*next = i;
	if (any && port == 0)
		return 0;	/* any address, any port: the default */
	if (port != 0 && port < 1024)
		WARN(c, st, "%s: port %lu: apex-xferd runs unprivileged and "
		    "cannot bind it; the transfer or NOTIFY will fail", what,
		    port);
	(void)conf_sockaddr(af, e.addr, (uint16_t)port, ss);
	return 0;
}

/* transfer-source[-v6] and notify-source[-v6]: ADDR|* [port N|*]
 * [dscp N]. Returns: true if st is one of them. */
bool
conf_xfr_source_option(struct ctx *c, const struct cfg_stmt *st,
    struct conf_xfr *x)
{
	static const struct {
		const char	*name;
		int		 af;
		bool		 notify;
		unsigned	 bit;
	} opts[] = {
		{ "transfer-source", AF_INET, false, XS_XSRC4 },
		{ "transfer-source-v6", AF_INET6, false, XS_XSRC6 },
		{ "notify-source", AF_INET, true, XS_NSRC4 },
		{ "notify-source-v6", AF_INET6, true, XS_NSRC6 },
	};
	const char *name = conf_word(st, 0);
	unsigned next;

	for (size_t k = 0; k < nitems(opts); k++) {
		if (!conf_is(name, opts[k].name))
			continue;
		struct sockaddr_storage *ss = opts[k].notify ?
		    &x->notify_src[opts[k].af == AF_INET6] :
		    &x->xfr_src[opts[k].af == AF_INET6];
		if (parse_source(c, st, 1, opts[k].af, ss, &next) != 0)
			return true;
		if (conf_is(conf_word(st, next), "dscp") &&
		    conf_word(st, next + 1) != NULL) {
			WARN(c, st, "%s: dscp is obsolete (BIND 9.18 ignores "
			    "it too); ignored", name);
			next += 2;
		}
		if (next != st->n)
			ERR(c, st, "%s: expected ADDR|* [port N|*]", name);
		x->set |= opts[k].bit;
		return true;
	}
	if (conf_is(name, "alt-transfer-source") ||
	    conf_is(name, "alt-transfer-source-v6") ||
	    conf_is(name, "use-alt-transfer-source")) {
		WARN(c, st, "%s is obsolete (removed from BIND 9.20); ignored: "
		    "list the primaries with their source instead", name);
		return true;
	}
	return false;
}

/*
 * NAME [port N] [source ADDR|* [port N|*]] [source-v6 ...] { element;
 * ... }: the value of primaries, masters and also-notify statements,
 * from value index first on.
 */
int
conf_parse_remotes(struct ctx *c, const struct cfg_stmt *st, unsigned first,
    struct conf_remotes *out)
{
	uint16_t port = 53;
	unsigned long v;
	unsigned i = first;

	struct sockaddr_storage src[2];
	memset(src, 0, sizeof(src));
	for (;;) {
		const char *w = conf_word(st, i);
		if (conf_is(w, "port")) {
			if (conf_parse_uint(conf_word(st, i + 1), 65535,
			    &v) != 0) {
				ERR(c, st, "%s: bad port", st->v[0].s);
				return -1;
			}
			port = (uint16_t)v;
			i += 2;
		} else if (conf_is(w, "source") || conf_is(w, "source-v6")) {
			bool v6 = conf_is(w, "source-v6");
			if (parse_source(c, st, i + 1, v6 ? AF_INET6 : AF_INET,
			    &src[v6], &i) != 0)
				return -1;
		} else
			break;
	}
	if ((src[0].ss_family || src[1].ss_family) &&
	    conf_is(st->v[0].s, "also-notify"))
		WARN(c, st, "also-notify: source is not used for NOTIFY; "
		    "notify-source and notify-source-v6 are");
	const struct cfg_block *b = conf_block_at(st, i);
	if (b == NULL || st->n != i + 1) {
		ERR(c, st, "%s: expected [port N] { address [port N] "
		    "[key NAME]; ... }", st->v[0].s ? st->v[0].s : "{");
		return -1;
	}
	unsigned errors = c->errors, from = out->n;
	for (unsigned k = 0; k < b->n; k++)
		remote_element(c, &b->s[k], port, out, 0);
	/* The list's source is for its own elements; a named list inside
	 * keeps its own. */
	for (unsigned k = from; k < out->n; k++) {
		int af = out->r[k].ss.ss_family;
		if (out->r[k].src.ss_family == 0 &&
		    src[af == AF_INET6].ss_family == af)
			out->r[k].src = src[af == AF_INET6];
	}
	return c->errors == errors ? 0 : -1;
}

void
conf_also_notify_check(struct ctx *c, int notify)
{
	if (c->bad_also == NULL)
		return;
	if (notify == NOTIFY_NO)
		WARN(c, c->bad_also, "also-notify: '%s' is not an address or a "
		    "primaries list (unused: notify is off)", c->bad_also_word);
	else
		ERR(c, c->bad_also, "'%s' is not an address or a primaries "
		    "list", c->bad_also_word);
	c->bad_also = NULL;
}

/* primaries NAME [port N] { ... }; at the top level. */
void
conf_stmt_primaries(struct ctx *c, const struct cfg_stmt *st)
{
	struct conf *cf = c->conf;
	struct conf_named_remotes nr;

	memset(&nr, 0, sizeof(nr));
	if (conf_word(st, 1) == NULL) {
		ERR(c, st, "%s: expected a name", st->v[0].s);
		return;
	}
	if (find_list(cf, conf_word(st, 1)) != NULL) {
		ERR(c, st, "primaries list '%s' is defined twice",
		    conf_word(st, 1));
		return;
	}
	if (conf_parse_remotes(c, st, 2, &nr.list) != 0) {
		conf_remotes_free(&nr.list);
		return;
	}
	nr.name = xstrdup(conf_word(st, 1));
	cf->remotes = xreallocarray(cf->remotes, cf->nremotes + 1,
	    sizeof(nr));
	cf->remotes[cf->nremotes++] = nr;
}

static int
parse_minutes(struct ctx *c, const struct cfg_stmt *st, uint32_t *out)
{
	unsigned long v;

	if (conf_get_uint(c, st, 1, 28 * 24 * 60, &v) != 0)
		return -1;
	*out = (uint32_t)v * 60;
	return 0;
}

static int
parse_journal_size(struct ctx *c, const struct cfg_stmt *st, uint64_t *out)
{
	const char *v = conf_single(c, st);
	char *end;

	if (v == NULL)
		return -1;
	if (conf_is(v, "unlimited")) {
		*out = UINT64_MAX;
		return 0;
	}
	if (conf_is(v, "default")) {
		*out = (uint64_t)2 << 30;
		return 0;
	}
	if (!isdigit((unsigned char)*v))
		goto bad;
	uint64_t n = strtoull(v, &end, 10);
	switch (*end) {
	case 'k': case 'K': n <<= 10; end++; break;
	case 'm': case 'M': n <<= 20; end++; break;
	case 'g': case 'G': n <<= 30; end++; break;
	}
	if (*end != '\0')
		goto bad;
	*out = n;
	return 0;
bad:
	ERR(c, st, "max-journal-size: expected a size, unlimited or default");
	return -1;
}

/*
 * The transfer options a zone or the options block may hold.
 * Returns: true if name was one of them (handled, errors reported).
 */
bool
conf_xfr_option(struct ctx *c, const struct cfg_stmt *st, struct conf_xfr *x)
{
	const char *name = conf_word(st, 0);
	unsigned long v;
	int n;

	bool b;

	if (conf_xfr_source_option(c, st, x))
		;	/* handled */
	else if (conf_is(name, "request-ixfr")) {
		if (conf_get_bool(c, st, &b) == 0) {
			x->request_ixfr = b;
			x->set |= XS_REQIXFR;
		}
	} else if (conf_is(name, "notify-to-soa")) {
		if (conf_get_bool(c, st, &b) == 0) {
			x->notify_to_soa = b;
			x->set |= XS_TOSOA;
		}
	} else if (conf_is(name, "notify")) {
		if ((n = conf_get_notify(c, st)) >= 0) {
			x->notify = n;
			x->set |= XS_NOTIFY;
		}
	} else if (conf_is(name, "also-notify")) {
		if (x->set & XS_ALSO)
			conf_remotes_free(&x->also_notify);
		memset(&x->also_notify, 0, sizeof(x->also_notify));
		c->in_also = true;
		(void)conf_parse_remotes(c, st, 1, &x->also_notify);
		c->in_also = false;
		x->set |= XS_ALSO;
	} else if (conf_is(name, "allow-notify")) {
		if (x->set & XS_ALLOW)
			acl_free(x->allow_notify);
		x->allow_notify = NULL;
		if (st->n == 2 && conf_block_at(st, 1) != NULL)
			x->allow_notify = conf_build_aml(c, st,
			    conf_block_at(st, 1), 0);
		else
			ERR(c, st, "allow-notify: expected { ... }");
		x->set |= XS_ALLOW;
	} else if (conf_is(name, "max-journal-size")) {
		if (parse_journal_size(c, st, &x->max_journal_size) == 0)
			x->set |= XS_JOURNAL;
	} else if (conf_is(name, "max-records")) {
		if (conf_get_uint(c, st, 0, UINT32_MAX, &v) == 0) {
			x->max_records = (uint32_t)v;
			x->set |= XS_RECORDS;
		}
	} else if (conf_is(name, "max-transfer-time-in")) {
		if (parse_minutes(c, st, &x->max_transfer_time_in) == 0)
			x->set |= XS_TIME_IN;
	} else if (conf_is(name, "max-transfer-idle-in")) {
		if (parse_minutes(c, st, &x->max_transfer_idle_in) == 0)
			x->set |= XS_IDLE_IN;
	} else if (conf_is(name, "min-refresh-time")) {
		if (conf_get_uint(c, st, 1, UINT32_MAX, &v) == 0) {
			x->min_refresh = (uint32_t)v;
			x->set |= XS_MINREF;
		}
	} else if (conf_is(name, "max-refresh-time")) {
		if (conf_get_uint(c, st, 1, UINT32_MAX, &v) == 0) {
			x->max_refresh = (uint32_t)v;
			x->set |= XS_MAXREF;
		}
	} else if (conf_is(name, "min-retry-time")) {
		if (conf_get_uint(c, st, 1, UINT32_MAX, &v) == 0) {
			x->min_retry = (uint32_t)v;
			x->set |= XS_MINRET;
		}
	} else if (conf_is(name, "max-retry-time")) {
		if (conf_get_uint(c, st, 1, UINT32_MAX, &v) == 0) {
			x->max_retry = (uint32_t)v;
			x->set |= XS_MAXRET;
		}
	} else
		return false;
	return true;
}
