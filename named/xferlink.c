/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * Starting apex-xferd: fork, then exec of its own binary, so it starts
 * from a fresh address space. It runs as root only long enough to read
 * the configuration, then drops to the server's user and enters its
 * sandbox (see xferd/main.c). Its messages are checked here like any
 * child's: one that breaks the protocol gets it killed and restarted.
 * Runs in: apex-named parent.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include <event2/event.h>

#include "child.h"
#include "error.h"
#include "ipc.h"
#include "log.h"
#include "logging.h"
#include "xferlink.h"

#define BACKOFF_MIN_MS	200
#define BACKOFF_MAX_MS	30000

static struct xferlink {
	struct event_base	*base;
	const char		*conf_path;
	const char		*cwd;
	uid_t			 uid;
	gid_t			 gid;
	bool			 debug;
	struct xferlink_hooks	 hooks;
	struct child		 c;
	bool			 stopping;
	bool			 restart_now;
	bool			 ready;		/* it has every image */
	struct msg		*m;
	char			 path[PATH_MAX];
} x = { .c = { .name = "apex-xferd", .sock = -1 } };

/* APEX_XFERD, else beside this binary (an installation), else the
 * build tree's xferd/, else the installation directory. */
static void
find_binary(void)
{
	char self[PATH_MAX];
	const char *env = getenv("APEX_XFERD");
	ssize_t n;

	if (env != NULL && *env != '\0') {
		snprintf(x.path, sizeof(x.path), "%s", env);
		return;
	}
	if ((n = readlink("/proc/self/exe", self, sizeof(self) - 1)) > 0) {
		self[n] = '\0';
		char *dir = dirname(self);
		snprintf(x.path, sizeof(x.path), "%s/apex-xferd", dir);
		if (access(x.path, X_OK) == 0)
			return;
		snprintf(x.path, sizeof(x.path), "%s/../xferd/apex-xferd", dir);
		if (access(x.path, X_OK) == 0)
			return;
	}
	snprintf(x.path, sizeof(x.path), "%s/apex-xferd", SBINDIR);
}

void
xferlink_init(struct event_base *base, const char *conf_path,
    const char *cwd, uid_t uid, gid_t gid, bool debug,
    const struct xferlink_hooks *hooks)
{
	x.base = base;
	x.conf_path = conf_path;
	x.cwd = cwd;
	x.uid = uid;
	x.gid = gid;
	x.debug = debug;
	x.hooks = *hooks;
	x.m = xmalloc(sizeof(*x.m));
	find_binary();
}

bool
xferlink_running(void)
{
	return child_running(&x.c);
}

bool
xferlink_ready(void)
{
	return x.ready && child_running(&x.c);
}

/* Sends without waiting: apex-xferd sends to the parent too, and two
 * processes each waiting for the other would never move again. */
static void
send_or_kill(uint16_t type, uint32_t id, const struct msg_buf *b, int fd)
{
	(void)child_send(&x.c, type, id, b, fd);
}

static void
send_zone(uint32_t id, const uint8_t *origin, uint32_t serial, int fd)
{
	struct msg_buf b;

	msg_buf_init(&b);
	msg_put_name(&b, origin);
	msg_put_u32(&b, serial);
	send_or_kill(MSG_PX_ZONE, id, &b, fd);
}

void
xferlink_zone(const uint8_t *origin, uint32_t serial, int fd)
{
	send_zone(0, origin, serial, fd);
}

void
xferlink_unsigned(const uint8_t *origin, uint32_t serial, int fd)
{
	send_zone(MSG_PX_ZONE_UNSIGNED, origin, serial, fd);
}

void
xferlink_images_sent(void)
{
	send_or_kill(MSG_PX_START, 0, NULL, -1);
}

void
xferlink_relay(struct msg *m)
{
	if (xferlink_running()) {
		struct msg_buf *b = xmalloc(sizeof(*b));
		msg_buf_init(b);
		msg_put_bytes(b, m->payload, m->hdr.len);
		send_or_kill(m->hdr.type == MSG_WP_XFR ? MSG_PX_XFR :
		    MSG_PX_NOTIFY, 0, b, m->fd);
		free(b);
	}
	if (m->fd >= 0)
		close(m->fd);
	m->fd = -1;
}

void
xferlink_update(const struct ipc_update *u)
{
	if (!xferlink_running())
		return;	/* lost, as a datagram would be: the client retries */
	struct msg_buf *b = xmalloc(sizeof(*b));
	msg_buf_init(b);
	ipc_put_update(b, u);
	send_or_kill(MSG_PX_UPDATE, 0, b, -1);
	free(b);
}

bool
xferlink_command(uint32_t req, uint32_t cmd, const uint8_t *origin)
{
	struct msg_buf b;

	if (!xferlink_running())
		return false;
	msg_buf_init(&b);
	msg_put_u32(&b, cmd);
	msg_put_name(&b, origin);
	send_or_kill(MSG_PX_COMMAND, req, &b, -1);
	return true;
}

static int
read_state(struct msg *m, uint8_t *origin, struct xfr_state *st)
{
	struct ipc_xfr_state in;

	if (ipc_get_xp_state(m, origin, &in) != 0)
		return APEX_EMALF;
	memset(st, 0, sizeof(*st));
	st->expired = in.expired;
	st->unsynced = in.unsynced;
	st->frozen = in.frozen;
	st->serial = in.serial;
	st->last_refresh = in.last_refresh;
	st->next_refresh = in.next_refresh;
	st->expires = in.expires;
	st->journal_size = in.journal_size;
	memcpy(st->count, in.count, sizeof(st->count));
	st->error = xstrdup(in.error);
	return 0;
}

static void
xferlink_dispatch(evutil_socket_t fd, short events, void *arg)
{
	struct msg *m = x.m;
	uint8_t origin[DNAME_MAXLEN];
	struct xfr_state st;
	uint32_t v;
	bool ok;
	char text[4096];
	int rc = msg_recv(fd, m);

	if (rc != 0) {
		/* Closed or broken: SIGCHLD tells how it ended. */
		event_del(x.c.ev);
		return;
	}
	switch (m->hdr.type) {
	case MSG_XP_READY:
		if (ipc_get_empty(m) != 0)
			goto bad;
		x.ready = true;
		x.hooks.ready();
		return;
	case MSG_XP_LOAD:
		if (ipc_get_xp_load(m, origin, &v) != 0)
			goto bad;
		x.hooks.load(origin, v, m->fd);
		return;
	case MSG_XP_STATE:
		if (read_state(m, origin, &st) != 0)
			goto bad;
		x.hooks.state(origin, &st);
		free(st.error);
		return;
	case MSG_XP_REPLY:
		if (ipc_get_reply(m, &ok, text, sizeof(text)) != 0 ||
		    m->hdr.id == 0)
			goto bad;
		x.hooks.reply(m->hdr.id, ok, text);
		return;
	case MSG_XP_UPDATE: {
		struct ipc_update u;
		if (ipc_get_update(m, &u) != 0)
			goto bad;
		x.hooks.update_answer(&u);
		return;
	}
	case MSG_LOG:
		if (logging_from_child(m) == 0)
			return;
		break;
	}
bad:
	log_warnx("apex-xferd: unexpected or malformed %s; restarting it",
	    msg_type_str(m->hdr.type));
	if (m->fd >= 0)
		close(m->fd);
	child_kill(&x.c, SIGKILL);
}

/* In the child: descriptor 3 is the socket, nothing else stays open. */
static void
exec_child(void *arg, int sock)
{
	char uid[32], gid[32];
	char *argv[10];
	int i = 0;

	(void)arg;
	if (sock != 3) {
		if (dup2(sock, 3) != 3)
			_exit(127);
	} else
		(void)fcntl(3, F_SETFD, 0);
#ifdef SYS_close_range
	(void)syscall(SYS_close_range, 4, ~0U, 0);
#else
	for (int fd = 4; fd < 1024; fd++)
		(void)close(fd);
#endif
	if (x.cwd != NULL && chdir(x.cwd) != 0)
		_exit(127);
	snprintf(uid, sizeof(uid), "%u", (unsigned)x.uid);
	snprintf(gid, sizeof(gid), "%u", (unsigned)x.gid);
	argv[i++] = "apex-xferd";
	argv[i++] = "-c";
	argv[i++] = (char *)x.conf_path;
	argv[i++] = "-u";
	argv[i++] = uid;
	argv[i++] = "-g";
	argv[i++] = gid;
	if (x.debug)
		argv[i++] = "-d";
	argv[i] = NULL;
	execv(x.path, argv);
	fprintf(stderr, "apex-named: exec %s: %s\n", x.path, strerror(errno));
	_exit(127);
}

void
xferlink_start(void)
{
	if (x.c.pid > 0 || x.stopping)
		return;
	/* Nothing of the parent's survives the exec but the channel. */
	if (child_start(&x.c, x.base, NULL, 0, 0, exec_child, NULL,
	    xferlink_dispatch, NULL) != 0)
		return;	/* logged; the next reconfig or restart tries again */
}

static void
restart_cb(evutil_socket_t fd, short events, void *arg)
{
	xferlink_start();
}

void
xferlink_stop(void)
{
	x.stopping = true;
	child_kill(&x.c, SIGTERM);
}

void
xferlink_kill(void)
{
	x.stopping = true;
	child_kill(&x.c, SIGKILL);
}

void
xferlink_restart(void)
{
	if (x.c.pid > 0) {
		x.restart_now = true;
		child_kill(&x.c, SIGTERM);
	} else
		xferlink_start();
}

bool
xferlink_reap(pid_t pid, int status)
{
	if (pid != x.c.pid || pid <= 0)
		return false;
	x.ready = false;
	unsigned backoff = x.c.backoff_ms;
	unsigned ms = child_reaped(&x.c, BACKOFF_MIN_MS, BACKOFF_MAX_MS);
	if (x.stopping)
		return true;
	if (x.restart_now) {
		/* A reconfig, not a crash: no back-off. */
		x.restart_now = false;
		x.c.backoff_ms = backoff;
		ms = 0;
	} else if (WIFSIGNALED(status))
		log_warnx("apex-xferd killed by signal %d (%s); restarting",
		    WTERMSIG(status), strsignal(WTERMSIG(status)));
	else
		log_warnx("apex-xferd exited with status %d; restarting",
		    WEXITSTATUS(status));
	child_restart_after(&x.c, x.base, ms, restart_cb, NULL);
	return true;
}
