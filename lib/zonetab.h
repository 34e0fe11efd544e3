/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * The table of served zones: finds the zone for a query name by longest
 * suffix match, probing a hash of zone origins with the query name's
 * suffix hashes (the same ones the zone lookup uses afterwards).
 *
 * Entries borrow their zone images and per-zone data; the table owns
 * only its arrays.
 */
#ifndef APEX_ZONETAB_H
#define APEX_ZONETAB_H

#include <stdint.h>

#include "dname.h"
#include "zone.h"

struct zonetab_entry {
	struct zone	 zone;
	const void	*data;		/* caller's per-zone data */
	uint32_t	 hash;
};

struct zonetab {
	struct zonetab_entry	*e;
	unsigned		 n, cap;
	uint32_t		*slots;		/* entry index or UINT32_MAX */
	uint32_t		 mask;
};

void	zonetab_init(struct zonetab *);
void	zonetab_free(struct zonetab *);
/* Adds or replaces the zone with this origin. */
void	zonetab_put(struct zonetab *, const struct zone *z, const void *data);
/* Removes the zone with this lowercase origin, if present. */
void	zonetab_remove(struct zonetab *, const uint8_t *origin);

/*
 * The zone closest to the name: the longest suffix of lname that is a
 * zone origin, skipping the first `skip` suffixes (skip=1 looks for the
 * parent of a zone apex, for DS). Returns NULL when no zone encloses it.
 */
const struct zonetab_entry	*zonetab_find(const struct zonetab *,
				    const uint8_t *lname,
				    const struct dname_view *v,
				    const uint32_t *h, unsigned skip);
/* The entry with exactly this lowercase origin, or NULL. */
const struct zonetab_entry	*zonetab_get(const struct zonetab *,
				    const uint8_t *origin);

#endif
