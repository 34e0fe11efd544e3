/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * Logging to stderr with a timestamp, to syslog(3), or to a sink.
 * Runs in: every process.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
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
	log_sink_fn	*sink;
} log_state = { "apex", true, false, LOG_LEVEL_INFO, NULL };

static const char *const category_names[LOGC_MAX] = {
	[LOGC_DEFAULT] = "default",
	[LOGC_GENERAL] = "general",
	[LOGC_QUERIES] = "queries",
	[LOGC_XFER_IN] = "xfer-in",
	[LOGC_XFER_OUT] = "xfer-out",
	[LOGC_NOTIFY] = "notify",
	[LOGC_SECURITY] = "security",
	[LOGC_CONFIG] = "config",
	[LOGC_NETWORK] = "network",
	[LOGC_RATE_LIMIT] = "rate-limit",
	[LOGC_UPDATE] = "update",
	[LOGC_UPDATE_SECURITY] = "update-security",
	[LOGC_DNSSEC] = "dnssec",
};

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
log_set_plain(bool plain)
{
	log_state.plain = plain;
}

void
log_set_sink(log_sink_fn *fn)
{
	log_state.sink = fn;
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

const char *
log_category_name(enum log_category c)
{
	return c < LOGC_MAX ? category_names[c] : "default";
}

int
log_category_from_name(const char *name)
{
	for (int i = 0; i < LOGC_MAX; i++)
		if (strcasecmp(name, category_names[i]) == 0)
			return i;
	return -1;
}

void
log_stderr_line(const char *line)
{
	char stamp[64], out[2200];
	struct timeval tv;
	struct tm tm;

	gettimeofday(&tv, NULL);
	localtime_r(&tv.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%d-%b-%Y %H:%M:%S", &tm);
	/* One write per line so lines of concurrent processes do not mix. */
	int len = snprintf(out, sizeof(out), "%s.%03ld %s\n", stamp,
	    (long)tv.tv_usec / 1000, line);
	if (len > 0)
		(void)write(STDERR_FILENO, out, (size_t)len < sizeof(out) ?
		    (size_t)len : sizeof(out) - 1);
}

static void
log_vwrite(enum log_category cat, enum log_level level, const char *fmt,
    va_list ap, int errnum)
{
	static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO,
	    LOG_DEBUG };
	char msg[2048], line[2100];
	size_t n;

	if (level > log_state.level)
		return;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	if (errnum != 0) {
		n = strlen(msg);
		snprintf(msg + n, sizeof(msg) - n, ": %s", strerror(errnum));
	}
	if (log_state.plain) {
		int len = snprintf(line, sizeof(line), "%s\n", msg);
		if (len > 0)
			(void)write(STDERR_FILENO, line, (size_t)len <
			    sizeof(line) ? (size_t)len : sizeof(line) - 1);
		return;
	}
	/* Query log lines are BIND's format: no role in front. */
	if (cat == LOGC_QUERIES)
		snprintf(line, sizeof(line), "%s", msg);
	else
		snprintf(line, sizeof(line), "%s: %s", log_state.role, msg);
	if (log_state.sink != NULL)
		log_state.sink(cat, level, line);
	else if (log_state.to_stderr)
		log_stderr_line(line);
	else
		syslog(prio[level], "%s", line);
}

#define LOG_BODY(cat, level, errnum) do {		\
	va_list ap;					\
	va_start(ap, fmt);				\
	log_vwrite(cat, level, fmt, ap, errnum);	\
	va_end(ap);					\
} while (0)

void
log_warn(const char *fmt, ...)
{
	int saved = errno;

	LOG_BODY(LOGC_GENERAL, LOG_LEVEL_WARN, saved);
	errno = saved;
}

void
log_warnx(const char *fmt, ...)
{
	LOG_BODY(LOGC_GENERAL, LOG_LEVEL_WARN, 0);
}

void
log_info(const char *fmt, ...)
{
	LOG_BODY(LOGC_GENERAL, LOG_LEVEL_INFO, 0);
}

void
log_debug(const char *fmt, ...)
{
	LOG_BODY(LOGC_GENERAL, LOG_LEVEL_DEBUG, 0);
}

void
log_cat(enum log_category cat, enum log_level level, const char *fmt, ...)
{
	LOG_BODY(cat, level, 0);
}

void
fatal(const char *fmt, ...)
{
	int saved = errno;

	LOG_BODY(LOGC_GENERAL, LOG_LEVEL_ERR, saved);
	exit(1);
}

void
fatalx(const char *fmt, ...)
{
	LOG_BODY(LOGC_GENERAL, LOG_LEVEL_ERR, 0);
	exit(1);
}
