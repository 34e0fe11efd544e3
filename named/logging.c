/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * Log channels: files (with BIND's versions and size rotation), syslog
 * and stderr. Only the parent writes them; children send their lines as
 * MSG_LOG, so a sandboxed child needs no file of its own.
 * Runs in: apex-named parent.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <sys/time.h>

#include "error.h"
#include "logging.h"

struct channel {
	const struct conf_channel	*c;
	int				 fd;	/* LOGD_FILE */
	uint64_t			 size;	/* bytes written so far */
};

static struct logging_state {
	struct channel	*ch;
	unsigned	 nch;
	const struct conf_logging *conf;
	bool		 to_stderr;
} l;

static const char *const level_names[] = { "error", "warning", "info",
    "debug" };

static void
channel_open(struct channel *ch)
{
	struct stat st;

	ch->fd = open(ch->c->file, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC,
	    0640);
	if (ch->fd < 0) {
		fprintf(stderr, "logging: channel %s: %s: %s\n", ch->c->name,
		    ch->c->file, strerror(errno));
		return;
	}
	ch->size = fstat(ch->fd, &st) == 0 ? (uint64_t)st.st_size : 0;
}

/* BIND's rotation: file -> file.0 -> file.1 ...; versions old files are
 * kept, the oldest goes. */
static void
channel_rotate(struct channel *ch)
{
	const char *f = ch->c->file;
	size_t n = strlen(f) + 16;
	char *from = xmalloc(n), *to = xmalloc(n);

	for (unsigned v = ch->c->versions - 1; ch->c->versions > 0 && v > 0;
	    v--) {
		snprintf(from, n, "%s.%u", f, v - 1);
		snprintf(to, n, "%s.%u", f, v);
		(void)rename(from, to);
	}
	snprintf(to, n, "%s.0", f);
	if (ch->c->versions > 0)
		(void)rename(f, to);
	else
		(void)unlink(f);
	free(from);
	free(to);
	close(ch->fd);
	channel_open(ch);
}

static void
channel_write(struct channel *ch, enum log_category cat,
    enum log_level level, const char *line)
{
	const struct conf_channel *c = ch->c;
	char buf[2400], stamp[64] = "";
	size_t o = 0;

	if ((int)level > c->severity)
		return;
	switch (c->dest) {
	case LOGD_NULL:
		return;
	case LOGD_SYSLOG: {
		static const int prio[] = { LOG_ERR, LOG_WARNING, LOG_INFO,
		    LOG_DEBUG };
		syslog(c->facility | prio[level], "%s", line);
		return;
	}
	case LOGD_STDERR:
	case LOGD_FILE:
		break;
	}
	if (c->print_time || c->dest == LOGD_STDERR) {
		struct timeval tv;
		struct tm tm;
		gettimeofday(&tv, NULL);
		localtime_r(&tv.tv_sec, &tm);
		strftime(stamp, sizeof(stamp), "%d-%b-%Y %H:%M:%S", &tm);
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s.%03ld ",
		    stamp, (long)tv.tv_usec / 1000);
	}
	if (c->print_category)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s: ",
		    log_category_name(cat));
	if (c->print_severity)
		o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s: ",
		    level_names[level]);
	o += (size_t)snprintf(buf + o, sizeof(buf) - o, "%s\n", line);
	if (o >= sizeof(buf))
		o = sizeof(buf) - 1;
	int fd = c->dest == LOGD_STDERR ? STDERR_FILENO : ch->fd;
	if (fd < 0 || write(fd, buf, o) < 0)
		return;
	if (c->dest == LOGD_FILE) {
		ch->size += o;
		if (c->size > 0 && ch->size >= c->size)
			channel_rotate(ch);
	}
}

void
logging_write(enum log_category cat, enum log_level level, const char *line)
{
	if (l.to_stderr || l.conf == NULL) {
		log_stderr_line(line);
		return;
	}
	const struct conf_logging *cl = l.conf;
	unsigned c = cat < LOGC_MAX ? (unsigned)cat : LOGC_DEFAULT;
	if (cl->ncat[c] == 0)
		c = LOGC_DEFAULT;
	if (cl->ncat[c] == 0) {
		/* Nothing configured: BIND's default_syslog. */
		channel_write(&l.ch[0], cat, level, line);
		return;
	}
	for (unsigned i = 0; i < cl->ncat[c]; i++)
		channel_write(&l.ch[cl->cat[c][i]], cat, level, line);
}

void
logging_setup(const struct conf *cf, bool to_stderr)
{
	for (unsigned i = 0; i < l.nch; i++)
		if (l.ch[i].fd >= 0)
			close(l.ch[i].fd);
	free(l.ch);
	l.to_stderr = to_stderr;
	l.conf = &cf->logging;
	l.nch = cf->logging.nchannels;
	l.ch = xcalloc(l.nch + 1, sizeof(*l.ch));
	for (unsigned i = 0; i < l.nch; i++) {
		l.ch[i].c = &cf->logging.channels[i];
		l.ch[i].fd = -1;
		if (!to_stderr && l.ch[i].c->dest == LOGD_FILE)
			channel_open(&l.ch[i]);
	}
	log_set_sink(logging_write);
}

void
logging_reopen(void)
{
	for (unsigned i = 0; i < l.nch; i++)
		if (l.ch[i].c->dest == LOGD_FILE && !l.to_stderr) {
			if (l.ch[i].fd >= 0)
				close(l.ch[i].fd);
			channel_open(&l.ch[i]);
		}
}

int
logging_from_child(struct msg *m)
{
	uint32_t cat, level, len;

	if (msg_get_u32(m, &cat) != 0 || msg_get_u32(m, &level) != 0 ||
	    msg_get_u32(m, &len) != 0 || cat >= LOGC_MAX ||
	    level > LOG_LEVEL_DEBUG || len != m->hdr.len - m->pos)
		return APEX_EMALF;
	/* Lines arrive one per message, or many ('\n'-separated) from the
	 * query log. */
	char *text = (char *)m->payload + m->pos;
	const char *end = text + len;
	m->pos = m->hdr.len;
	while (text < end) {
		char line[2100];
		const char *nl = memchr(text, '\n', (size_t)(end - text));
		size_t n = (size_t)((nl ? nl : end) - text);
		if (n >= sizeof(line))
			n = sizeof(line) - 1;
		memcpy(line, text, n);
		line[n] = '\0';
		for (size_t i = 0; i < n; i++)
			if ((unsigned char)line[i] < 0x20)
				line[i] = '?';	/* no control characters */
		if (n > 0)
			logging_write(cat, level, line);
		text = nl ? (char *)nl + 1 : (char *)end;
	}
	return 0;
}
