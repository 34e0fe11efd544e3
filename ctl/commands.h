/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * apex-ctl's command table and the exchange with the control process.
 */
#ifndef APEX_CTL_COMMANDS_H
#define APEX_CTL_COMMANDS_H

#include <stdbool.h>

struct ctl_command_def {
	const char	*name;
	int		 command;	/* enum ctl_command */
	int		 arg;		/* 0: none, 1: optional, 2: required,
					 * 3: one or more words */
	const char	*argname;
	const char	*help;
	bool		 hidden;
};

/* The command called name, or NULL. */
const struct ctl_command_def	*ctl_find(const char *name);
void	ctl_usage(void);

/*
 * Sends one request to the server at path and prints the reply.
 * Returns: the exit status (0 ok, 1 otherwise).
 */
int	ctl_run(const char *path, const struct ctl_command_def *cmd,
	    const char *arg, bool json);

#endif
