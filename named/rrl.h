/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * Response rate limiting (rate-limit in options), with BIND 9's
 * semantics. An account is a client prefix (ipv4-prefix-length,
 * ipv6-prefix-length) together with the kind of response and what it
 * was about: the name and type of a positive answer, the name of a
 * referral or NODATA answer, the zone of an NXDOMAIN answer (so random
 * names do not each get their own account), every wildcard answer of a
 * zone together, and nothing for errors. An account earns its rate in
 * credits per second, keeps at most one second's worth, and goes into
 * debt down to -window * rate while the client keeps asking; a response
 * without credit is dropped, or "slipped" (sent truncated and empty, so
 * a real client retries over TCP) every slip-th time. all-per-second is
 * one more account per prefix that every UDP response is charged to.
 *
 * Each worker has its own table: max-table-size entries allocated at
 * start, found through a keyed hash and reused least-recently-used
 * first, so a query never allocates and a flood of spoofed sources only
 * recycles entries. Nothing here is shared or locked.
 */
#ifndef APEX_RRL_H
#define APEX_RRL_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "conf.h"

/* Kinds of response; the first ones index conf_rrl.rate[]. */
enum rrl_kind {
	RRL_RESPONSE = RRL_RATE_RESPONSES,
	RRL_REFERRAL = RRL_RATE_REFERRALS,
	RRL_NODATA = RRL_RATE_NODATA,
	RRL_NXDOMAIN = RRL_RATE_NXDOMAINS,
	RRL_ERROR = RRL_RATE_ERRORS,
	RRL_ALL = RRL_RATE_ALL,
	RRL_TCP,		/* clients seen over TCP, for qps-scale */
	RRL_NKINDS,
};

enum rrl_verdict {
	RRL_PASS,
	RRL_DROP,
	RRL_SLIP,
};

/* What a response was about, as the query path found it. */
struct rrl_query {
	enum rrl_kind	 kind;
	uint16_t	 qtype;
	uint16_t	 qclass;
	const uint8_t	*name;	/* lowercase wire form; NULL for errors */
	bool		 wild;	/* name is the origin of a wildcard zone */
};

struct rrl_entry;

struct rrl {
	const struct conf_rrl	*conf;		/* borrowed */
	struct rrl_entry	*e;		/* n entries */
	uint32_t		*bucket;	/* mask + 1 chain heads */
	uint32_t		 n, used, mask;
	uint32_t		 lru_head, lru_tail;	/* head: newest */
	uint8_t			 hkey[16];	/* SipHash-1-3 key */
	uint8_t			 v4mask[4], v6mask[8];
	unsigned		 qps_scale;	/* this worker's share */
	uint32_t		 qps_time;	/* start of the sample */
	uint64_t		 qps_responses;
	double			 qps;		/* last full sample */
	unsigned		 nlogged;	/* entries with a start line */
	uint32_t		 log_second;	/* log lines in this second */
	unsigned		 log_lines, log_suppressed;
	uint32_t		 maint_second;	/* last stop-line scan */
};

/*
 * Allocates the table of a worker, one of nworkers sharing qps-scale.
 * key seeds the hash (random, so clients cannot aim at one chain).
 * Ownership: release with rrl_free(); conf is borrowed for the table's
 * life.
 */
void	rrl_init(struct rrl *, const struct conf_rrl *conf, unsigned nworkers,
	    const uint8_t key[16]);
void	rrl_free(struct rrl *);

/*
 * Charges one response to client sa at time now (seconds). TCP
 * responses are never limited; with qps-scale they mark the client as
 * one that uses TCP. exempt-clients always pass. *by is the kind of the
 * account that decided (the all-per-second one when both are limited).
 * Under log-only the verdict (and the log line) is still what would be
 * done; the caller sends the response anyway.
 * Returns: RRL_PASS, RRL_DROP or RRL_SLIP.
 */
enum rrl_verdict	rrl_check(struct rrl *, const struct sockaddr *sa,
			    bool tcp, const struct rrl_query *q, uint32_t now,
			    enum rrl_kind *by);

/* "response", "referral", "nodata", "nxdomain", "error", "all". */
const char	*rrl_kind_name(enum rrl_kind);

#endif
