/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * The difference between two versions of a zone, as IXFR (RFC 1995)
 * carries it: the records to delete, starting with the old SOA, and
 * the records to add, starting with the new SOA. Computed from two zone
 * images in one pass, since both hold names, RRsets and records in
 * canonical order; an RRset whose TTL changed is deleted and added
 * whole.
 */
#ifndef APEX_ZONEDIFF_H
#define APEX_ZONEDIFF_H

#include "rrbuf.h"
#include "zone.h"

/*
 * Appends the difference from old to new to del and add.
 * Returns: 0, or APEX_EZONE if either image has no SOA at its apex.
 */
int	zone_diff(const struct zone *old, const struct zone *new,
	    struct rrbuf *del, struct rrbuf *add) MUST_CHECK;

#endif
