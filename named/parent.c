/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * The parent process. It binds every listening socket, has a loader child
 * compile the zones into image memfds, forks the workers with their
 * sockets and images, and restarts a worker that dies. It never parses a
 * packet or a zone file; it reads only typed messages from its children.
 * Runs in: apex-named parent (root when started as root).
 */
#include <errno.h>
#include <fcntl.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <sys/wait.h>

#include <event2/event.h>

#include "error.h"
#include "listen.h"
#include "loader.h"
#include "log.h"
#include "msg.h"
#include "parent.h"
#include "sandbox.h"
#include "worker.h"

#define DEFAULT_USER	"apex"

struct worker_slot {
	pid_t		pid;
	int		*udp, *tcp;
};

static struct parent_state {
	const struct parent_args *args;
	struct conf		*conf;
	struct event_base	*base;
	struct listen_addr	*addrs;
	unsigned		 naddrs;
	unsigned		 nworkers;
	struct worker_slot	*workers;
	int			*zone_fd;	/* per conf zone */
	uid_t			 uid;
	gid_t			 gid;
	bool			 stopping;
} p;

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

static void
parent_open_sockets(void)
{
	char str[64];

	p.naddrs = listen_addresses(p.conf, p.args->port, &p.addrs);
	if (p.naddrs == 0)
		fatalx("no address to listen on");
	p.workers = xcalloc(p.nworkers, sizeof(*p.workers));
	for (unsigned k = 0; k < p.nworkers; k++) {
		struct worker_slot *ws = &p.workers[k];
		ws->udp = xcalloc(p.naddrs, sizeof(int));
		ws->tcp = xcalloc(p.naddrs, sizeof(int));
		for (unsigned i = 0; i < p.naddrs; i++) {
			listen_addr_str(&p.addrs[i], str, sizeof(str));
			if ((ws->udp[i] = listen_udp(&p.addrs[i])) < 0)
				fatal("listen on %s (UDP)", str);
			if ((ws->tcp[i] = listen_tcp(&p.addrs[i])) < 0)
				fatal("listen on %s (TCP)", str);
			if (k == 0)
				log_info("listening on %s", str);
		}
	}
}

/* ---- the loader --------------------------------------------------- */

static void
parent_dispatch_loader(int sock)
{
	struct msg *m = xmalloc(sizeof(*m));
	unsigned loaded = 0;

	for (;;) {
		int rc = msg_recv(sock, m);
		if (rc != 0) {
			log_warnx("loader: %s", rc == APEX_ENOENT ?
			    "exited before it was done" : apex_strerror(rc));
			break;
		}
		if (m->hdr.type == MSG_LP_DONE)
			break;
		if (m->hdr.id >= p.conf->nzones) {
			log_warnx("loader: message for unknown zone %u",
			    m->hdr.id);
			if (m->fd >= 0)
				close(m->fd);
			break;
		}
		const struct conf_zone *z = &p.conf->zones[m->hdr.id];
		uint32_t serial;
		switch (m->hdr.type) {
		case MSG_LP_ZONE:
			if (m->fd < 0 || msg_get_u32(m, &serial) != 0 ||
			    msg_end(m) != 0) {
				log_warnx("loader: malformed %s",
				    msg_type_str(m->hdr.type));
				if (m->fd >= 0)
					close(m->fd);
				break;
			}
			if (p.zone_fd[m->hdr.id] >= 0)
				close(p.zone_fd[m->hdr.id]);
			p.zone_fd[m->hdr.id] = m->fd;
			log_info("zone %s: loaded serial %u", z->name, serial);
			loaded++;
			break;
		case MSG_LP_ERROR:
			/* The loader logged the details itself. */
			break;
		default:
			log_warnx("loader: unexpected %s",
			    msg_type_str(m->hdr.type));
			if (m->fd >= 0)
				close(m->fd);
			break;
		}
	}
	free(m);
	log_info("%u of %u zones loaded", loaded, p.conf->nzones);
}

static void
parent_run_loader(void)
{
	int sv[2];
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0)
		fatal("socketpair");
	if ((pid = fork()) < 0)
		fatal("fork");
	if (pid == 0) {
		close(sv[0]);
		(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (sandbox_drop_privileges(p.uid, p.gid) != 0)
			fatal("loader: drop privileges");
		loader_main(p.conf, sv[1]);
	}
	close(sv[1]);
	parent_dispatch_loader(sv[0]);
	close(sv[0]);
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
}

/* ---- workers ------------------------------------------------------ */

static void
parent_fork_worker(unsigned k)
{
	struct worker_slot *ws = &p.workers[k];
	pid_t pid = fork();

	if (pid < 0) {
		log_warn("fork worker %u", k);
		return;
	}
	if (pid > 0) {
		ws->pid = pid;
		return;
	}
	(void)prctl(PR_SET_PDEATHSIG, SIGTERM);
	/* Other workers' sockets are not ours to read. */
	for (unsigned j = 0; j < p.nworkers; j++)
		for (unsigned i = 0; j != k && i < p.naddrs; i++) {
			close(p.workers[j].udp[i]);
			close(p.workers[j].tcp[i]);
		}
	struct worker_args wa = { k, p.nworkers, p.conf, ws->udp, p.naddrs,
	    ws->tcp, p.naddrs, p.zone_fd, p.uid, p.gid };
	worker_main(&wa);
}

static void
parent_sigchld(evutil_socket_t fd, short events, void *arg)
{
	int status;
	pid_t pid;

	while ((pid = waitpid(-1, &status, WNOHANG)) > 0) {
		for (unsigned k = 0; k < p.nworkers; k++) {
			if (p.workers[k].pid != pid)
				continue;
			p.workers[k].pid = 0;
			if (p.stopping)
				break;
			if (WIFSIGNALED(status))
				log_warnx("worker %u (pid %d) killed by signal "
				    "%d; restarting", k, pid, WTERMSIG(status));
			else
				log_warnx("worker %u (pid %d) exited with "
				    "status %d; restarting", k, pid,
				    WEXITSTATUS(status));
			parent_fork_worker(k);
		}
	}
}

static void
parent_sigterm(evutil_socket_t fd, short events, void *arg)
{
	log_info("shutting down");
	p.stopping = true;
	event_base_loopbreak(p.base);
}

static void
parent_write_pidfile(void)
{
	const char *path = p.conf->pid_file;
	FILE *f;

	if (path == NULL)
		return;
	if ((f = fopen(path, "w")) == NULL)
		fatal("pid-file %s", path);
	fprintf(f, "%ld\n", (long)getpid());
	if (fclose(f) != 0)
		fatal("pid-file %s", path);
}

static void
parent_stop(void)
{
	for (unsigned k = 0; k < p.nworkers; k++)
		if (p.workers[k].pid > 0)
			kill(p.workers[k].pid, SIGTERM);
	for (unsigned k = 0; k < p.nworkers; k++)
		if (p.workers[k].pid > 0)
			while (waitpid(p.workers[k].pid, NULL, 0) < 0 &&
			    errno == EINTR)
				;
	if (p.conf->pid_file != NULL)
		(void)unlink(p.conf->pid_file);
}

void
parent_main(const struct parent_args *args)
{
	p.args = args;
	p.conf = args->conf;
	p.nworkers = args->nworkers;
	if (p.nworkers == 0) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		p.nworkers = n > 0 ? (unsigned)n : 1;
	}
	p.zone_fd = xmalloc((p.conf->nzones + 1) * sizeof(int));
	for (unsigned i = 0; i < p.conf->nzones; i++)
		p.zone_fd[i] = -1;
	if (p.conf->directory != NULL && chdir(p.conf->directory) != 0)
		fatal("directory %s", p.conf->directory);
	if (!p.conf->cookie_secret_set && getrandom(p.conf->cookie_secret,
	    sizeof(p.conf->cookie_secret), 0) !=
	    (ssize_t)sizeof(p.conf->cookie_secret))
		fatal("getrandom");
	parent_resolve_user();
	parent_open_sockets();
	parent_run_loader();
	if (!args->foreground && daemon(1, 0) != 0)
		fatal("daemon");
	parent_write_pidfile();
	if ((p.base = event_base_new()) == NULL)
		fatalx("event_base_new");
	struct event *chld, *term, *intr;
	chld = evsignal_new(p.base, SIGCHLD, parent_sigchld, NULL);
	term = evsignal_new(p.base, SIGTERM, parent_sigterm, NULL);
	intr = evsignal_new(p.base, SIGINT, parent_sigterm, NULL);
	if (chld == NULL || term == NULL || intr == NULL ||
	    event_add(chld, NULL) || event_add(term, NULL) ||
	    event_add(intr, NULL))
		fatalx("signal events");
	signal(SIGPIPE, SIG_IGN);
	for (unsigned k = 0; k < p.nworkers; k++)
		parent_fork_worker(k);
	log_info("running with %u workers", p.nworkers);
	event_base_dispatch(p.base);
	parent_stop();
	exit(0);
}
