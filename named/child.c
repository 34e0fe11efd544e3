/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * The child table (see child.h).
 * Runs in: apex-named parent (and in a new child until its role starts).
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include "child.h"
#include "error.h"
#include "log.h"

#define STABLE_SECS	60	/* running this long resets the back-off */

static void	(*scrub)(unsigned);

void
child_set_scrub(void (*fn)(unsigned))
{
	scrub = fn;
}

static int
cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return x < y ? -1 : x > y;
}

static void
close_from_to(unsigned lo, unsigned hi)
{
	if (lo > hi)
		return;
#ifdef SYS_close_range
	if (syscall(SYS_close_range, lo, hi, 0) == 0)
		return;
#endif
	for (unsigned fd = lo; fd <= hi && fd < 65536; fd++)
		(void)close((int)fd);
}

void
child_close_except(const int *keep, unsigned n)
{
	int *k = xmalloc((n + 3) * sizeof(int));
	unsigned m = 0;

	for (int fd = 0; fd <= 2; fd++)
		k[m++] = fd;
	for (unsigned i = 0; i < n; i++)
		if (keep[i] > 2)
			k[m++] = keep[i];
	qsort(k, m, sizeof(int), cmp_int);
	unsigned next = 0;
	for (unsigned i = 0; i < m; i++) {
		if ((unsigned)k[i] > next)
			close_from_to(next, (unsigned)k[i] - 1);
		if ((unsigned)k[i] + 1 > next)
			next = (unsigned)k[i] + 1;
	}
	close_from_to(next, ~0U);
	free(k);
}

/* The parent's handlers belong to its event loop (libevent writes to a
 * pipe the child no longer has): a child starts from the defaults. */
static void
reset_signals(void)
{
	sigset_t none;

	for (int sig = 1; sig < NSIG; sig++)
		if (sig != SIGKILL && sig != SIGSTOP)
			(void)signal(sig, SIG_DFL);
	sigemptyset(&none);
	(void)sigprocmask(SIG_SETMASK, &none, NULL);
}

static void NORETURN
child_begin(int sock, const int *keep, unsigned nkeep, unsigned flags,
    child_run_fn *run, void *arg)
{
	(void)prctl(PR_SET_PDEATHSIG, SIGKILL);
	reset_signals();
	int *all = xmalloc((nkeep + 1) * sizeof(int));
	if (nkeep > 0)
		memcpy(all, keep, nkeep * sizeof(int));
	all[nkeep] = sock;
	child_close_except(all, nkeep + 1);
	free(all);
	if (!(flags & CHILD_SECRETS) && scrub != NULL)
		scrub(flags);
	run(arg, sock);
	_exit(1);
}

static void
child_writable(evutil_socket_t fd, short events, void *arg)
{
	struct child *c = arg;
	int rc = msg_queue_flush(&c->q, c->sock);

	(void)fd;
	(void)events;
	if (rc == 1)
		event_add(c->wev, NULL);
	else if (rc < 0)
		child_kill(c, SIGKILL);
}

int
child_start(struct child *c, struct event_base *base, const int *keep,
    unsigned nkeep, unsigned flags, child_run_fn *run, void *arg,
    event_callback_fn readable, void *rarg)
{
	int sv[2];

	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) != 0) {
		log_warn("%s: socketpair", c->name);
		return -1;
	}
	pid_t pid = fork();
	if (pid < 0) {
		log_warn("fork %s", c->name);
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	if (pid == 0) {
		close(sv[0]);
		child_begin(sv[1], keep, nkeep, flags, run, arg);
	}
	close(sv[1]);
	c->pid = pid;
	c->sock = sv[0];
	c->started = time(NULL);
	msg_queue_init(&c->q);
	c->ev = c->wev = NULL;
	if (base == NULL)
		return 0;
	c->ev = event_new(base, c->sock, EV_READ | EV_PERSIST, readable,
	    rarg);
	c->wev = event_new(base, c->sock, EV_WRITE, child_writable, c);
	if (c->ev == NULL || c->wev == NULL || event_add(c->ev, NULL) != 0)
		fatalx("%s: events", c->name);
	return 0;
}

bool
child_running(const struct child *c)
{
	return c->pid > 0 && c->sock >= 0;
}

bool
child_send(struct child *c, uint16_t type, uint32_t id,
    const struct msg_buf *b, int fd)
{
	if (!child_running(c))
		return false;
	int rc = msg_queue_send(&c->q, c->sock, type, id, b, fd);
	if (rc != 0) {
		log_warnx("%s: cannot send %s (%s); killing it", c->name,
		    msg_type_str(type), apex_strerror(rc));
		child_kill(c, SIGKILL);
		return false;
	}
	if (msg_queue_pending(&c->q) && c->wev != NULL)
		event_add(c->wev, NULL);
	return true;
}

void
child_kill(struct child *c, int sig)
{
	if (c->pid > 0)
		(void)kill(c->pid, sig);
}

unsigned
child_reaped(struct child *c, unsigned min_ms, unsigned max_ms)
{
	if (c->ev != NULL)
		event_free(c->ev);
	if (c->wev != NULL)
		event_free(c->wev);
	c->ev = c->wev = NULL;
	msg_queue_clear(&c->q);
	if (c->sock >= 0)
		close(c->sock);
	c->sock = -1;
	c->pid = 0;
	if (time(NULL) - c->started >= STABLE_SECS)
		c->backoff_ms = 0;
	unsigned ms = c->backoff_ms;
	c->backoff_ms = ms == 0 ? min_ms :
	    (ms * 2 > max_ms ? max_ms : ms * 2);
	return ms;
}

void
child_restart_after(struct child *c, struct event_base *base, unsigned ms,
    event_callback_fn cb, void *arg)
{
	struct timeval tv = { ms / 1000, (ms % 1000) * 1000 };

	if (c->restart_ev == NULL)
		c->restart_ev = evtimer_new(base, cb, arg);
	if (c->restart_ev == NULL || evtimer_add(c->restart_ev, &tv) != 0)
		fatalx("%s: restart timer", c->name);
}
