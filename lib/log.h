/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * Logging. Every process calls log_init() with its role name once; lines
 * then read "role: subject: problem[: cause]". Each message has a
 * category (BIND's: general, queries, xfer-in, ...) and a level. Where a
 * line goes is up to the sink: stderr with a timestamp (-g, the tests),
 * syslog, or a function a process installs: the parent writes to the
 * channels of the logging statement, children forward lines to the
 * parent. fatal() and fatalx() log and exit(1).
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

/* BIND's categories that apex logs in; LOGC_DEFAULT catches the rest. */
enum log_category {
	LOGC_DEFAULT,
	LOGC_GENERAL,
	LOGC_QUERIES,
	LOGC_XFER_IN,
	LOGC_XFER_OUT,
	LOGC_NOTIFY,
	LOGC_SECURITY,
	LOGC_CONFIG,
	LOGC_NETWORK,
	LOGC_RATE_LIMIT,
	LOGC_UPDATE,
	LOGC_UPDATE_SECURITY,
	LOGC_DNSSEC,
	LOGC_MAX,
};

/* A sink gets the finished line (role prefix, no time, no newline). */
typedef void	log_sink_fn(enum log_category, enum log_level,
		    const char *line);

/* Sets the role prefix; to_stderr selects stderr over syslog. */
void	log_init(const char *role, bool to_stderr);
/* Changes only the role prefix (after fork). */
void	log_set_role(const char *role);
/* Plain lines on stderr: no time, no role (apex-named -C). */
void	log_set_plain(bool plain);
/* Sends lines to fn instead (NULL: back to stderr or syslog). */
void	log_set_sink(log_sink_fn *fn);
/* Messages above level are dropped. The default is LOG_LEVEL_INFO. */
void	log_set_level(enum log_level level);
bool	log_debug_enabled(void);
const char	*log_category_name(enum log_category);
/* Returns: the category called name, or -1. */
int	log_category_from_name(const char *name);
/* The stderr form of a line: "27-Nov-2026 10:00:00.000 line". */
void	log_stderr_line(const char *line);

void	log_warn(const char *, ...) PRINTF(1, 2);	/* appends errno */
void	log_warnx(const char *, ...) PRINTF(1, 2);
void	log_info(const char *, ...) PRINTF(1, 2);
void	log_debug(const char *, ...) PRINTF(1, 2);
/* A message in a category other than general. */
void	log_cat(enum log_category, enum log_level, const char *, ...)
	    PRINTF(3, 4);
void	fatal(const char *, ...) PRINTF(1, 2) NORETURN;	/* appends errno */
void	fatalx(const char *, ...) PRINTF(1, 2) NORETURN;

#endif
