/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * A query worker. It maps the zone images read-only, drops privileges,
 * enters its seccomp sandbox, then answers: UDP in batches (recvmmsg,
 * query_process for each, one sendmmsg), TCP with pipelining (RFC 7766
 * 6.2.1.1: every complete query in a read is answered and the answers
 * leave in one write). New zone images arrive from the parent as fds and
 * are swapped in between two events, so no query sees half a reload.
 * Nothing is allocated per query; a TCP connection gets its buffers when
 * it is accepted.
 * Runs in: worker (forked by the parent; unprivileged, seccomp).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>

#include <event2/event.h>

#include "acl.h"
#include "chaos.h"
#include "error.h"
#include "log.h"
#include "ipc.h"
#include "msg.h"
#include "notify_relay.h"
#include "update_relay.h"
#include "query.h"
#include "rr.h"
#include "rrl.h"
#include "sandbox.h"
#include "worker.h"
#include "zone.h"
#include "zonetab.h"

#define UDP_BATCH	64
#define UDP_BUFSIZE	4096	/* largest query read, largest answer sent */
#define UDP_ROUNDS	8	/* batches per wakeup before yielding */
#define TCP_INBUF	(2 + PKT_MAXLEN)
#define TCP_OUT_HIGH	(128 * 1024)	/* stop reading above this backlog */
#define TCP_PIPELINE	64	/* answers queued before reading stops */
#define RETIRE_GRACE	5	/* seconds to finish TCP answers */

struct tcp_conn {
	int			 fd;
	unsigned		 sock;		/* index of the listener */
	struct event		*rev, *wev;
	struct event		*timer;		/* tcp-idle-timeout, restarted
						 * only by progress */
	struct sockaddr_storage	 peer;
	uint8_t			*in;
	size_t			 inlen;
	uint8_t			*out;
	size_t			 outlen, outoff, outcap;
	unsigned		 queued;	/* answers since out[] was
						 * last empty */
	bool			 paused;	/* reading stopped: unread
						 * answers */
	bool			 eof;		/* peer closed its side */
	bool			 handoff;	/* in[] starts with a transfer
						 * request for apex-xferd */
	struct tcp_conn		*next_free;
};

static struct worker_state {
	struct event_base	*base;
	struct query_env	 env;
	struct zonetab		 zones;
	struct zonetab		 chaos;
	struct zone_mapping	*maps;		/* per conf zone */
	struct zone		*zone;		/* per conf zone, if mapped */
	bool			*expired;	/* per conf zone */
	uint64_t		*expires;	/* per conf zone: when */
	const struct conf_zone	**unavail;	/* for query_env */
	const struct worker_args *args;
	struct stats_block	*stats;
	struct rrl		 rrl;		/* with rate-limit */

	struct event		**udp_ev;
	struct event		**tcp_ev;
	char			(*local)[64];	/* "addr" of each socket */

	struct mmsghdr		 rx[UDP_BATCH], tx[UDP_BATCH];
	struct iovec		 riov[UDP_BATCH], tiov[UDP_BATCH];
	struct sockaddr_storage	 from[UDP_BATCH];
	uint8_t			(*rbuf)[UDP_BUFSIZE];
	uint8_t			(*tbuf)[UDP_BUFSIZE];

	struct tcp_conn		*conns;
	struct tcp_conn		*free_conns;
	unsigned		 max_conns, open_conns;
	unsigned		 per_address;	/* connections; 0: no limit */
	struct timeval		 tcp_idle;
	uint8_t			*tcp_resp;

	struct msg_buf		*qlog;		/* query log lines to send */
	struct msg		*in;		/* from the parent */
	bool			 retiring;
} w;

/* ---- zones -------------------------------------------------------- */

/* The zones that get SERVFAIL: configured, but not loaded or expired. */
static void
worker_update_unavailable(void)
{
	const struct conf *cf = w.args->conf;
	unsigned n = 0;

	for (unsigned i = 0; i < cf->nzones; i++)
		if (w.maps[i].base == NULL || w.expired[i])
			w.unavail[n++] = &cf->zones[i];
	w.env.unavailable = w.unavail;
	w.env.nunavailable = n;
}

/* A secondary zone expired (RFC 1035 4.3.5) or came back, or got a new
 * expiry time. */
static void
worker_expire_zone(uint32_t i, bool expired, uint64_t expires)
{
	const struct conf *cf = w.args->conf;

	if (i >= cf->nzones)
		return;
	w.expires[i] = expires;
	if (w.expired[i] == expired)
		return;
	w.expired[i] = expired;
	if (expired)
		zonetab_remove(&w.zones, w.zone[i].origin);
	else if (w.maps[i].base != NULL)
		zonetab_put(&w.zones, &w.zone[i], &cf->zones[i]);
	worker_update_unavailable();
}

static void
worker_map_zones(void)
{
	const struct conf *cf = w.args->conf;

	zonetab_init(&w.zones);
	w.maps = xcalloc(cf->nzones + 1, sizeof(*w.maps));
	w.zone = xcalloc(cf->nzones + 1, sizeof(*w.zone));
	w.expired = xcalloc(cf->nzones + 1, sizeof(*w.expired));
	w.expires = xcalloc(cf->nzones + 1, sizeof(*w.expires));
	w.env.expires = w.expires;
	w.unavail = xcalloc(cf->nzones + 1, sizeof(*w.unavail));
	for (unsigned i = 0; i < cf->nzones; i++) {
		int fd = w.args->zone_fd[i];
		struct zone z;
		if (fd < 0)
			continue;
		if (zone_map(fd, &z, &w.maps[i]) != 0)
			fatalx("zone %s: image is corrupt", cf->zones[i].name);
		close(fd);
		w.zone[i] = z;
		zonetab_put(&w.zones, &z, &cf->zones[i]);
	}
	worker_update_unavailable();
}

/* A new image for zone i: swapped in between two events. */
static void
worker_swap_zone(uint32_t i, int fd, uint32_t serial)
{
	const struct conf *cf = w.args->conf;
	struct zone_mapping m;
	struct zone z;
	struct msg_buf b;

	msg_buf_init(&b);
	ipc_put_wp_zone_ack(&b, serial);
	if (i >= cf->nzones || zone_map(fd, &z, &m) != 0) {
		close(fd);
		log_warnx("zone %u: new image rejected", i);
		if (msg_send(w.args->parent, MSG_WP_ZONE_BAD, i, &b, -1) != 0)
			fatal("parent");
		return;
	}
	close(fd);
	/* An expired zone stays expired until apex-xferd says otherwise
	 * (MSG_PW_EXPIRED), whatever version is loaded. */
	w.zone[i] = z;
	if (!w.expired[i])
		zonetab_put(&w.zones, &z, &cf->zones[i]);
	zone_unmap(&w.maps[i]);
	w.maps[i] = m;
	worker_update_unavailable();
	if (msg_send(w.args->parent, MSG_WP_ZONE_OK, i, &b, -1) != 0)
		fatal("parent");
}

/* ---- the query log ------------------------------------------------ */

static void
qlog_flush(void)
{
	if (w.qlog == NULL || w.qlog->len == 0)
		return;
	/* One MSG_LOG may carry many lines; the parent splits them. */
	struct msg_buf *b = w.qlog;
	if (b->len > 12) {
		uint32_t n = (uint32_t)(b->len - 12);
		memcpy(b->data + 8, &n, 4);
		if (msg_send(w.args->parent, MSG_LOG, 0, b, -1) != 0)
			w.stats->dropped_log_lines++;
	}
	msg_buf_init(b);
}

/* BIND's line: client @0x.. ADDR#PORT (NAME): query: NAME CLASS TYPE
 * FLAGS (SERVER) */
static void
qlog_add(const struct sockaddr *client, unsigned sock,
    const struct query_result *r)
{
	char name[DNAME_STRLEN], peer[64], cls[16], type[16], line[1400];

	if (!r->logged)
		return;
	dname_to_str(r->qname, name, sizeof(name));
	size_t nl = strlen(name);
	if (nl > 1)
		name[nl - 1] = '\0';	/* BIND prints no final dot */
	sockaddr_str(client, peer, sizeof(peer));
	int n = snprintf(line, sizeof(line),
	    "client @0x%x %s (%s): query: %s %s %s %s (%s)\n",
	    0x10000 + w.args->index, peer, name, name,
	    rr_class_str(r->qclass, cls), rr_type_str(r->qtype, type),
	    r->flags, w.local[sock]);
	if (n <= 0)
		return;
	if (w.qlog->len + (size_t)n > 60000)
		qlog_flush();
	if (w.qlog->len == 0) {
		uint32_t hdr[3] = { LOGC_QUERIES, LOG_LEVEL_INFO, 0 };
		msg_put_bytes(w.qlog, hdr, sizeof(hdr));
	}
	msg_put_bytes(w.qlog, line, (size_t)n);
}

/* ---- work for apex-xferd ------------------------------------------ */

/* An accepted NOTIFY: apex-xferd checks the primaries for a new
 * version, at most about once a second per zone (notify_relay.c). */
static void
worker_pass_notify(const struct query_result *res, const struct sockaddr *sa)
{
	notify_relay((unsigned)(res->zone - w.args->conf->zones), sa);
}

/* ---- UDP ---------------------------------------------------------- */

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void
worker_count_rrl(const struct query_result *res)
{
	enum stats_rrl_action a = res->rrl == RRL_SLIP ? STATS_RRL_SLIPPED :
	    STATS_RRL_DROPPED;

	if (w.args->conf->rrl.log_only)
		a = STATS_RRL_LOG_ONLY;
	if (res->rrl_by < STATS_NRRL_KIND)
		w.stats->rrl[a][res->rrl_by]++;
}

/* rate-limit: the table, allocated whole before the sandbox. */
static void
worker_rrl_init(void)
{
	const struct conf *cf = w.args->conf;
	uint8_t key[16];

	if (!cf->rrl.enabled)
		return;
	if (getrandom(key, sizeof(key), 0) != (ssize_t)sizeof(key))
		fatal("getrandom");
	rrl_init(&w.rrl, &cf->rrl, w.args->nworkers, key);
	w.env.rrl = &w.rrl;
}

/* Query path hop 7: one sendmmsg for the batch. */
static void
worker_udp_send(int fd, unsigned count)
{
	unsigned sent = 0;

	while (sent < count) {
		int n = sendmmsg(fd, w.tx + sent, count - sent, 0);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			/* EAGAIN: the socket buffer is full; like a lost
			 * packet, the client retries. */
			w.stats->dropped++;
			sent++;
			continue;
		}
		sent += (unsigned)n;
	}
}

/* Query path hop 1: read a batch of datagrams and answer each. */
static void
worker_udp_readable(evutil_socket_t fd, short events, void *arg)
{
	unsigned sock = (unsigned)(uintptr_t)arg;
	struct query_client cl = { NULL, false };
	struct query_result res;

	w.env.now = (uint32_t)time(NULL);
	for (unsigned round = 0; round < UDP_ROUNDS; round++) {
		for (unsigned i = 0; i < UDP_BATCH; i++)
			w.rx[i].msg_hdr.msg_namelen = sizeof(w.from[i]);
		int n = recvmmsg(fd, w.rx, UDP_BATCH, MSG_DONTWAIT, NULL);
		if (n <= 0)
			break;
		uint64_t t0 = now_ns();
		unsigned m = 0;
		for (int i = 0; i < n; i++) {
			if (w.rx[i].msg_hdr.msg_flags & MSG_TRUNC) {
				w.stats->dropped++;
				continue;
			}
			cl.addr = (const struct sockaddr *)&w.from[i];
			size_t len = query_process(&w.env, &cl, w.rbuf[i],
			    w.rx[i].msg_len, w.tbuf[m], UDP_BUFSIZE, &res);
			if (w.env.querylog)
				qlog_add(cl.addr, sock, &res);
			if (res.notify)
				worker_pass_notify(&res, cl.addr);
			if (res.update) {
				/* apex-xferd answers it. */
				update_relay(sock, cl.addr, w.rbuf[i],
				    w.rx[i].msg_len);
				continue;
			}
			if (res.rrl != RRL_PASS)
				worker_count_rrl(&res);
			if (len == 0) {
				w.stats->dropped++;
				continue;
			}
			stats_count(w.stats, STATS_UDP, res.qtype, res.rcode,
			    len, res.tc);
			w.tx[m].msg_hdr.msg_name = &w.from[i];
			w.tx[m].msg_hdr.msg_namelen =
			    w.rx[i].msg_hdr.msg_namelen;
			w.tiov[m].iov_len = len;
			m++;
		}
		worker_udp_send(fd, m);
		stats_latency(w.stats, now_ns() - t0, m);
		if (n < UDP_BATCH)
			break;
	}
	qlog_flush();
}

static void
worker_udp_init(void)
{
	w.rbuf = xmalloc(UDP_BATCH * sizeof(*w.rbuf));
	w.tbuf = xmalloc(UDP_BATCH * sizeof(*w.tbuf));
	memset(w.rx, 0, sizeof(w.rx));
	memset(w.tx, 0, sizeof(w.tx));
	for (unsigned i = 0; i < UDP_BATCH; i++) {
		w.riov[i].iov_base = w.rbuf[i];
		w.riov[i].iov_len = UDP_BUFSIZE;
		w.rx[i].msg_hdr.msg_iov = &w.riov[i];
		w.rx[i].msg_hdr.msg_iovlen = 1;
		w.rx[i].msg_hdr.msg_name = &w.from[i];
		w.tiov[i].iov_base = w.tbuf[i];
		w.tx[i].msg_hdr.msg_iov = &w.tiov[i];
		w.tx[i].msg_hdr.msg_iovlen = 1;
	}
	w.udp_ev = xcalloc(w.args->nudp + 1, sizeof(*w.udp_ev));
	for (unsigned i = 0; i < w.args->nudp; i++) {
		w.udp_ev[i] = event_new(w.base, w.args->udp[i],
		    EV_READ | EV_PERSIST, worker_udp_readable,
		    (void *)(uintptr_t)i);
		if (w.udp_ev[i] == NULL || event_add(w.udp_ev[i], NULL) != 0)
			fatalx("udp event");
	}
}

/* ---- TCP ---------------------------------------------------------- */

static void	worker_maybe_exit(void);

static void
tcp_close(struct tcp_conn *c)
{
	event_free(c->rev);
	event_free(c->wev);
	event_free(c->timer);
	close(c->fd);
	free(c->in);
	free(c->out);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->next_free = w.free_conns;
	w.free_conns = c;
	w.open_conns--;
	if (w.retiring)
		worker_maybe_exit();
}

/*
 * Hands the connection to the parent for apex-xferd (MSG_WP_XFR): the
 * client's address and what it sent from the transfer request on. If
 * the parent cannot take it, the client sees the connection close and
 * tries again, as after any failed transfer.
 */
static void
tcp_handoff(struct tcp_conn *c)
{
	struct msg_buf *b = xmalloc(sizeof(*b));
	size_t n = c->inlen;

	/* Room for the two lengths and the address: the request (at most
	 * 65537 octets) fits unless the client pipelined a lot after it,
	 * which is cut (the transfer is answered, the rest is not). */
	if (n > MSG_MAXPAYLOAD - 8 - sizeof(c->peer))
		n = MSG_MAXPAYLOAD - 8 - sizeof(c->peer);
	msg_buf_init(b);
	ipc_put_xfr(b, (struct sockaddr *)&c->peer, sizeof(c->peer), c->in, n);
	if (msg_send(w.args->parent, MSG_WP_XFR, 0, b, c->fd) != 0)
		w.stats->tcp_refused++;
	free(b);
	tcp_close(c);
}

/*
 * The connection moved: a query was read whole, or the client took every
 * answer it was owed. Only this restarts the timeout, so a client that
 * trickles a query a byte at a time, or reads its answers that way, is
 * closed after tcp-idle-timeout however busy it looks.
 */
static void
tcp_progress(struct tcp_conn *c)
{
	if (evtimer_add(c->timer, &w.tcp_idle) != 0)
		fatalx("tcp timer");
}

/* Whether a whole query waits in the input buffer. */
static bool
tcp_has_query(const struct tcp_conn *c)
{
	return c->inlen >= 2 && c->inlen - 2 >= get16(c->in);
}

/* Whether enough answers wait for the client that reading stops. */
static bool
tcp_backlogged(const struct tcp_conn *c)
{
	return c->outlen - c->outoff > TCP_OUT_HIGH ||
	    c->queued >= TCP_PIPELINE;
}

/* RFC 7766 6.2.3: idle connections are closed, whatever is queued. */
static void
tcp_timeout(evutil_socket_t fd, short events, void *arg)
{
	struct tcp_conn *c = arg;

	if (c->outlen > c->outoff)
		w.stats->tcp_closed[STATS_CLOSE_WRITE_TIMEOUT]++;
	else if (c->inlen > 0)
		w.stats->tcp_closed[STATS_CLOSE_READ_TIMEOUT]++;
	else
		w.stats->tcp_closed[STATS_CLOSE_IDLE]++;
	tcp_close(c);
}

/* Writes what is pending. Returns: false if the connection closed. */
static bool
tcp_flush(struct tcp_conn *c)
{
	while (c->outoff < c->outlen) {
		ssize_t n = write(c->fd, c->out + c->outoff,
		    c->outlen - c->outoff);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				break;
			tcp_close(c);
			return false;
		}
		c->outoff += (size_t)n;
	}
	if (c->outoff == c->outlen) {
		c->outoff = c->outlen = 0;
		if (c->queued > 0)
			tcp_progress(c);
		c->queued = 0;
		event_del(c->wev);
		if (c->handoff) {
			tcp_handoff(c);
			return false;
		}
		/* Retiring: a connection with nothing owed is closed. */
		if ((c->eof && !tcp_has_query(c)) ||
		    (w.retiring && c->inlen < 2)) {
			tcp_close(c);
			return false;
		}
	} else
		event_add(c->wev, NULL);
	/* Backpressure: a client that does not read gets no more
	 * answers computed for it, and its queries stay in the kernel. */
	if (tcp_backlogged(c)) {
		if (!c->paused)
			w.stats->tcp_paused++;
		c->paused = true;
	} else
		c->paused = false;
	if (c->paused || c->eof || c->handoff)
		event_del(c->rev);
	else
		event_add(c->rev, NULL);
	return true;
}

static void
tcp_append(struct tcp_conn *c, const uint8_t *resp, size_t len)
{
	if (c->outcap - c->outlen < len + 2) {
		if (c->outoff > 0) {
			memmove(c->out, c->out + c->outoff,
			    c->outlen - c->outoff);
			c->outlen -= c->outoff;
			c->outoff = 0;
		}
		while (c->outcap - c->outlen < len + 2)
			c->outcap = c->outcap ? c->outcap * 2 : 4096;
		c->out = xrealloc(c->out, c->outcap);
	}
	put16(c->out + c->outlen, (uint16_t)len);
	memcpy(c->out + c->outlen + 2, resp, len);
	c->outlen += len + 2;
	c->queued++;
}

/* Answers every complete message in the input buffer. */
static void
tcp_process(struct tcp_conn *c)
{
	struct query_client cl = { (const struct sockaddr *)&c->peer, true };
	struct query_result res;
	size_t off = 0;
	unsigned answered = 0;
	uint64_t t0 = now_ns();

	while (!c->handoff && c->inlen - off >= 2 && !tcp_backlogged(c)) {
		size_t mlen = get16(c->in + off);
		if (c->inlen - off - 2 < mlen)
			break;
		size_t len = query_process(&w.env, &cl, c->in + off + 2, mlen,
		    w.tcp_resp, PKT_MAXLEN, &res);
		if (w.env.querylog)
			qlog_add(cl.addr, c->sock, &res);
		if (res.notify)
			worker_pass_notify(&res, cl.addr);
		if (res.handoff) {
			/* The connection goes to apex-xferd once the
			 * answers before it are out; nothing after the
			 * request is read here. */
			c->handoff = true;
			stats_count(w.stats, STATS_TCP, res.qtype, 0, 0,
			    false);
			break;
		}
		if (len > 0) {
			tcp_append(c, w.tcp_resp, len);
			stats_count(w.stats, STATS_TCP, res.qtype, res.rcode,
			    len, res.tc);
			answered++;
		} else
			w.stats->dropped++;
		off += 2 + mlen;
	}
	if (off > 0) {
		memmove(c->in, c->in + off, c->inlen - off);
		c->inlen -= off;
		tcp_progress(c);
	}
	if (answered > 0)
		stats_latency(w.stats, now_ns() - t0, answered);
	qlog_flush();
}

/*
 * Answers what is buffered and writes it, until the connection waits for
 * its client: to take its answers (the write event comes back here) or
 * to send a whole query (the read event does). Queries already read are
 * never left waiting for an event that will not come: the kernel may
 * take every answer at once.
 */
static void
tcp_serve(struct tcp_conn *c)
{
	do {
		tcp_process(c);
		if (c->handoff && c->outlen == c->outoff) {
			tcp_handoff(c);
			return;
		}
		if (c->eof && c->outlen == c->outoff && !tcp_has_query(c)) {
			tcp_close(c);
			return;
		}
		if (!tcp_flush(c))
			return;
	} while (c->outlen == 0 && tcp_has_query(c) && !c->handoff);
}

static void
tcp_readable(evutil_socket_t fd, short events, void *arg)
{
	struct tcp_conn *c = arg;

	if (c->inlen == TCP_INBUF)
		return;	/* a whole message waits for output room */
	w.env.now = (uint32_t)time(NULL);
	ssize_t n = read(fd, c->in + c->inlen, TCP_INBUF - c->inlen);
	if (n < 0) {
		if (errno == EAGAIN || errno == EINTR)
			return;
		tcp_close(c);
		return;
	}
	if (n == 0)
		c->eof = true;
	c->inlen += (size_t)n;
	tcp_serve(c);
}

static void
tcp_writable(evutil_socket_t fd, short events, void *arg)
{
	struct tcp_conn *c = arg;

	if (!tcp_flush(c))
		return;
	/* Room again: answer what was held back. */
	if (tcp_has_query(c) && !tcp_backlogged(c) && !c->handoff)
		tcp_serve(c);
}

static bool
same_address(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	const struct sockaddr_in *a4 = (const void *)a, *b4 = (const void *)b;
	const struct sockaddr_in6 *a6 = (const void *)a, *b6 = (const void *)b;

	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET)
		return a4->sin_addr.s_addr == b4->sin_addr.s_addr;
	return memcmp(&a6->sin6_addr, &b6->sin6_addr, 16) == 0;
}

/* Connections this worker holds from the client's address. A scan: the
 * table is tcp-clients divided by the workers, and accepts are rare
 * next to queries. */
static unsigned
tcp_count_peer(const struct sockaddr_storage *ss)
{
	unsigned n = 0;

	for (unsigned i = 0; i < w.max_conns; i++)
		if (w.conns[i].fd >= 0 && same_address(&w.conns[i].peer, ss))
			n++;
	return n;
}

static void
tcp_accept(evutil_socket_t lfd, short events, void *arg)
{
	for (;;) {
		struct sockaddr_storage ss;
		socklen_t len = sizeof(ss);
		int fd = accept4(lfd, (struct sockaddr *)&ss, &len,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		struct tcp_conn *c = w.free_conns;
		if (c == NULL) {
			/* Over tcp-clients: refuse by closing at once. */
			w.stats->tcp_refused++;
			close(fd);
			continue;
		}
		if (w.per_address > 0 && tcp_count_peer(&ss) >= w.per_address) {
			w.stats->tcp_refused_addr++;
			close(fd);
			continue;
		}
		w.stats->tcp_accepted++;
		w.free_conns = c->next_free;
		w.open_conns++;
		c->fd = fd;
		c->sock = (unsigned)(uintptr_t)arg;
		c->peer = ss;
		c->in = xmalloc(TCP_INBUF);
		c->rev = event_new(w.base, fd, EV_READ | EV_PERSIST,
		    tcp_readable, c);
		c->wev = event_new(w.base, fd, EV_WRITE | EV_PERSIST,
		    tcp_writable, c);
		c->timer = evtimer_new(w.base, tcp_timeout, c);
		if (c->rev == NULL || c->wev == NULL || c->timer == NULL ||
		    event_add(c->rev, NULL) != 0)
			fatalx("tcp event");
		tcp_progress(c);
	}
}

static void
worker_tcp_init(void)
{
	const struct conf *cf = w.args->conf;

	w.max_conns = (cf->tcp_clients + w.args->nworkers - 1) /
	    w.args->nworkers;
	/* Split like tcp-clients: each worker sees its share of a client's
	 * connections (SO_REUSEPORT spreads them by a hash). */
	w.per_address = (cf->tcp_clients_per_address + w.args->nworkers - 1) /
	    w.args->nworkers;
	w.conns = xcalloc(w.max_conns, sizeof(*w.conns));
	for (unsigned i = 0; i < w.max_conns; i++) {
		w.conns[i].fd = -1;
		w.conns[i].next_free = i + 1 < w.max_conns ? &w.conns[i + 1] :
		    NULL;
	}
	w.free_conns = &w.conns[0];
	w.tcp_idle.tv_sec = cf->tcp_idle_timeout / 1000;
	w.tcp_idle.tv_usec = (cf->tcp_idle_timeout % 1000) * 1000;
	w.tcp_resp = xmalloc(PKT_MAXLEN);
	w.tcp_ev = xcalloc(w.args->ntcp + 1, sizeof(*w.tcp_ev));
	for (unsigned i = 0; i < w.args->ntcp; i++) {
		w.tcp_ev[i] = event_new(w.base, w.args->tcp[i],
		    EV_READ | EV_PERSIST, tcp_accept, (void *)(uintptr_t)i);
		if (w.tcp_ev[i] == NULL || event_add(w.tcp_ev[i], NULL) != 0)
			fatalx("tcp listen event");
	}
}

/* ---- the parent --------------------------------------------------- */

static void
worker_maybe_exit(void)
{
	if (w.open_conns == 0) {
		qlog_flush();
		_exit(0);
	}
}

static void
worker_grace_over(evutil_socket_t fd, short events, void *arg)
{
	qlog_flush();
	_exit(0);
}

/*
 * Retiring (stop, or a new generation after reconfig): stop reading new
 * queries, which the sockets keep for the next generation; answer what
 * TCP clients already sent; exit when that is done or the grace is over.
 */
static void
worker_retire(void)
{
	static struct timeval grace = { RETIRE_GRACE, 0 };

	w.retiring = true;
	for (unsigned i = 0; i < w.args->nudp; i++)
		event_del(w.udp_ev[i]);
	for (unsigned i = 0; i < w.args->ntcp; i++)
		event_del(w.tcp_ev[i]);
	for (unsigned i = 0; i < w.max_conns; i++) {
		struct tcp_conn *c = &w.conns[i];
		if (c->fd >= 0 && c->outlen == c->outoff && c->inlen < 2)
			tcp_close(c);
	}
	struct event *t = evtimer_new(w.base, worker_grace_over, NULL);
	if (t == NULL || evtimer_add(t, &grace) != 0)
		_exit(0);
	worker_maybe_exit();
}

/* Test hook: a system call outside the allow-list, to show the sandbox
 * kills the worker (regress/service). */
static void
worker_test_syscall(void)
{
	log_warnx("test hook: calling ptrace, which the sandbox forbids");
	(void)syscall(SYS_ptrace, 0, 0, 0, 0);
	log_warnx("test hook: ptrace returned; the sandbox is not enforcing");
}

/*
 * Test hook: what a compromised worker would try, writing to descriptor
 * numbers the parent has open (its signal pipe, its ends of the other
 * children's channels). Each must fail with EBADF: the worker has none
 * of them.
 */
static void
worker_test_write(const char *list)
{
	char buf[4096];
	char *save = NULL;

	snprintf(buf, sizeof(buf), "%s", list);
	for (char *t = strtok_r(buf, ",", &save); t != NULL;
	    t = strtok_r(NULL, ",", &save)) {
		int fd = atoi(t);
		if (write(fd, "", 1) == 1)
			log_warnx("test hook: wrote to descriptor %d", fd);
		else
			log_warnx("test hook: descriptor %d: %s", fd,
			    strerror(errno));
	}
}

static void
worker_dispatch_parent(evutil_socket_t fd, short events, void *arg)
{
	struct msg *m = w.in;
	uint32_t v;
	uint64_t v64;
	int rc = msg_recv(fd, m);

	if (rc == APEX_ENOENT)
		_exit(0);	/* the parent is gone */
	if (rc != 0)
		fatalx("parent: %s", apex_strerror(rc));
	switch (m->hdr.type) {
	case MSG_PW_ZONE:
		if (m->fd < 0 || msg_get_u32(m, &v) != 0 || msg_end(m) != 0)
			fatalx("parent: malformed %s",
			    msg_type_str(m->hdr.type));
		worker_swap_zone(m->hdr.id, m->fd, v);
		break;
	case MSG_PW_QUERYLOG:
		if (msg_get_u32(m, &v) != 0 || msg_end(m) != 0)
			fatalx("parent: malformed %s",
			    msg_type_str(m->hdr.type));
		w.env.querylog = v != 0;
		break;
	case MSG_PW_EXPIRED:
		if (msg_get_u32(m, &v) != 0 || msg_get_u64(m, &v64) != 0 ||
		    msg_end(m) != 0)
			fatalx("parent: malformed %s",
			    msg_type_str(m->hdr.type));
		worker_expire_zone(m->hdr.id, v != 0, v64);
		break;
	case MSG_PW_UPDATE:
		if (update_relay_answer(m) != 0)
			fatalx("parent: malformed %s",
			    msg_type_str(m->hdr.type));
		break;
	case MSG_PW_RETIRE:
		worker_retire();
		break;
	case MSG_PW_TEST_SYSCALL:
		worker_test_syscall();
		break;
	case MSG_PW_TEST_WRITE: {
		char list[4096];
		if (msg_get_str(m, list, sizeof(list)) != 0 ||
		    msg_end(m) != 0)
			fatalx("parent: malformed %s",
			    msg_type_str(m->hdr.type));
		worker_test_write(list);
		break;
	}
	default:
		fatalx("parent: unexpected %s", msg_type_str(m->hdr.type));
	}
	if (m->fd >= 0 && m->hdr.type != MSG_PW_ZONE)
		close(m->fd);
}

/* ---- main --------------------------------------------------------- */

/*
 * The worker's system calls. Everything it opens (sockets, zone images,
 * the event base) exists before this; a worker that tries anything else
 * is killed and the parent starts a new one.
 */
static const struct sandbox_rule worker_allow[] = {
	{ "recvmmsg", "read a batch of UDP queries" },
	{ "sendmmsg", "send a batch of UDP answers" },
	{ "recvfrom", "read queries (libc's recv)" },
	{ "sendto", "send to the parent (libc's send); a UDP update's answer" },
	{ "recvmsg", "messages and zone fds from the parent" },
	{ "sendmsg", "messages to the parent" },
	{ "accept4", "accept TCP connections" },
	{ "read", "read TCP queries" },
	{ "write", "write TCP answers" },
	{ "close", "close connections and old zone images" },
	{ "epoll_wait", "libevent: wait for events" },
	{ "epoll_pwait", "libevent: wait for events" },
	{ "epoll_ctl", "libevent: watch sockets" },
	{ "munmap", "unmap a replaced zone image; free" },
	{ "mremap", "realloc of TCP output buffers" },
	{ "madvise", "free returns memory" },
	{ "brk", "malloc" },
	{ "fstat", "size of a new zone image" },
	{ "newfstatat", "fstat on newer libc" },
	{ "clock_gettime", "latency counters, libevent timers" },
	{ "gettimeofday", "libevent timers" },
	{ "time", "the time for DNS cookies" },
	{ "getpid", "libevent" },
	{ "rt_sigprocmask", "libc around fork-free signal use" },
	{ "futex", "libc locks (stdio)" },
	{ "getrandom", "libc malloc may ask for randomness" },
	{ "fcntl", "libevent sets descriptors non-blocking" },
};

static const struct sandbox_arg_rule worker_allow_args[] = {
	{ "mmap", "map a new zone image; malloc (never executable)",
	    SANDBOX_NO_EXEC },
};

static int
worker_sandbox(void)
{
	return sandbox_enter_args("worker", worker_allow,
	    nitems(worker_allow), worker_allow_args, nitems(worker_allow_args),
	    w.args->uid, w.args->gid, w.args->chroot);
}

static void
worker_local_names(void)
{
	w.local = xcalloc(w.args->nudp + w.args->ntcp + 1, sizeof(*w.local));
	for (unsigned i = 0; i < w.args->nudp; i++) {
		struct sockaddr_storage ss;
		socklen_t len = sizeof(ss);
		if (getsockname(w.args->udp[i], (struct sockaddr *)&ss,
		    &len) == 0)
			sockaddr_host_str((struct sockaddr *)&ss, w.local[i],
			    sizeof(w.local[i]));
	}
}

/*
 * The descriptors a worker keeps across fork; child_start() closes every
 * other: its slot's UDP and TCP sockets, the zone images it maps (and
 * then closes), its counter block. No other worker's channel or
 * counters, no listener of the control process, no pid file.
 */
int *
worker_keep(const struct worker_args *a, unsigned *n)
{
	int *k = xcalloc(a->nudp + a->ntcp + a->nzones + 2, sizeof(int));
	unsigned m = 0;

	for (unsigned i = 0; i < a->nudp; i++)
		k[m++] = a->udp[i];
	for (unsigned i = 0; i < a->ntcp; i++)
		k[m++] = a->tcp[i];
	for (unsigned i = 0; i < a->nzones; i++)
		if (a->zone_fd[i] >= 0)
			k[m++] = a->zone_fd[i];
	k[m++] = a->stats_fd;
	*n = m;
	return k;
}

void
worker_main(const struct worker_args *args)
{
	char role[32];

	/* The parent's signal handlers belong to its event loop; a worker
	 * simply dies on SIGTERM. */
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGCHLD, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGPIPE, SIG_IGN);
	w.args = args;
	if ((w.stats = stats_block_map(args->stats_fd, true)) == NULL)
		fatal("map counters");
	close(args->stats_fd);
	snprintf(role, sizeof(role), "worker %u", args->index);
	log_set_role(xstrdup(role));
	/* ps and top show the role (comm, 15 characters). */
	(void)prctl(PR_SET_NAME, "apex-worker");
	msg_log_to(args->parent);
	w.in = xmalloc(sizeof(*w.in));
	w.qlog = xmalloc(sizeof(*w.qlog));
	msg_buf_init(w.qlog);
	worker_map_zones();
	worker_local_names();
	w.env.conf = args->conf;
	w.env.zones = &w.zones;
	w.env.querylog = args->querylog;
	w.env.keys = args->keys;
	tsig_init();
	chaos_build(args->conf, &w.chaos);
	w.env.chaos = &w.chaos;
	worker_rrl_init();
	if ((w.base = event_base_new()) == NULL)
		fatalx("event_base_new");
	worker_udp_init();
	worker_tcp_init();
	notify_relay_init(w.base, args->parent, args->conf);
	update_relay_init(args->parent, args->udp, args->nudp);
	struct event *pev = event_new(w.base, args->parent,
	    EV_READ | EV_PERSIST, worker_dispatch_parent, NULL);
	if (pev == NULL || event_add(pev, NULL) != 0)
		fatalx("parent event");
	if (worker_sandbox() != 0)
		fatal("sandbox");
	if (msg_send(args->parent, MSG_WP_READY, 0, NULL, -1) != 0)
		fatal("parent");
	event_base_dispatch(w.base);
	fatalx("event loop ended");
}
