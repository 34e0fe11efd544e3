/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * Building the sections of an authoritative response (RFC 1034 4.3.2,
 * RFC 2308, RFC 4592, RFC 6672) into a pkt_writer.
 */
#ifndef APEX_ANSWER_H
#define APEX_ANSWER_H

#include <stdbool.h>
#include <stdint.h>

#include "pkt.h"
#include "tsig.h"
#include "query.h"
#include "rrl.h"
#include "zonetab.h"

#define ANSWER_MAX_RRSETS	64	/* remembered to avoid duplicates */
#define ANSWER_MAX_ADDL		32	/* names for the additional section */
/* Lookups along one CNAME/DNAME chain; a chain that needs more ends in
 * SERVFAIL (BIND's default of 11 restarts gives the same limit). */
#define ANSWER_MAX_CHAIN	12

/* Denial records (NSEC, NSEC3) and DS for the authority section, kept
 * until the answer section is complete. */
#define ANSWER_MAX_PROOFS	40

struct answer_proof {
	const struct zonetab_entry	*ze;
	uint32_t			 node;	/* owner in ze's image */
	uint16_t			 type;
};

struct answer_addl {
	const struct zonetab_entry	*ze;	/* zone holding the record */
	const uint8_t			*name;	/* target, in the image */
	bool				 glue;	/* from a referral */
	bool				 required; /* even when minimal */
};

/* The state of one response under construction; lives on the stack. */
struct answer {
	struct pkt_writer	 w;
	const struct query_env	*env;
	const struct pkt_query	*q;
	const struct sockaddr	*client;
	const char		*keyname;	/* TSIG key that signed q */
	bool			 tsig;		/* sign the response */
	uint16_t		 tsig_error;	/* RFC 8945 error to send */
	struct tsig_ctx		 tsig_ctx;
	uint16_t		 flags;		/* header flags to send */
	uint16_t		 rcode;		/* extended RCODE */
	int			 ede;		/* RFC 8914 info code, -1 */
	const char		*ede_text;
	bool			 tc;
	bool			 no_room_nsid;	/* left out: no room */
	bool			 no_room_cookie;
	bool			 have_expire;	/* RFC 7314 EXPIRE to send */
	uint32_t		 expire;	/* its value, seconds */
	bool			 handoff;	/* a transfer for apex-xferd */
	bool			 notify;	/* a NOTIFY to pass on */
	bool			 update;	/* a UDP UPDATE to pass on */
	const struct conf_zone	*zone;	/* of handoff, notify or update */
	/* What the first lookup found, for rate limiting. Names are in
	 * the zone image: borrowed until the query is answered. */
	bool			 rrl_set;
	struct rrl_query	 rrl;
	bool			 minimal_auth;	/* no NS in positive answers */
	bool			 minimal_addl;	/* only required additional */
	bool			 dnssec;	/* DO=1: RRSIGs and proofs */
	unsigned		 nproofs;
	struct answer_proof	 proofs[ANSWER_MAX_PROOFS];
	const uint8_t		*cut;		/* a referral's; glue below is
						 * required (RFC 9471) */
	unsigned		 nrrsets;
	const struct zone_rrset	*rrsets[ANSWER_MAX_RRSETS];
	const uint8_t		*owners[ANSWER_MAX_RRSETS];
	unsigned		 naddl;
	struct answer_addl	 addl[ANSWER_MAX_ADDL];
};

/*
 * Fills answer, authority and additional for a query in zone ze (the
 * writer already holds header and question). Next hop: pkt_put_rr().
 */
void	answer_build(struct answer *a, const struct zonetab_entry *ze);

#endif
