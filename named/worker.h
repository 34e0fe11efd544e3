/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * Query workers: answer UDP and TCP queries from mapped zone images.
 */
#ifndef APEX_WORKER_H
#define APEX_WORKER_H

#include <sys/types.h>

#include "conf.h"
#include "util.h"

/* What the parent hands a worker at fork time. */
struct worker_args {
	unsigned		 index;
	unsigned		 nworkers;
	const struct conf	*conf;
	const int		*udp;		/* this worker's UDP sockets */
	unsigned		 nudp;
	const int		*tcp;		/* its TCP listeners */
	unsigned		 ntcp;
	const int		*zone_fd;	/* per conf zone, -1: none */
	uid_t			 uid;		/* 0: keep */
	gid_t			 gid;
};

/* Runs the worker until the parent goes away. */
void	worker_main(const struct worker_args *) NORETURN;

#endif
