/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * Runs in: apex-xferd (unprivileged, seccomp).
 *
 * Dynamic update (RFC 2136) of primary zones. apex-xferd owns every
 * change to a zone, so the workers hand it each UPDATE: over TCP with
 * the connection (out.c reads it), over UDP through the parent, the
 * answer going back the same way. Here the TSIG, allow-update and
 * update-policy are checked again (this process signs the answer),
 * then the update waits for the zone's next commit.
 *
 * A commit applies every update waiting for the zone to the image
 * served (lib/update.c), builds the new version and checks it as a
 * loaded zone is checked, appends the difference to the journal with
 * one fdatasync (group commit: one write and one sync however many
 * updates arrived meanwhile), and hands the image to the parent. Each
 * update is answered NOERROR only when the parent has it served, so an
 * answer means the change is both on disk and visible; a crash after
 * the answer loses nothing (the loader replays the journal over the
 * zone file). Updates that arrive during a commit wait for the next.
 * A commit that fails (the zone does not build, the disk is full)
 * answers SERVFAIL and changes nothing.
 *
 * The zone file is rewritten from memory update-sync-delay seconds
 * after the last change (apex-ctl sync: at once), atomically, so the
 * journal need not be replayed from far back.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "acl.h"
#include "error.h"
#include "ipc.h"
#include "log.h"
#include "pkt.h"
#include "rr.h"
#include "update.h"
#include "update_policy.h"
#include "xferd.h"

/* One update waiting for its answer. */
struct xupd {
	struct xupd		*next;
	uint8_t			*msg;
	size_t			 len;	/* up to its TSIG record */
	struct pkt_query	 q;
	struct tsig_ctx		 tsig;
	bool			 signed_;
	const struct tsig_key	*key;
	bool			 local;	/* from one of our own addresses */
	char			 who[96];
	struct timespec		 t0;
	uint16_t		 rcode;
	char			 why[128];
	bool			 gone;	/* its connection closed */
	/* Where the answer goes: a TCP connection (out.c), or back
	 * through the parent to the worker's UDP socket. */
	struct xout		*conn;
	struct ipc_update	 udp;
};

static double
elapsed(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) +
	    (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/* The answer: the header and zone section, signed as the request was. */
static size_t
build_answer(struct xupd *u, uint16_t tsig_error, uint8_t *buf, size_t cap)
{
	struct pkt_writer w;
	uint16_t flags = PKT_QR | (u->q.flags & 0x7800) | (u->rcode & 0xf);

	pkt_writer_init(&w, buf, cap);
	if (pkt_put_header_question(&w, u->q.id, flags, u->q.has_question ?
	    u->q.qname : NULL, u->q.qtype, u->q.qclass) != 0)
		return 0;
	size_t len = w.len;
	if (u->signed_ && tsig_sign(&u->tsig, w.buf, &len, cap,
	    (uint64_t)time(NULL), tsig_error, u->q.id) != 0)
		len = w.len;
	return len;
}

static void
xupd_free(struct xupd *u)
{
	tsig_ctx_free(&u->tsig);
	free(u->msg);
	free(u);
}

/* Sends the answer with RCODE u->rcode and frees u. */
static void
answer(struct xupd *u, uint16_t tsig_error)
{
	if (u->gone) {
		xupd_free(u);
		return;
	}
	uint8_t *buf = xmalloc(PKT_MAXLEN);
	size_t len = build_answer(u, tsig_error, buf, u->conn ? PKT_MAXLEN :
	    512);

	if (u->conn != NULL)
		xout_update_answer(u->conn, buf, len);
	else if (len > 0) {
		struct msg_buf *b = xmalloc(sizeof(*b));
		u->udp.data = buf;
		u->udp.len = len;
		msg_buf_init(b);
		ipc_put_update(b, &u->udp);
		if (msg_send(xd.parent, MSG_XP_UPDATE, 0, b, -1) != 0)
			fatal("parent");
		free(b);
	}
	free(buf);
	xupd_free(u);
}

/* The counters and the log line of an answered update. */
static void
account(struct xzone *z, struct xupd *u)
{
	static const double bounds[XFR_UPDATE_BUCKETS - 1] = {
		0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1.0,
	};
	double secs = elapsed(&u->t0);
	unsigned k = 0;

	while (k < XFR_UPDATE_BUCKETS - 1 && secs > bounds[k])
		k++;
	z->count[XC_UPD_LATENCY + k]++;
	z->count[XC_UPD_LATENCY_SUM] += (uint64_t)(secs * 1e6);
	switch (u->rcode) {
	case RCODE_NOERROR:
		z->count[XC_UPD_OK]++;
		break;
	case RCODE_REFUSED:
	case RCODE_NOTAUTH:
		z->count[XC_UPD_REFUSED]++;
		break;
	case RCODE_SERVFAIL:
		z->count[XC_UPD_FAILED]++;
		break;
	default:
		z->count[XC_UPD_REJECTED]++;
	}
	/* Every update, with its client and key, as BIND logs them. */
	log_cat(u->rcode == RCODE_REFUSED ? LOGC_UPDATE_SECURITY :
	    LOGC_UPDATE, LOG_LEVEL_INFO, "client %s: update of zone %s: %s%s%s",
	    u->who, z->cz->name, rr_rcode_str(u->rcode), u->why[0] ?
	    ": " : "", u->why);
}

/* Answers every update of a list with its RCODE. */
static void
answer_all(struct xzone *z, struct xupd *list)
{
	while (list != NULL) {
		struct xupd *next = list->next;
		account(z, list);
		answer(list, 0);
		list = next;
	}
	xferd_report(z);
}

struct policy_arg {
	const struct conf_zone	*cz;
	const struct tsig_key	*key;
	bool			 local;
};

/* RFC 2136 3.3 with update-policy: per record, by the signer's key. */
static bool
policy_allows(void *arg, const uint8_t *name, uint16_t type)
{
	const struct policy_arg *pa = arg;

	return pa->key != NULL && update_policy_allows(pa->cz->update_policy,
	    pa->cz->origin, pa->key->name, name, type, pa->local);
}

static void	commit(struct xzone *z);

static void
commit_cb(evutil_socket_t fd, short events, void *arg)
{
	commit(arg);
}

/* Waits for the zone's next commit, which runs once the events that
 * are ready have run, so updates arriving together share it. */
static void
enqueue(struct xzone *z, struct xupd *u)
{
	struct xupd **p = &z->upd_wait;

	while (*p != NULL)
		p = &(*p)->next;
	*p = u;
	if (z->upd_ev == NULL && (z->upd_ev = evtimer_new(xd.base, commit_cb,
	    z)) == NULL)
		fatalx("evtimer_new");
	if (z->upd_sent == NULL) {
		static const struct timeval now = { 0, 0 };
		evtimer_add(z->upd_ev, &now);
	}
}

/*
 * The checks of one update that need no zone data: the zone, its class,
 * frozen, allow-update (update-policy is asked per record later).
 * Returns: the zone, or NULL with u->rcode set.
 */
static struct xzone *
admit(struct xupd *u, const struct sockaddr *peer)
{
	struct xzone *z = u->q.has_question ? xferd_zone(u->q.lname) : NULL;
	const char *key = u->key ? u->key->name_str : NULL;

	if (u->q.qdcount != 1 || u->q.qtype != TYPE_SOA) {
		u->rcode = RCODE_FORMERR;	/* RFC 2136 3.1.1 */
		return NULL;
	}
	if (z == NULL || !dname_equal(u->q.lname, z->cz->origin) ||
	    u->q.qclass != z->cz->rclass) {
		u->rcode = RCODE_NOTAUTH;	/* RFC 2136 3.1.2 */
		return NULL;
	}
	if (!z->cz->dynamic || z->frozen) {
		snprintf(u->why, sizeof(u->why), "%s", z->frozen ? "the "
		    "zone is frozen" : "the zone takes no updates");
		u->rcode = RCODE_REFUSED;
		return z;
	}
	if (z->cz->allow_update != NULL ? !acl_allows(z->cz->allow_update,
	    peer, key) : key == NULL) {
		snprintf(u->why, sizeof(u->why), "denied");
		u->rcode = RCODE_REFUSED;
		return z;
	}
	if (xferd_base(z) == NULL) {
		u->rcode = RCODE_SERVFAIL;
		return z;
	}
	return z;
}

struct ximage *
xferd_base(const struct xzone *z)
{
	return conf_zone_signed(z->cz) ? z->uimg : z->img;
}

/*
 * An UPDATE: from a connection (conn, already parsed into q with its
 * TSIG checked into tsig, which is taken over) or from UDP (conn NULL,
 * src the way back). Answered now if it is refused, else queued.
 */
void
xupdate_request(const uint8_t *req, size_t len, const struct pkt_query *q,
    struct tsig_ctx *tsig, bool signed_, const struct sockaddr *peer,
    const char *who, struct xout *conn, const struct ipc_update *src)
{
	struct xupd *u = xcalloc(1, sizeof(*u));

	clock_gettime(CLOCK_MONOTONIC, &u->t0);
	u->q = *q;
	if (signed_) {
		u->tsig = *tsig;
		memset(tsig, 0, sizeof(*tsig));
		u->signed_ = true;
		u->key = u->tsig.key;
	}
	u->len = q->tsig ? q->tsig_pos : len;
	u->msg = xmalloc(u->len);
	memcpy(u->msg, req, u->len);
	snprintf(u->who, sizeof(u->who), "%s", who);
	u->local = acl_allows(xd.conf->localhost, peer, NULL);
	u->conn = conn;
	if (src != NULL)
		u->udp = *src;
	struct xzone *z = admit(u, peer);
	if (u->rcode != RCODE_NOERROR) {
		if (z != NULL) {
			account(z, u);
			xferd_report(z);
		}
		answer(u, 0);
		return;
	}
	enqueue(z, u);
}

/* An UPDATE that came over UDP through the parent: parsed and its TSIG
 * checked here, as out.c does for a connection's. */
void
xupdate_udp(const struct ipc_update *src)
{
	struct pkt_query q;
	struct tsig_ctx tsig;
	char who[96];
	bool signed_;
	uint16_t tsig_error, rcode;

	memset(&tsig, 0, sizeof(tsig));
	if (!xferd_read_request(src->data, src->len,
	    (const struct sockaddr *)&src->peer, &q, &tsig, &signed_, &rcode,
	    &tsig_error, who, sizeof(who)))
		return;
	if (rcode != RCODE_NOERROR) {
		struct xupd *u = xcalloc(1, sizeof(*u));
		u->q = q;
		u->tsig = tsig;
		u->signed_ = signed_;
		u->udp = *src;
		u->rcode = rcode;
		answer(u, tsig_error);
		return;
	}
	xupdate_request(src->data, src->len, &q, &tsig, signed_,
	    (const struct sockaddr *)&src->peer, who, NULL, src);
	tsig_ctx_free(&tsig);
}

static void
build_report(void *arg, uint32_t tag, bool error, const char *msg)
{
	char *err = arg;

	if (error && err[0] == '\0')
		snprintf(err, 256, "%s", msg);
}

/*
 * The new version from the batch: built and checked as a loaded zone,
 * its difference in the journal (durable), its image on its way to the
 * parent. Returns: false, with err, if nothing changed.
 */
static bool
publish(struct xzone *z, struct update *up, char *err)
{
	const struct conf_zone *cz = z->cz;
	struct zone_builder *zb = zone_builder_new(cz->origin, cz->rclass,
	    build_report, err);
	struct rrbuf del, add;
	uint32_t serial = 0, last;
	void *blob = NULL;
	size_t size = 0;
	bool ok = false;

	rrbuf_init(&del);
	rrbuf_init(&add);
	zone_builder_set_limits(zb, cz->max_records_per_type,
	    cz->max_types_per_name, 0);
	if (update_finish(up, (enum serial_method)cz->serial_update_method,
	    (uint64_t)time(NULL), &serial, &del, &add, zb) != 0) {
		snprintf(err, 256, "the zone has no SOA");
		zone_builder_free(zb);
		goto out;
	}
	int rc = zone_builder_finish(zb, &blob, &size);
	zone_builder_free(zb);
	if (rc != 0) {
		if (err[0] == '\0')
			snprintf(err, 256, "the zone does not build: %s",
			    apex_strerror(rc));
		goto out;
	}
	struct journal *j = xferd_update_journal(z);
	const struct ximage *base = xferd_base(z);
	if (j == NULL) {
		snprintf(err, 256, "the journal cannot be opened: %s",
		    strerror(errno));
		goto out;
	}
	/* The journal must lead to the version updated, or the difference
	 * would not apply to what a secondary (or the loader) has. */
	if (journal_last(j, &last) && last != base->serial &&
	    journal_reset(j) != 0)
		goto io;
	if (journal_append(j, base->serial, serial, &del, &add) != 0)
		goto io;
	if (!xferd_load(cz, serial, blob, size, err, 256))
		goto out;
	log_cat(LOGC_UPDATE, LOG_LEVEL_INFO, "zone %s: serial %u to %u, %u "
	    "records deleted, %u added", cz->name, base->serial, serial,
	    del.count - 1, add.count - 1);
	z->upd_serial = serial;
	ok = true;
	goto out;
io:
	snprintf(err, 256, "journal %s: %s", j->path, strerror(errno));
out:
	free(blob);
	rrbuf_free(&del);
	rrbuf_free(&add);
	return ok;
}

/* Applies every waiting update to the image served, as one version. */
static void
commit(struct xzone *z)
{
	struct xupd *list = z->upd_wait, **tail = &z->upd_sent;
	struct xupd *done = NULL;
	char err[256] = "";

	if (z->upd_sent != NULL || list == NULL)
		return;		/* the answer to the last commit comes first */
	z->upd_wait = NULL;
	struct ximage *base = xferd_base(z);
	if (base == NULL || z->frozen) {
		for (struct xupd *u = list; u != NULL; u = u->next)
			u->rcode = z->frozen ? RCODE_REFUSED : RCODE_SERVFAIL;
		answer_all(z, list);
		return;
	}
	struct update *up = update_begin(&base->z);
	if (conf_zone_signed(z->cz))
		update_set_policy(up);
	struct policy_arg pa = { z->cz, NULL, false };
	for (struct xupd *u = list, *next; u != NULL; u = next) {
		next = u->next;
		pa.key = u->key;
		pa.local = u->local;
		u->rcode = update_apply(up, u->msg, u->len,
		    z->cz->update_policy ? policy_allows : NULL, &pa, u->why,
		    sizeof(u->why));
		/* Refused or failed ones are answered now; the rest when
		 * their version is served. */
		u->next = NULL;
		if (u->rcode == RCODE_NOERROR) {
			*tail = u;
			tail = &u->next;
		} else {
			u->next = done;
			done = u;
		}
	}
	if (z->upd_sent != NULL && update_changed(up) && !publish(z, up,
	    err)) {
		xferd_error(z, LOGC_UPDATE, "update not applied: %s", err);
		for (struct xupd *u = z->upd_sent; u != NULL; u = u->next) {
			u->rcode = RCODE_SERVFAIL;
			snprintf(u->why, sizeof(u->why), "%s", err);
		}
		*tail = done;
		done = z->upd_sent;
		z->upd_sent = NULL;
	} else if (z->upd_sent != NULL && !update_changed(up)) {
		/* Nothing to publish: answered at once (RFC 2136 3.8 asks
		 * for NOERROR all the same). */
		*tail = done;
		done = z->upd_sent;
		z->upd_sent = NULL;
	} else if (z->upd_sent != NULL)
		z->unsynced = true;	/* the timer starts once it is served */
	update_free(up);
	if (done != NULL)
		answer_all(z, done);
}

/* The parent serves serial now: the updates of that version are
 * answered, and the next commit may run. */
void
xupdate_served(struct xzone *z, uint32_t serial)
{
	if (z->upd_sent == NULL || serial != z->upd_serial)
		return;
	struct xupd *list = z->upd_sent;
	z->upd_sent = NULL;
	xupdate_arm_sync(z);
	answer_all(z, list);
	if (z->upd_wait != NULL)
		commit(z);
}

/* A connection closed: its updates are still applied, unanswered. */
void
xupdate_conn_gone(struct xout *conn)
{
	for (unsigned i = 0; i < xd.nzones; i++)
		for (int k = 0; k < 2; k++)
			for (struct xupd *u = k ? xd.zones[i].upd_sent :
			    xd.zones[i].upd_wait; u != NULL; u = u->next)
				if (u->conn == conn) {
					u->conn = NULL;
					u->gone = true;
				}
}

/*
 * Writes the version served to the zone file (a temporary file, fsync,
 * rename), so that a restart need not replay the journal from far
 * back. Returns: false with err.
 */
static bool
sync_zone(struct xzone *z, char *err, size_t errlen)
{
	char comment[256];

	if (!z->unsynced)
		return true;
	struct ximage *base = xferd_base(z);
	if (base == NULL) {
		snprintf(err, errlen, "nothing loaded");
		return false;
	}
	snprintf(comment, sizeof(comment), "zone %s, serial %u, with its "
	    "dynamic updates", z->cz->name, base->serial);
	if (zwrite_file(z->cz->file, &base->z, comment, err, errlen) != 0)
		return false;
	/* Updates not served yet are in the journal, not the file. */
	z->unsynced = z->upd_sent != NULL;
	/* Only now may max-journal-size drop old differences: before, the
	 * journal was all that had them. */
	struct journal *j = xferd_update_journal(z);
	if (!z->unsynced && j != NULL && journal_trim(j,
	    z->cz->xfr.max_journal_size) != 0)
		log_cat(LOGC_UPDATE, LOG_LEVEL_WARN, "zone %s: journal %s: %s",
		    z->cz->name, j->path, strerror(errno));
	log_cat(LOGC_UPDATE, LOG_LEVEL_INFO, "zone %s: written to %s at "
	    "serial %u", z->cz->name, z->cz->file, base->serial);
	xferd_report(z);
	return true;
}

static void
sync_cb(evutil_socket_t fd, short events, void *arg)
{
	struct xzone *z = arg;
	char err[256];

	if (z->upd_sent != NULL)
		return;		/* re-armed once that version is served */
	if (!sync_zone(z, err, sizeof(err)))
		xferd_error(z, LOGC_UPDATE, "zone file not written: %s; the "
		    "journal keeps the updates", err);
	else if (z->unsynced)
		xupdate_arm_sync(z);
}

/* The zone file is written update-sync-delay seconds after the last
 * change is served (a quiet time: a steady stream of updates defers
 * it, and the journal has them all meanwhile). */
void
xupdate_arm_sync(struct xzone *z)
{
	struct timeval tv = { (time_t)z->cz->update_sync_delay, 0 };

	if (z->sync_ev == NULL && (z->sync_ev = evtimer_new(xd.base, sync_cb,
	    z)) == NULL)
		fatalx("evtimer_new");
	evtimer_add(z->sync_ev, &tv);
}

/*
 * apex-ctl sync, freeze and thaw (rndc's). Freeze writes the zone file
 * and refuses updates, so the file can be edited by hand; thaw lets them
 * in again once the parent has loaded the edited file (the next image
 * it sends). Returns: whether it worked, with text for apex-ctl.
 */
bool
xupdate_command(struct xzone *z, uint32_t cmd, char *text, size_t n)
{
	char err[256];

	if (!z->cz->dynamic) {
		snprintf(text, n, "zone %s is not dynamic (no allow-update or "
		    "update-policy)", z->cz->name);
		return false;
	}
	if (cmd != CTL_THAW && !sync_zone(z, err, sizeof(err))) {
		snprintf(text, n, "zone %s: the zone file was not written: "
		    "%s", z->cz->name, err);
		return false;
	}
	if (z->sync_ev != NULL && !z->unsynced)
		evtimer_del(z->sync_ev);
	switch (cmd) {
	case CTL_SYNC:
		snprintf(text, n, "zone %s written to %s", z->cz->name,
		    z->cz->file);
		return true;
	case CTL_FREEZE:
		z->frozen = true;
		z->thawing = false;
		snprintf(text, n, "zone %s frozen: updates are refused; edit "
		    "%s, raise the SOA serial, then run apex-ctl thaw %s",
		    z->cz->name, z->cz->file, z->cz->name);
		break;
	default:
		if (!z->frozen) {
			snprintf(text, n, "zone %s is not frozen",
			    z->cz->name);
			return false;
		}
		z->thawing = true;
		snprintf(text, n, "zone %s thawed", z->cz->name);
		break;
	}
	log_cat(LOGC_UPDATE, LOG_LEVEL_INFO, "%s", text);
	xferd_report(z);
	return true;
}

/* A new image from the parent: after a thaw, the edited file's. */
void
xupdate_new_image(struct xzone *z)
{
	if (z->thawing) {
		z->thawing = false;
		z->frozen = false;
		xferd_report(z);
	}
}
