/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * A growable text buffer for building replies (metrics, JSON, apex-ctl
 * output). Outside the query path; allocation failure is fatal.
 */
#ifndef APEX_SBUF_H
#define APEX_SBUF_H

#include <stddef.h>

#include "util.h"

struct sbuf {
	char	*s;		/* always NUL-terminated */
	size_t	 len, cap;
};

void	sbuf_init(struct sbuf *);
void	sbuf_free(struct sbuf *);
void	sbuf_printf(struct sbuf *, const char *, ...) PRINTF(2, 3);
/* A JSON string literal, quotes included. */
void	sbuf_json_str(struct sbuf *, const char *);

#endif
