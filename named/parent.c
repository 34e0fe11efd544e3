/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * The parent process: its start, its signals and its end, and what
 * apex-xferd tells it. It binds every socket (parent_listen.c), has
 * loader children compile zones into image memfds (parent_reload.c),
 * forks the workers (parent_workers.c) and the control process
 * (parent_control.c) through the child table (child.c), restarts any
 * that die, and drives reloads and reconfigs. It never parses a packet,
 * a zone file, an HTTP request or a control request: it reads only
 * typed messages from its children (lib/msg.h, lib/ipc.h).
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
#include <time.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>

#include <event2/event.h>

#include "child.h"
#include "control.h"
#include "error.h"
#include "ipc.h"
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
#include "parent_priv.h"


/* The parent's state, shared by its files (parent_priv.h). */
struct parent_state p;

/* ---- small helpers ------------------------------------------------ */

/* In a child that verifies no TSIG MAC (control, loader): its copy of
 * the parent's secrets is wiped before the role starts; the control
 * process keeps the keys of its rndc channels. */
static void
parent_scrub(unsigned flags)
{
	conf_wipe_secrets(p.conf, (flags & CHILD_CONTROL_KEYS) != 0);
	conf_wipe_secrets(p.next_conf, false);
	tsig_keyring_free(&p.keys);
}

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
/*
 * state-directory (journals of zones whose own directory the server's
 * user may not write): made if missing, with its parents, as root, then
 * given to that user, 0750. One that exists is left as the operator
 * made it.
 */
void
parent_state_directory(const struct conf *cf)
{
	char path[4096];

	if (cf->state_directory == NULL || geteuid() != 0)
		return;
	snprintf(path, sizeof(path), "%s", cf->state_directory);
	for (char *s = path + 1; *s != '\0'; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(path, 0755) != 0 && errno != EEXIST)
			log_warn("state-directory: %s", path);
		*s = '/';
	}
	if (mkdir(path, 0750) == 0) {
		if (chown(path, p.uid, p.gid) != 0)
			log_warn("state-directory: chown %s", path);
	} else if (errno != EEXIST)
		log_warn("state-directory: %s", path);
}

void
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

/* ---- signals and the end ------------------------------------------ */

static void
parent_sigchld(evutil_socket_t fd, short events, void *arg)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		bool old;
		struct worker *wk = parent_find_worker(pid, &old);
		if (xferlink_reap(pid, status)) {
			parent_push_state();
			continue;
		}
		if (parent_signer_reap(pid, status)) {
			parent_push_state();
			continue;
		}
		if (pid == p.control.pid) {
			if (!p.stopping)
				parent_control_died(status);
			else
				(void)child_reaped(&p.control, 0, 0);
		} else if (wk != NULL && old) {
			parent_worker_forget(wk);
			parent_old_gone();
		} else if (wk != NULL && !p.stopping)
			parent_worker_died(wk, status);
		else if (wk != NULL)
			parent_worker_forget(wk);
	}
	if (p.stopping) {
		bool left = false;
		for (unsigned k = 0; k < p.nworkers; k++)
			left |= p.workers[k].c.pid != 0;
		for (unsigned k = 0; k < p.nold; k++)
			left |= p.old[k].c.pid != 0;
		if (!left && p.control.pid != 0)
			child_kill(&p.control, SIGTERM);
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
void
parent_stop(bool graceful)
{
	static struct timeval grace = { STOP_GRACE, 0 }, now = { 1, 0 };

	if (p.stopping)
		return;
	p.stopping = true;
	log_info("%s", graceful ? "stopping" : "halting");
	xferlink_stop();
	parent_signer_stop();
	parent_sd_notify("STOPPING=1");
	for (unsigned k = 0; k < p.nworkers; k++) {
		struct worker *wk = &p.workers[k];
		if (wk->c.pid == 0)
			continue;
		if (!graceful || !wk->ready ||
		    !parent_worker_send(wk, MSG_PW_RETIRE, 0, NULL, -1))
			child_kill(&wk->c, SIGKILL);
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
		child_kill(&p.workers[k].c, SIGKILL);
	for (unsigned k = 0; k < p.nold; k++)
		child_kill(&p.old[k].c, SIGKILL);
	child_kill(&p.control, SIGKILL);
	xferlink_kill();
	parent_signer_stop();
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

/* apex-xferd applies a signed zone's updates and incoming transfers to
 * its unsigned version, so it has that one too, besides the signed one
 * it serves transfers from. */
static void
unsigned_to_xferd(unsigned i)
{
	const struct conf_zone *cz = &p.conf->zones[i];

	if ((cz->dynamic || cz->type == ZONE_SECONDARY) &&
	    p.zs[i].unsigned_fd >= 0)
		xferlink_unsigned(p.conf->zones[i].origin,
		    p.zs[i].unsigned_serial, p.zs[i].unsigned_fd);
}

/* A signed zone's unsigned version changed (loaded, updated). */
static void
unsigned_changed(unsigned i)
{
	parent_signer_submit(i);
	unsigned_to_xferd(i);
}

/* apex-xferd is up: every served image, then the word to start. */
static void
xfer_ready(void)
{
	for (unsigned i = 0; i < p.conf->nzones; i++) {
		unsigned_to_xferd(i);
		if (p.zs[i].fd >= 0)
			xferlink_zone(p.conf->zones[i].origin, p.zs[i].serial,
			    p.zs[i].fd);
	}
	xferlink_images_sent();
	parent_push_state();
}

/* A transferred version, written to disk, or an updated one, in the
 * journal: served from now on. */
static void
xfer_load(const uint8_t *origin, uint32_t serial, int fd)
{
	unsigned i = zone_index(origin);

	if (i == UINT32_MAX || (p.conf->zones[i].type != ZONE_SECONDARY &&
	    !p.conf->zones[i].dynamic)) {
		close(fd);
		return;
	}
	if (conf_zone_signed(&p.conf->zones[i]))
		reload_install_unsigned(p.conf, p.zs, i, fd, serial);
	else
		reload_install(p.conf, p.zs, i, fd, serial,
		    parent_install_zone);
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
		parent_expired_msg(i, &b);
		parent_broadcast(MSG_PW_EXPIRED, i, &b, -1);
	}
	parent_push_state();
}

/* The one thaw waiting for apex-xferd's word. */
static struct {
	uint32_t	req;
	uint8_t		origin[DNAME_MAXLEN];
} thaw;

void
parent_thaw_wait(uint32_t req, const uint8_t *origin)
{
	thaw.req = req;
	memcpy(thaw.origin, origin, dname_len(origin));
}

static void
xfer_reply(uint32_t req, bool ok, const char *text)
{
	char name[DNAME_STRLEN];

	if (req != 0 && req == thaw.req) {
		thaw.req = 0;
		if (ok) {
			log_info("%s; reloading its file", text);
			parent_reload(dname_to_str(thaw.origin, name,
			    sizeof(name)), req);
			return;
		}
	}
	parent_reply(req, ok, text);
}

/* The answer to a UDP update goes out through the worker it came by,
 * if that worker (or its replacement in the slot) is still there. */
static void
xfer_update_answer(const struct ipc_update *u)
{
	struct worker *wk = NULL;
	struct msg_buf *b;

	if (u->gen == p.gen && u->slot < p.nworkers)
		wk = &p.workers[u->slot];
	else if (p.old != NULL && u->slot < p.nold && p.old[u->slot].gen ==
	    u->gen)
		wk = &p.old[u->slot];
	if (wk == NULL || !wk->ready)
		return;
	b = xmalloc(sizeof(*b));
	msg_buf_init(b);
	ipc_put_update(b, u);
	(void)parent_worker_send(wk, MSG_PW_UPDATE, 0, b, -1);
	free(b);
}

static const struct xferlink_hooks xfer_hooks = {
	xfer_ready, xfer_load, xfer_state, xfer_reply, xfer_update_answer,
};

void
parent_main(const struct parent_args *args)
{
	p.args = args;
	p.conf = args->conf;
	p.started = time(NULL);
	p.control.sock = -1;
	p.nworkers = args->nworkers;
	if (p.nworkers == 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		p.nworkers = n > 0 ? (unsigned)n : 1;
	}
	p.querylog = p.conf->querylog;
	p.m = xmalloc(sizeof(*p.m));
	child_set_scrub(parent_scrub);
	p.start_cwd = getcwd(NULL, 0);
	if (p.conf->directory != NULL && chdir(p.conf->directory) != 0)
		fatal("directory %s", p.conf->directory);
	if (!p.conf->cookie_secret_set && getrandom(p.conf->cookie_secret,
	    sizeof(p.conf->cookie_secret), 0) !=
	    (ssize_t)sizeof(p.conf->cookie_secret))
		fatal("getrandom");
	parent_resolve_user();
	parent_state_directory(p.conf);
	/* Before any child starts: the workers' key ring holds it and
	 * apex-xferd reads it from the file. */
	if (conf_session_make(p.conf, NULL) != 0)
		fatal("session-keyfile %s", p.conf->session_keyfile);
	parent_listen_start(args->port);
	stats_set_create(&p.stats, 2 * p.nworkers);
	if (tsig_keyring_load(p.conf, &p.keys) != 0)
		fatalx("a key's secret is not valid base64");
	p.zs = reload_states_new(p.conf, NULL, NULL);
	reload_set_sign(unsigned_changed);
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
	parent_signer_start();
	xferlink_init(p.base, args->conf_path, p.start_cwd, p.uid, p.gid,
	    log_debug_enabled(), &xfer_hooks);
	xferlink_start();
	event_base_dispatch(p.base);
	parent_cleanup();
	log_info("stopped");
	exit(0);
}
