/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * libFuzzer target: any bytes as a zone image. Images come from the
 * loader, a less trusted process than the workers that map them, so
 * zone_open() must reject every image that a lookup could misread.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dname.h"
#include "fuzz.h"
#include "zone.h"

static void
lookup(const struct zone *z, const char *name)
{
	uint8_t n[DNAME_MAXLEN];
	struct dname_view v;
	uint32_t h[DNAME_MAXLABELS + 1];
	struct zone_lookup r;

	if (dname_from_str(name, NULL, n) < 0 ||
	    dname_scan(n, sizeof(n), &v) < 0)
		return;
	if (!dname_is_subdomain(n, z->origin))
		return;
	dname_hash_suffixes(n, &v, h);
	zone_lookup(z, n, &v, h, &r);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct zone z;
	/* zone_open() needs the alignment an mmap gives. */
	uint64_t *copy = malloc(size + 8);

	if (copy == NULL)
		return 0;
	memcpy(copy, data, size);
	if (zone_open(&z, copy, size) == 0) {
		for (uint32_t k = 0; k < z.hdr->node_count; k++) {
			const struct zone_node *n = zone_node(&z, k);
			const struct zone_rrset *rs = zone_rrset_first(&z, n);
			for (unsigned i = 0; i < n->nrrsets; i++,
			    rs = zone_rrset_next(rs))
				(void)zone_find_rrset(&z, n, rs->type);
		}
		lookup(&z, "a.b.example.");
		lookup(&z, "x.example.com.");
		lookup(&z, "example.");
	}
	free(copy);
	return 0;
}
