/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * The receiving side of a zone transfer, as a pure function of the
 * messages that arrive: AXFR (RFC 5936) and IXFR (RFC 1995) responses
 * are checked message by message (ID, question, RCODE, TSIG on the
 * first and last message and at least every 100th, records inside the
 * zone and of its class, the record limit) and turned into either the
 * whole zone or a chain of differences. The network, timers and what is
 * done with the result belong to the caller.
 */
#ifndef APEX_XFRIN_H
#define APEX_XFRIN_H

#include <stdbool.h>
#include <stdint.h>

#include "dname.h"
#include "rrbuf.h"
#include "tsig.h"

enum xfrin_status {
	XFRIN_MORE,		/* waiting for the next message */
	XFRIN_DONE,
	XFRIN_ERROR,		/* see error[], and rcode */
};

enum xfrin_kind {
	XFRIN_UPTODATE,		/* IXFR: the primary has nothing newer */
	XFRIN_FULL,		/* the whole zone in full */
	XFRIN_INCREMENTAL,	/* diffs[0..ndiffs) */
};

struct xfrin_diff {
	uint32_t	from, to;
	struct rrbuf	del, add;	/* each headed by its SOA */
};

struct xfrin {
	/* What was asked. */
	uint8_t		 origin[DNAME_MAXLEN];
	uint16_t	 rclass;
	uint16_t	 qtype;		/* TYPE_AXFR or TYPE_IXFR */
	uint16_t	 id;
	uint32_t	 serial;	/* IXFR: the version we have */
	uint32_t	 max_records;	/* 0: no limit */
	struct tsig_ctx	*tsig;		/* NULL: unsigned */

	/* What came back. */
	enum xfrin_kind	 kind;
	uint32_t	 new_serial;
	struct rrbuf	 full;		/* XFRIN_FULL: SOA first, no end SOA */
	struct xfrin_diff *diffs;
	unsigned	 ndiffs;
	uint64_t	 records;	/* seen so far */
	unsigned	 messages;
	uint64_t	 octets;
	uint16_t	 rcode;		/* of an error response */
	char		 error[256];

	/* Where the reader is. */
	int		 state;
	unsigned	 unsigned_run;	/* messages since a signed one */
};

/* Sets up x for a transfer of origin; tsig (or NULL) has signed the
 * request already. */
void	xfrin_init(struct xfrin *x, const uint8_t *origin, uint16_t rclass,
	    uint16_t qtype, uint16_t id, uint32_t serial,
	    uint32_t max_records, struct tsig_ctx *tsig);
void	xfrin_free(struct xfrin *x);

/* Takes one message (without the TCP length). now: for TSIG. */
enum xfrin_status	xfrin_message(struct xfrin *x, const uint8_t *msg,
			    size_t len, uint64_t now);

/* What the answer to a refresh's SOA query says (RFC 1034 4.3.5). */
struct xfrin_soa {
	uint16_t	flags;		/* of the header: AA, RCODE */
	bool		found;		/* an SOA of the zone in the answer */
	uint32_t	serial;		/* its serial, if found */
	bool		malformed;	/* an SOA of the zone without its
					 * two names and five counters */
	size_t		tsig_pos;	/* of its TSIG record, 0: unsigned */
};

/*
 * Reads the answer msg to the SOA query id for origin into out. Neither
 * the TSIG signature nor the RCODE is checked here.
 * Returns: 0, APEX_ENOENT (not the answer to that query: keep waiting)
 * or APEX_EMALF (the answer, malformed).
 */
int	xfrin_soa_answer(const uint8_t *msg, size_t len, uint16_t id,
	    const uint8_t *origin, struct xfrin_soa *out) MUST_CHECK;

struct zone;
struct zone_builder;

/*
 * Applies the differences of an XFRIN_INCREMENTAL transfer to the zone
 * image z and adds every record of the result to zb.
 * Returns: 0, or APEX_EZONE with err set when a difference deletes a
 * record the zone does not have (the caller falls back to AXFR).
 */
int	xfrin_apply(const struct xfrin *x, const struct zone *z,
	    struct zone_builder *zb, char *err, size_t errlen) MUST_CHECK;

/*
 * Replays a journal held in memory (p[0..len), as journal.h lays it
 * out) over the zone image z: the records that lead on from z's serial,
 * as far as they are whole, are applied and the result added to zb (the
 * loader uses this for a dynamic zone whose updates are newer than its
 * file). *to is the serial reached.
 * Returns: 1 if records were applied, 0 if there were none (nothing was
 * added to zb), or -1 with err set if they do not apply.
 */
int	journal_replay(const uint8_t *p, size_t len, const struct zone *z,
	    struct zone_builder *zb, uint32_t *to, char *err, size_t errlen);

#endif
