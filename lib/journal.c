/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * The IXFR journal (see journal.h). Records are checked through one
 * reader, whether the journal is a file or, for the fuzz target, bytes
 * in memory; bodies stream through the checksum in pieces, so opening
 * a large journal needs little memory.
 * Runs in: apex-xferd (sandboxed), the tests, regress/fuzz.
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <openssl/evp.h>

#include "error.h"
#include "journal.h"
#include "rr.h"

#define J_MAGIC		"APXJNL01"
#define J_VERSION	1
#define R_MAGIC		0x4a524543u	/* "JREC" */
#define R_HDRLEN	24
#define R_SUMLEN	16
#define CHUNK		65536

/* Reads n octets at off; returns what it read (short at the end). */
typedef ssize_t	jread_fn(void *arg, void *buf, size_t n, off_t off);

struct memsrc {
	const uint8_t	*p;
	size_t		 len;
};

static ssize_t
mem_read(void *arg, void *buf, size_t n, off_t off)
{
	struct memsrc *m = arg;

	if (off < 0 || (size_t)off >= m->len)
		return 0;
	if (n > m->len - (size_t)off)
		n = m->len - (size_t)off;
	memcpy(buf, m->p + off, n);
	return (ssize_t)n;
}

static ssize_t
fd_read(void *arg, void *buf, size_t n, off_t off)
{
	int fd = *(int *)arg;
	size_t got = 0;

	while (got < n) {
		ssize_t r = pread(fd, (uint8_t *)buf + got, n - got,
		    off + (off_t)got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

static bool
read_full(jread_fn *rd, void *arg, void *buf, size_t n, off_t off)
{
	return rd(arg, buf, n, off) == (ssize_t)n;
}

/* The header for origin; returns its length. */
static size_t
make_header(const uint8_t *origin, uint8_t *out)
{
	size_t ol = dname_len(origin);

	memcpy(out, J_MAGIC, 8);
	put32(out + 8, J_VERSION);
	put32(out + 12, (uint32_t)ol);
	memcpy(out + 16, origin, ol);
	return 16 + ol;
}

/* Checks the header; returns its length or APEX_EMALF. */
static long
check_header(jread_fn *rd, void *arg, const uint8_t *origin)
{
	uint8_t want[16 + DNAME_MAXLEN], have[16 + DNAME_MAXLEN];
	size_t n = make_header(origin, want);

	if (!read_full(rd, arg, have, n, 0) || memcmp(want, have, n) != 0)
		return APEX_EMALF;
	return (long)n;
}

/*
 * Checks the record at off (size: octets from off to the end).
 * Returns: its length and fills e, or 0 if it is damaged or torn.
 */
static uint32_t
check_record(jread_fn *rd, void *arg, off_t off, uint64_t size,
    struct journal_entry *e, uint8_t buf[CHUNK])
{
	uint8_t h[R_HDRLEN], sum[EVP_MAX_MD_SIZE], want[R_SUMLEN];
	uint32_t ok = 0;

	if (size < R_HDRLEN + R_SUMLEN || !read_full(rd, arg, h, R_HDRLEN, off))
		return 0;
	uint32_t body = get32(h + 4);
	if (get32(h) != R_MAGIC || body > size - R_HDRLEN - R_SUMLEN ||
	    get32(h + 16) == 0 || get32(h + 20) == 0)
		return 0;
	EVP_MD_CTX *ctx = EVP_MD_CTX_new();
	if (ctx == NULL || EVP_DigestInit_ex(ctx, EVP_sha256(), NULL) != 1)
		goto out;
	EVP_DigestUpdate(ctx, h, R_HDRLEN);
	for (uint32_t done = 0; done < body; ) {
		size_t n = body - done < CHUNK ? body - done : CHUNK;
		if (!read_full(rd, arg, buf, n, off + R_HDRLEN + done))
			goto out;
		EVP_DigestUpdate(ctx, buf, n);
		done += (uint32_t)n;
	}
	if (EVP_DigestFinal_ex(ctx, sum, NULL) != 1 ||
	    !read_full(rd, arg, want, R_SUMLEN, off + R_HDRLEN + body) ||
	    memcmp(sum, want, R_SUMLEN) != 0)
		goto out;
	e->off = off;
	e->len = R_HDRLEN + body + R_SUMLEN;
	e->from = get32(h + 8);
	e->to = get32(h + 12);
	ok = e->len;
out:
	EVP_MD_CTX_free(ctx);
	return ok;
}

/*
 * Every whole, valid record after the header, in a chain of serials.
 * Returns: the offset where the valid part ends.
 */
static off_t
scan(jread_fn *rd, void *arg, off_t hdrlen, uint64_t size,
    struct journal_entry **ep, unsigned *np)
{
	struct journal_entry *e = NULL, x;
	unsigned n = 0;
	off_t off = hdrlen;
	uint32_t len;
	uint8_t *buf = xmalloc(CHUNK);

	while ((uint64_t)off < size && (len = check_record(rd, arg, off,
	    size - (uint64_t)off, &x, buf)) != 0) {
		if (n > 0 && x.from != e[n - 1].to)
			break;
		if (!rr_serial_gt(x.to, x.from))
			break;
		e = xreallocarray(e, n + 1, sizeof(*e));
		e[n++] = x;
		off += len;
	}
	free(buf);
	*ep = e;
	*np = n;
	return off;
}

long
journal_scan(const uint8_t *p, size_t len, const uint8_t *origin,
    struct journal_entry **e, unsigned *n)
{
	struct memsrc m = { p, len };
	long h = check_header(mem_read, &m, origin);

	*e = NULL;
	*n = 0;
	if (h < 0)
		return h;
	return (long)scan(mem_read, &m, h, len, e, n) - h;
}

static int
write_all(int fd, const void *buf, size_t n, off_t off)
{
	const uint8_t *p = buf;

	while (n > 0) {
		ssize_t w = pwrite(fd, p, n, off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return APEX_EIO;
		p += w;
		n -= (size_t)w;
		off += w;
	}
	return 0;
}

/* Starts the file afresh: just the header. */
static int
write_header(struct journal *j)
{
	uint8_t h[16 + DNAME_MAXLEN];
	size_t n = make_header(j->origin, h);

	free(j->e);
	j->e = NULL;
	j->n = 0;
	j->gen++;
	j->hdrlen = (off_t)n;
	j->size = (off_t)n;
	if (ftruncate(j->fd, 0) != 0 || write_all(j->fd, h, n, 0) != 0 ||
	    fdatasync(j->fd) != 0)
		return APEX_EIO;
	return 0;
}

int
journal_open(struct journal *j, const char *path, const uint8_t *origin)
{
	memset(j, 0, sizeof(*j));
	/* Never through a symbolic link; not readable by others (it holds
	 * the zone's changes, and transfers of the zone may be limited). */
	j->fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0640);
	if (j->fd < 0)
		return APEX_EIO;
	j->path = xstrdup(path);
	memcpy(j->origin, origin, dname_len(origin));
	off_t size = lseek(j->fd, 0, SEEK_END);
	long h = size > 0 ? check_header(fd_read, &j->fd, origin) : -1;
	if (h < 0) {
		if (size > 0)
			snprintf(j->note, sizeof(j->note), "not a journal of "
			    "this zone; started afresh");
		if (write_header(j) != 0) {
			journal_close(j);
			return APEX_EIO;
		}
		return 0;
	}
	j->hdrlen = h;
	off_t end = scan(fd_read, &j->fd, h, (uint64_t)size, &j->e, &j->n);
	if (end < size) {
		snprintf(j->note, sizeof(j->note), "dropped %lld damaged "
		    "octets at the end (an interrupted write)",
		    (long long)(size - end));
		if (ftruncate(j->fd, end) != 0 || fdatasync(j->fd) != 0) {
			journal_close(j);
			return APEX_EIO;
		}
	}
	j->size = end;
	return 0;
}

void
journal_close(struct journal *j)
{
	if (j->fd >= 0)
		close(j->fd);
	free(j->path);
	free(j->e);
	memset(j, 0, sizeof(*j));
	j->fd = -1;
}

bool
journal_last(const struct journal *j, uint32_t *serial)
{
	if (j->n == 0)
		return false;
	*serial = j->e[j->n - 1].to;
	return true;
}

int
journal_reset(struct journal *j)
{
	return write_header(j);
}

int
journal_append(struct journal *j, uint32_t from, uint32_t to,
    const struct rrbuf *del, const struct rrbuf *add)
{
	size_t body = del->len + add->len;
	uint8_t sum[EVP_MAX_MD_SIZE];

	if (body > UINT32_MAX - R_HDRLEN - R_SUMLEN)
		return APEX_EIO;
	uint8_t *r = xmalloc(R_HDRLEN + body + R_SUMLEN);
	put32(r, R_MAGIC);
	put32(r + 4, (uint32_t)body);
	put32(r + 8, from);
	put32(r + 12, to);
	put32(r + 16, del->count);
	put32(r + 20, add->count);
	if (del->len > 0)
		memcpy(r + R_HDRLEN, del->p, del->len);
	if (add->len > 0)
		memcpy(r + R_HDRLEN + del->len, add->p, add->len);
	unsigned sl = 0;
	int rc = APEX_EIO;
	if (EVP_Digest(r, R_HDRLEN + body, sum, &sl, EVP_sha256(), NULL) != 1)
		goto out;
	memcpy(r + R_HDRLEN + body, sum, R_SUMLEN);
	size_t len = R_HDRLEN + body + R_SUMLEN;
	if (write_all(j->fd, r, len, j->size) != 0 || fdatasync(j->fd) != 0) {
		/* Never leave half a record behind. */
		(void)ftruncate(j->fd, j->size);
		goto out;
	}
	j->e = xreallocarray(j->e, j->n + 1, sizeof(*j->e));
	j->e[j->n++] = (struct journal_entry){ j->size, (uint32_t)len, from,
	    to };
	j->size += (off_t)len;
	rc = 0;
out:
	free(r);
	return rc;
}

int
journal_trim(struct journal *j, uint64_t max)
{
	unsigned keep = j->n;
	uint64_t size = (uint64_t)j->hdrlen;

	if ((uint64_t)j->size <= max)
		return 0;
	while (keep > 0 && size + j->e[keep - 1].len <= max) {
		size += j->e[keep - 1].len;
		keep--;
	}
	/* keep is now the index of the first record to keep. */
	unsigned first = keep;
	size_t plen = strlen(j->path);
	char *tmp = xmalloc(plen + 5);
	snprintf(tmp, plen + 5, "%s.new", j->path);
	/* A leftover of an earlier run goes first; then the file is ours
	 * alone (O_EXCL: no link or file planted there is followed). */
	(void)unlink(tmp);
	int fd = open(tmp, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC,
	    0640);
	int rc = APEX_EIO;
	uint8_t h[16 + DNAME_MAXLEN];
	uint8_t *buf = xmalloc(CHUNK);
	if (fd < 0)
		goto out;
	size_t hl = make_header(j->origin, h);
	off_t at = (off_t)hl;
	if (write_all(fd, h, hl, 0) != 0)
		goto out;
	for (unsigned i = first; i < j->n; i++) {
		for (uint32_t done = 0; done < j->e[i].len; ) {
			size_t n = j->e[i].len - done;
			if (n > CHUNK)
				n = CHUNK;
			if (!read_full(fd_read, &j->fd, buf, n, j->e[i].off +
			    done) || write_all(fd, buf, n, at) != 0)
				goto out;
			done += (uint32_t)n;
			at += (off_t)n;
		}
	}
	if (fdatasync(fd) != 0 || rename(tmp, j->path) != 0)
		goto out;
	close(j->fd);
	j->fd = fd;
	fd = -1;
	off_t shift = (first < j->n ? j->e[first].off : j->size) -
	    (off_t)hl;
	memmove(j->e, j->e + first, (j->n - first) * sizeof(*j->e));
	j->n -= first;
	j->gen++;
	for (unsigned i = 0; i < j->n; i++)
		j->e[i].off -= shift;
	j->hdrlen = (off_t)hl;
	j->size = at;
	rc = 0;
out:
	if (fd >= 0) {
		close(fd);
		(void)unlink(tmp);
	}
	free(buf);
	free(tmp);
	return rc;
}

int
journal_find(const struct journal *j, uint32_t from)
{
	/* Newest first: over a long history (RFC 1982 wraps) a serial may
	 * appear twice, and only the last time leads to now. */
	for (unsigned i = j->n; i-- > 0; )
		if (j->e[i].from == from)
			return (int)i;
	return -1;
}

/* count records of body[*pos..) into out, the first an SOA of serial. */
static int
take_records(const uint8_t *body, size_t len, size_t *pos, uint32_t count,
    uint32_t serial, struct rrbuf *out)
{
	struct rrview v;

	for (uint32_t i = 0; i < count; i++) {
		if (rrbuf_next(body, len, pos, &v) != 0)
			return APEX_EMALF;
		if (i == 0 && (v.type != TYPE_SOA || v.rdlen < 20 ||
		    rr_soa_serial(v.rdata, v.rdlen) != serial))
			return APEX_EMALF;
		rrbuf_add(out, v.owner, v.type, v.rclass, v.ttl, v.rdata,
		    v.rdlen);
	}
	return 0;
}

/* Reads a record's body through rd and splits it. */
static int
read_entry(jread_fn *rd, void *arg, const struct journal_entry *e,
    struct rrbuf *del, struct rrbuf *add)
{
	uint8_t sum[EVP_MAX_MD_SIZE];
	unsigned sl = 0;
	int rc = APEX_EMALF;

	if (e->len < R_HDRLEN + R_SUMLEN)
		return APEX_EMALF;
	uint8_t *r = xmalloc(e->len);
	if (!read_full(rd, arg, r, e->len, e->off)) {
		rc = APEX_EIO;
		goto out;
	}
	size_t body = e->len - R_HDRLEN - R_SUMLEN;
	if (EVP_Digest(r, R_HDRLEN + body, sum, &sl, EVP_sha256(), NULL) != 1 ||
	    memcmp(sum, r + R_HDRLEN + body, R_SUMLEN) != 0 ||
	    get32(r + 4) != body)
		goto out;
	size_t pos = 0;
	if (take_records(r + R_HDRLEN, body, &pos, get32(r + 16), e->from,
	    del) != 0 || take_records(r + R_HDRLEN, body, &pos,
	    get32(r + 20), e->to, add) != 0 || pos != body)
		goto out;
	rc = 0;
out:
	free(r);
	return rc;
}

int
journal_read(const struct journal *j, unsigned i, struct rrbuf *del,
    struct rrbuf *add)
{
	if (i >= j->n)
		return APEX_ENOENT;
	return read_entry(fd_read, (void *)&j->fd, &j->e[i], del, add);
}

int
journal_read_mem(const uint8_t *p, size_t len, const struct journal_entry *e,
    struct rrbuf *del, struct rrbuf *add)
{
	struct memsrc m = { p, len };

	return read_entry(mem_read, &m, e, del, add);
}

void
journal_state_path(const char *dir, const char *zone, char *path, size_t n)
{
	char name[1024];
	size_t k = 0;

	if (strcmp(zone, ".") == 0)
		zone = "_root";
	for (const unsigned char *c = (const unsigned char *)zone;
	    *c != '\0' && k + 4 < sizeof(name); c++) {
		if (isalnum(*c) || *c == '-' || *c == '_' ||
		    (*c == '.' && k > 0 && c[1] != '\0'))
			name[k++] = (char)tolower(*c);
		else
			k += (size_t)snprintf(name + k, sizeof(name) - k,
			    "%%%02X", *c);
	}
	name[k] = '\0';
	snprintf(path, n, "%s/%s.jnl", dir, name);
}
