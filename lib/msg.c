/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * Message framing over SOCK_SEQPACKET.
 * Runs in: every process.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "dname.h"
#include "error.h"
#include "log.h"
#include "msg.h"

void
msg_buf_init(struct msg_buf *b)
{
	b->len = 0;
	b->overflow = false;
}

void
msg_put_bytes(struct msg_buf *b, const void *p, size_t n)
{
	if (b->overflow || n > sizeof(b->data) - b->len) {
		b->overflow = true;
		return;
	}
	memcpy(b->data + b->len, p, n);
	b->len += n;
}

void
msg_put_u32(struct msg_buf *b, uint32_t v)
{
	msg_put_bytes(b, &v, sizeof(v));
}

void
msg_put_u64(struct msg_buf *b, uint64_t v)
{
	msg_put_bytes(b, &v, sizeof(v));
}

void
msg_put_str(struct msg_buf *b, const char *s)
{
	size_t n = strlen(s);

	if (n > UINT32_MAX) {
		b->overflow = true;
		return;
	}
	msg_put_u32(b, (uint32_t)n);
	msg_put_bytes(b, s, n);
}

/* One datagram; flags as for sendmsg(2). */
static int
send_raw(int sock, uint16_t type, uint32_t id, const void *data, size_t len,
    int fd, int flags)
{
	struct msg_hdr h = { type, MSG_VERSION, (uint32_t)len, id,
	    fd >= 0 ? MSG_F_FD : 0 };
	struct iovec iov[2] = {
		{ &h, sizeof(h) },
		{ (void *)data, len },
	};
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(sizeof(int))];
	} cm;
	struct msghdr mh;

	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = iov;
	mh.msg_iovlen = 2;
	if (fd >= 0) {
		memset(&cm, 0, sizeof(cm));
		mh.msg_control = cm.buf;
		mh.msg_controllen = sizeof(cm.buf);
		struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(c), &fd, sizeof(int));
	}
	for (;;) {
		ssize_t n = sendmsg(sock, &mh, MSG_NOSIGNAL | flags);
		if (n >= 0)
			return (size_t)n == sizeof(h) + h.len ? 0 : APEX_EIO;
		if (errno != EINTR)
			return APEX_EIO;
	}
}

int
msg_send(int sock, uint16_t type, uint32_t id, const struct msg_buf *b,
    int fd)
{
	if (b != NULL && b->overflow)
		return APEX_ELIMIT;
	return send_raw(sock, type, id, b ? b->data : NULL, b ? b->len : 0,
	    fd, 0);
}

/* ---- queues: sending without waiting ------------------------------ */

struct msg_queued {
	struct msg_queued	*next;
	uint16_t		 type;
	uint32_t		 id;
	int			 fd;		/* a duplicate, or -1 */
	size_t			 len;
	uint8_t			 data[];
};

void
msg_queue_init(struct msg_queue *q)
{
	memset(q, 0, sizeof(*q));
}

void
msg_queue_clear(struct msg_queue *q)
{
	struct msg_queued *e, *next;

	for (e = q->head; e != NULL; e = next) {
		next = e->next;
		if (e->fd >= 0)
			close(e->fd);
		free(e);
	}
	msg_queue_init(q);
}

int
msg_queue_flush(struct msg_queue *q, int sock)
{
	struct msg_queued *e;

	while ((e = q->head) != NULL) {
		if (send_raw(sock, e->type, e->id, e->data, e->len, e->fd,
		    MSG_DONTWAIT) != 0)
			return errno == EAGAIN || errno == ENOBUFS ? 1 :
			    APEX_EIO;
		q->head = e->next;
		if (q->head == NULL)
			q->tail = NULL;
		q->n--;
		if (e->fd >= 0)
			close(e->fd);
		free(e);
	}
	return 0;
}

int
msg_queue_send(struct msg_queue *q, int sock, uint16_t type, uint32_t id,
    const struct msg_buf *b, int fd)
{
	size_t len = b ? b->len : 0;

	if (b != NULL && b->overflow)
		return APEX_ELIMIT;
	if (q->head == NULL) {
		if (send_raw(sock, type, id, b ? b->data : NULL, len, fd,
		    MSG_DONTWAIT) == 0)
			return 0;
		if (errno != EAGAIN && errno != ENOBUFS)
			return APEX_EIO;
	}
	if (q->n >= MSG_QUEUE_MAX)
		return APEX_ELIMIT;
	struct msg_queued *e = xmalloc(sizeof(*e) + len);
	e->next = NULL;
	e->type = type;
	e->id = id;
	e->len = len;
	if (len > 0)
		memcpy(e->data, b->data, len);
	e->fd = -1;
	if (fd >= 0 && (e->fd = fcntl(fd, F_DUPFD_CLOEXEC, 0)) < 0) {
		free(e);
		return APEX_EIO;
	}
	if (q->tail != NULL)
		q->tail->next = e;
	else
		q->head = e;
	q->tail = e;
	q->n++;
	return 0;
}

/* The types that carry a descriptor; any other arriving with one is
 * malformed (and the descriptor closed, so a child cannot fill the
 * parent's descriptor table). */
static bool
msg_type_takes_fd(uint16_t type)
{
	switch (type) {
	case MSG_LP_ZONE:
	case MSG_PW_ZONE:
	case MSG_WP_XFR:
	case MSG_PX_ZONE:
	case MSG_PX_XFR:
	case MSG_XP_LOAD:
	case MSG_PS_SIGN:
	case MSG_SP_ZONE:
		return true;
	default:
		return false;
	}
}

#define MSG_RECV_FDS	8	/* room to see, and close, what a peer sends */

/* Collects every descriptor that arrived; returns how many. */
static unsigned
recv_fds(struct msghdr *mh, int fds[MSG_RECV_FDS])
{
	unsigned n = 0;

	for (struct cmsghdr *c = CMSG_FIRSTHDR(mh); c != NULL;
	    c = CMSG_NXTHDR(mh, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS ||
		    c->cmsg_len < CMSG_LEN(0))
			continue;
		size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < k && n < MSG_RECV_FDS; i++)
			memcpy(&fds[n++], CMSG_DATA(c) + i * sizeof(int),
			    sizeof(int));
	}
	return n;
}

int
msg_recv(int sock, struct msg *m)
{
	struct iovec iov[2] = {
		{ &m->hdr, sizeof(m->hdr) },
		{ m->payload, sizeof(m->payload) },
	};
	union {
		struct cmsghdr	hdr;
		char		buf[CMSG_SPACE(MSG_RECV_FDS * sizeof(int))];
	} cm;
	struct msghdr mh;
	int fds[MSG_RECV_FDS];
	ssize_t n;

	m->fd = -1;
	m->pos = 0;
	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = iov;
	mh.msg_iovlen = 2;
	mh.msg_control = cm.buf;
	mh.msg_controllen = sizeof(cm.buf);
	do
		n = recvmsg(sock, &mh, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n < 0)
		return APEX_EIO;
	if (n == 0)
		return APEX_ENOENT;
	unsigned nfds = recv_fds(&mh, fds);
	int rc = 0;
	if ((mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)) || nfds > 1 ||
	    (size_t)n < sizeof(m->hdr) || m->hdr.len != (size_t)n -
	    sizeof(m->hdr) || m->hdr.type == MSG_NONE ||
	    m->hdr.type >= MSG_TYPE_MAX ||
	    ((m->hdr.flags & MSG_F_FD) != 0) != (nfds == 1) ||
	    (nfds == 1 && !msg_type_takes_fd(m->hdr.type)))
		rc = APEX_EMALF;
	else if (m->hdr.version != MSG_VERSION)
		rc = APEX_EVERSION;
	if (rc == 0 && nfds == 1)
		m->fd = fds[0];
	else
		for (unsigned i = 0; i < nfds; i++)
			close(fds[i]);
	return rc;
}

static int
get_bytes(struct msg *m, void *p, size_t n)
{
	if (m->hdr.len - m->pos < n)
		return APEX_EMALF;
	memcpy(p, m->payload + m->pos, n);
	m->pos += n;
	return 0;
}

int
msg_get_u32(struct msg *m, uint32_t *v)
{
	return get_bytes(m, v, sizeof(*v));
}

int
msg_get_u64(struct msg *m, uint64_t *v)
{
	return get_bytes(m, v, sizeof(*v));
}

int
msg_get_str(struct msg *m, char *buf, size_t size)
{
	uint32_t n;

	if (msg_get_u32(m, &n) != 0 || n >= size || m->hdr.len - m->pos < n ||
	    memchr(m->payload + m->pos, '\0', n) != NULL)
		return APEX_EMALF;
	memcpy(buf, m->payload + m->pos, n);
	buf[n] = '\0';
	m->pos += n;
	return 0;
}

void
msg_put_name(struct msg_buf *b, const uint8_t *name)
{
	size_t n = dname_len(name);

	msg_put_u32(b, (uint32_t)n);
	msg_put_bytes(b, name, n);
}

int
msg_get_name(struct msg *m, uint8_t name[DNAME_MAXLEN])
{
	uint32_t n;

	if (msg_get_u32(m, &n) != 0 || n > DNAME_MAXLEN ||
	    m->hdr.len - m->pos < n ||
	    dname_scan(m->payload + m->pos, n, NULL) != (int)n)
		return APEX_EMALF;
	memcpy(name, m->payload + m->pos, n);
	m->pos += n;
	return 0;
}

int
msg_get_bytes(struct msg *m, void *buf, size_t n)
{
	if (m->hdr.len - m->pos < n)
		return APEX_EMALF;
	memcpy(buf, m->payload + m->pos, n);
	m->pos += n;
	return 0;
}

int
msg_end(const struct msg *m)
{
	return m->pos == m->hdr.len ? 0 : APEX_EMALF;
}

const char *
msg_type_str(uint16_t type)
{
	static const char *const names[] = {
		[MSG_NONE] = "none",
		[MSG_LP_ZONE] = "loader-zone",
		[MSG_LP_ERROR] = "loader-error",
		[MSG_LP_DONE] = "loader-done",
		[MSG_PW_ZONE] = "worker-zone",
		[MSG_PW_QUERYLOG] = "worker-querylog",
		[MSG_PW_RETIRE] = "worker-retire",
		[MSG_PW_TEST_SYSCALL] = "worker-test-syscall",
		[MSG_PW_TEST_WRITE] = "worker-test-write",
		[MSG_WP_READY] = "worker-ready",
		[MSG_WP_ZONE_OK] = "worker-zone-ok",
		[MSG_WP_ZONE_BAD] = "worker-zone-bad",
		[MSG_CP_REQUEST] = "control-request",
		[MSG_PC_REPLY] = "control-reply",
		[MSG_PC_STATE] = "control-state",
		[MSG_PC_STATE_MORE] = "control-state-more",
		[MSG_CTL_REQUEST] = "ctl-request",
		[MSG_CTL_REPLY] = "ctl-reply",
		[MSG_LOG] = "log",
		[MSG_WP_XFR] = "worker-xfr",
		[MSG_WP_NOTIFY] = "worker-notify",
		[MSG_PW_EXPIRED] = "worker-expired",
		[MSG_PX_ZONE] = "xferd-zone",
		[MSG_PX_XFR] = "xferd-xfr",
		[MSG_PX_NOTIFY] = "xferd-notify",
		[MSG_PX_COMMAND] = "xferd-command",
		[MSG_XP_REPLY] = "xferd-reply",
		[MSG_XP_LOAD] = "xferd-load",
		[MSG_XP_STATE] = "xferd-state",
		[MSG_XP_READY] = "xferd-ready",
		[MSG_PX_START] = "xferd-start",
		[MSG_WP_UPDATE] = "worker-update",
		[MSG_PX_UPDATE] = "xferd-update",
		[MSG_XP_UPDATE] = "xferd-update-answer",
		[MSG_PW_UPDATE] = "worker-update-answer",
		[MSG_PS_SIGN] = "signer-sign",
		[MSG_SP_ZONE] = "signer-zone",
		[MSG_SP_ERROR] = "signer-error",
		[MSG_SP_STATE] = "signer-state",
		[MSG_SP_READY] = "signer-ready",
		[MSG_PS_COMMAND] = "signer-command",
		[MSG_SP_REPLY] = "signer-reply",
	};

	return type < nitems(names) && names[type] ? names[type] : "unknown";
}

/* ---- log forwarding ----------------------------------------------- */

static int log_sock = -1;
static unsigned long log_dropped;

static void
msg_log_sink(enum log_category cat, enum log_level level, const char *line)
{
	struct {
		struct msg_hdr	h;
		uint32_t	cat, level, len;
		char		text[2048];
	} m;
	size_t n = strlen(line);

	if (n > sizeof(m.text))
		n = sizeof(m.text);
	m.h.type = MSG_LOG;
	m.h.version = MSG_VERSION;
	m.h.len = (uint32_t)(12 + n);
	m.h.id = 0;
	m.h.flags = 0;
	m.cat = cat;
	m.level = level;
	m.len = (uint32_t)n;
	memcpy(m.text, line, n);
	if (send(log_sock, &m, sizeof(m.h) + m.h.len,
	    MSG_DONTWAIT | MSG_NOSIGNAL) < 0)
		log_dropped++;
}

void
msg_log_to(int sock)
{
	log_sock = sock;
	log_set_sink(sock >= 0 ? msg_log_sink : NULL);
}

unsigned long
msg_log_dropped(void)
{
	return log_dropped;
}
