/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * The parent's listeners: DNS sockets for every address and worker slot
 * (SO_REUSEPORT), the control socket, the statistics channels. Bound
 * here, as root, and handed to the children that serve them.
 * Runs in: apex-named parent.
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
int
parent_open_sockets(const struct listen_addr *addrs, unsigned naddrs,
    struct slot_socks **out, const char **why)
{
	struct slot_socks *s = xcalloc(p.nworkers, sizeof(*s));
	static char err[128];
	char str[64];

	for (unsigned k = 0; k < p.nworkers; k++) {
		s[k].udp = xmalloc((naddrs + 1) * sizeof(int));
		s[k].tcp = xmalloc((naddrs + 1) * sizeof(int));
		/* Unopened slots stay -1: a failure closes only what this
		 * call opened. */
		for (unsigned i = 0; i <= naddrs; i++)
			s[k].udp[i] = s[k].tcp[i] = -1;
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

void
parent_close_slot_socks(struct slot_socks *s, unsigned naddrs,
    const struct slot_socks *keep, unsigned nkeep)
{
	if (s == NULL)
		return;
	for (unsigned k = 0; k < p.nworkers && s[k].udp != NULL; k++) {
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
int
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

void
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

/* The rndc channels (controls inet), at start: the port is usually
 * 953, which only root may bind. */
static void
parent_rndc_sockets(void)
{
	const struct conf_control *ctl = &p.conf->control;
	char str[64];

	p.nrndc_fds = ctl->ninet;
	p.rndc_fds = xcalloc(p.nrndc_fds + 1, sizeof(int));
	for (unsigned i = 0; i < p.nrndc_fds; i++) {
		struct listen_addr a;
		memcpy(&a.ss, &ctl->inet[i].ss, sizeof(a.ss));
		a.len = ctl->inet[i].len;
		listen_addr_str(&a, str, sizeof(str));
		if ((p.rndc_fds[i] = listen_tcp(&a)) < 0)
			fatal("controls: listen on %s", str);
		log_info("rndc control channel on %s", str);
	}
}

/* Every listener of the configuration, at start (fatal if one cannot be
 * had: nothing serves yet). */
void
parent_listen_start(uint16_t port)
{
	const char *why;

	p.naddrs = listen_addresses(p.conf, port, &p.addrs);
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
	parent_rndc_sockets();
}
