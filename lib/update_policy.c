/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * The update-policy matcher: whether a zone's rules let a TSIG key
 * change an RRset, with the meaning BIND 9.18 gives each rule type.
 * Runs in: apex-xferd, for every record of an UPDATE's update section.
 */
#include <stdlib.h>

#include "rr.h"
#include "update_policy.h"

/* Whether the label at the left of name is "*" (RFC 4592 2.1.1). */
static bool
is_wildcard(const uint8_t *name)
{
	return name[0] == 1 && name[1] == '*';
}

/*
 * As BIND's dns_name_matcheswildcard: wild is *.S, and name lies
 * strictly below S, by one label or more (RFC 4592 2.1.3).
 */
static bool
matches_wildcard(const uint8_t *name, const uint8_t *wild)
{
	const uint8_t *suffix = wild + 2;

	return dname_label_count(name) > dname_label_count(suffix) &&
	    dname_is_subdomain(name, suffix);
}

static bool
identity_matches(const struct update_rule *r, const uint8_t *signer)
{
	if (is_wildcard(r->identity))
		return matches_wildcard(signer, r->identity);
	return dname_equal(signer, r->identity);
}

static bool
name_matches(const struct update_rule *r, const uint8_t *origin,
    const uint8_t *signer, const uint8_t *name)
{
	switch (r->match) {
	case UPDATE_MATCH_NAME:
		return dname_equal(name, r->name);
	case UPDATE_MATCH_SUBDOMAIN:
		return dname_is_subdomain(name, r->name);
	case UPDATE_MATCH_ZONESUB:
		return dname_is_subdomain(name, origin);
	case UPDATE_MATCH_WILDCARD:
		return matches_wildcard(name, r->name);
	case UPDATE_MATCH_SELF:
		return dname_equal(name, signer);
	case UPDATE_MATCH_SELFSUB:
		return dname_is_subdomain(name, signer);
	case UPDATE_MATCH_SELFWILD:
		/* BIND matches *.signer, which is strictly below. (A
		 * signer too long to take "*." has nothing below it.) */
		return dname_label_count(name) > dname_label_count(signer) &&
		    dname_is_subdomain(name, signer);
	}
	return false;
}

/*
 * The default set when a rule lists no types: what a client may change
 * without being trusted with the zone's delegation, SOA or signatures.
 */
static bool
is_default_type(uint16_t type)
{
	return type != TYPE_RRSIG && type != TYPE_NS && type != TYPE_SOA;
}

static bool
type_matches(const struct update_rule *r, uint16_t type)
{
	if (r->ntypes == 0)
		return is_default_type(type);
	for (unsigned i = 0; i < r->ntypes; i++)
		if (r->types[i] == TYPE_ANY || r->types[i] == type)
			return true;
	return false;
}

bool
update_policy_allows(const struct conf_update_policy *p,
    const uint8_t *origin, const uint8_t *signer, const uint8_t *name,
    uint16_t type, bool from_local)
{
	/* The NSEC and NSEC3 chains are the signer's to maintain; BIND
	 * refuses them in every update, before the policy. */
	if (p == NULL || signer == NULL || type == TYPE_NSEC ||
	    type == TYPE_NSEC3)
		return false;
	for (unsigned i = 0; i < p->nrules; i++) {
		const struct update_rule *r = &p->rules[i];
		if ((!r->local_only || from_local) &&
		    identity_matches(r, signer) &&
		    name_matches(r, origin, signer, name) &&
		    type_matches(r, type))
			return r->grant;
	}
	return false;
}

void
update_policy_free(struct conf_update_policy *p)
{
	if (p == NULL)
		return;
	for (unsigned i = 0; i < p->nrules; i++)
		free(p->rules[i].types);
	free(p->rules);
	free(p);
}
