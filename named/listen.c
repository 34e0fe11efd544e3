/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * Listening sockets.
 * Runs in: apex-named parent (root, before forking).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <ifaddrs.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "listen.h"

/* NSD uses 1 MB too: a burst of queries must not overflow the default
 * receive buffer while a worker is busy. */
#define SOCKBUF		(1 << 20)
#define TCP_BACKLOG	1024

static void
add_addr(struct listen_addr **out, unsigned *n, const struct sockaddr *sa,
    uint16_t port)
{
	struct listen_addr a;

	memset(&a, 0, sizeof(a));
	if (sa->sa_family == AF_INET) {
		memcpy(&a.ss, sa, sizeof(struct sockaddr_in));
		((struct sockaddr_in *)&a.ss)->sin_port = htons(port);
		a.len = sizeof(struct sockaddr_in);
	} else {
		memcpy(&a.ss, sa, sizeof(struct sockaddr_in6));
		((struct sockaddr_in6 *)&a.ss)->sin6_port = htons(port);
		a.len = sizeof(struct sockaddr_in6);
	}
	for (unsigned i = 0; i < *n; i++)
		if ((*out)[i].len == a.len && memcmp(&(*out)[i].ss, &a.ss,
		    a.len) == 0)
			return;
	*out = xreallocarray(*out, *n + 1, sizeof(**out));
	(*out)[(*n)++] = a;
}

unsigned
listen_addresses(const struct conf *cf, uint16_t port,
    struct listen_addr **out)
{
	struct ifaddrs *ifa;
	unsigned n = 0;
	uint16_t dflt = port ? port : cf->port;

	*out = NULL;
	if (getifaddrs(&ifa) != 0)
		return 0;
	for (struct ifaddrs *i = ifa; i != NULL; i = i->ifa_next) {
		const struct sockaddr *sa = i->ifa_addr;
		if (sa == NULL || (sa->sa_family != AF_INET &&
		    sa->sa_family != AF_INET6))
			continue;
		if (sa->sa_family == AF_INET6) {
			const struct sockaddr_in6 *s6 = (const void *)sa;
			/* Link-local addresses need a scope; BIND skips
			 * them too unless named explicitly. */
			if (IN6_IS_ADDR_LINKLOCAL(&s6->sin6_addr))
				continue;
		}
		if (cf->nlisten == 0) {
			/* BIND's defaults: { any; } for both families. */
			add_addr(out, &n, sa, dflt);
			continue;
		}
		for (unsigned k = 0; k < cf->nlisten; k++) {
			const struct conf_listen *l = &cf->listen[k];
			if (l->family != sa->sa_family ||
			    acl_match(l->acl, sa, NULL) != ACL_ALLOW)
				continue;
			add_addr(out, &n, sa, l->port ? l->port : dflt);
		}
	}
	freeifaddrs(ifa);
	return n;
}

static int
open_socket(const struct listen_addr *a, int type)
{
	int on = 1, size = SOCKBUF;
	int fd = socket(a->ss.ss_family, type | SOCK_NONBLOCK | SOCK_CLOEXEC,
	    0);

	if (fd < 0)
		return -1;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) != 0 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEPORT, &on, sizeof(on)) != 0)
		goto fail;
	if (a->ss.ss_family == AF_INET6 && setsockopt(fd, IPPROTO_IPV6,
	    IPV6_V6ONLY, &on, sizeof(on)) != 0)
		goto fail;
	if (type == SOCK_DGRAM) {
		(void)setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size,
		    sizeof(size));
		(void)setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &size,
		    sizeof(size));
		/* Do not fragment large answers on the way out; clients
		 * fall back to TCP on TC (RFC 8085 3.2). */
		int pmtu = IP_PMTUDISC_OMIT;
		if (a->ss.ss_family == AF_INET)
			(void)setsockopt(fd, IPPROTO_IP, IP_MTU_DISCOVER,
			    &pmtu, sizeof(pmtu));
	} else
		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof(on));
	if (bind(fd, (const struct sockaddr *)&a->ss, a->len) != 0)
		goto fail;
	if (type == SOCK_STREAM && listen(fd, TCP_BACKLOG) != 0)
		goto fail;
	return fd;
fail:;
	int e = errno;
	close(fd);
	errno = e;
	return -1;
}

int
listen_udp(const struct listen_addr *a)
{
	return open_socket(a, SOCK_DGRAM);
}

int
listen_tcp(const struct listen_addr *a)
{
	return open_socket(a, SOCK_STREAM);
}

const char *
listen_addr_str(const struct listen_addr *a, char *buf, size_t size)
{
	char host[INET6_ADDRSTRLEN];
	uint16_t port;

	if (a->ss.ss_family == AF_INET) {
		const struct sockaddr_in *s = (const void *)&a->ss;
		inet_ntop(AF_INET, &s->sin_addr, host, sizeof(host));
		port = ntohs(s->sin_port);
	} else {
		const struct sockaddr_in6 *s = (const void *)&a->ss;
		inet_ntop(AF_INET6, &s->sin6_addr, host, sizeof(host));
		port = ntohs(s->sin6_port);
	}
	snprintf(buf, size, "%s#%u", host, port);
	return buf;
}
