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

#include "error.h"
#include "log.h"
#include "logging.h"
#include "xferlink.h"

#define BACKOFF_MIN_MS	200
#define BACKOFF_MAX_MS	30000
#define STABLE_SECS	60

static struct xferlink {
	struct event_base	*base;
	const char		*conf_path;
	const char		*cwd;
	uid_t			 uid;
	gid_t			 gid;
	bool			 debug;
	struct xferlink_hooks	 hooks;
	pid_t			 pid;
	int			 sock;
	struct event		*ev;
	struct event		*wev;		/* writable: send what waits */
	struct msg_queue	 q;
	struct event		*restart_ev;
	unsigned		 backoff_ms;
	time_t			 started;
	bool			 stopping;
	bool			 restart_now;
	struct msg		*m;
	char			 path[PATH_MAX];
} x = { .sock = -1 };

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
	return x.pid > 0 && x.sock >= 0;
}

static void
xferlink_writable(evutil_socket_t fd, short events, void *arg)
{
	int rc = msg_queue_flush(&x.q, x.sock);

	if (rc == 1)
		event_add(x.wev, NULL);
	else if (rc < 0)
		kill(x.pid, SIGKILL);
}

/* Sends without waiting: apex-xferd sends to the parent too, and two
 * processes each waiting for the other would never move again. */
static void
send_or_kill(uint16_t type, uint32_t id, const struct msg_buf *b, int fd)
{
	if (!xferlink_running())
		return;
	int rc = msg_queue_send(&x.q, x.sock, type, id, b, fd);
	if (rc != 0) {
		log_warnx("apex-xferd: cannot send %s (%s)",
		    msg_type_str(type), apex_strerror(rc));
		kill(x.pid, SIGKILL);
		return;
	}
	if (msg_queue_pending(&x.q))
		event_add(x.wev, NULL);
}

void
xferlink_zone(const uint8_t *origin, uint32_t serial, int fd)
{
	struct msg_buf b;

	msg_buf_init(&b);
	msg_put_name(&b, origin);
	msg_put_u32(&b, serial);
	send_or_kill(MSG_PX_ZONE, 0, &b, fd);
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
	uint32_t expired;
	char err[256];

	memset(st, 0, sizeof(*st));
	if (msg_get_name(m, origin) != 0 || msg_get_u32(m, &expired) != 0 ||
	    msg_get_u32(m, &st->serial) != 0 ||
	    msg_get_u64(m, &st->last_refresh) != 0 ||
	    msg_get_u64(m, &st->next_refresh) != 0 ||
	    msg_get_u64(m, &st->expires) != 0 ||
	    msg_get_u64(m, &st->journal_size) != 0)
		return APEX_EMALF;
	for (unsigned i = 0; i < XFR_STATE_COUNTERS; i++)
		if (msg_get_u64(m, &st->count[i]) != 0)
			return APEX_EMALF;
	if (msg_get_str(m, err, sizeof(err)) != 0 || msg_end(m) != 0)
		return APEX_EMALF;
	st->expired = expired != 0;
	st->error = xstrdup(err);
	return 0;
}

static void
xferlink_dispatch(evutil_socket_t fd, short events, void *arg)
{
	struct msg *m = x.m;
	uint8_t origin[DNAME_MAXLEN];
	struct xfr_state st;
	uint32_t v;
	char text[4096];
	int rc = msg_recv(fd, m);

	if (rc != 0) {
		/* Closed or broken: SIGCHLD tells how it ended. */
		event_del(x.ev);
		return;
	}
	switch (m->hdr.type) {
	case MSG_XP_READY:
		if (m->fd >= 0 || msg_end(m) != 0)
			goto bad;
		x.hooks.ready();
		return;
	case MSG_XP_LOAD:
		if (m->fd < 0 || msg_get_name(m, origin) != 0 ||
		    msg_get_u32(m, &v) != 0 || msg_end(m) != 0)
			goto bad;
		x.hooks.load(origin, v, m->fd);
		return;
	case MSG_XP_STATE:
		if (m->fd >= 0 || read_state(m, origin, &st) != 0)
			goto bad;
		x.hooks.state(origin, &st);
		free(st.error);
		return;
	case MSG_XP_REPLY:
		if (m->fd >= 0 || msg_get_u32(m, &v) != 0 ||
		    msg_get_str(m, text, sizeof(text)) != 0 ||
		    msg_end(m) != 0 || m->hdr.id == 0)
			goto bad;
		x.hooks.reply(m->hdr.id, v == 0, text);
		return;
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
	kill(x.pid, SIGKILL);
}

/* In the child: descriptor 3 is the socket, nothing else stays open. */
static void NORETURN
exec_child(int sock)
{
	char uid[32], gid[32];
	char *argv[10];
	int i = 0;

	(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
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
	/* The parent's handlers (libevent's) must not catch a stop meant
	 * for this child before exec. */
	signal(SIGTERM, SIG_DFL);
	signal(SIGINT, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	signal(SIGCHLD, SIG_DFL);
	sigset_t all;
	sigemptyset(&all);
	sigprocmask(SIG_SETMASK, &all, NULL);
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
	int sv[2];

	if (x.pid > 0 || x.stopping)
		return;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
		log_warn("apex-xferd: socketpair");
		return;
	}
	pid_t pid = fork();
	if (pid < 0) {
		log_warn("fork apex-xferd");
		close(sv[0]);
		close(sv[1]);
		return;
	}
	if (pid == 0)
		exec_child(sv[1]);
	close(sv[1]);
	x.pid = pid;
	x.sock = sv[0];
	x.started = time(NULL);
	x.ev = event_new(x.base, x.sock, EV_READ | EV_PERSIST,
	    xferlink_dispatch, NULL);
	x.wev = event_new(x.base, x.sock, EV_WRITE, xferlink_writable, NULL);
	msg_queue_init(&x.q);
	if (x.ev == NULL || x.wev == NULL || event_add(x.ev, NULL) != 0)
		fatalx("apex-xferd event");
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
	if (x.pid > 0)
		kill(x.pid, SIGTERM);
}

void
xferlink_kill(void)
{
	x.stopping = true;
	if (x.pid > 0)
		kill(x.pid, SIGKILL);
}

void
xferlink_restart(void)
{
	if (x.pid > 0) {
		x.restart_now = true;
		kill(x.pid, SIGTERM);
	} else
		xferlink_start();
}

bool
xferlink_reap(pid_t pid, int status)
{
	if (pid != x.pid || pid <= 0)
		return false;
	if (x.ev != NULL)
		event_free(x.ev);
	x.ev = NULL;
	if (x.wev != NULL)
		event_free(x.wev);
	x.wev = NULL;
	msg_queue_clear(&x.q);
	close(x.sock);
	x.sock = -1;
	x.pid = 0;
	if (x.stopping)
		return true;
	unsigned ms = 0;
	if (x.restart_now)
		x.restart_now = false;
	else {
		if (WIFSIGNALED(status))
			log_warnx("apex-xferd killed by signal %d (%s); "
			    "restarting", WTERMSIG(status),
			    strsignal(WTERMSIG(status)));
		else
			log_warnx("apex-xferd exited with status %d; "
			    "restarting", WEXITSTATUS(status));
		if (time(NULL) - x.started >= STABLE_SECS)
			x.backoff_ms = 0;
		ms = x.backoff_ms;
		x.backoff_ms = ms == 0 ? BACKOFF_MIN_MS :
		    (ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : ms * 2);
	}
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };
	if (x.restart_ev == NULL)
		x.restart_ev = evtimer_new(x.base, restart_cb, NULL);
	evtimer_add(x.restart_ev, &tv);
	return true;
}
