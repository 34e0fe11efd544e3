/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * Query workers: answer UDP and TCP queries from mapped zone images.
 */
#ifndef APEX_WORKER_H
#define APEX_WORKER_H

#include <stdbool.h>
#include <sys/types.h>

#include "conf.h"
#include "stats.h"
#include "tsig.h"
#include "util.h"

/* What the parent hands a worker at fork time. */
struct worker_args {
	unsigned		 index;
	unsigned		 nworkers;
	const struct conf	*conf;
	int			 parent;	/* IPC socket to the parent */
	const int		*udp;		/* its UDP sockets */
	unsigned		 nudp;
	const int		*tcp;		/* its TCP listeners */
	unsigned		 ntcp;
	const int		*zone_fd;	/* per conf zone, -1: none */
	unsigned		 nzones;
	int			 stats_fd;	/* its counter block */
	const struct tsig_keyring *keys;
	bool			 querylog;
	uid_t			 uid;		/* 0: keep */
	gid_t			 gid;
	const char		*chroot;	/* NULL: none */
};

/* What a worker keeps open across fork (malloc'ed, *n). */
int	*worker_keep(const struct worker_args *, unsigned *n);
/* Runs the worker until the parent retires it or goes away. */
void	worker_main(const struct worker_args *) NORETURN;

#endif
