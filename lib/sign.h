/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * The zone signer: from the operator's (unsigned) zone image and the
 * previous signed image, the next signed image (RFC 4033-4035, NSEC3 by
 * RFC 5155 with RFC 9276's parameters).
 *
 * What the signed image holds:
 *  - every record of the unsigned zone but its RRSIG, NSEC, NSEC3,
 *    NSEC3PARAM, DNSKEY, CDS and CDNSKEY records, which the signer owns;
 *  - the SOA with the serial given in the parameters;
 *  - the DNSKEY RRset of the published keys (TTL dnskey_ttl), CDS
 *    (SHA-256) and CDNSKEY for the keys whose DS the parent should have
 *    (or the RFC 8078 4 delete records), TTL dnskey_ttl;
 *  - the NSEC chain, or the NSEC3 chain and NSEC3PARAM (flags 0, TTL 0
 *    as BIND writes it); authoritative names and delegations are in
 *    it, occluded names (glue, names below a DNAME) are not; with
 *    opt-out, delegations without DS are left out;
 *  - RRSIGs: DNSKEY, CDS and CDNSKEY by the ksign keys, every other
 *    authoritative RRset (at a delegation only DS and NSEC) by the
 *    zsign keys. Inception is an hour before now (clock skew, as BIND).
 *
 * Incremental: an RRset whose owner, type, TTL and records are the same
 * as in the previous signed image keeps the signatures it had there by
 * keys that still sign it, unless one expires before now + refresh; only
 * missing signatures are made. So a reload after a small edit, or a
 * restart, signs only what changed or is due, and a re-signing timer
 * refreshes only the signatures near expiry (spread by jitter).
 *
 * Runs in: the signer.
 */
#ifndef APEX_SIGN_H
#define APEX_SIGN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dnskey.h"
#include "util.h"
#include "zone.h"

struct sign_key {
	const struct dnskey *key;	/* private part needed to sign */
	bool		publish;	/* in the DNSKEY RRset */
	bool		zsign;		/* signs the zone's RRsets */
	bool		ksign;		/* signs DNSKEY, CDS and CDNSKEY */
	bool		cds;		/* CDS and CDNSKEY published for it */
};

struct sign_params {
	uint32_t		 now;
	uint32_t		 serial;	/* of the signed SOA */
	uint32_t		 validity;	/* signatures-validity */
	uint32_t		 validity_dnskey;
	uint32_t		 refresh;	/* signatures-refresh */
	uint32_t		 jitter;	/* expirations spread over
						 * [now + validity - jitter,
						 * now + validity] */
	uint32_t		 dnskey_ttl;
	bool			 nsec3;
	bool			 optout;
	uint16_t		 iterations;
	uint8_t			 saltlen;
	uint8_t			 salt[255];
	bool			 cds_delete;	/* publish the RFC 8078 delete
						 * CDS and CDNSKEY */
	const struct sign_key	*keys;
	unsigned		 nkeys;
	uint32_t		 max_records;	/* of the signed zone; 0: any */
	unsigned		 threads;	/* that compute signatures;
						 * 0 or 1: the caller's */
};

struct sign_stats {
	uint64_t	sigs_made;	/* signatures computed this run */
	uint64_t	sigs_kept;	/* taken over from the previous image */
	uint64_t	rrsets_signed;	/* RRsets that got a new signature */
	uint32_t	earliest_expiry;	/* of any signature; 0: none */
	uint32_t	next_refresh;	/* earliest expiry - refresh: when a
					 * signature next needs remaking */
};

/*
 * Signs unsigned_z into a new image, reusing what it can of prev
 * (NULL: sign everything). err gets a reason on failure.
 * Returns: 0 with *blob and *size set, APEX_ECRYPTO (a key could not
 * sign), APEX_EZONE (the result does not build: err says why) or
 * APEX_ELIMIT.
 * Ownership: caller owns *blob; release with free().
 */
int	sign_zone(const struct zone *unsigned_z, const struct zone *prev,
	    const struct sign_params *, void **blob, size_t *size,
	    struct sign_stats *, char *err, size_t errlen) MUST_CHECK;

/*
 * The canonical form (RFC 4034 6.2) of one record's RDATA of type: the
 * domain names in it lowercased for the types 6.2 lists (as amended by
 * RFC 6840 5.1). out has room for rdlen octets.
 */
void	sign_canonical_rdata(uint16_t type, const uint8_t *rdata,
	    uint16_t rdlen, uint8_t *out);

#ifdef SIGN_PRIVATE
/*
 * Shared by sign.c and sign_nsec.c only (they define SIGN_PRIVATE): the
 * state of one run and the helpers both halves of the signer use.
 */
struct sign_pool;

struct sign_buf {
	uint8_t	*p;
	size_t	 cap;
};

struct sign_ctx {
	const struct zone	*z;		/* unsigned */
	const struct zone	*prev;
	const struct sign_params *params;
	struct sign_stats	*stats;
	char			*err;
	size_t			 errlen;
	const uint8_t		*origin;
	size_t			 origin_len;
	uint16_t		 rclass;
	bool			 has_dnskey;	/* DNSKEY at the apex */
	bool			 has_cds;	/* CDS, CDNSKEY at the apex */
	uint32_t		 denial_ttl;	/* of NSEC and NSEC3 */
	struct typelist		*tl;
	struct zone_builder	*zb;
	bool			*done;		/* per key, one RRset */
	struct sign_buf		 gen, gen2;	/* generated RRsets */
	struct sign_buf		 ctmp, refs;	/* canonical RDATA, order */
	struct sign_buf		 data;		/* what is signed */
	struct sign_pool	*pool;		/* signatures to compute */
};

/* The types at one name, sorted. */
struct typelist {
	uint16_t	t[65536];
	unsigned	n;
};

/* One RRset to add: records as in an image (RDLENGTH, RDATA). */
struct sign_rrset {
	const uint8_t	*owner;		/* lowercase */
	uint16_t	 type;
	uint32_t	 ttl;
	const uint8_t	*data;
	unsigned	 count;
	uint32_t	 size;
};

void	sign_buf_need(struct sign_buf *, size_t);
/* Appends one record (RDLENGTH, RDATA) to b at *len. */
void	sign_buf_rr(struct sign_buf *b, size_t *len, const uint8_t *rd,
	    size_t n);
/* The types the signer makes itself and drops from its input. */
bool	sign_owned_type(uint16_t type);
/* Adds one RRset, and its signatures if sign. Returns: 0 or an error. */
int	sign_emit(struct sign_ctx *, const struct sign_rrset *, bool sign);
int	sign_nsec_chain(struct sign_ctx *);
/* Queues the signature of the builder's last record (an RRSIG whose last
 * siglen octets are to be filled) by key, over c->data's first len
 * octets. Returns: 0 or an error (of a flush). */
int	sign_queue(struct sign_ctx *, unsigned key, size_t len,
	    size_t siglen);
/* Computes every queued signature and writes it in place. Returns: 0 or
 * APEX_ECRYPTO (err set). */
int	sign_flush(struct sign_ctx *);
/* Stops the threads; what is still queued is dropped. */
void	sign_pool_free(struct sign_ctx *);
int	sign_nsec3_chain(struct sign_ctx *);
#endif

#endif
