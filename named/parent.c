/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * The parent process. It binds every socket (DNS, the control socket,
 * statistics channels), has loader children compile zones into image
 * memfds, forks the workers and the control process, restarts any that
 * die (with back-off), and drives reloads and reconfigs. It never parses
 * a packet, a zone file, an HTTP request or a control request: it reads
 * only typed messages from its children (lib/msg.h).
 * Runs in: apex-named parent (root when started as root).
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <event2/event.h>

#include "control.h"
#include "error.h"
#include "listen.h"
#include "log.h"
#include "logging.h"
#include "msg.h"
#include "parent.h"
#include "reload.h"
#include "sandbox.h"
#include "stats.h"
#include "tsig.h"
#include "worker.h"
#include "xferlink.h"

#define DEFAULT_USER	"apex"
#define BACKOFF_MIN_MS	100
#define BACKOFF_MAX_MS	30000
#define STABLE_SECS	60	/* running this long resets the back-off */
#define STOP_GRACE	6	/* seconds for workers to finish TCP */

struct worker {
	pid_t		 pid;		/* 0: not running */
	int		 sock;		/* IPC, parent's end */
	struct event	*ev;
	struct event	*wev;		/* writable: send what waits */
	struct msg_queue q;		/* the parent never waits for a child */
	unsigned	 slot;
	unsigned	 gen;
	bool		 ready;
	time_t		 started;
};

/* The listening sockets of one worker slot, one per address. */
struct slot_socks {
	int		*udp;
	int		*tcp;
};

static struct parent_state {
	const struct parent_args *args;
	struct conf		*conf;
	struct event_base	*base;
	uid_t			 uid;
	gid_t			 gid;
	time_t			 started;

	struct listen_addr	*addrs;
	unsigned		 naddrs;
	struct slot_socks	*socks;		/* per slot */
	unsigned		 nworkers;
	unsigned		 gen;
	struct worker		*workers;	/* current generation */
	struct worker		*old;		/* retiring generation */
	unsigned		 nold;
	struct slot_socks	*old_socks;	/* closed when old is gone */
	unsigned		 old_naddrs;
	struct event		**restart_ev;	/* per slot */
	unsigned		*backoff_ms;	/* per slot */
	uint64_t		 restarts;
	struct stats_region	*stats;

	struct zone_state	*zs;
	struct tsig_keyring	 keys;
	uint32_t		 reload_req;	/* ctl request waiting, or 0 */
	char			*reload_errors;
	unsigned		 reload_ok, reload_failed;
	unsigned		 acks_due;	/* zone images not yet taken */
	bool			 loader_done;
	uint64_t		 reloads;
	uint32_t		 reconfig_req;
	unsigned		 new_ready;

	bool			 querylog;
	bool			 stopping;
	bool			 ready_notified;

	int			 ctl_fd;	/* control socket listener */
	int			*stats_fds;	/* statistics channels */
	unsigned		 nstats_fds;
	pid_t			 control_pid;
	int			 control_sock;
	struct event		*control_ev;
	struct event		*control_wev;
	struct msg_queue	 control_q;
	struct event		*control_restart_ev;
	unsigned		 control_backoff_ms;
	time_t			 control_started;

	int			 pid_fd;
	struct msg		*m;
	char			*start_cwd;	/* relative paths start here */
} p;

static void	parent_fork_worker(unsigned slot);
static void	parent_push_state(void);
static void	parent_reply(uint32_t req, bool ok, const char *text);

/* ---- small helpers ------------------------------------------------ */

static void
parent_resolve_user(void)
{
	const char *name = p.args->user ? p.args->user : DEFAULT_USER;
	struct passwd *pw;

	p.uid = 0;
	p.gid = 0;
	if (geteuid() != 0)
		return;	/* started unprivileged: nothing to drop */
	if ((pw = getpwnam(name)) == NULL && !p.args->user_given) {
		log_warnx("user '%s' does not exist; children run as "
		    "'nobody' (create it: useradd --system apex)", name);
		name = "nobody";
		pw = getpwnam(name);
	}
	if (pw == NULL)
		fatalx("user '%s' does not exist", name);
	p.uid = pw->pw_uid;
	p.gid = pw->pw_gid;
}

/* systemd's readiness protocol (sd_notify(3)), without libsystemd. */
static void
parent_sd_notify(const char *state)
{
	const char *path = getenv("NOTIFY_SOCKET");
	struct sockaddr_un sun;

	if (path == NULL || (path[0] != '/' && path[0] != '@') ||
	    strlen(path) >= sizeof(sun.sun_path))
		return;
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, path, strlen(path));
	if (sun.sun_path[0] == '@')
		sun.sun_path[0] = '\0';	/* abstract namespace */
	int fd = socket(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return;
	(void)sendto(fd, state, strlen(state), MSG_NOSIGNAL,
	    (struct sockaddr *)&sun, (socklen_t)(offsetof(struct sockaddr_un,
	    sun_path) + strlen(path)));
	close(fd);
}

/* The pid file, locked so a second instance refuses to start. */
static void
parent_pidfile(void)
{
	const char *path = p.conf->pid_file;
	char buf[32];

	p.pid_fd = -1;
	if (path == NULL)
		return;
	p.pid_fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (p.pid_fd < 0)
		fatal("pid-file %s", path);
	if (flock(p.pid_fd, LOCK_EX | LOCK_NB) != 0) {
		ssize_t n = read(p.pid_fd, buf, sizeof(buf) - 1);
		buf[n > 0 ? n : 0] = '\0';
		buf[strcspn(buf, "\n")] = '\0';
		fatalx("pid-file %s is held by a running apex-named (pid %s)",
		    path, buf);
	}
	int n = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (ftruncate(p.pid_fd, 0) != 0 || pwrite(p.pid_fd, buf, (size_t)n,
	    0) != n)
		fatal("pid-file %s", path);
}

/* ---- sockets ------------------------------------------------------ */

static int
find_addr(const struct listen_addr *a, unsigned n, const struct listen_addr *x)
{
	for (unsigned i = 0; i < n; i++)
		if (a[i].len == x->len && memcmp(&a[i].ss, &x->ss, x->len) == 0)
			return (int)i;
	return -1;
}

/*
 * Sockets for every slot and address; those of an address that old
 * already had are taken over (the same socket keeps its queue, so no
 * query waiting in it is lost), the others opened.
 * Returns: 0, or -1 with *why set (nothing changed).
 */
static int
parent_open_sockets(const struct listen_addr *addrs, unsigned naddrs,
    struct slot_socks **out, const char **why)
{
	struct slot_socks *s = xcalloc(p.nworkers, sizeof(*s));
	static char err[128];
	char str[64];

	for (unsigned k = 0; k < p.nworkers; k++) {
		s[k].udp = xmalloc((naddrs + 1) * sizeof(int));
		s[k].tcp = xmalloc((naddrs + 1) * sizeof(int));
		for (unsigned i = 0; i < naddrs; i++) {
			int o = p.socks ? find_addr(p.addrs, p.naddrs,
			    &addrs[i]) : -1;
			if (o >= 0) {
				s[k].udp[i] = p.socks[k].udp[o];
				s[k].tcp[i] = p.socks[k].tcp[o];
				continue;
			}
			listen_addr_str(&addrs[i], str, sizeof(str));
			if ((s[k].udp[i] = listen_udp(&addrs[i])) < 0 ||
			    (s[k].tcp[i] = listen_tcp(&addrs[i])) < 0) {
				snprintf(err, sizeof(err), "listen on %s: %s",
				    str, strerror(errno));
				*why = err;
				*out = s;
				return -1;
			}
			if (k == 0)
				log_info("listening on %s", str);
		}
	}
	*out = s;
	return 0;
}

static void
close_slot_socks(struct slot_socks *s, unsigned naddrs,
    const struct slot_socks *keep, unsigned nkeep)
{
	if (s == NULL)
		return;
	for (unsigned k = 0; k < p.nworkers; k++) {
		for (unsigned i = 0; i < naddrs; i++) {
			bool kept = false;
			for (unsigned j = 0; keep != NULL && j < nkeep; j++)
				kept |= keep[k].udp[j] == s[k].udp[i];
			if (kept)
				continue;
			if (s[k].udp[i] >= 0)
				close(s[k].udp[i]);
			if (s[k].tcp[i] >= 0)
				close(s[k].tcp[i]);
		}
		free(s[k].udp);
		free(s[k].tcp);
	}
	free(s);
}

/* The control socket: a fresh one, unless another server answers on it. */
static int
parent_control_socket(void)
{
	const struct conf_control *c = &p.conf->control;
	struct sockaddr_un sun;
	char *dir;

	if (c->path == NULL)
		return -1;
	if (strlen(c->path) >= sizeof(sun.sun_path))
		fatalx("controls: path %s is too long", c->path);
	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	strcpy(sun.sun_path, c->path);
	dir = xstrdup(c->path);
	(void)mkdir(dirname(dir), 0755);
	free(dir);
	int fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0);
	if (fd < 0)
		fatal("control socket");
	if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) == 0)
		fatalx("controls: another apex-named answers on %s", c->path);
	close(fd);
	(void)unlink(c->path);
	fd = socket(AF_UNIX, SOCK_SEQPACKET | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0 || bind(fd, (struct sockaddr *)&sun, sizeof(sun)) != 0) {
		log_warn("controls: %s (no control channel)", c->path);
		if (fd >= 0)
			close(fd);
		return -1;
	}
	if (chmod(c->path, (mode_t)c->perm) != 0 ||
	    (geteuid() == 0 && chown(c->path, c->owner, c->group) != 0) ||
	    listen(fd, 16) != 0)
		fatal("controls: %s", c->path);
	return fd;
}

static void
parent_stats_sockets(void)
{
	char str[64];

	p.nstats_fds = p.conf->nstats;
	p.stats_fds = xcalloc(p.nstats_fds + 1, sizeof(int));
	for (unsigned i = 0; i < p.nstats_fds; i++) {
		struct listen_addr a;
		memcpy(&a.ss, &p.conf->stats[i].ss, sizeof(a.ss));
		a.len = p.conf->stats[i].len;
		listen_addr_str(&a, str, sizeof(str));
		if ((p.stats_fds[i] = listen_tcp(&a)) < 0)
			fatal("statistics-channels: listen on %s", str);
		log_info("statistics channel on %s", str);
	}
}

/* ---- workers ------------------------------------------------------ */

static struct worker *
find_worker(pid_t pid, bool *old)
{
	for (unsigned k = 0; k < p.nworkers; k++)
		if (p.workers[k].pid == pid) {
			*old = false;
			return &p.workers[k];
		}
	for (unsigned k = 0; k < p.nold; k++)
		if (p.old[k].pid == pid) {
			*old = true;
			return &p.old[k];
		}
	return NULL;
}

static unsigned
workers_up(void)
{
	unsigned n = 0;

	for (unsigned k = 0; k < p.nworkers; k++)
		n += p.workers[k].ready;
	return n;
}

static void
parent_all_ready(void)
{
	if (p.ready_notified || workers_up() != p.nworkers)
		return;
	p.ready_notified = true;
	parent_sd_notify("READY=1");
	log_info("running with %u workers", p.nworkers);
}

static void parent_reload_progress(void);
static void parent_generation_ready(void);

static void
worker_zone_ack(struct worker *wk, struct msg *m, bool ok)
{
	uint32_t serial;

	if (msg_get_u32(m, &serial) != 0 || msg_end(m) != 0) {
		log_warnx("worker %u: malformed %s", wk->slot,
		    msg_type_str(m->hdr.type));
		kill(wk->pid, SIGKILL);
		return;
	}
	if (!ok)
		log_warnx("worker %u: rejected the image of zone %u",
		    wk->slot, m->hdr.id);
	if (p.acks_due > 0)
		p.acks_due--;
	parent_reload_progress();
}

/* What waits for a worker's socket goes out as it drains. */
static void
worker_writable(evutil_socket_t fd, short events, void *arg)
{
	struct worker *wk = arg;
	int rc = msg_queue_flush(&wk->q, wk->sock);

	if (rc == 1)
		event_add(wk->wev, NULL);
	else if (rc < 0)
		kill(wk->pid, SIGKILL);
}

/*
 * Sends to a worker without waiting for it. Returns: false if the worker
 * is gone or so far behind that it is killed (it is restarted).
 */
static bool
worker_send(struct worker *wk, uint16_t type, uint32_t id,
    const struct msg_buf *b, int fd)
{
	int rc = msg_queue_send(&wk->q, wk->sock, type, id, b, fd);

	if (rc != 0) {
		log_warnx("worker %u: cannot send %s (%s)", wk->slot,
		    msg_type_str(type), apex_strerror(rc));
		kill(wk->pid, SIGKILL);
		return false;
	}
	if (msg_queue_pending(&wk->q))
		event_add(wk->wev, NULL);
	return true;
}

/* MSG_PW_EXPIRED for zone i: whether it expired, and when it does. */
static void
expired_msg(unsigned i, struct msg_buf *b)
{
	msg_buf_init(b);
	msg_put_u32(b, p.zs[i].xfr.expired);
	msg_put_u64(b, p.zs[i].xfr.expires);
}

/* A new worker learns when secondary zones expire, and which have. */
static void
parent_tell_expired(struct worker *wk)
{
	struct msg_buf b;

	for (unsigned i = 0; i < p.conf->nzones; i++) {
		if (!p.zs[i].xfr.expired && p.zs[i].xfr.expires == 0)
			continue;
		expired_msg(i, &b);
		if (!worker_send(wk, MSG_PW_EXPIRED, i, &b, -1))
			return;
	}
}

static void
parent_dispatch_worker(evutil_socket_t fd, short events, void *arg)
{
	struct worker *wk = arg;
	struct msg *m = p.m;
	int rc = msg_recv(fd, m);

	if (rc != 0) {
		/* Closed or broken: SIGCHLD will tell how it ended. */
		event_del(wk->ev);
		return;
	}
	switch (m->hdr.type) {
	case MSG_WP_READY:
		wk->ready = true;
		parent_tell_expired(wk);
		if (wk->gen == p.gen && p.old != NULL)
			parent_generation_ready();
		parent_all_ready();
		parent_push_state();
		break;
	case MSG_WP_ZONE_OK:
	case MSG_WP_ZONE_BAD:
		worker_zone_ack(wk, m, m->hdr.type == MSG_WP_ZONE_OK);
		break;
	case MSG_WP_XFR:
	case MSG_WP_NOTIFY:
		/* For apex-xferd, which checks them itself. */
		if ((m->hdr.type == MSG_WP_XFR) != (m->fd >= 0))
			goto bad;
		xferlink_relay(m);
		break;
	case MSG_LOG:
		if (logging_from_child(m) == 0)
			break;
		/* FALLTHROUGH */
	default:
	bad:
		/* Trust rule: a worker breaking the protocol is restarted. */
		log_warnx("worker %u: unexpected or malformed %s; "
		    "restarting it", wk->slot, msg_type_str(m->hdr.type));
		kill(wk->pid, SIGKILL);
	}
	if (m->fd >= 0)
		close(m->fd);
}

static const int *
zone_fds(void)
{
	static int *fds;

	free(fds);
	fds = xmalloc((p.conf->nzones + 1) * sizeof(int));
	for (unsigned i = 0; i < p.conf->nzones; i++)
		fds[i] = p.zs[i].fd;
	return fds;
}

static void
parent_fork_worker(unsigned slot)
{
	struct worker *wk = &p.workers[slot];
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
		log_warn("worker %u: socketpair", slot);
		return;
	}
	const int *fds = zone_fds();
	pid_t pid = fork();
	if (pid < 0) {
		log_warn("fork worker %u", slot);
		close(sv[0]);
		close(sv[1]);
		return;
	}
	if (pid == 0) {
		close(sv[0]);
		(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
		struct worker_args wa = { slot, p.nworkers, p.conf, sv[1],
		    p.socks[slot].udp, p.naddrs, p.socks[slot].tcp, p.naddrs,
		    fds, &p.stats->b[(p.gen % 2) * p.nworkers + slot], &p.keys,
		    p.querylog, p.uid, p.gid, p.args->chroot };
		worker_main(&wa);
	}
	close(sv[1]);
	wk->pid = pid;
	wk->sock = sv[0];
	wk->slot = slot;
	wk->gen = p.gen;
	wk->ready = false;
	wk->started = time(NULL);
	wk->ev = event_new(p.base, wk->sock, EV_READ | EV_PERSIST,
	    parent_dispatch_worker, wk);
	wk->wev = event_new(p.base, wk->sock, EV_WRITE, worker_writable, wk);
	msg_queue_init(&wk->q);
	if (wk->ev == NULL || wk->wev == NULL || event_add(wk->ev, NULL) != 0)
		fatalx("worker event");
}

static void
worker_forget(struct worker *wk)
{
	if (wk->ev != NULL)
		event_free(wk->ev);
	wk->ev = NULL;
	if (wk->wev != NULL)
		event_free(wk->wev);
	wk->wev = NULL;
	msg_queue_clear(&wk->q);
	if (wk->sock >= 0)
		close(wk->sock);
	wk->sock = -1;
	wk->pid = 0;
	wk->ready = false;
}

static void
parent_restart_worker(evutil_socket_t fd, short events, void *arg)
{
	unsigned slot = (unsigned)(uintptr_t)arg;

	if (!p.stopping && p.workers[slot].pid == 0) {
		parent_fork_worker(slot);
		parent_push_state();
	}
}

/* A worker of the current generation died: start it again, waiting
 * longer each time it dies young. */
static void
parent_worker_died(struct worker *wk, int status)
{
	unsigned slot = wk->slot;
	time_t lived = time(NULL) - wk->started;

	if (WIFSIGNALED(status))
		log_warnx("worker %u (pid %d) killed by signal %d (%s); "
		    "restarting", slot, wk->pid, WTERMSIG(status),
		    strsignal(WTERMSIG(status)));
	else
		log_warnx("worker %u (pid %d) exited with status %d; "
		    "restarting", slot, wk->pid, WEXITSTATUS(status));
	worker_forget(wk);
	p.restarts++;
	if (lived >= STABLE_SECS)
		p.backoff_ms[slot] = 0;
	unsigned ms = p.backoff_ms[slot];
	p.backoff_ms[slot] = ms == 0 ? BACKOFF_MIN_MS :
	    (ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : ms * 2);
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };
	if (p.restart_ev[slot] == NULL)
		p.restart_ev[slot] = evtimer_new(p.base,
		    parent_restart_worker, (void *)(uintptr_t)slot);
	evtimer_add(p.restart_ev[slot], &tv);
	parent_push_state();
}

static void
parent_broadcast(uint16_t type, uint32_t id, const struct msg_buf *b, int fd)
{
	for (unsigned k = 0; k < p.nworkers; k++) {
		struct worker *wk = &p.workers[k];
		if (wk->pid == 0 || !wk->ready)
			continue;
		if (worker_send(wk, type, id, b, fd) && type == MSG_PW_ZONE)
			p.acks_due++;
	}
}

/* ---- reloads ------------------------------------------------------ */

static void
parent_install_zone(unsigned zone, int fd, uint32_t serial)
{
	struct msg_buf b;

	msg_buf_init(&b);
	msg_put_u32(&b, serial);
	parent_broadcast(MSG_PW_ZONE, zone, &b, fd);
	xferlink_zone(p.conf->zones[zone].origin, serial, fd);
}

/* Replies once the loader is done and every worker took the images. */
static void
parent_reload_progress(void)
{
	if (!p.loader_done || p.acks_due > 0)
		return;
	p.loader_done = false;
	char text[256];
	snprintf(text, sizeof(text), "%u zone%s reloaded, %u failed",
	    p.reload_ok, p.reload_ok == 1 ? "" : "s", p.reload_failed);
	log_info("reload: %s", text);
	if (p.reload_req != 0) {
		/* Every problem (file:line) first, then the summary. */
		const char *errs = p.reload_errors ? p.reload_errors : "";
		size_t n = strlen(errs) + strlen(text) + 1;
		char *all = xmalloc(n);
		snprintf(all, n, "%s%s", errs, text);
		parent_reply(p.reload_req, p.reload_failed == 0, all);
		free(all);
		p.reload_req = 0;
	}
	free(p.reload_errors);
	p.reload_errors = NULL;
	parent_sd_notify("READY=1");
	parent_push_state();
}

static void
parent_reload_done(void *arg, unsigned ok, unsigned failed,
    const char *errors)
{
	p.reload_ok = ok;
	p.reload_failed = failed;
	p.reload_errors = xstrdup(errors);
	p.loader_done = true;
	p.reloads++;
	parent_reload_progress();
}

/* Reloads zone (NULL: every changed zone) for request req (0: none). */
static void
parent_reload(const char *zone, uint32_t req)
{
	unsigned which = 0;
	int n;

	if (zone != NULL) {
		uint8_t origin[DNAME_MAXLEN];
		const struct conf_zone *z = NULL;
		if (dname_from_str(zone, NULL, origin) >= 0)
			z = conf_find_zone(p.conf, origin);
		if (z == NULL) {
			parent_reply(req, false, "no such zone");
			return;
		}
		which = (unsigned)(z - p.conf->zones);
	}
	parent_sd_notify("RELOADING=1");
	n = reload_start(p.base, p.conf, p.zs, zone ? &which : NULL,
	    zone ? 1 : 0, zone != NULL, p.uid, p.gid, parent_install_zone,
	    parent_reload_done, NULL);
	if (n < 0) {
		parent_reply(req, false, "a reload is already running");
		return;
	}
	if (n == 0) {
		parent_sd_notify("READY=1");
		parent_reply(req, true, "no zone file changed");
		return;
	}
	log_info("reload: loading %d zone%s", n, n == 1 ? "" : "s");
	p.reload_req = req;
	p.acks_due = 0;
}

/* ---- reconfig ----------------------------------------------------- */

struct conf_errors {
	char	text[4096];
};

static void
conf_error_text(void *arg, const char *file, unsigned line, bool error,
    const char *msg)
{
	struct conf_errors *e = arg;
	size_t n = strlen(e->text);

	log_warnx("%s:%u: %s%s", file, line, error ? "" : "warning: ", msg);
	if (error)
		snprintf(e->text + n, sizeof(e->text) - n, "%s:%u: %s\n",
		    file, line, msg);
}

/* Every worker of the new generation is up: retire the old one. */
static void
parent_generation_ready(void)
{
	for (unsigned k = 0; k < p.nworkers; k++)
		if (!p.workers[k].ready)
			return;
	for (unsigned k = 0; k < p.nold; k++)
		if (p.old[k].pid != 0)
			(void)worker_send(&p.old[k], MSG_PW_RETIRE, 0, NULL,
			    -1);
	if (p.reconfig_req != 0) {
		parent_reply(p.reconfig_req, true, "reconfigured");
		p.reconfig_req = 0;
	}
	parent_sd_notify("READY=1");
	log_info("reconfig: generation %u serving", p.gen);
}

/*
 * Rereads named.conf: a new generation of workers starts on the new
 * configuration and the same sockets (new ones for new addresses); the
 * old generation stops reading and finishes its TCP answers. Queries
 * wait in the shared sockets meanwhile, so none is lost.
 */
static void
parent_reconfig(uint32_t req)
{
	struct conf_errors err = { "" };
	struct listen_addr *addrs;
	struct slot_socks *socks;
	const char *why;

	if (p.old != NULL || reload_running()) {
		parent_reply(req, false, "a reload or reconfig is running");
		return;
	}
	/* A relative directory in the file is relative to where apex-named
	 * started, as the first time. */
	if (p.start_cwd != NULL && chdir(p.start_cwd) != 0)
		log_warn("chdir %s", p.start_cwd);
	struct conf *nc = conf_load(p.args->conf_path, conf_error_text, &err);
	const char *dir = nc != NULL && nc->directory ? nc->directory :
	    p.conf->directory;
	if (dir != NULL && chdir(dir) != 0)
		log_warn("directory %s", dir);
	if (nc == NULL) {
		parent_reply(req, false, err.text);
		return;
	}
	parent_sd_notify("RELOADING=1");
	nc->cookie_secret_set = true;
	memcpy(nc->cookie_secret, p.conf->cookie_secret,
	    sizeof(nc->cookie_secret));
	unsigned naddrs = listen_addresses(nc, p.args->port, &addrs);
	if (naddrs == 0 || parent_open_sockets(addrs, naddrs, &socks,
	    &why) != 0) {
		parent_reply(req, false, naddrs == 0 ?
		    "no address to listen on" : why);
		if (naddrs > 0)
			close_slot_socks(socks, naddrs, p.socks, p.naddrs);
		free(addrs);
		conf_free(nc);
		parent_sd_notify("READY=1");
		return;
	}
	struct tsig_keyring keys;
	if (tsig_keyring_load(nc, &keys) != 0) {
		parent_reply(req, false, "a key's secret is not valid base64");
		close_slot_socks(socks, naddrs, p.socks, p.naddrs);
		free(addrs);
		conf_free(nc);
		parent_sd_notify("READY=1");
		return;
	}
	tsig_keyring_free(&p.keys);
	p.keys = keys;
	struct zone_state *zs = reload_states_new(nc, p.conf, p.zs);
	reload_sync(nc, zs, p.uid, p.gid);
	reload_states_free(p.zs, p.conf->nzones);
	p.zs = zs;
	/* The old generation keeps its sockets until it is gone. */
	p.old = p.workers;
	p.nold = p.nworkers;
	p.old_socks = p.socks;
	p.old_naddrs = p.naddrs;
	free(p.addrs);
	p.addrs = addrs;
	p.naddrs = naddrs;
	p.socks = socks;
	conf_free(p.conf);
	p.conf = nc;
	logging_setup(p.conf, p.args->to_stderr);
	xferlink_restart();
	p.gen++;
	p.workers = xcalloc(p.nworkers, sizeof(*p.workers));
	for (unsigned k = 0; k < p.nworkers; k++)
		parent_fork_worker(k);
	p.reconfig_req = req;
	p.reloads++;
	parent_push_state();
}

static void
parent_old_gone(void)
{
	for (unsigned k = 0; k < p.nold; k++)
		if (p.old[k].pid != 0)
			return;
	close_slot_socks(p.old_socks, p.old_naddrs, p.socks, p.naddrs);
	p.old_socks = NULL;
	free(p.old);
	p.old = NULL;
	p.nold = 0;
}

/* ---- the control process ------------------------------------------ */

static void parent_fork_control(void);

static void
control_writable(evutil_socket_t fd, short events, void *arg)
{
	int rc = msg_queue_flush(&p.control_q, p.control_sock);

	if (rc == 1)
		event_add(p.control_wev, NULL);
	else if (rc < 0)
		kill(p.control_pid, SIGKILL);
}

/* Sends to the control process without waiting for it. */
static bool
control_send(uint16_t type, uint32_t id, const struct msg_buf *b)
{
	int rc = msg_queue_send(&p.control_q, p.control_sock, type, id, b,
	    -1);

	if (rc != 0) {
		log_warnx("control: cannot send %s (%s)", msg_type_str(type),
		    apex_strerror(rc));
		kill(p.control_pid, SIGKILL);
		return false;
	}
	if (msg_queue_pending(&p.control_q))
		event_add(p.control_wev, NULL);
	return true;
}

static void
parent_reply(uint32_t req, bool ok, const char *text)
{
	struct msg_buf *b;

	if (req == 0 || p.control_sock < 0)
		return;
	b = xmalloc(sizeof(*b));
	msg_buf_init(b);
	msg_put_u32(b, ok ? 0 : 1);
	size_t n = strlen(text);
	if (n > 60000)
		n = 60000;
	msg_put_u32(b, (uint32_t)n);
	msg_put_bytes(b, text, n);
	control_send(MSG_PC_REPLY, req, b);
	free(b);
}

/* A string cut to what the control process reads (msg.h limits). */
static void
put_str_max(struct msg_buf *b, const char *s, size_t max)
{
	size_t n = s ? strlen(s) : 0;

	if (n > max)
		n = max;
	msg_put_u32(b, (uint32_t)n);
	msg_put_bytes(b, s ? s : "", n);
}

/* One zone's part of the state report. */
static void
put_zone_state(struct msg_buf *b, unsigned i)
{
	const struct zone_state *z = &p.zs[i];

	put_str_max(b, p.conf->zones[i].name, STATE_NAME_MAX);
	put_str_max(b, p.conf->zones[i].file, STATE_FILE_MAX);
	/* An expired zone is not served: it answers SERVFAIL. */
	msg_put_u32(b, z->fd >= 0 && !z->xfr.expired);
	msg_put_u32(b, z->status);
	msg_put_u32(b, z->serial);
	msg_put_u64(b, (uint64_t)z->loaded_at);
	msg_put_u32(b, z->failures);
	put_str_max(b, z->error, STATE_TEXT_MAX);
	msg_put_u32(b, p.conf->zones[i].type == ZONE_SECONDARY);
	msg_put_u32(b, z->xfr.expired);
	msg_put_u64(b, z->xfr.last_refresh);
	msg_put_u64(b, z->xfr.next_refresh);
	msg_put_u64(b, z->xfr.expires);
	msg_put_u64(b, z->xfr.journal_size);
	for (unsigned k = 0; k < XFR_STATE_COUNTERS; k++)
		msg_put_u64(b, z->xfr.count[k]);
	put_str_max(b, z->xfr.error, STATE_TEXT_MAX);
}

/*
 * The state the control process shows (status, zonestatus, /metrics,
 * /health, /json): sent after every change. MSG_PC_STATE carries the
 * server's part and the first zones; as many MSG_PC_STATE_MORE as it
 * takes carry the others.
 */
static void
parent_push_state(void)
{
	struct msg_buf *b;
	uint16_t type = MSG_PC_STATE;
	unsigned i = 0;

	if (p.control_sock < 0)
		return;
	b = xmalloc(sizeof(*b));
	msg_buf_init(b);
	msg_put_u64(b, (uint64_t)p.started);
	msg_put_u32(b, p.nworkers);
	msg_put_u32(b, workers_up());
	msg_put_u64(b, p.restarts);
	msg_put_u64(b, p.reloads);
	msg_put_u32(b, p.querylog);
	msg_put_u32(b, reload_running() || p.old != NULL);
	msg_put_u32(b, xferlink_running());
	msg_put_u32(b, p.conf->nzones);
	do {
		/* u32 first zone, u32 how many, then the zones */
		uint32_t first = i, n = 0;
		msg_put_u32(b, first);
		size_t at = b->len;
		msg_put_u32(b, 0);
		while (i < p.conf->nzones &&
		    b->len + STATE_ZONE_MAX <= MSG_MAXPAYLOAD) {
			put_zone_state(b, i++);
			n++;
		}
		memcpy(b->data + at, &n, sizeof(n));
		if (!control_send(type, 0, b))
			break;
		type = MSG_PC_STATE_MORE;
		msg_buf_init(b);
	} while (i < p.conf->nzones);
	free(b);
}

static void parent_stop(bool graceful);

static void
parent_querylog(uint32_t req, const char *arg)
{
	struct msg_buf b;

	if (strcmp(arg, "on") == 0)
		p.querylog = true;
	else if (strcmp(arg, "off") == 0)
		p.querylog = false;
	else if (*arg == '\0')
		p.querylog = !p.querylog;
	else {
		parent_reply(req, false, "querylog: expected on or off");
		return;
	}
	msg_buf_init(&b);
	msg_put_u32(&b, p.querylog);
	parent_broadcast(MSG_PW_QUERYLOG, 0, &b, -1);
	log_info("query logging is now %s", p.querylog ? "on" : "off");
	parent_reply(req, true, p.querylog ? "query logging is on" :
	    "query logging is off");
	parent_push_state();
}

static void
parent_command(uint32_t req, uint32_t cmd, const char *arg)
{
	switch (cmd) {
	case CTL_RELOAD:
		parent_reload(*arg ? arg : NULL, req);
		break;
	case CTL_RECONFIG:
		parent_reconfig(req);
		break;
	case CTL_QUERYLOG:
		parent_querylog(req, arg);
		break;
	case CTL_STOP:
	case CTL_HALT:
		parent_reply(req, true, cmd == CTL_STOP ? "stopping" :
		    "halting");
		parent_stop(cmd == CTL_STOP);
		break;
	case CTL_REOPEN:
		logging_reopen();
		parent_reply(req, true, "log files reopened");
		break;
	case CTL_REFRESH:
	case CTL_RETRANSFER:
	case CTL_NOTIFY: {
		uint8_t origin[DNAME_MAXLEN];
		if (*arg == '\0' || dname_from_str(arg, NULL, origin) < 0 ||
		    conf_find_zone(p.conf, origin) == NULL)
			parent_reply(req, false, "no such zone");
		else if (!xferlink_command(req, cmd, origin))
			parent_reply(req, false, "apex-xferd is not running");
		break;
	}
	case CTL_TEST_SYSCALL:
		if (getenv("APEX_TEST_HOOKS") == NULL ||
		    p.workers[0].pid == 0) {
			parent_reply(req, false, "test hooks are off");
			break;
		}
		if (!worker_send(&p.workers[0], MSG_PW_TEST_SYSCALL, 0, NULL,
		    -1))
			parent_reply(req, false, "worker 0 did not listen");
		else
			parent_reply(req, true, "worker 0 was told to make a "
			    "forbidden system call");
		break;
	default:
		parent_reply(req, false, "unknown command");
	}
}

static void
parent_dispatch_control(evutil_socket_t fd, short events, void *arg)
{
	struct msg *m = p.m;
	uint32_t cmd, flags;
	char text[1024];
	int rc = msg_recv(fd, m);

	if (rc != 0) {
		event_del(p.control_ev);
		return;
	}
	switch (m->hdr.type) {
	case MSG_CP_REQUEST:
		if (msg_get_u32(m, &cmd) != 0 || msg_get_u32(m, &flags) != 0 ||
		    msg_get_str(m, text, sizeof(text)) != 0 ||
		    msg_end(m) != 0 || m->hdr.id == 0)
			goto bad;
		parent_command(m->hdr.id, cmd, text);
		break;
	case MSG_LOG:
		if (logging_from_child(m) != 0)
			goto bad;
		break;
	default:
		goto bad;
	}
	if (m->fd >= 0)
		close(m->fd);
	return;
bad:
	log_warnx("control: unexpected or malformed %s; restarting it",
	    msg_type_str(m->hdr.type));
	if (m->fd >= 0)
		close(m->fd);
	kill(p.control_pid, SIGKILL);
}

static void
parent_fork_control(void)
{
	int sv[2];

	if (p.ctl_fd < 0 && p.nstats_fds == 0)
		return;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
		log_warn("control: socketpair");
		return;
	}
	pid_t pid = fork();
	if (pid < 0) {
		log_warn("fork control");
		close(sv[0]);
		close(sv[1]);
		return;
	}
	if (pid == 0) {
		close(sv[0]);
		(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
		struct control_args ca = { p.conf, sv[1], p.ctl_fd,
		    p.stats_fds, p.nstats_fds, p.stats, p.uid, p.gid,
		    p.args->chroot };
		control_main(&ca);
	}
	close(sv[1]);
	p.control_pid = pid;
	p.control_sock = sv[0];
	p.control_started = time(NULL);
	p.control_ev = event_new(p.base, p.control_sock, EV_READ | EV_PERSIST,
	    parent_dispatch_control, NULL);
	p.control_wev = event_new(p.base, p.control_sock, EV_WRITE,
	    control_writable, NULL);
	msg_queue_init(&p.control_q);
	if (p.control_ev == NULL || p.control_wev == NULL ||
	    event_add(p.control_ev, NULL) != 0)
		fatalx("control event");
	parent_push_state();
}

static void
parent_restart_control(evutil_socket_t fd, short events, void *arg)
{
	if (!p.stopping && p.control_pid == 0)
		parent_fork_control();
}

static void
parent_control_died(int status)
{
	if (WIFSIGNALED(status))
		log_warnx("control (pid %d) killed by signal %d (%s); "
		    "restarting", p.control_pid, WTERMSIG(status),
		    strsignal(WTERMSIG(status)));
	else
		log_warnx("control (pid %d) exited with status %d; restarting",
		    p.control_pid, WEXITSTATUS(status));
	event_free(p.control_ev);
	p.control_ev = NULL;
	event_free(p.control_wev);
	p.control_wev = NULL;
	msg_queue_clear(&p.control_q);
	close(p.control_sock);
	p.control_sock = -1;
	p.control_pid = 0;
	p.restarts++;
	if (time(NULL) - p.control_started >= STABLE_SECS)
		p.control_backoff_ms = 0;
	unsigned ms = p.control_backoff_ms;
	p.control_backoff_ms = ms == 0 ? BACKOFF_MIN_MS :
	    (ms * 2 > BACKOFF_MAX_MS ? BACKOFF_MAX_MS : ms * 2);
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };
	if (p.control_restart_ev == NULL)
		p.control_restart_ev = evtimer_new(p.base,
		    parent_restart_control, NULL);
	evtimer_add(p.control_restart_ev, &tv);
}

/* ---- signals and the end ------------------------------------------ */

static void
parent_sigchld(evutil_socket_t fd, short events, void *arg)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		bool old;
		struct worker *wk = find_worker(pid, &old);
		if (xferlink_reap(pid, status)) {
			parent_push_state();
			continue;
		}
		if (pid == p.control_pid) {
			if (!p.stopping)
				parent_control_died(status);
			else
				p.control_pid = 0;
		} else if (wk != NULL && old) {
			worker_forget(wk);
			parent_old_gone();
		} else if (wk != NULL && !p.stopping)
			parent_worker_died(wk, status);
		else if (wk != NULL)
			worker_forget(wk);
	}
	if (p.stopping) {
		bool left = false;
		for (unsigned k = 0; k < p.nworkers; k++)
			left |= p.workers[k].pid != 0;
		for (unsigned k = 0; k < p.nold; k++)
			left |= p.old[k].pid != 0;
		if (!left && p.control_pid != 0)
			kill(p.control_pid, SIGTERM);
		else if (!left)
			event_base_loopbreak(p.base);
	}
}

static void
parent_stop_timeout(evutil_socket_t fd, short events, void *arg)
{
	log_warnx("stop: children still running; killing them");
	event_base_loopbreak(p.base);
}

/* Stop: workers finish their TCP answers (graceful) or not (halt). */
static void
parent_stop(bool graceful)
{
	static struct timeval grace = { STOP_GRACE, 0 }, now = { 1, 0 };

	if (p.stopping)
		return;
	p.stopping = true;
	log_info("%s", graceful ? "stopping" : "halting");
	xferlink_stop();
	parent_sd_notify("STOPPING=1");
	for (unsigned k = 0; k < p.nworkers; k++) {
		struct worker *wk = &p.workers[k];
		if (wk->pid == 0)
			continue;
		if (!graceful || !wk->ready ||
		    !worker_send(wk, MSG_PW_RETIRE, 0, NULL, -1))
			kill(wk->pid, SIGKILL);
	}
	/* The control process goes last: it may still be relaying the
	 * reply to the apex-ctl that asked for the stop. */
	struct event *t = evtimer_new(p.base, parent_stop_timeout, NULL);
	if (t == NULL || evtimer_add(t, graceful ? &grace : &now) != 0)
		event_base_loopbreak(p.base);
	if (!graceful)
		event_base_loopbreak(p.base);
}

static void
parent_sigterm(evutil_socket_t fd, short events, void *arg)
{
	parent_stop(true);
}

static void
parent_sighup(evutil_socket_t fd, short events, void *arg)
{
	log_info("SIGHUP: reopening logs, reloading changed zones");
	logging_reopen();
	parent_reload(NULL, 0);
}

static void
parent_cleanup(void)
{
	for (unsigned k = 0; k < p.nworkers; k++)
		if (p.workers[k].pid != 0)
			kill(p.workers[k].pid, SIGKILL);
	for (unsigned k = 0; k < p.nold; k++)
		if (p.old[k].pid != 0)
			kill(p.old[k].pid, SIGKILL);
	if (p.control_pid != 0)
		kill(p.control_pid, SIGKILL);
	xferlink_kill();
	while (waitpid(-1, NULL, 0) > 0 || errno == EINTR)
		;
	if (p.ctl_fd >= 0 && p.conf->control.path != NULL)
		(void)unlink(p.conf->control.path);
	if (p.pid_fd >= 0)
		(void)unlink(p.conf->pid_file);
}

static void
parent_signals(void)
{
	static const struct {
		int		 sig;
		event_callback_fn fn;
	} sigs[] = {
		{ SIGCHLD, parent_sigchld },
		{ SIGTERM, parent_sigterm },
		{ SIGINT, parent_sigterm },
		{ SIGHUP, parent_sighup },
	};

	for (size_t i = 0; i < nitems(sigs); i++) {
		struct event *ev = evsignal_new(p.base, sigs[i].sig,
		    sigs[i].fn, NULL);
		if (ev == NULL || event_add(ev, NULL) != 0)
			fatalx("signal events");
	}
	signal(SIGPIPE, SIG_IGN);
}

/* ---- apex-xferd ---------------------------------------------------- */

static unsigned
zone_index(const uint8_t *origin)
{
	const struct conf_zone *cz = conf_find_zone(p.conf, origin);

	return cz ? (unsigned)(cz - p.conf->zones) : UINT32_MAX;
}

/* apex-xferd is up: every served image, then the word to start. */
static void
xfer_ready(void)
{
	for (unsigned i = 0; i < p.conf->nzones; i++)
		if (p.zs[i].fd >= 0)
			xferlink_zone(p.conf->zones[i].origin, p.zs[i].serial,
			    p.zs[i].fd);
	xferlink_images_sent();
	parent_push_state();
}

/* A transferred version, written to disk: served from now on. */
static void
xfer_load(const uint8_t *origin, uint32_t serial, int fd)
{
	unsigned i = zone_index(origin);

	if (i == UINT32_MAX || p.conf->zones[i].type != ZONE_SECONDARY) {
		close(fd);
		return;
	}
	reload_install(p.conf, p.zs, i, fd, serial, parent_install_zone);
	parent_push_state();
}

static void
xfer_state(const uint8_t *origin, const struct xfr_state *st)
{
	unsigned i = zone_index(origin);
	struct msg_buf b;

	if (i == UINT32_MAX)
		return;
	struct xfr_state *x = &p.zs[i].xfr;
	bool was = x->expired;
	uint64_t expires = x->expires;
	uint64_t count[XFR_STATE_COUNTERS];
	memcpy(count, x->count, sizeof(count));
	free(x->error);
	*x = *st;
	x->error = xstrdup(st->error);
	for (unsigned k = 0; k < XFR_STATE_COUNTERS; k++)
		x->count[k] += count[k];
	if (x->expired != was || x->expires != expires) {
		expired_msg(i, &b);
		parent_broadcast(MSG_PW_EXPIRED, i, &b, -1);
	}
	parent_push_state();
}

static const struct xferlink_hooks xfer_hooks = {
	xfer_ready, xfer_load, xfer_state, parent_reply,
};

void
parent_main(const struct parent_args *args)
{
	const char *why;

	p.args = args;
	p.conf = args->conf;
	p.started = time(NULL);
	p.control_sock = -1;
	p.nworkers = args->nworkers;
	if (p.nworkers == 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		p.nworkers = n > 0 ? (unsigned)n : 1;
	}
	p.querylog = p.conf->querylog;
	p.m = xmalloc(sizeof(*p.m));
	p.start_cwd = getcwd(NULL, 0);
	if (p.conf->directory != NULL && chdir(p.conf->directory) != 0)
		fatal("directory %s", p.conf->directory);
	if (!p.conf->cookie_secret_set && getrandom(p.conf->cookie_secret,
	    sizeof(p.conf->cookie_secret), 0) !=
	    (ssize_t)sizeof(p.conf->cookie_secret))
		fatal("getrandom");
	parent_resolve_user();
	p.naddrs = listen_addresses(p.conf, args->port, &p.addrs);
	if (p.naddrs == 0)
		fatalx("no address to listen on");
	if (parent_open_sockets(p.addrs, p.naddrs, &p.socks, &why) != 0)
		fatalx("%s", why);
	if (geteuid() != 0) {
		/* Not root: the control socket is the starting user's. */
		p.conf->control.owner = geteuid();
		p.conf->control.group = getegid();
	}
	p.ctl_fd = parent_control_socket();
	parent_stats_sockets();
	p.stats = stats_map(2 * p.nworkers);
	if (tsig_keyring_load(p.conf, &p.keys) != 0)
		fatalx("a key's secret is not valid base64");
	p.zs = reload_states_new(p.conf, NULL, NULL);
	reload_sync(p.conf, p.zs, p.uid, p.gid);
	unsigned loaded = 0;
	for (unsigned i = 0; i < p.conf->nzones; i++)
		loaded += p.zs[i].fd >= 0;
	log_info("%u of %u zones loaded", loaded, p.conf->nzones);
	if (!args->foreground && daemon(1, 0) != 0)
		fatal("daemon");
	parent_pidfile();
	if ((p.base = event_base_new()) == NULL)
		fatalx("event_base_new");
	logging_setup(p.conf, args->to_stderr);
	parent_signals();
	p.workers = xcalloc(p.nworkers, sizeof(*p.workers));
	p.restart_ev = xcalloc(p.nworkers, sizeof(*p.restart_ev));
	p.backoff_ms = xcalloc(p.nworkers, sizeof(*p.backoff_ms));
	for (unsigned k = 0; k < p.nworkers; k++)
		parent_fork_worker(k);
	parent_fork_control();
	xferlink_init(p.base, args->conf_path, p.start_cwd, p.uid, p.gid,
	    log_debug_enabled(), &xfer_hooks);
	xferlink_start();
	event_base_dispatch(p.base);
	parent_cleanup();
	log_info("stopped");
	exit(0);
}
