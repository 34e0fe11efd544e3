/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * The parent of apex-named: binds sockets, runs the loader, forks and
 * supervises the workers and the control process, drives reloads.
 */
#ifndef APEX_PARENT_H
#define APEX_PARENT_H

#include <stdbool.h>
#include <stdint.h>

#include "conf.h"
#include "util.h"

struct parent_args {
	struct conf	*conf;		/* ownership moves to the parent */
	const char	*conf_path;
	bool		 foreground;
	bool		 to_stderr;	/* -g */
	uint16_t	 port;		/* -p, 0: from the configuration */
	unsigned	 nworkers;	/* -n, 0: one per CPU */
	const char	*user;		/* -u, NULL: the default */
	bool		 user_given;
	const char	*chroot;	/* -t */
};

void	parent_main(const struct parent_args *) NORETURN;

#endif
