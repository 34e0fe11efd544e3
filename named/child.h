/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * The child table: how apex-named starts, talks to and restarts every
 * child (workers, the control process, the loader, apex-xferd).
 *
 * Starting one is always the same: a socketpair, fork, and in the child,
 * before the role's code runs, every signal disposition back to the
 * default, the parent-death signal, and every descriptor closed except
 * 0-2, the channel and the role's keep-list (close_range()), so nothing
 * the parent opens (its signal pipe, its siblings' channels, the pid
 * file, listeners of other roles) can leak into a child. Children that
 * verify no TSIG MAC also get the secrets wiped from their copy of the
 * parent's memory. The parent never waits for a child: messages go
 * through a queue flushed when the socket drains.
 * Runs in: apex-named parent (and in a new child until its role starts).
 */
#ifndef APEX_CHILD_H
#define APEX_CHILD_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <sys/types.h>

#include <event2/event.h>

#include "msg.h"
#include "util.h"

struct child {
	char		 name[32];	/* for logs: "worker 2" */
	pid_t		 pid;		/* 0: not running */
	int		 sock;		/* the parent's end, -1: none */
	struct event	*ev;		/* readable */
	struct event	*wev;		/* writable: flush the queue */
	struct msg_queue q;
	time_t		 started;
	unsigned	 backoff_ms;	/* the wait before the next restart */
	struct event	*restart_ev;
};

/* The role's code in the new child, given its end of the channel. */
typedef void	child_run_fn(void *arg, int sock);

#define CHILD_SECRETS	0x1	/* the child verifies or signs TSIG */
#define CHILD_CONTROL_KEYS 0x2	/* it verifies rndc: keeps those keys */

/*
 * Starts c: the child keeps 0-2, its channel and keep[0..nkeep), runs
 * run(arg, sock) and must not return. Without CHILD_SECRETS the scrub
 * function (child_set_scrub()) runs in the child first. readable(fd,
 * events, rarg) gets the parent's end. Returns: 0, or -1 (logged).
 */
int	child_start(struct child *c, struct event_base *base, const int *keep,
	    unsigned nkeep, unsigned flags, child_run_fn *run, void *arg,
	    event_callback_fn readable, void *rarg) MUST_CHECK;

/* Wipes the secrets a child without CHILD_SECRETS must not keep; fn
 * gets the child's flags. */
void	child_set_scrub(void (*fn)(unsigned flags));

/* Whether c runs and its channel is open. */
bool	child_running(const struct child *c);

/*
 * Sends without waiting. A child that cannot take the message (its
 * queue is full, the payload too big) is killed: it is stuck or broken.
 * Returns: whether the message was sent or queued.
 */
bool	child_send(struct child *c, uint16_t type, uint32_t id,
	    const struct msg_buf *b, int fd);

/* Kills c (SIGKILL) if it runs. */
void	child_kill(struct child *c, int sig);

/*
 * c died (reaped): the parent's end is closed and its events freed
 * before anything restarts it. Returns the back-off in milliseconds
 * before a restart: 0 after a long life, then min_ms, doubling to max_ms
 * while it keeps dying young.
 */
unsigned	child_reaped(struct child *c, unsigned min_ms, unsigned max_ms);

/* Runs cb(arg) after ms milliseconds (the restart of a dead child). */
void	child_restart_after(struct child *c, struct event_base *base,
	    unsigned ms, event_callback_fn cb, void *arg);

/*
 * Closes every descriptor but 0-2 and keep[0..n): the first thing a
 * child does.
 */
void	child_close_except(const int *keep, unsigned n);

#endif
