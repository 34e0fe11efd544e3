/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * The NSEC3 owner-name hash (RFC 5155 5) and the Base 32 Encoding with
 * Extended Hex Alphabet its owner names are written in (RFC 4648 7).
 */
#ifndef APEX_NSEC3_H
#define APEX_NSEC3_H

#include <stddef.h>
#include <stdint.h>

#define NSEC3_HASH_SHA1	1	/* the only algorithm (RFC 5155 11) */
#define NSEC3_HASHLEN	20
/* RFC 5155 10.3 allows up to 2,500 for the largest keys; more than that
 * is refused at load. */
#define NSEC3_MAX_ITER	2500
#define NSEC3_OPTOUT	0x01

/* SHA-1 (FIPS 180-4) of len octets. */
void	sha1(const void *data, size_t len, uint8_t out[NSEC3_HASHLEN]);

/*
 * IH(salt, name, iterations) of a lowercase wire-format name.
 */
void	nsec3_hash(const uint8_t *lname, size_t len, const uint8_t *salt,
	    unsigned saltlen, unsigned iterations,
	    uint8_t out[NSEC3_HASHLEN]);

/*
 * Decodes a base32hex label (either case, no padding) into out.
 * Returns: octets written, or -1 if it is not base32hex or too long.
 */
int	base32hex_decode(const uint8_t *s, size_t len, uint8_t *out,
	    size_t cap);
/* Encodes len octets, lowercase (as owner names are kept); returns the
 * characters written (out needs (len * 8 + 4) / 5). */
size_t	base32hex_encode(const uint8_t *in, size_t len, char *out);

#endif
