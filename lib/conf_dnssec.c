/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * DNSSEC signing configuration with BIND 9.18's grammar and checks: the
 * top-level dnssec-policy statements, and dnssec-policy, key-directory
 * (options and zones) and inline-signing (zones). The built-in policies
 * "default" and "insecure" are the first two of conf->policies, so a
 * zone's policy is always a pointer into that array; "none" is NULL.
 * Runs in: apex-named parent, apex-xferd, apex-named -C.
 */
#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "conf_priv.h"
#include "dnskey.h"
#include "dnssec_policy.h"
#include "journal.h"

#define DAY			86400u
/* BIND 9.18's most NSEC3 iterations a policy may ask for. */
#define NSEC3_MAX_ITERATIONS	150

/* ---- algorithms --------------------------------------------------- */
/*
 * What lib/dnskey.h's dnskey_alg_from_name(), dnskey_alg_supported(),
 * dnskey_alg_default_bits() and dnskey_alg_bits_ok() answer, kept here
 * until lib/dnskey.c is part of the library; the same tables.
 */
static const struct {
	const char	*name;
	uint8_t		 alg;
	unsigned	 bits;		/* 0: RSA, 1024 to 4096 */
} algs[] = {
	{ "RSASHA256", 8, 0 },
	{ "RSASHA512", 10, 0 },
	{ "ECDSAP256SHA256", 13, 256 },
	{ "ECDSA256", 13, 256 },
	{ "ECDSAP384SHA384", 14, 384 },
	{ "ECDSA384", 14, 384 },
	{ "ED25519", 15, 256 },
	{ "ED448", 16, 456 },
};

/* Algorithms BIND knows by name that apex does not sign with: named in
 * the error rather than called unknown. */
static const struct {
	const char	*name;
	uint8_t		 alg;
} other_algs[] = {
	{ "RSAMD5", 1 }, { "DH", 2 }, { "DSA", 3 }, { "RSASHA1", 5 },
	{ "NSEC3DSA", 6 }, { "NSEC3RSASHA1", 7 }, { "ECCGOST", 12 },
	{ "INDIRECT", 252 }, { "PRIVATEDNS", 253 }, { "PRIVATEOID", 254 },
};

/* An algorithm number from a mnemonic or a number; -1 if neither. */
static int
alg_from_text(const char *s)
{
	unsigned long v;

	if (conf_parse_uint(s, 255, &v) == 0)
		return (int)v;
	for (size_t i = 0; i < nitems(algs); i++)
		if (conf_is(s, algs[i].name))
			return algs[i].alg;
	for (size_t i = 0; i < nitems(other_algs); i++)
		if (conf_is(s, other_algs[i].name))
			return other_algs[i].alg;
	return -1;
}

static bool
alg_supported(uint8_t alg)
{
	for (size_t i = 0; i < nitems(algs); i++)
		if (algs[i].alg == alg)
			return true;
	return false;
}

/* The fixed key size of alg; 0 for RSA, whose size is chosen. */
static unsigned
alg_fixed_bits(uint8_t alg)
{
	for (size_t i = 0; i < nitems(algs); i++)
		if (algs[i].alg == alg)
			return algs[i].bits;
	return 0;
}

static bool
alg_bits_ok(uint8_t alg, unsigned bits)
{
	unsigned fixed = alg_fixed_bits(alg);

	return fixed != 0 ? bits == fixed : bits >= 1024 && bits <= 4096;
}

/* ---- durations ---------------------------------------------------- */

/* Digits up to a designator; adds n * unit to *sum. Returns: the text
 * after the designator, or NULL. */
static const char *
dur_part(const char *s, char designator, uint64_t unit, uint64_t *sum)
{
	uint64_t n = 0;
	const char *p = s;

	while (isdigit((unsigned char)*p)) {
		n = n * 10 + (uint64_t)(*p - '0');
		if (n > UINT32_MAX)
			return NULL;
		p++;
	}
	if (p == s || toupper((unsigned char)*p) != designator)
		return NULL;
	*sum += n * unit;
	return p + 1;
}

/* Whether the digits at s end with designator d. */
static bool
dur_next_is(const char *s, char d)
{
	while (isdigit((unsigned char)*s))
		s++;
	return toupper((unsigned char)*s) == d;
}

/*
 * ISO 8601 as BIND reads it: PnYnMnDTnHnMnS in that order, any part
 * left out, or PnW alone. A year is 365 days and a month 31, as in
 * BIND; a total past 2^32-1 seconds is that.
 */
static int
dur_iso(const char *s, uint32_t *out)
{
	static const struct { char d; uint64_t unit; bool time; } parts[] = {
		{ 'Y', 365 * DAY, false }, { 'M', 31 * DAY, false },
		{ 'D', DAY, false }, { 'H', 3600, true }, { 'M', 60, true },
		{ 'S', 1, true },
	};
	uint64_t sum = 0;
	bool in_time = false;

	if (toupper((unsigned char)*s) != 'P')
		return -1;
	s++;
	if (dur_next_is(s, 'W')) {
		if ((s = dur_part(s, 'W', 7 * DAY, &sum)) == NULL || *s)
			return -1;
		*out = sum > UINT32_MAX ? UINT32_MAX : (uint32_t)sum;
		return 0;
	}
	for (size_t i = 0; i < nitems(parts) && *s != '\0'; i++) {
		if (parts[i].time && !in_time) {
			if (toupper((unsigned char)*s) != 'T')
				return -1;
			in_time = true;
			s++;
		}
		if (*s != '\0' && dur_next_is(s, parts[i].d) &&
		    (s = dur_part(s, parts[i].d, parts[i].unit, &sum)) == NULL)
			return -1;
	}
	if (*s != '\0')
		return -1;
	*out = sum > UINT32_MAX ? UINT32_MAX : (uint32_t)sum;
	return 0;
}

/* A TTL as in a zone file: seconds, or numbers with w, d, h, m, s. */
static int
dur_ttl(const char *s, uint32_t *out)
{
	static const char units[] = "WDHMS";
	static const uint64_t secs[] = { 7 * DAY, DAY, 3600, 60, 1 };
	unsigned long v;
	uint64_t sum = 0;

	if (conf_parse_uint(s, UINT32_MAX, &v) == 0) {
		*out = (uint32_t)v;
		return 0;
	}
	while (*s != '\0') {
		char d = s[strspn(s, "0123456789")];
		const char *u = d != '\0' ?
		    strchr(units, toupper((unsigned char)d)) : NULL;
		if (u == NULL ||
		    (s = dur_part(s, *u, secs[u - units], &sum)) == NULL)
			return -1;
	}
	if (sum > UINT32_MAX)
		return -1;
	*out = (uint32_t)sum;
	return 0;
}

/* A duration in either form. Returns: 0, or -1 if it is neither. */
static int
parse_duration(const char *s, uint32_t *out)
{
	if (s == NULL || *s == '\0')
		return -1;
	return dur_iso(s, out) == 0 ? 0 : dur_ttl(s, out);
}

/* "NAME DURATION;" Returns: 0, or -1 after reporting. */
static int
get_duration(struct ctx *c, const struct cfg_stmt *st, uint32_t *out)
{
	const char *v = conf_single(c, st);

	if (v == NULL)
		return -1;
	if (parse_duration(v, out) != 0) {
		ERR(c, st, "%s: expected an ISO 8601 duration (such as P14D "
		    "or PT12H) or a TTL (such as 3600 or 1h), not '%s'",
		    st->v[0].s, v);
		return -1;
	}
	return 0;
}

/* ---- built-in policies -------------------------------------------- */

/* BIND 9.18's values for whatever a policy leaves out. */
static void
policy_defaults(struct dnssec_policy *p, const char *name)
{
	memset(p, 0, sizeof(*p));
	p->name = xstrdup(name);
	p->dnskey_ttl = 3600;
	p->publish_safety = 3600;
	p->retire_safety = 3600;
	p->purge_keys = 90 * DAY;
	p->signatures_refresh = 5 * DAY;
	p->signatures_validity = 14 * DAY;
	p->signatures_validity_dnskey = 14 * DAY;
	p->signatures_jitter = 12 * 3600;
	p->max_zone_ttl = DAY;
	p->zone_propagation_delay = 300;
	p->parent_ds_ttl = DAY;
	p->parent_propagation_delay = 3600;
}

/* One CSK, ECDSAP256SHA256, never rolled: "default", and the keys of a
 * policy that lists none. */
static void
default_keys(struct dnssec_policy *p)
{
	p->keys = xcalloc(1, sizeof(*p->keys));
	p->keys[0].role = DNSKEY_ROLE_CSK;
	p->keys[0].alg = 13;
	p->nkeys = 1;
}

void
conf_dnssec_defaults(struct conf *cf)
{
	cf->policies = xcalloc(2, sizeof(*cf->policies));
	policy_defaults(&cf->policies[0], "default");
	cf->policies[0].builtin = true;
	default_keys(&cf->policies[0]);
	policy_defaults(&cf->policies[1], "insecure");
	cf->policies[1].builtin = true;
	cf->policies[1].insecure = true;
	cf->npolicies = 2;
}

static void
policy_free(struct dnssec_policy *p)
{
	free(p->name);
	free(p->keys);
	p->name = NULL;
	p->keys = NULL;
}

void
conf_dnssec_free(struct conf *cf)
{
	for (unsigned i = 0; i < cf->npolicies; i++)
		policy_free(&cf->policies[i]);
	free(cf->policies);
	free(cf->key_directory);
	cf->policies = NULL;
	cf->npolicies = 0;
	cf->key_directory = NULL;
}

static const struct dnssec_policy *
find_policy(const struct conf *cf, const char *name)
{
	for (unsigned i = 0; i < cf->npolicies; i++)
		if (strcmp(cf->policies[i].name, name) == 0)
			return &cf->policies[i];
	return NULL;
}

/* ---- dnssec-policy NAME { ... }; ---------------------------------- */

static const struct {
	const char	*name;
	size_t		 off;
} durations[] = {
	{ "dnskey-ttl", offsetof(struct dnssec_policy, dnskey_ttl) },
	{ "publish-safety", offsetof(struct dnssec_policy, publish_safety) },
	{ "retire-safety", offsetof(struct dnssec_policy, retire_safety) },
	{ "purge-keys", offsetof(struct dnssec_policy, purge_keys) },
	{ "signatures-refresh",
	    offsetof(struct dnssec_policy, signatures_refresh) },
	{ "signatures-validity",
	    offsetof(struct dnssec_policy, signatures_validity) },
	{ "signatures-validity-dnskey",
	    offsetof(struct dnssec_policy, signatures_validity_dnskey) },
	{ "signatures-jitter",
	    offsetof(struct dnssec_policy, signatures_jitter) },
	{ "max-zone-ttl", offsetof(struct dnssec_policy, max_zone_ttl) },
	{ "zone-propagation-delay",
	    offsetof(struct dnssec_policy, zone_propagation_delay) },
	{ "parent-ds-ttl", offsetof(struct dnssec_policy, parent_ds_ttl) },
	{ "parent-propagation-delay",
	    offsetof(struct dnssec_policy, parent_propagation_delay) },
};

/* A policy while it is read. */
struct pstate {
	struct ctx		*c;
	struct dnssec_policy	 p;
	const struct cfg_stmt	*keys;		/* the keys statement */
	const struct cfg_stmt	**kst;		/* each key's statement */
	const struct cfg_stmt	*nsec3;
	uint32_t		 given;		/* bits: durations[] */
};

static bool
role_from_text(const char *w, unsigned *role)
{
	if (conf_is(w, "ksk"))
		*role = DNSKEY_ROLE_KSK;
	else if (conf_is(w, "zsk"))
		*role = DNSKEY_ROLE_ZSK;
	else if (conf_is(w, "csk"))
		*role = DNSKEY_ROLE_CSK;
	else
		return false;
	return true;
}

/* The algorithm and key size of a key. Returns: 0 or -1. */
static int
key_alg(struct pstate *ps, const struct cfg_stmt *o, unsigned i,
    struct dnssec_policy_key *k)
{
	struct ctx *c = ps->c;
	const char *a = conf_word(o, i);
	int alg = alg_from_text(a);
	unsigned long bits;

	if (alg < 0) {
		ERR(c, o, "dnssec-policy '%s': unknown algorithm '%s'",
		    ps->p.name, a);
		return -1;
	}
	if (!alg_supported((uint8_t)alg)) {
		ERR(c, o, "dnssec-policy '%s': algorithm %s is not "
		    "supported by apex (RSASHA256, RSASHA512, "
		    "ECDSAP256SHA256, ECDSAP384SHA384, ED25519 and ED448 "
		    "are)", ps->p.name, a);
		return -1;
	}
	k->alg = (uint8_t)alg;
	if (i + 1 == o->n)
		return 0;
	if (i + 2 != o->n || conf_parse_uint(conf_word(o, i + 1),
	    UINT32_MAX, &bits) != 0) {
		ERR(c, o, "dnssec-policy '%s': expected a key size after "
		    "the algorithm, not '%s'", ps->p.name,
		    conf_word(o, i + 1) ? conf_word(o, i + 1) : "{");
		return -1;
	}
	if (alg_fixed_bits(k->alg) != 0) {
		/* BIND ignores it too, with a warning. */
		if (!alg_bits_ok(k->alg, (unsigned)bits))
			WARN(c, o, "dnssec-policy '%s': algorithm %s has a "
			    "fixed key size; %lu is ignored", ps->p.name, a,
			    bits);
		return 0;
	}
	if (!alg_bits_ok(k->alg, (unsigned)bits)) {
		ERR(c, o, "dnssec-policy '%s': a key of algorithm %s cannot "
		    "have %lu bits (1024 to 4096)", ps->p.name, a, bits);
		return -1;
	}
	k->bits = (unsigned)bits;
	return 0;
}

/* ROLE [key-directory] lifetime DURATION|unlimited algorithm ALG [BITS]
 * Returns: 0 or -1 after reporting. */
static int
parse_key(struct pstate *ps, const struct cfg_stmt *o,
    struct dnssec_policy_key *k)
{
	struct ctx *c = ps->c;
	unsigned i = 1;

	memset(k, 0, sizeof(*k));
	if (!role_from_text(conf_word(o, 0), &k->role)) {
		ERR(c, o, "dnssec-policy '%s': expected a key role (ksk, zsk "
		    "or csk), not '%s'", ps->p.name,
		    conf_word(o, 0) ? conf_word(o, 0) : "{");
		return -1;
	}
	if (conf_is(conf_word(o, i), "key-directory")) {
		k->key_directory = true;
		i++;
	}
	const char *life = conf_word(o, i + 1);
	if (!conf_is(conf_word(o, i), "lifetime") || life == NULL ||
	    !conf_is(conf_word(o, i + 2), "algorithm") ||
	    conf_word(o, i + 3) == NULL) {
		ERR(c, o, "dnssec-policy '%s': expected %s [key-directory] "
		    "lifetime DURATION algorithm ALGORITHM [BITS]",
		    ps->p.name, conf_word(o, 0));
		return -1;
	}
	if (conf_is(life, "unlimited"))
		k->lifetime = 0;
	else if (parse_duration(life, &k->lifetime) != 0) {
		ERR(c, o, "dnssec-policy '%s': lifetime: expected a "
		    "duration or unlimited, not '%s'", ps->p.name, life);
		return -1;
	}
	return key_alg(ps, o, i + 3, k);
}

/* keys { ...; }; Returns: 0 or -1 after reporting. */
static int
parse_keys(struct pstate *ps, const struct cfg_stmt *st)
{
	const struct cfg_block *b = conf_block_at(st, 1);
	int rc = 0;

	if (st->n != 2 || b == NULL) {
		ERR(ps->c, st, "dnssec-policy '%s': expected keys { ... };",
		    ps->p.name);
		return -1;
	}
	if (b->n == 0) {
		/* BIND's server would stop on it. */
		ERR(ps->c, st, "dnssec-policy '%s': keys lists no key (the "
		    "built-in policy 'insecure' is the way to go unsigned)",
		    ps->p.name);
		return -1;
	}
	ps->p.keys = xcalloc(b->n, sizeof(*ps->p.keys));
	ps->kst = xcalloc(b->n, sizeof(*ps->kst));
	for (unsigned i = 0; i < b->n; i++) {
		if (parse_key(ps, &b->s[i], &ps->p.keys[ps->p.nkeys]) != 0) {
			rc = -1;
			continue;
		}
		ps->kst[ps->p.nkeys++] = &b->s[i];
	}
	return rc;
}

/* nsec3param [iterations N] [optout yes|no] [salt-length N];
 * Returns: 0 or -1 after reporting. */
static int
parse_nsec3(struct pstate *ps, const struct cfg_stmt *st)
{
	static const char *const kw[] = { "iterations", "optout",
	    "salt-length" };
	struct dnssec_policy *p = &ps->p;
	unsigned i = 1, k = 0;
	unsigned long v = 0;

	p->nsec3 = true;
	for (; i < st->n; i += 2, k++) {
		while (k < nitems(kw) && !conf_is(conf_word(st, i), kw[k]))
			k++;
		const char *w = conf_word(st, i + 1);
		bool ok = k < nitems(kw) && w != NULL;
		if (ok && k == 1) {
			ok = conf_is(w, "yes") || conf_is(w, "no") ||
			    conf_is(w, "true") || conf_is(w, "false");
			p->nsec3_optout = conf_is(w, "yes") ||
			    conf_is(w, "true");
		} else if (ok)
			ok = conf_parse_uint(w, UINT32_MAX, &v) == 0;
		if (!ok) {
			ERR(ps->c, st, "dnssec-policy '%s': expected "
			    "nsec3param [iterations N] [optout yes|no] "
			    "[salt-length N]", p->name);
			return -1;
		}
		if (k == 0 && v > NSEC3_MAX_ITERATIONS) {
			ERR(ps->c, st, "dnssec-policy '%s': nsec3param "
			    "iterations %lu is more than %u", p->name, v,
			    NSEC3_MAX_ITERATIONS);
			return -1;
		}
		if (k == 2 && v > 255) {
			ERR(ps->c, st, "dnssec-policy '%s': nsec3param "
			    "salt-length %lu is more than 255", p->name, v);
			return -1;
		}
		if (k == 0)
			p->nsec3_iterations = (uint16_t)v;
		else if (k == 2)
			p->nsec3_saltlen = (uint8_t)v;
	}
	if (p->nsec3_iterations > 0 || p->nsec3_saltlen > 0)
		WARN(ps->c, st, "dnssec-policy '%s': RFC 9276 asks for 0 "
		    "extra NSEC3 iterations and no salt: they cost resolvers "
		    "and add nothing", p->name);
	return 0;
}

/* One statement of the policy's block. */
static void
policy_stmt(struct pstate *ps, const struct cfg_stmt *o)
{
	struct ctx *c = ps->c;
	const char *w = conf_word(o, 0);

	for (size_t i = 0; i < nitems(durations); i++) {
		if (!conf_is(w, durations[i].name))
			continue;
		if (ps->given & (1u << i))
			ERR(c, o, "dnssec-policy '%s': %s: given twice",
			    ps->p.name, w);
		ps->given |= 1u << i;
		(void)get_duration(c, o, (uint32_t *)(void *)
		    ((char *)&ps->p + durations[i].off));
		return;
	}
	if (conf_is(w, "keys") || conf_is(w, "nsec3param")) {
		bool keys = conf_is(w, "keys");
		if (keys ? ps->keys != NULL : ps->nsec3 != NULL) {
			ERR(c, o, "dnssec-policy '%s': %s: given twice",
			    ps->p.name, w);
			return;
		}
		if (keys) {
			ps->keys = o;
			(void)parse_keys(ps, o);
		} else {
			ps->nsec3 = o;
			(void)parse_nsec3(ps, o);
		}
	} else if (conf_is(w, "parent-registration-delay"))
		WARN(c, o, "dnssec-policy '%s': parent-registration-delay is "
		    "obsolete; ignored", ps->p.name);
	else
		ERR(c, o, "dnssec-policy '%s': unknown option '%s'",
		    ps->p.name, w ? w : "{");
}

/* BIND's checks of the signature timings. */
static void
check_signatures(struct pstate *ps, const struct cfg_stmt *st)
{
	const struct dnssec_policy *p = &ps->p;
	const struct {
		const char	*name;
		uint32_t	 v;
	} val[] = {
		{ "signatures-validity-dnskey", p->signatures_validity_dnskey },
		{ "signatures-validity", p->signatures_validity },
	};

	for (size_t i = 0; i < nitems(val); i++) {
		/* Refreshing later would let signatures expire in caches. */
		if ((double)p->signatures_refresh >= val[i].v * 0.9)
			ERR(ps->c, st, "dnssec-policy '%s': "
			    "signatures-refresh must be at most 90%% of %s",
			    p->name, val[i].name);
		if (p->signatures_jitter > val[i].v)
			ERR(ps->c, st, "dnssec-policy '%s': "
			    "signatures-jitter cannot be larger than %s",
			    p->name, val[i].name);
	}
}

static uint64_t
max64(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

/* Lifetimes long enough for a rollover, and both roles for every
 * algorithm, as BIND 9.18 checks them. */
static void
check_keys(struct pstate *ps)
{
	const struct dnssec_policy *p = &ps->p;
	uint64_t ipub = (uint64_t)p->dnskey_ttl + p->publish_safety +
	    p->zone_propagation_delay;
	uint64_t ksk_min = max64(ipub, (uint64_t)p->parent_ds_ttl +
	    p->retire_safety + p->parent_propagation_delay);
	uint64_t zsk_min = max64(ipub, (uint64_t)p->signatures_validity -
	    p->signatures_refresh + p->max_zone_ttl + p->retire_safety +
	    p->zone_propagation_delay);
	unsigned char role[256] = { 0 }, twice[256] = { 0 };

	for (unsigned i = 0; i < p->nkeys; i++) {
		const struct dnssec_policy_key *k = &p->keys[i];
		uint64_t min = (k->role & DNSKEY_ROLE_KSK) ? ksk_min : 0;
		if (k->role & DNSKEY_ROLE_ZSK)
			min = max64(min, zsk_min);
		if (k->lifetime != 0 && k->lifetime < 30 * DAY)
			WARN(ps->c, ps->kst[i], "dnssec-policy '%s': key "
			    "lifetime is shorter than 30 days", p->name);
		if (k->lifetime != 0 && k->lifetime <= min)
			ERR(ps->c, ps->kst[i], "dnssec-policy '%s': key "
			    "lifetime is shorter than the time it takes to do "
			    "a rollover (more than %llu seconds)", p->name,
			    (unsigned long long)min);
		twice[k->alg] |= role[k->alg] & k->role;
		role[k->alg] |= k->role;
	}
	for (unsigned a = 0; a < 256; a++) {
		if (role[a] != 0 && role[a] != DNSKEY_ROLE_CSK)
			ERR(ps->c, ps->keys, "dnssec-policy '%s': algorithm %u "
			    "needs keys with both the KSK and ZSK roles",
			    p->name, a);
		if (twice[a] & DNSKEY_ROLE_ZSK)
			WARN(ps->c, ps->keys, "dnssec-policy '%s': algorithm "
			    "%u has more than one key with the ZSK role",
			    p->name, a);
		if (twice[a] & DNSKEY_ROLE_KSK)
			WARN(ps->c, ps->keys, "dnssec-policy '%s': algorithm "
			    "%u has more than one key with the KSK role",
			    p->name, a);
	}
}

/* Whether the name is one a policy may have. */
static bool
name_ok(struct ctx *c, const struct cfg_stmt *st, const char *name)
{
	if (strcmp(name, "default") == 0 || strcmp(name, "insecure") == 0 ||
	    strcmp(name, "none") == 0) {
		ERR(c, st, "dnssec-policy '%s': the name is built in (so are "
		    "'default', 'insecure' and 'none')", name);
		return false;
	}
	if (find_policy(c->conf, name) != NULL) {
		ERR(c, st, "dnssec-policy '%s' is defined twice", name);
		return false;
	}
	return true;
}

void
conf_stmt_dnssec_policy(struct ctx *c, const struct cfg_stmt *st)
{
	const struct cfg_block *b = conf_block_at(st, 2);
	struct conf *cf = c->conf;
	struct pstate ps;
	unsigned errors = c->errors;

	if (st->n != 3 || conf_word(st, 1) == NULL || b == NULL) {
		ERR(c, st, "dnssec-policy: expected dnssec-policy NAME "
		    "{ ... }; here (a zone or options names one with "
		    "dnssec-policy NAME;)");
		return;
	}
	if (!name_ok(c, st, conf_word(st, 1)))
		return;
	memset(&ps, 0, sizeof(ps));
	ps.c = c;
	policy_defaults(&ps.p, conf_word(st, 1));
	ps.p.conf_file = st->file;
	ps.p.conf_line = st->line;
	for (unsigned i = 0; i < b->n; i++)
		policy_stmt(&ps, &b->s[i]);
	if (ps.keys == NULL)
		default_keys(&ps.p);	/* as BIND: default's keys */
	check_signatures(&ps, st);
	if (ps.keys != NULL)
		check_keys(&ps);
	free(ps.kst);
	if (c->errors != errors) {
		policy_free(&ps.p);
		return;
	}
	cf->policies = xreallocarray(cf->policies, cf->npolicies + 1,
	    sizeof(*cf->policies));
	cf->policies[cf->npolicies++] = ps.p;
}

/* ---- options and zones -------------------------------------------- */

/* "dnssec-policy NAME;" Returns: the name, or NULL after reporting. */
static const char *
policy_ref(struct ctx *c, const struct cfg_stmt *st)
{
	if (st->n == 3 && conf_block_at(st, 2) != NULL) {
		ERR(c, st, "dnssec-policy may only be defined at the top "
		    "level; here it names one: dnssec-policy NAME;");
		return NULL;
	}
	return conf_single(c, st);
}

bool
conf_dnssec_option(struct ctx *c, const struct cfg_stmt *st)
{
	const char *name = conf_word(st, 0);
	struct conf *cf = c->conf;
	const char *v;

	if (conf_is(name, "dnssec-policy")) {
		if (c->opt_policy != NULL)
			ERR(c, st, "dnssec-policy: given twice");
		else if ((v = policy_ref(c, st)) != NULL) {
			/* Checked in each zone that inherits it, as
			 * BIND does. */
			c->opt_policy = v;
			c->opt_policy_st = st;
			cf->dnssec_policy = find_policy(cf, v);
		}
		return true;
	}
	if (conf_is(name, "key-directory")) {
		if (cf->key_directory != NULL)
			ERR(c, st, "key-directory: given twice");
		else if ((v = conf_single(c, st)) != NULL)
			cf->key_directory = xstrdup(v);
		return true;
	}
	return false;
}

bool
conf_dnssec_is_zone_option(const char *name)
{
	return conf_is(name, "dnssec-policy") ||
	    conf_is(name, "key-directory") || conf_is(name, "inline-signing");
}

void
conf_dnssec_zone_free(struct conf_zone *z)
{
	free(z->key_directory);
	z->key_directory = NULL;
	z->dnssec_policy = NULL;
}

/* The zone's statements. Returns: its policy name or the options', or
 * NULL for none. */
static const char *
zone_stmts(struct ctx *c, const struct cfg_block *b, struct conf_zone *z,
    const struct cfg_stmt **where)
{
	const char *policy = c->opt_policy, *dir = NULL, *v;
	unsigned given = 0;

	*where = c->opt_policy_st;
	for (unsigned i = 0; i < b->n; i++) {
		const struct cfg_stmt *o = &b->s[i];
		const char *w = conf_word(o, 0);
		unsigned bit = conf_is(w, "dnssec-policy") ? 1 :
		    conf_is(w, "key-directory") ? 2 :
		    conf_is(w, "inline-signing") ? 4 : 0;
		if (bit == 0)
			continue;
		if (given & bit) {
			ERR(c, o, "zone '%s': %s: given twice", z->name, w);
			continue;
		}
		given |= bit;
		if (bit == 1 && (v = policy_ref(c, o)) != NULL) {
			policy = v;
			*where = o;
		} else if (bit == 2 && (v = conf_single(c, o)) != NULL)
			dir = v;
		else if (bit == 4)
			(void)conf_get_bool(c, o, &z->inline_signing);
	}
	if (dir == NULL)
		dir = c->conf->key_directory;
	z->key_directory = dir != NULL ? conf_resolve_path(c->conf, dir) :
	    xstrdup(c->conf->directory ? c->conf->directory : ".");
	return policy;
}

/* The key directory must be there; whether the server may write in it
 * is found when it runs, after it has dropped its privileges. */
static void
check_key_directory(struct ctx *c, const struct cfg_stmt *st,
    const struct conf_zone *z)
{
	struct stat sb;

	if (stat(z->key_directory, &sb) != 0)
		ERR(c, st, "zone '%s': key-directory: '%s' %s", z->name,
		    z->key_directory, errno == ENOENT ? "does not exist" :
		    strerror(errno));
	else if (!S_ISDIR(sb.st_mode))
		ERR(c, st, "zone '%s': key-directory: '%s' is not a "
		    "directory", z->name, z->key_directory);
}

void
conf_dnssec_zone(struct ctx *c, const struct cfg_stmt *st,
    const struct cfg_block *b, struct conf_zone *z)
{
	const struct cfg_stmt *where;
	const char *name = zone_stmts(c, b, z, &where);

	if (name == NULL || strcmp(name, "none") == 0) {
		if (z->inline_signing)
			WARN(c, st, "zone '%s': inline-signing without a "
			    "dnssec-policy: the zone is served unsigned",
			    z->name);
		return;
	}
	z->dnssec_policy = find_policy(c->conf, name);
	if (z->dnssec_policy == NULL) {
		/* Both lines: BIND names the zone's, the option's says
		 * where to look. */
		ERR(c, st, "zone '%s': dnssec-policy '%s' is not defined",
		    z->name, name);
		if (where != st)
			ERR(c, where, "zone '%s': dnssec-policy '%s' is not "
			    "defined", z->name, name);
		return;
	}
	/*
	 * As in BIND 9.18: the signer works on a copy beside the zone
	 * (inline-signing, also for a secondary, which signs what it
	 * transfers) or on the zone itself, which must then take updates.
	 */
	if (!z->dynamic && !z->inline_signing)
		ERR(c, st, "zone '%s': 'inline-signing yes;' must also be "
		    "configured explicitly for zones using dnssec-policy%s",
		    z->name, z->type == ZONE_PRIMARY ? " without a configured "
		    "'allow-update' or 'update-policy'" : "");
	/* A zone that takes updates is signed as with inline-signing,
	 * whether or not it says so: its file and journal keep the
	 * unsigned zone. A secondary signs what it transfers. */
	check_key_directory(c, st, z);
}

bool
conf_zone_signed(const struct conf_zone *z)
{
	return (z->type == ZONE_PRIMARY || z->type == ZONE_SECONDARY) &&
	    z->dnssec_policy != NULL;
}

void
conf_signed_path(const struct conf_zone *z, bool journal, char *path,
    size_t n)
{
	char tmp[4096];
	size_t k;

	/* journal_state_path() escapes the name; only the suffix differs */
	journal_state_path(z->key_directory, z->name, tmp, sizeof(tmp));
	k = strlen(tmp);
	if (k > 4 && strcmp(tmp + k - 4, ".jnl") == 0)
		tmp[k - 4] = '\0';
	snprintf(path, n, "%s.signed%s", tmp, journal ? ".jnl" : "");
}
