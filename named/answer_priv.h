/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * What the answer builder (answer.c) shares with the denial-of-existence
 * proofs (denial.c): the name being resolved and the section writers.
 */
#ifndef APEX_ANSWER_PRIV_H
#define APEX_ANSWER_PRIV_H

#include "answer.h"
#include "dname.h"
#include "zone.h"

#define SEC_ANSWER	6
#define SEC_AUTHORITY	8
#define SEC_ADDITIONAL	10

/* The name being resolved: as written back, lowercase, and hashed. */
struct chase {
	uint8_t			name[DNAME_MAXLEN];
	uint8_t			lname[DNAME_MAXLEN];
	struct dname_view	v;
	uint32_t		h[DNAME_MAXLABELS + 1];
};

/*
 * Writes an RRset, and with DO=1 the RRSIGs covering it, whole or not
 * at all; an answer or authority RRset that does not fit truncates the
 * response (RFC 2181 9, RFC 4035 3.1.1).
 * Returns: false when it did not fit.
 */
bool	answer_put_required(struct answer *a, unsigned count,
	    const uint8_t *owner, const struct zone_rrset *rs, uint64_t ttl);

/* ---- denial.c ----------------------------------------------------- */

/* Each queues the records RFC 4035 3.1.3 and RFC 5155 7.2 name for the
 * case, when the query has DO=1 and the zone a denial chain. */
void	denial_nxdomain(struct answer *a, const struct zonetab_entry *ze,
	    const struct chase *c, uint32_t encloser);
void	denial_nodata(struct answer *a, const struct zonetab_entry *ze,
	    const struct chase *c, const struct zone_lookup *r);
void	denial_wildcard(struct answer *a, const struct zonetab_entry *ze,
	    const struct chase *c, const struct zone_lookup *r);
void	denial_referral(struct answer *a, const struct zonetab_entry *ze,
	    uint32_t cut);
/* Writes what was queued to the authority section. */
void	denial_put(struct answer *a);

#endif
