/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * What the files of the parent process share: its state (one struct,
 * defined in parent.c) and the functions one file calls in another.
 * Nothing outside the parent includes this.
 */
#ifndef APEX_PARENT_PRIV_H
#define APEX_PARENT_PRIV_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>
#include <sys/types.h>

#include <event2/event.h>

#include "child.h"
#include "conf.h"
#include "listen.h"
#include "msg.h"
#include "parent.h"
#include "reload.h"
#include "stats.h"
#include "tsig.h"

#define DEFAULT_USER	"apex"
#define BACKOFF_MIN_MS	100
#define BACKOFF_MAX_MS	30000
#define STATE_INTERVAL_MS	200	/* state reports at most */
#define STATE_BURST		4	/* this many per interval */
#define STOP_GRACE	6	/* seconds for workers to finish TCP */

struct worker {
	struct child	 c;
	unsigned	 slot;
	unsigned	 gen;
	bool		 ready;
	uint64_t	 installed;	/* p.installed when it was forked */
};

/* The listening sockets of one worker slot, one per address. */
struct slot_socks {
	int		*udp;
	int		*tcp;
};

struct parent_state {
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
	struct stats_set	 stats;	/* counter blocks */
	struct conf		*next_conf;	/* being switched to */

	struct zone_state	*zs;
	struct tsig_keyring	 keys;
	uint32_t		 reload_req;	/* ctl request waiting, or 0 */
	char			*reload_errors;
	unsigned		 reload_ok, reload_failed;
	unsigned		 acks_due;	/* zone images not yet taken */
	uint64_t		 installed;	/* images installed so far */
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
	int			*rndc_fds;	/* controls inet, for rndc */
	unsigned		 nrndc_fds;
	struct child		 control;
	struct event		*state_ev;	/* the next state report */
	bool			 state_dirty;
	uint64_t		 state_window_ms;	/* monotonic */
	unsigned		 state_sent;	/* reports in that window */

	int			 pid_fd;
	struct msg		*m;
	char			*start_cwd;	/* relative paths start here */
};

extern struct parent_state p;

/* parent.c */
void	parent_state_directory(const struct conf *cf);
void	parent_sd_notify(const char *state);
void	parent_stop(bool graceful);

/* parent_listen.c */
int	parent_open_sockets(const struct listen_addr *addrs, unsigned naddrs,
	    struct slot_socks **out, const char **why);
void	parent_close_slot_socks(struct slot_socks *s, unsigned naddrs,
	    const struct slot_socks *keep, unsigned nkeep);
int	parent_control_socket(void);
void	parent_stats_sockets(void);
void	parent_listen_start(uint16_t port);

/* parent_workers.c */
struct worker	*parent_find_worker(pid_t pid, bool *old);
unsigned	parent_workers_up(void);
bool	parent_worker_send(struct worker *wk, uint16_t type, uint32_t id,
	    const struct msg_buf *b, int fd);
void	parent_fork_worker(unsigned slot);
void	parent_expired_msg(unsigned i, struct msg_buf *b);
void	parent_worker_forget(struct worker *wk);
void	parent_worker_died(struct worker *wk, int status);
void	parent_broadcast(uint16_t type, uint32_t id, const struct msg_buf *b,
	    int fd);

/* parent_reload.c */
void	parent_install_zone(unsigned zone, int fd, uint32_t serial);
void	parent_reload_progress(void);
void	parent_reload(const char *zone, uint32_t req);
void	parent_served_flush(void);
void	parent_generation_ready(void);
void	parent_reconfig(uint32_t req);
void	parent_old_gone(void);

/* parent_signer.c */
void	parent_signer_start(void);
void	parent_signer_stop(void);
void	parent_signer_reconfig(void);
bool	parent_signer_reap(pid_t pid, int status);
bool	parent_signer_running(void);
/* SIGNER_WANTED (a zone is signed) and SIGNER_UP bits, for /health. */
unsigned	parent_signer_health(void);
bool	parent_signer_alive(void);
/* Zone's unsigned image (zone_state.unsigned_fd) to the signer. */
void	parent_signer_submit(unsigned zone);
/* apex-ctl sign and dnssec. Returns: false if the signer is not up. */
bool	parent_signer_command(uint32_t req, uint32_t cmd, uint32_t flags,
	    const char *arg);

/* parent_control.c */
void	parent_reply(uint32_t req, bool ok, const char *text);
/* apex-ctl thaw ZONE went to apex-xferd as request req: once it says
 * yes, the zone's file is reloaded, and the reload answers. */
void	parent_thaw_wait(uint32_t req, const uint8_t *origin);
void	parent_push_state(void);
void	parent_fork_control(void);
void	parent_control_died(int status);

#endif
