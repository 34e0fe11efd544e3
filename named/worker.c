/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * A query worker. It maps the zone images read-only, then answers: UDP in
 * batches (recvmmsg, query_process for each, one sendmmsg), TCP with
 * pipelining (RFC 7766 6.2.1.1: every complete query in a read is
 * answered, and the answers leave in one write). Nothing is allocated
 * per query; a TCP connection gets its buffers when it is accepted.
 * Runs in: worker (forked by the parent; unprivileged).
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <netinet/in.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <event2/event.h>

#include "chaos.h"
#include "error.h"
#include "log.h"
#include "query.h"
#include "sandbox.h"
#include "worker.h"
#include "zone.h"
#include "zonetab.h"

#define UDP_BATCH	64
#define UDP_BUFSIZE	4096	/* largest query read, largest answer sent */
#define UDP_ROUNDS	8	/* batches per wakeup before yielding */
#define TCP_INBUF	(2 + PKT_MAXLEN)
#define TCP_OUT_HIGH	(128 * 1024)	/* stop reading above this backlog */

struct tcp_conn {
	int			 fd;
	struct event		*rev, *wev;
	struct sockaddr_storage	 peer;
	uint8_t			*in;
	size_t			 inlen;
	uint8_t			*out;
	size_t			 outlen, outoff, outcap;
	bool			 eof;		/* peer closed its side */
	struct tcp_conn		*next_free;
};

static struct worker_state {
	struct event_base	*base;
	struct query_env	 env;
	struct zonetab		 zones;
	struct zonetab		 chaos;
	const struct worker_args *args;

	struct mmsghdr		 rx[UDP_BATCH], tx[UDP_BATCH];
	struct iovec		 riov[UDP_BATCH], tiov[UDP_BATCH];
	struct sockaddr_storage	 from[UDP_BATCH];
	uint8_t			(*rbuf)[UDP_BUFSIZE];
	uint8_t			(*tbuf)[UDP_BUFSIZE];

	struct tcp_conn		*conns;
	struct tcp_conn		*free_conns;
	unsigned		 max_conns;
	struct timeval		 tcp_idle;
	uint8_t			*tcp_resp;
} w;

/* ---- zones -------------------------------------------------------- */

static void
worker_map_zones(void)
{
	const struct conf *cf = w.args->conf;

	zonetab_init(&w.zones);
	for (unsigned i = 0; i < cf->nzones; i++) {
		int fd = w.args->zone_fd[i];
		struct stat st;
		struct zone z;
		if (fd < 0)
			continue;
		if (fstat(fd, &st) != 0)
			fatal("zone %s: fstat", cf->zones[i].name);
		void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED,
		    fd, 0);
		if (m == MAP_FAILED)
			fatal("zone %s: mmap", cf->zones[i].name);
		close(fd);
		if (zone_open(&z, m, (size_t)st.st_size) != 0)
			fatalx("zone %s: image is corrupt", cf->zones[i].name);
		zonetab_put(&w.zones, &z, &cf->zones[i]);
	}
}

/* ---- UDP ---------------------------------------------------------- */

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
			if (errno != EAGAIN)
				log_debug("sendmmsg: %s", strerror(errno));
			/* Skip the datagram that failed and go on. */
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
	struct query_client cl = { NULL, false };
	struct query_result res;

	w.env.now = (uint32_t)time(NULL);
	for (unsigned round = 0; round < UDP_ROUNDS; round++) {
		for (unsigned i = 0; i < UDP_BATCH; i++)
			w.rx[i].msg_hdr.msg_namelen = sizeof(w.from[i]);
		int n = recvmmsg(fd, w.rx, UDP_BATCH, MSG_DONTWAIT, NULL);
		if (n <= 0)
			return;
		unsigned m = 0;
		for (int i = 0; i < n; i++) {
			if (w.rx[i].msg_hdr.msg_flags & MSG_TRUNC)
				continue;
			cl.addr = (const struct sockaddr *)&w.from[i];
			size_t len = query_process(&w.env, &cl, w.rbuf[i],
			    w.rx[i].msg_len, w.tbuf[m], UDP_BUFSIZE, &res);
			if (len == 0)
				continue;
			w.tx[m].msg_hdr.msg_name = &w.from[i];
			w.tx[m].msg_hdr.msg_namelen =
			    w.rx[i].msg_hdr.msg_namelen;
			w.tiov[m].iov_len = len;
			m++;
		}
		worker_udp_send(fd, m);
		if (n < UDP_BATCH)
			return;
	}
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
	for (unsigned i = 0; i < w.args->nudp; i++) {
		struct event *ev = event_new(w.base, w.args->udp[i],
		    EV_READ | EV_PERSIST, worker_udp_readable, NULL);
		if (ev == NULL || event_add(ev, NULL) != 0)
			fatalx("udp event");
	}
}

/* ---- TCP ---------------------------------------------------------- */

static void
tcp_close(struct tcp_conn *c)
{
	event_free(c->rev);
	event_free(c->wev);
	close(c->fd);
	free(c->in);
	free(c->out);
	memset(c, 0, sizeof(*c));
	c->fd = -1;
	c->next_free = w.free_conns;
	w.free_conns = c;
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
		event_del(c->wev);
		if (c->eof) {
			tcp_close(c);
			return false;
		}
	} else
		event_add(c->wev, NULL);
	/* Backpressure: a client that does not read gets no more
	 * answers computed for it. */
	if (c->outlen - c->outoff > TCP_OUT_HIGH || c->eof)
		event_del(c->rev);
	else
		event_add(c->rev, &w.tcp_idle);
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
}

/* Answers every complete message in the input buffer. */
static void
tcp_process(struct tcp_conn *c)
{
	struct query_client cl = { (const struct sockaddr *)&c->peer, true };
	struct query_result res;
	size_t off = 0;

	while (c->inlen - off >= 2 && c->outlen - c->outoff <= TCP_OUT_HIGH) {
		size_t mlen = get16(c->in + off);
		if (c->inlen - off - 2 < mlen)
			break;
		size_t len = query_process(&w.env, &cl, c->in + off + 2, mlen,
		    w.tcp_resp, PKT_MAXLEN, &res);
		if (len > 0)
			tcp_append(c, w.tcp_resp, len);
		off += 2 + mlen;
	}
	if (off > 0) {
		memmove(c->in, c->in + off, c->inlen - off);
		c->inlen -= off;
	}
}

static void
tcp_readable(evutil_socket_t fd, short events, void *arg)
{
	struct tcp_conn *c = arg;

	if (events & EV_TIMEOUT) {
		/* RFC 7766 6.2.3: idle connections are closed. */
		tcp_close(c);
		return;
	}
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
	tcp_process(c);
	if (c->eof && c->outlen == c->outoff) {
		tcp_close(c);
		return;
	}
	(void)tcp_flush(c);
}

static void
tcp_writable(evutil_socket_t fd, short events, void *arg)
{
	struct tcp_conn *c = arg;

	if (!tcp_flush(c))
		return;
	/* Room again: answer what was held back. */
	if (c->inlen >= 2 && c->outlen == 0) {
		tcp_process(c);
		(void)tcp_flush(c);
	}
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
			close(fd);
			continue;
		}
		w.free_conns = c->next_free;
		c->fd = fd;
		c->peer = ss;
		c->in = xmalloc(TCP_INBUF);
		c->rev = event_new(w.base, fd, EV_READ | EV_PERSIST,
		    tcp_readable, c);
		c->wev = event_new(w.base, fd, EV_WRITE | EV_PERSIST,
		    tcp_writable, c);
		if (c->rev == NULL || c->wev == NULL ||
		    event_add(c->rev, &w.tcp_idle) != 0)
			fatalx("tcp event");
	}
}

static void
worker_tcp_init(void)
{
	const struct conf *cf = w.args->conf;

	w.max_conns = (cf->tcp_clients + w.args->nworkers - 1) /
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
	for (unsigned i = 0; i < w.args->ntcp; i++) {
		struct event *ev = event_new(w.base, w.args->tcp[i],
		    EV_READ | EV_PERSIST, tcp_accept, NULL);
		if (ev == NULL || event_add(ev, NULL) != 0)
			fatalx("tcp listen event");
	}
}

/* ---- main --------------------------------------------------------- */

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
	snprintf(role, sizeof(role), "worker %u", args->index);
	log_set_role(xstrdup(role));
	worker_map_zones();
	if (sandbox_drop_privileges(args->uid, args->gid) != 0)
		fatal("drop privileges");
	if ((w.base = event_base_new()) == NULL)
		fatalx("event_base_new");
	w.env.conf = args->conf;
	w.env.zones = &w.zones;
	chaos_build(args->conf, &w.chaos);
	w.env.chaos = &w.chaos;
	worker_udp_init();
	worker_tcp_init();
	log_debug("serving %u zones", w.zones.n);
	event_base_dispatch(w.base);
	fatalx("event loop ended");
}
