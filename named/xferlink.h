/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * The parent's side of apex-xferd: starting it (fork and exec),
 * restarting it when it dies, and relaying typed messages to and from it.
 */
#ifndef APEX_XFERLINK_H
#define APEX_XFERLINK_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "ipc.h"
#include "msg.h"

struct event_base;

/* A zone's transfer state, as the last MSG_XP_STATE said (the counters
 * are summed over every report, so they survive an apex-xferd restart). */
struct xfr_state {
	bool		 expired;
	bool		 unsynced;	/* updates not yet in the zone file */
	bool		 frozen;
	uint32_t	 serial;
	uint64_t	 last_refresh, next_refresh, expires;
	uint64_t	 journal_size;
	uint64_t	 count[XFR_STATE_COUNTERS];
	char		*error;
};

struct xferlink_hooks {
	/* apex-xferd has read the configuration: send it every image,
	 * then call xferlink_images_sent(). */
	void	(*ready)(void);
	/* A transferred version to serve; the fd is the callee's. */
	void	(*load)(const uint8_t *origin, uint32_t serial, int fd);
	/* A zone's state changed; counters are increments. */
	void	(*state)(const uint8_t *origin, const struct xfr_state *st);
	/* The answer to xferlink_command(). */
	void	(*reply)(uint32_t req, bool ok, const char *text);
	/* The answer to a UDP update, for worker u->slot of generation
	 * u->gen to send (MSG_XP_UPDATE, decoded). */
	void	(*update_answer)(const struct ipc_update *u);
};

/* cwd: where apex-named started (relative paths in the configuration
 * are relative to it). */
void	xferlink_init(struct event_base *base, const char *conf_path,
	    const char *cwd, uid_t uid, gid_t gid, bool debug,
	    const struct xferlink_hooks *);
void	xferlink_start(void);
/* Stops it for good (apex-named is stopping). */
void	xferlink_stop(void);
/* Kills it at once, for good. */
void	xferlink_kill(void);
/* Restarts it (the configuration changed). */
void	xferlink_restart(void);
/* From SIGCHLD: returns true if pid was apex-xferd. */
bool	xferlink_reap(pid_t pid, int status);
bool	xferlink_running(void);
/* Running, and has been sent every image: it answers transfers of every
 * zone served (what /health and apex_xferd_up say). */
bool	xferlink_ready(void);

/* A zone version now served (fd is duplicated, not taken). */
void	xferlink_zone(const uint8_t *origin, uint32_t serial, int fd);
/* A signed zone's unsigned version, which its updates apply to. */
void	xferlink_unsigned(const uint8_t *origin, uint32_t serial, int fd);
void	xferlink_images_sent(void);
/* MSG_WP_XFR and MSG_WP_NOTIFY from a worker, passed on (m->fd is
 * taken: sent on or closed). */
void	xferlink_relay(struct msg *m);
/* A UDP update from a worker (slot and gen filled in), passed on. */
void	xferlink_update(const struct ipc_update *u);
/* refresh, retransfer, notify. Returns: false if it is not running. */
bool	xferlink_command(uint32_t req, uint32_t cmd, const uint8_t *origin);

#endif
