/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * libFuzzer target: any zone file that loads, signed by sign_zone() with
 * one ECDSAP256SHA256 key (NSEC, or NSEC3 with or without opt-out, by
 * the input's length). The signed image must pass zone_open()'s full
 * verification, and signing the same zone again with the result as the
 * previous version must make one signature only, the new SOA's: every
 * other RRset is unchanged and keeps what it had.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dname.h"
#include "dnskey.h"
#include "fuzz.h"
#include "rr.h"
#include "sign.h"
#include "zone.h"
#include "zonefile.h"

#define NOW	1800000000u

static struct dnskey *key;
static struct sign_key use;

static void
setup(const uint8_t *origin)
{
	char dir[] = "/tmp/apex-fuzz-sign-XXXXXX";

	if (mkdtemp(dir) == NULL || dnskey_generate(dir, origin, 13, 256,
	    DNSKEY_F_ZONE | DNSKEY_F_SEP, NOW, &key) != 0)
		abort();
	use = (struct sign_key){ key, true, true, true, true };
}

static void
params(struct sign_params *sp, size_t size, uint32_t serial)
{
	memset(sp, 0, sizeof(*sp));
	sp->now = NOW;
	sp->serial = serial;
	sp->validity = sp->validity_dnskey = 14 * 86400;
	sp->refresh = 5 * 86400;
	sp->jitter = 3600;
	sp->dnskey_ttl = 3600;
	sp->nsec3 = (size & 1) != 0;
	sp->optout = (size & 2) != 0;
	sp->keys = &use;
	sp->nkeys = 1;
	sp->max_records = 4000;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct zonefile_opts opts = { "/nonexistent", CLASS_IN, 100, 100,
	    NULL, NULL, 2000 };
	uint8_t origin[DNAME_MAXLEN];
	struct sign_params sp;
	struct sign_stats st1 = { 0 }, st2 = { 0 };
	struct zone uz, s1, s2;
	void *blob, *b1, *b2;
	size_t len, l1, l2;
	char err[256];

	if (size > 16384 || dname_from_str("example.com.", NULL, origin) < 0)
		return 0;
	if (key == NULL)
		setup(origin);
	char *path = fuzz_temp_file(data, size);
	int rc = zonefile_load(path, origin, &opts, &blob, &len);
	unlink(path);
	free(path);
	if (rc != 0)
		return 0;
	if (zone_open(&uz, blob, len) != 0)
		abort();
	params(&sp, size, uz.hdr->serial + 1);
	if (sign_zone(&uz, NULL, &sp, &b1, &l1, &st1, err, sizeof(err)) != 0) {
		free(blob);
		return 0;	/* over the limits: refused, not crashed */
	}
	if (zone_open(&s1, b1, l1) != 0)
		abort();	/* the signer must write valid images */
	params(&sp, size, uz.hdr->serial + 2);
	if (sign_zone(&uz, &s1, &sp, &b2, &l2, &st2, err, sizeof(err)) != 0 ||
	    zone_open(&s2, b2, l2) != 0)
		abort();
	if (st2.sigs_made > 1) {
		fprintf(stderr, "re-signing made %llu signatures\n",
		    (unsigned long long)st2.sigs_made);
		abort();
	}
	free(b2);
	free(b1);
	free(blob);
	return 0;
}
