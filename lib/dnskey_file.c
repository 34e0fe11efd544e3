/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * DNSSEC keys in BIND's three files (see dnskey.h): reading and writing
 * .key, .private and .state, making keys, and finding a zone's keys in
 * a key directory. Text that held a private key is wiped before it is
 * freed.
 * Runs in: the signer, apex-named -C and apex-ctl.
 */
#include <sys/stat.h>
#include <sys/types.h>

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "base64.h"
#include "dname.h"
#include "dnskey.h"
#include "dnskey_priv.h"
#include "error.h"
#include "sbuf.h"
#include "util.h"

#define FILE_MAX	65536	/* the largest key file read */

/* .state names of the times, BIND's order; NULL: not kept there. */
static const char *state_time_tags[DKT_COUNT] = {
	[DKT_CREATED] = "Generated", [DKT_PUBLISH] = "Published",
	[DKT_ACTIVATE] = "Active", [DKT_INACTIVE] = "Retired",
	[DKT_DELETE] = "Removed", [DKT_DS_PUBLISH] = "DSPublish",
	[DKT_DS_DELETE] = "DSRemoved", [DKT_SYNCPUBLISH] = "PublishCDS",
	[DKT_SYNCDELETE] = "DeleteCDS", [DKT_DNSKEY_CHANGE] = "DNSKEYChange",
	[DKT_ZRRSIG_CHANGE] = "ZRRSIGChange",
	[DKT_KRRSIG_CHANGE] = "KRRSIGChange", [DKT_DS_CHANGE] = "DSChange",
};
/* The order BIND writes them in. */
static const enum dnskey_time state_time_order[] = {
	DKT_CREATED, DKT_PUBLISH, DKT_ACTIVATE, DKT_INACTIVE, DKT_DELETE,
	DKT_DS_PUBLISH, DKT_DS_DELETE, DKT_SYNCPUBLISH, DKT_SYNCDELETE,
	DKT_DNSKEY_CHANGE, DKT_ZRRSIG_CHANGE, DKT_KRRSIG_CHANGE,
	DKT_DS_CHANGE,
};
/* .private (and .key comment) names of the times. */
static const char *priv_time_tags[DKT_COUNT] = {
	[DKT_CREATED] = "Created", [DKT_PUBLISH] = "Publish",
	[DKT_ACTIVATE] = "Activate", [DKT_INACTIVE] = "Inactive",
	[DKT_DELETE] = "Delete", [DKT_DS_PUBLISH] = "DSPublish",
	[DKT_SYNCPUBLISH] = "SyncPublish", [DKT_SYNCDELETE] = "SyncDelete",
};
static const char *record_tags[DKR_COUNT] = {
	"DNSKEYState", "ZRRSIGState", "KRRSIGState", "DSState",
};

static void PRINTF(3, 4)
seterr(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (err == NULL || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* Days since 1970-01-01 of a proleptic Gregorian date. */
static int64_t
days_from_civil(int64_t y, unsigned m, unsigned d)
{
	y -= m <= 2;
	int64_t era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;

	return era * 146097 + (int64_t)doe - 719468;
}

/* BIND's YYYYMMDDHHMMSS (UTC). Returns: 0 or -1. */
static int
time_parse(const char *s, int64_t *t)
{
	unsigned v[6];
	static const unsigned w[6] = { 4, 2, 2, 2, 2, 2 };
	static const unsigned max[6] = { 9999, 12, 31, 23, 59, 60 };

	if (strlen(s) != 14)
		return -1;
	for (int i = 0; i < 6; i++) {
		v[i] = 0;
		for (unsigned j = 0; j < w[i]; j++, s++) {
			if (!isdigit((unsigned char)*s))
				return -1;
			v[i] = v[i] * 10 + (unsigned)(*s - '0');
		}
		if (v[i] > max[i] || (i > 0 && i < 3 && v[i] == 0))
			return -1;
	}
	*t = days_from_civil(v[0], v[1], v[2]) * 86400 + v[3] * 3600 +
	    v[4] * 60 + v[5];
	return 0;
}

/* "YYYYMMDDHHMMSS" and, if human, " (Wed Dec  2 06:55:27 2026)". */
static void
time_put(struct sbuf *sb, int64_t t, bool human)
{
	struct tm tm;
	time_t tt = (time_t)t;
	char a[32], b[40];

	if (gmtime_r(&tt, &tm) == NULL || tm.tm_year + 1900 > 9999 ||
	    tm.tm_year + 1900 < 0) {
		sbuf_printf(sb, "19700101000000");
		return;
	}
	/* Four digits of year always: %Y would write 999 for 999. */
	snprintf(a, sizeof(a), "%04d%02d%02d%02d%02d%02d", tm.tm_year + 1900,
	    tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	strftime(b, sizeof(b), "%a %b %e %H:%M:%S %Y", &tm);
	if (human)
		sbuf_printf(sb, "%s (%s)", a, b);
	else
		sbuf_printf(sb, "%s", a);
}

/* ---- files -------------------------------------------------------- */

/* Reads path whole (NUL-terminated). Returns: 0 or APEX_EIO. */
static int
file_read(const char *path, char **out, size_t *len, char *err,
    size_t errlen)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	size_t n = 0;
	char *buf;

	if (fd < 0) {
		seterr(err, errlen, "%s: %s", path, strerror(errno));
		return APEX_EIO;
	}
	buf = xmalloc(FILE_MAX + 1);
	for (;;) {
		ssize_t r = read(fd, buf + n, FILE_MAX - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 || (r == 0 && n == 0) || n + (size_t)r == FILE_MAX) {
			int e = r < 0 ? errno : 0;
			seterr(err, errlen, "%s: %s", path, r < 0 ? strerror(e)
			    : n == 0 ? "empty file" : "file too large");
			close(fd);
			free_wipe(buf, FILE_MAX + 1);
			errno = e != 0 ? e : EINVAL;
			return APEX_EIO;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	buf[n] = '\0';
	*out = buf;
	*len = n;
	return 0;
}

static int
fsync_dir(const char *path)
{
	char dir[4096];
	const char *slash = strrchr(path, '/');
	int fd, r;

	if (slash == NULL)
		snprintf(dir, sizeof(dir), ".");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path) + 1,
		    path);
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return -1;
	r = fsync(fd);
	close(fd);
	return r;
}

static int
write_all(int fd, const char *s, size_t len)
{
	while (len > 0) {
		ssize_t w = write(fd, s, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		s += w;
		len -= (size_t)w;
	}
	return fsync(fd);
}

/*
 * Writes text to path. excl: created with O_EXCL in place (a private
 * key must never replace another); else through a temporary file and
 * rename, so a reader sees the old file or the new one, never half.
 * Returns: 0 or APEX_EIO (errno set; APEX_EEXIST for excl and EEXIST).
 */
static int
file_write(const char *path, mode_t mode, bool excl, const char *s,
    size_t len)
{
	char tmp[4200];
	int fd, e;

	if (excl) {
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
		if (fd < 0)
			return errno == EEXIST ? APEX_EEXIST : APEX_EIO;
	} else {
		if ((size_t)snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >=
		    sizeof(tmp)) {
			errno = ENAMETOOLONG;
			return APEX_EIO;
		}
		if ((fd = mkstemp(tmp)) < 0)
			return APEX_EIO;
	}
	if (fchmod(fd, mode) != 0 || write_all(fd, s, len) != 0) {
		e = errno;
		close(fd);
		unlink(excl ? path : tmp);
		errno = e;
		return APEX_EIO;
	}
	if (close(fd) != 0 || (!excl && rename(tmp, path) != 0)) {
		e = errno;
		unlink(excl ? path : tmp);
		errno = e;
		return APEX_EIO;
	}
	return fsync_dir(path) == 0 ? 0 : APEX_EIO;
}

/* Splits line "Tag: value" (value up to ';' if comment). Returns: the
 * tag without its colon, or NULL for a blank line. */
static char *
split_tag(char *line, char **value)
{
	char *p, *tag;

	while (isspace((unsigned char)*line))
		line++;
	if (*line == '\0')
		return NULL;
	tag = line;
	p = strchr(line, ':');
	if (p == NULL) {
		*value = line + strlen(line);
		return tag;
	}
	*p++ = '\0';
	while (isspace((unsigned char)*p))
		p++;
	*value = p;
	/* Drop the comment after a value, and trailing blanks. */
	if ((p = strchr(*value, '(')) != NULL || (p = strchr(*value, ';'))
	    != NULL)
		*p = '\0';
	for (p = *value + strlen(*value); p > *value &&
	    isspace((unsigned char)p[-1]); p--)
		p[-1] = '\0';
	return tag;
}

static int
find_tag(const char *const *tags, size_t n, const char *tag)
{
	for (size_t i = 0; i < n; i++)
		if (tags[i] != NULL && strcasecmp(tags[i], tag) == 0)
			return (int)i;
	return -1;
}

/* ---- .key --------------------------------------------------------- */

/* Parses the record line of a .key file ("name [ttl] [IN] DNSKEY flags 3
 * alg key"). */
static int
key_record(struct dnskey *k, char *line, char *err, size_t errlen,
    const char *path)
{
	char *tok[256], *save = NULL, *t, *b64;
	unsigned nt = 0, i = 1;
	uint8_t buf[DNSKEY_RDATA_MAX];
	unsigned long fl;
	int r;

	for (t = line; *t != '\0'; t++)
		if (*t == ';')
			*t = '\0';
		else if (*t == '(' || *t == ')')
			*t = ' ';
	for (t = strtok_r(line, " \t\r", &save); t != NULL &&
	    nt < nitems(tok); t = strtok_r(NULL, " \t\r", &save))
		tok[nt++] = t;
	if (nt < 6 || dname_from_str(tok[0], NULL, k->origin) < 0)
		goto bad;
	dname_lower(k->origin, k->origin, dname_len(k->origin));
	for (; i < 3; i++) {
		if (isdigit((unsigned char)tok[i][0]))
			k->ttl = (uint32_t)strtoul(tok[i], NULL, 10);
		else if (strcasecmp(tok[i], "IN") != 0)
			break;
	}
	if (i + 4 > nt || strcasecmp(tok[i], "DNSKEY") != 0 ||
	    !isdigit((unsigned char)tok[i + 1][0]) ||
	    strcmp(tok[i + 2], "3") != 0)
		goto bad;
	fl = strtoul(tok[i + 1], NULL, 10);
	put16(buf, (uint16_t)fl);
	buf[2] = 3;
	buf[3] = dnskey_alg_from_name(tok[i + 3]);
	b64 = xcalloc(1, FILE_MAX);
	for (unsigned j = i + 4; j < nt; j++)
		strcat(b64, tok[j]);	/* fits: they came from one file */
	r = base64_decode(b64, buf + 4, sizeof(buf) - 4);
	free(b64);
	if (fl > 0xffff || buf[3] == 0 || r <= 0)
		goto bad;
	memcpy(k->rdata, buf, 4 + (size_t)r);
	k->rdlen = (uint16_t)(4 + r);
	k->flags = (uint16_t)fl;
	k->alg = buf[3];
	return 0;
bad:
	seterr(err, errlen, "%s: no DNSKEY record of protocol 3 with a "
	    "known algorithm and a base64 key", path);
	return APEX_EMALF;
}

/* Makes a record in parentheses one line, its comments blanks (the
 * parentheses of comment lines outside a record are not counted). */
static void
join_parens(char *s)
{
	int depth = 0;
	bool comment = false;

	for (; *s != '\0'; s++) {
		if (*s == '\n') {
			comment = false;
			if (depth > 0)
				*s = ' ';
		} else if (comment) {
			if (depth > 0)
				*s = ' ';
		} else if (*s == ';') {
			comment = true;
			if (depth > 0)
				*s = ' ';
		} else if (*s == '(')
			depth++;
		else if (*s == ')' && depth > 0)
			depth--;
	}
}

/* Reads base.key: the record, and the times of BIND's comments. */
static int
key_read(struct dnskey *k, const char *path, char *err, size_t errlen)
{
	char *buf, *line, *save = NULL, *tag, *val;
	size_t len;
	int r = APEX_EMALF, i;
	int64_t t;

	if ((r = file_read(path, &buf, &len, err, errlen)) != 0)
		return r;
	join_parens(buf);
	r = APEX_EMALF;
	seterr(err, errlen, "%s: no DNSKEY record", path);
	for (line = strtok_r(buf, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		while (isspace((unsigned char)*line))
			line++;
		if (*line == ';') {
			if ((tag = split_tag(line + 1, &val)) != NULL &&
			    (i = find_tag(priv_time_tags, DKT_COUNT, tag)) >= 0
			    && time_parse(val, &t) == 0)
				k->t[i] = t;
			continue;
		}
		if (*line == '\0' || *line == '$')
			continue;
		r = key_record(k, line, err, errlen, path);
		break;
	}
	free(buf);
	return r;
}

/* One line of .private after the header. Returns: 0 or -1. */
static int
priv_line(struct dnskey *k, const struct dnskey_alg *a, char *tag, char *val,
    struct dnskey_priv_fields *f)
{
	int i;
	int64_t t;

	if ((i = find_tag(priv_time_tags, DKT_COUNT, tag)) >= 0) {
		if (time_parse(val, &t) != 0)
			return -1;
		k->t[i] = t;
		return 0;
	}
	if (strcasecmp(tag, "Predecessor") == 0)
		k->predecessor = (uint16_t)strtoul(val, NULL, 10);
	else if (strcasecmp(tag, "Successor") == 0)
		k->successor = (uint16_t)strtoul(val, NULL, 10);
	return dnskey_priv_field(a, tag, val, f);
}

/* Reads base.private into k->pkey; its times too. */
static int
private_read(struct dnskey *k, const char *path, char *err, size_t errlen)
{
	const struct dnskey_alg *a = dnskey_alg_usable(k->alg);
	struct dnskey_priv_fields *f;
	char *buf, *line, *save = NULL, *tag, *val;
	const char *why = NULL;
	size_t len;
	unsigned n = 0;
	int r;

	if (a == NULL) {
		seterr(err, errlen, "%s: algorithm %u is not supported", path,
		    k->alg);
		return APEX_ECRYPTO;
	}
	if ((r = file_read(path, &buf, &len, err, errlen)) != 0)
		return r;
	f = xcalloc(1, sizeof(*f));
	for (line = strtok_r(buf, "\n", &save); line != NULL && why == NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		if ((tag = split_tag(line, &val)) == NULL)
			continue;
		if (n++ == 0) {
			if (strcmp(tag, "Private-key-format") != 0 ||
			    strncmp(val, "v1.", 3) != 0)
				why = "not Private-key-format v1.x";
		} else if (n == 2) {
			if (strcmp(tag, "Algorithm") != 0 ||
			    strtoul(val, NULL, 10) != k->alg)
				why = "its Algorithm is not the DNSKEY's";
		} else if (priv_line(k, a, tag, val, f) != 0)
			why = "a field does not parse";
		if (why != NULL)
			seterr(err, errlen, "%s: line %u: %s", path, n, why);
	}
	if (why == NULL && (k->pkey = dnskey_priv_pkey(k, a, f, &why)) == NULL)
		seterr(err, errlen, "%s: %s", path, why);
	free_wipe(f, sizeof(*f));
	free_wipe(buf, len + 1);
	if (k->pkey != NULL)
		return 0;
	return n > 2 && strstr(why, "match") != NULL ? APEX_ECRYPTO :
	    APEX_EMALF;
}

/* ---- .state ------------------------------------------------------- */

/* One line of .state after Algorithm and Length. Returns: 0 or -1. */
static int
state_line(struct dnskey *k, const char *tag, const char *val,
    int *ksk, int *zsk)
{
	int i;
	int64_t t;

	if ((i = find_tag(state_time_tags, DKT_COUNT, tag)) >= 0 ||
	    (strcasecmp(tag, "SyncPublish") == 0 && (i = DKT_SYNCPUBLISH)) ||
	    (strcasecmp(tag, "SyncDelete") == 0 && (i = DKT_SYNCDELETE))) {
		if (time_parse(val, &t) != 0)
			return -1;
		k->t[i] = t;
	} else if ((i = find_tag(record_tags, DKR_COUNT, tag)) >= 0 ||
	    strcasecmp(tag, "GoalState") == 0) {
		enum dnskey_state s = dnskey_state_from_name(val);
		if (s == DST_NA)
			return -1;
		if (i >= 0)
			k->st[i] = s;
		else
			k->goal = s;
	} else if (strcasecmp(tag, "KSK") == 0 || strcasecmp(tag, "ZSK") == 0) {
		int *b = toupper((unsigned char)tag[0]) == 'K' ? ksk : zsk;
		if (strcmp(val, "yes") != 0 && strcmp(val, "no") != 0)
			return -1;
		*b = strcmp(val, "yes") == 0;
	} else if (strcasecmp(tag, "Lifetime") == 0)
		k->lifetime = (uint32_t)strtoul(val, NULL, 10);
	else if (strcasecmp(tag, "Predecessor") == 0)
		k->predecessor = (uint16_t)strtoul(val, NULL, 10);
	else if (strcasecmp(tag, "Successor") == 0)
		k->successor = (uint16_t)strtoul(val, NULL, 10);
	return 0;
}

/* Reads base.state if there is one; else the role is the SEP bit's. */
static int
state_read(struct dnskey *k, const char *path, char *err, size_t errlen)
{
	char *buf, *line, *save = NULL, *tag, *val;
	const char *why = NULL;
	size_t len;
	unsigned n = 0;
	int ksk = -1, zsk = -1, r;
	bool sep = (k->flags & DNSKEY_F_SEP) != 0;

	if (access(path, F_OK) != 0 && errno == ENOENT) {
		k->role = sep ? DNSKEY_ROLE_KSK : DNSKEY_ROLE_ZSK;
		return 0;
	}
	if ((r = file_read(path, &buf, &len, err, errlen)) != 0)
		return r;
	for (line = strtok_r(buf, "\n", &save); line != NULL && why == NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		while (isspace((unsigned char)*line))
			line++;
		if (*line == ';' || (tag = split_tag(line, &val)) == NULL)
			continue;
		if (n++ == 0) {
			if (strcmp(tag, "Algorithm") != 0 ||
			    strtoul(val, NULL, 10) != k->alg)
				why = "its Algorithm is not the DNSKEY's";
		} else if (n == 2) {
			if (strcmp(tag, "Length") != 0 ||
			    strtoul(val, NULL, 10) != k->bits)
				why = "its Length is not the DNSKEY's size";
		} else if (state_line(k, tag, val, &ksk, &zsk) != 0)
			why = "a field does not parse";
		if (why != NULL)
			seterr(err, errlen, "%s: %s: %s", path, tag, why);
	}
	free(buf);
	if (why == NULL && n < 2) {
		why = "no Algorithm and Length";
		seterr(err, errlen, "%s: %s", path, why);
	}
	if (why != NULL)
		return APEX_EMALF;
	/* A role left out is the SEP bit's, as BIND takes it. */
	k->role = ((ksk < 0 ? sep : ksk) ? DNSKEY_ROLE_KSK : 0) |
	    ((zsk < 0 ? !sep : zsk) ? DNSKEY_ROLE_ZSK : 0);
	k->has_state = true;
	return 0;
}

/* ---- writing ------------------------------------------------------ */

static void
key_text(const struct dnskey *k, struct sbuf *sb)
{
	static const enum dnskey_time order[] = { DKT_CREATED, DKT_PUBLISH,
	    DKT_ACTIVATE, DKT_INACTIVE, DKT_DELETE, DKT_SYNCPUBLISH,
	    DKT_SYNCDELETE };
	char name[DNAME_STRLEN];

	dname_to_str(k->origin, name, sizeof(name));
	sbuf_printf(sb, "; This is a %s%s-signing key, keyid %u, for %s\n",
	    (k->flags & DNSKEY_F_REVOKE) ? "revoked " : "",
	    (k->flags & DNSKEY_F_SEP) ? "key" : "zone", k->tag, name);
	for (size_t i = 0; i < nitems(order); i++) {
		if (k->t[order[i]] == 0)
			continue;
		sbuf_printf(sb, "; %s: ", priv_time_tags[order[i]]);
		time_put(sb, k->t[order[i]], true);
		sbuf_printf(sb, "\n");
	}
	sbuf_printf(sb, "%s ", name);
	if (k->ttl != 0)
		sbuf_printf(sb, "%u ", k->ttl);
	sbuf_printf(sb, "IN DNSKEY %u 3 %u ", k->flags, k->alg);
	dnskey_b64_put(sb, k->rdata + 4, k->rdlen - 4u, true);
	sbuf_printf(sb, "\n");
}

static void
state_text(const struct dnskey *k, struct sbuf *sb)
{
	char name[DNAME_STRLEN];

	dname_to_str(k->origin, name, sizeof(name));
	sbuf_printf(sb, "; This is the state of key %u, for %s\n", k->tag,
	    name);
	sbuf_printf(sb, "Algorithm: %u\nLength: %u\nLifetime: %u\n", k->alg,
	    k->bits, k->lifetime);
	if (k->predecessor != 0)
		sbuf_printf(sb, "Predecessor: %u\n", k->predecessor);
	if (k->successor != 0)
		sbuf_printf(sb, "Successor: %u\n", k->successor);
	sbuf_printf(sb, "KSK: %s\nZSK: %s\n",
	    (k->role & DNSKEY_ROLE_KSK) ? "yes" : "no",
	    (k->role & DNSKEY_ROLE_ZSK) ? "yes" : "no");
	for (size_t i = 0; i < nitems(state_time_order); i++) {
		enum dnskey_time w = state_time_order[i];
		if (k->t[w] == 0)
			continue;
		sbuf_printf(sb, "%s: ", state_time_tags[w]);
		time_put(sb, k->t[w], true);
		sbuf_printf(sb, "\n");
	}
	for (int i = 0; i < DKR_COUNT; i++)
		if (k->st[i] != DST_NA)
			sbuf_printf(sb, "%s: %s\n", record_tags[i],
			    dnskey_state_name(k->st[i]));
	if (k->goal != DST_NA)
		sbuf_printf(sb, "GoalState: %s\n", dnskey_state_name(k->goal));
}

static int
write_text(const struct dnskey *k, const char *suffix, mode_t mode,
    bool excl, struct sbuf *sb)
{
	char path[4200];

	snprintf(path, sizeof(path), "%s%s", k->base, suffix);
	return file_write(path, mode, excl, sb->s, sb->len);
}

int
dnskey_write_state(const struct dnskey *k)
{
	struct sbuf sb;
	int r;

	sbuf_init(&sb);
	state_text(k, &sb);
	r = write_text(k, ".state", 0644, false, &sb);
	sbuf_free(&sb);
	if (r != 0)
		return APEX_EIO;
	sbuf_init(&sb);
	key_text(k, &sb);
	r = write_text(k, ".key", 0644, false, &sb);
	sbuf_free(&sb);
	return r != 0 ? APEX_EIO : 0;
}

/* A buffer for private key text, big enough for the largest RSA key
 * so that it never grows: realloc would leave a copy behind. */
static void
sbuf_init_secret(struct sbuf *sb)
{
	sb->cap = 16384;
	sb->len = 0;
	sb->s = xmalloc(sb->cap);
	sb->s[0] = '\0';
}

static void
sbuf_wipe(struct sbuf *sb)
{
	OPENSSL_cleanse(sb->s, sb->cap);
	sbuf_free(sb);
}

/* ---- making, loading, finding ------------------------------------- */

/* A zone's name as key file names have it: lowercase, each octet but
 * letters, digits, "-" and "_" as %XX, labels ending in dots. */
static void
file_name_text(const uint8_t *name, char *buf, size_t size)
{
	size_t n = 0;

	if (*name == 0)
		snprintf(buf, size, ".");
	for (; *name != 0 && n + 4 < size; name += *name + 1) {
		for (unsigned i = 1; i <= *name && n + 4 < size; i++) {
			uint8_t c = dname_lc(name[i]);
			if (isalnum(c) || c == '-' || c == '_')
				buf[n++] = (char)c;
			else
				n += (size_t)snprintf(buf + n, size - n,
				    "%%%02X", c);
		}
		buf[n++] = '.';
		buf[n] = '\0';
	}
}

/* Whether name is K<origin>+AAA+TTTTT.key; its algorithm and tag. */
static bool
key_file_name(const char *name, const uint8_t *origin, unsigned *alg,
    unsigned *tag)
{
	size_t n = strlen(name);
	char zone[DNAME_STRLEN * 3];
	const char *p;

	if (n < 16 || name[0] != 'K' || strcmp(name + n - 4, ".key") != 0)
		return false;
	p = name + n - 4 - 10;	/* "+AAA+TTTTT" */
	if (p[0] != '+' || p[4] != '+' || (size_t)(p - name - 1) >=
	    sizeof(zone))
		return false;
	for (int i = 1; i < 10; i++)
		if (i != 4 && !isdigit((unsigned char)p[i]))
			return false;
	*alg = (unsigned)atoi(p + 1);
	*tag = (unsigned)atoi(p + 5);
	file_name_text(origin, zone, sizeof(zone));
	return strlen(zone) == (size_t)(p - name - 1) &&
	    strncasecmp(zone, name + 1, (size_t)(p - name - 1)) == 0;
}

/* Marks the tags of origin's keys in dir. Returns: 0 or APEX_EIO. */
static int
dir_tags(const char *dir, const uint8_t *origin, uint8_t *used)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	unsigned alg, tag;

	if (d == NULL)
		return APEX_EIO;
	while ((de = readdir(d)) != NULL)
		if (key_file_name(de->d_name, origin, &alg, &tag) &&
		    tag < 65536)
			used[tag] = 1;
	closedir(d);
	return 0;
}

/* Makes one key; APEX_EEXIST if its tag is taken. */
static int
generate_one(const char *dir, const uint8_t *origin, const struct dnskey_alg *a,
    unsigned bits, uint16_t flags, time_t now, const uint8_t *used,
    struct dnskey **out)
{
	struct dnskey *k = xcalloc(1, sizeof(*k));
	uint8_t rev[DNSKEY_RDATA_MAX];
	char name[DNAME_STRLEN * 3], path[4200];
	struct sbuf sb;
	int r;

	memcpy(k->origin, origin, dname_len(origin));
	dname_lower(k->origin, k->origin, dname_len(origin));
	k->flags = flags;
	k->alg = a->num;
	if ((k->pkey = dnskey_keygen(a, bits)) == NULL ||
	    dnskey_rdata_of(a, k->pkey, flags, k->rdata, &k->rdlen) != 0) {
		dnskey_free(k);
		return APEX_ECRYPTO;
	}
	k->tag = dnskey_tag(k->rdata, k->rdlen);
	memcpy(rev, k->rdata, k->rdlen);
	put16(rev, flags | DNSKEY_F_REVOKE);
	if (used[k->tag] || used[dnskey_tag(rev, k->rdlen)]) {
		dnskey_free(k);
		return APEX_EEXIST;
	}
	k->bits = dnskey_rdata_bits(a, k->rdata, k->rdlen);
	file_name_text(k->origin, name, sizeof(name));
	snprintf(k->base, sizeof(k->base), "%s/K%s+%03u+%05u", dir, name,
	    a->num, k->tag);
	k->has_state = true;
	k->role = (flags & DNSKEY_F_SEP) ? DNSKEY_ROLE_KSK : DNSKEY_ROLE_ZSK;
	k->t[DKT_CREATED] = now;
	k->goal = DST_HIDDEN;
	for (int i = 0; i < DKR_COUNT; i++)
		k->st[i] = DST_HIDDEN;
	sbuf_init_secret(&sb);
	r = dnskey_priv_text(k, a, &sb);
	for (int i = 0; i < DKT_COUNT; i++) {
		if (k->t[i] == 0 || priv_time_tags[i] == NULL)
			continue;
		sbuf_printf(&sb, "%s: ", priv_time_tags[i]);
		time_put(&sb, k->t[i], false);
		sbuf_printf(&sb, "\n");
	}
	r = r != 0 ? APEX_ECRYPTO : write_text(k, ".private", 0600, true,
	    &sb);
	sbuf_wipe(&sb);
	if (r == 0 && (r = dnskey_write_state(k)) != 0) {
		int e = errno;
		snprintf(path, sizeof(path), "%s.private", k->base);
		unlink(path);
		errno = e;
	}
	if (r != 0)
		dnskey_free(k);
	else
		*out = k;
	return r;
}

int
dnskey_generate(const char *dir, const uint8_t *origin, uint8_t alg,
    unsigned bits, uint16_t flags, time_t now, struct dnskey **out)
{
	const struct dnskey_alg *a = dnskey_alg_usable(alg);
	uint8_t *used;
	int r = APEX_EEXIST;

	*out = NULL;
	if (a == NULL || !dnskey_alg_bits_ok(alg, bits))
		return APEX_EINVAL;
	if (strlen(dir) > 3000) {
		errno = ENAMETOOLONG;
		return APEX_EIO;
	}
	used = xcalloc(65536, 1);
	if (dir_tags(dir, origin, used) != 0) {
		free(used);
		return APEX_EIO;
	}
	/* A clash of tags is rare: a few tries always find a free one. */
	for (int i = 0; i < 32 && r == APEX_EEXIST; i++)
		r = generate_one(dir, origin, a, bits, flags, now, used, out);
	free(used);
	if (r == APEX_EEXIST) {
		errno = EEXIST;
		r = APEX_EIO;
	}
	return r;
}

/* The algorithm and tag of a file name, checked against the key. */
static int
check_name(const struct dnskey *k, char *err, size_t errlen)
{
	const char *slash = strrchr(k->base, '/');
	const char *name = slash != NULL ? slash + 1 : k->base;
	size_t n = strlen(name);
	unsigned alg, tag;

	if (n < 11 || name[n - 10] != '+' || name[n - 6] != '+' ||
	    sscanf(name + n - 10, "+%3u+%5u", &alg, &tag) != 2)
		return 0;	/* not a name as BIND gives: no check */
	if (alg != k->alg || tag != k->tag) {
		seterr(err, errlen, "%s.key: the name says algorithm %u tag "
		    "%u; the DNSKEY's are %u and %u", k->base, alg, tag,
		    k->alg, k->tag);
		return APEX_EMALF;
	}
	return 0;
}

int
dnskey_load(const char *base, bool want_private, struct dnskey **out,
    char *err, size_t errlen)
{
	struct dnskey *k = xcalloc(1, sizeof(*k));
	const struct dnskey_alg *a;
	char path[4200];
	int r;

	*out = NULL;
	if (strlen(base) >= sizeof(k->base)) {
		seterr(err, errlen, "%.64s...: path too long", base);
		free(k);
		errno = ENAMETOOLONG;
		return APEX_EIO;
	}
	snprintf(k->base, sizeof(k->base), "%s", base);
	snprintf(path, sizeof(path), "%s.key", base);
	if ((r = key_read(k, path, err, errlen)) != 0)
		goto fail;
	k->tag = dnskey_tag(k->rdata, k->rdlen);
	if ((a = dnskey_alg_find(k->alg)) != NULL)
		k->bits = dnskey_rdata_bits(a, k->rdata, k->rdlen);
	if ((r = check_name(k, err, errlen)) != 0)
		goto fail;
	snprintf(path, sizeof(path), "%s.private", base);
	if (want_private && (r = private_read(k, path, err, errlen)) != 0)
		goto fail;
	snprintf(path, sizeof(path), "%s.state", base);
	if ((r = state_read(k, path, err, errlen)) != 0)
		goto fail;
	*out = k;
	return 0;
fail:
	dnskey_free(k);
	return r;
}

static int
key_cmp(const void *a, const void *b)
{
	const struct dnskey *x = *(struct dnskey *const *)a;
	const struct dnskey *y = *(struct dnskey *const *)b;

	if (x->tag != y->tag)
		return x->tag < y->tag ? -1 : 1;
	return x->alg < y->alg ? -1 : x->alg > y->alg;
}

int
dnskey_scan(const char *dir, const uint8_t *origin, bool want_private,
    struct dnskey ***keys, unsigned *n, char *err, size_t errlen)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	struct dnskey **v = NULL, *k;
	unsigned cnt = 0, alg, tag;
	char base[4200], e[512];
	bool reported = false;

	*keys = NULL;
	*n = 0;
	if (d == NULL) {
		seterr(err, errlen, "%s: %s", dir, strerror(errno));
		return APEX_EIO;
	}
	while ((de = readdir(d)) != NULL) {
		if (!key_file_name(de->d_name, origin, &alg, &tag))
			continue;
		snprintf(base, sizeof(base), "%s/%.*s", dir,
		    (int)strlen(de->d_name) - 4, de->d_name);
		if (dnskey_load(base, want_private, &k, e, sizeof(e)) != 0) {
			if (!reported)
				seterr(err, errlen, "%s", e);
			reported = true;
			continue;
		}
		v = xreallocarray(v, cnt + 1, sizeof(*v));
		v[cnt++] = k;
	}
	closedir(d);
	if (cnt > 0)
		qsort(v, cnt, sizeof(*v), key_cmp);
	*keys = v;
	*n = cnt;
	return 0;
}
