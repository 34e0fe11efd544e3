/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * Address match lists as in BIND's named.conf: an ordered list of
 * elements (address or prefix, "any", "none", "localhost", "localnets",
 * "key NAME", a named ACL or a nested list), each optionally negated with
 * "!". The first element that matches decides: allow, or deny if it was
 * negated. A list where nothing matches denies. As in BIND, "none" is
 * "!any", and a nested or named list matches only where it allows: a
 * deny inside it is no match of the element, so the next element
 * decides and "!list" never allows what the list itself denied.
 *
 * IPv4-mapped IPv6 clients (::ffff:a.b.c.d) are matched as IPv4.
 */
#ifndef APEX_ACL_H
#define APEX_ACL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "util.h"

enum acl_kind {
	ACL_PREFIX,
	ACL_ANY,
	ACL_NONE,
	ACL_KEY,
	ACL_NESTED,
};

struct acl;

struct acl_elem {
	enum acl_kind	 kind;
	bool		 negated;
	uint8_t		 family;	/* AF_INET or AF_INET6 */
	uint8_t		 prefixlen;
	uint8_t		 addr[16];
	char		*key;		/* ACL_KEY: key name */
	const struct acl *nested;	/* ACL_NESTED: borrowed or owned */
	struct acl	*owned;		/* freed with the list */
};

struct acl {
	struct acl_elem	*elem;
	unsigned	 n;
};

/* Caller owns the result; release with acl_free(). */
struct acl	*acl_new(void);
void	acl_free(struct acl *);
/* Appends an element; the element's owned list moves into the ACL. */
void	acl_add(struct acl *, const struct acl_elem *);

/*
 * Parses "ADDR" or "ADDR/LEN" into e (kind ACL_PREFIX).
 * Returns: 0 or APEX_EINVAL.
 */
int	acl_parse_prefix(const char *s, struct acl_elem *e) MUST_CHECK;

enum acl_result {
	ACL_NOMATCH,
	ACL_ALLOW,
	ACL_DENY,
};

/* Matches a client address and the TSIG key it signed with (or NULL). */
enum acl_result	acl_match(const struct acl *, const struct sockaddr *sa,
		    const char *key);
/* Whether acl_match() allows; a NULL list allows everyone. */
bool	acl_allows(const struct acl *, const struct sockaddr *sa,
	    const char *key);

/* "ADDRESS#PORT" for logs. Returns buf. */
char	*sockaddr_str(const struct sockaddr *sa, char *buf, size_t size);
/* "ADDRESS" alone. Returns buf. */
char	*sockaddr_host_str(const struct sockaddr *sa, char *buf, size_t size);
/* Whether a and b are the same IPv4 or IPv6 address (ports aside; an
 * IPv4-mapped IPv6 address equals its IPv4 address). */
bool	sockaddr_same_host(const struct sockaddr *a, const struct sockaddr *b);

/* Lists of the host's own addresses and networks, for "localhost" and
 * "localnets". Caller owns the result. */
struct acl	*acl_localhost(void);
struct acl	*acl_localnets(void);

#endif
