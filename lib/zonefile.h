/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * Zone files (RFC 1035 5) into zone images.
 *
 * Records are parsed by Knot's libzscanner. Two directives are handled
 * here before the text reaches it: $INCLUDE, whose relative paths BIND
 * resolves against the server's directory, and BIND's $GENERATE, which
 * libzscanner does not know. Problems are reported as file:line with a
 * message; every problem in the file is reported, not only the first.
 */
#ifndef APEX_ZONEFILE_H
#define APEX_ZONEFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "util.h"

typedef void	zonefile_report_fn(void *arg, const char *file,
		    unsigned line, bool error, const char *msg);

struct zonefile_opts {
	const char		*directory;	/* for relative $INCLUDE */
	uint16_t		 rclass;
	unsigned		 max_records_per_type;	/* 0: no limit */
	unsigned		 max_types_per_name;	/* 0: no limit */
	zonefile_report_fn	*report;
	void			*arg;
	uint32_t		 max_records;	/* in the zone; 0: no limit */
};

/*
 * Loads path as the zone origin and compiles its image.
 * Returns: 0, APEX_EIO (file unreadable) or APEX_EZONE (problems were
 * reported). Ownership: caller owns *blob; release with free().
 */
int	zonefile_load(const char *path, const uint8_t *origin,
	    const struct zonefile_opts *opts, void **blob, size_t *size)
	    MUST_CHECK;

/*
 * Expands one $GENERATE template for iterator value i into out.
 * Exposed for the tests. Returns: 0 or APEX_ESYNTAX.
 */
int	zonefile_generate_subst(const char *tmpl, long i, char *out,
	    size_t outlen) MUST_CHECK;

#endif
