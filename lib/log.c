/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * Logging to stderr with a timestamp, or to syslog(3).
 * Runs in: every process.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include <sys/time.h>

#include "log.h"

static struct {
	const char	*role;
	bool		 to_stderr;
	bool		 plain;
	enum log_level	 level;
} log_state = { "apex", true, false, LOG_LEVEL_INFO };

void
log_set_plain(bool plain)
{
	log_state.plain = plain;
}

void
log_init(const char *role, bool to_stderr)
{
	log_state.role = role;
	log_state.to_stderr = to_stderr;
	if (!to_stderr)
		openlog("apex", LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void
log_set_role(const char *role)
{
	log_state.role = role;
}

void
log_set_level(enum log_level level)
{
	log_state.level = level;
}

bool
log_debug_enabled(void)
{
	return log_state.level >= LOG_LEVEL_DEBUG;
}

static void
log_vwrite(enum log_level level, const char *fmt, va_list ap, int errnum)
{
	static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO,
	    LOG_DEBUG };
	char msg[2048], stamp[64];
	struct timeval tv;
	struct tm tm;
	size_t n;

	if (level > log_state.level)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (errnum != 0) {
		n = strlen(msg);
		snprintf(msg + n, sizeof(msg) - n, ": %s", strerror(errnum));
	}
	if (!log_state.to_stderr) {
		syslog(prio[level], "%s: %s", log_state.role, msg);
		return;
	}
	if (log_state.plain) {
		char line[2100];
		int len = snprintf(line, sizeof(line), "%s\n", msg);
		if (len > 0)
			(void)write(STDERR_FILENO, line, (size_t)len <
			    sizeof(line) ? (size_t)len : sizeof(line) - 1);
		return;
	}
	gettimeofday(&tv, NULL);
	localtime_r(&tv.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%d-%b-%Y %H:%M:%S", &tm);
	/* One write per line so lines of concurrent processes do not mix. */
	char line[2200];
	int len = snprintf(line, sizeof(line), "%s.%03ld %s: %s\n", stamp,
	    (long)tv.tv_usec / 1000, log_state.role, msg);
	if (len > 0)
		(void)write(STDERR_FILENO, line, (size_t)len < sizeof(line) ?
		    (size_t)len : sizeof(line) - 1);
}

#define LOG_BODY(level, errnum) do {		\
	va_list ap;				\
	va_start(ap, fmt);			\
	log_vwrite(level, fmt, ap, errnum);	\
	va_end(ap);				\
} while (0)

void
log_warn(const char *fmt, ...)
{
	int saved = errno;

	LOG_BODY(LOG_LEVEL_WARN, saved);
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	LOG_BODY(LOG_LEVEL_WARN, 0);
}

void
log_info(const char *fmt, ...)
{
	LOG_BODY(LOG_LEVEL_INFO, 0);
}

void
log_debug(const char *fmt, ...)
{
	LOG_BODY(LOG_LEVEL_DEBUG, 0);
}

void
fatal(const char *fmt, ...)
{
	int saved = errno;

	LOG_BODY(LOG_LEVEL_ERR, saved);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	LOG_BODY(LOG_LEVEL_ERR, 0);
	exit(1);
}
