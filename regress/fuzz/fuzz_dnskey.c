/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * libFuzzer target: a key's three files in BIND's format (.key,
 * .private, .state: the input split at its first two NUL octets; no
 * second one, no .state file), through dnskey_load().
 * A key that loads with its private part must sign what it then
 * verifies, and its .state must survive dnskey_write_state() and a
 * load again.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dname.h"
#include "dnskey.h"
#include "fuzz.h"

static char dir[64], base[128];

static void
put(const char *suffix, const uint8_t *p, size_t n)
{
	char path[256];
	FILE *f;

	snprintf(path, sizeof(path), "%s%s", base, suffix);
	if (p == NULL) {
		(void)unlink(path);
		return;
	}
	if ((f = fopen(path, "w")) == NULL)
		abort();
	if (n > 0 && fwrite(p, 1, n, f) != n)
		abort();
	fclose(f);
}

static void
check_key(struct dnskey *k)
{
	static const uint8_t data[] = "apex fuzz_dnskey";
	uint8_t sig[DNSKEY_SIG_MAX];
	int n = dnskey_sign(k, data, sizeof(data), sig);

	if (n < 0)
		return;		/* libcrypto refused: a clear error */
	if (!dnskey_verify(k, data, sizeof(data), sig, (size_t)n))
		abort();	/* a key that signs what it cannot verify */
	if (dnskey_verify(k, data, sizeof(data) - 1, sig, (size_t)n))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *a = data, *end = data + size;
	const uint8_t *b = memchr(a, 0, size), *c = NULL;
	uint8_t origin[DNAME_MAXLEN];
	struct dnskey *k = NULL, **keys = NULL;
	unsigned nk = 0;
	char err[512];

	if (size > 16384 || b == NULL)
		return 0;
	c = memchr(b + 1, 0, (size_t)(end - b - 1));
	if (dir[0] == '\0') {
		snprintf(dir, sizeof(dir), "/tmp/apex-fuzz-dnskey-XXXXXX");
		if (mkdtemp(dir) == NULL)
			abort();
		/* Not K<zone>+<alg>+<tag>: the name does not fix them. */
		snprintf(base, sizeof(base), "%s/fuzzkey", dir);
	}
	put(".key", a, (size_t)(b - a));
	put(".private", b + 1, (size_t)((c ? c : end) - b - 1));
	put(".state", c ? c + 1 : NULL, c ? (size_t)(end - c - 1) : 0);
	if (dnskey_load(base, true, &k, err, sizeof(err)) == 0) {
		check_key(k);
		if (dnskey_write_state(k) == 0) {
			struct dnskey *k2 = NULL;
			if (dnskey_load(base, false, &k2, err, sizeof(err)) != 0)
				abort();	/* what apex wrote must load */
			dnskey_free(k2);
		}
		dnskey_free(k);
	}
	/* The scan finds nothing here (the files are not named as a
	 * zone's keys), but reads the directory as it always does. */
	if (dname_from_str("example.", NULL, origin) < 0)
		abort();
	if (dnskey_scan(dir, origin, false, &keys, &nk, err,
	    sizeof(err)) == 0)
		dnskey_free_all(keys, nk);
	return 0;
}
