/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * The control process: apex-ctl's server on the control socket, and the
 * HTTP statistics channels (/metrics, /health, /json).
 */
#ifndef APEX_CONTROL_H
#define APEX_CONTROL_H

#include <sys/types.h>

#include "conf.h"
#include "stats.h"
#include "util.h"

struct control_args {
	const struct conf	*conf;
	int			 parent;	/* IPC socket to the parent */
	int			 ctl_fd;	/* listener, or -1 */
	const int		*stats_fds;	/* HTTP listeners */
	unsigned		 nstats_fds;
	const int		*rndc_fds;	/* rndc listeners */
	unsigned		 nrndc_fds;
	const int		*counters;	/* read-only counter blocks */
	unsigned		 ncounters;
	uid_t			 uid;
	gid_t			 gid;
	const char		*chroot;
};

/* What the control process keeps open across fork (malloc'ed, *n). */
int	*control_keep(const struct control_args *, unsigned *n);
void	control_main(const struct control_args *) NORETURN;

#endif
