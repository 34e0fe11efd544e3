/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * The control process serves apex-ctl on the control socket (checking
 * the peer's credentials), BIND's rndc on the controls inet channels
 * (rndc.c) and the HTTP statistics channels. It answers
 * status, zonestatus and stats itself, from the parent's last state
 * report and the shared counters; commands that change something go to
 * the parent as typed requests, and the parent's reply goes back to
 * apex-ctl. Both listeners are bounded (connections, sizes, time), so no
 * client can make this process grow.
 * Runs in: control (forked by the parent; unprivileged, seccomp).
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/socket.h>

#include <netinet/in.h>

#include <event2/event.h>

#include "control.h"
#include "error.h"
#include "http.h"
#include "log.h"
#include "ipc.h"
#include "msg.h"
#include "rndc.h"
#include "sandbox.h"
#include "sbuf.h"
#include "stats.h"

#define MAX_CLIENTS	32	/* apex-ctl connections at once */
#define CTL_IDLE	30	/* seconds an apex-ctl connection may idle */
#define HTTP_MAX_CONNS	32	/* HTTP connections at once */
#define HTTP_TIMEOUT	10	/* seconds for a request and its answer */
#define HTTP_LINGER	65536	/* octets discarded after an answer */

struct client {
	int		 fd;		/* -1: free */
	struct event	*ev;
	uint32_t	 req;		/* request waiting for the parent */
	uint32_t	 flags;
};

/* An HTTP connection: one request, read into in[], one answer. */
struct http_conn {
	int		 fd;		/* -1: free */
	struct event	*rev, *wev;
	struct event	*timer;		/* the deadline of the exchange */
	char		 in[HTTP_HEADER_MAX];
	size_t		 inlen;
	struct sbuf	 out;		/* the answer, status line on */
	size_t		 outoff;
	size_t		 discarded;	/* read after the answer */
	bool		 answered;
	bool		 lingering;	/* answer sent, draining input */
};

static struct control_state {
	const struct control_args *args;
	struct event_base	*base;
	struct server_view	 view;
	struct server_view	 next;		/* a report being read */
	uint32_t		 filled;	/* zones of next read so far */
	struct client		 clients[MAX_CLIENTS];
	uint32_t		 next_req;
	struct msg		*m;
	struct http_conn	 http[HTTP_MAX_CONNS];
	/* What the bounds did, for /metrics (see stats.h). */
	uint64_t		 http_results[HTTP_RES_COUNT];
	uint64_t		 http_refused_acl, http_refused_limit;
	uint64_t		 ctl_refused, ctl_idle_closed;
	struct stats_block	**counters;	/* read-only maps */
} c;

/* The workers' counters and this process's own. */
static void
control_sum(struct stats_block *sum)
{
	stats_sum(c.counters, c.args->ncounters, sum);
	for (unsigned i = 0; i < HTTP_RES_COUNT; i++)
		sum->http_requests[i] = c.http_results[i];
	sum->http_refused_acl = c.http_refused_acl;
	sum->http_refused_limit = c.http_refused_limit;
	sum->ctl_refused = c.ctl_refused;
	sum->ctl_idle_closed = c.ctl_idle_closed;
}

/* ---- the parent ---------------------------------------------------- */

/* The signing part of a zone's state. Returns: 0 or APEX_EMALF. */
static int
read_sign_state(struct msg *m, struct zone_view *z)
{
	char err[STATE_TEXT_MAX + 1];

	if (msg_get_u32(m, &z->sign_failing) ||
	    msg_get_u64(m, &z->sig_expiry) ||
	    msg_get_u64(m, &z->next_resign) ||
	    msg_get_u64(m, &z->next_key_event) ||
	    msg_get_u64(m, &z->last_sign) ||
	    msg_get_u64(m, &z->sign_runs) ||
	    msg_get_u64(m, &z->sign_failures) ||
	    msg_get_u64(m, &z->sigs_made) ||
	    msg_get_u64(m, &z->rrsets_signed))
		return APEX_EMALF;
	for (unsigned k = 0; k < 3; k++)
		if (msg_get_u32(m, &z->keys[k]))
			return APEX_EMALF;
	if (msg_get_u32(m, &z->sig_refresh) ||
	    msg_get_str(m, err, sizeof(err)))
		return APEX_EMALF;
	z->sign_error = xstrdup(err);
	return 0;
}

/*
 * Zones [first, first + count) of a state report into v, which has room
 * for them. Returns: 0 or APEX_EMALF.
 */
static int
read_zones(struct msg *m, struct server_view *v, uint32_t *filled)
{
	char name[STATE_NAME_MAX + 1], file[STATE_FILE_MAX + 1];
	char err[STATE_TEXT_MAX + 1];
	uint32_t first, count;

	if (msg_get_u32(m, &first) || msg_get_u32(m, &count) ||
	    first != *filled || count > v->nzones - first)
		return APEX_EMALF;
	for (uint32_t i = first; i < first + count; i++) {
		struct zone_view *z = &v->zones[i];
		if (msg_get_str(m, name, sizeof(name)) ||
		    msg_get_str(m, file, sizeof(file)) ||
		    msg_get_u32(m, &z->serving) || msg_get_u32(m, &z->status) ||
		    msg_get_u32(m, &z->serial) ||
		    msg_get_u64(m, &z->loaded_at) ||
		    msg_get_u32(m, &z->failures) ||
		    msg_get_str(m, err, sizeof(err)))
			return APEX_EMALF;
		z->name = xstrdup(name);
		z->file = xstrdup(file);
		z->error = xstrdup(err);
		*filled = i + 1;
		uint32_t flags = 0;
		bool bad = msg_get_u32(m, &z->secondary) ||
		    msg_get_u32(m, &flags) ||
		    msg_get_u64(m, &z->last_refresh) ||
		    msg_get_u64(m, &z->next_refresh) ||
		    msg_get_u64(m, &z->expires) ||
		    msg_get_u64(m, &z->journal_size);
		for (unsigned k = 0; k < XFR_STATE_COUNTERS && !bad; k++)
			bad = msg_get_u64(m, &z->xfr_count[k]) != 0;
		if (bad || msg_get_str(m, err, sizeof(err)))
			return APEX_EMALF;
		z->expired = (flags & ZV_EXPIRED) != 0;
		z->unsynced = (flags & ZV_UNSYNCED) != 0;
		z->frozen = (flags & ZV_FROZEN) != 0;
		z->dynamic = (flags & ZV_DYNAMIC) != 0;
		z->is_signed = (flags & ZV_SIGNED) != 0;
		z->xfr_error = xstrdup(err);
		if (read_sign_state(m, z) != 0)
			return APEX_EMALF;
	}
	return msg_end(m);
}

/* The first message of a state report: the server, the first zones. */
static int
read_state(struct msg *m, struct server_view *v, uint32_t *filled)
{
	memset(v, 0, sizeof(*v));
	*filled = 0;
	if (msg_get_u64(m, &v->started) || msg_get_u32(m, &v->nworkers) ||
	    msg_get_u32(m, &v->workers_up) || msg_get_u64(m, &v->restarts) ||
	    msg_get_u64(m, &v->reloads) || msg_get_u32(m, &v->querylog) ||
	    msg_get_u32(m, &v->busy) || msg_get_u32(m, &v->xferd_up) ||
	    msg_get_u32(m, &v->signer) || msg_get_u32(m, &v->nzones) ||
	    v->nzones > 10000000)
		return APEX_EMALF;
	v->zones = xcalloc(v->nzones + 1, sizeof(*v->zones));
	return read_zones(m, v, filled);
}

static void	client_reply(struct client *, bool ok, const char *text);

static void
control_dispatch_parent(evutil_socket_t fd, short events, void *arg)
{
	struct msg *m = c.m;
	uint32_t status;
	int rc = msg_recv(fd, m);

	if (rc == APEX_ENOENT)
		_exit(0);
	if (rc != 0)
		fatalx("parent: %s", apex_strerror(rc));
	switch (m->hdr.type) {
	case MSG_PC_STATE:
		/* A report cut short is replaced by the next one. */
		server_view_free(&c.next);
		if (read_state(m, &c.next, &c.filled) != 0)
			fatalx("parent: malformed state");
		goto complete;
	case MSG_PC_STATE_MORE:
		if (c.next.zones == NULL ||
		    read_zones(m, &c.next, &c.filled) != 0)
			fatalx("parent: malformed state");
	complete:
		if (c.filled == c.next.nzones) {
			server_view_free(&c.view);
			c.view = c.next;
			memset(&c.next, 0, sizeof(c.next));
		}
		break;
	case MSG_PC_REPLY: {
		char *text = xmalloc(MSG_MAXPAYLOAD);
		if (msg_get_u32(m, &status) != 0 ||
		    msg_get_str(m, text, MSG_MAXPAYLOAD) != 0 ||
		    msg_end(m) != 0)
			fatalx("parent: malformed reply");
		bool sent = false;
		for (unsigned i = 0; i < MAX_CLIENTS; i++)
			if (c.clients[i].fd >= 0 &&
			    c.clients[i].req == m->hdr.id) {
				client_reply(&c.clients[i], status == 0, text);
				c.clients[i].req = 0;
				sent = true;
			}
		if (!sent)
			(void)rndc_parent_reply(m->hdr.id, status == 0, text);
		free(text);
		break;
	}
	default:
		fatalx("parent: unexpected %s", msg_type_str(m->hdr.type));
	}
}

/* ---- apex-ctl ------------------------------------------------------ */

static void
client_close(struct client *cl)
{
	if (cl->ev != NULL)
		event_free(cl->ev);
	close(cl->fd);
	memset(cl, 0, sizeof(*cl));
	cl->fd = -1;
}

static void
client_reply(struct client *cl, bool ok, const char *text)
{
	struct msg_buf *b = xmalloc(sizeof(*b));
	struct sbuf json;

	msg_buf_init(b);
	msg_put_u32(b, ok ? 0 : 1);
	if ((cl->flags & CTL_F_JSON) && *text != '{') {
		sbuf_init(&json);
		sbuf_printf(&json, "{\"ok\":%s,\"message\":",
		    ok ? "true" : "false");
		sbuf_json_str(&json, text);
		sbuf_printf(&json, "}\n");
		msg_put_str(b, json.s);
		sbuf_free(&json);
	} else
		msg_put_str(b, text);
	if (b->overflow || msg_send(cl->fd, MSG_CTL_REPLY, 0, b, -1) != 0)
		client_close(cl);
	free(b);
}

/* status, zonestatus and stats need nothing from the parent. */
static bool
client_local(struct client *cl, uint32_t cmd, const char *arg)
{
	struct stats_block sum;
	struct sbuf out;
	bool json = (cl->flags & CTL_F_JSON) != 0, ok = true;

	sbuf_init(&out);
	switch (cmd) {
	case CTL_STATUS:
		render_status(&c.view, json, &out);
		break;
	case CTL_ZONESTATUS:
		if (render_zonestatus(&c.view, arg, json, &out) != 0) {
			sbuf_printf(&out, "no such zone: %s", arg);
			ok = false;
		}
		break;
	case CTL_STATS:
		control_sum(&sum);
		render_stats(&c.view, &sum, json, &out);
		break;
	default:
		sbuf_free(&out);
		return false;
	}
	client_reply(cl, ok, out.s);
	sbuf_free(&out);
	return true;
}

static void
client_readable(evutil_socket_t fd, short events, void *arg)
{
	struct client *cl = arg;
	struct msg *m = c.m;
	struct ctl_request req;

	/* A request waiting for the parent may take long (a reload of
	 * large zones); only a connection that owes us nothing idles. */
	if (events & EV_TIMEOUT) {
		if (cl->req == 0) {
			c.ctl_idle_closed++;
			client_close(cl);
		}
		return;
	}
	if (msg_recv(fd, m) != 0) {
		client_close(cl);
		return;
	}
	if (m->fd >= 0)
		close(m->fd);
	/* Trust rule: apex-ctl is less trusted than we are: a malformed
	 * request ends the connection. */
	if (ctl_request_decode(m, &req) != 0 || cl->req != 0) {
		log_cat(LOGC_SECURITY, LOG_LEVEL_WARN,
		    "control: malformed request; connection closed");
		client_close(cl);
		return;
	}
	cl->flags = req.flags;
	if (client_local(cl, req.cmd, req.arg))
		return;
	cl->req = control_forward(req.cmd, req.flags, req.arg);
}

uint32_t
control_forward(uint32_t cmd, uint32_t flags, const char *arg)
{
	struct msg_buf b;

	msg_buf_init(&b);
	msg_put_u32(&b, cmd);
	msg_put_u32(&b, flags);
	msg_put_str(&b, arg);
	if (++c.next_req == 0)
		c.next_req = 1;
	if (msg_send(c.args->parent, MSG_CP_REQUEST, c.next_req, &b, -1) != 0)
		fatal("parent");
	return c.next_req;
}

void
control_stats_text(struct sbuf *out)
{
	struct stats_block sum;

	control_sum(&sum);
	render_stats(&c.view, &sum, 0, out);
}

const struct server_view *
control_view(void)
{
	return &c.view;
}

/*
 * Only root, the socket's owner, or its group may control the server;
 * the file mode says so too, this holds even if the mode is loosened.
 */
static bool
peer_allowed(int fd)
{
	const struct conf_control *ctl = &c.args->conf->control;
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len) != 0)
		return false;
	return cred.uid == 0 || cred.uid == ctl->owner ||
	    cred.gid == ctl->group;
}

static void
control_accept(evutil_socket_t lfd, short events, void *arg)
{
	static const struct timeval idle = { CTL_IDLE, 0 };
	int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (fd < 0)
		return;
	if (!peer_allowed(fd)) {
		log_cat(LOGC_SECURITY, LOG_LEVEL_WARN,
		    "control: connection from a user without access refused");
		close(fd);
		return;
	}
	for (unsigned i = 0; i < MAX_CLIENTS; i++) {
		struct client *cl = &c.clients[i];
		if (cl->fd >= 0)
			continue;
		cl->fd = fd;
		cl->req = 0;
		cl->ev = event_new(c.base, fd, EV_READ | EV_PERSIST,
		    client_readable, cl);
		if (cl->ev == NULL || event_add(cl->ev, &idle) != 0)
			fatalx("client event");
		return;
	}
	c.ctl_refused++;
	close(fd);	/* too many at once */
}

/* ---- HTTP ---------------------------------------------------------- */

/* The channel whose socket took this connection: same port, and the
 * same address unless the channel listens on all of them. */
static const struct conf_stats_channel *
http_channel(int fd)
{
	const struct conf *cf = c.args->conf;
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len) != 0)
		return NULL;
	for (unsigned i = 0; i < cf->nstats; i++) {
		const struct sockaddr_storage *ch = &cf->stats[i].ss;
		if (ch->ss_family != ss.ss_family)
			continue;
		if (ss.ss_family == AF_INET) {
			const struct sockaddr_in *a = (const void *)ch;
			const struct sockaddr_in *b = (const void *)&ss;
			if (a->sin_port == b->sin_port &&
			    (a->sin_addr.s_addr == INADDR_ANY ||
			    a->sin_addr.s_addr == b->sin_addr.s_addr))
				return &cf->stats[i];
		} else {
			const struct sockaddr_in6 *a = (const void *)ch;
			const struct sockaddr_in6 *b = (const void *)&ss;
			if (a->sin6_port == b->sin6_port &&
			    (IN6_IS_ADDR_UNSPECIFIED(&a->sin6_addr) ||
			    memcmp(&a->sin6_addr, &b->sin6_addr, 16) == 0))
				return &cf->stats[i];
		}
	}
	return NULL;
}

/* The channel's allow list (none given: this host only, as BIND). */
static bool
http_allowed(int fd, const struct sockaddr *peer)
{
	const struct conf_stats_channel *ch = http_channel(fd);

	if (ch == NULL)
		return false;
	return acl_allows(ch->allow ? ch->allow : c.args->conf->localhost,
	    peer, NULL);
}

static void
http_close(struct http_conn *hc)
{
	event_free(hc->rev);
	event_free(hc->wev);
	event_free(hc->timer);
	close(hc->fd);
	sbuf_free(&hc->out);
	hc->rev = hc->wev = hc->timer = NULL;
	hc->fd = -1;
	hc->inlen = hc->outoff = hc->discarded = 0;
	hc->answered = hc->lingering = false;
}

/* Every answer closes the connection: one request per connection keeps
 * the reader stateless, and scrapers reconnect cheaply. */
static void
http_respond(struct http_conn *hc, int status, const char *type,
    const char *body, bool head)
{
	c.http_results[http_result_of(status)]++;
	hc->answered = true;
	sbuf_printf(&hc->out, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\n"
	    "Content-Length: %zu\r\nConnection: close\r\n\r\n%s", status,
	    http_reason(status), type, strlen(body), head ? "" : body);
	event_del(hc->rev);
	if (event_add(hc->wev, NULL) != 0)
		fatalx("http event");
}

static void
http_render_json(struct sbuf *out, const struct stats_block *sum)
{
	sbuf_printf(out, "{\"status\":");
	render_status(&c.view, 1, out);
	sbuf_printf(out, ",\"stats\":");
	render_stats(&c.view, sum, 1, out);
	sbuf_printf(out, ",\"zones\":[");
	for (uint32_t i = 0; i < c.view.nzones; i++) {
		if (i > 0)
			sbuf_printf(out, ",");
		(void)render_zonestatus(&c.view, c.view.zones[i].name, 1, out);
	}
	sbuf_printf(out, "]}\n");
}

static void
http_route(struct http_conn *hc, const struct http_request *req)
{
	struct stats_block sum;
	struct sbuf body;

	sbuf_init(&body);
	control_sum(&sum);
	switch (req->route) {
	case HTTP_ROUTE_METRICS:
		render_metrics(&c.view, &sum, &body);
		http_respond(hc, 200, "text/plain; version=0.0.4", body.s,
		    req->head);
		break;
	case HTTP_ROUTE_HEALTH:
		if (server_view_healthy(&c.view, &body))
			http_respond(hc, 200, "text/plain", "OK\n", req->head);
		else
			http_respond(hc, 503, "text/plain", body.s, req->head);
		break;
	case HTTP_ROUTE_JSON:
		http_render_json(&body, &sum);
		http_respond(hc, 200, "application/json", body.s, req->head);
		break;
	default:
		http_respond(hc, 404, "text/plain",
		    "/metrics, /health and /json\n", req->head);
	}
	sbuf_free(&body);
}

/*
 * After the answer, what the client still sends is read and dropped, a
 * bounded amount: closing with unread input would reset the connection
 * and could destroy the answer (a 413 or 431) before the client read it.
 */
static void
http_linger(struct http_conn *hc)
{
	ssize_t n = read(hc->fd, hc->in, sizeof(hc->in));

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n > 0 && (hc->discarded += (size_t)n) <= HTTP_LINGER)
		return;
	http_close(hc);
}

static void
http_readable(evutil_socket_t fd, short events, void *arg)
{
	struct http_conn *hc = arg;
	struct http_request req;
	char text[64];

	if (hc->lingering) {
		http_linger(hc);
		return;
	}
	/* The buffer is never full here: http_parse() decides by then. */
	ssize_t n = read(fd, hc->in + hc->inlen, sizeof(hc->in) - hc->inlen);
	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		http_close(hc);
		return;
	}
	hc->inlen += (size_t)n;
	if (http_parse(hc->in, hc->inlen, &req) == HTTP_MORE)
		return;
	if (req.status == 0) {
		http_route(hc, &req);
		return;
	}
	snprintf(text, sizeof(text), "%s\n", http_reason(req.status));
	http_respond(hc, req.status, "text/plain", text, req.head);
}

static void
http_writable(evutil_socket_t fd, short events, void *arg)
{
	struct http_conn *hc = arg;

	while (hc->outoff < hc->out.len) {
		ssize_t n = write(fd, hc->out.s + hc->outoff,
		    hc->out.len - hc->outoff);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0)
			break;
		hc->outoff += (size_t)n;
	}
	if (hc->outoff < hc->out.len || shutdown(fd, SHUT_WR) != 0) {
		http_close(hc);
		return;
	}
	hc->lingering = true;
	event_del(hc->wev);
	if (event_add(hc->rev, NULL) != 0)
		fatalx("http event");
}

/* One deadline for the whole exchange, so a client that trickles its
 * request (or reads the answer slowly) holds a slot for at most that. */
static void
http_timeout(evutil_socket_t fd, short events, void *arg)
{
	struct http_conn *hc = arg;

	if (!hc->answered)
		c.http_results[HTTP_RES_TIMEOUT]++;
	http_close(hc);
}

static void
http_start(int fd)
{
	static const struct timeval deadline = { HTTP_TIMEOUT, 0 };

	for (unsigned i = 0; i < HTTP_MAX_CONNS; i++) {
		struct http_conn *hc = &c.http[i];
		if (hc->fd >= 0)
			continue;
		hc->fd = fd;
		sbuf_init(&hc->out);
		hc->rev = event_new(c.base, fd, EV_READ | EV_PERSIST,
		    http_readable, hc);
		hc->wev = event_new(c.base, fd, EV_WRITE | EV_PERSIST,
		    http_writable, hc);
		hc->timer = evtimer_new(c.base, http_timeout, hc);
		if (hc->rev == NULL || hc->wev == NULL || hc->timer == NULL ||
		    event_add(hc->rev, NULL) != 0 ||
		    evtimer_add(hc->timer, &deadline) != 0)
			fatalx("http event");
		return;
	}
	c.http_refused_limit++;
	close(fd);
}

/*
 * The allow list is checked here, before a byte is read, and the
 * connection cap too: a client that may not use the channel costs an
 * accept and a close, nothing more.
 */
static void
http_accept(evutil_socket_t lfd, short events, void *arg)
{
	for (;;) {
		struct sockaddr_storage ss;
		socklen_t len = sizeof(ss);
		int fd = accept4(lfd, (struct sockaddr *)&ss, &len,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0)
			return;
		if (!http_allowed(fd, (struct sockaddr *)&ss)) {
			c.http_refused_acl++;
			close(fd);
			continue;
		}
		http_start(fd);
	}
}

/* ---- main ---------------------------------------------------------- */

/*
 * The control process's system calls: accepting and talking on the
 * control socket and the HTTP sockets it was given, reading the shared
 * counters. It opens nothing.
 */
static const struct sandbox_rule control_allow[] = {
	{ "accept4", "apex-ctl and HTTP connections" },
	{ "getsockopt", "SO_PEERCRED of apex-ctl; socket errors" },
	{ "getsockname", "which statistics channel took a connection" },
	{ "recvmsg", "messages from the parent and apex-ctl" },
	{ "sendmsg", "messages to them" },
	{ "recvfrom", "libc's recv" },
	{ "sendto", "log lines to the parent" },
	{ "read", "HTTP requests" },
	{ "write", "HTTP responses" },
	{ "shutdown", "end HTTP answers before the lingering read" },
	{ "close", "close connections" },
	{ "epoll_wait", "libevent" },
	{ "epoll_pwait", "libevent" },
	{ "epoll_ctl", "libevent" },
	{ "fcntl", "libevent: non-blocking sockets" },
	{ "munmap", "free" },
	{ "mremap", "realloc" },
	{ "madvise", "free" },
	{ "brk", "malloc" },
	{ "clock_gettime", "libevent timers" },
	{ "gettimeofday", "libevent timers, HTTP dates" },
	{ "time", "HTTP dates" },
	{ "getpid", "libevent" },
	{ "futex", "libc locks" },
	{ "getrandom", "libc malloc" },
	{ "newfstatat", "libc localtime" },
	{ "fstat", "libc localtime" },
	{ "lseek", "libc localtime" },
	{ "rt_sigprocmask", "libc" },
};

static const struct sandbox_arg_rule control_allow_args[] = {
	{ "openat", "libc localtime reads /etc/localtime, read-only",
	    SANDBOX_OPENAT_RDONLY },
	{ "mmap", "malloc; the counters, read-only (never executable)",
	    SANDBOX_NO_EXEC },
};

/*
 * The descriptors the control process keeps across fork; child_start()
 * closes every other: its channel, the control socket, the statistics
 * channels, the rndc channels and the read-only counter blocks. No DNS
 * socket, no other
 * child's channel, no pid file.
 */
int *
control_keep(const struct control_args *a, unsigned *n)
{
	int *k = xcalloc(a->nstats_fds + a->nrndc_fds + a->ncounters + 2,
	    sizeof(int));
	unsigned m = 0;

	if (a->ctl_fd >= 0)
		k[m++] = a->ctl_fd;
	for (unsigned i = 0; i < a->nstats_fds; i++)
		k[m++] = a->stats_fds[i];
	for (unsigned i = 0; i < a->nrndc_fds; i++)
		k[m++] = a->rndc_fds[i];
	for (unsigned i = 0; i < a->ncounters; i++)
		k[m++] = a->counters[i];
	*n = m;
	return k;
}

/* Every worker block, read-only: the count is the parent's, never read
 * from memory a worker can write. */
static void
control_map_counters(void)
{
	c.counters = xcalloc(c.args->ncounters + 1, sizeof(*c.counters));
	for (unsigned i = 0; i < c.args->ncounters; i++)
		if ((c.counters[i] = stats_block_map(c.args->counters[i],
		    false)) == NULL)
			fatal("map counters");
}

void
control_main(const struct control_args *args)
{
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGCHLD, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGPIPE, SIG_IGN);
	c.args = args;
	log_set_role("control");
	(void)prctl(PR_SET_NAME, "apex-control");
	msg_log_to(args->parent);
	c.m = xmalloc(sizeof(*c.m));
	control_map_counters();
	for (unsigned i = 0; i < MAX_CLIENTS; i++)
		c.clients[i].fd = -1;
	/* localtime() reads the zone file here, before the sandbox. */
	time_t now = time(NULL);
	struct tm tm;
	localtime_r(&now, &tm);
	if ((c.base = event_base_new()) == NULL)
		fatalx("event_base_new");
	struct event *pev = event_new(c.base, args->parent,
	    EV_READ | EV_PERSIST, control_dispatch_parent, NULL);
	if (pev == NULL || event_add(pev, NULL) != 0)
		fatalx("parent event");
	if (args->ctl_fd >= 0) {
		struct event *ev = event_new(c.base, args->ctl_fd,
		    EV_READ | EV_PERSIST, control_accept, NULL);
		if (ev == NULL || event_add(ev, NULL) != 0)
			fatalx("control socket event");
	}
	for (unsigned i = 0; i < HTTP_MAX_CONNS; i++)
		c.http[i].fd = -1;
	for (unsigned i = 0; i < args->nstats_fds; i++) {
		struct event *ev = event_new(c.base, args->stats_fds[i],
		    EV_READ | EV_PERSIST, http_accept, NULL);
		if (ev == NULL || event_add(ev, NULL) != 0)
			fatalx("statistics channel");
	}
	rndc_init(args->conf, args->rndc_fds, args->nrndc_fds, c.base);
	if (sandbox_enter_args("control", control_allow,
	    nitems(control_allow), control_allow_args,
	    nitems(control_allow_args), args->uid, args->gid,
	    args->chroot) != 0)
		fatal("sandbox");
	event_base_dispatch(c.base);
	fatalx("event loop ended");
}
