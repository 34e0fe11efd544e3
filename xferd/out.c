/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * Outgoing zone transfers: AXFR from the zone image, IXFR from the
 * journal, on connections handed over by the workers.
 * Runs in: apex-xferd (unprivileged, seccomp).
 *
 * A worker hands over the TCP connection of an AXFR or IXFR request it
 * has already checked; it is checked again here (allow-transfer, TSIG,
 * the zone), because this process signs the answer and must not trust
 * that it was asked for one. AXFR streams the zone image (RFC 5936):
 * SOA, every other record in canonical order, SOA, in messages of up to
 * 64 KiB with names compressed; IXFR (RFC 1995) streams the journal
 * records from the client's serial on, or the whole zone when the
 * journal does not reach back that far. With TSIG, every message is
 * signed.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "acl.h"
#include "error.h"
#include "log.h"
#include "pkt.h"
#include "rr.h"
#include "xferd.h"

#define OUT_IDLE	60	/* seconds a client may stall a transfer */
#define NEXT_IDLE	10	/* seconds to wait for another request */
#define INBUF		(2 + PKT_MAXLEN)
#define MESSAGE_SIZE	16384	/* per message, as BIND's default */
#define MESSAGES_PER_TURN	16	/* before other events run */

enum phase {
	P_REQUEST,	/* waiting for a (further) request */
	P_FIRST_SOA,
	P_AXFR,		/* the image's records */
	P_JOURNAL,	/* journal records */
	P_LAST_SOA,
	P_END,		/* the last message is going out */
	P_UPDATE,	/* an update waits for its answer (update.c) */
};

struct xout {
	int			 fd;
	struct event		*rev, *wev;
	struct sockaddr_storage	 peer;
	char			 who[80];	/* "addr#port (key k)" */
	uint8_t			*in;
	size_t			 inlen;
	uint8_t			*out;		/* one message, length first */
	size_t			 outlen, outoff;

	struct xzone		*z;
	struct ximage		*img;
	struct pkt_query	 q;
	uint16_t		 qtype;
	struct tsig_ctx		 tsig;
	bool			 signed_;
	const char		*kind;		/* "AXFR", "IXFR", ... */
	enum phase		 phase;
	bool			 first;		/* no message sent yet */
	bool			 running;	/* counted in out_running */
	bool			 close_after;	/* an error was answered */

	/* AXFR: where in the image */
	uint32_t		 node;
	unsigned		 rsi;
	const struct zone_rrset	*rs;
	unsigned		 reci;
	const uint8_t		*rec;
	/* IXFR: which journal record, which list, where in it */
	unsigned		 jnext, jend;
	unsigned		 jgen;		/* journal's, at the start */
	struct rrbuf		 del, add;
	int			 list;		/* 0 del, 1 add, 2 done */
	size_t			 lpos;		/* the next record */
	size_t			 lsize;		/* of the one next_rr() gave */

	unsigned		 messages;
	uint64_t		 records, octets;
	struct timespec		 t0;
};

static void
xout_free(struct xout *x)
{
	if (x->phase == P_UPDATE)
		xupdate_conn_gone(x);
	if (x->running)
		xd.out_running--;
	event_free(x->rev);
	event_free(x->wev);
	close(x->fd);
	ximage_unref(x->img);
	tsig_ctx_free(&x->tsig);
	rrbuf_free(&x->del);
	rrbuf_free(&x->add);
	free(x->in);
	free(x->out);
	free(x);
}

static void
xout_fail(struct xout *x, const char *why)
{
	if (x->z != NULL) {
		x->z->count[XC_OUT_FAILED]++;
		log_cat(LOGC_XFER_OUT, LOG_LEVEL_WARN, "client %s: %s of "
		    "zone %s failed: %s", x->who, x->kind, x->z->cz->name,
		    why);
		xferd_report(x->z);
	}
	xout_free(x);
}

/* Queues msg[0..len) with its length. */
static void
xout_queue(struct xout *x, const uint8_t *msg, size_t len)
{
	put16(x->out, (uint16_t)len);
	if (msg != x->out + 2)
		memmove(x->out + 2, msg, len);
	x->outlen = len + 2;
	x->outoff = 0;
	x->octets += len;
	x->messages++;
}

/*
 * RFC 6891 7: a request with OPT gets OPT in every message. With expire,
 * a request with the EXPIRE option for a secondary zone learns the time
 * left before the zone expires (RFC 7314 4), as BIND tells it: in the
 * first message, for secondaries only.
 */
static void
put_opt(const struct xout *x, struct pkt_writer *w, bool expire)
{
	const struct xzone *z = x->z;
	time_t now = time(NULL);
	uint8_t opt[8];
	size_t n = 0;

	if (!x->q.edns)
		return;
	if (expire && x->q.expire && z != NULL && z->cz->type ==
	    ZONE_SECONDARY && !z->expired && z->expires >= now) {
		put16(opt, EDNS_EXPIRE);
		put16(opt + 2, 4);
		put32(opt + 4, (uint32_t)(z->expires - now));
		n = 8;
	}
	if (w->cap + 11 + n <= PKT_MAXLEN)
		w->cap += 11 + n;
	if (pkt_put_opt(w, xd.conf->edns_udp_size, 0, x->q.edns_do, opt,
	    n) == 0)
		pkt_count_add(w, 10, 1);
}

/* An answer with no records (an error), signed as the request was. */
static void
xout_error(struct xout *x, uint16_t rcode, uint16_t tsig_error)
{
	struct pkt_writer w;
	uint16_t flags = PKT_QR | (x->q.flags & 0x7800) | rcode;

	pkt_writer_init(&w, x->out + 2, PKT_MAXLEN);
	if (pkt_put_header_question(&w, x->q.id, flags, x->q.has_question ?
	    x->q.qname : NULL, x->q.qtype, x->q.qclass) != 0)
		return;
	put_opt(x, &w, false);
	size_t len = w.len;
	if (x->signed_ && tsig_sign(&x->tsig, w.buf, &len, PKT_MAXLEN,
	    (uint64_t)time(NULL), tsig_error, x->q.id) != 0)
		len = w.len;
	xout_queue(x, w.buf, len);
	x->phase = P_END;
	x->close_after = true;
}

/* The next record to send, or false at the end of the current phase. */
static bool
next_rr(struct xout *x, const uint8_t **owner, const uint8_t **wire8,
    const uint8_t **rec)
{
	const struct zone *z = &x->img->z;
	struct rrview v;

	if (x->phase == P_AXFR) {
		for (;;) {
			if (x->rs != NULL && x->reci < x->rs->count &&
			    x->rs->type != TYPE_SOA) {
				*owner = zone_node_name(z, zone_node(z,
				    x->node));
				*wire8 = x->rs->wire;
				*rec = x->rec;
				return true;
			}
			/* Next RRset, or the next node's first. */
			const struct zone_node *n = zone_node(z, x->node);
			if (x->rs != NULL && x->rsi + 1 < n->nrrsets) {
				x->rs = zone_rrset_next(x->rs);
				x->rsi++;
			} else {
				if (x->rs != NULL)
					x->node++;
				while (x->node < z->hdr->node_count &&
				    zone_node(z, x->node)->nrrsets == 0)
					x->node++;
				if (x->node >= z->hdr->node_count)
					return false;
				x->rs = zone_rrset_first(z, zone_node(z,
				    x->node));
				x->rsi = 0;
			}
			x->reci = 0;
			x->rec = zone_rrset_data(x->rs);
		}
	}
	/* P_JOURNAL */
	for (;;) {
		struct rrbuf *b = x->list == 0 ? &x->del : &x->add;
		size_t at = x->lpos;
		if (x->list < 2 && rrbuf_next(b->p, b->len, &at, &v) == 0) {
			/* lpos moves past it once it is in a message. */
			x->lsize = v.size;
			*owner = v.owner;
			*wire8 = v.wire8;
			*rec = v.rec;
			return true;
		}
		if (x->list == 0) {
			x->list = 1;
			x->lpos = 0;
			continue;
		}
		if (x->jnext >= x->jend)
			return false;
		if (x->z->j.gen != x->jgen) {
			/* Trimmed or emptied meanwhile: the indexes moved. */
			x->list = 3;
			return false;
		}
		rrbuf_reset(&x->del);
		rrbuf_reset(&x->add);
		if (journal_read(&x->z->j, x->jnext, &x->del, &x->add) != 0) {
			/* Cannot be served honestly: end the connection;
			 * the client retries and gets a whole zone once the
			 * journal is emptied. */
			log_cat(LOGC_XFER_OUT, LOG_LEVEL_WARN, "zone %s: "
			    "journal record %u is damaged; journal emptied",
			    x->z->cz->name, x->jnext);
			(void)journal_reset(&x->z->j);
			x->list = 3;
			return false;
		}
		x->jnext++;
		x->list = 0;
		x->lpos = 0;
	}
}

static void
consume_rr(struct xout *x)
{
	x->records++;
	if (x->phase == P_AXFR) {
		x->rec += 2 + get16(x->rec);
		x->reci++;
	} else
		x->lpos += x->lsize;
}

/*
 * Builds the next message of the transfer into x->out. Returns false
 * if it cannot go on (a damaged journal record, or a record that fits
 * in no message).
 */
static bool
build_message(struct xout *x)
{
	const struct zone_rrset *soa = zone_soa(&x->img->z);
	const uint8_t *origin = x->img->z.origin;
	size_t room = x->signed_ ? DNAME_MAXLEN * 2 + 32 + TSIG_MAXMAC : 0;
	struct pkt_writer w;
	unsigned n = 0;

	/* Room kept for OPT (put_opt() takes it) and TSIG. */
	pkt_writer_init(&w, x->out + 2, MESSAGE_SIZE - room - 11);
	/* RFC 5936 2.2.1: AA set; the question in the first message. */
	if (pkt_put_header_question(&w, x->q.id, PKT_QR | PKT_AA,
	    x->first ? x->q.qname : NULL, x->q.qtype, x->q.qclass) != 0)
		return false;
	for (;;) {
		const uint8_t *owner, *wire8, *rec;
		if (x->phase == P_FIRST_SOA || x->phase == P_LAST_SOA) {
			if (pkt_put_rr(&w, origin, soa->wire,
			    zone_rrset_data(soa), PKT_TTL_KEEP) != 0)
				break;
			n++;
			x->records++;
			if (x->phase == P_LAST_SOA) {
				x->phase = P_END;
				break;
			}
			x->phase = x->qtype == TYPE_AXFR ? P_AXFR : P_JOURNAL;
			if (x->phase == P_JOURNAL && x->jnext == x->jend)
				x->phase = P_END;	/* single SOA */
			if (x->phase == P_END)
				break;
			continue;
		}
		if (!next_rr(x, &owner, &wire8, &rec)) {
			if (x->list == 3)
				return false;
			x->phase = P_LAST_SOA;
			continue;
		}
		if (pkt_put_rr(&w, owner, wire8, rec, PKT_TTL_KEEP) != 0) {
			/* A record larger than a usual message goes in a
			 * message of its own, as large as it takes. */
			if (n > 0 || w.cap == PKT_MAXLEN - room - 11)
				break;
			w.cap = PKT_MAXLEN - room - 11;
			continue;
		}
		consume_rr(x);
		n++;
	}
	if (n == 0)
		return false;
	pkt_count_add(&w, 6, n);
	put_opt(x, &w, x->first);
	size_t len = w.len;
	if (x->signed_ && tsig_sign(&x->tsig, w.buf, &len, PKT_MAXLEN,
	    (uint64_t)time(NULL), 0, x->q.id) != 0)
		return false;
	xout_queue(x, w.buf, len);
	x->first = false;
	return true;
}

static void
xout_done(struct xout *x)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	double secs = (double)(t1.tv_sec - x->t0.tv_sec) +
	    (double)(t1.tv_nsec - x->t0.tv_nsec) / 1e9;
	log_cat(LOGC_XFER_OUT, LOG_LEVEL_INFO, "client %s: %s of zone %s "
	    "(serial %u) ended: %u messages, %llu records, %llu octets, "
	    "%.3f secs", x->who, x->kind, x->z->cz->name, x->img->serial,
	    x->messages, (unsigned long long)x->records,
	    (unsigned long long)x->octets, secs);
	x->z->count[XC_OUT_OK]++;
	xferd_report(x->z);
}

/* provide-ixfr: the server statement of the client, else the option. */
static bool
provide_ixfr(const struct xout *x)
{
	const struct conf_server *sv = conf_find_server(xd.conf,
	    (const struct sockaddr *)&x->peer);

	return sv != NULL && sv->provide_ixfr >= 0 ? sv->provide_ixfr :
	    xd.conf->provide_ixfr;
}

/*
 * Answers one request: queues the first message of a transfer, or an
 * error. Returns: false if the connection is to be closed instead.
 */
static bool
xout_request(struct xout *x, const uint8_t *req, size_t len)
{
	uint32_t serial = 0, last;
	uint16_t rcode, tsig_error;

	memset(&x->q, 0, sizeof(x->q));
	tsig_ctx_free(&x->tsig);
	memset(&x->tsig, 0, sizeof(x->tsig));
	x->signed_ = false;
	x->first = true;
	x->kind = "transfer";
	x->z = NULL;
	if (!xferd_read_request(req, len, (struct sockaddr *)&x->peer, &x->q,
	    &x->tsig, &x->signed_, &rcode, &tsig_error, x->who,
	    sizeof(x->who)))
		return false;
	if (rcode != RCODE_NOERROR) {
		xout_error(x, rcode, tsig_error);
		return true;
	}
	const char *key = x->tsig.key ? x->tsig.key->name_str : NULL;
	x->qtype = x->q.qtype;
	if (PKT_OPCODE(x->q.flags) == OPCODE_UPDATE) {
		/* Answered once applied (or refused); nothing more is read
		 * from the connection until then. */
		x->kind = "update";
		x->phase = P_UPDATE;
		xupdate_request(req, len, &x->q, &x->tsig, x->signed_,
		    (struct sockaddr *)&x->peer, x->who, x, NULL);
		x->signed_ = false;
		return true;
	}
	/* Only transfers are served here. */
	if (PKT_OPCODE(x->q.flags) != OPCODE_QUERY || (x->qtype != TYPE_AXFR &&
	    x->qtype != TYPE_IXFR))
		return false;
	x->kind = x->qtype == TYPE_AXFR ? "AXFR" : "IXFR";
	struct xzone *z = xferd_zone(x->q.lname);
	if (z == NULL || x->q.qclass != z->cz->rclass ||
	    !dname_equal(x->q.lname, z->cz->origin)) {
		xout_error(x, RCODE_NOTAUTH, 0);
		return true;
	}
	x->z = z;
	const struct acl *acl = z->cz->allow_transfer ?
	    z->cz->allow_transfer : xd.conf->allow_transfer;
	if (acl == NULL || !acl_allows(acl, (struct sockaddr *)&x->peer,
	    key)) {
		log_cat(LOGC_SECURITY, LOG_LEVEL_INFO, "client %s: %s of zone "
		    "%s denied", x->who, x->kind, z->cz->name);
		z->count[XC_OUT_FAILED]++;
		xout_error(x, RCODE_REFUSED, 0);
		return true;
	}
	if (z->img == NULL || z->expired) {
		xout_error(x, RCODE_SERVFAIL, 0);
		return true;
	}
	if (xd.out_running >= xd.conf->transfers_out) {
		log_cat(LOGC_XFER_OUT, LOG_LEVEL_INFO, "client %s: %s of zone "
		    "%s refused: transfers-out (%u) reached", x->who, x->kind,
		    z->cz->name, xd.conf->transfers_out);
		xout_error(x, RCODE_REFUSED, 0);
		return true;
	}
	/* RFC 1995 3: the client's version, as the SOA in authority. */
	if (x->qtype == TYPE_IXFR && !x->q.has_soa) {
		xout_error(x, RCODE_FORMERR, 0);
		return true;
	}
	serial = x->q.soa_serial;
	x->running = true;
	xd.out_running++;
	ximage_unref(x->img);
	x->img = z->img;
	x->img->refs++;
	x->phase = P_FIRST_SOA;
	x->node = 0;
	x->rs = NULL;
	x->messages = 0;
	x->records = x->octets = 0;
	x->list = 2;	/* the first journal record is read when needed */
	x->lpos = 0;
	x->jnext = x->jend = 0;
	clock_gettime(CLOCK_MONOTONIC, &x->t0);
	if (x->qtype == TYPE_IXFR && !rr_serial_gt(x->img->serial, serial))
		x->kind = "IXFR (up to date)";	/* RFC 1995 2: one SOA */
	else if (x->qtype == TYPE_IXFR && !provide_ixfr(x)) {
		x->qtype = TYPE_AXFR;	/* provide-ixfr no (RFC 1995 4) */
		x->kind = "IXFR (whole zone: provide-ixfr no)";
	} else if (x->qtype == TYPE_IXFR) {
		int first = xferd_journal(z) ? journal_find(&z->j, serial) :
		    -1;
		/* The journal may already hold the difference of an
		 * update not yet served: the records up to the version
		 * served are the answer. */
		unsigned end = first < 0 ? 0 : (unsigned)first;
		while (end < z->j.n && z->j.e[end].to != x->img->serial)
			end++;
		if (first < 0 || end == z->j.n || !journal_last(&z->j, &last)) {
			/* RFC 1995 4: the whole zone, AXFR-style. */
			x->qtype = TYPE_AXFR;
			x->kind = "IXFR (whole zone)";
		} else {
			x->jnext = (unsigned)first;
			x->jend = end + 1;
			x->jgen = z->j.gen;
		}
	}
	log_cat(LOGC_XFER_OUT, LOG_LEVEL_INFO, "client %s: %s of zone %s "
	    "started (serial %u)", x->who, x->kind, z->cz->name,
	    x->img->serial);
	if (!build_message(x)) {
		x->running = false;
		xd.out_running--;
		z->count[XC_OUT_FAILED]++;
		log_cat(LOGC_XFER_OUT, LOG_LEVEL_WARN, "client %s: %s of "
		    "zone %s failed: a damaged journal", x->who, x->kind,
		    z->cz->name);
		xferd_report(z);
		return false;
	}
	return true;
}

/*
 * The next complete request in the input, if any.
 * Returns: 1 a message is queued, 0 no complete request yet, -1 close.
 */
static int
xout_next_request(struct xout *x)
{
	if (x->close_after)
		return -1;
	if (x->inlen < 2 || x->inlen - 2 < get16(x->in))
		return 0;
	size_t len = get16(x->in);
	uint8_t *req = xmalloc(len + 1);
	memcpy(req, x->in + 2, len);
	memmove(x->in, x->in + 2 + len, x->inlen - 2 - len);
	x->inlen -= 2 + len;
	bool ok = xout_request(x, req, len);
	free(req);
	return ok ? 1 : -1;
}

/* Sends what is queued and builds more, until the socket is full or the
 * transfer is over. */
static void
xout_writable(evutil_socket_t fd, short events, void *arg)
{
	static const struct timeval idle = { OUT_IDLE, 0 };
	static const struct timeval next = { NEXT_IDLE, 0 };
	struct xout *x = arg;
	unsigned built = 0;

	if (events & EV_TIMEOUT) {
		xout_fail(x, "the client stopped reading");
		return;
	}
	for (;;) {
		while (x->outoff < x->outlen) {
			ssize_t n = write(x->fd, x->out + x->outoff,
			    x->outlen - x->outoff);
			if (n < 0 && errno == EINTR)
				continue;
			if (n < 0 && errno == EAGAIN) {
				event_add(x->wev, &idle);
				return;
			}
			if (n <= 0) {
				xout_fail(x, "the connection broke");
				return;
			}
			x->outoff += (size_t)n;
		}
		x->outlen = x->outoff = 0;
		if (x->phase == P_END) {
			if (x->running) {
				xout_done(x);
				xd.out_running--;
				x->running = false;
			}
			x->phase = P_REQUEST;
		}
		if (x->phase == P_REQUEST) {
			/* RFC 5936 4.1: more requests may follow on the same
			 * connection. */
			int r = xout_next_request(x);
			if (r < 0) {
				xout_free(x);
				return;
			}
			if (r == 0) {
				event_del(x->wev);
				event_add(x->rev, &next);
				return;
			}
			continue;
		}
		if (x->phase == P_UPDATE) {
			event_del(x->wev);
			return;
		}
		/* Others get their turn: transfers, timers, the parent. */
		if (++built > MESSAGES_PER_TURN) {
			event_add(x->wev, &idle);
			return;
		}
		if (!build_message(x)) {
			xout_fail(x, "a damaged journal, or a record too "
			    "large");
			return;
		}
	}
}

void
xout_update_answer(struct xout *x, const uint8_t *msg, size_t len)
{
	static const struct timeval idle = { OUT_IDLE, 0 };

	if (len > 0)
		xout_queue(x, msg, len);
	else
		x->close_after = true;	/* no answer could be built */
	x->phase = P_END;
	event_add(x->wev, &idle);
}

static void
xout_readable(evutil_socket_t fd, short events, void *arg)
{
	struct xout *x = arg;

	if ((events & EV_TIMEOUT) || x->inlen == INBUF) {
		xout_free(x);
		return;
	}
	ssize_t n = read(x->fd, x->in + x->inlen, INBUF - x->inlen);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		xout_free(x);
		return;
	}
	x->inlen += (size_t)n;
	if (x->inlen >= 2 && x->inlen - 2 >= get16(x->in)) {
		event_del(x->rev);
		xout_writable(x->fd, EV_WRITE, x);
	}
}

void
xout_start(int fd, const struct sockaddr *peer, socklen_t peerlen,
    const uint8_t *data, size_t len)
{
	struct xout *x = xcalloc(1, sizeof(*x));

	x->fd = fd;
	(void)fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	/* The client's address from the socket itself; the worker's word
	 * only if the socket cannot tell. */
	socklen_t sl = sizeof(x->peer);
	if (getpeername(fd, (struct sockaddr *)&x->peer, &sl) != 0) {
		if (peerlen > sizeof(x->peer))
			peerlen = sizeof(x->peer);
		memcpy(&x->peer, peer, peerlen);
	}
	x->in = xmalloc(INBUF);
	x->out = xmalloc(2 + PKT_MAXLEN);
	x->inlen = len < INBUF ? len : INBUF;
	memcpy(x->in, data, x->inlen);
	x->phase = P_REQUEST;
	x->list = 2;
	rrbuf_init(&x->del);
	rrbuf_init(&x->add);
	x->rev = event_new(xd.base, fd, EV_READ | EV_PERSIST, xout_readable,
	    x);
	x->wev = event_new(xd.base, fd, EV_WRITE | EV_PERSIST, xout_writable,
	    x);
	if (x->rev == NULL || x->wev == NULL)
		fatalx("event_new");
	xout_writable(fd, EV_WRITE, x);
}
