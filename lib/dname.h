/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * Domain names in wire form.
 *
 * A name is a sequence of labels, each a length octet (1-63) and that many
 * octets, ending with the root label (a zero octet); at most 255 octets in
 * all (RFC 1035 3.1). Names inside apex are always uncompressed and
 * absolute. Names used for lookups are lowercased (ASCII only, RFC 4343);
 * names written back to clients keep the case they arrived in.
 *
 * A name's hash is built from the root towards the leftmost label, so the
 * hashes of all of a name's suffixes come out of one pass
 * (dname_hash_suffixes). Zone images store these hashes; they are part of
 * the image format and must not change without bumping its version.
 */
#ifndef APEX_DNAME_H
#define APEX_DNAME_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define DNAME_MAXLEN	255
#define DNAME_MAXLABELS	128	/* 127 labels plus the root */
#define DNAME_STRLEN	1024	/* worst-case presentation, \DDD escapes */

extern const uint8_t dname_lower_table[256];

/* ASCII lowercase of one octet (RFC 4343). */
static inline uint8_t
dname_lc(uint8_t c)
{
	uint8_t l = dname_lower_table[c];

	return l ? l : c;
}

/* A parsed name with its label offsets, as lookups need it. */
struct dname_view {
	uint8_t	len;			/* octets, including the root */
	uint8_t	labels;			/* labels, excluding the root */
	uint8_t	off[DNAME_MAXLABELS];	/* offset of label i from the left */
};

/*
 * Reads a name at *pos in pkt[0..len), following compression pointers
 * (strictly backwards only, which rules out loops), and copies it
 * uncompressed to out. *pos moves past the name's bytes in place.
 * Returns: the name's length in octets, or APEX_EMALF.
 */
int	dname_unpack(const uint8_t *pkt, size_t len, size_t *pos,
	    uint8_t out[DNAME_MAXLEN]) MUST_CHECK;

/*
 * Checks an uncompressed name at name[0..max) and fills v (may be NULL).
 * Returns: its length, or APEX_EMALF (pointer, bad label, too long).
 */
int	dname_scan(const uint8_t *name, size_t max, struct dname_view *v)
	    MUST_CHECK;

/* Length of a valid uncompressed name. */
size_t	dname_len(const uint8_t *name);
/* Number of labels, excluding the root. */
unsigned	dname_label_count(const uint8_t *name);
void	dname_lower(uint8_t *dst, const uint8_t *src, size_t len);
/* Case-insensitive equality of two valid names. */
bool	dname_equal(const uint8_t *a, const uint8_t *b);
/* Whether name equals parent or lies below it (case-insensitive). */
bool	dname_is_subdomain(const uint8_t *name, const uint8_t *parent);
/* RFC 4034 6.1 canonical order; <0, 0, >0 as memcmp. */
int	dname_compare(const uint8_t *a, const uint8_t *b);

/*
 * Hashes of every suffix of a lowercase name: h[i] is the hash of the
 * name that starts at label i (h[v->labels] is the root's).
 */
void	dname_hash_suffixes(const uint8_t *name, const struct dname_view *v,
	    uint32_t *h);
/* Hash of one lowercase name, equal to h[0] above. */
uint32_t	dname_hash(const uint8_t *name);

/*
 * Presentation form with RFC 1035 5.1 escapes and a final dot.
 * Returns: buf, always terminated (truncated if size is short).
 */
char	*dname_to_str(const uint8_t *name, char *buf, size_t size);

/*
 * The same for zone files: every octet but letters, digits, "-", "_",
 * "*" and "/" escaped, so that any zone file reader takes the name back.
 * Returns: buf, as dname_to_str().
 */
char	*dname_to_zone_str(const uint8_t *name, char *buf, size_t size);

/*
 * Parses presentation form; a name without a final dot is relative to
 * origin (NULL means the root). Returns: the wire length or APEX_ESYNTAX.
 */
int	dname_from_str(const char *s, const uint8_t *origin,
	    uint8_t out[DNAME_MAXLEN]) MUST_CHECK;

#endif
