/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * Dynamic update (RFC 2136) as a pure function of a zone image and the
 * UPDATE messages that arrive: the zone and prerequisite sections are
 * checked (RFC 2136 3.1, 3.2), each update record is prescanned and
 * checked against the caller's policy (3.3, 3.4.1), and the updates are
 * applied (3.4.2) to an overlay of the names they touch. Messages are
 * applied one after another to the same overlay, each atomically (all
 * of it or none), so a batch of concurrent updates becomes one new
 * version of the zone with one journal record and one fsync (group
 * commit). The network, TSIG, ACLs and the journal belong to the
 * caller (apex-xferd).
 *
 * Where RFC 2136 leaves room, BIND 9's choices are followed: a CNAME
 * added to a name with other data (or other data added at a CNAME) is
 * ignored; an added record whose TTL differs from its RRset's sets the
 * TTL of the whole RRset; the SOA is replaced only by one with a higher
 * serial; the last NS at the apex is never deleted; the serial is raised
 * once per new version by serial-update-method unless an update set a
 * higher one itself.
 * Runs in: apex-xferd; fuzzed by regress/fuzz/fuzz_update.c.
 */
#ifndef APEX_UPDATE_H
#define APEX_UPDATE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rrbuf.h"
#include "util.h"

struct zone;
struct zone_builder;

enum serial_method {
	SERIAL_INCREMENT,	/* serial + 1 (RFC 1982) */
	SERIAL_UNIXTIME,	/* now, or serial + 1 if that is not higher */
	SERIAL_DATE,		/* YYYYMMDDnn, or serial + 1 */
};

/*
 * Whether the requester may make this change (RFC 2136 3.3): called
 * once for every record of the update section, with its owner name
 * (wire form, as received) and TYPE (for a deletion of all RRsets of
 * a name: TYPE_ANY). false refuses the whole message (REFUSED).
 */
typedef bool	update_allow_fn(void *arg, const uint8_t *name,
		    uint16_t type);

struct update;	/* the overlay: changes since update_begin() */

/*
 * Starts a batch on the image z (which must stay mapped until
 * update_free()); origin and rclass are the zone's.
 */
struct update	*update_begin(const struct zone *z);
void		 update_free(struct update *);
/* The zone is signed by apex (a dnssec-policy): z is its unsigned
 * version, and DNSKEY, CDS and CDNSKEY are the signer's, not a
 * client's. */
void		 update_set_policy(struct update *);

/*
 * Applies one UPDATE message msg[0..len) to the batch. len may end
 * before the message's TSIG record; records after the update section
 * (additional data, RFC 2136 2.1) are not read. allow (if not NULL) is
 * asked for every update record before anything is applied.
 * Returns: the RCODE (RFC 2136 2.2, 3.x): NOERROR when applied (or
 * when it changed nothing), else FORMERR, NOTZONE, NOTAUTH, YXDOMAIN,
 * NXDOMAIN, YXRRSET, NXRRSET, REFUSED or SERVFAIL, and then the batch
 * is exactly as before the call. why (if not NULL) gets a short
 * reason for the log for every RCODE but NOERROR.
 */
uint16_t	update_apply(struct update *, const uint8_t *msg, size_t len,
		    update_allow_fn *allow, void *arg, char *why,
		    size_t whylen);

/* Whether the messages applied so far changed the zone. */
bool		update_changed(const struct update *);

/*
 * Ends the batch: the new serial (by method, at time now, unless an
 * update raised it), the difference from the image to the new version
 * (del headed by the old SOA, add by the new one, as an IXFR
 * difference and a journal record carry it), and every record of the
 * new version added to zb. Call only if update_changed().
 * Returns: 0, APEX_EZONE (the image has no SOA), or what
 * zone_builder_add() returned (APEX_ELIMIT under the limits set on zb).
 */
int		update_finish(struct update *, enum serial_method method,
		    uint64_t now, uint32_t *serial, struct rrbuf *del,
		    struct rrbuf *add, struct zone_builder *zb) MUST_CHECK;

#endif
