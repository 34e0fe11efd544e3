/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * NOTIFY out (RFC 1996): when a zone gets a new serial, its secondaries
 * are told over UDP, each until it answers or five tries (2, 4, 8 and
 * 16 seconds apart) have gone unanswered. Who is told: with notify yes,
 * the name servers of the zone's NS RRset except the primary named in
 * the SOA, at the addresses the zone itself has for them (apex has no
 * resolver, so out-of-zone name servers need also-notify), plus the
 * also-notify list; with notify explicit, only the list. A server in
 * also-notify with a key gets a signed NOTIFY and must sign its answer.
 * Runs in: apex-xferd (unprivileged, seccomp).
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/random.h>

#include "acl.h"
#include "log.h"
#include "pkt.h"
#include "rr.h"
#include "xferd.h"

#define NOTIFY_TRIES	5
#define NOTIFY_FIRST_MS	2000

struct ntarget {
	struct sockaddr_storage	 ss;
	socklen_t		 len;
	const struct tsig_key	*key;
	struct tsig_ctx		 tsig;
	uint16_t		 id;
	unsigned		 tries;
	bool			 done;
};

struct xnotify {
	struct xzone		*z;
	uint32_t		 serial;
	struct ntarget		*t;
	unsigned		 n;
	int			 fd[2];		/* IPv4, IPv6 */
	struct event		*ev[2];
	struct event		*timer;
	unsigned		 delay_ms;
};

static void
notify_free(struct xnotify *nt)
{
	for (unsigned i = 0; i < 2; i++) {
		if (nt->ev[i] != NULL)
			event_free(nt->ev[i]);
		if (nt->fd[i] >= 0)
			close(nt->fd[i]);
	}
	if (nt->timer != NULL)
		event_free(nt->timer);
	for (unsigned i = 0; i < nt->n; i++)
		tsig_ctx_free(&nt->t[i].tsig);
	if (nt->z->notify == nt)
		nt->z->notify = NULL;
	free(nt->t);
	free(nt);
}

static void
add_target(struct xnotify *nt, const struct sockaddr_storage *ss,
    socklen_t len, const struct tsig_key *key)
{
	for (unsigned i = 0; i < nt->n; i++)
		if (nt->t[i].len == len && memcmp(&nt->t[i].ss, ss, len) == 0)
			return;
	/* server ADDR { bogus yes; keys { K; }; } */
	const struct conf_server *sv = conf_find_server(xd.conf,
	    (const struct sockaddr *)ss);
	if (sv != NULL && sv->bogus == 1)
		return;
	if (key == NULL && sv != NULL)
		key = xferd_key(sv->key);
	nt->t = xreallocarray(nt->t, nt->n + 1, sizeof(*nt->t));
	struct ntarget *t = &nt->t[nt->n++];
	memset(t, 0, sizeof(*t));
	t->ss = *ss;
	t->len = len;
	t->key = key;
}

/* The addresses the zone has for name server target, port 53. */
static void
add_ns_addresses(struct xnotify *nt, const struct zone *z,
    const uint8_t *target)
{
	uint8_t lname[DNAME_MAXLEN];
	size_t len = dname_len(target);

	dname_lower(lname, target, len);
	if (!dname_is_subdomain(lname, z->origin))
		return;
	uint32_t i = zone_find_name(z, lname);
	if (i == ZONE_NONE)
		return;
	const struct zone_node *n = zone_node(z, i);
	const struct zone_rrset *rs = zone_rrset_first(z, n);
	for (unsigned k = 0; k < n->nrrsets; k++, rs = zone_rrset_next(rs)) {
		if (rs->type != TYPE_A && rs->type != TYPE_AAAA)
			continue;
		const uint8_t *r = zone_rrset_data(rs);
		for (unsigned m = 0; m < rs->count; m++, r += 2 + get16(r)) {
			struct sockaddr_storage ss;
			socklen_t sl;
			memset(&ss, 0, sizeof(ss));
			if (rs->type == TYPE_A && get16(r) == 4) {
				struct sockaddr_in *s = (void *)&ss;
				s->sin_family = AF_INET;
				s->sin_port = htons(53);
				memcpy(&s->sin_addr, r + 2, 4);
				sl = sizeof(*s);
			} else if (rs->type == TYPE_AAAA && get16(r) == 16) {
				struct sockaddr_in6 *s = (void *)&ss;
				s->sin6_family = AF_INET6;
				s->sin6_port = htons(53);
				memcpy(&s->sin6_addr, r + 2, 16);
				sl = sizeof(*s);
			} else
				continue;
			add_target(nt, &ss, sl, NULL);
		}
	}
}

static void
collect_targets(struct xnotify *nt)
{
	const struct conf_zone *cz = nt->z->cz;
	const struct zone *z = &nt->z->img->z;

	if (cz->xfr.notify == NOTIFY_YES) {
		const struct zone_rrset *ns = zone_find_rrset(z,
		    zone_node(z, 0), TYPE_NS);
		const struct zone_rrset *soa = zone_soa(z);
		const uint8_t *mname = soa ? zone_rrset_data(soa) + 2 : NULL;
		const uint8_t *r = ns ? zone_rrset_data(ns) : NULL;
		/* The MNAME is the primary itself, unless notify-to-soa
		 * says it is a secondary too (a hidden primary). */
		for (unsigned i = 0; ns != NULL && i < ns->count;
		    i++, r += 2 + get16(r))
			if (mname == NULL || cz->xfr.notify_to_soa ||
			    !dname_equal(r + 2, mname))
				add_ns_addresses(nt, z, r + 2);
	}
	for (unsigned i = 0; i < cz->xfr.also_notify.n; i++) {
		const struct conf_remote *rm = &cz->xfr.also_notify.r[i];
		add_target(nt, &rm->ss, rm->len, xferd_key(rm->key));
	}
}

static void
send_one(struct xnotify *nt, struct ntarget *t)
{
	const struct zone *z = &nt->z->img->z;
	const struct zone_rrset *soa = zone_soa(z);
	uint8_t buf[1024];
	struct pkt_writer w;
	char addr[64];
	int fd = nt->fd[t->ss.ss_family == AF_INET6];

	if (fd < 0) {
		t->tries = NOTIFY_TRIES;	/* no socket of that family */
		return;
	}
	if (getrandom(&t->id, sizeof(t->id), 0) != sizeof(t->id))
		t->id = (uint16_t)random();
	pkt_writer_init(&w, buf, sizeof(buf) - 400);
	t->tries++;
	if (pkt_put_header_question(&w, t->id, (OPCODE_NOTIFY << 11) |
	    PKT_AA, z->origin, TYPE_SOA, nt->z->cz->rclass) != 0)
		return;
	/* RFC 1996 3.7: the new SOA, as a hint. */
	if (soa != NULL && pkt_put_rr(&w, z->origin, soa->wire,
	    zone_rrset_data(soa), PKT_TTL_KEEP) == 0)
		pkt_count_add(&w, 6, 1);
	size_t len = w.len;
	if (t->key != NULL) {
		tsig_ctx_free(&t->tsig);
		tsig_ctx_init(&t->tsig, t->key);
		if (tsig_sign(&t->tsig, buf, &len, sizeof(buf),
		    (uint64_t)time(NULL), 0, t->id) != 0)
			return;
	}
	if (sendto(fd, buf, len, 0, (struct sockaddr *)&t->ss, t->len) < 0)
		log_cat(LOGC_NOTIFY, LOG_LEVEL_INFO, "zone %s: NOTIFY to %s: "
		    "%s", nt->z->cz->name, sockaddr_str((struct sockaddr *)
		    &t->ss, addr, sizeof(addr)), strerror(errno));
	else
		nt->z->count[XC_NOTIFY_SENT]++;
}

static bool
all_done(const struct xnotify *nt)
{
	for (unsigned i = 0; i < nt->n; i++)
		if (!nt->t[i].done && nt->t[i].tries < NOTIFY_TRIES)
			return false;
	return true;
}

static void
notify_timer(evutil_socket_t fd, short events, void *arg)
{
	struct xnotify *nt = arg;
	char addr[64];

	for (unsigned i = 0; i < nt->n; i++) {
		struct ntarget *t = &nt->t[i];
		if (t->done)
			continue;
		if (t->tries >= NOTIFY_TRIES) {
			if (t->tries == NOTIFY_TRIES) {
				log_cat(LOGC_NOTIFY, LOG_LEVEL_INFO, "zone %s: "
				    "NOTIFY to %s: no answer after %u tries",
				    nt->z->cz->name, sockaddr_str(
				    (struct sockaddr *)&t->ss, addr,
				    sizeof(addr)), t->tries);
				t->tries++;
			}
			continue;
		}
		send_one(nt, t);
	}
	if (all_done(nt)) {
		struct xzone *z = nt->z;
		notify_free(nt);
		xferd_report(z);
		return;
	}
	if (nt->delay_ms < 60000)
		nt->delay_ms *= 2;
	struct timeval tv = { nt->delay_ms / 1000, 0 };
	evtimer_add(nt->timer, &tv);
}

/* An answer from a secondary. */
static void
notify_readable(evutil_socket_t fd, short events, void *arg)
{
	struct xnotify *nt = arg;
	struct sockaddr_storage ss;
	uint8_t buf[4096], qname[DNAME_MAXLEN];
	char addr[64];
	struct pkt_reader r;
	uint16_t qt, qc;

	for (;;) {
		socklen_t sl = sizeof(ss);
		ssize_t n = recvfrom(fd, buf, sizeof(buf), MSG_DONTWAIT,
		    (struct sockaddr *)&ss, &sl);
		if (n < 0)
			break;
		if (pkt_read_begin(&r, buf, (size_t)n, qname, &qt, &qc) != 0 ||
		    !(r.flags & PKT_QR) || PKT_OPCODE(r.flags) != OPCODE_NOTIFY)
			continue;
		struct ntarget *t = NULL;
		for (unsigned i = 0; i < nt->n && t == NULL; i++)
			if (nt->t[i].id == r.id && !nt->t[i].done &&
			    sockaddr_same_host((struct sockaddr *)&ss,
			    (struct sockaddr *)&nt->t[i].ss))
				t = &nt->t[i];
		if (t == NULL)
			continue;
		sockaddr_str((struct sockaddr *)&ss, addr, sizeof(addr));
		if (t->key != NULL) {
			/* The answer must be signed with the same key. */
			size_t tpos = 0;
			struct tsig_rr trr;
			if (pkt_read_tsig(buf, (size_t)n, &tpos) != 0 ||
			    tpos == 0 || tsig_verify_response(&t->tsig, buf,
			    (size_t)n, tpos, (uint64_t)time(NULL), &trr) !=
			    TSIG_NOERROR) {
				log_cat(LOGC_SECURITY, LOG_LEVEL_INFO, "zone "
				    "%s: NOTIFY answer from %s fails TSIG; "
				    "ignored", nt->z->cz->name, addr);
				continue;
			}
		}
		t->done = true;
		unsigned rcode = PKT_RCODE(r.flags);
		log_cat(LOGC_NOTIFY, rcode ? LOG_LEVEL_WARN : LOG_LEVEL_INFO,
		    "zone %s: NOTIFY (serial %u) to %s: %s", nt->z->cz->name,
		    nt->serial, addr, rcode == 0 ? "acknowledged" :
		    rcode == RCODE_REFUSED ? "refused" : rcode ==
		    RCODE_NOTAUTH ? "not authoritative" : "failed");
	}
	bool done = true;
	for (unsigned i = 0; i < nt->n; i++)
		done &= nt->t[i].done;
	if (done) {
		struct xzone *z = nt->z;
		notify_free(nt);
		xferd_report(z);
	}
}

void
notify_zone(struct xzone *z)
{
	static const int fam[2] = { AF_INET, AF_INET6 };

	if (z->cz->xfr.notify == NOTIFY_NO || z->img == NULL)
		return;
	if (z->notify != NULL)
		notify_free(z->notify);	/* a newer serial replaces it */
	struct xnotify *nt = xcalloc(1, sizeof(*nt));
	nt->z = z;
	nt->serial = z->img->serial;
	nt->fd[0] = nt->fd[1] = -1;
	collect_targets(nt);
	if (nt->n == 0) {
		free(nt);
		return;
	}
	z->notify = nt;
	for (unsigned i = 0; i < 2; i++) {
		bool need = false;
		for (unsigned k = 0; k < nt->n; k++)
			need |= nt->t[k].ss.ss_family == fam[i];
		if (!need)
			continue;
		nt->fd[i] = socket(fam[i], SOCK_DGRAM | SOCK_NONBLOCK |
		    SOCK_CLOEXEC, 0);
		if (nt->fd[i] < 0) {
			log_warn("zone %s: NOTIFY socket", z->cz->name);
			continue;
		}
		const struct sockaddr_storage *src = &z->cz->xfr.notify_src[i];
		if (src->ss_family == fam[i] && bind(nt->fd[i],
		    (const struct sockaddr *)src, i == 0 ?
		    sizeof(struct sockaddr_in) :
		    sizeof(struct sockaddr_in6)) != 0) {
			char a[64];
			log_warn("zone %s: notify-source %s", z->cz->name,
			    sockaddr_str((const struct sockaddr *)src, a,
			    sizeof(a)));
			close(nt->fd[i]);
			nt->fd[i] = -1;
			continue;
		}
		nt->ev[i] = event_new(xd.base, nt->fd[i], EV_READ | EV_PERSIST,
		    notify_readable, nt);
		if (nt->ev[i] == NULL || event_add(nt->ev[i], NULL) != 0)
			fatalx("notify event");
	}
	log_cat(LOGC_NOTIFY, LOG_LEVEL_INFO, "zone %s: sending NOTIFY "
	    "(serial %u) to %u server%s", z->cz->name, nt->serial, nt->n,
	    nt->n == 1 ? "" : "s");
	nt->timer = evtimer_new(xd.base, notify_timer, nt);
	nt->delay_ms = NOTIFY_FIRST_MS / 2;
	notify_timer(-1, 0, nt);
}
