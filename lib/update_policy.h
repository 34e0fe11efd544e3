/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * A zone's update-policy (BIND 9.18's grammar and meaning): an ordered
 * list of rules, each granting or denying one or more TSIG key names
 * (the identity, possibly a wildcard) the right to change records of
 * some types at some names. The first rule whose identity, name and
 * type all match decides; when none matches, the change is refused. An
 * unsigned request matches no rule: apex supports none of the rule
 * types that go by the client's address or a Kerberos principal.
 *
 * Names are kept in wire form and lowercase; the conf parser
 * (conf_update.c) builds the rules and the struct conf owns them.
 */
#ifndef APEX_UPDATE_POLICY_H
#define APEX_UPDATE_POLICY_H

#include <stdbool.h>
#include <stdint.h>

#include "dname.h"

/* How a rule matches the owner name of a change. */
enum update_match {
	UPDATE_MATCH_NAME,	/* the name is NAME */
	UPDATE_MATCH_SUBDOMAIN,	/* the name is NAME or below it */
	UPDATE_MATCH_ZONESUB,	/* the name is the zone's origin or below */
	UPDATE_MATCH_WILDCARD,	/* NAME is *.S; the name is below S */
	UPDATE_MATCH_SELF,	/* the name is the signer's key name */
	UPDATE_MATCH_SELFSUB,	/* the name is the signer's or below it */
	UPDATE_MATCH_SELFWILD,	/* the name is below the signer's */
};

struct update_rule {
	bool		 grant;		/* false: deny */
	enum update_match match;
	/* the key name, lowercase; "*.S" matches every key below S */
	uint8_t		 identity[DNAME_MAXLEN];
	/* NAME of name, subdomain and wildcard rules; otherwise the root */
	uint8_t		 name[DNAME_MAXLEN];
	/* ntypes 0: every type but RRSIG, NS, SOA, NSEC and NSEC3, as in
	 * BIND; the list may hold TYPE_ANY (every type but NSEC, NSEC3) */
	uint16_t	*types;
	unsigned	 ntypes;
	/* update-policy local: the request must also come from one of the
	 * server's own addresses (BIND's localhost) */
	bool		 local_only;
};

struct conf_update_policy {
	struct update_rule	*rules;
	unsigned		 nrules;	/* 0: every change refused */
};

/*
 * Whether policy p lets the key signer change the RRset of type at name
 * in the zone origin (RFC 2136 3.3). All names are wire form, in any
 * case. signer is NULL for an unsigned request, which no rule matches.
 * type TYPE_ANY stands for deleting every RRset at name: it matches the
 * rules without a type list and those whose list holds ANY, as in
 * BIND's ssu.c. NSEC and NSEC3 records are never granted (BIND refuses
 * them whatever the policy).
 * from_local says the request came from one of the server's own
 * addresses, which a local_only rule needs.
 * Returns: true if the first matching rule grants; false if it denies
 * or if no rule matches.
 */
bool	update_policy_allows(const struct conf_update_policy *p,
	    const uint8_t *origin, const uint8_t *signer, const uint8_t *name,
	    uint16_t type, bool from_local);

/* Frees p and its rules; accepts NULL. */
void	update_policy_free(struct conf_update_policy *p);

#endif
