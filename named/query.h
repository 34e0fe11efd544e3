/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * One query in, one response out: the transport-independent core that
 * workers call for every message and the tests call in-process.
 */
#ifndef APEX_QUERY_H
#define APEX_QUERY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "conf.h"
#include "pkt.h"
#include "rrl.h"
#include "tsig.h"
#include "zonetab.h"

/* What a worker answers from. Borrowed by query_process(). */
struct query_env {
	const struct conf	*conf;
	const struct zonetab	*zones;	/* data: const struct conf_zone * */
	const struct zonetab	*chaos;	/* CHAOS-class zones */
	const struct tsig_keyring *keys;	/* TSIG keys (may be empty) */
	/* Configured zones with nothing to serve (not loaded yet, or
	 * expired): their names get SERVFAIL. */
	const struct conf_zone	*const *unavailable;
	unsigned		 nunavailable;
	/* Per conf zone (index into conf->zones, NULL: none): when a
	 * secondary expires, seconds since the epoch (0: not known). */
	const uint64_t		*expires;
	uint32_t		 now;	/* seconds since the epoch */
	bool			 querylog;	/* fill query_result's log */
	struct rrl		*rrl;	/* rate limiting; NULL: none */
};

struct query_client {
	const struct sockaddr	*addr;	/* for ACLs and the query log */
	bool			 tcp;
};

/* What happened, for counters and the query log. */
struct query_result {
	bool		 answered;	/* false: dropped */
	uint16_t	 rcode;		/* extended RCODE */
	uint16_t	 qtype;
	bool		 tc;
	/* Work for apex-xferd (the response is 0 octets): a TCP transfer
	 * or update to hand over with its connection, a UDP update to
	 * pass on, or an accepted NOTIFY for a secondary zone (answered
	 * as usual). */
	bool		 handoff;
	bool		 notify;
	bool		 update;	/* a UDP UPDATE for apex-xferd,
					 * which answers it */
	const struct conf_zone *zone;
	/* Rate limiting: what was (or under log-only would have been)
	 * done, and the kind of account that decided. */
	enum rrl_verdict rrl;
	enum rrl_kind	 rrl_by;
	/* With env->querylog, for the query log: */
	bool		 logged;	/* a question was parsed */
	uint16_t	 qclass;
	char		 flags[16];	/* BIND's: +E(0)DC and so on */
	uint8_t		 qname[DNAME_MAXLEN];
};

/*
 * Answers the message req[0..len) into resp (at least PKT_MAXLEN bytes
 * for TCP, 4096 for UDP). Runs hops 3-6 of the query path:
 * pkt_parse_query(), zonetab_find(), zone_lookup(), answer_build(),
 * then, over UDP, rrl_check() on the response built.
 * Returns: the response length, or 0 to send nothing. Never allocates.
 */
size_t	query_process(const struct query_env *env,
	    const struct query_client *client, const uint8_t *req, size_t len,
	    uint8_t *resp, size_t cap, struct query_result *res);

#endif
