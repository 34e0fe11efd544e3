/* SPDX-License-Identifier: ISC */
/* Copyright (c) 2026 The apex authors */
/*
 * TSIG (RFC 8945): HMAC signatures on DNS messages with shared keys.
 *
 * A struct tsig_ctx follows one signed exchange: a request and its
 * response, or a request and the many messages of a zone transfer. It
 * holds the key and the last MAC (the request's, then each signed
 * message's), and for multi-message exchanges the running digest of the
 * unsigned messages since the last signed one (RFC 8945 5.3.1).
 *
 * Messages are signed in place: tsig_sign() appends the TSIG record and
 * increments ARCOUNT. Verification takes the offset of the TSIG record
 * (the last record of the additional section, as pkt_parse_query()
 * reports it) and never writes to the message.
 */
#ifndef APEX_TSIG_H
#define APEX_TSIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "dname.h"
#include "util.h"

struct conf;

enum tsig_alg {
	TSIG_HMAC_MD5,
	TSIG_HMAC_SHA1,
	TSIG_HMAC_SHA224,
	TSIG_HMAC_SHA256,
	TSIG_HMAC_SHA384,
	TSIG_HMAC_SHA512,
};

/* TSIG error codes (RFC 8945 3), and a malformed record. */
enum tsig_error {
	TSIG_NOERROR = 0,
	TSIG_BADSIG = 16,
	TSIG_BADKEY = 17,
	TSIG_BADTIME = 18,
	TSIG_BADTRUNC = 22,
	TSIG_FORMERR = 1000,
	/* A well-formed record whose MAC cannot be one (RFC 8945 5.2.2.1):
	 * FORMERR, with an unsigned BADSIG record, as BIND answers. */
	TSIG_FORMERR_MAC = 1001,
};

#define TSIG_FUDGE	300	/* seconds, as BIND, NSD and Knot */
#define TSIG_MAXMAC	64

struct tsig_key {
	char		*name_str;	/* as configured */
	uint8_t		 name[DNAME_MAXLEN];	/* lowercase wire */
	enum tsig_alg	 alg;
	uint8_t		 secret[256];
	size_t		 secret_len;
	uint16_t	 mac_len;	/* shortest MAC taken, and sent; 0:
					 * the whole hash */
};

struct tsig_keyring {
	struct tsig_key	*keys;
	unsigned	 n;
};

/* A parsed TSIG record. Pointers point into the message. */
struct tsig_rr {
	uint8_t		 key[DNAME_MAXLEN];	/* lowercase */
	uint8_t		 alg[DNAME_MAXLEN];	/* lowercase */
	uint64_t	 time;
	uint16_t	 fudge;
	uint16_t	 mac_len;
	const uint8_t	*mac;
	uint16_t	 orig_id;
	uint16_t	 error;
	uint16_t	 other_len;
	const uint8_t	*other;
};

struct tsig_ctx {
	const struct tsig_key	*key;
	/* 0: the request is next; 1: the first response; 2: later ones */
	unsigned		 stage;
	uint8_t			 mac[TSIG_MAXMAC];	/* the last MAC */
	uint16_t		 mac_len;
	unsigned		 unsigned_since;
	void			*running;	/* unsigned messages' digest */
	/* the request's key and algorithm, for unsigned error replies;
	 * either may be the root name, hence req_set */
	bool			 req_set;
	uint8_t			 req_key[DNAME_MAXLEN];
	uint8_t			 req_alg[DNAME_MAXLEN];
};

/*
 * Decodes the key statements of cf.
 * Returns: 0, or APEX_EINVAL (a secret that is not base64).
 */
int	tsig_keyring_load(const struct conf *cf, struct tsig_keyring *kr)
	    MUST_CHECK;
void	tsig_keyring_free(struct tsig_keyring *);
/* The key with this lowercase name, or NULL. */
const struct tsig_key	*tsig_find_key(const struct tsig_keyring *,
			    const uint8_t *name);
/* The key configured as name (presentation form), or NULL. */
const struct tsig_key	*tsig_find_key_str(const struct tsig_keyring *,
			    const char *name);
/* Wire name of an algorithm (hmac-sha256. etc.). */
const uint8_t	*tsig_alg_name(enum tsig_alg);
/* Returns: 0 and *alg, or -1 for an unknown algorithm name. */
int	tsig_alg_from_str(const char *s, enum tsig_alg *alg);
/* The same, also for BIND's NAME-BITS (MACs truncated to BITS); *mac_len
 * is the MAC length in octets. Returns: 0 or -1. */
int	tsig_alg_parse(const char *s, enum tsig_alg *alg, unsigned *mac_len);

/*
 * Parses the TSIG record at pos, which must end the message.
 * Returns: 0 or APEX_EMALF.
 */
int	tsig_parse(const uint8_t *msg, size_t len, size_t pos,
	    struct tsig_rr *rr) MUST_CHECK;

/* Loads OpenSSL's HMAC and digests now: a sandboxed process must not
 * have OpenSSL open its configuration on the first signed message. */
void	tsig_init(void);

void	tsig_ctx_init(struct tsig_ctx *, const struct tsig_key *);
void	tsig_ctx_free(struct tsig_ctx *);

/*
 * Server side: checks the signed request msg whose TSIG record starts
 * at pos (RFC 8945 5.2). On TSIG_NOERROR ctx holds the key and the
 * request MAC, ready for tsig_sign(). On BADTIME too (the answer is
 * signed); on BADKEY and BADSIG ctx->key is NULL (the answer is not).
 * Returns: an enum tsig_error.
 */
int	tsig_verify_request(const struct tsig_keyring *kr, const uint8_t *msg,
	    size_t len, size_t pos, uint64_t now, struct tsig_ctx *ctx,
	    struct tsig_rr *rr);

/*
 * Signs msg[0..*len) in place: appends a TSIG record (error, and other
 * data for BADTIME), increments ARCOUNT, updates *len and ctx's MAC. The
 * first message of an exchange covers the request MAC and every
 * variable; later ones the prior MAC, the unsigned messages given to
 * tsig_add_unsigned() since, and the timers (RFC 8945 5.3.1). With a NULL
 * key (BADKEY, BADSIG) the record carries no MAC. orig_id is the ID of
 * the request (the message's own ID for a request).
 * Returns: 0, or APEX_ESPACE (msg unchanged).
 */
int	tsig_sign(struct tsig_ctx *ctx, uint8_t *msg, size_t *len, size_t cap,
	    uint64_t now, uint16_t error, uint16_t orig_id) MUST_CHECK;

/*
 * Octets the TSIG record tsig_sign() would append takes, for an answer
 * with this error (RFC 8945 4.2), so answers keep exactly that room.
 */
size_t	tsig_space(const struct tsig_ctx *ctx, uint16_t error);

/* Feeds a message that goes out (or came in) unsigned into the running
 * digest of a multi-message exchange. */
void	tsig_add_unsigned(struct tsig_ctx *ctx, const uint8_t *msg,
	    size_t len);

/*
 * Client side: checks a response (or one message of a transfer) whose
 * TSIG record starts at pos, against the request MAC (first message) or
 * the prior MAC and the unsigned messages since.
 * Returns: an enum tsig_error (TSIG_NOERROR: genuine and on time).
 */
int	tsig_verify_response(struct tsig_ctx *ctx, const uint8_t *msg,
	    size_t len, size_t pos, uint64_t now, struct tsig_rr *rr);

#endif
