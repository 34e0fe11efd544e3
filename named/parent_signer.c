/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * The parent's side of the signer: starting it when some zone has a
 * dnssec-policy, restarting it when it dies, handing it each zone's
 * unsigned image and serving the signed images it hands back.
 *
 * The rule it keeps: a zone with a policy is served only from the
 * signer's images. Its unsigned image stays in the parent (to give a
 * restarted signer) and never goes to a worker, so nothing unsigned is
 * published for a signed zone, whatever fails.
 * Runs in: apex-named parent.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "error.h"
#include "ipc.h"
#include "log.h"
#include "logging.h"
#include "msg.h"
#include "parent_priv.h"
#include "signer.h"

static struct {
	struct child	c;
	bool		ready;		/* MSG_SP_READY came */
	bool		replacing;	/* killed for a reconfig */
	struct msg	*m;
} sg = { .c = { .sock = -1 } };

static bool
any_signed(void)
{
	for (unsigned i = 0; i < p.conf->nzones; i++)
		if (conf_zone_signed(&p.conf->zones[i]))
			return true;
	return false;
}

bool
parent_signer_running(void)
{
	return child_running(&sg.c) && sg.ready;
}

void
parent_signer_submit(unsigned zone)
{
	struct zone_state *z = &p.zs[zone];
	struct msg_buf b;

	if (!parent_signer_running() || z->unsigned_fd < 0)
		return;
	msg_buf_init(&b);
	ipc_put_lp_zone(&b, z->unsigned_serial);
	(void)child_send(&sg.c, MSG_PS_SIGN, zone, &b, z->unsigned_fd);
}

bool
parent_signer_command(uint32_t req, uint32_t cmd, uint32_t flags,
    const char *arg)
{
	struct msg_buf b;

	if (!parent_signer_running())
		return false;
	msg_buf_init(&b);
	ipc_put_request(&b, cmd, flags, arg);
	return child_send(&sg.c, MSG_PS_COMMAND, req, &b, -1);
}

/* MSG_SP_STATE: counters add up over the signer's lives. */
static void
take_state(unsigned i, const struct ipc_sign_state *st)
{
	struct ipc_sign_state *s = &p.zs[i].sign;

	uint64_t runs = s->runs + st->runs, failures = s->failures +
	    st->failures, made = s->sigs_made + st->sigs_made, rrsets =
	    s->rrsets_signed + st->rrsets_signed;
	*s = *st;
	s->runs = runs;
	s->failures = failures;
	s->sigs_made = made;
	s->rrsets_signed = rrsets;
	p.zs[i].have_sign = true;
	parent_push_state();
}

static int
dispatch_zone(struct msg *m)
{
	unsigned i = m->hdr.id;
	uint32_t serial;
	char text[1024];
	struct ipc_sign_state st;

	if (i >= p.conf->nzones || !conf_zone_signed(&p.conf->zones[i]))
		return -1;
	switch (m->hdr.type) {
	case MSG_SP_ZONE:
		if (ipc_get_lp_zone(m, &serial) != 0)
			return -1;
		reload_install(p.conf, p.zs, i, m->fd, serial,
		    parent_install_zone);
		m->fd = -1;
		parent_push_state();
		return 0;
	case MSG_SP_ERROR:
		if (ipc_get_lp_error(m, text, sizeof(text)) != 0)
			return -1;
		free(p.zs[i].error);
		p.zs[i].error = xstrdup(text);
		return 0;
	case MSG_SP_STATE:
		if (ipc_get_sp_state(m, &st) != 0)
			return -1;
		take_state(i, &st);
		return 0;
	}
	return -1;
}

static int
dispatch_one(struct msg *m)
{
	bool ok;
	char text[MSG_MAXPAYLOAD];

	switch (m->hdr.type) {
	case MSG_SP_READY:
		if (ipc_get_empty(m) != 0)
			return -1;
		sg.ready = true;
		for (unsigned i = 0; i < p.conf->nzones; i++)
			if (conf_zone_signed(&p.conf->zones[i]))
				parent_signer_submit(i);
		parent_push_state();
		return 0;
	case MSG_SP_REPLY:
		if (ipc_get_reply(m, &ok, text, sizeof(text)) != 0)
			return -1;
		parent_reply(m->hdr.id, ok, text);
		return 0;
	case MSG_LOG:
		return logging_from_child(m) != 0 ? -1 : 0;
	case MSG_SP_ZONE:
	case MSG_SP_ERROR:
	case MSG_SP_STATE:
		return dispatch_zone(m);
	}
	return -1;
}

static void
signer_readable(evutil_socket_t fd, short events, void *arg)
{
	struct msg *m = sg.m;
	int rc = msg_recv(fd, m);

	if (rc != 0) {
		event_del(sg.c.ev);
		return;
	}
	if (dispatch_one(m) != 0) {
		log_warnx("signer: unexpected or malformed %s; restarting it",
		    msg_type_str(m->hdr.type));
		child_kill(&sg.c, SIGKILL);
	}
	if (m->fd >= 0)
		close(m->fd);
}

static void
run_signer(void *arg, int sock)
{
	signer_main(p.conf, sock, p.uid, p.gid);
}

void
parent_signer_start(void)
{
	if (!any_signed() || p.stopping || sg.c.pid != 0)
		return;
	if (sg.m == NULL)
		sg.m = xmalloc(sizeof(*sg.m));
	sg.ready = false;
	snprintf(sg.c.name, sizeof(sg.c.name), "signer");
	if (child_start(&sg.c, p.base, NULL, 0, 0, run_signer, NULL,
	    signer_readable, NULL) != 0)
		log_warnx("signer: not started");
}

static void
signer_restart(evutil_socket_t fd, short events, void *arg)
{
	parent_signer_start();
}

bool
parent_signer_reap(pid_t pid, int status)
{
	if (pid != sg.c.pid || pid == 0)
		return false;
	sg.ready = false;
	if (p.stopping) {
		(void)child_reaped(&sg.c, 0, 0);
		return true;
	}
	if (sg.replacing) {
		sg.replacing = false;
		(void)child_reaped(&sg.c, 0, 0);
		parent_signer_start();
		return true;
	}
	if (WIFSIGNALED(status))
		log_warnx("signer (pid %d) killed by signal %d (%s); "
		    "restarting", pid, WTERMSIG(status),
		    strsignal(WTERMSIG(status)));
	else
		log_warnx("signer (pid %d) exited with status %d; restarting",
		    pid, WEXITSTATUS(status));
	unsigned ms = child_reaped(&sg.c, BACKOFF_MIN_MS, BACKOFF_MAX_MS);
	p.restarts++;
	child_restart_after(&sg.c, p.base, ms, signer_restart, NULL);
	parent_push_state();
	return true;
}

unsigned
parent_signer_health(void)
{
	return (any_signed() ? SIGNER_WANTED : 0) |
	    (parent_signer_running() ? SIGNER_UP : 0);
}

/* The configuration changed: a new signer reads the new one. */
void
parent_signer_reconfig(void)
{
	if (sg.c.pid != 0) {
		/* Started again with the new conf once reaped. */
		sg.replacing = true;
		child_kill(&sg.c, SIGKILL);
		return;
	}
	parent_signer_start();
}

void
parent_signer_stop(void)
{
	child_kill(&sg.c, SIGTERM);
}

bool
parent_signer_alive(void)
{
	return sg.c.pid != 0;
}
