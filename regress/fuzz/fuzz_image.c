/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * libFuzzer target: any bytes as a zone image. Images come from the
 * loader, a less trusted process than the workers that map them, so
 * zone_open() must reject every image that a lookup could misread,
 * the signatures beside each RRset and the denial index of signed
 * zones included.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "dname.h"
#include "fuzz.h"
#include "nsec3.h"
#include "rr.h"
#include "zone.h"

/* Reads the compiler must keep. */
static volatile uint32_t sink;

/* A lookup, and for signed zones the proofs an answer would use. */
static void
lookup(const struct zone *z, const char *name)
{
	uint8_t n[DNAME_MAXLEN], hash[20];
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
	if (z->dnodes == NULL)
		return;
	sink = z->dnodes[r.encloser].self ^ z->dnodes[r.encloser].wild;
	uint32_t k = zone_node_before(z, n);
	if (z->hdr->denial == ZONE_DENIAL_NSEC && z->dnodes[k].self !=
	    ZONE_NONE)
		(void)zone_find_rrset(z, zone_node(z, z->dnodes[k].self),
		    TYPE_NSEC);
	/* zone_open() does not bound the iterations the builder limits:
	 * past that, one hash costs up to 65,536 SHA-1 rounds. */
	if (z->hdr->denial == ZONE_DENIAL_NSEC3 &&
	    z->hdr->n3_iterations <= NSEC3_MAX_ITER) {
		zone_n3_hash(z, n, dname_len(n), hash);
		uint32_t ref = zone_n3_find(z, hash);
		if (ref != ZONE_NONE)
			(void)zone_find_rrset(z, zone_node(z,
			    z->n3[ref & ZONE_N3_INDEX].node), TYPE_NSEC3);
	}
}

/* Every proof entry a node has, and the record it names. */
static void
proofs(const struct zone *z, uint32_t k)
{
	uint32_t refs[2] = { z->dnodes[k].self, z->dnodes[k].wild };

	for (int i = 0; i < 2; i++) {
		if (refs[i] == ZONE_NONE)
			continue;
		if (z->hdr->denial == ZONE_DENIAL_NSEC3)
			(void)zone_find_rrset(z, zone_node(z,
			    z->n3[refs[i] & ZONE_N3_INDEX].node), TYPE_NSEC3);
		else
			(void)zone_find_rrset(z, zone_node(z, refs[i]),
			    TYPE_NSEC);
	}
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
			    rs = zone_rrset_next(rs)) {
				(void)zone_find_rrset(&z, n, rs->type);
				const struct zone_rrset *sig =
				    zone_rrset_sigs(rs);
				if (sig != NULL && zone_rrsig_covered(sig) !=
				    rs->type)
					abort();	/* zone_open() checks */
				(void)zone_find_sigs(&z, n, rs->type);
			}
			if (z.dnodes != NULL)
				proofs(&z, k);
		}
		lookup(&z, "a.b.example.");
		lookup(&z, "x.example.com.");
		lookup(&z, "example.");
		lookup(&z, "x.c.ent.example.com.");
		lookup(&z, "a.b.w.example.com.");
		lookup(&z, "zzz.example.com.");
	}
	free(copy);
	return 0;
}
