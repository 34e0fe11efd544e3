/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * SHA-1 written from FIPS 180-4 6.1, so that hashing a query name costs
 * no library dispatch and no hidden system call in a sandboxed worker;
 * the NSEC3 iterated hash on top of it, and base32hex.
 * Runs in: workers (one hash for some DO=1 negative answers), the loader
 * (the hash of every owner name of a signed zone), and the tests.
 */
#include <string.h>

#include "nsec3.h"
#include "util.h"

#define ROL(x, n)	(((x) << (n)) | ((x) >> (32 - (n))))

static void
sha1_block(uint32_t h[5], const uint8_t *p)
{
	uint32_t w[80], a = h[0], b = h[1], c = h[2], d = h[3], e = h[4];

	for (int t = 0; t < 16; t++)
		w[t] = get32(p + 4 * t);
	for (int t = 16; t < 80; t++)
		w[t] = ROL(w[t - 3] ^ w[t - 8] ^ w[t - 14] ^ w[t - 16], 1);
	for (int t = 0; t < 80; t++) {
		uint32_t f, k;
		if (t < 20) {
			f = (b & c) | (~b & d);
			k = 0x5a827999;
		} else if (t < 40) {
			f = b ^ c ^ d;
			k = 0x6ed9eba1;
		} else if (t < 60) {
			f = (b & c) | (b & d) | (c & d);
			k = 0x8f1bbcdc;
		} else {
			f = b ^ c ^ d;
			k = 0xca62c1d6;
		}
		uint32_t tmp = ROL(a, 5) + f + e + k + w[t];
		e = d;
		d = c;
		c = ROL(b, 30);
		b = a;
		a = tmp;
	}
	h[0] += a;
	h[1] += b;
	h[2] += c;
	h[3] += d;
	h[4] += e;
}

void
sha1(const void *data, size_t len, uint8_t out[NSEC3_HASHLEN])
{
	uint32_t h[5] = { 0x67452301, 0xefcdab89, 0x98badcfe, 0x10325476,
	    0xc3d2e1f0 };
	const uint8_t *p = data;
	uint8_t last[128];
	size_t full = len & ~(size_t)63, rest = len - full;

	for (size_t i = 0; i < full; i += 64)
		sha1_block(h, p + i);
	/* The padding: 0x80, zeros, and the length in bits. */
	memset(last, 0, sizeof(last));
	memcpy(last, p + full, rest);
	last[rest] = 0x80;
	size_t n = rest + 9 <= 64 ? 64 : 128;
	uint64_t bits = (uint64_t)len * 8;
	for (int i = 0; i < 8; i++)
		last[n - 1 - i] = (uint8_t)(bits >> (8 * i));
	sha1_block(h, last);
	if (n == 128)
		sha1_block(h, last + 64);
	for (int i = 0; i < 5; i++)
		put32(out + 4 * i, h[i]);
}

void
nsec3_hash(const uint8_t *lname, size_t len, const uint8_t *salt,
    unsigned saltlen, unsigned iterations, uint8_t out[NSEC3_HASHLEN])
{
	/* A name (255) or a digest (20), then the salt (255). */
	uint8_t buf[255 + 255];

	memcpy(buf, lname, len);
	memcpy(buf + len, salt, saltlen);
	sha1(buf, len + saltlen, out);
	for (unsigned i = 0; i < iterations; i++) {
		memcpy(buf, out, NSEC3_HASHLEN);
		memcpy(buf + NSEC3_HASHLEN, salt, saltlen);
		sha1(buf, NSEC3_HASHLEN + saltlen, out);
	}
}

static int
b32_value(uint8_t c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'v')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'V')
		return c - 'A' + 10;
	return -1;
}

int
base32hex_decode(const uint8_t *s, size_t len, uint8_t *out, size_t cap)
{
	uint32_t acc = 0;
	unsigned bits = 0;
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		int v = b32_value(s[i]);
		if (v < 0)
			return -1;
		acc = (acc << 5) | (uint32_t)v;
		bits += 5;
		if (bits >= 8) {
			bits -= 8;
			if (n == cap)
				return -1;
			out[n++] = (uint8_t)(acc >> bits);
		}
	}
	/* Left-over bits must be zero padding of the last octet. */
	if (bits >= 5 || (acc & ((1u << bits) - 1)) != 0)
		return -1;
	return (int)n;
}

size_t
base32hex_encode(const uint8_t *in, size_t len, char *out)
{
	static const char digits[] = "0123456789abcdefghijklmnopqrstuv";
	uint32_t acc = 0;
	unsigned bits = 0;
	size_t n = 0;

	for (size_t i = 0; i < len; i++) {
		acc = (acc << 8) | in[i];
		bits += 8;
		while (bits >= 5) {
			bits -= 5;
			out[n++] = digits[(acc >> bits) & 31];
		}
	}
	if (bits > 0)
		out[n++] = digits[(acc << (5 - bits)) & 31];
	return n;
}
