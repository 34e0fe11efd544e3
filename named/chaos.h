/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * The built-in CHAOS-class zones that identify the server:
 * version.bind, hostname.bind, authors.bind and id.server, as BIND
 * serves them (RFC 4892 for id.server).
 */
#ifndef APEX_CHAOS_H
#define APEX_CHAOS_H

#include "conf.h"
#include "zonetab.h"

/*
 * Builds the zones from the configuration (version, hostname,
 * server-id; a value of none leaves the TXT record out) into t.
 * Ownership: the images live until chaos_free(t).
 */
void	chaos_build(const struct conf *cf, struct zonetab *t);
void	chaos_free(struct zonetab *t);

#endif
