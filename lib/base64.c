/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * Base64 for the whole tree: one encoder and one decoder, so that TSIG
 * secrets, key files and the control channel agree on what is valid.
 * Runs in: any process.
 */
#include <ctype.h>
#include <string.h>

#include "base64.h"

static const char tab[] =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

size_t
base64_encode(const uint8_t *in, size_t n, char *out)
{
	size_t o = 0;

	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)in[i] << 16;
		if (i + 1 < n)
			v |= (uint32_t)in[i + 1] << 8;
		if (i + 2 < n)
			v |= in[i + 2];
		out[o++] = tab[v >> 18];
		out[o++] = tab[(v >> 12) & 63];
		out[o++] = i + 1 < n ? tab[(v >> 6) & 63] : '=';
		out[o++] = i + 2 < n ? tab[v & 63] : '=';
	}
	out[o] = '\0';
	return o;
}

static int
b64_value(int ch)
{
	if (ch >= 'A' && ch <= 'Z')
		return ch - 'A';
	if (ch >= 'a' && ch <= 'z')
		return ch - 'a' + 26;
	if (ch >= '0' && ch <= '9')
		return ch - '0' + 52;
	if (ch == '+')
		return 62;
	if (ch == '/')
		return 63;
	return -1;
}

int
base64_decode(const char *in, uint8_t *out, size_t cap)
{
	uint32_t v = 0;
	size_t n = 0, bits = 0, pad = 0, chars = 0;
	int rc = -1;

	for (; *in != '\0'; in++) {
		int d;
		if (isspace((unsigned char)*in))
			continue;
		chars++;
		if (*in == '=') {
			pad++;
			continue;
		}
		if (pad > 0 || (d = b64_value((unsigned char)*in)) < 0)
			goto out;
		v = v << 6 | (uint32_t)d;
		bits += 6;
		if (bits >= 8) {
			bits -= 8;
			if (n == cap)
				goto out;
			out[n++] = (uint8_t)(v >> bits);
		}
	}
	if (chars > 0 && chars % 4 == 0 && pad <= 2 && bits < 6)
		rc = (int)n;
out:
	v = 0;
	__asm__ __volatile__("" : : "r"(&v) : "memory");
	return rc;
}
