/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * Zone images: verification and lookup (see zone.h for the layout).
 * Runs in: workers (lookups), every process that maps an image.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/stat.h>

#include "dname.h"
#include "error.h"
#include "nsec3.h"
#include "rr.h"
#include "zone.h"

static bool
in_bounds(size_t size, size_t off, size_t len)
{
	return off <= size && len <= size - off;
}

static int
verify_rrsets(const struct zone *z, const struct zone_node *n)
{
	size_t off = n->rrsets;
	bool prev_sigs = false;
	uint16_t prev_type = 0;

	if (off % 4 != 0)
		return APEX_EMALF;
	for (unsigned i = 0; i < n->nrrsets; i++) {
		if (!in_bounds(z->size, off, sizeof(struct zone_rrset)))
			return APEX_EMALF;
		const struct zone_rrset *rs =
		    (const struct zone_rrset *)(const void *)(z->base + off);
		off += sizeof(*rs);
		if (!in_bounds(z->size, off, rs->size) || rs->count == 0 ||
		    get16(rs->wire) != rs->type)
			return APEX_EMALF;
		const uint8_t *d = z->base + off, *end = d + rs->size;
		for (unsigned r = 0; r < rs->count; r++) {
			if (end - d < 2 || end - d - 2 < get16(d))
				return APEX_EMALF;
			d += 2 + get16(d);
		}
		if (d != end || (rs->type == TYPE_RRSIG && get16(z->base +
		    off) < 18))
			return APEX_EMALF;
		/* What answers follow: the sigs bit names an RRSIG RRset
		 * next, covering this type. */
		if (prev_sigs && (rs->type != TYPE_RRSIG ||
		    get16(z->base + off + 2) != prev_type))
			return APEX_EMALF;
		prev_sigs = rs->sigs;
		prev_type = rs->type;
		off = (off + rs->size + 3) & ~(size_t)3;
	}
	return prev_sigs ? APEX_EMALF : 0;
}

static int
verify_node(const struct zone *z, uint32_t k)
{
	const struct zone_node *n = &z->nodes[k];
	struct dname_view v;

	if (!in_bounds(z->size, n->name, n->name_len) ||
	    dname_scan(z->base + n->name, n->name_len, &v) != n->name_len ||
	    v.labels != n->labels || n->labels < z->hdr->origin_labels ||
	    dname_hash(z->base + n->name) != n->hash ||
	    (n->up != ZONE_NONE && n->up >= k))
		return APEX_EMALF;
	/* Names are lowercase, and all are at or below the origin. */
	for (unsigned i = 0; i < n->name_len; i++)
		if (dname_lower_table[z->base[n->name + i]] != 0)
			return APEX_EMALF;
	if (!dname_is_subdomain(z->base + n->name, z->origin))
		return APEX_EMALF;
	return verify_rrsets(z, n);
}

static bool
dnode_ok(const struct zone_hdr *h, uint32_t v)
{
	if (v == ZONE_NONE)
		return true;
	if (h->denial == ZONE_DENIAL_NSEC3)
		return (v & ZONE_N3_INDEX) < h->n3_count;
	return v < h->node_count;
}

/* The proof index of a signed zone: every reference in range. */
static int
verify_denial(struct zone *z)
{
	const struct zone_hdr *h = z->hdr;

	if (h->denial == ZONE_DENIAL_NONE)
		return h->dnodes == 0 && h->n3_count == 0 ? 0 : APEX_EMALF;
	if (h->denial > ZONE_DENIAL_NSEC3 || h->dnodes % 4 || h->n3 % 4 ||
	    !in_bounds(z->size, h->dnodes,
	    (size_t)h->node_count * sizeof(struct zone_dnode)) ||
	    !in_bounds(z->size, h->n3,
	    (size_t)h->n3_count * sizeof(struct zone_n3)) ||
	    (h->denial == ZONE_DENIAL_NSEC3) != (h->n3_count > 0) ||
	    h->n3_iterations > NSEC3_MAX_ITER)
		return APEX_EMALF;
	z->dnodes = (const struct zone_dnode *)(const void *)
	    (z->base + h->dnodes);
	z->n3 = (const struct zone_n3 *)(const void *)(z->base + h->n3);
	for (uint32_t k = 0; k < h->node_count; k++)
		if (!dnode_ok(h, z->dnodes[k].self) ||
		    !dnode_ok(h, z->dnodes[k].wild))
			return APEX_EMALF;
	for (uint32_t i = 0; i < h->n3_count; i++)
		if (z->n3[i].node >= h->node_count)
			return APEX_EMALF;
	return 0;
}

/* The parts every image has; the header's offsets are in bounds. */
static void
attach_base(struct zone *z, const void *blob, size_t size)
{
	const struct zone_hdr *h = blob;

	z->base = blob;
	z->size = size;
	z->hdr = h;
	z->nodes = (const struct zone_node *)(const void *)(z->base + h->nodes);
	z->slots = (const struct zone_slot *)(const void *)(z->base + h->slots);
	z->origin = z->base + h->origin;
}

void
zone_attach(struct zone *z, const void *blob, size_t size)
{
	const struct zone_hdr *h = blob;

	memset(z, 0, sizeof(*z));
	attach_base(z, blob, size);
	if (h->denial != ZONE_DENIAL_NONE) {
		z->dnodes = (const struct zone_dnode *)(const void *)
		    (z->base + h->dnodes);
		z->n3 = (const struct zone_n3 *)(const void *)
		    (z->base + h->n3);
	}
}

int
zone_open(struct zone *z, const void *blob, size_t size)
{
	const struct zone_hdr *h = blob;

	memset(z, 0, sizeof(*z));
	if (size < sizeof(*h) || h->magic != ZONE_MAGIC ||
	    h->version != ZONE_VERSION || h->size != size ||
	    h->node_count == 0 || h->node_count == ZONE_NONE ||
	    h->hash_mask == UINT32_MAX || (h->hash_mask & (h->hash_mask + 1)) ||
	    h->hash_mask < h->node_count || h->nodes % 4 || h->slots % 4 ||
	    !in_bounds(size, h->nodes,
	    (size_t)h->node_count * sizeof(struct zone_node)) ||
	    !in_bounds(size, h->slots,
	    ((size_t)h->hash_mask + 1) * sizeof(struct zone_slot)) ||
	    !in_bounds(size, h->origin, h->origin_len))
		return APEX_EMALF;
	attach_base(z, blob, size);
	if (dname_scan(z->origin, h->origin_len, NULL) != (int)h->origin_len ||
	    dname_label_count(z->origin) != h->origin_labels ||
	    z->nodes[0].name != h->origin || !(z->nodes[0].flags & ZN_APEX))
		goto bad;
	for (uint32_t k = 0; k < h->node_count; k++)
		if (verify_node(z, k) != 0)
			goto bad;
	if (verify_denial(z) != 0)
		goto bad;
	uint32_t used = 0;
	for (uint32_t s = 0; s <= h->hash_mask; s++) {
		if (z->slots[s].node == ZONE_NONE)
			continue;
		if (z->slots[s].node >= h->node_count ||
		    z->slots[s].hash != z->nodes[z->slots[s].node].hash)
			goto bad;
		used++;
	}
	if (used != h->node_count)
		goto bad;
	return 0;
bad:
	memset(z, 0, sizeof(*z));
	return APEX_EMALF;
}

const struct zone_rrset *
zone_find_rrset(const struct zone *z, const struct zone_node *n,
    uint16_t type)
{
	const struct zone_rrset *rs = zone_rrset_first(z, n);

	for (unsigned i = 0; i < n->nrrsets; i++, rs = zone_rrset_next(rs))
		if (rs->type == type)
			return rs;
	return NULL;
}

uint32_t
zone_find_node(const struct zone *z, const uint8_t *lname, size_t len,
    uint32_t hash)
{
	uint32_t mask = z->hdr->hash_mask;

	for (uint32_t s = hash & mask;; s = (s + 1) & mask) {
		const struct zone_slot *sl = &z->slots[s];
		if (sl->node == ZONE_NONE)
			return ZONE_NONE;
		if (sl->hash != hash)
			continue;
		const struct zone_node *n = &z->nodes[sl->node];
		if (n->name_len == len &&
		    memcmp(z->base + n->name, lname, len) == 0)
			return sl->node;
	}
}

uint32_t
zone_find_name(const struct zone *z, const uint8_t *lname)
{
	return zone_find_node(z, lname, dname_len(lname), dname_hash(lname));
}

/* Classifies an interrupted lookup: a cut wins over a DNAME at a node. */
static void
set_interrupt(const struct zone *z, uint32_t node, struct zone_lookup *out)
{
	out->node = node;
	out->match = (z->nodes[node].flags & ZN_CUT) ? ZM_DELEGATION : ZM_DNAME;
}

void
zone_lookup(const struct zone *z, const uint8_t *lname,
    const struct dname_view *v, const uint32_t *h, struct zone_lookup *out)
{
	unsigned top = v->labels - z->hdr->origin_labels;
	uint32_t n = zone_find_node(z, lname, v->len, h[0]);

	/* NSEC3 owners are not names of the zone (RFC 5155 7.2.8). */
	if (n != ZONE_NONE && (z->nodes[n].flags & ZN_NSEC3))
		n = ZONE_NONE;
	if (n != ZONE_NONE) {
		const struct zone_node *node = &z->nodes[n];
		out->encloser = n;
		out->exact = true;
		if (node->up != ZONE_NONE)
			set_interrupt(z, node->up, out);
		else if (node->flags & ZN_CUT) {
			out->match = ZM_DELEGATION;
			out->node = n;
		} else {
			out->match = ZM_EXACT;
			out->node = n;
		}
		return;
	}
	/* Closest encloser: the origin always exists, so this ends. */
	unsigned i;
	for (i = 1; i < top; i++) {
		n = zone_find_node(z, lname + v->off[i], v->len - v->off[i],
		    h[i]);
		if (n != ZONE_NONE && !(z->nodes[n].flags & ZN_NSEC3))
			break;
	}
	if (i >= top)
		n = 0;
	const struct zone_node *ce = &z->nodes[n];
	out->encloser = n;
	out->exact = false;
	if (ce->up != ZONE_NONE) {
		set_interrupt(z, ce->up, out);
		return;
	}
	if (ce->flags & (ZN_CUT | ZN_DNAME)) {
		set_interrupt(z, n, out);
		return;
	}
	if (ce->flags & ZN_WILD_CHILD) {
		uint8_t wild[DNAME_MAXLEN + 2];
		size_t len = v->len - v->off[i];
		wild[0] = 1;
		wild[1] = '*';
		memcpy(wild + 2, lname + v->off[i], len);
		uint32_t w = zone_find_name(z, wild);
		if (w != ZONE_NONE) {
			out->match = ZM_WILDCARD;
			out->node = w;
			return;
		}
	}
	out->match = ZM_NXDOMAIN;
	out->node = n;
}

const struct zone_rrset *
zone_soa(const struct zone *z)
{
	if (z->hdr->node_count == 0)
		return NULL;
	return zone_find_rrset(z, zone_node(z, 0), TYPE_SOA);
}

int
zone_memfd(const char *zname, const void *blob, size_t size)
{
	char name[64];
	int fd;

	snprintf(name, sizeof(name), "apex-zone:%s", zname);
	if ((fd = memfd_create(name, MFD_CLOEXEC | MFD_ALLOW_SEALING)) < 0)
		return -1;
	const uint8_t *p = blob;
	size_t left = size;
	while (left > 0) {
		ssize_t n = write(fd, p, left);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			goto fail;
		}
		p += n;
		left -= (size_t)n;
	}
	if (fcntl(fd, F_ADD_SEALS, F_SEAL_SHRINK | F_SEAL_GROW |
	    F_SEAL_WRITE | F_SEAL_SEAL) != 0)
		goto fail;
	return fd;
fail:;
	int e = errno;
	close(fd);
	errno = e;
	return -1;
}

int
zone_map(int fd, struct zone *z, struct zone_mapping *m)
{
	struct stat st;
	int need = F_SEAL_SHRINK | F_SEAL_WRITE;

	/* An image that its maker could still change would make the
	 * verification below worthless. */
	int seals = fcntl(fd, F_GET_SEALS);
	if (seals < 0 || (seals & need) != need)
		return APEX_EMALF;
	if (fstat(fd, &st) != 0 || st.st_size <= 0)
		return APEX_EMALF;
	void *base = mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED,
	    fd, 0);
	if (base == MAP_FAILED)
		return APEX_EIO;
	if (zone_open(z, base, (size_t)st.st_size) != 0) {
		munmap(base, (size_t)st.st_size);
		return APEX_EMALF;
	}
	m->base = base;
	m->size = (size_t)st.st_size;
	return 0;
}

void
zone_unmap(struct zone_mapping *m)
{
	if (m->base != NULL)
		munmap(m->base, m->size);
	m->base = NULL;
	m->size = 0;
}
