/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * Flat record lists (see rrbuf.h).
 * Runs in: apex-xferd, the tests.
 */
#include <stdlib.h>
#include <string.h>

#include "dname.h"
#include "error.h"
#include "rrbuf.h"

void
rrbuf_init(struct rrbuf *b)
{
	memset(b, 0, sizeof(*b));
}

void
rrbuf_free(struct rrbuf *b)
{
	free(b->p);
	rrbuf_init(b);
}

void
rrbuf_reset(struct rrbuf *b)
{
	b->len = 0;
	b->count = 0;
}

static uint8_t *
rrbuf_room(struct rrbuf *b, size_t n)
{
	if (b->cap - b->len < n) {
		size_t cap = b->cap ? b->cap : 4096;
		while (cap - b->len < n)
			cap *= 2;
		b->p = xrealloc(b->p, cap);
		b->cap = cap;
	}
	uint8_t *at = b->p + b->len;
	b->len += n;
	return at;
}

void
rrbuf_add(struct rrbuf *b, const uint8_t *owner, uint16_t type,
    uint16_t rclass, uint32_t ttl, const uint8_t *rdata, uint16_t rdlen)
{
	size_t ol = dname_len(owner);
	uint8_t *p = rrbuf_room(b, ol + 10 + rdlen);

	memcpy(p, owner, ol);
	p += ol;
	put16(p, type);
	put16(p + 2, rclass);
	put32(p + 4, ttl);
	put16(p + 8, rdlen);
	if (rdlen > 0)
		memcpy(p + 10, rdata, rdlen);
	b->count++;
}

void
rrbuf_add_wire(struct rrbuf *b, const uint8_t *owner, const uint8_t wire8[8],
    const uint8_t *rec)
{
	rrbuf_add(b, owner, get16(wire8), get16(wire8 + 2), get32(wire8 + 4),
	    rec + 2, get16(rec));
}

void
rrbuf_append(struct rrbuf *b, const struct rrbuf *from)
{
	if (from->len == 0)
		return;
	memcpy(rrbuf_room(b, from->len), from->p, from->len);
	b->count += from->count;
}

int
rrbuf_next(const uint8_t *p, size_t len, size_t *pos, struct rrview *v)
{
	size_t at = *pos;

	if (at >= len)
		return APEX_ENOENT;
	int ol = dname_scan(p + at, len - at, NULL);
	if (ol < 0 || len - at - (size_t)ol < 10)
		return APEX_EMALF;
	const uint8_t *f = p + at + ol;
	uint16_t rdlen = get16(f + 8);
	if (len - at - (size_t)ol - 10 < rdlen)
		return APEX_EMALF;
	v->owner = p + at;
	v->wire8 = f;
	v->rec = f + 8;
	v->type = get16(f);
	v->rclass = get16(f + 2);
	v->ttl = get32(f + 4);
	v->rdlen = rdlen;
	v->rdata = f + 10;
	v->size = (size_t)ol + 10 + rdlen;
	*pos = at + v->size;
	return 0;
}
