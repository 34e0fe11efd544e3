/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * A flat list of resource records, as zone transfers, journals and
 * zone differences carry them. Each record is stored uncompressed:
 * owner (wire form), then TYPE, CLASS, TTL, RDLENGTH and RDATA exactly
 * as on the wire, so pkt_put_rr() can write it straight into a message.
 */
#ifndef APEX_RRBUF_H
#define APEX_RRBUF_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

struct rrbuf {
	uint8_t		*p;
	size_t		 len, cap;
	uint32_t	 count;
};

/* One record, pointing into the buffer it was read from. */
struct rrview {
	const uint8_t	*owner;
	const uint8_t	*wire8;		/* TYPE CLASS TTL */
	const uint8_t	*rec;		/* RDLENGTH, then RDATA */
	uint16_t	 type;
	uint16_t	 rclass;
	uint32_t	 ttl;
	uint16_t	 rdlen;
	const uint8_t	*rdata;
	size_t		 size;		/* octets of the whole record */
};

void	rrbuf_init(struct rrbuf *);
void	rrbuf_free(struct rrbuf *);
void	rrbuf_reset(struct rrbuf *);
/* Appends a record; owner must be a valid uncompressed name. */
void	rrbuf_add(struct rrbuf *, const uint8_t *owner, uint16_t type,
	    uint16_t rclass, uint32_t ttl, const uint8_t *rdata,
	    uint16_t rdlen);
/* Appends a record given as TYPE CLASS TTL and RDLENGTH+RDATA. */
void	rrbuf_add_wire(struct rrbuf *, const uint8_t *owner,
	    const uint8_t wire8[8], const uint8_t *rec);
/* Appends every record of another buffer. */
void	rrbuf_append(struct rrbuf *, const struct rrbuf *);

/*
 * Reads the record at *pos of p[0..len), checking every length, and
 * moves *pos past it. Input may be untrusted (a journal on disk).
 * Returns: 0, APEX_ENOENT at the end, or APEX_EMALF.
 */
int	rrbuf_next(const uint8_t *p, size_t len, size_t *pos,
	    struct rrview *v) MUST_CHECK;

#endif
