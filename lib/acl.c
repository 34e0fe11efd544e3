/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * Address match lists.
 * Runs in: apex-named parent (building), workers and apex-xferd (matching).
 */
#include <arpa/inet.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "acl.h"
#include "error.h"

struct acl *
acl_new(void)
{
	return xcalloc(1, sizeof(struct acl));
}

void
acl_free(struct acl *a)
{
	if (a == NULL)
		return;
	for (unsigned i = 0; i < a->n; i++) {
		free(a->elem[i].key);
		acl_free(a->elem[i].owned);
	}
	free(a->elem);
	free(a);
}

void
acl_add(struct acl *a, const struct acl_elem *e)
{
	a->elem = xreallocarray(a->elem, a->n + 1, sizeof(*a->elem));
	a->elem[a->n++] = *e;
}

int
acl_parse_prefix(const char *s, struct acl_elem *e)
{
	char buf[INET6_ADDRSTRLEN + 8];
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	long plen = -1;

	if (alen >= sizeof(buf))
		return APEX_EINVAL;
	memcpy(buf, s, alen);
	buf[alen] = '\0';
	memset(e, 0, sizeof(*e));
	e->kind = ACL_PREFIX;
	if (slash != NULL) {
		char *end;
		plen = strtol(slash + 1, &end, 10);
		if (*end != '\0' || slash[1] == '\0' || plen < 0)
			return APEX_EINVAL;
	}
	if (inet_pton(AF_INET, buf, e->addr) == 1) {
		e->family = AF_INET;
		if (plen > 32)
			return APEX_EINVAL;
		e->prefixlen = plen < 0 ? 32 : (uint8_t)plen;
	} else if (inet_pton(AF_INET6, buf, e->addr) == 1) {
		e->family = AF_INET6;
		if (plen > 128)
			return APEX_EINVAL;
		e->prefixlen = plen < 0 ? 128 : (uint8_t)plen;
	} else if (slash != NULL) {
		/* BIND accepts shortened IPv4 prefixes: 10/8, 192.168/16. */
		unsigned o[4] = { 0 }, n = 0;
		const char *p = buf;
		while (n < 4) {
			char *end;
			long v = strtol(p, &end, 10);
			if (end == p || v < 0 || v > 255)
				return APEX_EINVAL;
			o[n++] = (unsigned)v;
			if (*end == '\0')
				break;
			if (*end != '.')
				return APEX_EINVAL;
			p = end + 1;
		}
		if (plen > 32)
			return APEX_EINVAL;
		e->family = AF_INET;
		e->prefixlen = (uint8_t)plen;
		for (unsigned i = 0; i < 4; i++)
			e->addr[i] = (uint8_t)o[i];
	} else
		return APEX_EINVAL;
	/* Bits beyond the prefix must be zero (BIND rejects them too). */
	unsigned bytes = e->family == AF_INET ? 4 : 16;
	for (unsigned i = 0; i < bytes; i++) {
		unsigned bit = i * 8;
		uint8_t mask = bit >= e->prefixlen ? 0 :
		    bit + 8 <= e->prefixlen ? 0xff :
		    (uint8_t)(0xff << (8 - (e->prefixlen - bit)));
		if (e->addr[i] & ~mask)
			return APEX_EINVAL;
	}
	return 0;
}

static bool
prefix_match(const struct acl_elem *e, int family, const uint8_t *addr)
{
	if (family != e->family)
		return false;
	unsigned full = e->prefixlen / 8, rest = e->prefixlen % 8;
	if (memcmp(addr, e->addr, full) != 0)
		return false;
	if (rest == 0)
		return true;
	uint8_t mask = (uint8_t)(0xff << (8 - rest));
	return (addr[full] & mask) == (e->addr[full] & mask);
}

static enum acl_result
acl_match_addr(const struct acl *a, int family, const uint8_t *addr,
    const char *key)
{
	for (unsigned i = 0; i < a->n; i++) {
		const struct acl_elem *e = &a->elem[i];
		enum acl_result r = ACL_NOMATCH;
		switch (e->kind) {
		case ACL_PREFIX:
			if (prefix_match(e, family, addr))
				r = ACL_ALLOW;
			break;
		case ACL_ANY:
			r = ACL_ALLOW;
			break;
		case ACL_NONE:
			/* "none" is "!any": it denies where it stands. */
			r = ACL_DENY;
			break;
		case ACL_KEY:
			if (key != NULL && strcasecmp(key, e->key) == 0)
				r = ACL_ALLOW;
			break;
		case ACL_NESTED:
			/* Only an allow inside a nested or named list makes
			 * the element match; a deny there is no match, so
			 * the next element decides and an outer "!" cannot
			 * turn it into an allow (as BIND does). */
			if (acl_match_addr(e->nested, family, addr, key) ==
			    ACL_ALLOW)
				r = ACL_ALLOW;
			break;
		}
		if (r == ACL_NOMATCH)
			continue;
		if (e->negated)
			r = r == ACL_ALLOW ? ACL_DENY : ACL_ALLOW;
		return r;
	}
	return ACL_NOMATCH;
}

enum acl_result
acl_match(const struct acl *a, const struct sockaddr *sa, const char *key)
{
	static const uint8_t mapped[12] = { 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
	    0xff, 0xff };

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s = (const void *)sa;
		return acl_match_addr(a, AF_INET,
		    (const uint8_t *)&s->sin_addr, key);
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s = (const void *)sa;
		const uint8_t *b = s->sin6_addr.s6_addr;
		if (memcmp(b, mapped, 12) == 0)
			return acl_match_addr(a, AF_INET, b + 12, key);
		return acl_match_addr(a, AF_INET6, b, key);
	}
	return ACL_NOMATCH;
}

bool
acl_allows(const struct acl *a, const struct sockaddr *sa, const char *key)
{
	return a == NULL || acl_match(a, sa, key) == ACL_ALLOW;
}

static void
add_ifaddr(struct acl *a, const struct sockaddr *sa,
    const struct sockaddr *mask, bool network)
{
	struct acl_elem e;
	const uint8_t *addr, *m = NULL;
	unsigned bytes;

	memset(&e, 0, sizeof(e));
	e.kind = ACL_PREFIX;
	if (sa->sa_family == AF_INET) {
		addr = (const uint8_t *)&((const struct sockaddr_in *)
		    (const void *)sa)->sin_addr;
		if (mask != NULL)
			m = (const uint8_t *)&((const struct sockaddr_in *)
			    (const void *)mask)->sin_addr;
		bytes = 4;
	} else if (sa->sa_family == AF_INET6) {
		addr = ((const struct sockaddr_in6 *)(const void *)sa)
		    ->sin6_addr.s6_addr;
		if (mask != NULL)
			m = ((const struct sockaddr_in6 *)(const void *)mask)
			    ->sin6_addr.s6_addr;
		bytes = 16;
	} else
		return;
	e.family = (uint8_t)sa->sa_family;
	e.prefixlen = (uint8_t)(bytes * 8);
	memcpy(e.addr, addr, bytes);
	if (network && m != NULL) {
		unsigned len = 0;
		for (unsigned i = 0; i < bytes; i++) {
			e.addr[i] &= m[i];
			len += (unsigned)__builtin_popcount(m[i]);
		}
		e.prefixlen = (uint8_t)len;
	}
	acl_add(a, &e);
}

static struct acl *
acl_from_interfaces(bool network)
{
	struct acl *a = acl_new();
	struct ifaddrs *ifa, *i;

	if (getifaddrs(&ifa) != 0)
		return a;
	for (i = ifa; i != NULL; i = i->ifa_next)
		if (i->ifa_addr != NULL)
			add_ifaddr(a, i->ifa_addr, i->ifa_netmask, network);
	freeifaddrs(ifa);
	return a;
}

struct acl *
acl_localhost(void)
{
	return acl_from_interfaces(false);
}

struct acl *
acl_localnets(void)
{
	return acl_from_interfaces(true);
}

static char *
format_sockaddr(const struct sockaddr *sa, char *buf, size_t size,
    bool with_port)
{
	char host[INET6_ADDRSTRLEN] = "?";
	unsigned port = 0;

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *s = (const void *)sa;
		inet_ntop(AF_INET, &s->sin_addr, host, sizeof(host));
		port = ntohs(s->sin_port);
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *s = (const void *)sa;
		inet_ntop(AF_INET6, &s->sin6_addr, host, sizeof(host));
		port = ntohs(s->sin6_port);
	}
	if (with_port)
		snprintf(buf, size, "%s#%u", host, port);
	else
		snprintf(buf, size, "%s", host);
	return buf;
}

char *
sockaddr_str(const struct sockaddr *sa, char *buf, size_t size)
{
	return format_sockaddr(sa, buf, size, true);
}

char *
sockaddr_host_str(const struct sockaddr *sa, char *buf, size_t size)
{
	return format_sockaddr(sa, buf, size, false);
}

/* The 16-octet IPv6 form of an address (IPv4 as ::ffff:a.b.c.d). */
static bool
addr16(const struct sockaddr *sa, uint8_t out[16])
{
	if (sa->sa_family == AF_INET) {
		memset(out, 0, 10);
		out[10] = out[11] = 0xff;
		memcpy(out + 12, &((const struct sockaddr_in *)(const void *)
		    sa)->sin_addr, 4);
		return true;
	}
	if (sa->sa_family == AF_INET6) {
		memcpy(out, &((const struct sockaddr_in6 *)(const void *)sa)
		    ->sin6_addr, 16);
		return true;
	}
	return false;
}

bool
sockaddr_same_host(const struct sockaddr *a, const struct sockaddr *b)
{
	uint8_t x[16], y[16];

	return addr16(a, x) && addr16(b, y) && memcmp(x, y, 16) == 0;
}
