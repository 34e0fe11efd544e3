/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/* Helpers shared by the unit tests. */
#ifndef APEX_TESTUTIL_H
#define APEX_TESTUTIL_H

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dname.h"
#include "zone.h"

/* Writes text to a new temporary file; returns its malloc'ed path. */
static inline char *
write_temp(const char *text)
{
	char *path = strdup("/tmp/apex-test-XXXXXX");
	int fd = mkstemp(path);

	ck_assert_int_ge(fd, 0);
	ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	return path;
}

/* zone_lookup() of a name given as text. */
static inline void
lookup(const struct zone *z, const char *name, struct zone_lookup *r)
{
	uint8_t n[DNAME_MAXLEN];
	struct dname_view v;
	uint32_t h[DNAME_MAXLABELS + 1];

	ck_assert_int_gt(dname_from_str(name, NULL, n), 0);
	dname_lower(n, n, dname_len(n));
	ck_assert_int_gt(dname_scan(n, sizeof(n), &v), 0);
	dname_hash_suffixes(n, &v, h);
	zone_lookup(z, n, &v, h, r);
}

static inline int
run_suite(Suite *s)
{
	SRunner *sr = srunner_create(s);

	srunner_run_all(sr, CK_NORMAL);
	int failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* Collects reported problems as "line: message" lines. */
struct problems {
	char	text[8192];
	int	errors, warnings;
};

static inline void
collect_problem(void *arg, const char *file, unsigned line, bool error,
    const char *msg)
{
	struct problems *p = arg;
	size_t n = strlen(p->text);

	(void)file;
	snprintf(p->text + n, sizeof(p->text) - n, "%u: %s%s\n", line,
	    error ? "" : "warning: ", msg);
	if (error)
		p->errors++;
	else
		p->warnings++;
}

#endif
