/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * The zone table.
 * Runs in: workers, apex-xferd.
 */
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "zonetab.h"

void
zonetab_init(struct zonetab *t)
{
	memset(t, 0, sizeof(*t));
}

void
zonetab_free(struct zonetab *t)
{
	free(t->e);
	free(t->slots);
	memset(t, 0, sizeof(*t));
}

static void
rehash(struct zonetab *t)
{
	uint32_t size = 16;

	while (size < t->n * 2 + 2)
		size *= 2;
	free(t->slots);
	t->slots = xmalloc(size * sizeof(*t->slots));
	memset(t->slots, 0xff, size * sizeof(*t->slots));
	t->mask = size - 1;
	for (uint32_t i = 0; i < t->n; i++) {
		uint32_t s = t->e[i].hash & t->mask;
		while (t->slots[s] != UINT32_MAX)
			s = (s + 1) & t->mask;
		t->slots[s] = i;
	}
}

static uint32_t
find_exact(const struct zonetab *t, const uint8_t *lname, size_t len,
    uint32_t hash)
{
	if (t->slots == NULL)
		return UINT32_MAX;
	for (uint32_t s = hash & t->mask;; s = (s + 1) & t->mask) {
		uint32_t i = t->slots[s];
		if (i == UINT32_MAX)
			return UINT32_MAX;
		const struct zone *z = &t->e[i].zone;
		if (t->e[i].hash == hash && z->hdr->origin_len == len &&
		    memcmp(z->origin, lname, len) == 0)
			return i;
	}
}

void
zonetab_put(struct zonetab *t, const struct zone *z, const void *data)
{
	uint32_t hash = dname_hash(z->origin);
	uint32_t i = find_exact(t, z->origin, z->hdr->origin_len, hash);

	if (i != UINT32_MAX) {
		t->e[i].zone = *z;
		t->e[i].data = data;
		return;
	}
	if (t->n == t->cap) {
		t->cap = t->cap ? t->cap * 2 : 8;
		t->e = xreallocarray(t->e, t->cap, sizeof(*t->e));
	}
	t->e[t->n].zone = *z;
	t->e[t->n].data = data;
	t->e[t->n].hash = hash;
	t->n++;
	rehash(t);
}

void
zonetab_remove(struct zonetab *t, const uint8_t *origin)
{
	size_t len = dname_len(origin);
	uint32_t i = find_exact(t, origin, len, dname_hash(origin));

	if (i == UINT32_MAX)
		return;
	t->e[i] = t->e[--t->n];
	rehash(t);
}

const struct zonetab_entry *
zonetab_find(const struct zonetab *t, const uint8_t *lname,
    const struct dname_view *v, const uint32_t *h, unsigned skip)
{
	for (unsigned i = skip; i <= v->labels; i++) {
		uint32_t k = find_exact(t, lname + v->off[i],
		    (size_t)(v->len - v->off[i]), h[i]);
		if (k != UINT32_MAX)
			return &t->e[k];
	}
	return NULL;
}

const struct zonetab_entry *
zonetab_get(const struct zonetab *t, const uint8_t *origin)
{
	uint32_t i = find_exact(t, origin, dname_len(origin),
	    dname_hash(origin));

	return i == UINT32_MAX ? NULL : &t->e[i];
}
