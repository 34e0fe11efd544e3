/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * Small helpers shared by every file: attributes, array sizes and
 * big-endian loads and stores for wire-format data.
 * Runs in: every process.
 */
#ifndef APEX_UTIL_H
#define APEX_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#define MUST_CHECK	__attribute__((warn_unused_result))
#define NORETURN	__attribute__((noreturn))
#define PRINTF(f, a)	__attribute__((format(printf, f, a)))
#define likely(x)	__builtin_expect(!!(x), 1)
#define unlikely(x)	__builtin_expect(!!(x), 0)
#define nitems(a)	(sizeof(a) / sizeof((a)[0]))

static inline uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t
get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

static inline void
put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static inline void
put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = (v >> 16) & 0xff;
	p[2] = (v >> 8) & 0xff;
	p[3] = v & 0xff;
}

/* Out-of-memory is fatal everywhere outside the query path. */
void	*xmalloc(size_t);
void	*xcalloc(size_t, size_t);
void	*xrealloc(void *, size_t);
void	*xreallocarray(void *, size_t, size_t);
char	*xstrdup(const char *);

/*
 * For memory that may have held a secret (configuration text, TSIG
 * secrets): the old contents are wiped before the memory goes back to
 * malloc, so no copy survives in freed memory that a forked child could
 * read. xrealloc_wipe() grows a buffer of old_n octets to n.
 */
void	 free_wipe(void *, size_t);
void	 str_free_wipe(char *);
void	*xrealloc_wipe(void *, size_t old_n, size_t n);

#endif
