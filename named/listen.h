/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * Listening addresses and sockets. The parent works out which of the
 * host's addresses the listen-on statements select (as BIND does: every
 * interface address the address match list allows) and opens the
 * sockets before any child exists.
 */
#ifndef APEX_LISTEN_H
#define APEX_LISTEN_H

#include <stdint.h>
#include <sys/socket.h>

#include "conf.h"

struct listen_addr {
	struct sockaddr_storage	ss;
	socklen_t		len;
};

/*
 * The addresses to serve on. port, when not 0, replaces the default
 * port (statements with an explicit port keep theirs).
 * Ownership: caller owns *out; release with free().
 */
unsigned	listen_addresses(const struct conf *cf, uint16_t port,
		    struct listen_addr **out);

/* A bound UDP socket (SO_REUSEPORT, non-blocking), or -1 (errno). */
int	listen_udp(const struct listen_addr *a);
/* A listening TCP socket (SO_REUSEPORT, non-blocking), or -1 (errno). */
int	listen_tcp(const struct listen_addr *a);

const char	*listen_addr_str(const struct listen_addr *a, char *buf,
		    size_t size);

#endif
