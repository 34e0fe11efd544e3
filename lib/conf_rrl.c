/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * The rate-limit statement of options: response rate limiting with
 * BIND 9's grammar, defaults and ranges, so a BIND configuration that
 * named-checkconf accepts loads here and one it rejects is rejected.
 * Runs in: apex-named parent, apex-named -C.
 */
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "conf_priv.h"

/* BIND's limits (named-checkconf gives the same errors). */
#define RRL_MAX_RATE	1000
#define RRL_MAX_WINDOW	3600
#define RRL_MAX_SLIP	10
/* BIND keys IPv6 clients on at most 64 bits. */
#define RRL_MAX_V6	64

static const char *const rate_names[RRL_NRATES] = {
	[RRL_RATE_RESPONSES] = "responses-per-second",
	[RRL_RATE_REFERRALS] = "referrals-per-second",
	[RRL_RATE_NODATA] = "nodata-per-second",
	[RRL_RATE_NXDOMAINS] = "nxdomains-per-second",
	[RRL_RATE_ERRORS] = "errors-per-second",
	[RRL_RATE_ALL] = "all-per-second",
};

void
conf_rrl_defaults(struct conf_rrl *r)
{
	memset(r, 0, sizeof(*r));
	r->window = 15;
	r->slip = 2;
	r->ipv4_prefix = 24;
	r->ipv6_prefix = 56;
	r->max_table_size = 100000;
	r->min_table_size = 500;
}

/* One of the numeric options; false if the name is not one of them. */
static bool
rrl_number(struct ctx *c, const struct cfg_stmt *o, struct conf_rrl *r,
    bool set[RRL_NRATES])
{
	const char *k = conf_word(o, 0);
	unsigned long v;

	for (unsigned i = 0; i < RRL_NRATES; i++)
		if (conf_is(k, rate_names[i])) {
			if (conf_get_uint(c, o, 0, RRL_MAX_RATE, &v) == 0) {
				r->rate[i] = (unsigned)v;
				set[i] = true;
			}
			return true;
		}
	static const struct {
		const char	*name;
		unsigned long	 min, max;
		size_t		 off;
	} nums[] = {
		{ "window", 1, RRL_MAX_WINDOW,
		    offsetof(struct conf_rrl, window) },
		{ "slip", 0, RRL_MAX_SLIP, offsetof(struct conf_rrl, slip) },
		{ "ipv4-prefix-length", 8, 32,
		    offsetof(struct conf_rrl, ipv4_prefix) },
		{ "ipv6-prefix-length", 16, RRL_MAX_V6,
		    offsetof(struct conf_rrl, ipv6_prefix) },
		{ "qps-scale", 1, 1000000,
		    offsetof(struct conf_rrl, qps_scale) },
		/* The table is allocated whole in every worker. */
		{ "max-table-size", 1, 10000000,
		    offsetof(struct conf_rrl, max_table_size) },
		{ "min-table-size", 1, 10000000,
		    offsetof(struct conf_rrl, min_table_size) },
	};
	for (size_t i = 0; i < nitems(nums); i++)
		if (conf_is(k, nums[i].name)) {
			if (conf_get_uint(c, o, nums[i].min, nums[i].max,
			    &v) == 0)
				*(unsigned *)(void *)((char *)r +
				    nums[i].off) = (unsigned)v;
			return true;
		}
	return false;
}

static void
rrl_option(struct ctx *c, const struct cfg_stmt *o, struct conf_rrl *r,
    bool set[RRL_NRATES])
{
	const char *k = conf_word(o, 0);
	bool b;

	if (rrl_number(c, o, r, set))
		return;
	if (conf_is(k, "log-only")) {
		if (conf_get_bool(c, o, &b) == 0)
			r->log_only = b;
	} else if (conf_is(k, "exempt-clients")) {
		if (o->n != 2 || conf_block_at(o, 1) == NULL) {
			ERR(c, o, "exempt-clients: expected an address match "
			    "list { ... }");
			return;
		}
		acl_free(r->exempt);
		r->exempt = conf_build_aml(c, o, conf_block_at(o, 1), 0);
	} else
		ERR(c, o, "rate-limit: unknown option '%s'", k ? k : "{");
}

void
conf_stmt_rate_limit(struct ctx *c, const struct cfg_stmt *st)
{
	const struct cfg_block *b = conf_block_at(st, 1);
	struct conf_rrl *r = &c->conf->rrl;
	bool set[RRL_NRATES] = { false };

	if (st->n != 2 || b == NULL) {
		ERR(c, st, "rate-limit: expected rate-limit { ... };");
		return;
	}
	if (r->enabled) {
		ERR(c, st, "rate-limit: given twice");
		return;
	}
	r->enabled = true;
	for (unsigned i = 0; i < b->n; i++)
		rrl_option(c, &b->s[i], r, set);
	/* The other kinds follow responses-per-second unless given;
	 * all-per-second has no default. */
	for (unsigned i = RRL_RATE_REFERRALS; i <= RRL_RATE_ERRORS; i++)
		if (!set[i])
			r->rate[i] = r->rate[RRL_RATE_RESPONSES];
	if (r->max_table_size < r->min_table_size)
		ERR(c, st, "rate-limit: max-table-size %u < min-table-size %u",
		    r->max_table_size, r->min_table_size);
}
