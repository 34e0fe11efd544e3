/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * Logging. Every process calls log_init() with its role name once; lines
 * then read "role: subject: problem[: cause]". Output goes to stderr
 * (foreground, -g) or to syslog. fatal() and fatalx() log and exit(1).
 */
#ifndef APEX_LOG_H
#define APEX_LOG_H

#include <stdbool.h>
#include <stdarg.h>

#include "util.h"

enum log_level {
	LOG_LEVEL_ERR,
	LOG_LEVEL_WARN,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG,
};

/* Sets the role prefix; to_stderr selects stderr over syslog. */
void	log_init(const char *role, bool to_stderr);
/* Changes only the role prefix (after fork). */
void	log_set_role(const char *role);
/* Plain lines on stderr: no time, no role (apex-named -C). */
void	log_set_plain(bool plain);
/* Messages above level are dropped. The default is LOG_LEVEL_INFO. */
void	log_set_level(enum log_level level);
bool	log_debug_enabled(void);

void	log_warn(const char *, ...) PRINTF(1, 2);	/* appends errno */
void	log_warnx(const char *, ...) PRINTF(1, 2);
void	log_info(const char *, ...) PRINTF(1, 2);
void	log_debug(const char *, ...) PRINTF(1, 2);
void	fatal(const char *, ...) PRINTF(1, 2) NORETURN;	/* appends errno */
void	fatalx(const char *, ...) PRINTF(1, 2) NORETURN;

#endif
