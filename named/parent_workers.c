/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * The parent's workers: starting each with its slot's sockets, zone
 * images and counter block, what it says, restarting it with back-off,
 * and broadcasting new images.
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

/* ---- workers ------------------------------------------------------ */

struct worker *
parent_find_worker(pid_t pid, bool *old)
{
	for (unsigned k = 0; k < p.nworkers; k++)
		if (p.workers[k].c.pid == pid) {
			*old = false;
			return &p.workers[k];
		}
	for (unsigned k = 0; k < p.nold; k++)
		if (p.old[k].c.pid == pid) {
			*old = true;
			return &p.old[k];
		}
	return NULL;
}

unsigned
parent_workers_up(void)
{
	unsigned n = 0;

	for (unsigned k = 0; k < p.nworkers; k++)
		n += p.workers[k].ready;
	return n;
}

static void
parent_all_ready(void)
{
	if (p.ready_notified || parent_workers_up() != p.nworkers)
		return;
	p.ready_notified = true;
	parent_sd_notify("READY=1");
	log_info("running with %u workers", p.nworkers);
}


static void
worker_zone_ack(struct worker *wk, struct msg *m, bool ok)
{
	uint32_t serial;

	if (ipc_get_wp_zone_ack(m, &serial) != 0) {
		log_warnx("worker %u: malformed %s", wk->slot,
		    msg_type_str(m->hdr.type));
		child_kill(&wk->c, SIGKILL);
		return;
	}
	if (!ok)
		log_warnx("worker %u: rejected the image of zone %u",
		    wk->slot, m->hdr.id);
	if (p.acks_due > 0)
		p.acks_due--;
	struct zone_state *zs = m->hdr.id < p.conf->nzones ?
	    &p.zs[m->hdr.id] : NULL;
	if (zs != NULL && zs->serve_due > 0 && serial == zs->serve_serial &&
	    --zs->serve_due == 0 && zs->fd >= 0)
		xferlink_zone(p.conf->zones[m->hdr.id].origin, zs->serial,
		    zs->fd);
	parent_reload_progress();
}

/*
 * Sends to a worker without waiting for it. Returns: false if the worker
 * is gone or so far behind that it is killed (it is restarted).
 */
bool
parent_worker_send(struct worker *wk, uint16_t type, uint32_t id,
    const struct msg_buf *b, int fd)
{
	return child_send(&wk->c, type, id, b, fd);
}

/* MSG_PW_EXPIRED for zone i: whether it expired, and when it does. */
void
parent_expired_msg(unsigned i, struct msg_buf *b)
{
	msg_buf_init(b);
	msg_put_u32(b, p.zs[i].xfr.expired);
	msg_put_u64(b, p.zs[i].xfr.expires);
}

/*
 * A worker forked while images were being installed took the older
 * ones and was skipped by the broadcast (it was not ready): it gets
 * what changed since its fork, so that no worker serves a stale zone.
 */
static void
parent_catch_up(struct worker *wk)
{
	struct msg_buf b;

	if (wk->gen != p.gen || wk->installed == p.installed)
		return;
	for (unsigned i = 0; i < p.conf->nzones; i++) {
		if (p.zs[i].installed <= wk->installed || p.zs[i].fd < 0)
			continue;
		msg_buf_init(&b);
		msg_put_u32(&b, p.zs[i].serial);
		if (!parent_worker_send(wk, MSG_PW_ZONE, i, &b, p.zs[i].fd))
			return;
	}
	wk->installed = p.installed;
}

/* A new worker learns when secondary zones expire, and which have. */
static void
parent_tell_expired(struct worker *wk)
{
	struct msg_buf b;

	for (unsigned i = 0; i < p.conf->nzones; i++) {
		if (!p.zs[i].xfr.expired && p.zs[i].xfr.expires == 0)
			continue;
		parent_expired_msg(i, &b);
		if (!parent_worker_send(wk, MSG_PW_EXPIRED, i, &b, -1))
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
		event_del(wk->c.ev);
		return;
	}
	switch (m->hdr.type) {
	case MSG_WP_READY:
		if (ipc_get_empty(m) != 0)
			goto bad;
		wk->ready = true;
		parent_catch_up(wk);
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
	case MSG_WP_UPDATE: {
		/* For apex-xferd, with the worker that answers it. */
		struct ipc_update u;
		if (ipc_get_update(m, &u) != 0)
			goto bad;
		u.slot = wk->slot;
		u.gen = wk->gen;
		xferlink_update(&u);
		break;
	}
	case MSG_WP_XFR:
	case MSG_WP_NOTIFY: {
		/* For apex-xferd, which checks them again; a worker that
		 * sends a malformed one is stopped here. */
		struct ipc_xfr x;
		uint8_t origin[DNAME_MAXLEN];
		struct sockaddr_storage ss;
		socklen_t sl;
		if (m->hdr.type == MSG_WP_XFR ? ipc_get_xfr(m, &x) != 0 :
		    ipc_get_notify(m, origin, &ss, &sl) != 0)
			goto bad;
		xferlink_relay(m);	/* the payload as it came */
		break;
	}
	case MSG_LOG:
		if (logging_from_child(m) == 0)
			break;
		/* FALLTHROUGH */
	default:
	bad:
		/* Trust rule: a worker breaking the protocol is restarted. */
		log_warnx("worker %u: unexpected or malformed %s; "
		    "restarting it", wk->slot, msg_type_str(m->hdr.type));
		child_kill(&wk->c, SIGKILL);
	}
	if (m->fd >= 0)
		close(m->fd);
}

/* In the new worker: the role takes over. */
static void
run_worker(void *arg, int sock)
{
	struct worker_args *wa = arg;

	wa->parent = sock;
	worker_main(wa);
}

void
parent_fork_worker(unsigned slot)
{
	struct worker *wk = &p.workers[slot];
	int *fds = xmalloc((p.conf->nzones + 1) * sizeof(int));

	for (unsigned i = 0; i < p.conf->nzones; i++)
		fds[i] = p.zs[i].fd;
	unsigned block = (p.gen % 2) * p.nworkers + slot;
	struct worker_args wa = { slot, p.nworkers, p.conf, -1,
	    p.socks[slot].udp, p.naddrs, p.socks[slot].tcp, p.naddrs,
	    fds, p.conf->nzones, p.stats.fd[block], &p.keys, p.querylog,
	    p.uid, p.gid, p.args->chroot };
	unsigned nkeep;
	int *keep = worker_keep(&wa, &nkeep);
	snprintf(wk->c.name, sizeof(wk->c.name), "worker %u", slot);
	wk->c.backoff_ms = p.backoff_ms[slot];
	wk->slot = slot;
	wk->gen = p.gen;
	wk->ready = false;
	wk->installed = p.installed;
	if (child_start(&wk->c, p.base, keep, nkeep, CHILD_SECRETS,
	    run_worker, &wa, parent_dispatch_worker, wk) != 0)
		wk->c.pid = 0;
	free(keep);
	free(fds);
}

/* A worker is gone: its channel is closed before anything restarts it. */
void
parent_worker_forget(struct worker *wk)
{
	(void)child_reaped(&wk->c, BACKOFF_MIN_MS, BACKOFF_MAX_MS);
	wk->ready = false;
}

static void
parent_restart_worker(evutil_socket_t fd, short events, void *arg)
{
	unsigned slot = (unsigned)(uintptr_t)arg;

	if (!p.stopping && p.workers[slot].c.pid == 0) {
		parent_fork_worker(slot);
		parent_push_state();
	}
}

/* A worker of the current generation died: start it again, waiting
 * longer each time it dies young. */
void
parent_worker_died(struct worker *wk, int status)
{
	unsigned slot = wk->slot;

	if (WIFSIGNALED(status))
		log_warnx("worker %u (pid %d) killed by signal %d (%s); "
		    "restarting", slot, wk->c.pid, WTERMSIG(status),
		    strsignal(WTERMSIG(status)));
	else
		log_warnx("worker %u (pid %d) exited with status %d; "
		    "restarting", slot, wk->c.pid, WEXITSTATUS(status));
	unsigned ms = child_reaped(&wk->c, BACKOFF_MIN_MS, BACKOFF_MAX_MS);
	p.backoff_ms[slot] = wk->c.backoff_ms;
	wk->ready = false;
	parent_served_flush();
	p.restarts++;
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };
	if (p.restart_ev[slot] == NULL)
		p.restart_ev[slot] = evtimer_new(p.base,
		    parent_restart_worker, (void *)(uintptr_t)slot);
	evtimer_add(p.restart_ev[slot], &tv);
	parent_push_state();
}

void
parent_broadcast(uint16_t type, uint32_t id, const struct msg_buf *b, int fd)
{
	for (unsigned k = 0; k < p.nworkers; k++) {
		struct worker *wk = &p.workers[k];
		if (wk->c.pid == 0 || !wk->ready)
			continue;
		if (parent_worker_send(wk, type, id, b, fd) &&
		    type == MSG_PW_ZONE)
			p.acks_due++;
	}
}
