/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * Zone file loading: libzscanner for records, plus $INCLUDE and
 * $GENERATE, which are recognised here at the start of a line outside
 * parentheses and quotes, then fed to the scanner as text.
 * Runs in: loader, apex-named -C.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include <libzscanner/scanner.h>

#include "dname.h"
#include "error.h"
#include "rr.h"
#include "zone.h"
#include "zonefile.h"

#define ZF_MAX_INCLUDE	16
#define ZF_MAX_FILES	255
#define ZF_MAX_GENERATE	(1L << 24)	/* records per $GENERATE */
#define ZF_MAX_ERRORS	100
/* libzscanner gives records without a TTL the default it was handed;
 * this value marks "no $TTL yet" so RFC 1035 rules can apply. */
#define TTL_UNSET	UINT32_MAX

struct zf_ctx {
	const struct zonefile_opts	*opts;
	struct zone_builder		*zb;
	char				*files[ZF_MAX_FILES];
	unsigned			 nfiles;
	unsigned			 cur;		/* current file */
	unsigned			 errors;
	unsigned			 depth;
	bool				 have_ttl;	/* an explicit TTL */
	bool				 soa_ttl;	/* SOA MINIMUM rules */
	uint32_t			 last_ttl;
	bool				 stop;
	bool				 unreadable;	/* the zone file */
};

static uint32_t
make_tag(unsigned file, uint64_t line)
{
	return (uint32_t)file << 24 | (uint32_t)(line > 0xffffff ? 0xffffff :
	    line);
}

static void PRINTF(4, 5)
zf_report(struct zf_ctx *c, unsigned file, uint64_t line, const char *fmt,
    ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	c->errors++;
	if (c->errors > ZF_MAX_ERRORS) {
		c->stop = true;
		return;
	}
	if (c->opts->report != NULL)
		c->opts->report(c->opts->arg, c->files[file], (unsigned)line,
		    true, c->errors == ZF_MAX_ERRORS ?
		    "too many errors; giving up" : msg);
}

static void
zf_warn(struct zf_ctx *c, unsigned file, uint64_t line, const char *msg)
{
	if (c->opts->report != NULL)
		c->opts->report(c->opts->arg, c->files[file], (unsigned)line,
		    false, msg);
}

/* Builder problems carry the tag of the record involved. */
static void
zb_report_cb(void *arg, uint32_t tag, bool error, const char *msg)
{
	struct zf_ctx *c = arg;
	unsigned file = tag >> 24, line = tag & 0xffffff;

	if (error)
		zf_report(c, file, line, "%s", msg);
	else
		zf_warn(c, file, line, msg);
}

static uint32_t
soa_minimum(const zs_scanner_t *s)
{
	size_t pos = 0;

	for (int k = 0; k < 2; k++) {
		int l = dname_scan(s->r_data + pos, s->r_data_length - pos,
		    NULL);
		if (l < 0)
			return 0;
		pos += (size_t)l;
	}
	return pos + 20 <= s->r_data_length ? get32(s->r_data + pos + 16) : 0;
}

static void
zs_record_cb(zs_scanner_t *s)
{
	struct zf_ctx *c = s->process.data;
	uint32_t ttl = s->r_ttl;
	char tstr[16];

	if (c->stop) {
		s->state = ZS_STATE_STOP;
		return;
	}
	if (s->r_class != c->opts->rclass) {
		zf_report(c, c->cur, s->line_counter, "class mismatch (%u)",
		    s->r_class);
		return;
	}
	if (rr_type_is_meta(s->r_type) || s->r_type == 0) {
		zf_report(c, c->cur, s->line_counter,
		    "type %s cannot appear in a zone",
		    rr_type_str(s->r_type, tstr));
		return;
	}
	if (ttl == TTL_UNSET) {
		/* No $TTL: RFC 1035 5.1 takes the last explicit TTL. An SOA
		 * without a TTL makes its MINIMUM the default instead, as
		 * in BIND. */
		if (c->have_ttl)
			ttl = c->last_ttl;
		else if (s->r_type == TYPE_SOA) {
			ttl = soa_minimum(s);
			c->have_ttl = c->soa_ttl = true;
			c->last_ttl = ttl;
			zf_warn(c, c->cur, s->line_counter,
			    "no TTL specified; using SOA MINTTL instead");
		} else {
			zf_report(c, c->cur, s->line_counter,
			    "no TTL specified; zone rejected");
			return;
		}
	} else if (s->default_ttl == TTL_UNSET && !c->soa_ttl) {
		c->have_ttl = true;
		c->last_ttl = ttl;
	}
	if (ttl > 0x7fffffff) {
		/* RFC 2181 8: treat as zero. */
		zf_warn(c, c->cur, s->line_counter,
		    "TTL above 2147483647 set to 0 (RFC 2181 8)");
		ttl = 0;
	}
	int rc = zone_builder_add(c->zb, s->r_owner, s->r_type, ttl, s->r_data,
	    s->r_data_length, make_tag(c->cur, s->line_counter));
	if (rc == APEX_ELIMIT) {
		/* Reported by the builder. */
		c->stop = true;
		s->state = ZS_STATE_STOP;
	}
}

static void
zs_error_cb(zs_scanner_t *s)
{
	struct zf_ctx *c = s->process.data;

	zf_report(c, c->cur, s->line_counter, "%s", zs_strerror(s->error.code));
	if (c->stop)
		s->state = ZS_STATE_STOP;
}

/* Feeds text that starts at line `line` to the scanner. */
static int
zf_feed(struct zf_ctx *c, zs_scanner_t *s, const char *text, size_t len,
    uint64_t line)
{
	if (len == 0)
		return 0;
	s->line_counter = line;
	if (zs_set_input_string(s, text, len) != 0) {
		zf_report(c, c->cur, line, "%s", zs_strerror(s->error.code));
		return -1;
	}
	(void)zs_parse_all(s);
	if (s->error.fatal || c->stop)
		return -1;
	/* A non-fatal error leaves the scanner ready for more input. */
	s->error.counter = 0;
	return 0;
}

/* ---- $GENERATE ---------------------------------------------------- */

static int
put_num(char *out, size_t outlen, size_t *o, long v, unsigned width,
    char base)
{
	char tmp[256];
	int n;

	switch (base) {
	case 'd':
		n = snprintf(tmp, sizeof(tmp), "%0*ld", (int)width, v);
		break;
	case 'o':
		n = snprintf(tmp, sizeof(tmp), "%0*lo", (int)width, v);
		break;
	case 'x':
		n = snprintf(tmp, sizeof(tmp), "%0*lx", (int)width, v);
		break;
	case 'X':
		n = snprintf(tmp, sizeof(tmp), "%0*lX", (int)width, v);
		break;
	case 'n':
	case 'N': {
		/* Nibbles, least significant first, each followed by a dot;
		 * the output is cut to the natural length (no final dot) or
		 * to width characters if that is more, as BIND does. */
		unsigned long u = (unsigned long)v;
		int natural = 0;
		n = 0;
		while (n + 2 < (int)sizeof(tmp) && (u != 0 || n == 0 ||
		    n < (int)width)) {
			tmp[n++] = (base == 'n' ? "0123456789abcdef" :
			    "0123456789ABCDEF")[u & 0xf];
			if (u != 0 || n == 1)
				natural = n;
			u >>= 4;
			tmp[n++] = '.';
		}
		if (n + 2 >= (int)sizeof(tmp))
			return APEX_ESYNTAX;
		n = natural > (int)width ? natural : (int)width;
		tmp[n] = '\0';
		break;
	}
	default:
		return APEX_ESYNTAX;
	}
	if (n < 0 || (size_t)n >= sizeof(tmp) || *o + (size_t)n >= outlen)
		return APEX_ESYNTAX;
	memcpy(out + *o, tmp, (size_t)n);
	*o += (size_t)n;
	return 0;
}

int
zonefile_generate_subst(const char *t, long i, char *out, size_t outlen)
{
	size_t o = 0;

	while (*t != '\0') {
		if (*t == '\\' && t[1] == '$') {
			if (o + 1 >= outlen)
				return APEX_ESYNTAX;
			out[o++] = '$';
			t += 2;
			continue;
		}
		if (*t != '$') {
			if (o + 1 >= outlen)
				return APEX_ESYNTAX;
			out[o++] = *t++;
			continue;
		}
		t++;
		long offset = 0;
		unsigned long width = 0;
		char base = 'd';
		if (*t == '{') {
			char *end;
			const char *close = strchr(t, '}');
			if (close == NULL)
				return APEX_ESYNTAX;
			offset = strtol(t + 1, &end, 10);
			/* Iterators stay below 2^31 (see zf_generate); so
			 * must offsets, so that the sum cannot overflow. */
			if (end == t + 1 || offset > INT32_MAX ||
			    offset < -(long)INT32_MAX)
				return APEX_ESYNTAX;
			if (*end == ',') {
				const char *w = end + 1;
				width = strtoul(w, &end, 10);
				if (end == w || width > 255)
					return APEX_ESYNTAX;
				if (*end == ',') {
					base = end[1];
					end += 2;
				}
			}
			if (end != close)
				return APEX_ESYNTAX;
			t = close + 1;
		}
		if (put_num(out, outlen, &o, i + offset, (unsigned)width,
		    base) != 0)
			return APEX_ESYNTAX;
	}
	out[o] = '\0';
	return 0;
}

static bool
is_ttl_token(const char *s)
{
	if (!isdigit((unsigned char)*s))
		return false;
	for (; *s != '\0'; s++)
		if (!isdigit((unsigned char)*s) && !strchr("sSmMhHdDwW", *s))
			return false;
	return true;
}

static bool
is_class_token(const char *s)
{
	return strcasecmp(s, "IN") == 0 || strcasecmp(s, "CH") == 0 ||
	    strcasecmp(s, "HS") == 0 || strncasecmp(s, "CLASS", 5) == 0;
}

static char	*next_token(char **);

/*
 * $GENERATE start-stop[/step] lhs [ttl] [class] type rhs [; comment]
 * lhs and rhs are single tokens; quotes group words and are removed, as
 * BIND does, so a multi-word rhs ("10 mail$") must be quoted.
 */
static int
zf_generate(struct zf_ctx *c, zs_scanner_t *s, char *line, uint64_t lineno)
{
	char *p = line + strlen("$GENERATE"), *range, *lhs, *rhs, *t;
	char mid[128] = "";

	range = next_token(&p);
	lhs = next_token(&p);
	for (;;) {
		t = next_token(&p);
		if (t == NULL || strlen(mid) + strlen(t) + 2 >= sizeof(mid))
			goto bad;
		strcat(mid, " ");
		strcat(mid, t);
		if (!is_ttl_token(t) && !is_class_token(t))
			break;	/* that was the type */
	}
	rhs = next_token(&p);
	if (range == NULL || lhs == NULL || rhs == NULL) {
bad:
		zf_report(c, c->cur, lineno, "$GENERATE: expected range, "
		    "owner, type and rdata");
		return 0;
	}
	long start, stop, step = 1;
	char *end;
	start = strtol(range, &end, 10);
	if (*end == '-')
		stop = strtol(end + 1, &end, 10);
	else
		stop = -1;
	if (*end == '/')
		step = strtol(end + 1, &end, 10);
	if (*end != '\0' || start < 0 || stop < start || step <= 0 ||
	    stop > INT32_MAX || step > INT32_MAX) {
		zf_report(c, c->cur, lineno, "$GENERATE: bad range '%s'",
		    range);
		return 0;
	}
	if ((stop - start) / step >= ZF_MAX_GENERATE) {
		zf_report(c, c->cur, lineno, "$GENERATE: range too large");
		return 0;
	}
	for (long i = start; i <= stop; i += step) {
		char l[1024], r[4096], rec[5200];
		if (zonefile_generate_subst(lhs, i, l, sizeof(l)) != 0 ||
		    zonefile_generate_subst(rhs, i, r, sizeof(r)) != 0) {
			zf_report(c, c->cur, lineno,
			    "$GENERATE: bad template");
			return 0;
		}
		int len = snprintf(rec, sizeof(rec), "%s%s %s\n", l, mid, r);
		if (len < 0 || (size_t)len >= sizeof(rec)) {
			zf_report(c, c->cur, lineno,
			    "$GENERATE: line too long");
			return 0;
		}
		if (zf_feed(c, s, rec, (size_t)len, lineno) != 0)
			return -1;
	}
	return 0;
}

/* ---- files and $INCLUDE ------------------------------------------ */

static int	zf_parse_file(struct zf_ctx *, const char *path,
		    const char *shown, const uint8_t *origin,
		    uint32_t default_ttl, unsigned from_file,
		    uint64_t from_line);

/* Next whitespace-separated token, honouring (and removing) double
 * quotes; NULL at the end of the line or at a comment. */
static char *
next_token(char **pp)
{
	char *p = *pp, *t;

	while (*p == ' ' || *p == '\t')
		p++;
	if (*p == '\0' || *p == ';')
		return NULL;
	if (*p == '"') {
		/* Inside quotes \" and \\ stand for themselves; other
		 * escapes stay for the scanner. */
		char *o = t = ++p;
		while (*p != '\0' && *p != '"') {
			if (*p == '\\' && (p[1] == '"' || p[1] == '\\'))
				p++;
			else if (*p == '\\' && p[1] != '\0')
				*o++ = *p++;
			*o++ = *p++;
		}
		char *q = o;
		if (*p != '\0')
			p++;
		*q = '\0';
		*pp = p;
		return t;
	} else {
		t = p;
		while (*p != '\0' && *p != ' ' && *p != '\t')
			p++;
	}
	if (*p != '\0')
		*p++ = '\0';
	*pp = p;
	return t;
}

static int
zf_include(struct zf_ctx *c, zs_scanner_t *s, char *line, uint64_t lineno)
{
	char *p = line + strlen("$INCLUDE");
	char *file = next_token(&p), *org = next_token(&p);
	uint8_t cur[DNAME_MAXLEN], origin[DNAME_MAXLEN];

	if (file == NULL) {
		zf_report(c, c->cur, lineno, "$INCLUDE: missing file name");
		return 0;
	}
	memcpy(cur, s->zone_origin, s->zone_origin_length);
	if (org != NULL) {
		if (dname_from_str(org, cur, origin) < 0) {
			zf_report(c, c->cur, lineno,
			    "$INCLUDE: bad origin '%s'", org);
			return 0;
		}
	} else
		memcpy(origin, cur, s->zone_origin_length);
	char path[4096];
	if (file[0] != '/' && c->opts->directory != NULL)
		snprintf(path, sizeof(path), "%s/%s", c->opts->directory, file);
	else
		snprintf(path, sizeof(path), "%s", file);
	unsigned saved = c->cur;
	int rc = zf_parse_file(c, path, file, origin, s->default_ttl, c->cur,
	    lineno);
	c->cur = saved;
	return rc;
}

/* Which directive, if any, starts at p (only $INCLUDE and $GENERATE). */
static int
directive_at(const char *p, const char *end)
{
	static const char *const names[] = { "$INCLUDE", "$GENERATE" };

	for (int i = 0; i < 2; i++) {
		size_t n = strlen(names[i]);
		if ((size_t)(end - p) > n && strncasecmp(p, names[i], n) == 0 &&
		    (p[n] == ' ' || p[n] == '\t'))
			return i + 1;
	}
	return 0;
}

/*
 * Splits the text at $INCLUDE and $GENERATE lines. Lines are tracked
 * here so errors carry the right number whatever was fed in between.
 */
static int
zf_parse_text(struct zf_ctx *c, zs_scanner_t *s, const char *text,
    size_t len)
{
	static uint8_t special[256];
	const char *p = text, *end = text + len, *chunk = text;
	uint64_t line = 1, chunk_line = 1;
	int depth = 0;
	bool quoted = false;

	special['\n'] = special['"'] = special['\\'] = special[';'] = 1;
	special['('] = special[')'] = 1;
	while (p < end) {
		if (*p == '$' && depth == 0 && !quoted &&
		    (p == text || p[-1] == '\n')) {
			int d = directive_at(p, end);
			if (d != 0) {
				if (zf_feed(c, s, chunk, (size_t)(p - chunk),
				    chunk_line) != 0)
					return -1;
				const char *eol = memchr(p, '\n',
				    (size_t)(end - p));
				if (eol == NULL)
					eol = end;
				char *dl = strndup(p, (size_t)(eol - p));
				if (dl == NULL)
					return -1;
				int rc = d == 1 ? zf_include(c, s, dl, line) :
				    zf_generate(c, s, dl, line);
				free(dl);
				if (rc != 0 || c->stop)
					return -1;
				p = eol < end ? eol + 1 : end;
				line++;
				chunk = p;
				chunk_line = line;
				continue;
			}
		}
		while (p < end && !special[(unsigned char)*p])
			p++;
		if (p >= end)
			break;
		switch (*p) {
		case '\n':
			line++;
			break;
		case '"':
			quoted = !quoted;
			break;
		case '\\':
			if (p + 1 < end) {
				p++;
				if (*p == '\n')
					line++;
			}
			break;
		case ';':
			if (!quoted) {
				while (p + 1 < end && p[1] != '\n')
					p++;
			}
			break;
		case '(':
			if (!quoted)
				depth++;
			break;
		case ')':
			if (!quoted && depth > 0)
				depth--;
			break;
		}
		p++;
	}
	return zf_feed(c, s, chunk, (size_t)(end - chunk), chunk_line);
}

static int
zf_parse_file(struct zf_ctx *c, const char *path, const char *shown,
    const uint8_t *origin, uint32_t default_ttl, unsigned from_file,
    uint64_t from_line)
{
	char ostr[DNAME_STRLEN];
	int fd, rc = -1;
	struct stat st;

	if (c->depth >= ZF_MAX_INCLUDE || c->nfiles >= ZF_MAX_FILES) {
		zf_report(c, from_file, from_line,
		    "$INCLUDE nested too deeply");
		return -1;
	}
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0 || fstat(fd, &st) < 0 ||
	    !S_ISREG(st.st_mode)) {
		int e = fd < 0 ? errno : EINVAL;
		if (c->nfiles == 0) {
			c->files[c->nfiles++] = xstrdup(path);
			c->unreadable = true;
			zf_report(c, 0, 0, "%s", strerror(e));
		} else
			zf_report(c, from_file, from_line,
			    "$INCLUDE %s: %s", shown, strerror(e));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	c->cur = c->nfiles;
	c->files[c->nfiles++] = xstrdup(path);
	zs_scanner_t *s = xmalloc(sizeof(*s));
	if (zs_init(s, dname_to_str(origin, ostr, sizeof(ostr)),
	    c->opts->rclass, default_ttl) != 0 ||
	    zs_set_processing(s, zs_record_cb, zs_error_cb, c) != 0) {
		zf_report(c, c->cur, 0, "scanner: %s",
		    zs_strerror(s->error.code));
		goto out;
	}
	c->depth++;
	if (st.st_size == 0)
		rc = 0;
	else {
		void *m = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_PRIVATE,
		    fd, 0);
		if (m == MAP_FAILED)
			zf_report(c, c->cur, 0, "mmap: %s", strerror(errno));
		else {
			(void)madvise(m, (size_t)st.st_size, MADV_SEQUENTIAL);
			rc = zf_parse_text(c, s, m, (size_t)st.st_size);
			munmap(m, (size_t)st.st_size);
		}
	}
	c->depth--;
out:
	zs_deinit(s);
	free(s);
	close(fd);
	return rc;
}

int
zonefile_load(const char *path, const uint8_t *origin,
    const struct zonefile_opts *opts, void **blob, size_t *size)
{
	struct zf_ctx *c = xcalloc(1, sizeof(*c));
	int rc;

	*blob = NULL;
	*size = 0;
	c->opts = opts;
	c->zb = zone_builder_new(origin, opts->rclass, zb_report_cb, c);
	zone_builder_set_limits(c->zb, opts->max_records_per_type,
	    opts->max_types_per_name, opts->max_records);
	(void)zf_parse_file(c, path, path, origin, TTL_UNSET, 0, 0);
	if (c->unreadable)
		rc = APEX_EIO;
	else if (c->errors > 0)
		rc = APEX_EZONE;
	else {
		rc = zone_builder_finish(c->zb, blob, size);
		if (rc != 0 && rc != APEX_EZONE)
			zf_report(c, 0, 0, "%s", apex_strerror(rc));
		if (rc != 0)
			rc = APEX_EZONE;
	}
	zone_builder_free(c->zb);
	for (unsigned i = 0; i < c->nfiles; i++)
		free(c->files[i]);
	free(c);
	return rc;
}
