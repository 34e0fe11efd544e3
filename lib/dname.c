/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * Domain name parsing, comparison, hashing and printing.
 * Runs in: every process; dname_unpack() reads untrusted packets.
 */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "dname.h"
#include "error.h"

#define L(c) [c] = c - 'A' + 'a'
const uint8_t dname_lower_table[256] = {
	L('A'), L('B'), L('C'), L('D'), L('E'), L('F'), L('G'), L('H'),
	L('I'), L('J'), L('K'), L('L'), L('M'), L('N'), L('O'), L('P'),
	L('Q'), L('R'), L('S'), L('T'), L('U'), L('V'), L('W'), L('X'),
	L('Y'), L('Z'),
};
#undef L

#define lc dname_lc

int
dname_unpack(const uint8_t *pkt, size_t len, size_t *pos,
    uint8_t out[DNAME_MAXLEN])
{
	size_t p = *pos, n = 0, limit = *pos;
	bool jumped = false;

	for (;;) {
		if (p >= len)
			return APEX_EMALF;
		uint8_t c = pkt[p];
		if ((c & 0xc0) == 0xc0) {
			if (p + 1 >= len)
				return APEX_EMALF;
			size_t target = (size_t)(c & 0x3f) << 8 | pkt[p + 1];
			/* Only backwards, and before every earlier jump. */
			if (target >= limit)
				return APEX_EMALF;
			if (!jumped)
				*pos = p + 2;
			jumped = true;
			limit = target;
			p = target;
			continue;
		}
		if (c & 0xc0)
			return APEX_EMALF;	/* 0x40, 0x80: obsolete */
		if (n + 1 + c > DNAME_MAXLEN || p + 1 + c > len)
			return APEX_EMALF;
		memcpy(out + n, pkt + p, 1 + (size_t)c);
		n += 1 + (size_t)c;
		p += 1 + (size_t)c;
		if (c == 0)
			break;
	}
	if (!jumped)
		*pos = p;
	return (int)n;
}

int
dname_scan(const uint8_t *name, size_t max, struct dname_view *v)
{
	size_t p = 0;
	unsigned labels = 0;

	for (;;) {
		if (p >= max || p >= DNAME_MAXLEN)
			return APEX_EMALF;
		uint8_t c = name[p];
		if (c == 0)
			break;
		if (c > 63 || p + 1 + c >= DNAME_MAXLEN)
			return APEX_EMALF;
		if (v != NULL)
			v->off[labels] = (uint8_t)p;
		labels++;
		p += 1 + (size_t)c;
	}
	if (v != NULL) {
		v->off[labels] = (uint8_t)p;
		v->labels = (uint8_t)labels;
		v->len = (uint8_t)(p + 1);
	}
	return (int)(p + 1);
}

size_t
dname_len(const uint8_t *name)
{
	const uint8_t *p = name;

	while (*p != 0)
		p += 1 + *p;
	return (size_t)(p - name) + 1;
}

unsigned
dname_label_count(const uint8_t *name)
{
	unsigned n = 0;

	for (; *name != 0; name += 1 + *name)
		n++;
	return n;
}

void
dname_lower(uint8_t *dst, const uint8_t *src, size_t len)
{
	for (size_t i = 0; i < len; i++)
		dst[i] = lc(src[i]);
}

bool
dname_equal(const uint8_t *a, const uint8_t *b)
{
	for (;;) {
		if (*a != *b)
			return false;
		if (*a == 0)
			return true;
		for (unsigned i = 1; i <= *a; i++)
			if (lc(a[i]) != lc(b[i]))
				return false;
		a += 1 + *a;
		b += 1 + *b;
	}
}

bool
dname_is_subdomain(const uint8_t *name, const uint8_t *parent)
{
	unsigned n = dname_label_count(name), k = dname_label_count(parent);

	if (n < k)
		return false;
	while (n-- > k)
		name += 1 + *name;
	return dname_equal(name, parent);
}

int
dname_compare(const uint8_t *a, const uint8_t *b)
{
	struct dname_view va, vb;

	if (dname_scan(a, DNAME_MAXLEN, &va) < 0 ||
	    dname_scan(b, DNAME_MAXLEN, &vb) < 0)
		return 0;
	int ia = va.labels, ib = vb.labels;
	while (ia > 0 && ib > 0) {
		const uint8_t *la = a + va.off[--ia], *lb = b + vb.off[--ib];
		unsigned n = la[0] < lb[0] ? la[0] : lb[0];
		for (unsigned i = 1; i <= n; i++) {
			int d = lc(la[i]) - lc(lb[i]);
			if (d != 0)
				return d;
		}
		if (la[0] != lb[0])
			return la[0] - lb[0];
	}
	return ia - ib;
}

static inline uint32_t
hash_label(uint32_t h, const uint8_t *label)
{
	h = (h ^ label[0]) * 0x01000193u;
	for (unsigned i = 1; i <= label[0]; i++)
		h = (h ^ label[i]) * 0x01000193u;
	return h;
}

static inline uint32_t
hash_final(uint32_t h)
{
	h ^= h >> 16;
	h *= 0x85ebca6bu;
	h ^= h >> 13;
	h *= 0xc2b2ae35u;
	h ^= h >> 16;
	return h;
}

void
dname_hash_suffixes(const uint8_t *name, const struct dname_view *v,
    uint32_t *h)
{
	uint32_t acc = 0x811c9dc5u;

	h[v->labels] = hash_final(acc);
	for (int i = v->labels - 1; i >= 0; i--) {
		acc = hash_label(acc, name + v->off[i]);
		h[i] = hash_final(acc);
	}
}

uint32_t
dname_hash(const uint8_t *name)
{
	struct dname_view v;
	uint32_t h[DNAME_MAXLABELS + 1];

	if (dname_scan(name, DNAME_MAXLEN, &v) < 0)
		return 0;
	dname_hash_suffixes(name, &v, h);
	return h[0];
}

/* Escape kinds: 1 with a backslash, 2 as \DDD (RFC 1035 5.1). */
static char *
to_str(const uint8_t *name, char *buf, size_t size, const uint8_t esc[256])
{
	size_t o = 0;

	if (size == 0)
		return buf;
	if (*name == 0) {
		snprintf(buf, size, ".");
		return buf;
	}
	for (; *name != 0; name += 1 + *name) {
		for (unsigned i = 1; i <= *name; i++) {
			uint8_t c = name[i];
			if (o + 5 >= size)
				goto out;
			if (esc[c] == 2)
				o += (size_t)snprintf(buf + o, size - o,
				    "\\%03u", c);
			else {
				if (esc[c] == 1)
					buf[o++] = '\\';
				buf[o++] = (char)c;
			}
		}
		if (o + 2 >= size)
			goto out;
		buf[o++] = '.';
	}
out:
	buf[o] = '\0';
	return buf;
}

char *
dname_to_str(const uint8_t *name, char *buf, size_t size)
{
	static uint8_t esc[256];

	if (esc[0] == 0) {
		for (int c = 0; c < 256; c++)
			esc[c] = (c <= 0x20 || c >= 0x7f) ? 2 : 0;
		for (const char *p = ".;\\()\"$@"; *p != '\0'; p++)
			esc[(unsigned char)*p] = 1;
	}
	return to_str(name, buf, size, esc);
}

char *
dname_to_zone_str(const uint8_t *name, char *buf, size_t size)
{
	static uint8_t esc[256];

	/* libzscanner takes nothing else bare in a name. The special
	 * characters of RFC 1035 5.1 go as \X; the rest as \DDD, which
	 * every reader takes (BIND reads "\[" as a bitstring label,
	 * libzscanner "\#" as generic RDATA where a name in RDATA
	 * starts). */
	if (esc[0] == 0) {
		for (int c = 0; c < 256; c++)
			esc[c] = (isalnum(c) || (c != 0 &&
			    strchr("-_*/", c) != NULL)) ? 0 : 2;
		for (const char *p = ".;\\()\"$@"; *p != '\0'; p++)
			esc[(unsigned char)*p] = 1;
	}
	return to_str(name, buf, size, esc);
}

int
dname_from_str(const char *s, const uint8_t *origin,
    uint8_t out[DNAME_MAXLEN])
{
	size_t n = 0, lpos = 0;
	bool absolute = false;

	if (strcmp(s, ".") == 0) {
		out[0] = 0;
		return 1;
	}
	if (strcmp(s, "@") == 0 && origin != NULL) {
		size_t ol = dname_len(origin);
		memcpy(out, origin, ol);
		return (int)ol;
	}
	out[0] = 0;
	n = 1;
	while (*s != '\0') {
		int c = (unsigned char)*s++;
		if (c == '.') {
			if (n - lpos == 1)
				return APEX_ESYNTAX;	/* empty label */
			if (*s == '\0')
				absolute = true;
			lpos = n;
			out[n++] = 0;
			if (n >= DNAME_MAXLEN)
				return APEX_ESYNTAX;
			continue;
		}
		if (c == '\\') {
			if (isdigit((unsigned char)s[0]) &&
			    isdigit((unsigned char)s[1]) &&
			    isdigit((unsigned char)s[2])) {
				c = (s[0] - '0') * 100 + (s[1] - '0') * 10 +
				    (s[2] - '0');
				if (c > 255)
					return APEX_ESYNTAX;
				s += 3;
			} else if (*s != '\0')
				c = (unsigned char)*s++;
			else
				return APEX_ESYNTAX;
		}
		if (out[lpos] == 63 || n + 1 >= DNAME_MAXLEN)
			return APEX_ESYNTAX;
		out[lpos]++;
		out[n++] = (uint8_t)c;
	}
	if (!absolute) {
		/* The current label is complete; append origin or root. */
		if (out[lpos] == 0)
			n = lpos;
		else if (n >= DNAME_MAXLEN)
			return APEX_ESYNTAX;
		if (origin != NULL) {
			size_t ol = dname_len(origin);
			if (n + ol > DNAME_MAXLEN)
				return APEX_ESYNTAX;
			memcpy(out + n, origin, ol);
			n += ol;
		} else
			out[n++] = 0;
	} else
		n = lpos + 1;	/* out[lpos] is the root label */
	return (int)n;
}
