/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * SipHash-2-4 (Aumasson and Bernstein): a keyed 64-bit hash, used for
 * DNS server cookies (RFC 9018 4.4).
 */
#ifndef APEX_SIPHASH_H
#define APEX_SIPHASH_H

#include <stddef.h>
#include <stdint.h>

/* The 64-bit tag of data under a 16-octet key, as 8 octets. */
void	siphash24(const uint8_t key[16], const uint8_t *data, size_t len,
	    uint8_t out[8]);

#endif
