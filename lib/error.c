/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * Descriptions of the APEX_E* codes, and the allocation wrappers.
 * Runs in: every process.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"
#include "log.h"
#include "util.h"

const char *
apex_strerror(int code)
{
	switch (code) {
	case APEX_OK:		return "success";
	case APEX_ENOMEM:	return "out of memory";
	case APEX_EINVAL:	return "invalid value";
	case APEX_EMALF:	return "malformed input";
	case APEX_ESPACE:	return "no space left in buffer";
	case APEX_ENOENT:	return "not found";
	case APEX_EIO:		return "system error";
	case APEX_ESYNTAX:	return "syntax error";
	case APEX_EZONE:	return "zone error";
	case APEX_ELIMIT:	return "limit exceeded";
	case APEX_EVERSION:	return "version mismatch";
	case APEX_EEXIST:	return "already exists";
	case APEX_ELOOP:	return "loop detected";
	case APEX_ECRYPTO:	return "cryptographic operation failed";
	}
	return "unknown error";
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL)
		fatal("malloc %zu", n);
	return p;
}

void *
xcalloc(size_t n, size_t sz)
{
	void *p = calloc(n ? n : 1, sz ? sz : 1);

	if (p == NULL)
		fatal("calloc %zu", n * sz);
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	void *q = realloc(p, n ? n : 1);

	if (q == NULL)
		fatal("realloc %zu", n);
	return q;
}

void *
xreallocarray(void *p, size_t n, size_t sz)
{
	void *q = reallocarray(p, n ? n : 1, sz ? sz : 1);

	if (q == NULL)
		fatal("reallocarray %zu", n * sz);
	return q;
}

char *
xstrdup(const char *s)
{
	char *p = strdup(s);

	if (p == NULL)
		fatal("strdup");
	return p;
}

void
free_wipe(void *p, size_t n)
{
	if (p == NULL)
		return;
	explicit_bzero(p, n);
	free(p);
}

void
str_free_wipe(char *s)
{
	if (s != NULL)
		free_wipe(s, strlen(s));
}

void *
xrealloc_wipe(void *p, size_t old_n, size_t n)
{
	void *q = xmalloc(n ? n : 1);

	if (p != NULL)
		memcpy(q, p, old_n < n ? old_n : n);
	free_wipe(p, old_n);
	return q;
}
