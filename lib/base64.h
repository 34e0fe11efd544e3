/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * Base64 (RFC 4648 section 4, with padding): TSIG and rndc secrets, key
 * files, the control channel's HMACs.
 */
#ifndef APEX_BASE64_H
#define APEX_BASE64_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

/* Characters base64_encode() writes for n octets, without the NUL. */
#define BASE64_LEN(n)	(((n) + 2) / 3 * 4)

/* Writes in[0..n) as padded base64 and a NUL to out, which holds
 * BASE64_LEN(n) + 1 characters. Returns: the characters written. */
size_t	base64_encode(const uint8_t *in, size_t n, char *out);

/*
 * Decodes padded base64, skipping white space (as key files and
 * configuration strings wrap it). No partial quantum, no data after
 * padding. Whatever the result, nothing of the input stays in a
 * temporary (secrets go through here).
 * Returns: the octets written (at most cap), or -1.
 */
int	base64_decode(const char *in, uint8_t *out, size_t cap) MUST_CHECK;

#endif
