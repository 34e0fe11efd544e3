/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * The parent's side of logging: the channels of the logging statement
 * (files with rotation, syslog, stderr), and the lines children forward.
 */
#ifndef APEX_LOGGING_H
#define APEX_LOGGING_H

#include <stdbool.h>

#include "conf.h"
#include "log.h"
#include "msg.h"

/* Opens the channels of cf and routes this process's log through them;
 * with to_stderr (-g) every line goes to stderr, as in BIND. */
void	logging_setup(const struct conf *cf, bool to_stderr);
/* Closes and reopens every file channel (logrotate, apex-ctl reopen). */
void	logging_reopen(void);
void	logging_write(enum log_category, enum log_level, const char *line);
/* Writes the line(s) of a MSG_LOG from a child. Returns: 0 or
 * APEX_EMALF. */
int	logging_from_child(struct msg *m) MUST_CHECK;

#endif
