/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * The zone writer of apex-xferd, as a property: random zones whose names
 * hold every octet (owners and names in RDATA, written in the source
 * file as \DDD) go through zwrite_file() and must load again through
 * zonefile_load() with the same names and records; named-checkzone,
 * when installed, must accept each written file.
 */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "dname.h"
#include "rr.h"
#include "testutil.h"
#include "xferd.h"
#include "zone.h"
#include "zonefile.h"

#define CHECKZONE	"/usr/bin/named-checkzone"
#define NAMES		300

static void
fail_report(void *arg, const char *file, unsigned line, bool error,
    const char *msg)
{
	(void)arg;
	if (error)
		ck_abort_msg("%s:%u: %s", file, line, msg);
}

/* A random relative name, every octet as \DDD, at most about 200 octets
 * on the wire so that it fits under any origin used here. */
static void
random_name(char *out, size_t size)
{
	size_t o = 0, wire = 0;
	int labels = 1 + rand() % 4;

	for (int l = 0; l < labels; l++) {
		int len = 1 + rand() % 63;
		if (wire + 1 + (size_t)len > 200)
			break;
		wire += 1 + (size_t)len;
		for (int i = 0; i < len && o + 5 < size; i++)
			o += (size_t)snprintf(out + o, size - o, "\\%03d",
			    rand() % 256);
		if (o + 1 < size)
			out[o++] = '.';
	}
	out[o > 0 ? o - 1 : 0] = '\0';
}

/* Writes a random zone file; returns its path. */
static char *
random_zone(unsigned seed)
{
	char *path = write_temp("");
	FILE *f = fopen(path, "w");
	char a[1024], b[1024];

	ck_assert_ptr_nonnull(f);
	srand(seed);
	fprintf(f, "$TTL 300\n@ SOA ns hostmaster 1 3600 600 86400 300\n"
	    "@ NS ns\nns A 192.0.2.1\n");
	for (int i = 0; i < NAMES; i++) {
		random_name(a, sizeof(a));
		random_name(b, sizeof(b));
		/* Distinct prefixes keep CNAMEs apart from other data. */
		switch (i % 3) {
		case 0:
			fprintf(f, "t%d.%s TXT \"%d\"\n", i, a, i);
			break;
		case 1:
			fprintf(f, "c%d.%s CNAME %s\n", i, a, b);
			break;
		default:
			fprintf(f, "m%d.%s MX 10 %s\n", i, a, b);
			break;
		}
	}
	ck_assert_int_eq(fclose(f), 0);
	return path;
}

static void *
load(const char *path, struct zone *z)
{
	uint8_t origin[DNAME_MAXLEN];
	struct zonefile_opts opts = { "/tmp", CLASS_IN, 0, 0, fail_report,
	    NULL, 0 };
	void *blob;
	size_t size;

	ck_assert_int_gt(dname_from_str("example.", NULL, origin), 0);
	ck_assert_int_eq(zonefile_load(path, origin, &opts, &blob, &size), 0);
	ck_assert_int_eq(zone_open(z, blob, size), 0);
	return blob;
}

/* Every node, RRset and record of a in b, in the same order. */
static void
same_zone(const struct zone *a, const struct zone *b)
{
	char name[DNAME_STRLEN];

	ck_assert_uint_eq(a->hdr->node_count, b->hdr->node_count);
	ck_assert_uint_eq(a->hdr->rr_count, b->hdr->rr_count);
	for (uint32_t i = 0; i < a->hdr->node_count; i++) {
		const struct zone_node *x = zone_node(a, i), *y = zone_node(b,
		    i);
		const uint8_t *nx = zone_node_name(a, x);
		ck_assert_msg(x->name_len == y->name_len && memcmp(nx,
		    zone_node_name(b, y), x->name_len) == 0, "%s: not read "
		    "back", dname_to_str(nx, name, sizeof(name)));
		ck_assert_uint_eq(x->nrrsets, y->nrrsets);
		const struct zone_rrset *r = zone_rrset_first(a, x),
		    *s = zone_rrset_first(b, y);
		for (unsigned k = 0; k < x->nrrsets; k++, r =
		    zone_rrset_next(r), s = zone_rrset_next(s)) {
			ck_assert_msg(r->type == s->type && r->count ==
			    s->count && r->size == s->size && memcmp(
			    zone_rrset_data(r), zone_rrset_data(s), r->size) ==
			    0, "%s type %u: records differ", dname_to_str(nx,
			    name, sizeof(name)), r->type);
		}
	}
}

START_TEST(test_zwrite_random_names_load_again)
{
	char *src = random_zone(1000 + (unsigned)_i), *out = write_temp("");
	char err[256], cmd[512];
	struct zone a, b;

	void *ba = load(src, &a);
	ck_assert_msg(zwrite_file(out, &a, "test", err, sizeof(err)) == 0,
	    "%s", err);
	void *bb = load(out, &b);
	same_zone(&a, &b);
	if (access(CHECKZONE, X_OK) == 0) {
		snprintf(cmd, sizeof(cmd), CHECKZONE " -q -k ignore example. %s",
		    out);
		ck_assert_msg(system(cmd) == 0, "named-checkzone rejects %s",
		    out);
	}
	free(ba);
	free(bb);
	unlink(src);
	unlink(out);
	free(src);
	free(out);
}
END_TEST

static Suite *
zwrite_suite(void)
{
	Suite *s = suite_create("zwrite");
	TCase *tc = tcase_create("property");

	tcase_set_timeout(tc, 60);
	tcase_add_loop_test(tc, test_zwrite_random_names_load_again, 0, 20);
	suite_add_tcase(s, tc);
	return s;
}

int
main(void)
{
	return run_suite(zwrite_suite());
}
