/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * The parent's side of the control process: starting it, its requests
 * (apex-ctl commands), its replies, and the state report behind status,
 * /metrics and /health.
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
#include "signer.h"

static void	parent_send_state(void);

/* ---- the control process ------------------------------------------ */


/* Sends to the control process without waiting for it. */
static bool
control_send(uint16_t type, uint32_t id, const struct msg_buf *b)
{
	return child_send(&p.control, type, id, b, -1);
}

void
parent_reply(uint32_t req, bool ok, const char *text)
{
	struct msg_buf *b;

	if (req == 0 || !child_running(&p.control))
		return;
	if (p.state_dirty)
		parent_send_state();
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

/* A signed zone's part of it: what the signer said last. */
static void
put_sign_state(struct msg_buf *b, unsigned i)
{
	const struct ipc_sign_state *s = &p.zs[i].sign;
	const struct dnssec_policy *pol = p.conf->zones[i].dnssec_policy;

	msg_put_u32(b, s->failing);
	msg_put_u64(b, s->earliest_expiry);
	msg_put_u64(b, s->next_resign);
	msg_put_u64(b, s->next_key_event);
	msg_put_u64(b, s->last_run);
	msg_put_u64(b, s->runs);
	msg_put_u64(b, s->failures);
	msg_put_u64(b, s->sigs_made);
	msg_put_u64(b, s->rrsets_signed);
	for (unsigned k = 0; k < 3; k++)
		msg_put_u32(b, s->keys[k]);
	msg_put_u32(b, pol != NULL ? pol->signatures_refresh : 0);
	put_str_max(b, s->error, STATE_TEXT_MAX);
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
	msg_put_u32(b, (z->xfr.expired ? ZV_EXPIRED : 0) |
	    (z->xfr.unsynced ? ZV_UNSYNCED : 0) |
	    (z->xfr.frozen ? ZV_FROZEN : 0) |
	    (p.conf->zones[i].dynamic ? ZV_DYNAMIC : 0) |
	    (conf_zone_signed(&p.conf->zones[i]) ? ZV_SIGNED : 0));
	msg_put_u64(b, z->xfr.last_refresh);
	msg_put_u64(b, z->xfr.next_refresh);
	msg_put_u64(b, z->xfr.expires);
	msg_put_u64(b, z->xfr.journal_size);
	for (unsigned k = 0; k < XFR_STATE_COUNTERS; k++)
		msg_put_u64(b, z->xfr.count[k]);
	put_str_max(b, z->xfr.error, STATE_TEXT_MAX);
	put_sign_state(b, i);
}

/*
 * The state the control process shows (status, zonestatus, /metrics,
 * /health, /json): sent after every change. MSG_PC_STATE carries the
 * server's part and the first zones; as many MSG_PC_STATE_MORE as it
 * takes carry the others.
 */
/*
 * The state report goes to the control process at most STATE_BURST
 * times every STATE_INTERVAL_MS: a burst of changes (a NOTIFY flood's
 * refreshes, thousands of zones loading) costs a few reports, not one
 * per change.
 * A reply to apex-ctl first sends what is pending, so the command's
 * effect is in the state the next command reads.
 */
static void
parent_state_timer(evutil_socket_t fd, short events, void *arg)
{
	parent_send_state();
}

void
parent_push_state(void)
{
	struct timespec now;

	if (!child_running(&p.control))
		return;
	p.state_dirty = true;
	if (p.state_ev == NULL &&
	    (p.state_ev = evtimer_new(p.base, parent_state_timer, NULL)) ==
	    NULL)
		fatalx("state timer");
	if (evtimer_pending(p.state_ev, NULL))
		return;
	clock_gettime(CLOCK_MONOTONIC, &now);
	uint64_t ms = (uint64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
	if (ms - p.state_window_ms >= STATE_INTERVAL_MS) {
		p.state_window_ms = ms;
		p.state_sent = 0;
	}
	/* The first few changes of an interval go at once (so status
	 * follows a transfer or a reload without delay); the rest wait
	 * for the interval's end and go as one. */
	uint64_t wait = p.state_sent < STATE_BURST ? 0 :
	    p.state_window_ms + STATE_INTERVAL_MS - ms;
	struct timeval tv = { (time_t)(wait / 1000),
	    (suseconds_t)(wait % 1000) * 1000 };
	evtimer_add(p.state_ev, &tv);
}

static void
parent_send_state(void)
{
	struct msg_buf *b;
	uint16_t type = MSG_PC_STATE;
	unsigned i = 0;

	if (p.state_ev != NULL)
		evtimer_del(p.state_ev);
	p.state_dirty = false;
	p.state_sent++;
	if (!child_running(&p.control))
		return;
	b = xmalloc(sizeof(*b));
	msg_buf_init(b);
	msg_put_u64(b, (uint64_t)p.started);
	msg_put_u32(b, p.nworkers);
	msg_put_u32(b, parent_workers_up());
	msg_put_u64(b, p.restarts);
	msg_put_u64(b, p.reloads);
	msg_put_u32(b, p.querylog);
	msg_put_u32(b, reload_running() || p.old != NULL);
	msg_put_u32(b, xferlink_ready());
	msg_put_u32(b, parent_signer_health());
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

/* Test hooks (APEX_TEST_HOOKS=1 only): worker 0 acts as a compromised
 * worker would. */
static void
parent_test_hook(uint32_t req, uint32_t cmd, const char *arg)
{
	struct msg_buf b;

	if (getenv("APEX_TEST_HOOKS") == NULL || p.workers[0].c.pid == 0) {
		parent_reply(req, false, "test hooks are off");
		return;
	}
	msg_buf_init(&b);
	if (cmd == CTL_TEST_WRITE)
		msg_put_str(&b, arg);
	if (!parent_worker_send(&p.workers[0], cmd == CTL_TEST_WRITE ?
	    MSG_PW_TEST_WRITE : MSG_PW_TEST_SYSCALL, 0, &b, -1))
		parent_reply(req, false, "worker 0 did not listen");
	else
		parent_reply(req, true, "worker 0 was told");
}

static void
parent_command(uint32_t req, uint32_t cmd, uint32_t flags, const char *arg)
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
	case CTL_SYNC:
	case CTL_REFRESH:
	case CTL_RETRANSFER:
	case CTL_NOTIFY:
	case CTL_FREEZE:
	case CTL_THAW: {
		/* sync with no zone: every dynamic zone (the root name). */
		uint8_t origin[DNAME_MAXLEN] = { 0 };
		if (cmd == CTL_SYNC && *arg == '\0')
			;
		else if (*arg == '\0' || dname_from_str(arg, NULL, origin) <
		    0 || conf_find_zone(p.conf, origin) == NULL) {
			parent_reply(req, false, "no such zone");
			break;
		}
		if (!xferlink_command(req, cmd, origin))
			parent_reply(req, false, "apex-xferd is not running");
		else if (cmd == CTL_THAW)
			parent_thaw_wait(req, origin);
		break;
	}
	case CTL_SIGN:
	case CTL_DNSSEC:
		if (!parent_signer_command(req, cmd, flags, arg))
			parent_reply(req, false, "the signer is not running "
			    "(no zone has a dnssec-policy?)");
		break;
	case CTL_TEST_SYSCALL:
	case CTL_TEST_WRITE:
		parent_test_hook(req, cmd, arg);
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
		event_del(p.control.ev);
		return;
	}
	switch (m->hdr.type) {
	case MSG_CP_REQUEST:
		if (ipc_get_request(m, &cmd, &flags, text, sizeof(text)) != 0 ||
		    m->hdr.id == 0)
			goto bad;
		parent_command(m->hdr.id, cmd, flags, text);
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
	child_kill(&p.control, SIGKILL);
}

/* In the new control process: the role takes over. */
static void
run_control(void *arg, int sock)
{
	struct control_args *ca = arg;

	ca->parent = sock;
	control_main(ca);
}

void
parent_fork_control(void)
{
	if (p.ctl_fd < 0 && p.nstats_fds == 0 && p.nrndc_fds == 0)
		return;
	struct control_args ca = { p.conf, -1, p.ctl_fd, p.stats_fds,
	    p.nstats_fds, p.rndc_fds, p.nrndc_fds, p.stats.ro, p.stats.n,
	    p.uid, p.gid, p.args->chroot };
	unsigned nkeep;
	int *keep = control_keep(&ca, &nkeep);
	snprintf(p.control.name, sizeof(p.control.name), "control");
	int rc = child_start(&p.control, p.base, keep, nkeep,
	    CHILD_CONTROL_KEYS, run_control,
	    &ca, parent_dispatch_control, NULL);
	free(keep);
	/* A new control process knows nothing yet: no waiting. */
	if (rc == 0)
		parent_send_state();
}

static void
parent_restart_control(evutil_socket_t fd, short events, void *arg)
{
	if (!p.stopping && p.control.pid == 0)
		parent_fork_control();
}

void
parent_control_died(int status)
{
	if (WIFSIGNALED(status))
		log_warnx("control (pid %d) killed by signal %d (%s); "
		    "restarting", p.control.pid, WTERMSIG(status),
		    strsignal(WTERMSIG(status)));
	else
		log_warnx("control (pid %d) exited with status %d; restarting",
		    p.control.pid, WEXITSTATUS(status));
	unsigned ms = child_reaped(&p.control, BACKOFF_MIN_MS,
	    BACKOFF_MAX_MS);
	p.restarts++;
	child_restart_after(&p.control, p.base, ms, parent_restart_control,
	    NULL);
}
