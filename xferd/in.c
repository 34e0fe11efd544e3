/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * The secondary side: refresh timers, SOA queries, IXFR with AXFR
 * fallback, checking, writing, and handing the new version over.
 * Runs in: apex-xferd (unprivileged, seccomp).
 *
 * Each secondary zone has a timer: at its refresh time (or on NOTIFY,
 * or apex-ctl refresh) the primaries are asked for the SOA over UDP, in
 * order, until one answers; a newer serial (RFC 1982) starts a transfer
 * over TCP: IXFR with our SOA, falling back to AXFR when the primary
 * cannot or the differences do not apply. The result is checked
 * (lib/xfrin.c for the messages, the zone builder for the content,
 * exactly as a loaded zone), written to the zone file atomically
 * (temporary file, fsync, rename) and only then handed to the parent as
 * an image to serve. A failure leaves the previous version serving and
 * on disk, and the zone retries at its retry interval; once the expire
 * time passes without a successful refresh, the zone answers SERVFAIL
 * (RFC 1035 4.3.5) until one succeeds.
 */
#include <errno.h>
#include <stdarg.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/random.h>
#include <sys/stat.h>

#include "acl.h"
#include "error.h"
#include "ipc.h"
#include "log.h"
#include "pkt.h"
#include "rr.h"
#include "xferd.h"
#include "xfrin.h"

#define SOA_TIMEOUT_MS	2000	/* per UDP SOA query */
#define SOA_TRIES	2
#define CONNECT_SECS	10
#define FIRST_RETRY	30	/* seconds, before any SOA is known */

enum step {
	I_SOA,		/* UDP SOA query */
	I_CONNECT,	/* TCP connection being made */
	I_XFR,		/* request sent, reading the transfer */
};

struct xin {
	struct xzone		*z;
	unsigned		 pi;		/* which primary */
	enum step		 step;
	bool			 axfr;		/* this attempt asks for AXFR */
	int			 fd;
	struct event		*ev;
	struct event		*limit;		/* max-transfer-time-in */
	const struct tsig_key	*key;
	struct tsig_ctx		 tsig;
	uint16_t		 id;
	unsigned		 tries;
	uint8_t			 req[1024];
	size_t			 reqlen, reqoff;
	uint8_t			*buf;
	size_t			 len;
	struct xfrin		 x;
	bool			 xinit;
	struct ximage		*base;		/* the version begun from */
	char			 peer[64];
	char			 err[256];
	struct timespec		 t0;
};

static void	attempt(struct xin *);
static void	schedule(struct xzone *);

/* ---- timers ------------------------------------------------------- */

static uint32_t
clamp(uint32_t v, uint32_t lo, uint32_t hi)
{
	return v < lo ? lo : v > hi ? hi : v;
}

/* SOA REFRESH, RETRY and EXPIRE of the version served. */
static void
soa_timers(const struct xzone *z, uint32_t *refresh, uint32_t *retry,
    uint32_t *expire)
{
	const struct conf_xfr *c = &z->cz->xfr;
	const struct ximage *base = xferd_base(z);
	const struct zone_rrset *soa = base ? zone_soa(&base->z) : NULL;

	if (soa == NULL) {
		*refresh = *retry = FIRST_RETRY;
		*expire = UINT32_MAX;
		return;
	}
	const uint8_t *r = zone_rrset_data(soa);
	const uint8_t *t = r + 2 + get16(r) - 20;
	*refresh = clamp(get32(t + 4), c->min_refresh, c->max_refresh);
	*retry = clamp(get32(t + 8), c->min_retry, c->max_retry);
	*expire = get32(t + 12);
	/* As BIND: a zone must not expire before it was refreshed once. */
	if (*expire < *refresh + *retry)
		*expire = *refresh + *retry;
}

static void
set_expired(struct xzone *z, bool expired)
{
	if (z->expired == expired)
		return;
	z->expired = expired;
	if (expired)
		xferd_error(z, LOGC_XFER_IN, "expired: no primary answered "
		    "within the SOA expire time; answering SERVFAIL");
	else
		log_cat(LOGC_XFER_IN, LOG_LEVEL_INFO, "zone %s: no longer "
		    "expired", z->cz->name);
}

static void
zone_timer(evutil_socket_t fd, short events, void *arg)
{
	struct xzone *z = arg;
	time_t now = time(NULL);

	if (z->expires != 0 && now >= z->expires && !z->expired) {
		set_expired(z, true);
		xferd_report(z);
	}
	if (now >= z->next_refresh && !z->queued)
		xin_refresh(z, false);
	else
		schedule(z);
}

/* Arms the zone's timer for its next refresh or its expiry. */
static void
schedule(struct xzone *z)
{
	time_t now = time(NULL), at = z->next_refresh;

	if (z->in != NULL)
		return;
	if (!z->expired && z->expires != 0 && z->expires < at)
		at = z->expires;
	if (z->queued) {
		/* Waiting for a slot: only the expiry can come. */
		if (z->expired || z->expires == 0)
			return;
		at = z->expires;
	}
	if (z->timer == NULL)
		z->timer = evtimer_new(xd.base, zone_timer, z);
	struct timeval tv = { at > now ? at - now : 0, 0 };
	evtimer_add(z->timer, &tv);
}

/* The primary has the version we serve: all timers start over. */
static void
refreshed(struct xzone *z)
{
	uint32_t refresh, retry, expire;
	time_t now = time(NULL);

	soa_timers(z, &refresh, &retry, &expire);
	z->last_refresh = now;
	z->next_refresh = now + refresh;
	z->expires = expire == UINT32_MAX ? 0 : now + expire;
	z->error[0] = '\0';
	set_expired(z, false);
	/* The file's time says when it was last known to be current, so
	 * a restart can tell whether the copy has expired meanwhile. */
	if (xferd_base(z) != NULL && z->cz->file != NULL)
		(void)utimensat(AT_FDCWD, z->cz->file, NULL, 0);
}

void
xin_new_image(struct xzone *z, bool first)
{
	struct stat st;
	uint32_t refresh, retry, expire;

	if (z->cz->type != ZONE_SECONDARY)
		return;
	if (z->pending_timers) {
		/* The version just transferred: timers from its SOA. */
		z->pending_timers = false;
		refreshed(z);
		schedule(z);
		return;
	}
	if (!first || z->last_refresh != 0)
		return;
	/* The copy on disk after a start: it expires relative to the last
	 * time it was known to be current. */
	soa_timers(z, &refresh, &retry, &expire);
	if (z->cz->file != NULL && stat(z->cz->file, &st) == 0 &&
	    expire != UINT32_MAX) {
		z->expires = st.st_mtime + (time_t)expire;
		if (z->expires <= time(NULL))
			set_expired(z, true);
	}
}

void
xin_start(struct xzone *z)
{
	uint16_t r = 0;

	if (z->cz->type != ZONE_SECONDARY)
		return;
	/* A refresh soon after the start, spread over a second. */
	if (getrandom(&r, sizeof(r), 0) != sizeof(r))
		r = 0;
	if (z->timer == NULL)
		z->timer = evtimer_new(xd.base, zone_timer, z);
	z->next_refresh = time(NULL);
	struct timeval tv = { 0, (r % 1000) * 1000 };
	evtimer_add(z->timer, &tv);
}

/* ---- the end of a refresh ----------------------------------------- */

static void	begin(struct xzone *);

static void
xin_free(struct xin *in)
{
	if (in->ev != NULL)
		event_free(in->ev);
	if (in->limit != NULL)
		event_free(in->limit);
	if (in->fd >= 0)
		close(in->fd);
	if (in->xinit)
		xfrin_free(&in->x);
	tsig_ctx_free(&in->tsig);
	ximage_unref(in->base);
	free(in->buf);
	free(in);
}

/* Closes this attempt's connection, keeping the refresh. */
static void
close_attempt(struct xin *in)
{
	if (in->ev != NULL)
		event_free(in->ev);
	in->ev = NULL;
	if (in->limit != NULL)
		event_free(in->limit);
	in->limit = NULL;
	if (in->fd >= 0)
		close(in->fd);
	in->fd = -1;
	if (in->xinit)
		xfrin_free(&in->x);
	in->xinit = false;
	tsig_ctx_free(&in->tsig);
	memset(&in->tsig, 0, sizeof(in->tsig));
	in->len = 0;
	in->tries = 0;
}

static void
finish(struct xin *in, bool ok)
{
	struct xzone *z = in->z;
	uint32_t refresh, retry, expire;

	if (!ok) {
		soa_timers(z, &refresh, &retry, &expire);
		z->next_refresh = time(NULL) + retry;
		z->count[XC_REFRESH_FAILED]++;
		if (z->expires != 0 && time(NULL) >= z->expires)
			set_expired(z, true);
	}
	z->in = NULL;
	xd.in_running--;
	xin_free(in);
	xferd_report(z);
	if (z->again) {
		z->again = false;
		z->next_refresh = time(NULL);
	}
	schedule(z);
	/* A slot is free: the longest waiting zone goes next. */
	for (unsigned i = 0; i < xd.nzones; i++)
		if (xd.zones[i].queued && xd.in_running <
		    xd.conf->transfers_in) {
			xd.zones[i].queued = false;
			begin(&xd.zones[i]);
		}
}

/* This primary failed; the next one is tried, or the refresh fails. */
static void
next_primary(struct xin *in, const char *fmt, ...) PRINTF(2, 3);

static void
next_primary(struct xin *in, const char *fmt, ...)
{
	char text[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	xferd_error(in->z, LOGC_XFER_IN, "primary %s: %s", in->peer, text);
	close_attempt(in);
	in->pi++;
	in->step = I_SOA;
	in->axfr = in->base == NULL || in->z->want_axfr;
	attempt(in);
}

/* ---- applying what came ------------------------------------------- */

static void
build_report(void *arg, uint32_t tag, bool error, const char *msg)
{
	struct xin *in = arg;

	if (error && in->err[0] == '\0')
		snprintf(in->err, sizeof(in->err), "%s", msg);
}

/*
 * The new version: built and checked as a loaded zone would be, then
 * written to the zone file, then sent to the parent.
 * Returns: false (with in->err) if it is not usable.
 */
static bool
install(struct xin *in)
{
	struct xzone *z = in->z;
	const struct conf_zone *cz = z->cz;
	struct zone_builder *zb = zone_builder_new(cz->origin, cz->rclass,
	    build_report, in);
	struct rrview v;
	void *blob = NULL;
	size_t size = 0, pos = 0;
	struct zone nz;
	char comment[256];

	zone_builder_set_limits(zb, cz->max_records_per_type,
	    cz->max_types_per_name, cz->xfr.max_records);
	if (in->x.kind == XFRIN_FULL) {
		while (rrbuf_next(in->x.full.p, in->x.full.len, &pos, &v) ==
		    0)
			if (zone_builder_add(zb, v.owner, v.type, v.ttl,
			    v.rdata, v.rdlen, 0) != 0)
				break;
	} else if (xfrin_apply(&in->x, &in->base->z, zb, in->err,
	    sizeof(in->err)) != 0) {
		zone_builder_free(zb);
		return false;
	}
	int rc = zone_builder_finish(zb, &blob, &size);
	zone_builder_free(zb);
	if (rc != 0) {
		if (in->err[0] == '\0')
			snprintf(in->err, sizeof(in->err), "the zone does "
			    "not build: %s", apex_strerror(rc));
		return false;
	}
	if (zone_open(&nz, blob, size) != 0) {
		snprintf(in->err, sizeof(in->err), "internal: the image does "
		    "not verify");
		free(blob);
		return false;
	}
	snprintf(comment, sizeof(comment), "zone %s, serial %u, from %s",
	    cz->name, nz.hdr->serial, in->peer);
	/* A zone without a file is kept in memory only. */
	if (cz->file != NULL && zwrite_file(cz->file, &nz, comment, in->err,
	    sizeof(in->err)) != 0) {
		free(blob);
		return false;
	}
	bool ok = xferd_load(cz, nz.hdr->serial, blob, size, in->err,
	    sizeof(in->err));
	free(blob);
	return ok;
}

/* The transfer ended well. */
static void
transfer_done(struct xin *in)
{
	struct xzone *z = in->z;
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	double secs = (double)(t1.tv_sec - in->t0.tv_sec) +
	    (double)(t1.tv_nsec - in->t0.tv_nsec) / 1e9;
	if (in->x.kind == XFRIN_UPTODATE) {
		log_cat(LOGC_XFER_IN, LOG_LEVEL_INFO, "zone %s: up to date "
		    "at serial %u (%s)", z->cz->name, xferd_base(z) ?
		    xferd_base(z)->serial : 0, in->peer);
		refreshed(z);
		finish(in, true);
		return;
	}
	in->err[0] = '\0';
	if (!install(in)) {
		if (in->x.kind == XFRIN_INCREMENTAL) {
			/* The differences do not fit our copy: the whole
			 * zone from the same primary. */
			xferd_error(z, LOGC_XFER_IN, "IXFR from %s: %s; "
			    "trying AXFR", in->peer, in->err);
			close_attempt(in);
			in->axfr = true;
			attempt(in);
			return;
		}
		z->count[XC_IN_FAILED]++;
		next_primary(in, "%s", in->err);
		return;
	}
	log_cat(LOGC_XFER_IN, LOG_LEVEL_INFO, "zone %s: %s from %s ended: "
	    "serial %u, %u messages, %llu records, %llu octets, %.3f secs",
	    z->cz->name, in->x.kind == XFRIN_FULL ? (in->axfr ? "AXFR" :
	    "IXFR (whole zone)") : "IXFR", in->peer, in->x.new_serial,
	    in->x.messages, (unsigned long long)in->x.records,
	    (unsigned long long)in->x.octets, secs);
	z->count[XC_IN_OK]++;
	if (in->axfr)
		z->want_axfr = false;	/* else asked for during this IXFR */
	/* The timers start from the new SOA once the parent sends the
	 * image back; until then they run from the old one. */
	refreshed(z);
	z->pending_timers = true;
	finish(in, true);
}

/* ---- the network -------------------------------------------------- */

/* Builds the SOA, IXFR or AXFR query into in->req (signed if keyed). */
static bool
make_query(struct xin *in, uint16_t qtype)
{
	const struct conf_zone *cz = in->z->cz;
	struct pkt_writer w;

	if (getrandom(&in->id, sizeof(in->id), 0) != sizeof(in->id))
		in->id = (uint16_t)random();
	pkt_writer_init(&w, in->req, sizeof(in->req) - 400);
	if (pkt_put_header_question(&w, in->id, 0, cz->origin, qtype,
	    cz->rclass) != 0)
		return false;
	if (qtype == TYPE_IXFR) {
		/* RFC 1995 3: our version, as the SOA in authority. */
		const struct zone_rrset *soa = zone_soa(&in->base->z);
		if (soa == NULL || pkt_put_rr(&w, cz->origin, soa->wire,
		    zone_rrset_data(soa), PKT_TTL_KEEP) != 0)
			return false;
		pkt_count_add(&w, 8, 1);
	}
	in->reqlen = w.len;
	tsig_ctx_free(&in->tsig);
	memset(&in->tsig, 0, sizeof(in->tsig));
	if (in->key != NULL) {
		tsig_ctx_init(&in->tsig, in->key);
		if (tsig_sign(&in->tsig, in->req, &in->reqlen, sizeof(in->req),
		    (uint64_t)time(NULL), 0, in->id) != 0)
			return false;
	}
	return true;
}

/* The answer to our SOA query: the primary's serial, or an error. */
static void
soa_answer(struct xin *in, const uint8_t *msg, size_t len)
{
	struct xzone *z = in->z;
	struct xfrin_soa sa;
	int e;

	if ((e = xfrin_soa_answer(msg, len, in->id, z->cz->origin, &sa)) ==
	    APEX_ENOENT)
		return;		/* not the answer; keep waiting */
	if (e != 0) {
		next_primary(in, "a malformed SOA answer");
		return;
	}
	if (in->key != NULL) {
		struct tsig_rr trr;
		memset(&trr, 0, sizeof(trr));
		if (sa.tsig_pos == 0) {
			next_primary(in, "the SOA answer is not signed");
			return;
		}
		e = tsig_verify_response(&in->tsig, msg, len, sa.tsig_pos,
		    (uint64_t)time(NULL), &trr);
		if (e != TSIG_NOERROR || trr.error != 0) {
			next_primary(in, "the SOA answer fails TSIG (%d/%u)",
			    e, trr.error);
			return;
		}
	}
	if (PKT_RCODE(sa.flags) != RCODE_NOERROR) {
		next_primary(in, "SOA query answered with RCODE %u",
		    PKT_RCODE(sa.flags));
		return;
	}
	if (sa.malformed) {
		next_primary(in, "a malformed SOA record in the SOA answer");
		return;
	}
	if (!(sa.flags & PKT_AA) || !sa.found) {
		next_primary(in, "not authoritative for the zone");
		return;
	}
	uint32_t ours = in->base ? in->base->serial : 0;
	if (in->base != NULL && sa.serial != ours &&
	    !rr_serial_gt(sa.serial, ours)) {
		/* As BIND: an older version is no refresh; another
		 * primary may be current. */
		next_primary(in, "serial %u is older than ours (%u)", sa.serial,
		    ours);
		return;
	}
	if (in->base != NULL && sa.serial == ours) {
		log_cat(LOGC_XFER_IN, LOG_LEVEL_DEBUG, "zone %s: serial %u is "
		    "current (%s)", z->cz->name, ours, in->peer);
		refreshed(z);
		finish(in, true);
		return;
	}
	log_cat(LOGC_XFER_IN, LOG_LEVEL_INFO, "zone %s: primary %s has "
	    "serial %u, ours is %u: transferring", z->cz->name, in->peer,
	    sa.serial, ours);
	close_attempt(in);
	in->step = I_CONNECT;
	attempt(in);
}

static void
soa_event(evutil_socket_t fd, short events, void *arg)
{
	struct xin *in = arg;
	uint8_t buf[4096];
	static const struct timeval tv = { SOA_TIMEOUT_MS / 1000,
	    (SOA_TIMEOUT_MS % 1000) * 1000 };

	if (events & EV_TIMEOUT) {
		if (in->tries >= SOA_TRIES) {
			next_primary(in, "no answer to the SOA query");
			return;
		}
		in->tries++;
		if (send(in->fd, in->req, in->reqlen, 0) < 0) {
			next_primary(in, "%s", strerror(errno));
			return;
		}
		event_add(in->ev, &tv);
		return;
	}
	ssize_t n = recv(in->fd, buf, sizeof(buf), MSG_DONTWAIT);
	if (n < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return;
		/* ECONNREFUSED and the like: nobody listens there. */
		next_primary(in, "%s", strerror(errno));
		return;
	}
	soa_answer(in, buf, (size_t)n);
}

/*
 * The socket for a query to r, bound to the transfer source if one is
 * set (a primary that allows transfers to one address of a multi-homed
 * secondary). Returns: the descriptor, or -1 with why[] set.
 */
static int
source_socket(struct xin *in, const struct conf_remote *r, int type,
    char why[256])
{
	const struct sockaddr_storage *src = conf_xfr_source(xd.conf,
	    &in->z->cz->xfr, r, r->ss.ss_family);
	int fd = socket(r->ss.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);
	char a[64];

	if (fd < 0) {
		snprintf(why, 256, "socket: %s", strerror(errno));
		return -1;
	}
	if (src != NULL && bind(fd, (const struct sockaddr *)src,
	    src->ss_family == AF_INET ? sizeof(struct sockaddr_in) :
	    sizeof(struct sockaddr_in6)) != 0) {
		snprintf(why, 256, "transfer-source %s: %s",
		    sockaddr_str((const struct sockaddr *)src, a, sizeof(a)),
		    strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

static void
start_soa_query(struct xin *in, const struct conf_remote *r)
{
	static const struct timeval tv = { SOA_TIMEOUT_MS / 1000,
	    (SOA_TIMEOUT_MS % 1000) * 1000 };

	in->step = I_SOA;
	char why[256];
	if ((in->fd = source_socket(in, r, SOCK_DGRAM, why)) < 0) {
		next_primary(in, "%s", why);
		return;
	}
	if (connect(in->fd, (const struct sockaddr *)&r->ss, r->len) != 0) {
		next_primary(in, "%s", strerror(errno));
		return;
	}
	if (!make_query(in, TYPE_SOA)) {
		next_primary(in, "cannot build the SOA query");
		return;
	}
	in->tries = 1;
	if (send(in->fd, in->req, in->reqlen, 0) < 0) {
		next_primary(in, "%s", strerror(errno));
		return;
	}
	in->ev = event_new(xd.base, in->fd, EV_READ | EV_PERSIST, soa_event,
	    in);
	if (in->ev == NULL || event_add(in->ev, &tv) != 0)
		fatalx("soa event");
}

static void
limit_event(evutil_socket_t fd, short events, void *arg)
{
	struct xin *in = arg;

	in->z->count[XC_IN_FAILED]++;
	next_primary(in, "%s longer than max-transfer-time-in (%u minutes)",
	    in->axfr ? "AXFR" : "IXFR",
	    in->z->cz->xfr.max_transfer_time_in / 60);
}

/* A transfer failed at this primary: IXFR falls back to AXFR; after an
 * AXFR the next primary is tried. */
static void
transfer_failed(struct xin *in, const char *why, bool security)
{
	in->z->count[XC_IN_FAILED]++;
	if (!in->axfr && !security) {
		xferd_error(in->z, LOGC_XFER_IN, "IXFR from %s: %s; trying "
		    "AXFR", in->peer, why);
		close_attempt(in);
		in->axfr = true;
		in->step = I_CONNECT;
		attempt(in);
		return;
	}
	next_primary(in, "%s: %s", in->axfr ? "AXFR" : "IXFR", why);
}

/* Messages as they arrive; each is checked before the next is read. */
static void
xfr_readable(struct xin *in)
{
	const struct conf_xfr *c = &in->z->cz->xfr;

	if (in->len == 2 + PKT_MAXLEN)
		return;
	ssize_t n = read(in->fd, in->buf + in->len, 2 + PKT_MAXLEN - in->len);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		transfer_failed(in, n == 0 ? "the connection closed before "
		    "the end of the transfer" : strerror(errno), false);
		return;
	}
	in->len += (size_t)n;
	size_t off = 0;
	while (in->len - off >= 2 && in->len - off - 2 >= get16(in->buf +
	    off)) {
		size_t mlen = get16(in->buf + off);
		enum xfrin_status st = xfrin_message(&in->x, in->buf + off + 2,
		    mlen, (uint64_t)time(NULL));
		off += 2 + mlen;
		if (st == XFRIN_ERROR) {
			bool sec = strncmp(in->x.error, "TSIG", 4) == 0 ||
			    strstr(in->x.error, "signed") != NULL ||
			    in->x.rcode == RCODE_NOTAUTH;
			char why[300];
			snprintf(why, sizeof(why), "%s", in->x.error);
			transfer_failed(in, why, sec);
			return;
		}
		if (st == XFRIN_DONE) {
			transfer_done(in);
			return;
		}
	}
	memmove(in->buf, in->buf + off, in->len - off);
	in->len -= off;
	/* The idle limit runs from the last octet received. */
	struct timeval tv = { c->max_transfer_idle_in, 0 };
	event_add(in->ev, &tv);
}

static void
xfr_event(evutil_socket_t fd, short events, void *arg)
{
	struct xin *in = arg;
	int err = 0;
	socklen_t el = sizeof(err);

	if (events & EV_TIMEOUT) {
		if (in->step == I_CONNECT)
			next_primary(in, "connect timed out");
		else
			transfer_failed(in, "idle longer than "
			    "max-transfer-idle-in", false);
		return;
	}
	if (in->step == I_CONNECT) {
		if (getsockopt(in->fd, SOL_SOCKET, SO_ERROR, &err, &el) != 0 ||
		    err != 0) {
			next_primary(in, "connect: %s", strerror(err ? err :
			    errno));
			return;
		}
		in->step = I_XFR;
	}
	if (in->reqoff < in->reqlen + 2) {
		uint8_t out[2 + sizeof(in->req)];
		put16(out, (uint16_t)in->reqlen);
		memcpy(out + 2, in->req, in->reqlen);
		ssize_t n = write(in->fd, out + in->reqoff, in->reqlen + 2 -
		    in->reqoff);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0) {
			next_primary(in, "send: %s", strerror(errno));
			return;
		}
		in->reqoff += (size_t)n;
		if (in->reqoff < in->reqlen + 2)
			return;
		/* Sent: from now on, read. */
		event_free(in->ev);
		struct timeval tv = { in->z->cz->xfr.max_transfer_idle_in, 0 };
		in->ev = event_new(xd.base, in->fd, EV_READ | EV_PERSIST,
		    xfr_event, in);
		if (in->ev == NULL || event_add(in->ev, &tv) != 0)
			fatalx("xfr event");
		return;
	}
	xfr_readable(in);
}

static void
start_transfer(struct xin *in, const struct conf_remote *r)
{
	/* request-ixfr no (the zone's, or the server's): the whole zone
	 * every time. */
	const struct conf_server *sv = conf_find_server(xd.conf,
	    (const struct sockaddr *)&r->ss);
	bool ixfr = sv != NULL && sv->request_ixfr >= 0 ? sv->request_ixfr :
	    in->z->cz->xfr.request_ixfr;
	uint16_t qtype = in->axfr || in->base == NULL || !ixfr ? TYPE_AXFR :
	    TYPE_IXFR;
	static const struct timeval ctv = { CONNECT_SECS, 0 };

	in->axfr = qtype == TYPE_AXFR;
	in->step = I_CONNECT;
	if (!make_query(in, qtype)) {
		next_primary(in, "cannot build the request");
		return;
	}
	char why[256];
	if ((in->fd = source_socket(in, r, SOCK_STREAM, why)) < 0) {
		next_primary(in, "%s", why);
		return;
	}
	if (connect(in->fd, (const struct sockaddr *)&r->ss, r->len) != 0 &&
	    errno != EINPROGRESS) {
		next_primary(in, "connect: %s", strerror(errno));
		return;
	}
	in->reqoff = 0;
	in->len = 0;
	if (in->buf == NULL)
		in->buf = xmalloc(2 + PKT_MAXLEN);
	xfrin_init(&in->x, in->z->cz->origin, in->z->cz->rclass, qtype,
	    in->id, in->base ? in->base->serial : 0,
	    in->z->cz->xfr.max_records, in->key ? &in->tsig : NULL);
	in->xinit = true;
	clock_gettime(CLOCK_MONOTONIC, &in->t0);
	in->ev = event_new(xd.base, in->fd, EV_WRITE | EV_PERSIST, xfr_event,
	    in);
	in->limit = evtimer_new(xd.base, limit_event, in);
	struct timeval ltv = { in->z->cz->xfr.max_transfer_time_in, 0 };
	if (in->ev == NULL || in->limit == NULL ||
	    event_add(in->ev, &ctv) != 0 || evtimer_add(in->limit, &ltv) != 0)
		fatalx("xfr event");
	log_cat(LOGC_XFER_IN, LOG_LEVEL_INFO, "zone %s: %s from %s started",
	    in->z->cz->name, in->axfr ? "AXFR" : "IXFR", in->peer);
}

/* The next step with the current primary (in->pi). */
static void
attempt(struct xin *in)
{
	struct xzone *z = in->z;
	if (in->pi >= z->cz->primaries.n) {
		finish(in, false);
		return;
	}
	const struct conf_remote *r = &z->cz->primaries.r[in->pi];
	sockaddr_str((const struct sockaddr *)&r->ss, in->peer,
	    sizeof(in->peer));
	/* server ADDR { keys { K; }; bogus yes; }: the key for it when
	 * the primaries list names none; a bogus server is skipped. */
	const struct conf_server *sv = conf_find_server(xd.conf,
	    (const struct sockaddr *)&r->ss);
	if (sv != NULL && sv->bogus == 1) {
		next_primary(in, "marked bogus (server statement)");
		return;
	}
	const char *kn = r->key != NULL ? r->key : sv != NULL ? sv->key :
	    NULL;
	in->key = xferd_key(kn);
	if (kn != NULL && in->key == NULL) {
		next_primary(in, "key %s is not defined", kn);
		return;
	}
	if (in->step == I_SOA && in->base != NULL && !in->axfr)
		start_soa_query(in, r);
	else
		start_transfer(in, r);
}

static void
begin(struct xzone *z)
{
	struct xin *in = xcalloc(1, sizeof(*in));

	if (z->timer != NULL)
		evtimer_del(z->timer);
	in->z = z;
	in->fd = -1;
	in->step = I_SOA;
	in->axfr = xferd_base(z) == NULL || z->want_axfr;
	if ((in->base = xferd_base(z)) != NULL)
		in->base->refs++;
	z->in = in;
	xd.in_running++;
	attempt(in);
}

void
xin_refresh(struct xzone *z, bool axfr)
{
	if (z->cz->type != ZONE_SECONDARY)
		return;
	if (axfr)
		z->want_axfr = true;
	if (z->in != NULL) {
		z->again = true;
		return;
	}
	if (xd.in_running >= xd.conf->transfers_in) {
		z->queued = true;
		schedule(z);
		return;
	}
	begin(z);
}

void
xin_notify(struct xzone *z, const struct sockaddr *from)
{
	char addr[64];

	z->count[XC_NOTIFY_RECEIVED]++;
	log_cat(LOGC_NOTIFY, LOG_LEVEL_INFO, "zone %s: NOTIFY from %s",
	    z->cz->name, sockaddr_str(from, addr, sizeof(addr)));
	xin_refresh(z, false);
	xferd_report(z);
}
