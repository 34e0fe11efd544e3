/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * Test-only stand-ins for the lib/dnskey.c functions the key manager
 * calls, so that its state machine is tested without cryptography: a
 * "key" is a struct kept in memory, keyed by its base path, with empty
 * .key, .private and .state files on disk so that purging (unlink) and
 * scanning (which returns the keys whose .key file exists) behave as
 * with real files.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dnskey.h"
#include "error.h"

#define STUB_MAX	256

static struct dnskey	*stub_store[STUB_MAX];
static unsigned		 stub_n;

/* Set by a test: dnskey_scan() reports a key that did not load. */
const char		*stub_scan_error;

static bool
stub_tag_used(uint16_t tag)
{
	for (unsigned i = 0; i < stub_n; i++)
		if (stub_store[i]->tag == tag)
			return true;
	return false;
}

static int
stub_touch(const char *base, const char *ext)
{
	char path[4200];
	int fd;

	snprintf(path, sizeof(path), "%s%s", base, ext);
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) == -1)
		return APEX_EIO;
	close(fd);
	return 0;
}

int
dnskey_generate(const char *dir, const uint8_t *origin, uint8_t alg,
    unsigned bits, uint16_t flags, time_t now, struct dnskey **out)
{
	struct dnskey *k;
	uint16_t tag;

	if (stub_n == STUB_MAX)
		return APEX_EIO;
	do
		tag = (uint16_t)(1 + random() % 65535);
	while (stub_tag_used(tag));
	k = xcalloc(1, sizeof(*k));
	memcpy(k->origin, origin, dname_len(origin));
	snprintf(k->base, sizeof(k->base), "%s/Kstub.+%03u+%05u", dir, alg,
	    tag);
	k->flags = flags;
	k->alg = alg;
	k->tag = tag;
	k->bits = bits;
	k->rdlen = 4;
	put16(k->rdata, flags);
	k->rdata[2] = 3;
	k->rdata[3] = alg;
	k->ttl = 3600;
	k->has_state = true;
	k->t[DKT_CREATED] = now;
	k->goal = DST_HIDDEN;
	for (int r = 0; r < DKR_COUNT; r++)
		k->st[r] = DST_HIDDEN;
	if (stub_touch(k->base, ".key") < 0 ||
	    stub_touch(k->base, ".private") < 0 ||
	    stub_touch(k->base, ".state") < 0) {
		free(k);
		return APEX_EIO;
	}
	stub_store[stub_n] = xmalloc(sizeof(*k));
	memcpy(stub_store[stub_n++], k, sizeof(*k));
	*out = k;
	return 0;
}

int
dnskey_write_state(const struct dnskey *k)
{
	for (unsigned i = 0; i < stub_n; i++)
		if (strcmp(stub_store[i]->base, k->base) == 0) {
			memcpy(stub_store[i], k, sizeof(*k));
			stub_store[i]->pkey = NULL;
			return 0;
		}
	errno = ENOENT;
	return APEX_EIO;
}

static int
stub_cmp(const void *a, const void *b)
{
	const struct dnskey *x = *(struct dnskey *const *)a;
	const struct dnskey *y = *(struct dnskey *const *)b;

	return (int)x->tag - (int)y->tag;
}

int
dnskey_scan(const char *dir, const uint8_t *origin, bool want_private,
    struct dnskey ***keys, unsigned *n, char *err, size_t errlen)
{
	size_t dl = strlen(dir);
	char path[4200];

	(void)origin;
	(void)want_private;
	if (stub_scan_error != NULL)
		snprintf(err, errlen, "%s", stub_scan_error);
	*keys = xcalloc(stub_n + 1, sizeof(**keys));
	*n = 0;
	for (unsigned i = 0; i < stub_n; i++) {
		struct dnskey *s = stub_store[i];

		if (strncmp(s->base, dir, dl) != 0 || s->base[dl] != '/')
			continue;
		snprintf(path, sizeof(path), "%s.key", s->base);
		if (access(path, F_OK) != 0)
			continue;
		(*keys)[*n] = xmalloc(sizeof(*s));
		memcpy((*keys)[(*n)++], s, sizeof(*s));
	}
	qsort(*keys, *n, sizeof(**keys), stub_cmp);
	return 0;
}

/* A stored key; a private part is marked by a pointer never followed. */
int
dnskey_load(const char *base, bool want_private, struct dnskey **out,
    char *err, size_t errlen)
{
	for (unsigned i = 0; i < stub_n; i++)
		if (strcmp(stub_store[i]->base, base) == 0) {
			*out = xmalloc(sizeof(**out));
			memcpy(*out, stub_store[i], sizeof(**out));
			(*out)->pkey = want_private ? (void *)&stub_n : NULL;
			return 0;
		}
	snprintf(err, errlen, "%s.key: no such key", base);
	errno = ENOENT;
	return APEX_EIO;
}

void
dnskey_free(struct dnskey *k)
{
	free(k);
}

void
dnskey_free_all(struct dnskey **k, unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		free(k[i]);
	free(k);
}

unsigned
dnskey_alg_default_bits(uint8_t alg)
{
	switch (alg) {
	case 13:
	case 15:
		return 256;
	case 14:
		return 384;
	case 16:
		return 456;
	}
	return 2048;
}

const char *
dnskey_alg_name(uint8_t alg)
{
	switch (alg) {
	case 8:
		return "RSASHA256";
	case 10:
		return "RSASHA512";
	case 13:
		return "ECDSAP256SHA256";
	case 14:
		return "ECDSAP384SHA384";
	case 15:
		return "ED25519";
	case 16:
		return "ED448";
	}
	return NULL;
}

const char *
dnskey_state_name(enum dnskey_state s)
{
	static const char *const names[] = {
		"na", "hidden", "rumoured", "omnipresent", "unretentive",
	};

	return (unsigned)s < nitems(names) ? names[s] : "na";
}
